"""The flow for one official: parameter file → checked values → Report → .docx.

The batch's notebook, the form and ``kit render`` all go through here, so they check
and write reports the same way; where each goes is :mod:`kit.project`'s.
"""

from __future__ import annotations

from pathlib import Path

from kit.errors import ExistsError, Problem, display_path
from kit.iorw import backup_generations
from kit.project import report_by_hand
from kit.report.model import Report
from kit.report.params import Official, load
from kit.report.render import render


def report_of(official: Official, timeout: float | None = None) -> Report:
    return render(official.template, official.values, timeout=timeout)


def write_docx(report: Report, path: Path) -> Path:
    from kit.word.report import write_report

    return write_report(report, path)


def write_by_hand(report: Report, out_root: str | Path, *, force: bool = False) -> Path:
    """The report of ``kit render`` and the form: :func:`kit.project.report_by_hand`.
    An existing file (perhaps edited in Word since) is replaced only with ``force``, and
    then kept as ``<name>.<时间>.bak``."""
    path = report_by_hand(out_root, report.year, report.unit, report.role, report.name)
    if path.exists() and not force:
        raise ExistsError(Problem("这份 Word 文件已经存在，没有覆盖（它可能已在 Word 里改过）",
                                  file=display_path(path),
                                  hint="确需重新生成请加 --force（旧文件会保留为 .bak）；"
                                       "或用 -o 换一个输出文件夹。"))
    backup_generations(path)
    return write_docx(report, path)


def render_file(params_file: str | Path, out_dir: str | Path,
                templates: str | Path | None = None, timeout: float | None = None, *,
                force: bool = False) -> Path:
    """Check one parameter file and write its .docx into ``out_dir``; returns the path.
    The template runs within ``timeout`` seconds (default 60); an existing .docx is
    replaced only with ``force`` (and kept as a backup)."""
    return write_by_hand(report_of(load(params_file, templates=templates), timeout), out_dir,
                         force=force)
