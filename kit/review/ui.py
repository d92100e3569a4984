"""The review page (ipywidgets): ``notebooks/review.ipynb``, served by ``kit review``.

A list of officials with status and 提示 (↑/↓ on the list, or 上一份/下一份, moves
between them), filters 全部/待审/有提示/退回/已通过, and for the chosen official the
year-over-year table and the report, with 通过 and 退回 (意见 required).  Everything it
decides goes through :class:`kit.review.session.Session`.  「下载汇编」 builds, in the
kernel, the 汇编 of the year's 已通过 reports of the reviewer's units
(:meth:`Session.volume`) and offers it as a download link.

The reviewer's name is asked once per session (kernel) and kept.
"""

from __future__ import annotations

import os
import tempfile
from importlib.resources import files
from pathlib import Path

import ipywidgets as w

from kit.errors import KitError
from kit.form.logic import download_link
from kit.review.pages import render_piece
from kit.review.record import REVIEWER, typed
from kit.review.session import FILTERS, Item, Session

_REVIEWER = {"name": os.environ.get("KIT_REVIEWER", "").strip()}


def _css() -> str:
    return files("kit.review").joinpath("review.css").read_text(encoding="utf-8")


def _html(macro: str, **context: object) -> str:
    """A piece of the page's HTML: a macro of kit/review/ui.html.j2, values escaped."""
    return render_piece("ui.html.j2", macro, **context)


class ReviewApp(w.VBox):
    def __init__(self, session: Session | None = None) -> None:
        self.session = session or Session()
        self.who = w.Text(value=_REVIEWER["name"], description="审阅人", placeholder="请填写您的姓名",
                          continuous_update=False)
        self.who_ok = w.Button(description="确定")
        self.who_box = w.HBox([self.who, self.who_ok])
        self.who_box.add_class("kit-who")
        self.filter = w.ToggleButtons(options=FILTERS, value="全部", description="筛选")
        self.refresh = w.Button(description="刷新", tooltip="重新读取参数文件")
        self.count = w.HTML()
        self.year = w.Dropdown(options=self.session.years(), description="年度",
                               layout=w.Layout(width="12em"))
        self.build = w.Button(description="下载汇编", tooltip="把本年度已通过的报告编成汇编（Word）下载")
        self.volume = w.HTML()
        self.volume.add_class("kit-volume-box")
        self.list = w.Select(options=[], rows=22, layout=w.Layout(width="26em"))
        self.list.add_class("kit-list")
        self.prev = w.Button(description="上一份")
        self.next = w.Button(description="下一份")
        self.view = w.HTML()
        self.view.add_class("kit-view")
        self.approve = w.Button(description="通过", button_style="success")
        # Sent once, on leaving the box (the click on 退回 does): typed continuously, the
        # last keystrokes' updates are throttled and could reach the kernel after the click.
        self.reason = w.Textarea(placeholder="退回意见（必填）：哪一项、为什么", description="意见",
                                 continuous_update=False,
                                 layout=w.Layout(width="32em", height="4.5em"))
        self.send_back = w.Button(description="退回", button_style="danger")
        self.message = w.HTML()
        self.message.add_class("kit-message")
        left = w.VBox([self.list, w.HBox([self.prev, self.next])])
        actions = w.HBox([self.approve, self.reason, self.send_back])
        actions.add_class("kit-actions")
        right = w.VBox([actions, self.message, self.view], layout=w.Layout(flex="1 1 auto"))
        head = w.HTML(_html("head", css=_css()))
        bar = w.HBox([self.filter, self.refresh, self.count, self.year, self.build])
        bar.add_class("kit-bar")
        super().__init__([head, self.who_box, bar, self.volume, w.HBox([left, right])])
        self.add_class("kit-review")
        self.who_ok.on_click(lambda _: self._set_reviewer())
        self.filter.observe(lambda _: self._fill(), "value")
        self.refresh.on_click(lambda _: self._reload())
        self.list.observe(lambda _: self._show(), "value")
        self.prev.on_click(lambda _: self._step(-1))
        self.next.on_click(lambda _: self._step(1))
        self.approve.on_click(lambda _: self._decide(True))
        self.send_back.on_click(lambda _: self._decide(False))
        self.build.on_click(lambda _: self._volume())
        self._fill()
        if _REVIEWER["name"]:
            self._set_reviewer()

    # -- state ------------------------------------------------------------------------

    def _items(self) -> list[Item]:
        return self.session.shown(self.filter.value)

    def _fill(self, keep: str | None = None) -> None:
        items = self._items()
        options = [(i.label, str(i.path)) for i in items]
        self.list.options = options
        paths = [p for _, p in options]
        self.list.value = keep if keep in paths else (paths[0] if paths else None)
        self.count.value = f"显示 {len(items)} / {len(self.session.items)} 份"
        self._show()

    def _current(self) -> Item | None:
        return next((i for i in self.session.items if str(i.path) == self.list.value), None)

    def _show(self) -> None:
        item = self._current()
        self.view.value = item.html() if item else _html("none_shown")
        self.approve.disabled = item is None or item.report is None
        self.send_back.disabled = item is None

    def _step(self, delta: int) -> None:
        paths = [p for _, p in self.list.options]
        if self.list.value in paths:
            i = min(max(paths.index(self.list.value) + delta, 0), len(paths) - 1)
            self.list.value = paths[i]

    def _reload(self) -> None:
        keep = self.list.value
        self.session.reload()
        self._fill(keep)
        self._say("已重新读取参数文件。", ok=True)

    # -- actions ----------------------------------------------------------------------

    def _set_reviewer(self) -> None:
        name = self.who.value.strip()
        if not name:
            self._say("请先填写审阅人姓名。", ok=False)
            return
        try:
            name = typed(REVIEWER, name)  # said now, not at the first decision
        except KitError as err:
            self._say(str(err), ok=False)
            return
        _REVIEWER["name"] = name  # asked once: kept for this session
        self.who_box.children = [w.HTML(_html("reviewer", name=name))]

    def _decide(self, approve: bool) -> None:
        item = self._current()
        if item is None:
            return
        if not _REVIEWER["name"]:
            self._say("请先在上方填写审阅人姓名，点「确定」。", ok=False)
            return
        try:
            if approve:
                self.session.approve(item, _REVIEWER["name"])
            else:
                self.session.send_back(item, _REVIEWER["name"], self.reason.value)
        except KitError as err:
            self._say(str(err), ok=False)
            return
        self.reason.value = ""
        name = item.status.ident.name or item.path.name
        self._say(f"{name}：{item.status.status}", ok=approve)  # 退回 in red, not green
        self._fill(keep=self._next_after(item))

    def _next_after(self, item: Item) -> str | None:
        """After a decision, the next official still shown (the same one if it stays)."""
        paths = [p for _, p in self.list.options]
        here = str(item.path)
        if here not in paths:
            return None
        i = paths.index(here)
        still = {str(i.path) for i in self._items()}
        for p in paths[i + 1:] + paths[:i + 1]:
            if p in still:
                return p
        return None

    def _volume(self) -> None:
        if self.year.value is None:
            self.volume.value = _html("message", ok=False, text="没有可编入汇编的报告。")
            return
        self.build.disabled = True
        self.volume.value = _html("message", ok=True, text="正在生成汇编，请稍候……")
        try:
            with tempfile.TemporaryDirectory(prefix="kit-volume-") as folder:
                made = self.session.volume(int(self.year.value), Path(folder))
                link = download_link(made.path, boxed=True) if made.path else ""
        except KitError as err:
            self.volume.value = _html("message", ok=False, text=f"汇编没有生成：{err}")
            return
        finally:
            self.build.disabled = False
        left = [(i.status.ident.name or i.path.name, i.status.status) for i in made.left_out]
        self.volume.value = _html("volume", year=made.year, link=link,
                                  included=len(made.included), left_out=left)
        self._fill(self.list.value)  # the statuses were read again

    def _say(self, text: str, ok: bool) -> None:
        self.message.value = _html("message", ok=ok, text=text)


def review_page() -> w.Widget:
    """The notebook's one call: the review page, or one Chinese line saying why not
    (no parameter folder, a broken template…), never a traceback."""
    try:
        return ReviewApp()
    except KitError as err:
        return w.HTML(_html("cannot_open", reason=str(err)))
