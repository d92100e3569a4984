"""Field types accept what staff type and refuse the rest with a reason."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kit.fields import TYPES, Field, FieldValueError, chinese_number, format_value, numeral


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
