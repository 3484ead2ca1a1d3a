"""One write-only sheet of the exported workbook (:class:`Sheet`): columns, rows, merged cells, print set-up,
and the title, 填报 and header rows every sheet begins with.

The workbook is written with openpyxl in write-only mode. Rows are laid out first (values, one shared style
per kind of cell, column widths and row heights that fit the wrapped text: neither Excel nor LibreOffice
fits the height of rows it did not lay out itself), then streamed. A 10,000-item ledger has 140,000 cells;
openpyxl's own path makes two cell objects per value and writes each cell element by element, four times
what xlsxwriter needs for the same cells. So :class:`Sheet` hands openpyxl's sheet writer whole ``<row>``
elements (made from markup a few hundred rows at a time with lxml, node by node with the standard library's
ElementTree); openpyxl still writes everything else (styles, merged cells, validation, print set-up). Where
the parts of openpyxl this builds on are not as expected, the same rows go through its public cell API:
slower, the same file (``tests/io/test_xlsx_export.py`` compares the two; the switch is
``xlsx_export.FAST_ROWS``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from openpyxl import LXML, Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet

from rectify_desktop.core.table import cn_date
from rectify_desktop.io.xlsx_cells import (
    BODY_FONT,
    FOOTER,
    FORMULA_START,
    HEADER_FONT,
    INFO_FONT,
    MAX_CELL_CHARS,
    OVERDUE_FILL,
    OVERDUE_LEGEND,
    TITLE_FONT,
    Cell,
    Look,
    Row,
    Value,
    _Styles,
    clean_text,
    excel_length,
    line_count,
    natural_width,
    row_height,
    text_cell,
    text_width,
    wrap_capacity,
)
from rectify_desktop.io.xlsx_continuations import Continuations

try:  # the parts of openpyxl the fast path builds on; checked, not assumed
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet
    from openpyxl.worksheet._writer import WorksheetWriter
    from openpyxl.xml.functions import Element, SubElement

    if LXML:  # the markup parsed is the export's own, never a file's
        from lxml.etree import fromstring as _parse_markup

    _FAST_ROWS_AVAILABLE = all(
        callable(getattr(cls, name, None))
        for cls, name in (
            (WriteOnlyWorksheet, "_values_to_row"),
            (WriteOnlyWorksheet, "_get_writer"),
            (WorksheetWriter, "write_row"),
            (WorksheetWriter, "write_top"),
            (Workbook, "_add_sheet"),
        )
    )
except ImportError:  # pragma: no cover - another openpyxl
    _FAST_ROWS_AVAILABLE = False

# A4's margins, in inches: narrow at the sides, so that the ledger's columns print at 100 %; the foot holds
# the page number.
# The top margin only clears the printer's edge (no page header); the bottom holds the page number.
MARGINS = PageMargins(left=0.2, right=0.2, top=0.25, bottom=0.4, header=0.2, footer=0.2)
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def _t(text: str) -> str:
    """A cell text as a ``<t>`` element's markup."""
    space = ' xml:space="preserve"' if text[0].isspace() or text[-1].isspace() else ""
    return f"<t{space}>" + text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") + "</t>"


def _number(value: Value) -> str:
    """A number or date as a cell's ``<v>``: dates as Excel's day numbers."""
    if isinstance(value, dt.date):
        value = to_excel(value)
    return repr(value) if isinstance(value, float) else str(value)


class _ElementRow(tuple):
    """A row already made into a ``<row>`` element, passed through openpyxl's write-only sheet as is."""

    __slots__ = ()

    @property
    def element(self) -> Any:
        return self[0]


if _FAST_ROWS_AVAILABLE:

    class _RowWriter(WorksheetWriter):
        def write_row(self, xf: Any, row: Any, row_idx: int) -> None:
            if isinstance(row, _ElementRow):
                xf.write(row.element)
            else:
                super().write_row(xf, row, row_idx)

    class _RowSheet(WriteOnlyWorksheet):
        """A write-only sheet that also takes whole row elements."""

        def _get_writer(self) -> None:
            if self._writer is None:
                self._writer = _RowWriter(self)
                self._writer.write_top()

        def _values_to_row(self, values: Any, row_idx: int) -> Any:
            if isinstance(values, _ElementRow):
                return values
            return super()._values_to_row(values, row_idx)


_LONG = MAX_CELL_CHARS // 2  # below this many characters a text fits whatever they are


class Sheet:
    """One write-only sheet: set up its columns and page, then add rows in order."""

    def __init__(self, wb: Workbook, title: str, fast: bool) -> None:
        self.fast = fast
        if fast:
            self.ws = _RowSheet(parent=wb, title=title)
            wb._add_sheet(self.ws)
        else:
            self.ws = wb.create_sheet(title)
        self.styles: _Styles | None = None
        self.rows = 0
        self._letters: list[str] = []
        # The column names of the table, for telling the clerk which cell a long text was in.
        self.headers: Sequence[str] = ()
        self.continuations = Continuations()
        self._pending: list[str] = []  # rows made as markup, not yet given to openpyxl
        self.heights: list[float] = []  # of the rows added, for laying out pages (0 where not set)

    def columns(self, widths: Sequence[float]) -> None:
        self._letters = [get_column_letter(i) for i in range(1, len(widths) + 1)]
        for letter, w in zip(self._letters, widths, strict=True):
            self.ws.column_dimensions[letter].width = round(w, 2)

    def dimension(self, rows: int) -> None:
        """The sheet's extent, for readers that size a sheet before reading it; before the first row."""
        ref = f"A1:{get_column_letter(max(1, len(self._letters)))}{max(1, rows)}"
        self.ws.calculate_dimension = lambda: ref

    def merge(self, ref: str) -> None:
        # Straight into the set: MultiCellRange.add compares each range with all the others, which takes
        # seconds for the thousands of findings of a large ledger; these ranges never overlap.
        self.ws.merged_cells.ranges.add(CellRange(ref))

    def _fit(self, text: str, col: int) -> str:
        """`text` as the cell at `col` of the current row can hold it (see :class:`Continuations`)."""
        if len(text) <= _LONG or excel_length(text) <= MAX_CELL_CHARS:
            return text
        column = self.headers[col] if col < len(self.headers) else "标题"
        return self.continuations.carry(f"{self.ws.title}!{self._ref(col, str(self.rows))}", column, text)

    def add(self, row: Row) -> None:
        self.rows += 1
        self.heights.append(row.height or 0.0)
        if any(type(v) is str and len(v) > _LONG for v, _ in row.cells):
            row = Row(
                [Cell(self._fit(v, i), lk) if type(v) is str else Cell(v, lk) for i, (v, lk) in enumerate(row.cells)],
                row.height,
            )
        if self.fast and LXML:
            self._queue(self._markup(row, self.rows))
        elif self.fast:
            self.ws.append(_ElementRow((self._element(row, self.rows),)))
        else:
            self._append_cells(row)

    def add_texts(
        self, values: Sequence[object], looks: Sequence[tuple[Look, Look]], height: float, number_at: int = -1
    ) -> None:
        """A row of texts, each as :func:`text_cell` makes it (`looks` gives each column's look and its
        quote-prefixed twin); the column `number_at` as a whole number when it is one.

        The same as :meth:`add`, in one pass over the cells where a large ledger spends its time.
        """
        if not (self.fast and LXML):
            cells = []
            for value, (look, quoted) in zip(values, looks, strict=True):
                text = clean_text(value)
                cells.append(Cell(text, quoted if text.startswith(FORMULA_START) else look))
            if number_at >= 0 and str(cells[number_at].value).isdigit():
                cells[number_at] = Cell(int(str(cells[number_at].value)), cells[number_at].look)
            self.add(Row(cells, height))
            return
        assert self.styles is not None
        self.rows += 1
        self.heights.append(height)
        suffix = str(self.rows)
        known, xf = self.styles.by_identity, self.styles.xf
        parts = [f'<row r="{suffix}" ht="{height}" customHeight="1">']
        for i, (value, (look, quoted)) in enumerate(zip(values, looks, strict=True)):
            text = clean_text(value)
            if len(text) > _LONG:
                text = self._fit(text, i)
            if text.startswith(FORMULA_START):
                look = quoted
            s = known.get(id(look)) or xf(look)
            ref = self._letters[i] + suffix
            if not text:
                parts.append(f'<c r="{ref}" s="{s}"/>')
            elif i == number_at and text.isdigit():
                parts.append(f'<c r="{ref}" s="{s}"><v>{int(text)}</v></c>')
            else:
                parts.append(f'<c r="{ref}" s="{s}" t="inlineStr"><is>{_t(text)}</is></c>')
        parts.append("</row>")
        self._queue("".join(parts))

    def flush(self) -> None:
        """Hands the rows made so far to openpyxl; call when the sheet is complete."""
        if self._pending:
            # lxml parses a few hundred rows of markup at once faster than it builds them node by node.
            for element in _parse_markup("<rows>" + "".join(self._pending) + "</rows>"):
                self.ws.append(_ElementRow((element,)))
            self._pending.clear()

    def _queue(self, markup: str) -> None:
        self._pending.append(markup)
        if len(self._pending) >= 256:
            self.flush()

    def _append_cells(self, row: Row) -> None:
        """The row through openpyxl's public cell API."""
        if row.height is not None:
            self.ws.row_dimensions[self.rows].height = row.height
        cells = []
        for value, look in row.cells:
            if value == "":
                value = None
            cell = WriteOnlyCell(self.ws, value)
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
            look.apply(cell)
            cells.append(cell)
        self.ws.append(cells)

    def _ref(self, i: int, suffix: str) -> str:
        return (self._letters[i] if i < len(self._letters) else get_column_letter(i + 1)) + suffix

    def _markup(self, row: Row, r: int) -> str:
        """The row as SpreadsheetML markup."""
        assert self.styles is not None
        xf = self.styles.xf
        suffix = str(r)
        height = f' ht="{row.height}" customHeight="1"' if row.height is not None else ""
        parts = [f'<row r="{suffix}"{height}>']
        for i, (value, look) in enumerate(row.cells):
            ref = self._ref(i, suffix)
            if value is None or value == "":
                parts.append(f'<c r="{ref}" s="{xf(look)}"/>')
            elif type(value) is str:
                parts.append(f'<c r="{ref}" s="{xf(look)}" t="inlineStr"><is>{_t(value)}</is></c>')
            else:
                parts.append(f'<c r="{ref}" s="{xf(look)}"><v>{_number(value)}</v></c>')
        parts.append("</row>")
        return "".join(parts)

    def _element(self, row: Row, r: int) -> Any:
        """The row as a ``<row>`` element of the standard library's ElementTree (openpyxl without lxml)."""
        assert self.styles is not None
        xf = self.styles.xf
        suffix = str(r)
        attrs = {"r": suffix}
        if row.height is not None:
            attrs["ht"] = str(row.height)
            attrs["customHeight"] = "1"
        el = Element("row", attrs)
        for i, (value, look) in enumerate(row.cells):
            ref = self._ref(i, suffix)
            if value is None or value == "":
                SubElement(el, "c", {"r": ref, "s": xf(look)})
            elif type(value) is str:
                c = SubElement(el, "c", {"r": ref, "s": xf(look), "t": "inlineStr"})
                t = SubElement(SubElement(c, "is"), "t")
                t.text = value
                if value[0].isspace() or value[-1].isspace():
                    t.set(_XML_SPACE, "preserve")
            else:
                c = SubElement(el, "c", {"r": ref, "s": xf(look)})
                SubElement(c, "v").text = _number(value)
        return el

    def print_setup(self, title_rows: int, *, landscape: bool = True, repeat_from: int = 1) -> None:
        """A4, all columns on the page width, rows `repeat_from` to `title_rows` repeated (the rows above
        print once), page numbers."""
        print_setup(self.ws, title_rows, landscape=landscape, repeat_from=repeat_from)


def _header_row(sheet: Sheet, headers: Sequence[str], widths: Sequence[float], look: Look) -> None:
    sheet.headers = tuple(headers)
    lines = max(line_count(h, wrap_capacity(w, HEADER_FONT)) for h, w in zip(headers, widths, strict=True))
    sheet.add(Row([text_cell(h, look) for h in headers], max(row_height(lines, HEADER_FONT), 24.0)))


def _title_rows(
    sheet: Sheet, title: str, unit: str, today: dt.date, widths: Sequence[float], *, legend: bool = False
) -> None:
    """Row 1: the title across the table. Row 2: 填报单位 on the left, 填报日期 on the right and, on the
    ledger, the overdue legend (a cell in the overdue colour) next to the date."""
    n = len(widths)
    title_look = Look("台账标题")
    lines = line_count(clean_text(title), wrap_capacity(sum(widths) * 0.9, TITLE_FONT))
    sheet.add(Row([text_cell(title, title_look)], max(36.0, row_height(lines, TITLE_FONT) + 8)))
    sheet.merge(f"A1:{get_column_letter(n)}1")
    info = Look("台账说明")
    unit_text, date_text = f"填报单位：{unit}", f"填报日期：{cn_date(today)}"
    # The date takes as many columns on the right as it needs, the legend as many before it, the unit the rest.
    date_at = _columns_for(widths, natural_width(text_width(date_text), INFO_FONT), n)
    legend_at = date_at
    if legend:
        # The unit whole on its line where the page allows; the legend in what is left, wrapped if need be.
        unit_w = natural_width(text_width(clean_text(unit_text)), INFO_FONT)
        legend_w = natural_width(text_width(OVERDUE_LEGEND), BODY_FONT) + 2
        legend_at = _columns_for(widths, legend_w, date_at)
        while legend_at < date_at - 1 and sum(widths[:legend_at]) < unit_w:
            legend_at += 1
    swatch = Look("台账正文居中", fill=OVERDUE_FILL)
    cells: list[Cell] = [text_cell(unit_text, info)] + [Cell(None, info)] * (legend_at - 1)
    lines = line_count(clean_text(unit_text), wrap_capacity(sum(widths[:legend_at]), INFO_FONT))
    if legend_at < date_at:
        cells += [text_cell(OVERDUE_LEGEND, swatch)] + [Cell(None, swatch)] * (date_at - legend_at - 1)
        legend_lines = line_count(OVERDUE_LEGEND, wrap_capacity(sum(widths[legend_at:date_at]), BODY_FONT))
        lines = max(lines, legend_lines)
    cells += [text_cell(date_text, Look("台账说明", horizontal="right"))] + [Cell(None, info)] * (n - date_at - 1)
    sheet.add(Row(cells, max(24.0, row_height(lines, INFO_FONT))))
    for first, last in ((0, legend_at), (legend_at, date_at), (date_at, n)):
        if last - first > 1:
            sheet.merge(f"{get_column_letter(first + 1)}2:{get_column_letter(last)}2")


def _columns_for(widths: Sequence[float], need: float, end: int) -> int:
    """The first of the columns ending before `end` that together are at least `need` wide (never column A)."""
    acc, start = 0.0, end
    while start > 1 and acc < need:
        start -= 1
        acc += widths[start]
    return start


def print_setup(ws: Worksheet, title_rows: int, *, landscape: bool = True, repeat_from: int = 1) -> None:
    """A worksheet printed as every workbook of the program prints: A4, all columns on the page width, rows
    `repeat_from` to `title_rows` repeated (the rows above print once), 第 n 页 共 N 页 at the foot."""
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins = PageMargins(
        **{k: getattr(MARGINS, k) for k in ("left", "right", "top", "bottom", "header", "footer")}
    )
    ws.oddFooter.center.text = FOOTER
    ws.oddFooter.center.font = "宋体,Regular"
    ws.oddFooter.center.size = 10
    if title_rows:
        ws.print_title_rows = f"{repeat_from}:{title_rows}"
        ws.freeze_panes = f"A{title_rows + 1}"
    ws.sheet_view.showGridLines = False
