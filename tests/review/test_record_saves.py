"""Saves in the review record: an append-only table beside the decisions.  A record an
older kit made gains it when a newer kit opens it (its decisions untouched); an older
kit (tests/review/record_before_saves.py, the module as released) reads and adds to a
record a newer kit made."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from kit.errors import OutputError
from kit.review import record
from kit.review.record import DB_NAME, REFUSED, SAVED, Store
from tests.review import record_before_saves as old

OFFICIAL = "东山镇|李明华|2023|镇党建办主任"
FILE = "东山镇-镇党建办主任-李明华.yaml"


def _tables(db: Path) -> set[str]:
    with closing(sqlite3.connect(db)) as con:
        return {name for (name,) in con.execute("SELECT name FROM sqlite_master")}


def _save(store: Store, outcome: str = SAVED, account: str = "dongshan") -> record.Save:
    with store.saving() as rec:
        return rec.add(OFFICIAL, FILE, "ab" * 32, outcome, account, "李东")


def test_an_older_record_gains_the_saves_table_and_keeps_its_decisions(tmp_path: Path) -> None:
    db = tmp_path / DB_NAME
    old.Store(db).add(OFFICIAL, FILE, "h1", "已通过", "张审")
    old.Store(db).add(OFFICIAL, FILE, "h2", "退回", "张审", "专题会议次数请核对")
    assert "saves" not in _tables(db)
    before = old.Store(db).records()
    store = Store(db)
    assert store.saves() == []  # opening it added the table, empty
    assert {"saves", "saves_no_update", "saves_no_delete"} <= _tables(db)
    assert [(r.hash, r.status, r.reason) for r in store.records()] == [
        (r.hash, r.status, r.reason) for r in before]
    saved = _save(store)
    assert store.saves() == [saved] and saved.who == "dongshan（李东）"
    assert len(store.records()) == 2  # a save is not a decision


def test_an_older_kit_reads_and_writes_a_newer_record(tmp_path: Path) -> None:
    db = tmp_path / DB_NAME
    new = Store(db)
    _save(new)
    new.add(OFFICIAL, FILE, "h1", "已通过", "shenyue")
    _save(new, REFUSED, "locky")
    older = old.Store(db)
    assert [(r.status, r.reviewer) for r in older.records()] == [("已通过", "shenyue")]
    assert older.latest()[OFFICIAL].hash == "h1"  # saves are not read as decisions
    older.add(OFFICIAL, FILE, "h2", "退回", "张审", "请核对")
    assert [r.status for r in new.records()] == ["已通过", "退回"]
    assert [(s.outcome, s.account) for s in new.saves()] == [(SAVED, "dongshan"),
                                                            (REFUSED, "locky")]


def test_saves_cannot_be_changed_or_deleted(tmp_path: Path) -> None:
    store = Store(tmp_path / DB_NAME)
    _save(store)
    with closing(sqlite3.connect(store.path, isolation_level=None)) as con:
        for sql in ("UPDATE saves SET account = 'x'", "DELETE FROM saves"):
            with pytest.raises(sqlite3.DatabaseError, match="只能追加"):
                con.execute(sql)
        with pytest.raises(sqlite3.IntegrityError):  # only the two outcomes
            con.execute("INSERT INTO saves (official, file, sha256, outcome, account, at)"
                        " VALUES ('a', 'b', 'c', '已删除', 'd', 'e')")
    assert len(store.saves()) == 1


def test_what_a_failed_save_added_is_dropped(tmp_path: Path) -> None:
    store = Store(tmp_path / DB_NAME)
    with pytest.raises(OSError), store.saving() as rec:
        rec.add(OFFICIAL, FILE, "ab" * 32, SAVED, "dongshan")
        raise OSError("the file could not be written")
    assert store.saves() == []


def test_a_record_without_decisions_table_is_still_refused(tmp_path: Path) -> None:
    """The table is added only to a review record: any other database stays untouched."""
    db = tmp_path / DB_NAME
    with closing(sqlite3.connect(db, isolation_level=None)) as con:
        con.execute("CREATE TABLE other (x)")
    before = db.read_bytes()
    with pytest.raises(OutputError, match="不是完整的审阅记录"):
        Store(db).saves()
    assert db.read_bytes() == before


def test_review_log_lists_saves_and_decisions_in_time_order(
        project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """A clerk saves on the hub, a reviewer approves, the clerk saves a stale copy (refused)
    and someone edits on the machine with kit form: `kit review log` shows all four, who and
    when; `kit review export` has them as text cells (a 姓名 「=1+1」 is no formula)."""
    import hashlib

    import openpyxl

    from kit.cli import main
    from kit.form import logic
    from kit.hub.accounts import Accounts
    from kit.report.templates import load_roles
    from kit.review.status import decide

    path = project / "params" / FILE
    template = load_roles(project / "templates")["镇党建办主任"]

    def save(opened: logic.Opened, talks: int) -> logic.Saved:
        chk = logic.check_form(template, opened.raw | {"谈心谈话": str(talks)})
        return logic.save_params(path, chk, known_sha256=opened.sha256)

    Accounts(project).add("dongshan", "=1+1", ["东山镇"], "填报", "Dongshan-2024!")
    monkeypatch.setenv("KIT_ACCOUNT", "dongshan")
    stale = logic.open_params(path)
    first = save(logic.open_params(path), 151)
    decide([path], "已通过", "shenyue")
    assert save(stale, 152).changed is not None
    monkeypatch.delenv("KIT_ACCOUNT")
    save(logic.open_params(path), 153)
    assert main(["review", "log", "--file", f"params/{FILE}"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("　")[1:4] for line in lines[:-1]] == [
        ["已保存", FILE, "dongshan（=1+1）"], ["已通过", FILE, "shenyue"],
        ["未保存（打开后文件已被改过）", FILE, "dongshan（=1+1）"],
        ["已保存", FILE, lines[3].split("　")[3]]]
    assert lines[3].split("　")[3].startswith("本机用户")
    assert lines[0].endswith(f"sha256 {first.sha256}")
    assert lines[-1].startswith("共 4 条：保存 3，审阅结论 1。")
    assert main(["review", "log"]) == 0 and len(capsys.readouterr().out.splitlines()) == 5
    assert main(["review", "export", "审阅记录.xlsx"]) == 0
    sheet = openpyxl.load_workbook(project / "审阅记录.xlsx")["保存记录"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert [(r[2], r[3], r[4], r[9]) for r in rows] == [
        ("dongshan", "=1+1", "已保存", FILE), ("dongshan", "=1+1", "未保存", FILE),
        ("本机", rows[2][3], "已保存", FILE)]
    assert sheet.cell(2, 4).data_type == "s"  # text, not a formula
    assert rows[2][10] == hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_review_page_says_who_saved_each_file_last(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The reviewer reads, above each report, who saved the file last through the form and
    when — and that it changed since, when it was edited another way."""
    from kit.form import logic
    from kit.hub.accounts import Accounts
    from kit.project import Workspace
    from kit.report.templates import load_roles
    from kit.review.session import Session

    path = project / "params" / FILE
    template = load_roles(project / "templates")["镇党建办主任"]
    Accounts(project).add("dongshan", "李<b>东", ["东山镇"], "填报", "Dongshan-2024!")
    monkeypatch.setenv("KIT_ACCOUNT", "dongshan")
    opened = logic.open_params(path)
    chk = logic.check_form(template, opened.raw | {"谈心谈话": "151"})
    assert logic.save_params(path, chk, known_sha256=opened.sha256).written
    monkeypatch.delenv("KIT_ACCOUNT")

    def head() -> str:
        (item,) = [i for i in Session(Workspace.at(project)).items if i.path == path]
        return item.html().split("</div>\n</div>")[0]

    assert "最后由表单保存：dongshan（李&lt;b&gt;东），" in head()  # escaped, as text
    assert "之后文件又被" not in head()
    path.write_text(path.read_text("utf-8").replace("谈心谈话: 151", "谈心谈话: 152"), "utf-8")
    assert "（之后文件又被表单以外的方式改过）" in head()
    other = [i for i in Session(Workspace.at(project)).items if i.path != path]
    assert other and all(i.saved is None and "最后由表单保存" not in i.html() for i in other)


def test_a_damaged_record_stops_the_save_with_a_chinese_line(project: Path) -> None:
    """Every save is recorded: with the record emptied by a sync tool the form does not
    save unrecorded — it says why, in the form, and the file and the record stay as they
    are (never re-initialised)."""
    from kit.form.widgets import ReportForm
    from kit.project import Workspace

    path = project / "params" / FILE
    db = project / "params" / DB_NAME
    db.write_bytes(b"")
    before = path.read_bytes()
    form = ReportForm(Workspace.at(project), debounce=0)
    form.open(path)
    form.inputs["谈心谈话"].input.value = "151"
    assert form.save() is None
    assert "没有保存" in form.status.value and "0 字节" in form.status.value
    assert DB_NAME in form.status.value and "Traceback" not in form.status.value
    assert path.read_bytes() == before and db.read_bytes() == b""
    assert form.raw()["谈心谈话"] == "151"


_MIGRATE_AND_SAVE = """
import sys
from kit.review.record import SAVED, Store
with Store(sys.argv[1]).saving() as rec:
    rec.add("东山镇|李明华|2023|镇党建办主任", "a.yaml", "ab" * 32, SAVED, sys.argv[2])
"""


def test_kits_opening_an_older_record_at_once_each_add_their_save(tmp_path: Path) -> None:
    """Four processes open the same older record at the same moment: the table is added
    once, every process's save is in it, the decisions are as they were."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    db = tmp_path / DB_NAME
    old.Store(db).add(OFFICIAL, FILE, "h1", "已通过", "张审")
    procs = [subprocess.Popen([sys.executable, "-c", _MIGRATE_AND_SAVE, str(db), f"k{n}"],
                              stderr=subprocess.PIPE, text=True, env=env) for n in range(4)]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0] * 4, errors
    assert sorted(s.account for s in Store(db).saves()) == ["k0", "k1", "k2", "k3"]
    assert [(r.hash, r.reviewer) for r in Store(db).records()] == [("h1", "张审")]
