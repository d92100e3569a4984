"""「按姓氏笔画排序」 and pinyin order, on surnames whose stroke counts are known."""

from __future__ import annotations

import random

import pytest

from kit.errors import KitError
from kit.report.collation import name_key, sort_names, strokes
from kit.report.model import Report
from kit.word.volume import sort_reports

# Mainland stroke counts (GB 13000.1): 阝 and 艹 count 2 and 3 strokes.
KNOWN = {"马": 3, "王": 4, "石": 5, "刘": 6, "李": 7, "林": 8, "赵": 9, "郭": 10, "曹": 11,
         "董": 12, "丁": 2, "韩": 12, "蔡": 14}
BY_STROKES = ["马", "王", "石", "刘", "李", "林", "赵", "郭", "曹", "董"]


def test_stroke_counts_come_from_unihan() -> None:
    assert {c: strokes(c) for c in KNOWN} == KNOWN


@pytest.mark.parametrize("seed", range(5))
def test_surnames_in_stroke_order(seed: int) -> None:
    shuffled = BY_STROKES[:]
    random.Random(seed).shuffle(shuffled)
    assert sort_names(shuffled) == BY_STROKES


def test_surname_first_then_following_characters() -> None:
    names = ["王建国", "马丽华", "王一", "董小", "马三", "丁大伟", "王二"]
    # 丁2 < 马3 < 王4 < 董12; within 马: 三3 < 丽7; within 王: 一1 < 二2 < 建8
    assert sort_names(names) == ["丁大伟", "马三", "马丽华", "王一", "王二", "王建国", "董小"]


def test_pinyin_is_an_option() -> None:
    assert sort_names(["赵", "马", "董", "李"], "拼音") == ["董", "李", "马", "赵"]


def test_unknown_method_is_said_in_chinese() -> None:
    with pytest.raises(KitError, match="笔画 或 拼音"):
        name_key("李", "bihua")


def _report(name: str, rank: int = 10, order: int | None = None) -> Report:
    return Report(title="t", byline="", blocks=(), name=name, rank=rank, order=order)


def test_volume_orders_by_rank_then_surname_strokes(monkeypatch: pytest.MonkeyPatch) -> None:
    reports = [_report("赵六"), _report("郭七"), _report("马五"), _report("董二", rank=5),
               _report("曹一", order=1)]
    assert [r.name for r in sort_reports(reports)] == ["曹一", "董二", "马五", "赵六", "郭七"]
    monkeypatch.setenv("KIT_NAME_ORDER", "拼音")
    assert [r.name for r in sort_reports(reports)] == ["曹一", "董二", "郭七", "马五", "赵六"]


@pytest.fixture
def cache(tmp_path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """An empty cache folder of the stroke table, and the table forgotten in memory."""
    from kit.report import collation

    monkeypatch.setenv(collation.CACHE_ENV, str(tmp_path))
    collation._strokes.cache_clear()
    yield tmp_path
    collation._strokes.cache_clear()


def test_the_stroke_table_is_kept_in_the_cache_and_read_from_it(cache) -> None:  # type: ignore[no-untyped-def]
    from kit.report import collation

    assert strokes("郭") == 10
    (kept,) = cache.iterdir()
    text = kept.read_text("utf-8")
    assert "\t" in text and "郭" in text
    # Read from the cache, not from Unihan: a count changed there is what comes back.
    kept.write_text(text.replace("郭", "") + "11\t郭\n", "utf-8")
    collation._strokes.cache_clear()
    assert strokes("郭") == 11


@pytest.mark.parametrize("damage", ["", "garbage", "kit stroke counts 1\nx\t郭\n",
                                    "kit stroke counts 1\n0\t郭\n", "x" * (5 << 20)])
def test_a_damaged_cache_is_made_again(cache, damage: str) -> None:  # type: ignore[no-untyped-def]
    from kit.report import collation

    assert strokes("郭") == 10
    (kept,) = cache.iterdir()
    kept.write_text(damage, "utf-8")
    collation._strokes.cache_clear()
    assert {c: strokes(c) for c in KNOWN} == KNOWN
    assert kept.read_text("utf-8").startswith("kit stroke counts 1\n")


def test_a_cache_folder_that_cannot_be_made_only_costs_time(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from kit.report import collation

    blocker = tmp_path / "a-file"
    blocker.write_text("", "utf-8")
    monkeypatch.setenv(collation.CACHE_ENV, str(blocker / "cache"))
    collation._strokes.cache_clear()
    try:
        assert {c: strokes(c) for c in KNOWN} == KNOWN
    finally:
        collation._strokes.cache_clear()
