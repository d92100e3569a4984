"""Parameter files: one YAML file per official in ``params/``, checked against its role.

::

    角色: 镇党建办主任
    姓名: 李明
    单位: 东山镇
    所属县: 青川县
    省份: 甘肃
    年度: 2023
    专题会议: 12
    …

Every problem of a file is collected and raised together as one
:class:`~kit.errors.ParamsError`, each naming the file, the line, the field, what
was expected and what was found.  Values are data: they are never executed or
treated as template code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from kit import project
from kit.errors import (
    Notice,
    ParamsError,
    Problem,
    TemplateError,
    UnknownRoleError,
    closest,
    did_you_mean,
    display_path,
    suggest,
)
from kit.report.fields import (
    IDENTITY,
    Field,
    FieldValueError,
    Value,
    first_refused,
    is_blank,
    places,
    refused_message,
)
from kit.report.templates import RoleTemplate, load_roles
from kit.report.yamlio import (
    MAX_PARAMS_BYTES,
    Entry,
    ParamsSyntax,
    decode,
    load_mapping,
    read_limited,
)

PARAMS_SUFFIXES = (".yaml", ".yml")
MAX_PROBLEMS = 50  # problems listed per file


@dataclass
class Official:
    """One official's checked parameters: everything needed to render the report."""

    path: Path | None
    template: RoleTemplate
    values: dict[str, Value]  # identity and role fields, typed; absent optional fields omitted
    warnings: list[Notice] = field(default_factory=list)  # str, with key, label, kind

    @property
    def role(self) -> str:
        return self.template.role

    @property
    def name(self) -> str:
        return str(self.values.get("姓名", ""))

    @property
    def unit(self) -> str:
        return str(self.values.get("单位", ""))

    @property
    def year(self) -> int:
        return int(self.values.get("年度", 0))

    def rows(self) -> list[tuple[str, str, str]]:
        """(label, value, unit) for every field, for review tables; 「未填」 where empty."""
        out = []
        for f in self.template.all_fields.values():
            v = self.values.get(f.key)
            out.append((f.label, f.format(v) if v not in (None, "") else "（未填）", f.unit))
        return out


def load(path: str | Path, templates: str | Path | None = None) -> Official:
    """Read and check one parameter file.  Raises ParamsError (or UnknownRoleError)."""
    path = Path(path)
    return check(read_entries(path), file=display_path(path), path=path, templates=templates)


def read_entries(path: str | Path) -> dict[str, Entry]:
    """A parameter file's ``key: value`` entries as typed, with their lines, not yet
    checked against a role.  ParamsError when it is missing, unreadable or not YAML."""
    path = Path(path)
    file = display_path(path)
    try:
        raw = read_limited(path, file, MAX_PARAMS_BYTES, "参数文件")
    except ParamsSyntax as err:
        raise ParamsError(err.problem) from None
    return parse_entries(raw, file)


def parse_entries(raw: bytes, file: str) -> dict[str, Entry]:
    """:func:`read_entries` of a file's bytes already read (``file`` names it)."""
    try:
        return load_mapping(decode(raw, file), file)
    except ParamsSyntax as err:
        raise ParamsError(err.problem) from None


def check(entries: Mapping[str, Entry | Any], *, file: str = "表单", path: Path | None = None,
          templates: str | Path | None = None) -> Official:
    """Check a mapping of raw values (from YAML, a form or a spreadsheet row).

    ``entries`` maps keys to :class:`Entry` (with line numbers) or to plain values.
    """
    entries = {k: v if isinstance(v, Entry) else Entry(k, v, 0) for k, v in entries.items()}
    template = role_of(entries, load_roles(templates), file)
    values, problems, warnings = validate(template, entries, file)
    if problems:
        if len(problems) > MAX_PROBLEMS:  # a file of 20,000 wrong lines: the first ones tell
            rest = len(problems) - MAX_PROBLEMS
            problems = problems[:MAX_PROBLEMS] + [Problem(f"……另有 {rest} 处问题未列出", file=file)]
        raise ParamsError(problems)
    return Official(path=path, template=template, values=values, warnings=warnings)


def role_of(entries: Mapping[str, Entry], roles: Mapping[str, RoleTemplate], file: str
            ) -> RoleTemplate:
    """The template a parameter file's 「角色」 names: the one lookup of a file's role (the
    batch, the roster and kit roll use it).  ParamsError / UnknownRoleError otherwise."""
    role = entries.get("角色")
    if role is None or role.value in (None, ""):
        raise ParamsError(Problem("缺少「角色」", file=file, key="角色", kind="missing",
                                  line=role.line or None if role else None,
                                  expected="、".join(roles), found="没有填写",
                                  hint="请在文件第一行写上，例如「角色: " + next(iter(roles), "") + "」。"))
    if not isinstance(role.value, str):
        raise ParamsError(Problem("「角色」应为一行文字", file=file, line=role.line or None,
                                  key="角色", kind="not_scalar", expected="、".join(roles),
                                  found="多个值"))
    name = role.value.strip()
    if name not in roles:
        at = first_refused(name)
        raise UnknownRoleError(Problem(
            "没有这个角色的模板" if at is None else f"角色名里{refused_message(name, at)}",
            file=file, line=role.line or None, key="角色",
            kind="unknown_role" if at is None else "unsafe_char",
            expected="、".join(roles), found=f"「{name[:30]}」",
            hint=suggest(name, roles) or "新增角色请在 templates 文件夹里添加模板文件。"))
    return roles[name]


def validate(template: RoleTemplate, entries: Mapping[str, Entry], file: str = "表单"
             ) -> tuple[dict[str, Value], list[Problem], list[Notice]]:
    """Typed values, problems (blocking) and warnings (shown, not blocking).

    The one validation used by the batch, the form (per keystroke) and rosters.
    """
    fields = template.all_fields
    values: dict[str, Value] = {}
    problems: list[Problem] = []
    warnings: list[Notice] = []
    explained: set[str] = set()  # fields already named by a problem: no second message
    empty_at: dict[str, int] = {}  # 「专题会议:」 left empty: point at its line
    for key, entry in entries.items():
        if key == "角色":
            continue
        if key not in fields:
            # Past the listed problems, no suggestion is looked for (a file of 10,000
            # wrong keys stays quick).
            problem, meant = _unknown_key(key, entry, fields, file,
                                          guess=len(problems) < MAX_PROBLEMS)
            problems.append(problem)
            explained |= meant
            continue
        f = fields[key]
        if is_blank(entry.value):
            empty_at[key] = entry.line
            continue  # empty counts as missing: reported below if required
        explained.add(key)
        if isinstance(entry.value, list | dict):
            problems.append(Problem("应填一个值，不是列表", file=file, line=entry.line or None,
                                    key=key, label=f.label, kind="not_scalar",
                                    expected=f.expected(), found="多个值"))
            continue
        try:
            values[key] = f.parse(entry.value)
        except FieldValueError as err:
            problems.append(Problem(err.message, file=file, line=entry.line or None,
                                    key=key, label=f.label, kind=err.kind,
                                    expected=err.expected, found=err.found, hint=err.hint))
            continue
        warnings += f.warnings(values[key])
    unit_kind = str(values.get("单位", ""))[-1:]
    if values.get("单位类别") not in (None, unit_kind) and unit_kind in ("镇", "乡"):
        # The title says 「乡党建办主任」 and the byline 「东山镇」: one of them is wrong.
        warnings.append(fields["单位类别"].notice(
            f"「单位类别」是「{values['单位类别']}」，但单位「{values['单位']}」以「{unit_kind}」"
            f"结尾：报告标题里是「{values['单位类别']}」，署名里是「{values['单位']}」，请核对。"
            f"您是否想写「单位类别: {unit_kind}」？", "unit_kind"))
    if "单位类别" not in values and "单位" in values:
        kind = unit_kind
        if kind in ("镇", "乡"):
            values["单位类别"] = kind
        else:
            problems.append(Problem("单位名称不以「镇」或「乡」结尾，请填写「单位类别」", file=file,
                                    key="单位类别", kind="missing", expected="镇 或 乡",
                                    found=f"单位「{values['单位']}」"))
    for f in fields.values():
        if f.key not in values and f.key != "单位类别":
            if f.required and f.key not in explained:
                problems.append(Problem("缺少必填项", file=file, key=f.key, label=f.label,
                                        kind="missing", line=empty_at.get(f.key) or None,
                                        expected=f.expected() + (f"，单位：{f.unit}" if f.unit else ""),
                                        found="没有填写"))
            elif f.key in template.fields:
                warnings.append(f.notice(f"「{f.label}」未填写，相关内容将不出现在报告里",
                                         "unfilled"))
    return values, problems, warnings


def _unknown_key(key: str, entry: Entry, fields: dict[str, Field], file: str,
                 guess: bool = True) -> tuple[Problem, set[str]]:
    """The problem, and the field the user probably meant (so it is not also 「missing」)."""
    by_label = {f.label: f.key for f in fields.values()}
    meant: set[str] = set()
    hint = None
    if guess and key in by_label:
        meant.add(by_label[key])
        hint = f"这是「{by_label[key]}」的中文名称，键要写成「{by_label[key]}」。"
    elif guess:
        meant = {by_label.get(c, c) for c in closest(key, list(fields) + list(by_label))}
        hint = did_you_mean(meant)
    at = first_refused(key)
    # 「专题\u200b会议」 looks like 「专题会议」: say what is in it (the hint names the field).
    message = "不认识的字段（这个角色的模板里没有它）" if at is None \
        else f"字段名里{refused_message(key, at)}"
    problem = Problem(message, file=file, line=entry.line or None, key=key,
                      kind="unknown_key" if at is None else "unsafe_char",
                      field=key if len(key) <= 30 else key[:30] + "…",
                      hint=hint or "请对照模板检查字段名。")
    return problem, meant


def find_params(folder: str | Path) -> list[Path]:
    """Parameter files of a folder (or the one file given), in name order."""
    folder = Path(folder)
    if folder.is_file():
        return [folder]
    if not folder.is_dir():
        raise ParamsError(Problem("找不到参数文件夹", file=display_path(folder),
                                  hint="请检查文件夹名；默认是 params。"))
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in PARAMS_SUFFIXES
                  and not p.name.startswith((".", "~")))


def overlooked(folder: str | Path) -> list[Path]:
    """Files of ``folder`` that look like parameter files but are not read as such
    (「张三.yaml.txt」「王五.yaml 」「李四.yml.bak」「赵六.YAML.docx」, a hidden
    「.张三.yaml」): a summary lists them so nobody is left out unnoticed.  Not listed:
    the kit's own backups (「张三.yaml.20231207-005700.bak」, the form's and the
    roster's) and hidden files not ending in .yaml (an editor's 「.张三.yaml.swp」)."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    taken = set(find_params(folder))
    return sorted(p for p in folder.iterdir()
                  if p not in taken and not project.is_backup(p.name)
                  and (p.name.lower().endswith(PARAMS_SUFFIXES) if p.name.startswith(".")
                       else any(s in p.name.lower() for s in PARAMS_SUFFIXES)))


def raw_values(official: Official) -> dict[str, Any]:
    """A plain mapping to write back as a parameter file (role first, identity, fields)."""
    out: dict[str, Any] = {"角色": official.role}
    for f in (*IDENTITY, *official.template.fields.values()):
        if f.key in official.values:
            out[f.key] = plain_value(official.values[f.key])
    return out


def plain_value(value: Any) -> Any:
    """A value as YAML and Excel should store it: 860 stays 860 (not 860.0 or 8.6E+2), a
    decimal keeps its typed places as a plain Decimal (12.50: :func:`kit.report.yamlio.dump`
    writes 12.50, a roster cell gets the number format 0.00); anything else unchanged."""
    if isinstance(value, Decimal):
        return int(value) if value.is_finite() and not places(value) else Decimal(value)
    return value


__all__ = ["Official", "load", "read_entries", "check", "validate", "find_params", "overlooked",
           "raw_values",
           "plain_value",
           "ParamsError", "TemplateError"]
