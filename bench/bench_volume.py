"""Benchmark: compile a 汇编 of N synthetic reports (the .docx step): time and peak memory.

    python bench/bench_volume.py [-n 1000] [-r 5] [--against main] [--pdf] [--check 20]

Each repeat runs in a fresh process, so ru_maxrss is that run's peak.  ``--against REV``
runs the same step with the kit of another git revision side by side (its runs
alternate with this tree's, so both see the same machine load) and prints both
medians.  Wall time and CPU time are reported: on a shared machine CPU time is the
steadier of the two.  ``--pdf`` also converts the volume with LibreOffice (slow) and
compares every 目录 entry's page with the report's start page in the PDF (as the
referee pass reads it).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def one_run(n: int, out: Path) -> dict:
    from kit.word.volume import write_volume
    from tests.word.synth import synthetic_reports

    reports = synthetic_reports(n, seed=20240)
    t0, c0 = time.perf_counter(), time.process_time()
    info = write_volume(reports, out, 2023)
    secs, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    return {
        "seconds": secs,
        "cpu": cpu,
        "peak_mb": peak_mb,
        "pages": info.total_pages,
        "toc_pages": info.toc_pages,
        "entries": [(e.title, e.page) for e in info.entries],
        "size_mb": out.stat().st_size / 1e6,
    }


def _child(tree: Path, n: int, out: Path) -> dict:
    cmd = [sys.executable, __file__, "-n", str(n), "--child", str(out), "--tree", str(tree)]
    return json.loads(subprocess.run(cmd, capture_output=True, check=True).stdout)


def _export(rev: str, dest: Path) -> Path:
    """The kit (and the synthetic reports) of ``rev``, unpacked into ``dest``."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", rev, "kit", "tests"], capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    return dest


def _summary(label: str, runs: list[dict]) -> None:
    def med(key: str) -> str:
        vals = [r[key] for r in runs]
        return f"median {statistics.median(vals):.2f} (runs {', '.join(f'{v:.2f}' for v in vals)})"

    last = runs[-1]
    print(f"[{label}] pages {last['pages']} (目录 {last['toc_pages']}), {last['size_mb']:.1f} MB")
    print(f"  wall s: {med('seconds')}")
    print(f"  CPU  s: {med('cpu')}")
    print(f"  peak RSS MB: {med('peak_mb')}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=1000)
    ap.add_argument("-r", "--repeats", type=int, default=5)
    ap.add_argument("--against", help="git revision to run side by side (e.g. main)")
    ap.add_argument("--pdf", action="store_true", help="convert with LibreOffice and check")
    ap.add_argument("--check", type=int, default=20, help="目录 entries to check in the PDF")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--tree", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        sys.path.insert(0, args.tree)
        print(json.dumps(one_run(args.n, Path(args.child))))
        return
    with tempfile.TemporaryDirectory() as tmp:
        trees = {"this tree": ROOT}
        if args.against:
            base = Path(tmp) / "against"
            base.mkdir()
            trees[args.against] = _export(args.against, base)
        runs: dict[str, list[dict]] = {label: [] for label in trees}
        for i in range(args.repeats):
            for label, tree in trees.items():
                runs[label].append(_child(tree, args.n, Path(tmp) / f"v{i}.docx"))
        print(f"reports: {args.n}, {args.repeats} fresh processes each, alternating")
        for label, got in runs.items():
            _summary(label, got)
        if args.pdf:
            out = Path(tmp) / "volume.docx"
            check_pdf(out, _child(ROOT, args.n, out)["entries"], args.check)


def check_pdf(docx_path: Path, entries: list, k: int) -> None:
    """Every 目录 entry against LibreOffice's PDF (the referee pass's reader), and ``k``
    sampled entries by the first text line of their page."""
    sys.path.insert(0, str(ROOT))
    from kit.word.pdf import convert_to_pdf
    from kit.word.referee import start_pages_in_pdf
    from tests.word.pdftools import body_lines, page_count, pdf_pages

    t0 = time.perf_counter()
    (pdf,) = convert_to_pdf([docx_path])
    print(f"LibreOffice PDF: {time.perf_counter() - t0:.1f} s, {page_count(pdf)} pages")
    t0 = time.perf_counter()
    actual = start_pages_in_pdf(pdf, [t for t, _ in entries])
    wrong = [
        (i + 1, p, a) for i, ((_, p), a) in enumerate(zip(entries, actual, strict=True)) if p != a
    ]
    print(
        f"start pages, model vs PDF: {len(entries) - len(wrong)}/{len(entries)} agree "
        f"(read back in {time.perf_counter() - t0:.1f} s)"
        + (
            f"; first wrong: no. {wrong[0][0]} model {wrong[0][1]} PDF {wrong[0][2]}"
            if wrong
            else ""
        )
    )
    pages = pdf_pages(pdf)
    sample = sorted(random.Random(1).sample(range(len(entries)), min(k, len(entries))))
    ok = 0
    for i in sample:
        title, page = entries[i]
        first = re.sub(r"\s", "", body_lines(pages[page - 1])[0].text)
        ok += title.startswith(first) and len(first) > 4
    print(f"目录 entries sampled: {ok}/{len(sample)} have their title atop their page")


if __name__ == "__main__":
    main()
