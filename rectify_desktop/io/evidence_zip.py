"""The evidence package (佐证材料包): every evidence file of an inspection in one zip, for the inspection office.

    （一）方面/1.问题/（1）细化问题/会议纪要.pdf
    目录.xlsx           every material: its item, measure, kind, date, 文号, size, SHA-256 and place in the
                        package (io.evidence_index, which also lays it out for A4)
    <台账标题>.xlsx     the ledger workbook itself (io.xlsx_export)

Names are made safe for Windows, where most packages are opened: no reserved names (CON, NUL, COM1 …, also
before several dots: "CON.tar.gz" becomes "CON_.tar.gz"), no ``<>:"/\\|?*`` (replaced by their full-width
forms, which read the same), control characters or direction marks (which make "x\u202egpj.exe" show as
"xexe.jpg"), no trailing dots or spaces, each part shortened so that a whole path stays well under Windows'
260 characters even after the folder the clerk unpacks into (cut between words where it can, and marked
"…", as the office reads these names), and equal names in one folder numbered
"名称(2).pdf" (Windows compares names without case). Non-ASCII names are stored as UTF-8 with the zip's
UTF-8 flag (general purpose bit 11, which Python's zipfile sets), which Windows' own zip tool, WPS, 7-Zip
and unzip read.

Every entry is an ordinary file (mode 0644; folders are no entries of their own, unpackers make them as usual),
timed in local time as zip keeps it: an evidence file at the start of its material's date (the ledger keeps the
day of a file, not its hour), 目录.xlsx and the ledger workbook when they were made.

Files are streamed from the ledger chunk by chunk into the zip, and the zip is written through
:func:`outfile.atomic_output`: under a temporary name beside the target, flushed and renamed when whole, never
onto a ledger, so that a failure, a full disk or a cancel leaves no half-written package and an older one as it
was. The ledger workbook is made first in a work folder beside the target (``.~rectify-zip-<pid>-…``), which a
kill may leave and the next start removes (outfile.clean_stale). In 目录.xlsx every title is text, and one that
Excel would take for a formula carries Excel's quote prefix, as in the ledger workbook. No Qt here: the command
line and the window share it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import errno
import hashlib
import itertools
import os
import re
import shutil
import sqlite3
import stat
import sys
import tempfile
import unicodedata
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from peewee import JOIN, PeeweeException

from rectify_desktop.core import evidence, oserrors, outfile, rules, storage
from rectify_desktop.core.models import Blob, Category, Evidence, Finding, Inspection, Item, Measure, db
from rectify_desktop.core.table import ledger_title

# The index (目录.xlsx) lives in io.evidence_index; callers and tests keep importing its names from here.
from rectify_desktop.io.evidence_index import (  # noqa: F401 - re-exported for the callers
    INDEX_HEADER_ROW,
    INDEX_HEADERS,
    NO_FILE,
    index_workbook,
    read_index,
)

Progress = Callable[[int, int], None]

INDEX_NAME = "目录.xlsx"
# Limits of each part of a path, in UTF-16 units as Windows counts them. A package path is at most about
# 24 + 32 + 32 + 60 + 3 = 151 of them, leaving over 100 for the folder it is unpacked into.
CATEGORY_LIMIT = 24
FINDING_LIMIT = 32
ITEM_LIMIT = 32
FILE_LIMIT = 60
MAX_PATH = 160

_RESERVED = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"} | {
    f"{dev}{n}" for dev in ("COM", "LPT") for n in (*"123456789", "¹", "²", "³")
}
_FULL_WIDTH = str.maketrans(
    {"<": "＜", ">": "＞", ":": "：", '"': "＂", "/": "／", "\\": "＼", "|": "｜", "?": "？", "*": "＊"}
)
# Formats that are compressed already: stored as they are (deflating a 200 MB scan would take a minute
# and save nothing).
_STORED_SUFFIXES = frozenset(
    ".jpg .jpeg .png .gif .webp .heic .tif .tiff .pdf .ofd .zip .rar .7z .gz .bz2 .xz .docx .xlsx .pptx"
    " .mp3 .m4a .aac .mp4 .mov .avi .mkv .wmv".split()
)


class ZipExportError(storage.LedgerError):
    """The package could not be made; the message is for the clerk, in Chinese."""


# --- safe names ----------------------------------------------------------------------------------


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _cut(text: str, limit: int) -> str:
    """The longest start of `text` at most `limit` UTF-16 units long, in one step (a title may be a million
    characters long), never ending in half a surrogate pair."""
    head = text[: max(0, limit)]  # every character takes at least one unit
    data = head.encode("utf-16-le")
    if len(data) <= 2 * limit:
        return head
    # A cut through a pair leaves its first half alone at the end, which the decoder drops.
    return data[: 2 * limit].decode("utf-16-le", errors="ignore")


def _clean(text: str) -> str:
    text = evidence.strip_bidi(text)
    text = "".join(
        " " if ch in "\t\r\n\v\f" else ch
        for ch in text
        if ch in "\t\r\n\v\f" or unicodedata.category(ch) not in ("Cc", "Cs")
    )
    text = text.translate(_FULL_WIDTH)
    return re.sub(r"\s+", " ", text).strip()


# Where a long title may be cut between words. Chinese has no spaces: after punctuation (or before an opening
# mark), before a conjunction and after 的 are boundaries; a cut elsewhere ("…思想和") reads as a cut word.
_BREAK_AFTER = frozenset(" ，、；：。！？）」』”’】〕》,;:!?)]") | {"的"}
_BREAK_BEFORE = frozenset("（「『“‘【〔《([") | {"和"}
_BREAK_BEFORE_PAIRS = ("以及", "及其", "并且", "或者")
_DANGLING = " .,;:，、；：。"
ELLIPSIS = "…"


def _boundary(head: str, rest: str) -> int:
    """The length of the longest start of `head` (a start of `head + rest`) that ends at a boundary between
    words and keeps at least half of it; 0 when there is none."""
    following = head + rest[:2]
    for at in range(len(head), max(1, (len(head) + 1) // 2) - 1, -1):
        before, after = following[at - 1], following[at : at + 1]
        if before in _BREAK_AFTER or after in _BREAK_BEFORE or following.startswith(_BREAK_BEFORE_PAIRS, at):
            return at
    return 0


def shorten(text: str, limit: int) -> str:
    """`text` if it is at most `limit` UTF-16 units long, else a start of it cut at a boundary between words
    (see _boundary), or through a word where no boundary keeps half, followed by "…"; in all at most `limit`
    units. Looks at no more of the text than the limit (a title may be a million characters long)."""
    if utf16_len(text[: limit + 1]) <= limit:
        return text
    head = _cut(text, limit - 1)
    at = _boundary(head, text[len(head) : len(head) + 2])
    cut = (head[:at] if at else head).rstrip(_DANGLING)
    return (cut or head) + ELLIPSIS


def safe_name(text: str, limit: int, *, keep_suffix: bool = False, mark_cut: bool = False) -> str:
    """`text` as a file or folder name that Windows accepts, at most `limit` UTF-16 units long.

    A name too long keeps its longest start that fits, or with `mark_cut`, its start up to a boundary between
    words followed by "…" (the names in the package, which the office reads)."""
    text = _clean(text)
    suffix = evidence.real_suffix(text) if keep_suffix else ""
    stem = text[: -len(suffix)] if suffix else text
    room = max(1, limit - utf16_len(suffix))
    fit = shorten if mark_cut and room > 1 else _cut
    stem = fit(stem, room).rstrip(" .")
    if not stem:
        stem = "未命名"
    # Windows treats "CON.txt", "con .pdf" and "CON.tar.gz" as the device CON, whatever follows the first
    # dot: the mark goes on the part before it.
    first, dot, rest = stem.partition(".")
    if first.rstrip(" ").upper() in _RESERVED:
        stem = fit(first.rstrip(" ") + "_" + dot + rest, room).rstrip(" .")
    return stem + suffix


class _Names:
    """Unique names within each folder, compared without case as Windows does; repeats get "(2)", "(3)"."""

    def __init__(self) -> None:
        self.used: dict[str, set[str]] = {}

    def take(self, folder: str, name: str, limit: int) -> str:
        used = self.used.setdefault(folder, set())
        suffix = evidence.real_suffix(name)
        stem = name[: -len(suffix)] if suffix else name
        candidate, n = name, 1
        while candidate.casefold() in used:
            n += 1
            mark = f"({n})"
            room = limit - utf16_len(mark + suffix)
            # A name cut with "…" stays marked as cut when it makes room for the number.
            fit = shorten if stem.endswith(ELLIPSIS) and room > 1 else _cut
            candidate = fit(stem, room).rstrip(" .") + mark + suffix
        used.add(candidate.casefold())
        return candidate


# --- what goes into the package ------------------------------------------------------------------


@dataclass
class Entry:
    """One evidence record of the inspection, with where its file goes in the package (None: 未附文件)."""

    evidence_id: int
    item_code: str
    category: str
    finding: str
    item: str
    measure: str
    name: str
    kind: str
    date: dt.date | None
    doc_number: str
    note: str
    sha256: str | None
    size: int | None
    arcname: str | None
    added_at: dt.datetime | None = None


def plan(inspection_id: int, names: _Names | None = None) -> list[Entry]:
    """The inspection's evidence in ledger order (category, finding, item, then the item's own order)."""
    names = names or _Names()
    cats = list(Category.select().where(Category.inspection == inspection_id).order_by(Category.position, Category.id))
    cat_index = {c.id: i for i, c in enumerate(cats)}
    findings = {f.id: f for f in Finding.select().where(Finding.inspection == inspection_id)}
    items = {i.id: i for i in Item.select().join(Finding).where(Finding.inspection == inspection_id).order_by(Item.id)}
    # Each measure whole, as 一是：…, numbered within its item as the ledger numbers it.
    measures: dict[int, tuple[int, str]] = {}
    per_item: dict[int, int] = {}
    for mid, item_id, text in (
        Measure.select(Measure.id, Measure.item, Measure.text)
        .where(Measure.item.in_(list(items) or [0]))
        .order_by(Measure.position, Measure.id)
        .tuples()
    ):
        per_item[item_id] = per_item.get(item_id, 0) + 1
        text = (text or "").strip()
        measures[mid] = (item_id, f"{rules.cn_number(per_item[item_id])}是" + (f"：{text}" if text else ""))
    rows = list(
        Evidence.select(Evidence, Blob.size)
        .join(Blob, join_type=JOIN.LEFT_OUTER, on=(Evidence.blob == Blob.sha256))
        .where(Evidence.item.in_(list(items) or [0]))
        .objects()
    )

    def order(e: Evidence) -> tuple:
        it = items[e.item_id]
        f = findings[it.finding_id]
        return (cat_index.get(f.category_id, 0), f.position, f.id, it.position, it.id, e.position, e.id)

    folders: dict[tuple[str, int], str] = {}

    def folder(kind: str, key: int, parent: str, text: str, limit: int) -> str:
        if (kind, key) not in folders:
            folders[(kind, key)] = parent + names.take(parent, safe_name(text, limit, mark_cut=True), limit) + "/"
        return folders[(kind, key)]

    out = []
    for e in sorted(rows, key=order):
        it = items[e.item_id]
        f = findings[it.finding_id]
        c = cats[cat_index[f.category_id]]
        cat_text = f"{rules.category_label(cat_index[c.id] + 1)}{c.title}"
        finding_text = f"{rules.finding_label(f.number)}{f.title}"
        item_text = f"{rules.item_label(it.number)}{it.title}"
        arcname = None
        if e.blob_sha256 is not None:
            path = folder("c", c.id, "", cat_text, CATEGORY_LIMIT)
            path = folder("f", f.id, path, finding_text, FINDING_LIMIT)
            path = folder("i", it.id, path, item_text, ITEM_LIMIT)
            file_name = safe_name(
                evidence.export_name(e.name, e.blob_sha256), FILE_LIMIT, keep_suffix=True, mark_cut=True
            )
            arcname = path + names.take(path, file_name, FILE_LIMIT)
        owner, measure = measures.get(e.measure_id, (None, "")) if e.measure_id is not None else (None, "")
        if owner != it.id:
            measure = ""  # a measure of another item is no measure of this material
        out.append(
            Entry(
                evidence_id=e.id,
                item_code=f"{rules.finding_label(f.number)}{rules.item_label(it.number)}",
                category=cat_text,
                finding=finding_text,
                item=item_text,
                measure=measure,
                name=e.name,
                kind=e.kind,
                date=e.date,
                doc_number=e.doc_number,
                note=e.note,
                sha256=e.blob_sha256,
                size=getattr(e, "size", None) if e.blob_sha256 else None,
                arcname=arcname,
                added_at=e.added_at,
            )
        )
    return out


# --- writing the zip -----------------------------------------------------------------------------


# Every entry an ordinary file, readable by all and written by its owner (as "zip" makes them), made "on Unix"
# so that unpackers read the mode from the same field whichever system made the package.
FILE_MODE = stat.S_IFREG | 0o644
_UNIX = 3
_ZIP_FIRST, _ZIP_LAST = dt.datetime(1980, 1, 1), dt.datetime(2107, 12, 31, 23, 59, 58)


def _zip_time(moment: dt.datetime | dt.date) -> tuple[int, int, int, int, int, int]:
    """A zip entry's time, local time as zip keeps it. A day alone (the date of a material) is its start:
    the ledger keeps the day of a file, not its hour."""
    if not isinstance(moment, dt.datetime):
        moment = dt.datetime.combine(moment, dt.time())
    moment = min(max(moment.replace(tzinfo=None), _ZIP_FIRST), _ZIP_LAST)
    return (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)


def _entry(name: str, when: dt.datetime | dt.date, compress_type: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, _zip_time(when))
    info.compress_type = compress_type
    info.create_system = _UNIX
    info.external_attr = FILE_MODE << 16
    return info


def _compress_type(name: str, head: bytes) -> int:
    if evidence.real_suffix(name).lower() in _STORED_SUFFIXES:
        return zipfile.ZIP_STORED
    sample = head[: 256 * 1024]
    if sample and len(zlib.compress(sample, 1)) > 0.9 * len(sample):
        return zipfile.ZIP_STORED  # scans and media under other names: not worth the time
    return zipfile.ZIP_DEFLATED


def _ledger_workbook(inspection_id: int, folder: Path, out: Path, tick: Callable[[], None]) -> Path | None:
    """The ledger workbook (io.xlsx_export), or None while that module is not part of the program."""
    try:
        from rectify_desktop.io.xlsx_export import export_workbook
    except ImportError:
        return None
    try:
        return export_workbook(inspection_id, folder / "ledger.xlsx", progress=lambda _done, _total: tick())
    except storage.LedgerError as exc:
        # A failed write of the workbook is told about the package (the work folder means nothing to the clerk).
        cause: BaseException | None = exc.__cause__
        while cause is not None and not isinstance(cause, OSError):
            cause = cause.__cause__
        if cause is not None:
            raise ZipExportError(f"佐证材料包未导出，原有文件未改动。{oserrors.explain(cause, out)}") from exc
        raise ZipExportError(f"生成台账工作簿时出错，佐证材料包未导出：{exc}") from exc
    except Exception as exc:
        # lxml, which writes openpyxl's sheets, reports a failed write as SerialisationError("IO_ENOSPC"):
        # made the OSError it is, so that the clerk reads 磁盘空间不足 and not an internal name.
        m = re.search(r"IO_(E[A-Z]+)", str(exc))
        code = getattr(errno, m.group(1), None) if m else None
        if code is None:
            raise
        raise OSError(code, f"{os.strerror(code)}（{exc}）", str(folder)) from exc


def export_zip(inspection_id: int, out: Path, *, progress: Progress | None = None) -> Path:
    """Writes the evidence package of an inspection to `out`, whole or not at all; returns `out`.

    The ledger must be open; `out` may not be it, its side files or any other ledger. `progress` is called
    with (bytes done, bytes in all); an exception it raises (a cancel) stops the export and removes what was
    written.
    """
    out = Path(out)
    if db.is_closed():
        raise ZipExportError("台账没有打开，无法导出")
    insp = Inspection.get_or_none(Inspection.id == inspection_id)
    if insp is None:
        raise ZipExportError(f"台账中没有编号为 {inspection_id} 的巡察")
    try:
        outfile.check_target(out, [db.database])
    except outfile.OutputError as exc:
        raise ZipExportError(str(exc)) from exc
    names = _Names()
    title = ledger_title(insp)
    index_name = names.take("", INDEX_NAME, FILE_LIMIT)
    book_name = names.take("", safe_name(title, FILE_LIMIT - 5, mark_cut=True) + ".xlsx", FILE_LIMIT)
    entries = plan(inspection_id, names)
    files = [e for e in entries if e.arcname]
    total = sum(e.size or 0 for e in files) + 1
    done = 0
    try:
        with outfile.atomic_output(out, ledgers=[db.database]) as tmp:
            # The workbook is made beside the package too, so that the export writes to the chosen disk only,
            # under a name the next start recognises (and removes) should this process be killed.
            work = Path(tempfile.mkdtemp(prefix=f"{outfile.TEMP_PREFIX}zip-{os.getpid()}-", dir=out.parent))
            try:
                # A large ledger's workbook takes a while: the caller hears from it (and may cancel) meanwhile.
                book = _ledger_workbook(inspection_id, work, out, lambda: progress(0, total) if progress else None)
                with zipfile.ZipFile(tmp, "w", allowZip64=True) as zf:
                    now = dt.datetime.now()
                    index = index_workbook(title, entries, now.date())
                    zf.writestr(_entry(index_name, now, zipfile.ZIP_DEFLATED), index)
                    if book is not None:
                        # The workbook as just written: its own time, the mode of every other entry.
                        made = dt.datetime.fromtimestamp(book.stat().st_mtime)
                        with (
                            open(book, "rb") as src,
                            zf.open(_entry(book_name, made, zipfile.ZIP_DEFLATED), "w") as dst,
                        ):
                            shutil.copyfileobj(src, dst, evidence.CHUNK_SIZE)
                    if progress:
                        progress(done, total)
                    for e in files:
                        done = _write_file(zf, e, done, total, progress)
            finally:
                shutil.rmtree(work, ignore_errors=True)
    except outfile.OutputError as exc:
        raise ZipExportError(str(exc)) from exc
    if progress:
        progress(total, total)
    return out


def _write_file(zf: zipfile.ZipFile, e: Entry, done: int, total: int, progress: Progress | None) -> int:
    assert e.arcname is not None and e.sha256 is not None
    chunks = evidence.iter_blob(e.sha256)
    first = next(chunks, b"")
    info = _entry(e.arcname, e.date or e.added_at or dt.datetime.now(), _compress_type(e.arcname, first))
    info.file_size = e.size or 0  # tells zipfile whether the entry needs ZIP64 sizes
    check = hashlib.sha256()
    with zf.open(info, "w", force_zip64=(e.size or 0) >= zipfile.ZIP64_LIMIT) as dst:
        for chunk in itertools.chain([first], chunks):
            dst.write(chunk)
            check.update(chunk)
            done += len(chunk)
            if progress:
                progress(done, total)
    if check.hexdigest() != e.sha256:
        raise ZipExportError(
            f"佐证材料“{e.name}”在台账中的内容已损坏（与其 SHA-256 不符），未能导出。请先运行“校验台账”。"
        )
    return done


# --- command line --------------------------------------------------------------------------------


def cli_export(ledger_path: Path, out: Path, args: argparse.Namespace) -> int:
    """`rectify-desktop export LEDGER OUT.zip [--inspection ID]`."""
    from rectify_desktop.core.ledger import Ledger

    try:
        with Ledger.open(ledger_path, readonly=True) as ledger:
            wanted = ledger.pick_inspection(getattr(args, "inspection", None))
            entries = plan(wanted)
            export_zip(wanted, Path(out))
    except storage.LedgerError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    except (sqlite3.DatabaseError, PeeweeException) as exc:
        print(f"错误：台账文件已损坏，无法读取（{exc}）", file=sys.stderr)
        return 1
    n_files = sum(1 for e in entries if e.arcname)
    print(f"已导出佐证材料包（{n_files} 个文件，{len(entries) - n_files} 项未附文件）：{out}")
    return 0
