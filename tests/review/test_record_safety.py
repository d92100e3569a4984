"""Decisions do not vanish and what reviewers type does not escape: an empty or damaged
record is refused (never started afresh), a decision is in the record file itself,
reviewer and reason follow the rules of field values, `kit review list` prints no
control characters, and `kit review export` writes text cells under an .xlsx name only."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import unicodedata
from contextlib import closing
from pathlib import Path

import openpyxl
import pytest

from kit.cli import main
from kit.errors import KitError, OutputError
from kit.iorw import backups_of
from kit.review.record import DB_NAME, Store
from kit.review.status import decide, list_lines, statuses
from tests.excel_csv import needs_soffice, shown_by_libreoffice

LI = "东山镇-镇党建办主任-李明华.yaml"
WANG = "东山镇-镇委书记-王建国.yaml"


def _approved(project: Path) -> Path:
    decide([project / "params" / LI], "已通过", "张审")
    return project / "params" / DB_NAME


def test_an_empty_record_is_refused_not_read_as_no_decisions(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = _approved(project)
    db.write_bytes(b"")  # a sync tool or a failed copy left it empty
    with pytest.raises(OutputError, match="0 字节"):
        statuses(project / "params")
    with pytest.raises(OutputError, match="0 字节"):
        decide([project / "params" / WANG], "已通过", "张审")
    assert db.read_bytes() == b""  # not re-initialised
    assert main(["review", "list"]) == 4
    err = capsys.readouterr().err
    assert "审阅记录" in err and DB_NAME in err and "Traceback" not in err


@pytest.mark.parametrize(("content", "said"), [(b"not a database at all" * 100, "损坏"),
                                               ("sqlite-empty", "不是完整的审阅记录")])
def test_a_file_that_is_not_a_record_is_refused(project: Path, content: bytes | str,
                                                said: str) -> None:
    db = project / "params" / DB_NAME
    if content == "sqlite-empty":  # a database, but not a review record
        with closing(sqlite3.connect(db, isolation_level=None)) as con:
            con.execute("CREATE TABLE other (x)")
    else:
        db.write_bytes(content)  # type: ignore[arg-type]
    before = db.read_bytes()
    with pytest.raises(OutputError, match=said):
        decide([project / "params" / LI], "已通过", "张审")
    assert db.read_bytes() == before


def test_a_new_record_is_created_when_there_is_none(project: Path) -> None:
    db = _approved(project)
    assert [r.status for r in Store(db).records()] == ["已通过"]


_READER = """
import sqlite3, sys, time
con = sqlite3.connect(sys.argv[1])
con.execute("SELECT count(*) FROM records").fetchall()
print("ready", flush=True)
time.sleep(600)
"""


def test_a_decision_survives_losing_the_wal_file(project: Path, tmp_path: Path) -> None:
    """A reader (another reviewer's notebook, a database browser) holds the record open;
    a decision is made; the -wal file beside the record is deleted (a sync tool, a copy
    of the .sqlite alone) and the reader dies.  The decision is still there."""
    db = _approved(project)
    reader = subprocess.Popen([sys.executable, "-c", _READER, str(db)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert reader.stdout is not None and reader.stdout.readline().strip() == "ready"
        decide([project / "params" / WANG], "已通过", "李审")
        copy = tmp_path / "U盘" / DB_NAME
        copy.parent.mkdir()
        shutil.copyfile(db, copy)  # the record file alone
        for side in ("-wal", "-shm"):
            Path(f"{db}{side}").unlink(missing_ok=True)
    finally:
        reader.kill()
        reader.wait()
    for path in (db, copy):
        assert [r.reviewer for r in Store(path).records()] == ["张审", "李审"], path


@pytest.mark.parametrize(("reviewer", "reason", "said"), [
    ("\x1b[2J张审", "", "控制字符"),
    ("张审\n【已通过】", "", "一行"),
    ("张" * 21, "", "太长"),
    ("张审", "请核对\x1b[2J", "控制字符"),
    ("张审", "请核对\u202e", "方向控制符"),
    ("张审", "核" * 501, "太长"),
])
def test_what_a_reviewer_types_is_checked_before_anything_is_written(
        project: Path, reviewer: str, reason: str, said: str) -> None:
    status = "退回" if reason else "已通过"
    with pytest.raises(KitError, match=said) as err:
        decide([project / "params" / LI], status, reviewer, reason)
    assert err.value.problems[0].field in ("审阅人", "退回意见")
    assert not (project / "params" / DB_NAME).exists()


def test_a_reason_of_many_lines_is_one_paragraph(project: Path) -> None:
    """The review page's box allows line breaks: they join as in a 长文本 field."""
    (done,) = decide([project / "params" / LI], "退回", "张审", "饲草面积\n请核对")
    assert done.reason == "饲草面积请核对"


def test_the_cli_says_it_in_one_line_without_the_escape(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["review", "approve", f"params/{LI}", "--reviewer", "\x1b[2J张审"]) == 2  # a usage mistake
    out = capsys.readouterr()
    assert "\x1b" not in out.out + out.err and "审阅人" in out.err
    assert "U+001B" in out.err


def test_list_never_prints_control_characters_of_old_records(project: Path) -> None:
    db = _approved(project)
    # A record written before the rules: an escape that clears the screen, a forged line.
    with closing(sqlite3.connect(db)) as con, con:
        con.execute("INSERT INTO records (official, file, hash, status, reason, reviewer, at)"
                    " SELECT official, file, hash, '退回', ?, ?, at FROM records",
                    ("请核对\n【已通过】王建国　伪造\x9b2J", "\x1b[2J张审"))
    lines = list_lines(project / "params")
    text = "\n".join(lines)
    assert len(lines) == 3  # two files and the count
    assert not [c for c in text.replace("\n", "") if unicodedata.category(c) in ("Cc", "Cf")]
    assert "〈换行〉【已通过】王建国　伪造〈U+009B〉2J" in text and "〈U+001B〉[2J张审" in text


def test_review_export_writes_text_not_formulas(project: Path, tmp_path: Path) -> None:
    reason = '=HYPERLINK("http://example.com","点我")'
    reviewer = "=cmd|'/C calc'!A0"
    decide([project / "params" / WANG], "退回", reviewer, reason)
    assert main(["review", "export", "审阅记录.xlsx"]) == 0
    ws = openpyxl.load_workbook(project / "审阅记录.xlsx")["审阅记录"]
    header = [c.value for c in ws[1]]
    row = ws[2]
    for head, value in (("意见", reason), ("审阅人", reviewer)):
        cell = row[header.index(head)]
        assert (cell.data_type, cell.value) == ("s", value)


@needs_soffice
@pytest.mark.slow
def test_libreoffice_shows_the_reason_as_typed(project: Path, tmp_path: Path) -> None:
    reason = "=1+1"
    decide([project / "params" / WANG], "退回", "=2+2", reason)
    assert main(["review", "export", "审阅记录.xlsx"]) == 0
    shown = shown_by_libreoffice(project / "审阅记录.xlsx", tmp_path)
    for sheet in ("审阅记录", "当前状态"):
        header = shown[sheet][0]
        row = next(r for r in shown[sheet][1:] if "王建国" in r)  # not by file-name order
        assert row[header.index("意见")] == "=1+1" and row[header.index("审阅人")] == "=2+2"


def test_review_export_never_replaces_a_file_unasked(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    params = project / "params" / WANG
    before = params.read_bytes()
    assert main(["review", "export", f"params/{WANG}"]) == 2  # a parameter file's name
    assert params.read_bytes() == before
    err = capsys.readouterr().err
    assert ".xlsx" in err and WANG in err and "已导出" not in err
    xlsx = project / "审阅记录.xlsx"
    xlsx.write_bytes(b"last week's")
    assert main(["review", "export", "审阅记录.xlsx"]) == 6
    assert xlsx.read_bytes() == b"last week's" and "--force" in capsys.readouterr().err
    assert main(["review", "export", "审阅记录.xlsx", "--force"]) == 0
    (backup,) = backups_of(xlsx)
    assert backup.read_bytes() == b"last week's"
    assert openpyxl.load_workbook(xlsx).sheetnames == ["审阅记录", "当前状态", "保存记录"]


def test_a_record_kept_in_wal_by_an_older_kit_is_read_and_switched(tmp_path: Path) -> None:
    from kit.review.record import _SCHEMA

    db = tmp_path / DB_NAME
    with closing(sqlite3.connect(db, isolation_level=None)) as con:
        con.execute("PRAGMA journal_mode=WAL")
        con.executescript(_SCHEMA)
        con.execute("INSERT INTO records (official, file, hash, status, reason, reviewer, at)"
                    " VALUES ('o', 'x.yaml', 'h', '已通过', '', '张审', 'now')")
    store = Store(db)
    store.add("p", "y.yaml", "h", "已通过", "李审")
    assert [r.reviewer for r in store.records()] == ["张审", "李审"]
    with closing(sqlite3.connect(db)) as con:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert not Path(f"{db}-wal").exists()


def test_the_review_page_refuses_a_reviewer_name_at_once(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kit.review import ui

    monkeypatch.setitem(ui._REVIEWER, "name", "")
    app = ui.ReviewApp()
    app.who.value = "张审\u200b"
    app.who_ok.click()
    assert "审阅人" in app.message.value and "零宽空格" in app.message.value
    assert ui._REVIEWER["name"] == ""
    app.who.value = "张审"
    app.who_ok.click()
    assert ui._REVIEWER["name"] == "张审"
