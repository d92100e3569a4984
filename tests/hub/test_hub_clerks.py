"""Clerks at once on a real hub (bench/bench_hub.py runs the same with 30): every save
lands in its own file with its own figure, and two browsers of one unit on one file
lose nothing — the second save is refused, naming the first, and both attempts are in
the review record under their accounts."""

from __future__ import annotations

import hashlib
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from kit.hub.accounts import Accounts
from kit.report.params import read_entries
from kit.review.record import Store
from tests.hub import hubs
from tests.hub.clerk import Clerk

pytestmark = pytest.mark.slow
CLERKS = 3


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    with hubs.running(tmp_path_factory.mktemp("kit-hub-clerks"), clerks=CLERKS) as running:
        yield running


def figure(hub, name: str) -> object:
    return read_entries(hub.root / "params" / name)["心得体会"].value


def test_clerks_saving_at_once_each_save_their_own_file(hub):
    others = {p.name: p.read_bytes() for p in (hub.root / "params").glob("*.yaml")
              if not p.name.startswith("测试")}

    def work(n: int) -> str:
        clerk = Clerk(hub, f"clerk{n:02d}", hubs.PASSWORDS[f"clerk{n:02d}"])
        try:
            assert clerk.options() == ["（新建一份）", hubs.clerk_file(n)]
            clerk.open(hubs.clerk_file(n))
            clerk.type("心得体会", str(20 + n))
            said, _ = clerk.save()
            return said
        finally:
            clerk.close()

    with ThreadPoolExecutor(CLERKS) as pool:
        told = list(pool.map(work, range(1, CLERKS + 1)))
    assert all("已保存" in t for t in told), told
    for n in range(1, CLERKS + 1):
        assert figure(hub, hubs.clerk_file(n)) == str(20 + n)
    assert others == {name: (hub.root / "params" / name).read_bytes() for name in others}


def test_the_second_of_two_browsers_on_one_file_is_not_written_over_the_first(hub):
    first = Clerk(hub, "clerk01", hubs.PASSWORDS["clerk01"])
    second = Clerk(hub, "clerk01", hubs.PASSWORDS["clerk01"])
    try:
        for clerk in (first, second):
            clerk.open(hubs.clerk_file(1))
        first.type("心得体会", "41")
        assert "已保存" in first.save()[0]
        second.type("心得体会", "42")
        said, _ = second.save()
        assert "您打开之后它已经变了。为免覆盖对方的修改，这次没有保存。" in said
        assert figure(hub, hubs.clerk_file(1)) == "41"
    finally:
        first.close()
        second.close()


def test_a_forged_form_action_cannot_reach_another_units_file(hub):
    """What a page could send the form's kernel besides typing — another unit in the
    form, a name that would make a path outside params/, a list position past the
    clerk's own files — is refused in the kernel, and no file changes."""
    before = {p.name: p.read_bytes() for p in (hub.root / "params").glob("*.yaml")}
    clerk = Clerk(hub, "dongshan", hubs.PASSWORDS["dongshan"])
    try:
        assert hubs.XIHE not in clerk.options()
        picker = clerk.find("DropdownModel", "已有参数文件")
        clerk.set(picker, index=len(clerk.options()) + 3)  # past the list: nothing opens
        clerk.click(clerk.find("ButtonModel", "打开"))
        assert "已打开" not in clerk.wait_for_text("已打开", "无法打开", "已清空")
        clerk.open(hubs.WANG)
        clerk.type("单位", "西河乡")  # the other unit's official, written from this form
        clerk.type("姓名", "周西河")
        said, _ = clerk.save()
        assert "没有保存" in said and "不属于您的单位" in said, said
        clerk.type("单位", "东山镇")
        clerk.type("姓名", "../../周西河")
        said, _ = clerk.save()
        assert "没有保存" in said, said
    finally:
        clerk.close()
    assert before == {p.name: p.read_bytes() for p in (hub.root / "params").glob("*.yaml")}
    assert not list(hub.root.rglob("*周西河*.yaml"))[1:]  # only 西河乡's own file


def test_two_clerks_of_one_unit_the_second_save_is_refused_and_both_are_recorded(hub):
    """clerk01 and clerk01b, both clerks of 测试01镇, open the same file; clerk01 saves
    first.  clerk01b is told who saved it and when, what it typed stays in its form, the
    file holds clerk01's save, and the record has both attempts under their accounts."""
    password = "Clerk-01b-pass"
    Accounts(hub.root).add("clerk01b", "测试乙", ["测试01镇"], "填报", password)
    name = hubs.clerk_file(1)
    before = len(Store.of_folder(hub.root / "params").saves())
    first = Clerk(hub, "clerk01", hubs.PASSWORDS["clerk01"])
    second = Clerk(hub, "clerk01b", password)
    try:
        for clerk in (first, second):
            clerk.open(name)
        first.type("心得体会", "51")
        assert "已保存" in first.save()[0]
        second.type("心得体会", "52")
        said, _ = second.save()
        assert "测试01镇的 clerk01（测试01）在 " in said
        assert "保存过这份文件，您打开之后它已经变了。为免覆盖对方的修改，这次没有保存。" in said
        assert "您填写的内容还在表单里" in said
        assert figure(hub, name) == "51"
        second._load_states()  # the kernel's own widget values: what clerk01b typed is kept
        box = second.find("TextModel", second.label("心得体会"))
        assert second.models[box]["value"] == "52"
    finally:
        first.close()
        second.close()
    saves = Store.of_folder(hub.root / "params").saves()[before:]
    assert [(s.account, s.name, s.outcome, s.file) for s in saves] == [
        ("clerk01", "测试01", "已保存", name), ("clerk01b", "测试乙", "未保存", name)]
    assert saves[0].sha256 == hashlib.sha256((hub.root / "params" / name).read_bytes()).hexdigest()


def kernels_of(hub, account: str) -> list[int]:
    """The kernel processes of ``account``'s Voilà server (which runs in its home folder)."""
    from pathlib import Path

    for pid in hubs.descendants(hub.proc.pid):
        try:
            voila = b"kit.hub.voila" in Path(f"/proc/{pid}/cmdline").read_bytes()
            home = Path(f"/proc/{pid}/cwd").resolve().name
        except OSError:
            continue
        if voila and home == account:
            return [k for k in hubs.descendants(pid)
                    if b"ipykernel" in Path(f"/proc/{k}/cmdline").read_bytes()]
    return []


def until(check, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.5)
    return check()


def test_a_clerk_has_one_kernel_and_a_preheated_page_lists_files_saved_since(hub):
    """The server keeps one kernel ready (the form already run) but never beside an open
    page (kit.hub.pool); a page made before a file was saved still lists it."""
    clerk = Clerk(hub, "clerk02", hubs.PASSWORDS["clerk02"])
    time.sleep(3)  # past Voilà's refill delay (1 s): no second kernel comes
    assert len(kernels_of(hub, "clerk02")) == 1
    clerk.close()
    assert clerk.shut
    assert until(lambda: len(kernels_of(hub, "clerk02")) == 1)  # the next one, made now
    time.sleep(3)  # …and has run the form
    text = (hub.root / "params" / hubs.clerk_file(2)).read_text("utf-8")
    later = "测试02镇-党委书记-后来.yaml"
    (hub.root / "params" / later).write_text(text.replace("姓名: 测试02", "姓名: 后来"), "utf-8")
    again = Clerk(hub, "clerk02", hubs.PASSWORDS["clerk02"])
    try:
        assert later in again.options()
    finally:
        again.close()


def test_the_preheat_route_that_needs_no_login_is_not_served(hub):
    """Voilà adds, for preheated kernels, a websocket anyone may open (voila/query/…);
    kit.hub.voila leaves it out: not there for a stranger, nor for the clerk."""
    import requests

    clerk = Clerk(hub, "clerk03", hubs.PASSWORDS["clerk03"])
    try:
        for session in (requests.Session(), clerk.session):
            r = session.get(f"{hub.url}/user/clerk03/voila/query/{clerk.kernel_id}",
                            headers={"Connection": "Upgrade", "Upgrade": "websocket",
                                     "Sec-WebSocket-Version": "13",
                                     "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="},
                            timeout=30, allow_redirects=False, stream=True)
            r.close()
            assert r.status_code != 101, r.status_code
            assert r.status_code in (302, 403, 404), r.status_code
    finally:
        clerk.close()
