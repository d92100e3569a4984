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
  a run-in heading is one paragraph with its text (the .docx joins the two with a style
  separator; LibreOffice is given them joined, :mod:`kit.word.pdf`);
* the title's 22 pt lines take two grid lines each; each report starts a new page.

It reads the same paragraph plan (:mod:`kit.word.paragraphs`) the XML writer writes.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate

from kit.report.model import Report
from kit.word import styles
from kit.word.paragraphs import Para, report_plan

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


def _cls(chars: set[str] | str) -> str:
    return "".join(re.escape(c) for c in sorted(chars))


# Unbreakable units as one regular expression (the loop it replaced took 80 % of the
# 汇编's time): opening punctuation glued to what follows; then a Latin word (letters,
# digits, 「·」, ASCII punctuation; a closing mark stays inside only before a letter or
# digit, so "3.5" is whole) or any one character; then what may not start a line:
# closing punctuation, spaces, a second 「—」, a number after 「，」 and the like.
_OPEN = f"[{_cls(OPENING)}]"
_WORD_CHAR = f"[!-~{MIDDLE_DOT}]"  # Latin letters, digits, ASCII punctuation, 「·」
_LATIN_CLOSING = _cls({c for c in CLOSING if " " < c <= "~"})
_WORD = (
    f"(?:(?![{_LATIN_CLOSING}]|{_OPEN}){_WORD_CHAR})"
    f"(?:(?![{_LATIN_CLOSING}]|{_OPEN}){_WORD_CHAR}|[{_LATIN_CLOSING}](?=[^\\W_]))*"
)
_GLUE = (
    f"[{_cls(CLOSING)} ]|(?<=—)—|(?<=[{_cls(_NO_BREAK_BEFORE_NUMBER)}])(?=[0-9A-Za-z]){_WORD}"
)
_IDEOGRAPH = "[\u3400-\u9fff\uf900-\ufaff]"  # as _is_ideograph
_UNIT = re.compile(
    # first the common case, for speed: a Chinese character nothing is glued to
    f"{_IDEOGRAPH}(?![{_cls(CLOSING)} ])"
    f"|{_OPEN}*(?:{_WORD}|(?!{_OPEN}).)(?:{_GLUE})*|{_OPEN}+",
    re.S,
)


def _units(text: str) -> list[str]:
    """Split into unbreakable units (see ``_UNIT``); they concatenate to ``text``."""
    return _UNIT.findall(text)


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


# Widths are summed as integers of 1/10,000 pt: every advance here is a multiple of it,
# so a line's width does not depend on the order of additions.
_SCALE = 10_000


class _Widths(dict):
    """Width (1/10,000 pt) of a unit on its own (no gap before it), per face, size and
    spacing; text repeats its characters, so most look-ups hit."""

    def __init__(self, face: str, size_pt: float, spacing_pt: float) -> None:
        super().__init__()
        self.args = (size_pt, face, spacing_pt)

    def __missing__(self, unit: str) -> float:
        if len(self) > 200_000:  # bounded: a long-running form server sees much text
            self.clear()
        w = self[unit] = round(_unit_width(unit, "", *self.args) * _SCALE)
        return w


_WIDTHS: dict[tuple[str, float, float], _Widths] = {}
# Places where LibreOffice's 0.2 em gap applies: Chinese next to a Latin letter or digit.
# Matches the character before each place where a Chinese character meets a Latin letter
# or digit (LibreOffice's 0.2 em gap): the place is the match's end.
_GAP = re.compile(f"{_IDEOGRAPH}(?=[0-9A-Za-z])|[0-9A-Za-z](?={_IDEOGRAPH})")


def _measure(
    runs: Sequence[Run], size_pt: float, spacing_pt: float
) -> tuple[list[str], list[int], list[int]]:
    """Units of the paragraph, each one's width after its predecessor (gap included),
    and its width on its own (at the start of a line)."""
    units: list[str] = []
    alone: list[int] = []
    for r in runs:
        key = (r.face, size_pt, spacing_pt)
        table = _WIDTHS.get(key) or _WIDTHS.setdefault(key, _Widths(*key))
        found = _UNIT.findall(r.text)
        units += found
        alone += map(table.__getitem__, found)
    after = alone
    text = "".join(r.text for r in runs)
    gaps = [m.end() for m in _GAP.finditer(text)]  # where Chinese meets Latin
    if gaps:
        gap = round((AUTOSPACE_EM * size_pt - spacing_pt + AUTOSPACE_EXTRA_PT) * _SCALE)
        after = list(alone)
        offsets = list(accumulate(map(len, units), initial=0))
        for pos in gaps:
            k = bisect_left(offsets, pos)
            if 0 < k < len(units) and offsets[k] == pos:
                after[k] += gap  # at a unit's start (inside a unit it is in its width)
    return units, after, alone


def _breaks(
    runs: Sequence[Run], size_pt: float, spacing_pt: float, indent_pt: float, width_pt: float
) -> tuple[list[str], list[int]]:
    """The paragraph's units and the index of the first unit of each line.

    A unit goes on the line if the line's width so far plus the unit (its trailing
    spaces hang into the margin) fits; the first unit of a line always goes on it.
    Found with a bisection over running totals instead of unit by unit."""
    units, after, alone = _measure(runs, size_pt, spacing_pt)
    total = [0, *accumulate(after)]  # total[k]: width of units[:k]
    limit = round((width_pt + 0.01) * _SCALE)  # slack: LibreOffice works in twips
    faces = None
    if any(" " in r.text for r in runs):  # trailing spaces hang: know each unit's face
        faces = [r.face for r in runs for _ in _units(r.text)]
    firsts = [0]
    s, n, used = 0, len(units), round(indent_pt * _SCALE)
    while s < n:
        # width of units[s:k] on this line = base + total[k]
        base = used + alone[s] - total[s + 1]
        # the first e > s whose unit does not fit lies at e1 (whole unit too wide) or
        # e1 + 1 (its fitting part is less than the whole only by trailing spaces)
        e = max(bisect_right(total, limit - base, s + 2) - 1, s + 1)
        while e < n:
            fit = after[e]
            if faces is not None and units[e].endswith(" "):
                space = round(char_width(" ", size_pt, faces[e], spacing_pt) * _SCALE)
                fit -= space * (len(units[e]) - len(units[e].rstrip(" ")))
            if base + total[e] + fit > limit:
                break
            e += 1
        if e < n:
            firsts.append(e)
        s, used = e, 0
    return units, firsts


def break_lines(
    runs: Sequence[Run],
    *,
    size_pt: float = styles.SIZE_BODY,
    spacing_pt: float = styles.BODY_CHAR_SPACING / 20,
    indent_pt: float = styles.INDENT_TWIPS / 20,
    width_pt: float = LINE_WIDTH_PT,
) -> list[str]:
    """Greedy line breaking of one paragraph; returns the text of each line."""
    units, firsts = _breaks(runs, size_pt, spacing_pt, indent_pt, width_pt)
    return ["".join(units[a:b]) for a, b in zip(firsts, [*firsts[1:], len(units)], strict=True)]


# The stand-in face of each font named in the styles (fonts.conf maps the names).
FACE_OF_FONT = {
    styles.FONT_BODY: "serif",
    styles.FONT_TITLE: TITLE_FACE,
    styles.FONT_H1: "sans",
    styles.FONT_H2: "kai",
    styles.FONT_BYLINE: "kai",
}


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


def para_lines(p: Para) -> list[str]:
    """The text of each line of a planned paragraph, as LibreOffice sets it."""
    kind = styles.KINDS[p.kind]
    if kind.title:  # spans starting a new line (the volume's 「（N篇）」) are lines apart
        lines: list[str] = []
        for s in p.spans:
            if s.new_line or not lines:
                lines.append("")
            lines[-1] += s.text
        return [x for t in lines for x in break_title(t)]
    runs, indent = _para_runs(p)
    return break_lines(runs, indent_pt=indent)


def _para_runs(p: Para) -> tuple[list[Run], float]:
    """The body-size runs of a paragraph and its first-line indent (points)."""
    runs = [Run(s.text, FACE_OF_FONT[styles.KINDS[s.role or p.kind].font]) for s in p.spans]
    if p.toc:  # the tab with its dot leader takes at least a cell before the number
        runs.append(Run(f"\u3000{p.toc[1]}"))
    return runs, (styles.INDENT_TWIPS / 20 if styles.KINDS[p.kind].indent else 0)


def grid_rows(p: Para) -> int:
    """Grid lines the paragraph takes (a title's 22 pt lines take two each)."""
    kind = styles.KINDS[p.kind]
    if kind.title:
        return len(para_lines(p)) * TITLE_ROWS_PER_LINE
    runs, indent = _para_runs(p)
    size, spacing = styles.SIZE_BODY, styles.BODY_CHAR_SPACING / 20
    return len(_breaks(runs, size, spacing, indent, LINE_WIDTH_PT)[1])


def paginate(
    paras: Sequence[Para], lines_per_page: int = styles.LINES_PER_PAGE
) -> tuple[list[int], int]:
    """Start page (1-based) of each paragraph, and the number of pages used.

    Keep-with-next chains (heading, heading, first line of body) move to a new page
    together when they do not fit; a chain longer than a page is left to break; a
    paragraph starting a new page (the next report's title) ends a chain."""
    rows = [grid_rows(p) for p in paras]
    keep = [p.keep_next and not (i + 1 < len(paras) and paras[i + 1].page_break_before)
            for i, p in enumerate(paras)]
    starts: list[int] = []
    page, row = 1, 0  # row: grid lines already used on ``page``
    for i, p in enumerate(paras):
        if p.page_break_before and row > 0:
            page, row = page + 1, 0
        need, j = (rows[i] if keep[i] else 1), i
        while keep[j] and j + 1 < len(paras):
            j += 1
            need += rows[j] if keep[j] else 1
        if row > 0 and row + need > lines_per_page and need <= lines_per_page:
            page, row = page + 1, 0
        starts.append(page)
        row += rows[i]
        page, row = page + row // lines_per_page, row % lines_per_page
    return starts, (page if row > 0 else page - 1)


def pages_of(report: Report, title: str | None = None) -> int:
    """Pages the report takes on its own (it starts on a fresh page)."""
    return paginate(report_plan(report, title=title))[1]


def start_pages(
    reports: Sequence[Report], titles: Sequence[str] | None = None, first_page: int = 2
) -> list[int]:
    """Start page of each report in a volume whose first report starts on ``first_page``
    (each report on a new page, one continuous numbering)."""
    paras: list[Para] = []
    firsts = []
    for i, rep in enumerate(reports):
        firsts.append(len(paras))
        paras += report_plan(rep, title=titles[i] if titles else None, new_page=True)
    starts = paginate(paras)[0]
    return [starts[k] + first_page - 1 for k in firsts]
