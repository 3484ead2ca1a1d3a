"""从文本导入: the feedback (反馈意见), a rectification plan or a published notice, read into a ledger.

The text may follow any ladder of ../shared/NOTICE-SHAPES.md (A–I): the category at 一、 or （一） or absent,
the finding at 1. or （一） or 一、关于“…”, the item at （1） or 问题N： or absent (then the finding is one item with
its own title), in full-width or ASCII forms. The levels present are mapped onto category, finding and item
from the top; several problem sections are the categories; organisation sections (主体责任, 总体要求 …) go to
the notes and never become findings. Measures are read from 一是/二是, 1. 2. lines, (1)(2) inline or a
paragraph of prose; labels (整改情况, 整改措施, 整改进展, 整改状态, 完成情况, 责任领导, 责任单位, 整改时限 …) fill
their fields, and an item's own status words set its status.

:func:`parse_text` turns any text into an :class:`ImportedInspection` with warnings in plain Chinese and
never raises; the caller shows the result and adds it only when the clerk confirms (:class:`AddInspection`,
one undo step). What the text does not say is never made up: a missing finding is reported, not invented.
Nothing is dropped silently either: every line that goes into no field (前言, 组织情况, 下一步, 落款, 网页信息 …)
is listed in ``skipped`` with its line number and the reason.


The parts live in sibling modules, each named for what it does: text_reading (the file and its encoding),
text_words (numbers and status phrases), text_outline (the ladder of headings), text_measures (labels and
measures), text_headline (the totals a text states), text_skipped (the parser's state and the lines not
imported), text_problems (categories, findings, items), text_organisation (组织情况 and the preamble),
text_checks (numbering and totals) and text_parser (the run). This module holds the entry points and is the
one import path for the rest of the program.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from rectify_desktop.core import server
from rectify_desktop.core.importing import ImportedInspection, clip_fields, import_into
from rectify_desktop.core.storage import LedgerError
from rectify_desktop.io.text_headline import parse_headline
from rectify_desktop.io.text_measures import split_measures
from rectify_desktop.io.text_organisation import MAX_PLACEHOLDERS
from rectify_desktop.io.text_parser import _Parser
from rectify_desktop.io.text_reading import MAX_BYTES, TextImportError, decode_text, read_text_file
from rectify_desktop.io.text_results import results_lines
from rectify_desktop.io.text_words import NUM, STATUS_PHRASES, STATUS_WORDS_SHORT, cn_to_int, status_in

# What the rest of the program imports from here; the names defined in the sibling modules are re-exported.
__all__ = [
    "MAX_BYTES",
    "MAX_PLACEHOLDERS",
    "NUM",
    "STATUS_PHRASES",
    "STATUS_WORDS_SHORT",
    "TextImportError",
    "cli_import",
    "cn_to_int",
    "decode_text",
    "declared_summary",
    "parse_headline",
    "parse_text",
    "read_text_file",
    "refusal",
    "results_lines",
    "split_measures",
    "status_in",
    "summary",
]


# --- the public entry points ----------------------------------------------------------------------------


def _parse(text: str) -> ImportedInspection:
    """The parser itself, without the last guard (the property tests call it, so that a bug shows)."""
    return _Parser(text).run()


def parse_text(text: str) -> ImportedInspection:
    """Any text → an ImportedInspection with warnings; never raises. A text with no recognisable outline
    gives one with no categories and a warning, which callers refuse."""
    try:
        parsed = _parse(text)
    except Exception:  # noqa: BLE001 - a clerk's paste must never crash the window
        r = ImportedInspection()
        r.warnings.append("文本解析时出错，未能识别其结构。请检查文本的层次和序号后重试。")
        return r
    clip_fields(parsed)  # here, so that the preview lists every cut before anything is imported
    return parsed


def summary(parsed: ImportedInspection) -> str:
    """ "识别出4个方面、13个问题、29项细化问题、78条整改措施"."""
    c = parsed.counts()
    return f"识别出{c['categories']}个方面、{c['findings']}个问题、{c['items']}项细化问题、{c['measures']}条整改措施"


def declared_summary(declared: dict[str, int] | None) -> str:
    """The totals the text states, as a sentence; "" when it states none."""
    if not declared:
        return ""
    parts = []
    if "categories" in declared:
        parts.append(f"{declared['categories']}个方面")
    if "findings" in declared:
        parts.append(f"问题{declared['findings']}个")
    if "items" in declared:
        parts.append(f"细化为{declared['items']}项")
    for key, word in (("done", "已整改完成"), ("in_progress", "正在推进"), ("ongoing", "持续整改")):
        if key in declared:
            parts.append(f"{word}{declared[key]}项")
    if "not_started" in declared:
        parts.append(f"未启动{declared['not_started']}项")
    if "measures" in declared:
        parts.append(f"整改措施{declared['measures']}项")
    if "percent" in declared:
        parts.append(f"完成率{declared['percent']}%")
    return "文本所称：" + "，".join(parts)


def refusal(parsed: ImportedInspection) -> str | None:
    """Why a parsed text cannot be imported, or None when it can."""
    if not parsed.items():
        first = parsed.warnings[0] if parsed.warnings else ""
        return "未能从文本中识别出整改台账的结构，没有可导入的内容。" + (f"\n{first}" if first else "")
    return None


def cli_import(ledger_path: Path, path: Path, args: Any) -> int:
    """`rectify-desktop import LEDGER IN.txt [--dry-run] [--json]`."""
    dry_run = bool(getattr(args, "dry_run", False))
    as_json = bool(getattr(args, "json", False))
    try:
        text = read_text_file(path)
    except TextImportError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    parsed = parse_text(text)
    why = refusal(parsed)
    if why:
        print(f"错误：{why}（{path.name}）", file=sys.stderr)
        return 1
    inspection_id = None
    warning = None
    # A server ledger stays its address: made a Path, it would be a file of its placeholder name (__fspath__).
    target = ledger_path if server.is_server(ledger_path) else Path(ledger_path)
    shown = server.ServerAddress.parse(target).label() if server.is_server(target) else str(target)  # type: ignore[arg-type]
    if not dry_run:
        try:
            result = import_into(target, parsed)
        except LedgerError as exc:  # the import wrote nothing
            print(f"错误：{exc}", file=sys.stderr)
            return 1
        inspection_id, warning = result.inspection_id, result.warning
    if as_json:
        out = parsed.to_json()
        out["dry_run"] = dry_run
        out["inspection_id"] = inspection_id
        print(json.dumps(out, ensure_ascii=False, indent=2))
        if warning:
            print(f"注意：{warning}", file=sys.stderr)
        return 0
    print(summary(parsed))
    said = declared_summary(parsed.declared)
    if said:
        print(said)
    for line in results_lines(parsed):
        print(line)
    if parsed.warnings:
        print(f"提示（{len(parsed.warnings)}条）：")
        for w in parsed.warnings:
            print(f"  - {w}")
    if parsed.skipped:
        print(f"未导入的内容（{len(parsed.skipped)}行）：")
        for s in parsed.skipped:
            print(f"  - 第{s.line}行［{s.reason}］{s.text}")
    if dry_run:
        print("试运行：未写入台账。")
    else:
        print(f"已导入到台账：{shown}（巡察编号 {inspection_id}）")
    if warning:
        print(f"注意：{warning}", file=sys.stderr)
    return 0
