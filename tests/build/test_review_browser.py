"""The review pages as a reviewer sees them, in headless Chromium: the real build's index
and pages, and a generated index of 10,000 officials searched and filtered."""

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
    assert "汇编缺 4 人" in page.inner_text("body")

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

    page.get_by_role("link", name="← 返回审阅目录").click()  # and from a refused file's page
    page.locator("tr", has_text="错误-中文数字").get_by_role("link", name="查看").click()
    assert "参数文件有问题，这份报告没有生成" in page.inner_text("body")
    page.get_by_role("link", name="← 返回审阅目录").click()
    assert page.locator("tbody tr").count() == 7


def _shown(page) -> str:
    return page.locator("#count").inner_text()


def test_ten_thousand_officials_searched_and_filtered(page, tmp_path: Path) -> None:
    from tests.review.synth import big_index

    data = big_index(tmp_path, 10_000)
    outcomes, statuses = data["outcomes"], data["statuses"]
    page.goto(data["index"].as_uri())
    assert _shown(page) == "显示 10000 / 10000 份"
    assert page.locator("tbody tr").count() == 100  # one page drawn, not 10,000 rows
    assert page.locator("#page").inner_text() == "第 1 / 100 页"
    failed = sum(not o.ok for o in outcomes)
    assert f"汇编缺 {failed} 人" in page.inner_text("body")
    first = page.locator("tbody tr").first.inner_text()
    assert first.startswith("1\t") and "镇委书记" in first  # 目录 order: 排位 1 first

    target = next(o for o in outcomes if o.ok and o.unit.startswith("西岭") and o.role == "镇长")
    page.locator("#q").press_sequentially(target.name, delay=20)  # typed key by key
    page.wait_for_function("document.getElementById('count').textContent === '显示 1 / 10000 份'")
    row = page.locator("tbody tr").first.inner_text()
    assert target.name in row and target.unit in row
    page.locator("#q").fill("")
    page.locator("#q").press("Backspace")  # an input event after the clear

    unit = target.unit
    page.locator("#unit").select_option(unit)
    in_unit = [o for o in outcomes if (o.unit or statuses[o.file.resolve()].ident.unit) == unit]
    want = len(in_unit)  # failed rows too: named from what their file says
    assert _shown(page) == f"显示 {want} / 10000 份"
    page.locator("#role").select_option("镇长")
    want_role = sum(statuses[o.file.resolve()].ident.role == "镇长" for o in in_unit)
    assert _shown(page) == f"显示 {want_role} / 10000 份"
    page.locator("#unit").select_option("")
    page.locator("#role").select_option("")

    page.locator("#status").select_option("退回")
    returned = sum(s.status == "退回" for s in statuses.values())
    assert _shown(page) == f"显示 {returned} / 10000 份"
    assert all("退回" in t for t in page.locator("tbody tr").all_inner_texts())
    page.locator("#next").click()
    assert page.locator("#page").inner_text() == f"第 2 / {-(-returned // 100)} 页"

    page.locator("#status").select_option("未生成")
    assert _shown(page) == f"显示 {failed} / 10000 份"
    rows = page.locator("tbody tr").all_inner_texts()
    assert all("未读出" not in r and "✗ 未生成" in r and "应填阿拉伯数字" in r for r in rows)
    page.locator("#status").select_option("有提示")
    assert _shown(page) == f"显示 {sum(bool(o.flags) for o in outcomes)} / 10000 份"


def test_values_never_run_as_code(page, tmp_path: Path) -> None:
    from kit.build.execute import Outcome
    from kit.review.index import write_index

    hostile = "</script><script>window.PWNED=1</script><img src=x onerror=\"window.PWNED=2\">"
    o = Outcome(file=tmp_path / "x.yaml", name=hostile, role="镇长", unit="东山镇", ok=False,
                reason=hostile, year=2024)
    index = write_index(tmp_path / "review" / "index.html", 2024, [o], [])
    page.goto(index.as_uri())
    assert page.evaluate("window.PWNED === undefined")
    assert hostile in page.locator("tbody tr").first.inner_text()
