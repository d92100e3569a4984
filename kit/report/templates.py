"""Role templates: one file per role in ``templates/``, found and checked here.

A template is Markdown-like text with a YAML header (between ``---`` lines)::

    ---
    角色: 镇党建办主任
    标题: "{{ 年度 }}年度述职报告（{{ 单位类别 }}党建办主任）"
    字段:
      专题会议: {标签: 主持召开党建工作专题会议, 类型: 整数, 单位: 次, 样例: x}
    ---
    {{ 年度 }}年，在县委、县政府和{{ 单位类别 }}党委的坚强领导下……

    # 加强理论学习，提高自身综合素质

    - 加强政治理论学习……主持召开党建工作专题会议{{ 专题会议 }}次……

The body's markup is explained in :mod:`kit.report.render`.  Placeholders are Jinja2
expressions run in a sandbox; values are inserted as data, never as template code.
Everything that can be wrong with a template is found when it is loaded, with the
file and line in the message.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import time
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import meta, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment, safe_range
from jinja2.utils import _PassArg

from kit import project
from kit.errors import Problem, TemplateError, display_path, suggest
from kit.report.fields import (
    IDENTITY,
    IDENTITY_KEYS,
    LINE_SEPARATORS,
    TYPES,
    Field,
    FieldValueError,
    first_refused,
    format_value,
    refused_excerpt,
    refused_hint,
    refused_message,
    without_refused,
)
from kit.report.numbering import TEMPLATE_NUMBERED as _NUMBERED
from kit.report.yamlio import (
    MAX_TEMPLATE_BYTES,
    Entry,
    ParamsSyntax,
    decode,
    load_mapping,
    read_limited,
)
from kit.time_limit import time_limit

TEMPLATE_SUFFIX = ".md"
_HEADER_KEYS = {"角色", "标题", "署名", "排位", "字段", "派生"}
_FIELD_KEYS = {"标签", "类型", "单位", "必填", "最小", "最大", "最长", "选项", "说明", "样例",
               "变化提醒"}  # 变化提醒: the year-over-year factor of kit.review.flags
_DERIVED_KEYS = {"标签", "公式", "单位"}
_YES = {"是", "true", "True", "yes", "必填", "1"}
_NO = {"否", "false", "False", "no", "选填", "0"}

# Limits of running a template (the README lists them).  The time limit is the one of
# ``--timeout`` (default RENDER_TIMEOUT); the others stop a template before it can use
# much memory.
RENDER_TIMEOUT = 60.0  # seconds for one report's title, byline and body
MAX_OUTPUT_CHARS = 1_000_000  # characters one template part may produce (a report is ~5,000)
COMPILED_KEPT = 64  # compiled template parts and formulas kept per process (a few per role)
MAX_RESULT_CHARS = 100_000  # characters of a string or items of a list made by + or *
MAX_NUMBER_BITS = 4_000  # about 1,200 digits: bigger integers are never computed
MAX_ARGUMENT = 1_000_000  # largest integer passed to a function or filter (range, center…)
MAX_FIELDS = 1000  # fields of one template (a role has tens; the form shows each one)
_deadline: ContextVar[tuple[float, float] | None] = ContextVar("render_deadline", default=None)


class RenderLimit(Exception):
    """A template went past a limit while running.  ``what`` is the Chinese reason."""

    def __init__(self, what: str) -> None:
        self.what = what
        super().__init__(what)


def check_deadline() -> None:
    """Raise :class:`RenderLimit` when the running template is past its time limit."""
    limit = _deadline.get()
    if limit is not None and time.monotonic() > limit[0]:
        raise _overrun(limit[1])


def deadline(seconds: float | None) -> Any:
    """Context for rendering: templates run inside it stop after ``seconds``."""
    seconds = RENDER_TIMEOUT if seconds is None else float(seconds)
    return _DeadlineScope(seconds)


class _DeadlineScope:
    def __init__(self, seconds: float) -> None:
        if not seconds > 0:
            raise ValueError("timeout must be positive")
        self.seconds = seconds

    def __enter__(self) -> float:
        self.token = _deadline.set((time.monotonic() + self.seconds, self.seconds))
        return self.seconds

    def __exit__(self, *exc: object) -> None:
        _deadline.reset(self.token)


def alarm(seconds: float) -> contextlib.AbstractContextManager[bool]:
    """A backstop for the cooperative time checks (:func:`check_deadline`), where
    :func:`kit.time_limit.time_limit` can be armed: a loop that calls nothing and prints
    nothing is interrupted too.  Half a second later: the cooperative check comes first."""
    return time_limit(seconds + 0.5, lambda: _overrun(seconds))


def _overrun(seconds: float) -> RenderLimit:
    return RenderLimit(f"生成正文超过时限（{seconds:g} 秒），模板里可能有过大的循环")


def _check_argument(value: Any) -> None:
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_ARGUMENT:
        raise RenderLimit(f"模板里的数字 {value if value.bit_length() < 64 else '（很大）'} 太大"
                          f"（函数和过滤器的参数上限为 {MAX_ARGUMENT}）")
    if isinstance(value, str | list | tuple) and len(value) > MAX_OUTPUT_CHARS:
        raise RenderLimit(f"模板里生成的文字太长（上限 {MAX_OUTPUT_CHARS} 字）")


def _bounded_range(*args: int) -> Iterator[int]:
    """``range`` for templates: the sandbox's size limit, and the time limit checked
    while a loop runs (nested loops of 100,000 would otherwise run for hours)."""
    for value in args:
        _check_argument(value)
    try:
        numbers = safe_range(*args)
    except OverflowError:
        raise RenderLimit("range() 的范围太大（上限 100000）") from None
    return _ticking(numbers)


def _ticking(items: Any) -> Iterator[Any]:
    for i, item in enumerate(items):
        if i % 1000 == 0:
            check_deadline()
        yield item


_TICK = "_kit_loop"  # every {% for %} iterates through this (see _LimitedSandbox._generate)


def _loop(items: Any) -> Any:
    if isinstance(items, dict):  # keep dict iteration as Jinja does it (over keys)
        items = list(items)
    return _ticking(items)


_FORMAT_WIDTH = re.compile(r"\d{7,}")  # 「%01000000000d」「{:>1000000000}」


def _check_growth(name: str, value: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
                  ) -> None:
    """Refuse, before it allocates, a string method or filter whose result would grow
    past :data:`MAX_OUTPUT_CHARS` as a product of its inputs (「('\\t'*2000).expandtabs
    (1000000)」 is 2,000 million characters from two small ones); checking the result
    afterwards would be too late."""
    def arg(i: int, key: str, default: Any) -> Any:
        return args[i] if len(args) > i else kwargs.get(key, default)

    if name == "join" and isinstance(value, str | bytes):  # sep.join(items)
        items = arg(0, "iterable", ())
        size = len(value) * len(items) if isinstance(items, list | tuple | str) else 0
    elif name == "do_join":  # items|join(sep)
        sep = arg(0, "d", "")
        size = len(sep) * len(value) if isinstance(value, list | tuple | str) and \
            isinstance(sep, str) else 0
    elif not isinstance(value, str | bytes):
        return
    elif name == "expandtabs":
        tab = arg(0, "tabsize", 8)
        size = len(value) * tab if isinstance(tab, int) else 0
    elif name in ("replace", "do_replace"):
        old, new = arg(0, "old", ""), arg(1, "new", "")
        if not isinstance(old, type(value)) or not isinstance(new, type(value)):
            return  # (str.replace refuses these itself)
        size = len(value) + (_count(value, old) if old else len(value) + 1) * len(new)
    elif name == "do_indent":
        width = arg(0, "width", 4)
        size = len(value) + (_count(value, "\n" if isinstance(value, str) else b"\n") + 1) * (
            len(width) if isinstance(width, str) else width if isinstance(width, int) else 0)
    elif name in ("translate", "maketrans"):
        raise RenderLimit(f"模板里不能用「{name}」")  # a table can map each character to a book
    else:
        return
    if size > MAX_OUTPUT_CHARS:
        raise RenderLimit(f"模板里生成的文字太长（上限 {MAX_OUTPUT_CHARS} 字）")


def _count(text: Any, part: Any) -> int:
    return int(text.count(part))  # (str or bytes, the same type as part: checked before)


_CONCAT = "_kit_concat"  # every 「~」 goes through this (see _LimitedSandbox._generate)


def _concat(*parts: Any) -> str:
    check_deadline()
    texts = [p if isinstance(p, str) else str(p) for p in parts]
    if sum(map(len, texts)) > MAX_OUTPUT_CHARS:
        raise RenderLimit(f"模板里生成的文字太长（上限 {MAX_OUTPUT_CHARS} 字）")
    return "".join(texts)


def _check_result(value: Any) -> Any:
    if isinstance(value, str | list | tuple) and len(value) > MAX_OUTPUT_CHARS:
        raise RenderLimit(f"模板里生成的文字太长（上限 {MAX_OUTPUT_CHARS} 字）")
    return value


def _check_format(template: Any) -> None:
    if isinstance(template, str) and _FORMAT_WIDTH.search(template):
        raise RenderLimit("格式里的宽度或精度太大（最多 6 位数）")


def _guard(fn: Any) -> Any:
    """A filter with the limits: arguments checked before, result after.  It takes the
    context, so Jinja never runs it while compiling (constant folding would otherwise
    build a huge string before any limit applies)."""
    passes = _PassArg.from_obj(fn)

    @jinja2.pass_context
    def guarded(context: Any, *args: Any, **kwargs: Any) -> Any:
        check_deadline()
        for value in (*args, *kwargs.values()):
            _check_argument(value)
        if fn.__name__ == "do_format" and args:
            _check_format(args[0])
        if args:
            _check_growth(fn.__name__, args[0], args[1:], kwargs)
        if passes is _PassArg.context:
            args = (context, *args)
        elif passes is _PassArg.eval_context:
            args = (context.eval_ctx, *args)
        elif passes is _PassArg.environment:
            args = (context.environment, *args)
        return _check_result(fn(*args, **kwargs))

    guarded.__name__ = guarded.__qualname__ = getattr(fn, "__name__", "filter")
    guarded.__doc__ = fn.__doc__
    return guarded


class _LimitedSandbox(ImmutableSandboxedEnvironment):
    """Jinja2's immutable sandbox with limits on time, numbers and sizes."""

    intercepted_binops = frozenset({"*", "**", "+", "//", "%"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        check_deadline()
        if operator == "**" and isinstance(left, int) and isinstance(right, int) \
                and abs(left) > 1 and right * abs(left).bit_length() > MAX_NUMBER_BITS:
            raise RenderLimit(f"乘方的结果太大（上限约 {MAX_NUMBER_BITS * 3 // 10} 位）")
        if operator == "*":
            for a, b in ((left, right), (right, left)):
                if isinstance(a, str | list | tuple) and isinstance(b, int) and \
                        len(a) * b > MAX_RESULT_CHARS:
                    raise RenderLimit(f"模板里生成的文字太长（上限 {MAX_RESULT_CHARS} 字）")
            if isinstance(left, int) and isinstance(right, int) and \
                    left.bit_length() + right.bit_length() > MAX_NUMBER_BITS:
                raise RenderLimit(f"乘积太大（上限约 {MAX_NUMBER_BITS * 3 // 10} 位）")
        if operator == "%":
            _check_format(left)
        result = super().call_binop(context, operator, left, right)
        if isinstance(result, str | list | tuple) and len(result) > MAX_RESULT_CHARS:
            raise RenderLimit(f"模板里生成的文字太长（上限 {MAX_RESULT_CHARS} 字）")
        return result

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        check_deadline()
        for value in (*args, *kwargs.values()):
            _check_argument(value)
        _check_growth(getattr(__obj, "__name__", ""), getattr(__obj, "__self__", None), args,
                      kwargs)
        return _check_result(super().call(__context, __obj, *args, **kwargs))

    def _generate(self, source: nodes.Template, name: str | None, filename: str | None,
                  defer_init: bool = False) -> str:
        # Every loop checks the time limit as it runs, even one that calls nothing and
        # prints nothing (「{% for a in s %}{% for b in s %}{% endfor %}{% endfor %}」).
        for loop in source.find_all(nodes.For):
            loop.iter = nodes.Call(nodes.Name(_TICK, "load", lineno=loop.lineno), [loop.iter],
                                   [], None, None, lineno=loop.lineno)
        # 「a ~ a ~ a …」 joins its parts at once (20,000 of 100,000 characters: 2 GB): the
        # parts' total is checked before the join.
        for concat in list(source.find_all(nodes.Concat)):
            concat.nodes = [nodes.Call(nodes.Name(_CONCAT, "load", lineno=concat.lineno),
                                       list(concat.nodes), [], None, None,
                                       lineno=concat.lineno)]
        return super()._generate(source, name, filename, defer_init)

    def wrap_str_format(self, value: Any) -> Any:
        if getattr(value, "__name__", "") in ("format", "format_map"):
            _check_format(getattr(value, "__self__", None))
        return super().wrap_str_format(value)


def make_environment(finalize: Any = None) -> jinja2.Environment:
    """The one Jinja2 set-up: sandboxed and limited, strict about unknown names, no
    autoescape (the output is Word text, not HTML), no loader (a template cannot
    import, include or extend another file)."""
    env = _LimitedSandbox(
        undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=True,
        trim_blocks=True, lstrip_blocks=True, finalize=finalize,
    )
    env.globals["range"] = _bounded_range
    env.globals[_TICK] = _loop
    env.globals[_CONCAT] = _concat
    # A namespace lets a loop grow a value (「ns.x = ns.x ~ ns.x」 doubles it each turn).
    env.globals.pop("namespace", None)
    for name, fn in list(env.filters.items()):
        env.filters[name] = _guard(fn)
    return env


@functools.lru_cache(maxsize=COMPILED_KEPT)
def compiled(env: jinja2.Environment, source: str) -> jinja2.Template:
    """``source`` compiled once per process: a batch's kernel renders the same role
    templates for hundreds of officials, and compiling costs more than rendering."""
    return env.from_string(source)


@functools.lru_cache(maxsize=COMPILED_KEPT)
def compiled_expression(env: jinja2.Environment, formula: str) -> Any:
    return env.compile_expression(formula, undefined_to_none=False)


def render_limited(env: jinja2.Environment, source: str, context: dict[str, Any]) -> str:
    """Render ``source`` within the current :func:`deadline` and output limit."""
    out: list[str] = []
    size = 0
    for chunk in compiled(env, source).generate(context):
        size += len(chunk)
        if size > MAX_OUTPUT_CHARS:
            raise RenderLimit(f"生成的正文太长（上限 {MAX_OUTPUT_CHARS} 字），模板里可能有过大的循环")
        check_deadline()
        out.append(chunk)
    return "".join(out)


_FORBIDDEN_TAGS = {nodes.Import: "import", nodes.FromImport: "from … import",
                   nodes.Include: "include", nodes.Extends: "extends"}


def forbidden_tags(tree: nodes.Template) -> list[tuple[str, int]]:
    """``{% import %}``/``{% include %}``/``{% extends %}`` in a template: (tag, line)."""
    found = []
    for cls, name in _FORBIDDEN_TAGS.items():
        found += [(name, node.lineno) for node in tree.find_all(cls)]
    return sorted(found, key=lambda x: x[1])


def jinja_reason(err: BaseException) -> tuple[str, str | None]:
    """A Jinja2 (or Python) error while compiling or running a template, in Chinese:
    (what is wrong, hint).  Jinja's own words are English."""
    text = str(getattr(err, "message", None) or err)
    m = re.search(r"No (filter|test) named '([^']*)'", text)
    if m:
        what = "过滤器" if m.group(1) == "filter" else "判断"
        names = _ENV.filters if m.group(1) == "filter" else _ENV.tests
        return f"没有名为「{m.group(2)}」的{what}", suggest(m.group(2), names)
    m = re.search(r"Encountered unknown tag '([^']*)'", text)
    if m:
        return f"不认识的标签「{m.group(1)}」", "可用的标签有 if、elif、else、endif、for、endfor、set。"
    m = re.search(r"looking for the following tags: (.*?)\.", text)
    if "end of template" in text.lower() and m:
        tags = "、".join(f"{{% {t} %}}" for t in re.findall(r"'(\w+)'", m.group(1)))
        return "模板结束了，但还有没有结束的标签", f"请补上「{tags.split('、')[-1] if tags else ''}」。"
    m = re.search(r"'([^']+)' is undefined", text)
    if isinstance(err, jinja2.UndefinedError) and m:
        return f"用到了没有值的名称「{m.group(1)}」", "请检查字段名的拼写。"
    if isinstance(err, jinja2.UndefinedError):
        return "用到了不存在的名称或属性", "请检查字段名的拼写。"
    if isinstance(err, RenderLimit):
        return err.what, "请检查模板里的循环和运算。"
    if isinstance(err, jinja2.exceptions.SecurityError):
        m = re.search(r"attribute '([^']*)'", text)
        name = f"「{m.group(1)}」" if m else "这种写法"
        return f"出于安全考虑，模板不能使用{name}", "模板里只应使用字段、条件和简单的运算。"
    if isinstance(err, ZeroDivisionError):
        return "除数为零", "请在公式或条件里先判断除数不为零。"
    if isinstance(err, OverflowError):
        return "数字或范围太大", "请检查模板里的运算。"
    if isinstance(err, TypeError):
        return "运算的类型不对（例如文字和数字相加，或把文字当作函数）", "请检查模板里的运算。"
    if isinstance(err, ValueError | ArithmeticError | LookupError | AttributeError):
        return "运算出错（值的形式不对，或取了不存在的项）", "请检查模板里的运算。"
    if isinstance(err, RecursionError | MemoryError):
        return "模板运算太复杂（递归太深或内存不足）", "请检查模板里的宏和循环。"
    if isinstance(err, jinja2.TemplateSyntaxError):
        return "无法识别的写法", ("占位符应写成「{{ 字段名 }}」，条件段落写成"
                                      "「{% if 字段名 %}…{% endif %}」。")
    return "模板无法生成正文", None


_ENV = make_environment()
# Reads a template's 最小/最大 with the same limits as a value typed by a user.
_BOUND = Field(key="最小", label="最小", type=TYPES["小数"], min=Decimal("-1e15"),
               max=Decimal("1e15"))


@dataclass(frozen=True)
class Derived:
    """A figure computed from others, e.g. 建党周年 = 年度 - 1921."""

    key: str
    label: str
    formula: str
    unit: str = ""

    def evaluate(self, context: dict[str, Any]) -> Any:
        check_deadline()
        return compiled_expression(_ENV, self.formula)(**context)


@dataclass(frozen=True)
class RoleTemplate:
    role: str
    path: Path
    title: str  # Jinja source
    byline: str  # Jinja source, may be ""
    body: str  # Jinja source of the body
    body_line: int  # file line of the body's first line
    fields: dict[str, Field]  # the role's own blanks, in template order
    derived: dict[str, Derived]
    rank: int

    @property
    def all_fields(self) -> dict[str, Field]:
        """Identity fields first, then the role's own: what a parameter file may hold."""
        return {f.key: f for f in IDENTITY} | self.fields

    def sections(self) -> dict[str, list[Field]]:
        """The role's fields grouped by the report section they appear in (for the form)."""
        out: dict[str, list[Field]] = {}
        for f in self.fields.values():
            out.setdefault(f.section, []).append(f)
        return out


def templates_dir(explicit: str | Path | None = None) -> Path:
    """Where role templates live: ``--templates``, else $KIT_TEMPLATES, else ./templates,
    else the templates folder shipped beside the package.  A folder named with
    ``--templates`` or $KIT_TEMPLATES that does not exist is an error."""
    for given, how in ((explicit, "--templates 后面"), (os.environ.get("KIT_TEMPLATES"),
                                                      "环境变量 KIT_TEMPLATES 里")):
        if given:  # a folder the user named is used or refused, never silently replaced
            if not Path(given).is_dir():
                raise TemplateError(Problem("找不到模板文件夹", file=display_path(given),
                                            hint=f"请检查{how}的文件夹名。"))
            return Path(given)
    if Path(project.TEMPLATES).is_dir():
        return Path(project.TEMPLATES)
    return project.shipped(project.TEMPLATES)


def load_roles(directory: str | Path | None = None) -> dict[str, RoleTemplate]:
    """Every role template of a folder, by role name.  Broken files raise TemplateError."""
    folder = templates_dir(directory)
    files = sorted(p for p in folder.glob(f"*{TEMPLATE_SUFFIX}") if p.stem.upper() != "README")
    stamp = tuple((str(p), _mtime(p)) for p in files)
    return _load_roles_cached(stamp)


def _mtime(path: Path) -> int:
    """For the cache key; a file that cannot be stat'ed (a symlink loop) is reported by
    :func:`load_template`, not here."""
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return -1


@lru_cache(maxsize=8)
def _load_roles_cached(stamp: tuple[tuple[str, int], ...]) -> dict[str, RoleTemplate]:
    roles: dict[str, RoleTemplate] = {}
    for path_str, _ in stamp:
        tpl = load_template(Path(path_str))
        if tpl.role in roles:
            raise TemplateError(Problem(
                f"角色「{tpl.role}」在两个模板文件里都有定义（另一个是 "
                f"{display_path(roles[tpl.role].path)}）", file=display_path(tpl.path),
                hint="请修改其中一个文件的「角色」。"))
        roles[tpl.role] = tpl
    return roles


def load_template(path: str | Path) -> RoleTemplate:
    """Read and check one role template file."""
    path = Path(path)
    file = display_path(path)
    try:
        text = decode(read_limited(path, file, MAX_TEMPLATE_BYTES, "模板文件"), file)
    except ParamsSyntax as err:
        raise TemplateError(err.problem) from None
    return _Parser(text, path, file).parse()


class _Parser:
    def __init__(self, text: str, path: Path, file: str) -> None:
        self.text, self.path, self.file = text.replace("\r\n", "\n"), path, file
        self.problems: list[Problem] = []

    def fail(self, message: str, line: int | None = None, **kw: Any) -> None:
        self.problems.append(Problem(message, file=self.file, line=line, **kw))

    def parse(self) -> RoleTemplate:
        self.lint_characters()  # first: an invisible character makes later messages puzzling
        if self.problems:
            raise TemplateError(self.problems)
        header_text, body, body_line = self.split()
        try:
            header = load_mapping(header_text, self.file)
        except ParamsSyntax as err:
            p = err.problem
            # Header lines are counted from the file's second line (after 「---」).
            line = p.line + 1 if p.line else None
            raise TemplateError(Problem(p.message, file=self.file, line=line, kind=p.kind, key=p.key,
                                        expected=p.expected, found=p.found, hint=p.hint)) from None
        self.check_keys(header, _HEADER_KEYS, "模板开头", offset=1)
        role = self.scalar(header, "角色", required=True)
        title = self.scalar(header, "标题", required=True)
        byline = self.scalar(header, "署名") or ""
        rank = self.integer(header.get("排位"), 100)
        fields = self.fields(header.get("字段"))
        derived = self.derived(header.get("派生"))
        for name, src, line in (("标题", title, 0), ("署名", byline, 0), ("正文", body, body_line)):
            self.check_jinja(src, line or self.line_of(header.get(name)), name)
        if self.problems:
            raise TemplateError(self.problems)
        fields = self.check_names(title, byline, body, body_line, fields, derived)
        self.lint_numbering(body, body_line)
        if self.problems:
            raise TemplateError(self.problems)
        return RoleTemplate(role=role, path=self.path, title=title, byline=byline, body=body,
                            body_line=body_line, fields=fields, derived=derived, rank=rank)

    def split(self) -> tuple[str, str, int]:
        lines = self.text.split("\n")
        if not lines or lines[0].strip() != "---":
            raise TemplateError(Problem("模板文件应以一行「---」开头，接着是角色和字段的说明",
                                        file=self.file, line=1, found=f"「{lines[0][:20]}」"))
        for i, line in enumerate(lines[1:], start=1):
            if line.strip() == "---":
                return "\n".join(lines[1:i]), "\n".join(lines[i + 1:]), i + 2
        raise TemplateError(Problem("模板开头的说明部分缺少结束的「---」行", file=self.file,
                                    hint="请在字段说明之后、正文之前加一行「---」。"))

    @staticmethod
    def line_of(entry: Entry | None) -> int:
        return entry.line + 1 if entry else 0  # +1: the header starts on file line 2

    def check_keys(self, mapping: dict[str, Entry], allowed: set[str], where: str,
                   offset: int = 1) -> None:
        for key, entry in mapping.items():
            if key not in allowed:
                self.fail(f"{where}有不认识的项「{key}」", entry.line + offset,
                          expected="、".join(sorted(allowed)), hint=suggest(key, allowed))

    def scalar(self, header: dict[str, Entry], key: str, required: bool = False) -> str:
        entry = header.get(key)
        if entry is None or entry.value is None:
            if required:
                self.fail(f"缺少「{key}」", 2)
            return ""
        if not isinstance(entry.value, str):
            self.fail(f"「{key}」应为一行文字", self.line_of(entry))
            return ""
        return entry.value

    def integer(self, entry: Entry | None, default: int) -> int:
        if entry is None or entry.value is None:
            return default
        text = str(entry.value).strip()
        if not re.fullmatch(r"-?\d{1,7}", text):
            self.fail("应为不超过 7 位的整数", self.line_of(entry), key=entry.key,
                      found=f"「{text[:20]}」")
            return default
        return int(text)

    def fields(self, entry: Entry | None) -> dict[str, Field]:
        if entry is None:
            return {}
        if not isinstance(entry.value, dict):
            self.fail("「字段」下面应是每个字段的说明", self.line_of(entry))
            return {}
        if len(entry.value) > MAX_FIELDS:
            self.fail("「字段」太多", self.line_of(entry), expected=f"不超过 {MAX_FIELDS} 个",
                      found=f"{len(entry.value)} 个", hint="请把这个角色拆成几个模板。")
            return {}
        out: dict[str, Field] = {}
        for key, spec in entry.value.items():
            line = self.line_of(spec)
            if key in IDENTITY_KEYS:
                self.fail(f"「{key}」是每份参数文件都有的基本信息，不能再声明为字段", line)
                continue
            if not key.isidentifier():
                self.fail("字段名只能由汉字、字母、数字和下划线组成，且不能以数字开头", line,
                          field=key)
                continue
            if not isinstance(spec.value, dict):
                self.fail("字段说明应包含「标签」「类型」等项", line, field=key)
                continue
            field = self.field(key, spec.value, line)
            if field:
                out[key] = field
        return out

    def field(self, key: str, spec: dict[str, Entry], line: int) -> Field | None:
        self.check_keys(spec, _FIELD_KEYS, f"字段「{key}」的说明", offset=1)
        value = {k: e.value for k, e in spec.items()}
        type_name = value.get("类型")
        if not isinstance(type_name, str) or type_name not in TYPES:
            names = sorted({t.zh for t in TYPES.values()})
            self.fail("类型不对", line, field=key, expected="、".join(names),
                      found=f"「{type_name}」", hint=suggest(str(type_name), names))
            return None
        if not value.get("标签"):
            self.fail("缺少「标签」（表单和表格里显示的中文名称）", line, field=key)
            return None
        required = str(value.get("必填", "是"))
        if required not in _YES | _NO:
            self.fail("「必填」应为「是」或「否」", line, field=key, found=f"「{required}」")
        bounds: dict[str, Decimal] = {}
        for word, attr in (("最小", "min"), ("最大", "max")):
            if value.get(word) is not None:
                bound_line = spec[word].line + 1
                if not TYPES[type_name].numeric:
                    self.fail(f"「{word}」只用于数字类型的字段", bound_line, key=key)
                    continue
                try:
                    bounds[attr] = Decimal(_BOUND.parse(value[word]))
                except FieldValueError as err:
                    self.fail(f"「{word}」{err.message}", bound_line, key=key, found=err.found,
                              hint=err.hint)
        t = TYPES[type_name]
        lo, hi = bounds.get("min", t.min), bounds.get("max", t.max)
        if lo is not None and hi is not None and lo > hi:  # no number could ever fit
            given = "最小" if "max" not in bounds else "最大" if "min" not in bounds else "最小"
            self.fail("「最小」大于「最大」，没有数字能满足", spec[given].line + 1, key=key,
                      found=f"最小 {format_value(lo)}，最大 {format_value(hi)}"
                      + ("" if "min" in bounds and "max" in bounds else "（类型的默认值）"),
                      hint="请交换这两个值，或改正其中一个。")
        options = value.get("选项") or ()
        extra: dict[str, Any] = {}
        if value.get("变化提醒") is not None:
            try:
                extra["变化提醒"] = Decimal(_BOUND.parse(value["变化提醒"]))
            except FieldValueError as err:
                self.fail(f"「变化提醒」{err.message}（如 3：比上年多 3 倍或少到三分之一时提醒；"
                          "0：不提醒）", spec["变化提醒"].line + 1, key=key, found=err.found)
        return Field(
            key=key, label=str(value["标签"]), type=TYPES[type_name],
            unit=str(value.get("单位") or ""), required=required in _YES,
            max_len=self.integer(spec.get("最长"), 0) or None,
            options=tuple(str(o) for o in options) if isinstance(options, list) else (),
            help=str(value.get("说明") or ""), sample=str(value.get("样例") or ""),
            line=line, min=bounds.get("min"), max=bounds.get("max"), extra=extra,
        )

    def derived(self, entry: Entry | None) -> dict[str, Derived]:
        out: dict[str, Derived] = {}
        if entry is None:
            return out
        if not isinstance(entry.value, dict):
            self.fail("「派生」下面应是每个派生项的说明", self.line_of(entry))
            return out
        for key, spec in entry.value.items():
            line = self.line_of(spec)
            value = spec.value if isinstance(spec.value, dict) else {}
            self.check_keys(value, _DERIVED_KEYS, f"派生项「{key}」的说明")
            formula = value.get("公式")
            formula = formula.value if formula else None
            if not isinstance(formula, str) or not formula.strip():
                self.fail("派生项要写「公式」，例如：公式: 年度 - 1921", line, field=key)
                continue
            try:
                _ENV.compile_expression(formula)
            except jinja2.TemplateSyntaxError as err:
                what, hint = jinja_reason(err)
                self.fail(f"公式写法有误：{what}", line, key=key, found=f"「{formula}」",
                          hint=hint)
                continue
            label = value.get("标签")
            unit = value.get("单位")
            out[key] = Derived(key, label.value if label and isinstance(label.value, str) else key,
                               formula, unit.value if unit and isinstance(unit.value, str) else "")
        return out

    def check_jinja(self, source: str, line: int, where: str) -> None:
        try:
            tree = _ENV.parse(source)
            _ENV.from_string(source)  # compiling finds unknown filters and tests
        except jinja2.TemplateSyntaxError as err:
            lineno = _unclosed_block(source) if "end of template" in str(err.message).lower() \
                else None
            lineno = lineno or err.lineno
            err.lineno = lineno
            at = line + (lineno or 1) - 1 if line else None
            what, hint = jinja_reason(err)
            src_lines = source.split("\n")
            text = src_lines[(err.lineno or 1) - 1].strip() if err.lineno and \
                err.lineno <= len(src_lines) else ""
            self.fail(f"{where}的占位符写法有误：{what}", at, kind="syntax",
                      found=f"「{text[:30]}」" if text else None, hint=hint)
            return
        except Exception as err:  # noqa: BLE001  # too deep or too big to compile
            what, hint = jinja_reason(err)
            self.fail(f"{where}的占位符无法编译：{what}", line or None, kind="limit", hint=hint)
            return
        for tag, tag_line in forbidden_tags(tree):
            self.fail(f"{where}里不能用「{{% {tag} %}}」引用其他文件", line + tag_line - 1 if line
                      else None, kind="template", hint="每个角色模板应是独立的一个文件，请删掉这一行。")

    def check_names(self, title: str, byline: str, body: str, body_line: int,
                    fields: dict[str, Field], derived: dict[str, Derived]) -> dict[str, Field]:
        known = set(fields) | set(derived) | IDENTITY_KEYS
        used: set[str] = set()
        for src, first_line in ((title, 0), (byline, 0), (body, body_line)):
            names = meta.find_undeclared_variables(_ENV.parse(src))
            used |= names
            lines = _first_lines(src) if first_line and names - known else {}
            for name in sorted(names - known):
                line = first_line + lines.get(name, 1) - 1 if first_line else None
                self.fail(f"正文用到了没有声明的字段「{name}」", line,
                          hint=suggest(name, known) or "请在模板开头的「字段」里声明它。")
        for d in derived.values():
            used |= meta.find_undeclared_variables(_ENV.parse("{{ " + d.formula + " }}"))
        for key, f in fields.items():
            if key not in used:
                self.fail("字段已声明，但标题和正文都没有用到它", f.line, field=key,
                          hint=f"请在正文里写「{{{{ {key} }}}}」，或删除这个字段。")
        # Which section each field first appears in: the form groups inputs by it.
        sections: dict[str, str] = {}
        section = "开头"
        for raw in body.split("\n"):
            if raw.startswith("# "):
                section = raw[2:].strip()
            for name in _names_in(raw):
                if name in fields:
                    sections.setdefault(name, section)
        return {k: replace(f, section=sections.get(k, "基本信息")) for k, f in fields.items()}

    def lint_characters(self) -> None:
        """Every character a value may not hold (:func:`kit.report.fields.refused`: control,
        zero-width, direction, private-use… characters), anywhere in the file, each line
        once; and Unicode's line separators, which are no line of the markup (lines are
        \\n) and which YAML would read as a line break no editor shows."""
        for i, raw in enumerate(self.text.split("\n"), start=1):
            at = next((j for j, c in enumerate(raw) if c in LINE_SEPARATORS), None)
            first = first_refused(raw)
            if first is not None and (at is None or first < at):
                at = first
            if at is not None:
                clean = "".join(c for c in without_refused(raw) if c not in LINE_SEPARATORS)
                self.fail(f"模板里{refused_message(raw, at, LINE_SEPARATORS)}", i,
                          kind="unsafe_char", found=refused_excerpt(raw, at),
                          hint=refused_hint(clean.strip()))

    def lint_numbering(self, body: str, body_line: int) -> None:
        for i, raw in enumerate(body.split("\n")):
            if _NUMBERED.match(raw.strip()):
                self.fail("标题和条目不要自己写编号（「一、」「（一）」「一是」由本工具自动编排）",
                          body_line + i, found=f"「{raw.strip()[:16]}」",
                          hint="请删掉行首的编号。")


_BLOCK_TAG = re.compile(r"{%[-+]?\s*(\w+)")
_OPENING = {"if", "for", "macro", "call", "filter", "raw", "block", "with", "trans"}


def _unclosed_block(source: str) -> int | None:
    """The line of the innermost ``{% if %}``/``{% for %}`` left open: where the user
    has to add the ``{% end… %}`` (Jinja only notices at the end of the template)."""
    stack: list[tuple[str, int]] = []
    for m in _BLOCK_TAG.finditer(source):
        tag = m.group(1)
        if tag in _OPENING:
            stack.append((tag, source.count("\n", 0, m.start()) + 1))
        elif tag.startswith("end") and stack and stack[-1][0] == tag[3:]:
            stack.pop()
    return stack[-1][1] if stack else None


_PLACEHOLDER = re.compile(r"[{%][^}]*")
_WORD = re.compile(r"\w+")


def _names_in(line: str) -> Iterator[str]:
    """The words inside a line's placeholders and tags (one pass over the line, so a
    template's check stays linear in its size, however many fields it declares)."""
    for span in _PLACEHOLDER.finditer(line):
        yield from _WORD.findall(span.group())


def _first_lines(source: str) -> dict[str, int]:
    """Each placeholder word's first line in ``source`` (1-based)."""
    found: dict[str, int] = {}
    for i, line in enumerate(source.split("\n"), start=1):
        for name in _names_in(line):
            found.setdefault(name, i)
    return found

