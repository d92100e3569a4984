"""Rendering each sample role with every blank at the sample's own text gives the sample back.

The comparison is against the seed file itself, paragraph for paragraph, character for
character.  The only differences allowed are listed in ``tests.seed.as_the_kit_renders_it``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from kit.report.render import render_placeholders
from kit.report.templates import load_roles
from tests.conftest import ROOT, SEED
from tests.seed import TITLES, as_the_kit_renders_it, seed_reports

# SHA-256 of shared/seed/000_a585933d92d127be.txt, so a clone without shared/ checks too.
SEED_SHA256 = "83fba87da11bf4ceac5e113fe7c9a53de6da7836e54fd3cb4b3a26f21b46de16"


def test_fixture_is_the_seed_itself() -> None:
    assert hashlib.sha256(SEED.read_bytes()).hexdigest() == SEED_SHA256
    shared = ROOT.parent / "shared" / "seed" / "000_a585933d92d127be.txt"
    if shared.exists():
        assert hashlib.sha256(shared.read_bytes()).hexdigest() == SEED_SHA256


@pytest.mark.parametrize("role", list(TITLES))
def test_placeholder_rendering_reproduces_the_sample(role: str) -> None:
    template = load_roles(ROOT / "templates")[role]
    report = render_placeholders(template)
    rendered = [report.title] + [b.full for b in report.blocks]
    expected = as_the_kit_renders_it(role, seed_reports()[role])
    assert len(rendered) == len(expected)
    for i, (got, want) in enumerate(zip(rendered, expected, strict=True)):
        assert got == want, f"paragraph {i} differs"


def test_every_x_blank_of_the_sample_is_a_field() -> None:
    """Counting blanks: each `x`/`xx`/`xxx` run of the sample is one field occurrence."""
    import re

    roles = load_roles(ROOT / "templates")
    sample = seed_reports()
    for role, paragraphs in sample.items():
        blanks = re.findall(r"x+", "".join(paragraphs))
        body = roles[role].body
        used = [k for k, f in roles[role].fields.items() if f.sample.startswith("x")
                for _ in re.finditer(r"\{\{ " + k + r" \}\}", body)]
        assert len(blanks) == len(used), role


def test_derived_figures_follow_the_year() -> None:
    template = load_roles(ROOT / "templates")["镇委书记"]
    from kit.report.render import render

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
