"""The XML writer: a paragraph plan (:mod:`kit.word.paragraphs`) → the bytes of a .docx.

The package holds only what the kit writes: document, styles, settings, the page-number
footers (and the draft headers), core and app properties — nothing from a template.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import kit
from kit.word import _oxml, styles
from kit.word.paragraphs import DRAFT_MARK, Para

APPLICATION = f"述职报告 kit {kit.__version__}"


@dataclass(frozen=True)
class Properties:
    """What Word's 文件 → 信息 shows: the report's title, who it is by, what about."""

    title: str
    author: str
    subject: str
    company: str = ""
    pages: int | None = None
    when: datetime = field(default_factory=lambda: datetime.now(UTC))


def para_xml(p: Para) -> str:
    kind = styles.KINDS[p.kind]
    if p.run_in:  # a heading paragraph joined to its text by Word's style separator
        head, *rest = p.spans
        body = "".join(_oxml.run(s.text) for s in rest)
        return _oxml.run_in(head.text, styles.KINDS[p.run_in].style, body)
    runs = []
    for s in p.spans:
        if s.new_line:
            runs.append(_oxml.line_break())
        runs.append(_oxml.run(s.text, styles.KINDS[s.role].char_style if s.role else None))
    content = "".join(runs)
    if p.toc:
        content = _oxml.toc_entry(p.text, *p.toc)
    if p.bookmark:
        content = _oxml.bookmark(*p.bookmark, content)
    if p.toc_begin:
        content = _oxml.field_begin(_oxml.toc_instr("1-1")) + content
    if p.toc_end:
        content += _oxml.field_end()
    style = kind.style if kind.style != styles.NORMAL else None
    if style or p.page_break_before:
        return _oxml.paragraph(
            content, _oxml.ppr(style=style, page_break_before=p.page_break_before)
        )
    return _oxml.paragraph(content)


def docx_bytes(paras: Iterable[Para], props: Properties, *, draft: bool = False) -> bytes:
    """The .docx of ``paras``: GB/T 9704 styles and page, 「— n —」 footers on odd and
    even pages; with ``draft`` a 「征求意见稿」 header on every page (it sits in the top
    margin, outside the text block: the pagination does not change)."""
    headers = [_oxml.header_xml([styles.header_paragraph(DRAFT_MARK)])] * 2 if draft else []
    footers = [_oxml.footer_xml([p]) for p in styles.page_number_footers()]
    ids = _oxml.header_ids(len(headers) + len(footers))
    section = styles.section_properties(
        headers=(ids[0], ids[1]) if headers else None,
        footers=(ids[-2], ids[-1]),
    )
    utc = props.when.astimezone(UTC)
    return _oxml.docx_package(
        document=_oxml.document_xml(map(para_xml, paras), section),
        styles=styles.styles_part(),
        settings=_oxml.settings_xml(),
        headers=headers,
        footers=footers,
        core=_oxml.core_xml(
            title=props.title,
            creator=props.author,
            subject=props.subject,
            description=f"由{APPLICATION}生成",
            modified_by=APPLICATION,
            when=utc,
        ),
        app=_oxml.app_xml(application=APPLICATION, company=props.company, pages=props.pages),
        when=utc,
    )
