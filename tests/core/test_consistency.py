"""What is open on an item when it is set 已完成 or applied for 销号, and the 任务清单's words for it (issue 12,
point 2), without Qt."""

from __future__ import annotations

import datetime as dt

import pytest

from rectify_desktop.core import consistency, lists, ops
from rectify_desktop.core.consistency import CANCEL, CONFIRMED_OPEN, GO_ON, TICK, UNCONFIRMED_OPEN
from rectify_desktop.core.importing import (
    AddInspection,
    ImportedCategory,
    ImportedFinding,
    ImportedInspection,
    ImportedItem,
    ImportedMeasure,
)
from rectify_desktop.core.models import DONE, IN_PROGRESS, WO_APPLY, ChangeLog, Evidence, Item, Measure, WriteOff
from rectify_desktop.core.table import build_table

TODAY = dt.date(2026, 3, 2)


def open_item() -> Item:
    """An item in progress with an unticked measure and no evidence (the demo has several)."""
    for item in Item.select().where(Item.status == IN_PROGRESS).order_by(Item.id):
        if Measure.select().where((Measure.item == item.id) & (Measure.done == False)).exists():  # noqa: E712
            if not Evidence.select().where(Evidence.item == item.id).exists():
                return item
    raise AssertionError("no such item in the demo")


def task_states(item_id: int) -> list[str]:
    sheet = lists.task_list(build_table(Item.get_by_id(item_id).finding.inspection_id))
    return [r.cells["done"] for r in sheet.rows if r.groups["item"] == item_id]


def test_open_things_lists_unticked_measures_by_text_and_missing_evidence(demo_ledger):
    item = open_item()
    open_ = list(Measure.select().where((Measure.item == item.id) & (Measure.done == False)))  # noqa: E712
    things = consistency.open_things(item.id)
    assert things and [m.id for m in things.measures] == [m.id for m in open_]
    assert things.evidence == "没有佐证材料"
    lines = things.lines()
    assert lines[-1] == "没有佐证材料"
    assert all(m.text.strip().rstrip("。；;，,") in line for m, line in zip(open_, lines, strict=False))
    assert lines[0][1] == "是"  # 三是…: the measure's place among the item's measures
    # A blank measure is no task; registered evidence without its file is still open.
    Measure.update(done=True).where(Measure.item == item.id).execute()
    Measure.create(item=item.id, text="  ", position=99)
    Evidence.create(item=item.id, name="会议纪要")
    things = consistency.open_things(item.id)
    assert not things.measures and things.evidence == "佐证材料都还没有附上文件（登记了1份）"


def test_tick_in_the_same_step_is_one_command_and_one_undo(demo_ledger):
    item = open_item()
    things = consistency.open_things(item.id)
    command = consistency.complete_item(item.id, things, TICK, TODAY)
    demo_ledger.apply(command)
    assert Item.get_by_id(item.id).status == DONE and Item.get_by_id(item.id).completed_date == TODAY
    ticked = list(Measure.select().where(Measure.id.in_([m.id for m in things.measures])))
    assert all(m.done and m.done_date == TODAY for m in ticked)
    assert "同时将" in command.text and "项措施标为已完成" in command.text
    assert all(s.startswith("已完成") for s in task_states(item.id))
    demo_ledger.revert(command)
    assert Item.get_by_id(item.id).status == IN_PROGRESS and Item.get_by_id(item.id).completed_date is None
    assert not any(m.done for m in Measure.select().where(Measure.id.in_([m.id for m in things.measures])))


def test_going_on_is_recorded_and_the_task_list_says_so(demo_ledger):
    item = open_item()
    things = consistency.open_things(item.id)
    command = consistency.complete_item(item.id, things, GO_ON, TODAY)
    demo_ledger.apply(command)
    assert Item.get_by_id(item.id).status == DONE
    assert not any(m.done for m in Measure.select().where(Measure.id.in_([m.id for m in things.measures])))
    rows = list(ChangeLog.select().where(ChangeLog.action == "确认").order_by(ChangeLog.id))
    assert [(r.entity, r.entity_id) for r in rows] == [("细化问题", item.id)] + [
        ("整改措施", m.id) for m in things.measures
    ]
    assert all(r.summary.startswith("经办人确认仍标记为已完成") and "没有佐证材料" in r.summary for r in rows)
    assert all(r.item_id == item.id for r in rows)  # in the item's history
    states = task_states(item.id)
    assert states.count(CONFIRMED_OPEN) == len(things.measures) and "未完成" not in states
    # Undone, the choice is undone with it; redone, it holds again.
    demo_ledger.revert(command)
    assert consistency.confirmed_open(m.id for m in things.measures) == set()
    assert task_states(item.id).count("未完成") == len(things.measures)
    demo_ledger.apply(command)
    assert consistency.confirmed_open(m.id for m in things.measures) == {m.id for m in things.measures}
    # A measure ticked and unticked again since is no longer what the clerk confirmed.
    first = things.measures[0].id
    demo_ledger.apply(ops.set_fields(Measure, first, {"done": True}))
    demo_ledger.apply(ops.set_fields(Measure, first, {"done": False}))
    assert first not in consistency.confirmed_open([first])
    assert task_states(item.id).count(UNCONFIRMED_OPEN) == 1


def test_apply_for_writeoff_with_the_answer_is_one_command(demo_ledger):
    item = open_item()
    Measure.update(done=True).where(Measure.item == item.id).execute()
    Measure.update(done=False).where(Measure.id == Measure.select().where(Measure.item == item.id).first().id).execute()
    demo_ledger.apply(consistency.complete_item(item.id, consistency.open_things(item.id), GO_ON, TODAY))
    things = consistency.open_things(item.id)
    command = consistency.apply_writeoff(item.id, things, TICK, "张三", TODAY, "已整改", TODAY)
    demo_ledger.apply(command)
    assert [w.action for w in WriteOff.select().where(WriteOff.item == item.id)] == [WO_APPLY]
    assert all(m.done for m in Measure.select().where(Measure.item == item.id))
    demo_ledger.revert(command)
    assert not WriteOff.select().where(WriteOff.item == item.id).exists()
    assert not all(m.done for m in Measure.select().where(Measure.item == item.id))
    going = consistency.apply_writeoff(item.id, things, GO_ON, "张三", TODAY)
    demo_ledger.apply(going)
    last = ChangeLog.select().where(ChangeLog.action == "确认").order_by(ChangeLog.id.desc()).first()
    assert last.summary.startswith("经办人确认仍申请销号")
    with pytest.raises(ValueError):
        consistency.complete_item(item.id, things, CANCEL)


def test_an_imported_done_item_with_open_measures_is_marked_to_be_checked(ledger):
    data = ImportedInspection(
        title="县委巡察组反馈意见整改台账",
        categories=[
            ImportedCategory(
                "落实主体责任不够到位",
                findings=[
                    ImportedFinding(
                        "研究部署不够",
                        items=[
                            ImportedItem(
                                "专题研究次数偏少",
                                status=DONE,
                                measures=[ImportedMeasure("召开专题会议", done=True), ImportedMeasure("建立台账")],
                            ),
                            ImportedItem(
                                "学习不够深入", status=IN_PROGRESS, measures=[ImportedMeasure("制定学习计划")]
                            ),
                        ],
                    )
                ],
            )
        ],
    )
    ledger.apply(AddInspection(data))
    done_item = Item.get(Item.title == "专题研究次数偏少")
    other = Item.get(Item.title == "学习不够深入")
    assert task_states(done_item.id) == ["已完成", UNCONFIRMED_OPEN]
    assert task_states(other.id) == ["未完成"]
    # The clerk's choice, made afterwards in the window's way, turns it into the confirmed wording.
    things = consistency.open_things(done_item.id)
    ledger.apply(consistency.ConfirmOpen(things, consistency.COMPLETING))
    assert task_states(done_item.id) == ["已完成", CONFIRMED_OPEN]
