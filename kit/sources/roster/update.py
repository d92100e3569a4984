"""Update a parameter file's values in place, keeping its comments and layout.

Each changed ``key: value`` line gets its new value; an inline comment after it, the
comment lines, blank lines and key order stay as the user wrote them.  A removed value
loses its line; a new value is added at the end.  The result is read back and compared
with what was meant; when a value cannot be edited on its line (a multi-line value),
the caller falls back to writing the whole file.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from kit.report.yamlio import Dumper, Entry, load_mapping


def scalar(value: Any) -> str:
    """One YAML scalar as a parameter file writes it: 「0123」 quoted, 12 plain."""
    text = yaml.dump(value, Dumper=Dumper, allow_unicode=True, default_flow_style=True,
                     width=10**6)
    return text.removesuffix("\n").removesuffix("\n...").removesuffix("...").strip()


def _line_re(key: str) -> re.Pattern[str]:
    return re.compile(rf"^(?P<head>[\"']?{re.escape(key)}[\"']?[ \t]*:)(?P<gap>[ \t]*)"
                      r"(?P<value>.*?)(?P<comment>[ \t]+#.*)?$")


def update_text(text: str, old: dict[str, Entry], new: dict[str, Any],
                same: Any) -> str | None:
    """``text`` with the values of ``new`` (key → plain value); None when a change
    cannot be made line by line.  ``same(key, old_raw, new_value)`` says whether a
    value is unchanged (so untouched lines keep their spelling, 「12.0」 included)."""
    lines = text.splitlines()
    drop: set[int] = set()
    for key, entry in old.items():
        i = entry.line - 1
        if not 0 <= i < len(lines) or isinstance(entry.value, list | dict):
            return None
        if i + 1 < len(lines) and lines[i + 1][:1] in (" ", "\t"):  # a multi-line value
            return None
        m = _line_re(key).match(lines[i])
        if not m or m.group("value").startswith(("|", ">", "&", "*", "!")):
            return None
        if key not in new:
            drop.add(i)
        elif not same(key, entry.value, new[key]):
            gap = m.group("gap") or " "
            lines[i] = f"{m.group('head')}{gap}{scalar(new[key])}{m.group('comment') or ''}"
    out = [line for i, line in enumerate(lines) if i not in drop]
    out += [f"{scalar(k) if not _plain_key(k) else k}: {scalar(v)}"
            for k, v in new.items() if k not in old]
    result = "\n".join(out) + "\n"
    try:
        back = load_mapping(result, "check")
    except Exception:  # noqa: BLE001 — any doubt: the caller rewrites the whole file
        return None
    if set(back) != set(new) or any(not same(k, back[k].value, new[k]) for k in new):
        return None
    return result


def _plain_key(key: str) -> bool:
    return bool(re.fullmatch(r"[\w\u4e00-\u9fff]+", key))
