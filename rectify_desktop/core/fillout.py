"""The fill-out round in the ledger (填报轮次): who gets which items, what an item said when sent, and the
merge plan of the returned workbooks (回收合并) with the one command that applies what the clerk accepted.

The workbooks themselves are io's business (io/fillout_export.py writes them, io/fillout_merge.py reads them
back into a :class:`MergePlan`); everything here is plain data and commands, so that the window's dialog and
the command line share it. Nothing here imports Qt or openpyxl.

What an item said (:func:`item_states`) is one canonical dict per item, the same at export and at merge:
the answer fields as the workbook's cells show them, its measures (id, done) and its evidence names. The
export writes it into the workbook's hidden sheet with a hash; the merge compares three versions of every
field: the ledger now (old), the workbook as sent (sent) and the department's answer (new).

For the window's dialogs (文件 → 下发填报表 / 回收填报表), with the ledger open:

- 下发: ``round_groups(inspection_id, by)`` lists who would get which items (and the items naming no one);
  ``io.fillout_export.export_round(ledger, out_dir, by, inspection_id=…, deadline=…, note=…, groups=[…])``
  writes the workbooks and records the round itself (through ``ledger.apply``: the window refreshes as for
  any edit; the round is not on the window's undo stack, since undoing it would orphan the files sent).
- 回收: ``io.fillout_merge.read_returns(paths)`` gives a :class:`MergePlan` without writing: ``files`` (each
  with its group, round or ``refused`` reason), ``entries`` (one :class:`ItemEntry` per returned row that
  changes something: item ref, title, group, file, ``held`` reason, and its :class:`FieldChange` s with
  old/sent/new/``conflict``/``note``), ``conflicts`` (every message, with the id of the entry or field it
  holds back), ``notes`` and ``to_attach``. Tick what ``plan.default_accepted()`` returns, let the clerk
  untick fields (their ids) or tick conflicting ones, then push ``apply_plan(plan, accepted)``: one command
  for the undo stack. An entry's id accepts its fields without a conflict; a conflicting field is accepted
  only by its own id; two different answers accepted for one field are refused with a message.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from rectify_desktop.core import conflicts
from rectify_desktop.core.commands import (
    ENTITY_NAMES,
    FIELD_NAMES,
    WRITTEN_OFF_LOCKED,
    Batch,
    Change,
    Command,
    Insert,
    LogEntry,
    _s,
    check_lengths,
    written_off_items_under,
)
from rectify_desktop.core.evidence import clean_name, guess_kind
from rectify_desktop.core.models import (
    DONE,
    STATUSES,
    Evidence,
    FillOutReturn,
    FillOutRound,
    Finding,
    Inspection,
    Item,
    Measure,
    db,
)
from rectify_desktop.core.stats import NO_DEPARTMENT, split_names
from rectify_desktop.core.storage import LedgerError

# Who a round is sent to: an item goes to each department (leader, person) its cell names.
BY_FIELDS: dict[str, str] = {"department": "责任部门", "leader": "责任领导", "person": "责任人"}
# The fields a department answers, with their column headers.
ANSWER_LABELS: dict[str, str] = {
    "progress": "整改进展",
    "status": "完成情况",
    "completed_date": "完成时间",
    "evidence": "佐证材料",
    "remarks": "备注",
}
TICK_DONE = "已完成"
TICK_OPEN = "未完成"
FORMAT_VERSION = 1


# --- who gets what ----------------------------------------------------------------------------------


def round_groups(inspection_id: int, by: str = "department") -> tuple[dict[str, list[int]], list[int]]:
    """The groups of a round (the departments, leaders or persons the items name, in order of first
    appearance) with their items in ledger order, and the items that name no one (sent to nobody).

    An item naming two departments ("基础教育股、办公室") goes to both. A written-off item (已销号) goes to
    nobody: its content is what was approved and may not change."""
    if by not in BY_FIELDS:
        raise ValueError(f"未知的填报方式：{by}（应为 department、leader 或 person）")
    if Inspection.get_or_none(Inspection.id == inspection_id) is None:
        raise LedgerError(f"台账中没有编号为 {inspection_id} 的巡察")
    from rectify_desktop.core.table import build_table  # the ledger's order of items

    held = set(written_off_items_under(Inspection, inspection_id))
    order = [r.item_id for r in build_table(inspection_id).rows if r.item_id not in held]
    names = dict(Item.select(Item.id, getattr(Item, by)).where(Item.id.in_(order)).tuples()) if order else {}
    groups: dict[str, list[int]] = {}
    nobody: list[int] = []
    for iid in order:
        found = list(dict.fromkeys(split_names(names.get(iid) or "")))
        if not found:
            nobody.append(iid)
        for g in found:
            if g != NO_DEPARTMENT:
                groups.setdefault(g, []).append(iid)
    return groups, nobody


# --- what an item said -----------------------------------------------------------------------------


def _iso(value: Any) -> str:
    if isinstance(value, dt.datetime):
        value = value.date()
    return value.isoformat() if isinstance(value, dt.date) else ""


def item_states(item_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """What each item says now, as the fill-out compares it: progress, status, completed_date (ISO or ""),
    remarks, evidence (names in order) and measures ([id, done] in order)."""
    ids = list(dict.fromkeys(item_ids))
    out: dict[int, dict[str, Any]] = {}
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        marks = ",".join("?" * len(chunk))
        for iid, progress, status, completed, remarks in db.execute_sql(
            f"SELECT id, progress, status, completed_date, remarks FROM item WHERE id IN ({marks})", chunk
        ).fetchall():
            out[iid] = {
                "progress": progress or "",
                "status": status or "",
                "completed_date": _iso(completed) if not isinstance(completed, str) else completed[:10],
                "remarks": remarks or "",
                "evidence": [],
                "measures": [],
            }
        for iid, mid, done in db.execute_sql(
            f"SELECT item_id, id, done FROM measure WHERE item_id IN ({marks})"
            " ORDER BY item_id, CAST(position AS INTEGER), id",
            chunk,
        ).fetchall():
            out[iid]["measures"].append([mid, bool(done)])
        for iid, name in db.execute_sql(
            f"SELECT item_id, name FROM evidence WHERE item_id IN ({marks})"
            " ORDER BY item_id, CAST(position AS INTEGER), id",
            chunk,
        ).fetchall():
            out[iid]["evidence"].append(name or "")
    return out


def state_hash(item_id: int, sent: dict[str, Any], token: str) -> str:
    """The hash of a row as sent (its item, what it said, the round): a key or hidden value edited by hand
    no longer matches it. Not a secret: it tells a changed key from an intact one."""
    text = json.dumps([item_id, sent, token], ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def round_command(
    inspection_id: int,
    by: str,
    token: str,
    groups: list[str],
    *,
    sent_at: dt.datetime,
    note: str = "",
    before: Command | None = None,
) -> Command:
    """The round's row (FillOutRound) as one undoable step; `before` (storing the ledger's identity the first
    time) goes with it."""
    insert = Insert(
        FillOutRound,
        {
            "inspection": inspection_id,
            "sent_at": sent_at,
            "by": by,
            "token": token,
            "groups": json.dumps(groups, ensure_ascii=False),
            "note": note,
        },
    )
    insert.text = f"下发填报表（按{BY_FIELDS[by]}，{len(groups)}份）"
    return Batch(insert.text, [c for c in (before, insert) if c is not None])


# --- the merge plan ---------------------------------------------------------------------------------


@dataclass
class FieldChange:
    """One field an answer changes (old → new), with what the workbook said when sent.

    `field` is progress, status, completed_date, remarks, measure:<id> or evidence:<name> (a new material
    name, registered without its file). `conflict` says why it is not applied without the clerk's word."""

    id: str
    item_id: int
    field: str
    label: str
    old: Any
    sent: Any
    new: Any
    conflict: str = ""
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            k: getattr(self, k) for k in ("id", "item_id", "field", "label", "old", "sent", "new", "conflict", "note")
        }


@dataclass
class ItemEntry:
    """One returned row: the item, who answered it, from which file, and the fields it changes.
    `held` (a row whose locked columns or key were changed, a file of an older round) keeps every field
    out of :meth:`MergePlan.default_accepted`."""

    id: str
    item_id: int
    ref: str
    title: str
    group: str
    file: str
    fields: list[FieldChange] = field(default_factory=list)
    held: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "item_id": self.item_id,
            "ref": self.ref,
            "title": self.title,
            "group": self.group,
            "file": self.file,
            "held": self.held,
            "fields": [f.to_json() for f in self.fields],
        }


@dataclass
class Conflict:
    """A conflict, in the clerk's words, with where it is (file, group, row, item) and the entry it holds."""

    message: str
    file: str = ""
    group: str = ""
    row: int | None = None
    item_id: int | None = None
    entry: str = ""  # the id of the ItemEntry or FieldChange it holds back ("" when it holds none)

    def to_json(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in ("message", "file", "group", "row", "item_id", "entry")}


@dataclass
class ToAttach:
    """A material the department named (佐证材料) that the ledger does not have: for the clerk to attach."""

    item_id: int
    ref: str
    name: str
    group: str
    file: str


@dataclass
class ReturnedFile:
    """One file read: its group and round, or why it was refused (`refused`, "" when read)."""

    path: str
    name: str
    sha256: str = ""
    group: str = ""
    round_id: int | None = None
    refused: str = ""
    rows: int = 0


@dataclass
class MergePlan:
    """What the returned workbooks would change (no write made yet): per file, per item, per field; the
    conflicts; notes (synonyms mapped, rows moved with their key intact, names removed); materials to attach."""

    files: list[ReturnedFile] = field(default_factory=list)
    entries: list[ItemEntry] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    to_attach: list[ToAttach] = field(default_factory=list)
    # What each item said when the returns were read (item_states): applying refuses a field changed since.
    states: dict[int, dict[str, Any]] = field(default_factory=dict)

    @property
    def refused(self) -> list[ReturnedFile]:
        return [f for f in self.files if f.refused]

    def fields(self) -> list[FieldChange]:
        return [f for e in self.entries for f in e.fields]

    def default_accepted(self) -> set[str]:
        """The ids of every field change without a conflict, in a row not held: what the command line
        applies without --dry-run, and what the dialog ticks at first."""
        return {f.id for e in self.entries if not e.held for f in e.fields if not f.conflict}

    def to_json(self) -> dict[str, Any]:
        return {
            "files": [vars(f) for f in self.files],
            "entries": [e.to_json() for e in self.entries],
            "conflicts": [c.to_json() for c in self.conflicts],
            "notes": list(self.notes),
            "to_attach": [vars(t) for t in self.to_attach],
        }


def _chosen(plan: MergePlan, accepted: set[str]) -> list[tuple[ItemEntry, FieldChange]]:
    """The field changes `accepted` names: by their own id, or by their entry's id (which takes the entry's
    changes without a conflict: a conflicting field is taken only by its own id)."""
    out = []
    for e in plan.entries:
        for f in e.fields:
            if f.id in accepted or (e.id in accepted and not f.conflict and not e.held):
                out.append((e, f))
    return out


def _one_value_each(chosen: list[tuple[ItemEntry, FieldChange]]) -> list[tuple[ItemEntry, FieldChange]]:
    """The chosen changes with a field answered alike by two groups taken once; two different answers for
    one field refused, since only one can be the ledger's."""
    seen: dict[tuple[int, str], FieldChange] = {}
    out = []
    for e, f in chosen:
        key = (f.item_id, f.field)
        first = seen.get(key)
        if first is None:
            seen[key] = f
            out.append((e, f))
        elif first.new != f.new:
            raise LedgerError(f"{e.ref}的{f.label}选用了两个不同的答复（“{first.new}”和“{f.new}”），只能选用一个")
    return out


def _value(f: FieldChange) -> Any:
    if f.field == "completed_date":
        return dt.date.fromisoformat(f.new) if f.new else None
    return f.new


class ReturnFields(Command):
    """The answers of returned workbooks set on items and measures (回收合并): SetFields for many rows at once.

    The same rules as ops.set_fields (已完成 gets a completion date unless one is given, another status
    clears it; a ticked measure gets its date, an unticked one loses it), the same checks as SetFields (a
    written-off item refused, lengths capped), the same change-log rows (one per field, old and new), each
    with its own summary naming the department and file it came from. Made for thousands of rows: the old
    values are read and the rows written a few hundred at a time, where a SetFields per row took seconds.
    `rows` is a list of (model, row id, values, source)."""

    def __init__(
        self,
        rows: list[tuple[type[Any], int, dict[str, Any], str]],
        today: dt.date,
        text: str,
        seen: dict[int, dict[str, Any]] | None = None,
    ) -> None:
        self.rows = rows
        self.today = today
        self.text = text
        # What each item said when the returns were read (MergePlan.states), as SetFields' `seen`.
        self.seen = seen or {}
        self.old: list[dict[str, Any]] = []
        self.done: list[dict[str, Any]] = []
        self.items: dict[tuple[type[Any], int], int] = {}  # measure → its item, for the log and the views

    def _read(self, model: type[Any], ids: list[int], names: set[str]) -> dict[int, dict[str, Any]]:
        cols = sorted(names | ({"item"} if model is Measure else set()))
        out: dict[int, dict[str, Any]] = {}
        for i in range(0, len(ids), 500):
            fields = [model.id] + [getattr(model, c) for c in cols]
            for r in model.select(*fields).where(model.id.in_(ids[i : i + 500])).dicts():
                out[r["id"]] = r
        return out

    def _write(self, model: type[Any], row_id: int, values: dict[str, Any]) -> None:
        if not values:
            return
        meta = model._meta.fields
        cols = ", ".join(f'"{meta[k].column_name}" = ?' for k in values)
        if "row_version" in meta:
            # A new version, as SetFields makes: an edit begun on the row before (another window's form on a
            # server ledger) is then refused as a conflict instead of overwriting the answer.
            cols += ', "row_version" = "row_version" + 1'
        params = [meta[k].db_value(v) for k, v in values.items()] + [row_id]
        db.execute_sql(f'UPDATE "{model._meta.table_name}" SET {cols} WHERE "id" = ?', params)

    def do(self) -> list[Change]:
        by_model: dict[type[Any], list[int]] = {}
        names: dict[type[Any], set[str]] = {}
        for model, rid, values, _ in self.rows:
            by_model.setdefault(model, []).append(rid)
            names.setdefault(model, set()).update(values)
            names[model].update({"completed_date"} if model is Item else {"done_date"})
        current = {m: self._read(m, ids, names[m]) for m, ids in by_model.items()}
        items = {rid for m, rid, _, _ in self.rows if m is Item}
        for r in current.get(Measure, {}).values():
            items.add(int(r["item"]))
        held = _written_off(items)
        self._check_unchanged(current)
        self.old, self.done = [], []
        changes: list[Change] = []
        for model, rid, values, source in self.rows:
            row = current[model].get(rid)
            if row is None:
                raise LedgerError(f"{source}：要修改的{ENTITY_NAMES[model]}已不存在，未保存")
            item_id = rid if model is Item else int(row["item"])
            if item_id in held:
                raise LedgerError(f"{source}：{WRITTEN_OFF_LOCKED}")
            values = _with_rules(model, row, values, self.today)
            check_lengths(model, values)
            self.old.append({k: row.get(k) for k in values})
            self.done.append(values)
            self._write(model, rid, values)
            self.items[(model, rid)] = item_id
            changes.append(Change("update", model, rid, item_id if model is Measure else None, tuple(values)))
        return changes

    def _check_unchanged(self, current: dict[type[Any], dict[int, dict[str, Any]]]) -> None:
        """A field the merge writes that someone changed since the returns were read (another window of a
        server ledger, while the clerk reviewed): the merge is refused whole, to be read again, where that
        field then shows as a conflict to decide. Nothing is written over another person's edit."""
        if not self.seen:
            return
        measures = {rid: int(r["item"]) for rid, r in current.get(Measure, {}).items()}
        now = item_states({rid if m is Item else measures[rid] for m, rid, _, _ in self.rows if rid in current[m]})
        for model, rid, values, _source in self.rows:
            iid = rid if model is Item else measures.get(rid)
            was, is_ = self.seen.get(iid or 0), now.get(iid or 0)
            if was is None or is_ is None:
                continue
            if model is Item:
                keys = [k for k in values if k in was]
            else:
                keys = ["measures"]
            for k in keys:
                if was[k] == is_[k]:
                    continue
                if model is Measure and dict(map(tuple, was[k])).get(rid) == dict(map(tuple, is_[k])).get(rid):
                    continue  # another measure of the item changed: not this one
                from rectify_desktop.core.conflicts import ConflictError, last_writer, me

                label = ANSWER_LABELS.get(k, "措施") if model is Item else "措施"
                who = last_writer(ENTITY_NAMES[model], rid, me()) or "他人"
                shown = is_[k] if model is Item else "已修改"
                raise ConflictError(
                    f"回收合并未执行：细化问题的“{label}”在读取填报表之后已被 {who} 改为“{shown}”。"
                    "为免覆盖他人的修改，请重新读取交回的填报表，再决定采用哪一方的内容。",
                    model,
                    rid,
                    {k: (was[k], values.get(k), is_[k])},
                    who,
                )

    def _check_undo(self) -> None:
        """Undo puts back only what the merge wrote, as SetFields' undo: a field someone changed since (in
        another window of a server ledger) stops it, with who and what."""
        from rectify_desktop.core.ledger import current_user

        by_model: dict[type[Any], list[int]] = {}
        names: dict[type[Any], set[str]] = {}
        for (model, rid, _, _), done in zip(self.rows, self.done, strict=True):
            by_model.setdefault(model, []).append(rid)
            names.setdefault(model, set()).update(done)
        now = {m: self._read(m, ids, names[m]) for m, ids in by_model.items()}
        for (model, rid, _, _), old, done in zip(self.rows, self.old, self.done, strict=True):
            row = now[model].get(rid)
            label = f"该{ENTITY_NAMES[model]}"
            if row is None:
                msg = f"{label}已被删除（可能是他人刚刚删除的），撤销未执行。"
                raise conflicts.UndoConflictError(msg, model, rid, gone=True)
            found = {k: (v, old.get(k), row.get(k)) for k, v in done.items() if _s(row.get(k)) != _s(v)}
            if found:
                who = conflicts.last_writer(ENTITY_NAMES[model], rid, current_user())
                msg = conflicts.undo_message(label, FIELD_NAMES, found, who)
                raise conflicts.UndoConflictError(msg, model, rid, found, who, values=old)

    def undo(self) -> list[Change]:
        self._check_undo()
        changes = []
        for (model, rid, _, _), old in zip(reversed(self.rows), reversed(self.old), strict=True):
            self._write(model, rid, old)
            parent = self.items.get((model, rid)) if model is Measure else None
            changes.append(Change("update", model, rid, parent, tuple(old)))
        return changes

    def log(self) -> list[LogEntry]:
        out = []
        for (model, rid, _, source), old, new in zip(self.rows, self.old, self.done, strict=True):
            ent = ENTITY_NAMES[model]
            for k, v in new.items():
                was = old.get(k)
                if was != v:
                    out.append(LogEntry("修改", ent, rid, FIELD_NAMES.get(k, k), _s(was), _s(v), source))
        return out


def _written_off(item_ids: set[int]) -> set[int]:
    """The written-off items (已销号) among `item_ids`, in a few queries."""
    ids = sorted(item_ids)
    inspections: set[int] = set()
    for i in range(0, len(ids), 500):
        q = Finding.select(Finding.inspection).join(Item).where(Item.id.in_(ids[i : i + 500])).distinct()
        inspections.update(int(r[0]) for r in q.tuples())
    out: set[int] = set()
    for insp_id in inspections:
        out.update(written_off_items_under(Inspection, insp_id))
    return out & item_ids


def _with_rules(model: type[Any], row: dict[str, Any], values: dict[str, Any], today: dt.date) -> dict[str, Any]:
    """The values completed by the rules of ops.set_fields, from the row's current values."""
    values = dict(values)
    if model is Item and "status" in values:
        completed = row.get("completed_date")
        if values["status"] == DONE and completed is None and "completed_date" not in values:
            values["completed_date"] = today
        if values["status"] != DONE and completed is not None and "completed_date" not in values:
            values["completed_date"] = None
    if model is Measure and "done" in values and "done_date" not in values:
        values["done_date"] = today if values["done"] else None
    return values


def apply_plan(plan: MergePlan, accepted: set[str], today: dt.date | None = None) -> Command:
    """ONE undoable command applying the accepted changes of `plan` (see :func:`_chosen`): the items'
    fields and measures set by the rules of ops.set_fields (已完成 gets a completion date, a ticked measure
    its date; see :class:`ReturnFields`), the new material names registered without their files (Evidence
    with no blob, shown as 未附文件), and a FillOutReturn for each file read that had an accepted change or
    no change at all. Every change-log row says in its summary which department answered in which file."""
    today = today or dt.date.today()
    chosen = _one_value_each(_chosen(plan, accepted))
    rows: list[tuple[type[Any], int, dict[str, Any], str]] = []
    inserts: list[Command] = []
    counted: dict[str, int] = {}
    by_source: dict[tuple[str, str, int], list[FieldChange]] = {}
    for e, f in chosen:
        by_source.setdefault((e.group, e.file, e.item_id), []).append(f)
        counted[e.file] = counted.get(e.file, 0) + 1
    for (group, file, item_id), changes in by_source.items():
        source = f"回收填报表：{group}（{file}）"
        values = {f.field: _value(f) for f in changes if f.field in ANSWER_LABELS}
        if values:
            if "status" in values and values["status"] not in STATUSES:
                raise LedgerError(f"{source}：未知的完成情况“{values['status']}”")
            rows.append((Item, item_id, values, source))
        for f in changes:
            if f.field.startswith("measure:"):
                rows.append((Measure, int(f.field.split(":", 1)[1]), {"done": bool(f.new)}, source))
            elif f.field.startswith("evidence:"):
                name = clean_name(f.new)
                ins = Insert(Evidence, {"item": item_id, "name": name, "kind": guess_kind(name), "note": source})
                ins.text = source
                inserts.append(ins)
    commands: list[Command] = []
    text = f"回收填报表（{len(counted)}个文件，{len(chosen)}处修改）"
    if rows:
        commands.append(ReturnFields(rows, today, text, plan.states))
    commands += inserts
    for rf in plan.files:
        if rf.refused or rf.round_id is None:
            continue
        answered = any(e.file == rf.name and e.fields for e in plan.entries)
        if counted.get(rf.name) or not answered:
            ins = Insert(
                FillOutReturn,
                {
                    "round": rf.round_id,
                    "group": rf.group,
                    "file_name": rf.name,
                    "file_sha256": rf.sha256,
                    "merged_at": dt.datetime.now().replace(microsecond=0),
                    "changes": counted.get(rf.name, 0),
                },
            )
            ins.text = f"回收填报表：{rf.group}（{rf.name}）"
            commands.append(ins)
    return Batch(text, commands)


def finding_ref(item_id: int) -> str:
    """3（2）: an item by its finding's number and its own."""
    row = Item.select(Item.number, Finding.number).join(Finding).where(Item.id == item_id).tuples().first()
    return f"{row[1]}（{row[0]}）" if row else f"#{item_id}"


__all__ = [
    "ANSWER_LABELS",
    "BY_FIELDS",
    "ENTITY_NAMES",
    "FORMAT_VERSION",
    "TICK_DONE",
    "TICK_OPEN",
    "Conflict",
    "FieldChange",
    "ItemEntry",
    "MergePlan",
    "ReturnedFile",
    "ToAttach",
    "apply_plan",
    "item_states",
    "round_command",
    "round_groups",
    "state_hash",
]
