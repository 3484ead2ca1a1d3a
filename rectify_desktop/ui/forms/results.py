"""The 整改成效 section of the item form and of the inspection form: 问责 and 资金 entries, edited in place.

Each entry belongs to an item, or to the whole inspection (item blank). Every edit goes through the panel's
door (core/ops.py → the window's undo stack), as the measures' do; what the clerk typed and the core refuses
(an amount that is not a number, negative or finer than 1 元, a number of people that is not a whole number)
is said under its table in the core's own words, and nothing is saved.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from rectify_desktop.core import ops, results
from rectify_desktop.core.commands import TEXT_MAX, Command, SetFields, field_limit
from rectify_desktop.core.models import (
    ACCOUNTABILITY_KINDS,
    AUDIT_AMOUNT_KINDS,
    MONEY_KINDS,
    Accountability,
    BaseModel,
    MoneyEntry,
)
from rectify_desktop.ui.dialogs import confirm
from rectify_desktop.ui.forms.measures import _EditingDelegate
from rectify_desktop.ui.forms.widgets import (
    OptionalDateEdit,
    _blocked,
    _fit_limit,
    _FitTable,
    _hint_label,
    cn_date,
    editor_rect,
    keep_edited_base,
)
from rectify_desktop.ui.theme import OVERDUE_COLOR

if TYPE_CHECKING:
    from rectify_desktop.ui.forms.base import _Form

# Said once, in grey, on a written-off item: its lock protects what was approved, not what came after it.
AFTER_WRITEOFF = "该细化问题已销号；问责、追回资金等整改成效常在销号后落实，仍可在此补充记录。"


class _EntryDelegate(_EditingDelegate):
    """Edits an entry's cells in place: the kind from its list, the date with a calendar, the rest as a line;
    what is chosen or typed goes to the ledger (the table shows what was stored)."""

    def __init__(self, part: _Entries) -> None:
        super().__init__(part.table)
        self.part = part

    def sizeHint(self, option: QStyleOptionViewItem, index: Any) -> Any:  # noqa: N802 - Qt's name
        # Only the note wraps; a column sized to its text measured narrower would wrap 整改到位金额 on two lines.
        if index.column() != len(self.part.FIELDS) - 1:
            return QStyledItemDelegate.sizeHint(self, option, index)
        return super().sizeHint(option, index)

    def createEditor(self, parent: QWidget, option: Any, index: Any) -> QWidget:  # noqa: N802 - Qt's name
        field = self.part.FIELDS[index.column()]
        ed: QWidget
        if field == "kind":
            combo = QComboBox(parent)
            combo.addItems(self.part.kinds())
            combo.activated.connect(lambda _i, c=combo: self._commit_and_close(c))
            ed = combo
        elif field == "date":
            date = OptionalDateEdit(parent)
            date.setAutoFillBackground(True)
            date.valueChanged.connect(lambda _v, d=date: self.commitData.emit(d))
            ed = date
        else:
            line = QLineEdit(parent)
            line.setFrame(False)
            line.setMaxLength(field_limit(self.part.model, field) or TEXT_MAX)
            ed = line
        ed.setObjectName(f"{self.part.name}.editor.{field}")
        self.editor = ed
        return ed

    def _commit_and_close(self, ed: QWidget) -> None:
        self.commitData.emit(ed)
        self.closeEditor.emit(ed, QAbstractItemDelegate.EndEditHint.NoHint)

    def setEditorData(self, editor: QWidget, index: Any) -> None:  # noqa: N802 - Qt's name
        row = self.part.row_at(index.row())
        if row is None:
            return
        field = self.part.FIELDS[index.column()]
        if isinstance(editor, QComboBox):
            if editor.findText(row.kind) < 0:
                editor.addItem(row.kind)  # a kind written by another tool stays what it is until changed
            editor.setCurrentIndex(editor.findText(row.kind))
        elif isinstance(editor, OptionalDateEdit):
            if editor.value() != row.date:
                editor.setValue(row.date)
        elif isinstance(editor, QLineEdit):
            value = self.part.text_of(row, field)
            _fit_limit(editor, value, editor.maxLength())
            if editor.text() != value:
                editor.setText(value)

    def setModelData(self, editor: QWidget, model: Any, index: Any) -> None:  # noqa: N802 - Qt's name
        if isinstance(editor, QComboBox):
            value: Any = editor.currentText()
        elif isinstance(editor, OptionalDateEdit):
            if editor.problem():
                return  # not a date: the field says why in red, nothing is stored
            value = editor.value()
        elif isinstance(editor, QLineEdit):
            value = editor.text()
        else:
            return
        self.part.commit_cell(index.row(), index.column(), value)

    def updateEditorGeometry(self, editor: QWidget, option: Any, index: Any) -> None:  # noqa: N802 - Qt's name
        editor.setGeometry(editor_rect(editor, option.rect))


class _EntryTable(_FitTable):
    def __init__(self, part: _Entries) -> None:
        # The note (备注) is short as a rule: six characters a line leave the pane's width to the other columns.
        note_min = QFontMetrics(QApplication.font()).horizontalAdvance("一" * 6) + 12
        super().__init__(list(part.HEADERS), stretch=len(part.HEADERS) - 1, stretch_min=note_min)
        self.part = part
        # Rows as tall as the editor a cell opens (a list, a line), so that it covers no other row.
        self.verticalHeader().setMinimumSectionSize(QComboBox().sizeHint().height() + 2)

    def keyPressEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        if self.state() != QAbstractItemView.State.EditingState and event.key() == Qt.Key.Key_Delete:
            self.part.delete()
            return
        super().keyPressEvent(event)


class _Entries(QWidget):
    """One kind of entry (问责 or 资金) of one owner: a small table, 添加 / 删除, and the reason of a refusal."""

    model: type[BaseModel]
    name = ""
    TITLE = ""
    WHAT = ""  # the entry as a question names it: 问责记录, 资金记录
    HEADERS: tuple[str, ...] = ()
    FIELDS: tuple[str, ...] = ()
    OPEN_FIELD = "kind"  # the cell a new entry opens for typing

    def __init__(self, section: ResultsEditor) -> None:
        super().__init__()
        self.section = section
        self.panel = section.form.panel
        self.owner: tuple[int | None, int | None] | None = None  # (item, inspection) shown
        self.ids: list[int] = []
        self.rows: dict[int, Any] = {}
        self.readonly = False
        self.setObjectName(self.name)
        t = self.table = _EntryTable(self)
        t.setObjectName(f"{self.name}.table")
        self.delegate = _EntryDelegate(self)
        for c in range(t.columnCount()):
            t.setItemDelegateForColumn(c, self.delegate)
        t.itemSelectionChanged.connect(self._update_buttons)
        t.doubleClicked.connect(lambda index: t.edit(index) if not self.readonly else None)
        self._set_edit_triggers()
        title = QLabel(self.TITLE)
        f = title.font()
        f.setBold(True)
        title.setFont(f)
        self.add_button = self._button(f"添加{self.TITLE}", "add", self.add)
        self.delete_button = self._button("删除", "delete", self.delete)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.setSpacing(6)
        top.addWidget(title)
        top.addStretch(1)
        top.addWidget(self.add_button)
        top.addWidget(self.delete_button)
        self.problem = QLabel()
        self.problem.setObjectName(f"{self.name}.problem")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(f"color: {OVERDUE_COLOR};")
        self.problem.hide()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(4)
        lay.addLayout(top)
        lay.addWidget(t)
        lay.addWidget(self.problem)

    def _button(self, text: str, name: str, slot: Callable[[], object]) -> QPushButton:
        b = QPushButton(text)
        b.setObjectName(f"{self.name}.{name}")
        b.setAutoDefault(False)
        b.clicked.connect(lambda _checked=False: slot())
        return b

    def _set_edit_triggers(self) -> None:
        E = QAbstractItemView.EditTrigger
        triggers = E.EditKeyPressed | E.SelectedClicked | E.AnyKeyPressed
        self.table.setEditTriggers(E.NoEditTriggers if self.readonly else triggers)

    # what each kind of entry says

    def kinds(self) -> list[str]:
        raise NotImplementedError

    def text_of(self, row: Any, field: str) -> str:
        value = getattr(row, field)
        if field == "date":
            return cn_date(value)
        return "" if value is None else str(value)

    def parsed(self, field: str, value: Any) -> Any:
        """`value` as it would be stored (refused with the core's reason, ValueError)."""
        if field in ("names", "note"):
            return str(value or "").strip()
        return value

    def new_entry(self, item_id: int | None, inspection_id: int | None) -> Command:
        raise NotImplementedError

    def edit_command(self, row_id: int, values: dict[str, Any]) -> Command:
        raise NotImplementedError

    # showing

    def load(self, item_id: int | None, inspection_id: int | None) -> None:
        m = self.model
        q = m.select().where(m.inspection == inspection_id)
        q = q.where(m.item == item_id) if item_id is not None else q.where(m.item.is_null())
        rows = list(q.order_by(m.position, m.id))
        ids = [r.id for r in rows]
        owner = (item_id, inspection_id)
        t = self.table
        same = owner == self.owner and ids == self.ids
        if owner != self.owner:
            self.tell("")  # a reason is about the cell of the entry it was typed in
        if owner != self.owner or ids != self.ids:
            keep = self.selected_id() if owner == self.owner else None
            self.delegate.editor = None
            with _blocked(t):
                t.setRowCount(0)
                t.setRowCount(len(ids))
            self.owner, self.ids = owner, ids
            if keep in ids:
                t.selectRow(ids.index(keep))
        loaded = {r.id: r for r in rows}
        if same and self.panel.remote:
            keep_edited_base(t, ids, self.rows, loaded)
        rows = [loaded[i] for i in ids]
        self.rows = loaded  # as shown: the base of each edit (`seen`)
        with _blocked(t):
            for r, row in enumerate(rows):
                self._fill_row(r, row)
        t.fit()
        self._update_buttons()

    def _fill_row(self, r: int, row: Any) -> None:
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        for c, field in enumerate(self.FIELDS):
            it = self.table.item(r, c)
            if it is None:
                it = QTableWidgetItem()
                self.table.setItem(r, c, it)
            wanted = flags if self.readonly else flags | Qt.ItemFlag.ItemIsEditable
            if it.flags() != wanted:  # setting them anew resets a cell editor open on it (Qt copies the cell)
                it.setFlags(wanted)
            text = self.text_of(row, field)
            if it.text() != text:
                it.setText(text)
            if field in ("people", "amount"):
                it.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

    def row_at(self, r: int) -> Any:
        if not 0 <= r < len(self.ids):
            return None
        return self.model.get_or_none(self.model.id == self.ids[r])

    def selected_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        r = rows[0].row()
        return self.ids[r] if 0 <= r < len(self.ids) else None

    def _update_buttons(self) -> None:
        self.add_button.setEnabled(not self.readonly and self.owner is not None)
        self.delete_button.setEnabled(not self.readonly and self.selected_id() is not None)

    def set_readonly(self, readonly: bool) -> None:
        if readonly == self.readonly:
            return
        self.readonly = readonly
        if readonly:
            self.delegate.flush()
            self.tell("")
        self._set_edit_triggers()
        if self.owner is not None:
            self.load(*self.owner)  # every cell again, with the new flags
        self._update_buttons()

    def tell(self, reason: str) -> None:
        """Says under the table why what was typed was not saved ("" takes it away)."""
        self.problem.setText(f"{reason.rstrip('。')}。未保存，仍为原来的值。" if reason else "")
        self.problem.setVisible(bool(reason))

    def commit_pending(self) -> None:
        if self.table.state() == QAbstractItemView.State.EditingState:
            self.delegate.flush()

    # edits

    def commit_cell(self, r: int, col: int, value: Any) -> None:
        row = self.row_at(r)
        if row is None or not self.panel.editable:
            return
        field = self.FIELDS[col]
        try:
            stored = self.parsed(field, value)
        except ValueError as exc:
            self.tell(str(exc))
            self.panel.on_changes([])  # the cell shows the stored value again
            return
        self.tell("")
        if stored == getattr(row, field):
            self.panel.on_changes([])  # the same value written another way: the stored one is shown
            return
        try:
            cmd = self.edit_command(row.id, {field: value})
            if isinstance(cmd, SetFields):
                cmd = SetFields(cmd.model, cmd.row_id, cmd.values, cmd.text, seen=self.rows.get(row.id))
        except ValueError as exc:
            self.tell(str(exc))
            self.panel.on_changes([])
            return
        self.panel.push(cmd)

    def add(self) -> None:
        if self.readonly or self.owner is None or not self.panel.editable:
            return
        self.section.commit_pending()  # a cell still open in either table is written first
        try:
            cmd = self.new_entry(*self.owner)
        except ValueError as exc:
            self.tell(str(exc))
            return
        self.tell("")
        if not self.panel.push(cmd):
            return
        new_id = getattr(cmd, "row_id", None)
        if new_id in self.ids:
            r = self.ids.index(new_id)
            col = self.FIELDS.index(self.OPEN_FIELD)
            # Once the form has taken the new row's height (after this event), the row is brought into sight.
            form = self.section.form
            QTimer.singleShot(0, self.table, lambda: form.ensureWidgetVisible(self.table))
            self.table.setCurrentCell(r, col)
            self.table.setFocus()
            self.table.edit(self.table.model().index(r, col))

    def describe(self, row: Any) -> str:
        raise NotImplementedError

    def delete(self) -> None:
        sel = self.selected_id()
        if self.readonly or sel is None or not self.panel.editable:
            return
        self.section.commit_pending()  # a cell still open in either table is written first
        row = self.model.get_or_none(self.model.id == sel)
        if row is None:
            return
        r = self.ids.index(sel)
        text = f"确定要删除这条{self.WHAT}吗？\n\n{self.describe(row)}\n\n删除后可以用“撤销”恢复。"
        if not confirm(self, f"删除{self.WHAT}", text):
            return
        self.tell("")
        if self.panel.push(ops.remove_entry(self.model, sel)) and self.ids:
            self.table.selectRow(min(r, len(self.ids) - 1))


class _AccountabilityEntries(_Entries):
    """问责: kind, number of people, names (never printed in a public notice), date, note."""

    model = Accountability
    name = "results.acc"
    TITLE = "问责"
    WHAT = "问责记录"
    HEADERS = ("类别", "人数", "姓名（不对外公开）", "日期", "备注")
    FIELDS = ("kind", "people", "names", "date", "note")
    COL_KIND, COL_PEOPLE, COL_NAMES, COL_DATE, COL_NOTE = range(5)

    def kinds(self) -> list[str]:
        return list(ACCOUNTABILITY_KINDS)

    def parsed(self, field: str, value: Any) -> Any:
        if field == "people":
            return results.parse_people(value)
        return super().parsed(field, value)

    def new_entry(self, item_id: int | None, inspection_id: int | None) -> Command:
        return ops.add_accountability(kind="批评教育", people=1, item_id=item_id, inspection_id=inspection_id)

    def edit_command(self, row_id: int, values: dict[str, Any]) -> Command:
        return ops.edit_accountability(row_id, **values)

    def describe(self, row: Any) -> str:
        parts = [f"{row.kind}{row.people}人", cn_date(row.date), row.note]
        return "，".join(p for p in parts if p)


class _MoneyEntries(_Entries):
    """资金 in 万元: kind (for an item also its audit's 问题金额 / 整改到位金额), amount, date, note."""

    model = MoneyEntry
    name = "results.money"
    TITLE = "资金"
    WHAT = "资金记录"
    HEADERS = ("类别", "金额（万元）", "日期", "备注")
    FIELDS = ("kind", "amount", "date", "note")
    COL_KIND, COL_AMOUNT, COL_DATE, COL_NOTE = range(4)
    OPEN_FIELD = "amount"

    def kinds(self) -> list[str]:
        # 问题金额 and 整改到位金额 are an audit problem's own figures: an item's, never the whole inspection's.
        whole = self.owner is None or self.owner[0] is None
        return list(MONEY_KINDS) if whole else list(MONEY_KINDS + AUDIT_AMOUNT_KINDS)

    def text_of(self, row: Any, field: str) -> str:
        if field == "amount":
            return results.amount_text(results.from_units(row.amount))
        return super().text_of(row, field)

    def parsed(self, field: str, value: Any) -> Any:
        if field == "amount":
            return results.to_units(results.parse_amount(value))
        return super().parsed(field, value)

    def new_entry(self, item_id: int | None, inspection_id: int | None) -> Command:
        return ops.add_money(kind="追缴", amount=0, item_id=item_id, inspection_id=inspection_id)

    def edit_command(self, row_id: int, values: dict[str, Any]) -> Command:
        return ops.edit_money(row_id, **values)

    def describe(self, row: Any) -> str:
        parts = [f"{row.kind}{self.text_of(row, 'amount')}万元", cn_date(row.date), row.note]
        return "，".join(p for p in parts if p)


class ResultsEditor(QWidget):
    """整改成效: the 问责 and 资金 entries of an item, or of the whole inspection (item blank), under a header
    that folds them away; folded, the header still says what there is (问责4人，资金2笔)."""

    def __init__(self, form: _Form, title: str, name: str = "results") -> None:
        super().__init__()
        self.form = form
        self.title = title
        self.expanded = False
        self.chosen: bool | None = None  # the clerk's own 展开/收起, kept from one item to the next
        self.setObjectName(name)
        header = QWidget()
        header.setObjectName("resultsHeader")
        header.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        header.setStyleSheet("#resultsHeader { border: none; border-bottom: 1px solid #b9c0ca; }")
        self.toggle = QToolButton()
        self.toggle.setObjectName(f"{name}.toggle")
        self.toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toggle.setAutoRaise(True)
        self.toggle.setText(title)
        f = self.toggle.font()
        f.setBold(True)
        self.toggle.setFont(f)
        self.toggle.setStyleSheet("QToolButton { border: none; padding: 0; }")
        self.toggle.clicked.connect(self._toggled)
        self.summary = _hint_label()
        self.summary.setObjectName(f"{name}.summary")
        self.summary.setWordWrap(False)
        top = QHBoxLayout(header)
        top.setContentsMargins(0, 12, 0, 4)
        top.setSpacing(8)
        top.addWidget(self.toggle)
        top.addWidget(self.summary)
        top.addStretch(1)
        self.after_writeoff = _hint_label(AFTER_WRITEOFF)
        self.after_writeoff.setObjectName(f"{name}.after_writeoff")
        self.after_writeoff.hide()
        self.acc = _AccountabilityEntries(self)
        self.money = _MoneyEntries(self)
        self.body = QWidget()
        inner = QVBoxLayout(self.body)
        inner.setContentsMargins(0, 2, 0, 0)
        inner.setSpacing(8)
        inner.addWidget(self.after_writeoff)
        inner.addWidget(self.acc)
        inner.addWidget(self.money)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(6)
        lay.addWidget(header)
        lay.addWidget(self.body)
        self._show_expanded(False)

    def title_text(self) -> str:
        return self.toggle.text()

    def _toggled(self) -> None:
        self.chosen = not self.expanded
        self._show_expanded(self.chosen)

    def _show_expanded(self, expanded: bool) -> None:
        self.expanded = expanded
        self.body.setVisible(expanded)
        self.toggle.setArrowType(Qt.ArrowType.DownArrow if expanded else Qt.ArrowType.RightArrow)

    def forget(self) -> None:
        """Another row is shown: its entries are read anew."""
        self.acc.owner = self.money.owner = None

    def load(self, item_id: int | None, inspection_id: int | None, written_off: bool = False) -> None:
        for part in (self.acc, self.money):
            part.load(item_id, inspection_id)
        self.after_writeoff.setVisible(written_off)
        people = sum(r.people or 0 for r in self.acc.rows.values())
        bits = [f"问责{people}人"] if self.acc.rows else []
        bits += [f"资金{len(self.money.rows)}笔"] if self.money.rows else []
        self.summary.setText("，".join(bits) if bits else "暂无问责、资金记录")
        # Open where there is something to see, folded where there is not, unless the clerk chose.
        self._show_expanded(self.chosen if self.chosen is not None else bool(bits))

    def set_readonly(self, readonly: bool) -> None:
        for part in (self.acc, self.money):
            part.set_readonly(readonly)

    def commit_pending(self) -> None:
        for part in (self.acc, self.money):
            part.commit_pending()
