"""The change log (修改记录) as a table to keep: an Excel workbook, and the sheet the printout lays out.

The 修改记录 page shows the ledger's log with a date range and a text filter; what it shows can be kept on
file or on paper, with the same filter and the same columns (时间, 操作人, 操作, 对象, 字段, 原值, 新值). The
cells are told as the page tells them (an object by its number and title, "（已删除）" for one since
deleted), but the values whole: the page cuts a long value to one line, a record to keep must not.

The workbook follows the program's other sheets: title, 填报单位 and 填报日期, the filter and the count, a
bordered table in Chinese fonts whose header repeats on every printed page, A4 landscape fitted to the page
width; it is written whole or not at all (core.outfile), and a value longer than a cell holds goes on in a
续 sheet. No Qt here: the window (ui/history_export.py) asks for the file name and prints the sheet.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from rectify_desktop.core import history, outfile
from rectify_desktop.core.history import LogRow
from rectify_desktop.core.lists import Sheet, SheetRow
from rectify_desktop.io.sheet_export import landscape_pages, save_workbook
from rectify_desktop.io.xlsx_cells import MAX_CELL_CHARS, excel_length
from rectify_desktop.io.xlsx_continuations import Continuations

# The columns of the 修改记录 page (ui/history.py LEDGER_COLUMNS), in its order: key → header.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("at", "时间"),
    ("user", "操作人"),
    ("action", "操作"),
    ("object", "对象"),
    ("field", "字段"),
    ("old", "原值"),
    ("new", "新值"),
)
KEYS: tuple[str, ...] = tuple(k for k, _ in COLUMNS)
HEADERS: tuple[str, ...] = tuple(h for _, h in COLUMNS)
# Widths in Excel's units (about one per half a Chinese character), the values getting the room.
WIDTHS: dict[str, float] = {"at": 17, "user": 14, "action": 11, "object": 32, "field": 12, "old": 36, "new": 36}
# One sheet holds 1,048,576 rows; a log that long is exported in parts by narrowing the dates.
MAX_ROWS = 1_000_000
TIME_FORMAT = "%Y-%m-%d %H:%M"
_ROW_NUMBER = re.compile(r"#\d+")
_HEAD_ROW = 4  # title, 填报单位 / 填报日期, 范围, then the header

_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


class HistoryExportError(outfile.OutputError):
    """The change log could not be saved; the message is for the clerk."""


@dataclass(frozen=True)
class LogFilter:
    """What the 修改记录 page filters by: the days `since` to `until` (both included, either open) and words."""

    since: dt.date | None = None
    until: dt.date | None = None
    text: str = ""

    @property
    def empty(self) -> bool:
        return self.since is None and self.until is None and not self.text.strip()

    def describe(self) -> str:
        """The filter in words, for the sheet under its title: 2026年3月1日至2026年3月31日，含“完成情况”."""
        parts: list[str] = []
        if self.since and self.until:
            parts.append(f"{_cn(self.since)}至{_cn(self.until)}")
        elif self.since:
            parts.append(f"{_cn(self.since)}起")
        elif self.until:
            parts.append(f"截至{_cn(self.until)}")
        words = self.text.split()
        if words:
            parts.append("含" + "、".join(f"“{w}”" for w in words))
        return "，".join(parts) if parts else "全部记录"


def _cn(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def read_log(flt: LogFilter, limit: int = MAX_ROWS) -> list[LogRow]:
    """The rows the page shows for `flt`, all of them (the page shows only the newest 2,000), newest first."""
    return history.ledger_log(flt.since, flt.until, flt.text, limit)


def _short(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _value(r: LogRow, key: str) -> str:
    """原值 or 新值; the "#12" an added or deleted row without a name is logged with says nothing."""
    v = getattr(r, key)
    if v and r.field == "" and _ROW_NUMBER.fullmatch(v):
        return ""
    return v or ""


def _object(r: LogRow, labels: dict[tuple[str, int], str]) -> str:
    if r.entity_id is None:
        return r.entity
    label = labels.get((r.entity, r.entity_id))
    if label is None:
        # gone since: the log still knows what it was called when it was added or deleted
        gone = r.old if r.action.endswith("删除") else r.new if r.action.endswith("新增") else ""
        label = f"{_short(gone, 30)}（已删除）" if gone else "（已删除）"
    return f"{r.entity} {label}"


def log_cells(rows: Sequence[LogRow]) -> list[dict[str, str]]:
    """Each row's cells by column key, as the page tells them, the values whole."""
    labels = history.object_labels(rows)
    out: list[dict[str, str]] = []
    for r in rows:
        out.append(
            {
                "at": r.at.strftime(TIME_FORMAT) if r.at else "",
                "user": r.user,
                "action": r.action,
                "object": _object(r, labels),
                "field": r.field,
                "old": _value(r, "old"),
                "new": _value(r, "new"),
            }
        )
    return out


def log_sheet(rows: Sequence[LogRow], title: str) -> Sheet:
    """The rows as a printable sheet (core.lists.Sheet), for the printout's layout."""
    return Sheet(title, KEYS, HEADERS, [SheetRow(cells) for cells in log_cells(rows)], kind="history")


def _text(value: object) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", "" if value is None else str(value))


def _display_width(text: str) -> float:
    """Width in Excel's column units: a Chinese (wide) character takes two, a Latin one a little over one."""
    return sum(2.0 if unicodedata.east_asian_width(ch) in "WF" else 1.1 for ch in text)


def _height(values: list[str]) -> float:
    """A row's height in points from its longest wrapped cell; Excel does not grow rows by itself on open."""
    lines = 1
    for key, text in zip(KEYS, values, strict=True):
        usable = max(WIDTHS[key] - 1.5, 1.0)
        n = sum(max(1, math.ceil(_display_width(part) / usable)) for part in text.split("\n"))
        lines = max(lines, n)
    return min(409.0, 15.0 * lines + 4)  # 409 pt is Excel's highest row


def write_log_xlsx(
    out: str | os.PathLike[str],
    rows: Sequence[LogRow],
    *,
    title: str = "修改记录",
    unit: str = "",
    scope: str = "",
    today: dt.date | None = None,
    ledgers: Iterable[str | os.PathLike[str]] = (),
    notes: list[str] | None = None,
) -> Path:
    """Writes the log rows to the workbook `out`, whole or not at all, never onto a ledger; a value longer than a
    cell holds goes on in the 续 sheet and is listed in `notes`. Raises HistoryExportError (磁盘空间不足, 只读, …)."""
    out = Path(out)
    today = today or dt.date.today()
    outfile.check_target(out, ledgers)  # before the work, as well as when writing
    wb = Workbook()
    ws = wb.active
    ws.title = "修改记录"
    last = get_column_letter(len(KEYS))
    ws.append([_text(title)])
    ws.merge_cells(f"A1:{last}1")
    ws["A1"].font = Font(name="宋体", size=16, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 32
    info = Font(name="仿宋", size=11)
    ws.append([f"填报单位：{_text(unit)}"] + [""] * (len(KEYS) - 2) + [f"填报日期：{_cn(today)}"])
    ws.append([f"范围：{_text(scope) or '全部记录'}，共 {len(rows)} 条（按时间从新到旧）"])
    ws.merge_cells(f"A3:{last}3")
    for cell in (*ws[2], *ws[3]):
        cell.font = info
    ws[f"{last}2"].alignment = Alignment(horizontal="right")
    ws.append(list(HEADERS))
    head_fill = PatternFill("solid", fgColor="D9E2F3")
    for c in ws[_HEAD_ROW]:
        c.font = Font(name="黑体", size=11)
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        c.border = _BORDER
        c.fill = head_fill
    body = Font(name="仿宋", size=11)
    top = Alignment(vertical="top", wrap_text=True)
    carried = Continuations()
    for cells in log_cells(rows):
        values = [_text(cells[k]) for k in KEYS]
        row = ws.max_row + 1
        for i, v in enumerate(values):
            # never cut: a value longer than a cell holds goes on in the 续 sheet (see xlsx_continuations)
            if len(v) > MAX_CELL_CHARS // 2 and excel_length(v) > MAX_CELL_CHARS:
                values[i] = carried.carry(f"{ws.title}!{get_column_letter(i + 1)}{row}", HEADERS[i], v)
        ws.append(values)
        for col in range(1, len(KEYS) + 1):
            cell = ws.cell(row, col)
            cell.data_type = "s"  # never a formula, whatever the text begins with
            cell.font = body
            cell.border = _BORDER
            cell.alignment = top
        ws.row_dimensions[row].height = _height(values)
    for col, key in enumerate(KEYS, 1):
        ws.column_dimensions[get_column_letter(col)].width = WIDTHS[key]
    ws.freeze_panes = f"A{_HEAD_ROW + 1}"
    ws.auto_filter.ref = f"A{_HEAD_ROW}:{last}{max(ws.max_row, _HEAD_ROW)}"
    ws.print_title_rows = f"{_HEAD_ROW}:{_HEAD_ROW}"
    landscape_pages(ws)
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.oddFooter.center.font = "仿宋"
    try:
        save_workbook(wb, out, title, carried, unit, today, notes=notes, ledgers=ledgers)
    except outfile.OutputError as exc:
        raise HistoryExportError(str(exc)) from exc
    return out


def export_log(
    out: str | os.PathLike[str],
    flt: LogFilter = LogFilter(),  # noqa: B008 - frozen, never changed
    *,
    title: str = "修改记录",
    unit: str = "",
    today: dt.date | None = None,
    ledgers: Iterable[str | os.PathLike[str]] = (),
    notes: list[str] | None = None,
) -> int:
    """The open ledger's change log, filtered as the page filters it, to the workbook `out`; returns the rows
    written. More than a sheet holds is refused with a message, before anything is written."""
    rows = read_log(flt, MAX_ROWS + 1)
    if len(rows) > MAX_ROWS:
        raise HistoryExportError(
            f"符合条件的修改记录超过 {MAX_ROWS:,} 条，一个Excel工作表放不下；请缩小日期范围后分几次导出。"
        )
    write_log_xlsx(out, rows, title=title, unit=unit, scope=flt.describe(), today=today, ledgers=ledgers, notes=notes)
    return len(rows)
