"""Benchmark: 生成通报 as Word (io/notice.write_docx) on generated ledgers of 1,000 to 10,000 items.

    python tests/perf/bench_docx.py [N_ITEMS ...] [--runs RUNS] [--keep DIR]

Issue 19, point 17: the time grew faster than the ledger (2,500 items 10 s, 5,000 26 s, 10,000 87 s), because
python-docx looks for the body's closing section properties among all its paragraphs each time one is added.
It must grow linearly: the script prints, for each size, the best time of the whole export (reading the
ledger, making the document, writing the file) and of its parts, the time per 1,000 items, and how that
compares with the smallest size (about 1.0 when linear). Timings only: nothing is asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

from tests.perf.generate import make_large_ledger  # noqa: E402

SIZES = (1_000, 2_500, 5_000, 10_000)


def measure(ledger: Path, out: Path) -> dict[str, float]:
    from rectify_desktop.core.ledger import Ledger
    from rectify_desktop.io import notice

    today = dt.date(2026, 5, 1)
    with Ledger.open(ledger, readonly=True) as led:
        iid = led.inspections()[0].id
        t0 = time.perf_counter()
        blocks = notice.build(iid, "notice", today)
        t1 = time.perf_counter()
        notice._build_document(blocks, blocks[0].text, "整改台账")
        t2 = time.perf_counter()
        notice.write_docx(iid, out, "notice", today)
        t3 = time.perf_counter()
    return {"read": t1 - t0, "document": t2 - t1, "export": t3 - t2}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("sizes", nargs="*", type=int, default=list(SIZES))
    p.add_argument("--runs", type=int, default=1)
    p.add_argument("--keep", default=None, help="make the ledgers and documents in this folder, and keep them")
    a = p.parse_args()
    folder = Path(a.keep) if a.keep else Path(tempfile.mkdtemp(prefix="bench-docx-"))
    folder.mkdir(parents=True, exist_ok=True)
    heads = ("items", "read s", "document s", "export s", "s per 1k", "vs smallest", "docx KB")
    print(" ".join(f"{h:>{w}}" for h, w in zip(heads, (7, 8, 11, 9, 9, 12, 8), strict=True)))
    first: float | None = None
    for n in sorted(a.sizes):
        ledger = folder / f"docx-{n}.db"
        if not ledger.exists():
            make_large_ledger(ledger, n)
        out = folder / f"通报-{n}.docx"
        runs = [measure(ledger, out) for _ in range(a.runs)]
        best = {k: min(r[k] for r in runs) for k in runs[0]}
        per_k = best["export"] / n * 1000
        first = first or per_k
        print(
            f"{n:>7} {best['read']:>8.2f} {best['document']:>11.2f} {best['export']:>9.2f} {per_k:>9.3f}"
            f" {per_k / first:>12.2f} {out.stat().st_size // 1024:>8}"
        )
    if not a.keep:
        import shutil

        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
