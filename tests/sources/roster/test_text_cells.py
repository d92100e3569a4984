"""What people typed goes to Excel as text, never as a formula, and comes back unchanged;
a workbook is written only under an .xlsx name, and never over a file unasked."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest

from kit.errors import ExistsError, KitError, UsageError
from kit.iorw import backups_of
from kit.sources.roster import export_roster, import_roster
from tests.excel_csv import needs_soffice, shown_by_libreoffice

from .conftest import ROOT, TEMPLATES

WANG = "东山镇-镇委书记-王建国.yaml"
# Field → what was typed: each would be computed if written as a formula.
TYPED = {"姓名": "=1+1", "其他工作": '=HYPERLINK("http://example.com","点我")',
         "造林村": "+1", "视察讲话地": "@SUM(1)", "单位": "-东山镇"}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    params = tmp_path / "params"
    shutil.copytree(ROOT / "params", params)
    path = params / WANG
    text = path.read_text("utf-8")
    for key, value in TYPED.items():
        line = f"{key}: '{value}'"
        lines = [ln for ln in text.splitlines() if ln.startswith(f"{key}:")]
        text = text.replace(lines[0], line) if lines else text + line + "\n"
    path.write_text(text, "utf-8")
    return params


def _row(ws: openpyxl.worksheet.worksheet.Worksheet) -> dict[str, openpyxl.cell.Cell]:
    """The cells of 王建国's row, by key (row 2 holds the keys)."""
    keys = {c.column: c.value for c in ws[2]}
    row = next(r for r in ws.iter_rows(min_row=3) if r[0].value == WANG)
    return {keys[c.column]: c for c in row}


def test_typed_text_is_a_text_cell(folder: Path, tmp_path: Path) -> None:
    xlsx = export_roster(folder, tmp_path / "花名册.xlsx", templates=TEMPLATES)
    cells = _row(openpyxl.load_workbook(xlsx)["镇委书记"])
    for key, value in TYPED.items():
        assert cells[key].data_type == "s", key
        assert cells[key].value == value
        assert cells[key].number_format == "@"  # stays text when edited
    assert cells["姓名"].quotePrefix


@needs_soffice
@pytest.mark.slow
def test_libreoffice_shows_the_text_not_a_result(folder: Path, tmp_path: Path) -> None:
    xlsx = export_roster(folder, tmp_path / "花名册.xlsx", templates=TEMPLATES)
    shown = shown_by_libreoffice(xlsx, tmp_path)["镇委书记"]
    keys, row = shown[1], next(r for r in shown if r[0] == WANG)
    for key, value in TYPED.items():
        assert row[keys.index(key)] == value


def test_its_own_export_imports_unchanged(folder: Path, tmp_path: Path) -> None:
    before = (folder / WANG).read_bytes()
    xlsx = export_roster(folder, tmp_path / "花名册.xlsx", templates=TEMPLATES)
    assert import_roster(xlsx, folder, templates=TEMPLATES) == []
    assert (folder / WANG).read_bytes() == before
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    (written,) = [p for p in import_roster(xlsx, fresh, templates=TEMPLATES)
                  if "=1+1" in p.read_text("utf-8")]
    for value in TYPED.values():
        assert value in written.read_text("utf-8")


def test_a_formula_a_user_typed_is_still_refused(folder: Path, tmp_path: Path) -> None:
    xlsx = export_roster(folder, tmp_path / "花名册.xlsx", templates=TEMPLATES)
    wb = openpyxl.load_workbook(xlsx)
    cells = _row(wb["镇委书记"])
    cells["合作社资金"].value = "=800+60"  # a formula, saved without a computed value
    wb.save(xlsx)
    with pytest.raises(KitError, match="单元格是公式"):
        import_roster(xlsx, folder, templates=TEMPLATES)


@pytest.mark.parametrize("name", ["新.yaml", "花名册.xls", "花名册"])
def test_a_name_that_is_not_xlsx_is_refused(folder: Path, name: str) -> None:
    target = folder / name
    with pytest.raises(UsageError, match=r"\.xlsx") as err:
        export_roster(folder, target, templates=TEMPLATES)
    assert not target.exists()
    assert err.value.exit_code == 2


def test_an_existing_workbook_is_kept_unless_forced(folder: Path, tmp_path: Path) -> None:
    xlsx = tmp_path / "花名册.xlsx"
    xlsx.write_bytes(b"filled in")
    with pytest.raises(ExistsError, match="已存在"):
        export_roster(folder, xlsx, templates=TEMPLATES)
    assert xlsx.read_bytes() == b"filled in"
    export_roster(folder, xlsx, templates=TEMPLATES, force=True)
    (backup,) = backups_of(xlsx)
    assert backup.read_bytes() == b"filled in"
    assert openpyxl.load_workbook(xlsx).sheetnames[0] == "说明"
