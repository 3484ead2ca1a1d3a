"""The changes a clerk makes, as commands that follow the ledger's rules (整改规则).

The window builds its commands here rather than from raw field edits, so that a status set to 已完成
gets its completion date, a new finding gets its first item, and so on, in the window and in scripts alike.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from rectify_desktop.core import results, rules
from rectify_desktop.core.commands import Batch, Command, Delete, Insert, Move, MoveTo, Renumber, SetFields
from rectify_desktop.core.models import (
    ACCOUNTABILITY_KINDS,
    AUDIT_AMOUNT_KINDS,
    DONE,
    IN_PROGRESS,
    MONEY_KINDS,
    STATUSES,
    WO_APPLY,
    WO_APPROVE,
    WO_REJECT,
    WO_REVOKE,
    Accountability,
    BaseModel,
    Category,
    Finding,
    Inspection,
    Item,
    Measure,
    MoneyEntry,
    WriteOff,
)


def set_fields(
    model: type[BaseModel],
    row_id: int,
    values: dict[str, Any],
    today: dt.date | None = None,
    *,
    seen: BaseModel | dict[str, Any] | None = None,
) -> Command:
    """A field edit, completed by the rules that tie fields together. `seen`: what the editor showed when the
    clerk began the edit (SetFields), so that an edit of what someone else changed since is refused."""
    values = dict(values)
    if model is Item:
        if "status" in values:
            status = values["status"]
            if status not in STATUSES:
                raise ValueError(f"未知的完成情况：{status}")
            item = Item.get_by_id(row_id)
            if status == DONE and item.completed_date is None and "completed_date" not in values:
                values["completed_date"] = today or dt.date.today()
            if status != DONE and item.completed_date is not None and "completed_date" not in values:
                values["completed_date"] = None
        if "deadline_text" in values and "deadline_date" not in values:
            values["deadline_date"], values["deadline_text"] = deadline_values(values["deadline_text"])
    if model is Measure and "done" in values and "done_date" not in values:
        values["done_date"] = (today or dt.date.today()) if values["done"] else None
    return SetFields(model, row_id, values, seen=seen)


def deadline_values(text: str) -> tuple[dt.date | None, str]:
    """(deadline_date, deadline_text) to store for a deadline typed as `text`.

    A phrase that names a day sets the date too; a pure phrase (立行立改) has none. A bare date is stored
    as a date only, printed in one style; "2021年6月30日前" keeps its words.
    """
    text = (text or "").strip()
    date = rules.parse_date(text)
    if date is not None and not text.endswith("前"):
        return date, ""
    return date, text


def add_inspection(title: str = "新的巡察整改台账", **values: Any) -> Command:
    return Insert(Inspection, {"title": title, **values})


def add_category(inspection_id: int, title: str = "新方面", index: int | None = None) -> Command:
    return Insert(Category, {"inspection": inspection_id, "title": title}, index)


def add_finding(category_id: int, title: str = "新问题", index: int | None = None) -> Command:
    return Insert(Finding, {"category": category_id, "title": title}, index)


def add_item(finding_id: int, title: str = "新细化问题", index: int | None = None, **values: Any) -> Command:
    return Insert(Item, {"finding": finding_id, "title": title, **values}, index)


def add_measure(item_id: int, text: str = "", index: int | None = None) -> Command:
    return Insert(Measure, {"item": item_id, "text": text}, index)


def delete(model: type[BaseModel], row_id: int) -> Command:
    return Delete(model, row_id)


def move(model: type[BaseModel], row_id: int, delta: int) -> Command:
    return Move(model, row_id, delta)


def move_to(model: type[BaseModel], row_id: int, parent_id: int) -> Command:
    """移动到…: a finding to another category, an item to another finding, at the end of it."""
    return MoveTo(model, row_id, parent_id)


def move_targets(model: type[BaseModel], row_id: int) -> list[tuple[int, str]]:
    """The parents a finding (categories) or an item (findings) may be moved to, as (id, label), in the
    ledger's order, without the one it is under now: those of the same inspection."""
    if model is Finding:
        row = Finding.get_by_id(row_id)
        cats = (
            Category.select().where(Category.inspection == row.inspection_id).order_by(Category.position, Category.id)
        )
        return [(c.id, f"{rules.category_label(i)}{c.title}") for i, c in enumerate(cats, 1) if c.id != row.category_id]
    if model is Item:
        item = Item.get_by_id(row_id)
        insp = Finding.get_by_id(item.finding_id).inspection_id
        findings = (
            Finding.select(Finding)
            .join(Category)
            .where(Finding.inspection == insp)
            .order_by(Category.position, Category.id, Finding.position, Finding.id)
        )
        return [(f.id, f"{rules.finding_label(f.number)}{f.title}") for f in findings if f.id != item.finding_id]
    return []


def renumber(inspection_id: int) -> Command:
    return Renumber(inspection_id)


def write_off(item_id: int, action: str, who: str, date: dt.date, opinion: str = "") -> Command:
    """A write-off step (销号). Rejection (退回) puts the item back to 正在推进."""
    item = Item.get_by_id(item_id)
    if action == WO_APPLY and item.status != DONE:
        raise ValueError("只有已完成的细化问题才能申请销号")
    if action in (WO_APPROVE, WO_REJECT) and writeoff_state(item_id) != "待审核":
        raise ValueError("该细化问题没有待审核的销号申请")
    steps: list[Command] = [
        Insert(WriteOff, {"item": item_id, "action": action, "who": who, "date": date, "opinion": opinion})
    ]
    if action == WO_REJECT:
        steps.append(SetFields(Item, item_id, {"status": IN_PROGRESS, "completed_date": None}))
    return Batch(f"销号{action}", steps)


def revoke_writeoff(item_id: int, who: str, date: dt.date, reason: str) -> Command:
    """撤销销号: a mistaken 批准 withdrawn, with its reason, as a step of its own (the approval stays in the
    history). The item is no longer written off: it may be edited, and applied for again, once more."""
    reason = (reason or "").strip()
    if not reason:
        raise ValueError("撤销销号须写明原因")
    if writeoff_state(item_id) != "已销号":
        raise ValueError("该细化问题没有销号，无需撤销")
    step = Insert(WriteOff, {"item": item_id, "action": WO_REVOKE, "who": who, "date": date, "opinion": reason})
    # The change log says what was done and why, not only 新增销号 (the reason is what a later reader asks).
    item = Item.get_by_id(item_id)
    ref = f"细化问题{Finding.get_by_id(item.finding_id).number}{rules.item_label(item.number)}"
    step.text = f"{WO_REVOKE}（{ref}）：{reason}"
    return Batch(WO_REVOKE, [step])


def writeoff_state(item_id: int) -> str:
    """已销号, 待审核, 已退回 or "" from the item's last write-off step."""
    last = WriteOff.select().where(WriteOff.item == item_id).order_by(WriteOff.id.desc()).first()
    return writeoff_label(last.action if last else None)


def writeoff_label(last_action: str | None) -> str:
    # After 撤销销号 the item stands as if never applied for: it may be edited and applied for again.
    return {WO_APPROVE: "已销号", WO_APPLY: "待审核", WO_REJECT: "已退回"}.get(last_action or "", "")


def category_inspection(category_id: int) -> int:
    return int(Category.get_by_id(category_id).inspection_id)


def finding_inspection(finding_id: int) -> int:
    return int(Finding.get_by_id(finding_id).inspection_id)


# --- 整改成效: accountability and money entries -----------------------------------------------------------
# Checked here, before any command runs: bad input is refused with the reason and nothing is saved.


def _entry_owner(item_id: int | None, inspection_id: int | None) -> tuple[int, int | None]:
    """(inspection, item) of a new entry: an item's entry belongs to the item's inspection."""
    if item_id is not None:
        item = Item.get_or_none(Item.id == item_id)
        if item is None:
            raise ValueError("该细化问题已不存在")
        return finding_inspection(item.finding_id), int(item_id)
    if inspection_id is None or Inspection.get_or_none(Inspection.id == inspection_id) is None:
        raise ValueError("该巡察已不存在")
    return int(inspection_id), None


def _accountability_values(values: dict[str, Any]) -> dict[str, Any]:
    out = dict(values)
    if "kind" in out and out["kind"] not in ACCOUNTABILITY_KINDS:
        raise ValueError(f"问责类型“{out['kind']}”无效，应为：{'、'.join(ACCOUNTABILITY_KINDS)}")
    if "people" in out:
        out["people"] = results.parse_people(out["people"])
    for key in ("names", "note"):
        if key in out:
            out[key] = (out[key] or "").strip()
    return out


def _money_values(values: dict[str, Any], has_item: bool) -> dict[str, Any]:
    out = dict(values)
    if "kind" in out:
        kind = out["kind"]
        if kind in AUDIT_AMOUNT_KINDS and not has_item:
            raise ValueError(f"{kind}属于某一细化问题，不能记在整个巡察上")
        if kind not in MONEY_KINDS + AUDIT_AMOUNT_KINDS:
            raise ValueError(f"资金类型“{kind}”无效，应为：{'、'.join(MONEY_KINDS + AUDIT_AMOUNT_KINDS)}")
    if "amount" in out:
        out["amount"] = results.to_units(results.parse_amount(out["amount"]))
    if "note" in out:
        out["note"] = (out["note"] or "").strip()
    return out


def add_accountability(
    *,
    kind: str,
    people: str | int,
    item_id: int | None = None,
    inspection_id: int | None = None,
    names: str = "",
    date: dt.date | None = None,
    note: str = "",
) -> Command:
    """A 问责 entry of an item, or of the whole inspection when `item_id` is None (then `inspection_id`)."""
    values = _accountability_values({"kind": kind, "people": people, "names": names, "date": date, "note": note})
    insp, item = _entry_owner(item_id, inspection_id)
    cmd = Insert(Accountability, {"inspection": insp, "item": item, **values})
    cmd.text = f"新增问责（{kind}{values['people']}人）"
    return cmd


def add_money(
    *,
    kind: str,
    amount: str | int | Decimal,
    item_id: int | None = None,
    inspection_id: int | None = None,
    date: dt.date | None = None,
    note: str = "",
) -> Command:
    """A money entry (资金) in 万元 of an item, or of the whole inspection when `item_id` is None."""
    values = _money_values({"kind": kind, "amount": amount, "date": date, "note": note}, item_id is not None)
    insp, item = _entry_owner(item_id, inspection_id)
    cmd = Insert(MoneyEntry, {"inspection": insp, "item": item, **values})
    cmd.text = f"新增资金（{kind}{results.amount_text(results.from_units(values['amount']))}万元）"
    return cmd


def edit_accountability(row_id: int, **values: Any) -> Command:
    """Changes fields of a 问责 entry (kind, people, names, date, note)."""
    return SetFields(Accountability, row_id, _accountability_values(values))


def edit_money(row_id: int, **values: Any) -> Command:
    """Changes fields of a money entry (kind, amount in 万元 as typed, date, note)."""
    row = MoneyEntry.get_by_id(row_id)
    return SetFields(MoneyEntry, row_id, _money_values(values, row.item_id is not None))


def remove_entry(model: type[BaseModel], row_id: int) -> Command:
    """Removes a 问责 or money entry; undo puts it back with its id."""
    if model not in (Accountability, MoneyEntry):
        raise ValueError("只能删除问责或资金记录")
    return Delete(model, row_id)
