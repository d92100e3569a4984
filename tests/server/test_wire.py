"""The kept process's messages (kit.server.wire) and its handling of a command that is
gone before its build starts, over real connections: nothing here is mocked."""

from __future__ import annotations

import contextlib
import pickle
import threading
from multiprocessing import Pipe
from pathlib import Path

import pytest

from kit.server import wire
from kit.server.serve import _serve_one, _State
from tests.batch.conftest import write_officials


def test_messages_are_json_pairs() -> None:
    a, b = Pipe()
    wire.send(a, "out", "生成报告：1/2\r")
    wire.send(a, "exit", 0)
    assert wire.recv(b) == ("out", "生成报告：1/2\r")
    assert wire.recv(b) == ("exit", 0)


class _Boom:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (print, ("unpickled!",))


@pytest.mark.parametrize("payload", [pickle.dumps(_Boom()), b"[1, 2]", b"{}", b"\xff\xfe",
                                     b'["out"]', b"null"])
def test_anything_else_is_refused_never_unpickled(payload: bytes,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    a, b = Pipe()
    a.send_bytes(payload)
    with pytest.raises(wire.WireError):
        wire.recv(b)
    assert "unpickled!" not in capsys.readouterr().out


def test_a_too_long_message_is_refused() -> None:
    a, b = Pipe()

    def send() -> None:
        with contextlib.suppress(OSError):  # the reader hangs up after the length
            a.send_bytes(b"[" + b" " * (wire.MAX_MESSAGE + 1) + b"]")

    sender = threading.Thread(target=send, daemon=True)
    sender.start()  # (a pipe holds less than that: the reader must run meanwhile)
    with pytest.raises(OSError):
        wire.recv(b)
    b.close()
    sender.join(timeout=60)


def test_a_command_gone_while_queued_gets_no_build(workspace: Path) -> None:
    """Ctrl-C (or giving up) while the process was still starting hangs up: when its turn
    comes, nothing is built for it."""
    write_officials(workspace / "params", 1)
    out = workspace / "build"
    server_end, command_end = Pipe()
    command_end.close()
    state = _State()
    state.busy = True
    request = {"build": {"params_dir": str(workspace / "params"), "out_dir": str(out),
                         "workers": 1, "templates": str(workspace / "templates")}}
    _serve_one(server_end, request, None, {}, state)
    assert not out.exists()
    assert not state.busy
