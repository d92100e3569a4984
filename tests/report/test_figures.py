"""A figure a clerk types is read exactly as meant, or refused — never another number.

Thousands separators are accepted only in groups of exactly three digits left of the
point; a European 「1.234,5」 would be 1.2345 and 「1,23,4」 1234, so both are refused.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kit.errors import ParamsError
from kit.form.logic import check_form
from kit.report.fields import TYPES, Field, FieldValueError, format_value
from kit.report.params import load, read_entries
from kit.report.templates import load_roles

AMOUNT = Field(key="资金", label="争取资金", type=TYPES["amount"], unit="万元")
COUNT = Field(key="会议", label="专题会议", type=TYPES["count"], unit="次")
# What a Chinese input method types for digits, point and comma.
FULL_WIDTH = str.maketrans("0123456789.,", "０１２３４５６７８９．，")

# An amount as typed: up to 1e9 (the type's bound), 0 to 4 decimal places.
amounts = st.builds(lambda whole, frac, n: Decimal(f"{whole}.{frac:0{n}d}") if n
                    else Decimal(whole),
                    st.integers(0, 999_999_999), st.integers(0, 9999), st.integers(0, 4))


def _grouped(text: str) -> str:
    """「1234567.5」 written with separators by hand: 「1,234,567.5」."""
    whole, point, frac = text.partition(".")
    groups = []
    while len(whole) > 3:
        whole, groups = whole[:-3], [whole[-3:], *groups]
    return ",".join([whole, *groups]) + point + frac


@given(amounts, st.booleans(), st.booleans(), st.sampled_from(["", "万元", " 万元"]))
def test_a_well_formed_figure_reads_back_as_typed(number: Decimal, grouped: bool, wide: bool,
                                                  unit: str) -> None:
    plain = format(number, "f")
    typed = _grouped(plain) if grouped else plain
    typed = (typed.translate(FULL_WIDTH) if wide else typed) + unit
    value = AMOUNT.parse(typed)
    assert value == number
    assert format_value(value) == plain  # the typed decimal places too


@given(st.integers(0, 1_000_000), st.booleans())
def test_a_well_formed_count_reads_back(number: int, wide: bool) -> None:
    typed = _grouped(str(number))
    assert COUNT.parse((typed.translate(FULL_WIDTH) if wide else typed) + "次") == number


def _digits(size: int) -> st.SearchStrategy[str]:
    return st.text("0123456789", min_size=size, max_size=size)


@st.composite
def misgrouped(draw: st.DrawFn) -> str:
    """Digits joined by commas where at least one group right of the first is not three
    digits long: 「1,23,4」 「1,2,3,4」 「12,34」 「1,2345」."""
    first = draw(st.integers(1, 3).flatmap(_digits))
    sizes = draw(st.lists(st.integers(1, 5), min_size=1, max_size=4))
    if all(s == 3 for s in sizes):
        sizes[draw(st.integers(0, len(sizes) - 1))] = draw(st.sampled_from([1, 2, 4, 5]))
    text = ",".join([first] + [draw(_digits(s)) for s in sizes])
    if draw(st.booleans()):
        text += "." + draw(st.integers(1, 3).flatmap(_digits))
    return text


@given(misgrouped(), st.booleans())
def test_a_misgrouped_figure_is_refused(typed: str, wide: bool) -> None:
    for field in (AMOUNT, COUNT):
        with pytest.raises(FieldValueError) as err:
            field.parse(typed.translate(FULL_WIDTH) if wide else typed)
        assert err.value.kind == "not_number"


@given(st.integers(1000, 999_999_999), st.integers(1, 9999))
def test_european_notation_is_refused_with_the_figure_meant(whole: int, frac: int) -> None:
    meant = f"{whole}.{frac}"
    european = _grouped(str(whole)).replace(",", ".") + f",{frac}"  # 「1.234,5」
    with pytest.raises(FieldValueError) as err:
        AMOUNT.parse(european)
    assert err.value.hint is not None and f"「{meant}」" in err.value.hint


@given(st.integers(0, 999), st.integers(0, 999), st.integers(0, 999))
def test_a_comma_after_the_point_is_refused(a: int, b: int, c: int) -> None:
    with pytest.raises(FieldValueError):
        AMOUNT.parse(f"{a}.{b},{c}")


@pytest.mark.parametrize(("typed", "hint"), [
    ("1.234,5", "您是否想写「1234.5」？"), ("1,23,4", "每三位"), ("1,2,3,4", "每三位"),
    ("12,34", "每三位"), ("0,123", "每三位"), ("1,234,5", "每三位"), (",123", "每三位"),
    ("1.5,3", "小数点请用「.」")])
def test_the_issue_examples(typed: str, hint: str) -> None:
    with pytest.raises(FieldValueError) as err:
        AMOUNT.parse(typed)
    assert hint in (err.value.hint or "")


@pytest.mark.parametrize(("typed", "value"), [("1,234.5", Decimal("1234.5")),
                                              ("１，２３４．５万元", Decimal("1234.5")),
                                              ("12,345,678", Decimal(12345678))])
def test_the_issue_examples_accepted(typed: str, value: Decimal) -> None:
    assert AMOUNT.parse(typed) == value


ROOT = Path(__file__).resolve().parents[2]
WANG = ROOT / "params" / "东山镇-镇委书记-王建国.yaml"


@pytest.mark.parametrize(("typed", "said"), [("1.234,5", "您是否想写「1234.5」？"),
                                             ("1,23,4", "每三位"), ("1,2,3,4", "每三位")])
def test_a_parameter_file_names_file_line_field_and_hint(tmp_path: Path, typed: str,
                                                         said: str) -> None:
    path = tmp_path / WANG.name
    path.write_text(WANG.read_text("utf-8").replace("合作社资金: 860", f"合作社资金: {typed}"),
                    "utf-8")
    with pytest.raises(ParamsError) as err:
        load(path, templates=ROOT / "templates")
    (problem,) = err.value.problems
    line = path.read_text("utf-8").splitlines().index(f"合作社资金: {typed}") + 1
    assert (problem.key, problem.line, problem.found) == ("合作社资金", line, f"「{typed}」")
    assert said in str(problem) and path.name in str(problem)


def test_the_form_shows_no_tick_for_a_misread_figure() -> None:
    template = load_roles(ROOT / "templates")["镇委书记"]
    raw = {k: e.value for k, e in read_entries(WANG).items() if k != "角色"}
    for typed in ("1.234,5", "1,23,4", "1,2,3,4"):
        check = check_form(template, raw | {"合作社资金": typed})
        assert not check.ok and "合作社资金" in check.errors, typed
    assert check_form(template, raw | {"合作社资金": "1,234.5"}).values["合作社资金"] \
        == Decimal("1234.5")
