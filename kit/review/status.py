"""Each parameter file's review status, keyed by the hash of its data.

A decision holds for the data it was made on: the hash is of the file's entries
(key → value as typed), not of its name, bytes or mtime, so re-saving a file or
editing a comment keeps its status, while changing any value makes an approved (or
returned) official 「已修改，待重审」.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kit import xlsx as excel
from kit.errors import KitError, NotApprovedError, ParamsError, Problem, display_path
from kit.project import TEMPLATES, find_root
from kit.report.identity import Identity
from kit.report.params import find_params, load, read_entries
from kit.report.yamlio import Entry
from kit.review.record import (
    CHANGED,
    PASSED,
    PENDING,
    REASON,
    RETURNED,
    REVIEWER,
    Record,
    Store,
    shown,
    typed,
)


def _plain(value: Any) -> Any:
    if isinstance(value, Entry):
        return _plain(value.value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return None if value is None else str(value)


def data_hash(entries: dict[str, Entry]) -> str:
    """SHA-256 of a parameter file's data (order of keys and comments do not count)."""
    text = json.dumps(_plain(entries), ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def identity_key(ident: Identity) -> str:
    """Who a file is about (单位|姓名|年度|角色): the review records' key, so a decision
    follows the official, not the file name."""
    return "|".join((ident.unit, ident.name, ident.year, ident.role))


@dataclass(frozen=True)
class FileStatus:
    path: Path
    ident: Identity
    hash: str
    status: str  # 待审 | 已通过 | 退回 | 已修改，待重审 | 无法读取
    record: Record | None  # the last decision on this official (maybe on older data)

    @property
    def identity_key(self) -> str:
        return identity_key(self.ident)

    @property
    def reason(self) -> str:
        return self.record.reason if self.record and self.status == RETURNED else ""

    @property
    def approved(self) -> bool:
        return self.status == PASSED


def facts_of(entries: dict[str, Entry]) -> tuple[Identity, str]:
    """What a status is decided on: who the file is about, and the hash of its data."""
    return Identity.of(entries), data_hash(entries)


def status_of(path: Path, latest: dict[str, Record],
              facts: tuple[Identity, str] | None = None) -> FileStatus:
    """``facts``: :func:`facts_of` the file's entries, when they were read already."""
    if facts is None:
        try:
            facts = facts_of(read_entries(path))
        except ParamsError:
            return FileStatus(path, Identity("", "", ""), "", "无法读取", None)
    ident, digest = facts
    record = latest.get(identity_key(ident))
    if record is None:
        status = PENDING
    elif record.hash != digest:
        status = CHANGED
    else:
        status = record.status
    return FileStatus(path, ident, digest, status, record)


def statuses(params_dir: str | Path, store: Store | None = None,
             known: dict[str, tuple[Identity, str]] | None = None) -> list[FileStatus]:
    """The status of every parameter file of a folder, in file-name order.  ``known``:
    :func:`facts_of` files already read (by real path), e.g. by the batch that just
    checked them."""
    latest = (store or Store.of_folder(params_dir)).latest()
    known = known or {}
    return [status_of(p, latest, known.get(os.path.realpath(p))) for p in find_params(params_dir)]


def decide(files: Iterable[str | Path], status: str, reviewer: str, reason: str = "",
           templates: str | Path | None = None) -> list[FileStatus]:
    """Record 已通过 or 退回 for each file (its record is the folder's); returns the new
    statuses.  A file that does not pass its checks cannot be approved."""
    if not reviewer.strip():
        raise KitError(Problem("请填写审阅人姓名", field="审阅人"))
    if status == RETURNED and not reason.strip():
        raise KitError(Problem("退回需要写明意见", field="意见",
                               hint="请写明哪一项、为什么，例如「专题会议次数请核对」"
                                    "（命令行用 --reason）。"))
    # Checked before any file is read or decision written (Store.add checks them too).
    reviewer, reason = typed(REVIEWER, reviewer), typed(REASON, reason) if reason.strip() else ""
    done = []
    for file in files:
        path = Path(file)
        if status == PASSED:
            load(path, templates=templates)  # ParamsError: a broken file has no report
        store = Store.of_folder(path)
        before = status_of(path, {})
        if before.status == "无法读取":
            read_entries(path)  # raises the file's own message
        store.add(before.identity_key, path.name, before.hash, status, reviewer, reason)
        done.append(status_of(path, store.latest()))
    return done


def require_approved(params_dir: str | Path) -> list[FileStatus]:
    """``kit build --final``: every official 已通过, else NotApprovedError (exit 6) naming
    who is pending, changed or returned."""
    every = statuses(params_dir)
    waiting = [s for s in every if not s.approved]
    if waiting:
        problems = [Problem(f"{s.status}：{s.ident.name or '（姓名未读出）'}（{s.ident.unit} "
                            f"{s.ident.role}）" + (f"，意见：{s.reason}" if s.reason else ""),
                            file=display_path(s.path)) for s in waiting]
        problems.append(Problem(f"定稿汇编没有生成：{len(waiting)} 人未通过审阅",
                                hint="请先审阅（kit review），或不加 --final 生成征求意见稿。"))
        raise NotApprovedError(problems)
    return every


EXPORT_HEADS = ("序号", "单位", "姓名", "年度", "角色", "参数文件", "结论", "意见", "审阅人",
                "时间", "数据指纹")


SAVE_HEADS = ("序号", "时间", "账号", "账号姓名", "结果", "单位", "姓名", "年度", "角色", "参数文件",
              "文件指纹（sha256）")


def export_records(params_dir: str | Path, xlsx: str | Path, force: bool = False) -> Path:
    """The whole record as an Excel sheet (oldest first), each file's current status, and
    the form's saves (who, when, the sha256 of the bytes written).
    Every text is a text cell (:mod:`kit.xlsx`): a reason 「=…」 is not a formula.  An
    existing file is replaced only with ``force``, and kept as a .bak."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    excel.check_target(xlsx, force)
    store = Store.of_folder(params_dir)
    wb = Workbook()
    ws = wb.create_sheet("审阅记录")
    wb.remove(wb.worksheets[0])  # the empty default sheet
    excel.append(ws, EXPORT_HEADS)
    for r in store.records():
        unit, name, year, role = (r.official.split("|") + ["", "", "", ""])[:4]
        excel.append(ws, [r.id, unit, name, year, role, r.file, r.status, r.reason, r.reviewer,
                          r.at, r.hash[:12]])
    now = wb.create_sheet("当前状态")
    excel.append(now, ("参数文件", "单位", "姓名", "角色", "状态", "意见", "审阅人", "时间"))
    for s in statuses(params_dir, store):
        rec = s.record
        excel.append(now, [s.path.name, s.ident.unit, s.ident.name, s.ident.role, s.status,
                           s.reason, rec.reviewer if rec else "", rec.at if rec else ""])
    saves = wb.create_sheet("保存记录")
    excel.append(saves, SAVE_HEADS)
    for v in store.saves():
        unit, name, year, role = (v.official.split("|") + ["", "", "", ""])[:4]
        excel.append(saves, [v.id, v.at, v.account, v.name, v.outcome, unit, name, year, role,
                             v.file, v.sha256])
    for sheet in (ws, now, saves):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
    return excel.save(wb, xlsx, force)


def in_volume_order(rows: list[FileStatus], params_dir: str | Path) -> list[FileStatus]:
    """``rows`` in the 汇编's order (:func:`kit.word.volume.order_key`: 排序, the role's
    排位, the name's strokes …), the order the reviewer will read them in; files that cannot
    be read, or whose 排序 or role is wrong, after the others, by file name."""
    from kit.report.fields import IDENTITY
    from kit.report.templates import load_roles, templates_dir
    from kit.word.volume import order_key

    root = find_root(params_dir)
    try:
        ranks = {r.role: r.rank for r in load_roles(
            root / TEMPLATES if root is not None else templates_dir()).values()}
    except KitError:
        ranks = {}
    order_field = next(f for f in IDENTITY if f.key == "排序")

    def key(s: FileStatus) -> tuple:
        try:
            raw = read_entries(s.path).get("排序")
            value = None if raw is None or raw.value in (None, "") else order_field.parse(raw.value)
            order = None if value is None else int(value)  # an 整数 field
        except (KitError, ValueError):
            return (True, str(s.path))
        if s.ident.role not in ranks:
            return (True, str(s.path))
        return (False, order_key(order, ranks[s.ident.role], s.ident.name, s.ident.unit,
                                 s.ident.role))

    return sorted(rows, key=key)


def list_lines(params_dir: str | Path) -> list[str]:
    """``kit review list``: one line per file, in the 汇编's order, then the count of each
    status.  Every text
    from the record or a file is :func:`~kit.review.record.shown`: nothing it holds
    clears the screen or forges a line."""
    rows = in_volume_order(statuses(params_dir), params_dir)
    lines = []
    for s in rows:
        who = "　".join(x for x in (s.ident.name, s.ident.role, s.ident.unit) if x) or "（无法读取）"
        extra = f"　意见：{s.reason}" if s.reason else ""
        if s.record:
            last = "" if s.status in (PASSED, RETURNED) else f"上次{s.record.status}，"
            extra += f"　（{last}{s.record.reviewer} {s.record.at[:16].replace('T', ' ')}）"
        lines.append(shown(f"【{s.status}】{who}　{display_path(s.path)}{extra}"))
    counts = {k: sum(s.status == k for s in rows) for k in (PASSED, RETURNED, CHANGED, PENDING)}
    lines.append(f"共 {len(rows)} 份：" + "，".join(f"{k} {v}" for k, v in counts.items() if v))
    return lines
