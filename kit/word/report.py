"""One official's 述职报告 as a .docx."""

from __future__ import annotations

import io
import os
from pathlib import Path

import docx

from kit.iorw import atomic_write_bytes
from kit.model import Block, Report
from kit.word import _oxml, styles

# An empty grid line between the title block (title, byline) and the body, as in
# GB/T 9704 (标题下空一行).  kit.word.layout counts it too: keep them in step.
BLANK_LINES_AFTER_TITLE = 1


def new_document() -> docx.document.Document:
    """An empty GB/T 9704 document (styles, A4 grid section, page-number footers)."""
    doc = docx.Document()
    styles.setup_document(doc)
    return doc


def block_xml(block: Block) -> str:
    """One body block.  A heading alone gets the heading paragraph style (kept with the
    next paragraph); a run-in heading is a body paragraph whose first run is set in the
    heading font, so it flows like body text."""
    if block.kind == "paragraph":
        return _oxml.paragraph(_oxml.run(block.full))
    para_style, char_style = {
        "heading1": (styles.HEADING1, styles.H1_CHAR),
        "heading2": (styles.HEADING2, styles.H2_CHAR),
    }[block.kind]
    if not block.text:
        return _oxml.paragraph(_oxml.run(block.heading), _oxml.ppr(style=para_style))
    return _oxml.paragraph(_oxml.run(block.heading, char_style) + _oxml.run(block.text))


def report_xml(
    report: Report,
    *,
    title: str | None = None,
    bookmark: tuple[int, str] | None = None,
    new_page: bool = False,
) -> list[str]:
    """Paragraph XML of a whole report.  The volume passes a de-duplicated ``title``,
    a ``_Toc`` bookmark for its 目录 entry and ``new_page`` (each report on a new page)."""
    title_run = _oxml.run(title if title is not None else report.title)
    if bookmark:
        title_run = _oxml.bookmark(bookmark[0], bookmark[1], title_run)
    out = [_oxml.paragraph(title_run, _oxml.ppr(style=styles.TITLE, page_break_before=new_page))]
    if report.byline:
        out.append(_oxml.paragraph(_oxml.run(report.byline), _oxml.ppr(style=styles.BYLINE)))
    out.extend(_oxml.paragraph("") for _ in range(BLANK_LINES_AFTER_TITLE))
    out.extend(block_xml(b) for b in report.blocks)
    return out


def document_bytes(doc: docx.document.Document) -> bytes:
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def write_report(report: Report, path: str | os.PathLike[str]) -> Path:
    """Write one official's report to ``path`` (.docx, written atomically)."""
    doc = new_document()
    _oxml.replace_body(doc.element.body, _oxml.parse_body(report_xml(report)))
    return atomic_write_bytes(path, document_bytes(doc))
