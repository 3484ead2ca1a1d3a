"""The common form (表单) every node's page derives from: a scroll area with a grid of bound fields and the
line that says why a field is locked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QEvent,
    QObject,
    QSize,
    Qt,
)
from PySide6.QtGui import (
    QFont,
)
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QLabel,
    QLineEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from rectify_desktop.core import ops
from rectify_desktop.core.commands import SetFields
from rectify_desktop.core.models import (
    BaseModel,
)
from rectify_desktop.ui.forms.bindings import _Binding, _DateBinding, _DeadlineBinding, _LineBinding, _TextBinding
from rectify_desktop.ui.forms.widgets import NUMBER_HINT, OptionalDateEdit, _hint_label, _TextEdit, flow_row
from rectify_desktop.ui.theme import HINT_COLOR, OVERDUE_COLOR

if TYPE_CHECKING:
    from rectify_desktop.ui.forms.panel import EditPanel


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
        body.installEventFilter(self)
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

    # width

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        """As wide as the form needs: the splitter beside it cannot make the pane narrower, so the form never
        scrolls sideways (its labels would be cut on the left)."""
        hint = super().minimumSizeHint()
        body = self.widget()
        if body is None:
            return hint
        need = body.minimumSizeHint().width() + self.verticalScrollBar().sizeHint().width() + 2 * self.frameWidth()
        return QSize(max(hint.width(), need), hint.height())

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if obj is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self.updateGeometry()  # what the form needs may have changed (a table's columns, a shown hint)
        return super().eventFilter(obj, event)

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
        form.addRow(self.label("序号"), flow_row(number, hint, spacing=16))
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
        # Another window's change leaves the field being typed in as it is, and its base: the clerk's edit goes
        # on, and is checked against what was shown when it began.
        keep = self.panel.remote
        with self.panel.loading_fields():
            for b in self.bindings:
                if keep and b.in_edit():
                    continue
                b.stop()
                b.show(row)
                b.showed(row)
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
            if binding.base is not None and binding.base.id == self.row_id and binding.read() != binding.shown:
                # Deleted by someone else while the clerk typed: the ledger refuses the edit as such, and the
                # window says so and follows the deletion (conflict_dialog.gone).
                panel.push(SetFields(self.model, binding.base.id, binding.values(), seen=binding.base))
            return
        # Unchanged by the clerk since shown: nothing to write, even when what is stored has moved on since
        # (another window's edit not yet shown here must not be overwritten by the old value).
        untouched = binding.seen(row.id) is not None and binding.read() == binding.shown
        if untouched or not binding.differs(row):
            with panel.loading_fields():
                binding.show(row)  # the same value written another way (a trimmed space, 2021.6.30)
                binding.showed(row)
            return
        command = ops.set_fields(self.model, row.id, binding.values(), seen=binding.seen(row.id))
        panel.push(command, merge=binding.merge)

    def commit_pending(self) -> None:
        for b in self.bindings:
            if isinstance(b, (_LineBinding, _TextBinding, _DeadlineBinding)):
                b.commit()

    def set_readonly(self, readonly: bool) -> None:
        for b in self.bindings:
            b.set_readonly(readonly)
