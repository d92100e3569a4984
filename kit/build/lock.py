"""One ``kit build`` at a time per output folder, and the kit's own runtime folder in it.

The lock is an OS file lock (``flock``) on ``<out>/.kit/lock``: the system releases it
when the holder exits in any way, ``kill -9`` included, so a stale lock never blocks.
The file records who holds it (pid, start time), for the message a second run prints;
a waiting run never truncates it (filelock's lock does, on every try, which is why it is
not used here) and nothing is written through a symbolic link put in its place.
POSIX only, like the rest of the kit (process groups, /proc, SIGALRM).

``<out>/.kit/run/`` holds the kernels' connection files and sockets, one folder per
worker process (``w<pid>``).  Whatever a killed run left there is cleaned by the next
run, which holds the lock, so nothing of a live run is ever touched.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import signal
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from kit.errors import OutputError, Problem, display_path, os_reason
from kit.iorw import open_inside
from kit.project import YEAR_PARTS, is_scratch

KIT_DIR = ".kit"
WAIT_SECONDS = 5.0


class BuildBusyError(OutputError):
    """Another ``kit build`` is writing into the same output folder."""


def kit_dir(out_root: Path) -> Path:
    return out_root / KIT_DIR


def run_dir(out_root: Path) -> Path:
    return kit_dir(out_root) / "run"


class BuildLock:
    """``with BuildLock(out_root):`` — waits up to ``wait`` seconds, then raises
    :class:`BuildBusyError` naming the running build."""

    def __init__(self, out_root: Path, wait: float = WAIT_SECONDS,
                 say: Callable[[str], None] = lambda _: None) -> None:
        self.path = kit_dir(out_root) / "lock"
        self.out_root, self.wait, self.say = out_root, wait, say
        self._fd: int | None = None

    def __enter__(self) -> BuildLock:
        try:  # never through a link (a planted .kit/lock would truncate its target)
            fd = open_inside(self.path, self.out_root, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError as err:
            raise OutputError(Problem(f"无法使用输出文件夹：{os_reason(err)}",
                                      file=display_path(self.out_root))) from None
        deadline = time.monotonic() + self.wait
        waiting = False
        while not _try_lock(fd):
            if not waiting and self.wait > 0:
                waiting = True
                self.say(f"另一个 kit build 正在写 {display_path(self.out_root)}（{_holder(self.path)}），"
                         f"最多等 {self.wait:g} 秒……")
            if time.monotonic() >= deadline:
                holder = _holder(self.path)
                os.close(fd)
                raise BuildBusyError(Problem(
                    f"另一个 kit build 正在写这个输出文件夹（{holder}）",
                    file=display_path(self.out_root),
                    hint="请等它结束后再运行，或用 -o 换一个输出文件夹。"))
            time.sleep(0.2)
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps({"pid": os.getpid(), "started": datetime.now().isoformat(
            timespec="seconds")}).encode(), 0)
        self._fd = fd
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            os.close(self._fd)  # closing releases the lock
            self._fd = None


def _try_lock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


def _holder(path: Path) -> str:
    try:
        info = json.loads(path.read_text("utf-8"))
        started = info["started"].replace("T", " ")
        return f"进程号 {info['pid']}，开始于 {started}"
    except (OSError, ValueError, KeyError, AttributeError):
        return "进程信息暂时读不到"


def clean_stale_runtime(out_root: Path) -> int:
    """Remove what killed runs left in ``<out>/.kit/run`` (call while holding the lock):
    kernels still alive there are killed, their files and socket folders removed.
    Returns how many worker folders were cleaned."""
    folder = run_dir(out_root)
    if not folder.is_dir():
        return 0
    cleaned = 0
    for worker in folder.iterdir():
        kill_recorded_kernel(worker)
        sockets = worker / "sockets"
        if sockets.is_file():  # sockets in a short temporary folder (path length limit)
            elsewhere = Path(sockets.read_text("utf-8").strip())
            if elsewhere.name.startswith("kit-kernel-"):
                shutil.rmtree(elsewhere, ignore_errors=True)
        shutil.rmtree(worker, ignore_errors=True)
        cleaned += 1
    return cleaned


def clean_scratch(out_root: Path) -> int:
    """Remove the scratch files a killed run left (:func:`kit.project.is_scratch`: named
    with the kit's own marker) in the folders a build writes: the output folder, its
    year folders and their parts; call while holding the lock.  Nothing else is looked
    at, so a user's folder inside the output folder is never touched."""
    removed = 0
    years = [f for f in out_root.glob("*/") if f.name.isdigit()]
    for folder in (out_root, *years, *(f / part for f in years for part in YEAR_PARTS)):
        if folder.is_symlink() or not folder.is_dir():
            continue
        for p in folder.glob(".*"):
            if not p.is_symlink() and p.is_file() and is_scratch(p.name):
                p.unlink(missing_ok=True)
                removed += 1
    return removed


def kill_recorded_kernel(worker: Path) -> None:
    """Kill the kernel a worker folder records, if it is still that kernel (its command
    line names the connection file in this folder)."""
    try:
        pid = int((worker / "kernel.pid").read_text("utf-8"))
    except (OSError, ValueError):
        return
    cmdline = Path(f"/proc/{pid}/cmdline")
    try:
        if str(worker) not in cmdline.read_bytes().decode("utf-8", "replace"):
            return
    except OSError:
        return  # not running (or no /proc: the kernel watches its parent and exits)
    with contextlib.suppress(OSError):
        os.killpg(pid, signal.SIGKILL)  # the kernel leads its own process group
