"""Benchmark: a 10,000-item ledger, from process start to the main window showing it; expand all; select.

    python tests/perf/bench_startup.py [N_ITEMS] [RUNS]

Target (issue 2): the window shows a 10,000-item ledger within 1 s of process start on a 2-core machine.
Runs offscreen unless a display is set. Prints the median and the worst of RUNS runs.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from tests.perf.generate import make_large_ledger  # noqa: E402


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    env = dict(os.environ)
    if not env.get("DISPLAY"):
        env["QT_QPA_PLATFORM"] = "offscreen"
    env["PYTHONPATH"] = str(HERE.parents[1]) + os.pathsep + env.get("PYTHONPATH", "")
    with tempfile.TemporaryDirectory() as tmp:
        path = make_large_ledger(Path(tmp) / "big.db", n)
        rows = []
        for _ in range(runs):
            t0 = time.time()
            out = subprocess.run(
                [sys.executable, str(HERE / "startup_driver.py"), str(path)],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            r = json.loads(out.stdout.strip().splitlines()[-1])
            r["start_to_shown_s"] = r.pop("shown_wall") - t0
            rows.append(r)
    print(f"ledger: {rows[0]['items']} items, {runs} runs, platform {env.get('QT_QPA_PLATFORM', 'display')}")
    for key in ("start_to_shown_s", "switch_to_tree_s", "expand_all_s", "select_item_s"):
        vals = [r[key] for r in rows]
        print(f"{key:18s} median {statistics.median(vals) * 1000:7.0f} ms   worst {max(vals) * 1000:7.0f} ms")


if __name__ == "__main__":
    main()
