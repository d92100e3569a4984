"""Run-in headings: Word's style separator in the .docx, one paragraph for LibreOffice.

LibreOffice 7.4 sets the two paragraphs of a style separator on two lines, so
:mod:`kit.word.pdf` converts a copy in which each run-in heading is joined into its
paragraph, in the heading's character style.  Here, without LibreOffice: that copy, and
the text read back as Word shows it (:func:`kit.word.shown_paragraphs`).
"""

from __future__ import annotations

import zipfile

import docx
from docx.oxml.ns import qn

from kit.report.model import Block, Report
from kit.word import shown_paragraphs, write_report
from kit.word.pdf import _joined_copy

from .ooxml import docx_errors

REPORT = Report(
    title="2023年度述职报告（测试）",
    byline="",
    blocks=(
        Block("heading1", "一、加强学习", ""),
        Block("paragraph", "", "一是正文。"),
        Block("heading1", "二、抓落实。", "正文紧跟标题。"),
        Block("heading2", "（一）抓党建。", "小标题后的正文<&>。"),
        Block("heading2", "（二）抓发展", ""),
        Block("paragraph", "", "二是正文。"),
    ),
)


def _hidden_marks(doc) -> int:
    return sum(
        p._p.pPr is not None and p._p.pPr.find(qn("w:rPr")) is not None for p in doc.paragraphs
    )


def test_libreoffice_gets_each_run_in_heading_joined_into_its_paragraph(tmp_path):
    src = write_report(REPORT, tmp_path / "r.docx")
    before = src.read_bytes()
    copy = _joined_copy(src, tmp_path / "in")
    assert copy != src and copy.name == src.name and src.read_bytes() == before
    doc = docx.Document(str(copy))
    assert _hidden_marks(doc) == 0 and docx_errors(copy) == []
    paras = {p.text: p for p in doc.paragraphs if p.text}
    assert list(paras) == [
        "2023年度述职报告（测试）",
        "一、加强学习",
        "一是正文。",
        "二、抓落实。正文紧跟标题。",
        "（一）抓党建。小标题后的正文<&>。",
        "（二）抓发展",
        "二是正文。",
    ]
    runs_in = (("二、抓落实。", "Heading 2 Char"), ("（一）抓党建。", "Heading 3 Char"))
    for text, char_style in runs_in:
        (p,) = [p for t, p in paras.items() if t.startswith(text)]
        assert p.style.name == "Normal" and p._p.pPr is None  # a body paragraph
        head, body = p.runs
        assert (head.text, head.style.name) == (text, char_style)
        assert body.style is None  # Normal's 仿宋
    # headings alone keep their paragraphs and styles
    assert paras["一、加强学习"].style.name == "Heading 2"
    assert paras["（二）抓发展"].style.name == "Heading 3"
    # every other part is the .docx's own
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(copy) as b:
        assert a.namelist() == b.namelist()
        for name in a.namelist():
            if name != "word/document.xml":
                assert a.read(name) == b.read(name), name


def test_no_copy_without_run_in_headings(tmp_path):
    alone = Report(REPORT.title, "", tuple(b for b in REPORT.blocks if not b.text or not b.heading))
    src = write_report(alone, tmp_path / "r.docx")
    assert _joined_copy(src, tmp_path / "in") == src and not (tmp_path / "in").exists()
    assert _hidden_marks(docx.Document(str(src))) == 0


def test_shown_paragraphs_join_what_a_style_separator_joins(tmp_path):
    src = write_report(REPORT, tmp_path / "r.docx")
    doc = docx.Document(str(src))
    assert [t for t in shown_paragraphs(doc) if t] == REPORT.paragraphs()
    # a style separator as a Word user may write it: specVanish alone, or switched off
    paras = {p.text: p for p in doc.paragraphs}
    for text, val in (("一是正文。", "true"), ("（二）抓发展", "0")):
        ppr = paras[text]._p.get_or_add_pPr()
        mark = ppr.makeelement(qn("w:rPr"), {})
        mark.append(ppr.makeelement(qn("w:specVanish"), {qn("w:val"): val}))
        ppr.append(mark)
    shown = shown_paragraphs(doc)
    assert "一是正文。二、抓落实。正文紧跟标题。" in shown
    assert shown[-2:] == ["（二）抓发展", "二是正文。"]
