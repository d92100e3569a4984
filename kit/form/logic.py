"""What the form does, without any widget: check, preview, open, save, make Word.

The widgets in :mod:`kit.form.widgets` only collect raw values and call these
functions, so every rule is the batch's own (:func:`kit.params.validate`,
:meth:`kit.fields.Field.parse`) and can be tested without a browser.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from kit.errors import KitError, ParamsError, Problem, display_path
from kit.fields import Field, Value
from kit.iorw import atomic_write_bytes, atomic_write_text, safe_filename
from kit.model import Report
from kit.params import check as check_params
from kit.params import plain_value, validate
from kit.pipeline import write_docx
from kit.render import render
from kit.templates import RoleTemplate
from kit.yamlio import Entry, ParamsSyntax, decode, dump, load_mapping

BACKUP_SUFFIX = ".bak"  # params/x.yaml → params/x.yaml.bak: not *.yaml, so the batch skips it
_BLANK = "\ue100"  # stands for an unfilled value in the preview; Field.parse strips such chars


def is_empty(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


@dataclass
class FormCheck:
    """The result of checking a whole form: the batch's verdict, sorted by field."""

    template: RoleTemplate
    raw: dict[str, Any]
    values: dict[str, Value]
    problems: list[Problem]
    errors: dict[str, list[str]] = field(default_factory=dict)  # key → wrong values
    missing: set[str] = field(default_factory=set)  # required keys left empty
    notes: dict[str, list[str]] = field(default_factory=dict)  # key → warnings

    @property
    def ok(self) -> bool:
        return not self.problems

    def reasons(self) -> list[str]:
        """One line per problem, with the field's label, for the 「没有保存」 message."""
        fields = self.template.all_fields
        out = []
        for key in [*self.errors, *sorted(self.missing, key=list(fields).index)]:
            label = fields[key].label
            for text in self.errors.get(key, []) or ["缺少必填项"]:
                out.append(f"「{label}」：{text}")
        keyed = {_problem_name(f) for f in fields.values()}
        out += [str(p) for p in self.problems if p.field not in keyed]
        return out


def _problem_name(f: Field) -> str:
    """How :func:`kit.params.validate` names a field in a Problem."""
    return f.key if f.key == f.label else f"{f.key}（{f.label}）"


def problem_text(p: Problem) -> str:
    """A Problem without its 「文件…字段…」 prefix: shown beside the field it is about."""
    text = p.message
    if p.expected is not None:
        text += f"（应为：{p.expected}）"
    return text + (f" {p.hint}" if p.hint else "")


def check_form(template: RoleTemplate, raw: Mapping[str, Any]) -> FormCheck:
    """Check the form's raw values (None or "" for empty) with the batch's validation."""
    entries = {k: Entry(k, v, 0) for k, v in raw.items() if not is_empty(v)}
    values, problems, warnings = validate(template, entries, file="")
    fields = template.all_fields
    by_name = {_problem_name(f): f.key for f in fields.values()}
    result = FormCheck(template, dict(raw), values, problems)
    for p in problems:
        key = by_name.get(p.field or "")
        if key is None:
            continue
        if fields[key].required and is_empty(raw.get(key)):
            result.missing.add(key)
        else:
            result.errors.setdefault(key, []).append(problem_text(p))
    for w in warnings:
        for f in fields.values():
            if f"「{f.label}」" in w:
                result.notes.setdefault(f.key, []).append(w)
                break
    return result


# ---------------------------------------------------------------- preview

def preview_html(chk: FormCheck) -> str:
    """The report as it will read, with unfilled or wrong values shown as marked blanks."""
    template = chk.template
    values: dict[str, Any] = dict(chk.values)
    for f in template.all_fields.values():
        if f.key not in values:
            optional_role_field = f.key in template.fields and not f.required
            values[f.key] = "" if optional_role_field and f.key not in chk.errors else _BLANK
    try:
        report = render(template, values)
    except KitError:
        return ('<div class="kit-preview-wait">填好「年度」等基本信息后，这里显示报告预览。</div>')
    return report_html(report)


def report_html(report: Report) -> str:
    def esc(text: str) -> str:
        return html.escape(text).replace(_BLANK, '<span class="kit-blank">＿＿</span>')

    parts = [f'<div class="kit-doc-title">{esc(report.title)}</div>']
    if report.byline:
        parts.append(f'<div class="kit-doc-byline">{esc(report.byline)}</div>')
    for b in report.blocks:
        head = f'<span class="kit-doc-{b.kind}">{esc(b.heading)}</span>' if b.heading else ""
        parts.append(f'<p class="kit-doc-p">{head}{esc(b.text)}</p>')
    return "\n".join(parts)


# ---------------------------------------------------------------- files

@dataclass
class Opened:
    """A parameter file read for editing.  ``raw`` holds the values as typed in the file;
    ``problems`` are the batch's complaints about it (shown, the form still opens)."""

    path: Path
    role: str | None
    raw: dict[str, Any]
    problems: list[Problem]
    header: str  # the file's leading comment lines, kept when saving
    mtime_ns: int


def open_params(path: str | Path, templates: str | Path | None = None,
                name: str | None = None) -> Opened:
    """Read a parameter file; ``name`` is how messages call it (default: as given)."""
    path = Path(path)
    file = name or display_path(path)
    data = path.read_bytes()
    stat = path.stat()
    header = "\n".join(line[1:].strip() for line in _leading_comments(data))
    try:
        entries = load_mapping(decode(data, file), file)
    except ParamsSyntax as err:
        return Opened(path, None, {}, [err.problem], header, stat.st_mtime_ns)
    raw = {k: e.value for k, e in entries.items() if k != "角色"}
    role = entries["角色"].value if "角色" in entries else None
    problems: list[Problem] = []
    try:
        check_params(entries, file=file, path=path, templates=templates)
    except ParamsError as err:
        problems = err.problems
    return Opened(path, str(role).strip() if role else None, raw, problems, header,
                  stat.st_mtime_ns)


def _leading_comments(data: bytes) -> list[str]:
    out = []
    for line in data.decode("utf-8", "replace").lstrip("\ufeff").splitlines():
        if not line.startswith("#"):
            break
        out.append(line)
    return out


def default_filename(chk: FormCheck) -> str:
    """「东山镇-镇党建办主任-李明华.yaml」 for a new official."""
    parts = [str(chk.values.get("单位", "")), chk.template.role, str(chk.values.get("姓名", ""))]
    return safe_filename("-".join(p for p in parts if p)) + ".yaml"


def params_text(chk: FormCheck, header: str = "") -> str:
    """The parameter file of a valid form: 角色, identity, then the role's fields."""
    out: dict[str, Any] = {"角色": chk.template.role}
    for key in chk.template.all_fields:
        if key in chk.values and not is_empty(chk.raw.get(key)):
            out[key] = plain_value(chk.values[key])
    return dump(out, header=header)


@dataclass
class Saved:
    path: Path
    written: bool  # False: nothing written (needs confirmation)
    backup: Path | None = None


def save_params(path: str | Path, chk: FormCheck, *, header: str = "",
                known_mtime_ns: int | None = None, overwrite: bool = False) -> Saved:
    """Write the form to ``path`` atomically.

    An invalid form raises ParamsError (nothing written).  An existing file is replaced
    only when ``overwrite`` is true or it is the very file the form opened/saved
    (``known_mtime_ns`` unchanged); its previous version is always kept as ``*.bak``.
    """
    path = Path(path)
    if not chk.ok:
        raise ParamsError(chk.problems)
    text = params_text(chk, header)
    backup = None
    if path.exists():
        if not overwrite and path.stat().st_mtime_ns != known_mtime_ns:
            return Saved(path, written=False)
        backup = path.with_name(path.name + BACKUP_SUFFIX)
        atomic_write_bytes(backup, path.read_bytes())
    atomic_write_text(path, text)
    return Saved(path, written=True, backup=backup)


def write_word(chk: FormCheck, out_dir: str | Path) -> Path:
    """This official's .docx (the batch's writer and file name)."""
    if not chk.ok:
        raise ParamsError(chk.problems)
    return write_docx(render(chk.template, chk.values), out_dir)


def download_link(path: Path, text: str | None = None) -> str:
    """An <a download> carrying the file itself: works in JupyterLab and Voilà alike, with
    no file server route to configure."""
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    mime = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    name = html.escape(path.name, quote=True)
    return (f'<a class="kit-download" download="{name}" href="data:{mime};base64,{data}">'
            f'{html.escape(text or "下载 " + path.name)}</a>')


def default_year(today: date | None = None) -> int:
    """述职 is written at the end of a year or early in the next: before July, last year."""
    today = today or date.today()
    return today.year if today.month >= 7 else today.year - 1
