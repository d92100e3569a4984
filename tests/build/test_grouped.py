"""``kit build --by 所属县``: one 汇编 per county plus a list of them; each official in
exactly one, and (with LibreOffice) the printed 目录 numbers are where reports start."""

from __future__ import annotations

import contextlib
import io
import re
import shutil
from pathlib import Path

import docx
import pytest

from kit.cli import main
from tests.build.conftest import write_officials


@pytest.mark.slow
def test_one_volume_per_county_and_a_list(workspace: Path) -> None:
    root = workspace
    files = write_officials(root / "params", 6)
    for f in files[:2]:
        f.write_text(f.read_text("utf-8").replace("所属县: 云溪县", "所属县: 青川县"), "utf-8")
    pdf = ["--pdf"] if shutil.which("soffice") and shutil.which("pdftotext") else []
    out = io.StringIO()
    with pytest.MonkeyPatch.context() as mp, contextlib.redirect_stdout(out):
        mp.chdir(root)
        code = main(["--templates", "templates", "build", "params", "-o", "build",
                     "--workers", "2", "--by", "所属县", *pdf])
    assert code == 0, out.getvalue()
    year = root / "build" / "2023"
    expect = {"青川县": sorted(f.stem.split("-")[1] for f in files[:2]),
              "云溪县": sorted(f.stem.split("-")[1] for f in files[2:])}
    for county, names in expect.items():
        path = year / f"2023年度述职报告汇编-{county}.docx"
        paras = [p.text for p in docx.Document(str(path)).paragraphs]
        assert sorted(t.split()[-1] for t in paras if t.startswith("东山镇党建")) == names
        if pdf:
            _toc_matches_pdf(year / "pdf" / f"{path.stem}.pdf", len(names))
    assert not (year / "2023年度述职报告汇编.docx").exists()
    listing = (year / "2023年度述职报告汇编清单.txt").read_text("utf-8")
    assert "青川县\t2 份\t2023年度述职报告汇编-青川县.docx" in listing
    assert "云溪县\t4 份\t2023年度述职报告汇编-云溪县.docx" in listing
    assert "汇编清单：" in out.getvalue()


def _toc_matches_pdf(pdf: Path, n: int) -> None:
    from kit.word.referee import page_texts, start_pages_in_pdf

    # page text has no whitespace: 「1.2023年度述职报告（镇党建办主任·王建建）……3 2.…」
    toc = re.findall(r"\d\.(2023年度述职报告（.+?）)[.…·]*(\d+?)(?=\d\.2023|—)",
                     page_texts(pdf)[0])
    assert len(toc) == n
    assert [int(p) for _, p in toc] == start_pages_in_pdf(pdf, [t for t, _ in toc])


@pytest.mark.slow
def test_changing_how_volumes_are_bound_leaves_no_stale_volume(workspace: Path) -> None:
    """--by 所属县, then none, then --by again with one county gone: the folder holds only
    the 汇编 of the last build (and its list), never an out-of-date one beside them."""
    root = workspace
    files = write_officials(root / "params", 3)
    files[0].write_text(files[0].read_text("utf-8").replace("所属县: 云溪县", "所属县: 青川县"),
                        "utf-8")
    year = root / "build" / "2023"

    def build(*by: str) -> set[str]:
        with pytest.MonkeyPatch.context() as mp, contextlib.redirect_stdout(io.StringIO()):
            mp.chdir(root)
            assert main(["--templates", "templates", "build", "params", "-o", "build",
                         "--workers", "1", *by]) == 0
        return {p.name for p in year.glob("*汇编*")}

    assert build("--by", "所属县") == {"2023年度述职报告汇编-青川县.docx",
                                      "2023年度述职报告汇编-云溪县.docx",
                                      "2023年度述职报告汇编清单.txt"}
    assert build() == {"2023年度述职报告汇编.docx"}
    files[0].write_text(files[0].read_text("utf-8").replace("所属县: 青川县", "所属县: 云溪县"),
                        "utf-8")
    assert build("--by", "所属县") == {"2023年度述职报告汇编-云溪县.docx",
                                      "2023年度述职报告汇编清单.txt"}


@pytest.mark.slow
def test_groups_whose_file_names_meet_get_a_volume_each(workspace: Path) -> None:
    # 「东山镇...」 made safe for Windows loses its dots: it must not overwrite 东山镇's 汇编.
    files = write_officials(workspace / "params", 4)
    files[3].write_text(files[3].read_text("utf-8").replace(
        "单位: 东山镇", "单位: 东山镇...\n单位类别: 镇"),
                        "utf-8")
    out = io.StringIO()
    with pytest.MonkeyPatch.context() as mp, contextlib.redirect_stdout(out):
        mp.chdir(workspace)
        code = main(["--templates", "templates", "build", "params", "-o", "build",
                     "--workers", "1", "--by", "单位"])
    assert code == 0, out.getvalue()
    year = workspace / "build" / "2023"
    counts = {}
    for path in sorted(year.glob("2023年度述职报告汇编-*.docx")):
        paras = [p.text for p in docx.Document(str(path)).paragraphs]
        counts[path.name] = sum(bool(re.fullmatch(r"东山镇(\.\.\.)?党建办主任\s+\S+", t))
                                for t in paras)  # each report's byline
    assert counts == {"2023年度述职报告汇编-东山镇.docx": 3,
                      "2023年度述职报告汇编-东山镇（2）.docx": 1}, counts
    listing = (year / "2023年度述职报告汇编清单.txt").read_text("utf-8")
    assert "东山镇...\t1 份\t2023年度述职报告汇编-东山镇（2）.docx" in listing
