"""The flow for one official: parameter file → checked values → Report → .docx.

The batch, the notebook, the form and ``kit render`` all go through here, so they
name and write files the same way.
"""

from __future__ import annotations

from pathlib import Path

from kit.iorw import safe_filename
from kit.report.model import Report
from kit.report.params import Official, load
from kit.report.render import render


def report_of(official: Official, timeout: float | None = None) -> Report:
    return render(official.template, official.values, timeout=timeout)


def docx_name(report: Report) -> str:
    """「2023年度述职报告-东山镇-镇党建办主任-李明华.docx」: unique per official and safe
    on Windows."""
    return output_name(report.year, report.unit, report.role, report.name)


def output_name(year: int, unit: str, role: str, name: str) -> str:
    """The .docx name of an official (the batch checks no two officials share one)."""
    parts = [f"{year}年度述职报告", unit, role, name]
    return safe_filename("-".join(p for p in parts if p)) + ".docx"


def write_docx(report: Report, out_dir: str | Path) -> Path:
    from kit.word.report import write_report

    return write_report(report, Path(out_dir) / docx_name(report))


def render_file(params_file: str | Path, out_dir: str | Path,
                templates: str | Path | None = None, timeout: float | None = None) -> Path:
    """Check one parameter file and write its .docx into ``out_dir``; returns the path.
    The template runs within ``timeout`` seconds (default 60)."""
    return write_docx(report_of(load(params_file, templates=templates), timeout), out_dir)
