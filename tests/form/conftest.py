"""A throw-away project folder (templates/ and params/ copied from the repository) and a
form working on it."""

from __future__ import annotations

import shutil
from pathlib import Path

import lxml.html
import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for name in ("templates", "params"):
        shutil.copytree(REPO / name, tmp_path / name)
    return tmp_path


@pytest.fixture
def folders(project: Path):
    from kit.project import Workspace

    return Workspace(root=project, params=project / "params", templates=project / "templates",
                   out=project / "build")


@pytest.fixture
def form(folders):
    from kit.form.widgets import ReportForm

    return ReportForm(folders, role="镇党建办主任", debounce=0)


# What a clerk types for 镇党建办主任 (the text typed into each box, keyed by field key).
CLERK = {
    "姓名": "张晓燕", "单位": "西山镇", "所属县": "云溪县", "省份": "甘肃", "年度": "2023",
    "专题会议": "9", "讲党课": "4", "谈心谈话": "120", "党建覆盖率": "98.5", "包抓村": "柳树",
    "回炉党员": "60",
}


def fill(form, values: dict) -> None:
    for key, value in values.items():
        form.inputs[key].input.value = value


def preview_paragraphs(html: str) -> list[str]:
    """Title, byline, headings and paragraphs of a form preview, as text."""
    blocks = lxml.html.fromstring(html).iter("h1", "h3", "h4", "p")
    return [el.text_content().strip() for el in blocks]
