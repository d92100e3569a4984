"""The steps of ``notebooks/report.ipynb`` (one call a step, all in one cell: each cell is a
round trip to the kernel), shown for a reader who does not program (tables and text in
Chinese, no code).

The notebook receives only *paths* as parameters (``-p params_file …``): papermill
writes a string parameter as an escaped Python string literal, so even a hostile path
stays a string.  The parameter file itself is read and checked here with
:func:`kit.report.params.load`, never spliced into the notebook as code.

Each displayed output carries machine-readable facts in its ``metadata["kit"]`` (the
rendered report, the .docx path): the batch reads them back from the executed notebook,
so the review index and the 汇编 are built from what the notebooks produced.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from kit import project
from kit.build.official import report_of, write_docx
from kit.errors import KitError, display_path
from kit.report.model import Block, Report
from kit.report.params import Official, load
from kit.review.pages import render_page

META_KEY = "kit"


def _display(html: str, text: str, meta: dict[str, Any] | None = None) -> None:
    from IPython.display import display

    display({"text/html": html, "text/plain": text}, raw=True,
            metadata={META_KEY: meta} if meta else None)


def _locate(path: str | Path) -> Path:
    """A relative path as typed from the project folder, also when Jupyter runs the
    notebook inside ``notebooks/``."""
    p = Path(path)
    if not p.is_absolute() and not p.exists() and (Path("..") / p).exists():
        return Path("..") / p
    return p


def show_official(params_file: str | Path, templates_dir: str | Path = "") -> Official:
    """Check the parameter file and show who it is, their data and every warning.
    A mistake is shown in plain words first, then raised so papermill marks the run failed."""
    try:
        official = load(_locate(str(params_file)), templates=_locate(templates_dir)
                        if templates_dir else None)
    except KitError as err:
        show_failure(err)
        raise
    _display(render_page("official.html.j2", name=official.name, unit=official.unit,
                         role=official.role, year=official.year,
                         file=display_path(official.path or params_file),
                         rows=official.rows(), warnings=official.warnings),
             f"{official.name}（{official.unit} {official.role}）",
             {"name": official.name, "role": official.role, "unit": official.unit,
              "year": official.year, "warnings": official.warnings})
    return official


def show_failure(err: KitError) -> None:
    _display(render_page("failure.html.j2", problems=[str(p) for p in err.problems]),
             f"这份报告没有生成。原因：{err}", {"failure": [str(p) for p in err.problems]})


def show_report(official: Official) -> Report:
    """Render the report (numbered headings) and show it as it will read in Word."""
    try:
        report = report_of(official)
    except KitError as err:
        show_failure(err)
        raise
    _display(render_page("report.html.j2", report=report), "\n".join(report.paragraphs()),
             {"report": report_to_dict(report)})
    return report


def write_outputs(report: Report, out_dir: str | Path = project.BUILD) -> Path:
    """Write the .docx to ``<out_dir>/<年度>/docx/`` and show where it went."""
    try:
        parts = project.year_folder(out_dir, report.year)
        path = write_docx(report, parts.report_of(report.unit, report.role, report.name))
    except KitError as err:
        show_failure(err)
        raise
    shown = display_path(path)
    _display(render_page("written.html.j2", docx=shown), f"Word 文件已生成：{shown}",
             {"docx": str(path.resolve())})
    return path


def report_to_dict(report: Report) -> dict[str, Any]:
    data = asdict(report)
    data["order"] = None if report.order is None else int(report.order)
    data["meta"] = {k: str(v) for k, v in report.meta.items()}
    return data


def report_from_dict(data: dict[str, Any]) -> Report:
    blocks = tuple(Block(**b) for b in data["blocks"])
    return Report(**{**data, "blocks": blocks})


def kit_outputs(nb: Any) -> dict[str, Any]:
    """Everything the notebook's cells recorded in ``metadata["kit"]``, merged, as plain
    dicts and lists.  Not NotebookNodes: a worker's result holding one makes the batch
    import nbformat (with jsonschema, about a second) just to unpickle it."""
    found: dict[str, Any] = {}
    for cell in nb["cells"]:  # a NotebookNode or the notebook's plain JSON
        for out in cell.get("outputs", []):
            found.update(out.get("metadata", {}).get(META_KEY, {}))
    return json.loads(json.dumps(found))
