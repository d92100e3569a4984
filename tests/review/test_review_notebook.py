"""``kit review`` in real Chromium: the reviewer types, approves, returns with a reason,
filters, moves by keyboard, and sees an edited file fall back to 「已修改，待重审」."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kit.review.record import Store
from tests.form import servers

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not servers.CHROMIUM.exists(), reason="needs Debian's chromium"),
]
TIMEOUT = 120_000
LI = "东山镇-镇党建办主任-李明华.yaml"


@pytest.fixture
def page(tmp_path: Path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(servers.CHROMIUM),
                                    args=servers.CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1500, "height": 1100}, locale="zh-CN")
            context.set_default_timeout(TIMEOUT)
            yield context.new_page()
        finally:
            browser.close()


def _button(page, text: str):
    return page.locator("button:visible", has_text=re.compile(rf"^\s*{re.escape(text)}\s*$"))


def _options(page) -> list[str]:
    return page.locator(".kit-list select option").all_inner_texts()


def _wait_options(page, expected: list[str]) -> None:
    """Until the list shows exactly ``expected`` (the kernel answers asynchronously)."""
    page.wait_for_function(
        "want => JSON.stringify(Array.from(document.querySelectorAll("
        "'.kit-list select option'), o => o.textContent)) === JSON.stringify(want)", arg=expected)


def _wait_option(page, text: str) -> None:
    page.locator(".kit-list select option", has_text=text).wait_for(state="attached")


def test_approve_return_filter_and_edit(page, tmp_path: Path) -> None:
    root = servers.make_root(tmp_path)
    li = root / "params" / LI
    zero = (li.read_text("utf-8").replace("李明华", "马小明").replace("讲党课: 6", "讲党课: 0")
            .replace("牵头完成全镇23个村", "协助完成全镇15个村"))  # his own text
    (root / "params" / "东山镇-镇党建办主任-马小明.yaml").write_text(zero, "utf-8")
    with servers.kit_form(root, tmp_path, "review") as url:
        page.goto(url)
        page.get_by_text("述职报告审阅").first.wait_for()
        assert page.locator(".jp-InputArea, .jp-CodeMirrorEditor").count() == 0  # no code
        assert "review_page" not in page.inner_text("body")
        # 目录 order: 镇委书记 (排位 1) first, then by surname strokes: 马3 < 李7
        assert _options(page) == ["【待审】王建国\u3000东山镇\u3000镇委书记",
                                  "【待审】马小明\u3000东山镇\u3000镇党建办主任\u3000⚠1",
                                  "【待审】李明华\u3000东山镇\u3000镇党建办主任"]
        view = page.locator(".kit-view")
        assert "王建国" in view.inner_text() and "2023年度述职报告（镇委书记）" in view.inner_text()

        page.locator(".kit-actions button", has_text="通过").click()  # no reviewer yet
        page.get_by_text("请先在上方填写审阅人姓名").wait_for()
        page.get_by_label("审阅人").press_sequentially("张审", delay=30)
        _button(page, "确定").click()
        page.get_by_text("审阅人：张审").wait_for()

        page.locator(".kit-list select").focus()  # next / previous by keyboard
        page.keyboard.press("ArrowDown")
        view.get_by_text("「为村级党员带头讲党课」为 0").wait_for()
        page.keyboard.press("ArrowDown")
        view.get_by_text("参数文件：" + LI).wait_for()
        assert "一、加强理论学习" in view.inner_text()
        page.locator(".kit-actions button", has_text="通过").click()
        _wait_option(page, "【已通过】李明华")
        said = page.get_by_text("李明华：已通过")
        assert said.evaluate("e => getComputedStyle(e).color") == "rgb(46, 125, 50)"  # green
        # buttons and the list in the page's font, not the widgets' own (a thin 楷体)
        font = page.locator(".kit-review").first.evaluate("e => getComputedStyle(e).fontFamily")
        for widget in (".kit-list select", ".kit-actions button", ".widget-toggle-buttons button"):
            assert page.locator(widget).first.evaluate(
                "e => getComputedStyle(e).fontFamily") == font, widget

        view.get_by_text("参数文件：东山镇-镇委书记-王建国.yaml").wait_for()  # on to the next
        _button(page, "下一份").click()
        _button(page, "下一份").click()
        view.get_by_text("参数文件：" + LI).wait_for()
        _button(page, "上一份").click()
        view.get_by_text("参数文件：东山镇-镇党建办主任-马小明.yaml").wait_for()
        page.locator(".kit-actions button", has_text="退回").click()  # without a reason: refused
        page.get_by_text("退回需要写明意见").wait_for()
        page.get_by_label("意见").press_sequentially("讲党课次数为 0，请核对", delay=20)
        page.locator(".kit-actions button", has_text="退回").click()
        _wait_option(page, "【退回】马小明")
        said = page.get_by_text("马小明：退回")
        assert said.evaluate("e => getComputedStyle(e).color") == "rgb(198, 40, 40)"  # red

        _button(page, "有提示").click()
        _wait_options(page, ["【退回】马小明\u3000东山镇\u3000镇党建办主任\u3000⚠1"])
        page.locator(".widget-toggle-buttons button", has_text="退回").click()
        page.get_by_text("显示 1 / 3 份").wait_for()
        view.get_by_text("意见：讲党课次数为 0，请核对").wait_for()
        page.locator(".widget-toggle-buttons button", has_text="待审").click()
        _wait_options(page, ["【待审】王建国\u3000东山镇\u3000镇委书记"])

        li.write_text(li.read_text("utf-8").replace("专题会议: 12", "专题会议: 13"), "utf-8")
        page.locator(".widget-toggle-buttons button", has_text="全部").click()
        _button(page, "刷新").click()
        _wait_option(page, "【已修改，待重审】李明华")
        page.screenshot(path=str(tmp_path / "review.png"))

    records = Store.of_folder(root / "params").records()
    assert [(r.file, r.status, r.reason, r.reviewer) for r in records] == [
        (LI, "已通过", "", "张审"),
        ("东山镇-镇党建办主任-马小明.yaml", "退回", "讲党课次数为 0，请核对", "张审")]


def test_the_same_page_in_jupyterlab(page, tmp_path: Path) -> None:
    root = servers.make_root(tmp_path)
    with servers.jupyterlab(root, tmp_path) as url:
        page.goto(url.replace("form.ipynb", "review.ipynb"))
        page.locator(".jp-Notebook .jp-CodeCell").first.wait_for()
        page.get_by_text("| Idle").wait_for()  # status bar: kernel ready
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        _wait_options(page, ["【待审】王建国\u3000东山镇\u3000镇委书记",
                             "【待审】李明华\u3000东山镇\u3000镇党建办主任"])
        page.get_by_label("审阅人").press_sequentially("李审", delay=30)
        _button(page, "确定").click()
        page.locator(".kit-actions button", has_text="通过").click()
        _wait_option(page, "【已通过】王建国")
    (record,) = Store.of_folder(root / "params").records()
    assert (record.file, record.status, record.reviewer) == (
        "东山镇-镇委书记-王建国.yaml", "已通过", "李审")
