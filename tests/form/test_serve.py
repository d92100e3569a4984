"""``kit form`` / ``kit lab`` set-up; the served pages themselves are tested in
test_browser.py."""

from __future__ import annotations

import json
import os
import re
import socket
import sys
import time

import pytest

from kit.errors import KitError
from kit.form import serve


def test_voila_listens_on_localhost_with_code_hidden_and_culls_idle_kernels(tmp_path):
    cmd = serve.voila_command(tmp_path / "form.ipynb", 9999)
    assert "--Voila.ip=127.0.0.1" in cmd and "--strip_sources=True" in cmd
    assert "--port=9999" in cmd and "--Voila.auto_token=True" in cmd  # from $JUPYTER_TOKEN
    assert not any(re.search(r"(^--|\.)token=", arg) for arg in cmd)  # ps shows no token
    assert "--template=kit" in cmd and "--Voila.log_level=WARN" in cmd
    assert f"--MappingKernelManager.cull_idle_timeout={serve.IDLE_LIMIT}" in cmd
    env = {"JUPYTER_PATH": "/elsewhere"}
    assert serve.jupyter_path(env).split(os.pathsep) == [str(serve.SHARE), "/elsewhere"]
    assert (serve.SHARE / "voila" / "templates" / "kit" / "index.html.j2").is_file()


def test_kit_lab_defaults_are_chinese_and_without_the_restart_dialog(tmp_path):
    cmd = serve.lab_command(tmp_path, 9998)
    assert "--ServerApp.ip=127.0.0.1" in cmd and not any("token" in arg for arg in cmd)
    assert serve.token_env("abc") == {"JUPYTER_TOKEN": "abc"}
    path = serve.lab_config_path({"JUPYTER_CONFIG_PATH": "/mine"}).split(os.pathsep)
    assert path == [str(serve.SHARE / "config"), "/mine"]  # the user's own still read, after
    overrides = json.loads((serve.SHARE / "config" / "labconfig"
                            / "default_setting_overrides.json").read_text(encoding="utf-8"))
    assert overrides["@jupyterlab/translation-extension:plugin"]["locale"] == "zh_CN"
    assert overrides["@jupyterlab/apputils-extension:sessionDialogs"] == {
        "skipKernelRestartDialog": True}


def test_jupyters_english_notices_are_dropped_and_real_errors_kept(capsys, tmp_path):
    lines = ["[Voila] WARNING | Notebook form.ipynb is not trusted",
             "[W 2026-11-27 18:01:17.145 ServerApp] Could not determine npm prefix",
             "/x/traitlets.py:1904: DeprecationWarning: ServerApp.token config is deprecated",
             "  return self._get_trait_default_generator(names[0])(self)",
             "The websocket_ping_timeout (90000) cannot be longer than the interval (30000).",
             "    Setting websocket_ping_timeout=30000",
             "[Voila] ERROR | 真正的错误", "Traceback (most recent call last):",
             "  File \"x.py\", line 1"]
    code = f"import sys; sys.stderr.write({chr(10).join(lines) + chr(10)!r})"
    proc = serve._popen([sys.executable, "-c", code], tmp_path, dict(os.environ))
    proc.wait()
    deadline = time.monotonic() + 300  # a guard only: the lines come as soon as it reads them
    err = ""
    while 'line 1' not in err and time.monotonic() < deadline:
        time.sleep(0.1)
        err += capsys.readouterr().err
    assert err.splitlines() == lines[-3:]


def test_a_busy_port_is_one_clear_message(folders):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        with pytest.raises(KitError, match="已被占用"):
            serve.start(port, folders)
        with pytest.raises(KitError, match="kit lab --port"):
            serve.start_lab(port, folders)
