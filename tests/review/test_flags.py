"""提示 on generated two-year data: every planted anomaly is flagged, clean ones never."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kit.report.identity import Identity
from kit.report.params import check, load
from kit.review.flags import Previous, check_all, read_previous, save_values
from tests.conftest import ROOT
from tests.review.synth import officials, write

TEMPLATES = ROOT / "templates"


def _checked(rows):
    return [check(r, templates=TEMPLATES) for r in rows]


def _previous(rows) -> Previous:
    return Previous({(r["单位"], r["姓名"], r["角色"]): r for r in rows})


def test_clean_data_has_no_flags() -> None:
    for seed in range(5):
        pairs = officials(16, seed=seed)
        checks = check_all(_checked([t for t, _ in pairs]), _previous([lt for _, lt in pairs]))
        assert [c.every for c in checks] == [[]] * 16, seed
        assert all(c.compared and len(c.rows) == 5 for c in checks)


PLANTED = {  # official index → (change to this year, change to last year, expected words)
    0: ({"专题会议": 60}, {"专题会议": 12}, "「主持召开党建工作专题会议」今年 60，上年 12，是上年的 5 倍"),
    1: ({"回炉党员": 15}, {"回炉党员": 80}, "「回炉淬火的党员」今年 15，上年 80，只有上年的 18.8%"),
    2: ({"党建覆盖率": 90}, {"党建覆盖率": 98}, "「党建工作覆盖率」比上年下降（98% → 90%）"),
    3: ({"讲党课": 0}, {}, "「为村级党员带头讲党课」为 0"),
    4: ({"其他工作": "上年的文字原样照抄到今年，一个字也没有改动。"},
        {"其他工作": "上年的文字原样照抄到今年，一个字也没有改动。"}, "「其他重点工作」与上年的内容完全相同"),
    5: ({"其他工作": "两位同志写了同一段话，是从别人的报告里复制的。"}, {},
        "「其他重点工作」与 董明一（金川镇） 的内容完全相同"),
    6: ({"谈心谈话": 4000}, {"谈心谈话": 3900}, "「与乡村干部谈心谈话」4000，远高于本角色其他人"),
}


def test_each_planted_anomaly_is_flagged_and_nothing_else() -> None:
    pairs = officials(16, seed=7)
    pairs[9][0]["其他工作"] = PLANTED[5][0]["其他工作"]  # 5's twin, flagged too
    for i, (this, last, _) in PLANTED.items():
        pairs[i][0].update(this)
        pairs[i][1].update(last)
    assert pairs[9][0]["姓名"] == "董明一" and pairs[9][0]["单位"] == "金川镇"
    checks = check_all(_checked([t for t, _ in pairs]), _previous([lt for _, lt in pairs]))
    for i, (_, _, words) in PLANTED.items():
        # against last year: the official's own; against the others: kept apart (peer)
        own, peer = (checks[i].flags, checks[i].peer) if i < 5 else (checks[i].peer,
                                                                     checks[i].flags)
        assert any(words in f for f in own) and not any(words in f for f in peer), (i, own)
    assert any("与 董明一" not in f and "内容完全相同" in f for f in checks[9].peer)
    # 0 is also far above the others: two true 提示; the rest are clean
    assert len(checks[0].every) == 2 and all(len(checks[i].every) == 1 for i in range(1, 7))
    assert "远高于本角色其他人" in checks[0].peer[0]
    assert [c.every for i, c in enumerate(checks) if i not in PLANTED and i != 9] == [[]] * 8


def test_same_figure_for_every_official_of_a_role() -> None:
    rows = [t for t, _ in officials(4, seed=3)]
    for r in rows:
        r["回炉党员"] = 80
    checks = check_all(_checked(rows), Previous.empty())
    assert all(c.peer == ["「回炉淬火的党员」本角色 4 人都填了 80（可能是照抄的数字）"]
               and c.flags == [] for c in checks)
    assert not any(c.compared or c.rows for c in checks)  # no last year: no table


def test_year_over_year_rows_show_value_last_year_and_change() -> None:
    (this, last), = officials(1, seed=2)
    this["专题会议"], last["专题会议"] = 15, 12
    (c,) = check_all(_checked([this]), _previous([last]))
    row = next(r for r in c.rows if r.label == "主持召开党建工作专题会议")
    assert (row.this, row.last, row.change, row.unit) == ("15", "12", "+3（+25%）", "次")


@pytest.mark.parametrize(("factor", "flagged"), [("1.5", True), ("0", False), ("3", False)])
def test_change_factor_is_set_per_field_in_the_template(tmp_path: Path, factor: str,
                                                        flagged: bool) -> None:
    shutil.copytree(TEMPLATES, tmp_path / "t")
    tpl = tmp_path / "t" / "镇党建办主任.md"
    tpl.write_text(tpl.read_text("utf-8").replace(
        "单位: 次, 最大: 200, 样例: x}", f"单位: 次, 最大: 200, 样例: x, 变化提醒: {factor}}}"), "utf-8")
    (this, last), = officials(1, seed=2)
    this["专题会议"], last["专题会议"] = 20, 10  # ×2
    (c,) = check_all([check(this, templates=tmp_path / "t")], _previous([last]))
    assert any("专题会议" in f for f in c.flags) is flagged


def test_last_year_from_a_folder_and_from_a_build(tmp_path: Path) -> None:
    pairs = officials(3, seed=4)
    write(tmp_path / "params-2023", [lt for _, lt in pairs])
    prev = read_previous(tmp_path / "params-2023")
    who = pairs[1][0]
    assert prev.find(Identity(who["单位"], who["姓名"], "2024", who["角色"]))["专题会议"] == \
        str(pairs[1][1]["专题会议"])
    last = [load(p, templates=TEMPLATES) for p in write(tmp_path / "x", [lt for _, lt in pairs])]
    save_values(tmp_path / "build" / "2023" / "审阅数据.json", last)
    from_build = read_previous(tmp_path / "build" / "2023")
    (c,) = check_all(_checked([who]), from_build)
    assert c.compared and c.rows and c.every == []
    values = tmp_path / "build" / "2023" / "审阅数据.json"
    for damaged in ("[{broken", "[" * 100_000 + "]" * 100_000, '{"a": 1}', "[1, 2]",
                    '[{"姓名": {"a": [[[]]]}}]'):
        values.write_text(damaged, "utf-8")
        prev = read_previous(tmp_path / "build" / "2023")
        assert prev.values == {}  # damaged: no comparison, never the build's end
        (c,) = check_all(_checked([who]), prev)  # … and each official is told why
        assert not c.compared and any("上年数据文件无法读取" in f and "审阅数据.json" in f
                                      for f in c.flags), c.flags


def test_where_last_year_comes_from(tmp_path: Path) -> None:
    from kit.review.flags import previous_for

    pairs = officials(2, seed=6)
    who = Identity(pairs[0][0]["单位"], pairs[0][0]["姓名"], "2024", pairs[0][0]["角色"])
    write(tmp_path / "params-2024", [t for t, _ in pairs])
    out = tmp_path / "build"
    assert previous_for(2024, tmp_path / "params-2024", out, None).values == {}  # nothing yet
    last = [load(p, templates=TEMPLATES) for p in write(tmp_path / "x", [lt for _, lt in pairs])]
    save_values(out / "2023" / "审阅数据.json", last)  # last year's build
    assert previous_for(2024, tmp_path / "params-2024", out, None).find(who)
    assert not previous_for(2025, tmp_path / "params-2024", out, None).find(who)  # 2 years
    write(tmp_path / "params", [dict(lt, 专题会议=99) for _, lt in pairs])  # kit roll's source
    assert previous_for(2024, tmp_path / "params-2024", out, None).find(who)["专题会议"] == "99"
    write(tmp_path / "上年", [dict(lt, 专题会议=77) for _, lt in pairs])  # named: wins
    assert previous_for(2024, tmp_path / "params-2024", out, tmp_path / "上年"
                        ).find(who)["专题会议"] == "77"


def test_a_wrong_change_factor_names_its_line(tmp_path: Path) -> None:
    from kit.errors import TemplateError
    from kit.report.templates import load_template

    shutil.copytree(TEMPLATES, tmp_path / "t")
    tpl = tmp_path / "t" / "镇党建办主任.md"
    tpl.write_text(tpl.read_text("utf-8").replace(
        "单位: 次, 最大: 200, 样例: x}", "单位: 次, 最大: 200, 样例: x, 变化提醒: 三倍}"), "utf-8")
    with pytest.raises(TemplateError, match="变化提醒") as err:
        load_template(tpl)
    assert err.value.problems[0].line == 11 and "三倍" in str(err.value)
