"""``kit build``: every parameter file of a folder through the report notebook.

Stages, one module each: :mod:`kit.plan` reads and checks the files (a file that fails
never reaches papermill) and decides what the last build already made
(:mod:`kit.manifest`), :mod:`kit.execute` runs papermill and writes the review page in
worker processes, each keeping one kernel alive (:mod:`kit.engines`), and this module
writes the review index, the 汇编 and the summary.  One build at a time per output
folder (:mod:`kit.lock`).  Outputs::

    build/<年度>/notebooks/   executed notebooks (papermill output, error marker on failure)
    build/<年度>/review/      one page per official, without code; index.html
    build/<年度>/docx/        the reports
    build/<年度>/<年度>年度述职报告汇编.docx   (see kit.layout)
    build/.kit/               the manifest, the lock and the kernels' runtime files
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import shutil
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from kit.errors import (
    KitError,
    OutputError,
    ParamsError,
    Problem,
    ToolMissingError,
    display_path,
    os_reason,
)
from kit.execute import Outcome, Task, run_task
from kit.intake import Lookalike, gather
from kit.iorw import atomic_write_text, safe_filename
from kit.layout import BUILD, PARAMS, YearFolder, year_folder
from kit.lock import WAIT_SECONDS, BuildLock, clean_scratch, clean_stale_runtime, run_dir
from kit.manifest import Manifest, digest
from kit.plan import Plan, plan
from kit.review import render_page
from kit.templates import RoleTemplate, load_roles, templates_dir

if TYPE_CHECKING:
    from kit.model import Report
    from kit.word.volume import VolumeInfo

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
            return 130
        if self.failed:
            return 1
        return self.problem_codes[0] if self.problem_codes else 0

    def problem(self, text: str, code: int) -> None:
        if text not in self.problems:
            self.problems.append(text)
            self.problem_codes.append(code)


def build(params_dir: str | Path = PARAMS, out_dir: str | Path = BUILD,
          workers: int | None = None, timeout: float = 120, pdf: bool = False,
          templates: str | Path | None = None, *, recycle_after: int = RECYCLE_AFTER,
          quiet: bool = False, force: bool = False, lock_wait: float = WAIT_SECONDS,
          by: str | None = None) -> BuildResult:
    """Build every official of ``params_dir`` into ``out_dir/<年度>/``; prints a summary
    in Chinese.  One official's failure never stops the others (see ``result.ok``).
    Officials whose outputs are current are reused unless ``force``; Ctrl-C stops the run
    (``result.interrupted``) and the next run goes on from what was finished.  ``by``
    (「所属县」 or 「单位」) makes one 汇编 per group instead of one per year."""
    say: Callable[[str], None] = (lambda _: None) if quiet else print
    files, lookalikes = gather(params_dir)
    if not files:
        raise ParamsError(Problem("文件夹里没有参数文件（.yaml）", file=display_path(params_dir),
                                  hint="；".join(str(x) for x in lookalikes) or None))
    if workers is not None and workers < 1:
        raise KitError(Problem("--workers 至少为 1", found=str(workers)))
    tdir = templates_dir(templates).resolve()
    roles = load_roles(tdir)  # a broken template stops the batch here, with its own message
    out_root = Path(out_dir).resolve()
    folder = str(Path(params_dir).resolve()) if Path(params_dir).is_dir() else None
    result = BuildResult(outcomes=[], lookalikes=lookalikes)
    with BuildLock(out_root, lock_wait), _sigint_raises_once():
        clean_stale_runtime(out_root)
        clean_scratch(out_root)
        manifest = Manifest.load(out_root)
        try:
            _build(files, folder, roles, tdir, out_root, manifest, result, workers or
                   os.cpu_count() or 1, timeout, pdf, recycle_after, force, quiet, say, by)
        except KeyboardInterrupt:
            result.interrupted = True
        finally:
            signal_safe(manifest.save)
    _summary(result, say)
    return result


def _build(files: list[Path], folder: str | None, roles: dict[str, RoleTemplate], tdir: Path,
           out_root: Path, manifest: Manifest, result: BuildResult, workers: int,
           timeout: float, pdf: bool, recycle_after: int, force: bool, quiet: bool,
           say: Callable[[str], None], by: str | None) -> None:
    if manifest.damaged:
        say("上次的生成记录已损坏，本次全部重新生成。")
    p = plan(files, roles, tdir, out_root, timeout, manifest, force=force)
    result.outcomes = list(p.outcomes.values())
    result.reused = len(p.reused)
    # What runs now is no longer what the last build made: forget it before it starts.
    manifest.forget_keys([f.name for f in p.outcomes if p.outcomes[f] not in p.reused])
    if folder is not None:
        result.removed = _remove_gone(manifest, {f.name for f in files}, folder, out_root)
    for path, o in p.outcomes.items():
        if o.stage == "检查":
            atomic_write_text(o.review, render_page(  # type: ignore[arg-type]
                "failed_check.html.j2", file=display_path(o.file), reason=o.reason))
            _note(manifest, path, o, p, folder, out_root)

    def done(o: Outcome) -> None:
        _note(manifest, o.file, o, p, folder, out_root)

    try:
        closing = _run(p.tasks, p.outcomes, workers, recycle_after, quiet, done)
    finally:
        result.outcomes = list(p.outcomes.values())
    try:
        _finish(out_root, result, manifest, p, pdf, say, by)
    finally:
        if closing is not None:  # the workers stopped their kernels meanwhile
            closing.join()


def _finish(out_root: Path, result: BuildResult, manifest: Manifest, p: Plan, pdf: bool,
            say: Callable[[str], None], by: str | None) -> None:
    """Each year's 汇编 (or one per group), PDFs and review index."""
    for year, group in _by_year(result.outcomes).items():
        parts = year_folder(out_root, year)
        result.year_dirs.append(parts.path)
        written = []
        for name, members in _groups(group, by).items():
            path = _group_volume(parts, name) if by else parts.volume
            if (volume := _volume(path, year, members, result, manifest, p.keys)):
                written.append(volume)
        if by:
            _write_volume_list(parts, by, group, result)
        if pdf:
            _pdf(parts, group, result, written, say, manifest)
        _write_index(parts, group, result)


def _note(manifest: Manifest, path: Path, o: Outcome, p: Plan, folder: str | None,
          out_root: Path) -> None:
    """Record one official in the manifest (journal) and remove its outputs of an
    earlier build that this one replaced (another 年度, 单位 or file name)."""
    def rel(x: Path | None) -> str:
        return os.path.relpath(x, out_root) if x else ""

    old = manifest.records.get(path.name) or {}
    new = [rel(x) for x in (o.notebook, o.review, o.docx) if x]
    kept = [x for x in old.get("outputs", []) if x not in new]
    if o.ok:
        _delete(out_root, kept + ([old["pdf"]] if old.get("pdf") else []))
        kept = []
    manifest.record(path.name, {
        "key": p.keys.get(path) if o.ok else None, "data": p.data.get(path),
        "folder": folder, "stem": p.stems.get(path), "ok": o.ok, "name": o.name,
        "role": o.role, "unit": o.unit, "county": o.county, "year": o.year,
        "warnings": o.warnings,
        "notebook": rel(o.notebook), "review": rel(o.review), "docx": rel(o.docx),
        "pdf": None, "outputs": new + kept})


def _remove_gone(manifest: Manifest, present: set[str], folder: str, out_root: Path
                 ) -> list[str]:
    """Outputs of officials whose parameter file is no longer in the folder."""
    gone = sorted(n for n, r in manifest.records.items()
                  if n not in present and r.get("folder") == folder)
    for name in gone:
        rec = manifest.records[name]
        _delete(out_root, list(rec.get("outputs", [])) + ([rec["pdf"]] if rec.get("pdf") else []))
        manifest.record(name, None)
    return gone


def _delete(out_root: Path, rels: list[str]) -> None:
    for rel in rels:
        target = (out_root / rel).resolve()
        if target.is_relative_to(out_root):  # a record never points outside the build folder
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
def _sigint_raises_once() -> Iterator[None]:
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


def _run(tasks: list[tuple[Task, Outcome]], outcomes: dict[Path, Outcome], workers: int,
         recycle_after: int, quiet: bool, done: Callable[[Outcome], None]
         ) -> threading.Thread | None:
    """Run the tasks in worker processes.  Returns the thread shutting the last pool down
    (its workers stop their kernels while the batch goes on with the 汇编): join it.

    Workers are recycled by generations: each pool runs at most ``recycle_after`` notebooks
    per worker, then a fresh pool takes the next share (the old one closes meanwhile).
    Not ``max_tasks_per_child``: on Python 3.11 a pool whose workers all retire that way
    can wait forever for replacements (seen at 200 of 1,000 officials)."""
    from tqdm import tqdm

    if not tasks:
        return None
    run_root = run_dir(tasks[0][0].out_root)
    bar = tqdm(total=len(tasks), desc="生成报告", unit="份", disable=quiet, file=sys.stderr,
               dynamic_ncols=True)
    share = max(1, workers * recycle_after)
    closing: threading.Thread | None = None
    for start in range(0, len(tasks), share):
        part = tasks[start:start + share]
        # spawn: workers must not inherit this process's threads (the closing ones).
        pool = ProcessPoolExecutor(max_workers=min(workers, len(part)),
                                   mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_init_worker, initargs=(run_root,))
        try:
            futures = {pool.submit(run_task, task, outcome): (task, outcome)
                       for task, outcome in part}
            _collect(futures, outcomes, bar, done)
        except KeyboardInterrupt:  # stop at once: no queued official starts, running ones die
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            pool.shutdown(wait=False, cancel_futures=True)
            for child in multiprocessing.active_children():
                child.terminate()  # its SIGTERM handler kills its kernel first
            for _task, outcome in tasks:
                if not outcome.ok and not outcome.reason:
                    outcome.stage = "中断"
                    outcome.reason = "已中断，没有生成（下次运行 kit build 会接着生成）"
            bar.close()
            raise
        if closing is not None:
            closing.join()
        closing = threading.Thread(target=pool.shutdown, kwargs={"wait": True}, daemon=True)
        closing.start()
    bar.close()
    return closing


def _collect(futures: dict[Future[Outcome], tuple[Task, Outcome]],
             outcomes: dict[Path, Outcome], bar: Any, done_cb: Callable[[Outcome], None]
             ) -> None:
    for future in as_completed(futures):
        task, done = futures[future]
        try:
            done = future.result()  # the worker's filled-in copy
        except BrokenProcessPool:
            done.stage, done.reason = "执行", "处理进程意外退出（可能是内存不足），请重试"
        except Exception as err:  # a bug of ours: report it on this official, go on
            done.stage, done.reason = "执行", f"程序运行出错（{type(err).__name__}: {err}）"
        outcomes[done.file] = done
        done_cb(done)
        bar.set_postfix_str(("✓ " if done.ok else "✗ ") + task.title, refresh=False)
        if not done.ok:
            bar.write(f"✗ {display_path(done.file)}：{done.reason.splitlines()[0]}")
        bar.update(1)


def _init_worker(run_root: Path) -> None:
    """Runs in each worker process: its kernel is killed when the worker exits, when the
    batch stops it (SIGTERM) and when the batch itself dies (even by ``kill -9``)."""
    import logging

    # jsonschema (under nbformat) imports rfc3987_syntax when installed, which compiles a
    # Lark grammar at import: 1.8 s per process, for IRI formats no notebook schema uses
    # (python-jsonschema/jsonschema#1392).
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
    from multiprocessing.util import Finalize

    from kit.engines import use_runtime_dir, worker_kernel

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the batch's to handle
    folder = use_runtime_dir(run_root)
    kernel = worker_kernel()

    def die(*_: Any) -> None:
        kernel.kill_now()
        shutil.rmtree(folder, ignore_errors=True)
        os._exit(1)

    signal.signal(signal.SIGTERM, die)
    parent = os.getppid()

    def watch_parent() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        die()

    threading.Thread(target=watch_parent, daemon=True).start()
    logging.getLogger("papermill").setLevel(logging.ERROR)
    logging.getLogger("traitlets").setLevel(logging.ERROR)
    logging.getLogger("kit.engines").setLevel(logging.CRITICAL)  # outcomes say what failed

    def stop() -> None:
        kernel.stop()
        shutil.rmtree(folder, ignore_errors=True)

    Finalize(kernel, stop, exitpriority=10)
    kernel.launch()  # it boots while this worker imports the rest (first task)


def _by_year(outcomes: list[Outcome]) -> dict[int, list[Outcome]]:
    out: dict[int, list[Outcome]] = {}
    for o in outcomes:
        out.setdefault(o.year, []).append(o)
    return dict(sorted(out.items()))


def _link(target: Path | None, base: Path) -> str:
    return quote(os.path.relpath(target, base).replace(os.sep, "/")) if target else ""


def _write_index(parts: YearFolder, outcomes: list[Outcome], result: BuildResult) -> None:
    path, year = parts.index, parts.year
    rows = [{"o": o, "file": display_path(o.file), "html": _link(o.review, path.parent),
             "docx": _link(o.docx, path.parent) if o.ok else ""} for o in outcomes]
    books = [v for v in result.volumes if v.parent == parts.path]
    books += [p for v in books if (p := parts.pdf / f"{v.stem}.pdf") in result.pdfs]
    volumes = [{"name": v.name, "href": _link(v, path.parent)} for v in books]
    atomic_write_text(path, render_page(
        "index.html.j2", year=year, rows=rows, ok=sum(o.ok for o in outcomes),
        failed=sum(not o.ok for o in outcomes), volumes=volumes,
        when=datetime.now().strftime("%Y-%m-%d %H:%M")))


def _groups(outcomes: list[Outcome], by: str | None) -> dict[str, list[Outcome]]:
    """The good officials of a year by 所属县 or 单位 (one group when ``by`` is None)."""
    out: dict[str, list[Outcome]] = {}
    for o in outcomes:
        if o.ok:
            out.setdefault({"所属县": o.county, "单位": o.unit}.get(by or "", ""), []).append(o)
    return dict(sorted(out.items()))


def _group_volume(parts: YearFolder, group: str) -> Path:
    """「2023年度述职报告汇编-青川县.docx」 beside the year's 汇编."""
    return parts.volume.with_name(f"{parts.volume.stem}-{safe_filename(group or '未填')}.docx")


def _write_volume_list(parts: YearFolder, by: str, outcomes: list[Outcome],
                       result: BuildResult) -> None:
    """「<年度>年度述职报告汇编清单.txt」: each group's 汇编 and how many reports it holds."""
    lines = [f"{parts.volume.stem}清单（按{by}分册）", ""]
    for name, members in _groups(outcomes, by).items():
        book = _group_volume(parts, name).name
        lines.append(f"{name or '（未填）'}\t{len(members)} 份\t{book}")
    path = atomic_write_text(parts.path / f"{parts.volume.stem}清单.txt", "\n".join(lines) + "\n")
    result.volume_lists.append(path)


def _volume(path: Path, year: int, outcomes: list[Outcome], result: BuildResult,
            manifest: Manifest, keys: dict[Path, str]
            ) -> tuple[list[Report], VolumeInfo] | None:
    """A 汇编 (of the year, or of one group), from the reports the notebooks rendered; written
    again only when a report in it or the set of reports changed.  Returns the reports
    and the volume when it was written now.

    The reports are read back from the executed notebooks (``Outcome.report``, or the
    notebook of a reused official), not rendered again."""
    from kit.notebook import report_from_dict
    from kit.word.volume import write_volume

    good = [o for o in outcomes if o.ok]
    if not good:
        return None
    key = digest(*sorted(f"{o.file.name}\0{keys.get(o.file, '')}" for o in good))
    book = os.path.relpath(path, path.parent.parent)
    if manifest.volumes.get(book) == key and path.is_file():
        result.volumes.append(path)
        return None
    manifest.volumes.pop(book, None)
    try:
        reports = [report_from_dict(_report_of(o)) for o in good]
        info = write_volume(reports, path, year)
    except OSError as err:
        result.problem(f"汇编没有生成：{display_path(err.filename or path)}："
                       f"{os_reason(err)}，请重新运行 kit build --force", OutputError.exit_code)
        return None
    except (KitError, ValueError, KeyError) as err:
        result.problem(f"汇编没有生成：{err}", getattr(err, "exit_code", OutputError.exit_code))
        return None
    manifest.volumes[book] = key
    result.volumes.append(info.path)
    return reports, info


def _report_of(o: Outcome) -> dict[str, Any]:
    if o.report is not None:
        return o.report
    import json

    import nbformat

    from kit.notebook import kit_outputs

    assert o.notebook is not None
    # Our own notebook, parsed without nbformat's schema validation (most of the time
    # of a rebuild's 汇编); a damaged one raises ValueError, said as the 汇编's problem.
    nb = nbformat.from_dict(json.loads(o.notebook.read_bytes()))
    report = kit_outputs(nb).get("report")
    if report is None:
        raise ValueError(f"{display_path(o.notebook)} 里没有报告")
    return dict(report)


def _pdf(parts: YearFolder, outcomes: list[Outcome], result: BuildResult,
         written: list[tuple[list[Report], VolumeInfo]], say: Callable[[str], None],
         manifest: Manifest) -> None:
    from kit.word.pdf import INSTALL_HINT, PdfError, convert_to_pdf, pdf_available
    from kit.word.referee import referee_volume

    pdf_dir, year_dir = parts.pdf, parts.path
    todo = [o for o in outcomes if o.ok and o.docx
            and not (pdf_dir / f"{o.docx.stem}.pdf").is_file() or o.stage == "执行"]
    todo = [o for o in todo if o.ok and o.docx]
    books = [v for v in result.volumes if v.parent == year_dir]
    now = {info.path for _, info in written}
    stale_books = [v for v in books if v in now or not (pdf_dir / f"{v.stem}.pdf").is_file()]
    done_pdfs = [pdf_dir / f"{o.docx.stem}.pdf" for o in outcomes
                 if o.ok and o.docx and o not in todo]
    result.pdfs += done_pdfs + [pdf_dir / f"{v.stem}.pdf" for v in books if v not in stale_books]
    docx = [o.docx for o in todo if o.docx] + stale_books
    if not docx:
        return
    if not pdf_available():
        result.problem(INSTALL_HINT, ToolMissingError.exit_code)
        return
    try:
        result.pdfs += convert_to_pdf(docx, pdf_dir)
    except PdfError as err:
        result.problem(f"PDF 没有生成：{err}", err.exit_code)
        return
    for o in todo:
        rec = manifest.records.get(o.file.name)
        if rec is not None and o.docx is not None:
            rec["pdf"] = os.path.relpath(pdf_dir / f"{o.docx.stem}.pdf", year_dir.parent)
    for reports, info in written:
        # The PDF is the referee: if LibreOffice paginated differently from the page
        # model, the 目录's printed numbers are corrected from the PDF itself.
        try:
            checked = referee_volume(reports, info, pdf_dir / f"{info.path.stem}.pdf")
        except PdfError as err:
            result.problem(f"汇编目录页码未核对：{err}", err.exit_code)
            continue
        for c in checked.corrections:
            say(f"  目录页码已按 PDF 更正：{c}")


def _summary(result: BuildResult, say: Callable[[str], None]) -> None:
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
