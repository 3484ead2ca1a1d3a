"""The form of a category (方面)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rectify_desktop.core import rules
from rectify_desktop.core.models import (
    DONE,
    Category,
    Finding,
    Inspection,
    Item,
)
from rectify_desktop.ui.forms.base import _Form
from rectify_desktop.ui.theme import HINT_COLOR

if TYPE_CHECKING:
    from rectify_desktop.ui.forms.panel import EditPanel


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
