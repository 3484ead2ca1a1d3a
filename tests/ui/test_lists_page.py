"""三张清单 as table views: the rows of core.lists, filtered, sorted, exported to Excel."""

from __future__ import annotations

import openpyxl
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from rectify_desktop.core import lists
from rectify_desktop.core.models import DONE, Item, Measure


def test_three_lists_show_their_rows(window, demo_path):  # noqa: F811
    window.open_ledger(demo_path)
    page = window.show_page("lists")
    assert page.model.rowCount() == Item.select().count()  # 问题清单: one row per item
    page.kind.setCurrentIndex(page.kind.findData(lists.TASKS))
    assert page.model.rowCount() == Measure.select().count() + sum(
        1 for i in Item.select() if not any(m.text.strip() for m in i.measures)
    )
    page.kind.setCurrentIndex(page.kind.findData(lists.RESPONSIBILITY))
    assert page.model.rowCount() >= Item.select().count()  # joint departments list an item under each
    assert page.title.text().endswith("整改责任清单")


def test_filter_sort_and_export(window, demo_path, tmp_path, monkeypatch):  # noqa: F811
    window.open_ledger(demo_path)
    page = window.show_page("lists")
    page.items.setCurrentIndex(page.items.findData(lists.NOT_DONE))
    assert page.model.rowCount() == Item.select().where(Item.status != DONE).count()
    page.text.setText("财务股")
    assert 0 < page.proxy.rowCount() < page.model.rowCount()
    assert "筛选后" in page.count.text()
    page.text.clear()
    page.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    assert page.proxy.index(0, 0).data() == page.model.rowCount()
    out = tmp_path / "问题清单.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    from rectify_desktop.ui.done_box import DoneBox

    monkeypatch.setattr(DoneBox, "exec", lambda box: 0)
    page.export_excel()
    ws = openpyxl.load_workbook(out).active
    assert ws["A1"].value == page.sheet.title
    assert [c.value for c in ws[3]] == list(page.sheet.headers)
    assert ws.max_row == 3 + page.model.rowCount()
    assert ws.print_title_rows == "$3:$3" and ws.page_setup.orientation == "landscape"


def test_lists_mark_late_and_soon_and_open_their_items(window, demo_path):  # noqa: F811
    from rectify_desktop.core import stats
    from rectify_desktop.ui.lists_page import ItemIdRole
    from rectify_desktop.ui.theme import DUE_SOON_COLOR, OVERDUE_COLOR

    window.open_ledger(demo_path)
    page = window.show_page("lists")
    colors = [page.model.item(r, 0).foreground().color().name() for r in range(page.model.rowCount())]
    s = stats.compute(1)
    assert colors.count(OVERDUE_COLOR) == s.overdue
    assert colors.count(DUE_SOON_COLOR) == s.due_7  # the settings' "soon" is 7 days by default
    item_id = page.model.item(3, 0).data(ItemIdRole)
    page._open_item(page.proxy.mapFromSource(page.model.index(3, 0)))
    assert window.current_node().id == item_id and window.tabs.currentWidget() is window.splitter


def test_new_items_get_the_default_leader(window, demo_path):  # noqa: F811
    from rectify_desktop.core import settings as ledger_settings
    from rectify_desktop.core.outline import FINDING

    window.open_ledger(demo_path)
    window.bridge.push(ledger_settings.SetSettings({"default_leader": "周立新"}))
    window.select(FINDING, Item.select().first().finding_id)
    window.actions["add_item"].trigger()
    assert Item.get_by_id(window.current_node().id).leader == "周立新"
