"""Read LibreOffice's PDF back: pages of text lines with their grid row (poppler-utils)."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

TOP_PT = 2098 / 20  # text block top (37 mm)
PITCH_PT = 579 / 20
TEXT_BOTTOM_PT = TOP_PT + 22 * PITCH_PT + 1
HEADER_BOTTOM_PT = TOP_PT - 14  # the header (15 mm from the top) ends well above the block


@dataclass
class Line:
    row: int  # grid row on its page, 0..21; footer lines get row >= 22
    y: float
    x: float
    text: str


def page_count(pdf: Path) -> int:
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    return int(re.search(r"^Pages:\s+(\d+)", out.stdout, re.M).group(1))


def pdf_pages(pdf: Path) -> list[list[Line]]:
    """Every page's lines, top to bottom, from ``pdftotext -bbox-layout``."""
    xml = subprocess.run(
        ["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, check=True
    ).stdout
    root = etree.fromstring(xml, etree.XMLParser(recover=True, huge_tree=True))
    ns = {"h": "http://www.w3.org/1999/xhtml"}
    pages = []
    for page in root.iterfind(".//h:page", ns):
        lines = []
        for ln in page.iterfind(".//h:line", ns):
            words = [w.text or "" for w in ln.iterfind("h:word", ns)]
            y0, y1 = float(ln.get("yMin")), float(ln.get("yMax"))
            mid = (y0 + y1) / 2
            row = int((mid - TOP_PT) // PITCH_PT)
            lines.append(Line(row, y0, float(ln.get("xMin")), "".join(words)))
        lines.sort(key=lambda ln_: (ln_.y, ln_.x))
        pages.append(lines)
    return pages


def body_lines(page: list[Line]) -> list[Line]:
    return [ln for ln in page if HEADER_BOTTOM_PT <= ln.y < TEXT_BOTTOM_PT]


def header_lines(page: list[Line]) -> list[Line]:
    return [ln for ln in page if ln.y < HEADER_BOTTOM_PT]


def footer_lines(page: list[Line]) -> list[Line]:
    return [ln for ln in page if ln.y >= TEXT_BOTTOM_PT]


def footer_text(page: list[Line]) -> str:
    return " ".join(ln.text for ln in footer_lines(page))

