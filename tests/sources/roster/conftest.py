"""One copy of the shipped parameter files and their exported workbook per test."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from kit.sources.roster import export_roster

ROOT = Path(__file__).resolve().parents[3]
TEMPLATES = ROOT / "templates"


@pytest.fixture
def shipped(tmp_path: Path) -> tuple[Path, Path, Any]:
    """(params folder, exported workbook, the workbook opened for editing)."""
    params = tmp_path / "params"
    shutil.copytree(ROOT / "params", params)
    xlsx = export_roster(params, tmp_path / "r.xlsx", templates=TEMPLATES)
    return params, xlsx, openpyxl.load_workbook(xlsx)
