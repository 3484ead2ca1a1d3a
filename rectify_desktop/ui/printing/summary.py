"""The summary page (整改情况汇总) after the printed ledger's table (issue 14).

What the leading group reads first when the ledger is filed: the headline sentence (core.stats: 巡察反馈的N个问题
细化为M项，已整改完成X项…完成率Y%), the counts behind it, and what the rectification produced (core.results:
问责 N人, 资金 X万元, 制度 N项, 会议 N次, kinds that are zero left out), in two small bordered tables (类别 | 项目 |
数量) side by side on landscape paper, one under the other on portrait. The signatures (填表人 … （盖章）) move
from the table's last page to the end of this page: they vouch for the figures as much as for the rows.

Its pages are the printout's last ones, with the same fonts, margins, running title and "第 n 页 共 N 页"
(SheetLayout counts them in page_count and hands them the painter). The figures are the whole inspection's, so
output.build_layout asks for this page only for the 整改台账 of all the items, not for a list nor a part.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen

from rectify_desktop.core import results, settings, stats
from rectify_desktop.core.models import DONE, IN_PROGRESS, NOT_STARTED, ONGOING, Inspection
from rectify_desktop.core.table import cn_date
from rectify_desktop.ui.printing.layout import GRID_PT, HEADER_FILL, MM, SIGNATURE_LINES, SheetLayout
from rectify_desktop.ui.printing.text import UNITS_PER_PT, Line, TextStyle

HEADING = "整改情况汇总"
NOTHING = "尚未记录整改成效"
HEADERS = ("类别", "项目", "数量")
CONTINUED = "（续）"
GAP_MM = 8.0  # between the two tables side by side
MIN_CARRY = 3  # rows a table carries on to the next column or page, at least (with the signatures, if last)
SOURCES = ("巡察", "审计", "督查")  # the word the headline begins with: 巡察反馈的…


# --- what the page says ------------------------------------------------------------------------------------------


@dataclass
class Section:
    """One table of the page (一、整改进度 / 二、整改成效): rows of (类别, 项目, 数量); `empty` is said instead of
    the table when it has no rows."""

    title: str
    rows: list[tuple[str, str, str]]
    empty: str = ""


@dataclass
class Summary:
    """The words and figures of the summary page, from core only (the notice and the 统计 sheet say the same)."""

    as_of: str  # the date the figures are counted at (逾期 depends on it), as the table marks 已逾期: today
    paragraphs: list[str]
    sections: list[Section]


def summary_for(inspection_id: int, date: dt.date) -> Summary:
    """The figures of one inspection as at `date`, 立行立改 counted with the ledger's own setting as the table is."""
    s = stats.compute(inspection_id, date, settings.get_int("immediate_days"))
    r = results.compute(inspection_id)
    kind = Inspection.get_by_id(inspection_id).kind
    paragraphs = [s.headline(kind if kind in SOURCES else "巡察") + "。"]
    if said := results.sentence(r):
        paragraphs.append(said)
    progress = [
        ("总体情况", "反馈问题", f"{s.findings}个"),
        ("总体情况", "细化问题", f"{s.items}项"),
        ("总体情况", "整改措施", f"{s.measures}条"),
        *(("完成情况", status, f"{s.status[status]}项") for status in (DONE, IN_PROGRESS, ONGOING, NOT_STARTED)),
        ("完成情况", "完成率", f"{s.completion_whole}%"),
        ("整改时限", "已逾期", f"{s.overdue}项"),
        ("销号情况", "已销号", f"{s.written_off}项"),
        ("销号情况", "销号待审核", f"{s.writeoff_pending}项"),
    ]
    done = [("问责", k, f"{c.count}人") for k, c in r.accountability.items() if c.count]
    done += [("资金", k, f"{results.amount_text(a.amount)}万元") for k, a in r.money.items() if a.amount]
    done += [("审计金额", k, f"{results.amount_text(a.amount)}万元") for k, a in r.audit.items() if a.amount]
    if r.rules.count:
        done.append(("制度建设", "制定及修改完善制度", f"{r.rules.count}项"))
    done += [("会议", k, f"{c.count}次") for k, c in r.meetings.items() if c.count]
    return Summary(
        as_of=f"（截至{cn_date(date)}）",
        paragraphs=paragraphs,
        sections=[Section("一、整改进度", progress), Section("二、整改成效", done, NOTHING + "。")],
    )


# --- where it goes on the paper ----------------------------------------------------------------------------------


@dataclass
class Text:
    style: TextStyle
    text: str
    x: float
    top: float

    def rect(self) -> QRectF:
        return QRectF(self.x, self.top, self.style.width(self.text), self.style.lh)


@dataclass
class Row:
    group: str
    cells: list[list[Line]]  # 项目, 数量
    y: float
    height: float


@dataclass
class Table:
    """A table, or the part of it in one column of one page: its header repeated, then its rows."""

    x: float
    y: float
    rows: list[Row] = field(default_factory=list)

    def end(self, header_h: float) -> float:
        return self.rows[-1].y + self.rows[-1].height if self.rows else self.y + header_h


@dataclass
class SummaryPage:
    texts: list[Text] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    signature_y: float | None = None
    # The signatures in one column, at its foot (two labels a line), when the other column runs too far down for
    # them across the page: rather than a page with only the signatures on it.
    signature_col: int | None = None


class SummaryPages:
    """The summary laid out after `host`'s table, on its paper, in its fonts; painted by the host's paint()."""

    def __init__(self, host: SheetLayout, summary: Summary) -> None:
        self.host = host
        self.summary = summary
        self.fonts = host.fonts
        width = host.right - host.left
        self.columns = 2 if host.page_w > host.page_h else 1
        self.col_w = (width - (self.columns - 1) * GAP_MM * MM) / self.columns
        self._widths()
        self.pages: list[SummaryPage] = []
        self._flow()

    @property
    def page_count(self) -> int:
        return len(self.pages)

    def _widths(self) -> None:
        """类别 and 数量 as wide as their widest text (shared by both tables, so they line up); 项目 the rest."""
        head, body, pad = self.fonts.head, self.fonts.body, self.host.pad_x
        rows = [r for s in self.summary.sections for r in s.rows]
        group = max([head.width(HEADERS[0])] + [body.width(r[0]) for r in rows]) + 2 * pad + body.em
        value = max([head.width(HEADERS[2]), 4 * body.em] + [body.width(r[2]) for r in rows]) + 2 * pad + body.em
        group, value = min(group, 0.3 * self.col_w), min(value, 0.3 * self.col_w)
        self.widths = [group, self.col_w - group - value, value]
        self.header_h = head.lh + 2 * self.host.pad_y

    def _inner(self, col: int) -> float:
        return max(self.widths[col] - 2 * self.host.pad_x, self.fonts.body.em)

    def _new_page(self) -> SummaryPage:
        self.pages.append(SummaryPage())
        return self.pages[-1]

    def _flow(self) -> None:
        """The heading, the paragraphs across the page, then the tables, each beginning a column of its own when
        there are two, continuing in the next column (or page) under its title again with （续）."""
        host, f = self.host, self.fonts
        width, bottom = host.right - host.left, host.bottom
        page = self._new_page()
        y = host.later_header_y + 0.5 * MM
        for text, tw in f.title.wrap(HEADING, width):
            page.texts.append(Text(f.title, text, host.left + (width - tw) / 2, y))
            y += f.title.lh
        as_of = self.summary.as_of
        page.texts.append(Text(f.body, as_of, host.left + (width - f.body.width(as_of)) / 2, y))
        y += f.body.lh + 1.5 * MM
        for para in self.summary.paragraphs:  # indented two characters, as a report's paragraph is
            for text, _ in f.info.wrap("\u3000\u3000" + para, width - 2 * host.pad_x):
                if y + f.info.lh > bottom + 0.01:  # a sentence naming a hundred kinds of meeting
                    page, y = self._new_page(), host.later_header_y
                page.texts.append(Text(f.info, text, host.left + host.pad_x, y))
                y += f.info.lh
        y += 2.0 * MM
        top = y  # where the columns begin on this page
        col, ends = 0, [y] * self.columns  # the column in use; how far down each column is filled

        def next_column() -> tuple[SummaryPage, float]:
            nonlocal col, top, ends
            col += 1
            if col >= self.columns:
                col, top = 0, host.later_header_y
                ends = [top] * self.columns
                return self._new_page(), top
            return page, top

        def x() -> float:
            return host.left + col * (self.col_w + GAP_MM * MM)

        title_h = f.head.lh + 0.8 * MM
        for k, section in enumerate(self.summary.sections):
            if k and self.columns > 1 and ends[col] > top + 0.01:
                page, y = next_column()
            elif k:
                y += 0.8 * f.body.lh
            rows = [self._row(r) for r in section.rows]
            first = rows[0][2] if rows else f.body.lh
            if y + title_h + (self.header_h if rows else 0) + first > bottom and y > top + 0.01:
                page, y = next_column()
            page.texts.append(Text(f.head, section.title, x() + host.pad_x, y))
            y += title_h
            if not rows:
                page.texts.append(Text(f.body, section.empty, x() + host.pad_x, y))
                y += f.body.lh
                ends[col] = y
                continue
            table = Table(x(), y)
            page.tables.append(table)
            y += self.header_h
            # The printout's last rows carry the signatures on one column; a table that goes on carries a few rows
            # with it, never one alone on the next page.
            reserve = 1.0 * MM + SIGNATURE_LINES * f.info.lh if k == len(self.summary.sections) - 1 else 0.0
            reserve = reserve if self.columns == 1 else 0.0
            for j, (group, cells, h) in enumerate(rows):
                tail = rows[j:]
                carry = len(tail) <= MIN_CARRY and y + sum(r[2] for r in tail) + reserve > bottom + 0.01
                if (y + h > bottom + 0.01 or carry) and table.rows:
                    ends[col] = y
                    page, y = next_column()
                    page.texts.append(Text(f.head, section.title + CONTINUED, x() + host.pad_x, y))
                    y += title_h
                    table = Table(x(), y)
                    page.tables.append(table)
                    y += self.header_h
                table.rows.append(Row(group, cells, y, h))
                y += h
            ends[col] = y
        y = max(ends) + 1.0 * MM
        short = min(range(self.columns), key=lambda c: ends[c])
        if y + SIGNATURE_LINES * f.info.lh <= bottom + 0.01:
            page.signature_y = y
        elif self.columns > 1 and ends[short] + 1.0 * MM + self._narrow_h() <= bottom + 0.01:
            page.signature_y, page.signature_col = bottom - self._narrow_h(), short
        else:
            page, page.signature_y = self._new_page(), host.later_header_y

    def _narrow_h(self) -> float:
        return 4.9 * self.fonts.info.lh  # a gap of 0.9 line, then four lines (see _paint_narrow_signature)

    def _row(self, row: tuple[str, str, str]) -> tuple[str, list[list[Line]], float]:
        body = self.fonts.body
        cells = [body.wrap(row[1], self._inner(1)), body.wrap(row[2], self._inner(2))]
        lines = max(len(c) for c in cells + [body.wrap(row[0], self._inner(0))])
        return row[0], cells, lines * body.lh + 2 * self.host.pad_y

    def boxes(self, index: int) -> list[QRectF]:
        """Everything painted on page `index`, as rectangles (for checking that it stays inside the margins)."""
        out = []
        for page in self.pages[index : index + 1]:
            out += [t.rect() for t in page.texts]
            out += [QRectF(t.x, t.y, self.col_w, t.end(self.header_h) - t.y) for t in page.tables]
            if page.signature_y is not None and page.signature_col is not None:
                x = self.host.left + page.signature_col * (self.col_w + GAP_MM * MM)
                out.append(QRectF(x, page.signature_y, self.col_w, self._narrow_h()))
            elif page.signature_y is not None:
                h = SIGNATURE_LINES * self.fonts.info.lh
                out.append(QRectF(self.host.left, page.signature_y, self.host.right - self.host.left, h))
        return out

    # -- painting --

    def paint_page(self, p: QPainter, index: int) -> None:
        """Paints the summary's page `index` (0-based), numbered after the table's pages."""
        host, page = self.host, self.pages[index]
        host._paint_running_title(p)
        p.setPen(QColor(0, 0, 0))
        for t in page.texts:
            p.setFont(t.style.font)
            p.drawText(QPointF(t.x, t.style.baseline(t.top)), t.text)
        for table in page.tables:
            self._paint_table(p, table)
        if page.signature_y is not None and page.signature_col is not None:
            self._paint_narrow_signature(p, page.signature_col, page.signature_y)
        elif page.signature_y is not None:
            host._paint_signature(p, page.signature_y)
        host._paint_footer(p, len(host.pages) + index + 1)

    def _paint_narrow_signature(self, p: QPainter, col: int, y: float) -> None:
        """The signatures in a column: 填表人 and 审核人 on a line, 负责人 and 联系电话 on the next, then the unit
        with its seal and the date on the right, as under the table."""
        info, pad = self.fonts.info, self.host.pad_x
        x = self.host.left + col * (self.col_w + GAP_MM * MM)
        labels, seal, date = self.host.setup.signature_lines()
        p.setPen(QColor(0, 0, 0))
        p.setFont(info.font)
        base = info.baseline(y + 0.9 * info.lh)
        for k, label in enumerate(labels):
            p.drawText(QPointF(x + pad + (k % 2) * self.col_w / 2, base + (k // 2) * info.lh), label)
        base += info.lh
        for text in (seal, date):
            base += info.lh
            if text:
                p.drawText(QPointF(x + self.col_w - pad - info.width(text), base), text)

    def _paint_table(self, p: QPainter, t: Table) -> None:
        host, head, body = self.host, self.fonts.head, self.fonts.body
        xs = [t.x]
        for w in self.widths:
            xs.append(xs[-1] + w)
        p.fillRect(QRectF(t.x, t.y, self.col_w, self.header_h), HEADER_FILL)
        p.setPen(QColor(0, 0, 0))
        p.setFont(head.font)
        for c, label in enumerate(HEADERS):
            tw = head.width(label)
            p.drawText(QPointF(xs[c] + (self.widths[c] - tw) / 2, head.baseline(t.y + host.pad_y)), label)
        p.setFont(body.font)
        for row in t.rows:  # 项目 left, 数量 centred, each row's text read in order: 诫勉 2人
            for c, lines in ((1, row.cells[0]), (2, row.cells[1])):
                y = row.y + (row.height - len(lines) * body.lh) / 2
                for text, tw in lines:
                    left = xs[c] + host.pad_x if c == 1 else xs[c] + (self.widths[c] - tw) / 2
                    p.drawText(QPointF(left, body.baseline(y)), text)
                    y += body.lh
        runs: list[tuple[str, float, float]] = []  # 类别 spanning its rows: (text, top, bottom)
        for row in t.rows:
            if runs and runs[-1][0] == row.group:
                runs[-1] = (row.group, runs[-1][1], row.y + row.height)
            else:
                runs.append((row.group, row.y, row.y + row.height))
        for text, y0, y1 in runs:
            lines = body.wrap(text, self._inner(0))
            y = y0 + (y1 - y0 - len(lines) * body.lh) / 2
            for line, tw in lines:
                p.drawText(QPointF(xs[0] + (self.widths[0] - tw) / 2, body.baseline(y)), line)
                y += body.lh
        pen = QPen(QColor(0, 0, 0))
        pen.setWidthF(GRID_PT * UNITS_PER_PT)
        pen.setCapStyle(Qt.PenCapStyle.SquareCap)
        p.setPen(pen)
        end = t.end(self.header_h)
        for xv in xs:
            p.drawLine(QPointF(xv, t.y), QPointF(xv, end))
        p.drawLine(QPointF(xs[0], t.y), QPointF(xs[-1], t.y))
        p.drawLine(QPointF(xs[0], t.y + self.header_h), QPointF(xs[-1], t.y + self.header_h))
        ends = {y1 for _, _, y1 in runs}
        for row in t.rows:
            y = row.y + row.height
            p.drawLine(QPointF(xs[0] if y in ends else xs[1], y), QPointF(xs[-1], y))


def attach(layout: SheetLayout) -> SheetLayout:
    """Lays the summary out after the table when the layout's setup has one (output.build_layout)."""
    if layout.setup.summary is not None:
        layout.summary = SummaryPages(layout, layout.setup.summary)
    return layout
