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


@lru_cache(maxsize=1)
def _strokes() -> dict[str, int]:
    """kTotalStrokes (zh-Hans value) of every CJK character Unihan knows."""
    out: dict[str, int] = {}
    try:
        with bz2.open(UNIHAN, "rt", encoding="utf-8") as f:
            for line in f:
                if "\tkTotalStrokes\t" in line:
                    code, _, value = line.rstrip("\n").split("\t")
                    out[chr(int(code[2:], 16))] = int(value.split()[0])
    except OSError:
        raise ToolMissingError(Problem(
            "找不到汉字笔画数据，无法按姓氏笔画排序", file=str(UNIHAN),
            hint="请安装 Debian 软件包 unicode-data（sudo apt-get install unicode-data），"
                 "或用 --order 拼音。")) from None
    return out


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
