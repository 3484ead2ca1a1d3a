"""Automatic backups (自动备份) of a ledger at each opening, pruned to a number kept, and restore.

Backups are consistent copies made with SQLite's backup API, named after the ledger and the time, in a
folder of the clerk's choosing. Restoring first backs up the current state, so a restore can be undone
by restoring that copy.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path

from rectify_desktop.core import storage

DEFAULT_KEEP = 20
_STAMP = "%Y%m%d-%H%M%S"


@dataclass(frozen=True)
class BackupFile:
    path: Path
    made: dt.datetime
    reason: str  # 自动 (at opening) or 恢复前 (before a restore)

    @property
    def label(self) -> str:
        return f"{self.made:%Y年%m月%d日 %H:%M:%S}（{self.reason}）"


def _prefix(ledger: Path) -> str:
    return f"{ledger.stem}-备份-"


def backup_name(ledger: Path, reason: str, now: dt.datetime) -> str:
    return f"{_prefix(ledger)}{now.strftime(_STAMP)}-{reason}{ledger.suffix or '.db'}"


def list_backups(ledger: Path, folder: Path) -> list[BackupFile]:
    """The backups of `ledger` in `folder`, newest first."""
    if not folder.is_dir():
        return []
    pattern = re.compile(re.escape(_prefix(ledger)) + r"(\d{8}-\d{6})-(.+?)" + re.escape(ledger.suffix or ".db") + "$")
    out = []
    for p in folder.iterdir():
        m = pattern.match(p.name)
        if m and p.is_file():
            try:
                made = dt.datetime.strptime(m.group(1), _STAMP)
            except ValueError:
                continue
            out.append(BackupFile(p, made, m.group(2)))
    return sorted(out, key=lambda b: b.made, reverse=True)


def make_backup(ledger: Path, folder: Path, reason: str = "自动", now: dt.datetime | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    now = now or dt.datetime.now()
    target = folder / backup_name(ledger, reason, now)
    n = 1
    while target.exists():  # two backups within one second
        n += 1
        target = folder / backup_name(ledger, f"{reason}{n}", now)
    return storage.backup_file(ledger, target)


def prune(ledger: Path, folder: Path, keep: int) -> list[Path]:
    """Deletes all but the newest `keep` backups of `ledger`; returns what went."""
    gone = []
    for b in list_backups(ledger, folder)[max(keep, 1) :]:
        try:
            b.path.unlink()
            gone.append(b.path)
        except OSError:
            pass  # a backup open elsewhere stays; the next opening tries again
    return gone


def backup_at_opening(ledger: Path, folder: Path, keep: int = DEFAULT_KEEP) -> Path:
    """The backup made each time a ledger is opened for writing, then pruned."""
    path = make_backup(ledger, folder, "自动")
    prune(ledger, folder, keep)
    return path


def restore(ledger: Path, backup: Path, folder: Path) -> Path:
    """Replaces the (closed) ledger by `backup`, after backing up its current state; returns that copy.

    The ledger must not be open in this process: the window closes it first and opens it again after.
    """
    storage.inspect_file(backup)  # refuse a file that is not a ledger before touching anything
    lock = storage.FileLock(ledger)
    if not lock.acquire():
        raise storage.LockedError(f"该台账正在另一个窗口中打开，关闭后才能恢复：{ledger}")
    try:
        return _restore_locked(ledger, backup, folder)
    finally:
        lock.release()


def _restore_locked(ledger: Path, backup: Path, folder: Path) -> Path:
    safety = make_backup(ledger, folder, "恢复前")
    tmp = ledger.with_name(ledger.name + ".restoring")
    try:
        storage.backup_file(backup, tmp)
        for side in (Path(str(ledger) + "-wal"), Path(str(ledger) + "-shm")):
            side.unlink(missing_ok=True)
        os.replace(tmp, ledger)
    except (OSError, storage.LedgerError) as exc:
        tmp.unlink(missing_ok=True)
        raise storage.LedgerError(f"恢复失败，台账未改动（恢复前的备份在：{safety}）：{exc}") from exc
    return safety
