"""A written-off item (已销号) is locked, and 撤销销号 unlocks it (issue 12, point 1), through the real main window.

Seen by a new user: after 申请 → 退回 → 申请 → 批准, 完成情况 could be set back to 正在推进 without a word, the
measures and evidence stayed editable, and after a restart a mistaken 批准 could not be withdrawn. Here the
real form of the item is used: its write-off buttons are clicked (the small dialogs answered), its fields and
editors are looked at, Ctrl+Z is pressed; assertions are on the ledger file and on what is shown.
"""

from __future__ import annotations

import datetime as dt

import pytest
from peewee import fn
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QComboBox, QInputDialog, QLabel, QMessageBox, QPushButton

from rectify_desktop.core import ops
from rectify_desktop.core.commands import WRITTEN_OFF_LOCKED, WrittenOffError
from rectify_desktop.core.consistency import GO_ON
from rectify_desktop.core.models import (
    DONE,
    IN_PROGRESS,
    WO_APPLY,
    WO_APPROVE,
    WO_REJECT,
    WO_REVOKE,
    ChangeLog,
    Evidence,
    Item,
    Measure,
    WriteOff,
)
from rectify_desktop.core.outline import ITEM
from rectify_desktop.ui.open_things import OpenThingsBox
from tests.ui.test_writeoff import Dialogs

LOCK_LINE = "该细化问题已销号，不能修改；如需修改，请先撤销销号。"


@pytest.fixture
def window(window, demo_path):
    """The shared window (tests/conftest.py) opened on the demo ledger as after a restart: no undo history."""
    assert window.open_ledger(demo_path)
    window.show_page("ledger")
    return window


@pytest.fixture
def errors(monkeypatch):
    """The messages the window shows (critical and warning boxes), instead of showing them."""
    seen: list[str] = []

    def box(_parent, _title, text, *a, **k):
        seen.append(text)
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "critical", box)
    monkeypatch.setattr(QMessageBox, "warning", box)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    return seen


def reason(monkeypatch, text: str, ok: bool = True) -> list[tuple]:
    """Answers the reason asked by 撤销销号; returns the calls, to see it was asked."""
    calls: list[tuple] = []

    def ask(*a, **k):
        calls.append(a)
        return text, ok

    monkeypatch.setattr(QInputDialog, "getMultiLineText", ask)
    return calls


def written_off_item() -> Item:
    last = WriteOff.select(fn.MAX(WriteOff.id)).where(WriteOff.item == Item.id)
    q = (
        Item.select()
        .join(WriteOff, on=(WriteOff.item == Item.id))
        .where((WriteOff.id == last) & (WriteOff.action == WO_APPROVE))
    )
    return q.order_by(Item.id).first()


def done_item_without_writeoff() -> Item:
    has_wo = WriteOff.select(fn.COUNT(WriteOff.id)).where(WriteOff.item == Item.id)
    return Item.select().where((Item.status == DONE) & (has_wo == 0)).order_by(Item.id).first()


def form(window):
    return window.panel._forms["item"]


def button(window, name: str) -> QPushButton:
    b = window.panel.findChild(QPushButton, name)
    assert b is not None, name
    return b


def actions(item_id: int) -> list[str]:
    return [w.action for w in WriteOff.select().where(WriteOff.item == item_id).order_by(WriteOff.id)]


def assert_locked(window, locked: bool) -> None:
    f = form(window)
    line = window.panel.findChild(QLabel, "item.locked")
    assert line is not None
    assert line.isVisible() is locked
    if locked:
        assert line.text() == LOCK_LINE
    assert f.title.isReadOnly() is locked and f.progress.isReadOnly() is locked
    assert window.panel.findChild(QComboBox, "item.status").isEnabled() is not locked
    assert f.completed_date.isReadOnly() is locked
    assert f.measures.add_button.isEnabled() is not locked
    assert f.measures.readonly is locked
    assert f.evidence.add_button.isEnabled() is not locked
    assert f.evidence.readonly is locked


def test_a_mistaken_approval_is_revoked_after_a_restart_with_a_reason(window, errors, monkeypatch):
    item = written_off_item()
    assert item is not None
    written_off_before = window.ledger.stats().written_off
    window.select(ITEM, item.id)
    revoke = button(window, "writeoff.revoke")
    assert revoke.isVisible() and revoke.isEnabled()  # the ledger was just opened: nothing to undo
    assert_locked(window, True)

    # The reason is required: an empty one, or 取消, changes nothing.
    asked = reason(monkeypatch, "   ")
    revoke.click()
    assert asked and actions(item.id)[-1] == WO_APPROVE
    assert errors == ["没有写明撤销原因，未撤销销号。"]
    reason(monkeypatch, "误批", ok=False)
    revoke.click()
    assert actions(item.id)[-1] == WO_APPROVE

    reason(monkeypatch, "佐证材料与问题不符，误予销号")
    revoke.click()
    last = WriteOff.select().where(WriteOff.item == item.id).order_by(WriteOff.id.desc()).first()
    assert (last.action, last.who, last.date, last.opinion) == (
        WO_REVOKE,
        window.ledger.user,
        dt.date.today(),
        "佐证材料与问题不符，误予销号",
    )
    assert ops.writeoff_state(item.id) == ""
    assert window.ledger.stats().written_off == written_off_before - 1
    logged = ChangeLog.select().where((ChangeLog.entity == "销号") & (ChangeLog.summary.contains(WO_REVOKE)))
    assert logged.count() == 1 and logged.first().user == window.ledger.user
    assert "佐证材料与问题不符" in logged.first().summary
    state = window.panel.findChild(QLabel, "writeoff.state")
    assert state.text().startswith("已撤销销号") and "佐证材料与问题不符" in state.text()
    assert not revoke.isVisible()
    assert button(window, "writeoff.apply").isEnabled()  # still 已完成: may be applied for again
    assert_locked(window, False)

    # Unlocked: 完成情况 can be changed again, through the form.
    combo = window.panel.findChild(QComboBox, "item.status")
    combo.setCurrentText(IN_PROGRESS)
    assert Item.get_by_id(item.id).status == IN_PROGRESS

    # 撤销销号 is undone like any edit: the item is written off and locked again.
    window.undo()
    window.undo()
    assert actions(item.id)[-1] == WO_APPROVE and Item.get_by_id(item.id).status == DONE
    assert_locked(window, True)
    assert not errors[1:]


def test_a_written_off_item_refuses_every_change_in_the_core_and_in_the_window(window, errors):
    item = written_off_item()
    window.select(ITEM, item.id)
    assert_locked(window, True)
    led = window.ledger
    measure = Measure.select().where(Measure.item == item.id).first()
    evidence = Evidence.select().where(Evidence.item == item.id).first()
    refused = [
        ops.set_fields(Item, item.id, {"status": IN_PROGRESS}),
        ops.set_fields(Item, item.id, {"title": "改过的标题"}),
        ops.add_measure(item.id, "补一条措施"),
    ]
    if measure is not None:
        refused += [ops.set_fields(Measure, measure.id, {"done": False}), ops.delete(Measure, measure.id)]
    if evidence is not None:
        refused += [ops.set_fields(Evidence, evidence.id, {"name": "改名"}), ops.delete(Evidence, evidence.id)]
    for command in refused:
        with pytest.raises(WrittenOffError, match=WRITTEN_OFF_LOCKED):
            led.apply(command)
    # Through the window's door, the clerk is told why.
    assert not window.bridge.push(ops.set_fields(Item, item.id, {"status": IN_PROGRESS}))
    assert errors == [WRITTEN_OFF_LOCKED]
    it = Item.get_by_id(item.id)
    assert (it.status, it.title) == (item.status, item.title)
    assert window.undo_stack.count() == 0


def test_apply_reject_apply_approve_locks_and_ctrl_z_unlocks(window, errors, monkeypatch):
    """The issue's way: 申请 → 退回 → 申请 → 批准; then 完成情况 cannot be set back, and Ctrl+Z right after
    批准 takes the approval back like any other edit."""
    dialogs = Dialogs(monkeypatch)
    # The item has no evidence: each time it is asked, the clerk goes on (tests/ui/test_consistency.py).
    monkeypatch.setattr(OpenThingsBox, "ask", lambda box: GO_ON)
    item = done_item_without_writeoff()
    window.select(ITEM, item.id)
    assert_locked(window, False)
    dialogs.answer(who="王芳")
    button(window, "writeoff.apply").click()
    dialogs.answer(who="县委巡察办", opinion="请补充会议纪要")
    button(window, "writeoff.reject").click()
    combo = window.panel.findChild(QComboBox, "item.status")
    combo.setCurrentText(DONE)
    dialogs.answer(who="王芳")
    button(window, "writeoff.apply").click()
    dialogs.answer(who="县委巡察办")
    button(window, "writeoff.approve").click()
    assert actions(item.id) == [WO_APPLY, WO_REJECT, WO_APPLY, WO_APPROVE]
    assert_locked(window, True)
    assert not combo.isEnabled()
    assert Item.get_by_id(item.id).status == DONE

    window.activateWindow()
    QTest.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert actions(item.id) == [WO_APPLY, WO_REJECT, WO_APPLY]
    assert ops.writeoff_state(item.id) == "待审核"
    assert_locked(window, False)
    window.redo()
    assert actions(item.id)[-1] == WO_APPROVE
    assert_locked(window, True)
    assert errors == []
