"""One real batch shared by the batch and review tests (kernels are slow to start)."""

from __future__ import annotations

import contextlib
import io
import shutil
from pathlib import Path

import pytest

from kit.cli import main
from tests.conftest import ROOT

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int, str]:
    """``kit build`` over good, broken and hostile files: (folder, exit status, stdout)."""
    root = tmp_path_factory.mktemp("batch")
    for part in ("params", "templates"):  # the shipped samples, plus the test's own files
        shutil.copytree(ROOT / part, root / part)
        shutil.copytree(FIXTURES / part, root / part, dirs_exist_ok=True)
    shutil.copy(ROOT / "tests" / "fixtures" / "params_bad" / "gbk.yaml", root / "params")
    out = io.StringIO()
    with pytest.MonkeyPatch.context() as mp, contextlib.redirect_stdout(out):
        mp.chdir(root)
        code = main(["--templates", "templates", "build", "params", "-o", "build",
                     "--workers", "2", "--timeout", "60"])
    return root, code, out.getvalue()
