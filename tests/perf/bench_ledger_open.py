"""Benchmark (issue 19): what the checks added at opening cost, and the writer lock under stress.

    python tests/perf/bench_ledger_open.py [N_ITEMS] [LOCK_PROCESSES] [LOCK_CYCLES]

Opening a ledger now compares its schema with the program's (foreign triggers, views, tables) and scans the
typed columns for values of the wrong type; a read-only open reads an idle file as immutable under a shared
lock. The figures: open + close, writable and read-only, with the time of each check alone; then N processes
each locking and unlocking the same ledger M times, counting overlaps (must be 0) and cycles per second.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

from rectify_desktop.core import integrity, storage  # noqa: E402
from rectify_desktop.core.ledger import Ledger  # noqa: E402
from rectify_desktop.core.models import db  # noqa: E402
from tests.faults.test_ledger_faults import LOCK_WORKER  # noqa: E402
from tests.perf.generate import make_large_ledger  # noqa: E402


def timed(fn, runs: int = 5) -> tuple[float, float]:  # noqa: ANN001
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000, max(times) * 1000


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    procs = int(sys.argv[2]) if len(sys.argv) > 2 else 4
    cycles = int(sys.argv[3]) if len(sys.argv) > 3 else 2000
    with tempfile.TemporaryDirectory() as tmp:
        path = make_large_ledger(Path(tmp) / "big.db", n)
        print(f"{n} items, {path.stat().st_size / 2**20:.1f} MiB")
        for ro in (False, True):
            med, worst = timed(lambda ro=ro: Ledger.open(path, readonly=ro).close())
            print(f"open + close {'read-only' if ro else 'writable '}: median {med:.0f} ms, worst {worst:.0f} ms")
        led = Ledger.open(path, readonly=True)
        med, worst = timed(integrity.value_problems)
        print(f"  of which the scan for values of the wrong type: median {med:.0f} ms, worst {worst:.0f} ms")
        med, worst = timed(lambda: storage.schema_problems(db))
        print(f"  of which the schema comparison: median {med:.1f} ms, worst {worst:.1f} ms")
        led.close()
        side = sorted(p.name for p in Path(tmp).iterdir() if p.name != "big.db")
        print(f"  files beside the ledger after the read-only opens: {side or 'none'}")

        target = Path(tmp) / "lock.db"
        target.write_bytes(b"")
        marker = Path(tmp) / "holder"
        t = time.perf_counter()
        workers = [
            subprocess.Popen(
                [sys.executable, "-c", LOCK_WORKER, str(target), str(marker), str(cycles)],
                stdout=subprocess.PIPE,
                text=True,
                env={"PYTHONPATH": str(ROOT)},
            )
            for _ in range(procs)
        ]
        results = [w.communicate()[0].split() for w in workers]
        elapsed = time.perf_counter() - t
        got = sum(int(r[0]) for r in results)
        overlaps = sum(int(r[1]) for r in results)
        print(
            f"lock: {procs} processes x {cycles} cycles in {elapsed:.1f} s: {got} times locked, "
            f"{overlaps} overlaps ({procs * cycles / elapsed:.0f} tries/s)"
        )


if __name__ == "__main__":
    main()
