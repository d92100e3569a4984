"""``kit form``: the form as a plain web page (Voilà), on this computer only.

Voilà runs ``notebooks/form.ipynb`` with its code hidden, listening on 127.0.0.1 with
a random token, so nobody else on the network can open it.  The token goes to the
server in its environment (``JUPYTER_TOKEN``, which Jupyter's identity provider reads),
never on its command line, where any other user of the computer reads it with ``ps``.  The kernel gets the
project's folders through environment variables (:meth:`kit.project.Workspace.env`), so it
reads and writes the same params/ as the command was started for.

The page uses the kit's Voilà template (``share/voila/templates/kit``: Voilà's own,
without its CDN links, with a Chinese loading text).  One page load starts one kernel;
Voilà shuts it down when the page closes, and a kernel whose page went away without
saying so (a crashed browser) is culled after ``IDLE_LIMIT`` seconds.
"""

from __future__ import annotations

import os
import re
import secrets
import socket
import subprocess
import sys
import threading
import time
import webbrowser
from collections.abc import Mapping
from pathlib import Path

from kit import project
from kit.errors import KitError, Problem
from kit.project import Workspace

HOST = "127.0.0.1"
NOTEBOOK = Path(project.NOTEBOOKS) / project.FORM_NOTEBOOK
SHARE = Path(__file__).resolve().parent / "share"  # the kit's Voilà template, lab settings
IDLE_LIMIT = 300  # s: a kernel with no page connected for this long is shut down


def find_notebook(folders: Workspace, name: str = project.FORM_NOTEBOOK) -> Path:
    """The project's notebooks/form.ipynb (or notebooks/``name``), else the one shipped
    with the package."""
    notebook = project.working_notebook(name, folders.root)
    if notebook.is_file():
        return notebook
    raise KitError(Problem("找不到表单笔记本", file=str(Path(project.NOTEBOOKS) / name),
                           hint="请在项目文件夹（有 templates 和 params 的文件夹）里运行 kit form。"))


def voila_command(notebook: Path, port: int) -> list[str]:
    """The Voilà command line: localhost only, code hidden, no tracebacks for users, the
    kit's template, kernels culled, and Voilà's own English start-up lines silenced
    (``serve`` prints the one line a user needs)."""
    return [sys.executable, "-m", "voila", str(notebook), "--no-browser",
            f"--port={port}", f"--Voila.ip={HOST}", "--Voila.port_retries=0",
            "--Voila.auto_token=True",  # the token: $JUPYTER_TOKEN (token_env)
            "--strip_sources=True", "--show_tracebacks=False",
            "--theme=light", "--template=kit", "--Voila.log_level=WARN",
            f"--MappingKernelManager.cull_idle_timeout={IDLE_LIMIT}",
            "--MappingKernelManager.cull_interval=30",
            "--MappingKernelManager.cull_connected=False"]


def jupyter_path(env: Mapping[str, str] | None = None) -> str:
    """JUPYTER_PATH with the kit's data folder first, so Voilà finds the kit's template."""
    given = (os.environ if env is None else env).get("JUPYTER_PATH", "")
    return os.pathsep.join(filter(None, [str(SHARE), given]))


def port_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind((HOST, port))
        except OSError:
            return False
    return True


def wait_for_port(port: int, proc: subprocess.Popen, timeout: float = 60) -> bool:
    """True once something listens on ``port``; False if ``proc`` died or time ran out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        with socket.socket() as s:
            s.settimeout(0.5)
            if s.connect_ex((HOST, port)) == 0:
                return True
        time.sleep(0.2)
    return False


# Jupyter's routine English start-up warnings (「Notebook is not trusted」, 「Kernel is running
# over TCP」, tornado's websocket ping notice): nothing a user can act on.
_NOISE = re.compile(r"^(\[\w+\] WARNING \||\[W \d{4}-|The websocket_ping_timeout|"
                    r"\s*Setting websocket_ping_timeout)")


_PY_WARNING = re.compile(r"^\S.*:\d+: \w*(Deprecation|Pending|Future|User)Warning: ")


def _quiet(proc: subprocess.Popen) -> subprocess.Popen:
    """Pass the server's stderr on, without Jupyter's routine English warnings."""
    def copy() -> None:
        skip_source = False  # a Python warning is printed with its source line under it
        for line in proc.stderr:  # type: ignore[union-attr]
            if skip_source and line.startswith(" "):
                skip_source = False
                continue
            skip_source = bool(_PY_WARNING.search(line))
            if not (skip_source or _NOISE.match(line)):
                sys.stderr.write(line)
                sys.stderr.flush()
    threading.Thread(target=copy, daemon=True).start()
    return proc


def _popen(cmd: list[str], cwd: Path, env: dict[str, str]) -> subprocess.Popen:
    return _quiet(subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE, text=True, encoding="utf-8",
                                   errors="replace"))


def _check_port(port: int, command: str) -> None:
    if not port_free(port):
        raise KitError(Problem(f"端口 {port} 已被占用（可能已经在运行）",
                               hint=f"请换一个端口，例如：kit {command} --port {port + 1}"))


def start(port: int, folders: Workspace | None = None, token: str | None = None,
          notebook: str = project.FORM_NOTEBOOK, command: str = "form"
          ) -> tuple[subprocess.Popen, str]:
    """Start Voilà on ``notebook`` in the background; returns the process and the URL.
    ``command`` is how the user started it (for the busy-port hint)."""
    folders = folders or Workspace.find()
    path = find_notebook(folders, notebook)
    _check_port(port, command)
    token = token or secrets.token_urlsafe(16)
    env = os.environ | folders.env() | {"JUPYTER_PATH": jupyter_path()} | token_env(token)
    proc = _popen(voila_command(path, port), path.parent, env)
    return proc, f"http://{HOST}:{port}/?token={token}"


def token_env(token: str) -> dict[str, str]:
    """The server's token as its environment gives it (not its command line)."""
    return {"JUPYTER_TOKEN": token}


def lab_command(root: Path, port: int) -> list[str]:
    """JupyterLab on 127.0.0.1 serving the project folder, its own start-up lines silenced."""
    cmd = [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--ServerApp.ip={HOST}",
           f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
           f"--ServerApp.root_dir={root}",  # the token: $JUPYTER_TOKEN (token_env)
           "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
           "--ServerApp.log_level=WARN", "--LabApp.log_level=WARN",
           "--LabApp.extension_manager=readonly"]  # no PyPI queries: works offline
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # containers; Jupyter refuses root otherwise
    return cmd


def lab_config_path(env: Mapping[str, str] | None = None) -> str:
    """JUPYTER_CONFIG_PATH with the kit's lab defaults first: JupyterLab in Chinese (the
    zh_CN language pack), ▶▶ without the 「Restart Kernel?」 dialog, no autosave (running a
    shipped notebook must not rewrite it), and without the status-bar cell counter and
    Voilà's preview button, the debugger and the cell toolbar, which the language pack
    leaves in English (page_config.json; the form needs none of them).
    They are default overrides: a user's own JupyterLab settings still win, and nothing of
    the user's configuration is written."""
    given = (os.environ if env is None else env).get("JUPYTER_CONFIG_PATH", "")
    return os.pathsep.join(filter(None, [str(SHARE / "config"), given]))


def start_lab(port: int, folders: Workspace | None = None, token: str | None = None
              ) -> tuple[subprocess.Popen, str]:
    """Start the kit's JupyterLab in the background; returns it and the form notebook's URL."""
    folders = folders or Workspace.find()
    notebook = find_notebook(folders)
    _check_port(port, "lab")
    # The working folder, so its params/ show in the file browser; a working folder
    # without its own notebooks/ gets the shipped notebook's folder (the form still
    # reads and writes the working folder's params/ through KIT_*).
    root = folders.root if notebook.is_relative_to(folders.root) else notebook.parent.parent
    token = token or secrets.token_urlsafe(16)
    env = os.environ | folders.env() | {"JUPYTER_CONFIG_PATH": lab_config_path(),
                                        "PYTHONWARNINGS": "ignore::DeprecationWarning"
                                        } | token_env(token)
    proc = _popen(lab_command(root, port), root, env)
    where = notebook.relative_to(root).as_posix()
    return proc, f"http://{HOST}:{port}/lab/tree/{where}?token={token}"


def serve(port: int = 8866, open_browser: bool = True, notebook: str = project.FORM_NOTEBOOK,
          what: str = "表单", *, lab: bool = False, command: str = "form") -> int:
    """Run the form (or ``notebook``, called ``what``) in Voilà or, with ``lab``, the
    kit's JupyterLab on the form notebook, until Ctrl+C; returns the exit code for
    ``kit form`` / ``kit lab`` (``kit review``)."""
    if lab:
        proc, url = start_lab(port)
        what = "JupyterLab（表单笔记本）"
    else:
        proc, url = start(port, notebook=notebook, command=command)
    try:
        if not wait_for_port(port, proc):
            proc.terminate()
            print(f"{what}没能启动，请查看上面的提示。", file=sys.stderr)
            return proc.wait() or 1
        print(f"{what}已启动，请用浏览器打开：{url} （只有这台电脑能打开；用完在这里按 Ctrl+C 关闭）",
              flush=True)
        if open_browser:
            webbrowser.open(url)
        return proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        print(f"{what}已关闭。")
        return 0
