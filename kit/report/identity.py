"""Who a parameter file is about, and the one rule for naming it.

An official is identified by 单位 + 姓名 + 年度 (and 角色, for the rare person who
holds two roles).  Every front end that names or looks for a parameter file — the
form, the batch's duplicate check, roster import, roll — asks this module, so a
second file for the same official is found whatever it is called.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kit.iorw import safe_filename

PARAMS_SUFFIX = ".yaml"


@dataclass(frozen=True)
class Identity:
    unit: str
    name: str
    year: str  # as typed: a file whose 年度 does not parse is still identified
    role: str = ""

    @classmethod
    def of(cls, values: Mapping[str, Any]) -> Identity:
        """From a mapping of raw or checked values (entries' ``.value`` or plain)."""
        def text(key: str) -> str:
            v = values.get(key)
            v = getattr(v, "value", v)  # a yamlio.Entry
            return "" if v is None else str(v).strip()
        return cls(text("单位"), text("姓名"), text("年度"), text("角色"))

    @property
    def person(self) -> tuple[str, str, str]:
        """单位, 姓名, 年度: the same person in the same year."""
        return (self.unit, self.name, self.year)

    def describe(self) -> str:
        """「东山镇 李明华（2023 年度）」 for messages."""
        year = f"（{self.year} 年度）" if self.year else ""
        return f"{self.unit} {self.name}{year}".strip()


def params_filename(unit: str, role: str, name: str) -> str:
    """「东山镇-镇党建办主任-李明华.yaml」: the name the kit gives a new parameter file."""
    parts = [str(p).strip() for p in (unit, role, name) if str(p).strip()]
    return safe_filename("-".join(parts)) + PARAMS_SUFFIX


def same_person(ids: Iterable[tuple[Path, Identity]]) -> dict[tuple[str, str, str], list[Path]]:
    """Groups of files (two or more) that are about the same 单位 + 姓名 + 年度.
    Files whose 姓名 is empty are never grouped (they fail their own check)."""
    groups: dict[tuple[str, str, str], list[Path]] = {}
    for path, ident in ids:
        if ident.name:
            groups.setdefault(ident.person, []).append(path)
    return {k: v for k, v in groups.items() if len(v) > 1}
