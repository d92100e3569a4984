"""Page model of the GB/T 9704 grid: how many pages a report takes, without a layout engine.

The 目录's page numbers are cached in the .docx (readers that do not refresh fields
print them as they are), so they are computed here.  The grid is strict: 22 lines of
exact height per page, 28 body cells per line.  Rules (calibrated against LibreOffice
7.4's PDF with the fonts of ``fonts.conf``; the PDF is the referee):

* full-width characters take one cell (16 pt − 0.25 pt character spacing);
* Latin letters and digits take their advance in the stand-in font (Noto Serif CJK SC
  for 仿宋, its Bold for the title's 方正小标宋 — bold digits are 6 % wider), and
  LibreOffice adds 0.2 em where Latin meets Chinese;
* lines break between Chinese characters, never inside a Latin word or number; closing
  punctuation never starts a line, opening punctuation never ends one; the middle dot
  「·」 of 「（镇长·李明·2）」 is a Latin-script character to LibreOffice: a line may
  break before it, and it sticks to a following number;
* a heading (alone in its paragraph) stays on the page of the next paragraph's first line;
* the title's 22 pt lines take two grid lines each; each report starts a new page.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from kit.model import Block, Report
from kit.word import styles
from kit.word.report import BLANK_LINES_AFTER_TITLE

# Advance widths (1/1000 em) of U+0020..U+007E in the stand-in fonts (hmtx tables).
_SERIF = (
    256, 308, 376, 574, 550, 923, 779, 196, 364, 364, 478, 580, 327, 346, 327, 352, 557, 471,
    558, 557, 555, 558, 558, 549, 558, 562, 327, 327, 580, 580, 580, 432, 912, 718, 670, 691,
    770, 652, 629, 741, 853, 405, 402, 731, 625, 975, 796, 767, 641, 767, 715, 567, 659, 797,
    714, 1053, 700, 687, 605, 344, 352, 344, 580, 563, 435, 557, 638, 538, 629, 546, 388, 566,
    663, 332, 311, 607, 334, 974, 661, 596, 638, 607, 462, 473, 367, 653, 548, 838, 564, 552,
    498, 374, 316, 374, 580,
)  # fmt: skip
_SANS = (
    224, 323, 474, 555, 555, 921, 680, 278, 338, 338, 467, 555, 278, 347, 278, 392, 555, 555,
    555, 555, 555, 555, 555, 555, 555, 555, 278, 278, 555, 555, 555, 474, 946, 608, 657, 638,
    688, 589, 552, 689, 728, 293, 535, 646, 543, 812, 723, 742, 633, 742, 635, 596, 599, 721,
    575, 878, 573, 531, 603, 338, 392, 338, 555, 559, 606, 563, 618, 510, 620, 554, 325, 564,
    607, 275, 275, 552, 284, 926, 610, 606, 620, 620, 388, 468, 377, 607, 521, 802, 498, 521,
    475, 338, 270, 338, 555,
)  # fmt: skip
_SERIF_BOLD = (
    250, 355, 447, 615, 589, 966, 803, 235, 400, 400, 485, 603, 335, 370, 335, 400, 593, 466,
    594, 593, 593, 594, 594, 588, 594, 596, 335, 335, 603, 603, 603, 473, 970, 746, 708, 702,
    789, 666, 648, 757, 864, 426, 428, 767, 642, 1001, 815, 785, 673, 785, 751, 597, 695, 818,
    734, 1091, 726, 701, 627, 372, 400, 372, 603, 593, 447, 585, 672, 565, 658, 572, 402, 596,
    687, 349, 335, 651, 355, 1008, 685, 623, 671, 640, 500, 499, 393, 678, 578, 874, 599, 582,
    517, 380, 338, 380, 603,
)  # fmt: skip
_KAI = (512,) * 95  # AR PL UKai: half-width Latin
# Non-ASCII glyphs that are not 1 em: measured in the PDF (「——」 is 2 × 1.0075 em).
_NARROW = {"·": 327, "°": 342, "—": 1008}
_NARROW_BOLD = {"·": 335, "°": 358, "—": 1008}
FACES = {"serif": _SERIF, "serif-bold": _SERIF_BOLD, "sans": _SANS, "kai": _KAI}
TITLE_FACE = "serif-bold"  # fonts.conf: 方正小标宋简体 → Noto Serif CJK SC, bold

CLOSING = set("，。、；：？！）》〉」』】〕〗”’％‰℃…,.;:?!)]}%")
MIDDLE_DOT = "·"
OPENING = set("（《〈「『【〔〖“‘([{")
# LibreOffice's line breaking does not break between these and a following number
# (「，2023年」): the number moves to the next line together with the comma's character.
_NO_BREAK_BEFORE_NUMBER = set("，。、）》」』】〕〗〉")
AUTOSPACE_EM = 0.2  # LibreOffice's gap between Chinese and Latin/digits
AUTOSPACE_EXTRA_PT = -0.02
# LibreOffice rounds Latin advances up to whole twips; the small extras here were fitted to
# the line ends of 180 synthetic reports and then reproduced all lines of 60 more.
LATIN_EXTRA_PT = 0.04

# Text block 442.25 pt; with the widths below, lines up to 442.14 pt were seen to fit
# and from 442.24 pt not to.
LINE_WIDTH_PT = 442.19
# Titles (22 pt bold, no character spacing, exact advances): lines of 442.17 pt were seen
# to fit and of 442.82 pt not to; centred titles show the model 0.26 pt wider than
# LibreOffice's own measure, so its 442.25 pt text block is ~442.51 pt here.
TITLE_LINE_WIDTH_PT = 442.5
TITLE_ROWS_PER_LINE = 2  # a 22 pt line on the 28.95 pt grid takes two grid lines


def _is_latin(ch: str) -> bool:
    return " " < ch <= "~"


def _in_word(ch: str) -> bool:
    """Part of an unbreakable Latin word (letters, digits, ASCII punctuation, 「·」)."""
    return _is_latin(ch) or ch == MIDDLE_DOT


def char_width(ch: str, size_pt: float, face: str = "serif", spacing_pt: float = 0.0) -> float:
    """Advance of ``ch`` in points, character spacing included."""
    if _is_latin(ch) or ch == " ":
        advance = FACES[face][ord(ch) - 0x20] * size_pt / 1000
        if not spacing_pt:  # the title: LibreOffice places glyphs at their exact advance
            return advance
        # with character spacing it lays the text out in whole twips
        return math.ceil(advance * 20) / 20 + spacing_pt + LATIN_EXTRA_PT
    narrow = _NARROW_BOLD if face == "serif-bold" else _NARROW
    return narrow.get(ch, 1000) / 1000 * size_pt + spacing_pt


def _units(text: str) -> list[str]:
    """Split into unbreakable units: a Chinese character, or a Latin word/number, with
    opening punctuation glued to what follows and closing punctuation to what precedes."""
    units: list[str] = []
    pending = ""  # opening punctuation waiting for its character
    i = 0
    while i < len(text):
        ch = text[i]
        if _in_word(ch) and ch not in CLOSING and ch not in OPENING:
            j = i
            while j < len(text) and _in_word(text[j]) and text[j] not in OPENING:
                if text[j] in CLOSING and not (j + 1 < len(text) and text[j + 1].isalnum()):
                    break  # trailing punctuation closes the word; "3.5" stays whole
                j += 1
            j = max(j, i + 1)
            piece, i = text[i:j], j
        else:
            piece, i = ch, i + 1
        if piece in OPENING:
            pending += piece
        elif (
            units
            and not pending
            and (
                piece[0] in CLOSING
                or piece == " "  # a space ends the unit before it (breaks come after it)
                or (piece == "—" and units[-1].endswith("—"))
                or (
                    units[-1][-1] in _NO_BREAK_BEFORE_NUMBER
                    and piece[0].isalnum()
                    and _is_latin(piece[0])
                )
            )
        ):
            units[-1] += piece
        else:
            units.append(pending + piece)
            pending = ""
    if pending:
        units.append(pending)
    return units


def _is_ideograph(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def _autospace(a: str, b: str) -> bool:
    """LibreOffice's 'space between Asian and non-Asian text' applies between a Chinese
    character and a Latin letter or digit, not next to punctuation (measured)."""
    return (_is_ideograph(a) and _is_latin(b) and b.isalnum()) or (
        _is_latin(a) and a.isalnum() and _is_ideograph(b)
    )


def _unit_width(unit: str, prev: str, size_pt: float, face: str, spacing_pt: float) -> float:
    w = 0.0
    for ch in unit:
        if prev and _autospace(prev, ch):
            # 0.2 em, measured to replace the character spacing at the boundary
            w += AUTOSPACE_EM * size_pt - spacing_pt + AUTOSPACE_EXTRA_PT
        w += char_width(ch, size_pt, face, spacing_pt)
        prev = ch
    return w


@dataclass(frozen=True)
class Run:
    text: str
    face: str = "serif"


def break_lines(
    runs: Sequence[Run],
    *,
    size_pt: float = styles.SIZE_BODY,
    spacing_pt: float = styles.BODY_CHAR_SPACING / 20,
    indent_pt: float = styles.INDENT_TWIPS / 20,
    width_pt: float = LINE_WIDTH_PT,
) -> list[str]:
    """Greedy line breaking of one paragraph; returns the text of each line."""
    lines: list[str] = []
    line, used, prev = "", indent_pt, ""
    slack = 0.01  # float noise; LibreOffice works in twips
    for r in runs:
        for unit in _units(r.text):
            w = _unit_width(unit, prev, size_pt, r.face, spacing_pt)
            # spaces at a line's end hang into the margin
            fit = w - char_width(" ", size_pt, r.face, spacing_pt) * (
                len(unit) - len(unit.rstrip(" "))
            )
            if line and used + fit > width_pt + slack:
                lines.append(line)
                line, used = "", 0.0
                w = _unit_width(unit, "", size_pt, r.face, spacing_pt)
            line += unit
            used += w
            prev = unit[-1]
    lines.append(line)
    return lines


def block_runs(block: Block) -> list[Run]:
    face = {"heading1": "sans", "heading2": "kai"}.get(block.kind, "serif")
    runs = [Run(block.heading, face)] if block.heading else []
    return runs + ([Run(block.text)] if block.text else [])


@dataclass(frozen=True)
class Para:
    """A paragraph as the paginator sees it."""

    lines: int
    keep_next: bool = False  # a heading: must share its page with the next line
    new_page: bool = False


def break_title(title: str) -> list[str]:
    """Lines of a 22 pt title (centred, no indent, no character spacing)."""
    return break_lines(
        [Run(title, TITLE_FACE)],
        size_pt=styles.SIZE_TITLE,
        spacing_pt=0,
        indent_pt=0,
        width_pt=TITLE_LINE_WIDTH_PT,
    )


def title_lines(title: str) -> int:
    return len(break_title(title))


def report_paras(report: Report, title: str | None = None) -> list[Para]:
    """The report as paginator input (title block, blank line, body)."""
    t = title if title is not None else report.title
    paras = [Para(title_lines(t) * TITLE_ROWS_PER_LINE, keep_next=True, new_page=True)]
    if report.byline:
        paras.append(Para(len(break_lines([Run(report.byline, "kai")], indent_pt=0)), True))
    paras.extend(Para(1) for _ in range(BLANK_LINES_AFTER_TITLE))
    for b in report.blocks:
        heading_only = b.kind != "paragraph" and not b.text
        paras.append(Para(len(break_lines(block_runs(b))), keep_next=heading_only))
    return paras


def paginate(
    paras: Sequence[Para], lines_per_page: int = styles.LINES_PER_PAGE
) -> tuple[list[int], int]:
    """Start page (1-based) of each paragraph, and the number of pages used.

    Keep-with-next chains (heading, heading, first line of body) move to a new page
    together when they do not fit; a chain longer than a page is left to break.
    """
    starts: list[int] = []
    page, row = 1, 0  # row: grid lines already used on ``page``
    for i, p in enumerate(paras):
        if p.new_page and row > 0:
            page, row = page + 1, 0
        need, j = (p.lines if p.keep_next else 1), i
        while paras[j].keep_next and j + 1 < len(paras):
            j += 1
            need += paras[j].lines if paras[j].keep_next else 1
        if row > 0 and row + need > lines_per_page and need <= lines_per_page:
            page, row = page + 1, 0
        starts.append(page)
        row += p.lines
        page, row = page + row // lines_per_page, row % lines_per_page
    return starts, (page if row > 0 else page - 1)


def pages_of(report: Report, title: str | None = None) -> int:
    """Pages the report takes on its own (it starts on a fresh page)."""
    return paginate(report_paras(report, title))[1]


def start_pages(
    reports: Sequence[Report], titles: Sequence[str] | None = None, first_page: int = 2
) -> list[int]:
    """Start page of each report in a volume whose first report starts on ``first_page``
    (each report on a new page, one continuous numbering)."""
    out, page = [], first_page
    for i, rep in enumerate(reports):
        out.append(page)
        page += pages_of(rep, titles[i] if titles else None)
    return out
