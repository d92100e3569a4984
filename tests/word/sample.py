"""Reports parsed from the sample compilation (the project's one copy: tests/fixtures/seed.txt).

Stand-in for kit.render until templates land: title lines 「2023年度述职报告（…）」,
「一、」 lines are headings; a heading line with text after its first 。 is run-in.
"""

from __future__ import annotations

import re

from kit.model import Block, Report
from tests.conftest import SEED

_TITLE = re.compile(r"^\d{4}年度述职报告（(.+)）$")
_H1 = re.compile(r"^[一二三四五六七八九十]+、")
_H2 = re.compile(r"^（[一二三四五六七八九十]+）")


def parse_report_text(title: str, body_lines: list[str], rank: int = 100) -> Report:
    blocks = []
    for line in body_lines:
        kind = "heading1" if _H1.match(line) else "heading2" if _H2.match(line) else "paragraph"
        if kind == "paragraph":
            blocks.append(Block("paragraph", "", line))
            continue
        cut = line.find("。")
        if 0 <= cut < len(line) - 1:  # run-in: heading ends at its first 。
            blocks.append(Block(kind, line[: cut + 1], line[cut + 1 :]))
        else:
            blocks.append(Block(kind, line, ""))
    role = _TITLE.match(title).group(1)
    return Report(title=title, byline="", blocks=tuple(blocks), role=role, year=2023, rank=rank)


def sample_reports() -> list[Report]:
    """The two reports of the sample 汇编, in its order."""
    text = SEED.read_text(encoding="utf-8")
    # the web page's markers around its paid part are not the report's text
    lines = text.replace("##paidbegin##", "").replace("##paidend##", "").splitlines()
    reports: list[Report] = []
    title, body = None, []
    start = next(i for i, ln in enumerate(lines) if _TITLE.match(ln.strip()) and i > 5)
    for raw in lines[start:]:
        line = raw.strip().lstrip("\u3000")
        if not line:
            continue
        if _TITLE.match(line):
            if title:
                reports.append(parse_report_text(title, body, rank=len(reports)))
            title, body = line, []
        else:
            body.append(line)
    reports.append(parse_report_text(title, body, rank=len(reports)))
    return reports
