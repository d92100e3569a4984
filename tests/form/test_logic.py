"""The form's library code, without widgets."""

from __future__ import annotations

from datetime import date

import pytest

from kit.errors import ParamsError
from kit.form import logic
from kit.params import load
from kit.templates import load_roles
from tests.form.conftest import CLERK


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


def test_save_refuses_invalid_and_existing(template, tmp_path):
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    bad = logic.check_form(template, {"姓名": "张晓燕"})
    with pytest.raises(ParamsError):
        logic.save_params(tmp_path / "a.yaml", bad)
    assert not (tmp_path / "a.yaml").exists()
    good = logic.check_form(template, CLERK)
    (tmp_path / "b.yaml").write_text("old", encoding="utf-8")
    assert not logic.save_params(tmp_path / "b.yaml", good).written
    saved = logic.save_params(tmp_path / "b.yaml", good, overwrite=True)
    assert saved.written and saved.backup.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.yaml", "b.yaml.bak"]  # no temp left


def test_default_year():
    assert logic.default_year(date(2024, 1, 10)) == 2023
    assert logic.default_year(date(2024, 12, 1)) == 2024
