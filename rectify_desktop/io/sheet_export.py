"""One printable sheet (a list: 问题清单, 任务清单, 责任清单) written as an Excel workbook.

The lists are small (a row per item or per measure), so this uses openpyxl's ordinary mode; the layout
follows the ledger export: title, 填报单位 and 填报日期, a bordered table with its header repeated on every
printed page, A4 landscape fitted to the page width, and text that begins with = written as text.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from rectify_desktop.core import outfile
from rectify_desktop.core.lists import Sheet
from rectify_desktop.io.xlsx_export import (
    CONTINUATION_HEADERS,
    CONTINUATION_SHEET,
    MAX_CELL_CHARS,
    Continuations,
    excel_length,
)

_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
# Rough widths of the columns lists use, in Excel's units; anything else gets 14.
_WIDTHS = {
    "seq": 6,
    "category": 22,
    "finding": 26,
    "item": 34,
    "measure": 40,
    "measures": 40,
    "progress": 34,
    "status": 12,
    "deadline": 13,
    "department": 14,
    "person": 10,
    "leader": 10,
    "done": 8,
    "role": 8,
}


class SheetExportError(outfile.OutputError):
    """The list could not be saved; the message is for the clerk."""


def _text(value: object) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", "" if value is None else str(value))


def continuation_sheet(wb: Workbook, carried: Continuations, unit: str, today: dt.date) -> None:
    """The 续 sheet: title, 填报 and header rows, then the pieces from the row each cell's mark names; printed
    on A4 landscape with the header row on every page. Also the 修改记录 workbook's (io/history_export)."""
    ws = wb.create_sheet(CONTINUATION_SHEET)
    ws.append(["续表：单元格容纳不下的文字（接在原单元格的文字之后）"])
    ws.append([f"填报单位：{_text(unit)}", "", "", "", f"填报日期：{today.year}年{today.month}月{today.day}日"])
    ws.append(list(CONTINUATION_HEADERS))
    for i, c in enumerate(carried.pieces, 1):
        ws.append([i, c.ref, c.column, f"第{c.part}段（共{c.parts}段）", c.text])
        ws.cell(ws.max_row, 5).data_type = "s"
        ws.cell(ws.max_row, 5).alignment = Alignment(vertical="top", wrap_text=True)
    for letter, width in zip("ABCDE", (6, 12, 12, 14, 100), strict=True):
        ws.column_dimensions[letter].width = width
    ws.print_title_rows = "3:3"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4


def write_sheet(
    sheet: Sheet,
    out: Path,
    unit: str = "",
    today: dt.date | None = None,
    *,
    ledgers: Iterable[str | os.PathLike[str]] = (),
    notes: list[str] | None = None,
) -> Path:
    """Writes `sheet` to `out`, whole or not at all (core.outfile: a temporary file beside it, checked and
    renamed); never onto the open ledger, `ledgers` or any other ledger file. A text longer than a cell
    holds goes on in a 续 sheet, and is listed in `notes` for the clerk."""
    out = Path(out)
    today = today or dt.date.today()
    wb = Workbook()
    ws = wb.active
    ws.title = sheet.title[-28:].replace("/", "、") or "清单"
    n = len(sheet.keys)
    last = get_column_letter(n)
    ws.append([_text(sheet.title)])
    ws.merge_cells(f"A1:{last}1")
    ws["A1"].font = Font(name="宋体", size=16, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 32
    ws.append([f"填报单位：{_text(unit)}"] + [""] * (n - 2) + [f"填报日期：{today.year}年{today.month}月{today.day}日"])
    ws.append([_text(h) for h in sheet.headers])
    head_fill = PatternFill("solid", fgColor="D9E2F3")
    for c in ws[3]:
        c.font = Font(name="黑体", size=11)
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        c.border = _BORDER
        c.fill = head_fill
    body = Font(name="仿宋", size=11)
    carried = Continuations()
    for r in sheet.rows:
        values = [_text(r.cells.get(k, "")) for k in sheet.keys]
        # A text longer than a cell holds is carried on, never cut: see xlsx_export.Continuations.
        for i, v in enumerate(values):
            if len(v) > MAX_CELL_CHARS // 2 and excel_length(v) > MAX_CELL_CHARS:
                values[i] = carried.carry(f"{ws.title}!{get_column_letter(i + 1)}{ws.max_row + 1}", sheet.headers[i], v)
        ws.append(values)
        row = ws.max_row
        longest = 1
        for col, key in enumerate(sheet.keys, 1):
            cell = ws.cell(row, col)
            cell.data_type = "s"  # never a formula, whatever the text begins with
            cell.font = body
            cell.border = _BORDER
            cell.alignment = Alignment(vertical="top", wrap_text=True, horizontal="center" if key == "seq" else None)
            width = _WIDTHS.get(key, 14)
            text = str(cell.value or "")
            lines = sum(max(1, -(-len(part) * 2 // max(width - 1, 1))) for part in text.split("\n"))
            longest = max(longest, lines)
        ws.row_dimensions[row].height = 15 * longest + 4
    for key in sheet.span_keys:
        if key not in sheet.keys:
            continue
        col = get_column_letter(sheet.keys.index(key) + 1)
        for span in sheet.spans(key):
            if span.last > span.first:
                ws.merge_cells(f"{col}{span.first + 4}:{col}{span.last + 4}")
    for col, key in enumerate(sheet.keys, 1):
        ws.column_dimensions[get_column_letter(col)].width = _WIDTHS.get(key, 14)
    ws.freeze_panes = "A4"
    ws.print_title_rows = "3:3"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.oddFooter.center.text = "第 &P 页 共 &N 页"
    wb.properties.title = sheet.title
    wb.properties.creator = "整改台账"
    if carried.pieces:
        continuation_sheet(wb, carried, unit, today)
    if notes is not None:
        notes += carried.notes
    try:
        with outfile.atomic_output(out, ledgers=ledgers, kind="xlsx") as tmp:
            wb.save(tmp)
    except outfile.OutputError as exc:
        raise SheetExportError(str(exc)) from exc
    return out
