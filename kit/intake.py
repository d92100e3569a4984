"""What the batch takes from a parameter folder, read safely.

The batch reads each parameter file itself once (to know whether it changed since the
last run), so that read must never block or exhaust memory whatever sits in the folder:
a FIFO named ``x.yaml``, a symlink to ``/dev/zero`` or to itself, a folder, a huge file.
Files that look like parameter files but are not read (``x.yaml.txt``, ``x.yaml `` with
a trailing space, ``~$x.yaml``) are listed, so the summary never hides an official.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from kit.errors import ParamsError, Problem, display_path, os_reason
from kit.params import PARAMS_SUFFIXES, find_params

MAX_PARAMS_BYTES = 1 << 20  # a parameter file is a few kilobytes; 1 MiB is generous


@dataclass(frozen=True)
class Lookalike:
    path: Path
    reason: str  # 「文件名末尾有空格」…, in Chinese

    def __str__(self) -> str:
        return f"{display_path(self.path)}：{self.reason}"


def gather(folder: str | Path) -> tuple[list[Path], list[Lookalike]]:
    """The parameter files of ``folder`` (as :func:`kit.params.find_params` picks them)
    and the entries that look like parameter files but are not picked up."""
    files = find_params(folder)
    folder = Path(folder)
    if not folder.is_dir():
        return files, []
    picked = set(files)
    others = []
    for p in sorted(folder.iterdir()):
        if p not in picked and (reason := _lookalike_reason(p.name)):
            others.append(Lookalike(p, reason))
    return files, others


def _lookalike_reason(name: str) -> str | None:
    low = name.lower()
    if not any(s in low for s in PARAMS_SUFFIXES):
        return None
    stem_ok = low.rstrip().endswith(PARAMS_SUFFIXES)
    if name.startswith("~"):
        return "是 Word/WPS 等程序留下的临时文件（文件名以 ~ 开头），没有读取"
    if name.startswith("."):
        return "是隐藏文件（文件名以 . 开头），没有读取"
    if stem_ok:
        return (f"文件名末尾有空格，没有读取。您是否想把它改名为「{name.rstrip()}」？")
    for suffix in PARAMS_SUFFIXES:
        at = low.rfind(suffix)
        if at >= 0:
            meant = name[:at + len(suffix)].rstrip()
            return (f"扩展名不是 .yaml（实际为「{name[at + len(suffix):]}」），没有读取。"
                    f"您是否想把它改名为「{meant}」？")
    return None


def read_params_bytes(path: Path, limit: int = MAX_PARAMS_BYTES) -> bytes:
    """The bytes of a parameter file; ParamsError (Chinese) for anything that is not a
    regular file of at most ``limit`` bytes.  Never blocks (FIFOs, devices)."""
    file = display_path(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as err:
        if err.errno == errno.ELOOP:
            raise ParamsError(Problem("是一个循环的符号链接（链接指向自己），无法读取",
                                      file=file, hint="请删除这个链接，或让它指向真正的参数文件。")
                              ) from None
        raise ParamsError(Problem(f"无法读取参数文件：{os_reason(err)}", file=file)) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            kind = "文件夹" if stat.S_ISDIR(st.st_mode) else "管道、设备等特殊文件"
            raise ParamsError(Problem(f"不是普通文件（是{kind}），没有读取", file=file,
                                      expected="普通的 .yaml 文本文件"))
        if st.st_size > limit:
            raise ParamsError(_too_big(file, limit, st.st_size))
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 16, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:  # grew while read
            raise ParamsError(_too_big(file, limit, size))
        return b"".join(chunks)
    except OSError as err:
        raise ParamsError(Problem(f"无法读取参数文件：{os_reason(err)}", file=file)) from None
    finally:
        os.close(fd)


def _too_big(file: str, limit: int, size: int) -> Problem:
    return Problem("参数文件太大，没有读取", file=file, expected=f"不超过 {limit // 1024} KB",
                   found=f"{size // 1024} KB 以上", hint="参数文件只应包含一位同志的数据。")
