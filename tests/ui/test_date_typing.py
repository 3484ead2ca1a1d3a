"""Typing a date into a date field of the forms (issue 12, point 5), through the real main window.

A clerk clicks into 完成时间 / 巡察时间 / 反馈日期, types the date in any of the ways the ledger writes dates
(2026-03-02, 2026.3.2, 2026年3月2日, 2026/3/2) and presses Tab: the date is saved. What cannot be read as
a date stays in the field with a red hint and is not saved; 清除 and undo work as before.
"""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QTableWidget, QToolButton

from rectify_desktop.core import ops
from rectify_desktop.core.models import DONE, Inspection, Item, Measure
from rectify_desktop.core.outline import INSPECTION, ITEM
from rectify_desktop.ui.forms import OptionalDateEdit

MARCH_2 = dt.date(2026, 3, 2)


@pytest.fixture
def window(window, demo_path):
    """The shared window (tests/conftest.py) on the demo ledger, showing the tree and its form."""
    assert window.open_ledger(demo_path)
    window.show_page("ledger")
    return window


def field(window, name: str) -> OptionalDateEdit:
    w = window.panel.findChild(OptionalDateEdit, name)
    assert w is not None and w.isVisible(), name
    return w


def clear(qtbot, date: OptionalDateEdit) -> None:
    button = date.findChild(QToolButton)
    assert button.text() == "清除"
    if button.isEnabled():
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert date.value() is None and date.dateEdit().text() == "未填写"


def click_into(qtbot, date: OptionalDateEdit) -> None:
    edit = date.dateEdit()
    line = edit.lineEdit()  # where a click lands: the text of the field, not its arrows
    qtbot.mouseClick(line, Qt.MouseButton.LeftButton, pos=QPoint(12, line.height() // 2))
    assert QApplication.focusWidget() is edit


def type_keys(text: str) -> None:
    """Types into the widget that has the focus, as the keyboard does; QTest.keyClicks for ASCII, a key
    event carrying the character for 年月日 (as an input method delivers them)."""
    widget = QApplication.focusWidget()
    for ch in text:
        if ch.isascii():
            QTest.keyClicks(widget, ch)
        else:
            QTest.sendKeyEvent(QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, ch, Qt.KeyboardModifier.NoModifier)


def press(key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    QTest.keyClick(QApplication.focusWidget(), key, modifier)


def done_item(window, qtbot) -> Item:
    """A finished item not (being) written off: its fields are the clerk's to edit."""
    items = Item.select().where(Item.status == DONE).order_by(Item.id)
    item = next(i for i in items if ops.writeoff_state(i.id) == "" and any(m.done for m in i.measures))
    window.select(ITEM, item.id)
    return item


@pytest.mark.parametrize("typed", ["2026-03-02", "2026.3.2", "2026年3月2日", "2026/3/2", " 2026 - 3 - 2 "])
def test_a_date_typed_into_the_empty_completion_date_is_saved(window, qtbot, typed):
    item = done_item(window, qtbot)
    completed = field(window, "item.completed_date")
    clear(qtbot, completed)
    assert Item.get_by_id(item.id).completed_date is None

    click_into(qtbot, completed)
    type_keys(typed)
    press(Qt.Key.Key_Tab)

    assert Item.get_by_id(item.id).completed_date == MARCH_2
    assert completed.dateEdit().text() == "2026年3月2日"
    assert completed.problem() is None
    assert QApplication.focusWidget() is not completed.dateEdit()  # Tab went on to the next field

    press(Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # undo, as any edit
    assert Item.get_by_id(item.id).completed_date is None
    assert completed.dateEdit().text() == "未填写"


@pytest.mark.parametrize(
    ("name", "typed"),
    [
        ("inspection.feedback_date", "2026.3.2"),
        ("inspection.period_start", "2026年3月2日"),
        ("inspection.period_end", "2026/3/2"),
    ],
)
def test_the_inspection_dates_take_typing_too(window, qtbot, name, typed):
    inspection = Inspection.get()
    window.select(INSPECTION, inspection.id)
    date = field(window, name)
    column = name.split(".")[1]
    clear(qtbot, date)
    assert getattr(Inspection.get_by_id(inspection.id), column) is None
    click_into(qtbot, date)
    type_keys(typed)
    press(Qt.Key.Key_Return)  # Enter takes the date as well as Tab
    assert getattr(Inspection.get_by_id(inspection.id), column) == MARCH_2
    assert date.dateEdit().text() == "2026年3月2日"


def test_typing_over_a_date_replaces_it(window, qtbot):
    item = done_item(window, qtbot)
    completed = field(window, "item.completed_date")
    click_into(qtbot, completed)
    press(Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    type_keys("2026.3.2")
    press(Qt.Key.Key_Tab)
    assert Item.get_by_id(item.id).completed_date == MARCH_2
    assert completed.dateEdit().text() == "2026年3月2日"


@pytest.mark.parametrize("typed", ["2026-13-45", "明天", "3月2日"])
def test_what_is_not_a_date_stays_with_a_hint_and_is_not_saved(window, qtbot, typed):
    item = done_item(window, qtbot)
    before = Item.get_by_id(item.id).completed_date
    assert before is not None
    completed = field(window, "item.completed_date")
    click_into(qtbot, completed)
    press(Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    type_keys(typed)
    press(Qt.Key.Key_Tab)

    assert Item.get_by_id(item.id).completed_date == before  # nothing saved
    assert completed.dateEdit().text() == typed  # what was typed is kept, to be corrected
    assert "不是日期" in completed.problem()
    assert "不是日期" in completed.dateEdit().toolTip()
    notice = window.panel.findChild(QLabel, "item.notice")
    assert notice.isVisible() and "不是日期" in notice.text() and "完成时间" in notice.text()

    # Another edit of the form reloads it: the entry stays until it is corrected or cleared.
    person = window.panel.findChild(QLineEdit, "item.person")
    person.setFocus()
    person.selectAll()
    QTest.keyClicks(person, "Li")
    press(Qt.Key.Key_Return)
    assert Item.get_by_id(item.id).person == "Li"
    assert Item.get_by_id(item.id).completed_date == before
    assert completed.dateEdit().text() == typed and completed.problem()

    # Corrected, it is saved and the hint goes.
    click_into(qtbot, completed)
    press(Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    type_keys("2026.3.2")
    press(Qt.Key.Key_Tab)
    assert Item.get_by_id(item.id).completed_date == MARCH_2
    assert completed.problem() is None and not notice.isVisible()
    assert completed.dateEdit().text() == "2026年3月2日"


def test_deleting_the_typed_text_clears_the_date(window, qtbot):
    item = done_item(window, qtbot)
    completed = field(window, "item.completed_date")
    click_into(qtbot, completed)
    press(Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    press(Qt.Key.Key_Delete)
    press(Qt.Key.Key_Tab)
    assert Item.get_by_id(item.id).completed_date is None
    assert completed.dateEdit().text() == "未填写" and completed.problem() is None


def test_a_date_typed_for_a_measure_is_saved(window, qtbot):
    item = done_item(window, qtbot)
    measure = Measure.select().where(Measure.item == item.id, Measure.done == True).first()  # noqa: E712
    assert measure is not None
    table = window.panel.findChild(QTableWidget, "measure.table")
    row = next(
        r
        for r in range(table.rowCount())
        if table.cellWidget(r, 3) is not None
        and table.cellWidget(r, 3).findChild(OptionalDateEdit).property("measure_id") == measure.id
    )
    date = table.cellWidget(row, 3).findChild(OptionalDateEdit)
    click_into(qtbot, date)
    press(Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    type_keys("2026年3月2日")
    press(Qt.Key.Key_Return)
    assert Measure.get_by_id(measure.id).done_date == MARCH_2


def test_clear_drops_an_unreadable_entry(window, qtbot):
    item = done_item(window, qtbot)
    completed = field(window, "item.completed_date")
    click_into(qtbot, completed)
    press(Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    type_keys("abc")
    press(Qt.Key.Key_Tab)
    assert completed.problem() is not None
    clear(qtbot, completed)
    assert Item.get_by_id(item.id).completed_date is None
    assert completed.problem() is None


def test_another_item_shows_its_own_date_not_the_unreadable_entry(window, qtbot):
    first = done_item(window, qtbot)
    completed = field(window, "item.completed_date")
    click_into(qtbot, completed)
    press(Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    type_keys("abc")
    press(Qt.Key.Key_Tab)
    assert completed.dateEdit().text() == "abc"
    # Another item with the same date: the field shows that date, not what was typed for the first.
    other = Item.select().where(Item.status == DONE, Item.id != first.id).first()
    Item.update(completed_date=first.completed_date).where(Item.id == other.id).execute()
    window.select(ITEM, other.id)
    assert completed.problem() is None
    assert completed.value() == first.completed_date
    assert (
        completed.dateEdit().text()
        == f"{first.completed_date.year}年{first.completed_date.month}月{first.completed_date.day}日"
    )


def test_tab_into_an_empty_date_and_type(window, qtbot):
    """The keyboard only: Tab from 被巡察单位 into the empty start of 巡察时间, type, Tab on."""
    inspection = Inspection.get()
    window.select(INSPECTION, inspection.id)
    start = field(window, "inspection.period_start")
    clear(qtbot, start)
    unit = window.panel.findChild(QLineEdit, "inspection.inspected_unit")
    unit.setFocus()
    press(Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is start.dateEdit()
    type_keys("2026.3.2")
    press(Qt.Key.Key_Tab)
    assert Inspection.get_by_id(inspection.id).period_start == MARCH_2
    assert start.dateEdit().text() == "2026年3月2日"


def test_a_date_typed_for_an_evidence_file_is_saved(window, qtbot):
    """The date of an evidence file, edited in its table: typed, and Enter."""
    from rectify_desktop.core.models import Evidence

    # Of an item not written off: a written-off item's evidence is locked (issue 12, point 1).
    evs = Evidence.select().where(Evidence.item.is_null(False)).order_by(Evidence.id)
    ev = next((e for e in evs if ops.writeoff_state(e.item_id) != "已销号"), None)
    assert ev is not None
    window.select(ITEM, ev.item_id)
    evidence = window.panel.current_form.evidence
    t = window.panel.findChild(QTableWidget, "evidence.table")
    row = next(r for r in range(t.rowCount()) if evidence.row_at(r) is not None and evidence.row_at(r).id == ev.id)
    t.setCurrentCell(row, evidence.COL_DATE)
    t.edit(t.model().index(row, evidence.COL_DATE))
    date = evidence.delegate.editor
    assert isinstance(date, OptionalDateEdit)
    date.dateEdit().setFocus()
    press(Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    type_keys("2026/3/2")
    press(Qt.Key.Key_Return)
    assert Evidence.get_by_id(ev.id).date == MARCH_2
