"""GB/T 9704-2012 page and type constants, and the style set every kit document uses.

A4, margins 37/35/28/26 mm, a 22-line × 28-character grid; title 方正小标宋简体 二号,
body 仿宋_GB2312 三号, headings 黑体 / 楷体_GB2312, page numbers 宋体 四号 「— n —」.
"""

from __future__ import annotations

from docx.document import Document as DocxDocument

from kit.word import _oxml

# --- page (twips) ---------------------------------------------------------------------
PAGE_W, PAGE_H = 11906, 16838  # A4
MARGIN_TOP, MARGIN_BOTTOM = 2098, 1984  # 37 mm, 35 mm
MARGIN_LEFT, MARGIN_RIGHT = 1587, 1474  # 28 mm (binding side), 26 mm
TEXT_W = PAGE_W - MARGIN_LEFT - MARGIN_RIGHT  # 8845 ≈ 156 mm
TOC_TAB_POS = 8844  # right tab for the 目录's page numbers, just inside the text block
LINE_PITCH = 579  # 225 mm / 22 lines; exact line height for every body line
LINES_PER_PAGE = 22
CHARS_PER_LINE = 28
HEADER_DIST = 851
# Footer text sits ~7 mm below the text block: 35 mm − 7 mm − one 14 pt line ≈ 23 mm.
FOOTER_DIST = 1304

# --- type -----------------------------------------------------------------------------
FONT_TITLE = "方正小标宋简体"
FONT_BODY = "仿宋_GB2312"
FONT_H1 = "黑体"
FONT_H2 = "楷体_GB2312"
FONT_BYLINE = "楷体_GB2312"
FONT_PAGE_NO = "宋体"
SIZE_TITLE = 22.0  # 二号
SIZE_BODY = 16.0  # 三号
SIZE_PAGE_NO = 14.0  # 四号
# 16 pt glyphs on a 15.79 pt pitch: −0.25 pt (−5 twips) so 28 fit a line.
BODY_CHAR_SPACING = -5
INDENT_CHARS = 200  # first-line indent, hundredths of a character
INDENT_TWIPS = 2 * (round(SIZE_BODY * 20) + BODY_CHAR_SPACING)  # 630

# --- style ids (names are what office staff see in Word's style pane) ----------------
NORMAL = "Normal"
TITLE = "KitTitle"
BYLINE = "KitByline"
HEADING1 = "KitHeading1"
HEADING2 = "KitHeading2"
H1_CHAR = "KitHeading1Char"
H2_CHAR = "KitHeading2Char"
TOC_HEADING = "KitTocHeading"
TOC1 = "TOC1"
FOOTER = "Footer"


def _style_set() -> list[str]:
    s = _oxml.style_xml
    r, p = _oxml.rpr, _oxml.ppr
    body_p = p(
        widow_control=False,  # page counts must follow the grid model (no widow shuffling)
        overflow_punct=True,  # LibreOffice 7.4 reads it inverted when absent; see docs
        snap_to_grid=True,
        line_exact=LINE_PITCH,
        first_line_chars=INDENT_CHARS,
        first_line=INDENT_TWIPS,
        jc="both",
    )
    centred = p(first_line_chars=0, first_line=0, jc="center")
    # Heading paragraphs (no run-in body) are kept with the next paragraph's first line.
    return [
        s(
            "paragraph",
            NORMAL,
            "Normal",
            default=True,
            p_props=body_p,
            r_props=r(FONT_BODY, size_pt=SIZE_BODY, spacing=BODY_CHAR_SPACING, lang=True),
        ),
        s(
            "paragraph",
            TITLE,
            "公文标题",
            based_on=NORMAL,
            next_style=NORMAL,
            # LibreOffice gives a 22 pt line two grid lines even at exact 579: say so for Word.
            p_props=p(
                keep_next=True,
                keep_lines=True,
                line_exact=2 * LINE_PITCH,
                first_line_chars=0,
                first_line=0,
                jc="center",
                outline_level=0,
            ),
            r_props=r(FONT_TITLE, size_pt=SIZE_TITLE, spacing=0),
        ),
        s(
            "paragraph",
            BYLINE,
            "署名",
            based_on=NORMAL,
            next_style=NORMAL,
            p_props=p(keep_next=True, first_line_chars=0, first_line=0, jc="center"),
            r_props=r(FONT_BYLINE),
        ),
        s(
            "paragraph",
            HEADING1,
            "一级标题",
            based_on=NORMAL,
            next_style=NORMAL,
            p_props=p(keep_next=True, keep_lines=True, outline_level=1),
            r_props=r(FONT_H1),
        ),
        s(
            "paragraph",
            HEADING2,
            "二级标题",
            based_on=NORMAL,
            next_style=NORMAL,
            p_props=p(keep_next=True, keep_lines=True, outline_level=2),
            r_props=r(FONT_H2),
        ),
        s("character", H1_CHAR, "一级标题字符", r_props=r(FONT_H1)),
        s("character", H2_CHAR, "二级标题字符", r_props=r(FONT_H2)),
        s(
            "paragraph",
            TOC_HEADING,
            "目录标题",
            based_on=NORMAL,
            next_style=TOC1,
            p_props=centred,
            r_props=r(FONT_H1),
        ),
        s(
            "paragraph",
            TOC1,
            "toc 1",
            based_on=NORMAL,
            next_style=NORMAL,
            ui_priority=39,
            p_props=p(tabs=[("right", "dot", TOC_TAB_POS)], jc="left"),
        ),
        s(
            "paragraph",
            FOOTER,
            "footer",
            based_on=NORMAL,
            p_props=p(snap_to_grid=False, line_single=True, first_line_chars=0, first_line=0),
            r_props=r(FONT_PAGE_NO, size_pt=SIZE_PAGE_NO, spacing=0),
        ),
    ]


def _page_number_paragraph(odd: bool) -> str:
    """「— n —」 with a PAGE field; odd pages right, even pages left, one 14 pt char in."""
    one_char = round(SIZE_PAGE_NO * 20)
    props = _oxml.ppr(
        style=FOOTER,
        jc="right" if odd else "left",
        right=one_char if odd else 0,
        left=0 if odd else one_char,
    )
    return _oxml.paragraph(_oxml.run("— ") + _oxml.field("PAGE", "1") + _oxml.run(" —"), props)


def setup_document(doc: DocxDocument) -> None:
    """Turn python-docx's default (Letter, theme fonts, ja-JP) into a GB/T 9704 document:
    our styles only, A4 grid section, odd/even page-number footers, fields refreshed on open.
    """
    _oxml.replace_styles(
        doc.styles.element,
        _oxml.styles_xml(
            _oxml.rpr(FONT_BODY, size_pt=SIZE_BODY, lang=True),
            _oxml.ppr(line_exact=LINE_PITCH),
            _style_set(),
        ),
    )
    _oxml.east_asian_settings(doc.settings.element)
    section = doc.sections[0]
    footer, even = section.footer, section.even_page_footer
    footer.is_linked_to_previous = False
    even.is_linked_to_previous = False
    _oxml.set_content(footer._element, [_page_number_paragraph(odd=True)])
    _oxml.set_content(even._element, [_page_number_paragraph(odd=False)])
    _oxml.setup_section(
        section._sectPr,
        page_w=PAGE_W,
        page_h=PAGE_H,
        margins=(MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT),
        header=HEADER_DIST,
        footer=FOOTER_DIST,
        line_pitch=LINE_PITCH,
        page_start=1,
    )
