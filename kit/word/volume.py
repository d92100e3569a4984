"""The bound volume (汇编): every report in one .docx behind a 目录 with page numbers.

Page 1 holds the volume title and the 目录 (more pages if the 目录 is long); each report
starts on a new page; one page numbering runs through the volume.  The 目录 is a real
``TOC`` field (Word refreshes it on open, ``updateFields``) whose cached entries carry
page numbers from :mod:`kit.word.layout`, so readers that never refresh fields — and
LibreOffice's PDF export — print the right numbers.

The body is built as one XML string and parsed once: appending 26,000 paragraphs with
python-docx's ``add_paragraph`` is quadratic.
"""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from kit.iorw import atomic_write_bytes
from kit.model import Report
from kit.word import _oxml, layout, styles
from kit.word.report import document_bytes, new_document, report_xml

TOC_HEADING_TEXT = "目\u3000录"
VOLUME_TITLE_STYLE = "KitVolumeTitle"


@dataclass(frozen=True)
class TocEntry:
    number: int  # 1-based position in the volume
    title: str  # the report's title as shown in the volume (unique)
    page: int  # page on which the report starts
    anchor: str  # bookmark name of the report's title

    @property
    def text(self) -> str:
        return f"{self.number}.{self.title}"


@dataclass(frozen=True)
class VolumeInfo:
    path: Path
    year: int
    title: str
    entries: tuple[TocEntry, ...]
    toc_pages: int  # pages taken by the volume title and the 目录
    total_pages: int


def sort_reports(reports: Iterable[Report]) -> list[Report]:
    """The volume's order: reports with an explicit 排序 (``order``) first, by that number;
    then the rest by role rank (smaller first), then by name in :mod:`kit.collation` order
    (按姓氏笔画, or pinyin), unit, role.  Python's sort is stable, so ties keep their input
    order."""
    from kit.collation import name_key

    def key(r: Report) -> tuple:
        explicit = r.order is not None
        return (not explicit, r.order if explicit else 0, r.rank, name_key(r.name), r.unit,
                r.role)

    return sorted(reports, key=key)


def _with_suffix(title: str, suffix: str) -> str:
    # 「2023年度述职报告（镇党建办主任）」 + 李明 → 「2023年度述职报告（镇党建办主任·李明）」
    if title.endswith("）"):
        return f"{title[:-1]}·{suffix}）"
    return f"{title}（{suffix}）"


def unique_titles(reports: Sequence[Report]) -> list[str]:
    """Titles for the volume, distinct so every 目录 entry names one report.

    Titles shared by several reports get the official's name added inside the closing
    bracket (「2023年度述职报告（镇党建办主任·李明）」); if that does not separate them,
    the unit; whatever still collides gets a running number."""
    titles = [r.title for r in reports]
    for extra in (lambda r: r.name, lambda r: r.unit):
        groups: dict[str, list[int]] = defaultdict(list)
        for i, t in enumerate(titles):
            groups[t].append(i)
        for t, idx in groups.items():
            if len(idx) > 1 and len({extra(reports[i]) for i in idx}) > 1:
                for i in idx:
                    if extra(reports[i]):
                        titles[i] = _with_suffix(t, extra(reports[i]))
    counts, seen = Counter(titles), Counter()
    out = []
    for t in titles:
        seen[t] += 1
        out.append(_with_suffix(t, str(seen[t])) if counts[t] > 1 else t)
    return out


def volume_title(year: int, count: int) -> tuple[str, str]:
    """(main line, count line) — 「2023年度述职报告汇编」「（2篇）」."""
    return f"{year}年度述职报告汇编", f"（{count}篇）"


def _front_paras(title_lines: tuple[str, str], entries: Sequence[str]) -> list[layout.Para]:
    rows = layout.TITLE_ROWS_PER_LINE
    paras = [layout.Para(sum(layout.title_lines(t) for t in title_lines) * rows, True)]
    paras.append(layout.Para(1))  # blank line under the title
    paras.append(layout.Para(1, keep_next=True))  # 目　录
    paras.extend(layout.Para(n) for n in map(_entry_lines, entries))
    return paras


def _entry_lines(text_and_page: str) -> int:
    return len(layout.break_lines([layout.Run(text_and_page)]))


def plan_pages(
    reports: Sequence[Report], titles: Sequence[str], year: int
) -> tuple[int, list[int], int]:
    """(目录 pages, start page of each report, total pages).  The 目录's length depends
    on the page numbers it prints (their digits), so iterate until it is stable."""
    lengths = [layout.pages_of(r, t) for r, t in zip(reports, titles, strict=True)]
    head = volume_title(year, len(reports))
    toc_pages = 1
    for _ in range(5):
        starts, page = [], toc_pages + 1
        for n in lengths:
            starts.append(page)
            page += n
        entries = [
            f"{i}.{t}\u3000{p}" for i, (t, p) in enumerate(zip(titles, starts, strict=True), 1)
        ]
        needed = layout.paginate(_front_paras(head, entries))[1]
        if needed == toc_pages:
            break
        toc_pages = needed
    return toc_pages, starts, page - 1


def _front_xml(head: tuple[str, str], entries: Sequence[TocEntry]) -> list[str]:
    o = _oxml
    title = o.run(head[0]) + "<w:r><w:br/></w:r>" + o.run(head[1])
    out = [o.paragraph(title, o.ppr(style=VOLUME_TITLE_STYLE)), o.paragraph("")]
    out.append(o.paragraph(o.run(TOC_HEADING_TEXT), o.ppr(style=styles.TOC_HEADING)))
    toc_props = o.ppr(style=styles.TOC1)
    last = len(entries) - 1
    for i, e in enumerate(entries):
        begin = o.field_begin(o.toc_instr("1-1")) if i == 0 else ""
        end = o.field_end() if i == last else ""
        body = o.toc_entry(e.text, e.anchor, e.page)
        out.append(o.paragraph(begin + body + end, toc_props))
    return out


def _add_volume_title_style(doc) -> None:
    # Like the report title but without outline level: the TOC must not list the volume.
    xml = _oxml.style_xml(
        "paragraph",
        VOLUME_TITLE_STYLE,
        "汇编标题",
        based_on=styles.TITLE,
        next_style=styles.NORMAL,
        p_props=_oxml.ppr(outline_level=9),
    )
    doc.styles.element.extend(_oxml.parse_body([xml]))


def write_volume(
    reports: Iterable[Report],
    path: str | os.PathLike[str],
    year: int,
    *,
    pages: Sequence[int] | None = None,
) -> VolumeInfo:
    """Compile all reports into one .docx at ``path`` (atomic write); see module doc.

    Reports are ordered by :func:`sort_reports`; titles made unique by
    :func:`unique_titles`.  Returns the 目录 as computed (entries and page numbers).
    ``pages`` overrides the page model: the start page of each report in volume order
    (as read from a PDF by :mod:`kit.word.referee`)."""
    ordered = sort_reports(reports)
    titles = unique_titles(ordered)
    if pages is None:
        toc_pages, starts, total = plan_pages(ordered, titles, year)
    else:
        starts = [int(p) for p in pages]
        if len(starts) != len(ordered):
            raise ValueError(f"pages: {len(starts)} numbers for {len(ordered)} reports")
        toc_pages = starts[0] - 1 if starts else 1
        total = starts[-1] + layout.pages_of(ordered[-1], titles[-1]) - 1 if starts else 1
    entries = [
        TocEntry(i, t, p, f"_Toc{100000000 + i}")
        for i, (t, p) in enumerate(zip(titles, starts, strict=True), 1)
    ]
    head = volume_title(year, len(ordered))
    parts = _front_xml(head, entries)
    for i, (rep, entry) in enumerate(zip(ordered, entries, strict=True)):
        parts.extend(
            report_xml(rep, title=entry.title, bookmark=(i + 1, entry.anchor), new_page=True)
        )
    doc = new_document()
    _add_volume_title_style(doc)
    _oxml.replace_body(doc.element.body, _oxml.parse_body(parts))
    out = atomic_write_bytes(path, document_bytes(doc))
    return VolumeInfo(out, year, "".join(head), tuple(entries), toc_pages, total)
