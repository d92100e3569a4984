"""Independent readers find the report's structure: a report's title is Word's built-in
Heading 1, 「一、」 Heading 2, 「（一）」 Heading 3 (Chinese Word: 标题 1/2/3).

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


def _expected(reports, titles=None) -> list[tuple[int, str]]:
    """(level, text) of each report's title and every heading that stands alone in its
    paragraph; a run-in heading is the start of a body paragraph, no heading to a reader."""
    out = []
    for i, r in enumerate(reports):
        out.append((1, titles[i] if titles else r.title))
        out += [
            (2 if b.kind == "heading1" else 3, b.heading)
            for b in r.blocks
            if b.kind != "paragraph" and not b.text
        ]
    return out


@pytest.fixture(scope="module")
def files(sample, tmp_path_factory):
    out = tmp_path_factory.mktemp("readers")
    synth = synthetic_reports(8, seed=404)
    assert any(b.kind == "heading2" and not b.text for r in synth for b in r.blocks)
    files = [(write_report(sample[0], out / "report.docx"), _expected([sample[0]]))]
    for name, reports in (("sample", sample), ("synth", synth)):
        info = write_volume(reports, out / f"{name}.docx", 2023)
        titles = [e.title for e in info.entries]
        files.append((info.path, _expected(sort_reports(reports), titles)))
    return files


def test_mammoth_finds_every_heading(files):
    for path, expected in files:
        with path.open("rb") as fh:
            html = mammoth.convert_to_html(fh).value
        # a title carries its 目录 bookmark: <h1><a id="_Toc…"></a>title</h1>
        html = re.sub(r'<a id="[^"]*"></a>', "", html)
        found = [(int(lv), text) for lv, text in re.findall(r"<h([1-6])>(.*?)</h\1>", html)]
        assert found == expected, path.name


def _pandoc_headers(blocks) -> list[tuple[int, str]]:
    def text(inlines) -> str:
        return "".join(i["c"] if i["t"] == "Str" else " " if i["t"] == "Space" else "" for i in inlines)

    return [(b["c"][0], text(b["c"][2])) for b in blocks if b["t"] == "Header"]


@pytest.mark.skipif(shutil.which("pandoc") is None, reason="pandoc not installed")
def test_pandoc_finds_every_heading(files):
    for path, expected in files:
        out = subprocess.run(
            ["pandoc", "-f", "docx", "-t", "json", str(path)], capture_output=True, check=True
        ).stdout
        assert _pandoc_headers(json.loads(out)["blocks"]) == expected, path.name
