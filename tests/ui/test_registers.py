"""The registers page (制度与会议) on the real main window: add, edit in place, link, delete, undo.

The page is added to the window's PAGES as the lead will add it, so it is built and told of changes by the
window itself. Assertions are on the ledger file.
"""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractItemView, QComboBox, QDateEdit, QDialog, QLineEdit, QMessageBox

from rectify_desktop.core.models import ChangeLog, Institution, InstitutionItem, Item, Meeting, MeetingItem
from rectify_desktop.ui.registers import LinkItemsDialog, RegistersPage


@pytest.fixture
def window(window):
    """The shared window (tests/conftest.py) on a fresh demo ledger."""
    window.open_demo()
    return window


@pytest.fixture
def page(window, qtbot) -> RegistersPage:
    p = window.show_page("registers")
    assert isinstance(p, RegistersPage)
    qtbot.waitExposed(p)
    window.undo_stack.clear()
    return p


def type_text(widget, text: str) -> None:
    """Types `text` key by key, as an input method delivers Chinese."""
    for ch in text:
        QTest.sendKeyEvent(QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, ch, Qt.KeyboardModifier.NoModifier)


def open_editor(qtbot, pane, row: int, col: int, cls):
    index = pane.model.index(row, col)
    pane.view.setCurrentIndex(index)
    pane.view.edit(index)
    return current_editor(pane, cls)


def current_editor(pane, cls):
    """The editor open on the view's current cell."""
    editor = pane.view.indexWidget(pane.view.currentIndex())
    assert isinstance(editor, cls)
    return editor


def press_enter(qtbot, editor) -> None:
    """Enter in a cell editor: the delegate writes the value and closes the editor (a queued call)."""
    view = editor.parentWidget().parentWidget()
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.state() != QAbstractItemView.State.EditingState)


def replace_text(qtbot, editor: QLineEdit, text: str) -> None:
    editor.selectAll()
    qtbot.keyClick(editor, Qt.Key.Key_Delete)
    type_text(editor, text)
    press_enter(qtbot, editor)


def test_counts_of_the_demo(page):
    assert page.counts.text() == "制度建设 6项 · 会议 6次"
    assert page.institutions.model.rowCount() == 6 and page.meetings.model.rowCount() == 6


def test_add_edit_link_delete_a_rule_with_undo(window, page, qtbot, monkeypatch):
    pane = page.institutions
    before = Institution.select().count()

    # 新增制度: a row is added and its title opens for typing.
    pane.add_button.click()
    assert Institution.select().count() == before + 1
    rule = Institution.select().order_by(Institution.id.desc()).get()
    editor = current_editor(pane, QLineEdit)
    assert editor.hasFocus()
    replace_text(qtbot, editor, "机关公务用车管理办法")
    assert Institution.get_by_id(rule.id).title == "机关公务用车管理办法"
    assert page.counts.text() == "制度建设 7项 · 会议 6次"

    # 文号 and date, edited in place.
    row = pane.model.row_of(rule.id)
    editor = open_editor(qtbot, pane, row, 2, QLineEdit)
    replace_text(qtbot, editor, "临教发〔2026〕15号")
    assert Institution.get_by_id(rule.id).doc_number == "临教发〔2026〕15号"
    date_editor = open_editor(qtbot, pane, row, 3, QDateEdit)
    date_editor.setDate(QDate(2026, 4, 20))
    press_enter(qtbot, date_editor)
    assert Institution.get_by_id(rule.id).date == dt.date(2026, 4, 20)
    assert pane.model.index(row, 3).data() == "2026年4月20日"

    # Link two items: the real dialog, searched and checked, confirmed by its OK button.
    items = list(Item.select().order_by(Item.id).limit(2))

    def exec_(dlg: LinkItemsDialog) -> int:
        dlg.search.setText(items[1].title[:6])
        assert not dlg.items[items[1].id].isHidden()
        assert any(node.isHidden() for node in dlg.items.values())  # the search hides the others
        dlg.search.setText("")
        for it in items:
            dlg.items[it.id].setCheckState(0, Qt.CheckState.Checked)
        assert dlg.count.text() == "已选 2 项细化问题"
        dlg.buttons.button(dlg.buttons.StandardButton.Ok).click()
        return dlg.result()

    monkeypatch.setattr(LinkItemsDialog, "exec", exec_)
    pane.select(rule.id)
    pane.link_button.click()
    linked = {r.item_id for r in InstitutionItem.select().where(InstitutionItem.institution == rule.id)}
    assert linked == {it.id for it in items}
    shown = pane.model.index(row, 4).data()
    assert shown.count("、") == 1 and "（" in shown
    assert "关联细化问题" in ChangeLog.select().order_by(ChangeLog.id.desc()).get().summary

    # Five steps so far, each one undo step; the two links are one.
    assert window.undo_stack.count() == 5
    window.undo()
    assert InstitutionItem.select().where(InstitutionItem.institution == rule.id).count() == 0
    window.redo()
    assert InstitutionItem.select().where(InstitutionItem.institution == rule.id).count() == 2

    # Unlink one through the dialog again.
    def exec_uncheck(dlg: LinkItemsDialog) -> int:
        assert dlg.checked_ids() == {it.id for it in items}
        dlg.items[items[0].id].setCheckState(0, Qt.CheckState.Unchecked)
        dlg.accept()
        return dlg.result()

    monkeypatch.setattr(LinkItemsDialog, "exec", exec_uncheck)
    pane.link_button.click()
    linked = {r.item_id for r in InstitutionItem.select().where(InstitutionItem.institution == rule.id)}
    assert linked == {items[1].id}

    # Delete asks first; No keeps it, Yes deletes it with its link; undo brings both back.
    asked: list[str] = []

    def answer(button):
        def ask(parent, title, text, *a, **k):
            asked.append(text)
            return button

        return ask

    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.No))
    pane.select(rule.id)
    pane.delete_button.click()
    assert "机关公务用车管理办法" in asked[-1]
    assert Institution.get_or_none(Institution.id == rule.id) is not None
    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Yes))
    pane.delete_button.click()
    assert Institution.get_or_none(Institution.id == rule.id) is None
    assert InstitutionItem.select().where(InstitutionItem.institution == rule.id).count() == 0
    assert page.counts.text() == "制度建设 6项 · 会议 6次"
    window.undo()
    restored = Institution.get_by_id(rule.id)
    assert (restored.title, restored.doc_number, restored.date) == (
        "机关公务用车管理办法",
        "临教发〔2026〕15号",
        dt.date(2026, 4, 20),
    )
    assert [r.item_id for r in InstitutionItem.select().where(InstitutionItem.institution == rule.id)] == [items[1].id]
    assert page.counts.text() == "制度建设 7项 · 会议 6次"

    # Undo everything: the registers are as the demo made them.
    while window.undo_stack.canUndo():
        window.undo()
    assert Institution.select().count() == before
    assert page.counts.text() == "制度建设 6项 · 会议 6次"


def test_add_and_edit_a_meeting(window, page, qtbot, monkeypatch):
    pane = page.meetings
    pane.add_button.click()
    meeting = Meeting.select().order_by(Meeting.id.desc()).get()
    assert (meeting.kind, meeting.date) == ("专题会议", dt.date.today())
    editor = current_editor(pane, QLineEdit)
    replace_text(qtbot, editor, "研究巡察整改“回头看”工作")
    assert Meeting.get_by_id(meeting.id).topic == "研究巡察整改“回头看”工作"
    row = pane.model.row_of(meeting.id)

    # The kind: one of the usual kinds chosen from the combo …
    combo = open_editor(qtbot, pane, row, 1, QComboBox)
    assert [combo.itemText(i) for i in range(combo.count())] == [
        "专题会议",
        "推进会",
        "党组会议",
        "民主生活会",
        "领导小组会议",
    ]
    combo.setCurrentIndex(1)
    combo.activated.emit(1)
    assert Meeting.get_by_id(meeting.id).kind == "推进会"
    # … or any other typed in.
    combo = open_editor(qtbot, pane, row, 1, QComboBox)
    combo.lineEdit().selectAll()
    type_text(combo.lineEdit(), "约谈会")
    press_enter(qtbot, combo)
    assert Meeting.get_by_id(meeting.id).kind == "约谈会"

    date_editor = open_editor(qtbot, pane, row, 2, QDateEdit)
    date_editor.setDate(QDate(2026, 3, 9))
    press_enter(qtbot, date_editor)
    assert Meeting.get_by_id(meeting.id).date == dt.date(2026, 3, 9)
    assert page.counts.text() == "制度建设 6项 · 会议 7次"

    # Link two items to the meeting; one undo takes both links back.
    items = [it.id for it in Item.select().order_by(Item.id.desc()).limit(2)]

    def exec_(dlg: LinkItemsDialog) -> int:
        dlg.set_checked(set(items))
        dlg.accept()
        return QDialog.DialogCode.Accepted

    pane.select(meeting.id)
    monkeypatch.setattr(LinkItemsDialog, "exec", exec_)
    pane.link_button.click()
    assert {r.item_id for r in MeetingItem.select().where(MeetingItem.meeting == meeting.id)} == set(items)
    window.undo()
    assert MeetingItem.select().where(MeetingItem.meeting == meeting.id).count() == 0

    # Undo the date, the kinds, the topic, the meeting itself.
    for _ in range(5):
        window.undo()
    assert Meeting.get_or_none(Meeting.id == meeting.id) is None
    assert page.counts.text() == "制度建设 6项 · 会议 6次"


def test_an_edit_elsewhere_shows_and_readonly_blocks(window, page):
    from rectify_desktop.core import ops

    rule = Institution.select().order_by(Institution.position).first()
    window.bridge.push(ops.set_fields(Institution, rule.id, {"title": "改过的制度名称"}))
    assert page.institutions.model.index(0, 1).data() == "改过的制度名称"
    page.set_readonly(True)
    pane = page.institutions
    pane.select(rule.id)
    assert not pane.add_button.isEnabled() and not pane.delete_button.isEnabled()
    assert not pane.link_button.isEnabled()
    assert not pane.model.flags(pane.model.index(0, 1)) & Qt.ItemFlag.ItemIsEditable
    assert not pane.model.setData(pane.model.index(0, 1), "不应写入")
    assert Institution.get_by_id(rule.id).title == "改过的制度名称"
    page.set_readonly(False)
    assert pane.add_button.isEnabled() and pane.delete_button.isEnabled()


def test_a_ledger_without_inspection(window, tmp_path, qtbot):
    from rectify_desktop.core import storage

    path = tmp_path / "空台账.db"
    storage.create_file(path)
    assert window.open_ledger(path)
    page = window.show_page("registers")
    assert page.counts.text() == "制度与会议"
    assert "还没有巡察" in page.context.text()
    assert not page.institutions.add_button.isEnabled()
