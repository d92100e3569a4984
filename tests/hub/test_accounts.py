"""The hub's accounts file: hashing, the password rule, lockout, the audit trail, and
``kit hub account`` as an administrator types it."""

from __future__ import annotations

import io
import sys

import pytest
from openpyxl import load_workbook

from kit.cli import main
from kit.errors import KitError
from kit.hub.accounts import LOCK_MINUTES, MAX_FAILURES, Accounts, password_problem
from kit.iorw import backups_of

GOOD = "Dongshan-2024!"


@pytest.fixture
def book(tmp_path):
    return Accounts(tmp_path)


def test_passwords_are_stored_as_argon2_hashes_in_a_private_file(book):
    book.add("dongshan", "李东", ["东山镇"], "填报", GOOD)
    data = book.path.read_bytes()
    assert GOOD.encode() not in data and b"$argon2id$" in data
    assert book.path.stat().st_mode & 0o077 == 0
    assert book.path.parent.stat().st_mode & 0o077 == 0


@pytest.mark.parametrize(("password", "why"), [
    ("Ab1!", "至少 10 位"), ("abcdefghijk", "至少三种"), ("abcdefgh12", "至少三种"),
])
def test_weak_passwords_are_refused_on_set_and_reset(book, password, why):
    assert why in (password_problem(password) or "")
    with pytest.raises(KitError, match=why):
        book.add("dongshan", "李东", ["东山镇"], "填报", password)
    book.add("dongshan", "李东", ["东山镇"], "填报", GOOD)
    with pytest.raises(KitError, match=why):
        book.set_password("dongshan", password)


def test_lockout_after_wrong_passwords_and_unlock(book):
    book.add("dongshan", "李东", ["东山镇"], "填报", GOOD)
    now = 1_000_000.0
    for i in range(MAX_FAILURES):
        found, why = book.login("dongshan", "Wrong-pass-1", now=now + i)
        assert found is None
    assert "已锁定" in why
    assert book.login("dongshan", GOOD, now=now + 60)[0] is None  # locked, right password
    found, _ = book.login("dongshan", GOOD, now=now + LOCK_MINUTES * 60 + 10)
    assert found is not None and found.units == ("东山镇",)
    book.set_disabled("dongshan", True)
    assert "管理员锁定" in book.login("dongshan", GOOD)[1]
    book.set_disabled("dongshan", False)
    assert book.login("dongshan", GOOD)[0] is not None


def test_unknown_account_and_account_names(book):
    assert book.login("nobody", GOOD) == (None, "账号或密码不正确。")
    with pytest.raises(KitError, match="您是否想写「dongshan」"):
        book.add("DongShan", "李东", ["东山镇"], "填报", GOOD)
    with pytest.raises(KitError, match="至少要有一个单位"):
        book.add("dongshan", "李东", [], "填报", GOOD)


def test_kit_hub_account_commands(tmp_path, monkeypatch, capsys):
    (tmp_path / "templates").mkdir()
    monkeypatch.chdir(tmp_path)

    def kit(*args: str, stdin: str = "") -> int:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        return main(["hub", "account", *args])

    assert kit("add", "dongshan", "--name", "李东", "--unit", "东山镇", "--role", "填报",
               "--password-stdin", stdin=GOOD + "\n") == 0
    assert kit("add", "xihe", "--name", "王西", "--unit", "西河乡", "--role", "填报",
               "--password-stdin", stdin="short\n") == 2
    assert "密码至少 10 位" in capsys.readouterr().err
    assert kit("list") == 0
    assert "dongshan\t李东\t填报\t东山镇" in capsys.readouterr().out
    assert kit("lock", "dongshan") == 0 and kit("list") == 0
    assert "（已锁定）" in capsys.readouterr().out
    assert kit("password", "dongshan", "--password-stdin", stdin="Another-pass-9\n") == 0
    assert kit("remove", "dongshan") == 0
    assert kit("remove", "dongshan") == 2
    assert "没有这个账号" in capsys.readouterr().err
    target = tmp_path / "审计.xlsx"
    assert main(["hub", "audit", str(target)]) == 0
    rows = list(load_workbook(target).active.iter_rows(values_only=True))
    assert rows[0] == ("时间", "账号", "事件", "内容")
    assert [r[2] for r in rows[1:]] == ["添加账号", "锁定账号", "重设密码", "删除账号"]
    assert main(["hub", "audit", str(target)]) == 6  # never overwritten without --force
    assert "已存在" in capsys.readouterr().err
    assert main(["hub", "audit", str(tmp_path / "审计.csv")]) == 2
    assert "您是否想写「审计.xlsx」" in capsys.readouterr().err
    assert main(["hub", "audit", str(target), "--force"]) == 0 and backups_of(target)


def test_kit_hub_without_accounts_says_how_to_add_one(tmp_path, monkeypatch, capsys):
    (tmp_path / "templates").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KIT_ROOT", raising=False)
    assert main(["hub", "--port", "18990"]) == 2
    err = capsys.readouterr().err
    assert "还没有任何账号" in err and "kit hub account add" in err
    with pytest.raises(SystemExit) as stop:  # every port is checked, as argparse does
        main(["hub", "--port", "65534"])  # the hub needs the two after it too
    assert stop.value.code == 2 and "65533" in capsys.readouterr().err
