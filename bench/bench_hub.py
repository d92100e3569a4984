"""The county server under 30 clerks at once (loopback only, bounded loops).

    python bench/bench_hub.py                 # 30 clerks, 3 saves each
    python bench/bench_hub.py --clerks 10 --saves 5 --cull 60

A real JupyterHub (kit.hub) on a scratch working folder with N clerk accounts, each the
clerk of one unit with one official's file.  N simulated clerks (tests/hub/clerk.py:
HTTP login, then the form driven through its kernel's websocket as the page's widget
manager does) at once:

* cold: first login → form page rendered, every clerk's server started cold (N at once);
* saves: each clerk changes one figure and presses 保存, ``--saves`` times, all clerks
  at once: from the click to 「已保存」 (goal p95 ≤ 1 s); then every file holds its own
  clerk's last figure and no other file changed (no lost or mixed-up saves);
* memory: of every process the hub started for the clerks (their Voilà servers and
  kernels) with every clerk's page open, per active clerk (goal ≤ 150 MB): RSS (each
  process's resident pages, shared library pages counted once per process) and PSS
  (/proc/PID/smaps_rollup: a page shared by k processes counts 1/k), whose sum is the
  memory the clerks really take;
* steady state: the clerk's own server is running (started by an earlier login, not
  culled), the clerk logs in again (a new HTTP session: login form, password, redirect)
  → form page rendered (goal ≤ 1.5 s), one clerk at a time, the others' pages open;
* culling: the clerks close their pages; jupyterhub-idle-culler (timeout ``--cull`` s)
  stops their servers; the memory left is measured again.

Every wait is bounded (tests/hub/clerk.py's WAIT): a clerk that gets no answer is
reported by name with what it waited for, and the run goes on with the others.
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import shlex
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

FIELD = "心得体会"  # an integer 0–100 in the 镇委书记 template


def figure(round_: int, i: int, n: int) -> str:
    """What clerk ``i`` types in ``round_``: different for every clerk of a round (for
    n ≤ 100) and from the clerk's previous round, and within the field's bounds."""
    return str(1 + (round_ * n + i - 1) % 100)


PHASE = 900  # s: the longest any phase may take before the run goes on without a clerk


def _kb(pid: int, file: str, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/{file}").read_text().splitlines():
            if line.startswith(key):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def clerk_pids(hub_pid: int) -> dict[int, str]:
    """The clerks' servers and kernels: pid → command line."""
    pids = {p: cmdline(p) for p in descendants(hub_pid)}
    return {p: c for p, c in pids.items() if "kit.hub.voila" in c or "ipykernel" in c}


def clerk_memory(hub_pid: int) -> dict[str, float]:
    """MB (RSS and PSS) of the clerks' servers and kernels, and how many of each."""
    pids = clerk_pids(hub_pid)
    return {"rss": sum(_kb(p, "status", "VmRSS:") for p in pids) / 1024,
            "pss": sum(_kb(p, "smaps_rollup", "Pss:") for p in pids) / 1024,
            "servers": sum("kit.hub.voila" in c for c in pids.values()),
            "kernels": sum("ipykernel" in c for c in pids.values())}


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, round(0.95 * len(values)) - 1)]


def spread(values: list[float], unit: str = "s") -> str:
    if not values:
        return "none"
    return (f"median {statistics.median(values):.2f} {unit}, p95 {p95(values):.2f} {unit}, "
            f"max {max(values):.2f} {unit}")


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


class Crowd:
    """The clerks of one run: who is at the form, who failed and why."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.lock = threading.Lock()
        self.clerks: dict[int, Clerk] = {}
        self.failed: dict[int, str] = {}
        self.arrived: dict[str, set[int]] = {}

    def fail(self, i: int, err: BaseException) -> None:
        with self.lock:
            self.failed[i] = f"{type(err).__name__}: {err}"
            gone = self.clerks.pop(i, None)
        if gone is not None:
            gone.close()

    def gather(self, i: int, stage: str) -> None:
        """Wait (reading the page, so pings are answered) until every clerk still in the
        run has reached ``stage``; bounded by PHASE."""
        with self.lock:
            self.arrived.setdefault(stage, set()).add(i)
        deadline = time.monotonic() + PHASE
        while time.monotonic() < deadline:
            with self.lock:
                done = self.arrived[stage] | set(self.failed)
            if len(done) >= self.n:
                return
            self.clerks[i].idle(1)


def cpu_seconds(hub_pid: int) -> float:
    """CPU time used so far by the clerks' servers and kernels (/proc/PID/stat)."""
    total = 0
    for pid in clerk_pids(hub_pid):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            pass
    return total / os.sysconf("SC_CLK_TCK")


def cpu_by_kind(hub_pid: int) -> dict[str, float]:
    """CPU seconds used so far: the clerks' kernels, their Voilà servers, the hub with
    its proxy and culler, and this bench (the simulated clerks)."""
    out = {"kernels": 0.0, "Voilà servers": 0.0, "hub + proxy": 0.0}
    for pid in [hub_pid, *descendants(hub_pid)]:
        c = cmdline(pid)
        kind = ("kernels" if "ipykernel" in c else "Voilà servers" if "kit.hub.voila" in c
                else "hub + proxy")
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            out[kind] += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            pass
    t = os.times()
    out["bench (clerks)"] = t.user + t.system
    return out


def settle(hub_pid: int, quiet: float = 0.05, window: float = 3) -> float:
    """Seconds until the clerks' servers and kernels are quiet (under ``quiet`` CPU
    seconds per second for ``window`` s: kernels made, forms run), bounded by PHASE."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < PHASE:
        before = cpu_seconds(hub_pid)
        time.sleep(window)
        if cpu_seconds(hub_pid) - before < quiet * window:
            break
    return time.monotonic() - t0


def report_failures(crowd: Crowd) -> None:
    for i, why in sorted(crowd.failed.items()):
        print(f"FAILED clerk{i:02d}: {why}")
    print(f"clerks failed so far: {len(crowd.failed)} of {crowd.n}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clerks", type=int, default=30)
    ap.add_argument("--saves", type=int, default=3)
    ap.add_argument("--cull", type=int, default=120, help="idle culler timeout, s")
    ap.add_argument("--steady", type=int, default=10, help="steady-state logins (one at a time)")
    args = ap.parse_args()
    n = args.clerks
    print("command: python bench/bench_hub.py " + shlex.join(sys.argv[1:]))
    print(f"{load()} before, {os.cpu_count()} cores", flush=True)
    with hubs.running(Path(tempfile.mkdtemp()), clerks=n,
                      env={"KIT_HUB_CULL_SECONDS": str(args.cull),
                           "KIT_HUB_ACTIVITY_SECONDS": "10"}) as hub:
        params = hub.root / "params"
        before = {p.name: p.read_bytes() for p in params.glob("*.yaml")}
        hub_pid = hub.proc.pid  # type: ignore[attr-defined]
        crowd = Crowd(n)
        cold: list[float] = []
        saves: list[float] = []
        rounds: dict[int, list[float]] = {}
        told: list[str] = []
        memory: dict[str, float] = {}
        cpu: dict[str, float] = {}

        def work(i: int) -> None:
            try:
                c = Clerk(hub, f"clerk{i:02d}", hubs.PASSWORDS[f"clerk{i:02d}"])
                with crowd.lock:
                    crowd.clerks[i] = c
                    cold.append(c.ready)
                c.open(hubs.clerk_file(i))
                crowd.gather(i, "open")  # all clerks at their forms, then all save at once
                if i == 1:
                    memory.update(clerk_memory(hub_pid))
                    cpu.update(cpu_by_kind(hub_pid))
                crowd.gather(i, "measured")
                for round_ in range(args.saves):
                    c.type(FIELD, figure(round_, i, n))
                    said, took = c.save()
                    with crowd.lock:
                        saves.append(took)
                        rounds.setdefault(round_, []).append(took)
                        told.append(said)
            except Exception as err:  # noqa: BLE001  # reported per clerk, the run goes on
                crowd.fail(i, err)

        t0 = time.monotonic()
        with ThreadPoolExecutor(n) as pool:
            list(pool.map(work, range(1, n + 1)))
        print(f"\n{n} clerks logged in at once (cold: each one's server started), login → "
              f"form rendered: {spread(cold)}; all {len(cold)} served in "
              f"{max(cold, default=0):.1f} s; whole phase incl. opening and saving "
              f"{time.monotonic() - t0:.0f} s")
        if memory:
            a = memory["servers"] or 1
            print(f"memory with {memory['servers']:.0f} clerks' pages open "
                  f"({memory['servers']:.0f} Voilà servers, {memory['kernels']:.0f} kernels): "
                  f"RSS {memory['rss']:.0f} MB = {memory['rss'] / a:.0f} MB per clerk, "
                  f"PSS {memory['pss']:.0f} MB = {memory['pss'] / a:.0f} MB per clerk "
                  f"(goal ≤ 150 MB)")
        ok = sum("已保存" in t for t in told)
        print(f"{len(saves)} saves by {n} clerks at once ({args.saves} each): {ok} 「已保存」; "
              f"click → answer {spread(saves)} (goal p95 ≤ 1 s)")
        saved = [i for i in range(1, n + 1) if i not in crowd.failed]
        wrong = [i for i in saved
                 if str(read_entries(params / hubs.clerk_file(i))[FIELD].value)
                 != figure(args.saves - 1, i, n)]
        untouched = all((params / name).read_bytes() == data for name, data in before.items()
                        if not name.startswith("测试"))
        if cpu:
            spent = {k: v - cpu[k] for k, v in cpu_by_kind(hub_pid).items()}
            print("  CPU during the saves (s): " + ", ".join(f"{k} {v:.1f}"
                                                         for k, v in spent.items()))
        for round_, took in sorted(rounds.items()):
            print(f"  round {round_ + 1}: {spread(took)}")
        answers = collections.Counter(re.sub(r"<[^>]+>|\s+", " ", t).strip().split("：")[0]
                                      for t in told)  # 已保存 / 没有保存 / …
        for text, count in answers.most_common(5):
            print(f"  {count} × {text}")
        print(f"of the {len(saved)} clerks who saved, files without their clerk's last figure "
              f"(lost or mixed-up saves): {len(wrong)} {wrong}; other units' files unchanged: "
              f"{untouched}")

        report_failures(crowd)
        def login_again(i: int) -> float | None:
            try:
                again = Clerk(hub, f"clerk{i:02d}", hubs.PASSWORDS[f"clerk{i:02d}"])
                again.close()
                return again.ready
            except Exception as err:  # noqa: BLE001
                crowd.fail(i, err)
                return None

        some = sorted(crowd.clerks)[:args.steady]
        tab = [t for t in map(login_again, some) if t is not None]
        print(f"second tab ({len(tab)} clerks, one at a time, own server running and its "
              f"first page open, so no kernel ready), login → form rendered: {spread(tab)}")
        shut = 0
        for c in list(crowd.clerks.values()):  # the clerks close their pages
            c.close()
            shut += c.shut
        settled = settle(hub_pid)
        idle = clerk_memory(hub_pid)
        a = idle["servers"] or 1
        print(f"pages closed ({shut} kernels shut down by the page), quiet after "
              f"{settled:.0f} s: {idle['servers']:.0f} servers, {idle['kernels']:.0f} kernels; "
              f"RSS {idle['rss'] / a:.0f} MB, PSS {idle['pss'] / a:.0f} MB per server")
        steady = []
        for i in some:
            took = login_again(i)
            steady += [] if took is None else [took]
            settle(hub_pid)  # its server makes its next kernel: not the next clerk's wait
        print(f"steady state ({len(steady)} clerks, one at a time: own server running, page "
              f"closed earlier), login → form rendered: {spread(steady)} (goal ≤ 1.5 s)")
        print(f"{load()} after the steady logins", flush=True)

        t0 = time.monotonic()
        while time.monotonic() - t0 < args.cull * 6:
            after = clerk_memory(hub_pid)
            if after["servers"] == 0:
                break
            time.sleep(5)
        print(f"after the clerks left: {after['servers']:.0f} servers, {after['kernels']:.0f} "
              f"kernels after {time.monotonic() - t0:.0f} s (culler timeout {args.cull} s); "
              f"their memory RSS {after['rss']:.0f} MB, PSS {after['pss']:.0f} MB")
        report_failures(crowd)
    print(f"{load()} after")


if __name__ == "__main__":
    main()
