"""The reused kernel: each notebook starts from a clean namespace, runs with this
interpreter, and a notebook that overruns its time is stopped without stopping others."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import nbformat
import papermill
import pytest
from nbformat.v4 import new_code_cell, new_notebook
from papermill.exceptions import PapermillExecutionError

from kit.build.batch import build
from kit.build.engines import ENGINE_NAME, use_runtime_dir, worker_kernel
from kit.build.notebook import kit_outputs
from tests.build.conftest import processes_naming
from tests.conftest import ROOT


def _notebook(path: Path, *sources: str) -> Path:
    nb = new_notebook(cells=[new_code_cell(s) for s in sources])
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = new_code_cell("step = 0")
    params.metadata.tags = ["parameters"]
    nb.cells.insert(0, params)
    nbformat.write(nb, path)
    return path


def _run(src: Path, out: Path, **kw: object) -> nbformat.NotebookNode:
    return papermill.execute_notebook(str(src), str(out), engine_name=ENGINE_NAME,
                                      kernel_name="python3", progress_bar=False, **kw)


def _text(nb: nbformat.NotebookNode) -> str:
    return "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))


@pytest.mark.slow
def test_kernel_is_reused_and_reset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no `python` on PATH: the kernel is ours
    nb = _notebook(tmp_path / "nb.ipynb",
                   "import sys\nprint(sys.executable)\n"
                   "print('leaked' in globals(), len(Out))\nleaked = step\nstep * 7")
    kernel = worker_kernel()
    try:
        first = _run(nb, tmp_path / "1.ipynb", parameters={"step": 1})
        second = _run(nb, tmp_path / "2.ipynb", parameters={"step": 2})
        assert kernel.started == 1
    finally:
        kernel.stop()
    assert Path(_text(first).splitlines()[0]).resolve() == Path(sys.executable).resolve()
    assert _text(first).splitlines()[1:] == ["False 0"]
    assert _text(second).splitlines()[1:] == ["False 0"]  # nothing of the first run is left
    assert [c.execution_count for c in second.cells] == [c.execution_count for c in first.cells]
    assert second.cells[-1].outputs[-1].data["text/plain"] == "14"


@pytest.mark.slow
def test_a_kernel_whose_reset_fails_is_replaced(tmp_path: Path) -> None:
    """The reset after a notebook is checked before the next one runs: a notebook that
    breaks it (here by replacing IPython's reset) gets the next official a new kernel,
    never its leftovers."""
    breaks = _notebook(tmp_path / "breaks.ipynb",
                       "leaked = 'secret'\nget_ipython().reset = None")
    looks = _notebook(tmp_path / "looks.ipynb", "print('leaked' in globals())")
    kernel = worker_kernel()
    try:
        _run(breaks, tmp_path / "1.ipynb")
        started = kernel.started
        second = _run(looks, tmp_path / "2.ipynb")
        assert kernel.started == started + 1
    finally:
        kernel.stop()
    assert _text(second).strip() == "False"


@pytest.mark.slow
def test_overrunning_notebook_is_stopped_and_the_next_runs(tmp_path: Path) -> None:
    slow = _notebook(tmp_path / "slow.ipynb", "import time\ntime.sleep(60)")
    quick = _notebook(tmp_path / "quick.ipynb", "print('done', step)")
    kernel = worker_kernel()
    try:
        with pytest.raises(PapermillExecutionError) as err:
            _run(slow, tmp_path / "slow-out.ipynb", execution_timeout=2)
        assert "执行超过 2 秒" in str(err.value)
        marked = nbformat.read(tmp_path / "slow-out.ipynb", as_version=4)
        assert any("papermill-error-cell-tag" in c.metadata.get("tags", []) for c in marked.cells)
        assert kit_outputs(marked)["failure"] == ["执行超过 2 秒，已停止"]  # the batch's reason
        assert "done 0" in _text(_run(quick, tmp_path / "quick-out.ipynb", execution_timeout=300))
    finally:
        kernel.stop()


@pytest.mark.slow
def test_no_value_leaks_between_officials(tmp_path: Path) -> None:
    """One worker, one kernel, two officials: a field the first has and the second lacks
    is reported missing for the second, not inherited."""
    params = tmp_path / "params"
    params.mkdir()
    first = (ROOT / "params" / "东山镇-镇党建办主任-李明华.yaml").read_text("utf-8")
    (params / "a.yaml").write_text(first, "utf-8")
    second = "\n".join(line for line in first.splitlines() if not line.startswith("其他工作"))
    (params / "b.yaml").write_text(second.replace("李明华", "吴十"), "utf-8")
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    result = build(params, tmp_path / "build", workers=1, timeout=60,
                   templates=tmp_path / "templates", quiet=True)
    assert result.ok
    a, b = result.outcomes
    assert "全年发展党员9名" in str(a.report)
    assert "全年发展党员9名" not in str(b.report)
    nb = nbformat.read(b.notebook, as_version=4)
    shown = "".join(str(o.get("data", {}).get("text/html", "")) for c in nb.cells
                    for o in c.get("outputs", []))
    assert "「其他重点工作」未填写" in shown and "吴十" in shown and "李明华" not in shown


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="kernels use Unix sockets on POSIX only")
def test_recycled_workers_stop_their_kernels(tmp_path: Path) -> None:
    """A worker replaced after each notebook still builds, and kills its kernel on exit.
    Kernel files live in the build's own runtime folder, never in the machine's /tmp or
    Jupyter runtime folder, and none is left when the build ends."""
    seen: set[str] = set()
    result = build(ROOT / "params", tmp_path / "build", workers=1, timeout=60,
                   recycle_after=1, templates=ROOT / "templates", quiet=True)
    assert result.ok and len(result.outcomes) == 2
    for nb in (tmp_path / "build" / "2023" / "notebooks").glob("*.ipynb"):
        seen.add(nbformat.read(nb, as_version=4).metadata.papermill.parameters["params_file"])
    assert len(seen) == 2
    runtime = tmp_path / "build" / ".kit" / "run"
    assert runtime.is_dir() and list(runtime.iterdir()) == []
    assert not processes_naming(runtime)


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="kernels use Unix sockets on POSIX only")
def test_kernel_files_stay_in_the_runtime_folder(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import kit.build.kernel

    monkeypatch.setattr(kit.build.kernel, "_runtime", None)
    folder = use_runtime_dir(tmp_path / "run")
    kernel = kit.build.kernel.ReusedKernel()
    try:
        km, _ = kernel.ensure()
        assert Path(km.connection_file).parent == folder
        pid = int((folder / "kernel.pid").read_text())
        assert pid in processes_naming(folder)
        assert any(p.is_socket() for p in folder.iterdir())
    finally:
        kernel.stop()
    assert list(folder.iterdir()) == []
