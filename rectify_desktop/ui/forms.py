"""The edit forms on the right of the main window (编辑表单): one page per kind of node in the tree.

Every edit is a command built by :mod:`rectify_desktop.core.ops` and pushed through the undo bridge; there
is no Save button. A one-line field commits when its editing finishes, a multi-line field on focus-out and
after a second without typing, combos, dates and check boxes at once. Only a real change is pushed, and
reloading the fields after a change never pushes (signals are blocked and commits ignored while loading).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import shiboken6
from peewee import JOIN, fn
from PySide6.QtCore import (
    QDate,
    QEvent,
    QLocale,
    QMimeData,
    QObject,
    QPointF,
    QRect,
    QSize,
    QStringListModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QFocusEvent,
    QFont,
    QFontMetrics,
    QIcon,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QPalette,
    QPixmap,
    QTextCursor,
    QValidator,
)
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateEdit,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from rectify_desktop.core import evidence, ops, rules
from rectify_desktop.core.commands import (
    FIELD_NAMES,
    TEXT_MAX,
    TITLE_MAX,
    WRITTEN_OFF_LOCKED,
    Change,
    Command,
    field_label,
    field_limit,
    item_written_off,
)
from rectify_desktop.core.ledger import Ledger
from rectify_desktop.core.models import (
    DONE,
    EVIDENCE_KINDS,
    IN_PROGRESS,
    INSPECTION_KINDS,
    ONGOING,
    STATUSES,
    WO_REJECT,
    BaseModel,
    Blob,
    Category,
    Evidence,
    Finding,
    Inspection,
    Item,
    Measure,
    WriteOff,
)
from rectify_desktop.ui import evidence_ui
from rectify_desktop.ui.dialogs import confirm
from rectify_desktop.ui.theme import HINT_COLOR, OVERDUE_COLOR, STATUS_COLORS, WRITEOFF_COLORS
from rectify_desktop.ui.undo import UndoBridge

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


class _FitTable(QTableWidget):
    """A table inside a form: no scroll bar of its own, always exactly as tall as its rows."""

    def __init__(self, headers: list[str], stretch: int, parent: QWidget | None = None) -> None:
        super().__init__(0, len(headers), parent)
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


class _Binding:
    """Ties a widget to a field of the form's row: shows the stored value, commits the widget's value."""

    merge = False

    def __init__(self, form: _Form, field: str, widget: QWidget) -> None:
        self.form = form
        self.field = field
        self.widget = widget
        widget.setObjectName(f"{form.kind}.{field}")
        # The most characters the field holds (commands.TITLE_MAX, TEXT_MAX); None for dates and choices.
        self.limit = field_limit(form.model, field)

    def too_long(self) -> None:
        """Tells the clerk that what was typed or pasted did not all fit."""
        if self.limit is not None:
            self.form.too_long(field_label(self.form.model, self.field), self.limit)

    def read(self) -> Any:
        raise NotImplementedError

    def values(self) -> dict[str, Any]:
        return {self.field: self.read()}

    def differs(self, row: BaseModel) -> bool:
        return any(getattr(row, k) != v for k, v in self.values().items())

    def show(self, row: BaseModel) -> None:
        raise NotImplementedError

    def set_readonly(self, readonly: bool) -> None:
        self.widget.setReadOnly(readonly)  # type: ignore[attr-defined]

    def stop(self) -> None:
        """Forgets a commit that was waiting (the form commits it now or reloads)."""

    def commit(self, *_: object) -> None:
        self.form.commit(self)


class _LineBinding(_Binding):
    merge = True

    def __init__(self, form: _Form, field: str, widget: QLineEdit) -> None:
        super().__init__(form, field, widget)
        self.line = widget
        widget.editingFinished.connect(self.commit)
        if self.limit is not None:
            widget.setMaxLength(self.limit)
            widget.inputRejected.connect(self.too_long)  # also when a paste was cut to the limit

    def read(self) -> str:
        return self.line.text().strip()

    def show(self, row: BaseModel) -> None:
        value = getattr(row, self.field) or ""
        if self.limit is not None:
            _fit_limit(self.line, value, self.limit)
        if self.line.text() != value:  # equal: leave the cursor where the clerk has it
            pos = self.line.cursorPosition()
            self.line.setText(value)
            # A new row shows the start of a long title; a field being edited keeps its cursor.
            self.line.setCursorPosition(min(pos, len(value)) if self.line.hasFocus() else 0)


class _TextBinding(_Binding):
    merge = True

    def __init__(self, form: _Form, field: str, widget: _TextEdit) -> None:
        super().__init__(form, field, widget)
        self.edit = widget
        self.timer = QTimer(widget)
        self.timer.setSingleShot(True)
        self.timer.setInterval(TEXT_COMMIT_MS)
        self.timer.timeout.connect(self.commit)
        self._inserted = (0, 0)  # where the last change put text, and how much
        widget.document().contentsChange.connect(self._changed)
        widget.textChanged.connect(self._typed)
        widget.focusLost.connect(self.commit)

    def _changed(self, position: int, _removed: int, added: int) -> None:
        self._inserted = (position, added)

    def _typed(self) -> None:
        if not self.form.panel.loading:
            self._keep_to_limit()
            self.timer.start()

    def _keep_to_limit(self) -> None:
        """Cuts what was just typed or pasted to what fits the field, and tells the clerk. Counted in the
        document's units (UTF-16), never fewer than the characters the field counts."""
        if self.limit is None:
            return
        doc = self.edit.document()
        length = doc.characterCount() - 1  # without the document's closing paragraph mark
        over = length - self.limit
        position, added = self._inserted
        end = min(position + added, length)  # a change of the whole text counts that mark too
        cut = min(over, end - position)
        if cut <= 0:
            return
        cursor = QTextCursor(doc)
        cursor.setPosition(end - cut)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        cursor.removeSelectedText()
        self.too_long()

    def stop(self) -> None:
        self.timer.stop()

    def read(self) -> str:
        return self.edit.toPlainText()

    def show(self, row: BaseModel) -> None:
        value = getattr(row, self.field) or ""
        if self.edit.toPlainText() != value:
            self.edit.setPlainText(value)


class _ComboBinding(_Binding):
    """A choice among fixed options; a stored value outside them is shown as an extra, disabled entry."""

    def __init__(self, form: _Form, field: str, widget: QComboBox, options: tuple[str, ...]) -> None:
        super().__init__(form, field, widget)
        self.combo = widget
        self.options = options
        if widget.count() == 0:
            widget.addItems(list(options))
        widget.currentIndexChanged.connect(self.commit)

    def read(self) -> str:
        return self.combo.currentText()

    def differs(self, row: BaseModel) -> bool:
        return self.read() in self.options and super().differs(row)

    def show(self, row: BaseModel) -> None:
        value = getattr(row, self.field) or ""
        while self.combo.count() > len(self.options):
            self.combo.removeItem(self.combo.count() - 1)
        i = self.combo.findText(value)
        if i < 0:
            self.combo.addItem(value)
            i = self.combo.count() - 1
            model = self.combo.model()
            model.item(i).setEnabled(False)  # type: ignore[attr-defined]
        if self.combo.currentIndex() != i:
            self.combo.setCurrentIndex(i)
        if isinstance(self.combo, _StatusCombo):
            self.combo._paint(self.combo.currentText())

    def set_readonly(self, readonly: bool) -> None:
        self.combo.setEnabled(not readonly)


class _DateBinding(_Binding):
    """A date field. What was typed and is not a date is kept in the field (not stored) and said above the
    form; it stays while the same row is shown, whatever else is saved, and goes with another row."""

    def __init__(self, form: _Form, field: str, widget: OptionalDateEdit, name: str = "") -> None:
        super().__init__(form, field, widget)
        self.date = widget
        self.name = name or FIELD_NAMES.get(field, field)
        self.row_id: int | None = None
        self.said = ""  # the notice this field put above the form, to take it back
        widget.valueChanged.connect(self.commit)
        widget.problemChanged.connect(self.tell)

    def tell(self, problem: str) -> None:
        notice = self.form.notice
        if problem:
            self.said = f"{self.name}：{problem}。{DATE_HOW}，或点“清除”。"
            notice.setText(self.said)
            notice.show()
        elif self.said:
            if notice.text() == self.said:
                notice.hide()
            self.said = ""

    def read(self) -> dt.date | None:
        return self.date.value()

    def show(self, row: BaseModel) -> None:
        value = getattr(row, self.field)
        if self.date.value() != value or row.id != self.row_id:
            self.date.setValue(value)
        self.row_id = row.id


class _DeadlineBinding(_Binding):
    """整改时限: a date typed in any usual way, or a phrase; shown as the ledger prints it. A combo: each
    commit is its own undo step."""

    def __init__(self, form: _Form, widget: QComboBox) -> None:
        super().__init__(form, "deadline", widget)
        self.combo = widget
        line = widget.lineEdit()
        assert line is not None
        line.editingFinished.connect(self.commit)
        widget.textActivated.connect(self.commit)
        self.limit = field_limit(Item, "deadline_text")
        if self.limit is not None:
            line.setMaxLength(self.limit)
            line.inputRejected.connect(self.too_long)

    def too_long(self) -> None:
        if self.limit is not None:
            self.form.too_long(field_label(Item, "deadline_text"), self.limit)

    def read(self) -> str:
        return self.combo.currentText().strip()

    def values(self) -> dict[str, Any]:
        return {"deadline_text": self.read()}

    def differs(self, row: BaseModel) -> bool:
        text = self.read()
        if text == rules.deadline_display(row.deadline_date, row.deadline_text):
            return False
        return ops.deadline_values(text) != (row.deadline_date, row.deadline_text or "")

    def show(self, row: BaseModel) -> None:
        shown = rules.deadline_display(row.deadline_date, row.deadline_text)
        line = self.combo.lineEdit()
        if line is not None and self.limit is not None:
            _fit_limit(line, shown, self.limit)
        if self.combo.currentText() != shown:
            self.combo.setEditText(shown)

    def set_readonly(self, readonly: bool) -> None:
        self.combo.setEnabled(not readonly)


# --- the forms -----------------------------------------------------------------------------------


class _Form(QScrollArea):
    """One page of the panel: a scrollable form over one row of `model`."""

    model: type[BaseModel]
    kind: str = ""

    def __init__(self, panel: EditPanel) -> None:
        super().__init__()
        self.panel = panel
        self.row_id: int | None = None
        self.bindings: list[_Binding] = []
        self._labels: list[QLabel] = []  # names and read-only values, set on the line of their field
        self._names: list[QLabel] = []
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body = QWidget()
        body.setObjectName(f"{self.kind}.page")
        self.setWidget(body)
        self.body = QVBoxLayout(body)
        self.body.setContentsMargins(18, 14, 18, 18)
        self.body.setSpacing(6)
        self.header = QLabel()
        f = self.header.font()
        f.setPointSizeF(f.pointSizeF() * 1.35)
        f.setWeight(QFont.Weight.Bold)
        self.header.setFont(f)
        self.header.setWordWrap(True)
        self.context = _hint_label()
        self.context.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # A word to the clerk when a field could not take all that was typed or pasted.
        self.notice = QLabel()
        self.notice.setObjectName(f"{self.kind}.notice")
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet(f"color: {OVERDUE_COLOR};")
        self.notice.hide()
        self.body.addWidget(self.header)
        self.body.addWidget(self.context)
        self.body.addWidget(self.notice)
        self.body.addSpacing(4)

    # building

    def new_form(self) -> QFormLayout:
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        form.setHorizontalSpacing(12)
        form.setVerticalSpacing(9)
        self.body.addLayout(form)
        return form

    def label(self, text: str) -> QLabel:
        lab = QLabel(text + "：")
        lab.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        self._labels.append(lab)
        self._names.append(lab)
        return lab

    def number_row(self, form: QFormLayout) -> QLabel:
        """The read-only 序号 line, with the hint that only 重新编号 changes it."""
        number = self.value_label(f"{self.kind}.number")
        number.setWordWrap(False)
        hint = self.value_label(f"{self.kind}.number_hint")
        hint.setText(NUMBER_HINT)
        hint.setWordWrap(False)
        hint.setStyleSheet(f"color: {HINT_COLOR};")
        row = QHBoxLayout()
        row.addWidget(number)
        row.addSpacing(16)
        row.addWidget(hint)
        row.addStretch(1)
        form.addRow(self.label("序号"), row)
        return number

    def value_label(self, name: str) -> QLabel:
        """A read-only value in the field column, on the line of its label."""
        lab = QLabel()
        lab.setObjectName(name)
        lab.setWordWrap(True)
        lab.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._labels.append(lab)
        return lab

    def align_labels(self) -> None:
        """One label width for all the form's sections, so that their fields start at the same place;
        and each label on the line of the first text line of its field, however tall the field."""
        top = max(0, (QLineEdit().sizeHint().height() - self.fontMetrics().height()) // 2)
        w = max([self.fontMetrics().horizontalAdvance("细化问题：")] + [lab.sizeHint().width() for lab in self._names])
        for lab in self._labels:
            lab.setContentsMargins(0, top, 0, 0)
            if lab in self._names:
                lab.setMinimumWidth(w)

    def line(self, form: QFormLayout, label: str, field: str, placeholder: str = "") -> QLineEdit:
        w = QLineEdit()
        w.setPlaceholderText(placeholder)
        form.addRow(self.label(label), w)
        self.bindings.append(_LineBinding(self, field, w))
        return w

    def text(self, form: QFormLayout, label: str, field: str, lines: int = 4, max_lines: int = 14) -> _TextEdit:
        w = _TextEdit(lines, max_lines)
        form.addRow(self.label(label), w)
        self.bindings.append(_TextBinding(self, field, w))
        return w

    def date(self, field: str, name: str = "") -> OptionalDateEdit:
        """A date field; `name` is what the form calls it, when not its usual name (FIELD_NAMES)."""
        w = OptionalDateEdit()
        self.bindings.append(_DateBinding(self, field, w, name))
        return w

    # the row

    def row(self) -> Any:
        if self.row_id is None or self.panel.ledger.closed:
            return None
        return self.model.get_or_none(self.model.id == self.row_id)

    def load(self, row_id: int) -> bool:
        self.row_id = row_id
        self.notice.hide()
        self.reset()
        return self.reload()

    def too_long(self, what: str, limit: int) -> None:
        """Says, above the form, that a field took only its first `limit` characters."""
        self.notice.setText(f"{what}最多 {limit} 字，超出的部分没有填入。")
        self.notice.show()

    def reset(self) -> None:
        """Forgets what was shown, so that the next reload rebuilds everything."""

    def reload(self) -> bool:
        """Shows the stored values; False when the row is gone."""
        row = self.row()
        if row is None:
            return False
        with self.panel.loading_fields():
            for b in self.bindings:
                b.stop()
                b.show(row)
            self.fill(row)
        return True

    def fill(self, row: Any) -> None:
        """Shows what is not a bound field (numbers, lists, figures)."""

    # edits

    def commit(self, binding: _Binding) -> None:
        binding.stop()
        panel = self.panel
        if not panel.editable or panel.current_form is not self:
            return
        row = self.row()
        if row is None:
            return
        if not binding.differs(row):
            with panel.loading_fields():
                binding.show(row)  # the same value written another way (a trimmed space, 2021.6.30)
            return
        panel.push(ops.set_fields(self.model, row.id, binding.values()), merge=binding.merge)

    def commit_pending(self) -> None:
        for b in self.bindings:
            if isinstance(b, (_LineBinding, _TextBinding, _DeadlineBinding)):
                b.commit()

    def set_readonly(self, readonly: bool) -> None:
        for b in self.bindings:
            b.set_readonly(readonly)


class _InspectionForm(_Form):
    """巡察: who inspected whom, when; and the figures of its rectification."""

    model = Inspection
    kind = "inspection"

    def __init__(self, panel: EditPanel) -> None:
        super().__init__(panel)
        form = self.new_form()
        self.kind_combo = QComboBox()
        self.kind_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.bindings.append(_ComboBinding(self, "kind", self.kind_combo, INSPECTION_KINDS))
        kind_row = QHBoxLayout()
        kind_row.addWidget(self.kind_combo)
        kind_row.addStretch(1)
        form.addRow(self.label("类型"), kind_row)
        self.title = self.line(form, "台账标题", "title", "如：中共××局党组关于××巡察组反馈意见整改落实台账")
        self.body_label = self.label("巡察组")
        self.inspecting_body = QLineEdit()
        form.addRow(self.body_label, self.inspecting_body)
        self.bindings.append(_LineBinding(self, "inspecting_body", self.inspecting_body))
        self.unit_label = self.label("被巡察单位")
        self.inspected_unit = QLineEdit()
        form.addRow(self.unit_label, self.inspected_unit)
        self.bindings.append(_LineBinding(self, "inspected_unit", self.inspected_unit))
        self.period_label = self.label("巡察时间")
        self.period_start = self.date("period_start")
        self.period_end = self.date("period_end")
        period = QHBoxLayout()
        period.setSpacing(8)
        period.addWidget(self.period_start)
        period.addWidget(QLabel("至"))
        period.addWidget(self.period_end)
        period.addStretch(1)
        form.addRow(self.period_label, period)
        self.feedback_date = self.date("feedback_date")
        form.addRow(self.label("反馈日期"), self.feedback_date)
        self.notes = self.text(form, "整改工作情况", "notes", lines=5, max_lines=16)
        self.notes.setPlaceholderText("组织领导、会议部署、整改方案等整体工作情况")

        self.body.addWidget(_section("整改进度"))
        self.headline = QLabel()
        self.headline.setObjectName("inspection.headline")
        self.headline.setWordWrap(True)
        self.headline.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.headline.setStyleSheet(
            "QLabel { background: #f3f6fa; border: 1px solid #d6dde8; border-radius: 4px; padding: 8px 10px; }"
        )
        self.figures = _hint_label()
        self.figures.setObjectName("inspection.figures")
        self.figures.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.body.addWidget(self.headline)
        self.body.addWidget(self.figures)
        self.body.addStretch(1)
        self.align_labels()

    def fill(self, row: Inspection) -> None:
        body, unit, period = _KIND_WORDS.get(row.kind, _OTHER_WORDS)
        self.header.setText(f"{row.kind or '巡察'}基本情况")
        self.context.setVisible(False)
        self.body_label.setText(body + "：")
        self.unit_label.setText(unit + "：")
        self.period_label.setText(period + "：")
        s = self.panel.ledger.stats(row.id)
        self.headline.setText(s.headline(row.kind or "巡察") + "。")
        parts = [f"共{s.categories}个方面、{s.measures}条整改措施"]
        if s.overdue or s.due_7:
            parts.append(f"逾期{s.overdue}项，7日内到期{s.due_7}项")
        if s.written_off or s.writeoff_pending:
            parts.append(f"已销号{s.written_off}项，待审核{s.writeoff_pending}项")
        self.figures.setText("；".join(parts) + "。")


class _CategoryForm(_Form):
    """方面: its label （一）（二）… follows its order among the inspection's categories."""

    model = Category
    kind = "category"

    def __init__(self, panel: EditPanel) -> None:
        super().__init__(panel)
        form = self.new_form()
        self.number = self.value_label("category.number")
        form.addRow(self.label("序号"), self.number)
        self.title = self.line(form, "标题", "title")
        self.description = self.text(form, "说明", "description", lines=4)
        self.summary = self.value_label("category.summary")
        self.summary.setStyleSheet(f"color: {HINT_COLOR};")
        form.addRow(self.label("统计"), self.summary)
        self.body.addStretch(1)
        self.align_labels()

    def fill(self, row: Category) -> None:
        ids = [
            c.id
            for c in Category.select(Category.id)
            .where(Category.inspection == row.inspection_id)
            .order_by(Category.position, Category.id)
        ]
        label = rules.category_label(ids.index(row.id) + 1)
        self.number.setText(label)
        self.header.setText(f"方面{label}")
        insp = Inspection.get_or_none(Inspection.id == row.inspection_id)
        self.context.setText(insp.title if insp else "")
        findings = Finding.select().where(Finding.category == row.id).count()
        items = Item.select().join(Finding).where(Finding.category == row.id)
        done = items.where(Item.status == DONE).count()
        self.summary.setText(f"{findings}个问题，细化为{items.count()}项，已完成{done}项")


class _ReadOnlyTable(_FitTable):
    """A read-only list inside a form."""

    def __init__(self, headers: list[str], stretch: int, parent: QWidget | None = None) -> None:
        super().__init__(headers, stretch, parent)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self._data: list[tuple[Any, ...]] = []

    def set_rows(self, rows: list[tuple[Any, ...]], colors: dict[tuple[int, int], str] | None = None) -> None:
        if rows == self._data:
            return
        self._data = rows
        self.setRowCount(len(rows))
        for r, values in enumerate(rows):
            for c, v in enumerate(values):
                it = QTableWidgetItem(str(v))
                it.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                color = (colors or {}).get((r, c))
                if color:
                    it.setForeground(QColor(color))
                self.setItem(r, c, it)
        self.fit()


class _FindingForm(_Form):
    """问题: its number (changed only by 重新编号), title, description and the list of its items."""

    model = Finding
    kind = "finding"

    def __init__(self, panel: EditPanel) -> None:
        super().__init__(panel)
        form = self.new_form()
        self.number = self.number_row(form)
        self.title = self.line(form, "标题", "title")
        self.description = self.text(form, "问题描述", "description", lines=4)
        self.body.addWidget(_section("细化问题"))
        self.items = _ReadOnlyTable(["序号", "细化问题", "完成情况"], stretch=1)
        self.items.setObjectName("finding.items")
        self.body.addWidget(self.items)
        self.body.addStretch(1)
        self.align_labels()

    def fill(self, row: Finding) -> None:
        self.number.setText(str(row.number))
        self.header.setText(f"问题 {row.number}")
        cat = Category.get_or_none(Category.id == row.category_id)
        self.context.setText(f"所属方面：{cat.title}" if cat else "")
        items = list(Item.select().where(Item.finding == row.id).order_by(Item.position, Item.id))
        rows = [(rules.item_label(it.number), it.title, it.status) for it in items]
        colors = {(r, 2): STATUS_COLORS.get(it.status, "#000000") for r, it in enumerate(items)}
        self.items.set_rows(rows, colors)


class _EditingDelegate(_WrapDelegate):
    """A delegate that remembers its open editor, so that commit_pending can write what is being typed."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.editor: QWidget | None = None
        self.closeEditor.connect(self._closed)

    def _closed(self, *_: object) -> None:
        self.editor = None

    def flush(self) -> None:
        """Writes and closes the open editor, as when the clerk presses Enter."""
        ed = self.editor
        if ed is not None and shiboken6.isValid(ed):
            self.commitData.emit(ed)
            self.closeEditor.emit(ed, QAbstractItemDelegate.EndEditHint.NoHint)
        self.editor = None


class _MeasureDelegate(_EditingDelegate):
    """Edits a measure's text in place with a line edit."""

    on_too_long: Callable[[], None] | None = None

    def createEditor(self, parent: QWidget, option: Any, index: Any) -> QWidget:
        ed = QLineEdit(parent)
        ed.setObjectName("measure.editor")
        ed.setFrame(False)
        ed.setMaxLength(TEXT_MAX)
        ed.inputRejected.connect(lambda: self.on_too_long() if self.on_too_long else None)
        self.editor = ed
        return ed

    def setEditorData(self, editor: QWidget, index: Any) -> None:
        if isinstance(editor, QLineEdit):
            _fit_limit(editor, str(index.data(Qt.ItemDataRole.EditRole) or ""), TEXT_MAX)
        super().setEditorData(editor, index)


def _reset_rows(editor: Any, item_id: int, ids: list[int]) -> None:
    """Gives a measures or evidence table one row per id when the item or its rows changed, keeping the
    selected row where it still exists; cells are filled by the caller."""
    if item_id == editor.item_id and ids == editor.ids:
        return
    t = editor.table
    keep = editor.selected_id() if item_id == editor.item_id else None
    editor.delegate.editor = None
    with _blocked(t):
        t.setRowCount(0)
        t.setRowCount(len(ids))
    editor.item_id, editor.ids = item_id, ids
    if keep in ids:
        t.selectRow(ids.index(keep))


class _MeasureEditor(QWidget):
    """整改措施: the item's measures "一是……二是……", edited in place, checked off, added, moved, deleted."""

    COL_NUMBER, COL_TEXT, COL_DONE, COL_DATE = range(4)

    def __init__(self, form: _ItemForm) -> None:
        super().__init__()
        self.form = form
        self.panel = form.panel
        self.item_id: int | None = None
        self.ids: list[int] = []
        self.readonly = False
        t = self.table = _FitTable(["序号", "措施内容", "已完成", "完成日期"], stretch=self.COL_TEXT)
        t.setObjectName("measure.table")
        t.setToolTip("双击措施内容可直接修改；可将文件拖到某条措施上，作为该措施的佐证材料")
        t.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        t.customContextMenuRequested.connect(self._menu)
        self.delegate = _MeasureDelegate(t)
        self.delegate.on_too_long = lambda: form.too_long(field_label(Measure, "text"), TEXT_MAX)
        t.setItemDelegateForColumn(self.COL_TEXT, self.delegate)
        t.horizontalHeader().setSectionResizeMode(self.COL_DATE, QHeaderView.ResizeMode.Fixed)
        probe = OptionalDateEdit()
        t.setColumnWidth(self.COL_DATE, probe.sizeHint().width() + 8)
        t.verticalHeader().setMinimumSectionSize(probe.sizeHint().height() + 6)  # rows with and without a date
        probe.deleteLater()
        self._set_edit_triggers()
        t.itemChanged.connect(self._item_changed)
        t.itemSelectionChanged.connect(self._update_buttons)

        self.add_button = self._button("添加措施", "measure.add", self.add)
        self.delete_button = self._button("删除措施", "measure.delete", self.delete)
        self.up_button = self._button("上移", "measure.up", lambda: self.move(-1))
        self.down_button = self._button("下移", "measure.down", lambda: self.move(1))
        buttons = QHBoxLayout()
        buttons.setSpacing(6)
        for b in (self.add_button, self.delete_button, self.up_button, self.down_button):
            buttons.addWidget(b)
        buttons.addSpacing(8)
        self.empty_hint = _hint_label("逐条填写，打印时自动编为“一是……二是……”")
        self.empty_hint.setWordWrap(False)
        buttons.addWidget(self.empty_hint)
        buttons.addStretch(1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(6)
        lay.addWidget(t)
        lay.addLayout(buttons)

    def _button(self, text: str, name: str, slot: Callable[[], None]) -> QPushButton:
        b = QPushButton(text)
        b.setObjectName(name)
        b.setAutoDefault(False)
        b.clicked.connect(slot)
        return b

    def _set_edit_triggers(self) -> None:
        E = QAbstractItemView.EditTrigger
        triggers = E.DoubleClicked | E.EditKeyPressed | E.SelectedClicked | E.AnyKeyPressed
        self.table.setEditTriggers(E.NoEditTriggers if self.readonly else triggers)

    # showing

    def load(self, item_id: int) -> None:
        measures = list(Measure.select().where(Measure.item == item_id).order_by(Measure.position, Measure.id))
        ids = [m.id for m in measures]
        t = self.table
        _reset_rows(self, item_id, ids)
        with _blocked(t):
            for r, m in enumerate(measures):
                self._fill_row(r, m)
        t.fit()
        self._update_buttons()

    def _fill_row(self, r: int, m: Measure) -> None:
        t = self.table
        num = t.item(r, self.COL_NUMBER)
        if num is None:
            num = QTableWidgetItem()
            num.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
            num.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            t.setItem(r, self.COL_NUMBER, num)
        num.setText(f"{rules.cn_number(r + 1)}是")
        text = t.item(r, self.COL_TEXT)
        if text is None:
            text = QTableWidgetItem()
            t.setItem(r, self.COL_TEXT, text)
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        text.setFlags(flags if self.readonly else flags | Qt.ItemFlag.ItemIsEditable)
        text.setData(Qt.ItemDataRole.UserRole, m.id)
        if text.text() != m.text:
            text.setText(m.text)
        # 已完成: a check box centred in its cell.
        cell = t.cellWidget(r, self.COL_DONE)
        if cell is None:
            cell = QWidget()
            box = QCheckBox(cell)
            box.setObjectName("measure.done")
            lay = QHBoxLayout(cell)
            lay.setContentsMargins(0, 0, 0, 0)
            lay.addWidget(box, 0, Qt.AlignmentFlag.AlignCenter)
            box.toggled.connect(lambda checked, b=box: self._done_toggled(b, checked))
            t.setCellWidget(r, self.COL_DONE, cell)
        box = cell.findChild(QCheckBox)
        box.setProperty("measure_id", m.id)
        with _blocked(box):
            box.setChecked(bool(m.done))
        box.setEnabled(not self.readonly)
        # 完成日期: a date field for a done measure, nothing for the others.
        holder = t.cellWidget(r, self.COL_DATE)
        if m.done:
            if holder is None:
                holder = QWidget()
                date = OptionalDateEdit(holder)
                date.setObjectName("measure.done_date")
                date.valueChanged.connect(lambda value, d=date: self._date_changed(d, value))
                lay = QHBoxLayout(holder)
                lay.setContentsMargins(4, 0, 4, 0)
                lay.addWidget(date, 0, Qt.AlignmentFlag.AlignVCenter)
                t.setCellWidget(r, self.COL_DATE, holder)
            date = holder.findChild(OptionalDateEdit)
            # Another measure in this row drops what was typed into it and not stored.
            if date.value() != m.done_date or date.property("measure_id") != m.id:
                date.setValue(m.done_date)
            date.setProperty("measure_id", m.id)
            date.setReadOnly(self.readonly)
        elif holder is not None:
            t.removeCellWidget(r, self.COL_DATE)

    def selected_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        r = rows[0].row()
        return self.ids[r] if 0 <= r < len(self.ids) else None

    def measure_at(self, global_pos: Any) -> int | None:
        """The measure whose row is under a point of the screen (where files were dropped), if any."""
        vp = self.table.viewport()
        local = vp.mapFromGlobal(global_pos)
        if not vp.isVisible() or not vp.rect().contains(local):
            return None
        r = self.table.rowAt(local.y())
        return self.ids[r] if 0 <= r < len(self.ids) else None

    def _menu(self, pos: Any) -> None:
        self.context_menu(pos).exec(self.table.viewport().mapToGlobal(pos))

    def context_menu(self, pos: Any) -> QMenu:
        """The measures' context menu at `pos` (in the table's viewport)."""
        r = self.table.rowAt(pos.y())
        mid = self.ids[r] if 0 <= r < len(self.ids) else None
        menu = QMenu(self)
        if mid is not None:
            self.table.selectRow(r)
            text = f"为第{rules.cn_number(r + 1)}条措施添加佐证材料…"
            menu.addAction(text, lambda: self.form.evidence.add_dialog(mid)).setEnabled(not self.readonly)
            menu.addSeparator()
        menu.addAction("添加措施", self.add).setEnabled(not self.readonly)
        if mid is not None:
            menu.addAction("删除措施…", self.delete).setEnabled(not self.readonly)
        return menu

    def _update_buttons(self) -> None:
        sel = self.selected_id()
        i = self.ids.index(sel) if sel in self.ids else -1
        self.add_button.setEnabled(not self.readonly)
        self.empty_hint.setVisible(not self.ids and not self.readonly)
        self.delete_button.setEnabled(not self.readonly and i >= 0)
        self.up_button.setEnabled(not self.readonly and i > 0)
        self.down_button.setEnabled(not self.readonly and 0 <= i < len(self.ids) - 1)

    def set_readonly(self, readonly: bool) -> None:
        self.readonly = readonly
        if readonly:
            self.delegate.flush()
        self._set_edit_triggers()
        if self.item_id is not None:
            self.ids = []  # rebuild every row with the new flags
            self.load(self.item_id)
        self._update_buttons()

    # edits

    def _item_changed(self, it: QTableWidgetItem) -> None:
        if it.column() != self.COL_TEXT or not self.panel.editable:
            return
        mid = it.data(Qt.ItemDataRole.UserRole)
        m = Measure.get_or_none(Measure.id == mid)
        text = it.text().strip()
        if m is None or m.text == text:
            if m is not None and it.text() != m.text:
                with _blocked(self.table):
                    it.setText(m.text)
            return
        self.panel.push(ops.set_fields(Measure, m.id, {"text": text}), merge=True)

    def _done_toggled(self, box: QCheckBox, checked: bool) -> None:
        if not self.panel.editable:
            return
        mid = box.property("measure_id")
        m = Measure.get_or_none(Measure.id == mid)
        if m is None or bool(m.done) == checked:
            return
        self.panel.push(ops.set_fields(Measure, m.id, {"done": checked}))

    def _date_changed(self, date: OptionalDateEdit, value: dt.date | None) -> None:
        if not self.panel.editable:
            return
        m = Measure.get_or_none(Measure.id == date.property("measure_id"))
        if m is None or m.done_date == value:
            return
        self.panel.push(ops.set_fields(Measure, m.id, {"done_date": value}))

    def add(self) -> None:
        if not self.panel.editable or self.item_id is None:
            return
        self.delegate.flush()
        cmd = ops.add_measure(self.item_id)
        if not self.panel.push(cmd):
            return
        new_id = getattr(cmd, "row_id", None)
        if new_id in self.ids:
            r = self.ids.index(new_id)
            self.table.setCurrentCell(r, self.COL_TEXT)
            self.table.setFocus()
            self.table.editItem(self.table.item(r, self.COL_TEXT))

    def delete(self) -> None:
        mid = self.selected_id()
        if not self.panel.editable or mid is None:
            return
        self.delegate.flush()
        r = self.ids.index(mid)
        m = Measure.get_or_none(Measure.id == mid)
        if m is None:
            return
        what = m.text.strip() or "（内容为空）"
        text = f"确定要删除第{rules.cn_number(r + 1)}条整改措施吗？\n\n{what}\n\n删除后可以用“撤销”恢复。"
        if not confirm(self, "删除整改措施", text):
            return
        self.panel.push(ops.delete(Measure, mid))

    def move(self, delta: int) -> None:
        mid = self.selected_id()
        if not self.panel.editable or mid is None:
            return
        j = self.ids.index(mid) + delta
        if not 0 <= j < len(self.ids):
            return  # a move past the end would only leave an empty step on the undo stack
        self.delegate.flush()
        if self.panel.push(ops.move(Measure, mid, delta)) and mid in self.ids:
            self.table.selectRow(self.ids.index(mid))

    def commit_pending(self) -> None:
        if self.table.state() == QAbstractItemView.State.EditingState:
            self.delegate.flush()


# --- 佐证材料: the item's evidence -----------------------------------------------------------------


_DETAIL_ROLE = Qt.ItemDataRole.UserRole + 1
_DETAIL_COLOR_ROLE = Qt.ItemDataRole.UserRole + 2
_ICON_KEY_ROLE = Qt.ItemDataRole.UserRole + 3
NO_FILE_COLOR = "#c2610c"
_DRAG_TYPES = (QEvent.Type.DragEnter, QEvent.Type.DragMove, QEvent.Type.DragLeave, QEvent.Type.Drop)


class _EvidenceDelegate(_EditingDelegate):
    """The evidence table's cells: the name with its thumbnail and a line about its file, and in-place
    editors for the name, kind, date, 文号 and measure; each edit is pushed at once through the panel."""

    PAD = 5
    GAP = 8

    def __init__(self, owner: _EvidenceEditor) -> None:
        super().__init__(owner.table)
        self.owner = owner

    # the name cell

    def _text_rect(self, rect: Any) -> Any:
        left = self.PAD + evidence_ui.THUMB_SIZE + self.GAP
        return rect.adjusted(left, self.PAD, -self.PAD, -self.PAD)

    def _title_flags(self) -> int:
        return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWrapAnywhere)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Any) -> None:
        if index.column() != _EvidenceEditor.COL_NAME:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        title, opt.text = opt.text, ""
        opt.icon = QIcon()
        opt.features &= ~QStyleOptionViewItem.ViewItemFeature.HasDecoration
        style = opt.widget.style() if opt.widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        pm = index.data(Qt.ItemDataRole.DecorationRole)
        rect = option.rect
        painter.save()
        if isinstance(pm, QPixmap) and not pm.isNull():
            w = pm.width() / pm.devicePixelRatio()
            h = pm.height() / pm.devicePixelRatio()
            box = evidence_ui.THUMB_SIZE
            x = rect.left() + self.PAD + (box - w) / 2
            y = rect.top() + self.PAD + (box - h) / 2
            painter.drawPixmap(QPointF(x, y), pm)
        text = self._text_rect(rect)
        pal = opt.palette
        painter.setPen(pal.color(QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text))
        painter.setFont(opt.font)
        used = painter.boundingRect(text, self._title_flags(), title)
        painter.drawText(text, self._title_flags(), title)
        detail = index.data(_DETAIL_ROLE) or ""
        if detail:
            color = QColor(index.data(_DETAIL_COLOR_ROLE) or HINT_COLOR)
            painter.setPen(pal.color(QPalette.ColorRole.HighlightedText) if selected else color)
            small = QFont(opt.font)
            small.setPointSizeF(opt.font.pointSizeF() * 0.9)
            painter.setFont(small)
            below = text.adjusted(0, used.height() + 2, 0, 0)
            painter.drawText(below, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop), detail)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: Any) -> Any:
        if index.column() != _EvidenceEditor.COL_NAME:
            return super().sizeHint(option, index)
        width = option.rect.width() if option.rect.width() > 60 else 260
        text = self._text_rect(QRect(0, 0, width, 100000)).adjusted(0, 0, -4, 0)
        fm = QFontMetrics(option.font)
        title = fm.boundingRect(text, self._title_flags(), index.data(Qt.ItemDataRole.DisplayRole) or "")
        small = QFont(option.font)
        small.setPointSizeF(option.font.pointSizeF() * 0.9)
        detail = QFontMetrics(small).height() + 2 if index.data(_DETAIL_ROLE) else 0
        height = max(evidence_ui.THUMB_SIZE, title.height() + detail) + 2 * self.PAD
        return QSize(width, height)

    # editing

    def createEditor(self, parent: QWidget, option: Any, index: Any) -> QWidget:
        col = index.column()
        E = _EvidenceEditor
        ed: QWidget
        if col in (E.COL_NAME, E.COL_DOC):
            line = QLineEdit(parent)
            line.setFrame(False)
            line.setMaxLength(TITLE_MAX)
            what = field_label(Evidence, "name" if col == E.COL_NAME else "doc_number")
            line.inputRejected.connect(lambda w=what: self.owner.form.too_long(w, TITLE_MAX))
            ed = line
        elif col == E.COL_KIND:
            combo = QComboBox(parent)
            combo.addItems(list(EVIDENCE_KINDS))
            combo.activated.connect(lambda _i, c=combo: self._commit_and_close(c))
            ed = combo
        elif col == E.COL_DATE:
            date = OptionalDateEdit(parent)
            date.setAutoFillBackground(True)
            date.valueChanged.connect(lambda _v, d=date: self.commitData.emit(d))
            ed = date
        else:
            combo = QComboBox(parent)
            for label, mid in self.owner.measure_choices():
                combo.addItem(label, mid)
            # Narrow in its cell; its list as wide as the measures' words.
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(7)
            view = combo.view()
            view.setMinimumWidth(view.sizeHintForColumn(0) + 24)
            combo.activated.connect(lambda _i, c=combo: self._commit_and_close(c))
            ed = combo
        ed.setObjectName(f"evidence.editor.{col}")
        self.editor = ed
        return ed

    def _commit_and_close(self, ed: QWidget) -> None:
        self.commitData.emit(ed)
        self.closeEditor.emit(ed, QAbstractItemDelegate.EndEditHint.NoHint)

    def setEditorData(self, editor: QWidget, index: Any) -> None:
        ev = self.owner.row_at(index.row())
        if ev is None:
            return
        col = index.column()
        E = _EvidenceEditor
        if isinstance(editor, QLineEdit):
            value = ev.name if col == E.COL_NAME else ev.doc_number
            _fit_limit(editor, value, TITLE_MAX)
            if editor.text() != value:
                editor.setText(value)
        elif isinstance(editor, OptionalDateEdit):
            if editor.value() != ev.date:
                editor.setValue(ev.date)
        elif isinstance(editor, QComboBox):
            if col == E.COL_KIND:
                if editor.findText(ev.kind) < 0:
                    editor.addItem(ev.kind)
                editor.setCurrentIndex(editor.findText(ev.kind))
            else:
                editor.setCurrentIndex(max(0, editor.findData(ev.measure_id)))

    def setModelData(self, editor: QWidget, model: Any, index: Any) -> None:
        # Not written into the table: the edit goes to the ledger, and the table shows what was stored.
        if isinstance(editor, QLineEdit):
            value: Any = editor.text()
        elif isinstance(editor, OptionalDateEdit):
            value = editor.value()
        elif isinstance(editor, QComboBox):
            value = editor.currentText() if index.column() == _EvidenceEditor.COL_KIND else editor.currentData()
        else:
            return
        self.owner.commit_cell(index.row(), index.column(), value)

    def updateEditorGeometry(self, editor: QWidget, option: Any, index: Any) -> None:
        rect = QRect(option.rect)
        if index.column() == _EvidenceEditor.COL_NAME:
            text = self._text_rect(rect)
            rect = QRect(text.left() - 2, text.top() - 2, text.width() + 4, editor.sizeHint().height())
        else:
            hint = editor.sizeHint()
            rect.setWidth(max(rect.width(), hint.width()))
            rect.setHeight(max(min(rect.height(), hint.height() + 8), hint.height()))
            rect.moveTop(option.rect.center().y() - rect.height() // 2)
            room = editor.parentWidget().width() if editor.parentWidget() is not None else rect.right() + 1
            if rect.right() >= room:  # wider than its cell at the table's edge: it opens leftwards
                rect.moveRight(room - 1)
        editor.setGeometry(rect)


class _EvidenceTable(_FitTable):
    def __init__(self, owner: _EvidenceEditor) -> None:
        super().__init__(["名称", "类型", "日期", "文号", "措施"], stretch=_EvidenceEditor.COL_NAME)
        self.owner = owner

    def keyPressEvent(self, event: Any) -> None:
        if self.state() != QAbstractItemView.State.EditingState:
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.owner.open_selected()
                return
            if event.key() == Qt.Key.Key_Delete:
                self.owner.remove_selected()
                return
        super().keyPressEvent(event)


class _EvidenceEditor(QFrame):
    """佐证材料: the item's files, each with its thumbnail, title, kind, date, 文号 and measure, edited in
    place; files are added by 添加文件… or by dropping them here (or anywhere on the item form); opened,
    saved elsewhere, replaced and removed. Registered materials without a file show as 未附文件."""

    COL_NAME, COL_KIND, COL_DATE, COL_DOC, COL_MEASURE = range(5)
    HINT = "提示：文件可直接拖放到这里（可多个）；拖到某条整改措施上，即为该措施的佐证材料。"
    ZONE = "暂无佐证材料。\n将文件从桌面或文件夹拖放到这里，或点击“添加文件…”（可一次选择多个文件）。"

    def __init__(self, form: _ItemForm) -> None:
        super().__init__()
        self.form = form
        self.panel = form.panel
        self.item_id: int | None = None
        self.ids: list[int] = []
        self.rows: dict[int, Evidence] = {}
        self.readonly = False
        self._lit: bool | None = None
        self.setObjectName("evidence.editor")
        self.setAcceptDrops(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        t = self.table = _EvidenceTable(self)
        t.setObjectName("evidence.table")
        self.delegate = _EvidenceDelegate(self)
        for c in range(t.columnCount()):
            t.setItemDelegateForColumn(c, self.delegate)
        t.setToolTip("双击名称打开文件；选中后单击名称或按 F2 可修改名称；双击其他各栏可直接修改")
        t.verticalHeader().setMinimumSectionSize(evidence_ui.THUMB_SIZE + 2 * _EvidenceDelegate.PAD)
        t.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        t.customContextMenuRequested.connect(self._menu)
        t.doubleClicked.connect(self._double_clicked)
        t.itemSelectionChanged.connect(self._update_buttons)
        self._set_edit_triggers()

        self.zone = QLabel(self.ZONE)
        self.zone.setObjectName("evidence.zone")
        self.zone.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.zone.setWordWrap(True)
        self.zone.setMinimumHeight(64)

        self.add_button = self._button("添加文件…", "evidence.add", self.add_dialog)
        self.open_button = self._button("打开", "evidence.open", self.open_selected)
        self.save_button = self._button("另存为…", "evidence.save", self.save_selected)
        self.replace_button = self._button("替换文件…", "evidence.replace", self.replace_selected)
        self.delete_button = self._button("删除", "evidence.delete", self.remove_selected)
        buttons = QHBoxLayout()
        buttons.setSpacing(6)
        for b in (self.add_button, self.open_button, self.save_button, self.replace_button, self.delete_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        self.hint = _hint_label(self.HINT)
        self.hint.setObjectName("evidence.hint")
        self.hint.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(6)
        lay.addWidget(t)
        lay.addWidget(self.zone)
        lay.addLayout(buttons)
        lay.addWidget(self.hint)
        self._highlight(False)

    def _button(self, text: str, name: str, slot: Callable[[], object]) -> QPushButton:
        b = QPushButton(text)
        b.setObjectName(name)
        b.setAutoDefault(False)
        b.clicked.connect(lambda _checked=False: slot())
        return b

    def _set_edit_triggers(self) -> None:
        E = QAbstractItemView.EditTrigger
        triggers = E.EditKeyPressed | E.SelectedClicked | E.AnyKeyPressed
        self.table.setEditTriggers(E.NoEditTriggers if self.readonly else triggers)

    def _highlight(self, on: bool) -> None:
        if self._lit == on:
            return
        self._lit = on
        border = "#1a73e8" if on else "#b9c0ca"
        background = "#eef4fd" if on else "transparent"
        self.zone.setStyleSheet(
            f"QLabel {{ border: 1px dashed {border}; border-radius: 4px; padding: 12px;"
            f" background: {background}; color: {HINT_COLOR}; }}"
        )
        self.table.setStyleSheet(
            f"QTableWidget {{ border: 1px {'dashed' if on else 'solid'} {border}; }}" if on else ""
        )

    # showing

    def load(self, item_id: int) -> None:
        rows = list(
            Evidence.select(Evidence, Blob.size)
            .join(Blob, JOIN.LEFT_OUTER, on=(Evidence.blob == Blob.sha256))
            .where(Evidence.item == item_id)
            .order_by(Evidence.position, Evidence.id)
            .objects()
        )
        ids = [e.id for e in rows]
        self.rows = {e.id: e for e in rows}
        self._measures = [
            (m.id, m.text)
            for m in Measure.select(Measure.id, Measure.text)
            .where(Measure.item == item_id)
            .order_by(Measure.position, Measure.id)
        ]
        t = self.table
        _reset_rows(self, item_id, ids)
        with _blocked(t):
            for r, ev in enumerate(rows):
                self._fill_row(r, ev)
        self._highlight(False)  # a drag that left without a word (dropped elsewhere, cancelled)
        t.setVisible(bool(rows))
        self.zone.setVisible(not rows)
        self.hint.setVisible(bool(rows) and not self.readonly)
        t.fit()
        self._update_buttons()

    def _cell(self, r: int, c: int) -> QTableWidgetItem:
        it = self.table.item(r, c)
        if it is None:
            it = QTableWidgetItem()
            self.table.setItem(r, c, it)
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        it.setFlags(flags if self.readonly else flags | Qt.ItemFlag.ItemIsEditable)
        return it

    @staticmethod
    def _set(it: QTableWidgetItem, role: Qt.ItemDataRole | int, value: Any) -> None:
        if it.data(role) != value:
            it.setData(role, value)

    def _fill_row(self, r: int, ev: Evidence) -> None:
        name = self._cell(r, self.COL_NAME)
        self._set(name, Qt.ItemDataRole.UserRole, ev.id)
        self._set(name, Qt.ItemDataRole.DisplayRole, ev.name)
        if ev.blob_sha256 is not None:
            suffix = evidence.real_suffix(ev.name)[1:].upper()
            size = getattr(ev, "size", None)
            detail = " · ".join(p for p in (suffix, evidence.size_text(size)) if p)
            color = HINT_COLOR
            tip = f"{ev.name}\n{detail}\n双击打开；选中后单击名称或按 F2 修改名称"
        else:
            detail, color = f"{evidence_ui.NO_FILE_TEXT}（可点击“附加文件…”）", NO_FILE_COLOR
            tip = f"{ev.name}\n只登记了名称，尚未附上文件。选中后点击“附加文件…”选择它的文件。"
        self._set(name, _DETAIL_ROLE, detail)
        self._set(name, _DETAIL_COLOR_ROLE, color)
        self._set(name, Qt.ItemDataRole.ToolTipRole, tip)
        ratio = self.devicePixelRatioF()
        key = f"{ev.blob_sha256}|{evidence.real_suffix(ev.name).lower()}|{ratio}"
        if name.data(_ICON_KEY_ROLE) != key:
            name.setData(Qt.ItemDataRole.DecorationRole, evidence_ui.icon_for(ev, evidence_ui.THUMB_SIZE, ratio))
            name.setData(_ICON_KEY_ROLE, key)
        self._set(self._cell(r, self.COL_KIND), Qt.ItemDataRole.DisplayRole, ev.kind)
        self._set(self._cell(r, self.COL_DATE), Qt.ItemDataRole.DisplayRole, cn_date(ev.date))
        self._set(self._cell(r, self.COL_DOC), Qt.ItemDataRole.DisplayRole, ev.doc_number)
        measure = self._cell(r, self.COL_MEASURE)
        label, tip = "—", "不对应具体措施（双击可选择）"
        ids = [mid for mid, _ in self._measures]
        if ev.measure_id in ids:
            i = ids.index(ev.measure_id)
            label, tip = f"{rules.cn_number(i + 1)}是", self._measures[i][1]
        self._set(measure, Qt.ItemDataRole.DisplayRole, label)
        self._set(measure, Qt.ItemDataRole.ToolTipRole, tip)
        measure.setTextAlignment(Qt.AlignmentFlag.AlignCenter)

    def measure_choices(self) -> list[tuple[str, int | None]]:
        out: list[tuple[str, int | None]] = [("不对应措施", None)]
        for i, (mid, text) in enumerate(self._measures, 1):
            short = text.strip()
            short = short[:16] + "…" if len(short) > 16 else short
            out.append((f"{rules.cn_number(i)}是" + (f"：{short}" if short else ""), mid))
        return out

    def row_at(self, r: int) -> Evidence | None:
        if not 0 <= r < len(self.ids):
            return None
        return Evidence.get_or_none(Evidence.id == self.ids[r])

    def selected_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        r = rows[0].row()
        return self.ids[r] if 0 <= r < len(self.ids) else None

    def _update_buttons(self) -> None:
        sel = self.selected_id()
        ev = self.rows.get(sel) if sel is not None else None
        has_file = ev is not None and ev.blob_sha256 is not None
        writable = not self.readonly
        self.add_button.setEnabled(writable)
        self.open_button.setEnabled(has_file)
        self.save_button.setEnabled(has_file)
        self.replace_button.setText("附加文件…" if ev is not None and not has_file else "替换文件…")
        self.replace_button.setEnabled(writable and ev is not None)
        self.delete_button.setEnabled(writable and ev is not None)

    def set_readonly(self, readonly: bool) -> None:
        self.readonly = readonly
        if readonly:
            self.delegate.flush()
        self._set_edit_triggers()
        self.setAcceptDrops(not readonly)
        self.zone.setText("暂无佐证材料。" if readonly else self.ZONE)
        if self.item_id is not None:
            self.ids = []
            self.load(self.item_id)
        self._update_buttons()

    def commit_pending(self) -> None:
        if self.table.state() == QAbstractItemView.State.EditingState:
            self.delegate.flush()

    # edits in place

    def commit_cell(self, r: int, col: int, value: Any) -> None:
        ev = self.row_at(r)
        if ev is None or not self.panel.editable:
            return
        cmd: Command | None = None
        if col == self.COL_NAME:
            text = evidence.keep_suffix(str(value), ev.name)
            if text.strip() and text != ev.name:
                cmd = ops.set_fields(Evidence, ev.id, {"name": text})
        elif col == self.COL_KIND:
            if value and value in EVIDENCE_KINDS and value != ev.kind:
                cmd = ops.set_fields(Evidence, ev.id, {"kind": value})
        elif col == self.COL_DATE:
            if value != ev.date:
                cmd = ops.set_fields(Evidence, ev.id, {"date": value})
        elif col == self.COL_DOC:
            text = " ".join(str(value).split())
            if text != ev.doc_number:
                cmd = ops.set_fields(Evidence, ev.id, {"doc_number": text})
        elif col == self.COL_MEASURE and value != ev.measure_id:
            cmd = evidence.assign_measure(ev.id, value)
        if cmd is not None:
            self.panel.push(cmd)
        else:
            self.panel.on_changes([])  # the same value written another way: show the stored one

    def _double_clicked(self, index: Any) -> None:
        if index.column() == self.COL_NAME:
            ev = self.row_at(index.row())
            if ev is not None and ev.blob_sha256 is None and not self.readonly:
                self.replace_selected()
            else:
                self.open_selected()
        elif not self.readonly:
            self.table.edit(index)

    def _menu(self, pos: Any) -> None:
        self.context_menu(pos).exec(self.table.viewport().mapToGlobal(pos))

    def context_menu(self, pos: Any) -> QMenu:
        """The evidence table's context menu at `pos` (in the table's viewport)."""
        index = self.table.indexAt(pos)
        ev = self.row_at(index.row()) if index.isValid() else None
        menu = QMenu(self)
        if ev is not None:
            has_file = ev.blob_sha256 is not None
            menu.addAction("打开", self.open_selected).setEnabled(has_file)
            menu.addAction("另存为…", self.save_selected).setEnabled(has_file)
            menu.addSeparator()
            w = not self.readonly
            menu.addAction("替换文件…" if has_file else "附加文件…", self.replace_selected).setEnabled(w)
            menu.addAction("修改名称", lambda: self.table.edit(self.table.model().index(index.row(), 0))).setEnabled(w)
            sub = menu.addMenu("对应整改措施")
            sub.setEnabled(w)
            row = index.row()
            for label, mid in self.measure_choices():
                act = sub.addAction(label, lambda mid=mid: self.commit_cell(row, self.COL_MEASURE, mid))
                act.setCheckable(True)
                act.setChecked(mid == ev.measure_id)
            menu.addSeparator()
            r = index.row()
            menu.addAction("上移", lambda: self.move(-1)).setEnabled(w and r > 0)
            menu.addAction("下移", lambda: self.move(1)).setEnabled(w and r < len(self.ids) - 1)
            menu.addSeparator()
            menu.addAction("删除…", self.remove_selected).setEnabled(w)
            menu.addSeparator()
        menu.addAction("添加文件…", self.add_dialog).setEnabled(not self.readonly)
        return menu

    # actions

    def add_dialog(self, measure_id: int | None = None) -> list[int]:
        if self.readonly or self.item_id is None:
            return []
        return evidence_ui.choose_and_add(self, self.panel, self.item_id, measure_id)

    def add_paths(self, paths: list[Path], measure_id: int | None = None) -> list[int]:
        if self.readonly or self.item_id is None or not self.panel.editable:
            return []
        ids = evidence_ui.add_files(self, self.panel, self.item_id, paths, measure_id)
        if ids and ids[-1] in self.ids:
            self.table.selectRow(self.ids.index(ids[-1]))
        return ids

    def open_selected(self) -> Path | None:
        sel = self.selected_id()
        return evidence_ui.open_evidence(self, sel) if sel is not None else None

    def save_selected(self) -> Path | None:
        sel = self.selected_id()
        return evidence_ui.save_copy(self, sel) if sel is not None else None

    def replace_selected(self) -> bool:
        sel = self.selected_id()
        if sel is None or self.readonly:
            return False
        return evidence_ui.replace_file(self, self.panel, sel)

    def remove_selected(self) -> bool:
        sel = self.selected_id()
        if sel is None or self.readonly:
            return False
        self.delegate.flush()
        r = self.ids.index(sel)
        if not evidence_ui.remove_evidence(self, self.panel, sel):
            return False
        if self.ids:
            self.table.selectRow(min(r, len(self.ids) - 1))
        return True

    def move(self, delta: int) -> None:
        sel = self.selected_id()
        if sel is None or self.readonly:
            return
        j = self.ids.index(sel) + delta
        if not 0 <= j < len(self.ids):
            return
        self.delegate.flush()
        if self.panel.push(ops.move(Evidence, sel, delta)) and sel in self.ids:
            self.table.selectRow(self.ids.index(sel))

    # dropped files

    def accepts(self, mime: QMimeData) -> bool:
        return not self.readonly and self.item_id is not None and bool(evidence_ui.local_paths(mime))

    def drag_event(self, event: QEvent, measure_id: int | None = None) -> bool:
        """Handles a drag over the evidence area or the item form; True when it was files for the item."""
        kind = event.type()
        if kind == QEvent.Type.DragLeave:
            self._highlight(False)
            return False
        mime = event.mimeData()  # type: ignore[attr-defined]
        if not self.accepts(mime):
            return False
        event.setDropAction(Qt.DropAction.CopyAction)  # type: ignore[attr-defined]
        event.accept()
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
            self._highlight(True)
            return True
        self._highlight(False)
        paths = evidence_ui.local_paths(mime)
        # Added after the drop returns: the program the files came from is not kept waiting.
        QTimer.singleShot(0, lambda: self.add_paths(paths, measure_id))
        return True

    def dragEnterEvent(self, event: Any) -> None:
        if not self.drag_event(event):
            event.ignore()

    def dragMoveEvent(self, event: Any) -> None:
        if not self.drag_event(event):
            event.ignore()

    def dragLeaveEvent(self, event: Any) -> None:
        self.drag_event(event)

    def dropEvent(self, event: Any) -> None:
        if not self.drag_event(event):
            event.ignore()


class _FormDrops(QObject):
    """Files dropped anywhere on the item form become its evidence; dropped on a measure, that measure's.
    Text fields would otherwise take a dropped file as its path's text."""

    def __init__(self, form: _ItemForm) -> None:
        super().__init__(form)
        self.form = form

    def watch(self, widget: QWidget) -> None:
        widget.setAcceptDrops(True)
        widget.installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() not in _DRAG_TYPES or not isinstance(obj, QWidget):
            return False
        editor = self.form.evidence
        if event.type() == QEvent.Type.DragLeave:
            editor.drag_event(event)
            return False
        if not editor.accepts(event.mimeData()):  # type: ignore[attr-defined]
            return False
        measure_id = None
        if event.type() == QEvent.Type.Drop:
            where = obj.mapToGlobal(event.position().toPoint())  # type: ignore[attr-defined]
            measure_id = self.form.measures.measure_at(where)
        return editor.drag_event(event, measure_id)


class _ItemForm(_Form):
    """细化问题: the unit that is rectified, counted and written off."""

    model = Item
    kind = "item"

    def __init__(self, panel: EditPanel) -> None:
        super().__init__(panel)
        # A written-off item is locked (the core refuses its changes too); the line says why, at the top.
        self.locked = False
        self.lock_line = QLabel(WRITTEN_OFF_LOCKED)
        self.lock_line.setObjectName("item.locked")
        self.lock_line.setWordWrap(True)
        self.lock_line.setStyleSheet(f"color: {WRITEOFF_COLORS['已销号']}; font-weight: bold;")
        self.lock_line.hide()
        self.body.insertWidget(self.body.indexOf(self.notice), self.lock_line)
        form = self.new_form()
        self.number = self.number_row(form)
        self.title = self.text(form, "细化问题", "title", lines=2, max_lines=5)
        self.description = self.text(form, "具体表现", "description", lines=3)

        self.body.addWidget(_section("责任分工"))
        form = self.new_form()
        self.completers: dict[str, QStringListModel] = {}
        self.completers_stale = True
        self.leader = self._person_line(form, "责任领导", "leader", "如：张三")
        self.department = self._person_line(form, "责任部门", "department", "如：办公室、人事股")
        self.person = self._person_line(form, "责任人", "person", "如：李四")

        self.body.addWidget(_section("整改落实"))
        form = self.new_form()
        self.deadline = QComboBox()
        self.deadline.setEditable(True)
        self.deadline.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.deadline.setCompleter(None)  # no inline completion: 2 must not become 2026年12月底前
        self.deadline.addItems(deadline_choices())
        self.deadline.setMinimumContentsLength(14)
        self.deadline.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.deadline.setToolTip("可填写日期（如 2021年6月30日、2021.6.30），或 立行立改、长期坚持、2021年6月底前 等")
        line = self.deadline.lineEdit()
        assert line is not None
        line.setPlaceholderText("日期或“立行立改”等")
        self.bindings.append(_DeadlineBinding(self, self.deadline))
        self.deadline_hint = _hint_label()
        self.deadline_hint.setObjectName("item.deadline_hint")
        row = QHBoxLayout()
        row.addWidget(self.deadline)
        row.addSpacing(8)
        row.addWidget(self.deadline_hint, 1)
        form.addRow(self.label("整改时限"), row)

        self.status = _StatusCombo()
        self.bindings.append(_ComboBinding(self, "status", self.status, STATUSES))
        self.completed_date = self.date("completed_date", "完成时间")
        self.completed_date.setToolTip("完成情况为“已完成”时填写")
        row = QHBoxLayout()
        row.addWidget(self.status)
        row.addSpacing(16)
        completed_label = QLabel("完成时间：")
        row.addWidget(completed_label)
        row.addWidget(self.completed_date)
        row.addStretch(1)
        form.addRow(self.label("完成情况"), row)
        self.progress = self.text(form, "整改进展", "progress", lines=4, max_lines=16)
        self.remarks = self.text(form, "备注", "remarks", lines=1, max_lines=6)
        self.writeoff = self.value_label("item.writeoff")
        # In the window, the write-off box (apply, approve, send back, with its history); a panel made
        # without a window (tests of the forms alone) shows the state as a line.
        self.writeoff_box = None
        if panel.window_ is not None:
            from rectify_desktop.ui.writeoff import WriteOffBox

            self.writeoff_box = WriteOffBox(panel.window_)
            self.writeoff.hide()
            form.addRow(self.label("销号情况"), self.writeoff_box)
        else:
            form.addRow(self.label("销号情况"), self.writeoff)

        self.body.addWidget(_section("整改措施"))
        self.measures = _MeasureEditor(self)
        self.body.addWidget(self.measures)

        self.body.addWidget(_section("佐证材料"))
        self.evidence = _EvidenceEditor(self)
        self.body.addWidget(self.evidence)
        self.body.addStretch(1)
        self.align_labels()
        # Files dropped anywhere on the form (its text fields included) are the item's evidence.
        self.drops = _FormDrops(self)
        body = self.widget()
        self.drops.watch(body)
        for w in body.findChildren(QWidget):
            if w.acceptDrops() and w is not self.evidence and not self.evidence.isAncestorOf(w):
                self.drops.watch(w)

    def _person_line(self, form: QFormLayout, label: str, field: str, placeholder: str) -> QLineEdit:
        w = self.line(form, label, field, placeholder)
        model = QStringListModel(w)
        completer = QCompleter(model, w)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        w.setCompleter(completer)
        self.completers[field] = model
        return w

    def reset(self) -> None:
        self.measures.item_id = None
        self.measures.ids = []
        self.evidence.item_id = None
        self.evidence.ids = []
        # Reading the names of a 10,000-item ledger takes a while: only after they may have changed.
        if not self.completers_stale:
            return
        self.completers_stale = False
        for field, model in self.completers.items():
            values = distinct_values(getattr(Item, field))
            if model.stringList() != values:
                model.setStringList(values)

    def fill(self, row: Item) -> None:
        label = rules.item_label(row.number)
        self.number.setText(label)
        self.header.setText(f"细化问题{label}")
        finding = Finding.get_or_none(Finding.id == row.finding_id)
        self.context.setText(f"所属问题：{finding.number}. {finding.title}" if finding else "")
        self.completed_date.setEnabled(row.status == DONE)
        self._fill_deadline_hint(row, finding)
        self._lock(item_written_off(row.id))
        if self.writeoff_box is not None:
            self.writeoff_box.load(row.id)
        else:
            self._fill_writeoff(row)
        self.measures.load(row.id)
        self.evidence.load(row.id)

    def _fill_deadline_hint(self, row: Item, finding: Finding | None) -> None:
        insp = Inspection.get_or_none(Inspection.id == finding.inspection_id) if finding else None
        ref = (insp.feedback_date or insp.period_start) if insp else None
        deadline = rules.effective_deadline(
            row.deadline_date,
            row.deadline_text,
            year=ref.year if ref else None,
            feedback_date=insp.feedback_date if insp else None,
        )
        text, color = "", HINT_COLOR
        if deadline is not None and row.status not in (DONE, ONGOING):
            left = rules.days_left(row.status, deadline, dt.date.today())
            when = f"截止{cn_date(deadline)}，" if row.deadline_text else ""
            if left is not None and left < 0:
                text, color = f"{when}已逾期{-left}天", OVERDUE_COLOR
            elif left is not None:
                text = f"{when}还剩{left}天"
                color = STATUS_COLORS[IN_PROGRESS] if left <= 7 else HINT_COLOR
        self.deadline_hint.setText(text)
        self.deadline_hint.setStyleSheet(f"color: {color};")

    def _fill_writeoff(self, row: Item) -> None:
        state = ops.writeoff_state(row.id)
        last = WriteOff.select().where(WriteOff.item == row.id).order_by(WriteOff.id.desc()).first()
        if not state or last is None:
            self.writeoff.setText("未申请销号")
            self.writeoff.setStyleSheet(f"color: {HINT_COLOR};")
            return
        detail = "，".join(p for p in (last.who, cn_date(last.date)) if p)
        text = f"{state}（{last.action}{'：' + detail if detail else ''}）"
        if last.action == WO_REJECT and last.opinion:
            text += f"　退回意见：{last.opinion}"
        elif last.opinion:
            text += f"　意见：{last.opinion}"
        self.writeoff.setText(text)
        self.writeoff.setStyleSheet(f"color: {WRITEOFF_COLORS.get(state, '#000000')};")

    def commit_pending(self) -> None:
        self.measures.commit_pending()
        self.evidence.commit_pending()
        super().commit_pending()

    def set_readonly(self, readonly: bool) -> None:
        self._editors_readonly(readonly or self.locked)
        if self.writeoff_box is not None:  # its 撤销销号 stays usable on a locked item
            self.writeoff_box.set_readonly(readonly)

    def _lock(self, locked: bool) -> None:
        self.locked = locked
        self.lock_line.setVisible(locked)
        self._editors_readonly(self.panel.readonly or locked)

    def _editors_readonly(self, readonly: bool) -> None:
        super().set_readonly(readonly)
        # The editors rebuild their rows on a change: only when it changes, not at every reload.
        if self.measures.readonly != readonly:
            self.measures.set_readonly(readonly)
        if self.evidence.readonly != readonly:
            self.evidence.set_readonly(readonly)


# --- the panel -----------------------------------------------------------------------------------


def _may_change_names(change: Change) -> bool:
    """Whether a change may add or remove a name the completers of 责任领导 / 部门 / 人 offer."""
    if change.kind in ("reset", "insert", "remove"):
        return True
    return change.entity is Item and bool(set(change.fields) & {"leader", "department", "person"})


class EditPanel(QWidget):
    """The form for the node selected in the tree."""

    def __init__(
        self, ledger: Ledger, bridge: UndoBridge, parent: QWidget | None = None, window: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ledger = ledger
        self.bridge = bridge
        self.window_ = window
        self.readonly = False
        self._loading = 0
        self._kind: str | None = None
        self._row_id: int | None = None
        self._stack = QStackedWidget(self)
        self._empty = QLabel(EMPTY_HINT)
        self._empty.setObjectName("panel.empty")
        self._empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._empty.setWordWrap(True)
        self._empty.setStyleSheet(f"color: {HINT_COLOR};")
        self._stack.addWidget(self._empty)
        self._forms: dict[str, _Form] = {
            "inspection": _InspectionForm(self),
            "category": _CategoryForm(self),
            "finding": _FindingForm(self),
            "item": _ItemForm(self),
        }
        for form in self._forms.values():
            self._stack.addWidget(form)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self._stack)
        if ledger.readonly:
            self.set_readonly(True)

    # the interface the window uses

    def show_node(self, kind: str | None, row_id: int | None) -> None:
        self.commit_pending()
        # A node without a form of its own (a register, a group) shows the hint, like no node at all.
        if kind not in self._forms or row_id is None or not self._forms[kind].load(row_id):
            self._show_empty()
            return
        self._kind, self._row_id = kind, row_id
        self._stack.setCurrentWidget(self._forms[kind])

    def on_changes(self, changes: list[Change]) -> None:
        if any(_may_change_names(c) for c in changes):
            self._forms["item"].completers_stale = True  # type: ignore[attr-defined]
        form = self.current_form
        if form is None or self.ledger.closed:
            return
        if any(c.kind == "reset" for c in changes):
            form.reset()
        if not form.reload():
            self._show_empty()

    def set_readonly(self, readonly: bool) -> None:
        self.readonly = readonly
        with self.loading_fields():
            for form in self._forms.values():
                form.set_readonly(readonly)

    def current(self) -> tuple[str | None, int | None]:
        return self._kind, self._row_id

    def commit_pending(self) -> None:
        form = self.current_form
        if form is not None and self.editable:
            form.commit_pending()

    # for the forms

    @property
    def current_form(self) -> _Form | None:
        return self._forms[self._kind] if self._kind is not None else None

    @property
    def loading(self) -> bool:
        return self._loading > 0

    @property
    def editable(self) -> bool:
        """Whether a widget's signal may become an edit now: not while loading, read-only or closed."""
        return not self._loading and not self.readonly and not self.ledger.closed

    @contextmanager
    def loading_fields(self) -> Iterator[None]:
        """While fields are filled from the database: no commit, no timer."""
        self._loading += 1
        try:
            yield
        finally:
            self._loading -= 1

    def push(self, command: Command, *, merge: bool = False) -> bool:
        """Pushes an edit through the bridge; when it is refused, the form shows the stored values again."""
        if self.readonly:
            return False
        # The ledger calls on_changes before push returns: the reload skips every field whose text
        # already equals the stored value, so the field being typed in keeps its cursor.
        ok = self.bridge.push(command, merge=merge)
        if not ok:
            self.on_changes([])
        return ok

    def _show_empty(self) -> None:
        self._kind, self._row_id = None, None
        self._stack.setCurrentWidget(self._empty)
