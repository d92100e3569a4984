"""``kit form``: the form as a plain web page (Voilà), on this computer only.

Voilà runs ``notebooks/form.ipynb`` with its code hidden, listening on 127.0.0.1 with
a random token, so nobody else on the network can open it.  The kernel gets the
project's folders through environment variables (see :mod:`kit.form.paths`), so it
reads and writes the same params/ as the command was started for.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import webbrowser
from pathlib import Path

from kit import layout
from kit.errors import KitError, Problem
from kit.form.paths import Folders

HOST = "127.0.0.1"
NOTEBOOK = Path(layout.NOTEBOOKS) / layout.FORM_NOTEBOOK


def find_notebook(folders: Folders, name: str = layout.FORM_NOTEBOOK) -> Path:
    """The project's notebooks/form.ipynb (or notebooks/``name``), else the one shipped
    with the package."""
    notebook = layout.working_notebook(name, folders.root)
    if notebook.is_file():
        return notebook
    raise KitError(Problem("找不到表单笔记本", file=str(Path(layout.NOTEBOOKS) / name),
                           hint="请在项目文件夹（有 templates 和 params 的文件夹）里运行 kit form。"))


def voila_command(notebook: Path, port: int, token: str) -> list[str]:
    """The Voilà command line: localhost only, code hidden, no tracebacks for users."""
    return [sys.executable, "-m", "voila", str(notebook), "--no-browser",
            f"--port={port}", f"--Voila.ip={HOST}", "--Voila.port_retries=0",
            f"--token={token}", "--strip_sources=True", "--show_tracebacks=False",
            "--theme=light"]


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


def start(port: int, folders: Folders | None = None, token: str | None = None,
          notebook: str = layout.FORM_NOTEBOOK) -> tuple[subprocess.Popen, str]:
    """Start Voilà on ``notebook`` in the background; returns the process and the URL."""
    folders = folders or Folders.find()
    path = find_notebook(folders, notebook)
    if not port_free(port):
        raise KitError(Problem(f"端口 {port} 已被占用（可能表单已经在运行）",
                               hint=f"请换一个端口，例如：kit form --port {port + 1}"))
    token = token or secrets.token_urlsafe(16)
    env = os.environ | folders.env()
    proc = subprocess.Popen(voila_command(path, port, token), cwd=path.parent, env=env,
                            stdin=subprocess.DEVNULL)
    return proc, f"http://{HOST}:{port}/?token={token}"


def serve(port: int = 8866, open_browser: bool = True, notebook: str = layout.FORM_NOTEBOOK,
          what: str = "表单") -> int:
    """Run the form (or ``notebook``, called ``what``) until Ctrl+C; returns the exit
    code for ``kit form`` (``kit review``)."""
    proc, url = start(port, notebook=notebook)
    try:
        if not wait_for_port(port, proc):
            proc.terminate()
            print(f"{what}没能启动，请查看上面的提示。", file=sys.stderr)
            return proc.wait() or 1
        print(f"{what}已启动：{url}\n（只有这台电脑能打开；用完在这里按 Ctrl+C 关闭）", flush=True)
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
