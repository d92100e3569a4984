"""``kit build --pdf``: each report and the 汇编 also as PDF (needs LibreOffice)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kit.batch import build
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
    assert "PDF：" in capsys.readouterr().out
