"""The field types kit import writes: 日期, 年月, 增长率, 整数/小数（千分位）."""

from __future__ import annotations

import contextlib
import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kit.report.fields import TYPES, Field, FieldValueError, format_value


def field(type_zh: str, sample: str = "x") -> Field:
    return Field("k", "标签", TYPES[type_zh], sample=sample)


@pytest.mark.parametrize("raw", ["5月8日", "5-8", "05/08", "５月８日", dt.datetime(2024, 5, 8)])
def test_month_day(raw):
    assert field("日期", "X月X日").parse(raw) == "5月8日"


@pytest.mark.parametrize("raw", ["2023年5月8日", "2023-05-08", "2023/5/8", dt.date(2023, 5, 8)])
def test_full_date(raw):
    assert field("日期", "XXXX年X月X日").parse(raw) == "2023年5月8日"


def test_dates_refused_with_a_hint():
    with pytest.raises(FieldValueError) as err:
        field("日期", "X月X日").parse("2023-5-8")
    assert err.value.hint == "您是否想写「5月8日」？"  # the year is the report's, not typed
    for bad, why in (("2月30日", "没有这一天"), ("13月1日", "没有这一天"), ("五月八日", "不是日期"),
                     ("明天", "不是日期")):
        with pytest.raises(FieldValueError) as err:
            field("日期", "X月X日").parse(bad)
        assert (err.value.message, err.value.found) == (why, f"「{bad}」")
    with pytest.raises(FieldValueError) as err:
        field("日期", "XXXX年X月X日").parse("5月8日")  # which year? not guessed
    assert err.value.message == "不是日期" and "2023年5月8日" in err.value.expected


@pytest.mark.parametrize("raw", ["2023年5月", "2023-5", "2023/05", "２０２３年５月", "2023.5",
                                 dt.date(2023, 5, 1)])
def test_year_month(raw):
    assert field("年月", "X年X月").parse(raw) == "2023年5月"


def test_year_month_refused_with_a_reason():
    for bad, why in (("2023年13月", "月份"), ("1999年5月", "年份"), ("5月", "不是年月"),
                     ("2023年5月8日", "不填日"), (dt.date(2023, 5, 8), "不填日"), ("2023", "不是年月")):
        with pytest.raises(FieldValueError) as err:
            field("年月", "X年X月").parse(bad)
        assert why in err.value.message, (bad, err.value.message)


def test_rate_is_signed_and_may_pass_100_share_may_not():
    rate, share = field("增长率"), field("百分比")
    assert rate.parse("-3.5") == Decimal("-3.5") and rate.parse("120") == 120
    with pytest.raises(FieldValueError) as err:
        share.parse("120")
    assert err.value.kind == "out_of_range" and err.value.message == "不能大于 100"
    with pytest.raises(FieldValueError) as err:
        rate.parse("5000")  # bounded like every number
    assert err.value.kind == "out_of_range" and err.value.message == "不能大于 1000"


def test_grouped_numbers_print_with_separators():
    assert format_value(field("整数（千分位）").parse("3456")) == "3,456"
    assert format_value(field("整数（千分位）").parse("3,456")) == "3,456"
    assert format_value(field("小数（千分位）").parse("1234567.25")) == "1,234,567.25"
    assert format_value(field("小数（千分位）").parse(12)) == "12"
    with pytest.raises(FieldValueError) as err:
        field("整数（千分位）").parse("3456.5")
    assert err.value.kind == "not_integer" and err.value.found == "3456.5"


@given(st.one_of(st.text(max_size=20), st.integers(), st.floats(allow_nan=True),
                 st.dates(min_value=dt.date(1, 1, 1))))
def test_new_types_take_anything_or_say_why(raw):
    for type_zh, sample in (("日期", "X月X日"), ("日期", "XXXX年X月X日"), ("增长率", "x"),
                            ("整数（千分位）", "X,XXX"), ("小数（千分位）", "X,XXX.X"),
                            ("年月", "X年X月")):
        with contextlib.suppress(FieldValueError):
            field(type_zh, sample).parse(raw)
