"""Blanks of a sample report: 「x」「xx」「XXX」「ｘｘ」「X.X」「X,XXX」「xx%」「X月X日」….

For each blank the words after it give the unit (「次」「万元」「％」), the unit gives the
type (次/个/篇/人 → 整数, 万元/万亩 → 小数, ％ → 百分比, 村 → 短文本), the words before
it give the label (「主持召开党建工作专题会议」), and the label gives a short key
(「专题会议」, by Chinese word segmentation with jieba).  The words themselves (patterns,
units, clauses) are :mod:`kit.sources.importer.words`; the rules that read a clause's
grammar to say what a count is of are :mod:`kit.sources.importer.grammar`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kit.sources.importer.grammar import (
    JOINS,
    LIGHT,
    counted,
    event,
    joined,
    ordinal,
)
from kit.sources.importer.words import (
    BLANK,
    DATE,
    QUOTES,
    UNITS,
    X_CHARS,
    clause,
    ellipsis,
    no_blanks,
    parts_of_speech,
    segment,
    strip_words,
    unit_at,
)

__all__ = ["BLANK", "DATE", "UNITS", "Blank", "find_blanks", "make_key", "no_blanks", "unit_at"]

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
_LIST_NUMBER = re.compile(rf"\s*[0-9０-９]{{1,2}}[.．](?=[{X_CHARS}])")
# x run into digits: 「1.x」「3x」「x5」 — no telling which part is the blank.
_MIXED = re.compile(rf"[0-9０-９][.．]?[{X_CHARS}]+|[{X_CHARS}]+[.．]?[0-9０-９]")
_ACTION = re.compile(r"^(?:完成|实现|引进|新建|发放|新增|累计|全年|达到)")

TYPE_OF_KIND = {"count": "整数", "amount": "小数", "percent": "百分比", "place": "短文本",
                "month": "整数", "day": "整数", "": "短文本"}

_GENERIC = {"建设", "工作", "活动", "运行", "使用", "运营", "施工"}
_KEY_SKIP = {"的", "了", "内", "之", "中"}
# A key neither ends with a particle (「总人次的」「业务培训仅」) nor starts with a
# preposition or a verb left without its object (「为…」「参加…」).
_KEY_TAIL = {"的", "和", "与", "及", "或", "了", "仅", "只", "才", "等", "中"}
_KEY_HEAD = {"在", "为", "对", "向", "给", "于", "从", "把", "将", "被", "参加", "参与"}


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


def mixed_figure(text: str) -> str | None:
    """The first figure of ``text`` where digits and x run together (「1.x」), if any: a
    blank there would keep its x in the report, a literal would hide one."""
    lead = _LIST_NUMBER.match(text)
    m = _MIXED.search(" " * lead.end() + text[lead.end():] if lead else text)
    return m.group() if m else None


def find_blanks(text: str) -> list[Blank]:
    """The blanks of one paragraph, with unit, type and label (keys come later)."""
    blanks = []
    dates = [(m.start(), m.end(), m.group()) for m in DATE.finditer(text)]
    for start, end, sample in dates:
        blanks.append(Blank(start, end, sample, "", "date"))
    # A paragraph's own number 「1.」 is not the start of a decimal: 「1.x次」 is item 1, x 次.
    lead = _LIST_NUMBER.match(text)
    for m in BLANK.finditer(" " * lead.end() + text[lead.end():] if lead else text):
        if any(s <= m.start() < e for s, e, _ in dates):
            continue
        unit = unit_at(text, m.end())
        blanks.append(Blank(m.start(), m.end(), m.group(), unit, UNITS.get(unit, "")))
    blanks.sort(key=lambda b: b.start)
    for i, b in enumerate(blanks):
        floor = blanks[i - 1].end + len(blanks[i - 1].unit) + blanks[i - 1].noun if i else 0
        ceiling = blanks[i + 1].start if i + 1 < len(blanks) else len(text)
        before = clause(text, floor, b.start, backwards=True)
        after = clause(text, b.end + len(b.unit), ceiling, backwards=False)
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
            whose = strip_words(re.sub(r"(?:于|在|将)$", "", no_blanks(after[1:])))
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


def _label(before: str, after: str, b: Blank, text: str) -> str:
    """What a clerk would call the blank: the words before it (「主持召开党建工作专题会议」),
    else the words after it, else the clause before; never placeholder characters."""
    label = strip_words(no_blanks(before))
    if re.fullmatch(r"[全我本该][镇乡]", label):  # 「对全乡xx个村」: the villages of the 乡/镇
        noun = re.match(r"[\u4e00-\u9fff]", after)
        label = f"本乡镇{noun.group() if noun else ''}{'数' if b.kind == 'count' else ''}"
        b.guess = f"「{before}{b.sample}{b.unit}」的标签写作「{label}」（乡、镇通用）"
        return label
    if b.kind == "count" and b.start and text[b.start - 1] == "第":
        return ordinal(label, after, b)
    if b.kind == "count" and (joins := JOINS.search(label)):
        earlier = clause(text, 0, max(0, b.start - len(before) - 1), backwards=True)
        return joined(label, joins, after, earlier, b)
    if len(label) == 2:
        start = b.start - len(before)
        if start > 0 and text[start - 1] == "、":  # 「审议通过决议、决定X项」
            label = strip_words(no_blanks(clause(text.replace("、", "\0"), 0, start - 1, True)
                                      .replace("\0", "、") + "、" + before))
        elif (more := strip_words(no_blanks(after))) and len(more) >= 2 and b.kind == "count":
            label = f"{label}{more}"  # 「组织xx名代表开展…活动」
            b.guess = f"「{before}{b.sample}{b.unit}{after}」的标签写作「{label}」"
    if len(label) < 2 and b.kind == "count" and (what := counted(text, b, label)):
        return what
    if b.kind == "percent" and label.endswith("占") and len(label) > 2:
        return f"{label}比"  # 「大专以上学历占XX%」 → 大专以上学历占比
    if b.kind == "percent" and not re.search(r"率|比|占|重", label):
        m = re.match(r"全?(覆盖|达标|合格|参保|到位|满意|完成|通过|落实)", after)
        if m and len(label) >= 2:  # 「党建工作xxx％全覆盖」 → 党建工作覆盖率
            b.guess = f"「{before}{b.sample}{b.unit}{m.group()}」的标签写作「{label}{m.group(1)}率」"
            return f"{label}{m.group(1)}率"
    if re.search(r"(?:全部|所有|各)$", label) and b.kind == "count":
        # 「完成全部XX个村的集体经济清产核资」: the blank is told by the whole clause
        label = f"{label}…{b.unit}{ellipsis(text, b.end + len(b.unit))}"
        b.guess = f"「{b.sample}{b.unit}」的标签写作「{label}」（「…」处是这个数）"
        return label
    if len(label) < 2 and b.kind in ("month", "day"):  # 「X月份完成全部XX个村的…」
        label = strip_words(ellipsis(text, b.end + len(b.unit)))
        if not label and (label := event(text, b.end + len(b.unit))):  # 「X月，走访群众…」
            tags = parts_of_speech(label)[:1] if b.kind == "month" else []
            if tags and tags[0][1] == "v" and not LIGHT.fullmatch(tags[0][0]):
                b.key_hint = f"{tags[0][0]}月份"  # named by what was done then: 走访月份
        b.guess = f"「{b.sample}{b.unit}」前面没有说明，标签「{label}」取自后面的文字"
        return label
    if len(label) < 2:  # 「，xx余党员回炉淬火」: nothing before, the words after name it
        words = strip_words(no_blanks(after))
        if len(words) >= 2:
            b.guess = b.guess or f"「{b.sample}{b.unit}」前面没有说明，标签「{words}」取自后面的文字"
            label = words
    if len(label) < 2:  # only a blank in its clause: the clause before says what it is
        prev = strip_words(no_blanks(clause(text, 0, max(0, b.start - len(before) - 1),
                                         backwards=True)))
        label = prev if len(prev) >= 2 else label
        b.guess = f"「{b.sample}{b.unit}」的标签「{label}」是猜的，请核对"
    if b.kind == "place" and label and not label.endswith(b.unit):
        label = f"{label}的{b.unit}"  # 「包抓x村」 → 包抓的村
    return label


def _shared_head(previous: str, label: str) -> str:
    """「撰写学习心得体会x篇、学习笔记x万余字」: the second item shares the first's head
    (「党员干部人均撰写」) when the first's words reappear in it."""
    words = segment(label)
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
        before = clause(text, floor, b.start, backwards=True)
        after = clause(text, b.end, ceiling, backwards=False)
        nxt = blanks[i + 1] if i + 1 < len(blanks) else None
        span = re.match(r"^[至到～~—\-]+$", text[b.end:nxt.start]) if nxt and nxt.kind == "date" \
            else None
        if span and nxt:  # 「X月X日至X月X日开展」: the first is where it starts
            after = clause(text, nxt.end, blanks[i + 2].start if i + 2 < len(blanks)
                            else len(text), backwards=False)
        prev = blanks[i - 1] if i else None
        ends = prev is not None and prev.kind == "date" and \
            re.match(r"^[至到～~—\-]+$", text[prev.end:b.start])
        own = strip_words(re.sub(r"(?:于|在|从|自|定于|截至|截止)$", "", re.sub(r"\d{4}年度?", "",
                                                                  no_blanks(before))))
        own = re.sub(r"^的", "", own)  # 「投资XX万元的产业园区项目于…」: the project
        if len(own) >= 2:
            subject = own
        v = _verb(after)
        verb = after[v[0]:v[1]] if v else ""
        obj = strip_words(no_blanks(after[v[1]:] if v else after))
        if span or ends:
            what = ("开始" if span else "结束") + ("日期" if re.search("[日号]", b.sample) else "年月")
            verb = verb or (verbs.get(i - 1, "") if ends else "")
        else:
            what = "日期" if re.search("[日号]", b.sample) else "年月"
        verbs[i] = verb
        happened = event(text, b.end) \
            if len(own) < 2 and not no_blanks(after).strip() and not (span or ends) else ""
        if len(happened) >= 2:  # 「X年X月，查处…问题」: the time of what the next clause says
            tagged = parts_of_speech(happened)
            verbs[i] = tagged[0][0] if tagged and tagged[0][1] == "v" else ""
            b.label = f"{happened}的{what}"
            b.key_hint = f"{verbs[i]}{what}" if verbs[i] else ""
            b.guess = f"「{b.sample}」是一个{what}字段，单独成句，名称取自后面的「{happened[:12]}」，请核对"
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
    words = [w for w in segment(QUOTES.sub("", label)) if w.strip() and w.isidentifier()]
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
