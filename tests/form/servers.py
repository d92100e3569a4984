"""Real servers for the browser tests: JupyterLab and ``kit form`` (Voilà) on 127.0.0.1,
each in its own process group, with Jupyter's config/runtime/data folders in a temp
folder so nothing of the user's set-up leaks in."""

from __future__ import annotations

import contextlib
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
    """The environment of a user with no Jupyter set-up of their own (temp folders)."""
    env = dict(os.environ)
    for var in ("KIT_ROOT", "KIT_PARAMS", "KIT_TEMPLATES", "KIT_OUT", "JUPYTER_PATH",
                "JUPYTER_CONFIG_PATH"):
        env.pop(var, None)
    for name in ("config", "runtime", "data"):
        (tmp / f"jupyter-{name}").mkdir(exist_ok=True)
    env |= {"JUPYTER_CONFIG_DIR": str(tmp / "jupyter-config"),
            "JUPYTER_RUNTIME_DIR": str(tmp / "jupyter-runtime"),
            "JUPYTER_DATA_DIR": str(tmp / "jupyter-data"),
            "JUPYTER_PLATFORM_DIRS": "1", "PYTHONUNBUFFERED": "1"}
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
    """A plain JupyterLab serving ``root`` (not ``kit lab``: English, the user's own
    defaults); yields the URL of notebooks/form.ipynb with its token."""
    port, token = free_port(), secrets.token_hex(16)
    env = jupyter_env(tmp)
    # No news/update pop-ups over the page.
    settings = (tmp / "jupyter-config" / "lab" / "user-settings" / "@jupyterlab"
                / "apputils-extension" / "notification.jupyterlab-settings")
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text('{"fetchNews": "false", "checkForUpdates": false}')
    log = (tmp / "jupyterlab.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ServerApp.ip=127.0.0.1",
         f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate", "--allow-root",
         f"--LabApp.workspaces_dir={tmp / 'workspaces'}"],
        cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_port(port, proc)
        yield f"http://127.0.0.1:{port}/lab/tree/notebooks/form.ipynb?token={token}"
    finally:
        stop(proc)
        log.close()


class Server:
    """A running ``kit form`` / ``kit lab``: its URL, what it printed, its process."""

    def __init__(self, proc: subprocess.Popen, url: str, out: list[str], err: Path) -> None:
        self.proc, self.url, self.out, self.err = proc, url, out, err

    def printed(self) -> list[str]:
        """Every line the command printed so far (stdout and stderr)."""
        return self.out + self.err.read_text(encoding="utf-8", errors="replace").splitlines()

    def kernels(self) -> list:
        """The kernel processes the server started (children of its processes)."""
        import psutil

        found = []
        for p in psutil.Process(self.proc.pid).children(recursive=True):
            try:  # a kernel that exits meanwhile, or is a zombie not yet reaped, is gone
                if p.status() != psutil.STATUS_ZOMBIE and "ipykernel_launcher" in p.cmdline():
                    found.append(p)
            except psutil.Error:
                pass
        return found


@contextlib.contextmanager
def kit(command: str, root: Path, tmp: Path) -> Iterator[Server]:
    """``kit <command> --no-browser`` run in ``root`` as a user would; yields it once it
    printed its URL, stops it with Ctrl+C as a user does."""
    port = free_port()
    exe = Path(sys.executable).with_name("kit")
    err = tmp / f"kit-{command}.log"
    with err.open("wb") as err_fh:
        proc = subprocess.Popen([str(exe), command, "--no-browser", "--port", str(port)],
                                cwd=root, env=jupyter_env(tmp), stdout=subprocess.PIPE,
                                stderr=err_fh, stdin=subprocess.DEVNULL, start_new_session=True,
                                text=True)
    lines: queue.Queue[str] = queue.Queue()
    out: list[str] = []
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout],  # type: ignore[union-attr]
                     daemon=True).start()
    try:
        deadline = time.monotonic() + 120
        url = None
        while url is None and time.monotonic() < deadline:
            try:
                line = lines.get(timeout=1)
            except queue.Empty:
                if proc.poll() is not None:
                    raise RuntimeError(f"kit {command} exited with {proc.returncode}") from None
                continue
            out.append(line.rstrip("\n"))
            if "http://127.0.0.1:" in line:
                url = line[line.index("http://"):].split()[0]
        assert url is not None, f"kit {command} printed no URL"
        yield Server(proc, url, out, err)
    finally:
        stop(proc, signal.SIGINT)  # Ctrl+C, as a user stops it


@contextlib.contextmanager
def kit_form(root: Path, tmp: Path, command: str = "form") -> Iterator[str]:
    """``kit form --no-browser`` (or ``kit review``) run in ``root``; yields its URL."""
    with kit(command, root, tmp) as server:
        yield server.url


def kit_lab(root: Path, tmp: Path):
    return kit("lab", root, tmp)
