"""How ``kit build`` and the folder's kept process talk: who may connect, and what.

* Only the same user: on POSIX the folder ``<out>/.kit/server/``, its ``info.json`` and
  the socket must be that user's own and closed to everyone else, or nothing is sent;
  then both sides prove they know the random key of ``info.json`` (multiprocessing's
  HMAC challenge, both ways).
* Only data: each message is a JSON pair ``[kind, value]`` of bounded size, never a
  pickle (what the connection's ``send``/``recv`` would use).
* Never a hang: connecting and the handshake are limited in time on both sides (a
  command stopped with Ctrl-Z must not block the next one).
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from pathlib import Path
from typing import Any

from kit.iorw import atomic_write_text
from kit.lock import held_elsewhere

MAX_MESSAGE = 16 << 20  # bytes: a build's output is sent in pieces of at most 1 MB
PIECE = 1 << 20  # characters
HANDSHAKE_SECONDS = 5
SOCKET_PATH_MAX = 100  # bytes; Unix socket paths are limited to about 104


class WireError(Exception):
    """A message that is not one of ours."""


def send(conn: Any, kind: str, value: Any = None) -> None:
    conn.send_bytes(json.dumps([kind, value], ensure_ascii=False).encode("utf-8"))


def recv(conn: Any) -> tuple[str, Any]:
    try:
        kind, value = json.loads(conn.recv_bytes(MAX_MESSAGE).decode("utf-8"))
    except (ValueError, TypeError, UnicodeDecodeError) as err:
        raise WireError(str(err)) from None
    if not isinstance(kind, str):
        raise WireError("kind")
    return kind, value


def answer(conn: Any, seconds: float) -> str | None:
    """The kind of the next message, or None when none comes in time."""
    if not conn.poll(seconds):
        return None
    return recv(conn)[0]


def _private(path: Path) -> bool:
    """Whether ``path`` (not a link) is this user's and closed to everyone else."""
    if os.name != "posix":
        return True  # under the user's own profile; Windows has no such modes
    try:
        st = os.lstat(path)
    except OSError:
        return False
    return st.st_uid == os.getuid() and not st.st_mode & 0o077 and not os.path.islink(path)


def read_info(folder: Path) -> dict[str, Any] | None:
    """The kept process's ``info.json``, if it is safe to use and one is alive."""
    path = folder / "info.json"
    if not (_private(folder) and _private(path)):
        return None
    info = read_json(path)
    if not isinstance(info, dict) or not isinstance(info.get("address"), str) \
            or not isinstance(info.get("key"), str):
        return None
    if os.name == "posix" and not _private(Path(info["address"])):
        return None  # a socket someone else made
    return info if held_elsewhere(folder / "lock") else None


def read_json(path: Path) -> Any:
    """What a JSON file holds, or None."""
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None


def write_info(folder: Path, info: dict[str, Any]) -> None:
    atomic_write_text(folder / "info.json", json.dumps(info), mode=0o600)


def connect(folder: Path) -> tuple[Any, dict[str, Any]] | None:
    """A connection to the folder's kept process and its info, or None (none, not ours,
    or no answer in time)."""
    from multiprocessing.connection import Client

    info = read_info(folder)
    if info is None:
        return None
    try:
        key = bytes.fromhex(info["key"])
    except ValueError:
        return None
    got: list[Any] = []

    def dial() -> None:
        with contextlib.suppress(Exception):  # gone, or not ours: built as usual
            got.append(Client(info["address"], authkey=key))

    thread = threading.Thread(target=dial, daemon=True)
    thread.start()
    thread.join(HANDSHAKE_SECONDS)
    return (got[0], info) if got else None


def listen(folder: Path) -> Any:
    """A listener for this process (no key: each connection's handshake is done by
    :func:`handshake`, on its own thread)."""
    from multiprocessing.connection import Listener

    if os.name == "posix":
        path = folder / "s"
        if len(os.fsencode(path)) <= SOCKET_PATH_MAX:
            path.unlink(missing_ok=True)  # a killed predecessor's (we hold the lock)
            listener = Listener(str(path), family="AF_UNIX")
            os.chmod(path, 0o600)
            return listener
    listener = Listener()  # a fresh socket in a private temporary folder, or a named pipe
    if os.name == "posix":
        os.chmod(listener.address, 0o600)
    return listener


def handshake(conn: Any, key: bytes) -> bool:
    """Both sides prove they know ``key`` (what a Listener with an authkey does, here
    with a time limit: a stalled command only holds its own thread)."""
    from multiprocessing.connection import answer_challenge, deliver_challenge

    timer = threading.Timer(HANDSHAKE_SECONDS, _cut, (conn,))
    timer.start()
    try:
        deliver_challenge(conn, key)
        answer_challenge(conn, key)
        return True
    except Exception:  # noqa: BLE001  # a wrong key, or a command that went away
        return False
    finally:
        timer.cancel()


def _cut(conn: Any) -> None:
    """End a connection whose reads block in another thread (closing it would not)."""
    import socket

    with contextlib.suppress(OSError, AttributeError, ValueError):
        sock = socket.socket(fileno=os.dup(conn.fileno()))
        sock.shutdown(socket.SHUT_RDWR)
        sock.close()
