"""The collection workbook: one sheet per role, typed cells, and rules that Excel, WPS
and LibreOffice enforce while a township types (data validation), with a prompt on
every column and the identity cells locked.

Row 1: each field's label and unit (「主持召开党建工作专题会议（次）」); row 2, hidden:
the keys, so the import is exact even after headers are retouched.  Column A: the
parameter file's name.  A first sheet 「说明」 says how to fill it in; the import skips it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from kit.report.fields import Field, format_value, places
from kit.xlsx import TEXT_FORMAT

FILE_HEADER, FILE_KEY = "参数文件", "文件"
INSTRUCTIONS = "说明"
# Cells with validation and unlocked for typing: the rows given plus room for new officials.
SPARE_ROWS = 200
# Identity cells of an official already in the list are locked: a township fills in
# figures, it does not rename people (a new row below is free).
LOCKED_KEYS = ("单位", "姓名", "年度")
_DATE_FORMATS = {True: 'yyyy"年"m"月"d"日"', False: 'm"月"d"日"'}
_INTEGER = {"count", "year", "count_grouped"}


def is_number(f: Field) -> bool:
    return f.type.numeric


def is_date(f: Field) -> bool:
    return f.type.name == "date"


def full_date(f: Field) -> bool:
    return "年" in f.sample


def prompt(f: Field) -> str:
    """What the input message of a column says: required or not, what to type, unit, 说明."""
    need = "必填" if f.required else "可不填"
    text = f"{need}。应填：{f.expected()}" + (f"，单位：{f.unit}" if f.unit else "")
    if f.help:
        text += f"。{f.help}"
    return text[:250]  # Excel's limit for an input message is 255 characters


def validation(f: Field, first: int, last: int, letter: str) -> Any:
    """The DataValidation of one column (rows ``first``..``last``)."""
    from openpyxl.worksheet.datavalidation import DataValidation

    lo, hi = f.bounds()
    kw: dict[str, Any] = {}
    if f.options:
        kw = {"type": "list", "formula1": '"' + ",".join(f.options) + '"'}
        rule = "从下拉列表中选择：" + "、".join(f.options)
    elif is_number(f):
        kind = "whole" if f.type.name in _INTEGER else "decimal"
        big = Decimal(10) ** 15  # Excel's own precision: nothing larger is a real figure
        lo = lo if lo is not None else -big
        hi = hi if hi is not None else big
        kw = {"type": kind, "operator": "between", "formula1": format_value(lo),
              "formula2": format_value(hi)}
        rule = f.expected()
    elif is_date(f):
        kw = {"type": "date", "operator": "between", "formula1": "DATE(2000,1,1)",
              "formula2": "DATE(2100,12,31)"}
        rule = f.expected()
    else:
        kw = {"type": "textLength", "operator": "lessThanOrEqual",
              "formula1": str(f.max_len or 2000)}
        rule = f.expected()
    dv = DataValidation(allow_blank=True, showInputMessage=True, showErrorMessage=True,
                        errorStyle="stop", **kw)
    dv.promptTitle = f.label[:32]  # Excel's limit for titles
    dv.prompt = prompt(f)
    dv.errorTitle = "输入有误"
    dv.error = f"「{f.label}」{rule}。"[:250]
    dv.add(f"{letter}{first}:{letter}{last}")
    return dv


def cell_value(f: Field | None, value: Any) -> tuple[Any, str | None]:
    """(value for the cell, number format) — numbers as numbers, dates as dates, text as
    text cells so 「0123」 stays 「0123」."""
    if value is None:
        return None, None
    if f is not None and is_date(f) and isinstance(value, str):
        try:
            parsed = f.parse(value)
        except ValueError:
            return value, TEXT_FORMAT
        return _as_date(str(parsed)), _DATE_FORMATS[full_date(f)]
    if isinstance(value, str):
        return value, TEXT_FORMAT
    if isinstance(value, list | dict):
        return str(value), TEXT_FORMAT
    if f is not None and is_number(f) and isinstance(value, int | float | Decimal) \
            and not isinstance(value, bool):
        # The cell shows the number as the report prints it: the typed places (Excel
        # stores 12.50 as 12.5, the format 0.00 shows and returns the zero; see
        # reading._cell_value) and, for 千分位 fields, 3,456.
        decimals = places(Decimal(format_value(value)))
        tail = "." + "0" * decimals if decimals else ""
        cell = float(value) if isinstance(value, Decimal) and decimals else value
        if "grouped" in f.type.name:
            return cell, "#,##0" + tail
        return cell, "0" + tail if decimals else None
    return value, None


def _as_date(text: str) -> dt.datetime | str:
    import re

    m = re.fullmatch(r"(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日", text)
    if not m:
        return text
    year = int(m.group(1) or 2000)  # 月日 only: the year is not shown and not read back
    return dt.datetime(year, int(m.group(2)), int(m.group(3)))


def write_instructions(wb: Any, blank: bool) -> None:
    from openpyxl.styles import Alignment, Font

    ws = wb.create_sheet(INSTRUCTIONS, 0)
    lines = [
        "填写说明",
        "1. 每个角色一张表，每位同志一行。第 1 行是各项的名称和单位，不要改动。",
        "2. 点中一个格子会显示应填的内容；填错了（如负数、超过上限、不是数字）表格会拒绝，请按提示改正。",
        "3. 灰色的格子（参数文件、单位、姓名、年度）不能改；新增的同志请写在表格下方的空行里。",
        "4. 数字只写阿拉伯数字，不写单位（单位已在表头里）；日期写成「5月8日」或「2023年5月8日」。",
        "5. 不要用公式；如果用了，请在 Excel 中「复制 → 选择性粘贴 → 数值」后再保存。",
        "6. 填好后保存为 .xlsx，原样发回。本页不会被导入。",
    ]
    if blank:
        lines.insert(1, "这是新一年度的空白收集表：身份信息已填好，请填写各项数字。")
    for r, text in enumerate(lines, start=1):
        cell = ws.cell(r, 1, text)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if r == 1:
            cell.font = Font(bold=True, size=14)
    ws.column_dimensions["A"].width = 100
