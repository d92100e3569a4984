"""``kit build``: every parameter file of a folder through the report notebook.

This module runs the stages in order and owns what spans them (settings, the folder's
lock, Ctrl-C, the manifest's journal, the summary); each stage is its own module so it
can be read and tested alone.  :mod:`kit.build.plan` reads and checks the files (a
file that fails never reaches papermill) and decides what the last build already made
(:mod:`kit.build.manifest`); :mod:`kit.build.workers` runs :mod:`kit.build.execute`
(papermill and the review page) in worker processes, each keeping one kernel alive
(:mod:`kit.build.engines`); :mod:`kit.build.compilations` writes the 汇编 and PDFs;
this module the review index and the summary.  One build at a time per output folder
(:mod:`kit.build.lock`).  Where each output goes is :class:`kit.project.YearFolder`'s;
``build/.kit/`` holds the manifest, the lock and the kernels' runtime files.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kit.build.compilations import (
    groups,
    pdfs,
    prune,
    volume,
    warm_up_volumes,
    write_volume_list,
)
from kit.build.execute import Outcome
from kit.build.intake import Lookalike, gather
from kit.build.lock import (
    KIT_DIR,
    WAIT_SECONDS,
    BuildLock,
    clean_scratch,
    clean_stale_runtime,
)
from kit.build.manifest import Manifest, record_id
from kit.build.plan import Plan, likely_runs, plan
from kit.build.workers import Workers, run_all
from kit.errors import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    KitError,
    NotApprovedError,
    OutputError,
    ParamsError,
    Problem,
    UsageError,
    display_path,
)
from kit.iorw import LinkError, atomic_write_text, check_tree, refuse_links
from kit.project import BUILD, INDEX_PAGE, PARAMS, YearFolder, year_folder
from kit.report.identity import Identity
from kit.report.templates import RoleTemplate, load_roles, templates_dir
from kit.report.yamlio import Entry
from kit.review.pages import render_page

RECYCLE_AFTER = 100  # notebooks per worker process before it (and its kernel) is replaced


@dataclass
class BuildResult:
    outcomes: list[Outcome]
    year_dirs: list[Path] = field(default_factory=list)
    volumes: list[Path] = field(default_factory=list)
    pdfs: list[Path] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # 汇编/PDF problems, in Chinese
    problem_codes: list[int] = field(default_factory=list)  # each problem's exit code
    lookalikes: list[Lookalike] = field(default_factory=list)  # not read: 「x.yaml.txt」…
    reused: int = 0  # officials whose outputs of the last build were current
    removed: list[str] = field(default_factory=list)  # files gone: their outputs removed
    volume_lists: list[Path] = field(default_factory=list)  # with --by: the list of 汇编
    interrupted: bool = False  # Ctrl-C: what was not finished is done by the next run

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.ok]

    @property
    def ok(self) -> bool:
        return not self.failed and not self.problems and not self.interrupted

    @property
    def exit_code(self) -> int:
        """130 when interrupted (Ctrl-C), 1 when an official failed, else the first
        汇编/PDF problem's code (5: no LibreOffice, 7: it failed or timed out, 4: a file
        could not be written), 0 when all went well."""
        if self.interrupted:
            return EXIT_INTERRUPTED
        if self.failed:
            return EXIT_FAILED
        return self.problem_codes[0] if self.problem_codes else 0

    def problem(self, text: str, code: int) -> None:
        if text not in self.problems:
            self.problems.append(text)
            self.problem_codes.append(code)


@dataclass(frozen=True)
class Settings:
    """One ``kit build``'s settings, checked once (a ``--watch`` session reuses them)."""

    params_dir: str | Path
    out_root: Path
    tdir: Path  # role templates
    workers: int
    timeout: float = 120
    pdf: bool = False
    recycle_after: int = RECYCLE_AFTER
    quiet: bool = False
    force: bool = False
    by: str | None = None
    final: bool = False
    compare: str | Path | None = None


def settings(params_dir: str | Path = PARAMS, out_dir: str | Path = BUILD,
             workers: int | None = None, timeout: float = 120, pdf: bool = False,
             templates: str | Path | None = None, *, recycle_after: int = RECYCLE_AFTER,
             quiet: bool = False, force: bool = False, by: str | None = None,
             final: bool = False, compare: str | Path | None = None) -> Settings:
    if workers is not None and workers < 1:
        raise KitError(Problem("--workers 至少为 1", found=str(workers)))
    tdir = templates_dir(templates).resolve()
    return Settings(params_dir, out_folder(out_dir, params_dir, tdir), tdir,
                    workers or os.cpu_count() or 1, timeout, pdf, recycle_after, quiet, force,
                    by, final, compare)


def out_folder(out_dir: str | Path, params_dir: str | Path, tdir: Path) -> Path:
    """The output folder, refused (UsageError) when empty or when it is, or holds, the
    parameter or template folder: a build owns its output folder (it removes what it
    made there), and the user's own files must never be among them."""
    if not str(out_dir).strip():
        raise UsageError(Problem("输出文件夹（-o）不能为空", expected="一个文件夹，如 build",
                                 found="「」", hint="您是否想写「-o build」？"))
    out = Path(out_dir).resolve()
    for what, folder in (("参数文件夹", Path(params_dir).resolve()), ("模板文件夹", tdir)):
        if folder == out or folder.is_relative_to(out):
            raise UsageError(Problem(
                f"输出文件夹不能是{what}，也不能包含它", file=display_path(out_dir),
                expected=f"{what}（{display_path(folder)}）以外的文件夹",
                found=display_path(out), hint="您是否想写「-o build」？"))
    return out


def build(params_dir: str | Path = PARAMS, out_dir: str | Path = BUILD,
          workers: int | None = None, timeout: float = 120, pdf: bool = False,
          templates: str | Path | None = None, *, recycle_after: int = RECYCLE_AFTER,
          quiet: bool = False, force: bool = False, lock_wait: float = WAIT_SECONDS,
          by: str | None = None, final: bool = False,
          compare: str | Path | None = None) -> BuildResult:
    """Build every official of ``params_dir`` into ``out_dir/<年度>/``; prints a summary
    in Chinese.  One official's failure never stops the others (see ``result.ok``).
    Officials whose outputs are current are reused unless ``force``; Ctrl-C stops the run
    (``result.interrupted``) and the next run goes on from what was finished.  ``by``
    (「所属县」 or 「单位」) makes one 汇编 per group instead of one per year.
    ``final``: refuse (NotApprovedError) unless every official is 已通过 (kit.review);
    ``compare``: last year's parameter folder for the 提示 (kit.review.flags)."""
    say: Callable[[str], None] = (lambda _: None) if quiet else print
    run = settings(params_dir, out_dir, workers, timeout, pdf, templates,
                   recycle_after=recycle_after, quiet=quiet, force=force, by=by, final=final,
                   compare=compare)
    files_of(run.params_dir)  # nothing to do: said before waiting for the folder's lock
    with BuildLock(run.out_root, lock_wait, say), sigint_raises_once():
        result = once(run, session(run), say)
    summarize(result, say)
    return result


def session(run: Settings, *, full_size: bool = False) -> Workers:
    """What a run holding the folder's lock does first: clear what killed runs left (their
    kernels, scratch files).  Returns the workers the builds will use."""
    no_links(run.out_root)
    clean_stale_runtime(run.out_root)
    clean_scratch(run.out_root)
    return Workers(run.out_root, run.workers, run.recycle_after, full_size=full_size)


def no_links(out_root: Path) -> None:
    """LinkError naming the first link in the folders a build writes (``.kit`` and the
    year folders), so nothing is written or deleted through one; checked at each build
    (a ``--watch`` session's too)."""
    years = [f.name for f in out_root.iterdir() if f.name.isdigit()] if out_root.is_dir() \
        else []
    check_tree(out_root, [KIT_DIR, *years])


def files_of(params_dir: str | Path) -> tuple[list[Path], list[Lookalike]]:
    """The folder's parameter files; ParamsError when there is none."""
    files, lookalikes = gather(params_dir)
    if not files:
        raise ParamsError(Problem("文件夹里没有参数文件（.yaml）", file=display_path(params_dir),
                                  hint="；".join(str(x) for x in lookalikes) or None))
    return files, lookalikes


def once(run: Settings, pool: Workers, say: Callable[[str], None], *, keep: bool = False,
         parsed: dict[tuple[str, str], dict[str, Entry]] | None = None) -> BuildResult:
    """One build on ``pool`` (call while holding the folder's lock).  ``keep``: leave the
    workers and their kernels running afterwards, ``parsed``: the files' entries kept
    between builds (:func:`kit.build.plan.plan`), both for ``kit build --watch``."""
    files, lookalikes = files_of(run.params_dir)
    no_links(run.out_root)
    roles = load_roles(run.tdir)  # a broken template stops the build, with its own message
    if run.final:
        from kit.review.status import require_approved
        require_approved(run.params_dir)
    result = BuildResult(outcomes=[], lookalikes=lookalikes)
    manifest = Manifest.load(run.out_root)
    try:
        _plan_run_and_compile(files, roles, run, manifest, result, pool, say, keep, parsed)
    except KeyboardInterrupt:
        result.interrupted = True
    finally:
        signal_safe(manifest.save)
        if not keep:
            pool.retire()
            pool.join()  # the workers stopped their kernels while the 汇编 was written
    return result


def _plan_run_and_compile(files: list[Path], roles: dict[str, RoleTemplate], run: Settings,
                          manifest: Manifest, result: BuildResult, pool: Workers,
                          say: Callable[[str], None], keep: bool,
                          parsed: dict[tuple[str, str], dict[str, Entry]] | None) -> None:
    """Plan (what is reused, run or refused), run the officials' notebooks on ``pool``,
    then each year's 汇编, PDFs and review index."""
    out_root = run.out_root
    folder = str(Path(run.params_dir).resolve()) if Path(run.params_dir).is_dir() else None
    if manifest.damaged:
        say("上次的生成记录已损坏，本次全部重新生成。")
    # Officials are likely to run: one worker starts its kernel while the files are checked.
    if guess := likely_runs(files, manifest, run.force):
        pool.start_one(guess)
    p = _plan_and_note(files, folder, roles, run, manifest, result, parsed)

    def done(o: Outcome) -> None:
        _note(manifest, o.file, o, p, folder, out_root)

    if p.tasks:  # a 汇编 will be written: its tables load while the workers start
        threading.Thread(target=warm_up_volumes, daemon=True).start()
    try:
        run_all(p.tasks, p.outcomes, pool, run.quiet, done)
    finally:
        result.outcomes = list(p.outcomes.values())
        if not keep:
            pool.retire()  # a started pool that got nothing stops at once
    _finish(out_root, result, manifest, p, run.pdf, say, run.by, run.final, run.params_dir)


def _plan_and_note(files: list[Path], folder: str | None, roles: dict[str, RoleTemplate],
                   run: Settings, manifest: Manifest, result: BuildResult,
                   parsed: dict[tuple[str, str], dict[str, Entry]] | None) -> Plan:
    """The plan, and what is known before anything runs written down."""
    out_root = run.out_root
    p = plan(files, roles, run.tdir, out_root, run.timeout, manifest, force=run.force,
             compare=run.compare, parsed=parsed)
    result.outcomes = list(p.outcomes.values())
    result.reused = len(p.reused)
    # What runs now is no longer what the last build made: forget it before it starts.
    manifest.forget_keys([record_id(f) for f in p.outcomes if p.outcomes[f] not in p.reused])
    if folder is not None:
        result.removed = _remove_gone(manifest, {record_id(f) for f in files}, folder, out_root)
    for path, o in p.outcomes.items():
        if o.stage == "检查":
            atomic_write_text(o.review, render_page(  # type: ignore[arg-type]
                "failed_check.html.j2", file=display_path(o.file), reason=o.reason,
                index=INDEX_PAGE), root=out_root)
            _note(manifest, path, o, p, folder, out_root)
    return p


def _finish(out_root: Path, result: BuildResult, manifest: Manifest, p: Plan, pdf: bool,
            say: Callable[[str], None], by: str | None, final: bool,
            params_dir: str | Path) -> None:
    """Each year's 汇编 (or one per group), PDFs and review index."""
    for year, group in _by_year(result.outcomes).items():
        parts = year_folder(out_root, year)
        result.year_dirs.append(parts.path)
        written = []
        missing = sum(not o.ok for o in group)
        books: dict[str, list[Outcome]] = {}
        if final and missing:  # a final set lacks nobody
            result.problem(f"定稿汇编没有生成：{missing} 人的报告未生成",
                           NotApprovedError.exit_code)
        else:
            books = groups(group, by)
        paths = parts.group_volumes(books) if by else {n: parts.volume for n in books}
        for name, members in books.items():
            if (book := volume(paths[name], year, members, result, manifest, p.keys, final)):
                written.append(book)
        if books:  # a refused --final keeps the last draft
            prune(parts, set(paths.values()), manifest, by)
        if by:
            write_volume_list(parts, by, group, result)
        if pdf:
            pdfs(parts, group, result, written, say, manifest)
        _write_peer_flags(group, manifest, result)
        _write_index(parts, group, result, params_dir, p.facts)


def _write_peer_flags(outcomes: list[Outcome], manifest: Manifest, result: BuildResult
                      ) -> None:
    """The 提示 against the other officials into each review page of a notebook, where
    they differ from those the page has (its record's ``peer``; a page just written has
    none): another official's change rewrites a few pages, it re-executes nothing."""
    from kit.review.pages import write_peer_flags

    for o in outcomes:
        rec = manifest.records.get(record_id(o.file))
        if (rec is None or o.review is None or o.stage not in ("执行", "沿用")
                or rec.get("peer", []) == o.peer):
            continue
        try:
            write_peer_flags(o.review, o.peer)
        except KitError as err:  # the page open elsewhere, the disk full…
            result.problem(f"审阅页面的提示没有更新：{err}", err.exit_code)
            continue
        except OSError as err:  # the page removed meanwhile: the next build makes it again
            result.problem(f"审阅页面的提示没有更新：{display_path(o.review)}（{err.strerror}）",
                           OutputError.exit_code)
            rec["key"] = None
            continue
        manifest.record(record_id(o.file), rec | {"peer": list(o.peer)})


def _note(manifest: Manifest, path: Path, o: Outcome, p: Plan, folder: str | None,
          out_root: Path) -> None:
    """Record one official in the manifest (journal) and remove its outputs of an
    earlier build that this one replaced (another 年度, 单位 or file name) or that its
    file no longer makes (it fails now: its old report and PDF would look current)."""
    def rel(x: Path | None) -> str:
        return os.path.relpath(x, out_root) if x else ""

    old = manifest.records.get(record_id(path)) or {}
    new = [rel(x) for x in (o.notebook, o.review, o.docx) if x]
    kept = [x for x in old.get("outputs", []) if x not in new]
    if o.ok or o.stage != "中断":  # (interrupted: not known yet, the next run decides)
        _delete(out_root, kept + ([old["pdf"]] if old.get("pdf") else []), manifest,
                record_id(path))
        kept = []
    manifest.record(record_id(path), {
        "key": p.keys.get(path) if o.ok else None, "data": p.data.get(path),
        "folder": folder, "stem": p.stems.get(path), "ok": o.ok, "name": o.name,
        "role": o.role, "unit": o.unit, "county": o.county, "year": o.year,
        "warnings": o.warnings, "peer": [],  # a page just written: its block is empty
        "notebook": rel(o.notebook), "review": rel(o.review), "docx": rel(o.docx),
        "pdf": None, "outputs": new + kept})


def _remove_gone(manifest: Manifest, present: set[str], folder: str, out_root: Path
                 ) -> list[str]:
    """Outputs of officials whose parameter file is no longer in the folder (only this
    folder's: another folder built into the same place keeps its own); their file names."""
    gone = sorted(n for n, r in manifest.records.items()
                  if n not in present and r.get("folder") == folder)
    for name in gone:
        rec = manifest.records[name]
        _delete(out_root, list(rec.get("outputs", [])) + ([rec["pdf"]] if rec.get("pdf") else []),
                manifest, name)
        manifest.record(name, None)
    return [Path(n).name for n in gone]


def _delete(out_root: Path, rels: list[str], manifest: Manifest, owner: str) -> None:
    """Remove ``owner``'s outputs ``rels``, but none another record also lists (another
    folder's file of the same year and name wrote it since: it is that file's now)."""
    if not rels:
        return
    others = {x for n, r in manifest.records.items() if n != owner
              for x in (*r.get("outputs", []), r.get("pdf") or "")}
    for rel in rels:
        if rel in others:
            continue
        target = Path(os.path.normpath(out_root / rel))
        try:  # a record never points outside the build folder, nor through a link
            refuse_links(target, out_root)
        except (LinkError, OutputError):
            continue
        target.unlink(missing_ok=True)


def signal_safe(fn: Callable[[], None]) -> None:
    """Run ``fn`` with Ctrl-C held off (a second Ctrl-C must not cut a manifest write)."""
    if threading.current_thread() is not threading.main_thread():
        fn()
        return
    old = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        fn()
    finally:
        signal.signal(signal.SIGINT, old)


@contextlib.contextmanager
def sigint_raises_once() -> Iterator[None]:
    """The first Ctrl-C raises KeyboardInterrupt; later ones are ignored while the run
    stops its workers and writes what it finished."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: Any) -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        raise KeyboardInterrupt

    old = signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old)


def _by_year(outcomes: list[Outcome]) -> dict[int, list[Outcome]]:
    out: dict[int, list[Outcome]] = {}
    for o in outcomes:
        out.setdefault(o.year, []).append(o)
    return dict(sorted(out.items()))


def _write_index(parts: YearFolder, outcomes: list[Outcome], result: BuildResult,
                 params_dir: str | Path, known: dict[str, tuple[Identity, str]]) -> None:
    from kit.review.index import write_index
    from kit.review.status import statuses

    books = [v for v in result.volumes if v.parent == parts.path]
    books += [p for v in books if (p := parts.pdf_of(v)) in result.pdfs]
    reviewed = {Path(os.path.realpath(s.path)): s for s in statuses(params_dir, known=known)}
    write_index(parts.index, parts.year, outcomes, books, reviewed)


def summarize(result: BuildResult, say: Callable[[str], None]) -> None:
    ok, failed = len(result.outcomes) - len(result.failed), len(result.failed)
    if result.interrupted and not result.outcomes:
        say("\n已中断（Ctrl-C）：检查参数文件时中断，没有生成任何报告。")
        return
    if result.interrupted:
        not_done = [o for o in result.outcomes if o.stage == "中断"]
        say(f"\n已中断（Ctrl-C）：{ok} 份已完成，{len(not_done)} 份没有生成。"
            "已完成的文件都已保存；再次运行 kit build 只生成没有完成的部分。")
        failed_list = [o for o in result.failed if o.stage != "中断"]
    else:
        executed = ok - result.reused
        say(f"\n共 {len(result.outcomes)} 份：{ok} 成功，{failed} 失败。"
            f"（沿用上次结果 {result.reused} 份，本次执行 {executed + failed} 份）")
        failed_list = result.failed
    for o in failed_list:
        say(f"  ✗ {display_path(o.file)}")
        for line in o.reason.splitlines():
            say(f"      {line}")
    for p in result.problems:
        say(f"  ✗ {p}")
    if flagged := sum(bool(o.flags) for o in result.outcomes):  # kit.review.flags
        say(f"审阅提示：{flagged} 份有提示（与上年相比变化大、照抄等），请在审阅目录里核对。")
    if result.lookalikes:
        say(f"另有 {len(result.lookalikes)} 个文件像参数文件，但没有读取：")
        for x in result.lookalikes:
            say(f"  ⚠ {x}")
    if result.removed:
        say(f"参数文件已不在，删除了 {len(result.removed)} 位同志的旧输出："
            + "、".join(result.removed))
    for d in result.year_dirs:
        parts = YearFolder(d, int(d.name))
        say(f"审阅目录：{display_path(parts.index)}")
        say(f"Word 文件：{display_path(parts.docx)}")
    for v in result.volumes:
        say(f"汇编：{display_path(v)}")
    for v in result.volume_lists:
        say(f"汇编清单：{display_path(v)}")
    for folder in sorted({p.parent for p in result.pdfs}):
        say(f"PDF：{display_path(folder)}")
