"""One official in a worker process: papermill runs the report notebook, then the review
page is written.  Runs in the batch's worker processes (see :mod:`kit.build.batch`)."""

from __future__ import annotations

import json
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kit import project
from kit.iorw import atomic_write_text

NOTEBOOK = project.report_notebook()


@dataclass
class Task:
    """What a worker needs for one official (already checked by the batch)."""

    params_file: Path
    notebook: Path  # executed notebook to write
    review: Path  # review page to write
    out_root: Path  # the notebook writes <out_root>/<年度>/docx/
    templates: Path
    timeout: float
    title: str  # 「李明华（东山镇 镇党建办主任）」, for the page and the progress bar
    # kit.review.flags.Check.as_dict(), for the page: what depends on this official alone
    compare: dict[str, Any] | None = None


@dataclass
class Outcome:
    """How one official went; the index, the summary and the 汇编 are made from these."""

    file: Path
    name: str = ""
    role: str = ""
    unit: str = ""
    county: str = ""  # 所属县, for a 汇编 per county (kit build --by 所属县)
    rank: int = 100  # the role's 排位 and the file's 排序: its place in the 汇编
    order: int | None = None  # (kit.report.collation.order_key), as in its Report
    year: int = 0
    ok: bool = False
    reason: str = ""  # plain Chinese, for a failure
    stage: str = ""  # 检查 (never reached papermill) | 执行
    warnings: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)  # every 提示 of kit.review.flags
    peer: list[str] = field(default_factory=list)  # those against the other officials
    notebook: Path | None = None
    review: Path | None = None
    docx: Path | None = None
    # The Report the notebook rendered, as zlib'd JSON (a third of the dict's memory): the
    # batch keeps every official's until the 汇编 is written, tens of thousands at a time.
    packed_report: bytes | None = None
    seconds: float = 0.0

    @property
    def report(self) -> dict[str, Any] | None:
        if self.packed_report is None:
            return None
        got: dict[str, Any] = json.loads(zlib.decompress(self.packed_report))
        return got

    @report.setter
    def report(self, value: dict[str, Any] | None) -> None:
        self.packed_report = None if value is None else zlib.compress(
            json.dumps(value, ensure_ascii=False).encode("utf-8"), 1)


def run_task(task: Task, outcome: Outcome) -> Outcome:
    """Execute the notebook for ``task`` and fill in ``outcome``; never raises for the
    official's own problems (those become ``outcome.reason``)."""
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from kit.build.engines import ENGINE_NAME, KERNEL_NAME
    from kit.build.notebook import kit_outputs

    start = time.perf_counter()
    outcome.notebook, outcome.stage = task.notebook, "执行"
    task.notebook.parent.mkdir(parents=True, exist_ok=True)
    nb = None
    # papermill writes to a scratch name that replaces the real one at the end: an
    # interrupted run never leaves a truncated notebook over the previous good one.
    partial = project.partial_notebook(task.notebook)
    partial.unlink(missing_ok=True)  # an interrupted run's leftover is not this run's
    try:
        nb = papermill.execute_notebook(
            str(NOTEBOOK), str(partial), engine_name=ENGINE_NAME, kernel_name=KERNEL_NAME,
            parameters={"params_file": str(task.params_file), "out_dir": str(task.out_root),
                        "templates_dir": str(task.templates)},
            progress_bar=False, execution_timeout=task.timeout, log_output=False,
            # One write at the end (and papermill's own write on error), not one per cell.
            request_save_on_cell_execute=False)
        outcome.ok = True
    except PapermillExecutionError as err:
        # Only names cross from the kernel.  A user's mistake (a KitError, by class) and a
        # time-out are recorded in the notebook itself and read back below; this is the
        # reason when nothing was: a bug of ours.
        outcome.reason = f"程序运行出错（{err.ename}: {err.evalue}）"
    except Exception as err:  # kernel would not start or died: not the official's fault
        outcome.reason = f"程序运行出错（{type(err).__name__}: {err}），请重试或联系技术人员"
    if partial.exists():  # this run's notebook, finished or marked with the error
        partial.replace(task.notebook)
        if nb is None:  # failed: read back what papermill wrote with its error marker
            nb = nbformat.read(task.notebook, as_version=4)
    found = kit_outputs(nb) if nb is not None else {}
    if found.get("failure"):
        outcome.ok, outcome.reason = False, "\n".join(found["failure"])
    outcome.report = found.get("report")
    outcome.docx = Path(found["docx"]) if found.get("docx") else None
    if outcome.ok and (outcome.packed_report is None or outcome.docx is None):
        outcome.ok, outcome.reason = False, "笔记本运行完毕，但没有生成报告（笔记本可能被改动过）"
    outcome.review = task.review
    atomic_write_text(task.review, review_page(nb, task, outcome))
    outcome.seconds = time.perf_counter() - start
    return outcome


def warm_up_run_task() -> None:
    """Warm-up of a new worker (:func:`kit.build.workers.warm_up_worker`): import what
    :func:`run_task` needs, build the review page's exporter, and do once what the first
    notebook would otherwise pay for: compile the notebook schema's validator and the
    review page's templates (~3 s CPU with the imports, bench/bench_warm_up.py)."""
    global _exporter
    import nbformat
    import papermill  # noqa: F401

    import kit.build.engines  # noqa: F401
    import kit.build.notebook  # noqa: F401

    if _exporter is None:
        _exporter = _review_exporter()
        nb = nbformat.read(NOTEBOOK, as_version=4)
        nbformat.validate(nb)
        _exporter.from_notebook_node(nb, resources={"kit": {
            "title": "", "failed": False, "reason": "", "file": "", "compare": None,
            "peer": ""}})


_exporter: Any = None


def _review_exporter() -> Any:
    """nbconvert's HTMLExporter without its final BeautifulSoup pass (alt texts for
    images and tab stops on code cells: a review page has neither), which re-parses the
    whole page and cost as much as the conversion itself, and with one validation of the
    notebook instead of one after each of its twelve preprocessors."""
    from nbconvert import HTMLExporter, TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    from kit.review.pages import TEMPLATES

    class ReviewExporter(HTMLExporter):
        def from_notebook_node(self, nb: Any, resources: Any = None, **kw: Any) -> Any:
            resources = self._init_resources(resources)
            self.register_filter("highlight_code", Highlight2HTML(parent=self))
            self.register_filter("filter_data_type", WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources))
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    # Of HTML's default preprocessors only the tag filter: the others restyle code or
    # inline CSS this page's own header never uses.  Validated once, not after each step.
    return ReviewExporter(template_file="kit_review.html.j2",
                          extra_template_paths=[str(TEMPLATES)], exclude_input=True,
                          exclude_input_prompt=True, exclude_output_prompt=True,
                          optimistic_validation=True,
                          default_preprocessors=["nbconvert.preprocessors.TagRemovePreprocessor"])


def review_page(nb: Any, task: Task, outcome: Outcome) -> str:
    """The official's review page: the notebook's outputs, no code (one exporter per
    process: building it costs more than converting a notebook), and an empty block for
    the 提示 against the other officials, which the batch fills in."""
    global _exporter
    import nbformat

    from kit.review.pages import peer_block

    if _exporter is None:
        _exporter = _review_exporter()
    if nb is None:
        nb = nbformat.v4.new_notebook()
    kit = {"title": task.title, "failed": not outcome.ok, "reason": outcome.reason,
           "file": outcome.file.name, "compare": task.compare, "index": project.INDEX_PAGE,
           "peer": peer_block(())}
    body, _ = _exporter.from_notebook_node(nb, resources={"kit": kit})
    return body
