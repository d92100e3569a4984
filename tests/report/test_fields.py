"""Field types accept what staff type and refuse the rest with a reason."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kit.report.fields import TYPES, Field, FieldValueError, chinese_number, format_value, numeral


def _f(type_: str, **kw: object) -> Field:
    return Field(key="k", label="标签", type=TYPES[type_], **kw)


@pytest.mark.parametrize(("raw", "value"), [("12", 12), ("１２", 12), ("12次", 12), (" 7 ", 7),
                                            (3, 3), ("1,200", 1200)])
def test_count_accepts(raw: object, value: int) -> None:
    assert _f("count", unit="次").parse(raw) == value


@pytest.mark.parametrize(("raw", "message"), [("五", "阿拉伯数字"), ("-3", "负数"), ("1.5", "整数"),
                                              ("", "阿拉伯数字"), (True, "数字")])
def test_count_refuses(raw: object, message: str) -> None:
    with pytest.raises(FieldValueError, match=message):
        _f("count").parse(raw)


def test_percent_bounds_and_sign() -> None:
    f = _f("percent", unit="％")
    assert f.parse("98.5%") == Decimal("98.5") and f.parse("100％") == 100
    with pytest.raises(FieldValueError, match="不能大于 100"):
        f.parse("120")


def test_amount_prints_as_typed_without_exponent() -> None:
    f = _f("amount", unit="万元")
    assert format_value(f.parse("100")) == "100"
    assert format_value(f.parse("12.50")) == "12.50"  # the typed places are kept
    assert format_value(f.parse(0.1)) == "0.1"


def test_short_text_drops_the_unit_the_template_prints() -> None:
    assert _f("short", unit="村").parse("石门村") == "石门"
    with pytest.raises(FieldValueError, match="一行"):
        _f("short").parse("两\n行")


def test_text_refuses_marker_and_control_characters_instead_of_dropping_them() -> None:
    with pytest.raises(FieldValueError) as err:
        _f("text").parse("甲\ue000乙\x07\n丙")
    assert err.value.kind == "unsafe_char" and "U+E000" in err.value.message


def test_chinese_numerals() -> None:
    assert [chinese_number(t) for t in ("五", "十二", "一百二十", "两万")] == [5, 12, 120, 20000]
    assert [numeral(n) for n in (1, 10, 12, 21)] == ["一", "十", "十二", "二十一"]


# -- invisible and deceptive characters ----------------------------------------------------
# Pasted from web pages and WeChat they cannot be seen; each is refused naming it, with the
# text without it as the hint, never stripped.  U+2028/U+2029 are line breaks, as \n is.

@pytest.mark.parametrize(("char", "name"), [
    ("\u200b", "零宽空格"), ("\u200c", "零宽不连字符"), ("\u200d", "零宽连字符"),
    ("\u2060", "零宽连接符"), ("\ufeff", "零宽不换行空格（BOM）"), ("\u00ad", "软连字符"),
    ("\u202e", "方向控制符"), ("\u202a", "方向控制符"), ("\u2066", "方向控制符"),
    ("\u2069", "方向控制符"), ("\u200e", "方向控制符"), ("\u200f", "方向控制符"),
    ("\u061c", "方向控制符"), ("\x80", "控制字符"), ("\x85", "控制字符"), ("\x9f", "控制字符"),
    ("\ufffe", "非字符"), ("\uffff", "非字符"), ("\U0001fffe", "非字符"),
    ("\u0378", "未收录字符"), ("\ud800", "半个字符"), ("\U000f0000", "无法显示的字符"),
    ("\U000e0041", "格式字符"), ("\u3164", "空白字符"),
])
@pytest.mark.parametrize("type_", ["short", "text", "choice", "count", "amount", "date"])
def test_an_invisible_character_is_refused_in_every_type_naming_it(
        char: str, name: str, type_: str) -> None:
    f = _f(type_, options=("石门",)) if type_ == "choice" else _f(type_)
    typed = {"count": "12", "amount": "12", "date": "5月8日"}.get(type_, "石门")
    with pytest.raises(FieldValueError) as err:
        f.parse(typed[0] + char + typed[1:])
    assert err.value.kind == "unsafe_char"
    assert "第 1 个字后有一个" in err.value.message and name in err.value.message
    assert f"（U+{ord(char):04X}）" in err.value.message
    assert err.value.found == f"「{typed[0]}〈U+{ord(char):04X}〉{typed[1:]}」"
    assert err.value.hint is not None and err.value.hint.endswith(f"您是否想写「{typed}」？")


def test_the_first_invisible_character_is_named_and_all_are_counted() -> None:
    with pytest.raises(FieldValueError) as err:
        _f("text").parse("\u202e第一\u200b段\ufeff")
    assert err.value.message == "开头有一个会打乱文字显示顺序的方向控制符（U+202E），共 3 个"
    assert err.value.hint is not None and "您是否想写「第一段」？" in err.value.hint


@pytest.mark.parametrize("sep", ["\u2028", "\u2029", "\r", "\r\n", "\n"])
def test_unicode_line_separators_are_line_breaks_like_newline(sep: str) -> None:
    assert _f("text").parse(f"第一行{sep}第二行") == "第一行第二行"  # a long text joins its lines
    with pytest.raises(FieldValueError) as err:
        _f("short").parse(f"石门{sep}村")
    assert err.value.kind == "multiline" and err.value.message == "只能填一行"


def test_ordinary_spaces_and_variation_selectors_are_not_refused() -> None:
    # The ideographic space, a no-break space, an emoji with its variation selector: visible.
    assert _f("text").parse("抓党建\u3000促发展\u00a0❤\ufe0f") == "抓党建\u3000促发展\u00a0❤\ufe0f"
