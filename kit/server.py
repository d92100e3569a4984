"""The kept process of ``kit build`` (后台保留的生成进程).

A plain ``kit build`` spends about a second starting its worker processes and their
kernels (docs/批量生成.md), more than the rest of a rebuild after one fixed figure.  So
after a build, one background process per output folder keeps warm workers for a while
(``KIT_KEEP_MINUTES``, default 10; ``0``: never), and the next ``kit build`` into that
folder hands it its settings and relays what it prints: the same build (the folder's
lock, manifest, outputs, summary and exit code), on kernels that are already running.

What keeps it trustworthy:

* it is announced when it starts, and ``kit build --stop`` ends it at once; it ends by
  itself when idle that long, or when its output folder is deleted;
* it serves only the same user (a random key in a file only they can read), started
  from the same project folder with the same kit code, Python packages, worker count and
  ``KIT_*``/locale settings: anything else and it ends, and the build runs as usual;
* it builds one request at a time; a second ``kit build`` meanwhile runs as usual (and
  waits for the folder's lock, as two plain builds do);
* Ctrl-C in the command interrupts its build as it would a plain one, and so does the
  command being killed;
* its workers keep their kernels' files in ``<out>/.kit/server/run/``, apart from a
  plain build's ``<out>/.kit/run/`` (which a plain build cleans), so neither ever touches
  the other's kernels.

Files in ``<out>/.kit/server/`` (mode 700): ``lock`` (held while it lives), ``info.json``
(pid, address, key), ``log.txt`` (its own errors, if any).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import sysconfig
import threading
import time
from pathlib import Path
from typing import Any

from kit.errors import EXIT_INTERRUPTED, Problem, UsageError
from kit.iorw import atomic_write_text
from kit.lock import held_elsewhere, kit_dir, try_hold

ENV = "KIT_KEEP_MINUTES"
DEFAULT_MINUTES = 10.0
MAX_MINUTES = 24 * 60
PROTOCOL = 1
ANSWER_SECONDS = 5  # for a live process to take a request or a stop
READY_SECONDS = 120  # for a starting one to have its kernels ready
STOP_SECONDS = 30  # for a stopping one to have stopped its workers
TICK = 1.0  # how often an idle process checks its deadline and its folder
# What a build's outcome may depend on beyond its arguments: another value, another process.
ENV_PREFIXES = ("KIT_", "LC_", "LANG", "PYTHON")
ENV_NAMES = ("PATH", "HOME", "TZ", "TMPDIR", "LANGUAGE")


def server_dir(out_root: Path) -> Path:
    return kit_dir(out_root) / "server"


def keep_minutes() -> float:
    """``KIT_KEEP_MINUTES`` (default 10; 0: keep nothing).  A wrong value is refused like
    a wrong option, never guessed."""
    text = os.environ.get(ENV, "").strip()
    if not text:
        return DEFAULT_MINUTES
    try:
        value: float | None = float(text) if len(text) <= 12 else None
    except ValueError:
        value = None
    if value is None or not 0 <= value <= MAX_MINUTES:  # also refuses nan and inf
        raise UsageError(Problem("环境变量写法有误", field=ENV,
                                 expected=f"0 到 {MAX_MINUTES} 之间的分钟数（0：不在后台保留）",
                                 found=f"「{text[:20]}」", hint="例如 KIT_KEEP_MINUTES=10"))
    return value


def fingerprint(workers: int) -> str:
    """Everything besides its arguments a build's result depends on that a kept process
    fixed when it started: the kit's files, the Python and its packages, the project
    folder, the worker count, the settings in the environment."""
    h = hashlib.sha256()
    root = Path(__file__).resolve().parent
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            with contextlib.suppress(OSError):
                st = os.stat(os.path.join(folder, name))
                h.update(f"{folder}/{name}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    packages = [sysconfig.get_paths()[k] for k in ("purelib", "platlib")]
    env = sorted((k, v) for k, v in os.environ.items()
                 if k.startswith(ENV_PREFIXES) or k in ENV_NAMES)
    h.update(repr((PROTOCOL, sys.executable, sys.version, os.getcwd(), workers, env,
                   [_mtime(p) for p in packages])).encode("utf-8", "surrogateescape"))
    return h.hexdigest()


def _mtime(path: str) -> int:
    try:
        return os.stat(path).st_mtime_ns  # a package installed or removed changes it
    except OSError:
        return 0


def _read_info(out_root: Path) -> dict[str, Any] | None:
    try:
        info = json.loads((server_dir(out_root) / "info.json").read_text("utf-8"))
        return info if isinstance(info, dict) else None
    except (OSError, ValueError):
        return None


def _connect(out_root: Path) -> Any:
    """A connection to the folder's kept process, or None."""
    from multiprocessing.connection import Client

    info = _read_info(out_root)
    if info is None or not held_elsewhere(server_dir(out_root) / "lock"):
        return None
    try:
        return Client(info["address"], authkey=bytes.fromhex(info["key"]))
    except Exception:  # noqa: BLE001  # gone, or not ours: the build runs as usual
        return None


# ---------------------------------------------------------------- the command's side


def forward(build: dict[str, Any], out_root: Path) -> int | None:
    """Run the build ``build`` (keyword arguments of :func:`kit.batch.settings`) in the
    folder's kept process and relay its output; its exit code, or None when there is no
    usable one (the caller builds as usual)."""
    conn = _connect(out_root)
    if conn is None:
        return None
    with conn:
        try:
            conn.send(("build", {"build": build, "code": fingerprint(build["workers"]),
                                 "tty": sys.stderr.isatty(),
                                 "columns": shutil.get_terminal_size().columns}))
            if _answer(conn, ANSWER_SECONDS) != "queued":
                return None  # busy with another build, or stopping
            if _answer(conn, READY_SECONDS) != "ok":
                return None  # another setup ("stale"): it ends, this build runs here
        except (EOFError, OSError, ValueError, TypeError):
            return None
        return _relay(conn)


def _answer(conn: Any, seconds: float) -> str | None:
    """The kind of the next message (every message is a pair: kind, value)."""
    if not conn.poll(seconds):
        return None
    kind, _ = conn.recv()
    return str(kind)


def _relay(conn: Any) -> int | None:
    """Print what the build prints until its exit code.  Ctrl-C is passed on (the build
    stops as a plain one would); a second one leaves at once."""
    asked: list[bool] = []

    def interrupt(signum: int, frame: Any) -> None:
        asked.append(True)

    old = signal.signal(signal.SIGINT, interrupt)
    try:
        passed = False
        while True:
            if asked and not passed:
                passed = True
                with contextlib.suppress(OSError):
                    conn.send(("interrupt", None))
            elif len(asked) > 1:
                return EXIT_INTERRUPTED
            try:
                if not conn.poll(0.2):
                    continue
                kind, value = conn.recv()
            except Exception:  # noqa: BLE001  # ended, or a message cut short
                print("后台保留的生成进程意外结束，改为直接生成……", file=sys.stderr)
                return None
            if kind == "exit":
                return int(value)
            stream = sys.stdout if kind == "out" else sys.stderr
            stream.write(value)
            stream.flush()
    finally:
        signal.signal(signal.SIGINT, old)


def start(out_root: Path, workers: int, minutes: float) -> bool:
    """Start the folder's kept process in the background (unless one is alive); whether
    one was started."""
    folder = server_dir(out_root)
    if minutes <= 0 or (_read_info(out_root) is not None and held_elsewhere(folder / "lock")):
        return False  # one serves this folder (one that is ending has removed its info)
    folder.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(OSError):
        os.chmod(folder, 0o700)
    cmd = [sys.executable, "-m", "kit.server", str(out_root), "--workers", str(workers),
           "--minutes", repr(minutes)]
    kw: dict[str, Any] = {"stdin": subprocess.DEVNULL, "stdout": subprocess.DEVNULL,
                          "close_fds": True}
    if os.name == "posix":
        kw["start_new_session"] = True  # not in the terminal's group: its Ctrl-C is not ours
    else:
        kw["creationflags"] = (subprocess.DETACHED_PROCESS  # type: ignore[attr-defined]
                               | subprocess.CREATE_NEW_PROCESS_GROUP  # type: ignore[attr-defined]
                               | subprocess.CREATE_NO_WINDOW)  # type: ignore[attr-defined]
    with open(folder / "log.txt", "w", encoding="utf-8") as log:
        subprocess.Popen(cmd, stderr=log, **kw)  # noqa: S603
    return True


def stop(out_root: Path) -> str:
    """``kit build --stop``: end the folder's kept process (waits until its workers and
    kernels are gone); what happened, in Chinese."""
    conn = _connect(out_root)
    if conn is None:
        return "这个输出文件夹没有后台保留的生成进程。"
    with conn:
        try:
            conn.send(("stop", None))
            answer = _answer(conn, ANSWER_SECONDS)
        except (EOFError, OSError, ValueError, TypeError):
            answer = None
    if answer == "busy":
        return "后台保留的生成进程正在生成，结束后会在闲置时自动退出；也可稍后再运行 kit build --stop。"
    deadline = time.monotonic() + STOP_SECONDS
    while held_elsewhere(server_dir(out_root) / "lock") and time.monotonic() < deadline:
        time.sleep(0.1)
    return "已结束后台保留的生成进程。"


# ---------------------------------------------------------------- the kept process


class _State:
    def __init__(self) -> None:
        self.busy = False  # a build is queued or running
        self.building = False  # inside the build: an interrupt may be raised
        self.stopping = False
        self.last_size = 0  # officials in the last build
        self.lock = threading.Lock()


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

    def put(self, kind: str, value: Any) -> None:
        self.outbox.put((kind, value))

    def _send(self) -> None:
        gone = False
        while (item := self.outbox.get()) is not None:
            if not gone:
                try:
                    self.conn.send(item)
                except OSError:
                    gone = True  # the command was killed: its build stops as with Ctrl-C
                    self._interrupt()

    def _listen(self) -> None:
        while not self.done.is_set():
            try:
                kind, _ = self.conn.recv()
            except Exception:  # noqa: BLE001  # gone (or closed by close() below)
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
        if text:
            self.channel.put(self.kind, text)
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return self.tty


def _interrupt(state: _State) -> None:
    """What Ctrl-C does to a plain build, to the build running here."""
    if not state.building:
        return
    if os.name == "posix":
        os.kill(os.getpid(), signal.SIGINT)  # a real signal: it wakes waits for workers
    else:
        import _thread

        _thread.interrupt_main()


def serve(out_root: Path, workers: int, minutes: float) -> int:
    """The kept process: warm workers for ``out_root`` until idle ``minutes``."""
    from multiprocessing.connection import Listener

    from kit.batch import RECYCLE_AFTER
    from kit.lock import clean_runtime
    from kit.volumes import warm_up as warm_volumes
    from kit.workers import Workers

    folder = server_dir(out_root)
    folder.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + STOP_SECONDS  # a stopping predecessor: wait for it
    while (held := try_hold(folder / "lock")) is None:
        if time.monotonic() > deadline:
            return 0  # another one serves this folder
        time.sleep(0.2)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # only an interrupted build's, below
    clean_runtime(folder / "run")  # what a killed predecessor left
    key = os.urandom(32)
    listener = Listener(authkey=key)  # a new Unix socket (a named pipe on Windows)
    info = {"pid": os.getpid(), "address": listener.address, "key": key.hex(),
            "code": fingerprint(workers), "ready": False}
    _write_info(folder, info)
    state, requests = _State(), queue.Queue[Any]()
    threading.Thread(target=_accept, args=(listener, requests, state), daemon=True).start()
    pool = Workers(out_root, workers, RECYCLE_AFTER, full_size=True, runtime=folder / "run")
    parsed: dict[Any, Any] = {}  # each file's entries by content (kit.plan), between builds
    try:
        pool.warm()
        warm_volumes()
        _write_info(folder, {**info, "ready": True})
        idle_until = time.monotonic() + minutes * 60
        while not state.stopping:
            try:
                got = requests.get(timeout=TICK)
            except queue.Empty:
                if time.monotonic() > idle_until or _read_info(out_root) != {**info, "ready": True}:
                    break  # idle, or the folder was deleted (or taken over)
                continue
            if got is None:
                break
            conn, request = got
            if request.get("code") != info["code"]:
                with contextlib.suppress(OSError):
                    conn.send(("stale", None))
                conn.close()
                break
            _serve_one(conn, request, pool, parsed, state)
            if pool.pool is None or pool.given + state.last_size > pool.workers * pool.recycle_after:
                pool.retire()  # interrupted, or one more such build would need a fresh
                pool.warm()  # generation: started now, while idle, not during that build
            idle_until = time.monotonic() + minutes * 60
    finally:
        state.stopping = True
        with contextlib.suppress(FileNotFoundError, ValueError, OSError):
            if json.loads((folder / "info.json").read_text("utf-8")).get("pid") == os.getpid():
                (folder / "info.json").unlink()
        listener.close()
        pool.kill()
        pool.join()
        os.close(held)
    return 0


def _write_info(folder: Path, info: dict[str, Any]) -> None:
    atomic_write_text(folder / "info.json", json.dumps(info))
    with contextlib.suppress(OSError):
        os.chmod(folder / "info.json", 0o600)


def _accept(listener: Any, requests: queue.Queue[Any], state: _State) -> None:
    """Takes connections: a build is queued unless one is under way; a stop is done
    unless a build is."""
    while not state.stopping:
        try:
            conn = listener.accept()
        except Exception:  # noqa: BLE001  # a wrong key, or the listener closed
            continue
        try:
            kind, request = conn.recv() if conn.poll(ANSWER_SECONDS) else (None, None)
            with state.lock:
                if state.busy or kind not in ("build", "stop"):
                    conn.send(("busy", None))
                    conn.close()
                elif kind == "stop":
                    state.stopping = True
                    conn.send(("stopping", None))
                    conn.close()
                    requests.put(None)
                else:
                    state.busy = True
                    conn.send(("queued", None))
                    requests.put((conn, request))
        except Exception:  # noqa: BLE001  # a command that went away meanwhile
            with contextlib.suppress(OSError):
                conn.close()


def _serve_one(conn: Any, request: dict[str, Any], pool: Any, parsed: dict[Any, Any],
               state: _State) -> None:
    """One build for a command: its output to it, its Ctrl-C from it."""
    from kit.cli import report_errors

    channel = _Channel(conn, state)
    tty = bool(request.get("tty"))
    out, err = _Stream(channel, "out", tty), _Stream(channel, "err", tty)
    os.environ["COLUMNS"] = str(request.get("columns") or 80)  # tqdm's bar width
    try:
        channel.put("ok", None)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = report_errors(lambda: _build(request["build"], pool, parsed, state))
        channel.put("exit", code)
    finally:
        channel.close()
        with state.lock:
            state.busy = False


def _build(build: dict[str, Any], pool: Any, parsed: dict[Any, Any], state: _State) -> int:
    from kit.batch import files_of, once, settings, sigint_raises_once, summarize
    from kit.lock import WAIT_SECONDS, BuildLock

    run = settings(**build)
    files_of(run.params_dir)
    with BuildLock(run.out_root, WAIT_SECONDS, print), sigint_raises_once():
        state.building = True
        try:
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


if __name__ == "__main__":
    raise SystemExit(main())
