"""``kit hub`` and ``kit hub account …``: the arguments, and one call each.  Nothing
heavy is imported until a command runs (``kit -h`` stays fast)."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

ROLES = ("填报", "审阅", "管理")  # kit.hub.accounts.ROLES (not imported: argon2 is slow to load)


def add_parser(sub: Any) -> None:
    from kit.user_numbers import Whole

    port = Whole(1, 65533)  # the hub uses the port and the two after it
    h = sub.add_parser("hub", help="县级服务器：各单位用自己的账号在浏览器里填报（JupyterHub）")
    h.add_argument("--ip", default="127.0.0.1", metavar="地址",
                   help="监听地址（默认 127.0.0.1 只有本机；局域网使用时写本机的局域网地址）")
    h.add_argument("--port", type=port, default=8000, metavar="端口",
                   help="端口，1 到 65533（默认 8000；其后两个端口也会用到）")
    h.set_defaults(run=_serve)
    hs = h.add_subparsers(dest="hub_command", metavar="操作", parser_class=type(h))
    a = hs.add_parser("account", help="管理账号：add、list、remove、password、lock、unlock、import、export")
    acc = a.add_subparsers(dest="account_command", metavar="操作", parser_class=type(h),
                           required=True)
    ad = acc.add_parser("add", help="添加账号")
    ad.add_argument("account", metavar="账号", help="登录用的账号：小写字母开头，字母数字 - _")
    ad.add_argument("--name", required=True, metavar="姓名")
    ad.add_argument("--unit", action="append", default=[], metavar="单位",
                    help="可填报或审阅的单位（可写多次）")
    ad.add_argument("--role", required=True, choices=ROLES, metavar="填报|审阅|管理")
    ad.add_argument("--password-stdin", action="store_true",
                    help="从标准输入读初始密码（不加则在终端里输入两次）；本人首次登录时须修改")
    ad.set_defaults(run=_add)
    im = acc.add_parser("import", help="从 Excel 账号表（账号、姓名、角色、单位）添加账号；"
                                       "每个新账号生成各自的初始密码")
    im.add_argument("xlsx", metavar="账号表.xlsx")
    im.add_argument("--update", action="store_true",
                    help="已有的账号按表修改姓名、角色、单位（从不改密码）；不加则跳过已有账号")
    im.set_defaults(run=_import)
    ex = acc.add_parser("export", help="导出账号表（不含密码），可改后再导入；--blank 为空白表")
    ex.add_argument("xlsx", metavar="账号表.xlsx")
    ex.add_argument("--blank", action="store_true", help="空白账号表（只有列名和说明）")
    ex.add_argument("--force", action="store_true", help="文件已存在时覆盖（旧文件保留为 .bak）")
    ex.set_defaults(run=_export)
    ls = acc.add_parser("list", help="列出全部账号")
    ls.set_defaults(run=_list)
    for name, helptext, run in (("remove", "删除账号", _remove), ("lock", "锁定账号（不能登录）", _lock),
                                ("unlock", "解锁账号（含密码输错造成的锁定）", _unlock)):
        one = acc.add_parser(name, help=helptext)
        one.add_argument("account", metavar="账号")
        one.set_defaults(run=run)
    pw = acc.add_parser("password", help="重设密码（本人下次登录时须修改）")
    pw.add_argument("account", metavar="账号")
    pw.add_argument("--password-stdin", action="store_true", help="从标准输入读新密码")
    pw.set_defaults(run=_password)
    au = hs.add_parser("audit", help="导出审计记录（登录、改密码、账号变动）；保存和审阅见 kit review log")
    au.add_argument("xlsx", nargs="?", metavar="Excel文件", help="写成 .xlsx；不写则打印在屏幕上")
    au.add_argument("--force", action="store_true", help="文件已存在时覆盖（旧文件保留为 .bak）")
    au.set_defaults(run=_audit)


def _book() -> Any:
    from kit.hub.accounts import Accounts
    from kit.project import Workspace

    return Accounts(Workspace.find().root)


def _read_password(from_stdin: bool) -> str:
    from kit.errors import KitError

    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("密码：")
    if getpass.getpass("再输入一次：") != first:
        raise KitError("两次输入的密码不一致，没有保存。")
    return first


def _serve(args: argparse.Namespace) -> int:
    from kit.hub.config import serve

    return serve(args.ip, args.port)


def _add(args: argparse.Namespace) -> int:
    # The administrator chose this password: its owner replaces it at the first login.
    found = _book().add(args.account, args.name, args.unit, args.role,
                        _read_password(args.password_stdin), must_change=True)
    print(f"已添加账号：{found.account}（{found.name}，{found.role}，"
          f"{'、'.join(found.units) or '全部单位'}），首次登录时须修改密码")
    return 0


def _import(args: argparse.Namespace) -> int:
    from kit.errors import display_path
    from kit.hub.accounts import Accounts
    from kit.hub.sheet import import_accounts, known_units
    from kit.project import Workspace

    folders = Workspace.find()
    out = import_accounts(args.xlsx, Accounts(folders.root), update=args.update,
                          units=known_units(folders.params))
    for p in out.problems:
        print(p, file=sys.stderr)
    for p in out.notices:
        print(f"提示：{p}", file=sys.stderr)
    for found, _ in out.added:
        print(f"已添加：{found.account}（{found.name}，{found.role}，{'、'.join(found.units) or '全部单位'}）")
    for found in out.updated:
        print(f"已修改：{found.account}（{found.name}，{found.role}，{'、'.join(found.units) or '全部单位'}）")
    for found in out.unchanged:
        print(f"已存在，未改动：{found.account}" + ("" if args.update else "（要按表修改请加 --update）"))
    print(f"共添加 {len(out.added)} 个、修改 {len(out.updated)} 个、未改动 {len(out.unchanged)} 个账号"
          + (f"，{len(out.problems)} 处问题未导入（见上）" if out.problems else "") + "。")
    if out.passwords is not None:
        print(f"新账号的初始密码只在这个文件里（仅本人可读）：{display_path(out.passwords)}\n"
              "请分别交给本人，首次登录时须修改密码；交付后请删除该文件。")
    return 2 if out.problems else 0


def _export(args: argparse.Namespace) -> int:
    from kit.errors import display_path
    from kit.hub.sheet import export_accounts

    path = export_accounts(args.xlsx, None if args.blank else _book(), force=args.force)
    print(f"已导出{'空白' if args.blank else ''}账号表：{display_path(path)}（不含密码）")
    return 0


def _list(args: argparse.Namespace) -> int:
    rows = _book().all()
    if not rows:
        print("还没有任何账号。")
    for a in rows:
        state = ("（已锁定）" if a.locked() else "") + ("（首次登录须改密码）" if a.must_change else "")
        print(f"{a.account}\t{a.name}\t{a.role}\t{'、'.join(a.units) or '全部单位'}{state}")
    return 0


def _remove(args: argparse.Namespace) -> int:
    _book().remove(args.account)
    print(f"已删除账号：{args.account}")
    return 0


def _lock(args: argparse.Namespace) -> int:
    _book().set_disabled(args.account, True)
    print(f"已锁定账号：{args.account}")
    return 0


def _unlock(args: argparse.Namespace) -> int:
    _book().set_disabled(args.account, False)
    print(f"已解锁账号：{args.account}")
    return 0


def _password(args: argparse.Namespace) -> int:
    _book().set_password(args.account, _read_password(args.password_stdin), must_change=True)
    print(f"已重设密码：{args.account}（本人下次登录时须修改）")
    return 0


def _audit(args: argparse.Namespace) -> int:
    events = _book().events()
    if args.xlsx:
        from openpyxl import Workbook

        from kit import xlsx

        xlsx.check_target(args.xlsx, args.force)  # before any work: .xlsx, no silent overwrite
        wb = Workbook()
        ws = wb.worksheets[0]
        ws.title = "审计记录"
        xlsx.append(ws, ["时间", "账号", "事件", "内容"])
        for e in events:  # text cells: an account's detail never becomes a formula
            xlsx.append(ws, [e.at, e.account, e.event, e.detail])
        xlsx.save(wb, args.xlsx, force=args.force)
        print(f"已导出 {len(events)} 条审计记录：{args.xlsx}")
    else:
        for e in events:
            print(f"{e.at}\t{e.account}\t{e.event}\t{e.detail}")
    print("表单的每次保存和每个审阅决定记在审阅记录里：kit review log（或 kit review export）。")
    return 0
