"""整改进度走势: the 总览's small chart of 已完成, 正在推进 and 已逾期 over time, one point per day on which the
change log holds a change (core.asof.timeline), and today.

Drawn with QPainter, not QtCharts: QtCharts comes only in PySide6-Addons, some 60 MB more in every installer and
.deb for three lines, a few axis labels and a legend, which a hundred lines of painting do as well, in the
window's own fonts and colours (ui.theme), and with nothing more to go wrong on an old office PC.

With fewer than two points there is nothing to draw a trend of: a quiet line says so instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetrics, QMouseEvent, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import QLabel, QToolTip, QVBoxLayout, QWidget

from rectify_desktop.core.models import DONE, IN_PROGRESS
from rectify_desktop.ui.theme import HINT_COLOR, OVERDUE_COLOR, STATUS_COLORS

CHART_HEIGHT = 160
# (the point's field, the legend's word, the colour): as the 总览's figures above it name and colour them.
SERIES = (
    ("done", "已完成", STATUS_COLORS[DONE]),
    ("in_progress", "正在推进", STATUS_COLORS[IN_PROGRESS]),
    ("overdue", "已逾期", OVERDUE_COLOR),
)
FEW_POINTS = "修改记录中的变化还不到两天，暂无整改进度走势图。"


def _md(d: dt.date) -> str:
    return f"{d.month}月{d.day}日"


def _nice_top(value: int) -> int:
    """The y axis's top: the largest value rounded up to 1, 2 or 5 times a power of ten (at least 4)."""
    top = max(4, value)
    step = 1
    while True:
        for m in (1, 2, 5):
            if m * step >= top:
                return m * step
        step *= 10


class TrendChart(QWidget):
    """The chart itself: three lines over the days, the y axis from 0, the first and last dates under the x
    axis, the legend above, each line's latest value at its end; hovering shows a day's figures."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("overview.trend.chart")
        self.points: list = []
        self.setFixedHeight(CHART_HEIGHT)
        self.setMinimumWidth(320)
        self.setMouseTracking(True)

    def set_points(self, points: Sequence) -> None:
        self.points = list(points)
        self.update()

    # geometry

    def _plot_rect(self) -> QRectF:
        fm = QFontMetrics(self.font())
        left = fm.horizontalAdvance("0000") + 10
        right = fm.horizontalAdvance("正在推进 000") + 8  # room for the latest values
        top = fm.height() + 10  # the legend
        bottom = fm.height() + 8  # the dates
        return QRectF(left, top, max(10.0, self.width() - left - right), max(10.0, self.height() - top - bottom))

    def _x(self, plot: QRectF, day: dt.date) -> float:
        first, last = self.points[0].day, self.points[-1].day
        span = max(1, (last - first).days)
        return plot.left() + plot.width() * (day - first).days / span

    def _y(self, plot: QRectF, value: int, top: int) -> float:
        return plot.bottom() - plot.height() * value / top

    # painting

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        if len(self.points) < 2:
            return
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        fm = QFontMetrics(self.font())
        plot = self._plot_rect()
        top = _nice_top(max(max(getattr(pt, key) for pt in self.points) for key, _, _ in SERIES))
        hint = QColor(HINT_COLOR)

        # The legend, top left.
        x = plot.left()
        for _, word, colour in SERIES:
            p.setPen(QPen(QColor(colour), 3))
            y = fm.height() / 2 + 2
            p.drawLine(QPointF(x, y), QPointF(x + 16, y))
            p.setPen(QColor("#202124"))
            p.drawText(QPointF(x + 20, fm.ascent() + 2), word)
            x += 20 + fm.horizontalAdvance(word) + 16

        # The grid and the y axis: 0, half and the top.
        for value in (0, top // 2, top):
            y = self._y(plot, value, top)
            p.setPen(QPen(QColor("#e0e0e0"), 1))
            p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            p.setPen(hint)
            label = str(value)
            p.drawText(QPointF(plot.left() - 6 - fm.horizontalAdvance(label), y + fm.ascent() / 2 - 1), label)
        p.setPen(QPen(QColor("#9e9e9e"), 1))
        p.drawLine(QPointF(plot.left(), plot.bottom()), QPointF(plot.right(), plot.bottom()))

        # The dates: the first and the last, the year once when the span crosses one.
        first, last = self.points[0].day, self.points[-1].day
        p.setPen(hint)
        base = plot.bottom() + fm.ascent() + 4
        left_text = f"{first.year}年{_md(first)}" if first.year != last.year else _md(first)
        right_text = f"{last.year}年{_md(last)}" if first.year != last.year else _md(last)
        if last == dt.date.today():
            right_text += "（今天）"
        p.drawText(QPointF(plot.left(), base), left_text)
        p.drawText(QPointF(plot.right() - fm.horizontalAdvance(right_text), base), right_text)

        # The lines, and the latest value of each at its end, pushed apart when they would overlap.
        ends: list[tuple[float, str, str]] = []
        for key, word, colour in SERIES:
            path = QPainterPath()
            for i, pt in enumerate(self.points):
                q = QPointF(self._x(plot, pt.day), self._y(plot, getattr(pt, key), top))
                path.moveTo(q) if i == 0 else path.lineTo(q)
            p.setPen(QPen(QColor(colour), 2))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawPath(path)
            p.setBrush(QColor(colour))
            if len(self.points) <= 60:  # dots while they can be told apart
                for pt in self.points:
                    p.drawEllipse(QPointF(self._x(plot, pt.day), self._y(plot, getattr(pt, key), top)), 2.5, 2.5)
            last_pt = self.points[-1]
            ends.append((self._y(plot, getattr(last_pt, key), top), f"{word} {getattr(last_pt, key)}", colour))
        ends.sort()
        gap = fm.height() - 2
        placed: list[float] = []
        for y, _, _ in ends:
            placed.append(max(y, placed[-1] + gap) if placed else y)
        over = placed[-1] - (self.height() - 2 - fm.descent()) + fm.ascent() / 2 if placed else 0
        if over > 0:
            placed = [y - over for y in placed]
        for (_, text, colour), y in zip(ends, placed, strict=True):
            p.setPen(QColor(colour))
            p.drawText(QPointF(plot.right() + 6, y + fm.ascent() / 2 - 1), text)
        p.end()

    # hovering

    def point_near(self, x: float) -> object | None:
        """The point whose day is nearest to `x` (for the tooltip)."""
        if len(self.points) < 2:
            return None
        plot = self._plot_rect()
        return min(self.points, key=lambda pt: abs(self._x(plot, pt.day) - x))

    def tooltip_text(self, pt: object) -> str:
        d = pt.day  # type: ignore[attr-defined]
        figures = "，".join(f"{word}{getattr(pt, key)}项" for key, word, _ in SERIES)
        return f"截至{d.year}年{_md(d)}：{figures}"

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        pt = self.point_near(event.position().x())
        if pt is not None:
            QToolTip.showText(event.globalPosition().toPoint(), self.tooltip_text(pt), self)


class TrendBlock(QWidget):
    """The chart, or the quiet line that stands for it (fewer than two points, or a log that cannot tell)."""

    def __init__(self) -> None:
        super().__init__()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.chart = TrendChart()
        self.quiet = QLabel(FEW_POINTS)
        self.quiet.setObjectName("overview.trend.quiet")
        self.quiet.setWordWrap(True)
        self.quiet.setStyleSheet(f"color: {HINT_COLOR}")
        lay.addWidget(self.chart)
        lay.addWidget(self.quiet)
        self.show_points([])

    @property
    def points(self) -> list:
        return self.chart.points

    def show_points(self, points: Sequence, reason: str = "") -> None:
        self.chart.set_points(points)
        enough = len(points) >= 2 and not reason
        self.chart.setVisible(enough)
        self.quiet.setText(reason or FEW_POINTS)
        self.quiet.setVisible(not enough)
