"""kit import against the corpus: each sample gives the hand-written templates exactly,
needs no repair, renders its sample back, and notes every guess."""

from __future__ import annotations

import re

import pytest

from kit.report.render import render, render_placeholders
from kit.report.templates import load_template
from kit.sources.importer import convert as import_convert
from kit.sources.importer import import_sample, sample_values
from tests.sources.importer.corpus import expected, sample_file, samples, without_comments

BLANK_CHARS = re.compile(r"[xXｘＸ×]")


@pytest.mark.parametrize("sample", samples(), ids=lambda p: p.name)
def test_sample_gives_the_expected_templates(tmp_path, sample):
    paths = import_sample(sample_file(sample, tmp_path), out_dir=tmp_path / "templates")
    want = expected(sample)
    assert want, f"no expected template for {sample.name}"
    got = {load_template(p).role: p.read_text("utf-8") for p in paths}
    assert sorted(got) == sorted(want)
    for role, text in got.items():
        assert without_comments(text) == without_comments(want[role]), role
        assert "请核对：第" not in text  # the template renders its sample back


@pytest.mark.parametrize("sample", samples(), ids=lambda p: p.name)
def test_labels_are_what_a_clerk_would_write(tmp_path, sample):
    for path in import_sample(sample_file(sample, tmp_path), out_dir=tmp_path / "t"):
        t = load_template(path)
        labels = [f.label for f in t.fields.values()]
        assert len(labels) == len(set(labels)), labels  # unique within the role
        for f in t.fields.values():
            assert not BLANK_CHARS.search(f.label) and "待填" not in f.label, f.label
            assert len(f.label) >= 2
        notes = path.read_text("utf-8")
        for f in t.fields.values():  # every guess of a type beyond the unit's is said
            if f.type.zh in ("日期", "增长率", "百分比", "整数（千分位）", "小数（千分位）"):
                assert f"字段「{f.key}」" in notes, f.key
        assert render_placeholders(t).paragraphs()


def test_docx_sample_is_read_from_its_runs(tmp_path):
    sample = next(s for s in samples() if s.name.endswith(".docx.txt") and "汇编" not in s.name)
    docx_file = sample_file(sample, tmp_path)
    (path,) = import_sample(docx_file, out_dir=tmp_path / "t")
    paragraphs = [ln for ln in sample.read_text("utf-8").splitlines() if ln.strip()]
    t = load_template(path)
    got = render(t, sample_values(t, {"年度": 2023, "单位类别": "乡"})).paragraphs()
    assert got == paragraphs


@pytest.mark.parametrize("sample", samples(), ids=lambda p: p.name)
def test_unit_word_follows_the_official(tmp_path, sample):
    """Rendered for an official of the other kind, no unit word of the sample's kind is
    left — except 城镇、乡镇、乡村 and what the notes name as kept on purpose."""
    for path in import_sample(sample_file(sample, tmp_path), out_dir=tmp_path / "t"):
        t = load_template(path)
        mine = "乡" if "乡" in t.role[:1] else "镇"
        other = "镇" if mine == "乡" else "乡"
        values = sample_values(t, {"年度": 2023, "单位类别": other})
        text = "\n".join(render(t, values).paragraphs())
        left = re.sub(r"城镇|乡镇|乡村|城乡", "", text)
        assert mine not in left, [ln for ln in text.splitlines() if mine in ln]


def test_kind_word_kept_as_text_is_named_in_a_note():
    text = "2023年度述职报告（镇长）\n一、工作\n在青石镇召开现场会x次，全镇新建道路xx公里。\n"
    (imp,) = import_convert(text)
    assert "全{{ 单位类别 }}新建" in imp.body
    assert "青石镇" in imp.body
    assert any("没有换成 {{ 单位类别 }}" in n and "青石镇" in n for n in imp.notes)


def test_keys_do_not_depend_on_what_was_imported_before():
    """jieba's add_word shifts its dictionary each call: the tokenizer is set up once."""
    sample = samples()[0]
    text = sample.read_text("utf-8")
    first = [imp.source("x") for imp in import_convert(text)]
    for other in samples()[1:] * 5:
        import_convert(other.read_text("utf-8"))
    assert [imp.source("x") for imp in import_convert(text)] == first
