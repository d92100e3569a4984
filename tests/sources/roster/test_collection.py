"""Collection workbooks: rules Excel enforces while typing, locked identity, many
workbooks merged with conflicts named, formulas, comments kept, --blank, bad files."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from kit.cli import main
from kit.errors import ParamsError
from kit.iorw import backups_of
from kit.report.params import find_params, load
from kit.report.templates import load_roles
from kit.report.yamlio import dump
from kit.sources.importer import import_sample
from kit.sources.roster import export_roster, import_rosters

ROOT = Path(__file__).resolve().parents[3]
TEMPLATES = ROOT / "templates"
CORPUS = ROOT / "tests" / "sources" / "importer" / "fixtures" / "corpus"
MAYOR = {"镇长": {"生产总值": 12.5, "同比增长": -3.5, "一般公共预算收入": 3456,
                 "比上年下降": 120, "支配收入": 15230.5, "开工日期": "3月8日",
                 "竣工投用日期": "11月20日", "完成投资": 860.5, "项目资金": 1234.56,
                 "医疗保险参保率": 98.5, "城镇就业": 120, "急难愁盼问题": 36}}


@pytest.fixture
def mayor(tmp_path: Path) -> tuple[Path, Path]:
    """Templates: the shipped ones plus 镇长 imported from the corpus (dates, rates,
    grouped figures); params: three 镇长 of two townships."""
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    import_sample(CORPUS / "镇长_两个日期.txt", out_dir=templates)
    params = tmp_path / "params"
    params.mkdir()
    for n, (unit, name) in enumerate([("东山镇", "张三"), ("西河乡", "李四"), ("东山镇", "王五")]):
        data = {"角色": "镇长", "姓名": name, "单位": unit, "所属县": "云溪县", "省份": "甘肃",
                "年度": 2024} | {k: v + n if isinstance(v, int) and k != "同比增长" else v
                                for k, v in MAYOR["镇长"].items()}
        (params / f"{unit}-镇长-{name}.yaml").write_text(dump(data, header="示例"), "utf-8")
    return templates, params


def _rules(ws) -> dict[str, object]:
    """Column letter → its DataValidation."""
    out = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            out[openpyxl.utils.get_column_letter(rng.min_col)] = dv
    return out


def test_every_typed_column_has_its_rule_prompt_and_alert(tmp_path, mayor):
    templates, params = mayor
    xlsx = export_roster(params, tmp_path / "收集表.xlsx", templates=templates)
    wb = openpyxl.load_workbook(xlsx)
    assert wb.sheetnames == ["说明", "镇长"]
    ws = wb["镇长"]
    keys = {c.value: c.column_letter for c in ws[2]}
    fields = load_roles(templates)["镇长"].all_fields
    rules = _rules(ws)
    want = {"城镇就业": ("whole", "0", "1000000"), "生产总值": ("decimal", "0", None),
            "同比增长": ("decimal", "-1000", "1000"), "医疗保险参保率": ("decimal", "0", "100"),
            "年度": ("whole", "2000", "2100"), "一般公共预算收入": ("decimal", "0", None),
            "开工日期": ("date", "DATE(2000,1,1)", "DATE(2100,12,31)")}
    for key, (kind, lo, hi) in want.items():
        dv = rules[keys[key]]
        assert dv.type == kind, key
        assert dv.formula1 == lo and (hi is None or dv.formula2 == hi), (key, dv.formula1)
    assert rules[keys["单位类别"]].type == "list" and rules[keys["单位类别"]].formula1 == '"镇,乡"'
    assert rules[keys["姓名"]].type == "textLength" and rules[keys["姓名"]].formula1 == "10"
    for key, letter in keys.items():
        if key not in fields:
            continue
        dv = rules[letter]
        f = fields[key]
        assert dv.showErrorMessage and dv.errorStyle == "stop" and dv.showInputMessage
        assert dv.promptTitle == f.label[:32] and f.expected() in dv.prompt
        assert (f.unit in dv.prompt) if f.unit else True
        assert dv.error.startswith(f"「{f.label}」") and dv.errorTitle == "输入有误"
        assert str(dv.sqref).endswith(f"{letter}3:{letter}{ws.max_row}") or \
            f"{letter}3:" in str(dv.sqref)
    # Protection: the sheet is protected; identity of listed officials locked, figures free.
    assert ws.protection.sheet
    assert ws[f"{keys['姓名']}3"].protection.locked and ws["A3"].protection.locked
    assert not ws[f"{keys['城镇就业']}3"].protection.locked
    assert not ws[f"{keys['姓名']}10"].protection.locked  # a new official's row is free
    # Typed cells: dates are dates printed 3月8日, grouped figures keep their separator.
    assert isinstance(ws[f"{keys['开工日期']}3"].value, dt.datetime)
    assert ws[f"{keys['开工日期']}3"].number_format == 'm"月"d"日"'
    assert ws[f"{keys['一般公共预算收入']}3"].number_format == "#,##0"
    assert ws[f"{keys['项目资金']}3"].number_format == "#,##0.00"  # 1234.56


def test_round_trip_keeps_new_types_and_writes_nothing(tmp_path, mayor):
    templates, params = mayor
    before = {p.name: p.read_bytes() for p in find_params(params)}
    xlsx = export_roster(params, tmp_path / "r.xlsx", templates=templates)
    assert import_rosters([xlsx], params, templates=templates) == []
    assert {p.name: p.read_bytes() for p in find_params(params)} == before
    fresh = tmp_path / "fresh"
    import_rosters([xlsx], fresh, templates=templates)
    for p in find_params(params):
        assert load(fresh / p.name, templates=templates).values == \
            load(p, templates=templates).values


def test_many_workbooks_merged_conflicts_named(tmp_path, mayor):
    """One workbook per township as they come back, plus a late copy with one figure
    changed (conflict) and one identical duplicate (merged silently)."""
    templates, params = mayor
    master = export_roster(params, tmp_path / "全部.xlsx", templates=templates)
    books = []
    for unit in ("东山镇", "西河乡"):
        wb = openpyxl.load_workbook(master)
        ws = wb["镇长"]
        col = {c.value: c.column for c in ws[2]}
        for r in range(ws.max_row, 2, -1):
            if ws.cell(r, col["单位"]).value not in (unit, None):
                ws.delete_rows(r)
        path = tmp_path / "收回的" / f"{unit}.xlsx"
        path.parent.mkdir(exist_ok=True)
        wb.save(path)
        books.append(path)
    late = openpyxl.load_workbook(books[0])
    ws = late["镇长"]
    col = {c.value: c.column for c in ws[2]}
    zhang = next(r for r in range(3, ws.max_row + 1) if ws.cell(r, col["姓名"]).value == "张三")
    ws.cell(zhang, col["城镇就业"], 999)
    ws.cell(zhang, 1).value = None  # a township cleared the file name: identity still finds it
    late.save(tmp_path / "收回的" / "东山镇-补报.xlsx")
    shutil.copy(books[1], tmp_path / "收回的" / "西河乡-重复.xlsx")
    out = tmp_path / "out"
    with pytest.raises(ParamsError) as err:
        import_rosters(sorted((tmp_path / "收回的").glob("*.xlsx")), out, templates=templates)
    message = str(err.value)
    letter = openpyxl.utils.get_column_letter(col["城镇就业"])
    assert "张三" in message and "「新增城镇就业」在两处不同" in message
    assert f"收回的/东山镇.xlsx 工作表“镇长”{letter}" in message.replace("\\", "/") or \
        "东山镇.xlsx" in message
    assert "东山镇-补报.xlsx" in message and "「999」" in message
    written = sorted(p.name for p in find_params(out))
    assert written == ["东山镇-镇长-王五.yaml", "西河乡-镇长-李四.yaml"]  # not 张三
    assert load(out / "西河乡-镇长-李四.yaml", templates=templates).values["同比增长"] == \
        Decimal("-3.5")


def test_formula_without_cached_value_is_refused(tmp_path, mayor):
    templates, params = mayor
    xlsx = export_roster(params, tmp_path / "r.xlsx", templates=templates)
    wb = openpyxl.load_workbook(xlsx)
    ws = wb["镇长"]
    col = {c.value: c.column for c in ws[2]}
    ws.cell(3, col["城镇就业"], "=100+20")  # openpyxl saves no cached result
    wb.save(xlsx)
    out = tmp_path / "out"
    with pytest.raises(ParamsError, match="单元格是公式，请在 Excel 中另存为数值"):
        import_rosters([xlsx], out, templates=templates)
    assert len(find_params(out)) == 2  # the others are written


def test_update_keeps_comments_and_layout(tmp_path):
    params = tmp_path / "params"
    shutil.copytree(ROOT / "params", params)
    path = params / "东山镇-镇党建办主任-李明华.yaml"
    text = path.read_text("utf-8").replace("专题会议: 12", "专题会议: 12   # 含线上会议\n")
    path.write_text(text, "utf-8")
    xlsx = export_roster(params, tmp_path / "r.xlsx", templates=TEMPLATES)
    wb = openpyxl.load_workbook(xlsx)
    ws = wb["镇党建办主任"]
    col = {c.value: c.column for c in ws[2]}
    ws.cell(3, col["专题会议"], 15)
    wb.save(xlsx)
    assert [p.name for p in import_rosters([xlsx], params, templates=TEMPLATES)] == [path.name]
    assert path.read_text("utf-8") == text.replace("专题会议: 12", "专题会议: 15")
    (backup,) = backups_of(path)
    assert backup.read_text("utf-8") == text


def test_headers_by_label_with_spaces_brackets_and_units(tmp_path, shipped):
    params, xlsx, wb = shipped
    ws = wb["镇党建办主任"]
    ws.delete_rows(2)  # the hidden key row is gone
    for cell in ws[1]:
        if cell.value and "（" in cell.value:  # 「主持召开党建工作专题会议（次）」
            label, unit = cell.value[:-1].split("（", 1)
            cell.value = f" {label} (单位：{unit}) " if cell.column % 2 else f"{label}({unit})"
        elif cell.value == "姓名":
            cell.value = "姓 名"
    wb.save(xlsx)
    assert import_rosters([xlsx], params, templates=TEMPLATES) == []  # all matched, no change


def test_blank_workbook_for_a_new_year(tmp_path, mayor, capsys):
    templates, params = mayor
    # No parameter files yet: every role's empty sheet.
    assert main(["--templates", str(templates), "roster", "export", "--blank",
                 str(tmp_path / "无"), str(tmp_path / "空白.xlsx")]) == 0
    wb = openpyxl.load_workbook(tmp_path / "空白.xlsx")
    assert sorted(wb.sheetnames[1:]) == sorted(load_roles(templates))
    # With last year's files: identity filled, 年度 + 1, figures empty.
    assert main(["--templates", str(templates), "roster", "export", "--blank",
                 str(params), str(tmp_path / "2025.xlsx")]) == 0
    wb = openpyxl.load_workbook(tmp_path / "2025.xlsx")
    ws = wb["镇长"]
    col = {c.value: c.column for c in ws[2]}
    assert [ws.cell(r, col["年度"]).value for r in (3, 4, 5)] == [2025] * 3
    assert ws.cell(3, col["城镇就业"]).value is None and ws.cell(3, 1).value is None
    for r in (3, 4, 5):
        for key, value in (MAYOR["镇长"] | {"城镇就业": 130, "开工日期": "4月1日"}).items():
            ws.cell(r, col[key], value)
    wb.save(tmp_path / "2025.xlsx")
    # Into last year's folder: a file of another year is never overwritten.
    assert main(["--templates", str(templates), "roster", "import", str(tmp_path / "2025.xlsx"),
                 str(params)]) == 2
    err = capsys.readouterr().err
    assert "另一位同志或另一年度" in err and "params-2024" in err and "Traceback" not in err
    assert load(params / "东山镇-镇长-张三.yaml", templates=templates).values["年度"] == 2024
    # Into a new folder: one file per official, of the new year.
    new = tmp_path / "params-2025"
    assert main(["--templates", str(templates), "roster", "import", str(tmp_path / "2025.xlsx"),
                 str(new)]) == 0
    zhang = load(new / "东山镇-镇长-张三.yaml", templates=templates).values
    assert (zhang["年度"], zhang["城镇就业"], zhang["开工日期"]) == (2025, 130, "4月1日")


@pytest.mark.parametrize("blank", [[], ["--blank"]])
def test_export_goes_on_past_bad_files(tmp_path, capsys, blank):
    """Each bad file is named and the rest exported; with --blank too, where 年度 is read
    to start next year (「²⁰²³」 is that file's error with a hint, not a crash)."""
    params = tmp_path / "params"
    shutil.copytree(ROOT / "params", params)
    good = (params / "东山镇-镇委书记-王建国.yaml").read_text("utf-8")
    (params / "inf.yaml").write_text(good.replace("姓名: 王建国", "姓名: 甲")
                                     .replace("清理空壳社: 12", "清理空壳社: Infinity"), "utf-8")
    (params / "nan.yaml").write_text(good.replace("姓名: 王建国", "姓名: 乙")
                                     .replace("合作社资金: 860", "合作社资金: NaN"), "utf-8")
    (params / "year.yaml").write_text(good.replace("姓名: 王建国", "姓名: 丙")
                                      .replace("年度: 2023", '年度: "²⁰²³"'), "utf-8")
    (params / "loop.yaml").symlink_to(params / "loop.yaml")
    (params / "bad.yaml").write_text("角色: [", "utf-8")
    out = tmp_path / "r.xlsx"
    assert main(["--templates", str(TEMPLATES), "roster", "export", *blank, str(params),
                 str(out)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "loop.yaml" in err and "bad.yaml" in err
    assert "其余参数文件已导出" in err
    rows = [[c.value for c in row] for ws in openpyxl.load_workbook(out).worksheets[1:]
            for row in ws.iter_rows(min_row=3)]
    if blank:  # 年度 + 1 is computed: a 年度 that is not a year is named, with a hint
        assert "year.yaml" in err and "您是否想写「2023」" in err
        assert sorted(v for r in rows for v in r if v in ("王建国", "李明华", "丙")) == \
            ["李明华", "王建国"]
    else:  # copied as typed, to be checked when it comes back (import) or is built
        names = {r[0] for r in rows if r[0]}
        assert {"东山镇-镇委书记-王建国.yaml", "东山镇-镇党建办主任-李明华.yaml"} <= names


@pytest.mark.slow
def test_libreoffice_round_trip_keeps_values_and_rules(tmp_path, mayor):
    """Saved again by LibreOffice Calc (as a township might): values, rules and
    protection survive, formulas get cached results, and the import is unchanged."""
    if not shutil.which("soffice"):
        pytest.skip("LibreOffice 未安装")
    templates, params = mayor
    xlsx = export_roster(params, tmp_path / "in" / "r.xlsx", templates=templates)
    wb = openpyxl.load_workbook(xlsx)
    ws = wb["镇长"]
    col = {c.value: c.column for c in ws[2]}
    ws.cell(3, col["城镇就业"], "=100+20")
    wb.save(xlsx)
    out = tmp_path / "lo"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
                    "--convert-to", "xlsx", "--outdir", str(out), str(xlsx)],
                   check=True, capture_output=True, timeout=180)
    saved = out / "r.xlsx"
    before, after = openpyxl.load_workbook(xlsx)["镇长"], openpyxl.load_workbook(saved)["镇长"]
    def rule(v):  # formula2 only means something for a range (LibreOffice writes 0)
        ranged = (v.operator or "between") == "between" and v.type != "list"
        return (v.type, v.operator or "between", v.formula1,
                v.formula2 if ranged else None, v.prompt, v.error,
                v.errorStyle, bool(v.showErrorMessage))

    rules_before = {k: rule(v) for k, v in _rules(before).items()}
    rules_after = {k: rule(v) for k, v in _rules(after).items()}
    assert rules_after == rules_before
    assert after.protection.sheet and not after.cell(3, col["城镇就业"]).protection.locked
    fresh = tmp_path / "fresh"
    import_rosters([saved], fresh, templates=templates)
    values = load(fresh / "东山镇-镇长-张三.yaml", templates=templates).values
    assert values["城镇就业"] == 120  # the formula's cached result
    for p in find_params(params):
        want = load(p, templates=templates).values
        got = load(fresh / p.name, templates=templates).values
        assert {k: v for k, v in got.items() if k != "城镇就业"} == \
            {k: v for k, v in want.items() if k != "城镇就业"}


def test_import_goes_on_past_bad_workbooks_and_odd_files(tmp_path, capsys, shipped):
    params, xlsx, _ = shipped
    (params / "loop.yaml").symlink_to(params / "loop.yaml")  # in the folder written to
    (tmp_path / "坏.xlsx").write_text("not a workbook", "utf-8")
    (tmp_path / "文件夹.xlsx").mkdir()
    fresh = tmp_path / "fresh"
    shutil.copytree(params, fresh, symlinks=True)
    for p in find_params(fresh):
        if not p.is_symlink():
            p.unlink()
    code = main(["--templates", str(TEMPLATES), "roster", "import", str(tmp_path / "坏.xlsx"), str(tmp_path / "文件夹.xlsx"),
                 str(xlsx), str(fresh)])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert "无法读取 Excel 文件" in err and "不是一个普通文件" in err
    assert sorted(p.name for p in find_params(fresh) if not p.is_symlink()) == \
        sorted(p.name for p in find_params(params) if not p.is_symlink())


def test_one_person_in_two_roles_gets_two_files(shipped):
    params, xlsx, wb = shipped
    ws = wb["镇党建办主任"]
    row = [c.value for c in ws[3]]
    col = {c.value: c.column for c in ws[2]}
    row[0] = None  # a new row: no file name
    row[col["姓名"] - 1] = "王建国"  # the 镇委书记 of 东山镇, who also runs the office
    for c, value in enumerate(row, start=1):
        ws.cell(4, c, value)
    wb.save(xlsx)
    before = (params / "东山镇-镇委书记-王建国.yaml").read_bytes()
    written = import_rosters([xlsx], params, templates=TEMPLATES)
    assert [p.name for p in written] == ["东山镇-镇党建办主任-王建国.yaml"]
    assert (params / "东山镇-镇委书记-王建国.yaml").read_bytes() == before


def test_a_column_inserted_by_a_township_is_never_silently_dropped(shipped):
    params, xlsx, wb = shipped
    ws = wb["镇党建办主任"]
    ws.protection.sheet = False
    ws.insert_cols(3)
    ws.cell(1, 3, "备注")
    ws.cell(3, 3, "已核实")
    wb.save(xlsx)
    with pytest.raises(ParamsError, match="不认识的列「备注」"):
        import_rosters([xlsx], params, templates=TEMPLATES)


def test_export_never_replaces_a_workbook_without_force(shipped, capsys):
    params, xlsx, _ = shipped
    filled = xlsx.read_bytes()
    argv = ["--templates", str(TEMPLATES), "roster", "export", str(params), str(xlsx)]
    assert main(argv) == 6
    assert "已存在" in capsys.readouterr().err and xlsx.read_bytes() == filled
    assert main([*argv, "--force"]) == 0
    (backup,) = backups_of(xlsx)
    assert backup.read_bytes() == filled
