"""Benchmark: storing a large evidence file in the ledger and exporting it in the evidence package.

    python tests/perf/bench_evidence.py [MB] [RUNS]          core: store and export, memory and time
    python tests/perf/bench_evidence.py [MB] [RUNS] --ui     the window's way: EditPanel, progress dialog
    ... --page-size=65536                                     new ledgers with larger SQLite pages

Targets (issue 6), for a 200 MB file of random bytes made in a temporary folder:
- the process's peak memory (VmHWM) at most 150 MB above what it was before storing and exporting;
- store time within 3x of a plain copy of the same file (shutil.copyfile) measured in the same run.

Each run stores into a fresh ledger (the same bytes would otherwise be found already stored). The peak is
read from /proc/self/status (VmHWM) and, where the kernel allows, reset before each step through
/proc/self/clear_refs, so that each step's own peak is seen. With --ui the add goes through the item form
(evidence_ui.add_files, offscreen), and the longest time the event loop went without running is reported:
the window's worst freeze during the add.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))


def status(key: str) -> int:
    """A /proc/self/status figure in MB (VmHWM: peak resident memory, VmRSS: resident now)."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(key + ":"):
                return int(line.split()[1]) // 1024
    return 0


def reset_peak() -> bool:
    """Resets VmHWM to the current RSS (Linux 4.0+); False where that is not allowed."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def make_file(path: Path, mb: int) -> str:
    h = hashlib.sha256()
    with path.open("wb") as fh:
        for _ in range(mb):
            chunk = os.urandom(1 << 20)
            h.update(chunk)
            fh.write(chunk)
    return h.hexdigest()


def use_page_size(size: int) -> None:
    """Makes new ledgers with SQLite pages of `size` bytes (the default is 4096): what storage.create_file
    would do with "page_size" first among its pragmas. Larger pages mean fewer WAL frames for a large file."""
    from peewee import SqliteDatabase

    from rectify_desktop.core import storage

    def make(path: str, pragmas: dict[str, object]) -> SqliteDatabase:
        return SqliteDatabase(path, pragmas={"page_size": size, **pragmas})

    storage.SqliteDatabase = make  # type: ignore[assignment,misc]


def new_ledger(folder: Path, n: int):  # noqa: ANN201
    from rectify_desktop.core import ops
    from rectify_desktop.core.ledger import Ledger
    from rectify_desktop.core.models import db

    ledger = Ledger.create(folder / f"bench{n}.db")
    insp = ledger.apply(ops.add_inspection("基准测试"))[0].id
    cat = ledger.apply(ops.add_category(insp, "方面"))[0].id
    finding = ledger.apply(ops.add_finding(cat, "问题"))[0].id
    item = ledger.apply(ops.add_item(finding, "细化问题"))[0].id
    assert n >= 0 and db.execute_sql("PRAGMA page_size").fetchone()[0] == PAGE_SIZE[0]
    return ledger, insp, item


PAGE_SIZE = [4096]


def settle() -> None:
    """Writes out what earlier steps left in the page cache, so that no step pays for another's writes."""
    os.sync()


def timed_copy(src: Path, dst: Path, *, fsync: bool = False) -> float:
    settle()
    t = time.perf_counter()
    shutil.copyfile(src, dst)
    if fsync:
        fd = os.open(dst, os.O_RDONLY)
        os.fsync(fd)
        os.close(fd)
    took = time.perf_counter() - t
    dst.unlink()
    return took


def core_run(src: Path, sha: str, folder: Path, n: int) -> dict[str, float]:
    from rectify_desktop.core import evidence
    from rectify_desktop.io.evidence_zip import export_zip

    ledger, insp, item = new_ledger(folder, n)
    copies = [timed_copy(src, folder / "copy.bin")]
    r: dict[str, float] = {"copy_fsync_s": timed_copy(src, folder / "copy.bin", fsync=True)}
    settle()
    rss0 = status("VmRSS")
    reset_peak()
    r["rss_before_mb"] = rss0
    t = time.perf_counter()
    with evidence.deferred_checkpoint(src.stat().st_size):
        ledger.apply(evidence.AddEvidence(item, src))
    r["store_s"] = time.perf_counter() - t
    evidence.wait_checkpoints()
    r["store_and_checkpoint_s"] = time.perf_counter() - t
    r["store_peak_mb"] = status("VmHWM")
    reset_peak()
    out = folder / "包.zip"
    t = time.perf_counter()
    export_zip(insp, out)
    r["export_s"] = time.perf_counter() - t
    r["export_peak_mb"] = status("VmHWM")
    copies.append(timed_copy(src, folder / "copy.bin"))
    r["copy_s"] = statistics.mean(copies)
    with zipfile.ZipFile(out) as zf:
        name = next(n for n in zf.namelist() if n.endswith(src.name))
        h = hashlib.sha256()
        with zf.open(name) as fh:
            while chunk := fh.read(1 << 20):
                h.update(chunk)
    assert h.hexdigest() == sha, "the exported file differs"
    ledger.close()
    for p in folder.glob(f"bench{n}.db*"):
        p.unlink()
    out.unlink()
    return r


def ui_run(src: Path, sha: str, folder: Path, n: int) -> dict[str, float]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QUndoStack

    from rectify_desktop.core import evidence
    from rectify_desktop.core.models import Evidence
    from rectify_desktop.ui import evidence_ui
    from rectify_desktop.ui.app import make_app
    from rectify_desktop.ui.forms import EditPanel
    from rectify_desktop.ui.undo import UndoBridge

    app = make_app()
    ledger, _insp, item = new_ledger(folder, n)
    stack = QUndoStack()
    panel = EditPanel(ledger, UndoBridge(ledger, stack))
    ledger.subscribe(panel.on_changes)
    panel.resize(700, 900)
    panel.show()
    panel.show_node("item", item)
    app.processEvents()
    r: dict[str, float] = {"copy_s": timed_copy(src, folder / "copy.bin")}
    settle()
    ticks: list[float] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start(5)
    app.processEvents()
    r["rss_before_mb"] = status("VmRSS")
    reset_peak()
    t = time.perf_counter()
    ticks.append(t)
    ids = evidence_ui.add_files(panel, panel, item, [src])
    end = time.perf_counter()
    ticks.append(end)
    timer.stop()
    r["store_s"] = end - t
    r["store_peak_mb"] = status("VmHWM")
    gaps = [b - a for a, b in zip(ticks, ticks[1:], strict=False) if a >= t]
    r["longest_freeze_s"] = max(gaps)
    r["event_loop_runs"] = len(gaps)
    assert ids and Evidence.get_by_id(ids[0]).blob_sha256 == sha
    evidence.wait_checkpoints()
    panel.close()
    panel.deleteLater()
    app.processEvents()
    ledger.close()
    for p in folder.glob(f"bench{n}.db*"):
        p.unlink()
    return r


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    ui = "--ui" in sys.argv
    for a in sys.argv[1:]:
        if a.startswith("--page-size="):
            PAGE_SIZE[0] = int(a.split("=", 1)[1])
            use_page_size(PAGE_SIZE[0])
    mb = int(args[0]) if args else 200
    runs = int(args[1]) if len(args) > 1 else 3
    with tempfile.TemporaryDirectory(prefix="bench-evidence-") as tmp:
        folder = Path(tmp)
        src = folder / "扫描件.pdf"
        sha = make_file(src, mb)
        rows = [(ui_run if ui else core_run)(src, sha, folder, n) for n in range(runs)]
    what = "window (EditPanel, offscreen)" if ui else "core"
    print(f"{what}: {mb} MB of random bytes, {runs} runs, SQLite page size {PAGE_SIZE[0]}")
    print(f"peak reset per step: {'yes' if reset_peak() else 'no (VmHWM is the whole process peak)'}")
    keys = ["copy_s", "store_s", "rss_before_mb", "store_peak_mb"]
    if ui:
        keys += ["longest_freeze_s", "event_loop_runs"]
    else:
        keys += ["copy_fsync_s", "store_and_checkpoint_s", "export_s", "export_peak_mb"]
    for key in keys:
        vals = [r[key] for r in rows]
        shown = " ".join(f"{v:.3f}" for v in vals)
        print(f"  {key:24s} median {statistics.median(vals):9.3f}   worst {max(vals):9.3f}   runs {shown}")
    ratios = [r["store_s"] / r["copy_s"] for r in rows]
    extra = [max(r["store_peak_mb"], r.get("export_peak_mb", 0)) - r["rss_before_mb"] for r in rows]
    print(f"  store / copy             median {statistics.median(ratios):9.2f}   worst {max(ratios):9.2f}   target 3")
    if not ui:
        durable = [r["store_s"] / r["copy_fsync_s"] for r in rows]
        print(f"  store / (copy + fsync)   median {statistics.median(durable):9.2f}   worst {max(durable):9.2f}")
    print(f"  peak above before (MB)   median {statistics.median(extra):9.0f}   worst {max(extra):9.0f}   target < 150")


if __name__ == "__main__":
    main()
