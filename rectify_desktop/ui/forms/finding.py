"""The form of a finding (问题) with the read-only table of its items."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    Qt,
)
from PySide6.QtGui import (
    QColor,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QTableWidgetItem,
    QWidget,
)

from rectify_desktop.core import rules
from rectify_desktop.core.models import (
    Category,
    Finding,
    Item,
)
from rectify_desktop.ui.forms.base import _Form
from rectify_desktop.ui.forms.widgets import _FitTable, _section
from rectify_desktop.ui.theme import STATUS_COLORS

if TYPE_CHECKING:
    from rectify_desktop.ui.forms.panel import EditPanel


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
