"""总览: where the rectification stands, at a glance — and every figure a link to the items behind it.

Clicking a figure sets the tree's filter to the same condition the figure counted (core.search.Query),
so the number of items shown always equals the figure clicked.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from rectify_desktop.core import results, rules, search
from rectify_desktop.core.models import DONE, IN_PROGRESS, NOT_STARTED, ONGOING
from rectify_desktop.core.stats import GroupFigures
from rectify_desktop.ui.overview_chart import TrendBlock
from rectify_desktop.ui.theme import HINT_COLOR, OVERDUE_COLOR, STATUS_COLORS

if TYPE_CHECKING:
    from rectify_desktop.core.commands import Change
    from rectify_desktop.ui.host import WindowHost


# After a change, the trend is worked out again once the changes stop for this long (typing makes many).
TREND_DELAY_MS = 400


class FigureButton(QPushButton):
    """A big number with its caption; clicking it shows the items it counts."""

    def __init__(self, caption: str, color: str = "#202124") -> None:
        super().__init__()
        self.caption = caption
        self.color = color
        self.setObjectName(f"figure.{caption}")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setMinimumSize(104, 68)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setStyleSheet(
            "QPushButton { border: 1px solid #dadce0; border-radius: 6px; background: white; padding: 6px; }"
            "QPushButton:hover { border-color: #1a73e8; background: #f1f6fe; }"
        )
        self.value = ""

    def set_value(self, value: str) -> None:
        self.value = value
        self.setText(f"{value}\n{self.caption}")
        self.setToolTip(f"点击查看：{self.caption}")
        f = self.font()
        f.setPointSizeF(max(f.pointSizeF(), 10.0) + 3)
        f.setBold(True)
        self.setFont(f)
        self.setStyleSheet(self.styleSheet() + f"QPushButton {{ color: {self.color}; }}")


class ProgressRow(QWidget):
    """One category's or department's progress: a bar in status colours, the figures beside it."""

    clicked = Signal()
    SEGMENTS = ((DONE, "done"), (ONGOING, "ongoing"), (IN_PROGRESS, "in_progress"), (NOT_STARTED, "not_started"))

    def __init__(self, group: GroupFigures) -> None:
        super().__init__()
        self.group = group
        self.setMinimumHeight(26)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip(
            f"{group.name}\n共{group.items}项：已完成{group.done}，正在推进{group.in_progress}，"
            f"长期坚持{group.ongoing}，未启动{group.not_started}；逾期{group.overdue}\n点击查看这些细化问题"
        )

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()

    def figures_text(self) -> str:
        """The figures beside the bar, "16/29  55%  逾期2": the rate a whole percent, as the status bar and the
        headline write it."""
        g = self.group
        rate = rules.percent_whole(g.done, g.items)
        return f"{g.done}/{g.items}  {rate}%" + (f"  逾期{g.overdue}" if g.overdue else "")

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        g = self.group
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        fm = self.fontMetrics()
        w, h = self.width(), self.height()
        name_w = min(int(w * 0.45), 520)
        figures_w = 150
        bar = QRectF(name_w + 8, 5, max(40, w - name_w - figures_w - 16), h - 10)
        name = fm.elidedText(g.name, Qt.TextElideMode.ElideRight, name_w)
        p.setPen(QColor("#202124"))
        p.drawText(QRectF(0, 0, name_w, h), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, name)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor("#eceff1"))
        p.drawRoundedRect(bar, 4, 4)
        x = bar.left()
        for status, attr in self.SEGMENTS:
            n = getattr(g, attr)
            if not n or not g.items:
                continue
            seg = bar.width() * n / g.items
            p.setBrush(QColor(STATUS_COLORS[status]))
            p.drawRect(QRectF(x, bar.top(), seg, bar.height()))
            x += seg
        p.setPen(QColor(OVERDUE_COLOR if g.overdue else "#202124"))
        text = self.figures_text()
        p.drawText(
            QRectF(w - figures_w, 0, figures_w, h), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, text
        )
        p.end()


# 整改成效's groups, in the notice's order: (key, the row's name).
RESULT_GROUPS = (
    ("accountability", "问责"),
    ("money", "资金"),
    ("audit", "审计金额"),
    ("rules", "制度"),
    ("meetings", "会议"),
)
RULES_KIND = "制度"  # the one figure of the rules register: it does not say 制定 or 修改完善
RESULT_COLUMNS = 6  # as the figures above, so that the block lines up with them


class ResultFigure(QPushButton):
    """A figure of 整改成效 (诫勉 2人, 追回 23.8万元 …) and the items behind it, on one line: the block stands
    under the headline figures and must not push the progress bars off the screen.

    A figure whose entries all belong to no item (a 民主生活会 of the whole unit, 问责 recorded on the inspection)
    is shown, since the notice counts it, but is not a link: filtering the tree to no item would look as if the
    ledger had lost its rows. It has no hand cursor, a dashed border, and a click says on the status bar why."""

    def __init__(self, group: str, kind: str, caption: str, value: str, items: list[int]) -> None:
        super().__init__(f"{caption}  {value}")
        self.group, self.kind, self.caption, self.value = group, kind, caption, value
        self.items: tuple[int, ...] = tuple(items)
        self.linked = bool(items)
        self.setObjectName(f"results.{group}.{kind}")
        self.setMinimumHeight(36)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        f = self.font()
        f.setPointSizeF(max(f.pointSizeF(), 10.0) + 1)
        f.setBold(True)
        self.setFont(f)
        if self.linked:
            self.setCursor(Qt.CursorShape.PointingHandCursor)
            self.setStyleSheet(
                "QPushButton { border: 1px solid #dadce0; border-radius: 6px; background: white; padding: 4px 8px;"
                " color: #202124; }"
                "QPushButton:hover { border-color: #1a73e8; background: #f1f6fe; }"
            )
            self.setToolTip(f"{caption} {value}：涉及{len(items)}项细化问题，点击查看")
        else:
            self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            self.setStyleSheet(
                "QPushButton { border: 1px dashed #bdc1c6; border-radius: 6px; background: #fafafa;"
                " padding: 4px 8px; color: #202124; }"
            )
            self.setToolTip(f"{caption} {value}：{self.why_not_linked()}")

    def why_not_linked(self) -> str:
        if self.group in ("rules", "meetings"):
            return "未关联具体细化问题，详见“制度与会议”页"
        return "记在整个巡察上，不属于某一细化问题"


class ResultsBlock(QWidget):
    """整改成效 on the 总览: each kind with its figure, kinds that are zero left out (as a notice does).

    A row per group (问责, 资金 …), its figures in as many equal columns as the widest one lets the page hold,
    so that no figure is cut on a small screen and a large one does not stretch six figures into four."""

    LABEL_WIDTH = 64
    SPACING = 10

    def __init__(self) -> None:
        super().__init__()
        self.figures: dict[tuple[str, str], ResultFigure] = {}
        self._rows: list[tuple[QLabel, list[ResultFigure]]] = []
        self._columns = 0
        self._shown: results.Results | None = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.grid = QGridLayout()
        self.grid.setSpacing(self.SPACING)
        self.grid.setColumnMinimumWidth(0, self.LABEL_WIDTH)
        lay.addLayout(self.grid)
        self.empty = QLabel("尚未记录整改成效（在细化问题的“整改成效”中添加；制度和会议在“制度与会议”页登记）")
        self.empty.setObjectName("results.empty")
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet(f"color: {HINT_COLOR}")
        lay.addWidget(self.empty)

    def show_results(self, r: results.Results | None, clicked: Callable[[ResultFigure], None]) -> None:
        if self.figures and r == self._shown:
            return  # an edit elsewhere (a keystroke in a form): the same figures, kept with their focus and hover
        self._shown = r
        self._take_all()
        for label, figs in self._rows:
            for w in [label, *figs]:
                w.deleteLater()
        self._rows, self.figures, self._columns = [], {}, 0
        if r is None:
            self.empty.hide()
            return
        rows: dict[str, list[tuple[str, str, str, list[int]]]] = {g: [] for g, _name in RESULT_GROUPS}
        for kind, c in r.accountability.items():
            if c.count:
                rows["accountability"].append((kind, kind, f"{c.count}人", c.items))
        for group, amounts in (("money", r.money), ("audit", r.audit)):
            for kind, a in amounts.items():
                if a.amount:
                    rows[group].append((kind, kind, f"{results.amount_text(a.amount)}万元", a.items))
        if r.rules.count:
            rows["rules"].append((RULES_KIND, "制定及修改完善", f"{r.rules.count}项", r.rules.items))
        for kind, c in r.meetings.items():
            if c.count:
                rows["meetings"].append((kind, kind, f"{c.count}次", c.items))
        for group, name in RESULT_GROUPS:
            if not rows[group]:
                continue
            label = QLabel(name)
            label.setStyleSheet(f"color: {HINT_COLOR}")
            figs = []
            for kind, caption, value, items in rows[group]:
                fig = ResultFigure(group, kind, caption, value, items)
                fig.clicked.connect(lambda _=False, f=fig: clicked(f))
                self.figures[(group, kind)] = fig
                figs.append(fig)
            self._rows.append((label, figs))
        self.empty.setVisible(not self.figures)
        self._place(self._columns_for(self.width()))

    def _columns_for(self, width: int) -> int:
        widest = max((f.sizeHint().width() for f in self.figures.values()), default=1)
        room = width - self.LABEL_WIDTH
        return max(1, min(RESULT_COLUMNS, room // (widest + self.SPACING)))

    def _take_all(self) -> None:
        while self.grid.count():
            self.grid.takeAt(0)

    def _place(self, columns: int) -> None:
        self._take_all()
        self._columns = columns
        for col in range(1, RESULT_COLUMNS + 1):
            self.grid.setColumnStretch(col, 1 if col <= columns else 0)  # equal columns, however many a row has
        line = 0
        for label, figs in self._rows:
            self.grid.addWidget(label, line, 0, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            for i, fig in enumerate(figs):
                self.grid.addWidget(fig, line + i // columns, 1 + i % columns)
            line += (len(figs) + columns - 1) // columns

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        columns = self._columns_for(event.size().width())
        if self._rows and columns != self._columns:
            self._place(columns)


def _section(title: str) -> QLabel:
    lab = QLabel(title)
    f = lab.font()
    f.setBold(True)
    f.setPointSizeF(f.pointSizeF() + 1)
    lab.setFont(f)
    lab.setContentsMargins(0, 12, 0, 2)
    return lab


class OverviewPage(QWidget):
    """The overview of the inspection the window is on (window.current_inspection_id())."""

    def __init__(self, window: WindowHost) -> None:
        super().__init__()
        self.window_ = window
        self.inspection_id: int | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        outer.addWidget(scroll)
        body = QWidget()
        scroll.setWidget(body)
        self.lay = QVBoxLayout(body)
        self.lay.setContentsMargins(24, 16, 24, 24)
        self.title = QLabel()
        tf = self.title.font()
        tf.setPointSizeF(tf.pointSizeF() + 5)
        tf.setBold(True)
        self.title.setFont(tf)
        self.title.setWordWrap(True)
        self.lay.addWidget(self.title)
        self.headline = QLabel()
        self.headline.setObjectName("overview.headline")
        self.headline.setWordWrap(True)
        self.headline.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        hf = self.headline.font()
        hf.setPointSizeF(hf.pointSizeF() + 2)
        self.headline.setFont(hf)
        self.headline.setStyleSheet("background: #f8f9fa; border-left: 4px solid #c0392b; padding: 10px;")
        self.lay.addWidget(self.headline)

        grid = QGridLayout()
        grid.setSpacing(10)
        self.figures: dict[str, FigureButton] = {}
        specs = (
            ("items", "细化问题", "#202124", {}),
            ("done", "已完成", STATUS_COLORS[DONE], {"status": DONE}),
            ("in_progress", "正在推进", STATUS_COLORS[IN_PROGRESS], {"status": IN_PROGRESS}),
            ("not_started", "未启动", STATUS_COLORS[NOT_STARTED], {"status": NOT_STARTED}),
            ("ongoing", "长期坚持", STATUS_COLORS[ONGOING], {"status": ONGOING}),
            ("rate", "完成率", STATUS_COLORS[DONE], {"status": DONE}),
            ("overdue", "已逾期", OVERDUE_COLOR, {"deadline": search.OVERDUE}),
            ("due_7", "7日内到期", "#c2610c", {"deadline": search.DUE_7}),
            ("due_30", "30日内到期", "#c2610c", {"deadline": search.DUE_30}),
            ("written_off", "已销号", STATUS_COLORS[DONE], {"writeoff": search.WRITTEN_OFF}),
            ("pending", "销号待审核", "#c2610c", {"writeoff": search.PENDING}),
        )
        self._filters: dict[str, dict[str, object]] = {}
        for i, (key, caption, color, flt) in enumerate(specs):
            b = FigureButton(caption, color)
            b.clicked.connect(lambda _=False, k=key: self.show_items(k))
            self.figures[key] = b
            self._filters[key] = flt
            grid.addWidget(b, i // 6, i % 6)
        self.lay.addLayout(grid)

        # 整改成效 right under the figures it stands beside in a notice, and above the bars, which come a moment
        # after the page and would push it down as they arrive.
        self.lay.addWidget(_section("整改成效"))
        self.results = ResultsBlock()
        self.lay.addWidget(self.results)

        # 整改进度走势: worked out from the whole change log, so only while the page is shown, and once after a
        # burst of changes (TREND_DELAY_MS), not with every keystroke's refresh of the figures.
        self.lay.addWidget(_section("整改进度走势"))
        self.trend = TrendBlock()
        self.lay.addWidget(self.trend)
        self._trend_stale = True
        self._trend_timer = QTimer(self)
        self._trend_timer.setSingleShot(True)
        self._trend_timer.setInterval(TREND_DELAY_MS)
        self._trend_timer.timeout.connect(self.refresh_trend)

        self.lay.addWidget(_section("各方面整改进度"))
        self.categories = QVBoxLayout()
        self.lay.addLayout(self.categories)
        self.lay.addWidget(_section("各责任部门整改进度"))
        self.departments = QVBoxLayout()
        self.lay.addLayout(self.departments)
        legend = QHBoxLayout()
        for status in (DONE, ONGOING, IN_PROGRESS, NOT_STARTED):
            dot = QLabel(f"■ {status}")
            dot.setStyleSheet(f"color: {STATUS_COLORS[status]}")
            legend.addWidget(dot)
        legend.addStretch(1)
        self.lay.addLayout(legend)
        self.lay.addWidget(_section("近期到期"))
        self.upcoming = QVBoxLayout()
        self.lay.addLayout(self.upcoming)
        self.lay.addStretch(1)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.refresh)
        # The headline and figures show with the window; the bars, which read every item, come a moment
        # after, so that a large ledger's window appears at once.
        self.refresh(groups=False)
        self._groups_pending = True
        self.title.installEventFilter(self)  # the first paint of the title: the page is on screen

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        # The first paint of the page's content: the figures are on screen, now the bars.
        if self._groups_pending and event.type() == QEvent.Type.Paint:
            self._groups_pending = False
            QTimer.singleShot(0, self._refresh_groups)
        return False

    # the page interface

    def on_changes(self, changes: list[Change]) -> None:
        self._timer.start()  # many changes in one event: refresh once

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self._trend_stale:
            self._trend_timer.start()

    def _schedule_trend(self) -> None:
        self._trend_stale = True
        if self.isVisible():
            self._trend_timer.start()

    def refresh_trend(self) -> None:
        """整改进度走势 of the inspection shown, from the change log in one pass (asof.timeline)."""
        w = self.window_
        if not self.isVisible():
            return  # stays stale: worked out when the page is next shown
        self._trend_stale = False
        if w.ledger is None or w.ledger.closed or self.inspection_id is None:
            self.trend.show_points([])
            return
        from rectify_desktop.core import asof
        from rectify_desktop.core.storage import LedgerError

        try:
            points = asof.timeline(self.inspection_id, w.model.today, w.model.immediate_days)
        except LedgerError as exc:
            self.trend.show_points([], f"无法从修改记录得出整改进度走势：{exc}")
            return
        self.trend.show_points(points)

    def set_readonly(self, readonly: bool) -> None:
        pass  # the overview changes nothing

    # content

    def _clear(self, layout: QVBoxLayout) -> None:
        while layout.count():
            w = layout.takeAt(0).widget()
            if w is not None:
                w.deleteLater()

    def refresh(self, groups: bool = True) -> None:
        w = self.window_
        if w.ledger is None or w.ledger.closed:
            return
        self.inspection_id = w.current_inspection_id()
        if self.inspection_id is None:
            self.title.setText("台账中还没有巡察")
            self.headline.setText("")
            self.results.show_results(None, self._result_clicked)
            self._schedule_trend()
            self._refresh_groups()
            return
        from rectify_desktop.core.models import Inspection
        from rectify_desktop.core.table import ledger_title

        insp = Inspection.get_by_id(self.inspection_id)
        today, days = w.model.today, w.model.immediate_days
        s = w.ledger.stats(self.inspection_id, today, days)
        self.stats = s
        self.title.setText(ledger_title(insp))
        self.headline.setText(s.headline(insp.kind or "巡察") + "。")
        values = {
            "items": str(s.items),
            "done": str(s.status[DONE]),
            "in_progress": str(s.status[IN_PROGRESS]),
            "not_started": str(s.status[NOT_STARTED]),
            "ongoing": str(s.status[ONGOING]),
            # A whole percent, as the status bar and the headline (完成率55%): one way of writing it in the window.
            "rate": f"{s.completion_whole}%",
            "overdue": str(s.overdue),
            "due_7": str(s.due_7),
            "due_30": str(s.due_30),
            "written_off": str(s.written_off),
            "pending": str(s.writeoff_pending),
        }
        for key, value in values.items():
            self.figures[key].set_value(value)
        # A few queries over the entry tables, not a scan of the items: refreshed with the figures.
        self.results.show_results(results.compute(self.inspection_id), self._result_clicked)
        self._schedule_trend()
        if groups:
            self._refresh_groups()

    def _refresh_groups(self) -> None:
        w = self.window_
        for layout in (self.categories, self.departments, self.upcoming):
            self._clear(layout)
        if w.ledger is None or w.ledger.closed or self.inspection_id is None:
            return
        today, days = w.model.today, w.model.immediate_days
        figures = w.ledger.figures(self.inspection_id, today, days)
        by_cat, by_dept = figures.by_category, figures.by_department
        for g in by_cat:
            row = ProgressRow(g)
            row.clicked.connect(lambda g=g: self._filter(g.name, category_id=g.key))
            self.categories.addWidget(row)
        for g in by_dept:
            row = ProgressRow(g)
            row.clicked.connect(lambda g=g: self._filter(f"责任部门 {g.name}", department=g.key))
            self.departments.addWidget(row)
        for r, deadline, left in figures.upcoming:
            when = "今天到期" if left == 0 else f"还剩{left}天"
            text = f"{deadline.year}年{deadline.month}月{deadline.day}日（{when}）　{r.title}"
            b = QPushButton(text)
            b.setFlat(True)
            b.setStyleSheet(f"text-align: left; color: {'#c2610c' if left <= 7 else '#202124'}; padding: 2px;")
            b.setCursor(Qt.CursorShape.PointingHandCursor)
            b.clicked.connect(lambda _=False, i=r.id: self._open_item(i))
            self.upcoming.addWidget(b)
        if not self.upcoming.count():
            none = QLabel("没有待办的到期事项")
            none.setStyleSheet(f"color: {HINT_COLOR}")
            self.upcoming.addWidget(none)

    def show_items(self, key: str) -> int:
        """Shows, in the tree, the items a figure counts; returns how many (equal to the figure)."""
        caption = self.figures[key].caption
        return self._filter(caption, **self._filters[key])

    def show_result(self, group: str, kind: str) -> int:
        """Shows, in the tree, the items behind a figure of 整改成效; returns how many (0 for a figure of the
        whole inspection, which leaves the tree as it is and says why on the status bar)."""
        return self._result_clicked(self.results.figures[(group, kind)])

    def _result_clicked(self, fig: ResultFigure) -> int:
        if not fig.linked:
            self.window_.statusBar().showMessage(f"整改成效 {fig.caption} {fig.value}：{fig.why_not_linked()}", 8000)
            return 0
        label = f"整改成效 {fig.caption} {fig.value}（{len(fig.items)}项细化问题）"
        return self._filter(label, item_ids=fig.items)

    def _filter(self, label: str, **fields: object) -> int:
        return self.window_.filter_items(label, inspection_id=self.inspection_id, **fields)

    def _open_item(self, item_id: int) -> None:
        w = self.window_
        w.search.clear()
        w.show_page("ledger")
        w.select("item", item_id)
