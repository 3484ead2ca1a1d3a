"""Excel export (导出Excel): the ledger the inspection office expects, as one .xlsx workbook.

Sheets: 台账 (the ledger of DOMAIN.md, from :mod:`rectify_desktop.core.table`, laid out for paper), 可筛选
(the same, one row per item and nothing merged, to sort and filter), 统计 (the figures of
:mod:`rectify_desktop.core.stats`, by category and by department, and 整改成效), 佐证材料, 制度建设, 会议 and
整改成效 (every 问责 and 资金 entry). Every sheet is set up to print on A4 landscape, all columns on the page
width, the header repeated on every page and "第 X 页 共 Y 页" at the foot.

Text is always written as text: a finding titled "=HYPERLINK(...)" stays a title, never a formula, and is
marked with Excel's quote prefix so that editing it in Excel does not turn it into one. Control characters
that Excel rejects are dropped.

This module puts the workbook together and writes it (:func:`export_workbook`, the command line); the parts
are in modules of their own, and what callers import from here is re-exported:

    xlsx_cells          fonts, fills, limits, text measuring and cleaning, named styles, Cell and Row
    xlsx_sheet          one write-only sheet (the fast row writer, print set-up, title and header rows)
    xlsx_continuations  the 续 sheet: texts longer than a cell holds, carried on instead of cut
    xlsx_ledger_sheet   the 台账 sheet (column widths fitted to the page, row heights, pages, signatures)
    xlsx_flat_sheet     the 可筛选 sheet (one row per item, for sorting and filtering)
    xlsx_tables         the 统计 sheet and the registers 佐证材料, 制度建设, 会议
    xlsx_results        the 整改成效 sheet (every 问责 and 资金 entry with its item)
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sqlite3
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

from openpyxl import Workbook
from openpyxl.utils.indexed_list import IndexedList
from peewee import PeeweeException

from rectify_desktop.core import lists, outfile, stats, storage
from rectify_desktop.core.models import Inspection, db
from rectify_desktop.core.table import LedgerTable, build_table, cn_date

# What the rest of the program and the tests import from here, wherever it now lives.
from rectify_desktop.io.xlsx_cells import (  # noqa: F401 - re-exported for the callers
    BODY_FONT,
    BORDER,
    CELL_PADDING_PT,
    DATE_FORMAT,
    DEFAULT_FONT,
    FOOTER,
    FORMULA_START,
    HASH_FONT,
    HEADER_FILL,
    HEADER_FONT,
    INFO_FONT,
    LEDGER_HEADER_ROWS,
    LINE_SPACING,
    MAX_CELL_CHARS,
    MAX_ROW_HEIGHT,
    NAMED_STYLES,
    OVERDUE_FILL,
    OVERDUE_LEGEND,
    OVERDUE_MARK,
    SECTION_FONT,
    TITLE_FONT,
    TOTAL_FILL,
    UNIT_PX,
    Cell,
    Look,
    Row,
    Value,
    _Styles,
    clean_text,
    excel_cut,
    excel_length,
    excel_pieces,
    line_count,
    looks_like_formula,
    natural_width,
    next_width,
    row_height,
    text_cell,
    text_width,
    wrap_capacity,
)
from rectify_desktop.io.xlsx_continuations import (  # noqa: F401 - re-exported for the callers
    CONTINUATION_HEADERS,
    CONTINUATION_SHEET,
    CONTINUED_MARK,
    PRINTABLE_PIECE,
    Carried,
    Continuations,
    _continuation_cells,
)
from rectify_desktop.io.xlsx_flat_sheet import FLAT_SHEET, _write_flat  # noqa: F401 - re-exported
from rectify_desktop.io.xlsx_ledger_sheet import (  # noqa: F401 - re-exported for the callers
    LEDGER_HEADERS,
    LEDGER_KEYS,
    LEDGER_WIDTH_BUDGET,
    SEAL,
    SIGNATURES,
    LineWidths,
    _write_ledger,
    lines_at,
    measure_column,
)
from rectify_desktop.io.xlsx_results import RESULTS_SHEET, write_results
from rectify_desktop.io.xlsx_sheet import _FAST_ROWS_AVAILABLE, Sheet
from rectify_desktop.io.xlsx_tables import (  # noqa: F401 - re-exported for the callers
    EVIDENCE_HEADERS,
    EVIDENCE_PRINTED,
    GROUP_HEADERS,
    HAS_FILE,
    INSTITUTION_HEADERS,
    MEETING_HEADERS,
    NO_FILE,
    SUMMARY_LABELS,
    EvidenceRow,
    _evidence_cells,
    _institution_cells,
    _meeting_cells,
    _write_stats,
    _write_table_sheet,
    evidence_rows,
    item_label,
)

Progress = Callable[[int, int], None]
SHEET_NAMES = ("台账", "可筛选", "统计", "佐证材料", "制度建设", "会议", RESULTS_SHEET)


class ExportError(outfile.OutputError):
    """The workbook could not be written; the message is for the clerk, in Chinese."""


# Whether rows go to openpyxl's sheet writer as whole elements (see io.xlsx_sheet). Tests turn it off to
# check that the public path writes the same workbook; it is read here, when a workbook is begun, so that
# setting it on this module takes effect.
FAST_ROWS = True


# --- the workbook -----------------------------------------------------------------------------------


def _set_default_font(wb: Workbook) -> None:
    """The workbook's default font, whose digit width is the unit of column widths.

    Arial 10 has the same 7-pixel digits as Excel's Calibri 11, is on every Windows machine, and has a twin
    of the same metrics on Linux (Liberation Sans), so the columns measure the same in Excel, WPS and
    LibreOffice and the row heights computed here fit in all of them. Every cell names its own font.
    """
    fonts = getattr(wb, "_fonts", None)
    if isinstance(fonts, IndexedList) and len(fonts) == 1:
        wb._fonts = IndexedList([DEFAULT_FONT])


def _fast_rows() -> bool:
    return FAST_ROWS and _FAST_ROWS_AVAILABLE


def build_workbook(
    inspection_id: int, today: dt.date, progress: Progress | None = None, notes: list[str] | None = None
) -> tuple[Workbook, int]:
    """The workbook of one inspection, not yet saved; and the number of its items. What the clerk must be
    told about it (texts carried on to the 续 sheet) is added to `notes`."""
    insp = Inspection.get_or_none(Inspection.id == inspection_id)
    if insp is None:
        raise ExportError(f"台账中没有编号为 {inspection_id} 的巡察")
    table = build_table(inspection_id, today=today)
    total = len(table.rows) + 1

    def tick(done: int) -> None:
        if progress is not None:
            progress(done, total)

    tick(0)
    wb = Workbook(write_only=True)
    try:
        carried = _fill_workbook(wb, insp, table, today, tick)
    except BaseException:
        _discard(wb)
        raise
    if notes is not None:
        notes += carried
    return wb, len(table.rows)


def _fill_workbook(
    wb: Workbook, insp: Inspection, table: LedgerTable, today: dt.date, tick: Callable[[int], None]
) -> list[str]:
    inspection_id = insp.id
    fast = _fast_rows()
    _set_default_font(wb)
    title = clean_text(table.title)
    wb.properties.title = title
    wb.properties.subject = "整改落实台账"
    wb.properties.creator = "整改台账"
    wb.properties.lastModifiedBy = "整改台账"
    wb.properties.description = f"由整改台账导出，填报日期{cn_date(today)}"
    unit = lists.reporting_unit(insp.id)  # the setting 填报单位 when set, else the inspected unit

    sheets = {name: Sheet(wb, name, fast) for name in SHEET_NAMES}
    styles = _Styles(wb, sheets["台账"].ws)
    continuations = Continuations()
    for sheet in sheets.values():
        sheet.styles = styles
        sheet.continuations = continuations
    _write_ledger(sheets["台账"], table, unit, today, tick)
    _write_flat(sheets["可筛选"], table)
    _write_stats(sheets["统计"], table, stats.compute(inspection_id, today), insp, today)
    order = {r.item_id: i for i, r in enumerate(table.rows)}
    _write_table_sheet(
        sheets["佐证材料"],
        "佐证材料清单",
        unit,
        today,
        EVIDENCE_HEADERS,
        [5, 9, 24, 28, 8, 12, 16, 9, 18, 11, 31],  # the printed nine at 100 % on A4, 文号 widened to its longest
        _evidence_cells(evidence_rows(inspection_id, order)),
        printed=EVIDENCE_PRINTED,
    )
    _write_table_sheet(
        sheets["制度建设"],
        "制度建设清单",
        unit,
        today,
        INSTITUTION_HEADERS,
        [6, 46, 24, 16, 26, 20],
        _institution_cells(inspection_id),
    )
    _write_table_sheet(
        sheets["会议"],
        "整改会议清单",
        unit,
        today,
        MEETING_HEADERS,
        [6, 14, 16, 52, 26, 20],
        _meeting_cells(inspection_id),
    )
    write_results(sheets[RESULTS_SHEET], unit, today, inspection_id, order)
    if continuations.pieces:
        sheet = sheets[CONTINUATION_SHEET] = Sheet(wb, CONTINUATION_SHEET, fast)
        sheet.styles = styles
        _write_table_sheet(
            sheet,
            "续表：单元格容纳不下的文字（接在原单元格的文字之后）",
            unit,
            today,
            CONTINUATION_HEADERS,
            [6, 12, 12, 14, 100],
            _continuation_cells(continuations.pieces),
            landscape=False,
        )
    for sheet in sheets.values():
        sheet.flush()
    return continuations.notes


def _discard(wb: Workbook) -> None:
    """Closes the sheets of a workbook that will not be saved, and removes their temporary files."""
    for ws in wb.worksheets:
        writer = getattr(ws, "_writer", None)
        if writer is None:
            continue
        try:
            if not ws.closed:
                ws.close()
            writer.cleanup()
        except Exception:  # noqa: BLE001 - tidying up after a failure must not hide it
            pass


def export_workbook(
    inspection_id: int,
    out: Path,
    *,
    today: dt.date | None = None,
    progress: Progress | None = None,
    ledgers: Iterable[str | os.PathLike[str]] = (),
    notes: list[str] | None = None,
) -> Path:
    """Writes the inspection's workbook to `out`, whole or not at all; returns `out`.

    The ledger must be open (Ledger.open); `ledgers` names the ledger file it was opened from, which the
    export refuses to write onto (as it does the open ledger and any other ledger file). The workbook is
    written beside `out` under another name, with openpyxl's own temporary files in a folder beside it too,
    and moved into place when complete (core.outfile): a failure leaves any earlier file as it was. What
    the clerk must be told about the workbook (a text carried on to the 续 sheet) is added to `notes`.
    """
    out = Path(out)
    today = today or dt.date.today()
    if db.is_closed():
        raise ExportError("台账没有打开，无法导出")
    carried: list[str] = []
    try:
        with outfile.atomic_output(out, ledgers=ledgers, kind="xlsx") as tmp:
            # Built inside: openpyxl's write-only sheets write their rows to temporary files as they go.
            wb, n_items = build_workbook(inspection_id, today, progress, carried)
            try:
                wb.save(tmp)
            except BaseException:
                _discard(wb)
                raise
    except outfile.OutputError as exc:
        raise ExportError(str(exc)) from exc
    if notes is not None:
        notes += carried
    if progress is not None:
        progress(n_items + 1, n_items + 1)
    return out


# --- command line -----------------------------------------------------------------------------------


def cli_export(ledger_path: Path, out: Path, args: argparse.Namespace) -> int:
    """`rectify-desktop export LEDGER OUT.xlsx [--inspection ID]`."""
    from rectify_desktop.core.ledger import Ledger

    try:
        with Ledger.open(ledger_path, readonly=True) as ledger:
            wanted = ledger.pick_inspection(getattr(args, "inspection", None))
            notes: list[str] = []
            export_workbook(wanted, out, ledgers=[ledger_path], notes=notes)
            n = len(stats.item_rows(int(wanted)))
    except storage.LedgerError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    except (sqlite3.DatabaseError, PeeweeException) as exc:
        print(f"错误：台账文件已损坏，无法读取（{exc}）", file=sys.stderr)
        return 1
    print(f"已导出 Excel 台账（{n} 项细化问题）：{out}")
    for note in notes:
        print(f"注意：{note}")
    return 0
