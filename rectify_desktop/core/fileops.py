"""Small file steps that keep a write durable and a folder tidy, shared by storage, outfile and importing."""

from __future__ import annotations

import contextlib
import errno
import os
from pathlib import Path

# What SQLite and the program keep beside a ledger file.
SIDE_SUFFIXES = ("-wal", "-shm", "-journal", ".lock")


class TargetExistsError(FileExistsError):
    """The name a finished file was to get was taken meanwhile; nothing was replaced."""


def fsync_file(path: Path) -> None:
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())


def fsync_dir(folder: Path) -> None:
    """Makes a rename in `folder` durable (a no-op where the system cannot, as on Windows)."""
    if os.name == "nt":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def sync(path: Path) -> None:
    """The file's bytes and its folder entry on the disk."""
    fsync_file(path)
    fsync_dir(path.parent)


def remove_with_sides(path: Path) -> None:
    """`path` and what SQLite and the program kept beside it, quietly: used to undo a build."""
    for p in (path, *(path.with_name(path.name + s) for s in SIDE_SUFFIXES)):
        with contextlib.suppress(OSError):
            p.unlink(missing_ok=True)


def move_new(tmp: Path, target: Path) -> None:
    """Gives a finished file its name, never over a file that appeared there meanwhile."""
    try:
        os.link(tmp, target)  # fails when the target exists, atomically
    except FileExistsError:
        raise TargetExistsError(errno.EEXIST, "文件已存在", str(target)) from None
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK, errno.ENOSYS):
            raise
        # A disk without hard links (a FAT stick): rename, which does not replace on Windows; elsewhere the
        # check and the rename are a moment apart, no more.
        if target.exists():
            raise TargetExistsError(errno.EEXIST, "文件已存在", str(target)) from None
        os.rename(tmp, target)
        return
    tmp.unlink()
