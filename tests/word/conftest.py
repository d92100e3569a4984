"""Shared fixtures for kit.word tests."""

from __future__ import annotations

import shutil

import pytest

from .sample import sample_reports
from .synth import synthetic_reports

needs_soffice = pytest.mark.skipif(
    shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed"
)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: takes seconds (LibreOffice, big volumes)")


@pytest.fixture(scope="session")
def sample():
    return sample_reports()


@pytest.fixture(scope="session")
def synthetic36():
    return synthetic_reports(36, seed=20231)
