"""Changes through the one door: Ledger.apply / Ledger.revert with the commands of commands.py and ops.py."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest

from rectify_desktop.core import ops
from rectify_desktop.core.commands import Batch, Change, Delete, Insert, Move, Renumber, SetFields
from rectify_desktop.core.conflicts import ConflictError, UndoConflictError
from rectify_desktop.core.evidence import AddEvidence
from rectify_desktop.core.ledger import Ledger, ReadOnlyLedgerError
from rectify_desktop.core.models import (
    DONE,
    IN_PROGRESS,
    NOT_STARTED,
    WO_APPLY,
    WO_APPROVE,
    WO_REJECT,
    Blob,
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
    WriteOff,
    db,
)


def dump(exclude: tuple[str, ...] = ("change_log",)) -> dict[str, list[tuple]]:
    """Every row of every table, as SQLite stores it, but for the rows' versions: undo restores what a row says,
    while its version goes on rising (every edit, an undo too, is a new state for the other windows)."""
    names = [r[0] for r in db.execute_sql("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    out = {}
    for n in names:
        if n in exclude or n.startswith("sqlite_"):
            continue
        cols = [r[1] for r in db.execute_sql(f'PRAGMA table_info("{n}")').fetchall() if r[1] != "row_version"]
        listed = ", ".join(f'"{c}"' for c in cols)
        out[n] = db.execute_sql(f'SELECT {listed} FROM "{n}" ORDER BY rowid').fetchall()
    return out


def log_rows() -> list[ChangeLog]:
    return list(ChangeLog.select().order_by(ChangeLog.id))


def new_id(ledger: Ledger, cmd) -> int:  # noqa: ANN001
    changes = ledger.apply(cmd)
    assert changes and changes[0].kind == "insert"
    return changes[0].id


@dataclass
class Tree:
    insp: int
    cats: list[int]
    findings: list[int]  # in creation order
    items: dict[int, list[int]]  # finding id → item ids


def build(ledger: Ledger) -> Tree:
    """Two categories; findings 1, 2 in the first and 3 in the second; items per finding: 2, 1, 3."""
    insp = new_id(ledger, ops.add_inspection("测试巡察", feedback_date=dt.date(2021, 4, 10)))
    cats = [new_id(ledger, ops.add_category(insp, t)) for t in ("方面一", "方面二")]
    findings = [
        new_id(ledger, ops.add_finding(cats[0], "问题1")),
        new_id(ledger, ops.add_finding(cats[0], "问题2")),
        new_id(ledger, ops.add_finding(cats[1], "问题3")),
    ]
    items: dict[int, list[int]] = {}
    for f, n in zip(findings, (2, 1, 3), strict=True):
        items[f] = [new_id(ledger, ops.add_item(f, f"细化问题{f}-{k}")) for k in range(1, n + 1)]
    return Tree(insp, cats, findings, items)


# --- Insert ------------------------------------------------------------------------------------------


def test_insert_numbers_findings_across_inspection_and_items_within_finding(ledger: Ledger) -> None:
    t = build(ledger)
    assert [Finding.get_by_id(f).number for f in t.findings] == [1, 2, 3]
    assert [Finding.get_by_id(f).position for f in t.findings] == [0, 1, 0]
    assert all(Finding.get_by_id(f).inspection_id == t.insp for f in t.findings)
    for f, ids in t.items.items():
        assert all(Item.get_by_id(i).finding_id == f for i in ids)
        assert [Item.get_by_id(i).number for i in ids] == list(range(1, len(ids) + 1))
        assert [Item.get_by_id(i).position for i in ids] == list(range(len(ids)))
    # A new finding in the first category gets the next number of the whole inspection.
    f4 = new_id(ledger, ops.add_finding(t.cats[0], "问题4"))
    assert Finding.get_by_id(f4).number == 4
    assert Finding.get_by_id(f4).category_id == t.cats[0]
    it = new_id(ledger, ops.add_item(t.findings[0], "第三个细化问题", status=IN_PROGRESS))
    assert (Item.get_by_id(it).number, Item.get_by_id(it).status) == (3, IN_PROGRESS)
    # Numbers are max + 1, not count + 1.
    ledger.apply(ops.set_fields(Finding, f4, {"number": 10}))
    assert Finding.get_by_id(new_id(ledger, ops.add_finding(t.cats[1], "问题11"))).number == 11
    # A second inspection numbers from 1.
    insp2 = new_id(ledger, ops.add_inspection("第二轮"))
    cat2 = new_id(ledger, ops.add_category(insp2, "方面"))
    assert Finding.get_by_id(new_id(ledger, ops.add_finding(cat2, "问题"))).number == 1


def test_insert_measures_in_order(ledger: Ledger) -> None:
    t = build(ledger)
    item = t.items[t.findings[0]][0]
    ids = [new_id(ledger, ops.add_measure(item, f"措施{k}")) for k in range(3)]
    rows = list(Measure.select().where(Measure.item == item).order_by(Measure.position))
    assert [r.id for r in rows] == ids
    assert [r.text for r in rows] == ["措施0", "措施1", "措施2"]
    assert [r.position for r in rows] == [0, 1, 2]
    assert not any(r.done for r in rows)


def test_insert_at_index_shifts_and_undo_restores(ledger: Ledger) -> None:
    t = build(ledger)
    cat3 = new_id(ledger, ops.add_category(t.insp, "方面三"))
    before = dump()
    positions = {c: Category.get_by_id(c).position for c in (*t.cats, cat3)}
    assert positions == {t.cats[0]: 0, t.cats[1]: 1, cat3: 2}
    cmd = ops.add_category(t.insp, "插在第二", index=1)
    new = new_id(ledger, cmd)
    order = [c.id for c in Category.select().where(Category.inspection == t.insp).order_by(Category.position)]
    assert order == [t.cats[0], new, t.cats[1], cat3]
    assert [Category.get_by_id(c).position for c in order] == [0, 1, 2, 3]
    changes = ledger.revert(cmd)
    assert changes == [Change("remove", Category, new, t.insp)]
    assert dump() == before
    # Redo gives the row its id back.
    assert new_id(ledger, cmd) == new
    assert Category.get_by_id(new).position == 1
    # At index 0, among items.
    f = t.findings[2]
    cmd = ops.add_item(f, "最前", index=0)
    first = new_id(ledger, cmd)
    ids = [i.id for i in Item.select().where(Item.finding == f).order_by(Item.position)]
    assert ids == [first, *t.items[f]]
    assert Item.get_by_id(first).number == 4  # a new number; its place is set by position
    ledger.revert(cmd)
    assert [Item.get_by_id(i).position for i in t.items[f]] == [0, 1, 2]


# --- SetFields and the rules of ops.set_fields -------------------------------------------------------------


def test_set_fields_and_undo(ledger: Ledger) -> None:
    t = build(ledger)
    item = t.items[t.findings[0]][0]
    before = dump()
    values = {"leader": "王局长", "department": "办公室", "person": "李四", "progress": "已召开专题会议"}
    cmd = SetFields(Item, item, values)
    changes = ledger.apply(cmd)
    assert changes == [Change("update", Item, item, fields=tuple(values))]
    row = Item.get_by_id(item)
    assert {k: getattr(row, k) for k in values} == values
    ledger.revert(cmd)
    assert dump() == before
    ledger.apply(cmd)
    assert Item.get_by_id(item).leader == "王局长"


def test_set_fields_foreign_key(ledger: Ledger) -> None:
    t = build(ledger)
    f = t.findings[0]
    cmd = SetFields(Finding, f, {"category": t.cats[1]})
    ledger.apply(cmd)
    assert Finding.get_by_id(f).category_id == t.cats[1]
    ledger.revert(cmd)
    assert Finding.get_by_id(f).category_id == t.cats[0]


def test_status_done_sets_and_clears_completed_date(ledger: Ledger) -> None:
    t = build(ledger)
    item = t.items[t.findings[0]][0]
    day = dt.date(2021, 6, 15)
    cmd = ops.set_fields(Item, item, {"status": DONE}, today=day)
    ledger.apply(cmd)
    assert (Item.get_by_id(item).status, Item.get_by_id(item).completed_date) == (DONE, day)
    # Done again later keeps the first completion date.
    again = ops.set_fields(Item, item, {"status": DONE}, today=dt.date(2021, 7, 1))
    ledger.apply(again)
    assert Item.get_by_id(item).completed_date == day
    back = ops.set_fields(Item, item, {"status": IN_PROGRESS})
    ledger.apply(back)
    assert (Item.get_by_id(item).status, Item.get_by_id(item).completed_date) == (IN_PROGRESS, None)
    # Undo, last edit first, gives back the item as it was; undoing the first edit alone is refused, since a
    # later edit changed the same fields (undo takes back only what is still as the edit left it).
    with pytest.raises(UndoConflictError):
        ledger.revert(cmd)
    ledger.revert(back)
    ledger.revert(again)
    ledger.revert(cmd)
    assert (Item.get_by_id(item).status, Item.get_by_id(item).completed_date) == (NOT_STARTED, None)
    with pytest.raises(ValueError, match="未知的完成情况"):
        ops.set_fields(Item, item, {"status": "差不多"})


def test_deadline_text_with_a_day_becomes_a_date(ledger: Ledger) -> None:
    t = build(ledger)
    item = t.items[t.findings[0]][0]
    ledger.apply(ops.set_fields(Item, item, {"deadline_text": "2021年6月30日"}))
    row = Item.get_by_id(item)
    assert (row.deadline_date, row.deadline_text) == (dt.date(2021, 6, 30), "")
    ledger.apply(ops.set_fields(Item, item, {"deadline_text": "立行立改"}))
    row = Item.get_by_id(item)
    assert (row.deadline_date, row.deadline_text) == (None, "立行立改")


def test_measure_done_date(ledger: Ledger) -> None:
    t = build(ledger)
    m = new_id(ledger, ops.add_measure(t.items[t.findings[0]][0], "加强学习"))
    ledger.apply(ops.set_fields(Measure, m, {"done": True}, today=dt.date(2021, 5, 1)))
    assert (Measure.get_by_id(m).done, Measure.get_by_id(m).done_date) == (True, dt.date(2021, 5, 1))
    ledger.apply(ops.set_fields(Measure, m, {"done": False}))
    assert (Measure.get_by_id(m).done, Measure.get_by_id(m).done_date) == (False, None)


def test_write_off_steps(ledger: Ledger) -> None:
    t = build(ledger)
    item = t.items[t.findings[0]][0]
    day = dt.date(2021, 6, 1)
    with pytest.raises(ValueError, match="只有已完成"):
        ops.write_off(item, WO_APPLY, "李四", day)
    ledger.apply(ops.set_fields(Item, item, {"status": DONE}, today=day))
    with pytest.raises(ValueError, match="没有待审核"):
        ops.write_off(item, WO_APPROVE, "王局长", day)
    ledger.apply(ops.write_off(item, WO_APPLY, "李四", day))
    assert ops.writeoff_state(item) == "待审核"
    reject = ops.write_off(item, WO_REJECT, "王局长", day, "佐证材料不全")
    ledger.apply(reject)
    assert ops.writeoff_state(item) == "已退回"
    row = Item.get_by_id(item)
    assert (row.status, row.completed_date) == (IN_PROGRESS, None)
    assert WriteOff.select().where(WriteOff.item == item).order_by(WriteOff.id.desc()).first().opinion == (
        "佐证材料不全"
    )
    ledger.revert(reject)
    assert ops.writeoff_state(item) == "待审核"
    assert (Item.get_by_id(item).status, Item.get_by_id(item).completed_date) == (DONE, day)
    ledger.apply(ops.write_off(item, WO_APPROVE, "王局长", day, "同意销号"))
    assert ops.writeoff_state(item) == "已销号"


# --- Delete ------------------------------------------------------------------------------------------


def test_delete_category_with_everything_under_it_and_undo(ledger: Ledger, tmp_path: Path) -> None:
    t = build(ledger)
    cat = t.cats[0]
    item = t.items[t.findings[0]][0]
    m1 = new_id(ledger, ops.add_measure(item, "一是加强学习"))
    new_id(ledger, ops.add_measure(t.items[t.findings[2]][0], "完善制度"))  # in the other category
    ledger.apply(ops.set_fields(Measure, m1, {"done": True}, today=dt.date(2021, 5, 2)))
    ledger.apply(ops.set_fields(Item, item, {"status": DONE, "deadline_text": "2021年6月底前"}))
    ledger.apply(ops.write_off(item, WO_APPLY, "李四", dt.date(2021, 6, 1), "申请销号"))
    f = tmp_path / "会议纪要.txt"
    f.write_text("党组会议纪要", encoding="utf-8")
    ledger.apply(AddEvidence(item, f, measure_id=m1, doc_number="教党〔2021〕1号"))
    inst = new_id(ledger, Insert(Institution, {"inspection": t.insp, "title": "学习制度"}))
    ledger.apply(Insert(InstitutionItem, {"institution": inst, "item": item}))
    meet = new_id(ledger, Insert(Meeting, {"inspection": t.insp, "topic": "专题会议"}))
    ledger.apply(Insert(MeetingItem, {"meeting": meet, "item": item}))
    before = dump()
    assert len(before["evidence"]) == 1 and len(before["write_off"]) == 1

    cmd = ops.delete(Category, cat)
    changes = ledger.apply(cmd)
    assert changes == [Change("remove", Category, cat, t.insp)]
    assert Category.get_or_none(Category.id == cat) is None
    assert Finding.select().where(Finding.category == cat).count() == 0
    assert Item.select().count() == 3
    for model in (Measure, Evidence, WriteOff, InstitutionItem, MeetingItem):
        assert model.select().count() == (1 if model is Measure else 0), model
    assert Blob.select().count() == 1  # bytes stay until pruned, so that undo can bring the evidence back
    assert Institution.select().count() == 1 and Meeting.select().count() == 1
    entry = log_rows()[-1]
    assert (entry.action, entry.entity, entry.entity_id, entry.old) == ("删除", "方面", cat, "方面一")
    assert "连同其下" in entry.summary

    changes = ledger.revert(cmd)
    assert changes == [Change("insert", Category, cat, t.insp)]
    assert dump() == before
    assert log_rows()[-1].action == "撤销删除"
    # Redo and undo again.
    ledger.apply(cmd)
    assert Item.select().count() == 3
    ledger.revert(cmd)
    assert dump() == before


def test_delete_measure_keeps_its_evidence_on_the_item(ledger: Ledger, tmp_path: Path) -> None:
    t = build(ledger)
    item = t.items[t.findings[0]][0]
    m = new_id(ledger, ops.add_measure(item, "加强学习"))
    f = tmp_path / "照片.jpg"
    f.write_bytes(b"\xff\xd8 not really a photo")
    ev = new_id(ledger, AddEvidence(item, f, measure_id=m, kind="照片"))
    before = dump()
    cmd = Delete(Measure, m)
    ledger.apply(cmd)
    row = Evidence.get_by_id(ev)
    assert (row.item_id, row.measure_id) == (item, None)
    ledger.revert(cmd)
    assert Evidence.get_by_id(ev).measure_id == m
    assert dump() == before


# --- Move and Renumber ---------------------------------------------------------------------------------


def _order(model, parent_field: str, parent: int) -> list[int]:  # noqa: ANN001
    q = model.select().where(getattr(model, parent_field) == parent).order_by(model.position, model.id)
    return [r.id for r in q]


def test_move_and_undo(ledger: Ledger) -> None:
    t = build(ledger)
    f = t.findings[2]
    a, b, c = t.items[f]
    before = dump()
    down = Move(Item, a, +1)
    assert ledger.apply(down) == [Change("move", Item, a, f)]
    assert _order(Item, "finding", f) == [b, a, c]
    assert [Item.get_by_id(i).number for i in (a, b, c)] == [1, 2, 3]  # numbers never change on a move
    up = ops.move(Item, c, -1)
    ledger.apply(up)
    assert _order(Item, "finding", f) == [b, c, a]
    assert log_rows()[-1].action == "上移"
    ledger.revert(up)
    assert _order(Item, "finding", f) == [b, a, c]
    ledger.revert(down)
    assert dump() == before


def test_move_at_the_edge_does_nothing(ledger: Ledger) -> None:
    t = build(ledger)
    f = t.findings[2]
    first, *_, last = t.items[f]
    before, n_log = dump(), ChangeLog.select().count()
    calls: list[list[Change]] = []
    ledger.subscribe(calls.append)
    for cmd in (ops.move(Item, first, -1), ops.move(Item, last, +1), ops.move(Category, t.cats[0], -1)):
        assert ledger.apply(cmd) == []
        assert ledger.revert(cmd) == []
    assert dump() == before
    assert ChangeLog.select().count() == n_log
    assert calls == [[]] * 6


def test_move_repairs_repeated_positions(ledger: Ledger) -> None:
    t = build(ledger)
    f = t.findings[2]
    a, b, c = t.items[f]
    Item.update(position=0).where(Item.finding == f).execute()  # as after a hand edit of the file
    ledger.apply(ops.move(Item, c, -1))
    assert _order(Item, "finding", f) == [a, c, b]
    assert sorted(Item.get_by_id(i).position for i in (a, b, c)) == [0, 1, 2]


def test_renumber_after_moves_and_undo(ledger: Ledger) -> None:
    t = build(ledger)
    f1, f2, f3 = t.findings
    # The second category first; finding 2 before finding 1; the last item of finding 3 first.
    ledger.apply(ops.move(Category, t.cats[1], -1))
    ledger.apply(ops.move(Finding, f2, -1))
    c = t.items[f3][2]
    ledger.apply(ops.move(Item, c, -1))
    ledger.apply(ops.move(Item, c, -1))
    # Gaps in numbers, as after deletions.
    ledger.apply(ops.delete(Item, t.items[f1][0]))
    before = dump()
    old_findings = {f: Finding.get_by_id(f).number for f in t.findings}
    assert old_findings == {f1: 1, f2: 2, f3: 3}

    cmd = ops.renumber(t.insp)
    assert ledger.apply(cmd) == [Change("renumber", Inspection, t.insp)]
    assert {f: Finding.get_by_id(f).number for f in t.findings} == {f3: 1, f2: 2, f1: 3}
    assert [Item.get_by_id(i).number for i in _order(Item, "finding", f3)] == [1, 2, 3]
    assert _order(Item, "finding", f3)[0] == c
    assert [Item.get_by_id(i).number for i in _order(Item, "finding", f1)] == [1]
    assert [Item.get_by_id(i).number for i in _order(Item, "finding", f2)] == [1]
    entry = log_rows()[-1]
    assert entry.action == "重新编号" and "处序号改变" in entry.summary
    changed = int(entry.summary.split("（")[1].split(" ")[0])
    # Findings 1 and 3 swap (2); item (2) of finding 1 becomes (1) (1); (3)(1)(2) become (1)(2)(3) (3).
    assert changed == 6

    ledger.revert(cmd)
    assert dump() == before
    # Numbering already in order changes nothing.
    ledger.apply(cmd)
    again = Renumber(t.insp)
    ledger.apply(again)
    assert "（0 处序号改变）" in log_rows()[-1].summary


# --- Batch, the log, read-only ledgers, listeners --------------------------------------------------------


def test_batch_is_one_transaction(ledger: Ledger) -> None:
    t = build(ledger)
    before, log_before = dump(), ChangeLog.select().count()
    calls: list[list[Change]] = []
    ledger.subscribe(calls.append)
    bad = Batch(
        "两步",
        [Insert(Category, {"inspection": t.insp, "title": "不应留下"}), SetFields(Item, 999_999, {"title": "x"})],
    )
    with pytest.raises(ConflictError, match="已被删除"):
        ledger.apply(bad)
    assert dump() == before
    assert ChangeLog.select().count() == log_before
    assert calls == []
    # A good batch is one step: one log batch, one undo.
    good = Batch(
        "两步",
        [
            Insert(Category, {"inspection": t.insp, "title": "方面三"}),
            SetFields(Category, t.cats[0], {"title": "方面一（改）"}),
        ],
    )
    changes = ledger.apply(good)
    assert [c.kind for c in changes] == ["insert", "update"]
    assert len(calls) == 1 and calls[0] == changes
    rows = log_rows()[log_before:]
    assert len(rows) == 2 and len({r.batch for r in rows}) == 1
    ledger.revert(good)
    assert dump() == before


def test_every_change_is_logged_with_user_time_old_and_new(ledger: Ledger) -> None:
    t = build(ledger)
    f = t.findings[0]
    n = ChangeLog.select().count()
    assert n == 1 + 2 + 3 + 6  # every insert of build() was logged
    cmd = SetFields(Finding, f, {"title": "新标题", "description": "说明"})
    ledger.apply(cmd)
    rows = log_rows()[n:]
    assert [(r.action, r.entity, r.entity_id, r.field, r.old, r.new) for r in rows] == [
        ("修改", "问题", f, "标题", "问题1", "新标题"),
        ("修改", "问题", f, "说明", "", "说明"),
    ]
    for r in rows:
        assert r.user == ledger.user and r.user
        assert isinstance(r.at, dt.datetime)
        assert abs((r.at - dt.datetime.now()).total_seconds()) < 24 * 3600
    assert rows[0].batch == rows[1].batch > log_rows()[n - 1].batch
    ledger.revert(cmd)
    undo_rows = log_rows()[n + 2 :]
    assert [(r.action, r.field, r.old, r.new) for r in undo_rows] == [
        ("撤销修改", "标题", "新标题", "问题1"),
        ("撤销修改", "说明", "说明", ""),
    ]
    assert all(r.summary.startswith("撤销：") for r in undo_rows)
    assert undo_rows[0].batch == rows[0].batch + 1
    # Inserts and deletes are logged too, and undone with 撤销.
    ins = ops.add_measure(t.items[f][0], "落实整改")
    mid = new_id(ledger, ins)
    last = log_rows()[-1]
    assert (last.action, last.entity, last.entity_id, last.new) == ("新增", "整改措施", mid, "落实整改")
    ledger.revert(ins)
    assert log_rows()[-1].action == "撤销新增"
    # A date and a boolean are written as a clerk reads them.
    m = new_id(ledger, ops.add_measure(t.items[f][0], "再落实"))
    ledger.apply(ops.set_fields(Measure, m, {"done": True}, today=dt.date(2021, 5, 2)))
    assert {(r.field, r.old, r.new) for r in log_rows()[-2:]} == {
        ("已完成", "否", "是"),
        ("完成日期", None, "2021-05-02"),
    }


def test_unchanged_fields_are_not_logged(ledger: Ledger) -> None:
    t = build(ledger)
    n = ChangeLog.select().count()
    ledger.apply(SetFields(Category, t.cats[0], {"title": "方面一"}))
    assert ChangeLog.select().count() == n


def test_readonly_ledger_refuses_changes(ledger_path: Path) -> None:
    led = Ledger.create(ledger_path)
    t = build(led)
    led.close()
    with Ledger.open(ledger_path, readonly=True) as ro:
        before = dump(exclude=())
        calls: list[list[Change]] = []
        ro.subscribe(calls.append)
        for cmd in (
            ops.add_category(t.insp, "不应写入"),
            SetFields(Category, t.cats[0], {"title": "不应写入"}),
            ops.delete(Category, t.cats[0]),
        ):
            with pytest.raises(ReadOnlyLedgerError, match="只读"):
                ro.apply(cmd)
            with pytest.raises(ReadOnlyLedgerError):
                ro.revert(cmd)
        assert dump(exclude=()) == before
        assert calls == []


def test_listeners_get_the_changes(ledger: Ledger) -> None:
    t = build(ledger)
    calls: list[list[Change]] = []
    ledger.subscribe(calls.append)
    cmd = ops.add_category(t.insp, "方面三")
    changes = ledger.apply(cmd)
    cid = changes[0].id
    assert calls == [[Change("insert", Category, cid, t.insp)]]
    edit = SetFields(Category, cid, {"title": "方面三（改）"})
    ledger.apply(edit)
    assert calls[-1] == [Change("update", Category, cid, fields=("title",))]
    move = ops.move(Category, cid, -1)
    ledger.apply(move)
    assert calls[-1] == [Change("move", Category, cid, t.insp)]
    # Undone last-first, as the window's undo does: an insertion someone has written in since is not undone.
    ledger.revert(move)
    ledger.revert(edit)
    ledger.revert(cmd)
    assert calls[-1] == [Change("remove", Category, cid, t.insp)]
    ledger.notify_reset()
    assert calls[-1] == [Change("reset", Inspection, 0)]
    ledger.unsubscribe(calls.append)
    ledger.apply(ops.add_category(t.insp, "方面四"))
    assert len(calls) == 7
