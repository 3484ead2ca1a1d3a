"""`rectify-desktop summary OUT.xlsx|OUT.pdf|OUT.docx INPUT... [--today DATE]` (cli.py hands it over): many units'
ledgers (files, folders searched recursively, ledger workbooks exported by this program, server ledgers given
as postgresql://…) summed into the 汇总表 workbook, its PDF, or the round's progress report.

Every input is read and none is written. Inputs left out are listed on the output with the reason; the command
exits 0 when at least one input was summed, 1 with the reasons when none could be (nothing is written then).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

EXIT_OK = 0
EXIT_FAIL = 1
HELP = "汇总多个台账：各单位的台账文件、文件夹或导出的台账工作簿，生成汇总表（.xlsx）、PDF 或进展报告（.docx）"
SUFFIXES = (".xlsx", ".pdf", ".docx")


def add_parser(sub: Any) -> None:
    s = sub.add_parser("summary", help=HELP)
    s.add_argument("out", help="输出文件：.xlsx 汇总表、.pdf 汇总表打印版、.docx 进展报告")
    s.add_argument(
        "inputs",
        nargs="+",
        help="台账文件（.db/.zgtz）、文件夹（含子文件夹）、导出的台账工作簿（.xlsx）或服务器台账（postgresql://…）",
    )
    s.add_argument("--today", default=None, help="统计日期（逾期按此日计算），如 2026-12-01（默认今天）")
    s.add_argument("--title", default=None, help="标题（默认：巡察整改进展情况汇总表 / 关于巡察整改进展情况的报告）")
    s.add_argument("--unit", default="", help="填报单位（如 县委巡察办）")


def _fail(message: str) -> int:
    print(f"错误：{message}", file=sys.stderr)
    return EXIT_FAIL


def run(args: argparse.Namespace, *, pdf_writer: Callable[..., int] | None = None) -> int:
    """Runs the command; `pdf_writer` (ui.summary_print.write_pdf, handed over by cli.py: io never imports the
    window's package) writes an OUT.pdf and returns its page count."""
    from rectify_desktop.core import outfile, rules, server, summary

    out = Path(args.out)
    suffix = out.suffix.lower()
    if suffix not in SUFFIXES:
        return _fail(f"不支持的输出文件类型“{out.suffix or out.name}”：请用 .xlsx（汇总表）、.pdf 或 .docx（进展报告）")
    if not out.parent.is_dir():
        return _fail(f"文件夹不存在：{out.parent}")
    today = None
    if args.today:
        today = rules.parse_date(args.today)
        if today is None:
            return _fail(f"统计日期“{args.today}”不是日期（如 2026-12-01）")
    # A server ledger's address stays text: a Path would fold the // of postgresql://… into one.
    s = summary.collect([p if server.is_server(p) else Path(p) for p in args.inputs], today=today)
    for n in s.not_summed:
        print(f"未汇总：{n.path.name}：{n.reason}", file=sys.stderr)
    if not s.rows:
        reasons = "；".join(f"{n.path.name}（{n.reason}）" for n in s.not_summed) or "没有输入"
        return _fail(f"没有可汇总的台账，未生成文件：{reasons}")
    kw: dict[str, Any] = {"office": args.unit}
    if args.title:
        kw["title"] = args.title
    try:
        if suffix == ".xlsx":
            from rectify_desktop.io.summary_xlsx import write_workbook

            write_workbook(s, out, **kw)
            what = "汇总表"
        elif suffix == ".docx":
            from rectify_desktop.io.summary_docx import write_docx

            write_docx(s, out, **kw)
            what = "进展报告"
        elif pdf_writer is not None:
            pages = pdf_writer(s, out, **kw)
            what = f"汇总表PDF（共 {pages} 页）"
        else:
            return _fail("此处不能生成PDF（缺少打印组件），请用 .xlsx 或 .docx")
    except outfile.OutputError as exc:
        return _fail(str(exc))
    skipped = f"，{len(s.not_summed)} 份未汇总（原因见上）" if s.not_summed else ""
    print(f"已生成{what}：{out}（{s.units}个单位，{len(s.rows)}行{skipped}）")
    print(s.headline())
    return EXIT_OK
