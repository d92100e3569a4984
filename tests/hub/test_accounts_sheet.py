"""Accounts from Excel (``kit hub account import/export``), initial passwords, the
must-change flag, and an accounts file of the first version of the hub."""

from __future__ import annotations

import json
import sqlite3
import stat

import pytest
from openpyxl import Workbook, load_workbook

from kit.cli import main
from kit.hub.accounts import Accounts, initial_password, password_problem
from kit.hub.sheet import import_accounts

GOOD = "Dongshan-2024!"


def sheet(path, rows, header=("账号", "姓名", "角色", "单位")):
    wb = Workbook()
    ws = wb.active
    ws.title = "账号"
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    wb.save(path)
    return path


def passwords_of(path):
    ws = load_workbook(path).active
    return {r[0]: r[4] for r in ws.iter_rows(min_row=2, values_only=True) if r[0] and r[4]}


@pytest.fixture
def folder(tmp_path, monkeypatch):
    (tmp_path / "templates").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KIT_ROOT", raising=False)
    return tmp_path


def test_initial_passwords_are_random_and_meet_the_rule():
    made = {initial_password() for _ in range(50)}
    assert len(made) == 50
    assert all(password_problem(p) is None for p in made)


def test_import_adds_good_rows_reports_bad_ones_and_is_idempotent(folder, capsys):
    book = Accounts(folder)
    book.add("shenyue", "赵审", ["东山镇"], "审阅", GOOD)
    xlsx = sheet(folder / "账号.xlsx", [
        ("dongshan", "李东", "填报", "东山镇"),
        ("xihe", "王西", "填报", "西河乡，南岭镇"),
        ("DongShan2", "错号", "填报", "东山镇"),
        ("nanling", "孙南", "审核", "南岭镇"),
        ("beishan", "钱北", "填报", None),
        ("dongshan", "李东二", "填报", "东山镇"),
        (None, None, None, None),
        ("shenyue", "赵审", "审阅", "东山镇、西河乡"),
        ("guanli", "张管", "管理", None),
    ])
    assert main(["hub", "account", "import", str(xlsx)]) == 2
    out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert len(lines) == 4, err
    assert "第 4 行" in lines[0] and "您是否想写「dongshan2」" in lines[0]
    assert "第 5 行" in lines[1] and "字段「角色」" in lines[1] and "您是否想写「审阅」" in lines[1]
    assert "第 6 行" in lines[2] and "至少要有一个单位" in lines[2]
    assert "第 7 行" in lines[3] and "与第 2 行重复" in lines[3]
    assert "已存在，未改动：shenyue" in out
    assert main(["hub", "account", "list"]) == 0
    listed = capsys.readouterr().out
    assert "dongshan\t李东\t填报\t东山镇（首次登录须改密码）" in listed
    assert "shenyue\t赵审\t审阅\t东山镇\n" in listed
    assert {a.account for a in book.all()} == {"dongshan", "xihe", "shenyue", "guanli"}
    assert book.get("xihe").units == ("西河乡", "南岭镇")
    assert book.get("shenyue").units == ("东山镇",)  # not changed without --update
    (made,) = folder.glob("账号-初始密码-*.xlsx")
    assert stat.S_IMODE(made.stat().st_mode) == 0o600
    given = passwords_of(made)
    assert set(given) == {"dongshan", "xihe", "guanli"}
    assert len(set(given.values())) == 3
    for account, password in given.items():
        found, why = book.login(account, password)
        assert found is not None and found.must_change, why
    assert book.get("shenyue").must_change is False
    # The same file again: nothing added, no second password file.
    assert main(["hub", "account", "import", str(xlsx)]) == 2
    assert "共添加 0 个" in capsys.readouterr().out
    assert list(folder.glob("账号-初始密码-*.xlsx")) == [made]
    # --update changes units, never the password.
    assert main(["hub", "account", "import", str(xlsx), "--update"]) == 2
    assert "已修改：shenyue" in capsys.readouterr().out
    assert book.get("shenyue").units == ("东山镇", "西河乡")
    assert book.login("shenyue", GOOD)[0] is not None
    assert [e.event for e in book.events()].count("修改账号") == 1


def test_a_unit_without_parameter_files_is_imported_and_said(folder, capsys):
    (folder / "params").mkdir()
    (folder / "params" / "东山镇-镇委书记-王建国.yaml").write_text(
        "角色: 镇委书记\n姓名: 王建国\n单位: 东山镇\n年度: 2023\n", "utf-8")
    xlsx = sheet(folder / "账号.xlsx", [("dongshan", "李东", "填报", "东山真"),
                                        ("xihe", "王西", "填报", "东山镇")])
    assert main(["hub", "account", "import", str(xlsx)]) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "第 2 行" in err[0] and "单位「东山真」在参数文件夹里还没有参数文件" in err[0]
    assert "您是否想写「东山镇」" in err[0]
    assert Accounts(folder).get("dongshan").units == ("东山真",)  # as typed, never changed


def test_a_sheet_without_its_columns_or_not_xlsx_is_one_chinese_message(folder, capsys):
    bad = sheet(folder / "a.xlsx", [("dongshan", "李东", "填报")], header=("帐号", "姓名", "角色"))
    assert main(["hub", "account", "import", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "缺少列：账号、单位" in err and "您是否想写「账号」" in err and "Traceback" not in err
    (folder / "b.xlsx").write_bytes(b"not a workbook")
    assert main(["hub", "account", "import", "b.xlsx"]) == 2
    assert "不是 .xlsx 格式" in capsys.readouterr().err
    assert Accounts(folder).all() == []


def test_formulas_are_refused_and_text_stays_text(folder, capsys):
    wb = Workbook()
    ws = wb.active
    ws.title = "账号"
    ws.append(["账号", "姓名", "角色", "单位"])
    ws.append(["dongshan", "=1+1", "填报", "东山镇"])
    ws.append(["xihe", "王西", "填报", "西河乡"])
    wb.save(folder / "f.xlsx")
    out = import_accounts(folder / "f.xlsx", Accounts(folder))
    assert [a.account for a, _ in out.added] == ["xihe"]
    assert "B2 单元格是公式" in str(out.problems[0])


def test_export_blank_and_existing_then_round_trip(folder, capsys):
    book = Accounts(folder)
    book.add("dongshan", "李东", ["东山镇", "南岭镇"], "填报", GOOD)
    assert main(["hub", "account", "export", "--blank", "空白.xlsx"]) == 0
    ws = load_workbook(folder / "空白.xlsx")["账号"]
    assert [c.value for c in ws[1]] == ["账号", "姓名", "角色", "单位"] and ws.max_row >= 2
    assert ws.cell(2, 1).value is None and ws.cell(2, 1).number_format == "@"
    assert main(["hub", "account", "export", "--blank", "空白.xlsx"]) == 6  # never overwritten
    assert main(["hub", "account", "export", "全部.xlsx"]) == 0
    data = (folder / "全部.xlsx").read_bytes()
    assert GOOD.encode() not in data
    ws = load_workbook(folder / "全部.xlsx")["账号"]
    assert [c.value for c in ws[2]] == ["dongshan", "李东", "填报", "东山镇、南岭镇"]
    assert ws.cell(2, 1).data_type == "s"
    out = import_accounts(folder / "全部.xlsx", book, update=True)
    assert (out.added, out.updated, out.problems) == ([], [], [])
    assert main(["hub", "account", "export", "全部.xlsx", "--force"]) == 0
    assert list(folder.glob("全部.xlsx.*.bak")) or list(folder.glob("全部*.bak"))


def test_an_accounts_file_of_the_first_version_keeps_working(tmp_path):
    folder = tmp_path / ".kit-hub"
    folder.mkdir(mode=0o700)
    from argon2 import PasswordHasher

    with sqlite3.connect(folder / "accounts.sqlite") as con:  # the first version's schema
        con.executescript("""
            CREATE TABLE accounts (account TEXT PRIMARY KEY, name TEXT NOT NULL,
              units TEXT NOT NULL, role TEXT NOT NULL, hash TEXT NOT NULL,
              failures INTEGER NOT NULL DEFAULT 0, locked_until REAL NOT NULL DEFAULT 0,
              disabled INTEGER NOT NULL DEFAULT 0, last_login REAL NOT NULL DEFAULT 0);
            CREATE TABLE audit (id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL,
              account TEXT NOT NULL, event TEXT NOT NULL, detail TEXT NOT NULL DEFAULT '');
        """)
        con.execute("INSERT INTO accounts (account, name, units, role, hash) VALUES (?,?,?,?,?)",
                    ("dongshan", "李东", json.dumps(["东山镇"]), "填报", PasswordHasher().hash(GOOD)))
    book = Accounts(tmp_path)
    found, _ = book.login("dongshan", GOOD)
    assert found is not None and found.must_change is False
    book.set_password("dongshan", "Reset-by-admin-1", must_change=True)
    assert book.get("dongshan").must_change
    assert book.change_password("dongshan", "wrong", "New-pass-2024x") == "原密码不正确。"
    assert "至少三种" in book.change_password("dongshan", "Reset-by-admin-1", "newpassword")
    assert book.change_password("dongshan", "Reset-by-admin-1", "New-pass-2024x") is None
    assert not book.get("dongshan").must_change
    assert book.login("dongshan", "New-pass-2024x")[0] is not None
    assert [e.event for e in book.events()][-3:] == ["修改密码失败", "修改密码", "登录成功"]
