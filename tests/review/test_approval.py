"""The review record: status keyed by the data, append-only, two reviewers at once, CLI."""

from __future__ import annotations

import io
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import openpyxl
import pytest

from kit.cli import main
from kit.review.record import DB_NAME, Store
from kit.review.status import decide, statuses
from tests.conftest import ROOT

LI = "东山镇-镇党建办主任-李明华.yaml"
WANG = "东山镇-镇委书记-王建国.yaml"


def _status(project: Path) -> dict[str, str]:
    return {s.path.name: s.status for s in statuses(project / "params")}


def test_status_follows_the_data_not_the_file(project: Path) -> None:
    assert _status(project) == {LI: "待审", WANG: "待审"}
    decide([project / "params" / LI], "已通过", "张审")
    assert _status(project) == {LI: "已通过", WANG: "待审"}
    path = project / "params" / LI
    text = path.read_text("utf-8")
    path.write_text("# 只改了注释和空行\n\n" + text, "utf-8")  # data unchanged
    assert _status(project)[LI] == "已通过"
    path.rename(path.with_name("改了名字.yaml"))  # a new name is still the same data
    assert _status(project)["改了名字.yaml"] == "已通过"
    moved = project / "params" / "改了名字.yaml"
    moved.write_text(text.replace("专题会议: 12", "专题会议: 13"), "utf-8")
    assert _status(project)["改了名字.yaml"] == "已修改，待重审"
    decide([moved], "退回", "李审", reason="专题会议次数与台账不符")
    (s,) = [s for s in statuses(project / "params") if s.path == moved]
    assert (s.status, s.reason, s.record.reviewer) == ("退回", "专题会议次数与台账不符", "李审")


def test_record_is_append_only(project: Path) -> None:
    decide([project / "params" / LI], "已通过", "张审")
    con = sqlite3.connect(project / "params" / DB_NAME)
    for sql in ("UPDATE records SET status = '退回'", "DELETE FROM records"):
        with pytest.raises(sqlite3.DatabaseError, match="只能追加"):
            con.execute(sql)
    con.close()
    assert [r.status for r in Store.of_folder(project / "params").records()] == ["已通过"]


def test_a_broken_file_cannot_be_approved_nor_returned_without_reason(project: Path) -> None:
    bad = project / "params" / LI
    bad.write_text(bad.read_text("utf-8").replace("专题会议: 12", "专题会议: 十二个"), "utf-8")
    with pytest.raises(Exception, match="专题会议"):
        decide([bad], "已通过", "张审")
    with pytest.raises(Exception, match="退回需要写明意见"):
        decide([bad], "退回", "张审", reason=" ")
    assert Store.of_folder(project / "params").records() == []


_APPROVE_MANY = """
import sys
from pathlib import Path
from kit.review.status import decide
folder, who, n = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
files = sorted(folder.glob("*.yaml"))
for i in range(n):
    decide([files[i % len(files)]], "已通过", who)
"""


def test_two_reviewers_at_once_lose_no_record(project: Path) -> None:
    n = 60
    procs = [subprocess.Popen([sys.executable, "-c", _APPROVE_MANY, str(project / "params"),
                               who, str(n)], cwd=ROOT, stderr=subprocess.PIPE, text=True)
             for who in ("甲", "乙")]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    records = Store.of_folder(project / "params").records()
    assert len(records) == 2 * n
    assert Counter(r.reviewer for r in records) == {"甲": n, "乙": n}
    assert [r.id for r in records] == list(range(1, 2 * n + 1))


_ADD_MANY = """
import os, sys, time
from kit.review.record import Store
while not os.path.exists(sys.argv[3]):  # all start together
    time.sleep(0.001)
for k in range(20):
    Store(sys.argv[1]).add(f"{sys.argv[2]}-{k}", "x.yaml", "h", "已通过", sys.argv[2])
"""


def test_many_reviewers_opening_a_new_record_at_once(tmp_path: Path) -> None:
    """Eight reviewers starting on a new folder together all get their rows in: the
    record is created once, whole, and the switch of its journal mode (a lock SQLite does
    not wait for) is retried (this failed with 「database is locked」 in about one trial in
    five before)."""
    for trial in range(5):
        db = tmp_path / str(trial) / "审阅记录.sqlite"
        db.parent.mkdir()
        go = db.with_name("go")
        procs = [subprocess.Popen([sys.executable, "-c", _ADD_MANY, str(db), f"r{i}", str(go)],
                                  cwd=ROOT, stderr=subprocess.PIPE, text=True)
                 for i in range(8)]
        time.sleep(1)  # let them import and wait (not a timing assertion)
        go.touch()
        for p in procs:
            _, err = p.communicate(timeout=120)
            assert p.returncode == 0, err
        assert len(Store(db).records()) == 8 * 20


def test_cli_list_approve_return_export(project: Path, capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    assert main(["review", "approve", f"params/{LI}", "--reviewer", "张审"]) == 0
    assert "已通过：李明华（东山镇 镇党建办主任）" in capsys.readouterr().out
    monkeypatch.setenv("KIT_REVIEWER", "李审")
    assert main(["review", "return", f"params/{WANG}", "--reason", "饲草面积请核对"]) == 0
    with pytest.raises(SystemExit) as usage:  # no reason: a usage error
        main(["review", "return", f"params/{WANG}"])
    assert usage.value.code == 2
    capsys.readouterr()
    assert main(["review", "list"]) == 0
    out = capsys.readouterr().out
    assert "【已通过】李明华　镇党建办主任　东山镇　params/" in out
    assert "意见：饲草面积请核对" in out and "（李审 " in out
    assert "共 2 份：已通过 1，退回 1" in out
    assert main(["review", "export", "审阅记录.xlsx"]) == 0
    wb = openpyxl.load_workbook(project / "审阅记录.xlsx")
    rows = list(wb["审阅记录"].iter_rows(values_only=True))
    assert rows[0][:3] == ("序号", "单位", "姓名")
    assert [(r[2], r[6], r[7], r[8]) for r in rows[1:]] == [
        ("李明华", "已通过", None, "张审"), ("王建国", "退回", "饲草面积请核对", "李审")]


def test_cli_without_reviewer_says_how(project: Path, capsys: pytest.CaptureFixture[str],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KIT_REVIEWER", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO())  # not a terminal: cannot ask
    assert main(["review", "approve", f"params/{LI}"]) == 2  # 命令写法有误
    assert "--reviewer" in capsys.readouterr().err


def test_compare_with_a_missing_folder_is_one_chinese_line(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", "params", "--compare", "上年参数"]) == 2
    err = capsys.readouterr().err
    assert "找不到参数文件夹" in err and "上年参数" in err and "Traceback" not in err
    assert not (project / "build").exists() or not list((project / "build").rglob("*.ipynb"))


def test_order_option_is_checked(project: Path, capsys: pytest.CaptureFixture[str],
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A wrong --order (or KIT_NAME_ORDER) is a usage error, exit 2 like --workers 0."""
    assert main(["build", "params", "--order", "笔划"]) == 2
    assert "您是否想写「笔画」" in capsys.readouterr().err
    monkeypatch.setenv("KIT_NAME_ORDER", "拼写")
    assert main(["build", "params"]) == 2
    assert "您是否想写「拼音」" in capsys.readouterr().err
    assert not (project / "build").exists() or not list((project / "build").rglob("*.ipynb"))
