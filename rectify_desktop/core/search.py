"""Search and filter over the ledger's items (查找与筛选), fast enough to run on every keystroke.

The index reads each item's searchable text once (titles, descriptions, measures, progress, remarks,
people, and its finding's and category's titles) so that a query over 10,000 items is a scan of strings
in memory, not a database query.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from rectify_desktop.core import rules
from rectify_desktop.core.models import WO_APPLY, WO_APPROVE, db
from rectify_desktop.core.stats import (
    NO_DEPARTMENT,
    DeadlineContext,
    ItemRow,
    as_date,
    departments_of,
    last_writeoff_actions,
    split_names,
)

OVERDUE = "overdue"
DUE_7 = "due7"
DUE_30 = "due30"
WRITTEN_OFF = "written_off"
NOT_WRITTEN_OFF = "not_written_off"
PENDING = "pending"


@dataclass(frozen=True)
class Query:
    """A filter a clerk sets: text words (all must occur) and any of the field conditions."""

    text: str = ""
    status: str | None = None
    department: str | None = None
    person: str | None = None
    leader: str | None = None
    deadline: str | None = None  # OVERDUE, DUE_7, DUE_30
    writeoff: str | None = None  # WRITTEN_OFF, NOT_WRITTEN_OFF, PENDING
    inspection_id: int | None = None
    category_id: int | None = None
    # The items behind a figure of 整改成效 (an explicit list, not a condition on the items' fields). An empty
    # tuple is a filter that matches nothing, unlike None (no such condition).
    item_ids: tuple[int, ...] | None = None

    def is_empty(self) -> bool:
        return not (
            self.text.strip()
            or self.status
            or self.department
            or self.person
            or self.leader
            or self.deadline
            or self.writeoff
            or self.inspection_id is not None
            or self.category_id is not None
            or self.item_ids is not None
        )


@dataclass
class ItemFacts:
    id: int
    inspection_id: int
    category_id: int
    text: str  # lower-cased, all searchable fields joined
    status: str
    department: str
    person: str
    leader: str
    days_left: int | None
    written_off: bool
    pending: bool


class SearchIndex:
    """The items of the open ledger, ready to be filtered. Build a new one after the ledger changed."""

    def __init__(self, today: dt.date | None = None, immediate_days: int = rules.DEFAULT_IMMEDIATE_DAYS) -> None:
        self.today = today or dt.date.today()
        ctx = DeadlineContext(immediate_days)
        measures: dict[int, list[str]] = defaultdict(list)
        # Ordered: SQLite hands rows back in id order unasked, a server in whatever order it finds them.
        for item_id, text in db.execute_sql("SELECT item_id, text FROM measure ORDER BY id").fetchall():
            measures[item_id].append(text)
        writeoffs = last_writeoff_actions()
        self.items: list[ItemFacts] = []
        sql = (
            "SELECT i.id, i.finding_id, CAST(i.number AS INTEGER), CAST(i.position AS INTEGER), i.title, i.status,"
            " i.deadline_date, i.deadline_text,"
            " f.inspection_id, i.department, i.description, i.progress, i.remarks, i.leader, i.person,"
            " f.title, f.description, c.title, c.id"
            " FROM item i JOIN finding f ON f.id = i.finding_id JOIN category c ON c.id = f.category_id ORDER BY i.id"
        )
        for r in db.execute_sql(sql).fetchall():
            row = ItemRow(*r[:6], as_date(r[6]), *r[7:10])
            desc, progress, remarks, leader, person, ftitle, fdesc, ctitle, cat_id = r[10:]
            parts = [row.title, desc, progress, remarks, leader, row.department, person, ftitle, fdesc, ctitle]
            parts += measures.get(row.id, [])
            self.items.append(
                ItemFacts(
                    id=row.id,
                    inspection_id=row.inspection_id,
                    category_id=cat_id,
                    text="\n".join(p for p in parts if p).lower(),
                    status=row.status,
                    department=row.department,
                    person=person,
                    leader=leader,
                    days_left=rules.days_left(row.status, ctx.deadline(row), self.today),
                    written_off=writeoffs.get(row.id) == WO_APPROVE,
                    pending=writeoffs.get(row.id) == WO_APPLY,
                )
            )

    @classmethod
    def empty(cls) -> SearchIndex:
        """An index of no items, for a window with no ledger open."""
        index = cls.__new__(cls)
        index.today = dt.date.today()
        index.items = []
        return index

    def names(self, field: str) -> list[str]:
        """The distinct departments, persons or leaders, split where one cell names several."""
        seen: dict[str, int] = {}
        for it in self.items:
            value = getattr(it, field)
            names = [n for n in departments_of(value) if n != NO_DEPARTMENT] if field == "department" else None
            for name in names if names is not None else split_names(value):
                seen[name] = seen.get(name, 0) + 1
        return sorted(seen, key=lambda n: (-seen[n], n))

    def match(self, q: Query) -> set[int]:
        """The ids of the items that meet every condition of the query."""
        words = [w.lower() for w in q.text.split()]
        if words and q == Query(text=q.text):
            # Text alone, the case of every keystroke: one pass in a comprehension.
            return {it.id for it in self.items if all(w in it.text for w in words)}
        out: set[int] = set()
        ids = frozenset(q.item_ids) if q.item_ids is not None else None
        for it in self.items:
            if ids is not None and it.id not in ids:
                continue
            if q.inspection_id is not None and it.inspection_id != q.inspection_id:
                continue
            if q.category_id is not None and it.category_id != q.category_id:
                continue
            if q.status and it.status != q.status:
                continue
            if q.department and q.department not in departments_of(it.department):
                continue
            if q.person and q.person not in split_names(it.person):
                continue
            if q.leader and q.leader not in split_names(it.leader):
                continue
            if q.deadline:
                left = it.days_left
                if left is None:
                    continue
                if q.deadline == OVERDUE and left >= 0:
                    continue
                if q.deadline == DUE_7 and not 0 <= left <= 7:
                    continue
                if q.deadline == DUE_30 and not 0 <= left <= 30:
                    continue
            if q.writeoff == WRITTEN_OFF and not it.written_off:
                continue
            if q.writeoff == NOT_WRITTEN_OFF and it.written_off:
                continue
            if q.writeoff == PENDING and not it.pending:
                continue
            if words and not all(w in it.text for w in words):
                continue
            out.add(it.id)
        return out
