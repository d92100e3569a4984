"""The fill-in form (ipywidgets 8): built from the role's field definitions.

Every input comes from a :class:`kit.report.fields.Field` (its ``type.widget`` picks the
widget, its bounds bound it); every check, preview, save and Word file is a call into
:mod:`kit.form.logic`.  Callbacks here only move values between widgets and that code.

Use it in a notebook (``notebooks/form.ipynb``)::

    from kit.form import ReportForm
    ReportForm()
"""

from __future__ import annotations

import asyncio
import weakref
from functools import partial
from importlib.resources import files
from pathlib import Path
from typing import Any

import ipywidgets as w

from kit.errors import KitError, display_path, os_reason
from kit.form import logic
from kit.hub import scope
from kit.project import Workspace
from kit.report.fields import IDENTITY, Field, format_value, numeral
from kit.report.identity import Identity
from kit.report.params import find_params
from kit.report.templates import RoleTemplate, load_roles
from kit.review.pages import render_piece

_SECTION_NAMES = {"基本信息": "基本信息", "开头": "开头一段"}


_NOBODY = Identity("", "", "")  # a file that cannot be read: no unit


def _css() -> str:
    return files("kit.form").joinpath("form.css").read_text(encoding="utf-8")


def _html(macro: str, **context: Any) -> str:
    """A piece of the form's HTML: a macro of kit/form/form.html.j2, values escaped."""
    return render_piece("form.html.j2", macro, **context)


def _text(raw: Any) -> str:
    return "" if logic.is_empty(raw) else format_value(raw)


def _input_for(f: Field, raw: Any = None) -> w.Widget:
    """The widget a field type asks for, showing ``raw``.  Numbers are typed as text and
    parsed by the field, as in a parameter file: a box never clamps or drops what was typed
    (「120」 stays 120 and is marked, 「五」 stays 五).  The label is the widget's own
    description, so it is the input's accessible name too."""
    common: dict[str, Any] = {
        "description": _html("label", text=f.label, required=f.required),
        "description_allow_html": True,
    }
    if f.type.choice:
        empty = "（请选择）" if f.required else "（不选：按单位名称判断）" if f.key == "单位类别" \
            else "（可不选）"
        value = _text(raw)
        odd = [] if value in ("", *f.options) else [(value, value)]  # kept, and marked wrong
        return w.Dropdown(options=[(empty, ""), *((o, o) for o in f.options), *odd],
                          value=value, **common)
    common["continuous_update"] = True
    if f.type.multiline:
        return w.Textarea(value=_text(raw), rows=5, **common)
    box = w.Text(value=_text(raw), **common)
    if f.type.numeric:
        box.add_class("kit-number")
    return box


class FieldInput:
    """One field's row: labelled input (＊ when required), unit, message, help text."""

    def __init__(self, f: Field, raw: Any = None) -> None:
        self.field = f
        self.input = _input_for(f, raw)
        self.input.add_class("kit-input")
        # Few widgets per row (input, unit+message, help, row): opening a file builds a
        # whole new set of rows, and each widget is a message to the browser.
        self.message = w.HTML(_html("unit", text=f.unit))
        self.message.add_class("kit-msg-box")
        parts = [self.input, self.message]
        self.help = None
        if f.help:
            self.help = w.HTML(_html("help", text=f.help))
            self.help.add_class("kit-help-box")
            parts.append(self.help)
        self.row = w.HBox(parts)
        self.row.add_class("kit-row")
        if f.type.multiline:
            self.row.add_class("kit-row-wide")

    def raw(self) -> Any:
        """What the user entered, exactly, as validation expects it: None when empty."""
        value = self.input.value
        return None if logic.is_empty(value) else value

    def set(self, raw: Any) -> None:
        """Show a value read from a parameter file (None clears), exactly as written."""
        if isinstance(self.input, w.Dropdown):
            value = _text(raw)
            base = self.input.options[:1 + len(self.field.options)]  # （请选择） and the options
            options = base if value in [v for _, v in base] else (*base, (value, value))
            if tuple(self.input.options) != tuple(options):
                self.input.options = options
            self.input.value = value
        else:
            self.input.value = _text(raw)

    def close(self) -> None:
        for wid in (self.input, self.message, self.help, self.row):
            if wid is not None:
                wid.close()

    def show(self, chk: logic.FormCheck, strict: bool) -> None:
        """Message beside the input: the batch's complaint, or 必填, or a tick."""
        key = self.field.key
        if key in chk.errors:
            text, css = "；".join(chk.errors[key]), "kit-msg-error"
        elif key in chk.missing:
            text = "必填" + (f"：{self.field.expected()}" if strict else "")
            css = "kit-msg-error" if strict else "kit-msg-todo"
        elif key in chk.notes:
            empty = logic.is_empty(self.raw())  # 「未填写，相关内容将不出现」: a fact, not a fault
            text, css = "；".join(chk.notes[key]), "kit-msg-todo" if empty else "kit-msg-note"
        elif key in chk.values and logic.is_empty(self.raw()):
            text, css = f"未填，将取「{format_value(chk.values[key])}」", "kit-msg-todo"
        elif key in chk.values:
            text, css = "✓", "kit-msg-ok"
            if self.field.type.multiline and self.field.max_len:
                text += f" 已写 {len(str(chk.values[key]))} 字（最多 {self.field.max_len} 字）"
        else:
            text, css = "可不填", "kit-msg-todo"
        value = _html("message", unit_text=self.field.unit, css=css,
                      about=str(self.input.value), text=text)
        if self.message.value != value:
            self.message.value = value
        if css == "kit-msg-error":
            self.input.add_class("kit-invalid")
        else:
            self.input.remove_class("kit-invalid")


class ReportForm:
    """The whole form.  Display it (it is the last expression of a cell) or use
    ``.widget``; tests drive it through the widgets and the methods below."""

    def __init__(self, folders: Workspace | None = None, *, role: str | None = None,
                 debounce: float = 0.3) -> None:
        self.folders = folders or Workspace.find()
        self.roles: dict[str, RoleTemplate] = load_roles(self.folders.templates)
        self.debounce = debounce
        self.path: Path | None = None  # the parameter file being edited
        self._known: str | None = None  # sha256 of the file as read (logic.save_params)
        self._header = ""
        self._loading = False
        self._strict = False  # after a failed save, empty required fields show in red
        self._pending: asyncio.TimerHandle | None = None
        self._on_yes: Any = None
        self._saved: tuple[str, dict[str, Any]] | None = None  # what the file holds (unsaved?)
        self._attempts = 0  # failed 保存/生成 Word, so the page moves to the first error each time
        self.inputs: dict[str, FieldInput] = {}
        self._spare: dict[str, tuple[dict[str, FieldInput], list[w.Widget]]] = {}

        self.role_picker = w.Dropdown(description="角色", options=list(self.roles))
        self.file_picker = w.Dropdown(description="已有参数文件", options=self._file_options(),
                                      style={"description_width": "initial"},
                                      layout=w.Layout(width="28em"))
        self.open_button = w.Button(description="打开", tooltip="打开选中的参数文件来修改")
        self.sections = w.VBox()
        self.sections.add_class("kit-sections")
        self.preview = w.HTML()
        self.preview.add_class("kit-preview")
        self.save_button = w.Button(description="保存", button_style="primary",
                                    tooltip="保存为 params 文件夹里的参数文件")
        self.word_button = w.Button(description="生成 Word", button_style="success",
                                    tooltip="生成这位同志的述职报告 .docx")
        self.target = w.HTML()
        self.confirm_text = w.HTML()
        self.confirm_yes = w.Button(description="覆盖保存", button_style="danger")
        self.confirm_no = w.Button(description="取消")
        self.confirm = w.HBox([self.confirm_text, self.confirm_yes, self.confirm_no],
                              layout=w.Layout(display="none"))
        self.confirm.add_class("kit-confirm")
        self.status = w.HTML()
        self.download = w.HTML()
        self.widget = self._layout()

        self.role_picker.observe(self._role_changed, "value")
        self.open_button.on_click(lambda _: self.open(self.file_picker.value))
        self.save_button.on_click(lambda _: self.save())
        self.confirm_yes.on_click(lambda _: self._yes())
        self.confirm_no.on_click(lambda _: self._ask(None))
        self.word_button.on_click(lambda _: self.make_word())
        chosen = role if role in self.roles else next(iter(self.roles), None)
        if chosen is None:
            self.sections.children = [w.HTML("templates 文件夹里没有角色模板。")]
            return
        self._show(chosen, {"年度": logic.default_year()})
        self._mark_saved()
        refresh_on_connect(self)

    def refresh_files(self) -> None:
        """Read the list of parameter files again (the folder may have changed since
        the form was made: a preheated kernel makes it before the page is asked for)."""
        self._quietly(setattr, self.file_picker, "options", self._file_options())
        if self.path is not None:
            self._quietly(setattr, self.file_picker, "value", self._picker_value(self.path))

    @property
    def identity(self) -> dict[str, FieldInput]:
        return {f.key: self.inputs[f.key] for f in IDENTITY}

    # ------------------------------------------------------------ layout

    def _layout(self) -> w.Widget:
        head = w.HTML(_html("head", css=_css()))
        bar = w.HBox([self.role_picker, self.file_picker, self.open_button])
        bar.add_class("kit-bar")
        buttons = w.HBox([self.save_button, self.word_button, self.target])
        buttons.add_class("kit-buttons")
        # What 保存 and 生成 Word answer is shown in the bar that stays in view with the
        # buttons (the clerk is looking there), not below a long form.
        actions = w.VBox([self.confirm, self.status, self.download, buttons])
        actions.add_class("kit-actions")
        left = w.VBox([self.sections, actions])
        left.add_class("kit-left")
        right = w.VBox([w.HTML(_html("preview_head")),
                        self.preview])
        right.add_class("kit-right")
        main = w.HBox([left, right])
        main.add_class("kit-main")
        form = w.VBox([head, bar, main])
        form.add_class("kit-form")
        return form

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    def _section_box(self, template: RoleTemplate, title: str,
                     inputs: list[FieldInput]) -> w.Widget:
        name = _SECTION_NAMES.get(title, title)
        headings = [line[2:].strip() for line in template.body.split("\n")
                    if line.startswith("# ")]
        where = f"报告第{numeral(headings.index(title) + 1)}部分" if title in headings else ""
        box = w.VBox([w.HTML(_html("section_title", name=name, where=where)),
                      *(i.row for i in inputs)])
        box.add_class("kit-section")
        return box

    def _show(self, role: str, raw: dict[str, Any]) -> logic.FormCheck:
        """Show ``role``'s inputs holding ``raw``.  The inputs, their messages and the
        preview are all made ready off screen and then swapped in at once, so the page
        never shows the old file's values beside the new role (and no keystroke is lost).

        Double buffering: each role keeps at most one spare set of rows, off screen; the
        set taken off screen becomes the spare.  Opening a file fills the spare (only
        changed values travel to the browser) instead of building a new set of widgets,
        and the number of widgets never grows with the number of files opened."""
        template = self.roles[role]
        if role in self._spare:
            inputs, boxes = self._spare.pop(role)
            self._loading = True
            try:
                for key, inp in inputs.items():
                    inp.set(raw.get(key))
            finally:
                self._loading = False
        else:
            inputs, boxes = self._build(template, raw)
        chk = logic.check_form(template, {k: i.raw() for k, i in inputs.items()})
        for inp in inputs.values():
            inp.show(chk, self._strict)
        preview = logic.preview_html(chk)
        old, old_boxes = self.inputs, list(self.sections.children)
        old_role = getattr(self, "template", None)
        self.template, self.inputs = template, inputs
        self._quietly(setattr, self.role_picker, "value", role)
        self.sections.children = boxes
        self.preview.value = preview
        self._show_target(chk)
        if old and old_role is not None:
            if old_role.role in self._spare:  # one spare per role is enough
                self._later(partial(_close_all, [*old.values()], old_boxes))
            else:
                self._spare[old_role.role] = (old, old_boxes)
        return chk

    def _build(self, template: RoleTemplate, raw: dict[str, Any]
               ) -> tuple[dict[str, FieldInput], list[w.Widget]]:
        inputs = {f.key: FieldInput(f, raw.get(f.key)) for f in IDENTITY}
        own = {f.key: FieldInput(f, raw.get(f.key)) for f in template.fields.values()}
        inputs |= own
        boxes = [self._section_box(template, "基本信息", list(inputs.values())[:len(IDENTITY)])]
        for title, fields in template.sections().items():
            boxes.append(self._section_box(template, title, [own[f.key] for f in fields]))
        for key, inp in inputs.items():
            inp.input.observe(partial(self._changed, key), "value")
        return inputs, boxes

    def _later(self, fn: Any) -> None:
        """Run ``fn`` after the messages queued now (closing old widgets is not urgent);
        at once when there is no event loop (plain Python, tests)."""
        try:
            asyncio.get_running_loop().call_soon(fn)
        except RuntimeError:
            fn()

    # ------------------------------------------------------------ wiring

    def _role_changed(self, change: dict) -> None:
        if self._loading:
            return
        # Keep everything typed that the new role also has (identity at least).
        self._show(change["new"], self.raw())
        self._show_unsaved()

    def _changed(self, key: str, _change: dict) -> None:
        if self._loading:
            return
        if self._on_yes is not None:
            self._ask(None)  # a question is about what was on the form when it was asked
        self.refresh()

    def _quietly(self, fn: Any, *args: Any) -> None:
        self._loading = True
        try:
            fn(*args)
        finally:
            self._loading = False

    def raw(self) -> dict[str, Any]:
        return {k: i.raw() for k, i in self.inputs.items()}

    def check(self) -> logic.FormCheck:
        return logic.check_form(self.template, self.raw())

    def refresh(self) -> logic.FormCheck:
        """Messages now (cheap), preview shortly after typing pauses."""
        chk = self.check()
        for inp in self.inputs.values():
            inp.show(chk, self._strict)
        self._show_target(chk)
        self._schedule_preview(chk)
        self._show_unsaved()
        return chk

    # The page asks before it is closed or reloaded while the form holds what no file has
    # (kit/form/share/voila/templates/kit/index.html.j2 reads the class).
    def _state(self) -> tuple[str, dict[str, Any]]:
        """What a file would get; the role counts once there is a file (a new, empty form
        switched to another role holds nothing to lose)."""
        role = self.template.role if self.path is not None else ""
        return role, {k: v for k, v in self.raw().items() if v is not None}

    def _mark_saved(self) -> None:
        self._saved = self._state()
        self._show_unsaved()

    @property
    def unsaved(self) -> bool:
        return self._saved is not None and self._state() != self._saved

    def _show_unsaved(self) -> None:
        if self.unsaved:
            self.widget.add_class("kit-unsaved")
        else:
            self.widget.remove_class("kit-unsaved")

    def _show_target(self, chk: logic.FormCheck) -> None:
        where = self.target_path(chk)
        self.target.value = _html("target", where=self._where(where) if where else "")

    def _schedule_preview(self, chk: logic.FormCheck) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if self.debounce <= 0 or loop is None:
            self.update_preview(chk)
            return
        if self._pending is not None:
            self._pending.cancel()
        self._pending = loop.call_later(self.debounce, self.update_preview)

    def update_preview(self, chk: logic.FormCheck | None = None) -> None:
        self._pending = None
        self.preview.value = logic.preview_html(chk or self.check())

    def target_path(self, chk: logic.FormCheck) -> Path | None:
        if self.path is not None:
            return self.path
        if "姓名" not in chk.values:
            return None
        return self.folders.params / logic.default_filename(chk)

    def _where(self, path: str | Path) -> str:
        """A path as the clerk knows it: params/….yaml, relative to the project folder."""
        try:
            return Path(path).resolve().relative_to(self.folders.root).as_posix()
        except ValueError:
            return display_path(path)

    def _file_options(self) -> list[tuple[str, Any]]:
        folder = self.folders.params
        found = find_params(folder) if folder.is_dir() else []
        found = scope.visible(found, lambda p: (logic.file_identity(p) or _NOBODY).unit)
        return [("（新建一份）", ""), *((p.name, p) for p in found)]

    def _say(self, text: str, kind: str = "info", items: list[str] | None = None,
             focus: bool = False) -> None:
        """The answer to an action, in the bar beside the buttons.  ``focus``: the page
        takes the clerk to the first box marked wrong (kit's Voilà page script)."""
        if focus:
            self._attempts += 1
        self.status.value = _html("status", kind=kind, text=text, items=items or [],
                                  focus=self._attempts if focus else 0)

    def _ask(self, question: str | None, yes: str = "覆盖保存", on_yes: Any = None) -> None:
        """Show a question with 「yes」/取消 under the save bar (None hides it)."""
        self._on_yes = on_yes
        self.confirm_text.value = _html("question", text=question or "")
        self.confirm_yes.description = yes
        self.confirm.layout.display = "flex" if question else "none"

    def _yes(self) -> None:
        action, self._on_yes = self._on_yes, None
        self._ask(None)
        if action is not None:
            action()

    # ------------------------------------------------------------ actions

    def open(self, path: str | Path | None) -> None:
        """Load a parameter file into the form (None or "": start a new, empty one)."""
        self._ask(None)
        self.download.value = ""
        self._strict = False
        if not path:
            self.path, self._known, self._header = None, None, ""
            self._show(self.template.role, {"年度": logic.default_year()})
            self._mark_saved()
            self._say("已清空，可以填写一份新的。")
            return
        try:
            opened = logic.open_params(path, self.folders.templates, self._where(path))
        except OSError as err:
            self._say(f"无法打开 {self._where(path)}：{os_reason(err)}", "error")
            return
        except KitError as err:  # another unit's file (kit.hub.scope)
            self._say(f"无法打开 {self._where(path)}：", "error", [str(p) for p in err.problems])
            return
        if opened.role not in self.roles:
            self._say(f"无法打开 {self._where(path)}：", "error",
                      [str(p) for p in opened.problems] or ["文件里没有写「角色」"])
            return
        self.path, self._known, self._header = opened.path, opened.sha256, opened.header
        self._show(opened.role, opened.raw)
        self._mark_saved()
        self._quietly(setattr, self.file_picker, "value", self._picker_value(opened.path))
        if opened.problems:
            self._say(f"已打开 {self._where(path)}，文件里有以下问题，请在表单里改正后保存：",
                      "warn", [str(p) for p in opened.problems])
        else:
            self._say(f"已打开 {self._where(path)}。")

    def _picker_value(self, path: Path) -> Any:
        values = [v for _, v in self.file_picker.options]
        return path if path in values else self.file_picker.value

    def save(self, overwrite: bool = False, seen: str | None = None) -> Path | None:
        """保存: write the parameter file; returns its path, or None when not saved.
        ``overwrite``: the clerk confirmed replacing the file as it was when asked
        (``seen``: its sha256 then)."""
        chk = self.refresh()
        if not chk.ok:
            self._strict = True
            self.refresh()
            self._ask(None)
            self._say("没有保存。请先改正以下各项：", "error", chk.reasons(), focus=True)
            return None
        target = self.target_path(chk)
        assert target is not None  # a valid form has a 姓名
        try:
            saved = logic.save_params(target, chk, folder=self.folders.params,
                                      header=self._header or _new_header(chk),
                                      known_sha256=self._known if target == self.path else seen,
                                      overwrite=overwrite, name=self._where(target))
        except KitError as err:
            self._say("没有保存：", "error", [str(p) for p in err.problems])
            return None
        if saved.duplicate is not None:
            dup = saved.duplicate
            who = logic.describe(logic.identity(chk))
            self._say(f"没有保存：{who} 已经有参数文件 {self._where(dup)}。"
                      "同一位同志同一年度只能有一份参数文件，请打开它来修改。", "error")
            self._ask(f"要打开 {dup.name} 吗？（表单里现在填写的内容不会保存）",
                      yes=f"打开 {dup.name}", on_yes=partial(self.open, dup))
            return None
        if saved.changed is not None:  # the typed values stay until the clerk reopens
            differs = "、".join(f"「{label}」" for label in saved.differs)
            self._say(saved.changed, "error", [logic.AFTER_CHANGED] + (
                [f"您填写的与对方保存的不同之处：{differs}"] if differs else []))
            self._ask(f"要重新打开 {self._where(target)}，看对方保存的版本吗？"
                      "（表单里现在填写的内容不会保存，请先记下您的修改）",
                      yes="重新打开", on_yes=partial(self.open, target))
            return None
        if not saved.written:
            self._ask(saved.question, on_yes=partial(self.save, overwrite=True, seen=saved.sha256))
            self._say("还没有保存：请先确认是否覆盖。", "warn")
            return None
        self._ask(None)
        self.path, self._known = target, saved.sha256
        self._header = self._header or _new_header(chk)
        self._strict = False
        self._quietly(setattr, self.file_picker, "options", self._file_options())
        self._quietly(setattr, self.file_picker, "value", self._picker_value(target))
        note = f"（原来的内容已另存为 {saved.backup.name}）" if saved.backup else ""
        self._say(f"已保存：{self._where(target)}{note}", "ok")
        self._mark_saved()
        self.refresh()
        return target

    def make_word(self) -> Path | None:
        """生成 Word: this official's .docx, offered as a download link."""
        chk = self.refresh()
        if not chk.ok:
            self._strict = True
            self.refresh()
            self._say("还不能生成 Word。请先改正以下各项：", "error", chk.reasons(), focus=True)
            return None
        try:
            path = logic.write_word(chk, self.folders.out)
        except KitError as err:
            self._say("没有生成 Word：", "error", [str(p) for p in err.problems])
            return None
        self.download.value = logic.download_link(path, f"⬇ 下载 {path.name}", boxed=True)
        self._say(f"已生成 Word：{self._where(path)}", "ok")
        return path


_CONTROL = "jupyter.widget.control"  # ipywidgets 8: a page's widget manager opens it
_FORMS: weakref.WeakSet[ReportForm] = weakref.WeakSet()


def refresh_on_connect(form: ReportForm) -> None:
    """Have ``form`` read its file list again whenever a page connects to this kernel:
    the page's widget manager opens ipywidgets' control comm to ask for every widget's
    state, so the list is read just before that answer.  (A preheated kernel,
    kit.hub.pool, ran the form perhaps long before its page was asked for.)"""
    from ipywidgets.comm import get_comm_manager

    _FORMS.add(form)
    manager = get_comm_manager()
    control = getattr(manager, "targets", {}).get(_CONTROL)
    if manager is None or control is None or getattr(control, "kit_refresh", False):
        return

    def opened(comm: Any, msg: dict) -> None:
        for each in list(_FORMS):
            each.refresh_files()
        control(comm, msg)

    opened.kit_refresh = True  # type: ignore[attr-defined]  # hooked once per kernel
    manager.register_target(_CONTROL, opened)


def _close_all(inputs: list[FieldInput], boxes: Any) -> None:
    for inp in inputs:
        inp.close()
    for box in boxes:
        box.close()


def _new_header(chk: logic.FormCheck) -> str:
    year = chk.values.get("年度", "")
    return f"{year}年度述职报告参数（由填写表单保存）"
