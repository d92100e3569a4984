"""The bound volume (汇编): every report in one .docx behind a 目录 with page numbers.

Page 1 holds the volume title and the 目录 (more pages if the 目录 is long); each report
starts on a new page; one page numbering runs through the volume.  The 目录 is a real
``TOC`` field (Word refreshes it on open, ``updateFields``) whose cached entries carry
page numbers from :mod:`kit.word.pages`, so readers that never refresh fields — and
LibreOffice's PDF export — print the right numbers.

The volume is one paragraph plan (:mod:`kit.word.paragraphs`): the page model paginates it
and the writer writes it.
"""

from __future__ import annotations

import dataclasses
import os
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from kit.iorw import atomic_write_bytes
from kit.report.collation import order_key
from kit.report.model import Report
from kit.word import paragraphs
from kit.word.pages import paginate
from kit.word.paragraphs import Para
from kit.word.writer import Properties, docx_bytes


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
    draft: bool = False  # marked 「征求意见稿」 (cover and every page's header)


def sort_reports(reports: Iterable[Report]) -> list[Report]:
    """Reports in the volume's order (:func:`order_key`).  Python's sort is stable, so
    ties keep their input order."""
    return sorted(reports, key=lambda r: order_key(r.order, r.rank, r.name, r.unit, r.role))


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
    counts, seen = Counter(titles), Counter[str]()
    out = []
    for t in titles:
        seen[t] += 1
        out.append(_with_suffix(t, str(seen[t])) if counts[t] > 1 else t)
    return out


def volume_title(year: int, count: int) -> tuple[str, str]:
    """(main line, count line) — 「2023年度述职报告汇编」「（2篇）」."""
    return f"{year}年度述职报告汇编", f"（{count}篇）"


def _author(reports: Sequence[Report]) -> str:
    """The volume's author: its unit, or its units (「东山镇、西山镇等 5 个单位」)."""
    units = list(dict.fromkeys(r.unit for r in reports if r.unit))
    if len(units) <= 3:
        return "、".join(units)
    return f"{'、'.join(units[:3])}等 {len(units)} 个单位"


def _toc(titles: Sequence[str], starts: Sequence[int]) -> list[TocEntry]:
    return [
        TocEntry(i, t, p, f"_Toc{100000000 + i}")
        for i, (t, p) in enumerate(zip(titles, starts, strict=True), 1)
    ]


def _front(head: tuple[str, str], entries: Sequence[TocEntry], draft: bool) -> list[Para]:
    return paragraphs.front_plan(head, [(e.text, e.anchor, e.page) for e in entries], draft=draft)


def write_volume(
    reports: Iterable[Report],
    path: str | os.PathLike[str],
    year: int,
    *,
    pages: Sequence[int] | None = None,
    draft: bool = False,
    when: datetime | None = None,
) -> VolumeInfo:
    """Compile all reports into one .docx at ``path`` (atomic write); see module doc.

    Reports are ordered by :func:`sort_reports`; titles made unique by
    :func:`unique_titles`.  Returns the 目录 as computed (entries and page numbers).
    ``pages`` overrides the page model: the start page of each report in volume order
    (as read from a PDF by :mod:`kit.word.referee`).  ``draft``: a 「征求意见稿」 under
    the volume's title (in place of the blank line) and in every page's header, so
    the pagination is that of the final volume.  ``when``: created/modified time."""
    ordered = sort_reports(reports)
    titles = unique_titles(ordered)
    # One plan for the reports: the page model counts it, the writer writes it.
    body: list[Para] = []
    firsts: list[int] = []  # index of each report's title paragraph in ``body``
    for i, (rep, title) in enumerate(zip(ordered, titles, strict=True), 1):
        firsts.append(len(body))
        bookmark = (i, f"_Toc{100000000 + i}")
        body += paragraphs.report_plan(rep, title=title, bookmark=bookmark, new_page=True)
    head = volume_title(year, len(ordered))
    if pages is None:
        para_pages, body_pages = paginate(body)
        relative = [para_pages[k] for k in firsts]
        # The 目录's length depends on the page numbers it prints (their digits):
        # iterate until it is stable.
        toc_pages = 1
        for _ in range(5):
            entries = _toc(titles, [toc_pages + p for p in relative])
            needed = paginate(_front(head, entries, draft))[1]
            if needed == toc_pages:
                break
            toc_pages = needed
        total = toc_pages + body_pages
    else:
        starts = [int(p) for p in pages]
        if len(starts) != len(ordered):
            raise ValueError(f"pages: {len(starts)} numbers for {len(ordered)} reports")
        entries = _toc(titles, starts)
        toc_pages = starts[0] - 1 if starts else 1
        last = paginate(body[firsts[-1] :])[1] if starts else 1
        total = starts[-1] + last - 1 if starts else 1
    props = Properties(
        title="".join(head),
        author=_author(ordered),
        subject=f"{year}年度述职报告汇编，共 {len(ordered)} 篇",
        company=_author(ordered),
        pages=total,
    )
    if when:
        props = dataclasses.replace(props, when=when)
    data = docx_bytes(_front(head, entries, draft) + body, props, draft=draft)
    out = atomic_write_bytes(path, data)
    return VolumeInfo(out, year, "".join(head), tuple(entries), toc_pages, total, draft)
