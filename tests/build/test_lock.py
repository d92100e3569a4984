"""One kit build per output folder: the OS lock is released however its holder ends,
a second build is told who holds it, and the lock file is never written through a link."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from kit.build.lock import BuildBusyError, BuildLock, kit_dir
from kit.errors import OutputError
from tests.conftest import ROOT

_HOLD = ("import sys, time\nfrom pathlib import Path\nfrom kit.build.lock import BuildLock\n"
         "with BuildLock(Path(sys.argv[1])):\n    print('held', flush=True)\n    time.sleep(600)\n")


def test_a_waiting_build_leaves_the_holders_record(tmp_path: Path) -> None:
    with BuildLock(tmp_path) as held:
        record = held.path.read_text("utf-8")
        with pytest.raises(BuildBusyError), BuildLock(tmp_path, wait=0.3):
            pass
        assert held.path.read_text("utf-8") == record and str(os.getpid()) in record


def test_a_killed_holder_never_blocks_the_next_build(tmp_path: Path) -> None:
    holder = subprocess.Popen([sys.executable, "-c", _HOLD, str(tmp_path)],
                              stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        with pytest.raises(BuildBusyError) as busy, BuildLock(tmp_path, wait=0):
            pass
        assert f"进程号 {holder.pid}" in str(busy.value)
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    with BuildLock(tmp_path, wait=0):  # the system released it with the process
        pass


def test_the_lock_file_is_not_written_through_a_link(tmp_path: Path) -> None:
    precious = tmp_path / "precious.txt"
    precious.write_text("重要内容", "utf-8")
    kit_dir(tmp_path / "out").mkdir(parents=True)
    (kit_dir(tmp_path / "out") / "lock").symlink_to(precious)
    with pytest.raises(OutputError) as err, BuildLock(tmp_path / "out", wait=0):
        pass
    assert "链接" in str(err.value) and "lock" in str(err.value)
    assert precious.read_text("utf-8") == "重要内容"
