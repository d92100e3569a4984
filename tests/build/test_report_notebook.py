"""The report notebook: committed clean, paths only as parameters, plain papermill works
and never executes what a parameter file (or a path) contains."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import docx
import nbformat
import papermill
import pytest
from papermill.translators import PythonTranslator

from tests.conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
REPORT = ROOT / "notebooks" / "report.ipynb"
FIXTURES = ROOT / "tests" / "build" / "fixtures"  # the hostile parameter files
HOSTILE_STRINGS = [
    'x"; open("PWNED", "w"); "',
    "x'; open('PWNED', 'w'); '",
    'a\\"; open("PWNED", "w"); #',
    "line\nopen('PWNED', 'w')",
    "__import__('os').system('touch PWNED')",
    "{{ 7*7 }}{% raw %}",
    "\\x22; open('PWNED','w') #\u2028\r",
]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_are_committed_without_outputs(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.source[:40]
    assert "papermill" not in nb.metadata


def test_report_notebook_takes_only_paths() -> None:
    nb = nbformat.read(REPORT, as_version=4)
    assert nb.metadata.kernelspec.name == "python3"  # ipykernel's own spec: no NoSuchKernel
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    params = papermill.inspect_notebook(str(REPORT))
    assert set(params) == {"params_file", "out_dir", "templates_dir"}
    assert all(isinstance(ast.literal_eval(p["default"]), str) for p in params.values())


@pytest.mark.parametrize("value", HOSTILE_STRINGS)
def test_papermill_writes_a_path_as_one_string_literal(value: str) -> None:
    """What papermill injects for ``-p params_file <value>`` is one assignment of a string
    constant equal to the value: a path cannot become code."""
    source = PythonTranslator.codify({"params_file": value})
    tree = ast.parse(source)
    assert len(tree.body) == 1
    node = tree.body[0]
    assert isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
    assert node.value.value == value


def _papermill(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "papermill", "--no-progress-bar", str(REPORT),
                           *args], cwd=cwd, capture_output=True, text=True, timeout=120)


@pytest.mark.slow
def test_plain_papermill_runs_a_sample(project: Path) -> None:
    out = project / "out.ipynb"
    run = _papermill(str(out), "-p", "params_file", "params/东山镇-镇党建办主任-李明华.yaml",
                     cwd=project)
    assert run.returncode == 0, run.stderr
    written = list((project / "build" / "2023" / "docx").glob("*.docx"))
    assert [p.name for p in written] == ["2023年度述职报告-东山镇-镇党建办主任-李明华.docx"]
    text = "\n".join(p.text for p in docx.Document(str(written[0])).paragraphs)
    assert "李明华" in text and "主持召开党建工作专题会议12次" in text
    html = _html_outputs(out)
    assert "主持召开党建工作专题会议" in html and "<table" in html  # the data as a table
    assert "一、加强理论学习" in html  # numbered headings
    assert "Word 文件已生成" in html


@pytest.mark.slow
def test_plain_papermill_never_runs_hostile_parameters(project: Path) -> None:
    for name in ("恶意-字段名.yaml", "恶意-值.yaml"):
        (project / "params" / name).write_bytes((FIXTURES / "params" / name).read_bytes())
    keys = _papermill(str(project / "keys.ipynb"), "-p", "params_file",
                      "params/恶意-字段名.yaml", cwd=project)
    assert keys.returncode != 0
    html = _html_outputs(project / "keys.ipynb")
    assert "不认识的字段" in html and "这份报告没有生成" in html

    values = _papermill(str(project / "values.ipynb"), "-p", "params_file",
                        "params/恶意-值.yaml", cwd=project)
    assert values.returncode == 0, values.stderr
    (written,) = (project / "build" / "2023" / "docx").glob("*孙八.docx")
    text = "\n".join(p.text for p in docx.Document(str(written)).paragraphs)
    assert "__import__('os').system('touch PWNED')" in text
    assert "{{ cycler.__init__.__globals__.os.system('touch PWNED') }}" in text

    path = _papermill(str(project / "path.ipynb"), "-p", "params_file", HOSTILE_STRINGS[0],
                      cwd=project)
    assert path.returncode != 0 and "找不到参数文件" in _html_outputs(project / "path.ipynb")
    assert not list(project.rglob("PWNED"))


def _html_outputs(path: Path) -> str:
    nb = nbformat.read(path, as_version=4)
    return "\n".join(str(o.get("data", {}).get("text/html", "")) for c in nb.cells
                     for o in c.get("outputs", []))
