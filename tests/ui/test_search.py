"""The filter bar over the real tree: rows hidden and shown, counts in the status bar."""

from __future__ import annotations

from rectify_desktop.core import stats
from rectify_desktop.core.models import DONE, Item
from rectify_desktop.core.outline import ITEM


def visible_items(window) -> set[int]:  # noqa: F811
    out = set()
    for (kind, row_id), node in window.model._nodes.items():
        if kind != ITEM:
            continue
        idx, hidden = window.model.index_of(node), False
        while idx.isValid():
            if window.tree.isRowHidden(idx.row(), idx.parent()):
                hidden = True
            idx = idx.parent()
        if not hidden:
            out.add(row_id)
    return out


def test_filter_hides_and_counts(window, demo_path, qtbot):  # noqa: F811
    window.open_ledger(demo_path)
    bar = window.search
    bar.status.setCurrentIndex(bar.status.findData(DONE))
    done = {i.id for i in Item.select().where(Item.status == DONE)}
    assert visible_items(window) == done
    assert window.statusBar().currentMessage() == f"筛选结果：{len(done)} 项细化问题"
    # Combined with a deadline filter: done items are never overdue, so nothing is left.
    bar.deadline.setCurrentIndex(bar.deadline.findData("overdue"))
    assert visible_items(window) == set()
    bar.clear()
    assert visible_items(window) == {i.id for i in Item.select()}
    assert window.statusBar().currentMessage() == ""


def test_text_search_as_you_type(window, demo_path, qtbot):  # noqa: F811
    window.open_ledger(demo_path)
    item = Item.select().where(Item.person != "").first()
    window.focus_search()
    qtbot.keyClicks(window.search.text, "zz")  # ASCII: pytest-qt's keyClicks cannot type Chinese
    qtbot.waitUntil(lambda: window.search.matches is not None)
    assert visible_items(window) == set()
    window.search.text.setText(item.person)
    qtbot.waitUntil(lambda: item.id in visible_items(window))
    shown = visible_items(window)
    assert shown == window.search.matches
    assert {i.id for i in Item.select() if item.person in i.person} <= shown


def test_filter_follows_edits_and_counts_match_stats(window, demo_path, qtbot):  # noqa: F811
    window.open_ledger(demo_path)
    bar = window.search
    bar.deadline.setCurrentIndex(bar.deadline.findData("overdue"))
    s = stats.compute(1)
    assert len(visible_items(window)) == s.overdue
    item_id = next(iter(visible_items(window)))
    from rectify_desktop.core import ops

    window.bridge.push(ops.set_fields(Item, item_id, {"status": DONE}))
    qtbot.waitUntil(lambda: item_id not in visible_items(window))
    assert len(visible_items(window)) == s.overdue - 1
