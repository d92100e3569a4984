"""The review pages as a reviewer sees them, in headless Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium"),
]


@pytest.fixture
def page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM),
                                    args=["--no-sandbox", "--disable-gpu"])
        try:
            yield browser.new_page(viewport={"width": 1300, "height": 900}, locale="zh-CN")
        finally:
            browser.close()


def test_index_leads_to_each_official(page, built: tuple[Path, int, str]) -> None:
    review = built[0] / "build" / "2023" / "review"
    page.goto((review / "index.html").as_uri())
    assert page.locator("tbody tr").count() == 7
    assert "3 份已生成" in page.inner_text("body") and "4 份未生成" in page.inner_text("body")

    page.locator("tr", has_text="李明华").get_by_role("link", name="查看").click()
    text = page.inner_text("body")
    assert "李明华（东山镇 镇党建办主任）" in text and "已生成" in text
    assert "主持召开党建工作专题会议" in text and "一、加强理论学习" in text
    assert "Word 文件已生成" in text
    for code in ("Traceback", "kit_nb", "params_file", "执行记录", "In ["):
        assert code not in text

    page.get_by_role("link", name="← 返回审阅目录").click()
    page.locator("tr", has_text="赵六").get_by_role("link", name="查看").click()
    reason = page.get_by_text("这份报告没有生成。原因：").first.bounding_box()
    details = page.get_by_text("执行记录（技术细节）").bounding_box()
    assert reason and details and reason["y"] < details["y"]  # plain words first
    assert "算不出来" in page.inner_text("body")
