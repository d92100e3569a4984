"""A real ``kit build`` process interrupted: Ctrl-C (SIGINT), ``kill -9`` at random
points, and a second build into the same folder.  Afterwards every output parses, no
kernel of the build is left, and a rerun finishes with each official exactly once."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import docx
import nbformat
import pytest

from kit.build.lock import BuildBusyError, BuildLock
from tests.build.conftest import processes_naming, write_officials

YEAR = "2023"
KIT = [sys.executable, "-m", "kit.cli"]
GUARD = 300  # seconds: only so that a hang fails the test instead of blocking the suite

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")]


def _start(root: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*KIT, "--templates", "templates", "build", "params", "-o", "build", "--workers", "2"],
        cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])})


def _finish(root: Path) -> tuple[int, str, str]:
    proc = _start(root)
    out, err = proc.communicate(timeout=GUARD)
    return proc.returncode, out, err


def _wait_for_notebooks(root: Path, n: int) -> None:
    folder = root / "build" / YEAR / "notebooks"
    deadline = time.monotonic() + GUARD
    while len(list(folder.glob("[!.]*.ipynb"))) < n:
        assert time.monotonic() < deadline, "the build never got going"
        time.sleep(0.05)


def _no_kernel_left(root: Path) -> None:
    runtime = root / "build" / ".kit" / "run"
    deadline = time.monotonic() + GUARD  # orphans notice their parent is gone within a second
    while processes_naming(runtime) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert processes_naming(runtime) == []


def _check_outputs(root: Path, names: list[str]) -> None:
    """Every output parses, nothing half-written is left, each official once in the 汇编."""
    year = root / "build" / YEAR
    for nb in (year / "notebooks").glob("*.ipynb"):
        nbformat.validate(nbformat.read(nb, as_version=4))
    words = sorted((year / "docx").glob("*.docx"))
    assert len(words) == len(names)
    for path in words:
        docx.Document(str(path))
    assert [p.name for p in year.rglob(".*")] == []  # no scratch file of a killed write
    volume = docx.Document(str(year / f"{YEAR}年度述职报告汇编.docx"))
    bylines = [p.text for p in volume.paragraphs if p.text.startswith("东山镇党建办主任")]
    assert sorted(b.split()[-1] for b in bylines) == sorted(names)


def test_ctrl_c_stops_at_once_and_the_rerun_does_the_rest(workspace: Path) -> None:
    root = workspace
    files = write_officials(root / "params", 60)
    proc = _start(root)
    _wait_for_notebooks(root, 4)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=GUARD)
    assert proc.returncode == 130
    assert "Traceback" not in out + err and "Error" not in out + err
    assert "已中断" in out and "份没有生成" in out
    done = int(out.split("已中断（Ctrl-C）：")[1].split(" 份已完成")[0])
    assert 0 < done < 60
    _no_kernel_left(root)

    code, out, err = _finish(root)
    assert code == 0, out + err
    assert f"沿用上次结果 {done} 份，本次执行 {60 - done} 份" in out
    _check_outputs(root, [f.stem.split("-")[1] for f in files])
    assert list((root / "build" / ".kit" / "run").iterdir()) == []


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_kill_9_at_a_random_point_then_rerun(workspace: Path, seed: int) -> None:
    root = workspace
    files = write_officials(root / "params", 24)
    rng = random.Random(seed)
    proc = _start(root)
    _wait_for_notebooks(root, rng.randint(0, 12))
    time.sleep(rng.uniform(0, 0.5))
    proc.kill()
    proc.communicate(timeout=GUARD)
    _no_kernel_left(root)

    code, out, err = _finish(root)
    assert code == 0, out + err
    assert "Traceback" not in out + err
    _check_outputs(root, [f.stem.split("-")[1] for f in files])
    _no_kernel_left(root)


def test_a_second_build_into_the_same_folder_stops_naming_the_first(workspace: Path
                                                                    ) -> None:
    root = workspace
    write_officials(root / "params", 60)
    first = _start(root)
    _wait_for_notebooks(root, 1)
    try:
        with BuildLock((root / "build").resolve(), wait=0):
            pytest.fail("the running build does not hold the lock")
    except BuildBusyError as err:
        busy = str(err)
    out, err = first.communicate(timeout=GUARD)
    assert first.returncode == 0, out + err
    assert f"另一个 kit build 正在写这个输出文件夹（进程号 {first.pid}，开始于" in busy

    with BuildLock((root / "build").resolve()):  # now we hold it: a real build must stop
        code, out, err = _finish(root)
    assert code == 4 and "Traceback" not in err
    assert f"进程号 {os.getpid()}" in err and "请等它结束后再运行" in err
    assert "最多等 5 秒" in out  # it said it was waiting before it gave up
