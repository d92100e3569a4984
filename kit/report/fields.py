"""Field types: the one definition used by validation, the form, the batch and rosters.

A template declares each blank as a :class:`Field` whose ``type`` is one of
:data:`TYPES`.  ``Field.parse`` turns what a user typed (YAML text, a widget value, an
Excel cell) into a typed value or raises :class:`FieldValueError` with a Chinese
message; ``Field.format`` prints a value into the report.

Every number is bounded: at most :data:`MAX_NUMBER_CHARS` digits are read (longer text
is refused before any arithmetic), infinities and NaN are refused, and every numeric
type has an upper bound when the template gives no 最大 (see :data:`TYPES`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar

from kit.errors import Notice, did_you_mean, suggest
from kit.report.numbering import numeral  # noqa: F401  (kept importable as kit.report.fields.numeral)

Value = int | Decimal | str

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}
# Characters a text may not hold: the one definition (templates refuse these too, and
# line separators besides, see kit.report.templates).  Control characters but tab, CR and LF
# (Cc, C0 and C1: Word cannot hold them; U+0085 is mostly a mangled 「…」); format
# characters (Cf: zero-width spaces and joiners, the BOM, the soft hyphen, and the
# bidirectional controls that reorder what the reader of a signed report sees); private
# use (Co: the renderer's value markers); lone surrogates (Cs); unassigned code points and
# non-characters (Cn); and letters that are blank by design (Hangul fillers).  A text
# holding one is refused, never silently stripped: pasted from a web page or WeChat they
# cannot be seen, so the message names the first and the hint gives the text without them.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Cn"})
_ORDINARY_CONTROLS = frozenset("\t\n\r")
_BLANK_LETTERS = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u3164\uffa0")
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Unicode's line breaks besides \n and \r: a text treats them as it treats \n.
LINE_SEPARATORS = frozenset("\u2028\u2029")
_NAMES = {"\u200b": "零宽空格", "\u200c": "零宽不连字符", "\u200d": "零宽连字符",
          "\u2060": "零宽连接符", "\ufeff": "零宽不换行空格（BOM）", "\u00ad": "软连字符",
          "\u2028": "行分隔符", "\u2029": "段分隔符"}

# Limits of every number a user types (the README lists them).
MAX_NUMBER_CHARS = 30  # digits of a number; longer text is refused before it is read
MAX_DECIMALS = 4  # decimal places of 小数 and 百分比
# Full-width digits and signs typed with a Chinese input method are ordinary digits;
# anything else Unicode calls a digit (「²」「①」「٣」) is refused, not reinterpreted.
_WIDE = str.maketrans("０１２３４５６７８９．－＋，％", "0123456789.-+,%")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_SCIENTIFIC = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)[eE][+-]?\d+")
# Thousands separators: groups of exactly three digits left of the point (「1,234.5」);
# a comma anywhere else makes the figure ambiguous, and it is refused (see _ungrouped).
_GROUPED = re.compile(r"[+-]?[1-9]\d{0,2}(?:,\d{3})+(?:\.\d*)?")  # not 「0,123」
# 「1.234,5」: points between groups of three, a decimal comma — European notation.
_EUROPEAN = re.compile(r"[+-]?\d{1,3}(?:\.\d{3})+,\d+")
_NOT_FINITE = {"inf", "infinity", "nan", "snan", "qnan", ".inf", ".nan", "∞"}


class FieldValueError(ValueError):
    """A value does not fit its field.  Carries the parts of the Chinese message and a
    ``kind`` (see :data:`kit.errors.KINDS`)."""

    def __init__(self, message: str, expected: str, found: str, hint: str | None = None,
                 kind: str = "other"):
        self.message, self.expected, self.found, self.hint = message, expected, found, hint
        self.kind = kind
        super().__init__(message)


def chinese_number(text: str) -> int | None:
    """「五」→5, 「十二」→12, 「一百二十」→120; None when ``text`` is not a Chinese numeral."""
    if not text or len(text) > 20 or any(c not in _CN_DIGITS and c not in _CN_UNITS
                                         for c in text):
        return None
    total, section, digit = 0, 0, 0
    for c in text:
        if c in _CN_DIGITS:
            digit = _CN_DIGITS[c]
        elif c == "万":
            total += (section + digit) * 10000
            section, digit = 0, 0
        else:
            section += (digit or 1) * _CN_UNITS[c]
            digit = 0
    return total + section + digit


def format_value(value: Any) -> str:
    """How a value is printed in the report: the one definition every front end uses.

    A number prints with exactly the decimal places it carries, never an exponent: a typed
    number carries what was typed (「5.0」 stays 5.0, 「0.50」 stays 0.50, see
    :meth:`_Number.parse`); a computed one what decimal arithmetic gives (5.0 + 3.10 is
    8.10).  Zero has no sign.  A float (an Excel cell, a widget) has no typed places: it
    prints as its shortest text, 5.0 as 5.
    """
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        if not value.is_finite() or abs(value.adjusted()) > MAX_NUMBER_CHARS \
                or places(value) > 2 * MAX_NUMBER_CHARS:
            return str(value)  # never a million digits (values this size are refused)
        return format(value.copy_abs() if value.is_zero() else value, "f")
    if isinstance(value, float):
        return format_value(_float_number(value))
    if isinstance(value, int) and value.bit_length() > 4 * MAX_NUMBER_CHARS:
        return "（位数过多的数字）"  # str() would hit Python's int-to-string limit
    return str(value)


def _float_number(value: float) -> Decimal:
    """A float as a Decimal: 5.0 → 5, 0.1 → 0.1 (its shortest text; a float has no typed
    decimal places)."""
    if value.is_integer() and abs(value) < 10.0 ** (2 * MAX_NUMBER_CHARS):
        return Decimal(int(value))
    return Decimal(repr(value))


def places(value: Decimal) -> int:
    """Decimal places ``value`` carries: 5.0 → 1, 0.50 → 2, 5 → 0."""
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _trimmed(value: Decimal) -> str:
    """``value`` without trailing zeros, for a hint: 12.50000 → 12.5, 5.0 → 5."""
    text = format_value(value)
    return text.rstrip("0").rstrip(".") if "." in text else text


def _shown(raw: Any) -> str:
    """What the user typed, quoted and cut short for a message."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        return format_value(raw)
    text = raw if isinstance(raw, str) else format_value(raw)
    return f"「{text[:20]}…」" if len(text) > 20 else f"「{text}」"


def _too_many_digits(expected: str, raw: Any) -> FieldValueError:
    return FieldValueError(f"数字太长（最多 {MAX_NUMBER_CHARS} 位）", expected, _shown(raw),
                           kind="limit")


@dataclass(frozen=True)
class FieldType:
    """What a kind of blank accepts and what it means for every front end.

    Front ends ask these properties (``numeric``, ``integer``, ``multiline``,
    ``choice``, ``min``/``max``) instead of comparing type or widget names; ``widget``
    only tells the form which input to build.
    """

    name: str  # id used in code and accepted in templates: count, amount, …
    zh: str  # Chinese name, also accepted in templates: 整数, 小数, …
    expected: str  # for messages: 「不小于 0 的整数（阿拉伯数字）」
    widget: str  # int | float | text | textarea | choice
    min: Decimal | None = None  # used when the template gives no 最小
    max: Decimal | None = None  # used when the template gives no 最大 (set for every number)
    plausible: Decimal | None = None  # above this, and no 最大 in the template: a warning
    decimals: int | None = None  # most decimal places accepted
    max_len: int | None = None  # used when the template gives no 最长

    numeric: ClassVar[bool] = False
    integer: ClassVar[bool] = False
    multiline: ClassVar[bool] = False
    choice: ClassVar[bool] = False  # the value is one of the field's 选项

    def parse(self, raw: Any, f: Field) -> Value:
        raise NotImplementedError

    def describe(self, f: Field) -> str:
        return self.expected


class _Number(FieldType):
    numeric = True
    integer = True

    def parse(self, raw: Any, f: Field) -> Value:
        if isinstance(raw, bool):
            raise FieldValueError("应填数字", self.describe(f), str(raw), kind="not_number")
        if isinstance(raw, int):
            if raw.bit_length() > 4 * MAX_NUMBER_CHARS:
                raise _too_many_digits(self.describe(f), raw)
            number = Decimal(raw)
        elif isinstance(raw, Decimal | float):
            number = _float_number(raw) if isinstance(raw, float) else raw
            if not number.is_finite():
                raise FieldValueError("不是有限的数字（无穷大、NaN 不能用作数字）",
                                      self.describe(f), _shown(str(raw)), kind="not_finite")
            if abs(number.adjusted()) > MAX_NUMBER_CHARS \
                    or len(number.as_tuple().digits) > 2 * MAX_NUMBER_CHARS:
                raise _too_many_digits(self.describe(f), "…")
        else:
            number = self._from_text(str(raw), f)
        shown = format_value(number)  # bounded above: at most MAX_NUMBER_CHARS digits
        if self.integer and number != number.to_integral_value():
            raise FieldValueError("应为整数", self.describe(f), shown, kind="not_integer")
        if self.integer and places(number):
            # 「5.0」 in a count: the report would print 5, not what was typed.
            raise FieldValueError("应为整数（不写小数点）", self.describe(f), shown,
                                  did_you_mean([_trimmed(number)]), kind="not_integer")
        if not self.integer and self.decimals is not None and places(number) > self.decimals:
            # Typed places are printed as typed, so 「12.50000」 is five places too.
            short = _trimmed(number)
            hint = did_you_mean([short]) if places(Decimal(short)) <= self.decimals else None
            raise FieldValueError(f"小数位太多（最多 {self.decimals} 位）", self.describe(f),
                                  shown, hint, kind="too_many_decimals")
        lo, hi = f.bounds()
        if lo is not None and number < lo:
            word = "不能是负数" if lo == 0 else f"不能小于 {format_value(lo)}"
            raise FieldValueError(word, self.describe(f), shown, kind="out_of_range")
        if hi is not None and number > hi:
            raise FieldValueError(f"不能大于 {format_value(hi)}", self.describe(f), shown,
                                  kind="out_of_range")
        if self.integer:
            return int(number)
        # The typed places are kept (「5.0」 prints 5.0); a zero loses its sign (「-0.0」).
        return number.copy_abs() if number.is_zero() else number

    def _from_text(self, raw: str, f: Field) -> Decimal:
        text = raw.translate(_WIDE).strip()
        if len(text) > 2 * MAX_NUMBER_CHARS:  # checked first: a million digits cost nothing
            raise FieldValueError(f"数字太长（{len(text)} 个字符，最多 {MAX_NUMBER_CHARS} 位）",
                                  self.describe(f), _shown(raw), kind="limit")
        for suffix in filter(None, [f.unit, unicodedata.normalize("NFKC", f.unit), "%"]):
            if text.endswith(suffix) and len(text) > len(suffix):
                text = text[: -len(suffix)].strip()
        if "," in text:
            text = self._ungrouped(raw, text, f)
        if _PLAIN_NUMBER.fullmatch(text):
            if len(text.lstrip("+-").lstrip("0").replace(".", "")) > MAX_NUMBER_CHARS:
                raise _too_many_digits(self.describe(f), raw)
            return Decimal(text)
        raise self._not_a_number(raw, text, f)

    def _ungrouped(self, raw: str, text: str, f: Field) -> str:
        """``text`` without its thousands separators, when they stand where they mean
        one thing: every three digits left of the point (「1,234.5」).  Anything else is
        refused, never read as some number: 「1.234,5」 (European) would be 1.2345,
        「1,23,4」 1234 — which of 1234, 1.234 or 123.4 was meant cannot be told."""
        if _GROUPED.fullmatch(text):
            return text.replace(",", "")
        expected = self.describe(f)
        european = _EUROPEAN.fullmatch(text)
        if european:
            meant = text.replace(".", "").replace(",", ".")
            hint = "小数点请用「.」，千分位用「,」。" + (did_you_mean([meant]) or "")
            raise FieldValueError("数字的写法有歧义：小数点后面不能再有逗号", expected,
                                  _shown(raw), hint, kind="not_number")
        if "." in text and text.index(",") > text.index("."):
            hint = "小数点请用「.」，千分位用「,」（如 1,234.5）。"
            raise FieldValueError("数字的写法有歧义：小数点后面不能再有逗号", expected,
                                  _shown(raw), hint, kind="not_number")
        raise FieldValueError("千分位逗号的位置不对（应从个位起每三位一个）", expected,
                              _shown(raw), "千分位逗号应每三位一个，如「1,234.5」，也可以不写逗号；"
                              "请核对数字。", kind="not_number")

    def _not_a_number(self, raw: str, text: str, f: Field) -> FieldValueError:
        expected = self.describe(f)
        if text.lower().lstrip("+-") in _NOT_FINITE:
            return FieldValueError("不是有限的数字（无穷大、NaN 不能用作数字）", expected,
                                   _shown(raw), kind="not_finite")
        meant = unicodedata.normalize("NFKC", text).replace("_", "").translate(_WIDE)
        plain = meant if _PLAIN_NUMBER.fullmatch(meant) and len(meant) <= MAX_NUMBER_CHARS \
            else None
        if "_" in text and plain:
            return FieldValueError("数字里不能有下划线「_」", expected, _shown(raw),
                                   did_you_mean([plain]), kind="not_number")
        if any(not c.isascii() and unicodedata.digit(c, None) is not None for c in text):
            hint = did_you_mean([plain]) if plain else "请用普通的阿拉伯数字 0-9。"
            return FieldValueError("数字里有上标、圈码等特殊数字字符", expected, _shown(raw), hint,
                                   kind="not_number")
        if _SCIENTIFIC.fullmatch(text):
            return FieldValueError("请直接写出数字，不要用科学计数法（如 1e5）", expected,
                                   _shown(raw), kind="not_number")
        cn = chinese_number(text)
        hint = f"请用阿拉伯数字，{did_you_mean([str(cn)])}" if cn is not None else None
        return FieldValueError("应填阿拉伯数字", expected, _shown(raw), hint, kind="not_number")

    def describe(self, f: Field) -> str:
        lo, hi = f.bounds()
        kind = "整数" if self.integer else "数字（可带小数）"
        if lo is not None and hi is not None:
            return f"{format_value(lo)} 到 {format_value(hi)} 之间的{kind}"
        if lo is not None:
            return f"不小于 {format_value(lo)} 的{kind}"
        return kind


class _Decimal(_Number):
    integer = False


class _Text(FieldType):
    def parse(self, raw: Any, f: Field) -> Value:
        text = format_value(raw) if not isinstance(raw, str) else raw
        text = text.strip()
        # Line breaks are \n, \r and Unicode's U+2028/U+2029 alike (the others are refused).
        if self.multiline:
            # One paragraph of Chinese text: line breaks typed in a form are not spaces.
            text = "".join(line.strip() for line in text.splitlines())
        elif len(text.splitlines()) > 1:
            raise FieldValueError("只能填一行", self.describe(f), "多行文字", kind="multiline")
        if f.unit and text.endswith(f.unit) and len(text) > len(f.unit):
            text = text[: -len(f.unit)]  # 「石门村」 where the template already says 村
        if f.max_len and len(text) > f.max_len:
            raise FieldValueError(f"太长了（{len(text)} 个字）", self.describe(f),
                                  f"「{text[:12]}…」", kind="too_long")
        if f.options and text not in f.options:
            raise FieldValueError("不是可选的值", self.describe(f), _shown(text),
                                  suggest(text, f.options), kind="not_option")
        return text

    def describe(self, f: Field) -> str:
        if f.options:
            return "「" + "」或「".join(f.options) + "」"
        return f"不超过 {f.max_len} 个字的文字" if f.max_len else "文字"


def refused(char: str) -> bool:
    """Whether a text may not hold ``char`` (see :data:`_REFUSED_CATEGORIES`)."""
    return char not in _ORDINARY_CONTROLS and (
        unicodedata.category(char) in _REFUSED_CATEGORIES or char in _BLANK_LETTERS)


def first_refused(text: str) -> int | None:
    """Where the first character ``text`` may not hold is, or None."""
    if text.isprintable() and _BLANK_LETTERS.isdisjoint(text):
        return None  # the usual case, decided in C: no Cc, Cf, Co, Cs, Cn at all
    return next((i for i, c in enumerate(text) if refused(c)), None)


def is_blank(raw: Any) -> bool:
    """Nothing typed: None, or text of spaces and line breaks only.  A refused character
    is something typed (「\\x85」 alone is not an empty box: it is refused, not dropped)."""
    return raw is None or (isinstance(raw, str) and not raw.strip()
                           and first_refused(raw) is None)


def without_refused(text: str) -> str:
    """``text`` without the characters it may not hold: for a hint, never for a value."""
    return text if first_refused(text) is None else "".join(c for c in text if not refused(c))


def marked(text: str) -> str:
    """``text`` for a one-line message: each refused character and line separator shown
    as 〈U+200B〉, so nothing invisible reaches the screen and nothing reorders it."""
    if first_refused(text) is None and LINE_SEPARATORS.isdisjoint(text):
        return text
    return "".join(f"〈U+{ord(c):04X}〉" if refused(c) or c in LINE_SEPARATORS else c
                   for c in text)


def char_name(char: str) -> str:
    """What a refused character (or a line separator) is, in Chinese, for a message."""
    if char in _NAMES:
        return "看不见的" + _NAMES[char]
    if char in _BIDI:
        return "会打乱文字显示顺序的方向控制符"
    code, category = ord(char), unicodedata.category(char)
    if category == "Cn":
        nonchar = (code & 0xFFFE) == 0xFFFE or 0xFDD0 <= code <= 0xFDEF
        return "无法显示的非字符" if nonchar else "无法显示的未收录字符"
    return {"Cc": "无法显示的控制字符", "Cf": "看不见的格式字符", "Co": "无法显示的字符",
            "Cs": "无法显示的半个字符"}.get(category, "看不见的空白字符")


def refused_message(text: str, at: int, also: frozenset[str] = frozenset()) -> str:
    """「第 3 个字后有一个看不见的零宽空格（U+200B）」 for the character at ``at``, with
    「，共 2 个」 when ``text`` holds more characters it may not hold (or of ``also``:
    the line separators where a file refuses them)."""
    where = f"第 {at} 个字后" if at else "开头"
    message = f"{where}有一个{char_name(text[at])}（U+{ord(text[at]):04X}）"
    count = sum(1 for c in text if refused(c) or c in also)
    return message + (f"，共 {count} 个" if count > 1 else "")


def refused_excerpt(text: str, at: int) -> str:
    """The text around ``at``, quoted, marked (:func:`marked`) and cut short."""
    start = max(0, at - 10)
    shown = marked(text[start:at + 20])
    return "「" + ("…" if start else "") + shown + ("…" if len(text) > at + 20 else "") + "」"


def refused_hint(clean: str) -> str:
    """「请删除它……您是否想写「石门」？」 with ``clean``, the text without them."""
    hint = "请删除它（常见于从网页、微信或其他软件复制的文字，看不见）。"
    if clean:
        hint += did_you_mean([clean if len(clean) <= 30 else clean[:30] + "…"]) or ""
    return hint


def _refuse_unsafe(text: str, expected: str) -> None:
    """Refuse a value holding a character it may not hold (never drop it silently): the
    message says where the first one is and what it is, ``found`` shows each as
    〈U+200B〉, the hint the text without them.  Tabs and line breaks are ordinary (a long
    text joins its lines)."""
    at = first_refused(text)
    if at is None:
        return
    # The hint stays one line: the text without them, its lines joined.
    clean = "".join(line.strip() for line in without_refused(text).splitlines())
    raise FieldValueError(refused_message(text, at), expected, refused_excerpt(text, at),
                          refused_hint(clean), kind="unsafe_char")


class _LongText(_Text):
    multiline = True


class _Choice(_Text):
    choice = True


_D = Decimal
# The types and their limits.  Upper bounds apply when the template gives no 最大;
# above ``plausible`` (and no 最大) a value is accepted with a warning.
TYPES: dict[str, FieldType] = {}
for _t in (
    _Number("count", "整数", "整数", "int", min=_D(0), max=_D(1_000_000), plausible=_D(100_000)),
    _Decimal("amount", "小数", "数字（可带小数）", "float", min=_D(0), max=_D(1_000_000_000),
             plausible=_D(100_000_000), decimals=MAX_DECIMALS),
    _Decimal("percent", "百分比", "0 到 100 之间的数字", "float", min=_D(0), max=_D(100),
             decimals=MAX_DECIMALS),
    _Number("year", "年份", "四位年份", "int", min=_D(2000), max=_D(2100)),
    _Text("short", "短文本", "一行文字", "text", max_len=20),
    _LongText("text", "长文本", "一段文字", "textarea", max_len=2000),
    _Choice("choice", "选项", "可选值之一", "choice", max_len=10),
):
    TYPES[_t.name] = TYPES[_t.zh] = _t


@dataclass(frozen=True)
class Field:
    """One named blank of a report (or an identity item such as 姓名)."""

    key: str  # 「专题会议」: the name in parameter files and in the template text
    label: str  # 「主持召开党建工作专题会议」: what the form and tables show
    type: FieldType
    unit: str = ""  # 「次」: printed by the template right after the blank
    required: bool = True
    min: Decimal | None = None
    max: Decimal | None = None
    max_len: int | None = None
    options: tuple[str, ...] = ()
    help: str = ""
    sample: str = ""  # the sample report's own text for this blank: 「x」「xx」「2023」
    section: str = ""  # the report section the blank first appears in (for the form)
    line: int = 0  # where the template declares it
    extra: dict = field(default_factory=dict, compare=False)

    def bounds(self) -> tuple[Decimal | None, Decimal | None]:
        """(least, greatest) accepted: the template's 最小/最大, else the type's own.
        Every numeric field has an upper bound."""
        lo = self.min if self.min is not None else self.type.min
        hi = self.max if self.max is not None else self.type.max
        return (None if lo is None else Decimal(lo), None if hi is None else Decimal(hi))

    def __post_init__(self) -> None:
        if self.max_len is None and self.type.max_len:
            object.__setattr__(self, "max_len", self.type.max_len)

    @property
    def display(self) -> str:
        """How messages name this field: 「讲党课（为村级党员带头讲党课）」."""
        from kit.errors import field_display

        return field_display(self.key, self.label) or self.key

    def parse(self, raw: Any) -> Value:
        """Typed value of ``raw``; raises :class:`FieldValueError` when it does not fit.
        Typed text holding a character no value may hold is refused first, whatever the
        type (「12\u200b」 is a number with a zero-width space, not 「不是数字」)."""
        if isinstance(raw, str):
            _refuse_unsafe(raw, self.expected())
        return self.type.parse(raw, self)

    def expected(self) -> str:
        return self.type.describe(self)

    def format(self, value: Any) -> str:
        return format_value(value)

    def warnings(self, value: Value) -> list[Notice]:
        """Soft checks the batch shows but does not stop on."""
        out = []
        if isinstance(value, str) and re.search(r"[\u4e00-\u9fff][,;:?!]|[,;:?!][\u4e00-\u9fff]",
                                                value):
            out.append(self.notice(f"「{self.label}」里有半角标点（如「,」），中文里应使用全角「，」",
                                   "punctuation"))
        plausible = self.type.plausible
        if (plausible is not None and self.max is None and isinstance(value, int | Decimal)
                and not isinstance(value, bool) and value > plausible):
            out.append(self.notice(f"「{self.label}」为 {format_value(value)}，超过 "
                                   f"{format_value(plausible)}，数值偏大，请核对", "implausible"))
        return out

    def notice(self, text: str, kind: str) -> Notice:
        """A warning about this field (structured: key, label, kind)."""
        return Notice(text, key=self.key, label=self.label, kind=kind)

    @property
    def title(self) -> str:
        """Label with unit for tables and form captions: 「主持召开党建工作专题会议（次）」."""
        return f"{self.label}（{self.unit}）" if self.unit else self.label


def _identity(key: str, label: str, type_: str, sample: str = "", **kw: Any) -> Field:
    return Field(key=key, label=label, type=TYPES[type_], sample=sample, section="基本信息", **kw)


# Every parameter file has these besides its role's own fields.  角色 is checked
# against the template library, so it is not a Field.
IDENTITY: tuple[Field, ...] = (
    _identity("姓名", "姓名", "short", "", max_len=10, help="述职人姓名"),
    _identity("单位", "单位", "short", "", help="乡镇全称，如：东山镇"),
    _identity("单位类别", "单位类别", "choice", "镇", options=("镇", "乡"), required=False,
              help="镇或乡；不填时按单位名称的最后一个字判断"),
    _identity("所属县", "所属县（区）", "short", "", help="如：青川县"),
    _identity("省份", "省份", "short", "甘肃", max_len=10, help="如：甘肃"),
    _identity("年度", "年度", "year", "2023", help="述职的年度，如：2023"),
    _identity("排序", "在汇编中的顺序", "count", "", required=False, min=Decimal(1),
              help="可不填；填了按数字从小到大排列"),
)
IDENTITY_KEYS = frozenset(f.key for f in IDENTITY) | {"角色"}


# -- added for kit import and Excel rosters (dates, signed rates, grouped numbers) ---------
# Self-contained: new types only, registered in TYPES like the others.

import datetime as _dt  # noqa: E402

_FULL_DATE = re.compile(r"^(\d{4})\s*[年\-/.]\s*(\d{1,2})\s*[月\-/.]\s*(\d{1,2})\s*[日号]?$")
_MONTH_DAY = re.compile(r"^(\d{1,2})\s*[月\-/.]\s*(\d{1,2})\s*[日号]?$")


def _is_full_date(f: Field) -> bool:
    """A 日期 field whose sample has a year (「XXXX年X月X日」) takes a full date; else
    (「X月X日」) month and day only — the template writes the year itself."""
    return "年" in f.sample or f.extra.get("格式") == "年月日"


class _Date(FieldType):
    """One date, stored and printed as the sample wrote it: 「5月8日」 or 「2023年5月8日」.
    Accepts 5月8日, 5-8, 5/8, 2023-05-08, 2023.5.8, 2023年5月8日 and Excel date cells; not
    5.8, which reads as a number (refused with 「您是否想写「5月8日」？」)."""

    def parse(self, raw: Any, f: Field) -> Value:
        full = _is_full_date(f)
        if isinstance(raw, _dt.datetime | _dt.date):
            y, m, d = raw.year, raw.month, raw.day
            if not full:
                return f"{m}月{d}日"  # an Excel date cell: the year is the report's own
        else:
            text = unicodedata.normalize("NFKC", str(raw)).strip()
            fm, md = _FULL_DATE.match(text), _MONTH_DAY.match(text)
            if fm:
                y, m, d = (int(g) for g in fm.groups())
                if not full:
                    raise FieldValueError("只填月和日（年份由报告的年度给出）", self.describe(f),
                                          f"「{raw}」", did_you_mean([f"{m}月{d}日"]))
            elif md and not full and "." in text:
                # 「3.8」 (a YAML number, or typed so) may be 3月8日 or a figure; 「3.10」 in a
                # parameter file even reaches here as 3.1.  Ask instead of guessing.
                m, d = (int(g) for g in md.groups())
                raise FieldValueError("带小数点的「月.日」写法不明确", self.describe(f),
                                      f"「{raw}」", did_you_mean([f"{m}月{d}日"]))
            elif md and not full:
                y, (m, d) = 2024, (int(g) for g in md.groups())  # a leap year: 2月29日 is fine
            else:
                hint = "请写成「5月8日」这样" if not full else "请写成「2023年5月8日」这样"
                raise FieldValueError("不是日期", self.describe(f), f"「{raw}」", hint)
        try:
            _dt.date(y, m, d)
        except ValueError:
            raise FieldValueError("没有这一天", self.describe(f), f"「{raw}」") from None
        if full and not 2000 <= y <= 2100:
            raise FieldValueError("年份不对", self.describe(f), f"「{raw}」")
        return f"{y}年{m}月{d}日" if full else f"{m}月{d}日"

    def describe(self, f: Field) -> str:
        return "日期，如「2023年5月8日」" if _is_full_date(f) else "月和日，如「5月8日」"


def _finite(parse: Any, raw: Any, f: Field, expected: str) -> Value:
    """``parse(raw, f)``, with Infinity/NaN said in Chinese instead of an arithmetic error."""
    try:
        return parse(raw, f)
    except FieldValueError:
        raise
    except (ArithmeticError, ValueError):
        raise FieldValueError("不是有限的数字", expected, f"「{raw}」") from None


class _Rate(_Decimal):
    """A signed rate or ratio in per cent (增长率、同比、增幅): negative and > 100 allowed,
    unlike 百分比 (0–100, a share such as 覆盖率、占比)."""

    def parse(self, raw: Any, f: Field) -> Value:
        return _finite(super().parse, raw, f, self.describe(f))

    def describe(self, f: Field) -> str:
        lo, hi = f.bounds()
        return f"{format_value(lo)} 到 {format_value(hi)} 之间的百分数（可为负数，如 -3.5）"


class Grouped(Decimal):
    """A number printed with thousands separators, as the sample wrote it (「X,XXX」 →
    3,456), with the decimals the user typed.  Compares and computes as a Decimal."""

    __slots__ = ()

    def __format__(self, spec: str, context: Any = None, /) -> str:
        if spec == "f":
            return format(Decimal(self), ",f")
        return format(Decimal(self), spec)


class _GroupedNumber(_Number):
    """整数/小数 written 「X,XXX」 in the sample: the same checks, printed 3,456 (with the
    decimals typed, as every number: 12.50 stays 12.50)."""

    def parse(self, raw: Any, f: Field) -> Value:
        return Grouped(_finite(super().parse, raw, f, self.describe(f)))


class _GroupedDecimal(_GroupedNumber):
    integer = False


_new: FieldType
for _new in (
    _Date("date", "日期", "日期", "text", max_len=12),
    # A growth rate beyond ±1000 % is a typo; grouped numbers have the bounds of their kind.
    _Rate("rate", "增长率", "百分数（可为负数、可超过 100）", "float", min=_D(-1000), max=_D(1000),
          decimals=MAX_DECIMALS),
    _GroupedNumber("count_grouped", "整数（千分位）", "整数", "int", min=_D(0),
                   max=_D(1_000_000), plausible=_D(100_000)),
    _GroupedDecimal("amount_grouped", "小数（千分位）", "数字（可带小数）", "float", min=_D(0),
                    max=_D(1_000_000_000), plausible=_D(100_000_000), decimals=MAX_DECIMALS),
):
    TYPES[_new.name] = TYPES[_new.zh] = _new


# -- added for kit import: 「X年X月」, one year and month --------------------------------

_YEAR_MONTH = re.compile(r"^(\d{4})\s*(?:年\s*(\d{1,2})\s*月份?|[\-/.]\s*(\d{1,2}))$")


class _YearMonth(FieldType):
    """A year and month, printed 「2023年5月」: 2023年5月, 2023-5, 2023/05, 2023.5 and
    Excel date cells of a month's first day.  The year is 2000–2100, the month 1–12."""

    def parse(self, raw: Any, f: Field) -> Value:
        if isinstance(raw, _dt.datetime | _dt.date):
            # Excel stores a month typed into a date cell as its first day; any other day
            # was typed, and is not dropped silently.
            if raw.day != 1:
                raise FieldValueError("只填年和月，不填日", self.describe(f),
                                      f"「{raw.year}年{raw.month}月{raw.day}日」",
                                      did_you_mean([f"{raw.year}年{raw.month}月"]))
            y, m = raw.year, raw.month
        else:
            text = unicodedata.normalize("NFKC", str(raw)).strip()
            found = _YEAR_MONTH.match(text)
            if not found:
                day = _FULL_DATE.match(text)
                hint = did_you_mean([f"{int(day.group(1))}年{int(day.group(2))}月"]) if day \
                    else "请写成「2023年5月」这样"
                raise FieldValueError("不是年月" if not day else "只填年和月，不填日",
                                      self.describe(f), f"「{raw}」", hint)
            y, m = int(found.group(1)), int(found.group(2) or found.group(3))
        if not 1 <= m <= 12:
            raise FieldValueError("月份应在 1 到 12 之间", self.describe(f), f"「{raw}」")
        if not 2000 <= y <= 2100:
            raise FieldValueError("年份应在 2000 到 2100 之间", self.describe(f), f"「{raw}」")
        return f"{y}年{m}月"


TYPES["year_month"] = TYPES["年月"] = _YearMonth(
    "year_month", "年月", "年和月，如「2023年5月」", "text", max_len=10)
