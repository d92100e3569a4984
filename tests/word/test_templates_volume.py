"""The sample's two roles, rendered from the shipped templates with their placeholder text,
compile to a volume whose 目录 says 2 and 7, as the sample's does."""

from __future__ import annotations

import dataclasses

from kit.report.render import render_placeholders
from kit.report.templates import load_roles
from kit.word.volume import write_volume
from tests.conftest import ROOT


def test_rendered_templates_give_the_sample_toc(tmp_path):
    roles = load_roles(ROOT / "templates")
    # The sample's own order: 党建办主任 first, 镇委书记 second.
    reports = [dataclasses.replace(render_placeholders(roles[r]), order=i)
               for i, r in enumerate(["镇党建办主任", "镇委书记"], start=1)]
    info = write_volume(reports, tmp_path / "汇编.docx", 2023)
    assert [(e.text, e.page) for e in info.entries] == [
        ("1.2023年度述职报告（镇党建办主任）", 2),
        ("2.2023年度述职报告（镇委书记）", 7),
    ]
