"""The review record: one SQLite file, append-only, safe when reviewers write at once.

Each decision is a new row (who, when, status, reason, the hash of the data decided
on); nothing is ever updated or deleted — triggers refuse it — so the record is also
the history.  ``BEGIN IMMEDIATE`` with a busy timeout lets two reviewers (two
processes) write at the same moment without losing either row.

The record also holds every save of a parameter file from the form (table ``saves``:
who, when, the file, the official, the sha256 of the bytes written), so "who did what"
is one file and one history.  A save checks the file and writes it inside the record's
write transaction (:meth:`Store.saving`): two forms saving the same file at once are
one after the other, and the second sees the first's save.  A record made before saves
were kept gains the table (with its triggers) the first time the kit opens it; a kit
from before reads only ``records`` and is untouched by the new table.

A decision, once 「已通过」 is printed, is in the record file itself: the rollback
journal (``journal_mode=DELETE``, ``synchronous=FULL``), not WAL, whose last commits
live in a ``-wal`` file beside it until a checkpoint — a file that a sync tool, a copy
to a USB stick or a tidy-up deletes, losing them.  The record is only ever created
by the kit, whole, when there is none; a file that is empty (0 bytes) or not a review
record is refused, never silently started afresh (every decision would be 待审 again).
"""

from __future__ import annotations

import fcntl
import os
import random
import sqlite3
import time
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from kit.errors import KitError, OutputError, Problem, display_path, os_reason
from kit.iorw import open_inside
from kit.report.fields import TYPES, Field, FieldValueError, marked

DB_NAME = "审阅记录.sqlite"
PASSED, RETURNED, PENDING, CHANGED = "已通过", "退回", "待审", "已修改，待重审"
DECISIONS = (PASSED, RETURNED)
# What a reviewer types follows the rules of field values (kit.report.fields: no
# invisible or control characters, the reviewer one line) within these lengths.
REVIEWER = Field(key="审阅人", label="审阅人", type=TYPES["short"], max_len=20)
REASON = Field(key="意见", label="退回意见", type=TYPES["text"], max_len=500)
# The journal mode every record is kept in (see the module docstring).  It costs no
# time a reviewer notices: bench/bench_review_record.py measured one decision at 2.2 ms
# (WAL: 5.4 ms; both synchronous=FULL, ext4), the whole `kit review approve` at 0.84 s
# (starting Python and checking the parameter file).  Readers wait for a writer's
# commit (ms) instead of reading beside it, and the record works on network folders,
# where WAL's shared memory does not.
JOURNAL = "delete"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    official TEXT NOT NULL,   -- 单位|姓名|年度|角色 (kit.report.identity)
    file TEXT NOT NULL,       -- the parameter file's name, for people reading the record
    hash TEXT NOT NULL,       -- of the file's data (kit.review.status.data_hash)
    status TEXT NOT NULL CHECK (status IN ('已通过', '退回')),
    reason TEXT NOT NULL DEFAULT '',
    reviewer TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS records_official ON records (official, id);
CREATE TRIGGER IF NOT EXISTS records_no_update BEFORE UPDATE ON records
BEGIN SELECT RAISE(ABORT, '审阅记录只能追加，不能修改'); END;
CREATE TRIGGER IF NOT EXISTS records_no_delete BEFORE DELETE ON records
BEGIN SELECT RAISE(ABORT, '审阅记录只能追加，不能删除'); END;
"""


# Saves: a new table, not new rows of ``records`` — an older kit counts every row of
# ``records`` as a decision.  Made in one transaction, its last trigger the sign it is whole.
_SAVES = """
CREATE TABLE IF NOT EXISTS saves (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    official TEXT NOT NULL,   -- 单位|姓名|年度|角色 (kit.report.identity)
    file TEXT NOT NULL,       -- the parameter file's name
    sha256 TEXT NOT NULL,     -- of the bytes written (refused: of what would have been)
    outcome TEXT NOT NULL CHECK (outcome IN ('已保存', '未保存')),
    account TEXT NOT NULL,    -- the hub account; 「本机」 for kit form on one machine
    name TEXT NOT NULL DEFAULT '',  -- the account's 姓名 (本机: the computer's user)
    at TEXT NOT NULL,
    after INTEGER NOT NULL    -- the last decision's id then: saves and decisions in one order
);
CREATE INDEX IF NOT EXISTS saves_file ON saves (file, id);
CREATE TRIGGER IF NOT EXISTS saves_no_update BEFORE UPDATE ON saves
BEGIN SELECT RAISE(ABORT, '保存记录只能追加，不能修改'); END;
CREATE TRIGGER IF NOT EXISTS saves_no_delete BEFORE DELETE ON saves
BEGIN SELECT RAISE(ABORT, '保存记录只能追加，不能删除'); END;
"""
SAVED, REFUSED = "已保存", "未保存"
LOCAL = "本机"  # the account of a save from kit form (no hub account)

_SETUP_SECONDS = 30.0


def typed(f: Field, text: str) -> str:
    """What a reviewer typed for ``f`` (审阅人 or 意见), checked by the rules of field
    values before anything is written; KitError naming the field otherwise."""
    try:
        return str(f.parse(text))
    except FieldValueError as err:
        raise KitError(Problem(err.message, field=f.label, expected=err.expected,
                               found=err.found, hint=err.hint, kind=err.kind)) from None


def shown(text: str) -> str:
    """A text of the record for one line of a terminal: a record written before the
    rules above may hold control characters (an escape that clears the screen, a line
    break that forges a line); each shows as 〈U+001B〉, line breaks as 〈换行〉."""
    for brk in ("\r\n", "\n", "\r"):
        text = text.replace(brk, "〈换行〉")
    return marked(text.replace("\t", " "))


def _damaged(path: Path, message: str) -> OutputError:
    return OutputError(Problem(message, file=display_path(path), hint=(
        "没有读取也没有改动它。请从备份恢复（同事电脑上、U 盘里或 .bak 的副本）；确认"
        "没有要保留的审阅结论时，把它改名或删除，下次审阅会新建一份空记录。")))


def _prepare(con: sqlite3.Connection, path: Path) -> None:
    """The journal mode (an older record in WAL is switched, its -wal folded in) and a
    check that this is a review record.  Switching the mode takes an exclusive lock for
    which SQLite does not wait, so that step is retried for a bounded time."""
    con.execute(f"PRAGMA busy_timeout={int(_SETUP_SECONDS * 1000)}")
    con.execute("PRAGMA synchronous=FULL")
    deadline = time.monotonic() + _SETUP_SECONDS
    while True:
        try:
            if con.execute("PRAGMA journal_mode").fetchone()[0].lower() != JOURNAL:
                con.execute(f"PRAGMA journal_mode={JOURNAL}")
            break
        except sqlite3.OperationalError as err:
            if "locked" not in str(err) or time.monotonic() > deadline:
                raise
            time.sleep(0.02 + random.random() * 0.05)  # jitter: the two do not retry in step
    if not con.execute("SELECT 1 FROM sqlite_master WHERE type = 'trigger'"
                       " AND name = 'records_no_delete'").fetchone():
        raise _damaged(path, "这个文件不是完整的审阅记录（里面没有审阅结论表）")
    if not con.execute("SELECT 1 FROM sqlite_master WHERE type = 'trigger'"
                       " AND name = 'saves_no_delete'").fetchone():
        # A record from before saves were kept: add their table, whole or not at all
        # (the decisions in it are not touched; a second kit doing the same waits).
        try:
            con.executescript(f"BEGIN IMMEDIATE;{_SAVES}COMMIT;")
        except sqlite3.OperationalError as err:
            if "readonly" not in str(err):
                raise  # a read-only copy is still read (it shows no saves)


@contextmanager
def _in_turn(path: Path) -> Iterator[None]:
    """Savers of one folder queue on a blocking ``flock`` of a file beside the record and
    go the moment it is free.  Left to SQLite's busy handler alone, a waiting saver sleeps
    up to 100 ms between tries: with 30 clerks pressing 保存 together (bench/bench_hub.py)
    that sleeping, not the work, made the slowest answers.  No lock file can be made (a
    read-only folder): SQLite's wait alone, which is still correct."""
    try:
        fd = open_inside(path.with_name(f".{path.name}.lock"), path.parent,
                         os.O_RDWR | os.O_CREAT)
    except OSError:
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # and the lock with it


def _create(path: Path) -> None:
    """A new, empty record at ``path``, whole or not at all: built beside it and linked
    into place, so a second reviewer never opens a half-made (empty) file, and a record
    another reviewer created meanwhile is kept."""
    # SQLite makes the file, with the umask's permissions: shared folders stay shared.
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(tmp, isolation_level=None)) as con:
            con.execute(f"PRAGMA journal_mode={JOURNAL}")
            con.executescript(_SCHEMA + _SAVES)
        try:
            os.link(tmp, path)  # fails when a record is there: that one is kept
        except FileExistsError:
            pass
        except OSError:  # a file system without hard links (FAT): rename if still absent
            if not path.exists():
                os.replace(tmp, path)
    except (OSError, sqlite3.Error) as err:
        reason = os_reason(err) if isinstance(err, OSError) else str(err)
        raise OutputError(Problem(f"无法新建审阅记录（{reason}）",
                                  file=display_path(path))) from None
    finally:
        tmp.unlink(missing_ok=True)


@dataclass(frozen=True)
class Record:
    official: str
    file: str
    hash: str
    status: str
    reason: str
    reviewer: str
    at: str
    id: int = 0


@dataclass(frozen=True)
class Save:
    """One save (or refused save) of a parameter file from the form."""

    official: str
    file: str
    sha256: str
    outcome: str  # SAVED | REFUSED
    account: str
    name: str
    at: str
    after: int = 0  # the id of the last decision before it
    id: int = 0

    @property
    def who(self) -> str:
        """「clerk01（张三）」; 「本机用户 zhang」 for kit form on one computer."""
        if self.account == LOCAL:
            return f"本机用户 {self.name}" if self.name else "本机的表单"
        return f"{self.account}（{self.name}）" if self.name else self.account


class Saving:
    """The record's write transaction around one check-and-write of a parameter file
    (:meth:`Store.saving`): nobody else writes the record — nor, through the form, a
    parameter file of its folder — until it ends."""

    def __init__(self, con: sqlite3.Connection) -> None:
        self._con = con

    def last_saved(self, file: str) -> Save | None:
        """The last save of ``file`` that was written."""
        row = self._con.execute(f"SELECT {_SAVE_COLUMNS} FROM saves WHERE file = ? AND"
                                " outcome = ? ORDER BY id DESC LIMIT 1", (file, SAVED)).fetchone()
        return Save(*row) if row else None

    def add(self, official: str, file: str, sha256: str, outcome: str, account: str,
            name: str = "") -> Save:
        if outcome not in (SAVED, REFUSED):
            raise ValueError(outcome)
        at = datetime.now().astimezone().isoformat(timespec="seconds")
        (after,) = self._con.execute("SELECT coalesce(max(id), 0) FROM records").fetchone()
        cur = self._con.execute(
            "INSERT INTO saves (official, file, sha256, outcome, account, name, at, after)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (official, file, sha256, outcome, account, name, at, after))
        return Save(official, file, sha256, outcome, account, name, at, after,
                    cur.lastrowid or 0)


_SAVE_COLUMNS = "official, file, sha256, outcome, account, name, at, after, id"


class Store:
    """The record of one folder of parameter files (``<参数文件夹>/审阅记录.sqlite``)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    @classmethod
    def of_folder(cls, params_dir: str | Path) -> Store:
        folder = Path(params_dir)
        return cls((folder.parent if folder.is_file() else folder) / DB_NAME)

    @contextmanager
    def _connect(self, create: bool = False) -> Iterator[sqlite3.Connection]:
        """A connection to the record; ``create``: make it first when there is none.
        SQLite is told never to create the file itself (``mode=rw``): an empty file it
        made would read as a record without decisions."""
        if create and not self.path.exists():
            _create(self.path)
        try:
            empty = self.path.stat().st_size == 0
        except OSError:
            empty = False  # sqlite3 says why it cannot open it
        if empty:
            raise _damaged(self.path, "审阅记录文件是空的（0 字节），可能在复制或同步时损坏")
        try:
            con = sqlite3.connect(self.path.absolute().as_uri() + "?mode=rw", uri=True,
                                  timeout=30, isolation_level=None)
        except sqlite3.Error as err:
            raise OutputError(Problem(f"无法打开审阅记录（{err}）",
                                      file=display_path(self.path))) from None
        with closing(con):
            try:
                _prepare(con, self.path)
                yield con
            except sqlite3.DatabaseError as err:
                raise OutputError(Problem(f"审阅记录无法读写（{err}）",
                                          file=display_path(self.path),
                                          hint="文件可能已损坏，或所在文件夹不可写。")) from None

    def add(self, official: str, file: str, hash: str, status: str, reviewer: str,
            reason: str = "") -> Record:
        """Append one decision; returns it as stored.  Reviewer and reason are checked
        (:func:`typed`) before anything is written."""
        if status not in DECISIONS:
            raise ValueError(status)
        reviewer = typed(REVIEWER, reviewer)
        reason = typed(REASON, reason) if reason else ""
        at = datetime.now().astimezone().isoformat(timespec="seconds")
        with self._connect(create=True) as con:
            con.execute("BEGIN IMMEDIATE")  # take the write lock now: waits, never loses
            cur = con.execute(
                "INSERT INTO records (official, file, hash, status, reason, reviewer, at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (official, file, hash, status, reason, reviewer, at))
            con.execute("COMMIT")  # in the record file itself (journal_mode=DELETE)
            return Record(official, file, hash, status, reason, reviewer, at, cur.lastrowid or 0)

    @contextmanager
    def saving(self) -> Iterator[Saving]:
        """The record's write lock (``BEGIN IMMEDIATE``: a second saver waits) for one
        check-and-write; what was added is committed when the block ends without an
        error, and dropped when it raises."""
        with _in_turn(self.path), self._connect(create=True) as con:
            con.execute("BEGIN IMMEDIATE")
            try:
                yield Saving(con)
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")  # in the record file itself (journal_mode=DELETE)

    def saves(self) -> list[Save]:
        """Every save, oldest first."""
        if not self.path.exists():
            return []
        with self._connect() as con:
            if not con.execute("SELECT 1 FROM sqlite_master WHERE name = 'saves'").fetchone():
                return []  # an older record that could not gain the table (read-only)
            rows = con.execute(f"SELECT {_SAVE_COLUMNS} FROM saves ORDER BY id").fetchall()
        return [Save(*row) for row in rows]

    def records(self) -> list[Record]:
        """Every decision, oldest first."""
        if not self.path.exists():
            return []
        with self._connect() as con:
            rows = con.execute("SELECT official, file, hash, status, reason, reviewer, at, id"
                               " FROM records ORDER BY id").fetchall()
        return [Record(*row) for row in rows]

    def latest(self) -> dict[str, Record]:
        """The last decision on each official."""
        return {r.official: r for r in self.records()}
