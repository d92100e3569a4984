"""Shared test helpers: the project root, the seed sample, the shipped templates; and,
under ``bash run.sh test`` (which has installed and checked every system tool), a test
skipped for want of a tool is a failure, not a quiet 「s」."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEED = FIXTURES / "seed.txt"  # byte-for-byte copy of shared/seed/000_a585933d92d127be.txt


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A scratch copy of templates/ and params/, with the working folder set to it."""
    for name in ("templates", "params"):
        shutil.copytree(ROOT / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def index_rows(index: Path) -> list[dict[str, Any]]:
    """The rows of a review index (build/<年度>/review/index.html), as its page holds them."""
    page = index.read_text("utf-8")
    found = re.search(r'id="data">(.*?)</script>', page, re.S)
    assert found, "the index holds no data"
    rows: list[dict[str, Any]] = json.loads(found.group(1))
    return rows


REQUIRE_TOOLS = "KIT_TESTS_REQUIRE_TOOLS"  # set by run.sh test
_TOOL_SKIP = re.compile(r"needs |not installed|未安装")  # the skip reasons of missing tools


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    outcome = yield
    report = outcome.get_result()
    if report.skipped and os.environ.get(REQUIRE_TOOLS) and isinstance(report.longrepr, tuple):
        reason = report.longrepr[2]
        if _TOOL_SKIP.search(reason):
            report.outcome = "failed"
            report.longrepr = f"{reason}: run.sh test installs every system tool, yet it is missing"


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium through Playwright, one per test module (form, hub)."""
    from playwright.sync_api import sync_playwright

    from tests.form import servers

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(servers.CHROMIUM), args=servers.CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()
