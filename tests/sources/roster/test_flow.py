"""The README's flow, end to end with real kernels: a Word sample → template → blank
collection workbook → two townships fill it in (one 镇, one 乡) → merged back →
kit build → the reports read back with python-docx."""

from __future__ import annotations

import glob
from pathlib import Path

import docx
import openpyxl
import pytest

from kit.cli import main
from tests.sources.importer.corpus import CORPUS, build_docx

FIGURES = {"生产总值": 12.5, "同比增长": -3.5, "一般公共预算收入": 3456, "比上年下降": 120,
           "支配收入": 15230, "开工日期": "3月8日", "竣工投用日期": "11月20日", "完成投资": 860.5,
           "项目资金": 1234.56, "医疗保险参保率": 98.5, "城镇就业": 120, "急难愁盼问题": 36}


@pytest.mark.slow
def test_sample_to_collection_workbooks_to_reports(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    build_docx(CORPUS / "镇长_两个日期.txt", tmp_path / "范文.docx")
    assert main(["import", "范文.docx", "-o", "templates"]) == 0
    assert main(["--templates", "templates", "roster", "export", "--blank", "params",
                 "收集表.xlsx"]) == 0
    back = tmp_path / "收回的"
    back.mkdir()
    for unit, name, kind in (("东山镇", "张三", "镇"), ("西河乡", "李四", "乡")):
        wb = openpyxl.load_workbook("收集表.xlsx")
        ws = wb["镇长"]
        col = {c.value: c.column for c in ws[2]}
        for key, value in ({"姓名": name, "单位": unit, "单位类别": kind, "所属县": "云溪县",
                            "省份": "甘肃", "年度": 2024} | FIGURES).items():
            ws.cell(3, col[key], value)
        wb.save(back / f"{unit}.xlsx")
    assert main(["--templates", "templates", "roster", "import",
                 *sorted(str(p) for p in back.glob("*.xlsx")), "params"]) == 0
    assert main(["--templates", "templates", "build", "params", "-o", "build",
                 "--workers", "2"]) == 0
    texts = {}
    for path in glob.glob("build/2024/docx/*.docx"):
        texts[Path(path).stem] = "\n".join(p.text for p in docx.Document(path).paragraphs)
    li = next(t for name, t in texts.items() if "李四" in name)
    zhang = next(t for name, t in texts.items() if "张三" in name)
    assert "2024年度述职报告（乡长）" in li and "西河乡乡长　李四" in li
    assert "同比增长-3.5%；一般公共预算收入3,456万元，比上年下降120%" in li
    assert "于3月8日开工建设，11月20日竣工投用" in li and "项目资金1,234.56万元" in li
    assert "乡村两级" in li and "驻乡工作队" in li and "镇" not in li.replace("城镇", "")
    assert "东山镇镇长　张三" in zhang and "农村居民人均可支配收入15,230元" in zhang
