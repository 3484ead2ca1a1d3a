"""Operating-system and SQLite failures told to the clerk (磁盘空间不足, 只读, 无权限) instead of as damage.

A full disk or a write-protected USB stick is the clerk's to fix, and the ledger is fine: the message must
say so, and not call the file damaged. The technical detail goes after the Chinese sentence, in brackets.
"""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
from pathlib import Path

# SQLite's extended result codes for a full disk and a read-only place (sqlite3.Error.sqlite_errorcode).
_SQLITE_FULL = 13
_SQLITE_READONLY = 8
_SQLITE_IOERR = 10
_SQLITE_CANTOPEN = 14


def free_bytes(path: str | os.PathLike[str]) -> int | None:
    """Free space on the disk holding `path` (or its nearest existing parent), or None when unknown."""
    p = Path(path)
    for candidate in (p, *p.parents):
        if candidate.exists():
            try:
                return shutil.disk_usage(candidate).free
            except OSError:
                return None
    return None


def human_size(n: int) -> str:
    """A size as an office writes it: 512 字节, 3.2 KB, 14.5 MB, 2.15 GB."""
    if n < 1024:
        return f"{n} 字节"
    for unit, scale in (("KB", 1024), ("MB", 1024**2), ("GB", 1024**3)):
        if n < scale * 1024 or unit == "GB":
            return f"{n / scale:.1f} {unit}"
    return f"{n} 字节"  # pragma: no cover - the loop always returns


def is_disk_full(exc: BaseException) -> bool:
    """True when `exc` (or what caused it) says the disk is full."""
    for e in _chain(exc):
        if isinstance(e, OSError) and e.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
            return True
        if isinstance(e, sqlite3.Error):
            code = getattr(e, "sqlite_errorcode", None)
            if code is not None and code & 0xFF == _SQLITE_FULL:
                return True
            if "database or disk is full" in str(e):
                return True
    return False


def is_read_only(exc: BaseException) -> bool:
    """True when `exc` says the file or the place it is in cannot be written."""
    for e in _chain(exc):
        if isinstance(e, OSError) and e.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return True
        if isinstance(e, sqlite3.Error):
            code = getattr(e, "sqlite_errorcode", None)
            if code is not None and code & 0xFF == _SQLITE_READONLY:
                return True
            if "readonly database" in str(e):
                return True
    return False


def _chain(exc: BaseException) -> list[BaseException]:
    out: list[BaseException] = []
    e: BaseException | None = exc
    while e is not None and e not in out:
        out.append(e)
        e = e.__cause__ or e.__context__
    return out


def explain(exc: BaseException, where: str | os.PathLike[str] | None = None, *, needed: int | None = None) -> str:
    """A Chinese sentence for a failed write at `where`, the technical detail after it.

    `needed` is the free space the operation needs, when known, so that the clerk knows how much to free.
    """
    detail = str(exc) or type(exc).__name__
    if is_disk_full(exc):
        free = free_bytes(where) if where is not None else None
        parts = ["磁盘空间不足"]
        if where is not None:
            parts.append(f"：{Path(where).parent if Path(where).suffix else where}")
        if free is not None:
            parts.append(f"，剩余 {human_size(free)}")
        if needed:
            parts.append(f"，至少需要 {human_size(needed)}")
        parts.append("。请清理磁盘或换一个位置后重试")
        return "".join(parts) + f"（{detail}）"
    if is_read_only(exc):
        place = f"：{where}" if where is not None else ""
        return f"该位置是只读的或没有写入权限{place}，请换一个位置或检查权限（{detail}）"
    place = f"：{where}" if where is not None else ""
    return f"文件操作失败{place}（{detail}）"


def is_io_error(exc: BaseException) -> bool:
    """SQLite's "disk I/O error": on a full disk it is often what a failed write to the -wal reports."""
    for e in _chain(exc):
        if isinstance(e, sqlite3.Error):
            code = getattr(e, "sqlite_errorcode", None)
            if (code is not None and code & 0xFF == _SQLITE_IOERR) or "disk I/O error" in str(e):
                return True
    return False


def is_damage(exc: BaseException) -> bool:
    """True only when SQLite says the file itself is damaged or not a database."""
    for e in _chain(exc):
        if isinstance(e, sqlite3.Error):
            code = getattr(e, "sqlite_errorcode", None)
            if code is not None and code & 0xFF in (11, 26):  # SQLITE_CORRUPT, SQLITE_NOTADB
                return True
            text = str(e)
            if "malformed" in text or "file is not a database" in text:
                return True
    return False


# Below this, a "disk I/O error" on a ledger's disk is taken to be the disk running full.
LOW_SPACE = 8 * 1024 * 1024


def explain_db(exc: BaseException, ledger: str | os.PathLike[str] | None = None) -> str:
    """A failed read or write of a ledger, told for what it is: a full disk, a read-only place, damage,
    or (with the detail) something else; never a full disk called damage."""
    detail = str(exc) or type(exc).__name__
    free = free_bytes(ledger) if ledger is not None else None
    if is_disk_full(exc) or (is_io_error(exc) and free is not None and free < LOW_SPACE):
        place = f"：{Path(ledger).parent}" if ledger is not None else ""
        left = f"，剩余 {human_size(free)}" if free is not None else ""
        return f"磁盘空间不足{place}{left}。请清理磁盘（至少留出 {human_size(LOW_SPACE)}）后重试（{detail}）"
    if is_read_only(exc):
        return explain(exc, ledger)
    if is_damage(exc):
        where = f"：{ledger}" if ledger is not None else ""
        return f"台账文件已损坏，无法读取{where}（{detail}）"
    where = f"：{ledger}" if ledger is not None else ""
    return f"台账读写失败{where}（{detail}）"
