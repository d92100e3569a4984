"""The seed's two reports (tests/seed.py reads them) as :class:`Report` objects.

「一、」 paragraphs are headings, 「（一）」 ones subheadings; a heading paragraph with
text after its first 。 is a run-in heading (heading and text in one paragraph).
"""

from __future__ import annotations

import re

from kit.report.model import Block, Report
from tests.seed import seed_reports

_H1 = re.compile(r"^[一二三四五六七八九十]+、")
_H2 = re.compile(r"^（[一二三四五六七八九十]+）")


def parse_report_text(title: str, body_lines: list[str], role: str, rank: int = 100) -> Report:
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
    return Report(title=title, byline="", blocks=tuple(blocks), role=role, year=2023, rank=rank)


def sample_reports() -> list[Report]:
    """The two reports of the sample 汇编, in its order."""
    return [
        parse_report_text(paras[0], paras[1:], role, rank=i)
        for i, (role, paras) in enumerate(seed_reports().items())
    ]
