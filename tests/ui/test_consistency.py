"""Consistency at the moments that matter (issue 12, point 2), through the real main window.

Seen by a new user: an item could be set 已完成, and applied for 销号, with measures not ticked done and no
evidence, without a word; the 任务清单 then printed 已完成 items beside 未完成 measures. Now one box lists what is
open and offers to tick the measures in the same step (one undo takes both back), to go on anyway (recorded in
the change log, seen in the item's history and in the 任务清单), or to cancel (nothing changes).
"""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QCheckBox, QComboBox, QMessageBox, QPushButton

from rectify_desktop.core import consistency, lists, ops
from rectify_desktop.core.consistency import CANCEL, CONFIRMED_OPEN, GO_ON, TICK
from rectify_desktop.core.models import DONE, IN_PROGRESS, WO_APPLY, ChangeLog, Evidence, Item, Measure, WriteOff
from rectify_desktop.core.outline import ITEM
from rectify_desktop.ui.open_things import OpenThingsBox
from tests.ui.test_writeoff import Dialogs


@pytest.fixture
def window(window, demo_path):
    """The shared window on the demo ledger, as after a restart."""
    assert window.open_ledger(demo_path)
    window.show_page("ledger")
    return window


class Boxes:
    """Replaces OpenThingsBox.exec: records the real box (its text and buttons), then clicks the answer."""

    def __init__(self, monkeypatch) -> None:
        self.answers: list[str] = []
        self.seen: list[dict] = []
        outer = self

        def exec_(box: OpenThingsBox) -> int:
            outer.seen.append(
                {
                    "title": box.windowTitle(),
                    "text": box.text(),
                    "buttons": [b.text() for b in box.buttons.values()],
                    "default": box.defaultButton().text() if box.defaultButton() else "",
                }
            )
            box.buttons[outer.answers.pop(0)].click()
            return 0

        monkeypatch.setattr(OpenThingsBox, "exec", exec_)


@pytest.fixture
def boxes(monkeypatch):
    return Boxes(monkeypatch)


def open_item() -> Item:
    """An item in progress with unticked measures and no evidence."""
    for item in Item.select().where(Item.status == IN_PROGRESS).order_by(Item.id):
        if not Evidence.select().where(Evidence.item == item.id).exists():
            if Measure.select().where((Measure.item == item.id) & (Measure.done == False)).exists():  # noqa: E712
                return item
    raise AssertionError("no such item in the demo")


def unticked(item_id: int) -> list[Measure]:
    return list(Measure.select().where((Measure.item == item_id) & (Measure.done == False)).order_by(Measure.position))  # noqa: E712


def combo(window) -> QComboBox:
    return window.panel.findChild(QComboBox, "item.status")


def ticks(window) -> list[bool]:
    table = window.panel.current_form.measures.table
    return [table.cellWidget(r, 2).findChild(QCheckBox).isChecked() for r in range(table.rowCount())]


def test_cancel_changes_nothing_and_shows_the_old_status(window, boxes):
    item = open_item()
    open_ = unticked(item.id)
    window.select(ITEM, item.id)
    window.undo_stack.clear()
    log = ChangeLog.select().count()
    boxes.answers.append(CANCEL)
    combo(window).setCurrentText(DONE)
    seen = boxes.seen[-1]
    assert seen["title"] == "标记为已完成"
    assert "还有以下事项未完成" in seen["text"] and "没有佐证材料" in seen["text"]
    assert all(m.text.strip().rstrip("。；;，,") in seen["text"] for m in open_)
    assert seen["buttons"] == ["同时将以上措施标为已完成", "仍标记为已完成", "取消"]
    assert seen["default"] == "同时将以上措施标为已完成"  # Enter never goes on by accident
    row = Item.get_by_id(item.id)
    assert (row.status, row.completed_date) == (IN_PROGRESS, None)
    assert len(unticked(item.id)) == len(open_) and ChangeLog.select().count() == log
    assert combo(window).currentText() == IN_PROGRESS and window.undo_stack.count() == 0


def test_tick_in_the_same_step_and_one_undo_takes_both_back(window, boxes):
    item = open_item()
    open_ = unticked(item.id)
    window.select(ITEM, item.id)
    window.undo_stack.clear()
    boxes.answers.append(TICK)
    combo(window).setCurrentText(DONE)
    row = Item.get_by_id(item.id)
    assert row.status == DONE and row.completed_date == dt.date.today()
    assert unticked(item.id) == [] and all(Measure.get_by_id(m.id).done_date == dt.date.today() for m in open_)
    assert all(ticks(window)) and combo(window).currentText() == DONE
    assert window.undo_stack.count() == 1
    # One 撤销 (Ctrl+Z) takes back the status and the ticks.
    window.activateWindow()
    QTest.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    row = Item.get_by_id(item.id)
    assert (row.status, row.completed_date) == (IN_PROGRESS, None)
    assert [m.id for m in unticked(item.id)] == [m.id for m in open_]
    assert combo(window).currentText() == IN_PROGRESS and not all(ticks(window))


def test_going_on_is_recorded_in_the_history_and_the_task_list(window, boxes):
    item = open_item()
    open_ = unticked(item.id)
    window.select(ITEM, item.id)
    boxes.answers.append(GO_ON)
    combo(window).setCurrentText(DONE)
    assert Item.get_by_id(item.id).status == DONE and len(unticked(item.id)) == len(open_)
    note = ChangeLog.get((ChangeLog.action == "确认") & (ChangeLog.entity == "细化问题")).summary
    assert note.startswith("经办人确认仍标记为已完成") and "没有佐证材料" in note
    # Seen later: in the item's history panel, and in the 任务清单 beside each open measure.
    window.node_history.reload()
    model = window.node_history.model
    assert any(model.change_text(r).startswith("经办人确认仍标记为已完成") for r in model.rows)
    page = window.show_page("lists")
    page.kind.setCurrentIndex(page.kind.findData(lists.TASKS))
    done_col = page.sheet.keys.index("done")
    shown = [page.model.item(r, done_col).text() for r in range(page.model.rowCount())]
    assert shown.count(CONFIRMED_OPEN) == len(open_)
    rows = [r for r in page.sheet.rows if r.item is not None and r.item.item_id == item.id]
    assert "未完成" not in [r.cells["done"] for r in rows]


def test_nothing_open_asks_nothing(window, boxes):
    item = open_item()
    window.select(ITEM, item.id)
    for m in unticked(item.id):
        window.bridge.push(ops.set_fields(Measure, m.id, {"done": True}))
    Evidence.create(item=item.id, name="会议纪要.pdf", blob=None)
    Evidence.update(blob=None).execute()
    # Registered evidence without its file is still open: asked.
    boxes.answers.append(CANCEL)
    combo(window).setCurrentText(DONE)
    assert boxes.seen[-1]["buttons"] == ["仍标记为已完成", "取消"] and "没有附上文件" in boxes.seen[-1]["text"]
    assert boxes.seen[-1]["default"] == "取消"
    assert Item.get_by_id(item.id).status == IN_PROGRESS
    assert consistency.open_things(item.id).evidence


def test_apply_for_writeoff_lists_what_is_open_and_ticks_with_the_application(window, boxes, monkeypatch):
    dialogs = Dialogs(monkeypatch)
    item = Item.select().where(Item.status == DONE).order_by(Item.id)
    item = next(i for i in item if not WriteOff.select().where(WriteOff.item == i.id).exists())
    window.select(ITEM, item.id)
    first = Measure.select().where(Measure.item == item.id).order_by(Measure.position).first()
    # Unticked afterwards (as after an import): the application asks about it.
    assert window.bridge.push(ops.set_fields(Measure, first.id, {"done": False}))
    window.undo_stack.clear()
    has_evidence = Evidence.select().where(Evidence.item == item.id).exists()
    boxes.answers.append(TICK)
    dialogs.answer(who="王芳")
    window.panel.findChild(QPushButton, "writeoff.apply").click()
    seen = boxes.seen[-1]
    assert seen["title"] == "申请销号" and first.text.strip().rstrip("。；;，,") in seen["text"]
    assert seen["buttons"] == ["同时将以上措施标为已完成", "仍申请销号", "取消"]
    assert ("没有佐证材料" in seen["text"]) == (not has_evidence)
    assert [w.action for w in WriteOff.select().where(WriteOff.item == item.id)] == [WO_APPLY]
    assert Measure.get_by_id(first.id).done
    assert window.undo_stack.count() == 1
    window.undo()
    assert not WriteOff.select().where(WriteOff.item == item.id).exists() and not Measure.get_by_id(first.id).done

    # Cancelled in the box: no application, and the write-off dialog is not even shown.
    boxes.answers.append(CANCEL)
    asked = len(dialogs.seen)
    window.panel.findChild(QPushButton, "writeoff.apply").click()
    assert len(dialogs.seen) == asked and not WriteOff.select().where(WriteOff.item == item.id).exists()

    # Going on: applied with the measure still open, the choice in the change log.
    boxes.answers.append(GO_ON)
    dialogs.answer(who="王芳")
    window.panel.findChild(QPushButton, "writeoff.apply").click()
    assert [w.action for w in WriteOff.select().where(WriteOff.item == item.id)] == [WO_APPLY]
    assert not Measure.get_by_id(first.id).done
    last = ChangeLog.select().where(ChangeLog.action == "确认").order_by(ChangeLog.id.desc()).first()
    assert last.summary.startswith("经办人确认仍申请销号") and last.item_id == item.id


def test_nothing_open_applies_without_asking(window, boxes, monkeypatch):
    dialogs = Dialogs(monkeypatch)
    item = Item.select().where(Item.status == DONE).order_by(Item.id)
    item = next(
        i
        for i in item
        if not WriteOff.select().where(WriteOff.item == i.id).exists()
        and Evidence.select().where((Evidence.item == i.id) & Evidence.blob.is_null(False)).exists()
        and not unticked(i.id)
    )
    window.select(ITEM, item.id)
    dialogs.answer(who="王芳")
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: pytest.fail("asked"))
    window.panel.findChild(QPushButton, "writeoff.apply").click()
    assert boxes.seen == [] and [w.action for w in WriteOff.select().where(WriteOff.item == item.id)] == [WO_APPLY]
