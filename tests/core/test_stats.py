"""The figures people quote, on the demo ledger (stats.py)."""

from __future__ import annotations

import calendar
import datetime as dt
import json
from pathlib import Path

import pytest

from rectify_desktop.core import demo, demo_data, ops, stats
from rectify_desktop.core.ledger import Ledger
from rectify_desktop.core.models import DONE, IN_PROGRESS, NOT_STARTED, ONGOING, STATUSES, Inspection, Item, db

FIXED_TODAY = dt.date(2025, 11, 20)


def demo_items() -> list[dict]:
    return [it for cat in demo_data.CATEGORIES for f in cat["findings"] for it in f["items"]]  # type: ignore[union-attr]


def expected_deadline(spec: object, feedback: dt.date) -> dt.date | None:
    """The demo's deadlines worked out from its data alone, not through the program's rules."""
    if isinstance(spec, int):
        return feedback + dt.timedelta(days=spec)
    if isinstance(spec, (tuple, list)):
        total = feedback.month - 1 + int(spec[1])
        year, month = feedback.year + total // 12, total % 12 + 1
        return dt.date(year, month, calendar.monthrange(year, month)[1])
    if spec == "立行立改":
        return feedback + dt.timedelta(days=30)
    assert spec == "长期坚持", spec
    return None


def expected_overdue(feedback: dt.date, today: dt.date) -> int:
    n = 0
    for it in demo_items():
        d = expected_deadline(it["deadline"], feedback)
        if d is not None and d < today and it["status"] not in (DONE, ONGOING):
            n += 1
    return n


def test_demo_figures(demo_ledger: Ledger) -> None:
    s = stats.compute()
    assert (s.categories, s.findings, s.items) == (4, 13, 29)
    raw = dict(db.execute_sql("SELECT status, count(*) FROM item GROUP BY status").fetchall())
    assert s.status == {k: raw.get(k, 0) for k in STATUSES}
    assert set(s.status) == set(STATUSES)
    assert s.status == {DONE: 16, IN_PROGRESS: 7, NOT_STARTED: 3, ONGOING: 3}
    assert sum(s.status.values()) == s.items
    assert s.measures == db.execute_sql("SELECT count(*) FROM measure").fetchone()[0] > s.items
    assert s.completion_percent == round(s.done / s.items * 100, 1) == 55.2
    assert s.completion_whole == 55
    assert s.overdue > 0
    assert s.written_off > 0
    approved = sum(1 for it in demo_items() if it.get("writeoff") and it["writeoff"][-1][0] == "批准")
    pending = sum(1 for it in demo_items() if it.get("writeoff") and it["writeoff"][-1][0] == "申请")
    assert (s.written_off, s.writeoff_pending) == (approved, pending)
    feedback = Inspection.select().first().feedback_date
    assert feedback == dt.date.today() - dt.timedelta(days=demo.FEEDBACK_DAYS_AGO)
    assert s.overdue == expected_overdue(feedback, dt.date.today())
    assert s.due_7 <= s.due_30
    # The JSON form is the same figures.
    j = json.loads(json.dumps(s.to_json(), ensure_ascii=False))
    assert j["items"] == 29 and j["status"] == s.status and j["completion_percent"] == 55.2


def test_headline_and_status_line(demo_ledger: Ledger) -> None:
    s = stats.compute()
    assert (
        s.headline() == "巡察反馈的13个问题细化为29项，已整改完成16项，正在推进7项，长期坚持3项，未启动3项，完成率55%"
    )
    assert s.headline("审计").startswith("审计反馈的13个问题")
    line = s.status_line()
    assert line.startswith("13个问题 · 29项 · 已完成16 · 正在推进7 · 未启动3 · 长期坚持3 · 完成率55%")
    assert f"逾期{s.overdue}" in line
    assert line.endswith(f"已销号{s.written_off}")


def test_headline_leaves_out_empty_statuses(ledger: Ledger) -> None:
    insp = ledger.apply(ops.add_inspection())[0].id
    cat = ledger.apply(ops.add_category(insp))[0].id
    f = ledger.apply(ops.add_finding(cat))[0].id
    items = [ledger.apply(ops.add_item(f, f"细化问题{k}"))[0].id for k in range(29)]
    for i in items[:28]:
        ledger.apply(ops.set_fields(Item, i, {"status": DONE}))
    ledger.apply(ops.set_fields(Item, items[28], {"status": IN_PROGRESS}))
    s = stats.compute()
    assert s.headline() == "巡察反馈的1个问题细化为29项，已整改完成28项，正在推进1项，完成率97%"
    assert s.status_line() == "1个问题 · 29项 · 已完成28 · 正在推进1 · 完成率97%"
    assert (s.completion_percent, s.completion_whole) == (96.6, 97)


def test_empty_ledger(ledger: Ledger) -> None:
    s = stats.compute()
    assert (s.categories, s.findings, s.items, s.measures, s.overdue, s.written_off) == (0, 0, 0, 0, 0, 0)
    assert s.status == {k: 0 for k in STATUSES}
    assert (s.completion_percent, s.completion_whole) == (0.0, 0)
    assert s.headline() == "巡察反馈的0个问题细化为0项，已整改完成0项，完成率0%"


@pytest.fixture
def fixed_demo(tmp_path: Path):
    p = demo.make_demo(tmp_path / "固定日期示例.db", today=FIXED_TODAY)
    led = Ledger.open(p)
    yield led
    led.close()


def test_fixed_today_is_deterministic(fixed_demo: Ledger) -> None:
    feedback = FIXED_TODAY - dt.timedelta(days=demo.FEEDBACK_DAYS_AGO)
    assert Inspection.select().first().feedback_date == feedback
    s = stats.compute(today=FIXED_TODAY)
    assert s.overdue == expected_overdue(feedback, FIXED_TODAY) > 0
    assert stats.compute(today=FIXED_TODAY) == s
    # Before the feedback nothing is overdue; long after, every item not done and with a deadline is.
    assert stats.compute(today=feedback).overdue == 0
    late = dt.date(2100, 1, 1)
    with_deadline = sum(
        1
        for it in demo_items()
        if it["status"] in (NOT_STARTED, IN_PROGRESS) and expected_deadline(it["deadline"], feedback) is not None
    )
    assert stats.compute(today=late).overdue == with_deadline == expected_overdue(feedback, late)
    assert stats.compute(today=late).due_30 == 0
    for days in (0, 30, 60, 100, 150, 200, 400):
        day = feedback + dt.timedelta(days=days)
        assert stats.compute(today=day).overdue == expected_overdue(feedback, day), day


def test_stats_of_one_inspection(demo_ledger: Ledger) -> None:
    demo_id = Inspection.select().first().id
    whole = stats.compute(today=FIXED_TODAY)
    insp = demo_ledger.apply(ops.add_inspection("第二轮巡察", feedback_date=dt.date(2025, 1, 1)))[0].id
    cat = demo_ledger.apply(ops.add_category(insp, "方面"))[0].id
    f = demo_ledger.apply(ops.add_finding(cat, "问题"))[0].id
    a = demo_ledger.apply(ops.add_item(f, "细化问题一", deadline_text="6月底前"))[0].id
    demo_ledger.apply(ops.add_item(f, "细化问题二"))
    demo_ledger.apply(ops.add_measure(a, "措施"))
    demo_ledger.apply(ops.set_fields(Item, a, {"status": IN_PROGRESS}))
    assert Item.get_by_id(a).deadline_text == "6月底前"

    only_demo = stats.compute(demo_id, today=FIXED_TODAY)
    assert only_demo == whole
    second = stats.compute(insp, today=FIXED_TODAY)
    assert (second.categories, second.findings, second.items, second.measures) == (1, 1, 2, 1)
    assert second.status == {NOT_STARTED: 1, IN_PROGRESS: 1, DONE: 0, ONGOING: 0}
    # 6月底前 takes the year of the inspection's feedback date: 2025-06-30 < FIXED_TODAY.
    assert second.overdue == 1
    assert stats.compute(insp, today=dt.date(2025, 6, 30)).overdue == 0
    assert (second.written_off, second.completion_percent) == (0, 0.0)
    both = stats.compute(today=FIXED_TODAY)
    assert both.items == whole.items + 2
    assert both.findings == whole.findings + 1
    assert both.overdue == whole.overdue + 1
    assert stats.compute(999).items == 0


def test_immediate_counts_from_feedback_date(ledger: Ledger) -> None:
    feedback = dt.date(2025, 3, 1)
    insp = ledger.apply(ops.add_inspection("巡察", feedback_date=feedback))[0].id
    cat = ledger.apply(ops.add_category(insp))[0].id
    f = ledger.apply(ops.add_finding(cat))[0].id
    ledger.apply(ops.add_item(f, "立行立改的", deadline_text="立行立改", status=IN_PROGRESS))
    ledger.apply(ops.add_item(f, "长期坚持的", deadline_text="长期坚持", status=ONGOING))
    ledger.apply(ops.add_item(f, "未定时限的", status=NOT_STARTED))
    day = feedback + dt.timedelta(days=20)
    assert stats.compute(today=day, immediate_days=10).overdue == 1
    assert stats.compute(today=day, immediate_days=30).overdue == 0
    assert stats.compute(today=day, immediate_days=30).due_30 == 1
    assert stats.compute(today=day, immediate_days=25).due_7 == 1
    assert stats.compute(today=dt.date(2100, 1, 1)).overdue == 1
