"""The one SIGALRM time limit: a backstop for code that checks no clock itself (checking
a hostile parameter file, a template's loop that calls nothing).

It is armed only where it disturbs no one: a system with ``setitimer`` (not Windows),
the main thread, and no other SIGALRM handler or timer in use (an outer limit, or a
library's).  Elsewhere the block runs without it; callers keep their own cooperative
checks for that case.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator
from typing import Any


@contextlib.contextmanager
def time_limit(seconds: float, expired: Callable[[], BaseException]) -> Iterator[bool]:
    """Raise ``expired()`` in the block once it has run ``seconds``; yields whether the
    limit is armed.  The previous handler is put back and the timer stopped on leaving."""
    if not (hasattr(signal, "setitimer")
            and threading.current_thread() is threading.main_thread()
            and signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, None)
            and signal.getitimer(signal.ITIMER_REAL)[0] == 0):
        yield False
        return

    def on_alarm(signum: int, frame: Any) -> None:
        raise expired()

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield True
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, signal.SIG_DFL if old is None else old)
