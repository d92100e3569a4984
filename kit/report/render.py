"""Render a role template with one official's values into a numbered :class:`Report`.

Body markup (after the template's placeholders are filled in):

* blocks are separated by blank lines; the lines of one block are joined;
* ``# 标题`` is a level-1 heading (numbered 一、二、…); lines right under it, with no
  blank line between, are run-in text of the same paragraph;
* ``## 标题`` is a level-2 heading (（一）（二）…);
* ``- 文字`` is an enumerated item (一是、二是、…, counted per section);
* ``{是}`` inside a paragraph is an inline item (一是、二是、…, counted per paragraph).

Numbering happens after conditional blocks are resolved and empty blocks dropped, so
a dropped or added item never leaves a gap.  Values are inserted as opaque markers
while the structure is parsed and only then replaced by their text, so a value that
looks like markup (「# 标题」, 「{是}」, 「{{ 7*7 }}」) stays literally what was typed.
"""

from __future__ import annotations

import re
from contextvars import ContextVar
from typing import Any

import jinja2

from kit.errors import Problem, TemplateError, display_path
from kit.report.fields import IDENTITY, FieldValueError, format_value
from kit.report.model import Block, BlockKind, Report
from kit.report.numbering import heading1, heading2, item_mark
from kit.report.templates import (
    MAX_OUTPUT_CHARS,
    RenderLimit,
    RoleTemplate,
    alarm,
    deadline,
    jinja_reason,
    make_environment,
    render_limited,
)

_tokens: ContextVar[list[str]] = ContextVar("tokens")
_sizes: ContextVar[list[int]] = ContextVar("sizes")  # characters of the values so far
_TOKEN = re.compile("\ue000(\\d+)\ue001")
_BLANK_LINES = re.compile(r"\n[ \t\u3000]*\n")
_INLINE_ITEM = "{是}"


# Called as the template runs, for constant output too: Jinja applies a finalize that
# takes no context at compile time, and compiled templates are reused between reports
# (kit.report.templates.compiled), so a marker made then would point into another report's values.
@jinja2.pass_eval_context
def _finalize(eval_ctx: Any, value: Any) -> str:
    tokens = _tokens.get()
    text = format_value(value)
    # Values stand in the output as short markers: count their own length against the
    # output limit (a 「join」 of 100,000 items is one marker).
    _sizes.get()[0] += len(text)
    if _sizes.get()[0] > MAX_OUTPUT_CHARS:
        raise RenderLimit(f"生成的正文太长（上限 {MAX_OUTPUT_CHARS} 字），模板里可能有过大的循环")
    tokens.append(text)
    return f"\ue000{len(tokens) - 1}\ue001"


_ENV = make_environment(finalize=_finalize)


def render(template: RoleTemplate, values: dict[str, Any], *,
           timeout: float | None = None) -> Report:
    """The report of one official.  ``values`` holds typed identity and field values
    (as :mod:`kit.report.params` returns them); optional fields may be absent.  The template
    runs within ``timeout`` seconds (default :data:`kit.report.templates.RENDER_TIMEOUT`);
    anything it does wrong is a TemplateError naming the file and line."""
    with deadline(timeout) as seconds:
        try:
            with alarm(seconds):
                return _render_report(template, values)
        except RenderLimit as err:  # the backstop fired outside the template's own code
            raise TemplateError(Problem(f"模板无法生成正文：{err.what}",
                                        file=display_path(template.path), kind="limit")) from None


def _render_report(template: RoleTemplate, values: dict[str, Any]) -> Report:
    context = {f.key: "" for f in template.fields.values()} | dict(values)
    context["角色"] = template.role
    for d in template.derived.values():
        try:
            context[d.key] = d.evaluate(context)
        except Exception as err:  # a template's formula failing is the template's fault
            what, hint = jinja_reason(err)
            raise TemplateError(Problem(f"派生项「{d.key}」的公式「{d.formula}」算不出来：{what}",
                                        file=display_path(template.path), key=d.key,
                                        kind="template", hint=hint)) from None
    token, size_token = _tokens.set([]), _sizes.set([0])
    try:
        title = _fill(_render(template, template.title, context, "标题")).strip()
        # No name, no byline: a half-filled 「党建办主任」 line helps nobody.
        byline = _fill(_render(template, template.byline, context, "署名")).strip() \
            if values.get("姓名") else ""
        blocks = _number(_parse(_render(template, template.body, context, "正文")))
    finally:
        _tokens.reset(token)
        _sizes.reset(size_token)
    return Report(title=title, byline=byline, blocks=tuple(blocks), role=template.role,
                  name=str(values.get("姓名", "")), unit=str(values.get("单位", "")),
                  year=_year(values.get("年度")),
                  rank=template.rank, order=values.get("排序") or None)


def _year(value: Any) -> int:
    """The report's year: an int as checked, else 0 (a form half filled in, 「²⁰²³」)."""
    text = str(value if value is not None else "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 4 else 0


def placeholder_values(template: RoleTemplate) -> dict[str, Any]:
    """Every blank at the sample's own text (「x」「xx」…), typed where it parses (「2023」)."""
    values: dict[str, Any] = {}
    for f in (*IDENTITY, *template.fields.values()):
        try:
            values[f.key] = f.parse(f.sample) if f.sample else ""
        except FieldValueError:
            values[f.key] = f.sample
    return values


def render_placeholders(template: RoleTemplate) -> Report:
    """The report with every blank showing the sample's own text."""
    return render(template, placeholder_values(template))


def _render(template: RoleTemplate, source: str, context: dict[str, Any], where: str) -> str:
    try:
        return render_limited(_ENV, source, context)
    except Exception as err:  # whatever a template does is reported, never a traceback
        what, hint = jinja_reason(err)
        line = _template_line(err)
        if line is not None:
            line = template.body_line + line - 1 if where == "正文" else None
        raise TemplateError(Problem(f"模板无法生成正文（{where}）：{what}",
                                    file=display_path(template.path), line=line,
                                    kind="limit" if _is_limit(err) else "template",
                                    hint=hint)) from None


def _is_limit(err: BaseException) -> bool:
    return isinstance(err, RenderLimit | MemoryError | RecursionError)


def _template_line(err: BaseException) -> int | None:
    """The template line where ``err`` happened (Jinja puts template lines into the
    traceback), or None."""
    if isinstance(err, jinja2.TemplateSyntaxError):
        return err.lineno
    line = None
    tb = err.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _fill(text: str) -> str:
    tokens = _tokens.get()
    return _TOKEN.sub(lambda m: tokens[int(m.group(1))], text)


def _parse(body: str) -> list[tuple[BlockKind, str, str, bool]]:
    """(kind, heading, text, is_item) per block, values still as markers, not numbered."""
    blocks: list[tuple[BlockKind, str, str, bool]] = []
    kind: BlockKind
    for chunk in _BLANK_LINES.split(body.replace("\r\n", "\n")):
        lines = [line.strip() for line in chunk.strip().split("\n") if line.strip()]
        if not lines:
            continue
        first = lines[0]
        if first.startswith("# ") or first.startswith("## "):
            kind = "heading2" if first.startswith("## ") else "heading1"
            heading, text, item = first.lstrip("#").strip(), "".join(lines[1:]), False
        else:
            joined = "".join(lines)
            item = joined.startswith("- ") or joined == "-"
            kind, heading, text = "paragraph", "", joined[1:].strip() if item else joined
        if _fill(heading + text).strip():  # a block whose values are all empty is dropped
            blocks.append((kind, heading, text, item))
    return blocks


def _number(blocks: list[tuple[BlockKind, str, str, bool]]) -> list[Block]:
    out, h1, h2, item = [], 0, 0, 0
    for kind, heading, text, is_item in blocks:
        if kind == "heading1":
            h1, h2, item = h1 + 1, 0, 0
            heading = heading1(h1) + heading
        elif kind == "heading2":
            h2, item = h2 + 1, 0
            heading = heading2(h2) + heading
        if is_item:
            item += 1
            text = item_mark(item) + text
        # Inline markers are numbered before values are filled in: a value is never markup.
        out.append(Block(kind, _fill(heading), _fill(_number_inline(text))))
    return out


def _number_inline(text: str) -> str:
    count = 0

    def next_item(_: re.Match[str]) -> str:
        nonlocal count
        count += 1
        return item_mark(count)

    return re.sub(re.escape(_INLINE_ITEM), next_item, text)
