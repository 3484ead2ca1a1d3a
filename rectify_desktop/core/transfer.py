"""Moving a ledger between a file and a server (推送、拉取、服务器备份).

`push` puts a one-file ledger onto a server (refused when the server already holds a ledger, unless asked to
replace it), `pull` makes a one-file ledger of a server ledger (the offline copy for a trip or for the
inspection office), and a server backup is a pull. Both go table by table, every row with its own id, so that
a round trip gives back the same rows; each side is read in one snapshot (the file in one read transaction,
the server in one repeatable-read transaction while others go on editing) and written in one transaction or
under a temporary name, so that a failure leaves nothing half done.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from peewee import SqliteDatabase, sort_models

from rectify_desktop.core import fileops, outfile, server, storage
from rectify_desktop.core.models import ALL_MODELS, BaseModel

Progress = Callable[[str, int], None]  # (table, rows so far)
_BATCH = 500
# How long a push waits for the server ledger's tables while someone holds them (seconds).
PUSH_LOCK_TIMEOUT = 30


def _models() -> list[type[BaseModel]]:
    """Every table, each after those it refers to (the server checks references as rows arrive)."""
    return list(sort_models(ALL_MODELS))


def _columns(model: type[BaseModel]) -> list[str]:
    return [f.column_name for f in model._meta.sorted_fields]


# --- a file onto a server -----------------------------------------------------------------------------------


def _readable_copy(path: Path, work: Path) -> Path:
    """The file as it is now, at this version: a consistent copy (edits in a -wal included), migrated in the
    temporary folder when it is older, so that the file itself is never changed."""
    info = storage.inspect_file(path)
    copy = storage.backup_file(path, work / "ledger.db")
    if info.user_version < storage.SCHEMA_VERSION:
        _migrate_copy(copy, info.user_version)
    return copy


def _migrate_copy(copy: Path, version: int) -> None:
    """Migrates the copy on a database of its own, as storage.create_file makes a file: the models' global one
    may be the ledger this process has open (a window pushing another file), which must stay as it is."""
    if version not in storage.MIGRATIONS:
        raise storage.CorruptLedgerError(f"台账文件的版本号无效（{version}），无法升级，未推送")
    database = SqliteDatabase(str(copy))
    with database.bind_ctx(ALL_MODELS):
        database.connect()
        try:
            with database.atomic():
                for v in range(version, storage.SCHEMA_VERSION):
                    storage.MIGRATIONS[v](database)
                database.execute_sql(f"PRAGMA user_version = {storage.SCHEMA_VERSION}")
        finally:
            database.close()


def push(
    ledger: str | os.PathLike[str],
    address: server.ServerAddress,
    *,
    replace: bool = False,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Copies a one-file ledger onto the server in one transaction. Returns the rows copied per table."""
    import psycopg

    src = Path(ledger)
    work = Path(tempfile.mkdtemp(prefix=f"{outfile.TEMP_PREFIX}push-{os.getpid()}-"))
    counts: dict[str, int] = {}
    try:
        copy = _readable_copy(src, work)
        problems = _file_problems(copy)
        if problems:
            raise storage.LedgerError(f"台账中有无法识别的内容，未推送：{src}（{'；'.join(problems[:3])}）")
        con = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
        try:
            with psycopg.connect(**address.connect_params()) as pg:
                # A window left inside a transaction would make the push wait for ever for its tables.
                pg.execute(f"SET lock_timeout = '{PUSH_LOCK_TIMEOUT}s'")
                _prepare_target(pg, address, replace)
                for model in _models():
                    counts[model._meta.table_name] = _copy_into_server(con, pg, model, progress)
                _reset_sequences(pg)
                _tell_open_windows(pg, address)
                pg.commit()
        finally:
            con.close()
    except psycopg.Error as exc:
        raise server.explain(exc, address) from exc
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return counts


def _tell_open_windows(pg: Any, address: server.ServerAddress) -> None:
    """A replaced ledger is another ledger under the same name: the windows open on it must reload everything,
    or they would go on showing, and editing with row versions of, rows that are no longer there. Sent within
    the push's transaction, so it arrives only when the push is committed."""
    import uuid

    from rectify_desktop.core.commands import Change
    from rectify_desktop.core.ledger import current_user
    from rectify_desktop.core.models import Inspection

    payload = server.encode_changes(
        [Change("reset", Inspection, 0)], session=f"push-{uuid.uuid4().hex}", user=current_user(address.user), batch=0
    )
    pg.execute("SELECT pg_notify(%s, %s)", (server.channel(address.database), payload))


def _file_problems(path: Path) -> list[str]:
    """What the server would refuse halfway, or what the copy would silently lose: values of the wrong type
    (text in a date column) and tables or columns the program did not make. Read on a connection of its own,
    not the models' global database (see _migrate_copy)."""
    from rectify_desktop.core import integrity

    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        problems = storage.schema_problems(con)
        if problems:
            return problems
        for table, column, kind, test in integrity._columns():
            for rowid, value in con.execute(f'SELECT rowid, "{column}" FROM "{table}" WHERE {test} LIMIT 3'):
                name = integrity._TABLE_NAMES.get(table, table)
                field = integrity._COLUMN_NAMES.get(column, column)
                problems.append(f"{name}第 {rowid} 条的“{field}”应为{kind}，其值“{str(value)[:40]}”无法识别")
        return problems
    finally:
        con.close()


def _prepare_target(pg: Any, address: server.ServerAddress, replace: bool) -> None:
    pg.execute("SELECT pg_advisory_xact_lock(%s)", (server.WRITE_LOCK,))
    has_meta = pg.execute("SELECT to_regclass(%s)", (f"public.{server.META_TABLE}",)).fetchone()[0]
    tables = [
        r[0]
        for r in pg.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'").fetchall()
    ]
    if has_meta and not replace:
        raise storage.LedgerError(
            f"服务器上已有台账，未推送：{address.label()}。如确要用本机的台账替换服务器上的台账，请加 --replace"
            "（替换前请先用 backup --server 备份服务器台账）。"
        )
    if tables and not has_meta:
        raise storage.NotALedgerError(
            f"服务器数据库“{address.database}”中已有其他数据（{len(tables)} 个数据表），不是整改台账，未推送。"
        )
    if has_meta:
        ours = {m._meta.table_name for m in ALL_MODELS} | {server.META_TABLE}
        for t in tables:
            if t in ours:
                pg.execute(f'DROP TABLE "{t}" CASCADE')
        pg.execute(f'DROP SEQUENCE IF EXISTS "{server.BATCH_SEQUENCE}"')
    _create_schema(pg)


def _create_schema(pg: Any) -> None:
    """The server's tables, exactly as server.create_schema makes them (peewee's DDL for PostgreSQL), in the
    push's own transaction."""
    ddl = server.ServerDatabase()
    with ddl.bind_ctx(ALL_MODELS):
        for model in _models():
            manager = model._schema
            for ctx in [manager._create_table(safe=False), *manager._create_indexes(safe=False)]:
                sql, params = ctx.query()
                pg.execute(sql, params or None)
    pg.execute(f'CREATE SEQUENCE "{server.BATCH_SEQUENCE}"')
    pg.execute(f'CREATE TABLE "{server.META_TABLE}" (key TEXT PRIMARY KEY, value TEXT NOT NULL)')
    pg.execute(
        f'INSERT INTO "{server.META_TABLE}" (key, value) VALUES (%s, %s), (%s, %s)',
        ("application", server.APPLICATION, "schema_version", str(storage.SCHEMA_VERSION)),
    )


def _copy_into_server(con: sqlite3.Connection, pg: Any, model: type[BaseModel], progress: Progress | None) -> int:
    table = model._meta.table_name
    cols = _columns(model)
    names = ", ".join(f'"{c}"' for c in cols)
    bools = [i for i, f in enumerate(model._meta.sorted_fields) if f.field_type == "BOOL"]
    n = 0
    with pg.cursor().copy(f'COPY "{table}" ({names}) FROM STDIN') as cp:
        for row in con.execute(f'SELECT {names} FROM "{table}"'):
            if bools:
                row = list(row)
                for i in bools:
                    row[i] = None if row[i] is None else bool(row[i])
            cp.write_row(row)
            n += 1
            if progress and n % _BATCH == 0:
                progress(table, n)
    return n


def _reset_sequences(pg: Any) -> None:
    """New rows on the server must get ids after those copied in."""
    for model in _models():
        pk = model._meta.primary_key
        if getattr(pk, "field_type", "") != "AUTO":
            continue
        t, col = model._meta.table_name, pk.column_name
        top = f'COALESCE((SELECT MAX("{col}") FROM "{t}"), 0) + 1'
        pg.execute(f"SELECT setval(pg_get_serial_sequence(%s, %s), {top}, false)", (f'"{t}"', col))
    top = "COALESCE((SELECT MAX(batch) FROM change_log), 0) + 1"
    pg.execute(f"SELECT setval('\"{server.BATCH_SEQUENCE}\"', {top}, false)")


# --- a server into a file ----------------------------------------------------------------------------------


def _sqlite_value(value: Any) -> Any:
    """A value as peewee stores it in a file: dates and times as their ISO text."""
    if isinstance(value, dt.datetime):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, memoryview):
        return bytes(value)
    return value


def pull(
    address: server.ServerAddress, out: str | os.PathLike[str], *, progress: Progress | None = None
) -> dict[str, int]:
    """Writes the server ledger as a one-file ledger at `out` (whole or not at all), read in one snapshot while
    others go on editing. Returns the rows copied per table."""
    import psycopg

    target = Path(out)
    if target.exists() and target.is_dir():
        raise storage.LedgerError(f"这是一个文件夹，不是文件：{target}")
    if not target.parent.exists():
        raise storage.LedgerError(f"文件夹不存在：{target.parent}")
    try:
        outfile.check_target(target, [])
    except outfile.OutputError as exc:
        raise storage.LedgerError(str(exc)) from exc
    outfile.remember_folder(target.parent)
    tmp = outfile.temp_path(target, "pull")
    counts: dict[str, int] = {}
    try:
        storage.create_file(tmp)
        con = sqlite3.connect(str(tmp), isolation_level=None)
        try:
            with psycopg.connect(**address.connect_params()) as pg:
                pg.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
                pg.read_only = True
                _check_source(pg, address)
                con.execute("PRAGMA foreign_keys = OFF")
                con.execute("BEGIN")
                for model in _models():
                    counts[model._meta.table_name] = _copy_into_file(pg, con, model, progress)
                con.execute("COMMIT")
            con.execute("PRAGMA journal_mode = delete")
        finally:
            con.close()
        fileops.fsync_file(tmp)
        os.replace(tmp, target)
        fileops.fsync_dir(target.parent)
    except psycopg.Error as exc:
        fileops.remove_with_sides(tmp)
        raise server.explain(exc, address) from exc
    except (OSError, sqlite3.Error) as exc:
        fileops.remove_with_sides(tmp)
        from rectify_desktop.core import oserrors

        raise storage.LedgerError(f"无法写入台账文件 {target}：{oserrors.explain(exc, target)}") from exc
    except BaseException:
        fileops.remove_with_sides(tmp)
        raise
    return counts


def _check_source(pg: Any, address: server.ServerAddress) -> None:
    has_meta = pg.execute("SELECT to_regclass(%s)", (f"public.{server.META_TABLE}",)).fetchone()[0]
    if not has_meta:
        raise server.EmptyServerError(f"服务器数据库“{address.database}”中没有台账：{address.label()}")
    meta = dict(pg.execute(f'SELECT key, value FROM "{server.META_TABLE}"').fetchall())
    if meta.get("application") != server.APPLICATION:
        raise storage.NotALedgerError(f"服务器数据库“{address.database}”不是整改台账：{address.label()}")
    if int(meta.get("schema_version", "0") or 0) > storage.SCHEMA_VERSION:
        raise storage.TooNewError(f"服务器台账由更新版本的程序创建，请升级程序：{address.label()}")


def _copy_into_file(pg: Any, con: sqlite3.Connection, model: type[BaseModel], progress: Progress | None) -> int:
    table = model._meta.table_name
    cols = _columns(model)
    names = ", ".join(f'"{c}"' for c in cols)
    marks = ", ".join("?" for _ in cols)
    pk = model._meta.primary_key.column_name
    n = 0
    # A named cursor streams from the server: a ledger's evidence can be larger than memory.
    with pg.cursor(name=f"pull_{table}") as cur:
        cur.itersize = 200
        cur.execute(f'SELECT {names} FROM "{table}" ORDER BY "{pk}"')
        batch: list[tuple[Any, ...]] = []
        for row in cur:
            batch.append(tuple(_sqlite_value(v) for v in row))
            if len(batch) >= _BATCH:
                con.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', batch)
                n += len(batch)
                batch.clear()
                if progress:
                    progress(table, n)
        if batch:
            con.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', batch)
            n += len(batch)
    return n
