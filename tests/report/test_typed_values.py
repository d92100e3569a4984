"""What a user typed reaches the report as typed: numbers keep their decimal places
(5.0 stays 5.0), and a character the report cannot show is refused with a reason,
never dropped.  Every check reads a real rendered report (or file) back."""

from __future__ import annotations

import subprocess
import sys
import unicodedata
from pathlib import Path

import docx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kit.build.official import report_of, write_by_hand
from kit.errors import ParamsError
from kit.report.params import load
from kit.report.render import render
from kit.report.templates import RoleTemplate, load_template
from kit.report.yamlio import Entry

TEMPLATE = """---
角色: 测试
标题: "{{ 年度 }}年度述职报告（测试）"
字段:
  金额: {标签: 项目资金, 类型: 小数, 单位: 万元}
  占比: {标签: 覆盖率, 类型: 百分比, 单位: ％}
  次数: {标签: 会议次数, 类型: 整数, 单位: 次}
  村名: {标签: 包抓的村, 类型: 短文本, 单位: 村}
  情况: {标签: 其他情况, 类型: 长文本, 必填: 否}
---
完成项目资金{{ 金额 }}万元，覆盖率{{ 占比 }}％，开会{{ 次数 }}次，包抓{{ 村名 }}村。

{{ 情况 }}
"""
IDENTITY = {"姓名": "李明", "单位": "东山镇", "所属县": "云溪县", "省份": "甘肃", "年度": "2023"}
GOOD = {"金额": "12.50", "占比": "98.0", "次数": "5", "村名": "石门"}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "测试.md").write_text(TEMPLATE, "utf-8")
    (tmp_path / "params").mkdir()
    return tmp_path


def _params(folder: Path, **values: str) -> Path:
    """A parameter file as a clerk types it (values written literally, no YAML dumper)."""
    lines = ["角色: 测试", *(f"{k}: {v}" for k, v in (IDENTITY | GOOD | values).items())]
    path = folder / "params" / "李明.yaml"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def _text(folder: Path, **values: str) -> str:
    official = load(_params(folder, **values), templates=folder / "templates")
    return "\n".join(report_of(official).paragraphs())


@pytest.mark.parametrize(("typed", "printed"), [
    ("5.0", "5.0"), ("12.50", "12.50"), ("0.50", "0.50"), ("100", "100"), ("0.0", "0.0"),
    ("１２．５０", "12.50"),  # full-width digits typed with a Chinese input method
    ("1,200.50", "1200.50"),  # 千分位 is printed only by the 小数（千分位） type
    ("12.50万元", "12.50"),  # the unit the template prints anyway
])
def test_a_decimal_prints_with_the_places_typed(folder: Path, typed: str, printed: str) -> None:
    assert f"完成项目资金{printed}万元，" in _text(folder, 金额=typed)


def test_a_percentage_keeps_its_places_too(folder: Path) -> None:
    assert "覆盖率3.10％，" in _text(folder, 占比="3.10 %")


def test_the_word_file_has_the_typed_places(folder: Path) -> None:
    official = load(_params(folder, 金额="5.0", 占比="0.50"), templates=folder / "templates")
    path = write_by_hand(report_of(official), folder / "docx")
    text = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    assert "完成项目资金5.0万元，覆盖率0.50％，" in text


def test_a_count_typed_with_a_decimal_point_is_refused_with_the_count_as_hint(
        folder: Path) -> None:
    with pytest.raises(ParamsError) as err:
        _text(folder, 次数="5.0")
    [problem] = err.value.problems
    assert problem.kind == "not_integer" and problem.hint == "您是否想写「5」？"
    assert "第 9 行" in str(problem) and "会议次数" in str(problem)


def test_more_places_than_allowed_are_refused_not_rounded(folder: Path) -> None:
    with pytest.raises(ParamsError) as err:
        _text(folder, 金额="12.50000")
    [problem] = err.value.problems
    assert problem.kind == "too_many_decimals" and problem.hint == "您是否想写「12.5」？"


# -- characters the report cannot show ----------------------------------------------------

def test_a_private_use_character_is_refused_naming_it_and_the_text_without_it(
        folder: Path) -> None:
    with pytest.raises(ParamsError) as err:
        _text(folder, 村名='"石\\ue001门"')  # YAML's escape: the character itself reaches us
    [problem] = err.value.problems
    line = str(problem)
    assert problem.kind == "unsafe_char" and problem.key == "村名"
    assert "第 1 个字后有一个无法显示的字符（U+E001）" in line and "第 10 行" in line
    assert "您是否想写「石门」？" in line and "\ue001" not in line and "\n" not in line


def test_a_control_character_in_a_long_text_is_refused(folder: Path) -> None:
    with pytest.raises(ParamsError, match=r"U\+0007"):
        _text(folder, 情况='"甲乙\\a丙"')


def test_tabs_and_line_breaks_stay_ordinary(folder: Path) -> None:
    text = _text(folder, 情况='"第一行\\r\\n第二行，\\t带制表符"')
    assert "第一行第二行，\t带制表符" in text  # a long text joins its lines, as documented


def test_kit_render_prints_the_refusal_as_one_line(folder: Path) -> None:
    path = _params(folder, 村名='"石\\ue001门"')
    done = subprocess.run([sys.executable, "-m", "kit.cli", "--templates",
                           str(folder / "templates"), "render", str(path), "-o",
                           str(folder / "out")], capture_output=True, text=True,
                          cwd=folder, check=False)
    assert done.returncode == 2 and "Traceback" not in done.stderr + done.stdout
    assert "U+E001" in done.stderr + done.stdout


# -- the form and the review flags ask the same fields -------------------------------------

def _template(folder: Path) -> RoleTemplate:
    return load_template(folder / "templates" / "测试.md")


def test_the_form_shows_the_refusal_and_saves_decimals_as_typed(folder: Path) -> None:
    from kit.form.logic import check_form, params_text, preview_html

    raw = {"角色": "测试"} | IDENTITY | GOOD
    bad = check_form(_template(folder), raw | {"村名": "石\ue001门"})
    [message] = bad.errors["村名"]
    assert "U+E001" in message and "您是否想写「石门」？" in message
    good = check_form(_template(folder), raw | {"金额": "5.0"})
    assert not good.errors and "完成项目资金5.0万元" in preview_html(good)
    saved = folder / "params" / "存.yaml"
    saved.write_text(params_text(good), "utf-8")
    assert "金额: 5.0\n" in saved.read_text("utf-8")
    assert "完成项目资金5.0万元" in "".join(report_of(load(saved, folder / "templates"))
                                             .paragraphs())


def test_review_shows_typed_figures_and_still_compares_numbers(folder: Path) -> None:
    from kit.review.flags import check_all, read_previous

    last_year = folder / "params-2022"
    last_year.mkdir()
    (last_year / "李明.yaml").write_text(_params(folder, 年度="2022", 金额="10.0", 次数="3")
                                        .read_text("utf-8"), "utf-8")
    this = load(_params(folder, 金额="12.50", 次数="10"), templates=folder / "templates")
    [check] = check_all([this], read_previous(last_year))
    rows = {r.label: r for r in check.rows}
    assert (rows["项目资金"].this, rows["项目资金"].last) == ("12.50", "10.0")
    assert rows["项目资金"].change == "+2.50（+25%）"
    assert any("会议次数" in f and "3.3 倍" in f for f in check.flags)  # 10 > 3 × 3


# -- property: any decimal in bounds is printed exactly as typed --------------------------

_WIDE = str.maketrans("0123456789.", "０１２３４５６７８９．")


@st.composite
def _decimals(draw: st.DrawFn) -> str:
    whole = draw(st.integers(min_value=0, max_value=999_999_999))
    places = draw(st.text(alphabet="0123456789", max_size=4))  # 「12.」 is not a typed place
    return f"{whole}.{places}" if places else str(whole)


_TEMPLATE_CACHE: dict[str, RoleTemplate] = {}


def _cached(tmp: Path) -> RoleTemplate:
    if "t" not in _TEMPLATE_CACHE:
        (tmp / "测试.md").write_text(TEMPLATE, "utf-8")
        _TEMPLATE_CACHE["t"] = load_template(tmp / "测试.md")
    return _TEMPLATE_CACHE["t"]


@settings(max_examples=300, deadline=None)
@given(number=_decimals(), wide=st.booleans(), unit=st.booleans())
def test_property_a_decimal_in_bounds_is_printed_exactly_as_typed(
        tmp_path_factory: pytest.TempPathFactory, number: str, wide: bool, unit: bool) -> None:
    from kit.report.params import validate

    template = _cached(tmp_path_factory.mktemp("t"))
    typed = (number.translate(_WIDE) if wide else number) + ("万元" if unit else "")
    entries = {k: Entry(k, v, i) for i, (k, v) in
               enumerate((IDENTITY | GOOD | {"金额": typed}).items(), start=1)}
    values, problems, _ = validate(template, entries, file="t.yaml")
    assert problems == []
    text = "".join(render(template, values).paragraphs())
    assert f"完成项目资金{number}万元，" in text


# -- invisible and deceptive characters in parameter files --------------------------------

def _refusal(folder: Path, text: str) -> list:
    """The problems of a parameter file whose last lines are ``text`` (written as is)."""
    path = _params(folder)
    path.write_text(path.read_text("utf-8") + text, "utf-8")
    with pytest.raises(ParamsError) as err:
        load(path, templates=folder / "templates")
    return err.value.problems


@pytest.mark.parametrize(("typed", "name"), [
    ("石\u200b门", "零宽空格（U+200B）"),  # pasted from WeChat
    ("石\u202e门", "方向控制符（U+202E）"),  # would show the text reordered
    ("石\u00ad门", "软连字符（U+00AD）"),
    ("石\ufeff门", "零宽不换行空格（BOM）（U+FEFF）"),
])
def test_an_invisible_character_in_a_value_is_refused_with_the_text_without_it(
        folder: Path, typed: str, name: str) -> None:
    [problem] = _refusal(folder, f"情况: {typed}\n")
    line = str(problem)
    assert problem.kind == "unsafe_char" and problem.key == "情况" and "第 11 行" in line
    assert "第 1 个字后有一个" in line and name in line and "您是否想写「石门」？" in line
    assert typed[1] not in line and "〈U+" in line  # shown, never printed raw


def test_a_key_with_a_zero_width_space_names_it_and_suggests_the_key(folder: Path) -> None:
    path = _params(folder)
    path.write_text(path.read_text("utf-8").replace("次数:", "次\u200b数:"), "utf-8")
    with pytest.raises(ParamsError) as err:
        load(path, templates=folder / "templates")
    [problem] = err.value.problems  # not also 「缺少必填项」 for 次数
    line = str(problem)
    assert problem.kind == "unsafe_char" and problem.key == "次\u200b数"
    assert "字段「次〈U+200B〉数」：字段名里第 1 个字后有一个看不见的零宽空格（U+200B）" in line
    assert "您是否想写「次数」？" in line and "\u200b" not in line


def test_a_role_with_a_direction_control_names_it(folder: Path) -> None:
    path = _params(folder)
    path.write_text(path.read_text("utf-8").replace("角色: 测试", "角色: 测\u202e试"), "utf-8")
    with pytest.raises(ParamsError) as err:
        load(path, templates=folder / "templates")
    [problem] = err.value.problems
    assert problem.kind == "unsafe_char" and "方向控制符（U+202E）" in problem.message
    assert problem.hint == "您是否想写「测试」？" and "\u202e" not in str(problem)


@pytest.mark.parametrize(("typed", "code"), [("石\u2028门", "U+2028"), ('"石\u2029门"', "U+2029"),
                                           ('"石\x85门"', "U+0085"), ("石门\u2028", "U+2028")])
def test_a_line_break_yaml_sees_and_no_editor_shows_is_refused_at_its_line(
        folder: Path, typed: str, code: str) -> None:
    """YAML reads U+2028, U+2029 and U+0085 as line breaks: 「"石\\x85门"」 was read 「石 门」,
    a trailing U+2028 dropped, a plain one a 「缺少冒号」 one line below.  Now refused."""
    [problem] = _refusal(folder, f"情况: {typed}\n")
    assert problem.kind == "unsafe_char" and problem.key == "情况"
    assert "第 11 行" in str(problem) and "您是否想写「石门」？" in str(problem)
    assert f"（{code}）" in problem.message


def test_line_separators_from_the_form_or_a_roster_are_line_breaks(folder: Path) -> None:
    from kit.report.params import check

    values = {"角色": "测试"} | IDENTITY | GOOD
    official = check(values | {"情况": "第一段\u2028第二段\u2029第三段"}, templates=folder / "templates")
    assert "第一段第二段第三段" in "\n".join(report_of(official).paragraphs())
    with pytest.raises(ParamsError) as err:
        check(values | {"村名": "石\u2028门"}, templates=folder / "templates")
    [problem] = err.value.problems
    assert problem.kind == "multiline" and problem.message == "只能填一行"


def test_the_form_shows_a_zero_width_space_beside_its_box(folder: Path) -> None:
    from kit.form.logic import check_form

    raw = {"角色": "测试"} | IDENTITY | GOOD
    chk = check_form(_template(folder), raw | {"村名": "石\u200b门", "次数": "1\u200b2"})
    assert "零宽空格（U+200B）" in chk.errors["村名"][0] and "「石门」" in chk.errors["村名"][0]
    assert "您是否想写「12」？" in chk.errors["次数"][0]  # a number too: not 「应填阿拉伯数字」
    assert chk.raw["村名"] == "石\u200b门" and "村名" not in chk.values  # kept as typed


def test_kit_render_names_an_invisible_key_and_value_on_one_line_each(folder: Path) -> None:
    path = _params(folder, 村名="石\u200b门")
    path.write_text(path.read_text("utf-8").replace("次数:", "次\u202e数:"), "utf-8")
    done = subprocess.run([sys.executable, "-m", "kit.cli", "--templates",
                           str(folder / "templates"), "render", str(path), "-o",
                           str(folder / "out")], capture_output=True, text=True,
                          cwd=folder, check=False)
    shown = done.stderr + done.stdout
    assert done.returncode == 2 and "Traceback" not in shown
    assert "零宽空格（U+200B）" in shown and "方向控制符（U+202E）" in shown
    assert "\u200b" not in shown and "\u202e" not in shown


# -- property: typed text reaches the report unchanged, or is refused naming why -----------

def _hidden(char: str) -> bool:
    """The brief's own statement of what is refused (not kit's code): control characters
    but tab/CR/LF, format, private use, surrogates, unassigned; Hangul fillers."""
    return (unicodedata.category(char) in {"Cc", "Cf", "Co", "Cs", "Cn"}
            and char not in "\t\n\r") or char in "\u115f\u1160\u3164\uffa0"


_ORDINARY = st.one_of(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
                      st.sampled_from("，。、；：“”（）《》—…党建2023ABC"))
_INVISIBLE = st.one_of(
    st.sampled_from("\x00\x07\x1b\x7f\x80\x85\x9f\u00ad\u061c\u180e\u200b\u200c\u200d\u200e"
                    "\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2066\u2067\u2068\u2069"
                    "\ufeff\ufff9\ue000\ue001\uf8ff\ufffe\uffff\ud800\udfff\u0378\u3164\u115f"),
    st.sampled_from(["\U000f0000", "\U0010fffd", "\U000e0001", "\U000e0041", "\U0001fffe"]),
    st.characters(categories=["Cc", "Cf", "Co", "Cs", "Cn"], exclude_characters="\t\n\r"),
)


@settings(max_examples=300, deadline=None)
@given(parts=st.lists(st.one_of(_ORDINARY, _ORDINARY, _INVISIBLE), min_size=1, max_size=20),
       key=st.sampled_from(["村名", "情况"]))
def test_property_typed_text_is_printed_unchanged_or_refused_naming_the_first_hidden_char(
        tmp_path_factory: pytest.TempPathFactory, parts: list[str], key: str) -> None:
    from kit.report.params import validate

    template = _cached(tmp_path_factory.mktemp("t"))
    typed = "".join(parts)
    entries = {k: Entry(k, v, i) for i, (k, v) in
               enumerate((IDENTITY | GOOD | {key: typed}).items(), start=1)}
    values, problems, _ = validate(template, entries, file="t.yaml")
    hidden = [c for c in typed if _hidden(c)]
    if not hidden:
        assert problems == []
        assert typed in "".join(render(template, values).paragraphs())  # as typed
        return
    [problem] = problems
    first = hidden[0]
    assert problem.kind == "unsafe_char" and problem.key == key
    assert f"（U+{ord(first):04X}）" in problem.message  # the first one is named
    assert typed.index(first) == 0 or f"第 {typed.index(first)} 个字后" in problem.message
    assert not any(_hidden(c) for c in str(problem))  # nothing invisible on screen
    clean = "".join(c for c in typed if not _hidden(c))
    if clean and len(clean) <= 30:
        assert problem.hint is not None and problem.hint.endswith(f"您是否想写「{clean}」？")
