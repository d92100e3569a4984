"""The fill-in form: ipywidgets in JupyterLab (notebooks/form.ipynb) or Voilà (``kit form``).

:mod:`kit.form.logic` holds what the form does (check, preview, save, Word) with no
widgets; :mod:`kit.form.widgets` builds the widgets from the field definitions and
wires them to it; :mod:`kit.form.serve` runs Voilà.  The project's folders are
:class:`kit.project.Workspace`.
"""

from __future__ import annotations

from typing import Any

__all__ = ["ReportForm", "Workspace"]


def __getattr__(name: str) -> Any:  # ipywidgets is imported only when the form is used
    if name == "ReportForm":
        from kit.form.widgets import ReportForm

        return ReportForm
    if name == "Workspace":
        from kit.project import Workspace

        return Workspace
    raise AttributeError(name)
