"""The 汇编 .docx: order, unique titles, TOC field with cached page numbers, speed."""

from __future__ import annotations

import dataclasses
import time

import docx
import pytest
from docx.oxml.ns import qn

from kit.model import Block, Report
from kit.word import layout
from kit.word.volume import sort_reports, unique_titles, write_volume

from .synth import synthetic_reports


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
    assert texts[0] == "2023年度述职报告汇编（2篇）" or texts[0].startswith("2023年度述职报告汇编")
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
    titles = [p for p in doc.paragraphs if p.style.name == "公文标题"]
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
    # start pages agree with the model report by report
    ordered = sort_reports(synthetic36)
    titles = unique_titles(ordered)
    starts = layout.start_pages(ordered, titles, first_page=info.toc_pages + 1)
    assert [e.page for e in info.entries] == starts


def test_duplicate_titles_get_distinct_entries(tmp_path):
    reps = [dataclasses.replace(_rep(), name=n) for n in ("李明", "王芳", "李明")]
    info = write_volume(reps, tmp_path / "d.docx", 2023)
    assert len({e.title for e in info.entries}) == 3


def test_linear_time(tmp_path):
    # 4x the reports must not take ~16x the time (add_paragraph would be quadratic)
    small, big = synthetic_reports(50, seed=1), synthetic_reports(200, seed=1)
    t0 = time.perf_counter()
    write_volume(small, tmp_path / "s.docx", 2023)
    t1 = time.perf_counter()
    write_volume(big, tmp_path / "b.docx", 2023)
    t2 = time.perf_counter()
    assert (t2 - t1) < 8 * (t1 - t0) + 0.5


@pytest.mark.slow
def test_thousand_reports_within_budget(tmp_path):
    reps = synthetic_reports(1000, seed=7)
    t0 = time.perf_counter()
    info = write_volume(reps, tmp_path / "k.docx", 2023)
    assert time.perf_counter() - t0 < 10
    assert len(info.entries) == 1000


def test_pages_override(sample, tmp_path):
    info = write_volume(sample, tmp_path / "p.docx", 2023, pages=[3, 9])
    assert [e.page for e in info.entries] == [3, 9] and info.toc_pages == 2
    toc = [p.text for p in docx.Document(str(info.path)).paragraphs if p.style.name == "toc 1"]
    assert [t.rsplit("\t", 1)[1] for t in toc] == ["3", "9"]
    with pytest.raises(ValueError):
        write_volume(sample, tmp_path / "q.docx", 2023, pages=[2])
