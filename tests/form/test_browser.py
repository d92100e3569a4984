"""The form in a real browser, driven the way a person types: ``kit form`` (Voilà) and
``kit lab`` (JupyterLab), headless Debian Chromium, key by key (``keyboard.type``).

Every request the page makes to anything but 127.0.0.1 is blocked and recorded; each test
asserts there was none.  Screenshots go to the test's temp folder; set
KIT_FORM_SCREENSHOTS=<folder> to keep them (docs/form.png and docs/form-error.png are
made this way, at 1366 px).
"""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest

from kit.iorw import backups_of
from kit.report.params import load
from tests.form import servers

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not servers.CHROMIUM.exists(), reason="needs Debian's chromium"),
]

TIMEOUT = 120_000  # ms: a kernel start on a busy 2-core machine can be slow
WANG = "东山镇-镇委书记-王建国.yaml"  # 镇委书记
LI = "东山镇-镇党建办主任-李明华.yaml"  # 镇党建办主任
LONG = "驻村工作队长"  # tests/form/long_labels.md: long labels, a 日期 field


@pytest.fixture(scope="module")
def form_server(tmp_path_factory):
    """One ``kit form`` for this module's tests, on a project folder of its own."""
    tmp = tmp_path_factory.mktemp("kit-form")
    root = servers.make_root(tmp)
    shutil.copy(Path(__file__).with_name("long_labels.md"), root / "templates" / f"{LONG}.md")
    with servers.kit("form", root, tmp) as server:
        server.root = root
        yield server


class Offsite:
    """Requests to anything but 127.0.0.1, aborted: a CDN would fail offline."""

    def __init__(self, context) -> None:
        self.urls: list[str] = []
        context.route("**/*", self._route)

    def _route(self, route) -> None:
        host = urlparse(route.request.url).hostname
        if route.request.url.startswith(("data:", "blob:")) or host == "127.0.0.1":
            route.continue_()
        else:
            self.urls.append(route.request.url)
            route.abort()


def _page(browser, width: int = 1366, height: int = 900):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN",
                                  accept_downloads=True)
    context.set_default_timeout(TIMEOUT)
    offsite = Offsite(context)
    page = context.new_page()
    page.offsite = offsite
    return page


def _close(page) -> None:
    """Close the tab as a person does: its beforeunload runs (Voilà's kernel shutdown is
    sent from there).  The browser itself stays, as it does for a person."""
    with page.expect_event("close"):
        page.close(run_before_unload=True)


def _keep(page, name: str, tmp_path: Path, **kw) -> None:
    shot = tmp_path / name
    page.screenshot(path=str(shot), **kw)
    folder = os.environ.get("KIT_FORM_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(folder) / name)


def _field(page, label: str):
    """The input whose label is ``label`` (＊ is part of a required field's label)."""
    return page.get_by_label(label, exact=True)


def _msg(page, label: str):
    """The message shown beside the input labelled ``label``, once it is about what the box
    holds now (not about a value typed before the last key reached the kernel)."""
    row = page.locator(".kit-row").filter(has=_field(page, label))
    typed = _field(page, label).input_value()
    return row.locator(f".kit-msg[data-value='{typed}']")


def _type(page, label: str, text: str) -> None:
    """Click the box, select what is in it, type ``text`` key by key (as a person does)."""
    _field(page, label).click()
    page.keyboard.press("Control+A")
    if text:
        page.keyboard.type(text, delay=20)
    else:
        page.keyboard.press("Backspace")


def _button(page, text: str):
    return page.locator("button:visible", has_text=re.compile(rf"^\s*{re.escape(text)}\s*$"))


def _wait_for_form(page) -> None:
    page.locator(".kit-title").wait_for(state="visible", timeout=TIMEOUT)
    page.locator(".kit-preview .kit-report").wait_for(timeout=TIMEOUT)


def _open(page, name: str) -> None:
    page.get_by_label("已有参数文件").select_option(label=name)
    _button(page, "打开").click()
    page.get_by_text(f"已打开 params/{name}").wait_for()


def _eventually(check, timeout: float = 90) -> bool:
    """Wait (not a timing assertion) until ``check()`` holds; False if it never did."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.5)
    return check()


def _expect():
    from playwright.sync_api import expect

    return expect


def _in_view(page, locator) -> bool:
    """The whole of ``locator`` is inside the window (not below the fold, not cut off)."""
    box, size = locator.bounding_box(), page.viewport_size
    return (box is not None and box["x"] >= 0 and box["x"] + box["width"] <= size["width"]
            and box["y"] >= 0 and box["y"] + box["height"] <= size["height"])


def _not_cut(locator) -> bool:
    """Nothing of the element's own content is hidden by its size."""
    return locator.evaluate("e => e.scrollWidth <= e.clientWidth && e.scrollHeight <= e.clientHeight")


# ---------------------------------------------------------------- kit form

def test_kit_form_prints_one_chinese_line_and_serves_the_kits_page(browser, form_server):
    lines = [line for line in form_server.printed() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("表单已启动") and form_server.url in lines[0]
    page = _page(browser)
    page.goto(form_server.url)
    _wait_for_form(page)
    assert page.title() == "述职报告填写"
    assert page.locator(".jp-InputArea, .jp-CodeMirrorEditor").count() == 0  # code hidden
    assert page.offsite.urls == []
    _close(page)
    assert [line for line in form_server.printed() if line.strip()] == lines  # nothing English


def test_typed_numbers_are_kept_and_marked_as_the_batch_would(browser, form_server, tmp_path):
    expect = _expect()
    params = form_server.root / "params"
    page = _page(browser)
    page.goto(form_server.url)
    _wait_for_form(page)
    for label, text in [("姓名＊", "张晓燕"), ("单位＊", "西山镇"), ("所属县（区）＊", "云溪县"),
                        ("省份＊", "甘肃"), ("与乡村干部谈心谈话＊", "１２０"), ("包抓的村＊", "柳树")]:
        _type(page, label, text)

    _type(page, "年度＊", "2023")  # was: 2 → 2000 … a clamping box showed 2100
    expect(_field(page, "年度＊")).to_have_value("2023")
    expect(_msg(page, "年度＊")).to_have_text("✓")
    expect(page.locator(".kit-preview")).to_contain_text("2023年度述职报告")
    page.keyboard.press("Backspace")
    expect(_field(page, "年度＊")).to_have_value("202")
    expect(_msg(page, "年度＊")).to_contain_text("不能小于 2000")
    page.keyboard.type("3")
    expect(_msg(page, "年度＊")).to_have_text("✓")

    _type(page, "党建工作覆盖率＊", "120")
    expect(_field(page, "党建工作覆盖率＊")).to_have_value("120")
    expect(_msg(page, "党建工作覆盖率＊")).to_contain_text("不能大于 100")
    _type(page, "为村级党员带头讲党课＊", "五")
    expect(_field(page, "为村级党员带头讲党课＊")).to_have_value("五")
    expect(_msg(page, "为村级党员带头讲党课＊")).to_contain_text("请用阿拉伯数字，您是否想写「5」？")
    _type(page, "主持召开党建工作专题会议＊", "0")  # 0 is a value, not 「必填」
    expect(_msg(page, "主持召开党建工作专题会议＊")).to_have_text("✓")
    expect(page.locator(".kit-preview")).to_contain_text("主持召开党建工作专题会议0次")
    _type(page, "回炉淬火的党员＊", "60")
    _type(page, "主持召开党建工作专题会议＊", "12次")  # as in a parameter file: the unit is 次
    expect(_msg(page, "主持召开党建工作专题会议＊")).to_have_text("✓")

    before = sorted(params.iterdir())
    _button(page, "保存").click()
    status = page.locator(".kit-status")
    expect(status).to_contain_text("没有保存。请先改正以下各项：")
    expect(status).to_contain_text("「党建工作覆盖率」：不能大于 100")
    expect(status).to_contain_text("「为村级党员带头讲党课」：应填阿拉伯数字")
    _field(page, "党建工作覆盖率＊").scroll_into_view_if_needed()
    _keep(page, "form-error.png", tmp_path)
    _button(page, "生成 Word").click()
    expect(status).to_contain_text("还不能生成 Word")
    assert sorted(params.iterdir()) == before
    expect(_field(page, "党建工作覆盖率＊")).to_have_value("120")  # still what was typed

    _type(page, "党建工作覆盖率＊", "98.5")
    _type(page, "为村级党员带头讲党课＊", "5")
    expect(_msg(page, "为村级党员带头讲党课＊")).to_have_text("✓")
    _button(page, "保存").click()
    expect(status).to_contain_text("已保存：params/西山镇-镇党建办主任-张晓燕.yaml")
    official = load(params / "西山镇-镇党建办主任-张晓燕.yaml",
                    templates=form_server.root / "templates")
    assert official.values["年度"] == 2023 and official.values["专题会议"] == 12
    assert official.values["讲党课"] == 5 and official.values["回炉党员"] == 60
    assert official.values["谈心谈话"] == 120 and str(official.values["党建覆盖率"]) == "98.5"
    assert page.offsite.urls == []
    _close(page)


def test_switching_role_after_opening_asks_before_overwriting(browser, form_server, tmp_path):
    expect = _expect()
    path = form_server.root / "params" / WANG
    original = path.read_bytes()
    page = _page(browser)
    page.goto(form_server.url)
    _wait_for_form(page)
    _open(page, WANG)
    expect(page.locator(".kit-preview")).to_contain_text("2023年度述职报告（镇委书记）")
    expect(_field(page, "姓名＊")).to_have_value("王建国")
    page.get_by_label("角色", exact=True).select_option("镇党建办主任")
    expect(_field(page, "姓名＊")).to_have_value("王建国")  # identity kept
    for label, text in [("主持召开党建工作专题会议＊", "3"), ("为村级党员带头讲党课＊", "2"),
                        ("与乡村干部谈心谈话＊", "40"), ("党建工作覆盖率＊", "90"),
                        ("包抓的村＊", "杨家湾"), ("回炉淬火的党员＊", "10")]:
        _type(page, label, text)
    expect(_msg(page, "回炉淬火的党员＊")).to_have_text("✓")

    _button(page, "保存").click()
    question = page.locator(".kit-question")
    expect(question).to_contain_text("东山镇 王建国")
    expect(question).to_contain_text("角色：镇委书记 → 镇党建办主任")
    assert path.read_bytes() == original
    _button(page, "取消").click()
    expect(question).to_be_hidden()
    assert path.read_bytes() == original

    _button(page, "保存").click()
    _button(page, "覆盖保存").click()
    expect(page.locator(".kit-status")).to_contain_text(f"已保存：params/{WANG}")
    assert "角色: 镇党建办主任" in path.read_text(encoding="utf-8")
    assert [b.read_bytes() for b in backups_of(path)] == [original]
    assert page.offsite.urls == []
    _close(page)


def test_a_second_file_for_an_official_is_refused_and_the_first_offered(browser, form_server):
    expect = _expect()
    params = form_server.root / "params"
    before = sorted(params.iterdir())
    page = _page(browser)
    page.goto(form_server.url)
    _wait_for_form(page)
    for label, text in [("姓名＊", "李明华"), ("单位＊", "东山镇"), ("所属县（区）＊", "云溪县"),
                        ("省份＊", "甘肃"), ("年度＊", "2023"),
                        ("主持召开党建工作专题会议＊", "1"), ("为村级党员带头讲党课＊", "1"),
                        ("与乡村干部谈心谈话＊", "1"), ("党建工作覆盖率＊", "1"),
                        ("包抓的村＊", "石门"), ("回炉淬火的党员＊", "1")]:
        _type(page, label, text)
    expect(_msg(page, "回炉淬火的党员＊")).to_have_text("✓")
    _button(page, "保存").click()
    expect(page.locator(".kit-status")).to_contain_text(f"已经有参数文件 params/{LI}")
    assert sorted(params.iterdir()) == before
    _button(page, f"打开 {LI}").click()
    page.get_by_text(f"已打开 params/{LI}").wait_for()
    expect(_field(page, "主持召开党建工作专题会议＊")).to_have_value("12")
    assert page.offsite.urls == []
    _close(page)


@pytest.mark.parametrize("width", [1366, 1920])
def test_preview_and_save_bar_stay_in_view(browser, form_server, tmp_path, width):
    sample = form_server.root / "params" / "镇委书记样例.yaml"  # another test edits WANG
    shutil.copy(servers.REPO / "params" / WANG, sample)
    page = _page(browser, width=width, height=800)
    page.goto(form_server.url)
    _wait_for_form(page)
    _open(page, LI)
    for label in ("姓名＊", "年度＊", "主持召开党建工作专题会议＊", "党建工作覆盖率＊", "包抓的村＊"):
        box = _field(page, label).bounding_box()
        unit_or_msg = page.locator(".kit-row").filter(has=_field(page, label))
        msg = unit_or_msg.locator(".kit-msg").bounding_box()
        assert abs(msg["y"] - box["y"]) < box["height"], (label, box, msg)  # on the box's line
    # The preview follows the part being edited (kit form's page script).
    _open(page, sample.name)
    heading = page.locator(".kit-preview h3", has_text="强化理想信念，不断提高廉洁自律意识")
    first = page.locator(".kit-preview h1")

    def in_preview(item) -> bool:
        box, pane = item.bounding_box(), page.locator(".kit-preview").bounding_box()
        return pane["y"] <= box["y"] <= pane["y"] + pane["height"] - box["height"]

    assert in_preview(first) and not in_preview(heading)
    _field(page, "领导视察讲话的地方＊").click()
    assert _eventually(lambda: in_preview(heading))
    _field(page, "姓名＊").click()  # 基本信息: back to the title
    assert _eventually(lambda: in_preview(first))
    _field(page, "实施造林绿化工程的村＊").scroll_into_view_if_needed()
    page.mouse.wheel(0, 5000)
    assert _eventually(lambda: page.locator(".kit-title").bounding_box()["y"] < -200)  # scrolled
    preview = page.locator(".kit-right").bounding_box()
    bar = _button(page, "保存").bounding_box()
    assert 0 <= preview["y"] < 100 and preview["height"] > 300  # still in view
    assert bar["y"] >= 0 and bar["y"] + bar["height"] <= 800
    _keep(page, f"form-{width}.png", tmp_path)
    _close(page)


def test_one_kernel_per_page_and_none_left_after_closing(browser, form_server):
    log = form_server.err
    assert _eventually(lambda: not form_server.kernels()), log.read_text()  # others' pages closed
    # Twice: a page left behind by the first round would show on the second (each round
    # starts two kernels, the slowest thing here).
    for _ in range(2):
        page = _page(browser)
        page.goto(form_server.url)
        _wait_for_form(page)
        assert _eventually(lambda: len(form_server.kernels()) == 1), log.read_text()
        page.reload()
        _wait_for_form(page)
        assert _eventually(lambda: len(form_server.kernels()) == 1), log.read_text()
        _close(page)
    assert _eventually(lambda: not form_server.kernels()), log.read_text()


def test_form_screenshot_for_the_docs(browser, form_server, tmp_path):
    page = _page(browser, height=900)
    page.goto(form_server.url)
    _wait_for_form(page)
    _open(page, LI)
    _type(page, "主持召开党建工作专题会议＊", "14")
    _expect()(page.locator(".kit-preview")).to_contain_text("主持召开党建工作专题会议14次")
    page.locator(".kit-title").scroll_into_view_if_needed()
    _keep(page, "form.png", tmp_path)
    _close(page)


# ---------------------------------------------------------------- kit lab

def test_kit_lab_is_chinese_and_runs_the_form_from_the_toolbar(browser, tmp_path):
    expect = _expect()
    root = servers.make_root(tmp_path)
    with servers.kit_lab(root, tmp_path) as server:
        lines = [line for line in server.printed() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("JupyterLab（表单笔记本）已启动")
        page = _page(browser, width=1366, height=900)
        page.goto(server.url)
        page.locator(".jp-Notebook .jp-CodeCell").first.wait_for(timeout=TIMEOUT)
        expect(page.get_by_role("menuitem", name="运行", exact=True)).to_be_visible()
        expect(page.get_by_role("menuitem", name="文件", exact=True)).to_be_visible()
        page.get_by_text("内核状态：空闲").first.wait_for(state="attached")  # kernel ready
        page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for()
        page.locator("jp-button[data-command='notebook:restart-run-all'], "
                     "button[data-command='notebook:restart-run-all']").first.click()
        _wait_for_form(page)
        assert page.locator(".jp-Dialog").count() == 0  # no 「Restart Kernel?」
        if not page.locator(".jp-FileBrowser").is_visible():
            page.keyboard.press("Control+Shift+F")  # the file browser open, as users have it
        expect(page.locator(".jp-FileBrowser")).to_be_visible()

        _type(page, "年度＊", "2023")
        expect(_field(page, "年度＊")).to_have_value("2023")
        expect(_msg(page, "年度＊")).to_have_text("✓")
        expect(page.locator(".kit-preview")).to_contain_text("2023年度述职报告")
        _type(page, "党建工作覆盖率＊", "120")
        expect(_msg(page, "党建工作覆盖率＊")).to_contain_text("不能大于 100")
        _keep(page, "form-jupyterlab.png", tmp_path)
        # Nothing left in English that the language pack does not translate (issue 22).
        expect(page.locator(".jp-StatusBar-Widget", has_text=re.compile(r"Cell \d"))).to_have_count(0)
        expect(page.locator("[title*='Voil'], [data-command*='voila']")).to_have_count(0)
        tips = page.evaluate("() => [...document.querySelectorAll('[title]')]"
                             ".filter(e => e.checkVisibility({visibilityProperty: true}))"
                             ".map(e => e.title)")
        known = re.compile(r"\S+\.ipynb|\S*/\S*|Python 3 \(ipykernel\)|Ctrl|Shift|Enter|Up|Down"
                           r"|None|true|notebooks|params|docx")
        english = [t for t in tips if re.search(r"[A-Za-z]{3,}", known.sub("", t))]
        assert english == [], english  # tooltips: 「Delete the cell」, 「Render with Voilà」 …
        assert (root / "notebooks" / "form.ipynb").read_bytes() == \
            (servers.REPO / "notebooks" / "form.ipynb").read_bytes()  # run, not rewritten
        for width, height in ((1366, 900), (1920, 1080)):  # the file browser still open
            page.set_viewport_size({"width": width, "height": height})
            for label in ("年度＊", "党建工作覆盖率＊", "主持召开党建工作专题会议＊", "包抓的村＊"):
                field = _field(page, label)
                field.scroll_into_view_if_needed()
                box = field.bounding_box()
                row = page.locator(".kit-row").filter(has=field)
                msg = row.locator(".kit-msg").bounding_box()
                if label != "年度＊":  # 年度 has no unit
                    unit = row.locator(".kit-unit").bounding_box()
                    assert abs(unit["y"] - box["y"]) < box["height"], (width, label)  # beside
                assert abs(msg["y"] - box["y"]) < box["height"], (width, label)  # beside too
        assert page.offsite.urls == []
        _close(page)


# ---------------------------------------------------------------- issue 22

def test_the_answer_to_save_shows_where_the_clerk_looks(browser, form_server, tmp_path):
    """保存 at the bottom of a long form: the answer shows in the bar beside the buttons,
    the page goes to the first box in error and the cursor is in it; the overwrite question
    and its buttons are whole and in view; so is 「已生成 Word」 with its link."""
    expect = _expect()
    page = _page(browser)  # 1366 × 900, as the clerk had it
    page.goto(form_server.url)
    _wait_for_form(page)
    for label, text in [("姓名＊", "周晓梅"), ("单位＊", "南川镇"), ("所属县（区）＊", "云溪县"),
                        ("省份＊", "甘肃"), ("年度＊", "2023"), ("主持召开党建工作专题会议＊", "3"),
                        ("为村级党员带头讲党课＊", "五"), ("党建工作覆盖率＊", "90")]:
        _type(page, label, text)
    expect(_msg(page, "党建工作覆盖率＊")).to_have_text("✓")
    page.mouse.wheel(0, 5000)  # at the bottom of the form, where the clerk finished
    _button(page, "保存").click()
    status = page.locator(".kit-status")
    expect(status).to_contain_text("没有保存。请先改正以下各项：")
    expect(status).to_contain_text("「为村级党员带头讲党课」：应填阿拉伯数字")
    assert _in_view(page, status)
    wrong = _field(page, "为村级党员带头讲党课＊")  # the first box in error, in page order
    expect(wrong).to_be_focused()
    assert _eventually(lambda: _in_view(page, wrong), timeout=10)
    _keep(page, "form-22-refused.png", tmp_path)
    page.keyboard.press("Control+A")  # the cursor is there: the clerk just types
    page.keyboard.type("5", delay=20)
    expect(_msg(page, "为村级党员带头讲党课＊")).to_have_text("✓")
    for label, text in [("与乡村干部谈心谈话＊", "30"), ("包抓的村＊", "青石"), ("回炉淬火的党员＊", "8")]:
        _type(page, label, text)
    expect(_msg(page, "回炉淬火的党员＊")).to_have_text("✓")
    page.locator(".kit-title").scroll_into_view_if_needed()  # saved from the top this time
    _button(page, "保存").click()
    expect(status).to_contain_text("已保存：params/南川镇-镇党建办主任-周晓梅.yaml")
    assert _in_view(page, status)

    _type(page, "姓名＊", "周晓")  # same file, another name: the overwrite question
    expect(_msg(page, "姓名＊")).to_have_text("✓")
    _button(page, "保存").click()
    question = page.locator(".kit-question")
    expect(question).to_contain_text("姓名：周晓梅 → 周晓")
    yes, no = _button(page, "覆盖保存"), _button(page, "取消")
    for item in (question, yes, no):
        assert _in_view(page, item) and _not_cut(item), item
    _keep(page, "form-22-question.png", tmp_path)
    no.click()
    expect(question).to_be_hidden()

    page.mouse.wheel(0, 5000)
    _button(page, "生成 Word").click()
    expect(status).to_contain_text("已生成 Word：build/")
    link = page.locator(".kit-download")
    expect(link).to_contain_text("下载")
    assert _in_view(page, status) and _in_view(page, link)
    _keep(page, "form-22-word.png", tmp_path)
    assert page.offsite.urls == []
    _close(page)  # unsaved (周晓): the page script shuts the kernel down all the same


@pytest.mark.parametrize("width", [1024, 1366, 1920])
def test_no_label_is_cut_off(browser, form_server, tmp_path, width):
    """Every label whole at every width from 1024 px: the long ones wrap, the ＊ of a required
    one stays beside its last character."""
    page = _page(browser, width=width, height=900)
    page.goto(form_server.url)
    _wait_for_form(page)
    page.get_by_label("角色", exact=True).select_option(LONG)
    _field(page, "东城供水管网改造工程竣工投用日期＊").wait_for()
    labels = page.locator(".kit-form .widget-label:visible")
    assert labels.count() > 10
    for i in range(labels.count()):
        label = labels.nth(i)
        label.evaluate("e => e.scrollIntoView({block: 'center'})")  # not under the fixed bar
        text = label.inner_text().replace("\n", "")
        assert _not_cut(label), (width, text)
        # the first and the last character are shown, inside the label and not under anything
        ends = label.evaluate("""e => {
            const walker = document.createTreeWalker(e, NodeFilter.SHOW_TEXT);
            const texts = []; while (walker.nextNode()) if (walker.currentNode.data.trim()) texts.push(walker.currentNode);
            if (!texts.length) return [];
            const spots = [];
            for (const [node, at] of [[texts[0], 0], [texts[texts.length - 1], texts[texts.length - 1].data.length - 1]]) {
              const range = document.createRange(); range.setStart(node, at); range.setEnd(node, at + 1);
              const r = range.getBoundingClientRect();
              const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
              spots.push(r.width > 0 && hit !== null && e.contains(hit));
            }
            return spots; }""")
        assert ends and all(ends), (width, text, ends)
    star = _field(page, "党员干部人均撰写学习心得体会＊")
    row = page.locator(".kit-row").filter(has=star)
    last, req = row.locator(".kit-nowrap").bounding_box(), row.locator(".kit-req").bounding_box()
    assert abs(last["y"] - req["y"]) < 4  # ＊ on the line of 「会」
    _keep(page, f"form-22-labels-{width}.png", tmp_path)
    _close(page)


def test_leaving_with_unsaved_edits_asks_first(browser, form_server):
    """Reloading (or closing) the page asks first — the browser's leave-page question —
    while something typed is not saved; staying keeps the form working; nothing is asked
    when all is saved.  (Headless Chromium shows the question for a reload, not for a
    tab closed by Playwright: the reload is what is tested.)"""
    expect = _expect()
    page = _page(browser)
    asked: list[str] = []

    def answer(dialog) -> None:
        asked.append(dialog.type)
        dialog.dismiss()  # 「取消」: stay on the page

    page.on("dialog", answer)
    page.goto(form_server.url)
    _wait_for_form(page)
    _field(page, "姓名＊").click()  # the browser asks only on a page the user touched
    page.reload()  # nothing typed: reloads without a question
    _wait_for_form(page)
    assert asked == []

    _open(page, LI)
    _type(page, "包抓的村＊", "石门口")
    expect(_msg(page, "包抓的村＊")).to_have_text("✓")
    expect(page.locator(".kit-form.kit-unsaved")).to_have_count(1)
    with page.expect_event("dialog"):
        page.evaluate("() => { location.reload(); }")
    assert asked == ["beforeunload"]
    _type(page, "包抓的村＊", "石门")  # stayed: the form still works (its kernel is kept)
    expect(_msg(page, "包抓的村＊")).to_have_text("✓")
    expect(page.locator(".kit-form.kit-unsaved")).to_have_count(0)  # as the file has it
    _type(page, "为村级党员带头讲党课＊", "７")
    expect(_msg(page, "为村级党员带头讲党课＊")).to_have_text("✓")
    expect(page.locator(".kit-form.kit-unsaved")).to_have_count(1)
    with page.expect_event("dialog"):
        page.evaluate("() => { location.reload(); }")
    assert asked == ["beforeunload"] * 2
    _button(page, "保存").click()
    expect(page.locator(".kit-status")).to_contain_text(f"已保存：params/{LI}")
    expect(page.locator(".kit-form.kit-unsaved")).to_have_count(0)
    page.reload()  # saved: no question
    _wait_for_form(page)
    assert asked == ["beforeunload"] * 2
    _close(page)
    # Every kernel shut down, also those of pages closed while unsaved (test above): the
    # page script sends Voilà's shutdown itself when it held Voilà's back.
    assert _eventually(lambda: not form_server.kernels()), form_server.err.read_text()


def test_a_date_written_with_a_point_is_asked_about(browser, form_server):
    expect = _expect()
    page = _page(browser)
    page.goto(form_server.url)
    _wait_for_form(page)
    page.get_by_label("角色", exact=True).select_option(LONG)
    label = "东城供水管网改造工程竣工投用日期＊"
    _type(page, label, "3.8")
    expect(_msg(page, label)).to_contain_text("您是否想写「3月8日」？")
    expect(page.locator(".kit-preview")).not_to_contain_text("3月8日")
    _type(page, label, "3月8日")
    expect(_msg(page, label)).to_have_text("✓")
    expect(page.locator(".kit-preview")).to_contain_text("于3月8日竣工投用")
    _close(page)


def test_the_second_of_two_pages_saving_one_file_is_refused_and_keeps_its_values(
        browser, form_server, tmp_path):
    """Two pages (two kernels) open one file; the first saves.  The second's save is
    refused with who saved it and when, what it typed stays in its boxes, and 「重新打开」
    shows the first's version.  No 「覆盖」 is offered (kit form and the hub alike)."""
    expect = _expect()
    path = form_server.root / "params" / LI
    talks = "与乡村干部谈心谈话＊"
    pages = [_page(browser) for _ in range(2)]
    for page in pages:
        page.goto(form_server.url)
        _wait_for_form(page)
        _open(page, LI)
    first, second = pages
    _type(first, talks, "151")
    expect(_msg(first, talks)).to_have_text("✓")
    _button(first, "保存").click()
    expect(first.locator(".kit-status")).to_contain_text(f"已保存：params/{LI}")
    _type(second, talks, "152")
    expect(_msg(second, talks)).to_have_text("✓")
    _button(second, "保存").click()
    status = second.locator(".kit-status")
    expect(status).to_contain_text("保存过这份文件，您打开之后它已经变了。为免覆盖对方的修改，这次没有保存。")
    expect(status).to_contain_text("您填写的内容还在表单里；请记下您的修改，点「重新打开」看对方的版本再改。")
    expect(_button(second, "覆盖保存")).to_have_count(0)
    expect(_field(second, talks)).to_have_value("152")
    assert load(path, templates=form_server.root / "templates").values["谈心谈话"] == 151
    _keep(second, "form-conflict.png", tmp_path)
    _button(second, "重新打开").click()
    expect(_field(second, talks)).to_have_value("151")
    for page in pages:
        assert page.offsite.urls == []
        _close(page)
