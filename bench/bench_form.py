"""What one keystroke in the form costs in the kernel, side by side in one run.

    python bench/bench_form.py [--rounds 200]

For each shipped role, with the sample official loaded, times (median of --rounds):

* messages: the batch's validation of the whole form + every field's message
  (done on every keystroke);
* preview: rendering the report to HTML (done once typing pauses, debounced);
* keystroke: both, i.e. what an undebounced form would do per key.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kit.form import logic  # noqa: E402
from kit.form.paths import Folders  # noqa: E402
from kit.form.widgets import ReportForm  # noqa: E402


def median_ms(fn, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=200)
    rounds = ap.parse_args().rounds
    folders = Folders.find(ROOT)
    form = ReportForm(folders, debounce=0)
    print(f"{'角色':<10}{'messages ms':>14}{'preview ms':>12}{'keystroke ms':>14}{'ratio':>8}")
    for path in sorted(folders.params.glob("*.yaml")):
        form.open(path)

        def messages() -> None:
            chk = form.check()
            for inp in form.inputs.values():
                inp.show(chk, False)

        m = median_ms(messages, rounds)
        p = median_ms(lambda: logic.preview_html(form.check()), rounds)
        k = median_ms(lambda: (messages(), logic.preview_html(form.check())), rounds)
        print(f"{form.template.role:<10}{m:>14.2f}{p:>12.2f}{k:>14.2f}{k / m:>8.1f}")


if __name__ == "__main__":
    main()
