"""A ledger on the office's PostgreSQL server (服务器台账), for offices where several people keep one ledger.

The models are the same as in a file: peewee creates the same tables on both back ends, and the differences
are kept here, not spread through core: how to connect and what the connection answers with (dates as the
same ISO text SQLite gives, so that the raw queries of core read both alike), the mark that a database holds
a ledger (the table ``rectify_ledger``, where a file has its PRAGMAs), the one lock that writers take in turn
(an advisory lock held for a transaction, as SQLite's one writer), and the notices with which each writer
tells the other windows what it changed (NOTIFY, heard by :class:`ChangeFeed`).
"""

from __future__ import annotations

import hashlib
import json
import re
import socket
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from peewee import OperationalError, PeeweeException, PostgresqlDatabase

from rectify_desktop.core import storage
from rectify_desktop.core.commands import Change
from rectify_desktop.core.models import ALL_MODELS, BaseModel, db

SCHEMES = ("postgresql://", "postgres://")
DEFAULT_PORT = 5432
# Every window of every ledger on the server listens here; a notice names its database, so that two ledgers
# on one server never refresh each other.
CHANNEL = "rectify_ledger"
# The advisory lock writers take in turn: "ZGTZ" as in the file's application_id.
WRITE_LOCK = storage.APPLICATION_ID
# The change log's batch numbers on a server (next_batch).
BATCH_SEQUENCE = "rectify_batch"
META_TABLE = "rectify_ledger"
APPLICATION = "rectify-desktop"
# NOTIFY carries at most 8,000 bytes; a larger change (an import) is told as "reload everything".
_MAX_PAYLOAD = 7_000
# Seconds to wait for a server that does not answer (a firewall that swallows packets) before saying so.
CONNECT_TIMEOUT = 10


class ServerError(storage.LedgerError):
    """The server cannot be reached or refused us; the message says why, in Chinese."""


class PasswordNeededError(ServerError):
    """The server asks for a password that was not given: the window asks the clerk for it."""


class EmptyServerError(storage.NotALedgerError):
    """The database holds no ledger yet: push one there, or create an empty one."""


def is_server(target: object) -> bool:
    """Whether a ledger argument names a server ledger (postgresql://…) rather than a file."""
    return isinstance(target, (str, ServerAddress)) and (
        isinstance(target, ServerAddress) or str(target).lower().startswith(SCHEMES)
    )


@dataclass(frozen=True)
class ServerAddress:
    """Where a server ledger is: host, port, database and user (主机、端口、数据库、用户名). The password is
    never part of its text form, so that it is never written into the settings or the window's title."""

    host: str
    database: str
    user: str
    port: int = DEFAULT_PORT
    password: str | None = field(default=None, repr=False, compare=False)

    @classmethod
    def parse(cls, text: str | ServerAddress) -> ServerAddress:
        if isinstance(text, ServerAddress):
            return text
        raw = str(text).strip()
        if not raw.lower().startswith(SCHEMES):
            raise ServerError(f"服务器台账的地址应以 postgresql:// 开头：{raw}")
        try:
            parts = urlsplit(raw)
            port = parts.port or DEFAULT_PORT
        except ValueError as exc:
            raise ServerError(f"服务器台账的地址无效：{raw}（{exc}）") from exc
        database = unquote(parts.path.lstrip("/"))
        if not parts.hostname or not database:
            raise ServerError(f"服务器台账的地址应写明主机和数据库，如 postgresql://用户名@主机/数据库：{raw}")
        user = unquote(parts.username or "")
        if not user:
            raise ServerError(f"服务器台账的地址应写明用户名，如 postgresql://用户名@主机/数据库：{raw}")
        password = unquote(parts.password) if parts.password is not None else None
        return cls(parts.hostname, database, user, port, password)

    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"postgresql://{quote(self.user, safe='')}@{host}:{self.port}/{quote(self.database, safe='')}"

    def label(self) -> str:
        """How the window names it: 服务器台账 ledger（张三@192.168.1.10:5432）."""
        return f"服务器台账 {self.database}（{self.user}@{self.host}:{self.port}）"

    def __fspath__(self) -> str:
        """A name no file has, for the code that keeps exports off the open ledger's file: a server ledger has
        no file, so nothing is ever refused for being it."""
        return f"postgresql-{self.host}-{self.port}-{self.database}"

    def with_password(self, password: str | None) -> ServerAddress:
        return ServerAddress(self.host, self.database, self.user, self.port, password)

    def connect_params(self) -> dict[str, Any]:
        params: dict[str, Any] = {
            "host": self.host,
            "port": self.port,
            "dbname": self.database,
            "user": self.user,
            "connect_timeout": CONNECT_TIMEOUT,
            "application_name": f"{APPLICATION} {socket.gethostname()}"[:63],
            # The server's text for dates is then what SQLite stores (2026-05-01, 2026-05-01 10:00:00). The
            # tables are in public for everyone: where each user has a schema of their own (PostgreSQL's advice
            # for shared databases, first in the search_path), each would otherwise make and see a ledger there.
            "options": "-c datestyle=ISO,YMD -c intervalstyle=iso_8601 -c search_path=public",
        }
        if self.password is not None:
            params["password"] = self.password
        return params


# A ? outside quotes is a parameter; one inside a string ('有问题?') is text.
_QMARK = re.compile(r"'(?:[^']|'')*'|\?")


class ServerDatabase(PostgresqlDatabase):
    """peewee's PostgreSQL database as the ledger needs it: core's raw queries are written with SQLite's `?`
    and read dates as ISO text; this turns the one into psycopg's `%s` and makes the server answer the other,
    so that every query of core runs unchanged on both back ends."""

    def __init__(self) -> None:
        super().__init__(None, autoconnect=False, prefer_psycopg3=True)
        # The session's own settings (a read-only window's SET), made again on a new connection.
        self._session_settings: list[str] = []

    def init(self, database: str | None, **kwargs: Any) -> None:
        self._session_settings = []
        super().init(database, **kwargs)

    def execute_sql(self, sql: str, params: Any = None) -> Any:
        if params and "?" in sql and "%s" not in sql:  # core's own SQL, written for SQLite
            sql = _QMARK.sub(lambda m: "%s" if m.group() == "?" else m.group(), sql.replace("%", "%%"))
        elif not params and "%" in sql:
            # peewee hands psycopg an empty tuple, and psycopg then reads a LIKE pattern's % as a placeholder.
            sql = sql.replace("%", "%%")
        head = sql.lstrip()[:7].upper()
        if head.startswith("SET ") and not params and self.transaction_depth() == 0:
            self._session_settings.append(sql)
        try:
            return super().execute_sql(sql, params)
        except OperationalError:
            # The connection was lost (a restarted server, a dropped network): a read outside a transaction
            # wrote nothing and is simply read again on a new connection; a write is told (the next one
            # connects again, in cursor()), since whether the server had committed it cannot be known.
            if head.startswith("SELECT") and self.transaction_depth() == 0 and self._lost():
                self._reconnect()
                return super().execute_sql(sql, params)
            raise

    def cursor(self, named_cursor: Any = None) -> Any:
        if self.transaction_depth() == 0 and self._lost():
            self._reconnect()
        return super().cursor(named_cursor)

    def _lost(self) -> bool:
        conn = self._state.conn
        return conn is not None and bool(conn.closed or getattr(conn, "broken", False))

    def _reconnect(self) -> None:
        self.close()
        self.connect()
        for sql in self._session_settings:
            super().execute_sql(sql)

    def _connect(self) -> Any:
        conn = super()._connect()
        from psycopg.types.string import TextLoader

        for name in ("date", "timestamp", "timestamptz"):
            conn.adapters.register_loader(name, TextLoader)
        return conn


server_db = ServerDatabase()


def explain(exc: BaseException, address: ServerAddress) -> ServerError:
    """A connection or server failure in the clerk's words."""
    text = str(exc).strip()
    low = text.lower()
    where = f"{address.host}:{address.port}"
    if "lock timeout" in low:  # before the connection's words: this "timeout" is a lock's, not the network's
        return ServerError(f"服务器台账正被他人使用（有尚未完成的修改），请稍后再试：{address.label()}")
    if "no password supplied" in low or "password is required" in low:
        return PasswordNeededError(f"服务器要求输入密码：{address.label()}")
    if "password authentication failed" in low or "authentication failed" in low:
        return PasswordNeededError(f"用户名或密码不正确，服务器拒绝登录：{address.label()}")
    if "does not exist" in low and "role" in low:
        # Not a password to ask for again: the name itself is wrong.
        return ServerError(f"服务器上没有名为“{address.user}”的用户，请检查用户名或联系服务器管理员创建：{where}")
    if "does not exist" in low and "database" in low:
        return ServerError(f"服务器上没有名为“{address.database}”的数据库，请联系服务器管理员创建：{where}")
    if "resolve host" in low or "translate host name" in low or "name or service not known" in low:
        return ServerError(f"无法连接服务器 {where}：找不到该主机，请检查服务器地址是否写错。（{text[:200]}）")
    if "connection refused" in low or "could not connect" in low or "timeout" in low or "timed out" in low:
        return ServerError(f"无法连接服务器 {where}：服务器未启动、地址或端口有误，或网络不通。（{text[:200]}）")
    if "no pg_hba.conf entry" in low:
        return ServerError(f"服务器不允许本机连接（pg_hba.conf），请联系服务器管理员：{where}")
    if "permission denied" in low or "must be owner" in low:
        return ServerError(
            f"服务器用户“{address.user}”没有读写该台账的权限，请服务器管理员授权（GRANT）：{address.label()}"
            f"（{text[:200]}）"
        )
    if "terminating connection" in low or "server closed the connection" in low or "connection is lost" in low:
        return ServerError(f"与服务器 {where} 的连接中断，修改未保存。请检查网络后重新连接。")
    return ServerError(f"服务器台账出错：{text[:300]}")


def connect(address: ServerAddress) -> None:
    """Binds the models to the server's database and connects."""
    import psycopg

    if not db.is_closed():
        db.close()
    params = {k: v for k, v in address.connect_params().items() if k != "dbname"}
    server_db.init(address.database, prefer_psycopg3=True, **params)
    db.initialize(server_db)
    try:
        server_db.connect()
    except (psycopg.Error, PeeweeException) as exc:  # peewee wraps psycopg's connection errors in its own
        db.initialize(storage.sqlite_db)
        raise explain(exc, address) from exc


def disconnect() -> None:
    if not server_db.is_closed():
        server_db.close()
    db.initialize(storage.sqlite_db)


def active() -> bool:
    """Whether the models are bound to a server ledger now."""
    return getattr(db, "obj", None) is server_db


# --- the mark of a ledger --------------------------------------------------------------------------------


def _meta() -> dict[str, str] | None:
    found = server_db.execute_sql("SELECT to_regclass(%s)", (f"public.{META_TABLE}",)).fetchone()[0]
    if found is None:
        return None
    return dict(server_db.execute_sql(f'SELECT key, value FROM "{META_TABLE}"').fetchall())


def _public_tables() -> list[str]:
    rows = server_db.execute_sql(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name"
    ).fetchall()
    return [r[0] for r in rows]


def create_schema() -> bool:
    """Makes the database a ledger of this version: the tables of a file, and the mark. One transaction.
    Returns False, having done nothing, when the database is no longer empty once the writers' turn is ours:
    two clerks offered a new ledger in the same empty database at once, or a push that came first."""
    with server_db.atomic():
        lock_for_write()
        if _public_tables():
            return False
        server_db.create_tables(ALL_MODELS)
        server_db.execute_sql(f'CREATE SEQUENCE "{BATCH_SEQUENCE}"')
        server_db.execute_sql(f'CREATE TABLE "{META_TABLE}" (key TEXT PRIMARY KEY, value TEXT NOT NULL)')
        server_db.execute_sql(
            f'INSERT INTO "{META_TABLE}" (key, value) VALUES (%s, %s), (%s, %s)',
            ("application", APPLICATION, "schema_version", str(storage.SCHEMA_VERSION)),
        )
    return True


def check_ledger(address: ServerAddress, *, create: bool = False) -> list[str]:
    """Checks that the connected database holds a ledger this program can write; creates an empty one in an
    empty database when asked. Returns what the clerk must be told (warnings); raises what refuses it."""
    import psycopg

    try:
        return _check_ledger(address, create)
    except (psycopg.Error, PeeweeException) as exc:  # a user without rights, a connection lost meanwhile
        raise explain(exc, address) from exc


def _check_ledger(address: ServerAddress, create: bool) -> list[str]:
    meta = _meta()
    if meta is None:
        tables = _public_tables()
        if tables:
            raise storage.NotALedgerError(
                f"服务器数据库“{address.database}”中已有其他数据（{len(tables)} 个数据表），不是整改台账，未改动。"
                "请使用另一个空数据库。"
            )
        if not create:
            raise EmptyServerError(
                f"服务器数据库“{address.database}”中还没有台账。可以把本机的台账推送上去（rectify-desktop push），"
                "或新建一个空台账。"
            )
        if create_schema():
            return []
        return _check_ledger(address, False)  # made by someone else meanwhile: checked as any ledger
    if meta.get("application") != APPLICATION:
        raise storage.NotALedgerError(f"服务器数据库“{address.database}”不是整改台账：{address.label()}")
    try:
        version = int(meta.get("schema_version", "0"))
    except ValueError:
        version = 0
    if version > storage.SCHEMA_VERSION:
        raise storage.TooNewError(
            f"服务器台账由更新版本的整改台账程序创建（版本 {version}，本程序支持到版本 {storage.SCHEMA_VERSION}），"
            f"请升级程序后再连接：{address.label()}"
        )
    if version < storage.SCHEMA_VERSION:
        raise storage.CorruptLedgerError(f"服务器台账的版本号无效（{version}），未改动：{address.label()}")
    problems = schema_problems()
    if problems:
        raise storage.ForeignSchemaError(
            "服务器台账中有不是本程序创建的数据库对象，或表的结构被改动过，为防止数据被暗中修改，不能使用："
            + "；".join(problems[:5])
        )
    return []


def schema_problems() -> list[str]:
    """Tables, columns, triggers and views that are not what this program creates, in Chinese."""
    problems: list[str] = []
    rows = server_db.execute_sql(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'"
    ).fetchall()
    have: dict[str, set[str]] = {}
    for table, column in rows:
        have.setdefault(table, set()).add(column)
    want = {m._meta.table_name: {f.column_name for f in m._meta.sorted_fields} for m in ALL_MODELS}
    want[META_TABLE] = {"key", "value"}
    for table, columns in sorted(have.items()):
        if table not in want:
            problems.append(f"数据表或视图“{table}”不是本程序创建的")
        elif columns != want[table]:
            problems.append(f"数据表“{table}”的列与本程序创建的不同")
    problems += [f"数据表“{t}”缺失" for t in sorted(set(want) - set(have))]
    triggers = server_db.execute_sql(
        "SELECT t.tgname, c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE NOT t.tgisinternal AND n.nspname = 'public'"
    ).fetchall()
    problems += [f"触发器“{name}”（数据表“{table}”）不是本程序创建的" for name, table in triggers]
    # A rule rewrites or adds to an edit as a trigger does; a row-level policy hides rows from the program.
    rules = server_db.execute_sql("SELECT rulename, tablename FROM pg_rules WHERE schemaname = 'public'").fetchall()
    problems += [f"规则“{name}”（数据表“{table}”）不是本程序创建的" for name, table in rules]
    secured = server_db.execute_sql(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND c.relrowsecurity ORDER BY 1"
    ).fetchall()
    problems += [f"数据表“{table}”启用了行级安全策略，不是本程序设置的" for (table,) in secured]
    return problems


# --- writing in turn, and telling the others --------------------------------------------------------------


def lock_for_write(*, shared: bool = False) -> None:
    """Inside a transaction: waits for the other writers' transactions to end, as SQLite's one writer does, so
    that the rules that read before they write (the next free number, a position among siblings, the lock of a
    written-off item) stay right with many writers.

    `shared`: for a command that only sets fields of rows it locks itself (SetFields, row by row with FOR
    UPDATE): such edits go on side by side, and only wait for one another on the same row, and for the
    commands that take the lock whole (adding, deleting, moving, renumbering, importing, write-offs). Ten
    clerks typing at once thus never queue behind each other's commits."""
    name = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    server_db.execute_sql(f"SELECT {name}(%s)", (WRITE_LOCK,))


def next_batch() -> int:
    """The change log's next batch number, from a sequence: no writer waits for another to commit to number its
    batch (MAX(batch) + 1 under a lock held across the commit made every edit queue behind the others' disk
    writes). Two edits of one row are numbered in their order all the same: the second takes its number only
    once it holds the row, after the first committed."""
    return int(server_db.execute_sql(f"SELECT nextval('\"{BATCH_SEQUENCE}\"')").fetchone()[0])


def ensure_batch_sequence() -> None:
    """A ledger made before the change log's batches came from a sequence gets one, starting after its last."""
    if server_db.execute_sql("SELECT to_regclass(%s)", (f'public."{BATCH_SEQUENCE}"',)).fetchone()[0] is not None:
        return
    with server_db.atomic():
        lock_for_write()
        server_db.execute_sql(f'CREATE SEQUENCE IF NOT EXISTS "{BATCH_SEQUENCE}"')
        server_db.execute_sql(
            f"SELECT setval('\"{BATCH_SEQUENCE}\"', GREATEST((SELECT COALESCE(MAX(batch), 0) FROM change_log), 1))"
        )


def encode_changes(changes: list[Change], *, session: str, user: str, batch: int) -> str:
    """The notice a writer sends (within its transaction, so that it goes out only when committed)."""
    body: dict[str, Any] = {"session": session, "user": user, "batch": batch}
    body["changes"] = [
        [c.kind, c.entity._meta.table_name, c.id, c.parent_id, list(c.fields)] for c in changes if c.kind != "reset"
    ]
    if any(c.kind == "reset" for c in changes):
        body["changes"] = None
    text = json.dumps(body, ensure_ascii=False)
    if len(text.encode()) > _MAX_PAYLOAD:
        body["changes"] = None
        text = json.dumps(body, ensure_ascii=False)
    return text


_BY_TABLE: dict[str, type[BaseModel]] = {m._meta.table_name: m for m in ALL_MODELS}


@dataclass
class Notice:
    """What another window changed: who, in which batch of the change log, and the changes for the views
    (None when everything must be reloaded)."""

    session: str
    user: str
    batch: int
    changes: list[Change] | None


def decode_notice(payload: str) -> Notice | None:
    try:
        body = json.loads(payload)
        changes = None
        if body.get("changes") is not None:
            changes = [
                Change(kind, _BY_TABLE[table], int(row_id), parent, tuple(fields), str(body.get("user", "")) or "?")
                for kind, table, row_id, parent, fields in body["changes"]
            ]
        return Notice(str(body["session"]), str(body.get("user", "")), int(body.get("batch", 0)), changes)
    except (ValueError, KeyError, TypeError):
        return None  # not ours: another program on the channel


def send_notice(payload: str) -> None:
    server_db.execute_sql("SELECT pg_notify(%s, %s)", (channel(server_db.database or ""), payload))


def channel(database: str) -> str:
    """The channel of one database's notices. Made of the name's hash, not the name: a channel is an identifier
    of at most 63 bytes (pg_notify refuses a longer one, LISTEN cuts it short), which a database name of 16
    Chinese characters already exceeds; and "台账 1" and "台账_1" must not share one."""
    return f"{CHANNEL}_{hashlib.sha256(database.encode()).hexdigest()[:24]}"


# What the feed tells when it had to listen again: whatever was sent meanwhile is lost, so reload everything.
_RESET_PAYLOAD = json.dumps({"session": "", "user": "", "batch": 0, "changes": None})
# A lost feed is listened to again at most this often, and waited for this long, so that a poll while the
# server is away costs the window little.
_RELISTEN_SECONDS = 5.0
_RELISTEN_TIMEOUT = 2


class ChangeFeed:
    """A second connection that listens for the other windows' notices. The window polls it (or watches its
    socket, which changes when the connection had to be made again); poll never blocks for long."""

    def __init__(self, address: ServerAddress) -> None:
        self.address = address
        self.conn = self._listen(CONNECT_TIMEOUT)
        self._next_try = 0.0

    def _listen(self, timeout: int) -> Any:
        import psycopg

        params = {**self.address.connect_params(), "connect_timeout": timeout}
        try:
            conn = psycopg.connect(**params, autocommit=True)
            conn.execute(f'LISTEN "{channel(self.address.database)}"')
        except psycopg.Error as exc:
            raise explain(exc, self.address) from exc
        return conn

    def fileno(self) -> int:
        return self.conn.fileno()

    def poll(self) -> list[str]:
        """The notices that arrived since the last poll, oldest first."""
        import psycopg

        if not (self.conn.closed or self.conn.broken):
            try:
                return [n.payload for n in self.conn.notifies(timeout=0)]
            except psycopg.Error:
                pass
        now = time.monotonic()
        if now < self._next_try:
            return []
        self._next_try = now + _RELISTEN_SECONDS
        self.close()
        try:
            self.conn = self._listen(_RELISTEN_TIMEOUT)
        except ServerError:
            return []
        return [_RESET_PAYLOAD]

    def close(self) -> None:
        try:
            self.conn.close()
        except Exception:  # noqa: BLE001 - closing a broken connection must not fail the closing window
            pass


def sync_sequence(model: type[BaseModel]) -> None:
    """After rows were inserted with ids of their own (an import numbers its rows itself): the next id the
    server gives must come after them."""
    t = model._meta.table_name
    top = f'GREATEST((SELECT COALESCE(MAX("id"), 0) FROM "{t}"), 1)'
    server_db.execute_sql(f"SELECT setval(pg_get_serial_sequence(%s, 'id'), {top})", (f'"{t}"',))
