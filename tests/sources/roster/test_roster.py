"""Excel rosters: parameter files → workbook → parameter files, nothing lost or changed."""

from __future__ import annotations

import random
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from kit.cli import main
from kit.errors import KitError, ParamsError
from kit.iorw import BACKUPS_KEPT, backups_of
from kit.report.params import find_params, load
from kit.report.templates import load_roles
from kit.report.yamlio import decode, dump, load_mapping
from kit.sources.roster import export_roster, import_roster

ROOT = Path(__file__).resolve().parents[3]
TEMPLATES = ROOT / "templates"
TRICKY_TEXT = ["0123", "12", "true", "no", "1e3", "石门", "说明：a: b # c", "“回头看”", "- 开头",
               "null"]


def generate(folder: Path, seed: int, n: int = 9) -> dict[str, dict]:
    """``n`` parameter files of mixed roles with random values of every kind; some
    optional values missing.  Returns file name → mapping as written."""
    rng = random.Random(seed)
    roles = load_roles(TEMPLATES)
    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    for i in range(n):
        role = rng.choice(sorted(roles))
        t = roles[role]
        data: dict = {"角色": role, "姓名": f"干部{i:02d}", "单位": rng.choice(["东山镇", "西河乡"]),
                      "所属县": "云溪县", "省份": "甘肃", "年度": 2023}
        if rng.random() < 0.3:
            data["排序"] = rng.randint(1, 20)
        for f in t.fields.values():
            if not f.required and rng.random() < 0.5:
                continue
            hi = int(f.bounds()[1] or 999)
            if f.type.name == "count":
                data[f.key] = rng.randint(0, hi)
            elif f.type.name in ("amount", "percent"):
                data[f.key] = float(Decimal(rng.randint(0, hi * 100)) / 100)
            else:
                fits = [t for t in TRICKY_TEXT if len(t) <= (f.max_len or 99)]
                data[f.key] = "0123" if i == 0 else rng.choice(fits)
        name = f"{i:02d}-{role}.yaml"
        (folder / name).write_text(dump(data, header=f"示例 {i}"), encoding="utf-8")
        written[name] = data
    return written


def typed(folder: Path) -> dict[str, dict]:
    """Every file's checked, typed values (what a report is made from)."""
    return {p.name: load(p, templates=TEMPLATES).values for p in find_params(folder)}


@pytest.mark.parametrize("seed", range(4))
def test_round_trip_is_lossless(tmp_path, seed):
    params = tmp_path / "params"
    generate(params, seed)
    before = {p.name: p.read_bytes() for p in find_params(params)}
    values = typed(params)
    xlsx = export_roster(params, tmp_path / "花名册.xlsx", templates=TEMPLATES)

    # Back into the same folder: nothing changed, so nothing is written.
    assert import_roster(xlsx, params, templates=TEMPLATES) == []
    assert {p.name: p.read_bytes() for p in find_params(params)} == before
    assert not list(params.glob("*.bak"))

    # Into an empty folder: the same files with the same values, types included.
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    written = import_roster(xlsx, fresh, templates=TEMPLATES)
    assert sorted(p.name for p in written) == sorted(before)
    again = typed(fresh)
    assert again == values
    for name, vals in values.items():
        for key, value in vals.items():
            assert type(again[name][key]) is type(value), (name, key)
        raw = load_mapping(decode((fresh / name).read_bytes(), name), name)
        orig = load_mapping(decode(before[name], name), name)
        assert set(raw) == set(orig)  # empty stays missing: no key appears or vanishes


def test_cells_are_typed(tmp_path):
    params = tmp_path / "params"
    generate(params, 7, n=12)
    xlsx = export_roster(params, tmp_path / "r.xlsx", templates=TEMPLATES)
    wb = openpyxl.load_workbook(xlsx)
    roles = load_roles(TEMPLATES)
    assert wb.sheetnames[0] == "说明" and set(wb.sheetnames[1:]) <= set(roles)
    for ws in wb.worksheets[1:]:
        assert ws.row_dimensions[2].hidden
        keys = [c.value for c in ws[2]]
        heads = [c.value for c in ws[1]]
        fields = roles[ws.title].all_fields
        for key, head in zip(keys[1:], heads[1:], strict=True):
            assert head == fields[key].title  # 「主持召开党建工作专题会议（次）」
        for row in ws.iter_rows(min_row=3):
            for key, cell in zip(keys, row, strict=True):
                if cell.value is None:
                    continue
                f = fields.get(key)
                if f and f.type.widget in ("int", "float"):
                    assert cell.data_type == "n", (ws.title, key, cell.value)
                else:
                    assert cell.data_type == "s" and cell.number_format == "@", (key, cell.value)
    texts = [c.value for ws in wb.worksheets[1:] for row in ws.iter_rows(min_row=3) for c in row]
    assert "0123" in texts  # text that looks like a number stays text


def test_edit_in_excel_updates_in_place_with_backup(tmp_path, shipped):
    params, xlsx, wb = shipped
    ws = wb["镇党建办主任"]
    col = {c.value: c.column for c in ws[2]}
    ws.cell(3, col["专题会议"], 15)
    ws.cell(3, col["其他工作"]).value = None  # cleared: the optional item goes away
    ws.cell(3, col["包抓村"], "0123")
    new = ws.max_row + 1  # a new official, no file name yet
    for key, value in {"姓名": "赵新", "单位": "西河乡", "所属县": "云溪县", "省份": "甘肃",
                       "年度": 2023, "专题会议": 3, "讲党课": 2, "谈心谈话": 40,
                       "党建覆盖率": 0.95, "包抓村": "河湾", "回炉党员": 20}.items():
        ws.cell(new, col[key], value)
    ws.cell(new, col["党建覆盖率"]).number_format = "0%"  # typed as 95% in Excel
    wb.save(xlsx)

    written = import_roster(xlsx, params, templates=TEMPLATES)
    assert sorted(p.name for p in written) == ["东山镇-镇党建办主任-李明华.yaml",
                                              "西河乡-镇党建办主任-赵新.yaml"]
    li = params / "东山镇-镇党建办主任-李明华.yaml"
    text = li.read_text("utf-8")
    assert text.startswith("# 2023年度述职报告参数")  # the file's comment is kept
    assert "其他工作" not in text and "包抓村: '0123'" in text
    assert load(li, templates=TEMPLATES).values["专题会议"] == 15
    (backup,) = backups_of(params / "东山镇-镇党建办主任-李明华.yaml")
    assert "其他工作" in backup.read_text("utf-8")
    assert load(params / "西河乡-镇党建办主任-赵新.yaml", templates=TEMPLATES).values["党建覆盖率"] \
        == Decimal(95)
    assert backups_of(params / "东山镇-镇委书记-王建国.yaml") == []  # unchanged row


def test_a_roster_import_keeps_as_many_backups_as_the_form(tmp_path, shipped):
    from kit.form.logic import check_form, save_params

    params, xlsx, wb = shipped
    ws = wb["镇党建办主任"]
    col = {c.value: c.column for c in ws[2]}
    li = params / "东山镇-镇党建办主任-李明华.yaml"
    by_form = tmp_path / "form" / li.name
    by_form.parent.mkdir()
    official = load(li, templates=TEMPLATES)
    saves = BACKUPS_KEPT + 2
    for i in range(saves):  # each save changes a value, so each replaces the file
        ws.cell(3, col["专题会议"], 100 + i)
        wb.save(xlsx)
        import_roster(xlsx, params, templates=TEMPLATES)
        chk = check_form(official.template, official.values | {"专题会议": 100 + i})
        assert save_params(by_form, chk, overwrite=True).written
    assert len(backups_of(li)) == len(backups_of(by_form)) == BACKUPS_KEPT


def test_errors_name_sheet_row_and_column(tmp_path, capsys):
    params = tmp_path / "params"
    generate(params, 3, n=6)
    xlsx = export_roster(params, tmp_path / "r.xlsx", templates=TEMPLATES)
    wb = openpyxl.load_workbook(xlsx)
    ws = wb["镇委书记"] if "镇委书记" in wb.sheetnames else wb.worksheets[1]
    keys = [c.value for c in ws[2]]
    numeric = next(k for k in keys if k in load_roles(TEMPLATES)[ws.title].fields
                   and load_roles(TEMPLATES)[ws.title].fields[k].type.name == "count")
    col = keys.index(numeric) + 1
    ws.cell(3, col, "十二")
    bad_file = ws.cell(3, 1).value
    wb.save(xlsx)
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(ParamsError) as err:
        import_roster(xlsx, out, templates=TEMPLATES)
    letter = openpyxl.utils.get_column_letter(col)
    label = load_roles(TEMPLATES)[ws.title].fields[numeric].label
    message = str(err.value)
    assert f"工作表“{ws.title}”第 3 行 {letter} 列（{label}）：应填阿拉伯数字" in message
    assert "您是否想写「12」" in message
    # One bad official never stops the others.
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in find_params(params)
                                                           if p.name != bad_file)
    assert main(["--templates", str(TEMPLATES), "roster", "import", str(xlsx), str(out)]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_sheet_that_is_not_a_role_and_headers_without_keys(tmp_path, shipped):
    params, xlsx, wb = shipped
    wb["镇委书记"].delete_rows(2)  # someone deleted the hidden key row
    wb.create_sheet("镇委书计")
    wb.save(xlsx)
    with pytest.raises(ParamsError, match="您是否想写「镇委书记」"):
        import_roster(xlsx, params, templates=TEMPLATES)
    del wb["镇委书计"]
    wb.save(xlsx)
    assert import_roster(xlsx, params, templates=TEMPLATES) == []  # labels matched, no change


def test_not_an_excel_file(tmp_path):
    bad = tmp_path / "r.xlsx"
    bad.write_text("not excel", encoding="utf-8")
    with pytest.raises(KitError, match="无法读取 Excel 文件") as info:
        import_roster(bad, tmp_path, templates=TEMPLATES)
    assert "zip" not in str(info.value)  # openpyxl's English is not shown


def test_a_workbook_too_big_to_load_is_refused_before_loading(tmp_path):
    import zipfile

    from kit.sources.roster.reading import MAX_CELLS, MAX_UNPACKED

    # A sheet of more cells than allowed (counted in its XML: openpyxl's write-only
    # mode declares no size, and a declared size is not trusted anyway).
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("镇党建办主任")
    for _ in range(MAX_CELLS // 100 + 1):
        ws.append([1] * 100)
    wb.save(tmp_path / "大.xlsx")
    with pytest.raises(KitError, match="工作表“镇党建办主任”太大") as info:
        import_roster(tmp_path / "大.xlsx", tmp_path, templates=TEMPLATES)
    assert f"{MAX_CELLS + 100} 个单元格" in str(info.value)
    # A small file that unpacks to more than the workbook's bound.
    with zipfile.ZipFile(tmp_path / "炸弹.xlsx", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b" " * (MAX_UNPACKED + 1))
    assert (tmp_path / "炸弹.xlsx").stat().st_size < 1 << 20
    with pytest.raises(KitError, match="解压后太大"):
        import_roster(tmp_path / "炸弹.xlsx", tmp_path, templates=TEMPLATES)


@pytest.mark.parametrize("command", [["roster", "export", "{missing}", "{out}/花名册.xlsx"],
                                     ["roll", "{missing}", "--year", "2024"]])
def test_a_params_folder_that_does_not_exist_is_one_message(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]) -> None:
    argv = [a.format(missing=tmp_path / "参数", out=tmp_path) for a in command]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "找不到参数文件夹" in err and "Traceback" not in err
