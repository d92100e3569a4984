"""What the form costs, side by side in one run (medians).

    python bench/bench_form.py [--rounds 200] [--loads 20] [--opens 7] [--no-browser]

In the kernel (no browser), for each shipped role with its sample official loaded:

* messages: the batch's validation of the whole form + every field's message
  (done on every keystroke);
* preview: rendering the report to HTML (done once typing pauses, debounced);
* keystroke: both, i.e. what an undebounced form would do per key;
* open: ``ReportForm.open`` of the sample file (new inputs, messages, preview, swap).

In a real ``kit form`` and headless Chromium (skipped with --no-browser or without
/usr/bin/chromium):

* open in the page: from the click on 打开 until 「已打开 …」 shows (median of --opens);
* kernels and memory over --loads page loads: each load opens the page, waits for the
  form, closes the tab; printed are the kernels alive and the resident memory (RSS) of
  kit form's whole process tree (Voilà + kernels) with the page open and after closing.
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

from kit.form import logic  # noqa: E402
from kit.form.widgets import ReportForm  # noqa: E402
from kit.project import Workspace  # noqa: E402


def median_ms(fn, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def kernel_side(rounds: int) -> None:
    folders = Workspace.find(ROOT)
    form = ReportForm(folders, debounce=0)
    print(f"{'角色':<10}{'messages ms':>14}{'preview ms':>12}{'keystroke ms':>14}{'open ms':>10}")
    for path in sorted(folders.params.glob("*.yaml")):
        form.open(path)

        def messages() -> None:
            chk = form.check()
            for inp in form.inputs.values():
                inp.show(chk, False)

        m = median_ms(messages, rounds)
        p = median_ms(lambda: logic.preview_html(form.check()), rounds)
        k = median_ms(lambda: (messages(), logic.preview_html(form.check())), rounds)
        o = median_ms(lambda p=path: form.open(p), max(5, rounds // 10))
        print(f"{form.template.role:<10}{m:>14.2f}{p:>12.2f}{k:>14.2f}{o:>10.1f}")


def rss_mb(server) -> float:
    import psutil

    procs = [psutil.Process(server.proc.pid)]
    procs += procs[0].children(recursive=True)
    total = 0
    for proc in procs:
        with contextlib.suppress(psutil.Error):  # a kernel that just exited
            total += proc.memory_info().rss
    return total / 2**20


def wait(check, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not check():
        time.sleep(0.2)


def browser_side(loads: int, opens: int) -> None:
    from playwright.sync_api import sync_playwright

    from tests.form import servers

    if not servers.CHROMIUM.exists():
        print("（没有 /usr/bin/chromium，跳过浏览器部分）")
        return
    tmp = Path(tempfile.mkdtemp(prefix="bench-form-"))
    root = servers.make_root(tmp)
    with servers.kit("form", root, tmp) as server, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(servers.CHROMIUM),
                                    args=servers.CHROMIUM_ARGS)
        rows = []
        # One context for all loads, as one browser window: closing a page that owns its
        # context would also cancel the page's last request (Voilà's kernel shutdown).
        context = browser.new_context(viewport={"width": 1366, "height": 900})
        for i in range(loads):
            page = context.new_page()
            page.set_default_timeout(120_000)
            t = time.perf_counter()
            page.goto(server.url)
            page.locator(".kit-preview .kit-report").wait_for()
            load_s = time.perf_counter() - t
            wait(lambda: len(server.kernels()) == 1)
            open_rss, open_kernels = rss_mb(server), len(server.kernels())
            if i == 0:
                times = []
                names = ["东山镇-镇委书记-王建国.yaml", "东山镇-镇党建办主任-李明华.yaml"]
                for n in range(opens):
                    name = names[n % 2]
                    page.get_by_label("已有参数文件").select_option(label=name)
                    t = time.perf_counter()
                    page.get_by_role("button", name="打开", exact=True).click()
                    page.get_by_text(f"已打开 params/{name}").wait_for()
                    times.append(time.perf_counter() - t)
                print(f"在页面里打开参数文件（点「打开」到显示「已打开」）：中位数 "
                      f"{statistics.median(times) * 1000:.0f} ms（{opens} 次，"
                      f"最快 {min(times) * 1000:.0f}，最慢 {max(times) * 1000:.0f}）")
            with page.expect_event("close"):
                page.close(run_before_unload=True)
            wait(lambda: not server.kernels())
            rows.append((load_s, open_kernels, open_rss, len(server.kernels()), rss_mb(server)))
        browser.close()
    print(f"{'第几次':>6}{'加载 s':>8}{'开着时内核':>10}{'开着时 MB':>10}{'关后内核':>8}{'关后 MB':>9}")
    for i, (load_s, k_open, rss_open, k_after, rss_after) in enumerate(rows, 1):
        print(f"{i:>6}{load_s:>8.2f}{k_open:>10}{rss_open:>10.0f}{k_after:>8}{rss_after:>9.0f}")
    after = [r[4] for r in rows]
    print(f"页面加载中位数 {statistics.median(r[0] for r in rows):.2f} s；"
          f"关后 RSS：第 1 次 {after[0]:.0f} MB，中位数 {statistics.median(after):.0f} MB，"
          f"第 {len(after)} 次 {after[-1]:.0f} MB；最多同时 {max(r[1] for r in rows)} 个内核")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=200)
    ap.add_argument("--loads", type=int, default=20)
    ap.add_argument("--opens", type=int, default=7)
    ap.add_argument("--no-browser", action="store_true")
    args = ap.parse_args()
    kernel_side(args.rounds)
    if not args.no_browser:
        browser_side(args.loads, args.opens)


if __name__ == "__main__":
    main()
