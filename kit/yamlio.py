"""Safe, line-aware YAML reading for parameter files and template headers.

Every scalar is kept as the text the user typed (YAML 1.1 would otherwise turn
``0123`` into 83 and ``no`` into False); the field types decide what it means.
Each value remembers its line so messages can point at it.  Only PyYAML's safe
composer is used: no tags are constructed, nothing is executed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from kit.errors import Problem

_NULLS = {"", "~", "null", "Null", "NULL"}


@dataclass(frozen=True)
class Entry:
    """One ``key: value`` of a mapping, with the value as typed."""

    key: str
    value: Any  # str for scalars (None for empty), list | dict of Entry-values for nesting
    line: int  # 1-based line of the key


def decode(data: bytes, file: str) -> str:
    """UTF-8 text of a file, or one clear problem when it was saved as GBK or is binary."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        try:
            data.decode("gbk")
        except UnicodeDecodeError:
            raise _problem(file, line, "文件不是文本文件，或编码无法识别",
                           expected="UTF-8 编码的文本", found="无法解码的字节") from None
        raise _problem(
            file, line, "文件是 GBK（ANSI）编码保存的，本工具只读 UTF-8 编码",
            expected="UTF-8", found="GBK",
            hint="请用记事本打开该文件，选择「另存为」，编码选「UTF-8」后保存。",
        ) from None


def load_mapping(text: str, file: str) -> dict[str, Entry]:
    """Parse ``text`` as one YAML mapping; keys and scalar values stay strings."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as err:
        raise _syntax_problem(err, text, file) from None
    if node is None:
        raise _problem(file, None, "文件是空的", expected="「键: 值」形式的内容", found="空文件")
    if not isinstance(node, yaml.MappingNode):
        raise _problem(file, node.start_mark.line + 1, "文件内容应为「键: 值」的列表",
                       expected="每行一个「键: 值」", found=_describe(node))
    return _mapping(node, file)


def _mapping(node: yaml.MappingNode, file: str) -> dict[str, Entry]:
    out: dict[str, Entry] = {}
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 1
        if not isinstance(key_node, yaml.ScalarNode):
            raise _problem(file, line, "键必须是文字", found=_describe(key_node))
        key = key_node.value.strip()
        if key in out:
            raise _problem(file, line, f"「{key}」重复出现（第一次在第 {out[key].line} 行）",
                           field=key, hint="请删除其中一个。")
        out[key] = Entry(key, _value(value_node, file), line)
    return out


def _value(node: yaml.Node, file: str) -> Any:
    if isinstance(node, yaml.ScalarNode):
        if node.style is None and node.value in _NULLS:
            return None
        return node.value
    if isinstance(node, yaml.SequenceNode):
        return [_value(n, file) for n in node.value]
    assert isinstance(node, yaml.MappingNode)  # YAML has no fourth kind of node
    return _mapping(node, file)


def _describe(node: yaml.Node) -> str:
    if isinstance(node, yaml.SequenceNode):
        return "一个列表"
    if isinstance(node, yaml.MappingNode):
        return "一组「键: 值」"
    return f"「{node.value}」"


# PyYAML's English, in words a clerk can act on.
_YAML_PROBLEMS = (
    ("could not find expected ':'", "缺少半角冒号「:」"),
    ("mapping values are not allowed", "这一行多了一个冒号（值里有冒号时请用引号括起来）"),
    ("found character '\\t'", "用了 Tab 键缩进"),
    ("found a tab character", "用了 Tab 键缩进"),
    ("expected <block end>", "缩进不一致"),
    ("quoted scalar", "引号没有配对"),
    ("found undefined alias", "值不能以「*」开头（请用引号括起来）"),
    ("found character that cannot start any token", "值以特殊符号开头（请用引号括起来）"),
)


def _syntax_problem(err: yaml.YAMLError, text: str, file: str) -> ParamsSyntax:
    mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
    line = mark.line + 1 if mark else None
    problem = str(getattr(err, "problem", "") or "") + " " + str(getattr(err, "context", "") or "")
    found = next((zh for en, zh in _YAML_PROBLEMS if en in problem), "格式有误")
    hint = "常见原因：冒号后缺少空格、缩进不一致、值里有未配对的引号。"
    lines = text.splitlines()
    # The parser often notices a mistake one line late: look at that line and the one before.
    for n in [x for x in (line, (line or 0) - 1) if x and 0 < x <= len(lines)]:
        src = lines[n - 1]
        if "：" in src and ":" not in src:
            line, found = n, "用了全角冒号「：」"
            hint = "键和值之间要用半角冒号加空格，例如「专题会议: 12」。"
            break
        if "{{" in src or "{%" in src:
            line, found = n, "值以「{」开头"
            hint = "含有「{{ }}」的值要用英文引号括起来，例如：标题: \"{{ 年度 }}年度述职报告\"。"
            break
        if "\t" in src:
            line, found, hint = n, "用了 Tab 键缩进", "请用空格缩进，不要用 Tab 键。"
            break
    return _problem(file, line, "文件格式不是有效的 YAML", expected="每行一个「键: 值」",
                    found=found, hint=hint)


class ParamsSyntax(Exception):
    """Carries one :class:`Problem`; callers re-raise it as their own KitError kind."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        super().__init__(str(problem))


def _problem(file: str, line: int | None, message: str, **kw: Any) -> ParamsSyntax:
    return ParamsSyntax(Problem(message, file=file, line=line, **kw))


def dump(mapping: dict[str, Any], header: str = "") -> str:
    """YAML text for a parameter file: Chinese kept readable, key order kept, text that
    would read back as a number (「0123」) quoted."""
    body = yaml.safe_dump(mapping, allow_unicode=True, sort_keys=False, width=1000,
                          default_flow_style=False)
    head = "".join(f"# {line}\n" for line in header.splitlines()) if header else ""
    return head + body

