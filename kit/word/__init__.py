"""Word (.docx) and PDF output of 述职报告 and the bound 汇编 volume (GB/T 9704 layout)."""

from __future__ import annotations

from kit.word.report import write_report

__all__ = ["write_report"]
