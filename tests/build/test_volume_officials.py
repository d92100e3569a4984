"""End to end on a generated office: 32 officials of three roles and mixed lengths go
through ``kit build --pdf``; the printed 目录 is checked against LibreOffice's PDF."""

from __future__ import annotations

import random
import re
import shutil
from pathlib import Path

import docx
import pytest

from kit.build.batch import build
from kit.report.yamlio import dump
from tests.conftest import ROOT
from tests.word.pdftools import body_lines, footer_text, pdf_pages

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not shutil.which("soffice"), reason="needs LibreOffice")]

WS = re.compile(r"\s+")
SENTENCE = "全年走访群众{n}户，化解矛盾纠纷{m}起，办结民生实事{k}件（含“回头看”整改）；"


def _office(root: Path, n: int = 32) -> Path:
    """Officials of the two shipped roles and the documented 乡长 example, with an
    optional free-text item from empty to ~600 characters: reports of many lengths."""
    templates = root / "templates"
    shutil.copytree(ROOT / "templates", templates)
    example = (ROOT / "docs" / "模板写法.md").read_text("utf-8").split("```\n", 2)[1]
    (templates / "乡长.md").write_text(example, "utf-8")
    rng = random.Random(2023)
    params = root / "params"
    params.mkdir()
    extra = {"镇党建办主任": {"专题会议": 12, "讲党课": 6, "谈心谈话": 150, "党建覆盖率": 98.5,
                              "包抓村": "石门", "回炉党员": 80},
             "镇委书记": {"心得体会": 4, "学习笔记": 1.2, "饲草面积": 1.5, "集体经济达标村": 8,
                          "集体经济收入标准": 10, "清理空壳社": 12, "联合社": 2, "规范合作社": 36,
                          "一般合作社": 14, "合作社资金": 860, "合作社分红": 52.6, "村集体资金": 420,
                          "村集体分红": 38.5, "造林村": "杨家湾", "视察讲话地": "甘肃"},
             "乡长": {"争取项目": 3, "项目资金": 120.5}}
    for i in range(n):
        role = list(extra)[i % 3]
        values = {k: (rng.randint(1, 99) if isinstance(v, int) else v)
                  for k, v in extra[role].items()}
        text = "".join(SENTENCE.format(n=rng.randint(10, 9999), m=rng.randint(1, 99),
                                       k=rng.randint(1, 30)) for _ in range(rng.randint(0, 12)))
        if text:
            values["其他工作"] = text[:-1] + "。"
        data = {"角色": role, "姓名": f"官员{i:02d}", "单位": rng.choice(["东山镇", "西河乡"]),
                "所属县": "云溪县", "省份": "甘肃", "年度": 2023, **values}
        (params / f"{i:02d}.yaml").write_text(dump(data), "utf-8")
    return root


def test_generated_office_toc_matches_the_pdf(tmp_path: Path) -> None:
    root = _office(tmp_path)
    result = build(root / "params", root / "build", workers=2, timeout=120, pdf=True,
                   templates=root / "templates", quiet=True)
    assert result.ok and not result.problems, result.problems
    year = root / "build" / "2023"
    volume = docx.Document(str(year / "2023年度述职报告汇编.docx"))
    toc = [p.text for p in volume.paragraphs if p.style.name == "toc 1"]
    entries = [(m.group(1), int(m.group(2)))
               for m in (re.fullmatch(r"\d+\.(.+)\t(\d+)", t) for t in toc)]
    assert len(entries) == 32
    assert len({t for t, _ in entries}) == 32  # officials sharing a role are told apart

    pages = pdf_pages(year / "pdf" / "2023年度述职报告汇编.pdf")
    for title, page in entries:  # each report starts at the top of the page its entry says
        first = body_lines(pages[page - 1])[0]
        assert first.row <= 1 and WS.sub("", title).startswith(WS.sub("", first.text)), title
    for n, pg in enumerate(pages, 1):  # 「— n —」 on every page
        assert re.fullmatch(rf"—\s*{n}\s*—", footer_text(pg).strip()), n
    starts = [p for _, p in entries] + [len(pages) + 1]
    for a, b in zip(starts, starts[1:], strict=False):
        for n in range(a, b - 1):  # a page followed by more of its report is full
            rows = [ln.row for ln in body_lines(pages[n - 1])]
            assert max(rows) <= 21
            if max(rows) < 21:  # only when a heading had to move on with its paragraph
                assert body_lines(pages[n])[0].x > 100, n
    # no character lost: the report pages hold exactly the volume's report text
    first_report = min(p for _, p in entries)
    got = "".join(ln.text for pg in pages[first_report - 1:] for ln in body_lines(pg))
    paras = [p.text for p in volume.paragraphs]
    start = next(i for i, t in enumerate(paras) if t == entries[0][0] or
                 t.startswith(entries[0][0]))
    assert WS.sub("", got) == WS.sub("", "".join(paras[start:]))
