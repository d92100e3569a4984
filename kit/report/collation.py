"""Name order: 「按姓氏笔画排序」 (the official convention), or pinyin.

Stroke order compares names character by character: first the character's stroke count
as the mainland standard counts it — Unihan's ``kTotalStrokes`` (its first value is the
zh-Hans count: 郭 10, 董 12), read from Debian's ``unicode-data`` package — then, for
characters of the same count, ICU's ``zh@collation=stroke`` order (by radical).  ICU's
own stroke collation alone is not enough: it counts 阝 and 艹 the traditional way
(郭 11, 董 13).  So the surname decides first and the following characters break ties.
Pinyin order is ICU's ``zh@collation=pinyin``.  No stroke table of ours.

The method comes from ``$KIT_NAME_ORDER`` (笔画 or 拼音; ``kit build --order`` sets it),
so the 汇编 and the review index always agree.
"""

from __future__ import annotations

import bz2
import contextlib
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from kit.errors import Problem, ToolMissingError, UsageError, suggest

METHODS = {"笔画": "zh@collation=stroke", "拼音": "zh@collation=pinyin"}
DEFAULT = "笔画"
ENV = "KIT_NAME_ORDER"
UNIHAN = Path(os.environ.get("KIT_UNIHAN", "/usr/share/unicode/Unihan_IRGSources.txt.bz2"))


def current_method() -> str:
    return check_method(os.environ.get(ENV) or DEFAULT)


def check_method(method: str) -> str:
    if method not in METHODS:
        raise UsageError(Problem("不认识的排序方式", field="--order", expected="笔画 或 拼音",
                               found=f"「{method}」", hint=suggest(method, METHODS)))
    return method


@lru_cache(maxsize=2)
def _collator(method: str) -> Any:
    import icu

    return icu.Collator.createInstance(icu.Locale(METHODS[method]))


CACHE_ENV = "KIT_CACHE_DIR"  # default: the user's cache folder (platformdirs)
CACHE_MAX_BYTES = 4 << 20  # the table is ~0.2 MB: anything much larger is not ours
_CACHE_HEAD = "kit stroke counts 1"


@lru_cache(maxsize=1)
def _strokes() -> dict[str, int]:
    """kTotalStrokes (zh-Hans value) of every CJK character Unihan knows.  Unpacking
    Unihan costs a quarter of a second per process, so the table is kept in the user's
    cache folder, made anew whenever the Unihan file changes."""
    try:
        st = UNIHAN.stat()
    except OSError:
        raise _missing() from None
    cache = _cache_folder() / f"strokes-{st.st_size}-{st.st_mtime_ns}.txt"
    try:
        return _read_cache(cache)
    except (OSError, ValueError):
        pass  # none yet, or damaged: made again
    table = _read_unihan()
    with contextlib.suppress(OSError):  # a read-only home: slower next time, nothing else
        from kit.iorw import atomic_write_text

        cache.parent.mkdir(parents=True, exist_ok=True)
        by_count: dict[int, list[str]] = {}
        for char, n in table.items():
            by_count.setdefault(n, []).append(char)
        atomic_write_text(cache, "\n".join([_CACHE_HEAD, *(
            f"{n}\t{''.join(chars)}" for n, chars in sorted(by_count.items()))]) + "\n")
    return table


def _cache_folder() -> Path:
    if folder := os.environ.get(CACHE_ENV):
        return Path(folder)
    import platformdirs

    return Path(platformdirs.user_cache_dir("shuzhi-kit", appauthor=False))


def _read_cache(path: Path) -> dict[str, int]:
    """The cached table; ValueError for anything but what :func:`_strokes` wrote."""
    if path.stat().st_size > CACHE_MAX_BYTES:
        raise ValueError("too large")
    head, *lines = path.read_text("utf-8").rstrip("\n").split("\n")  # not splitlines:
    # it would also split at characters such as U+2028
    if head != _CACHE_HEAD or not lines:
        raise ValueError("not a stroke table")
    out: dict[str, int] = {}
    for line in lines:
        count, chars = line.split("\t")
        n = int(count)
        if not 0 < n < 100 or not chars:
            raise ValueError("not a stroke count")
        out.update(dict.fromkeys(chars, n))
    return out


def _read_unihan() -> dict[str, int]:
    out: dict[str, int] = {}
    try:
        with bz2.open(UNIHAN, "rt", encoding="utf-8") as f:
            for line in f:
                if "\tkTotalStrokes\t" in line:
                    code, _, value = line.rstrip("\n").split("\t")
                    out[chr(int(code[2:], 16))] = int(value.split()[0])
    except OSError:
        raise _missing() from None
    return out


def _missing() -> ToolMissingError:
    return ToolMissingError(Problem(
        "找不到汉字笔画数据，无法按姓氏笔画排序", file=str(UNIHAN),
        hint="请安装 Debian 软件包 unicode-data（sudo apt-get install unicode-data），"
             "或用 --order 拼音。"))


def strokes(char: str) -> int:
    """Stroke count of one character (0 for characters Unihan does not count)."""
    return _strokes().get(char, 0)


def name_key(name: str, method: str | None = None) -> tuple:
    """Sort key of a person's name in the chosen (or current) order."""
    method = check_method(method or current_method())
    collator = _collator(method)
    if method == "拼音":
        return (bytes(collator.getSortKey(name or "")),)
    return tuple((strokes(c), bytes(collator.getSortKey(c))) for c in (name or ""))


def sort_names(names: list[str], method: str | None = None) -> list[str]:
    return sorted(names, key=lambda n: name_key(n, method))


def order_key(order: int | None, rank: int, name: str, unit: str, role: str) -> tuple:
    """The 汇编's order: an explicit 排序 (``order``) first, by that number; then role
    rank (smaller first), then name in this module's order (按姓氏笔画, or pinyin), unit,
    role.  The one definition: the 汇编 (kit.word.volume) and the review index use it."""
    explicit = order is not None
    return (not explicit, order if explicit else 0, rank, name_key(name), unit, role)
