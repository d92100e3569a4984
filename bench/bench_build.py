"""``kit build``: full, one file changed, nothing changed, ``--watch``, and the papermill
CLI loop it replaces, side by side in one run.

    python bench/bench_build.py                  # N = 100, 3 rounds, loop over 10 files
    python bench/bench_build.py --rounds 5 --loop-files 100   # the whole loop too (minutes)
    python bench/bench_build.py --baseline DIR   # also an older checkout, e.g. from
                                                 # git archive <commit> | tar -x -C DIR
    python bench/bench_build.py --size 1000      # one large run: rate and memory

N synthetic officials (mixed roles, plausible values, each checked by kit.report.params)
are written once; then each round times, from the shell's point of view, one after the
other (interleaved, so that every kind sees the same load of a shared machine):

* full: ``kit build params -o …`` into an empty folder (checking, notebooks, review
  pages, index, 汇编), ``--workers`` = number of cores;
* one changed: ``kit build`` again after one figure of one file changed (as when a clerk
  fixes a figure: one notebook runs, the 汇编 and index are written again);
* nothing changed: ``kit build`` again, nothing changed (goal ≤ 1 s at N = 100);
* --watch: a ``kit build --watch`` session on the current folder, three files saved one
  after another: from each save to the end of its rebuild's summary (goal ≤ 15 % of a
  full build);
* papermill loop: one ``papermill notebooks/report.ipynb … -p params_file <file>`` call per
  file, over the first ``--loop-files`` files (what a user would otherwise write; goal:
  kit build ≥ 40× faster per report).

Prints the load (``uptime``) before and after, each kind's times and median, the goals;
``--profile``: then where a full build's time goes (in-process).

The size run builds N officials of mixed roles, units and counties once, sampling the
resident memory of the whole process tree (kit build, its workers and their kernels),
and projects the rate to a county (300 officials) and a province (30,000).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kit.errors import KitError  # noqa: E402
from kit.report.params import check, parse_entries  # noqa: E402
from kit.report.templates import load_roles  # noqa: E402
from kit.report.yamlio import dump  # noqa: E402

BIN = Path(sys.executable).parent
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = ["建国", "明华", "志强", "海燕", "丽娟", "国栋", "玉兰", "文斌", "晓东", "春梅", "永红", "卫东"]
COUNTIES = ["云溪县", "青川县", "石门县", "柳河县"]
TOWNS = ["东山镇", "西河镇", "南岭乡", "北川镇", "青石镇", "柳湾乡", "红崖镇", "石门乡"]
VILLAGES = ["石门", "杨家湾", "柳树沟", "红旗", "新庄", "马家坪", "下河", "双泉"]
WORK = ("牵头完成全镇村党组织换届“回头看”，指导各村规范建立党员积分管理台账，"
        "全年发展党员{n}名，党员队伍结构持续优化。")


def synth_value(field, rng: random.Random) -> str:
    kind = field.type.name
    lo, hi = field.bounds()
    lo = lo if lo is not None else Decimal(0)
    hi = min(hi if hi is not None else Decimal(500), lo + 500)
    if kind in ("count", "year"):
        return str(rng.randint(int(lo) + 1 if kind == "count" else int(lo), int(hi)))
    if kind == "percent":
        return str(rng.randint(max(60, int(lo)), min(100, int(hi))))
    if kind == "amount":
        return str(round(rng.uniform(float(lo) + 0.1, float(hi)), 1))
    if kind == "choice":
        return rng.choice(field.options)
    if kind == "short":
        return rng.choice(VILLAGES)[: field.max_len or 20]
    return WORK.format(n=rng.randint(3, 20))[: field.max_len or 600]


def write_officials(folder: Path, n: int, seed: int = 7) -> list[Path]:
    """N parameter files, roles taken in turn, each checked by kit before it is written."""
    rng = random.Random(seed)
    roles = list(load_roles(ROOT / "templates").values())
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    taken: set[tuple[str, str]] = set()
    for i in range(n):
        tpl = roles[i % len(roles)]
        while True:  # one official, one report: 单位 + 姓名 unique, as kit build requires
            name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)[0]
            town = rng.choice(TOWNS)
            if (town, name) not in taken:
                taken.add((town, name))
                break
        data = {"角色": tpl.role, "姓名": name, "单位": town,
                "所属县": COUNTIES[i % len(COUNTIES)], "省份": "甘肃", "年度": "2023"}
        data |= {k: synth_value(f, rng) for k, f in tpl.fields.items()}
        check(data, file=f"合成{i}", templates=ROOT / "templates")  # must be valid
        path = folder / f"{i:05d}-{data['单位']}-{name}.yaml"
        path.write_text(dump(data, header="# 合成的测试数据"), "utf-8")
        paths.append(path)
    return paths


def kit_build(params: Path, out: Path, workers: int, source: Path | None = None) -> float:
    """One ``kit build`` of this checkout, or of the kit in ``source`` (an older checkout),
    in a process of its own: the time a user waits for."""
    cmd, env = [str(BIN / "kit")], dict(os.environ)
    if source is not None:
        cmd = [sys.executable, "-c", "import sys; from kit.cli import main; sys.exit(main())"]
        env["PYTHONPATH"] = str(source)
    start = time.perf_counter()
    run = subprocess.run([*cmd, "--templates", str(ROOT / "templates"), "build",
                          str(params), "-o", str(out), "--workers", str(workers)],
                         capture_output=True, text=True, cwd=source or ROOT, env=env)
    took = time.perf_counter() - start
    if run.returncode != 0:
        sys.exit(f"kit build failed:\n{run.stdout}\n{run.stderr}")
    return took


def edit(files: list[Path], round_no: int) -> tuple[Path, str]:
    """One figure of one file one more (or one less, when more is out of bounds), as a
    clerk fixes a figure: the file and its new text, still valid."""
    path = files[round_no % len(files)]
    text = path.read_text("utf-8")
    entries = parse_entries(text.encode("utf-8"), path.name)
    role = load_roles(ROOT / "templates")[str(entries["角色"].value)]
    for key, f in role.fields.items():
        if f.type.name != "count" or key not in entries:
            continue
        old = int(str(entries[key].value))
        for new in (old + 1, old - 1):
            changed = re.sub(rf"(?m)^{re.escape(key)}: '?{old}'?$", f"{key}: {new}", text)
            try:
                check(parse_entries(changed.encode("utf-8"), path.name), file=path.name,
                      templates=ROOT / "templates")
            except KitError:
                continue
            if changed != text:
                return path, changed
    sys.exit(f"no figure of {path.name} can change")


def change_one(files: list[Path], round_no: int) -> None:
    path, text = edit(files, round_no)
    path.write_text(text, "utf-8")


def watch_rebuild(files: list[Path], out: Path, workers: int, round_no: int,
                  changes: int = 3) -> list[float]:
    """``kit build --watch`` on a current folder: from saving one changed file to the end
    of that rebuild's summary (file notification and the 0.1 s settling included), for
    ``changes`` files one after another in one session."""
    import queue
    import signal
    import threading

    proc = subprocess.Popen([str(BIN / "kit"), "--templates", str(ROOT / "templates"),
                             "build", str(files[0].parent), "-o", str(out), "--workers",
                             str(workers), "--watch"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, cwd=ROOT)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(x) for x in proc.stdout or []],
                     daemon=True).start()

    def until(prefix: str) -> float:
        while not lines.get(timeout=300).startswith(prefix):
            pass
        return time.perf_counter()

    took = []
    try:
        until("正在监视")
        for k in range(changes):
            path, text = edit(files, round_no * changes + k + 1)
            start = time.perf_counter()
            path.write_text(text, "utf-8")
            took.append(until("汇编：") - start)
    finally:
        proc.send_signal(signal.SIGINT)  # the session ends, its workers and kernels too
        proc.wait(timeout=60)
    return took


def time_loop(files: list[Path], out: Path) -> float:
    """The papermill CLI once per file: a new process and kernel each time."""
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    start = time.perf_counter()
    for f in files:
        subprocess.run([str(BIN / "papermill"), "--no-progress-bar", "--log-level", "ERROR",
                        str(ROOT / "notebooks" / "report.ipynb"), str(out / f"{f.stem}.ipynb"),
                        "-p", "params_file", str(f), "-p", "out_dir", str(out),
                        "-p", "templates_dir", str(ROOT / "templates")],
                       check=True, capture_output=True, cwd=ROOT)
    return time.perf_counter() - start


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def where_time_goes(params: Path, out: Path, workers: int) -> None:
    """The same build in-process: per-official worker time vs. the fixed costs."""
    from kit.build.batch import build

    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    result = build(params, out, workers=workers, templates=ROOT / "templates", quiet=True)
    total = time.perf_counter() - start
    per = sorted(o.seconds for o in result.outcomes)
    n = len(per)
    first = per[-workers:]  # the slowest: each worker's first notebook pays the kernel start
    print(f"  in-process build of {n}: {total:.2f} s total, {total / n:.3f} s/report")
    print(f"  per official in a worker (papermill + notebook + review page): median "
          f"{statistics.median(per):.3f} s, slowest {', '.join(f'{s:.2f}' for s in first)} s "
          f"(first notebook of each worker: kernel start, imports)")
    busy = sum(per) / workers
    print(f"  worker busy time {busy:.2f} s of {total:.2f} s; the rest is process start-up "
          f"(spawn + imports), checking files, index and 汇编")


def tree_rss(root: int) -> int:
    """Resident memory (bytes) of ``root`` and all its descendants, from /proc."""
    parent: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            parent[int(stat.parent.name)] = int(fields[1])
        except (OSError, IndexError, ValueError):
            continue
    tree, todo = set(), [root]
    while todo:
        pid = todo.pop()
        tree.add(pid)
        todo += [c for c, pp in parent.items() if pp == pid and c not in tree]
    total = 0
    for pid in tree:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total


def size_run(n: int, workers: int) -> None:
    with tempfile.TemporaryDirectory(prefix="kit-size-") as tmp:
        params = Path(tmp) / "params"
        write_officials(params, n)
        out = Path(tmp) / "out"
        start = time.perf_counter()
        log = open(Path(tmp) / "summary.txt", "w+", encoding="utf-8")  # noqa: SIM115
        proc = subprocess.Popen([str(BIN / "kit"), "--templates", str(ROOT / "templates"),
                                 "build", str(params), "-o", str(out), "--workers",
                                 str(workers), "--by", "所属县"],
                                stdout=log, stderr=subprocess.DEVNULL, cwd=ROOT)
        peak, samples = 0, []
        while proc.poll() is None:
            rss = tree_rss(proc.pid)
            peak = max(peak, rss)
            samples.append(rss)
            time.sleep(1.0)
        took = time.perf_counter() - start
        log.seek(0)
        summary = log.read()
        log.close()
        if proc.returncode != 0:
            sys.exit(f"kit build failed:\n{summary}")
        rate = n / took * 3600
        quarter = max(1, len(samples) // 4)
        print(f"size run: {n} officials, --workers {workers}, --by 所属县")
        print(f"  elapsed {took:.0f} s = {took / n:.3f} s/report = {rate:,.0f} officials/hour")
        print(f"  peak RSS of the process tree {peak / 2**20:.0f} MB; median RSS in each quarter "
              f"of the run: {[round(statistics.median(samples[i:i + quarter]) / 2**20) for i in range(0, len(samples), quarter)]} MB")
        for label, m in (("county (300 officials)", 300), ("province (30,000)", 30000)):
            print(f"  projection, {label}: {m / rate:.2f} h")


def main() -> None:
    ap = argparse.ArgumentParser(description=" ".join(__doc__.splitlines()[:2]),
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="\n".join(__doc__.splitlines()[2:]))
    ap.add_argument("--size", type=int, help="one large run of this many officials instead")
    ap.add_argument("-n", type=int, default=100, help="officials (default 100)")
    ap.add_argument("--rounds", type=int, default=3, help="rounds (default 3)")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--loop-files", type=int, default=10, help="files of the papermill "
                    "loop each round (default 10; 0: no loop)")
    ap.add_argument("--baseline", type=Path, help="an older checkout of the kit (e.g. from "
                    "`git archive`): its builds are timed too, interleaved, same files")
    ap.add_argument("--profile", action="store_true", help="then where a full build's "
                    "time goes (in-process)")
    args = ap.parse_args()
    if args.size:
        size_run(args.size, args.workers)
        return
    n = args.n
    print(f"machine: {os.cpu_count()} cores, python {sys.version.split()[0]}, "
          f"--workers {args.workers}, N = {n}, {args.rounds} rounds, medians")
    print(f"load before: {uptime()}")
    with tempfile.TemporaryDirectory(prefix="kit-bench-") as tmp:
        params = Path(tmp) / "params"
        files = write_officials(params, n)
        times: dict[str, list[float]] = {}
        kits = {"": None, "base-": args.baseline} if args.baseline else {"": None}
        for r in range(args.rounds):
            for tag, source in kits.items():  # interleaved: all see the same machine load
                out = Path(tmp) / f"kit-out{tag}"
                shutil.rmtree(out, ignore_errors=True)
                times.setdefault(f"{tag}full", []).append(
                    kit_build(params, out, args.workers, source))
            change_one(files, r)
            for kind in ("one", "none"):
                for tag, source in kits.items():
                    times.setdefault(f"{tag}{kind}", []).append(kit_build(
                        params, Path(tmp) / f"kit-out{tag}", args.workers, source))
            times.setdefault("watch", []).extend(
                watch_rebuild(files, Path(tmp) / "kit-out", args.workers, r))
            if args.loop_files:
                k = min(args.loop_files, n)
                times.setdefault("loop", []).append(
                    time_loop(files[:k], Path(tmp) / "loop-out") / k * n)
        print(f"load after:  {uptime()}")
        med = {k: statistics.median(v) for k, v in times.items()}
        rows = [("full build (fresh folder)", "full"), ("1 file changed", "one"),
                ("nothing changed", "none"), ("--watch, 1 file saved", "watch"),
                (f"papermill CLI loop (×{n}/{min(args.loop_files, n)})", "loop"),
                ("baseline: full build", "base-full"), ("baseline: 1 file changed", "base-one"),
                ("baseline: nothing changed", "base-none")]
        print(f"\nN = {n}                             median      per report   each round")
        for label, k in rows:
            if k in med:
                print(f"  {label:32s}: {med[k]:7.2f} s   {med[k] / n:.4f} s   "
                      f"{[round(t, 2) for t in times[k]]}")
        print(f"  nothing changed               : {med['none']:.2f} s (goal ≤ 1 s at N = 100)")
        print(f"  1 file changed / full         : {med['one'] / med['full']:.0%}")
        print(f"  --watch 1 saved / full        : {med['watch'] / med['full']:.0%} (goal ≤ 15%)")
        if "loop" in med:
            print(f"  papermill loop / full, per report: {med['loop'] / med['full']:.0f}× "
                  "(goal ≥ 40×)")
        if args.baseline:
            print(f"  baseline 1 changed / full     : {med['base-one'] / med['base-full']:.0%}")
        if args.profile:
            where_time_goes(params, Path(tmp) / "kit-out", args.workers)


if __name__ == "__main__":
    main()
