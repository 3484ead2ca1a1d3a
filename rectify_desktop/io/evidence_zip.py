"""The evidence package (佐证材料包): every evidence file of an inspection in one zip, for the inspection office.

    （一）方面/1.问题/（1）细化问题/会议纪要.pdf
    目录.xlsx           every material: its item, kind, date, 文号, size, SHA-256 and place in the package
    <台账标题>.xlsx     the ledger workbook itself (io.xlsx_export)

Names are made safe for Windows, where most packages are opened: no reserved names (CON, NUL, COM1 …, also
before several dots: "CON.tar.gz" becomes "CON_.tar.gz"), no ``<>:"/\\|?*`` (replaced by their full-width
forms, which read the same), control characters or direction marks (which make "x\u202egpj.exe" show as
"xexe.jpg"), no trailing dots or spaces, each part shortened so that a whole path stays well under Windows'
260 characters even after the folder the clerk unpacks into, and equal names in one folder numbered
"名称(2).pdf" (Windows compares names without case). Non-ASCII names are stored as UTF-8 with the zip's
UTF-8 flag (general purpose bit 11, which Python's zipfile sets), which Windows' own zip tool, WPS, 7-Zip
and unzip read.

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
import io
import itertools
import os
import re
import shutil
import sqlite3
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


def safe_name(text: str, limit: int, *, keep_suffix: bool = False) -> str:
    """`text` as a file or folder name that Windows accepts, at most `limit` UTF-16 units long."""
    text = _clean(text)
    suffix = evidence.real_suffix(text) if keep_suffix else ""
    stem = text[: -len(suffix)] if suffix else text
    room = max(1, limit - utf16_len(suffix))
    stem = _cut(stem, room).rstrip(" .")
    if not stem:
        stem = "未命名"
    # Windows treats "CON.txt", "con .pdf" and "CON.tar.gz" as the device CON, whatever follows the first
    # dot: the mark goes on the part before it.
    first, dot, rest = stem.partition(".")
    if first.rstrip(" ").upper() in _RESERVED:
        stem = _cut(first.rstrip(" ") + "_" + dot + rest, room).rstrip(" .")
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
            candidate = _cut(stem, limit - utf16_len(mark + suffix)).rstrip(" .") + mark + suffix
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


def plan(inspection_id: int, names: _Names | None = None) -> list[Entry]:
    """The inspection's evidence in ledger order (category, finding, item, then the item's own order)."""
    names = names or _Names()
    cats = list(Category.select().where(Category.inspection == inspection_id).order_by(Category.position, Category.id))
    cat_index = {c.id: i for i, c in enumerate(cats)}
    findings = {f.id: f for f in Finding.select().where(Finding.inspection == inspection_id)}
    items = {i.id: i for i in Item.select().join(Finding).where(Finding.inspection == inspection_id).order_by(Item.id)}
    measures: dict[int, list[int]] = {}
    for mid, item_id in (
        Measure.select(Measure.id, Measure.item)
        .where(Measure.item.in_(list(items) or [0]))
        .order_by(Measure.position, Measure.id)
        .tuples()
    ):
        measures.setdefault(item_id, []).append(mid)
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
            folders[(kind, key)] = parent + names.take(parent, safe_name(text, limit), limit) + "/"
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
            file_name = safe_name(evidence.export_name(e.name, e.blob_sha256), FILE_LIMIT, keep_suffix=True)
            arcname = path + names.take(path, file_name, FILE_LIMIT)
        measure = ""
        if e.measure_id is not None and e.measure_id in measures.get(it.id, []):
            measure = evidence.measure_label(e.measure_id)
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
            )
        )
    return out


# --- the index workbook --------------------------------------------------------------------------

INDEX_HEADERS = (
    "序号",
    "细化问题编号",
    "方面",
    "问题",
    "细化问题",
    "对应措施",
    "材料名称",
    "类型",
    "日期",
    "文号",
    "大小（字节）",
    "SHA-256",
    "包内位置",
    "备注",
)
INDEX_HEADER_ROW = 3
NO_FILE = "未附文件"


def _text(value: str) -> str:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", evidence.strip_bidi(value or ""))


def _formula_like(text: str) -> bool:
    """Text that Excel (or a program importing the sheet) would take for a formula: the ledger workbook's
    rule (xlsx_export.looks_like_formula), and a tab or carriage return before it."""
    from rectify_desktop.io.xlsx_export import looks_like_formula

    return looks_like_formula(text) or text.startswith(("\t", "\r"))


def _lines(text: str, width: float) -> int:
    """Lines a wrapped cell takes: Chinese counts two half-width places, ASCII one."""
    capacity = max(1, int(width) - 1)
    return sum(
        max(1, -(-(2 * len(part) - len(part.encode("ascii", errors="ignore"))) // capacity))
        for part in str(text).split("\n")
    )


def index_workbook(title: str, entries: list[Entry]) -> bytes:
    """目录.xlsx: one row per material, files and registered materials without a file (未附文件)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "佐证材料目录"
    n_files = sum(1 for e in entries if e.arcname)
    ws.append([_text(f"{title} 佐证材料目录")])
    ws.append([f"导出日期：{dt.date.today():%Y年%m月%d日}　共 {n_files} 个文件，{len(entries) - n_files} 项未附文件"])
    ws.append(list(INDEX_HEADERS))
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    body, small = Font(name="宋体", size=10), Font(name="Consolas", size=8)
    widths = (5, 9, 16, 18, 22, 16, 24, 8, 13, 15, 10, 19, 34, 10)
    for i, e in enumerate(entries, 1):
        values: list[object] = [
            i,
            e.item_code,
            e.category,
            e.finding,
            e.item,
            e.measure,
            e.name,
            e.kind,
            e.date,
            e.doc_number,
            e.size if e.arcname else None,
            e.sha256 or "",
            e.arcname or NO_FILE,
            e.note,
        ]
        ws.append([_text(v) if isinstance(v, str) else v for v in values])
        lines = 1
        for col, cell in enumerate(ws[ws.max_row], 1):
            cell.border = border
            cell.alignment = wrap
            cell.font = small if col == 12 else body
            if isinstance(cell.value, str):
                cell.data_type = "s"  # a title that starts with "=" stays text, never a formula
                if _formula_like(cell.value):
                    cell.quotePrefix = True  # and stays text when the clerk edits it in Excel
                # The hash in a small monospaced font: about 1.6 of its characters per place of the others.
                lines = max(lines, _lines(cell.value, widths[col - 1] * (1.6 if col == 12 else 1)))
        ws.cell(ws.max_row, 9).number_format = "yyyy年m月d日"
        if not e.arcname:
            ws.cell(ws.max_row, 13).font = Font(name="宋体", size=10, color="C2610C")
        # Neither Excel nor WPS fits the height of a row it did not lay out itself.
        ws.row_dimensions[ws.max_row].height = min(409, lines * 13.5 + 3)
    ws["A1"].font = Font(name="宋体", size=14, bold=True)
    ws.row_dimensions[INDEX_HEADER_ROW].height = 30
    for cell in ws[INDEX_HEADER_ROW]:
        cell.font = Font(name="宋体", size=10, bold=True)
        cell.fill = PatternFill("solid", fgColor="E8EEF7")
        cell.border = border
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for col, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = ws.cell(INDEX_HEADER_ROW + 1, 1)
    ws.auto_filter.ref = f"A{INDEX_HEADER_ROW}:{get_column_letter(len(widths))}{ws.max_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{INDEX_HEADER_ROW}:{INDEX_HEADER_ROW}"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def read_index(data: bytes) -> list[dict[str, object]]:
    """The rows of a 目录.xlsx, by header (for tests and for checking a package received)."""
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(data), read_only=True).active
    rows = list(ws.iter_rows(min_row=INDEX_HEADER_ROW, values_only=True))
    headers = [str(h) for h in rows[0]]
    return [dict(zip(headers, r, strict=False)) for r in rows[1:] if any(v is not None for v in r)]


# --- writing the zip -----------------------------------------------------------------------------


def _zip_time(day: dt.date | None) -> tuple[int, int, int, int, int, int]:
    day = day or dt.date.today()
    year = min(max(day.year, 1980), 2107)
    return (year, day.month, day.day, 12, 0, 0)


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
    book_name = names.take("", safe_name(title, FILE_LIMIT - 5) + ".xlsx", FILE_LIMIT)
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
                    info = zipfile.ZipInfo(index_name, _zip_time(None))
                    info.compress_type = zipfile.ZIP_DEFLATED
                    zf.writestr(info, index_workbook(title, entries))
                    if book is not None:
                        zf.write(book, book_name, compress_type=zipfile.ZIP_DEFLATED)
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
    info = zipfile.ZipInfo(e.arcname, _zip_time(e.date))
    info.compress_type = _compress_type(e.arcname, first)
    info.file_size = e.size or 0  # tells zipfile whether the entry needs ZIP64 sizes
    info.external_attr = 0o644 << 16
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
