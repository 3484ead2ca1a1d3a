"""Bindings between a form's field and one column of a record: load without pushing, commit only a real change."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QTimer,
)
from PySide6.QtGui import (
    QTextCursor,
)
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QLineEdit,
    QWidget,
)

from rectify_desktop.core import ops, rules
from rectify_desktop.core.commands import (
    FIELD_NAMES,
    field_label,
    field_limit,
)
from rectify_desktop.core.models import (
    BaseModel,
    Item,
)
from rectify_desktop.ui.forms.widgets import (
    DATE_HOW,
    TEXT_COMMIT_MS,
    OptionalDateEdit,
    _fit_limit,
    _StatusCombo,
    _TextEdit,
)

if TYPE_CHECKING:
    from rectify_desktop.ui.forms.base import _Form


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
        # The edit's base: the row as it was when the field last showed its stored value (so when the clerk
        # began typing), and what the field showed then. A commit passes the row as `seen`, so that on a
        # server ledger an edit of what someone changed since is refused instead of overwriting it.
        self.base: BaseModel | None = None
        self.shown: Any = None

    def showed(self, row: BaseModel) -> None:
        """Remembers `row` as the base of the next edit, and what the field shows of it."""
        self.base = row
        self.shown = self.read()

    def seen(self, row_id: int) -> BaseModel | None:
        """The base of an edit of row `row_id`, if the field showed that row."""
        return self.base if self.base is not None and self.base.id == row_id else None

    def in_edit(self) -> bool:
        """Whether the clerk is typing in the field: it has the focus and no longer shows what was stored."""
        focus = QApplication.focusWidget()
        has_focus = focus is not None and (focus is self.widget or self.widget.isAncestorOf(focus))
        return has_focus and self.read() != self.shown

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
