"""Turn one report of a sample into role-template source.

* headings 「一、」「（一）」 become ``# `` / ``## `` (a heading line with text after its
  first 。 is a run-in heading); items 「一是」 that start paragraphs become ``- ``;
  「一是…二是…」 inside a paragraph become ``{是}``; the kit then numbers them.
  「1.」 paragraphs keep their number: the kit numbers two heading levels only.
* blanks become fields (:mod:`kit.sources.importer.blanks`); the report's year becomes
  ``{{ 年度 }}`` (the year before ``{{ 年度 - 1 }}``), 镇/乡 in 全镇、镇党委、镇情…
  becomes ``{{ 单位类别 }}``, the province ``{{ 省份 }}``, 「建党102周年」 a derived figure.
* what the kit will print is tracked beside the source (``expected``), so the import
  can check its own round trip; every change from the sample's text is a note.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from kit.errors import KitError, Problem
from kit.report.fields import IDENTITY_KEYS, chinese_number
from kit.report.numbering import ARABIC as _H3
from kit.report.numbering import H1 as _H1
from kit.report.numbering import H2 as _H2
from kit.report.numbering import ITEM as _MARK
from kit.report.numbering import OWN_NUMBER as _OWN_NUMBER
from kit.report.numbering import heading1, heading2, item_mark
from kit.sources.importer.blanks import Blank, find_blanks, make_key, mixed_figure, no_blanks
from kit.sources.importer.source import Section

_PROVINCE_NAMES = ("北京 天津 河北 山西 内蒙古 辽宁 吉林 黑龙江 上海 江苏 浙江 安徽 福建 江西 山东 河南 "
             "湖北 湖南 广东 广西 海南 重庆 四川 贵州 云南 西藏 陕西 甘肃 青海 宁夏 新疆")
PROVINCES = _PROVINCE_NAMES.split()
# 「建党102周年」 → derived 建党周年 = 年度 - 1921 (only when the figure fits the year).
ANNIVERSARIES = {"建党": ("建党周年", "建党周年数", 1921), "新中国成立": ("建国周年", "新中国成立周年数", 1949),
                 "改革开放": ("改革开放周年", "改革开放周年数", 1978), "建军": ("建军周年", "建军周年数", 1927)}
# 镇/乡 as the kind of unit: 全镇 我镇 镇党委 镇情 镇属 镇长…, not 乡村 城镇 乡镇.
_KIND = re.compile(r"(?<![城乡集古重市])[镇乡](?=党委|党建办|委|政府|人民|人大|纪委|长|情|属|直|机关|干部|党员|"
                   r"级|域|内|财政|卫生院|领导|班子|站所|各部门|主要负责)"
                   r"|(?<![城乡集古重市])镇(?=村两级|村三级|村干部|村两委|村组)"  # 「乡村干部」 is rural
                   r"|(?<=[全我本该驻各])[镇乡](?![村镇])")
# 镇/乡 left as text after the above: named in a note (乡村、城镇、乡镇、城乡 are not unit words).
_KIND_LEFT = re.compile(r"(?<![城乡村])[镇乡](?![村镇])")
_ROLE = re.compile(r"[（(]([^（）()]+)[）)]\s*$")


@dataclass
class Imported:
    """One role template made from one report of a sample."""

    role: str
    title: str  # Jinja source
    byline: str
    rank: int
    body: str
    fields: dict[str, Blank | dict[str, str]]  # key → blank, or the spec of an added field
    derived: dict[str, tuple[str, str, str]]  # key → (label, formula, unit)
    identity: Mapping[str, object]  # the sample's own 年度 / 单位类别 / 省份
    expected: list[str]  # title and body paragraphs the template renders with the samples
    notes: list[str] = field(default_factory=list)

    def source(self, origin: str) -> str:
        """The template file's text."""
        head = [f"# 由 kit import 从范文「{origin}」生成。请检查各字段的标签、类型和单位；",
                "# 正文写法见 docs/模板写法.md。"]
        head += ["# 导入时的处理："] + [f"#  - {n}" for n in self.notes] if self.notes else []
        head += [f"角色: {_q(self.role)}", f"标题: {_q(self.title)}", f"署名: {_q(self.byline)}",
                 f"排位: {self.rank}"]
        if self.derived:
            head.append("派生:")
            for key, (label, formula, unit) in self.derived.items():
                head.append(f"  {key}: {_flow({'标签': label, '公式': formula, '单位': unit})}")
        head.append("字段:")
        for key, spec in self.fields.items():
            head.append(f"  {key}: {_flow(_spec(spec))}")
        return "---\n" + "\n".join(head) + "\n---\n" + self.body + "\n"


def _spec(spec: Blank | dict[str, str]) -> dict[str, str]:
    if isinstance(spec, dict):
        return spec
    out = {"标签": spec.label, "类型": spec.type}
    if spec.unit:
        out["单位"] = spec.unit
    out |= {k: v for k, v in spec.extra.items() if k != "说明"}
    out["样例"] = spec.sample
    if "说明" in spec.extra:
        out["说明"] = spec.extra["说明"]
    return out


_PLAIN = re.compile(r"^[^\s:{}\[\],#&*!|>'\"%@`?-][^:{}\[\],#&*!|>'\"%@`]*$")


def _q(value: str) -> str:
    """A YAML scalar: plain when safe, else double-quoted (JSON is valid YAML)."""
    if _PLAIN.match(value) and value.strip() == value and value.lower() not in (
            "null", "true", "false", "yes", "no", "on", "off", "~"):
        return value
    return json.dumps(value, ensure_ascii=False)


def _flow(spec: dict[str, str]) -> str:
    return "{" + ", ".join(f"{k}: {_q(str(v))}" for k, v in spec.items()) + "}"


class _Builder:
    def __init__(self, section: Section, role: str | None, file: str) -> None:
        self.section, self.file = section, file
        text = "\n".join([section.title, *section.lines])
        years = re.findall(r"(?<!\d)(20\d\d)(?=年)", section.title) or \
            [y for y, _ in Counter(re.findall(r"(?<!\d)(20\d\d)(?=年)", text)).most_common(1)]
        self.year = int(years[0]) if years else None
        kinds = Counter(m.group() for m in _KIND.finditer(text))
        self.kind = max(kinds, key=lambda k: (kinds[k], k == "镇")) if kinds else None
        if self.kind and len(kinds) > 1:
            other = "乡" if self.kind == "镇" else "镇"
            found = [m.group() + text[m.end():m.end() + 2] for m in _KIND.finditer(text)
                     if m.group() == other]
            self.notes = [f"范文里有 {len(found)} 处「{other}」（如「{found[0]}」）与全文的"
                          f"「{self.kind}」不一致，模板里统一写作 {{{{ 单位类别 }}}}"]
        else:
            self.notes = []
        provinces = Counter(p for p in PROVINCES for _ in re.finditer(p, text))
        self.province = provinces.most_common(1)[0][0] if provinces else None
        literal = [re.escape(str(self.year + d)) for d in (0, -1, 1)] if self.year else []
        parts = [r"(?P<brace>\{)", r"(?P<kind>" + _KIND.pattern + ")"]
        if literal:
            parts.insert(0, r"(?<!\d)(?P<year>" + "|".join(literal) + r")(?=年)")
            parts.insert(0, r"(?P<ann>" + "|".join(ANNIVERSARIES) + r")(?P<n>\d+)(?=周年)")
        if self.province:
            parts.append(f"(?P<prov>{self.province})")
        self.subst = re.compile("|".join(parts))
        self.fields: dict[str, Blank | dict[str, str]] = {}
        self.guesses: list[str] = []
        self.heading = ""  # the section being read, for labels that need context
        self.derived: dict[str, tuple[str, str, str]] = {}
        self.role = role or self._role()

    def _role(self) -> str:
        m = _ROLE.search(self.section.title)
        if not m:
            raise KitError(Problem(
                f"标题「{self.section.title}」里没有角色名", file=self.file,
                expected="标题末尾括号里的角色名，如「2023年度述职报告（镇长）」",
                hint="请用 --role 指定角色名，例如：kit import 范文.txt --role 镇长"))
        return m.group(1).strip()

    # -- text -----------------------------------------------------------------------
    def literal(self, text: str, block_start: bool) -> tuple[str, str]:
        """(template source, expected text) of text without blanks."""
        src, exp, pos = [], [], 0
        for m in self.subst.finditer(text):
            src.append(text[pos:m.start()])
            exp.append(text[pos:m.start()])
            pos = m.end()
            found = {k for k, v in m.groupdict().items() if v}
            if "brace" in found:
                src.append('{{ "{" }}')  # a brace in a sample is text, never template code
                exp.append("{")
            elif "kind" in found:
                src.append("{{ 单位类别 }}")
                exp.append(self.kind or "")  # the group exists only when kind is known
            elif "prov" in found:
                src.append("{{ 省份 }}")
                exp.append(self.province or "")
            elif "year" in found:
                delta = int(m.group("year")) - (self.year or 0)
                src.append("{{ 年度 }}" if not delta else f"{{{{ 年度 {'+' if delta > 0 else '-'} 1 }}}}")
                exp.append(m.group("year"))
            else:
                self._anniversary(m, src, exp)
        src.append(text[pos:])
        exp.append(text[pos:])
        source = "".join(src)
        if block_start and source[:1] in ("#", "-"):  # would read as markup
            source = f'{{{{ "{source[0]}" }}}}' + source[1:]
        return source, "".join(exp)

    def _anniversary(self, m: re.Match[str], src: list[str], exp: list[str]) -> None:
        key, label, base = ANNIVERSARIES[m.group("ann")]
        if self.year is not None and int(m.group("n")) == self.year - base:
            self.derived[key] = (label, f"年度 - {base}", "周年")
            src.append(f"{m.group('ann')}{{{{ {key} }}}}")
        else:
            src.append(m.group())
        exp.append(m.group())

    def _unique_label(self, b: Blank, label: str) -> str:
        """The blank's label, made unique within the role: with its unit, else its
        section, else numbered (「…（第2处）」)."""
        labels = {f.label if isinstance(f, Blank) else f["标签"] for f in self.fields.values()}
        label = label or (f"{self.heading}中的数字" if self.heading else "数字")
        if not b.label:
            b.guess = f"「{b.sample}{b.unit}」前后没有说明它的文字，标签「{label}」是猜的，请核对"
        counts = b.kind == "count" and b.unit[-1:] in _COUNTED
        first = next((f for f in self.fields.values() if isinstance(f, Blank)
                      and f.label == label and f.kind == "count"
                      and f.unit[-1:] in _COUNTED and f.unit != b.unit), None) if counts else None
        if first is not None and f"{label}{first.unit[-1]}数" not in labels:
            # 「城乡低保覆盖XXX户XXX人」: 「…户数」 and 「…人数」
            first.label = f"{label}{first.unit[-1]}数"
            first.guess = f"标签「{label}」有两个数，按单位写作「{first.label}」"
            labels = {f.label if isinstance(f, Blank) else f["标签"] for f in self.fields.values()}
        tries = ([f"{label}{b.unit[-1]}数"] if first is not None else []) + [label] \
            + ([f"{label}{b.unit[-1]}数"] if counts else []) \
            + ([f"{label}（{b.unit}）"] if b.unit else []) \
            + ([f"{self.heading}：{label}"] if self.heading else [])
        tries += [f"{label}（第{n}处）" for n in range(2, 100)]
        pick = next(t for t in tries if t not in labels)
        if pick != label:
            b.guess = f"标签「{label}」与前面的字段相同，改为「{pick}」" + (f"；{b.guess}" if b.guess else "")
        return pick

    def text(self, text: str, block_start: bool = False) -> tuple[str, str]:
        """Source and expected text of a run of text with blanks."""
        mixed = mixed_figure(text)
        if mixed:
            plain = re.sub(r"[0-9０-９]", "x", mixed)
            raise KitError(Problem(
                f"范文「{self.section.title}」里「{mixed}」数字和 x 连在一起，分不清哪里要填",
                file=self.file, expected="要填的数字全部写成 x（如 x、x.x），已知的数字全部写出",
                found=f"「{text[:40]}」", hint=f"您是否想写「{plain}」？"))
        src, exp, pos = [], [], 0
        for b in find_blanks(text):
            s, e = self.literal(text[pos:b.start], block_start and pos == 0)
            src.append(s)
            exp.append(e)
            # A label is shown to 镇 and 乡 officials alike: 「召开镇人民代表大会」 → 乡镇
            b.label = self._unique_label(b, _KIND.sub("乡镇", b.label))
            taken = set(self.fields) | set(self.derived) | IDENTITY_KEYS
            hint = re.sub(r"\W", "", b.key_hint)  # 「回头看”召开」 → a name Jinja accepts
            b.key = hint if len(hint) >= 2 and hint.isidentifier() and hint not in taken \
                else make_key(b.label, b.unit, b.kind, taken)
            self.fields[b.key] = b
            if b.guess:
                self.guesses.append(f"字段「{b.key}」：{b.guess}")
            src.append(f"{{{{ {b.key} }}}}{b.unit}")  # the unit stays literal text
            exp.append(b.sample + b.unit)
            pos = b.end + len(b.unit)
        s, e = self.literal(text[pos:], block_start and pos == 0)
        return "".join(src) + s, "".join(exp) + e


def template_of(section: Section, role: str | None, file: str) -> Imported:
    """The role template of one sample report."""
    b = _Builder(section, role, file)
    title_src, title_exp = b.text(section.title)
    lead = _ROLE.search(title_src)
    if lead and lead.group(1)[:1] in "镇乡" and lead.group(1)[:1] == (b.kind or lead.group(1)[0]):
        # 「（镇组织委员）」: the kind word of the role in the title, whatever follows it
        b.kind = lead.group(1)[0]
        title_src = title_src[:lead.start(1)] + "{{ 单位类别 }}" + title_src[lead.start(1) + 1:]
    blocks: list[str] = []
    expected: list[str] = [title_exp]
    notes = list(section.notes) + b.notes
    h1 = h2 = item = 0
    sections: list[dict] = []  # per 一、 section: heading, blanks, index of its last item
    lines = section.lines
    i = 0
    while i < len(lines):
        line = lines[i]
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        before = len(b.fields)
        m1 = _H1.match(line)
        m = m1 or _H2.match(line)
        if m:
            level = 1 if m1 else 2
            if level == 1:
                h1, h2, item = h1 + 1, 0, 0
                number = heading1(h1)
                sections.append({"heading": "", "blanks": 0, "last_item": None})
            else:
                h2, item = h2 + 1, 0
                number = heading2(h2)
            if chinese_number(m.group(1)) != (h1 if level == 1 else h2):
                notes.append(f"标题「{line[:12]}…」的编号与前文不连续，已由本工具重新编号为「{number}」")
            head, runin = _split_heading(m.group(2))
            b.heading = no_blanks(head).rstrip("。").strip()
            hs, he = b.text(head)
            block = ("# " if level == 1 else "## ") + _guard(hs)
            exp = number + he
            if runin:
                rs, re_ = _inline(b, runin)
                block += "\n" + rs
                exp += re_
            if level == 1:
                sections[-1]["heading"] = he.rstrip("。")
            blocks.append(block)
            expected.append(exp)
        else:
            items, kind = _items(line, nxt, item)
            if kind == "items":
                for k, piece in enumerate(items):
                    if k:
                        notes.append(f"「{item_mark(item + 1)}{piece[:10]}…」原来接在上一条的末尾，"
                                     "已拆成单独一条（上一条末尾的「，」改为「。」）")
                    item += 1
                    s, e = b.text(piece)
                    blocks.append("- " + _guard(s))
                    expected.append(item_mark(item) + e)
                    if sections:
                        sections[-1]["last_item"] = len(blocks) - 1
            elif kind == "inline":
                s, e = _inline(b, line, items)
                blocks.append(s)
                expected.append(e)
            else:
                if _H3.match(line) and not any("「1.」" in n for n in notes):
                    notes.append("「1.」「2.」这一级编号保留原文（本工具自动编排「一、」「（一）」「一是」）")
                elif kind == "literal":
                    notes.append(f"「{line[:12]}…」的「是」字编号与本节前面的条目不连续，保留原文编号")
                s, e = b.text(line, block_start=True)
                blocks.append(s)
                expected.append(e)
        if sections:
            sections[-1]["blanks"] += len(b.fields) - before
        i += 1
    if not b.fields:
        raise KitError(Problem(
            f"范文「{section.title}」里没有找到要填的空", file=file,
            expected="用 x、xx、XXX、X.X、xx%、X月X日、X,XXX 等标出的数字或名称",
            hint="请先把范文里每年要改的数字换成 x（如「召开会议x次」），再导入。"))
    _add_other_work(b, blocks, sections)
    notes += _kind_left(b, "\n".join([title_src, *blocks])) + b.guesses
    role = b.role
    bare = re.sub(r"^[镇乡]", "", role)  # 东山镇 + 党建办主任, 东山镇 + 党委书记, 东山镇 + 镇长
    bare = "党" + bare if bare.startswith("委") else "{{ 单位类别 }}长" if bare == "长" else bare
    bare = re.sub(r"^副[镇乡](?=长$)", "副{{ 单位类别 }}", bare)  # 副镇长 → 副{{ 单位类别 }}长
    byline = "{{ 单位 }}" + bare + "　{{ 姓名 }}"
    rank = 1 if re.search(r"(?<!副)书记$", role) else 2 if re.search(r"^[镇乡]长$", role) else 20
    identity = {k: v for k, v in (("年度", b.year), ("单位类别", b.kind), ("省份", b.province)) if v}
    return Imported(role=role, title=title_src, byline=byline, rank=rank,
                    body="\n\n".join(blocks), fields=b.fields, derived=b.derived,
                    identity=identity, expected=expected, notes=notes)


_COUNTED = "户人名家个村所处项件次"  # 「…户数」「…人数」 read naturally


def _guard(source: str) -> str:
    """An item or heading whose own text starts like a number (「一是一是…」) keeps that
    text as text: the kit numbers items itself and refuses numbers typed at their start."""
    if _OWN_NUMBER.match(source):
        return f'{{{{ "{source[0]}" }}}}' + source[1:]
    return source


def _kind_left(b: _Builder, source: str) -> list[str]:
    """A note for every 镇/乡 the import left as text: in a 乡 official's report they
    would stay 镇 (or the reverse); the clerk decides."""
    text = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", "", source)
    found = [text[max(0, m.start() - 3):m.end() + 3].replace("\n", "") for m in _KIND_LEFT.finditer(text)]
    if not found:
        return []
    return [f"范文里有 {len(found)} 处「{'、'.join(sorted({m for f in found for m in f if m in '镇乡'}))}」"
            f"没有换成 {{{{ 单位类别 }}}}（如「{found[0]}」），看作地名或固定说法；"
            "若是本乡镇的意思，请改成 {{ 单位类别 }}"]


def _inline(b: _Builder, text: str, pieces: list[str] | None = None) -> tuple[str, str]:
    """Source and expected text of a paragraph whose 「一是…二是…」 become ``{是}``."""
    if pieces is None:
        pieces, kind = _items(text, "", 0, inline_only=True)
        if kind != "inline":
            return b.text(text, block_start=True)
    src, exp = [], []
    for k, piece in enumerate(pieces):
        s, e = b.text(piece, block_start=k == 0)
        src.append(s if k == 0 else "{是}" + s)
        exp.append(e if k == 0 else item_mark(k) + e)
    return "".join(src), "".join(exp)


def _split_heading(text: str) -> tuple[str, str]:
    """「以…为契机，加强…建设。在镇党委…」 → heading up to its first 。, then run-in text."""
    m = re.search(r"[。！？]", text)
    if m and m.end() < len(text):
        return text[: m.end()], text[m.end():]
    return text, ""


def _items(line: str, nxt: str, count: int, inline_only: bool = False
           ) -> tuple[list[str], str]:
    """How a paragraph's 「一是」 markers are handed to the kit.

    Returns (pieces, kind): kind ``items`` (one or more ``- `` items; a paragraph
    「二是…，三是…」 is split), ``inline`` (``{是}`` markers), ``literal`` (numbering
    the kit would not reproduce: kept as text) or ``plain``.
    """
    marks = [(m.start(), m.end(), chinese_number(m.group(1)) or 0)  # _MARK: numerals only
             for m in _MARK.finditer(line)]
    if marks and marks[0][0] == 0 and not inline_only:
        first = marks[0][2]
        run = [marks[0]]
        for mk in marks[1:]:
            if mk[2] == run[-1][2] + 1:
                run.append(mk)
        nxt_mark = _MARK.match(nxt)
        continues = nxt_mark is not None and chinese_number(nxt_mark.group(1)) == run[-1][2] + 1
        if len(run) == 1 or first > 1 or continues:
            if first != count + 1:
                return [line], "literal"
            pieces = []
            for k, (_start, e, _) in enumerate(run):
                end = run[k + 1][0] if k + 1 < len(run) else len(line)
                piece = line[e:end]
                if k + 1 < len(run) and piece[-1:] in "，,；;":
                    piece = piece[:-1] + "。"
                pieces.append(piece)
            return pieces, "items"
    run = []
    for mk in marks:
        if mk[2] == len(run) + 1:
            run.append(mk)
    if not run:
        return [line], "plain"
    pieces = [line[: run[0][0]]]
    for k, (_, e, _) in enumerate(run):
        pieces.append(line[e: run[k + 1][0] if k + 1 < len(run) else len(line)])
    return pieces, "inline"


def _add_other_work(b: _Builder, blocks: list[str], sections: list[dict]) -> None:
    """Like the shipped templates: an optional free-text last item 「其他工作」 in the
    section with the most blanks (the year's work), so an official can add one."""
    best = max((s for s in sections if s["last_item"] is not None),
               key=lambda s: s["blanks"], default=None)
    if best is None or not best["blanks"] or "其他工作" in b.fields:
        return
    blocks.insert(best["last_item"] + 1, "{% if 其他工作 %}\n- {{ 其他工作 }}\n{% endif %}")
    b.fields["其他工作"] = {
        "标签": "其他重点工作", "类型": "长文本", "必填": "否", "最长": "600",
        "说明": f"可不填；填了会作为“{best['heading']}”部分的最后一条，自动编号"}
