"""The sheets of the exported workbook after the 台账: 统计 (the figures of :mod:`rectify_desktop.core.stats`,
by category and by department, and the 整改成效 of :mod:`rectify_desktop.core.results`) and the registers
佐证材料, 制度建设 and 会议, each a plain table written by :func:`_write_table_sheet`, which the 续 sheet and
the 整改成效 sheet (io/xlsx_results.py) use too.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break

from rectify_desktop.core import lists, results, rules, stats
from rectify_desktop.core.models import (
    DONE,
    IN_PROGRESS,
    NOT_STARTED,
    ONGOING,
    BaseModel,
    Finding,
    Inspection,
    Institution,
    InstitutionItem,
    Item,
    Meeting,
    MeetingItem,
    db,
)
from rectify_desktop.core.table import LedgerTable
from rectify_desktop.io.xlsx_cells import (
    BODY_FONT,
    DATE_FORMAT,
    HASH_FONT,
    HEADER_FONT,
    INFO_FONT,
    TOTAL_FILL,
    Cell,
    Look,
    Row,
    date_units,
    line_count,
    natural_width,
    print_width,
    row_height,
    short_date,
    text_cell,
    text_width,
    wrap_capacity,
)
from rectify_desktop.io.xlsx_sheet import Sheet, _header_row, _title_rows

# --- the 统计 sheet ----------------------------------------------------------------------------------

SUMMARY_LABELS: tuple[tuple[str, str], ...] = (
    ("categories", "方面（个）"),
    ("findings", "问题（个）"),
    ("items", "细化问题（项）"),
    ("measures", "整改措施（条）"),
    (DONE, "已完成（项）"),
    (IN_PROGRESS, "正在推进（项）"),
    (NOT_STARTED, "未启动（项）"),
    (ONGOING, "长期坚持（项）"),
    ("completion_whole", "完成率"),  # one way of writing it, as the window and the notices do: 55%
    ("overdue", "已逾期（项）"),
    ("due_7", "7日内到期（项）"),
    ("due_30", "30日内到期（项）"),
    ("written_off", "已销号（项）"),
    ("writeoff_pending", "销号待审核（项）"),
)
GROUP_HEADERS = ("细化问题", "已完成", "正在推进", "未启动", "长期坚持", "已逾期", "完成率")
RATE_FORMAT = '0"%"'  # a whole percent, 55%, as the window writes it
# 万元 to the 元, every amount with its four places: never rounded on screen, the column's points aligned.
AMOUNT_FORMAT = "0.0000"
NOT_RECORDED = "尚未记录"
# What is left of A4 landscape's height within the sheets' margins (io.xlsx_sheet.MARGINS), in points.
_PAGE_HEIGHT_PT = (210 / 25.4 - 0.25 - 0.4) * 72


def amount_cell(amount: Decimal, look: Look | None = None) -> Cell:
    """An amount in 万元 as a number cell holding exactly the ledger's Decimal: its float is written with the
    same digits (23.8 is written 23.8) for any amount of up to 15 digits, which is all an Excel number holds;
    a larger one, which Excel would round, is written as its exact text instead."""
    look = look or Look("台账正文居中", number_format=AMOUNT_FORMAT)
    value = float(amount)
    if Decimal(repr(value)) == amount:
        return Cell(value, look)
    return text_cell(results.amount_text(amount), look)


def result_figures(r: results.Results) -> list[tuple[str, int | Decimal]]:
    """The 统计 sheet's 整改成效 rows, (label, figure), in core.results' order (the notice's), kinds of nothing
    left out: 问责：批评教育（人） 3, 资金：追回（万元） 23.8, 审计：问题金额（万元）, 制度：制定及修改完善（项）,
    会议：专题会议（次）. The audit amounts are an item's own, not results: apart, as in ``stats --json``."""
    rows: list[tuple[str, int | Decimal]] = []
    rows += [(f"问责：{k}（人）", v.count) for k, v in r.accountability.items() if v.count]
    rows += [(f"资金：{k}（万元）", v.amount) for k, v in r.money.items() if v.amount]
    rows += [(f"审计：{k}（万元）", v.amount) for k, v in r.audit.items() if v.amount]
    if r.rules.count:
        rows.append(("制度：制定及修改完善（项）", r.rules.count))
    rows += [(f"会议：{k}（次）", v.count) for k, v in r.meetings.items() if v.count]
    return rows


def _write_stats(sheet: Sheet, table: LedgerTable, s: stats.Stats, insp: Inspection, today: dt.date) -> None:
    # The same figures as the overview's and ``stats --json``'s, from core: the sheet, the window and the
    # command line never disagree.
    groups_cat, groups_dept = stats.breakdown(insp.id, today)
    figures = result_figures(results.compute(insp.id))
    widths = [6.0, 40.0] + [10.5] * len(GROUP_HEADERS)
    # The 数值 column holds an amount whole, 1234567.1234, never ###.
    amounts = [results.amount_json(v) for _, v in figures if isinstance(v, Decimal)]
    widths[2] = max([widths[2], *(natural_width(print_width(a), BODY_FONT) for a in amounts)])
    sheet.columns(widths)
    # title, 填报, headline; a title and a header a section; the figures; a total; the note
    sheet.dimension(3 + 2 * 4 + len(SUMMARY_LABELS) + max(1, len(figures)) + len(groups_cat) + 1 + len(groups_dept) + 1)
    sheet.print_setup(0)
    unit = lists.reporting_unit(insp.id)  # the setting 填报单位 when set, else the inspected unit
    _title_rows(sheet, f"{table.title}——整改情况统计", unit, today, widths)
    ncol = len(widths)
    head = Look("台账表头")
    body = Look("台账正文")
    num = Look("台账正文居中")
    rate = Look("台账正文居中", number_format=RATE_FORMAT)
    section = Look("台账小标题", vertical="bottom")
    note = Look("台账说明")

    headline = s.headline(insp.kind if insp.kind in ("巡察", "审计", "督查") else "巡察") + "。"
    sheet.add(Row([text_cell(headline, note)], 30.0))
    sheet.merge(f"A{sheet.rows}:{get_column_letter(ncol)}{sheet.rows}")

    def section_title(text: str) -> None:
        sheet.add(Row([text_cell(text, section)], 30.0))
        sheet.merge(f"A{sheet.rows}:{get_column_letter(ncol)}{sheet.rows}")

    section_title("一、总体情况")
    sheet.add(Row([text_cell("序号", head), text_cell("项目", head), text_cell("数值", head)], 22.0))
    for i, (key, label) in enumerate(SUMMARY_LABELS, 1):
        value = s.status[key] if key in s.status else getattr(s, key)
        look = rate if key == "completion_whole" else num
        sheet.add(Row([Cell(i, num), text_cell(label, body), Cell(value, look)], 20.0))

    # 二、整改成效: on the first page when it fits there, else on a page of its own (never split from its title).
    cap = wrap_capacity(widths[1], BODY_FONT)
    heights = [max(20.0, row_height(line_count(label, cap), BODY_FONT)) for label, _ in figures]
    if sum(sheet.heights) + 30.0 + 22.0 + (sum(heights) or 20.0) > _PAGE_HEIGHT_PT:
        sheet.ws.row_breaks.append(Break(id=sheet.rows))
    section_title("二、整改成效")
    sheet.add(Row([text_cell("序号", head), text_cell("项目", head), text_cell("数值", head)], 22.0))
    amount = Look("台账正文居中", number_format=AMOUNT_FORMAT)
    for i, ((label, value), height) in enumerate(zip(figures, heights, strict=True), 1):
        figure = amount_cell(value, amount) if isinstance(value, Decimal) else Cell(value, num)
        sheet.add(Row([Cell(i, num), text_cell(label, body), figure], height))
    if not figures:
        sheet.add(Row([Cell(None, num), text_cell(NOT_RECORDED, body), Cell(None, num)], 20.0))

    for title, first, groups, total in (
        ("三、按方面统计", "方面", groups_cat, True),
        ("四、按责任部门统计", "责任部门", groups_dept, False),
    ):
        if total:  # the tables by category and by department begin a new page
            sheet.ws.row_breaks.append(Break(id=sheet.rows))
        section_title(title)
        _header_row(sheet, ["序号", first, *GROUP_HEADERS], widths, head)
        cap = wrap_capacity(widths[1], BODY_FONT)
        for i, g in enumerate(groups, 1):
            cells = [Cell(i, num), text_cell(g.name, body)]
            cells += [Cell(v, rate if j == len(GROUP_HEADERS) - 1 else num) for j, v in enumerate(g.values())]
            sheet.add(Row(cells, row_height(line_count(g.name, cap), BODY_FONT)))
        if total:
            t = stats.GroupFigures.total("合计", groups)
            tl, tr = (
                Look("台账正文居中", fill=TOTAL_FILL),
                Look("台账正文居中", fill=TOTAL_FILL, number_format=RATE_FORMAT),
            )
            cells = [Cell(None, tl), text_cell("合计", tl)]
            cells += [Cell(v, tr if j == len(GROUP_HEADERS) - 1 else tl) for j, v in enumerate(t.values())]
            sheet.add(Row(cells, 20.0))
    footnote = (
        "注：细化问题由多个部门共同负责的，分别计入各部门，故各部门之和可能大于细化问题总数；"
        "完成率 = 已完成 ÷ 细化问题，长期坚持不计为已完成；逾期指已超过整改时限仍未完成（截至填报日期）。"
        "整改成效中的问责和资金逐条列于“整改成效”表，制度和会议逐条列于“制度建设”“会议”表。"
    )
    lines = line_count(footnote, wrap_capacity(sum(widths), INFO_FONT))
    sheet.add(Row([text_cell(footnote, note)], max(36.0, row_height(lines, INFO_FONT))))
    sheet.merge(f"A{sheet.rows}:{get_column_letter(ncol)}{sheet.rows}")


# --- the registers: 佐证材料, 制度建设, 会议 ------------------------------------------------------------

_MAX_WHOLE = 30.0  # the widest a 文号 column grows to show its numbers whole


def item_label(finding_number: int, item_number: int) -> str:
    """An item's number as a document cites it: 1.（2）."""
    return f"{rules.finding_label(finding_number)}{rules.item_label(item_number)}"


@dataclass
class EvidenceRow:
    item_label: str
    item_title: str
    name: str
    kind: str
    date: dt.date | None
    doc_number: str
    size: int | None
    sha256: str
    note: str


def evidence_rows(inspection_id: int, item_order: dict[int, int]) -> list[EvidenceRow]:
    """The evidence of an inspection in ledger order (by item, then the item's own order)."""
    sql = (
        "SELECT e.item_id, CAST(f.number AS INTEGER), CAST(i.number AS INTEGER), i.title, e.name, e.kind, e.date,"
        " e.doc_number, b.size,"
        " e.blob_sha256, e.note, CAST(e.position AS INTEGER), e.id FROM evidence e JOIN item i ON i.id = e.item_id"
        " JOIN finding f ON f.id = i.finding_id LEFT JOIN blob b ON b.sha256 = e.blob_sha256"
        " WHERE f.inspection_id = ?"
    )
    found = db.execute_sql(sql, (inspection_id,)).fetchall()
    found.sort(key=lambda r: (item_order.get(r[0], len(item_order)), r[11], r[12]))
    return [
        EvidenceRow(item_label(r[1], r[2]), r[3], r[4], r[5], stats.as_date(r[6]), r[7], r[8], r[9] or "", r[10])
        for r in found
    ]


def _register(model: type[BaseModel], link: type[BaseModel], owner: str, inspection_id: int) -> list[tuple[Any, str]]:
    """Entries of a register (制度建设, 会议), each with the numbers of the items it links to: 1.（2）、3.（1）."""
    entries = list(model.select().where(model.inspection == inspection_id).order_by(model.position, model.id))
    links: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for owner_id, fnum, inum in (
        link.select(getattr(link, owner), Finding.number, Item.number)
        .join(Item)
        .join(Finding)
        .where(Finding.inspection == inspection_id)
        .tuples()
    ):
        links[owner_id].append((fnum, inum))
    return [(e, "、".join(item_label(f, i) for f, i in sorted(links.get(e.id, [])))) for e in entries]


def _write_table_sheet(
    sheet: Sheet,
    title: str,
    unit: str,
    today: dt.date,
    headers: Sequence[str],
    widths: Sequence[float],
    rows: Iterable[list[Cell]],
    *,
    landscape: bool = True,
    printed: int | None = None,
) -> None:
    """A register as a table: title, 填报 row, header, one row per entry; heights from wrapped text. Only the
    first `printed` columns are printed (all when None): the title spans them."""
    # Headers stay on one line; a date and a 文号 (临教党〔2026〕9号) too, never broken over two.
    widths = [max(w, natural_width(text_width(h), HEADER_FONT)) for w, h in zip(widths, headers, strict=True)]
    rows = list(rows)
    for c, h in enumerate(headers):
        column = [cells[c] for cells in rows]
        dates = [date_units(short_date(v)) for v, _ in column if isinstance(v, dt.date)]
        whole = [natural_width(print_width(v), BODY_FONT) for v, _ in column if h == "文号" and isinstance(v, str)]
        widths[c] = max([widths[c], *dates, *(min(w, _MAX_WHOLE) for w in whole)])
    sheet.columns(widths)
    sheet.dimension(3 + len(rows))
    sheet.print_setup(3, landscape=landscape)
    _title_rows(sheet, title, unit, today, widths[:printed])
    _header_row(sheet, headers, widths, Look("台账表头"))
    caps = [wrap_capacity(w, BODY_FONT) for w in widths]
    hash_cap = [wrap_capacity(w, HASH_FONT) for w in widths]
    for cells in rows:
        lines = 1
        for i, (value, look) in enumerate(cells):
            if isinstance(value, str) and value:
                n = line_count(value, hash_cap[i] if look.font == HASH_FONT else caps[i])
                lines = max(lines, n)
        sheet.add(Row(cells, row_height(lines, BODY_FONT)))
    if printed is not None:
        sheet.ws.print_area = f"A1:{get_column_letter(printed)}{max(sheet.rows, 3)}"


# 大小（字节） and SHA-256 prove that a file is the one attached; they stand last, outside the print area
# (EVIDENCE_PRINTED columns): the printed list is the materials, the screen keeps the proof.
EVIDENCE_HEADERS = (
    "序号",
    "问题编号",
    "细化问题",
    "材料名称",
    "类别",
    "日期",
    "文号",
    "状态",
    "说明",
    "大小（字节）",
    "SHA-256",
)
EVIDENCE_PRINTED = EVIDENCE_HEADERS.index("大小（字节）")
INSTITUTION_HEADERS = ("序号", "制度名称", "文号", "印发日期", "关联细化问题", "备注")
MEETING_HEADERS = ("序号", "会议类型", "日期", "议题", "关联细化问题", "备注")
NO_FILE = "未附文件"
HAS_FILE = "已附文件"


def _evidence_cells(rows: list[EvidenceRow]) -> Iterable[list[Cell]]:
    body, center = Look("台账正文"), Look("台账正文居中")
    date = Look("台账正文居中", number_format=DATE_FORMAT)
    size = Look("台账正文居中", number_format="#,##0")
    sha = Look("台账正文", font=HASH_FONT)
    for i, e in enumerate(rows, 1):
        attached = bool(e.sha256)
        yield [
            Cell(i, center),
            text_cell(e.item_label, center),
            text_cell(e.item_title, body),
            text_cell(e.name, body),
            text_cell(e.kind, center),
            Cell(e.date, date),
            text_cell(e.doc_number, center),
            text_cell(HAS_FILE if attached else NO_FILE, center),
            text_cell(e.note, body),
            Cell(e.size if attached else None, size),
            text_cell(e.sha256 if attached else "", sha),
        ]


def _institution_cells(inspection_id: int) -> Iterable[list[Cell]]:
    body, center = Look("台账正文"), Look("台账正文居中")
    date = Look("台账正文居中", number_format=DATE_FORMAT)
    for i, (inst, links) in enumerate(_register(Institution, InstitutionItem, "institution", inspection_id), 1):
        yield [
            Cell(i, center),
            text_cell(inst.title, body),
            text_cell(inst.doc_number, center),
            Cell(inst.date, date),
            text_cell(links, body),
            text_cell(inst.note, body),
        ]


def _meeting_cells(inspection_id: int) -> Iterable[list[Cell]]:
    body, center = Look("台账正文"), Look("台账正文居中")
    date = Look("台账正文居中", number_format=DATE_FORMAT)
    for i, (meeting, links) in enumerate(_register(Meeting, MeetingItem, "meeting", inspection_id), 1):
        yield [
            Cell(i, center),
            text_cell(meeting.kind, center),
            Cell(meeting.date, date),
            text_cell(meeting.topic, body),
            text_cell(links, body),
            text_cell(meeting.note, body),
        ]
