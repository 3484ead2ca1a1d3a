"""The Excel ledger as the inspection office prints and files it (issue 13, points 1-8), asserted from the file:
openpyxl for cells, validation, widths, fonts, merges, print set-up; one slow test prints the demo through
LibreOffice and counts its pages."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from rectify_desktop.core import ops
from rectify_desktop.core.ledger import Ledger
from rectify_desktop.core.models import DONE, STATUSES, Inspection, Item
from rectify_desktop.core.settings import SPEC, SetSettings
from rectify_desktop.core.table import build_table, cn_date
from rectify_desktop.io import xlsx_ledger_sheet as paper
from rectify_desktop.io.xlsx_cells import (
    BODY_FONT,
    DATE_FORMAT,
    MAX_ROW_HEIGHT,
    NO_END,
    NO_START,
    OVERDUE_LEGEND,
    line_count,
    split_point,
    wrap_capacity,
)
from rectify_desktop.io.xlsx_export import CONTINUED_MARK, LEDGER_KEYS, export_workbook
from rectify_desktop.io.xlsx_import import parse_workbook

TODAY = dt.date(2026, 12, 1)
HEADER = 3
COL = {k: i + 1 for i, k in enumerate(LEDGER_KEYS)}
N = len(LEDGER_KEYS)


def export(tmp_path: Path, name: str = "台账.xlsx") -> Path:
    insp = Inspection.select().order_by(Inspection.position, Inspection.id).first()
    return export_workbook(insp.id, tmp_path / name, today=TODAY)


def item_rows(ws) -> list[int]:  # noqa: ANN001
    return [r for r in range(HEADER + 1, ws.max_row + 1) if isinstance(ws.cell(r, 1).value, int)]


def item_parts(ws) -> dict[int, int]:  # noqa: ANN001
    """Each row of an item, or of the rest of one split over a page break (序号 续, 细化问题 not repeated):
    row → the item's 序号."""
    out: dict[int, int] = {}
    seq = 0
    for r in range(HEADER + 1, ws.max_row + 1):
        value, item = ws.cell(r, 1).value, ws.cell(r, COL["item"]).value
        if isinstance(value, int):
            seq = out[r] = value
        elif value == "续" and item is None and seq:
            out[r] = seq
    return out


def across_rows(ws) -> dict[int, str]:  # noqa: ANN001
    """The rows across the table (方面, 问题): row → text."""
    return {
        m.min_row: ws.cell(m.min_row, 1).value
        for m in ws.merged_cells.ranges
        if m.min_row > HEADER and m.min_col == 1 and m.max_col == N
    }


def pages(ws) -> list[list[int]]:  # noqa: ANN001
    """The rows of the table on each page, as the sheet's page breaks cut them."""
    breaks = sorted(b.id for b in ws.row_breaks.brk)
    out, start = [], HEADER + 1
    for b in [*breaks, ws.max_row]:
        out.append(list(range(start, b + 1)))
        start = b + 1
    return out


@pytest.fixture
def book(demo_ledger: Ledger, tmp_path: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(export(tmp_path))


# --- 1: 完成情况 the status alone, 完成时间 the date --------------------------------------------------


def test_status_alone_and_the_date_in_its_own_column(demo_ledger: Ledger, book: openpyxl.Workbook) -> None:
    ws = book["台账"]
    assert ws.cell(HEADER, COL["status"]).value.replace("\n", "") == "完成情况"
    assert ws.cell(HEADER, COL["completed"]).value.replace("\n", "") == "完成时间"
    rows = item_rows(ws)
    table = build_table(1, today=TODAY)
    statuses = [ws.cell(r, COL["status"]).value for r in rows]
    assert set(statuses) <= set(STATUSES)  # exactly the drop-down's values
    # COUNTIF(I:I,"已完成") counts every item done.
    assert statuses.count(DONE) == sum(r.status == DONE for r in table.rows) > 0
    (dv,) = ws.data_validations.dataValidation
    assert dv.formula1 == '"' + ",".join(STATUSES) + '"' and dv.errorStyle == "stop"
    assert str(dv.sqref).startswith(get_column_letter(COL["status"]))
    for r, row in zip(rows, table.rows, strict=True):
        item = Item.get_by_id(row.item_id)
        done = ws.cell(r, COL["completed"])
        if item.status == DONE and item.completed_date:
            assert done.value == dt.datetime.combine(item.completed_date, dt.time()) and done.is_date
            assert done.number_format == DATE_FORMAT == "yyyy.m.d"
        else:  # dates only: the overdue mark is on the deadline (test_legend_once_and_overdue_marked_in_black)
            assert done.value is None


# --- 6: 整改时限 a date where it is one ----------------------------------------------------------------


def test_deadline_is_a_date_where_it_is_one_and_the_column_sorts(demo_ledger: Ledger, book: openpyxl.Workbook) -> None:
    by_seq = {i + 1: r.item_id for i, r in enumerate(build_table(1, today=TODAY).rows)}
    for name, column in (("台账", COL["deadline"]), ("可筛选", 9)):
        ws = book[name]
        assert ws.cell(HEADER, column).value.replace("\n", "") == "整改时限"
        dates = phrases = 0
        for r in range(HEADER + 1, ws.max_row + 1):
            if not isinstance(ws.cell(r, 1).value, int):
                continue
            item = Item.get_by_id(by_seq[ws.cell(r, 1).value])
            c = ws.cell(r, column)
            if item.deadline_date and item.deadline_text in ("", cn_date(item.deadline_date)):
                assert c.is_date and c.value.date() == item.deadline_date and c.number_format == DATE_FORMAT
                dates += 1
            else:
                assert c.value == (item.deadline_text or None)  # 长期坚持, 立行立改 … stay as written
                phrases += 1
        assert dates and phrases, name
    # (Read back, the same cells: tests/io/test_xlsx_import.py, the round trip.)


# --- 4: never cut at the 409-point row ---------------------------------------------------------------


def test_a_text_taller_than_a_row_goes_on_and_comes_back(demo_ledger: Ledger, tmp_path: Path) -> None:
    item = Item.select().order_by(Item.id).first()
    sentences = [
        f"第{i + 1}句：已召开专题会议研究部署整改工作，逐项明确责任人和完成时限，持续跟踪问效。" for i in range(25)
    ]
    progress = "".join(sentences)
    assert len(progress) > 1000
    demo_ledger.apply(ops.set_fields(Item, item.id, {"progress": progress}))
    notes: list[str] = []
    out = export_workbook(1, tmp_path / "长.xlsx", today=TODAY, notes=notes)
    wb = openpyxl.load_workbook(out)
    ws = wb["台账"]
    (r,) = [r for r in item_rows(ws) if str(ws.cell(r, COL["progress"]).value).startswith("第1句")]
    cell = ws.cell(r, COL["progress"]).value
    head, mark, _ = cell.partition("……（未完")
    assert mark and cell.endswith("行）") and CONTINUED_MARK.split("{row}")[0] in cell
    assert head.endswith("。")  # cut at a sentence's end
    # What the cell holds prints whole in its row, which Excel caps at 409 points.
    width = ws.column_dimensions[get_column_letter(COL["progress"])].width
    lines = line_count(cell, wrap_capacity(width, BODY_FONT))
    height = ws.row_dimensions[r].height
    assert height <= MAX_ROW_HEIGHT and height >= paper.row_height(lines, BODY_FONT) - 0.1
    # The rest stands on the 续 sheet, each piece short enough to print whole; the clerk is told.
    ref = f"台账!{get_column_letter(COL['progress'])}{r}"
    rest = "".join(str(v[4]) for v in wb["续"].iter_rows(min_row=4, values_only=True) if v[1] == ref)
    assert head + rest == progress
    assert len(notes) == 1 and ref in notes[0] and "409" in notes[0]
    # And the import joins it back.
    (back,) = [i for i in parse_workbook(out).items() if i.progress.startswith("第1句")]
    assert back.progress == progress


# --- 3: the context on every page; sorting and filtering in 可筛选 -------------------------------------


def test_every_page_says_its_category_and_finding_and_nothing_is_merged_down(book: openpyxl.Workbook) -> None:
    ws = book["台账"]
    across = across_rows(ws)
    assert all(m.min_row == m.max_row for m in ws.merged_cells.ranges)  # no cell merged over rows
    table = build_table(1, today=TODAY)
    by_seq = {i + 1: r for i, r in enumerate(table.rows)}
    parts = item_parts(ws)
    split = [r for r in parts if not isinstance(ws.cell(r, 1).value, int)]
    assert split  # the demo has a tall row split at the foot of a page, the rest atop the next
    # 细化问题 once per item: COUNTA of the column counts the items.
    assert sum(ws.cell(r, COL["item"]).value is not None for r in parts) == len(table.rows)
    for page in pages(ws):
        items = [r for r in page if r in parts]
        assert items
        # The page opens with its first item's category and finding: one row each, or one row saying both
        # where the page goes on with them (a row fewer a page).
        first = by_seq[parts[items[0]]]
        cat, finding = first.cells["category"], first.cells["finding"]
        if page[0] in across and across[page[0]] == paper.continued_both(cat, finding):
            continue
        heads = [across[r] for r in page[:2]]
        assert [h.removesuffix("（续）") for h in heads] == [cat, finding], page[0]
    both = [t for t in across.values() if paper.BOTH_GAP in t]
    assert both and all(t.endswith("（续）") for t in both)  # the demo runs over pages


def test_the_filter_sheet_has_one_row_per_item_and_no_merges(book: openpyxl.Workbook) -> None:
    ws = book["可筛选"]
    table = build_table(1, today=TODAY)
    assert [c.value for c in ws[3]][:4] == ["序号", "方面", "问题", "细化问题"]
    assert not ws.merged_cells.ranges or all(m.min_row < 3 for m in ws.merged_cells.ranges)
    assert ws.auto_filter.ref == f"A3:P{3 + len(table.rows)}"
    for r, row in enumerate(table.rows, 4):
        assert ws.cell(r, 2).value == row.cells["category"] and ws.cell(r, 3).value == row.cells["finding"]
        assert ws.cell(r, 11).value == row.status
        assert ws.cell(r, 13).value == ("是" if row.overdue else None)
    (dv,) = ws.data_validations.dataValidation
    assert str(dv.sqref) == f"K4:K{3 + len(table.rows)}"


def test_a_thousand_items_name_their_category_on_every_page(tmp_path: Path) -> None:
    from tests.perf.generate import make_large_ledger

    path = make_large_ledger(tmp_path / "千项.db", 1000)
    with Ledger.open(path):
        ws = openpyxl.load_workbook(export(tmp_path, "千项.xlsx"))["台账"]
    across = across_rows(ws)
    got = pages(ws)
    assert len(got) > 100
    for page in got:
        head = across.get(page[0], "")
        assert head.startswith("（一）"), page[0]
        # the finding on the same row (both go on) or on the next (a new finding opens the page)
        assert paper.BOTH_GAP in head or across.get(page[1], "")[:1].isdigit(), page[1]
    assert sum(isinstance(ws.cell(r, 1).value, int) for r in range(4, ws.max_row + 1)) == 1000


# --- 2: widths to the text, body at 10.5 pt on paper -------------------------------------------------


def test_the_table_prints_at_full_size_with_the_width_on_the_text(book: openpyxl.Workbook) -> None:
    ws = book["台账"]
    widths = [ws.column_dimensions[get_column_letter(c)].width for c in range(1, N + 1)]
    # Fitted to the page width at 100 %: 7 px a unit and 5 px a column within A4 landscape less the margins.
    page_px = (297 / 25.4 - ws.page_margins.left - ws.page_margins.right) * 96
    assert sum(7 * w + 5 for w in widths) <= page_px
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    body = ws.cell(item_rows(ws)[0], COL["item"]).font
    assert body.sz >= 10.5  # and printed at 100 %
    text = sum(widths[COL[k] - 1] for k in ("item", "measures", "progress"))
    dates = [widths[COL[k] - 1] for k in ("deadline", "completed")]
    sparse = sum(widths[COL[k] - 1] for k in ("evidence", "writeoff", "remarks"))
    assert text > 2 * sparse and text > sum(widths) * 0.42  # the width is on the text
    assert widths[COL["item"] - 1] >= 16
    # A date column as wide as its widest date (2026.10.12 whole) and no wider: 17.5 units each before.
    assert all(w <= 12.5 for w in dates)
    # 佐证材料 and 备注 hold three characters a line at least, never two.
    for k in ("evidence", "remarks"):
        assert wrap_capacity(widths[COL[k] - 1], BODY_FONT) >= 6


# --- 5: the legend once, overdue marked in words -------------------------------------------------------


def test_legend_once_and_overdue_marked_in_black(book: openpyxl.Workbook) -> None:
    ws = book["台账"]
    assert ws.print_title_rows.replace("$", "") == "3:3"  # only the header repeats; the legend is in row 2
    where = [c.row for row in ws.iter_rows() for c in row if c.value == OVERDUE_LEGEND]
    assert where == [2]
    table = build_table(1, today=TODAY)
    assert any(r.overdue for r in table.rows)
    for r, row in zip(item_rows(ws), table.rows, strict=True):
        done, deadline = ws.cell(r, COL["completed"]), ws.cell(r, COL["deadline"])
        assert done.value is None or done.is_date  # 完成时间 holds dates only: the column sorts
        # Overdue: the deadline in bold on a dotted ground, which a black-and-white printer keeps; it stays
        # a date (or the phrase as written), so that 整改时限 sorts too.
        assert bool(deadline.font.b) == row.overdue, r
        assert (deadline.fill.patternType == "gray125") == row.overdue, r
        assert not done.font.b
        assert ws.cell(r, COL["status"]).value in STATUSES  # the mark never in 完成情况


# --- 7: the signature line and the seal ----------------------------------------------------------------


def test_signatures_from_the_settings_and_blanks_to_sign(demo_ledger: Ledger, tmp_path: Path) -> None:
    assert SPEC["reviewer"].label == "审核人" and SPEC["principal"].label == "负责人"
    demo_ledger.apply(SetSettings({"reporter": "张三", "principal": "李四", "contact_phone": "0794-1234567"}))
    ws = openpyxl.load_workbook(export(tmp_path))["台账"]
    last_item = max(item_parts(ws))
    texts = [[c.value for c in ws[r] if c.value] for r in range(last_item + 1, ws.max_row + 1)]
    assert texts[0] == ["填表人：张三", "审核人：", "负责人：李四", "联系电话：0794-1234567"]
    assert texts[1] == [f"{Inspection.get_by_id(1).inspected_unit}（盖章）"]
    assert texts[2] == [cn_date(TODAY)]
    assert not any("×" in t for row in texts for t in row)
    assert ws.print_area.endswith(f"${ws.max_row}")  # printed, on the last item's page
    assert not [b for b in ws.row_breaks.brk if b.id >= last_item]
    # The import lists them as the signature, nothing else.
    parsed = parse_workbook(tmp_path / "台账.xlsx")
    assert [s.text for s in parsed.skipped if s.line > last_item] == [
        "填表人：张三  审核人：  负责人：李四  联系电话：0794-1234567",
        "临川县教育局（盖章）",
        cn_date(TODAY),
    ]


# --- 8: the hashes outside the print area ---------------------------------------------------------------


def test_hashes_and_sizes_outside_the_print_area(book: openpyxl.Workbook) -> None:
    ws = book["佐证材料"]
    headers = [c.value for c in ws[3]]
    assert headers[-2:] == ["大小（字节）", "SHA-256"]
    printed = headers.index("大小（字节）")
    assert ws.print_area == f"'佐证材料'!$A$1:${get_column_letter(printed)}${ws.max_row}"
    assert "A1:I1" in {str(m) for m in ws.merged_cells.ranges}  # the title centred over what prints


# --- the whole, as LibreOffice prints it (slow) -------------------------------------------------------------


def _soffice(tmp_path: Path, src: Path, to: str, outdir: Path) -> Path:
    profile = (tmp_path / "lo-profile").as_uri()
    r = subprocess.run(
        ["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", to, "--outdir", str(outdir)]
        + [str(src)],
        capture_output=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    return outdir / (src.stem + "." + to.split(":")[0])


def _ledger_only(out: Path, tmp_path: Path) -> tuple[Path, openpyxl.Workbook]:
    wb = openpyxl.load_workbook(out)
    for name in wb.sheetnames[1:]:
        del wb[name]
    only = tmp_path / (out.stem + "only.xlsx")
    wb.save(only)
    return only, wb


def _cut_rows(only: Path, tmp_path: Path) -> list[tuple[int, float, float]]:
    """Rows lower than LibreOffice makes them for their text (a text cut): each item row's height left to
    LibreOffice (its optimal height), read back, against ours. The rows across the table are merged cells,
    which LibreOffice does not size: their one line is checked by the pages' own text."""
    wb = openpyxl.load_workbook(only)
    ws = wb["台账"]
    merged = {m.min_row for m in ws.merged_cells.ranges}
    ours = {}
    for r in range(HEADER + 1, ws.max_row + 1):
        if r not in merged and ws.row_dimensions[r].height:
            ours[r] = ws.row_dimensions[r].height
            ws.row_dimensions[r].height = None
    free = tmp_path / "free" / "free.xlsx"
    free.parent.mkdir()
    wb.save(free)
    ods = _soffice(tmp_path, free, "ods", free.parent)
    back = _soffice(tmp_path, ods, "xlsx:Calc MS Excel 2007 XML", tmp_path / "back")
    lo = openpyxl.load_workbook(back)["台账"]
    return [
        (r, h, lo.row_dimensions[r].height) for r, h in ours.items() if (lo.row_dimensions[r].height or 0) > h + 0.3
    ]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_prints_the_pages_laid_out(demo_ledger: Ledger, tmp_path: Path) -> None:
    from pypdf import PdfReader

    only, wb = _ledger_only(export(tmp_path), tmp_path)
    ws = wb["台账"]
    pdf = _soffice(tmp_path, only, "pdf", tmp_path)
    texts = ["".join(p.extract_text().split()) for p in PdfReader(pdf).pages]
    # The pages are the ones laid out (LibreOffice added no break of its own), each with its category: 10 pages
    # for the 29 items (16 after the first layout at 10.5 pt; 10 before it, at 9.6 pt, shrunk to the width).
    assert len(texts) == len(pages(ws)) <= 10
    table = build_table(1, today=TODAY)
    labels = {r.cells["category"][:8] for r in table.rows}
    assert all(any(label in t for label in labels) for t in texts)
    assert "填表人" in texts[-1] and "（盖章）" in texts[-1]
    # No cell's text is cut: every row at least as high as LibreOffice makes it for its text.
    assert _cut_rows(only, tmp_path) == []
    # The body at its size, nothing shrunk to fit.
    assert ws.cell(item_rows(ws)[0], COL["item"]).font.sz == 10.5 and ws.page_setup.scale in (None, 100)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_prints_a_thousand_items_on_fewer_pages(tmp_path: Path) -> None:
    from pypdf import PdfReader

    from tests.perf.generate import make_large_ledger

    path = make_large_ledger(tmp_path / "千项.db", 1000)
    with Ledger.open(path):
        out = export(tmp_path, "千项.xlsx")
    only, wb = _ledger_only(out, tmp_path)
    pdf = _soffice(tmp_path, only, "pdf", tmp_path)
    n = len(PdfReader(pdf).pages)
    # 143 pages before issue 13 (at 9.6 pt), 167 after its first layout; 112 now, at 10.5 pt.
    assert n == len(pages(wb["台账"])) <= 120
    assert _cut_rows(only, tmp_path) == []


# --- issue 13, second look: point 10 in Excel, 完成时间 dates only, 可筛选 on paper, 统计 ----------------------


def test_writeoff_date_whole_and_evidence_names_numbered(demo_ledger: Ledger, tmp_path: Path) -> None:
    from rectify_desktop.io.xlsx_cells import date_units

    out = export(tmp_path)
    ws = openpyxl.load_workbook(out)["台账"]
    width = {k: ws.column_dimensions[get_column_letter(COL[k])].width for k in ("writeoff", "evidence")}
    table = build_table(1, today=TODAY)
    written_off = numbered = 0
    for r, row in zip(item_rows(ws), table.rows, strict=True):
        wo = ws.cell(r, COL["writeoff"]).value
        if wo and wo.startswith("已销号"):
            # 已销号 over its date, 2026.8.24, on a line of its own and never broken ("（202 / 6年8月 / 24日）").
            word, date = wo.split("\n")
            assert word == "已销号" and date.count(".") == 2 and width["writeoff"] >= date_units(date), wo
            written_off += 1
        names = row.cells["evidence"].split("\n")
        got = ws.cell(r, COL["evidence"]).value
        if len(names) > 1:  # each on its own line, numbered as the PDF does
            assert got.split("\n") == ["①②③④⑤⑥⑦⑧⑨⑩"[i] + n for i, n in enumerate(names)]
            numbered += 1
    assert written_off and numbered
    assert wrap_capacity(width["evidence"], BODY_FONT) >= 6  # three characters a line, never two
    # The import takes the numbers off: the names come back as they are.
    back = {i.title: i.evidence for c in parse_workbook(out).categories for f in c.findings for i in f.items}
    for row in table.rows:
        title = row.cells["item"]
        names = [n for n in row.cells["evidence"].split("\n") if n]
        assert [b for t, b in back.items() if title.endswith(t)][0] == names, title


def test_evidence_sheet_shows_dates_and_numbers_whole(demo_ledger: Ledger, book: openpyxl.Workbook) -> None:
    from rectify_desktop.io.xlsx_cells import date_units, print_width, short_date

    ws = book["佐证材料"]
    headers = [c.value for c in ws[3]]
    date_col, number_col = headers.index("日期") + 1, headers.index("文号") + 1
    dates = [ws.cell(r, date_col).value for r in range(4, ws.max_row + 1)]
    numbers = [ws.cell(r, number_col).value for r in range(4, ws.max_row + 1)]
    assert any(dates) and any(numbers)
    widest = max(date_units(short_date(d.date())) for d in dates if d)
    assert ws.column_dimensions[get_column_letter(date_col)].width >= widest  # never 2026年10月13 / 日
    cap = wrap_capacity(ws.column_dimensions[get_column_letter(number_col)].width, BODY_FONT)
    assert all(print_width(n) <= cap for n in numbers if n)  # never 临教党〔2026〕9 / 号
    assert ws.cell(4, date_col).number_format == DATE_FORMAT


def test_the_filter_sheet_prints_only_its_note(book: openpyxl.Workbook) -> None:
    ws = book["可筛选"]
    # Printed with the whole workbook it is one page saying what it is for, not its rows at 5 pt.
    assert ws.print_area == f"'可筛选'!$A$1:${get_column_letter(ws.max_column)}$2"
    assert "屏幕" in ws["A2"].value and "“台账”" in ws["A2"].value
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1


def test_stats_give_the_completion_rate_once_as_the_window_does(demo_ledger: Ledger, book: openpyxl.Workbook) -> None:
    from rectify_desktop.core import stats

    ws = book["统计"]
    s = stats.compute(1, TODAY)
    cells = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and "完成率" in c.value]
    labels = [c for c in cells if c.value == "完成率"]
    assert len(labels) == 3  # the row of the summary, the column of the tables by category and department
    assert not any("取整" in c.value or "%）" in c.value for c in cells)
    summary = labels[0]
    rate = ws.cell(summary.row, summary.column + 1)
    assert rate.value == s.completion_whole == 55 and rate.number_format == '0"%"'  # shows 55%, as the window


# --- 2: a mark LibreOffice leaves alone atop a line -----------------------------------------------------------


def _greedy_lines(line: str, capacity: int) -> tuple[int, int]:
    """Lines a line of text takes as LibreOffice breaks it in a cell (seen in its PDFs): Chinese characters
    and marks anywhere, a Latin word whole, no 禁则 — so a "；" after a full line goes alone onto the next;
    and how many lines begin with such a mark."""
    units: list[str] = []
    for ch in line:
        latin = ch <= "\x7f" and not ch.isspace()
        if units and latin and units[-1][-1] <= "\x7f" and not units[-1][-1].isspace():
            units[-1] += ch
        else:
            units.append(ch)
    lines, marks, used = 1, 0, 0.0
    for u in units:
        w = sum(2.0 if c > "\x7f" else 1.28 if c.isalnum() else 0.64 for c in u)
        if used and used + w > capacity:
            lines, used = lines + 1, w
            marks += u[0] in "，。、；：？！）》”"
        else:
            used += w
    return lines, marks


def test_a_row_is_tall_enough_when_a_mark_goes_alone_onto_a_line(book: openpyxl.Workbook) -> None:
    """Demo item 1.(1)'s 整改措施 "…研讨重点；": LibreOffice prints "；" alone on the next line (it applies no
    禁则 in a cell, whatever the locale, and ignores a word joiner). The measuring (xlsx_cells.line_count)
    moves 点 along with it, which takes as many lines, so the row is tall enough either way."""
    ws = book["台账"]
    lone = 0
    for r in item_rows(ws):
        height = ws.row_dimensions[r].height
        for key in ("item", "measures", "progress", "evidence", "remarks"):
            cell = ws.cell(r, COL[key])
            if not isinstance(cell.value, str) or not cell.value:
                continue
            cap = wrap_capacity(ws.column_dimensions[get_column_letter(COL[key])].width, BODY_FONT)
            counted = [_greedy_lines(line, cap) for line in cell.value.split("\n")]
            lines = sum(n for n, _ in counted)
            lone += sum(m for _, m in counted)
            assert line_count(cell.value, cap) >= lines, (cell.coordinate, cell.value)
            if height < MAX_ROW_HEIGHT:
                assert height >= lines * float(BODY_FONT.sz) * 1.43, (cell.coordinate, height, lines)
    assert lone, "the demo has marks LibreOffice leaves alone atop a line"


def test_a_text_split_over_a_page_break_goes_on_at_a_word(demo_ledger: Ledger, book: openpyxl.Workbook) -> None:
    """The rest of a split 整改措施 or 整改进展 never starts with a mark that cannot begin a line (the demo
    printed "；已建立校外培训机构…" atop page 3) nor inside a number (23.|8万元)."""
    ws = book["台账"]
    rests = []
    parts = item_parts(ws)
    for r, seq in parts.items():
        if ws.cell(r, 1).value != "续":
            continue
        head = max(p for p, s in parts.items() if s == seq and p < r)  # the part atop the page before
        for key in ("measures", "progress"):
            above, text = ws.cell(head, COL[key]).value, ws.cell(r, COL[key]).value
            if isinstance(text, str) and text and isinstance(above, str) and above:
                rests.append((above, text))
    assert rests  # the demo splits rows over page breaks
    for above, text in rests:
        assert text[0] not in NO_START, (above[-10:], text[:10])
        assert above[-1] not in NO_END, (above[-10:], text[:10])
        assert not (_word(above[-1]) and _word(text[0])), (above[-10:], text[:10])


def test_split_points_move_back_before_a_mark_that_cannot_begin_a_line() -> None:
    text = "一是召开会议研究部署" * 3 + "；二是追缴资金23.8万元（已到账）。"
    for at in range(1, len(text)):
        cut = split_point(text, at)
        assert 0 < cut <= at
        assert text[cut] not in NO_START and text[cut - 1] not in NO_END
        assert not (_word(text[cut - 1]) and _word(text[cut])), (at, cut)


def _word(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch == ".")
