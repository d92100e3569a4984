"""The kept process of ``kit build`` (kit.server), real processes: the next build runs in
it on the same kernels, only for what changed; Ctrl-C and a killed command stop its
build as they stop a plain one; another setup, ``--stop`` and a deleted folder end it.
Which process built what is read from the process table and the notebooks' papermill
metadata; nothing here is timed (the waits are guards against hanging)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from tests.batch.conftest import processes_naming, write_officials
from tests.conftest import ROOT

YEAR = "2023"
GUARD = 300  # seconds: only so that a hang fails the test instead of blocking the suite
KEPT = "生成进程在后台保留"

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals, /proc")]


def _command(root: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "kit.cli", "--templates", "templates", "build", "params",
            "-o", "build", "--workers", "2", *extra]


def _env(**env: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "KIT_KEEP_MINUTES": "5", **env}


def kit_build(root: Path, *extra: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(_command(root, *extra), cwd=root, capture_output=True, text=True,
                          env=_env(**env), timeout=GUARD)


def _info(root: Path) -> dict[str, object]:
    try:
        info: dict[str, object] = json.loads(
            (root / "build" / ".kit" / "server" / "info.json").read_text("utf-8"))
        return info
    except (OSError, ValueError):
        return {}


def _until(ready: object, what: str) -> None:
    deadline = time.monotonic() + GUARD
    while not ready():  # type: ignore[operator]
        if time.monotonic() > deadline:
            pytest.fail(f"never saw {what}")
        time.sleep(0.1)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _kernels(root: Path) -> set[int]:
    runtime = root / "build" / ".kit" / "server" / "run"
    return {pid for pid in processes_naming(runtime)
            if "ipykernel" in Path(f"/proc/{pid}/cmdline").read_bytes().decode("utf-8", "replace")}


def _runs(root: Path) -> dict[str, str]:
    return {nb.stem: nbformat.read(nb, as_version=4).metadata.papermill.start_time
            for nb in (root / "build" / YEAR / "notebooks").glob("*.ipynb")}


@pytest.fixture
def kept(workspace: Path):  # type: ignore[no-untyped-def]
    """A built folder whose kept process is ready; ended (and checked gone) afterwards."""
    write_officials(workspace / "params", 3)
    first = kit_build(workspace)
    assert first.returncode == 0, first.stderr
    assert KEPT in first.stdout
    _until(lambda: _info(workspace).get("ready"), "the kept process ready")
    yield workspace
    pid = _info(workspace).get("pid")
    stop = subprocess.run(_command(workspace, "--stop"), cwd=workspace, capture_output=True,
                          text=True, env=_env(), timeout=GUARD)
    assert stop.returncode == 0
    if isinstance(pid, int) and _alive(pid):  # a test that failed midway: leave nothing
        os.kill(pid, signal.SIGKILL)


def test_the_next_build_runs_in_the_kept_process_on_its_kernels(kept: Path) -> None:
    root = kept
    server, kernels, before = _info(root)["pid"], _kernels(root), _runs(root)
    assert len(kernels) == 2
    changed = sorted((root / "params").glob("*.yaml"))[1]
    changed.write_text(changed.read_text("utf-8").replace("讲党课: ", "讲党课: 1"), "utf-8")
    second = kit_build(root)
    assert second.returncode == 0, second.stderr
    assert "（沿用上次结果 2 份，本次执行 1 份）" in second.stdout
    assert KEPT not in second.stdout  # no new process: this one served it
    assert _info(root)["pid"] == server and _kernels(root) == kernels
    after = _runs(root)
    assert {k for k in after if after[k] != before[k]} == {changed.stem}
    # What a plain build says and writes, relayed: the summary, and the 汇编.
    assert f"汇编：build/{YEAR}/{YEAR}年度述职报告汇编.docx" in second.stdout
    again = kit_build(root)
    assert again.returncode == 0 and "（沿用上次结果 3 份，本次执行 0 份）" in again.stdout


def test_a_mistake_is_said_by_the_kept_process_as_by_a_plain_build(kept: Path) -> None:
    root = kept
    bad = root / "params" / "坏.yaml"
    bad.write_text("角色: 镇党建办主任\n姓名: [\n", "utf-8")
    plain = subprocess.run(_command(root), cwd=root, capture_output=True, text=True,
                           env=_env(KIT_KEEP_MINUTES="0"), timeout=GUARD)
    relayed = kit_build(root)  # a failed file is checked again each time
    assert relayed.returncode == plain.returncode == 1
    said = [x for x in relayed.stdout.splitlines() + relayed.stderr.splitlines() if "坏.yaml" in x]
    assert said and said == [x for x in plain.stdout.splitlines() + plain.stderr.splitlines()
                             if "坏.yaml" in x]
    assert "Traceback" not in relayed.stdout + relayed.stderr


def test_ctrl_c_in_the_command_stops_the_kept_build_like_a_plain_one(kept: Path) -> None:
    root = kept
    write_officials(root / "params", 40, start=3)
    proc = subprocess.Popen(_command(root), cwd=root, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=_env())
    _until(lambda: len(_runs(root)) >= 5, "officials built")
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=GUARD)
    assert proc.returncode == 130, out + err
    assert "已中断（Ctrl-C）" in out and "Traceback" not in out + err
    assert _alive(int(_info(root)["pid"]))  # it serves the next build
    rest = kit_build(root)
    assert rest.returncode == 0, rest.stderr
    assert "43 成功" in rest.stdout and "本次执行 0 份" not in rest.stdout


def test_a_killed_command_stops_its_build_and_the_next_one_finishes(kept: Path) -> None:
    root = kept
    write_officials(root / "params", 40, start=3)
    proc = subprocess.Popen(_command(root), cwd=root, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env=_env())
    _until(lambda: len(_runs(root)) >= 5, "officials built")
    proc.kill()
    proc.wait(timeout=GUARD)
    rest = kit_build(root)  # waits for the folder's lock while the stopped build ends
    assert rest.returncode == 0, rest.stdout + rest.stderr
    assert "43 份：43 成功" in rest.stdout
    assert len(_runs(root)) == 43  # each official once


def test_another_setup_ends_it_and_builds_here(kept: Path) -> None:
    root = kept
    old = int(_info(root)["pid"])  # type: ignore[call-overload]
    other = kit_build(root, KIT_NAME_ORDER="拼音")
    assert other.returncode == 0, other.stderr
    assert KEPT in other.stdout  # built here, then a process for this setup
    _until(lambda: not _alive(old), "the old process gone")
    _until(lambda: _info(root).get("ready") and _info(root)["pid"] != old,
           "a new process ready")


def test_stop_ends_it_with_its_kernels(kept: Path) -> None:
    root = kept
    pid, kernels = int(_info(root)["pid"]), _kernels(root)  # type: ignore[call-overload]
    stop = subprocess.run(_command(root, "--stop"), cwd=root, capture_output=True, text=True,
                          env=_env(), timeout=GUARD)
    assert stop.returncode == 0 and "已结束后台保留的生成进程" in stop.stdout
    assert not _alive(pid) and not any(_alive(k) for k in kernels)
    assert not (root / "build" / ".kit" / "server" / "info.json").exists()
    again = subprocess.run(_command(root, "--stop"), cwd=root, capture_output=True, text=True,
                           env=_env(), timeout=GUARD)
    assert again.returncode == 0 and "没有后台保留的生成进程" in again.stdout


def test_a_deleted_output_folder_ends_it(kept: Path) -> None:
    root = kept
    pid, kernels = int(_info(root)["pid"]), _kernels(root)  # type: ignore[call-overload]
    shutil.rmtree(root / "build")
    _until(lambda: not _alive(pid) and not any(_alive(k) for k in kernels),
           "the process and its kernels gone")


@pytest.mark.parametrize(("value", "hint"), [
    ("abc", "例如 KIT_KEEP_MINUTES=10"), ("-1", "您是否想写「0」？"), ("nan", "例如"),
    ("99999", "您是否想写「1440」？"), ("10分钟", "您是否想写「10」？"),
    ("１０", "您是否想写「10」？")])
def test_a_wrong_keep_time_is_refused_in_one_line(workspace: Path, value: str, hint: str) -> None:
    write_officials(workspace / "params", 1)
    run = kit_build(workspace, KIT_KEEP_MINUTES=value)
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1 and "KIT_KEEP_MINUTES" in run.stderr
    assert f"实际为：「{value}」" in run.stderr and hint in run.stderr
    assert "Traceback" not in run.stderr
    assert not (workspace / "build" / YEAR).exists()  # refused before anything ran


def test_zero_keeps_nothing(workspace: Path) -> None:
    write_officials(workspace / "params", 1)
    run = kit_build(workspace, KIT_KEEP_MINUTES="0")
    assert run.returncode == 0 and KEPT not in run.stdout
    assert not (workspace / "build" / ".kit" / "server").exists()


def test_a_watch_session_ends_it_and_keeps_its_own(kept: Path) -> None:
    from tests.batch.test_watch import Session

    root = kept
    pid, kernels = int(_info(root)["pid"]), _kernels(root)  # type: ignore[call-overload]
    session = Session(root)
    try:
        session.wait_for(lambda s: s.startswith("正在监视"), "the session watching")
        assert not _alive(pid) and not any(_alive(k) for k in kernels)
    finally:
        session.proc.send_signal(signal.SIGINT)
        session.proc.wait(timeout=GUARD)


def test_ctrl_c_while_it_waits_for_the_folder_stops_it_before_anything_runs(kept: Path) -> None:
    from kit.lock import BuildLock

    root = kept
    before = _runs(root)
    with BuildLock((root / "build").resolve(), wait=0):  # as if another build were running
        proc = subprocess.Popen(_command(root, "--force"), cwd=root, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, env=_env())
        assert proc.stdout is not None
        seen = []
        for line in proc.stdout:
            seen.append(line)
            if "另一个 kit build 正在写" in line:
                break
        proc.send_signal(signal.SIGINT)
        rest, _ = proc.communicate(timeout=GUARD)
    assert proc.returncode == 130, "".join(seen) + rest
    assert "Traceback" not in "".join(seen) + rest
    after = kit_build(root)  # served after the interrupted one: nothing of it ran
    assert after.returncode == 0 and "本次执行 0 份" in after.stdout
    assert _runs(root) == before


def test_sigterm_ends_it_and_cleans_up(kept: Path) -> None:
    root = kept
    folder = root / "build" / ".kit" / "server"
    pid, kernels = int(_info(root)["pid"]), _kernels(root)  # type: ignore[call-overload]
    assert (folder / "s").exists()
    os.kill(pid, signal.SIGTERM)
    _until(lambda: not _alive(pid) and not any(_alive(k) for k in kernels),
           "the process and its kernels gone")
    assert not (folder / "info.json").exists() and not (folder / "s").exists()


def test_a_file_others_could_have_written_is_not_trusted(kept: Path) -> None:
    from kit.server import server_dir, wire

    folder = server_dir(kept / "build")
    assert wire.connect(folder) is not None
    os.chmod(folder / "info.json", 0o644)
    assert wire.connect(folder) is None
    os.chmod(folder / "info.json", 0o600)
    os.chmod(folder, 0o770)
    assert wire.connect(folder) is None
    os.chmod(folder, 0o700)
    got = wire.connect(folder)
    assert got is not None
    got[0].close()
