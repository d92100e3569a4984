"""Real servers for the browser tests: JupyterLab and ``kit form`` (Voilà) on 127.0.0.1,
each in its own process group, with Jupyter's config/runtime/data folders in a temp
folder so nothing of the user's set-up leaks in."""

from __future__ import annotations

import contextlib
import json
import os
import queue
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_root(tmp: Path) -> Path:
    """A project folder of its own: notebooks/, params/, templates/ copied."""
    root = tmp / "project"
    for name in ("notebooks", "params", "templates"):
        shutil.copytree(REPO / name, root / name,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    return root


def jupyter_env(tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    for var in ("KIT_ROOT", "KIT_PARAMS", "KIT_TEMPLATES", "KIT_OUT"):
        env.pop(var, None)
    for name in ("config", "runtime", "data"):
        (tmp / f"jupyter-{name}").mkdir(exist_ok=True)
    env |= {"JUPYTER_CONFIG_DIR": str(tmp / "jupyter-config"),
            "JUPYTER_RUNTIME_DIR": str(tmp / "jupyter-runtime"),
            "JUPYTER_DATA_DIR": str(tmp / "jupyter-data"),
            "JUPYTER_PLATFORM_DIRS": "1", "PYTHONUNBUFFERED": "1"}
    # No news/update pop-ups over the page.
    settings = (tmp / "jupyter-config" / "lab" / "user-settings" / "@jupyterlab"
                / "apputils-extension" / "notification.jupyterlab-settings")
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    return env


def wait_port(port: int, proc: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        with socket.socket() as s:
            s.settimeout(0.5)
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.25)
    raise TimeoutError(f"nothing listens on {port}")


def stop(proc: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    """Stop a server and everything it started (its own process group)."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=20)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)  # kernels left behind, if any
    proc.wait(timeout=10)


@contextlib.contextmanager
def jupyterlab(root: Path, tmp: Path) -> Iterator[str]:
    """JupyterLab serving ``root``; yields the URL of notebooks/form.ipynb with its token."""
    port, token = free_port(), secrets.token_hex(16)
    log = (tmp / "jupyterlab.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ServerApp.ip=127.0.0.1",
         f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate", "--allow-root",
         f"--LabApp.workspaces_dir={tmp / 'workspaces'}"],
        cwd=root, env=jupyter_env(tmp), stdout=log, stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_port(port, proc)
        yield f"http://127.0.0.1:{port}/lab/tree/notebooks/form.ipynb?token={token}"
    finally:
        stop(proc)
        log.close()


@contextlib.contextmanager
def kit_form(root: Path, tmp: Path, command: str = "form") -> Iterator[str]:
    """``kit form --no-browser`` (or ``kit review``) run in ``root`` as a user would;
    yields the URL it prints."""
    port = free_port()
    kit = Path(sys.executable).with_name("kit")
    err = (tmp / f"kit-{command}.log").open("wb")
    proc = subprocess.Popen([str(kit), command, "--no-browser", "--port", str(port)], cwd=root,
                            env=jupyter_env(tmp), stdout=subprocess.PIPE, stderr=err,
                            stdin=subprocess.DEVNULL, start_new_session=True, text=True)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout],  # type: ignore[union-attr]
                     daemon=True).start()
    try:
        deadline = time.monotonic() + 90
        url = None
        while url is None and time.monotonic() < deadline:
            try:
                line = lines.get(timeout=1)
            except queue.Empty:
                if proc.poll() is not None:
                    raise RuntimeError(f"kit {command} exited with {proc.returncode}") from None
                continue
            if "http://127.0.0.1:" in line:
                url = line[line.index("http://"):].strip()
        assert url is not None, f"kit {command} printed no URL"
        yield url
    finally:
        stop(proc, signal.SIGINT)  # Ctrl+C, as a user stops it; kit form stops Voilà
        err.close()
