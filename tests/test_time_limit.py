"""The one SIGALRM time limit (kit.time_limit): it stops a loop that checks no clock,
leaves nothing behind, and stands aside where it would disturb someone."""

from __future__ import annotations

import signal
import threading

import pytest

from kit.time_limit import time_limit


class Expired(Exception):
    pass


def _spin() -> None:
    while True:  # calls nothing a cooperative check could hook
        pass


def test_a_loop_that_checks_no_clock_is_stopped() -> None:
    with pytest.raises(Expired), time_limit(0.05, Expired) as armed:
        assert armed
        _spin()
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) == signal.SIG_DFL


def test_a_block_that_ends_in_time_leaves_nothing_behind() -> None:
    with time_limit(60, Expired) as armed:
        assert armed and signal.getitimer(signal.ITIMER_REAL)[0] > 0
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) == signal.SIG_DFL


def test_an_outer_limit_is_kept_and_still_fires() -> None:
    with pytest.raises(Expired), time_limit(0.05, Expired):
        with time_limit(60, RuntimeError) as inner:
            assert not inner  # a second timer would cancel the first
        _spin()


def test_someone_elses_handler_is_left_alone() -> None:
    def theirs(signum: int, frame: object) -> None:
        raise AssertionError("not ours to call")

    old = signal.signal(signal.SIGALRM, theirs)
    try:
        with time_limit(0.05, Expired) as armed:
            assert not armed
        assert signal.getsignal(signal.SIGALRM) is theirs
    finally:
        signal.signal(signal.SIGALRM, old)


def test_outside_the_main_thread_the_block_runs_unlimited() -> None:
    seen: list[bool] = []

    def run() -> None:
        with time_limit(0.05, Expired) as armed:
            seen.append(armed)

    worker = threading.Thread(target=run)
    worker.start()
    worker.join()
    assert seen == [False]
