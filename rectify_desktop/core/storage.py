"""One ledger = one SQLite file: checking, creating, opening, migrating, locking and backing it up.

A file is looked at before it is opened for writing, so that a refusal (not a ledger, too new, locked,
corrupt) never changes a byte of it. Older files are copied beside themselves, then migrated in one
transaction.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from peewee import PeeweeException as PeeweeError
from peewee import SqliteDatabase

from rectify_desktop.core import fileops
from rectify_desktop.core.models import ALL_MODELS, VERSIONED, db, sqlite_db

# "ZGTZ" (整改台账) as a big-endian integer: marks the file as ours for `file`, SQLite tools and us.
APPLICATION_ID = 0x5A47545A
SCHEMA_VERSION = 6
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


class ForeignSchemaError(LedgerError):
    """The file holds tables, triggers, views or indexes the program did not create (改动过的台账)."""


@dataclass(frozen=True)
class FileInfo:
    application_id: int
    user_version: int


def _uri(path: Path, readonly: bool, *, immutable: bool = False) -> str:
    uri = path.resolve().as_uri()
    if immutable:
        return uri + "?mode=ro&immutable=1"
    return uri + ("?mode=ro" if readonly else "")


def wal_path(path: Path) -> Path:
    return path.with_name(path.name + "-wal")


def shm_path(path: Path) -> Path:
    return path.with_name(path.name + "-shm")


def pending_wal(path: str | os.PathLike[str]) -> int:
    """Bytes in the ledger's -wal: edits not yet folded into the file itself (0 when there are none)."""
    try:
        return wal_path(Path(path)).stat().st_size
    except OSError:
        return 0


def in_use_by_writer(path: str | os.PathLike[str]) -> bool:
    """True while a program window (or command) has the ledger open for writing."""
    p = Path(path)
    if not os.access(p.parent, os.W_OK):
        return False  # nobody can write there
    lock = FileLock(p)
    try:
        got = lock.acquire(shared=True)
    except OSError:
        return False
    if got:
        lock.release()
    return not got


def _folder_writable(p: Path) -> bool:
    return os.access(p.parent, os.W_OK) and (not p.exists() or os.access(p, os.W_OK))


def _side_files_present(p: Path) -> bool:
    return wal_path(p).exists() or shm_path(p).exists()


def _header_numbers(header: bytes) -> tuple[int, int]:
    """(application_id, user_version) from a SQLite header: both big-endian at fixed offsets."""
    user_version = int.from_bytes(header[60:64], "big", signed=True)
    app_id = int.from_bytes(header[68:72], "big", signed=True)
    return app_id, user_version


def inspect_file(path: str | os.PathLike[str]) -> FileInfo:
    """Reads what kind of file `path` is, without changing it or leaving anything beside it.

    Raises LedgerError with the reason."""
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
    app_id, version = _header_numbers(header)
    if app_id != APPLICATION_ID:
        raise NotALedgerError(f"该文件是 SQLite 数据库，但不是整改台账文件：{p}")
    if version > SCHEMA_VERSION:
        raise TooNewError(
            f"该台账由更新版本的整改台账程序创建（文件版本 {version}，本程序支持到版本 {SCHEMA_VERSION}），"
            f"请升级程序后再打开：{p}"
        )
    if version < 1:
        raise CorruptLedgerError(f"台账文件的版本号无效（{version}），文件可能被其他程序改动过，未打开：{p}")
    try:
        # Only when a -wal is there can the header be stale, and only then are SQLite's shared files needed;
        # otherwise the file is read as immutable, which creates nothing beside it.
        immutable = not _side_files_present(p)
        con = sqlite3.connect(_uri(p, readonly=True, immutable=immutable), uri=True)
        try:
            app_id = con.execute("PRAGMA application_id").fetchone()[0]
            version = con.execute("PRAGMA user_version").fetchone()[0]
            con.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        if not immutable and not _folder_writable(p):
            return FileInfo(app_id, version)  # a -wal in a read-only place: the snapshot copy will read it
        raise CorruptLedgerError(f"台账文件已损坏，无法读取：{p}（{exc}）") from exc
    if version > SCHEMA_VERSION:
        raise TooNewError(
            f"该台账由更新版本的整改台账程序创建（文件版本 {version}，本程序支持到版本 {SCHEMA_VERSION}），"
            f"请升级程序后再打开：{p}"
        )
    return FileInfo(app_id, version)


# --- the schema the program made ------------------------------------------------------------------------

_expected: dict[tuple[str, str], str] | None = None


def _norm_sql(sql: str | None) -> str:
    return " ".join((sql or "").replace("IF NOT EXISTS ", "").split()).replace("( ", "(").replace(" )", ")")


def expected_schema() -> dict[tuple[str, str], str]:
    """(type, name) -> normalised SQL of every object a ledger of this version holds."""
    global _expected
    if _expected is None:
        fresh = SqliteDatabase(":memory:")
        with fresh.bind_ctx(ALL_MODELS):
            fresh.connect()
            _stamp_new_schema(fresh)
            _expected = {
                (t, n): _norm_sql(sql)
                for t, n, sql in fresh.execute_sql("SELECT type, name, sql FROM sqlite_master").fetchall()
                if not n.startswith("sqlite_")
            }
            fresh.close()
    return _expected


_KIND_NAMES = {"table": "数据表", "index": "索引", "trigger": "触发器", "view": "视图"}


# What a file of an older version holds instead of today's definition (version → (type, name) → SQL); an
# object missing from an older file is no problem, since the migration creates it.
_OLDER_ITEM_COLUMN = ', "item_id" INTEGER)'


_ROW_VERSION_COLUMN = ' "row_version" INTEGER NOT NULL DEFAULT 1'


def _older_forms(version: int) -> dict[tuple[str, str], str]:
    out: dict[tuple[str, str], str] = {}
    want = expected_schema()
    if version < 3:  # before 3 the change log did not record the item of each row
        out[("table", "change_log")] = want[("table", "change_log")].replace(_OLDER_ITEM_COLUMN, ")")
    for model in VERSIONED:
        key = ("table", model._meta.table_name)
        if version < 6:  # before 6 no row carried a version
            out[key] = want[key].replace("," + _ROW_VERSION_COLUMN, "")
        else:  # migrated to 6: SQLite's ADD COLUMN puts the version after the columns, before the constraints
            bare = want[key].replace("," + _ROW_VERSION_COLUMN, "")
            cut = bare.find(", FOREIGN KEY")
            cut = cut if cut >= 0 else len(bare) - 1
            out[key] = bare[:cut] + "," + _ROW_VERSION_COLUMN + bare[cut:]
    return out


def schema_problems(con: sqlite3.Connection | SqliteDatabase, version: int = SCHEMA_VERSION) -> list[str]:
    """Objects in the file that the program did not create, or whose definition was changed, in Chinese.

    A trigger can delete or rewrite data behind every edit and import; a view or a changed table can make
    the program read something other than what it wrote. None of them belongs in a ledger. `version` is the
    file's schema version: a file about to be migrated may hold an older definition of what it migrates."""
    con = getattr(con, "obj", con)  # the models' proxy: the database it stands for
    rows = (con.execute_sql if isinstance(con, SqliteDatabase) else con.execute)(
        "SELECT type, name, sql FROM sqlite_master"
    ).fetchall()
    want = expected_schema()
    older = _older_forms(version)
    problems = []
    for kind, name, sql in rows:
        if name.startswith("sqlite_"):
            continue  # SQLite's own: automatic indexes, sequences, statistics
        label = _KIND_NAMES.get(kind, kind)
        if (kind, name) not in want:
            problems.append(f"{label}“{name}”不是本程序创建的")
        elif want[(kind, name)] != _norm_sql(sql) and older.get((kind, name)) != _norm_sql(sql):
            problems.append(f"{label}“{name}”的定义与本程序创建的不同（不是本程序创建的定义）")
    return problems


def foreign_schema_message(p: Path, problems: list[str]) -> str:
    listed = "；".join(problems[:5]) + ("……" if len(problems) > 5 else "")
    return (
        f"台账文件中有不是本程序创建的数据库对象，可能被其他程序改动过。为防止数据被暗中修改，"
        f"不能以可写方式打开，只能只读查看：{p}（{listed}）"
    )


class FileLock:
    """A lock on `<ledger>.lock`, held by the operating system: exclusive for the one writer, shared for
    readers that look at the file as immutable (so that no writer starts under them).

    The OS drops it when the process dies, even by SIGKILL, so a crash never leaves a ledger locked. The
    file is removed only by a holder of the exclusive lock, and whoever locks checks afterwards that the
    file it locked is still the one at that name: otherwise a process could lock a file that was just
    removed while a second one locks its successor, and two writers would be in at once.
    """

    def __init__(self, ledger_path: Path) -> None:
        self.path = ledger_path.with_name(ledger_path.name + ".lock")
        self._fh: object | None = None
        self.shared = False

    def acquire(self, *, shared: bool = False) -> bool:
        for _ in range(50):  # a lost race with a remover is retried; fifty in a row cannot happen honestly
            fh = open(self.path, "a+b")  # noqa: SIM115 - held open for the life of the lock
            try:
                if not self._lock(fh, shared):
                    fh.close()
                    return False
                if self._still_ours(fh):
                    self._fh = fh
                    self.shared = shared
                    return True
            except OSError:
                fh.close()
                raise
            fh.close()  # locked a file that its holder removed meanwhile: lock the one there now
        return False

    @staticmethod
    def _lock(fh: object, shared: bool) -> bool:
        try:
            if os.name == "nt":
                import msvcrt

                fh.seek(0)  # type: ignore[attr-defined]
                msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
            else:
                import fcntl

                flags = fcntl.LOCK_SH if shared else fcntl.LOCK_EX
                fcntl.flock(fh.fileno(), flags | fcntl.LOCK_NB)  # type: ignore[attr-defined]
        except (BlockingIOError, PermissionError):
            return False
        except OSError as exc:
            if exc.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK, getattr(errno, "EDEADLOCK", -1)):
                return False
            raise
        return True

    def _still_ours(self, fh: object) -> bool:
        try:
            now = os.stat(self.path)
        except FileNotFoundError:
            return False
        mine = os.fstat(fh.fileno())  # type: ignore[attr-defined]
        return (now.st_dev, now.st_ino) == (mine.st_dev, mine.st_ino)

    def release(self) -> None:
        fh = self._fh
        if fh is None:
            return
        self._fh = None
        try:
            if os.name != "nt":
                import fcntl

                if self.shared:
                    # The last reader tidies the file away, but only if it can become the sole holder.
                    try:
                        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)  # type: ignore[attr-defined]
                    except OSError:
                        fh.close()  # type: ignore[attr-defined]
                        return
                if self._still_ours(fh):
                    self.path.unlink(missing_ok=True)  # while holding the exclusive lock
            fh.close()  # type: ignore[attr-defined]
            if os.name == "nt":
                self.path.unlink(missing_ok=True)  # fails harmlessly while another process has it open
        except OSError:
            pass


@dataclass
class ReadState:
    """How a read-only look at a ledger is made, and what to undo when it ends."""

    uri: str
    reason: str = ""
    lock: FileLock | None = None
    snapshot: Path | None = None

    def release(self) -> None:
        if self.lock is not None:
            self.lock.release()
            self.lock = None
        if self.snapshot is not None:
            shutil.rmtree(self.snapshot, ignore_errors=True)
            self.snapshot = None


READ_ONLY_PLACE = "台账所在的位置是只读的（如写保护的U盘、只读共享文件夹或光盘），只能查看、统计和导出，不能修改"
READ_ONLY_FILE = "台账文件被设置为只读，只能查看、统计和导出，不能修改"


def read_state(path: Path) -> ReadState:
    """Chooses how to read `path` without writing anything beside it.

    With no -wal and no -shm beside the file, it is read as immutable under a shared lock, which keeps
    the program's writers out while the reading lasts, so nothing is created. With them there a writer
    may be at work, and SQLite's shared memory is needed: a writable place is read normally (the files
    exist already); a read-only place with edits still in its -wal is read from a copy of both in a
    temporary folder, since SQLite cannot set up its shared memory there.
    """
    p = Path(path)
    writable = _folder_writable(p)
    reason = "" if writable else (READ_ONLY_PLACE if not os.access(p.parent, os.W_OK) else READ_ONLY_FILE)
    if not _side_files_present(p):
        lock = None
        if os.access(p.parent, os.W_OK):
            lock = FileLock(p)
            try:
                if not lock.acquire(shared=True):
                    lock = None  # a writer is just starting: read alongside it, as SQLite allows
                    return ReadState(_uri(p, not writable), reason)
            except OSError:
                lock = None
        return ReadState(_uri(p, True, immutable=True), reason, lock)
    if writable:
        # Opened read-write with query_only, so that SQLite, as the last one out, can tidy the files away.
        return ReadState(_uri(p, False), reason)
    if pending_wal(p) == 0:
        return ReadState(_uri(p, True, immutable=True), reason)
    from rectify_desktop.core.outfile import TEMP_PREFIX

    snap = Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}ro-{os.getpid()}-"))
    try:
        copy = snap / p.name
        shutil.copyfile(p, copy)
        shutil.copyfile(wal_path(p), wal_path(copy))
    except OSError as exc:
        shutil.rmtree(snap, ignore_errors=True)
        raise LedgerError(f"无法读取只读位置上的台账：{p}（{exc}）") from exc
    note = "；台账旁有尚未合并的修改（-wal 文件），已从临时副本读取，内容完整"
    return ReadState(_uri(copy, False), reason + note, None, snap)


def _connect(path: Path, readonly: bool) -> ReadState | None:
    if not db.is_closed():
        db.close()
    pragmas = dict(PRAGMAS)
    state = None
    if readonly:
        del pragmas["journal_mode"]
        pragmas["query_only"] = 1
        state = read_state(path)
        uri = state.uri
    else:
        uri = _uri(path, False)
    db.initialize(sqlite_db)
    sqlite_db.init(uri, pragmas=pragmas, uri=True, check_same_thread=False)
    try:
        db.connect()
    except BaseException:
        if state is not None:
            state.release()
        raise
    return state


def _stamp_new_schema(database: SqliteDatabase) -> None:
    database.create_tables(ALL_MODELS)
    database.execute_sql(f"PRAGMA application_id = {APPLICATION_ID}")
    database.execute_sql(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _write_error(what: str, p: Path, exc: BaseException) -> LedgerError:
    from rectify_desktop.core import oserrors

    return LedgerError(f"{what}：{oserrors.explain(exc, p)}")


def create_file(path: str | os.PathLike[str]) -> Path:
    """Creates an empty ledger at `path` (which must not exist), whole or not at all."""
    p = Path(path)
    if p.exists():
        raise LedgerError(f"文件已存在：{p}")
    if not p.parent.exists():
        raise LedgerError(f"文件夹不存在：{p.parent}")
    if not os.access(p.parent, os.W_OK):
        # SQLite says only "unable to open database file" there: the clerk needs the reason and what to do.
        raise ReadOnlyFileError(
            f"无法在此新建台账文件：所在位置是只读的（如写保护的U盘、只读共享文件夹或光盘），请换一个位置：{p}"
        )
    from rectify_desktop.core.outfile import remember_folder, temp_path

    remember_folder(p.parent)
    tmp = temp_path(p, "new")
    try:
        fresh = SqliteDatabase(str(tmp), pragmas={"foreign_keys": 1})
        with fresh.bind_ctx(ALL_MODELS):
            fresh.connect()
            try:
                with fresh.atomic():
                    _stamp_new_schema(fresh)
                fresh.execute_sql("PRAGMA journal_mode = wal")
            finally:
                fresh.close()
        fileops.sync(tmp)
        fileops.move_new(tmp, p)
    except fileops.TargetExistsError:
        fileops.remove_with_sides(tmp)
        raise LedgerError(f"文件已存在：{p}") from None
    except (OSError, sqlite3.Error, PeeweeError) as exc:
        fileops.remove_with_sides(tmp)
        raise _write_error(f"无法创建台账文件 {p}", p, exc) from exc
    return p


def backup_path_for(path: Path, version: int, now: dt.datetime | None = None) -> Path:
    stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    out = path.with_name(f"{path.stem}-升级前备份-v{version}-{stamp}{path.suffix}")
    n = 1
    while out.exists():  # a second attempt within the same second keeps the first backup
        n += 1
        out = path.with_name(f"{path.stem}-升级前备份-v{version}-{stamp}-{n}{path.suffix}")
    return out


def backup_file(src: str | os.PathLike[str], out: str | os.PathLike[str]) -> Path:
    """A consistent copy of a ledger through SQLite's backup API; safe while another process writes it.

    The copy is made under a temporary name beside `out` and renamed when whole; nothing is created beside
    the source, and a failure (a full disk) leaves nothing behind."""
    s, o = Path(src), Path(out)
    inspect_file(s)
    from rectify_desktop.core.outfile import OutputError, check_target, remember_folder, temp_path

    if o.exists() and (o.resolve() == s.resolve() or os.path.samefile(o, s)):
        raise LedgerError("备份文件不能与台账文件相同")
    if not o.parent.exists():
        raise LedgerError(f"文件夹不存在：{o.parent}")
    try:
        # Never over the ledger, its -wal/-shm/.lock, the open ledger, or any other ledger file.
        check_target(o, [s])
    except OutputError as exc:
        raise LedgerError(f"备份失败：{exc}") from exc
    remember_folder(o.parent)
    tmp = temp_path(o, "backup")
    state = read_state(s)
    try:
        source = sqlite3.connect(state.uri, uri=True)
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
        fileops.fsync_file(tmp)
        os.replace(tmp, o)
        fileops.fsync_dir(o.parent)
    except (OSError, sqlite3.Error) as exc:
        fileops.remove_with_sides(tmp)
        raise _write_error(f"备份失败 {o}", o, exc) from exc
    except BaseException:
        fileops.remove_with_sides(tmp)
        raise
    finally:
        state.release()
    return o


# Each step takes the schema from version N to N+1; it runs inside the migration's one transaction.
def _migrate_1_to_2(database: SqliteDatabase) -> None:
    from rectify_desktop.core.models import MeetingItem, Setting

    # Version 2 added the ledger settings, the link from meetings to the items they discussed, and the
    # change log's indexes.
    database.create_tables([Setting, MeetingItem])
    database.execute_sql("CREATE INDEX IF NOT EXISTS change_log_entity_entity_id ON change_log (entity, entity_id)")
    database.execute_sql("CREATE INDEX IF NOT EXISTS change_log_at ON change_log (at)")


# The change-log rows of an item's children and the table that tells their item, for the migration to 3.
_LOG_CHILD_TABLES: dict[str, str] = {
    "整改措施": "measure",
    "佐证材料": "evidence",
    "销号": "write_off",
    "制度关联": "institution_item",
    "会议关联": "meeting_item",
}


def _migrate_2_to_3(database: SqliteDatabase) -> None:
    # Version 3 records with each change-log row the item (细化问题) it is about, so that an item's history
    # keeps the rows of a measure or an evidence file after it is deleted. Rows already written get their
    # item where it can still be known: the item's own rows, and those of children that still exist.
    columns = [r[1] for r in database.execute_sql("PRAGMA table_info(change_log)").fetchall()]
    if "item_id" not in columns:  # a file whose change log was made with the column already (tests' old files)
        database.execute_sql('ALTER TABLE "change_log" ADD COLUMN "item_id" INTEGER')
    database.execute_sql('CREATE INDEX IF NOT EXISTS "change_log_item_id" ON "change_log" ("item_id")')
    database.execute_sql(
        "UPDATE change_log SET item_id = entity_id WHERE item_id IS NULL AND entity = '细化问题'"
        " AND entity_id IN (SELECT id FROM item)"
    )
    for entity, table in _LOG_CHILD_TABLES.items():
        database.execute_sql(
            f'UPDATE change_log SET item_id = (SELECT c.item_id FROM "{table}" AS c WHERE c.id = change_log.entity_id)'
            " WHERE item_id IS NULL AND entity = ?",
            (entity,),
        )


def _migrate_3_to_4(database: SqliteDatabase) -> None:
    from rectify_desktop.core.models import Accountability, MoneyEntry

    # Version 4 adds the results of the rectification (整改成效): people held accountable and money, per
    # item or for the whole inspection. Only new tables: nothing already in the file changes.
    database.create_tables([Accountability, MoneyEntry])


def _migrate_4_to_5(database: SqliteDatabase) -> None:
    from rectify_desktop.core.models import FillOutReturn, FillOutRound, ProgressReport

    # Version 5 keeps the monthly round in the ledger: the fill-out workbooks sent, those merged back, and
    # the progress reports made (each the 上期 of the next). Only new tables.
    database.create_tables([FillOutRound, FillOutReturn, ProgressReport])


def _migrate_5_to_6(database: SqliteDatabase) -> None:
    # Version 6 gives every row the clerk edits a version, raised by each edit, so that a server ledger
    # refuses an edit made on what someone else changed since (and a ledger pulled from a server keeps them).
    for model in VERSIONED:
        table = model._meta.table_name
        # A table an earlier step created from today's models (整改成效, the monthly round) has it already.
        if "row_version" not in {r[1] for r in database.execute_sql(f'PRAGMA table_info("{table}")').fetchall()}:
            database.execute_sql(f'ALTER TABLE "{table}" ADD COLUMN{_ROW_VERSION_COLUMN}')
    database.execute_sql('CREATE INDEX IF NOT EXISTS "change_log_batch" ON "change_log" ("batch")')


MIGRATIONS: dict[int, Callable[[SqliteDatabase], None]] = {
    1: _migrate_1_to_2,
    2: _migrate_2_to_3,
    3: _migrate_3_to_4,
    4: _migrate_4_to_5,
    5: _migrate_5_to_6,
}


def migrate(path: Path, version: int) -> Path:
    """Backs the file up beside itself, then migrates it in one transaction. Returns the backup's path."""
    if version not in MIGRATIONS and version != SCHEMA_VERSION:
        raise CorruptLedgerError(f"台账文件的版本号无效（{version}），无法升级，文件未改动：{path}")
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
    read: ReadState | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def readonly_reason(self) -> str:
        return self.read.reason if self.read is not None else ""


def _check_schema_before_writing(p: Path, version: int) -> None:
    con = sqlite3.connect(_uri(p, False), uri=True)
    try:
        problems = schema_problems(con, version)
    except sqlite3.DatabaseError as exc:
        raise CorruptLedgerError(f"台账文件已损坏，无法读取：{p}（{exc}）") from exc
    finally:
        con.close()
    if problems:
        raise ForeignSchemaError(foreign_schema_message(p, problems))


def open_file(path: str | os.PathLike[str], *, readonly: bool = False) -> OpenResult:
    """Checks, locks, migrates if needed, and connects the global database to `path`."""
    p = Path(path)
    info = inspect_file(p)
    if readonly:
        if READ_FROM_COPY <= info.user_version < SCHEMA_VERSION:
            return _open_older_readonly(p, info.user_version)
        if info.user_version < SCHEMA_VERSION:
            raise LedgerError(f"该台账是旧版本（版本 {info.user_version}），请先以可写方式打开一次以完成升级：{p}")
        state = _connect(p, readonly=True)
        result = OpenResult(p, True, None, None, state)
        try:
            problems = schema_problems(db)
        except (sqlite3.DatabaseError, PeeweeError) as exc:
            _close_quietly(state)
            raise CorruptLedgerError(f"台账文件已损坏，无法读取：{p}（{exc}）") from exc
        if problems:
            result.warnings.append(foreign_schema_message(p, problems))
        return result
    if not os.access(p, os.W_OK) or not os.access(p.parent, os.W_OK):
        reason = READ_ONLY_PLACE if not os.access(p.parent, os.W_OK) else READ_ONLY_FILE
        raise ReadOnlyFileError(f"{reason}：{p}")
    lock = FileLock(p)
    try:
        locked = lock.acquire()
    except OSError as exc:
        raise ReadOnlyFileError(f"无法在台账所在文件夹写入：{p}（{exc}）") from exc
    if not locked:
        raise LockedError(f"该台账已在另一个整改台账窗口中打开：{p}")
    backup = None
    try:
        _check_schema_before_writing(p, info.user_version)
        if info.user_version < SCHEMA_VERSION:
            backup = migrate(p, info.user_version)
        _connect(p, readonly=False)
    except BaseException:
        if not db.is_closed():
            db.close()
        lock.release()
        raise
    return OpenResult(p, False, lock, backup)


# The oldest version a read-only opening reads from a migrated copy: version 2 differs from 3 only in the
# change log's item column, and 3 from 4 only in two new tables (整改成效), so a ledger written before them
# still opens where it cannot be written (a write-protected stick). Older files must be opened writable
# once, as before.
READ_FROM_COPY = 2


def _open_older_readonly(p: Path, version: int) -> OpenResult:
    """An older ledger opened read-only: nothing may be written to it, so a copy in a temporary folder is
    migrated and read, and removed when the ledger is closed; the file itself is not touched."""
    from rectify_desktop.core.outfile import TEMP_PREFIX

    snap = Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}ro-{os.getpid()}-"))
    state: ReadState | None = None
    try:
        copy = backup_file(p, snap / p.name)  # the whole ledger, edits still in a -wal beside it included
        con = sqlite3.connect(str(copy))
        try:
            problems = schema_problems(con, version)
        finally:
            con.close()
        _connect(copy, readonly=False)
        try:
            with db.atomic():
                for v in range(version, SCHEMA_VERSION):
                    MIGRATIONS[v](db)
                db.execute_sql(f"PRAGMA user_version = {SCHEMA_VERSION}")
        finally:
            db.close()
        state = _connect(copy, readonly=True)
    except (OSError, sqlite3.Error, PeeweeError, LedgerError) as exc:
        if state is not None:
            _close_quietly(state)
        shutil.rmtree(snap, ignore_errors=True)
        raise LedgerError(f"无法以只读方式打开旧版本（版本 {version}）的台账：{p}（{exc}）") from exc
    writable = _folder_writable(p)
    reason = "" if writable else (READ_ONLY_PLACE if not os.access(p.parent, os.W_OK) else READ_ONLY_FILE)
    note = f"该台账是旧版本（版本 {version}），只读查看时从升级后的临时副本读取，文件本身未改动"
    state.reason = f"{reason}；{note}" if reason else note
    state.snapshot = snap  # removed with the reading
    result = OpenResult(p, True, None, None, state)
    if problems:
        result.warnings.append(foreign_schema_message(p, problems))
    return result


def _close_quietly(state: ReadState | None) -> None:
    if not db.is_closed():
        db.close()
    if state is not None:
        state.release()
