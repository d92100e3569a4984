"""Independent readers find the report's structure: headings are Word's built-in
Heading 1 / Heading 2 (Chinese Word: 标题 1 / 标题 2), the title is Title.

mammoth (PyPI) and pandoc (Debian package ``pandoc``; skipped when absent) read the
sample's reports and a generated set with 「（一）」 subheadings."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import mammoth
import pytest

from kit.word import write_report, write_volume
from kit.word.volume import sort_reports

from .synth import synthetic_reports


def _expected(reports) -> list[tuple[int, str]]:
    """(level, text) of every heading that stands alone in its paragraph; a run-in
    heading is the start of a body paragraph and no heading to a reader."""
    return [
        (1 if b.kind == "heading1" else 2, b.heading)
        for r in reports
        for b in r.blocks
        if b.kind != "paragraph" and not b.text
    ]


@pytest.fixture(scope="module")
def files(sample, tmp_path_factory):
    out = tmp_path_factory.mktemp("readers")
    synth = synthetic_reports(8, seed=404)
    assert any(b.kind == "heading2" and not b.text for r in synth for b in r.blocks)
    return [
        (write_report(sample[0], out / "report.docx"), [sample[0]]),
        (write_volume(sample, out / "sample.docx", 2023).path, sort_reports(sample)),
        (write_volume(synth, out / "synth.docx", 2023).path, sort_reports(synth)),
    ]


def test_mammoth_finds_every_heading(files):
    for path, reports in files:
        with path.open("rb") as fh:
            html = mammoth.convert_to_html(fh).value
        found = [(int(lv), text) for lv, text in re.findall(r"<h([1-6])>(.*?)</h\1>", html)]
        assert found == _expected(reports), path.name
        assert found


def _pandoc_headers(blocks) -> list[tuple[int, str]]:
    def text(inlines) -> str:
        return "".join(i["c"] if i["t"] == "Str" else " " if i["t"] == "Space" else "" for i in inlines)

    return [(b["c"][0], text(b["c"][2])) for b in blocks if b["t"] == "Header"]


@pytest.mark.skipif(shutil.which("pandoc") is None, reason="pandoc not installed")
def test_pandoc_finds_every_heading_and_the_title(files):
    for path, reports in files:
        out = subprocess.run(
            ["pandoc", "-f", "docx", "-t", "json", str(path)], capture_output=True, check=True
        ).stdout
        doc = json.loads(out)
        assert _pandoc_headers(doc["blocks"]) == _expected(reports), path.name
    # a single report's Title paragraph is the document's title to pandoc
    single = json.loads(
        subprocess.run(
            ["pandoc", "-f", "docx", "-t", "json", str(files[0][0])],
            capture_output=True,
            check=True,
        ).stdout
    )
    title = single["meta"]["title"]["c"]
    assert "".join(i.get("c", "") for i in title if i["t"] == "Str") == files[0][1][0].title
