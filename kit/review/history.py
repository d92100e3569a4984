"""Who did what with a folder's parameter files: the form's saves and the review
decisions, both from the review record (kit.review.record), in time order — the one
place a reviewer or an administrator reads it (`kit review log`, and the 「保存记录」
sheet of `kit review export`).  The hub's own audit table keeps logins and account
changes only."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kit.review.record import REFUSED, Store, shown

SHOWN_REFUSED = "未保存（打开后文件已被改过）"


@dataclass(frozen=True)
class Event:
    at: str
    what: str  # 已保存 | SHOWN_REFUSED | 已通过 | 退回
    who: str
    file: str
    detail: str  # a save: sha256 of the bytes; a decision: 意见


def events(store: Store, file: str | None = None) -> list[Event]:
    """Saves and decisions (of ``file`` only, when given), oldest first: in the order
    they were written (each save knows the last decision before it), not by the clock."""
    out = [((s.after, 1, s.id), Event(s.at, SHOWN_REFUSED if s.outcome == REFUSED
                                      else s.outcome, s.who, s.file, f"sha256 {s.sha256}"))
           for s in store.saves()]
    out += [((r.id, 0, 0), Event(r.at, r.status, r.reviewer, r.file, r.reason))
            for r in store.records()]
    out.sort(key=lambda e: e[0])
    return [e for _, e in out if file is None or e.file == file]


def log_lines(params_dir: str | Path, file: str | None = None) -> list[str]:
    """``kit review log``: one line per save or decision; every text is
    :func:`~kit.review.record.shown` (nothing from the record clears the screen)."""
    found = events(Store.of_folder(params_dir), Path(file).name if file else None)
    lines = [shown("　".join(x for x in (e.at[:16].replace("T", " "), e.what, e.file, e.who,
                                         e.detail) if x)) for e in found]
    saves = sum(e.what not in ("已通过", "退回") for e in found)
    lines.append(f"共 {len(found)} 条：保存 {saves}，审阅结论 {len(found) - saves}。")
    return lines
