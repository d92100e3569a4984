"""The report's numbering — 一、 for level-1 headings, （一） for level-2, 一是 for items —
formatted and recognised in one place (render, the template check and the importer).
"""

from __future__ import annotations

import re

CN_DIGITS = "一二三四五六七八九十"
_NAMES = "零一二三四五六七八九"

# 「一、加强学习」 → (一, 加强学习); 「（二）抓好…」 or 「(二)抓好…」 → (二, 抓好…)
H1 = re.compile(rf"^([{CN_DIGITS}]+)、\s*(.+)$")
H2 = re.compile(rf"^[（(]([{CN_DIGITS}]+)[）)]\s*(.+)$")
# 「1.」「2、」: a level below what the kit numbers.
ARABIC = re.compile(r"^\d+[.．、]")
# 「一是」 starting a sentence or after punctuation (not 「一是否」).
ITEM = re.compile(rf"(?:^|(?<=[。；：，！？;:,!?]))([{CN_DIGITS}]+)是(?!否)")
# Any numbering at the start of a line: 一、 一是 （一） (一) 1. 1、
LEADING = re.compile(rf"^(?:[{CN_DIGITS}]+[、是]|[（(][{CN_DIGITS}]+[）)]|\d+[.．、])")
# Text of a heading or item that starts like the kit's own numbering (「一是…」「（二）…」).
_OWN = rf"(?:[{CN_DIGITS}]+[、是]|[（(][{CN_DIGITS}]+[）)])"
OWN_NUMBER = re.compile("^" + _OWN)
# A template line (「# 」「## 」「- 」 markup) that numbers itself: the kit numbers them.
TEMPLATE_NUMBERED = re.compile(r"^(#{1,2}|-)\s*" + _OWN)


def numeral(n: int) -> str:
    """1→「一」, 10→「十」, 12→「十二」, 21→「二十一」 (for 一、 and 一是 numbering)."""
    if n < 10:
        return _NAMES[n]
    if n < 20:
        return "十" + (_NAMES[n % 10] if n % 10 else "")
    if n < 100:
        return _NAMES[n // 10] + "十" + (_NAMES[n % 10] if n % 10 else "")
    return str(n)


def heading1(n: int) -> str:
    """「一、」"""
    return f"{numeral(n)}、"


def heading2(n: int) -> str:
    """「（一）」"""
    return f"（{numeral(n)}）"


def item_mark(n: int) -> str:
    """「一是」"""
    return f"{numeral(n)}是"
