"""The demo ledger carries a history (issue 15 on first start): its items entered around the feedback date,
their statuses moving over the following weeks through the one door, and a progress report remembered about
a month ago, so that the 总览's 整改进度走势 has a line to draw and a report made today has its 上期.

Everything is read back from the demo file as the program reads it: asof.timeline, the change log, each
item's history (core.history.node_log), and a report written today with io.report and read with python-docx.
"""

from __future__ import annotations

import datetime as dt

import docx

from rectify_desktop.core import asof, history, previous, stats
from rectify_desktop.core.asof import ar_date
from rectify_desktop.core.demo import make_demo
from rectify_desktop.core.ledger import Ledger
from rectify_desktop.core.models import DONE, IN_PROGRESS, NOT_STARTED, ChangeLog, Inspection, Item, ProgressReport
from rectify_desktop.io import report


def test_the_timeline_climbs_over_weeks_to_the_figures_now(demo_ledger):
    insp = Inspection.get()
    points = asof.timeline(insp.id)
    now = stats.compute(insp.id)
    assert len(points) >= 5
    assert (points[-1].day - points[0].day).days >= 21
    assert points[0].day - insp.feedback_date <= dt.timedelta(days=7)
    # Entered as the plan was drawn up: nothing done, nothing started yet.
    assert (points[0].done, points[0].in_progress) == (0, 0)
    assert (points[-1].done, points[-1].in_progress, points[-1].overdue) == (
        now.done,
        now.status[IN_PROGRESS],
        now.overdue,
    )
    # Done climbs; a write-off sent back (退回) may take one item back for a while, never more.
    drops = [b.done - a.done for a, b in zip(points, points[1:], strict=False) if b.done < a.done]
    assert drops and all(d == -1 for d in drops) and len(drops) <= 2
    assert max(p.in_progress for p in points) > now.status[IN_PROGRESS]  # items went through 正在推进


def test_a_report_made_today_compares_with_the_one_remembered_a_month_ago(demo_ledger, tmp_path):
    insp = Inspection.get().id
    today = dt.date.today()
    before = previous.previous_report(insp, today)
    assert before is not None and ProgressReport.select().count() == 1
    assert 20 <= (today - before.as_of).days <= 40
    assert before.made_at.date() == before.as_of and before.file_name.endswith(f"（截至{ar_date(before.as_of)}）.docx")
    # The figures kept are exactly those asof gives for that date from the finished demo.
    then = asof.figures_as_of(insp, before.as_of)
    assert previous._figures_of(before) == then.figures_json()

    made = report.make_report(demo_ledger, insp, today, tmp_path / "进展.docx")
    n = made.current.stats.done - then.stats.done
    assert n > 0
    text = "\n".join(p.text for p in docx.Document(str(made.path)).paragraphs)
    assert f"较上期（截至{ar_date(before.as_of)}）新增完成{n}项" in text
    assert "本期为首次报告" not in text


def test_the_log_runs_forward_in_time_and_never_past_today(demo_ledger):
    insp = Inspection.get()
    times = [r.at for r in ChangeLog.select(ChangeLog.at).order_by(ChangeLog.id)]
    assert times == sorted(times)  # history reads the log by id, which grows with time
    assert times[-1] <= dt.datetime.now()
    assert times[0].date() >= insp.feedback_date
    assert len({t.date() for t in times}) >= 20
    assert len({r.user for r in ChangeLog.select(ChangeLog.user)}) == 1


def test_each_items_history_reads_from_its_entry_to_its_status_now(demo_ledger):
    items = list(Item.select().order_by(Item.id))
    assert len(items) == 29
    for item in items:
        rows = list(reversed(history.node_log("item", item.id)))
        first = rows[0]
        assert (first.action, first.entity, first.entity_id) == ("新增", "细化问题", item.id), item.title
        moves = [(r.old, r.new, r.at.date()) for r in rows if r.entity == "细化问题" and r.field == "完成情况"]
        if item.status == NOT_STARTED:
            assert moves == [], item.title
            continue
        assert moves[0][:2] == (NOT_STARTED, IN_PROGRESS) or moves[0][0] == NOT_STARTED, item.title
        assert moves[-1][1] == item.status, item.title
        if item.status == DONE:
            # The day it first turned 已完成 is its recorded completion date.
            first_done = next(day for _, new, day in moves if new == DONE)
            assert first_done == item.completed_date, item.title
            assert moves[0][1] == IN_PROGRESS and moves[0][2] < item.completed_date, item.title


def test_the_demo_can_still_be_made_without_a_history(tmp_path):
    path = make_demo(tmp_path / "无历史.db", history=False)
    with Ledger.open(path):
        days = {r.at.date() for r in ChangeLog.select(ChangeLog.at)}
        assert days == {dt.date.today()}
        assert ProgressReport.select().count() == 0
        assert len(asof.timeline(Inspection.get().id)) == 1
