"""The kit as users install it: a wheel in a fresh virtual environment, used in a
folder of one's own outside this repository (kit init, then kit build)."""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
from pathlib import Path

import pytest
from docx import Document

from tests.conftest import ROOT

pytestmark = pytest.mark.slow

# What a checkout holds that a build must not see (a source copy is built, so the
# repository's own build/ and .venv are never touched).  Top-level names only: kit/build/
# is a package of the kit.
_NOT_SOURCE_TOP = {".git", ".venv", "build", "bench", ".setuptools-build"}
_NOT_SOURCE = shutil.ignore_patterns("*.egg-info", "__pycache__", ".pytest_cache",
                                     ".ruff_cache", ".mypy_cache")


def _not_source(folder: str, names: list[str]) -> set[str]:
    top = _NOT_SOURCE_TOP if Path(folder) == ROOT else set()
    return set(_NOT_SOURCE(folder, names)) | (top & set(names))


def _run(cmd: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, f"{cmd}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A fresh virtual environment with the kit's wheel installed (not editable)."""
    base = tmp_path_factory.mktemp("wheel")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("KIT_") and k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    source = base / "source"
    shutil.copytree(ROOT, source, ignore=_not_source)
    _run([sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "-q", "-w", str(base / "dist")],
         source, env)
    wheels = list((base / "dist").glob("*.whl"))
    assert len(wheels) == 1
    shutil.rmtree(source)  # nothing of the repository is left to fall back on
    venv = base / "venv"
    # No pip of its own (ensurepip costs a quarter of a minute): this one installs into it.
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], base, env)
    python = str(venv / "bin" / "python")
    pip = [sys.executable, "-m", "pip", "--python", python]
    # The dependencies are this environment's (installing them from PyPI took minutes):
    # its site-packages are appended to the new one's path by a .pth.  Paths a .pth adds
    # are not site folders, so the editable install of the kit there is not seen; the
    # kit itself is the wheel's, installed into the venv's own site-packages, which
    # comes first.
    own = _run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
               base, env).stdout.strip()
    Path(own, "kit-test-dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n",
                                                       "utf-8")
    for data in ("share/jupyter", "etc/jupyter"):  # their data files (nbconvert's templates…)
        if (Path(sys.prefix) / data).is_dir():
            (venv / data).parent.mkdir(parents=True, exist_ok=True)
            (venv / data).symlink_to(Path(sys.prefix) / data, target_is_directory=True)
    _run([*pip, "install", "-q", "--no-deps", str(wheels[0])], base, env)
    # What the wheel says it needs is all there (pip check reads its metadata).
    _run([*pip, "check"], base, env)
    return venv, env


def test_wheel_ships_the_notebooks_templates_and_samples(installed) -> None:
    venv, env = installed
    site = _run([str(venv / "bin" / "python"), "-c",
                 "from kit import project; print(project.report_notebook());"
                 "print(project.form_notebook()); print(project.shipped('templates'))"],
                venv, env).stdout.split()
    for path in map(Path, site):
        assert path.exists() and path.is_relative_to(venv), path
    shipped = Path(site[2])
    assert sorted(p.name for p in shipped.glob("*.md")) == sorted(
        p.name for p in (ROOT / "templates").glob("*.md"))
    # argparse's catalog is shipped (without it the kit falls back to English).
    wrong = subprocess.run([str(venv / "bin" / "kit"), "build", "--by", "argument"], cwd=venv,
                           env=env, capture_output=True, text=True, timeout=60)
    assert wrong.returncode == 2 and "没有「argument」这一项" in wrong.stderr, wrong.stderr


def test_init_then_build_outside_the_repository(installed, tmp_path: Path) -> None:
    venv, env = installed
    kit = str(venv / "bin" / "kit")
    _run([kit, "init", "述职"], tmp_path, env)
    work = tmp_path / "述职"
    assert (work / "使用说明.md").is_file()
    done = _run([kit, "build", "--workers", "1"], work, env)
    assert "2 成功，0 失败" in done.stdout
    again = _run([kit, "build", "--workers", "1"], work, env)
    assert "本次执行 0 份" in again.stdout
    year = work / "build" / "2023"
    reports = sorted((year / "docx").glob("*.docx"))
    assert len(reports) == 2
    names = {"王建国", "李明华"}
    for report in reports:
        text = "\n".join(p.text for p in Document(str(report)).paragraphs)
        assert any(n in text for n in names) and "述职报告" in text
    volume = Document(str(year / "2023年度述职报告汇编.docx"))
    text = "\n".join(p.text for p in volume.paragraphs)
    assert "2023年度述职报告汇编" in text and all(n in text for n in names)
    assert (year / "review" / "index.html").is_file()


def test_the_form_finds_the_working_folder(installed, tmp_path: Path) -> None:
    """What ``kit form`` and ``kit lab`` run (the working folder's form notebook, copied
    by kit init) reads the folder's templates and writes to its params/ (the browser
    tests are in tests/form)."""
    venv, env = installed
    _run([str(venv / "bin" / "kit"), "init", "w"], tmp_path, env)
    code = ("from kit.form import Workspace, ReportForm; from kit.form.serve import find_notebook;"
            "f = Workspace.find(); print(f.root); print(f.params);"
            "print(sorted(ReportForm(f).roles)); print(find_notebook(f))")
    root, params, roles, notebook = _run([str(venv / "bin" / "python"), "-c", code],
                                         tmp_path / "w", env).stdout.splitlines()
    assert Path(root) == (tmp_path / "w").resolve()
    assert Path(params) == (tmp_path / "w" / "params").resolve()
    assert roles == "['镇党建办主任', '镇委书记']"
    assert Path(notebook) == (tmp_path / "w" / "notebooks" / "form.ipynb").resolve()
