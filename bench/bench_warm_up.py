"""Benchmark: what each warm-up of ``kit build`` takes off the first official's path.

    python bench/bench_warm_up.py [-r 5]

Each warm-up does, ahead of time and beside other work, something the first official
(or the first 汇编) would otherwise wait for.  This measures that something, each
repeat in a fresh process (so nothing is imported yet), and prints the median wall
and CPU seconds:

* kernel:   what the report notebook imports (``kit.build.kernel.WARM_UP_KERNEL_CODE``,
            run by a new kernel while its worker imports papermill);
* worker:   what a worker imports and compiles for its first notebook (papermill,
            nbconvert, the review page's exporter and the notebook schema's validator:
            ``kit.build.execute.warm_up_run_task``);
* volumes:  the name order's tables and the Word writer of the 汇编
            (``kit.build.compilations.warm_up_volumes``, in a thread while workers run).

Starting the kernel itself (``kit.build.workers.warm_up_worker`` → ``ensure()``) is
not measured here: it is a process start, seen in bench_build.py's small-change times.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

STEPS = {
    "kernel": "from kit.build.kernel import WARM_UP_KERNEL_CODE as C; eval(C)",
    "worker": "from kit.build.execute import warm_up_run_task as w; w()",
    "volumes": "from kit.build.compilations import warm_up_volumes as w; w()",
}
TIMED = """
import json, time
t0, c0 = time.perf_counter(), time.process_time()
{step}
print(json.dumps([time.perf_counter() - t0, time.process_time() - c0]))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-r", "--repeat", type=int, default=5)
    args = ap.parse_args()
    for name, step in STEPS.items():
        runs = [json.loads(subprocess.run(
            [sys.executable, "-c", TIMED.format(step=step)], cwd=ROOT, check=True,
            capture_output=True, text=True).stdout) for _ in range(args.repeat)]
        wall = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[1] for r in runs)
        print(f"{name:8s} wall {wall:5.2f} s   cpu {cpu:5.2f} s   (median of {args.repeat})")


if __name__ == "__main__":
    main()
