"""Set-up files stay in step and tell the truth: environment.yml lists what pyproject.toml
does, the README's exit-code table is kit/errors.py's, run.sh installs only what is
really missing and stops, in Chinese, when it cannot, and no dead code."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from kit import errors
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
    (pip,) = (d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert pip[-1] == "-e ."
    from_pip = dict(_name_spec(d) for d in pip[:-1])  # those conda-forge does not have
    conda.pop("pip")
    python = conda.pop("python")
    assert python == project["requires-python"]
    assert not conda.keys() & from_pip.keys()
    assert conda | from_pip == wanted


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


def _error_classes(cls: type[errors.KitError]) -> list[type[errors.KitError]]:
    return [cls, *(c for sub in cls.__subclasses__() for c in _error_classes(sub))]


# What each code's row says, in a word the row cannot do without.
_MEANING = {0: "成功", errors.EXIT_FAILED: "失败", errors.EXIT_INTERNAL: "内部错误",
            errors.EXIT_INTERRUPTED: "中断"}
_CLASS_MEANING = {errors.UsageError: "命令", errors.ParamsError: "参数文件",
                  errors.TemplateError: "模板", errors.OutputError: "无法写出",
                  errors.ToolMissingError: "缺少", errors.ExistsError: "已存在",
                  errors.ToolFailedError: "失败", errors.NotApprovedError: "审阅"}


def test_the_readme_exit_code_table_is_the_codes_of_kit_errors() -> None:
    import kit.cli  # noqa: F401  (every module with an error class of its own)

    rows = dict(re.findall(r"^\| *(\d+) *\|(.*)\|\s*$", (ROOT / "README.md").read_text("utf-8"),
                           re.M))
    codes = {cls.exit_code for cls in _error_classes(errors.KitError)} | _MEANING.keys()
    assert sorted(map(int, rows)) == sorted(codes)
    for code, word in _MEANING.items():
        assert word in rows[str(code)], (code, rows[str(code)])
    for cls, word in _CLASS_MEANING.items():
        assert word in rows[str(cls.exit_code)], (cls.__name__, rows[str(cls.exit_code)])


def _fake(bin_dir: Path, name: str, script: str) -> None:
    path = bin_dir / name
    path.write_text("#!/bin/sh\n" + script + "\n", "utf-8")
    path.chmod(0o755)


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_run_sh_takes_not_installed_for_missing_and_says_what_to_install(tmp_path: Path) -> None:
    """dpkg-query prints "not-installed" for a package it knows but was removed: run.sh
    must install it, check again, and stop with one Chinese line per thing missing."""
    script = (ROOT / "run.sh").read_text("utf-8")
    need = 'BUILD_NEEDS="kit-test-absent|file:/nonexistent/kit-test|测试用的缺失软件"'
    script, n = re.subn(r'^BUILD_NEEDS="[^"]*"$', need, script, flags=re.M)
    assert n == 1
    (tmp_path / "run.sh").write_text(script, "utf-8")
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "apt.log"
    _fake(bin_dir, "dpkg-query", "echo not-installed")
    _fake(bin_dir, "apt-get", f'echo "$*" >> "{log}"')  # "succeeds", installs nothing
    _fake(bin_dir, "sudo", 'exec "$@"')
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    for command in ("build", "test"):
        run = subprocess.run(["bash", "run.sh", command], cwd=tmp_path, env=env,
                             stdin=subprocess.DEVNULL, capture_output=True, text=True,
                             timeout=120)
        assert run.returncode == 1, run.stderr
        assert "测试用的缺失软件：请安装软件包 kit-test-absent" in run.stderr
        assert "sudo apt-get install kit-test-absent " in run.stderr
        assert not (tmp_path / ".venv").exists()  # stopped before the Python set-up
    installs = [line for line in log.read_text("utf-8").splitlines() if "install" in line]
    assert len(installs) == 2 and all("kit-test-absent" in line.split() for line in installs)


def test_under_run_sh_a_test_skipped_for_want_of_a_tool_fails(tmp_path: Path) -> None:
    (tmp_path / "test_tools.py").write_text(
        "import pytest\n"
        "@pytest.mark.skipif(True, reason='needs LibreOffice')\n"
        "def test_tool(): pass\n"
        "def test_pandoc(): pytest.skip('pandoc not installed')\n"
        "@pytest.mark.skipif(True, reason='root can write anywhere')\n"
        "def test_other(): pass\n", "utf-8")
    env = dict(os.environ, PYTHONPATH=str(ROOT), KIT_TESTS_REQUIRE_TOOLS="1")
    cmd = [sys.executable, "-m", "pytest", "-p", "tests.conftest", "-p", "no:cacheprovider",
           "-q", "-rA", "test_tools.py"]
    run = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert "1 failed, 1 skipped, 1 error" in run.stdout, run.stdout
    env.pop("KIT_TESTS_REQUIRE_TOOLS")
    run = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert "3 skipped" in run.stdout, run.stdout


def test_every_test_folder_is_collected(pytestconfig: pytest.Config) -> None:
    """pytest skips folders named like its norecursedirs (by default build/, which held
    53 tests of kit build unseen): no folder of tests may match one."""
    from fnmatch import fnmatch

    patterns = pytestconfig.getini("norecursedirs")
    tests = ROOT / "tests"
    folders = {p.parent for p in tests.rglob("test_*.py")}
    for folder in folders:
        for part in folder.relative_to(tests).parts:
            assert not any(fnmatch(part, pat) for pat in patterns), (folder, patterns)
    assert tests / "build" in folders
