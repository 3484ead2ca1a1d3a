"""The command line (命令行): headless commands, and the window when no command is given.

    rectify-desktop [LEDGER] [--demo]          the window (LEDGER a file, or postgresql://用户名@主机/数据库)
    rectify-desktop demo OUT                   write the demo ledger
    rectify-desktop stats LEDGER [--json]      the figures
    rectify-desktop verify LEDGER              check a ledger is whole
    rectify-desktop backup LEDGER OUT          a consistent copy, also while the window has it open
    rectify-desktop export LEDGER OUT.xlsx|.pdf|.docx|.txt|.zip    files for the inspection office
    rectify-desktop import LEDGER IN.xlsx|.txt [--dry-run] [--json]  a new inspection from a file
    rectify-desktop self-test                  check that this installation can do its work (no display needed)
    rectify-desktop report LEDGER OUT.docx|OUT.xlsx [--as-of DATE]   进展报告 截至 a date, with 较上期
    rectify-desktop fill-out LEDGER OUTDIR [--by department|leader|person]   填报表 for the departments
    rectify-desktop merge LEDGER FILE... [--dry-run] [--json]               their returns merged back
    rectify-desktop summary OUT.xlsx|.pdf|.docx INPUT... [--today DATE]     many units' ledgers summed
    rectify-desktop push LEDGER --server postgresql://用户名@主机/数据库 [--replace]   a file onto a server
    rectify-desktop pull --server postgresql://… OUT      a server ledger as a one-file ledger

Every command that takes a LEDGER takes `--server postgresql://用户名@主机[:端口]/数据库` instead, for a ledger
kept on the office's PostgreSQL server (the password from PGPASSWORD or ~/.pgpass, or asked for).

Messages are in Chinese; bad input exits non-zero and leaves every file as it was.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from rectify_desktop import __version__

EXIT_OK = 0
EXIT_FAIL = 1
EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"参数错误：{message}\n")


def _err(msg: str) -> int:
    print(f"错误：{msg}", file=sys.stderr)
    return EXIT_FAIL


def _open_readonly(path: str):  # noqa: ANN202 - returns a Ledger; imported late to keep start-up light
    from rectify_desktop.core.ledger import Ledger

    return Ledger.open(path, readonly=True)


def cmd_demo(args: argparse.Namespace) -> int:
    from rectify_desktop.core.demo import make_demo

    make_demo(args.out)
    print(f"已生成示例台账：{args.out}")
    return EXIT_OK


def cmd_stats(args: argparse.Namespace) -> int:
    from rectify_desktop.core import results, stats

    with _open_readonly(args.ledger) as ledger:
        if args.inspection is not None:
            ledger.pick_inspection(args.inspection)  # refuses an unknown id with a Chinese message
        s = stats.compute(args.inspection)
        if args.json:
            # 整改成效: amounts as exact decimal strings ("23.8000"), since a JSON number is read as a float.
            out = {**s.to_json(), "results": results.compute(args.inspection).to_json()}
            print(json.dumps(out, ensure_ascii=False, indent=2))
        else:
            print(s.headline())
            print(s.status_line())
            print(f"方面 {s.categories} 个，整改措施 {s.measures} 条，逾期 {s.overdue} 项，已销号 {s.written_off} 项")
    return EXIT_OK


def _wal_note(path: str) -> str:
    from rectify_desktop.core import oserrors, storage

    n = storage.pending_wal(path)
    if not n or storage.in_use_by_writer(path):
        return ""  # a -wal in use by an open window is how SQLite works, not something left over
    wal = storage.wal_path(Path(path)).name
    return (
        f"注意：台账旁的“{wal}”中有尚未合并进台账文件的修改（{oserrors.human_size(n)}）。单独复制台账文件会丢失这些修改，"
        f"复制或移动时必须连同“{wal}”一起；用本程序可写地打开再关闭一次台账即可合并"
    )


def _is_server(ledger: object) -> bool:
    from rectify_desktop.core import server

    return server.is_server(ledger)


def _ledger_arg(ledger: str):  # noqa: ANN202 - a Path, or a server.ServerAddress
    """The LEDGER argument as the exporters and importers take it: a file's path or a server's address."""
    from rectify_desktop.core import server

    return server.ServerAddress.parse(ledger) if server.is_server(ledger) else Path(ledger)


def cmd_verify(args: argparse.Namespace) -> int:
    from rectify_desktop.core.ledger import Ledger
    from rectify_desktop.core.verify import verify_open_ledger

    note = "" if _is_server(args.ledger) else _wal_note(args.ledger)
    Ledger.announce = None  # what opening would say is part of the problems listed below
    with _open_readonly(args.ledger):
        problems = verify_open_ledger()
    if note:
        print(note, file=sys.stderr)
    if problems:
        for p in problems:
            print(p, file=sys.stderr)
        return _err(f"校验未通过，发现 {len(problems)} 个问题：{args.ledger}")
    print(f"校验通过：{args.ledger}")
    return EXIT_OK


def cmd_backup(args: argparse.Namespace) -> int:
    from rectify_desktop.core.storage import backup_file

    if _is_server(args.ledger):
        return cmd_pull(args)
    note = _wal_note(args.ledger)
    backup_file(args.ledger, args.out)
    print(f"已备份到：{args.out}")
    if note:
        print(note + "；本备份已包含这些修改", file=sys.stderr)
    return EXIT_OK


# Exporters and importers by file ending: "module:function", imported only when used, each called as
# function(ledger_path, file_path, args) -> exit code. Later formats add a line here.
EXPORTERS: dict[str, str] = {
    ".xlsx": "rectify_desktop.io.xlsx_export:cli_export",
    ".pdf": "rectify_desktop.ui.printing:cli_export",
    ".docx": "rectify_desktop.io.notice:cli_export",
    ".txt": "rectify_desktop.io.notice:cli_export",
    ".zip": "rectify_desktop.io.evidence_zip:cli_export",
}
IMPORTERS: dict[str, str] = {
    ".xlsx": "rectify_desktop.io.xlsx_import:cli_import",
    # Old and foreign workbooks go to the Excel importer too, which says how to save them as .xlsx.
    ".xls": "rectify_desktop.io.xlsx_import:cli_import",
    ".xlsm": "rectify_desktop.io.xlsx_import:cli_import",
    ".et": "rectify_desktop.io.xlsx_import:cli_import",
    ".txt": "rectify_desktop.io.text_import:cli_import",
}


def _handler(table: dict[str, str], path: Path, what: str) -> Callable[..., int] | None:
    import importlib

    spec = table.get(path.suffix.lower())
    if spec is None:
        kinds = "、".join(sorted(table))
        _err(f"不支持{what}该类型的文件：{path.name}（支持：{kinds}）")
        return None
    module, func = spec.split(":")
    return getattr(importlib.import_module(module), func)


def cmd_push(args: argparse.Namespace) -> int:
    from rectify_desktop.core import server, transfer

    if not args.server:
        return _err("请用 --server postgresql://用户名@主机/数据库 指明要推送到的服务器台账")
    address = server.ServerAddress.parse(args.server)
    counts = transfer.push(args.ledger, address, replace=args.replace)
    print(f"已推送到{address.label()}：{_counted(counts)}")
    return EXIT_OK


def cmd_pull(args: argparse.Namespace) -> int:
    from rectify_desktop.core import server, transfer

    address = server.ServerAddress.parse(args.ledger)
    counts = transfer.pull(address, args.out)
    print(f"已从{address.label()}保存为台账文件：{args.out}（{_counted(counts)}）")
    return EXIT_OK


def _counted(counts: dict[str, int]) -> str:
    return (
        f"巡察 {counts.get('inspection', 0)} 次，问题 {counts.get('finding', 0)} 个，"
        f"细化问题 {counts.get('item', 0)} 项，佐证文件 {counts.get('blob', 0)} 个，"
        f"修改记录 {counts.get('change_log', 0)} 条"
    )


def cmd_self_test(args: argparse.Namespace) -> int:
    from rectify_desktop.selftest import command

    return command(args)


def cmd_export(args: argparse.Namespace) -> int:
    fn = _handler(EXPORTERS, Path(args.out), "导出为")
    return fn(_ledger_arg(args.ledger), Path(args.out), args) if fn else EXIT_USAGE


def cmd_import(args: argparse.Namespace) -> int:
    fn = _handler(IMPORTERS, Path(args.file), "导入")
    return fn(_ledger_arg(args.ledger), Path(args.file), args) if fn else EXIT_USAGE


def cmd_fill_out(args: argparse.Namespace) -> int:
    from rectify_desktop.io.fillout_cli import fill_out

    return fill_out(args)


def cmd_merge(args: argparse.Namespace) -> int:
    from rectify_desktop.io.fillout_cli import merge

    return merge(args)


def cmd_report(args: argparse.Namespace) -> int:
    from rectify_desktop.io.report import cli_report

    return cli_report(args)


def cmd_summary(args: argparse.Namespace) -> int:
    from rectify_desktop.io.summary_cli import run

    def pdf(*a, **kw) -> int:  # noqa: ANN002, ANN003 - ui.summary_print.write_pdf's; Qt loaded only for a .pdf
        from rectify_desktop.ui.summary_print import write_pdf

        return write_pdf(*a, **kw)

    return run(args, pdf_writer=pdf)


COMMANDS: dict[str, tuple[str, Callable[[argparse.Namespace], int]]] = {
    "demo": ("生成示例台账", cmd_demo),
    "stats": ("统计台账数据", cmd_stats),
    "verify": ("校验台账文件（完整性、外键、佐证文件哈希）", cmd_verify),
    "backup": ("备份台账（可在程序打开台账时进行）", cmd_backup),
    "export": (
        "导出台账（按文件后缀：.xlsx Excel、.pdf 打印版、.docx 通报或报告、.txt 通报纯文本、.zip 佐证材料包）",
        cmd_export,
    ),
    "import": ("导入文件，新增为一次巡察（.xlsx 台账、.txt 反馈意见或通报文本）", cmd_import),
    "self-test": ("自检：生成示例台账，导出并读回各种文件，检查字体、打印支持与中文翻译（无需显示器）", cmd_self_test),
    "report": ("生成进展报告（截至某日，.docx 或 .xlsx，与上期比较）", cmd_report),
    "fill-out": ("下发填报表（每个责任部门一份）", cmd_fill_out),
    "merge": ("回收合并交回的填报表", cmd_merge),
    "summary": ("汇总多个台账（文件、文件夹或导出的工作簿），生成汇总表 .xlsx/.pdf 或进展报告 .docx", cmd_summary),
    "push": ("把本机的台账文件推送到服务器（--server），服务器上已有台账时需加 --replace", cmd_push),
    "pull": ("把服务器台账保存为本机的台账文件（出差或交巡察办的离线副本）", cmd_pull),
}
# The commands whose first argument is a ledger: `--server URL` stands there instead of a file.
_LEDGER_FIRST = ("stats", "verify", "backup", "export", "import", "report", "fill-out", "merge", "pull")


def _server_in_place(argv: list[str]) -> list[str]:
    """`export --server URL OUT` is read as `export URL OUT`: the server's address where the file would be."""
    if not argv or argv[0] not in _LEDGER_FIRST:
        return argv
    rest = list(argv[1:])
    for i, a in enumerate(rest):
        if a == "--server" and i + 1 < len(rest):
            url = rest[i + 1]
            del rest[i : i + 2]
            return [argv[0], url, *rest]
        if a.startswith("--server="):
            del rest[i]
            return [argv[0], a.split("=", 1)[1], *rest]
    return argv


def _command_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="rectify-desktop", description="整改台账（命令行）")
    p.add_argument("--version", action="version", version=f"整改台账 {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    d = sub.add_parser("demo", help=COMMANDS["demo"][0])
    d.add_argument("out", help="要生成的台账文件")
    s = sub.add_parser("stats", help=COMMANDS["stats"][0])
    s.add_argument("ledger", help="台账文件")
    s.add_argument("--json", action="store_true", help="以 JSON 输出")
    s.add_argument("--inspection", type=int, default=None, help="只统计该编号的巡察")
    v = sub.add_parser("verify", help=COMMANDS["verify"][0])
    v.add_argument("ledger", help="台账文件")
    b = sub.add_parser("backup", help=COMMANDS["backup"][0])
    b.add_argument("ledger", help="台账文件")
    b.add_argument("out", help="备份文件")
    e = sub.add_parser("export", help=COMMANDS["export"][0])
    e.add_argument("ledger", help="台账文件")
    e.add_argument("out", help="导出的文件，类型由后缀决定")
    e.add_argument("--inspection", type=int, default=None, help="只导出该编号的巡察（默认第一个）")
    e.add_argument(
        "--kind",
        default=None,
        help="文档类型：.docx/.txt 为 notice 通报 / report 报告；.pdf 为 台账 / 问题清单 / 任务清单 / 责任清单",
    )
    e.add_argument("--no-summary", action="store_true", help=".pdf 台账不附整改情况汇总页")
    i = sub.add_parser("import", help=COMMANDS["import"][0])
    i.add_argument("ledger", help="台账文件（不存在时新建）")
    i.add_argument("file", help="要导入的文件")
    i.add_argument("--dry-run", action="store_true", help="只检查并报告，不写入台账")
    i.add_argument("--json", action="store_true", help="以 JSON 输出结果")
    t = sub.add_parser("self-test", help=COMMANDS["self-test"][0])
    t.add_argument("--keep", metavar="DIR", default=None, help="把生成的文件留在该文件夹中")
    t.add_argument("-v", "--verbose", action="store_true", help="失败时显示详细的错误信息")
    r = sub.add_parser("report", help=COMMANDS["report"][0])
    r.add_argument("ledger", help="台账文件")
    r.add_argument("out", help="报告文件：.docx 或 .xlsx")
    r.add_argument("--as-of", default=None, help="截至日期，如 2026-12-01 或 2026年12月1日（默认今天）")
    r.add_argument("--inspection", type=int, default=None, help="该编号的巡察（默认第一个）")
    from rectify_desktop.io import fillout_cli

    fillout_cli.add_parsers(sub)
    from rectify_desktop.io import summary_cli

    summary_cli.add_parser(sub)
    u = sub.add_parser("push", help=COMMANDS["push"][0])
    u.add_argument("ledger", help="本机的台账文件")
    u.add_argument("--server", required=True, help="服务器台账：postgresql://用户名@主机[:端口]/数据库")
    u.add_argument("--replace", action="store_true", help="服务器上已有台账时，用本机的台账替换它")
    g = sub.add_parser("pull", help=COMMANDS["pull"][0])
    g.add_argument("ledger", metavar="--server URL", help="服务器台账：postgresql://用户名@主机[:端口]/数据库")
    g.add_argument("out", help="要保存的台账文件")
    return p


def _window_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="rectify-desktop",
        description="整改台账：打开台账窗口。命令：" + "；".join(f"{k}（{v[0]}）" for k, v in COMMANDS.items()),
    )
    p.add_argument("--version", action="version", version=f"整改台账 {__version__}")
    p.add_argument(
        "ledger",
        nargs="?",
        help="要打开的台账文件，或服务器台账 postgresql://用户名@主机[:端口]/数据库；不写则打开上次的台账",
    )
    p.add_argument(
        "--server", metavar="URL", help="打开服务器台账：postgresql://用户名@主机[:端口]/数据库（密码在窗口中输入）"
    )
    p.add_argument("--demo", action="store_true", help="打开一份新生成的示例台账")
    return p


def _announce(messages: list[str]) -> None:
    for m in messages:
        print(f"提示：{m}", file=sys.stderr)


def _run_command(args: argparse.Namespace) -> int:
    """Runs a headless command; whatever fails is told in Chinese with its detail, never as a traceback."""
    import sqlite3

    from peewee import PeeweeException

    from rectify_desktop.core import oserrors, outfile
    from rectify_desktop.core.ledger import Ledger
    from rectify_desktop.core.storage import LedgerError

    outfile.clean_stale()  # what a killed run left beside its files
    Ledger.announce = _announce
    ledger = getattr(args, "ledger", None)
    try:
        return _with_password(args)
    except LedgerError as exc:
        return _err(str(exc))
    except (sqlite3.Error, PeeweeException) as exc:  # damage that only shows when the tables are read
        return _err(oserrors.explain_db(exc, ledger))
    except MemoryError:
        return _err("内存不足，无法完成该操作（文件过大或内容异常）")
    except OSError as exc:
        return _err(oserrors.explain(exc, getattr(exc, "filename", None) or ledger))
    except KeyboardInterrupt:
        return _err("已取消")
    except Exception as exc:  # noqa: BLE001 - the clerk gets a sentence, not a traceback
        return _err(f"操作失败，程序内部出错，文件未改动。请把以下信息告知维护人员（{type(exc).__name__}: {exc}）")
    finally:
        current = Ledger._current
        if current is not None and not current.closed:
            warning = current.close()
            if warning:
                print(f"警告：{warning}", file=sys.stderr)


def _with_password(args: argparse.Namespace) -> int:
    """Runs the command; when a server asks for a password that PGPASSWORD and ~/.pgpass did not give, asks
    for it once at the terminal (never echoed, never stored), and runs it again."""
    import os

    from rectify_desktop.core import server

    try:
        return COMMANDS[args.command][1](args)
    except server.PasswordNeededError:
        if not sys.stdin.isatty() or os.environ.get("PGPASSWORD"):
            raise
        import getpass

        os.environ["PGPASSWORD"] = getpass.getpass("服务器台账的密码：")
        return COMMANDS[args.command][1](args)


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list and args_list[0] in COMMANDS:
        placed = _server_in_place(args_list)
        if placed is not args_list and len(placed) > 1:
            from rectify_desktop.core import server

            try:
                server.ServerAddress.parse(placed[1])  # mysql://… or a file name after --server: said as such
            except server.ServerError as exc:
                print(f"错误：{exc}", file=sys.stderr)
                return EXIT_USAGE
        args = _command_parser().parse_args(placed)
        return _run_command(args)
    parser = _window_parser()
    args = parser.parse_args(args_list)
    from rectify_desktop.core import server

    if args.server and args.ledger:
        parser.error("只能打开一个台账：台账文件与 --server 不能同时指定")
    if args.server and not server.is_server(args.server):
        parser.error(f"--server 应为服务器台账的地址，如 postgresql://用户名@主机/数据库：{args.server}")
    target = args.server or args.ledger
    from rectify_desktop.ui import app

    # A server's address stays text (the window parses it and asks for the password); a file is a path.
    return app.run(ledger=(target if server.is_server(target) else Path(target)) if target else None, demo=args.demo)


if __name__ == "__main__":
    sys.exit(main())
