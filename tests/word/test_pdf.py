"""LibreOffice's PDF is the referee: 目录 page numbers, 22-line pages, page numbers, text.

Slow (one soffice run for everything, ~10 s); skipped only when LibreOffice is absent.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kit.word import pages as page_model
from kit.word import write_report
from kit.word.paragraphs import block_para
from kit.word.pdf import convert_to_pdf
from kit.word.volume import VolumeInfo, sort_reports, write_volume

from .conftest import needs_soffice
from .pdftools import (
    Line,
    body_lines,
    footer_lines,
    footer_text,
    header_lines,
    page_count,
    pdf_pages,
)

pytestmark = [pytest.mark.slow, needs_soffice]

WS = re.compile(r"\s+")


@pytest.fixture(scope="module")
def rendered(sample, synthetic36, tmp_path_factory):
    out = tmp_path_factory.mktemp("pdf")
    vols = {
        "sample": write_volume(sample, out / "sample.docx", 2023),
        "synthetic": write_volume(synthetic36, out / "synthetic.docx", 2023),
        "draft": write_volume(synthetic36, out / "draft.docx", 2023, draft=True),
    }
    singles = [write_report(r, out / f"r{i}.docx") for i, r in enumerate(synthetic36[:12])]
    docx = [v.path for v in vols.values()] + singles
    written = {p: p.read_bytes() for p in docx}
    pdfs = convert_to_pdf(docx)  # one soffice call
    return {
        "vols": {k: (v, pdfs[i]) for i, (k, v) in enumerate(vols.items())},
        "singles": list(zip(synthetic36[:12], pdfs[len(vols) :], strict=True)),
        "written": written,
        "out": out,
    }


def _check_volume(info: VolumeInfo, pdf: Path, reports) -> None:
    pages = pdf_pages(pdf)
    assert page_count(pdf) == info.total_pages == len(pages)
    # the printed 目录 (pdftotext) lists every entry with its page number
    toc_text = [WS.sub("", ln.text) for pg in pages[: info.toc_pages] for ln in body_lines(pg)]
    candidates = toc_text + [a + b for a, b in zip(toc_text, toc_text[1:], strict=False)]
    for e in info.entries:  # one line, or two for a long title
        pat = re.compile(re.escape(e.text) + r"\.{3,}" + str(e.page))
        assert any(pat.fullmatch(c) for c in candidates), e
    # every report starts on the page its entry says, at the top of the page
    starts = {}
    for n, pg in enumerate(pages, 1):
        lines = body_lines(pg)
        if lines and lines[0].row <= 1:
            starts[WS.sub("", lines[0].text)] = n
    for e in info.entries:
        first = body_lines(pages[e.page - 1])[0]
        assert first.row <= 1 and WS.sub("", first.text) == e.title[: len(WS.sub("", first.text))]
        if e.page > 1:  # the page before ends another report (or the 目录)
            assert not body_lines(pages[e.page - 1])[0].text.startswith(" ")
    # page numbers 「— n —」, odd pages right, even pages left
    for n, pg in enumerate(pages, 1):
        assert re.fullmatch(rf"—\s*{n}\s*—", footer_text(pg).strip()), (n, footer_text(pg))
        foot = footer_lines(pg)
        assert (foot[0].x > 300) if n % 2 else (foot[0].x < 150)
    # nothing lost: the report pages hold exactly the reports' text
    got = "".join(ln.text for pg in pages[info.toc_pages :] for ln in body_lines(pg))
    ordered = sort_reports(reports)
    want = "".join(
        e.title + rep.byline + "".join(b.full for b in rep.blocks)
        for e, rep in zip(info.entries, ordered, strict=True)
    )
    assert WS.sub("", got) == WS.sub("", want)


def _full_pages_have_22_lines(pages: list[list[Line]], first: int, last: int) -> None:
    """A page followed by more of the same report is full unless a heading moved on."""
    for n in range(first, last):
        rows = [ln.row for ln in body_lines(pages[n - 1])]
        assert max(rows) <= 21
        nxt = body_lines(pages[n])[0]
        if max(rows) < 21:
            assert nxt.x > 100, f"page {n} short without a heading moving on"


def test_sample_volume_pdf(rendered, sample):
    info, pdf = rendered["vols"]["sample"]
    assert [e.page for e in info.entries] == [2, 7]
    _check_volume(info, pdf, sample)


def test_synthetic_volume_pdf(rendered, synthetic36):
    info, pdf = rendered["vols"]["synthetic"]
    assert len(info.entries) == 36
    _check_volume(info, pdf, synthetic36)
    pages = pdf_pages(pdf)
    bounds = [e.page for e in info.entries] + [info.total_pages + 1]
    for a, b in zip(bounds, bounds[1:], strict=False):
        _full_pages_have_22_lines(pages, a, b - 1)


def test_model_lines_match_pdf(rendered):
    """Line by line, the grid model breaks lines where LibreOffice does."""
    for rep, pdf in rendered["singles"]:
        pages = pdf_pages(pdf)
        assert len(pages) == page_model.pages_of(rep)
        got = [WS.sub("", ln.text) for pg in pages for ln in body_lines(pg)]
        got = got[page_model.title_lines(rep.title) + (1 if rep.byline else 0) :]
        want = [WS.sub("", x) for b in rep.blocks for x in page_model.para_lines(block_para(b))]
        assert got == want, rep.title


def test_draft_volume_paginates_as_the_final_one(rendered, synthetic36):
    """The draft mark sits under the volume title (in the blank line's place) and in the
    header, outside the text block: every page holds the same lines as the final's."""
    final_info, final_pdf = rendered["vols"]["synthetic"]
    info, pdf = rendered["vols"]["draft"]
    assert [e.page for e in info.entries] == [e.page for e in final_info.entries]
    _check_volume(info, pdf, synthetic36)
    final, draft = pdf_pages(final_pdf), pdf_pages(pdf)
    assert len(draft) == len(final) == info.total_pages
    for n, (a, b) in enumerate(zip(final, draft, strict=True), 1):
        rows_a = [(ln.row, WS.sub("", ln.text)) for ln in body_lines(a)]
        rows_b = [(ln.row, WS.sub("", ln.text)) for ln in body_lines(b)]
        if n == 1:  # the cover: the mark on the title's blank line
            assert ("（征求意见稿）" in [t for _, t in rows_b]) and len(rows_b) == len(rows_a) + 1
            rows_b = [r for r in rows_b if r[1] != "（征求意见稿）"]
        assert rows_a == rows_b, n
        assert header_lines(a) == []
        (head,) = header_lines(b)
        assert head.text == "征求意见稿" and head.x < 100  # top left, above the text block
        assert footer_text(a) == footer_text(b)


def test_run_in_headings_share_their_line_with_the_text(rendered, sample, synthetic36):
    """「三、以“三抓三促”…建设。」 is a style separator in the .docx; in the PDF the line on
    which the heading ends goes on with its text (LibreOffice gets it joined)."""
    for name, reports in (("sample", sample), ("synthetic", synthetic36)):
        _, pdf = rendered["vols"][name]
        text = "\n".join(WS.sub("", ln.text) for pg in pdf_pages(pdf) for ln in body_lines(pg))
        run_ins = [b for r in reports for b in r.blocks if b.heading and b.text]
        assert run_ins
        for b in run_ins:
            heading = "\n?".join(map(re.escape, WS.sub("", b.heading)))
            assert re.search(heading + re.escape(WS.sub("", b.text)[:2]), text), b.heading
    # the .docx files are left as written, and nothing else is left behind
    for path, data in rendered["written"].items():
        assert path.read_bytes() == data, path.name
    assert not [p.name for p in rendered["out"].iterdir() if p.name.startswith(".")]
