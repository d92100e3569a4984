"""The 汇编 of a build: one per year, or one per group (``--by 所属县``/``单位``) with a
list of them, each written again only when a report in it or the set of reports
changed; and the PDFs (``--pdf``), the 汇编's 目录 checked against its own PDF."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kit.build.execute import Outcome
from kit.build.manifest import Manifest, digest, record_id
from kit.errors import KitError, OutputError, ToolMissingError, display_path, os_reason
from kit.iorw import atomic_write_text
from kit.project import YearFolder
from kit.report.collation import ENV as ORDER_ENV

if TYPE_CHECKING:
    from kit.build.batch import BuildResult
    from kit.report.model import Report
    from kit.word.volume import VolumeInfo


def groups(outcomes: list[Outcome], by: str | None) -> dict[str, list[Outcome]]:
    """The good officials of a year by 所属县 or 单位 (one group when ``by`` is None)."""
    out: dict[str, list[Outcome]] = {}
    for o in outcomes:
        if o.ok:
            out.setdefault({"所属县": o.county, "单位": o.unit}.get(by or "", ""), []).append(o)
    return dict(sorted(out.items()))


def warm_up_volumes() -> None:
    """Load the name order's tables (the stroke counts of every CJK character) and the
    Word writer ahead of the 汇编, in a thread while the workers run (their processes
    do the work: this one waits), so the 汇编 starts at once (~0.2 s CPU,
    bench/bench_warm_up.py).  A failure here is reported where the 汇编 needs them."""
    from kit.report.collation import name_key

    try:
        name_key("王")
        import kit.word.volume  # noqa: F401
    except Exception:  # said again, with its message, where the 汇编 needs it
        return


def write_volume_list(parts: YearFolder, by: str, outcomes: list[Outcome],
                       result: BuildResult) -> None:
    """「<年度>年度述职报告汇编清单.txt」: each group's 汇编 and how many reports it holds."""
    lines = [f"{parts.volume.stem}清单（按{by}分册）", ""]
    books = groups(outcomes, by)
    paths = parts.group_volumes(books)
    for name, members in books.items():
        book = paths[name].name
        lines.append(f"{name or '（未填）'}\t{len(members)} 份\t{book}")
    path = atomic_write_text(parts.volume_list, "\n".join(lines) + "\n", root=parts.path.parent)
    result.volume_lists.append(path)


def prune(parts: YearFolder, keep: set[Path], manifest: Manifest, by: str | None) -> None:
    """Remove this year's 汇编 (and their PDFs) that an earlier build wrote and this one no
    longer makes — a group that is gone, or the other way of binding after ``--by``
    changed — so the folder never holds an out-of-date 汇编 beside the current ones.
    Only files the manifest says the kit wrote are touched."""
    for book in list(manifest.volumes):
        path = parts.path.parent / book
        if path.parent != parts.path or path in keep:
            continue
        for old in (path, parts.pdf_of(path)):
            old.unlink(missing_ok=True)
        del manifest.volumes[book]
    if not by:
        parts.volume_list.unlink(missing_ok=True)


def volume(path: Path, year: int, outcomes: list[Outcome], result: BuildResult,
            manifest: Manifest, keys: dict[Path, str], final: bool = False
            ) -> tuple[list[Report], VolumeInfo] | None:
    """A 汇编 (of the year, or of one group), from the reports the notebooks rendered; written
    again only when a report in it or the set of reports changed.  Returns the reports
    and the volume when it was written now.

    The reports are read back from the executed notebooks (``Outcome.report``, or the
    notebook of a reused official), not rendered again."""
    good = [o for o in outcomes if o.ok]
    if not good:
        return None
    key = digest(f"final={final}", f"order={os.environ.get(ORDER_ENV, '')}",
                 *sorted(f"{o.file.name}\0{keys.get(o.file, '')}" for o in good))
    book = os.path.relpath(path, path.parent.parent)
    if manifest.volumes.get(book) == key and path.is_file():
        result.volumes.append(path)
        return None
    manifest.volumes.pop(book, None)
    # Its PDF shows the 汇编 being replaced: gone now, made again by --pdf, never left
    # looking current beside a newer 汇编.
    YearFolder(path.parent, year).pdf_of(path).unlink(missing_ok=True)
    from kit.build.notebook import report_from_dict  # only now: kit.word loads slowly
    from kit.word.volume import write_volume

    try:
        reports = [report_from_dict(_report_of(o)) for o in good]
        info = write_volume(reports, path, year, draft=not final)  # 「征求意见稿」
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
    if (kept := o.report) is not None:  # one decompression, not one to test and one to use
        return kept
    import json

    from kit.build.notebook import kit_outputs

    assert o.notebook is not None
    # Our own notebook, read as plain JSON: neither nbformat's schema validation nor
    # importing nbformat (with jsonschema: up to 2 s) in the batch's own process.  A
    # damaged one raises ValueError, said as the 汇编's problem.
    nb = json.loads(o.notebook.read_bytes())
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise ValueError(f"{display_path(o.notebook)} 不是完整的笔记本")
    report = kit_outputs(nb).get("report")
    if report is None:
        raise ValueError(f"{display_path(o.notebook)} 里没有报告")
    return dict(report)


def pdfs(parts: YearFolder, outcomes: list[Outcome], result: BuildResult,
         written: list[tuple[list[Report], VolumeInfo]], say: Callable[[str], None],
         manifest: Manifest) -> None:
    from kit.word.pdf import INSTALL_HINT, PdfError, convert_to_pdf, pdf_available
    from kit.word.referee import referee_volume

    pdf_dir, year_dir = parts.pdf, parts.path
    todo = [o for o in outcomes if o.ok and o.docx
            and not parts.pdf_of(o.docx).is_file() or o.stage == "执行"]
    todo = [o for o in todo if o.ok and o.docx]
    books = [v for v in result.volumes if v.parent == year_dir]
    now = {info.path for _, info in written}
    stale_books = [v for v in books if v in now or not parts.pdf_of(v).is_file()]
    done_pdfs = [parts.pdf_of(o.docx) for o in outcomes if o.ok and o.docx and o not in todo]
    result.pdfs += done_pdfs + [parts.pdf_of(v) for v in books if v not in stale_books]
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
        rec = manifest.records.get(record_id(o.file))
        if rec is not None and o.docx is not None:
            rec["pdf"] = os.path.relpath(parts.pdf_of(o.docx), year_dir.parent)
    for reports, info in written:
        # The PDF is the referee: if LibreOffice paginated differently from the page
        # model, the 目录's printed numbers are corrected from the PDF itself.
        try:
            checked = referee_volume(reports, info, parts.pdf_of(info.path))
        except PdfError as err:
            result.problem(f"汇编目录页码未核对：{err}", err.exit_code)
            continue
        for c in checked.corrections:
            say(f"  目录页码已按 PDF 更正：{c}")
