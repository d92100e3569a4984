"""The form object driven as a user would: set widget values, press buttons."""

from __future__ import annotations

import re
from pathlib import Path

import ipywidgets as w
import pytest
from docx import Document

from kit.iorw import backups_of
from kit.report.fields import IDENTITY, FieldValueError
from kit.report.params import load
from kit.report.templates import load_roles
from kit.word import shown_paragraphs
from tests.form.conftest import CLERK, fill, preview_paragraphs

WIDGET_CLASSES = {"int": w.Text, "float": w.Text, "text": w.Text,
                  "textarea": w.Textarea, "choice": w.Dropdown}


@pytest.mark.parametrize("role", ["镇党建办主任", "镇委书记"])
def test_form_is_built_from_the_field_definitions(folders, role):
    from kit.form.widgets import ReportForm

    form = ReportForm(folders, role=role, debounce=0)
    template = load_roles(folders.templates)[role]
    assert list(form.inputs) == [f.key for f in IDENTITY] + list(template.fields)
    for key, f in template.all_fields.items():
        inp = form.inputs[key]
        assert isinstance(inp.input, WIDGET_CLASSES[f.type.widget]), key
        assert re.sub("<[^>]*>", "", inp.input.description).startswith(f.label)
        assert ("＊" in inp.input.description) == f.required
        assert f.unit in inp.message.value
        if f.help:
            assert f.help in inp.help.value
        assert not isinstance(inp.input, w.BoundedIntText | w.BoundedFloatText | w.IntText
                              | w.FloatText)  # no widget clamps or coerces what was typed
    # grouped by the report's sections, identity first
    titles = [box.children[0].value for box in form.sections.children]
    assert "基本信息" in titles[0]
    assert all(any(s in t for t in titles) for s in template.sections())


@pytest.mark.parametrize(("key", "typed", "says"), [
    ("党建覆盖率", "120", "不能大于 100"),
    ("讲党课", "五", "请用阿拉伯数字，您是否想写「5」？"),
    ("年度", "2", "不能小于 2000"),
])
def test_a_wrong_number_stays_as_typed_and_blocks_saving(form, folders, key, typed, says):
    fill(form, CLERK | {key: typed})
    assert form.inputs[key].input.value == typed
    assert says in form.inputs[key].message.value
    assert "kit-msg-error" in form.inputs[key].message.value
    before = sorted(folders.params.iterdir())
    form.save_button.click()
    form.word_button.click()
    assert sorted(folders.params.iterdir()) == before and not folders.out.exists()
    assert form.inputs[key].input.value == typed


def test_messages_come_from_field_parse_as_the_user_types(form):
    field = form.template.fields["包抓村"]
    too_long = "柳树湾" * 4
    with pytest.raises(FieldValueError) as err:
        field.parse(too_long)
    assert err.value.kind == "too_long" and err.value.message == "太长了（12 个字）"
    form.inputs["包抓村"].input.value = too_long
    message = form.inputs["包抓村"].message.value
    assert err.value.message in message and "kit-msg-error" in message
    form.inputs["包抓村"].input.value = "柳树"
    assert "✓" in form.inputs["包抓村"].message.value


def test_an_empty_number_box_is_missing_and_0_is_a_value(form):
    fill(form, {k: v for k, v in CLERK.items() if k != "讲党课"})
    chk = form.check()
    assert chk.missing == {"讲党课"}
    assert "必填" in form.inputs["讲党课"].message.value
    form.inputs["讲党课"].input.value = "0"
    assert form.check().ok and form.check().values["讲党课"] == 0
    assert "✓" in form.inputs["讲党课"].message.value


def test_preview_follows_the_values(form):
    fill(form, CLERK)
    assert "主持召开党建工作专题会议9次" in form.preview.value
    assert "西山镇党建办主任　张晓燕" in form.preview.value
    form.inputs["专题会议"].input.value = "11"
    assert "主持召开党建工作专题会议11次" in form.preview.value


def test_save_writes_a_parameter_file_the_batch_reads(form, folders):
    fill(form, CLERK)
    form.save_button.click()
    path = folders.params / "西山镇-镇党建办主任-张晓燕.yaml"
    assert path.is_file(), form.status.value
    assert "已保存" in form.status.value
    official = load(path, templates=folders.templates)
    assert official.values["专题会议"] == 9 and str(official.values["党建覆盖率"]) == "98.5"
    assert official.values["姓名"] == "张晓燕"
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[1] == "角色: 镇党建办主任" and "谈心谈话: 120\n" in text
    assert path.name in [name for name, _ in form.file_picker.options]


def test_an_invalid_form_is_not_saved_and_says_why(form, folders):
    before = sorted(p.name for p in folders.params.iterdir())
    fill(form, CLERK | {"姓名": "", "包抓村": "柳树湾" * 4})
    form.save_button.click()
    assert sorted(p.name for p in folders.params.iterdir()) == before
    status = form.status.value
    assert "没有保存" in status and "「姓名」：缺少必填项" in status and "太长了" in status
    assert "kit-msg-error" in form.inputs["姓名"].message.value  # red once a save failed


def test_saving_over_another_file_asks_first(form, folders):
    fill(form, CLERK)
    target = folders.params / "西山镇-镇党建办主任-张晓燕.yaml"
    target.write_text("# someone else's file\n角色: 镇党建办主任\n", encoding="utf-8")
    form.save_button.click()
    assert form.confirm.layout.display == "flex" and "已经存在" in form.confirm_text.value
    assert form.confirm_yes.description == "覆盖保存"
    assert target.read_text(encoding="utf-8").startswith("# someone else's file")
    form.confirm_no.click()
    assert form.confirm.layout.display == "none"
    assert target.read_text(encoding="utf-8").startswith("# someone else's file")
    form.save_button.click()
    form.confirm_yes.click()
    assert "专题会议: 9" in target.read_text(encoding="utf-8")
    (backup,) = backups_of(target)
    assert backup.read_text(encoding="utf-8").startswith("# someone else's file")


def test_editing_an_opened_file_keeps_the_previous_version(form, folders):
    path = folders.params / "东山镇-镇党建办主任-李明华.yaml"
    original = path.read_bytes()
    form.file_picker.value = path
    form.open_button.click()
    assert form.inputs["专题会议"].input.value == "12"
    assert form.inputs["其他工作"].input.value.startswith("牵头完成")
    form.inputs["专题会议"].input.value = "13"
    form.save_button.click()
    assert form.confirm.layout.display == "none"  # its own file: saved, old one kept
    assert "专题会议: 13" in path.read_text(encoding="utf-8")
    assert path.read_text(encoding="utf-8").startswith("# 2023年度述职报告参数")  # header kept
    assert [b.read_bytes() for b in backups_of(path)] == [original]
    assert load(path, templates=folders.templates).values["专题会议"] == 13
    form.inputs["专题会议"].input.value = "14"
    form.save_button.click()  # a second save: both earlier versions kept
    assert len(backups_of(path)) == 2 and backups_of(path)[-1].read_bytes() == original


def test_a_file_changed_elsewhere_since_opening_is_not_overwritten(form, folders):
    path = folders.params / "东山镇-镇党建办主任-李明华.yaml"
    form.open(path)
    changed = path.read_text(encoding="utf-8").replace("专题会议: 12", "专题会议: 15")
    path.write_text(changed, encoding="utf-8")
    import os

    os.utime(path, ns=(1, 1))  # a different mtime even on coarse-clock file systems
    form.save_button.click()
    assert form.confirm.layout.display == "flex"
    assert "专题会议: 15" in path.read_text(encoding="utf-8")


def test_opening_a_bad_file_lists_its_problems(form, folders):
    bad = Path(__file__).resolve().parents[1] / "fixtures" / "params_bad" / "negative.yaml"
    form.open(bad)
    assert "文件里有以下问题" in form.status.value
    assert "负数" in form.status.value
    form.open(Path(__file__).resolve().parents[1] / "fixtures" / "params_bad" / "gbk.yaml")
    assert "无法打开" in form.status.value and "UTF-8" in form.status.value


def test_switching_role_keeps_identity(form):
    fill(form, {"姓名": "张晓燕", "单位": "西山镇"})
    form.role_picker.value = "镇委书记"
    assert "心得体会" in form.inputs and "专题会议" not in form.inputs
    assert form.inputs["姓名"].input.value == "张晓燕"
    assert "西山镇党委书记　张晓燕" in form.preview.value


def test_new_clears_the_form(form, folders):
    form.open(folders.params / "东山镇-镇党建办主任-李明华.yaml")
    form.file_picker.value = ""
    form.open_button.click()
    assert form.path is None and form.inputs["姓名"].input.value == ""
    assert form.inputs["专题会议"].raw() is None


def test_word_button_writes_the_docx_and_offers_it(form, folders):
    fill(form, CLERK)
    form.word_button.click()
    docs = list((folders.out).glob("*.docx"))
    assert [d.name for d in docs] == ["2023年度述职报告-西山镇-镇党建办主任-张晓燕.docx"]
    written = [t.strip() for t in shown_paragraphs(Document(docs[0])) if t.strip()]
    assert "主持召开党建工作专题会议9次" in "".join(written)
    assert preview_paragraphs(form.preview.value) == written  # what was shown is what is sent
    assert 'download="2023年度述职报告-西山镇-镇党建办主任-张晓燕.docx"' in form.download.value
    assert "href=\"data:application/vnd.openxmlformats" in form.download.value


def test_word_button_refuses_an_invalid_form(form, folders):
    form.word_button.click()
    assert "还不能生成 Word" in form.status.value
    assert not folders.out.exists()


def test_a_file_value_the_form_cannot_hold_is_shown_not_dropped(form, tmp_path, folders):
    path = folders.params / "x.yaml"
    text = (folders.params / "东山镇-镇党建办主任-李明华.yaml").read_text(encoding="utf-8")
    path.write_text(text.replace("讲党课: 6", "讲党课: 五").replace("单位: 东山镇", "单位: 东山镇\n单位类别: 县"),
                    encoding="utf-8")
    form.open(path)
    assert form.inputs["讲党课"].input.value == "五"
    assert "您是否想写「5」？" in form.inputs["讲党课"].message.value
    assert form.inputs["单位类别"].input.value == "县"
    assert "kit-msg-error" in form.inputs["单位类别"].message.value


def test_switching_role_after_opening_asks_before_saving(form, folders):
    path = folders.params / "东山镇-镇委书记-王建国.yaml"
    before = path.read_bytes()
    form.open(path)
    form.role_picker.value = "镇党建办主任"
    assert form.inputs["姓名"].input.value == "王建国"
    fill(form, {k: v for k, v in CLERK.items() if k not in ("姓名", "单位", "所属县")})
    form.save_button.click()
    assert path.read_bytes() == before
    assert form.confirm.layout.display == "flex"
    question = form.confirm_text.value
    assert "东山镇 王建国" in question and "角色：镇委书记 → 镇党建办主任" in question
    form.confirm_yes.click()
    assert "角色: 镇党建办主任" in path.read_text(encoding="utf-8")
    assert [b.read_bytes() for b in backups_of(path)] == [before]


def test_a_duplicate_official_is_refused_with_an_offer_to_open(form, folders):
    before = sorted(folders.params.iterdir())
    fill(form, CLERK | {"姓名": "李明华", "单位": "东山镇"})
    form.save_button.click()
    assert sorted(folders.params.iterdir()) == before
    assert "已经有参数文件 params/东山镇-镇党建办主任-李明华.yaml" in form.status.value
    assert form.confirm_yes.description == "打开 东山镇-镇党建办主任-李明华.yaml"
    form.confirm_yes.click()
    assert form.path == folders.params / "东山镇-镇党建办主任-李明华.yaml"
    assert form.inputs["专题会议"].input.value == "12"


def test_opening_fills_a_set_of_rows_off_screen_then_swaps_it_in(form, folders):
    from ipywidgets.widgets.widget import _instances

    first = form.inputs
    fill(form, {"姓名": "张三", "专题会议": "99"})  # typed, then another file is opened
    form.open(folders.params / "东山镇-镇委书记-王建国.yaml")
    assert form.role_picker.value == "镇委书记" and "心得体会" in form.inputs
    assert form.sections.children[0].children[1] is form.inputs["姓名"].row
    form.open(folders.params / "东山镇-镇党建办主任-李明华.yaml")
    assert form.inputs is first  # the spare set of this role, refilled
    assert form.inputs["姓名"].input.value == "李明华"
    assert form.inputs["专题会议"].input.value == "12"  # nothing left of what was typed
    assert "张三" not in form.preview.value
    live = len(_instances)
    for _ in range(3):  # opening files does not grow the number of widgets
        form.open(folders.params / "东山镇-镇委书记-王建国.yaml")
        form.open(folders.params / "东山镇-镇党建办主任-李明华.yaml")
    assert len(_instances) <= live



def test_typing_after_a_question_withdraws_it(form, folders):
    fill(form, CLERK)
    target = folders.params / "西山镇-镇党建办主任-张晓燕.yaml"
    target.write_text("# someone else's file\n角色: 镇党建办主任\n", encoding="utf-8")
    form.save_button.click()
    assert form.confirm.layout.display == "flex"
    form.inputs["姓名"].input.value = "张晓"  # the question was about 张晓燕's file
    assert form.confirm.layout.display == "none"
    form.confirm_yes.click()  # a stale click does nothing
    assert target.read_text(encoding="utf-8").startswith("# someone else's file")
    assert not (folders.params / "西山镇-镇党建办主任-张晓.yaml").exists()


HOSTILE = {"标签": "<script>alert('标签')</script>包抓{{ 姓名 }}",
           "单位": '村"><b>粗</b>', "说明": "<img src=x onerror=alert(1)>{% raw %}&amp;"}


def test_hostile_text_of_a_template_or_a_clerk_shows_as_text(folders):
    """A label, unit and help text from a role template and a name typed by the clerk
    reach the widgets' HTML escaped: shown as the characters written, never run."""
    from kit.form.widgets import ReportForm

    path = folders.templates / "镇党建办主任.md"
    text = path.read_text("utf-8")
    for key, value in HOSTILE.items():
        line = next(ln for ln in text.splitlines() if ln.startswith(f"    {key}: ")
                    and text.index(ln) > text.index("  包抓村:"))
        text = text.replace(line, f"    {key}: '{value.replace(chr(39), chr(39) * 2)}'", 1)
    path.write_text(text, "utf-8")
    form = ReportForm(folders, role="镇党建办主任", debounce=0)
    row = form.inputs["包抓村"]
    assert re.sub("<[^>]*>", "", row.input.description).startswith(  # tags: the ＊ kept on its line
        "&lt;script&gt;alert(&#39;标签&#39;)&lt;/script&gt;包抓{{ 姓名 }}")
    assert '<span class="kit-unit">村&#34;&gt;&lt;b&gt;粗&lt;/b&gt;</span>' in row.message.value
    assert row.help is not None
    assert row.help.value == '<div class="kit-help">&lt;img src=x onerror=alert(1)&gt;' \
        "{% raw %}&amp;amp;</div>"
    fill(form, CLERK | {"姓名": "张&lt;{{x}}", "包抓村": '"><script>'})
    assert 'data-value="&#34;&gt;&lt;script&gt;"' in row.message.value
    assert "保存到：params/西山镇-镇党建办主任-张&amp;lt;{{x}}.yaml" in form.target.value
    form.save_button.click()
    assert "已保存：params/西山镇-镇党建办主任-张&amp;lt;{{x}}.yaml" in form.status.value
    for widget in (form.target, form.status, form.preview, row.message):
        assert "<script" not in widget.value and "张&lt;" not in widget.value


def test_a_page_connecting_gets_the_file_list_as_it_is_then(folders):
    """A preheated kernel (kit.hub.pool) made the form before its page was asked for:
    the list is read again when the page's widget manager connects (ipywidgets' control
    comm), so a file saved in the meantime is listed."""
    import ipywidgets
    from ipywidgets.comm import create_comm, get_comm_manager

    from kit.form.widgets import ReportForm

    ipywidgets.register_comm_target()  # as in a kernel (outside one: comm's own manager)
    form = ReportForm(folders, role="镇党建办主任", debounce=0)
    first = [label for label, _ in form.file_picker.options]
    some = folders.params / first[1]
    (folders.params / "新来的.yaml").write_bytes(some.read_bytes().replace(
        "姓名: ".encode(), "姓名: 新".encode(), 1))
    assert "新来的.yaml" not in first
    connect = get_comm_manager().targets["jupyter.widget.control"]
    connect(create_comm(target_name="jupyter.widget.control"),
            {"metadata": {"version": "1.0.0"}, "content": {"data": {}}})
    assert "新来的.yaml" in [label for label, _ in form.file_picker.options]
