"""A real ``kit build``: good, broken and hostile parameter files side by side."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from urllib.parse import unquote

import docx
import nbformat
import pytest

GOOD = {"东山镇-镇党建办主任-李明华": "李明华", "东山镇-镇委书记-王建国": "王建国", "恶意-值": "孙八"}


@pytest.mark.slow
def test_exit_status_and_summary(built: tuple[Path, int, str]) -> None:
    root, code, summary = built
    assert code != 0
    assert "共 7 份：3 成功，4 失败。" in summary
    for name in ("恶意-字段名.yaml", "错误-中文数字.yaml", "测试-除零.yaml", "gbk.yaml"):
        assert name in summary
    assert "不认识的字段" in summary and "应填阿拉伯数字" in summary and "算不出来" in summary


@pytest.mark.slow
def test_good_officials_have_every_output(built: tuple[Path, int, str]) -> None:
    year = built[0] / "build" / "2023"
    for stem, name in GOOD.items():
        nb = nbformat.read(year / "notebooks" / f"{stem}.ipynb", as_version=4)
        assert nb.metadata.papermill.parameters["params_file"].endswith(f"{stem}.yaml")
        assert not nb.metadata.papermill.get("exception")
        (path,) = (year / "docx").glob(f"*{name}.docx")
        text = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
        assert "2023年度述职报告" in text and name in text
        page = (year / "review" / f"{stem}.html").read_text("utf-8")
        assert name in page and "已生成" in page
        assert "Traceback" not in page and "kit_nb" not in page and "params_file" not in page
    # every output was renamed into place: no scratch notebook or temp file is left behind
    leftovers = [p.name for p in year.rglob(".*")]
    assert leftovers == [], leftovers


@pytest.mark.slow
def test_hostile_parameters_never_ran(built: tuple[Path, int, str]) -> None:
    root = built[0]
    assert not list(root.rglob("PWNED"))
    (path,) = (root / "build" / "2023" / "docx").glob("*孙八.docx")
    text = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    assert "__import__('os').system('touch PWNED')" in text  # kept as typed, as data
    assert "{% raw %}x{% endraw %}" in text


@pytest.mark.slow
def test_failures_in_index_with_their_reasons(built: tuple[Path, int, str]) -> None:
    year = built[0] / "build" / "2023"
    index = html.unescape((year / "review" / "index.html").read_text("utf-8"))
    assert "3 份已生成" in index and "4 份未生成" in index
    for reason in ("不认识的字段", "x; open('PWNED', 'w')", "应填阿拉伯数字", "算不出来",
                   "GBK"):
        assert reason in index, reason


@pytest.mark.slow
def test_every_index_link_works(built: tuple[Path, int, str]) -> None:
    review = built[0] / "build" / "2023" / "review"
    page = (review / "index.html").read_text()
    rows = json.loads(re.search(r'<script type="application/json" id="data">(.*?)</script>', page,
                                re.S).group(1))  # the table is drawn from this data block
    links = [unquote(h) for h in re.findall(r'href="([^"]+)"', page)]
    links += [unquote(r[k]) for r in rows for k in ("html", "docx") if r[k]]
    assert len([h for h in links if h.endswith(".html")]) == 7  # every file has a page
    # only the good have Word files; the 汇编 is linked once, above the table
    assert len([h for h in links if h.startswith("../docx/") and h.endswith(".docx")]) == 3
    assert links.count("../2023年度述职报告汇编.docx") == 1
    for link in links:
        assert (review / link).is_file(), link


@pytest.mark.slow
def test_volume_is_built_from_the_executed_notebooks(built: tuple[Path, int, str]) -> None:
    volume = built[0] / "build" / "2023" / "2023年度述职报告汇编.docx"
    text = "\n".join(p.text for p in docx.Document(str(volume)).paragraphs)
    for name in GOOD.values():
        assert name in text
    assert "赵六" not in text and "周九" not in text


@pytest.mark.slow
def test_bad_files_never_reach_papermill(built: tuple[Path, int, str]) -> None:
    year = built[0] / "build" / "2023"
    executed = {p.stem for p in (year / "notebooks").glob("*.ipynb")}
    assert executed == {*GOOD, "测试-除零"}
    page = (year / "review" / "错误-中文数字.html").read_text("utf-8")
    assert "应填阿拉伯数字" in page and "没有运行笔记本" in page


@pytest.mark.slow
def test_failed_notebook_keeps_marker_and_reason_comes_first(built: tuple[Path, int, str]
                                                             ) -> None:
    year = built[0] / "build" / "2023"
    nb = nbformat.read(year / "notebooks" / "测试-除零.ipynb", as_version=4)
    assert nb.metadata.papermill.exception is True
    assert any("papermill-error-cell-tag" in c.metadata.get("tags", []) for c in nb.cells)
    page = (year / "review" / "测试-除零.html").read_text("utf-8")
    reason, trace = page.find("算不出来"), page.find("Traceback")
    assert 0 < reason < trace  # plain words first, technical details after
    assert not list((year / "docx").glob("*赵六*"))
