"""After 新增方面/问题/细化问题/整改措施 the clerk types at once: the new node's title has the focus with its
text selected, in sight; Enter in a one-line field goes on to the next field (issue 12, point 6)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractItemView, QApplication, QLineEdit, QPlainTextEdit, QTextEdit

from rectify_desktop.core.models import Category, Finding, Item, Measure
from rectify_desktop.core.outline import ITEM
from tests.ui.test_writeoff_lock import done_item_without_writeoff


@pytest.fixture
def window(window, demo_path):
    assert window.open_ledger(demo_path)
    window.show_page("ledger")
    window.resize(1366, 768)
    return window


def type_keys(text: str) -> None:
    """Types into the focused widget as the keyboard and an input method do."""
    widget = QApplication.focusWidget()
    for ch in text:
        if ch.isascii():
            QTest.keyClicks(widget, ch)
        else:
            QTest.sendKeyEvent(QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, ch, Qt.KeyboardModifier.NoModifier)


def selected_text(widget) -> str:
    if isinstance(widget, QLineEdit):
        return widget.selectedText()
    return widget.textCursor().selectedText()


def assert_title_ready(window, new_text: str) -> QLineEdit | QPlainTextEdit | QTextEdit:
    title = window.panel.current_form.title
    assert QApplication.focusWidget() is title
    assert selected_text(title) == new_text  # typing replaces it
    assert not title.visibleRegion().isEmpty()  # scrolled into sight
    return title


def test_a_new_item_takes_its_title_typed_at_once(window, qtbot):
    item = done_item_without_writeoff()
    window.select(ITEM, item.id)
    window.actions["add_item"].trigger()
    assert_title_ready(window, "新细化问题")
    type_keys("会议记录不全")
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    new = Item.select().where(Item.finding == item.finding_id).order_by(Item.id.desc()).first()
    assert new.title == "会议记录不全"


def test_a_new_finding_title_then_enter_goes_on(window, qtbot):
    item = done_item_without_writeoff()
    window.select(ITEM, item.id)
    window.actions["add_finding"].trigger()
    title = assert_title_ready(window, "新问题")
    type_keys("学习不深入")
    QTest.keyClick(title, Qt.Key.Key_Return)
    assert QApplication.focusWidget() is not title  # Enter went on to the next field, as Tab does
    new = Finding.select().order_by(Finding.id.desc()).first()
    assert new.title == "学习不深入"


def test_a_new_category_title_typed_and_entered(window, qtbot):
    category = Category.select().first()
    window.select("category", category.id)
    window.actions["add_category"].trigger()
    title = assert_title_ready(window, "新方面")
    type_keys("党的建设方面")
    QTest.keyClick(title, Qt.Key.Key_Enter, Qt.KeyboardModifier.KeypadModifier)
    assert QApplication.focusWidget() is not title
    assert Category.select().order_by(Category.id.desc()).first().title == "党的建设方面"


def test_a_new_measure_opens_its_text_for_typing(window, qtbot):
    item = done_item_without_writeoff()
    window.select(ITEM, item.id)
    window.actions["add_measure"].trigger()
    table = window.panel.current_form.measures.table
    assert table.state() == QAbstractItemView.State.EditingState
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit) and table.isAncestorOf(editor)
    type_keys("完善会议记录制度")
    QTest.keyClick(editor, Qt.Key.Key_Return)  # the table writes it as Qt does, after the key (queued)
    qtbot.waitUntil(lambda: table.state() != QAbstractItemView.State.EditingState)
    new = Measure.select().where(Measure.item == item.id).order_by(Measure.id.desc()).first()
    assert new.text == "完善会议记录制度"


def test_enter_in_a_new_items_title_goes_on_and_shift_enter_breaks_the_line(window, qtbot):
    """The item's 细化问题 is a two-line field, but a title is one sentence: Enter goes on to 具体表现 as in the
    other forms; Shift+Enter still breaks the line for the rare title that wants two."""
    item = done_item_without_writeoff()
    window.select(ITEM, item.id)
    window.actions["add_item"].trigger()
    title = assert_title_ready(window, "新细化问题")
    type_keys("台账不全")
    QTest.keyClick(title, Qt.Key.Key_Return)
    form = window.panel.current_form
    assert QApplication.focusWidget() is form.description
    new = Item.select().where(Item.finding == item.finding_id).order_by(Item.id.desc()).first()
    assert new.title == "台账不全"
    title.setFocus()
    title.moveCursor(title.textCursor().MoveOperation.End)
    QTest.keyClick(title, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    type_keys("二")
    assert QApplication.focusWidget() is title
    assert "\n" in title.toPlainText() or "\u2028" in title.toPlainText()
