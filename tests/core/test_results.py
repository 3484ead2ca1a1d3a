"""整改成效: accountability and money entries recorded per item or per inspection, and their sums (issue 14)."""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest

from rectify_desktop.core import ops, results, storage, verify
from rectify_desktop.core.commands import Insert, SetFields
from rectify_desktop.core.ledger import Ledger
from rectify_desktop.core.models import Accountability, Inspection, Institution, Item, Meeting, MoneyEntry, db
from tests.core.test_commands import build, dump, new_id

# --- amounts and counts from text --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("12.5", Decimal("12.5")),
        ("12.50", Decimal("12.5")),
        ("１２.５", Decimal("12.5")),
        ("1,234.5", Decimal("1234.5")),
        ("0.0001", Decimal("0.0001")),
        (" 23.8 ", Decimal("23.8")),
        ("0", Decimal("0")),
    ],
)
def test_parse_amount_exact(text: str, want: Decimal) -> None:
    assert results.parse_amount(text) == want


@pytest.mark.parametrize("text", ["abc", "-1", "0.00001", "", "1e3", "NaN", "12.5.1", "Infinity"])
def test_parse_amount_refuses(text: str) -> None:
    with pytest.raises(ValueError) as err:
        results.parse_amount(text)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(err.value))  # a Chinese reason


@pytest.mark.parametrize("text", ["0", "-2", "1.5", "两", ""])
def test_parse_people_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        results.parse_people(text)


def test_parse_people() -> None:
    assert results.parse_people("３") == 3
    assert results.parse_people(2) == 2


class Stack:
    """Undo and redo as the window does them: revert the last command, apply it again."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.done: list = []
        self.undone: list = []

    def apply(self, cmd):  # noqa: ANN001, ANN201
        changes = self.ledger.apply(cmd)
        self.done.append(cmd)
        self.undone.clear()
        return changes

    def undo(self) -> None:
        cmd = self.done.pop()
        self.ledger.revert(cmd)
        self.undone.append(cmd)

    def redo(self) -> None:
        cmd = self.undone.pop()
        self.ledger.apply(cmd)
        self.done.append(cmd)


# --- commands ----------------------------------------------------------------------------------------


def test_add_edit_remove_entries_with_undo(ledger: Ledger) -> None:
    t = build(ledger)
    ledger = Stack(ledger)  # type: ignore[assignment]
    item = t.items[t.findings[0]][0]
    before = dump()
    a = new_id(ledger, ops.add_accountability(item_id=item, kind="诫勉", people="1", names="张三"))
    m = new_id(ledger, ops.add_money(item_id=item, kind="追回", amount="23.8", note="违规津补贴"))
    row = MoneyEntry.get_by_id(m)
    assert (row.inspection_id, row.item_id, row.amount) == (t.insp, item, 238000)  # integer 元
    assert results.amount_of(row) == Decimal("23.8")
    acc = Accountability.get_by_id(a)
    assert (acc.inspection_id, acc.kind, acc.people, acc.names) == (t.insp, "诫勉", 1, "张三")
    # Inspection-level: no item.
    new_id(ledger, ops.add_accountability(inspection_id=t.insp, kind="批评教育", people=2))
    ledger.apply(ops.edit_money(m, amount="1,234.5"))
    assert MoneyEntry.get_by_id(m).amount == 12_345_000
    ledger.apply(ops.edit_accountability(a, people="3"))
    assert Accountability.get_by_id(a).people == 3
    ledger.apply(ops.remove_entry(MoneyEntry, m))
    assert MoneyEntry.get_or_none(MoneyEntry.id == m) is None
    ledger.undo()
    assert MoneyEntry.get_by_id(m).amount == 12_345_000
    for _ in range(5):
        ledger.undo()
    assert dump() == before


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda i: ops.add_money(item_id=i, kind="追回", amount="abc"), "不是数字"),
        (lambda i: ops.add_money(item_id=i, kind="追回", amount="-1"), "负"),
        (lambda i: ops.add_money(item_id=i, kind="追回", amount="0.00001"), "4位小数"),
        (lambda i: ops.add_money(item_id=i, kind="乱写", amount="1"), "类型"),
        (lambda i: ops.add_accountability(item_id=i, kind="诫勉", people="0"), "整数"),
        (lambda i: ops.add_accountability(item_id=i, kind="诫勉", people="1.5"), "整数"),
        (lambda i: ops.add_accountability(item_id=i, kind="开除", people="1"), "类型"),
    ],
)
def test_bad_input_refused_nothing_saved(ledger: Ledger, make, reason: str) -> None:  # noqa: ANN001
    t = build(ledger)
    item = t.items[t.findings[0]][0]
    before = dump(exclude=())
    with pytest.raises(ValueError) as err:
        ledger.apply(make(item))
    assert reason in str(err.value)
    assert dump(exclude=()) == before


def test_edit_refuses_bad_amount(ledger: Ledger) -> None:
    t = build(ledger)
    m = new_id(ledger, ops.add_money(inspection_id=t.insp, kind="追缴", amount="5"))
    with pytest.raises(ValueError):
        ledger.apply(ops.edit_money(m, amount="5.123456"))
    assert MoneyEntry.get_by_id(m).amount == 50_000


def test_entries_go_with_their_item_and_come_back(ledger: Ledger) -> None:
    t = build(ledger)
    item = t.items[t.findings[0]][0]
    new_id(ledger, ops.add_money(item_id=item, kind="追缴", amount="2"))
    new_id(ledger, ops.add_accountability(item_id=item, kind="组织处理", people=1))
    before = dump()
    cmd = ops.delete(Item, item)
    ledger.apply(cmd)
    assert MoneyEntry.select().count() == Accountability.select().count() == 0
    ledger.revert(cmd)
    assert dump() == before


# --- sums --------------------------------------------------------------------------------------------


def test_sums_by_kind_with_items_and_undo_redo(ledger: Ledger) -> None:
    t = build(ledger)
    ledger = Stack(ledger)  # type: ignore[assignment]
    i1, i2 = t.items[t.findings[0]]
    new_id(ledger, ops.add_accountability(item_id=i1, kind="批评教育", people=2))
    new_id(ledger, ops.add_accountability(item_id=i2, kind="批评教育", people=1))
    new_id(ledger, ops.add_accountability(inspection_id=t.insp, kind="诫勉", people=1))
    new_id(ledger, ops.add_money(item_id=i1, kind="追回", amount="23.8"))
    new_id(ledger, ops.add_money(item_id=i2, kind="追回", amount="0.0001"))
    new_id(ledger, ops.add_money(item_id=i1, kind="问题金额", amount="100"))
    new_id(ledger, ops.add_money(item_id=i1, kind="整改到位金额", amount="60.5"))
    Institution.create(inspection=t.insp, title="制度一")
    Meeting.create(inspection=t.insp, kind="专题民主生活会", topic="会")
    Meeting.create(inspection=t.insp, kind="专题民主生活会", topic="会2")
    r = results.compute(t.insp)
    assert r.accountability["批评教育"].count == 3
    assert r.accountability["批评教育"].items == [i1, i2]
    assert r.accountability["诫勉"].count == 1 and r.accountability["诫勉"].items == []
    assert r.money["追回"].amount == Decimal("23.8001")
    assert r.audit["问题金额"].amount == Decimal("100")
    assert r.audit["整改到位金额"].amount == Decimal("60.5")
    assert "问题金额" not in r.money
    assert r.rules.count == 1
    assert r.meetings["专题民主生活会"].count == 2
    j = r.to_json()
    assert j["money"]["追回"]["amount"] == "23.8001"
    assert j["accountability"]["批评教育"] == {"people": 3, "items": [i1, i2]}
    s = results.sentence(r)
    assert s.startswith("在整改工作中，")
    assert "批评教育3人" in s and "诫勉1人" in s and "党纪政务处分" not in s
    assert "制定及修改完善制度1项" in s and "追回资金23.8001万元" in s
    ledger.undo()  # the last money entry
    assert "整改到位金额" not in results.compute(t.insp).audit
    ledger.undo()
    ledger.undo()
    assert results.compute(t.insp).money["追回"].amount == Decimal("23.8")
    ledger.redo()
    assert results.compute(t.insp).money["追回"].amount == Decimal("23.8001")


def test_sum_of_ten_thousand_random_amounts_is_exact(ledger: Ledger) -> None:
    t = build(ledger)
    rnd = random.Random(14)
    amounts = [Decimal(rnd.randrange(0, 10**9)).scaleb(-4) for _ in range(10_000)]
    with db.atomic():
        for a in amounts:
            MoneyEntry.create(inspection=t.insp, kind="追缴", amount=results.to_units(a))
    assert results.compute(t.insp).money["追缴"].amount == sum(amounts, Decimal(0))


def test_empty_sentence_and_zero_kinds_left_out(ledger: Ledger) -> None:
    t = build(ledger)
    assert results.sentence(results.compute(t.insp)) == ""


# --- schema ------------------------------------------------------------------------------------------


def _downgrade(p: Path, version: int) -> None:
    con = sqlite3.connect(p)
    con.execute("DROP TABLE accountability")
    con.execute("DROP TABLE money_entry")
    for table in ("fill_out_round", "fill_out_return", "progress_report"):  # version 5's
        con.execute(f"DROP TABLE {table}")
    con.execute(f"PRAGMA user_version = {version}")
    con.commit()
    con.close()


@pytest.mark.parametrize("version", [2, 3])
def test_older_ledger_migrates_with_backup(tmp_path: Path, version: int) -> None:
    p = tmp_path / "旧台账.db"
    led = Ledger.create(p)
    t = build(led)
    led.close()
    _downgrade(p, version)
    led = Ledger.open(p)
    try:
        assert db.execute_sql("PRAGMA user_version").fetchone()[0] == storage.SCHEMA_VERSION
        assert led.migrated_backup is not None and led.migrated_backup.exists()
        assert f"升级前备份-v{version}-" in led.migrated_backup.name
        new_id(led, ops.add_money(inspection_id=t.insp, kind="追缴", amount="1"))
        assert verify.verify_open_ledger() == []
    finally:
        led.close()


def test_verify_flags_bad_entries(ledger: Ledger) -> None:
    t = build(ledger)
    m = new_id(ledger, ops.add_money(inspection_id=t.insp, kind="追缴", amount="1"))
    db.execute_sql("UPDATE money_entry SET amount = -5, kind = '乱写' WHERE id = ?", (m,))
    a = new_id(ledger, ops.add_accountability(inspection_id=t.insp, kind="诫勉", people=1))
    db.execute_sql("UPDATE accountability SET people = 0 WHERE id = ?", (a,))
    problems = "\n".join(verify.verify_open_ledger())
    assert "资金" in problems and "问责" in problems


def test_demo_has_results(demo_ledger: Ledger) -> None:
    r = results.compute(None)
    assert sum(v.count for v in r.accountability.values()) > 0
    assert r.money["追回"].amount == Decimal("23.8")
    assert r.rules.count > 0
    assert results.sentence(r)


def test_date_kept(ledger: Ledger) -> None:
    t = build(ledger)
    m = new_id(ledger, ops.add_money(inspection_id=t.insp, kind="清退", amount="3", date=dt.date(2021, 5, 1)))
    assert MoneyEntry.get_by_id(m).date == dt.date(2021, 5, 1)


def test_commands_refuse_bad_values_that_bypass_ops(ledger: Ledger) -> None:
    """An import or a script that builds Insert/SetFields itself meets the same rules as the form."""
    t = build(ledger)
    before = dump(exclude=())
    with pytest.raises(ValueError, match="人数"):
        ledger.apply(Insert(Accountability, {"inspection": t.insp, "kind": "诫勉", "people": 0}))
    with pytest.raises(ValueError, match="负"):
        ledger.apply(Insert(MoneyEntry, {"inspection": t.insp, "kind": "追缴", "amount": -1}))
    with pytest.raises(ValueError, match="类型"):
        ledger.apply(Insert(MoneyEntry, {"inspection": t.insp, "kind": "罚款", "amount": 1}))
    assert dump(exclude=()) == before
    m = new_id(ledger, ops.add_money(inspection_id=t.insp, kind="追缴", amount="1"))
    with pytest.raises(ValueError, match="元"):
        ledger.apply(SetFields(MoneyEntry, m, {"amount": 1.5}))  # a float never reaches the file
    assert MoneyEntry.get_by_id(m).amount == 10_000


def test_version_3_ledger_opens_read_only_from_a_migrated_copy(tmp_path: Path) -> None:
    p = tmp_path / "只读旧台账.db"
    led = Ledger.create(p)
    t = build(led)
    led.close()
    _downgrade(p, 3)
    before = p.read_bytes()
    led = Ledger.open(p, readonly=True)
    try:
        assert results.compute(t.insp).to_json()["money"] == {}
    finally:
        led.close()
    assert p.read_bytes() == before and storage.inspect_file(p).user_version == 3


def test_deleting_the_inspection_takes_its_entries_and_undo_brings_them_back(ledger: Ledger) -> None:
    t = build(ledger)
    item = t.items[t.findings[2]][1]
    new_id(ledger, ops.add_money(item_id=item, kind="整改到位金额", amount="7.25"))
    new_id(ledger, ops.add_accountability(inspection_id=t.insp, kind="组织处理", people=4))
    before = dump()
    cmd = ops.delete(Inspection, t.insp)
    ledger.apply(cmd)
    assert MoneyEntry.select().count() == Accountability.select().count() == 0
    ledger.revert(cmd)
    assert dump() == before
    assert results.compute(t.insp).audit["整改到位金额"].items == [item]


def test_demo_sentence(demo_ledger: Ledger) -> None:
    assert results.sentence(results.compute(demo_ledger.pick_inspection())) == (
        "在整改工作中，给予党纪政务处分2人，诫勉2人，批评教育2人，提醒谈话2人；"
        "制定及修改完善制度6项，清退资金3.6万元，追回资金23.8万元；"
        "召开党组会议2次，专题会议1次，民主生活会1次，推进会2次。"
    )
