"""Rendering each sample role with every blank at the sample's own text gives the sample back.

The comparison is against the seed file itself, paragraph for paragraph, character for
character.  The only differences allowed are listed in ``_as_the_kit_renders_it``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from kit.render import render_placeholders
from kit.templates import load_roles
from tests.conftest import ROOT, SEED

TITLES = {"镇党建办主任": "2023年度述职报告（镇党建办主任）", "镇委书记": "2023年度述职报告（镇委书记）"}


def _sample_reports() -> dict[str, list[str]]:
    """The seed's two reports as lists of paragraphs (title first)."""
    lines = [line.strip().strip("\u3000") for line in SEED.read_text("utf-8").split("\n")]
    lines = [line for line in lines if line]
    starts = [i for i, line in enumerate(lines) if line in TITLES.values()]
    assert len(starts) == 2, "the seed has two report titles after its 目录"
    out = {}
    for role, (a, b) in zip(TITLES, [(starts[0], starts[1]), (starts[1], len(lines))],
                            strict=True):
        out[role] = lines[a:b]
    return out


def _as_the_kit_renders_it(role: str, paragraphs: list[str]) -> list[str]:
    """The sample with exactly the changes the kit makes on purpose."""
    out = []
    for p in paragraphs:
        # 1. Junk from the download site is never output.
        p = p.replace("##paidbegin##", "").replace("##paidend##", "")
        if not p:
            continue
        # 2. The run-in item becomes an item of its own (its clause ends with 。).
        if "增收渠道，三是发挥专合组织带动作用。" in p:
            head, tail = p.split("，三是", 1)
            out += [head + "。", "三是" + tail]
            continue
        # 3. The sample mixes 「乡党委」 into a 镇 report; the kit prints the unit's kind.
        if role == "镇党建办主任" and p.startswith("2023年，在县委、县政府和乡党委"):
            p = p.replace("和乡党委", "和镇党委", 1)
        out.append(p)
    return out


def test_fixture_is_the_seed_itself() -> None:
    shared = ROOT.parent / "shared" / "seed" / "000_a585933d92d127be.txt"
    if not shared.exists():
        pytest.skip("shared/ not beside this checkout")
    assert hashlib.sha256(shared.read_bytes()).digest() == \
        hashlib.sha256(SEED.read_bytes()).digest()


@pytest.mark.parametrize("role", list(TITLES))
def test_placeholder_rendering_reproduces_the_sample(role: str) -> None:
    template = load_roles(ROOT / "templates")[role]
    report = render_placeholders(template)
    rendered = [report.title] + [b.full for b in report.blocks]
    expected = _as_the_kit_renders_it(role, _sample_reports()[role])
    assert len(rendered) == len(expected)
    for i, (got, want) in enumerate(zip(rendered, expected, strict=True)):
        assert got == want, f"paragraph {i} differs"


def test_every_x_blank_of_the_sample_is_a_field() -> None:
    """Counting blanks: each `x`/`xx`/`xxx` run of the sample is one field occurrence."""
    import re

    roles = load_roles(ROOT / "templates")
    sample = _sample_reports()
    for role, paragraphs in sample.items():
        blanks = re.findall(r"x+", "".join(paragraphs))
        body = roles[role].body
        used = [k for k, f in roles[role].fields.items() if f.sample.startswith("x")
                for _ in re.finditer(r"\{\{ " + k + r" \}\}", body)]
        assert len(blanks) == len(used), role


def test_derived_figures_follow_the_year() -> None:
    template = load_roles(ROOT / "templates")["镇委书记"]
    from kit.render import render

    values = {f.key: f.parse("1") for f in template.fields.values() if f.required}
    values.update({"姓名": "张三", "单位": "西河乡", "单位类别": "乡", "所属县": "某县",
                   "省份": "甘肃", "年度": 2024, "造林村": "石门", "视察讲话地": "甘肃"})
    text = "".join(template and render(template, values).paragraphs())
    assert "建党103周年" in text and "建党102周年" not in text
    assert "全乡" in text and "全镇" not in text
    assert render(template, values).title == "2024年度述职报告（乡委书记）"


def test_shipped_templates_have_no_stray_path(tmp_path: Path) -> None:
    for path in (ROOT / "templates").glob("*.md"):
        assert "/work/" not in path.read_text("utf-8")
