"""Collection workbooks carry typed decimal places both ways (Excel stores 12.50 as 12.5:
the number format keeps the zero), and a cell with a character the report cannot show
is named, not stripped."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from kit.build.official import report_of
from kit.errors import ParamsError
from kit.report.params import load
from kit.sources.roster import export_roster, import_rosters
from tests.report.test_typed_values import GOOD, IDENTITY, TEMPLATE


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "测试.md").write_text(TEMPLATE, "utf-8")
    (tmp_path / "params").mkdir()
    lines = ["角色: 测试", *(f"{k}: {v}" for k, v in (IDENTITY | GOOD).items())]
    (tmp_path / "params" / "李明.yaml").write_text("\n".join(lines) + "\n", "utf-8")
    return tmp_path


def _export(folder: Path) -> tuple[openpyxl.Workbook, dict[str, int]]:
    export_roster(folder / "params", folder / "表.xlsx", templates=folder / "templates")
    wb = openpyxl.load_workbook(folder / "表.xlsx")
    return wb, {c.value: c.column for c in wb["测试"][2]}


def _import(folder: Path, wb: openpyxl.Workbook) -> str:
    wb.save(folder / "回.xlsx")
    import_rosters([folder / "回.xlsx"], folder / "params", templates=folder / "templates")
    return (folder / "params" / "李明.yaml").read_text("utf-8")


def test_typed_places_survive_export_and_import(folder: Path) -> None:
    wb, col = _export(folder)
    cell = wb["测试"].cell(3, col["金额"])
    assert (cell.value, cell.number_format) == (12.5, "0.00")  # Excel shows 12.50
    wb["测试"].cell(3, col["次数"], 6)  # the township changes another figure
    text = _import(folder, wb)
    assert "金额: 12.50\n" in text and "占比: 98.0\n" in text and "次数: 6\n" in text


@pytest.mark.parametrize(("value", "number_format", "printed"), [
    (5, "0.0", "5.0"),  # what Excel shows is what was meant
    (7.0, "General", "7"),  # General shows 7: no places to keep
    (12.5, "#,##0.00", "12.50"),
])
def test_a_cell_is_read_as_excel_shows_it(folder: Path, value: float, number_format: str,
                                          printed: str) -> None:
    wb, col = _export(folder)
    cell = wb["测试"].cell(3, col["金额"], value)
    cell.number_format = number_format
    _import(folder, wb)
    official = load(folder / "params" / "李明.yaml", templates=folder / "templates")
    assert f"完成项目资金{printed}万元，" in "".join(report_of(official).paragraphs())


def test_a_percent_cell_keeps_the_places_its_format_shows(folder: Path) -> None:
    wb, col = _export(folder)
    cell = wb["测试"].cell(3, col["占比"], 0.955)
    cell.number_format = "0.0%"
    assert "占比: 95.5\n" in _import(folder, wb)


def test_a_cell_with_an_unshowable_character_is_named_not_stripped(folder: Path) -> None:
    wb, col = _export(folder)
    wb["测试"].cell(3, col["村名"], "石\ue001门")
    before = (folder / "params" / "李明.yaml").read_text("utf-8")
    with pytest.raises(ParamsError) as err:
        _import(folder, wb)
    text = "\n".join(str(p) for p in err.value.problems)
    assert "第 1 个字后有一个无法显示的字符（U+E001）" in text and "您是否想写「石门」？" in text
    assert (folder / "params" / "李明.yaml").read_text("utf-8") == before


@pytest.mark.parametrize(("typed", "name"), [("石\u200b门", "零宽空格（U+200B）"),
                                             ("石\u202e门", "方向控制符（U+202E）"),
                                             ("石\x85门", "控制字符（U+0085）")])
def test_a_cell_with_an_invisible_character_is_named_not_stripped(
        folder: Path, typed: str, name: str) -> None:
    wb, col = _export(folder)
    wb["测试"].cell(3, col["村名"], typed)
    before = (folder / "params" / "李明.yaml").read_text("utf-8")
    with pytest.raises(ParamsError) as err:
        _import(folder, wb)
    text = "\n".join(str(p) for p in err.value.problems)
    assert "第 1 个字后有一个" in text and name in text and "您是否想写「石门」？" in text
    assert typed[1] not in text
    assert (folder / "params" / "李明.yaml").read_text("utf-8") == before


def test_a_header_with_a_zero_width_space_is_shown_and_the_label_suggested(
        folder: Path) -> None:
    wb, col = _export(folder)
    ws = wb["测试"]
    ws.delete_rows(2)  # no key row: columns are matched by their labels
    ws.cell(1, col["村名"], "包抓的\u200b村")
    with pytest.raises(ParamsError) as err:
        _import(folder, wb)
    text = "\n".join(str(p) for p in err.value.problems)
    assert "不认识的列「包抓的〈U+200B〉村」" in text and "您是否想写「包抓的村」？" in text
    assert "\u200b" not in text


def test_a_line_separator_in_a_long_text_cell_is_a_line_break_and_the_file_reads_back(
        folder: Path) -> None:
    """Written escaped (「\\L」), so the parameter file holds no line break an editor hides
    (such a file would be refused), and the report joins the lines as for 「\\n」."""
    wb, col = _export(folder)
    wb["测试"].cell(3, col["情况"], "第一段\u2028第二段")
    text = _import(folder, wb)
    assert "\u2028" not in text and '情况: "第一段\\L第二段"\n' in text
    official = load(folder / "params" / "李明.yaml", templates=folder / "templates")
    assert "第一段第二段" in "\n".join(report_of(official).paragraphs())
