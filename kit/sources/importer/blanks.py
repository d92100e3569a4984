"""Blanks of a sample report: 「x」「xx」「XXX」「ｘｘ」「X.X」「X,XXX」「xx%」「X月X日」….

For each blank the words after it give the unit (「次」「万元」「％」), the unit gives the
type (次/个/篇/人 → 整数, 万元/万亩 → 小数, ％ → 百分比, 村 → 短文本), the words before
it give the label (「主持召开党建工作专题会议」), and the label gives a short key
(「专题会议」, by Chinese word segmentation with jieba).
"""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass, field
from typing import Any

_X = "xXｘＸ×"
_AROUND = "A-Za-z0-9Ａ-Ｚａ-ｚ０-９_"
BLANK = re.compile(
    rf"(?<![{_AROUND}.．])"
    rf"(?:[{_X}]{{1,3}}(?:[,，][{_X}]{{3}})+(?:[.．][{_X}]+)?|[{_X}]+(?:[.．][{_X}]+)?)"
    rf"(?![{_AROUND}])"
)

DATE = re.compile(
    rf"(?<![{_AROUND}.．])(?:(?:[{_X}]{{1,4}}年)?[{_X}]{{1,2}}月[{_X}]{{1,2}}[日号]"
    rf"|[{_X}]{{1,4}}年[{_X}]{{1,2}}月(?!份|[{_X}]))"  # 「X年X月」: one 年月 field
)
# Words after a date that name it: 「X月X日开工」 → 开工日期.
DATE_VERBS = ("开工 动工 开建 开挖 投用 投产 投运 完工 竣工 完成 召开 举办 举行 开展 启动 通过 验收 "
              "签约 签订 成立 挂牌 揭牌 开业 开通 通车 通水 通电 建成 交付 入驻 上线 运行 发布 印发 出台 "
              "实施 开始 结束 到位 交工 开学 开园 落成 部署")
_DATE_VERB = re.compile("|".join(sorted(DATE_VERBS.split(), key=len, reverse=True)))
# A percentage right after these words is a change, which can be negative or above 100.
_RATE_CUE = re.compile(r"(增长|增幅|增速|下降|降幅|降低|提高|提升|上升|上涨|回落|减少|增加|同比|环比|"
                       r"增减|下滑)(?:了|达到?|为|约|近|超过?)?$|(?:任务|目标|计划)的$")
_RATE_ONLY = re.compile(r"^(?:同比|环比|比上年|较上年|比去年|较去年)?(?:增长|增幅|增速|下降|降幅|上升|"
                        r"上涨|回落|减少|增加|下滑|提高|提升|降低)$")
_RATE_KEY = re.compile(r"(?:同比|环比|比上年|较上年|比去年|较去年)?(?:增长|增幅|增速|下降|降幅|降低|提高|提升|"
                       r"上升|上涨|回落|减少|增加|增减|下滑)(?=(?:了|达到?|为|约|近|超过?)?$)")
_ACTION = re.compile(r"^(?:完成|实现|引进|新建|发放|新增|累计|全年|达到)")

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
_UNIT_ORDER = sorted(UNITS, key=len, reverse=True)
TYPE_OF_KIND = {"count": "整数", "amount": "小数", "percent": "百分比", "place": "短文本",
                "month": "整数", "day": "整数", "": "短文本"}

_BOUNDARY = set("，。；：、！？,;:!?（）()《》【】[]")
_LEAD = re.compile(r"^(?:[一二三四五六七八九十]+是|\d{4}年度?|(?:按照|根据|依据)\S{0,10}?要求|同时|目前|其中|并且|并|共计|共|还|已|均|年内|全年|今年|去年|"
                   r"一年来|累计共|先后|合计|在|对|以|于|按照|通过|组织|全[镇乡](?:共有|共)?)")
_TRAIL = re.compile(r"(?:稳定在|保持在|控制在|达到|达|为|约|近|超过|超|逾|共有|共|有|累计|合计|计|是|"
                    r"仅有|仅|只有|只|才|\d{4}年度?)$")
_GENERIC = {"建设", "工作", "活动", "运行", "使用", "运营", "施工"}
_WORDS = ("急难愁盼", "三务", "两委", "一般公共预算", "回头看", "三会一课", "主题党日")
_KEY_SKIP = {"的", "了", "内", "之", "中"}
# A key neither ends with a particle (「总人次的」「业务培训仅」) nor starts with a
# preposition or a verb left without its object (「为…」「参加…」).
_KEY_TAIL = {"的", "和", "与", "及", "或", "了", "仅", "只", "才", "等", "中"}
_KEY_HEAD = {"在", "为", "对", "向", "给", "于", "从", "把", "将", "被", "参加", "参与"}
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
    rate: bool = False  # a signed rate (同比增长X.X%), not a 0–100 share
    guess: str = ""
    key_hint: str = ""
    noun: int = 0  # characters of the counted noun after the unit (「x个村…」: 村)  # a preferred key (「开工日期」) tried before the label's own words  # what the import guessed about this blank, for the template's notes

    @property
    def type(self) -> str:
        if self.kind == "date":  # 「X年X月」 has no day: a 年月
            return "日期" if re.search("[日号]", self.sample) else "年月"
        if self.rate:
            return "增长率"
        if self.kind == "percent":
            return "百分比"
        grouped = any(c in self.sample for c in ",，")
        if any(c in self.sample for c in ".．"):
            return "小数（千分位）" if grouped else "小数"
        if grouped:
            return "小数（千分位）" if self.kind == "amount" else "整数（千分位）"
        return TYPE_OF_KIND[self.kind]


def unit_at(text: str, pos: int) -> str:
    for unit in _UNIT_ORDER:
        if text.startswith(unit, pos):
            return unit
    return ""


def find_blanks(text: str) -> list[Blank]:
    """The blanks of one paragraph, with unit, type and label (keys come later)."""
    blanks = []
    dates = [(m.start(), m.end(), m.group()) for m in DATE.finditer(text)]
    for start, end, sample in dates:
        blanks.append(Blank(start, end, sample, "", "date"))
    for m in BLANK.finditer(text):
        if any(s <= m.start() < e for s, e, _ in dates):
            continue
        unit = unit_at(text, m.end())
        blanks.append(Blank(m.start(), m.end(), m.group(), unit, UNITS.get(unit, "")))
    blanks.sort(key=lambda b: b.start)
    for i, b in enumerate(blanks):
        floor = blanks[i - 1].end + len(blanks[i - 1].unit) + blanks[i - 1].noun if i else 0
        ceiling = blanks[i + 1].start if i + 1 < len(blanks) else len(text)
        before = _clause(text, floor, b.start, backwards=True)
        after = _clause(text, b.end + len(b.unit), ceiling, backwards=False)
        b.label = _label(before, after, b, text)
        prev = blanks[i - 1] if i else None
        same_sentence = prev is not None and prev.label != "" and not any(
            c in text[prev.end:b.start] for c in "。；;")
        if b.kind == "percent" and b.label.startswith("占") and same_sentence and prev:
            # 「年接诊量达X,XXX人次，占全县的XX%」 → 年接诊量占全县的比例
            whose = _RATE_KEY.sub("", _ACTION.sub("", prev.label))  # 「就业人数增长」: 就业人数
            b.label = (whose if len(whose) >= 2 else _ACTION.sub("", prev.label)) \
                + b.label.removesuffix("的") + "的比例"
            b.guess = f"「{before}{b.sample}{b.unit}」是占比，标签写作「{b.label}」"
        elif len(b.label) <= 3 and after.startswith("的") and b.kind in ("amount", "count"):
            whose = _strip(re.sub(r"(?:于|在|将)$", "", no_blanks(after[1:])))
            if len(whose) >= 2:  # 「投资XX万元的产业园区项目」 → 产业园区项目投资
                b.guess = f"「{before}{b.sample}{b.unit}{after}」的标签写作「{whose}{b.label}」"
                b.label = f"{whose}{b.label}"
        if b.start - len(before) > 0 and text[b.start - len(before) - 1] == "、" and i \
                and len(b.label) >= 2:
            b.label = _shared_head(blanks[i - 1].label, b.label)
        points = b.unit in ("个百分点", "百分点")
        if (b.kind == "percent" or points) and _RATE_CUE.search(before):
            # 「下降X.X%」 and 「下降X个百分点」 alike: a signed change, named by its cue
            b.rate = True
            cue_key = _RATE_KEY.search(before)
            # 「比上年下降」「同比增长」 name the figure; a bare 「下降」 does not: the
            # key then comes from the label (「作风问题下降」)
            b.key_hint = cue_key.group() if cue_key and len(cue_key.group()) > 2 else ""
            if _RATE_ONLY.match(b.label) and i and blanks[i - 1].label \
                    and not any(c in text[blanks[i - 1].end:b.start] for c in "。；;"):
                # 「完成地区生产总值X亿元，同比增长X.X%」: the growth of what came before
                b.label = _ACTION.sub("", blanks[i - 1].label) + b.label
            cue = found.group() if (found := _RATE_CUE.search(before)) else ""
            if cue.endswith("的"):  # 「完成年度目标任务的XXX%」: a ratio that can pass 100
                b.label = re.sub(r"^完成", "", b.label.removesuffix("的")) + "完成比例"
            b.guess = (f"「{no_blanks(before)[-12:]}{b.sample}{b.unit}」按增长率（可为负数、可超过 100）处理，"
                       f"因为前面是「{cue}」" + ("" if points else "；若是占比请把类型改为 百分比"))
        elif b.kind == "percent":
            b.guess = f"「{b.label}」按百分比（0 到 100）处理；若可能为负数或超过 100，请把类型改为 增长率"
        if any(c in b.sample for c in ",，"):
            b.guess = f"「{b.label}」的范文写作「{b.sample}」，按千分位打印（如 3,456）"
    _dates(text, blanks)
    return blanks


_X_RUN = re.compile(rf"[.．,，]*[{_X}]+(?:[.．,，]+[{_X}]+)*")


def no_blanks(text: str) -> str:
    """Words without placeholder characters (「X.XX.X」 run together included)."""
    return _X_RUN.sub("", BLANK.sub("", DATE.sub("", text)))


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


def _label(before: str, after: str, b: Blank, text: str) -> str:
    """What a clerk would call the blank: the words before it (「主持召开党建工作专题会议」),
    else the words after it, else the clause before; never placeholder characters."""
    label = _strip(no_blanks(before))
    if re.fullmatch(r"[全我本该][镇乡]", label):  # 「对全乡xx个村」: the villages of the 乡/镇
        noun = re.match(r"[\u4e00-\u9fff]", after)
        label = f"本乡镇{noun.group() if noun else ''}{'数' if b.kind == 'count' else ''}"
        b.guess = f"「{before}{b.sample}{b.unit}」的标签写作「{label}」（乡、镇通用）"
        return label
    if b.kind == "count" and b.start and text[b.start - 1] == "第":
        return _ordinal(label, after, b)
    if b.kind == "count" and (joins := _JOINS.search(label)):
        earlier = _clause(text, 0, max(0, b.start - len(before) - 1), backwards=True)
        return _joined(label, joins, after, earlier, b)
    if len(label) == 2:
        start = b.start - len(before)
        if start > 0 and text[start - 1] == "、":  # 「审议通过决议、决定X项」
            label = _strip(no_blanks(_clause(text.replace("、", "\0"), 0, start - 1, True)
                                      .replace("\0", "、") + "、" + before))
        elif (more := _strip(no_blanks(after))) and len(more) >= 2 and b.kind == "count":
            label = f"{label}{more}"  # 「组织xx名代表开展…活动」
            b.guess = f"「{before}{b.sample}{b.unit}{after}」的标签写作「{label}」"
    if len(label) < 2 and b.kind == "count" and (counted := _counted(text, b, label)):
        return counted
    if b.kind == "percent" and not re.search(r"率|比|占|重", label):
        m = re.match(r"全?(覆盖|达标|合格|参保|到位|满意|完成|通过|落实)", after)
        if m and len(label) >= 2:  # 「党建工作xxx％全覆盖」 → 党建工作覆盖率
            b.guess = f"「{before}{b.sample}{b.unit}{m.group()}」的标签写作「{label}{m.group(1)}率」"
            return f"{label}{m.group(1)}率"
    if re.search(r"(?:全部|所有|各)$", label) and b.kind == "count":
        # 「完成全部XX个村的集体经济清产核资」: the blank is told by the whole clause
        label = f"{label}…{b.unit}{_ellipsis(text, b.end + len(b.unit))}"
        b.guess = f"「{b.sample}{b.unit}」的标签写作「{label}」（「…」处是这个数）"
        return label
    if len(label) < 2 and b.kind in ("month", "day"):  # 「X月份完成全部XX个村的…」
        label = _strip(_ellipsis(text, b.end + len(b.unit))) \
            or _event(text, b.end + len(b.unit))  # 「X月，查处…」
        b.guess = f"「{b.sample}{b.unit}」前面没有说明，标签「{label}」取自后面的文字"
        return label
    if len(label) < 2:  # 「，xx余党员回炉淬火」: nothing before, the words after name it
        words = _strip(no_blanks(after))
        if len(words) >= 2:
            b.guess = b.guess or f"「{b.sample}{b.unit}」前面没有说明，标签「{words}」取自后面的文字"
            label = words
    if len(label) < 2:  # only a blank in its clause: the clause before says what it is
        prev = _strip(no_blanks(_clause(text, 0, max(0, b.start - len(before) - 1),
                                         backwards=True)))
        label = prev if len(prev) >= 2 else label
        b.guess = f"「{b.sample}{b.unit}」的标签「{label}」是猜的，请核对"
    if b.kind == "place" and label and not label.endswith(b.unit):
        label = f"{label}的{b.unit}"  # 「包抓x村」 → 包抓的村
    return label


# Grammar words the rules below name.
# Prepositions that put a counted group before its verb: 「为XX名新任村干部开展…」.
_PREPOSITIONS = {"为", "对", "向", "给", "帮", "替", "帮助", "与", "同", "和"}
# A verb before a count that says what the count is of only with the words after it:
# 「参加XXX人次观看警示教育片」 counts viewings, 「接受XX人次咨询」 consultations.
# (Not 覆盖/惠及/带动: what they count is their own object, 「覆盖XXX户」.)
_JOINS = re.compile(r"(?:参加|参与|接受)$")
# Light verbs and manner words before the real object: 「集中开展“走读式”监督」 → 走读式监督.
_LIGHT = re.compile(r"^(?:集中|深入|全面|扎实|持续|广泛|专项|认真|先后|分别|统一|定期|及时|"
                    r"组织|开展|进行|召开|举办|举行|实施|部署|启动|完成|推进|落实|加强|做好)+")
# The number of what a measure word counts: 「XX名新任村干部」 → 新任村干部人数.
_PEOPLE = set("人名位")
_ORDINAL_MAX = {"季度": "4", "月": "12", "周": "53"}


def _object(words: str) -> str:
    """What a clause is about: its words without quotes and without the light verbs and
    manner words before them (「集中开展“走读式”监督」 → 走读式监督)."""
    words = _QUOTES.sub("", _strip(no_blanks(words)))
    bare = _LIGHT.sub("", words)
    return bare if len(bare) >= 2 else words


def _following(text: str, pos: int) -> str:
    """The next clause (other blanks written 「…」), when the words at ``pos`` end the clause at once (「X年X月，查处…」:
    a time standing alone is the time of what follows)."""
    m = re.match(r"\s*[，,：:]", text[pos:])
    return _ellipsis(text, pos + m.end()) if m else ""


def _event(text: str, pos: int) -> str:
    """What the clause after a lone time says (「X年X月，组织民兵参加XX人次应急演练」 →
    民兵参加…人次应急演练): other blanks written 「…」, one that ends it left out."""
    words = _strip(_following(text, pos))
    cut = words.rfind("…")
    if cut >= 0 and unit_at(words, cut + 1) == words[cut + 1:]:
        words = _strip(words[:cut])  # 「走访慰问入伍新兵家庭…户」
    return re.sub(r"…(?=[村组乡镇]|社区)", "", words)  # 「查处××村…」 reads 「查处村…」


def _activity(clause: str) -> str:
    """The activity a clause names (for 「…，参加XXX人次」): the longest stretch between
    blanks, after its last light verb, without a trailing 活动/工作
    (「对XX户困难家庭开展上门走访」 → 上门走访; 「开展警示教育活动X场次」 → 警示教育)."""
    pieces = [no_blanks(p) for p in BLANK.split(DATE.sub("\0", clause).replace("\0", "X"))]
    words = _strip(max(pieces, key=len, default=""))
    light = list(re.finditer(_LIGHT.pattern.lstrip("^"), words))
    if light and len(words) - light[-1].end() >= 2:
        words = words[light[-1].end():]
    return re.sub(r"(?:活动|工作)$", "", _object(words))


def _pos(words: str) -> list[tuple[str, str]]:
    """Words with their part of speech (jieba's tags: n noun, v verb, q measure word…)."""
    import jieba.posseg

    return [(w.word, w.flag) for w in _pos_tokenizer(jieba.posseg)(words)]


@functools.lru_cache(maxsize=1)
def _pos_tokenizer(posseg: Any) -> Any:
    return posseg.POSTokenizer(_tokenizer()).cut


def _ordinal(label: str, after: str, b: Blank) -> str:
    """「在第X季度集中开展“走读式”监督」: an ordinal names when or where something is,
    → 「走读式监督所在季度」, between 1 and the unit's last (a year has 4 季度)."""
    b.extra.update(最小="1", **({"最大": _ORDINAL_MAX[b.unit]} if b.unit in _ORDINAL_MAX else {}))
    own = re.sub(r"^(?:在|于|从|自|截至)|第$", "", label)
    if len(own) >= 2:
        return f"{own}所在{b.unit}"
    obj = _object(after)
    if len(obj) < 2:
        return f"所在{b.unit}"
    if len(obj) + len(b.unit) <= 8:
        b.key_hint = f"{obj}{b.unit}"
    b.guess = f"「第{b.sample}{b.unit}{after}」是序数，标签写作「{obj}所在{b.unit}」"
    return f"{obj}所在{b.unit}"


def _joined(label: str, joins: re.Match[str], after: str, earlier: str, b: Blank) -> str:
    """「组织党员干部参加XXX人次观看警示教育片」: 参加 needs the words after the unit to
    say what is counted → 「警示教育片观看人次」; with nothing after, who took part
    (「党员干部参加人次」) or, for a bare 「参加」, the clause before (「开展警示教育X场次，
    参加XXX人次」 → 「警示教育参加人次」)."""
    words = _strip(no_blanks(after))
    tagged = _pos(words) if len(words) >= 2 else []
    counts = b.unit if b.unit[-1:] == "次" or b.unit in _PEOPLE else ""
    acts = bool(tagged) and tagged[0][1] == "v" and any(f[:1] == "n" for _, f in tagged[1:])
    if len(words) >= 2 and not acts:
        # 「参加XX人次应急演练」: a noun after the count names the activity
        b.guess = f"「{joins.group()}{b.sample}{b.unit}{after}」数的是「{words}」，标签写作「{words}{joins.group()}{counts}」"
        b.key_hint = f"{words}{joins.group()}" if len(words) <= 6 else ""
        return f"{words}{joins.group()}{counts}"
    if not acts:
        who = label[: joins.start()]
        if len(who) < 2:
            who = _activity(earlier)
        out = f"{who}{joins.group()}{counts}"
        if len(who) >= 2 and len(out) <= 8:
            b.key_hint = out
        if out != label:
            b.guess = f"「{label}{b.sample}{b.unit}」的标签写作「{out}」"
        return out
    verb, obj = tagged[0][0], _object(words[len(tagged[0][0]):])
    b.key_hint = f"{obj}{verb}" if len(obj) + len(verb) <= 8 else f"{verb}{b.unit}"
    b.guess = f"「{joins.group()}{b.sample}{b.unit}{after}」数的是「{verb}」，标签写作「{obj}{verb}{b.unit}」"
    return f"{obj}{verb}{b.unit}"


def _prepositional(text: str, b: Blank, start: int) -> str:
    """「为XX名新任村干部开展任前廉政谈话」: after the measure word comes who is counted
    (nouns up to the verb, 新任村干部), then what is done for them → 「任前廉政谈话新任村干部人数」."""
    rest = _clause(text, start, len(text), backwards=False)
    tagged = _pos(no_blanks(rest))
    nouns = ""
    for k, (word, flag) in enumerate(tagged):
        # the verb of the clause follows a noun: 「留守(v)儿童(n)发放(v)」 → 留守儿童
        verb = flag.startswith("v") and flag != "vn" and k and tagged[k - 1][1][:1] in "nljv"
        if verb or not re.fullmatch(r"[\u4e00-\u9fff]+", word):
            break
        nouns += word
    said = _object(no_blanks(rest)[len(nouns):])
    if len(nouns) < 2 or len(said) < 2 or rest[:len(nouns)] != nouns:
        return ""
    b.noun = len(nouns)
    number = "人数" if b.unit[-1:] in _PEOPLE else \
        f"{b.unit[-1]}数" if b.unit[-1:] in "户家个村所项件" else "数"
    if len(nouns) + len(number) <= 8:
        b.key_hint = f"{nouns}{number}"
    label = f"{said}{nouns}{number}"
    b.guess = f"「{b.sample}{b.unit}{rest[:16]}」数的是「{nouns}」，标签写作「{label}」"
    return label


def _counted(text: str, b: Blank, before: str = "") -> str:
    """「x个村村集体经济收入达xx万元以上」: what is counted (村) comes right after the unit,
    what is said of it after that → 「村集体经济收入达…万元以上的村」 (another figure in
    the clause is 「…」)."""
    start = b.end + len(b.unit)
    if before in _PREPOSITIONS and (label := _prepositional(text, b, start)):
        return label
    rest = _clause(text, start, len(text), backwards=False)
    words = _segment(rest)
    if len(words) < 2 or not re.fullmatch(r"[\u4e00-\u9fff]{1,4}", words[0]):
        return ""
    noun = words[0][0] if len(words[0]) == 2 and words[0][0] == words[0][1] else words[0]
    said = _ellipsis(text, start + len(noun))
    said = re.sub(r"[。；，]$", "", said)
    if len(said) < 2:
        return ""
    b.noun = len(noun)
    label = f"{said}的{noun}"
    subject = _strip(_TRAIL.sub("", said.split("…")[0]))
    tail = "".join(w for w in _segment(subject)[-2:])  # 「集体经济」「收入」 → 集体经济收入
    if 2 <= len(tail) + len(noun) <= 8:
        b.key_hint = tail + noun  # 集体经济收入村, 回炉淬火党员
    b.guess = f"「{b.sample}{b.unit}{rest[:16]}」的标签写作「{label}」（数的是「{noun}」）"
    return label


def _ellipsis(text: str, start: int) -> str:
    """The clause from ``start``, other blanks written 「…」."""
    rest = _clause(text, start, len(text), backwards=False)
    return _X_RUN.sub("…", BLANK.sub("…", DATE.sub("…", rest))).strip()


def _shared_head(previous: str, label: str) -> str:
    """「撰写学习心得体会x篇、学习笔记x万余字」: the second item shares the first's head
    (「党员干部人均撰写」) when the first's words reappear in it."""
    words = _segment(label)
    at = previous.find(words[0]) if words else -1
    if at <= 0 or label.startswith(previous[:at]):
        return label
    return previous[:at] + label


def _verb(words: str) -> tuple[int, int] | None:
    """Where the verb run (「竣工投用」「开工」) starts and ends near the start of ``words``."""
    m = _DATE_VERB.search(words[:8])
    if not m:
        return None
    end = m.end()
    while (n := _DATE_VERB.match(words, end)):
        end = n.end()
    return m.start(), end


def _dates(text: str, blanks: list[Blank]) -> None:
    """「X月X日」: one 日期 field named from its verb (开工、投用、召开…); a lone 「X月」 is a
    month (1–12).  Two dates in one sentence share its subject."""
    subject = ""
    sentence_end = -1
    verbs: dict[int, str] = {}
    for i, b in enumerate(blanks):
        if b.kind == "month":
            b.extra.update(最小="1", 最大="12")
            b.label = b.label if b.label.endswith("月份") else f"{b.label}的月份"
        elif b.kind == "day":
            b.extra.update(最小="1", 最大="31")
        elif b.kind == "place":
            b.extra.update(最长="10", 说明=f"只写名称，不写“{b.unit}”字")
        if b.kind != "date":
            continue
        if b.start > sentence_end:
            subject = ""
            ends_at = [text.find(c, b.end) for c in "。；;！？"]
            sentence_end = min([e for e in ends_at if e >= 0] or [len(text)])
        floor = blanks[i - 1].end + len(blanks[i - 1].unit) if i else 0
        ceiling = blanks[i + 1].start if i + 1 < len(blanks) else len(text)
        before = _clause(text, floor, b.start, backwards=True)
        after = _clause(text, b.end, ceiling, backwards=False)
        nxt = blanks[i + 1] if i + 1 < len(blanks) else None
        span = re.match(r"^[至到～~—\-]+$", text[b.end:nxt.start]) if nxt and nxt.kind == "date" \
            else None
        if span and nxt:  # 「X月X日至X月X日开展」: the first is where it starts
            after = _clause(text, nxt.end, blanks[i + 2].start if i + 2 < len(blanks)
                            else len(text), backwards=False)
        prev = blanks[i - 1] if i else None
        ends = prev is not None and prev.kind == "date" and \
            re.match(r"^[至到～~—\-]+$", text[prev.end:b.start])
        own = _strip(re.sub(r"(?:于|在|从|自|定于|截至|截止)$", "", re.sub(r"\d{4}年度?", "",
                                                                  no_blanks(before))))
        own = re.sub(r"^的", "", own)  # 「投资XX万元的产业园区项目于…」: the project
        if len(own) >= 2:
            subject = own
        v = _verb(after)
        verb = after[v[0]:v[1]] if v else ""
        obj = _strip(no_blanks(after[v[1]:] if v else after))
        if span or ends:
            what = "开始日期" if span else "结束日期"
            verb = verb or (verbs.get(i - 1, "") if ends else "")
        else:
            what = "日期" if re.search("[日号]", b.sample) else "年月"
        verbs[i] = verb
        event = _event(text, b.end) \
            if len(own) < 2 and not no_blanks(after).strip() and not (span or ends) else ""
        if len(event) >= 2:  # 「X年X月，查处…问题」: the time of what the next clause says
            tagged = _pos(event)
            verbs[i] = tagged[0][0] if tagged and tagged[0][1] == "v" else ""
            b.label = f"{event}的{what}"
            b.key_hint = f"{verbs[i]}{what}" if verbs[i] else ""
            b.guess = f"「{b.sample}」是一个{what}字段，单独成句，名称取自后面的「{event[:12]}」，请核对"
            continue
        head = subject or (obj if len(obj) >= 2 else "")
        if span or ends:  # 「人居环境整治开始日期」「…结束日期」
            b.label, b.key_hint = f"{head or verb}{what}", what
        else:
            thing = obj if subject and 2 <= len(obj) <= 6 and obj not in _GENERIC else ""
            # 「项目于X月X日完成主体工程」 → 项目主体工程完成日期 (not 「…建设开工日期」)
            b.label = f"{head}{thing}{verb}{what}" if head or verb else f"日期{i + 1}"
            b.key_hint = f"{verb}{what}" if verb else ""
        full = "年" in b.sample
        shape = "年月日" if full else "只填月日，年份由年度给出"
        shape = shape if what != "年月" else "填年和月"
        b.guess = (f"「{b.sample}」是一个{what}字段（{shape}），"
                   + (f"名称取自后面的「{verb}」" if verb else "后面没有动词，名称取自前后文字，请核对"))


def make_key(label: str, unit: str, kind: str, taken: set[str]) -> str:
    """A short readable key from a label: its last words, 2 to 6 characters
    (「主持召开党建工作专题会议」 → 专题会议), unique among ``taken``."""
    words = [w for w in _segment(_QUOTES.sub("", label)) if w.strip() and w.isidentifier()]
    while len(words) > 1 and words[-1] in _KEY_TAIL:
        words.pop()
    candidates: list[str] = []  # ever longer tails of the label
    chosen: list[str] = []
    for w in reversed(words):
        if w in _KEY_SKIP and chosen:
            continue
        chosen.insert(0, w)
        if len(key := "".join(chosen)) >= 2 and w not in _KEY_HEAD:
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
    return _tokenizer().lcut(text)


@functools.lru_cache(maxsize=1)
def _tokenizer() -> Any:
    """Our own jieba tokenizer, set up once: ``add_word`` raises the dictionary's total
    each time it is called, so calling it per sample would change later keys."""
    import jieba  # loads its dictionary (about 1 s) only when a sample is imported

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    for word in _WORDS:  # officialese jieba splits: 「急难/愁盼」
        tokenizer.add_word(word)
    return tokenizer
