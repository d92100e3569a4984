"""What the batch takes from a parameter folder, read safely.

The batch reads each parameter file itself once (to know whether it changed since the
last run) with :func:`kit.report.yamlio.read_limited`, the reader every parameter file goes
through: a FIFO named ``x.yaml``, a symlink to ``/dev/zero`` or to itself, a folder or a
huge file is that file's error, and nothing blocks.  Files that look like parameter
files but are not read (:func:`kit.report.params.overlooked`: ``x.yaml.txt``, ``x.yaml `` with
a trailing space, ``~$x.yaml``, a hidden ``.x.yaml``) are listed with the name the user
probably meant, so the summary never hides an official.  A hidden file is listed, not
built: most are an editor's or a system's copies (macOS's ``._x.yaml``), and a build
that fails on them would bury the real failures.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kit.errors import ParamsError, display_path
from kit.report.params import PARAMS_SUFFIXES, find_params, overlooked
from kit.report.yamlio import MAX_PARAMS_BYTES, ParamsSyntax, read_limited


@dataclass(frozen=True)
class Lookalike:
    path: Path
    reason: str  # 「文件名末尾有空格」…, in Chinese

    def __str__(self) -> str:
        return f"{display_path(self.path)}：{self.reason}"


def gather(folder: str | Path) -> tuple[list[Path], list[Lookalike]]:
    """The parameter files of ``folder`` and the look-alikes that are not read."""
    return find_params(folder), [Lookalike(p, _reason(p.name)) for p in overlooked(folder)]


def _reason(name: str) -> str:
    low = name.lower()
    if name.startswith("._"):  # macOS's companion file of 「x.yaml」 in a zip or on a USB disk
        return "是 macOS 复制文件时留下的附属文件（以 ._ 开头），不是参数文件，没有读取"
    if name.startswith("."):  # not built: hidden files are often an editor's or a system's
        return (f"是隐藏文件（文件名以 . 开头），没有读取。"
                f"如果这是一位同志的参数文件，请把它改名为「{name.lstrip('.')}」")
    if name.startswith("~"):
        return "是 Word/WPS 等程序留下的临时文件（文件名以 ~ 开头），没有读取"
    if low.rstrip().endswith(PARAMS_SUFFIXES):
        return f"文件名末尾有空格，没有读取。您是否想把它改名为「{name.rstrip()}」？"
    for suffix in PARAMS_SUFFIXES:
        at = low.rfind(suffix)
        if at >= 0:
            meant, rest = name[:at + len(suffix)].rstrip(), name[at + len(suffix):]
            return (f"扩展名不是 .yaml（多了「{rest}」），没有读取。"
                    f"您是否想把它改名为「{meant}」？")
    return "不是以 .yaml 结尾的文件，没有读取"


def read_params_bytes(path: Path) -> bytes:
    """The bytes of a parameter file, within the parameter files' size limit;
    ParamsError (Chinese) for anything else."""
    try:
        return read_limited(path, display_path(path), MAX_PARAMS_BYTES, "参数文件")
    except ParamsSyntax as err:
        raise ParamsError(err.problem) from None
