"""The open ledger (台账) and its one door for changes.

:class:`Ledger` owns the connection to one file. Every change, whether from the window, the command line
or an import, goes through :meth:`Ledger.apply` (and :meth:`Ledger.revert` for undo): one transaction, one
batch in the change log, one notification to whoever shows the ledger.
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from peewee import fn

from rectify_desktop.core import evidence, rules, stats, storage
from rectify_desktop.core.commands import Change, Command, LogEntry
from rectify_desktop.core.models import ChangeLog, Inspection, Setting, db
from rectify_desktop.core.stats import Stats

Listener = Callable[[list[Change]], None]


class ReadOnlyLedgerError(storage.LedgerError):
    pass


def current_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # getpass raises different errors per platform when no user name is known
        return os.environ.get("USERNAME") or os.environ.get("USER") or "未知用户"


class Ledger:
    """An open ledger file. Only one is open per process: the models share one deferred database."""

    _current: Ledger | None = None

    def __init__(self, result: storage.OpenResult) -> None:
        self.path: Path = result.path
        self.readonly: bool = result.readonly
        self.migrated_backup: Path | None = result.migrated_backup
        self._lock = result.lock
        self._listeners: list[Listener] = []
        self.user = current_user()
        self.closed = False
        # Figures are asked for by several views after each change; they are computed once per change.
        self._stats_cache: dict[tuple, Any] = {}

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, readonly: bool = False) -> Ledger:
        if cls._current is not None and not cls._current.closed:
            cls._current.close()
        ledger = cls(storage.open_file(path, readonly=readonly))
        cls._current = ledger
        return ledger

    @classmethod
    def create(cls, path: str | os.PathLike[str]) -> Ledger:
        storage.create_file(path)
        return cls.open(path)

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        if not db.is_closed():
            if not self.readonly:
                try:
                    # Files nothing refers to any more go now, not when removed, so that undo could bring
                    # them back while the ledger was open.
                    evidence.prune_blobs()
                except Exception:  # noqa: BLE001 - closing must not fail because pruning could not run
                    pass
                try:
                    # Fold the WAL back in, so that the file alone is the whole ledger when copied.
                    db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
                except Exception:  # noqa: BLE001 - closing must not fail because a checkpoint could not run
                    pass
            db.close()
        if self._lock:
            self._lock.release()
        if Ledger._current is self:
            Ledger._current = None

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
        with db.atomic():
            changes = command.undo() if undo else command.do()
            entries = command.log()
            if entries:
                self._write_log(entries, undo=undo)
        self._stats_cache.clear()
        self._notify(changes)
        return changes

    def _write_log(self, entries: list[LogEntry], *, undo: bool) -> None:
        batch = (ChangeLog.select(fn.MAX(ChangeLog.batch)).scalar() or 0) + 1
        now = dt.datetime.now().replace(microsecond=0)
        rows = []
        for e in entries:
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
                }
            )
        ChangeLog.insert_many(rows).execute()

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
