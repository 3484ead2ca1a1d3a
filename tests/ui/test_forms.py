"""The edit forms: drive the real widgets, assert on the database."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QTextCursor, QUndoStack
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QLineEdit, QMessageBox, QPushButton, QTableWidget, QTextEdit

from rectify_desktop.core import ops
from rectify_desktop.core.commands import written_off_items_under
from rectify_desktop.core.consistency import GO_ON
from rectify_desktop.core.models import DONE, IN_PROGRESS, NOT_STARTED, Category, Finding, Inspection, Item, Measure
from rectify_desktop.ui.forms import EMPTY_HINT, EditPanel, OptionalDateEdit
from rectify_desktop.ui.open_things import OpenThingsBox
from rectify_desktop.ui.undo import UndoBridge


@pytest.fixture
def make_panel(qtbot):
    """Builds the panel as the window will: a bridge over a QUndoStack, on_changes subscribed."""

    def make(ledger):
        stack = QUndoStack()
        panel = EditPanel(ledger, UndoBridge(ledger, stack))
        ledger.subscribe(panel.on_changes)
        qtbot.addWidget(panel)
        panel.resize(720, 900)
        panel.show()
        qtbot.waitExposed(panel)
        panel.stack = stack  # kept alive with the panel
        return panel, stack

    return make


def child(panel, cls, name):
    w = panel.findChild(cls, name)
    assert w is not None, name
    return w


def first_item(status: str | None = None) -> Item:
    q = Item.select().order_by(Item.id)
    if status:
        q = q.where(Item.status == status)
    return q.first()


def type_text(widget, text: str) -> None:
    """Types `text` key by key, as an input method delivers Chinese (qtbot.keyClicks takes ASCII only)."""
    for ch in text:
        QTest.sendKeyEvent(QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, ch, Qt.KeyboardModifier.NoModifier)


def type_into_text(edit: QTextEdit, text: str) -> None:
    edit.setFocus()
    edit.moveCursor(QTextCursor.MoveOperation.End)
    type_text(edit, text)


def replace_line(qtbot, line: QLineEdit, text: str) -> None:
    line.setFocus()
    line.selectAll()
    qtbot.keyClick(line, Qt.Key.Key_Delete)
    type_text(line, text)
    qtbot.keyClick(line, Qt.Key.Key_Return)


@pytest.fixture
def small_ledger(ledger):
    """An empty ledger with one inspection, category, finding and item (and nothing on the undo stack)."""
    ledger.apply(ops.add_inspection("测试台账", inspecting_body="县委第一巡察组"))
    insp = Inspection.select().first()
    ledger.apply(ops.add_category(insp.id, "第一个方面"))
    ledger.apply(ops.add_category(insp.id, "第二个方面"))
    cat = Category.select().order_by(Category.id).first()
    ledger.apply(ops.add_finding(cat.id, "问题一"))
    ledger.apply(ops.add_item(Finding.select().first().id, "细化问题一"))
    return ledger


def test_empty_page_and_hint(demo_ledger, make_panel):
    panel, _ = make_panel(demo_ledger)
    assert panel.current() == (None, None)
    hint = child(panel, QLabel, "panel.empty")
    assert hint.text() == EMPTY_HINT and hint.isVisible()
    item = first_item()
    panel.show_node("item", item.id)
    assert panel.current() == ("item", item.id)
    assert not hint.isVisible()
    panel.show_node(None, None)
    assert panel.current() == (None, None) and hint.isVisible()
    panel.show_node("meeting", 1)  # no form of its own
    assert panel.current() == (None, None) and hint.isVisible()


def test_item_title_edit_then_undo(demo_ledger, make_panel, qtbot):
    panel, stack = make_panel(demo_ledger)
    item = first_item()
    old = item.title
    panel.show_node("item", item.id)
    title = child(panel, QTextEdit, "item.title")
    assert title.toPlainText() == old
    type_into_text(title, "（补充）")
    panel.commit_pending()
    assert Item.get_by_id(item.id).title == old + "（补充）"
    assert stack.count() == 1
    stack.undo()
    assert Item.get_by_id(item.id).title == old
    assert title.toPlainText() == old
    stack.redo()
    assert Item.get_by_id(item.id).title == old + "（补充）"
    assert title.toPlainText() == old + "（补充）"


def test_multiline_field_commits_after_a_pause(demo_ledger, make_panel, qtbot):
    panel, stack = make_panel(demo_ledger)
    item = first_item(IN_PROGRESS)
    panel.show_node("item", item.id)
    progress = child(panel, QTextEdit, "item.progress")
    type_into_text(progress, "已召开推进会。")
    assert Item.get_by_id(item.id).progress == item.progress  # not yet: the clerk is still typing
    qtbot.waitUntil(lambda: Item.get_by_id(item.id).progress == item.progress + "已召开推进会。", timeout=3000)
    # The reload after the push did not move the cursor away from where the clerk types.
    assert progress.textCursor().position() == len(progress.toPlainText())
    assert stack.count() == 1


def test_typing_in_one_field_is_one_undo_step(demo_ledger, make_panel, qtbot):
    panel, stack = make_panel(demo_ledger)
    item = first_item()
    panel.show_node("item", item.id)
    remarks = child(panel, QTextEdit, "item.remarks")
    for ch in "需跟踪":
        type_into_text(remarks, ch)
        panel.commit_pending()
    assert Item.get_by_id(item.id).remarks == item.remarks + "需跟踪"
    assert stack.count() == 1
    stack.undo()
    assert Item.get_by_id(item.id).remarks == item.remarks
    assert remarks.toPlainText() == item.remarks


@pytest.mark.qt_log_ignore("This plugin does not support")  # the completer's popup, offscreen
def test_line_edit_commits_on_enter_and_only_real_changes(demo_ledger, make_panel, qtbot):
    panel, stack = make_panel(demo_ledger)
    item = first_item()
    panel.show_node("item", item.id)
    person = child(panel, QLineEdit, "item.person")
    replace_line(qtbot, person, "王芳")
    assert Item.get_by_id(item.id).person == "王芳"
    assert stack.count() == 1
    qtbot.keyClick(person, Qt.Key.Key_Return)  # the same value again: nothing to push
    person.setText("王芳 ")
    person.editingFinished.emit()  # a trailing space is no change either
    assert stack.count() == 1
    assert person.text() == "王芳"
    stack.undo()
    assert Item.get_by_id(item.id).person == item.person
    assert person.text() == item.person


def test_responsibility_fields_offer_values_from_the_ledger(demo_ledger, make_panel):
    panel, _ = make_panel(demo_ledger)
    panel.show_node("item", first_item().id)
    completer = child(panel, QLineEdit, "item.department").completer()
    values = completer.model().stringList()
    assert "办公室" in values
    assert "基础教育股" in values  # a name inside "机关党委、基础教育股"


def test_status_done_sets_the_completion_date(demo_ledger, make_panel, monkeypatch):
    panel, stack = make_panel(demo_ledger)
    item = first_item(IN_PROGRESS)
    # Its measures are not all ticked: the clerk answers 仍标记为已完成 (tests/ui/test_consistency.py).
    monkeypatch.setattr(OpenThingsBox, "ask", lambda box: GO_ON)
    panel.show_node("item", item.id)
    status = child(panel, QComboBox, "item.status")
    completed = child(panel, OptionalDateEdit, "item.completed_date")
    assert status.currentText() == IN_PROGRESS
    assert not completed.isEnabled()
    status.setCurrentIndex(status.findText(DONE))
    row = Item.get_by_id(item.id)
    assert row.status == DONE
    assert row.completed_date == dt.date.today()
    assert completed.isEnabled() and completed.value() == dt.date.today()
    # The completion date is a date field of its own.
    completed.dateEdit().setDate(completed.dateEdit().date().addDays(-3))
    assert Item.get_by_id(item.id).completed_date == dt.date.today() - dt.timedelta(days=3)
    stack.undo()
    stack.undo()
    row = Item.get_by_id(item.id)
    assert (row.status, row.completed_date) == (IN_PROGRESS, None)
    assert status.currentText() == IN_PROGRESS and completed.value() is None


def test_deadline_typed_as_a_date_or_chosen_as_a_phrase(demo_ledger, make_panel, qtbot):
    panel, stack = make_panel(demo_ledger)
    item = first_item(NOT_STARTED)
    panel.show_node("item", item.id)
    deadline = child(panel, QComboBox, "item.deadline")
    replace_line(qtbot, deadline.lineEdit(), "2021.6.30")
    row = Item.get_by_id(item.id)
    assert (row.deadline_date, row.deadline_text) == (dt.date(2021, 6, 30), "")
    assert deadline.currentText() == "2021年6月30日"
    assert "已逾期" in child(panel, QLabel, "item.deadline_hint").text()
    # The same day written another way is no change.
    replace_line(qtbot, deadline.lineEdit(), "2021年6月30日")
    assert stack.count() == 1
    deadline.textActivated.emit(deadline.itemText(0))  # 立行立改, chosen from the list
    deadline.setEditText(deadline.itemText(0))
    deadline.textActivated.emit(deadline.itemText(0))
    row = Item.get_by_id(item.id)
    assert (row.deadline_date, row.deadline_text) == (None, "立行立改")
    stack.undo()
    assert Item.get_by_id(item.id).deadline_date == dt.date(2021, 6, 30)


def open_editor(table: QTableWidget) -> QLineEdit | None:
    """The measure text's editor now open (closed ones linger until deleted)."""
    eds = [e for e in table.findChildren(QLineEdit, "measure.editor") if e.isVisible()]
    return eds[0] if len(eds) == 1 else None


def measure_rows(item_id: int) -> list[tuple[str, bool]]:
    q = Measure.select().where(Measure.item == item_id).order_by(Measure.position, Measure.id)
    return [(m.text, m.done) for m in q]


def test_measures_add_edit_done_move_delete(small_ledger, make_panel, qtbot, monkeypatch):
    panel, stack = make_panel(small_ledger)
    item = first_item()
    panel.show_node("item", item.id)
    table = child(panel, QTableWidget, "measure.table")
    add = child(panel, QPushButton, "measure.add")

    def add_measure(text: str) -> None:
        qtbot.mouseClick(add, Qt.MouseButton.LeftButton)
        editor = open_editor(table)
        assert editor is not None  # the new row is being edited
        type_text(editor, text)
        qtbot.keyClick(editor, Qt.Key.Key_Return)  # the view commits it from the event loop
        qtbot.waitUntil(lambda: table.state() != QTableWidget.State.EditingState)

    add_measure("召开专题会议")
    assert measure_rows(item.id) == [("召开专题会议", False)]
    add_measure("修订制度")
    assert measure_rows(item.id) == [("召开专题会议", False), ("修订制度", False)]
    assert stack.count() == 4  # add, text, add, text
    assert [table.item(r, 0).text() for r in range(2)] == ["一是", "二是"]

    # Edit a text in place.
    table.setCurrentCell(0, 1)
    table.editItem(table.item(0, 1))
    editor = open_editor(table)
    editor.selectAll()
    type_text(editor, "召开党组会议专题研究")
    panel.commit_pending()
    assert measure_rows(item.id)[0] == ("召开党组会议专题研究", False)

    # Mark the second one done.
    box = table.cellWidget(1, 2).findChild(QCheckBox)
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton)
    second = Measure.select().where(Measure.text == "修订制度").get()
    assert second.done and second.done_date == dt.date.today()
    assert table.cellWidget(1, 3).findChild(OptionalDateEdit).value() == dt.date.today()

    # Move it up.
    table.selectRow(1)
    qtbot.mouseClick(child(panel, QPushButton, "measure.up"), Qt.MouseButton.LeftButton)
    assert measure_rows(item.id) == [("修订制度", True), ("召开党组会议专题研究", False)]
    assert table.item(0, 1).text() == "修订制度"
    assert table.selectionModel().selectedRows()[0].row() == 0  # the moved row stays selected
    assert not child(panel, QPushButton, "measure.up").isEnabled()

    # Delete it, after saying yes.
    asked = []

    def answer(*args, **kw):
        asked.append(args[2])
        return QMessageBox.StandardButton.No if len(asked) == 1 else QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", answer)
    delete = child(panel, QPushButton, "measure.delete")
    qtbot.mouseClick(delete, Qt.MouseButton.LeftButton)
    assert len(measure_rows(item.id)) == 2  # the clerk said no
    qtbot.mouseClick(delete, Qt.MouseButton.LeftButton)
    assert measure_rows(item.id) == [("召开党组会议专题研究", False)]
    assert "修订制度" in asked[-1]
    assert table.rowCount() == 1

    stack.undo()  # the delete
    assert measure_rows(item.id) == [("修订制度", True), ("召开党组会议专题研究", False)]
    assert table.rowCount() == 2 and table.item(0, 1).text() == "修订制度"


def test_inspection_form_edits_the_inspecting_body(demo_ledger, make_panel, qtbot):
    panel, stack = make_panel(demo_ledger)
    insp = Inspection.select().first()
    panel.show_node("inspection", insp.id)
    body = child(panel, QLineEdit, "inspection.inspecting_body")
    assert body.text() == insp.inspecting_body
    replace_line(qtbot, body, "中共临川县委第五巡察组")
    assert Inspection.get_by_id(insp.id).inspecting_body == "中共临川县委第五巡察组"
    headline = child(panel, QLabel, "inspection.headline")
    assert "巡察反馈的13个问题细化为29项" in headline.text()
    kind = child(panel, QComboBox, "inspection.kind")
    kind.setCurrentIndex(kind.findText("审计"))
    assert Inspection.get_by_id(insp.id).kind == "审计"
    assert "审计反馈的13个问题" in headline.text()
    assert body.text() == "中共临川县委第五巡察组"
    # A date of the inspection, cleared and set again.
    feedback = child(panel, OptionalDateEdit, "inspection.feedback_date")
    feedback.clear()
    assert Inspection.get_by_id(insp.id).feedback_date is None
    stack.undo()
    assert Inspection.get_by_id(insp.id).feedback_date == insp.feedback_date
    assert feedback.value() == insp.feedback_date


def test_inspection_figures_follow_item_changes(demo_ledger, make_panel):
    panel, _ = make_panel(demo_ledger)
    insp = Inspection.select().first()
    panel.show_node("inspection", insp.id)
    headline = child(panel, QLabel, "inspection.headline")
    assert "已整改完成16项" in headline.text()
    panel.bridge.push(ops.set_fields(Item, first_item(IN_PROGRESS).id, {"status": DONE}))
    assert "已整改完成17项" in headline.text()


def test_category_and_finding_forms(small_ledger, make_panel, qtbot):
    panel, stack = make_panel(small_ledger)
    second = Category.select().order_by(Category.id.desc()).first()
    panel.show_node("category", second.id)
    assert child(panel, QLabel, "category.number").text() == "（二）"
    panel.bridge.push(ops.move(Category, second.id, -1))
    assert child(panel, QLabel, "category.number").text() == "（一）"
    replace_line(qtbot, child(panel, QLineEdit, "category.title"), "思想建设方面")
    assert Category.get_by_id(second.id).title == "思想建设方面"

    finding = Finding.select().first()
    panel.show_node("finding", finding.id)
    assert child(panel, QLabel, "finding.number").text() == "1"
    items = child(panel, QTableWidget, "finding.items")
    assert items.rowCount() == 1
    panel.bridge.push(ops.add_item(finding.id, "细化问题二"))
    assert items.rowCount() == 2 and items.item(1, 1).text() == "细化问题二"
    assert items.item(1, 0).text() == "（2）"


def test_external_changes_reload_and_removal_empties(demo_ledger, make_panel):
    panel, stack = make_panel(demo_ledger)
    # In a finding without a written-off item: one with it is not deleted (issue 12, point 1).
    item = next(i for i in Item.select().order_by(Item.id) if not written_off_items_under(Finding, i.finding_id))
    panel.show_node("item", item.id)
    panel.bridge.push(ops.set_fields(Item, item.id, {"leader": "孙强"}))  # as from the tree or an import
    assert child(panel, QLineEdit, "item.leader").text() == "孙强"
    panel.bridge.push(ops.delete(Finding, item.finding_id))  # the item goes with its finding
    assert panel.current() == (None, None)
    stack.undo()
    panel.show_node("item", item.id)
    assert panel.current() == ("item", item.id)


def test_readonly_panel_pushes_nothing(demo_ledger, make_panel, qtbot, monkeypatch):
    panel, stack = make_panel(demo_ledger)
    item = first_item(IN_PROGRESS)
    panel.show_node("item", item.id)
    panel.set_readonly(True)
    leader = child(panel, QLineEdit, "item.leader")
    assert leader.isReadOnly()
    type_text(leader, "改")
    qtbot.keyClick(leader, Qt.Key.Key_Return)
    progress = child(panel, QTextEdit, "item.progress")
    assert progress.isReadOnly()
    type_text(progress, "改")
    panel.commit_pending()
    status = child(panel, QComboBox, "item.status")
    assert not status.isEnabled()
    status.setCurrentIndex(status.findText(DONE))
    for name in ("measure.add", "measure.delete", "measure.up", "measure.down"):
        assert not child(panel, QPushButton, name).isEnabled()
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    qtbot.mouseClick(child(panel, QPushButton, "measure.add"), Qt.MouseButton.LeftButton)
    assert stack.count() == 0
    row = Item.get_by_id(item.id)
    assert (row.leader, row.progress, row.status) == (item.leader, item.progress, item.status)
    assert Measure.select().where(Measure.item == item.id).count() == len(measure_rows(item.id))
    panel.set_readonly(False)
    assert leader.isReadOnly() is False and status.isEnabled()


def test_switching_node_commits_pending_text(demo_ledger, make_panel, qtbot):
    panel, _ = make_panel(demo_ledger)
    item = first_item()
    panel.show_node("item", item.id)
    type_into_text(child(panel, QTextEdit, "item.description"), "另见附件")
    other = Item.select().where(Item.id != item.id).first()
    panel.show_node("item", other.id)
    assert Item.get_by_id(item.id).description == item.description + "另见附件"
    assert Item.get_by_id(other.id).description == other.description
    assert child(panel, QTextEdit, "item.description").toPlainText() == other.description


def test_optional_date_edit(qtbot):
    w = OptionalDateEdit()
    qtbot.addWidget(w)
    seen = []
    w.valueChanged.connect(seen.append)
    assert w.value() is None
    assert w.dateEdit().text() == "未填写"
    w.setValue(dt.date(2021, 6, 30))  # showing a stored value does not emit
    assert seen == [] and w.dateEdit().text() == "2021年6月30日"
    w.clear()
    assert seen == [None] and w.value() is None
    w.dateEdit().stepBy(1)  # stepping from empty starts at today
    assert seen[-1] == dt.date.today()


@pytest.mark.qt_log_ignore("This plugin does not support")  # the calendar popup, offscreen
def test_empty_date_opens_its_calendar_at_this_month(qtbot):
    w = OptionalDateEdit()
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    edit = w.dateEdit()
    arrow = QPoint(edit.rect().right() - 6, edit.rect().center().y())
    qtbot.mouseClick(edit, Qt.MouseButton.LeftButton, pos=arrow)
    cal = edit.calendarWidget()
    qtbot.waitUntil(cal.isVisible)
    today = dt.date.today()
    assert (cal.yearShown(), cal.monthShown()) == (today.year, today.month)
    assert w.value() is None  # opening the calendar chose nothing


def test_nothing_touches_a_closed_ledger(demo_ledger, make_panel, qtbot):
    from rectify_desktop.core.models import db

    panel, _ = make_panel(demo_ledger)
    panel.show_node("item", first_item().id)
    progress = child(panel, QTextEdit, "item.progress")
    type_into_text(progress, "x")
    demo_ledger.close()  # the window commits before closing; a late timer or focus-out must not reopen
    progress.clearFocus()
    panel.commit_pending()
    panel.on_changes([])
    qtbot.wait(1200)
    assert db.is_closed()
