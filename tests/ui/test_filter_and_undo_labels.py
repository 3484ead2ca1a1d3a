"""Issue 12, points 3 and 8, through the real window: the form follows the filter (it never shows, nor
lets the clerk edit, a row the filter hid), and the toolbar's 撤销/重做 keep their words while their
tooltips say what they would take back."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QTextEdit

from rectify_desktop.core import ops
from rectify_desktop.core.models import DONE, Item
from rectify_desktop.core.outline import ITEM
from tests.ui.test_search import visible_items

# In the demo ledger, 1（1） (item 1) is 长期坚持, never overdue; the overdue items are these, in tree order.
OVERDUE_IN_TREE_ORDER = [5, 11, 13, 15]


def type_text(widget, text: str) -> None:
    """Types `text` key by key, as an input method delivers Chinese (qtbot.keyClicks takes ASCII only)."""
    for ch in text:
        QTest.sendKeyEvent(QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, ch, Qt.KeyboardModifier.NoModifier)


def shown_in_tree(window, kind: str, row_id: int) -> bool:  # noqa: F811
    idx = window.model.index_for(kind, row_id)
    while idx.isValid():
        if window.tree.isRowHidden(idx.row(), idx.parent()):
            return False
        idx = idx.parent()
    return True


def form_shows(window) -> tuple[str | None, int | None]:  # noqa: F811
    """What the right side shows: the panel's node, or None when the panel is not the page shown."""
    if window.right.currentWidget() is not window.panel:
        return (None, None)
    return window.panel.current()


def click_overdue(window, qtbot) -> None:  # noqa: F811
    page = window.show_page("overview")
    qtbot.mouseClick(page.figures["overdue"], Qt.MouseButton.LeftButton)


def test_overdue_figure_moves_the_form_to_the_first_visible_match(window, demo_path, qtbot):  # noqa: F811
    window.open_ledger(demo_path)
    window.show_page("ledger")
    window.select(ITEM, 1)
    assert form_shows(window) == (ITEM, 1)
    click_overdue(window, qtbot)
    assert visible_items(window) == set(OVERDUE_IN_TREE_ORDER)
    assert not shown_in_tree(window, ITEM, 1)
    first = OVERDUE_IN_TREE_ORDER[0]
    assert window.current_node().id == first and shown_in_tree(window, ITEM, first)
    assert form_shows(window) == (ITEM, first)
    # An edit in the form goes to the row the clerk sees, never to the hidden 1（1）.
    before = Item.get_by_id(1).title
    title = window.panel.findChild(QTextEdit, "item.title")
    title.setFocus()
    title.moveCursor(title.textCursor().MoveOperation.End)
    type_text(title, "（已核实）")
    window.panel.commit_pending()
    assert Item.get_by_id(first).title.endswith("（已核实）")
    assert Item.get_by_id(1).title == before
    # Clearing the filter goes back to where the clerk was.
    window.search.clear_button.click()
    assert window.current_node().id == 1 and form_shows(window) == (ITEM, 1)


def test_search_with_no_match_shows_that_the_selection_is_hidden(window, demo_path, qtbot):  # noqa: F811
    window.open_ledger(demo_path)
    window.show_page("ledger")
    window.select(ITEM, 1)
    window.focus_search()
    qtbot.keyClicks(window.search.text, "zzqq")  # ASCII: nothing in the demo ledger has it
    qtbot.waitUntil(lambda: window.search.matches is not None)
    assert visible_items(window) == set()
    # Nothing to edit: no form, a line saying why, and no action on the hidden row.
    assert form_shows(window) == (None, None)
    assert window.right.currentWidget() is window.filtered_out
    assert window.filtered_out.isVisible()
    assert "筛选" in window.filtered_out.label.text() and "隐藏" in window.filtered_out.label.text()
    assert window.current_node() is None
    for name in ("add_measure", "add_item", "delete", "move_up", "move_down"):
        assert not window.actions[name].isEnabled(), name
    # Its button clears the filter, and the clerk is back on 1（1）.
    window.filtered_out.clear_button.click()
    assert window.search.matches is None
    assert window.current_node().id == 1 and form_shows(window) == (ITEM, 1)


def test_search_for_a_name_selects_a_visible_match(window, demo_path, qtbot):  # noqa: F811
    window.open_ledger(demo_path)
    window.show_page("ledger")
    window.select(ITEM, 1)
    window.search.text.setText("人事股")  # a department 1（1） does not have
    qtbot.waitUntil(lambda: window.search.matches is not None)
    assert 1 not in window.search.matches
    node = window.current_node()
    assert node is not None and node.kind == ITEM and node.id in window.search.matches
    assert shown_in_tree(window, ITEM, node.id) and form_shows(window) == (ITEM, node.id)
    # A selection still shown stays where it is when the filter narrows.
    keep = node.id
    window.search.status.setCurrentIndex(window.search.status.findData(Item.get_by_id(keep).status))
    assert window.current_node().id == keep


def test_an_edit_that_hides_the_selected_item_moves_the_form_on(window, demo_path, qtbot):  # noqa: F811
    window.open_ledger(demo_path)
    first, second = OVERDUE_IN_TREE_ORDER[:2]
    window.show_page("ledger")
    window.select(ITEM, first)
    click_overdue(window, qtbot)
    assert form_shows(window) == (ITEM, first)
    window.bridge.push(ops.set_fields(Item, first, {"status": DONE}))  # no longer overdue
    qtbot.waitUntil(lambda: not shown_in_tree(window, ITEM, first))
    assert window.current_node().id == second and form_shows(window) == (ITEM, second)
    assert "不符合筛选条件" in window.statusBar().currentMessage()
    # Nothing typed next lands on the new row unseen: the focus is on the tree, not in its form.
    focus = QApplication.focusWidget()
    assert focus is None or not window.panel.isAncestorOf(focus)


def test_undo_and_redo_keep_their_words_and_say_what_they_do_in_the_tooltip(window, demo_path, qtbot):  # noqa: F811
    window.open_ledger(demo_path)
    undo, redo = window.actions["undo"], window.actions["redo"]
    assert (undo.text(), redo.text()) == ("撤销", "重做")
    assert not undo.isEnabled() and "没有" in undo.toolTip()
    window.bridge.push(ops.set_fields(Item, 1, {"status": DONE}))
    command = window.undo_stack.undoText()
    assert command
    assert (undo.text(), redo.text(), undo.iconText(), redo.iconText()) == ("撤销", "重做", "撤销", "重做")
    assert undo.isEnabled() and command in undo.toolTip() and "Ctrl+Z" in undo.toolTip()
    assert command in undo.statusTip()
    assert not redo.isEnabled()
    undo.trigger()
    assert Item.get_by_id(1).status != DONE
    assert (undo.text(), redo.text()) == ("撤销", "重做")
    assert redo.isEnabled() and command in redo.toolTip() and command in redo.statusTip()
    assert "Ctrl+Y" in redo.toolTip()
    redo.trigger()
    assert Item.get_by_id(1).status == DONE
    # The toolbar buttons show the same fixed words.
    from PySide6.QtWidgets import QToolBar, QToolButton

    bar = window.findChild(QToolBar, "main_toolbar")
    buttons = {bar.widgetForAction(a).text() for a in (undo, redo)}
    assert buttons == {"撤销", "重做"}
    assert all(isinstance(bar.widgetForAction(a), QToolButton) for a in (undo, redo))
    # Shortcuts unchanged.
    assert undo.shortcut().toString() == "Ctrl+Z"
    assert [s.toString() for s in redo.shortcuts()] == ["Ctrl+Y", "Ctrl+Shift+Z"]


def test_a_row_added_under_a_filter_is_shown_to_be_filled_in(window, demo_path, qtbot):  # noqa: F811
    window.open_ledger(demo_path)
    window.show_page("ledger")
    window.select(ITEM, 1)
    click_overdue(window, qtbot)
    first = OVERDUE_IN_TREE_ORDER[0]
    assert form_shows(window) == (ITEM, first)
    window.actions["add_item"].trigger()
    new = Item.select().order_by(Item.id.desc()).first()
    assert new.id not in OVERDUE_IN_TREE_ORDER and new.finding_id == Item.get_by_id(first).finding_id
    qtbot.wait(300)  # past the filter's own timer: the new row stays where the clerk can fill it in
    assert window.search.matches is None and "清除筛选" in window.statusBar().currentMessage()
    assert shown_in_tree(window, ITEM, new.id) and window.current_node().id == new.id
    assert form_shows(window) == (ITEM, new.id)
