"""The 可筛选 sheet of the exported workbook: the ledger one row per item, nothing merged, for sorting and
filtering on screen.

The 台账 sheet is laid out for paper: categories and findings as rows across the table above their items,
repeated atop each page (io.xlsx_ledger_sheet). Excel cannot sort a range with merged cells, and a filter
there loses the rows that say what an item is about. Here every row carries its own 方面 and 问题, the
status and the completion date apart, the deadline a date where it is one, 是否逾期 as a word, and the
header has a filter; each row one line high, a cell's whole text in the formula bar. The import reads the 台账
and leaves this sheet, as it does 统计.
"""

from __future__ import annotations

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from rectify_desktop.core.models import STATUSES
from rectify_desktop.core.table import LedgerTable
from rectify_desktop.io.xlsx_cells import (
    BODY_FONT,
    DATE_FORMAT,
    MAX_CELL_CHARS,
    Cell,
    Look,
    Row,
    Value,
    excel_cut,
    excel_length,
    row_height,
    text_cell,
)
from rectify_desktop.io.xlsx_ledger_sheet import ledger_values
from rectify_desktop.io.xlsx_sheet import Sheet

FLAT_SHEET = "可筛选"
FLAT_COLUMNS: tuple[tuple[str, str, float], ...] = (  # key, header, width
    ("seq", "序号", 6),
    ("category", "方面", 20),
    ("finding", "问题", 30),
    ("item", "细化问题", 36),
    ("measures", "整改措施", 36),
    ("leader", "责任领导", 10),
    ("department", "责任部门", 12),
    ("person", "责任人", 9),
    ("deadline", "整改时限", 16),
    ("progress", "整改进展", 36),
    ("status", "完成情况", 10),
    ("completed", "完成时间", 16),
    ("overdue", "是否逾期", 9),
    ("evidence", "佐证材料", 24),
    ("writeoff", "销号情况", 12),
    ("remarks", "备注", 16),
)
# Printed, the sheet is only its title and this note: one line a row would cut every long text, and the whole
# workbook printed would otherwise add its rows at 5 pt after the 台账 (the office files the 台账 itself).
FLAT_NOTE = "本表每项一行、不合并单元格，供在屏幕上筛选、排序，打印时只印此说明；报送、打印请用“台账”表。"
_WHOLE_IN_LEDGER = "……（未完，全文见“台账”表）"
_ONE_LINE = row_height(1, BODY_FONT)


def _screen_text(value: str) -> str:
    """A text as a cell holds it; one longer than Excel allows says where it is whole (the 台账 and its 续
    sheet), instead of being carried on a second time."""
    if len(value) * 2 <= MAX_CELL_CHARS or excel_length(value) <= MAX_CELL_CHARS:
        return value
    return excel_cut(value, MAX_CELL_CHARS - excel_length(_WHOLE_IN_LEDGER))[0] + _WHOLE_IN_LEDGER


def _write_flat(sheet: Sheet, table: LedgerTable) -> None:
    widths = [w for _, _, w in FLAT_COLUMNS]
    n = len(widths)
    sheet.columns(widths)
    sheet.dimension(3 + len(table.rows))
    sheet.print_setup(3, repeat_from=3)
    sheet.add(Row([text_cell(table.title, Look("台账标题"))], 30.0))
    sheet.merge(f"A1:{get_column_letter(n)}1")
    sheet.add(Row([text_cell(FLAT_NOTE, Look("台账说明"))], 20.0))
    sheet.merge(f"A2:{get_column_letter(n)}2")
    header = Look("台账表头")
    sheet.headers = tuple(h for _, h, _ in FLAT_COLUMNS)
    sheet.add(Row([text_cell(h, header) for h in sheet.headers], 24.0))
    text, center = Look("台账筛选"), Look("台账筛选", horizontal="center")
    date = Look("台账筛选", horizontal="center", number_format=DATE_FORMAT)
    centered = {"seq", "leader", "department", "person", "deadline", "status", "completed", "overdue", "writeoff"}
    for r, values in zip(table.rows, ledger_values(table), strict=True):
        values = dict(values)
        values["category"], values["finding"] = r.cells["category"], r.cells["finding"]
        values["overdue"] = "是" if r.overdue else ""
        cells: list[Cell] = []
        for key, _, _ in FLAT_COLUMNS:
            value: Value = values[key]
            if isinstance(value, str):
                cells.append(text_cell(_screen_text(value), center if key in centered else text))
            else:
                cells.append(Cell(value, center if key == "seq" else date))
        sheet.add(Row(cells, _ONE_LINE))
    last = 3 + len(table.rows)
    sheet.ws.print_area = f"A1:{get_column_letter(n)}2"
    sheet.ws.print_title_rows = None
    sheet.ws.auto_filter.ref = f"A3:{get_column_letter(n)}{max(last, 3)}"
    if table.rows:
        status = get_column_letter([k for k, _, _ in FLAT_COLUMNS].index("status") + 1)
        dv = DataValidation(
            type="list",
            formula1='"' + ",".join(STATUSES) + '"',
            allow_blank=True,
            showErrorMessage=True,
            errorStyle="stop",
            errorTitle="完成情况",
            error="完成情况应为：" + "、".join(STATUSES) + "。",
        )
        dv.add(f"{status}4:{status}{last}")
        sheet.ws.data_validations.append(dv)
