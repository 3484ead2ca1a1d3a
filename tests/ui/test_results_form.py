"""整改成效 on the item form and the inspection form (issue 14, "In the window"), through the real main window.

The clerk opens the demo ledger, selects an item (or the inspection), and in its 整改成效 section adds a 问责
entry and a 资金 entry, edits their cells in place, removes one; every step is one step of the window's undo.
What was typed and is not a number of people or an amount in 万元 is refused with the core's own reason, in the
section, and nothing is saved. Assertions are on the ledger file (read back with peewee) and on what is shown.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from peewee import fn
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QComboBox, QLineEdit, QMessageBox

from rectify_desktop.core import results
from rectify_desktop.core.models import (
    AUDIT_AMOUNT_KINDS,
    MONEY_KINDS,
    WO_APPROVE,
    Accountability,
    Inspection,
    Item,
    MoneyEntry,
    WriteOff,
)
from rectify_desktop.core.outline import INSPECTION, ITEM


@pytest.fixture
def window(window, demo_path):
    """The shared window (tests/conftest.py) opened on the demo ledger, its 台账 page shown."""
    assert window.open_ledger(demo_path)
    window.show_page("ledger")
    return window


@pytest.fixture
def answers(monkeypatch):
    """Answers the window's yes/no questions from a list (Yes when empty); records every box shown."""
    said: list[bool] = []
    shown: list[str] = []

    def question(_parent, _title, text, *a, **k):
        shown.append(text)
        yes = said.pop(0) if said else True
        return QMessageBox.StandardButton.Yes if yes else QMessageBox.StandardButton.No

    def box(_parent, _title, text, *a, **k):
        shown.append(text)
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "question", question)
    monkeypatch.setattr(QMessageBox, "critical", box)
    monkeypatch.setattr(QMessageBox, "warning", box)
    return said, shown


def item_without_results() -> Item:
    has_acc = Accountability.select(fn.COUNT(Accountability.id)).where(Accountability.item == Item.id)
    has_money = MoneyEntry.select(fn.COUNT(MoneyEntry.id)).where(MoneyEntry.item == Item.id)
    return Item.select().where((has_acc == 0) & (has_money == 0)).order_by(Item.id).first()


def written_off_item() -> Item:
    last = WriteOff.select(fn.MAX(WriteOff.id)).where(WriteOff.item == Item.id)
    q = (
        Item.select()
        .join(WriteOff, on=(WriteOff.item == Item.id))
        .where((WriteOff.id == last) & (WriteOff.action == WO_APPROVE))
    )
    return q.order_by(Item.id).first()


def section(window):
    """The 整改成效 section of the form shown, opened (it may start collapsed)."""
    ed = window.panel.current_form.results
    if not ed.expanded:
        ed.toggle.click()
    assert ed.expanded and ed.acc.table.isVisible() and ed.money.table.isVisible()
    return ed


def open_cell(part, row: int, col: int):
    part.commit_pending()  # a new entry opens a cell for typing at once: close it first, as a click elsewhere does
    t = part.table
    t.setCurrentCell(row, col)
    t.edit(t.model().index(row, col))
    ed = part.delegate.editor
    assert ed is not None, (row, col)
    return ed


def type_cell(qtbot, part, row: int, col: int, text: str) -> None:
    """Opens a cell's line editor, types `text` (ASCII, as keys) and presses Enter."""
    ed = open_cell(part, row, col)
    assert isinstance(ed, QLineEdit)
    ed.selectAll()
    qtbot.keyClick(ed, Qt.Key.Key_Delete)
    qtbot.keyClicks(ed, text)
    qtbot.keyClick(ed, Qt.Key.Key_Return)
    # The delegate commits an Enter through the event loop (a queued call), as in the running window.
    qtbot.waitUntil(lambda: part.table.state() != QAbstractItemView.State.EditingState)


def choose(part, row: int, col: int, text: str) -> None:
    combo = open_cell(part, row, col)
    assert isinstance(combo, QComboBox)
    i = combo.findText(text)
    assert i >= 0, (text, [combo.itemText(k) for k in range(combo.count())])
    combo.setCurrentIndex(i)
    combo.activated.emit(i)


def cell(part, row: int, col: int) -> str:
    it = part.table.item(row, col)
    return it.text() if it is not None else ""


def reason_of(parse, value: str) -> str:
    with pytest.raises(ValueError) as caught:
        parse(value)
    return str(caught.value)


def test_add_edit_undo_redo_accountability_and_money_on_the_item_form(window, qtbot, answers):
    item = item_without_results()
    window.select(ITEM, item.id)
    ed = section(window)
    acc, money = ed.acc, ed.money
    assert acc.table.rowCount() == 0 and money.table.rowCount() == 0

    # 添加问责: one undo step; undo takes it away, redo brings it back with its id.
    acc.add_button.click()
    rows = list(Accountability.select().where(Accountability.item == item.id))
    assert len(rows) == 1 and rows[0].people == 1
    assert rows[0].inspection_id == Item.get_by_id(item.id).finding.inspection_id
    entry = rows[0].id
    assert acc.table.rowCount() == 1
    window.actions["undo"].trigger()
    assert Accountability.select().where(Accountability.item == item.id).count() == 0
    assert acc.table.rowCount() == 0
    window.actions["redo"].trigger()
    assert Accountability.get_by_id(entry).item_id == item.id
    assert acc.table.rowCount() == 1

    # Its cells, edited in place: kind from the list, people typed, names, date, note.
    choose(acc, 0, acc.COL_KIND, "诫勉")
    type_cell(qtbot, acc, 0, acc.COL_PEOPLE, "3")
    line = open_cell(acc, 0, acc.COL_NAMES)
    line.setText("张三、李四、王五")
    acc.commit_pending()
    date = open_cell(acc, 0, acc.COL_DATE)
    date.dateEdit().setDate(date.dateEdit().date().currentDate())
    acc.commit_pending()
    line = open_cell(acc, 0, acc.COL_NOTE)
    line.setText("违规收受礼金")
    acc.commit_pending()
    row = Accountability.get_by_id(entry)
    assert (row.kind, row.people, row.names, row.date, row.note) == (
        "诫勉",
        3,
        "张三、李四、王五",
        dt.date.today(),
        "违规收受礼金",
    )
    assert [cell(acc, 0, c) for c in (acc.COL_KIND, acc.COL_PEOPLE, acc.COL_NAMES, acc.COL_NOTE)] == [
        "诫勉",
        "3",
        "张三、李四、王五",
        "违规收受礼金",
    ]

    # 添加资金, then its amount typed: stored exactly (whole 元), shown as the notice writes it.
    money.add_button.click()
    m = MoneyEntry.get(MoneyEntry.item == item.id)
    choose(money, 0, money.COL_KIND, "追回")
    type_cell(qtbot, money, 0, money.COL_AMOUNT, "12.5")
    m = MoneyEntry.get_by_id(m.id)
    assert (m.kind, m.amount, results.from_units(m.amount)) == ("追回", 125000, Decimal("12.5"))
    assert cell(money, 0, money.COL_AMOUNT) == "12.5"
    # An audit-style item's amounts are offered on an item.
    combo = open_cell(money, 0, money.COL_KIND)
    offered = [combo.itemText(k) for k in range(combo.count())]
    assert all(k in offered for k in MONEY_KINDS + AUDIT_AMOUNT_KINDS)
    money.delegate.flush()

    # Each edit is one undo step: the amount, the kind, then the entry itself.
    window.actions["undo"].trigger()
    assert MoneyEntry.get_by_id(m.id).amount == 0
    window.actions["undo"].trigger()
    window.actions["undo"].trigger()
    assert MoneyEntry.select().where(MoneyEntry.item == item.id).count() == 0
    assert money.table.rowCount() == 0
    window.actions["redo"].trigger()
    window.actions["redo"].trigger()
    window.actions["redo"].trigger()
    assert results.from_units(MoneyEntry.get_by_id(m.id).amount) == Decimal("12.5")
    assert cell(money, 0, money.COL_AMOUNT) == "12.5"
    _said, shown = answers
    assert shown == []


@pytest.mark.parametrize("bad", ["abc", "-3", "1.23456"])
def test_a_bad_amount_is_refused_with_the_core_reason_and_nothing_saved(window, qtbot, answers, bad):
    item = item_without_results()
    window.select(ITEM, item.id)
    money = section(window).money
    money.add_button.click()
    type_cell(qtbot, money, 0, money.COL_AMOUNT, "12.5")
    m = MoneyEntry.get(MoneyEntry.item == item.id)
    steps = window.undo_stack.count()
    assert not money.problem.isVisible()

    type_cell(qtbot, money, 0, money.COL_AMOUNT, bad)
    assert MoneyEntry.get_by_id(m.id).amount == 125000
    assert window.undo_stack.count() == steps
    assert cell(money, 0, money.COL_AMOUNT) == "12.5"
    assert money.problem.isVisible()
    assert money.problem.text() == reason_of(results.parse_amount, bad) + "。未保存，仍为原来的值。"
    # The next good value is saved and the reason goes.
    type_cell(qtbot, money, 0, money.COL_AMOUNT, "7")
    assert MoneyEntry.get_by_id(m.id).amount == 70000
    assert not money.problem.isVisible()
    assert answers[1] == []


@pytest.mark.parametrize("bad", ["0", "1.5", "x"])
def test_a_bad_number_of_people_is_refused_with_the_core_reason_and_nothing_saved(window, qtbot, answers, bad):
    item = item_without_results()
    window.select(ITEM, item.id)
    acc = section(window).acc
    acc.add_button.click()
    type_cell(qtbot, acc, 0, acc.COL_PEOPLE, "2")
    entry = Accountability.get(Accountability.item == item.id)
    assert entry.people == 2
    steps = window.undo_stack.count()

    type_cell(qtbot, acc, 0, acc.COL_PEOPLE, bad)
    assert Accountability.get_by_id(entry.id).people == 2
    assert window.undo_stack.count() == steps
    assert cell(acc, 0, acc.COL_PEOPLE) == "2"
    assert acc.problem.isVisible()
    assert acc.problem.text() == reason_of(results.parse_people, bad) + "。未保存，仍为原来的值。"
    assert answers[1] == []


def test_an_entry_of_the_whole_inspection_from_the_inspection_form(window, qtbot, answers):
    insp = Inspection.select().first()
    window.select(INSPECTION, insp.id)
    ed = section(window)
    assert window.panel.current_form.kind == "inspection"
    assert "不对应具体问题" in ed.title_text()
    # The demo's inspection-level entry is shown, not the items'.
    shown_before = Accountability.select().where((Accountability.inspection == insp.id) & Accountability.item.is_null())
    assert ed.acc.table.rowCount() == shown_before.count() > 0

    ed.acc.add_button.click()
    new = Accountability.select().order_by(Accountability.id.desc()).first()
    assert (new.inspection_id, new.item_id) == (insp.id, None)
    assert ed.acc.table.rowCount() == shown_before.count()
    type_cell(qtbot, ed.acc, ed.acc.table.rowCount() - 1, ed.acc.COL_PEOPLE, "4")
    assert Accountability.get_by_id(new.id).people == 4
    # The line above the section sums the whole inspection, items and all, as the notice will say it.
    total = window.panel.current_form.results_total
    people = sum(a.people for a in Accountability.select().where(Accountability.kind == new.kind))
    assert f"{new.kind}{people}人" in total.text()
    assert total.text().endswith(results.sentence(results.compute(insp.id)).removeprefix("在整改工作中，"))

    before = ed.money.table.rowCount()
    ed.money.add_button.click()
    m = MoneyEntry.select().order_by(MoneyEntry.id.desc()).first()
    assert (m.inspection_id, m.item_id) == (insp.id, None)
    r = ed.money.table.rowCount() - 1
    assert r == before
    # 问题金额 belongs to an item: not offered for the whole inspection.
    combo = open_cell(ed.money, r, ed.money.COL_KIND)
    offered = [combo.itemText(k) for k in range(combo.count())]
    assert all(k in offered for k in MONEY_KINDS) and not any(k in offered for k in AUDIT_AMOUNT_KINDS)
    ed.money.delegate.flush()
    type_cell(qtbot, ed.money, r, ed.money.COL_AMOUNT, "0.0001")
    assert MoneyEntry.get_by_id(m.id).amount == 1

    for _ in range(4):
        window.actions["undo"].trigger()
    assert Accountability.get_or_none(Accountability.id == new.id) is None
    assert MoneyEntry.get_or_none(MoneyEntry.id == m.id) is None
    assert answers[1] == []


def test_delete_an_entry_asks_and_undo_brings_it_back(window, answers):
    said, shown = answers
    row = Accountability.select().where(Accountability.item.is_null(False)).order_by(Accountability.id).first()
    window.select(ITEM, row.item_id)
    acc = section(window).acc
    r = acc.ids.index(row.id)
    acc.table.selectRow(r)
    assert acc.delete_button.isEnabled()

    said.append(False)  # 否: nothing removed
    acc.delete_button.click()
    assert len(shown) == 1 and row.kind in shown[0] and "撤销" in shown[0]
    assert Accountability.get_or_none(Accountability.id == row.id) is not None

    acc.table.selectRow(r)
    acc.delete_button.click()  # 是
    assert Accountability.get_or_none(Accountability.id == row.id) is None
    assert row.id not in acc.ids
    window.actions["undo"].trigger()
    back = Accountability.get_by_id(row.id)
    assert (back.kind, back.people, back.item_id, back.note) == (row.kind, row.people, row.item_id, row.note)
    assert row.id in acc.ids

    m = MoneyEntry.select().where(MoneyEntry.item.is_null(False)).order_by(MoneyEntry.id).first()
    window.select(ITEM, m.item_id)
    money = section(window).money
    money.table.selectRow(money.ids.index(m.id))
    money.delete_button.click()
    assert MoneyEntry.get_or_none(MoneyEntry.id == m.id) is None
    window.actions["undo"].trigger()
    assert MoneyEntry.get_by_id(m.id).amount == m.amount


def test_a_written_off_item_keeps_its_results_editable_and_says_so_quietly(window, qtbot, answers):
    item = written_off_item()
    assert item is not None
    window.select(ITEM, item.id)
    form = window.panel.current_form
    assert form.locked and not form.measures.add_button.isEnabled()
    ed = section(window)
    assert ed.acc.add_button.isEnabled() and ed.money.add_button.isEnabled()
    assert ed.after_writeoff.isVisible() and "销号" in ed.after_writeoff.text()
    ed.acc.add_button.click()
    entry = Accountability.select().where(Accountability.item == item.id).order_by(Accountability.id.desc()).first()
    assert entry is not None
    type_cell(qtbot, ed.acc, ed.acc.ids.index(entry.id), ed.acc.COL_PEOPLE, "2")
    assert Accountability.get_by_id(entry.id).people == 2
    assert answers[1] == []

    # An item not written off does not carry the line.
    window.select(ITEM, item_without_results().id)
    assert not section(window).after_writeoff.isVisible()


def test_a_read_only_ledger_shows_the_results_without_edits(window, qtbot):
    row = Accountability.select().where(Accountability.item.is_null(False)).order_by(Accountability.id).first()
    window.select(ITEM, row.item_id)
    ed = section(window)
    t = ed.acc.table
    r = ed.acc.ids.index(row.id)
    # Writable, F2 opens the cell; read-only, it does not.
    t.setCurrentCell(r, ed.acc.COL_PEOPLE)
    qtbot.keyClick(t, Qt.Key.Key_F2)
    assert isinstance(ed.acc.delegate.editor, QLineEdit)
    ed.acc.commit_pending()
    window.panel.set_readonly(True)
    assert row.id in ed.acc.ids
    assert not ed.acc.add_button.isEnabled() and not ed.money.add_button.isEnabled()
    assert not ed.acc.delete_button.isEnabled()
    assert not t.item(r, ed.acc.COL_PEOPLE).flags() & Qt.ItemFlag.ItemIsEditable
    t.setCurrentCell(r, ed.acc.COL_PEOPLE)
    qtbot.keyClick(t, Qt.Key.Key_F2)
    assert ed.acc.delegate.editor is None and t.state() != QAbstractItemView.State.EditingState
    assert Accountability.get_by_id(row.id).people == row.people


def test_the_item_history_names_its_entries_by_what_they_say(window, qtbot):
    """The history strip under the form named a new 问责 or 资金 entry "（已删除）": it names them as they are."""
    item = item_without_results()
    window.select(ITEM, item.id)
    ed = section(window)
    ed.acc.add_button.click()
    type_cell(qtbot, ed.acc, 0, ed.acc.COL_PEOPLE, "3")
    ed.money.add_button.click()
    type_cell(qtbot, ed.money, 0, ed.money.COL_AMOUNT, "0.5")
    strip = window.node_history
    texts = lambda: [strip.model.change_text(r) for r in strip.model.rows]  # noqa: E731
    qtbot.waitUntil(lambda: len(texts()) >= 4)
    assert not [t for t in texts() if "已删除" in t]
    assert any("问责" in t and "批评教育3人" in t for t in texts())
    assert any("资金" in t and "追缴0.5万元" in t for t in texts())
