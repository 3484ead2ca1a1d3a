"""The write-off box (销号) on the real main window: apply, reject with an opinion, apply again, approve.

The real buttons are clicked; the small dialog is the real one, filled in and accepted by its own OK button
(only its modal exec is replaced). Assertions are on the ledger file.
"""

from __future__ import annotations

import datetime as dt

import pytest
from peewee import fn
from PySide6.QtWidgets import QDialog

from rectify_desktop.core import ops
from rectify_desktop.core.commands import Insert
from rectify_desktop.core.consistency import CANCEL, GO_ON
from rectify_desktop.core.models import (
    DONE,
    IN_PROGRESS,
    WO_APPLY,
    WO_APPROVE,
    WO_REJECT,
    ChangeLog,
    Evidence,
    Item,
    Setting,
    WriteOff,
)
from rectify_desktop.ui.open_things import OpenThingsBox
from rectify_desktop.ui.writeoff import SETTING_APPROVER, WriteOffBox, WriteOffDialog


@pytest.fixture
def window(window):
    """The shared window (tests/conftest.py) on a fresh demo ledger."""
    window.open_demo()
    return window


@pytest.fixture
def box(window, qtbot):
    """A WriteOffBox on the window, following the ledger as the item form will make it follow."""
    b = WriteOffBox(window)
    qtbot.addWidget(b)
    window.ledger.subscribe(b.on_changes)
    b.resize(640, 400)
    b.show()
    qtbot.waitExposed(b)
    yield b
    if window.ledger is not None:
        window.ledger.unsubscribe(b.on_changes)


class Dialogs:
    """Replaces WriteOffDialog.exec: fills the real dialog's fields as told, then clicks its OK button."""

    def __init__(self, monkeypatch) -> None:
        self.queue: list[dict] = []
        self.seen: list[WriteOffDialog] = []
        outer = self

        def exec_(dlg: WriteOffDialog) -> int:
            outer.seen.append(dlg)
            answer = outer.queue.pop(0)
            if answer.get("cancel"):
                dlg.reject()
                return QDialog.DialogCode.Rejected
            if "who" in answer:
                dlg.who.setText(answer["who"])
            if "date" in answer:
                d = answer["date"]
                dlg.date.setDate(dlg.date.date().fromString(d.isoformat(), "yyyy-MM-dd"))
            if "opinion" in answer:
                dlg.opinion.setPlainText(answer["opinion"])
            outer.ok_enabled = dlg.ok_button.isEnabled()
            dlg.ok_button.click()
            return dlg.result()

        monkeypatch.setattr(WriteOffDialog, "exec", exec_)

    def answer(self, **kw) -> None:
        self.queue.append(kw)


@pytest.fixture
def dialogs(monkeypatch):
    return Dialogs(monkeypatch)


def done_item_without_writeoff() -> Item:
    has_wo = WriteOff.select(fn.COUNT(WriteOff.id)).where(WriteOff.item == Item.id)
    return Item.select().where((Item.status == DONE) & (has_wo == 0)).order_by(Item.id).first()


def steps(item_id: int) -> list[tuple[str, str, dt.date, str]]:
    q = WriteOff.select().where(WriteOff.item == item_id).order_by(WriteOff.id)
    return [(w.action, w.who, w.date, w.opinion) for w in q]


def shown_steps(box: WriteOffBox) -> list[tuple[str, ...]]:
    t = box.steps
    return [tuple(t.item(r, c).text() for c in range(4)) for r in range(t.rowCount())] if t.isVisible() else []


def test_apply_reject_apply_again_approve_with_history_and_undo(window, box, dialogs, monkeypatch, qtbot):
    item = done_item_without_writeoff()
    assert item is not None
    # Whether the demo gave this item evidence or not, the application goes on (the warning has its own test).
    monkeypatch.setattr(OpenThingsBox, "ask", lambda box: GO_ON)
    Setting.insert(key="reporter", value="王芳").on_conflict_replace().execute()
    window.undo_stack.clear()
    box.load(item.id)
    assert box.state_label.text() == "未申请销号"
    assert box.apply_button.isEnabled()
    assert not box.approve_button.isEnabled() and not box.reject_button.isEnabled()
    assert not box.steps.isVisible() and box.no_steps.isVisible()

    # 1. 申请销号: the applicant is the ledger's 填报人 by default.
    dialogs.answer(date=dt.date(2026, 5, 1))
    box.apply_button.click()
    assert dialogs.seen[-1].who.text() == "王芳"
    assert steps(item.id) == [(WO_APPLY, "王芳", dt.date(2026, 5, 1), "已按要求完成整改，申请销号")]
    assert ops.writeoff_state(item.id) == "待审核"
    assert box.state_label.text().startswith("待审核")
    assert not box.apply_button.isEnabled()
    assert box.approve_button.isEnabled() and box.reject_button.isEnabled()

    # 2. 退回 without an opinion cannot be confirmed; with one it puts the item back to 正在推进.
    dialogs.answer(who="县委巡察办", opinion="")
    box.reject_button.click()
    assert dialogs.ok_enabled is False
    assert len(steps(item.id)) == 1
    dialogs.answer(who="县委巡察办", date=dt.date(2026, 5, 3), opinion="佐证材料不全，请补充会议纪要")
    box.reject_button.click()
    assert steps(item.id)[-1] == (WO_REJECT, "县委巡察办", dt.date(2026, 5, 3), "佐证材料不全，请补充会议纪要")
    it = Item.get_by_id(item.id)
    assert (it.status, it.completed_date) == (IN_PROGRESS, None)
    assert "佐证材料不全" in box.state_label.text()
    assert not box.apply_button.isEnabled()  # not done any more
    assert window.settings.value(SETTING_APPROVER) == "县委巡察办"

    # 3. The clerk answers the opinion and sets the item done again; then applies again.
    assert window.bridge.push(ops.set_fields(Item, item.id, {"status": DONE}))
    assert box.apply_button.isEnabled()
    dialogs.answer(date=dt.date(2026, 5, 8), opinion="已补充会议纪要，再次申请销号")
    box.apply_button.click()
    assert steps(item.id)[-1] == (WO_APPLY, "王芳", dt.date(2026, 5, 8), "已补充会议纪要，再次申请销号")

    # 4. 批准: the reviewer's name is remembered from the rejection.
    dialogs.answer(date=dt.date(2026, 5, 10))
    box.approve_button.click()
    assert dialogs.seen[-1].who.text() == "县委巡察办"
    assert steps(item.id)[-1] == (WO_APPROVE, "县委巡察办", dt.date(2026, 5, 10), "同意销号")
    assert ops.writeoff_state(item.id) == "已销号"
    assert box.state_label.text().startswith("已销号（2026年5月10日批准）")
    assert not any(b.isEnabled() for b in (box.apply_button, box.approve_button, box.reject_button))

    # The history holds every step, in order, in the database and on screen.
    assert [s[0] for s in steps(item.id)] == [WO_APPLY, WO_REJECT, WO_APPLY, WO_APPROVE]
    assert shown_steps(box) == [
        ("申请", "王芳", "2026年5月1日", "已按要求完成整改，申请销号"),
        ("退回", "县委巡察办", "2026年5月3日", "佐证材料不全，请补充会议纪要"),
        ("申请", "王芳", "2026年5月8日", "已补充会议纪要，再次申请销号"),
        ("批准", "县委巡察办", "2026年5月10日", "同意销号"),
    ]
    assert ChangeLog.select().where((ChangeLog.entity == "销号") & (ChangeLog.action == "新增")).count() >= 4

    # Each step is one undo step; undo walks back through them, the box following.
    assert window.undo_stack.count() == 5  # apply, reject, set done, apply, approve
    window.undo()
    assert [s[0] for s in steps(item.id)] == [WO_APPLY, WO_REJECT, WO_APPLY]
    assert box.state_label.text().startswith("待审核") and box.approve_button.isEnabled()
    window.undo()
    window.undo()  # the status set by hand
    assert Item.get_by_id(item.id).status == IN_PROGRESS
    window.undo()  # the rejection: the item is done again, as before it
    it = Item.get_by_id(item.id)
    assert it.status == DONE and it.completed_date == item.completed_date
    assert [s[0] for s in steps(item.id)] == [WO_APPLY]
    assert box.state_label.text().startswith("待审核")
    window.undo()
    assert steps(item.id) == []
    assert box.state_label.text() == "未申请销号" and box.apply_button.isEnabled()
    for _ in range(5):
        window.redo()
    assert [s[0] for s in steps(item.id)] == [WO_APPLY, WO_REJECT, WO_APPLY, WO_APPROVE]
    assert len(shown_steps(box)) == 4


def test_apply_is_off_for_an_item_not_done(window, box):
    item = Item.select().where(Item.status != DONE).order_by(Item.id).first()
    box.load(item.id)
    assert not box.apply_button.isEnabled()
    assert "已完成" in box.hint.text()
    window.bridge.push(ops.set_fields(Item, item.id, {"status": DONE}))
    assert box.apply_button.isEnabled()
    box.set_readonly(True)
    assert not box.apply_button.isEnabled()
    box.set_readonly(False)
    assert box.apply_button.isEnabled()
    box.load(None)
    assert not box.apply_button.isEnabled() and box.state_label.text() == ""


def test_no_evidence_asks_first(window, box, dialogs, monkeypatch):
    item = done_item_without_writeoff()
    for ev in Evidence.select().where(Evidence.item == item.id):
        window.bridge.push(ops.delete(Evidence, ev.id))
    box.load(item.id)
    asked: list[str] = []
    answer = [CANCEL]

    def ask(open_box: OpenThingsBox) -> str:
        asked.append(open_box.text())
        return answer[0]

    monkeypatch.setattr(OpenThingsBox, "ask", ask)
    box.apply_button.click()
    assert "没有佐证材料" in asked[-1]
    assert steps(item.id) == [] and dialogs.seen == []  # no dialog, nothing written

    # A material registered without its file is no evidence either.
    window.bridge.push(Insert(Evidence, {"item": item.id, "name": "会议纪要"}))
    box.apply_button.click()
    assert "没有附上文件" in asked[-1]

    answer[0] = GO_ON
    dialogs.answer(who="李明")
    box.apply_button.click()
    assert [s[:2] for s in steps(item.id)] == [(WO_APPLY, "李明")]


def test_cancelled_dialog_changes_nothing(window, box, dialogs):
    item = done_item_without_writeoff()
    box.load(item.id)
    before = window.undo_stack.count()
    dialogs.answer(cancel=True)
    box._run(WriteOffDialog(box, WO_APPLY, item, "王芳"), item, "x")
    assert steps(item.id) == [] and window.undo_stack.count() == before


def test_demo_states_show(window, box):
    """The demo ledger holds write-offs in each state; the box names each."""
    seen = set()
    for item in Item.select():
        box.load(item.id)
        seen.add(box.state_label.text()[:3])
    assert {"已销号", "待审核", "未申请"} <= seen
