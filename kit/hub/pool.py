"""A clerk's preheated kernel: ready before the clerk logs in, never beside an open page.

Voilà's preheated kernels (``--preheat_kernel``) have already started and run the
form notebook when a page is asked for, so the page is served without waiting for a
kernel to start and the kit to load.  Voilà refills its pool as soon as a page takes
the pool's kernel, which would keep two kernels per clerk while the clerk works (one
idle).  Here a pool kernel is started only while none of the server's pages is open —
or at once when a page asks for it (a second tab) — so an active clerk costs one
kernel, and the next login after the page closed finds a kernel ready.

The pool's page is made before anyone asks: what it shows must not depend on who asks
or when (the account's units are the server's own environment; the file list is read
again when the page connects, :func:`kit.form.widgets.refresh_on_connect`).
"""

from __future__ import annotations

import asyncio
from typing import Any

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager

from kit.form.serve import IDLE_LIMIT

POLL = 0.5  # s: how often a waiting pool kernel looks whether the pages have closed


class OnePageKernels(AsyncMappingKernelManager):
    """The base of Voilà's pooling kernel manager (``multi_kernel_manager_class``):
    Voilà's class derives from it, so ``self._pools`` is Voilà's pool."""

    async def start_kernel(self, *args: Any, **kwargs: Any) -> str:  # type: ignore[override]
        if (kwargs.get("env") or {}).get("VOILA_PREHEAT") == "True":
            await self._until_no_page()
        return await super().start_kernel(*args, **kwargs)

    def _pools_now(self) -> list[list[asyncio.Task]]:
        return list(getattr(self, "_pools", {}).values())

    def _pool_kernels(self) -> set[str]:
        ids = set()
        for pool in self._pools_now():
            for task in pool:
                if task.done() and not task.cancelled() and task.exception() is None:
                    ids.add(task.result()["kernel_id"])
        return ids

    def _pages_open(self) -> bool:
        return bool(set(self.list_kernel_ids()) - self._pool_kernels())

    async def _until_no_page(self) -> None:
        """Wait while a page's kernel runs, unless a page has taken this pool slot
        (Voilà pops it from the pool and waits for it)."""
        me = asyncio.current_task()
        waited = 0.0
        # Bounded by the page kernels' own limit: a page gone without saying so is
        # culled after IDLE_LIMIT, so this cannot wait longer than that and a poll.
        while waited < IDLE_LIMIT + 60 and self._pages_open() \
                and any(me in pool for pool in self._pools_now()):
            await asyncio.sleep(POLL)
            waited += POLL
