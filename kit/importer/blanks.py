"""Blanks of a sample report: 「x」「xx」「XXX」「ｘｘ」「X.X」「X,XXX」「xx%」「X月X日」….

For each blank the words after it give the unit (「次」「万元」「％」), the unit gives the
type (次/个/篇/人 → 整数, 万元/万亩 → 小数, ％ → 百分比, 村 → 短文本), the words before
it give the label (「主持召开党建工作专题会议」), and the label gives a short key
(「专题会议」, by Chinese word segmentation with jieba).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

_X = "xXｘＸ×"
_AROUND = "A-Za-z0-9Ａ-Ｚａ-ｚ０-９_"
BLANK = re.compile(
    rf"(?<![{_AROUND}.．])"
    rf"(?:[{_X}]{{1,3}}(?:[,，][{_X}]{{3}})+|[{_X}]+(?:[.．][{_X}]+)?)"
    rf"(?![{_AROUND}])"
)

# Unit → kind.  Longest unit wins (「余人次」 before 「余」, 「万余字」 before 「万」).
_COUNT = ("余人次 人次 余人 余名 余户 余次 余个 余篇 余场 余项 余件 余条 余家 余 次 个 篇 人 名 户 "
          "项 家 场 期 批 件 条 所 处 座 份 本 天 课时 学时 岁 头 只 株 棵 辆 套 台 口 眼 间 栋 支 "
          "队 届 轮 类 起 封 首 张 部 册 幅 位 年 周年 周 季度 万人次 万人")
_AMOUNT = ("万余字 万余元 万余人 万余 万元 亿元 元 万亩 亩 万吨 吨 公里 千米 平方米 立方米 米 公顷 "
           "小时 斤 公斤 千克 万株 万字 万 亿 倍 个百分点 百分点")
_PLACE = "村 社区 社 组 县 市 省 区 乡 镇"
UNITS: dict[str, str] = (
    {u: "count" for u in _COUNT.split()} | {u: "amount" for u in _AMOUNT.split()}
    | {"％": "percent", "%": "percent"}
    | {u: "place" for u in _PLACE.split()}
    | {"月": "month", "日": "day", "号": "day"}
)
_UNIT_ORDER = sorted(UNITS, key=len, reverse=True)
TYPE_OF_KIND = {"count": "整数", "amount": "小数", "percent": "百分比", "place": "短文本",
                "month": "整数", "day": "整数", "": "短文本"}

_BOUNDARY = set("，。；：、！？,;:!?（）()《》【】[]")
_LEAD = re.compile(r"^(?:[一二三四五六七八九十]+是|\d{4}年度?|(?:按照|根据|依据)\S{0,10}?要求|同时|目前|其中|并且|并|共计|共|还|已|均|年内|全年|今年|去年|"
                   r"一年来|累计共|先后|合计|在|对|以|于|按照|通过|组织|全[镇乡](?:共有|共)?)")
_TRAIL = re.compile(r"(?:达到|达|为|约|近|超过|超|逾|共有|共|有|累计|合计|计|是|\d{4}年度?)$")
_KEY_SKIP = {"的", "了", "内", "之", "中"}
_QUOTES = re.compile(r"[“”‘’\"'《》「」『』〈〉]")


@dataclass
class Blank:
    """One blank of a paragraph: where it is and what the field will be."""

    start: int
    end: int  # end of the blank itself; the unit follows as literal text
    sample: str
    unit: str
    kind: str  # count | amount | percent | place | month | day | "" (no unit)
    label: str = ""
    key: str = ""
    extra: dict[str, str] = field(default_factory=dict)  # 最小/最大/最长/说明

    @property
    def type(self) -> str:
        if self.kind == "percent":
            return "百分比"
        if any(c in self.sample for c in ".．"):
            return "小数"
        if not self.kind and any(c in self.sample for c in ",，"):
            return "整数"
        return TYPE_OF_KIND[self.kind]


def unit_at(text: str, pos: int) -> str:
    for unit in _UNIT_ORDER:
        if text.startswith(unit, pos):
            return unit
    return ""


def find_blanks(text: str) -> list[Blank]:
    """The blanks of one paragraph, with unit, type and label (keys come later)."""
    blanks = []
    for m in BLANK.finditer(text):
        unit = unit_at(text, m.end())
        blanks.append(Blank(m.start(), m.end(), m.group(), unit, UNITS.get(unit, "")))
    for i, b in enumerate(blanks):
        floor = blanks[i - 1].end + len(blanks[i - 1].unit) if i else 0
        ceiling = blanks[i + 1].start if i + 1 < len(blanks) else len(text)
        before = _clause(text, floor, b.start, backwards=True)
        after = _clause(text, b.end + len(b.unit), ceiling, backwards=False)
        b.label = _label(before, after, b)
    _dates(text, blanks)
    return blanks


def _clause(text: str, lo: int, hi: int, backwards: bool) -> str:
    part = text[lo:hi]
    cuts = [i for i, c in enumerate(part) if c in _BOUNDARY]
    if backwards:
        return part[cuts[-1] + 1:] if cuts else part
    return part[: cuts[0]] if cuts else part


def _strip(words: str) -> str:
    words = words.strip()
    for pattern in (_LEAD, _TRAIL):
        while (m := pattern.search(words)) and len(words) - len(m.group()) >= 2:
            words = words[: m.start()] + words[m.end():]
    return words.strip()


def _label(before: str, after: str, b: Blank) -> str:
    label = _strip(before)
    if len(label) < 2:  # 「，xx余党员回炉淬火」: nothing before, the words after name it
        label = _strip(after) or label or "待填"
    if b.kind == "place" and not label.endswith(b.unit):
        label = f"{label}的{b.unit}"  # 「包抓x村」 → 包抓的村
    return label


def _dates(text: str, blanks: list[Blank]) -> None:
    """「X月X日」: one date, two fields (month 1–12, day 1–31) named after the date."""
    for i, b in enumerate(blanks):
        if b.kind == "month":
            b.extra.update(最小="1", 最大="12")
            day = blanks[i + 1] if i + 1 < len(blanks) else None
            if day and day.kind == "day" and day.start == b.end + len(b.unit):
                # 「于2023年X月X日召开」: the words around the date, without the year.
                base = _strip(re.sub(r"\d{4}年度?", "", _clause(text, 0, b.start, True)))
                if len(base) < 2:
                    base = _strip(_clause(text, day.end + len(day.unit), len(text), False))
                base = base or "日期"
                b.label, day.label = f"{base}的月份", f"{base}的日期"
        elif b.kind == "day":
            b.extra.update(最小="1", 最大="31")
        elif b.kind == "place":
            b.extra.update(最长="10", 说明=f"只写名称，不写“{b.unit}”字")


def make_key(label: str, unit: str, kind: str, taken: set[str]) -> str:
    """A short readable key from a label: its last words, 2 to 6 characters
    (「主持召开党建工作专题会议」 → 专题会议), unique among ``taken``."""
    words = [w for w in _segment(_QUOTES.sub("", label)) if w.strip() and w.isidentifier()]
    candidates: list[str] = []  # ever longer tails of the label
    chosen: list[str] = []
    for w in reversed(words):
        if w in _KEY_SKIP and chosen:
            continue
        chosen.insert(0, w)
        if len(key := "".join(chosen)) >= 2:
            candidates.append(key)
    pick = next((c for c in candidates if len(c) >= 4), candidates[-1] if candidates else "待填")
    pick = pick if len(pick) <= 8 else pick[-6:]
    ordered = [pick] + [c for c in candidates if len(pick) < len(c) <= 10]
    if kind == "place":
        ordered = [c if c.endswith(unit) else c + unit for c in ordered]
    for key in ordered or ["待填"]:
        key = re.sub(r"\W", "", key)
        if key and key[0].isdigit():
            key = "第" + key
        if key and key not in taken:
            return key
    base = re.sub(r"\W", "", (ordered or ["待填"])[0]) or "待填"
    n = 2
    while f"{base}{n}" in taken:
        n += 1
    return f"{base}{n}"


def _segment(text: str) -> list[str]:
    import jieba  # loads its dictionary (about 1 s) only when a sample is imported

    jieba.setLogLevel(logging.WARNING)
    return jieba.lcut(text)
