"""``kit review list`` reads in the 汇编's order (排序, then the role's 排位, then the name by
strokes), not in file-name order: the reviewer goes through the officials as the volume
will print them."""

from __future__ import annotations

from pathlib import Path

from kit.cli import main


def _names(out: str) -> list[str]:
    return [line.split("】")[1].split("　")[0] for line in out.splitlines() if line.startswith("【")]


def test_review_list_is_in_the_volumes_order(project: Path, capsys) -> None:
    params = project / "params"
    wang = next(params.glob("*王建国.yaml"))
    li = next(params.glob("*李明华.yaml"))
    # A 镇委书记 whose file name sorts last and whose name (丁, 2 strokes) before 王 (4).
    text = wang.read_text("utf-8").replace("姓名: 王建国", "姓名: 丁一").replace("单位: 东山镇", "单位: 西山镇")
    (params / "西山镇-镇委书记-丁一.yaml").write_text(text, "utf-8")
    (params / "0-坏文件.yaml").write_text("角色: [\n", "utf-8")
    assert sorted(p.name for p in params.glob("*.yaml"))[0] == "0-坏文件.yaml"
    assert main(["review", "list"]) == 0
    assert _names(capsys.readouterr().out) == ["丁一", "王建国", "李明华", "（无法读取）"]

    li.write_text(li.read_text("utf-8") + "排序: 1\n", "utf-8")  # an explicit 排序 comes first
    assert main(["review", "list"]) == 0
    assert _names(capsys.readouterr().out) == ["李明华", "丁一", "王建国", "（无法读取）"]
