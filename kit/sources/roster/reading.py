"""Reading returned collection workbooks: sheets, headers, cells, formulas.

Headers are found by the hidden key row; when it was deleted, by label, tolerant of
added spaces, full-width brackets and unit suffixes (「主持召开党建工作专题会议 (次)」).
A formula cell gives its cached value (the result Excel saved); one without a cached
value is refused: 「单元格是公式，请在 Excel 中另存为数值」.  A text cell is text, even
when it starts with 「=」.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Context, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from kit.errors import KitError, Problem, display_path, suggest
from kit.report.fields import places
from kit.report.params import validate
from kit.report.templates import RoleTemplate
from kit.report.yamlio import Entry
from kit.sources.roster.workbook import FILE_HEADER, FILE_KEY, INSTRUCTIONS

MAX_BYTES = 20 * 1024 * 1024  # a roster of a few hundred officials is well under 1 MB
MAX_ROWS = 5000
# Checked before the workbook is loaded (loading costs ~1 KB of memory per cell, twice):
# a 385 KB file can unpack to 6 million cells.  5,000 rows of 60 columns fit.
MAX_UNPACKED = 64 * 1024 * 1024  # bytes of the workbook's XML, unpacked
MAX_CELLS = 300_000  # cells of one sheet


@dataclass
class Row:
    """One official's row of one workbook."""

    file: str
    sheet: str
    number: int
    template: RoleTemplate
    values: dict[str, Any]  # key → cell value (cached value for formulas)
    letters: dict[str, str]  # key → column letter
    file_name: Any = None
    problems: list[Problem] = field(default_factory=list)
    refused: set[str] = field(default_factory=set)  # formula cells already reported

    @property
    def where(self) -> str:
        return f"工作表“{self.sheet}”第 {self.number} 行"

    def cell(self, key: str) -> str:
        return f"工作表“{self.sheet}”{self.letters.get(key, '?')}{self.number} 单元格"


def open_workbook(path: Path, file: str, data_only: bool = False) -> tuple[Any, Any]:
    """A workbook the user gave, loaded only once it is known to fit (:func:`check_size`),
    and, with ``data_only``, its cached values too (else None).  Anything that is not a
    readable .xlsx is one Chinese line, never openpyxl's English exception."""
    from openpyxl import load_workbook

    if not path.exists():
        raise KitError(Problem("找不到 Excel 文件", file=file, hint="请检查文件名和所在文件夹。"))
    if not path.is_file():
        raise KitError(Problem("这不是一个普通文件", file=file, expected=".xlsx 文件"))
    if path.stat().st_size > MAX_BYTES:
        raise KitError(Problem("Excel 文件太大", file=file, expected="不超过 20 MB",
                               found=f"{path.stat().st_size // (1024 * 1024)} MB"))
    try:
        check_size(path, file)
        return load_workbook(path), load_workbook(path, data_only=True) if data_only else None
    except KitError:
        raise
    except Exception:  # openpyxl raises many kinds (English) for a file that is not .xlsx
        raise KitError(Problem("无法读取 Excel 文件：它不是 .xlsx 格式，或已损坏", file=file,
                               hint="请用 Excel/WPS 另存为 .xlsx 后重试。")) from None


def read_workbook(path: Path, roles: dict[str, RoleTemplate]) -> tuple[list[Row], list[Problem]]:
    """The rows of one workbook and the problems of its sheets (not of its rows)."""
    file = display_path(path)
    formulas, cached = open_workbook(path, file, data_only=True)
    rows: list[Row] = []
    problems: list[Problem] = []
    for ws in formulas.worksheets:
        if ws.title.strip().startswith(INSTRUCTIONS):
            continue
        if ws.title not in roles:
            problems.append(Problem(f"工作表“{ws.title}”不是任何角色的名称，已跳过", file=file,
                                    expected="、".join(roles), hint=suggest(ws.title, roles)))
            continue
        if ws.max_row > MAX_ROWS:
            problems.append(Problem(f"工作表“{ws.title}”行数太多，已跳过", file=file,
                                    expected=f"不超过 {MAX_ROWS} 行", found=f"{ws.max_row} 行"))
            continue
        got, found = _sheet(ws, cached[ws.title], roles[ws.title], file)
        rows += got
        problems += found
    return rows, problems


_CELL = re.compile(rb"<(?:\w+:)?c[\s>/]")  # a cell's element in a sheet's XML


def check_size(path: Path, file: str) -> None:
    """Refuse a workbook too big to load, before loading it: by its unpacked size, then
    by each sheet's cells, counted in its XML as it streams by (a sheet's declared size
    can lie; loading 6 million cells took 4 GB)."""
    import zipfile

    from openpyxl import load_workbook

    with zipfile.ZipFile(path) as z:
        unpacked = sum(i.file_size for i in z.infolist())
        if unpacked > MAX_UNPACKED:
            raise KitError(Problem("Excel 文件解压后太大，没有读取", file=file,
                                   expected=f"不超过 {MAX_UNPACKED // (1024 * 1024)} MB",
                                   found=f"{unpacked // (1024 * 1024)} MB",
                                   hint="表格里可能有大片空白格式或多余的工作表，请删除后另存再试。"))
        book = load_workbook(path, read_only=True)  # reads the sheets' names, not cells
        try:
            sheets = [(ws.title, str(getattr(ws, "_worksheet_path", ""))) for ws in book.worksheets]
        finally:
            book.close()
        for title, member in sheets:
            if not member:  # (an openpyxl without the attribute: its size checks remain)
                continue
            cells = _count_cells(z, member)
            if cells > MAX_CELLS:
                raise KitError(Problem(
                    f"工作表“{title}”太大，没有读取这个文件", file=file,
                    expected=f"每个工作表不超过 {MAX_CELLS} 个单元格（如 {MAX_ROWS} 行 × 60 列）",
                    found=f"{cells} 个单元格", hint="请删除多余的行、列或工作表后另存再试。"))


def _count_cells(z: Any, member: str) -> int:
    count, tail = 0, b""
    with z.open(member.lstrip("/")) as fh:
        while chunk := fh.read(1 << 20):
            data = tail + chunk
            count += len(_CELL.findall(data))
            tail = data[-16:]  # an element cut by the chunk's end is counted with the next
            count -= len(_CELL.findall(tail))
    return count + len(_CELL.findall(tail))


def normal(text: Any) -> str:
    """A header as compared: full-width to half-width, no spaces, no unit suffix."""
    text = unicodedata.normalize("NFKC", str(text))
    return re.sub(r"\s+", "", text)


def _strip_unit(text: str) -> str:
    return re.sub(r"\((?:单位[:：]?)?[^()]{0,8}\)$", "", text)


def header(ws: Any, template: RoleTemplate) -> tuple[dict[int, str], int, list[str]]:
    """Column → key, the first data row, and headers that match nothing."""
    fields = template.all_fields
    known = set(fields) | {FILE_KEY}
    row2 = {c.column: str(c.value).strip() for c in ws[2] if c.value not in (None, "")} \
        if ws.max_row >= 2 else {}
    names: dict[str, str] = {normal(FILE_HEADER): FILE_KEY}
    for f in fields.values():
        for name in (f.key, f.label, f.title):
            names.setdefault(normal(name), f.key)
            names.setdefault(_strip_unit(normal(name)), f.key)
    keyed = bool(row2) and sum(k in known for k in row2.values()) >= len(row2) / 2
    out: dict[int, str] = dict(row2) if keyed else {}
    unknown = [k for k in row2.values() if k not in known] if keyed else []
    for c in ws[1]:  # without the key row, or a column inserted after export: by label
        if c.value in (None, "") or c.column in out:
            continue
        h = normal(c.value)
        key = names.get(h) or names.get(_strip_unit(h))
        if key and key not in out.values():
            out[c.column] = key
        else:
            unknown.append(str(c.value).strip())
    return out, 3 if keyed else 2, unknown


def _sheet(ws: Any, values_ws: Any, template: RoleTemplate, file: str
           ) -> tuple[list[Row], list[Problem]]:
    from openpyxl.utils import get_column_letter

    columns, first, unknown = header(ws, template)
    problems = [Problem(f"工作表“{ws.title}”：不认识的列「{h}」，已跳过", file=file,
                        hint=suggest(h, [f.label for f in template.all_fields.values()]))
                for h in unknown]
    letters = {key: get_column_letter(col) for col, key in columns.items()}
    rows = []
    for r in range(first, ws.max_row + 1):
        row = Row(file, ws.title, r, template, {}, letters)
        for col, key in columns.items():
            cell = ws.cell(r, col)
            value = cell.value
            # Only a real formula: a text cell whose text starts with 「=」 is text (the
            # kit's own export writes a name 「=1+1」 so, and must read it back unchanged).
            if cell.data_type == "f":
                value = values_ws.cell(r, col).value
                if value is None:
                    row.problems.append(Problem(
                        f"{row.cell(key)}：单元格是公式，请在 Excel 中另存为数值", file=file,
                        found=f"「{cell.value}」",
                        hint="选中这些格子，复制，再「选择性粘贴 → 数值」后保存。"))
                    row.refused.add(key)
                    continue
            if key == FILE_KEY:
                row.file_name = value
                continue
            row.values[key] = _cell_value(template, key, value, cell.number_format)
        if all(v in (None, "") for v in row.values.values()) and not row.problems:
            continue
        _check(row, file)
        rows.append(row)
    return rows, problems


def _cell_value(template: RoleTemplate, key: str, value: Any, number_format: str) -> Any:
    """A number cell as the field reads it: what Excel showed.  Excel keeps no typed
    places (12.50 is stored 12.5), so a decimal gets the places its number format always
    shows (「0.00」 → 12.50; General → 12.5); a count cell 5.0 is the count 5; a
    percentage cell formatted 95% holds 0.95 and is read 95."""
    f = template.all_fields.get(key)
    if f is None or not f.type.numeric or isinstance(value, bool) \
            or not isinstance(value, int | float):
        return value
    if f.type.integer:
        return int(value) if isinstance(value, float) and value.is_integer() else value
    if isinstance(value, float) and not math.isfinite(value):
        return value  # the field says why it is not a number
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if f.type.name in ("percent", "rate") and "%" in (number_format or ""):
        number *= 100
    number = number.normalize()  # the value itself: 95.500 → 95.5
    wanted = max(places(number), _format_places(number_format))  # zeros added, never rounded
    try:
        return number.quantize(Decimal(1).scaleb(-wanted), context=_WIDE)
    except InvalidOperation:  # a number far too long: the field refuses it, with its reason
        return value


_WIDE = Context(prec=80)  # quantize a 30-digit number to 30 places without rounding


def _format_places(number_format: str | None) -> int:
    """Decimal places an Excel number format always shows: 「0.00」「#,##0.0」「0.0%」 →
    2, 1, 1; General, 「0」 and 「0.##」 (places shown only when not zero) → 0."""
    first = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", (number_format or "").split(";")[0])
    m = re.search(r"\.(0+)", first)
    return len(m.group(1)) if m else 0


def _check(row: Row, file: str) -> None:
    fields = row.template.all_fields
    entries = {k: Entry(k, v, row.number) for k, v in row.values.items()
               if k in fields and v not in (None, "")}
    _, found, _ = validate(row.template, entries, file)
    for p in found:
        key = p.key
        if key in row.refused:
            continue  # 「缺少必填项」 would repeat the formula's own message
        f = fields.get(key) if key else None
        col = f"{row.letters[key]} 列（{f.label if f else key}）" if key in row.letters else \
            f"（{f.label if f else p.field}，表里没有这一列）"
        row.problems.append(Problem(f"{row.where} {col}：{p.message}", file=file,
                                    expected=p.expected, found=p.found, hint=p.hint))
