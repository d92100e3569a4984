"""A real ``kit build`` seen by a reviewer: 提示 from last year's files, the index in 目录
order, failed officials named, and ``--final`` refusing then accepting."""

from __future__ import annotations

import contextlib
import io
import re
import shutil
from pathlib import Path

import docx
import pytest

from kit.cli import main
from kit.errors import NotApprovedError
from kit.review.status import decide
from tests.conftest import ROOT, index_rows
from tests.review.synth import officials, write

pytestmark = pytest.mark.slow
NAMES = ["董明一", "马明一", "郭明一", "赵明一"]  # 12, 3, 10, 9 strokes


def _kit(root: Path, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as mp, contextlib.redirect_stdout(out), \
            contextlib.redirect_stderr(err):
        mp.chdir(root)
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def _text(volume: Path) -> str:
    """Every paragraph of a .docx, body and page headers."""
    doc = docx.Document(str(volume))
    heads = [p.text for sec in doc.sections for p in sec.header.paragraphs]
    return "\n".join([p.text for p in doc.paragraphs] + heads)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Last year's files in params/, this year's in params-2024/ (as kit roll names it)."""
    root = tmp_path_factory.mktemp("review")
    shutil.copytree(ROOT / "templates", root / "templates")
    pairs = officials(4, seed=5)
    for (this, last), name in zip(pairs, NAMES, strict=True):
        this["姓名"] = last["姓名"] = name
    pairs[2][0]["专题会议"], pairs[2][1]["专题会议"] = 75, 15  # planted: ×5
    write(root / "params", [lt for _, lt in pairs])
    write(root / "params-2024", [t for t, _ in pairs])
    broken = dict(pairs[0][0], 姓名="石明二", 专题会议="十二个")
    write(root / "params-2024", [broken])
    return root


@pytest.fixture(scope="module")
def draft(project: Path) -> tuple[int, str, str]:
    return _kit(project, "build", "params-2024", "-o", "build", "--workers", "2")


def test_index_in_toc_order_with_flags_and_the_missing_official(project: Path, draft) -> None:
    code, out, _ = draft
    assert code == 1 and "共 5 份：4 成功，1 失败。" in out
    year = project / "build" / "2024"
    toc = [p.text for p in docx.Document(str(year / "2024年度述职报告汇编.docx")).paragraphs
           if re.match(r"\d+\.", p.text)]
    rows = index_rows(year / "review" / "index.html")
    good = [r for r in rows if r["ok"]]
    assert [r["name"] for r in good] == ["马明一", "赵明一", "郭明一", "董明一"]  # by strokes
    assert [r["n"] for r in good] == [1, 2, 3, 4]
    for r, entry in zip(good, toc, strict=True):
        assert entry.startswith(f"{r['n']}.") and r["name"] in entry
    (failed,) = [r for r in rows if not r["ok"]]
    assert (failed["n"], failed["name"], failed["role"]) == (None, "石明二", "镇党建办主任")
    assert failed["file"] == "东山镇-镇党建办主任-石明二.yaml" and "十二个" in failed["reason"]
    assert "汇编缺 1 人" in (year / "review" / "index.html").read_text("utf-8")
    assert "征求意见稿" in _text(year / "2024年度述职报告汇编.docx")  # a draft says so
    guo = next(r for r in rows if r["name"] == "郭明一")
    assert guo["flags"] == ["「主持召开党建工作专题会议」今年 75，上年 15，是上年的 5 倍"]
    assert [r["flags"] for r in good if r["name"] != "郭明一"] == [[], [], []]
    assert {r["status"] for r in rows} == {"待审"}


def test_review_page_shows_last_year_beside_this_year(project: Path, draft) -> None:
    page = (project / "build" / "2024" / "review" / "南河乡-镇党建办主任-郭明一.html"
            ).read_text("utf-8")
    assert "与上年对比" in page and "是上年的 5 倍" in page
    assert re.search(r"主持召开党建工作专题会议</td><td[^>]*>75</td><td[^>]*>15</td>"
                     r"<td[^>]*>\+60（\+400%）</td>", page)


def test_last_year_of_one_official_reruns_that_official_only(project: Path, draft) -> None:
    """Its key holds its own last-year values, not the whole of last year's folder."""
    (last,) = (project / "params").glob("*郭明一.yaml")
    last.write_text(last.read_text("utf-8").replace("专题会议: 15", "专题会议: 70"), "utf-8")
    code, out, _ = _kit(project, "build", "params-2024", "-o", "build", "--workers", "2")
    assert code == 1 and "共 5 份：4 成功，1 失败。（沿用上次结果 3 份" in out  # 石明二 fails
    year = project / "build" / "2024" / "review"
    assert [r["flags"] for r in index_rows(year / "index.html") if r["ok"]] == [[]] * 4
    page = (year / "南河乡-镇党建办主任-郭明一.html").read_text("utf-8")
    assert "是上年的 5 倍" not in page and re.search(r">75</td><td[^>]*>70</td>", page)


def test_final_refuses_until_every_official_is_approved(project: Path, draft) -> None:
    params = project / "params-2024"
    volume = project / "final" / "2024" / "2024年度述职报告汇编.docx"
    code, _, err = _kit(project, "build", "params-2024", "-o", "final", "--final")
    assert code == NotApprovedError.exit_code and "待审：马明一（西岭镇 镇党建办主任）" in err
    assert "定稿汇编没有生成：5 人未通过审阅" in err and not volume.exists()

    good = sorted(p for p in params.glob("*.yaml") if "石明二" not in p.name)
    decide(good[:3], "已通过", "张审")
    decide(good[3:], "退回", "张审", reason="专题会议请核对")
    (params / "东山镇-镇党建办主任-石明二.yaml").unlink()  # not this year's after all
    code, _, err = _kit(project, "build", "params-2024", "-o", "final", "--final")
    assert code == NotApprovedError.exit_code and "退回：" in err and "意见：专题会议请核对" in err
    assert "1 人未通过审阅" in err

    decide(good[3:], "已通过", "张审")
    text = good[0].read_text("utf-8")
    good[0].write_text(text.replace("讲党课: ", "讲党课: 1"), "utf-8")  # edited after approval
    code, _, err = _kit(project, "build", "params-2024", "-o", "final", "--final")
    assert code == NotApprovedError.exit_code and "已修改，待重审：" in err

    decide(good[:1], "已通过", "张审")
    code, out, err = _kit(project, "build", "params-2024", "-o", "final", "--final")
    assert code == 0, out + err
    assert volume.is_file() and "马明一" in _text(volume)
    assert "征求意见稿" not in _text(volume)  # the final set carries no draft mark
    rows = index_rows(project / "final" / "2024" / "review" / "index.html")
    assert {r["status"] for r in rows} == {"已通过"}
