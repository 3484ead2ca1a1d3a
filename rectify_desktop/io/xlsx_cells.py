"""What a cell of the exported workbook holds and how it looks (导出Excel的单元格): fonts, fills and the
limits of Excel and of the printed page; text cleaned for a cell, measured in Excel's units and wrapped; the
workbook's named styles and a cell's :class:`Look`; :class:`Cell` and :class:`Row` as the sheets take them.

Shared by every sheet of :mod:`rectify_desktop.io.xlsx_export`; text that begins like a formula is marked
with Excel's quote prefix here (:func:`text_cell`), so that it stays text.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side

# --- how the sheets look ----------------------------------------------------------------------------

DEFAULT_FONT = Font(name="Arial", size=10)
TITLE_FONT = Font(name="宋体", size=16, bold=True, charset=134)
INFO_FONT = Font(name="仿宋", size=12, charset=134)
HEADER_FONT = Font(name="黑体", size=11, bold=True, charset=134)
BODY_FONT = Font(name="仿宋", size=10.5, charset=134)
HASH_FONT = Font(name="Courier New", size=8)
SECTION_FONT = Font(name="黑体", size=12, bold=True, charset=134)
GROUP_FONT = Font(name="黑体", size=11, bold=True, charset=134)
FINDING_FONT = Font(name="楷体", size=11, bold=True, charset=134)

_THIN = Side(style="thin", color="000000")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
HEADER_FILL = PatternFill("solid", fgColor="EDEDED")
# Overdue rows: a light red that still reads as a light grey on a black-and-white printer.
OVERDUE_FILL = PatternFill("solid", fgColor="FFD9D9")
TOTAL_FILL = PatternFill("solid", fgColor="F5F5F5")
DATE_FORMAT = 'yyyy"年"m"月"d"日"'

FOOTER = "第 &P 页 共 &N 页"
# Overdue rows say so in words (the 完成时间 cell reads 已逾期), which a black-and-white printer keeps; the fill
# only helps on screen. The legend stands once, above the table.
OVERDUE_MARK = "已逾期"
OVERDUE_LEGEND = "浅红底色：已逾期（超过整改时限仍未完成，完成时间栏注明“已逾期”）"
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
    # A category of the 台账 as a row across the table (方面), repeated with （续） atop each page it runs on to.
    _named("台账分组", GROUP_FONT, "left"),
    # A finding of the 台账 as a row across the table above its items (问题), repeated like a category.
    _named("台账问题", FINDING_FONT, "left"),
    # The 可筛选 sheet: one line a row, read on screen (a cell's whole text in the formula bar); wrapped, so
    # that a long text stays in its cell instead of running over the next ones.
    NamedStyle(
        name="台账筛选",
        font=BODY_FONT,
        alignment=Alignment(horizontal="left", vertical="top", wrap_text=True),
        border=BORDER,
    ),
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


# --- cells and rows ---------------------------------------------------------------------------------

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
