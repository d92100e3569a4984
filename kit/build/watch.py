"""``kit build --watch``: build, then build again each time a parameter file or a role
template is saved, on the same worker processes.  Their kernels stay warm, so a fixed
figure is rebuilt (notebook, Word, 汇编, index) in well under a second instead of the
second or two a new kernel takes (docs/批量生成.md).

The session is an ordinary foreground command: it holds the output folder's lock (a
plain ``kit build`` into the same folder meanwhile is told who holds it) and Ctrl-C ends
it, its workers and their kernels; nothing keeps running after it.  Changes are seen
through the operating system's file notifications (watchfiles; ``KIT_WATCH_POLL=1``
polls instead, e.g. on a network folder).
"""

from __future__ import annotations

import contextlib
import os
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from kit.build.batch import (
    BuildResult,
    Settings,
    files_of,
    once,
    session,
    sigint_raises_once,
    summarize,
)
from kit.build.compilations import warm_up_volumes
from kit.build.lock import WAIT_SECONDS, BuildLock
from kit.build.workers import Workers
from kit.errors import KitError, display_path
from kit.report.yamlio import Entry
from kit.review.record import DB_NAME

WATCHED = (".yaml", ".yml", ".md")  # parameter files and role templates (and DB_NAME)
STEP_MS = 100  # quiet time after a change before building (an editor's save is several)
POLL_SECONDS = 0.5  # KIT_WATCH_POLL=1, or when notifications fail
ARM_SECONDS = 5  # at most, for the notifications to be set up before the first build


def watch(run: Settings, *, lock_wait: float = WAIT_SECONDS) -> int:
    """Build ``run``, then again after each change, until Ctrl-C.  Returns the exit code
    of the last build (130 when Ctrl-C stopped one midway)."""
    say: Callable[[str], None] = (lambda _: None) if run.quiet else print
    files_of(run.params_dir)  # nothing to watch: said at once, as kit build does
    with BuildLock(run.out_root, lock_wait, say), sigint_raises_once():
        pool = session(run, full_size=True)
        listener = _Listener([Path(run.params_dir).resolve(), run.tdir], say)
        last = _Last()
        try:
            _build_once_and_summarize(run, pool, say, last)
            run = replace(run, force=False)  # --force is for the first build only
            if not last.stopped:  # the first saved change as quick as the next:
                pool.warm_up_all()  # every worker's kernel ready,
                warm_up_volumes()  # the 汇编's name order and Word writer loaded here
                say(f"\n正在监视 {display_path(run.params_dir)} 和 {display_path(run.tdir)}："
                    "参数文件、模板保存后或审阅记录有变化时自动重新生成。按 Ctrl-C 结束。")
            while not last.stopped:
                names = listener.next_changes()
                say(f"\n发现改动：{'、'.join(names[:5])}"
                    f"{f' 等 {len(names)} 个文件' if len(names) > 5 else ''}，重新生成……")
                _build_once_and_summarize(run, pool, say, last)
        except KeyboardInterrupt:  # Ctrl-C while waiting: the normal end of a session
            pass
        finally:
            listener.stop()
            pool.retire()
            pool.join()
    say("已结束监视。")
    return last.code


class _Listener:
    """Collects the changes watchfiles reports, from before the first build on: a file
    saved while a build runs is built next, never missed."""

    def __init__(self, folders: list[Path], say: Callable[[str], None]) -> None:
        self.folders, self.say = [str(f) for f in folders], say
        self.changes: queue.Queue[set[str] | BaseException] = queue.Queue()
        self.armed, self.halt = threading.Event(), threading.Event()
        self.thread = threading.Thread(target=self._listen, daemon=True)
        self.thread.start()
        self.armed.wait(ARM_SECONDS)

    def _listen(self) -> None:
        import watchfiles

        if os.environ.get("KIT_WATCH_POLL") == "1":
            self._poll()
            return
        try:
            for found in watchfiles.watch(
                    *self.folders, watch_filter=_relevant, step=STEP_MS, stop_event=self.halt,
                    rust_timeout=200, yield_on_timeout=True, raise_interrupt=False):
                self.armed.set()
                if found:
                    self.changes.put({p for _, p in found})
        except Exception as err:  # e.g. the system's limit of watched folders
            self.changes.put(err)
            self._poll()

    def _poll(self) -> None:
        """Compare the watched files' modification times (to the nanosecond), sizes and
        inodes every half second.  Not watchfiles' polling: it misses a second save
        within the same second."""
        before = self._scan()
        self.armed.set()
        while not self.halt.wait(POLL_SECONDS):
            now = self._scan()
            if changed := {p for p in before.keys() | now.keys() if before.get(p) != now.get(p)}:
                self.changes.put(changed)
            before = now

    def _scan(self) -> dict[str, tuple[int, int, int]]:
        found: dict[str, tuple[int, int, int]] = {}
        for folder in self.folders:
            for root, dirs, names in os.walk(folder):
                dirs[:] = [d for d in dirs if not d.startswith(".")]
                for name in names:
                    path = os.path.join(root, name)
                    if _relevant(None, path):
                        with contextlib.suppress(OSError):  # gone meanwhile: seen next time
                            st = os.stat(path)
                            found[path] = (st.st_mtime_ns, st.st_size, st.st_ino)
        return found

    def next_changes(self) -> list[str]:
        """The names of the files changed since the last call (waits for one)."""
        found: set[str] = set()
        while not found:
            try:
                got = self.changes.get(timeout=0.5)  # a short wait: Ctrl-C gets through
            except queue.Empty:
                continue
            if isinstance(got, BaseException):
                self.say(f"提示：无法接收文件夹的改动通知（{got}），改为每隔半秒检查一次。")
                continue
            found |= got
        while not self.changes.empty():  # saved together: one build
            more = self.changes.get_nowait()
            if not isinstance(more, BaseException):
                found |= more
        return sorted({os.path.basename(p) for p in found})

    def stop(self) -> None:
        self.halt.set()
        self.thread.join(timeout=2)


@dataclass
class _Last:
    """What a session keeps of its builds: the last one's exit code, set as soon as it is
    known (Ctrl-C may come while its summary is printed), whether Ctrl-C stopped it
    midway, and each file's entries by content (only changed files are parsed again)."""

    code: int = 0
    stopped: bool = False
    parsed: dict[tuple[str, str], dict[str, Entry]] = field(default_factory=dict)


def _build_once_and_summarize(run: Settings, pool: Workers, say: Callable[[str], None],
                              last: _Last) -> None:
    """One build on the kept workers.  A problem that stops a build (a broken template,
    an emptied folder) is said, and the session waits for the fix."""
    try:
        result: BuildResult = once(run, pool, say, keep=True, parsed=last.parsed)
    except KitError as err:
        last.code = err.exit_code
        say(f"错误：{err}")
        return
    last.code, last.stopped = result.exit_code, result.interrupted
    summarize(result, say)


def _relevant(change: object, path: str) -> bool:
    name = os.path.basename(path)
    # The review record too: a decision changes the index's 审阅状态.  Only the database
    # itself (written at each decision, kit.review.record), never its -journal file (or
    # an old record's -wal/-shm), which a write creates and deletes.
    return (name.endswith(WATCHED) and not name.startswith((".", "~$"))) or name == DB_NAME
