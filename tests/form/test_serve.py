"""``kit form``'s set-up; the served page itself is tested in test_browser.py."""

from __future__ import annotations

import socket

import pytest

from kit.errors import KitError
from kit.form import serve


def test_voila_listens_on_localhost_with_code_hidden(tmp_path):
    cmd = serve.voila_command(tmp_path / "form.ipynb", 9999, "abc")
    assert "--Voila.ip=127.0.0.1" in cmd and "--strip_sources=True" in cmd
    assert "--token=abc" in cmd and "--port=9999" in cmd


def test_a_busy_port_is_one_clear_message(folders):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        with pytest.raises(KitError, match="已被占用"):
            serve.start(port, folders)
