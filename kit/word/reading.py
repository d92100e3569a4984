"""A .docx read back as Word shows it: paragraphs joined by a style separator are one.

python-docx lists a run-in heading (「三、…。」 followed by its text on the same line, see
:func:`kit.word._oxml.run_in`) as two paragraphs; whoever reads a report's text — the
sample importer, a check — wants the one paragraph a reader sees.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kit.word import _oxml

if TYPE_CHECKING:  # python-docx is imported by the caller, only when it reads a .docx
    from docx.document import Document


def shown_paragraphs(document: Document) -> list[str]:
    """The text of each paragraph of ``document`` (python-docx), a paragraph ending in
    a style separator joined with the next one."""
    out: list[str] = []
    joined = False
    for p in document.paragraphs:
        if joined:
            out[-1] += p.text
        else:
            out.append(p.text)
        joined = _oxml.runs_into_next(p._p)
    return out
