"""``kit hub``: JupyterHub in the foreground, configured for the working folder.

The hub's state — its database, cookie secret, the proxy's and each account's
scratch folders — lives in the working folder's ``.kit-hub/`` (0700; the secret
file 0600, written by JupyterHub itself).  Secrets are never on a command line: the
proxy's token goes to configurable-http-proxy in its environment, each server's API
token in that server's environment.

Sessions: the login cookie lasts at most :data:`COOKIE_HOURS` hours; an account idle
longer than ``IDLE_MINUTES`` (kit.hub.authenticator) must log in again; a server
without activity for :data:`CULL_SECONDS` is stopped by jupyterhub-idle-culler, which
gives its memory back.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from kit.errors import KitError, Problem
from kit.hub.accounts import Accounts, state_dir
from kit.hub.authenticator import REFRESH
from kit.project import Workspace
from kit.user_numbers import from_environment

HERE = Path(__file__).resolve().parent
CONFIG_FILE = HERE / "jupyterhub_config.py"
TEMPLATES = HERE / "templates"
COOKIE_HOURS = 8
CULL_SECONDS = from_environment("KIT_HUB_CULL_SECONDS", 1800, 1, 7 * 24 * 3600)
PROXY = "configurable-http-proxy"
ACTIVITY_SECONDS = from_environment("KIT_HUB_ACTIVITY_SECONDS", 60, 1, 3600)


def configure(c: Any) -> None:
    """Fill JupyterHub's config object ``c`` from the environment ``kit hub`` set."""
    root = Path(os.environ["KIT_ROOT"])
    state = state_dir(root)
    c.JupyterHub.ip = os.environ.get("KIT_HUB_IP", "127.0.0.1")
    c.JupyterHub.port = int(os.environ.get("KIT_HUB_PORT", "8000"))
    c.JupyterHub.hub_ip = "127.0.0.1"
    c.JupyterHub.hub_port = int(os.environ.get("KIT_HUB_API_PORT", "0")) or c.JupyterHub.port + 1
    c.ConfigurableHTTPProxy.api_url = (
        f"http://127.0.0.1:{int(os.environ.get('KIT_HUB_PROXY_API_PORT', '0')) or c.JupyterHub.port + 2}")
    c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
    c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
    c.JupyterHub.pid_file = str(state / "jupyterhub.pid")
    c.ConfigurableHTTPProxy.pid_file = str(state / "proxy.pid")
    c.JupyterHub.authenticator_class = "kit.hub.authenticator.KitAuthenticator"
    c.Authenticator.allow_all = True  # every account of the book; KitAuthenticator checks
    c.Authenticator.auth_refresh_age = REFRESH
    c.Authenticator.refresh_pre_spawn = True
    c.JupyterHub.spawner_class = "kit.hub.spawner.KitSpawner"
    c.SimpleLocalProcessSpawner.home_dir_template = str(state / "home" / "{username}")
    c.Spawner.start_timeout = 120  # 30 clerks logging in at once on 2 cores (bench_hub)
    c.Spawner.http_timeout = 120
    c.Spawner.default_url = "/"
    c.JupyterHub.template_paths = [str(TEMPLATES)]
    c.JupyterHub.cookie_max_age_days = COOKIE_HOURS / 24
    # How often the hub reads each server's last activity from the proxy: a Voilà server
    # does not report its own, so this is what the idle culler and the session's idle
    # limit (kit.hub.authenticator) go by.
    c.JupyterHub.last_activity_interval = ACTIVITY_SECONDS
    c.JupyterHub.tornado_settings = {
        "cookie_options": {"httponly": True, "samesite": "Lax"},
        "headers": {"X-Frame-Options": "DENY"},
    }
    c.JupyterHub.allow_named_servers = False
    c.JupyterHub.shutdown_on_logout = True
    c.JupyterHub.redirect_to_server = True
    c.JupyterHub.cleanup_servers = True
    c.JupyterHub.cleanup_proxy = True
    c.JupyterHub.log_level = os.environ.get("KIT_HUB_LOG_LEVEL", "WARN")
    # Only what each role needs: a user reaches its own server and nothing of the hub's
    # API beyond itself (JupyterHub's default 'user' role, written out to be sure).
    c.JupyterHub.load_roles = [
        {"name": "user", "scopes": ["self"]},
        {"name": "idle-culler", "services": ["idle-culler"],
         "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"]},
    ]
    c.JupyterHub.services = [{
        "name": "idle-culler",
        "command": [sys.executable, "-m", "jupyterhub_idle_culler",
                    f"--timeout={CULL_SECONDS}", f"--cull-every={max(5, CULL_SECONDS // 4)}"],
    }]
    _ = Accounts(root)  # the accounts file exists before the first login


def proxy_command() -> str:
    found = shutil.which(PROXY)
    if not found:
        raise KitError(Problem("找不到 configurable-http-proxy（JupyterHub 的代理程序）",
                               hint="请运行 bash run.sh hub 安装，或：npm install -g configurable-http-proxy"),
                       )
    return found


def hub_command() -> list[str]:
    return [sys.executable, "-m", "jupyterhub", "-f", str(CONFIG_FILE)]


def hub_env(folders: Workspace, ip: str, port: int,
            base: dict[str, str] | None = None) -> dict[str, str]:
    return (dict(os.environ if base is None else base) | folders.env()
            | {"KIT_HUB_IP": ip, "KIT_HUB_PORT": str(port),
               "PYTHONWARNINGS": "ignore::DeprecationWarning"})


def start(folders: Workspace, ip: str = "127.0.0.1", port: int = 8000,
          env: dict[str, str] | None = None) -> subprocess.Popen:
    """JupyterHub in its own process group (so stopping it stops all it started);
    ``env``: the environment to start from (default: this process's)."""
    from kit.form.serve import port_free

    proxy_command()
    if not Accounts(folders.root).all():
        raise KitError(Problem("还没有任何账号",
                               hint="请先添加：kit hub account add 账号 --name 姓名 --role 管理 --password-stdin"))
    for p in (port, port + 1, port + 2):
        if not port_free(p):
            raise KitError(Problem(f"端口 {p} 已被占用（kit hub 需要 {port} 到 {port + 2} 三个端口）",
                                   hint=f"请换一个端口，例如：kit hub --port {port + 10}"))
    return subprocess.Popen(hub_command(), cwd=state_dir(folders.root),
                            env=hub_env(folders, ip, port, env),
                            stdin=subprocess.DEVNULL, start_new_session=True)


def stop(proc: subprocess.Popen, timeout: float = 20) -> None:
    """SIGTERM to the hub (it stops its servers and proxy), then the whole group."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=timeout)
    with contextlib.suppress(ProcessLookupError):  # anything left of the group it led
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def _listening(ip: str, port: int, proc: subprocess.Popen, timeout: float = 90) -> bool:
    """True once the hub answers on ``ip``:``port`` (a LAN address too)."""
    host = "127.0.0.1" if ip in ("", "0.0.0.0") else ip
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=1):
            return True
        time.sleep(0.3)
    return False


def serve(ip: str = "127.0.0.1", port: int = 8000) -> int:
    folders = Workspace.find()
    proc = start(folders, ip, port)

    def terminated(*_: object) -> None:  # systemd's stop: as Ctrl-C
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, terminated)
    try:
        if not _listening(ip, port, proc):
            print("JupyterHub 没能启动，请查看上面的提示。", file=sys.stderr)
            stop(proc)
            return 1
        where = "本机" if ip == "127.0.0.1" else "局域网内的电脑"
        print(f"县级服务器已启动：请用浏览器打开 http://{ip}:{port}/hub/login "
              f"（{where}可以访问；在这里按 Ctrl+C 关闭）", flush=True)
        return proc.wait()
    except KeyboardInterrupt:
        stop(proc)
        print("县级服务器已关闭。")
        return 0
