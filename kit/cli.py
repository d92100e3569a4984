"""The ``kit`` command.  It only parses arguments and calls one library function each;
user mistakes (KitError) print one Chinese message and exit non-zero, no traceback."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from kit.errors import KitError, ToolMissingError


class _Formatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):  # type: ignore[no-untyped-def]
        super().add_usage(usage, actions, groups, "用法：" if prefix is None else prefix)


class _Parser(argparse.ArgumentParser):
    """argparse with its few English words in Chinese, and exit code 2 on misuse."""

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        kwargs.setdefault("formatter_class", _Formatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "参数"
        self._optionals.title = "选项"
        self.add_argument("-h", "--help", action="help", help="显示本帮助并退出")

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        message = (message.replace("the following arguments are required", "缺少参数")
                   .replace("unrecognized arguments", "不认识的参数")
                   .replace("invalid choice", "无效的选项")
                   .replace("invalid int value", "应为整数，实际为").replace("argument", "参数"))
        self.exit(2, f"kit：命令写法有误：{message}\n（输入 kit -h 查看用法）\n")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="kit", description="述职报告 kit：把参数文件生成为公文格式的述职报告和汇编。")
    p.add_argument("--templates", metavar="文件夹", help="角色模板所在文件夹（默认：./templates）")
    sub = p.add_subparsers(dest="command", metavar="命令", parser_class=_Parser)

    r = sub.add_parser("render", help="生成一位同志的述职报告 .docx")
    r.add_argument("params", nargs="+", metavar="参数文件", help="params/ 里的 .yaml 文件")
    r.add_argument("-o", "--out", default="build", metavar="文件夹", help="输出文件夹（默认 build）")
    r.set_defaults(run=_render)

    b = sub.add_parser("build", help="批量生成：每个参数文件跑一遍报告笔记本，另出审阅页和汇编")
    b.add_argument("params", nargs="?", default="params", metavar="参数文件夹")
    b.add_argument("-o", "--out", default="build", metavar="文件夹")
    b.add_argument("--workers", type=int, default=os.cpu_count() or 1, metavar="N",
                   help="同时运行的进程数（默认：CPU 核数）")
    b.add_argument("--timeout", type=int, default=120, metavar="秒", help="每份报告的执行时限")
    b.add_argument("--pdf", action="store_true", help="同时输出 PDF（需要 LibreOffice）")
    b.set_defaults(run=_build)

    f = sub.add_parser("form", help="在浏览器里打开填写表单（仅本机访问）")
    f.add_argument("--port", type=int, default=8866)
    f.add_argument("--no-browser", action="store_true", help="不自动打开浏览器")
    f.set_defaults(run=_form)

    lab = sub.add_parser("lab", help="在中文界面的 JupyterLab 里打开填写表单笔记本（仅本机访问）")
    lab.add_argument("--port", type=int, default=8888)
    lab.add_argument("--no-browser", action="store_true", help="不自动打开浏览器")
    lab.set_defaults(run=_lab)

    i = sub.add_parser("import", help="从范文（.txt 或 .docx）生成角色模板")
    i.add_argument("sample", metavar="范文文件")
    i.add_argument("--role", metavar="角色名", help="角色名（范文是汇编时不用填）")
    i.add_argument("-o", "--out", default="templates", metavar="文件夹")
    i.add_argument("--force", action="store_true", help="模板已存在时覆盖（旧文件保留为 .bak）")
    i.set_defaults(run=_import)

    ro = sub.add_parser("roster", help="Excel 花名册：导出或导入参数文件")
    rsub = ro.add_subparsers(dest="roster_command", metavar="操作", parser_class=_Parser,
                             required=True)
    ex = rsub.add_parser("export", help="把参数文件导出为 Excel（每个角色一张表）")
    ex.add_argument("params", metavar="参数文件夹")
    ex.add_argument("xlsx", metavar="Excel文件")
    ex.set_defaults(run=_roster_export)
    im = rsub.add_parser("import", help="把 Excel 花名册写回参数文件")
    im.add_argument("xlsx", metavar="Excel文件")
    im.add_argument("params", metavar="参数文件夹")
    im.set_defaults(run=_roster_import)

    ny = sub.add_parser("roll", help="用今年的参数文件生成下一年度的参数文件")
    ny.add_argument("params", metavar="参数文件夹")
    ny.add_argument("--year", type=int, required=True, metavar="年度")
    ny.add_argument("-o", "--out", metavar="文件夹", help="默认：<参数文件夹>-<年度>")
    ny.set_defaults(run=_roll)
    return p


def _render(args: argparse.Namespace) -> int:
    from kit.pipeline import render_file

    code = 0
    for path in args.params:  # one bad file never stops the others
        try:
            print(f"已生成：{render_file(path, args.out, templates=args.templates)}")
        except KitError as err:
            print(f"错误：{err}", file=sys.stderr)
            code = code or err.exit_code
    return code


def _build(args: argparse.Namespace) -> int:
    from kit.batch import build
    from kit.word.pdf import INSTALL_HINT

    result = build(args.params, args.out, workers=args.workers, timeout=args.timeout,
                   pdf=args.pdf, templates=args.templates)
    if result.ok:
        return 0
    if not result.failed and result.problems == [INSTALL_HINT]:
        return ToolMissingError.exit_code  # every report written; only the PDFs are missing
    return 1


def _form(args: argparse.Namespace) -> int:
    from kit.form.serve import serve

    return serve(port=args.port, open_browser=not args.no_browser)


def _lab(args: argparse.Namespace) -> int:
    from kit.form.serve import serve

    return serve(port=args.port, open_browser=not args.no_browser, lab=True)


def _import(args: argparse.Namespace) -> int:
    from kit.importer import import_sample

    paths = import_sample(args.sample, role=args.role, out_dir=args.out, force=args.force,
                          echo=print)
    for path in paths:
        print(f"已生成模板：{path}")
    return 0


def _roster_export(args: argparse.Namespace) -> int:
    from kit.roster import export_roster

    print(f"已导出：{export_roster(args.params, args.xlsx, templates=args.templates)}")
    return 0


def _roster_import(args: argparse.Namespace) -> int:
    from kit.roster import import_roster

    paths = import_roster(args.xlsx, args.params, templates=args.templates)
    for path in paths:
        print(f"已写入：{path}")
    if not paths:
        print("花名册与参数文件一致，没有文件需要改动。")
    return 0


def _roll(args: argparse.Namespace) -> int:
    from kit.roll import roll

    for path in roll(args.params, args.year, args.out, templates=args.templates):
        print(f"已生成：{path}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if not getattr(args, "run", None):
        _parser().print_help()
        return 2
    run: Callable[[argparse.Namespace], int] = args.run
    try:
        return run(args)
    except KitError as err:
        print(f"错误：{err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("已中断。已写好的文件保留不变。", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
