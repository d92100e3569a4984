"""The block of an official's review page that the batch rewrites after the notebooks
ran (the 提示 against the other officials): only the block changes, whatever the 提示 say."""

from __future__ import annotations

from pathlib import Path

from kit.review.pages import PEER_END, PEER_START, peer_block, write_peer_flags

PAGE = ("<html><body><h1>李明华（东山镇 镇党建办主任）</h1>{block}"
        "<div>报告正文：{start} {end}</div></body></html>")


def test_only_the_block_changes_and_comes_back(tmp_path: Path) -> None:
    page = tmp_path / "a.html"
    # the notebook's own output further down may spell the markers: never touched
    first = PAGE.format(block=peer_block(()), start=PEER_START, end=PEER_END)
    page.write_text(first, "utf-8")
    hostile = f"「其他重点工作」与 {PEER_END}<b>张三</b>（东山镇） 的内容完全相同"
    assert write_peer_flags(page, [hostile, "「讲党课」本角色 20 人都填了 6（可能是照抄的数字）"])
    text = page.read_text("utf-8")
    assert "与其他同志相比（2 条提示" in text and "本角色 20 人都填了 6" in text
    assert "<b>张三</b>" not in text and "&lt;b&gt;张三&lt;/b&gt;" in text  # escaped
    assert text.endswith(first[first.index("<div>报告正文"):])
    assert write_peer_flags(page, [])
    assert page.read_text("utf-8") == first


def test_a_page_without_the_block_is_left_alone(tmp_path: Path) -> None:
    page = tmp_path / "failed.html"
    page.write_text("<p>这份报告没有生成。</p>", "utf-8")
    assert not write_peer_flags(page, ["「讲党课」本角色 3 人都填了 6"])
    assert page.read_text("utf-8") == "<p>这份报告没有生成。</p>"
