"""Writing Excel files: the one place every writer puts people's text into a cell and
saves a workbook.

Text stays text.  openpyxl stores any string starting with 「=」 as a formula, so a
name 「=1+1」 or a reason 「=cmd|'/C calc'!A0」 would be computed when the file is
opened; :func:`text_cell` keeps the cell a text cell, formatted as text (「@」) and, when
the text starts with what Excel or LibreOffice evaluate on editing (= + - @), with the
quote prefix, so the cell stays text when someone edits it.  The text itself is never
changed (no apostrophe is added).

Nothing is replaced unasked: :func:`save` refuses a name that does not end in .xlsx and
an existing file without ``force``; with ``force`` the old file is kept as a
timestamped .bak (:func:`kit.iorw.backup_generations`).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from kit.errors import ExistsError, Problem, UsageError, display_path
from kit.iorw import atomic_write_bytes, backup_generations

TEXT_FORMAT = "@"
SUFFIX = ".xlsx"
# Excel and LibreOffice evaluate a text typed or edited with these first characters.
_EVALUATED = ("=", "+", "-", "@")


def text_cell(cell: Any, text: str) -> Any:
    """Put ``text`` in ``cell`` as a text cell, never a formula; returns the cell."""
    cell.value = text
    cell.data_type = "s"  # openpyxl made it 「f」 when it starts with 「=」
    cell.number_format = TEXT_FORMAT
    if text.startswith(_EVALUATED):
        cell.quotePrefix = True
    return cell


def put(ws: Any, row: int, column: int, value: Any) -> Any:
    """``ws.cell(row, column, value)``, with text as a text cell (:func:`text_cell`)."""
    cell = ws.cell(row, column)
    if isinstance(value, str):
        return text_cell(cell, value)
    cell.value = value
    return cell


def append(ws: Any, values: list[Any] | tuple[Any, ...]) -> None:
    """``ws.append(values)``, with text as text cells."""
    ws.append(values)
    for cell in ws[ws.max_row]:  # the row just appended (append makes every cell)
        if isinstance(cell.value, str):
            text_cell(cell, cell.value)


def check_target(path: str | Path, force: bool) -> Path:
    """Refuse to write a workbook to ``path`` unless it ends in .xlsx and, when a file is
    there, ``force`` was given (the old file is then kept by :func:`save`)."""
    path = Path(path)
    if path.suffix.lower() != SUFFIX:
        raise UsageError(Problem("导出的 Excel 文件名应以 .xlsx 结尾，没有写入",
                                 file=display_path(path), expected="以 .xlsx 结尾的文件名",
                                 found=f"「{path.name}」",
                                 hint=("以 .yaml 结尾的是参数文件。"
                                       if path.suffix.lower() in {".yaml", ".yml"} else "")
                                 + f"您是否想写「{path.stem}{SUFFIX}」？"))
    if path.is_dir():
        raise UsageError(Problem("这是一个文件夹，不能写成 Excel 文件", file=display_path(path),
                                 hint="请在后面加上文件名，例如「审阅记录.xlsx」。"))
    if path.exists() and not force:
        raise ExistsError(Problem("这个 Excel 文件已存在，没有覆盖", file=display_path(path),
                                  hint="请换一个文件名；确需覆盖请加 --force（旧文件会保留为 .bak）。"))
    return path


def save(wb: Any, path: str | Path, force: bool = False) -> Path:
    """Write ``wb`` to ``path`` atomically (:func:`check_target` first); a replaced file
    is kept as ``<name>.<时间>.bak``."""
    path = check_target(path, force)
    buffer = io.BytesIO()
    wb.save(buffer)
    backup_generations(path)
    return atomic_write_bytes(path, buffer.getvalue())
