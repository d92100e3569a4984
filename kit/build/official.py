"""The flow for one official: parameter file → checked values → Report → .docx.

The batch's notebook, the form and ``kit render`` all go through here, so they check
and write reports the same way; where each goes is :mod:`kit.project`'s.
"""

from __future__ import annotations

from pathlib import Path

from kit.project import report_by_hand
from kit.report.model import Report
from kit.report.params import Official, load
from kit.report.render import render


def report_of(official: Official, timeout: float | None = None) -> Report:
    return render(official.template, official.values, timeout=timeout)


def write_docx(report: Report, path: Path) -> Path:
    from kit.word.report import write_report

    return write_report(report, path)


def write_by_hand(report: Report, out_root: str | Path) -> Path:
    """The report of ``kit render`` and the form: :func:`kit.project.report_by_hand`."""
    return write_docx(report, report_by_hand(out_root, report.year, report.unit,
                                             report.role, report.name))


def render_file(params_file: str | Path, out_dir: str | Path,
                templates: str | Path | None = None, timeout: float | None = None) -> Path:
    """Check one parameter file and write its .docx into ``out_dir``; returns the path.
    The template runs within ``timeout`` seconds (default 60)."""
    return write_by_hand(report_of(load(params_file, templates=templates), timeout), out_dir)
