"""A simulated clerk: logs in over HTTP and works the form through its kernel's
websocket as the page's widget manager does (ipywidgets' control comm to read the
widgets, ``update`` to type, ``custom`` click to press a button) — no browser, so
tens of clerks fit on a small machine.  Used by tests/hub/test_hub_clerks.py and
bench/bench_hub.py.

Every wait is bounded: a reply that does not come within :data:`WAIT` seconds raises
:class:`ClerkError` naming the clerk and what it waited for.  (A plain ``recv`` is not
bounded by the socket's timeout: websocket-client answers the server's pings inside it
and reads on, so a kernel that never answers kept a clerk waiting for ever.)"""

from __future__ import annotations

import contextlib
import json
import re
import time
import uuid
from dataclasses import dataclass, field

import requests
import websocket

from tests.hub.hubs import Hub

WAIT = 120  # s: the longest a clerk waits for one reply (30 clerks on 2 cores)


class ClerkError(RuntimeError):
    """A clerk got no (or a wrong) answer: the message names the clerk and the wait."""


class NoReply(ClerkError):
    """Nothing came before the deadline."""


class Clerk:
    def __init__(self, hub: Hub, account: str, password: str) -> None:
        self.hub, self.account = hub, account
        t0 = time.monotonic()
        self.session, r = hub.login(account, password)
        if not r.ok:
            raise ClerkError(f"{account}: login refused ({r.status_code})")
        # The login's redirects end on the form when the server is running (a browser
        # shows that page; asking again would start a second page and kernel), on the
        # hub's 「starting」 page when it is not.
        page = r if b'"kernelId"' in r.content else hub.form(self.session, account)
        found = re.search(r'"kernelId": "([0-9a-f-]+)"', page.content.decode())
        if not found:
            raise ClerkError(f"{account}: no form page ({page.status_code})")
        self.ready = time.monotonic() - t0  # from login to a rendered form page
        self.kernel_id = found.group(1)
        cookies = "; ".join(f"{c.name}={c.value}" for c in self.session.cookies)
        self.ws = websocket.create_connection(
            f"ws://127.0.0.1:{hub.port}/user/{account}/api/kernels/{found.group(1)}/channels"
            f"?session_id={uuid.uuid4().hex}",
            header=[f"Cookie: {cookies}"], origin=hub.url, timeout=WAIT)
        self.session_id = uuid.uuid4().hex
        self.models: dict[str, dict] = {}
        self.status = ""  # the status line's widget, once a file is open
        self._load_states()

    def _send(self, msg_type: str, content: dict, metadata: dict | None = None) -> None:
        self.ws.send(json.dumps({
            "header": {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "username": "",
                       "session": self.session_id, "version": "5.3", "date": ""},
            "parent_header": {}, "metadata": metadata or {}, "content": content,
            "channel": "shell", "buffers": []}))

    def _recv(self, what: str, deadline: float) -> dict:
        """The next kernel message; ClerkError once ``deadline`` (monotonic) has passed
        or the server closed the socket.  Read frame by frame (pings too), so that the
        deadline is checked however often the server pings."""
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise NoReply(f"{self.account}: no {what} within {WAIT} s")
            self.ws.settimeout(left)
            try:
                opcode, data = self.ws.recv_data(control_frame=True)
            except websocket.WebSocketTimeoutException:
                continue
            except (websocket.WebSocketException, OSError) as err:
                raise ClerkError(f"{self.account}: the websocket failed waiting for {what}: "
                                 f"{err!r}") from err
            if opcode == websocket.ABNF.OPCODE_CLOSE:
                raise ClerkError(f"{self.account}: the server closed the websocket while "
                                 f"waiting for {what}")
            if opcode in (websocket.ABNF.OPCODE_TEXT, websocket.ABNF.OPCODE_BINARY):
                msg = json.loads(data)
                self._track(msg)
                return msg

    def _track(self, msg: dict) -> None:
        """Keep the widgets' values as the kernel sends them, as the page does (the
        status line's text after a save, the file list after a new file)."""
        content = msg.get("content", {})
        data = content.get("data", {})
        if msg.get("msg_type") == "comm_msg" and data.get("method") in ("update", "echo_update"):
            self.models.get(content.get("comm_id", ""), {}).update(data.get("state", {}))

    def _load_states(self) -> None:
        control = uuid.uuid4().hex
        self._send("comm_open", {"comm_id": control, "target_name": "jupyter.widget.control",
                                 "data": {}}, {"version": "1.0.0"})  # ipywidgets 8 control protocol
        self._send("comm_msg", {"comm_id": control, "data": {"method": "request_states"}})
        deadline = time.monotonic() + WAIT
        while True:
            msg = self._recv("widget states (update_states)", deadline)
            data = msg.get("content", {}).get("data", {})
            if msg.get("msg_type") == "comm_msg" and data.get("method") == "update_states":
                self.models = {k: v["state"] for k, v in data["states"].items()}
                return

    def find(self, model: str, description: str = "") -> str:
        """The newest widget of this kind and label: the boxes of a role the form showed
        before are still in the kernel's list, older ones first."""
        for mid, state in reversed(self.models.items()):
            shown = re.sub(r"<[^>]+>", "", state.get("description", ""))  # labels are HTML
            if state.get("_model_name") == model and shown.startswith(description):
                return mid
        raise KeyError(f"{model} {description}")

    def set(self, mid: str, **state: object) -> None:
        self._send("comm_msg", {"comm_id": mid, "data": {"method": "update", "state": state,
                                                         "buffer_paths": []}})
        self.models[mid].update(state)

    def click(self, mid: str) -> None:
        self._send("comm_msg", {"comm_id": mid, "data": {"method": "custom",
                                                         "content": {"event": "click"}}})

    def wait_for_text(self, *texts: str) -> str:
        """The next HTML value the kernel sends that holds one of ``texts``."""
        deadline = time.monotonic() + WAIT
        while True:
            msg = self._recv(" or ".join(f"「{t}」" for t in texts), deadline)
            data = msg.get("content", {}).get("data", {})
            if msg.get("msg_type") == "comm_msg" and data.get("method") == "update":
                value = str(data.get("state", {}).get("value", ""))
                if any(t in value for t in texts):
                    return value

    def options(self) -> list[str]:
        return list(self.models[self.find("DropdownModel", "已有参数文件")]["_options_labels"])

    def open(self, name: str) -> str:
        picker = self.find("DropdownModel", "已有参数文件")
        self.set(picker, index=self.options().index(name))
        self.click(self.find("ButtonModel", "打开"))
        said = self.wait_for_text("已打开", "无法打开")
        self._load_states()  # the form's boxes are new ones for the file's role
        # The status line: the one that said 「已打开」 (it is blanked before each save).
        self.status = next((mid for mid, state in self.models.items()
                            if state.get("_model_name") == "HTMLModel"
                            and "kit-status" in str(state.get("value", ""))), "")
        if not self.status:
            raise ClerkError(f"{self.account}: no status line after opening {name}")
        return said

    def type(self, key: str, value: str) -> None:
        """Type into the box of field ``key`` (of the template ``role``)."""
        self.set(self.find("TextModel", self.label(key)), value=value)

    def label(self, key: str) -> str:
        from kit.report.templates import load_roles

        for template in load_roles(self.hub.root / "templates").values():
            if key in template.all_fields:
                return template.all_fields[key].label
        raise KeyError(key)

    def save(self) -> tuple[str, float]:
        # The status line blanked first, so that the same message as last time (saved
        # twice within a second: the same .bak name) still comes as a change.
        self.set(self.status, value="")
        t0 = time.monotonic()
        self.click(self.find("ButtonModel", "保存"))
        said = self.wait_for_text("已保存", "没有保存", "还没有保存")
        return said, time.monotonic() - t0

    def idle(self, seconds: float) -> None:
        """Read (and drop) what comes for ``seconds``: a page left open.  Reading is what
        answers the server's websocket pings; a socket never read is closed by it."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            with contextlib.suppress(NoReply):
                self._recv("nothing", min(deadline, time.monotonic() + 0.5))

    def close(self) -> None:
        """Close the page as a browser does: Voilà's page asks its server to shut its
        kernel down (a beacon on 「beforeunload」, with the _xsrf cookie), and the
        websocket goes."""
        xsrf = next((c.value for c in self.session.cookies
                     if c.name == "_xsrf" and c.path.startswith(f"/user/{self.account}")), "")
        self.shut = False  # whether the server shut the page's kernel down
        with contextlib.suppress(requests.RequestException):
            r = self.session.post(f"{self.hub.url}/user/{self.account}/voila/api/shutdown/"
                                  f"{self.kernel_id}", data={"_xsrf": xsrf}, timeout=WAIT)
            self.shut = r.status_code == 204
        self.ws.close()


@dataclass
class Run:
    """What N clerks did: each one's time to the form, save times, what they were told."""

    ready: list[float] = field(default_factory=list)
    saves: list[float] = field(default_factory=list)
    told: dict[str, list[str]] = field(default_factory=dict)
