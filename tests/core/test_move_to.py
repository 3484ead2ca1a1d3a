"""Moving a finding to another category, or an item to another finding (移动到…), and what a written-off item
(已销号) refuses: being deleted, moved, or renumbered (issue 12, points 7 and 1). Core only, no Qt."""

from __future__ import annotations

import datetime as dt

import pytest

from rectify_desktop.core import ops
from rectify_desktop.core.commands import WRITTEN_OFF_FIXED, WrittenOffError
from rectify_desktop.core.ledger import Ledger
from rectify_desktop.core.models import (
    DONE,
    WO_APPLY,
    WO_APPROVE,
    Category,
    ChangeLog,
    Finding,
    Inspection,
    Item,
    Measure,
)
from rectify_desktop.core.storage import LedgerError
from tests.core.test_commands import build, dump


def numbers(finding_id: int) -> list[tuple[int, int]]:
    """(id, number) of a finding's items in their order."""
    q = Item.select().where(Item.finding == finding_id).order_by(Item.position, Item.id)
    return [(i.id, i.number) for i in q]


def write_off(ledger: Ledger, item_id: int) -> None:
    ledger.apply(ops.set_fields(Item, item_id, {"status": DONE}))
    for action in (WO_APPLY, WO_APPROVE):
        ledger.apply(ops.write_off(item_id, action, "张三", dt.date(2021, 6, 1)))


def test_an_item_moves_to_the_end_of_another_finding_with_the_next_free_number(ledger: Ledger) -> None:
    t = build(ledger)
    f1, _f2, f3 = t.findings
    moved = t.items[f1][0]
    ledger.apply(ops.add_measure(moved, "措施"))
    before = dump()
    cmd = ops.move_to(Item, moved, f3)
    changes = ledger.apply(cmd)
    assert [c.kind for c in changes] == ["remove", "insert"]
    assert changes[1].parent_id == f3
    # At the end of finding 3, numbered after its three items; no one else renumbered (the gap stays).
    assert numbers(f3) == [(i, n) for n, i in enumerate(t.items[f3], 1)] + [(moved, 4)]
    assert numbers(f1) == [(t.items[f1][1], 2)]
    assert Measure.get(Measure.item == moved).text == "措施"  # its measures go with it
    log = ChangeLog.select().order_by(ChangeLog.id.desc()).first()
    assert log.action == "移动" and log.entity == "细化问题" and log.field == "所属问题"
    assert log.old == "问题1" and log.new == "问题3"
    ledger.revert(cmd)
    assert dump() == before
    ledger.apply(cmd)  # redo
    assert numbers(f3)[-1] == (moved, 4)


def test_a_finding_moves_to_another_category_keeping_its_number(ledger: Ledger) -> None:
    t = build(ledger)
    f1 = t.findings[0]
    before = dump()
    cmd = ops.move_to(Finding, f1, t.cats[1])
    ledger.apply(cmd)
    row = Finding.get_by_id(f1)
    assert row.category_id == t.cats[1] and row.number == 1
    order = list(Finding.select().where(Finding.category == t.cats[1]).order_by(Finding.position, Finding.id))
    assert [f.id for f in order] == [t.findings[2], f1]
    assert numbers(f1) == [(i, n) for n, i in enumerate(t.items[f1], 1)]
    ledger.revert(cmd)
    assert dump() == before


def test_move_targets_list_the_other_parents_of_the_same_inspection(ledger: Ledger) -> None:
    t = build(ledger)
    f1, f2, f3 = t.findings
    assert ops.move_targets(Item, t.items[f1][0]) == [(f2, "2.问题2"), (f3, "3.问题3")]
    assert ops.move_targets(Finding, f3) == [(t.cats[0], "（一）方面一")]
    other = build(ledger)  # a second inspection: not a place to move to
    assert all(fid not in other.findings for fid, _ in ops.move_targets(Item, t.items[f1][0]))


def test_a_move_to_nowhere_new_or_across_inspections_is_refused(ledger: Ledger) -> None:
    t = build(ledger)
    f1 = t.findings[0]
    with pytest.raises(LedgerError, match="已在这个问题下"):
        ledger.apply(ops.move_to(Item, t.items[f1][0], f1))
    other = build(ledger)
    with pytest.raises(LedgerError, match="同一次巡察"):
        ledger.apply(ops.move_to(Item, t.items[f1][0], other.findings[0]))


def test_a_written_off_item_is_not_deleted_or_moved(ledger: Ledger) -> None:
    t = build(ledger)
    f1, f2, f3 = t.findings
    item = t.items[f3][1]
    write_off(ledger, item)
    before = dump()
    for cmd in (
        ops.delete(Item, item),
        ops.move(Item, item, -1),
        ops.move(Item, item, +1),
        ops.move_to(Item, item, f1),
    ):
        with pytest.raises(WrittenOffError) as err:
            ledger.apply(cmd)
        assert str(err.value) == WRITTEN_OFF_FIXED
    # Nor the finding or category that holds it: that would delete it too.
    with pytest.raises(WrittenOffError, match="该问题下有 1 项已销号的细化问题"):
        ledger.apply(ops.delete(Finding, f3))
    with pytest.raises(WrittenOffError, match="该方面下有 1 项已销号的细化问题"):
        ledger.apply(ops.delete(Category, t.cats[1]))
    assert dump() == before
    # Its neighbours still move around it, and its finding moves keeping its number (the reference stays).
    ledger.apply(ops.move(Item, t.items[f3][0], +1))
    ledger.apply(ops.move_to(Finding, f3, t.cats[0]))
    assert Item.get_by_id(item).number == 2 and Finding.get_by_id(f3).number == 3
    ledger.apply(ops.delete(Item, t.items[f2][0]))  # an item not written off is deleted as before
    # A whole inspection may go (imported twice by mistake, approvals and all); undo brings it back.
    before = dump()
    cmd = ops.delete(Inspection, t.insp)
    ledger.apply(cmd)
    assert Item.get_or_none(Item.id == item) is None
    ledger.revert(cmd)
    assert dump() == before


def test_renumber_keeps_the_numbers_of_written_off_items_and_their_findings(ledger: Ledger) -> None:
    t = build(ledger)
    f1, f2, f3 = t.findings
    a, b, c = t.items[f3]
    write_off(ledger, b)  # 3（2） is in the approved paperwork
    ledger.apply(ops.delete(Item, a))  # 3（1） gone: c would become （2）, b （1）
    ledger.apply(ops.delete(Finding, f1))  # finding 1 gone: findings 2 and 3 would become 1 and 2
    cmd = ops.renumber(t.insp)
    ledger.apply(cmd)
    assert Item.get_by_id(b).number == 2  # kept
    assert Item.get_by_id(c).number == 1  # numbered around it
    assert Finding.get_by_id(f3).number == 3  # holds a written-off item: kept
    assert Finding.get_by_id(f2).number == 1
    assert cmd.kept == 1
    ledger.revert(cmd)
    assert Item.get_by_id(c).number == 3 and Finding.get_by_id(f2).number == 2


def test_deleting_a_whole_inspection_with_its_registers_is_undone(demo_ledger: Ledger) -> None:
    """Links of items to registers are reached from both sides; undo puts them back once, after both."""
    before = dump()
    cmd = ops.delete(Inspection, Inspection.select().first().id)
    demo_ledger.apply(cmd)
    assert Item.select().count() == 0
    demo_ledger.revert(cmd)
    assert dump() == before
