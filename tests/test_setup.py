"""Set-up files stay in step: environment.yml lists what pyproject.toml does; no dead code."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib

import yaml

from tests.conftest import ROOT


def _name_spec(req: str) -> tuple[str, str]:
    m = re.match(r"([A-Za-z0-9_.\-]+)\s*(.*)", req)
    assert m, req
    return m.group(1).lower().replace("_", "-"), m.group(2).replace(" ", "")


def test_environment_yml_matches_pyproject() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    wanted = dict(_name_spec(r) for r in project["dependencies"])
    wanted |= dict(_name_spec(r) for r in project["optional-dependencies"]["test"])
    env = yaml.safe_load((ROOT / "environment.yml").read_text("utf-8"))
    assert "conda-forge" in env["channels"]
    conda = dict(_name_spec(d) for d in env["dependencies"] if isinstance(d, str))
    conda.pop("pip")
    python = conda.pop("python")
    assert python == project["requires-python"]
    assert conda == wanted


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    assert "bash run.sh build" in readme and "bash run.sh test" in readme
    assert "bash run.sh test" in (ROOT / ".ci" / "run").read_text("utf-8")


def test_no_dead_code() -> None:
    """vulture, as configured in pyproject.toml ([tool.vulture]: kit and tests, with
    tests/vulture_whitelist.py): a function, class, variable or attribute nothing uses
    fails here.  A real false positive goes into the whitelist with its reason."""
    run = subprocess.run([sys.executable, "-m", "vulture"], cwd=ROOT, capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
