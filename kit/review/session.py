"""One reviewer's session over a folder of parameter files: what the review notebook
shows (each official with status, 提示 and report) and the decisions it records.

No widgets here (see :mod:`kit.review.ui`): this is plain logic, tested directly.
"""

from __future__ import annotations

import contextlib
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from kit.build.official import report_of
from kit.errors import KitError
from kit.hub import scope
from kit.iorw import safe_filename
from kit.project import Workspace, volume_name
from kit.report.model import Report
from kit.report.params import Official, find_params, load
from kit.review import flags
from kit.review.pages import render_page
from kit.review.record import PASSED, RETURNED, SAVED, Save, Store
from kit.review.status import FileStatus, decide, status_of
from kit.word.volume import sort_reports

FILTERS = ("全部", "待审", "有提示", "退回", "已通过")


@dataclass
class Volume:
    """The 汇编 of the approved reports of one year within this session's units."""

    year: int
    path: Path | None  # None: no report of the year is approved
    included: list[Item] = field(default_factory=list)
    left_out: list[Item] = field(default_factory=list)  # not approved (or no report)


@dataclass
class Item:
    path: Path
    status: FileStatus
    official: Official | None = None
    report: Report | None = None
    error: str = ""  # why there is no report
    check: flags.Check | None = None
    saved: Save | None = None  # the form's last save of this file (who, when)
    saved_since: bool = False  # the file changed since that save, not by the form

    @property
    def label(self) -> str:
        ident = self.status.ident
        who = "　".join(x for x in (ident.name, ident.unit, ident.role) if x) or self.path.name
        tips = f"　⚠{len(self.check.every)}" if self.check and self.check.every else ""
        return f"【{self.status.status}】{who}{tips}"

    def matches(self, kind: str) -> bool:
        if kind == "有提示":
            return bool(self.check and self.check.every)
        if kind == "待审":
            return self.status.status not in (PASSED, RETURNED)
        return kind == "全部" or self.status.status == kind

    def html(self) -> str:
        """Status, 提示, the year-over-year table and the report, as the reviewer reads them."""
        parts = [render_page("review_head.html.j2", item=self)]
        if self.check and (self.check.every or self.check.rows):
            shown = self.check.as_dict() | {"flags": self.check.every}
            parts.append(render_page("compare.html.j2", kit={"compare": shown}))
        if self.report:
            parts.append(render_page("report.html.j2", report=self.report))
        return "\n".join(parts)


class Session:
    def __init__(self, folders: Workspace | None = None) -> None:
        self.folders = folders or Workspace.find()
        self.store = Store.of_folder(self.folders.params)
        self.items: list[Item] = []
        self.reload()

    def reload(self) -> None:
        """Read every file again: edits made since are seen (「已修改，待重审」)."""
        latest = self.store.latest()
        last_saves = {v.file: v for v in self.store.saves() if v.outcome == SAVED}
        items: list[Item] = []
        checked: dict[Path, Official | KitError] = {}
        for path in find_params(self.folders.params):
            item = Item(path, status_of(path, latest))
            if not scope.allowed(item.status.ident.unit):
                continue  # a hub reviewer sees their own units only (kit.hub.scope)
            item.saved = last_saves.get(path.name)
            with contextlib.suppress(OSError):  # unreadable: said by the report's error
                now = hashlib.sha256(path.read_bytes()).hexdigest()
                item.saved_since = item.saved is not None and item.saved.sha256 != now
            try:
                item.official = load(path, templates=self.folders.templates)
                item.report = report_of(item.official)
            except KitError as err:
                item.error = str(err)
            checked[path] = item.official if item.official else KitError(item.error)
            items.append(item)
        checks = flags.for_batch(checked, self.folders.out, None, save=False)
        for item in items:
            item.check = checks.get(item.path)
        # 目录 order (the 汇编's), then the files without a report
        by_id = {id(i.report): (i.report, i) for i in items if i.report}
        ordered = [by_id[id(r)][1] for r in sort_reports(r for r, _ in by_id.values())]
        self.items = ordered + [i for i in items if not i.report]

    def years(self) -> list[int]:
        """The years of the officials shown, latest first."""
        found = {y for i in self.items if (y := _year(i)) is not None}
        return sorted(found, reverse=True)

    def volume(self, year: int, folder: Path) -> Volume:
        """Write into ``folder`` the 汇编 of ``year``'s 已通过 reports of this session's
        units (on the hub: the account's, :mod:`kit.hub.scope`) — the build's own
        volume writer on the reports as the build renders them, so the 目录 and the
        pages are those ``kit build --final`` makes.  The others of the year are
        listed in ``left_out``.  The statuses are read again first: a file edited
        since its approval is 「已修改，待重审」 and left out."""
        from kit.word.volume import write_volume

        self.reload()
        mine = [i for i in self.items if _year(i) == year]
        out = Volume(year, None,
                     [i for i in mine if i.report is not None and i.status.status == PASSED],
                     [i for i in mine if i.report is None or i.status.status != PASSED])
        if not out.included:
            return out
        where = "、".join(sorted(scope.units() or ())) if scope.units() is not None else ""
        name = Path(volume_name(year)).stem + f"（已通过{'·' + where if where else ''}）"
        out.path = write_volume([i.report for i in out.included if i.report],
                                folder / (safe_filename(name) + ".docx"), year).path
        return out

    def shown(self, kind: str) -> list[Item]:
        return [i for i in self.items if i.matches(kind)]

    def _decide(self, item: Item, status: str, reviewer: str, reason: str = "") -> Item:
        scope.check_unit(status_of(item.path, self.store.latest()).ident.unit, item.path.name)
        reviewer = scope.account() or reviewer  # on the hub: the account, not a typed name
        (item.status,) = decide([item.path], status, reviewer, reason,
                                templates=self.folders.templates)
        return item

    def approve(self, item: Item, reviewer: str) -> Item:
        return self._decide(item, PASSED, reviewer)

    def send_back(self, item: Item, reviewer: str, reason: str) -> Item:
        return self._decide(item, RETURNED, reviewer, reason)


def _year(item: Item) -> int | None:
    if item.report is not None:
        return int(item.report.year)
    try:
        return int(item.status.ident.year)
    except ValueError:
        return None
