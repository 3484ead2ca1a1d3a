"""The 台账 sheet of the exported workbook: the ledger of DOMAIN.md as it goes on paper.

Laid out for the inspection office's printer, A4 landscape, body text at its own size (10.5 pt, never
shrunk to fit):

- each category (方面) and each finding (问题) is a row across the table above its items, repeated with
  （续） atop every page they run on to, so that every page says what its items are about; the finding's
  text takes the page's width (two lines where a column of its own took ten) and the item columns get the
  width it had. The rows are paginated here (their heights are known) and the page breaks written into the
  sheet. Sorting and filtering need one row per item and no merged cells: that is the 可筛选 sheet
  (io.xlsx_flat_sheet);
- 完成情况 holds the status alone, exactly a value of its drop-down list, and 完成时间 the date it was done
  and nothing else (the column sorts as dates);
- 整改时限 is a real date where the deadline is one (a phrase such as 长期坚持 stays text); an overdue item's
  is in bold on a dotted ground, which a black-and-white printer keeps and which costs no column (a 逾期
  column would take width from the text; the mark in 备注 would come back into the remarks on import); the
  可筛选 sheet has a 逾期 column to filter on;
- dates are written 2026.10.3, in date cells and in 销号情况 (io.xlsx_cells.DATE_FORMAT); 销号情况 puts its date
  on a line of its own, several evidence names are numbered ①② one a line;
- a text taller than Excel's 409-point row keeps what fits and goes on in the 续 sheet, its cell saying so;
- only the column header repeats on every page; the title, 填报单位 and the legend print once, and the
  table ends with the 填表人 / 审核人 / 负责人 / 联系电话 line and the seal, from the ledger's settings.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.pagebreak import Break

from rectify_desktop.core import settings
from rectify_desktop.core.models import DONE, STATUSES, db
from rectify_desktop.core.stats import as_date
from rectify_desktop.core.table import LedgerTable, cn_date
from rectify_desktop.io.xlsx_cells import (
    BODY_FONT,
    CELL_PADDING_PT,
    DATE_FORMAT,
    FINDING_FONT,
    GROUP_FONT,
    HEADER_FONT,
    INFO_FONT,
    LEDGER_HEADER_ROWS,
    LINE_SPACING,
    MAX_ROW_HEIGHT,
    OVERDUE_DEADLINE_FILL,
    OVERDUE_FILL,
    Cell,
    Look,
    Row,
    Value,
    date_units,
    line_count,
    natural_width,
    next_width,
    row_height,
    short_date,
    split_point,
    text_cell,
    text_width,
    wrap_capacity,
)
from rectify_desktop.io.xlsx_sheet import MARGINS, Sheet, _header_row, _title_rows

# The 台账's columns. 方面 and 问题 are not columns: each is a row across the table (see the module's doc).
LEDGER_KEYS: tuple[str, ...] = (
    "seq",
    "item",
    "measures",
    "leader",
    "department",
    "person",
    "deadline",
    "progress",
    "status",
    "completed",
    "evidence",
    "writeoff",
    "remarks",
)
LEDGER_HEADERS: tuple[str, ...] = (
    "序号",
    "细化问题",
    "整改措施",
    "责任领导",
    "责任部门",
    "责任人",
    "整改时限",
    "整改进展",
    "完成情况",
    "完成时间",
    "佐证材料",
    "销号情况",
    "备注",
)
CONTINUED_GROUP = "（续）"  # after a category's or finding's text atop a page it runs on to
# Atop a page that goes on with both, one row says both (a row fewer a page): category（续）　　finding（续）.
BOTH_GAP = "\u3000\u3000"


def continued_both(category: str, finding: str) -> str:
    """The row atop a page that goes on with both a category and its finding."""
    return category + CONTINUED_GROUP + BOTH_GAP + finding + CONTINUED_GROUP


# In 序号, on the rest of an item split over a page break; its 细化问题 is not repeated, so that the column
# holds each item once (COUNTA counts the items).
CONTINUED_ITEM = "续"
SEAL = "（盖章）"
# The signature line under the table: each label with its setting; an empty setting leaves a blank to sign.
SIGNATURES: tuple[tuple[str, str], ...] = (
    ("填表人", "reporter"),
    ("审核人", "reviewer"),
    ("负责人", "principal"),
    ("联系电话", "contact_phone"),
)

# The signature line (room above it to sign), the unit with its seal, the date.
_SIGNATURE_HEIGHTS = (row_height(1, INFO_FONT) + 10, row_height(1, INFO_FONT) + 4, row_height(1, INFO_FONT))

# The columns: width limits in Excel units (the layout fits the text between them, then widens the
# long-text columns while the page has room), and horizontal alignment.
_LEDGER_COLUMNS: dict[str, tuple[float, float, str]] = {
    "seq": (4.5, 6, "center"),
    "item": (16, 40, "left"),  # the key column: seven characters a line at least (eight as printed)
    "measures": (16, 50, "left"),
    "leader": (5.5, 7, "center"),  # three characters a line: a name whole, a list on several lines
    "department": (5.5, 7, "center"),
    "person": (5.5, 7, "center"),
    "deadline": (8, 14, "center"),
    "progress": (14, 50, "left"),
    "status": (5, 10, "center"),  # 正在/推进 on two lines: an item's row has two lines or more anyway
    "completed": (8, 14, "center"),
    "evidence": (7.1, 16, "left"),  # three characters a line at least, never two
    "writeoff": (4, 14, "center"),  # 已销号 over its date, which is never broken
    "remarks": (7.1, 16, "left"),
}
# The page: A4 landscape within the margins of io.xlsx_sheet, in Excel's units at 100 % (7 px a unit, 5 px
# more a column), so that the body prints at its own size: 297 mm less 2 × 0.25 in is 1,075 px.
_PAGE_PX = (297 / 25.4 - MARGINS.left - MARGINS.right) * 96
LEDGER_WIDTH_BUDGET = round((_PAGE_PX - 5 * len(LEDGER_KEYS)) / 7 - 0.2, 1)  # 0.2 unit to spare
# The printed height of a page's rows, in points: 210 mm less the top and bottom margins; 0.5 % to spare for
# the rounding of row heights by the spreadsheet programs.
PAGE_ROWS_PT = (210 / 25.4 - MARGINS.top - MARGINS.bottom) * 72 * 0.995
_MAX_LINES = int((MAX_ROW_HEIGHT - CELL_PADDING_PT) / (float(BODY_FONT.sz) * LINE_SPACING))

_BOLD_BODY = Font(name=BODY_FONT.name, size=BODY_FONT.sz, bold=True, charset=BODY_FONT.charset)
_WRAPPING = ("item", "measures", "progress", "evidence", "remarks")
_DATES = ("deadline", "completed")
_SPLITTABLE = ("measures", "progress")  # the long texts an item split over a page break goes on with
_LOOKAHEAD = 12  # widenings, a character a line each, tried at once for a column
_FIT_SAMPLE = 400  # rows the widths are fitted on; a large ledger is sampled evenly
_SETTLE_SAMPLE = 120  # and settled on (see _settle)

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


_WRITTEN_OFF = re.compile(r"（(\d{4})年(\d{1,2})月(\d{1,2})日）$")


def writeoff_text(text: str) -> str:
    """销号情况 as the sheet writes it: the word over its date (已销号 / 2026.8.24), the date never broken
    (the import reads the date on either line)."""
    m = _WRITTEN_OFF.search(text)
    if not m:
        return text
    return text[: m.start()] + "\n" + ".".join(str(int(g)) for g in m.groups())


CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def evidence_text(names: str) -> str:
    """Several evidence names numbered ①②, each on a line of its own, so that where one ends shows in a
    narrow column (the import takes the numbers off again); one name as it is."""
    lines = names.split("\n")
    if len(lines) < 2 or len(lines) > len(CIRCLED):
        return names
    return "\n".join(CIRCLED[i] + n for i, n in enumerate(lines))


def header_width(header: str) -> float:
    """The narrowest width that shows a header whole: four characters or more on two lines of equal
    length (责任/领导), never a character alone on a line."""
    half = header if len(header) < 4 else header[: -(-len(header) // 2)]
    return natural_width(text_width(half), HEADER_FONT)


def _header_text(header: str, width: float) -> str:
    """A header as its column shows it: on one line, or broken in the middle (责任 over 领导) where the column
    is narrower, never 责任领 over 导."""
    if len(header) < 4 or natural_width(text_width(header), HEADER_FONT) <= width:
        return header
    half = -(-len(header) // 2)
    return header[:half] + "\n" + header[half:]


# --- the rows ---------------------------------------------------------------------------------------


@dataclass
class _Line:
    """One item's row: its values by column (texts, the 序号 as a number, dates as dates) and what they print."""

    values: list[Value]
    shown: list[str]
    category: str
    finding: str
    finding_id: int
    overdue: bool


def _item_dates(inspection_id: int) -> dict[int, tuple[dt.date | None, str, dt.date | None]]:
    """Each item's deadline date, deadline text and completion date, as stored."""
    return {
        r[0]: (as_date(r[1]), r[2] or "", as_date(r[3]))
        for r in db.execute_sql(
            "SELECT i.id, i.deadline_date, i.deadline_text, i.completed_date FROM item i"
            " JOIN finding f ON f.id = i.finding_id WHERE f.inspection_id = ?",
            (inspection_id,),
        ).fetchall()
    }


def ledger_values(table: LedgerTable) -> list[dict[str, Value]]:
    """Each item's cells as the workbook holds them, by key (core.table's and 完成时间, "completed"): the
    status alone, exactly a value of the drop-down list; the date it was done apart (nothing else: the
    overdue mark is on the deadline's look); the deadline a date where it is one (typed as such, or a
    phrase that is only that date), so that the column sorts; a phrase (长期坚持, 2026年底前) as the clerk
    wrote it; the 序号 a number; several evidence names numbered; 销号情况's date on a line of its own."""
    dates = _item_dates(table.inspection.id)
    out: list[dict[str, Value]] = []
    for r in table.rows:
        deadline_date, deadline_text, completed = dates.get(r.item_id, (None, "", None))
        values: dict[str, Value] = dict(r.cells)
        values["seq"] = int(r.cells["seq"]) if r.cells["seq"].isdigit() else r.cells["seq"]
        values["status"] = r.status
        if deadline_date is not None and deadline_text.strip() in ("", cn_date(deadline_date)):
            values["deadline"] = deadline_date
        values["completed"] = completed if r.status == DONE and completed is not None else ""
        values["evidence"] = evidence_text(r.cells["evidence"])
        values["writeoff"] = writeoff_text(r.cells["writeoff"])
        out.append(values)
    return out


def shown(value: Value) -> str:
    """A cell's value as it prints."""
    return short_date(value) if isinstance(value, dt.date) else "" if value is None else str(value)


def ledger_lines(table: LedgerTable) -> list[_Line]:
    """The item rows of the 台账."""
    out: list[_Line] = []
    for r, values in zip(table.rows, ledger_values(table), strict=True):
        row = [values[k] for k in LEDGER_KEYS]
        out.append(
            _Line(row, [shown(v) for v in row], r.cells["category"], r.cells["finding"], r.finding_id, r.overdue)
        )
    return out


# --- widths ------------------------------------------------------------------------------------------


def _ledger_widths(lines: list[_Line], measured: dict[str, list[LineWidths]]) -> list[float]:
    """Column widths that fit the text within the page width, at 100 %.

    Short columns (names, dates, statuses) get the width of their longest text, within their limits (a date
    always whole: Excel shows ### for a date that does not fit). The page width left is then handed out to
    the long-text column whose widening shortens the rows most for the width it takes, until the page is
    full or no row gets shorter.
    """
    widths: list[float] = []
    for i, (key, header) in enumerate(zip(LEDGER_KEYS, LEDGER_HEADERS, strict=True)):
        lo, hi, _ = _LEDGER_COLUMNS[key]
        head = header_width(header)
        if key in _WRAPPING:  # an empty column (no remarks at all) as narrow as its header
            widths.append(max(lo, head) if any(measured[key]) else head)
            continue
        widest = _widest(measured[key])
        if key == "status":
            widest = -(-widest // 4) * 2  # on two lines
        if key in _DATES:  # as wide as its dates; a phrase (长期坚持, 2026年10月底前) wraps
            dated = [date_units(ln.shown[i]) for ln in lines if isinstance(ln.values[i], dt.date)]
            w = max([lo, head, *dated])
        else:
            w = min(max(natural_width(widest, BODY_FONT), head, lo), hi)
        if key == "writeoff":  # its dates on lines of their own, whole
            w = max([w, *(date_units(ln.shown[i].split("\n")[-1]) for ln in lines if "\n" in ln.shown[i])])
        widths.append(w)

    # The long texts of a sample of rows, as line widths.
    sample = range(0, len(lines), max(1, len(lines) // _FIT_SAMPLE))
    texts: list[list[tuple[int, ...]]] = []  # per wrapping column, per sample row
    for key in _WRAPPING:
        column = []
        for i in sample:
            w = measured[key][i]
            column.append(() if not w else (w,) if type(w) is int else w)  # type: ignore[arg-type]
        texts.append(column)

    def cost(col: int, width: float) -> list[float]:
        cap = wrap_capacity(width, BODY_FONT)
        return [sum(max(1.0, w / cap) for w in ws) for ws in texts[col]]

    cols = [LEDGER_KEYS.index(k) for k in _WRAPPING]
    costs = [cost(c, widths[cols[c]]) for c in range(len(cols))]
    left = LEDGER_WIDTH_BUDGET - sum(widths)
    n = len(sample)
    while n:
        # Each row's tallest column and the height of the next tallest: what widening that column gains.
        top, arg, second = [1.0] * n, [-1] * n, [1.0] * n
        for c, col in enumerate(costs):
            for r, v in enumerate(col):
                if v > top[r]:
                    top[r], second[r], arg[r] = v, top[r], c
                elif v > second[r]:
                    second[r] = v
        best, best_rate, best_width, best_costs = -1, 1e-6, 0.0, None
        for c, k in enumerate(_WRAPPING):
            now = wider = widths[cols[c]]
            # One more Chinese character a line, or as many as it takes for a row to lose a line (a text of
            # two measures of 22 characters each loses none until a line holds 22).
            for _ in range(_LOOKAHEAD):
                wider = next_width(wider, BODY_FONT)
                if wider > _LEDGER_COLUMNS[k][1] or wider - now > left:
                    break
                new = cost(c, wider)
                rate = sum(top[r] - max(second[r], new[r]) for r in range(n) if arg[r] == c) / (wider - now)
                if rate > best_rate:
                    best, best_rate, best_width, best_costs = c, rate, wider, new
        if best_costs is None:
            break
        left -= best_width - widths[cols[best]]
        widths[cols[best]] = best_width
        costs[best] = best_costs
    # What no row needs goes to the key column, 细化问题, then to 整改措施 and 整改进展.
    for key in ("item", "measures", "progress"):
        i = LEDGER_KEYS.index(key)
        more = min(left, _LEDGER_COLUMNS[key][1] - widths[i])
        if more > 0:
            widths[i] += more
            left -= more
    _settle(widths, lines, sample)
    return [round(w, 1) for w in widths]


def _settle(widths: list[float], lines: list[_Line], sample: range) -> None:
    """Shares the width of the long-text columns anew so that the sample's rows are shortest as they print
    (line_count: whole words, no comma atop a line), a row as tall as its tallest cell. The fit above works
    on estimates, one column at a time: two columns of three lines each lose a line only together (and a
    measure of 22 characters on a line of its own loses none until a line holds 22), which this finds by
    trying every split of the width, a character a line at a time: of 细化问题 and 整改措施 (整改进展 takes the
    rest), for each width of 佐证材料 and 备注 where they hold anything."""
    sample = sample[:: max(1, len(sample) // _SETTLE_SAMPLE)]
    main = [LEDGER_KEYS.index(k) for k in ("item", "measures", "progress")]
    sparse = [LEDGER_KEYS.index(k) for k in ("evidence", "remarks")]
    others = [c for c in range(len(widths)) if c not in main and c not in sparse]
    floor = [max(line_count(lines[r].shown[c], wrap_capacity(widths[c], BODY_FONT)) for c in others) for r in sample]
    cache: dict[tuple[int, int], list[int]] = {}

    def counts(c: int, width: float) -> list[int]:
        cap = wrap_capacity(width, BODY_FONT)
        if (c, cap) not in cache:
            cache[c, cap] = [line_count(lines[r].shown[c], cap) for r in sample]
        return cache[c, cap]

    cols = main + sparse

    def total(ws: Sequence[float]) -> int:
        per = [counts(c, w) for c, w in zip(cols, ws, strict=True)]
        return sum(max(f, *row) for f, *row in zip(floor, *per, strict=True))

    room = sum(widths[c] for c in cols)
    limits = {c: _LEDGER_COLUMNS[LEDGER_KEYS[c]][:2] for c in cols}

    def options(c: int) -> list[float]:
        """The widths of column c that hold one more character a line each, within its limits."""
        lo, hi = limits[c]
        out = [widths[c]] if c in sparse else []
        for n in range(1, 40):
            w = natural_width(2 * n, BODY_FONT)
            if lo <= w <= hi and w > (out[-1] if out else 0):
                out.append(w)
        return out

    best = (total([widths[c] for c in cols]), [widths[c] for c in cols])
    used = [c for c in sparse if any(lines[r].shown[c] for r in sample)]
    ev_options = options(sparse[0])[:6] if sparse[0] in used else [widths[sparse[0]]]
    re_options = options(sparse[1])[:5] if sparse[1] in used else [widths[sparse[1]]]
    item_options, measure_options = options(main[0]), options(main[1])
    for we in ev_options:
        for wr in re_options:
            for wa in item_options:
                for wb in measure_options:
                    wc = room - we - wr - wa - wb
                    if not limits[main[2]][0] <= wc <= limits[main[2]][1]:
                        continue
                    trial = [wa, wb, wc, we, wr]
                    t = total(trial)
                    if t < best[0]:
                        best = (t, trial)
    for c, w in zip(cols, best[1], strict=True):
        widths[c] = w


# --- pages -------------------------------------------------------------------------------------------


@dataclass
class _Entry:
    """A row of the sheet below the header: a category or a finding across the table, or an item."""

    height: float
    text: str = ""  # a category's or a finding's row: its text
    kind: str = "item"  # "category", "finding" or "item"
    line: int = -1  # an item's row: its index in the lines
    page_ends: bool = False
    # An item split over a page break: the values of its part on this page, or of the rest on the next
    # (序号 续); None for an item whole on its row.
    values: list[Value] | None = None


@dataclass
class _Split:
    head: list[Value]
    rest: list[Value]
    head_lines: int
    rest_lines: int


_MIN_SPLIT_LINES = 3  # a row is split over a page break only when this many lines of it fit, and stay over


def _paginate(
    lines: list[_Line],
    heights: list[float],
    across: Callable[[str, str], float],
    first_room: float,
    room: float,
    tail: float = 0.0,
    split: Callable[[int, int], _Split | None] | None = None,
) -> list[_Entry]:
    """The rows in pages: a category's and a finding's row before their first item and again, with （续）,
    atop each page they run on to; each page as full as its rows allow, a row never split, a category or a
    finding never alone at the foot of a page, the last item on the page of the `tail` rows (the signatures)
    that follow. `across(kind, text)` is the height of a row across the table. A tall row that does not fit
    at the foot of a page is split there (`split(i, lines)`: its part in that many lines, and the rest, 序号
    续) rather than leaving the foot of the page empty; one that cannot be split goes whole to the next page."""
    out: list[_Entry] = []
    used, space, items_on_page = 0.0, first_room, 0

    def add(entry: _Entry) -> None:
        nonlocal used
        out.append(entry)
        used += entry.height

    for i, ln in enumerate(lines):
        new_category = i == 0 or ln.category != lines[i - 1].category
        new_finding = new_category or ln.finding_id != lines[i - 1].finding_id
        heads: list[_Entry] = []
        if new_category:
            heads.append(_Entry(across("category", ln.category), ln.category, "category"))
        if new_finding:
            heads.append(_Entry(across("finding", ln.finding), ln.finding, "finding"))
        h = heights[i]
        last = tail if i == len(lines) - 1 else 0.0
        heads_h = sum(e.height for e in heads)
        if items_on_page and used + heads_h + h + last > space:
            lines_left = _lines_in(space - used - heads_h)
            parts = split(i, lines_left) if split is not None and lines_left >= _MIN_SPLIT_LINES else None
            if parts is not None and parts.rest_lines >= _MIN_SPLIT_LINES - 1:
                for e in heads:
                    add(e)
                add(_Entry(row_height(parts.head_lines, BODY_FONT), line=i, values=parts.head))
                out[-1].page_ends = True
                used, space, items_on_page = 0.0, room, 1
                both = continued_both(ln.category, ln.finding)
                add(_Entry(across("category", both), both, "category"))
                add(_Entry(row_height(parts.rest_lines, BODY_FONT), line=i, values=parts.rest))
                continue
            out[-1].page_ends = True
            used, space, items_on_page = 0.0, room, 0
            if not new_finding:  # what the page's first items are about
                both = continued_both(ln.category, ln.finding)
                heads.insert(0, _Entry(across("category", both), both, "category"))
            elif not new_category:
                text = ln.category + CONTINUED_GROUP
                heads.insert(0, _Entry(across("category", text), text, "category"))
        for e in heads:
            add(e)
        add(_Entry(h, line=i))
        items_on_page += 1
    return out


# --- the sheet ---------------------------------------------------------------------------------------


def _fitting_head(text: str, capacity: int, max_lines: int, mark: str, *, exact: bool = False) -> int:
    """How many characters of `text` print in `max_lines` lines with `mark` after them; at a sentence's end
    when one is near, unless `exact` (the rest then goes on at the top of the next page)."""
    lo, hi = 0, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if line_count(text[:mid] + mark, capacity) <= max_lines:
            lo = mid
        else:
            hi = mid - 1
    if exact:
        return lo
    for stop in ("\n", "。", "；", "，"):
        at = text.rfind(stop, max(0, lo - 80), lo)
        if at > 0:
            return at + 1
    return lo


_ACROSS_FONTS = {"category": GROUP_FONT, "finding": FINDING_FONT}


def _write_ledger(sheet: Sheet, table: LedgerTable, unit: str, today: dt.date, tick: Callable[[int], None]) -> None:
    lines = ledger_lines(table)
    measured = {k: measure_column([ln.shown[i] for ln in lines]) for i, k in enumerate(LEDGER_KEYS)}
    widths = _ledger_widths(lines, measured)
    caps = [wrap_capacity(w, BODY_FONT) for w in widths]
    # The rows' heights as the text breaks (a word whole, no comma atop a line): the measure above fits widths.
    per_column = [[line_count(ln.shown[i], caps[i]) for ln in lines] for i in range(len(LEDGER_KEYS))]
    # A row is at most 409 points: what is taller goes on in the 续 sheet (see _printable).
    heights = [row_height(min(_MAX_LINES, n), BODY_FONT) for n in map(max, *per_column)] if lines else []
    full = {kind: wrap_capacity(sum(widths) + 0.7 * (len(widths) - 1), font) for kind, font in _ACROSS_FONTS.items()}

    def across(kind: str, text: str) -> float:
        return row_height(line_count(text, full[kind]), _ACROSS_FONTS[kind])

    n = len(LEDGER_KEYS)
    sheet.columns(widths)
    sheet.print_setup(LEDGER_HEADER_ROWS, repeat_from=LEDGER_HEADER_ROWS)
    _title_rows(sheet, table.title, unit, today, widths, legend=True)
    _header_row(
        sheet, [_header_text(h, w) for h, w in zip(LEDGER_HEADERS, widths, strict=True)], widths, Look("台账表头")
    )
    title_h, info_h, header_h = sheet.heights[-3:]
    room = PAGE_ROWS_PT - header_h  # the header repeats on every page

    splittable = {LEDGER_KEYS.index(k) for k in _SPLITTABLE}

    def split(i: int, lines_here: int) -> _Split | None:
        """Item i's row in its first `lines_here` lines and the rest; None when a text other than its
        measures and progress would not be whole on the first part (a 细化问题, a name, an evidence's name is
        never cut), or a text is taller than a row (it goes on in the 续 sheet instead)."""
        values = lines[i].values
        counts = [line_count(v, caps[c]) if type(v) is str else 1 for c, v in enumerate(values)]
        if max(counts) > _MAX_LINES or any(n > lines_here for c, n in enumerate(counts) if c not in splittable):
            return None
        head: list[Value] = []
        rest: list[Value] = [None] * len(values)
        for c, v in enumerate(values):
            if type(v) is not str or counts[c] <= lines_here:
                head.append(v)
                continue
            at = split_point(v, _fitting_head(v, caps[c], lines_here, "", exact=True))
            if v[at : at + 1] == "\n":  # the line break ends the part on this page, not begins the next
                if line_count(v[: at + 1], caps[c]) > lines_here:
                    at = _fitting_head(v, caps[c], lines_here - 1, "", exact=True)
                at += v[at : at + 1] == "\n"
            head.append(v[:at])
            rest[c] = v[at:]
        rest[0] = CONTINUED_ITEM
        # A line break at the end takes a line as it prints (in a cell centred upright, the text would move up).
        shown = [line_count(v, caps[c]) for c, v in enumerate(head) if type(v) is str and v]
        more = [line_count(v, caps[c]) for c, v in enumerate(rest) if type(v) is str and v]
        return _Split(head, rest, max(shown, default=1), max(more, default=1))

    entries = _paginate(lines, heights, across, room - title_h - info_h, room, sum(_SIGNATURE_HEIGHTS), split)
    sheet.dimension(LEDGER_HEADER_ROWS + len(entries) + 3)

    aligns = [_LEDGER_COLUMNS[k][2] for k in LEDGER_KEYS]
    plain = [Look("台账正文居中" if a == "center" else "台账正文") for a in aligns]
    for k in _DATES:
        i = LEDGER_KEYS.index(k)
        plain[i] = dataclasses.replace(plain[i], number_format=DATE_FORMAT)
    marked = [dataclasses.replace(lk, fill=OVERDUE_FILL) for lk in plain]
    deadline = LEDGER_KEYS.index("deadline")  # bold on a dotted ground: kept by a black-and-white printer
    marked[deadline] = dataclasses.replace(marked[deadline], font=_BOLD_BODY, fill=OVERDUE_DEADLINE_FILL)
    row_looks = {"category": Look("台账分组"), "finding": Look("台账问题")}
    first_row = sheet.rows + 1
    full_lines = {k: _lines_in(MAX_ROW_HEIGHT) for k in _ACROSS_FONTS}
    page_breaks: list[Break] = []
    for e in entries:
        r = sheet.rows + 1
        if e.kind != "item":
            look = row_looks[e.kind]
            text = _printable(
                sheet, e.text, 0, r, full[e.kind], full_lines[e.kind], "方面" if e.kind == "category" else "问题"
            )
            sheet.add(Row([text_cell(text, look)] + [Cell(None, look)] * (n - 1), e.height))
            sheet.merge(f"A{r}:{get_column_letter(n)}{r}")
        else:
            ln = lines[e.line]
            looks = marked if ln.overdue else plain
            cells = []
            for i, (value, look) in enumerate(zip(e.values or ln.values, looks, strict=True)):
                if type(value) is str:
                    if e.values is None:  # a part of a split row is never taller than a row
                        value = _printable(sheet, value, i, r, caps[i], _MAX_LINES, LEDGER_HEADERS[i])
                    cells.append(text_cell(value, look))
                else:
                    cells.append(Cell(value, look))
            sheet.add(Row(cells, e.height))
            if e.line % 200 == 0:
                tick(e.line)
        if e.page_ends:
            page_breaks.append(Break(id=r))
    # set once: openpyxl checks the whole list again at every append, which took 0.6 s for 1,400 pages
    sheet.ws.row_breaks.brk = (*sheet.ws.row_breaks.brk, *page_breaks)
    last = sheet.rows
    if lines:
        status = get_column_letter(LEDGER_KEYS.index("status") + 1)
        dv = DataValidation(
            type="list",
            formula1='"' + ",".join(STATUSES) + '"',
            allow_blank=True,
            showErrorMessage=True,
            errorStyle="stop",
            errorTitle="完成情况",
            error="完成情况应为：" + "、".join(STATUSES) + "。完成日期填在“完成时间”栏。",
            showInputMessage=True,
            promptTitle="完成情况",
            prompt="请从下拉列表中选择；完成日期填在“完成时间”栏。",
        )
        dv.add(f"{status}{first_row}:{status}{last}")
        sheet.ws.data_validations.append(dv)
    _signature_rows(sheet, widths, unit, today)
    sheet.ws.print_area = f"A1:{get_column_letter(n)}{sheet.rows}"


def _lines_in(height: float, font: Font = BODY_FONT) -> int:
    return int((height - CELL_PADDING_PT) / (float(font.sz) * LINE_SPACING))


def _printable(sheet: Sheet, text: str, col: int, row: int, cap: int, max_lines: int, column: str) -> str:
    """`text` as its cell prints it: whole, or (taller than its row can be) what fits and where the rest
    goes on, in the 续 sheet (Continuations: the import joins it back)."""
    if len(text) * 2 <= cap * max_lines or line_count(text, cap) <= max_lines:
        return text
    ref = f"{sheet.ws.title}!{get_column_letter(col + 1)}{row}"
    return sheet.continuations.carry(ref, column, text, fit=lambda mark: _fitting_head(text, cap, max_lines, mark))


def _signature_rows(sheet: Sheet, widths: Sequence[float], unit: str, today: dt.date) -> None:
    """填表人 / 审核人 / 负责人 / 联系电话 under the table, each in a quarter of its width, then the unit and
    （盖章） and the date on the right, as the printout ends. A setting not filled leaves a blank to sign."""
    n = len(widths)
    info = Look("台账说明", vertical="bottom")
    right = Look("台账说明", horizontal="right", vertical="bottom")
    total, acc, bounds = sum(widths), 0.0, [0]
    for i, w in enumerate(widths):
        acc += w
        if len(bounds) < len(SIGNATURES) and acc >= total * len(bounds) / len(SIGNATURES):
            bounds.append(i + 1)
    bounds.append(n)
    cells: list[Cell] = []
    for (label, key), a, b in zip(SIGNATURES, bounds, bounds[1:], strict=False):
        value = settings.get(key).strip()
        cells += [text_cell(f"{label}：{value}", info)] + [Cell(None, info)] * (b - a - 1)
    sheet.add(Row(cells, _SIGNATURE_HEIGHTS[0]))
    r = sheet.rows
    for a, b in zip(bounds, bounds[1:], strict=False):
        if b - a > 1:
            sheet.merge(f"{get_column_letter(a + 1)}{r}:{get_column_letter(b)}{r}")
    half = bounds[len(bounds) // 2]
    for text, height in zip((f"{unit}{SEAL}" if unit else SEAL, cn_date(today)), _SIGNATURE_HEIGHTS[1:], strict=True):
        sheet.add(
            Row([Cell(None, info)] * half + [text_cell(text, right)] + [Cell(None, info)] * (n - half - 1), height)
        )
        sheet.merge(f"{get_column_letter(half + 1)}{sheet.rows}:{get_column_letter(n)}{sheet.rows}")
