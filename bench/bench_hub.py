"""The county server under 30 clerks at once (loopback only, bounded loops).

    python bench/bench_hub.py                 # 30 clerks, 3 saves each
    python bench/bench_hub.py --clerks 10 --saves 5

A real JupyterHub (kit.hub) on a scratch working folder with N clerk accounts, each the
clerk of one unit with one official's file.  N simulated clerks (tests/hub/clerk.py:
HTTP login, then the form driven through its kernel's websocket as the page's widget
manager does) at once:

* first login → form page rendered, the clerk's server started cold (N at once);
* steady state: a new login of a clerk whose server is running → form page rendered
  (one at a time; goal ≤ 1.5 s);
* saves: each clerk changes one figure and presses 保存, ``--saves`` times, all clerks
  at once: from the click to 「已保存」 (goal p95 ≤ 1 s); then every file holds its own
  clerk's last figure and no other file changed (no lost or mixed-up saves);
* memory: resident memory (RSS, /proc) of every process the hub started for the clerks
  (their Voilà servers and kernels), per active clerk (goal ≤ 150 MB);
* culling: the clerks leave; jupyterhub-idle-culler (timeout ``--cull`` s) stops their
  servers; the memory left is measured again.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kit.report.params import read_entries  # noqa: E402
from tests.hub import hubs  # noqa: E402
from tests.hub.clerk import Clerk  # noqa: E402
from tests.hub.hubs import descendants  # noqa: E402


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def clerk_memory(hub_pid: int) -> tuple[float, int]:
    """MB of the clerks' servers and kernels, and how many Voilà servers there are."""
    pids = [p for p in descendants(hub_pid)
            if "kit.hub.voila" in cmdline(p) or "ipykernel" in cmdline(p)]
    return sum(rss_mb(p) for p in pids), sum("kit.hub.voila" in cmdline(p) for p in pids)


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, round(0.95 * len(values)) - 1)]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clerks", type=int, default=30)
    ap.add_argument("--saves", type=int, default=3)
    ap.add_argument("--cull", type=int, default=120, help="idle culler timeout, s")
    args = ap.parse_args()
    n = args.clerks
    print("load before:", os.getloadavg())
    with hubs.running(Path(tempfile.mkdtemp()), clerks=n,
                      env={"KIT_HUB_CULL_SECONDS": str(args.cull),
                           "KIT_HUB_ACTIVITY_SECONDS": "10"}) as hub:
        params = hub.root / "params"
        before = {p.name: p.read_bytes() for p in params.glob("*.yaml")}

        def login(i: int) -> Clerk:
            return Clerk(hub, f"clerk{i:02d}", hubs.PASSWORDS[f"clerk{i:02d}"])

        ready: list[Clerk] = []
        saves: list[float] = []
        told: list[str] = []
        lock = threading.Lock()

        def work(i: int) -> Clerk:
            c = login(i)
            c.open(hubs.clerk_file(i))
            with lock:
                ready.append(c)
            while len(ready) < n:  # all clerks at their forms, then all save at once
                c.idle(1)
            for round_ in range(args.saves):
                c.type("心得体会", str(100 + round_ * 100 + i))
                said, took = c.save()
                with lock:
                    saves.append(took)
                    told.append(said)
            return c

        t0 = time.monotonic()
        with ThreadPoolExecutor(n) as pool:
            futures = [pool.submit(work, i) for i in range(1, n + 1)]
            while len(ready) < n and not any(f.done() for f in futures):
                time.sleep(1)
            if len(ready) == n:
                cold = [c.ready for c in ready]
                print(f"{n} clerks logged in at once, each to a rendered form: "
                      f"median {statistics.median(cold):.1f} s, max {max(cold):.1f} s "
                      f"(all in {time.monotonic() - t0:.1f} s)")
                mem, servers = clerk_memory(hub.proc.pid)  # type: ignore[attr-defined]
                print(f"memory of the clerks' servers and kernels: {mem:.0f} MB for {servers} "
                      f"servers, {mem / n:.0f} MB per active clerk (goal ≤ 150 MB)")
            clerks = [f.result() for f in futures]
        ok = sum("已保存" in t for t in told)
        print(f"{len(saves)} saves by {n} clerks at once: {ok} saved; median "
              f"{statistics.median(saves):.2f} s, p95 {p95(saves):.2f} s, max {max(saves):.2f} s "
              f"(goal p95 ≤ 1 s)")
        wrong = [i for i in range(1, n + 1)
                 if read_entries(params / hubs.clerk_file(i))["心得体会"].value
                 != str(100 + (args.saves - 1) * 100 + i)]
        untouched = all((params / name).read_bytes() == data for name, data in before.items()
                        if not name.startswith("测试"))
        print(f"lost or mixed-up saves: {len(wrong)} {wrong}; other files unchanged: {untouched}")

        steady = []
        for i in range(1, min(n, 5) + 1):  # a new page while the clerk's server runs
            again = login(i)
            steady.append(again.ready)
            again.close()  # its kernel: culled by Voilà later (kit.form.serve.IDLE_LIMIT)
        print(f"steady state, login → form rendered: median {statistics.median(steady):.2f} s, "
              f"max {max(steady):.2f} s (goal ≤ 1.5 s)")

        for c in clerks:
            c.close()
        t0 = time.monotonic()
        while time.monotonic() - t0 < args.cull * 6:
            mem_after, left = clerk_memory(hub.proc.pid)  # type: ignore[attr-defined]
            if left == 0:
                break
            time.sleep(5)
        print(f"after the clerks left: {left} servers after {time.monotonic() - t0:.0f} s "
              f"(culler timeout {args.cull} s), their memory {mem_after:.0f} MB")
    print("load after:", os.getloadavg())


if __name__ == "__main__":
    main()
