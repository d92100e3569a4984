"""The hub's accounts: who may log in, as what, for which units.

One SQLite file, ``<working folder>/.kit-hub/accounts.sqlite`` (0600), holds the
accounts and an append-only audit table.  Passwords are argon2id hashes
(argon2-cffi); nobody can sign up: an administrator adds each account with
``kit hub account add``.  The rules follow GB/T 22239-2019 (等保 2.0) 身份鉴别:
a password of at least :data:`MIN_LENGTH` characters with three of four kinds
(大写、小写、数字、符号), and :data:`MAX_FAILURES` wrong passwords in a row lock the
account for :data:`LOCK_MINUTES` minutes.

No default or shared passwords: an account the administrator creates or resets gets a
password only its owner should know, so it is flagged ``must_change`` and the hub lets
it do nothing but change it (:mod:`kit.hub.pages`) until it has.
:func:`initial_password` makes each new account's own random one.
"""

from __future__ import annotations

import functools
import json
import os
import re
import secrets
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from kit.errors import KitError, Problem

STATE_DIR = ".kit-hub"  # in the working folder: the hub's accounts, database, secret
DB_NAME = "accounts.sqlite"
ROLES = ("填报", "审阅", "管理")
CLERK, REVIEWER, ADMIN = ROLES
MIN_LENGTH = 10
MAX_FAILURES = 5
LOCK_MINUTES = 10
# JupyterHub puts the account in URLs (/user/<账号>/): plain lower-case letters, digits,
# - and _, starting with a letter.  The person's Chinese name is --name.
# At most 20 characters: the review record's 审阅人 (kit.review.record.REVIEWER) is the account.
_ACCOUNT = re.compile(r"[a-z][a-z0-9_-]{1,19}")

_HASHER = PasswordHasher()


@functools.cache
def _dummy() -> str:
    """Checked against when the account does not exist, so a wrong account name takes as
    long as a wrong password (no telling which accounts exist by timing).  Made at the
    first such login, not at import: every form kernel on the hub imports this module,
    and a hash is 0.2 s of CPU."""
    return _HASHER.hash("kit-no-such-account")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS accounts (
    account TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    units TEXT NOT NULL,        -- JSON list
    role TEXT NOT NULL CHECK (role IN ('填报', '审阅', '管理')),
    hash TEXT NOT NULL,
    failures INTEGER NOT NULL DEFAULT 0,
    locked_until REAL NOT NULL DEFAULT 0,   -- epoch seconds; wrong passwords
    disabled INTEGER NOT NULL DEFAULT 0,    -- kit hub account lock
    last_login REAL NOT NULL DEFAULT 0,     -- epoch seconds: a session's idle time counts from it
    must_change INTEGER NOT NULL DEFAULT 0  -- set by the administrator: change at next login
);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    account TEXT NOT NULL,
    event TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, '审计记录只能追加'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, '审计记录只能追加'); END;
"""


@dataclass(frozen=True)
class Account:
    account: str
    name: str
    units: tuple[str, ...]
    role: str
    failures: int = 0
    locked_until: float = 0
    disabled: bool = False
    last_login: float = 0
    must_change: bool = False

    def locked(self, now: float | None = None) -> bool:
        return self.disabled or self.locked_until > (time.time() if now is None else now)


@dataclass(frozen=True)
class Event:
    at: str
    account: str
    event: str
    detail: str


def state_dir(root: str | Path) -> Path:
    folder = Path(root) / STATE_DIR
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def password_problem(password: str) -> str | None:
    """Why ``password`` is refused (None: it is fine)."""
    if len(password) < MIN_LENGTH:
        return f"密码至少 {MIN_LENGTH} 位（现在 {len(password)} 位）"
    kinds = sum(bool(re.search(p, password)) for p in
                (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^a-zA-Z0-9]"))
    if kinds < 3:
        return "密码须含大写字母、小写字母、数字、符号中的至少三种"
    return None


def check_password(password: str) -> str:
    if (why := password_problem(password)) is not None:
        raise KitError(Problem(why, field="密码", hint="请换一个更长、更复杂的密码。"))
    return password


# No look-alikes (0/O, 1/l/I): the password is read off a sheet and typed by hand.
_ALPHABET = {"lower": "abcdefghijkmnpqrstuvwxyz", "upper": "ABCDEFGHJKLMNPQRSTUVWXYZ",
             "digit": "23456789", "symbol": "#%+-=@"}
INITIAL_LENGTH = 14


def initial_password() -> str:
    """A new account's own random password: :data:`INITIAL_LENGTH` characters from
    ``secrets``, all four kinds, and :func:`password_problem` has nothing against it."""
    every = "".join(_ALPHABET.values())
    while True:
        password = "".join(secrets.choice(every) for _ in range(INITIAL_LENGTH))
        if all(set(password) & set(kind) for kind in _ALPHABET.values()) \
                and password_problem(password) is None:
            return password


def check_account(account: str) -> str:
    if not _ACCOUNT.fullmatch(account):
        hint = None
        if _ACCOUNT.fullmatch(account.lower()):
            hint = f"您是否想写「{account.lower()}」？"
        raise KitError(Problem("账号只能用小写英文字母开头，由小写字母、数字、- 或 _ 组成（2 到 20 位）",
                               field="账号", found=account, hint=hint))
    return account


def check_role(role: str) -> str:
    if role not in ROLES:
        raise KitError(Problem("没有这个角色", field="角色", found=role,
                               expected="、".join(ROLES)))
    return role


class Accounts:
    """The accounts file of one working folder."""

    def __init__(self, root: str | Path) -> None:
        self.path = state_dir(root) / DB_NAME

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        new = not self.path.exists()
        if new:  # created 0600: hashes are still secrets
            os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
        with closing(sqlite3.connect(self.path, timeout=30, isolation_level=None)) as con:
            con.execute("PRAGMA journal_mode=DELETE")
            con.executescript(_SCHEMA)
            con.execute("BEGIN IMMEDIATE")
            try:
                _migrate(con)
                yield con
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise

    @staticmethod
    def _row(row: tuple) -> Account:
        account, name, units, role, failures, locked_until, disabled, last_login, change = row
        return Account(account, name, tuple(json.loads(units)), role, failures,
                       locked_until, bool(disabled), last_login, bool(change))

    _COLUMNS = ("account, name, units, role, failures, locked_until, disabled, last_login, "
                "must_change")

    def get(self, account: str) -> Account | None:
        with self._db() as con:
            row = con.execute(f"SELECT {self._COLUMNS} FROM accounts WHERE account = ?",
                              (account,)).fetchone()
        return self._row(row) if row else None

    def all(self) -> list[Account]:
        with self._db() as con:
            rows = con.execute(f"SELECT {self._COLUMNS} FROM accounts ORDER BY account").fetchall()
        return [self._row(r) for r in rows]

    def _need(self, con: sqlite3.Connection, account: str) -> None:
        if not con.execute("SELECT 1 FROM accounts WHERE account = ?", (account,)).fetchone():
            raise KitError(Problem("没有这个账号", field="账号", found=account,
                                   hint="用 kit hub account list 查看已有账号。"))

    def add(self, account: str, name: str, units: list[str], role: str, password: str,
            by: str = "命令行", must_change: bool = False) -> Account:
        """A new account; ``must_change``: its password was set by someone else (the
        administrator), so the hub asks for a new one at its first login."""
        new = checked(account, name, units, role)
        check_password(password)
        with self._db() as con:
            self._insert(con, new, password, must_change, by)
        return new

    def add_all(self, new: list[tuple[Account, str]], by: str) -> None:
        """Several new accounts (each with its password, flagged must-change) in one
        transaction: all are added or, when one fails, none."""
        for _, password in new:
            check_password(password)
        with self._db() as con:
            for found, password in new:
                self._insert(con, found, password, True, by)

    def _insert(self, con: sqlite3.Connection, new: Account, password: str,
                must_change: bool, by: str) -> None:
        if con.execute("SELECT 1 FROM accounts WHERE account = ?", (new.account,)).fetchone():
            raise KitError(Problem("账号已存在", field="账号", found=new.account,
                                   hint="修改密码请用 kit hub account password。"))
        con.execute("INSERT INTO accounts (account, name, units, role, hash, must_change) "
                    "VALUES (?,?,?,?,?,?)",
                    (new.account, new.name, json.dumps(list(new.units), ensure_ascii=False),
                     new.role, _HASHER.hash(password), int(must_change)))
        _log(con, by, "添加账号", f"{new.account} {new.name} {new.role} {'、'.join(new.units)}")

    def update(self, new: Account, by: str = "命令行") -> bool:
        """Change an existing account's name, units and role (never its password); False
        when nothing differs."""
        with self._db() as con:
            self._need(con, new.account)
            row = con.execute("SELECT name, units, role FROM accounts WHERE account = ?",
                              (new.account,)).fetchone()
            units = json.dumps(list(new.units), ensure_ascii=False)
            if (row[0], tuple(json.loads(row[1])), row[2]) == (new.name, new.units, new.role):
                return False
            con.execute("UPDATE accounts SET name = ?, units = ?, role = ? WHERE account = ?",
                        (new.name, units, new.role, new.account))
            _log(con, by, "修改账号", f"{new.account} {row[0]} {row[2]} {'、'.join(json.loads(row[1]))}"
                 f" → {new.name} {new.role} {'、'.join(new.units)}")
        return True

    def remove(self, account: str, by: str = "命令行") -> None:
        with self._db() as con:
            self._need(con, account)
            con.execute("DELETE FROM accounts WHERE account = ?", (account,))
            _log(con, by, "删除账号", account)

    def set_password(self, account: str, password: str, by: str = "命令行",
                     must_change: bool = False) -> None:
        """Reset by the administrator (``must_change``: the owner must change it at the
        next login)."""
        check_password(password)
        with self._db() as con:
            self._need(con, account)
            con.execute("UPDATE accounts SET hash = ?, failures = 0, locked_until = 0, "
                        "must_change = ? WHERE account = ?",
                        (_HASHER.hash(password), int(must_change), account))
            _log(con, by, "重设密码", account + ("（须在下次登录时修改）" if must_change else ""))

    def change_password(self, account: str, old: str, new: str) -> str | None:
        """The owner changes their own password: None when done, else the Chinese
        reason (wrong old password, the rule, the same as before).  Clears
        ``must_change``; a wrong old password counts toward the lockout like a login."""
        with self._db() as con:
            row = con.execute("SELECT hash, failures, locked_until, disabled FROM accounts "
                              "WHERE account = ?", (account,)).fetchone()
            if row is None or row[3]:
                return "该账号不存在或已被管理员锁定。"
            stored, failures, locked_until, _ = row
            if locked_until > time.time():
                return "密码错误次数过多，账号已锁定，请稍后再试。"
            if not _verify(stored, old):
                failures += 1
                until = time.time() + LOCK_MINUTES * 60 if failures >= MAX_FAILURES else 0
                con.execute("UPDATE accounts SET failures = ?, locked_until = ? WHERE account = ?",
                            (0 if until else failures, until, account))
                _log(con, account, "修改密码失败", "原密码错误" + ("，账号锁定" if until else ""))
                return "原密码不正确。"
            if (why := password_problem(new)) is not None:
                return why + "。"
            if new == old:
                return "新密码不能与原密码相同。"
            con.execute("UPDATE accounts SET hash = ?, failures = 0, must_change = 0 "
                        "WHERE account = ?", (_HASHER.hash(new), account))
            _log(con, account, "修改密码")
        return None

    def set_disabled(self, account: str, disabled: bool, by: str = "命令行") -> None:
        with self._db() as con:
            self._need(con, account)
            con.execute("UPDATE accounts SET disabled = ?, failures = 0, locked_until = 0 "
                        "WHERE account = ?", (int(disabled), account))
            _log(con, by, "锁定账号" if disabled else "解锁账号", account)

    def login(self, account: str, password: str, now: float | None = None
              ) -> tuple[Account | None, str]:
        """Check a login: (the account, "") or (None, the Chinese reason to show)."""
        now = time.time() if now is None else now
        wrong = "账号或密码不正确。"
        with self._db() as con:
            row = con.execute(f"SELECT {self._COLUMNS}, hash FROM accounts WHERE account = ?",
                              (account,)).fetchone()
            if row is None:
                _verify(_dummy(), password)
                _log(con, account[:32], "登录失败", "没有这个账号")
                return None, wrong
            found, stored = self._row(row[:-1]), row[-1]
            if found.disabled:
                _log(con, account, "登录失败", "账号已被管理员锁定")
                return None, "该账号已被管理员锁定，请联系管理员。"
            if found.locked_until > now:
                minutes = max(1, round((found.locked_until - now) / 60))
                _log(con, account, "登录失败", "账号因多次密码错误暂时锁定")
                return None, f"密码错误次数过多，账号已锁定，请 {minutes} 分钟后再试。"
            if not _verify(stored, password):
                failures = found.failures + 1
                until = now + LOCK_MINUTES * 60 if failures >= MAX_FAILURES else 0
                con.execute("UPDATE accounts SET failures = ?, locked_until = ? WHERE account = ?",
                            (0 if until else failures, until, account))
                _log(con, account, "登录失败", "密码错误" + ("，账号锁定" if until else ""))
                if until:
                    return None, (f"密码连续错误 {MAX_FAILURES} 次，账号已锁定 "
                                  f"{LOCK_MINUTES} 分钟。")
                return None, wrong + f"再错 {MAX_FAILURES - failures} 次账号将被锁定 {LOCK_MINUTES} 分钟。"
            con.execute("UPDATE accounts SET failures = 0, locked_until = 0, last_login = ? "
                        "WHERE account = ?", (now, account))
            _log(con, account, "登录成功")
        return found, ""

    def log(self, account: str, event: str, detail: str = "") -> None:
        with self._db() as con:
            _log(con, account, event, detail)

    def events(self) -> list[Event]:
        with self._db() as con:
            rows = con.execute("SELECT at, account, event, detail FROM audit ORDER BY id").fetchall()
        return [Event(*r) for r in rows]


def checked(account: str, name: str, units: list[str] | tuple[str, ...], role: str) -> Account:
    """The account as it would be added, or the first reason it cannot be."""
    check_account(account)
    check_role(role)
    units = [u.strip() for u in units if u.strip()]
    if not name.strip():
        raise KitError(Problem("请写明姓名", field="姓名"))
    if not units and role != ADMIN:
        raise KitError(Problem("填报和审阅账号至少要有一个单位", field="单位",
                               hint="例如：--unit 东山镇"))
    return Account(account, name.strip(), tuple(units), role)


def _migrate(con: sqlite3.Connection) -> None:
    """An accounts file of an earlier kit lacks later columns: add them (in the
    caller's write transaction, so two processes never both try)."""
    have = {r[1] for r in con.execute("PRAGMA table_info(accounts)")}
    if "must_change" not in have:
        con.execute("ALTER TABLE accounts ADD COLUMN must_change INTEGER NOT NULL DEFAULT 0")


def _verify(stored: str, password: str) -> bool:
    try:
        return _HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def _log(con: sqlite3.Connection, account: str, event: str, detail: str = "") -> None:
    con.execute("INSERT INTO audit (at, account, event, detail) VALUES (?,?,?,?)",
                (datetime.now().isoformat(timespec="seconds"), account, event, detail))
