"""截至: the figures and items as they stood at the end of a date, rebuilt from the change log (core.asof).

The ledger is built through the one door with the log's clock set to three dates; the figures core.stats gave
at the end of each day are kept, and the figures rebuilt later for each date must be the same.
"""

from __future__ import annotations

import datetime as dt
import json
import types

import pytest

from rectify_desktop.core import asof, ops, previous, stats
from rectify_desktop.core import ledger as ledger_module
from rectify_desktop.core.commands import Insert
from rectify_desktop.core.models import (
    DONE,
    IN_PROGRESS,
    NOT_STARTED,
    WO_APPLY,
    WO_APPROVE,
    ChangeLog,
    FillOutReturn,
    FillOutRound,
    Finding,
    Inspection,
    Item,
    ProgressReport,
)

DAY1 = dt.date(2026, 11, 1)
DAY2 = dt.date(2026, 11, 10)
DAY3 = dt.date(2026, 11, 25)


def set_clock(monkeypatch: pytest.MonkeyPatch, when: dt.datetime) -> None:
    """The change log's clock (Ledger._write_log reads dt.datetime.now) set to `when`."""

    class _Fixed(dt.datetime):
        @classmethod
        def now(cls, tz=None):  # noqa: ANN001, ANN206 - datetime's signature
            return when

    monkeypatch.setattr(
        ledger_module, "dt", types.SimpleNamespace(datetime=_Fixed, date=dt.date, timedelta=dt.timedelta)
    )


def item_id(title: str) -> int:
    return Item.get(Item.title == title).id


def add_item(ledger, finding_id: int, title: str, **values) -> int:  # noqa: ANN001
    ledger.apply(ops.add_item(finding_id, title, **values))
    return item_id(title)


def edit(ledger, title: str, day: dt.date, **values) -> object:  # noqa: ANN001
    cmd = ops.set_fields(Item, item_id(title), values, today=day)
    ledger.apply(cmd)
    return cmd


@pytest.fixture
def three_days(ledger, monkeypatch):
    """A ledger edited on three dates; returns (ledger, inspection id, {day: core.stats figures at its end})."""
    held: dict[dt.date, dict] = {}

    set_clock(monkeypatch, dt.datetime(2026, 11, 1, 9, 0))
    ledger.apply(ops.add_inspection("测试台账", feedback_date=dt.date(2026, 10, 1), inspected_unit="测试局"))
    insp = Inspection.get().id
    ledger.apply(ops.add_category(insp, "方面一"))
    cat = Inspection.get().categories.get().id
    ledger.apply(ops.add_finding(cat, "问题一"))
    f1 = Finding.get().id
    add_item(ledger, f1, "A", department="财务股", deadline_date=dt.date(2026, 11, 15), status=IN_PROGRESS)
    add_item(ledger, f1, "B", department="办公室")
    edit(ledger, "B", DAY1, deadline_text="2026-11-20", status=IN_PROGRESS)
    add_item(ledger, f1, "C", department="财务股、办公室", deadline_date=dt.date(2026, 12, 31))
    add_item(ledger, f1, "D", department="人事股", deadline_text="立行立改", status=IN_PROGRESS)
    # F's values all go through the log, so that they are known after it is deleted.
    add_item(ledger, f1, "F")
    edit(ledger, "F", DAY1, department="人事股", deadline_text="2026-11-05", status=IN_PROGRESS)
    held[DAY1] = stats.compute(insp, DAY1).to_json()

    set_clock(monkeypatch, dt.datetime(2026, 11, 10, 15, 30))
    edit(ledger, "A", DAY2, status=DONE)
    undone = edit(ledger, "D", DAY2, status=DONE)
    ledger.revert(undone)  # done and undone the same day: it never held at the end of DAY2
    later_undone = edit(ledger, "C", DAY2, status=IN_PROGRESS)
    add_item(ledger, f1, "E", department="财务股", deadline_date=dt.date(2026, 11, 30))
    ledger.apply(ops.add_measure(item_id("A"), "一是建立制度"))
    held[DAY2] = stats.compute(insp, DAY2).to_json()

    set_clock(monkeypatch, dt.datetime(2026, 11, 25, 11, 0))
    ledger.revert(later_undone)  # held at the end of DAY2, not at the end of DAY3
    edit(ledger, "B", DAY3, status=DONE)
    ledger.apply(ops.write_off(item_id("A"), WO_APPLY, "张三", DAY3))
    ledger.apply(ops.write_off(item_id("A"), WO_APPROVE, "李四", DAY3))
    ledger.apply(ops.delete(Item, item_id("F")))
    ledger.apply(ops.add_finding(cat, "问题二"))
    held[DAY3] = stats.compute(insp, DAY3).to_json()

    monkeypatch.undo()
    return ledger, insp, held


def test_each_date_gives_the_figures_that_held_at_its_end(three_days):
    _, insp, held = three_days
    for day in (DAY1, DAY2, DAY3):
        got = asof.figures_as_of(insp, day)
        assert got.stats.to_json() == held[day], day
        assert got.unknown == []
    # The figures a reader checks, spelled out (the same as core.stats gave on the day).
    d1, d2, d3 = (asof.figures_as_of(insp, d).stats for d in (DAY1, DAY2, DAY3))
    assert (d1.items, d1.done, d1.status[IN_PROGRESS], d1.status[NOT_STARTED], d1.overdue) == (5, 0, 4, 1, 1)
    assert (d2.items, d2.done, d2.status[IN_PROGRESS], d2.status[NOT_STARTED], d2.overdue) == (6, 1, 4, 1, 2)
    assert d2.completion_whole == 17 and d2.measures == 1 and d2.findings == 1
    assert (d3.items, d3.done, d3.status[IN_PROGRESS], d3.status[NOT_STARTED], d3.overdue) == (5, 2, 1, 2, 1)
    assert (d3.written_off, d3.completion_whole, d3.findings) == (1, 40, 2)


def test_as_of_today_equals_the_figures_now(three_days):
    _, insp, _ = three_days
    today = dt.date.today()
    got = asof.figures_as_of(insp, today)
    assert got.stats.to_json() == stats.compute(insp, today).to_json()
    assert sorted(r.title for r in got.items) == ["A", "B", "C", "D", "E"]


def test_item_inserted_later_is_left_out_and_deleted_item_comes_back(three_days):
    _, insp, _ = three_days
    titles = {d: {r.title: r for r in asof.figures_as_of(insp, d).items} for d in (DAY1, DAY2, DAY3)}
    assert "E" not in titles[DAY1] and "E" in titles[DAY2]
    f = titles[DAY2]["F"]
    assert (f.status, f.department, f.deadline_date, f.overdue, f.exists_now) == (
        IN_PROGRESS,
        "人事股",
        dt.date(2026, 11, 5),
        True,
        False,
    )
    assert "F" not in titles[DAY3]
    # The undone changes: D was never done at the end of DAY2; C was in progress then, and not on DAY3.
    assert titles[DAY2]["D"].status == IN_PROGRESS
    assert (titles[DAY2]["C"].status, titles[DAY3]["C"].status) == (IN_PROGRESS, NOT_STARTED)
    assert titles[DAY2]["A"].completed_date == DAY2 and titles[DAY1]["A"].completed_date is None


def test_write_off_counts_from_its_date(three_days):
    _, insp, _ = three_days
    assert asof.figures_as_of(insp, DAY2).stats.written_off == 0
    got = asof.figures_as_of(insp, DAY3)
    assert [r.title for r in got.items if r.written_off] == ["A"]


def test_deleted_item_whose_status_the_log_never_saw_is_named_not_guessed(ledger, monkeypatch):
    set_clock(monkeypatch, dt.datetime(2026, 11, 1, 9, 0))
    ledger.apply(ops.add_inspection("测试台账"))
    insp = Inspection.get().id
    ledger.apply(ops.add_category(insp, "方面"))
    ledger.apply(ops.add_finding(Inspection.get().categories.get().id, "问题"))
    f1 = Finding.get().id
    add_item(ledger, f1, "留下的", status=DONE)
    add_item(ledger, f1, "无记录的", status=DONE)
    set_clock(monkeypatch, dt.datetime(2026, 11, 20, 9, 0))
    ledger.apply(ops.delete(Item, item_id("无记录的")))
    monkeypatch.undo()
    got = asof.figures_as_of(insp, DAY2)
    assert [r.title for r in got.items] == ["留下的"]
    assert got.stats.items == 1
    assert len(got.unknown) == 1 and "无记录的" in got.unknown[0] and "完成情况" in got.unknown[0]


def test_bad_dates_are_refused_in_words(three_days):
    _, insp, _ = three_days
    today = dt.date.today()
    with pytest.raises(asof.AsOfError, match="晚于今天"):
        asof.figures_as_of(insp, today + dt.timedelta(days=1))
    with pytest.raises(asof.AsOfError, match="早于.*录入台账"):
        asof.figures_as_of(insp, DAY1 - dt.timedelta(days=1))
    with pytest.raises(asof.AsOfError, match="没有编号为 99"):
        asof.figures_as_of(99, DAY2)
    assert asof.parse_day("2026年11月10日", today) == DAY2
    assert asof.parse_day("2026-11-10", today) == DAY2
    with pytest.raises(asof.AsOfError, match="看不懂"):
        asof.parse_day("十一月", today)


def test_a_ledger_without_a_log_answers_only_for_today(demo_ledger):
    insp = Inspection.get().id
    ChangeLog.delete().execute()
    assert asof.figures_as_of(insp, dt.date.today()).stats.items == stats.compute(insp).items
    with pytest.raises(asof.AsOfError, match="没有修改记录"):
        asof.figures_as_of(insp, dt.date.today() - dt.timedelta(days=1))


def test_comparison_with_the_previous_report_and_the_silent_departments(three_days):
    ledger, insp, _ = three_days
    first = asof.figures_as_of(insp, DAY1)
    assert previous.previous_report(insp, DAY1) is None
    c0 = previous.compare(first, None)
    assert c0.previous is None and "首次" in c0.sentence()
    previous.remember(ledger, first, "进展-1.docx")
    ledger.apply(
        Insert(
            FillOutRound,
            {
                "inspection": insp,
                "sent_at": dt.datetime(2026, 11, 20, 9, 0),
                "groups": json.dumps(["财务股", "办公室", "人事股"], ensure_ascii=False),
            },
        )
    )
    rnd = FillOutRound.get().id
    ledger.apply(Insert(FillOutReturn, {"round": rnd, "group": "财务股", "merged_at": dt.datetime(2026, 11, 22, 9)}))
    ledger.apply(Insert(FillOutReturn, {"round": rnd, "group": "人事股", "merged_at": dt.datetime(2026, 11, 28, 9)}))
    third = asof.figures_as_of(insp, DAY3)
    prev = previous.previous_report(insp, DAY3)
    assert prev is not None and prev.as_of == DAY1 and prev.file_name == "进展-1.docx"
    c = previous.compare(third, prev)
    assert [r.title for r in c.newly_done] == ["A", "B"]
    assert [r.title for r in c.newly_written_off] == ["A"]
    assert [r.title for r in c.newly_overdue] == []  # D was overdue already
    # 人事股 answered after the report's date: not an answer by then.
    assert c.silent_groups == ["办公室", "人事股"]
    text = c.sentence()
    assert "较上期（截至2026年11月1日）新增完成2项" in text and "办公室、人事股" in text
    second = asof.figures_as_of(insp, DAY2)
    c2 = previous.compare(second, prev)
    assert [r.title for r in c2.newly_overdue] == ["F"]
    previous.remember(ledger, third, "进展-3.docx")
    assert ProgressReport.select().count() == 2
    assert json.loads(ProgressReport.get(ProgressReport.as_of == DAY3).figures)["stats"]["status"]["已完成"] == 2
    # The report made on DAY3 is not its own 上期; one made since on the same date neither.
    assert previous.previous_report(insp, DAY3).as_of == DAY1


def test_a_finding_deleted_since_is_named_with_what_the_log_cannot_bring_back(three_days, monkeypatch):
    ledger, insp, _ = three_days
    second = Finding.get(Finding.title == "问题二").id
    set_clock(monkeypatch, dt.datetime(2026, 11, 26, 9, 0))
    add_item(ledger, second, "G", department="办公室")
    set_clock(monkeypatch, dt.datetime(2026, 11, 28, 9, 0))
    ledger.apply(ops.delete(Finding, second))
    monkeypatch.undo()
    before = asof.figures_as_of(insp, dt.date(2026, 11, 27))
    # G was inserted through the log and deleted with its finding: its own rows say it was there, and its
    # status was never logged, so it is named rather than counted.
    assert before.stats.findings == 2
    assert any("问题“问题二”" in u and "2026年11月28日" in u for u in before.unknown)
    assert any("“G”" in u and "完成情况" in u for u in before.unknown)
    assert asof.figures_as_of(insp, DAY3).stats.findings == 2  # 问题二 existed at the end of DAY3 too


def test_a_remembered_report_is_undone_like_any_change(three_days):
    ledger, insp, _ = three_days
    cmd = previous.remember(ledger, asof.figures_as_of(insp, DAY2), "进展.xlsx")
    assert previous.previous_report(insp, DAY3).file_name == "进展.xlsx"
    assert ChangeLog.select().where(ChangeLog.entity == "进展报告").count() == 1
    ledger.revert(cmd)
    assert previous.previous_report(insp, DAY3) is None


def test_the_demo_as_of_today_equals_its_figures_now(demo_ledger):
    insp = Inspection.get().id
    got = asof.figures_as_of(insp, dt.date.today())
    assert got.stats.to_json() == stats.compute(insp).to_json()
    assert got.stats.written_off > 0 and got.stats.measures > 0 and got.unknown == []
    assert {g.name for g in got.by_department()} == {g.name for g in stats.breakdown(insp)[1]}


# --- 整改进度走势: the figures of each day, in one pass (asof.timeline, for the 总览's chart) ---------------------


def _agrees_with_figures_as_of(insp: int, points: list) -> None:
    for p in points:
        s = asof.figures_as_of(insp, p.day).stats
        assert (p.done, p.in_progress, p.overdue) == (s.done, s.status[IN_PROGRESS], s.overdue), p.day


def test_the_timeline_gives_each_changed_day_the_figures_that_held_at_its_end(three_days):
    _, insp, held = three_days
    points = asof.timeline(insp)
    assert [p.day for p in points] == [DAY1, DAY2, DAY3, dt.date.today()]
    for p in points[:3]:
        figures = held[p.day]
        assert (p.done, p.in_progress, p.overdue) == (
            figures["status"][DONE],
            figures["status"][IN_PROGRESS],
            figures["overdue"],
        ), p.day
    assert [(p.done, p.in_progress) for p in points[:3]] == [(0, 4), (1, 4), (2, 1)]
    _agrees_with_figures_as_of(insp, points)


def test_the_timeline_agrees_with_figures_as_of_when_a_finding_took_its_items_away(three_days, monkeypatch):
    ledger, insp, _ = three_days
    second = Finding.get(Finding.title == "问题二").id
    set_clock(monkeypatch, dt.datetime(2026, 11, 26, 9, 0))
    g = add_item(ledger, second, "G", department="办公室", deadline_date=dt.date(2026, 11, 27))
    edit(ledger, "G", dt.date(2026, 11, 26), status=IN_PROGRESS)
    set_clock(monkeypatch, dt.datetime(2026, 11, 27, 9, 0))
    ledger.apply(ops.add_item(second, "H", status=DONE))
    set_clock(monkeypatch, dt.datetime(2026, 11, 28, 9, 0))
    ledger.apply(ops.delete(Finding, second))
    edit(ledger, "C", dt.date(2026, 11, 28), status=DONE)
    monkeypatch.undo()
    points = asof.timeline(insp)
    assert [p.day for p in points][-4:] == [
        dt.date(2026, 11, 26),
        dt.date(2026, 11, 27),
        dt.date(2026, 11, 28),
        dt.date.today(),
    ]
    # G stood, in progress and overdue from 11-28 on, until its finding went with it.
    by_day = {p.day: p for p in points}
    assert by_day[dt.date(2026, 11, 26)].in_progress == by_day[DAY3].in_progress + 1
    assert g not in {r.id for r in Item.select()}
    _agrees_with_figures_as_of(insp, points)


def test_the_timeline_of_the_demo_ends_with_its_figures_now(demo_ledger):
    insp = Inspection.get().id
    points = asof.timeline(insp)
    now = stats.compute(insp)
    assert points[-1].day == dt.date.today()
    assert (points[-1].done, points[-1].in_progress, points[-1].overdue) == (
        now.done,
        now.status[IN_PROGRESS],
        now.overdue,
    )
    _agrees_with_figures_as_of(insp, points)


def test_the_timeline_agrees_in_a_ledger_of_two_inspections(three_days, monkeypatch):
    ledger, insp, _ = three_days
    set_clock(monkeypatch, dt.datetime(2026, 11, 26, 9, 0))
    ledger.apply(ops.add_inspection("第二次巡察", feedback_date=dt.date(2026, 11, 20), inspected_unit="测试局"))
    edit(ledger, "D", dt.date(2026, 11, 26), status=DONE)
    edit(ledger, "E", dt.date(2026, 11, 26), status=IN_PROGRESS)
    set_clock(monkeypatch, dt.datetime(2026, 11, 27, 9, 0))
    ledger.apply(ops.delete(Item, item_id("E")))
    monkeypatch.undo()
    points = asof.timeline(insp)
    assert [p.day for p in points][-3:] == [dt.date(2026, 11, 26), dt.date(2026, 11, 27), dt.date.today()]
    # With two inspections, an item deleted since cannot be told apart: figures_as_of leaves it out, and so here.
    _agrees_with_figures_as_of(insp, points)
    assert any("“E”" in u and "无法确定它属于哪一次" in u for u in asof.figures_as_of(insp, points[-3].day).unknown)
    other = Inspection.select().where(Inspection.id != insp).get().id
    assert [p.day for p in asof.timeline(other)] == [dt.date(2026, 11, 26), dt.date(2026, 11, 27), dt.date.today()]
    _agrees_with_figures_as_of(other, asof.timeline(other))
