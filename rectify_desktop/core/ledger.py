"""The open ledger (台账) and its one door for changes.

:class:`Ledger` owns the connection to one file. Every change, whether from the window, the command line
or an import, goes through :meth:`Ledger.apply` (and :meth:`Ledger.revert` for undo): one transaction, one
batch in the change log, one notification to whoever shows the ledger.
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
import socket
import sqlite3
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from peewee import OperationalError, PeeweeException, fn

from rectify_desktop.core import evidence, history, integrity, rules, server, stats, storage
from rectify_desktop.core.commands import Change, Command, LogEntry
from rectify_desktop.core.models import ChangeLog, Inspection, Setting, db
from rectify_desktop.core.stats import Stats

Listener = Callable[[list[Change]], None]


class ReadOnlyLedgerError(storage.LedgerError):
    pass


def account_name() -> str:
    """The computer's account, which on a shared office machine is often "root" or "Administrator" for all."""
    try:
        return getpass.getuser()
    except Exception:  # getpass raises different errors per platform when no user name is known
        return os.environ.get("USERNAME") or os.environ.get("USER") or "未知用户"


# The clerk's own name (经办人), told by the window from this computer's settings; the core never asks for it.
_operator = ""


def set_operator(name: str) -> None:
    """The name the change log records from now on, also for the ledger already open."""
    global _operator
    _operator = " ".join(name.split())
    current = Ledger._current
    if current is not None and not current.closed:
        current.user = current_user(current.server.user if current.server else "")


def current_user(signed_in: str = "") -> str:
    """Who the change log names: the clerk (经办人) with the account beside it, "张三（root）", since several
    people may share one account; the account alone when no name is known. The window's name comes first,
    then RECTIFY_DESKTOP_USER (for the command line and scripts). On a server ledger the account is the name
    signed in to the server, with the machine: "张三（zhangsan@办公室-PC）", since many machines write there."""
    account = f"{signed_in}@{socket.gethostname()}" if signed_in else account_name()
    name = _operator or " ".join(os.environ.get("RECTIFY_DESKTOP_USER", "").split()) or signed_in
    if not name or name == account:
        return account
    return f"{name}（{account}）"


class Ledger:
    """An open ledger file. Only one is open per process: the models share one deferred database."""

    _current: Ledger | None = None
    # Told what opening found (Ledger.warnings): the command line prints it; the window reads the list.
    announce: Callable[[list[str]], None] | None = None

    def __init__(self, result: storage.OpenResult) -> None:
        self.path: Path = result.path
        self.readonly: bool = result.readonly
        self.migrated_backup: Path | None = result.migrated_backup
        self._lock = result.lock
        self._read = result.read
        # What the clerk must be told about this file on opening (foreign schema objects, unreadable values,
        # edits that could not be folded in): shown by the window, printed by the command line.
        self.warnings: list[str] = list(result.warnings)
        self.readonly_reason: str = result.readonly_reason
        self._listeners: list[Listener] = []
        self.user = current_user()
        self.closed = False
        # Figures are asked for by several views after each change; they are computed once per change.
        self._stats_cache: dict[tuple, Any] = {}
        # A server ledger (服务器台账): where it is, this window's mark on its notices, and the other windows'.
        self.server: server.ServerAddress | None = None
        self.session = uuid.uuid4().hex
        self._feed: server.ChangeFeed | None = None

    @property
    def name(self) -> str:
        """A short name for files made from it (导出、备份): the file's name without its ending, or the database's."""
        return self.server.database if self.server is not None else self.path.stem

    @property
    def folder(self) -> Path:
        """Where files made from it go by default: beside the ledger file; a server ledger has no folder of its
        own on this machine, so the home folder."""
        return Path.home() if self.server is not None else self.path.parent

    @property
    def location(self) -> str:
        """The ledger as the clerk knows it: the file's path, or the server ledger's address."""
        return self.server.label() if self.server is not None else str(self.path)

    @classmethod
    def open(
        cls, path: str | os.PathLike[str] | server.ServerAddress, *, readonly: bool = False, create: bool = False
    ) -> Ledger:
        """Opens a ledger file, or a server ledger (postgresql://用户名@主机/数据库), which `create` makes in an
        empty database."""
        if cls._current is not None and not cls._current.closed:
            cls._current.close()
        if server.is_server(path):
            return cls._open_server(server.ServerAddress.parse(path), readonly, create)  # type: ignore[arg-type]
        ledger = cls(storage.open_file(path, readonly=readonly))  # type: ignore[arg-type]
        cls._current = ledger
        try:
            ledger.warnings += integrity.value_problems()
            if not readonly:
                ledger._fold_pending_wal()
        except BaseException:
            ledger.close()
            raise
        if ledger.warnings and cls.announce is not None:
            cls.announce(ledger.warnings)
        return ledger

    @classmethod
    def _open_server(cls, address: server.ServerAddress, readonly: bool, create: bool) -> Ledger:
        server.connect(address)
        try:
            warnings = server.check_ledger(address, create=create and not readonly)
            if not readonly:
                server.ensure_batch_sequence()
            feed = server.ChangeFeed(address)
        except BaseException:
            server.disconnect()
            raise
        place = Path(address)  # the placeholder name ServerAddress gives itself where a file's path goes
        ledger = cls(storage.OpenResult(place, readonly, None, None, warnings=warnings))
        ledger.server = address
        ledger.user = current_user(address.user)
        ledger._feed = feed
        if readonly:
            ledger.readonly_reason = "以只读方式连接服务器台账"
            db.execute_sql("SET default_transaction_read_only = on")
        cls._current = ledger
        if ledger.warnings and cls.announce is not None:
            cls.announce(ledger.warnings)
        return ledger

    @classmethod
    def create(cls, path: str | os.PathLike[str] | server.ServerAddress) -> Ledger:
        if server.is_server(path):
            return cls.open(path, create=True)
        storage.create_file(path)  # type: ignore[arg-type]
        return cls.open(path)

    def close(self) -> str | None:
        """Closes the ledger. Returns what the clerk must be told when its last edits could not be folded
        into the file itself (then the -wal beside it must stay with it), else None."""
        if self.closed:
            return None
        self.closed = True
        warning = None
        if self.server is not None:
            if self._feed is not None:
                self._feed.close()
            server.disconnect()
            if Ledger._current is self:
                Ledger._current = None
            return None
        if not db.is_closed():
            if not self.readonly:
                try:
                    # Files nothing refers to any more go now, not when removed, so that undo could bring
                    # them back while the ledger was open.
                    evidence.prune_blobs()
                except Exception:  # noqa: BLE001 - closing must not fail because pruning could not run
                    pass
                evidence.wait_checkpoints()
                warning = self._checkpoint()
            db.close()
            if not self.readonly and warning is None and storage.pending_wal(self.path) > 0:
                warning = self._wal_message(None)
        if self._lock:
            self._lock.release()
        if self._read is not None:
            self._read.release()
        if Ledger._current is self:
            Ledger._current = None
        return warning

    def _checkpoint(self) -> str | None:
        """Folds the WAL back in, so that the file alone is the whole ledger when copied."""
        try:
            busy, logged, done = db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        except Exception as exc:  # noqa: BLE001 - told to the clerk, never swallowed
            return self._wal_message(exc)
        if busy:
            return None  # another window is reading it; the last connection out folds the WAL in
        if logged not in (-1, done):
            return self._wal_message(None)
        return None

    def _wal_message(self, exc: BaseException | None) -> str:
        from rectify_desktop.core import oserrors

        wal = storage.wal_path(self.path)
        if exc is not None:
            why = oserrors.explain(exc, self.path)
        else:
            free = oserrors.free_bytes(self.path)
            why = f"磁盘空间可能不足（剩余 {oserrors.human_size(free)}）" if free is not None else "原因不明"
        return (
            f"台账最后的修改已经保存，但还在附属文件“{wal.name}”中，未能合并进台账文件：{why}。"
            f"台账是安全的；在合并之前，复制或移动台账时必须连同“{wal.name}”一起，不要删除它。"
            f"请清理磁盘空间后重新打开再关闭台账，程序会自动合并。"
        )

    def _fold_pending_wal(self) -> None:
        """At opening: edits a previous close could not fold in are folded in now, or the clerk is told."""
        if storage.pending_wal(self.path) == 0:
            return
        warning = self._checkpoint()
        if warning:
            self.warnings.append(warning)

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- the one door ------------------------------------------------------------------------------

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def apply(self, command: Command) -> list[Change]:
        """Does `command` in one transaction with its change-log entries, then tells the listeners."""
        return self._run(command, undo=False)

    def revert(self, command: Command) -> list[Change]:
        """Undoes `command` the same way."""
        return self._run(command, undo=True)

    def _run(self, command: Command, *, undo: bool) -> list[Change]:
        if self.readonly:
            raise ReadOnlyLedgerError("台账以只读方式打开，不能修改")
        if self.server is not None:
            return self._run_on_server(command, undo=undo)
        try:
            with db.atomic():
                changes = command.undo() if undo else command.do()
                entries = command.log()
                if entries:
                    self._write_log(entries, undo=undo, items=history.entry_items(entries, changes))
        except (sqlite3.OperationalError, OperationalError) as exc:
            from rectify_desktop.core import oserrors

            # A full disk or a write-protected stick is not damage: the transaction was rolled back whole,
            # and the clerk needs to know what to do, in words.
            if oserrors.is_disk_full(exc) or oserrors.is_read_only(exc) or oserrors.is_io_error(exc):
                why = oserrors.explain_db(exc, self.path)
                raise storage.LedgerError(f"修改未保存，台账保持修改前的样子：{why}") from exc
            raise
        self._stats_cache.clear()
        self._notify(changes)
        return changes

    def _run_on_server(self, command: Command, *, undo: bool) -> list[Change]:
        """The one door on a server ledger: the same transaction, taken in turn with the other writers, and a
        notice to the other windows that goes out with the commit."""
        import psycopg

        prepare = getattr(command, "prepare", None)
        try:
            if prepare is not None and not undo:
                prepare()  # a large file is stored before the turn is taken, so that nobody waits for it
            with db.atomic():
                server.lock_for_write(shared=command.row_scoped)
                changes = command.undo() if undo else command.do()
                entries = command.log()
                batch = 0
                if entries:
                    batch = self._write_log(
                        entries, undo=undo, items=history.entry_items(entries, changes), batch=server.next_batch()
                    )
                server.send_notice(server.encode_changes(changes, session=self.session, user=self.user, batch=batch))
        except (psycopg.Error, PeeweeException) as exc:
            # Rolled back whole; a broken connection is made again by the next query (ServerDatabase.cursor).
            raise server.explain(exc, self.server) from exc  # type: ignore[arg-type]
        self._stats_cache.clear()
        self._notify(changes)
        return changes

    def poll_remote(self) -> list[server.Notice]:
        """On a server ledger: the other windows' changes since the last poll, passed to the listeners as if
        made here (the views refresh), and returned (the window says who changed what). Never blocks."""
        if self._feed is None or self.closed:
            return []
        notices = []
        for payload in self._feed.poll():  # after a break, a reset: what happened meanwhile is unknown
            notice = server.decode_notice(payload)
            if notice is not None and notice.session != self.session:
                notices.append(notice)
        if notices:
            self._stats_cache.clear()
            if any(n.changes is None for n in notices):
                self._notify([Change("reset", Inspection, 0)])
            else:
                self._notify([c for n in notices for c in n.changes or []])
        return notices

    def feed_socket(self) -> int | None:
        """The socket on which the other windows' notices arrive (for the window to watch), or None."""
        return self._feed.fileno() if self._feed is not None else None

    def _write_log(
        self, entries: list[LogEntry], *, undo: bool, items: list[int | None] | None = None, batch: int = 0
    ) -> int:
        """Writes `entries` as one batch (numbered `batch`, else the next after the log's last); `items` (one per
        entry) is the item (细化问题) each row is about. Returns the batch's number."""
        batch = batch or (ChangeLog.select(fn.MAX(ChangeLog.batch)).scalar() or 0) + 1
        now = dt.datetime.now().replace(microsecond=0)
        rows = []
        for n, e in enumerate(entries):
            old, new = (e.new, e.old) if undo else (e.old, e.new)
            rows.append(
                {
                    "at": now,
                    "user": self.user,
                    "batch": batch,
                    "action": ("撤销" + e.action) if undo else e.action,
                    "entity": e.entity,
                    "entity_id": e.entity_id,
                    "field": e.field,
                    "old": old,
                    "new": new,
                    "summary": ("撤销：" + e.summary) if undo else e.summary,
                    "item_id": items[n] if items is not None else None,
                }
            )
        ChangeLog.insert_many(rows).execute()
        return batch

    def _notify(self, changes: list[Change]) -> None:
        for listener in list(self._listeners):
            listener(changes)

    def notify_reset(self) -> None:
        """Tells the views to reload everything (after an import or a restore)."""
        self._stats_cache.clear()
        self._notify([Change("reset", Inspection, 0)])

    def stats(
        self,
        inspection_id: int | None = None,
        today: dt.date | None = None,
        immediate_days: int = rules.DEFAULT_IMMEDIATE_DAYS,
    ) -> Stats:
        """The figures (see stats.compute), remembered until the next change."""
        if inspection_id is not None:
            return self.figures(inspection_id, today, immediate_days).stats
        key = (inspection_id, today or dt.date.today(), immediate_days)
        if key not in self._stats_cache:
            self._stats_cache[key] = stats.compute(inspection_id, key[1], immediate_days)
        return self._stats_cache[key]

    def figures(
        self,
        inspection_id: int,
        today: dt.date | None = None,
        immediate_days: int = rules.DEFAULT_IMMEDIATE_DAYS,
    ) -> stats.Figures:
        """An inspection's figures, breakdowns and next deadlines (stats.figures), remembered until the next
        change: the status bar, the forms and the overview all ask after every edit."""
        key = ("figures", inspection_id, today or dt.date.today(), immediate_days)
        if key not in self._stats_cache:
            self._stats_cache[key] = stats.figures(inspection_id, key[2], immediate_days)
        return self._stats_cache[key]

    # --- small conveniences ------------------------------------------------------------------------

    def inspections(self) -> list[Inspection]:
        return list(Inspection.select().order_by(Inspection.position, Inspection.id))

    def pick_inspection(self, wanted: int | None = None) -> int:
        """The inspection a command works on (--inspection ID): the one asked for, else the first."""
        if wanted is not None:
            if Inspection.get_or_none(Inspection.id == wanted) is None:
                raise storage.LedgerError(f"台账中没有编号为 {wanted} 的巡察")
            return int(wanted)
        first = Inspection.select(Inspection.id).order_by(Inspection.position, Inspection.id).first()
        if first is None:
            raise storage.LedgerError(f"台账中还没有巡察，没有可导出的内容：{self.path}")
        return int(first.id)

    def setting(self, key: str, default: str = "") -> str:
        row = Setting.get_or_none(Setting.key == key)
        return row.value if row else default
