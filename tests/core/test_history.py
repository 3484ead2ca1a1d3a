"""Reading the change log back (core.history): whole ledger, by date and text, by node; write-off steps."""

from __future__ import annotations

import datetime as dt

import pytest

from rectify_desktop.core import history, ops
from rectify_desktop.core.commands import Insert
from rectify_desktop.core.models import (
    DONE,
    WO_APPLY,
    WO_APPROVE,
    WO_REJECT,
    ChangeLog,
    Evidence,
    Finding,
    Inspection,
    Institution,
    InstitutionItem,
    Item,
    Measure,
    WriteOff,
)


@pytest.fixture
def two_items(ledger):
    """One inspection, one finding with two items (the first with a measure); the log cleared."""
    ledger.apply(ops.add_inspection("测试台账"))
    insp = Inspection.get()
    ledger.apply(ops.add_category(insp.id, "方面"))
    ledger.apply(ops.add_finding(insp.categories.get().id, "问题一"))
    finding = Finding.get()
    ledger.apply(ops.add_item(finding.id, "细化问题一"))
    ledger.apply(ops.add_item(finding.id, "细化问题二"))
    first, second = Item.select().order_by(Item.id)
    ledger.apply(ops.add_measure(first.id, "一是建立制度"))
    ChangeLog.delete().execute()
    return ledger, first, second


def test_edits_through_the_door_appear_newest_first_with_user_and_time(two_items):
    ledger, first, _ = two_items
    before = dt.datetime.now().replace(microsecond=0)
    ledger.apply(ops.set_fields(Item, first.id, {"progress": "已召开专题会议"}))
    ledger.apply(ops.set_fields(Item, first.id, {"leader": "张三"}))
    rows = history.ledger_log()
    assert [(r.action, r.entity, r.entity_id, r.field, r.old, r.new) for r in rows] == [
        ("修改", "细化问题", first.id, "责任领导", "", "张三"),
        ("修改", "细化问题", first.id, "整改进展", "", "已召开专题会议"),
    ]
    assert all(r.user == ledger.user and r.user for r in rows)
    assert all(before <= r.at <= dt.datetime.now() for r in rows)
    assert rows[0].batch == rows[1].batch + 1


def test_undo_is_logged_too(two_items):
    ledger, first, _ = two_items
    cmd = ops.set_fields(Item, first.id, {"leader": "张三"})
    ledger.apply(cmd)
    ledger.revert(cmd)
    rows = history.ledger_log()
    assert [(r.action, r.old, r.new) for r in rows] == [("撤销修改", "张三", ""), ("修改", "", "张三")]


def _stamp(at: dt.datetime, **where) -> None:
    q = ChangeLog.update(at=at)
    for k, v in where.items():
        q = q.where(getattr(ChangeLog, k) == v)
    q.execute()


def test_date_range_includes_both_days(two_items):
    ledger, first, _ = two_items
    for i, day in enumerate((dt.date(2026, 3, 1), dt.date(2026, 3, 2), dt.date(2026, 3, 3), dt.date(2026, 3, 4))):
        ledger.apply(ops.set_fields(Item, first.id, {"remarks": f"第{i}次"}))
        last = ChangeLog.select().order_by(ChangeLog.id.desc()).get()
        # the very first and last second of the day: the bounds must hold at both ends
        _stamp(dt.datetime.combine(day, dt.time(0, 0, 0) if i % 2 else dt.time(23, 59, 59)), id=last.id)

    def remarks(**kw) -> list[str]:
        return [r.new for r in history.ledger_log(**kw)]

    assert remarks() == ["第3次", "第2次", "第1次", "第0次"]
    assert remarks(since=dt.date(2026, 3, 2), until=dt.date(2026, 3, 3)) == ["第2次", "第1次"]
    assert remarks(since=dt.date(2026, 3, 3)) == ["第3次", "第2次"]
    assert remarks(until=dt.date(2026, 3, 1)) == ["第0次"]
    assert remarks(since=dt.date(2026, 3, 5)) == []


def test_text_filter_and_limit(two_items):
    ledger, first, second = two_items
    ledger.apply(ops.set_fields(Item, first.id, {"progress": "完成率50%"}))
    ledger.apply(ops.set_fields(Item, second.id, {"progress": "完成率500"}))
    ledger.apply(ops.set_fields(Item, second.id, {"department": "办公室"}))
    assert [r.new for r in history.ledger_log(text="50%")] == ["完成率50%"]  # % is a character, not a wildcard
    assert [r.new for r in history.ledger_log(text="完成率")] == ["完成率500", "完成率50%"]
    assert [r.new for r in history.ledger_log(text="责任部门")] == ["办公室"]  # the field's name
    assert [r.new for r in history.ledger_log(text="整改进展 500")] == ["完成率500"]  # every word must match
    assert [r.new for r in history.ledger_log(text=ledger.user.upper())][:1] == ["办公室"]  # user, any case
    assert len(history.ledger_log(limit=2)) == 2


def test_node_log_of_an_item_holds_its_measures_evidence_and_writeoffs(two_items):
    ledger, first, second = two_items
    measure = Measure.get(Measure.item == first.id)
    ledger.apply(ops.set_fields(Measure, measure.id, {"text": "一是建立健全制度"}))
    ledger.apply(ops.set_fields(Measure, measure.id, {"done": True}))
    ledger.apply(Insert(Evidence, {"item": first.id, "name": "会议纪要.pdf"}))
    ledger.apply(ops.set_fields(Item, first.id, {"status": DONE}))
    ledger.apply(ops.write_off(first.id, WO_APPLY, "王芳", dt.date(2026, 5, 1)))
    ledger.apply(ops.set_fields(Item, second.id, {"leader": "别的细化问题"}))

    rows = history.node_log("item", first.id)
    seen = [(r.entity, r.field) for r in rows]
    assert ("整改措施", "内容") in seen and ("整改措施", "已完成") in seen and ("整改措施", "完成日期") in seen
    assert ("佐证材料", "") in seen
    assert ("销号", "") in seen
    assert ("细化问题", "完成情况") in seen
    assert all(r.new != "别的细化问题" for r in rows)
    # newest change first; the rows of one change in the order they were written
    assert [r.batch for r in rows] == sorted((r.batch for r in rows), reverse=True)
    assert [r.id for r in rows] == [r.id for r in sorted(rows, key=lambda r: (-r.batch, r.id))]
    assert [r.new for r in history.node_log("item", second.id)] == ["别的细化问题"]
    assert [r.field for r in history.node_log("measure", measure.id)] == ["已完成", "完成日期", "内容"]
    assert len(history.node_log("item", first.id, limit=3)) == 3
    with pytest.raises(ValueError):
        history.node_log("nonsense", 1)


def test_node_log_of_an_inspection_holds_its_registers(two_items):
    ledger, first, _ = two_items
    insp = Inspection.get()
    cmd = Insert(Institution, {"inspection": insp.id, "title": "公务接待管理办法"})
    ledger.apply(cmd)
    ledger.apply(Insert(InstitutionItem, {"institution": cmd.row_id, "item": first.id}))
    entities = {r.entity for r in history.node_log("inspection", insp.id)}
    assert {"制度", "制度关联"} <= entities
    assert {r.entity for r in history.node_log("institution", cmd.row_id)} == {"制度", "制度关联"}
    # the link is shown with the item's history too
    assert "制度关联" in {r.entity for r in history.node_log("item", first.id)}


def test_writeoff_steps_in_order(two_items):
    ledger, first, _ = two_items
    ledger.apply(ops.set_fields(Item, first.id, {"status": DONE}))
    ledger.apply(ops.write_off(first.id, WO_APPLY, "王芳", dt.date(2026, 5, 3)))
    ledger.apply(ops.write_off(first.id, WO_REJECT, "巡察办", dt.date(2026, 5, 1), "佐证不足"))
    ledger.apply(ops.set_fields(Item, first.id, {"status": DONE}))
    ledger.apply(ops.write_off(first.id, WO_APPLY, "王芳", dt.date(2026, 5, 8)))
    ledger.apply(ops.write_off(first.id, WO_APPROVE, "巡察办", dt.date(2026, 5, 9), "同意销号"))
    steps = history.writeoff_steps(first.id)
    # the order they were taken in, whatever the dates typed
    assert [(s.action, s.opinion) for s in steps] == [
        (WO_APPLY, ""),
        (WO_REJECT, "佐证不足"),
        (WO_APPLY, ""),
        (WO_APPROVE, "同意销号"),
    ]
    assert all(isinstance(s, WriteOff) for s in steps)
    assert history.writeoff_steps(first.id + 100) == []


def test_object_labels_and_locate(two_items):
    ledger, first, second = two_items
    measure = Measure.get(Measure.item == first.id)
    ledger.apply(ops.set_fields(Item, second.id, {"leader": "张三"}))
    ledger.apply(ops.set_fields(Item, first.id, {"title": "细化问题一改"}))
    ledger.apply(ops.set_fields(Measure, measure.id, {"text": "一是建立制度，二是抓好落实"}))
    ledger.apply(ops.delete(Item, second.id))
    rows = history.ledger_log()
    labels = history.object_labels(rows)
    assert labels[("细化问题", first.id)] == "1（1） 细化问题一改"
    assert labels[("整改措施", measure.id)].startswith("1（1）的措施：一是建立制度")
    assert ("细化问题", second.id) not in labels  # deleted
    assert history.locate("整改措施", measure.id) == ("item", first.id)
    assert history.locate("细化问题", first.id) == ("item", first.id)
    assert history.locate("细化问题", second.id) is None
    assert history.locate("设置", None) is None
    assert history.locate("设置", "reporter") is None
    assert history.locate("不存在", 1) is None


def test_queries_on_a_large_log_stay_quick(two_items):
    """50,000 log rows: the newest page, a date range and a node answer well within a click's time."""
    import time

    from rectify_desktop.core.models import db

    ledger, first, _ = two_items
    start = dt.datetime(2025, 1, 1)
    rows = [
        (
            (start + dt.timedelta(minutes=i)).strftime("%Y-%m-%d %H:%M:%S"),
            "clerk",
            i,
            "修改",
            "细化问题",
            first.id + 1 + i % 1000,
            "整改进展",
            "旧",
            "新",
            "修改细化问题整改进展",
        )
        for i in range(50_000)
    ]
    with db.atomic():
        db.connection().executemany(
            "INSERT INTO change_log (at, user, batch, action, entity, entity_id, field, old, new, summary)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    t0 = time.perf_counter()
    assert len(history.ledger_log(limit=2000)) == 2000
    day = history.ledger_log(since=dt.date(2025, 1, 2), until=dt.date(2025, 1, 2))
    assert len(day) == 24 * 60 and all(r.at.date() == dt.date(2025, 1, 2) for r in day)
    assert history.node_log("item", first.id) == []
    assert len(history.node_log("item", first.id + 1)) == 50
    assert time.perf_counter() - t0 < 2.0


def test_results_entries_are_in_their_items_history_and_inspection_entries_are_not(two_items):
    """问责 and 资金 of an item (issue 14) belong to its history, also once removed; an entry of the whole
    inspection belongs to no item and is in none."""
    ledger, first, second = two_items
    insp = Inspection.get()
    ledger.apply(ops.add_accountability(kind="批评教育", people=2, item_id=first.id))
    ledger.apply(ops.add_money(kind="追回", amount="23.8", item_id=first.id))
    ledger.apply(ops.add_accountability(kind="诫勉", people=1, inspection_id=insp.id))
    from rectify_desktop.core.models import MoneyEntry

    money = MoneyEntry.get(MoneyEntry.item == first.id)
    ledger.apply(ops.remove_entry(MoneyEntry, money.id))
    entities = [r.entity for r in history.node_log("item", first.id)]
    assert entities.count("问责") == 1 and entities.count("资金") == 2  # added, then removed
    assert history.node_log("item", second.id) == []
    assert ChangeLog.select().where(ChangeLog.entity == "问责", ChangeLog.item_id.is_null()).count() == 1
    whole = [(r.entity, r.new) for r in history.node_log("inspection", insp.id)]
    assert sum(1 for entity, _ in whole if entity == "问责") == 2  # the item's and the inspection's own


def test_an_amount_reads_in_wan_yuan_in_the_history(two_items):
    """The log keeps the stored whole 元; the history says it as the clerk typed it, in 万元 (it said
    "金额（元）：0 → 5000" for 0.5万元)."""
    ledger, first, _ = two_items
    ledger.apply(ops.add_money(kind="追回", amount="0", item_id=first.id))
    from rectify_desktop.core.models import MoneyEntry

    money = MoneyEntry.get(MoneyEntry.item == first.id)
    ledger.apply(ops.edit_money(money.id, amount="0.5"))
    edits = [r for r in history.node_log("item", first.id) if r.field]
    assert [(r.field, r.old, r.new) for r in edits] == [("金额（万元）", "0", "0.5")]
    raw = ChangeLog.get(ChangeLog.field != "")
    assert (raw.old, raw.new) == ("0", "5000")  # what is stored stays in the log
