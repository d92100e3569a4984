"""Where things are: the files shipped with the kit, and the parts of a working folder.

A working folder (made by ``kit init``; this repository is one too)::

    templates/                 role templates (*.md)
    params/                    parameter files (*.yaml), one per official
    build/<年度>/notebooks/<stem>.ipynb   executed report notebooks (<stem>: the parameter file's)
    build/<年度>/review/<stem>.html       review pages, and index.html
    build/<年度>/docx/<report name>.docx  the reports (:func:`report_name`)
    build/<年度>/pdf/<name>.pdf           with --pdf: of each report and each 汇编
    build/<年度>/<年度>年度述职报告汇编.docx   (or one per group with --by, and a 清单.txt)
    build/<年度>/审阅数据.json             the year's figures, for next year's 提示
    build/<report name>.docx             ``kit render`` and the form: one official by hand

:class:`YearFolder` is the one place that spells these names; everything else asks it.

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
import re
from collections.abc import Iterable
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
# 「<name>.<YYYYmmdd-HHMMSS>[-n].bak」: the one rule of a backup's name (kit.iorw makes them)
BACKUP_TAIL = r"\.(\d{8}-\d{6})(?:-(\d+))?" + re.escape(BACKUP_SUFFIX) + "$"
PARTIAL_SUFFIX = ".partial.ipynb"  # papermill's scratch notebook, renamed when it is done
SCRATCH_SUFFIX = ".kit-tmp"  # an atomic write's scratch file (kit.iorw), renamed when done
GUIDE = "使用说明.md"
INDEX_PAGE = "index.html"  # in review/, beside the pages that link back to it
VALUES_FILE = "审阅数据.json"  # a year's values, for next year's 提示 (kit.review.flags)

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


def report_name(year: int, unit: str, role: str, name: str) -> str:
    """「2023年度述职报告-东山镇-镇党建办主任-李明华.docx」: an official's report, unique per
    official (the batch refuses two that share one) and valid on Windows."""
    from kit.iorw import safe_filename  # kit.iorw reads BACKUP_SUFFIX from here

    parts = [f"{year}年度述职报告", unit, role, name]
    return safe_filename("-".join(p for p in parts if p)) + ".docx"


def report_by_hand(out_root: str | Path, year: int, unit: str, role: str, name: str) -> Path:
    """Where ``kit render`` and the form put one official's report: in the build folder
    itself, so a report made by hand never replaces the batch's (its manifest knows
    what it wrote in build/<年度>/docx/)."""
    return Path(out_root) / report_name(year, unit, role, name)


def partial_notebook(notebook: Path) -> Path:
    """Where papermill writes ``notebook`` until it is done (a dot name: hidden)."""
    return notebook.with_name(f".{notebook.stem}{PARTIAL_SUFFIX}")


def is_backup(name: str) -> bool:
    """A backup the kit made (:func:`kit.iorw.backup_generations`) of some file."""
    return re.search(BACKUP_TAIL, name) is not None


def is_scratch(name: str) -> bool:
    """A leftover of an interrupted write by the kit: an atomic write's
    ``.<name>.*.kit-tmp`` or a :func:`partial_notebook`.  Known by the kit's own marker,
    never by a pattern a user's file could match (「.我的草稿.tmp」 is not ours)."""
    return name.startswith(".") and (name.endswith(SCRATCH_SUFFIX)
                                     or name.endswith(PARTIAL_SUFFIX))


YEAR_PARTS = (NOTEBOOKS, "review", "docx", "pdf")  # the folders of a year folder


@dataclass(frozen=True)
class YearFolder:
    """build/<年度>/: its folders, the year's files and each official's."""

    path: Path
    year: int

    @property
    def notebooks(self) -> Path:
        return self.path / YEAR_PARTS[0]

    @property
    def review(self) -> Path:
        return self.path / YEAR_PARTS[1]

    @property
    def docx(self) -> Path:
        return self.path / YEAR_PARTS[2]

    @property
    def pdf(self) -> Path:
        return self.path / YEAR_PARTS[3]

    # The year's files.
    @property
    def index(self) -> Path:
        """The review index: every official's page, report and the 汇编s."""
        return self.review / INDEX_PAGE

    @property
    def volume(self) -> Path:
        return self.path / volume_name(self.year)

    @property
    def values(self) -> Path:
        """This year's figures, read by next year's build for its 提示."""
        return self.path / VALUES_FILE

    def group_volume(self, group: str, n: int = 1) -> Path:
        """「2023年度述职报告汇编-青川县.docx」 (``--by``): beside the year's 汇编; ``n`` > 1
        (「…-东山镇（2）.docx」) when another group's name came to the same file name."""
        from kit.iorw import safe_filename

        tail = f"（{n}）" if n > 1 else ""
        return self.volume.with_name(
            f"{self.volume.stem}-{safe_filename(group or '未填')}{tail}.docx")

    def group_volumes(self, groups: Iterable[str]) -> dict[str, Path]:
        """Each group's 汇编, every one its own file: names made safe for the file system
        can meet (「东山镇」 and 「东山镇...」; 「A」 and 「a」 on Windows), and then the later
        group in name order gets 「（2）」… — never one 汇编 written over another."""
        out: dict[str, Path] = {}
        taken: set[str] = set()
        for group in sorted(groups):
            n = 1
            while (path := self.group_volume(group, n)).name.casefold() in taken:
                n += 1
            taken.add(path.name.casefold())
            out[group] = path
        return out

    @property
    def volume_list(self) -> Path:
        """「2023年度述职报告汇编清单.txt」: the groups' 汇编 (``--by``)."""
        return self.path / f"{self.volume.stem}清单.txt"

    # An official's files: notebook and page are named after the parameter file (its
    # ``stem``), the report after the official, so a renamed file keeps its report name.
    def notebook_of(self, stem: str) -> Path:
        return self.notebooks / f"{stem}.ipynb"

    def page_of(self, stem: str) -> Path:
        """``review/<stem>.html``, never the index: 「index.yaml」's page is index_.html
        (and 「index_.yaml」's index__.html…, so no two files share a page; compared
        ignoring case, as Windows and macOS do)."""
        index = Path(INDEX_PAGE).stem
        if stem.casefold().rstrip("_") == index:
            stem += "_"
        return self.review / f"{stem}.html"

    def report_of(self, unit: str, role: str, name: str) -> Path:
        return self.docx / report_name(self.year, unit, role, name)

    def pdf_of(self, docx: Path) -> Path:
        """The PDF of a report or a 汇编 of this year."""
        return self.pdf / f"{docx.stem}.pdf"


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
