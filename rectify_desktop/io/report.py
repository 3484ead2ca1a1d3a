"""进展报告: the progress report 截至 a date, as a Word document or an Excel workbook, and
`rectify-desktop report LEDGER OUT.docx|OUT.xlsx [--as-of DATE] [--inspection ID]`.

The figures and items come from core.asof (the ledger as it stood at the end of the date, rebuilt from the change
log), the comparison with the previous report from previous.compare (较上期新增完成N项, who did not answer the last
fill-out round). A report made is remembered in the ledger (previous.remember), so that the next one has its 上期.

The document follows the notice's paper (io/notice_docx: GB/T 9704-2012 fonts, margins, page numbers); the
workbook follows the lists' (io/sheet_export: A4 landscape, 第 N 页 共 M 页, written whole). Both hold: the title
and its 截至 line, the headline sentence at the date, the comparison, the figures per department, the items not
yet done with their department and deadline, and what the log could not tell. No Qt here.

For the window (生成进展报告): asof.parse_day reads the date typed; asof.figures_as_of, previous.previous_report and
previous.compare give what a preview shows (compose turns them into the report's sentences and tables);
make_report(ledger, inspection_id, day, out, remember=False) writes the file, and the window then pushes
previous.remember_command(result.current, out.name) on its undo stack, so that remembering the report is undone
like any change. asof.AsOfError (a date in the future, before the inspection, a ledger without a log) and
outfile.OutputError carry the sentence to show.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from rectify_desktop.core import asof, outfile, previous
from rectify_desktop.core.asof import AsOf, AsOfItem, ar_date
from rectify_desktop.core.models import DONE, Inspection
from rectify_desktop.core.previous import Comparison
from rectify_desktop.core.stats import GroupFigures
from rectify_desktop.core.storage import LedgerError
from rectify_desktop.io import notice_docx
from rectify_desktop.io.notice_text import (
    CHARS_PER_LINE,
    Block,
    author_of,
    issuer_of,
    report_addressee,
    short_body,
    text_width,
    title_lines,
    word_of,
)
from rectify_desktop.io.sheet_export import landscape_pages, save_workbook
from rectify_desktop.io.xlsx_cells import (
    BODY_FONT,
    BORDER,
    HEADER_FILL,
    HEADER_FONT,
    INFO_FONT,
    SECTION_FONT,
    TITLE_FONT,
    TOTAL_FILL,
    clean_text,
    line_count,
    row_height,
    wrap_capacity,
)
from rectify_desktop.io.xlsx_continuations import Continuations
from rectify_desktop.io.xlsx_sheet import MARGINS

SUFFIXES = (".docx", ".xlsx")
DEPARTMENT_HEADERS = ("责任部门", "细化问题", "已完成", "正在推进", "未启动", "长期坚持", "已逾期", "完成率")
ITEM_HEADERS = ("序号", "细化问题", "责任部门", "整改时限", "完成情况")
ALL_ITEMS = "全部细化问题"  # the total row: an item of two departments counts once here, once for each there
DELETED_REF = "已删除"  # in the 序号 column of an item deleted since the date
SECTION_DEPARTMENTS = "一、各责任部门整改进展"
SECTION_TODO = "二、尚未完成的细化问题"
SECTION_UNKNOWN = "三、需要说明的情况"
UNKNOWN_INTRO = "以下情况无法从修改记录得知，上述数字未含其影响："
# Tables in the document: 五号 (10.5 pt), single-spaced, off the 22-line grid.
TABLE_PT = 10.5
TABLE_LINE_PT = 15.0
# Column widths in mm; the type area of GB/T 9704 is 156 mm wide.
DEPARTMENT_MM = (38, 19, 15, 19, 15, 19, 15, 15)
ITEM_MM = (19, 47, 28, 35, 27)


class ReportError(LedgerError):
    """A report that cannot be made as asked; the message is for the clerk."""


@dataclass
class ReportText:
    """What both forms of the report say, in the order they say it."""

    title: str
    as_of_line: str  # （截至2026年12月1日）
    addressee: str
    headline: str
    comparison: str
    departments: list[GroupFigures]
    total: GroupFigures
    todo: list[AsOfItem]
    unknown: list[str]
    issuer: str
    author: str
    made: dt.date


@dataclass
class ReportResult:
    path: Path
    current: AsOf
    comparison: Comparison
    remembered: bool
    notes: list[str] = field(default_factory=list)


def report_title(insp: Inspection) -> str:
    """××关于县委第三巡察组反馈意见整改进展情况的报告."""
    issuer = issuer_of(insp)
    body = short_body(insp.inspecting_body, issuer)
    what = f"{body}反馈意见" if body else f"{word_of(insp)}反馈意见"
    return f"{issuer}关于{what}整改进展情况的报告"


def headline(current: AsOf, word: str) -> str:
    """截至2026年12月1日，巡察反馈的13个问题细化为29项，已整改完成28项，正在推进1项，完成率97%；已逾期1项，已销号20项。"""
    s = current.stats
    text = f"截至{ar_date(current.day)}，{s.headline(word)}"
    more = [f"已逾期{s.overdue}项" if s.overdue else "无逾期未完成事项"]
    if s.written_off:
        more.append(f"已销号{s.written_off}项")
    return text + "；" + "，".join(more) + "。"


def compose(current: AsOf, comparison: Comparison, made: dt.date) -> ReportText:
    insp = Inspection.get_by_id(current.inspection_id)
    issuer = issuer_of(insp)
    s = current.stats
    total = GroupFigures(ALL_ITEMS, ALL_ITEMS)
    for r in current.items:
        total.add(r.status, r.overdue)
    return ReportText(
        title=report_title(insp),
        as_of_line=f"（截至{ar_date(current.day)}）",
        addressee=report_addressee(insp, issuer),
        headline=headline(current, word_of(insp)),
        comparison=comparison.sentence(),
        departments=current.by_department(),
        total=total if s.items else GroupFigures(ALL_ITEMS, ALL_ITEMS),
        todo=[r for r in current.items if r.status != DONE],
        unknown=[u if u.endswith("。") else u + "。" for u in current.unknown],
        issuer=issuer,
        author=author_of(insp),
        made=made,
    )


def _department_row(g: GroupFigures) -> list[str | int]:
    return [g.name, g.items, g.done, g.in_progress, g.not_started, g.ongoing, g.overdue, f"{g.rate:.1f}%"]


def _item_row(r: AsOfItem, sep: str = "") -> list[str]:
    """序号, 细化问题, 责任部门, 整改时限, 完成情况; `sep` goes before （已逾期） (a line break in the document)."""
    status = f"{r.status}{sep}（已逾期）" if r.overdue else r.status
    return [r.ref or DELETED_REF, r.title, r.department, r.deadline_display, status]


# --- the Word document ---------------------------------------------------------------------------------


def _blocks(t: ReportText) -> list[Block]:
    blocks = [
        Block("title", t.title, lines=title_lines(t.title)),
        Block("blank", ""),
        Block("salutation", f"{t.addressee}："),
        Block("body", t.headline),
        Block("body", t.comparison),
        Block("h1", SECTION_DEPARTMENTS),
        Block("h1", SECTION_TODO),
    ]
    if not t.todo:
        blocks.append(Block("body", "全部细化问题均已整改完成。"))
    if t.unknown:
        blocks += [Block("h1", SECTION_UNKNOWN), Block("body", UNKNOWN_INTRO)]
        blocks += [Block("body", f"{i}. {text}") for i, text in enumerate(t.unknown, 1)]
    blocks += [Block("body", "特此报告。"), Block("blank", "")]
    # GB/T 9704 7.3.5.2, as the notice places them: the signature 2 characters from the right, the date's first
    # character 2 to the right of the signature's.
    date = ar_date(t.made)
    sig_w, date_w = text_width(t.issuer), text_width(date)
    sig_right, date_right = 2.0, sig_w - date_w
    if date_right < 2:
        date_right, sig_right = 2.0, 4 + date_w - sig_w
    sig_right = max(0.0, min(sig_right, CHARS_PER_LINE - sig_w))
    blocks += [Block("signature", t.issuer, right_chars=sig_right), Block("date", date, right_chars=date_right)]
    return blocks


def _as_of_paragraph(doc: Any, title_p: Any, text: str) -> None:
    """The 截至 line under the title, centred, in 楷体 (the heading2 font), as a subtitle is set."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.text.paragraph import Paragraph

    el = OxmlElement("w:p")
    title_p.addnext(el)
    p = Paragraph(el, doc._body)
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    notice_docx._no_grid_snap(p)
    notice_docx._run(p, text, notice_docx._fonts()["heading2"], notice_docx.BODY_PT)


def _cell_lines(value: Any) -> list[str]:
    # A cell's own lines (状态 over （已逾期）) become line breaks, so that a word is never split.
    return notice_docx._XML_ILLEGAL.sub("", clean_text(value)).split("\n")


def _table_after(doc: Any, anchor: Any, headers: tuple[str, ...], rows: list[list[Any]], mm: tuple[int, ...]) -> None:
    """A bordered table after paragraph `anchor`: 五号 text off the line grid, the header repeated on each page,
    a row never split across pages, numbers centred. The header and the first row are made through python-docx;
    the other rows are copies of the first with their own text, as build_document copies paragraphs (making a
    cell through python-docx costs a search of the whole table)."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    fonts = notice_docx._fonts()
    table = doc.add_table(rows=1 + min(1, len(rows)), cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    anchor.addnext(table._tbl)
    for n, row in enumerate(table.rows):
        values = headers if n == 0 else rows[0]
        if n == 0:
            row._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        for col, (cell, value) in enumerate(zip(row.cells, values, strict=True)):
            cell.width = Mm(mm[col])
            p = cell.paragraphs[0]
            pf = p.paragraph_format
            pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            pf.line_spacing = Pt(TABLE_LINE_PT)
            notice_docx._no_grid_snap(p)
            centred = n == 0 or isinstance(value, int) or str(value).endswith("%") or col == 0 and len(headers) == 5
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER if centred else WD_ALIGN_PARAGRAPH.LEFT
            east = fonts["heading1"] if n == 0 else fonts["body"]
            notice_docx._run(p, "-", east, TABLE_PT)  # its text is set below, with every row's
    template = copy.deepcopy(table.rows[-1]._tr) if rows else None
    trs = [table.rows[0]._tr] + ([table.rows[1]._tr] if rows else [])
    for _ in rows[1:]:
        tr = copy.deepcopy(template)
        table._tbl.append(tr)
        trs.append(tr)
    for tr, values in zip(trs, [headers, *rows], strict=True):
        for tc, value in zip(tr.findall(qn("w:tc")), values, strict=True):
            p = tc.find(qn("w:p"))
            first = p.find(qn("w:r"))
            lines = _cell_lines(value)
            first.find(qn("w:t")).text = lines[0]
            first.find(qn("w:t")).set(qn("xml:space"), "preserve")  # a text's own spaces kept
            at = first
            for line in lines[1:]:
                run = copy.deepcopy(first)
                run.find(qn("w:t")).text = line
                run.find(qn("w:t")).addprevious(OxmlElement("w:br"))
                at.addnext(run)
                at = run
    grid = table._tbl.find(qn("w:tblGrid"))
    if grid is not None:
        for col, gc in enumerate(grid.findall(qn("w:gridCol"))):
            gc.set(qn("w:w"), str(round(mm[col] / 25.4 * 1440)))


def _paragraph(doc: Any, text: str) -> Any:
    return next(p for p in doc.paragraphs if p.text == text)


def build_docx(t: ReportText) -> Any:
    """The python-docx Document of the report."""
    doc = notice_docx.build_document(_blocks(t), t.title, t.author)
    _as_of_paragraph(doc, doc.paragraphs[0]._p, t.as_of_line)
    rows = [_department_row(g) for g in t.departments] + [_department_row(t.total)]
    _table_after(doc, _paragraph(doc, SECTION_DEPARTMENTS)._p, DEPARTMENT_HEADERS, rows, DEPARTMENT_MM)
    if t.todo:
        _table_after(doc, _paragraph(doc, SECTION_TODO)._p, ITEM_HEADERS, [_item_row(r, "\n") for r in t.todo], ITEM_MM)
    return doc


def write_docx(t: ReportText, out: Path, ledgers: Iterable[str | os.PathLike[str]] = ()) -> Path:
    buf = io.BytesIO()
    build_docx(t).save(buf)
    with outfile.atomic_output(out, ledgers=ledgers, kind="docx") as tmp:
        outfile.write_bytes(tmp, buf.getvalue())
    return out


# --- the workbook ---------------------------------------------------------------------------------------

_SUMMARY_WIDTHS = (26, 11, 10, 11, 10, 11, 10, 10)
_TODO_WIDTHS = (10, 70, 27, 21, 22)


def _merged_text(ws: Worksheet, row: int, text: str, font: Font, widths: tuple[int, ...], **align: Any) -> None:
    """A line of text across the sheet's columns, as tall as its wrapped lines."""
    last = get_column_letter(len(widths))
    cell = ws.cell(row, 1, clean_text(text))
    cell.data_type = "s"
    cell.font = font
    cell.alignment = Alignment(wrap_text=True, vertical="center", **align)
    ws.merge_cells(f"A{row}:{last}{row}")
    lines = line_count(clean_text(text), wrap_capacity(float(sum(widths)), font))
    ws.row_dimensions[row].height = round(row_height(max(1, lines), font), 1)


def _table_rows(
    ws: Worksheet, first: int, headers: tuple[str, ...], rows: list[list[Any]], widths: tuple[int, ...]
) -> int:
    """Header and rows from `first`; returns the next free row."""
    for col, h in enumerate(headers, 1):
        c = ws.cell(first, col, h)
        c.font, c.fill, c.border = HEADER_FONT, HEADER_FILL, BORDER
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    r = first
    for values in rows:
        r += 1
        longest = 1
        for col, v in enumerate(values, 1):
            value = v if isinstance(v, int) else clean_text(v)
            c = ws.cell(r, col, value)
            if isinstance(value, str):
                c.data_type = "s"  # never a formula, whatever the text begins with
                longest = max(longest, line_count(value, wrap_capacity(float(widths[col - 1]), BODY_FONT)))
            c.font, c.border = BODY_FONT, BORDER
            centred = isinstance(value, int) or str(value).endswith("%") or (col == 1 and len(headers) == 5)
            c.alignment = Alignment(horizontal="center" if centred else "left", vertical="center", wrap_text=True)
            if values[0] == ALL_ITEMS:
                c.fill = TOTAL_FILL
        ws.row_dimensions[r].height = round(row_height(longest, BODY_FONT), 1)
    return r + 1


def _setup_sheet(ws: Worksheet, widths: tuple[int, ...]) -> None:
    for col, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(col)].width = w
    landscape_pages(ws)
    ws.page_margins = MARGINS


def build_workbook(t: ReportText) -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = "进展情况"
    _setup_sheet(ws, _SUMMARY_WIDTHS)
    _merged_text(ws, 1, t.title, TITLE_FONT, _SUMMARY_WIDTHS, horizontal="center")
    _merged_text(ws, 2, t.as_of_line, INFO_FONT, _SUMMARY_WIDTHS, horizontal="center")
    _merged_text(ws, 3, f"填报单位：{t.author}　　报告日期：{ar_date(t.made)}", INFO_FONT, _SUMMARY_WIDTHS)
    _merged_text(ws, 4, t.headline, INFO_FONT, _SUMMARY_WIDTHS)
    _merged_text(ws, 5, t.comparison, INFO_FONT, _SUMMARY_WIDTHS)
    _merged_text(ws, 7, SECTION_DEPARTMENTS, SECTION_FONT, _SUMMARY_WIDTHS)
    rows = [_department_row(g) for g in t.departments] + [_department_row(t.total)]
    nxt = _table_rows(ws, 8, DEPARTMENT_HEADERS, rows, _SUMMARY_WIDTHS)
    ws.print_title_rows = "8:8"
    if t.unknown:
        _merged_text(
            ws, nxt + 1, SECTION_UNKNOWN.split("、", 1)[1] + "：" + UNKNOWN_INTRO, SECTION_FONT, _SUMMARY_WIDTHS
        )
        for i, text in enumerate(t.unknown, 1):
            _merged_text(ws, nxt + 1 + i, f"{i}. {text}", INFO_FONT, _SUMMARY_WIDTHS)

    todo = wb.create_sheet("未完成细化问题")
    _setup_sheet(todo, _TODO_WIDTHS)
    _merged_text(todo, 1, f"尚未完成的细化问题{t.as_of_line}", TITLE_FONT, _TODO_WIDTHS, horizontal="center")
    _merged_text(todo, 2, f"填报单位：{t.author}　　共{len(t.todo)}项", INFO_FONT, _TODO_WIDTHS)
    _table_rows(todo, 3, ITEM_HEADERS, [_item_row(r) for r in t.todo], _TODO_WIDTHS)
    todo.print_title_rows = "3:3"
    todo.freeze_panes = "A4"
    return wb


def write_xlsx(t: ReportText, out: Path, ledgers: Iterable[str | os.PathLike[str]] = ()) -> Path:
    wb = build_workbook(t)
    save_workbook(wb, out, t.title, Continuations(), t.author, t.made, notes=None, ledgers=ledgers)
    return out


# --- making a report ------------------------------------------------------------------------------------


def make_report(
    ledger: Any,
    inspection_id: int,
    day: dt.date,
    out: str | os.PathLike[str],
    *,
    today: dt.date | None = None,
    remember: bool = True,
) -> ReportResult:
    """Writes the report of the inspection 截至 `day` to `out` (.docx or .xlsx, whole or not at all) and, when
    the ledger is writable and `remember`, records it (previous.remember) so that the next report has its 上期.
    Raises asof.AsOfError for a date that cannot be reported, outfile.OutputError for a target refused."""
    out = Path(out)
    if out.suffix.lower() not in SUFFIXES:
        raise ReportError(f"进展报告只能保存为 .docx（Word）或 .xlsx（Excel）文件，而不是：{out.name}")
    ledgers = [ledger.path]
    outfile.check_target(out, ledgers)  # before the work, as well as when writing
    today = today or dt.date.today()
    current = asof.figures_as_of(inspection_id, day, today)
    comparison = previous.compare(current, previous.previous_report(inspection_id, day))
    text = compose(current, comparison, today)
    if out.suffix.lower() == ".docx":
        write_docx(text, out, ledgers)
    else:
        write_xlsx(text, out, ledgers)
    remembered = False
    if remember and not ledger.readonly:
        previous.remember(ledger, current, out.name)
        remembered = True
    return ReportResult(out, current, comparison, remembered, list(current.unknown))


def cli_report(args: Any) -> int:
    """`rectify-desktop report LEDGER OUT.docx|OUT.xlsx [--as-of DATE] [--inspection ID]`: 0 when written, 1 on
    bad input or a ledger that cannot tell (a Chinese reason on stderr), 2 for a file type it cannot write."""
    from rectify_desktop.core.ledger import Ledger
    from rectify_desktop.core.storage import LockedError, ReadOnlyFileError

    out = Path(args.out)
    if out.suffix.lower() not in SUFFIXES:
        print(f"错误：进展报告只能保存为 .docx（Word）或 .xlsx（Excel）文件，而不是：{out.name}", file=sys.stderr)
        return 2
    today = dt.date.today()
    try:
        day = asof.parse_day(args.as_of or "今天", today)
    except LedgerError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    note = ""
    try:
        ledger = Ledger.open(args.ledger)
    except (LockedError, ReadOnlyFileError) as exc:
        ledger = Ledger.open(args.ledger, readonly=True)
        note = f"提示：{exc}；报告照常生成，但未记入台账，下次报告的“较上期”不会以它为准"
    with ledger:
        inspection_id = ledger.pick_inspection(getattr(args, "inspection", None))
        result = make_report(ledger, inspection_id, day, out, today=today)
    print(f"已生成进展报告（截至{ar_date(day)}）：{out}")
    print(result.comparison.sentence())
    for text in result.notes:
        print(f"提示：{text}", file=sys.stderr)
    if note:
        print(note, file=sys.stderr)
    return 0
