"""A written-off item (已销号) keeps its place and its number in the tree: it is not deleted, moved or
renumbered, and the window says why (issue 12, point 1, the rest); the 销号 column says what 撤销销号 means;
the tree's 完成情况 column shows "正在推进（已退回）" whole or in its tooltip at 1366×768 (point 9, the tree)."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from rectify_desktop.core import ops
from rectify_desktop.core.commands import WRITTEN_OFF_FIXED, WrittenOffError
from rectify_desktop.core.models import DONE, WO_APPLY, WO_REJECT, Finding, Item
from rectify_desktop.core.outline import FINDING, ITEM
from rectify_desktop.core.table import build_table
from rectify_desktop.ui import tree_menu
from rectify_desktop.ui.tree_model import COL_STATUS
from tests.ui.test_writeoff_lock import done_item_without_writeoff, written_off_item

MOVES = ("delete", "move_up", "move_down", "move_to")


@pytest.fixture
def window(window, demo_path, monkeypatch):
    assert window.open_ledger(demo_path)
    window.show_page("ledger")
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    return window


def test_a_written_off_item_is_not_deleted_or_moved_and_the_window_says_why(window):
    item = written_off_item()
    window.select(ITEM, item.id)
    for name in MOVES:
        act = window.actions[name]
        assert not act.isEnabled(), name
        assert act.toolTip() == WRITTEN_OFF_FIXED
    assert window.statusBar().currentMessage() == WRITTEN_OFF_FIXED
    menu = tree_menu.build_menu(window, window.current_node())
    entries = {a.text(): a.isEnabled() for a in menu.actions() if not a.isSeparator()}
    assert entries["删除(&L)…"] is False and entries["移动到(&T)…"] is False and entries["复制为文本(&Y)"] is True
    assert "不能修改、删除或移动" in window.model.data(
        window.model.index_for(ITEM, item.id), Qt.ItemDataRole.ToolTipRole
    )
    # Even when asked directly (a shortcut, a script), nothing moves; the core says why.
    window.statusBar().clearMessage()
    window.delete_current()
    window.move_down()
    window.move_to_dialog()
    assert window.statusBar().currentMessage() == WRITTEN_OFF_FIXED
    assert Item.get_or_none(Item.id == item.id) is not None
    with pytest.raises(WrittenOffError):
        window.ledger.apply(ops.delete(Item, item.id))
    # The finding that holds it is not deleted either (that would delete it), but may move: it keeps its number.
    window.select(FINDING, item.finding_id)
    assert not window.actions["delete"].isEnabled()
    assert "已销号" in window.actions["delete"].toolTip()
    assert window.actions["move_to"].isEnabled()
    # Another item is as before.
    window.select(ITEM, done_item_without_writeoff().id)
    assert all(window.actions[n].isEnabled() for n in ("delete", "move_to"))
    assert window.actions["delete"].toolTip().startswith("删除")


def test_renumber_keeps_the_number_of_a_written_off_item(window):
    item = next(
        i
        for i in Item.select().order_by(Item.id)
        if ops.writeoff_state(i.id) == "已销号"
        and Item.select().where((Item.finding == i.finding_id) & (Item.number < i.number)).exists()
    )
    earlier = Item.select().where((Item.finding == item.finding_id) & (Item.number < item.number)).first()
    assert ops.writeoff_state(earlier.id) != "已销号"
    window.select(ITEM, earlier.id)
    window.actions["delete"].trigger()
    assert Item.get_or_none(Item.id == earlier.id) is None
    window.actions["renumber"].trigger()
    assert Item.get_by_id(item.id).number == item.number  # as in the approved write-off paperwork
    numbers = [i.number for i in Item.select().where(Item.finding == item.finding_id)]
    assert len(numbers) == len(set(numbers))  # the others numbered around it, none twice
    assert "保留原序号" in window.statusBar().currentMessage()
    tree = window.model.node(ITEM, item.id)
    assert tree.number == item.number


def test_after_revoking_the_item_reads_as_never_written_off_and_may_be_deleted(window):
    item = written_off_item()
    insp = Finding.get_by_id(item.finding_id).inspection_id

    def cell() -> str:
        return next(r for r in build_table(insp).rows if r.item_id == item.id).cells["writeoff"]

    assert cell().startswith("已销号")
    window.ledger.apply(ops.revoke_writeoff(item.id, "张三", dt.date(2026, 3, 2), "批准有误"))
    assert cell() == ""  # not the raw word 撤销销号: the item is simply no longer written off
    window.select(ITEM, item.id)
    assert window.actions["delete"].isEnabled() and window.actions["move_to"].isEnabled()
    window.actions["delete"].trigger()
    assert Item.get_or_none(Item.id == item.id) is None


def test_the_status_column_shows_a_returned_item_whole_or_in_its_tooltip_at_1366x768(window, qtbot, tmp_path):
    window.resize(1366, 768)
    qtbot.wait(50)
    item = done_item_without_writeoff()
    window.ledger.apply(ops.set_fields(Item, item.id, {"status": DONE}))
    for action in (WO_APPLY, WO_REJECT):
        window.ledger.apply(ops.write_off(item.id, action, "张三", dt.date(2026, 3, 2)))
    window.select(ITEM, item.id)
    index = window.model.index_for(ITEM, item.id, COL_STATUS)
    text = window.model.data(index)
    assert text == "正在推进（已退回）"
    tip = window.model.data(index, Qt.ItemDataRole.ToolTipRole)
    assert tip.splitlines()[0] == text  # the whole text, whatever the column's width
    width = window.tree.header().sectionSize(COL_STATUS)
    assert width >= window.tree.fontMetrics().horizontalAdvance(text)  # and at the usual font it fits
    window.grab().save(str(tmp_path / "tree-1366.png"))


def test_a_whole_inspection_may_be_deleted_saying_what_written_off_items_go_with_it(window, monkeypatch):
    item = written_off_item()
    insp = Finding.get_by_id(item.finding_id).inspection_id
    asked: list[str] = []

    def answer(_parent, _title, text, *a, **k):
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", answer)
    window.select("inspection", insp)
    assert window.actions["delete"].isEnabled()
    window.actions["delete"].trigger()
    assert asked and "项已销号，销号记录一并删除" in asked[0]
    assert Item.get_or_none(Item.id == item.id) is None
    window.actions["undo"].trigger()
    assert Item.get_by_id(item.id).number == item.number
