"""The county server for real: JupyterHub, configurable-http-proxy, each account's own
Voilà, over HTTP and websockets on 127.0.0.1.  Accounts: clerks of 东山镇 and 西河乡, a
reviewer of both (tests/hub/hubs.py)."""

from __future__ import annotations

import json
import re
import time
import uuid
from pathlib import Path

import pytest
import requests
import websocket

from kit.hub.accounts import MAX_FAILURES, Accounts
from tests.hub import hubs

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    with hubs.running(tmp_path_factory.mktemp("kit-hub")) as running:
        yield running


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((root / "params").iterdir())}


def test_login_page_is_chinese_and_cookies_are_httponly_samesite(hub):
    page = requests.get(hub.url + "/hub/login").content.decode()
    assert "述职报告填报系统" in page and "账号" in page and "密码" in page
    assert 'name="username"' in page and 'name="password"' in page
    s, _ = hub.login("dongshan")
    for c in s.cookies:
        assert "HttpOnly" in c._rest and c._rest.get("SameSite") == "Lax", c.name


def test_wrong_passwords_lock_the_account_with_a_chinese_message(hub):
    for _ in range(MAX_FAILURES - 1):
        _, r = hub.login("locky", "Wrong-password-1")
        assert r.status_code == 403 and "账号或密码不正确" in r.content.decode()
    _, r = hub.login("locky", "Wrong-password-1")
    assert "已锁定" in r.content.decode()
    _, r = hub.login("locky")  # the right password, while locked
    assert r.status_code == 403 and "分钟后再试" in r.content.decode()
    events = [(e.account, e.event) for e in Accounts(hub.root).events()]
    assert events.count(("locky", "登录失败")) == MAX_FAILURES + 1


def test_a_removed_account_can_no_longer_log_in(hub):
    Accounts(hub.root).remove("gone")
    _, r = hub.login("gone")
    assert r.status_code == 403 and "账号或密码不正确" in r.content.decode()


def test_a_clerk_reaches_only_their_own_server(hub):
    before = snapshot(hub.root)
    s, r = hub.login("dongshan")
    assert r.ok
    page = hub.form(s, "dongshan")
    assert page.ok and b"kernelId" in page.content
    for url in ("/user/xihe/", "/user/shenyue/", "/hub/api/users", "/hub/api/users/xihe",
                "/hub/api/users/xihe/tokens", "/hub/admin"):
        r = s.get(hub.url + url, allow_redirects=True)
        assert r.status_code in (403, 404), (url, r.status_code)
    r = s.post(hub.url + "/hub/api/users/xihe/server",
               headers={"X-XSRFToken": s.cookies.get("_xsrf", path="/hub/")})
    assert r.status_code in (403, 404)
    # The clerk's own Voilà has no contents API, terminals or kernel list to use.
    for url in ("api/contents/params", "api/kernels", "api/terminals", "api/sessions",
                "voila/files/params/" + hubs.XIHE, "lab"):
        r = s.get(f"{hub.url}/user/dongshan/{url}")
        assert r.status_code in (403, 404, 405), (url, r.status_code)
    assert snapshot(hub.root) == before


def test_code_sent_from_the_page_is_not_run(hub):
    s, _ = hub.login("dongshan")
    page = hub.form(s, "dongshan").content.decode()
    kernel = re.search(r'"kernelId": "([0-9a-f-]+)"', page)
    assert kernel, "the form page names its kernel"
    marker = hub.root / "ran.txt"
    cookies = "; ".join(f"{c.name}={c.value}" for c in s.cookies)
    ws = websocket.create_connection(
        f"ws://127.0.0.1:{hub.port}/user/dongshan/api/kernels/{kernel.group(1)}/channels",
        header=[f"Cookie: {cookies}"], origin=hub.url, timeout=60)
    try:
        def send(msg_type: str, content: dict) -> str:
            msg_id = uuid.uuid4().hex
            ws.send(json.dumps({
                "header": {"msg_id": msg_id, "msg_type": msg_type, "username": "x",
                           "session": uuid.uuid4().hex, "version": "5.3", "date": ""},
                "parent_header": {}, "metadata": {}, "content": content,
                "channel": "shell", "buffers": []}))
            return msg_id

        code = f"open({str(marker)!r}, 'w').write('x')"
        executed = send("execute_request", {"code": code, "silent": False,
                                            "store_history": False, "user_expressions": {},
                                            "allow_stdin": False, "stop_on_error": True})
        send("comm_open", {"comm_id": uuid.uuid4().hex, "target_name": "x",
                           "data": {"code": code}})
        info = send("kernel_info_request", {})
        replies: list[dict] = []
        while not any(m.get("parent_header", {}).get("msg_id") == info for m in replies):
            replies.append(json.loads(ws.recv()))  # the socket works: kernel_info answers
        time.sleep(2)  # an execute_request would have been answered before kernel_info
    finally:
        ws.close()
    assert not any(m.get("parent_header", {}).get("msg_id") == executed for m in replies)
    assert not marker.exists()


def test_no_secret_is_on_any_command_line(hub):
    s, _ = hub.login("xihe")
    assert hub.form(s, "xihe").ok
    secrets_seen: set[str] = set()
    cmdlines: list[str] = []
    # The hub and all it started (other users' processes on a shared machine are not ours).
    for pid in [hub.proc.pid, *hubs.descendants(hub.proc.pid)]:
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            env = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        except OSError:
            continue
        cmdlines.append(cmd)
        for var in env:
            name, _, value = var.decode(errors="replace").partition("=")
            if name in ("JUPYTERHUB_API_TOKEN", "CONFIGPROXY_AUTH_TOKEN", "JUPYTER_TOKEN") and value:
                secrets_seen.add(value)
    assert secrets_seen, "the hub's servers got their tokens in their environment"
    for cmd in cmdlines:
        assert not any(secret in cmd for secret in secrets_seen), cmd
        assert "token=" not in cmd.lower(), cmd
    secret_file = hub.root / ".kit-hub" / "jupyterhub_cookie_secret"
    assert secret_file.stat().st_mode & 0o077 == 0
    assert (hub.root / ".kit-hub" / "accounts.sqlite").stat().st_mode & 0o077 == 0


def test_the_hubs_own_pages_are_in_chinese(hub):
    s, _ = hub.login("xihe")
    page = s.get(hub.url + "/user/dongshan/").content.decode()  # another's: refused
    assert "没有权限" in page or "找不到这个页面" in page
    home = s.get(hub.url + "/hub/home").content.decode()
    assert "我的页面" in home and "退出登录" in home and ">Token<" not in home


def test_an_administrator_gets_chinese_jupyterlab_and_the_hub_api(hub):
    s, r = hub.login("guanli")
    assert r.ok
    deadline = time.monotonic() + 120
    while True:  # the hub sends the administrator to JupyterLab once it has started
        lab = s.get(f"{hub.url}/user/guanli/lab")
        if b"jupyterlab" in lab.content.lower() or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert lab.ok and "JupyterLab" in lab.content.decode()
    setting = s.get(f"{hub.url}/user/guanli/lab/api/settings/"
                    "@jupyterlab/translation-extension:plugin").json()
    assert setting["schema"]["properties"]["locale"]["default"] == "zh_CN"  # the kit's default
    assert s.get(hub.url + "/hub/api/users").status_code == 200
