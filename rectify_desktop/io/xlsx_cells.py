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
# An overdue item's 整改时限: a dotted pattern over the light red, in bold, which a black-and-white printer keeps
# (the date stays a date, the column sorts; 完成时间 holds dates only).
OVERDUE_DEADLINE_FILL = PatternFill("gray125", fgColor="808080", bgColor="FFD9D9")
TOTAL_FILL = PatternFill("solid", fgColor="F5F5F5")
# One date style for the workbook's dates, in its date cells and in the dates within its cells (销号情况):
# 2026.10.3. A date cell does not wrap, and 2026年10月13日 took two date columns 35 of the page's 144 units;
# this one takes 24. The 填报日期 and the date under the seal are a document's dates, written 2026年12月1日
# (and a line of "2026.12.1" alone would read back as a finding numbered 2026).
DATE_FORMAT = "yyyy.m.d"

FOOTER = "第 &P 页 共 &N 页"
# Overdue rows: the row light red on screen, the 整改时限 in bold on a dotted ground, which a black-and-white
# printer keeps. The legend stands once, above the table. (Workbooks exported before said 已逾期 in 完成时间;
# the import still reads that.)
OVERDUE_MARK = "已逾期"
OVERDUE_LEGEND = "浅红底色：已逾期（整改时限加粗带网点，黑白打印可辨）"
FORMULA_START = ("=", "+", "-", "@")

# Row heights: points per line of text, as a multiple of the font size. CJK fonts are taller than their
# size (宋体/仿宋 on Windows about 1.2; LibreOffice, falling back to the Noto CJK fonts on Linux, makes its
# optimal row 14.93 pt a line and 1.4 pt more at 10.5 pt: 1.422); rows are made for the taller so that no
# line is cut, whichever font the reader has, and no taller (tests/io/test_excel_paper.py checks it).
LINE_SPACING = 1.43
CELL_PADDING_PT = 1.6
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


# Line breaking as the spreadsheet programs do it (禁则): these never begin a line, those never end one; a run
# of Latin letters and digits (a file's .pdf, a number) is a word and moves whole to the next line.
NO_START = frozenset("，。、；：？！）》」』”’…,.;:!?)]}%·")
NO_END = frozenset("（《「『“‘([{")


def _half_widths(ch: str) -> float:
    """A character's width in half-width characters as printed: a Chinese character 2; Latin letters and
    digits wider than half an em in the fonts that stand in for 仿宋 (DejaVu Sans: 0.64 em), marks narrower."""
    if ch > "\x7f":
        return 2.0
    return 1.28 if ch.isalnum() else 0.64


def split_point(text: str, at: int) -> int:
    """Where to cut `text` for the cut to fall at most at `at` and between words as the lines wrap: not before
    a mark that never begins a line (the rest of a measure would start with "；"), not after one that never
    ends it, not inside a Latin word or a number (23.|8万元). `at` itself when no such place is before it."""
    cut = at
    while 0 < cut < len(text):
        before, after = text[cut - 1], text[cut]
        latin = before <= "\x7f" and not before.isspace() and after <= "\x7f" and not after.isspace()
        if after not in NO_START and before not in NO_END and not latin:
            return cut
        cut -= 1
    return at


def _wrapped(line: str, capacity: int) -> int:
    """Lines one line of text (no line break in it) takes in a cell `capacity` half-width characters wide."""
    units: list[float] = []
    word = glue = False  # the last unit is a Latin word / ends with a mark that never ends a line
    for ch in line:
        w = _half_widths(ch)
        latin = ch <= "\x7f" and not ch.isspace()
        if units and (ch in NO_START or glue or (latin and word)):
            units[-1] += w
        else:
            units.append(w)
        word, glue = latin, ch in NO_END
    lines, used = 1, 0.0
    for u in units:
        if used + u <= capacity:
            used += u
            continue
        if used:
            lines += 1
        extra = int(u // capacity) if u > capacity else 0  # a word longer than a line is broken
        lines += extra
        used = u - extra * capacity
    return lines


def line_count(text: str, capacity: int) -> int:
    """Lines `text` takes when wrapped at `capacity` half-width characters."""
    if not text:
        return 1
    if "\n" not in text:
        w = text_width(text)
        return 1 if 1.28 * w <= capacity else _wrapped(text, capacity)
    return sum(1 if not line else _wrapped(line, capacity) for line in text.split("\n"))


def _px_per_halfwidth(font: Font) -> float:
    """Pixels of a half-width character: half an em in CJK fonts, 0.6 em in Courier New."""
    return float(font.sz or 11) * 96 / 72 * (0.6 if font.name == HASH_FONT.name else 0.5)


def _text_px(width: float) -> float:
    """The pixels a cell `width` units wide has for its text, in whichever program prints it: Excel makes
    a column 7 px a unit and 5 more, of which about 6 go to the cell's margins and grid line; LibreOffice
    7.3 px a unit and keeps 6 (measured: 8.2 units hold three characters at 10.5 pt there, 9 units four)."""
    return min(UNIT_PX * width - 1, 7.3 * width - 6)


def _width_for(px: float) -> float:
    """The narrowest width whose cells have `px` pixels for their text (the inverse of _text_px)."""
    return max((px + 1) / UNIT_PX, (px + 6) / 7.3)


def wrap_capacity(width: float, font: Font) -> int:
    """Half-width characters a line of a cell `width` units wide holds. Even, so that it is a whole number
    of Chinese characters, which do not split."""
    return max(2, int(_text_px(width) / (2 * _px_per_halfwidth(font))) * 2)


def next_width(width: float, font: Font) -> float:
    """The narrowest width above `width` whose lines hold one more Chinese character."""
    cap = wrap_capacity(width, font)
    return round(_width_for((cap + 2) * _px_per_halfwidth(font)) + 0.01, 2)


def natural_width(text_w: int, font: Font) -> float:
    """The column width that shows `text_w` half-width characters on one line."""
    return _width_for((text_w + text_w % 2) * _px_per_halfwidth(font)) + 0.02


def short_date(d: dt.date) -> str:
    """A date as the workbook's cells write it (DATE_FORMAT), in a text too (销号情况): 2026.10.3."""
    return f"{d.year}.{d.month}.{d.day}"


def date_units(text: str) -> float:
    """The column width (Excel units) that shows a date such as 2026.10.12 on one line: a date cell does not
    wrap (Excel shows ###, LibreOffice breaks it), and the fonts a machine without 仿宋 uses instead have
    wider digits than 仿宋's half an em (DejaVu Sans, which LibreOffice takes on Linux: 0.64 em, the point
    0.32 em); 4 px for the cell's margins and grid line."""
    em = float(BODY_FONT.sz) * 96 / 72
    px = sum(0.64 if ch.isdigit() else 0.32 if ch in ".-/" else 1.0 for ch in text) * em
    return round((px + 4) / 7 + 0.05, 1)


def print_width(text: str) -> int:
    """The width of a line of text as printed, in half-width characters (Latin letters and digits wider than
    half an em: see _half_widths), for a column that must show it whole (a 文号: 临教党〔2026〕9号)."""
    return -int(-sum(_half_widths(ch) for ch in text) // 1)


def row_height(lines: int, font: Font) -> float:
    # Bold and larger fonts (黑体 11 pt: LibreOffice makes a line of it 18 pt) need a point more.
    more = 0.0 if font.sz is not None and font.sz <= BODY_FONT.sz and not font.b else 1.0
    return min(MAX_ROW_HEIGHT, round(lines * float(font.sz or 11) * LINE_SPACING + CELL_PADDING_PT + more, 1))


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
