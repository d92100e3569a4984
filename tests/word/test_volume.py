"""The 汇编 .docx: order, unique titles, TOC field with cached page numbers, draft mark.
(Its speed is measured in bench/bench_volume.py, not asserted here.)"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import docx
import pytest
from docx.oxml.ns import qn

from kit.report.model import Block, Report
from kit.word.volume import sort_reports, unique_titles, write_volume


def _rep(title="2023年度述职报告（镇长）", **kw) -> Report:
    return Report(title=title, byline="", blocks=(Block("paragraph", "", "正文。"),), **kw)


def test_sort_order_then_rank_then_name():
    a = _rep(name="乙", rank=2)
    b = _rep(name="甲", rank=2)
    c = _rep(name="丙", rank=1)
    d = _rep(name="丁", rank=9, order=2)
    e = _rep(name="戊", rank=9, order=1)
    # names compare by code point: 乙 (U+4E59) before 甲 (U+7532)
    assert sort_reports([a, b, c, d, e]) == [e, d, c, a, b]


def test_unique_titles():
    reps = [
        _rep(name="李明", unit="东山镇"),
        _rep(name="王芳", unit="东山镇"),
        _rep("2023年度述职报告（镇委书记）", name="张伟"),
        _rep(name="李明", unit="西山镇"),
    ]
    got = unique_titles(reps)
    assert got[2] == "2023年度述职报告（镇委书记）"
    assert got[1] == "2023年度述职报告（镇长·王芳）"
    assert got[0] == "2023年度述职报告（镇长·李明·东山镇）"
    assert got[3] == "2023年度述职报告（镇长·李明·西山镇）"
    same = unique_titles([_rep(), _rep()])
    assert len(set(same)) == 2


def test_sample_volume_toc(sample, tmp_path):
    info = write_volume(sample, tmp_path / "汇编.docx", 2023)
    assert [(e.text, e.page) for e in info.entries] == [
        ("1.2023年度述职报告（镇党建办主任）", 2),
        ("2.2023年度述职报告（镇委书记）", 7),
    ]
    assert info.toc_pages == 1 and info.total_pages == 12
    doc = docx.Document(str(info.path))
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "2023年度述职报告汇编\n（2篇）"  # one title paragraph, two lines
    assert doc.paragraphs[0].style.name == "Title"
    toc = [p for p in doc.paragraphs if p.style.name == "toc 1"]
    assert [p.text for p in toc] == [
        "1.2023年度述职报告（镇党建办主任）\t2",
        "2.2023年度述职报告（镇委书记）\t7",
    ]
    body = doc.element.body
    instr = [t.text.strip() for t in body.iter(qn("w:instrText"))]
    assert instr[0] == 'TOC \\o "1-1" \\h \\z \\u'
    anchors = [h.get(qn("w:anchor")) for h in body.iter(qn("w:hyperlink"))]
    assert instr[1:] == [f"PAGEREF {a} \\h" for a in anchors]
    marks = {b.get(qn("w:name")) for b in body.iter(qn("w:bookmarkStart"))}
    assert set(anchors) <= marks
    # each report title is a TOC (outline level 1) paragraph starting a new page
    titles = [p for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert [p.text for p in titles] == [e.title for e in info.entries]
    assert all(p._p.pPr.find(qn("w:pageBreakBefore")) is not None for p in titles)
    assert doc.settings.element.find(qn("w:updateFields")).get(qn("w:val")) == "true"


def test_all_text_in_volume(synthetic36, tmp_path):
    info = write_volume(synthetic36, tmp_path / "v.docx", 2023)
    doc = docx.Document(str(info.path))
    got = "".join(p.text for p in doc.paragraphs)
    for rep in sort_reports(synthetic36):
        for b in rep.blocks:
            assert b.full in got


def test_duplicate_titles_get_distinct_entries(tmp_path):
    reps = [dataclasses.replace(_rep(), name=n) for n in ("李明", "王芳", "李明")]
    info = write_volume(reps, tmp_path / "d.docx", 2023)
    assert len({e.title for e in info.entries}) == 3


def test_pages_override(sample, tmp_path):
    info = write_volume(sample, tmp_path / "p.docx", 2023, pages=[3, 9])
    assert [e.page for e in info.entries] == [3, 9] and info.toc_pages == 2
    toc = [p.text for p in docx.Document(str(info.path)).paragraphs if p.style.name == "toc 1"]
    assert [t.rsplit("\t", 1)[1] for t in toc] == ["3", "9"]
    with pytest.raises(ValueError, match="pages: 1 numbers for 2 reports"):
        write_volume(sample, tmp_path / "q.docx", 2023, pages=[2])


def test_draft_marks_cover_and_every_header_without_moving_pages(sample, tmp_path):
    final = write_volume(sample, tmp_path / "final.docx", 2023)
    draft = write_volume(sample, tmp_path / "draft.docx", 2023, draft=True)
    assert draft.draft and not final.draft
    assert [e.page for e in draft.entries] == [e.page for e in final.entries]
    assert (draft.toc_pages, draft.total_pages) == (final.toc_pages, final.total_pages)
    doc = docx.Document(str(draft.path))
    cover = [p.text for p in doc.paragraphs[:3]]
    assert cover[1] == "（征求意见稿）" and doc.paragraphs[1].style.name == "征求意见稿标记"
    sec = doc.sections[0]
    for header in (sec.header, sec.even_page_header):
        assert not header.is_linked_to_previous
        assert [p.text for p in header.paragraphs] == ["征求意见稿"]
    plain = docx.Document(str(final.path))
    assert plain.paragraphs[1].text == "" and "征求意见稿" not in "".join(
        p.text for p in plain.paragraphs
    )
    assert plain.sections[0].header.is_linked_to_previous  # no header part at all


def test_document_properties_describe_the_volume(tmp_path):
    reps = [_rep(name="李明", unit="东山镇"), _rep(name="王芳", unit="东山镇")]
    when = datetime(2024, 1, 5, 8, 30, tzinfo=UTC)
    info = write_volume(reps, tmp_path / "v.docx", 2023, when=when)
    core = docx.Document(str(info.path)).core_properties
    assert core.title == "2023年度述职报告汇编（2篇）"
    assert core.author == "东山镇" and "2 篇" in core.subject
    assert core.created == core.modified == when
    assert "述职报告 kit" in core.last_modified_by


def test_a_heading_ending_a_report_does_not_pull_the_next_title(tmp_path):
    # 2 + 1 + 17 + 1 grid lines: one page, though it ends with a heading alone, which is
    # kept with what follows — but what follows starts a new page anyway.
    body = tuple(Block("paragraph", "", f"第{i}段，一行即止。") for i in range(17))
    ends_with_heading = Report(
        "2023年度述职报告（镇长）", "", (*body, Block("heading1", "一、下一步打算", "")), order=1
    )
    nxt = dataclasses.replace(_rep(), order=2)
    info = write_volume([ends_with_heading, nxt], tmp_path / "h.docx", 2023)
    assert [e.page for e in info.entries] == [2, 3] and info.total_pages == 3
