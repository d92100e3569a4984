"""Word (.docx) and PDF output of 述职报告 and the bound 汇编 volume (GB/T 9704 layout)."""

from __future__ import annotations

from kit.word.pages import pages_of, start_pages
from kit.word.pdf import PdfError, convert_to_pdf, pdf_available
from kit.word.reading import shown_paragraphs
from kit.word.referee import Correction, RefereeResult, referee_volume
from kit.word.report import write_report
from kit.word.volume import VolumeInfo, sort_reports, unique_titles, write_volume

__all__ = [
    "Correction",
    "PdfError",
    "RefereeResult",
    "VolumeInfo",
    "convert_to_pdf",
    "pages_of",
    "pdf_available",
    "referee_volume",
    "shown_paragraphs",
    "sort_reports",
    "start_pages",
    "unique_titles",
    "write_report",
    "write_volume",
]
