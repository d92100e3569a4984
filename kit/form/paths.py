"""Where the form reads and writes: the project folder, its params/, templates/ and build/.

The notebook runs with notebooks/ as its working folder, so "./params" is not enough:
the project folder is the nearest folder, from the working folder upwards, that holds
a templates/ folder.  Environment variables override each part (``kit form`` sets
them so the Voilà kernel uses the same folders as the command):

* ``KIT_ROOT``      the project folder;
* ``KIT_PARAMS``    the parameter files (default <project>/params);
* ``KIT_TEMPLATES`` the role templates (default <project>/templates);
* ``KIT_OUT``       where 生成 Word writes (default <project>/build).

The layout itself is defined once, in :mod:`kit.layout`; these names are kept for the form.
"""

from __future__ import annotations

from pathlib import Path

from kit.layout import Workspace as Folders

__all__ = ["Folders", "find_root"]


def find_root(start: str | Path | None = None) -> Path:
    """$KIT_ROOT, else the nearest folder from ``start`` (default: working folder) upwards
    holding templates/, else ``start`` itself."""
    return Folders.find(start).root
