"""Benchmark: the office's 汇总 of many units' ledgers (issue 17).

    nice -n 10 python tests/perf/bench_summary.py [N ...]      (default: 50 500 2000)

Each ledger has 60 items (tests/perf/generate.make_large_ledger: 12 findings, 120 measures), a few 整改成效
entries, its own unit name, ledger id and statuses; they are made once by copying one generated ledger and
changing those with sqlite3, and cached under /tmp/rectify-bench-summary/ (2,000 files).

For each N, a child process (so that each peak memory is its own) times:
- collect: core.summary.collect over the N files (the 汇总 page's figures); target at 500 ≤ 10 s;
- workbook: collect and write the 汇总表 workbook (io.summary_xlsx); target at 500 ≤ 15 s;
- docx: the report from the same Summary (for information);
and reports the peak resident memory (getrusage ru_maxrss); target ≤ 500 MB.
"""

from __future__ import annotations

import json
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

CACHE = Path(tempfile.gettempdir()) / "rectify-bench-summary"
POOL = 2000
ITEMS = 60
TARGETS = {"collect": 10.0, "workbook": 15.0}
MEMORY_MB = 500
STATUSES = ("未启动", "正在推进", "已完成", "长期坚持")


def _template(path: Path) -> Path:
    from rectify_desktop.core.ledger import Ledger
    from rectify_desktop.core.models import Accountability, Inspection, Meeting, MoneyEntry, db
    from tests.perf.generate import make_large_ledger

    make_large_ledger(path, n_items=ITEMS)
    with Ledger.open(path):
        insp = Inspection.get()
        with db.atomic():
            Accountability.create(inspection=insp, kind="批评教育", people=2)
            MoneyEntry.create(inspection=insp, kind="追回", amount=12000)
            Meeting.create(inspection=insp, kind="民主生活会", topic="专题民主生活会")
    return path


def ledgers(n: int) -> list[Path]:
    """The first n of the cached ledgers, made when missing."""
    files = [CACHE / f"单位{i:04d}.db" for i in range(POOL)]
    if not all(f.exists() for f in files):
        shutil.rmtree(CACHE, ignore_errors=True)
        CACHE.mkdir(parents=True)
        tmpl = _template(CACHE / "template.tmp")
        rnd = random.Random(17)
        for i, f in enumerate(files):
            shutil.copyfile(tmpl, f)
            con = sqlite3.connect(f)
            with con:
                con.execute("UPDATE inspection SET inspected_unit = ?", (f"第{i + 1:04d}单位",))
                con.execute("INSERT OR REPLACE INTO setting (key, value) VALUES ('ledger_id', ?)", (f"bench-{i}",))
                ids = [r[0] for r in con.execute("SELECT id FROM item")]
                con.executemany("UPDATE item SET status = ? WHERE id = ?", [(rnd.choice(STATUSES), k) for k in ids])
            con.close()
        tmpl.unlink()
    return files[:n]


def child(n: int) -> dict[str, float]:
    from rectify_desktop.core import summary
    from rectify_desktop.io.summary_docx import write_docx
    from rectify_desktop.io.summary_xlsx import write_workbook

    files = ledgers(n)
    out = Path(tempfile.mkdtemp(prefix="bench-summary-"))
    try:
        t0 = time.perf_counter()
        s = summary.collect(files)
        t1 = time.perf_counter()
        write_workbook(s, out / "汇总表.xlsx")
        t2 = time.perf_counter()
        write_docx(s, out / "进展报告.docx")
        t3 = time.perf_counter()
        assert len(s.rows) == n and not s.not_summed, s.not_summed[:3]
        assert s.totals.items == n * ITEMS
    finally:
        shutil.rmtree(out, ignore_errors=True)
    return {
        "n": n,
        "collect": t1 - t0,
        "workbook": t2 - t0,
        "workbook_only": t2 - t1,
        "docx_only": t3 - t2,
        "overdue_rows": len(s.overdue_items()),
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main(argv: list[str]) -> int:
    if argv[:1] == ["--child"]:
        print(json.dumps(child(int(argv[1]))))
        return 0
    sizes = [int(a) for a in argv] or [50, 500, 2000]
    ledgers(max(sizes))  # made once, outside the timings
    failed = False
    results = []
    for n in sizes:
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(n)], capture_output=True, text=True, check=True
        ).stdout
        r = json.loads(out.strip().splitlines()[-1])
        results.append(r)
        print(
            f"{n:5d} 个台账：汇总 {r['collect']:.2f} s，汇总表 {r['workbook']:.2f} s"
            f"（其中写表 {r['workbook_only']:.2f} s，逾期事项 {r['overdue_rows']} 行），"
            f"报告 {r['docx_only']:.2f} s，内存峰值 {r['peak_mb']:.0f} MB"
        )
        if n == 500:
            for k, limit in TARGETS.items():
                if r[k] > limit:
                    print(f"  超过目标：{k} {r[k]:.2f} s > {limit} s")
                    failed = True
        if r["peak_mb"] > MEMORY_MB:
            print(f"  超过内存目标：{r['peak_mb']:.0f} MB > {MEMORY_MB} MB")
            failed = True
    if len(results) > 1:
        a, b = results[0], results[-1]
        ratio = b["n"] / a["n"]
        print(
            f"{a['n']} → {b['n']}（×{ratio:.0f}）：汇总 ×{b['collect'] / a['collect']:.1f}，"
            f"汇总表 ×{b['workbook'] / a['workbook']:.1f}，每个台账 {1000 * b['collect'] / b['n']:.1f} ms"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
