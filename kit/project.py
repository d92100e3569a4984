"""Where things are: the files shipped with the kit, and the parts of a working folder.

A working folder (made by ``kit init``; this repository is one too)::

    templates/                 role templates (*.md)
    params/                    parameter files (*.yaml), one per official
    build/<年度>/notebooks/     executed report notebooks
    build/<年度>/review/        review pages and index.html
    build/<年度>/docx/          the reports
    build/<年度>/pdf/           with --pdf
    build/<年度>/<年度>年度述职报告汇编.docx

Backups: a file the kit replaces (a parameter file saved by the form or the roster, a
template by ``kit import --force``) is first copied beside itself as
``<name>.<YYYYmmdd-HHMMSS>.bak``, the newest ten kept (:data:`kit.iorw.BACKUPS_KEPT`);
never ``.yaml`` or ``.md``, so a backup is not read as a parameter file or a template.

The report and form notebooks, the role templates and the two sample parameter files
ship inside the package (``kit/_shipped/``, mapped from the repository's top-level
folders by pyproject.toml); in a source checkout they are read from those folders.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

TEMPLATES = "templates"
PARAMS = "params"
BUILD = "build"
NOTEBOOKS = "notebooks"
REPORT_NOTEBOOK = "report.ipynb"
FORM_NOTEBOOK = "form.ipynb"
REVIEW_NOTEBOOK = "review.ipynb"
BACKUP_SUFFIX = ".bak"  # the names kit.iorw.backup_generations gives end in it
GUIDE = "使用说明.md"

_PACKAGE = Path(__file__).resolve().parent


def shipped(name: str) -> Path:
    """A folder shipped with the kit: ``notebooks``, ``templates`` or ``params``."""
    installed = _PACKAGE / "_shipped" / name  # a wheel: package data
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / name  # a source checkout (or an editable install)


def report_notebook() -> Path:
    """The report notebook papermill runs for each official."""
    return shipped(NOTEBOOKS) / REPORT_NOTEBOOK


def form_notebook(root: str | Path | None = None) -> Path:
    """The working folder's notebooks/form.ipynb when it has one, else the shipped one."""
    return working_notebook(FORM_NOTEBOOK, root)


def working_notebook(name: str, root: str | Path | None = None) -> Path:
    """The working folder's notebooks/``name`` when it has one, else the shipped one."""
    if root is not None and (own := Path(root) / NOTEBOOKS / name).is_file():
        return own
    return shipped(NOTEBOOKS) / name


def find_root(start: str | Path | None = None) -> Path | None:
    """The working folder: the nearest folder from ``start`` (default: the working
    directory) upwards that holds templates/; None when there is none."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / TEMPLATES).is_dir():
            return folder
    return None


def volume_name(year: int) -> str:
    """The 汇编's file name: 「2023年度述职报告汇编.docx」."""
    return f"{year}年度述职报告汇编.docx"


@dataclass(frozen=True)
class YearFolder:
    """build/<年度>/ and its parts."""

    path: Path
    year: int

    @property
    def notebooks(self) -> Path:
        return self.path / NOTEBOOKS

    @property
    def review(self) -> Path:
        return self.path / "review"

    @property
    def index(self) -> Path:
        return self.review / "index.html"

    @property
    def docx(self) -> Path:
        return self.path / "docx"

    @property
    def pdf(self) -> Path:
        return self.path / "pdf"

    @property
    def volume(self) -> Path:
        return self.path / volume_name(self.year)


def year_folder(out_root: str | Path, year: int) -> YearFolder:
    """The parts of ``<out_root>/<年度>/`` (``out_root`` is the build folder)."""
    return YearFolder(Path(out_root) / str(year), year)


@dataclass(frozen=True)
class Workspace:
    """A working folder's parts.  Environment variables override each one (``kit form``
    sets them so the Voilà kernel uses the folders the command was started for):
    ``KIT_ROOT``, ``KIT_PARAMS``, ``KIT_TEMPLATES``, ``KIT_OUT``."""

    root: Path
    params: Path
    templates: Path
    out: Path

    @classmethod
    def at(cls, root: str | Path) -> Workspace:
        root = Path(root).resolve()
        return cls(root=root, params=root / PARAMS, templates=root / TEMPLATES,
                   out=root / BUILD)

    @classmethod
    def find(cls, start: str | Path | None = None) -> Workspace:
        """$KIT_ROOT, else the nearest working folder upwards from ``start``, else
        ``start`` itself; each part from its variable when set."""
        env = os.environ.get
        start_dir = Path(start or Path.cwd()).resolve()
        root = Path(env("KIT_ROOT") or find_root(start_dir) or start_dir).resolve()
        return cls(root=root,
                   params=Path(env("KIT_PARAMS") or root / PARAMS).resolve(),
                   templates=Path(env("KIT_TEMPLATES") or root / TEMPLATES).resolve(),
                   out=Path(env("KIT_OUT") or root / BUILD).resolve())

    def env(self) -> dict[str, str]:
        """The variables that make another process (the Voilà kernel) use these folders."""
        return {"KIT_ROOT": str(self.root), "KIT_PARAMS": str(self.params),
                "KIT_TEMPLATES": str(self.templates), "KIT_OUT": str(self.out)}
