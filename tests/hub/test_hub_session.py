"""Sessions on a real hub with short limits (idle 6 s, checked each second): an idle
session ends, and so does the session of an account locked by the administrator."""

from __future__ import annotations

import time

import pytest

from kit.hub.accounts import Accounts
from tests.hub import hubs

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    env = {"KIT_HUB_IDLE_SECONDS": "6", "KIT_HUB_REFRESH_SECONDS": "1"}
    with hubs.running(tmp_path_factory.mktemp("kit-hub-session"), env=env) as running:
        yield running


def logged_in(hub, s) -> bool:
    r = s.get(hub.url + "/hub/home", allow_redirects=False)
    return r.status_code == 200


def test_an_idle_session_expires(hub):
    s, r = hub.login("shenyue")
    assert r.ok and logged_in(hub, s)
    time.sleep(9)  # no request for longer than the idle limit
    assert not logged_in(hub, s)
    s, _ = hub.login("shenyue")  # logging in again works
    assert logged_in(hub, s)


def test_locking_an_account_ends_its_session(hub):
    s, r = hub.login("xihe")
    assert r.ok and logged_in(hub, s)
    Accounts(hub.root).set_disabled("xihe", True)
    time.sleep(2)  # the next check of the account
    assert not logged_in(hub, s)
