"""One official's 述职报告 as a .docx: the same paragraph plan and writer as the 汇编
(:mod:`kit.word.volume`), so a report looks the same alone and bound, and with the
document properties (title, author, unit) that Word and file managers show."""

from __future__ import annotations

import dataclasses
import os
from datetime import datetime
from pathlib import Path

from kit.iorw import atomic_write_bytes
from kit.report.model import Report
from kit.word.paragraphs import report_plan
from kit.word.writer import Properties, docx_bytes


def report_properties(report: Report, when: datetime | None = None) -> Properties:
    """Title, author (the official, else the unit) and subject of one report."""
    who = "".join(x for x in (report.unit, report.role, report.name) if x)
    props = Properties(
        title=report.title,
        author=report.name or report.unit,
        subject=f"{who}述职报告" if who else "述职报告",
        company=report.unit,
    )
    return dataclasses.replace(props, when=when) if when else props


def write_report(
    report: Report,
    path: str | os.PathLike[str],
    *,
    draft: bool = False,
    when: datetime | None = None,
) -> Path:
    """Write one official's report to ``path`` (.docx, written atomically).  ``draft``
    marks every page 「征求意见稿」 in the header; ``when`` is the time recorded as
    created/modified (default: now)."""
    data = docx_bytes(report_plan(report), report_properties(report, when), draft=draft)
    return atomic_write_bytes(path, data)
