"""Small pieces the edit forms are built from (编辑表单的部件): date and text fields that commit, the status
combo, tables that fit their rows, and the helpers for dates and field limits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from peewee import fn
from PySide6.QtCore import (
    QDate,
    QEvent,
    QLocale,
    QObject,
    QPoint,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QFocusEvent,
    QIcon,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QPalette,
    QPixmap,
    QValidator,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLayout,
    QLayoutItem,
    QLineEdit,
    QSizePolicy,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTextEdit,
    QToolButton,
    QWidget,
)

from rectify_desktop.core import rules
from rectify_desktop.core.models import (
    STATUSES,
    Item,
)
from rectify_desktop.ui.theme import HINT_COLOR, OVERDUE_COLOR, STATUS_COLORS

EMPTY_HINT = "请在左侧选择一个方面、问题或细化问题"
NUMBER_HINT = "序号只在“重新编号”时改变"


# The words the inspection's fields are called by, after its kind (巡察 / 审计 / 督查 / 其他).
_KIND_WORDS: dict[str, tuple[str, str, str]] = {
    "巡察": ("巡察组", "被巡察单位", "巡察时间"),
    "审计": ("审计机关", "被审计单位", "审计时间"),
    "督查": ("督查组", "被督查单位", "督查时间"),
}
_OTHER_WORDS = ("检查单位", "被检查单位", "检查时间")

TEXT_COMMIT_MS = 1000
_ZH = QLocale(QLocale.Language.Chinese, QLocale.Country.China)


# --- small helpers -------------------------------------------------------------------------------


def cn_date(d: dt.date | None) -> str:
    """2026年6月30日, as the ledger prints a date; "" for none."""
    return f"{d.year}年{d.month}月{d.day}日" if d else ""


def _qdate(d: dt.date) -> QDate:
    return QDate(d.year, d.month, d.day)


def month_end_phrases(today: dt.date, count: int = 6) -> list[str]:
    """Deadline phrases for the ends of the next months: on 2026-11-28, 2026年12月底前, 2027年1月底前 …"""
    out = []
    y, m = today.year, today.month
    for _ in range(count):
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        out.append(f"{y}年{m}月底前")
    return out


def deadline_choices(today: dt.date | None = None) -> list[str]:
    """What the 整改时限 combo offers; the clerk may type anything else."""
    return [rules.IMMEDIATE, rules.LONG_TERM, *month_end_phrases(today or dt.date.today())]


def distinct_values(field: Any) -> list[str]:
    """The values of an item field already in the ledger, most used first, and the names inside them
    (办公室、人事股 offers 办公室 and 人事股 too): for the completers of 责任领导 / 部门 / 人."""
    counts: dict[str, int] = {}
    q = Item.select(field, fn.COUNT(Item.id)).where(field != "").group_by(field).tuples()
    for value, n in q:
        value = str(value).strip()
        if not value:
            continue
        counts[value] = counts.get(value, 0) + n
        for sep in "，,；;":
            value = value.replace(sep, "、")
        parts = [p.strip() for p in value.split("、")]
        if len(parts) > 1:
            for p in parts:
                if p:
                    counts[p] = counts.get(p, 0) + n
    return sorted(counts, key=lambda v: (-counts[v], v))


def _dot_icon(color: str) -> QIcon:
    pm = QPixmap(12, 12)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(color))
    p.drawEllipse(1, 1, 10, 10)
    p.end()
    return QIcon(pm)


@contextmanager
def _blocked(*objects: QObject) -> Iterator[None]:
    old = [o.blockSignals(True) for o in objects]
    try:
        yield
    finally:
        for o, was in zip(objects, old, strict=True):
            o.blockSignals(was)


def _fit_limit(line: QLineEdit, value: str, limit: int) -> None:
    """A line edit's limit, raised to a stored value already longer (a ledger from elsewhere), so that showing
    it never cuts it silently; the commands refuse to store it longer than the limit."""
    want = max(limit, len(value))
    if line.maxLength() != want:
        line.setMaxLength(want)


def _hint_label(text: str = "") -> QLabel:
    lab = QLabel(text)
    lab.setStyleSheet(f"color: {HINT_COLOR};")
    lab.setWordWrap(True)
    return lab


def _section(title: str) -> QLabel:
    lab = QLabel(title)
    f = lab.font()
    f.setBold(True)
    lab.setFont(f)
    lab.setStyleSheet("border: none; border-bottom: 1px solid #b9c0ca; padding: 12px 0 4px 0; margin-bottom: 4px;")
    return lab


class _WrapDelegate(QStyledItemDelegate):
    """Wraps long cell text; measures it a little narrower than painted, so that a line that only just
    fits by Qt's measure is never elided ("…") when painted."""

    def sizeHint(self, option: QStyleOptionViewItem, index: Any) -> Any:
        opt = QStyleOptionViewItem(option)
        if opt.rect.width() > 16:
            opt.rect = opt.rect.adjusted(0, 0, -8, 0)
        return super().sizeHint(opt, index)


def editor_rect(editor: QWidget, cell: QRect) -> QRect:
    """Where a table's cell editor opens: at least as large as it wants (a date edit, a list), centred on its
    row, and leftwards when it would run past the table's right edge (the last column)."""
    rect = QRect(cell)
    hint = editor.sizeHint()
    rect.setWidth(max(rect.width(), hint.width()))
    rect.setHeight(max(min(rect.height(), hint.height() + 8), hint.height()))
    rect.moveTop(cell.center().y() - rect.height() // 2)
    room = editor.parentWidget().width() if editor.parentWidget() is not None else rect.right() + 1
    if rect.right() >= room:
        rect.moveRight(room - 1)
    return rect


class _FlowLayout(QLayout):
    """Lays its parts on one line when the pane is wide enough, and goes on to the next line when it is not, so
    that a row of a form (two dates, a combo and its hint) never makes the form wider than its pane: a form
    wider than its pane scrolls sideways and its labels are cut on the left ("改时限" for 整改时限)."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 8) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._gap = spacing
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802 - Qt's name
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 - Qt's name
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 - Qt's name
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802 - Qt's name
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt's name
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt's name
        return self._place(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802 - Qt's name
        super().setGeometry(rect)
        self._place(rect, move=True)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        shown = [it for it in self._items if not it.isEmpty()]
        width = sum(it.sizeHint().width() for it in shown) + self._gap * max(0, len(shown) - 1)
        height = max((it.sizeHint().height() for it in shown), default=0)
        m = self.contentsMargins()
        return QSize(width + m.left() + m.right(), height + m.top() + m.bottom())

    def minimumSize(self) -> QSize:  # noqa: N802 - Qt's name
        size = QSize()
        for it in self._items:
            if not it.isEmpty():
                size = size.expandedTo(it.minimumSize())
        m = self.contentsMargins()
        return size + QSize(m.left() + m.right(), m.top() + m.bottom())

    def _place(self, rect: QRect, move: bool) -> int:
        """Lays the parts out in `rect` (only measures when not `move`), each centred on the height of its
        line; returns the height they take."""
        m = self.contentsMargins()
        area = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom())
        lines: list[list[tuple[QLayoutItem, QSize]]] = [[]]
        x = area.x()
        for it in self._items:
            if it.isEmpty():
                continue
            hint = it.sizeHint()
            size = QSize(min(hint.width(), area.width()), hint.height())
            if lines[-1] and x + size.width() > area.right() + 1:  # no room left on this line
                lines.append([])
                x = area.x()
            lines[-1].append((it, size))
            x += size.width() + self._gap
        y = area.y()
        for n, line in enumerate(lines):
            height = max((size.height() for _, size in line), default=0)
            x = area.x()
            for it, size in line:
                if move:
                    it.setGeometry(QRect(QPoint(x, y + (height - size.height()) // 2), size))
                x += size.width() + self._gap
            y += height + (self._gap // 2 if n < len(lines) - 1 else 0)
        return y - rect.y() + m.bottom()


def flow_row(*parts: QWidget, spacing: int = 8) -> QWidget:
    """A row of a form whose parts wrap onto a second line when the pane is narrow (see _FlowLayout)."""
    row = QWidget()
    lay = _FlowLayout(row, spacing)
    for part in parts:
        lay.addWidget(part)
    policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
    policy.setHeightForWidth(True)
    row.setSizePolicy(policy)
    return row


class _FitTable(QTableWidget):
    """A table inside a form: no scroll bar of its own, always exactly as tall as its rows; never narrower than
    its narrow columns and `stretch_min` for the one that stretches (its text wraps), so that its columns
    always fit its width (the form, not the table, is what becomes narrower or wider)."""

    def __init__(
        self, headers: list[str], stretch: int, parent: QWidget | None = None, stretch_min: int | None = None
    ) -> None:
        super().__init__(0, len(headers), parent)
        self._stretch = stretch
        # ten characters of the stretching column's text, however narrow the pane
        self._stretch_min = (
            stretch_min if stretch_min is not None else self.fontMetrics().horizontalAdvance("一" * 10) + 12
        )
        self.setHorizontalHeaderLabels(headers)
        self.setItemDelegateForColumn(stretch, _WrapDelegate(self))
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setWordWrap(True)
        self.verticalHeader().setVisible(False)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        header = self.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        for c in range(len(headers)):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
        header.sectionResized.connect(self.fit)
        self._width = -1

    def fit(self, *_: object) -> None:
        self.resizeRowsToContents()
        head = self.horizontalHeader().sizeHint().height()
        rows = sum(self.rowHeight(r) for r in range(self.rowCount()))
        if self.rowCount() == 0:
            rows = self.verticalHeader().defaultSectionSize()
        h = head + rows + 2 * self.frameWidth()
        if self.height() != h or self.minimumHeight() != h:
            self.setFixedHeight(h)
        narrow = sum(self.columnWidth(c) for c in range(self.columnCount()) if c != self._stretch)
        w = narrow + self._stretch_min + 2 * self.frameWidth()
        if self.minimumWidth() != w:
            self.setMinimumWidth(w)

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        if event.size().width() != self._width:  # a new width may wrap the text on more or fewer lines
            self._width = event.size().width()
            self.fit()


# --- widgets -------------------------------------------------------------------------------------


DATE_HOW = "请按 2026-03-02、2026.3.2 或 2026年3月2日 的样式填写"  # the ways a typed date is read


class _DateEdit(QDateEdit):
    """A date edit whose minimum date stands for 'no date'; stepping from there starts at today.

    Typing is free: Qt's own date editing works section by section in the shown format and throws away
    whatever does not fit it (a date typed into 未填写, "2026.3.2" over 2026年3月2日). So a typed key turns
    the line into plain text, read when the clerk leaves it (Tab, Enter, a click elsewhere) the way the
    ledger reads dates everywhere (rules.parse_date). What cannot be read stays in the line (`kept`),
    shown instead of the stored date, until it is corrected or cleared; the owner says why.
    """

    def __init__(self, owner: OptionalDateEdit) -> None:
        super().__init__(owner)
        self.owner = owner
        self.typing = False  # the line holds what the clerk is typing, not the stored date
        self.kept: str | None = None  # what was typed and is not a date, shown until corrected

    # what is shown

    def textFromDateTime(self, value: Any) -> str:
        return self.kept if self.kept is not None else super().textFromDateTime(value)

    def validate(self, text: str, pos: int) -> object:
        if self.typing:
            return QValidator.State.Intermediate, text, pos  # any text, read when the clerk leaves
        return super().validate(text, pos)

    def refresh(self) -> None:
        """Shows the stored date again (or the kept text): the special text also stands for it when empty."""
        self.setSpecialValueText(self.kept if self.kept is not None else "未填写")  # Qt redraws the line

    def forget(self) -> None:
        """Drops what was typed: the stored date is shown again."""
        if self.typing or self.kept is not None:
            self.typing = False
            self.kept = None
            self.refresh()
            self.owner.set_problem(None)

    # typing

    def _types(self, event: QKeyEvent) -> bool:
        """A key that writes into the line: a character, Backspace, Delete, a paste."""
        if event.matches(QKeySequence.StandardKey.Paste):
            return True
        if event.modifiers() & ~(Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.KeypadModifier):
            return False
        if event.key() in (Qt.Key.Key_Backspace, Qt.Key.Key_Delete):
            return True
        text = event.text()
        return bool(text) and text.isprintable()

    def _to_line(self, event: QEvent) -> None:
        # Straight to the line, past the section logic of the date edit, which would move the cursor
        # to a section of the shown format or refuse the key.
        line = self.lineEdit()
        with _blocked(line):
            line.event(event)
        event.accept()

    def take_typed(self) -> bool:
        """Reads what was typed: a date is stored, nothing clears the field; False when it is not a date."""
        if not self.typing:
            return self.kept is None
        self.typing = False
        text = self.lineEdit().text().strip()
        if not text:
            self.kept = None
            self.refresh()
            self.owner.set_problem(None)
            self.setDate(self.minimumDate())
            return True
        d = rules.parse_date(text)
        q = _qdate(d) if d else QDate()
        if not q.isValid() or q <= self.minimumDate() or q > self.maximumDate():
            self.kept = text
            self.refresh()
            self.owner.set_problem(f"“{text}”不是日期，没有保存")
            return False
        self.kept = None
        self.owner.set_problem(None)
        self.setDate(q)
        self.refresh()  # the same date typed another way is shown as the ledger writes it
        return True

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.isReadOnly():
            super().keyPressEvent(event)
            return
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if self.typing and not self.take_typed():
                event.accept()
                return
            super().keyPressEvent(event)
            return
        if key == Qt.Key.Key_Escape and (self.typing or self.kept is not None):
            self.forget()  # back to the stored date
            event.accept()
            return
        if not self.typing and self._types(event):
            self.typing = True
            if self.kept is None and self.date() == self.minimumDate():
                line = self.lineEdit()
                with _blocked(line):
                    line.setText("")  # typing into 未填写 replaces it
            self.owner.update_clear()
        if self.typing and key not in (
            Qt.Key.Key_Up,
            Qt.Key.Key_Down,
            Qt.Key.Key_PageUp,
            Qt.Key.Key_PageDown,
        ):
            self._to_line(event)
            return
        super().keyPressEvent(event)

    def stepBy(self, steps: int) -> None:
        if (self.typing or self.kept is not None) and not self.take_typed():
            return  # what was typed is not a date: nothing to step from
        if self.date() == self.minimumDate():
            self.setDate(QDate.currentDate())
            return
        super().stepBy(steps)

    def focusNextPrevChild(self, next: bool) -> bool:
        if self.typing or self.kept is not None:
            # Tab leaves a typed entry (Qt would move between the sections of its own format).
            self.take_typed()
            return QWidget.focusNextPrevChild(self, next)
        return super().focusNextPrevChild(next)

    def focusInEvent(self, event: QFocusEvent) -> None:
        if self.kept is not None:
            self.typing = True  # back to correct what was typed: it is text still, not Qt's date sections
        super().focusInEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        if self.typing:
            self.take_typed()
        super().focusOutEvent(event)


class OptionalDateEdit(QWidget):
    """A date that may be empty: a calendar-popup date field showing 未填写 when empty, and 清除.

    A date can also be typed, in any of the ways the ledger reads dates (2026-03-02, 2026.3.2, 2026/3/2,
    2026年3月2日); what is not a date stays in the field, in red with the reason as its tooltip
    (`problem`, `problemChanged`), and nothing is stored until it is corrected or cleared.
    `valueChanged` carries a ``datetime.date`` or None, only when the clerk changes the date.
    """

    valueChanged = Signal(object)
    problemChanged = Signal(str)  # why what was typed was not stored; "" once it is gone
    EMPTY = QDate(1900, 1, 1)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._problem: str | None = None
        self._edit = _DateEdit(self)
        self._edit.setLocale(_ZH)
        self._edit.setCalendarPopup(True)
        self._edit.setDisplayFormat("yyyy年M月d日")
        self._edit.setMinimumDate(self.EMPTY)
        self._edit.setSpecialValueText("未填写")
        self._edit.setKeyboardTracking(False)
        self._edit.setDate(self.EMPTY)
        self._edit.setMinimumWidth(self._edit.fontMetrics().horizontalAdvance("2026年12月31日") + 44)
        cal = self._edit.calendarWidget()
        cal.setLocale(_ZH)
        cal.setFirstDayOfWeek(Qt.DayOfWeek.Monday)
        cal.setVerticalHeaderFormat(cal.VerticalHeaderFormat.NoVerticalHeader)
        cal.installEventFilter(self)
        self._clear = QToolButton(self)
        self._clear.setText("清除")
        self._clear.setToolTip("清除这个日期（改为未填写）")
        self._clear.setAutoRaise(True)
        self._clear.setCursor(Qt.CursorShape.PointingHandCursor)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addWidget(self._edit)
        lay.addWidget(self._clear)
        self.setFocusProxy(self._edit)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self._readonly = False
        self._edit.dateChanged.connect(self._on_date)
        self._clear.clicked.connect(self.clear)
        self.update_clear()

    def value(self) -> dt.date | None:
        q = self._edit.date()
        if q == self.EMPTY or not q.isValid():
            return None
        return dt.date(q.year(), q.month(), q.day())

    def setValue(self, value: dt.date | None) -> None:
        """Shows `value` without emitting valueChanged; what was typed and not stored is dropped."""
        self._edit.forget()
        with _blocked(self._edit):
            self._edit.setDate(_qdate(value) if value else self.EMPTY)
        self.update_clear()

    def clear(self) -> None:
        self._edit.forget()
        self._edit.setDate(self.EMPTY)
        self.update_clear()

    def problem(self) -> str | None:
        """Why what is in the field was not stored (it is not a date), or None."""
        return self._problem

    def set_problem(self, problem: str | None) -> None:
        if problem == self._problem:
            return
        self._problem = problem
        pal = self._edit.palette()
        # Red text says at a glance that this is not the stored date; the tooltip says why.
        color = QColor(OVERDUE_COLOR) if problem else self.palette().color(QPalette.ColorRole.Text)
        pal.setColor(QPalette.ColorRole.Text, color)
        self._edit.setPalette(pal)
        self._edit.setToolTip(f"{problem}。{DATE_HOW}，或点“清除”。" if problem else "")
        self.update_clear()
        self.problemChanged.emit(problem or "")

    def setReadOnly(self, readonly: bool) -> None:
        self._readonly = readonly
        if readonly:
            self._edit.forget()
        self._edit.setReadOnly(readonly)
        self._edit.setButtonSymbols(
            QDateEdit.ButtonSymbols.NoButtons if readonly else QDateEdit.ButtonSymbols.UpDownArrows
        )
        self.update_clear()

    def isReadOnly(self) -> bool:
        return self._readonly

    def dateEdit(self) -> QDateEdit:
        return self._edit

    def _on_date(self, _date: QDate) -> None:
        self.update_clear()
        self.valueChanged.emit(self.value())

    def update_clear(self) -> None:
        typed = self._edit.typing or self._edit.kept is not None
        self._clear.setEnabled(not self._readonly and (self.value() is not None or typed))
        self._clear.setVisible(not self._readonly)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        # An empty date would open the calendar in January 1900: open it at this month instead.
        if event.type() == QEvent.Type.Show and self.value() is None:
            today = QDate.currentDate()
            self._edit.calendarWidget().setCurrentPage(today.year(), today.month())
        return super().eventFilter(obj, event)


class _TextEdit(QTextEdit):
    """A plain multi-line field that grows with its text between `min_lines` and `max_lines`."""

    focusLost = Signal()

    def __init__(self, min_lines: int = 3, max_lines: int = 12, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAcceptRichText(False)
        self.setTabChangesFocus(True)
        self.setLineWrapMode(QTextEdit.LineWrapMode.WidgetWidth)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._min_lines = min_lines
        self._max_lines = max_lines
        self.document().documentLayout().documentSizeChanged.connect(self._fit)
        self._fit()

    def _fit(self, *_: object) -> None:
        line = self.fontMetrics().lineSpacing()
        pad = 2 * self.frameWidth() + 2 * int(self.document().documentMargin())
        lo = self._min_lines * line + pad
        hi = self._max_lines * line + pad
        h = int(self.document().size().height()) + 2 * self.frameWidth() + 1
        h = max(lo, min(h, hi))
        if h != self.height() or self.minimumHeight() != h:
            self.setFixedHeight(h)

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self._fit()

    def focusOutEvent(self, event: Any) -> None:
        super().focusOutEvent(event)
        self.focusLost.emit()


class _StatusCombo(QComboBox):
    """完成情况: the four statuses, each with its colour."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        for s in STATUSES:
            self.addItem(_dot_icon(STATUS_COLORS[s]), s)
            self.setItemData(self.count() - 1, QColor(STATUS_COLORS[s]), Qt.ItemDataRole.ForegroundRole)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.currentTextChanged.connect(self._paint)

    def _paint(self, text: str) -> None:
        pal = self.palette()
        color = QColor(STATUS_COLORS.get(text, "#000000"))
        pal.setColor(QPalette.ColorRole.ButtonText, color)
        pal.setColor(QPalette.ColorRole.Text, color)
        self.setPalette(pal)


# --- bindings: one field of a row and its widget -------------------------------------------------


def keep_edited_base(table: QAbstractItemView, ids: list[int], old: dict[int, Any], new: dict[int, Any]) -> None:
    """While the clerk types in a cell, the row it belongs to keeps the values it was loaded with (its base):
    a reload for another window's edit (only: after one's own edit the base is the new row) neither overwrites
    the open editor (Qt copies a changed cell into it) nor moves the base the clerk's edit is checked against
    (`seen`), so that a clash is asked about."""
    if table.state() != QAbstractItemView.State.EditingState:
        return
    r = table.currentIndex().row()
    rid = ids[r] if 0 <= r < len(ids) else None
    if rid in old and rid in new:
        new[rid] = old[rid]
