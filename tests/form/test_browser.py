"""The form in a real browser: JupyterLab and ``kit form`` (Voilà), headless Chromium.

Screenshots go to the test's temp folder; set KIT_FORM_SCREENSHOTS=<folder> to keep
them (docs/form.png is made this way).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from kit.params import load
from tests.form import servers

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not servers.CHROMIUM.exists(), reason="needs Debian's chromium"),
]

TIMEOUT = 120_000  # ms: first kernel start on a busy 2-core machine can be slow


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(servers.CHROMIUM), args=servers.CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


def _page(browser, tmp_path: Path):
    context = browser.new_context(viewport={"width": 1500, "height": 1100}, locale="zh-CN",
                                  accept_downloads=True)
    context.set_default_timeout(TIMEOUT)
    return context.new_page()


def _keep(shot: Path) -> None:
    folder = os.environ.get("KIT_FORM_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(folder) / shot.name)


def _field(page, label: str):
    """The input whose label is ``label`` (＊ is part of a required field's label)."""
    return page.get_by_label(label, exact=True)


def _button(page, text: str):
    """A visible button by its exact text (its icon is not part of the text)."""
    return page.locator("button:visible", has_text=re.compile(rf"^\s*{re.escape(text)}\s*$"))


def _wait_for_form(page) -> None:
    page.locator(".kit-title").wait_for(state="visible", timeout=TIMEOUT)
    page.locator(".kit-preview .kit-doc-title").wait_for(timeout=TIMEOUT)


def test_jupyterlab_fill_save_and_refuse_a_bad_value(browser, tmp_path):
    root = servers.make_root(tmp_path)
    params = root / "params"
    before = sorted(p.name for p in params.iterdir())
    with servers.jupyterlab(root, tmp_path) as url:
        page = _page(browser, tmp_path)
        page.goto(url)
        page.locator(".jp-Notebook .jp-CodeCell").first.wait_for(timeout=TIMEOUT)
        page.get_by_text("| Idle").wait_for(timeout=TIMEOUT)  # status bar: kernel ready
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        _wait_for_form(page)

        _field(page, "姓名＊").fill("张晓燕")
        _field(page, "单位＊").fill("西山镇")
        _field(page, "所属县（区）＊").fill("云溪县")
        _field(page, "省份＊").fill("甘肃")
        _field(page, "年度＊").fill("2023")
        _field(page, "主持召开党建工作专题会议＊").fill("9")
        _field(page, "为村级党员带头讲党课＊").fill("4")
        _field(page, "与乡村干部谈心谈话＊").fill("120")
        _field(page, "党建工作覆盖率＊").fill("98.5")
        _field(page, "回炉淬火的党员＊").fill("60")
        # A bad value: longer than the template allows (最长 10).
        _field(page, "包抓的村＊").fill("柳树湾柳树湾柳树湾柳树湾")
        page.get_by_text("太长了（12 个字）").wait_for()
        _button(page, "保存").click()
        page.get_by_text("没有保存。请先改正以下各项：").wait_for()
        shot = tmp_path / "form-error.png"
        _field(page, "党建工作覆盖率＊").scroll_into_view_if_needed()
        page.screenshot(path=str(shot))
        _keep(shot)
        assert sorted(p.name for p in params.iterdir()) == before

        _field(page, "包抓的村＊").fill("柳树")
        page.locator(".kit-preview").get_by_text("包抓柳树村", exact=False).wait_for()
        _button(page, "保存").click()
        page.get_by_text("已保存：params/西山镇-镇党建办主任-张晓燕.yaml").wait_for()
        shot = tmp_path / "form-jupyterlab.png"
        page.screenshot(path=str(shot))
        _keep(shot)

    official = load(params / "西山镇-镇党建办主任-张晓燕.yaml", templates=root / "templates")
    assert official.values["包抓村"] == "柳树" and official.values["谈心谈话"] == 120
    assert str(official.values["党建覆盖率"]) == "98.5" and official.values["年度"] == 2023


def test_kit_form_edits_a_file_and_offers_the_word_file(browser, tmp_path):
    root = servers.make_root(tmp_path)
    path = root / "params" / "东山镇-党建办主任-李明华.yaml"
    original = path.read_bytes()
    with servers.kit_form(root, tmp_path) as url:
        page = _page(browser, tmp_path)
        page.goto(url)
        _wait_for_form(page)
        assert page.locator(".jp-InputArea, .jp-CodeMirrorEditor").count() == 0  # code hidden

        page.get_by_label("已有参数文件").select_option(label=path.name)
        _button(page, "打开").click()
        page.get_by_text(f"已打开 params/{path.name}").wait_for()
        meetings = _field(page, "主持召开党建工作专题会议＊")
        assert meetings.input_value() == "12"
        meetings.fill("14")
        page.locator(".kit-preview").get_by_text("主持召开党建工作专题会议14次",
                                                 exact=False).wait_for()
        _button(page, "保存").click()
        page.get_by_text(f"已保存：params/{path.name}").wait_for()
        assert "专题会议: 14" in path.read_text(encoding="utf-8")
        assert path.with_name(path.name + ".bak").read_bytes() == original

        _button(page, "生成 Word").click()
        link = page.locator("a.kit-download")
        link.wait_for()
        with page.expect_download() as info:
            link.click()
        saved = tmp_path / info.value.suggested_filename
        info.value.save_as(saved)
        assert saved.name == "2023年度述职报告-东山镇-镇党建办主任-李明华.docx"
        from docx import Document

        assert "主持召开党建工作专题会议14次" in "".join(p.text for p in Document(saved).paragraphs)
        shot = tmp_path / "form.png"
        height = page.evaluate("document.querySelector('.kit-form').scrollHeight")
        page.set_viewport_size({"width": 1500, "height": int(height) + 120})
        page.locator(".kit-title").scroll_into_view_if_needed()
        page.screenshot(path=str(shot), full_page=True)
        _keep(shot)
