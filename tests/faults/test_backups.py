"""Automatic backups under faults (issue 19, point 14): an unchanged ledger is not copied again, the backups
of a ledger stay within a size budget and thin out with age, a disk too small is not filled (and the clerk is
told why, in the window too), and what a killed or closed backup left is removed."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rectify_desktop.core import backup, oserrors, storage
from rectify_desktop.core.ledger import Ledger

BIG_MB = 40  # large enough that a copy takes a good part of a second, small enough to make quickly


def partials(folder: Path) -> list[str]:
    """What a backup leaves while it runs: our temporary names, and the .partial of older versions."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".~rectify-") or ".partial" in p.name)


def copying(folder: Path) -> bool:
    """Whether a backup's copy is under way in `folder` (its temporary file is there)."""
    return any(n.startswith(".~rectify-backup-") or n.endswith(".partial") for n in os.listdir(folder))


def edit(path: Path, title: str) -> None:
    from rectify_desktop.core import ops
    from rectify_desktop.core.models import Item

    with Ledger.open(path) as led:
        led.apply(ops.set_fields(Item, Item.select().first().id, {"title": title}))


@pytest.fixture(scope="module")
def big_ledger(tmp_path_factory) -> Path:
    """A ledger of about BIG_MB megabytes: the demo, with one scanned file among an item's evidence."""
    from rectify_desktop.core.demo import make_demo
    from rectify_desktop.core.models import Blob, BlobChunk, Evidence, Item, db

    path = make_demo(tmp_path_factory.mktemp("big") / "大台账.db")
    sha, chunk = "0" * 64, 1 << 20
    with Ledger.open(path), db.atomic():
        Blob.insert(sha256=sha, size=BIG_MB * chunk).execute()
        for seq in range(BIG_MB):
            BlobChunk.insert(blob=sha, seq=seq, data=bytes([seq % 251]) * chunk).execute()
        Evidence.create(item=Item.select().first(), blob=sha, name="整改材料扫描件.pdf")
    assert path.stat().st_size > BIG_MB * chunk
    return path


# --- how often --------------------------------------------------------------------------------------------


def test_an_unchanged_ledger_is_backed_up_once(demo_path, tmp_path):
    folder = tmp_path / "备份"
    for _ in range(5):
        backup.backup_at_opening(demo_path, folder)
    assert len(backup.list_backups(demo_path, folder)) == 1

    # An edit is a change since the last backup: the next opening, even the same day, copies it.
    later = dt.datetime.now() + dt.timedelta(seconds=5)
    edit(demo_path, "备份之后的修改")
    out = backup.backup_at_opening(demo_path, folder, now=later)
    assert out.made is not None and len(backup.list_backups(demo_path, folder)) == 2
    assert backup.backup_at_opening(demo_path, folder, now=later + dt.timedelta(minutes=1)).made is None

    # The next day: unchanged, its newest backup already holds it; once edited, another.
    tomorrow = later + dt.timedelta(days=1)
    again = backup.backup_at_opening(demo_path, folder, now=tomorrow)
    assert again.made is None and again.unchanged and not again.error
    edit(demo_path, "第二天的修改")
    assert backup.backup_at_opening(demo_path, folder, now=tomorrow).made is not None
    assert len(backup.list_backups(demo_path, folder)) == 3


def test_a_file_replaced_outside_the_program_is_a_change(demo_path, tmp_path):
    folder = tmp_path / "备份"
    backup.backup_at_opening(demo_path, folder)
    # Same change log, same size: only the file's time says it was written after its backup.
    later = time.time() + 60
    os.utime(demo_path, (later, later))
    assert backup.backup_at_opening(demo_path, folder, now=dt.datetime.now() + dt.timedelta(minutes=2)).made


# --- how much -----------------------------------------------------------------------------------------


AGES_DAYS = [90, 60, 45, 35, 28, 21, 14, 10, 6, 5, 4, 3, 2, 1, 0.2, 0.1, 0.05]


def _spread_backups(demo_path: Path, folder: Path, now: dt.datetime) -> None:
    for days in AGES_DAYS:
        backup.make_backup(demo_path, folder, now=now - dt.timedelta(days=days))


def test_backups_stay_within_a_budget_and_thin_out_with_age(demo_path, tmp_path):
    folder = tmp_path / "备份"
    now = dt.datetime(2026, 6, 15, 9, 0, 0)
    _spread_backups(demo_path, folder, now)
    size = demo_path.stat().st_size
    edit(demo_path, "今天的修改")
    budget = backup.Budget(fixed=5 * size + size // 2)
    out = backup.backup_at_opening(demo_path, folder, keep=100, budget=budget, now=now)

    kept = backup.list_backups(demo_path, folder)
    assert out.made == kept[0].path and kept[0].made == now
    assert sum(b.path.stat().st_size for b in kept) <= budget.fixed
    assert len(kept) == 5
    ages = [(now - b.made).days for b in kept]
    # Spread over time rather than the newest five (which were all from the last day): something from
    # the last few days, something weeks old.
    assert sorted(ages)[1] >= 1 and max(ages) >= 21, ages
    assert any(2 <= a <= 14 for a in ages), ages
    assert len(out.removed) == len(AGES_DAYS) + 1 - 5


def test_without_pressure_thinning_keeps_recent_daily_weekly_monthly(demo_path, tmp_path):
    folder = tmp_path / "备份"
    now = dt.datetime(2026, 6, 15, 9, 0, 0)
    _spread_backups(demo_path, folder, now)
    backup.prune(demo_path, folder, keep=100, now=now)
    kept = {(now - b.made) for b in backup.list_backups(demo_path, folder)}
    kept_days = sorted(round(k.total_seconds() / 86400, 2) for k in kept)
    # The newest three; one a day for the last week; one a week for the last month (14 days ago was the
    # Monday of the week whose Friday, 10 days ago, stays); one a month before that (35 and 45 days ago
    # were in May, whose newest, 21 days ago, stays).
    assert kept_days == [0.05, 0.1, 0.2, 1, 2, 3, 4, 5, 6, 10, 21, 28, 60, 90]
    # A count cap keeps the spread too: the newest, and the oldest still among them.
    backup.prune(demo_path, folder, keep=6, now=now)
    ages = [(now - b.made).days for b in backup.list_backups(demo_path, folder)]
    assert len(ages) == 6 and ages[0] == 0 and max(ages) >= 45 and min(a for a in ages if a > 0) <= 7


@pytest.mark.parametrize("room", [3, 5])
def test_daily_openings_under_a_tight_budget_keep_a_spread_over_time(room):
    # Thinning is decided again at every opening: kept day after day, the few that fit must not settle
    # on the last few days (a mistake found a week later would have nothing to go back to).
    start = dt.datetime(2026, 1, 1, 9, 0, 0)
    kept: list[backup.BackupFile] = []
    oldest = []
    for day in range(90):
        now = start + dt.timedelta(days=day)
        kept.append(backup.BackupFile(Path(f"{day}.db"), now, "自动"))
        kept = backup.select(kept, now, keep=room)
        ages = [(now - b.made).days for b in kept]
        assert ages[0] == 0 and len(ages) == min(room, day + 1)
        if day >= 20:
            oldest.append(max(ages))
    # Keeping the last `room` days would make the oldest room - 1 days old every day.
    assert min(oldest) >= room and sum(o >= 7 for o in oldest) >= len(oldest) // 4, oldest


def test_the_budget_by_default_is_a_share_of_the_free_space(tmp_path):
    b = backup.Budget()
    assert b.percent == backup.DEFAULT_BUDGET_PERCENT == 10
    assert b.limit(free=900, ours=100) == 100
    assert backup.Budget(fixed=3 << 30).limit(free=1, ours=0) == 3 << 30


# --- a disk too small ---------------------------------------------------------------------------------


def test_no_backup_is_started_on_a_disk_too_small(demo_path, small_disk, monkeypatch):
    folder = small_disk("100k")
    started = []
    real = storage.backup_file
    monkeypatch.setattr(storage, "backup_file", lambda *a, **k: started.append(a) or real(*a, **k))
    out = backup.backup_at_opening(demo_path, folder)
    assert started == []
    assert out.made is None and "磁盘空间不足" in out.error and "至少需要" in out.error, out.error
    assert "自动备份" in out.error
    # The size named is what the copy needs, at least the ledger itself.
    assert out.needed >= demo_path.stat().st_size and oserrors.human_size(out.needed) in out.error
    assert sorted(os.listdir(folder)) == []


def test_a_disk_that_fills_during_the_copy_is_told_and_leaves_nothing(demo_path, small_disk, monkeypatch):
    folder = small_disk("120k")
    # The check before the copy sees room (another program took it meanwhile): the copy itself fails.
    monkeypatch.setattr(backup, "_free_bytes", lambda p: 10 << 30)
    out = backup.backup_at_opening(demo_path, folder)
    assert out.made is None and "磁盘空间不足" in out.error, out.error
    assert "Traceback" not in out.error
    assert sorted(os.listdir(folder)) == []


def test_a_read_only_backup_folder_is_told(demo_path, tmp_path, read_only_folder):
    src = tmp_path / "写保护的U盘"
    src.mkdir()
    out = backup.backup_at_opening(demo_path, read_only_folder(src))
    assert out.made is None and "只读" in out.error and "自动备份" in out.error, out.error
    assert list(src.iterdir()) == []


def test_the_window_tells_the_clerk_when_no_backup_could_be_made(window, demo_path, small_disk, qtbot):  # noqa: F811
    folder = small_disk("100k")
    window.settings.setValue("backup/dir", str(folder))
    window.open_ledger(demo_path)
    qtbot.waitUntil(lambda: "磁盘空间不足" in window.notice.label.text(), timeout=15000)
    text = window.notice.label.text()
    assert window.notice.isVisible() and "自动备份" in text and "至少需要" in text, text
    assert os.listdir(folder) == []


# --- killed, closed -----------------------------------------------------------------------------------


def test_a_killed_backup_is_cleaned_at_the_next_start(big_ledger, tmp_path, cli_env):
    folder = tmp_path / "备份"
    folder.mkdir()
    code = (
        "import sys; from pathlib import Path; from rectify_desktop.core import backup; "
        "backup.backup_at_opening(Path(sys.argv[1]), Path(sys.argv[2]))"
    )
    child = subprocess.Popen([sys.executable, "-c", code, str(big_ledger), str(folder)], env=cli_env)
    try:
        deadline = time.monotonic() + 30
        while not copying(folder) and child.poll() is None and time.monotonic() < deadline:
            pass
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait(10)
    left = partials(folder)
    assert left, "the child finished before it could be killed"
    # What older versions left: a .partial and its journal.
    stamp = "20250101-090000"
    for name in (f"大台账-备份-{stamp}-自动.db.partial", f"大台账-备份-{stamp}-自动.db.partial-journal"):
        (folder / name).write_bytes(b"\0" * 4096)

    out = backup.backup_at_opening(big_ledger, folder)
    assert partials(folder) == []
    assert set(left) <= {p.name for p in out.cleaned}
    assert out.made is not None and [b.path for b in backup.list_backups(big_ledger, folder)] == [out.made]


CLOSE_DURING_BACKUP = r"""
import os, sys, time
from pathlib import Path
from rectify_desktop.ui.app import make_app, open_settings
from rectify_desktop.ui.main_window import MainWindow
ledger, folder = Path(sys.argv[1]), Path(sys.argv[2])
app = make_app()
w = MainWindow(open_settings())
w.settings.setValue("backup/dir", str(folder))
w.show()
w.open_ledger(ledger)
w._backup_in_background(ledger)
deadline = time.monotonic() + 30
while time.monotonic() < deadline and not any(
    n.startswith(".~rectify-backup-") or n.endswith(".partial") for n in os.listdir(folder)
):
    app.processEvents()
print("copying" if time.monotonic() < deadline else "never started", flush=True)
w.close()
"""


def test_closing_the_window_during_a_backup_leaves_no_partial_file(big_ledger, tmp_path, cli_env):
    folder = tmp_path / "备份"
    folder.mkdir()
    env = dict(cli_env)
    env["RECTIFY_DESKTOP_CONFIG_DIR"] = str(tmp_path / "config")
    env["RECTIFY_DESKTOP_DATA_DIR"] = str(tmp_path / "data")
    env["QT_QPA_PLATFORM"] = "offscreen"
    run = subprocess.run(
        [sys.executable, "-c", CLOSE_DURING_BACKUP, str(big_ledger), str(folder)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "copying" in run.stdout, run.stdout + run.stderr
    # The process is gone: whatever it was writing is either a whole backup or nothing.
    assert partials(folder) == []
    for b in backup.list_backups(big_ledger, folder):
        storage.inspect_file(b.path)


def test_a_failed_copy_leaves_nothing_and_says_why(demo_path, tmp_path, monkeypatch):
    folder = tmp_path / "备份"

    def broken(src, out):
        tmp = Path(str(out) + ".partial")
        tmp.write_bytes(b"half")
        Path(str(tmp) + "-journal").write_bytes(b"j")
        raise storage.LedgerError("备份失败") from OSError(30, "Read-only file system")

    monkeypatch.setattr(storage, "backup_file", broken)
    out = backup.backup_at_opening(demo_path, folder)
    assert out.made is None and "只读" in out.error, out.error
    assert partials(folder) == []
