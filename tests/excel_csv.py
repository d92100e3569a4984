"""What LibreOffice shows in each cell of a workbook: every sheet converted to CSV by
``soffice --headless`` (a formula shows its computed value, a text cell its text)."""

from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path

import pytest

needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None,
                                   reason="LibreOffice (soffice) not installed")
# CSV, UTF-8 (76), every sheet to its own file (the last token, -1; LibreOffice ≥ 7.2).
_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"


def shown_by_libreoffice(xlsx: Path, work: Path) -> dict[str, list[list[str]]]:
    """Sheet name → rows of cell texts as LibreOffice computes and shows them."""
    out = work / "csv"
    subprocess.run(["soffice", f"-env:UserInstallation={(work / 'profile').as_uri()}",
                    "--headless", "--convert-to", _FILTER, "--outdir", str(out), str(xlsx)],
                   check=True, capture_output=True, timeout=300)
    sheets = {}
    for path in out.glob(f"{xlsx.stem}-*.csv"):
        with path.open(encoding="utf-8", newline="") as fh:
            sheets[path.stem[len(xlsx.stem) + 1:]] = list(csv.reader(fh))
    assert sheets, "LibreOffice wrote no CSV"
    return sheets
