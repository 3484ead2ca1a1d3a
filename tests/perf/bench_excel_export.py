"""Benchmark: the Excel export of a 10,000-item ledger, side by side with xlsxwriter writing the same cells.

    python tests/perf/bench_excel_export.py [N_ITEMS] [RUNS] [--no-public]

Target (issue 3): `export_workbook` within 2x the time xlsxwriter needs to write the ledger's cells (the 14
columns x N rows of text, one cell format) - the floor for a styled Python writer. The export is timed
whole: reading the ledger, laying out the rows, the five sheets and saving; xlsxwriter gets the cell texts
ready-made. Also timed, for reference: the export through openpyxl's public cell API (what the export falls
back to when openpyxl's sheet writer is not as expected; --no-public skips it). The runs alternate, in one
process; medians of wall-clock and CPU time are printed. openpyxl writes with lxml when it is installed
(OPENPYXL_LXML=False turns that off, to measure the export without it).
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

import openpyxl  # noqa: E402
import xlsxwriter  # noqa: E402

from rectify_desktop.core.ledger import Ledger  # noqa: E402
from rectify_desktop.core.table import COLUMNS, build_table  # noqa: E402
from rectify_desktop.io import xlsx_export  # noqa: E402
from tests.perf.generate import make_large_ledger  # noqa: E402


def xlsxwriter_floor(rows: list[list[str]], out: Path) -> None:
    wb = xlsxwriter.Workbook(str(out))
    ws = wb.add_worksheet("台账")
    fmt = wb.add_format({"font_name": "仿宋", "font_size": 10.5, "text_wrap": True, "valign": "vcenter", "border": 1})
    ws.write_row(0, 0, COLUMNS, fmt)
    for r, values in enumerate(rows, 1):
        for c, v in enumerate(values):
            ws.write_string(r, c, v, fmt)
    wb.close()


def timed(fn: Callable[[], object]) -> tuple[float, float]:
    """Wall-clock and CPU seconds of `fn` (CPU time is the steadier on a busy machine)."""
    w0, c0 = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - w0, time.process_time() - c0


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    public = "--no-public" not in sys.argv
    today = dt.date.today()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = make_large_ledger(folder / "big.db", n)
        with Ledger.open(path, readonly=True):
            rows = [r.values() for r in build_table(1, today=today).rows]
            times: dict[str, list[tuple[float, float]]] = {"xlsxwriter": [], "export": [], "build_table": []}
            if public:
                times["public_api"] = []
            for i in range(runs):
                times["xlsxwriter"].append(timed(lambda: xlsxwriter_floor(rows, folder / "floor.xlsx")))
                times["export"].append(
                    timed(lambda: xlsx_export.export_workbook(1, folder / "export.xlsx", today=today))
                )
                times["build_table"].append(timed(lambda: build_table(1, today=today)))
                if public:
                    xlsx_export.FAST_ROWS = False
                    try:
                        times["public_api"].append(
                            timed(lambda: xlsx_export.export_workbook(1, folder / "public.xlsx", today=today))
                        )
                    finally:
                        xlsx_export.FAST_ROWS = True
                print(f"run {i + 1}: " + "  ".join(f"{k} {v[-1][0]:.2f}s" for k, v in times.items()), flush=True)
            ws = openpyxl.load_workbook(folder / "export.xlsx", read_only=True)["台账"]
            # one row per item at least, plus the band rows, page headings and signatures of the paper layout
            assert ws.max_row >= n + 3, ws.max_row
        size = (folder / "export.xlsx").stat().st_size / 1e6
        floor_size = (folder / "floor.xlsx").stat().st_size / 1e6
    wall = {k: statistics.median(t[0] for t in v) for k, v in times.items()}
    cpu = {k: statistics.median(t[1] for t in v) for k, v in times.items()}
    print(f"ledger: {n} items, {runs} runs (medians), openpyxl {openpyxl.__version__}, lxml: {lxml_used()}")
    print(" " * 48 + "    wall      CPU")
    labels = {
        "xlsxwriter": f"xlsxwriter, same cells, one format ({floor_size:.1f} MB)",
        "export": f"export_workbook, whole workbook ({size:.1f} MB)",
        "build_table": "  of which build_table (reading)",
        "public_api": "export through openpyxl's cell API",
    }
    for key in times:
        print(f"{labels[key]:48s} {wall[key]:6.2f} s {cpu[key]:6.2f} s")
    for name, med in (("wall", wall), ("CPU", cpu)):
        ratio = med["export"] / med["xlsxwriter"]
        print(f"export / floor ({name}) = {ratio:.2f}x  (target 2x: {'met' if ratio <= 2 else 'NOT met'})")


def lxml_used() -> str:
    from openpyxl.xml import LXML

    return "yes" if LXML else "no (OPENPYXL_LXML=False or not installed)"


if __name__ == "__main__":
    main()
