"""Grammar rules that name a blank by what it counts (issue 22): the words around a
blank are read as Chinese grammar — prepositions, measure words and the nouns they
count, light verbs, particles, ordinals — not matched against known sentences.

* 「在第X季度集中开展“走读式”监督」: an ordinal (:func:`ordinal`) → 走读式监督所在季度, 1–4;
* 「参加XXX人次观看警示教育片」: 参加 with its activity after the count (:func:`joined`)
  → 警示教育片观看人次;
* 「为XX名新任村干部开展任前廉政谈话」: a preposition, then the counted nouns up to the
  clause's verb (:func:`counted`) → 任前廉政谈话新任村干部人数;
* 「X年X月，查处…」: a time standing alone is the time of the next clause (:func:`event`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from kit.sources.importer.words import (
    BLANK,
    DATE,
    QUOTES,
    TRAIL,
    clause,
    ellipsis,
    no_blanks,
    parts_of_speech,
    segment,
    strip_words,
    unit_at,
)

if TYPE_CHECKING:
    from kit.sources.importer.blanks import Blank

# Grammar words the rules below name.
# Prepositions that put a counted group before its verb: 「为XX名新任村干部开展…」.
PREPOSITIONS = {"为", "对", "向", "给", "帮", "替", "帮助", "与", "同", "和"}
# A verb before a count that says what the count is of only with the words after it:
# 「参加XXX人次观看警示教育片」 counts viewings, 「接受XX人次咨询」 consultations.
# (Not 覆盖/惠及/带动: what they count is their own object, 「覆盖XXX户」.)
JOINS = re.compile(r"(?:参加|参与|接受)$")
# Light verbs and manner words before the real object: 「集中开展“走读式”监督」 → 走读式监督.
LIGHT = re.compile(r"^(?:集中|深入|全面|扎实|持续|广泛|专项|认真|先后|分别|统一|定期|及时|"
                   r"组织|开展|进行|召开|举办|举行|实施|部署|启动|完成|推进|加强|做好)+")
# The number of what a measure word counts: 「XX名新任村干部」 → 新任村干部人数.
PEOPLE = set("人名位")
# Verbs that govern the clause after counted nouns, whatever jieba tags them.
_VERB_WORDS = ("落实 发放 送达 提供 办理 选派 兑现 解决 帮扶 走访 慰问 建立 签订 安排 救助 资助 "
               "配备 配齐 颁发 补发 培训 安置 转移 帮助 申请 享受 领取")
VERBS = frozenset(_VERB_WORDS.split())
ORDINAL_MAX = {"季度": "4", "月": "12", "周": "53"}


def object_of(words: str) -> str:
    """What a clause is about: its words without quotes and without the light verbs and
    manner words before them (「集中开展“走读式”监督」 → 走读式监督)."""
    words = QUOTES.sub("", strip_words(no_blanks(words)))
    bare = LIGHT.sub("", words)
    return bare if len(bare) >= 2 else words


def following(text: str, pos: int) -> str:
    """The next clause (other blanks written 「…」) when the clause ends right at ``pos``
    (「X年X月，查处…」: a time standing alone is the time of what follows)."""
    m = re.match(r"\s*[，,：:]", text[pos:])
    return ellipsis(text, pos + m.end()) if m else ""


def event(text: str, pos: int) -> str:
    """What the clause after a lone time says (「X年X月，组织民兵参加XX人次应急演练」 →
    民兵参加…人次应急演练): other blanks written 「…」, one that ends it left out."""
    words = strip_words(following(text, pos))
    cut = words.rfind("…")
    if cut >= 0 and unit_at(words, cut + 1) == words[cut + 1:]:
        words = strip_words(words[:cut])  # 「走访慰问入伍新兵家庭…户」
    return re.sub(r"…(?=[村组乡镇]|社区)", "", words)  # 「查处××村…」 reads 「查处村…」


def activity(words_before: str) -> str:
    """The activity a clause names (for 「…，参加XXX人次」): the longest stretch between
    blanks, after its last light verb, without a trailing 活动/工作
    (「对XX户困难家庭开展上门走访」 → 上门走访; 「开展警示教育活动X场次」 → 警示教育)."""
    pieces = [no_blanks(p) for p in BLANK.split(DATE.sub("X", words_before))]
    words = strip_words(max(pieces, key=len, default=""))
    light = list(re.finditer(LIGHT.pattern.lstrip("^"), words))
    if light and len(words) - light[-1].end() >= 2:
        words = words[light[-1].end():]
    return re.sub(r"(?:活动|工作)$", "", object_of(words))


def ordinal(label: str, after: str, b: Blank) -> str:
    """「在第X季度集中开展“走读式”监督」: an ordinal names when or where something is,
    → 「走读式监督所在季度」, between 1 and the unit's last (a year has 4 季度)."""
    b.extra.update(最小="1", **({"最大": ORDINAL_MAX[b.unit]} if b.unit in ORDINAL_MAX else {}))
    own = re.sub(r"^(?:在|于|从|自|截至)|第$", "", label)
    if len(own) >= 2:
        return f"{own}所在{b.unit}"
    obj = object_of(after)
    if len(obj) < 2:
        return f"所在{b.unit}"
    tail = ""
    for word in reversed(segment(obj)):  # 「软弱涣散村党组织整顿」 → 党组织整顿季度
        tail = word + tail
        if len(tail) >= 4:
            break
    b.key_hint = f"{obj if len(obj) <= 6 else tail}{b.unit}"
    b.guess = f"「第{b.sample}{b.unit}{after}」是序数，标签写作「{obj}所在{b.unit}」"
    return f"{obj}所在{b.unit}"


def joined(label: str, joins: re.Match[str], after: str, earlier: str, b: Blank) -> str:
    """「组织党员干部参加XXX人次观看警示教育片」: 参加 needs the words after the unit to
    say what is counted → 「警示教育片观看人次」; with nothing after, who took part
    (「党员干部参加人次」) or, for a bare 「参加」, the clause before (「开展警示教育X场次，
    参加XXX人次」 → 「警示教育参加人次」)."""
    words = strip_words(no_blanks(after))
    tagged = parts_of_speech(words) if len(words) >= 2 else []
    counts = b.unit if b.unit[-1:] == "次" or b.unit in PEOPLE else ""
    acts = bool(tagged) and tagged[0][1] == "v" and any(f[:1] == "n" for _, f in tagged[1:])
    if len(words) >= 2 and not acts:
        # 「参加XX人次应急演练」: a noun after the count names the activity
        b.guess = f"「{joins.group()}{b.sample}{b.unit}{after}」数的是「{words}」，标签写作「{words}{joins.group()}{counts}」"
        b.key_hint = f"{words}{joins.group()}" if len(words) <= 6 else ""
        return f"{words}{joins.group()}{counts}"
    if not acts:
        who = label[: joins.start()]
        if len(who) < 2:
            who = activity(earlier)
        out = f"{who}{joins.group()}{counts}"
        if len(who) >= 2 and len(out) <= 8:
            b.key_hint = out
        if out != label:
            b.guess = f"「{label}{b.sample}{b.unit}」的标签写作「{out}」"
        return out
    verb, obj = tagged[0][0], object_of(words[len(tagged[0][0]):])
    b.key_hint = f"{obj}{verb}" if len(obj) + len(verb) <= 8 else f"{verb}{b.unit}"
    b.guess = f"「{joins.group()}{b.sample}{b.unit}{after}」数的是「{verb}」，标签写作「{obj}{verb}{b.unit}」"
    return f"{obj}{verb}{b.unit}"


def _prepositional(text: str, b: Blank, start: int) -> str:
    """「为XX名新任村干部开展任前廉政谈话」: after the measure word comes who is counted
    (nouns up to the verb, 新任村干部), then what is done for them → 「任前廉政谈话新任村干部人数」."""
    rest = clause(text, start, len(text), backwards=False)
    tagged = parts_of_speech(no_blanks(rest))
    nouns = ""
    for k, (word, flag) in enumerate(tagged):
        # the verb of the clause follows a noun: 「留守(v)儿童(n)发放(v)」 → 留守儿童; jieba
        # tags some verbs of these reports otherwise (「选派」 n, 「落实」 a): they are listed
        verb = k and (word in VERBS or LIGHT.fullmatch(word)
                      or flag.startswith("v") and flag != "vn" and tagged[k - 1][1][:1] in "nljv")
        if verb or not re.fullmatch(r"[\u4e00-\u9fff]+", word):
            break
        nouns += word
    said = object_of(no_blanks(rest)[len(nouns):])
    if len(nouns) < 2 or len(said) < 2 or rest[:len(nouns)] != nouns:
        return ""
    b.noun = len(nouns)
    number = "人数" if b.unit[-1:] in PEOPLE else \
        f"{b.unit[-1]}数" if b.unit[-1:] in "户家个村所项件" and not nouns.endswith(b.unit) else "数"
    if len(nouns) + len(number) <= 8:
        b.key_hint = f"{nouns}{number}"
    label = f"{said}{nouns}{number}"
    b.guess = f"「{b.sample}{b.unit}{rest[:16]}」数的是「{nouns}」，标签写作「{label}」"
    return label


def counted(text: str, b: Blank, before: str = "") -> str:
    """「x个村村集体经济收入达xx万元以上」: what is counted (村) comes right after the unit,
    what is said of it after that → 「村集体经济收入达…万元以上的村」 (another figure in
    the clause is 「…」)."""
    start = b.end + len(b.unit)
    if before in PREPOSITIONS and (label := _prepositional(text, b, start)):
        return label
    rest = clause(text, start, len(text), backwards=False)
    words = segment(rest)
    if len(words) < 2 or not re.fullmatch(r"[\u4e00-\u9fff]{1,4}", words[0]):
        return ""
    noun = words[0][0] if len(words[0]) == 2 and words[0][0] == words[0][1] else words[0]
    said = ellipsis(text, start + len(noun))
    said = re.sub(r"[。；，]$", "", said)
    if len(said) < 2:
        return ""
    b.noun = len(noun)
    label = f"{said}的{noun}"
    subject = strip_words(TRAIL.sub("", said.split("…")[0]))
    tail = "".join(w for w in segment(subject)[-2:])  # 「集体经济」「收入」 → 集体经济收入
    if 2 <= len(tail) + len(noun) <= 8:
        b.key_hint = tail + noun  # 集体经济收入村, 回炉淬火党员
    b.guess = f"「{b.sample}{b.unit}{rest[:16]}」的标签写作「{label}」（数的是「{noun}」）"
    return label
