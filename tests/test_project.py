"""kit.project: where the shipped files are and what a working folder holds."""

from __future__ import annotations

from pathlib import Path

from kit import project

ROOT = Path(__file__).resolve().parents[1]


def test_shipped_files_are_the_repository_folders_in_a_checkout() -> None:
    assert project.report_notebook() == ROOT / "notebooks" / "report.ipynb"
    assert project.shipped("templates") == ROOT / "templates"
    assert {p.name for p in project.shipped("params").glob("*.yaml")} == {
        "东山镇-党委书记-王建国.yaml", "东山镇-党建办主任-李明华.yaml"}


def test_build_folder_parts() -> None:
    parts = project.year_folder(Path("out"), 2023)
    assert parts.volume == Path("out/2023/2023年度述职报告汇编.docx")
    assert (parts.notebooks, parts.review, parts.docx, parts.pdf) == (
        Path("out/2023/notebooks"), Path("out/2023/review"), Path("out/2023/docx"),
        Path("out/2023/pdf"))
    assert parts.index == Path("out/2023/review/index.html")


def test_working_folder_is_found_upwards(tmp_path, monkeypatch) -> None:
    for name in ("KIT_ROOT", "KIT_PARAMS", "KIT_TEMPLATES", "KIT_OUT"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "templates").mkdir()
    deep = tmp_path / "notebooks" / "x"
    deep.mkdir(parents=True)
    ws = project.Workspace.find(deep)
    assert ws.root == tmp_path.resolve()
    assert (ws.params, ws.out) == (tmp_path.resolve() / "params", tmp_path.resolve() / "build")


def test_form_notebook_prefers_the_working_folders_own(tmp_path) -> None:
    assert project.form_notebook(tmp_path) == ROOT / "notebooks" / "form.ipynb"
    own = tmp_path / "notebooks" / "form.ipynb"
    own.parent.mkdir()
    own.write_text("{}")
    assert project.form_notebook(tmp_path) == own
