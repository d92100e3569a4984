"""``kit build``: every parameter file of a folder through the report notebook.

Stages, one module each: the files are checked here (a file that fails never reaches
papermill), :mod:`kit.execute` runs papermill and writes the review page in worker
processes, each keeping one kernel alive (:mod:`kit.engines`), and this module writes
the review index, the 汇编 and the summary.  Outputs::

    build/<年度>/notebooks/   executed notebooks (papermill output, error marker on failure)
    build/<年度>/review/      one page per official, without code; index.html
    build/<年度>/docx/        the reports
    build/<年度>/<年度>年度述职报告汇编.docx
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kit.errors import (
    KitError,
    NotApprovedError,
    OutputError,
    ParamsError,
    Problem,
    ToolMissingError,
    display_path,
)
from kit.execute import Outcome, Task, run_task
from kit.iorw import atomic_write_text
from kit.layout import BUILD, PARAMS, YearFolder, year_folder
from kit.params import Official, find_params, load, read_entries
from kit.review import render_page
from kit.templates import load_roles, templates_dir

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

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.ok]

    @property
    def ok(self) -> bool:
        return not self.failed and not self.problems

    @property
    def exit_code(self) -> int:
        """0, 1 when an official failed, else the first 汇编/PDF problem's code (5: no
        LibreOffice, 7: it failed or timed out, 4: a file could not be written)."""
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
          quiet: bool = False, final: bool = False,
          compare: str | Path | None = None) -> BuildResult:
    """Build every official of ``params_dir`` into ``out_dir/<年度>/``; prints a summary
    in Chinese.  One official's failure never stops the others (see ``result.ok``).
    ``final``: refuse (NotApprovedError) unless every official is 已通过 (kit.approval);
    ``compare``: last year's parameter folder for the 提示 (kit.approval.flags)."""
    say: Callable[[str], None] = (lambda _: None) if quiet else print
    files = find_params(params_dir)
    if not files:
        raise ParamsError(Problem("文件夹里没有参数文件（.yaml）", file=display_path(params_dir)))
    if workers is not None and workers < 1:
        raise KitError(Problem("--workers 至少为 1", found=str(workers)))
    tdir = templates_dir(templates).resolve()
    load_roles(tdir)  # a broken template stops the batch here, with its own message
    out_root = Path(out_dir).resolve()
    if final:
        from kit.approval.status import require_approved
        require_approved(params_dir)

    outcomes, tasks = _check(files, tdir, out_root, timeout, compare)
    _run(tasks, outcomes, workers or os.cpu_count() or 1, recycle_after, quiet)

    result = BuildResult(outcomes=list(outcomes.values()))
    for year, group in _by_year(result.outcomes).items():
        parts = year_folder(out_root, year)
        result.year_dirs.append(parts.path)
        volume = _volume(parts, group, result, final)
        if pdf:
            _pdf(parts, group, result, volume, say)
        _write_index(parts, group, result, params_dir)
    _summary(result, say)
    return result


def _check(files: list[Path], tdir: Path, out_root: Path, timeout: float,
           compare: str | Path | None = None
           ) -> tuple[dict[Path, Outcome], list[tuple[Task, Outcome]]]:
    """Check every file in this process; only good ones become tasks."""
    outcomes: dict[Path, Outcome] = {}
    tasks: list[tuple[Task, Outcome]] = []
    checked: dict[Path, Official | ParamsError] = {}
    for path in files:
        try:
            checked[path] = load(path, templates=tdir)
        except ParamsError as err:
            checked[path] = err
    from kit.approval.flags import for_batch

    checks = for_batch(checked, out_root, compare)  # 提示: year-over-year, across officials
    years = Counter(o.year for o in checked.values() if isinstance(o, Official))
    usual_year = years.most_common(1)[0][0] if years else 0
    stems = Counter(p.stem for p in files)
    for path, got in checked.items():
        stem = path.stem if stems[path.stem] == 1 else path.name
        if isinstance(got, ParamsError):
            year = _year_of(path) or usual_year
            o = Outcome(file=path, year=year, stage="检查", reason=str(got))
            o.review = year_folder(out_root, year).review / f"{stem}.html"
            outcomes[path] = o
            continue
        o = Outcome(file=path, name=got.name, role=got.role, unit=got.unit, year=got.year,
                    warnings=list(got.warnings), flags=checks[path].flags)
        parts = year_folder(out_root, got.year)
        title = f"{got.name}（{got.unit} {got.role}）"
        tasks.append((Task(params_file=path.resolve(),
                           notebook=parts.notebooks / f"{stem}.ipynb",
                           review=parts.review / f"{stem}.html",
                           out_root=out_root, templates=tdir, timeout=timeout, title=title,
                           compare=checks[path].as_dict()), o))
        outcomes[path] = o
    for o in outcomes.values():  # a page for files that never ran, so every link works
        if o.stage == "检查" and o.review is not None:
            atomic_write_text(o.review, render_page(
                "failed_check.html.j2", file=display_path(o.file), reason=o.reason))
    return outcomes, tasks


def _year_of(path: Path) -> int:
    """The 年度 a broken file was meant for, when it can still be read."""
    try:
        entry = read_entries(path).get("年度")
    except ParamsError:  # the file is broken; its reason is reported elsewhere
        return 0
    text = str(entry.value).strip() if entry else ""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 4 else 0  # not 「²⁰²³」


def _run(tasks: list[tuple[Task, Outcome]], outcomes: dict[Path, Outcome], workers: int,
         recycle_after: int, quiet: bool) -> None:
    from tqdm import tqdm

    if not tasks:
        return
    workers = min(workers, len(tasks))
    bar = tqdm(total=len(tasks), desc="生成报告", unit="份", disable=quiet, file=sys.stderr,
               dynamic_ncols=True)
    # spawn: workers must not inherit this process's threads; required for recycling.
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                             max_tasks_per_child=recycle_after,
                             initializer=_init_worker) as pool:
        futures: dict[Future[Outcome], tuple[Task, Outcome]] = {
            pool.submit(run_task, task, outcome): (task, outcome) for task, outcome in tasks}
        try:
            _collect(futures, outcomes, bar)
        except KeyboardInterrupt:  # stop at once: no queued official starts any more
            pool.shutdown(wait=False, cancel_futures=True)
            raise
    bar.close()


def _collect(futures: dict[Future[Outcome], tuple[Task, Outcome]],
             outcomes: dict[Path, Outcome], bar: Any) -> None:
    for future in as_completed(futures):
        task, done = futures[future]
        try:
            done = future.result()  # the worker's filled-in copy
        except BrokenProcessPool:
            done.stage, done.reason = "执行", "处理进程意外退出（可能是内存不足），请重试"
        except Exception as err:  # a bug of ours: report it on this official, go on
            done.stage, done.reason = "执行", f"程序运行出错（{type(err).__name__}: {err}）"
        outcomes[done.file] = done
        bar.set_postfix_str(("✓ " if done.ok else "✗ ") + task.title, refresh=False)
        if not done.ok:
            bar.write(f"✗ {display_path(done.file)}：{done.reason.splitlines()[0]}")
        bar.update(1)


def _init_worker() -> None:
    """Runs in each worker process: its kernel is killed when the worker exits."""
    import logging

    # jsonschema (under nbformat) imports rfc3987_syntax when installed, which compiles a
    # Lark grammar at import: 1.8 s per process, for IRI formats no notebook schema uses
    # (python-jsonschema/jsonschema#1392).
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
    from multiprocessing.util import Finalize

    from kit.engines import worker_kernel

    logging.getLogger("papermill").setLevel(logging.ERROR)
    logging.getLogger("traitlets").setLevel(logging.ERROR)
    logging.getLogger("kit.engines").setLevel(logging.CRITICAL)  # outcomes say what failed
    Finalize(worker_kernel(), worker_kernel().stop, exitpriority=10)


def _by_year(outcomes: list[Outcome]) -> dict[int, list[Outcome]]:
    out: dict[int, list[Outcome]] = {}
    for o in outcomes:
        out.setdefault(o.year, []).append(o)
    return dict(sorted(out.items()))


def _write_index(parts: YearFolder, outcomes: list[Outcome], result: BuildResult,
                 params_dir: str | Path) -> None:
    from kit.approval.status import statuses
    from kit.review.index import write_index

    books = [v for v in result.volumes if v.parent == parts.path]
    books += [p for v in books if (p := parts.pdf / f"{v.stem}.pdf") in result.pdfs]
    reviewed = {s.path.resolve(): s for s in statuses(params_dir)}
    write_index(parts.index, parts.year, outcomes, books, reviewed)


def _volume(parts: YearFolder, outcomes: list[Outcome], result: BuildResult,
            final: bool = False) -> tuple[list[Report], VolumeInfo] | None:
    """The 汇编 of the year, from the reports the executed notebooks rendered.

    The reports are read back from the executed notebooks (``Outcome.report``), not
    rendered again."""
    from kit.notebook import report_from_dict
    from kit.word.volume import write_volume

    reports = [report_from_dict(o.report) for o in outcomes if o.ok and o.report]
    if final and len(reports) < len(outcomes):  # a final set lacks nobody
        result.problem(f"定稿汇编没有生成：{len(outcomes) - len(reports)} 人的报告未生成",
                       NotApprovedError.exit_code)
        return None
    if not reports:
        return None
    try:
        info = write_volume(reports, parts.volume, parts.year, draft=not final)  # 「征求意见稿」
    except (KitError, OSError) as err:
        result.problem(f"汇编没有生成：{err}", getattr(err, "exit_code", OutputError.exit_code))
        return None
    result.volumes.append(info.path)
    return reports, info


def _pdf(parts: YearFolder, outcomes: list[Outcome], result: BuildResult,
         volume: tuple[list[Report], VolumeInfo] | None, say: Callable[[str], None]) -> None:
    from kit.word.pdf import INSTALL_HINT, PdfError, convert_to_pdf, pdf_available
    from kit.word.referee import referee_volume

    docx = [o.docx for o in outcomes if o.ok and o.docx] + ([volume[1].path] if volume else [])
    if not docx:
        return
    if not pdf_available():
        result.problem(INSTALL_HINT, ToolMissingError.exit_code)
        return
    try:
        result.pdfs += convert_to_pdf(docx, parts.pdf)
    except PdfError as err:
        result.problem(f"PDF 没有生成：{err}", err.exit_code)
        return
    if volume:
        # The PDF is the referee: if LibreOffice paginated differently from the page
        # model, the 目录's printed numbers are corrected from the PDF itself.
        reports, info = volume
        try:
            checked = referee_volume(reports, info, parts.pdf / f"{info.path.stem}.pdf")
        except PdfError as err:
            result.problem(f"汇编目录页码未核对：{err}", err.exit_code)
            return
        for c in checked.corrections:
            say(f"  目录页码已按 PDF 更正：{c}")


def _summary(result: BuildResult, say: Callable[[str], None]) -> None:
    ok, failed = len(result.outcomes) - len(result.failed), len(result.failed)
    say(f"\n共 {len(result.outcomes)} 份：{ok} 成功，{failed} 失败。")
    for o in result.failed:
        say(f"  ✗ {display_path(o.file)}")
        for line in o.reason.splitlines():
            say(f"      {line}")
    for p in result.problems:
        say(f"  ✗ {p}")
    if flagged := sum(bool(o.flags) for o in result.outcomes):  # kit.approval.flags
        say(f"审阅提示：{flagged} 份有提示（与上年相比变化大、照抄等），请在审阅目录里核对。")
    for d in result.year_dirs:
        parts = YearFolder(d, int(d.name))
        say(f"审阅目录：{display_path(parts.index)}")
        say(f"Word 文件：{display_path(parts.docx)}")
    for v in result.volumes:
        say(f"汇编：{display_path(v)}")
    for folder in sorted({p.parent for p in result.pdfs}):
        say(f"PDF：{display_path(folder)}")
