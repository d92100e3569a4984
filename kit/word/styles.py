"""GB/T 9704-2012 page and type constants, and the style set every kit document uses.

A4, margins 37/35/28/26 mm, a 22-line × 28-character grid; title 方正小标宋简体 二号,
body 仿宋_GB2312 三号, headings 黑体 / 楷体_GB2312, page numbers 宋体 四号 「— n —」.
"""

from __future__ import annotations

from dataclasses import dataclass

from kit.word import _oxml

# --- page (twips) ---------------------------------------------------------------------
PAGE_W, PAGE_H = 11906, 16838  # A4
MARGIN_TOP, MARGIN_BOTTOM = 2098, 1984  # 37 mm, 35 mm
MARGIN_LEFT, MARGIN_RIGHT = 1587, 1474  # 28 mm (binding side), 26 mm
TOC_TAB_POS = 8844  # right tab for the 目录's page numbers, just inside the text block
LINE_PITCH = 579  # 225 mm / 22 lines; exact line height for every body line
LINES_PER_PAGE = 22
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
# Word's built-in styles, restyled to the GB/T 9704 look, so that Word's navigation pane,
# its 目录 (TOC \o "1-1" lists outline level 1 only), screen readers, pandoc and mammoth
# see the structure.  Chinese Word shows them as 标题 1/2/3, 标题, 目录 1, TOC 标题, 页眉,
# 页脚.  Levels follow the built-in headings, whose outline levels Word fixes (Heading n
# is level n): a report's title is Heading 1 — the only level the 目录 lists —,
# 「一、」 Heading 2 (黑体), 「（一）」 Heading 3 (楷体); the 汇编's own title is Title.
NORMAL = "Normal"
TITLE = "Heading1"
SECTION = "Heading2"
SUBSECTION = "Heading3"
SECTION_CHAR = "Heading2Char"
SUBSECTION_CHAR = "Heading3Char"
VOLUME_TITLE = "Title"
BYLINE = "KitByline"
DRAFT_MARK = "KitDraftMark"
TOC_HEADING = "TOCHeading"
TOC1 = "TOC1"
FOOTER = "Footer"
HEADER = "Header"


@dataclass(frozen=True)
class Kind:
    """A kind of paragraph: its style and what the page model must know of it."""

    style: str
    font: str
    keep_next: bool = False  # shares its page with the next paragraph's first line
    indent: bool = True  # two-character first-line indent (body paragraphs)
    title: bool = False  # 22 pt title type: two grid lines a line
    char_style: str | None = None  # its font inside a body paragraph (a run-in heading)


# One definition of each kind of paragraph: the style set below, the XML writer
# (kit.word.writer) and the page model (kit.word.pages) all read this table.
KINDS = {
    "title": Kind(TITLE, FONT_TITLE, keep_next=True, indent=False, title=True),  # a report's
    "volume_title": Kind(VOLUME_TITLE, FONT_TITLE, keep_next=True, indent=False, title=True),
    "byline": Kind(BYLINE, FONT_BYLINE, keep_next=True, indent=False),
    "draft_mark": Kind(DRAFT_MARK, FONT_BYLINE, indent=False),
    "blank": Kind(NORMAL, FONT_BODY),
    "body": Kind(NORMAL, FONT_BODY),
    "heading1": Kind(SECTION, FONT_H1, keep_next=True, char_style=SECTION_CHAR),
    "heading2": Kind(SUBSECTION, FONT_H2, keep_next=True, char_style=SUBSECTION_CHAR),
    "toc_heading": Kind(TOC_HEADING, FONT_H1, keep_next=True, indent=False),
    "toc_entry": Kind(TOC1, FONT_BODY),
}

# A run-in heading's paragraph style → the character style it is set in where a reader
# cannot run two paragraphs together (LibreOffice 7.4: see kit.word.pdf).
RUN_IN_CHAR_STYLES = {k.style: k.char_style for k in KINDS.values() if k.char_style}


BLACK = "000000"


def _no_indent(kind: Kind) -> int | None:
    """0 to cancel Normal's first-line indent for a kind without one, else inherit."""
    return None if kind.indent else 0


def _style_set() -> list[str]:
    s = _oxml.style_xml
    r, p = _oxml.rpr, _oxml.ppr
    k = KINDS
    body_p = p(
        widow_control=False,  # page counts must follow the grid model (no widow shuffling)
        overflow_punct=True,  # LibreOffice 7.4 reads it inverted when absent; see docs
        snap_to_grid=True,
        line_exact=LINE_PITCH,
        first_line_chars=INDENT_CHARS,
        first_line=INDENT_TWIPS,
        jc="both",
    )
    # Word's own definitions of the built-in headings have bold, colour and spacing:
    # headings say "not bold, black" (spacing comes from Normal's exact grid).

    def heading(kind: str, name: str, level: int) -> str:
        return s(
            "paragraph",
            k[kind].style,
            name,
            based_on=NORMAL,
            next_style=NORMAL,
            link=k[kind].char_style,
            ui_priority=9,
            p_props=p(keep_next=k[kind].keep_next, keep_lines=True, outline_level=level),
            r_props=r(k[kind].font, bold=False, color=BLACK),
        )

    def char(kind: str, name: str) -> str:
        style_id = k[kind].char_style
        assert style_id is not None  # heading kinds have one
        return s(
            "character",
            style_id,
            name,
            link=k[kind].style,
            r_props=r(k[kind].font, bold=False, color=BLACK),
        )

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
            "heading 1",
            based_on=NORMAL,
            next_style=NORMAL,
            ui_priority=9,
            # LibreOffice gives a 22 pt line two grid lines even at exact 579: say so for Word.
            p_props=p(
                keep_next=k["title"].keep_next,
                keep_lines=True,
                line_exact=2 * LINE_PITCH,
                first_line_chars=_no_indent(k["title"]),
                first_line=_no_indent(k["title"]),
                jc="center",
                outline_level=0,
            ),
            r_props=r(FONT_TITLE, size_pt=SIZE_TITLE, spacing=0, bold=False, color=BLACK),
        ),
        s(
            "paragraph",
            VOLUME_TITLE,
            "Title",
            based_on=TITLE,
            next_style=NORMAL,
            ui_priority=10,
            # like a report's title but not in the 目录 (body-text outline level)
            p_props=p(outline_level=9),
        ),
        s(
            "paragraph",
            BYLINE,
            "署名",
            based_on=NORMAL,
            next_style=NORMAL,
            p_props=p(
                keep_next=k["byline"].keep_next,
                first_line_chars=_no_indent(k["byline"]),
                first_line=_no_indent(k["byline"]),
                jc="center",
            ),
            r_props=r(FONT_BYLINE),
        ),
        s(
            "paragraph",
            DRAFT_MARK,
            "征求意见稿标记",
            based_on=NORMAL,
            next_style=NORMAL,
            p_props=p(
                first_line_chars=_no_indent(k["draft_mark"]),
                first_line=_no_indent(k["draft_mark"]),
                jc="center",
            ),
            r_props=r(k["draft_mark"].font),
        ),
        heading("heading1", "heading 2", 1),
        heading("heading2", "heading 3", 2),
        char("heading1", "Heading 2 Char"),
        char("heading2", "Heading 3 Char"),
        s(
            "paragraph",
            TOC_HEADING,
            "TOC Heading",
            based_on=NORMAL,
            next_style=TOC1,
            ui_priority=39,
            p_props=p(
                keep_next=k["toc_heading"].keep_next,
                first_line_chars=_no_indent(k["toc_heading"]),
                first_line=_no_indent(k["toc_heading"]),
                jc="center",
            ),
            r_props=r(k["toc_heading"].font, bold=False, color=BLACK),
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
            HEADER,
            "header",
            based_on=NORMAL,
            p_props=p(
                snap_to_grid=False, line_single=True, first_line_chars=0, first_line=0, jc="left"
            ),
            r_props=r(FONT_H1, spacing=0),
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


def styles_part() -> str:
    """styles.xml: our docDefaults and styles only (no theme fonts, no template styles)."""
    return _oxml.styles_xml(
        _oxml.rpr(FONT_BODY, size_pt=SIZE_BODY, lang=True),
        _oxml.ppr(line_exact=LINE_PITCH),
        _style_set(),
    )


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


def page_number_footers() -> tuple[str, str]:
    """Paragraph XML of the odd and the even page footer."""
    return _page_number_paragraph(odd=True), _page_number_paragraph(odd=False)


def header_paragraph(text: str) -> str:
    """A header line at the top left (GB/T 9704's 份号/密级 corner), e.g. 「征求意见稿」."""
    return _oxml.paragraph(_oxml.run(text), _oxml.ppr(style=HEADER))


def section_properties(*, headers: tuple[str, str] | None, footers: tuple[str, str]) -> str:
    """The one section: A4, GB/T 9704 margins, lines-only grid, numbering from 1;
    ``headers``/``footers`` are relationship ids of the (odd, even) page parts."""
    return _oxml.sect_pr(
        page_w=PAGE_W,
        page_h=PAGE_H,
        margins=(MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT),
        header=HEADER_DIST,
        footer=FOOTER_DIST,
        line_pitch=LINE_PITCH,
        page_start=1,
        headers=headers,
        footers=footers,
    )
