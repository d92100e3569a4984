"""Role templates: broken ones get a message naming the file and line; a role is a file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kit.build.official import report_of
from kit.errors import TemplateError
from kit.report.params import check
from kit.report.templates import load_roles, load_template
from tests.conftest import ROOT

GOOD = (ROOT / "templates" / "镇党建办主任.md").read_text("utf-8")


def _broken(tmp_path: Path, old: str, new: str) -> str:
    assert old in GOOD
    path = tmp_path / "坏模板.md"
    path.write_text(GOOD.replace(old, new, 1), "utf-8")
    with pytest.raises(TemplateError) as info:
        load_template(path)
    return str(info.value)


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(GOOD.split("\n"), 1) if needle in line)


def test_unknown_placeholder_names_file_line_and_suggests(tmp_path: Path) -> None:
    msg = _broken(tmp_path, "专题会议{{ 专题会议 }}次", "专题会议{{ 专题会意 }}次")
    line = _line_of(GOOD, "专题会议{{ 专题会议 }}次")
    assert f"坏模板.md，第 {line} 行" in msg and "没有声明的字段「专题会意」" in msg
    assert "您是否想写「专题会议」？" in msg


def test_jinja_syntax_error_has_the_file_line(tmp_path: Path) -> None:
    msg = _broken(tmp_path, "讲党课{{ 讲党课 }}次", "讲党课{{ 讲党课 次")
    assert f"第 {_line_of(GOOD, '讲党课{{ 讲党课 }}次')} 行" in msg and "占位符写法有误" in msg


def test_unknown_field_type_lists_the_types(tmp_path: Path) -> None:
    msg = _broken(tmp_path, "类型: 整数, 单位: 次, 最大: 200", "类型: 整数数, 单位: 次, 最大: 200")
    assert "类型不对" in msg and "百分比" in msg and "您是否想写「整数」？" in msg
    assert f"第 {_line_of(GOOD, '专题会议: {标签')} 行" in msg


def test_header_yaml_error_has_the_file_line(tmp_path: Path) -> None:
    msg = _broken(tmp_path, '标题: "{{ 年度 }}', "标题: {{ 年度 }}")
    assert "不是有效的 YAML" in msg and f"第 {_line_of(GOOD, '标题:')} 行" in msg
    assert "引号" in msg


def test_declared_but_unused_field(tmp_path: Path) -> None:
    msg = _broken(tmp_path, "讲党课{{ 讲党课 }}次", "讲党课6次")
    assert "字段「讲党课」" in msg and "没有用到" in msg


def test_hand_numbered_heading_is_refused(tmp_path: Path) -> None:
    msg = _broken(tmp_path, "# 加强理论学习", "# 一、加强理论学习")
    assert "不要自己写编号" in msg and f"第 {_line_of(GOOD, '# 加强理论学习')} 行" in msg


def test_missing_front_matter(tmp_path: Path) -> None:
    path = tmp_path / "x.md"
    path.write_text("只有正文\n", "utf-8")
    with pytest.raises(TemplateError, match="第 1 行.*---"):
        load_template(path)


def test_template_expressions_run_sandboxed(tmp_path: Path) -> None:
    from kit.report.params import load
    from kit.report.render import render

    path = tmp_path / "镇党建办主任.md"
    path.write_text(GOOD.replace("{{ 年度 }}年，在县委", "{{ 年度.__class__.__mro__ }}年，在县委"),
                    "utf-8")
    template = load_template(path)
    official = load(ROOT / "params" / "东山镇-镇党建办主任-李明华.yaml")
    with pytest.raises(TemplateError, match="模板无法生成正文"):
        render(template, official.values)


def test_adding_a_role_is_adding_a_file(tmp_path: Path) -> None:
    folder = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", folder)
    (folder / "乡长.md").write_text(
        "---\n角色: 乡长\n标题: \"{{ 年度 }}年度述职报告（{{ 单位类别 }}长）\"\n"
        "字段:\n  项目: {标签: 争取项目, 类型: 整数, 单位: 个}\n---\n"
        "{{ 年度 }}年工作如下：\n\n# 抓发展\n\n- 争取项目{{ 项目 }}个。\n\n- 办实事。\n",
        "utf-8")
    roles = load_roles(folder)
    assert set(roles) == {"镇党建办主任", "镇委书记", "乡长"}
    official = check({"角色": "乡长", "姓名": "赵六", "单位": "西河乡", "所属县": "某县",
                      "省份": "甘肃", "年度": "2024", "项目": "3"}, templates=folder)
    report = report_of(official)
    assert report.title == "2024年度述职报告（乡长）"
    assert [b.full for b in report.blocks] == ["2024年工作如下：", "一、抓发展",
                                               "一是争取项目3个。", "二是办实事。"]


def test_the_documented_example_template_loads_and_renders(tmp_path: Path) -> None:
    doc = (ROOT / "docs" / "模板写法.md").read_text("utf-8")
    example = doc.split("```\n", 2)[1]
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "乡长.md").write_text(example, "utf-8")
    official = check({"角色": "乡长", "姓名": "赵六", "单位": "西河乡", "所属县": "某县",
                      "省份": "甘肃", "年度": "2024", "争取项目": "3", "项目资金": "120.5"},
                     templates=folder)
    texts = report_of(official).paragraphs()
    assert texts[:2] == ["2024年度述职报告（乡长）", "西河乡乡长　赵六"]
    assert "一是全年争取上级项目3个，到位资金120.5万元。" in texts
    assert texts[-1].endswith("一是学习不够深入；二是调研不够扎实。")


def test_a_templates_folder_that_does_not_exist_is_named_not_replaced(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from kit.cli import main

    params = ROOT / "params" / "东山镇-镇党建办主任-李明华.yaml"
    code = main(["--templates", str(tmp_path / "模版"), "render", str(params),
                 "-o", str(tmp_path / "out")])
    assert code == 3
    assert "找不到模板文件夹" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()  # the shipped templates were not used instead


def test_a_named_templates_folder_that_does_not_exist_is_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kit.report.templates import templates_dir

    monkeypatch.setenv("KIT_TEMPLATES", str(tmp_path / "没有"))
    with pytest.raises(TemplateError, match="找不到模板文件夹.*KIT_TEMPLATES"):
        templates_dir()


@pytest.mark.parametrize(("old", "new", "name"), [
    ("标签: 主持召开党建工作专题会议", "标签: 主持召开党建\u200b工作专题会议", "零宽空格（U+200B）"),
    ('标题: "{{ 年度 }}', '标题: "\u202e{{ 年度 }}', "方向控制符（U+202E）"),
    ("专题会议{{ 专题会议 }}次", "专题会议{{ 专题会议 }}\u2028次", "行分隔符（U+2028）"),
    ("专题会议{{ 专题会议 }}次", "专题会议{{ 专题会议 }}\x85次", "控制字符（U+0085）"),
])
def test_an_invisible_character_anywhere_in_a_template_is_refused_at_its_line(
        tmp_path: Path, old: str, new: str, name: str) -> None:
    """The values' own definition (kit.report.fields), and line separators besides: the header
    is YAML and the body's lines are \\n, so a line separator is no line of either."""
    msg = _broken(tmp_path, old, new)
    assert f"第 {_line_of(GOOD, old)} 行" in msg and "模板里第 " in msg and name in msg
    assert "\u200b" not in msg and "\u202e" not in msg and "\u2028" not in msg


def test_a_template_of_a_thousand_fields_is_checked_with_their_sections(
        tmp_path: Path) -> None:
    # The check is one pass over the body (it was fields × lines: 2,000 fields took
    # minutes; bench/bench_template_fields.py times it).
    from kit.report.templates import MAX_FIELDS
    from tests.report.template_sizes import many_fields

    path = tmp_path / "many.md"
    path.write_text(many_fields(MAX_FIELDS, unknown="未声明"), "utf-8")
    with pytest.raises(TemplateError) as info:
        load_template(path)
    assert "没有声明的字段「未声明」" in str(info.value)
    # header (MAX_FIELDS + 6 lines), 「# 工作一」, three items, then the one undeclared
    assert f"第 {MAX_FIELDS + 11} 行" in str(info.value)
    path.write_text(many_fields(MAX_FIELDS), "utf-8")
    t = load_template(path)
    assert len(t.fields) == MAX_FIELDS
    last = f"字段{MAX_FIELDS - 1}"
    assert t.fields["字段0"].section == "工作一" and t.fields[last].section == "工作二"
    # More is refused with its own message, at the line of 「字段」.
    path.write_text(many_fields(MAX_FIELDS + 1), "utf-8")
    with pytest.raises(TemplateError) as info:
        load_template(path)
    assert "「字段」太多" in str(info.value) and "第 5 行" in str(info.value)
