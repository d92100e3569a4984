"""Clerks at once on a real hub (bench/bench_hub.py runs the same with 30): every save
lands in its own file with its own figure, and two browsers of one unit on one file
lose nothing — the second save is held with a question, not written."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from kit.report.params import read_entries
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
        assert "还没有保存" in said
        assert figure(hub, hubs.clerk_file(1)) == "41"
    finally:
        first.close()
        second.close()


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
