"""Benchmark: on a 10,000-item ledger, one keystroke of the search until the tree shows the result, and
the overview refreshed after an edit.

    python tests/perf/bench_search.py [N_ITEMS]

Targets (issue 7): under 50 ms per keystroke, under 100 ms for the overview after an edit. The keystroke
is the filter itself (the 120 ms typing pause the bar waits for is not counted), including repainting the
tree; the edit is a status change through the one door, until the overview page has repainted.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["RECTIFY_DESKTOP_CONFIG_DIR"] = tempfile.mkdtemp()

from tests.perf.generate import make_large_ledger  # noqa: E402


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    from rectify_desktop.ui.app import make_app, open_settings
    from rectify_desktop.ui.main_window import MainWindow

    with tempfile.TemporaryDirectory() as tmp:
        path = make_large_ledger(Path(tmp) / "big.db", n)
        app = make_app()
        w = MainWindow(open_settings())
        w.show()
        w.open_ledger(path)
        app.processEvents()
        bar = w.search
        t = time.perf_counter()
        bar._ensure_index()
        print(f"index build (once after each change, when idle): {(time.perf_counter() - t) * 1000:.0f} ms")

        def keystroke(text: str) -> float:
            bar.text.blockSignals(True)
            bar.text.setText(text)
            bar.text.blockSignals(False)
            t0 = time.perf_counter()
            bar.apply()
            w.tree.viewport().repaint()
            app.processEvents()
            return time.perf_counter() - t0

        for label, sequence in (
            ("typing 细化问题12 (narrowing)", ["细", "细化", "细化问", "细化问题", "细化问题1", "细化问题12"]),
            ("typing 财务股 (many matches)", ["财", "财务", "财务股"]),
            ("deleting back to empty", ["细化问题1", "细化问题", "细化", "细", ""]),
        ):
            times = [keystroke(s) for s in sequence]
            print(f"{label:32s} median {statistics.median(times) * 1000:6.1f} ms   worst {max(times) * 1000:6.1f} ms")
        from rectify_desktop.core import ops
        from rectify_desktop.core.models import DONE, IN_PROGRESS, Item

        keystroke("")
        page = w.show_page("overview")
        app.processEvents()
        item_id = Item.select(Item.id).where(Item.status != DONE).first().id
        times = []
        for i in range(6):
            t0 = time.perf_counter()
            w.bridge.push(ops.set_fields(Item, item_id, {"status": DONE if i % 2 == 0 else IN_PROGRESS}))
            app.processEvents()  # the page refreshes on its zero-delay timer
            page.repaint()
            times.append(time.perf_counter() - t0)
        med, worst = statistics.median(times) * 1000, max(times) * 1000
        print(f"{'overview after an edit':32s} median {med:6.1f} ms   worst {worst:6.1f} ms")
        w.close()


if __name__ == "__main__":
    main()
