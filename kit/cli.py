"""The ``kit`` command.  It only parses arguments and calls one library function each;
user mistakes (KitError) print one Chinese message and exit non-zero, no traceback."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from kit import project
from kit.errors import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    KitError,
    OutputError,
    Problem,
    internal_problem,
    os_reason,
)
from kit.iorw import unbreakable_streams


class _Formatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, "用法：" if prefix is None else prefix)


class _Parser(argparse.ArgumentParser):
    """argparse with its few English words in Chinese, and exit code 2 on misuse."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "参数"
        self._optionals.title = "选项"
        self.add_argument("-h", "--help", action="help", help="显示本帮助并退出")

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        for en, zh in _ARGPARSE_WORDS:
            message = message.replace(en, zh)
        self.exit(2, f"kit：命令写法有误：{message}\n（输入 kit -h 查看用法）\n")


# argparse's English, in Chinese (longest phrases first).
_ARGPARSE_WORDS = (
    ("the following arguments are required", "缺少参数"), ("unrecognized arguments", "不认识的参数"),
    ("invalid choice", "无效的选项"), ("choose from", "可选"), ("invalid int value", "应为整数，实际为"),
    ("invalid float value", "应为数字，实际为"), ("expected one argument", "后面缺少值"),
    ("expected at least one argument", "后面至少要有一个值"), ("ignored explicit argument", "多余的值"),
    ("not allowed with argument", "不能与此参数同时使用"), ("ambiguous option", "选项不明确"),
    ("could match", "可能是"), ("argument", "参数"),
)


def _int_in(lo: int, hi: int) -> Callable[[str], int]:
    """An argparse type: an integer from ``lo`` to ``hi`` (a usage error otherwise)."""

    def parse(text: str) -> int:
        try:
            value = int(text.strip()) if len(text) <= 12 else None
        except ValueError:
            value = None
        if value is None or not lo <= value <= hi:
            raise argparse.ArgumentTypeError(f"应为 {lo} 到 {hi} 之间的整数，实际为「{text[:20]}」")
        return value

    return parse


def _seconds(text: str) -> float:
    """An argparse type: a time limit in seconds, more than 0 and at most a day."""
    try:
        value = float(text) if len(text) <= 12 else None
    except ValueError:
        value = None
    if value is None or not 0 < value <= MAX_TIMEOUT:  # also refuses nan and inf
        raise argparse.ArgumentTypeError(f"应为大于 0、不超过 {MAX_TIMEOUT} 的秒数，实际为「{text[:20]}」")
    return value


MAX_WORKERS = 64
MAX_TIMEOUT = 86400


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
    r.add_argument("--timeout", type=_seconds, default=60.0, metavar="秒",
                   help="每份报告生成正文的时限（默认 60 秒）")
    r.set_defaults(run=_render)

    b = sub.add_parser("build", help="批量生成：每个参数文件跑一遍报告笔记本，另出审阅页和汇编")
    b.add_argument("params", nargs="?", default=project.PARAMS, metavar="参数文件夹")
    b.add_argument("-o", "--out", default=project.BUILD, metavar="文件夹")
    b.add_argument("--workers", type=_int_in(1, MAX_WORKERS),
                   default=min(os.cpu_count() or 1, MAX_WORKERS), metavar="N",
                   help=f"同时运行的进程数，1 到 {MAX_WORKERS}（默认：CPU 核数）")
    b.add_argument("--timeout", type=_int_in(1, MAX_TIMEOUT), default=120, metavar="秒",
                   help="每份报告的执行时限（秒，大于 0）")
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
    rv.add_argument("--port", type=int, default=8867)
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
    re_ = rvs.add_parser("export", help="把审阅记录导出为 Excel")
    re_.add_argument("xlsx", metavar="Excel文件")
    re_.add_argument("--params", default=project.PARAMS, metavar="参数文件夹")
    re_.add_argument("--force", action="store_true",
                     help="Excel 文件已存在时覆盖（旧文件保留为 .bak）")
    re_.set_defaults(run=_review_export)
    rv.set_defaults(run=_review_serve)

    f = sub.add_parser("form", help="在浏览器里打开填写表单（仅本机访问）")
    f.add_argument("--port", type=_int_in(1, 65535), default=8866, metavar="端口")
    f.add_argument("--no-browser", action="store_true", help="不自动打开浏览器")
    f.set_defaults(run=_form)

    lab = sub.add_parser("lab", help="在中文界面的 JupyterLab 里打开填写表单笔记本（仅本机访问）")
    lab.add_argument("--port", type=int, default=8888)
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
    ex.add_argument("--year", type=int, metavar="年度",
                    help="与 --blank 一起用：表里的年度（默认：参数文件的年度 + 1）")
    ex.set_defaults(run=_roster_export)
    im = rsub.add_parser("import", help="把收回的 Excel（可多个）合并写回参数文件")
    im.add_argument("xlsx", nargs="+", metavar="Excel文件")
    im.add_argument("params", metavar="参数文件夹")
    im.set_defaults(run=_roster_import)

    ny = sub.add_parser("roll", help="用今年的参数文件生成下一年度的参数文件")
    ny.add_argument("params", metavar="参数文件夹")
    ny.add_argument("--year", type=_int_in(2000, 2100), required=True, metavar="年度")
    ny.add_argument("-o", "--out", metavar="文件夹", help="默认：<参数文件夹>-<年度>")
    ny.set_defaults(run=_roll)
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
        render_file(path, args.out, templates=args.templates, timeout=args.timeout)))


def _each(files: Sequence[str], act: Callable[[str], str]) -> int:
    """``act`` on each file, printing what it says; one bad file never stops the others.
    Returns the exit code of the first failure (0 when none)."""
    code = 0
    for file in files:
        try:
            print(act(file))
        except KitError as err:
            print(f"错误：{err}", file=sys.stderr)
            code = code or err.exit_code
        except Exception as err:  # noqa: BLE001  # an internal error: logged, the rest go on
            code = code or _internal_error(err)
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
    from pathlib import Path

    from kit import project
    from kit.form.serve import serve  # the form's Voilà serving, on the review notebook

    if args.params:  # the notebook's kernel finds its folders in the environment
        os.environ["KIT_PARAMS"] = str(Path(args.params).resolve())
    return serve(port=args.port, open_browser=not args.no_browser,
                 notebook=project.REVIEW_NOTEBOOK, what="审阅页", command="review serve")


def _review_list(args: argparse.Namespace) -> int:
    from kit.review.status import list_lines

    print("\n".join(list_lines(args.params)))
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
    args = _parser().parse_args(argv)
    if not getattr(args, "run", None):
        _parser().print_help()
        return 2
    run: Callable[[argparse.Namespace], int] = args.run
    return report_errors(lambda: run(args))


def report_errors(run: Callable[[], int]) -> int:
    """``run()``'s exit code; what it raises becomes one Chinese line on stderr and the
    documented exit code."""
    try:
        return run()
    except KitError as err:
        print(f"错误：{err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("已中断。已写好的文件保留不变。", file=sys.stderr)
        return EXIT_INTERRUPTED
    except OSError as err:  # a file or folder the user named could not be used
        where = getattr(err, "filename", None)
        problem = Problem(f"文件操作失败：{os_reason(err)}", file=str(where) if where else None)
        print(f"错误：{problem}", file=sys.stderr)
        return OutputError.exit_code
    except Exception as err:  # noqa: BLE001  # never a traceback: one line and a log file
        return _internal_error(err)


def _internal_error(err: BaseException) -> int:
    """One Chinese line naming a log file that holds the traceback; exit code 70."""
    print(f"错误：{internal_problem(err)}", file=sys.stderr)
    return EXIT_INTERNAL


if __name__ == "__main__":
    raise SystemExit(main())
