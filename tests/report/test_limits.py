"""Bounded input: every hostile parameter file or template is one Chinese message naming
the file (and line, field), never a traceback, a hang or a silently changed value."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
from decimal import Decimal
from pathlib import Path

import pytest

from kit.errors import KitError, ParamsError, TemplateError
from kit.report.fields import MAX_NUMBER_CHARS, TYPES, Field, FieldValueError
from kit.report.params import check, load, read_entries
from kit.report.render import render
from kit.report.templates import load_template
from kit.report.yamlio import MAX_PARAMS_BYTES
from tests.conftest import ROOT
from tests.fixtures.hostile import (
    PARAMS_BAD,
    PARAMS_CASES,
    TEMPLATE_ANCHOR,
    TEMPLATE_CASES,
    TEMPLATE_LOAD_CASES,
    many_wrong_lines,
    million_digits,
    special_files,
)

GOOD_TEMPLATE = (ROOT / "templates" / "镇党建办主任.md").read_text("utf-8")
SAMPLE = ROOT / "params" / "东山镇-镇党建办主任-李明华.yaml"
# English a user could read: a word of three or more Latin letters outside 「…」 quotes
# (which echo what the user typed) and outside these names of things.
_ALLOWED = {"YAML", "UTF", "GBK", "ANSI", "Tab", "FIFO", "Word", "WPS", "Excel", "range",
            "import", "include", "extends", "NaN", "kit", "endif", "endfor", "elif", "else",
            "for", "set", "Ctrl"}


def assert_chinese(message: str, file: str | None = None) -> None:
    text = message.replace(file, "") if file else message
    text = re.sub(r"「[^」]*」", "", text)
    words = set(re.findall(r"[A-Za-z]{3,}", text)) - _ALLOWED
    assert not words, f"English in a message: {words} in {message}"


@pytest.mark.parametrize("name", sorted(PARAMS_CASES))
def test_hostile_parameter_file_is_one_chinese_message(name: str) -> None:
    words, line = PARAMS_CASES[name]
    with pytest.raises(ParamsError) as info:
        load(PARAMS_BAD / name)
    message = str(info.value)
    assert name in message
    for word in words:
        assert word in message, message
    if line is not None:
        assert any(p.line == line for p in info.value.problems), message
    assert_chinese(message, str(info.value.file))


def test_a_file_of_thousands_of_mistakes_lists_the_first_ones(tmp_path: Path) -> None:
    path = tmp_path / "很多错.yaml"
    path.write_text(many_wrong_lines(), "utf-8")
    with pytest.raises(ParamsError) as info:
        load(path)
    problems = info.value.problems
    assert len(problems) == 51 and "另有" in problems[-1].message
    assert problems[0].key == "长" * 1000 and len(str(problems[0])) < 300


def test_alias_bomb_stops_while_composing() -> None:
    with pytest.raises(ParamsError) as info:
        read_entries(PARAMS_BAD / "billion_laughs.yaml")
    assert info.value.problems[0].kind == "limit"


def test_expanded_aliases_are_bounded_even_under_the_alias_limit(tmp_path: Path) -> None:
    # 12 aliases, each doubling: 4096 leaves... of 4096-long lists → refused by expansion.
    lines = ["a: &a [哈, 哈, 哈, 哈, 哈, 哈, 哈, 哈, 哈, 哈, 哈, 哈, 哈, 哈, 哈, 哈]"]
    for i in range(1, 12):
        lines.append(f"a{i}: &a{i} [*{'a' if i == 1 else f'a{i - 1}'}, "
                     f"*{'a' if i == 1 else f'a{i - 1}'}]")
    path = tmp_path / "展开.yaml"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    with pytest.raises(ParamsError, match="展开后太多"):
        read_entries(path)


def test_special_files_are_refused_without_blocking(tmp_path: Path) -> None:
    files = special_files(tmp_path / "params", MAX_PARAMS_BYTES)
    # In a child process: a regression that blocks on the pipe fails here instead of hanging.
    code = ("import sys\nfrom kit.report.params import load\nfrom kit.errors import ParamsError\n"
            "for p in sys.argv[1:]:\n"
            "    try:\n        load(p)\n    except ParamsError as e:\n        print(e)\n"
            "    else:\n        print('LOADED', p)\n")
    run = subprocess.run([sys.executable, "-c", code, *(str(p) for p, _ in files.values())],
                         capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.strip().split("\n")
    assert len(lines) == len(files)
    for line, (path, word) in zip(lines, files.values(), strict=True):
        assert path.name in line and word in line, line
        assert_chinese(line, str(path))


def test_a_million_digits_are_refused_before_any_arithmetic() -> None:
    official = {k: e.value for k, e in read_entries(SAMPLE).items()}
    for key in ("专题会议", "党建覆盖率"):
        with pytest.raises(ParamsError) as info:
            check(official | {key: million_digits()}, file="表单")
        problem = info.value.problems[0]
        assert problem.key == key and problem.kind == "limit"
        assert "数字太长" in str(problem) and len(str(problem)) < 300
    big = 10**5000 - 1  # beyond Python's int-to-string limit
    with pytest.raises(FieldValueError, match="数字太长"):
        Field("k", "标签", TYPES["count"]).parse(big)


@pytest.mark.parametrize("raw", [float("inf"), float("nan"), Decimal("Infinity"), Decimal("sNaN"),
                                 "Infinity", "-inf", "NaN", "∞", ".NaN"])
def test_non_finite_values_are_refused(raw: object) -> None:
    for type_ in ("count", "amount", "percent"):
        with pytest.raises(FieldValueError) as info:
            Field("k", "标签", TYPES[type_]).parse(raw)
        assert info.value.kind == "not_finite"


def test_every_numeric_type_has_an_upper_bound_and_warns_when_implausible() -> None:
    for t in {t.name: t for t in TYPES.values()}.values():
        f = Field("k", "标签", t)
        assert (f.bounds()[1] is not None) == t.numeric
    count = Field("k", "活动次数", TYPES["count"])
    assert count.parse("1000000") == 1_000_000
    with pytest.raises(FieldValueError, match="不能大于 1000000"):
        count.parse("1000001")
    [notice] = count.warnings(count.parse("500000"))
    assert notice.kind == "implausible" and notice.key == "k" and "请核对" in notice
    assert count.warnings(count.parse("5000")) == []
    bounded = Field("k", "活动次数", TYPES["count"], max=Decimal(10**7))
    assert bounded.parse("5000000") == 5_000_000 and bounded.warnings(5_000_000) == []
    amount = Field("k", "资金", TYPES["amount"])
    assert amount.parse("12.3456") == Decimal("12.3456")
    with pytest.raises(FieldValueError, match="小数位太多"):
        amount.parse("12.34567")
    with pytest.raises(FieldValueError, match="小数位太多") as err:  # printed as typed: 5 places
        amount.parse("12.50000")
    assert err.value.hint == "您是否想写「12.5」？"


def test_implausible_value_is_a_warning_in_the_checked_official(tmp_path: Path) -> None:
    text = (ROOT / "params" / "东山镇-镇委书记-王建国.yaml").read_text("utf-8")
    path = tmp_path / "大数.yaml"
    path.write_text(text.replace("清理空壳社: 12", "清理空壳社: 200000"), "utf-8")
    official = load(path)
    assert official.values["清理空壳社"] == 200000  # kept as typed, not clamped
    [warning] = [w for w in official.warnings if w.kind == "implausible"]
    assert warning.key == "清理空壳社" and "200000" in warning


def _template(tmp_path: Path, name: str, new: str, old: str = TEMPLATE_ANCHOR) -> Path:
    assert old in GOOD_TEMPLATE
    path = tmp_path / f"{name}.md"
    path.write_text(GOOD_TEMPLATE.replace(old, new + old, 1), "utf-8")
    return path


def _anchor_line() -> int:
    return GOOD_TEMPLATE[: GOOD_TEMPLATE.index(TEMPLATE_ANCHOR)].count("\n") + 1


@pytest.mark.parametrize("name", sorted(TEMPLATE_CASES))
def test_hostile_template_stops_with_a_chinese_message(tmp_path: Path, name: str) -> None:
    new, words = TEMPLATE_CASES[name]
    template = load_template(_template(tmp_path, name, new))
    # Only the time-limit case relies on time; the others must stop on their own limit.
    timeout = 0.5 if any("时限" in w for w in words) else 600
    with pytest.raises(TemplateError) as info:
        render(template, load(SAMPLE).values, timeout=timeout)
    message = str(info.value)
    assert f"{name}.md" in message and "模板无法生成正文" in message
    if name != "nested_output":  # stopped by the output size, outside any one line
        assert f"第 {_anchor_line()} 行" in message, message
    for word in words:
        assert word in message, message
    assert_chinese(message, str(info.value.file))


GROWING = ("expandtabs", "replace_grows", "indent_grows", "str_join", "concat_grows")
_SMALL_MEMORY = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))  # 1 GB: 2,000 million chars fail
from kit.errors import TemplateError
from kit.report.params import load
from kit.report.render import render
from kit.report.templates import load_template
try:
    render(load_template(sys.argv[1]), load(sys.argv[2]).values, timeout=600)
except TemplateError as err:
    print(err)
"""


@pytest.mark.parametrize("name", GROWING)
def test_growing_results_are_refused_before_they_allocate(tmp_path: Path, name: str) -> None:
    path = _template(tmp_path, name, TEMPLATE_CASES[name][0])
    run = subprocess.run([sys.executable, "-c", _SMALL_MEMORY, str(path), str(SAMPLE)],
                         capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert run.returncode == 0 and "MemoryError" not in run.stderr, run.stderr[-500:]
    assert "太长" in run.stdout, run.stdout


def test_time_limit_holds_outside_the_main_thread(tmp_path: Path) -> None:
    """The form renders in a thread, where no alarm signal can help: every loop checks."""
    template = load_template(_template(tmp_path, "线程", TEMPLATE_CASES["string_loops"][0]))
    outcome: list[BaseException] = []

    def run() -> None:
        try:
            render(template, load(SAMPLE).values, timeout=0.5)
        except BaseException as err:  # noqa: BLE001  # examined below
            outcome.append(err)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert isinstance(outcome[0], TemplateError) and "时限（0.5 秒）" in str(outcome[0])


@pytest.mark.parametrize("name", sorted(TEMPLATE_LOAD_CASES))
def test_hostile_template_is_refused_at_load_with_its_line(tmp_path: Path, name: str) -> None:
    new, words = TEMPLATE_LOAD_CASES[name]
    with pytest.raises(TemplateError) as info:
        load_template(_template(tmp_path, name, new))
    message = str(info.value)
    assert f"第 {_anchor_line()} 行" in message, message
    for word in words:
        assert word in message, message
    assert_chinese(message, str(info.value.file))


def test_template_with_min_above_max_is_refused_with_its_line(tmp_path: Path) -> None:
    old = "专题会议: {标签: 主持召开党建工作专题会议, 类型: 整数, 单位: 次, 最大: 200"
    path = tmp_path / "t.md"
    path.write_text(GOOD_TEMPLATE.replace(old, old.replace("最大: 200", "最小: 300, 最大: 200")),
                    "utf-8")
    with pytest.raises(TemplateError) as info:
        load_template(path)
    line = GOOD_TEMPLATE[: GOOD_TEMPLATE.index(old)].count("\n") + 1
    assert "「最小」大于「最大」" in str(info.value) and f"第 {line} 行" in str(info.value)
    assert "t.md" in str(info.value)


def test_template_min_above_the_type_default_max_is_refused(tmp_path: Path) -> None:
    old = "专题会议: {标签: 主持召开党建工作专题会议, 类型: 整数, 单位: 次, 最大: 200"
    path = tmp_path / "t.md"
    path.write_text(GOOD_TEMPLATE.replace(old, old.replace("最大: 200", "最小: 2000000")), "utf-8")
    with pytest.raises(TemplateError, match="最小 2000000，最大 1000000（类型的默认值）"):
        load_template(path)


def test_template_bounds_are_read_with_the_same_limits(tmp_path: Path) -> None:
    old = "最大: 200"
    path = tmp_path / "t.md"
    path.write_text(GOOD_TEMPLATE.replace(old, "最大: 1e999999", 1), "utf-8")
    with pytest.raises(TemplateError, match="「最大」请直接写出数字"):
        load_template(path)


def test_hostile_template_file_is_refused_like_a_parameter_file(tmp_path: Path) -> None:
    files = special_files(tmp_path / "templates", 1024 * 1024)
    for path, word in (files["symlink_loop"], files["dev_zero"], files["too_big"]):
        with pytest.raises(TemplateError) as info:
            load_template(path)
        assert word in str(info.value) and path.name in str(info.value)


def test_numbers_are_read_as_typed_never_reinterpreted() -> None:
    count = Field("k", "标签", TYPES["count"])
    for raw, meant in (("²", "2"), ("²⁰²³", "2023"), ("1_000", "1000"), ("①", "1")):
        with pytest.raises(FieldValueError) as info:
            count.parse(raw)
        assert info.value.hint == f"您是否想写「{meant}」？"
    assert count.parse("１２") == 12  # full-width digits from a Chinese input method are digits
    with pytest.raises(FieldValueError, match="科学计数法"):
        count.parse("1e3")
    assert len("9" * (MAX_NUMBER_CHARS + 1)) > MAX_NUMBER_CHARS
    with pytest.raises(FieldValueError, match="数字太长"):
        Field("k", "标签", TYPES["amount"], max=Decimal("1e40")).parse("9" * (MAX_NUMBER_CHARS + 1))


def test_every_bad_fixture_is_refused_with_a_kit_error() -> None:
    loaded = []
    for path in sorted(PARAMS_BAD.iterdir()):
        try:
            load(path)
        except KitError as err:
            assert path.name in str(err)
        else:
            loaded.append(path.name)
    assert loaded == ["jinja_value.yaml"]  # template syntax in a value is data, not an error


def test_render_takes_a_half_filled_year_without_crashing() -> None:
    """The form previews what was typed so far: 「²⁰²³」 is not a year, not a crash."""
    official = load(SAMPLE)
    report = render(official.template, official.values | {"年度": "²⁰²³"})
    assert report.year == 0 and report.title.startswith("²⁰²³")
