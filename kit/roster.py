"""Excel rosters (花名册): parameter files ⇄ one workbook, for the mail-merge habit.

``kit roster export params/ 花名册.xlsx`` writes one sheet per role and one row per
official.  Row 1 shows each field's label and unit (「主持召开党建工作专题会议（次）」,
with a comment saying what to type); row 2, hidden, holds the keys, so the import is
exact even after headers are retouched.  Column A is the parameter file's name.

``kit roster import 花名册.xlsx params/`` writes the rows back:

* a row whose file exists updates that file in place: the old file is kept as
  ``<name>.yaml.bak`` and its leading comment lines are kept; a row whose values did
  not change leaves its file untouched (no .bak);
* a row with an empty 参数文件 cell (a new official) gets ``单位-角色-姓名.yaml``;
* files of the folder that have no row are left alone;
* every row is checked by :func:`kit.params.validate`; bad rows are reported with
  sheet, row and column and not written, the good rows are written anyway.

Lossless: numbers are number cells, text is text cells (so 「0123」 stays 「0123」),
an empty cell is a missing value.  Files are read and written as raw values, so
half-filled files (e.g. from ``kit roll``) go through unchanged.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from kit.errors import KitError, ParamsError, Problem, display_path, suggest
from kit.fields import IDENTITY, Field, FieldValueError, Value
from kit.iorw import atomic_write_bytes, atomic_write_text, safe_filename
from kit.params import find_params, plain_value, read_entries, role_of, validate
from kit.templates import RoleTemplate, load_roles
from kit.yamlio import Entry, dump

FILE_HEADER, FILE_KEY = "参数文件", "文件"
_TEXT = "@"
_BAD_SHEET = set("[]:*?/\\")


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
    except FieldValueError:
        return raw
    if f.type.widget in ("int", "float"):
        return plain_value(value)
    return raw if isinstance(raw, str) else str(value)


# -- export -------------------------------------------------------------------------------

def export_roster(params_dir: str | Path, xlsx: str | Path,
                  templates: str | Path | None = None) -> Path:
    """Write the roster of a parameter folder.  Unreadable files are skipped and reported
    (after the workbook of the others is written)."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    roles = load_roles(templates)
    rows: dict[str, list[tuple[str, dict[str, Entry]]]] = {}
    problems: list[Problem] = []
    for path in find_params(params_dir):
        try:
            raw = read_entries(path)
        except ParamsError as err:
            problems += err.problems
            continue
        try:
            name = role_of(raw, roles, display_path(path)).role
        except ParamsError as err:  # reported with the others; this file is not exported
            problems += err.problems
            continue
        rows.setdefault(name, []).append((path.name, raw))

    wb = Workbook()
    wb.remove(wb.active)
    for role in sorted(rows, key=lambda r: (roles[r].rank, r)):
        template = roles[role]
        if len(role) > 31 or _BAD_SHEET & set(role):
            raise KitError(Problem(f"角色名「{role}」不能用作 Excel 工作表名",
                                   expected="不超过 31 个字、不含 []:*?/\\ 的名称"))
        ws = wb.create_sheet(role)
        fields = _columns(template)
        extra = sorted({k for _, raw in rows[role] for k in raw
                        if k != "角色" and k not in template.all_fields})
        heads = [(FILE_HEADER, FILE_KEY, None)] + [(f.title, f.key, f) for f in fields] \
            + [(k, k, None) for k in extra]
        for col, (title, key, f) in enumerate(heads, start=1):
            head = ws.cell(1, col, title)
            head.font = Font(bold=True)
            head.fill = PatternFill("solid", fgColor="DDEBF7")
            head.alignment = Alignment(wrap_text=True, vertical="center")
            ws.cell(2, col, key)
            letter = get_column_letter(col)
            ws.column_dimensions[letter].width = max(10, min(30, len(title) * 2 + 2))
            if f is not None:
                need = "必填" if f.required else "可不填"
                head.comment = Comment(f"{need}。应填：{f.expected()}"
                                       + (f"，单位：{f.unit}" if f.unit else "")
                                       + (f"\n{f.help}" if f.help else ""), "kit")
                if f.type.widget not in ("int", "float"):
                    ws.column_dimensions[letter].number_format = _TEXT
                if f.options:
                    dv = DataValidation(type="list", formula1='"' + ",".join(f.options) + '"',
                                        allow_blank=True)
                    dv.add(f"{letter}3:{letter}1000")
                    ws.add_data_validation(dv)
        ws.row_dimensions[2].hidden = True  # the keys: what the import reads
        ws.freeze_panes = "B3"
        for r, (file_name, raw) in enumerate(rows[role], start=3):
            ws.cell(r, 1, file_name).number_format = _TEXT
            for col, (_, key, f) in enumerate(heads[1:], start=2):
                entry = raw.get(key)
                value = _typed(f, entry.value if entry else None)
                if isinstance(value, list | dict):
                    value = str(value)
                if value is None:
                    continue
                cell = ws.cell(r, col, value)
                if isinstance(value, str):
                    cell.number_format = _TEXT
    if not wb.sheetnames:
        raise ParamsError(problems or [Problem("参数文件夹里没有参数文件",
                                               file=display_path(params_dir))])
    xlsx = Path(xlsx)
    import io

    buffer = io.BytesIO()
    wb.save(buffer)
    atomic_write_bytes(xlsx, buffer.getvalue())
    if problems:
        raise ParamsError(problems + [Problem(f"其余参数文件已导出到 {display_path(xlsx)}")])
    return xlsx


# -- import -------------------------------------------------------------------------------

def import_roster(xlsx: str | Path, params_dir: str | Path,
                  templates: str | Path | None = None) -> list[Path]:
    """Write the roster's rows back as parameter files; return the files written."""
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    xlsx, params_dir = Path(xlsx), Path(params_dir)
    file = display_path(xlsx)
    try:
        wb = load_workbook(xlsx, data_only=True)
    except FileNotFoundError:
        raise KitError(Problem("找不到 Excel 文件", file=file)) from None
    except Exception:  # openpyxl raises many kinds (English) for a file that is not .xlsx
        raise KitError(Problem("无法读取 Excel 文件：它不是 .xlsx 格式，或已损坏", file=file,
                               hint="请用 Excel/WPS 另存为 .xlsx 后重试。")) from None
    roles = load_roles(templates)
    problems: list[Problem] = []
    written: list[Path] = []
    seen: dict[str, str] = {}
    good = 0
    for ws in wb.worksheets:
        if ws.title not in roles:
            problems.append(Problem(f"工作表“{ws.title}”不是任何角色的名称，已跳过", file=file,
                                    expected="、".join(roles), hint=suggest(ws.title, roles)))
            continue
        template = roles[ws.title]
        columns, first = _header(ws, template)
        for (col, key) in columns.items():
            if key not in template.all_fields and key != FILE_KEY:
                problems.append(Problem(
                    f"工作表“{ws.title}”{get_column_letter(col)} 列：不认识的列「{key}」", file=file,
                    hint=suggest(key, template.all_fields)))
        for r in range(first, ws.max_row + 1):
            cells = {key: ws.cell(r, col) for col, key in columns.items()}
            if all(c.value in (None, "") for c in cells.values()):
                continue
            where = f"工作表“{ws.title}”第 {r} 行"
            row_problems, mapping = _row(template, cells, columns, where, file)
            name = cells.get(FILE_KEY)
            target = _target(params_dir, name.value if name else None, mapping, ws.title)
            if target.name in seen:
                row_problems.append(Problem(f"{where}：与{seen[target.name]}写入同一个文件 {target.name}",
                                            file=file, hint="请修改「参数文件」列，使每行不同。"))
            if row_problems:
                problems += row_problems
                continue
            seen[target.name] = where
            good += 1
            if _write(target, mapping, template):
                written.append(target)
    if problems:
        done = (f"其余行已写入（{len(written)} 个文件有改动）" if written
                else "其余行与参数文件一致，没有文件改动" if good else "没有写入任何文件")
        raise ParamsError(problems + [Problem(done)])
    return written


def _header(ws: Any, template: RoleTemplate) -> tuple[dict[int, str], int]:
    """Column → key, and the first data row.  Row 2 holds keys; when it was deleted,
    the row-1 headers (label with unit) are matched to fields instead."""
    row2 = {c.column: str(c.value).strip() for c in ws[2] if c.value not in (None, "")} \
        if ws.max_row >= 2 else {}
    known = set(template.all_fields) | {FILE_KEY}
    if row2 and sum(k in known for k in row2.values()) >= len(row2) / 2:
        return row2, 3
    by_title = {f.title: f.key for f in template.all_fields.values()} | {FILE_HEADER: FILE_KEY}
    by_title |= {f.label: f.key for f in template.all_fields.values()}
    heads = {c.column: str(c.value).strip() for c in ws[1] if c.value not in (None, "")}
    return {col: by_title.get(h, h) for col, h in heads.items()}, 2


def _row(template: RoleTemplate, cells: dict[str, Any], columns: dict[int, str], where: str,
         file: str) -> tuple[list[Problem], dict[str, Any]]:
    from openpyxl.utils import get_column_letter

    fields = template.all_fields
    entries: dict[str, Entry] = {}
    for key, cell in cells.items():
        if key == FILE_KEY or key not in fields:
            continue
        value = cell.value
        if isinstance(value, float) and value.is_integer() and fields[key].type.widget == "int":
            value = int(value)
        if fields[key].type.name == "percent" and isinstance(value, int | float) \
                and "%" in (cell.number_format or ""):
            value = Decimal(repr(value)) * 100  # a cell formatted 95% holds 0.95
        entries[key] = Entry(key, value, cell.row)
    _, found, _ = validate(template, entries, file)
    col_of = {key: get_column_letter(col) for col, key in columns.items()}
    problems = []
    for p in found:
        key = next((k for k in fields if p.field and (p.field == k or p.field.startswith(k + "（"))),
                   None)
        f = fields.get(key) if key else None
        col = f"{col_of[key]} 列（{f.label if f else key}）" if key in col_of else \
            f"（{f.label if f else p.field}，表里没有这一列）"
        problems.append(Problem(f"{where} {col}：{p.message}", file=file, expected=p.expected,
                                found=p.found, hint=p.hint))
    mapping: dict[str, Any] = {"角色": template.role}
    for f in _columns(template):
        if f.key in entries:
            value = _typed(f, entries[f.key].value)
            if value is not None:
                mapping[f.key] = value
    return problems, mapping


def _target(folder: Path, name: Any, mapping: dict[str, Any], role: str) -> Path:
    if name not in (None, ""):
        stem = safe_filename(str(name).strip())
        return folder / (stem if stem.lower().endswith((".yaml", ".yml")) else stem + ".yaml")
    parts = [str(mapping.get("单位", "")), role, str(mapping.get("姓名", ""))]
    return folder / (safe_filename("-".join(p for p in parts if p)) + ".yaml")


def _write(target: Path, mapping: dict[str, Any], template: RoleTemplate) -> bool:
    """Write one file unless its values did not change; keep the old one as .bak."""
    header = ""
    if target.exists():
        old = read_entries(target)
        fields = template.all_fields
        before = {k: _typed(fields.get(k), e.value) for k, e in old.items()}
        after = {k: _typed(fields.get(k), v) for k, v in mapping.items()}
        if {k: v for k, v in before.items() if v is not None} == after:
            return False
        text = target.read_text("utf-8-sig", errors="replace")
        lines = text.splitlines()
        header = "\n".join(ln[1:].strip() for ln in lines[:next(
            (i for i, ln in enumerate(lines) if not ln.startswith("#")), len(lines))])
        atomic_write_bytes(target.with_name(target.name + ".bak"), target.read_bytes())
    atomic_write_text(target, dump(mapping, header=header))
    return True
