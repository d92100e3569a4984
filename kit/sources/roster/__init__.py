"""Excel rosters (花名册): parameter files ⇄ collection workbooks, the way offices work.

``kit roster export params/ 花名册.xlsx`` writes one sheet per role and one row per
official (:mod:`kit.sources.roster.workbook`: typed cells, data validation, prompts, locked
identity cells, a 说明 sheet).  ``--blank`` writes the same officials with their figures
empty, for a new year (年度 + 1 unless ``year`` is given), and an empty sheet for every
other role of the templates (a role just made by ``kit import`` has no files yet).

``kit roster import 收回的/*.xlsx params/`` reads many workbooks at once
(:mod:`kit.sources.roster.reading`) and merges them:

* rows of one official (单位 + 姓名 + 年度, see :mod:`kit.report.identity`) from several
  workbooks are merged; a value that differs between them is a conflict: both files and
  cells are named and nothing is written for that official until it is resolved;
* a row whose official has a file in the folder updates that file in place, keeping its
  comments and layout (:mod:`kit.sources.roster.update`), the old file kept as a
  timestamped ``.bak`` (the newest ten, :data:`kit.iorw.BACKUPS_KEPT`, as the form
  keeps); a row whose values did not change leaves its file untouched;
* a new official gets ``单位-角色-姓名.yaml``; a file of another official or year is
  never overwritten;
* every row is checked by :func:`kit.report.params.validate`; bad rows are reported with file,
  sheet, row and column and not written, the good rows are written anyway.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kit import xlsx as excel
from kit.errors import KitError, ParamsError, Problem, display_path
from kit.iorw import atomic_write_text, backup_generations
from kit.report.fields import IDENTITY, Field, FieldValueError, Value
from kit.report.identity import Identity, params_filename
from kit.report.params import find_params, plain_value, read_entries, role_of
from kit.report.templates import RoleTemplate, load_roles
from kit.report.yamlio import dump
from kit.sources.roster import workbook as wbk
from kit.sources.roster.reading import Row, read_workbook
from kit.sources.roster.update import update_text

FILE_HEADER, FILE_KEY = wbk.FILE_HEADER, wbk.FILE_KEY
_BAD_SHEET = set("[]:*?/\\")

__all__ = ["export_roster", "import_roster", "import_rosters"]


def _columns(template: RoleTemplate) -> list[Field]:
    return [*IDENTITY, *template.fields.values()]


def _typed(f: Field | None, raw: Any) -> Value | Any:
    """The value to store: typed when it fits the field, else as it was (kept, not lost)."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if f is None:
        return raw
    try:
        value = f.parse(raw)
    except (FieldValueError, ArithmeticError, ValueError):
        return raw
    if wbk.is_number(f):
        return plain_value(value)
    return raw if isinstance(raw, str) and not wbk.is_date(f) else str(value)


# -- export -------------------------------------------------------------------------------

def export_roster(params_dir: str | Path, xlsx: str | Path,
                  templates: str | Path | None = None, blank: bool = False,
                  year: int | None = None, force: bool = False) -> Path:
    """Write the collection workbook of a parameter folder.  A file that cannot be read
    is reported after the workbook of the others is written (exit code ≠ 0).  An
    existing workbook (perhaps already filled in) is replaced only with ``force``, and
    then kept as a timestamped ``<name>.<时间>.bak``."""
    from openpyxl import Workbook

    excel.check_target(xlsx, force)  # before any work: a wrong name or a filled-in workbook

    roles = load_roles(templates)
    rows: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    problems: list[Problem] = []
    folder = Path(params_dir)
    paths = find_params(folder) if not (blank and not folder.exists()) else []
    for path in paths:
        try:
            role, values = _export_row(path, roles, blank, year)
        except KitError as err:
            problems += err.problems
            continue
        except Exception as err:  # noqa: BLE001 — one odd file never stops the others
            reason = "符号链接指向自己（循环）" if isinstance(err, RuntimeError) and \
                "loop" in str(err).lower() else type(err).__name__
            problems.append(Problem(f"无法读取这个文件，未导出（{reason}）", file=_shown(path)))
            continue
        rows.setdefault(role, []).append((path.name if not blank else "", values))
    # --blank offers every role of the templates: a role just made by ``kit import`` has
    # no parameter files yet, and its sheet is how its officials get their first ones.
    wanted = sorted(set(rows) | set(roles) if blank else rows, key=lambda r: (roles[r].rank, r))
    wb = Workbook()
    for sheet in list(wb.worksheets):  # the default empty sheet
        wb.remove(sheet)
    wbk.write_instructions(wb, blank)
    for role in wanted:
        if len(role) > 31 or _BAD_SHEET & set(role):
            problems.append(Problem(f"角色名「{role}」不能用作 Excel 工作表名，这个角色没有导出",
                                    expected="不超过 31 个字、不含 []:*?/\\ 的名称"))
            continue
        _write_sheet(wb.create_sheet(role), roles[role], rows.get(role, []))
    if len(wb.sheetnames) == 1:
        raise ParamsError(problems or [Problem("参数文件夹里没有参数文件",
                                               file=display_path(params_dir),
                                               hint="要发空白收集表请加 --blank。")])
    xlsx = excel.save(wb, xlsx, force)  # with --force: the replaced workbook is kept
    if problems:
        raise ParamsError(problems + [Problem(f"其余参数文件已导出到 {display_path(xlsx)}")])
    return xlsx


def _shown(path: Path) -> str:
    """display_path, but never failing (a symlink loop cannot be resolved)."""
    try:
        return display_path(path)
    except (OSError, RuntimeError):
        return str(path)


_YEAR = next(f for f in IDENTITY if f.key == "年度")


def _export_row(path: Path, roles: dict[str, RoleTemplate], blank: bool,
                year: int | None) -> tuple[str, dict[str, Any]]:
    raw = read_entries(path)
    name = role_of(raw, roles, display_path(path)).role  # ParamsError: reported, not exported
    fields = roles[name].all_fields
    values = {k: _typed(fields.get(k), e.value) for k, e in raw.items() if k != "角色"}
    for k, v in values.items():
        if isinstance(v, float) and v != v or v in (float("inf"), float("-inf")):
            raise ParamsError(Problem("不是有限的数字", file=display_path(path), field=k,
                                      line=raw[k].line, found=f"「{raw[k].value}」"))
    if blank:
        keep = {"单位", "姓名", "单位类别", "所属县", "省份", "排序"}
        values = {k: v for k, v in values.items() if k in keep}
        if year is None and "年度" in raw:
            try:
                year = int(_YEAR.parse(raw["年度"].value)) + 1
            except FieldValueError as err:
                raise ParamsError(Problem(err.message, file=display_path(path), field="年度",
                                          line=raw["年度"].line, expected=err.expected,
                                          found=err.found, hint=err.hint)) from None
        if year is not None:
            values["年度"] = year
    return name, values


def _write_sheet(ws: Any, template: RoleTemplate, rows: list[tuple[str, dict[str, Any]]]) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.utils import get_column_letter

    fields = _columns(template)
    extra = sorted({k for _, values in rows for k in values
                    if k not in template.all_fields and k != "角色"})
    heads = [(FILE_HEADER, FILE_KEY, None)] + [(f.title, f.key, f) for f in fields] \
        + [(k, k, None) for k in extra]
    first, last = 3, 3 + len(rows) + wbk.SPARE_ROWS - 1
    grey = PatternFill("solid", fgColor="EDEDED")
    for col, (title, key, f) in enumerate(heads, start=1):
        letter = get_column_letter(col)
        head = excel.put(ws, 1, col, title)
        head.font = Font(bold=True)
        head.fill = PatternFill("solid", fgColor="DDEBF7")
        head.alignment = Alignment(wrap_text=True, vertical="center")
        excel.put(ws, 2, col, key)
        ws.column_dimensions[letter].width = max(10, min(30, len(title) * 2 + 2))
        if f is not None:
            head.comment = Comment(wbk.prompt(f), "kit")
            ws.add_data_validation(wbk.validation(f, first, last, letter))
        for r in range(first, last + 1):
            cell = ws.cell(r, col)
            existing = r - first < len(rows)
            locked = key == FILE_KEY or (existing and key in wbk.LOCKED_KEYS)
            cell.protection = Protection(locked=locked)
            if locked and existing:
                cell.fill = grey
            if f is not None and not wbk.is_number(f) and not wbk.is_date(f):
                cell.number_format = wbk.TEXT_FORMAT
    ws.row_dimensions[2].hidden = True  # the keys: what the import reads
    ws.freeze_panes = "B3"
    for r, (file_name, values) in enumerate(rows, start=first):
        if file_name:
            excel.put(ws, r, 1, file_name)
        for col, (_, key, f) in enumerate(heads[1:], start=2):
            value, number_format = wbk.cell_value(f, values.get(key))
            if value is None:
                continue
            cell = excel.put(ws, r, col, value)  # text: a text cell, never a formula
            if number_format:
                cell.number_format = number_format
    # Sheet protection: headers, file names and identity locked; data cells free.
    ws.protection.sheet = True
    ws.protection.formatColumns = False  # widening a column is allowed
    ws.protection.formatRows = False
    ws.protection.sort = False
    ws.protection.autoFilter = False


# -- import -------------------------------------------------------------------------------

def import_roster(xlsx: str | Path, params_dir: str | Path,
                  templates: str | Path | None = None) -> list[Path]:
    """One workbook: see :func:`import_rosters`."""
    return import_rosters([xlsx], params_dir, templates)


def import_rosters(workbooks: list[str | Path], params_dir: str | Path,
                   templates: str | Path | None = None) -> list[Path]:
    """Merge the workbooks' rows and write them as parameter files; return the files
    written.  Problems (bad cells, conflicts, unreadable workbooks) are raised together
    after every good official is written."""
    params_dir = Path(params_dir)
    roles = load_roles(templates)
    problems: list[Problem] = []
    rows: list[Row] = []
    for xlsx in workbooks:
        try:
            got, found = read_workbook(Path(xlsx), roles)
        except KitError as err:
            problems += err.problems
            continue
        rows += got
        problems += found
    existing = _existing(params_dir)
    written: list[Path] = []
    good = 0
    for person, group in _by_official(rows).items():
        bad = [p for row in group for p in row.problems]
        conflict = _conflicts(group)
        if bad or conflict:
            problems += bad + conflict
            continue
        merged = _merge(group)
        row = group[0]
        target, problem = _target(params_dir, row, merged, existing.get(person))
        if problem:
            problems.append(problem)
            continue
        good += 1
        if _write(target, merged, row.template):
            written.append(target)
    if problems:
        done = (f"其余同志已写入（{len(written)} 个文件有改动）" if written
                else "其余同志与参数文件一致，没有文件改动" if good else "没有写入任何文件")
        raise ParamsError(problems + [Problem(done)])
    return written


def _existing(folder: Path) -> dict[tuple[str, ...], Path]:
    """The folder's files by official and role (unreadable files are not anyone's)."""
    out: dict[tuple[str, ...], Path] = {}
    if not folder.is_dir():
        return out
    for path in find_params(folder):
        ident = _identity_of(path)
        if ident and ident.name:
            out.setdefault((*ident.person, ident.role), path)
    return out


def _identity_of(path: Path) -> Identity | None:
    """Whose file this is; None when it cannot be read (never overwritten then)."""
    try:
        return Identity.of(read_entries(path))
    except (KitError, OSError, RuntimeError):  # RuntimeError: a symlink loop
        return None


def _by_official(rows: list[Row]) -> dict[tuple[str, ...], list[Row]]:
    groups: dict[tuple[str, ...], list[Row]] = {}
    for n, row in enumerate(rows):
        ident = Identity.of(row.values)  # one person may hold two roles: two files
        key = (*ident.person, row.template.role) if ident.name and ident.unit else (str(n),)
        groups.setdefault(key, []).append(row)
    return groups


def _conflicts(group: list[Row]) -> list[Problem]:
    """Same official, different values: both cells named."""
    out = []
    first: dict[str, Row] = {}
    for row in group:
        for key, value in row.values.items():
            if value is None:
                continue
            other = first.get(key)
            if other is None:
                first[key] = row
                continue
            if _typed(row.template.all_fields.get(key), other.values[key]) != \
                    _typed(row.template.all_fields.get(key), value):
                f = row.template.all_fields.get(key)
                label = f.label if f else key
                out.append(Problem(
                    f"同一位同志（{Identity.of(row.values).describe()}）的「{label}」在两处不同："
                    f"{other.file} {other.cell(key)} 是「{other.values[key]}」，"
                    f"{row.file} {row.cell(key)} 是「{value}」；这位同志的参数文件没有写入",
                    file=row.file, hint="请改成一致后重新导入。"))
    return out


def _merge(group: list[Row]) -> dict[str, Any]:
    template = group[0].template
    merged: dict[str, Any] = {"角色": template.role}
    for f in _columns(template):
        for row in group:
            value = _typed(f, row.values.get(f.key))
            if value is not None:
                merged[f.key] = value
                break
    return merged


def _target(folder: Path, row: Row, mapping: dict[str, Any], mine: Path | None
            ) -> tuple[Path, Problem | None]:
    if mine is not None:
        return mine, None
    if row.file_name:
        stem = str(row.file_name).strip()
        name = stem if stem.lower().endswith((".yaml", ".yml")) else stem + ".yaml"
        target = folder / Path(name).name
    else:
        target = folder / params_filename(str(mapping.get("单位", "")), row.template.role,
                                          str(mapping.get("姓名", "")))
    if target.exists() or target.is_symlink():
        theirs = _identity_of(target)
        if theirs is None or theirs.person != Identity.of(mapping).person \
                or theirs.role != row.template.role:
            who = f"{theirs.describe()}，{theirs.role}" if theirs else "无法读取"
            return target, Problem(
                f"{row.where}：参数文件 {target.name} 已是另一位同志或另一年度的（{who}），没有覆盖",
                file=row.file, hint="新年度的表请导入到新的文件夹，如 params-2024。")
    return target, None


def _write(target: Path, mapping: dict[str, Any], template: RoleTemplate) -> bool:
    """Write one file unless its values did not change; keep the old one as a backup
    (:func:`kit.iorw.backup_generations`) and its comments and layout."""
    fields = template.all_fields

    def same(key: str, old: Any, new: Any) -> bool:
        return _typed(fields.get(key), old) == _typed(fields.get(key), new)

    if not target.exists():
        atomic_write_text(target, dump(mapping))
        return True
    old = read_entries(target)
    before = {k: _typed(fields.get(k), e.value) for k, e in old.items()}
    if {k: v for k, v in before.items() if v is not None} == mapping:
        return False
    text = target.read_text("utf-8-sig", errors="replace")
    new_text = update_text(text, old, mapping, same)
    if new_text is None:  # a value spread over lines: the whole file, comments on top kept
        lines = text.splitlines()
        header = "\n".join(ln[1:].strip() for ln in lines[:next(
            (i for i, ln in enumerate(lines) if not ln.startswith("#")), len(lines))])
        new_text = dump(mapping, header=header)
    backup_generations(target)
    atomic_write_text(target, new_text)
    return True
