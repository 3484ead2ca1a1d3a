"""Changes to a ledger as undoable commands (修改命令).

Every change the window makes is one of these, run through :meth:`Ledger.apply` (the one door), which
wraps it in a transaction, writes the change log and tells the views. A command remembers what it needs
to undo itself at the moment it is done, so undo restores exactly what was there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from peewee import CharField, TextField, fn

from rectify_desktop.core import conflicts
from rectify_desktop.core.conflicts import ConflictError, UndoConflictError  # noqa: F401 - raised by SetFields
from rectify_desktop.core.models import (
    ACCOUNTABILITY_KINDS,
    AUDIT_AMOUNT_KINDS,
    MONEY_KINDS,
    Accountability,
    BaseModel,
    Blob,
    BlobChunk,
    Category,
    ChangeLog,
    Evidence,
    FillOutReturn,
    FillOutRound,
    Finding,
    Inspection,
    Institution,
    InstitutionItem,
    Item,
    Measure,
    Meeting,
    MeetingItem,
    MoneyEntry,
    ProgressReport,
    Setting,
    WriteOff,
)
from rectify_desktop.core.storage import LedgerError
from rectify_desktop.core.writeoff_lock import (  # noqa: F401 - the checks every command makes, named here too
    WRITTEN_OFF_FIXED,
    WRITTEN_OFF_LOCKED,
    WrittenOffError,
    check_may_move,
    check_may_remove,
    check_not_written_off,
    held_message,
    item_written_off,
    move_refusal,
    removal_refusal,
    written_off_items_under,
)

# The Chinese names of the things a clerk edits, for the change log and the undo menu.
ENTITY_NAMES: dict[type[BaseModel], str] = {
    Inspection: "巡察",
    Category: "方面",
    Finding: "问题",
    Item: "细化问题",
    Measure: "整改措施",
    Evidence: "佐证材料",
    WriteOff: "销号",
    Institution: "制度",
    Meeting: "会议",
    InstitutionItem: "制度关联",
    MeetingItem: "会议关联",
    Setting: "设置",
    Accountability: "问责",
    MoneyEntry: "资金",
    FillOutRound: "填报轮次",
    FillOutReturn: "填报回收",
    ProgressReport: "进展报告",
}

FIELD_NAMES: dict[str, str] = {
    "kind": "类型",
    "title": "标题",
    "inspecting_body": "巡察组",
    "inspected_unit": "被巡察单位",
    "period_start": "巡察开始日期",
    "period_end": "巡察结束日期",
    "feedback_date": "反馈日期",
    "notes": "备注",
    "description": "说明",
    "leader": "责任领导",
    "department": "责任部门",
    "person": "责任人",
    "deadline_date": "整改时限",
    "deadline_text": "整改时限",
    "status": "完成情况",
    "completed_date": "完成日期",
    "progress": "整改进展",
    "remarks": "备注",
    "text": "内容",
    "done": "已完成",
    "done_date": "完成日期",
    "name": "名称",
    "date": "日期",
    "doc_number": "文号",
    "note": "备注",
    "topic": "议题",
    "value": "值",
    "number": "序号",
    "position": "顺序",
    "people": "人数",
    "names": "姓名",
    # Stored in 元 (0.0001 万元), and the change log quotes what is stored.
    "amount": "金额（元）",
}

# The longest text a field may hold, in characters. Far beyond what a clerk writes (a title of two pages, a
# text of twenty), and short enough that the ledger, its exports and its printing stay quick: a title of
# 400 million characters once made a 420 MB ledger whose PDF export crashed.
TITLE_MAX = 2_000
TEXT_MAX = 50_000
# The fields that hold running text; every other text field (titles, names, dates as written) is a line.
LONG_FIELDS = frozenset({"description", "notes", "progress", "remarks", "text", "opinion", "note"})
# What the program itself writes (the change log quotes old and new values; settings hold lists).
_UNLIMITED: tuple[type[BaseModel], ...] = (ChangeLog, Setting, Blob, BlobChunk)


class FieldTooLongError(LedgerError):
    """A text longer than its field may hold; the message names the field and its limit."""


def field_limit(model: type[BaseModel], name: str) -> int | None:
    """The most characters field `name` of `model` may hold, or None when it is not a limited text."""
    if model in _UNLIMITED:
        return None
    f = model._meta.fields.get(name)
    if not isinstance(f, (CharField, TextField)):
        return None
    return TEXT_MAX if name in LONG_FIELDS else TITLE_MAX


def field_label(model: type[BaseModel], name: str) -> str:
    """ "细化问题的标题", "整改措施的内容": the field as the clerk knows it."""
    return f"{ENTITY_NAMES.get(model, '')}的{FIELD_NAMES.get(name, name)}"


def check_lengths(model: type[BaseModel], values: dict[str, Any]) -> None:
    """Refuses a value longer than its field may hold (the forms cut before; this is for every other path)."""
    for name, value in values.items():
        if isinstance(value, str):
            limit = field_limit(model, name)
            if limit is not None and len(value) > limit:
                raise FieldTooLongError(
                    f"{field_label(model, name)}太长（{len(value)} 字），最多 {limit} 字，未保存。请删减后再保存。"
                )


def check_result_values(model: type[BaseModel], values: dict[str, Any], item_id: int | None = None) -> None:
    """Refuses a 问责 or money entry the form would refuse (ops checks what the clerk typed; this holds for
    every other path, an import or a script): a kind not in the list, fewer than 1 person, an amount that is
    not a whole number of 元 (a float would make sums inexact), a negative amount. `item_id` is the item of
    an entry being edited; a new entry's is in `values`."""
    if model is Accountability:
        if "kind" in values and values["kind"] not in ACCOUNTABILITY_KINDS:
            raise ValueError(f"问责类型“{values['kind']}”无效，应为：{'、'.join(ACCOUNTABILITY_KINDS)}")
        people = values.get("people", 1)
        if isinstance(people, bool) or not isinstance(people, int) or people < 1:
            raise ValueError(f"人数“{people}”无效：人数须为不小于1的整数")
    elif model is MoneyEntry:
        kinds = MONEY_KINDS + AUDIT_AMOUNT_KINDS
        if "kind" in values and values["kind"] not in kinds:
            raise ValueError(f"资金类型“{values['kind']}”无效，应为：{'、'.join(kinds)}")
        has_item = values.get("item", item_id) is not None
        if values.get("kind") in AUDIT_AMOUNT_KINDS and not has_item:
            raise ValueError(f"{values['kind']}属于某一细化问题，不能记在整个巡察上")
        amount = values.get("amount", 0)
        if isinstance(amount, bool) or not isinstance(amount, int):
            raise ValueError(f"金额“{amount}”无效：须以元为单位的整数存储（即万元的4位小数）")
        if amount < 0:
            raise ValueError(f"金额“{amount}”为负数，金额不能为负")


# Children whose rows go with their parent when it is deleted (ON DELETE CASCADE), and references that
# are only cleared (ON DELETE SET NULL); both must come back on undo.
_CASCADES: dict[type[BaseModel], list[tuple[type[BaseModel], str]]] = {
    Inspection: [
        (Category, "inspection"),
        (Institution, "inspection"),
        (Meeting, "inspection"),
        (Accountability, "inspection"),
        (MoneyEntry, "inspection"),
        (FillOutRound, "inspection"),
        (ProgressReport, "inspection"),
    ],
    Category: [(Finding, "category")],
    Finding: [(Item, "finding")],
    Item: [
        (Measure, "item"),
        (Evidence, "item"),
        (WriteOff, "item"),
        (InstitutionItem, "item"),
        (MeetingItem, "item"),
        (Accountability, "item"),
        (MoneyEntry, "item"),
    ],
    Institution: [(InstitutionItem, "institution")],
    Meeting: [(MeetingItem, "meeting")],
    FillOutRound: [(FillOutReturn, "round")],
}
_SET_NULLS: dict[type[BaseModel], list[tuple[type[BaseModel], str]]] = {Measure: [(Evidence, "measure")]}

# Siblings share these fields: the manual order (position) is kept among them.
SIBLING_KEY: dict[type[BaseModel], str] = {
    Inspection: "",
    Category: "inspection",
    Finding: "category",
    Item: "finding",
    Measure: "item",
    Evidence: "item",
    Institution: "inspection",
    Meeting: "inspection",
    # An item's results in their order; those of the whole inspection (no item) share one order.
    Accountability: "item",
    MoneyEntry: "item",
}


@dataclass(frozen=True)
class Change:
    """What a command did, for the views to refresh: kind is insert, remove, update, move or renumber."""

    kind: str
    entity: type[BaseModel]
    id: int
    parent_id: int | None = None
    fields: tuple[str, ...] = ()
    # Who made it, when another window of a server ledger did (Ledger.poll_remote); "" for this window's own.
    by: str = ""


@dataclass
class LogEntry:
    action: str
    entity: str
    entity_id: int | None
    field: str = ""
    old: str | None = None
    new: str | None = None
    summary: str = ""


def _s(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _label(model: type[BaseModel], row_id: int) -> str:
    row = model.get_or_none(model.id == row_id)
    if row is None:
        return ""
    for attr in ("title", "text", "name", "topic", "key"):
        v = getattr(row, attr, None)
        if v:
            return str(v)[:40]
    return f"#{row_id}"


class Command:
    """An undoable change. Subclasses fill `text` (shown as 撤销“…”) and implement do and undo."""

    text: str = ""
    # Only sets fields of rows it locks itself: on a server, such commands run side by side (server.lock_for_write).
    row_scoped: bool = False

    def do(self) -> list[Change]:
        raise NotImplementedError

    def undo(self) -> list[Change]:
        raise NotImplementedError

    def log(self) -> list[LogEntry]:
        """What `do` changed, for the change log; written after do, so ids of new rows are known."""
        return []


class SetFields(Command):
    """Sets fields of one row; remembers their old values.

    `seen` is what the editor showed when the clerk began the edit (the row as loaded, or a dict of the
    fields' values with "row_version"): a field someone else has changed since refuses the edit with a
    ConflictError instead of being overwritten (core/conflicts.py). Undo and redo are checked the same way."""

    def __init__(
        self,
        model: type[BaseModel],
        row_id: int,
        values: dict[str, Any],
        text: str = "",
        *,
        seen: BaseModel | dict[str, Any] | None = None,
    ) -> None:
        self.model = model
        self.row_id = row_id
        self.values = dict(values)
        self.old: dict[str, Any] = {}
        self.base, self.base_version = conflicts.base_of(seen, list(self.values))
        name = "、".join(dict.fromkeys(FIELD_NAMES.get(k, k) for k in values))
        self.text = text or f"修改{ENTITY_NAMES.get(model, '')}{name}"

    def _write(self, values: dict[str, Any]) -> list[Change]:
        if values:
            bump = {"row_version": self.model.row_version + 1} if "row_version" in self.model._meta.fields else {}
            self.model.update(**values, **bump).where(self.model.id == self.row_id).execute()
        return [Change("update", self.model, self.row_id, fields=tuple(values))]

    row_scoped = True

    def _row(self, undo: bool = False) -> BaseModel:
        q = self.model.select().where(self.model.id == self.row_id)
        if self.model._meta.database.for_update:  # a server: the row is locked until the edit commits
            q = q.for_update()
        row = q.first()
        if row is None:
            label = ENTITY_NAMES.get(self.model, "")
            what = "撤销未执行" if undo else "您的修改未保存"
            raise (conflicts.UndoConflictError if undo else conflicts.ConflictError)(
                f"该{label}已被删除（可能是他人刚刚删除的），{what}。", self.model, self.row_id, gone=True
            )
        return row

    def _refuse(self, found: dict[str, Any], *, undo: bool) -> None:
        label = f"该{ENTITY_NAMES.get(self.model, '')}"
        fields = [FIELD_NAMES.get(k, k) for k in found]
        who = conflicts.last_writer(ENTITY_NAMES.get(self.model, ""), self.row_id, conflicts.me(), fields)
        if undo:
            msg = conflicts.undo_message(label, FIELD_NAMES, found, who)
            raise conflicts.UndoConflictError(msg, self.model, self.row_id, found, who, values=self.old)
        msg = conflicts.conflict_message(label, FIELD_NAMES, found, who)
        raise conflicts.ConflictError(msg, self.model, self.row_id, found, who, values=self.values)

    def do(self) -> list[Change]:
        row = self._row()
        found = conflicts.clashes(row, self.values, self.base, self.base_version)
        if found:
            self._refuse(found, undo=False)
        check_not_written_off(self.model, self.row_id)
        check_lengths(self.model, self.values)
        check_result_values(self.model, self.values, getattr(row, "item_id", None))
        self.old = {k: conflicts.value_of(row, k) for k in self.values}
        return self._write(self.values)

    def undo(self) -> list[Change]:
        # Undo puts back only what this edit wrote: a field changed by someone else since stops it.
        found = conflicts.clashes(self._row(undo=True), self.old, self.values, None)
        if found:
            self._refuse({k: (b, self.old[k], t) for k, (b, _m, t) in found.items()}, undo=True)
        changes = self._write(self.old)
        self.base, self.base_version = dict(self.old), None  # a redo must find what the undo left
        return changes

    def log(self) -> list[LogEntry]:
        ent = ENTITY_NAMES.get(self.model, self.model.__name__)
        return [
            LogEntry("修改", ent, self.row_id, FIELD_NAMES.get(k, k), _s(self.old.get(k)), _s(v), self.text)
            for k, v in self.values.items()
            if self.old.get(k) != v
        ]


def _fk_names(model: type[BaseModel]) -> set[str]:
    return {f.name for f in model._meta.refs}


def _parent_id(model: type[BaseModel], values: dict[str, Any]) -> int | None:
    key = SIBLING_KEY.get(model, "")
    if not key:
        return None
    v = values.get(key)
    return int(v.id if isinstance(v, BaseModel) else v) if v is not None else None


def _siblings(model: type[BaseModel], parent_id: int | None) -> Any:
    key = SIBLING_KEY.get(model, "")
    q = model.select()
    if key:
        q = q.where(getattr(model, key) == parent_id)
    return q


def next_finding_number(inspection_id: int) -> int:
    m = Finding.select(fn.MAX(Finding.number)).where(Finding.inspection == inspection_id).scalar()
    return (m or 0) + 1


def next_item_number(finding_id: int) -> int:
    m = Item.select(fn.MAX(Item.number)).where(Item.finding == finding_id).scalar()
    return (m or 0) + 1


class Insert(Command):
    """Adds a row at the end of its siblings, or at `index` among them (0-based), and numbers it."""

    def __init__(self, model: type[BaseModel], values: dict[str, Any], index: int | None = None) -> None:
        self.model = model
        self.values = dict(values)
        self.index = index
        self.row_id: int | None = None
        self.shifted: list[tuple[int, int]] = []
        self.text = f"新增{ENTITY_NAMES.get(model, '')}"

    def do(self) -> list[Change]:
        m = self.model
        if m is not Item:  # a new item is not written off; a new measure or evidence of one is refused
            check_not_written_off(m, values=self.values)
        check_lengths(m, self.values)
        check_result_values(m, self.values)
        values = dict(self.values)
        parent = _parent_id(m, values)
        if "position" in m._meta.fields and "position" not in values:
            sibs = list(_siblings(m, parent).order_by(m.position, m.id))
            if self.index is None or self.index >= len(sibs):
                values["position"] = (sibs[-1].position + 1) if sibs else 0
            else:
                pos = sibs[self.index].position
                # Make room: later siblings move one place down, remembered for undo.
                self.shifted = [(s.id, s.position) for s in sibs[self.index :]]
                for s in sibs[self.index :]:
                    m.update(position=m.position + 1).where(m.id == s.id).execute()
                values["position"] = pos
        if m is Finding and "number" not in values:
            if "inspection" not in values:
                values["inspection"] = Category.get_by_id(_parent_id(m, values)).inspection_id
            values["number"] = next_finding_number(int(values["inspection"]))
        if m is Item and "number" not in values:
            values["number"] = next_item_number(int(parent or 0))
        if self.row_id is not None:
            values["id"] = self.row_id  # redo gives the row back its id, so later commands still find it
        self.row_id = int(m.insert(**values).execute())
        self.values_done = values
        self.made = _content(m, self.row_id)
        return [Change("insert", m, self.row_id, parent)]

    def undo(self) -> list[Change]:
        assert self.row_id is not None
        m = self.model
        _insert_check(self)
        parent = _parent_id(m, self.values_done)
        m.delete().where(m.id == self.row_id).execute()
        for sid, pos in self.shifted:
            m.update(position=pos).where(m.id == sid).execute()
        return [Change("remove", m, self.row_id, parent)]

    def log(self) -> list[LogEntry]:
        ent = ENTITY_NAMES.get(self.model, self.model.__name__)
        return [LogEntry("新增", ent, self.row_id, new=_label(self.model, self.row_id or 0), summary=self.text)]


def _content(model: type[BaseModel], row_id: int) -> dict[str, Any]:
    """What a row says, without what others may change without touching its content (version, place)."""
    row = model.select().where(model.id == row_id).dicts().first() or {}
    return {k: v for k, v in row.items() if k not in ("row_version", "position")}


def _insert_check(cmd: Insert) -> None:
    """Undoing an insertion deletes the row with all under it: refused when someone else has since written in it
    or added under it, so that undo never takes away another person's work (one's own later edits are undone
    first, so they are gone by then)."""
    m, row_id = cmd.model, cmd.row_id
    assert row_id is not None
    label = ENTITY_NAMES.get(m, "")
    now = _content(m, row_id)
    if not now:
        raise UndoConflictError(f"撤销未执行：新增的{label}已被他人删除。", m, row_id, gone=True)
    snap = _Snapshot()
    _collect(m, [row_id], snap)
    under = sum(len(rows) for _, rows in snap.rows) - 1
    changed = [FIELD_NAMES.get(k, k) for k, v in now.items() if getattr(cmd, "made", now).get(k) != v]
    if under or changed:
        who = conflicts.last_writer(label, row_id, conflicts.me()) or "他人"
        what = f"修改了它的{'、'.join(changed)}" if changed else f"在其下添加了 {under} 条内容"
        raise UndoConflictError(
            f"撤销未执行：新增的{label}已被{who}{what}。撤销只撤回您自己的修改，不会删除他人的内容。",
            m,
            row_id,
            who=who,
        )


@dataclass
class _Snapshot:
    rows: list[tuple[type[BaseModel], list[dict[str, Any]]]] = field(default_factory=list)
    nulls: list[tuple[type[BaseModel], str, int, int]] = field(default_factory=list)


def _collect(model: type[BaseModel], ids: list[int], snap: _Snapshot) -> None:
    if not ids:
        return
    rows = list(model.select().where(model.id.in_(ids)).dicts())
    snap.rows.append((model, rows))
    for child, fk in _CASCADES.get(model, []):
        child_ids = [r["id"] for r in child.select(child.id).where(getattr(child, fk).in_(ids)).dicts()]
        _collect(child, child_ids, snap)
    for child, fk in _SET_NULLS.get(model, []):
        for r in child.select(child.id, getattr(child, fk)).where(getattr(child, fk).in_(ids)).dicts():
            snap.nulls.append((child, fk, r["id"], r[fk]))


def _parents_first(
    collected: list[tuple[type[BaseModel], list[dict[str, Any]]]],
) -> list[tuple[type[BaseModel], list[dict[str, Any]]]]:
    """The rows of a snapshot by model, each row once, every model after the models it refers to: a link
    of an item to a register (制度关联) is reached both from the item and from the register, and must be
    put back after both, or undoing the deletion of an inspection fails on its foreign keys."""
    rows: dict[type[BaseModel], dict[int, dict[str, Any]]] = {}
    for model, found in collected:
        bucket = rows.setdefault(model, {})
        for r in found:
            bucket.setdefault(r["id"], r)
    out: list[tuple[type[BaseModel], list[dict[str, Any]]]] = []
    placed: set[type[BaseModel]] = set()
    while len(placed) < len(rows):
        ready = [
            m
            for m in rows
            if m not in placed and all(ref in placed or ref not in rows or ref is m for ref in m._meta.model_refs)
        ]
        for m in ready or [next(m for m in rows if m not in placed)]:  # a circle of references: as collected
            out.append((m, list(rows[m].values())))
            placed.add(m)
    return out


class Delete(Command):
    """Deletes a row with everything under it; undo puts every row back with its own id."""

    def __init__(self, model: type[BaseModel], row_id: int) -> None:
        self.model = model
        self.row_id = row_id
        self.snap = _Snapshot()
        self.title = ""
        self.text = f"删除{ENTITY_NAMES.get(model, '')}"

    def do(self) -> list[Change]:
        if self.model is not Item:
            check_not_written_off(self.model, self.row_id)
        check_may_remove(self.model, self.row_id)
        self.title = _label(self.model, self.row_id)
        self.snap = _Snapshot()
        _collect(self.model, [self.row_id], self.snap)
        parent = _parent_id(self.model, self.snap.rows[0][1][0])
        self.model.delete().where(self.model.id == self.row_id).execute()
        return [Change("remove", self.model, self.row_id, parent)]

    def undo(self) -> list[Change]:
        for model, rows in _parents_first(self.snap.rows):
            for i in range(0, len(rows), 200):
                model.insert_many(rows[i : i + 200]).execute()
        for model, fk, rid, value in self.snap.nulls:
            model.update(**{fk: value}).where(model.id == rid).execute()
        parent = _parent_id(self.model, self.snap.rows[0][1][0])
        return [Change("insert", self.model, self.row_id, parent)]

    def log(self) -> list[LogEntry]:
        ent = ENTITY_NAMES.get(self.model, self.model.__name__)
        n = sum(len(r) for _, r in self.snap.rows) - 1
        summary = self.text + (f"（连同其下 {n} 条记录）" if n else "")
        return [LogEntry("删除", ent, self.row_id, old=self.title, summary=summary)]


class Move(Command):
    """Moves a row one place up (delta -1) or down (+1) among its siblings."""

    def __init__(self, model: type[BaseModel], row_id: int, delta: int) -> None:
        self.model = model
        self.row_id = row_id
        self.delta = delta
        self.swapped: list[tuple[int, int]] = []
        self.parent: int | None = None
        self.text = f"{'上移' if delta < 0 else '下移'}{ENTITY_NAMES.get(model, '')}"

    def do(self) -> list[Change]:
        m = self.model
        if m is not Item:
            check_not_written_off(m, self.row_id)
        check_may_move(m, self.row_id)
        row = m.get_by_id(self.row_id)
        key = SIBLING_KEY.get(m, "")
        self.parent = getattr(row, key + "_id") if key else None
        sibs = [(r.id, r.position) for r in _siblings(m, self.parent).order_by(m.position, m.id)]
        i = [s[0] for s in sibs].index(self.row_id)
        j = i + self.delta
        if not 0 <= j < len(sibs):
            self.swapped = []
            return []
        # Positions may repeat after hand edits of the file; give the whole list clean positions first.
        order = [s[0] for s in sibs]
        order[i], order[j] = order[j], order[i]
        self.swapped = [(sid, pos) for sid, pos in sibs]
        for pos, sid in enumerate(order):
            m.update(position=pos).where(m.id == sid).execute()
        return [Change("move", m, self.row_id, self.parent)]

    def undo(self) -> list[Change]:
        m = self.model
        for sid, pos in self.swapped:
            m.update(position=pos).where(m.id == sid).execute()
        return [Change("move", m, self.row_id, self.parent)] if self.swapped else []

    def log(self) -> list[LogEntry]:
        if not self.swapped:
            return []
        ent = ENTITY_NAMES.get(self.model, self.model.__name__)
        return [LogEntry(self.text[:2], ent, self.row_id, summary=self.text + "：" + _label(self.model, self.row_id))]


# The parent a finding or an item may be moved under (移动到…): its field and the parent's model.
MOVE_PARENTS: dict[type[BaseModel], tuple[str, type[BaseModel]]] = {
    Finding: ("category", Category),
    Item: ("finding", Finding),
}


class MoveTo(Command):
    """Moves a finding to another category, or an item to another finding, of the same inspection (移动到…).

    The moved row goes to the end of its new parent. No one else is renumbered (as for 上移/下移): a finding
    keeps its number (findings are numbered across the inspection), an item takes the next free number of
    its new finding; the gap it leaves stays until the clerk chooses 重新编号."""

    def __init__(self, model: type[BaseModel], row_id: int, parent_id: int) -> None:
        if model not in MOVE_PARENTS:
            raise ValueError(f"不能移动{ENTITY_NAMES.get(model, '')}到别处")
        self.model = model
        self.row_id = row_id
        self.parent_id = parent_id
        self.old: dict[str, Any] = {}
        self.new: dict[str, Any] = {}
        self.text = f"移动{ENTITY_NAMES.get(model, '')}"

    def do(self) -> list[Change]:
        m = self.model
        key, parent_model = MOVE_PARENTS[m]
        check_may_move(m, self.row_id)
        row = m.get_by_id(self.row_id)
        old_parent = int(getattr(row, key + "_id"))
        parent = parent_model.get_or_none(parent_model.id == self.parent_id)
        if parent is None:
            raise LedgerError(f"要移到的{ENTITY_NAMES[parent_model]}已不存在")
        if old_parent == self.parent_id:
            raise LedgerError(f"该{ENTITY_NAMES[m]}已在这个{ENTITY_NAMES[parent_model]}下")
        if _inspection_of(m, row) != _inspection_of(parent_model, parent):
            raise LedgerError(f"只能在同一次巡察内移动{ENTITY_NAMES[m]}")
        last = m.select(fn.MAX(m.position)).where(getattr(m, key) == self.parent_id).scalar()
        self.old = {key: old_parent, "position": row.position}
        self.new = {key: self.parent_id, "position": (last + 1) if last is not None else 0}
        if m is Item:
            self.old["number"] = row.number
            self.new["number"] = next_item_number(self.parent_id)
        m.update(**self.new).where(m.id == self.row_id).execute()
        return [Change("remove", m, self.row_id, old_parent), Change("insert", m, self.row_id, self.parent_id)]

    def undo(self) -> list[Change]:
        m = self.model
        key = MOVE_PARENTS[m][0]
        m.update(**self.old).where(m.id == self.row_id).execute()
        return [Change("remove", m, self.row_id, self.new[key]), Change("insert", m, self.row_id, self.old[key])]

    def log(self) -> list[LogEntry]:
        key, parent_model = MOVE_PARENTS[self.model]
        ent = ENTITY_NAMES[self.model]
        where = ENTITY_NAMES[parent_model]
        summary = f"{self.text}：{_label(self.model, self.row_id)}"
        return [
            LogEntry(
                "移动",
                ent,
                self.row_id,
                f"所属{where}",
                _label(parent_model, self.old[key]),
                _label(parent_model, self.new[key]),
                summary,
            )
        ]


def _inspection_of(model: type[BaseModel], row: Any) -> int:
    if model is Category:
        return int(row.inspection_id)
    if model is Finding:
        return int(row.inspection_id)
    return int(Finding.get_by_id(row.finding_id).inspection_id)


def _free_numbers(order: list[tuple[int, int]], kept: set[int]) -> list[tuple[int, int]]:
    """(id, new number) for rows in `order` (id, old number): the rows in `kept` keep theirs, the others are
    numbered 1, 2, 3 … in order around the numbers those keep."""
    taken = {num for rid, num in order if rid in kept}
    out: list[tuple[int, int]] = []
    n = 1
    for rid, num in order:
        if rid in kept:
            out.append((rid, num))
            continue
        while n in taken:
            n += 1
        out.append((rid, n))
        n += 1
    return out


class Renumber(Command):
    """Numbers the findings of an inspection 1, 2, 3 … in their order, and each finding's items （1）（2）….

    A written-off item (已销号) keeps its number, and so does the finding that holds it: the approved
    write-off paperwork names the item as 问题3（2）, and the ledger must go on saying so. The other rows
    are numbered around them; `kept` counts the written-off items that kept their number."""

    def __init__(self, inspection_id: int) -> None:
        self.inspection_id = inspection_id
        self.old_findings: list[tuple[int, int]] = []
        self.old_items: list[tuple[int, int]] = []
        self.changed = 0
        self.kept = 0
        self.text = "重新编号"

    def do(self) -> list[Change]:
        findings = list(
            Finding.select(Finding.id, Finding.number)
            .join(Category)
            .where(Finding.inspection == self.inspection_id)
            .order_by(Category.position, Category.id, Finding.position, Finding.id)
        )
        self.old_findings = [(f.id, f.number) for f in findings]
        items = list(
            Item.select(Item.id, Item.number, Item.finding)
            .join(Finding)
            .where(Finding.inspection == self.inspection_id)
            .order_by(Item.finding, Item.position, Item.id)
        )
        self.old_items = [(it.id, it.number) for it in items]
        locked = set(written_off_items_under(Inspection, self.inspection_id))
        self.kept = len(locked)
        by_finding: dict[int, list[tuple[int, int]]] = {}
        for it in items:
            by_finding.setdefault(it.finding_id, []).append((it.id, it.number))
        new_items = [pair for rows in by_finding.values() for pair in _free_numbers(rows, locked)]
        held = {it.finding_id for it in items if it.id in locked}
        new_findings = _free_numbers(self.old_findings, held)
        self.changed = sum(a != b for a, b in zip(self.old_findings, new_findings, strict=True)) + sum(
            a != b for a, b in zip(self.old_items, new_items, strict=True)
        )
        self._apply(new_findings, new_items)
        return [Change("renumber", Inspection, self.inspection_id)]

    def _apply(self, findings: list[tuple[int, int]], items: list[tuple[int, int]]) -> None:
        # Finding numbers are unique per inspection: park them on negatives first so no two ever clash.
        for fid, _ in findings:
            Finding.update(number=-fid).where(Finding.id == fid).execute()
        for fid, num in findings:
            Finding.update(number=num).where(Finding.id == fid).execute()
        for iid, num in items:
            Item.update(number=num).where(Item.id == iid).execute()

    def undo(self) -> list[Change]:
        self._apply(self.old_findings, self.old_items)
        return [Change("renumber", Inspection, self.inspection_id)]

    def log(self) -> list[LogEntry]:
        return [LogEntry("重新编号", "巡察", self.inspection_id, summary=f"重新编号（{self.changed} 处序号改变）")]


class Batch(Command):
    """Several commands as one step: one transaction, one undo."""

    def __init__(self, text: str, commands: Iterable[Command]) -> None:
        self.text = text
        self.commands = list(commands)
        self.row_scoped = all(c.row_scoped for c in self.commands)

    def do(self) -> list[Change]:
        out: list[Change] = []
        for c in self.commands:
            out += c.do()
        return out

    def undo(self) -> list[Change]:
        out: list[Change] = []
        for c in reversed(self.commands):
            out += c.undo()
        return out

    def log(self) -> list[LogEntry]:
        return [e for c in self.commands for e in c.log()]
