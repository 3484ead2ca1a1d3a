"""Excel export (导出Excel): the ledger the inspection office expects, as one .xlsx workbook.

Sheets: 台账 (the ledger of DOMAIN.md, laid out by :mod:`rectify_desktop.core.table` exactly as it prints),
统计 (the figures of :mod:`rectify_desktop.core.stats`, by category and by department), 佐证材料, 制度建设
and 会议. Every sheet is set up to print on A4 landscape, all columns on the page width, the title and
header repeated on every page and "第 X 页 共 Y 页" at the foot.

The workbook is written with openpyxl in write-only mode. Rows are laid out first (values, one shared style
per kind of cell, column widths and row heights that fit the wrapped text: neither Excel nor LibreOffice
fits the height of rows it did not lay out itself), then streamed. A 10,000-item ledger has 140,000 cells;
openpyxl's own path makes two cell objects per value and writes each cell element by element, four times
what xlsxwriter needs for the same cells. So :class:`Sheet` hands openpyxl's sheet writer whole ``<row>``
elements (made from markup a few hundred rows at a time with lxml, node by node with the standard library's
ElementTree); openpyxl still writes everything else (styles, merged cells, validation, print set-up). Where
the parts of openpyxl this builds on are not as expected, the same rows go through its public cell API:
slower, the same file (``tests/io/test_xlsx_export.py`` compares the two).

Text is always written as text: a finding titled "=HYPERLINK(...)" stays a title, never a formula, and is
marked with Excel's quote prefix so that editing it in Excel does not turn it into one. Control characters
that Excel rejects are dropped.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import os
import re
import sqlite3
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from openpyxl import LXML, Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet
from peewee import PeeweeException

from rectify_desktop.core import lists, outfile, rules, stats, storage
from rectify_desktop.core.models import (
    DONE,
    IN_PROGRESS,
    NOT_STARTED,
    ONGOING,
    STATUSES,
    BaseModel,
    Finding,
    Inspection,
    Institution,
    InstitutionItem,
    Item,
    Meeting,
    MeetingItem,
    db,
)
from rectify_desktop.core.table import COLUMNS, KEYS, LedgerTable, build_table, cn_date

Progress = Callable[[int, int], None]
SHEET_NAMES = ("台账", "统计", "佐证材料", "制度建设", "会议")


class ExportError(outfile.OutputError):
    """The workbook could not be written; the message is for the clerk, in Chinese."""


# --- how the sheets look ----------------------------------------------------------------------------

DEFAULT_FONT = Font(name="Arial", size=10)
TITLE_FONT = Font(name="宋体", size=16, bold=True, charset=134)
INFO_FONT = Font(name="仿宋", size=12, charset=134)
HEADER_FONT = Font(name="黑体", size=11, bold=True, charset=134)
BODY_FONT = Font(name="仿宋", size=10.5, charset=134)
HASH_FONT = Font(name="Courier New", size=8)
SECTION_FONT = Font(name="黑体", size=12, bold=True, charset=134)

_THIN = Side(style="thin", color="000000")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
HEADER_FILL = PatternFill("solid", fgColor="EDEDED")
# Overdue rows: a light red that still reads as a light grey on a black-and-white printer.
OVERDUE_FILL = PatternFill("solid", fgColor="FFD9D9")
TOTAL_FILL = PatternFill("solid", fgColor="F5F5F5")
DATE_FORMAT = 'yyyy"年"m"月"d"日"'

FOOTER = "第 &P 页 共 &N 页"
OVERDUE_LEGEND = "浅红底色：已逾期（超过整改时限仍未完成）"
FORMULA_START = ("=", "+", "-", "@")

# Row heights: points per line of text, as a multiple of the font size. CJK fonts are taller than their
# size (宋体/仿宋 on Windows about 1.2, the Noto CJK fonts LibreOffice falls back to on Linux 1.45);
# rows are made for the taller so that no line is cut, whichever font the reader has.
LINE_SPACING = 1.47
CELL_PADDING_PT = 5.0
MAX_ROW_HEIGHT = 409.0  # Excel's limit
# Column widths are in Excel's units: the width of a digit of the default font (7 px at 96 dpi); a
# cell has 5 px more, and about 3 px of it go to the cell's margins.
UNIT_PX = 7.0
MAX_CELL_CHARS = 32767  # Excel's limit

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
LEDGER_HEADER_ROWS = 3  # title, 填报单位/填报日期, column header


# --- text -------------------------------------------------------------------------------------------

_NEWLINES = re.compile(r"\r\n?")
# What Excel rejects (openpyxl's list of control characters), and what XML cannot hold at all.
_ILLEGAL = re.compile(ILLEGAL_CHARACTERS_RE.pattern + "|[\ud800-\udfff\ufffe\uffff]")


def clean_text(value: object) -> str:
    """Text as a cell can hold it: control characters Excel rejects dropped, line ends as "\\n".

    Never cut: a text longer than a cell holds is carried on by the sheet (see :class:`Continuations`).
    """
    text = value if type(value) is str else ("" if value is None else str(value))
    if "\r" in text:
        text = _NEWLINES.sub("\n", text)
    if _ILLEGAL.search(text):
        text = _ILLEGAL.sub("", text)
    return text


def excel_length(text: str) -> int:
    """A text's length as Excel counts it against its cell limit: in UTF-16 units (a character outside
    the Basic Multilingual Plane, such as a rare name in CJK Extension B, counts two)."""
    return len(text.encode("utf-16-le")) // 2


def excel_pieces(text: str, first: int, rest: int = MAX_CELL_CHARS) -> list[str]:
    """`text` in pieces of at most `first` UTF-16 units, then `rest` each, never split inside a character;
    in one pass, so that a text of millions of characters costs no more than reading it."""
    if 2 * len(text) <= first:
        return [text]
    data = text.encode("utf-16-le")
    total = len(data) // 2
    pieces, at, limit = [], 0, first
    while at < total:
        end = min(at + limit, total)
        if end < total and 0xD8 <= data[2 * end - 1] <= 0xDB:  # a high surrogate: keep its pair together
            end -= 1
        pieces.append(data[2 * at : 2 * end].decode("utf-16-le"))
        at, limit = end, rest
    return pieces or [""]


def excel_cut(text: str, units: int) -> tuple[str, str]:
    """`text` split after at most `units` UTF-16 units, never inside a character."""
    if 2 * len(text) <= units or excel_length(text) <= units:
        return text, ""
    head = excel_pieces(text, units)[0]
    return head, text[len(head) :]


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_START)


def text_width(text: str) -> int:
    """Display width in half-width characters: ASCII counts 1, anything else (Chinese, full-width marks) 2."""
    return 2 * len(text) - len(text.encode("ascii", errors="ignore"))


def line_count(text: str, capacity: int) -> int:
    """Lines `text` takes when wrapped at `capacity` half-width characters."""
    if not text:
        return 1
    if "\n" not in text:
        w = text_width(text)
        return 1 if w <= capacity else -(-w // capacity)
    return sum(max(1, -(-text_width(line) // capacity)) for line in text.split("\n"))


def _px_per_halfwidth(font: Font) -> float:
    """Pixels of a half-width character: half an em in CJK fonts, 0.6 em in Courier New."""
    return float(font.sz or 11) * 96 / 72 * (0.6 if font.name == HASH_FONT.name else 0.5)


def wrap_capacity(width: float, font: Font) -> int:
    """Half-width characters a line of a cell `width` units wide holds, with a margin for font metrics.

    Even, so that it is a whole number of Chinese characters, which do not split.
    """
    return max(2, int((width * UNIT_PX - 4) / _px_per_halfwidth(font) * 0.96) // 2 * 2)


def next_width(width: float, font: Font) -> float:
    """The narrowest width above `width` whose lines hold one more Chinese character."""
    cap = wrap_capacity(width, font)
    return round(((cap + 2) / 0.96 * _px_per_halfwidth(font) + 4) / UNIT_PX + 0.01, 2)


def natural_width(text_w: int, font: Font) -> float:
    """The column width that shows `text_w` half-width characters on one line."""
    return (text_w * _px_per_halfwidth(font) / 0.96 + 4) / UNIT_PX + 0.3


def row_height(lines: int, font: Font) -> float:
    return min(MAX_ROW_HEIGHT, round(lines * float(font.sz or 11) * LINE_SPACING + CELL_PADDING_PT, 1))


# --- styles -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Look:
    """How a cell looks: a named style of the workbook and what a cell changes of it."""

    named: str
    fill: PatternFill | None = None
    quote: bool = False
    number_format: str | None = None
    font: Font | None = None
    horizontal: str | None = None
    vertical: str | None = None

    def apply(self, cell: WriteOnlyCell) -> None:
        cell.style = self.named
        if self.fill is not None:
            cell.fill = self.fill
        if self.font is not None:
            cell.font = self.font
        if self.horizontal is not None or self.vertical is not None:
            base = _ALIGNMENT_OF[self.named]
            cell.alignment = Alignment(
                horizontal=self.horizontal or base.horizontal,
                vertical=self.vertical or base.vertical,
                wrap_text=base.wrap_text,
            )
        if self.number_format is not None:
            cell.number_format = self.number_format
        if self.quote:
            cell.quotePrefix = True


def _named(
    name: str, font: Font, horizontal: str, *, border: bool = True, fill: PatternFill | None = None
) -> NamedStyle:
    style = NamedStyle(
        name=name,
        font=font,
        alignment=Alignment(horizontal=horizontal, vertical="center", wrap_text=True),
        border=BORDER if border else Border(),
    )
    if fill is not None:
        style.fill = fill
    return style


NAMED_STYLES: tuple[NamedStyle, ...] = (
    _named("台账标题", TITLE_FONT, "center", border=False),
    _named("台账说明", INFO_FONT, "left", border=False),
    _named("台账小标题", SECTION_FONT, "left", border=False),
    _named("台账表头", HEADER_FONT, "center", fill=HEADER_FILL),
    _named("台账正文", BODY_FONT, "left"),
    _named("台账正文居中", BODY_FONT, "center"),
)
_ALIGNMENT_OF = {s.name: s.alignment for s in NAMED_STYLES}


class _Styles:
    """The workbook's looks, each registered once: its cell format number for the fast writer."""

    def __init__(self, wb: Workbook, sheet: Any) -> None:
        for style in NAMED_STYLES:
            wb.add_named_style(style)
        self._sheet = sheet
        self._ids: dict[Look, str] = {}
        # Looks are shared by the cells of a column: found by identity first, since hashing one (fonts,
        # fills) costs more than writing its cell. The looks are kept, so their ids stay theirs.
        self.by_identity: dict[int, str] = {}
        self._kept: list[Look] = []

    def xf(self, look: Look) -> str:
        xf = self.by_identity.get(id(look))
        if xf is None:
            xf = self._ids.get(look)
            if xf is None:
                proto = WriteOnlyCell(self._sheet)
                look.apply(proto)
                xf = self._ids[look] = str(proto.style_id)
            self.by_identity[id(look)] = xf
            self._kept.append(look)
        return xf


# --- rows and sheets --------------------------------------------------------------------------------

Value = str | int | float | dt.date | None


class Cell(NamedTuple):
    value: Value
    look: Look


class Row(NamedTuple):
    cells: Sequence[Cell]
    height: float | None = None


def text_cell(value: object, look: Look) -> Cell:
    """A text cell, cleaned, and quote-prefixed when Excel would take it for a formula."""
    text = clean_text(value)
    if text and looks_like_formula(text):
        look = dataclasses.replace(look, quote=True)
    return Cell(text, look)


# Whether rows go to openpyxl's sheet writer as whole elements (see the module's docstring). Tests turn
# it off to check that the public path writes the same workbook.
FAST_ROWS = True

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


# Texts longer than a cell holds go on here, after the ledger's own sheets.
CONTINUATION_SHEET = "续"
CONTINUATION_HEADERS = ("序号", "单元格", "栏目", "段", "续文")
CONTINUED_MARK = "……（未完，续见“续”表第{row}行）"
_CONTINUATION_FIRST_ROW = LEDGER_HEADER_ROWS + 1  # after the title, 填报 and header rows
PRINTABLE_PIECE = 1000
_LONG = MAX_CELL_CHARS // 2  # below this many characters a text fits whatever they are


@dataclass(frozen=True)
class Carried:
    """One piece of a long text on the 续 sheet: the cell it continues and which piece it is."""

    ref: str  # 台账!J17
    column: str
    part: int  # the cell itself holds part 1
    parts: int
    text: str


class Continuations:
    """Cells whose text is longer than Excel's 32,767 characters.

    Excel refuses such a cell (and a workbook holding one will not open), and cutting it would lose the
    clerk's text without a word. So the cell keeps the beginning and ends with where the rest goes on
    (……（未完，续见“续”表第4行）); the rest goes on the 续 sheet, in pieces a cell holds, in order, each
    row naming the cell it continues; and each such cell is listed in :attr:`notes` for the clerk. The
    table itself keeps its shape: one row per item, nothing moved.
    """

    def __init__(self) -> None:
        self.pieces: list[Carried] = []
        self.notes: list[str] = []

    def carry(self, ref: str, column: str, text: str) -> str:
        """What the cell `ref` holds of `text`; the rest is kept for the 续 sheet."""
        row = _CONTINUATION_FIRST_ROW + len(self.pieces)
        mark = CONTINUED_MARK.format(row=row)
        # The rest in pieces that print whole: a row is at most 409 pt high, a little over 1,000 characters in the
        # 续文 column on A4; one 30,000-character cell would show a few lines of its middle on paper.
        head, *pieces = excel_pieces(text, MAX_CELL_CHARS - excel_length(mark), PRINTABLE_PIECE)
        parts = len(pieces) + 1
        for i, piece in enumerate(pieces, 2):
            self.pieces.append(Carried(ref, column, i, parts, piece))
        last = row + len(pieces) - 1
        rows = f"第 {row} 行" if last == row else f"第 {row}–{last} 行"
        self.notes.append(
            f"{ref}（{column}）有 {len(text):,} 字，超过 Excel 单元格上限 {MAX_CELL_CHARS} 字："
            f"单元格中保留前 {len(head):,} 字，其余 {len(text) - len(head):,} 字接在“{CONTINUATION_SHEET}”表{rows}"
        )
        return head + mark


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

    def print_setup(self, title_rows: int, *, landscape: bool = True) -> None:
        """A4, all columns on the page width, the first `title_rows` rows repeated, page numbers."""
        ws = self.ws
        ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
        ws.page_setup.orientation = "landscape" if landscape else "portrait"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_options.horizontalCentered = True
        ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.6, bottom=0.7, header=0.3, footer=0.3)
        ws.oddFooter.center.text = FOOTER
        ws.oddFooter.center.font = "宋体,Regular"
        ws.oddFooter.center.size = 10
        if title_rows:
            ws.print_title_rows = f"1:{title_rows}"
            ws.freeze_panes = f"A{title_rows + 1}"
        ws.sheet_view.showGridLines = False


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
        legend_at = _columns_for(widths, natural_width(text_width(OVERDUE_LEGEND), BODY_FONT) + 2, date_at)
    swatch = Look("台账正文居中", fill=OVERDUE_FILL)
    cells: list[Cell] = [text_cell(unit_text, info)] + [Cell(None, info)] * (legend_at - 1)
    if legend_at < date_at:
        cells += [text_cell(OVERDUE_LEGEND, swatch)] + [Cell(None, swatch)] * (date_at - legend_at - 1)
    cells += [text_cell(date_text, Look("台账说明", horizontal="right"))] + [Cell(None, info)] * (n - date_at - 1)
    unit_lines = line_count(clean_text(unit_text), wrap_capacity(sum(widths[:legend_at]), INFO_FONT))
    sheet.add(Row(cells, max(24.0, row_height(unit_lines, INFO_FONT))))
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


# --- the 统计 sheet ----------------------------------------------------------------------------------

SUMMARY_LABELS: tuple[tuple[str, str], ...] = (
    ("categories", "方面（个）"),
    ("findings", "问题（个）"),
    ("items", "细化问题（项）"),
    ("measures", "整改措施（条）"),
    (DONE, "已完成（项）"),
    (IN_PROGRESS, "正在推进（项）"),
    (NOT_STARTED, "未启动（项）"),
    (ONGOING, "长期坚持（项）"),
    ("completion_percent", "完成率（%）"),
    ("completion_whole", "完成率（取整，%）"),
    ("overdue", "已逾期（项）"),
    ("due_7", "7日内到期（项）"),
    ("due_30", "30日内到期（项）"),
    ("written_off", "已销号（项）"),
    ("writeoff_pending", "销号待审核（项）"),
)
GROUP_HEADERS = ("细化问题", "已完成", "正在推进", "未启动", "长期坚持", "已逾期", "完成率（%）")


def _write_stats(sheet: Sheet, table: LedgerTable, s: stats.Stats, insp: Inspection, today: dt.date) -> None:
    widths = [6.0, 40.0] + [10.5] * len(GROUP_HEADERS)
    # The same figures as the overview's, from core: the sheet and the window never disagree.
    groups_cat, groups_dept = stats.breakdown(insp.id, today)
    sheet.columns(widths)
    # title, 填报, headline; a title and a header a section; the figures; a total; the note
    sheet.dimension(3 + 2 * 3 + len(SUMMARY_LABELS) + len(groups_cat) + 1 + len(groups_dept) + 1)
    sheet.print_setup(0)
    unit = lists.reporting_unit(insp.id)  # the setting 填报单位 when set, else the inspected unit
    _title_rows(sheet, f"{table.title}——整改情况统计", unit, today, widths)
    ncol = len(widths)
    head = Look("台账表头")
    body = Look("台账正文")
    num = Look("台账正文居中")
    rate = Look("台账正文居中", number_format="0.0")
    section = Look("台账小标题", vertical="bottom")
    note = Look("台账说明")

    headline = s.headline(insp.kind if insp.kind in ("巡察", "审计", "督查") else "巡察") + "。"
    sheet.add(Row([text_cell(headline, note)], 30.0))
    sheet.merge(f"A{sheet.rows}:{get_column_letter(ncol)}{sheet.rows}")

    def section_title(text: str) -> None:
        sheet.add(Row([text_cell(text, section)], 30.0))
        sheet.merge(f"A{sheet.rows}:{get_column_letter(ncol)}{sheet.rows}")

    section_title("一、总体情况")
    sheet.add(Row([text_cell("序号", head), text_cell("项目", head), text_cell("数值", head)], 22.0))
    for i, (key, label) in enumerate(SUMMARY_LABELS, 1):
        value = s.status[key] if key in s.status else getattr(s, key)
        look = rate if key == "completion_percent" else num
        sheet.add(Row([Cell(i, num), text_cell(label, body), Cell(value, look)], 20.0))

    for title, first, groups, total in (
        ("二、按方面统计", "方面", groups_cat, True),
        ("三、按责任部门统计", "责任部门", groups_dept, False),
    ):
        if total:  # the tables by category and by department begin a new page
            sheet.ws.row_breaks.append(Break(id=sheet.rows))
        section_title(title)
        _header_row(sheet, ["序号", first, *GROUP_HEADERS], widths, head)
        cap = wrap_capacity(widths[1], BODY_FONT)
        for i, g in enumerate(groups, 1):
            cells = [Cell(i, num), text_cell(g.name, body)]
            cells += [Cell(v, rate if j == len(GROUP_HEADERS) - 1 else num) for j, v in enumerate(g.values())]
            sheet.add(Row(cells, row_height(line_count(g.name, cap), BODY_FONT)))
        if total:
            t = stats.GroupFigures.total("合计", groups)
            tl, tr = Look("台账正文居中", fill=TOTAL_FILL), Look("台账正文居中", fill=TOTAL_FILL, number_format="0.0")
            cells = [Cell(None, tl), text_cell("合计", tl)]
            cells += [Cell(v, tr if j == len(GROUP_HEADERS) - 1 else tl) for j, v in enumerate(t.values())]
            sheet.add(Row(cells, 20.0))
    sheet.add(
        Row(
            [
                text_cell(
                    "注：细化问题由多个部门共同负责的，分别计入各部门，故各部门之和可能大于细化问题总数；"
                    "完成率 = 已完成 ÷ 细化问题，长期坚持不计为已完成；逾期指已超过整改时限仍未完成（截至填报日期）。",
                    note,
                )
            ],
            36.0,
        )
    )
    sheet.merge(f"A{sheet.rows}:{get_column_letter(ncol)}{sheet.rows}")


# --- the registers: 佐证材料, 制度建设, 会议 ------------------------------------------------------------


def item_label(finding_number: int, item_number: int) -> str:
    """An item's number as a document cites it: 1.（2）."""
    return f"{rules.finding_label(finding_number)}{rules.item_label(item_number)}"


@dataclass
class EvidenceRow:
    item_label: str
    item_title: str
    name: str
    kind: str
    date: dt.date | None
    doc_number: str
    size: int | None
    sha256: str
    note: str


def evidence_rows(inspection_id: int, item_order: dict[int, int]) -> list[EvidenceRow]:
    """The evidence of an inspection in ledger order (by item, then the item's own order)."""
    sql = (
        "SELECT e.item_id, CAST(f.number AS INTEGER), CAST(i.number AS INTEGER), i.title, e.name, e.kind, e.date,"
        " e.doc_number, b.size,"
        " e.blob_sha256, e.note, CAST(e.position AS INTEGER), e.id FROM evidence e JOIN item i ON i.id = e.item_id"
        " JOIN finding f ON f.id = i.finding_id LEFT JOIN blob b ON b.sha256 = e.blob_sha256"
        " WHERE f.inspection_id = ?"
    )
    found = db.execute_sql(sql, (inspection_id,)).fetchall()
    found.sort(key=lambda r: (item_order.get(r[0], len(item_order)), r[11], r[12]))
    return [
        EvidenceRow(item_label(r[1], r[2]), r[3], r[4], r[5], stats.as_date(r[6]), r[7], r[8], r[9] or "", r[10])
        for r in found
    ]


def _register(model: type[BaseModel], link: type[BaseModel], owner: str, inspection_id: int) -> list[tuple[Any, str]]:
    """Entries of a register (制度建设, 会议), each with the numbers of the items it links to: 1.（2）、3.（1）."""
    entries = list(model.select().where(model.inspection == inspection_id).order_by(model.position, model.id))
    links: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for owner_id, fnum, inum in (
        link.select(getattr(link, owner), Finding.number, Item.number)
        .join(Item)
        .join(Finding)
        .where(Finding.inspection == inspection_id)
        .tuples()
    ):
        links[owner_id].append((fnum, inum))
    return [(e, "、".join(item_label(f, i) for f, i in sorted(links.get(e.id, [])))) for e in entries]


def _write_table_sheet(
    sheet: Sheet,
    title: str,
    unit: str,
    today: dt.date,
    headers: Sequence[str],
    widths: Sequence[float],
    rows: Iterable[list[Cell]],
    *,
    landscape: bool = True,
) -> None:
    """A register as a table: title, 填报 row, header, one row per entry; heights from wrapped text."""
    # Headers stay on one line.
    widths = [max(w, natural_width(text_width(h), HEADER_FONT)) for w, h in zip(widths, headers, strict=True)]
    rows = list(rows)
    sheet.columns(widths)
    sheet.dimension(3 + len(rows))
    sheet.print_setup(3, landscape=landscape)
    _title_rows(sheet, title, unit, today, widths)
    _header_row(sheet, headers, widths, Look("台账表头"))
    caps = [wrap_capacity(w, BODY_FONT) for w in widths]
    hash_cap = [wrap_capacity(w, HASH_FONT) for w in widths]
    for cells in rows:
        lines = 1
        for i, (value, look) in enumerate(cells):
            if isinstance(value, str) and value:
                n = line_count(value, hash_cap[i] if look.font == HASH_FONT else caps[i])
                lines = max(lines, n)
        sheet.add(Row(cells, row_height(lines, BODY_FONT)))


EVIDENCE_HEADERS = (
    "序号",
    "问题编号",
    "细化问题",
    "材料名称",
    "类别",
    "日期",
    "文号",
    "大小（字节）",
    "SHA-256",
    "状态",
    "说明",
)
INSTITUTION_HEADERS = ("序号", "制度名称", "文号", "印发日期", "关联细化问题", "备注")
MEETING_HEADERS = ("序号", "会议类型", "日期", "议题", "关联细化问题", "备注")
NO_FILE = "未附文件"
HAS_FILE = "已附文件"


def _evidence_cells(rows: list[EvidenceRow]) -> Iterable[list[Cell]]:
    body, center = Look("台账正文"), Look("台账正文居中")
    date = Look("台账正文居中", number_format=DATE_FORMAT)
    size = Look("台账正文居中", number_format="#,##0")
    sha = Look("台账正文", font=HASH_FONT)
    for i, e in enumerate(rows, 1):
        attached = bool(e.sha256)
        yield [
            Cell(i, center),
            text_cell(e.item_label, center),
            text_cell(e.item_title, body),
            text_cell(e.name, body),
            text_cell(e.kind, center),
            Cell(e.date, date),
            text_cell(e.doc_number, center),
            Cell(e.size if attached else None, size),
            text_cell(e.sha256 if attached else "", sha),
            text_cell(HAS_FILE if attached else NO_FILE, center),
            text_cell(e.note, body),
        ]


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
    _write_stats(sheets["统计"], table, stats.compute(inspection_id, today), insp, today)
    order = {r.item_id: i for i, r in enumerate(table.rows)}
    _write_table_sheet(
        sheets["佐证材料"],
        "佐证材料清单",
        unit,
        today,
        EVIDENCE_HEADERS,
        [5, 9, 20, 24, 9, 16, 15, 11, 31, 9, 12],
        _evidence_cells(evidence_rows(inspection_id, order)),
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


def _continuation_cells(pieces: list[Carried]) -> Iterable[list[Cell]]:
    body, center = Look("台账正文"), Look("台账正文居中")
    for i, c in enumerate(pieces, 1):
        yield [
            Cell(i, center),
            text_cell(c.ref, center),
            text_cell(c.column, center),
            text_cell(f"第{c.part}段（共{c.parts}段）", center),
            # Written as it is: a piece is a part of the text, never a formula, whatever it begins with.
            text_cell(c.text, body),
        ]


def _institution_cells(inspection_id: int) -> Iterable[list[Cell]]:
    body, center = Look("台账正文"), Look("台账正文居中")
    date = Look("台账正文居中", number_format=DATE_FORMAT)
    for i, (inst, links) in enumerate(_register(Institution, InstitutionItem, "institution", inspection_id), 1):
        yield [
            Cell(i, center),
            text_cell(inst.title, body),
            text_cell(inst.doc_number, center),
            Cell(inst.date, date),
            text_cell(links, body),
            text_cell(inst.note, body),
        ]


def _meeting_cells(inspection_id: int) -> Iterable[list[Cell]]:
    body, center = Look("台账正文"), Look("台账正文居中")
    date = Look("台账正文居中", number_format=DATE_FORMAT)
    for i, (meeting, links) in enumerate(_register(Meeting, MeetingItem, "meeting", inspection_id), 1):
        yield [
            Cell(i, center),
            text_cell(meeting.kind, center),
            Cell(meeting.date, date),
            text_cell(meeting.topic, body),
            text_cell(links, body),
            text_cell(meeting.note, body),
        ]


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
