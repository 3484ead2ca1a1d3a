"""The three lists as Excel workbooks (问题清单, 任务清单, 责任清单; io.sheet_export), as the office prints them
(issue 13, point 10): a date is never split across lines, an overdue deadline's mark is bold, rows are as tall
as their text. From the file (openpyxl), and one slow test through LibreOffice (pdftotext)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from rectify_desktop.core import lists
from rectify_desktop.core.models import Inspection
from rectify_desktop.io.sheet_export import write_sheet
from rectify_desktop.io.xlsx_cells import natural_width, print_width

TODAY = dt.date(2026, 12, 1)
KINDS = (lists.PROBLEMS, lists.TASKS, lists.RESPONSIBILITY)
DATE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日")
HEADER = 3
SPLIT_HEAD = re.compile(r"\d{4}(年(\d{1,2}(月(\d{1,2})?)?)?)?(\s|$)")
SPLIT_TAIL = re.compile(r"(^|\s{2})(年\d|月\d|\d{1,2}月|\d{1,2}日|日）)")


def export(tmp_path: Path, kind: str) -> Path:
    insp = Inspection.select().order_by(Inspection.position, Inspection.id).first()
    sheet = lists.build_sheet(insp.id, kind, today=TODAY)
    return write_sheet(sheet, tmp_path / f"{lists.DOCUMENTS[kind]}.xlsx", unit="示例单位", today=TODAY)


def body(ws):  # noqa: ANN001, ANN201
    for row in ws.iter_rows(min_row=HEADER + 1):
        for cell in row:
            if isinstance(cell.value, str) and cell.value:
                yield cell


@pytest.mark.parametrize("kind", KINDS)
def test_a_whole_date_fits_its_column(demo_ledger, tmp_path: Path, kind: str) -> None:
    ws = openpyxl.load_workbook(export(tmp_path, kind)).active
    dated = 0
    for cell in body(ws):
        width = ws.column_dimensions[cell.column_letter].width
        for line in cell.value.split("\n"):
            for m in DATE.finditer(line):
                dated += 1
                # the date with the marks that keep to it (（…）) on one line of the column
                start = m.start() - (m.start() > 0 and line[m.start() - 1] == "（")
                end = m.end() + (m.end() < len(line) and line[m.end()] == "）")
                need = natural_width(print_width(line[start:end]), cell.font)
                assert need <= width, (cell.coordinate, line, need, width)
    assert dated > 10


@pytest.mark.parametrize("kind", KINDS)
def test_overdue_mark_bold(demo_ledger, tmp_path: Path, kind: str) -> None:
    ws = openpyxl.load_workbook(export(tmp_path, kind)).active
    marked = [c for c in body(ws) if lists.OVERDUE_MARK in c.value]
    assert marked, "the demo has overdue items on 2026-12-1"
    assert all(c.font.b for c in marked)
    assert not any(c.font.b for c in body(ws) if lists.OVERDUE_MARK not in c.value)


def test_status_and_date_on_one_line_or_the_date_on_its_own(demo_ledger, tmp_path: Path) -> None:
    """完成情况 "已完成（2026年7月19日）": on one line where the column holds it, else the date in its brackets
    on the line under 已完成 — never 已完成（2026 / 年7月19日）."""
    ws = openpyxl.load_workbook(export(tmp_path, lists.TASKS)).active
    col = next(c.column_letter for c in ws[HEADER] if c.value == "完成情况")
    width = ws.column_dimensions[col].width
    for cell in ws[col][HEADER:]:
        for line in str(cell.value or "").split("\n"):
            assert natural_width(print_width(line), cell.font) <= width or not DATE.search(line), line


@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftotext") is None, reason="no LibreOffice")
def test_libreoffice_prints_no_date_split(demo_ledger, tmp_path: Path) -> None:
    for kind in KINDS:
        src = export(tmp_path, kind)
        profile = (tmp_path / "lo-profile").as_uri()
        subprocess.run(
            ["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf"]
            + ["--outdir", str(tmp_path), str(src)],
            capture_output=True,
            timeout=300,
            check=True,
        )
        pdf = src.with_suffix(".pdf")
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
        assert DATE.search(text)
        # no line of a column ends inside a date (2026 / 年7月19日, 2026年7月 / 19日), none begins with its end
        for line in text.splitlines():
            assert not SPLIT_HEAD.search(line), (kind, line)
            assert not SPLIT_TAIL.search(line), (kind, line)
