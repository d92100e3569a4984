"""Role templates of a chosen size, for the test and the bench of the template check."""

from __future__ import annotations


def many_fields(n: int, unknown: str | None = None) -> str:
    """A template declaring ``n`` integer fields, each used in its own item; the first
    half under 「# 工作一」, the rest under 「# 工作二」; ``unknown``: one more item uses
    an undeclared name, after the first three items."""
    head = ["---", "角色: 测试角色", '标题: "{{ 年度 }}年度述职报告"', '署名: "{{ 姓名 }}"', "字段:"]
    head += [f"  字段{i}: {{标签: 标签{i}, 类型: 整数, 单位: 次}}" for i in range(n)]
    items = [f"- 做了工作{{{{ 字段{i} }}}}次。" for i in range(n)]
    if unknown:
        items.insert(3, f"- 另有{{{{ {unknown} }}}}次。")
    half = n // 2 + (4 if unknown else 0)
    return "\n".join([*head, "---", "# 工作一", *items[:half], "# 工作二", *items[half:]]) + "\n"
