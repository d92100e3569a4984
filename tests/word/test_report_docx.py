"""A single report's .docx, read back with python-docx: text, fonts, page set-up, footers."""

from __future__ import annotations

import docx
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from kit.report.model import Block, Report
from kit.word import shown_paragraphs, styles, write_report


def _rfonts(style) -> dict[str, str]:
    el = style.element.rPr.find(qn("w:rFonts"))
    return {k.split("}")[1]: v for k, v in el.attrib.items()}


def test_text_round_trips(sample, tmp_path):
    rep = sample[0]
    path = write_report(rep, tmp_path / "r.docx")
    doc = docx.Document(str(path))
    assert [t for t in shown_paragraphs(doc) if t] == rep.paragraphs()
    # python-docx lists a run-in heading and its text as two paragraphs (a style separator)
    runin = [b for b in rep.blocks if b.heading and b.text]
    assert runin
    want = rep.paragraphs()
    for b in runin:
        k = want.index(b.full)
        want[k : k + 1] = [b.heading, b.text]
    assert [p.text for p in doc.paragraphs if p.text] == want
    assert not list(tmp_path.glob(".*.tmp")), "temp file left behind"


def test_styles_fonts_sizes(sample, tmp_path):
    doc = docx.Document(str(write_report(sample[0], tmp_path / "r.docx")))
    st = doc.styles
    expect = {
        "Normal": (styles.FONT_BODY, 16),
        "Heading 1": (styles.FONT_TITLE, 22),
        "Heading 2": (styles.FONT_H1, None),
        "Heading 3": (styles.FONT_H2, None),
        "署名": (styles.FONT_BYLINE, None),
        "footer": (styles.FONT_PAGE_NO, 14),
    }
    for name, (font, size) in expect.items():
        fonts = _rfonts(st[name])
        assert fonts["eastAsia"] == font and fonts["ascii"] == font, name
        assert not any(k.endswith("Theme") for k in fonts), "theme fonts override names"
        if size:
            assert st[name].font.size == Pt(size), name
    normal = st["Normal"]
    pf = normal.paragraph_format
    assert pf.line_spacing == Pt(28.95) and pf.space_before == 0 and pf.space_after == 0
    assert pf.alignment == 3  # justified (both)
    ind = normal.element.pPr.find(qn("w:ind"))
    assert ind.get(qn("w:firstLineChars")) == "200"
    rpr = normal.element.rPr
    assert rpr.find(qn("w:spacing")).get(qn("w:val")) == "-5"
    assert rpr.find(qn("w:lang")).get(qn("w:eastAsia")) == "zh-CN"
    assert normal.element.pPr.find(qn("w:overflowPunct")).get(qn("w:val")) == "1"
    assert st["toc 1"].element.pPr.find(qn("w:tabs"))[0].get(qn("w:pos")) == "8844"
    # no style may fall back to theme fonts
    assert b"Theme=" not in st.element.xml.encode() and "asciiTheme" not in st.element.xml


def test_page_setup_and_grid(sample, tmp_path):
    doc = docx.Document(str(write_report(sample[0], tmp_path / "r.docx")))
    sec = doc.sections[0]
    assert (sec.page_width, sec.page_height) == (11906 * 635, 16838 * 635)
    for got, mm in [
        (sec.top_margin, 37),
        (sec.bottom_margin, 35),
        (sec.left_margin, 28),
        (sec.right_margin, 26),
    ]:
        assert abs(got - Mm(mm)) < Mm(0.05)
    grid = sec._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "lines" and grid.get(qn("w:linePitch")) == "579"
    assert sec._sectPr.find(qn("w:pgNumType")).get(qn("w:start")) == "1"


def test_footers_odd_even_page_fields(sample, tmp_path):
    doc = docx.Document(str(write_report(sample[0], tmp_path / "r.docx")))
    assert doc.settings.odd_and_even_pages_header_footer
    sec = doc.sections[0]
    for footer, align, side in [
        (sec.footer, "right", "w:right"),
        (sec.even_page_footer, "left", "w:left"),
    ]:
        assert not footer.is_linked_to_previous
        (p,) = footer.paragraphs
        xml = p._p.xml
        assert "PAGE" in "".join(t.text for t in p._p.iter(qn("w:instrText")))
        assert xml.count('w:fldCharType="begin"') == 1 and 'w:fldCharType="end"' in xml
        assert p.text.replace(" ", "") == "—1—"
        assert p._p.pPr.find(qn("w:jc")).get(qn("w:val")) == align
        assert p._p.pPr.find(qn("w:ind")).get(qn(side)) == "280"  # one 14 pt character in


def test_builtin_heading_styles_in_the_gbt9704_look(sample, tmp_path):
    doc = docx.Document(str(write_report(sample[0], tmp_path / "r.docx")))
    for name, style_id, font in [
        ("Heading 2", "Heading2", styles.FONT_H1),  # 「一、」 黑体
        ("Heading 3", "Heading3", styles.FONT_H2),  # 「（一）」 楷体
    ]:
        st = doc.styles[name]
        assert st.style_id == style_id and st.element.name_val == name.lower()
        assert st.font.name == font and _rfonts(st)["eastAsia"] == font  # 黑体 / 楷体
        assert st.font.size is None and st.base_style.name == "Normal"  # 三号 from Normal
        assert st.font.bold is False and not st.font.italic
        assert st.font.color.rgb in (None, docx.shared.RGBColor(0, 0, 0))
        pf = st.paragraph_format
        assert pf.space_before is None and pf.space_after is None  # Normal's 0 / exact grid
        assert pf.line_spacing is None and pf.keep_with_next
    title = doc.styles["Heading 1"]  # a report's title, the level the 目录 lists
    assert title.style_id == "Heading1" and title.font.bold is False
    assert title.paragraph_format.alignment == 1  # centred
    levels = {
        n: doc.styles[n].element.pPr.find(qn("w:outlineLvl")).get(qn("w:val"))
        for n in ("Heading 1", "Heading 2", "Heading 3", "Title")
    }
    assert levels == {"Heading 1": "0", "Heading 2": "1", "Heading 3": "2", "Title": "9"}
    assert doc.styles["Title"].style_id == "Title"  # the 汇编's own title
    assert doc.styles["toc 1"].style_id == "TOC1"


def test_headings_run_in_and_heading2(tmp_path):
    rep = Report(
        title="2023年度述职报告（测试）",
        byline="东山镇测试岗位　李明",
        blocks=(
            Block("heading1", "一、加强学习", ""),
            Block("heading1", "二、抓落实。", "正文紧跟标题。"),
            Block("heading2", "（一）抓党建", ""),
            Block("paragraph", "", "一是正文。"),
        ),
    )
    doc = docx.Document(str(write_report(rep, tmp_path / "h.docx")))
    paras = [p for p in doc.paragraphs if p.text]
    by_text = {p.text: p for p in paras}
    assert by_text["2023年度述职报告（测试）"].style.name == "Heading 1"
    assert by_text["东山镇测试岗位　李明"].style.name == "署名"
    assert by_text["一、加强学习"].style.name == "Heading 2"
    assert by_text["一、加强学习"].style.paragraph_format.keep_with_next
    # run in: a Heading 2 paragraph whose mark is hidden as a style separator (Word sets
    # the next paragraph on the same line), not kept with the next or together
    runin = by_text["二、抓落实。"]
    assert runin.style.name == "Heading 2" and runin.style.paragraph_format.keep_with_next
    assert runin.paragraph_format.keep_with_next is False
    assert runin.paragraph_format.keep_together is False
    mark = runin._p.pPr.find(qn("w:rPr"))
    assert [child.tag for child in mark] == [qn("w:vanish"), qn("w:specVanish")]
    assert not [r for r in runin.runs if r.font.hidden]  # the heading itself shows
    text = paras[paras.index(runin) + 1]
    assert text.text == "正文紧跟标题。" and text.style.name == "Normal"
    assert text._p.pPr is None  # Normal's indent and grid, like the heading's
    assert by_text["（一）抓党建"].style.name == "Heading 3"
    # a blank grid line under the title block
    texts = [p.text for p in doc.paragraphs]
    assert texts[:3] == ["2023年度述职报告（测试）", "东山镇测试岗位　李明", ""]
    marked = [p for p in doc.paragraphs if p._p.pPr is not None]
    hidden = [p.text for p in marked if p._p.pPr.find(qn("w:rPr")) is not None]
    assert hidden == ["二、抓落实。"]  # the alone headings' marks show


def test_xml_special_characters_escaped(tmp_path):
    rep = Report("标题<&>", "", (Block("paragraph", "", 'A&B <c> "q"'),))
    doc = docx.Document(str(write_report(rep, tmp_path / "x.docx")))
    assert [p.text for p in doc.paragraphs if p.text] == ["标题<&>", 'A&B <c> "q"']


def test_draft_report_has_the_mark_in_every_header(sample, tmp_path):
    doc = docx.Document(str(write_report(sample[0], tmp_path / "d.docx", draft=True)))
    sec = doc.sections[0]
    for header in (sec.header, sec.even_page_header):
        (p,) = header.paragraphs
        assert p.text == "征求意见稿" and p.style.style_id == "Header"
        assert p.paragraph_format.alignment in (None, 0)  # top left
    plain = docx.Document(str(write_report(sample[0], tmp_path / "p.docx")))
    assert plain.sections[0].header.is_linked_to_previous  # no header part


def test_same_input_and_time_give_the_same_bytes(sample, tmp_path):
    from datetime import UTC, datetime

    when = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    a = write_report(sample[1], tmp_path / "a.docx", when=when).read_bytes()
    b = write_report(sample[1], tmp_path / "b.docx", when=when).read_bytes()
    assert a == b
