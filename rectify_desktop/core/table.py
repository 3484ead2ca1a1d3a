"""The ledger as a table (台账表): one row per item, in the columns of DOMAIN.md.

The Excel export, the printout and the lists all lay out the same rows, so that a printed ledger and its
Excel file never disagree. Category and finding cells span the rows of their items.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

from rectify_desktop.core import rules
from rectify_desktop.core import settings as ledger_settings
from rectify_desktop.core.models import (
    DONE,
    WO_APPROVE,
    Category,
    Evidence,
    Finding,
    Inspection,
    Item,
    Measure,
    WriteOff,
    db,
)
from rectify_desktop.core.ops import writeoff_label
from rectify_desktop.core.stats import DeadlineContext, as_date, item_rows

COLUMNS: tuple[str, ...] = (
    "序号",
    "方面",
    "问题",
    "细化问题",
    "整改措施",
    "责任领导",
    "责任部门",
    "责任人",
    "整改时限",
    "整改进展",
    "完成情况",
    "佐证材料",
    "销号情况",
    "备注",
)
# Column keys, in the order of COLUMNS, for code that picks columns by meaning.
KEYS: tuple[str, ...] = (
    "seq",
    "category",
    "finding",
    "item",
    "measures",
    "leader",
    "department",
    "person",
    "deadline",
    "progress",
    "status",
    "evidence",
    "writeoff",
    "remarks",
)


class _ItemDetail(NamedTuple):
    id: int
    number: int
    title: str
    leader: str
    department: str
    person: str
    deadline_date: dt.date | None
    deadline_text: str
    status: str
    completed_date: dt.date | None
    progress: str
    remarks: str


@dataclass
class LedgerRow:
    """One item's row: its cells by key, and what a layout needs to mark or group it."""

    item_id: int
    category_id: int
    finding_id: int
    cells: dict[str, str]
    status: str
    overdue: bool
    deadline: dt.date | None
    written_off: bool

    def values(self, keys: tuple[str, ...] = KEYS) -> list[str]:
        return [self.cells[k] for k in keys]


@dataclass
class Span:
    """Rows first..last (indexes into LedgerTable.rows, inclusive) that share one category or finding cell."""

    key: str
    first: int
    last: int


@dataclass
class LedgerTable:
    inspection: Inspection
    rows: list[LedgerRow] = field(default_factory=list)

    @property
    def title(self) -> str:
        return ledger_title(self.inspection)

    def spans(self, key: str) -> list[Span]:
        """Runs of rows with the same category ("category") or finding ("finding")."""
        attr = "category_id" if key == "category" else "finding_id"
        out: list[Span] = []
        for i, r in enumerate(self.rows):
            if out and getattr(self.rows[out[-1].first], attr) == getattr(r, attr):
                out[-1].last = i
            else:
                out.append(Span(key, i, i))
        return out


def ledger_title(insp: Inspection) -> str:
    """The ledger's title: the inspection's own, or one made from who inspected whom."""
    if insp.title:
        return insp.title
    unit = insp.inspected_unit or "本单位"
    body = insp.inspecting_body or f"{insp.kind}组"
    return f"{unit}关于{body}反馈意见整改落实台账"


def cn_date(d: dt.date | None) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if d else ""


def build_table(
    inspection_id: int,
    *,
    today: dt.date | None = None,
    immediate_days: int | None = None,
    keep: Callable[[LedgerRow], bool] | None = None,
) -> LedgerTable:
    """The rows of one inspection in ledger order (category, finding, item by their manual order).

    `keep` filters rows (not yet done, overdue, one department …); spans are computed on what is kept.
    立行立改 counts `immediate_days`, by default the ledger's own setting, as the window's lists do.
    """
    today = today or dt.date.today()
    if immediate_days is None:
        immediate_days = ledger_settings.get_int("immediate_days")
    insp = Inspection.get_by_id(inspection_id)
    cats = list(Category.select().where(Category.inspection == inspection_id).order_by(Category.position, Category.id))
    cat_label = {c.id: f"{rules.category_label(i)}{c.title}" for i, c in enumerate(cats, 1)}
    cat_order = {c.id: i for i, c in enumerate(cats)}
    findings = {f.id: f for f in Finding.select().where(Finding.inspection == inspection_id)}
    finding_order = sorted(findings.values(), key=lambda f: (cat_order.get(f.category_id, 0), f.position, f.id))
    rank = {f.id: i for i, f in enumerate(finding_order)}
    ctx = DeadlineContext(immediate_days)
    rows = sorted(item_rows(inspection_id), key=lambda r: (rank.get(r.finding_id, 0), r.position, r.id))
    # Plain SQL: model instances for 10,000 items would take longer than the rest of the export.
    details = {
        d[0]: _ItemDetail(d[0], d[1], d[2], d[3], d[4], d[5], as_date(d[6]), d[7], d[8], as_date(d[9]), d[10], d[11])
        for d in db.execute_sql(
            "SELECT i.id, CAST(i.number AS INTEGER), i.title, i.leader, i.department, i.person, i.deadline_date,"
            " i.deadline_text,"
            " i.status, i.completed_date, i.progress, i.remarks FROM item i JOIN finding f ON f.id = i.finding_id"
            " WHERE f.inspection_id = ?",
            (inspection_id,),
        ).fetchall()
    }
    measures: dict[int, list[str]] = defaultdict(list)
    for item_id, text in (
        Measure.select(Measure.item, Measure.text)
        .join(Item)
        .join(Finding)
        .where(Finding.inspection == inspection_id)
        .order_by(Measure.item, Measure.position, Measure.id)
        .tuples()
    ):
        measures[item_id].append(text)
    evidence: dict[int, list[str]] = defaultdict(list)
    for item_id, name in (
        Evidence.select(Evidence.item, Evidence.name)
        .join(Item)
        .join(Finding)
        .where(Finding.inspection == inspection_id)
        .order_by(Evidence.item, Evidence.position, Evidence.id)
        .tuples()
    ):
        evidence[item_id].append(name)
    last_wo: dict[int, WriteOff] = {}
    for wo in (
        WriteOff.select().join(Item).join(Finding).where(Finding.inspection == inspection_id).order_by(WriteOff.id)
    ):
        last_wo[wo.item_id] = wo
    table = LedgerTable(insp)
    seq = 0
    for r in rows:
        it = details[r.id]
        f = findings[r.finding_id]
        deadline = ctx.deadline(r)
        wo = last_wo.get(r.id)
        if wo is None:
            wo_text = ""
        elif wo.action == WO_APPROVE:
            wo_text = "已销号" + (f"（{cn_date(wo.date)}）" if wo.date else "")
        else:
            # What the state means for a reader, as the tree says it: after 撤销销号 the item is no longer
            # written off and stands as one never applied for (its history keeps the steps), so the cell is
            # empty rather than showing the step's raw word.
            wo_text = writeoff_label(wo.action)
        status = it.status + (f"（{cn_date(it.completed_date)}）" if it.status == DONE and it.completed_date else "")
        row = LedgerRow(
            item_id=r.id,
            category_id=f.category_id,
            finding_id=f.id,
            cells={
                "seq": "",
                "category": cat_label.get(f.category_id, ""),
                "finding": f"{rules.finding_label(f.number)}{f.title}",
                "item": f"{rules.item_label(it.number)}{it.title}",
                "measures": rules.measures_text(measures.get(r.id, [])),
                "leader": it.leader,
                "department": it.department,
                "person": it.person,
                "deadline": rules.deadline_display(it.deadline_date, it.deadline_text),
                "progress": it.progress,
                "status": status,
                "evidence": "\n".join(evidence.get(r.id, [])),
                "writeoff": wo_text,
                "remarks": it.remarks,
            },
            status=it.status,
            overdue=rules.is_overdue(it.status, deadline, today),
            deadline=deadline,
            written_off=bool(wo and wo.action == WO_APPROVE),
        )
        if keep is not None and not keep(row):
            continue
        seq += 1
        row.cells["seq"] = str(seq)
        table.rows.append(row)
    return table
