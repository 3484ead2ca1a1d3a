"""The 整改成效 sheet of the exported workbook: every 问责 and 资金 entry (core.models.Accountability and
MoneyEntry) on a row of its own, with the item it belongs to, so that the inspection office can check each
figure of the 统计 sheet against what it is made of. Rules and meetings have their own sheets (制度建设, 会议).

Written as the registers are (io.xlsx_tables._write_table_sheet): A4 landscape, the header repeated on every
page, all printed columns on the page width. Amounts are numbers holding the ledger's exact Decimal (see
io.xlsx_tables.amount_cell), so that the column adds up in Excel to what the ledger holds; dates are dates.

姓名: the names of the people held accountable are kept for the clerk and never printed in a public notice.
The workbook goes to the inspection office (巡察办), which is entitled to them and checks that a 问责 was
real; so the column is in the workbook, on screen, but stands last, outside the print area (as the 佐证材料
sheet keeps its SHA-256): a printout laid on a meeting's table does not carry them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from openpyxl.utils import get_column_letter

from rectify_desktop.core import results
from rectify_desktop.core.models import Accountability, Finding, Item, MoneyEntry
from rectify_desktop.io.xlsx_cells import DATE_FORMAT, Cell, Look, text_cell
from rectify_desktop.io.xlsx_sheet import Sheet
from rectify_desktop.io.xlsx_tables import (  # noqa: F401 - amount_cell re-exported for the callers
    AMOUNT_FORMAT,
    NOT_RECORDED,
    _write_table_sheet,
    amount_cell,
    item_label,
)

RESULTS_SHEET = "整改成效"
RESULTS_TITLE = "整改成效清单（问责、资金）"
RESULTS_HEADERS = ("序号", "类型", "类别", "人数", "金额（万元）", "日期", "问题编号", "细化问题", "备注", "姓名")
RESULTS_PRINTED = RESULTS_HEADERS.index("姓名")
# The printed nine at 100 % on A4 (148 units at most, as the 台账's), 姓名 on screen only. 类型 holds
# 尚未记录 on one line (the row of a sheet with no entry is measured in that column), 问题编号 13.（1）.
RESULTS_WIDTHS = (5, 8.5, 15, 7, 12, 10, 11, 40, 35, 20)
# What an entry of the whole inspection (a 民主生活会 of the unit) says in place of an item's number.
WHOLE = "（整体）"
_TITLE_CHARS = 40  # an item's title is there to recognise it by; the 台账 has it whole


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _TITLE_CHARS else text[: _TITLE_CHARS - 1] + "…"


def _items(inspection_id: int) -> dict[int, tuple[str, str]]:
    """Each item of the inspection: its number as the other sheets write it (1.（2）) and its title."""
    q = (
        Item.select(Item.id, Finding.number, Item.number, Item.title)
        .join(Finding)
        .where(Finding.inspection == inspection_id)
    )
    return {i: (item_label(f, n), t) for i, f, n, t in q.tuples()}


def results_cells(inspection_id: int, item_order: dict[int, int]) -> Iterable[list[Cell]]:
    """The sheet's rows: 问责 entries, then 资金; each in ledger order (the whole inspection's first), then
    the item's own order. One row saying 尚未记录 when there is none."""
    body, center = Look("台账正文"), Look("台账正文居中")
    date = Look("台账正文居中", number_format=DATE_FORMAT)
    amount = Look("台账正文居中", number_format=AMOUNT_FORMAT)
    items = _items(inspection_id)

    def order(row: Accountability | MoneyEntry) -> tuple[int, int, int]:
        at = -1 if row.item_id is None else item_order.get(row.item_id, len(item_order))
        return at, row.position or 0, row.id

    acc = sorted(Accountability.select().where(Accountability.inspection == inspection_id), key=order)
    money = sorted(MoneyEntry.select().where(MoneyEntry.inspection == inspection_id), key=order)
    if not acc and not money:
        yield [Cell(None, center), text_cell(NOT_RECORDED, body)] + [Cell(None, center)] * (len(RESULTS_HEADERS) - 2)
        return
    n = 0
    for entries in (acc, money):
        for e in entries:
            n += 1
            label, title = (WHOLE, "") if e.item_id is None else items.get(e.item_id, ("", ""))
            if isinstance(e, Accountability):
                kind, people, amount_of = "问责", Cell(e.people, center), Cell(None, amount)
                names = e.names
            else:
                kind, people, amount_of = "资金", Cell(None, center), amount_cell(results.amount_of(e), amount)
                names = ""
            yield [
                Cell(n, center),
                text_cell(kind, center),
                text_cell(e.kind, center),
                people,
                amount_of,
                Cell(e.date, date),
                text_cell(label, center),
                text_cell(_short(title), body),
                text_cell(e.note, body),
                text_cell(names, body),
            ]


def write_results(sheet: Sheet, unit: str, today: dt.date, inspection_id: int, item_order: dict[int, int]) -> None:
    """The 整改成效 sheet, always there (a workbook of the inspection office's has the same sheets from every
    unit), saying 尚未记录 when nothing is recorded."""
    rows = list(results_cells(inspection_id, item_order))
    _write_table_sheet(
        sheet, RESULTS_TITLE, unit, today, RESULTS_HEADERS, RESULTS_WIDTHS, rows, printed=RESULTS_PRINTED
    )
    if rows[0][0].value is None:  # 尚未记录 across the printed columns, on one line
        sheet.merge(f"B4:{get_column_letter(RESULTS_PRINTED)}4")
