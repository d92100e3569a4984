"""kit roll: next year's parameter files from this year's."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest

from kit.cli import main
from kit.errors import KitError, ParamsError
from kit.report.params import find_params, load
from kit.report.templates import load_roles
from kit.sources.roll import default_out, roll
from kit.sources.roster import export_roster, import_roster

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"


@pytest.fixture()
def params(tmp_path: Path) -> Path:
    folder = tmp_path / "params"
    shutil.copytree(ROOT / "params", folder)
    return folder


def test_roll_carries_identity_and_text_and_clears_figures(params):
    before = {p.name: p.read_bytes() for p in find_params(params)}
    written = roll(params, 2024, templates=TEMPLATES)
    assert default_out(params, 2024) == params.with_name("params-2024")
    assert sorted(p.name for p in written) == sorted(before)
    assert all(p.parent == params.with_name("params-2024") for p in written)
    assert {p.name: p.read_bytes() for p in find_params(params)} == before  # untouched

    roles = load_roles(TEMPLATES)
    for path in written:
        old = load(params / path.name, templates=TEMPLATES)
        template = roles[old.role]
        text = path.read_text("utf-8")
        assert "年度: 2024" in text
        figures = [f for f in template.fields.values() if f.type.numeric]
        for f in figures:
            assert f"{f.key}:  # 待填：{f.title}" in text
        # Loading lists exactly the figures left to fill, nothing else.
        with pytest.raises(ParamsError) as err:
            load(path, templates=TEMPLATES)
        assert [p.message for p in err.value.problems] == ["缺少必填项"] * len(figures)
        assert [p.key for p in err.value.problems] == [f.key for f in figures]
        # Identity and text carried over.
        for key in ("姓名", "单位", "所属县", "省份"):
            assert f"{key}: {old.values[key]}" in text
        for f in template.fields.values():
            if not f.type.numeric and f.key in old.values:
                assert f"{f.key}: {old.values[f.key]}  # 请核对：沿用 2023 年的内容" in text


def test_roll_then_fill_in_excel(params, tmp_path):
    """The yearly routine: roll, export the half-filled files, fill in Excel, import."""
    new = tmp_path / "2024"
    roll(params, 2024, new, templates=TEMPLATES)
    xlsx = export_roster(new, tmp_path / "2024.xlsx", templates=TEMPLATES)
    wb = openpyxl.load_workbook(xlsx)
    roles = load_roles(TEMPLATES)
    for ws in wb.worksheets[1:]:  # the first sheet is 说明
        keys = [c.value for c in ws[2]]
        for col, key in enumerate(keys, start=1):
            f = roles[ws.title].fields.get(key)
            if f and f.type.numeric:
                assert ws.cell(3, col).value is None  # cleared
                ws.cell(3, col).value = 7
    wb.save(xlsx)
    assert len(import_roster(xlsx, new, templates=TEMPLATES)) == 2
    for path in find_params(new):
        official = load(path, templates=TEMPLATES)
        assert official.year == 2024 and official.values[next(iter(official.template.fields))] == 7


def test_roll_refuses_to_overwrite_or_to_write_into_this_year(params, tmp_path, capsys):
    out = tmp_path / "next"
    roll(params, 2024, out, templates=TEMPLATES)
    with pytest.raises(ParamsError, match="已存在"):
        roll(params, 2024, out, templates=TEMPLATES)
    with pytest.raises(KitError, match="不能是参数文件夹本身"):
        roll(params, 2024, params, templates=TEMPLATES)
    with pytest.raises(KitError, match="年度"):
        roll(params, 24, out, templates=TEMPLATES)
    code = main(["--templates", str(TEMPLATES), "roll", str(params), "--year", "2024",
                 "-o", str(out)])
    assert code == 2 and "已存在" in capsys.readouterr().err


def test_a_bad_file_does_not_stop_the_others(params, tmp_path):
    (params / "坏文件.yaml").write_text("角色: 镇委书计\n姓名: 张三\n", encoding="utf-8")
    out = tmp_path / "next"
    with pytest.raises(ParamsError, match="您是否想写「镇委书记」") as err:
        roll(params, 2024, out, templates=TEMPLATES)
    assert "其余 2 个文件已生成" in str(err.value)
    assert len(list(out.glob("*.yaml"))) == 2


def test_roll_refuses_a_year_that_is_not_later(params, tmp_path):
    out = tmp_path / "same"
    with pytest.raises(ParamsError, match="下一年度应晚于文件里的年度") as err:
        roll(params, 2023, out, templates=TEMPLATES)
    assert "第 7 行" in str(err.value) and "大于 2023 的年份" in str(err.value)
    assert not list(out.glob("*.yaml"))


def test_a_misspelt_role_is_reported_with_its_line_and_the_others_are_rolled(params):
    """The role is looked up as everywhere else (kit.report.params.role_of): line, choices, hint."""
    bad = params / "东山镇-镇委书记-王建国.yaml"
    bad.write_text(bad.read_text("utf-8").replace("角色: 镇委书记", "角色: 镇委书计"), "utf-8")
    line = bad.read_text("utf-8").splitlines().index("角色: 镇委书计") + 1
    with pytest.raises(ParamsError) as err:
        roll(params, 2024, templates=TEMPLATES)
    first = err.value.problems[0]
    assert (first.field, first.line, first.found) == ("角色", line, "「镇委书计」")
    assert "「镇委书记」" in (first.hint or "")
    assert [p.name for p in find_params(params.with_name("params-2024"))] == [
        "东山镇-镇党建办主任-李明华.yaml"]
