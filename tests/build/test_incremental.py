"""Incremental builds: only what changed is executed again, the 汇编 follows, outputs of
removed files go, and the manifest can never cause a wrong skip.  Whether an official
was executed is read from its notebook's papermill metadata (start time), not timed."""

from __future__ import annotations

import contextlib
import io
import re
import shutil
from pathlib import Path

import docx
import nbformat
import pytest

from kit.cli import main
from tests.build.conftest import write_officials
from tests.conftest import ROOT, index_rows

YEAR = "2023"


def _build(root: Path, *extra: str) -> tuple[int, str]:
    out = io.StringIO()
    with pytest.MonkeyPatch.context() as mp, contextlib.redirect_stdout(out):
        mp.chdir(root)
        code = main(["--templates", "templates", "build", "params", "-o", "build",
                     "--workers", "2", "--timeout", "60", *extra])
    return code, out.getvalue()


def _runs(root: Path) -> dict[str, str]:
    """Each notebook's papermill start time, by file stem."""
    return {nb.stem: nbformat.read(nb, as_version=4).metadata.papermill.start_time
            for nb in (root / "build" / YEAR / "notebooks").glob("*.ipynb")}


def _volume_text(root: Path) -> str:
    path = root / "build" / YEAR / f"{YEAR}年度述职报告汇编.docx"
    return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)


def _outputs_of(root: Path, stem: str, name: str) -> list[Path]:
    year = root / "build" / YEAR
    return [year / "notebooks" / f"{stem}.ipynb", year / "review" / f"{stem}.html",
            *(year / "docx").glob(f"*{name}.docx")]


@pytest.mark.slow
def test_only_what_changed_is_executed_again(workspace: Path) -> None:
    root = workspace
    files = write_officials(root / "params", 4)
    secretary = root / "params" / "书记.yaml"
    shutil.copy(ROOT / "params" / "东山镇-镇委书记-王建国.yaml", secretary)
    code, summary = _build(root)
    assert code == 0 and "本次执行 5 份" in summary
    first = _runs(root)
    volume = root / "build" / YEAR / f"{YEAR}年度述职报告汇编.docx"
    volume_stamp = volume.stat().st_mtime_ns

    # nothing changed: nothing executed, the 汇编 not written again
    code, summary = _build(root)
    assert code == 0 and "沿用上次结果 5 份，本次执行 0 份" in summary
    assert _runs(root) == first and volume.stat().st_mtime_ns == volume_stamp

    # one file changed: only that official runs; the 汇编 is recompiled with the change
    changed = files[1]
    changed.write_text(changed.read_text("utf-8").replace("全年发展党员9名", "全年发展党员17名"),
                       "utf-8")
    code, summary = _build(root)
    assert code == 0 and "沿用上次结果 4 份，本次执行 1 份" in summary
    second = _runs(root)
    assert {s for s in first if second[s] != first[s]} == {changed.stem}
    assert "全年发展党员17名" in _volume_text(root)
    # the index numbers every official as the 汇编's 目录 does, reused ones included
    rows = index_rows(root / "build" / YEAR / "review" / "index.html")
    assert [r["n"] for r in rows] == [1, 2, 3, 4, 5]
    toc = [t for t in _volume_text(root).splitlines() if re.match(r"\d+\.", t)]
    assert [t.split(".")[0] for t in toc] == ["1", "2", "3", "4", "5"]
    for r, entry in zip(rows, toc, strict=True):
        assert r["name"] in entry or r["role"] in entry, (r, entry)

    # a role template edited: exactly that role's officials run again
    tpl = root / "templates" / "镇委书记.md"
    tpl.write_text(tpl.read_text("utf-8") + "\n", "utf-8")
    code, summary = _build(root)
    assert code == 0 and "本次执行 1 份" in summary
    third = _runs(root)
    assert {s for s in second if third[s] != second[s]} == {secretary.stem}

    # a file removed: its outputs are removed, the summary says so, the 汇编 follows
    gone = files[2]
    name = gone.stem.split("-")[1]
    assert all(p.exists() for p in _outputs_of(root, gone.stem, name))
    gone.unlink()
    code, summary = _build(root)
    assert code == 0 and "删除了 1 位同志的旧输出" in summary and gone.name in summary
    assert not any(p.exists() for p in _outputs_of(root, gone.stem, name))
    assert name not in _volume_text(root)
    assert _runs(root).keys() == third.keys() - {gone.stem}

    # --force: everything again
    code, summary = _build(root, "--force")
    assert code == 0 and "本次执行 4 份" in summary
    forced = _runs(root)
    assert all(forced[s] != third[s] for s in forced)


@pytest.mark.slow
def test_damaged_manifest_means_a_full_rebuild(workspace: Path) -> None:
    root = workspace
    write_officials(root / "params", 3)
    assert _build(root)[0] == 0
    first = _runs(root)
    manifest = root / "build" / ".kit" / "manifest.json"
    manifest.write_bytes(manifest.read_bytes()[: len(manifest.read_bytes()) // 2])
    code, summary = _build(root)
    assert code == 0 and "已损坏" in summary and "本次执行 3 份" in summary
    assert all(_runs(root)[s] != first[s] for s in first)


@pytest.mark.slow
def test_a_changed_year_or_unit_leaves_no_stale_word_file(workspace: Path) -> None:
    root = workspace
    (path,) = write_officials(root / "params", 1)
    assert _build(root)[0] == 0
    (before,) = (root / "build" / YEAR / "docx").glob("*.docx")
    path.write_text(path.read_text("utf-8").replace("单位: 东山镇", "单位: 西山镇"), "utf-8")
    assert _build(root)[0] == 0
    (after,) = (root / "build" / YEAR / "docx").glob("*.docx")
    assert "西山镇" in after.name and not before.exists()
