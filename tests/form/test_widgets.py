"""The form object driven as a user would: set widget values, press buttons."""

from __future__ import annotations

from pathlib import Path

import ipywidgets as w
import pytest
from docx import Document

from kit.fields import IDENTITY
from kit.params import load
from kit.templates import load_roles
from tests.form.conftest import CLERK, fill

WIDGET_CLASSES = {"int": w.BoundedIntText, "float": w.BoundedFloatText, "text": w.Text,
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
        assert inp.input.description.startswith(f.label)
        assert ("＊" in inp.input.description) == f.required
        assert f.unit in inp.unit.value
        if f.help:
            assert f.help in inp.help.value
        lo, hi = f.bounds()
        if f.type.widget in ("int", "float") and hi is not None:
            assert (inp.input.min, inp.input.max) == (lo, hi)
    # grouped by the report's sections, identity first
    titles = [box.children[0].value for box in form.sections.children]
    assert "基本信息" in titles[0]
    assert all(any(s in t for t in titles) for s in template.sections())


def test_percent_box_holds_0_to_100(form):
    box = form.inputs["党建覆盖率"].input
    box.value = 150
    assert box.value == 100  # the widget type enforces the field's bounds


def test_messages_come_from_field_parse_as_the_user_types(form):
    field = form.template.fields["包抓村"]
    too_long = "柳树湾" * 4
    with pytest.raises(ValueError) as err:
        field.parse(too_long)
    form.inputs["包抓村"].input.value = too_long
    message = form.inputs["包抓村"].message.value
    assert err.value.message in message and "kit-msg-error" in message
    form.inputs["包抓村"].input.value = "柳树"
    assert "✓" in form.inputs["包抓村"].message.value


def test_an_untouched_number_box_is_empty_not_zero(form):
    fill(form, {k: v for k, v in CLERK.items() if k != "讲党课"})
    chk = form.check()
    assert chk.missing == {"讲党课"}
    assert "必填" in form.inputs["讲党课"].message.value
    form.inputs["讲党课"].input.value = 3
    assert form.check().ok


def test_preview_follows_the_values(form):
    fill(form, CLERK)
    assert "主持召开党建工作专题会议9次" in form.preview.value
    assert "西山镇党建办主任　张晓燕" in form.preview.value
    form.inputs["专题会议"].input.value = 11
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
    assert target.read_text(encoding="utf-8").startswith("# someone else's file")
    form.confirm_no.click()
    assert form.confirm.layout.display == "none"
    assert target.read_text(encoding="utf-8").startswith("# someone else's file")
    form.save_button.click()
    form.confirm_yes.click()
    assert "专题会议: 9" in target.read_text(encoding="utf-8")
    backup = target.with_name(target.name + ".bak")
    assert backup.read_text(encoding="utf-8").startswith("# someone else's file")


def test_editing_an_opened_file_keeps_the_previous_version(form, folders):
    path = folders.params / "东山镇-党建办主任-李明华.yaml"
    original = path.read_bytes()
    form.file_picker.value = path
    form.open_button.click()
    assert form.inputs["专题会议"].input.value == 12
    assert form.inputs["其他工作"].input.value.startswith("牵头完成")
    form.inputs["专题会议"].input.value = 13
    form.save_button.click()
    assert form.confirm.layout.display == "none"  # its own file: saved, old one kept
    assert "专题会议: 13" in path.read_text(encoding="utf-8")
    assert path.read_text(encoding="utf-8").startswith("# 2023年度述职报告参数")  # header kept
    assert path.with_name(path.name + ".bak").read_bytes() == original
    assert load(path, templates=folders.templates).values["专题会议"] == 13


def test_a_file_changed_elsewhere_since_opening_is_not_overwritten(form, folders):
    path = folders.params / "东山镇-党建办主任-李明华.yaml"
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
    form.open(folders.params / "东山镇-党建办主任-李明华.yaml")
    form.file_picker.value = ""
    form.open_button.click()
    assert form.path is None and form.inputs["姓名"].input.value == ""
    assert form.inputs["专题会议"].raw() is None


def test_word_button_writes_the_docx_and_offers_it(form, folders):
    fill(form, CLERK)
    form.word_button.click()
    docs = list((folders.out).glob("*.docx"))
    assert [d.name for d in docs] == ["2023年度述职报告-西山镇-镇党建办主任-张晓燕.docx"]
    text = "\n".join(p.text for p in Document(docs[0]).paragraphs)
    assert "主持召开党建工作专题会议9次" in text
    assert 'download="2023年度述职报告-西山镇-镇党建办主任-张晓燕.docx"' in form.download.value
    assert "href=\"data:application/vnd.openxmlformats" in form.download.value


def test_word_button_refuses_an_invalid_form(form, folders):
    form.word_button.click()
    assert "还不能生成 Word" in form.status.value
    assert not folders.out.exists()
