"""The reviewer's 「下载汇编」 on a real hub: the reviewer of 东山镇 and 西河乡 presses the
button of their review page (over the kernel's websocket, as the page does) and the
.docx it offers holds the approved officials of those two units only."""

from __future__ import annotations

import base64
import io
import re

import docx
import pytest

from kit.review.record import PASSED
from kit.review.status import decide
from tests.hub import hubs
from tests.hub.clerk import Clerk

pytestmark = pytest.mark.slow

NANLING = "南岭镇-镇委书记-孙南岭.yaml"
LI = "东山镇-镇党建办主任-李明华.yaml"


def test_the_reviewers_volume_holds_only_their_units_approved_officials(tmp_path):
    with hubs.running(tmp_path) as hub:
        params = hub.root / "params"
        text = (params / hubs.WANG).read_text("utf-8")
        (params / NANLING).write_text(text.replace("东山镇", "南岭镇").replace("王建国", "孙南岭"),
                                      "utf-8")
        decide([params / hubs.WANG, params / hubs.XIHE, params / NANLING], PASSED, "组织部",
               templates=hub.root / "templates")
        assert (params / LI).exists()  # in scope, not approved
        reviewer = Clerk(hub, "shenyue", hubs.PASSWORDS["shenyue"])
        try:
            reviewer.click(reviewer.find("ButtonModel", "下载汇编"))
            shown = reviewer.wait_for_text("年度汇编", "还没有已通过", "汇编没有生成")
        finally:
            reviewer.close()
    assert "2023 年度汇编（2 份已通过的报告）" in shown, shown[:300]
    assert "李明华" in shown and "待审" in shown  # listed as not included
    found = re.search(r'download="([^"]+)" href="data:[^;]+;base64,([^"]+)"', shown)
    assert found and "东山镇、西河乡" in found.group(1)
    body = docx.Document(io.BytesIO(base64.b64decode(found.group(2))))
    text = "\n".join(p.text for p in body.paragraphs)
    assert "（2篇）" in text
    assert "王建国" in text and "周西河" in text
    assert "孙南岭" not in text and "李明华" not in text
