"""修改冲突: the clerk's edit met someone else's on a server ledger; the clerk decides which to keep.

The ledger refused the edit (conflicts.ConflictError, nothing written) because a field of it was changed by
someone else since the clerk began. The dialog lists each such field as it was, as the clerk wrote it and as
the other person wrote it, and offers 保留我的修改 (the clerk's edit as made), 采用对方的修改 (nothing of the
edit written) or 逐项选择 (per field). The choice goes through the door as a new SetFields whose `seen` is the
row as it is now: if yet another edit came in meanwhile, that refuses it again and the clerk is asked again
(UndoBridge loops). A row someone deleted cannot be edited: the clerk is told and the views follow.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from rectify_desktop.core import rules
from rectify_desktop.core.commands import ENTITY_NAMES, FIELD_NAMES, Command, SetFields
from rectify_desktop.core.conflicts import ConflictError, value_of
from rectify_desktop.core.models import Finding, Item, Measure

# The main window (ui/main_window.MainWindow), which only the start-up imports (tests/ui/test_ui_imports.py).
MainWindow = Any

MINE, THEIRS = "mine", "theirs"
# A long 整改进展 is shown in part in its cell (whole in the tooltip): the dialog must fit the screen.
CELL_CHARS = 240

COL_FIELD, COL_BASE, COL_MINE, COL_THEIRS, COL_CHOICE = range(5)


def shown(value: Any) -> str:
    """A value as the clerk reads it."""
    if value is None or value == "":
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.date):
        return f"{value.year}年{value.month}月{value.day}日"
    return str(value)


def who_of(user: str) -> str:
    """The name the clerks know each other by: "张三" of "张三（zhangsan@办公室-PC）"."""
    return user.split("（", 1)[0].strip() or user or "他人"


def item_name(item_id: int | None) -> str:
    """细化问题2（3）: an item as the clerk finds it in the tree."""
    item = Item.get_or_none(Item.id == item_id) if item_id is not None else None
    if item is None:
        return "细化问题"
    finding = Finding.get_or_none(Finding.id == item.finding_id)
    return f"细化问题{finding.number if finding else ''}{rules.item_label(item.number)}"


def row_label(model: type, row_id: int) -> str:
    """The edited row as the clerk knows it: 细化问题2（3）, 细化问题2（3）的整改措施."""
    if model is Item:
        return item_name(row_id)
    if model is Measure:
        m = Measure.get_or_none(Measure.id == row_id)
        return f"{item_name(m.item_id)}的整改措施" if m is not None else "整改措施"
    return f"该{ENTITY_NAMES.get(model, '内容')}"


class ConflictDialog(QDialog):
    """The fields of a refused edit: 原来的内容 / 您的修改 / {who}的修改, and which to keep."""

    def __init__(self, parent: QWidget | None, exc: ConflictError, label: str, who: str) -> None:
        super().__init__(parent)
        self.setWindowTitle("修改冲突")
        self.setObjectName("conflict.dialog")
        self.exc = exc
        self.who = who
        self.choice: str | None = None
        self.fields = list(exc.fields)
        lay = QVBoxLayout(self)
        intro = QLabel(f"您编辑{label}期间，{who}修改了同样的内容，您的修改尚未保存。\n请选择保留哪一方的内容：")
        intro.setObjectName("conflict.intro")
        intro.setWordWrap(True)
        lay.addWidget(intro)
        t = QTableWidget(len(self.fields), 5)
        t.setObjectName("conflict.table")
        t.setHorizontalHeaderLabels(["字段", "原来的内容", "您的修改", f"{who}的修改", "采用"])
        t.verticalHeader().hide()
        t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        t.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        t.setWordWrap(True)
        self.combos: list[QComboBox] = []
        for r, name in enumerate(self.fields):
            base, mine, theirs = exc.fields[name]
            t.setItem(r, COL_FIELD, QTableWidgetItem(FIELD_NAMES.get(name, name)))
            for col, value in ((COL_BASE, base), (COL_MINE, mine), (COL_THEIRS, theirs)):
                text = shown(value)
                cell = QTableWidgetItem(text if len(text) <= CELL_CHARS else text[:CELL_CHARS] + "…")
                cell.setToolTip(text)
                t.setItem(r, col, cell)
            combo = QComboBox()
            combo.setObjectName("conflict.choice")
            combo.addItem("我的修改", MINE)
            combo.addItem(f"{who}的修改", THEIRS)
            holder = QWidget()  # the combo at its own height in a tall row, not stretched over it
            box = QVBoxLayout(holder)
            box.setContentsMargins(4, 2, 4, 2)
            box.addWidget(combo, 0, Qt.AlignmentFlag.AlignVCenter)
            t.setCellWidget(r, COL_CHOICE, holder)
            self.combos.append(combo)
        head = t.horizontalHeader()
        head.setSectionResizeMode(COL_FIELD, QHeaderView.ResizeMode.ResizeToContents)
        for col in (COL_BASE, COL_MINE, COL_THEIRS):
            head.setSectionResizeMode(col, QHeaderView.ResizeMode.Stretch)
        head.setSectionResizeMode(COL_CHOICE, QHeaderView.ResizeMode.ResizeToContents)
        self.table = t
        lay.addWidget(t)
        hint = QLabel("逐项选择：在“采用”一栏为每一项选定后，点“逐项选择”保存。")
        hint.setStyleSheet("color: #6b7280;")
        lay.addWidget(hint)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for name, text, slot in (
            ("conflict.mine", "保留我的修改", self.keep_mine),
            ("conflict.theirs", "采用对方的修改", self.keep_theirs),
            ("conflict.each", "逐项选择", self.keep_each),
        ):
            b = QPushButton(text)
            b.setObjectName(name)
            b.setAutoDefault(False)
            b.clicked.connect(slot)
            buttons.addWidget(b)
        lay.addLayout(buttons)
        self.resize(860, 300)
        self._fit_rows()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self._fit_rows()  # the columns have their widths now: the wrapped texts their heights

    def _fit_rows(self) -> None:
        """The table as tall as its rows (long texts wrapped in their columns), up to what a screen holds: no
        empty band under one field, a scroll bar only for many."""
        t = self.table
        t.resizeRowsToContents()
        rows = sum(t.rowHeight(r) for r in range(t.rowCount()))
        t.setFixedHeight(min(rows + t.horizontalHeader().height() + 2 * t.frameWidth() + 2, 420))
        self.adjustSize()
        self.resize(max(self.width(), 860), self.sizeHint().height())

    def keep_mine(self) -> None:
        self.choice = MINE
        self.accept()

    def keep_theirs(self) -> None:
        self.choice = THEIRS
        self.accept()

    def keep_each(self) -> None:
        self.choice = "each"
        self.accept()

    def chosen(self) -> dict[str, str]:
        """Each clashing field → MINE or THEIRS, as the clerk decided."""
        if self.choice in (MINE, THEIRS):
            return dict.fromkeys(self.fields, self.choice)
        return {name: combo.currentData() for name, combo in zip(self.fields, self.combos, strict=True)}


def resolved_values(exc: ConflictError, chosen: dict[str, str]) -> dict[str, Any]:
    """What to write: the clerk's edit without the fields left to the other person. Taking theirs for every
    clashing field writes nothing: the rest of the edit (a completion date set with a status) belongs to it."""
    if not any(c == MINE for c in chosen.values()):
        return {}
    return {name: value for name, value in exc.values.items() if chosen.get(name, MINE) == MINE}


def resolve(window: MainWindow, exc: ConflictError) -> Command | None:
    """Asks the clerk about a refused edit; returns the edit to make instead (checked against the row as it
    is now), or None when nothing is to be written."""
    who = who_of(exc.who) if exc.who else "他人"
    row = None if exc.gone else exc.model.get_or_none(exc.model.id == exc.row_id)
    if row is None:
        gone(window, exc)
        return None
    dialog = ConflictDialog(window, exc, row_label(exc.model, exc.row_id), who)
    if dialog.exec() != QDialog.DialogCode.Accepted or dialog.choice is None:
        window.statusBar().showMessage("您的修改未保存，保留了对方的内容。", 8000)
        return None
    values = resolved_values(exc, dialog.chosen())
    # Read again: the dialog may have stood open while yet another edit came in.
    row = exc.model.get_or_none(exc.model.id == exc.row_id)
    if row is None:
        gone(window, exc)
        return None
    if all(value_of(row, k) == v for k, v in values.items()):
        window.statusBar().showMessage("已采用对方的修改。", 8000)
        return None
    return SetFields(exc.model, exc.row_id, values, seen=row)


def gone(window: MainWindow, exc: ConflictError) -> None:
    """The edited row was deleted by someone else: said, and the views follow the deletion now rather than
    at the next notice."""
    QMessageBox.warning(window, "修改冲突", str(exc) or "该内容已被他人删除，您的修改未保存。")
    live = getattr(window, "live", None)
    if live is not None:
        live.poll()
