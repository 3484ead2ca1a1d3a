"""The printed page (打印版式): a sheet laid out on paper once, then painted on the preview, a printer or a PDF.

The layout is computed in tenths of a point (``UNITS_PER_PT``), with fonts sized in those units as pixels, so it
does not depend on the device: the PDF writer runs at 720 dpi (one unit per device pixel), a printer or the
preview scales the painter to its own resolution. Text is measured and wrapped with QTextLayout, the rows are
paginated (a row that does not fit continues on the next page line by line; category and finding cells are
repeated at the top of a page where their items continue), then every page is painted with QPainter.
A QTextDocument would be simpler but cannot repeat a spanning cell on the next page.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen

from rectify_desktop.core.lists import LEDGER, Sheet
from rectify_desktop.ui.printing.bands import CONTINUED_BAND, with_bands
from rectify_desktop.ui.printing.cells import OVERDUE_WORDS, display_cells
from rectify_desktop.ui.printing.text import UNITS_PER_PT, Fonts, Line, TextStyle, title_lines, tokens

if TYPE_CHECKING:
    from rectify_desktop.ui.printing.summary import Summary, SummaryPages

DPI = 72 * UNITS_PER_PT  # the layout's resolution: the PDF writer is set to it
MM = 72 / 25.4 * UNITS_PER_PT  # layout units per millimetre
A4_MM = (210.0, 297.0)
MARGIN_MM = 10.0  # 10 mm all round: inside any printer's reach; the rest goes to the table
FOOTER_MM = 5.5  # the page number's baseline, from the bottom edge
CELL_PAD_X_MM = 0.6  # space left and right of a cell's text
CELL_PAD_Y = 0.25  # space above and below a cell's text, in lines
SIGNATURE_LINES = 3.2  # the names, the unit with its seal, the date: a line each (signed beside the label)
MAX_BAND_LINES = 2  # a category band repeated at the top of a page: at most this many lines
MIN_SPLIT_LINES = 2  # a row is only split at the foot of a page if at least this many of its lines fit there
# The table ends as the Excel ledger does (io.xlsx_ledger_sheet): 填表人 / 审核人 / 负责人 / 联系电话 on a line,
# each in a quarter of the width, then the unit with （盖章） and the date on the right.
SIGNATURE = ("填表人", "审核人", "负责人", "联系电话")
SEAL = "（盖章）"
GRID_PT = 0.6
HEADER_FILL = QColor(232, 232, 232)
CONTINUED = "续"
SAMPLE_ROWS = 60  # rows the column widths are balanced on (all of them in a short ledger)
EMPTY_NOTE = "没有符合所选范围的事项"

# How wide a column may get at least, in characters of the body font, and which are centred. A text column is
# read, so it is never a strip of two or three characters (备注 two characters wide takes eleven lines for one
# sentence): at least this wide, or as wide as its longest line when that is less.
MIN_CHARS: dict[str, float] = {
    "seq": 2,
    "category": 4,
    "finding": 5,
    "item": 7,
    "measures": 8,
    "measure": 8,
    "leader": 3,
    "department": 3,
    "person": 3,
    "deadline": 3,
    "progress": 8,
    "status": 3,
    "done": 3,
    "evidence": 6,
    "writeoff": 3,
    "remarks": 6,
    "role": 2,
}
# Columns of names: at least a name (or the header) wide, wider only where that saves lines.
FITTED = frozenset({"seq", "leader", "department", "person", "deadline", "status", "done", "writeoff", "role"})
# Columns of numbers, dates and states: as wide as a whole date needs and no wider, when width is short; the
# rest goes to the text columns.
DATED = frozenset({"seq", "deadline", "status", "done", "writeoff"})
MARKED_KEYS = frozenset({"deadline", "status"})  # where an overdue mark may stand
CENTRED = frozenset({"seq", "leader", "department", "person", "deadline", "status", "done", "writeoff", "role"})

# --- the layout ------------------------------------------------------------------------------------------------


@dataclass
class PageSetup:
    """What the clerk chose for the paper, and the words around the table."""

    font_size: float = 10.0
    landscape: bool = True
    unit: str = ""  # 填报单位
    date_text: str = ""  # 填报日期, as printed
    scope: str = ""  # which items, when not all: printed under the title
    paper_mm: tuple[float, float] = A4_MM  # width and height of the sheet held upright
    # The names under the table (from the ledger's settings), by label; a label without one is a blank to sign.
    signers: dict[str, str] = field(default_factory=dict)
    # The 整改情况汇总 after the table (printing.summary lays it out), which then carries the signatures.
    summary: Summary | None = None

    def signature_lines(self) -> tuple[list[str], str, str]:
        """The line of labels with their names, the unit with its seal, the date."""
        labels = [f"{label}：{self.signers.get(label, '').strip()}" for label in SIGNATURE]
        return labels, f"{self.unit}{SEAL}", self.date_text


@dataclass
class Piece:
    """Lines start..end of a row's cells, placed at y with a height (a whole row, or its part on one page)."""

    row: int
    start: int
    end: int
    y: float
    height: float
    whole: bool = True  # the row's first and last line are both here


@dataclass
class SpanBox:
    """A spanning cell (category, finding …) on one page: over its rows there, with the lines it shows."""

    col: int
    y: float
    height: float
    lines: list[Line]


@dataclass
class Page:
    number: int
    header_y: float
    pieces: list[Piece] = field(default_factory=list)
    spans: list[SpanBox] = field(default_factory=list)
    table_end: float = 0.0
    signature_y: float | None = None
    band: tuple[int, float] | None = None  # a category band repeated at the top: its row, and y
    body_y: float = 0.0  # where the rows begin: under the header, and the repeated band if any


class SheetLayout:
    """The pages of one sheet on one paper size: computed once, painted as often as needed."""

    def __init__(self, sheet: Sheet, setup: PageSetup, fonts: Fonts | None = None) -> None:
        self.source = sheet
        sheet, self.bands, self.band_of = with_bands(sheet)
        self.sheet = sheet
        self.setup = setup
        self.fonts = fonts or Fonts(setup.font_size)
        w_mm, h_mm = setup.paper_mm
        if setup.landscape != (w_mm > h_mm):
            w_mm, h_mm = h_mm, w_mm
        self.page_w, self.page_h = w_mm * MM, h_mm * MM
        self.left = self.top = MARGIN_MM * MM
        self.right = self.page_w - MARGIN_MM * MM
        self.bottom = self.page_h - MARGIN_MM * MM
        body = self.fonts.body
        # Thirteen columns share 277 mm: 0.6 mm inside each line (a sixth of an em) leaves the width to the text.
        self.pad_x = max(CELL_PAD_X_MM * MM, 0.17 * body.em)
        self.pad_y = round(CELL_PAD_Y * body.lh, 2)
        self.lh = body.lh
        self.keys = sheet.keys
        self.span_cols = [i for i, k in enumerate(self.keys) if k in sheet.span_keys]
        self.plain_cols = [i for i in range(len(self.keys)) if i not in self.span_cols]
        self.texts, self.bold = display_cells(sheet)
        self.widths = self._column_widths()
        self.xs = [self.left]
        for w in self.widths:
            self.xs.append(self.xs[-1] + w)
        self._wrap_all()
        self._title_block()
        self.signature_h = SIGNATURE_LINES * self.fonts.info.lh
        self.pages: list[Page] = []  # the table's; the summary's pages follow them (printing.summary.attach)
        self.summary: SummaryPages | None = None
        self._paginate()

    # -- widths --

    @staticmethod
    def _text_width_estimate(text: str) -> float:
        """A quick width in ems: CJK and full-width characters (three bytes in UTF-8) one em, the rest about half."""
        n = len(text)
        wide = (len(text.encode("utf-8")) - n) / 2
        return wide + 0.55 * (n - wide)

    def _widest_token(self, texts: list[str], key: str) -> float:
        """The width of the widest date, number or extension in a column's texts, with the cell's padding: no
        column is narrower, so that none of them is broken across lines ("1000", "2027年3月31日", ".pdf")."""
        seen = {tok for t in texts for tok in tokens(t)}
        widest = max((self.fonts.body.width(tok) for tok in seen), default=0.0)
        return widest * 1.01 + 2 * self.pad_x if widest else 0.0

    def _roomy(self, avail: float) -> bool:
        """Whether every column's longest line fits across the paper (a short list): then none need wrap."""
        em = self.fonts.body.em
        need = 0.0
        for key in self.keys:
            paras = [x for t in self.texts for x in t[key].split("\n")]
            need += max((self._text_width_estimate(x) for x in paras), default=0.0) * em * 1.04 + 2 * self.pad_x
        return need <= avail

    def _column_widths(self) -> list[float]:
        """Column widths: each between a minimum (its header, a few characters: 序号 narrow) and its longest
        line, first in proportion to its text per row, then moved, an em at a time, to where they save most
        lines (so 整改措施 and 整改进展 get the width, and the rows are as short as the text allows)."""
        em = self.fonts.body.em
        avail = self.right - self.left
        rows = self.sheet.rows
        n_rows = max(1, len(rows))
        step = max(1, len(rows) // SAMPLE_ROWS)
        sample = range(0, len(rows), step)
        mins, maxs, weights, tokens_w = [], [], [], []
        # The ledger's thirteen columns: dates and states get a whole date's width, no more (the lists have room).
        tight = self.sheet.kind == LEDGER and not self._roomy(avail)
        # For each column, per sampled row: the widths of its paragraphs, and how many rows share the cell.
        paras: list[list[tuple[list[float], int]]] = []
        for col, key in enumerate(self.keys):
            header = self.sheet.headers[col]
            head_w = self.fonts.head.width(header[: math.ceil(len(header) / 2)]) + 2 * self.pad_x
            share = [1] * len(rows)
            if col in self.span_cols:
                spans = self.sheet.spans(key)
                texts = [self.texts[s.first][key] for s in spans]
                for s in spans:
                    share[s.first : s.last + 1] = [s.last - s.first + 1] * (s.last - s.first + 1)
            else:
                texts = [t[key] for t in self.texts]
            longest, total = 0.0, 0.0
            for t in texts:
                for para in t.split("\n"):
                    w = self._text_width_estimate(para)
                    total += w
                    longest = max(longest, w)
            natural = longest * em * 1.04 + 2 * self.pad_x
            least = MIN_CHARS.get(key, 3) * em + 2 * self.pad_x
            tokens_w.append(self._widest_token(texts, key))
            lo = max(least if key in FITTED else min(least, natural), head_w, tokens_w[-1])
            mins.append(lo)
            maxs.append(lo if key in DATED and tight else max(lo, natural))
            weights.append(total * em / n_rows + 0.01)
            paras.append(
                [
                    ([self._text_width_estimate(x) * em for x in self.texts[i][key].split("\n")], share[i])
                    for i in sample
                ]
            )
        if sum(mins) > avail:  # the text columns' floors give way first, never below a whole date or number
            floors = [
                m if k in FITTED else max(min(m, 3 * em + 2 * self.pad_x), tok)
                for k, m, tok in zip(self.keys, mins, tokens_w, strict=True)
            ]
            give = sum(m - f for m, f in zip(mins, floors, strict=True))
            cut = min(1.0, (sum(mins) - avail) / give) if give > 0 else 0.0
            mins = [m - cut * (m - f) for m, f in zip(mins, floors, strict=True)]
            maxs = [max(a, b) for a, b in zip(mins, maxs, strict=True)]
        if sum(mins) >= avail:  # too many columns for the paper: shrink all alike; text wraps by characters
            return [m * avail / sum(mins) for m in mins]
        if sum(maxs) <= avail:  # little text: every column gets its longest line, the rest goes to text columns
            spare = avail - sum(maxs)
            share = [0.0 if k in CENTRED else w for k, w in zip(self.keys, weights, strict=True)]
            if sum(share) <= 0:
                share = weights
            return [mx + spare * s / sum(share) for mx, s in zip(maxs, share, strict=True)]
        lo_s, hi_s = 0.0, 1.0
        while sum(min(max(hi_s * w, a), b) for w, a, b in zip(weights, mins, maxs, strict=True)) < avail:
            hi_s *= 2
        for _ in range(60):
            mid = (lo_s + hi_s) / 2
            if sum(min(max(mid * w, a), b) for w, a, b in zip(weights, mins, maxs, strict=True)) < avail:
                lo_s = mid
            else:
                hi_s = mid
        widths = [min(max(hi_s * w, a), b) for w, a, b in zip(weights, mins, maxs, strict=True)]
        widths = self._balance(widths, mins, maxs, paras)
        widths[-1] += avail - sum(widths)  # rounding
        return widths

    def _balance(
        self, widths: list[float], mins: list[float], maxs: list[float], paras: list[list[tuple[list[float], int]]]
    ) -> list[float]:
        """Moves width between columns while that makes the sampled rows shorter in all (a row is as tall as
        its tallest cell; a spanning cell counts its lines shared among its rows)."""
        n_cols = len(widths)
        n = len(paras[0]) if paras else 0
        if n == 0 or n_cols < 2:
            return widths
        pad2 = 2 * self.pad_x
        unit = self.fonts.body.em
        cache: dict[tuple[int, int], list[float]] = {}

        def lines(c: int, w: float) -> list[float]:
            key = (c, int(w))
            hit = cache.get(key)
            if hit is None:
                inner = max(w - pad2, unit)
                hit = [sum(max(1.0, pw / inner) for pw in ps) / share for ps, share in paras[c]]
                cache[key] = hit
            return hit

        cols = [lines(c, widths[c]) for c in range(n_cols)]
        for _ in range(400):
            # Per row, its three tallest cells, so that the row's height without any two columns is at hand.
            top3 = [sorted(((col[r], c) for c, col in enumerate(cols)), reverse=True)[:3] for r in range(n)]
            heights = [t[0][0] for t in top3]
            sums = [sum(col) for col in cols]
            best = sum(heights) + 0.05 * sum(sums)
            move = None
            for give in range(n_cols):
                if widths[give] - unit < mins[give]:
                    continue
                ng = lines(give, widths[give] - unit)
                sg = sum(ng) - sums[give]
                for take in range(n_cols):
                    if take == give or widths[take] + unit > maxs[take]:
                        continue
                    nt = lines(take, widths[take] + unit)
                    total = 0.0
                    for r in range(n):
                        rest = 0.0
                        for v, c in top3[r]:
                            if c != give and c != take:
                                rest = v
                                break
                        a, b = ng[r], nt[r]
                        total += max(rest, a if a > b else b)
                    sc = total + 0.05 * (sum(sums) + sg + sum(nt) - sums[take])
                    if sc < best - 1e-6:
                        best, move = sc, (give, take)
            if move is None:
                break
            give, take = move
            widths[give] -= unit
            widths[take] += unit
            cols[give] = lines(give, widths[give])
            cols[take] = lines(take, widths[take])
        return widths

    # -- text --

    def _inner(self, col: int) -> float:
        return max(self.widths[col] - 2 * self.pad_x, self.fonts.body.em)

    def _wrap_all(self) -> None:
        body = self.fonts.body
        plain = [i for i in range(len(self.keys)) if i not in self.span_cols]
        self.cells: list[list[list[Line]]] = []
        self.n_lines: list[int] = []
        band = self.fonts.head
        self.band_lines: dict[int, list[Line]] = {}
        self._repeated: dict[int, list[Line]] = {}
        for row in range(len(self.sheet.rows)):
            cells: list[list[Line]] = [[] for _ in self.keys]
            if row in self.bands:
                self.band_lines[row] = band.wrap(self.bands[row], self.right - self.left - 2 * self.pad_x)
                self.cells.append(cells)
                self.n_lines.append(len(self.band_lines[row]))
                continue
            n = 1
            for c in plain:
                key = self.keys[c]
                cells[c] = body.wrap(self.texts[row][key], self._inner(c))
                n = max(n, len(cells[c]))
            self.cells.append(cells)
            self.n_lines.append(n)
        # Spanning cells: their text once per span, and for every row the span it is in.
        self.span_of: dict[int, list[int]] = {}
        self.span_list: dict[int, list[tuple[int, int]]] = {}
        self.span_lines: dict[tuple[int, int], list[Line]] = {}
        for c in self.span_cols:
            key = self.keys[c]
            spans = self.sheet.spans(key)
            of = [0] * len(self.sheet.rows)
            for si, s in enumerate(spans):
                for i in range(s.first, s.last + 1):
                    of[i] = si
                band = s.first in self.bands  # a band's own group: no text of its own in the column
                self.span_lines[(c, si)] = [] if band else body.wrap(self.texts[s.first][key], self._inner(c))
            self.span_of[c] = of
            self.span_list[c] = [(s.first, s.last) for s in spans]
        head = self.fonts.head
        self.header_lines = [head.wrap_even(h, self._inner(c)) for c, h in enumerate(self.sheet.headers)]
        self.header_h = max(len(x) for x in self.header_lines) * head.lh + 2 * self.pad_y

    def _h(self, lines: int) -> float:
        return lines * self.lh + 2 * self.pad_y

    def _title_block(self) -> None:
        """The title (centred, wrapped if long), the scope when filtered, then 填报单位 … 填报日期."""
        width = self.right - self.left
        self.title_lines = title_lines(self.fonts.title, self.sheet.title, width * 0.92)
        y = self.top
        self.title_y = y
        y += len(self.title_lines) * self.fonts.title.lh + 1.0 * MM
        self.scope_y = None
        if self.setup.scope:
            self.scope_y = y
            y += self.fonts.body.lh
        self.info_y = y
        y += self.fonts.info.lh + 1.5 * MM
        self.first_header_y = y
        # Later pages: the title again, small, so that a page taken out of the file still says what it is.
        self.running_title = f"{self.sheet.title}（续）"
        self.later_header_y = self.top + self.fonts.body.lh + 1.0 * MM

    # -- pagination --

    def _body_top(self, first: bool) -> float:
        return (self.first_header_y if first else self.later_header_y) + self.header_h

    def _span_text_h(self, c: int, si: int, offsets: dict[tuple[int, int], int]) -> float:
        """The height a spanning cell needs: its whole text, or what is left of a text taller than a page."""
        left = len(self.span_lines[(c, si)]) - offsets.get((c, si), 0)
        return self._h(left) if left > 0 else 0.0

    def _paginate(self) -> None:
        rows = self.sheet.rows
        n_rows = len(rows)
        # (column, span) → its first line still to show, for a spanning text taller than a page, which flows on
        # from page to page instead of being repeated (len(lines) once it has all been shown).
        offsets: dict[tuple[int, int], int] = {}
        i, a = 0, 0  # the next row, and its first line still to place
        while True:
            first = not self.pages
            page = Page(len(self.pages) + 1, self.first_header_y if first else self.later_header_y)
            top = self._body_top(first)
            band = self.band_of[i] if i < n_rows else None
            if band is not None:  # the page begins inside a category: its band again, with （续）
                page.band = (band, top)
                top += self._h(len(self._band_lines(band, True)))
            y = page.body_y = top
            pieces = page.pieces
            open_at: dict[int, tuple[int, float]] = {}  # column → (span, y where it starts on this page)
            while i < n_rows:
                last = i == n_rows - 1
                limit = self.bottom - (self.signature_h if last and self.setup.summary is None else 0.0)
                rest = self.n_lines[i] - a
                content = self._h(rest) if rest > 0 else 0.0
                need = content
                if i in self.bands and not last and rest > 0:  # a band stays with the first lines of its row
                    need += self._h(min(MIN_SPLIT_LINES, self.n_lines[i + 1]))
                for c in self.span_cols:
                    si = self.span_of[c][i]
                    if self.span_list[c][si][1] == i:  # the span ends with this row: its text must fit by now
                        start_y = open_at[c][1] if c in open_at and open_at[c][0] == si else y
                        need = max(need, self._span_text_h(c, si, offsets) - (y - start_y))
                if need <= 0:  # nothing left of this row (its last lines ended the previous page)
                    i, a = i + 1, 0
                    continue
                if y + need <= limit + 0.01:
                    if i in self.bands:
                        need = content
                    self._place(pieces, open_at, Piece(i, a, self.n_lines[i], y, need, whole=a == 0))
                    y += need
                    i, a = i + 1, 0
                    continue
                cap = int((limit - y - 2 * self.pad_y + 0.01) // self.lh)
                if pieces:
                    # Split where the foot of the page holds a few lines and a few are left for the next page,
                    # rather than leave the foot empty; a band is never split nor left alone at the foot.
                    if rest == 0 or i in self.bands or cap >= rest:  # (the spanning cell is what does not fit)
                        break
                    cap = min(cap, rest - MIN_SPLIT_LINES)
                    if cap < MIN_SPLIT_LINES:
                        break
                # Split here: as many lines as fit, the rest on the next page.
                take = min(rest, max(cap, 0 if pieces else 1))
                # ≥ one line even on a hopeless page; what is left of a spanning text: to the foot of the page
                height = max(limit - y, self._h(take) if take else self.bottom - y)
                self._place(pieces, open_at, Piece(i, a, a + take, y, height, whole=False))
                y += height
                a += take
                break
            if i < n_rows:
                i, a, y = self._check_open_spans(page, i, a, y, offsets)
            elif n_rows == 0:
                y += self._h(1)  # room for a line saying that nothing was chosen
            self._span_boxes(page, i, offsets)
            page.table_end = y
            self.pages.append(page)
            if i >= n_rows:
                break
        if self.setup.summary is not None:
            return  # the signatures go under the summary
        last_page = self.pages[-1]
        if last_page.table_end + self.signature_h <= self.bottom + 0.01 or not last_page.pieces:
            last_page.signature_y = last_page.table_end
        else:  # only when the last row was taller than a page
            y = self.later_header_y
            self.pages.append(Page(len(self.pages) + 1, y, table_end=y, signature_y=y))

    def _band_lines(self, row: int, repeated: bool) -> list[Line]:
        """A band's lines; repeated at the top of a page, with （续）, in two lines at most (cut with "…")."""
        if not repeated:
            return self.band_lines[row]
        hit = self._repeated.get(row)
        if hit is None:
            head, text = self.fonts.head, self.bands[row]
            width = self.right - self.left - 2 * self.pad_x
            hit = head.wrap(text + CONTINUED_BAND, width)
            lo, hi = 0, len(text)
            while len(hit) > MAX_BAND_LINES and lo < hi:
                mid = (lo + hi + 1) // 2
                if len(head.wrap(text[:mid] + "…" + CONTINUED_BAND, width)) <= MAX_BAND_LINES:
                    lo = mid
                else:
                    hi = mid - 1
            if len(hit) > MAX_BAND_LINES:
                hit = head.wrap(text[:lo] + "…" + CONTINUED_BAND, width)
            self._repeated[row] = hit
        return hit

    def _place(self, pieces: list[Piece], open_at: dict[int, tuple[int, float]], piece: Piece) -> None:
        for c in self.span_cols:
            si = self.span_of[c][piece.row]
            if c not in open_at or open_at[c][0] != si:
                open_at[c] = (si, piece.y)
        pieces.append(piece)

    def _check_open_spans(
        self, page: Page, i: int, a: int, y: float, offsets: dict[tuple[int, int], int]
    ) -> tuple[int, int, float]:
        """A spanning cell that continues on the next page must hold its whole text on this one too: make its
        last row taller if there is room, else move its rows to the next page."""
        pieces = page.pieces
        changed = True
        while changed and pieces:
            changed = False
            for c in self.span_cols:
                si = self.span_of[c][i]
                seg = [k for k, p in enumerate(pieces) if self.span_of[c][p.row] == si]
                if not seg:
                    continue
                seg_h = sum(pieces[k].height for k in seg)
                deficit = self._span_text_h(c, si, offsets) - seg_h
                if deficit <= 0.01:
                    continue
                free = self.bottom - y
                if deficit <= free:
                    pieces[-1].height += deficit
                    y += deficit
                elif seg[0] > 0:
                    first = pieces[seg[0]]
                    i, a = first.row, first.start
                    del pieces[seg[0] :]
                    y = pieces[-1].y + pieces[-1].height
                    changed = True
                    break
                else:  # the span's text is taller than a page: it flows on (see _span_boxes)
                    pieces[-1].height += free
                    y = self.bottom
        return i, a, y

    def _span_boxes(self, page: Page, next_row: int, offsets: dict[tuple[int, int], int]) -> None:
        for c in self.span_cols:
            runs: list[tuple[int, float, float]] = []
            for p in page.pieces:
                si = self.span_of[c][p.row]
                if runs and runs[-1][0] == si:
                    runs[-1] = (si, runs[-1][1], p.y + p.height - runs[-1][1])
                else:
                    runs.append((si, p.y, p.height))
            for si, y0, h in runs:
                lines = self.span_lines[(c, si)]
                off = offsets.pop((c, si), 0)
                fit = max(0, int((h - 2 * self.pad_y + 0.01) // self.lh))
                page.spans.append(SpanBox(c, y0, h, lines[off : off + fit]))
                last_row = self.span_list[c][si][1]
                continues = next_row < len(self.sheet.rows) and next_row <= last_row
                if off + fit < len(lines) and (continues or page.pieces[-1].row == last_row):
                    offsets[(c, si)] = off + fit  # flows on to the next page
                elif off > 0 and continues:
                    offsets[(c, si)] = len(lines)  # a flowing text ended here: not started over

    # -- painting --

    @property
    def page_count(self) -> int:
        return len(self.pages) + (self.summary.page_count if self.summary else 0)

    def paint_page(self, p: QPainter, page: Page) -> None:
        """Paints one page in layout units; the caller has scaled the painter to the device."""
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        black = QColor(0, 0, 0)
        if page.number == 1:
            self._paint_title(p)
        else:
            self._paint_running_title(p)
        if page.pieces or page.number == 1:
            self._paint_header(p, page.header_y)
        body = self.fonts.body
        p.setFont(body.font)
        p.setPen(black)
        if page.band is not None:
            self._paint_band(p, self._band_lines(page.band[0], True), page.band[1])
        for piece in page.pieces:
            if piece.row in self.bands:
                self._paint_band(p, self.band_lines[piece.row][piece.start : piece.end], piece.y)
            else:
                self._paint_piece(p, piece)
        for box in page.spans:
            x, w = self.xs[box.col], self.widths[box.col]
            text_h = len(box.lines) * self.lh
            y = box.y + max(self.pad_y, (box.height - text_h) / 2)
            if self.keys[box.col] in MARKED_KEYS:  # 整改时限 over a task list's measures: its mark in bold
                self._marked_lines(p, box.lines, box.col, y)
            else:
                self._lines(p, body, box.lines, x, w, y, self.keys[box.col] in CENTRED)
        if not self.sheet.rows and page.number == 1:
            y = page.header_y + self.header_h
            p.drawText(QPointF(self.left + self.pad_x, body.baseline(y + self.pad_y)), EMPTY_NOTE)
        self._paint_grid(p, page)
        if page.signature_y is not None:
            self._paint_signature(p, page.signature_y)
        self._paint_footer(p, page.number)

    def _lines(self, p: QPainter, style: TextStyle, lines: list[Line], x: float, w: float, y: float, centre: bool):
        base, lh = y + style.base_offset, style.lh
        left = x + self.pad_x
        for text, tw in lines:
            if text:
                p.drawText(QPointF(x + (w - tw) / 2 if centre else left, base), text)
            base += lh

    def _paint_title(self, p: QPainter) -> None:
        title = self.fonts.title
        p.setPen(QColor(0, 0, 0))
        p.setFont(title.font)
        width = self.right - self.left
        y = self.title_y
        for text, tw in self.title_lines:
            p.drawText(QPointF(self.left + (width - tw) / 2, title.baseline(y)), text)
            y += title.lh
        info = self.fonts.info
        if self.scope_y is not None:
            p.setFont(self.fonts.body.font)
            scope = f"（范围：{self.setup.scope}）"
            p.drawText(
                QPointF(self.left + (width - self.fonts.body.width(scope)) / 2, self.fonts.body.baseline(self.scope_y)),
                scope,
            )
        p.setFont(info.font)
        left = f"填报单位：{self.setup.unit}"
        right = f"填报日期：{self.setup.date_text}"
        base = info.baseline(self.info_y)
        p.drawText(QPointF(self.left + self.pad_x, base), left)
        p.drawText(QPointF(self.right - self.pad_x - info.width(right), base), right)

    def _paint_running_title(self, p: QPainter) -> None:
        body = self.fonts.body
        p.setPen(QColor(0, 0, 0))
        p.setFont(body.font)
        lines = body.wrap(self.running_title, self.right - self.left)[:1]
        for text, tw in lines:
            p.drawText(QPointF(self.left + (self.right - self.left - tw) / 2, body.baseline(self.top)), text)

    def _paint_header(self, p: QPainter, y: float) -> None:
        head = self.fonts.head
        p.fillRect(QRectF(self.left, y, self.right - self.left, self.header_h), HEADER_FILL)
        p.setFont(head.font)
        p.setPen(QColor(0, 0, 0))
        for c, lines in enumerate(self.header_lines):
            top = y + (self.header_h - len(lines) * head.lh) / 2
            self._lines(p, head, lines, self.xs[c], self.widths[c], top, True)

    def _paint_band(self, p: QPainter, lines: list[Line], y: float) -> None:
        """A category across the table, in the header's type, left-aligned."""
        head = self.fonts.head
        p.setFont(head.font)
        self._lines(p, head, lines, self.left, self.right - self.left, y + self.pad_y, False)
        p.setFont(self.fonts.body.font)

    def _paint_piece(self, p: QPainter, piece: Piece) -> None:
        body = self.fonts.body
        cells = self.cells[piece.row]
        for c in self.plain_cols:
            key = self.keys[c]
            lines = cells[c][piece.start : piece.end]
            if key == "seq" and piece.start > 0:  # a row continued from the previous page: its number again
                lines = [*cells[c], (CONTINUED, body.width(CONTINUED))]
            if not lines:
                continue
            if piece.whole:
                y = piece.y + (piece.height - len(lines) * self.lh) / 2
            else:
                y = piece.y + self.pad_y
            if (piece.row, key) in self.bold:  # the mark in bold, the date above it as any other
                self._marked_lines(p, lines, c, y)
            else:
                self._lines(p, body, lines, self.xs[c], self.widths[c], y, key in CENTRED)

    def _marked_lines(self, p: QPainter, lines: list[Line], col: int, y: float) -> None:
        body, bold = self.fonts.body, self.fonts.bold
        centre = self.keys[col] in CENTRED
        for k, (text, tw) in enumerate(lines):
            marked = OVERDUE_WORDS in text
            style = bold if marked else body
            p.setFont(style.font)
            width = style.width(text) if marked else tw
            self._lines(p, style, [(text, width)], self.xs[col], self.widths[col], y + k * self.lh, centre)
        p.setFont(body.font)

    def _paint_grid(self, p: QPainter, page: Page) -> None:
        pen = QPen(QColor(0, 0, 0))
        pen.setWidthF(GRID_PT * UNITS_PER_PT)
        pen.setCapStyle(Qt.PenCapStyle.SquareCap)
        p.setPen(pen)
        top, bottom = page.header_y, max(page.table_end, page.header_y + self.header_h)
        if not page.pieces and page.signature_y is not None and page.number > 1:
            return  # a page holding only the signatures
        body_top = top + self.header_h
        # The column lines run down the header and every row, not across a category's band.
        runs: list[tuple[float, float, bool]] = [(top, body_top, False)]
        if page.band is not None:
            band_end = page.pieces[0].y if page.pieces else bottom
            runs.append((body_top, band_end, True))
            p.drawLine(QPointF(self.left, band_end), QPointF(self.right, band_end))
        runs += [(x.y, x.y + x.height, x.row in self.bands) for x in page.pieces]
        if not page.pieces and page.band is None:
            runs.append((body_top, bottom, False))
        for y0, y1, band in runs:
            for x in (self.xs[0], self.xs[-1]) if band else self.xs:
                p.drawLine(QPointF(x, y0), QPointF(x, y1))
        p.drawLine(QPointF(self.left, top), QPointF(self.right, top))
        p.drawLine(QPointF(self.left, top + self.header_h), QPointF(self.right, top + self.header_h))
        pieces = page.pieces
        for k, piece in enumerate(pieces):
            y = piece.y + piece.height
            nxt = pieces[k + 1] if k + 1 < len(pieces) else None
            run_start = None
            for c in range(len(self.keys) + 1):
                inside = (
                    c < len(self.keys)
                    and nxt is not None
                    and c in self.span_cols
                    and self.span_of[c][piece.row] == self.span_of[c][nxt.row]
                )
                draw = c < len(self.keys) and not inside
                if draw and run_start is None:
                    run_start = self.xs[c]
                elif not draw and run_start is not None:
                    p.drawLine(QPointF(run_start, y), QPointF(self.xs[c], y))
                    run_start = None
        if not self.sheet.rows:
            p.drawLine(QPointF(self.left, bottom), QPointF(self.right, bottom))

    def _paint_signature(self, p: QPainter, y: float) -> None:
        info = self.fonts.info
        p.setPen(QColor(0, 0, 0))
        p.setFont(info.font)
        width = self.right - self.left
        labels, seal, date = self.setup.signature_lines()
        base = info.baseline(y + 0.9 * info.lh)
        for k, label in enumerate(labels):
            p.drawText(QPointF(self.left + self.pad_x + k * width / len(labels), base), label)
        for text in (seal, date):
            base += info.lh
            if text:
                p.drawText(QPointF(self.right - self.pad_x - info.width(text), base), text)

    def _paint_footer(self, p: QPainter, number: int) -> None:
        body = self.fonts.body
        p.setPen(QColor(0, 0, 0))
        p.setFont(body.font)
        text = f"第 {number} 页 共 {self.page_count} 页"
        x = (self.page_w - body.width(text)) / 2
        p.drawText(QPointF(x, self.page_h - FOOTER_MM * MM), text)

    def paint(self, p: QPainter, new_page, first: int = 1, last: int | None = None) -> None:
        """Paints pages first..last (1-based), calling new_page() between them."""
        last = min(last or self.page_count, self.page_count)
        for n in range(first, last + 1):
            if n > first:
                new_page()
            if n > len(self.pages) and self.summary:
                self.summary.paint_page(p, n - len(self.pages) - 1)
            else:
                self.paint_page(p, self.pages[n - 1])
