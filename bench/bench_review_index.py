"""Review index at 10,000 officials: load and filter time in headless Chromium.

Side by side in one run: the shipped index (rows in a JSON block, one page of 100 drawn
by plain JavaScript) and, as the baseline, the same rows as one static HTML table (how
the index was written before).  Reports medians of ``--runs`` fresh page loads; times
are the browser's own (navigation start → load event, which follows the first draw).

    .venv/bin/python bench/bench_review_index.py [--n 10000] [--runs 5]
"""

from __future__ import annotations

import argparse
import html
import json
import re
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.review.synth import big_index  # noqa: E402

CHROMIUM = "/usr/bin/chromium"


def static_table(index: Path) -> Path:
    """The baseline: every row as server-rendered HTML."""
    rows = json.loads(re.search(r'id="data">(.*?)</script>', index.read_text("utf-8"),
                                re.S).group(1))
    cells = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(r[k] or ''))}</td>" for k in
                         ("n", "name", "role", "unit", "status", "reason"))
        + f"<td>{'<br>'.join(map(html.escape, r['flags']))}</td>"
        + f"<td><a href='{r['html']}'>查看</a></td><td><a href='{r['docx']}'>下载</a></td></tr>"
        for r in rows)
    out = index.with_name("static.html")
    out.write_text(f"<!DOCTYPE html><meta charset=utf-8><table><tbody>{cells}</tbody></table>",
                   "utf-8")
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        index = big_index(Path(tmp), args.n)["index"]
        static = static_table(index)
        load = {"index": [], "static": []}
        search = []
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM,
                                        args=["--no-sandbox", "--disable-gpu"])
            for _ in range(args.runs):
                for name, path in (("index", index), ("static", static)):
                    page = browser.new_page()
                    page.goto(path.as_uri(), wait_until="load")
                    load[name].append(page.evaluate(
                        "performance.getEntriesByType('navigation')[0].loadEventEnd"))
                    if name == "index":
                        search.append(page.evaluate("""() => {
                            const q = document.getElementById('q'), t0 = performance.now();
                            q.value = '王'; q.dispatchEvent(new Event('input'));
                            return performance.now() - t0; }"""))
                    page.close()
            browser.close()
        mb = lambda p: p.stat().st_size / 1e6  # noqa: E731
        print(f"{args.n} officials, {args.runs} fresh loads each, medians (ms):")
        print(f"  shipped index (JSON + one page drawn): load {statistics.median(load['index']):.0f}"
              f"  (runs {', '.join(f'{x:.0f}' for x in load['index'])}), {mb(index):.1f} MB")
        print(f"  static table of all rows (baseline):   load {statistics.median(load['static']):.0f}"
              f"  (runs {', '.join(f'{x:.0f}' for x in load['static'])}), {mb(static):.1f} MB")
        print(f"  search over all rows (one keystroke):  {statistics.median(search):.0f}")


if __name__ == "__main__":
    main()
