"""One printable sheet (a list: 问题清单, 任务清单, 责任清单) written as an Excel workbook.

The lists are small (a row per item or per measure), so this uses openpyxl's ordinary mode; the layout
follows the ledger export: title, 填报单位 and 填报日期, a bordered table with its header repeated on every
printed page, A4 landscape fitted to the page width, and text that begins with = written as text.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from rectify_desktop.core import outfile
from rectify_desktop.core.lists import OVERDUE_MARK, Sheet
from rectify_desktop.io.xlsx_cells import line_count, natural_width, print_width, row_height, wrap_capacity
from rectify_desktop.io.xlsx_export import (
    CONTINUATION_HEADERS,
    CONTINUATION_SHEET,
    MAX_CELL_CHARS,
    Continuations,
    excel_length,
)
from rectify_desktop.io.xlsx_sheet import MARGINS

_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_BODY = Font(name="仿宋", size=11)
_BOLD = Font(name="仿宋", size=11, bold=True)
# Widths of the columns lists use, in Excel's units; anything else gets 14. A column holding dates is widened
# to its longest date (measured as io.xlsx_cells measures the ledger's), and the text columns share what the
# page has left or give what it lacks.
_WIDTHS = {
    "seq": 5,
    "category": 22,
    "finding": 26,
    "item": 34,
    "measure": 40,
    "measures": 40,
    "progress": 34,
    "status": 10,
    "deadline": 13,
    "department": 12,
    "person": 8,
    "leader": 8,
    "done": 8,
    "role": 6,
}
_TEXT_KEYS = ("category", "finding", "item", "measure", "measures", "progress")
_MIN_TEXT_WIDTH = 14.0
# A4 landscape within the ledger's margins (io.xlsx_sheet.MARGINS), at 100 %: 7 px a unit and 5 px a column.
_PAGE_PX = (297 / 25.4 - MARGINS.left - MARGINS.right) * 96
# A whole date, which LibreOffice would otherwise break anywhere ("（2026 / 年7月19 / 日）").
_DATE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日")
# A state with its date ("已完成（2026年7月19日）"): the date goes under the state, so that the column need only
# be a date wide (as the printout stacks them in the ledger, ui/printing/cells.dated).
_STATE_DATE = re.compile(r"^(?P<state>[^（(\n]+)[（(](?P<date>\d{4}年\d{1,2}月\d{1,2}日)[）)]$")
_STACKED_KEYS = ("status", "done")


def _shown(key: str, text: str) -> str:
    """A cell's text as the workbook writes it: a state's date on the line under it."""
    if key in _STACKED_KEYS:
        m = _STATE_DATE.match(text.strip())
        if m:
            return f"{m['state'].strip()}\n{m['date']}"
    return text


def _widths(keys: Sequence[str], rows: Sequence[Sequence[str]]) -> list[float]:
    """Each column as wide as its kind wants and at least as wide as its longest date (never broken); the text
    columns then fitted to the page's width."""
    widths = [float(_WIDTHS.get(k, 14)) for k in keys]
    for values in rows:
        for i, text in enumerate(values):
            for m in _DATE.finditer(text):
                widths[i] = max(widths[i], round(natural_width(print_width(m.group()), _BOLD) + 0.05, 1))
    budget = (_PAGE_PX - 5 * len(keys)) / 7 - 0.2
    text = [i for i, k in enumerate(keys) if k in _TEXT_KEYS]
    spare = budget - sum(widths)
    room = sum(widths[i] - _MIN_TEXT_WIDTH for i in text if widths[i] > _MIN_TEXT_WIDTH)
    if text and (spare > 0 or room > 0):
        for i in text:
            share = widths[i] / sum(widths[j] for j in text) if spare > 0 else (widths[i] - _MIN_TEXT_WIDTH) / room
            widths[i] = max(_MIN_TEXT_WIDTH, widths[i] + spare * max(share, 0.0))
    return [round(w, 1) for w in widths]


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
    shown = [[_shown(k, _text(r.cells.get(k, ""))) for k in sheet.keys] for r in sheet.rows]
    widths = _widths(sheet.keys, shown)
    capacity = [wrap_capacity(w, _BODY) for w in widths]
    # A spanning cell (an item over its measures) is measured once, over the rows it spans.
    spans = [
        (sheet.keys.index(key), span)
        for key in sheet.span_keys
        if key in sheet.keys
        for span in sheet.spans(key)
        if span.last > span.first
    ]
    spanned = {(span.first + i, col) for col, span in spans for i in range(span.last - span.first + 1)}
    heights: list[float] = []
    carried = Continuations()
    for n, values in enumerate(shown):
        values = list(values)
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
            text = str(cell.value or "")
            # the overdue mark in bold, as on the lists' paper (ui/printing)
            cell.font = _BOLD if OVERDUE_MARK in text else _BODY
            cell.border = _BORDER
            cell.alignment = Alignment(vertical="top", wrap_text=True, horizontal="center" if key == "seq" else None)
            if (n, col - 1) not in spanned:
                longest = max(longest, line_count(text, capacity[col - 1]))
        heights.append(row_height(longest, _BODY))
    for col, span in spans:
        need = row_height(line_count(shown[span.first][col], capacity[col]), _BODY)
        have = sum(heights[span.first : span.last + 1])
        if need > have:
            heights[span.last] += need - have
        letter = get_column_letter(col + 1)
        ws.merge_cells(f"{letter}{span.first + 4}:{letter}{span.last + 4}")
    for n, height in enumerate(heights):
        ws.row_dimensions[n + 4].height = round(height, 1)
    for col, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "A4"
    ws.print_title_rows = "3:3"
    landscape_pages(ws)
    ws.page_margins = MARGINS
    try:
        save_workbook(wb, out, sheet.title, carried, unit, today, notes=notes, ledgers=ledgers)
    except outfile.OutputError as exc:
        raise SheetExportError(str(exc)) from exc
    return out


def landscape_pages(ws: Worksheet) -> None:
    """A4 landscape, fitted to the width only, centred, "第 N 页 共 M 页" at the foot: how a list prints."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.oddFooter.center.text = "第 &P 页 共 &N 页"


def save_workbook(
    wb: Workbook,
    out: str | os.PathLike[str],
    title: str,
    carried: Continuations,
    unit: str,
    today: dt.date,
    *,
    notes: list[str] | None,
    ledgers: Iterable[str | os.PathLike[str]],
) -> None:
    """Titles the workbook, adds the 续 sheet when a text went on there (listed in `notes`), and writes it whole or
    not at all; raises outfile.OutputError."""
    wb.properties.title = title
    wb.properties.creator = "整改台账"
    if carried.pieces:
        continuation_sheet(wb, carried, unit, today)
    if notes is not None:
        notes += carried.notes
    with outfile.atomic_output(out, ledgers=ledgers, kind="xlsx") as tmp:
        wb.save(tmp)
