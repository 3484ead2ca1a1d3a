"""The 台账 sheet of the exported workbook: the ledger of DOMAIN.md as :mod:`rectify_desktop.core.table` lays
it out, with column widths fitted to the text within the width of an A4 landscape page, row heights that fit
the wrapped text, category and finding cells merged over their items, overdue rows marked, and a drop-down
list of the statuses.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from rectify_desktop.core.models import STATUSES
from rectify_desktop.core.table import COLUMNS, KEYS, LedgerTable
from rectify_desktop.io.xlsx_cells import (
    BODY_FONT,
    HEADER_FONT,
    LEDGER_HEADER_ROWS,
    MAX_ROW_HEIGHT,
    OVERDUE_FILL,
    Look,
    natural_width,
    next_width,
    row_height,
    text_width,
    wrap_capacity,
)
from rectify_desktop.io.xlsx_sheet import Sheet, _header_row, _title_rows

# The ledger's columns: width limits in Excel units (the layout fits the text between them, then narrows
# the long-text columns until the table fits the page), and horizontal alignment.
_LEDGER_COLUMNS: dict[str, tuple[float, float, str]] = {
    "seq": (4.5, 6, "center"),
    "category": (8, 13, "left"),
    "finding": (10, 18, "left"),
    "item": (12, 22, "left"),
    "measures": (18, 36, "left"),
    "leader": (6, 10, "center"),
    "department": (7, 11, "center"),
    "person": (6, 9, "center"),
    "deadline": (8, 10, "center"),
    "progress": (14, 30, "left"),
    "status": (8, 10, "center"),
    "evidence": (8, 18, "left"),
    "writeoff": (6, 10, "center"),
    "remarks": (6, 14, "left"),
}
# What the ledger's columns may take together: A4 landscape with 1 cm side margins takes 1046 px; at
# 7 px a unit and 5 px more a column, 158 units print at 89 %, body text at about 9.3 pt.
LEDGER_WIDTH_BUDGET = 158.0


# --- the 台账 sheet ----------------------------------------------------------------------------------


_WRAPPING = ("category", "finding", "item", "measures", "progress", "evidence", "remarks")
_MERGED = ("category", "finding")
_FIT_SAMPLE = 400  # rows the widths are fitted on; a large ledger is sampled evenly

LineWidths = int | tuple[int, ...]  # a text's width, or the widths of its lines when it has several


def measure_column(texts: Sequence[str]) -> list[LineWidths]:
    """The widths of a column's texts, measured once for both the column's width and the rows' heights."""
    out: list[LineWidths] = [2 * len(t) - len(t.encode("ascii", errors="ignore")) for t in texts]
    for i, t in enumerate(texts):
        if "\n" in t:
            out[i] = tuple(text_width(line) for line in t.split("\n"))
    return out


def lines_at(widths: Sequence[LineWidths], capacity: int) -> list[int]:
    """Lines each measured text takes when wrapped at `capacity` half-width characters."""
    return [
        (-(-w // capacity) or 1) if type(w) is int else sum(-(-x // capacity) or 1 for x in w)  # type: ignore[operator]
        for w in widths
    ]


def _widest(widths: Sequence[LineWidths]) -> int:
    return max((w if type(w) is int else max(w) for w in widths), default=0)  # type: ignore[type-var]


def _ledger_widths(table: LedgerTable, measured: dict[str, list[LineWidths]]) -> list[float]:
    """Column widths that fit the text within the page width.

    Short columns (names, dates, statuses) get the width of their longest text, within their limits. The
    page width left is then handed out to the long-text column whose widening shortens the rows most for
    the width it takes, until the page is full or no row gets shorter.
    """
    rows = table.rows
    widths: list[float] = []
    for key, header in zip(KEYS, COLUMNS, strict=True):
        lo, hi, _ = _LEDGER_COLUMNS[key]
        # Headers are short (two to four characters) and stay on one line: "责任领/导" would not do.
        head = natural_width(text_width(header), HEADER_FONT)
        if key in _WRAPPING:
            widths.append(max(lo, head))
        else:
            widths.append(min(max(natural_width(_widest(measured[key]), BODY_FONT), head, lo), hi))

    # The long texts of a sample of rows, as line widths; a merged cell's lines are shared by its rows.
    sample = range(0, len(rows), max(1, len(rows) // _FIT_SAMPLE))
    shared = {key: {s.first: s.last - s.first + 1 for s in table.spans(key)} for key in _MERGED}
    texts: list[list[tuple[tuple[int, ...], int]]] = []  # per wrapping column, per sample row
    for key in _WRAPPING:
        column = []
        for i in sample:
            w = measured[key][i]
            rows_sharing = shared[key].get(i, 0) if key in shared else 1
            if not rows_sharing or not w:
                column.append(((), 1))
            else:
                column.append(((w,) if type(w) is int else w, rows_sharing))  # type: ignore[arg-type]
        texts.append(column)

    def cost(col: int, width: float) -> list[float]:
        cap = wrap_capacity(width, BODY_FONT)
        return [sum(max(1.0, w / cap) for w in lines) / n for lines, n in texts[col]]

    cols = [KEYS.index(k) for k in _WRAPPING]
    lines = [cost(c, widths[cols[c]]) for c in range(len(cols))]
    left = LEDGER_WIDTH_BUDGET - sum(widths)
    n = len(sample)
    while n:
        # Each row's tallest column and the height of the next tallest: what widening that column gains.
        top, arg, second = [1.0] * n, [-1] * n, [1.0] * n
        for c, col in enumerate(lines):
            for r, v in enumerate(col):
                if v > top[r]:
                    top[r], second[r], arg[r] = v, top[r], c
                elif v > second[r]:
                    second[r] = v
        best, best_rate, best_width, best_lines = -1, 1e-6, 0.0, None
        for c, k in enumerate(_WRAPPING):
            now = widths[cols[c]]
            wider = next_width(now, BODY_FONT)  # one more Chinese character a line
            if wider > _LEDGER_COLUMNS[k][1] or wider - now > left:
                continue
            new = cost(c, wider)
            rate = sum(top[r] - max(second[r], new[r]) for r in range(n) if arg[r] == c) / (wider - now)
            if rate > best_rate:
                best, best_rate, best_width, best_lines = c, rate, wider, new
        if best_lines is None:
            break
        left -= best_width - widths[cols[best]]
        widths[cols[best]] = best_width
        lines[best] = best_lines
    return [round(w, 1) for w in widths]


def _ledger_heights(table: LedgerTable, measured: dict[str, list[LineWidths]], widths: Sequence[float]) -> list[float]:
    """Each item row's height: the tallest wrapped cell, and enough for the merged cells it shares."""
    caps = {k: wrap_capacity(w, BODY_FONT) for k, w in zip(KEYS, widths, strict=True)}
    per_column = [lines_at(measured[k], caps[k]) for k in KEYS if k not in _MERGED]
    heights = [row_height(n, BODY_FONT) for n in map(max, *per_column)] if table.rows else []
    for key in _MERGED:
        for span in table.spans(key):
            w = measured[key][span.first]
            need = row_height(lines_at([w], caps[key])[0], BODY_FONT)
            have = sum(heights[span.first : span.last + 1])
            if need > have:
                extra = (need - have) / (span.last - span.first + 1)
                for i in range(span.first, span.last + 1):
                    heights[i] = min(MAX_ROW_HEIGHT, round(heights[i] + extra + 0.05, 1))
    return heights


def _write_ledger(sheet: Sheet, table: LedgerTable, unit: str, today: dt.date, tick: Callable[[int], None]) -> None:
    measured = {k: measure_column([r.cells[k] for r in table.rows]) for k in KEYS}
    widths = _ledger_widths(table, measured)
    heights = _ledger_heights(table, measured, widths)
    sheet.columns(widths)
    sheet.dimension(LEDGER_HEADER_ROWS + len(table.rows))
    sheet.print_setup(LEDGER_HEADER_ROWS)
    _title_rows(sheet, table.title, unit, today, widths, legend=True)
    _header_row(sheet, COLUMNS, widths, Look("台账表头"))
    aligns = [_LEDGER_COLUMNS[k][2] for k in KEYS]
    # Category and finding cells are merged over their items and may run over a page break: their text
    # sits at the top, so that it prints on the page where the category or finding begins.
    plain = [
        Look("台账正文居中" if a == "center" else "台账正文", vertical="top" if k in ("category", "finding") else None)
        for k, a in zip(KEYS, aligns, strict=True)
    ]
    # Overdue rows are marked in their own cells; a merged category or finding cell stands for all its
    # items and stays as it is.
    marked = [
        lk if k in _MERGED else dataclasses.replace(lk, fill=OVERDUE_FILL) for k, lk in zip(KEYS, plain, strict=True)
    ]
    # Each look and its quote-prefixed twin (for text Excel would take for a formula), made once.
    looks = {False: list(zip(plain, [dataclasses.replace(lk, quote=True) for lk in plain], strict=True))}
    looks[True] = list(zip(marked, [dataclasses.replace(lk, quote=True) for lk in marked], strict=True))
    first_row = LEDGER_HEADER_ROWS + 1
    seq_col = KEYS.index("seq")
    for i, (r, h) in enumerate(zip(table.rows, heights, strict=True)):
        sheet.add_texts(r.values(), looks[r.overdue], h, number_at=seq_col)
        if i % 200 == 0:
            tick(i)
    for key in ("category", "finding"):
        letter = get_column_letter(KEYS.index(key) + 1)
        for span in table.spans(key):
            if span.last > span.first:
                sheet.merge(f"{letter}{span.first + first_row}:{letter}{span.last + first_row}")
    if table.rows:
        last = first_row + len(table.rows) - 1
        status = get_column_letter(KEYS.index("status") + 1)
        dv = DataValidation(
            type="list",
            formula1='"' + ",".join(STATUSES) + '"',
            allow_blank=True,
            showErrorMessage=True,
            errorStyle="warning",
            errorTitle="完成情况",
            error="完成情况应为：未启动、正在推进、已完成、长期坚持。已完成的可注明完成日期，"
            "如“已完成（2026年7月16日）”。是否保留输入的内容？",
            showInputMessage=True,
            promptTitle="完成情况",
            prompt="请从下拉列表中选择；已完成的可在后面注明完成日期。",
        )
        dv.add(f"{status}{first_row}:{status}{last}")
        sheet.ws.data_validations.append(dv)
        sheet.ws.auto_filter.ref = f"A{LEDGER_HEADER_ROWS}:{get_column_letter(len(KEYS))}{last}"
