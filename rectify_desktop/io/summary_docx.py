"""The round's progress report (.docx) of a 汇总 (issue 17), in the office's wording, on the notice's paper.

What it says, in the order published round summaries say it (../shared/NOTICE-SHAPES.md):
截至<date>，本轮巡察共涉及N个单位。本轮巡察反馈的N个问题，完成整改X个，基本完成并持续整改Y个，未完成Z个，总体完成率W%。
then the 整改成效 summed over the units (core.results.sentence), the units (一、各单位整改进展情况: a sentence
each for a few, the table always), what is overdue (二、存在的问题), the inputs left out, and the date.

The paper is the notice's (io.notice_docx: GB/T 9704 A4, margins, 3号仿宋 lines on the grid, page numbers
"— 1 —", the document's own properties); its paper helpers are used directly rather than build_document,
which reads the open ledger's font settings: a summary belongs to no ledger, and the command line has none open.
The table is in 五号 (10.5 pt), as tables in such reports are, so that a county's 30 units fit a few pages.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from rectify_desktop.core import outfile
from rectify_desktop.core.results import sentence
from rectify_desktop.core.summary import Summary
from rectify_desktop.core.table import cn_date
from rectify_desktop.io import notice_docx as paper
from rectify_desktop.io.summary_table import text_of

DEFAULT_TITLE = "关于巡察整改进展情况的报告"
TABLE_PT = 10.5  # 五号
UNIT_SENTENCES = 5  # up to this many units, each also has its sentence above the table
TABLE_HEADERS = ("序号", "被巡察单位", "细化问题", "已完成", "持续整改", "未完成", "逾期", "完成率")
# Widths in mm of the 156 mm type area (210 - 28 - 26).
TABLE_WIDTHS_MM = (12, 44, 19, 15, 19, 15, 14, 18)  # 4 characters of 五号 and the cell's margins: 19 mm
NAMED = 10  # units named in a sentence of 二、存在的问题, the most behind first; the others as 等


def paragraphs(s: Summary) -> dict[str, list[str]]:
    """The report's texts by section: opening, units (one sentence per unit), problems, skipped."""
    t = s.totals
    opening = [f"截至{cn_date(s.today)}，本轮巡察共涉及{s.units}个单位。{s.headline()}。"]
    said = sentence(s.total_results())
    if said:
        opening.append(said)
    units = []
    for r in s.rows:
        parts = [f"反馈问题{r.findings}个"]
        if r.items != r.findings:
            parts.append(f"细化为{r.items}项")
        parts.append(f"已完成{r.done}项")
        if r.ongoing:
            parts.append(f"基本完成并持续整改{r.ongoing}项")
        if r.unfinished:
            parts.append(f"未完成{r.unfinished}项")
        if r.overdue:
            parts.append(f"其中逾期{r.overdue}项")
        parts.append(f"完成率{r.completion_whole}%")
        units.append(f"{r.unit}：{'，'.join(parts)}。")
    problems = []
    late = sorted((r for r in s.rows if r.overdue), key=lambda r: -r.overdue)
    if late:
        names = "、".join(f"{r.unit}{r.overdue}项" for r in late[:NAMED])
        more = "等" if len(late) > NAMED else ""
        problems.append(f"目前仍有{t.overdue}项整改事项超过整改时限未完成，涉及{len(late)}个单位，其中{names}{more}。")
    else:
        problems.append("目前没有超过整改时限未完成的整改事项。")
    low = sorted((r for r in s.rows if r.completion_whole < t.completion_whole), key=lambda r: r.completion_whole)
    if low:
        names = "、".join(f"{r.unit}（{r.completion_whole}%）" for r in low[:NAMED])
        problems.append(
            f"{names}{'等' if len(low) > NAMED else ''}{len(low)}个单位的完成率低于本轮总体完成率"
            f"（{t.completion_whole}%），需加快推进。"
        )
    skipped = [f"{n.path.name}：{n.reason}。" for n in s.not_summed]
    return {"opening": opening, "units": units, "problems": problems, "skipped": skipped}


def _body(doc: Any, end: Any, text: str, fonts: dict[str, str], *, style: str = "body") -> Any:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    p = paper._paragraph_before(end, doc._body)
    east = {"h1": fonts["heading1"], "h2": fonts["heading2"]}.get(style, fonts["body"])
    p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    paper._indent_chars(p, first=2)
    if style in ("h1", "h2"):
        p.paragraph_format.keep_with_next = True
    paper._run(p, paper._XML_ILLEGAL.sub("", text), east, paper.BODY_PT, condense=paper.CONDENSE_TWENTIETHS)
    return p


def _table(doc: Any, end: Any, s: Summary, fonts: dict[str, str]) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    rows = [
        [str(n), r.unit, r.items, r.done, r.ongoing, r.unfinished, r.overdue, f"{r.completion_whole}%"]
        for n, r in enumerate(s.rows, 1)
    ]
    t = s.totals
    rows.append(["", "合计", t.items, t.done, t.ongoing, t.unfinished, t.overdue, f"{t.completion_whole}%"])
    table = doc.add_table(rows=len(rows) + 1, cols=len(TABLE_HEADERS))
    end.addprevious(table._tbl)  # before the closing section properties, where add_table put it anyway
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    # The grid's own widths: LibreOffice and WPS lay the table out from them, not from the cells' widths.
    for col, w in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), TABLE_WIDTHS_MM, strict=True):
        col.set(qn("w:w"), str(round(w / 25.4 * 1440)))
    # The header repeats on every page the table runs over.
    trpr = table.rows[0]._tr.get_or_add_trPr()
    head = trpr.makeelement(qn("w:tblHeader"), {qn("w:val"): "true"})
    trpr.append(head)
    # Row by row: python-docx's table.cell and column.cells walk the whole table each call (2,000 units: minutes).
    for r, (row, values) in enumerate(zip(table.rows, [list(TABLE_HEADERS), *rows], strict=True)):
        bold = r == 0 or r == len(rows)
        for c, (cell, v) in enumerate(zip(row.cells, values, strict=True)):
            cell.width = Mm(TABLE_WIDTHS_MM[c])
            p = cell.paragraphs[0]
            p.alignment = WD_ALIGN_PARAGRAPH.LEFT if c == 1 and r else WD_ALIGN_PARAGRAPH.CENTER
            pf = p.paragraph_format
            pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            pf.line_spacing = Pt(TABLE_PT * 1.5)
            pf.first_line_indent = Pt(0)
            paper._no_grid_snap(p)
            east = fonts["heading1"] if r == 0 else fonts["body"]
            paper._run(p, paper._XML_ILLEGAL.sub("", text_of(v)), east, TABLE_PT, bold and r > 0)


def build_document(s: Summary, *, title: str = DEFAULT_TITLE, office: str = "") -> Any:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Pt

    fonts = dict(paper.FONTS)
    doc = docx.Document()
    paper._setup(doc, fonts)
    end = doc.element.body.sectPr
    p = paper._paragraph_before(end, doc._body)
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paper._no_grid_snap(p)
    p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    p.paragraph_format.line_spacing = Pt(paper.LINE_PT * 1.2)
    paper._run(p, paper._XML_ILLEGAL.sub("", title), fonts["title"], paper.TITLE_PT)
    paper._paragraph_before(end, doc._body)  # the blank line under the title
    texts = paragraphs(s)
    for text in texts["opening"]:
        _body(doc, end, text, fonts)
    _body(doc, end, "一、各单位整改进展情况", fonts, style="h1")
    # A sentence a unit reads well for a few units; a county's thirty are read in the table.
    if len(texts["units"]) <= UNIT_SENTENCES:
        for text in texts["units"]:
            _body(doc, end, text, fonts)
    else:
        _body(doc, end, f"各单位整改进展情况见下表（共{len(s.rows)}个单位）。", fonts)
    _table(doc, end, s, fonts)
    _body(doc, end, "二、存在的问题", fonts, style="h1")
    for text in texts["problems"]:
        _body(doc, end, text, fonts)
    if texts["skipped"]:
        _body(doc, end, f"三、未汇总的材料（{len(texts['skipped'])}份）", fonts, style="h1")
        for text in texts["skipped"]:
            _body(doc, end, text, fonts)
    paper._paragraph_before(end, doc._body)
    for text in (office, cn_date(s.today)):
        if text:
            q = paper._paragraph_before(end, doc._body)
            q.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            paper._indent_chars(q, right=4)
            q.paragraph_format.keep_with_next = True
            paper._run(q, paper._XML_ILLEGAL.sub("", text), fonts["body"], paper.BODY_PT)
    doc.settings.odd_and_even_pages_header_footer = True
    sec = doc.sections[0]
    paper._page_number(sec.footer.paragraphs[0], WD_ALIGN_PARAGRAPH.RIGHT, fonts["page"], right=1)
    paper._page_number(sec.even_page_footer.paragraphs[0], WD_ALIGN_PARAGRAPH.LEFT, fonts["page"], left=1)
    paper._finish_package(doc, title, office, dt.datetime.now(), fonts)
    return doc


def write_docx(
    s: Summary,
    out: Path,
    *,
    title: str = DEFAULT_TITLE,
    office: str = "",
    ledgers: Iterable[str | os.PathLike[str]] = (),
) -> Path:
    """Writes the report to `out`, whole or not at all (core.outfile), never onto a ledger; returns it."""
    out = Path(out)
    doc = build_document(s, title=title, office=office)
    inputs = [r.path for r in s.rows if r.source == "台账"]
    with outfile.atomic_output(out, ledgers=[*ledgers, *inputs], kind="docx") as tmp:
        doc.save(str(tmp))
    return out
