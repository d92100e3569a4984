"""The shipped notebooks run as JupyterLab runs them: a kernel started in notebooks/.
Their files land in the project's folders (kit.project.Workspace), and running them never
changes the notebook files themselves (they are shipped, and tracked by git)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.form import servers

pytestmark = pytest.mark.slow


def _run(notebook: Path, tmp: Path) -> str:
    """Execute ``notebook`` with nbclient in its own folder, as JupyterLab does, in a child
    process with no KIT_* variables (nothing of this test's set-up helps it find the
    project); returns the text outputs."""
    script = (
        "import sys, nbformat\n"
        "from nbclient import NotebookClient\n"
        "nb = nbformat.read(sys.argv[1], as_version=4)\n"
        "NotebookClient(nb, timeout=300, kernel_name='python3',\n"
        "               resources={'metadata': {'path': sys.argv[2]}}).execute()\n"
        "for cell in nb.cells:\n"
        "    for out in cell.get('outputs', []):\n"
        "        print(out.get('data', {}).get('text/plain', out.get('text', '')))\n")
    env = servers.jupyter_env(tmp) | {"PYTHONPATH": str(servers.REPO)}
    done = subprocess.run([sys.executable, "-c", script, str(notebook), str(notebook.parent)],
                          cwd=notebook.parent, env=env, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _shipped_bytes(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((root / "notebooks").glob("*.ipynb"))}


def test_report_notebook_writes_into_the_projects_build_folder(tmp_path):
    root = servers.make_root(tmp_path)
    before = _shipped_bytes(root)
    assert before == _shipped_bytes(servers.REPO)  # the copies are the tracked files
    printed = _run(root / "notebooks" / "report.ipynb", tmp_path)
    docx = "build/2023/docx/2023年度述职报告-东山镇-镇党建办主任-李明华.docx"
    assert f"Word 文件已生成：{docx}" in printed, printed
    assert (root / docx).is_file()
    assert not (root / "notebooks" / "build").exists()  # was: notebooks/build/2023/docx/
    assert _shipped_bytes(root) == before


def test_form_notebook_runs_without_changing_itself(tmp_path):
    root = servers.make_root(tmp_path)
    before = _shipped_bytes(root)
    listing = sorted(p.relative_to(root) for p in root.rglob("*"))
    printed = _run(root / "notebooks" / "form.ipynb", tmp_path)
    assert "VBox" in printed, printed  # the form was shown
    assert _shipped_bytes(root) == before
    assert sorted(p.relative_to(root) for p in root.rglob("*")) == listing  # nothing written

