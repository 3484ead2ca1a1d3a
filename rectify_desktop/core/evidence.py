"""Evidence files (佐证材料) kept inside the ledger: stored in chunks, once per SHA-256.

Files are read and written a chunk at a time, so a 200 MB scan never sits in memory whole, and the same
bytes attached to several items are stored once. A file is checked before a byte of it is stored (a folder,
a file that cannot be read, a file over the size limit of the setting ``evidence_max_mb``), and stored inside
the command's one transaction, so that any failure, a full disk included, leaves the ledger as it was.

A material's title is stored without Unicode direction marks (bidirectional controls), which would let
"报告\u202egpj.exe" show as "报告exe.jpg"; a program among the materials (:func:`is_executable`) is opened only
after the clerk has been told what it really is.

Bytes stay in the ledger while nothing refers to them, so that undo can bring a removed file back;
:func:`prune_blobs` removes them when the ledger is closed.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import os
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, BinaryIO

from rectify_desktop.core import outfile, rules, server
from rectify_desktop.core.commands import Change, Command, Insert, LogEntry, SetFields
from rectify_desktop.core.models import EVIDENCE_KINDS, Blob, BlobChunk, Evidence, Measure, Setting, db

CHUNK_SIZE = 1 << 20
DEFAULT_MAX_MB = 500
MAX_MB_SETTING = "evidence_max_mb"
# A write at least this large leaves the WAL checkpoint to a background thread (see deferred_checkpoint).
BIG_WRITE = 16 << 20

Progress = Callable[[int, int], None]

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".gif", ".bmp", ".webp", ".tif", ".tiff", ".heic"})
_MINUTES_WORDS = ("纪要", "会议记录", "会议纪录")
_RULE_WORDS = ("制度", "办法", "细则", "规程")
_SUFFIX_RE = re.compile(r"\.[A-Za-z0-9]{1,8}")
# The first bytes of the commonest evidence formats, for a stored file whose name lost its extension.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", ".png"),
    (b"\xff\xd8\xff", ".jpg"),
    (b"GIF8", ".gif"),
    (b"BM", ".bmp"),
    (b"II*\x00", ".tif"),
    (b"MM\x00*", ".tif"),
    (b"PK\x03\x04", ".zip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", ".doc"),
    (b"{\\rtf", ".rtf"),
)
# Unicode's bidirectional controls: invisible, they reorder what follows, so that "x\u202egpj.exe" shows as
# "xexe.jpg". No title of a material needs them.
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
_NO_BIDI = dict.fromkeys(map(ord, BIDI_CONTROLS))
# Files the system runs rather than shows when opened (Windows, and Linux desktops): a material of this type
# is opened only after a warning that names its real extension.
EXECUTABLE_SUFFIXES = frozenset(
    ".exe .com .bat .cmd .msi .msp .scr .pif .vbs .vbe .vb .js .jse .wsf .wsh .ws .ps1 .psm1 .psd1 .ps1xml"
    " .lnk .url .scf .hta .cpl .msc .inf .reg .jar .chm .dll .ocx .sys .gadget .application .appref-ms"
    " .sh .run .bin .appimage .desktop .command .py .pyw .pl".split()
)
# The first bytes of a Windows program (MZ) and a Linux one (ELF), for a program stored without an extension.
_PROGRAM_MAGIC = (b"MZ", b"\x7fELF")


class EvidenceError(OSError):
    """A file that cannot become evidence; the message is for the clerk, in Chinese."""


# --- names, kinds and dates ----------------------------------------------------------------------


def real_suffix(name: str) -> str:
    """The file extension of `name` (".pdf"), or "" when what follows the last dot is no extension
    ("2021.5.6会议" has none, nor has "版本1.2")."""
    i = name.rfind(".")
    if i <= 0:
        return ""
    suffix = name[i:]
    if _SUFFIX_RE.fullmatch(suffix) and any(c.isalpha() for c in suffix):
        return suffix
    return ""


def strip_bidi(text: str) -> str:
    """`text` without direction marks (Unicode bidirectional controls, see BIDI_CONTROLS)."""
    return text.translate(_NO_BIDI)


def clean_name(name: str) -> str:
    """A material's title as stored: without direction marks, so that it shows its real extension."""
    return strip_bidi(str(name))


def is_executable(name: str, head: bytes = b"") -> bool:
    """Whether the system would run the file `name` rather than show it: judged on its real extension
    (direction marks removed; trailing dots and spaces dropped, as Windows drops them), or on its first
    bytes `head` when the name has no extension."""
    clean = strip_bidi(name).rstrip(" .")
    i = clean.rfind(".")
    if i > 0 and clean[i:].lower() in EXECUTABLE_SUFFIXES:
        return True
    return not real_suffix(clean) and head.startswith(_PROGRAM_MAGIC)


def executable_suffix(name: str) -> str:
    """The real extension of `name` (".exe"), direction marks removed."""
    clean = strip_bidi(name).rstrip(" .")
    i = clean.rfind(".")
    return clean[i:].lower() if i > 0 else ""


def keep_suffix(title: str, old_name: str) -> str:
    """A title typed for a material whose name was `old_name`: the extension stays, so that the file
    still opens with the right program ("纪要" for "会议纪要.docx" becomes "纪要.docx")."""
    title = " ".join(strip_bidi(title).split())
    old_name = strip_bidi(old_name)
    suffix = real_suffix(old_name)
    if not suffix or real_suffix(title).lower() == suffix.lower():
        return title
    return title + suffix


def with_suffix_of(title: str, file_name: str) -> str:
    """The title of a material whose file becomes `file_name`: its own words, the new file's extension."""
    title, file_name = strip_bidi(title), strip_bidi(file_name)
    suffix = real_suffix(file_name)
    old = real_suffix(title)
    stem = title[: -len(old)] if old else title
    return (stem or Path(file_name).stem) + suffix


def guess_kind(name: str) -> str:
    """照片 for an image, 会议记录 for minutes, 制度 for rules, else 文件; the clerk may change it."""
    if real_suffix(name).lower() in IMAGE_SUFFIXES:
        return "照片"
    if any(w in name for w in _MINUTES_WORDS):
        return "会议记录"
    if any(w in name for w in _RULE_WORDS):
        return "制度"
    return EVIDENCE_KINDS[0]


def file_date(path: Path, today: dt.date | None = None) -> dt.date:
    """The day the file was last modified, or today when that is unknown or not believable."""
    today = today or dt.date.today()
    try:
        day = dt.date.fromtimestamp(path.stat().st_mtime)
    except (OSError, OverflowError, ValueError):
        return today
    return day if dt.date(1990, 1, 1) <= day <= today else today


def default_values(path: Path) -> dict[str, Any]:
    """Title (the file name), kind and date of a file about to be added."""
    return {"name": clean_name(path.name), "kind": guess_kind(path.name), "date": file_date(path)}


def sniff_suffix(head: bytes) -> str:
    for magic, suffix in _MAGIC:
        if head.startswith(magic):
            return suffix
    return ""


def export_name(name: str, sha: str | None) -> str:
    """The file name to write a stored file under: its title, with an extension found from its bytes when
    the title has none."""
    name = strip_bidi(name).strip() or "佐证材料"  # a direction mark after ".exe" must not hide it
    if real_suffix(name) or sha is None:
        return name
    head = next(iter_blob(sha), b"")[:16]
    return name + sniff_suffix(head)


def size_text(size: int | None) -> str:
    """1.2 MB, 35 KB, 120 字节."""
    if size is None:
        return ""
    if size < 1024:
        return f"{size} 字节"
    if size < 1 << 20:
        return f"{size / 1024:.0f} KB"
    if size < 1 << 30:
        return f"{size / (1 << 20):.1f} MB"
    return f"{size / (1 << 30):.2f} GB"


# --- checking a file -----------------------------------------------------------------------------


def max_bytes(setting: str | None = None) -> int:
    """The size limit of one evidence file, from the ledger's setting evidence_max_mb (500 MB by default);
    `setting` is that setting's value when the caller has read it (Ledger.setting)."""
    if setting is None:
        row = Setting.get_or_none(Setting.key == MAX_MB_SETTING)
        setting = row.value if row is not None else str(DEFAULT_MAX_MB)
    try:
        mb = float(setting)
    except ValueError:
        mb = DEFAULT_MAX_MB
    if not 0 < mb < 1e7:  # zero, negative, NaN or infinite make no sense: the default applies
        mb = DEFAULT_MAX_MB
    return int(mb * (1 << 20))


def check_file(path: Path, limit: int | None = None) -> int:
    """Returns the size of `path` if it can be stored as evidence; raises EvidenceError saying why not."""
    name = path.name or str(path)
    if path.is_dir():
        raise EvidenceError(f"“{name}”是一个文件夹，不是文件。请打开该文件夹，选择其中的文件后再添加。")
    if not path.exists():
        raise EvidenceError(f"找不到文件“{name}”：它可能已被移动或删除，或者不是文件。")
    if not path.is_file():
        raise EvidenceError(f"“{name}”不是文件（可能是设备或管道），不能作为佐证材料。")
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            fh.read(1)
    except PermissionError as exc:
        raise EvidenceError(f"没有权限读取文件“{name}”。请确认文件未被其他程序独占打开，并且有读取权限。") from exc
    except OSError as exc:
        raise EvidenceError(f"无法读取文件“{name}”：{exc.strerror or exc}。") from exc
    limit = max_bytes() if limit is None else limit
    if size > limit:
        raise EvidenceError(
            f"文件“{name}”大小为 {size_text(size)}，超过了佐证材料的大小上限 {size_text(limit)}。"
            "请压缩或拆分后再添加（上限可在设置中修改）。"
        )
    return size


def describe_error(exc: BaseException) -> str:
    """A Chinese sentence for what went wrong while reading or storing a file."""
    text = str(exc)
    low = text.lower()
    if isinstance(exc, EvidenceError):
        return text
    if "database or disk is full" in low or getattr(exc, "errno", None) == errno.ENOSPC:
        return "磁盘空间不足，文件未能存入台账。请清理台账文件所在磁盘的空间后再试。"
    if "disk i/o error" in low:
        return "写入台账文件时磁盘出错，文件未能存入台账。请检查磁盘或U盘是否已拔出、是否损坏。"
    if "readonly" in low or "read-only" in low:
        return "台账文件当前不能写入（只读），文件未能存入台账。"
    if isinstance(exc, PermissionError):
        return f"没有权限读取文件“{Path(exc.filename or '').name}”。"
    if isinstance(exc, OSError):
        where = f"“{Path(exc.filename).name}”" if exc.filename else ""
        return f"读取文件{where}时出错：{exc.strerror or text}。"
    if isinstance(exc, (sqlite3.Error,)) or type(exc).__module__ == "peewee":
        return f"写入台账文件时出错（{text}），文件未能存入台账。"
    return text or type(exc).__name__


# --- storing and reading bytes -------------------------------------------------------------------


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


def _insert_chunk(sha: str, seq: int, data: bytes) -> None:
    BlobChunk.insert(blob=sha, seq=seq, data=data).execute()


def _store_stream(fh: BinaryIO, sha: str, size: int, progress: Progress | None) -> None:
    Blob.insert(sha256=sha, size=size).execute()
    seq, done = 0, 0
    check = hashlib.sha256()
    # The check hash of a chunk runs in a helper thread while SQLite stores it: both let go of the GIL, so
    # on two cores the check costs no time. One chunk at a time, in order.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="evidence-hash") as pool:
        hashed: Future[None] | None = None
        while chunk := fh.read(CHUNK_SIZE):
            if hashed is not None:
                hashed.result()
            hashed = pool.submit(check.update, chunk)
            _insert_chunk(sha, seq, chunk)
            seq += 1
            done += len(chunk)
            if progress:
                progress(done, size)
        if hashed is not None:
            hashed.result()
    if seq == 0:
        _insert_chunk(sha, 0, b"")
    if check.hexdigest() != sha:
        # The file changed between hashing and storing; refuse rather than keep bytes under a wrong name.
        raise EvidenceError(f"文件在保存过程中被修改：{getattr(fh, 'name', '')}。请关闭正在编辑它的程序后再试。")


def already_attached(item_id: int, paths: list[Path]) -> dict[Path, str]:
    """The files among `paths` whose bytes the item already holds as evidence (佐证材料), with the name they
    have there. Sizes are compared first, so that only a file of a size the item already has is hashed."""
    held: dict[int, dict[str, str]] = {}
    rows = (
        Evidence.select(Evidence.name, Blob.sha256, Blob.size)
        .join(Blob, on=(Evidence.blob == Blob.sha256))
        .where(Evidence.item == item_id)
        .tuples()
    )
    for name, sha, size in rows:
        held.setdefault(int(size), {}).setdefault(sha, name)
    found: dict[Path, str] = {}
    for p in paths:
        try:
            size = p.stat().st_size
        except OSError:
            continue  # check_file says why it cannot be added
        if size not in held:
            continue
        try:
            sha, _ = hash_file(p)
        except OSError:
            continue
        if sha in held[size]:
            found[p] = held[size][sha]
    return found


def store_blob(
    path: Path, progress: Progress | None = None, *, hash_progress: Progress | None = None
) -> tuple[str, int]:
    """Stores the file's bytes unless already there; returns (sha256, size). Call inside a transaction.

    The file is read twice, once to hash it (hash_progress) and once to store it (progress), so that bytes
    already in the ledger are never written again.
    """
    sha, size = hash_file(path, hash_progress)
    if Blob.get_or_none(Blob.sha256 == sha) is None:
        with path.open("rb") as fh:
            _store_stream(fh, sha, size, progress)
    return sha, size


def store_apart(path: Path, progress: Progress | None = None, hash_progress: Progress | None = None) -> str:
    """On a server ledger: stores a file's bytes in a transaction of their own, before the edit that uses them,
    and returns their SHA-256. Only a second upload of the same bytes waits (a lock per file), never the other
    writers; bytes whose edit then fails stay unused, as after an undo."""
    with db.atomic():
        sha, _ = hash_file(path, hash_progress)
        db.execute_sql("SELECT pg_advisory_xact_lock(hashtext(?))", [sha])
        if Blob.get_or_none(Blob.sha256 == sha) is None:
            with path.open("rb") as fh:
                _store_stream(fh, sha, path.stat().st_size, progress)
    return sha


def store_bytes(data: bytes) -> str:
    """Stores bytes made by the program itself (the demo's files); returns the sha256."""
    sha = hashlib.sha256(data).hexdigest()
    if Blob.get_or_none(Blob.sha256 == sha) is None:
        Blob.insert(sha256=sha, size=len(data)).execute()
        for seq, i in enumerate(range(0, len(data), CHUNK_SIZE)):
            _insert_chunk(sha, seq, data[i : i + CHUNK_SIZE])
        if not data:
            _insert_chunk(sha, 0, b"")
    return sha


def iter_blob(sha: str) -> Iterator[bytes]:
    q = BlobChunk.select(BlobChunk.data).where(BlobChunk.blob == sha).order_by(BlobChunk.seq)
    for (data,) in q.tuples().iterator():
        yield bytes(data)


def blob_size(sha: str | None) -> int | None:
    if sha is None:
        return None
    row = Blob.get_or_none(Blob.sha256 == sha)
    return row.size if row else None


def write_blob(sha: str, out: Path, progress: Progress | None = None) -> None:
    """Writes the stored file to `out` whole or not at all (outfile.atomic_output): a failure (a full disk,
    a cancel raised by `progress`) leaves no half-written file and any earlier file as it was, and the
    ledger, its side files and any other ledger are refused as targets (outfile.OutputError)."""
    size = blob_size(sha) or 0
    ledgers = [] if db.is_closed() or not db.database else [db.database]
    done = 0
    with outfile.atomic_output(out, ledgers=ledgers) as tmp, tmp.open("wb") as fh:
        for chunk in iter_blob(sha):
            fh.write(chunk)
            done += len(chunk)
            if progress:
                progress(done, size)


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


# --- large writes --------------------------------------------------------------------------------

_checkpoints: list[threading.Thread] = []


@contextmanager
def deferred_checkpoint(nbytes: int) -> Iterator[None]:
    """Around a write of `nbytes`: when it is large, SQLite's automatic WAL checkpoint is left out of its
    commit and run by a background thread afterwards.

    The checkpoint copies every page of the write from the WAL into the ledger file a second time; done
    inside the commit, it would hold the window for as long again as the write itself. A passive checkpoint
    on a connection of its own never blocks the window's connection (WAL lets one writer and a
    checkpointer work at once), and the next small edit finds the WAL already folded in.
    """
    if nbytes < BIG_WRITE or db.is_closed() or server.active():  # a server has no WAL file of ours
        yield
        return
    old = int(db.execute_sql("PRAGMA wal_autocheckpoint").fetchone()[0])
    db.execute_sql("PRAGMA wal_autocheckpoint = 0")
    path = str(db.database)
    try:
        yield
    finally:
        with suppress(Exception):
            db.execute_sql(f"PRAGMA wal_autocheckpoint = {old}")
        _checkpoint_in_background(path)


def _checkpoint_in_background(path: str) -> None:
    def run() -> None:
        try:
            con = sqlite3.connect(path, timeout=5)
            try:
                con.execute("PRAGMA wal_checkpoint(PASSIVE)")
            finally:
                con.close()
        except sqlite3.Error:
            pass  # the next commit or closing the ledger checkpoints instead

    t = threading.Thread(target=run, name="ledger-checkpoint", daemon=True)
    _checkpoints[:] = [c for c in _checkpoints if c.is_alive()]
    _checkpoints.append(t)
    t.start()


def wait_checkpoints(timeout: float = 30.0) -> None:
    """Waits for background checkpoints (tests, benchmarks, closing)."""
    for t in list(_checkpoints):
        t.join(timeout)


# --- commands ------------------------------------------------------------------------------------


class AddEvidence(Command):
    """Attaches a file to an item (or one of its measures); its bytes are stored inside the ledger.

    `hash_progress` and `progress` (set before the command runs) are called with (bytes done, file size)
    while the file is hashed and stored; an exception they raise (a cancel) rolls the whole command back.
    """

    def __init__(
        self,
        item_id: int,
        path: str | os.PathLike[str],
        measure_id: int | None = None,
        *,
        max_bytes: int | None = None,
        **values: Any,
    ):
        self.path = Path(path)
        self.item_id = item_id
        self.max_bytes = max_bytes
        self.values = {"item": item_id, "measure": measure_id, "name": self.path.name, **values}
        self.values["name"] = clean_name(self.values["name"])
        self.values.setdefault("date", dt.date.today())
        self.insert: Insert | None = None
        self.progress: Progress | None = None
        self.hash_progress: Progress | None = None
        self.text = "添加佐证材料"

    def prepare(self) -> None:
        """On a server ledger: stores the file's bytes before the edit takes its turn among the writers, so
        that a large scan never keeps the others waiting (server ledger only; see store_apart)."""
        if self.insert is None:
            check_file(self.path, self.max_bytes)
            sha = store_apart(self.path, self.progress, self.hash_progress)
            self.insert = Insert(Evidence, {**self.values, "blob": sha})

    def do(self) -> list[Change]:
        if self.insert is None:
            check_file(self.path, self.max_bytes)
            sha, _ = store_blob(self.path, self.progress, hash_progress=self.hash_progress)
            self.insert = Insert(Evidence, {**self.values, "blob": sha})
        return self.insert.do()

    def undo(self) -> list[Change]:
        assert self.insert is not None
        return self.insert.undo()

    @property
    def row_id(self) -> int | None:
        return self.insert.row_id if self.insert else None

    def log(self) -> list[LogEntry]:
        assert self.insert is not None
        return [LogEntry("新增", "佐证材料", self.insert.row_id, new=str(self.values["name"]), summary=self.text)]


def _file_label(name: str, sha: str | None) -> str:
    return f"{name}（SHA-256 {sha[:12]}…）" if sha else "未附文件"


class ReplaceEvidenceFile(Command):
    """Gives an evidence record new bytes (替换文件), or its first ones (附加文件, a material registered
    without its file). The record keeps its id, title, kind, date and 文号; the title takes the new file's
    extension. Undo gives the old bytes back (they stay in the ledger until it is closed)."""

    def __init__(self, evidence_id: int, path: str | os.PathLike[str], *, max_bytes: int | None = None) -> None:
        self.evidence_id = evidence_id
        self.path = Path(path)
        self.max_bytes = max_bytes
        self.set: SetFields | None = None
        self.old: tuple[str, str | None] = ("", None)
        self.progress: Progress | None = None
        self.hash_progress: Progress | None = None
        ev = Evidence.get_or_none(Evidence.id == evidence_id)
        self.text = "附加佐证材料文件" if ev is not None and ev.blob_sha256 is None else "替换佐证材料文件"

    def prepare(self) -> None:
        """As AddEvidence.prepare: the bytes first, apart, on a server ledger."""
        if self.set is None:
            check_file(self.path, self.max_bytes)
            self._stored = store_apart(self.path, self.progress, self.hash_progress)

    def do(self) -> list[Change]:
        if self.set is None:
            check_file(self.path, self.max_bytes)
            ev = Evidence.get_by_id(self.evidence_id)
            self.old = (ev.name, ev.blob_sha256)
            sha = getattr(self, "_stored", None)
            if sha is None:
                sha, _ = store_blob(self.path, self.progress, hash_progress=self.hash_progress)
            name = with_suffix_of(ev.name, self.path.name)
            self.set = SetFields(Evidence, self.evidence_id, {"blob": sha, "name": name}, text=self.text)
        return self.set.do()

    def undo(self) -> list[Change]:
        assert self.set is not None
        return self.set.undo()

    def log(self) -> list[LogEntry]:
        assert self.set is not None
        new = _file_label(str(self.set.values["name"]), str(self.set.values["blob"]))
        return [LogEntry("修改", "佐证材料", self.evidence_id, "文件", _file_label(*self.old), new, self.text)]


def measure_label(measure_id: int | None) -> str:
    """一是：召开专题会议… for a measure, （不对应具体措施） for none."""
    if measure_id is None:
        return "（不对应具体措施）"
    m = Measure.get_or_none(Measure.id == measure_id)
    if m is None:
        return ""
    ids = [
        r.id for r in Measure.select(Measure.id).where(Measure.item == m.item_id).order_by(Measure.position, Measure.id)
    ]
    text = m.text.strip()
    return f"{rules.cn_number(ids.index(m.id) + 1)}是" + (f"：{text[:20]}" if text else "")


class _SetEvidenceMeasure(SetFields):
    def log(self) -> list[LogEntry]:
        old, new = self.old.get("measure"), self.values.get("measure")
        if old == new:
            return []
        return [
            LogEntry("修改", "佐证材料", self.row_id, "对应措施", measure_label(old), measure_label(new), self.text)
        ]


def assign_measure(evidence_id: int, measure_id: int | None) -> Command:
    """Ties an evidence record to one of its item's measures (整改措施), or to none."""
    if measure_id is not None:
        ev = Evidence.get_by_id(evidence_id)
        m = Measure.get_by_id(measure_id)
        if m.item_id != ev.item_id:
            raise ValueError("只能对应本细化问题的整改措施")
    return _SetEvidenceMeasure(Evidence, evidence_id, {"measure": measure_id}, text="修改佐证材料对应措施")
