"""The edit panel (编辑面板) on the right of the main window: picks the form for the selected node and
reloads it after every change.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import (
    Qt,
)
from PySide6.QtWidgets import (
    QLabel,
    QStackedWidget,
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
