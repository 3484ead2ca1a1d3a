"""The index of the evidence package (佐证材料目录, 目录.xlsx): one row per material, for the screen and for paper.

On paper (A4 landscape, the header row on every page, fitted to the width only) it shows what the office reads:
序号, the item's number and title, the measure whole, the material's name, kind, date, 文号, whether its file is
in the package, and the clerk's note, in 10.5 pt type. The columns that prove the package is whole and locate
each file (方面, 问题, 大小（字节）, 包内位置, SHA-256) follow in the same sheet, outside the print area: a
reader checks the files against them on screen, and they do not squeeze the page.

Column widths are in Excel's unit, the digit width of the workbook's default font; that font is Arial 10 (as
in the ledger workbook, io.xlsx_export) because Excel, WPS and LibreOffice (Liberation Sans) all measure it
at 7 pixels, so the printed columns fit an A4 width at 100 % in all of them and no page is scaled down.
In the sheet every title is text, and one that Excel would take for a formula carries Excel's quote prefix.
No Qt here.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rectify_desktop.core import evidence
from rectify_desktop.core.table import cn_date
from rectify_desktop.io import xlsx_cells

if TYPE_CHECKING:
    from rectify_desktop.io.evidence_zip import Entry


@dataclass(frozen=True)
class Column:
    header: str
    width: float  # Excel's units
    printed: bool
    wrap: bool = True


COLUMNS = (
    Column("序号", 5, True),
    Column("细化问题编号", 9, True),
    Column("细化问题", 22, True),
    Column("对应措施", 23, True),
    Column("材料名称", 28.5, True),
    Column("类型", 9, True),
    # "2026.12.31" on one line in any font (a date must not split, and a date cell too narrow shows ###).
    Column("日期", 12.5, True),
    Column("文号", 15, True),  # "临教党组〔2026〕12号" in two lines at most
    Column("文件", 6, True),
    Column("备注", 10, True),
    # Outside the print area, one line each (a taller row would waste paper): on screen a reader widens them.
    Column("方面", 24, False, wrap=False),
    Column("问题", 24, False, wrap=False),
    Column("大小（字节）", 12, False, wrap=False),
    Column("包内位置", 50, False, wrap=False),
    Column("SHA-256", 24, False, wrap=False),  # last: the hash runs on into the empty cells beside it
)
INDEX_HEADERS = tuple(c.header for c in COLUMNS)
PRINTED_COLUMNS = sum(1 for c in COLUMNS if c.printed)
INDEX_HEADER_ROW = 3
NO_FILE = "未附文件"
HAS_FILE, LACKS_FILE = "已附", "未附"

BODY_PT = 10.5
HASH_PT = 9.0
TITLE_PT = 16.0
# The date cells of every workbook the program writes read 2026.12.31, as the ledger workbook's (its table
# needs the width: 10 pages for the demo against 12 with 2026年12月31日); sentences say 2026年12月31日.
DATE_FORMAT = xlsx_cells.DATE_FORMAT
# Landscape A4 is 842 pt wide; with 0.4 in side margins 784 pt (1045 px) are left, and the printed columns
# take 7 px a unit plus 5 px each: 140 units make 1030 px, so the fit to the width leaves them at 100 %.
SIDE_MARGIN_IN = 0.4
# Row heights: CJK fonts are taller than their size (宋体 about 1.2, the Noto CJK fonts LibreOffice falls back
# to on Linux 1.45): rows are made for the taller, so that no line is cut whichever font the reader has.
LINE_SPACING = 1.47
CELL_PADDING_PT = 5.0
MAX_ROW_HEIGHT = 409.0  # Excel's limit
UNIT_PX = 7.0
FOOTER = "第 &P 页 共 &N 页"


def printed_width_units() -> float:
    return sum(c.width for c in COLUMNS if c.printed)


# --- measuring text ------------------------------------------------------------------------------------


def _text(value: str) -> str:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", evidence.strip_bidi(value or ""))


def _formula_like(text: str) -> bool:
    """Text that Excel (or a program importing the sheet) would take for a formula: the ledger workbook's
    rule (xlsx_cells.looks_like_formula), and a tab or carriage return before it."""
    from rectify_desktop.io.xlsx_cells import looks_like_formula

    return looks_like_formula(text) or text.startswith(("\t", "\r"))


def _half_widths(text: str) -> int:
    """Display width in half-width places: ASCII counts 1, anything else (Chinese, full-width marks) 2."""
    return 2 * len(text) - len(text.encode("ascii", errors="ignore"))


def wrap_capacity(width: float, size_pt: float = BODY_PT) -> int:
    """Half-width places a line of a cell `width` units wide holds in a CJK font of `size_pt`: half an em
    each, less the cell's margins and 4 % for font metrics; even, as Chinese characters do not split."""
    per_place = size_pt * 96 / 72 / 2
    return max(2, int((width * UNIT_PX - 4) / per_place * 0.96) // 2 * 2)


# A line may not end in an opening mark nor start with a closing one, and a run of Latin letters and digits
# ("〔2026〕12号", a file name) wraps as a whole: a cell holds fewer characters a line than its width suggests.
_OPENING = frozenset("（〔【《「『“‘([{")
_CLOSING = frozenset("）〕】》」』”’，。、；：！？)]},.;:!?")
_PIECES = re.compile(r"[\x21-\x7e]+|.", re.S)


def _pieces(line: str) -> list[str]:
    """What a line wraps between: Latin runs whole, opening marks with what follows, closing marks with
    what precedes."""
    out: list[str] = []
    opening = ""
    for m in _PIECES.finditer(line):
        piece = m.group()
        if piece in _OPENING:
            opening += piece
            continue
        piece, opening = opening + piece, ""
        if out and piece[0] in _CLOSING:
            out[-1] += piece
        else:
            out.append(piece)
    if opening:
        out.append(opening)
    return out


def line_count(text: str, width: float, size_pt: float = BODY_PT) -> int:
    """Lines `text` takes wrapped in a cell `width` units wide, by the rules above."""
    capacity = wrap_capacity(width, size_pt)
    lines = 0
    for line in str(text).split("\n"):
        lines += 1
        used = 0
        for piece in _pieces(line):
            w = _half_widths(piece)
            if used + w <= capacity:
                used += w
                continue
            if piece == " ":
                continue  # a space hangs at the end of a full line
            if used:
                lines += 1
            lines += (w - 1) // capacity  # a piece longer than a line is split through
            used = w - (w - 1) // capacity * capacity
    return lines


def row_height(lines: int, size_pt: float = BODY_PT) -> float:
    return min(MAX_ROW_HEIGHT, round(lines * size_pt * LINE_SPACING + CELL_PADDING_PT, 1))


# --- the workbook ----------------------------------------------------------------------------------------


def _row(i: int, e: Entry) -> list[object]:
    by_header: dict[str, object] = {
        "序号": i,
        "细化问题编号": e.item_code,
        "细化问题": e.item,
        "对应措施": e.measure,
        "材料名称": e.name,
        "类型": e.kind,
        "日期": e.date,
        "文号": e.doc_number,
        "文件": HAS_FILE if e.arcname else LACKS_FILE,
        "备注": e.note,
        "方面": e.category,
        "问题": e.finding,
        "大小（字节）": e.size if e.arcname else None,
        "包内位置": e.arcname or NO_FILE,
        "SHA-256": e.sha256 or "",
    }
    return [_text(v) if isinstance(v, str) else v for v in (by_header[c.header] for c in COLUMNS)]


def index_workbook(title: str, entries: list[Entry], today: dt.date | None = None) -> bytes:
    """目录.xlsx: one row per material, files and registered materials without a file (未附文件)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.utils.indexed_list import IndexedList

    wb = Workbook()
    # The default font is the unit of the column widths (see the module's docstring); every cell names its own.
    wb._fonts = IndexedList([Font(name="Arial", size=10)])
    ws = wb.active
    ws.title = "佐证材料目录"
    today = today or dt.date.today()
    n_files = sum(1 for e in entries if e.arcname)
    last_printed = get_column_letter(PRINTED_COLUMNS)
    ws.append([_text(f"{title} 佐证材料目录")])
    ws.append([f"导出日期：{cn_date(today)}　共 {n_files} 个文件，{len(entries) - n_files} 项未附文件"])
    ws.append(list(INDEX_HEADERS))

    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    body = Font(name="宋体", size=BODY_PT, charset=134)
    hashes = Font(name="Consolas", size=HASH_PT)
    wrap = Alignment(wrap_text=True, vertical="top")
    one_line = Alignment(wrap_text=False, vertical="top")
    centred = Alignment(horizontal="center", vertical="top", wrap_text=True)
    for i, e in enumerate(entries, 1):
        ws.append(_row(i, e))
        lines = 1
        for c, cell in zip(COLUMNS, ws[ws.max_row], strict=True):
            cell.border = border
            cell.font = hashes if c.header == "SHA-256" else body
            cell.alignment = (centred if c.header in ("序号", "日期", "文件") else wrap) if c.wrap else one_line
            if isinstance(cell.value, str):
                cell.data_type = "s"  # a title that starts with "=" stays text, never a formula
                if _formula_like(cell.value):
                    cell.quotePrefix = True  # and stays text when the clerk edits it in Excel
                if c.printed:
                    lines = max(lines, line_count(cell.value, c.width))
        ws.cell(ws.max_row, INDEX_HEADERS.index("日期") + 1).number_format = DATE_FORMAT
        # Neither Excel nor WPS fits the height of a row it did not lay out itself.
        ws.row_dimensions[ws.max_row].height = row_height(lines)

    title_lines = line_count(ws["A1"].value, printed_width_units(), TITLE_PT)
    ws["A1"].font = Font(name="宋体", size=TITLE_PT, bold=True, charset=134)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.row_dimensions[1].height = row_height(title_lines, TITLE_PT) + 4
    ws["A2"].font = body
    ws.row_dimensions[2].height = row_height(1)
    ws.merge_cells(f"A1:{last_printed}1")
    ws.merge_cells(f"A2:{last_printed}2")
    head_lines = max(line_count(c.header, c.width) for c in COLUMNS if c.printed)
    ws.row_dimensions[INDEX_HEADER_ROW].height = row_height(head_lines)
    for cell in ws[INDEX_HEADER_ROW]:
        cell.font = Font(name="宋体", size=BODY_PT, bold=True, charset=134)
        cell.fill = PatternFill("solid", fgColor="E8E8E8")  # light grey: reads the same in black and white
        cell.border = border
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for col, c in enumerate(COLUMNS, 1):
        ws.column_dimensions[get_column_letter(col)].width = c.width

    last_row = max(ws.max_row, INDEX_HEADER_ROW)
    ws.freeze_panes = ws.cell(INDEX_HEADER_ROW + 1, 1)
    ws.auto_filter.ref = f"A{INDEX_HEADER_ROW}:{get_column_letter(len(COLUMNS))}{last_row}"
    ws.print_area = f"A1:{last_printed}{last_row}"
    ws.print_title_rows = f"{INDEX_HEADER_ROW}:{INDEX_HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages as the rows need: only the width is fitted
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = SIDE_MARGIN_IN
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.page_margins.header = ws.page_margins.footer = 0.3
    ws.print_options.horizontalCentered = True
    ws.oddFooter.center.text = FOOTER
    ws.oddFooter.center.size = 10
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def read_index(data: bytes) -> list[dict[str, object]]:
    """The rows of a 目录.xlsx, by header (for tests and for checking a package received)."""
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(data), read_only=True).active
    rows = list(ws.iter_rows(min_row=INDEX_HEADER_ROW, values_only=True))
    headers = [str(h) for h in rows[0]]
    return [dict(zip(headers, r, strict=False)) for r in rows[1:] if any(v is not None for v in r)]
