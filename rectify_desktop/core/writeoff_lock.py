"""The lock of a written-off item (已销号): what may not change, be deleted or be moved once an item's
write-off is approved, because the approved paperwork names it. Kept apart from commands.py, which checks
through these before every change."""

from __future__ import annotations

from typing import Any

from peewee import fn

from rectify_desktop.core.models import (
    WO_APPROVE,
    BaseModel,
    Category,
    Evidence,
    Finding,
    Inspection,
    Item,
    Measure,
    WriteOff,
)
from rectify_desktop.core.storage import LedgerError

# What holds a written-off item, as the clerk calls it (commands.ENTITY_NAMES, which imports this module).
_HOLDER_NAMES: dict[type[BaseModel], str] = {Inspection: "巡察", Category: "方面", Finding: "问题"}


WRITTEN_OFF_LOCKED = "该细化问题已销号，不能修改；如需修改，请先撤销销号。"


class WrittenOffError(LedgerError):
    """A change to a written-off item, its measures or its evidence: refused until the write-off is revoked."""


def item_written_off(item_id: int | None) -> bool:
    """Whether the item's last write-off step is 批准 (its write-off state is 已销号)."""
    if item_id is None:
        return False
    last = WriteOff.select(WriteOff.action).where(WriteOff.item == item_id).order_by(WriteOff.id.desc()).first()
    return last is not None and last.action == WO_APPROVE


def _locked_item(model: type[BaseModel], row_id: int | None = None, values: dict[str, Any] | None = None) -> int | None:
    """The item whose content a change of `model` touches (its fields, a measure, an evidence), or None."""
    if model is Item:
        return row_id
    if model not in (Measure, Evidence):
        return None
    if values is not None and values.get("item") is not None:
        v = values["item"]
        return int(v.id if isinstance(v, BaseModel) else v)
    row = model.get_or_none(model.id == row_id) if row_id is not None else None
    return int(row.item_id) if row is not None else None


def check_not_written_off(
    model: type[BaseModel], row_id: int | None = None, values: dict[str, Any] | None = None
) -> None:
    """Refuses, in the clerk's words, a change that would make a written-off item say something else than
    what was approved. Deleting or moving the item itself is refused by :func:`check_may_remove_or_move`."""
    if item_written_off(_locked_item(model, row_id, values)):
        raise WrittenOffError(WRITTEN_OFF_LOCKED)


WRITTEN_OFF_FIXED = "该细化问题已销号，不能删除或移动：它的序号已写入销号材料。如需调整，请先撤销销号。"


def written_off_items_under(model: type[BaseModel], row_id: int) -> list[int]:
    """The written-off items (已销号) at or below a row of the tree, in id order."""
    if model is Item:
        items = Item.select(Item.id).where(Item.id == row_id)
    elif model is Finding:
        items = Item.select(Item.id).where(Item.finding == row_id)
    elif model is Category:
        items = Item.select(Item.id).join(Finding).where(Finding.category == row_id)
    elif model is Inspection:
        items = Item.select(Item.id).join(Finding).where(Finding.inspection == row_id)
    else:
        return []
    last = WriteOff.select(fn.MAX(WriteOff.id)).where(WriteOff.item == Item.id)
    approved = WriteOff.select(WriteOff.id).where((WriteOff.id == last) & (WriteOff.action == WO_APPROVE))
    return [r.id for r in items.where(fn.EXISTS(approved)).order_by(Item.id)]


def removal_refusal(model: type[BaseModel], row_id: int) -> str:
    """Why a row may not be deleted, in the clerk's words, or "" when it may: a written-off item, or a
    category or finding holding one, stays, because the approved write-off paperwork names it by its number.
    A whole inspection may go (a ledger imported twice by mistake brings its approvals with it): the window
    asks first, naming the written-off items that go with it, and undo brings it all back."""
    if model is Inspection:
        return ""
    return held_message(model, len(written_off_items_under(model, row_id)))


def held_message(model: type[BaseModel], written_off: int) -> str:
    """Why a row holding `written_off` written-off items may not be deleted ("" when it holds none)."""
    if not written_off:
        return ""
    if model is Item:
        return WRITTEN_OFF_FIXED
    name = _HOLDER_NAMES.get(model, "")
    return f"该{name}下有 {written_off} 项已销号的细化问题，不能删除：它们已写入销号材料。如需删除，请先撤销这些销号。"


def move_refusal(model: type[BaseModel], row_id: int) -> str:
    """Why a row may not be moved (上移/下移/移动到), or "" when it may. Only a written-off item itself is
    held: a finding above it keeps its number when moved, so the item's reference stays what was approved."""
    return WRITTEN_OFF_FIXED if model is Item and item_written_off(row_id) else ""


def check_may_remove(model: type[BaseModel], row_id: int) -> None:
    why = removal_refusal(model, row_id)
    if why:
        raise WrittenOffError(why)


def check_may_move(model: type[BaseModel], row_id: int) -> None:
    why = move_refusal(model, row_id)
    if why:
        raise WrittenOffError(why)
