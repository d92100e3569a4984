"""``kit build --watch``, a real process: a saved change is rebuilt on the same kernels,
only for the official it concerns; a broken template is said and waited out; Ctrl-C
ends the session with nothing left running.  Whether an official was executed is read
from its notebook's papermill metadata, whether the kernels were kept from the process
table: nothing here is timed."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import docx
import nbformat
import pytest

from kit.build.lock import BuildBusyError, BuildLock
from tests.build.conftest import processes_naming, write_officials
from tests.conftest import index_rows

YEAR = "2023"
GUARD = 300  # seconds: only so that a hang fails the test instead of blocking the suite

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")]


class Session:
    """``kit build --watch`` with its output read line by line as it comes."""

    def __init__(self, root: Path, **env: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "kit.cli", "--templates", "templates", "build", "params",
             "-o", "build", "--workers", "2", "--watch"],
            cwd=root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2]), **env})
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, wanted: Callable[[str], bool], what: str) -> str:
        deadline = time.monotonic() + GUARD
        while True:
            try:
                line = self.lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                pytest.fail(f"never saw {what}; output:\n" + "\n".join(self.seen))
            self.seen.append(line)
            if wanted(line):
                return line


def _runs(root: Path) -> dict[str, str]:
    return {nb.stem: nbformat.read(nb, as_version=4).metadata.papermill.start_time
            for nb in (root / "build" / YEAR / "notebooks").glob("*.ipynb")}


def _kernels(root: Path) -> set[int]:
    runtime = root / "build" / ".kit" / "run"
    return {pid for pid in processes_naming(runtime)
            if "ipykernel" in Path(f"/proc/{pid}/cmdline").read_bytes().decode("utf-8", "replace")}


@pytest.mark.parametrize("poll", ["", "1"], ids=["notified", "polling"])
def test_a_saved_change_is_rebuilt_on_the_same_kernels(workspace: Path, poll: str) -> None:
    """With the system's change notifications, and polling (KIT_WATCH_POLL=1, for
    network folders)."""
    root = workspace
    files = write_officials(root / "params", 4)
    session = Session(root, KIT_WATCH_POLL=poll)
    try:
        session.wait_for(lambda s: "本次执行 4 份" in s, "the first build")
        session.wait_for(lambda s: s.startswith("正在监视"), "the session waiting")
        before, kernels = _runs(root), _kernels(root)
        assert kernels  # the workers kept their kernels

        changed = files[1]
        changed.write_text(changed.read_text("utf-8").replace("讲党课: ", "讲党课: 1"), "utf-8")
        session.wait_for(lambda s: "沿用上次结果 3 份，本次执行 1 份" in s, "the rebuild")
        after = _runs(root)
        assert [s for s in after if after[s] != before[s]] == [changed.stem]
        assert _kernels(root) == kernels  # the same kernels, not new ones
        word = next((root / "build" / YEAR / "docx").glob(f"*{changed.stem.split('-')[1]}.docx"))
        text = "\n".join(p.text for p in docx.Document(str(word)).paragraphs)
        talk = changed.read_text("utf-8").split("讲党课: ")[1].split()[0]
        assert f"带头讲党课{talk}次" in text

        # A reviewer's decision (kit review) refreshes the index's 审阅状态; reading the
        # record (every build does) is no change, or the session would never rest.
        approve = subprocess.run(
            [sys.executable, "-m", "kit.cli", "review", "approve", str(files[0])], cwd=root,
            capture_output=True, text=True, timeout=GUARD,
            env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
                 "KIT_REVIEWER": "张审"})
        assert approve.returncode == 0, approve.stdout + approve.stderr
        session.wait_for(lambda s: "审阅记录.sqlite" in s, "the review record seen")
        session.wait_for(lambda s: "沿用上次结果 4 份，本次执行 0 份" in s, "the index rebuilt")
        session.wait_for(lambda s: s.startswith("汇编："), "its summary")
        status = {r["file"]: r["status"] for r in index_rows(root / "build" / YEAR / "review"
                                                              / "index.html")}
        assert status[files[0].name] == "已通过" and status[files[2].name] == "待审"

        if not poll:  # polling sees only modification times and sizes (docs/批量生成.md)
            _same_size_and_time_edit_is_rebuilt(session, changed, talk, word)

        template = root / "templates" / "镇党建办主任.md"
        good = template.read_text("utf-8")
        template.write_text(good + "\n{% if 单位 %}\n", "utf-8")  # an unclosed {% if %}
        session.wait_for(lambda s: s.startswith("错误：") and "镇党建办主任.md" in s,
                         "the broken template named")
        template.write_text(good, "utf-8")
        # Back to the bytes the outputs were made from: all reused, nothing executed.
        session.wait_for(lambda s: "沿用上次结果 4 份，本次执行 0 份" in s, "the build after the fix")
        session.wait_for(lambda s: s.startswith("汇编："), "its summary")
    finally:
        session.proc.send_signal(signal.SIGINT)
        code = session.proc.wait(timeout=GUARD)
    session.wait_for(lambda s: s == "已结束监视。", "the session's end")
    assert code == 0, "\n".join(session.seen)  # the last build went well
    # one decision, built once or twice (the record's creation and its first checkpoint
    # may come apart), never in a loop
    assert sum("审阅记录.sqlite" in s for s in session.seen) <= 2, "\n".join(session.seen)
    assert not any("Traceback" in s for s in session.seen)
    runtime = root / "build" / ".kit" / "run"
    assert processes_naming(runtime) == [] and list(runtime.iterdir()) == []


def _same_size_and_time_edit_is_rebuilt(session: Session, changed: Path, talk: str,
                                        word: Path) -> None:
    """Same length, same modification time: the session parses files again by their
    content, so this is rebuilt too, never skipped as unchanged."""
    stat = changed.stat()
    other = str(int(talk) % 9 + 1) + talk[1:]
    changed.write_text(changed.read_text("utf-8").replace(f"讲党课: {talk}", f"讲党课: {other}"),
                       "utf-8")
    os.utime(changed, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert changed.stat().st_size == stat.st_size
    session.wait_for(lambda s: "沿用上次结果 3 份，本次执行 1 份" in s, "the second rebuild")
    text = "\n".join(p.text for p in docx.Document(str(word)).paragraphs)
    assert f"带头讲党课{other}次" in text


def test_ctrl_c_during_a_build_ends_the_session_like_kit_build(workspace: Path) -> None:
    """A second kit build into the folder is told the session holds it; Ctrl-C midway
    through a build stops it at once (exit 130) and leaves no kernel behind."""
    root = workspace
    write_officials(root / "params", 60)
    session = Session(root)
    session.wait_for(lambda s: "生成报告" in s and "1/60" in s, "the first official done")
    with pytest.raises(BuildBusyError) as busy, BuildLock((root / "build").resolve(), wait=0):
        pass
    assert f"另一个 kit build 正在写这个输出文件夹（进程号 {session.proc.pid}" in str(busy.value)
    session.proc.send_signal(signal.SIGINT)
    assert session.proc.wait(timeout=GUARD) == 130
    session.wait_for(lambda s: s == "已结束监视。", "the session's end")
    assert any("已中断（Ctrl-C）" in s for s in session.seen)
    assert not any("Traceback" in s for s in session.seen)
    assert processes_naming(root / "build" / ".kit" / "run") == []
