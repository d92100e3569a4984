"""Words of a sample paragraph, for :mod:`kit.sources.importer.blanks` and
:mod:`kit.sources.importer.grammar`: the blank patterns (「x」「X.X」「X,XXX」「X月X日」
「X年X月」), the units after them, clauses, the particles and adverbs a label loses, and
jieba's segmentation and parts of speech.
"""

from __future__ import annotations

import functools
import logging
import re
from typing import Any

X_CHARS = "xXｘＸ×"
AROUND = "A-Za-z0-9Ａ-Ｚａ-ｚ０-９_"
BLANK = re.compile(
    rf"(?<![{AROUND}.．])"
    rf"(?:[{X_CHARS}]{{1,3}}(?:[,，][{X_CHARS}]{{3}})+(?:[.．][{X_CHARS}]+)?|[{X_CHARS}]+(?:[.．][{X_CHARS}]+)?)"
    rf"(?![{AROUND}])"
)

DATE = re.compile(
    rf"(?<![{AROUND}.．])(?:(?:[{X_CHARS}]{{1,4}}年)?[{X_CHARS}]{{1,2}}月[{X_CHARS}]{{1,2}}[日号]"
    rf"|[{X_CHARS}]{{1,4}}年[{X_CHARS}]{{1,2}}月(?!份|[{X_CHARS}]))"  # 「X年X月」: one 年月 field
)

# Unit → kind.  Longest unit wins (「余人次」 before 「余」, 「万余字」 before 「万」).
_COUNT = ("余人次 人次 余场次 场次 批次 余人 余名 余户 余次 余个 余篇 余场 余项 余件 余条 余家 余 次 个 篇 人 名 户 "
          "项 家 场 期 批 件 条 所 处 座 份 本 天 课时 学时 岁 头 只 株 棵 辆 套 台 口 眼 间 栋 支 "
          "队 届 轮 类 起 封 首 张 部 册 幅 位 年 周年 周 季度 万人次 万人")
_AMOUNT = ("万余字 万余元 万余人 万余 万元 亿元 元 万亩 亩 万吨 吨 公里 千米 平方米 立方米 米 公顷 "
           "小时 斤 公斤 千克 万株 万字 万 亿 倍 个百分点 百分点")
_PLACE = "村 社区 社 组 县 市 省 区 乡 镇"
UNITS: dict[str, str] = (
    {u: "count" for u in _COUNT.split()} | {u: "amount" for u in _AMOUNT.split()}
    | {"％": "percent", "%": "percent"}
    | {u: "place" for u in _PLACE.split()}
    | {"月": "month", "月份": "month", "日": "day", "号": "day"}
)
UNIT_ORDER = sorted(UNITS, key=len, reverse=True)

# Clauses end at these; a label loses the leading and trailing words below (「共」「达」「仅」).
BOUNDARY = set("，。；：、！？,;:!?（）()《》【】[]")
LEAD = re.compile(r"^(?:[一二三四五六七八九十]+是|\d{4}年度?|(?:按照|根据|依据)\S{0,10}?要求|同时|目前|其中|并且|并|共计|共|还|已|均|年内|全年|今年|去年|"
                  r"一年来|累计共|先后|合计|在|对|以|于|按照|通过|组织|全[镇乡](?:共有|共)?)")
TRAIL = re.compile(r"(?:稳定在|保持在|控制在|达到|达|为|约|近|超过|超|逾|共有|共|有|累计|合计|计|是|"
                   r"仅有|仅|只有|只|才|\d{4}年度?)$")
# Officialese jieba splits: 「急难/愁盼」.
WORDS = ("急难愁盼", "三务", "两委", "一般公共预算", "回头看", "三会一课", "主题党日")
QUOTES = re.compile(r"[“”‘’\"'《》「」『』〈〉]")


def unit_at(text: str, pos: int) -> str:
    """The unit right after a blank (the longest that fits), or ""."""
    for unit in UNIT_ORDER:
        if text.startswith(unit, pos):
            return unit
    return ""


X_RUN = re.compile(rf"[.．,，]*[{X_CHARS}]+(?:[.．,，]+[{X_CHARS}]+)*")


def no_blanks(text: str) -> str:
    """Words without placeholder characters (「X.XX.X」 run together included)."""
    return X_RUN.sub("", BLANK.sub("", DATE.sub("", text)))


def clause(text: str, lo: int, hi: int, backwards: bool) -> str:
    """The clause of ``text[lo:hi]`` nearest ``hi`` (backwards) or ``lo``."""
    part = text[lo:hi]
    cuts = [i for i, c in enumerate(part) if c in BOUNDARY]
    if backwards:
        return part[cuts[-1] + 1:] if cuts else part
    return part[: cuts[0]] if cuts else part


def strip_words(words: str) -> str:
    """``words`` without the leading (「共」「全年」) and trailing (「达」「仅」) words of
    :data:`LEAD` and :data:`TRAIL`, as long as two characters are left."""
    words = words.strip()
    for pattern in (LEAD, TRAIL):
        while (m := pattern.search(words)) and len(words) - len(m.group()) >= 2:
            words = words[: m.start()] + words[m.end():]
    return words.strip()


def ellipsis(text: str, start: int) -> str:
    """The clause from ``start``, other blanks written 「…」."""
    rest = clause(text, start, len(text), backwards=False)
    return X_RUN.sub("…", BLANK.sub("…", DATE.sub("…", rest))).strip()


def segment(text: str) -> list[str]:
    return tokenizer().lcut(text)


@functools.lru_cache(maxsize=1)
def tokenizer() -> Any:
    """Our own jieba tokenizer, set up once: ``add_word`` raises the dictionary's total
    each time it is called, so calling it per sample would change later keys."""
    import jieba  # loads its dictionary (about 1 s) only when a sample is imported

    jieba.setLogLevel(logging.WARNING)
    made = jieba.Tokenizer()
    for word in WORDS:
        made.add_word(word)
    return made


def parts_of_speech(words: str) -> list[tuple[str, str]]:
    """Words with their part of speech (jieba's tags: n noun, v verb, q measure word…)."""
    import jieba.posseg

    return [(w.word, w.flag) for w in _pos_cut(jieba.posseg)(words)]


@functools.lru_cache(maxsize=1)
def _pos_cut(posseg: Any) -> Any:
    """jieba's tagger on our tokenizer (its words, its dictionary), made once."""
    return posseg.POSTokenizer(tokenizer()).cut
