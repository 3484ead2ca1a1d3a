"""总览 → 整改进度走势 in the real main window (issue 15): the chart's points are asof.timeline's, a change today
moves the last point (after the page is shown again, when it was hidden), and a log of one day gives a quiet
line instead of a chart."""

from __future__ import annotations

import datetime as dt

import pytest

from rectify_desktop.core import asof, ops
from rectify_desktop.core.models import DONE, IN_PROGRESS, Item
from rectify_desktop.ui.overview_chart import FEW_POINTS
from tests.ui.test_report_dialog import DONE_ON, START, TODAY, demo_with_history


@pytest.fixture
def history(tmp_path, monkeypatch):
    return demo_with_history(tmp_path / "示例台账.db", monkeypatch)


def overview(window, qtbot):
    page = window.show_page("overview")
    qtbot.waitUntil(lambda: page.isVisible() and not page._trend_stale and not page._trend_timer.isActive())
    return page


def test_the_chart_draws_the_timeline_of_the_change_log(window, history, qtbot):
    assert window.open_ledger(history[0])
    page = overview(window, qtbot)
    insp = window.current_inspection_id()
    want = asof.timeline(insp)
    assert [tuple(p) for p in page.trend.points] == [tuple(p) for p in want]
    assert [p.day for p in want][:4] == [START, *DONE_ON] and want[-1].day == TODAY
    assert page.trend.chart.isVisible() and not page.trend.quiet.isVisible()
    last = page.trend.points[-1]
    assert page.trend.chart.tooltip_text(last) == (
        f"截至{TODAY.year}年{TODAY.month}月{TODAY.day}日：已完成{last.done}项，正在推进{last.in_progress}项，"
        f"已逾期{last.overdue}项"
    )
    # The line climbs by one item on each day one was completed.
    done = [p.done for p in page.trend.points[:4]]
    assert done == [done[0], done[0] + 1, done[0] + 2, done[0] + 3]


def test_a_change_today_moves_the_last_point(window, history, qtbot):
    assert window.open_ledger(history[0])
    page = overview(window, qtbot)
    before = page.trend.points[-1]
    iid = next(
        it.id
        for it in Item.select().where(Item.status == IN_PROGRESS).order_by(Item.id)
        if ops.writeoff_state(it.id) == ""
    )
    assert window.bridge.push(ops.set_fields(Item, iid, {"status": DONE}, today=dt.date.today()))
    qtbot.waitUntil(lambda: page.trend.points[-1].done == before.done + 1)
    assert page.trend.points[-1].in_progress == before.in_progress - 1
    assert page.trend.points[:-1] == asof.timeline(window.current_inspection_id())[:-1]

    # Hidden, the page leaves the trend alone until it is shown again.
    window.show_page("ledger")
    qtbot.waitUntil(lambda: not page.isVisible())
    window.undo_stack.undo()
    qtbot.wait(600)
    assert page._trend_stale and page.trend.points[-1].done == before.done + 1
    page = overview(window, qtbot)
    assert tuple(page.trend.points[-1]) == tuple(before)


def test_a_log_of_one_day_gives_a_quiet_line(window, tmp_path, qtbot):
    from rectify_desktop.core.demo import make_demo

    assert window.open_ledger(make_demo(tmp_path / "示例台账.db", history=False))
    page = overview(window, qtbot)
    assert len(page.trend.points) == 1
    assert not page.trend.chart.isVisible()
    assert page.trend.quiet.isVisible() and page.trend.quiet.text() == FEW_POINTS
