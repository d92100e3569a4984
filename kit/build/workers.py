"""The worker processes of ``kit build``: each keeps one kernel (:mod:`kit.build.kernel`) and
runs officials through :func:`kit.build.execute.run_task`; Ctrl-C stops them at once, and a
worker whose batch died (even by ``kill -9``) stops itself and its kernel."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import signal
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor, as_completed, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from kit.build.execute import Outcome, Task, run_task
from kit.build.lock import run_dir
from kit.errors import KitError, display_path


class Workers:
    """The batch's worker processes, by generations: one generation (a pool) runs at most
    ``recycle_after`` notebooks per worker, then a fresh one takes the next share (the old
    one closes meanwhile).  Not ``max_tasks_per_child``: on Python 3.11 a pool whose
    workers all retire that way can wait forever for replacements (seen at 200 of 1,000
    officials).  ``kit build --watch`` keeps one between its runs: kernels stay warm."""

    def __init__(self, out_root: Path, workers: int, recycle_after: int, *,
                 full_size: bool = False) -> None:
        self.out_root, self.workers, self.recycle_after = out_root, workers, recycle_after
        self.runtime = run_dir(out_root)  # the kernels' files
        # Each pool may start all ``workers`` (as work comes), not just what its first
        # share needs: a kept pool serves runs of any size.
        self.full_size = full_size
        self.pool: ProcessPoolExecutor | None = None
        self.size = 0  # the current pool's most worker processes
        self.given = 0  # notebooks given to it
        self.closing: list[threading.Thread] = []

    def start_one(self, expected: int) -> None:
        """Start a worker now (it launches its kernel and imports papermill) for about
        ``expected`` officials, so it is ready when the files are checked."""
        if self.pool is None:
            self._new(min(self.workers, expected))
            assert self.pool is not None
            self.pool.submit(warm_up_worker)

    def warm_up_all(self, timeout: float = 120) -> None:
        """Start every worker and its kernel, and wait until they are ready
        (``kit build --watch``: the first saved change is then as quick as the next)."""
        if self.pool is None:
            self._new(self.workers)
        assert self.pool is not None
        ready = [self.pool.submit(warm_up_worker) for _ in range(self.size)]
        wait(ready, timeout=timeout)  # a worker that failed to start says so on its first official

    def pool_for(self, n: int) -> ProcessPoolExecutor:
        """The pool for ``n`` more notebooks: a fresh generation when the current one has
        had its share or is too small for them."""
        if self.pool is not None and self._spent_for(n):
            self.retire()
        if self.pool is None:
            self._new(min(self.workers, n))
        assert self.pool is not None
        self.given += n
        return self.pool

    def _spent_for(self, n: int) -> bool:
        return (self.given + n > self.workers * self.recycle_after
                or self.size < min(self.workers, n))

    def _new(self, size: int) -> None:
        size = self.workers if self.full_size else size
        # spawn: workers must not inherit this process's threads (the closing ones).
        self.pool = ProcessPoolExecutor(max_workers=size,
                                        mp_context=multiprocessing.get_context("spawn"),
                                        initializer=init_worker,
                                        initargs=(self.runtime,))
        self.size, self.given = size, 0

    def retire(self) -> None:
        """Close the current pool in the background (its workers stop their kernels); a
        pool that never got an official is stopped at once instead."""
        pool, self.pool = self.pool, None
        if pool is None:
            return
        if self.given == 0:
            self._kill(pool)
            return
        closing = threading.Thread(target=pool.shutdown, kwargs={"wait": True}, daemon=True)
        closing.start()
        self.closing = [t for t in self.closing if t.is_alive()] + [closing]

    def kill(self) -> None:
        """Ctrl-C: no queued official starts, running ones die with their kernels."""
        pool, self.pool = self.pool, None
        if pool is not None:
            self._kill(pool)

    @staticmethod
    def _kill(pool: ProcessPoolExecutor) -> None:
        pool.shutdown(wait=False, cancel_futures=True)
        for child in multiprocessing.active_children():
            child.terminate()  # its SIGTERM handler kills its kernel first

    def join(self) -> None:
        """Wait until the retired pools have closed (their kernels are stopped)."""
        while self.closing:
            self.closing.pop().join()


def warm_up_worker() -> None:
    """In a new worker: what its first official would otherwise wait for (imports, the
    review page's exporter, the kernel ready).  Submitted while the batch checks the
    files (:meth:`Workers.start_one`) or while ``--watch`` waits for the first change
    (:meth:`Workers.warm_up_all`), so it costs the user nothing."""
    from kit.build.execute import warm_up_run_task
    from kit.build.kernel import worker_kernel

    warm_up_run_task()
    worker_kernel().ensure()


def run_all(tasks: list[tuple[Task, Outcome]], outcomes: dict[Path, Outcome], pool: Workers,
            quiet: bool, done: Callable[[Outcome], None]) -> None:
    """Run the tasks on ``pool``'s workers, a generation's share at a time.  The pool is
    left open: retire it (the workers stop their kernels while the batch goes on with the
    汇编) or keep it for the next run."""
    from tqdm import tqdm

    if not tasks:
        return
    bar = tqdm(total=len(tasks), desc="生成报告", unit="份", disable=quiet, file=sys.stderr,
               dynamic_ncols=True)
    share = max(1, pool.workers * pool.recycle_after)
    for start in range(0, len(tasks), share):
        part = tasks[start:start + share]
        try:
            executor = pool.pool_for(len(part))
            futures = {executor.submit(run_task, task, outcome): (task, outcome)
                       for task, outcome in part}
            _collect(futures, outcomes, bar, done)
        except KeyboardInterrupt:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            pool.kill()
            for _task, outcome in tasks:
                if not outcome.ok and not outcome.reason:
                    outcome.stage = "中断"
                    outcome.reason = "已中断，没有生成（下次运行 kit build 会接着生成）"
            bar.close()
            raise
    bar.close()


def _collect(futures: dict[Future[Outcome], tuple[Task, Outcome]],
             outcomes: dict[Path, Outcome], bar: Any, done_cb: Callable[[Outcome], None]
             ) -> None:
    for future in as_completed(futures):
        task, done = futures[future]
        try:
            done = future.result()  # the worker's filled-in copy
        except BrokenProcessPool:
            done.stage, done.reason = "执行", "处理进程意外退出（可能是内存不足），请重试"
        except KitError as err:  # pickled back whole (its problems): the user can act on it
            done.stage, done.reason = "执行", str(err)
        except Exception as err:  # a bug of ours: report it on this official, go on
            done.stage, done.reason = "执行", f"程序运行出错（{type(err).__name__}: {err}）"
        outcomes[done.file] = done
        done_cb(done)
        bar.set_postfix_str(("✓ " if done.ok else "✗ ") + task.title, refresh=False)
        if not done.ok:
            bar.write(f"✗ {display_path(done.file)}：{done.reason.splitlines()[0]}")
        bar.update(1)


def init_worker(run_root: Path) -> None:
    """Runs in each worker process: its kernel is killed when the worker exits, when the
    batch stops it (SIGTERM) and when the batch itself dies (even by ``kill -9``)."""
    import logging

    # jsonschema (under nbformat) imports rfc3987_syntax when installed, which compiles a
    # Lark grammar at import: 1.8 s per process, for IRI formats no notebook schema uses
    # (python-jsonschema/jsonschema#1392).
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
    from multiprocessing.util import Finalize

    from kit.build.kernel import (  # not papermill: see kit.build.kernel
        use_runtime_dir,
        worker_kernel,
    )

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the batch's to handle
    folder = use_runtime_dir(run_root)
    kernel = worker_kernel()

    def die(*_: Any) -> None:
        kernel.kill_now()
        shutil.rmtree(folder, ignore_errors=True)
        os._exit(1)

    signal.signal(signal.SIGTERM, die)
    parent = os.getppid()

    def watch_parent() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        die()

    threading.Thread(target=watch_parent, daemon=True).start()
    logging.getLogger("papermill").setLevel(logging.ERROR)
    logging.getLogger("traitlets").setLevel(logging.ERROR)
    for name in ("kit.build.engines", "kit.build.kernel"):  # the outcomes say what failed
        logging.getLogger(name).setLevel(logging.CRITICAL)

    def stop() -> None:
        kernel.stop()
        shutil.rmtree(folder, ignore_errors=True)

    Finalize(kernel, stop, exitpriority=10)
    kernel.launch()  # it boots while this worker imports papermill (first task)
