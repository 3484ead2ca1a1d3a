"""The edit panel (编辑面板) on the right of the main window: picks the form for the selected node and
reloads it after every change.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QStackedWidget,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from rectify_desktop.core.commands import (
    Change,
    Command,
)
from rectify_desktop.core.ledger import Ledger
from rectify_desktop.core.models import (
    Item,
)
from rectify_desktop.ui.forms.base import _Form
from rectify_desktop.ui.forms.category import _CategoryForm
from rectify_desktop.ui.forms.finding import _FindingForm
from rectify_desktop.ui.forms.inspection import _InspectionForm
from rectify_desktop.ui.forms.item import _ItemForm
from rectify_desktop.ui.forms.widgets import EMPTY_HINT
from rectify_desktop.ui.theme import HINT_COLOR
from rectify_desktop.ui.undo import UndoBridge


def _may_change_names(change: Change) -> bool:
    """Whether a change may add or remove a name the completers of 责任领导 / 部门 / 人 offer."""
    if change.kind in ("reset", "insert", "remove"):
        return True
    return change.entity is Item and bool(set(change.fields) & {"leader", "department", "person"})


class _EnterMovesOn(QObject):
    """Enter in a one-line field of a form goes on to the next field, as Tab does: a clerk filling in a
    form in order presses Enter after each line (the field commits on leaving, as with Tab)."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and not (event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier)
            and isinstance(watched, QTextEdit)
        ):
            # A title written in a two-line box (the item's 细化问题) is one sentence: Enter goes on as in a line;
            # Shift+Enter, which carries a modifier, still breaks the line. The box commits on losing the focus.
            _focus_next(watched)
            return True
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and not (event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier)
            and isinstance(watched, QLineEdit)
        ):
            # The line takes its Enter first (it commits there, even in a window without the focus) …
            watched.removeEventFilter(self)
            try:
                QApplication.sendEvent(watched, QKeyEvent(event.type(), event.key(), event.modifiers(), event.text()))
            finally:
                watched.installEventFilter(self)
            # … then the focus goes on, as with Tab.
            if watched.hasFocus():
                tab = QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Tab, Qt.KeyboardModifier.NoModifier)
                QApplication.sendEvent(watched, tab)
            return True
        return False


def _focus_next(widget: QWidget) -> None:
    """Gives the focus to the next widget that takes it by Tab, as Tab would (a text box keeps its Tab for
    itself, so the key cannot simply be sent on)."""
    nxt = widget.nextInFocusChain()
    while nxt is not None and nxt is not widget:
        if nxt.isVisible() and nxt.isEnabled() and nxt.focusPolicy() & Qt.FocusPolicy.TabFocus:
            nxt.setFocus(Qt.FocusReason.TabFocusReason)
            return
        nxt = nxt.nextInFocusChain()


def _plain_lines(form: QWidget) -> list[QLineEdit]:
    """The form's own one-line fields: not the line inside a date or a combo (Enter has its meaning there),
    nor a table's editor."""
    out = []
    for line in form.findChildren(QLineEdit):
        p = line.parentWidget()
        if isinstance(p, (QAbstractSpinBox, QComboBox)):
            continue
        while p is not None and p is not form and not isinstance(p, QAbstractItemView):
            p = p.parentWidget()
        if p is form:
            out.append(line)
    return out


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
        self._elsewhere = 0
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
        self._enter = _EnterMovesOn(self)
        for form in self._forms.values():
            self._stack.addWidget(form)
            for line in _plain_lines(form):
                line.installEventFilter(self._enter)
            title = getattr(form, "title", None)
            if isinstance(title, QTextEdit):
                title.installEventFilter(self._enter)
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

    def focus_title(self) -> None:
        """Puts the focus in the shown form's title with its text selected, scrolled into sight, so that
        the clerk types a new node's title at once (after 新增方面/问题/细化问题)."""
        form = self.current_form
        title = getattr(form, "title", None) if form is not None else None
        if not isinstance(title, (QLineEdit, QPlainTextEdit, QTextEdit)) or self.readonly:
            return
        title.setFocus(Qt.FocusReason.OtherFocusReason)
        title.selectAll()
        form.ensureWidgetVisible(title)

    def focus_measure(self, measure_id: int | None) -> None:
        """Opens the text of a new measure for typing (after 新增整改措施), its row in sight."""
        form = self.current_form
        editor = getattr(form, "measures", None) if self._kind == "item" else None
        if editor is None or measure_id not in editor.ids or self.readonly:
            return
        table = editor.table
        cell = table.item(editor.ids.index(measure_id), editor.COL_TEXT)
        if cell is None:
            return
        form.ensureWidgetVisible(table)
        table.setFocus(Qt.FocusReason.OtherFocusReason)
        table.setCurrentItem(cell)
        table.scrollToItem(cell)
        table.editItem(cell)

    # for the forms

    @property
    def current_form(self) -> _Form | None:
        return self._forms[self._kind] if self._kind is not None else None

    @property
    def loading(self) -> bool:
        return self._loading > 0

    @property
    def editable(self) -> bool:
        """Whether a widget's signal may become an edit now: not while loading, read-only or closed, nor while
        an edit is being pushed (the conflict dialog takes the focus from the field, which would commit again)."""
        busy = getattr(self.bridge, "busy", False)
        return not self._loading and not self.readonly and not self.ledger.closed and not busy

    @property
    def remote(self) -> bool:
        """Whether the changes being shown were made in another window (a server ledger)."""
        return self._elsewhere > 0

    @contextmanager
    def from_elsewhere(self) -> Iterator[None]:
        """While another window's changes are shown: a field the clerk is typing in keeps its text and the
        base its edit will be checked against (live.py)."""
        self._elsewhere += 1
        try:
            yield
        finally:
            self._elsewhere -= 1

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
