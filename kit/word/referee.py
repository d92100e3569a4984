"""Referee pass: check the 汇编's cached 目录 page numbers against LibreOffice's PDF.

The page model (:mod:`kit.word.pages`) predicts where each report starts; the PDF says
where it did.  When LibreOffice is installed the batch converts the volume anyway, so
:func:`referee_volume` reads each report's real start page from that PDF (the page whose
first lines are the report's title; reports start on a new page, in 目录 order), and if
any cached number differs, rewrites the volume with the PDF's numbers and converts it
again.  Needs poppler's ``pdftotext`` (package poppler-utils).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from kit.report.model import Report
from kit.word.paragraphs import DRAFT_MARK
from kit.word.pdf import PdfError, PdfToolMissingError, convert_to_pdf
from kit.word.volume import VolumeInfo, write_volume

_WS = re.compile(r"\s+")
POPPLER_HINT = "未找到 pdftotext，无法核对目录页码。请先安装：sudo apt-get install poppler-utils"


@dataclass(frozen=True)
class Correction:
    number: int  # the entry's number in the 目录 (1-based)
    title: str
    cached: int  # page number the 目录 carried
    actual: int  # page on which the report starts in the PDF

    def __str__(self) -> str:
        return f"第 {self.number} 篇「{self.title}」：目录页码 {self.cached} → {self.actual}"


@dataclass(frozen=True)
class RefereeResult:
    info: VolumeInfo  # the volume as finally written
    pdf: Path
    corrections: tuple[Correction, ...]  # empty: the 目录 was right from the start
    conversions: int  # extra LibreOffice runs it took (0 when nothing was corrected)


def page_texts(pdf: str | Path) -> list[str]:
    """Text of every page of ``pdf`` (``pdftotext -layout``), whitespace removed."""
    exe = shutil.which("pdftotext")
    if exe is None:
        raise PdfToolMissingError(POPPLER_HINT)
    proc = subprocess.run(
        [exe, "-layout", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=False
    )
    if proc.returncode != 0:
        raise PdfError(f"无法读取 PDF：{Path(pdf).name}（pdftotext 返回码 {proc.returncode}）")
    pages = proc.stdout.decode("utf-8", "replace").split("\f")
    if pages and not pages[-1].strip():
        pages.pop()  # pdftotext ends every page with a form feed
    return [_WS.sub("", p) for p in pages]


def start_pages_in_pdf(pdf: str | Path, titles: Sequence[str], first_page: int = 2) -> list[int]:
    """Page (1-based) on which each title starts a page, searched in order from
    ``first_page``.  Raises :class:`PdfError` when a title is not found."""
    pages = page_texts(pdf)
    out, i = [], first_page - 1
    for n, title in enumerate(titles, 1):
        want = _WS.sub("", title)
        # A draft's pages start with its header 「征求意见稿」, then the title.
        while i < len(pages) and not pages[i].removeprefix(DRAFT_MARK).startswith(want):
            i += 1
        if i >= len(pages):
            raise PdfError(f"PDF 中找不到第 {n} 篇「{title}」的起始页，目录页码未能核对。")
        out.append(i + 1)
        i += 1
    return out


def referee_volume(
    reports: Sequence[Report],
    info: VolumeInfo,
    pdf: str | Path,
    *,
    rounds: int = 3,
    timeout: float | None = None,
) -> RefereeResult:
    """Make the volume's cached 目录 numbers those of its PDF.

    ``reports`` and ``info`` are what :func:`~kit.word.volume.write_volume` was given and
    returned; ``pdf`` is the volume converted by LibreOffice.  If numbers differ, the
    volume .docx is rewritten with the PDF's numbers (``write_volume(..., pages=...)``) and
    converted again into the same folder — repeated while the 目录's own length moves the
    pages, at most ``rounds`` times.  Raises :class:`PdfError` if they never agree."""
    pdf = Path(pdf)
    first: list[Correction] | None = None
    for extra in range(rounds + 1):
        titles = [e.title for e in info.entries]
        actual = start_pages_in_pdf(pdf, titles)
        wrong = [
            Correction(e.number, e.title, e.page, a)
            for e, a in zip(info.entries, actual, strict=True)
            if e.page != a
        ]
        if first is None:
            first = wrong
        if not wrong:
            return RefereeResult(info, pdf, tuple(first), extra)
        if extra == rounds:
            break
        info = write_volume(reports, info.path, info.year, pages=actual, draft=info.draft)
        (pdf,) = convert_to_pdf(
            [info.path], pdf.parent, timeout=timeout or 120 + 0.1 * info.total_pages
        )
    raise PdfError(
        f"汇编目录页码与 PDF 经 {rounds} 次重排仍不一致（{wrong[0]}），请用 Word 打开汇编后"
        "右键目录选择「更新域」。"
    )
