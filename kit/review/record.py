"""The review record: one SQLite file, append-only, safe when reviewers write at once.

Each decision is a new row (who, when, status, reason, the hash of the data decided
on); nothing is ever updated or deleted — triggers refuse it — so the record is also
the history.  WAL mode and ``BEGIN IMMEDIATE`` with a busy timeout let two reviewers
(two processes) write at the same moment without losing either row.
"""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from kit.errors import OutputError, Problem, display_path

DB_NAME = "审阅记录.sqlite"
PASSED, RETURNED, PENDING, CHANGED = "已通过", "退回", "待审", "已修改，待重审"
DECISIONS = (PASSED, RETURNED)

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


_SETUP_SECONDS = 30.0


def _prepare(con: sqlite3.Connection) -> None:
    """WAL mode and the schema, once per file.  Switching a new file to WAL takes an
    exclusive lock for which SQLite does not wait (a second reviewer opening the record
    at that moment gets 「database is locked」 at once), so that step is retried for a
    bounded time; the schema is only written when it is not there yet."""
    con.execute(f"PRAGMA busy_timeout={int(_SETUP_SECONDS * 1000)}")
    deadline = time.monotonic() + _SETUP_SECONDS
    while True:
        try:
            if con.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                con.execute("PRAGMA journal_mode=WAL")
            if not con.execute("SELECT 1 FROM sqlite_master WHERE type = 'trigger'"
                               " AND name = 'records_no_delete'").fetchone():
                con.executescript(_SCHEMA)
            return
        except sqlite3.OperationalError as err:
            if "locked" not in str(err) or time.monotonic() > deadline:
                raise
            time.sleep(0.02 + random.random() * 0.05)  # jitter: the two do not retry in step


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


class Store:
    """The record of one folder of parameter files (``<参数文件夹>/审阅记录.sqlite``)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    @classmethod
    def of_folder(cls, params_dir: str | Path) -> Store:
        folder = Path(params_dir)
        return cls((folder.parent if folder.is_file() else folder) / DB_NAME)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        try:
            con = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        except sqlite3.Error as err:
            raise OutputError(Problem(f"无法打开审阅记录（{err}）",
                                      file=display_path(self.path))) from None
        with closing(con):
            try:
                _prepare(con)
                yield con
            except sqlite3.DatabaseError as err:
                raise OutputError(Problem(f"审阅记录无法读写（{err}）",
                                          file=display_path(self.path),
                                          hint="文件可能已损坏，或所在文件夹不可写。")) from None

    def add(self, official: str, file: str, hash: str, status: str, reviewer: str,
            reason: str = "") -> Record:
        """Append one decision; returns it as stored."""
        if status not in DECISIONS:
            raise ValueError(status)
        at = datetime.now().astimezone().isoformat(timespec="seconds")
        with self._connect() as con:
            con.execute("BEGIN IMMEDIATE")  # take the write lock now: waits, never loses
            cur = con.execute(
                "INSERT INTO records (official, file, hash, status, reason, reviewer, at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (official, file, hash, status, reason, reviewer, at))
            con.execute("COMMIT")
            return Record(official, file, hash, status, reason, reviewer, at, cur.lastrowid or 0)

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
