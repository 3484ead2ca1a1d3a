"""修改记录 kept: the change log page's 导出Excel… and 打印… (with the filter the page shows).

The page (ui/history.py HistoryPage) filters the log by dates and words and shows the newest 2,000 rows;
what is exported or printed is every row that filter finds, in the page's columns. The workbook is written
by io.history_export (whole or not at all, never onto a ledger) and ends in the one done box like every
export; the printout is the program's own sheet layout (ui/printing), so the preview, the paper and a PDF
printed from the preview are the same pages, A4 landscape, with the header row on every page.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QWidget

from rectify_desktop.core import lists, settings
from rectify_desktop.core.storage import LedgerError
from rectify_desktop.core.table import cn_date
from rectify_desktop.io.history_export import MAX_ROWS, LogFilter, export_log, log_sheet, read_log
from rectify_desktop.ui.printing.output import PaperPainter, make_printer

if TYPE_CHECKING:
    from PySide6.QtPrintSupport import QPrintPreviewDialog

    from rectify_desktop.ui.printing.layout import SheetLayout

XLSX_FILTER = "Excel 工作簿 (*.xlsx)"
LAST_DIR_KEY = "history/last_dir"
_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\r\n\t]+')
# Paper for a few hundred thousand rows is not what anyone wants: beyond this the clerk is asked to narrow.
PRINT_MAX_ROWS = 20_000


def page_filter(page: Any) -> LogFilter:
    """The filter the page shows: its two dates (不限 = open) and its search words."""
    return LogFilter(page.since.value(), page.until.value(), page.search.text())


def _ledger_open(window: Any) -> bool:
    ledger = getattr(window, "ledger", None)
    return ledger is not None and not ledger.closed


def log_title(window: Any) -> str:
    """ "示例台账修改记录": the log is the whole ledger file's, so the file names it."""
    return f"{window.ledger.name}修改记录"


def reporting_unit(window: Any) -> str:
    """填报单位 as on the other printouts: the setting when set, else the inspected unit of the current inspection."""
    insp = window.current_inspection_id()
    return lists.reporting_unit(insp) if insp is not None else settings.get("unit_name").strip()


def _start_dir(window: Any) -> Path:
    last = window.settings.value(LAST_DIR_KEY, "", str) if window.settings is not None else ""
    if last and Path(last).is_dir():
        return Path(last)
    return window.ledger.folder


def _commit(window: Any) -> None:
    # text being typed in a form is written first, so that its change is in the log exported
    if getattr(window, "panel", None) is not None:
        window.panel.commit_pending()


def _parent(window: Any, page: QWidget | None) -> QWidget:
    return page if page is not None else window


def _page(window: Any, page: Any) -> Any:
    return page if page is not None else window.show_page("history")


def export_history(window: Any, page: Any = None) -> Path | None:
    """导出Excel…: every row the page's filter finds, to a workbook the clerk names; then the done box."""
    if not _ledger_open(window):
        QMessageBox.information(window, "导出修改记录", "请先打开一个台账。")
        return None
    _commit(window)
    page = _page(window, page)
    flt = page_filter(page)
    title = log_title(window)
    name = _UNSAFE_NAME.sub("_", f"{title}-{dt.date.today():%Y%m%d}").strip(" .") or "修改记录"
    chosen, _ = QFileDialog.getSaveFileName(
        _parent(window, page), "导出修改记录", str(_start_dir(window) / f"{name}.xlsx"), XLSX_FILTER
    )
    if not chosen:
        return None
    out = Path(chosen)
    if out.suffix.lower() != ".xlsx":
        out = out.with_name(out.name + ".xlsx")
    notes: list[str] = []
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        n = export_log(out, flt, title=title, unit=reporting_unit(window), ledgers=[window.ledger.path], notes=notes)
    except LedgerError as exc:  # OutputError: 磁盘空间不足, 只读, onto the ledger itself, … in Chinese
        QApplication.restoreOverrideCursor()
        QMessageBox.critical(window, "导出失败", str(exc))
        return None
    except OSError as exc:
        QApplication.restoreOverrideCursor()
        QMessageBox.critical(window, "导出失败", f"无法保存文件：{out}（{exc.strerror or exc}）")
        return None
    QApplication.restoreOverrideCursor()
    if window.settings is not None:
        window.settings.setValue(LAST_DIR_KEY, str(out.parent))
    window.statusBar().showMessage(f"已导出修改记录：{out}（{n} 条）", 8000)
    from rectify_desktop.ui.done_box import show_done

    scope = "" if flt.empty else f"范围：{flt.describe()}"
    show_done(window, out, f"已导出修改记录（{n} 条）", notes=notes, extra=scope)
    return out


def history_layout(
    window: Any, page: Any = None, *, paper_mm: tuple[float, float] | None = None, landscape: bool = True
) -> SheetLayout:
    """The printed pages of the log the page shows: the program's sheet layout, A4 landscape unless a printer
    was set to another paper."""
    from rectify_desktop.ui.printing.layout import PageSetup, SheetLayout

    flt = page_filter(_page(window, page))
    rows = read_log(flt)
    setup = PageSetup(
        font_size=9.0,
        landscape=landscape,
        unit=reporting_unit(window),
        date_text=cn_date(dt.date.today()),
        scope="" if flt.empty else flt.describe(),
    )
    if paper_mm:
        setup.paper_mm = paper_mm
    return SheetLayout(log_sheet(rows, log_title(window)), setup)


class HistoryPainter(PaperPainter):
    """Lays the log out for the paper a printer is set to (once per paper) and paints the pages on it."""

    def __init__(self, window: Any, page: Any = None) -> None:
        super().__init__(
            lambda paper_mm, landscape: history_layout(window, page, paper_mm=paper_mm, landscape=landscape)
        )


def print_history(window: Any, page: Any = None) -> QPrintPreviewDialog | None:
    """打印…: Qt's print preview of the log the page shows, with its 打印 button (a PDF printer too, where the
    system has one). Returns the dialog once closed (for tests), or None when there was nothing to print."""
    from PySide6.QtPrintSupport import QPrintPreviewDialog

    if not _ledger_open(window):
        QMessageBox.information(window, "打印修改记录", "请先打开一个台账。")
        return None
    _commit(window)
    page = _page(window, page)
    flt = page_filter(page)
    if len(read_log(flt, PRINT_MAX_ROWS + 1)) > PRINT_MAX_ROWS:
        QMessageBox.information(
            window,
            "打印修改记录",
            f"符合条件的修改记录超过 {PRINT_MAX_ROWS:,} 条，打印出来太多。请缩小日期范围或输入关键词后再打印，"
            f"或用“导出Excel…”保存全部记录（最多 {MAX_ROWS:,} 条）。",
        )
        return None
    title = log_title(window)
    printer = make_printer(title, landscape=True)
    painter = HistoryPainter(window, page)
    dlg = QPrintPreviewDialog(printer, _parent(window, page))
    dlg.setWindowTitle(f"打印预览 — {title}")
    dlg.paintRequested.connect(painter.paint)
    screen = window.screen().availableGeometry() if window.screen() else None
    if screen is not None:
        dlg.resize(int(screen.width() * 0.8), int(screen.height() * 0.85))
    dlg.exec()
    if painter.last is not None:
        window.statusBar().showMessage(f"修改记录共 {painter.last.page_count} 页", 8000)
    return dlg
