"""The worker processes of ``kit build``: each keeps one kernel (:mod:`kit.kernel`) and
runs officials through :func:`kit.execute.run_task`; Ctrl-C stops them at once, and a
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
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kit.errors import display_path
from kit.execute import Outcome, Task, run_task
from kit.lock import run_dir


def _pool(out_root: Path, workers: int) -> ProcessPoolExecutor:
    # spawn: workers must not inherit this process's threads (the closing ones).
    return ProcessPoolExecutor(max_workers=workers,
                               mp_context=multiprocessing.get_context("spawn"),
                               initializer=init_worker, initargs=(run_dir(out_root),))


@dataclass
class Started:
    pool: ProcessPoolExecutor
    workers: int  # at most this many worker processes


def prestart(out_root: Path, workers: int) -> Started:
    """Start one worker now (it launches its kernel and imports papermill), so that it is
    ready when the files are checked; the pool spawns up to ``workers`` as tasks come."""
    pool = _pool(out_root, workers)
    pool.submit(warm_up)
    return Started(pool, workers)


def discard(started: Started) -> None:
    """A started pool that has nothing to run: its workers stop (and kill their kernels)."""
    started.pool.shutdown(wait=False, cancel_futures=True)
    for child in multiprocessing.active_children():
        child.terminate()  # its SIGTERM handler kills its kernel first


def warm_up() -> None:
    """In a new worker: what its first official would otherwise wait for."""
    from kit.execute import warm_up as imports

    imports()


def run_all(tasks: list[tuple[Task, Outcome]], outcomes: dict[Path, Outcome], workers: int,
         recycle_after: int, quiet: bool, done: Callable[[Outcome], None],
         started: Started | None = None) -> threading.Thread | None:
    """Run the tasks in worker processes.  Returns the thread shutting the last pool down
    (its workers stop their kernels while the batch goes on with the 汇编): join it.
    ``started`` (from :func:`prestart`) runs the first share when it may start as many
    workers as that share needs; otherwise it is discarded.

    Workers are recycled by generations: each pool runs at most ``recycle_after`` notebooks
    per worker, then a fresh pool takes the next share (the old one closes meanwhile).
    Not ``max_tasks_per_child``: on Python 3.11 a pool whose workers all retire that way
    can wait forever for replacements (seen at 200 of 1,000 officials)."""
    from tqdm import tqdm

    if started is not None and (not tasks or started.workers < min(
            workers, len(tasks[:max(1, workers * recycle_after)]))):
        discard(started)
        started = None
    if not tasks:
        return None
    bar = tqdm(total=len(tasks), desc="生成报告", unit="份", disable=quiet, file=sys.stderr,
               dynamic_ncols=True)
    share = max(1, workers * recycle_after)
    closing: threading.Thread | None = None
    for start in range(0, len(tasks), share):
        part = tasks[start:start + share]
        pool = started.pool if started else _pool(tasks[0][0].out_root, min(workers, len(part)))
        started = None
        try:
            futures = {pool.submit(run_task, task, outcome): (task, outcome)
                       for task, outcome in part}
            _collect(futures, outcomes, bar, done)
        except KeyboardInterrupt:  # stop at once: no queued official starts, running ones die
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            pool.shutdown(wait=False, cancel_futures=True)
            for child in multiprocessing.active_children():
                child.terminate()  # its SIGTERM handler kills its kernel first
            for _task, outcome in tasks:
                if not outcome.ok and not outcome.reason:
                    outcome.stage = "中断"
                    outcome.reason = "已中断，没有生成（下次运行 kit build 会接着生成）"
            bar.close()
            raise
        if closing is not None:
            closing.join()
        closing = threading.Thread(target=pool.shutdown, kwargs={"wait": True}, daemon=True)
        closing.start()
    bar.close()
    return closing


def _collect(futures: dict[Future[Outcome], tuple[Task, Outcome]],
             outcomes: dict[Path, Outcome], bar: Any, done_cb: Callable[[Outcome], None]
             ) -> None:
    for future in as_completed(futures):
        task, done = futures[future]
        try:
            done = future.result()  # the worker's filled-in copy
        except BrokenProcessPool:
            done.stage, done.reason = "执行", "处理进程意外退出（可能是内存不足），请重试"
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

    from kit.kernel import use_runtime_dir, worker_kernel  # not papermill: see kit.kernel

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
    for name in ("kit.engines", "kit.kernel"):  # the outcomes say what failed
        logging.getLogger(name).setLevel(logging.CRITICAL)

    def stop() -> None:
        kernel.stop()
        shutil.rmtree(folder, ignore_errors=True)

    Finalize(kernel, stop, exitpriority=10)
    kernel.launch()  # it boots while this worker imports papermill (first task)
