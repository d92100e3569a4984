from __future__ import annotations

from kit.project import Workspace


def test_root_is_found_from_the_notebooks_folder(project, monkeypatch):
    monkeypatch.delenv("KIT_ROOT", raising=False)
    (project / "notebooks").mkdir()
    assert Workspace.find(project / "notebooks").root == project.resolve()


def test_environment_overrides(project, tmp_path_factory, monkeypatch):
    other = tmp_path_factory.mktemp("elsewhere")
    monkeypatch.setenv("KIT_ROOT", str(project))
    monkeypatch.setenv("KIT_PARAMS", str(other))
    monkeypatch.delenv("KIT_TEMPLATES", raising=False)
    monkeypatch.delenv("KIT_OUT", raising=False)
    f = Workspace.find(other)
    assert f.params == other.resolve() and f.templates == (project / "templates").resolve()
    assert Workspace.find(other).env()["KIT_PARAMS"] == str(other.resolve())
