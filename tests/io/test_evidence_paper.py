"""目录.xlsx on paper (issue 13, point 18): A4 landscape, ten readable columns, the header on every page, the
proofs of integrity (sizes, SHA-256) in the sheet but outside the print area; one date style, measures whole."""

from __future__ import annotations

import collections
import datetime as dt
import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from rectify_desktop.core import evidence
from rectify_desktop.core.ledger import Ledger
from rectify_desktop.core.models import Evidence, Measure
from rectify_desktop.io import evidence_index
from rectify_desktop.io.evidence_zip import INDEX_HEADER_ROW, export_zip, index_workbook, plan, read_index

PRINTED = ["序号", "细化问题编号", "细化问题", "对应措施", "材料名称", "类型", "日期", "文号", "文件", "备注"]
KEPT_OFF_PAPER = ["方面", "问题", "大小（字节）", "包内位置", "SHA-256"]


def index_sheet(zip_path: Path):  # noqa: ANN201
    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(zipfile.ZipFile(zip_path).read("目录.xlsx"))).active


@pytest.fixture
def demo_zip(demo_ledger: Ledger, tmp_path: Path) -> Path:
    return export_zip(demo_ledger.inspections()[0].id, tmp_path / "佐证材料包.zip")


@pytest.fixture
def many_materials(demo_ledger: Ledger, tmp_path: Path) -> int:
    """The demo with 60 materials more, some tied to a measure: an index of several pages."""
    from rectify_desktop.core.commands import item_written_off
    from rectify_desktop.core.models import Item

    items = [i for i in Item.select().order_by(Item.id) if not item_written_off(i.id)]
    for k in range(60):
        it = items[k % len(items)]
        src = tmp_path / f"材料{k}.pdf"
        src.write_bytes(f"%PDF {k}".encode())
        ev = demo_ledger.apply(evidence.AddEvidence(it.id, src, name=f"整改工作专题会议纪要（第{k + 1}次）.pdf"))[0].id
        measures = list(Measure.select().where(Measure.item == it.id))
        if measures and k % 2:
            demo_ledger.apply(evidence.assign_measure(ev, measures[0].id))
    return demo_ledger.inspections()[0].id


def test_print_area_holds_the_readable_columns_only(demo_zip: Path) -> None:
    ws = index_sheet(demo_zip)
    headers = [c.value for c in ws[INDEX_HEADER_ROW]]
    assert headers[: len(PRINTED)] == PRINTED and sorted(headers[len(PRINTED) :]) == sorted(KEPT_OFF_PAPER)
    last = ws.max_row
    assert ws.print_area.endswith(f"!$A$1:$J${last}"), ws.print_area
    assert ws.print_title_rows == "$3:$3"  # the header on every page
    setup = ws.page_setup
    assert (setup.orientation, int(setup.paperSize)) == ("landscape", 9)  # A4
    assert (setup.fitToWidth, setup.fitToHeight, ws.sheet_properties.pageSetUpPr.fitToPage) == (1, 0, True)
    assert "&P" in ws.oddFooter.center.text
    # The proofs stay in the sheet, filled for every file, outside the print area.
    rows = read_index(zipfile.ZipFile(demo_zip).read("目录.xlsx"))
    with_file = [r for r in rows if r["文件"] == "已附"]
    assert len(with_file) == 7 and len(rows) == 9
    assert all(re.fullmatch(r"[0-9a-f]{64}", r["SHA-256"]) and r["大小（字节）"] > 0 for r in with_file)
    assert {r["包内位置"] for r in rows if r["文件"] == "未附"} == {"未附文件"}


def test_printed_columns_fit_a4_at_full_size_in_10_pt_or_more(demo_zip: Path) -> None:
    from openpyxl.utils import get_column_letter

    ws = index_sheet(demo_zip)
    # Widths in px as Excel draws them (7 px a unit, 5 px more a column): the fit to the width does not
    # scale down what fits already.
    px = sum(round(ws.column_dimensions[get_column_letter(c)].width * 7) + 5 for c in range(1, len(PRINTED) + 1))
    paper_pt = 842 - 72 * (ws.page_margins.left + ws.page_margins.right)
    assert px * 0.75 <= paper_pt, (px * 0.75, paper_pt)
    # The workbook's default font is the unit of those widths: one measured alike in Excel, WPS and LibreOffice.
    assert ws.parent._fonts[0].name == "Arial" and ws.parent._fonts[0].sz == 10
    for row in ws.iter_rows(min_row=INDEX_HEADER_ROW, max_col=len(PRINTED)):
        for cell in row:
            assert cell.font.sz >= 10.5, (cell.coordinate, cell.font.sz)
    assert ws["A1"].font.sz >= 14


def test_one_date_style_and_measures_whole(demo_ledger: Ledger, demo_zip: Path) -> None:
    insp = demo_ledger.inspections()[0].id
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(index_workbook("台账", plan(insp), dt.date(2026, 12, 1)))).active
    assert ws["A2"].value.startswith("导出日期：2026年12月1日　")
    date_col = PRINTED.index("日期") + 1
    for row in range(INDEX_HEADER_ROW + 1, ws.max_row + 1):
        assert ws.cell(row, date_col).number_format == "yyyy.m.d"  # as the ledger workbook's date cells
    rows = read_index(zipfile.ZipFile(demo_zip).read("目录.xlsx"))
    tied = Evidence.select().where(Evidence.measure.is_null(False))
    assert tied.count() >= 2
    for ev in tied:
        measures = list(Measure.select().where(Measure.item == ev.item_id).order_by(Measure.position, Measure.id))
        k = [m.id for m in measures].index(ev.measure_id)
        shown = [r["对应措施"] for r in rows if r["材料名称"] == ev.name]
        assert shown == [f"{'一二三四五六七八九'[k]}是：{Measure.get_by_id(ev.measure_id).text.strip()}"], shown


def test_rows_are_tall_enough_for_their_wrapped_text(many_materials: int) -> None:
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(index_workbook("台账", plan(many_materials)))).active
    for row in range(INDEX_HEADER_ROW + 1, ws.max_row + 1):
        lines = max(
            evidence_index.line_count(str(ws.cell(row, c).value or ""), evidence_index.COLUMNS[c - 1].width)
            for c in range(1, len(PRINTED) + 1)
        )
        assert ws.row_dimensions[row].height >= lines * 10.5 * 1.45, row
    # A 文号 wraps at its bracket, not through its number; Latin runs (a file name) wrap whole.
    assert evidence_index.line_count("临教党组〔2026〕12号", 15) == 2
    assert evidence_index.line_count("一二三四五 abcdefghij", 12) == 2  # the space hangs at the end of line 1
    assert evidence_index.line_count("一二三 abcdefghij", 12) == 2
    assert evidence_index.line_count("一\n\n二", 8) == 3


def pdf_text_sizes(pdf: Path) -> list[collections.Counter]:
    """Per page: characters by the size they print at, in pt (font size × text matrix × CTM)."""
    import pypdf

    pages = []
    for page in pypdf.PdfReader(str(pdf)).pages:
        sizes: collections.Counter = collections.Counter()

        def visit(text, cm, tm, _font, size, sizes=sizes) -> None:  # noqa: ANN001
            if text.strip():
                sizes[round(size * (abs(tm[3]) or abs(tm[0])) * (abs(cm[3]) or abs(cm[0])), 1)] += len(text.strip())

        page.extract_text(visitor_text=visit)
        pages.append(sizes)
    return pages


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_prints_the_index_readably(many_materials: int, tmp_path: Path) -> None:
    import pypdf

    out = export_zip(many_materials, tmp_path / "包.zip")
    xlsx = tmp_path / "index.xlsx"
    xlsx.write_bytes(zipfile.ZipFile(out).read("目录.xlsx"))
    r = subprocess.run(
        ["soffice", f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}", "--headless", "--convert-to", "pdf"]
        + ["--outdir", str(tmp_path), str(xlsx)],
        capture_output=True,
        timeout=180,
    )
    assert r.returncode == 0, r.stderr
    pdf = tmp_path / "index.pdf"
    reader = pypdf.PdfReader(str(pdf))
    assert len(reader.pages) >= 3  # 69 materials: pages, not one page at 4.7 pt
    for n, page in enumerate(reader.pages, 1):
        assert float(page.mediabox.width) > float(page.mediabox.height), n  # landscape
        text = page.extract_text()
        assert "材料名称" in text and "对应措施" in text, n  # the header repeated
        assert not re.search(r"[0-9a-f]{64}", text) and "SHA-256" not in text, n  # the hashes off the paper
    sizes = pdf_text_sizes(pdf)
    body = collections.Counter()
    for page in sizes:
        body.update(page)
    assert min(body) >= 10, body  # every character on paper at 10 pt or more, the page numbers too
