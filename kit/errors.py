"""One exception family for every mistake a user can make.

Each error carries the facts (file, line, field, expected, found, hint) and an exit
code; ``str(err)`` is the one Chinese message the user reads.  The CLI prints it and
exits with ``err.exit_code``; no traceback is shown for these.
"""

from __future__ import annotations

import difflib
import errno
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong in one file."""

    message: str  # what is wrong, in Chinese, e.g. 「应为不小于 0 的整数」
    file: str | None = None
    line: int | None = None  # 1-based
    field: str | None = None
    expected: str | None = None
    found: str | None = None
    hint: str | None = None  # e.g. 「您是否想写「专题会议」？」

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(f"文件 {self.file}")
        if self.line:
            where.append(f"第 {self.line} 行")
        if self.field:
            where.append(f"字段「{self.field}」")
        head = "，".join(where)
        text = f"{head}：{self.message}" if head else self.message
        if self.expected is not None:
            text += f"（应为：{self.expected}"
            text += f"；实际为：{self.found}）" if self.found is not None else "）"
        elif self.found is not None:
            text += f"（实际为：{self.found}）"
        if self.hint:
            text += f" {self.hint}"
        return text


class KitError(Exception):
    """Base of all user-facing errors.  ``exit_code`` is what the CLI returns."""

    exit_code = 1

    def __init__(self, problems: Problem | Iterable[Problem] | str) -> None:
        if isinstance(problems, str):
            problems = [Problem(problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)

    @property
    def file(self) -> str | None:
        return self.problems[0].file if self.problems else None


class ParamsError(KitError):
    """A parameter file (params/*.yaml) is wrong."""

    exit_code = 2


class UnknownRoleError(ParamsError):
    """The parameter file names a role no template defines."""


class TemplateError(KitError):
    """A role template (templates/*.md) is broken."""

    exit_code = 3


class OutputError(KitError):
    """An output could not be written (disk full, file open in Word, …)."""

    exit_code = 4


class ToolMissingError(KitError):
    """An optional outside program (LibreOffice) is not installed."""

    exit_code = 5


class ExistsError(KitError):
    """An output already exists and was not overwritten (the user may add --force)."""

    exit_code = 6


class ToolFailedError(KitError):
    """An outside program is installed but failed or ran out of time."""

    exit_code = 7


class ToolTimeoutError(ToolFailedError):
    """An outside program ran longer than its time limit."""


def suggest(word: str, choices: Iterable[str], *, n: int = 1) -> str | None:
    """「您是否想写「…」？」 for the closest choice, or None when nothing is close."""
    choices = list(choices)
    close = difflib.get_close_matches(word, choices, n=n, cutoff=0.5)
    if not close:
        # Chinese keys are short; containment catches 「会议」 → 「专题会议」.
        close = [c for c in choices if word and (word in c or c in word)][:n]
    if not close:
        return None
    return "您是否想写" + "、".join(f"「{c}」" for c in close) + "？"


def display_path(path: str | Path) -> str:
    """A path as the user typed it or relative to the working folder: short and familiar."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError, RuntimeError):  # elsewhere, or a symlink loop
        return str(p)


_OS_REASONS = {
    errno.ENOENT: "路径不存在", errno.EACCES: "没有权限", errno.EPERM: "没有权限",
    errno.ENOSPC: "磁盘空间不足", errno.EROFS: "磁盘是只读的", errno.EISDIR: "这是一个文件夹",
    errno.ENOTDIR: "路径里有一段是文件而不是文件夹", errno.ENAMETOOLONG: "文件名太长",
    errno.EEXIST: "已有同名的文件，无法建立这个文件夹", errno.EBUSY: "文件正被其他程序使用", errno.EDQUOT: "磁盘配额已用完",
}


def os_reason(err: OSError) -> str:
    """What went wrong with a file, in Chinese (the system's own words are English)."""
    return _OS_REASONS.get(err.errno or 0) or err.strerror or type(err).__name__
