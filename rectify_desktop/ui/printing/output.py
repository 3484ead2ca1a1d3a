"""Printing (打印): 打印预览, 打印 and 导出PDF in the window, and `rectify-desktop export LEDGER OUT.pdf`.

Each of the window's three commands first asks the clerk's choices (print_dialog.PrintOptionsDialog, remembered
in the settings), builds the sheet (core.lists: the ledger's rows or one of the three lists), lays it out on
the paper (print_layout.SheetLayout) and paints the same pages on the preview, the printer or the PDF file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QBuffer, QIODevice, QMarginsF, QSizeF, Qt
from PySide6.QtGui import QGuiApplication, QPageLayout, QPageSize, QPainter, QPdfWriter

from rectify_desktop.core import lists, settings
from rectify_desktop.core.models import Inspection
from rectify_desktop.core.outfile import OutputError, atomic_output, check_target, write_bytes
from rectify_desktop.core.storage import LedgerError
from rectify_desktop.core.table import build_table, cn_date
from rectify_desktop.ui.printing import fonts as print_fonts
from rectify_desktop.ui.printing.layout import DPI, PageSetup, SheetLayout
from rectify_desktop.ui.printing.options import PrintOptions, load_options, save_options
from rectify_desktop.ui.printing.summary import attach, summary_for

if TYPE_CHECKING:
    from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog

    from rectify_desktop.ui.host import WindowHost

__all__ = ["PrintOptions", "build_layout", "cli_export", "export_pdf", "print_ledger", "print_preview", "write_pdf"]

CREATOR = "整改台账"
# The settings the names under the table come from, as in the Excel ledger (io.xlsx_ledger_sheet.SIGNATURES).
SIGNERS = {"填表人": "reporter", "审核人": "reviewer", "负责人": "principal", "联系电话": "contact_phone"}
# `export … --kind` names a document in English or Chinese.
KIND_NAMES: dict[str, str] = {
    **{k: k for k in lists.DOCUMENTS},
    **{v: k for k, v in lists.DOCUMENTS.items()},
    "台账": lists.LEDGER,
    "整改落实台账": lists.LEDGER,
    "整改任务清单": lists.TASKS,
    "整改责任清单": lists.RESPONSIBILITY,
}


def _sheet(inspection_id: int, options: PrintOptions) -> lists.Sheet:
    """The sheet to print (the ledger's rows carry their items, so that the layout marks the overdue ones)."""
    if options.document != lists.LEDGER:
        return lists.build_sheet(
            inspection_id, options.document, columns=options.columns, items=options.items, value=options.value
        )
    table = build_table(inspection_id, keep=lists.row_filter(options.items, options.value))
    return lists.ledger_sheet(table, options.columns)


def build_layout(
    inspection_id: int,
    options: PrintOptions | None = None,
    *,
    paper_mm: tuple[float, float] | None = None,
    landscape: bool | None = None,
) -> SheetLayout:
    """The pages of the chosen document for one inspection (the ledger open): A4 in the chosen orientation,
    or the paper a printer was set to."""
    options = (options or PrintOptions()).normalised()
    sheet = _sheet(inspection_id, options)
    setup = PageSetup(
        font_size=options.font_size,
        landscape=options.landscape if landscape is None else landscape,
        unit=lists.reporting_unit(inspection_id) if options.unit is None else options.unit,
        date_text=cn_date(options.date or dt.date.today()),
        scope=lists.filter_label(inspection_id, options.items, options.value),
    )
    setup.signers = {label: settings.get(key) for label, key in SIGNERS.items()}
    if options.summary and options.document == lists.LEDGER and options.items == lists.ALL:  # the whole ledger's
        setup.summary = summary_for(inspection_id, dt.date.today())  # as the table's 已逾期 marks: the state now
    if paper_mm:
        setup.paper_mm = paper_mm
    return attach(SheetLayout(sheet, setup))


def _page_layout(layout: SheetLayout) -> QPageLayout:
    orientation = QPageLayout.Orientation.Landscape if layout.setup.landscape else QPageLayout.Orientation.Portrait
    w, h = sorted(layout.setup.paper_mm)
    if abs(w - 210) < 0.5 and abs(h - 297) < 0.5:
        size = QPageSize(QPageSize.PageSizeId.A4)
    else:
        size = QPageSize(QSizeF(w, h), QPageSize.Unit.Millimeter)
    return QPageLayout(size, orientation, QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Millimeter)


class PdfError(OutputError):
    """The PDF could not be made whole; the message is for the clerk."""


def render_pdf(layout: SheetLayout) -> bytes:
    """The pages as a PDF, made in memory.

    QPdfWriter reports no write errors: writing to a file on a full disk, it leaves a truncated PDF and
    says nothing. So Qt writes into a buffer, and the bytes are written to the disk by Python, which raises
    what the disk says; the PDF itself is checked to end as a PDF ends.
    """
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setResolution(DPI)
    writer.setPageLayout(_page_layout(layout))
    writer.setTitle(layout.sheet.title)
    writer.setCreator(CREATOR)
    painter = QPainter()
    if not painter.begin(writer):
        raise PdfError("无法生成PDF（打印组件未能开始绘制）")
    try:
        layout.paint(painter, writer.newPage)
    finally:
        painter.end()
        del writer
    data = bytes(buffer.data().data())
    buffer.close()
    if not is_whole_pdf(data):
        raise PdfError(f"无法生成PDF：生成的文件不完整（{len(data)} 字节，缺少 %%EOF 结尾）")
    return data


def is_whole_pdf(data: bytes) -> bool:
    """A PDF that ends as one does: %%EOF at its end, after a startxref that points at its xref table."""
    tail = data[-1024:].rstrip()
    if not tail.endswith(b"%%EOF"):
        return False
    at = tail.rfind(b"startxref")
    if at < 0:
        return False
    try:
        offset = int(tail[at + len(b"startxref") : -len(b"%%EOF")].strip())
    except ValueError:
        return False
    return 0 < offset < len(data) and data[offset : offset + 4] == b"xref"


def _check_written(expected: int) -> Callable[[Path], None]:
    def check(tmp: Path) -> None:
        with open(tmp, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            fh.seek(max(0, size - 1024))
            tail = fh.read()
        if size != expected or not tail.rstrip().endswith(b"%%EOF"):
            raise PdfError(f"PDF 文件未能完整写入（应为 {expected} 字节，实为 {size} 字节），原有文件未改动")

    return check


def write_layout(layout: SheetLayout, out: Path, *, ledgers: Iterable[str | os.PathLike[str]] = ()) -> int:
    """Paints the pages into a PDF at `out`, whole or not at all (core.outfile), never onto a ledger;
    returns the page count."""
    out = Path(out)
    check_target(out, ledgers)  # before the work, as well as when writing
    data = render_pdf(layout)
    with atomic_output(out, ledgers=ledgers, kind="pdf", validate=_check_written(len(data))) as tmp:
        write_bytes(tmp, data)
    return layout.page_count


def write_pdf(
    inspection_id: int,
    out: Path,
    options: PrintOptions | None = None,
    *,
    ledgers: Iterable[str | os.PathLike[str]] = (),
) -> int:
    """Writes the printout of one inspection to a PDF file; returns its page count. The ledger must be open and
    a QGuiApplication (or QApplication) exist; the offscreen platform will do."""
    out = Path(out)
    check_target(out, ledgers)
    return write_layout(build_layout(inspection_id, options), out, ledgers=ledgers)


# --- the window -------------------------------------------------------------------------------------------------


def _inspection_or_say(window: WindowHost) -> int | None:
    from PySide6.QtWidgets import QMessageBox

    if window.ledger is None or window.ledger.closed:
        QMessageBox.information(window, "打印", "请先打开一个台账。")
        return None
    insp = window.current_inspection_id()
    if insp is None:
        QMessageBox.information(window, "打印", "台账中还没有巡察，没有可打印的内容。")
    return insp


def ask_options(window: WindowHost, action: str, inspection_id: int) -> PrintOptions | None:
    """Shows the choices (remembered from the last time); saves and returns them, or None if cancelled."""
    from rectify_desktop.ui.printing.dialog import PrintOptionsDialog

    dlg = PrintOptionsDialog(
        window,
        action,
        load_options(window.settings),
        lists.category_choices(inspection_id),
        lists.department_names(inspection_id),
        lists.reporting_unit(inspection_id),  # the setting 填报单位 when set, else the inspected unit
    )
    if dlg.exec() != PrintOptionsDialog.DialogCode.Accepted:
        return None
    options = dlg.options()
    save_options(window.settings, options)
    return options


def make_printer(title: str, landscape: bool = True) -> QPrinter:
    """A4 in the orientation asked, the whole sheet (the layout keeps its own margins)."""
    from PySide6.QtPrintSupport import QPrinter

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    printer.setPageOrientation(QPageLayout.Orientation.Landscape if landscape else QPageLayout.Orientation.Portrait)
    printer.setFullPage(True)
    printer.setDocName(title)
    printer.setCreator(CREATOR)
    return printer


def _printer(options: PrintOptions, title: str) -> QPrinter:
    return make_printer(title, options.landscape)


class PaperPainter:
    """Lays a sheet out for the paper a printer is set to (the clerk may change it in the print dialogs), once per
    paper, and paints the pages on it. `build(paper_mm, landscape)` makes the layout: the ledger's, a list's or
    the 修改记录's, so that preview, paper and PDF are the same pages whatever is printed."""

    def __init__(self, build: Callable[[tuple[float, float], bool], SheetLayout]) -> None:
        self._build = build
        self._layouts: dict[tuple[float, float], SheetLayout] = {}
        self.last: SheetLayout | None = None

    def layout_for(self, printer: QPrinter) -> SheetLayout:
        rect = printer.pageLayout().fullRect(QPageLayout.Unit.Millimeter)
        key = (round(rect.width(), 1), round(rect.height(), 1))
        if key not in self._layouts:
            from PySide6.QtWidgets import QApplication

            QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
            try:
                self._layouts[key] = self._build(key, key[0] > key[1])
            finally:
                QApplication.restoreOverrideCursor()
        self.last = self._layouts[key]
        return self.last

    def paint(self, printer: QPrinter) -> int:
        """Paints the pages (the range chosen in the print dialog, if any); returns how many were painted."""
        layout = self.layout_for(printer)
        printer.setFullPage(True)
        painter = QPainter()
        if not painter.begin(printer):
            return 0
        try:
            scale = printer.resolution() / DPI
            painter.scale(scale, scale)
            first = printer.fromPage() or 1
            last = min(printer.toPage() or layout.page_count, layout.page_count)
            layout.paint(painter, printer.newPage, first, last)
        finally:
            painter.end()
        return max(0, last - first + 1)


def _ledger_painter(inspection_id: int, options: PrintOptions) -> PaperPainter:
    return PaperPainter(
        lambda paper_mm, landscape: build_layout(inspection_id, options, paper_mm=paper_mm, landscape=landscape)
    )


def _title(inspection_id: int, options: PrintOptions) -> str:
    from rectify_desktop.core.table import ledger_title

    return lists.document_title(ledger_title(Inspection.get_by_id(inspection_id)), options.document)


def print_preview(window: WindowHost) -> QPrintPreviewDialog | None:
    """打印预览: the choices, then Qt's preview of exactly the pages the printer and the PDF get. Returns the
    dialog once closed (for tests), or None when there was nothing to preview or the clerk cancelled."""
    from PySide6.QtPrintSupport import QPrintPreviewDialog

    inspection_id = _inspection_or_say(window)
    if inspection_id is None:
        return None
    options = ask_options(window, "打印预览", inspection_id)
    if options is None:
        return None
    title = _title(inspection_id, options)
    printer = _printer(options, title)
    painter = _ledger_painter(inspection_id, options)
    dlg = QPrintPreviewDialog(printer, window)
    dlg.setWindowTitle(f"打印预览 — {title}")
    dlg.paintRequested.connect(painter.paint)
    screen = window.screen().availableGeometry() if window.screen() else None
    if screen is not None:
        dlg.resize(int(screen.width() * 0.8), int(screen.height() * 0.85))
    dlg.exec()
    return dlg


def print_ledger(window: WindowHost) -> None:
    """打印: the choices, then the system's print dialog, then the pages on paper."""
    from PySide6.QtPrintSupport import QPrintDialog

    inspection_id = _inspection_or_say(window)
    if inspection_id is None:
        return
    options = ask_options(window, "打印", inspection_id)
    if options is None:
        return
    title = _title(inspection_id, options)
    printer = _printer(options, title)
    painter = _ledger_painter(inspection_id, options)
    dlg = QPrintDialog(printer, window)
    dlg.setWindowTitle(f"打印 — {title}")
    dlg.setMinMax(1, painter.layout_for(printer).page_count)  # so that a range of pages can be chosen
    if dlg.exec() != QPrintDialog.DialogCode.Accepted:
        return
    painter.paint(printer)
    pages = painter.last.page_count if painter.last else 0
    window.statusBar().showMessage(f"已发送到打印机：{title}（共 {pages} 页）", 8000)


def _save_path(window: WindowHost, title: str) -> Path | None:
    from PySide6.QtWidgets import QFileDialog

    folder = window.ledger.folder if window.ledger else Path.home()
    default = folder / f"{title}-{dt.date.today():%Y%m%d}.pdf"
    path, _ = QFileDialog.getSaveFileName(window, "导出PDF", str(default), "PDF 文件 (*.pdf)")
    if not path:
        return None
    p = Path(path)
    return p if p.suffix.lower() == ".pdf" else p.with_name(p.name + ".pdf")


def export_pdf(window: WindowHost) -> Path | None:
    """导出PDF: the choices, a file name, then the same pages as on paper in a PDF file."""
    from PySide6.QtWidgets import QApplication, QMessageBox

    inspection_id = _inspection_or_say(window)
    if inspection_id is None:
        return None
    options = ask_options(window, "导出PDF", inspection_id)
    if options is None:
        return None
    title = _title(inspection_id, options)
    path = _save_path(window, title)
    if path is None:
        return None
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        pages = write_pdf(inspection_id, path, options)
    except LedgerError as exc:  # OutputError: 磁盘空间不足, 只读, the ledger itself, … in Chinese
        QApplication.restoreOverrideCursor()
        QMessageBox.warning(window, "导出PDF", str(exc))
        return None
    except OSError as exc:
        QApplication.restoreOverrideCursor()
        QMessageBox.warning(window, "导出PDF", f"无法保存PDF文件：{path}（{exc.strerror or exc}）")
        return None
    QApplication.restoreOverrideCursor()
    window.statusBar().showMessage(f"已导出PDF：{path}（共 {pages} 页）", 8000)
    from rectify_desktop.ui.done_box import show_done

    show_done(window, path, f"已导出PDF（共 {pages} 页）", title="导出PDF")
    return path


# --- the command line ------------------------------------------------------------------------------------------


def _gui_app() -> QGuiApplication:
    """The Qt application the PDF writer needs; offscreen when there is no display (a server, a cron job)."""
    app = QGuiApplication.instance()
    if app is None:
        if (
            os.name == "posix"
            and sys.platform != "darwin"
            and not os.environ.get("DISPLAY")
            and not os.environ.get("WAYLAND_DISPLAY")
            and not os.environ.get("QT_QPA_PLATFORM")
        ):
            os.environ["QT_QPA_PLATFORM"] = "offscreen"
        app = QGuiApplication([sys.argv[0] if sys.argv else "rectify-desktop"])
    return app  # type: ignore[return-value]


def _fail(message: str) -> int:
    print(f"错误：{message}", file=sys.stderr)
    return 1


def cli_export(ledger_path: Path, out: Path, args: argparse.Namespace) -> int:
    """`rectify-desktop export LEDGER OUT.pdf [--inspection ID] [--kind 问题清单] [--no-summary]`: the printout
    as a PDF (the 整改台账 with its 整改情况汇总 page unless --no-summary)."""
    from rectify_desktop.core.ledger import Ledger

    kind_arg = getattr(args, "kind", None)
    kind = KIND_NAMES.get(kind_arg or lists.LEDGER)
    if kind is None:
        return _fail(f"不认识的文档类型：{kind_arg}（可选：{'、'.join(lists.DOCUMENTS.values())}）")
    from rectify_desktop.core import server

    if not server.is_server(ledger_path) and not Path(ledger_path).exists():
        return _fail(f"找不到台账文件：{ledger_path}")
    if not Path(out).parent.is_dir():
        return _fail(f"文件夹不存在：{Path(out).parent}")
    _app = _gui_app()  # kept alive while the PDF is written
    print_fonts.register_bundled_font()
    try:
        with Ledger.open(ledger_path, readonly=True) as ledger:
            inspection_id = ledger.pick_inspection(getattr(args, "inspection", None))
            options = PrintOptions(document=kind, summary=not getattr(args, "no_summary", False))
            layout = build_layout(inspection_id, options)
            pages = write_layout(layout, Path(out), ledgers=[ledger_path])
    except LedgerError as exc:
        return _fail(str(exc))
    except OSError as exc:
        return _fail(f"无法写入PDF文件：{out}（{exc.strerror or exc}）")
    print(f"已导出PDF：{out}（{layout.sheet.title}，共 {pages} 页）")
    return 0
