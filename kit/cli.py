"""The ``kit`` command.  It only parses arguments and calls one library function each;
user mistakes (KitError) print one Chinese message and exit non-zero, no traceback.
A mistyped command exits 2 with argparse's message in Chinese (kit/locale's catalog);
every number option is read by :class:`kit.user_numbers.Whole`."""

from __future__ import annotations

import argparse
import contextlib
import gettext
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn

from kit import project
from kit.errors import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    KitError,
    OutputError,
    Problem,
    closest,
    did_you_mean,
    display_path,
    internal_problem,
    os_reason,
    suggest,
)
from kit.iorw import unbreakable_streams
from kit.user_numbers import Whole

_LOCALE = Path(__file__).parent / "locale"


@contextlib.contextmanager
def _in_chinese() -> Iterator[None]:
    """argparse's own words (usage, errors, help titles) from the kit's catalog
    (kit/locale/zh_CN/LC_MESSAGES/argparse.po) while the kit's parser is made and used.
    argparse reads them through its module-level ``_`` and ``ngettext``, which are put back
    afterwards: other code in the process keeps its own language."""
    # fallback: a damaged installation shows argparse's English rather than a traceback.
    words = gettext.translation("argparse", localedir=_LOCALE, languages=["zh_CN"],
                                fallback=True)
    module = vars(argparse)
    saved = module["_"], module["ngettext"]
    module["_"], module["ngettext"] = words.gettext, words.ngettext
    try:
        yield
    finally:
        module["_"], module["ngettext"] = saved


class _Parser(argparse.ArgumentParser):
    """argparse whose messages show nothing invisible (the user's own values are quoted
    as typed), and that suggests the choice a mistyped one most likely meant."""

    def error(self, message: str) -> NoReturn:
        from kit.report.fields import marked

        super().error(marked(message))

    def parse_args(self, args: Sequence[str] | None = None,  # type: ignore[override]
                   namespace: None = None) -> argparse.Namespace:
        # argparse's own check of what is left over, with the option most likely meant.
        parsed, extra = self.parse_known_args(args, namespace)
        if extra:
            words = vars(argparse)["_"]("unrecognized arguments: %s") % " ".join(extra)
            hint = None
            owner = _owner(self, extra[0].split("=")[0])
            if owner and owner != self.prog:  # a real option, of another command
                hint = (f"「{extra[0]}」是「{owner}」的选项，请紧接着「{owner}」写，"
                        f"例如「{owner} {extra[0]} …」。")
            elif extra[0].startswith("-"):  # compared without the dashes all options share
                hint = did_you_mean(["--" + c for c in closest(extra[0].lstrip("-"),
                                                               _options(self))])
            self.error(f"{words} {hint}" if hint else words)
        return parsed

    def _check_value(self, action: argparse.Action, value: Any) -> None:
        # argparse's own check and words, with the choices listed as 「a」、「b」 rather
        # than as Python's repr, and the one most likely meant.
        if action.choices is None or value in action.choices:
            return
        choices = [str(c) for c in action.choices]
        words = vars(argparse)["_"]("invalid choice: %(value)r (choose from %(choices)s)")
        message = words % {"value": value, "choices": "、".join(f"「{c}」" for c in choices)}
        hint = suggest(str(value), choices)
        raise argparse.ArgumentError(action, f"{message} {hint}" if hint else message)


def _owner(parser: argparse.ArgumentParser, option: str) -> str | None:
    """The command (its ``prog``, e.g. 「kit review」) whose option ``option`` is."""
    if any(option in action.option_strings for action in parser._actions):
        return parser.prog
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                if found := _owner(sub, option):
                    return found
    return None


def _options(parser: argparse.ArgumentParser) -> list[str]:
    """Every long option of ``parser`` and its commands, without its dashes."""
    found = []
    for action in parser._actions:
        found += [o[2:] for o in action.option_strings if o.startswith("--")]
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                found += _options(sub)
    return found


MAX_WORKERS = 64
MAX_TIMEOUT = 86400  # seconds: a day
_PORT = Whole(1, 65535)


def _year(text: str) -> int:
    """A 年度 as the parameter files' 年度 field allows (imported when used: `kit -h`
    does not pay for the field types)."""
    from kit.report.fields import TYPES

    return Whole(int(TYPES["year"].min or 0), int(TYPES["year"].max or 0))(text)



def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="kit", description="述职报告 kit：把参数文件生成为公文格式的述职报告和汇编。")
    p.add_argument("--templates", metavar="文件夹", help="角色模板所在文件夹（默认：./templates）")
    sub = p.add_subparsers(dest="command", metavar="命令", parser_class=_Parser)

    n = sub.add_parser("init", help="建立一个工作文件夹（模板、参数文件样例和使用说明）")
    n.add_argument("folder", metavar="文件夹")
    n.set_defaults(run=_init)

    r = sub.add_parser("render", help="生成一位同志的述职报告 .docx")
    r.add_argument("params", nargs="+", metavar="参数文件", help="params/ 里的 .yaml 文件")
    r.add_argument("-o", "--out", default=project.BUILD, metavar="文件夹", help="输出文件夹（默认 build）")
    r.add_argument("--timeout", type=Whole(1, MAX_TIMEOUT), default=60, metavar="秒",
                   help=f"每份报告生成正文的时限（整秒，1 到 {MAX_TIMEOUT}，默认 60）")
    r.add_argument("--force", action="store_true",
                   help="Word 文件已存在时重新生成（旧文件保留为 .bak）")
    r.set_defaults(run=_render)

    b = sub.add_parser("build", help="批量生成：每个参数文件跑一遍报告笔记本，另出审阅页和汇编")
    b.add_argument("params", nargs="?", default=project.PARAMS, metavar="参数文件夹")
    b.add_argument("-o", "--out", default=project.BUILD, metavar="文件夹")
    b.add_argument("--workers", type=Whole(1, MAX_WORKERS),
                   default=min(os.cpu_count() or 1, MAX_WORKERS), metavar="N",
                   help=f"同时运行的进程数，1 到 {MAX_WORKERS}（默认：CPU 核数）")
    b.add_argument("--timeout", type=Whole(1, MAX_TIMEOUT), default=120, metavar="秒",
                   help=f"每份报告的执行时限（整秒，1 到 {MAX_TIMEOUT}，默认 120）")
    b.add_argument("--pdf", action="store_true", help="同时输出 PDF（需要 LibreOffice）")
    b.add_argument("--force", action="store_true",
                   help="全部重新生成（默认只生成新增、改动过或上次失败的）")
    b.add_argument("--by", choices=("所属县", "单位"), metavar="所属县|单位",
                   help="汇编按所属县或单位分册，另出一份汇编清单")
    b.add_argument("--final", action="store_true",
                   help="定稿：全部同志都已通过审阅才生成汇编，否则列出未通过的并退出（退出码 8）")
    b.add_argument("--compare", metavar="上年参数文件夹",
                   help="与上一年度的参数文件比较（默认：kit roll 的来源文件夹或上一年度的生成结果）")
    b.add_argument("--order", default=None, metavar="笔画|拼音",
                   help="同一排位内的顺序：笔画（按姓氏笔画，默认）或 拼音")
    b.add_argument("--watch", action="store_true",
                   help="生成后继续监视：参数文件、模板一保存（或审阅记录有变化）就自动重新生成，"
                        "改一份不到 1 秒；按 Ctrl-C 结束")
    b.set_defaults(run=_build)

    rv = sub.add_parser("review", help="审阅：在浏览器里逐份通过或退回（不带操作时打开审阅页）")
    rv.add_argument("--params", metavar="参数文件夹", help="要审阅的参数文件夹（默认 params）")
    rv.add_argument("--port", type=_PORT, default=8867, metavar="端口",
                    help="本机端口，1 到 65535（默认 8867）")
    rv.add_argument("--no-browser", action="store_true", help="不自动打开浏览器")
    rvs = rv.add_subparsers(dest="review_command", metavar="操作", parser_class=_Parser)
    rl = rvs.add_parser("list", help="列出每份参数文件的审阅状态")
    rl.add_argument("params", nargs="?", default=project.PARAMS, metavar="参数文件夹")
    rl.set_defaults(run=_review_list)
    for name, helptext, many in (("approve", "通过", True), ("return", "退回（须写明意见）", False)):
        ra = rvs.add_parser(name, help=helptext)
        ra.add_argument("files", nargs="+" if many else 1, metavar="参数文件")
        ra.add_argument("--reviewer", metavar="姓名", help="审阅人（默认：环境变量 KIT_REVIEWER，否则询问）")
        if not many:
            ra.add_argument("--reason", required=True, metavar="意见")
        ra.set_defaults(run=_review_decide, decision="已通过" if many else "退回")
    rg = rvs.add_parser("log", help="谁在什么时候保存、审阅了哪份参数文件（按时间列出）")
    rg.add_argument("params", nargs="?", default=project.PARAMS, metavar="参数文件夹")
    rg.add_argument("--file", metavar="参数文件", help="只列这一份参数文件的")
    rg.set_defaults(run=_review_log)
    re_ = rvs.add_parser("export", help="把审阅记录（含保存记录）导出为 Excel")
    re_.add_argument("xlsx", metavar="Excel文件")
    re_.add_argument("--params", default=project.PARAMS, metavar="参数文件夹")
    re_.add_argument("--force", action="store_true",
                     help="Excel 文件已存在时覆盖（旧文件保留为 .bak）")
    re_.set_defaults(run=_review_export)
    rv.set_defaults(run=_review_serve)

    f = sub.add_parser("form", help="在浏览器里打开填写表单（仅本机访问）")
    f.add_argument("--port", type=_PORT, default=8866, metavar="端口",
                   help="本机端口，1 到 65535（默认 8866）")
    f.add_argument("--no-browser", action="store_true", help="不自动打开浏览器")
    f.set_defaults(run=_form)

    lab = sub.add_parser("lab", help="在中文界面的 JupyterLab 里打开填写表单笔记本（仅本机访问）")
    lab.add_argument("--port", type=_PORT, default=8888, metavar="端口",
                     help="本机端口，1 到 65535（默认 8888）")
    lab.add_argument("--no-browser", action="store_true", help="不自动打开浏览器")
    lab.set_defaults(run=_lab)

    i = sub.add_parser("import", help="从范文（.txt 或 .docx）生成角色模板")
    i.add_argument("sample", metavar="范文文件")
    i.add_argument("--role", metavar="角色名", help="角色名（范文是汇编时不用填）")
    i.add_argument("-o", "--out", default=project.TEMPLATES, metavar="文件夹")
    i.add_argument("--force", action="store_true", help="模板已存在时覆盖（旧文件保留为 .bak）")
    i.set_defaults(run=_import)

    ro = sub.add_parser("roster", help="Excel 花名册：导出或导入参数文件")
    rsub = ro.add_subparsers(dest="roster_command", metavar="操作", parser_class=_Parser,
                             required=True)
    ex = rsub.add_parser("export", help="把参数文件导出为 Excel 收集表（每个角色一张表）")
    ex.add_argument("params", metavar="参数文件夹")
    ex.add_argument("xlsx", metavar="Excel文件")
    ex.add_argument("--blank", action="store_true",
                    help="空白收集表：只填身份信息，各项数字留空（新年度用；参数文件夹可以没有）")
    ex.add_argument("--force", action="store_true",
                    help="Excel 文件已存在时覆盖（旧文件保留为 .bak）")
    ex.add_argument("--year", type=_year, metavar="年度",
                    help="与 --blank 一起用：表里的年度（默认：参数文件的年度 + 1）")
    ex.set_defaults(run=_roster_export)
    im = rsub.add_parser("import", help="把收回的 Excel（可多个）合并写回参数文件")
    im.add_argument("xlsx", nargs="+", metavar="Excel文件")
    im.add_argument("params", metavar="参数文件夹")
    im.set_defaults(run=_roster_import)

    ny = sub.add_parser("roll", help="用今年的参数文件生成下一年度的参数文件")
    ny.add_argument("params", metavar="参数文件夹")
    ny.add_argument("--year", type=_year, required=True, metavar="年度")
    ny.add_argument("-o", "--out", metavar="文件夹", help="默认：<参数文件夹>-<年度>")
    ny.set_defaults(run=_roll)

    from kit.hub.command import add_parser as add_hub

    add_hub(sub)
    return p


def _init(args: argparse.Namespace) -> int:
    from kit.init import init

    for path in init(args.folder):
        print(f"已建立：{path}")
    print(f"工作文件夹已建好。请进入该文件夹（cd {args.folder}），阅读 使用说明.md，"
          "然后运行 kit build。")
    return 0


def _render(args: argparse.Namespace) -> int:
    from kit.build.official import render_file

    return _each(args.params, lambda path: "已生成：" + str(
        render_file(path, args.out, templates=args.templates, timeout=args.timeout,
                    force=args.force)))


def _each(files: Sequence[str], act: Callable[[str], str]) -> int:
    """``act`` on each file, printing what it says; one bad file never stops the others.
    Returns the exit code of the first failure (0 when none)."""
    code = 0
    for file in files:
        try:
            print(act(file))
        except Exception as err:  # noqa: BLE001  # that file's failure, not the others'
            failed = _explain(err)  # printed for every file; the first code is returned
            code = code or failed
    return code


def _build(args: argparse.Namespace) -> int:
    from kit.report.collation import ENV, check_method, current_method

    # Checked before anything runs; the workers and the 汇编 read it from the environment.
    os.environ[ENV] = check_method(args.order) if args.order else current_method()
    settings = {"params_dir": args.params, "out_dir": args.out, "workers": args.workers,
                "timeout": args.timeout, "pdf": args.pdf, "templates": args.templates,
                "force": args.force, "by": args.by, "final": args.final,
                "compare": args.compare}
    if args.watch:
        from kit.build.batch import settings as checked
        from kit.build.watch import watch

        return watch(checked(**settings))
    from kit.build.batch import build

    return build(**settings).exit_code


def _review_serve(args: argparse.Namespace) -> int:
    from kit.form.serve import serve  # the form's Voilà serving, on the review notebook

    if args.params:  # the notebook's kernel finds its folders in the environment
        os.environ["KIT_PARAMS"] = str(Path(args.params).resolve())
    return serve(port=args.port, open_browser=not args.no_browser,
                 notebook=project.REVIEW_NOTEBOOK, what="审阅页", command="review serve")


def _review_list(args: argparse.Namespace) -> int:
    from kit.review.status import list_lines

    print("\n".join(list_lines(args.params)))
    return 0


def _review_log(args: argparse.Namespace) -> int:
    from kit.review.history import log_lines

    print("\n".join(log_lines(args.params, args.file)))
    return 0


def _reviewer(given: str | None) -> str:
    """The reviewer's name: --reviewer, $KIT_REVIEWER, else asked once."""
    name = (given or os.environ.get("KIT_REVIEWER") or "").strip()
    if not name and sys.stdin.isatty():
        name = input("审阅人姓名：").strip()
        if name:
            print(f"（本次会话不再询问：可设置 export KIT_REVIEWER={name}）", file=sys.stderr)
            os.environ["KIT_REVIEWER"] = name
    if not name:
        raise KitError("请写明审阅人：--reviewer 姓名（或设置环境变量 KIT_REVIEWER）")
    return name


def _review_decide(args: argparse.Namespace) -> int:
    from kit.review.status import decide

    reviewer = _reviewer(args.reviewer)

    def one(file: str) -> str:
        (s,) = decide([file], args.decision, reviewer, getattr(args, "reason", ""),
                      templates=args.templates)
        return f"{s.status}：{s.ident.name}（{s.ident.unit} {s.ident.role}） {file}"

    return _each(args.files, one)


def _review_export(args: argparse.Namespace) -> int:
    from kit.review.status import export_records

    print(f"已导出：{export_records(args.params, args.xlsx, force=args.force)}")
    return 0


def _form(args: argparse.Namespace) -> int:
    from kit.form.serve import serve

    return serve(port=args.port, open_browser=not args.no_browser)


def _lab(args: argparse.Namespace) -> int:
    from kit.form.serve import serve

    return serve(port=args.port, open_browser=not args.no_browser, lab=True)


def _import(args: argparse.Namespace) -> int:
    from kit.sources.importer import import_sample

    paths = import_sample(args.sample, role=args.role, out_dir=args.out, force=args.force,
                          echo=print)
    for path in paths:
        print(f"已生成模板：{path}")
    return 0


def _roster_export(args: argparse.Namespace) -> int:
    from kit.sources.roster import export_roster

    path = export_roster(args.params, args.xlsx, templates=args.templates, blank=args.blank,
                         year=args.year, force=args.force)
    print(f"已导出：{path}")
    return 0


def _roster_import(args: argparse.Namespace) -> int:
    from kit.sources.roster import import_rosters

    paths = import_rosters(args.xlsx, args.params, templates=args.templates)
    for path in paths:
        print(f"已写入：{path}")
    if not paths:
        print("花名册与参数文件一致，没有文件需要改动。")
    return 0


def _roll(args: argparse.Namespace) -> int:
    from kit.sources.roll import roll

    for path in roll(args.params, args.year, args.out, templates=args.templates):
        print(f"已生成：{path}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    unbreakable_streams()  # a GBK or ASCII stdout never hides a failure
    with _in_chinese():
        parser = _parser()
        args = parser.parse_args(argv)
        if not getattr(args, "run", None):
            parser.print_help()
            return 2
    run: Callable[[argparse.Namespace], int] = args.run
    return report_errors(lambda: run(args))


def report_errors(run: Callable[[], int]) -> int:
    """``run()``'s exit code; what it raises becomes one Chinese line on stderr and the
    documented exit code."""
    try:
        return run()
    except KeyboardInterrupt:
        print("已中断。已写好的文件保留不变。", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as err:  # noqa: BLE001  # never a traceback
        return _explain(err)


def _explain(err: Exception) -> int:
    """Print the one line the user reads for ``err`` and return its exit code: a user's
    mistake (KitError) as it says; a file the system refused (OSError) with the reason in
    Chinese; anything else is a bug of ours, its traceback in a log file the line names."""
    if isinstance(err, KitError):
        text, code = str(err), err.exit_code
    elif isinstance(err, OSError):
        where = err.filename
        shown = display_path(os.fsdecode(where)) if isinstance(where, str | bytes) else None
        text, code = str(Problem(f"文件操作失败：{os_reason(err)}", file=shown)), OutputError.exit_code
    else:
        text, code = str(internal_problem(err)), EXIT_INTERNAL
    print(f"错误：{text}", file=sys.stderr)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
