"""One exception family for every mistake a user can make.

Each error carries the facts (file, line, field, expected, found, hint) and an exit
code; ``str(err)`` is the one Chinese message the user reads.  The CLI prints it and
exits with ``err.exit_code``; no traceback is shown for these.

Exit codes (also in the README)::

    0   成功
    1   批处理中有人失败（其余已生成）
    2   参数文件或其他输入文件有误，或命令写法有误
    3   模板有误（含生成正文超时、超出限制）
    4   无法写出文件
    5   缺少外部程序（LibreOffice）
    6   目标文件已存在，没有覆盖（加 --force）
    7   外部程序运行失败或超时
    70  本工具内部错误（详情写在日志文件里）
    130 被 Ctrl-C 中断
"""

from __future__ import annotations

import difflib
import errno
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

# Exit codes that belong to no error class (those carry their own ``exit_code``).
EXIT_FAILED = 1  # kit build: some officials failed, the others were made
EXIT_INTERNAL = 70
EXIT_INTERRUPTED = 130


def field_display(key: str | None, label: str | None = None) -> str | None:
    """How messages name a field: 「讲党课（为村级党员带头讲党课）」, or the label alone when
    it starts with the key (「所属县（区）」, not 「所属县（所属县（区））」).  The one place
    this is made."""
    if not key:
        return label or None
    if not label or label.startswith(key):
        return label or key
    return f"{key}（{label}）"


# Problem.kind values: what went wrong, for code (the form, the roster, the CLI) to act on
# without reading the Chinese text.
KINDS = frozenset({
    "unknown_key", "unknown_role", "missing", "not_number", "not_integer", "not_finite",
    "out_of_range", "too_many_decimals", "too_long", "not_option", "multiline", "not_scalar",
    "unsafe_char", "syntax", "encoding", "limit", "io", "duplicate", "exists", "template", "internal", "other",
})


@dataclass(frozen=True)
class Problem:
    """One thing wrong in one file.

    ``key``/``label``/``kind`` are the structured facts; ``field`` is the display
    (「讲党课（为村级党员带头讲党课）」), made from key and label when not given.
    """

    message: str  # what is wrong, in Chinese, e.g. 「应为不小于 0 的整数」
    file: str | None = None
    line: int | None = None  # 1-based
    field: str | None = None  # display name; computed from key + label when omitted
    expected: str | None = None
    found: str | None = None
    hint: str | None = None  # e.g. 「您是否想写「专题会议」？」
    key: str | None = None  # the field's key as in parameter files: 「讲党课」
    label: str | None = None  # the field's label: 「为村级党员带头讲党课」
    kind: str = "other"  # one of KINDS

    def __post_init__(self) -> None:
        if self.field is None and (self.key or self.label):
            object.__setattr__(self, "field", field_display(self.key, self.label))

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
        # Whatever a message quotes (a key, a role, a column), nothing invisible reaches
        # the screen and nothing reorders the line: each such character shows as 〈U+200B〉.
        from kit.report.fields import marked

        return marked(text)


class Notice(str):
    """A warning: shown, not blocking.  It is the Chinese text (so lists of warnings still
    print and compare as strings) and carries ``key``, ``label`` and ``kind``
    (「unfilled」, 「implausible」, 「punctuation」…) for code to act on."""

    key: str | None
    label: str | None
    kind: str

    def __new__(cls, text: str, *, key: str | None = None, label: str | None = None,
                kind: str = "other") -> Notice:
        self = super().__new__(cls, text)
        self.key, self.label, self.kind = key, label, kind
        return self

    def __reduce__(self) -> tuple:  # picklable across processes (the batch)
        return (_notice, (str(self), self.key, self.label, self.kind))


def _notice(text: str, key: str | None, label: str | None, kind: str) -> Notice:
    return Notice(text, key=key, label=label, kind=kind)


class KitError(Exception):
    """Base of all user-facing errors.  ``exit_code`` is what the CLI returns: 2 (the
    user's input or command) unless a subclass says otherwise; never 1, which says that
    some officials of a batch failed."""

    exit_code = 2

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


class UsageError(KitError):
    """The command line is wrong (an option out of range…)."""

    exit_code = 2


class ParamsError(KitError):
    """A parameter file (params/*.yaml) is wrong."""

    exit_code = 2


class UnknownRoleError(ParamsError):
    """The parameter file names a role no template defines."""


class TemplateError(KitError):
    """A role template (templates/*.md) is broken, or rendering it hit a limit."""

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


class NotApprovedError(KitError):
    """``kit build --final``: some officials are not 已通过 yet."""

    exit_code = 8


# Words people write for an identity key: 「年份」 means 年度 (not 省份, which shares 份).
_SYNONYMS = {"年份": "年度", "年": "年度", "年度份": "年度", "名字": "姓名", "名称": "姓名",
             "姓名字": "姓名", "乡镇": "单位", "单位名称": "单位", "镇": "单位", "县": "所属县",
             "县区": "所属县", "所属区": "所属县", "省": "省份", "职务": "角色", "岗位": "角色",
             "顺序": "排序", "序号": "排序"}


def closest(word: str, choices: Iterable[str], *, n: int = 1) -> list[str]:
    """The choices ``word`` most likely meant, best first (maybe none)."""
    from kit.report.fields import without_refused

    choices = list(dict.fromkeys(choices))
    # 「专题\u200b会议」 meant 「专题会议」: invisible characters are no part of what was meant.
    word = without_refused(str(word)).strip()
    if not word or not choices:
        return []
    if _SYNONYMS.get(word) in choices:
        return [_SYNONYMS[word]]

    def score(c: str) -> float:
        ratio = difflib.SequenceMatcher(None, word, c).ratio()
        prefix = len(_common_prefix(word, c))
        # Chinese keys are short: a shared first character says more than a shared last.
        return ratio + 0.15 * prefix + (0.3 if word in c or c in word else 0)

    ranked = sorted(choices, key=score, reverse=True)
    return [c for c in ranked if difflib.SequenceMatcher(None, word, c).ratio() >= 0.5
            or word in c or c in word][:n]


def _common_prefix(a: str, b: str) -> str:
    i = 0
    while i < min(len(a), len(b)) and a[i] == b[i]:
        i += 1
    return a[:i]


def suggest(word: str, choices: Iterable[str], *, n: int = 1) -> str | None:
    """「您是否想写「…」？」 for the closest choice, or None when nothing is close."""
    close = closest(word, choices, n=n)
    return did_you_mean(close)


def did_you_mean(candidates: Iterable[str]) -> str | None:
    """「您是否想写「a」、「b」？」: the one wording of a suggestion."""
    candidates = [str(c) for c in candidates]
    return "您是否想写" + "、".join(f"「{c}」" for c in candidates) + "？" if candidates else None


def display_path(path: str | Path) -> str:
    """A path as the user typed it or relative to the working folder: short and familiar."""
    p = Path(path)
    full = Path(os.path.abspath(p))  # symlinks not followed: the name the user gave
    shown = str(p)
    for base in (os.getcwd(), os.path.realpath(os.getcwd())):
        try:
            shown = str(full.relative_to(base))
            break
        except ValueError:
            continue
    # A name that is not UTF-8 (from a USB stick formatted elsewhere) is shown with
    # \xff escapes instead of failing when printed.
    return shown.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


_OS_REASONS = {
    errno.ENOENT: "路径不存在", errno.EACCES: "没有权限", errno.EPERM: "没有权限",
    errno.ENOSPC: "磁盘空间不足", errno.EROFS: "磁盘是只读的", errno.EISDIR: "这是一个文件夹",
    errno.ENOTDIR: "路径里有一段是文件而不是文件夹", errno.ENAMETOOLONG: "文件名太长",
    errno.EEXIST: "已有同名的文件，无法建立这个文件夹", errno.EBUSY: "文件正被其他程序使用", errno.EDQUOT: "磁盘配额已用完",
    errno.ELOOP: "快捷方式（符号链接）指向自己，形成了循环", errno.ENXIO: "这不是普通文件（设备或管道）",
    errno.ENODEV: "这不是普通文件（设备）", errno.EFBIG: "文件太大", errno.EIO: "读写磁盘时出错",
    errno.EMFILE: "同时打开的文件太多", errno.ENFILE: "同时打开的文件太多",
    errno.ETXTBSY: "文件正被其他程序使用", errno.EAGAIN: "文件暂时无法读取（可能是管道或设备）",
    errno.EINVAL: "文件名或路径不合规", errno.ESPIPE: "这不是普通文件（管道）",
    errno.EXDEV: "不能跨磁盘移动文件", errno.ENOTEMPTY: "文件夹不是空的", errno.ENOMEM: "内存不足",
}


def os_reason(err: OSError) -> str:
    """What went wrong with a file, in Chinese (the system's own words are English)."""
    reason = _OS_REASONS.get(err.errno or 0)
    if reason:
        return reason
    by_class = {FileNotFoundError: "路径不存在", PermissionError: "没有权限",
                IsADirectoryError: "这是一个文件夹", NotADirectoryError: "路径里有一段是文件而不是文件夹",
                FileExistsError: "文件已存在", TimeoutError: "操作超时"}
    for cls, text in by_class.items():
        if isinstance(err, cls):
            return text
    return f"系统错误（错误号 {err.errno}）" if err.errno else "系统错误"


def write_error_log(err: BaseException) -> str | None:
    """Write ``err``'s traceback to 「kit-错误日志-<time>-….txt」 in the temporary folder
    (else the working folder); return its path, or None when nothing could be written."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    text = "".join(traceback.format_exception(err))
    for folder in (Path(tempfile.gettempdir()), Path.cwd()):
        try:
            fd, name = tempfile.mkstemp(prefix=f"kit-错误日志-{stamp}-", suffix=".txt", dir=folder)
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(f"kit {' '.join(sys.argv[1:])}\n\n{text}")
            return name
        except OSError:
            continue
    return None


def internal_problem(err: BaseException, file: str | None = None) -> Problem:
    """An unexpected error (a bug of the kit, not the user's doing) as one Chinese
    problem naming the log file that holds its traceback."""
    log = write_error_log(err)
    where = f"详细信息已写入 {log}，" if log else ""
    return Problem(f"本工具内部出错（{type(err).__name__}），这不是您的操作问题。{where}"
                   "请把这个文件发给维护人员。", file=file, kind="internal")
