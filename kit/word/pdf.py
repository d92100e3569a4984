"""PDF via LibreOffice headless, with the packaged font substitutions (fonts.conf).

One ``soffice`` process converts a whole batch: starting LibreOffice costs seconds,
a page of text a few milliseconds.

Run-in headings (「三、…。」 and its text on one line) are Word's style separator in the
.docx: a real heading paragraph whose hidden paragraph mark runs it into the next one.
LibreOffice 7.4 cannot set two paragraphs on one line (it ignores ``w:specVanish`` and a
hidden paragraph mark, and gives the heading a line of its own), and no single paragraph
form is both a heading of only the heading's text to readers (pandoc, mammoth, Word's
navigation pane take a whole paragraph as the heading) and run-in to LibreOffice 7.4.  So
LibreOffice converts a copy with each run-in heading joined into its paragraph
(:func:`kit.word._oxml.joined_run_ins`): what Word displays, laid out as the page model
counts it.  The .docx itself is left as written.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import zipfile
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from kit.errors import ToolFailedError, ToolMissingError, ToolTimeoutError
from kit.word import _oxml, styles

FONTS_CONF = Path(__file__).with_name("fonts.conf")

INSTALL_HINT = (
    "未找到 LibreOffice，无法生成 PDF（Word 文件已照常生成）。"
    "请先安装：sudo apt-get install libreoffice-writer-nogui fonts-noto-cjk fonts-arphic-ukai"
)


class PdfError(ToolFailedError):
    """PDF conversion did not give a usable PDF; the message is Chinese.  The subclasses
    tell a missing program (exit 5) from a failed or timed-out one (exit 7)."""


class PdfToolMissingError(PdfError, ToolMissingError):
    """LibreOffice (or poppler's pdftotext) is not installed."""

    exit_code = ToolMissingError.exit_code


class PdfTimeoutError(PdfError, ToolTimeoutError):
    """LibreOffice ran longer than its time limit."""


def find_soffice() -> str | None:
    """Path of LibreOffice's ``soffice`` (or ``libreoffice``), or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def pdf_available() -> bool:
    return find_soffice() is not None


def _env(profile: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["FONTCONFIG_FILE"] = str(FONTS_CONF)
    env["HOME"] = str(profile)  # soffice writes caches under HOME; keep runs independent
    env.pop("SAL_USE_VCLPLUGIN", None)
    return env


def convert_to_pdf(
    docx_paths: Iterable[str | os.PathLike[str]],
    outdir: str | os.PathLike[str] | None = None,
    *,
    timeout: float | None = None,
) -> list[Path]:
    """Convert .docx files to PDF; return the PDF paths in input order.

    PDFs go to ``outdir`` or next to each .docx.  Files sharing an output folder are
    converted by one ``soffice`` call.  Raises :class:`PdfError` (Chinese message) when
    LibreOffice is missing, times out or produces no PDF.
    """
    sources = [Path(p).resolve() for p in docx_paths]
    if not sources:
        return []
    soffice = find_soffice()
    if soffice is None:
        raise PdfToolMissingError(INSTALL_HINT)
    groups: dict[Path, list[Path]] = defaultdict(list)
    for src in sources:
        groups[Path(outdir).resolve() if outdir else src.parent].append(src)
    results: dict[Path, Path] = {}
    for target, files in groups.items():
        target.mkdir(parents=True, exist_ok=True)
        # Convert into a scratch folder beside the target, then rename: an interrupted
        # run never leaves half a PDF, and an old PDF is never taken for a new one.
        with tempfile.TemporaryDirectory(prefix=".kit-pdf-", dir=target) as scratch:
            inputs = [_joined_copy(src, Path(scratch) / f"in{i}") for i, src in enumerate(files)]
            _run_soffice(soffice, inputs, Path(scratch), timeout or _default_timeout(files))
            for src in files:
                made = Path(scratch) / (src.stem + ".pdf")
                if not made.exists():
                    raise PdfError(
                        f"LibreOffice 未能生成 PDF：{src.name}。请用 Word 打开该文件检查后重试。"
                    )
                results[src] = made.replace(target / made.name)
    return [results[src] for src in sources]


DOCUMENT_PART = "word/document.xml"


def _joined_copy(src: Path, folder: Path) -> Path:
    """``src`` itself, or, when it has run-in headings, a copy in ``folder`` (same name,
    so the PDF's name follows) with each joined into its paragraph (see module doc)."""
    try:
        with zipfile.ZipFile(src) as zf:
            document = zf.read(DOCUMENT_PART).decode("utf-8")
            if not _oxml.has_run_ins(document):
                return src
            parts = [(info, zf.read(info)) for info in zf.infolist()]
    except (OSError, zipfile.BadZipFile, KeyError, UnicodeDecodeError):
        return src  # not one of ours: LibreOffice converts it as it is, or says why not
    joined = _oxml.joined_run_ins(document, styles.RUN_IN_CHAR_STYLES).encode("utf-8")
    folder.mkdir()
    copy = folder / src.name
    with zipfile.ZipFile(copy, "w") as out:
        for info, data in parts:
            out.writestr(info, joined if info.filename == DOCUMENT_PART else data)
    return copy


def _default_timeout(files: list[Path]) -> float:
    # A start-up, a few seconds a report, and for big volumes their size: the
    # 1,000-report 汇编 (0.6 MB, 4,482 pages) takes ~80 s on one busy core.
    megabytes = sum(f.stat().st_size for f in files if f.exists()) / 1e6
    return 60 + 5 * len(files) + 600 * megabytes


def _run_soffice(soffice: str, files: list[Path], outdir: Path, timeout: float) -> None:
    # A private profile: a user's open LibreOffice (or a parallel run) would otherwise
    # take the conversion over, or block it on the profile lock.
    with tempfile.TemporaryDirectory(prefix="kit-soffice-") as profile:
        cmd = [
            soffice,
            f"-env:UserInstallation={Path(profile).as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf:writer_pdf_Export",
            "--outdir",
            str(outdir),
            *map(str, files),
        ]
        try:
            proc = subprocess.run(
                cmd, env=_env(Path(profile)), capture_output=True, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired as exc:
            raise PdfTimeoutError(
                f"LibreOffice 转换 PDF 超时（{timeout:.0f} 秒）。请关闭其他程序后重试，"
                "或减少一次转换的文件数。"
            ) from exc
        if proc.returncode != 0:
            detail = proc.stderr.decode("utf-8", "replace").strip()[-300:]
            raise PdfError(f"LibreOffice 转换 PDF 失败（返回码 {proc.returncode}）：{detail}")
