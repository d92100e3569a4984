"""The kept process itself (``python -m kit.server <out> --workers N --minutes M``): warm
workers for one output folder, one command's build at a time (see :mod:`kit.server`)."""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import queue
import signal
import threading
import time
from pathlib import Path
from typing import Any

from kit.server import DEFAULT_MINUTES, STOP_SECONDS, fingerprint, server_dir, wire

TICK = 1.0  # how often an idle process checks its deadline and its folder


class _State:
    def __init__(self) -> None:
        self.busy = False  # a build is queued or running
        self.building = False  # inside the build: an interrupt raises there
        self.cancelled = False  # the command asked to stop (or went away)
        self.stopping = False
        self.last_size = 0  # officials in the last build
        self.lock = threading.Lock()


def _interrupt(state: _State) -> None:
    """What Ctrl-C does to a plain build, to the build running here (or about to)."""
    state.cancelled = True
    if not state.building:
        return  # checked before the build starts
    if os.name == "posix":
        os.kill(os.getpid(), signal.SIGINT)  # a real signal: it wakes waits for workers
    else:
        import _thread

        _thread.interrupt_main()


class _Channel:
    """One command's connection while its build runs.  Output is queued and sent by a
    thread of its own: Ctrl-C raises in the main thread, and must never cut a message
    in half.  The command's Ctrl-C (or its going away) interrupts the build."""

    def __init__(self, conn: Any, state: _State) -> None:
        self.conn, self.state = conn, state
        self.outbox: queue.Queue[tuple[str, Any] | None] = queue.Queue()
        self.done = threading.Event()  # after this, nothing of this command interrupts
        self.sender = threading.Thread(target=self._send, daemon=True)
        self.sender.start()
        threading.Thread(target=self._listen, daemon=True).start()

    def put(self, kind: str, value: Any = None) -> None:
        self.outbox.put((kind, value))

    def _send(self) -> None:
        gone = False
        while (item := self.outbox.get()) is not None:
            if not gone:
                try:
                    wire.send(self.conn, *item)
                except OSError:
                    gone = True  # the command was killed: its build stops as with Ctrl-C
                    self._interrupt()

    def _listen(self) -> None:
        while not self.done.is_set():
            try:
                kind, _ = wire.recv(self.conn)
            except Exception:  # noqa: BLE001  # gone (or hung up by close() below)
                self._interrupt()
                return
            if kind == "interrupt":
                self._interrupt()

    def _interrupt(self) -> None:
        if not self.done.is_set():
            _interrupt(self.state)

    def close(self) -> None:
        """Send what is queued, then hang up."""
        self.done.set()
        self.outbox.put(None)
        self.sender.join(timeout=STOP_SECONDS)
        self.conn.close()


class _Stream:
    """A build's stdout or stderr, for the command's terminal."""

    encoding = "utf-8"  # tqdm draws its bar by it

    def __init__(self, channel: _Channel, kind: str, tty: bool) -> None:
        self.channel, self.kind, self.tty = channel, kind, tty

    def write(self, text: str) -> int:
        for start in range(0, len(text), wire.PIECE):
            self.channel.put(self.kind, text[start:start + wire.PIECE])
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return self.tty


def serve(out_root: Path, workers: int, minutes: float) -> int:
    """Keep warm workers for ``out_root`` until idle ``minutes`` (or told to stop)."""
    from kit.batch import RECYCLE_AFTER
    from kit.lock import clean_runtime, try_hold
    from kit.volumes import warm_up as warm_volumes
    from kit.workers import Workers

    folder = server_dir(out_root)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(folder, 0o700)  # the commands trust nothing less (kit.server.wire)
    deadline = time.monotonic() + STOP_SECONDS  # a predecessor that is ending: wait
    while (held := try_hold(folder / "lock")) is None:
        if time.monotonic() > deadline:
            return 0  # another one serves this folder
        time.sleep(0.2)
    state, requests = _State(), queue.Queue[Any]()

    def terminate(*_: Any) -> None:  # SIGTERM: end as --stop does (the build stops too)
        state.stopping = True
        requests.put(None)
        _interrupt(state)

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # only a command's build raises on it
    signal.signal(signal.SIGTERM, terminate)
    clean_runtime(folder / "run")  # what a killed predecessor left
    key = os.urandom(32)
    listener = wire.listen(folder)
    info = {"pid": os.getpid(), "address": listener.address, "key": key.hex(),
            "code": fingerprint(workers), "ready": False}
    wire.write_info(folder, info)
    threading.Thread(target=_accept, args=(listener, key, requests, state), daemon=True).start()
    pool = Workers(out_root, workers, RECYCLE_AFTER, full_size=True, runtime=folder / "run")
    parsed: dict[Any, Any] = {}  # each file's entries by content (kit.plan), between builds
    try:
        pool.warm()
        warm_volumes()
        info["ready"] = True
        wire.write_info(folder, info)
        idle_until = time.monotonic() + minutes * 60
        while not state.stopping:
            try:
                got = requests.get(timeout=TICK)
            except queue.Empty:
                if time.monotonic() > idle_until or wire.read_json(folder / "info.json") != info:
                    break  # idle, or the folder was deleted (or taken over)
                continue
            if got is None:
                break
            conn, request = got
            if request.get("code") != info["code"]:
                with contextlib.suppress(OSError):
                    wire.send(conn, "stale")
                conn.close()
                break
            _serve_one(conn, request, pool, parsed, state)
            pool.ready_for(state.last_size)  # (after Ctrl-C, or its share used)
            idle_until = time.monotonic() + minutes * 60
    finally:
        state.stopping = True
        if wire.read_json(folder / "info.json") == info:
            (folder / "info.json").unlink(missing_ok=True)
        listener.close()
        pool.kill()
        pool.join()
        for child in multiprocessing.active_children():  # workers end with their kernels:
            child.join(STOP_SECONDS)  # all gone when the lock says this process is
        os.close(held)
    return 0


def _accept(listener: Any, key: bytes, requests: queue.Queue[Any], state: _State) -> None:
    while not state.stopping:
        try:
            conn = listener.accept()
        except Exception:  # noqa: BLE001  # the listener closed
            if state.stopping:
                return
            time.sleep(0.1)
            continue
        threading.Thread(target=_take, args=(conn, key, requests, state), daemon=True).start()


def _take(conn: Any, key: bytes, requests: queue.Queue[Any], state: _State) -> None:
    """One connection: a build is queued unless one is under way; a stop is done unless
    a build is."""
    try:
        if not wire.handshake(conn, key) or not conn.poll(wire.HANDSHAKE_SECONDS):
            conn.close()
            return
        kind, request = wire.recv(conn)
        with state.lock:
            if state.busy or state.stopping or kind not in ("build", "stop") \
                    or (kind == "build" and not isinstance(request, dict)):
                wire.send(conn, "busy")
                conn.close()
            elif kind == "stop":
                state.stopping = True
                wire.send(conn, "stopping")
                conn.close()
                requests.put(None)
            else:
                state.busy = True
                wire.send(conn, "queued")
                requests.put((conn, request))
    except Exception:  # noqa: BLE001  # a command that went away meanwhile
        with contextlib.suppress(OSError):
            conn.close()


def _serve_one(conn: Any, request: dict[str, Any], pool: Any, parsed: dict[Any, Any],
               state: _State) -> None:
    """One build for a command: its output to it, its Ctrl-C from it."""
    from kit.cli import report_errors

    state.cancelled = False
    try:
        # Anything from the command before it was told to go on is Ctrl-C or hanging up
        # while it waited: no build for a command that is gone.
        if conn.poll(0):
            conn.close()
            return
        channel = _Channel(conn, state)
        tty = bool(request.get("tty"))
        out, err = _Stream(channel, "out", tty), _Stream(channel, "err", tty)
        os.environ["COLUMNS"] = str(request.get("columns") or 80)  # tqdm's bar width
        try:
            channel.put("ok")
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = report_errors(lambda: _build(request.get("build") or {}, pool, parsed,
                                                    state))
            channel.put("exit", code)
        finally:
            channel.close()
    except (OSError, KeyboardInterrupt):
        pass  # the command went away
    finally:
        with state.lock:
            state.busy = False


def _build(build: dict[str, Any], pool: Any, parsed: dict[Any, Any], state: _State) -> int:
    from kit.batch import files_of, once, settings, sigint_raises_once, summarize
    from kit.lock import WAIT_SECONDS, BuildLock

    run = settings(**build)
    files_of(run.params_dir)
    with sigint_raises_once():  # from here the command's Ctrl-C raises, as in a plain build
        state.building = True
        try:
            if state.cancelled:
                raise KeyboardInterrupt
            with BuildLock(run.out_root, WAIT_SECONDS, print):
                result = once(run, pool, print, keep=True, parsed=parsed)
        finally:
            state.building = False
    state.last_size = len(result.outcomes)
    summarize(result, print)
    return result.exit_code


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m kit.server")
    ap.add_argument("out_root", type=Path)
    ap.add_argument("--workers", type=int, required=True)
    ap.add_argument("--minutes", type=float, default=DEFAULT_MINUTES)
    args = ap.parse_args(argv)
    return serve(args.out_root.resolve(), args.workers, args.minutes)
