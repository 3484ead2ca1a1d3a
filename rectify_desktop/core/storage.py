"""One ledger = one SQLite file: checking, creating, opening, migrating, locking and backing it up.

A file is looked at before it is opened for writing, so that a refusal (not a ledger, too new, locked,
corrupt) never changes a byte of it. Older files are copied beside themselves, then migrated in one
transaction.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from peewee import SqliteDatabase

from rectify_desktop.core.models import ALL_MODELS, db

# "ZGTZ" (整改台账) as a big-endian integer: marks the file as ours for `file`, SQLite tools and us.
APPLICATION_ID = 0x5A47545A
SCHEMA_VERSION = 2
SQLITE_MAGIC = b"SQLite format 3\x00"

PRAGMAS: dict[str, object] = {
    "foreign_keys": 1,
    "journal_mode": "wal",
    # FULL: a committed edit survives a power cut, not just a crash; edits are small, so it costs nothing felt.
    "synchronous": "full",
    "busy_timeout": 5000,
    "cache_size": -16000,
}


class LedgerError(Exception):
    """A ledger file cannot be used; the message is for the clerk, in Chinese."""


class NotALedgerError(LedgerError):
    pass


class TooNewError(LedgerError):
    pass


class CorruptLedgerError(LedgerError):
    pass


class LockedError(LedgerError):
    """Another program window has the ledger open for writing."""


class ReadOnlyFileError(LedgerError):
    """The file (or its folder) cannot be written; it may still be opened read-only."""


@dataclass(frozen=True)
class FileInfo:
    application_id: int
    user_version: int


def _uri(path: Path, readonly: bool) -> str:
    uri = path.resolve().as_uri()
    return uri + ("?mode=ro" if readonly else "")


def inspect_file(path: str | os.PathLike[str]) -> FileInfo:
    """Reads what kind of file `path` is, without changing it. Raises LedgerError with the reason."""
    p = Path(path)
    if not p.exists():
        raise LedgerError(f"找不到台账文件：{p}")
    if p.is_dir():
        raise LedgerError(f"这是一个文件夹，不是台账文件：{p}")
    try:
        with p.open("rb") as fh:
            header = fh.read(100)
    except OSError as exc:
        raise LedgerError(f"无法读取文件：{p}（{exc.strerror or exc}）") from exc
    if len(header) < 100 or not header.startswith(SQLITE_MAGIC):
        raise NotALedgerError(f"该文件不是整改台账文件：{p}")
    try:
        con = sqlite3.connect(_uri(p, readonly=True), uri=True)
        try:
            app_id = con.execute("PRAGMA application_id").fetchone()[0]
            version = con.execute("PRAGMA user_version").fetchone()[0]
            con.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise CorruptLedgerError(f"台账文件已损坏，无法读取：{p}（{exc}）") from exc
    if app_id != APPLICATION_ID:
        raise NotALedgerError(f"该文件是 SQLite 数据库，但不是整改台账文件：{p}")
    if version > SCHEMA_VERSION:
        raise TooNewError(
            f"该台账由更新版本的整改台账程序创建（文件版本 {version}，本程序支持到版本 {SCHEMA_VERSION}），"
            f"请升级程序后再打开：{p}"
        )
    return FileInfo(app_id, version)


class FileLock:
    """An exclusive lock on `<ledger>.lock`, held by the operating system.

    The OS drops it when the process dies, even by SIGKILL, so a crash never leaves a ledger locked.
    """

    def __init__(self, ledger_path: Path) -> None:
        self.path = ledger_path.with_name(ledger_path.name + ".lock")
        self._fh: object | None = None

    def acquire(self) -> bool:
        fh = open(self.path, "a+b")  # noqa: SIM115 - held open for the life of the lock
        try:
            if os.name == "nt":
                import msvcrt

                fh.seek(0)
                msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
            else:
                import fcntl

                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.close()
            return False
        self._fh = fh
        return True

    def release(self) -> None:
        fh = self._fh
        if fh is None:
            return
        self._fh = None
        try:
            if os.name != "nt":
                # Unlink while still holding the lock, so that nobody can lock a file that is about to vanish.
                self.path.unlink(missing_ok=True)
            fh.close()  # type: ignore[attr-defined]
            if os.name == "nt":
                self.path.unlink(missing_ok=True)
        except OSError:
            pass


def _connect(path: Path, readonly: bool) -> None:
    if not db.is_closed():
        db.close()
    pragmas = dict(PRAGMAS)
    if readonly:
        del pragmas["journal_mode"]
        pragmas["query_only"] = 1
    # A read-only look at a writable file still opens it read-write (with query_only), so that SQLite can
    # tidy away its -wal and -shm files on close; only a file that cannot be written is opened mode=ro.
    ro_uri = readonly and not os.access(path, os.W_OK)
    db.init(_uri(path, ro_uri), pragmas=pragmas, uri=True, check_same_thread=False)
    db.connect()


def _stamp_new_schema(database: SqliteDatabase) -> None:
    database.create_tables(ALL_MODELS)
    database.execute_sql(f"PRAGMA application_id = {APPLICATION_ID}")
    database.execute_sql(f"PRAGMA user_version = {SCHEMA_VERSION}")


def create_file(path: str | os.PathLike[str]) -> Path:
    """Creates an empty ledger at `path` (which must not exist), whole or not at all."""
    p = Path(path)
    if p.exists():
        raise LedgerError(f"文件已存在：{p}")
    if not p.parent.exists():
        raise LedgerError(f"文件夹不存在：{p.parent}")
    tmp = p.with_name(p.name + ".creating")
    for stale in (tmp, Path(str(tmp) + "-wal"), Path(str(tmp) + "-shm")):
        stale.unlink(missing_ok=True)
    try:
        fresh = SqliteDatabase(str(tmp), pragmas={"foreign_keys": 1})
        with fresh.bind_ctx(ALL_MODELS):
            fresh.connect()
            with fresh.atomic():
                _stamp_new_schema(fresh)
            fresh.execute_sql("PRAGMA journal_mode = wal")
            fresh.close()
        os.replace(tmp, p)
    except (OSError, sqlite3.Error) as exc:
        tmp.unlink(missing_ok=True)
        raise LedgerError(f"无法创建台账文件：{p}（{exc}）") from exc
    return p


def backup_path_for(path: Path, version: int, now: dt.datetime | None = None) -> Path:
    stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    return path.with_name(f"{path.stem}-升级前备份-v{version}-{stamp}{path.suffix}")


def backup_file(src: str | os.PathLike[str], out: str | os.PathLike[str]) -> Path:
    """A consistent copy of a ledger through SQLite's backup API; safe while another process writes it."""
    s, o = Path(src), Path(out)
    inspect_file(s)
    if o.exists() and o.resolve() == s.resolve():
        raise LedgerError("备份文件不能与台账文件相同")
    if not o.parent.exists():
        raise LedgerError(f"文件夹不存在：{o.parent}")
    tmp = o.with_name(o.name + ".partial")
    try:
        source = sqlite3.connect(_uri(s, readonly=True), uri=True)
        try:
            target = sqlite3.connect(str(tmp))
            try:
                source.backup(target)
                # A backup is one self-contained file: no -wal beside it.
                target.execute("PRAGMA journal_mode = delete")
            finally:
                target.close()
        finally:
            source.close()
        os.replace(tmp, o)
    except (OSError, sqlite3.Error) as exc:
        tmp.unlink(missing_ok=True)
        raise LedgerError(f"备份失败：{o}（{exc}）") from exc
    return o


# Each step takes the schema from version N to N+1; it runs inside the migration's one transaction.
def _migrate_1_to_2(database: SqliteDatabase) -> None:
    from rectify_desktop.core.models import MeetingItem, Setting

    # Version 2 added the ledger settings, the link from meetings to the items they discussed, and the
    # change log's indexes.
    database.create_tables([Setting, MeetingItem])
    database.execute_sql("CREATE INDEX IF NOT EXISTS change_log_entity_entity_id ON change_log (entity, entity_id)")
    database.execute_sql("CREATE INDEX IF NOT EXISTS change_log_at ON change_log (at)")


MIGRATIONS: dict[int, Callable[[SqliteDatabase], None]] = {1: _migrate_1_to_2}


def migrate(path: Path, version: int) -> Path:
    """Backs the file up beside itself, then migrates it in one transaction. Returns the backup's path."""
    backup = backup_file(path, backup_path_for(path, version))
    _connect(path, readonly=False)
    try:
        with db.atomic():
            for v in range(version, SCHEMA_VERSION):
                MIGRATIONS[v](db)
            db.execute_sql(f"PRAGMA user_version = {SCHEMA_VERSION}")
    except Exception as exc:
        db.close()
        raise LedgerError(f"台账升级失败，文件未改动，升级前的备份在：{backup}（{exc}）") from exc
    return backup


@dataclass
class OpenResult:
    path: Path
    readonly: bool
    lock: FileLock | None
    migrated_backup: Path | None


def open_file(path: str | os.PathLike[str], *, readonly: bool = False) -> OpenResult:
    """Checks, locks, migrates if needed, and connects the global database to `path`."""
    p = Path(path)
    info = inspect_file(p)
    if readonly:
        if info.user_version < SCHEMA_VERSION:
            raise LedgerError(f"该台账是旧版本（版本 {info.user_version}），请先以可写方式打开一次以完成升级：{p}")
        _connect(p, readonly=True)
        return OpenResult(p, True, None, None)
    if not os.access(p, os.W_OK) or not os.access(p.parent, os.W_OK):
        raise ReadOnlyFileError(f"台账文件或其所在文件夹是只读的，无法保存修改：{p}")
    lock = FileLock(p)
    try:
        locked = lock.acquire()
    except OSError as exc:
        raise ReadOnlyFileError(f"无法在台账所在文件夹写入：{p}（{exc}）") from exc
    if not locked:
        raise LockedError(f"该台账已在另一个整改台账窗口中打开：{p}")
    backup = None
    try:
        if info.user_version < SCHEMA_VERSION:
            backup = migrate(p, info.user_version)
        _connect(p, readonly=False)
    except BaseException:
        lock.release()
        raise
    return OpenResult(p, False, lock, backup)
