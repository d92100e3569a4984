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


def test_missing_is_exit_5_and_a_timeout_is_not(sample, tmp_path, monkeypatch):
    """Exit 5 means 「install LibreOffice」; a LibreOffice that ran out of time is exit 7."""
    import os
    import shutil

    sleep = shutil.which("sleep")
    path = write_report(sample[0], tmp_path / "r.docx")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(PdfError) as missing:
        convert_to_pdf([path])
    assert missing.value.exit_code == 5
    fake = tmp_path / "bin" / "soffice"  # a LibreOffice that never finishes
    fake.parent.mkdir()
    fake.write_text(f"#!/bin/sh\nexec {sleep} 30\n")
    os.chmod(fake, 0o755)
    monkeypatch.setenv("PATH", str(fake.parent))
    with pytest.raises(PdfError) as late:
        convert_to_pdf([path], timeout=0.5)
    assert late.value.exit_code == 7 and "超时" in str(late.value)
