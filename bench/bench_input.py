"""What reading a parameter file costs, and how fast hostile input is refused, side by
side in one run (medians of --rounds).

    python bench/bench_input.py [--rounds 20]

* sample: load + check the sample 党建办主任 file (the normal case);
* bomb: the 369-byte alias bomb of tests/fixtures/params_bad (refused);
* digits: a 1,000,000-digit number in a count field (refused before any arithmetic);
* mistakes: a file of 10,000 unknown keys (the first 50 listed);
* render: the sample report rendered from its checked values;
* loop: a template with nested range(100000) loops under --loop-timeout (stopped).
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kit.errors import KitError  # noqa: E402
from kit.report.params import check, load, read_entries  # noqa: E402
from kit.report.render import render  # noqa: E402
from kit.report.templates import load_template  # noqa: E402
from tests.fixtures.hostile import (  # noqa: E402
    PARAMS_BAD,
    TEMPLATE_ANCHOR,
    TEMPLATE_CASES,
    many_wrong_lines,
    million_digits,
)

SAMPLE = ROOT / "params" / "东山镇-镇党建办主任-李明华.yaml"


def median_ms(fn, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        with contextlib.suppress(KitError):  # the hostile cases end in a KitError
            fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--loop-timeout", type=float, default=2.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        mistakes = Path(folder) / "mistakes.yaml"
        mistakes.write_text(many_wrong_lines(), "utf-8")
        good = (ROOT / "templates" / "镇党建办主任.md").read_text("utf-8")
        loop = Path(folder) / "loop.md"
        loop.write_text(good.replace(TEMPLATE_ANCHOR, TEMPLATE_CASES["nested_range"][0]
                                     + TEMPLATE_ANCHOR, 1), "utf-8")
        raw = {k: e.value for k, e in read_entries(SAMPLE).items()}
        official = load(SAMPLE)
        template = load_template(loop)
        rows = {
            "sample": median_ms(lambda: load(SAMPLE), args.rounds),
            "bomb": median_ms(lambda: load(PARAMS_BAD / "billion_laughs.yaml"), args.rounds),
            "digits": median_ms(lambda: check(raw | {"专题会议": million_digits()}), args.rounds),
            "mistakes": median_ms(lambda: load(mistakes), max(1, args.rounds // 5)),
            "render": median_ms(lambda: render(official.template, official.values), args.rounds),
            "loop": median_ms(lambda: render(template, official.values,
                                             timeout=args.loop_timeout), 1),
        }
    for name, ms in rows.items():
        print(f"{name:10s} {ms:10.1f} ms")


if __name__ == "__main__":
    main()
