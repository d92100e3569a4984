"""Safe, line-aware YAML reading for parameter files and template headers.

Every scalar is kept as the text the user typed (YAML 1.1 would otherwise turn
``0123`` into 83 and ``no`` into False); the field types decide what it means.
Each value remembers its line so messages can point at it.  Only PyYAML's safe
composer is used: no tags are constructed, nothing is executed.

Reading is bounded: only regular files are opened (never a pipe or a device, so nothing
blocks), at most :data:`MAX_PARAMS_BYTES` / :data:`MAX_TEMPLATE_BYTES` are read, and
the composer refuses more than :data:`MAX_ALIASES` aliases, nesting deeper than
:data:`MAX_DEPTH` and documents that expand to more than :data:`MAX_NODES` values (a
「billion laughs」 file stops at once), and refuses tags (「!!python/…」).
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from kit.errors import Problem, os_reason
from kit.report.fields import (
    format_value,
    places,
    refused,
    refused_excerpt,
    refused_hint,
    refused_message,
    without_refused,
)

_NULLS = {"", "~", "null", "Null", "NULL"}

# Limits of every YAML file the kit reads (the README lists them).
MAX_PARAMS_BYTES = 256 * 1024  # a parameter file is a few KB
MAX_TEMPLATE_BYTES = 1024 * 1024  # a role template is tens of KB
MAX_ALIASES = 50  # 「*名字」 references in one document (parameter files need none)
MAX_DEPTH = 16  # nesting of lists and mappings (templates need 4)
MAX_NODES = 20_000  # values after expanding aliases


def read_limited(path: str | Path, file: str, limit: int, what: str) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes.  A pipe, a device, a
    folder, a symlink loop or a file too large is one Chinese problem naming the file;
    nothing here can block."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise _problem(file, None, f"找不到{what}", hint="请检查文件名和所在文件夹。",
                       kind="io") from None
    except OSError as err:
        raise _problem(file, None, f"无法读取{what}：{os_reason(err)}", kind="io") from None
    _regular(info, file, what)
    _small(info.st_size, limit, file, what)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
                     | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))
    except OSError as err:
        raise _problem(file, None, f"无法读取{what}：{os_reason(err)}", kind="io") from None
    try:
        _regular(os.fstat(fd), file, what)  # it may have been swapped since the stat
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 16, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as err:
        raise _problem(file, None, f"无法读取{what}：{os_reason(err)}", kind="io") from None
    finally:
        os.close(fd)
    _small(size, limit, file, what)
    return b"".join(chunks)


def _regular(info: os.stat_result, file: str, what: str) -> None:
    mode = info.st_mode
    if stat.S_ISREG(mode):
        return
    kind = ("一个文件夹" if stat.S_ISDIR(mode) else "一个管道（FIFO）" if stat.S_ISFIFO(mode)
            else "一个设备" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
            else "一个套接字" if stat.S_ISSOCK(mode) else "特殊文件")
    raise _problem(file, None, f"不是普通的{what}，而是{kind}，没有读取", expected="普通文本文件",
                   found=kind, kind="io")


def _small(size: int, limit: int, file: str, what: str) -> None:
    if size > limit:
        raise _problem(file, None, f"{what}太大，没有读取（上限 {limit // 1024} KB）",
                       expected=f"不超过 {limit // 1024} KB", found=f"{size // 1024} KB 以上",
                       kind="limit")


class _BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe composer with limits on aliases, depth and tags (checked while the
    document is composed, before anything is expanded).  PyYAML itself has no such
    limits (its C loader cannot be hooked), so the pure-Python composer is extended."""

    def __init__(self, stream: str, file: str) -> None:
        super().__init__(stream)
        self.file, self.depth, self.aliases = file, 0, 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        line = event.start_mark.line + 1 if event.start_mark else None
        if isinstance(event, yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > MAX_ALIASES:
                raise _problem(self.file, line, f"「*」引用太多（上限 {MAX_ALIASES} 个），没有读取",
                               hint="参数文件里请直接写出每个值，不要用「&」「*」引用。", kind="limit")
        elif getattr(event, "tag", None) is not None:
            typed = str(event.tag).replace("tag:yaml.org,2002:", "!!", 1)[:40]
            raise _problem(self.file, line, "不支持「!」开头的类型标记", found=f"「{typed}」",
                           hint="请删除「!」开头的标记，直接写值；以「!」开头的文字请用引号括起来。",
                           kind="syntax")
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise _problem(self.file, line, f"嵌套层数太多（上限 {MAX_DEPTH} 层），没有读取",
                               hint="参数文件应是每行一个「键: 值」。", kind="limit")
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


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
                           expected="UTF-8 编码的文本", found="无法解码的字节",
                           kind="encoding") from None
        raise _problem(
            file, line, "文件是 GBK（ANSI）编码保存的，本工具只读 UTF-8 编码",
            expected="UTF-8", found="GBK",
            hint="请用记事本打开该文件，选择「另存为」，编码选「UTF-8」后保存。", kind="encoding",
        ) from None


def load_mapping(text: str, file: str) -> dict[str, Entry]:
    """Parse ``text`` as one YAML mapping; keys and scalar values stay strings."""
    hidden = _YAML_BREAKS.search(text)
    if hidden:
        raise _character_problem(text, hidden.start(), file)
    try:
        loader = _BoundedLoader(text, file)
    except yaml.YAMLError as err:  # the reader checks every character up front
        raise _syntax_problem(err, text, file) from None
    try:
        node = loader.get_single_node()
    except yaml.YAMLError as err:
        raise _syntax_problem(err, text, file) from None
    except RecursionError:  # not reached with MAX_DEPTH; kept so no traceback can escape
        raise _problem(file, None, f"嵌套层数太多（上限 {MAX_DEPTH} 层），没有读取",
                       kind="limit") from None
    finally:
        loader.dispose()
    if node is None:
        raise _problem(file, None, "文件是空的", expected="「键: 值」形式的内容", found="空文件",
                       kind="syntax")
    if not isinstance(node, yaml.MappingNode):
        raise _problem(file, node.start_mark.line + 1, "文件内容应为「键: 值」的列表",
                       expected="每行一个「键: 值」", found=_describe(node), kind="syntax")
    return _mapping(node, file, [0])


def _mapping(node: yaml.MappingNode, file: str, count: list[int]) -> dict[str, Entry]:
    out: dict[str, Entry] = {}
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 1
        if not isinstance(key_node, yaml.ScalarNode):
            raise _problem(file, line, "键必须是文字", found=_describe(key_node), kind="syntax")
        key = key_node.value.strip()
        if key in out:
            raise _problem(file, line, f"「{key[:30]}」重复出现（第一次在第 {out[key].line} 行）",
                           key=key, hint="请删除其中一个。", kind="duplicate")
        out[key] = Entry(key, _value(value_node, file, count), line)
    return out


def _value(node: yaml.Node, file: str, count: list[int]) -> Any:
    # Aliases share nodes: count every value as expanded, so a small file cannot
    # expand to billions of them.
    count[0] += 1
    if count[0] > MAX_NODES:
        raise _problem(file, node.start_mark.line + 1,
                       f"内容展开后太多（上限 {MAX_NODES} 个值），没有读取",
                       hint="参数文件里请直接写出每个值，不要用「&」「*」引用。", kind="limit")
    if isinstance(node, yaml.ScalarNode):
        if node.style is None and node.value in _NULLS:
            return None
        return node.value
    if isinstance(node, yaml.SequenceNode):
        return [_value(n, file, count) for n in node.value]
    assert isinstance(node, yaml.MappingNode)
    return _mapping(node, file, count)


def _describe(node: yaml.Node) -> str:
    if isinstance(node, yaml.SequenceNode):
        return "一个列表"
    if isinstance(node, yaml.MappingNode):
        return "一组「键: 值」"
    text = str(node.value)
    return f"「{text[:30]}…」" if len(text) > 30 else f"「{text}」"


# PyYAML's English, in words a clerk can act on.
_YAML_PROBLEMS = (
    ("could not find expected ':'", "缺少半角冒号「:」"),
    ("mapping values are not allowed", "这一行多了一个冒号（值里有冒号时请用引号括起来）"),
    ("found character '\\t'", "用了 Tab 键缩进"),
    ("found a tab character", "用了 Tab 键缩进"),
    ("expected <block end>", "缩进不一致"),
    ("quoted scalar", "引号没有配对"),
    ("flow", "括号「[」或「{」没有配对"),
    ("found undefined alias", "值不能以「*」开头（请用引号括起来）"),
    ("found character that cannot start any token", "值以特殊符号开头（请用引号括起来）"),
)


def _syntax_problem(err: yaml.YAMLError, text: str, file: str) -> ParamsSyntax:
    if isinstance(err, yaml.reader.ReaderError):  # a control character: no mark, a position
        if isinstance(err.position, int) and 0 <= err.position < len(text):
            return _character_problem(text, err.position, file)
        return _problem(file, None, "文件里有无法显示的字符", expected="普通文字",
                        hint="请删除这个字符（常见于从网页、微信或 Word 复制的文字）。", kind="syntax")
    problem = str(getattr(err, "problem", "") or "") + " " + str(getattr(err, "context", "") or "")
    # An unclosed quote is noticed at the end of the file: point at the quote itself.
    context_first = "quoted scalar" in problem or "flow" in str(getattr(err, "context", ""))
    marks = (("context_mark", "problem_mark") if context_first
             else ("problem_mark", "context_mark"))
    mark = next((m for m in (getattr(err, a, None) for a in marks) if m is not None), None)
    line = mark.line + 1 if mark else None
    found = next((zh for en, zh in _YAML_PROBLEMS if en in problem), "格式有误")
    hint = "常见原因：冒号后缺少空格、缩进不一致、值里有未配对的引号。"
    if context_first:
        return _problem(file, line, "文件格式不是有效的 YAML", expected="每行一个「键: 值」",
                        found=found, hint="请检查这一行的引号或括号是否配对。", kind="syntax")
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
                    found=found, hint=hint, kind="syntax")


# YAML reads U+0085, U+2028 and U+2029 as line breaks that no editor shows: a value would
# be folded or cut where the user sees one line.  They are refused before YAML reads.
_YAML_BREAKS = re.compile("[\x85\u2028\u2029]")
_KEYED = re.compile(r"\s*(?:-\s+)?([^\s#:\-][^:]*):(?:\s+|$)")


def _character_problem(text: str, at: int, file: str) -> ParamsSyntax:
    """A character YAML cannot read (a control character) or reads as a line break no
    editor shows, at its line as the editor counts lines (\\n), named as a value's is
    (:func:`kit.report.fields.refused_message`), with the key of its 「键: 值」 line and the
    text without it as the hint."""
    start = text.rfind("\n", 0, at) + 1
    end = text.find("\n", at)
    line_text = text[start:end if end >= 0 else len(text)]
    part, offset, key = line_text, start, None
    keyed = _KEYED.match(line_text)
    if keyed and start + keyed.end() <= at:  # in the value: counted from the value
        key, part, offset = keyed.group(1).strip(), line_text[keyed.end():], start + keyed.end()
    elif keyed:
        key = keyed.group(1).strip()
    quoted = part.rstrip()
    if key and len(quoted) > 1 and quoted[0] in "'\"" and quoted[-1] == quoted[0] \
            and offset < at < offset + len(quoted) - 1:  # counted inside the quotes
        part, offset = quoted[1:-1], offset + 1
    also = frozenset(_YAML_BREAKS.pattern[1:-1])
    # Named: the first such character of the value (or line), not only the one YAML saw.
    at = next((i for i, c in enumerate(part) if refused(c) or c in also), at - offset)
    clean = "".join(c for c in without_refused(part) if c not in also).strip()
    return _problem(file, text.count("\n", 0, start) + 1,
                    ("" if key else "文件里") + refused_message(part, at, also),
                    key=key, expected="普通文字", found=refused_excerpt(part, at),
                    hint=refused_hint(clean), kind="unsafe_char" if key else "syntax")


class ParamsSyntax(Exception):
    """Carries one :class:`Problem`; callers re-raise it as their own KitError kind."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        super().__init__(str(problem))


def _problem(file: str, line: int | None, message: str, **kw: Any) -> ParamsSyntax:
    return ParamsSyntax(Problem(message, file=file, line=line, **kw))


class Dumper(yaml.SafeDumper):
    """PyYAML's safe dumper, writing a Decimal with the places it carries: a typed 12.50
    is written 12.50, not 12.5 (a float would lose the zero)."""


def _decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.ScalarNode:
    kind = "float" if places(value) else "int"  # so it is written plain, without a tag
    return dumper.represent_scalar(f"tag:yaml.org,2002:{kind}", format_value(value))


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    """A text holding a line break no editor shows (U+2028 from a roster cell) is written
    in double quotes, escaped (「\\L」): the file then holds none (see :data:`_YAML_BREAKS`)
    and reads back the same text."""
    style = '"' if _YAML_BREAKS.search(value) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


Dumper.add_multi_representer(Decimal, _decimal)
Dumper.add_representer(str, _text)


def dump(mapping: dict[str, Any], header: str = "") -> str:
    """YAML text for a parameter file: Chinese kept readable, key order kept, text that
    would read back as a number (「0123」) quoted, decimals as they were typed."""
    body = yaml.dump(mapping, Dumper=Dumper, allow_unicode=True, sort_keys=False, width=1000,
                     default_flow_style=False)
    head = "".join(f"# {line}\n" for line in header.splitlines()) if header else ""
    return head + body

