"""Moving a finding to another category, or an item to another finding, through the real window: 移动到… in
the tree's right-click menu, and drag and drop; the right-click menu of every node (issue 12, point 7).

The moved node goes to the end of its new parent; no one is renumbered silently (a finding keeps its number,
an item takes the next free one of its new finding); one undo step takes it back.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QMenu, QMessageBox

from rectify_desktop.core.models import Category, ChangeLog, Finding, Item
from rectify_desktop.core.outline import CATEGORY, FINDING, INSPECTION, ITEM
from rectify_desktop.ui import move_dialog, tree_menu
from tests.ui.test_writeoff_lock import done_item_without_writeoff, written_off_item


@pytest.fixture
def window(window, demo_path, monkeypatch):
    assert window.open_ledger(demo_path)
    window.show_page("ledger")
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    return window


def item_numbers(finding_id: int) -> dict[int, int]:
    return dict(Item.select(Item.id, Item.number).where(Item.finding == finding_id).tuples())


def other_finding(item: Item) -> Finding:
    insp = Finding.get_by_id(item.finding_id).inspection_id
    return (
        Finding.select()
        .where((Finding.inspection == insp) & (Finding.id != item.finding_id))
        .order_by(Finding.id.desc())
        .first()
    )


def menu_texts(window, kind: str, row_id: int, monkeypatch) -> list[tuple[str, bool]]:
    """Right-clicks the node in the tree; the menu's entries (text, enabled) as it would show them."""
    shown: list[QMenu] = []
    monkeypatch.setattr(tree_menu, "exec_menu", lambda menu, _at: shown.append(menu))
    window.select(kind, row_id)
    index = window.model.index_for(kind, row_id)
    window.tree.scrollTo(index)
    pos = window.tree.visualRect(index).center()
    window.tree.clearSelection()
    window.tree.customContextMenuRequested.emit(pos)
    assert shown, "no menu"
    assert window.current_node().id == row_id  # the right-clicked node became the current one
    return [(a.text(), a.isEnabled()) for a in shown[-1].actions() if not a.isSeparator()]


def test_every_node_has_a_menu_with_what_applies_to_it(window, monkeypatch):
    item = done_item_without_writeoff()
    finding = Finding.get_by_id(item.finding_id)
    insp = finding.inspection_id
    assert menu_texts(window, ITEM, item.id, monkeypatch) == [
        ("新增整改措施", True),
        ("删除(&L)…", True),
        ("上移(&U)", window.actions["move_up"].isEnabled()),
        ("下移(&W)", window.actions["move_down"].isEnabled()),
        ("移动到(&T)…", True),
        ("复制为文本(&Y)", True),
    ]
    texts = [t for t, _ in menu_texts(window, FINDING, finding.id, monkeypatch)]
    assert texts[0] == "新增下级细化问题" and "移动到(&T)…" in texts
    texts = [t for t, _ in menu_texts(window, CATEGORY, finding.category_id, monkeypatch)]
    assert texts[0] == "新增下级问题" and "移动到(&T)…" not in texts and "复制为文本(&Y)" in texts
    texts = [t for t, _ in menu_texts(window, INSPECTION, insp, monkeypatch)]
    assert texts[0] == "新增下级方面"


def test_add_child_from_the_menu_adds_under_the_node(window, monkeypatch):
    finding = Finding.select().order_by(Finding.id).first()
    before = set(item_numbers(finding.id))
    menu_texts(window, FINDING, finding.id, monkeypatch)
    window.add_child()
    new = set(item_numbers(finding.id)) - before
    assert len(new) == 1 and window.current_node().id == new.pop()


def test_copy_as_text_puts_the_number_and_title_on_the_clipboard(window, monkeypatch):
    finding = Finding.select().order_by(Finding.id).first()
    menu_texts(window, FINDING, finding.id, monkeypatch)
    window.actions["copy_text"].trigger()
    assert QApplication.clipboard().text() == f"{finding.number}.{finding.title}"


def test_move_an_item_to_another_finding_from_the_menu_and_undo(window, monkeypatch):
    item = done_item_without_writeoff()
    old_finding = item.finding_id
    target = other_finding(item)
    asked: list[list[tuple[int, str]]] = []

    def choose(_parent, _what, where, targets):
        assert where == "问题"
        asked.append(targets)
        return target.id

    monkeypatch.setattr(move_dialog, "choose_parent", choose)
    old_numbers, target_numbers = item_numbers(old_finding), item_numbers(target.id)
    menu_texts(window, ITEM, item.id, monkeypatch)
    window.actions["move_to"].trigger()
    assert asked and target.id in [fid for fid, _ in asked[0]] and old_finding not in [fid for fid, _ in asked[0]]
    moved = Item.get_by_id(item.id)
    assert moved.finding_id == target.id
    assert moved.number == max(target_numbers.values(), default=0) + 1  # the next free number
    # No one else renumbered: the old finding keeps its gap, the new one its numbers.
    assert item_numbers(old_finding) == {k: v for k, v in old_numbers.items() if k != item.id}
    assert {k: v for k, v in item_numbers(target.id).items() if k != item.id} == target_numbers
    last = list(Item.select().where(Item.finding == target.id).order_by(Item.position, Item.id))[-1]
    assert last.id == item.id  # at the end
    # The tree shows it under its new parent, selected; the status bar says what happened.
    node = window.current_node()
    assert node.id == item.id and node.parent.id == target.id
    message = window.statusBar().currentMessage()
    assert "已把细化问题移到" in message and "其他序号未变" in message and "重新编号" in message
    log = ChangeLog.select().order_by(ChangeLog.id.desc()).first()
    assert log.action == "移动" and log.field == "所属问题"
    # One undo step takes it back.
    window.actions["undo"].trigger()
    back = Item.get_by_id(item.id)
    assert back.finding_id == old_finding and back.number == item.number
    assert window.model.node(ITEM, item.id).parent.id == old_finding


def test_move_a_finding_to_another_category_keeps_its_number(window, monkeypatch):
    finding = Finding.select().order_by(Finding.id).first()
    target = (
        Category.select()
        .where((Category.inspection == finding.inspection_id) & (Category.id != finding.category_id))
        .first()
    )
    monkeypatch.setattr(move_dialog, "choose_parent", lambda *a: target.id)
    window.select(FINDING, finding.id)
    window.actions["move_to"].trigger()
    moved = Finding.get_by_id(finding.id)
    assert moved.category_id == target.id and moved.number == finding.number
    node = window.model.node(FINDING, finding.id)
    assert node.parent.id == target.id and node is node.parent.children[-1]
    assert "序号不变" in window.statusBar().currentMessage()


def test_cancelled_move_changes_nothing(window, monkeypatch):
    item = done_item_without_writeoff()
    monkeypatch.setattr(move_dialog, "choose_parent", lambda *a: None)
    window.select(ITEM, item.id)
    window.actions["move_to"].trigger()
    assert Item.get_by_id(item.id).finding_id == item.finding_id


def test_the_move_dialog_lists_the_parents_and_returns_the_choice(qtbot, monkeypatch):
    dialog = move_dialog.MoveDialog(None, "细化问题", "问题", [(5, "1.甲"), (7, "2.乙")])
    qtbot.addWidget(dialog)
    assert [dialog.list.item(i).text() for i in range(dialog.list.count())] == ["1.甲", "2.乙"]
    dialog.list.setCurrentRow(1)
    dialog.accept()
    assert dialog.chosen == 7


def test_drag_an_item_onto_another_finding(window):
    item = done_item_without_writeoff()
    target = other_finding(item)
    model = window.model
    assert window.tree.dragEnabled() and window.tree.showDropIndicator()
    source = model.index_for(ITEM, item.id)
    assert model.flags(source) & Qt.ItemFlag.ItemIsDragEnabled
    data = model.mimeData([source, model.index_for(ITEM, item.id, 1)])
    move = Qt.DropAction.MoveAction
    # Refused: onto a category, onto its own finding, onto another item, onto nothing.
    category = model.index_for(CATEGORY, target.category_id)
    for parent in (category, model.index_for(FINDING, item.finding_id), source, QModelIndex()):
        assert not model.canDropMimeData(data, move, -1, 0, parent)
        assert not model.dropMimeData(data, move, -1, 0, parent)
    assert Item.get_by_id(item.id).finding_id == item.finding_id
    # Taken: onto another finding; the place among its items is not used (it goes to the end).
    parent = model.index_for(FINDING, target.id)
    assert model.canDropMimeData(data, move, 0, 0, parent)
    assert model.dropMimeData(data, move, 0, 0, parent)
    assert Item.get_by_id(item.id).finding_id == target.id
    assert window.model.node(ITEM, item.id).parent.id == target.id
    window.actions["undo"].trigger()
    assert Item.get_by_id(item.id).finding_id == item.finding_id


def test_drag_a_finding_onto_another_category_but_not_onto_a_finding(window):
    finding = Finding.select().order_by(Finding.id).first()
    model = window.model
    data = model.mimeData([model.index_for(FINDING, finding.id)])
    other = Finding.select().where(Finding.category != finding.category_id).first()
    move = Qt.DropAction.MoveAction
    assert not model.canDropMimeData(data, move, -1, 0, model.index_for(FINDING, other.id))
    assert model.canDropMimeData(data, move, -1, 0, model.index_for(CATEGORY, other.category_id))
    assert model.dropMimeData(data, move, -1, 0, model.index_for(CATEGORY, other.category_id))
    assert Finding.get_by_id(finding.id).category_id == other.category_id


def test_a_written_off_item_is_not_dragged(window):
    item = written_off_item()
    model = window.model
    source = model.index_for(ITEM, item.id)
    assert not model.flags(source) & Qt.ItemFlag.ItemIsDragEnabled
    target = other_finding(item)
    data = model.mimeData([source])
    assert not model.canDropMimeData(data, Qt.DropAction.MoveAction, -1, 0, model.index_for(FINDING, target.id))


def test_nothing_moves_in_a_ledger_opened_read_only(window, demo_path):
    item = done_item_without_writeoff()
    target = other_finding(item)
    window.close_ledger()
    assert window.open_ledger(demo_path, readonly=True)
    window.select(ITEM, item.id)
    assert not window.actions["move_to"].isEnabled()
    model = window.model
    data = model.mimeData([model.index_for(ITEM, item.id)])
    assert not model.dropMimeData(data, Qt.DropAction.MoveAction, -1, 0, model.index_for(FINDING, target.id))
    assert Item.get_by_id(item.id).finding_id == item.finding_id


def test_a_drop_on_a_finding_row_of_the_view_moves_the_item(window, qtbot):
    """The view's own drop (as the mouse makes it): onto the middle of another finding's row."""
    item = done_item_without_writeoff()
    target = other_finding(item)
    window.select(FINDING, target.id)
    index = window.model.index_for(FINDING, target.id)
    window.tree.scrollTo(index)
    data = window.model.mimeData([window.model.index_for(ITEM, item.id)])
    pos = QPointF(window.tree.visualRect(index).center())
    view = window.tree.viewport()
    buttons, mods = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    move = Qt.DropAction.MoveAction
    enter = QDragEnterEvent(pos.toPoint(), move, data, buttons, mods)
    QApplication.sendEvent(view, enter)
    over = QDragMoveEvent(pos.toPoint(), move, data, buttons, mods)
    QApplication.sendEvent(view, over)
    assert over.isAccepted()
    QApplication.sendEvent(view, QDropEvent(pos, move, data, buttons, mods))
    assert Item.get_by_id(item.id).finding_id == target.id
    assert window.current_node().id == item.id
