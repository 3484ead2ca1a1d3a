"""生成通报 / 生成报告: the rectification notice (整改情况通报) or report (整改情况报告) drafted from the ledger.

The figures come from `core.stats` (the headline sentence), the counts of meetings and rules from the
registers, and every category, finding, item and measure from the ledger, so that the draft's numbers are
right; the clerk edits the wording afterwards in Word or WPS.

One list of blocks (io/notice_text.py: title, headings, paragraphs, signature) makes both outputs: the plain
text (OUT.txt, UTF-8 with BOM, for pasting into a web form) and the Word document (io/notice_docx.py, laid out
as GB/T 9704-2012 says). The notice is concise by default (one paragraph per finding), the report item by
item; `notice_text` writes the outline every item is read back from by `text_import.parse_text`.

No Qt here; the ledger must be open (the models' database).
"""

from __future__ import annotations

import datetime as dt
import io
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from rectify_desktop.core import outfile
from rectify_desktop.core.models import Inspection
from rectify_desktop.core.storage import LedgerError
from rectify_desktop.io import notice_docx
from rectify_desktop.io.notice_docx import (  # noqa: F401 - the names callers and tests import from here
    BODY_PT,
    CONDENSE_TWENTIETHS,
    FONTS,
    LATIN,
    LINE_PITCH_TWIPS,
    LINE_PT,
    PAGE_PT,
    TITLE_PT,
)
from rectify_desktop.io.notice_text import (  # noqa: F401
    CHARS_PER_LINE,
    DEFAULT_LAYOUT,
    KINDS,
    LAYOUTS,
    TITLE_CHARS_PER_LINE,
    Block,
    ar_date,
    author_of,
    build,
    cn_date,
    document_title,
    issuer_of,
    normalise_kind,
    normalise_layout,
    report_addressee,
    short_body,
    text_width,
    title_lines,
)

# Whether paragraphs of a kind are copied from the first of it (notice_docx.build_document). Tests turn it off
# to check that the copies make the same document as python-docx does paragraph by paragraph.
COPY_PARAGRAPHS = True


# --- plain text ----------------------------------------------------------------------------------------

_INDENTED = ("body", "h1", "h2", "h3", "note")


def _text_of(blocks: list[Block]) -> str:
    out = []
    for b in blocks:
        if b.style in _INDENTED:
            out.append("\u3000\u3000" + b.text)
        elif b.style in ("signature", "date"):
            # Ideographic spaces, and a plain space for a half character (digits are half as wide).
            pad = max(0.0, CHARS_PER_LINE - b.right_chars - text_width(b.text))
            out.append("\u3000" * int(pad) + " " * round((pad - int(pad)) * 2) + b.text)
        else:
            out.append(b.text)
    return "\n".join(out) + "\n"


def notice_text(
    inspection_id: int, kind: str = "notice", today: dt.date | None = None, layout: str | None = "outline"
) -> str:
    """The ledger as notice text, item by item with its labels (整改情况：一是……；整改进展：…) and its own
    statuses, as `text_import` reads it back (the ledger must be open). `layout=None` gives the document's
    text instead (document_text)."""
    return _text_of(build(inspection_id, kind, today, layout))


def document_text(
    inspection_id: int, kind: str = "notice", today: dt.date | None = None, layout: str | None = None
) -> str:
    """The notice or report as the document says it (the kind's layout by default), as plain text."""
    return _text_of(build(inspection_id, kind, today, layout))


def split_kind(value: str | None) -> tuple[str, str | None]:
    """--kind as the command line takes it: notice, report, 通报, 报告, optionally with a layout after a
    hyphen or colon (notice-full, 报告:简要, 通报逐项)."""
    text = (value or "notice").strip()
    for sep in ("-", ":", "：", "_"):
        if sep in text:
            kind, layout = text.split(sep, 1)
            return normalise_kind(kind), normalise_layout(layout, kind)
    for suffix in ("逐项", "简要", "详细", "交换"):
        if text.endswith(suffix) and len(text) > len(suffix):
            return normalise_kind(text[: -len(suffix)]), normalise_layout(suffix, text[: -len(suffix)])
    return normalise_kind(text), None


def _build_document(blocks: list[Block], title: str, author: str) -> Any:
    """The Word document of the blocks (notice_docx.build_document), copying paragraphs as COPY_PARAGRAPHS says."""
    return notice_docx.build_document(blocks, title, author, copy_paragraphs=COPY_PARAGRAPHS)


def _atomic_write(out: Path, data: bytes, ledgers: Iterable[str | os.PathLike[str]] = ()) -> Path:
    """Writes the finished document whole or not at all (core.outfile), never onto a ledger. The document
    is made in memory first: a zip archive failing on a full disk halfway must not be left to close itself
    at exit, and the bytes are then written with each write and the close checked."""
    out = Path(out)
    with outfile.atomic_output(out, ledgers=ledgers, kind=out.suffix.lstrip(".").lower()) as tmp:
        outfile.write_bytes(tmp, data)
    return out


def write_text(
    inspection_id: int,
    out: Path,
    kind: str = "notice",
    today: dt.date | None = None,
    *,
    ledgers: Iterable[str | os.PathLike[str]] = (),
    layout: str | None = None,
) -> Path:
    """OUT.txt: UTF-8 with BOM and Windows line ends, so that Notepad shows it right."""
    outfile.check_target(out, ledgers)  # before the work, as well as when writing
    text = document_text(inspection_id, kind, today, layout)
    data = ("\ufeff" + text.replace("\n", "\r\n")).encode("utf-8")
    return _atomic_write(Path(out), data, ledgers)


def write_docx(
    inspection_id: int,
    out: Path,
    kind: str = "notice",
    today: dt.date | None = None,
    *,
    ledgers: Iterable[str | os.PathLike[str]] = (),
    layout: str | None = None,
) -> Path:
    """The notice or report as a Word document at `out`, written whole (core.outfile)."""
    outfile.check_target(out, ledgers)  # before the work, as well as when writing
    blocks = build(inspection_id, kind, today, layout)
    insp = Inspection.get_by_id(inspection_id)
    doc = _build_document(blocks, blocks[0].text, author_of(insp))
    buf = io.BytesIO()
    doc.save(buf)
    return _atomic_write(Path(out), buf.getvalue(), ledgers)


def write(
    inspection_id: int,
    out: Path,
    kind: str = "notice",
    today: dt.date | None = None,
    *,
    ledgers: Iterable[str | os.PathLike[str]] = (),
    layout: str | None = None,
) -> Path:
    """OUT.docx or OUT.txt by its ending; `layout` concise, full or outline (the kind's own by default)."""
    if Path(out).suffix.lower() == ".txt":
        return write_text(inspection_id, out, kind, today, ledgers=ledgers, layout=layout)
    return write_docx(inspection_id, out, kind, today, ledgers=ledgers, layout=layout)


def cli_export(ledger_path: Path, out: Path, args: Any) -> int:
    """`rectify-desktop export LEDGER OUT.docx|OUT.txt [--kind notice|report[-concise|-full]] [--inspection ID]`."""
    import sys

    from rectify_desktop.core.ledger import Ledger

    try:
        kind, layout = split_kind(getattr(args, "kind", None))
    except LedgerError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    with Ledger.open(ledger_path, readonly=True) as ledger:
        try:
            inspection_id = ledger.pick_inspection(getattr(args, "inspection", None))
        except LedgerError as exc:
            print(f"错误：{exc}", file=sys.stderr)
            return 1
        try:
            write(inspection_id, Path(out), kind, ledgers=[ledger_path], layout=layout)
        except LedgerError as exc:
            print(f"错误：{exc}", file=sys.stderr)
            return 1
    print(f"已生成{KINDS[kind]}：{out}")
    return 0
