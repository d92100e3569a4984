"""Which units this process may read and write: the account's, from ``KIT_UNITS``.

The hub's spawner sets ``KIT_UNITS`` (a JSON list) for 填报 and 审阅 accounts; the
form's kernel asks here on every listing, open, save and Word file, so a clerk's
server refuses another unit's file whatever the page sent.  Unset (``kit form``,
``kit lab``, a 管理 account): every unit.  Every save under an account is also written
to the hub's audit record (account, time, file, content hash).
"""

from __future__ import annotations

import hashlib
import json
import os
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from kit.errors import KitError, Problem

UNITS_ENV = "KIT_UNITS"
ACCOUNT_ENV = "KIT_ACCOUNT"

if os.environ.get(ACCOUNT_ENV):
    # A hub account's kernel records every save (record_save).  Loading the record's
    # module hashes a password (argon2: 0.2 s of CPU), so it is loaded with the form —
    # in a preheated kernel, before the clerk comes — not at the first 保存, when 30
    # clerks saving at once made it seconds.
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


def record_save(path: Path, data: bytes) -> None:
    """Write 「保存」 with the account, file and content hash to the hub's audit record
    (the working folder's: $KIT_ROOT, which the hub sets, else above params/)."""
    who = account()
    if who is None:
        return
    root = Path(os.environ.get("KIT_ROOT") or path.parent.parent)
    from kit.hub.accounts import Accounts

    digest = hashlib.sha256(data).hexdigest()
    Accounts(root).log(who, "保存", f"{path.name} sha256={digest}")
