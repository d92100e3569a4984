"""Without LibreOffice the user gets a Chinese hint naming the packages to install."""

from __future__ import annotations

import pytest

from kit.word import PdfError, convert_to_pdf, write_report


def test_missing_soffice_message(sample, tmp_path, monkeypatch):
    path = write_report(sample[0], tmp_path / "r.docx")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(PdfError) as exc:
        convert_to_pdf([path])
    assert "apt-get install libreoffice-writer-nogui fonts-noto-cjk fonts-arphic-ukai" in str(
        exc.value
    )
    assert "未找到 LibreOffice" in str(exc.value)
