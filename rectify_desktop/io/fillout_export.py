"""下发填报表: one workbook per department (or leader, or person) holding only its items, for the department
to fill in on its own PC in Excel or WPS and send back (see io/fillout_merge.py for the way back).

Each workbook has three sheets:

- 填报表: one row per item. The context columns (序号, 方面, 问题, 细化问题, 整改措施 numbered 1. 2. …, 整改时限)
  are locked (sheet protection without a password: it guards against slips, not against a determined hand,
  and the merge checks the locked columns anyway); the answer columns (整改进展, 完成情况 with the status
  drop-down, 完成时间 as a date, 佐证材料 one name a line, 备注, and 措施1…措施N, one per measure, each
  已完成/未完成 from a drop-down) are unlocked, on a light yellow fill, their headers marked 【填写】 with a
  note. One column per measure rather than one cell listing them all: a drop-down cell survives Excel and
  WPS editing and reads back without parsing what was typed; cells past an item's last measure are locked
  and grey. A hidden last column holds each row's key, ``<item id>-<hash>``: the hash of what the row said
  when sent, so that rows may be sorted or moved and titles may change without losing the item.
- 填报说明: what to fill, what not to touch, when to send it back.
- 填报数据 (very hidden, protected): the round (format version, ledger id, inspection id, round token, group,
  export time, deadline) and, per item, what it said when sent (:func:`core.fillout.item_states` plus the
  context cells), in JSON: the merge's "sent" version of every field. The same round facts are also in the
  workbook's custom properties.

The round's row (FillOutRound) is written by one command together with the ledger's identity (the first
time); the files are written through ``outfile.atomic_output`` and the command is applied only when every
file was written whole, so that a failed export leaves no round behind.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from rectify_desktop.core import fillout, lists, outfile, settings
from rectify_desktop.core.fillout import ANSWER_LABELS, BY_FIELDS, FORMAT_VERSION, TICK_DONE, TICK_OPEN
from rectify_desktop.core.models import STATUSES, Measure
from rectify_desktop.core.table import build_table, cn_date
from rectify_desktop.io.evidence_zip import safe_name
from rectify_desktop.io.xlsx_cells import (
    BODY_FONT,
    BORDER,
    DATE_FORMAT,
    HEADER_FILL,
    HEADER_FONT,
    INFO_FONT,
    MAX_CELL_CHARS,
    TITLE_FONT,
    clean_text,
    excel_cut,
    line_count,
    looks_like_formula,
    row_height,
    wrap_capacity,
)
from rectify_desktop.io.xlsx_sheet import print_setup

MAIN_SHEET = "填报表"
GUIDE_SHEET = "填报说明"
DATA_SHEET = "填报数据"
KEY_HEADER = "键（请勿改动）"
FILL_MARK = "【填写】"
TICK_HEADER = "措施{n}"
# Context columns: key in the ledger table, header, width.
CONTEXT: tuple[tuple[str, str, float], ...] = (
    ("seq", "序号", 7.0),
    ("category", "方面", 12.0),
    ("finding", "问题", 18.0),
    ("item", "细化问题", 24.0),
    ("measures", "整改措施", 32.0),
    ("deadline", "整改时限", 11.0),
)
ANSWER_WIDTHS: dict[str, float] = {
    "progress": 32.0,
    "status": 11.0,
    "completed_date": 12.0,
    "evidence": 20.0,
    "remarks": 14.0,
}
TICK_WIDTH = 8.5
HEADER_ROW = 3  # title, round line, header
ANSWER_FILL = PatternFill("solid", fgColor="FFF5CC")  # light yellow: fill in here
NOT_APPLICABLE_FILL = PatternFill("solid", fgColor="D9D9D9")
_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_OPEN = Protection(locked=False)
KEY_FONT = Font(name="Courier New", size=8)
_DATA_CHUNK = 30_000  # characters of JSON per cell of 填报数据 (a cell holds 32,767)


class FillOutError(outfile.OutputError):
    """The round could not be sent; the message says why, in Chinese."""


@dataclass
class _Row:
    item_id: int
    context: dict[str, str]  # the context cells as written
    state: dict[str, Any]  # core.fillout.item_states
    measures: list[str]  # the measures' texts, in order


def _shown(text: str) -> str:
    """A text as a cell holds it (a text longer than a cell is cut: the merge compares with this)."""
    text = clean_text(text)
    return excel_cut(text, MAX_CELL_CHARS)[0]


def sent_state(state: dict[str, Any]) -> dict[str, Any]:
    """An item's state (core.fillout.item_states) as the workbook's cells hold it: texts cleaned and cut as a
    cell holds them, without trailing blanks (the merge compares the ledger's values the same way)."""
    out = dict(state)
    for k in ("progress", "remarks"):
        out[k] = _shown(out[k]).rstrip()
    return out


def file_name(group: str, today: dt.date) -> str:
    """财务股-整改进展填报-2026年12月1日.xlsx, made safe for Windows."""
    return safe_name(f"{group}-整改进展填报-{cn_date(today)}.xlsx", 120, keep_suffix=True)


def _measures_text(texts: Sequence[str]) -> str:
    return "\n".join(f"{n}. {clean_text(t).strip()}" for n, t in enumerate(texts, 1))


def _cell(
    ws: Worksheet,
    r: int,
    c: int,
    value: Any,
    *,
    font: Font = BODY_FONT,
    align: Alignment = _LEFT,
    boxed: bool = True,
    fill: PatternFill | None = None,
    open_: bool = False,
    number_format: str | None = None,
) -> Any:
    """A cell with its value and look. Each look is made once per workbook and copied to the cells that share
    it: setting fonts and borders cell by cell makes openpyxl hash every style, which took most of the time of
    a round of 30 workbooks."""
    cell = ws.cell(r, c)
    quote = False
    if isinstance(value, str):
        value = clean_text(value)
        quote = looks_like_formula(value)
        cell.value = value or None
        if value:
            cell.data_type = "s"  # never a formula
    else:
        cell.value = value
    looks: dict[tuple[Any, ...], StyleArray] = ws.parent.__dict__.setdefault("_fill_out_looks", {})
    key = (id(font), id(align), boxed, id(fill), open_, number_format, quote)
    style = looks.get(key)
    if style is not None:
        cell._style = copy.copy(style)
        return cell
    cell.font = font
    cell.alignment = align
    if boxed:
        cell.border = BORDER
    if fill is not None:
        cell.fill = fill
    if open_:
        cell.protection = _OPEN
    if number_format is not None:
        cell.number_format = number_format
    if quote:
        cell.quotePrefix = True
    looks[key] = copy.copy(cell._style)
    return cell


def _headers(ticks: int) -> list[tuple[str, str, float]]:
    """(key, header, width) of every column, context first, then the answers and the ticks, then the key."""
    cols = list(CONTEXT)
    cols += [(f"tick:{n}", TICK_HEADER.format(n=n), TICK_WIDTH) for n in range(1, ticks + 1)]
    cols += [
        (k, ANSWER_LABELS[k], ANSWER_WIDTHS[k]) for k in ("progress", "status", "completed_date", "evidence", "remarks")
    ]
    cols.append(("key", KEY_HEADER, 14.0))
    return cols


def _main_sheet(
    wb: Workbook, group: str, by: str, rows: list[_Row], title: str, unit: str, today: dt.date, deadline: dt.date | None
) -> dict[int, int]:
    """The 填报表; returns each item's sheet row."""
    ws = wb.active
    ws.title = MAIN_SHEET
    ticks = max((len(r.measures) for r in rows), default=0)
    cols = _headers(ticks)
    n = len(cols) - 1  # the key column is hidden and left out of the title's width
    for i, (_, _, w) in enumerate(cols, 1):
        ws.column_dimensions[get_column_letter(i)].width = w
    key_col = len(cols)
    ws.column_dimensions[get_column_letter(key_col)].hidden = True
    # Title and the round's line.
    _cell(ws, 1, 1, title, font=TITLE_FONT, align=_CENTER, boxed=False)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=n)
    ws.row_dimensions[1].height = 36
    line = f"{BY_FIELDS[by]}：{group}　　下发单位：{unit}　　下发日期：{cn_date(today)}"
    if deadline:
        line += f"　　请于{cn_date(deadline)}前交回"
    _cell(ws, 2, 1, line, font=INFO_FONT, boxed=False)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=n)
    ws.row_dimensions[2].height = 24
    answer_keys = set(ANSWER_LABELS) | {k for k, _, _ in cols if k.startswith("tick:")}
    for c, (key, head, _) in enumerate(cols, 1):
        fill = ANSWER_FILL if key in answer_keys else HEADER_FILL
        cell = _cell(ws, HEADER_ROW, c, head, font=HEADER_FONT, align=_CENTER, fill=fill)
        if key in answer_keys:
            cell.value = f"{head}\n{FILL_MARK}"
            tip = (
                "请填写本列。"
                if not key.startswith("tick:")
                else f"整改措施第{key[5:]}条是否完成：下拉选择“已完成”或“未完成”。"
            )
            if key == "status":
                tip = "下拉选择：" + "、".join(STATUSES)
            elif key == "completed_date":
                tip = "已完成的，填写完成日期，如 2026-12-01"
            elif key == "evidence":
                tip = "佐证材料的名称，每行一个（换行：Alt+Enter）；材料原件另行报送。"
            cell.comment = Comment(tip, "整改台账")
    ws.row_dimensions[HEADER_ROW].height = row_height(2, HEADER_FONT) + 2
    # Drop-downs: the statuses, the ticks; a date check that warns but lets a typed date through (the merge
    # reads 2026.12.1 and 2026年12月1日 too).
    letter = {key: get_column_letter(c) for c, (key, _, _) in enumerate(cols, 1)}
    first, last = HEADER_ROW + 1, HEADER_ROW + max(1, len(rows))
    dv_status = DataValidation(type="list", formula1='"' + ",".join(STATUSES) + '"', allow_blank=True)
    dv_status.error, dv_status.errorTitle = "请从下拉列表中选择：" + "、".join(STATUSES), "完成情况"
    dv_status.add(f"{letter['status']}{first}:{letter['status']}{last}")
    dv_tick = DataValidation(type="list", formula1=f'"{TICK_DONE},{TICK_OPEN}"', allow_blank=True)
    dv_tick.error, dv_tick.errorTitle = f"请选择“{TICK_DONE}”或“{TICK_OPEN}”", "措施完成情况"
    dv_date = DataValidation(type="date", operator="greaterThan", formula1="36526", allow_blank=True)
    dv_date.errorStyle = "warning"
    dv_date.error, dv_date.errorTitle = "请填写日期，如 2026-12-01", "完成时间"
    dv_date.add(f"{letter['completed_date']}{first}:{letter['completed_date']}{last}")
    where: dict[int, int] = {}
    for seq, row in enumerate(rows, 1):
        r = HEADER_ROW + seq
        where[row.item_id] = r
        ctx = dict(row.context, seq=str(seq))
        lines = 1
        for c, (key, _, w) in enumerate(cols, 1):
            cap = wrap_capacity(w, BODY_FONT)
            if key in ctx:
                text = ctx[key]
                _cell(ws, r, c, text, align=_CENTER if key in ("seq", "deadline") else _LEFT)
                lines = max(lines, line_count(clean_text(text), cap))
            elif key.startswith("tick:"):
                k = int(key[5:])
                if k <= len(row.measures):
                    done = row.state["measures"][k - 1][1]
                    text = TICK_DONE if done else TICK_OPEN
                    cell = _cell(ws, r, c, text, align=_CENTER, fill=ANSWER_FILL, open_=True)
                    dv_tick.add(cell.coordinate)
                else:
                    _cell(ws, r, c, None, fill=NOT_APPLICABLE_FILL)
            elif key in ANSWER_LABELS:
                st = row.state
                if key == "completed_date":
                    value: Any = dt.date.fromisoformat(st[key]) if st[key] else None
                elif key == "evidence":
                    value = "\n".join(clean_text(e) for e in st["evidence"])
                else:
                    value = _shown(st[key]).rstrip()
                _cell(
                    ws,
                    r,
                    c,
                    value,
                    align=_CENTER if key in ("status", "completed_date") else _LEFT,
                    fill=ANSWER_FILL,
                    open_=True,
                    number_format=DATE_FORMAT if key == "completed_date" else None,
                )
                if isinstance(value, str):
                    lines = max(lines, line_count(value, cap))
            elif key == "key":
                _cell(ws, r, c, row.context["_key"], font=KEY_FONT)
        # Room to write in: three lines at least, the whole text where it is longer.
        ws.row_dimensions[r].height = max(row_height(max(lines, 3), BODY_FONT), 40.0)
    for dv in (dv_status, dv_tick, dv_date):
        if dv.sqref.ranges:  # Excel repairs (and warns about) a validation that covers no cell
            ws.add_data_validation(dv)
    # Protection without a password; rows and columns may still be resized, and the sheet filtered.
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.protection.autoFilter = False
    print_setup(ws, HEADER_ROW)  # A4 landscape as the ledger workbook prints
    return where


def _guide_sheet(
    wb: Workbook,
    group: str,
    by: str,
    count: int,
    ticks: bool,
    unit: str,
    today: dt.date,
    deadline: dt.date | None,
    note: str,
) -> None:
    ws = wb.create_sheet(GUIDE_SHEET)
    ws.column_dimensions["A"].width = 110
    due = f"请于{cn_date(deadline)}前" if deadline else "请按要求的时间"
    lines = [
        (f"{group}整改进展填报说明", TITLE_FONT),
        (
            f"本表由{unit or '台账管理部门'}于{cn_date(today)}下发，"
            f"列出{BY_FIELDS[by]}为“{group}”的 {count} 项细化问题。"
            f"{due}填写“{MAIN_SHEET}”工作表后交回。",
            INFO_FONT,
        ),
        ("一、需要填写的列（浅黄色底色，表头标有【填写】）", HEADER_FONT),
        ("1. 整改进展：截至填报日的整改进展情况，可在原有内容上修改补充。", BODY_FONT),
        ("2. 完成情况：从下拉列表中选择：" + "、".join(STATUSES) + "。", BODY_FONT),
        ("3. 完成时间：已完成的填写完成日期，如 2026-12-01。", BODY_FONT),
        ("4. 佐证材料：材料名称，每行一个（单元格内换行：Alt+Enter）；材料原件请另行报送（纸质或U盘）。", BODY_FONT),
        ("5. 备注：需要说明的其他情况。", BODY_FONT),
    ]
    if ticks:
        lines.append(
            (
                "6. 措施1、措施2……：对应“整改措施”列中的第1、2……条措施，从下拉列表中选择“已完成”或“未完成”；"
                "灰色格表示该项没有这一条措施。",
                BODY_FONT,
            )
        )
    lines += [
        ("二、请勿改动", HEADER_FONT),
        (
            "1. 灰色表头的列（序号、方面、问题、细化问题、整改措施、整改时限）已锁定，请勿改动；"
            "如内容有误，请在“备注”中说明。",
            BODY_FONT,
        ),
        (
            "2. 请勿删除或插入行，请勿改动工作表名称；隐藏的列和工作表用于回收时核对每一行，请勿取消隐藏、改动或删除。",
            BODY_FONT,
        ),
        ("3. 多个部门共同负责的事项会同时发给各部门，各自填写即可；填写不一致时由台账管理员核定。", BODY_FONT),
        ("三、交回", HEADER_FONT),
        (
            "请直接保存为 .xlsx 格式交回（WPS 请选择“Excel 文件(*.xlsx)”），不要另存为 .xls 或 .et；文件名可以修改。",
            BODY_FONT,
        ),
    ]
    if note.strip():
        lines += [("四、其他要求", HEADER_FONT), (note.strip(), BODY_FONT)]
    cap = wrap_capacity(110, BODY_FONT)
    for r, (text, font) in enumerate(lines, 1):
        cell = ws.cell(r, 1, clean_text(text))
        cell.font = font
        cell.alignment = _CENTER if r == 1 else _LEFT
        ws.row_dimensions[r].height = max(row_height(line_count(text, cap), font), 30.0 if r == 1 else 20.0)
    ws.protection.sheet = True
    print_setup(ws, 0)


def _data_sheet(
    wb: Workbook, meta: dict[str, str], rows: list[_Row], where: dict[int, int], hashes: dict[int, str]
) -> None:
    ws = wb.create_sheet(DATA_SHEET)
    ws.sheet_state = "veryHidden"
    for r, (k, v) in enumerate(meta.items(), 1):
        ws.cell(r, 1, k)
        ws.cell(r, 2, v).data_type = "s"
    start = len(meta) + 2
    for c, head in enumerate(("item_id", "row", "hash", "sent"), 1):
        ws.cell(start, c, head)
    for i, row in enumerate(rows, start + 1):
        text = json.dumps(
            sent_values(row.context, row.state), ensure_ascii=False, sort_keys=True, separators=(",", ":")
        )
        ws.cell(i, 1, row.item_id)
        ws.cell(i, 2, where[row.item_id])
        ws.cell(i, 3, hashes[row.item_id])
        for j in range(0, max(1, len(text)), _DATA_CHUNK):
            ws.cell(i, 4 + j // _DATA_CHUNK, text[j : j + _DATA_CHUNK]).data_type = "s"
    ws.protection.sheet = True


def sent_values(context: dict[str, str], state: dict[str, Any]) -> dict[str, Any]:
    """What a row said when sent, as hashed and stored in 填报数据."""
    return {"context": {k: v for k, v in context.items() if not k.startswith("_")}, "state": sent_state(state)}


def export_round(
    ledger: Any,
    out_dir: str | Path,
    by: str = "department",
    *,
    inspection_id: int | None = None,
    today: dt.date | None = None,
    deadline: dt.date | None = None,
    note: str = "",
    groups: Sequence[str] | None = None,
) -> list[Path]:
    """Sends a round: writes one workbook per group (department, leader or person; `groups` to send to some
    only) into `out_dir` and records the round (FillOutRound) in `ledger` as one undoable command, applied
    only when every file was written. Returns the files, in the groups' order.

    `ledger` is the open :class:`~rectify_desktop.core.ledger.Ledger` (the one door); `inspection_id`
    defaults to its first inspection; `deadline` (交回时限) is printed in the workbook and its 填报说明."""
    if by not in BY_FIELDS:
        raise FillOutError(f"未知的填报方式：{by}（应为 department、leader 或 person）")
    insp_id = ledger.pick_inspection(inspection_id)
    today = today or dt.date.today()
    now = dt.datetime.now().replace(microsecond=0)
    found, _nobody = fillout.round_groups(insp_id, by)
    if groups is not None:
        found = {g: found[g] for g in groups if g in found}
    if not found:
        raise FillOutError(f"没有可下发的细化问题：没有一项填写了{BY_FIELDS[by]}（或都已销号）")
    table = {r.item_id: r for r in build_table(insp_id, today=today).rows}
    ids = [i for items in found.values() for i in items]
    states = fillout.item_states(ids)
    texts: dict[int, list[str]] = {}
    for iid, text in (
        Measure.select(Measure.item, Measure.text)
        .where(Measure.item.in_(list(set(ids))))
        .order_by(Measure.item, Measure.position, Measure.id)
        .tuples()
    ):
        texts.setdefault(iid, []).append(text)
    ledger_id, id_command = settings.ledger_id()
    token = uuid.uuid4().hex
    unit = lists.reporting_unit(insp_id)
    title_base = build_title(insp_id)
    out = Path(out_dir)
    names: dict[str, str] = {}
    used: set[str] = set()
    for g in found:
        name = file_name(g, today)
        stem, k = name[:-5], 2
        while name.lower() in used:
            name, k = f"{stem}({k}).xlsx", k + 1
        used.add(name.lower())
        names[g] = name
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FillOutError(f"无法建立文件夹：{out}（{exc}）") from exc
    if not out.is_dir():
        raise FillOutError(f"不是文件夹：{out}")
    written: list[Path] = []
    cmd = fillout.round_command(insp_id, by, token, list(found), sent_at=now, note=note, before=id_command)
    with contextlib.ExitStack() as stack:
        for g, items in found.items():
            rows = []
            for iid in items:
                cells = table[iid].cells
                ctx = {
                    "category": cells["category"],
                    "finding": cells["finding"],
                    "item": cells["item"],
                    "measures": _measures_text(texts.get(iid, [])),
                    "deadline": cells["deadline"],
                }
                rows.append(_Row(iid, ctx, states[iid], texts.get(iid, [])))
            hashes = {}
            for row in rows:
                hashes[row.item_id] = fillout.state_hash(row.item_id, sent_values(row.context, row.state), token)
                row.context["_key"] = f"{row.item_id}-{hashes[row.item_id]}"
            meta = {
                "format": "rectify-desktop 填报表",
                "format_version": str(FORMAT_VERSION),
                "ledger_id": ledger_id,
                "inspection_id": str(insp_id),
                "round_token": token,
                "by": by,
                "group": g,
                "exported_at": now.isoformat(),
                "deadline": deadline.isoformat() if deadline else "",
                "main_sheet": MAIN_SHEET,
            }
            wb = Workbook()
            where = _main_sheet(wb, g, by, rows, f"{title_base}（{g}填报）", unit, today, deadline)
            _guide_sheet(wb, g, by, len(rows), any(r.measures for r in rows), unit, today, deadline, note)
            _data_sheet(wb, meta, rows, where, hashes)
            for k in ("ledger_id", "round_token", "group", "format_version"):
                wb.custom_doc_props.append(StringProperty(name=f"rectify_{k}", value=meta[k] or "-"))
            wb.properties.title = f"{g}整改进展填报"
            wb.properties.creator = "整改台账"
            target = out / names[g]
            tmp = stack.enter_context(outfile.atomic_output(target, ledgers=[ledger.path], kind="fill"))
            wb.save(tmp)
            written.append(target)
        # Every file is whole in its temporary name: record the round, then let the files take their names.
        ledger.apply(cmd)
        ok = False
        try:
            stack.close()
            ok = True
        finally:
            if not ok:
                ledger.revert(cmd)
    return written


def build_title(inspection_id: int) -> str:
    """The workbook's title: the ledger's, its ending made 整改进展填报表."""
    from rectify_desktop.core.models import Inspection
    from rectify_desktop.core.table import ledger_title

    base = ledger_title(Inspection.get_by_id(inspection_id))
    for ending in ("整改落实台账", "整改工作台账", "整改台账", "台账"):
        if base.endswith(ending):
            return base[: -len(ending)] + "整改进展填报表"
    return base + "整改进展填报表"
