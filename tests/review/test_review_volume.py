"""「下载汇编」 of the review page: the 汇编 of the year's 已通过 reports within the
reviewer's units (KIT_UNITS, as the hub sets it), read back from the .docx."""

from __future__ import annotations

import base64
import io
import re
import shutil
from pathlib import Path

import docx
import pytest

from kit.project import Workspace
from kit.review.record import PASSED
from kit.review.status import decide

REPO = Path(__file__).resolve().parents[2]
WANG = "东山镇-镇委书记-王建国.yaml"
LI = "东山镇-镇党建办主任-李明华.yaml"
ZHOU = "西河乡-镇委书记-周西河.yaml"


def make_folder(tmp: Path) -> Workspace:
    for name in ("templates", "params"):
        shutil.copytree(REPO / name, tmp / name)
    text = (tmp / "params" / WANG).read_text("utf-8")
    (tmp / "params" / ZHOU).write_text(text.replace("东山镇", "西河乡").replace("王建国", "周西河"),
                                       "utf-8")
    return Workspace(root=tmp, params=tmp / "params", templates=tmp / "templates",
                     out=tmp / "build")


def volume_text(data: bytes) -> str:
    return "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)


@pytest.fixture
def folders(tmp_path, monkeypatch):
    monkeypatch.delenv("KIT_UNITS", raising=False)
    found = make_folder(tmp_path)
    decide([found.params / WANG, found.params / ZHOU], PASSED, "组织部",
           templates=found.templates)
    return found


def test_the_volume_holds_only_approved_reports_of_the_reviewers_units(folders, tmp_path,
                                                                       monkeypatch):
    from kit.review.session import Session

    monkeypatch.setenv("KIT_UNITS", '["东山镇"]')
    session = Session(folders)
    assert session.years() == [2023]
    made = session.volume(2023, tmp_path)
    assert [i.path.name for i in made.included] == [WANG]
    assert [(i.path.name, i.status.status) for i in made.left_out] == [(LI, "待审")]
    assert made.path is not None and "东山镇" in made.path.name
    text = volume_text(made.path.read_bytes())
    assert "2023年度述职报告汇编\n（1篇）" in text and "征求意见稿" not in text
    assert "目\u3000录\n1.2023年度述职报告（镇委书记）\t2\n" in text  # the 目录, one entry, page 2
    assert "王建国" in text and "周西河" not in text and "李明华" not in text
    # No scope (kit review, a 管理 account): every unit's approved reports.
    monkeypatch.delenv("KIT_UNITS")
    made = Session(folders).volume(2023, tmp_path)
    text = volume_text(made.path.read_bytes())
    assert "王建国" in text and "周西河" in text and "李明华" not in text


def test_a_file_changed_since_its_approval_is_left_out_and_none_approved_is_said(
        folders, tmp_path, monkeypatch):
    from kit.review.session import Session

    path = folders.params / WANG
    path.write_text(path.read_text("utf-8").replace("心得体会: 4", "心得体会: 5"), "utf-8")
    monkeypatch.setenv("KIT_UNITS", '["东山镇"]')
    made = Session(folders).volume(2023, tmp_path)
    assert made.path is None and made.included == []
    assert sorted(i.status.status for i in made.left_out) == ["已修改，待重审", "待审"]


def test_the_download_button_offers_the_volume_as_a_link(folders, monkeypatch):
    from kit.review import ui

    monkeypatch.setenv("KIT_UNITS", '["西河乡"]')
    monkeypatch.setitem(ui._REVIEWER, "name", "")
    app = ui.ReviewApp(ui.Session(folders))
    app.build.click()
    shown = app.volume.value
    assert "2023 年度汇编（1 份已通过的报告）" in shown
    found = re.search(r'download="([^"]+)" href="data:[^;]+;base64,([^"]+)"', shown)
    assert found and found.group(1).endswith(".docx")
    text = volume_text(base64.b64decode(found.group(2)))
    assert "周西河" in text and "王建国" not in text
    monkeypatch.setenv("KIT_UNITS", '["南岭镇"]')
    app = ui.ReviewApp(ui.Session(folders))
    app.build.click()
    assert "没有可编入汇编的报告" in app.volume.value
