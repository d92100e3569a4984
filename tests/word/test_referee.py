"""The page model against LibreOffice on titles near the line end (the 1,000-report drift),
and the referee pass that rewrites the 目录 from the PDF.

Slow: two soffice runs (~15 s); skipped only when LibreOffice is absent.
"""

from __future__ import annotations

import re

import docx
import pytest

from kit.report.model import Block, Report
from kit.word import pages as page_model
from kit.word.pdf import convert_to_pdf
from kit.word.referee import Correction, referee_volume, start_pages_in_pdf
from kit.word.volume import write_volume

from .conftest import needs_soffice
from .pdftools import body_lines, page_count, pdf_pages

pytestmark = [pytest.mark.slow, needs_soffice]

WS = re.compile(r"\s+")
# Titles whose 22 pt line ends within a few points of the text block's edge.
TITLES = [
    # The drift of the 1,000-report volume: in the bold title face this wraps, and
    # 「·11）」 goes down whole; the report below then needs one page more.
    "2023年度述职报告（镇财政所所长·杨帆·11）",
    "2023年度述职报告（镇长）",
    "2023年度述职报告（镇财政所所长·李明·1）",
    "2023年度述职报告（镇纪委书记·张伟·101）",
    "2023年度述职报告（镇纪委书记·李明·东山镇）",
    "2023年度mm述职报告（镇长办公室主任）",
    "2023年度ABC述职报告（镇财政所所长·2）",
    "2023年度xyz述职报告（镇财政所所长·12）",
    "2023年度CPU述职报告（镇财政所所长·2）",
    "2023年度GDP述职报告（镇农业站站长·2）",
    "2023年度ABC述职报告（镇长办公室主任）",
    "2023年度GDP专项述职报告（镇财政所长）",
    "2023年度述职报告——镇财政所所长杨帆述职",
    "2023年度述职报告（镇财政所所长·Li Ming）",
    "2023年度述职报告（镇长·Li Ming Wang）",
]


def _report(i: int, title: str) -> Report:
    # 18 one-line paragraphs: with a one-line title (3 grid lines) the page holds 21 lines,
    # with a two-line title 23 — the report then takes two pages.
    lines = 18 if i == 0 else 1
    blocks = tuple(Block("paragraph", "", f"第{k + 1}段正文，一行即止。") for k in range(lines))
    return Report(title=title, byline="", blocks=blocks, role="镇长", name=f"甲{i}", order=i)


@pytest.fixture(scope="module")
def converted(sample, tmp_path_factory):
    out = tmp_path_factory.mktemp("referee")
    edge = [_report(i, t) for i, t in enumerate(TITLES)]
    edge_info = write_volume(edge, out / "edge.docx", 2023)
    # the sample volume with a wrong cached number for its second report (7 is right)
    wrong_info = write_volume(sample, out / "wrong.docx", 2023, pages=[2, 6])
    edge_pdf, wrong_pdf = convert_to_pdf([edge_info.path, wrong_info.path])  # one soffice run
    return {"edge": (edge, edge_info, edge_pdf), "wrong": (sample, wrong_info, wrong_pdf)}


def test_titles_break_and_pages_as_in_pdf(converted):
    reports, info, pdf = converted["edge"]
    assert page_model.pages_of(reports[0]) == 2
    assert [e.page for e in info.entries][:2] == [2, 4]
    assert start_pages_in_pdf(pdf, [e.title for e in info.entries]) == [
        e.page for e in info.entries
    ]
    assert page_count(pdf) == info.total_pages
    pages = pdf_pages(pdf)
    for e in info.entries:
        want = page_model.break_title(e.title)
        got = [WS.sub("", ln.text) for ln in body_lines(pages[e.page - 1])[: len(want)]]
        assert got == [WS.sub("", w) for w in want], e.title
        follows = body_lines(pages[e.page - 1])[len(want)]
        assert follows.row == 2 * len(want) + 1  # blank line, then the body


def test_referee_leaves_a_right_volume_alone(converted):
    reports, info, pdf = converted["edge"]
    before = info.path.read_bytes()
    result = referee_volume(reports, info, pdf)
    assert result.corrections == () and result.conversions == 0
    assert info.path.read_bytes() == before


def test_referee_rewrites_wrong_numbers(converted):
    reports, info, pdf = converted["wrong"]
    assert [e.page for e in info.entries] == [2, 6]
    result = referee_volume(reports, info, pdf)
    second = info.entries[1].title
    assert result.corrections == (Correction(2, second, 6, 7),)
    assert str(result.corrections[0]) == f"第 2 篇「{second}」：目录页码 6 → 7"
    assert result.conversions == 1 and result.pdf == pdf
    assert [e.page for e in result.info.entries] == [2, 7]
    toc = [p.text for p in docx.Document(str(info.path)).paragraphs if p.style.name == "toc 1"]
    assert toc[1] == f"2.{second}\t7"
    # the new PDF prints the right number
    toc_lines = [WS.sub("", ln.text) for ln in body_lines(pdf_pages(pdf)[0])]
    assert any(re.fullmatch(re.escape(f"2.{second}") + r"\.{3,}7", t) for t in toc_lines)
