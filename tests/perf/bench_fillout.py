"""Benchmark: the fill-out round (issue 15).

    python tests/perf/bench_fillout.py [RUNS]

- 下发: fill-out of 1,000 items in 30 departments (30 workbooks written, the round recorded); target ≤ 5 s.
- 回收: merging 50 returned workbooks of 40 items each, every row answered (progress, status, a measure
  ticked): read_returns + apply_plan + the one Ledger.apply; target ≤ 5 s.

The ledgers are tests/perf/generate.make_large_ledger with their departments reassigned. Prints each stage's
median and worst of RUNS runs in wall-clock seconds, and the median CPU seconds of this process.
"""

from __future__ import annotations

import datetime as dt
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

import openpyxl  # noqa: E402

from rectify_desktop.core.fillout import apply_plan  # noqa: E402
from rectify_desktop.core.ledger import Ledger  # noqa: E402
from rectify_desktop.core.models import db  # noqa: E402
from rectify_desktop.io.fillout_export import KEY_HEADER, MAIN_SHEET, export_round  # noqa: E402
from rectify_desktop.io.fillout_merge import read_returns  # noqa: E402
from tests.perf.generate import make_large_ledger  # noqa: E402

TARGET_S = 5.0
TODAY = dt.date(2026, 12, 1)


def _departments(path: Path, n_groups: int, per_group: int | None = None) -> None:
    """Gives the items `n_groups` departments: round robin, or `per_group` consecutive items each."""
    with Ledger.open(path) as _:
        ids = [r[0] for r in db.execute_sql("SELECT id FROM item ORDER BY id").fetchall()]
        with db.atomic():
            for k, iid in enumerate(ids):
                g = (k // per_group) if per_group else (k % n_groups)
                db.execute_sql("UPDATE item SET department = ? WHERE id = ?", (f"第{g + 1:02d}科室", iid))


def _answer(path: Path) -> int:
    """Every row answered in the workbook's unlocked cells, as a department would; returns the rows."""
    wb = openpyxl.load_workbook(path)
    ws = wb[MAIN_SHEET]
    heads = {str(c.value).split("\n")[0]: c.column for c in ws[3] if c.value}
    n = 0
    for r in range(4, ws.max_row + 1):
        if not ws.cell(r, heads[KEY_HEADER]).value:
            continue
        ws.cell(r, heads["整改进展"]).value = f"第{r}行：本月完成了整改，已建立长效机制。"
        ws.cell(r, heads["完成情况"]).value = "已完成"
        ws.cell(r, heads["措施1"]).value = "已完成"
        n += 1
    wb.save(path)
    return n


def _report(name: str, wall: list[float], cpu: list[float]) -> float:
    med = statistics.median(wall)
    print(f"{name:32s} wall median {med:6.2f} s  worst {max(wall):6.2f} s   cpu median {statistics.median(cpu):6.2f} s")
    print(f"  target: under {TARGET_S:.0f} s -> {'within' if med <= TARGET_S else 'OVER'} ({med:.2f} s)")
    return med


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        # 下发: 1,000 items, 30 departments.
        src = make_large_ledger(folder / "out.db", 1_000)
        _departments(src, 30)
        wall, cpu = [], []
        for run in range(runs):
            p = shutil.copy(src, folder / f"out-{run}.db")
            with Ledger.open(p) as ledger:
                t0, c0 = time.perf_counter(), time.process_time()
                books = export_round(ledger, folder / f"books-{run}", today=TODAY)
                wall.append(time.perf_counter() - t0)
                cpu.append(time.process_time() - c0)
        print(f"fill-out: 1,000 items, {len(books)} workbooks, {runs} runs")
        _report("fill-out (export_round)", wall, cpu)
        # 回收: 50 workbooks of 40 items.
        src = make_large_ledger(folder / "back.db", 2_000)
        _departments(src, 50, per_group=40)
        with Ledger.open(src) as ledger:
            books = export_round(ledger, folder / "returned", today=TODAY)
        rows = sum(_answer(b) for b in books)
        wall, cpu, read_w = [], [], []
        changes = 0
        for run in range(runs):
            p = shutil.copy(src, folder / f"back-{run}.db")
            with Ledger.open(p) as ledger:
                t0, c0 = time.perf_counter(), time.process_time()
                plan = read_returns(books)
                t1 = time.perf_counter()
                cmd = apply_plan(plan, plan.default_accepted())
                ledger.apply(cmd)
                wall.append(time.perf_counter() - t0)
                cpu.append(time.process_time() - c0)
                read_w.append(t1 - t0)
                changes = len(plan.default_accepted())
                assert not plan.refused and not plan.conflicts
        print(f"merge: {len(books)} workbooks, {rows} rows answered, {changes} field changes applied, {runs} runs")
        print(f"  of which read_returns: median {statistics.median(read_w):.2f} s")
        _report("merge (read + apply)", wall, cpu)


if __name__ == "__main__":
    main()
