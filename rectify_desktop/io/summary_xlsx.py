"""The 汇总表 workbook (issue 17): the office's table of a round, as the program's other workbooks print.

Three sheets: 汇总 (a row per unit and inspection, the 合计 row last, the 整改成效 columns), 逾期事项 (every overdue
item of every unit, the most overdue first) and 未汇总 (each input left out, with the reason; only the heading
when none was). Each begins with the title and the 填报单位/填报日期 line, its header row repeats on every printed
page (io.xlsx_sheet.print_setup: A4 landscape fitted to the width, 第 n 页 共 N 页), the body in 10.5 pt 仿宋
(io.xlsx_cells.BODY_FONT), row heights measured as the ledger's are. Figures are numbers (so the office can add
them up in Excel), dates are dates. Written whole or not at all (io.sheet_export.save_workbook → core.outfile).
"""

from __future__ import annotations

import copy
import datetime as dt
import os
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from rectify_desktop.core.summary import Summary
from rectify_desktop.core.table import cn_date
from rectify_desktop.io.sheet_export import save_workbook
from rectify_desktop.io.summary_table import COLUMNS, DEFAULT_TITLE, OVERDUE_HEADERS, overdue_values, text_of
from rectify_desktop.io.xlsx_cells import (
    BODY_FONT,
    BORDER,
    HEADER_FILL,
    HEADER_FONT,
    INFO_FONT,
    TITLE_FONT,
    TOTAL_FILL,
    clean_text,
    line_count,
    natural_width,
    row_height,
    text_width,
    wrap_capacity,
)
from rectify_desktop.io.xlsx_continuations import Continuations
from rectify_desktop.io.xlsx_sheet import print_setup

SUMMARY_SHEET = "汇总"
OVERDUE_SHEET = "逾期事项"
SKIPPED_SHEET = "未汇总"
TOTAL_FONT = Font(name="仿宋", size=10.5, bold=True, charset=134)
DATE_FORMAT = "yyyy.m.d"
AMOUNT_FORMAT = "0.0###"
# Widths in Excel's units: text columns wide enough for a county unit's name on two lines; figures for a
# header of two characters a line (正在/推进) and a number. All 18 columns fit A4 landscape at 100 % (fitted to
# the width, more would print the 10.5 pt body smaller): 140 units, 1,070 of the page's 1,084 px.
WIDTHS: dict[str, float] = {"unit": 19, "body": 15, "feedback": 9.5, "last_change": 9.5, "money": 10}
FIGURE_WIDTH = 6.0
OVERDUE_WIDTHS = (18, 7, 40, 14, 8, 17, 9, 7)
SKIPPED_WIDTHS = (6, 30, 60, 70)


def _cell_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)  # an amount of at most 4 decimals: a float holds it to the 万元's 0.0001
    if isinstance(value, str):
        return clean_text(value)
    return value


def _title(ws: Worksheet, title: str, office: str, today: dt.date, widths: Sequence[float]) -> None:
    n = len(widths)
    last = get_column_letter(n)
    ws.append([clean_text(title)])
    ws.merge_cells(f"A1:{last}1")
    ws["A1"].font = TITLE_FONT
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    lines = line_count(clean_text(title), wrap_capacity(sum(widths) * 0.9, TITLE_FONT))
    ws.row_dimensions[1].height = max(36.0, row_height(lines, TITLE_FONT) + 8)
    date_text = f"填报日期：{cn_date(today)}"
    need, at = natural_width(text_width(date_text), INFO_FONT), n
    acc = 0.0
    while at > 1 and acc < need:
        at -= 1
        acc += widths[at]
    ws.append([f"填报单位：{clean_text(office)}"] + [None] * (at - 1) + [date_text])
    ws.cell(2, 1).font = INFO_FONT
    ws.cell(2, at + 1).font = INFO_FONT
    ws.cell(2, at + 1).alignment = Alignment(horizontal="right", vertical="center")
    if at > 1:
        ws.merge_cells(f"A2:{get_column_letter(at)}2")
    if n - at > 1:
        ws.merge_cells(f"{get_column_letter(at + 1)}2:{last}2")
    ws.row_dimensions[2].height = 24.0


def _table(
    ws: Worksheet,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    widths: Sequence[float],
    *,
    numeric: Sequence[bool],
    total_last: bool = False,
) -> None:
    """The header row and the rows under it, bordered, wrapped, each row as high as its longest cell."""
    ws.append(list(headers))
    head_cap = [wrap_capacity(w, HEADER_FONT) for w in widths]
    for c in range(1, len(headers) + 1):
        cell = ws.cell(3, c)
        cell.font, cell.fill, cell.border = HEADER_FONT, HEADER_FILL, BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    lines = max(line_count(h, cap) for h, cap in zip(headers, head_cap, strict=True))
    ws.row_dimensions[3].height = max(24.0, row_height(lines, HEADER_FONT))
    capacity = [wrap_capacity(w, BODY_FONT) for w in widths]
    centred = Alignment(horizontal="center", vertical="center", wrap_text=True)
    left = Alignment(vertical="center", wrap_text=True)
    all_rows = list(rows)
    # Each kind of cell is styled once through openpyxl's attributes and copied to its likes: styling every cell
    # hashes its font, border and alignment again (500 units' 6,500 overdue items: 30 s of 40).
    made: dict[tuple[bool, bool, str], Any] = {}
    for i, values in enumerate(all_rows):
        ws.append([_cell_value(v) for v in values])
        r = 4 + i  # not ws.max_row, which scans every cell: 6,500 overdue rows took 50 s
        bold = total_last and i == len(all_rows) - 1
        longest = 1
        for c, v in enumerate(values, 1):
            cell = ws.cell(r, c)
            kind = "date" if isinstance(v, dt.date) else "amount" if isinstance(v, Decimal) else ""
            if isinstance(v, str):
                cell.data_type = "s"  # never a formula, whatever a unit's name begins with
                longest = max(longest, line_count(clean_text(v), capacity[c - 1]))
            key = (bold, numeric[c - 1], kind)
            if key in made:
                cell._style = copy.copy(made[key])
                continue
            cell.font = TOTAL_FONT if bold else BODY_FONT
            cell.border = BORDER
            cell.alignment = centred if numeric[c - 1] else left
            if bold:
                cell.fill = TOTAL_FILL
            if kind == "date":
                cell.number_format = DATE_FORMAT
            elif kind == "amount":
                cell.number_format = AMOUNT_FORMAT
            made[key] = copy.copy(cell._style)
        ws.row_dimensions[r].height = row_height(longest, BODY_FONT)
    for c, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(c)].width = w
    print_setup(ws, 3, repeat_from=3)


def _summary_sheet(ws: Worksheet, s: Summary, title: str, office: str) -> None:
    # A unit in brackets on a line of its own, rather than wherever the column's width breaks it ("问责（人/）").
    headers = ["序号"] + [c.header.replace("（", "\n（") for c in COLUMNS]
    widths = [5.0] + [WIDTHS.get(c.key, FIGURE_WIDTH) for c in COLUMNS]
    rows = [[n] + [c.value(r) for c in COLUMNS] for n, r in enumerate(s.rows, 1)]
    rows.append([None] + [c.value(s.totals) for c in COLUMNS])
    _title(ws, title, office, s.today, widths)
    _table(
        ws,
        headers,
        rows,
        widths,
        numeric=[True] + [c.numeric or c.key in ("feedback", "last_change") for c in COLUMNS],
        total_last=True,
    )
    ws.cell(3 + len(rows), 2).value = "合计"


def _overdue_sheet(ws: Worksheet, s: Summary, title: str, office: str) -> None:
    items = sorted(s.overdue_items(), key=lambda o: (-o.days_late, o.unit, o.finding or 0, o.number or 0))
    _title(ws, f"{title}：逾期事项（共{len(items)}项）", office, s.today, OVERDUE_WIDTHS)
    numeric = [False, True, False, False, True, True, True, True]
    _table(ws, OVERDUE_HEADERS, (overdue_values(o) for o in items), OVERDUE_WIDTHS, numeric=numeric)


def _skipped_sheet(ws: Worksheet, s: Summary, title: str, office: str) -> None:
    _title(ws, f"{title}：未汇总的文件（共{len(s.not_summed)}份）", office, s.today, SKIPPED_WIDTHS)
    rows = [[n, x.path.name, x.reason, str(x.path)] for n, x in enumerate(s.not_summed, 1)]
    _table(ws, ("序号", "文件", "原因", "位置"), rows, SKIPPED_WIDTHS, numeric=[True, False, False, False])


def build_workbook(s: Summary, *, title: str = DEFAULT_TITLE, office: str = "") -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = SUMMARY_SHEET
    _summary_sheet(ws, s, title, office)
    _overdue_sheet(wb.create_sheet(OVERDUE_SHEET), s, title, office)
    _skipped_sheet(wb.create_sheet(SKIPPED_SHEET), s, title, office)
    return wb


def write_workbook(
    s: Summary,
    out: Path,
    *,
    title: str = DEFAULT_TITLE,
    office: str = "",
    ledgers: Iterable[str | os.PathLike[str]] = (),
) -> Path:
    """Writes the 汇总表 to `out`, whole or not at all, never onto a ledger (the inputs among them); returns it.
    Raises core.outfile.OutputError with the reason in Chinese."""
    out = Path(out)
    wb = build_workbook(s, title=title, office=office)
    inputs = [r.path for r in s.rows if r.source == "台账"]
    save_workbook(wb, out, title, Continuations(), office, s.today, notes=None, ledgers=[*ledgers, *inputs])
    return out


__all__ = ["build_workbook", "text_of", "write_workbook"]
