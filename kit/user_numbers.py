"""Whole numbers a user types for an option (--workers, --timeout, --year, --port): the
one rule and its one message, also for environment variables read as numbers
(:func:`from_environment`: kit hub's time limits).

Only ASCII digits are read.  int() would also take 「１０」 and other scripts' digits and
float() 「1e3」; those, a unit (「10秒」) and anything out of range are refused with the
number the user most likely meant: 「您是否想写「10」？」.
"""

from __future__ import annotations

import argparse
import os
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from kit.errors import Problem, UsageError, did_you_mean

_WHOLE = re.compile(r"[0-9]{1,12}")
# What was meant, read from the text made ASCII: a leading number, maybe signed or with
# decimals, whatever follows it (a unit, a word), but not 「1e3」 or 「0x10」.
_MEANT = re.compile(r"\s*((?>[+-]?[0-9]{1,12}(?:\.[0-9]{1,6})?))(?![eExX][+-]?[0-9A-Fa-f])")
_SHOWN = 20  # characters of a wrong value quoted in the message
# 「二〇二四」 written digit by digit (not 「二十」: which number that is, is not a digit's job).
_HAN_DIGITS = str.maketrans("〇零一二三四五六七八九", "00123456789")
_HAN_PLACES = frozenset("十百千万亿拾佰仟")


class NumberError(argparse.ArgumentTypeError):
    """A typed number that breaks the rule.  An ArgumentTypeError, so argparse prints
    ``str(err)`` after the option's name; the facts are kept for a Problem."""

    def __init__(self, expected: str, found: str, hint: str | None) -> None:
        self.expected, self.found, self.hint = expected, found, hint
        super().__init__(f"应为 {expected}，实际为「{found}」" + (f" {hint}" if hint else ""))


@dataclass(frozen=True)
class Whole:
    """An integer from ``lo`` to ``hi``: ``Whole(1, 64)("8") == 8``; an argparse type."""

    lo: int
    hi: int

    @property
    def expected(self) -> str:
        return f"{self.lo} 到 {self.hi} 之间的整数"

    def __call__(self, text: str) -> int:
        if _WHOLE.fullmatch(text) and self.lo <= int(text) <= self.hi:
            return int(text)
        shown = text if len(text) <= _SHOWN else text[:_SHOWN] + "…"
        raise NumberError(self.expected, shown, self._hint(text))

    def _hint(self, text: str) -> str | None:
        """The number ``text`` most likely meant, kept in range: 「１０」, 「10秒」 → 10;
        「二〇二四」 → 2024; 70000 for a port → 65535.  None when nothing in it reads as a
        number."""
        ascii_ = "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c
                         for c in unicodedata.normalize("NFKC", text[:40]))
        if not _HAN_PLACES.intersection(ascii_):
            ascii_ = ascii_.translate(_HAN_DIGITS)
        found = _MEANT.match(ascii_)
        if found is None:
            return None
        meant = Decimal(found.group(1))
        if meant != meant.to_integral_value():
            return None  # 「1.5」: which whole number is not for us to guess
        return did_you_mean([str(min(max(int(meant), self.lo), self.hi))])


def from_environment(name: str, default: int, lo: int, hi: int) -> int:
    """The environment variable ``name`` by the same rule (``default`` when unset or
    empty); UsageError naming it otherwise, never a guess."""
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        return Whole(lo, hi)(text)
    except NumberError as err:
        raise UsageError(Problem("环境变量写法有误", field=name, expected=err.expected,
                                 found=f"「{err.found}」", hint=err.hint)) from None
