"""What a review decision costs in each journal mode of the record, and what
`kit review approve` costs in all (medians of --rounds).

    python bench/bench_review_record.py [--rounds 30]

* add/<mode>: one Store.add (open, BEGIN IMMEDIATE, insert, commit, close) on a record
  of 200 decisions, in WAL (the old mode) and DELETE (the mode used: a committed decision
  is in the .sqlite file itself, see kit/review/record.py);
* approve: the whole `kit review approve` command in a new process (start, check the
  parameter file, record), the figure a reviewer waits for.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kit.review import record  # noqa: E402


def _add_ms(folder: Path, mode: str, rounds: int) -> float:
    record.JOURNAL = mode  # a bench only: the kit has one mode
    store = record.Store(folder / mode / record.DB_NAME)
    for k in range(200):
        store.add(f"o{k}", "x.yaml", "h", record.PASSED, "张审")
    times = []
    for k in range(rounds):
        start = time.perf_counter()
        store.add(f"n{k}", "x.yaml", "h", record.PASSED, "张审")
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _approve_ms(folder: Path, rounds: int) -> float:
    work = folder / "project"
    for name in ("templates", "params"):
        shutil.copytree(ROOT / name, work / name)
    file = next((work / "params").glob("*.yaml"))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "KIT_REVIEWER": "张审"}
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "kit.cli", "review", "approve", str(file)],
                       cwd=work, env=env, check=True, capture_output=True)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for mode in ("wal", "delete"):
            print(f"add/{mode}: {_add_ms(folder, mode, args.rounds):.1f} ms")
        record.JOURNAL = "delete"
        print(f"approve (whole command): {_approve_ms(folder, max(3, args.rounds // 10)):.0f} ms")


if __name__ == "__main__":
    main()
