"""The grid page model (no LibreOffice needed; tests/word/test_pdf.py checks it against PDFs)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from kit.report.model import Block, Report
from kit.word import pages as page_model
from kit.word.pages import Run, break_lines, paginate
from kit.word.paragraphs import Para, Span, block_para, report_plan


def _para(lines: int, kind: str = "body", new_page: bool = False) -> Para:
    """A body paragraph (or a heading) of ``lines`` grid lines: 26 cells after the indent."""
    text = "甲" * (26 + 28 * (lines - 1))
    return Para(kind, (Span(text),), page_break_before=new_page)


def _lines(text: str, indent: bool = True) -> list[str]:
    return break_lines([Run(text)], indent_pt=31.5 if indent else 0)


def test_28_cells_a_line_26_after_indent():
    assert [len(x) for x in _lines("甲" * 60)] == [26, 28, 6]
    assert [len(x) for x in _lines("甲" * 56, indent=False)] == [28, 28]


def test_closing_punctuation_never_starts_a_line():
    lines = _lines("甲" * 26 + "，乙")
    assert lines == ["甲" * 25, "甲，乙"]  # the comma takes its character along
    for text in ["甲" * 26 + "。", "甲" * 25 + "”，乙", "甲" * 26 + "》"]:
        assert all(ln[0] not in page_model.CLOSING for ln in _lines(text)[1:]), text


def test_opening_punctuation_never_ends_a_line():
    lines = _lines("甲" * 25 + "《乙》")
    assert lines[0] == "甲" * 25 and lines[1].startswith("《")


def test_latin_digits_narrower_and_unbreakable():
    # 26 cells after the indent; digits are ~0.55 em, so more characters fit
    first = _lines("甲" * 10 + "2023" * 6 + "乙" * 30)[0]
    assert "2023" * 6 in first and len(first) > 26
    # a number is never split across lines
    for ln in _lines("甲" * 24 + "123456789乙"):
        assert ln.count("1") == 0 or "123456789" in ln


def test_comma_keeps_following_number():
    # LibreOffice does not break between 「，」 and a number
    lines = _lines("甲" * 24 + "，2023年")
    assert lines[1].startswith("甲，2023") or lines[0].endswith("，2023")


def test_paginate_22_lines_and_headings_kept_with_next():
    assert [page_model.grid_rows(_para(n)) for n in (1, 5, 22)] == [1, 5, 22]
    starts, pages = paginate([_para(22), _para(1)])
    assert starts == [1, 2] and pages == 2
    # a heading on the last line moves to the next page with its paragraph
    starts, _ = paginate([_para(21), _para(1, "heading1"), _para(5)])
    assert starts == [1, 2, 2]
    starts, _ = paginate([_para(20), _para(1, "heading1"), _para(5)])
    assert starts == [1, 1, 1]
    # two headings in a row move together
    starts, _ = paginate([_para(20), _para(1, "heading1"), _para(1, "heading2"), _para(5)])
    assert starts == [1, 2, 2, 2]
    starts, pages = paginate([_para(3, new_page=True), _para(1, new_page=True)])
    assert starts == [1, 2] and pages == 2


def test_title_takes_two_grid_lines_per_line():
    rep = Report("2023年度述职报告（镇党建办主任）", "", (Block("paragraph", "", "甲" * 26),))
    assert page_model.grid_rows(report_plan(rep)[0]) == 2
    long = Report("很" * 25, "", ())
    assert page_model.grid_rows(report_plan(long)[0]) == 4  # 20 characters of 22 pt a line


def test_trailing_spaces_hang_into_the_margin():
    # 26 cells fill the first line; a space after the last one does not push it down
    assert _lines("甲" * 26 + " 乙") == ["甲" * 26 + " ", "乙"]
    assert _lines("甲" * 24 + "ab  cd") == ["甲" * 24 + "ab  ", "cd"]


def test_sample_reports_page_counts(sample):
    # the sample 汇编's 目录: report 1 on page 2, report 2 on page 7
    assert [page_model.pages_of(r) for r in sample] == [5, 6]
    assert page_model.start_pages(sample) == [2, 7]


def test_title_is_bold_and_breaks_before_middle_dot():
    # The 1,000-report volume drifted from here: the title face is Noto Serif CJK *Bold*
    # (wider digits), so this title wraps in LibreOffice, and 「·11」 goes down whole.
    t = "2023年度述职报告（镇财政所所长·杨帆·11）"
    assert page_model.break_title(t) == ["2023年度述职报告（镇财政所所长·杨帆", "·11）"]
    assert page_model.break_title(t.replace("·11", "·1")) == [t.replace("·11", "·1")]
    # in regular weight the same line would still fit: the face matters
    regular = break_lines([Run(t)], size_pt=22, spacing_pt=0, indent_pt=0)
    assert len(regular) == 1
    # a title of two lines is four grid lines: one body line more, and a page more
    rep = Report(t, "", tuple(Block("paragraph", "", "甲" * 20) for _ in range(18)))
    assert page_model.pages_of(rep) == 2


def test_line_breaking_rules_hold_on_generated_text():
    """On every paragraph of 60 generated reports: lines put back together are the text;
    no line but the first starts with closing punctuation, none ends with opening
    punctuation, and no number or Latin word is split."""
    from .synth import synthetic_reports

    for rep in synthetic_reports(60, seed=7):
        for block in rep.blocks:
            lines = page_model.para_lines(block_para(block))
            assert "".join(lines) == block.full
            for a, b in zip(lines, lines[1:], strict=False):
                assert b[0] not in page_model.CLOSING and a[-1] not in page_model.OPENING, (a, b)
                assert not (a[-1].isascii() and a[-1].isalnum() and b[0].isascii() and b[0].isalnum())


_ALPHABET = "甲乙中国，。、；：？！）》」”（《「“·—…％ ab1203.,;:!?()%-"


@given(st.text(alphabet=_ALPHABET, max_size=200), st.sampled_from(["serif", "sans", "kai"]))
@settings(max_examples=300, deadline=None)
def test_line_breaking_properties(text, face):
    """Any mix of Chinese, punctuation, Latin, digits and spaces: the lines are the
    text; no line but the first starts with closing punctuation, none but the last ends
    with opening punctuation; no Latin word or number is split."""
    lines = break_lines([Run(text, face)])
    assert "".join(lines) == text
    for a, b in zip(lines, lines[1:], strict=False):
        assert a and b
        assert b[0] not in page_model.CLOSING and a[-1] not in page_model.OPENING, (a, b)
        assert not (a[-1].isascii() and a[-1].isalnum() and b[0].isascii() and b[0].isalnum())
