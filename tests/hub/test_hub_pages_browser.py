"""Every hub page a clerk can reach, in real Chromium, is Chinese: none of JupyterHub's
English words shows (login, 我的页面, 修改密码, the form, /hub/token, a 404, logout)."""

from __future__ import annotations

import pytest

from tests.form import servers
from tests.hub import hubs

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not servers.CHROMIUM.exists(), reason="needs Debian's chromium"),
]

TIMEOUT = 120_000  # ms: a server and kernel start on a busy 2-core machine
ENGLISH = ("Start My Server", "Stop My Server", "My Server", "Logout", "Token", "Home",
           "Sign in", "Login", "Server not running", "Your server", "Event log", "Launch")


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    with hubs.running(tmp_path_factory.mktemp("kit-hub-pages")) as running:
        yield running


def english_on(page) -> list[str]:
    shown = page.locator("body").inner_text()
    return [word for word in ENGLISH if word.lower() in shown.lower()]


def test_a_clerks_pages_hold_no_english(browser, hub):
    page = browser.new_context().new_page()
    page.goto(hub.url + "/hub/login")
    assert english_on(page) == []
    page.get_by_label("账号").fill("dongshan")
    page.get_by_label("密码").fill(hubs.PASSWORDS["dongshan"])
    page.get_by_role("button", name="登录").click()
    page.get_by_label("已有参数文件").wait_for(timeout=TIMEOUT)  # the form
    assert english_on(page) == [], page.url
    seen = {}
    for path, says in (("/hub/home", "进入我的页面"), ("/hub/change-password", "原密码"),
                       ("/hub/token", "找不到这个页面"), ("/hub/no-such-page", "找不到这个页面"),
                       ("/hub/admin", "")):
        page.goto(hub.url + path)
        page.wait_for_load_state()
        seen[path] = english_on(page)
        if says:
            assert says in page.locator("body").inner_text(), path
    assert seen == {p: [] for p in seen}
    page.goto(hub.url + "/hub/home")
    page.get_by_role("button", name="关闭我的页面").click()  # JupyterHub's home.js: stops it
    page.get_by_role("button", name="打开我的页面").wait_for(timeout=TIMEOUT)
    assert english_on(page) == []
    page.get_by_role("button", name="打开我的页面").click()  # 「正在为您打开…」, then the form
    page.wait_for_load_state()
    assert english_on(page) == [], page.url
    form = page.get_by_label("已有参数文件")
    # The stop JupyterHub answered may still be under way (202): the hub then shows its
    # not-running page, in Chinese, whose 打开我的页面 a person presses once more.
    not_running = page.get_by_role("heading", name="页面没有运行")
    form.or_(not_running).first.wait_for(timeout=TIMEOUT)
    if not form.is_visible():
        assert english_on(page) == [], page.url
        page.get_by_role("button", name="打开我的页面").click()
    form.wait_for(timeout=TIMEOUT)
    page.goto(hub.url + "/hub/logout")
    page.wait_for_load_state()
    assert english_on(page) == []
    page.context.close()
