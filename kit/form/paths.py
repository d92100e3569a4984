"""Where the form reads and writes: the project folder, its params/, templates/ and build/.

The notebook runs with notebooks/ as its working folder, so "./params" is not enough:
the project folder is the nearest folder, from the working folder upwards, that holds
a templates/ folder.  Environment variables override each part (``kit form`` sets
them so the Voilà kernel uses the same folders as the command):

* ``KIT_ROOT``      the project folder;
* ``KIT_PARAMS``    the parameter files (default <project>/params);
* ``KIT_TEMPLATES`` the role templates (default <project>/templates);
* ``KIT_OUT``       where 生成 Word writes (default <project>/build).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


def find_root(start: str | Path | None = None) -> Path:
    """$KIT_ROOT, else the nearest folder from ``start`` (default: working folder) upwards
    holding templates/, else the folder shipped with the package."""
    if os.environ.get("KIT_ROOT"):
        return Path(os.environ["KIT_ROOT"]).resolve()
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "templates").is_dir():
            return folder
    return Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Folders:
    root: Path
    params: Path
    templates: Path
    out: Path

    @classmethod
    def find(cls, start: str | Path | None = None) -> Folders:
        root = find_root(start)
        env = os.environ.get
        return cls(root=root,
                   params=Path(env("KIT_PARAMS") or root / "params").resolve(),
                   templates=Path(env("KIT_TEMPLATES") or root / "templates").resolve(),
                   out=Path(env("KIT_OUT") or root / "build").resolve())

    def env(self) -> dict[str, str]:
        """The variables that make another process (the Voilà kernel) use these folders."""
        return {"KIT_ROOT": str(self.root), "KIT_PARAMS": str(self.params),
                "KIT_TEMPLATES": str(self.templates), "KIT_OUT": str(self.out)}
