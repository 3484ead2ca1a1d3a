"""Automatic backups (自动备份) of a ledger, kept within a size budget and thinned out with age, and restore.

Backups are consistent copies made with SQLite's backup API, named after the ledger and the time, in a
folder of the clerk's choosing. An opening copies the ledger only when it changed since its newest backup
(an unchanged ledger is already held whole by that backup), and only when the disk keeps room to spare.
What is kept thins out with age — the newest few, one a day for a week, one a week for a month, one a month
before that — and stays within a budget: a share of the backup disk's free space, or a size the clerk set.

Restoring first backs up the current state, so a restore can be undone by restoring that copy.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import math
import os
import re
import shutil
import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rectify_desktop.core import oserrors, outfile, storage

DEFAULT_KEEP = 20
DEFAULT_BUDGET_PERCENT = 10
RECENT = 3  # the newest backups kept whatever their age
DAILY_DAYS = 7  # one a day for a week
WEEKLY_DAYS = 31  # one a week for a month; one a month before that
# A backup must leave this much of its disk free: 5% of the disk, at most 1 GB.
RESERVE_SHARE = 0.05
RESERVE_MAX = 1 << 30
_OLDEST_WEIGHT = 2.5  # see _most_redundant
# FAT (USB sticks) keeps file times to two seconds.
_MTIME_SLACK_NS = 2_000_000_000
_STAMP = "%Y%m%d-%H%M%S"
# What older versions left when a backup was cut short: "<backup>.partial" and its journal.
_LEGACY_PARTIAL = re.compile(r"-备份-\d{8}-\d{6}-.+\.partial(?:-journal|-wal|-shm)?$")

# One automatic backup at a time in this process: two at once would both see the ledger as changed.
_RUNNING = threading.Lock()


@dataclass(frozen=True)
class BackupFile:
    path: Path
    made: dt.datetime
    reason: str  # 自动 (at opening) or 恢复前 (before a restore)

    @property
    def label(self) -> str:
        return f"{self.made:%Y年%m月%d日 %H:%M:%S}（{self.reason}）"


@dataclass(frozen=True)
class Budget:
    """备份空间上限: how much a ledger's backups may take together — `percent` of the space the backup disk
    has for them (its free space plus what they take already), or `fixed` bytes when the clerk set a size."""

    percent: int = DEFAULT_BUDGET_PERCENT
    fixed: int | None = None

    def limit(self, free: int, ours: int) -> int:
        if self.fixed is not None:
            return max(0, self.fixed)
        return (max(free, 0) + max(ours, 0)) * self.percent // 100

    def describe(self) -> str:
        if self.fixed is not None:
            return oserrors.human_size(self.fixed)
        return f"备份磁盘可用空间的 {self.percent}%"


@dataclass
class Outcome:
    """What an automatic backup did: the copy made, or why none was (unchanged, or `error` for the clerk)."""

    made: Path | None = None
    unchanged: bool = False
    error: str = ""
    warning: str = ""
    needed: int = 0  # the free space a refused backup would have needed
    removed: list[Path] = field(default_factory=list)
    cleaned: list[Path] = field(default_factory=list)


def _prefix(ledger: Path) -> str:
    return f"{ledger.stem}-备份-"


def backup_name(ledger: Path, reason: str, now: dt.datetime) -> str:
    return f"{_prefix(ledger)}{now.strftime(_STAMP)}-{reason}{ledger.suffix or '.db'}"


def _free_target(ledger: Path, folder: Path, reason: str, now: dt.datetime) -> Path:
    target = folder / backup_name(ledger, reason, now)
    n = 1
    while target.exists():  # two backups within one second
        n += 1
        target = folder / backup_name(ledger, f"{reason}{n}", now)
    return target


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
    return storage.backup_file(ledger, _free_target(ledger, folder, reason, now or dt.datetime.now()))


# --- what is kept ---------------------------------------------------------------------------------------


def _by_age(backups: list[BackupFile], now: dt.datetime) -> list[BackupFile]:
    """The backups (newest first) that thinning by age keeps: the newest RECENT, the newest of each day
    for DAILY_DAYS, of each week for WEEKLY_DAYS, and of each month."""
    keep = {b.path for b in backups[:RECENT]}
    days: set[dt.date] = set()
    weeks: set[tuple[int, int]] = set()
    months: set[tuple[int, int]] = set()
    for b in backups:  # newest first: the first seen of a day, week or month is its newest
        age = now - b.made
        iso = b.made.isocalendar()
        day, week, month = b.made.date(), (iso[0], iso[1]), (b.made.year, b.made.month)
        if (age < dt.timedelta(days=DAILY_DAYS) and day not in days) or (
            age < dt.timedelta(days=WEEKLY_DAYS) and week not in weeks
        ):
            keep.add(b.path)
        if month not in months:
            keep.add(b.path)
        days.add(day)
        weeks.add(week)
        months.add(month)
    return [b for b in backups if b.path in keep]


def _most_redundant(kept: list[BackupFile], now: dt.datetime) -> BackupFile:
    """The backup (never the newest) whose neighbours in time are closest together on a logarithmic scale:
    taking it away leaves the kept ones dense for today and sparse for months ago."""
    t = [math.log1p(max((now - b.made).total_seconds(), 0.0) / 86400) for b in kept]
    best, best_gap = len(kept) - 1, math.inf
    for i in range(1, len(kept)):
        # The oldest has no older neighbour. Counting its one gap a little more than twice lets it age
        # while the middle ones give way, so that thinning again at every opening still keeps a spread
        # (three kept: today, yesterday, a week ago) instead of settling on the last few days.
        gap = t[i + 1] - t[i - 1] if i + 1 < len(kept) else _OLDEST_WEIGHT * (t[i] - t[i - 1])
        if gap <= best_gap:  # on a tie the older goes
            best, best_gap = i, gap
    return kept[best]


def select(
    backups: list[BackupFile],
    now: dt.datetime,
    *,
    keep: int = DEFAULT_KEEP,
    budget: int | None = None,
    sizes: dict[Path, int] | None = None,
) -> list[BackupFile]:
    """The backups (newest first) kept: thinned by age, then, while more than `keep` or more than `budget`
    bytes, the most redundant one at a time. The newest is always kept."""
    kept = _by_age(sorted(backups, key=lambda b: b.made, reverse=True), now)
    size = sizes or {}

    def total() -> int:
        return sum(size.get(b.path, 0) for b in kept)

    while len(kept) > 1 and (len(kept) > max(keep, 1) or (budget is not None and total() > budget)):
        kept.remove(_most_redundant(kept, now))
    return kept


def _size(p: Path) -> int:
    try:
        return p.stat().st_size
    except OSError:
        return 0


def _delete(paths: Iterable[Path]) -> list[Path]:
    gone = []
    for p in paths:
        try:
            p.unlink()
            gone.append(p)
        except OSError:
            pass  # a backup open elsewhere stays; the next opening tries again
    return gone


def prune(
    ledger: Path, folder: Path, keep: int, *, budget: int | None = None, now: dt.datetime | None = None
) -> list[Path]:
    """Thins the backups of `ledger` to what :func:`select` keeps; returns what went."""
    backups = list_backups(ledger, folder)
    sizes = {b.path: _size(b.path) for b in backups}
    kept = {b.path for b in select(backups, now or dt.datetime.now(), keep=keep, budget=budget, sizes=sizes)}
    return _delete(b.path for b in backups if b.path not in kept)


# --- has it changed -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Mark:
    """What tells one state of a ledger from another cheaply, read the same from the ledger and a backup."""

    page_size: int
    pages: int
    free_pages: int
    user_version: int
    schema: str  # a digest of sqlite_master (the schema cookie is not carried into a copy)
    last_change: tuple[object, ...]  # the change log's last row

    @property
    def size(self) -> int:
        return self.page_size * self.pages


def _mark(path: Path, *, immutable: bool) -> _Mark:
    # The open ledger has its -wal beside it, and what is in it counts: it is read through SQLite's shared
    # memory like any reader. A file with nothing beside it (a backup) is read as immutable, which creates
    # nothing and takes no lock.
    sides = any(Path(str(path) + s).exists() for s in ("-wal", "-shm"))
    uri = path.resolve().as_uri() + ("?mode=ro" if sides and not immutable else "?mode=ro&immutable=1")
    con = sqlite3.connect(uri, uri=True)
    try:
        values = [con.execute(f"PRAGMA {p}").fetchone()[0] for p in ("page_size", "page_count", "freelist_count")]
        version = con.execute("PRAGMA user_version").fetchone()[0]
        schema = hashlib.sha1()
        for row in con.execute("SELECT type, name, sql FROM sqlite_master ORDER BY type, name"):
            schema.update(repr(row).encode())
        last = con.execute("SELECT rowid, batch, at FROM change_log ORDER BY rowid DESC LIMIT 1").fetchone()
    finally:
        con.close()
    return _Mark(*values, version, schema.hexdigest(), tuple(last or ()))


def changed_since(ledger: Path, newest: BackupFile | None, mark: _Mark | None = None) -> bool:
    """Whether `ledger` differs from its newest backup.

    Every change through the program writes the change log, in the same transaction: its last row, the
    page count, the free pages, the schema and the version, all read through SQLite (so edits still in
    the -wal count), are compared with the backup's own. A file replaced or edited outside the program is
    caught by its modification time being later than the backup's. All of it costs a few page reads on a
    ledger of any size; a digest of the content would read the whole file each time."""
    if newest is None:
        return True
    try:
        mine = mark or _mark(ledger, immutable=False)
        theirs = _mark(newest.path, immutable=True)
        if mine != theirs:
            return True
        return ledger.stat().st_mtime_ns > newest.path.stat().st_mtime_ns + _MTIME_SLACK_NS
    except (sqlite3.Error, OSError):
        return True  # unreadable backup, or unknown: a fresh copy is the safe side


# --- leftovers ------------------------------------------------------------------------------------------


def clean_partials(folder: Path) -> list[Path]:
    """Removes what cut-short backups left in `folder`: our temporary files whose process is gone (and
    their -journal/-wal), and the ``.partial`` files of older versions."""
    gone = outfile.clean_folder(folder)
    try:
        entries = list(folder.iterdir())
    except OSError:
        return gone
    return gone + _delete(p for p in entries if _LEGACY_PARTIAL.search(p.name) and p.is_file())


def _partials_of(target: Path) -> list[Path]:
    """The files this process is writing (or left) for the backup `target`."""
    mine = f"{outfile.TEMP_PREFIX}backup-{os.getpid()}-"
    tail = f"-{target.name}.part"
    legacy = target.name + ".partial"
    try:
        entries = list(target.parent.iterdir())
    except OSError:
        return []
    return [
        p
        for p in entries
        if (p.name.startswith(mine) and (p.name.endswith(tail) or f"{tail}-" in p.name))
        or p.name == legacy
        or p.name.startswith(legacy + "-")
    ]


# --- the backup at opening ------------------------------------------------------------------------------


def _free_bytes(folder: Path) -> int | None:
    return oserrors.free_bytes(folder)


def _probe(folder: Path) -> None:
    """Raises the OSError a write in `folder` meets (read-only, no permission): SQLite would only say
    "unable to open database file"."""
    p = outfile.temp_path(folder / "probe", "probe")
    with open(p, "xb"):
        pass
    p.unlink()


def _reserve(folder: Path) -> int:
    try:
        total = shutil.disk_usage(folder).total
    except OSError:
        return 0
    return min(RESERVE_MAX, int(total * RESERVE_SHARE))


def _why(exc: BaseException, target: Path, needed: int) -> str:
    if oserrors.is_disk_full(exc) or oserrors.is_read_only(exc):
        cause = exc.__cause__ if isinstance(exc, storage.LedgerError) and exc.__cause__ else exc
        return oserrors.explain(cause, target, needed=needed)
    return str(exc) or type(exc).__name__


class BackupJob:
    """One automatic backup of a ledger: made when the ledger changed, in room the disk has to spare, and
    undone if abandoned halfway (the window closing), so that no partial file outlives the program."""

    def __init__(
        self,
        ledger: Path,
        folder: Path,
        keep: int = DEFAULT_KEEP,
        budget: Budget | None = None,
        now: dt.datetime | None = None,
    ) -> None:
        self.ledger, self.folder, self.keep = Path(ledger), Path(folder), keep
        self.budget = budget or Budget()
        self.now = now
        self.target: Path | None = None
        self._abandoned = threading.Event()

    @property
    def abandoned(self) -> bool:
        return self._abandoned.is_set()

    def abandon(self) -> list[Path]:
        """Stops the backup from being finished or thinning anything, and removes its partial file now.

        Safe from another thread while :meth:`run` copies: on Linux the copy goes on into the removed file,
        whose space comes back when the process ends; the rename at its end then fails and nothing is left.
        """
        self._abandoned.set()
        return _delete(_partials_of(self.target)) if self.target is not None else []

    def run(self) -> Outcome:
        with _RUNNING:
            return self._run()

    def _run(self) -> Outcome:
        out = Outcome()
        now = self.now or dt.datetime.now()
        if self.folder.is_dir():
            out.cleaned = clean_partials(self.folder)
        try:
            mark = _mark(self.ledger, immutable=False)
        except (sqlite3.Error, OSError) as exc:
            out.error = f"自动备份未进行：无法读取台账（{exc}）"
            return out
        backups = list_backups(self.ledger, self.folder)
        sizes = {b.path: _size(b.path) for b in backups}
        free = _free_bytes(self.folder)
        limit = self.budget.limit(free or 0, sum(sizes.values())) if free is not None else None
        if not changed_since(self.ledger, backups[0] if backups else None, mark):
            out.unchanged = True
            kept = {b.path for b in select(backups, now, keep=self.keep, budget=limit, sizes=sizes)}
            if not self.abandoned:
                out.removed = _delete(b.path for b in backups if b.path not in kept)
            return out
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            _probe(self.folder)
        except OSError as exc:
            out.error = "自动备份未进行，台账本身未受影响。" + oserrors.explain(exc, self.folder)
            return out
        needed = mark.size
        target = _free_target(self.ledger, self.folder, "自动", now)
        sizes[target] = needed
        planned = [BackupFile(target, now, "自动"), *backups]
        # The budget always has room for the newest copy: the free-space check below is the hard limit.
        budget = max(limit, needed) if limit is not None else None
        kept = {b.path for b in select(planned, now, keep=self.keep, budget=budget, sizes=sizes)}
        drop = [b.path for b in backups if b.path not in kept]
        if limit is not None and limit < 2 * needed and len(backups) >= 1:
            out.warning = (
                f"备份空间上限（{self.budget.describe()}，即 {oserrors.human_size(limit)}）"
                f"只够保留 1 份 {oserrors.human_size(needed)} 的备份，可在“设置”中调大"
            )
        first = False
        if free is not None:
            freed = sum(sizes[p] for p in drop)
            reserve = _reserve(self.folder)
            if free + freed - needed < reserve:
                out.needed = needed + reserve - freed
                short = OSError(errno.ENOSPC, f"可用 {free} 字节，需要 {out.needed} 字节")
                out.error = "自动备份未进行，台账本身未受影响。" + oserrors.explain(short, target, needed=out.needed)
                return out
            first = free - needed < reserve  # room is made first, from backups that would go anyway
        if self.abandoned:
            return out
        if first:
            out.removed = _delete(drop)
        self.target = target
        try:
            storage.backup_file(self.ledger, target)
        except (storage.LedgerError, OSError, sqlite3.Error) as exc:
            _delete(_partials_of(target))
            if not self.abandoned:
                out.error = "自动备份失败，台账本身未受影响。" + _why(exc, target, needed)
            return out
        out.made = target
        if not first and not self.abandoned:
            out.removed = _delete(drop)
        return out


def backup_at_opening(
    ledger: Path,
    folder: Path,
    keep: int = DEFAULT_KEEP,
    *,
    budget: Budget | None = None,
    now: dt.datetime | None = None,
) -> Outcome:
    """The backup made when a ledger is opened for writing, if it changed since its newest backup; then
    the backups are thinned. Never raises for a failed backup: the outcome says why, for the clerk."""
    return BackupJob(ledger, folder, keep, budget, now).run()


# --- restore --------------------------------------------------------------------------------------------


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
