"""The command line of the fill-out round (cli.py hands these two commands over):

    rectify-desktop fill-out LEDGER OUTDIR [--by department|leader|person] [--inspection ID] [--deadline DATE]
    rectify-desktop merge LEDGER FILE... [--dry-run] [--json]

merge applies every change without a conflict (as one step, undoable in the window) and lists the conflicts;
it exits 1 when a file was refused (the other files are still merged), 0 otherwise. --dry-run opens the
ledger read-only and writes nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

EXIT_OK = 0
EXIT_FAIL = 1

FILL_OUT_HELP = "下发填报表：按责任部门（或责任领导、责任人）各生成一份整改进展填报表"
MERGE_HELP = "回收合并：读取交回的填报表，合并没有冲突的修改（--dry-run 只检查）"


def add_parsers(sub: Any) -> None:
    """The two commands' arguments, on the command line's subparsers."""
    f = sub.add_parser("fill-out", help=FILL_OUT_HELP)
    f.add_argument("ledger", help="台账文件")
    f.add_argument("outdir", help="保存填报表的文件夹")
    f.add_argument(
        "--by", choices=("department", "leader", "person"), default="department", help="按谁下发（默认责任部门）"
    )
    f.add_argument("--inspection", type=int, default=None, help="该编号的巡察（默认第一个）")
    f.add_argument("--deadline", default=None, help="交回时限，如 2026-12-08")
    m = sub.add_parser("merge", help=MERGE_HELP)
    m.add_argument("ledger", help="台账文件")
    m.add_argument("files", nargs="+", help="交回的填报表（可多个）")
    m.add_argument("--dry-run", action="store_true", help="只检查并列出修改和冲突，不写入台账")
    m.add_argument("--json", action="store_true", help="以 JSON 输出")


def fill_out(args: argparse.Namespace) -> int:
    from rectify_desktop.core import rules
    from rectify_desktop.core.fillout import BY_FIELDS, round_groups
    from rectify_desktop.core.ledger import Ledger
    from rectify_desktop.core.storage import LedgerError
    from rectify_desktop.io.fillout_export import export_round

    deadline = None
    if args.deadline:
        deadline = rules.parse_date(args.deadline)
        if deadline is None:
            raise LedgerError(f"交回时限“{args.deadline}”不是日期（如 2026-12-08）")
    with Ledger.open(args.ledger) as ledger:
        insp = ledger.pick_inspection(args.inspection)
        _, nobody = round_groups(insp, args.by)
        paths = export_round(ledger, Path(args.outdir), by=args.by, inspection_id=insp, deadline=deadline)
    print(f"已生成 {len(paths)} 份填报表：{args.outdir}")
    for p in paths:
        print(f"  {p.name}")
    if nobody:
        print(f"另有 {len(nobody)} 项细化问题没有填写{BY_FIELDS[args.by]}，未下发")
    return EXIT_OK


def _named(ledger: str) -> str:
    """The ledger as the clerk is told it: a server by its label, never the address (it may hold a password)."""
    from rectify_desktop.core import server

    return server.ServerAddress.parse(ledger).label() if server.is_server(ledger) else str(ledger)


def merge(args: argparse.Namespace) -> int:
    from rectify_desktop.core.fillout import apply_plan
    from rectify_desktop.core.ledger import Ledger
    from rectify_desktop.io.fillout_merge import describe, read_returns

    with Ledger.open(args.ledger, readonly=args.dry_run) as ledger:
        plan = read_returns(args.files)
        accepted = plan.default_accepted()
        applied = 0
        if not args.dry_run and (accepted or any(not f.refused for f in plan.files)):
            cmd = apply_plan(plan, accepted)
            if cmd.commands:  # type: ignore[attr-defined]
                ledger.apply(cmd)
                applied = len(accepted)
    if args.json:
        out = plan.to_json()
        out["applied"] = applied
        out["dry_run"] = bool(args.dry_run)
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        for line in describe(plan):
            print(line)
        if args.dry_run:
            print(f"（仅检查，未写入台账：可合并 {len(accepted)} 处修改）")
        else:
            print(f"已合并 {applied} 处修改到台账：{_named(args.ledger)}")
    for rf in plan.refused:
        print(f"错误：未合并“{rf.name}”：{rf.refused}", file=sys.stderr)
    return EXIT_FAIL if plan.refused else EXIT_OK
