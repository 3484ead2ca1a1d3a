"""Writing an output file (导出文件) whole or not at all, never onto a ledger, and nothing left behind.

Every exporter writes through :func:`atomic_output`: the file is made beside its target under a name that
says whose it is (``.~rectify-<pid>-<random>-<name>.part``), flushed to the disk, and only then renamed over
the target. A full disk, a write-protected folder or a kill halfway leaves the earlier file as it was.

A temporary file that a killed process could not remove is removed at the next start: each folder that
held one is remembered in a small journal in the user's state folder, and :func:`clean_stale` visits them.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import os
import re
import secrets
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from rectify_desktop.core import fileops, oserrors
from rectify_desktop.core.storage import APPLICATION_ID, SQLITE_MAGIC, LedgerError

TEMP_PREFIX = ".~rectify-"
_TEMP_RE = re.compile(r"^\.~rectify-(?:[a-z]+-)?(\d+)-")
_SIDE_SUFFIXES = fileops.SIDE_SUFFIXES
_JOURNAL_MAX = 200


class OutputError(LedgerError):
    """An output file could not be written, or may not be written there; the message is for the clerk."""


# --- which targets are refused ---------------------------------------------------------------------------


def _same(a: Path, b: Path) -> bool:
    try:
        if a.resolve() == b.resolve():
            return True
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def _is_ledger_file(p: Path) -> bool:
    try:
        with p.open("rb") as fh:
            head = fh.read(100)
    except OSError:
        return False
    if len(head) < 100 or not head.startswith(SQLITE_MAGIC):
        return False
    # application_id is the big-endian integer at offset 68 of the header.
    return int.from_bytes(head[68:72], "big") == APPLICATION_ID


def _as_path(ledger: str | os.PathLike[str]) -> Path:
    """A ledger named by its path, or by the SQLite URI it was opened with (file:///…/台账.db?mode=ro)."""
    text = os.fspath(ledger)
    if isinstance(text, str) and text.startswith("file:"):
        from urllib.parse import urlsplit
        from urllib.request import url2pathname  # which also undoes the %-quoting

        return Path(url2pathname(urlsplit(text).path))
    return Path(text)


def protected_paths(ledger: Path) -> list[Path]:
    """The ledger and the files SQLite and the program keep beside it."""
    return [ledger, *(ledger.with_name(ledger.name + s) for s in _SIDE_SUFFIXES)]


def _open_ledgers() -> list[Path]:
    from rectify_desktop.core.ledger import Ledger

    current = Ledger._current
    return [current.path] if current is not None and not current.closed else []


def check_target(out: str | os.PathLike[str], ledgers: Iterable[str | os.PathLike[str]] = ()) -> Path:
    """Refuses an output path that would destroy a ledger: `ledgers`, the open one, their -wal/-shm/.lock,
    or any file that is itself a ledger. Returns the path."""
    o = Path(out)
    if o.is_dir():
        raise OutputError(f"这是一个文件夹，请给出要保存的文件名：{o}")
    if not o.parent.is_dir():
        raise OutputError(f"文件夹不存在：{o.parent}")
    for led in [*map(_as_path, ledgers), *_open_ledgers()]:
        for p in protected_paths(led):
            if _same(o, p):
                raise OutputError(f"不能导出到台账文件本身（或其附属文件），否则台账会被覆盖：{o}")
    if o.exists() and _is_ledger_file(o):
        raise OutputError(f"目标文件是一份整改台账，导出不能覆盖它，请换一个文件名：{o}")
    for s in _SIDE_SUFFIXES:
        if o.name.endswith(s):
            base = o.with_name(o.name[: -len(s)])
            if base.exists() and _is_ledger_file(base):
                raise OutputError(f"目标文件是台账“{base.name}”的附属文件，导出不能覆盖它：{o}")
    return o


# --- the temporary file and its journal ---------------------------------------------------------------


def temp_path(out: Path, kind: str = "") -> Path:
    """A temporary name beside `out`, recognisable as ours and as this process's."""
    tag = f"{kind}-" if kind else ""
    return out.parent / f"{TEMP_PREFIX}{tag}{os.getpid()}-{secrets.token_hex(4)}-{out.name}.part"


def state_dir() -> Path:
    """The user's state folder (RECTIFY_DESKTOP_STATE_DIR in the tests): the journal here, saved passwords."""
    env = os.environ.get("RECTIFY_DESKTOP_STATE_DIR")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_state_dir("rectify-desktop", appauthor=False))


def _journal() -> Path:
    return state_dir() / "temp-folders.txt"


def _read_journal() -> list[str]:
    try:
        return [line for line in _journal().read_text(encoding="utf-8").splitlines() if line.strip()]
    except OSError:
        return []


def _write_journal(folders: list[str]) -> None:
    j = _journal()
    if not folders and not j.exists():
        return  # nothing to remember: no state folder is made for nothing
    try:
        j.parent.mkdir(parents=True, exist_ok=True)
        tmp = j.with_name(j.name + f".{os.getpid()}")
        tmp.write_text("".join(f"{f}\n" for f in folders[-_JOURNAL_MAX:]), encoding="utf-8")
        os.replace(tmp, j)
    except OSError:
        pass  # the journal only helps tidy up; failing to keep it must not stop an export


def remember_folder(folder: Path) -> None:
    """Notes that `folder` may hold a temporary file of ours, so the next start can clean it."""
    key = str(folder.resolve())
    folders = _read_journal()
    if key not in folders:
        _write_journal([*folders, key])


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if os.name == "nt":
        return True  # a Windows file in use cannot be removed anyway; age decides there
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _is_stale(p: Path) -> bool:
    m = _TEMP_RE.match(p.name)
    if not m:
        return False
    if os.name == "nt":
        try:
            import time

            return time.time() - p.stat().st_mtime > 12 * 3600
        except OSError:
            return False
    return not _pid_alive(int(m.group(1)))


def clean_folder(folder: Path) -> list[Path]:
    """Removes the temporary files and folders of ours in `folder` whose process is gone."""
    gone: list[Path] = []
    try:
        entries = list(folder.iterdir())
    except OSError:
        return gone
    for p in entries:
        if not p.name.startswith(TEMP_PREFIX) or not _is_stale(p):
            continue
        try:
            if p.is_dir() and not p.is_symlink():
                shutil.rmtree(p)
            else:
                p.unlink()
            gone.append(p)
        except OSError:
            pass
    return gone


def clean_stale(extra: Iterable[Path] = ()) -> list[Path]:
    """At start: cleans every folder the journal names (and `extra`), and forgets the clean ones."""
    gone: list[Path] = []
    keep: list[str] = []
    for f in [*_read_journal(), *(str(Path(e)) for e in extra)]:
        folder = Path(f)
        gone += clean_folder(folder)
        try:
            if any(p.name.startswith(TEMP_PREFIX) for p in folder.iterdir()):
                keep.append(f)
        except OSError:
            pass
    _write_journal(list(dict.fromkeys(keep)))
    return gone


# --- writing ----------------------------------------------------------------------------------------


@contextlib.contextmanager
def private_tempdir(beside: Path) -> Iterator[Path]:
    """Routes the libraries' own temporary files (openpyxl writes each sheet to one) into a folder of ours
    beside the target, so that a kill leaves nothing in /tmp and the next start finds what it left."""
    work = Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}tmp-{os.getpid()}-", dir=beside))
    old = tempfile.tempdir
    tempfile.tempdir = str(work)
    try:
        yield work
    finally:
        tempfile.tempdir = old
        shutil.rmtree(work, ignore_errors=True)


@contextlib.contextmanager
def _quiet_unraisable() -> Iterator[None]:
    """While a failed write is tidied: a library object that fails again as it is destroyed (a ZipFile
    closing onto the full disk) must not print "Exception ignored … Traceback" to the clerk."""
    old = sys.unraisablehook
    sys.unraisablehook = lambda _unraisable: None
    try:
        yield
    finally:
        sys.unraisablehook = old


def _release(exc: BaseException) -> None:
    """Lets go of what the failed write's frames still hold (open zip archives, half-written sheets), so
    that they are closed now, quietly, and not at exit with a traceback."""
    with _quiet_unraisable():
        tb = exc.__traceback__
        while tb is not None:
            with contextlib.suppress(RuntimeError):  # a frame still running cannot be cleared
                tb.tb_frame.clear()
            tb = tb.tb_next
        gc.collect()


def _written_size(p: Path) -> int:
    try:
        return p.stat().st_size
    except OSError:
        return -1


def write_bytes(path: Path, data: bytes) -> None:
    """Writes `data` to `path`, each write and the close checked (Python raises what the disk says)."""
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()
    if _written_size(path) != len(data):
        raise OSError(errno.EIO, f"写入不完整（应为 {len(data)} 字节，实为 {_written_size(path)} 字节）", str(path))


def _as_oserror(exc: BaseException) -> OSError | None:
    """The operating-system failure behind `exc`: lxml (under openpyxl's sheets) reports a full disk as
    SerialisationError("IO_ENOSPC"), not as an OSError."""
    if isinstance(exc, OSError):
        return exc
    text = str(exc)
    if type(exc).__name__ == "SerialisationError" and text.startswith("IO_E"):
        code = getattr(errno, text[3:].split()[0], errno.EIO)
        return OSError(code, os.strerror(code))
    return None


def _failure(exc: OSError, o: Path, existed: bool, replacing: bool) -> OutputError:
    kept = "原有文件未改动。" if existed else ""
    if isinstance(exc, PermissionError) and not oserrors.is_disk_full(exc):
        if replacing:
            # Windows refuses to replace a file another program holds open.
            return OutputError(
                f"导出失败，{kept}无法覆盖文件：{o}。该文件可能正在 Excel 或 WPS（或 Word）中打开，"
                f"请先关闭它再导出，或换一个文件名（{exc}）"
            )
        return OutputError(f"导出失败，{kept}没有权限在该文件夹中保存文件：{o.parent}，请选择其他位置（{exc}）")
    return OutputError(f"导出失败，{kept}{oserrors.explain(exc, o)}")


@contextlib.contextmanager
def atomic_output(
    out: str | os.PathLike[str],
    *,
    ledgers: Iterable[str | os.PathLike[str]] = (),
    kind: str = "",
    validate: Callable[[Path], None] | None = None,
) -> Iterator[Path]:
    """Yields a temporary path beside `out` to write the whole file to; on a clean exit it is checked
    (`validate`, given the temporary path, raises when the file is not whole), flushed to the disk and
    renamed over `out`. On any failure it is removed, `out` is left as it was, and an OSError becomes an
    OutputError that says why (磁盘空间不足, 只读, 无权限, …)."""
    o = check_target(out, ledgers)
    existed = o.exists()
    remember_folder(o.parent)
    tmp = temp_path(o, kind)
    replacing = False
    try:
        with private_tempdir(o.parent):
            yield tmp
        if not tmp.exists():
            raise OutputError(f"导出失败，没有写出文件：{o}")
        if validate is not None:
            validate(tmp)
        fileops.fsync_file(tmp)
        replacing = True
        os.replace(tmp, o)
        replacing = False
        fileops.fsync_dir(o.parent)
    except BaseException as exc:
        _release(exc)
        with contextlib.suppress(OSError):
            if tmp.is_dir():
                shutil.rmtree(tmp, ignore_errors=True)
            else:
                tmp.unlink(missing_ok=True)
        if isinstance(exc, OutputError):
            raise
        os_exc = _as_oserror(exc)
        if os_exc is not None:
            raise _failure(os_exc, o, existed, replacing) from exc
        raise
