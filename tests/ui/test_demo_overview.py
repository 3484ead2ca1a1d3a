"""The demo ledger as the window opens it on first start (文件 → 示例台账, core.demo with its history): the 总览
draws its 整改进度走势 rather than the quiet line, and the 修改记录 page lists the demo's months of changes, the
oldest its creation and none after today (issue 15, as issue 14 asked for its own parts)."""

from __future__ import annotations

import datetime as dt

from rectify_desktop.core import asof
from rectify_desktop.core.models import ChangeLog


def test_the_demo_opens_on_a_trend_and_a_history(window, qtbot):
    window.open_demo()
    page = window.show_page("overview")
    qtbot.waitUntil(lambda: page.isVisible() and not page._trend_stale and not page._trend_timer.isActive())
    points = page.trend.points
    assert [tuple(p) for p in points] == [tuple(p) for p in asof.timeline(window.current_inspection_id())]
    assert len(points) >= 5 and points[-1].day == dt.date.today()
    assert page.trend.chart.isVisible() and not page.trend.quiet.isVisible()
    assert points[0].done < points[-1].done

    log = window.show_page("history")
    qtbot.waitUntil(log.isVisible)
    rows = log.model.rows
    assert len(rows) == ChangeLog.select().count() > 100
    assert rows[-1].summary == "创建示例台账" and rows[0].at.date() < dt.date.today()
    assert len({r.at.date() for r in rows}) >= 20
