"""The process running ``kit build`` stays light: nbformat (with jsonschema and its
grammar compilers, about a second to import) is the workers' business.  A worker's
result or a reused notebook that drags it into the batch process costs every build
that second (it did: results held nbformat's NotebookNode)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.build.conftest import write_officials

PROBE = """
import json, sys
from kit.cli import main
code = main(["--templates", "templates", "build", "params", "-o", "build",
             "--workers", "1", "--timeout", "60"])
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


@pytest.mark.slow
def test_the_batch_process_never_imports_nbformat(workspace: Path) -> None:
    write_officials(workspace / "params", 2)
    first = subprocess.run([sys.executable, "-c", PROBE], cwd=workspace,
                           capture_output=True, text=True, timeout=300)
    changed = sorted((workspace / "params").glob("*.yaml"))[0]
    changed.write_text(changed.read_text("utf-8").replace("讲党课: ", "讲党课: 1"), "utf-8")
    again = subprocess.run([sys.executable, "-c", PROBE], cwd=workspace,
                           capture_output=True, text=True, timeout=300)
    for run in (first, again):  # a fresh build, then one reused and one executed again
        assert run.returncode == 0, run.stderr
        seen = json.loads(run.stdout.splitlines()[-1])
        assert seen["code"] == 0
        assert "nbformat" not in seen["modules"]
        assert "jsonschema" not in seen["modules"]
    assert "沿用上次结果 1 份，本次执行 1 份" in again.stdout
