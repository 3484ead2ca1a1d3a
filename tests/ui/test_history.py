"""The history views on the real main window: the ledger's change log page and a node's history."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtTest import QTest

from rectify_desktop.core import ops
from rectify_desktop.core.models import ChangeLog, Institution, Item, Measure
from rectify_desktop.ui.history import HistoryPage, NodeHistory


@pytest.fixture
def window(window):
    """The shared window (tests/conftest.py) on a fresh demo ledger."""
    window.open_demo()
    return window


def show(window, qtbot, key: str):
    """Brings a page to the front and waits until it is on screen (a page added to a shown tab is shown by
    a queued call)."""
    page = window.show_page(key)
    qtbot.waitUntil(page.isVisible)
    return page


def cells(view, row: int) -> list[str]:
    m = view.model()
    return [m.index(row, c).data() for c in range(m.columnCount())]


def column(view, c: int) -> list[str]:
    m = view.model()
    return [m.index(r, c).data() for r in range(m.rowCount())]


def test_edits_appear_newest_first_with_user_and_time(window, qtbot):
    item = Item.select().order_by(Item.id).first()
    window.bridge.push(ops.set_fields(Item, item.id, {"leader": "张副局长"}))
    window.bridge.push(ops.set_fields(Item, item.id, {"progress": "已召开专题会议研究部署\n下一步：完善制度"}))
    page = show(window, qtbot, "history")
    assert isinstance(page, HistoryPage)
    now = dt.datetime.now()
    top = cells(page.view, 0)
    assert top[1] == window.ledger.user
    assert dt.datetime.strptime(top[0], "%Y-%m-%d %H:%M") <= now
    assert now - dt.datetime.strptime(top[0], "%Y-%m-%d %H:%M") < dt.timedelta(minutes=2)
    assert (top[2], top[4]) == ("修改", "整改进展")
    assert top[5] == " ".join(item.progress.split())[:119] + ("…" if len(" ".join(item.progress.split())) > 120 else "")
    assert top[6] == "已召开专题会议研究部署 下一步：完善制度"  # one line in the cell …
    assert page.model.index(0, 6).data(Qt.ItemDataRole.ToolTipRole) == "已召开专题会议研究部署\n下一步：完善制度"
    assert cells(page.view, 1)[4:] == ["责任领导", item.leader, "张副局长"]
    assert top[3].startswith("细化问题 1（1）")

    # A change made while the page is shown appears at once; undo too.
    window.undo()
    assert cells(page.view, 0)[2] == "撤销修改"
    assert cells(page.view, 0)[5] == "已召开专题会议研究部署 下一步：完善制度"
    assert "共" in page.note.text()


def test_date_and_text_filters(window, qtbot):
    item = Item.select().order_by(Item.id).first()
    window.bridge.push(ops.set_fields(Item, item.id, {"remarks": "今天的修改"}))
    # An older edit: the demo's creation row, dated back to the first of March.
    ChangeLog.update(at=dt.datetime(2026, 3, 1, 9, 30)).where(ChangeLog.summary == "创建示例台账").execute()
    page = show(window, qtbot, "history")
    all_rows = page.model.rowCount()
    assert all_rows == ChangeLog.select().count()
    # The demo's own history lies before today (core.demo): today's rows are the edit above.
    today_rows = ChangeLog.select().where(ChangeLog.at >= dt.datetime.combine(dt.date.today(), dt.time())).count()

    today = QDate.currentDate()
    page.since.setDate(today)
    assert column(page.view, 6)[0] == "今天的修改"
    assert "创建示例台账" not in [r.summary for r in page.model.rows]
    assert page.model.rowCount() == today_rows
    page.since.setDate(today.addDays(1))
    assert page.model.rowCount() == 0 and "没有符合条件" in page.note.text()

    page.quick["all"].click()
    assert page.model.rowCount() == all_rows
    page.until.setDate(QDate(2026, 3, 1))
    assert [r.summary for r in page.model.rows] == ["创建示例台账"]
    page.since.setDate(QDate(2026, 3, 1))
    assert [r.summary for r in page.model.rows] == ["创建示例台账"]
    page.quick["today"].click()
    assert page.since.value() == dt.date.today() and page.until.value() is None
    assert page.model.rowCount() == today_rows

    page.quick["all"].click()
    page.search.setFocus()
    for ch in "今天的":
        QTest.sendKeyEvent(QTest.KeyAction.Click, page.search, Qt.Key.Key_unknown, ch, Qt.KeyboardModifier.NoModifier)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    assert page.model.rows[0].new == "今天的修改"
    page.search.clear()
    qtbot.waitUntil(lambda: page.model.rowCount() == all_rows)


def test_only_the_newest_rows_with_a_note(window, qtbot):
    item = Item.select().order_by(Item.id).first()
    before = ChangeLog.select().count()
    for name in ("甲", "乙", "丙", "丁"):
        window.bridge.push(ops.set_fields(Item, item.id, {"person": name}))
    page = show(window, qtbot, "history")
    assert page.model.rowCount() == before + 4
    page.limit = 3
    page.reload()
    assert page.model.rowCount() == 3
    assert "只显示最新的 3 条" in page.note.text()


def test_hidden_page_reloads_when_shown(window, qtbot):
    page = show(window, qtbot, "history")
    window.show_page("ledger")
    item = Item.select().order_by(Item.id).first()
    window.bridge.push(ops.set_fields(Item, item.id, {"person": "赵六"}))
    assert page._dirty
    show(window, qtbot, "history")
    assert page.model.rows[0].new == "赵六"


def test_double_click_shows_the_object(window, qtbot):
    # An item not written off: a written-off item's measures are locked (issue 12, point 1).
    item = next(i for i in Item.select().order_by(Item.id.desc()) if ops.writeoff_state(i.id) != "已销号")
    measure = Measure.select().where(Measure.item == item.id).first()
    window.bridge.push(ops.set_fields(Measure, measure.id, {"text": "一是修订制度"}))
    page = show(window, qtbot, "history")
    view = page.view
    rect = view.visualRect(page.model.index(0, 3))
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, rect.center())
    QTest.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, rect.center())
    assert window.tabs.currentWidget() is window.splitter
    node = window.current_node()
    assert (node.kind, node.id) == ("item", item.id)

    rule = Institution.select().order_by(Institution.id).first()
    window.bridge.push(ops.set_fields(Institution, rule.id, {"doc_number": "临教发〔2026〕99号"}))
    show(window, qtbot, "history")
    page._open(page.model.index(0, 0))
    registers = window.pages["registers"]
    assert window.tabs.currentWidget().findChild(type(registers)) is registers
    assert registers.institutions.selected_id() == rule.id


def test_node_history_of_an_item_holds_its_measures(window, qtbot):
    box = NodeHistory(window)
    qtbot.addWidget(box)
    window.ledger.subscribe(box.on_changes)
    box.resize(900, 400)
    box.show()
    item = Item.select().order_by(Item.id).first()
    other = next(i for i in Item.select().order_by(Item.id.desc()) if ops.writeoff_state(i.id) != "已销号")
    measure = Measure.select().where(Measure.item == item.id).first()
    box.show_node("item", item.id)
    assert box.title.text() == "修改记录：细化问题1（1）"
    before = box.model.rowCount()  # the demo's own history of the item (core.demo)

    window.bridge.push(ops.set_fields(Item, item.id, {"department": "机关党委"}))
    window.bridge.push(ops.set_fields(Measure, measure.id, {"text": "一是健全学习制度"}))
    window.bridge.push(ops.set_fields(Item, other.id, {"department": "别的细化问题"}))
    qtbot.waitUntil(lambda: box.model.rowCount() >= before + 2)
    changes = column(box.view, 2)
    # a measure's row names the measure; the node's own rows need not name it
    assert changes[0].startswith("整改措施 1（1）的措施：一是健全学习制度")
    assert changes[0].endswith(f"内容：{measure.text[:59]}{'…' if len(measure.text) > 60 else ''} → 一是健全学习制度")
    assert changes[1] == f"责任部门：{item.department or '（空）'} → 机关党委"
    assert all(r.new != "别的细化问题" for r in box.model.rows)
    assert cells(box.view, 0)[1] == window.ledger.user

    box.show_node("measure", measure.id)
    # the edit above, over the measure's own history in the demo, which begins with its 新增
    assert box.model.rows[0].field == "内容" and box.model.rows[-1].action == "新增"
    box.show_node(None, None)
    assert box.model.rowCount() == 0 and "选择" in box.note.text()
    window.ledger.unsubscribe(box.on_changes)
