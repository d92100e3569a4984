"""One of the processes of tests/form/test_lost_update.py's race: in each round it reads
the file, waits until every racer has read it, then saves its own figure over it.  A
module of its own: ``spawn`` starts the racers by importing it (tests.form.racer)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kit.form import logic
from kit.report.templates import load_roles

LI = "东山镇-镇党建办主任-李明华.yaml"
ROUNDS = 25


def edited(root: Path, opened: logic.Opened, talks: int) -> logic.FormCheck:
    """The form of ``opened`` with 谈心谈话 typed as ``talks``."""
    template = load_roles(root / "templates")["镇党建办主任"]
    return logic.check_form(template, opened.raw | {"谈心谈话": str(talks)})


def save(opened: logic.Opened, chk: logic.FormCheck) -> logic.Saved:
    """Save as the form does after opening: over the version it read, or not at all."""
    return logic.save_params(opened.path, chk, folder=opened.path.parent,
                             known_sha256=opened.sha256)


def race(root: str, n: int, barrier: Any, results: Any) -> None:
    path = Path(root) / "params" / LI
    for r in range(ROUNDS):
        opened = logic.open_params(path)
        barrier.wait()  # every racer read the same version before any saves
        saved = save(opened, edited(Path(root), opened, 1000 + 10 * r + n))
        results.put((r, n, saved.written, saved.changed, saved.sha256))
        barrier.wait()  # the test reads the round's outcome
        barrier.wait()


