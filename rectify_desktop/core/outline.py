"""The ledger's outline (目录树): inspections → categories → findings → items, read in four queries.

The window's tree is built from these light rows rather than from model instances, so that a ledger of
10,000 items shows at once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from rectify_desktop.core import rules
from rectify_desktop.core.models import DONE, Category, Finding, Inspection, Item
from rectify_desktop.core.ops import writeoff_label
from rectify_desktop.core.stats import DeadlineContext, ItemRow, item_rows, last_writeoff_actions

INSPECTION = "inspection"
CATEGORY = "category"
FINDING = "finding"
ITEM = "item"

KIND_MODELS = {INSPECTION: Inspection, CATEGORY: Category, FINDING: Finding, ITEM: Item}
MODEL_KINDS = {v: k for k, v in KIND_MODELS.items()}
CHILD_KIND = {INSPECTION: CATEGORY, CATEGORY: FINDING, FINDING: ITEM, ITEM: None}


@dataclass(eq=False)
class Node:
    """One row of the tree. `number` is the stored number for findings and items, the order for categories."""

    kind: str
    id: int
    parent: Node | None
    position: int = 0
    number: int = 0
    title: str = ""
    status: str = ""
    department: str = ""
    deadline: str = ""
    deadline_date: dt.date | None = None
    overdue: bool = False
    writeoff: str = ""
    children: list[Node] = field(default_factory=list)
    # The node's index among its siblings, kept by whoever changes `children` (see reindex): Qt asks for it
    # on every paint, and a search of the list would make a wide tree slow.
    row: int = 0

    def reindex(self) -> None:
        for i, c in enumerate(self.children):
            c.row = i

    def label(self) -> str:
        if self.kind == CATEGORY:
            return rules.category_label(self.number)
        if self.kind == FINDING:
            return rules.finding_label(self.number)
        if self.kind == ITEM:
            return rules.item_label(self.number)
        return ""

    def items(self) -> list[Node]:
        if self.kind == ITEM:
            return [self]
        return [i for c in self.children for i in c.items()]

    def done_count(self) -> tuple[int, int]:
        items = self.items()
        return sum(1 for i in items if i.status == DONE), len(items)


class OutlineLoader:
    """Reads rows of the outline; one instance per refresh, so deadlines are resolved with today's date."""

    def __init__(self, today: dt.date | None = None, immediate_days: int = rules.DEFAULT_IMMEDIATE_DAYS) -> None:
        self.today = today or dt.date.today()
        self.ctx = DeadlineContext(immediate_days)
        self.writeoffs = last_writeoff_actions()

    def fill_item(self, node: Node, row: ItemRow) -> None:
        node.id, node.number, node.position, node.title, node.status = row[0], row[2], row[3], row[4], row[5]
        node.department = row.department
        node.deadline_date = self.ctx.deadline(row)
        node.deadline = rules.deadline_display(row.deadline_date, row.deadline_text)
        node.overdue = rules.is_overdue(row.status, node.deadline_date, self.today)
        node.writeoff = writeoff_label(self.writeoffs.get(row.id))

    def load(self) -> list[Node]:
        """The whole outline, as a list of inspection nodes."""
        inspections: dict[int, Node] = {}
        for iid, pos, title in (
            Inspection.select(Inspection.id, Inspection.position, Inspection.title)
            .order_by(Inspection.position, Inspection.id)
            .tuples()
        ):
            inspections[iid] = Node(INSPECTION, iid, None, pos, 0, title)
        categories: dict[int, Node] = {}
        for cid, insp, pos, title in (
            Category.select(Category.id, Category.inspection, Category.position, Category.title)
            .order_by(Category.position, Category.id)
            .tuples()
        ):
            parent = inspections[insp]
            node = Node(CATEGORY, cid, parent, pos, len(parent.children) + 1, title)
            node.row = len(parent.children)
            parent.children.append(node)
            categories[cid] = node
        findings: dict[int, Node] = {}
        for fid, cat, pos, number, title in (
            Finding.select(Finding.id, Finding.category, Finding.position, Finding.number, Finding.title)
            .order_by(Finding.position, Finding.id)
            .tuples()
        ):
            parent = categories[cat]
            node = Node(FINDING, fid, parent, pos, number, title)
            node.row = len(parent.children)
            parent.children.append(node)
            findings[fid] = node
        for row in item_rows():
            parent = findings[row[1]]
            node = Node(ITEM, 0, parent)
            self.fill_item(node, row)
            node.row = len(parent.children)
            parent.children.append(node)
        roots = list(inspections.values())
        for i, r in enumerate(roots):
            r.row = i
        return roots

    def load_node(self, kind: str, row_id: int, parent: Node | None) -> Node | None:
        """One node with everything under it (after an insert or an undone delete)."""
        if kind == ITEM:
            rows = item_rows(item_ids=[row_id])
            if not rows:
                return None
            row = rows[0]
            node = Node(ITEM, row_id, parent)
            self.fill_item(node, row)
            return node
        model = KIND_MODELS[kind]
        rec = model.get_or_none(model.id == row_id)
        if rec is None:
            return None
        node = Node(kind, row_id, parent, rec.position, getattr(rec, "number", 0), rec.title)
        child_kind = CHILD_KIND[kind]
        if child_kind:
            child_model = KIND_MODELS[child_kind]
            fk = {CATEGORY: Category.inspection, FINDING: Finding.category, ITEM: Item.finding}[child_kind]
            for (cid,) in (
                child_model.select(child_model.id)
                .where(fk == row_id)
                .order_by(child_model.position, child_model.id)
                .tuples()
            ):
                child = self.load_node(child_kind, cid, node)
                if child:
                    node.children.append(child)
        node.reindex()
        if kind == INSPECTION:
            for i, c in enumerate(node.children, 1):
                c.number = i
        return node
