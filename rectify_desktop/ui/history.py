"""The change log made visible (修改记录): the whole ledger's, filtered by date and text, and one node's.

Every change made through the ledger's one door is in :class:`ChangeLog`, with who and when; these views
only read it (through :mod:`rectify_desktop.core.history`). Only the newest rows are shown (2,000 for the
ledger, 500 for a node), with a note when there are more, so that a large log never slows the window.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QDate, QLocale, QModelIndex, QPersistentModelIndex, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from rectify_desktop.core import history, rules
from rectify_desktop.core.commands import ENTITY_NAMES, Change
from rectify_desktop.core.history import LogRow
from rectify_desktop.core.models import Category, Finding, Inspection, Item, Measure, Meeting
from rectify_desktop.ui.theme import HINT_COLOR, OVERDUE_COLOR, STATUS_COLORS

_ZH = QLocale(QLocale.Language.Chinese, QLocale.Country.China)
_NO_DATE = QDate(2000, 1, 1)

# The columns a log view can show: key → header.
COLUMNS: dict[str, str] = {
    "at": "时间",
    "user": "操作人",
    "action": "操作",
    "object": "对象",
    "field": "字段",
    "old": "原值",
    "new": "新值",
    "change": "修改内容",
}
LEDGER_COLUMNS = ("at", "user", "action", "object", "field", "old", "new")
_ROW_NUMBER = re.compile(r"#\d+")
ACTION_COLORS = {"新增": STATUS_COLORS["已完成"], "删除": OVERDUE_COLOR}


def _one_line(value: str | None, width: int = 120) -> str:
    """A value on one line of a table cell; the whole of it is in the tooltip."""
    if value is None:
        return ""
    text = " ".join(str(value).split())
    return text if len(text) <= width else text[: width - 1] + "…"


class LogModel(QAbstractTableModel):
    """Rows of the change log for a table view; `own` marks the object whose history this is (its rows
    name only the kind of object, the others name it in full)."""

    def __init__(self, columns: tuple[str, ...] = LEDGER_COLUMNS, parent: Any = None) -> None:
        super().__init__(parent)
        self.columns = columns
        self.rows: list[LogRow] = []
        self.labels: dict[tuple[str, int], str] = {}
        self.own: tuple[str, int] | None = None

    def set_rows(self, rows: list[LogRow], own: tuple[str, int] | None = None) -> None:
        self.beginResetModel()
        self.rows = rows
        self.own = own
        self.labels = history.object_labels(rows)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[self.columns[section]]
        return None

    def object_text(self, r: LogRow) -> str:
        if r.entity_id is None:
            return r.entity
        if self.own == (r.entity, r.entity_id):
            return r.entity
        label = self.labels.get((r.entity, r.entity_id))
        if label is None:
            # gone since: the log still knows what it was called when it was added or deleted
            gone = r.old if r.action.endswith("删除") else r.new if r.action.endswith("新增") else ""
            label = f"{_one_line(gone, 30)}（已删除）" if gone else "（已删除）"
        return f"{r.entity} {label}"

    def value(self, r: LogRow, key: str) -> str:
        """原值 or 新值; the "#12" an added or deleted row without a name is logged with says nothing."""
        v = getattr(r, key)
        if v and r.field == "" and _ROW_NUMBER.fullmatch(v):
            return ""
        return v or ""

    def change_text(self, r: LogRow) -> str:
        """The whole change in one sentence, for a narrow view: 完成情况：已完成 → 正在推进."""
        own = self.own == (r.entity, r.entity_id)
        obj = "" if own else self.object_text(r)
        old, new = _one_line(self.value(r, "old"), 60), _one_line(self.value(r, "new"), 60)
        if r.field:
            text = f"{r.field}：{old or '（空）'} → {new or '（空）'}"
            if r.action.startswith("撤销"):
                text = "撤销 " + text
            return f"{obj}　{text}" if obj else text
        if r.entity_id is None or own:
            return r.summary or r.action
        return f"{r.action} {obj}"

    def text(self, r: LogRow, key: str) -> str:
        if key == "at":
            return r.at.strftime("%Y-%m-%d %H:%M") if r.at else ""
        if key == "object":
            return self.object_text(r)
        if key in ("old", "new"):
            return _one_line(self.value(r, key))
        if key == "change":
            return self.change_text(r)
        return str(getattr(r, key) or "")

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        r = self.rows[index.row()]
        key = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(r, key)
        if role == Qt.ItemDataRole.ToolTipRole:
            if key in ("old", "new"):
                return self.value(r, key) or None
            if key == "change":
                return "\n".join(p for p in (r.summary, self.change_text(r)) if p) or None
            if key == "at":
                return r.at.strftime("%Y-%m-%d %H:%M:%S") if r.at else None
            return r.summary or None
        if role == Qt.ItemDataRole.ForegroundRole:
            if key == "action":
                base = r.action.removeprefix("撤销")
                color = HINT_COLOR if r.action.startswith("撤销") else ACTION_COLORS.get(base)
                return QColor(color) if color else None
            if (key == "old" and r.old) or (key == "change" and r.action.startswith("撤销")):
                return QColor(HINT_COLOR)
        return None

    def row(self, i: int) -> LogRow | None:
        return self.rows[i] if 0 <= i < len(self.rows) else None


def _log_view(model: LogModel, name: str) -> QTableView:
    view = QTableView()
    view.setObjectName(name)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.setTextElideMode(Qt.TextElideMode.ElideRight)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 10)
    header = view.horizontalHeader()
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    header.setHighlightSections(False)
    fm = view.fontMetrics()
    widths = {
        "at": fm.horizontalAdvance("2026-12-31 23:59") + 20,
        "user": fm.horizontalAdvance("张三（Administrator）") + 20,  # the clerk's name, the OS account after it
        "action": fm.horizontalAdvance("撤销重新编号") + 20,
        "object": fm.horizontalAdvance("细化问题 12（3） 落实意识形态工作责任制不到位") + 20,
        "field": fm.horizontalAdvance("完成日期完成") + 20,
    }
    for c, key in enumerate(model.columns):
        if key in ("old", "new", "change"):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.Stretch)
        else:
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.Interactive)
            view.setColumnWidth(c, widths.get(key, 100))
    return view


class _OptionalDate(QDateEdit):
    """A date filter: the first day shows 不限 (no bound); stepping from there starts at today."""

    def __init__(self) -> None:
        super().__init__()
        self.setLocale(_ZH)
        self.setCalendarPopup(True)
        self.setDisplayFormat("yyyy年M月d日")
        self.setMinimumDate(_NO_DATE)
        self.setSpecialValueText("不限")
        self.setDate(_NO_DATE)
        self.calendarWidget().setLocale(_ZH)
        self.calendarWidget().setFirstDayOfWeek(Qt.DayOfWeek.Monday)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("2026年12月31日") + 44)

    def stepBy(self, steps: int) -> None:  # noqa: N802 - Qt's name
        if self.date() == _NO_DATE:
            self.setDate(QDate.currentDate())
            return
        super().stepBy(steps)

    def value(self) -> dt.date | None:
        q = self.date()
        return None if q == _NO_DATE else dt.date(q.year(), q.month(), q.day())

    def set_value(self, d: dt.date | None) -> None:
        self.setDate(QDate(d.year, d.month, d.day) if d else _NO_DATE)


class HistoryPage(QWidget):
    """修改记录: the whole ledger's change log, newest first, filtered by date range and by text.

    Double-clicking a row shows its object: the node in the ledger's tree, or the rule or meeting.
    """

    def __init__(self, window: Any) -> None:
        super().__init__()
        self.window_ = window
        self.limit = history.DEFAULT_LIMIT
        self.setObjectName("history.page")
        self._dirty = True

        title = QLabel("修改记录")
        f = title.font()
        f.setPointSizeF(f.pointSizeF() * 1.35)
        f.setWeight(QFont.Weight.Bold)
        title.setFont(f)
        self.since = _OptionalDate()
        self.since.setObjectName("history.since")
        self.until = _OptionalDate()
        self.until.setObjectName("history.until")
        self.search = QLineEdit()
        self.search.setObjectName("history.search")
        self.search.setPlaceholderText("搜索：内容、字段、操作人…")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(self.fontMetrics().horizontalAdvance("搜索：内容、字段、操作人…") + 40)
        bar = QHBoxLayout()
        bar.setSpacing(6)
        bar.addWidget(QLabel("从"))
        bar.addWidget(self.since)
        bar.addWidget(QLabel("到"))
        bar.addWidget(self.until)
        bar.addSpacing(8)
        self.quick: dict[str, QPushButton] = {}
        for key, text in (("today", "今天"), ("week", "近7天"), ("month", "近30天"), ("all", "全部")):
            b = QPushButton(text)
            b.setObjectName(f"history.{key}")
            b.setAutoDefault(False)
            b.clicked.connect(lambda _=False, k=key: self.quick_range(k))
            bar.addWidget(b)
            self.quick[key] = b
        bar.addSpacing(12)
        bar.addWidget(self.search, 1)
        bar.addSpacing(8)
        self.export_button = QPushButton("导出Excel…")
        self.export_button.setObjectName("history.export")
        self.export_button.setToolTip("把当前筛选出的修改记录保存为Excel表格")
        self.print_button = QPushButton("打印…")
        self.print_button.setObjectName("history.print")
        self.print_button.setToolTip("预览并打印当前筛选出的修改记录")
        for b in (self.export_button, self.print_button):
            b.setAutoDefault(False)
            bar.addWidget(b)
        self.export_button.clicked.connect(self.export_excel)
        self.print_button.clicked.connect(self.print_log)

        self.model = LogModel(LEDGER_COLUMNS, self)
        self.view = _log_view(self.model, "history.table")
        self.view.doubleClicked.connect(self._open)
        self.note = QLabel()
        self.note.setObjectName("history.note")
        self.note.setStyleSheet(f"color: {HINT_COLOR};")
        self.note.setWordWrap(True)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(18, 14, 18, 14)
        lay.setSpacing(8)
        lay.addWidget(title)
        lay.addLayout(bar)
        lay.addWidget(self.view, 1)
        lay.addWidget(self.note)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(250)  # typing in the search box reloads once, after a pause
        self._timer.timeout.connect(self.reload)
        self.search.textChanged.connect(lambda _t: self._timer.start())
        self.since.dateChanged.connect(lambda _d: self.reload())
        self.until.dateChanged.connect(lambda _d: self.reload())
        self.reload()

    # the interface the window uses

    def export_excel(self) -> None:
        from rectify_desktop.ui.history_export import export_history

        export_history(self.window_, self)

    def print_log(self) -> None:
        from rectify_desktop.ui.history_export import print_history

        print_history(self.window_, self)

    def on_changes(self, changes: list[Change]) -> None:
        """New rows were written: reload now when shown, else when next shown."""
        if self.isVisible():
            self.reload()
        else:
            self._dirty = True

    def set_readonly(self, readonly: bool) -> None:
        """Nothing to turn off: the log is only read here."""

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self._dirty:
            self.reload()

    # filters

    def quick_range(self, key: str) -> None:
        today = dt.date.today()
        since = {"today": today, "week": today - dt.timedelta(days=6), "month": today - dt.timedelta(days=29)}.get(key)
        for w in (self.since, self.until):
            w.blockSignals(True)
        self.since.set_value(since)
        self.until.set_value(None)
        for w in (self.since, self.until):
            w.blockSignals(False)
        self.reload()

    def reload(self) -> None:
        self._timer.stop()
        self._dirty = False
        ledger = getattr(self.window_, "ledger", None)
        if ledger is None or ledger.closed:
            self.model.set_rows([])
            self.note.setText("未打开台账。")
            return
        since, until = self.since.value(), self.until.value()
        rows = history.ledger_log(since, until, self.search.text(), self.limit + 1)
        more = len(rows) > self.limit
        rows = rows[: self.limit]
        self.model.set_rows(rows)
        filtered = since is not None or until is not None or self.search.text().strip()
        if since and until and since > until:
            self.note.setText("起始日期晚于结束日期，没有符合条件的记录。")
        elif more:
            self.note.setText(
                f"只显示最新的 {self.limit} 条记录；更早的记录可缩小日期范围或输入关键词查看。双击一行可查看该对象。"
            )
        elif not rows:
            self.note.setText("没有符合条件的修改记录。" if filtered else "台账还没有修改记录。")
        else:
            self.note.setText(f"{'符合条件的' if filtered else '共'} {len(rows)} 条记录。双击一行可查看该对象。")

    # going to the object

    def _open(self, index: QModelIndex) -> None:
        r = self.model.row(index.row())
        if r is None:
            return
        where = history.locate(r.entity, r.entity_id)
        if where is None:
            self.window_.statusBar().showMessage("该对象已被删除", 5000)
            return
        kind, row_id = where
        if kind in ("institution", "meeting"):
            page = self.window_.show_page("registers")
            if page is not None:
                page.select(kind, row_id)
            return
        self.window_.show_page("ledger")
        self.window_.select(kind, row_id)


class _ElidedLabel(QLabel):
    """A one-line title that ends in "…" when its pane is narrow (the whole of it in the tooltip), instead
    of making the pane as wide as the title."""

    def setText(self, text: str) -> None:  # noqa: N802 - Qt's name
        super().setText(text)
        self.setToolTip(text)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(self.fontMetrics().horizontalAdvance("修改记录…"), super().minimumSizeHint().height())

    def paintEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        rect = self.contentsRect()
        text = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, rect.width())
        painter.drawText(rect, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), text)


# The history strip's state, in the window's settings: whether it is collapsed, and its height when open.
COLLAPSED_KEY = "window/history_collapsed"
HEIGHT_KEY = "window/history_height"
_NO_MAX = 16777215  # QWIDGETSIZE_MAX


class NodeHistory(QWidget):
    """The history of the node selected in the tree: for an item, its own edits and those of its measures,
    evidence and write-offs; for an inspection, its own and those of its registers. Newest first.

    Under the form, it can be collapsed to its header (收起) so that the form has the height of a small
    screen, and opened again (展开); the window's settings remember which."""

    # A dock or a strip under the form is narrow: the change is told in one column.
    COLUMNS_SHOWN = ("at", "user", "change")
    OPEN_HEIGHT = 150  # the strip's height when it is first opened

    def __init__(self, window: Any) -> None:
        super().__init__()
        self.window_ = window
        self.settings = getattr(window, "settings", None)
        self.kind: str | None = None
        self.row_id: int | None = None
        self.limit = history.NODE_LIMIT
        self.setObjectName("history.node")
        self.title = _ElidedLabel()
        self.title.setObjectName("history.node.title")
        f = self.title.font()
        f.setBold(True)
        self.title.setFont(f)
        self.toggle = QToolButton()
        self.toggle.setObjectName("history.node.toggle")
        self.toggle.setAutoRaise(True)
        self.toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toggle.setCursor(Qt.CursorShape.PointingHandCursor)
        self.toggle.clicked.connect(lambda: self.set_collapsed(not self.collapsed))
        header = QHBoxLayout()
        header.setContentsMargins(0, 0, 0, 0)
        header.addWidget(self.title, 1)
        header.addWidget(self.toggle)
        self.model = LogModel(self.COLUMNS_SHOWN, self)
        self.view = _log_view(self.model, "history.node.table")
        self.note = QLabel()
        self.note.setObjectName("history.node.note")
        self.note.setStyleSheet(f"color: {HINT_COLOR};")
        self.note.setWordWrap(True)
        lay = self.lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.setSpacing(4)
        lay.addLayout(header)
        lay.addWidget(self.view, 1)
        lay.addWidget(self.note)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.reload)
        self.collapsed = False
        self._apply(self._setting(COLLAPSED_KEY, False, bool))
        self.show_node(None, None)

    # collapsing

    def _setting(self, key: str, default: Any, kind: type) -> Any:
        if self.settings is None:
            return default
        try:
            return self.settings.value(key, default, kind)
        except (TypeError, ValueError):  # a value written by hand that is not one
            return default

    def _splitter(self) -> QSplitter | None:
        parent = self.parentWidget()
        return parent if isinstance(parent, QSplitter) else None

    def header_height(self) -> int:
        m = self.lay.contentsMargins()
        return max(self.title.sizeHint().height(), self.toggle.sizeHint().height()) + m.top() + m.bottom()

    def _apply(self, collapsed: bool) -> None:
        """Shows the strip collapsed to its header, or open; the splitter's sizes are the caller's."""
        self.collapsed = collapsed
        self.view.setVisible(not collapsed)
        self.note.setVisible(not collapsed)
        self.setMaximumHeight(self.header_height() if collapsed else _NO_MAX)
        self.toggle.setText("展开" if collapsed else "收起")
        self.toggle.setArrowType(Qt.ArrowType.UpArrow if collapsed else Qt.ArrowType.DownArrow)
        self.toggle.setToolTip("展开修改记录" if collapsed else "收起修改记录，把高度让给上面的表单")

    def set_collapsed(self, collapsed: bool) -> None:
        """收起 / 展开: the form above takes the strip's height, or gives it back; remembered in the settings."""
        split = self._splitter()
        if split is not None and split.orientation() == Qt.Orientation.Vertical:
            i = split.indexOf(self)
            sizes = split.sizes()
            total = sum(sizes)
            if collapsed and not self.collapsed and self.settings is not None:
                self.settings.setValue(HEIGHT_KEY, sizes[i])
            self._apply(collapsed)
            self._fit_splitter(split, total)
        else:
            self._apply(collapsed)
        if self.settings is not None:
            self.settings.setValue(COLLAPSED_KEY, collapsed)

    def _fit_splitter(self, split: QSplitter, total: int) -> None:
        """Gives the strip its header's height (collapsed) or its remembered height (open), the rest above."""
        i = split.indexOf(self)
        if self.collapsed:
            mine = self.header_height()
        else:
            mine = self._setting(HEIGHT_KEY, self.OPEN_HEIGHT, int) or self.OPEN_HEIGHT
            mine = max(self.header_height() * 3, min(mine, total // 2))
        others = [k for k in range(split.count()) if k != i]
        sizes = split.sizes()
        rest = total - mine
        for k in others:
            sizes[k] = rest if k == others[0] else 0
        sizes[i] = mine
        split.setSizes(sizes)

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        split = self._splitter()
        if split is not None:
            # Dragged down to nothing, the strip would take its 展开 button with it: only the button collapses it.
            split.setCollapsible(split.indexOf(self), False)
            if self.collapsed:
                self._fit_splitter(split, sum(split.sizes()))

    def show_node(self, kind: str | None, row_id: int | None) -> None:
        self.kind, self.row_id = kind, row_id
        self.reload()

    def on_changes(self, changes: list[Change]) -> None:
        # Typing makes a change every second: the history follows once the window is idle again.
        if self.row_id is not None:
            self._timer.start()

    def set_readonly(self, readonly: bool) -> None:
        """Nothing to turn off: the log is only read here."""

    def _name(self) -> str:
        kind, rid = self.kind, self.row_id
        if kind == "item":
            it = Item.get_or_none(Item.id == rid)
            if it is not None:
                f = Finding.get_or_none(Finding.id == it.finding_id)
                return f"细化问题{f.number if f else ''}{rules.item_label(it.number)}"
        elif kind == "finding":
            f = Finding.get_or_none(Finding.id == rid)
            return f"问题{f.number}" if f else ""
        elif kind == "category":
            c = Category.get_or_none(Category.id == rid)
            return f"方面“{c.title}”" if c else ""
        elif kind == "inspection":
            i = Inspection.get_or_none(Inspection.id == rid)
            return "巡察（含制度建设与会议）" if i else ""
        elif kind == "measure":
            m = Measure.get_or_none(Measure.id == rid)
            return "整改措施" if m else ""
        elif kind == "meeting":
            return "会议" if Meeting.get_or_none(Meeting.id == rid) else ""
        return {"evidence": "佐证材料", "institution": "制度", "writeoff": "销号"}.get(kind or "", "")

    def reload(self) -> None:
        self._timer.stop()
        ledger = getattr(self.window_, "ledger", None)
        if self.kind is None or self.row_id is None or ledger is None or ledger.closed:
            self.title.setText("修改记录")
            self.model.set_rows([])
            self.note.setText("在台账中选择一个节点，查看它的修改记录。")
            return
        try:
            rows = history.node_log(self.kind, self.row_id, self.limit + 1)
        except ValueError:
            rows = []
        more = len(rows) > self.limit
        rows = rows[: self.limit]
        model = history.KIND_MODELS.get(self.kind)
        self.model.set_rows(rows, (ENTITY_NAMES[model], self.row_id) if model else None)
        self.title.setText(f"修改记录：{self._name()}")
        if more:
            self.note.setText(f"只显示最新的 {self.limit} 条；全部记录见“修改记录”页。")
        elif not rows:
            self.note.setText("还没有修改记录。")
        else:
            self.note.setText(f"共 {len(rows)} 条。")
