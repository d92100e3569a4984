"""Which units this process may read and write: the account's, from ``KIT_UNITS``.

The hub's spawner sets ``KIT_UNITS`` (a JSON list) for 填报 and 审阅 accounts; the
form's kernel asks here on every listing, open, save and Word file, so a clerk's
server refuses another unit's file whatever the page sent.  Unset (``kit form``,
``kit lab``, a 管理 account): every unit.  Every save is recorded under :func:`saver`
in the review record (kit.review.record, beside the parameter files), the one place of
who saved and decided what; the hub's own audit table keeps logins and account changes.
"""

from __future__ import annotations

import getpass
import json
import os
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from kit.errors import KitError, Problem

UNITS_ENV = "KIT_UNITS"
ACCOUNT_ENV = "KIT_ACCOUNT"

if os.environ.get(ACCOUNT_ENV):
    # A hub account's kernel names the account's person in every save record (saver);
    # the accounts module (argon2, sqlite) is loaded with the form — in a preheated
    # kernel, before the clerk comes — not at the first 保存.
    import kit.hub.accounts  # noqa: F401


def units() -> frozenset[str] | None:
    """The units allowed here; None: no restriction."""
    given = os.environ.get(UNITS_ENV)
    if given is None:
        return None
    return frozenset(_norm(u) for u in json.loads(given))


def _norm(unit: str) -> str:
    return unicodedata.normalize("NFKC", unit).strip()


def allowed(unit: str | None) -> bool:
    mine = units()
    return mine is None or (unit is not None and _norm(unit) in mine)


def check_unit(unit: str | None, file: str | None = None) -> None:
    mine = units()
    if mine is None or (unit is not None and _norm(unit) in mine):
        return
    raise KitError(Problem("这份参数文件不属于您的单位，不能打开或保存", file=file, field="单位",
                           expected="、".join(sorted(mine)), found=unit or "（空）"))


def check_place(path: Path, folder: Path) -> None:
    """A restricted account saves only directly into the params folder."""
    if units() is None:
        return
    if path.resolve().parent != folder.resolve():
        raise KitError(Problem("只能保存到参数文件夹（params）里", file=path.name))


def visible(paths: Iterable[Path], unit_of: object) -> list[Path]:
    """``paths`` whose unit (``unit_of(path)``) is allowed here."""
    if units() is None:
        return list(paths)
    return [p for p in paths if allowed(unit_of(p))]  # type: ignore[operator]


def account() -> str | None:
    """The hub account this process works for (None: not on the hub)."""
    return os.environ.get(ACCOUNT_ENV) or None


def saver(params_dir: Path) -> tuple[str, str]:
    """Who a save is recorded under: the hub account and its 姓名 (read from the hub's
    accounts, in the working folder: $KIT_ROOT, which the hub sets, else above
    ``params_dir``); without a hub account (``kit form`` on one computer) 「本机」 and the
    computer's user name, which is all the kit knows of who sits there."""
    from kit.review.record import LOCAL

    who = account()
    if who is None:
        try:
            return LOCAL, getpass.getuser()
        except (OSError, KeyError):  # no user name to be had (a bare container)
            return LOCAL, ""
    from kit.hub.accounts import DB_NAME, STATE_DIR, Accounts

    root = Path(os.environ.get("KIT_ROOT") or params_dir.parent)
    found = Accounts(root).get(who) if (root / STATE_DIR / DB_NAME).is_file() else None
    return who, found.name if found else ""
