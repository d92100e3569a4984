"""The form's library code, without widgets."""

from __future__ import annotations

import hashlib
import re
from datetime import date

import pytest
from docx import Document
from hypothesis import given, settings
from hypothesis import strategies as st

from kit.errors import ParamsError
from kit.form import logic
from kit.report.fields import IDENTITY
from kit.report.params import load
from kit.report.templates import load_roles
from kit.review.record import DB_NAME, Store
from tests.form.conftest import CLERK, REPO, preview_paragraphs


@pytest.fixture
def template(folders):
    return load_roles(folders.templates)["镇党建办主任"]


def test_check_sorts_the_batch_problems_by_field(template):
    chk = logic.check_form(template, CLERK | {"姓名": None, "谈心谈话": -3, "单位": "西山街道"})
    assert "姓名" in chk.missing
    assert "负数" in chk.errors["谈心谈话"][0]
    assert "单位类别" in chk.errors  # 「单位」 does not end in 镇/乡 and 单位类别 is empty
    assert not chk.ok
    assert any(r.startswith("「姓名」") for r in chk.reasons())


def test_notes_carry_the_batch_warnings(template):
    chk = logic.check_form(template, CLERK | {"其他工作": "抓党建,促发展"})
    assert chk.ok and "半角" in chk.notes["其他工作"][0]


def test_preview_marks_blanks_and_keeps_values_as_text(template):
    html = logic.preview_html(logic.check_form(template, CLERK | {"包抓村": "<i>{{x}}",
                                                                  "讲党课": None}))
    assert "&lt;i&gt;{{x}}" in html  # escaped, never run as template code
    assert html.count('class="kit-blank"') == 1  # 讲党课
    assert "其他工作" not in html


def test_params_text_reads_back_the_same(template, tmp_path):
    chk = logic.check_form(template, CLERK | {"包抓村": "0123", "谈心谈话": 860,
                                              "党建覆盖率": 100.0})
    text = logic.params_text(chk, header="测试")
    assert "谈心谈话: 860\n" in text and "党建覆盖率: 100\n" in text
    path = tmp_path / "x.yaml"
    path.write_text(text, encoding="utf-8")
    official = load(path, templates=template.path.parent)
    assert official.values["包抓村"] == "0123" and official.values["谈心谈话"] == 860


def test_save_refuses_invalid_and_asks_before_replacing(template, tmp_path):
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    bad = logic.check_form(template, {"姓名": "张晓燕"})
    with pytest.raises(ParamsError) as err:
        logic.save_params(tmp_path / "a.yaml", bad)
    assert {p.key for p in err.value.problems} >= {"单位", "年度", "专题会议"}
    assert all(p.kind == "missing" for p in err.value.problems)
    assert not (tmp_path / "a.yaml").exists()
    good = logic.check_form(template, CLERK)
    (tmp_path / "b.yaml").write_text("old", encoding="utf-8")
    saved = logic.save_params(tmp_path / "b.yaml", good)
    assert not saved.written and "已经存在" in saved.question
    saved = logic.save_params(tmp_path / "b.yaml", good, overwrite=True)
    assert saved.written and saved.backup.read_text(encoding="utf-8") == "old"
    assert re.fullmatch(r"b\.yaml\.\d{8}-\d{6}\.bak", saved.backup.name)
    # and the review record beside it, which now holds the save, with the savers' queue
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["b.yaml", saved.backup.name,
                                                                 DB_NAME, f".{DB_NAME}.lock"])
    (save,) = Store.of_folder(tmp_path).saves()
    assert (save.file, save.outcome, save.account) == ("b.yaml", "已保存", "本机")
    assert save.sha256 == hashlib.sha256((tmp_path / "b.yaml").read_bytes()).hexdigest()


@pytest.mark.parametrize(("typed", "value"), [("2023", 2023), ("２０２３", 2023), (" 2023 ", 2023)])
def test_year_is_typed_as_text(template, typed, value):
    chk = logic.check_form(template, CLERK | {"年度": typed})
    assert chk.ok and chk.values["年度"] == value


@pytest.mark.parametrize("partial", ["2", "20", "202"])
def test_a_year_being_typed_is_marked_not_changed(template, partial):
    chk = logic.check_form(template, CLERK | {"年度": partial})
    assert "年度" in chk.errors and "2000" in chk.errors["年度"][0]
    assert chk.raw["年度"] == partial


def _batch_problem(tmp_path, template, key, value):
    """The batch's own message for a parameter file holding ``key: value``."""
    path = tmp_path / "batch.yaml"
    lines = [f"角色: {template.role}", *(f"{k}: {v}" for k, v in (CLERK | {key: value}).items())]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ParamsError) as err:
        load(path, templates=template.path.parent)
    (problem,) = err.value.problems
    return problem


@pytest.mark.parametrize(("key", "typed", "says"), [
    ("讲党课", "五", "您是否想写「5」？"),
    ("党建覆盖率", "120", "不能大于 100"),
    ("专题会议", "十二", "您是否想写「12」？"),
    ("谈心谈话", "-3", "不能是负数"),
    ("专题会议", "很多", "应填阿拉伯数字"),
])
def test_wrong_numbers_get_the_batch_message(template, tmp_path, key, typed, says):
    chk = logic.check_form(template, CLERK | {key: typed})
    problem = _batch_problem(tmp_path, template, key, typed)
    (shown,) = chk.errors[key]
    assert says in shown  # the batch's words, beside the box
    assert problem.message in shown and problem.expected in shown and (problem.hint or "") in shown
    assert chk.raw[key] == typed and key not in chk.values and not chk.ok


@pytest.mark.parametrize(("typed", "value"), [("0", 0), ("12次", 12), ("１２", 12), ("12 次", 12)])
def test_counts_read_as_in_parameter_files(template, typed, value):
    chk = logic.check_form(template, CLERK | {"讲党课": typed})
    assert chk.ok and chk.values["讲党课"] == value


def test_a_second_file_for_the_same_official_is_refused(template, folders):
    # 李明华's file named by hand; the kit's rule names a new one 东山镇-镇党建办主任-李明华.yaml:
    # a different name, the same official.
    (folders.params / "东山镇-镇党建办主任-李明华.yaml").rename(folders.params / "李明华.yaml")
    chk = logic.check_form(template, CLERK | {"姓名": "李明华", "单位": "东山镇"})
    target = folders.params / logic.default_filename(chk)
    assert target.name == "东山镇-镇党建办主任-李明华.yaml"
    saved = logic.save_params(target, chk, folder=folders.params)
    assert not saved.written and saved.duplicate.name == "李明华.yaml"
    assert not target.exists()
    other_year = logic.check_form(template, CLERK | {"姓名": "李明华", "单位": "东山镇",
                                                     "年度": "2024"})
    assert logic.save_params(target, other_year, folder=folders.params).written


def test_saving_another_role_over_an_opened_file_asks_naming_the_official(folders):
    path = folders.params / "东山镇-镇委书记-王建国.yaml"
    opened = logic.open_params(path, folders.templates)
    assert opened.identity.role == "镇委书记"
    other = load_roles(folders.templates)["镇党建办主任"]
    keep = {f.key: opened.raw.get(f.key) for f in IDENTITY}  # what the form keeps on a switch
    chk = logic.check_form(other, CLERK | keep)
    before = path.read_bytes()
    saved = logic.save_params(path, chk, folder=folders.params, known_sha256=opened.sha256)
    assert not saved.written and path.read_bytes() == before
    assert "东山镇 王建国" in saved.question and "角色：镇委书记 → 镇党建办主任" in saved.question
    saved = logic.save_params(path, chk, folder=folders.params, known_sha256=opened.sha256,
                              overwrite=True)
    assert saved.written and saved.backup.read_bytes() == before


def test_the_preview_reads_as_the_word_file(template, tmp_path):
    """What the form shows is what the .docx of the same values says, paragraph by
    paragraph (read back from the file), with the values typed in the form."""
    from kit.build.official import write_by_hand
    from kit.report.render import render
    from kit.word import shown_paragraphs

    chk = logic.check_form(template, CLERK)
    shown = preview_paragraphs(logic.preview_html(chk))
    docx = Document(str(write_by_hand(render(template, chk.values), tmp_path)))
    assert shown == [t.strip() for t in shown_paragraphs(docx) if t.strip()]
    assert shown[:2] == ["2023年度述职报告（镇党建办主任）", "西山镇党建办主任\u3000张晓燕"]
    body = "".join(shown)
    for typed in ("主持召开党建工作专题会议9次", "为村级党员带头讲党课4次", "谈心谈话120余人次",
                  "党建工作98.5％全覆盖", "柳树村"):
        assert typed in body, typed


def test_default_year():
    assert logic.default_year(date(2024, 1, 10)) == 2023
    assert logic.default_year(date(2024, 12, 1)) == 2024


_SHIPPED = load_roles(REPO / "templates")


@settings(max_examples=300, deadline=None)
@given(typed=st.text(alphabet=st.sampled_from("0123456789０１２３.-,，次％%五十 a\u3000"),
                     min_size=1, max_size=8))
def test_whatever_is_typed_is_kept_and_judged_as_the_batch_does(typed):
    """Property: a number box's text reaches the batch's parser unchanged; the form either
    holds the very value the batch would read from a file, or shows the batch's message."""
    template = _SHIPPED["镇党建办主任"]  # read only
    f = template.fields["谈心谈话"]
    chk = logic.check_form(template, CLERK | {"谈心谈话": typed})
    assert chk.raw["谈心谈话"] == typed
    plain = typed.strip(" \u3000")
    if plain.isascii() and plain.isdigit() and int(plain) <= 5000:  # 最大: 5000
        assert chk.values["谈心谈话"] == int(plain) and chk.ok, chk.reasons()  # not all refused
    if logic.is_empty(typed):
        assert "谈心谈话" in chk.missing
        return
    try:
        expected = f.parse(typed)
    except ValueError as err:
        (shown,) = chk.errors["谈心谈话"]
        assert err.message in shown and "谈心谈话" not in chk.values
    else:
        assert chk.values["谈心谈话"] == expected and "谈心谈话" not in chk.errors


def test_a_month_day_with_a_decimal_point_is_asked_about_not_read_as_a_date(tmp_path):
    """「3.8」 in a 日期 box (or 3.8 in a parameter file, a YAML number) was silently
    3月8日; 「3.10」 in a file even 3月1日.  The one rule (kit.report.fields) refuses it with
    the likely fix, in the form and in a parameter file alike."""
    import shutil
    from pathlib import Path

    from kit.report.params import check
    from kit.report.yamlio import Entry

    templates = tmp_path / "templates"
    templates.mkdir()
    shutil.copy(Path(__file__).with_name("long_labels.md"), templates / "驻村工作队长.md")
    template = load_roles(templates)["驻村工作队长"]
    base = {"角色": "驻村工作队长", "姓名": "赵强", "单位": "东山镇", "所属县": "云溪县",
            "省份": "甘肃", "年度": "2023", "急难愁盼": "12", "心得体会": "3", "联合社": "2"}
    for typed, hint in (("3.8", "3月8日"), ("3.10", "3月10日"), (3.1, "3月1日")):
        chk = logic.check_form(template, base | {"竣工日期": typed})
        assert not chk.ok and "竣工日期" in chk.errors, typed
        assert f"您是否想写「{hint}」？" in chk.errors["竣工日期"][0], chk.errors
    assert logic.check_form(template, base | {"竣工日期": "3月8日"}).values["竣工日期"] == "3月8日"
    assert logic.check_form(template, base | {"竣工日期": "3-8"}).values["竣工日期"] == "3月8日"
    entries = {k: Entry(k, v, i + 1) for i, (k, v) in enumerate((base | {"竣工日期": 3.8}).items())}
    with pytest.raises(ParamsError) as err:
        check(entries, file="params/赵强.yaml", templates=templates)
    text = str(err.value)
    assert "竣工日期" in text and "「3.8」" in text and "您是否想写「3月8日」？" in text


def test_the_form_names_a_file_as_the_samples_are_named(tmp_path):
    """One naming rule (kit.report.identity.params_filename): a sample opened in the form and
    saved as new would get its own name, not a second 「镇…」 spelling beside it."""
    for path in sorted((REPO / "params").glob("*.yaml")):
        opened = logic.open_params(path, REPO / "templates")
        template = load_roles(REPO / "templates")[opened.role]
        chk = logic.check_form(template, opened.raw)
        assert chk.ok, chk.problems
        assert logic.default_filename(chk) == path.name


def test_a_file_s_identity_is_read_again_once_the_file_changes(tmp_path):
    """file_identity remembers what it read while the file is unchanged; a file saved
    over (in place or by rename, even to the same size) is read again."""
    from kit.form.logic import file_identity
    from kit.iorw import atomic_write_text

    path = tmp_path / "a.yaml"
    path.write_text("角色: 镇委书记\n姓名: 王建国\n单位: 东山镇\n年度: 2023\n", "utf-8")
    assert file_identity(path).unit == "东山镇"
    path.write_text("角色: 镇委书记\n姓名: 王建国\n单位: 西山镇\n年度: 2023\n", "utf-8")
    assert file_identity(path).unit == "西山镇"
    atomic_write_text(path, "角色: 镇委书记\n姓名: 王建国\n单位: 南山镇\n年度: 2023\n")
    assert file_identity(path).unit == "南山镇"
    path.write_text("不是: [参数文件\n", "utf-8")
    assert file_identity(path) is None
