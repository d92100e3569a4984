"""What the form does, without any widget: check, preview, open, save, make Word.

The widgets in :mod:`kit.form.widgets` only collect raw values and call these
functions, so every rule is the batch's own (:func:`kit.report.params.validate`,
:meth:`kit.report.fields.Field.parse`) and can be tested without a browser.
"""

from __future__ import annotations

import base64
import hashlib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from kit.build.official import write_by_hand
from kit.errors import KitError, ParamsError, Problem, display_path
from kit.hub import scope
from kit.iorw import atomic_write_bytes, backup_generations
from kit.report.fields import Value, is_blank
from kit.report.identity import Identity, params_filename
from kit.report.model import Report
from kit.report.params import check as check_params
from kit.report.params import find_params, plain_value, read_entries, validate
from kit.report.render import render
from kit.report.templates import RoleTemplate
from kit.report.yamlio import Entry, ParamsSyntax, decode, dump, load_mapping
from kit.review.pages import render_page, render_piece
from kit.review.record import LOCAL, REFUSED, SAVED, Save, Store
from kit.review.status import identity_key

_BLANK = "\ue100"  # an unfilled value in the preview; Field.parse refuses such chars


def is_empty(raw: Any) -> bool:
    return is_blank(raw)  # the batch's own rule (kit.report.fields)


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
        out += [str(p) for p in self.problems if p.key not in fields]
        return out


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
    result = FormCheck(template, dict(raw), values, problems)
    for p in problems:
        key = p.key
        if key is None or key not in fields:
            continue  # not about one box (e.g. an unknown key): listed by reasons()
        if fields[key].required and is_empty(raw.get(key)):
            result.missing.add(key)
        else:
            result.errors.setdefault(key, []).append(problem_text(p))
    for w in warnings:
        if w.key is not None and w.key in fields:
            result.notes.setdefault(w.key, []).append(w)
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
        return render_piece("form.html.j2", "preview_wait")
    return report_html(report)


def report_html(report: Report) -> str:
    """The review pages' own report→HTML (kit/review/report.html.j2), blanks marked."""
    page = render_page("report.html.j2", report=report)
    return page.replace(_BLANK, render_piece("form.html.j2", "blank"))


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
    sha256: str  # of the bytes read: a save over a file changed since then is refused
    identity: Identity = Identity("", "", "")


def open_params(path: str | Path, templates: str | Path | None = None,
                name: str | None = None) -> Opened:
    """Read a parameter file; ``name`` is how messages call it (default: as given)."""
    path = Path(path)
    file = name or display_path(path)
    data = path.read_bytes()
    header = "\n".join(line[1:].strip() for line in _leading_comments(data))
    try:
        entries = load_mapping(decode(data, file), file)
    except ParamsSyntax as err:
        scope.check_unit(None, file)  # a hub account: an unreadable file is nobody's
        return Opened(path, None, {}, [err.problem], header, _sha256(data))
    raw = {k: e.value for k, e in entries.items() if k != "角色"}
    ident = Identity.of(entries)
    scope.check_unit(ident.unit, file)  # a hub account: its own units only
    role = entries["角色"].value if "角色" in entries else None
    problems: list[Problem] = []
    try:
        check_params(entries, file=file, path=path, templates=templates)
    except ParamsError as err:
        problems = err.problems
    return Opened(path, str(role).strip() if role else None, raw, problems, header,
                  _sha256(data), ident)


def _leading_comments(data: bytes) -> list[str]:
    out = []
    for line in data.decode("utf-8", "replace").lstrip("\ufeff").splitlines():
        if not line.startswith("#"):
            break
        out.append(line)
    return out


def identity(chk: FormCheck) -> Identity:
    """Who the form is about (values as checked, 角色 from the template)."""
    return Identity.of({**{k: chk.raw.get(k) for k in ("单位", "姓名")}, **chk.values,
                        "角色": chk.template.role})


def default_filename(chk: FormCheck) -> str:
    """「东山镇-镇党建办主任-李明华.yaml」 for a new official: the kit's one naming rule."""
    ident = identity(chk)
    return params_filename(ident.unit, ident.role, ident.name)


def _person(ident: Identity) -> tuple[str, ...]:
    """单位+姓名+年度 compared as the batch reads them (「２０２３」 is 2023)."""
    return tuple(unicodedata.normalize("NFKC", part).strip() for part in ident.person)


def file_identity(path: Path) -> Identity | None:
    """Who a parameter file is about; None when it cannot be read as one.  Remembered
    while the file stays as it was (inode, size, mtime, ctime): each save lists and checks
    every file of the folder, and parsing them all again made 30 clerks' saves at once
    take seconds."""
    try:
        st = path.stat()
    except OSError:
        return None
    key = (str(path), st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
    if key not in _IDENTITIES:
        try:
            _IDENTITIES[key] = Identity.of(read_entries(path))
        except KitError:
            _IDENTITIES[key] = None
        if len(_IDENTITIES) > 4 * _KEEP:  # files saved over: drop the oldest
            for old in list(_IDENTITIES)[:-_KEEP]:
                del _IDENTITIES[old]
    return _IDENTITIES[key]


_KEEP = 1000
_IDENTITIES: dict[tuple, Identity | None] = {}


def files_about(folder: Path, ident: Identity, exclude: Path | None = None) -> list[Path]:
    """The parameter files in ``folder`` (any name) about the same 单位+姓名+年度."""
    if not ident.name or not folder.is_dir():
        return []
    skip = exclude.resolve() if exclude else None
    out = []
    for path in find_params(folder):
        if path.resolve() == skip:
            continue
        other = file_identity(path)
        if other is not None and other.name and _person(other) == _person(ident):
            out.append(path)
    return out


_LABELS = {"role": "角色", "unit": "单位", "name": "姓名", "year": "年度"}


def changes(before: Identity, after: Identity) -> list[str]:
    """「角色：镇委书记 → 镇党建办主任」 for each of 角色、单位、姓名、年度 that differs."""
    out = []
    for attr, label in _LABELS.items():
        a, b = getattr(before, attr), getattr(after, attr)
        if unicodedata.normalize("NFKC", a) != unicodedata.normalize("NFKC", b):
            out.append(f"{label}：{a or '（空）'} → {b or '（空）'}")
    return out


def describe(ident: Identity) -> str:
    """「东山镇 王建国（2023 年度，镇委书记）」."""
    text = f"{ident.unit} {ident.name}".strip() or "（未写姓名）"
    details = "，".join(x for x in (f"{ident.year} 年度" if ident.year else "", ident.role) if x)
    return f"{text}（{details}）" if details else text


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
    written: bool  # False: nothing written; see question / duplicate / changed
    backup: Path | None = None
    question: str | None = None  # what to confirm before replacing the file
    duplicate: Path | None = None  # refused: this official already has this file
    changed: str | None = None  # refused: the file changed since the form read it (who, when)
    differs: list[str] = field(default_factory=list)  # then: the boxes unlike that version
    sha256: str | None = None  # of the bytes written; with a question, of the file asked about


# What a clerk whose save was refused (``Saved.changed``) does next.
AFTER_CHANGED = "您填写的内容还在表单里；请记下您的修改，点「重新打开」看对方的版本再改。"


def save_params(path: str | Path, chk: FormCheck, *, folder: str | Path | None = None,
                header: str = "", known_sha256: str | None = None,
                overwrite: bool = False, name: str | None = None) -> Saved:
    """Write the form to ``path`` atomically, never over someone else's data.

    * An invalid form raises ParamsError (nothing written).
    * Another file in ``folder`` (default: ``path``'s) about the same 单位+姓名+年度 refuses
      the save (``duplicate``): one official, one file, whatever it is called — ``path``
      itself too, unless it is the file the form read (``known_sha256`` given) or
      replacing it was confirmed (``overwrite``).
    * ``known_sha256``: the sha256 of the bytes the form read ``path`` with.  When the file
      holds other bytes now, the save is refused (``changed``: who saved it and when, from
      the record) — the same rule for ``kit form`` and the hub, with no 「覆盖」 to confirm:
      the other version may be a colleague's, or this person's own in another window, and
      confirming is exactly how it would be lost.
    * Otherwise an existing ``path`` is replaced without asking only when the form read it
      and it is about the same official in the same role; else ``question`` says who the
      file is about and what would change, and nothing is written unless ``overwrite``
      (pass the question's ``sha256`` as ``known_sha256``: the confirmation holds for the
      version it was about).
    * Each replaced version is kept as a timestamped ``.bak`` (several generations).
    * Every save, and every save refused for ``changed``, is recorded with who (the hub
      account, or 「本机」), when, the official and the sha256 of the bytes in the review
      record (kit.review.record); the check and the write happen inside the record's write
      transaction, so of two forms saving at once the second sees the first's save.
    ``name`` is how messages call ``path`` (default: its file name).
    """
    path = Path(path)
    if not chk.ok:
        raise ParamsError(chk.problems)
    name = name or path.name
    ident = identity(chk)
    scope.check_place(path, Path(folder) if folder else path.parent)
    scope.check_unit(ident.unit, name)
    if path.exists() and scope.units() is not None:  # nor over another unit's file
        before = file_identity(path)
        scope.check_unit(before.unit if before else None, name)
    # ``path`` itself counts too unless the form read it (or replacing it was confirmed):
    # a new form for an official whose file has the very name the rule gives is refused
    # like any other second file.
    mine = known_sha256 is not None or overwrite
    others = files_about(Path(folder) if folder else path.parent, ident,
                         exclude=path if mine else None)
    if others:
        return Saved(path, written=False, duplicate=others[0])
    data = params_text(chk, header).encode("utf-8")
    digest = _sha256(data)
    account, person = scope.saver(path.parent)
    with Store.of_folder(path.parent).saving() as record:
        now = _sha256(path.read_bytes()) if path.exists() else None
        if known_sha256 is not None and now is not None and now != known_sha256:
            record.add(identity_key(ident), path.name, digest, REFUSED, account, person)
            return Saved(path, written=False, differs=_differs(chk, path),
                         changed=_changed_since(record.last_saved(path.name), now))
        if now is not None and not overwrite:
            question = None
            before = file_identity(path)
            diff = changes(before, ident) if before is not None and before.name else []
            if before is not None and diff:
                question = (f"「{name}」是 {describe(before)} 的参数文件。保存会改动："
                            + "；".join(diff) + "。要覆盖它吗？")
            elif known_sha256 is None:
                question = f"「{name}」已经存在。要用现在填写的内容覆盖它吗？"
            if question:
                return Saved(path, written=False, sha256=now,
                             question=question + "（原来的内容会另存为带时间的 .bak 备份）")
        backup = backup_generations(path)
        atomic_write_bytes(path, data)
        record.add(identity_key(ident), path.name, digest, SAVED, account, person)
    return Saved(path, written=True, backup=backup, sha256=digest)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _changed_since(last: Save | None, now: str) -> str:
    """「东山镇的 clerk01（张三）在 10:42 保存过这份文件，您打开之后它已经变了。…」: who
    made the version there now, when the record's last save of the file is that version."""
    if last is not None and last.sha256 == now:
        unit = last.official.split("|")[0]
        who = last.who if last.account == LOCAL or not unit else f"{unit}的 {last.who}"
        space = "" if who.endswith("）") else " "  # 「（李东）在」, 「dongshan 在」
        what = f"{who}{space}在 {_when(last.at)} 保存过这份文件"
    else:
        what = "这份文件被表单以外的方式改过（其他软件、导入或复制）"
    return f"{what}，您打开之后它已经变了。为免覆盖对方的修改，这次没有保存。"


def _differs(chk: FormCheck, path: Path) -> list[str]:
    """The labels of the boxes whose value is not the one ``path`` holds now: what the
    clerk notes down before reopening the file."""
    try:
        entries = read_entries(path)
    except KitError:
        return []
    there = check_form(chk.template, {k: e.value for k, e in entries.items() if k != "角色"})
    return [f.label for key, f in chk.template.all_fields.items()
            if plain_value(chk.values.get(key)) != plain_value(there.values.get(key))]


def _when(at: str) -> str:
    """「10:42」 today, 「12月6日 10:42」 another day (the record's local time)."""
    try:
        t = datetime.fromisoformat(at)
    except ValueError:
        return at
    today = datetime.now(t.tzinfo).date()
    if t.date() == today:
        return f"{t:%H:%M}"
    year = f"{t.year}年" if t.year != today.year else ""
    return f"{year}{t.month}月{t.day}日 {t:%H:%M}"


def write_word(chk: FormCheck, out_dir: str | Path) -> Path:
    """This official's .docx (the batch's writer and file name), in ``out_dir`` itself:
    :func:`kit.project.report_by_hand`."""
    if not chk.ok:
        raise ParamsError(chk.problems)
    scope.check_unit(identity(chk).unit)
    # The button is the clerk's own request to make it again: the old file is kept as .bak.
    return write_by_hand(render(chk.template, chk.values), out_dir, force=True)


def download_link(path: Path, text: str | None = None, boxed: bool = False) -> str:
    """An <a download> carrying the file itself (kit/form/form.html.j2's ``download``)."""
    return render_piece(
        "form.html.j2", "download", name=path.name, text=text or "下载 " + path.name,
        mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        data=base64.b64encode(path.read_bytes()).decode("ascii"), boxed=boxed)


def default_year(today: date | None = None) -> int:
    """述职 is written at the end of a year or early in the next: before July, last year."""
    today = today or date.today()
    return today.year if today.month >= 7 else today.year - 1
