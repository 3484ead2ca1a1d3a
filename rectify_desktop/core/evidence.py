"""Evidence files (佐证材料) kept inside the ledger: stored in chunks, once per SHA-256.

Files are read and written a chunk at a time, so a 200 MB scan never sits in memory whole, and the same
bytes attached to several items are stored once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from rectify_desktop.core.commands import Change, Command, Insert, LogEntry
from rectify_desktop.core.models import Blob, BlobChunk, Evidence, db

CHUNK_SIZE = 1 << 20

Progress = Callable[[int, int], None]


def hash_file(path: Path, progress: Progress | None = None) -> tuple[str, int]:
    h = hashlib.sha256()
    size = path.stat().st_size
    done = 0
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK_SIZE):
            h.update(chunk)
            done += len(chunk)
            if progress:
                progress(done, size)
    return h.hexdigest(), done


def _store_stream(fh: BinaryIO, sha: str, size: int, progress: Progress | None) -> None:
    Blob.insert(sha256=sha, size=size).execute()
    seq, done = 0, 0
    check = hashlib.sha256()
    while chunk := fh.read(CHUNK_SIZE):
        BlobChunk.insert(blob=sha, seq=seq, data=chunk).execute()
        check.update(chunk)
        seq += 1
        done += len(chunk)
        if progress:
            progress(done, size)
    if check.hexdigest() != sha:
        # The file changed between hashing and storing; refuse rather than keep bytes under a wrong name.
        raise OSError(f"文件在保存过程中被修改：{getattr(fh, 'name', '')}")


def store_blob(path: Path, progress: Progress | None = None) -> tuple[str, int]:
    """Stores the file's bytes unless already there; returns (sha256, size). Call inside a transaction."""
    sha, size = hash_file(path)
    if Blob.get_or_none(Blob.sha256 == sha) is None:
        with path.open("rb") as fh:
            _store_stream(fh, sha, size, progress)
    return sha, size


def store_bytes(data: bytes) -> str:
    """Stores bytes made by the program itself (the demo's files); returns the sha256."""
    sha = hashlib.sha256(data).hexdigest()
    if Blob.get_or_none(Blob.sha256 == sha) is None:
        Blob.insert(sha256=sha, size=len(data)).execute()
        for seq, i in enumerate(range(0, len(data), CHUNK_SIZE)):
            BlobChunk.insert(blob=sha, seq=seq, data=data[i : i + CHUNK_SIZE]).execute()
        if not data:
            BlobChunk.insert(blob=sha, seq=0, data=b"").execute()
    return sha


def iter_blob(sha: str) -> Iterator[bytes]:
    q = BlobChunk.select(BlobChunk.data).where(BlobChunk.blob == sha).order_by(BlobChunk.seq)
    for (data,) in q.tuples().iterator():
        yield bytes(data)


def write_blob(sha: str, out: Path) -> None:
    with out.open("wb") as fh:
        for chunk in iter_blob(sha):
            fh.write(chunk)


def rehash_blob(sha: str) -> str:
    h = hashlib.sha256()
    for chunk in iter_blob(sha):
        h.update(chunk)
    return h.hexdigest()


def prune_blobs() -> int:
    """Deletes blobs no evidence refers to any more; returns how many went."""
    # NOT IN over a list holding NULL is never true: registered materials without a file are left out.
    used = Evidence.select(Evidence.blob).where(Evidence.blob.is_null(False))
    unused = Blob.select(Blob.sha256).where(~Blob.sha256.in_(used))
    shas = [b.sha256 for b in unused]
    if shas:
        with db.atomic():
            Blob.delete().where(Blob.sha256.in_(shas)).execute()
    return len(shas)


class AddEvidence(Command):
    """Attaches a file to an item (or one of its measures); its bytes are stored inside the ledger."""

    def __init__(self, item_id: int, path: str | os.PathLike[str], measure_id: int | None = None, **values: Any):
        self.path = Path(path)
        self.item_id = item_id
        self.values = {"item": item_id, "measure": measure_id, "name": self.path.name, **values}
        self.values.setdefault("date", dt.date.today())
        self.insert: Insert | None = None
        self.progress: Progress | None = None
        self.text = "添加佐证材料"

    def do(self) -> list[Change]:
        if self.insert is None:
            if not self.path.is_file():
                raise OSError(f"不是文件：{self.path}")
            sha, _ = store_blob(self.path, self.progress)
            self.insert = Insert(Evidence, {**self.values, "blob": sha})
        return self.insert.do()

    def undo(self) -> list[Change]:
        assert self.insert is not None
        return self.insert.undo()

    def log(self) -> list[LogEntry]:
        assert self.insert is not None
        return [LogEntry("新增", "佐证材料", self.insert.row_id, new=str(self.values["name"]), summary=self.text)]
