"""修改密码 on a real hub: an account whose password the administrator set is sent to
/hub/change-password after login and gets no server until it has changed it; the form
needs JupyterHub's _xsrf; the rule and the audit; the token page only for 管理."""

from __future__ import annotations

import time

import pytest

from kit.hub.accounts import Accounts
from tests.hub import hubs

pytestmark = pytest.mark.slow

RESET = "Reset-by-admin-7"
NEW = "Mine-only-2024#"


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    with hubs.running(tmp_path_factory.mktemp("kit-hub-password"),
                      env={"KIT_HUB_REFRESH_SECONDS": "1"}) as running:
        yield running


def change(hub, s, old, new, again=None, xsrf=True, next_url=""):
    data = {"old_password": old, "new_password": new, "new_password2": new if again is None
            else again}
    if xsrf:
        data["_xsrf"] = s.cookies.get("_xsrf", path="/hub/")
    return s.post(f"{hub.url}/hub/change-password?next={next_url}", data=data, timeout=120,
                  allow_redirects=False)


def test_a_reset_account_must_change_its_password_before_it_gets_a_server(hub):
    book = Accounts(hub.root)
    book.set_password("xihe", RESET, must_change=True)
    s, r = hub.login("xihe", RESET)
    assert "/hub/change-password" in r.url, r.url
    page = r.content.decode()
    assert "修改密码" in page and "初始密码" in page and 'name="_xsrf"' in page
    # Not by the page's courtesy only: asking the hub for the server is refused.
    for url in ("/hub/spawn/xihe", "/user/xihe/"):
        r = s.get(hub.url + url, timeout=120)
        assert r.status_code == 403 and "请先修改初始密码" in r.content.decode(), url
    xsrf = s.cookies.get("_xsrf", path="/hub/")
    r = s.post(f"{hub.url}/hub/api/users/xihe/server", headers={"X-XSRFToken": xsrf}, timeout=120)
    assert r.status_code >= 400
    assert book.get("xihe").must_change
    # The form: _xsrf required, new twice, the rule, the old password checked.
    assert change(hub, s, RESET, NEW, xsrf=False).status_code == 403
    r = change(hub, s, RESET, NEW, again=NEW + "x")
    assert r.status_code == 400 and "两次输入的新密码不一致" in r.content.decode()
    r = change(hub, s, RESET, "short")
    assert r.status_code == 400 and "至少 10 位" in r.content.decode()
    r = change(hub, s, "Wrong-old-pass-1", NEW)
    assert r.status_code == 400 and "原密码不正确" in r.content.decode()
    assert book.get("xihe").must_change
    r = change(hub, s, RESET, NEW, next_url="/hub/user/xihe/")
    assert r.status_code == 302 and r.headers["Location"].endswith("/hub/user/xihe/")
    assert not book.get("xihe").must_change
    # Now the server starts (asked again: JupyterHub does not retry a failed start by itself).
    assert s.get(f"{hub.url}/hub/spawn/xihe", timeout=120).ok
    assert b"kernelId" in hub.form(s, "xihe").content
    assert book.login("xihe", NEW)[0] is not None
    events = [(e.account, e.event) for e in book.events()]
    assert ("xihe", "修改密码") in events and ("xihe", "修改密码失败") in events


def test_any_account_may_change_its_password_any_time(hub):
    s, r = hub.login("dongshan")
    r = s.get(f"{hub.url}/hub/change-password", timeout=60)
    assert r.ok and "初始密码" not in r.content.decode()  # not flagged: no warning
    r = change(hub, s, hubs.PASSWORDS["dongshan"], NEW)
    assert r.ok and "密码已修改" in r.content.decode()


def test_the_token_page_and_api_tokens_are_only_for_admins(hub):
    s, _ = hub.login("shenyue")
    r = s.get(f"{hub.url}/hub/token", timeout=60)
    assert r.status_code == 404 and "找不到这个页面" in r.content.decode()
    xsrf = s.cookies.get("_xsrf", path="/hub/")
    r = s.post(f"{hub.url}/hub/api/users/shenyue/tokens", json={"note": "x"},
               headers={"X-XSRFToken": xsrf}, timeout=60)
    assert r.status_code == 403  # the scope: 'tokens' is not the user role's
    s, _ = hub.login("guanli")
    assert s.get(f"{hub.url}/hub/token", timeout=60).ok
    r = s.post(f"{hub.url}/hub/api/users/guanli/tokens", json={"note": "x"},
               headers={"X-XSRFToken": s.cookies.get("_xsrf", path="/hub/")}, timeout=60)
    assert r.status_code == 201  # the same request, made by an admin


def test_a_reset_while_the_server_runs_stops_it_until_the_password_is_changed(hub):
    s, _ = hub.login("locky")
    assert b"kernelId" in hub.form(s, "locky").content
    Accounts(hub.root).set_password("locky", RESET, must_change=True)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        s.get(f"{hub.url}/hub/home", timeout=60)  # a request to the hub: the account refreshed
        r = s.get(f"{hub.url}/user/locky/", timeout=60)
        if r.status_code == 424:  # JupyterHub's 「not running」 page: stopped
            break
        time.sleep(1)
    assert r.status_code == 424 and "您的页面没有运行" in r.content.decode()
    r = s.get(f"{hub.url}/hub/spawn/locky", timeout=60)  # its 「打开我的页面」 button
    assert r.status_code == 403 and "请先修改初始密码" in r.content.decode()
