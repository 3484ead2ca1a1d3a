"""总览: its figures equal `stats --json`, and clicking each shows exactly that many items."""

from __future__ import annotations

import json

from rectify_desktop.core import ops, stats
from rectify_desktop.core.models import DONE, Item


def test_figures_equal_stats_json_and_clicks_match(window, demo_path, cli):  # noqa: F811
    out = cli("stats", demo_path, "--json")
    figures = json.loads(out.stdout)
    window.open_ledger(demo_path)
    page = window.show_page("overview")
    expected = {
        "items": figures["items"],
        "done": figures["status"]["已完成"],
        "in_progress": figures["status"]["正在推进"],
        "not_started": figures["status"]["未启动"],
        "ongoing": figures["status"]["长期坚持"],
        "overdue": figures["overdue"],
        "due_7": figures["due_7"],
        "due_30": figures["due_30"],
        "written_off": figures["written_off"],
        "pending": figures["writeoff_pending"],
    }
    for key, value in expected.items():
        assert page.figures[key].value == str(value), key
        window.show_page("overview")
        assert page.show_items(key) == value, key
        assert window.statusBar().currentMessage() == f"筛选结果：{value} 项细化问题"
    assert page.figures["rate"].value == f"{figures['completion_whole']}%"
    assert page.headline.text().startswith("巡察反馈的13个问题细化为29项")


def test_category_and_department_rows_filter_to_their_items(window, demo_path, qtbot):  # noqa: F811
    window.open_ledger(demo_path)
    page = window.show_page("overview")
    assert window.tabs.currentWidget() is page.parent()  # a ledger opens on its overview
    qtbot.waitUntil(lambda: page.categories.count() > 0)  # the bars come just after the window
    rows = [page.categories.itemAt(i).widget() for i in range(page.categories.count())]
    assert sum(r.group.items for r in rows) == 29
    for r in rows:
        r.clicked.emit()
        assert len(window.search.matches) == r.group.items
    depts = [page.departments.itemAt(i).widget() for i in range(page.departments.count())]
    for r in depts:
        r.clicked.emit()
        assert len(window.search.matches) == r.group.items
        assert all(r.group.name in Item.get_by_id(i).department for i in window.search.matches)


def test_overview_follows_edits(window, demo_path, qtbot):  # noqa: F811
    window.open_ledger(demo_path)
    page = window.show_page("overview")
    item = Item.select().where(Item.status != DONE).first()
    window.bridge.push(ops.set_fields(Item, item.id, {"status": DONE}))
    qtbot.waitUntil(lambda: page.figures["done"].value == str(stats.compute(1).status[DONE]))
    assert page.figures["done"].value == "17"


def test_figures_on_a_generated_ledger(window, tmp_path, cli, qtbot):  # noqa: F811
    from tests.perf.generate import make_large_ledger

    path = make_large_ledger(tmp_path / "generated.db", 300, seed=7)
    figures = json.loads(cli("stats", path, "--json").stdout)
    window.open_ledger(path)
    page = window.show_page("overview")
    assert page.figures["items"].value == "300"
    for key, value in (
        ("done", figures["status"]["已完成"]),
        ("overdue", figures["overdue"]),
        ("due_30", figures["due_30"]),
    ):
        assert page.figures[key].value == str(value)
        assert page.show_items(key) == value
    window.show_page("overview")  # the bars come with the page's first paint
    qtbot.waitUntil(lambda: page.departments.count() > 0)
    rows = [page.categories.itemAt(i).widget() for i in range(page.categories.count())]
    assert sum(r.group.items for r in rows) == 300
