"""Reading the change log (修改记录) and an item's write-off steps (销号记录), for the history views.

The change log (:class:`ChangeLog`) is written by the ledger's one door; each row names its entity by the
Chinese name of :data:`commands.ENTITY_NAMES` and its id. Here it is read back: the whole ledger's log with a
date range and a text filter, the rows that belong to one node of the tree (an item with its measures,
evidence and write-offs), and readable names for the objects the rows speak of. Nothing here imports Qt.

Every query is ordered by id (the log's rowid, which grows with time) and limited, so that a log of a
million rows still answers at once; ``(entity, entity_id)`` and ``at`` are the columns to index.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import reduce
from typing import Any

from rectify_desktop.core import results, rules
from rectify_desktop.core.commands import ENTITY_NAMES, FIELD_NAMES, SIBLING_KEY, Change, LogEntry
from rectify_desktop.core.models import (
    Accountability,
    BaseModel,
    Category,
    ChangeLog,
    Evidence,
    Finding,
    Inspection,
    Institution,
    InstitutionItem,
    Item,
    Measure,
    Meeting,
    MeetingItem,
    MoneyEntry,
    Setting,
    WriteOff,
)

DEFAULT_LIMIT = 2000
NODE_LIMIT = 500

# The kinds of node a history can be asked for; the tree's four (see outline) and the rows without a node.
KIND_MODELS: dict[str, type[BaseModel]] = {
    "inspection": Inspection,
    "category": Category,
    "finding": Finding,
    "item": Item,
    "measure": Measure,
    "evidence": Evidence,
    "writeoff": WriteOff,
    "institution": Institution,
    "meeting": Meeting,
}
ENTITY_MODELS: dict[str, type[BaseModel]] = {name: model for model, name in ENTITY_NAMES.items()}

# Rows that have no node of their own and are shown in the history of the node they belong to: (model,
# its foreign key to the node).
_OWNED: dict[type[BaseModel], list[tuple[type[BaseModel], str]]] = {
    Item: [
        (Measure, "item"),
        (Evidence, "item"),
        (WriteOff, "item"),
        (InstitutionItem, "item"),
        (MeetingItem, "item"),
        (Accountability, "item"),
        (MoneyEntry, "item"),
    ],
    Inspection: [
        (Institution, "inspection"),
        (Meeting, "inspection"),
        (Accountability, "inspection"),
        (MoneyEntry, "inspection"),
    ],
    Institution: [(InstitutionItem, "institution")],
    Meeting: [(MeetingItem, "meeting")],
}

_LABEL_WIDTH = 30


@dataclass(frozen=True)
class LogRow:
    """One row of the change log, as the history views show it."""

    id: int
    at: dt.datetime | None
    user: str
    batch: int
    action: str
    entity: str
    entity_id: int | None
    field: str
    old: str | None
    new: str | None
    summary: str


_COLUMNS = (
    ChangeLog.id,
    ChangeLog.at,
    ChangeLog.user,
    ChangeLog.batch,
    ChangeLog.action,
    ChangeLog.entity,
    ChangeLog.entity_id,
    ChangeLog.field,
    ChangeLog.old,
    ChangeLog.new,
    ChangeLog.summary,
)


_SEARCHED = (
    ChangeLog.user,
    ChangeLog.action,
    ChangeLog.entity,
    ChangeLog.field,
    ChangeLog.old,
    ChangeLog.new,
    ChangeLog.summary,
)


# The log keeps an amount as stored (whole 元), so that it is exact and an undo of the log is possible; the
# history says it in 万元, as the clerk typed it and the notice prints it.
_STORED_AMOUNT, _AMOUNT_SAID = FIELD_NAMES["amount"], "金额（万元）"


def _wan(stored: str | None) -> str | None:
    try:
        return results.amount_text(results.from_units(int(stored))) if stored is not None else None
    except ValueError:  # a row written by another tool: shown as it is
        return stored


def _rows(query: Any) -> list[LogRow]:
    """LogRows of a query ordered newest first; the rows of one change (one batch) keep the order in which
    they were written, so that "完成情况 → 已完成" comes before the completion date it brought."""
    out: list[LogRow] = []
    group: list[LogRow] = []
    for rid, at, user, batch, action, entity, entity_id, field, old, new, summary in query.tuples():
        if isinstance(at, str):  # a row written by another tool may hold text peewee cannot read as a time
            at = _parse_time(at)
        if field == _STORED_AMOUNT:
            field, old, new = _AMOUNT_SAID, _wan(old), _wan(new)
        row = LogRow(
            rid, at, user or "", batch or 0, action or "", entity or "", entity_id, field or "", old, new, summary or ""
        )
        if group and group[0].batch != row.batch:
            out += reversed(group)
            group = []
        group.append(row)
    out += reversed(group)
    return out


def _parse_time(text: str) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(text.strip())
    except ValueError:
        return None


def ledger_log(
    since: dt.date | None = None,
    until: dt.date | None = None,
    text: str = "",
    limit: int = DEFAULT_LIMIT,
) -> list[LogRow]:
    """The whole ledger's change log, newest first: rows of the days `since` to `until` (both included,
    either open), whose operator, action, object, field, values or summary contain `text`; at most `limit`.

    Ask for ``limit + 1`` rows to learn whether more than `limit` match.
    """
    conds: list[Any] = []
    # `at` is stored as "YYYY-MM-DD HH:MM:SS": a day's bounds compare as text.
    if since is not None:
        conds.append(ChangeLog.at >= since.isoformat())
    if until is not None:
        conds.append(ChangeLog.at < (until + dt.timedelta(days=1)).isoformat())
    for word in text.split():
        # peewee's contains: a % or _ typed by the clerk looked for as such (escaped), and ASCII letters
        # in either case, as SQLite's LIKE finds them; it is ILIKE on a server, whose LIKE minds the case.
        like = [f.contains(word) for f in _SEARCHED]
        conds.append(reduce(operator.or_, like))
    q = ChangeLog.select(*_COLUMNS)
    for c in conds:
        q = q.where(c)
    return _rows(q.order_by(ChangeLog.id.desc()).limit(max(0, limit)))


def node_rows(kind: str, row_id: int) -> dict[str, list[int]]:
    """The log's (entity name → ids) that make up the history of a node: the node itself and the rows that
    have no node of their own under it (an item's measures, evidence, write-offs and register links; an
    inspection's rules and meetings)."""
    model = KIND_MODELS.get(kind)
    if model is None:
        raise ValueError(f"未知的节点类型：{kind}")
    out: dict[str, list[int]] = {ENTITY_NAMES[model]: [row_id]}
    todo: list[tuple[type[BaseModel], list[int]]] = [(model, [row_id])]
    while todo:
        parent, ids = todo.pop()
        for child, fk in _OWNED.get(parent, []):
            child_ids = [r for (r,) in child.select(child.id).where(getattr(child, fk).in_(ids)).tuples()]
            if child_ids:
                out.setdefault(ENTITY_NAMES[child], []).extend(child_ids)
                todo.append((child, child_ids))
    return out


def node_log(kind: str, row_id: int, limit: int = NODE_LIMIT) -> list[LogRow]:
    """The change log of one node (see node_rows), newest first, at most `limit` rows.

    An item's rows are found by the item they record (ChangeLog.item_id), so that those of a measure or an
    evidence file since deleted stay in its history; rows written before that column (schema version 2)
    and not traced to an item by the migration are found through what is still under the node.
    """
    parts = node_rows(kind, row_id)
    match = (ChangeLog.item_id == row_id) if KIND_MODELS[kind] is Item else None
    for entity, ids in parts.items():
        # entity = ? AND entity_id IN (…): one search per part on an index of (entity, entity_id).
        e = (ChangeLog.entity == entity) & (ChangeLog.entity_id.in_(sorted(set(ids))))
        match = e if match is None else (match | e)
    q = ChangeLog.select(*_COLUMNS).where(match).order_by(ChangeLog.id.desc()).limit(max(0, limit))
    return _rows(q)


# The children of an item whose change-log rows belong to its history, by their change-log name.
_ITEM_CHILDREN: dict[str, type[BaseModel]] = {
    ENTITY_NAMES[m]: m for m in (Measure, Evidence, WriteOff, InstitutionItem, MeetingItem, Accountability, MoneyEntry)
}
_ITEM_NAME = ENTITY_NAMES[Item]


def entry_items(entries: Sequence[LogEntry], changes: Sequence[Change]) -> list[int | None]:
    """The item (细化问题) each change-log entry is about, None for what belongs to no item.

    Asked when the command has run: a deleted measure or evidence is gone by then, and is known from the
    command's changes (a removal names its parent, the item), else from the log's earlier rows about it."""
    parents: dict[tuple[str, int], int] = {}
    for c in changes:
        name = ENTITY_NAMES.get(c.entity)
        if name in _ITEM_CHILDREN and c.parent_id is not None and SIBLING_KEY.get(c.entity) == "item":
            parents[(name, c.id)] = int(c.parent_id)
    wanted: dict[str, set[int]] = {}
    for e in entries:
        if e.entity in _ITEM_CHILDREN and isinstance(e.entity_id, int) and (e.entity, e.entity_id) not in parents:
            wanted.setdefault(e.entity, set()).add(e.entity_id)
    for entity, idset in wanted.items():
        model = _ITEM_CHILDREN[entity]
        found = dict(_in_chunks(model, sorted(idset), model.item))  # type: ignore[attr-defined]
        for rid, item_id in found.items():
            if item_id is not None:  # a 问责 or 资金 entry of the whole inspection belongs to no item
                parents[(entity, rid)] = int(item_id)
        gone = sorted(idset - found.keys())
        for i in range(0, len(gone), 500):
            q = (
                ChangeLog.select(ChangeLog.entity_id, ChangeLog.item_id)
                .where(
                    (ChangeLog.entity == entity)
                    & ChangeLog.entity_id.in_(gone[i : i + 500])
                    & ChangeLog.item_id.is_null(False)
                )
                .order_by(ChangeLog.id)
                .tuples()
            )
            for rid, item_id in q:
                parents[(entity, rid)] = int(item_id)
    out: list[int | None] = []
    for e in entries:
        if not isinstance(e.entity_id, int):
            out.append(None)
        elif e.entity == _ITEM_NAME:
            out.append(e.entity_id)
        else:
            out.append(parents.get((e.entity, e.entity_id)))
    return out


def writeoff_steps(item_id: int) -> list[WriteOff]:
    """The item's write-off steps (申请, 批准, 退回) in the order they were taken."""
    return list(WriteOff.select().where(WriteOff.item == item_id).order_by(WriteOff.id))


# --- names of the objects the log speaks of ------------------------------------------------------------


def _short(text: str, width: int = _LABEL_WIDTH) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _item_refs(ids: Iterable[int]) -> dict[int, str]:
    """2（1）: an item by its finding's number and its own."""
    ids = sorted(set(ids))
    out: dict[int, str] = {}
    for i in range(0, len(ids), 500):
        q = (
            Item.select(Item.id, Item.number, Finding.number)
            .join(Finding)
            .where(Item.id.in_(ids[i : i + 500]))
            .tuples()
        )
        for iid, num, fnum in q:
            out[iid] = f"{fnum}{rules.item_label(num)}"
    return out


def _in_chunks(model: type[BaseModel], ids: list[int], *fields: Any) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    for i in range(0, len(ids), 500):
        rows += list(model.select(model.id, *fields).where(model.id.in_(ids[i : i + 500])).tuples())
    return rows


def object_labels(rows: Iterable[LogRow]) -> dict[tuple[str, int], str]:
    """Readable names of the objects of `rows` that still exist: 细化问题 → "2（1）标题", 整改措施 → "2（1）的措施：…".

    A few queries per kind of object, whatever the number of rows; deleted objects are left out.
    """
    wanted: dict[str, set[int]] = {}
    for r in rows:
        if isinstance(r.entity_id, int):
            wanted.setdefault(r.entity, set()).add(r.entity_id)
    out: dict[tuple[str, int], str] = {}

    def put(entity: str, rid: int, text: str) -> None:
        out[(entity, rid)] = text

    for entity, idset in wanted.items():
        ids = sorted(idset)
        model = ENTITY_MODELS.get(entity)
        if model is None:
            continue
        if model is Inspection:
            for rid, title in _in_chunks(Inspection, ids, Inspection.title):
                put(entity, rid, _short(title))
        elif model is Category:
            for rid, title in _in_chunks(Category, ids, Category.title):
                put(entity, rid, _short(title))
        elif model is Finding:
            for rid, num, title in _in_chunks(Finding, ids, Finding.number, Finding.title):
                put(entity, rid, _short(f"{rules.finding_label(num)}{title}"))
        elif model is Item:
            refs = _item_refs(ids)
            for rid, title in _in_chunks(Item, ids, Item.title):
                put(entity, rid, _short(f"{refs.get(rid, '')} {title}".strip()))
        elif model in (Measure, Evidence, WriteOff):
            text_field = {Measure: Measure.text, Evidence: Evidence.name, WriteOff: WriteOff.action}[model]
            rows_ = _in_chunks(model, ids, model.item, text_field)  # type: ignore[attr-defined]
            refs = _item_refs(r[1] for r in rows_)
            for rid, item_id, text in rows_:
                ref = refs.get(item_id, "")
                if model is Measure:
                    put(entity, rid, _short(f"{ref}的措施：{text}"))
                elif model is Evidence:
                    put(entity, rid, _short(f"{ref}的佐证：{text}"))
                else:
                    put(entity, rid, f"{ref}{text}")
        elif model is Institution:
            for rid, title in _in_chunks(Institution, ids, Institution.title):
                put(entity, rid, _short(title or "（未命名制度）"))
        elif model is Meeting:
            for rid, kind, date in _in_chunks(Meeting, ids, Meeting.kind, Meeting.date):
                put(entity, rid, f"{kind}（{date.isoformat()}）" if date else kind)
        elif model in (InstitutionItem, MeetingItem):
            owner = InstitutionItem.institution if model is InstitutionItem else MeetingItem.meeting
            rows_ = _in_chunks(model, ids, owner, model.item)  # type: ignore[attr-defined]
            refs = _item_refs(r[2] for r in rows_)
            for rid, _owner_id, item_id in rows_:
                put(entity, rid, f"关联{refs.get(item_id, '')}")
        elif model in (Accountability, MoneyEntry):
            # 问责 and 资金 entries by what they say (诫勉2人, 追回23.8万元); until now shown as deleted.
            size = Accountability.people if model is Accountability else MoneyEntry.amount
            rows_ = _in_chunks(model, ids, model.item, model.kind, size)  # type: ignore[attr-defined]
            refs = _item_refs(r[1] for r in rows_ if r[1] is not None)
            for rid, item_id, kind, n in rows_:
                what = (
                    f"{kind}{n}人"
                    if model is Accountability
                    else f"{kind}{results.amount_text(results.from_units(n))}万元"
                )
                put(entity, rid, f"{refs[item_id]}的{what}" if item_id in refs else what)
        elif model is Setting:
            pass  # settings are keyed by name, not by id
    return out


def locate(entity: str, entity_id: int | None) -> tuple[str, int] | None:
    """Where a log row's object is shown: a node of the tree ("item", id …) for the ledger's rows and their
    measures, evidence and write-offs, ("institution" / "meeting", id) for the registers; None when gone."""
    model = ENTITY_MODELS.get(entity)
    if model is None or model is Setting or not isinstance(entity_id, int):
        return None  # settings have no place in the tree, and are keyed by name
    row = model.get_or_none(model.id == entity_id)
    if row is None:
        return None
    tree = {Inspection: "inspection", Category: "category", Finding: "finding", Item: "item"}
    if model in tree:
        return tree[model], entity_id
    if model in (Measure, Evidence, WriteOff):
        return "item", int(row.item_id)
    if model is Institution:
        return "institution", entity_id
    if model is Meeting:
        return "meeting", entity_id
    if model is InstitutionItem:
        return "institution", int(row.institution_id)
    if model is MeetingItem:
        return "meeting", int(row.meeting_id)
    return None
