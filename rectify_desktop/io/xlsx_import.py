"""Excel import (导入Excel): the program's own export and the ledgers clerks keep in Excel or WPS.

The workbook is read, never written. The first sheet named 台账, or else the first sheet with a
recognisable header, becomes an :class:`ImportedInspection` with warnings that name sheet, row and column;
the caller shows or prints it, then adds it with :class:`AddInspection` (one transaction, one undo step).

What a clerk's sheet may look like (DOMAIN.md, "The columns of a ledger"): a title row and a 填报单位 row
above the header, a header anywhere in the first rows and sometimes on two rows (责任主体 over 责任领导 /
责任部门 / 责任人), category and finding cells merged down, dates as dates, serial numbers, text or phrases,
status words of every kind, measures written "一是…二是…", "1.…2.…" or "补齐…；规范…", a signature row below
the table. The status may stand in a column headed otherwise (整改进展情况, 整改情况, 进展情况, 推进情况 …): a
column whose cells mostly open with a status word is read as the status column, and a cell such as
"已完成。已梳理…" gives the status from its first words and keeps the whole text as progress. 巡察组, 被巡察单位
and 反馈日期 are read from the title ("…巡察组对…开展巡察…", "…关于…巡察组反馈意见…") and from the labels and
sentences above the header.

Nothing is left out unsaid: a row or cell that goes into no field (a 填报日期, a signature, a repeated header,
a cell under no header, a second deadline of one item, a sheet not read) is listed in ImportedInspection.skipped
with its row and the reason; what is read by a guess is listed in the warnings.

Safety: the file is checked by its content, whatever its name, before it is parsed (size, zip container,
OLE container of a .xls or of a password-protected file, uncompressed size, no DTD in any part); the XML is
parsed by openpyxl's parser, which uses defusedxml when it is installed (a dependency), and streamed: each
element is let go once read. Rows with content are limited to a count no real ledger reaches (more is
refused), empty rows and XML elements likewise (reading stops there, and a warning says so), a cell's text
to CELL_MAX characters, and merged ranges are clipped to the rows and columns holding values and refused
past MAX_MERGED_CELLS. Every refusal says in Chinese what is wrong and what to do, the library's own words
last, in brackets. What is too long for its field is cut by core.importing.clip_fields, with a warning.

A text longer than an Excel cell holds, which the program's own export carried on to its 续 sheet (the cell ends
with ……（未完，续见“续”表第N行）), is joined back whole: the 续 sheet is read first (like any sheet, within the
same limits), and each sheet the import reads gets its cells' pieces appended before it is parsed; a joined
text, too, is limited to CELL_MAX characters. What cannot be joined is listed in the warnings, never dropped.

Where the parts live (this module keeps the sheet picking, the registers of the export's own sheets and the
command line, and re-exports the names callers and tests use from here): io/xlsx_reader.py reads the file
into sheets of cell values; io/xlsx_header.py recognises the header; io/xlsx_values.py reads a cell's value,
status words, dates and measures; io/xlsx_rows.py turns the rows into categories, findings, items and
measures and accounts for what is skipped; io/xlsx_top.py reads what stands above the header;
io/xlsx_carried.py joins the texts carried on to the 续 sheet.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from rectify_desktop.core import rules
from rectify_desktop.core.importing import (  # noqa: F401 - ImportedWriteOff is re-exported for the callers
    ImportedInspection,
    ImportedWriteOff,
    Skipped,
    clip_fields,
)
from rectify_desktop.core.storage import LedgerError
from rectify_desktop.io.xlsx_carried import CarriedTexts
from rectify_desktop.io.xlsx_header import (  # noqa: F401 - some are re-exported for the callers
    GROUP_WORDS,
    KEY_NAMES,
    SYNONYMS,
    Header,
    find_header,
    header_key,
    normalize_header,
)
from rectify_desktop.io.xlsx_reader import (  # noqa: F401 - some are re-exported for the callers
    CELL_MAX,
    HEADER_ROWS,
    MAX_BYTES,
    MAX_ROWS,
    Sheet,
    Workbook,
    XlsxImportError,
    _unreadable,
)
from rectify_desktop.io.xlsx_rows import (  # noqa: F401 - re-exported for the callers
    _SERIAL,
    OWN_HEADER,
    SIGNATURE_REASON,
    _Builder,
    join_split_rows,
    status_by_content,
)
from rectify_desktop.io.xlsx_top import _LABEL, _describe_top  # noqa: F401 - _LABEL is re-exported for the tests
from rectify_desktop.io.xlsx_values import (  # noqa: F401 - some are re-exported for the callers
    BLANK,
    SAME_AS_ABOVE,
    Deadline,
    LeadingStatus,
    Status,
    _short,
    cell_text,
    cn_to_int,
    leading_status,
    read_deadline,
    read_status,
    read_writeoff,
    split_measures,
    split_number,
)

# --- the sheet to read, and the workbook as an inspection ---------------------------------------


def _pick_sheet(book: Workbook, skip: tuple[str, ...] = ()) -> tuple[Sheet, Header]:
    """The first sheet named 台账, or else the first with a recognisable header (hidden sheets last); never
    one of `skip` (the export's 续 sheet)."""
    order = [n for n in book.names if n.strip() == "台账"]
    order += [n for n in book.names if n not in order and n not in book.hidden]
    order += [n for n in book.names if n not in order]
    order = [n for n in order if n not in skip]
    empty = True
    for name in order:
        peek = book.sheet(name, first_rows=HEADER_ROWS + 2)
        if peek.cells:
            empty = False
        if find_header(peek) is None:
            continue
        sheet = book.sheet(name)
        header = find_header(sheet)
        if header is not None:
            return sheet, header
    if empty:
        raise XlsxImportError(f"工作簿是空的，没有任何内容：{book.path.name}。请检查是否选对了文件。")
    names = "、".join(f"“{n}”" for n in book.names)
    raise XlsxImportError(
        f"在工作表{names}的前{HEADER_ROWS}行中没有找到台账的表头：{book.path.name}。"
        "表头至少要有“问题”（或存在问题、问题清单）或“细化问题”（或具体问题、具体表现）列，"
        "以及整改措施、责任部门、整改时限、完成情况等列中的一项。请检查是否选对了文件，或把表头改成这些名称后再导入。"
    )


def parse_workbook(path: Path, *, max_bytes: int = MAX_BYTES, max_rows: int = MAX_ROWS) -> ImportedInspection:
    """Reads an .xlsx ledger into an ImportedInspection (never writes); raises XlsxImportError when it cannot."""
    path = Path(path)
    try:
        return _parse_workbook(path, max_bytes, max_rows)
    except MemoryError as exc:  # a sheet that passed every limit and still did not fit
        raise _unreadable(path, exc) from None


def _parse_workbook(path: Path, max_bytes: int, max_rows: int) -> ImportedInspection:
    with Workbook(path, max_bytes=max_bytes, max_rows=max_rows) as book:
        carried = CarriedTexts.read(book)
        own = (carried.sheet,) if carried.sheet else ()
        sheet, header = _pick_sheet(book, own)
        join_split_rows(sheet, header)  # the export's items split over a page break, whole again
        carried.join(sheet)
        out = _Builder(sheet, header).build()
        out.warnings[:0] = sheet.notes + carried.notes  # what reading left out comes first
        _describe_top(out, sheet, header)
        others = [
            n
            for n in book.names
            if n != sheet.name
            and n not in book.hidden
            and n not in OWN_SHEETS + OWN_UNREAD
            and n not in own
            and _looks_like_ledger(book, n)
        ]
        if others:
            out.warnings.append(
                f"{sheet.name}!第{header.row}行 工作表：工作簿中的工作表"
                + "、".join(f"“{n}”" for n in others)
                + f"也像台账，本次只导入了“{sheet.name}”；需要时请把它们分别另存后再导入"
            )
        _read_registers(book, out, carried)
        out.warnings += carried.finish(book)
        _list_other_sheets(book, out, [sheet.name, *own, *OWN_SHEETS], others)
    if not out.title:
        out.title = path.stem
    if not out.items():
        raise XlsxImportError(
            f"工作表“{sheet.name}”的表头（第{header.row}行）下面没有任何问题，没有可导入的内容：{path.name}。"
        )
    clip_fields(out)  # here, so that the preview lists every cut before anything is imported
    return out


def _list_other_sheets(book: Workbook, out: ImportedInspection, read: list[str], ledgers: list[str]) -> None:
    """Lists in out.skipped each sheet with content that the import does not read (a 填表说明, a second
    ledger, a hidden sheet), by its first text: a whole sheet is never left out unsaid."""
    for name in book.names:
        if name in read:
            continue
        peek = book.sheet(name, first_rows=HEADER_ROWS)
        first = next(
            (t for r in sorted(peek.cells) for c in sorted(peek.cells[r]) if (t := cell_text(peek.cells[r][c]))), ""
        )
        if not first:
            continue
        row = next(r for r in sorted(peek.cells) if any(cell_text(v) for v in peek.cells[r].values()))
        if name in ledgers:
            why = "也像台账，本次没有导入"
        elif name in book.hidden:
            why = "是隐藏的工作表，没有导入"
        elif name in OWN_UNREAD:
            why = "是导出的问责、资金清单，没有导入（需要时请在细化问题的整改成效中重新录入）"
        else:
            why = "不是台账，没有导入"
        out.skipped.append(Skipped(row, f"{name}：{_short(first, 30)}", f"工作表“{name}”{why}"))


def _looks_like_ledger(book: Workbook, name: str) -> bool:
    return find_header(book.sheet(name, first_rows=HEADER_ROWS + 2)) is not None


# --- the other sheets of the program's own export -------------------------------------------------

OWN_SHEETS = ("可筛选", "统计", "佐证材料", "制度建设", "会议")
# The export's list of 问责 and 资金 entries (整改成效): not read, so listed as not imported like any such sheet,
# but never taken for a second ledger because its columns name 细化问题.
OWN_UNREAD = ("整改成效",)
_REGISTER_COLUMNS: dict[str, dict[str, tuple[str, ...]]] = {
    "会议": {
        "kind": ("会议类型", "类型", "会议类别"),
        "date": ("日期", "会议日期", "时间", "召开时间", "召开日期"),
        "topic": ("议题", "会议议题", "会议主题", "主题", "会议名称", "内容"),
        "note": ("备注", "说明"),
    },
    "制度建设": {
        "title": ("制度名称", "名称", "标题", "制度", "文件名称"),
        "doc_number": ("文号", "发文字号", "文件编号"),
        "date": ("日期", "印发日期", "发布日期", "时间", "出台时间", "印发时间"),
        "note": ("备注", "说明"),
    },
}


def _read_registers(book: Workbook, out: ImportedInspection, carried: CarriedTexts | None = None) -> None:
    """Meetings (会议) and rules made (制度建设) from sheets so named, when their header is recognised; with
    the texts `carried` on to the 续 sheet joined back."""
    for sheet_name, spec in _REGISTER_COLUMNS.items():
        if sheet_name not in book.names:
            continue
        sheet = book.sheet(sheet_name)
        if carried is not None:
            carried.join(sheet)
        out.warnings.extend(sheet.notes)
        words = {w: k for k, ws in spec.items() for w in ws}
        header_row, columns = 0, {}
        for r in sorted(sheet.cells)[:HEADER_ROWS]:
            found = {c: words[t] for c, v in sheet.cells[r].items() if (t := normalize_header(v)) in words}
            if len(set(found.values())) >= 2:
                header_row, columns = r, found
                break
        if not columns:
            continue
        target = out.meetings if sheet_name == "会议" else out.institutions
        main = "topic" if sheet_name == "会议" else "title"
        for r in sorted(sheet.cells):
            if r <= header_row:
                continue
            row = sheet.cells[r]
            rec: dict[str, Any] = {}
            for c, key in columns.items():
                v = row.get(c)
                if key == "date":
                    if isinstance(v, dt.datetime):
                        v = v.date()
                    rec[key] = v if isinstance(v, dt.date) else rules.parse_date(cell_text(v))
                    if v is not None and rec[key] is None and cell_text(v):
                        out.warnings.append(
                            f"{sheet_name}!第{r}行 {KEY_NAMES.get(key, '日期')}列：“{cell_text(v)}”不是日期，未导入"
                        )
                else:
                    rec[key] = cell_text(v)
            if not rec.get(main):
                continue
            if sheet_name == "会议" and not rec.get("kind"):
                rec.pop("kind", None)
            target.append(rec)


# --- the command line ------------------------------------------------------------------------------


def summary(parsed: ImportedInspection) -> str:
    c = parsed.counts()
    said = f"{c['categories']}个方面、{c['findings']}个问题、{c['items']}项细化问题、{c['measures']}条整改措施"
    if c.get("money"):  # the amount columns' entries (问题金额, 追缴 …), only when the sheet has them
        said += f"、{c['money']}笔金额"
    return said


def source_sheet(parsed: ImportedInspection) -> str:
    """The sheet the inspection came from (its items' sources read "台账!第12行")."""
    for it in parsed.items():
        if it.source:
            return it.source.split("!")[0]
    return ""


def cli_import(ledger_path: Path, path: Path, args: argparse.Namespace) -> int:
    """`rectify-desktop import LEDGER IN.xlsx [--dry-run] [--json]`: always a new inspection, never a merge."""
    dry = bool(getattr(args, "dry_run", False))
    as_json = bool(getattr(args, "json", False))
    try:
        parsed = parse_workbook(path)
    except XlsxImportError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 - a file the reader chokes on: told, never a traceback
        print(f"错误：{_unreadable(path, exc)}", file=sys.stderr)
        return 1
    report: dict[str, Any] = parsed.to_json()
    report["file"] = str(path)
    report["sheet"] = source_sheet(parsed)
    report["dry_run"] = dry
    head = f"{path.name}（工作表“{report['sheet']}”）：{summary(parsed)}"
    if dry:
        report["summary"] = f"检查完毕，未写入台账。{head}"
        _print_report(report, parsed, as_json)
        return 0
    from rectify_desktop.core import server
    from rectify_desktop.core.importing import import_into

    # A server ledger stays its address: made a Path, it would be a file of its placeholder name (__fspath__).
    target = ledger_path if server.is_server(ledger_path) else Path(ledger_path)
    shown = server.ServerAddress.parse(target).label() if server.is_server(target) else str(target)  # type: ignore[arg-type]
    try:
        result = import_into(target, parsed)
    except LedgerError as exc:  # the import wrote nothing
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    report["inspection_id"] = result.inspection_id
    report["ledger"] = shown
    report["summary"] = (
        f"已导入{head}；在台账{'（新建）' if result.created else ''}中新增巡察“{parsed.title}”"
        f"（编号 {result.inspection_id}）：{shown}"
    )
    _print_report(report, parsed, as_json)
    if result.warning:
        print(f"注意：{result.warning}", file=sys.stderr)
    return 0


def _print_report(report: dict[str, Any], parsed: ImportedInspection, as_json: bool) -> None:
    if as_json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return
    print(report["summary"])
    if parsed.warnings:
        print(f"请核对以下 {len(parsed.warnings)} 条提示：")
        for w in parsed.warnings:
            print(f"  {w}")
    if parsed.skipped:
        # As the text import's preview lists them: what is in the file and went into no field.
        print(f"未导入的内容（{len(parsed.skipped)}处）：")
        for sk in parsed.skipped:
            print(f"  第{sk.line}行：{_short(sk.text, 40)}（{sk.reason}）")
