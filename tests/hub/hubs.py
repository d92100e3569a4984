"""A real JupyterHub for the hub tests: a working folder of its own with accounts,
started with ``kit.hub.config.start`` on free loopback ports, logged into over HTTP."""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import requests

from kit.form.serve import port_free
from kit.hub import config
from kit.hub.accounts import Accounts
from kit.project import Workspace
from tests.form import servers

PASSWORDS = {"dongshan": "Dongshan-2024!", "xihe": "Xihe-2024-pass", "shenyue": "Shenyue#2024a",
             "locky": "Locky-2024-pass", "gone": "Gone-2024-pass!", "guanli": "Guanli-2024-pass"}
ACCOUNTS = [("dongshan", "李东", ["东山镇"], "填报"), ("xihe", "王西", ["西河乡"], "填报"),
            ("shenyue", "赵审", ["东山镇", "西河乡"], "审阅"), ("locky", "钱锁", ["东山镇"], "填报"),
            ("gone", "孙去", ["东山镇"], "填报"), ("guanli", "张管", [], "管理")]
WANG = "东山镇-镇委书记-王建国.yaml"
XIHE = "西河乡-党委书记-周西河.yaml"


def clerk_file(n: int) -> str:
    return f"测试{n:02d}镇-党委书记-测试{n:02d}.yaml"


def make_root(tmp: Path, clerks: int = 0) -> Path:
    """The form's sample folder, one 西河乡 official added, and the accounts; with
    ``clerks``: also clerk01… each the clerk of 测试01镇… with one official's file."""
    root = servers.make_root(tmp)
    text = (root / "params" / WANG).read_text("utf-8")
    (root / "params" / XIHE).write_text(
        text.replace("东山镇", "西河乡").replace("王建国", "周西河"), "utf-8")
    book = Accounts(root)
    for account, name, units, role in ACCOUNTS:
        book.add(account, name, units, role, PASSWORDS[account])
    for n in range(1, clerks + 1):
        unit = f"测试{n:02d}镇"
        (root / "params" / clerk_file(n)).write_text(
            text.replace("东山镇", unit).replace("王建国", f"测试{n:02d}"), "utf-8")
        PASSWORDS[f"clerk{n:02d}"] = f"Clerk-{n:02d}-pass"
        book.add(f"clerk{n:02d}", f"测试{n:02d}", [unit], "填报", PASSWORDS[f"clerk{n:02d}"])
    return root


def descendants(pid: int) -> list[int]:
    """Every process started, directly or not, by ``pid`` (read from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                ppid = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def free_base() -> int:
    for _ in range(200):
        base = random.randrange(20000, 40000)
        if all(port_free(p) for p in (base, base + 1, base + 2)):
            return base
    raise RuntimeError("no three free ports")


@dataclass
class Hub:
    root: Path
    port: int
    proc: object

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def login(self, account: str, password: str | None = None) -> tuple[requests.Session,
                                                                         requests.Response]:
        s = requests.Session()
        s.get(self.url + "/hub/login", timeout=30)
        r = s.post(self.url + "/hub/login?next=", timeout=120, data={
            "username": account, "password": PASSWORDS.get(account, "") if password is None
            else password, "_xsrf": s.cookies.get("_xsrf", path="/hub/")})
        return s, r

    def form(self, s: requests.Session, account: str) -> requests.Response:
        """The account's own server's page, once it has started."""
        deadline = time.monotonic() + 120
        while True:
            r = s.get(f"{self.url}/user/{account}/", timeout=120)
            if r.ok and b"kernelId" in r.content or time.monotonic() > deadline:
                return r
            time.sleep(1)


@contextlib.contextmanager
def running(tmp: Path, clerks: int = 0, env: dict[str, str] | None = None) -> Iterator[Hub]:
    """A hub on :func:`make_root`'s folder; ``env``: more of the hub's environment."""
    root = make_root(tmp, clerks)
    if not shutil.which(config.PROXY):
        raise RuntimeError("configurable-http-proxy is not installed (bash run.sh hub)")
    port = free_base()
    env = servers.jupyter_env(tmp) | (env or {})
    proc = config.start(Workspace.at(root), port=port, env=env)
    try:
        servers.wait_port(port, proc)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:  # the proxy listens before the hub's route is in
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"http://127.0.0.1:{port}/hub/login", timeout=5).ok:
                    break
            time.sleep(0.5)
        yield Hub(root, port, proc)
    finally:
        config.stop(proc)  # type: ignore[arg-type]
