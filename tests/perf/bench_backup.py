"""Benchmark (issue 19, point 14): automatic backups of a large ledger.

    python tests/perf/bench_backup.py [SIZE_MB] [N_ITEMS]

Builds a ledger of N_ITEMS items (tests/perf/generate.py) plus scanned evidence up to about SIZE_MB, then
1. opens it in the real window (offscreen) with the automatic backup and without it: how long the opening
   takes, when the backup runs beside it, and the longest the window's event loop went without
   running while the backup copied (a 10 ms timer's worst gap; the window is "delayed" if this grows);
2. the disk the backups take after 20 openings on 20 days: as before (a copy at every opening, the newest
   20 kept), and now, for an unchanged ledger and for one edited before every opening (default budget,
   and a fixed 1 GB budget).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("RECTIFY_DESKTOP_STATE_DIR", tempfile.mkdtemp(prefix="rectify-bench-state-"))

from rectify_desktop.core import backup, ops, oserrors  # noqa: E402
from rectify_desktop.core.ledger import Ledger  # noqa: E402
from rectify_desktop.core.models import Blob, BlobChunk, Evidence, Item, db  # noqa: E402
from tests.perf.generate import make_large_ledger  # noqa: E402

MB = 1 << 20


def build(path: Path, size_mb: int, n_items: int) -> Path:
    make_large_ledger(path, n_items)
    with Ledger.open(path):
        item_ids = [r[0] for r in Item.select(Item.id).limit(200).tuples()]
        n = 0
        while path.stat().st_size < size_mb * MB:
            sha = f"{n:064x}"
            with db.atomic():
                Blob.insert(sha256=sha, size=8 * MB).execute()
                for seq in range(8):
                    BlobChunk.insert(blob=sha, seq=seq, data=os.urandom(MB)).execute()
                Evidence.create(item=item_ids[n % len(item_ids)], blob=sha, name=f"扫描件{n + 1}.pdf")
            n += 1
            db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


def edit(path: Path, text: str) -> None:
    with Ledger.open(path) as led:
        led.apply(ops.set_fields(Item, Item.select().first().id, {"title": text}))


def window_run(path: Path, folder: Path, with_backup: bool, span: tuple[float, float] = (1.4, 4.0)) -> dict:
    """Opens `path` in a fresh window; times the opening, and the event loop's worst gap between `span`
    seconds after it (the automatic backup starts 1.5 s after the opening)."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from rectify_desktop.ui.app import make_app, open_settings
    from rectify_desktop.ui.main_window import MainWindow

    make_app()
    w = MainWindow(open_settings())
    w.settings.setValue("backup/dir", str(folder))
    if not with_backup:
        w._backup_in_background = lambda p: None  # type: ignore[method-assign]
    w.show()
    QApplication.processEvents()
    t0 = time.perf_counter()
    w.open_ledger(path)
    QApplication.processEvents()
    opened = time.perf_counter() - t0

    ticks: list[float] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.perf_counter() - t0))
    timer.start(10)
    started = done = None
    while time.perf_counter() - t0 < span[1] or (started is not None and done is None):
        QApplication.processEvents()
        running = any(r.running for r in w._backup_runners)
        if running and started is None:
            started = time.perf_counter() - t0
        if started is not None and not running and done is None:
            done = time.perf_counter() - t0
        time.sleep(0.001)
    timer.stop()
    w.close()
    w.deleteLater()
    QApplication.processEvents()
    inside = [b - a for a, b in zip(ticks, ticks[1:], strict=False) if span[0] <= a <= span[1]]
    return {
        "open_s": opened,
        "backup": (started, done),
        "worst_gap_ms": max(inside) * 1000 if inside else float("nan"),
        "ticks": len(inside),
    }


def used(folder: Path, ledger: Path) -> tuple[int, int]:
    bs = backup.list_backups(ledger, folder)
    return len(bs), sum(b.path.stat().st_size for b in bs)


def main() -> None:
    size_mb = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    n_items = int(sys.argv[2]) if len(sys.argv) > 2 else 20_000
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        t = time.perf_counter()
        path = build(root / "大台账.db", size_mb, n_items)
        size = path.stat().st_size
        print(f"ledger: {n_items} items, {oserrors.human_size(size)}, built in {time.perf_counter() - t:.1f} s")

        os.environ["RECTIFY_DESKTOP_CONFIG_DIR"] = str(root / "config")
        os.environ["RECTIFY_DESKTOP_DATA_DIR"] = str(root / "data")
        for i, with_backup in enumerate((False, True, False, True)):
            folder = root / f"win-{i}"  # a fresh folder: each run with the backup has a copy to make
            r = window_run(path, folder, with_backup)
            label = "with backup   " if with_backup else "without backup"
            started, done = r["backup"]
            beside = f"backup from {started:.2f} s to {done:.2f} s" if started and done else "no backup"
            print(
                f"window {label}: open {r['open_s'] * 1000:5.0f} ms; {beside}; worst event-loop gap "
                f"{r['worst_gap_ms']:4.0f} ms over {r['ticks']} 10-ms ticks from 1.4 s to 4.0 s"
            )
            shutil.rmtree(folder, ignore_errors=True)

        day0 = dt.datetime.now().replace(hour=9, minute=0, second=0, microsecond=0) - dt.timedelta(days=20)
        days = [day0 + dt.timedelta(days=i) for i in range(20)]

        before = root / "before"
        t = time.perf_counter()
        for d in days:  # as before: a copy at every opening, the newest 20 kept
            backup.make_backup(path, before, now=d)
        n, total = used(before, path)
        print(f"before: 20 openings -> {n} copies, {oserrors.human_size(total)} ({time.perf_counter() - t:.1f} s)")
        shutil.rmtree(before)

        same = root / "unchanged"
        for d in days:
            backup.backup_at_opening(path, same, now=d)
        n, total = used(same, path)
        print(f"now, unchanged ledger: 20 openings -> {n} copies, {oserrors.human_size(total)}")
        shutil.rmtree(same)

        for name, budget in (("default budget", backup.Budget()), ("1 GB budget", backup.Budget(fixed=1 << 30))):
            folder = root / name
            for i, d in enumerate(days):
                edit(path, f"第{i + 1}天的修改")
                out = backup.backup_at_opening(path, folder, budget=budget, now=d)
                assert out.made and not out.error, out
            n, total = used(folder, path)
            kept = ", ".join(f"{(days[-1] - b.made).days}" for b in backup.list_backups(path, folder))
            free = oserrors.free_bytes(folder) or 0
            print(
                f"now, edited before each opening, {name} ({oserrors.human_size(budget.limit(free, total))}): "
                f"{n} copies, {oserrors.human_size(total)}; ages in days: {kept}"
            )
            shutil.rmtree(folder)


if __name__ == "__main__":
    main()
