"""Issue 20: building one year (one parameter folder) never touches another's outputs,
and an output that no longer matches its source (a 汇编's PDF) never stays looking
current."""

from __future__ import annotations

import contextlib
import io
import shutil
from pathlib import Path
from urllib.parse import unquote

import pytest

from kit.cli import main
from kit.word.pdf import pdf_available
from tests.build.conftest import SAMPLE
from tests.conftest import index_rows


def _build(root: Path, *args: str) -> tuple[int, str]:
    out = io.StringIO()
    with pytest.MonkeyPatch.context() as mp, contextlib.redirect_stdout(out):
        mp.chdir(root)
        code = main(["--templates", "templates", "build", *args, "--workers", "1",
                     "--timeout", "60"])
    return code, out.getvalue()


def _links_resolve(index: Path) -> list[str]:
    """The files an index links to that are missing."""
    missing = []
    for row in index_rows(index):
        for key in ("html", "docx"):
            link = row.get(key)
            if isinstance(link, str) and link and not (index.parent / unquote(link)).exists():
                missing.append(link)
    return missing


@pytest.mark.slow
def test_a_second_year_keeps_the_first(workspace: Path) -> None:
    # The same file name in two folders, one per year: the usual way to start a new year.
    (workspace / "params" / SAMPLE.name).write_text(SAMPLE.read_text("utf-8"), "utf-8")
    (workspace / "params-2024").mkdir()
    (workspace / "params-2024" / SAMPLE.name).write_text(
        SAMPLE.read_text("utf-8").replace("年度: 2023", "年度: 2024"), "utf-8")
    for first, second in (("params", "params-2024"), ("params-2024", "params")):
        shutil.rmtree(workspace / "build", ignore_errors=True)
        assert _build(workspace, first)[0] == 0
        before = sorted(p.relative_to(workspace) for p in (workspace / "build").rglob("*")
                        if p.is_file() and ".kit" not in p.parts)
        code, said = _build(workspace, second)
        assert code == 0, said
        after = {p.relative_to(workspace) for p in (workspace / "build").rglob("*")
                 if p.is_file() and ".kit" not in p.parts}
        assert set(before) <= after, sorted(set(before) - after)
        assert "删除了" not in said
        for year in ("2023", "2024"):
            assert len(list((workspace / "build" / year / "docx").glob("*.docx"))) == 1
            assert not _links_resolve(workspace / "build" / year / "review" / "index.html")
        # Built again: each folder's official is reused, not redone.
        assert "沿用上次结果 1 份" in _build(workspace, first)[1]


@pytest.mark.slow
@pytest.mark.skipif(not pdf_available(), reason="LibreOffice")
def test_a_volume_pdf_never_outlives_its_volume(workspace: Path) -> None:
    (workspace / "params" / SAMPLE.name).write_text(SAMPLE.read_text("utf-8"), "utf-8")
    assert _build(workspace, "params", "--pdf")[0] == 0
    book_pdf = workspace / "build" / "2023" / "pdf" / "2023年度述职报告汇编.pdf"
    assert book_pdf.is_file()
    changed = workspace / "params" / SAMPLE.name
    changed.write_text(changed.read_text("utf-8").replace("讲党课: 6", "讲党课: 9"), "utf-8")
    assert _build(workspace, "params")[0] == 0
    assert not book_pdf.exists()  # the 汇编 changed: its old PDF is gone
    assert not list((workspace / "build" / "2023" / "pdf").glob("*.pdf"))
    assert _build(workspace, "params", "--pdf")[0] == 0
    assert book_pdf.is_file()


@pytest.mark.slow
def test_a_report_its_file_no_longer_makes_is_removed(workspace: Path) -> None:
    path = workspace / "params" / SAMPLE.name
    path.write_text(SAMPLE.read_text("utf-8"), "utf-8")
    assert _build(workspace, "params")[0] == 0
    docx_dir = workspace / "build" / "2023" / "docx"
    assert len(list(docx_dir.glob("*.docx"))) == 1
    path.write_text(SAMPLE.read_text("utf-8").replace("讲党课: 6", "讲党课: 很多"), "utf-8")
    code, said = _build(workspace, "params")
    assert code == 1 and "讲党课" in said
    assert not list(docx_dir.glob("*.docx"))  # last year's figures would look current


@pytest.mark.slow
def test_outputs_another_folder_wrote_since_are_not_removed(workspace: Path) -> None:
    # Two folders of one year with one file name: the second is refused while the first's
    # file is there; once it is gone, the first's outputs are removed and the second's
    # build writes its own, which a later build of the first folder leaves alone.
    text = SAMPLE.read_text("utf-8")
    (workspace / "params" / SAMPLE.name).write_text(text, "utf-8")
    (workspace / "params" / "另一位.yaml").write_text(text.replace("李明华", "王小明"), "utf-8")
    (workspace / "旧").mkdir()
    (workspace / "旧" / SAMPLE.name).write_text(text.replace("讲党课: 6", "讲党课: 7"), "utf-8")
    assert _build(workspace, "params")[0] == 0
    assert _build(workspace, "旧")[0] == 1
    (workspace / "params" / SAMPLE.name).unlink()
    code, said = _build(workspace, "params")
    assert code == 0 and "删除了 1 位同志的旧输出" in said
    assert _build(workspace, "旧")[0] == 0
    notebook = workspace / "build" / "2023" / "notebooks" / f"{SAMPLE.stem}.ipynb"
    assert notebook.is_file() and "讲党课7次" in notebook.read_text("utf-8")
    assert _build(workspace, "params")[0] == 0
    assert notebook.is_file() and "讲党课7次" in notebook.read_text("utf-8")
    assert len(list((workspace / "build" / "2023" / "docx").glob("*李明华*.docx"))) == 1


@pytest.mark.slow
def test_two_folders_of_one_year_never_overwrite_each_others_outputs(workspace: Path) -> None:
    """The same year and file name in two folders built into one build/: the second is
    refused (naming the first and the way out), and the first's notebook stays its own;
    once the first folder is gone (renamed), the second builds there."""
    (workspace / "params" / SAMPLE.name).write_text(SAMPLE.read_text("utf-8"), "utf-8")
    (workspace / "params-copy").mkdir()
    (workspace / "params-copy" / SAMPLE.name).write_text(
        SAMPLE.read_text("utf-8").replace("讲党课: 6", "讲党课: 9"), "utf-8")
    assert _build(workspace, "params")[0] == 0
    notebook = next((workspace / "build" / "2023" / "notebooks").glob("*.ipynb"))
    before = notebook.read_bytes()
    code, said = _build(workspace, "params-copy")
    assert code == 1, said
    assert "params/" + SAMPLE.name in said and "输出会互相覆盖" in said
    assert "-o 另一个文件夹" in said
    assert notebook.read_bytes() == before
    assert not _links_resolve(workspace / "build" / "2023" / "review" / "index.html")
    shutil.rmtree(workspace / "params")
    code, said = _build(workspace, "params-copy")
    assert code == 0, said
    assert "讲党课9次" in notebook.read_text("utf-8")
