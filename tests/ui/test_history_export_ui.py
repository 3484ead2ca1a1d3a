"""修改记录 exported to Excel and printed from the real main window's 修改记录 page (issue 12, point 14b), with
the filter the page shows; the file read back with openpyxl, the printout read back with pypdf."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox

from rectify_desktop.core import ops
from rectify_desktop.core.models import Item
from rectify_desktop.io.history_export import HEADERS
from rectify_desktop.ui import history_export
from rectify_desktop.ui.done_box import DoneBox
from rectify_desktop.ui.history import LEDGER_COLUMNS, _one_line
from tests.faults.conftest import read_only_view

HEAD = 4


@pytest.fixture
def window(window, errors):
    """The shared window (tests/conftest.py) on a fresh demo ledger, six items edited through the window's door."""
    window.open_demo()
    # items not written off: a written-off item is locked (point 1)
    free = [it for it in Item.select().order_by(Item.id) if ops.writeoff_state(it.id) != "已销号"][:6]
    for i, it in enumerate(free):
        window.bridge.push(ops.set_fields(Item, it.id, {"leader": f"领导{i}"}))
        window.bridge.push(ops.set_fields(Item, it.id, {"progress": f"第{i}项进展：已召开专题会议\n下一步：完善制度"}))
    assert errors == []
    return window


@pytest.fixture
def page(window, qtbot):
    p = window.show_page("history")
    qtbot.waitUntil(p.isVisible)
    return p


@pytest.fixture
def done(monkeypatch):
    """The done boxes shown, instead of showing them."""
    boxes: list[DoneBox] = []

    def exec_(box):
        boxes.append(box)
        return 0

    monkeypatch.setattr(DoneBox, "exec", exec_)
    return boxes


@pytest.fixture
def errors(monkeypatch):
    seen: list[str] = []

    def box(_parent, _title, text, *a, **k):
        seen.append(text)
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "critical", box)
    monkeypatch.setattr(QMessageBox, "warning", box)
    monkeypatch.setattr(QMessageBox, "information", box)
    return seen


def save_as(monkeypatch, path: Path) -> list[str]:
    asked: list[str] = []

    def ask(_parent, _caption, start, _filter, *a, **k):
        asked.append(start)
        return str(path), _filter

    monkeypatch.setattr(QFileDialog, "getSaveFileName", ask)
    return asked


def shown(page) -> list[list[str]]:
    m = page.model
    return [[m.index(r, c).data() for c in range(m.columnCount())] for r in range(m.rowCount())]


def filter_page(page, text: str) -> None:
    page.search.setText(text)
    page.reload()


def test_export_writes_what_the_filtered_page_shows(window, page, monkeypatch, done, errors, tmp_path):
    filter_page(page, "责任领导")
    on_screen = shown(page)
    assert len(on_screen) == 6
    out = tmp_path / "记录"  # no suffix: .xlsx is added
    asked = save_as(monkeypatch, out)
    written = history_export.export_history(window, page)
    assert errors == []
    assert written == out.with_name("记录.xlsx") and written.exists()
    assert asked and asked[0].endswith(".xlsx") and "示例台账修改记录" in asked[0]
    ws = load_workbook(written)["修改记录"]
    assert (
        tuple(c.value for c in ws[HEAD])
        == HEADERS
        == tuple(page.model.headerData(c, Qt.Orientation.Horizontal) for c in range(len(LEDGER_COLUMNS)))
    )
    rows = [["" if v is None else v for v in r] for r in ws.iter_rows(min_row=HEAD + 1, values_only=True)]
    assert rows == on_screen  # the same rows, the same order, the same texts
    assert "含“责任领导”" in ws["A3"].value
    assert [b.what_label.text() for b in done] == ["已导出修改记录（6 条）。"]
    assert "范围：含“责任领导”" in done[0].notes_label.text()
    assert "已导出修改记录" in window.statusBar().currentMessage()


def test_values_whole_in_the_file_and_cut_to_one_line_on_the_page(window, page, monkeypatch, done, tmp_path):
    filter_page(page, "整改进展")
    out = tmp_path / "进展.xlsx"
    save_as(monkeypatch, out)
    history_export.export_history(window, page)
    ws = load_workbook(out)["修改记录"]
    values = [r[6] for r in ws.iter_rows(min_row=HEAD + 1, values_only=True)]
    assert values[0] == "第5项进展：已召开专题会议\n下一步：完善制度"
    assert [_one_line(v) for v in values] == [r[6] for r in shown(page)]


def test_a_date_range_is_applied_too(window, page, monkeypatch, done, tmp_path):
    today = dt.date.today()
    page.since.set_value(today + dt.timedelta(days=1))  # nothing from tomorrow on
    page.reload()
    out = tmp_path / "空.xlsx"
    save_as(monkeypatch, out)
    history_export.export_history(window, page)
    ws = load_workbook(out)["修改记录"]
    assert ws.max_row == HEAD
    assert "起" in ws["A3"].value and "共 0 条" in ws["A3"].value
    page.quick_range("today")
    history_export.export_history(window, page)
    assert load_workbook(out)["修改记录"].max_row - HEAD == page.model.rowCount() >= 12


def test_cancelled_file_dialog_writes_nothing(window, page, monkeypatch, done, tmp_path):
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: ("", ""))
    assert history_export.export_history(window, page) is None
    assert done == [] and list(tmp_path.glob("*.xlsx")) == []


def test_onto_the_ledger_is_refused_in_chinese(window, page, monkeypatch, done, errors):
    save_as(monkeypatch, Path(window.ledger.path).with_suffix(".xlsx"))
    Path(window.ledger.path).with_suffix(".xlsx").write_bytes(Path(window.ledger.path).read_bytes()[:4096])
    # a file that is itself a ledger: never overwritten
    assert history_export.export_history(window, page) is None
    assert errors and "整改台账" in errors[0]
    assert done == []


def test_read_only_folder_says_so_and_keeps_the_old_file(window, page, monkeypatch, done, errors, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "修改记录.xlsx").write_bytes(b"old file")
    with read_only_view(src, tmp_path / "ro") as ro:
        save_as(monkeypatch, ro / "修改记录.xlsx")
        assert history_export.export_history(window, page) is None
        assert len(errors) == 1 and ("只读" in errors[0] or "权限" in errors[0])
        assert "原有文件未改动" in errors[0]
        assert (ro / "修改记录.xlsx").read_bytes() == b"old file"
    assert done == []


def test_printing_to_a_pdf_printer_gives_the_pages(window, page, tmp_path):
    from PySide6.QtPrintSupport import QPrinter

    filter_page(page, "责任领导")
    printer = history_export.make_printer("修改记录")
    out = tmp_path / "打印.pdf"
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(out))
    painter = history_export.HistoryPainter(window, page)
    painted = painter.paint(printer)
    assert painted == painter.last.page_count >= 1
    pdf = PdfReader(str(out))
    assert len(pdf.pages) == painted
    box = pdf.pages[0].mediabox
    assert float(box.width) > float(box.height)  # landscape
    text = pdf.pages[0].extract_text()
    assert "示例台账修改记录" in text and "领导5" in text and "责任领导" in text
    assert "整改进展" not in text  # the filter applied: the other edits are not printed
    assert [r.cells["new"] for r in painter.last.sheet.rows] == [f"领导{i}" for i in reversed(range(6))]


def test_a_long_log_prints_on_several_pages_with_the_header_on_each(window, page, tmp_path):
    from PySide6.QtPrintSupport import QPrinter

    item = Item.select().order_by(Item.id).first()
    for i in range(120):
        window.bridge.push(ops.set_fields(Item, item.id, {"remarks": f"备注第{i}次"}))
    filter_page(page, "")
    printer = history_export.make_printer("修改记录")
    out = tmp_path / "长.pdf"
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(out))
    pages = history_export.HistoryPainter(window, page).paint(printer)
    assert pages > 2
    texts = ["".join(p.extract_text().split()) for p in PdfReader(str(out)).pages]
    assert all("原值" in t and "新值" in t for t in texts)  # the header row on every page
    assert f"第{pages}页共{pages}页" in texts[-1]


def test_print_history_opens_the_preview_of_those_pages(window, page, monkeypatch):
    from PySide6.QtPrintSupport import QPrintPreviewDialog, QPrintPreviewWidget

    filter_page(page, "责任领导")
    counts: list[int] = []

    def exec_(self):
        preview = self.findChild(QPrintPreviewWidget)
        preview.updatePreview()
        counts.append(preview.pageCount())
        return 0

    monkeypatch.setattr(QPrintPreviewDialog, "exec", exec_)
    dlg = history_export.print_history(window, page)
    assert dlg is not None and "修改记录" in dlg.windowTitle()
    assert counts == [history_export.history_layout(window, page).page_count] and counts[0] >= 1


def test_no_ledger_is_said(qtbot, errors):
    class NoLedger:
        ledger = None

    assert history_export.export_history(NoLedger(), object()) is None
    assert history_export.print_history(NoLedger(), object()) is None
    assert errors == ["请先打开一个台账。", "请先打开一个台账。"]


def test_the_pages_buttons_export_and_print(window, page, monkeypatch, done, tmp_path):
    """导出Excel… and 打印… on the 修改记录 page (added in ui/history.py) call the functions above."""
    from PySide6.QtPrintSupport import QPrintPreviewDialog
    from PySide6.QtWidgets import QPushButton

    export = page.findChild(QPushButton, "history.export")
    printing = page.findChild(QPushButton, "history.print")
    assert export is not None and printing is not None
    assert (export.text(), printing.text()) == ("导出Excel…", "打印…")
    filter_page(page, "责任领导")
    out = tmp_path / "按钮.xlsx"
    save_as(monkeypatch, out)
    export.click()
    assert load_workbook(out)["修改记录"].max_row - HEAD == 6
    assert len(done) == 1
    previews: list[str] = []
    monkeypatch.setattr(QPrintPreviewDialog, "exec", lambda d: previews.append(d.windowTitle()) or 0)
    printing.click()
    assert previews and "修改记录" in previews[0]
