"""Every XML part of every .docx the kit writes is valid ECMA-376 (transitional), and the
package holds only what the kit wrote: no template leftovers, properties that describe
the report."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, datetime, timedelta

import docx
import pytest
from lxml import etree

import kit
from kit.word import write_report, write_volume

from .ooxml import docx_errors, part_errors
from .synth import synthetic_reports

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def written(sample, tmp_path_factory):
    """The sample's reports and a generated set of 30 officials: each official's .docx,
    the 汇编 and the draft 汇编 of each set."""
    out = tmp_path_factory.mktemp("schema")
    sets = {"sample": sample, "synthetic": synthetic_reports(30, seed=97041)}
    files = []
    for name, reports in sets.items():
        files += [write_report(r, out / f"{name}-{i}.docx") for i, r in enumerate(reports)]
        files.append(write_volume(reports, out / f"{name}-汇编.docx", 2023).path)
        files.append(write_volume(reports, out / f"{name}-draft.docx", 2023, draft=True).path)
    return files


def test_every_part_of_every_file_is_valid(written):
    assert len(written) == 2 + 2 + 30 + 2
    for path in written:
        assert docx_errors(path) == [], path.name


def _parts(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def test_validator_rejects_a_broken_copy(written):
    """The self-check: the same volume with one paragraph's properties out of order
    (w:pStyle after w:pageBreakBefore), and python-docx's own template, are rejected."""
    document = _parts(written[-2])["word/document.xml"]
    assert part_errors("document.xml", document) == []
    swapped, n = re.subn(
        rb'(<w:pStyle w:val="Heading1"/>)(<w:pageBreakBefore/>)', rb"\2\1", document, count=1
    )
    assert n == 1
    errors = part_errors("document.xml", swapped)
    assert errors and "pStyle" in errors[0]
    # an element no schema knows
    assert part_errors("document.xml", document.replace(b"<w:body>", b"<w:body><w:kit/>", 1))
    # the template the kit no longer starts from: w:zoom without w:percent
    buf = io.BytesIO()
    docx.Document().save(buf)
    errors = part_errors("settings.xml", _parts(buf)["word/settings.xml"])
    assert errors and "percent" in " ".join(errors)


def test_only_the_kits_own_parts(written):
    for path in written:
        parts = _parts(path)
        names = set(parts)
        draft = "draft" in path.name
        assert names == {
            "[Content_Types].xml",
            "_rels/.rels",
            "word/_rels/document.xml.rels",
            "word/document.xml",
            "word/styles.xml",
            "word/settings.xml",
            "word/footer1.xml",
            "word/footer2.xml",
            "docProps/core.xml",
            "docProps/app.xml",
            *(["word/header1.xml", "word/header2.xml"] if draft else []),
        }, path.name
        # every part has its content type; every relationship points at a part
        types = etree.fromstring(parts["[Content_Types].xml"])
        overridden = {o.get("PartName") for o in types if o.get("PartName")}
        assert overridden == {f"/{n}" for n in names if not n.endswith((".rels", "].xml"))}
        for rels, base in (("_rels/.rels", ""), ("word/_rels/document.xml.rels", "word/")):
            targets = {base + r.get("Target") for r in etree.fromstring(parts[rels])}
            assert targets <= names
        blob = b"".join(parts.values())
        for stale in (b"python-docx", b"Macintosh", b"stylesWithEffects", b"thumbnail"):
            assert stale not in blob, (path.name, stale)
        settings = etree.fromstring(parts["word/settings.xml"])
        assert settings.find(f"{W}zoom").get(f"{W}percent") == "100"


def test_properties_describe_the_report(tmp_path):
    rep = synthetic_reports(1, seed=3)[0]
    before = datetime.now(UTC).replace(microsecond=0)
    doc = docx.Document(str(write_report(rep, tmp_path / "r.docx")))
    core = doc.core_properties
    assert core.title == rep.title and core.author == rep.name
    assert rep.role in core.subject and rep.name in core.subject
    assert before - timedelta(seconds=1) <= core.created == core.modified
    assert core.modified <= datetime.now(UTC) + timedelta(seconds=1)
    assert "述职报告 kit" in core.last_modified_by
    app = etree.fromstring(_parts(tmp_path / "r.docx")["docProps/app.xml"])
    ns = "{http://schemas.openxmlformats.org/officeDocument/2006/extended-properties}"
    assert app.findtext(f"{ns}Application") == f"述职报告 kit {kit.__version__}"
    assert app.findtext(f"{ns}Company") == rep.unit
