"""Independent readers find the report's structure: a report's title is Word's built-in
Heading 1, 「一、」 Heading 2, 「（一）」 Heading 3 (Chinese Word: 标题 1/2/3) — a run-in
heading too (「三、以“三抓三促”…建设。」 and its text on one line): it is Word's style
separator, a heading paragraph whose hidden paragraph mark runs it into the next one.

mammoth (PyPI), pandoc (Debian package ``pandoc``; skipped when absent) and python-docx
read the shipped parameter files' reports, the seed sample's and a generated set with
「（一）」 subheadings, alone and run in."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import docx
import mammoth
import pytest
from docx.oxml.ns import qn

from kit.build.official import report_of
from kit.report.params import load
from kit.word import write_report, write_volume
from kit.word.volume import sort_reports
from tests.conftest import ROOT

from .synth import synthetic_reports

LEVEL = {"heading1": 2, "heading2": 3}


def _expected(reports, titles=None) -> list[tuple[int, str]]:
    """(level, text) of each report's title and every heading, alone or run in."""
    out = []
    for i, r in enumerate(reports):
        out.append((1, titles[i] if titles else r.title))
        out += [(LEVEL[b.kind], b.heading) for b in r.blocks if b.kind != "paragraph"]
    return out


def shipped_reports() -> list:
    """The reports of the parameter files in params/, rendered from templates/."""
    return [
        report_of(load(p, templates=ROOT / "templates"))
        for p in sorted((ROOT / "params").glob("*.yaml"))
    ]


def _run_ins(reports) -> list[str]:
    return [b.heading for r in reports for b in r.blocks if b.kind != "paragraph" and b.text]


@pytest.fixture(scope="module")
def files(sample, tmp_path_factory):
    """(path, reports in file order, expected headings) of each report alone and of
    each set's 汇编."""
    out = tmp_path_factory.mktemp("readers")
    shipped = shipped_reports()
    synth = synthetic_reports(8, seed=404)
    # what the tests are about: each set has run-in headings (the seed's 「三、」)
    assert _run_ins(shipped) and _run_ins(sample)
    assert {b.kind for r in synth for b in r.blocks if b.text and b.heading} == set(LEVEL)
    assert any(b.kind == "heading2" and not b.text for r in synth for b in r.blocks)
    files = [
        (write_report(r, out / f"{i}.docx"), [r], _expected([r]))
        for i, r in enumerate([*shipped, sample[0]])
    ]
    for name, reports in (("shipped", shipped), ("sample", sample), ("synth", synth)):
        info = write_volume(reports, out / f"{name}.docx", 2023)
        titles = [e.title for e in info.entries]
        ordered = sort_reports(reports)
        files.append((info.path, ordered, _expected(ordered, titles)))
    return files


def test_mammoth_finds_every_heading(files):
    for path, _, expected in files:
        with path.open("rb") as fh:
            html = mammoth.convert_to_html(fh).value
        # a title carries its 目录 bookmark: <h1><a id="_Toc…"></a>title</h1>
        html = re.sub(r'<a id="[^"]*"></a>', "", html)
        found = [(int(lv), text) for lv, text in re.findall(r"<h([1-6])>(.*?)</h\1>", html)]
        assert found == expected, path.name


def _text(inlines) -> str:
    """Plain text of pandoc inlines; 「“…”」 is a Quoted inline in pandoc's AST."""
    out = []
    for i in inlines:
        if i["t"] == "Str":
            out.append(i["c"])
        elif i["t"] == "Space":
            out.append(" ")
        elif i["t"] == "Quoted":
            double = i["c"][0]["t"] == "DoubleQuote"
            out.append(("“{}”" if double else "‘{}’").format(_text(i["c"][1])))
    return "".join(out)


def _pandoc_headers(blocks) -> list[tuple[int, str]]:
    return [(b["c"][0], _text(b["c"][2])) for b in blocks if b["t"] == "Header"]


@pytest.mark.skipif(shutil.which("pandoc") is None, reason="pandoc not installed")
def test_pandoc_finds_every_heading(files):
    for path, _, expected in files:
        out = subprocess.run(
            ["pandoc", "-f", "docx", "-t", "json", str(path)], capture_output=True, check=True
        ).stdout
        assert _pandoc_headers(json.loads(out)["blocks"]) == expected, path.name


def _paragraphs(path: Path) -> list[tuple[str, str, bool]]:
    """(style name, text, paragraph mark hidden as a style separator) of each paragraph."""
    out = []
    for p in docx.Document(str(path)).paragraphs:
        mark = p._p.pPr.find(qn("w:rPr")) if p._p.pPr is not None else None
        hidden = mark is not None and all(
            mark.find(qn(f"w:{tag}")) is not None for tag in ("vanish", "specVanish")
        )
        out.append((p.style.name, p.text, hidden))
    return out


def test_python_docx_reads_run_in_headings_with_their_style(files):
    """Every heading is a paragraph in its heading style holding only the heading; a
    run-in one's mark is a style separator and the next, Normal paragraph holds its
    text.  No other paragraph mark is hidden."""
    for path, reports, _ in files:
        paras = _paragraphs(path)
        k = 0
        for b in (b for r in reports for b in r.blocks if b.kind != "paragraph"):
            want = ("Heading 2" if b.kind == "heading1" else "Heading 3", b.heading, bool(b.text))
            k = paras.index(want, k) + 1  # in order
            if b.text:
                assert paras[k] == ("Normal", b.text, False), (path.name, b.heading)
        assert sum(hidden for *_, hidden in paras) == len(_run_ins(reports)), path.name
