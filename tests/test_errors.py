"""Problems and warnings carry structured facts; the display is made in one place;
suggestions prefer what the user most likely meant; OS errors read in Chinese."""

from __future__ import annotations

import errno
import pickle
from pathlib import Path

import pytest

from kit import errors
from kit.errors import Notice, ParamsError, Problem, closest, field_display, os_reason, suggest
from kit.report.fields import IDENTITY, TYPES
from kit.report.numbering import H1, H2, ITEM, LEADING, heading1, heading2, item_mark, numeral
from kit.report.params import load
from kit.report.templates import load_roles
from tests.conftest import ROOT
from tests.fixtures.hostile import PARAMS_BAD


def test_problem_display_is_made_from_key_and_label() -> None:
    p = Problem("缺少必填项", key="讲党课", label="为村级党员带头讲党课", kind="missing")
    assert p.field == "讲党课（为村级党员带头讲党课）" == field_display("讲党课", "为村级党员带头讲党课")
    assert Problem("x", key="年度", label="年度").field == "年度"
    # A label that starts with its key says it all: never 「所属县（所属县（区））」.
    assert Problem("x", key="所属县", label="所属县（区）").field == "所属县（区）"
    assert Problem("x", field="--year").field == "--year" and Problem("x").field is None


def test_params_problems_are_structured() -> None:
    with pytest.raises(ParamsError) as info:
        load(PARAMS_BAD / "missing_field.yaml")
    [p] = info.value.problems
    assert (p.key, p.label, p.kind) == ("专题会议", "主持召开党建工作专题会议", "missing")
    with pytest.raises(ParamsError) as info:
        load(PARAMS_BAD / "year_typo.yaml")
    kinds = {p.kind: p for p in info.value.problems}
    assert kinds["unknown_key"].key == "年份" and "年度" in kinds["unknown_key"].hint
    with pytest.raises(ParamsError) as info:
        load(PARAMS_BAD / "negative.yaml")
    [p] = info.value.problems
    assert (p.key, p.kind, p.line) == ("专题会议", "out_of_range", 7)


def test_warnings_are_structured_strings() -> None:
    n = Notice("「甲」未填写", key="甲", label="甲标签", kind="unfilled")
    assert n == "「甲」未填写" and n.key == "甲" and n.kind == "unfilled"
    again = pickle.loads(pickle.dumps(n))  # warnings cross process boundaries in the batch
    assert (again, again.key, again.label, again.kind) == (n, "甲", "甲标签", "unfilled")


@pytest.mark.parametrize(("word", "choices", "meant"), [
    ("年份", ["姓名", "单位", "省份", "年度", "所属县"], "年度"),
    ("会议", ["专题会议", "讲党课"], "专题会议"),
    ("镇党建办主仁", ["镇党建办主任", "镇委书记"], "镇党建办主任"),
    ("专题会义", ["专题会议", "讲党课"], "专题会议"),
])
def test_suggestions_prefer_what_was_meant(word: str, choices: list[str], meant: str) -> None:
    assert closest(word, choices)[0] == meant
    assert suggest(word, choices) == f"您是否想写「{meant}」？"
    assert suggest("完全无关", ["专题会议"]) is None


@pytest.mark.parametrize("err", [
    NotADirectoryError(errno.ENOTDIR, "Not a directory"), OSError(errno.ELOOP, "Too many levels"),
    OSError(errno.ENXIO, "No such device"), FileExistsError(errno.EEXIST, "File exists"),
    OSError(errno.EPROTO, "Protocol error"), PermissionError(), TimeoutError(),
])
def test_os_reasons_are_chinese(err: OSError) -> None:
    reason = os_reason(err)
    assert reason and not any(c.isascii() and c.isalpha() for c in reason), reason


def test_field_types_say_what_they_mean() -> None:
    kinds = {name: (t.numeric, t.integer, t.multiline, t.choice)
             for name, t in TYPES.items() if name.isascii()}
    assert kinds == {"count": (True, True, False, False), "amount": (True, False, False, False),
                     "percent": (True, False, False, False), "year": (True, True, False, False),
                     "short": (False, False, False, False), "text": (False, False, True, False),
                     "choice": (False, False, False, True), "date": (False, False, False, False),
                     "rate": (True, False, False, False),
                     "count_grouped": (True, True, False, False),
                     "amount_grouped": (True, False, False, False),
                     "year_month": (False, False, False, False)}
    for t in TYPES.values():
        assert (t.max is not None) == t.numeric  # every number is bounded
    assert next(f for f in IDENTITY if f.key == "单位类别").type.choice
    # Front ends ask the type: the roles' figures are the numeric fields.
    roles = load_roles(ROOT / "templates")
    figures = [f.key for f in roles["镇党建办主任"].fields.values() if f.type.numeric]
    assert figures == ["专题会议", "讲党课", "谈心谈话", "党建覆盖率", "回炉党员"]


def test_numbering_is_formatted_and_recognised_in_one_place() -> None:
    assert [numeral(n) for n in (1, 10, 12, 21, 99)] == ["一", "十", "十二", "二十一", "九十九"]
    assert (heading1(3), heading2(12), item_mark(2)) == ("三、", "（十二）", "二是")
    assert H1.match(heading1(3) + "加强学习").group(1) == "三"
    assert H2.match(heading2(12) + "抓好").group(1) == "十二"
    assert ITEM.search("为此，" + item_mark(2) + "抓落实").group(1) == "二"
    assert not ITEM.search("一是否")
    assert all(LEADING.match(x) for x in (heading1(1), heading2(1), item_mark(1), "1.", "2、"))


def test_read_errors_name_the_file_in_chinese(tmp_path: Path) -> None:
    blocker = tmp_path / "文件"
    blocker.write_text("x", "utf-8")
    with pytest.raises(ParamsError) as info:
        load(blocker / "参数.yaml")  # a path through a file: ENOTDIR
    message = str(info.value)
    assert "参数.yaml" in message and "路径里有一段是文件而不是文件夹" in message



def test_a_message_never_shows_an_invisible_or_reordering_character() -> None:
    problem = Problem("没有这个角色的模板", file="a.yaml", found="「镇\u202e长\u200b」",
                      key="镇\u2028长")
    assert str(problem) == ("文件 a.yaml，字段「镇〈U+2028〉长」：没有这个角色的模板"
                            "（实际为：「镇〈U+202E〉长〈U+200B〉」）")


def test_a_suggestion_is_made_from_the_word_without_its_invisible_characters() -> None:
    # Four zero-width spaces would make 「专题」 too unlike 「专题会议」 to be suggested.
    assert suggest("专\u200b\u200b\u200b\u200b题", ["专题会议", "讲党课"]) == "您是否想写「专题会议」？"
    assert closest("\ufeff\u200b\u200b\u200b年", ["年度", "省份"]) == ["年度"]


def _every_kit_error() -> list[type[errors.KitError]]:
    import kit.build.lock
    import kit.word.pdf  # noqa: F401  (their errors are KitErrors too)

    found, todo = [], [errors.KitError]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return found


@pytest.mark.parametrize("cls", _every_kit_error(), ids=lambda c: c.__name__)
def test_an_error_crosses_processes_whole(cls: type[errors.KitError]) -> None:
    """A batch worker's error is pickled back (kit.build.workers): its class (so its exit
    code) and every fact of its problems survive, not only its text (the exception's
    default pickling restores ``problems`` from its __dict__; this keeps it so)."""
    problem = Problem("应为整数", file="a.yaml", line=3, key="讲党课", label="讲党课次数",
                      expected="整数", found="「三」", hint="您是否想写「3」？", kind="not_integer")
    err = cls([problem, Problem("第二个问题")])
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is cls and back.exit_code == cls.exit_code
    assert back.problems == err.problems and str(back) == str(err)
