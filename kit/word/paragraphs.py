"""The paragraph plan: one description of a document's paragraphs, in order.

The XML writer (:mod:`kit.word.report`) turns it into WordprocessingML and the page
model (:mod:`kit.word.pages`) into page numbers — both from the same list, so what is
counted is what is written.  What a kind of paragraph looks like (style, font, keep
with next) is :data:`kit.word.styles.KINDS`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kit.report.model import Block, Report
from kit.word import styles

# An empty grid line between the title block (title, byline) and the body, as in
# GB/T 9704 (标题下空一行).
BLANK_LINES_AFTER_TITLE = 1
TOC_HEADING_TEXT = "目\u3000录"
DRAFT_MARK = "征求意见稿"


@dataclass(frozen=True, slots=True)
class Span:
    """Text in one font.  ``role`` is a heading kind for a run-in heading inside a body
    paragraph (set in the heading's font); ``new_line`` starts it on a new line."""

    text: str
    role: str = ""
    new_line: bool = False


@dataclass(frozen=True, slots=True)
class Para:
    kind: str  # a key of styles.KINDS
    spans: tuple[Span, ...] = ()
    page_break_before: bool = False
    bookmark: tuple[int, str] | None = None  # (id, name): a report title's 目录 target
    toc: tuple[str, int] | None = None  # a 目录 entry: (anchor, page number) after a tab
    toc_begin: bool = False  # the TOC field opens before this entry …
    toc_end: bool = False  # … and closes after it

    @property
    def keep_next(self) -> bool:
        return styles.KINDS[self.kind].keep_next

    @property
    def run_in(self) -> str:
        """The heading kind of a run-in heading (its first span), else ""."""
        return self.spans[0].role if self.kind == "body" and self.spans else ""

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.spans)


def block_para(block: Block) -> Para:
    """A heading alone is a heading paragraph (kept with the next); a run-in heading is
    one body paragraph to the page model — its first span in the heading's font — and
    flows like text.  The writer spells it as Word's style separator (a heading
    paragraph whose hidden mark runs it into a Normal one: :func:`kit.word._oxml.run_in`)."""
    if block.kind == "paragraph":
        return Para("body", (Span(block.full),))
    if not block.text:
        return Para(block.kind, (Span(block.heading),))
    return Para("body", (Span(block.heading, block.kind), Span(block.text)))


def report_plan(
    report: Report,
    *,
    title: str | None = None,
    bookmark: tuple[int, str] | None = None,
    new_page: bool = False,
) -> list[Para]:
    """A whole report.  The volume passes a de-duplicated ``title``, a ``_Toc`` bookmark
    for its 目录 entry and ``new_page`` (each report on a new page)."""
    head = Span(title if title is not None else report.title)
    paras = [Para("title", (head,), page_break_before=new_page, bookmark=bookmark)]
    if report.byline:
        paras.append(Para("byline", (Span(report.byline),)))
    paras.extend(Para("blank") for _ in range(BLANK_LINES_AFTER_TITLE))
    paras.extend(block_para(b) for b in report.blocks)
    return paras


def front_plan(
    head: tuple[str, str], entries: Sequence[tuple[str, str, int]], *, draft: bool = False
) -> list[Para]:
    """The volume's first pages: its title (two lines), then 「征求意见稿」 in a draft or a
    blank line, then the 目录: one entry per (text, anchor, page)."""
    title = Para("volume_title", (Span(head[0]), Span(head[1], new_line=True)))
    under = Para("draft_mark", (Span(f"（{DRAFT_MARK}）"),)) if draft else Para("blank")
    paras = [title, under, Para("toc_heading", (Span(TOC_HEADING_TEXT),))]
    last = len(entries) - 1
    for i, (text, anchor, page) in enumerate(entries):
        paras.append(
            Para(
                "toc_entry",
                (Span(text),),
                toc=(anchor, page),
                toc_begin=i == 0,
                toc_end=i == last,
            )
        )
    return paras
