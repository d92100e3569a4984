"""Property: whatever YAML document or field value a user produces, ``params.load`` and
``params.check`` give a valid Official or a KitError whose problems name the file (and
the field where one applies) — never another exception, within a memory and CPU bound.
Likewise every field type on any value, and a template with generated placeholders,
tags and field declarations: a Report or a TemplateError naming the template.

The properties run in a child process under ``RLIMIT_AS`` and ``RLIMIT_CPU``: a
document that explodes (aliases, digits, nesting) kills or starves the child and the
test fails, without any wall-clock assertion.  That child is a slow test (a CPU budget
of 900 s); valid files, which must be accepted and read back as written (a loader that
refused everything would pass the rest), are checked in the fast run.
"""

from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
MEMORY_LIMIT = 2 * 1024**3  # bytes of address space for the child
CPU_LIMIT = 900  # CPU seconds for the child (hundreds of examples)
EXAMPLES = 250
# Kinds of problem that are about one field: those must name it.
FIELD_KINDS = {"unknown_key", "missing", "not_number", "not_integer", "not_finite",
               "out_of_range", "too_many_decimals", "too_long", "not_option", "multiline",
               "not_scalar", "unknown_role", "unsafe_char"}

_KEYS = ["角色", "姓名", "单位", "单位类别", "所属县", "省份", "年度", "排序", "专题会议", "讲党课",
         "谈心谈话", "党建覆盖率", "包抓村", "回炉党员", "其他工作", "年份", "a", "<<", "?", "-"]
_ODD = ["²", "²⁰²³", "1_000", "1e999999999", "9" * 5000, "Infinity", "-inf", ".inf", ".NaN",
        "sNaN", "NaN", "∞", "０x10", "0x1F", "0o17", "1,2,3", "１２", "12次", "⅔", "①", "٣",
        "~", "null", "yes", "no", "0123", "-0", "+5", "1.", ".5", "1e3", "五", "一百二十",
        "{{ 7*7 }}", "{% for i in range(10**9) %}", "\ue000", "\u202e", "\ufeff", "\x85",
        "!!python/object/apply:os.system ['echo']", "!!binary aGVsbG8=", "&a 1", "*a", "*b",
        "[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]", "{a: {b: {c: 1}}}", "|", ">", "'", '"',
        "\t", "2023-12-01", "2100", "1999", "100.00001", "1e-999999"]


def _scalar() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(_ODD),
        st.integers(min_value=-(10**40), max_value=10**40).map(str),
        st.decimals(allow_nan=True, allow_infinity=True).map(str),
        st.floats().map(repr),
        st.text(max_size=30),
        st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12),
        st.sampled_from(["\x00", "\x07", "\x1b", "\x7f", "\x9f", "\r", "\u2028"]),
    )


@st.composite
def _documents(draw: st.DrawFn) -> str:
    lines = []
    if draw(st.booleans()):
        lines.append("角色: " + draw(st.sampled_from(["镇党建办主任", "镇委书记", "镇长", ""])))
    for _ in range(draw(st.integers(0, 14))):
        key = draw(st.one_of(st.sampled_from(_KEYS), st.text(max_size=6)))
        value = draw(_scalar())
        indent = draw(st.sampled_from(["", "", "", "  ", "\t"]))
        lines.append(f"{indent}{key}: {value}")
    if draw(st.booleans()):  # aliases: a bomb of a random width and depth
        width, depth = draw(st.integers(1, 12)), draw(st.integers(1, 12))
        lines.append("b0: &b0 [" + ", ".join(["哈"] * width) + "]")
        lines += [f"b{i}: &b{i} [" + ", ".join([f"*b{i - 1}"] * width) + "]"
                  for i in range(1, depth)]
    if draw(st.booleans()):  # deep nesting, block or flow
        depth = draw(st.integers(1, 3000))
        lines.append("深: " + ("[" * depth + "]" * depth if draw(st.booleans())
                                else "\n".join("  " * i + f"k{i}:" for i in range(1, depth))))
    lines = draw(st.permutations(lines))
    return "\n".join(lines) + draw(st.sampled_from(["", "\n", "\r\n", "\n---\n", "\n...\n"]))


def _assert_kit_outcome(outcome: object, file: str | None) -> None:
    from kit.errors import KINDS, KitError
    from kit.report.params import Official

    if isinstance(outcome, Official):
        for key, value in outcome.values.items():
            f = outcome.template.all_fields[key]
            assert isinstance(value, int | Decimal | str)
            if f.type.numeric:
                lo, hi = f.bounds()
                assert lo <= value <= hi
        return
    assert isinstance(outcome, KitError), repr(outcome)
    assert outcome.problems
    for p in outcome.problems:
        assert p.kind in KINDS, p
        if file is not None:
            assert p.file == file, (p, file)
        if p.kind in FIELD_KINDS:
            assert p.key, p
        str(p)  # the message itself can be made


def _outcome(call: object) -> object:
    from kit.errors import KitError

    try:
        return call()  # type: ignore[operator]
    except KitError as err:
        return err


_SETTINGS = settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                     suppress_health_check=list(HealthCheck))


@_SETTINGS
@given(doc=st.one_of(_documents(), st.text(max_size=200)), raw=st.booleans(),
       junk=st.binary(max_size=40))
def property_load(doc: str, raw: bool, junk: bytes) -> None:
    import tempfile

    from kit.errors import display_path
    from kit.report.params import load

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "生成.yaml"
        data = doc.encode("utf-8", "surrogatepass") + (junk if raw else b"")
        path.write_bytes(data)
        outcome = _outcome(lambda: load(path, templates=TEMPLATES))
        _assert_kit_outcome(outcome, display_path(path))


_VALUES = st.one_of(
    _scalar(), st.integers(), st.integers(min_value=10**300, max_value=10**5000),
    st.floats(), st.decimals(), st.booleans(), st.none(),
    st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=3), st.integers(),
                                                         max_size=2),
)


@_SETTINGS
@given(role=st.sampled_from(["镇党建办主任", "镇委书记"]),
       values=st.dictionaries(st.sampled_from(_KEYS[1:]), _VALUES, max_size=16))
def property_check(role: str, values: dict) -> None:
    from kit.report.params import check

    entries = {"角色": role, "姓名": "李明", "单位": "东山镇", "所属县": "云溪县", "省份": "甘肃",
               "年度": "2023"} | values
    _assert_kit_outcome(_outcome(lambda: check(entries, templates=TEMPLATES)), "表单")


@_SETTINGS
@given(type_name=st.sampled_from(["count", "amount", "percent", "year", "short", "text",
                                  "choice"]), raw=_VALUES,
       bounds=st.tuples(st.none() | st.decimals(-10**6, 10**6, places=2),
                        st.none() | st.decimals(-10**6, 10**6, places=2)))
def property_field(type_name: str, raw: object, bounds: tuple) -> None:
    from kit.errors import KINDS
    from kit.report.fields import TYPES, Field, FieldValueError, format_value

    f = Field("k", "标签", TYPES[type_name], min=bounds[0], max=bounds[1],
              options=("甲", "乙") if type_name == "choice" else ())
    try:
        value = f.parse(raw)
    except FieldValueError as err:
        assert err.kind in KINDS and err.message and err.expected, err
        return
    lo, hi = f.bounds()
    if f.type.numeric:
        assert isinstance(value, int | Decimal) and lo <= value <= hi
    else:
        assert isinstance(value, str) and len(value) <= (f.max_len or len(value))
    assert len(format_value(value)) < 3000  # printable into the report, never a million digits


_JINJA_PARTS = ["{{", "}}", "{%", "%}", "{#", "#}", " if ", " for ", " in ", " endif ", " endfor ",
                " else ", " set ", " macro ", " endmacro ", " recursive ", "loop", "loop(x)", "x",
                "年度", "姓名", "专题会议", "range(", "100000", "10**9", ")", "(", "[", "]", "|",
                "join", "format", "center", "list", "sort", "length", "'%099999999d'", "'x'", "*",
                "**", "+", "~", "/", "//", "%", "0", "9", ".", "__class__", "mro", "lipsum",
                "namespace(", "include", "import", "extends", "'a.md'", ",", "=", "-", "\n"]
_HEADER_PARTS = ["最小: ", "最大: ", "类型: ", "标签: ", "选项: ", "最长: ", "必填: ", "公式: ",
                 "整数", "小数", "百分比", "长文本", "选项", "[甲, 乙]", "{a: 1}", "9" * 40, "-1",
                 "1e9", ".inf", "²", "{{ 年度 }}", "是", "否", "\n", "  ", ", "]


@_SETTINGS
@given(body=st.lists(st.sampled_from(_JINJA_PARTS), max_size=25).map("".join),
       header=st.lists(st.sampled_from(_HEADER_PARTS), max_size=8).map("".join),
       where=st.sampled_from(["body", "field", "derived"]))
def property_template(body: str, header: str, where: str) -> None:
    import tempfile

    from kit.errors import KINDS, KitError
    from kit.report.params import load
    from kit.report.render import render
    from kit.report.templates import load_template

    text = (TEMPLATES / "镇党建办主任.md").read_text("utf-8")
    anchor = "{{ 年度 }}年，在县委"
    if where == "body":
        text = text.replace(anchor, body + anchor, 1)
    elif where == "field":
        text = text.replace("类型: 整数, 单位: 次, 最大: 200", header, 1)
    else:
        text = text.replace("字段:\n", "派生:\n  甲: {公式: " + body.replace("\n", " ") + "}\n字段:\n", 1)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "生成.md"
        path.write_text(text, "utf-8")
        try:
            template = load_template(path)
            render(template, load(ROOT / "params" / "东山镇-镇党建办主任-李明华.yaml").values,
                   timeout=2)
        except KitError as err:
            assert err.problems and all(p.kind in KINDS for p in err.problems)
            assert all(p.file and "生成.md" in p.file for p in err.problems), err


_HAN = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5, exclude_characters="村")
_TEXT = st.text(st.one_of(_HAN, st.sampled_from("，。；：“”（）、0123456789ABCxyz")),
                min_size=1, max_size=600).map(str.strip).filter(bool)


@st.composite
def _valid(draw: st.DrawFn) -> dict:
    """Values of a 镇党建办主任's file that are all within the template's bounds."""
    values: dict = {"角色": "镇党建办主任", "姓名": draw(st.text(_HAN, min_size=2, max_size=4)),
                    "单位": draw(st.text(_HAN, min_size=1, max_size=8)) + "镇",
                    "所属县": "云溪县", "省份": "甘肃", "年度": draw(st.integers(2000, 2100)),
                    "专题会议": draw(st.integers(0, 200)), "讲党课": draw(st.integers(0, 100)),
                    "谈心谈话": draw(st.integers(0, 5000)), "回炉党员": draw(st.integers(0, 5000)),
                    "党建覆盖率": draw(st.decimals(0, 100, places=draw(st.integers(0, 2)))),
                    "包抓村": draw(st.text(_HAN, min_size=1, max_size=10))}
    if draw(st.booleans()):
        values["其他工作"] = draw(_TEXT)
    return values


@settings(_SETTINGS, max_examples=100)
@given(values=_valid(), written=st.sampled_from(["dump", "plain"]))
def test_valid_files_are_accepted_and_read_back(values: dict, written: str) -> None:
    """Valid files are accepted and read back exactly as written: the properties above
    would also hold for a loader that refused everything."""
    import tempfile

    from kit.report.params import load
    from kit.report.yamlio import dump

    text = dump(values) if written == "dump" else "".join(f"{k}: {v}\n" for k, v in values.items())
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "生成.yaml"
        path.write_text(text, "utf-8")
        outcome = _outcome(lambda: load(path, templates=TEMPLATES))
    assert not isinstance(outcome, Exception), (text, [str(p) for p in outcome.problems])  # type: ignore[attr-defined]
    got = {k: outcome.values[k] for k in values if k != "角色"}  # type: ignore[attr-defined]
    assert outcome.role == values["角色"]  # type: ignore[attr-defined]
    want = {k: v for k, v in values.items() if k != "角色"}
    # str as well: Decimal("12.50") == Decimal("12.5"), but the report prints what was typed
    assert {k: (type(v), str(v)) for k, v in got.items()} == \
        {k: (type(v), str(v)) for k, v in want.items()}


def run_properties() -> None:
    """Entry point of the child process."""
    property_load()
    property_check()
    property_field()
    property_template()
    print("properties hold")


def _limits() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_LIMIT, CPU_LIMIT))


@pytest.mark.slow  # a CPU budget of 900 s: hundreds of hostile documents
def test_params_never_raise_anything_but_kit_errors_within_bounds(tmp_path: Path) -> None:
    code = "import tests.report.test_hypothesis_params as m; m.run_properties()"
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONHASHSEED="0")
    run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env,
                         capture_output=True, text=True, preexec_fn=_limits)
    # A child killed by the CPU limit ends by a signal (negative code); one out of memory
    # raises MemoryError, which the properties do not accept.
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "properties hold" in run.stdout
