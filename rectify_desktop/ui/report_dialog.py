"""生成进展报告: the dialog of 文件 → 生成进展报告 — the 截至 date, Word or Excel, a preview of what the report will
say as of that date (its headline and its 较上期 sentence), the reports made before — then the file, written by
io.report.make_report, and the report remembered in the ledger as one undoable step (previous.remember_command pushed
on the window's undo stack), so that the next report has its 上期 and 撤销 forgets it again.

The preview is worked out on the UI thread, a moment (PREVIEW_DELAY_MS) after the date stops changing: the
ledger's SQLite connection belongs to the thread that opened it, and figures_as_of takes well under a second
even on a ledger with 100,000 change-log rows (tests/perf/bench_asof.py), so a wait cursor for that moment is
simpler and safer than a second connection in a worker thread.

A date before the inspection came into the ledger, or after today, is refused in the dialog with the reason
(asof.AsOfError), and 生成 stays disabled. A ledger opened read-only: the report can be written, but it is not
remembered (the dialog says so before, and the done box after).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QButtonGroup,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from rectify_desktop.core import asof, previous
from rectify_desktop.core.asof import ar_date
from rectify_desktop.core.models import Inspection, ProgressReport
from rectify_desktop.core.storage import LedgerError
from rectify_desktop.ui.theme import HINT_COLOR, OVERDUE_COLOR

TITLE = "生成进展报告"
LAST_DIR_KEY = "progress_report/last_dir"
FORMAT_KEY = "progress_report/format"
PREVIEW_DELAY_MS = 250
FILTERS = {".docx": "Word 文档 (*.docx)", ".xlsx": "Excel 工作簿 (*.xlsx)"}
_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\r\n\t]')


def default_name(day: dt.date, suffix: str) -> str:
    """整改进展报告（截至2026年12月1日）.docx"""
    return f"整改进展报告（截至{ar_date(day)}）{suffix}"


def _qdate(d: dt.date) -> QDate:
    return QDate(d.year, d.month, d.day)


class ProgressReportDialog(QDialog):
    """Asks for the 截至 date and the format, and shows what the report will say before it is written."""

    def __init__(self, window: Any, inspection_id: int, today: dt.date, parent: QWidget | None = None) -> None:
        super().__init__(parent or window)
        self.window_ = window
        self.inspection_id = inspection_id
        self.today = today
        self.current: asof.AsOf | None = None
        self.error = ""
        self.setWindowTitle(TITLE)
        self.setMinimumWidth(620)
        insp = Inspection.get_by_id(inspection_id)
        lay = QVBoxLayout(self)

        from rectify_desktop.core.table import ledger_title

        head = QLabel(ledger_title(insp))
        head.setWordWrap(True)
        f = head.font()
        f.setBold(True)
        head.setFont(f)
        lay.addWidget(head)

        form = QFormLayout()
        self.date_edit = QDateEdit(_qdate(today))
        self.date_edit.setObjectName("report.as_of")
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy年M月d日")
        # No maximum or minimum: a date out of range would be bent silently; here it is refused with the reason.
        self.date_edit.setDateRange(QDate(1990, 1, 1), QDate(2099, 12, 31))
        today_button = QPushButton("今天")
        today_button.clicked.connect(lambda: self.date_edit.setDate(_qdate(self.today)))
        row = QHBoxLayout()
        row.addWidget(self.date_edit)
        row.addWidget(today_button)
        row.addStretch(1)
        form.addRow("截至日期：", row)

        self.word = QRadioButton("Word 文档（.docx）")
        self.excel = QRadioButton("Excel 工作簿（.xlsx）")
        self._formats = QButtonGroup(self)
        self._formats.addButton(self.word)
        self._formats.addButton(self.excel)
        last = window.settings.value(FORMAT_KEY, ".docx", str) if window.settings is not None else ".docx"
        (self.excel if last == ".xlsx" else self.word).setChecked(True)
        fmt = QHBoxLayout()
        fmt.addWidget(self.word)
        fmt.addWidget(self.excel)
        fmt.addStretch(1)
        form.addRow("格式：", fmt)
        lay.addLayout(form)

        lay.addWidget(self._caption("报告将写明"))
        self.headline_label = QLabel()
        self.headline_label.setObjectName("report.headline")
        self.comparison_label = QLabel()
        self.comparison_label.setObjectName("report.comparison")
        self.notes_label = QLabel()
        for label in (self.headline_label, self.comparison_label, self.notes_label):
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            lay.addWidget(label)
        self.headline_label.setStyleSheet("background: #f8f9fa; border-left: 4px solid #c0392b; padding: 8px;")
        self.comparison_label.setStyleSheet("padding: 0 8px;")
        self.notes_label.setStyleSheet(f"color: {HINT_COLOR}; padding: 0 8px;")
        self.error_label = QLabel()
        self.error_label.setObjectName("report.error")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(f"color: {OVERDUE_COLOR}; font-weight: bold; padding: 0 8px;")
        self.error_label.setVisible(False)
        lay.addWidget(self.error_label)

        lay.addWidget(self._caption("已生成的进展报告"))
        self.previous = QTableWidget(0, 3)
        self.previous.setObjectName("report.previous")
        self.previous.setHorizontalHeaderLabels(["截至日期", "文件", "生成时间"])
        self.previous.verticalHeader().setVisible(False)
        self.previous.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.previous.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        header = self.previous.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.previous.setMaximumHeight(self.previous.horizontalHeader().sizeHint().height() + 4 * 26 + 4)
        self._fill_previous()
        lay.addWidget(self.previous)

        self.readonly_label = QLabel("台账以只读方式打开：报告可以生成，但不会记入台账，下次报告的“较上期”不以它为准。")
        self.readonly_label.setWordWrap(True)
        self.readonly_label.setStyleSheet("color: #b45309;")
        self.readonly_label.setVisible(bool(window.ledger is not None and window.ledger.readonly))
        lay.addWidget(self.readonly_label)

        buttons = QDialogButtonBox()
        self.ok_button: QPushButton = buttons.addButton("生成…", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.try_accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(PREVIEW_DELAY_MS)
        self._timer.timeout.connect(self.update_preview)
        self.date_edit.dateChanged.connect(self._date_changed)
        self.update_preview()

    @staticmethod
    def _caption(text: str) -> QLabel:
        label = QLabel(text)
        f = label.font()
        f.setBold(True)
        label.setFont(f)
        label.setStyleSheet("margin-top: 8px;")
        return label

    @property
    def day(self) -> dt.date:
        d = self.date_edit.date()
        return dt.date(d.year(), d.month(), d.day())

    @property
    def suffix(self) -> str:
        return ".xlsx" if self.excel.isChecked() else ".docx"

    def _fill_previous(self) -> None:
        reports = list(
            ProgressReport.select()
            .where(ProgressReport.inspection == self.inspection_id)
            .order_by(ProgressReport.as_of.desc(), ProgressReport.made_at.desc(), ProgressReport.id.desc())
        )
        if not reports:
            self.previous.setRowCount(1)
            none = QTableWidgetItem("还没有生成过进展报告：本次为首次报告")
            none.setForeground(Qt.GlobalColor.gray)
            self.previous.setItem(0, 0, none)
            self.previous.setSpan(0, 0, 1, 3)
            return
        self.previous.setRowCount(len(reports))
        for r, rep in enumerate(reports):
            made = f"{rep.made_at:%Y-%m-%d %H:%M}" if rep.made_at else ""
            for c, text in enumerate((ar_date(rep.as_of) if rep.as_of else "", rep.file_name or "", made)):
                self.previous.setItem(r, c, QTableWidgetItem(text))

    def _date_changed(self) -> None:
        self.ok_button.setEnabled(False)  # until the figures of the new date are known
        self._timer.start()

    def update_preview(self) -> None:
        """The headline and 较上期 sentence as of the date chosen, or the reason it cannot be reported."""
        from rectify_desktop.io.notice_text import word_of
        from rectify_desktop.io.report import headline

        self._timer.stop()
        day = self.day
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            current = asof.figures_as_of(self.inspection_id, day, self.today)
            comparison = previous.compare(current, previous.previous_report(self.inspection_id, day))
        except LedgerError as exc:
            self.current, self.error = None, str(exc)
        else:
            self.current, self.error = current, ""
            self.headline_label.setText(headline(current, word_of(Inspection.get_by_id(self.inspection_id))))
            self.comparison_label.setText(comparison.sentence())
            n = len(current.unknown)
            self.notes_label.setText(f"另有{n}处情况无法从修改记录得知，报告中会逐条说明。" if n else "")
        finally:
            QApplication.restoreOverrideCursor()
        bad = bool(self.error)
        self.error_label.setText(self.error)  # the reason names the date (asof.AsOfError)
        self.error_label.setVisible(bad)
        for label in (self.headline_label, self.comparison_label):
            label.setVisible(not bad)
        self.notes_label.setVisible(not bad and bool(self.notes_label.text()))
        self.ok_button.setEnabled(not bad)

    def try_accept(self) -> None:
        if self._timer.isActive() or self.current is None or self.current.day != self.day:
            self.update_preview()  # 生成 pressed before the preview caught up with the date typed
        if self.error:
            return
        if self.window_.settings is not None:
            self.window_.settings.setValue(FORMAT_KEY, self.suffix)
        self.accept()


def _save_path(window: Any, day: dt.date, suffix: str) -> Path | None:
    last = window.settings.value(LAST_DIR_KEY, "", str) if window.settings is not None else ""
    folder = Path(last) if last and Path(last).is_dir() else window.ledger.folder
    default = folder / _UNSAFE_NAME.sub("_", default_name(day, suffix))
    chosen, _ = QFileDialog.getSaveFileName(window, "保存进展报告", str(default), FILTERS[suffix])
    if not chosen:
        return None
    out = Path(chosen)
    if out.suffix.lower() != suffix:
        out = out.with_name(out.name + suffix)
    if window.settings is not None:
        window.settings.setValue(LAST_DIR_KEY, str(out.parent))
    return out


def make_progress_report(window: Any) -> Path | None:
    """文件 → 生成进展报告: the dialog, the file, and the report remembered (one undo step); returns the file."""
    from rectify_desktop.io.report import make_report

    if window.ledger is None or window.ledger.closed:
        QMessageBox.information(window, TITLE, "请先打开一个台账。")
        return None
    inspection_id = window.current_inspection_id()
    if inspection_id is None:
        QMessageBox.information(window, TITLE, "台账中还没有巡察，无法生成进展报告。")
        return None
    if getattr(window, "panel", None) is not None:
        window.panel.commit_pending()  # a field being typed counts in today's figures
    today = dt.date.today()
    dlg = ProgressReportDialog(window, inspection_id, today)
    try:
        if dlg.exec() != QDialog.DialogCode.Accepted:
            return None
        day, suffix = dlg.day, dlg.suffix
    finally:
        dlg.deleteLater()
    out = _save_path(window, day, suffix)
    if out is None:
        return None
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        result = make_report(window.ledger, inspection_id, day, out, today=today, remember=False)
    except LedgerError as exc:  # AsOfError, ReportError, OutputError (磁盘已满, 只读文件夹, …): in Chinese
        QApplication.restoreOverrideCursor()
        QMessageBox.warning(window, TITLE, f"进展报告没有生成：{exc}")
        return None
    except OSError as exc:
        QApplication.restoreOverrideCursor()
        QMessageBox.warning(window, TITLE, f"无法保存进展报告：{out}（{exc.strerror or exc}）")
        return None
    except Exception as exc:  # noqa: BLE001 - a report that fails must not take the window down
        QApplication.restoreOverrideCursor()
        QMessageBox.critical(window, TITLE, f"生成进展报告时出错，报告没有生成：{type(exc).__name__}: {exc}")
        return None
    QApplication.restoreOverrideCursor()
    if window.ledger.readonly or getattr(window, "bridge", None) is None:
        extra = "台账以只读方式打开，本报告未记入台账，下次报告的“较上期”不以它为准。"
    elif window.bridge.push(previous.remember_command(result.current, out.name)):
        extra = "本报告已记入台账，作为下次报告的“上期”（可撤销：Ctrl+Z）。"
    else:  # the bridge has said why
        extra = "本报告未能记入台账，下次报告的“较上期”不以它为准。"
    what = f"已生成进展报告（截至{ar_date(day)}）"
    window.statusBar().showMessage(f"{what}：{out}", 10000)
    from rectify_desktop.ui.done_box import show_done

    show_done(window, out, what, title=TITLE, notes=result.notes, extra=extra)
    return out
