"""The table editor of an item's measures (整改措施) and the delegate that edits their cells."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import (
    QObject,
    Qt,
)
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QMenu,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from rectify_desktop.core import ops, rules
from rectify_desktop.core.commands import (
    TEXT_MAX,
    field_label,
)
from rectify_desktop.core.models import (
    Measure,
)
from rectify_desktop.ui.dialogs import confirm
from rectify_desktop.ui.forms.widgets import (
    OptionalDateEdit,
    _blocked,
    _fit_limit,
    _FitTable,
    _hint_label,
    _WrapDelegate,
    flow_row,
    keep_edited_base,
)

if TYPE_CHECKING:
    from rectify_desktop.ui.forms.item import _ItemForm


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
        self.rows: dict[int, Measure] = {}  # as loaded: the base of an edit of each
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
        # The buttons wrap and the hint has a line of its own: on one line they made a new item's form wider
        # than its pane at 1366×768, and the form scrolled sideways.
        buttons = flow_row(self.add_button, self.delete_button, self.up_button, self.down_button, spacing=6)
        self.empty_hint = _hint_label("逐条填写，打印时自动编为“一是……二是……”")
        self.empty_hint.setObjectName("measure.hint")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(6)
        lay.addWidget(t)
        lay.addWidget(buttons)
        lay.addWidget(self.empty_hint)

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
        rows = {m.id: m for m in measures}
        if self.panel.remote and item_id == self.item_id and ids == self.ids:
            keep_edited_base(t, ids, self.rows, rows)
            measures = [rows[i] for i in ids]
        self.rows = rows  # as shown: the base of each edit (`seen`)
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
        wanted = flags if self.readonly else flags | Qt.ItemFlag.ItemIsEditable
        if text.flags() != wanted:  # setting them anew resets a cell editor open on it (Qt copies the cell)
            text.setFlags(wanted)
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
        self.panel.push(ops.set_fields(Measure, m.id, {"text": text}, seen=self.rows.get(m.id)), merge=True)

    def _done_toggled(self, box: QCheckBox, checked: bool) -> None:
        if not self.panel.editable:
            return
        mid = box.property("measure_id")
        m = Measure.get_or_none(Measure.id == mid)
        if m is None or bool(m.done) == checked:
            return
        self.panel.push(ops.set_fields(Measure, m.id, {"done": checked}, seen=self.rows.get(m.id)))

    def _date_changed(self, date: OptionalDateEdit, value: dt.date | None) -> None:
        if not self.panel.editable:
            return
        m = Measure.get_or_none(Measure.id == date.property("measure_id"))
        if m is None or m.done_date == value:
            return
        self.panel.push(ops.set_fields(Measure, m.id, {"done_date": value}, seen=self.rows.get(m.id)))

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
