"""Benchmark: the figures 截至 a date (core.asof.figures_as_of) on a ledger with 100,000 change-log rows, and the
progress report made from them.

    python tests/perf/bench_asof.py [N_LOG_ROWS] [N_ITEMS]

Target (issue 15): ≤ 1 s for the figures as of a date. Also timed: asof.timeline, the figures of every day for the
总览's chart in one pass (no target in the issue; the chart asks for it when the page is shown).
The ledger is tests/perf/generate's (10,000 items); the
log rows are written in bulk as the one door writes them (修改 of 完成情况, 完成日期, 整改进展 and 责任部门, some
undone, a few items added and deleted), spread over the 150 days since the feedback, each field's chain of
values ending at the value the item holds now. Dates asked: near the start (almost every row to take back),
the middle, yesterday and today.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from tests.perf.generate import DEPARTMENTS, make_large_ledger  # noqa: E402

STATUSES = ["未启动", "正在推进", "已完成", "长期坚持"]


def fill_log(n_rows: int, days: int, seed: int = 7) -> int:
    """Writes about `n_rows` change-log rows over the last `days` days; returns how many."""
    from rectify_desktop.core.models import Item, db

    rnd = random.Random(seed)
    start = dt.datetime.combine(dt.date.today() - dt.timedelta(days=days), dt.time(8, 0))
    items = list(Item.select(Item.id, Item.status, Item.department).tuples())
    events: list[tuple] = [(start, "新增", "巡察", 1, "", None, "性能测试台账", "新增巡察", None)]
    per_item = max(1, n_rows // len(items))
    for iid, status, dept in items:
        times = sorted(start + dt.timedelta(seconds=rnd.randrange(60, days * 86400)) for _ in range(per_item))
        k = len(times)
        # Chains of values ending at today's: status takes a third of the rows, progress the most.
        n_status, n_dept = max(1, k // 3), max(1, k // 10)
        n_progress = k - n_status - n_dept
        chain = [rnd.choice(STATUSES) for _ in range(n_status - 1)] + [status]
        old = "未启动"
        slots = iter(times)
        for value in chain:
            at = next(slots)
            events.append((at, "修改", "细化问题", iid, "完成情况", old, value, "修改细化问题完成情况", iid))
            old = value
        depts = [rnd.choice(DEPARTMENTS) for _ in range(n_dept - 1)] + [dept]
        old = ""
        for value in depts:
            events.append((next(slots), "修改", "细化问题", iid, "责任部门", old, value, "修改细化问题责任部门", iid))
            old = value
        old = ""
        for n in range(n_progress):
            value = f"第{n + 1}次进展：已召开专题会议，制定整改方案"
            at = next(slots)
            events.append((at, "修改", "细化问题", iid, "整改进展", old, value, "修改细化问题整改进展", iid))
            if n % 7 == 3:  # an edit undone a minute later: two rows that cancel out
                events.append((at, "撤销修改", "细化问题", iid, "整改进展", value, old, "撤销：修改", iid))
            else:
                old = value
    events.sort(key=lambda e: e[0])
    rows = [
        (at.strftime("%Y-%m-%d %H:%M:%S"), "基准测试", n + 1, action, entity, eid, field, old, new, summary, item)
        for n, (at, action, entity, eid, field, old, new, summary, item) in enumerate(events)
    ]
    with db.atomic():
        db.connection().executemany(
            "INSERT INTO change_log (at, user, batch, action, entity, entity_id, field, old, new, summary, item_id)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            rows,
        )
    return len(rows)


def main() -> None:
    n_rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    n_items = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
    from rectify_desktop.core import asof, stats
    from rectify_desktop.core.ledger import Ledger
    from rectify_desktop.core.models import ChangeLog
    from rectify_desktop.io import report

    with tempfile.TemporaryDirectory() as tmp:
        path = make_large_ledger(Path(tmp) / "big.db", n_items)
        with Ledger.open(path) as ledger:
            ChangeLog.delete().execute()
            t = time.perf_counter()
            written = fill_log(n_rows, 150)
            print(f"{written} change-log rows written in {time.perf_counter() - t:.1f} s; {n_items} items")
        with Ledger.open(path) as ledger:
            today = dt.date.today()
            worst = 0.0
            for label, day in (
                ("149 days ago (nearly every row taken back)", today - dt.timedelta(days=149)),
                ("75 days ago", today - dt.timedelta(days=75)),
                ("yesterday", today - dt.timedelta(days=1)),
                ("today", today),
            ):
                times = []
                for _ in range(3):
                    t = time.perf_counter()
                    got = asof.figures_as_of(1, day)
                    times.append(time.perf_counter() - t)
                worst = max(worst, min(times))
                s = got.stats
                print(
                    f"figures as of {label}: best {min(times) * 1000:.0f} ms, worst {max(times) * 1000:.0f} ms"
                    f" — {s.items} items, done {s.done}, overdue {s.overdue}, unknown {len(got.unknown)}"
                )
            assert asof.figures_as_of(1, today).stats.to_json() == stats.compute(1, today).to_json()
            print(f"target ≤ 1000 ms: {'met' if worst <= 1.0 else 'NOT met'} (slowest date {worst * 1000:.0f} ms)")
            # The 总览's chart: every day's figures in one pass, checked against figures_as_of on three days.
            times = []
            for _ in range(3):
                t = time.perf_counter()
                points = asof.timeline(1, today)
                times.append(time.perf_counter() - t)
            print(f"timeline ({len(points)} days): best {min(times) * 1000:.0f} ms, worst {max(times) * 1000:.0f} ms")
            for p in (points[0], points[len(points) // 2], points[-1]):
                s = asof.figures_as_of(1, p.day, today).stats
                assert (p.done, p.in_progress, p.overdue) == (s.done, s.status["正在推进"], s.overdue), p.day
            for name in ("进展报告.docx", "进展报告.xlsx"):
                t = time.perf_counter()
                report.make_report(ledger, 1, today - dt.timedelta(days=30), Path(tmp) / name, remember=False)
                print(f"report {name} as of 30 days ago: {time.perf_counter() - t:.1f} s")


if __name__ == "__main__":
    main()
