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
from tests.build.conftest import official_name, write_officials
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


SECRETARY = ROOT / "params" / "东山镇-镇委书记-王建国.yaml"
LESSONS = "「为村级党员带头讲党课」本角色 {n} 人都填了 6（可能是照抄的数字）"
ESSAYS = "「党员干部人均撰写学习心得体会」本角色 {n} 人都填了 4（可能是照抄的数字）"
COPIED = "的内容完全相同"


def _township(folder: Path) -> tuple[list[Path], list[Path]]:
    """20 党建办主任 and 20 镇委书记 whose figures differ by a little, as in a real
    township: 讲党课 6 for every 主任 but the sixth (7), 心得体会 4 for every 书记 but the
    eighth (5), and the first two 主任 with one 其他工作 text."""
    directors = write_officials(folder, 20)
    for i, path in enumerate(directors):
        text = re.sub(r"讲党课: \d+", f"讲党课: {7 if i == 5 else 6}", path.read_text("utf-8"))
        if i < 2:
            text = re.sub(r"其他工作: .*", "其他工作: 两位同志写了同一段话，是从别人的报告里复制的。", text)
        path.write_text(text, "utf-8")
    sample = SECRETARY.read_text("utf-8")
    secretaries = []
    for i in range(20):
        name = official_name(40 + i)
        text = re.sub(r"^(?!年度)(\w+): (\d+)", lambda m, i=i: f"{m[1]}: {int(m[2]) + i % 3}",
                      sample.replace("王建国", name), flags=re.M)
        text = re.sub(r"心得体会: \d+", f"心得体会: {5 if i == 7 else 4}", text)
        secretaries.append(folder / f"书记{i:02d}-{name}.yaml")
        secretaries[-1].write_text(text, "utf-8")
    return directors, secretaries


def _stamps(root: Path) -> dict[str, int]:
    return {nb.stem: nb.stat().st_mtime_ns
            for nb in (root / "build" / YEAR / "notebooks").glob("*.ipynb")}


def _flags(root: Path) -> dict[str, tuple[list[str], str]]:
    """Where a reviewer sees each official's 提示: (its index row's, its page's text)."""
    review = root / "build" / YEAR / "review"
    return {Path(r["file"]).stem: (r["flags"], (review / f"{Path(r['file']).stem}.html")
                                   .read_text("utf-8"))
            for r in index_rows(review / "index.html")}


def _shown(seen: dict[str, tuple[list[str], str]], stem: str, words: str) -> bool:
    row, page = seen[stem]
    on_row, on_page = any(words in f for f in row), words in page
    assert on_row == on_page, (stem, words, row)  # the index and the page agree
    return on_row


@pytest.mark.slow
def test_one_change_runs_one_notebook_whatever_the_peers(workspace: Path) -> None:
    root = workspace
    directors, secretaries = _township(root / "params")
    d, s = [p.stem for p in directors], [p.stem for p in secretaries]
    code, summary = _build(root)
    assert code == 0 and "本次执行 40 份" in summary, summary
    seen = _flags(root)
    assert [_shown(seen, x, COPIED) for x in d[:3]] == [True, True, False]
    assert not any(_shown(seen, x, "人都填了") for x in d + s), seen[s[0]][0]

    def again(changed: set[str], executed: int) -> dict[str, tuple[list[str], str]]:
        before, stamps = _runs(root), _stamps(root)
        code, summary = _build(root)
        assert code == 0 and f"本次执行 {executed} 份" in summary, summary
        after, now = _runs(root), _stamps(root)
        assert {x for x in after if after[x] != before.get(x)} == changed
        assert {x for x in now if now[x] != stamps.get(x)} == changed
        return _flags(root)

    # the one different 讲党课 made like the others: 20 alike, one notebook run, and
    # the 提示 on all 20 pages (19 of them written after the batch)
    directors[5].write_text(directors[5].read_text("utf-8").replace("讲党课: 7", "讲党课: 6"),
                            "utf-8")
    seen = again({d[5]}, 1)
    assert all(_shown(seen, x, LESSONS.format(n=20)) for x in d)
    assert not any(_shown(seen, x, "人都填了") for x in s)

    # one of two copied texts rewritten: the other's 提示 goes, its notebook is not run
    directors[1].write_text(directors[1].read_text("utf-8").replace(
        "两位同志写了同一段话", "这是我自己写的一段话"), "utf-8")
    seen = again({d[1]}, 1)
    assert not any(_shown(seen, x, COPIED) for x in d)
    assert _shown(seen, d[0], LESSONS.format(n=20))

    # a file removed: nothing runs; the 19 书记 left all wrote 4, their pages say so
    secretaries[7].unlink()
    seen = again(set(), 0)
    assert s[7] not in seen and len(seen) == 39
    assert all(_shown(seen, x, ESSAYS.format(n=19)) for x in s if x != s[7])
    assert all(_shown(seen, x, LESSONS.format(n=20)) for x in d)

    # and one 主任 removed: the 提示 of the 19 others follows (20 人 → 19 人)
    directors[12].unlink()
    seen = again(set(), 0)
    assert all(_shown(seen, x, LESSONS.format(n=19)) and not _shown(seen, x, "20 人")
               for x in d if x != d[12])
