"""The figures people quote (统计): counts by status, completion rate, overdue, written off.

Totals and rates count items (细化问题), as DOMAIN.md says: "13个问题细化为29个".
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass, field
from typing import Any, NamedTuple

from peewee import fn

from rectify_desktop.core import rules
from rectify_desktop.core.models import (
    DONE,
    IN_PROGRESS,
    NOT_STARTED,
    ONGOING,
    STATUSES,
    WO_APPLY,
    WO_APPROVE,
    Category,
    Finding,
    Inspection,
    Item,
    Measure,
    WriteOff,
    db,
)


class ItemRow(NamedTuple):
    """What the tree and the figures need of an item, read in one query."""

    id: int
    finding_id: int
    number: int
    position: int
    title: str
    status: str
    deadline_date: dt.date | None
    deadline_text: str
    inspection_id: int
    department: str


def as_date(value: object) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value  # type: ignore[return-value]
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def item_rows(inspection_id: int | None = None, item_ids: list[int] | None = None) -> list[ItemRow]:
    """Items in their manual order, read with plain SQL: peewee's conversion of every value would triple
    the time of opening a 10,000-item ledger."""
    sql = (
        "SELECT i.id, i.finding_id, CAST(i.number AS INTEGER), CAST(i.position AS INTEGER), i.title, i.status,"
        " i.deadline_date, i.deadline_text,"
        " f.inspection_id, i.department FROM item i JOIN finding f ON f.id = i.finding_id"
    )
    where, params = [], []
    if inspection_id is not None:
        where.append("f.inspection_id = ?")
        params.append(inspection_id)
    if item_ids is not None:
        where.append(f"i.id IN ({','.join('?' * len(item_ids))})")
        params += list(item_ids)
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY i.finding_id, CAST(i.position AS INTEGER), i.id"  # CAST: a stray text reads as 0
    dates: dict[object, dt.date | None] = {None: None}  # deadlines repeat: parse each text once
    out = []
    for r in db.execute_sql(sql, params).fetchall():
        d = r[6]
        if d not in dates:
            dates[d] = as_date(d)
        out.append(ItemRow(*r[:6], dates[d], *r[7:]))
    return out


class DeadlineContext:
    """Resolves items' deadlines with their inspection's year and feedback date (for 立行立改, 6月底前)."""

    def __init__(self, immediate_days: int = rules.DEFAULT_IMMEDIATE_DAYS) -> None:
        self.immediate_days = immediate_days
        self._insp: dict[int, tuple[int | None, dt.date | None]] = {}
        for iid, feedback, start in Inspection.select(
            Inspection.id, Inspection.feedback_date, Inspection.period_start
        ).tuples():
            ref = feedback or start
            self._insp[iid] = (ref.year if ref else None, feedback)

    def deadline(self, row: ItemRow) -> dt.date | None:
        year, feedback = self._insp.get(row.inspection_id, (None, None))
        return rules.effective_deadline(
            row.deadline_date,
            row.deadline_text,
            year=year,
            feedback_date=feedback,
            immediate_days=self.immediate_days,
        )


def last_writeoff_actions(inspection_id: int | None = None) -> dict[int, str]:
    """Each item's last write-off step, which is its write-off state."""
    last_ids = WriteOff.select(fn.MAX(WriteOff.id)).group_by(WriteOff.item)
    q = WriteOff.select(WriteOff.item, WriteOff.action).where(WriteOff.id.in_(last_ids))
    if inspection_id is not None:
        q = q.join(Item).join(Finding).where(Finding.inspection == inspection_id)
    return {item_id: action for item_id, action in q.tuples()}


@dataclass
class Stats:
    categories: int = 0
    findings: int = 0
    items: int = 0
    measures: int = 0
    status: dict[str, int] = field(default_factory=lambda: {s: 0 for s in STATUSES})
    written_off: int = 0
    writeoff_pending: int = 0
    overdue: int = 0
    due_7: int = 0
    due_30: int = 0
    completion_percent: float = 0.0
    completion_whole: int = 0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def done(self) -> int:
        return self.status[DONE]

    def count_item(self, status: str, days_left: int | None) -> None:
        """Counts an item by its status (an unknown word as 未启动) and, from its days left (rules.days_left),
        as overdue or due within 7 or 30 days."""
        self.status[status if status in self.status else NOT_STARTED] += 1
        if days_left is not None:
            if days_left < 0:
                self.overdue += 1
            elif days_left <= 7:
                self.due_7 += 1
            if 0 <= days_left <= 30:
                self.due_30 += 1

    def headline(self, source: str = "巡察") -> str:
        """The notice's headline sentence: 巡察反馈的13个问题细化为29项，已整改完成28项，正在推进1项，完成率97%."""
        parts = [f"{source}反馈的{self.findings}个问题细化为{self.items}项", f"已整改完成{self.done}项"]
        # 长期坚持 by its own name, as the window's cards and the status bar say it (DOMAIN.md: "also called
        # 持续整改"); one name everywhere, so a reader never wonders whether they are two kinds.
        for s in (IN_PROGRESS, ONGOING, NOT_STARTED):
            if self.status[s]:
                parts.append(f"{s}{self.status[s]}项")
        parts.append(f"完成率{self.completion_whole}%")
        return "，".join(parts)

    def status_line(self) -> str:
        """The status bar's line: 13个问题 · 29项 · 已完成28 · 正在推进1 · 完成率97%."""
        parts = [f"{self.findings}个问题", f"{self.items}项", f"已完成{self.done}"]
        for s in (IN_PROGRESS, NOT_STARTED, ONGOING):
            if self.status[s]:
                parts.append(f"{s}{self.status[s]}")
        parts.append(f"完成率{self.completion_whole}%")
        if self.overdue:
            parts.append(f"逾期{self.overdue}")
        if self.written_off:
            parts.append(f"已销号{self.written_off}")
        return " · ".join(parts)


class Scan(NamedTuple):
    """An inspection's items read once, with their resolved deadlines: what every figure is counted from."""

    rows: list[ItemRow]
    deadlines: dict[int, dt.date | None]


def scan(inspection_id: int | None, immediate_days: int = rules.DEFAULT_IMMEDIATE_DAYS) -> Scan:
    ctx = DeadlineContext(immediate_days)
    rows = item_rows(inspection_id)
    return Scan(rows, {r.id: ctx.deadline(r) for r in rows})


def compute(
    inspection_id: int | None = None,
    today: dt.date | None = None,
    immediate_days: int = rules.DEFAULT_IMMEDIATE_DAYS,
    items: Scan | None = None,
) -> Stats:
    """The figures of one inspection, or of the whole ledger when `inspection_id` is None."""
    today = today or dt.date.today()
    s = Stats()
    cq = Category.select()
    fq = Finding.select()
    mq = Measure.select().join(Item).join(Finding)
    if inspection_id is not None:
        cq = cq.where(Category.inspection == inspection_id)
        fq = fq.where(Finding.inspection == inspection_id)
        mq = mq.where(Finding.inspection == inspection_id)
    s.categories, s.findings, s.measures = cq.count(), fq.count(), mq.count()
    items = items or scan(inspection_id, immediate_days)
    s.items = len(items.rows)
    for r in items.rows:
        s.count_item(r.status, rules.days_left(r.status, items.deadlines[r.id], today))
    for action in last_writeoff_actions(inspection_id).values():
        if action == WO_APPROVE:
            s.written_off += 1
        elif action == WO_APPLY:
            s.writeoff_pending += 1
    s.completion_percent = rules.percent_one_decimal(s.done, s.items)
    s.completion_whole = rules.percent_whole(s.done, s.items)
    return s


def newly_overdue(
    since: dt.date, today: dt.date | None = None, immediate_days: int = rules.DEFAULT_IMMEDIATE_DAYS
) -> list[ItemRow]:
    """Items not done whose deadline fell between `since` (the last opening) and today: what became late."""
    today = today or dt.date.today()
    ctx = DeadlineContext(immediate_days)
    out = []
    for r in item_rows():
        d = ctx.deadline(r)
        if d is not None and since <= d < today and rules.is_overdue(r.status, d, today):
            out.append(r)
    return out


NO_DEPARTMENT = "（未明确责任部门）"
_NAME_SEPARATORS = re.compile(r"[、，,；;/／\s]+")


def split_names(text: str) -> list[str]:
    """The names a responsibility cell holds, in the order written ("基础教育股、办公室": the first leads)."""
    return [p for p in _NAME_SEPARATORS.split(text or "") if p]


def departments_of(text: str) -> list[str]:
    """The departments an item names; an item counts for each, and one naming none for 未明确."""
    return list(dict.fromkeys(split_names(text))) or [NO_DEPARTMENT]


@dataclass
class GroupFigures:
    """The figures of one category or one department, for the 统计 sheet and the overview."""

    name: str
    key: int | str = 0  # the category's id, or the department's name
    items: int = 0
    done: int = 0
    in_progress: int = 0
    not_started: int = 0
    ongoing: int = 0
    overdue: int = 0

    def add(self, status: str, overdue: bool) -> None:
        self.items += 1
        self.done += status == DONE
        self.in_progress += status == IN_PROGRESS
        self.ongoing += status == ONGOING
        self.not_started += status not in (DONE, IN_PROGRESS, ONGOING)
        self.overdue += overdue

    @classmethod
    def total(cls, name: str, groups: list[GroupFigures]) -> GroupFigures:
        """The sum of several groups (the 合计 row of the categories, which do not overlap)."""
        t = cls(name, name)
        for attr in ("items", "done", "in_progress", "not_started", "ongoing", "overdue"):
            setattr(t, attr, sum(getattr(g, attr) for g in groups))
        return t

    @property
    def rate(self) -> float:
        return rules.percent_one_decimal(self.done, self.items)

    def values(self) -> list[int | float]:
        return [self.items, self.done, self.in_progress, self.not_started, self.ongoing, self.overdue, self.rate]


def breakdown(
    inspection_id: int,
    today: dt.date | None = None,
    immediate_days: int = rules.DEFAULT_IMMEDIATE_DAYS,
    items: Scan | None = None,
) -> tuple[list[GroupFigures], list[GroupFigures]]:
    """Figures by category (in ledger order, labelled （一）…) and by department (most items first)."""
    today = today or dt.date.today()
    cats = list(
        Category.select(Category.id, Category.title)
        .where(Category.inspection == inspection_id)
        .order_by(Category.position, Category.id)
        .tuples()
    )
    by_cat = {cid: GroupFigures(f"{rules.category_label(i)}{title}", cid) for i, (cid, title) in enumerate(cats, 1)}
    cat_of = dict(Finding.select(Finding.id, Finding.category).where(Finding.inspection == inspection_id).tuples())
    by_dept: dict[str, GroupFigures] = {}
    items = items or scan(inspection_id, immediate_days)
    named: dict[str, list[str]] = {}  # the same department cell comes back on many rows
    for r in items.rows:
        overdue = rules.is_overdue(r.status, items.deadlines[r.id], today)
        cat = by_cat.get(cat_of.get(r.finding_id, 0))
        if cat is not None:
            cat.add(r.status, overdue)
        names = named.get(r.department)
        if names is None:
            names = named[r.department] = departments_of(r.department)
        for d in names:
            group = by_dept.get(d)
            if group is None:
                group = by_dept[d] = GroupFigures(d, d)
            group.add(r.status, overdue)
    order = {name: i for i, name in enumerate(by_dept)}
    depts = sorted(by_dept.values(), key=lambda g: (-g.items, order[g.name]))
    return list(by_cat.values()), depts


def upcoming(
    inspection_id: int,
    limit: int = 10,
    today: dt.date | None = None,
    immediate_days: int = rules.DEFAULT_IMMEDIATE_DAYS,
    items: Scan | None = None,
) -> list[tuple[ItemRow, dt.date, int]]:
    """The next deadlines of items still to be done: (item, deadline, days left), soonest first."""
    today = today or dt.date.today()
    items = items or scan(inspection_id, immediate_days)
    out = []
    for r in items.rows:
        d = items.deadlines[r.id]
        left = rules.days_left(r.status, d, today)
        if d is not None and left is not None and left >= 0:
            out.append((r, d, left))
    out.sort(key=lambda t: (t[1], t[0].id))
    return out[:limit]


@dataclass
class Figures:
    """Everything the overview and the status bar show of one inspection, counted in one pass."""

    stats: Stats
    by_category: list[GroupFigures]
    by_department: list[GroupFigures]
    upcoming: list[tuple[ItemRow, dt.date, int]]


def figures(
    inspection_id: int, today: dt.date | None = None, immediate_days: int = rules.DEFAULT_IMMEDIATE_DAYS
) -> Figures:
    today = today or dt.date.today()
    items = scan(inspection_id, immediate_days)
    by_cat, by_dept = breakdown(inspection_id, today, immediate_days, items)
    return Figures(
        compute(inspection_id, today, immediate_days, items),
        by_cat,
        by_dept,
        upcoming(inspection_id, 8, today, immediate_days, items),
    )
