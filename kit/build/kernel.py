"""The kernel each worker process of ``kit build`` keeps alive between notebooks.

Starting a kernel costs about a second (docs/批量生成.md); the batch runs hundreds of short
notebooks, so each worker starts one kernel and reuses it (:mod:`kit.build.engines` runs the
notebooks on it through papermill).  Between notebooks the kernel is reset with IPython's
own ``reset(new_session=True)`` (without its full garbage collection): the user
namespace, output history and execution counter start afresh, so nothing of one
official's run is visible to the next.

The kernel is started with *this* interpreter (``sys.executable``), not whatever
``python`` the installed kernelspec names, so a fresh virtual environment works without
registering a kernel.  On Unix the kernel talks over Unix sockets (no ports, nothing on
the network); elsewhere over TCP, where ports picked at the same moment by several
workers can collide: starting is retried.

In a batch, each worker keeps its kernel's connection file and sockets in its own folder
``<out>/.kit/run/w<pid>/`` (see :mod:`kit.build.lock`), never in the machine-wide runtime or
temporary folders: the next run cleans what a killed one left, and nothing else.

This module does not import papermill or nbconvert (about a second together): a new
worker starts its kernel first, and imports them while the kernel boots.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from jupyter_client.kernelspec import KernelSpec
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync

KERNEL_NAME = "python3"  # the notebook's kernelspec name; ipykernel's built-in spec
START_ATTEMPTS = 3
# IPython's own reset, without the full garbage collection it runs each time (70–250 ms
# per notebook, most of a short notebook's cost; docs/批量生成.md): the kernel's
# automatic collection still runs, and workers are recycled.  One expression, because
# the reset wipes the namespace a helper would live in.
RESET_CODE = """(lambda gc, collect: (
    setattr(gc, "collect", lambda *args, **kwargs: 0),
    get_ipython().reset(new_session=True),
    setattr(gc, "collect", collect),
))(__import__("gc"), __import__("gc").collect)"""
# Warm-up (one of kit build's: each does beside other work what the first official
# would wait for; bench/bench_warm_up.py): what the report notebook imports (kit,
# python-docx), sent, silent and unawaited, as soon as a worker's kernel is launched, so
# the kernel imports them (~0.5 s CPU) while the worker imports papermill, not during
# the first notebook.  An expression: nothing is bound in the user's namespace, and a
# failure here is the first notebook's to report.
WARM_UP_KERNEL_CODE = '__import__("kit.build.notebook"), __import__("kit.word.report")'
# No history file: nothing of a run is written to the user's profile.  No 0.5 ms sleep
# before each reply (ipykernel's guard for clients that stop reading output at the reply;
# papermill's nbclient reads output until the kernel reports idle, which comes after all
# of a cell's output on the same channel): 6 of them per official, ~10% of a notebook.
KERNEL_ARGUMENTS = ("--HistoryManager.hist_file=:memory:", "--Kernel._execute_sleep=0")
RESET_SECONDS = 30  # for a reset's reply, before the kernel is replaced
SOCKET_PATH_MAX = 90  # bytes; Unix socket paths are limited to about 104
log = logging.getLogger(__name__)
_runtime: Path | None = None  # this worker's folder for kernel files (set by the batch)


def use_runtime_dir(folder: Path) -> Path:
    """Keep this process's kernel files in ``folder/w<pid>`` (created here)."""
    global _runtime
    _runtime = folder / f"w{os.getpid()}"
    _runtime.mkdir(parents=True, exist_ok=True)
    return _runtime


class VenvKernelManager(AsyncKernelManager):
    """Starts ipykernel with the running interpreter (the virtual environment's own)."""

    @property
    def kernel_spec(self) -> KernelSpec:
        if self._kernel_spec is None:
            self._kernel_spec = KernelSpec(
                argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                display_name="Python 3 (ipykernel)", language="python", resource_dir="")
        return self._kernel_spec


class ReusedKernel:
    """One live kernel and its client, started on first use and after any failure."""

    def __init__(self) -> None:
        self.km: VenvKernelManager | None = None
        self.kc: Any = None
        self.started = 0  # how many kernels this worker has started (tests read it)
        self._ready = False
        self._ipc_dir: str | None = None
        self._reset_id: str | None = None  # the reset sent after the last notebook

    @property
    def alive(self) -> bool:
        return self.km is not None and run_sync(self.km.is_alive)()

    def launch(self) -> None:
        """Start a kernel without waiting for it to be ready: a new worker launches it
        first, so the kernel boots (and imports what the notebook needs) while the
        worker imports papermill and nbconvert."""
        if self.km is None:
            try:
                run_sync(self._launch)()
                self.kc.execute(WARM_UP_KERNEL_CODE, silent=True, store_history=False)
            except Exception as err:  # ensure() tries again and reports
                log.warning("内核启动失败：%s", err)
                self.stop()

    def ensure(self, startup_timeout: float = 60) -> tuple[VenvKernelManager, Any]:
        """The live kernel, reset since its last notebook; a new one if it died or its
        reset failed (nothing of one official may reach the next)."""
        if self.km is not None and self.kc is not None and self._ready and self.alive:
            if self._reset_done(RESET_SECONDS):
                return self.km, self.kc
            self.stop()
        if self._ready:  # it was ready once and died: start afresh
            self.stop()
        for attempt in range(1, START_ATTEMPTS + 1):
            try:
                if self.km is None:
                    run_sync(self._launch)()
                run_sync(self.kc.wait_for_ready)(timeout=startup_timeout)
                self._ready = True
                return self.km, self.kc  # type: ignore[return-value]
            except Exception as err:  # a port taken between choosing and binding, mostly
                log.warning("内核启动失败（第 %d 次）：%s", attempt, err)
                self.stop()
                if attempt == START_ATTEMPTS:
                    raise
                time.sleep(0.2 * attempt)
        raise AssertionError("unreachable")

    async def _launch(self) -> None:
        if os.name == "posix":  # Unix sockets: no ports to race for, nothing on the network
            self.km = VenvKernelManager(kernel_name=KERNEL_NAME, transport="ipc",
                                        ip=os.path.join(self._socket_dir(), "k"))
        else:
            self.km = VenvKernelManager(kernel_name=KERNEL_NAME)
        if _runtime is not None:
            self.km.connection_file = str(_runtime / "kernel.json")
        await self.km.start_kernel(extra_arguments=list(KERNEL_ARGUMENTS))
        self.started += 1
        if _runtime is not None:  # so a later run can kill it if this one is killed
            pid = getattr(self.km.provisioner, "pid", None)
            (_runtime / "kernel.pid").write_text(str(pid or ""), "utf-8")
        self.kc = self.km.client()
        self.kc.start_channels()

    def _socket_dir(self) -> str:
        if _runtime is not None and len(os.fsencode(_runtime / "k-65535")) <= SOCKET_PATH_MAX:
            return str(_runtime)
        # Too long for a socket path (deep or Chinese folder names): a short temporary
        # folder, recorded in the worker's folder so a later run can remove it.
        self._ipc_dir = tempfile.mkdtemp(prefix="kit-kernel-")
        if _runtime is not None:
            (_runtime / "sockets").write_text(self._ipc_dir, "utf-8")
        return self._ipc_dir

    def reset(self) -> None:
        """Ask the kernel to forget everything the last notebook defined (modules stay
        imported).  Not awaited: the kernel resets while this worker writes the notebook
        and its review page; :meth:`ensure` checks the reply before the next notebook."""
        if self.kc is not None:
            self._reset_id = self.kc.execute(RESET_CODE, silent=True, store_history=False)

    def _reset_done(self, timeout: float) -> bool:
        """Whether the pending reset (if any) succeeded; replies to other requests (the
        warm-up's) are skipped."""
        msg_id, self._reset_id = self._reset_id, None
        if msg_id is None:
            return True
        deadline = time.monotonic() + timeout
        try:
            while True:
                reply = run_sync(self.kc.get_shell_msg)(
                    timeout=max(0.1, deadline - time.monotonic()))
                if reply["parent_header"].get("msg_id") == msg_id:
                    return bool(reply["content"]["status"] == "ok")
        except Exception as err:  # no reply in time: the kernel is not to be trusted
            log.warning("内核清空失败：%s", err)
            return False

    def stop(self) -> None:
        """Kill the kernel: quicker than a graceful shutdown and never stalls."""
        km, kc, self.km, self.kc = self.km, self.kc, None, None
        self._ready, self._reset_id = False, None
        if kc is not None:
            kc.stop_channels()
        if km is not None:
            try:
                run_sync(km.shutdown_kernel)(now=True)
            except Exception as err:  # already dead
                log.debug("shutdown: %s", err)
            run_sync(km.cleanup_resources)()
        self._forget_files()

    def kill_now(self) -> None:
        """Kill the kernel from a signal handler: no event loop, no messages."""
        pid = getattr(self.km.provisioner, "pid", None) if self.km is not None else None
        if pid:
            with contextlib.suppress(OSError):
                os.killpg(pid, signal.SIGKILL)  # the kernel leads its own process group
            with contextlib.suppress(OSError):
                os.waitpid(pid, 0)  # gone (not a zombie) before this worker is
        self._forget_files()

    def _forget_files(self) -> None:
        if self._ipc_dir:
            shutil.rmtree(self._ipc_dir, ignore_errors=True)
            self._ipc_dir = None
        if _runtime is not None:
            for name in ("kernel.json", "kernel.pid", "sockets"):
                (_runtime / name).unlink(missing_ok=True)


_kernel = ReusedKernel()


def worker_kernel() -> ReusedKernel:
    """This process's kernel (one per worker process)."""
    return _kernel
