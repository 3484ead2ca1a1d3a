"""The Excel export (io/xlsx_export.py), read back with openpyxl: layout, print set-up, figures, safety."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest

from rectify_desktop.core import ops, rules, stats
from rectify_desktop.core.commands import Insert
from rectify_desktop.core.evidence import AddEvidence
from rectify_desktop.core.ledger import Ledger
from rectify_desktop.core.models import STATUSES, Evidence, Finding, Inspection, Item, Measure, db
from rectify_desktop.core.storage import LedgerError
from rectify_desktop.core.table import build_table, cn_date
from rectify_desktop.io import xlsx_export
from rectify_desktop.io.xlsx_export import LEDGER_HEADERS, LEDGER_KEYS, ExportError, export_workbook

TODAY = dt.date.today()
HEADER_ROWS = 3
FORMULA_LIKE = ["=1+1", "+86 123", "-5", "@user", '=HYPERLINK("http://x","y")']


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def rich_ledger(demo_ledger: Ledger, tmp_path: Path) -> Ledger:
    """The demo ledger with evidence: two files attached, one registered without its file."""
    items = [r.item_id for r in build_table(1).rows]
    scan = tmp_path / "会议纪要.pdf"
    scan.write_bytes("党组会议纪要：研究部署巡察整改工作。".encode() * 50)
    photo = tmp_path / "整改现场.jpg"
    photo.write_bytes(bytes(range(256)) * 20)
    demo_ledger.apply(
        AddEvidence(items[0], scan, kind="会议记录", doc_number="临教党〔2026〕3号", date=dt.date(2026, 7, 6))
    )
    demo_ledger.apply(AddEvidence(items[4], photo, kind="照片", date=dt.date(2026, 8, 1)))
    demo_ledger.apply(AddEvidence(items[0], photo, kind="照片", note="同一照片，只存一份"))
    demo_ledger.apply(Insert(Evidence, {"item": items[2], "name": "学习台账（纸质）", "kind": "文件", "blob": None}))
    return demo_ledger


@pytest.fixture
def exported(rich_ledger: Ledger, tmp_path: Path) -> Path:
    return export_workbook(1, tmp_path / "台账.xlsx", today=TODAY)


@pytest.fixture
def book(exported: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(exported)


def item_label(item: Item) -> str:
    return f"{rules.finding_label(item.finding.number)}{rules.item_label(item.number)}"


# --- the 台账 sheet ----------------------------------------------------------------------------------
# Laid out for paper (issue 13): categories and findings as rows across the table, 完成时间 its own column.
# tests/io/test_excel_paper.py checks each point of the issue; these check the sheet holds the ledger.


def ledger_rows(ws) -> tuple[list[tuple[int, str, str]], dict[int, list], dict[int, list]]:  # noqa: ANN001
    """The rows below the header: (row, kind, text) of each row across the table (方面, 问题); each item's
    values by its first row, the part of an item split over a page break (序号 续, on the next page) joined
    back; and the values of every item row and part by its row. The signatures left out."""
    across, items, parts = [], {}, {}
    wide = {
        r.min_row
        for r in ws.merged_cells.ranges
        if r.min_row > HEADER_ROWS and r.min_col == 1 and r.max_col == len(LEDGER_KEYS)
    }
    item = LEDGER_KEYS.index("item")
    last = None
    for r in range(HEADER_ROWS + 1, ws.max_row + 1):
        first = ws.cell(r, 1).value
        values = [ws.cell(r, c).value for c in range(1, len(LEDGER_KEYS) + 1)]
        if isinstance(first, int):
            items[r] = parts[r] = values
            last = r
        elif r in wide and "（续）\u3000\u3000" in first:  # atop a page going on with both: one row
            category, finding = first.split("\u3000\u3000")
            across += [(r, "category", category), (r, "finding", finding)]
        elif r in wide:
            kind = "category" if first.startswith("（") else "finding"
            across.append((r, kind, first))
        elif last is not None and first == "续" and values[item] is None:
            parts[r] = values
            items[last] = [
                a + b if isinstance(a, str) and isinstance(b, str) else b if a is None else a
                for a, b in zip(items[last], [None, *values[1:]], strict=True)
            ]
    return across, items, parts


def expected_values(row, item: Item) -> list:  # noqa: ANN001
    """An item's row as the 台账 holds it: core.table's cells, the status alone, the dates as dates."""
    values = [int(row.cells["seq"])] + [row.cells.get(k) or None for k in LEDGER_KEYS[1:]]
    values[LEDGER_KEYS.index("status")] = item.status
    deadline = LEDGER_KEYS.index("deadline")
    if item.deadline_date and item.deadline_text in ("", cn_date(item.deadline_date)):
        values[deadline] = dt.datetime.combine(item.deadline_date, dt.time())
    done = LEDGER_KEYS.index("completed")
    if item.status == "已完成" and item.completed_date:
        values[done] = dt.datetime.combine(item.completed_date, dt.time())  # dates only: overdue is a look
    evidence = LEDGER_KEYS.index("evidence")
    names = (values[evidence] or "").split("\n")
    if len(names) > 1:  # numbered ①②, one a line
        values[evidence] = "\n".join("①②③④⑤⑥⑦⑧⑨⑩"[i] + n for i, n in enumerate(names))
    writeoff = LEDGER_KEYS.index("writeoff")
    if values[writeoff]:  # 已销号 over its date, written 2026.8.24
        m = re.search(r"（(\d{4})年(\d{1,2})月(\d{1,2})日）$", values[writeoff])
        if m:
            values[writeoff] = values[writeoff][: m.start()] + "\n" + ".".join(str(int(g)) for g in m.groups())
    return values


def test_sheets_title_rows_and_cells(rich_ledger: Ledger, book: openpyxl.Workbook) -> None:
    assert book.sheetnames == ["台账", "可筛选", "统计", "佐证材料", "制度建设", "会议", "整改成效"]
    ws = book["台账"]
    table = build_table(1, today=TODAY)
    insp = Inspection.get_by_id(1)
    assert ws.max_column == len(LEDGER_HEADERS) == 13
    assert ws["A1"].value == table.title
    row2 = [c.value for c in ws[2] if c.value]
    assert row2[0] == f"填报单位：{insp.inspected_unit}"
    assert row2[-1] == f"填报日期：{cn_date(TODAY)}"
    assert any("逾期" in v for v in row2)  # the legend of the overdue mark
    assert [c.value.replace("\n", "") for c in ws[3]] == list(LEDGER_HEADERS)  # 责任\n领导 in a narrow column
    across, items, parts = ledger_rows(ws)
    # Every item once, in order, each under its category's and its finding's rows.
    assert len(items) == len(table.rows) == 29
    for (r, got), row in zip(sorted(items.items()), table.rows, strict=True):
        assert got == expected_values(row, Item.get_by_id(row.item_id)), r
        above = [a for a in across if a[0] < r]
        category = next(t for _, k, t in reversed(above) if k == "category")
        finding = next(t for _, k, t in reversed(above) if k == "finding")
        assert category.removesuffix("（续）") == row.cells["category"], r
        assert finding.removesuffix("（续）") == row.cells["finding"], r
    firsts = [t for _, _, t in across if not t.endswith("（续）")]
    assert firsts == [
        t
        for i, row in enumerate(table.rows)
        for k, t in (("category", row.cells["category"]), ("finding", row.cells["finding"]))
        if i == 0 or getattr(table.rows[i - 1], f"{k}_id") != getattr(row, f"{k}_id")
    ]
    measures = ws.cell(min(items), LEDGER_KEYS.index("measures") + 1)
    assert measures.value.startswith("一是") and "；\n二是" in measures.value
    assert measures.alignment.wrap_text


def test_only_the_rows_across_the_table_are_merged(rich_ledger: Ledger, book: openpyxl.Workbook) -> None:
    ws = book["台账"]
    merged = [r for r in ws.merged_cells.ranges if r.min_row > 2]
    across, items, parts = ledger_rows(ws)
    signatures = {r for r in range(max(parts) + 1, ws.max_row + 1)}
    assert all(r.min_row == r.max_row for r in merged)  # nothing merged down: no text lost at a page break
    assert {r.min_row for r in merged if r.min_col == 1 and r.max_col == 13} == {a[0] for a in across}
    assert all(r.min_row in signatures for r in merged if r.max_col < 13 or r.min_col > 1)
    assert "A1:M1" in {str(r) for r in ws.merged_cells.ranges}  # the title spans the table


def test_print_setup_of_every_sheet(book: openpyxl.Workbook) -> None:
    for ws in book.worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4) == 9
        assert ws.page_setup.fitToWidth == 1
        assert ws.page_setup.fitToHeight == 0
        assert ws.sheet_properties.pageSetUpPr.fitToPage is True
        assert ws.print_options.horizontalCentered is True
        assert ws.oddFooter.center.text == "第 &P 页 共 &N 页"
        assert ws.page_margins.left <= 0.5 and ws.page_margins.bottom >= 0.4  # the page number's room
        assert ws.sheet_view.showGridLines is False
    ledger = book["台账"]
    assert ledger.print_title_rows.replace("$", "") == "3:3"  # the header; the title and legend print once
    assert ledger.freeze_panes == "A4"
    assert ledger.auto_filter.ref is None  # sorting and filtering: the 可筛选 sheet
    assert book["可筛选"].auto_filter.ref == "A3:P32"
    for name in ("佐证材料", "制度建设", "会议"):
        assert book[name].print_title_rows.replace("$", "") == "1:3"
        assert book[name].freeze_panes == "A4"


def test_status_drop_down(book: openpyxl.Workbook) -> None:
    ws = book["台账"]
    (dv,) = ws.data_validations.dataValidation
    assert dv.type == "list"
    assert dv.formula1 == '"未启动,正在推进,已完成,长期坚持"'
    _, items, parts = ledger_rows(ws)
    assert str(dv.sqref) == f"I{HEADER_ROWS + 1}:I{max(parts)}"
    # Every status is exactly a value of the list now that the date has its own column: the check refuses.
    assert dv.showErrorMessage and dv.errorStyle == "stop"
    assert dv.showInputMessage and "下拉" in dv.prompt
    assert {v[LEDGER_KEYS.index("status")] for v in items.values()} <= set(STATUSES)


def test_fonts_borders_fills_widths_and_heights(rich_ledger: Ledger, book: openpyxl.Workbook) -> None:
    ws = book["台账"]
    across, items, parts = ledger_rows(ws)
    first = min(items)
    title, header, body = ws["A1"].font, ws["C3"].font, ws.cell(first, 3).font
    assert (title.name, title.sz, title.b) == ("宋体", 16, True)
    assert (header.name, header.sz, header.b) == ("黑体", 11, True)
    assert (body.name, body.sz) == ("仿宋", 10.5)
    assert {ws.cell(first, c).font.name for c in range(1, 14)} == {"仿宋"}
    assert all(ws.cell(r, c).border.left.style == "thin" for r in (3, first, max(items)) for c in range(1, 14))
    table = build_table(1, today=TODAY)
    assert any(r.overdue for r in table.rows) and not all(r.overdue for r in table.rows)
    for r, row in zip(sorted(items), table.rows, strict=True):
        fills = {ws.cell(r, c).fill.fgColor.rgb for c in range(1, 14) if c != LEDGER_KEYS.index("deadline") + 1}
        assert fills == ({"00FFD9D9"} if row.overdue else {"00000000"}), r
        deadline = ws.cell(r, LEDGER_KEYS.index("deadline") + 1).fill  # dotted, in bold: black-and-white too
        assert (deadline.patternType == "gray125") == row.overdue, r
    widths = [ws.column_dimensions[chr(65 + i)].width for i in range(13)]
    assert sum(widths) <= xlsx_export.LEDGER_WIDTH_BUDGET + 0.5
    assert all(w >= 4 for w in widths)
    # The text columns 细化问题, 整改措施, 整改进展 are the widest but for the dates (whole on a line), and
    # take a third of the width; 细化问题, the key column, holds seven characters a line at least by the
    # export's cautious measure (eight as LibreOffice prints it; six before issue 13).
    text = [widths[LEDGER_KEYS.index(k)] for k in ("item", "measures", "progress")]
    others = [w for k, w in zip(LEDGER_KEYS, widths, strict=True) if k not in ("item", "measures", "progress")]
    dates = [widths[LEDGER_KEYS.index(k)] for k in ("deadline", "completed")]
    assert min(text) >= max(w for w in others if w not in dates) and sum(text) > sum(widths) / 3
    assert xlsx_export.wrap_capacity(text[0], xlsx_export.BODY_FONT) >= 14
    heights = [ws.row_dimensions[r].height for r in sorted(items)]
    assert all(h and 20 <= h <= 409 for h in heights)
    # Rows grow with their text (each as tall as its tallest cell: test_row_heights_fit_every_wrapped_cell).
    assert max(heights) > min(heights) + 30


def test_row_heights_fit_every_wrapped_cell(rich_ledger: Ledger, book: openpyxl.Workbook) -> None:
    """No text is cut: each row is as tall as its tallest cell wrapped at its column's width, at the line
    height of the tallest CJK fonts (Noto CJK, 1.45 em); the rows across the table too."""
    ws = book["台账"]
    widths = [ws.column_dimensions[chr(65 + i)].width for i in range(13)]
    size = ws["C4"].font.sz or 10.5

    def need(text: str, width: float, size: float = 10.5) -> float:
        # Chinese characters one em wide, others half, in the cell's width less its margins (Excel: 7 px a
        # unit less 1; LibreOffice: 7.3 px less 6, measured), at LibreOffice's line height for the Noto CJK
        # fonts (14.93 pt a line at 10.5 pt, 1.42 em; the test with LibreOffice in test_excel_paper checks
        # every row against LibreOffice's own optimal height).
        per_row = max(1, int(min(width * 7 - 1, width * 7.3 - 6) / (size * 96 / 72)))
        n = sum(max(1, -(-len(line.encode("gbk")) // (2 * per_row))) for line in text.split("\n"))
        return n * size * 1.42

    across, items, parts = ledger_rows(ws)
    for r, values in parts.items():
        h = ws.row_dimensions[r].height
        for i, v in enumerate(values):
            if isinstance(v, str) and v:
                assert h >= need(v, widths[i]), (r, LEDGER_KEYS[i])
    for r, _, text in across:
        assert ws.row_dimensions[r].height >= need(text, sum(widths), ws.cell(r, 1).font.sz), r
    del size


def test_fast_rows_and_public_cells_write_the_same_workbook(
    rich_ledger: Ledger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows go to openpyxl as whole elements (for speed); its public cell API must give the same file."""

    def dump(path: Path) -> list:
        wb = openpyxl.load_workbook(path)
        out: list = []
        for ws in wb.worksheets:
            out.append((ws.title, sorted(map(str, ws.merged_cells.ranges)), ws.freeze_panes, ws.print_title_rows))
            out.append({k: d.width for k, d in ws.column_dimensions.items()})
            out.append({k: (d.height, d.customHeight) for k, d in ws.row_dimensions.items()})
            for row in ws.iter_rows():
                for c in row:
                    f, a = c.font, c.alignment
                    out.append(
                        (c.coordinate, c.value, c.data_type, f.name, f.sz, f.b, c.fill.fgColor.rgb, c.number_format)
                        + (c.border.left.style if c.border.left else None, a.horizontal, a.vertical, a.wrap_text)
                        + (c.quotePrefix, c.style)
                    )
        return out

    rich_ledger.apply(ops.set_fields(Finding, 1, {"title": "=1+1"}))
    fast = export_workbook(1, tmp_path / "fast.xlsx", today=TODAY)
    monkeypatch.setattr(xlsx_export, "FAST_ROWS", False)
    slow = export_workbook(1, tmp_path / "slow.xlsx", today=TODAY)
    assert dump(fast) == dump(slow)


# --- the other sheets --------------------------------------------------------------------------------


def _labelled(ws, first_col: int = 2) -> dict[str, object]:  # noqa: ANN001
    return {
        ws.cell(r, first_col).value: ws.cell(r, first_col + 1).value
        for r in range(1, ws.max_row + 1)
        if isinstance(ws.cell(r, first_col).value, str)
    }


def test_stats_sheet_equals_stats_compute(rich_ledger: Ledger, book: openpyxl.Workbook) -> None:
    s = stats.compute(1, TODAY)
    ws = book["统计"]
    got = _labelled(ws)
    want = {
        "方面（个）": s.categories,
        "问题（个）": s.findings,
        "细化问题（项）": s.items,
        "整改措施（条）": s.measures,
        "已完成（项）": s.status["已完成"],
        "正在推进（项）": s.status["正在推进"],
        "未启动（项）": s.status["未启动"],
        "长期坚持（项）": s.status["长期坚持"],
        "完成率": s.completion_whole,  # once, a whole percent as the window writes it (55%)
        "已逾期（项）": s.overdue,
        "7日内到期（项）": s.due_7,
        "30日内到期（项）": s.due_30,
        "已销号（项）": s.written_off,
        "销号待审核（项）": s.writeoff_pending,
    }
    assert {k: got[k] for k in want} == want
    assert s.items == 29
    assert any(s.headline() in str(c.value) for row in ws.iter_rows() for c in row)

    # By category and by department: counted here from the table, independently of the export.
    table = build_table(1, today=TODAY)
    rows = {r: [ws.cell(r, c).value for c in range(1, 10)] for r in range(1, ws.max_row + 1)}
    header_rows = [r for r, v in rows.items() if v[2] == "细化问题" and v[3] == "已完成"]
    assert len(header_rows) == 2
    assert rows[header_rows[0]][1] == "方面" and rows[header_rows[1]][1] == "责任部门"

    def figures(selected: list) -> list:
        done = sum(r.status == "已完成" for r in selected)
        return [
            len(selected),
            done,
            sum(r.status == "正在推进" for r in selected),
            sum(r.status == "未启动" for r in selected),
            sum(r.status == "长期坚持" for r in selected),
            sum(r.overdue for r in selected),
            rules.percent_one_decimal(done, len(selected)),
        ]

    by_cat = {}
    for r in table.rows:
        by_cat.setdefault(r.cells["category"], []).append(r)
    got_cat = {rows[r][1]: rows[r][2:] for r in range(header_rows[0] + 1, header_rows[0] + 1 + len(by_cat))}
    assert got_cat == {name: figures(sel) for name, sel in by_cat.items()}
    total = rows[header_rows[0] + 1 + len(by_cat)]
    assert total[1] == "合计" and total[2:] == figures(table.rows)

    depts = {}
    for r in table.rows:
        for d in r.cells["department"].split("、"):
            depts.setdefault(d, []).append(r)
    got_dept = {rows[r][1]: rows[r][2:] for r in range(header_rows[1] + 1, header_rows[1] + 1 + len(depts))}
    assert got_dept == {name: figures(sel) for name, sel in depts.items()}
    counts = [v[0] for v in got_dept.values()]
    assert counts == sorted(counts, reverse=True)


def test_evidence_sheet_rows_equal_the_evidence(rich_ledger: Ledger, book: openpyxl.Workbook) -> None:
    ws = book["佐证材料"]
    assert [c.value for c in ws[3]] == list(xlsx_export.EVIDENCE_HEADERS)
    order = {r.item_id: i for i, r in enumerate(build_table(1, today=TODAY).rows)}
    evidence = sorted(Evidence.select(), key=lambda e: (order[e.item_id], e.position, e.id))
    assert ws.max_row == HEADER_ROWS + len(evidence) and len(evidence) >= 4
    for r, e in enumerate(evidence, HEADER_ROWS + 1):
        got = [c.value for c in ws[r]]
        date = dt.datetime.combine(e.date, dt.time()) if e.date else None
        blob = e.blob
        assert got == [
            r - HEADER_ROWS,
            item_label(e.item),
            e.item.title,
            e.name,
            e.kind,
            date,
            e.doc_number or None,
            "已附文件" if blob else "未附文件",
            e.note or None,
            blob.size if blob else None,
            blob.sha256 if blob else None,
        ]
    assert ws.cell(4, 2).value == item_label(evidence[0].item) == "1.（1）"
    assert ws.cell(4, 6).number_format == "yyyy.m.d"  # one date style in the workbook
    assert {ws.cell(r, 8).value for r in range(4, ws.max_row + 1)} == {"已附文件", "未附文件"}


def test_institution_and_meeting_sheets(rich_ledger: Ledger, book: openpyxl.Workbook) -> None:
    from rectify_desktop.core.models import Institution, Meeting

    ws = book["制度建设"]
    insts = list(Institution.select().order_by(Institution.position, Institution.id))
    assert [c.value for c in ws[3]] == list(xlsx_export.INSTITUTION_HEADERS)
    assert ws.max_row == HEADER_ROWS + len(insts) and insts
    for r, inst in enumerate(insts, HEADER_ROWS + 1):
        labels = "、".join(sorted((item_label(link.item) for link in inst.links), key=_label_key))
        assert [c.value for c in ws[r]][:5] == [
            r - HEADER_ROWS,
            inst.title,
            inst.doc_number,
            dt.datetime.combine(inst.date, dt.time()),
            labels or None,
        ]
    ws = book["会议"]
    meetings = list(Meeting.select().order_by(Meeting.position, Meeting.id))
    assert ws.max_row == HEADER_ROWS + len(meetings) and meetings
    first = [c.value for c in ws[4]]
    assert first[:4] == [1, meetings[0].kind, dt.datetime.combine(meetings[0].date, dt.time()), meetings[0].topic]
    assert first[4].count("、") == 2  # the demo's first meeting discussed three items


def _label_key(label: str) -> tuple[int, int]:
    f, i = label.split(".")
    return int(f), int(i.strip("（）"))


# --- safe content ------------------------------------------------------------------------------------


@pytest.fixture
def unsafe_ledger(demo_ledger: Ledger) -> Ledger:
    from rectify_desktop.core.commands import item_written_off

    # A written-off item is locked: the texts go into the items that can still be changed.
    items = [i for i in Item.select().order_by(Item.id) if not item_written_off(i.id)]
    for item, text in zip(items, FORMULA_LIKE, strict=False):
        demo_ledger.apply(ops.set_fields(Item, item.id, {"title": text, "remarks": text}))
    demo_ledger.apply(ops.set_fields(Finding, 1, {"title": "=SUM(A1:A9)"}))
    demo_ledger.apply(ops.set_fields(Measure, 1, {"text": "@SUM(1)"}))
    demo_ledger.apply(ops.set_fields(Item, items[6].id, {"progress": "控制\x01字符\x07已\x0b去\x1f掉\r\n下一行"}))
    demo_ledger.apply(
        ops.set_fields(Inspection, 1, {"title": "=整改台账\x02标题", "inspected_unit": "+临川县\x00教育局"})
    )
    return demo_ledger


def test_formula_like_text_stays_text(unsafe_ledger: Ledger, tmp_path: Path) -> None:
    out = export_workbook(1, tmp_path / "unsafe.xlsx", today=TODAY)
    with zipfile.ZipFile(out) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in z.read(name) and b"<f " not in z.read(name), name
    wb = openpyxl.load_workbook(out)
    ws = wb["台账"]
    cells = {c.value: c for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    for text in FORMULA_LIKE + ["1.=SUM(A1:A9)"]:
        found = [c for v, c in cells.items() if v == text or v.endswith(text)]
        assert found, text
        for c in found:
            assert c.data_type == "s", text
    for text in FORMULA_LIKE:
        c = cells[text]  # the remarks column holds the text exactly as written
        assert c.value == text and c.data_type == "s" and c.quotePrefix, text
    assert cells["1.=SUM(A1:A9)"].quotePrefix is False  # not at the start: nothing to mark
    assert cells["=整改台账标题"].data_type == "s"
    assert cells["填报单位：+临川县教育局"]
    assert wb.properties.title == "=整改台账标题"
    # Measures are prefixed 一是: no formula either way.
    assert any(v.startswith("一是@SUM(1)") for v in cells)
    # In the other sheets too (statistics by category and department, register titles).
    stats_texts = [c.value for row in wb["统计"].iter_rows() for c in row if isinstance(c.value, str)]
    assert "=整改台账标题——整改情况统计" in stats_texts


def test_control_characters_are_dropped(unsafe_ledger: Ledger, tmp_path: Path) -> None:
    out = export_workbook(1, tmp_path / "ctl.xlsx", today=TODAY)
    ws = openpyxl.load_workbook(out)["台账"]
    progress = [ws.cell(r, LEDGER_KEYS.index("progress") + 1).value for r in range(4, ws.max_row + 1)]
    assert "控制字符已去掉\n下一行" in progress
    for row in ws.iter_rows():
        for c in row:
            if isinstance(c.value, str):
                assert not any(ord(ch) < 32 and ch != "\n" for ch in c.value), c.coordinate


def test_clean_text_and_widths() -> None:
    assert xlsx_export.clean_text("a\x00b\x08c\td\ne\r\nf\rg\x1f") == "abc\td\ne\nf\ng"
    assert xlsx_export.clean_text(None) == ""
    # Never cut here: a text longer than a cell holds is carried on to the 续 sheet (tests/faults/test_exports.py).
    assert len(xlsx_export.clean_text("字" * 40000)) == 40000
    assert xlsx_export.excel_length("字𠀀") == 3  # Excel counts UTF-16 units
    head, rest = xlsx_export.excel_cut("字" * 32766 + "𠀀字", 32767)
    assert head == "字" * 32766 and rest == "𠀀字"
    assert xlsx_export.text_width("整改abc，。") == 11
    assert xlsx_export.line_count("", 10) == 1
    assert xlsx_export.line_count("一二三四五六", 4) == 3
    assert xlsx_export.line_count("一二\n三四五六七\n", 4) == 1 + 3 + 1
    assert stats.departments_of("基础教育股、办公室") == ["基础教育股", "办公室"]
    assert stats.departments_of(" ") == ["（未明确责任部门）"]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_shows_formula_like_text_as_text(unsafe_ledger: Ledger, tmp_path: Path) -> None:
    out = export_workbook(1, tmp_path / "lo.xlsx", today=TODAY)
    profile = (tmp_path / "lo-profile").as_uri()
    r = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76,1",
        ]
        + ["--outdir", str(tmp_path / "csv"), str(out)],
        capture_output=True,
        timeout=180,
    )
    assert r.returncode == 0, r.stderr
    with (tmp_path / "csv" / "lo.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    texts = {cell for row in rows for cell in row}
    for text in FORMULA_LIKE:
        assert text in texts, text
    remarks = LEDGER_KEYS.index("remarks")
    assert "2" not in {row[remarks] for row in rows[3:] if len(row) > remarks}  # "=1+1" was not computed


# --- failures leave nothing behind -------------------------------------------------------------------


def test_missing_folder(demo_ledger: Ledger, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="文件夹不存在") as e:
        export_workbook(1, tmp_path / "没有" / "台账.xlsx")
    assert isinstance(e.value, LedgerError)
    assert not (tmp_path / "没有").exists()
    with pytest.raises(ExportError, match="文件夹"):
        export_workbook(1, tmp_path)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs a user whom file permissions bind")
def test_folder_not_writable(demo_ledger: Ledger, tmp_path: Path) -> None:
    folder = tmp_path / "只读"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(ExportError, match="没有权限"):
            export_workbook(1, folder / "台账.xlsx")
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o755)


def test_failure_while_writing_leaves_nothing(demo_ledger: Ledger, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    """A save that fails half-way (no permission, full disk) removes its partial file; an older export stays."""
    out = tmp_path / "台账.xlsx"
    export_workbook(1, out)
    before = sha256(out)

    def broken_save(self, filename) -> None:  # noqa: ANN001
        Path(filename).write_bytes(b"PK\x03\x04 half")
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(openpyxl.Workbook, "save", broken_save)
    with pytest.raises(ExportError, match="没有权限"):
        export_workbook(1, out)
    assert sha256(out) == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]

    def full_disk(self, filename) -> None:  # noqa: ANN001
        Path(filename).write_bytes(b"PK")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(openpyxl.Workbook, "save", full_disk)
    with pytest.raises(ExportError, match="磁盘空间不足"):
        export_workbook(1, out)
    assert sha256(out) == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_file_open_in_excel(demo_ledger: Ledger, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    """On Windows, a file open in Excel or WPS cannot be replaced: the clerk is told to close it."""
    out = tmp_path / "台账.xlsx"
    out.write_bytes(b"the clerk's open file")

    def locked(src, dst) -> None:  # noqa: ANN001
        raise PermissionError(13, "The process cannot access the file because it is being used by another process")

    monkeypatch.setattr(xlsx_export.os, "replace", locked)
    with pytest.raises(ExportError, match="Excel 或 WPS"):
        export_workbook(1, out)
    assert out.read_bytes() == b"the clerk's open file"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_closed_ledger_and_unknown_inspection(demo_path: Path, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="没有打开"):
        export_workbook(1, tmp_path / "a.xlsx")
    with Ledger.open(demo_path, readonly=True):
        with pytest.raises(ExportError, match="没有编号为 99 的巡察"):
            export_workbook(99, tmp_path / "a.xlsx")
        assert not (tmp_path / "a.xlsx").exists()
        export_workbook(1, tmp_path / "a.xlsx")  # a read-only ledger exports
    assert (tmp_path / "a.xlsx").exists()


def test_empty_inspection_and_progress(ledger: Ledger, tmp_path: Path) -> None:
    insp = ledger.apply(ops.add_inspection("空的台账", inspected_unit="某单位"))[0].id
    out = export_workbook(insp, tmp_path / "空.xlsx")
    ws = openpyxl.load_workbook(out)["台账"]
    assert ws.max_row == HEADER_ROWS + 3  # the header, then the signature line, the seal and the date
    assert ws.data_validations.dataValidation == []
    cat = ledger.apply(ops.add_category(insp, "方面"))[0].id
    f = ledger.apply(ops.add_finding(cat, "问题"))[0].id
    with db.atomic():  # quicker than 450 commands; the export only reads
        Item.insert_many(
            [{"finding": f, "number": i + 1, "position": i, "title": f"细化{i}"} for i in range(450)]
        ).execute()
    calls: list[tuple[int, int]] = []
    export_workbook(insp, out, progress=lambda done, total: calls.append((done, total)))
    assert calls[0] == (0, 451) and calls[-1] == (451, 451)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    ws = openpyxl.load_workbook(out)["台账"]
    assert sum(isinstance(c.value, int) for c in ws["A"]) == 450


def test_every_sheet_declares_its_extent(exported: Path, book: openpyxl.Workbook) -> None:
    """Readers that size a sheet first (openpyxl's read-only mode) find each sheet's true extent."""
    lazy = openpyxl.load_workbook(exported, read_only=True)
    for ws in book.worksheets:
        assert (lazy[ws.title].max_row, lazy[ws.title].max_column) == (ws.max_row, ws.max_column), ws.title


def test_workbook_properties(book: openpyxl.Workbook) -> None:
    assert book.properties.creator == "整改台账"
    assert book.properties.title == build_table(1).title


# --- command line -----------------------------------------------------------------------------------


def test_cli_export(demo_path: Path, tmp_path: Path, cli) -> None:  # noqa: ANN001
    out = tmp_path / "导出台账.xlsx"
    r = cli("export", demo_path, out)
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    assert r.stdout.strip() == f"已导出 Excel 台账（29 项细化问题）：{out}"
    assert sum(isinstance(c.value, int) for c in openpyxl.load_workbook(out)["台账"]["A"]) == 29
    r = cli("export", demo_path, out, "--inspection", "1")
    assert r.returncode == 0, r.stderr


def test_cli_export_failures(demo_path: Path, tmp_path: Path, cli) -> None:  # noqa: ANN001
    before = sha256(demo_path)
    out = tmp_path / "导出台账.xlsx"
    for args, message in (
        ((tmp_path / "没有.db", out), "找不到台账文件"),
        ((demo_path, out, "--inspection", "99"), "台账中没有编号为 99 的巡察"),
        ((demo_path, tmp_path / "没有" / "a.xlsx"), "文件夹不存在"),
    ):
        r = cli("export", *args)
        assert r.returncode == 1, r.stdout
        assert message in r.stderr and r.stderr.startswith("错误：")
        assert "Traceback" not in r.stderr
        assert r.stdout == ""
        assert not out.exists()
    assert sha256(demo_path) == before
