"""Accounts from an Excel sheet (``kit hub account import``) and the sheet to fill in
(``kit hub account export``).

Columns 账号, 姓名, 角色 (填报/审阅/管理), 单位 (several separated by 、 or ，).  The sheet
never holds a password: each new account gets its own random one
(:func:`kit.hub.accounts.initial_password`), written once to a new 0600 workbook beside
the imported one for the administrator to hand out, and must be changed at the first
login.

A bad row is reported (file, sheet, row, column, expected, found) and not imported; the
good rows are.  Each row stands alone — a refused row never half-applies — and running
the same file again adds nothing twice (an existing account is skipped, or with
``update`` has its name, units and role changed, never its password), so fixing the
bad rows and importing again finishes the job.  The reading bounds (file size, unpacked
size, cells) are the roster's (:mod:`kit.sources.roster.reading`).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from kit import xlsx as excel
from kit.errors import KitError, Problem, display_path, suggest
from kit.hub.accounts import ROLES, Account, Accounts, checked, initial_password
from kit.iorw import atomic_write_bytes

SHEET = "账号"
INSTRUCTIONS = "说明"
COLUMNS = ("账号", "姓名", "角色", "单位")
# 、 and ， as the brief of this sheet says; ASCII , and ； too (an English keyboard).
_UNIT_SEPARATORS = re.compile(r"[、，,；;]")
SPARE_ROWS = 200  # rows of the blank sheet with the 角色 list


@dataclass
class Outcome:
    added: list[tuple[Account, str]] = field(default_factory=list)  # with the password
    updated: list[Account] = field(default_factory=list)
    unchanged: list[Account] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notices: list[Problem] = field(default_factory=list)  # imported, but look twice
    passwords: Path | None = None  # the new accounts' initial passwords


def split_units(text: str) -> list[str]:
    return [u.strip() for u in _UNIT_SEPARATORS.split(text) if u.strip()]


def read_rows(path: Path) -> tuple[list[tuple[int, Account]], list[Problem]]:
    """The good rows (with their row number) and a problem for each bad one."""
    from kit.sources.roster.reading import MAX_ROWS, normal, open_workbook

    file = display_path(path)
    if path.is_file() and path.suffix.lower() != excel.SUFFIX:
        raise KitError(Problem("账号表应是 .xlsx 文件", file=file, expected="以 .xlsx 结尾的文件",
                               found=f"「{path.name}」", hint="请用 Excel/WPS 另存为 .xlsx 后重试。"))
    wb, _ = open_workbook(path, file)
    sheets = [ws for ws in wb.worksheets if not ws.title.strip().startswith(INSTRUCTIONS)]
    ws = next((s for s in sheets if s.title.strip() == SHEET), sheets[0] if len(sheets) == 1 else None)
    if ws is None:
        raise KitError(Problem(f"找不到工作表“{SHEET}”", file=file, expected=SHEET,
                               found="、".join(s.title for s in sheets) or "（没有工作表）",
                               hint=suggest(SHEET, [s.title for s in sheets])))
    if ws.max_row > MAX_ROWS:
        raise KitError(Problem(f"工作表“{ws.title}”行数太多", file=file,
                               expected=f"不超过 {MAX_ROWS} 行", found=f"{ws.max_row} 行"))
    columns: dict[str, int] = {}
    problems: list[Problem] = []
    for cell in ws[1]:
        if cell.value in (None, ""):
            continue
        name = normal(cell.value)
        if name in COLUMNS and name not in columns:
            columns[name] = cell.column
        else:
            problems.append(Problem(f"工作表“{ws.title}”第 1 行：不认识的列「{cell.value}」，已跳过",
                                    file=file, line=1, expected="、".join(COLUMNS),
                                    hint=suggest(name, COLUMNS)))
    missing = [c for c in COLUMNS if c not in columns]
    if missing:
        raise KitError(problems + [Problem(
            f"工作表“{ws.title}”第 1 行缺少列：{'、'.join(missing)}", file=file, line=1,
            expected="、".join(COLUMNS),
            hint="可用 kit hub account export --blank 账号.xlsx 生成空白账号表。")])
    rows: list[tuple[int, Account]] = []
    seen: dict[str, int] = {}
    for r in range(2, ws.max_row + 1):
        texts, bad = {}, []
        for name, col in columns.items():
            cell = ws.cell(r, col)
            if cell.data_type == "f":
                bad.append(Problem(f"工作表“{ws.title}”{cell.coordinate} 单元格是公式，账号表只收文字", file=file, line=r,
                                   field=name, expected="文字", found=f"「{cell.value}」",
                                   hint="请把公式改成它算出的文字后保存。"))
                continue
            value = cell.value
            if isinstance(value, float) and value.is_integer():
                value = int(value)  # 「1001」 typed in a number cell is stored 1001.0
            texts[name] = "" if value is None else str(value).strip()
        if not bad and not any(texts.values()):
            continue  # an empty row
        if not bad:
            try:
                found = _account(texts)
            except KitError as err:
                p = err.problems[0]
                bad.append(Problem(f"工作表“{ws.title}”：{p.message}，这一行没有导入", file=file, line=r, field=p.field,
                                   expected=p.expected, found=p.found, hint=p.hint))
            else:
                if found.account in seen:
                    bad.append(Problem(
                        f"工作表“{ws.title}”第 {r} 行：账号「{found.account}」与第 "
                        f"{seen[found.account]} 行重复，这一行没有导入", file=file, line=r,
                        field="账号", found=found.account))
                else:
                    seen[found.account] = r
                    rows.append((r, found))
        problems += bad
    return rows, problems


def _account(texts: dict[str, str]) -> Account:
    role = texts["角色"]
    if role not in ROLES:
        raise KitError(Problem("没有这个角色", field="角色", expected="、".join(ROLES),
                               found=f"「{role}」" if role else "（空）",
                               hint=suggest(role, ROLES) if role else None))
    units = split_units(texts["单位"])
    if not texts["账号"]:
        raise KitError(Problem("账号没有填写", field="账号", found="（空）"))
    return checked(texts["账号"], texts["姓名"], units, role)


def known_units(params: Path) -> set[str]:
    """The units of the parameter files in ``params`` (files that cannot be read: none)."""
    from kit.report.identity import Identity
    from kit.report.params import find_params, read_entries

    units = set()
    for path in find_params(params) if params.is_dir() else []:
        try:
            units.add(Identity.of(read_entries(path)).unit)
        except (KitError, OSError, RuntimeError):  # RuntimeError: a symlink loop
            continue
    return units - {""}


def import_accounts(path: str | Path, book: Accounts, update: bool = False,
                    by: str = "账号表导入", units: set[str] | None = None) -> Outcome:
    """Add the sheet's new accounts (each with its own initial password, written to a new
    workbook beside ``path`` before the accounts exist, so none is lost), skip or (with
    ``update``) change the existing ones; bad rows are in ``Outcome.problems``.
    ``units``: the units the parameter files name — a unit outside them is imported
    (its files may come later) but said in ``Outcome.notices``, with the likely one."""
    path = Path(path)
    rows, problems = read_rows(path)
    out = Outcome(problems=problems)
    new: list[tuple[Account, str]] = []
    known = sorted(units or ())
    for line, found in rows:
        for unit in found.units:
            if known and unit not in known:
                out.notices.append(Problem(
                    f"单位「{unit}」在参数文件夹里还没有参数文件（账号照常导入）",
                    file=display_path(path), line=line, field="单位", found=unit,
                    hint=suggest(unit, known)))
        old = book.get(found.account)
        if old is None:
            new.append((found, initial_password()))
        elif update and book.update(found, by=by):
            out.updated.append(found)
        else:
            out.unchanged.append(found)
    if new:
        out.passwords = write_passwords(path, new)
        try:
            book.add_all(new, by=by)
        except BaseException:
            out.passwords.unlink(missing_ok=True)  # the passwords of no account
            raise
        out.added = new
    return out


def write_passwords(beside: Path, new: list[tuple[Account, str]]) -> Path:
    """A new 0600 workbook 「<name>-初始密码-<time>.xlsx」 beside ``beside``: never an
    existing file (a number is added until the name is free)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.worksheets[0]
    ws.title = "初始密码"
    excel.append(ws, ["账号", "姓名", "角色", "单位", "初始密码"])
    for found, password in new:
        excel.append(ws, [found.account, found.name, found.role, "、".join(found.units), password])
    excel.append(ws, [])
    excel.append(ws, ["请把各自的账号和初始密码分别交给本人；首次登录须修改密码。交付后请删除本文件。"])
    for letter, width in zip("ABCDE", (14, 10, 8, 24, 20), strict=True):
        ws.column_dimensions[letter].width = width
    import io

    buffer = io.BytesIO()
    wb.save(buffer)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    for n in range(1, 1000):
        target = beside.with_name(f"{beside.stem}-初始密码-{stamp}" + (f"-{n}" if n > 1 else "")
                                  + excel.SUFFIX)
        try:  # claimed by O_EXCL: never another file, even one made a moment ago
            os.close(os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        except FileExistsError:
            continue
        except OSError:
            break
        return atomic_write_bytes(target, buffer.getvalue(), mode=0o600)
    raise KitError(Problem("无法在账号表旁边写出初始密码文件，没有添加账号",
                           file=display_path(beside.parent), hint="请检查这个文件夹是否可写。"))


def export_accounts(path: str | Path, book: Accounts | None, force: bool = False) -> Path:
    """The accounts sheet: blank (``book`` None) or with the existing accounts (for
    ``import --update``); text cells, a 角色 list, never a password, never a formula.
    An existing file is replaced only with ``force``, and then kept as a .bak."""
    from openpyxl import Workbook
    from openpyxl.worksheet.datavalidation import DataValidation

    excel.check_target(path, force)
    wb = Workbook()
    info = wb.worksheets[0]
    info.title = INSTRUCTIONS
    lines = ["账号表填写说明",
             "1. 在“账号”表中每人一行；第 1 行的列名不要改动。",
             "2. 账号：登录用，小写英文字母开头，由小写字母、数字、- 或 _ 组成（2 到 20 位），如 dongshan。",
             "3. 姓名：使用人的姓名。角色：填报、审阅或管理（从下拉列表中选择）。",
             "4. 单位：可填报或审阅的乡镇/单位，多个用顿号“、”或逗号“，”分隔；管理账号可不填（全部单位）。",
             "5. 本表不填密码。导入后每个新账号会得到各自的随机初始密码，写在另一个文件里，首次登录须修改。",
             "6. 导入命令：kit hub account import 账号.xlsx（已有的账号不会被改动；要修改请加 --update）。"]
    for r, text in enumerate(lines, start=1):
        excel.put(info, r, 1, text)
    info.column_dimensions["A"].width = 100
    ws = wb.create_sheet(SHEET)
    excel.append(ws, list(COLUMNS))
    for found in (book.all() if book is not None else []):
        excel.append(ws, [found.account, found.name, found.role, "、".join(found.units)])
    last = max(ws.max_row, 1) + SPARE_ROWS
    for r in range(ws.max_row + 1, last + 1):
        for c in range(1, len(COLUMNS) + 1):
            ws.cell(r, c).number_format = excel.TEXT_FORMAT  # 「001」 stays 「001」
    roles = DataValidation(type="list", formula1='"' + ",".join(ROLES) + '"', allow_blank=True,
                           showErrorMessage=True, errorTitle="输入有误",
                           error="角色只能是：" + "、".join(ROLES) + "。")
    roles.add(f"C2:C{last}")
    ws.add_data_validation(roles)
    for letter, width in zip("ABCD", (16, 10, 8, 40), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    wb.active = 1
    return excel.save(wb, path, force)
