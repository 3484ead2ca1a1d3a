"""Faults made for real where this machine allows (a small tmpfs for a full disk, a read-only bind mount),
as root in CI and here; elsewhere the same tests simulate the failing call, so they never silently pass."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

CAN_MOUNT = hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("mount") is not None


def _mount(*args: str) -> bool:
    return subprocess.run(["mount", *args], capture_output=True).returncode == 0


def _umount(target: Path) -> None:
    for _ in range(5):
        if subprocess.run(["umount", str(target)], capture_output=True).returncode == 0:
            return
        subprocess.run(["umount", "-l", str(target)], capture_output=True)


@contextlib.contextmanager
def tmpfs(folder: Path, size: str) -> Iterator[Path]:
    """A tmpfs of `size` (e.g. "1m", "300k") mounted at `folder`; unmounted whatever happens."""
    folder.mkdir(parents=True, exist_ok=True)
    if not _mount("-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)):
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield folder
    finally:
        _umount(folder)


@contextlib.contextmanager
def read_only_view(source: Path, folder: Path) -> Iterator[Path]:
    """`source` (a folder) seen read-only at `folder` through a bind mount; unmounted whatever happens."""
    folder.mkdir(parents=True, exist_ok=True)
    if not _mount("--bind", str(source), str(folder)):
        pytest.skip("cannot bind-mount here")
    try:
        if not _mount("-o", "remount,bind,ro", str(folder)):
            pytest.skip("cannot remount read-only here")
        yield folder
    finally:
        _umount(folder)


def fill_disk(folder: Path, leave: int) -> None:
    """Fills the disk holding `folder` until only about `leave` bytes are free."""
    free = shutil.disk_usage(folder).free
    size = max(0, free - leave)
    with open(folder / "ballast.bin", "wb") as fh:
        chunk = b"\0" * (1 << 16)
        while size > 0:
            n = min(size, len(chunk))
            try:
                fh.write(chunk[:n])
                fh.flush()
            except OSError:
                break
            size -= n


@pytest.fixture
def small_disk(tmp_path: Path):
    """Factory: small_disk("2m") -> a folder on a fresh tmpfs of that size (skips when it cannot mount)."""
    stack = contextlib.ExitStack()
    n = [0]

    def make(size: str) -> Path:
        n[0] += 1
        return stack.enter_context(tmpfs(tmp_path / f"disk{n[0]}", size))

    with stack:
        yield make


@pytest.fixture
def read_only_folder(tmp_path: Path):
    """Factory: read_only_folder(src) -> the folder `src` seen through a read-only bind mount."""
    stack = contextlib.ExitStack()
    n = [0]

    def make(src: Path) -> Path:
        n[0] += 1
        return stack.enter_context(read_only_view(src, tmp_path / f"ro{n[0]}"))

    with stack:
        yield make
