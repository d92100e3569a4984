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

The body's markup is explained in :mod:`kit.render`.  Placeholders are Jinja2
expressions run in a sandbox; values are inserted as data, never as template code.
Everything that can be wrong with a template is found when it is loaded, with the
file and line in the message.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import meta
from jinja2.sandbox import ImmutableSandboxedEnvironment

from kit import layout
from kit.errors import Problem, TemplateError, display_path, os_reason, suggest
from kit.fields import IDENTITY, IDENTITY_KEYS, TYPES, Field
from kit.yamlio import Entry, ParamsSyntax, decode, load_mapping

TEMPLATE_SUFFIX = ".md"
_HEADER_KEYS = {"角色", "标题", "署名", "排位", "字段", "派生"}
_FIELD_KEYS = {"标签", "类型", "单位", "必填", "最小", "最大", "最长", "选项", "说明", "样例"}
_DERIVED_KEYS = {"标签", "公式", "单位"}
_YES = {"是", "true", "True", "yes", "必填", "1"}
_NO = {"否", "false", "False", "no", "选填", "0"}
_NUMBERED = re.compile(r"^(#{1,2}|-)\s*(?:[一二三四五六七八九十]+[、是]|（[一二三四五六七八九十]+）)")


def make_environment(finalize: Any = None) -> jinja2.Environment:
    """The one Jinja2 set-up: sandboxed, strict about unknown names, no autoescape
    (the output is Word text, not HTML)."""
    return ImmutableSandboxedEnvironment(
        undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=True,
        trim_blocks=True, lstrip_blocks=True, finalize=finalize,
    )


_ENV = make_environment()


@dataclass(frozen=True)
class Derived:
    """A figure computed from others, e.g. 建党周年 = 年度 - 1921."""

    key: str
    label: str
    formula: str
    unit: str = ""

    def evaluate(self, context: dict[str, Any]) -> Any:
        return _ENV.compile_expression(self.formula, undefined_to_none=False)(**context)


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
    if Path(layout.TEMPLATES).is_dir():
        return Path(layout.TEMPLATES)
    return layout.shipped(layout.TEMPLATES)


def load_roles(directory: str | Path | None = None) -> dict[str, RoleTemplate]:
    """Every role template of a folder, by role name.  Broken files raise TemplateError."""
    folder = templates_dir(directory)
    files = sorted(p for p in folder.glob(f"*{TEMPLATE_SUFFIX}") if p.stem.upper() != "README")
    stamp = tuple((str(p), p.stat().st_mtime_ns) for p in files)
    return _load_roles_cached(stamp)


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
        text = decode(path.read_bytes(), file)
    except ParamsSyntax as err:
        raise TemplateError(err.problem) from None
    except OSError as err:
        raise TemplateError(Problem(f"无法读取模板文件：{os_reason(err)}", file=file)) from None
    return _Parser(text, path, file).parse()


class _Parser:
    def __init__(self, text: str, path: Path, file: str) -> None:
        self.text, self.path, self.file = text.replace("\r\n", "\n"), path, file
        self.problems: list[Problem] = []

    def fail(self, message: str, line: int | None = None, **kw: Any) -> None:
        self.problems.append(Problem(message, file=self.file, line=line, **kw))

    def parse(self) -> RoleTemplate:
        header_text, body, body_line = self.split()
        try:
            header = load_mapping(header_text, self.file)
        except ParamsSyntax as err:
            p = err.problem
            # Header lines are counted from the file's second line (after 「---」).
            line = p.line + 1 if p.line else None
            raise TemplateError(Problem(p.message, file=self.file, line=line,
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
        try:
            return int(str(entry.value))
        except ValueError:
            self.fail("应为整数", self.line_of(entry), field=entry.key, found=f"「{entry.value}」")
            return default

    def fields(self, entry: Entry | None) -> dict[str, Field]:
        if entry is None:
            return {}
        if not isinstance(entry.value, dict):
            self.fail("「字段」下面应是每个字段的说明", self.line_of(entry))
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
        if type_name not in TYPES:
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
        bounds = {}
        for word, attr in (("最小", "min"), ("最大", "max")):
            if value.get(word) is not None:
                try:
                    bounds[attr] = Decimal(str(value[word]))
                except InvalidOperation:
                    self.fail(f"「{word}」应为数字", line, field=key, found=f"「{value[word]}」")
        options = value.get("选项") or ()
        return Field(
            key=key, label=str(value["标签"]), type=TYPES[type_name],
            unit=str(value.get("单位") or ""), required=required in _YES,
            max_len=self.integer(spec.get("最长"), 0) or None,
            options=tuple(str(o) for o in options) if isinstance(options, list) else (),
            help=str(value.get("说明") or ""), sample=str(value.get("样例") or ""),
            line=line, **bounds,
        )

    def derived(self, entry: Entry | None) -> dict[str, Derived]:
        out: dict[str, Derived] = {}
        if entry is None:
            return out
        for key, spec in (entry.value or {}).items():
            line = self.line_of(spec)
            value = spec.value if isinstance(spec.value, dict) else {}
            self.check_keys(value, _DERIVED_KEYS, f"派生项「{key}」的说明")
            formula = value.get("公式")
            formula = formula.value if formula else None
            if not formula:
                self.fail("派生项要写「公式」，例如：公式: 年度 - 1921", line, field=key)
                continue
            try:
                _ENV.compile_expression(formula)
            except jinja2.TemplateSyntaxError as err:
                self.fail(f"公式写法有误：{err.message}", line, field=key, found=f"「{formula}」")
                continue
            label = value.get("标签")
            unit = value.get("单位")
            out[key] = Derived(key, label.value if label else key, formula,
                               unit.value if unit else "")
        return out

    def check_jinja(self, source: str, line: int, where: str) -> None:
        try:
            _ENV.parse(source)
        except jinja2.TemplateSyntaxError as err:
            self.fail(f"{where}的占位符写法有误：{err.message}", line + (err.lineno or 1) - 1,
                      hint="占位符应写成「{{ 字段名 }}」，条件段落写成「{% if 字段名 %}…{% endif %}」。")

    def check_names(self, title: str, byline: str, body: str, body_line: int,
                    fields: dict[str, Field], derived: dict[str, Derived]) -> dict[str, Field]:
        known = set(fields) | set(derived) | IDENTITY_KEYS
        used: set[str] = set()
        for src, first_line in ((title, 0), (byline, 0), (body, body_line)):
            names = meta.find_undeclared_variables(_ENV.parse(src))
            used |= names
            for name in sorted(names - known):
                line = first_line + _line_in(src, name) - 1 if first_line else None
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
            for key in fields:
                if key not in sections and re.search(r"[{%][^}]*\b" + re.escape(key) + r"\b", raw):
                    sections[key] = section
        return {k: replace(f, section=sections.get(k, "基本信息")) for k, f in fields.items()}

    def lint_numbering(self, body: str, body_line: int) -> None:
        for i, raw in enumerate(body.split("\n")):
            if _NUMBERED.match(raw.strip()):
                self.fail("标题和条目不要自己写编号（「一、」「（一）」「一是」由本工具自动编排）",
                          body_line + i, found=f"「{raw.strip()[:16]}」",
                          hint="请删掉行首的编号。")


def _line_in(source: str, name: str) -> int:
    for i, line in enumerate(source.split("\n"), start=1):
        if re.search(r"[{%][^}]*\b" + re.escape(name) + r"\b", line):
            return i
    return 1


def get_role(role: str, directory: str | Path | None = None) -> RoleTemplate:
    """The template of one role; unknown roles raise TemplateError listing the known ones."""
    roles = load_roles(directory)
    if role not in roles:
        raise TemplateError(Problem(f"没有「{role}」这个角色的模板", expected="、".join(roles),
                                    found=f"「{role}」", hint=suggest(role, roles)))
    return roles[role]
