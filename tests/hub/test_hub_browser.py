"""The county server in real Chromium: each account logs in on the Chinese login page
and lands on its own page — a clerk on the form listing their unit's files only, the
reviewer on the review page of both units."""

from __future__ import annotations

import pytest

from tests.form import servers
from tests.hub import hubs

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not servers.CHROMIUM.exists(), reason="needs Debian's chromium"),
]

TIMEOUT = 120_000  # ms: a server and kernel start on a busy 2-core machine


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    with hubs.running(tmp_path_factory.mktemp("kit-hub-browser")) as running:
        yield running


def log_in(browser, hub, account: str):
    page = browser.new_context().new_page()
    page.goto(hub.url + "/hub/login")
    page.get_by_label("账号").fill(account)
    page.get_by_label("密码").fill(hubs.PASSWORDS[account])
    page.get_by_role("button", name="登录").click()
    return page


@pytest.mark.parametrize(("account", "mine", "other"), [
    ("dongshan", hubs.WANG, hubs.XIHE), ("xihe", hubs.XIHE, hubs.WANG)])
def test_each_clerk_sees_only_their_units_files(browser, hub, account, mine, other):
    page = log_in(browser, hub, account)
    picker = page.get_by_label("已有参数文件")
    picker.wait_for(timeout=TIMEOUT)
    assert page.url.startswith(f"{hub.url}/user/{account}/")
    options = picker.locator("option").all_text_contents()
    assert mine in options and other not in options
    picker.select_option(label=mine)
    page.get_by_role("button", name="打开").click()
    page.get_by_text(f"已打开 params/{mine}").wait_for(timeout=TIMEOUT)
    page.context.close()


def test_the_reviewer_gets_the_review_page_of_both_units(browser, hub):
    page = log_in(browser, hub, "shenyue")
    page.get_by_text("周西河").first.wait_for(timeout=TIMEOUT)
    assert page.get_by_text("王建国").count() > 0
    assert page.get_by_label("已有参数文件").count() == 0  # not the form
    page.context.close()


def test_a_wrong_password_is_told_in_chinese(browser, hub):
    page = browser.new_context().new_page()
    page.goto(hub.url + "/hub/login")
    page.get_by_label("账号").fill("xihe")
    page.get_by_label("密码").fill("Not-the-password-1")
    page.get_by_role("button", name="登录").click()
    page.get_by_text("账号或密码不正确").wait_for(timeout=TIMEOUT)
    page.context.close()
