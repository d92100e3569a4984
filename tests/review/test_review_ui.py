"""The review notebook's widgets, driven without a browser: what a reviewer types shows
as text."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kit.project import Workspace

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def app(tmp_path: Path, monkeypatch):
    from kit.review import ui

    for name in ("templates", "params"):
        shutil.copytree(REPO / name, tmp_path / name)
    monkeypatch.setitem(ui._REVIEWER, "name", "")  # asked once a session: not from the last test
    folders = Workspace(root=tmp_path, params=tmp_path / "params",
                        templates=tmp_path / "templates", out=tmp_path / "build")
    return ui.ReviewApp(ui.Session(folders))


def test_a_hostile_reviewer_name_shows_as_text(app) -> None:
    app.who.value = "<i>x</i>{{ 1 }}\"'"  # within the name's 20 characters
    app.who_ok.click()
    (shown,) = app.who_box.children
    assert shown.value == "审阅人：<b>&lt;i&gt;x&lt;/i&gt;{{ 1 }}&#34;&#39;</b>"
    app.send_back.click()  # no 意见: refused, and the message names no markup
    assert app.message.value.startswith("<div class='kit-bad'>")
    assert "<i>" not in app.message.value
