"""A papermill engine that runs each notebook on the worker's kept-alive kernel
(:mod:`kit.build.kernel`).

Every notebook still goes through papermill (parameters cell, metadata, error markers,
output file); only the kernel outlives it.  After each notebook the kernel is reset
(:meth:`kit.build.kernel.ReusedKernel.reset`); a notebook that fails or overruns stops it.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import Engine, papermill_engines

from kit.build.kernel import KERNEL_NAME, ReusedKernel, use_runtime_dir, worker_kernel

__all__ = ["ENGINE_NAME", "KERNEL_NAME", "KitEngine", "ReusedKernel", "use_runtime_dir",
           "worker_kernel"]

ENGINE_NAME = "kit"
log = logging.getLogger(__name__)


class _Client(PapermillNotebookClient):
    """papermill's nbclient wrapper with a deadline for the whole notebook."""

    def __init__(self, nb_man: Any, deadline: float | None, **kw: Any) -> None:
        super().__init__(nb_man, **kw)
        self.deadline, self.timed_out = deadline, False
        if deadline is not None:
            self.timeout_func = lambda cell: max(1, int(deadline - time.monotonic() + 0.999))

    async def _async_handle_timeout(self, timeout: int, cell: Any = None) -> Any:
        self.timed_out = True
        return await super()._async_handle_timeout(timeout, cell)


class KitEngine(Engine):
    """papermill engine ``kit``: like the default nbclient engine, on the reused kernel.

    ``execution_timeout`` is the limit for the whole notebook, not per cell."""

    @classmethod
    def execute_managed_notebook(cls, nb_man: Any, kernel_name: str, log_output: bool = False,
                                 stdout_file: Any = None, stderr_file: Any = None,
                                 start_timeout: float = 60, execution_timeout: float | None = None,
                                 **kwargs: Any) -> Any:
        kernel = worker_kernel()
        km, kc = kernel.ensure(start_timeout)
        deadline = time.monotonic() + execution_timeout if execution_timeout else None
        message = f"执行超过 {execution_timeout} 秒，已停止"
        client = _Client(
            nb_man, deadline, km=km, kernel_name=kernel_name, log=log,
            log_output=log_output, stdout_file=stdout_file, stderr_file=stderr_file,
            startup_timeout=start_timeout, interrupt_on_timeout=True,
            error_on_timeout={"ename": "TimeoutError", "evalue": message, "traceback": [message]})
        client.kc = kc
        try:
            client.execute()
        except BaseException:
            kernel.stop()  # a dead or confused kernel is never reused
            raise
        if client.timed_out:
            _mark_timeout(nb_man.nb, message)
            kernel.stop()
        else:
            kernel.reset()
        return nb_man.nb


def _mark_timeout(nb: Any, message: str) -> None:
    """Put the plain reason first on the interrupted cell: papermill reports the first
    error output (otherwise the KeyboardInterrupt the interruption caused).  The reason is
    also recorded as the notebook's failure, where the batch reads every failure's
    (:func:`kit.build.notebook.kit_outputs`)."""
    from nbformat.v4 import new_output

    from kit.build.notebook import META_KEY

    for cell in nb.cells:
        if cell.get("metadata", {}).get("papermill", {}).get("exception"):
            cell.outputs = [o for o in cell.outputs if o.output_type != "error"]
            cell.outputs.append(new_output("display_data", data={"text/plain": message},
                                           metadata={META_KEY: {"failure": [message]}}))
            cell.outputs.append(new_output("error", ename="TimeoutError", evalue=message,
                                           traceback=[message]))
            return


papermill_engines.register(ENGINE_NAME, KitEngine)
