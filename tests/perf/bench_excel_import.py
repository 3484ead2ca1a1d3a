"""Benchmark: import of a 10,000-item Excel ledger (parse_workbook + AddInspection into a new ledger).

    python tests/perf/bench_excel_import.py [N_ITEMS] [RUNS]

The workbook is the program's own export of tests/perf/generate.make_large_ledger. Target (issue 3): the
import of the 10,000-item file under 5 s. Prints each stage's median and worst of RUNS runs in wall-clock
seconds, and the median in CPU seconds of this process: the work is single-threaded, so on a busy machine
the CPU figure is what the wall clock would read on an idle one.
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from rectify_desktop.core.importing import AddInspection  # noqa: E402
from rectify_desktop.core.ledger import Ledger  # noqa: E402
from rectify_desktop.io.xlsx_export import export_workbook  # noqa: E402
from rectify_desktop.io.xlsx_import import parse_workbook  # noqa: E402
from tests.perf.generate import make_large_ledger  # noqa: E402

TARGET_S = 5.0
STAGES = ("parse_workbook", "AddInspection", "import total")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    wall: dict[str, list[float]] = {k: [] for k in STAGES}
    cpu: dict[str, list[float]] = {k: [] for k in STAGES}
    items = 0
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source = make_large_ledger(folder / "big.db", n)
        xlsx = folder / "big.xlsx"
        with Ledger.open(source, readonly=True) as ledger:
            export_workbook(ledger.inspections()[0].id, xlsx, today=dt.date.today())
        size = xlsx.stat().st_size
        for run in range(runs):
            with Ledger.create(folder / f"import-{run}.db") as ledger:
                t0, c0 = time.perf_counter(), time.process_time()
                parsed = parse_workbook(xlsx)
                t1, c1 = time.perf_counter(), time.process_time()
                ledger.apply(AddInspection(parsed))
                t2, c2 = time.perf_counter(), time.process_time()
            items = len(parsed.items())
            for key, (a, b, ca, cb) in zip(STAGES, ((t0, t1, c0, c1), (t1, t2, c1, c2), (t0, t2, c0, c2)), strict=True):
                wall[key].append(b - a)
                cpu[key].append(cb - ca)
    print(f"workbook: the export of {items} items ({size / 1024:.0f} KB), {runs} runs")
    for key in STAGES:
        w, c = wall[key], cpu[key]
        print(
            f"{key:15s} wall median {statistics.median(w):6.2f} s  worst {max(w):6.2f} s"
            f"   cpu median {statistics.median(c):6.2f} s"
        )
    total = statistics.median(wall["import total"])
    print(f"target: import under {TARGET_S:.0f} s -> {'within' if total < TARGET_S else 'OVER'} ({total:.2f} s)")


if __name__ == "__main__":
    main()
