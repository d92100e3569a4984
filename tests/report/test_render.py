"""Numbering is the kit's job: no gaps, no duplicates, whatever the template drops or adds."""

from __future__ import annotations

from pathlib import Path

from kit.report.render import render
from kit.report.templates import load_template


def _template(tmp_path: Path, body: str, fields: str = "") -> object:
    path = tmp_path / "t.md"
    path.write_text("---\n角色: 测试\n标题: \"{{ 年度 }}年度述职报告\"\n字段:\n"
                    "  甲: {标签: 甲, 类型: 长文本, 必填: 否}\n"
                    "  乙: {标签: 乙, 类型: 短文本, 必填: 否}\n" + fields + "---\n" + body,
                    "utf-8")
    return load_template(path)


BODY = """开头。

# 第一部分

- 第一条。

{% if 甲 %}
- {{ 甲 }}
{% endif %}

- 最后一条。

# 第二部分
接在标题后面的正文。

## 小标题

段内{是}甲，{是}乙{{ 乙 }}。

段二{是}丙。

{% if 乙 %}
# 可选部分
{% endif %}

# 问题
"""


def _texts(tmp_path: Path, **values: str) -> list[str]:
    template = _template(tmp_path, BODY)
    typed = {k: template.fields[k].parse(v) for k, v in values.items()}
    report = render(template, {"年度": 2023, **typed})
    return [b.full for b in report.blocks]


def test_dropped_item_leaves_no_gap(tmp_path: Path) -> None:
    texts = _texts(tmp_path)
    assert texts[2:4] == ["一是第一条。", "二是最后一条。"]
    assert "三、问题" in texts  # the dropped optional section leaves no gap either


def test_added_item_is_numbered_in_place(tmp_path: Path) -> None:
    texts = _texts(tmp_path, 甲="新增一条。", 乙="值")
    assert texts[2:5] == ["一是第一条。", "二是新增一条。", "三是最后一条。"]
    assert "三、可选部分" in texts and "四、问题" in texts


def test_run_in_heading_heading2_and_inline_items(tmp_path: Path) -> None:
    report = render(_template(tmp_path, BODY), {"年度": 2023, "乙": "X"})
    blocks = {b.heading: b for b in report.blocks if b.heading}
    assert blocks["二、第二部分"].text == "接在标题后面的正文。"
    assert blocks["二、第二部分"].kind == "heading1"
    assert blocks["（一）小标题"].kind == "heading2"
    texts = [b.full for b in report.blocks]
    assert "段内一是甲，二是乙X。" in texts
    assert "段二一是丙。" in texts  # inline items count per paragraph


def test_markup_inside_values_stays_literal(tmp_path: Path) -> None:
    texts = _texts(tmp_path, 甲="# 不是标题\n\n- 不是条目{是}{{ 1+1 }}", 乙="{是}")
    assert "二是# 不是标题- 不是条目{是}{{ 1+1 }}" in texts
    assert "段内一是甲，二是乙{是}。" in texts


def test_a_template_compiled_once_renders_each_report_with_its_own_values(tmp_path: Path) -> None:
    """Template parts are compiled once per process; constant output (「{{ "{{" }}」, how a
    sample's literal braces are kept) must still take its place in every report."""
    template = _template(tmp_path, '开头{{ "{{" }}原文}}，{{ 乙 }}，{{ "常量" }}。{{ 甲 }}\n')
    for value in ("石门", "杨家湾", "石门"):
        report = render(template, {"年度": 2023, "乙": template.fields["乙"].parse(value)})
        assert [b.full for b in report.blocks] == ["开头{{原文}}，" + value + "，常量。"]
