"""The kept process of ``kit build`` (后台保留的生成进程): the command's side.

A plain ``kit build`` spends about a second starting its worker processes and their
kernels (docs/批量生成.md), more than the rest of a rebuild after one fixed figure.  So
after a build, one background process per output folder keeps warm workers for a while
(``KIT_KEEP_MINUTES``, default 10; ``0``: never), and the next ``kit build`` into that
folder hands it its settings and relays what it prints: the same build (the folder's
lock, manifest, outputs, summary and exit code), on kernels that are already running.

What keeps it trustworthy:

* it is announced when it starts, and ``kit build --stop`` ends it; it ends by itself
  when idle that long, when its output folder is deleted, on SIGTERM, and when a
  ``kit build --watch`` starts on the folder;
* it serves only the same user (:mod:`kit.server.wire`), started from the same project
  folder with the same kit code and report notebook, Python packages, worker count and
  ``KIT_*``/locale settings: anything else and it ends, and the build runs as usual;
* it builds one request at a time; a second ``kit build`` meanwhile runs as usual (and
  waits for the folder's lock, as two plain builds do);
* Ctrl-C in the command interrupts its build as it would a plain one (also while it
  waits for the lock or for the process to be ready), and so does the command ending;
* its workers keep their kernels' files in ``<out>/.kit/server/run/``, apart from a
  plain build's ``<out>/.kit/run/`` (which a plain build cleans).

Files in ``<out>/.kit/server/`` (mode 700): ``lock`` (held while it lives), ``info.json``
(pid, address, key), ``s`` (its socket), ``log.txt`` (its own errors, if any).
The process itself is :mod:`kit.server.serve`.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import sysconfig
import time
import unicodedata
from pathlib import Path
from typing import Any

from kit import layout
from kit.errors import EXIT_INTERRUPTED, Problem, UsageError, did_you_mean
from kit.lock import held_elsewhere, kit_dir
from kit.server import wire

ENV = "KIT_KEEP_MINUTES"
DEFAULT_MINUTES = 10.0
MAX_MINUTES = 24 * 60
PROTOCOL = 2
READY_SECONDS = 120  # for a starting process to have its kernels ready
STOP_SECONDS = 30  # for a stopping one to have stopped its workers
ENDING_SECONDS = 2  # for one that found itself stale to end, before a new one starts
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
        # ASCII only: float() would also take 「１０」 and other scripts' digits.
        value: float | None = float(text) if len(text) <= 12 and text.isascii() else None
    except ValueError:
        value = None
    if value is None or not 0 <= value <= MAX_MINUTES:  # also refuses nan and inf
        raise UsageError(Problem("环境变量写法有误", field=ENV,
                                 expected=f"0 到 {MAX_MINUTES} 之间的分钟数（0：不在后台保留）",
                                 found=f"「{text[:20]}」", hint=_minutes_hint(text)))
    return value


def _minutes_hint(text: str) -> str:
    """「10分钟」 → 您是否想写「10」？; out of range → the nearest end."""
    found = re.match(r"\s*(-?[0-9]{1,6}(?:\.[0-9]{1,3})?)", unicodedata.normalize("NFKC", text))
    if found is None:
        return "例如 KIT_KEEP_MINUTES=10（0：不保留）"
    value = min(max(float(found.group(1)), 0), MAX_MINUTES)
    return did_you_mean([f"{value:g}"]) or ""


def fingerprint(workers: int) -> str:
    """Everything besides its arguments a build's result depends on that a kept process
    fixed when it started: the kit (:func:`kit.manifest.kit_fingerprint`: its files and
    the report notebook), the Python and its packages, the project folder, the worker
    count, the settings in the environment."""
    from kit.manifest import kit_fingerprint

    packages = [sysconfig.get_paths()[k] for k in ("purelib", "platlib")]
    env = sorted((k, v) for k, v in os.environ.items()
                 if k.startswith(ENV_PREFIXES) or k in ENV_NAMES)
    setup = (PROTOCOL, kit_fingerprint(layout.report_notebook()), sys.executable,
             sys.version, os.getcwd(), workers, env, [_mtime(p) for p in packages])
    return hashlib.sha256(repr(setup).encode("utf-8", "surrogateescape")).hexdigest()


def _mtime(path: str) -> int:
    try:
        return os.stat(path).st_mtime_ns  # a package installed or removed changes it
    except OSError:
        return 0


def build(settings: dict[str, Any], *, watch: bool = False) -> int:
    """``kit build`` (``watch``: ``--watch``) with ``settings`` (keyword arguments of
    :func:`kit.batch.settings`): in the folder's kept process when there is a usable one,
    else here, then keeping one (announced).  The exit code."""
    out_root = Path(settings["out_dir"]).resolve()
    keep = 0.0 if watch else keep_minutes()
    if keep and (code := forward(settings, out_root)) is not None:
        return code  # built by the folder's kept process, on warm kernels
    if watch:
        from kit.batch import settings as checked
        from kit.watch import watch as watch_folder

        stop(out_root)  # the session keeps its own workers warm
        return watch_folder(checked(**settings))
    from kit.batch import build as build_here

    result = build_here(**settings)
    if keep and not result.interrupted and start(out_root, settings["workers"], keep):
        out = str(settings["out_dir"])
        quoted = f'"{out}"' if any(c.isspace() for c in out) else out
        stop_command = "kit build --stop" + ("" if out == layout.BUILD else f" -o {quoted}")
        print(f"生成进程在后台保留 {keep:g} 分钟，其间再次 kit build 更快"
              f"（立即结束：{stop_command}；不保留：设环境变量 {ENV}=0）。")
    return result.exit_code


def forward(settings: dict[str, Any], out_root: Path) -> int | None:
    """Run the build of ``settings`` in the folder's kept process and relay its output;
    its exit code, or None when there is no usable one (the caller builds as usual)."""
    got = wire.connect(server_dir(out_root))
    if got is None:
        return None
    conn, info = got
    with conn:
        try:
            wire.send(conn, "build", {"build": settings,
                                      "code": fingerprint(settings["workers"]),
                                      "tty": sys.stderr.isatty(),
                                      "columns": shutil.get_terminal_size().columns})
            if wire.answer(conn, wire.HANDSHAKE_SECONDS) != "queued":
                return None  # busy with another build, or ending
            if not info.get("ready"):
                print("正在等后台保留的生成进程准备好……", file=sys.stderr)
            # Ctrl-C meanwhile ends this command; the process sees it hang up and skips
            # the build.  Giving up here hangs up too: never two builds of one command.
            if wire.answer(conn, READY_SECONDS) != "ok":
                return None  # another setup ("stale"): it ends, this build runs here
        except (EOFError, OSError, wire.WireError):
            return None
        return _relay(conn)


def _relay(conn: Any) -> int | None:
    """Print what the build prints until its exit code.  Ctrl-C is passed on (the build
    stops as a plain one would); a second one leaves at once."""
    asked: list[bool] = []
    old = signal.signal(signal.SIGINT, lambda *_: asked.append(True))
    try:
        passed = False
        while True:
            if asked and not passed:
                passed = True
                with contextlib.suppress(OSError):
                    wire.send(conn, "interrupt")
            elif len(asked) > 1:
                return EXIT_INTERRUPTED
            try:
                if not conn.poll(0.2):
                    continue
                kind, value = wire.recv(conn)
            except (EOFError, OSError, wire.WireError):
                if asked:
                    return EXIT_INTERRUPTED
                print("后台保留的生成进程意外结束，改为直接生成……", file=sys.stderr)
                return None
            if kind == "exit":
                return int(value)
            stream = sys.stdout if kind == "out" else sys.stderr
            stream.write(str(value))
            stream.flush()
    finally:
        signal.signal(signal.SIGINT, old)


def start(out_root: Path, workers: int, minutes: float) -> bool:
    """Start the folder's kept process in the background (unless one is alive); whether
    one was started."""
    folder = server_dir(out_root)
    if minutes <= 0:
        return False
    # The lock is held by one that serves this folder (nothing to start), one that is
    # ending (its info already gone: wait for it), or another user's (nothing to announce).
    deadline = time.monotonic() + ENDING_SECONDS
    while held_elsewhere(folder / "lock"):
        if wire.read_info(folder) is not None or time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    folder.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(OSError):
        os.chmod(folder, 0o700)
    cmd = [sys.executable, "-m", "kit.server", str(out_root), "--workers", str(workers),
           "--minutes", repr(minutes)]
    kw: dict[str, Any] = {"stdin": subprocess.DEVNULL, "stdout": subprocess.DEVNULL,
                          "close_fds": True}
    if os.name == "posix":
        kw["start_new_session"] = True  # not in the terminal's group: its Ctrl-C is not ours
    else:  # no console window (not DETACHED_PROCESS: its workers would each open one)
        kw["creationflags"] = (subprocess.CREATE_NO_WINDOW  # type: ignore[attr-defined]
                               | subprocess.CREATE_NEW_PROCESS_GROUP)  # type: ignore[attr-defined]
    with open(folder / "log.txt", "w", encoding="utf-8") as log:
        subprocess.Popen(cmd, stderr=log, **kw)  # noqa: S603
    return True


def stop(out_root: Path) -> str:
    """``kit build --stop``: end the folder's kept process and wait until its workers and
    kernels are gone; what happened, in Chinese."""
    folder = server_dir(out_root)
    got = wire.connect(folder)
    if got is None:
        if held_elsewhere(folder / "lock"):
            return "后台保留的生成进程没有回应；它会在空闲到时后自行结束。"
        return "这个输出文件夹没有后台保留的生成进程。"
    conn, info = got
    with conn:
        try:
            wire.send(conn, "stop")
            said = wire.answer(conn, wire.HANDSHAKE_SECONDS)
        except (EOFError, OSError, wire.WireError):
            said = None
    if said == "busy":
        return "后台保留的生成进程正在生成，完成后请再运行 kit build --stop（或等它空闲到时自行结束）。"
    deadline = time.monotonic() + STOP_SECONDS
    while held_elsewhere(folder / "lock"):
        if time.monotonic() > deadline:
            return f"后台保留的生成进程（进程号 {info.get('pid')}）正在结束，尚未退出。"
        time.sleep(0.1)
    return "已结束后台保留的生成进程。"
