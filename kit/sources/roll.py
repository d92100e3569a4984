"""``kit roll params/ --year 2024``: start next year's parameter files from this year's.

Each file of ``params/`` gets a copy in the output folder (default ``params-2024/``
beside ``params/``) with

* 角色 and the identity (姓名、单位、单位类别、所属县、省份、排序) carried over, 年度 set;
* text fields (村名、其他工作…) carried over, marked 「# 请核对：沿用 2023 年的内容」;
* figures (整数、小数、百分比、年份) emptied and marked 「# 待填：主持召开党建工作专题会议（次）」.

An empty value counts as missing, so ``kit build`` on the new folder lists exactly
the figures still to fill.  This year's files are only read; an output file that
already exists is not overwritten.
"""

from __future__ import annotations

import re
from pathlib import Path

from kit.errors import (
    KitError,
    ParamsError,
    Problem,
    UsageError,
    display_path,
    internal_problem,
)
from kit.iorw import atomic_write_text
from kit.report.fields import IDENTITY, FieldValueError
from kit.report.params import find_params, read_entries, role_of
from kit.report.templates import load_roles
from kit.report.yamlio import Entry, dump

_YEAR_FIELD = next(f for f in IDENTITY if f.key == "年度")


def default_out(params_dir: str | Path, year: int) -> Path:
    """``params`` → ``params-2024`` (beside it)."""
    folder = Path(params_dir)
    folder = folder.parent if folder.is_file() else folder
    return folder.with_name(f"{folder.resolve().name}-{year}")


def roll(params_dir: str | Path, year: int, out_dir: str | Path | None = None,
         templates: str | Path | None = None) -> list[Path]:
    """Write next year's files; return them.  Unreadable files are reported after the
    others are written."""
    try:
        year = int(_YEAR_FIELD.parse(year))
    except FieldValueError as err:
        raise UsageError(Problem(f"年度{err.message}", field="--year", expected=err.expected,
                                 found=err.found, kind=err.kind)) from None
    params_dir = Path(params_dir)
    out = Path(out_dir) if out_dir else default_out(params_dir, year)
    sources = find_params(params_dir)
    if out.resolve() == (params_dir if params_dir.is_dir() else params_dir.parent).resolve():
        raise KitError(Problem("输出文件夹不能是参数文件夹本身（今年的文件不能被改动）",
                               file=display_path(out), hint="请用 -o 指定另一个文件夹。"))
    roles = load_roles(templates)
    problems: list[Problem] = []
    plans: list[tuple[Path, str]] = []
    for path in sources:  # one bad file never stops the others
        try:
            plan = _plan(path, out, year, roles)
        except KitError as err:
            problems += err.problems
            continue
        except Exception as err:  # noqa: BLE001  # a bug: logged, named, the rest go on
            problems.append(internal_problem(err, display_path(path)))
            continue
        plans.append(plan)
    if not sources:
        raise ParamsError(Problem("参数文件夹里没有参数文件", file=display_path(params_dir)))
    written = [atomic_write_text(target, text) for target, text in plans]
    if problems:
        raise ParamsError(problems + [Problem(f"其余 {len(written)} 个文件已生成在 {display_path(out)}")])
    return written


def _plan(path: Path, out: Path, year: int, roles: dict) -> tuple[Path, str]:
    """(target, text) of next year's file for ``path``; ParamsError when it cannot be made."""
    file = display_path(path)
    raw = read_entries(path)
    template = role_of(raw, roles, file)
    old = _old_year(raw)
    if old is not None and year <= old:
        raise ParamsError(Problem("下一年度应晚于文件里的年度，未生成", file=file,
                                  line=raw["年度"].line, key="年度", kind="out_of_range",
                                  expected=f"大于 {old} 的年份", found=str(year)))
    target = out / _next_name(path.name, raw, year)
    if target.exists():
        raise ParamsError(Problem("下一年度的文件已存在，没有覆盖", file=display_path(target),
                                  kind="exists", hint="请先删除或改名，或用 -o 指定另一个文件夹。"))
    return target, _text(raw, template, year, path.name)


def _old_year(raw: dict[str, Entry]) -> int | None:
    """This year's 年度 when it is a valid year (else the check of the new file names it)."""
    entry = raw.get("年度")
    if entry is None or not isinstance(entry.value, str):
        return None
    try:
        return int(_YEAR_FIELD.parse(entry.value))
    except FieldValueError:
        return None


def _plain(value: object) -> object:
    """A value as read (nested mappings hold Entry objects) as plain YAML data."""
    if isinstance(value, Entry):
        return _plain(value.value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _next_name(name: str, raw: dict[str, Entry], year: int) -> str:
    old = _old_year(raw)
    if old is not None and str(old) in name:
        return name.replace(str(old), str(year))
    return name


def _line(key: str, value: object) -> str:
    return dump({key: _plain(value)}).rstrip("\n")


def _text(raw: dict[str, Entry], template, year: int, source: str) -> str:
    old_year = _old_year(raw)
    lines = [f"# {year}年度述职报告参数：由 kit roll 从 {source} 生成。",
             "# 标「待填」的是今年的数字，请填写；标「请核对」的沿用了上一年的文字。",
             _line("角色", template.role)]
    for f in IDENTITY:
        if f.key == "年度":
            lines.append(_line("年度", year))
        elif raw.get(f.key) and raw[f.key].value not in (None, ""):
            lines.append(_line(f.key, raw[f.key].value))
    for f in template.fields.values():
        entry = raw.get(f.key)
        has = entry is not None and entry.value not in (None, "")
        if f.type.numeric:  # figures are this year's: emptied, to fill
            need = "待填" if f.required else "可不填"
            lines.append(f"{f.key}:  # {need}：{f.title}")
        elif has and entry is not None:
            when = f"沿用 {old_year} 年的内容" if old_year else "沿用上一年的内容"
            lines.append(f"{_line(f.key, entry.value)}  # 请核对：{when}")
        elif f.required:
            lines.append(f"{f.key}:  # 待填：{f.title}")
    # Keys the template does not know (typos…) are carried too: the check will name them.
    known = set(template.all_fields) | {"角色"}
    for key, entry in raw.items():
        if key not in known:
            lines.append(f"{_line(key, entry.value)}  # 模板里没有这个字段，请核对")
    return "\n".join(re.sub(r"\s+$", "", ln) for ln in lines) + "\n"
