"""``kit build --pdf``: each report and the 汇编 also as PDF (needs LibreOffice)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from kit.build.batch import build
from tests.conftest import ROOT


@pytest.mark.slow
@pytest.mark.skipif(not shutil.which("soffice"), reason="needs LibreOffice")
def test_build_with_pdf(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    result = build(ROOT / "params", tmp_path / "build", workers=2, timeout=60, pdf=True,
                   templates=ROOT / "templates")
    assert result.ok, result.problems
    pdfs = sorted(p.name for p in (tmp_path / "build" / "2023" / "pdf").glob("*.pdf"))
    assert len(pdfs) == len(result.outcomes) + 1 and "2023年度述职报告汇编.pdf" in pdfs
    assert all(p.read_bytes().startswith(b"%PDF") for p in result.pdfs)
    assert not list((tmp_path / "build" / "2023" / "pdf").glob(".*"))  # scratch folder gone
    assert "PDF：" in capsys.readouterr().out
    index = (tmp_path / "build" / "2023" / "review" / "index.html").read_text("utf-8")
    assert 'href="../pdf/2023%E5%B9%B4' in index and "汇编：" in index
    # The 目录 printed in the PDF says where each report really starts.
    import re

    from kit.word.referee import page_texts, start_pages_in_pdf

    pages = page_texts(tmp_path / "build" / "2023" / "pdf" / "2023年度述职报告汇编.pdf")
    # page text has no whitespace: 「1.2023年度述职报告（镇委书记）……22.2023年度…8—1—」
    toc = re.findall(r"\d\.(2023年度述职报告（.+?）)[.…·]*(\d+?)(?=\d\.2023|—)", pages[0])
    assert len(toc) == 2
    real = start_pages_in_pdf(tmp_path / "build" / "2023" / "pdf" / "2023年度述职报告汇编.pdf",
                              [t for t, _ in toc])
    assert [int(n) for _, n in toc] == real


@pytest.mark.slow
def test_pdf_without_libreoffice_writes_word_and_says_how_to_install(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from kit.cli import main

    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # no soffice to be found
    code = main(["--templates", str(ROOT / "templates"), "build", str(ROOT / "params"),
                 "-o", str(tmp_path / "build"), "--workers", "1", "--pdf"])
    out = capsys.readouterr().out
    assert code == 5
    assert out.count("apt-get install libreoffice-writer-nogui") == 1
    assert len(list((tmp_path / "build" / "2023" / "docx").glob("*.docx"))) == 2
    assert (tmp_path / "build" / "2023" / "2023年度述职报告汇编.docx").exists()


@pytest.mark.slow
def test_a_failing_libreoffice_is_exit_7_not_missing_nor_a_failed_official(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from kit.cli import main

    fake = tmp_path / "bin" / "soffice"  # installed, but every conversion fails
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\necho 'conversion failed' >&2\nexit 81\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    code = main(["--templates", str(ROOT / "templates"), "build", str(ROOT / "params"),
                 "-o", str(tmp_path / "build"), "--workers", "1", "--pdf"])
    out = capsys.readouterr().out
    assert code == 7, out
    assert "PDF 没有生成" in out and "返回码 81" in out and "2 成功，0 失败" in out
    assert len(list((tmp_path / "build" / "2023" / "docx").glob("*.docx"))) == 2
