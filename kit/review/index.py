"""The review index (``build/<年度>/review/index.html``): every official in 目录 order.

The rows are one JSON block in the page, drawn by a few lines of plain JavaScript (no
CDN, no framework) one page at a time, with search and filters by 单位, 角色 and 状态:
a table of 10,000 officials opens as fast as one of 10.  序号 is the official's number
in the 汇编's 目录 (the same :func:`kit.report.collation.order_key`); officials whose report
failed follow, without a number, named from whatever of their file can be read.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from kit.errors import ParamsError, display_path
from kit.iorw import atomic_write_text
from kit.report.identity import Identity
from kit.report.params import read_entries
from kit.review.pages import render_page

if TYPE_CHECKING:
    from kit.build.execute import Outcome


def _link(target: Path | None, base: Path) -> str:
    return quote(os.path.relpath(target, base).replace(os.sep, "/")) if target else ""


def in_toc_order(outcomes: Sequence[Outcome]) -> list[tuple[int | None, Outcome]]:
    """(序号 in the 目录, outcome): reports in the 汇编's order, then the failed ones.
    From each outcome's own facts, so officials reused from the last build (whose report
    is not in memory) are numbered too."""
    from kit.report.collation import order_key  # (not kit.word: its import is slow)

    good = sorted((o for o in outcomes if o.ok),
                  key=lambda o: order_key(o.order, o.rank, o.name, o.unit, o.role))
    out: list[tuple[int | None, Outcome]] = [(i, o) for i, o in enumerate(good, 1)]
    return out + [(None, o) for o in outcomes if not o.ok]


def who(o: Outcome) -> Identity:
    """姓名/角色/单位 of an outcome; for a failed file, read best-effort from the file."""
    if o.name or o.unit:
        return Identity(o.unit, o.name, str(o.year or ""), o.role)
    try:
        return Identity.of(read_entries(o.file))
    except (ParamsError, OSError, ValueError):
        return Identity("", "", "")


def _json_for_script(data: Any) -> str:
    # Inside <script>, "</script>" or "<!--" in a value must not end the block.
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def write_index(path: Path, year: int, outcomes: Sequence[Outcome], volumes: Sequence[Path],
                statuses: dict[Path, Any] | None = None) -> Path:
    """Write the index; ``statuses`` maps a parameter file to its review status."""
    base = path.parent
    statuses = statuses or {}
    rows = []
    for number, o in in_toc_order(outcomes):
        ident = who(o)
        st = statuses.get(Path(os.path.realpath(o.file)))  # never raises on a symlink loop
        rows.append({
            "n": number, "name": ident.name, "role": ident.role, "unit": ident.unit,
            "file": o.file.name if (ident.name or ident.unit) else display_path(o.file),
            "ok": o.ok, "reason": o.reason,
            "status": st.status if st else "", "note": st.reason if st else "",
            "warnings": list(o.warnings), "flags": list(getattr(o, "flags", []) or []),
            "html": _link(o.review, base), "docx": _link(o.docx, base) if o.ok else ""})
    failed = sum(not o.ok for o in outcomes)
    books = [{"name": v.name, "href": _link(v, base)} for v in volumes]
    return atomic_write_text(path, render_page(
        "index.html.j2", year=year, total=len(rows), ok=len(rows) - failed, failed=failed,
        volumes=books, missing=failed if books else 0,
        flagged=sum(bool(r["flags"] or r["warnings"]) for r in rows),
        data=_json_for_script(rows), when=datetime.now().strftime("%Y-%m-%d %H:%M")))
