"""Excel in and out from the window (导出Excel / 导入Excel).

Export: a save dialog, then io.xlsx_export with a progress dialog when it takes more than a moment, then a
message with the path and a button that opens the folder. Import: an open dialog, io.xlsx_import, then a
preview (:class:`ImportPreviewDialog`: the tree that would be made beside every warning) before anything is
written; on 导入 the whole inspection goes through the undo bridge as one step (AddInspection).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QProgressDialog,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from rectify_desktop.core import results, rules, storage
from rectify_desktop.core.importing import AddInspection, ImportedInspection, _numbers
from rectify_desktop.core.models import STATUSES, Inspection
from rectify_desktop.ui.theme import HINT_COLOR, STATUS_COLORS

XLSX_FILTER = "Excel 工作簿 (*.xlsx)"
OPEN_FILTER = "Excel 或 WPS 工作簿 (*.xlsx *.xlsm *.xls *.et);;所有文件 (*)"
LAST_DIR_KEY = "excel/last_dir"
PROGRESS_DELAY_MS = 400  # the progress dialog appears only when the export takes longer than this
EXPAND_ALL_MAX_ITEMS = 2000  # larger previews open with categories and findings only
NARROW_WIDTH = 1000  # below this the preview puts the warnings under the tree
_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\r\n\t]+')


# --- helpers ----------------------------------------------------------------------------------------


def _start_dir(window: Any) -> Path:
    """The folder of the last Excel file, else the ledger's folder, else the home folder."""
    last = window.settings.value(LAST_DIR_KEY, "", str) if window.settings is not None else ""
    if last and Path(last).is_dir():
        return Path(last)
    if window.ledger is not None:
        return window.ledger.folder
    return Path.home()


def _remember_dir(window: Any, path: Path) -> None:
    if window.settings is not None:
        window.settings.setValue(LAST_DIR_KEY, str(path.parent))


def default_file_name(title: str) -> str:
    """The ledger's title as a file name: characters Windows refuses replaced, not too long."""
    name = _UNSAFE_NAME.sub("_", title).strip(" .") or "整改台账"
    return name[:120] + ".xlsx"


def _commit(window: Any) -> None:
    if getattr(window, "panel", None) is not None:
        window.panel.commit_pending()


class _BusyCursor:
    def __enter__(self) -> None:
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)

    def __exit__(self, *exc: object) -> None:
        QApplication.restoreOverrideCursor()


# --- export -----------------------------------------------------------------------------------------


class _ExportProgress:
    """A progress dialog that shows itself only when the export takes longer than a moment."""

    def __init__(self, parent: QWidget) -> None:
        d = QProgressDialog("正在导出Excel台账…", "", 0, 0, parent)
        d.setObjectName("excel.export.progress")
        d.setWindowTitle("导出Excel")
        d.setCancelButton(None)  # type: ignore[arg-type] # the file is written whole or not at all: no cancel
        d.setWindowModality(Qt.WindowModality.WindowModal)
        d.setMinimumDuration(PROGRESS_DELAY_MS)
        d.setMinimumWidth(360)
        d.setAutoClose(False)
        d.setAutoReset(False)
        self.dialog = d

    def __call__(self, done: int, total: int) -> None:
        d = self.dialog
        if d.maximum() != total:
            d.setMaximum(max(1, total))
        d.setValue(min(done, max(1, total)))  # a modal progress dialog processes events here

    def close(self) -> None:
        self.dialog.close()
        self.dialog.deleteLater()


def export_excel(window: Any) -> None:
    """导出Excel: the inspection the clerk is in, to a file the clerk chooses."""
    from rectify_desktop.core.table import ledger_title
    from rectify_desktop.io.xlsx_export import export_workbook

    if window.ledger is None or window.ledger.closed:
        QMessageBox.information(window, "导出Excel", "请先打开一个台账。")
        return
    inspection_id = window.current_inspection_id()
    if inspection_id is None:
        QMessageBox.information(window, "导出Excel", "台账中还没有巡察，没有可导出的内容。")
        return
    _commit(window)
    insp = Inspection.get_by_id(inspection_id)
    default = _start_dir(window) / default_file_name(ledger_title(insp))
    chosen, _ = QFileDialog.getSaveFileName(window, "导出Excel台账", str(default), XLSX_FILTER)
    if not chosen:
        return
    out = Path(chosen)
    if out.suffix.lower() != ".xlsx":
        out = out.with_name(out.name + ".xlsx")
    progress = _ExportProgress(window)
    notes: list[str] = []
    try:
        with _BusyCursor():
            export_workbook(inspection_id, out, progress=progress, notes=notes)
    except storage.LedgerError as exc:
        progress.close()
        QMessageBox.critical(window, "导出失败", str(exc))
        return
    except OSError as exc:
        progress.close()
        QMessageBox.critical(window, "导出失败", f"无法保存文件：{out}（{exc.strerror or exc}）")
        return
    except Exception as exc:  # noqa: BLE001 - a failed export must not take the window down
        progress.close()
        QMessageBox.critical(window, "导出失败", f"导出时出错，文件未保存：{out}（{type(exc).__name__}: {exc}）")
        return
    progress.close()
    _remember_dir(window, out)
    items = window.ledger.stats(inspection_id).items
    window.statusBar().showMessage(f"已导出Excel台账：{out}", 8000)
    from rectify_desktop.ui.done_box import show_done

    # texts longer than a cell holds, carried on to the 续 sheet, are told in the same box
    show_done(window, out, f"已导出Excel台账（{items} 项细化问题）", notes=notes)


# --- import -----------------------------------------------------------------------------------------


def _status_brush(status: str) -> QBrush:
    return QBrush(QColor(STATUS_COLORS.get(status, HINT_COLOR)))


class ImportPreviewDialog(QDialog):
    """What an import would add: counts at the top, the tree beside every warning, then 导入 or 取消."""

    COLUMNS = ("标题", "完成情况", "整改时限", "责任部门")

    def __init__(self, parsed: ImportedInspection, source: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from rectify_desktop.io.xlsx_import import source_sheet, summary

        self.parsed = parsed
        self.source = Path(source)
        self.setObjectName("excel.import.preview")
        self.setWindowTitle(f"导入Excel — {self.source.name}")
        self.setSizeGripEnabled(True)
        self._by_row: dict[int, QTreeWidgetItem] = {}
        self._arranged = False

        title = QLabel(f"将导入为一次新的{parsed.kind or '巡察'}：{parsed.title or '（无标题）'}")
        title.setObjectName("title")
        title.setWordWrap(True)
        font = title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        title.setFont(font)
        sheet = source_sheet(parsed)
        self.counts_label = QLabel(
            f"来自 {self.source.name}" + (f"（工作表“{sheet}”）" if sheet else "") + f"：{summary(parsed)}"
        )
        self.counts_label.setObjectName("counts")
        self.counts_label.setWordWrap(True)
        by_status = {s: 0 for s in STATUSES}
        for it in parsed.items():
            by_status[it.status] = by_status.get(it.status, 0) + 1
        status_html = "完成情况：" + "&nbsp;&nbsp;·&nbsp;&nbsp;".join(
            f'<span style="color:{STATUS_COLORS.get(s, HINT_COLOR)}">{s} {n} 项</span>' for s, n in by_status.items()
        )
        self.status_label = QLabel(status_html)
        self.status_label.setObjectName("statuses")
        self.status_label.setTextFormat(Qt.TextFormat.RichText)

        self.tree = QTreeWidget()
        self.tree.setObjectName("tree")
        self.tree.setColumnCount(len(self.COLUMNS))
        self.tree.setHeaderLabels(list(self.COLUMNS))
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self._fill_tree()
        # The title takes what the other columns leave; they are as wide as their usual words.
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        fm = self.tree.fontMetrics()
        for col, sample in ((1, "正在推进"), (2, "2021年12月31日"), (3, "基础教育股")):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            self.tree.setColumnWidth(col, fm.horizontalAdvance(sample) + 28)
        self.tree.setMinimumWidth(fm.horizontalAdvance("标") * 34)
        tree_box = QGroupBox("将新建的方面、问题和细化问题")
        tl = QVBoxLayout(tree_box)
        tl.addWidget(self.tree)

        self.warnings = QListWidget()
        self.warnings.setObjectName("warnings")
        self.warnings.setWordWrap(True)
        self.warnings.setAlternatingRowColors(True)
        self.warnings.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.warnings.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.warnings.setMinimumWidth(fm.horizontalAdvance("标") * 18)
        self.warnings.setMinimumHeight(fm.height() * 5)
        self.warnings.setStyleSheet(
            "QListWidget::item { padding: 5px 4px; border-bottom: 1px solid #e3e3e3; }"
            "QListWidget::item:selected { background: #dbe8fb; color: black; }"
        )
        for w in parsed.warnings:
            QListWidgetItem(w, self.warnings).setToolTip(w)
        self.warnings.currentRowChanged.connect(self._show_warning_row)
        n = len(parsed.warnings)
        warn_box = QGroupBox(f"请核对的提示（{n} 条）" if n else "提示")
        wl = QVBoxLayout(warn_box)
        if n:
            hint = QLabel("程序按以下方式理解了表格中不规范的地方；点一条，即选中它所说的那一行。导入后都可以修改。")
            hint.setWordWrap(True)
            hint.setStyleSheet(f"color: {HINT_COLOR}")
            wl.addWidget(hint)
            wl.addWidget(self.warnings)
        else:
            self.warnings.hide()
            none = QLabel("没有需要核对的地方：表格的每一列都已识别。")
            none.setWordWrap(True)
            none.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
            wl.addWidget(none)
            wl.addStretch(1)

        # What the sheet held that went into no field, row by row: the clerk sees every cell the import left.
        self.skipped = QListWidget()
        self.skipped.setObjectName("skipped")
        self.skipped.setWordWrap(True)
        self.skipped.setAlternatingRowColors(True)
        self.skipped.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.skipped.setMinimumHeight(fm.height() * 4)
        for sk in parsed.skipped:
            row = f"第{sk.line}行　［{sk.reason}］　{sk.text}"
            QListWidgetItem(row, self.skipped).setToolTip(row)
        self.skipped.currentRowChanged.connect(self._show_skipped_row)
        k = len(parsed.skipped)
        self.skipped_box = QGroupBox(f"未导入的内容（{k} 处，点一条即选中附近的行）" if k else "未导入的内容（没有）")
        sl = QVBoxLayout(self.skipped_box)
        sl.addWidget(self.skipped)
        side = QSplitter(Qt.Orientation.Vertical)
        side.addWidget(warn_box)
        side.addWidget(self.skipped_box)
        side.setChildrenCollapsible(False)
        side.setStretchFactor(0, 3)
        side.setStretchFactor(1, 2)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(tree_box)
        splitter.addWidget(side)
        splitter.setChildrenCollapsible(False)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        self.splitter = splitter

        note = QLabel("导入后作为一次新的巡察加入当前台账，台账中原有的内容不会改动；导入后可以撤销（Ctrl+Z）。")
        note.setWordWrap(True)
        note.setStyleSheet(f"color: {HINT_COLOR}")
        buttons = QDialogButtonBox()
        self.import_button = buttons.addButton("导入", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.import_button.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(note, 1)
        bottom.addWidget(buttons)

        lay = QVBoxLayout(self)
        lay.addWidget(title)
        lay.addWidget(self.counts_label)
        lay.addWidget(self.status_label)
        lay.addWidget(splitter, 1)
        lay.addLayout(bottom)
        self._size()

    def _size(self) -> None:
        width, height = 1180, 720
        screen = self.screen().availableGeometry() if self.screen() is not None else None
        if screen is not None:
            width = min(width, int(screen.width() * 0.92))
            height = min(height, int(screen.height() * 0.88))
        self.resize(width, height)
        self._arrange()

    def _arrange(self) -> None:
        """Tree and warnings side by side; on a narrow dialog the warnings go under the tree."""
        wide = self.width() >= NARROW_WIDTH
        orientation = Qt.Orientation.Horizontal if wide else Qt.Orientation.Vertical
        if self.splitter.orientation() == orientation and self._arranged:
            return
        self._arranged = True
        self.splitter.setOrientation(orientation)
        total = self.width() if wide else self.height()
        self.splitter.setSizes([int(total * 0.62), int(total * 0.38)])

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._arrange()

    def _fill_tree(self) -> None:
        p = self.parsed
        bold = QFont(self.tree.font())
        bold.setBold(True)
        finding_numbers = iter(_numbers([f.number for f in p.findings()]))
        self.tree.setUpdatesEnabled(False)
        try:
            for ci, cat in enumerate(p.categories, 1):
                c = QTreeWidgetItem(self.tree, [f"{rules.category_label(ci)}{cat.title}"])
                c.setFont(0, bold)
                c.setFirstColumnSpanned(True)
                self._remember(c, cat.source)
                for f in cat.findings:
                    fi = QTreeWidgetItem(c, [f"{rules.finding_label(next(finding_numbers))}{f.title}"])
                    fi.setFirstColumnSpanned(True)
                    fi.setToolTip(0, f.title)
                    self._remember(fi, f.source)
                    for it, number in zip(f.items, _numbers([i.number for i in f.items]), strict=True):
                        deadline = it.deadline or (
                            rules.deadline_display(it.deadline_date, "") if it.deadline_date else ""
                        )
                        ii = QTreeWidgetItem(
                            fi, [f"{rules.item_label(number)}{it.title}", it.status, deadline, it.department]
                        )
                        ii.setForeground(1, _status_brush(it.status))
                        ii.setToolTip(2, deadline)
                        ii.setToolTip(3, it.department)
                        tip = [it.title]
                        if it.measures:
                            tip.append("整改措施：" + rules.measures_text([m.text for m in it.measures]))
                        if it.money:
                            tip.append(
                                "金额：" + "，".join(f"{m.kind}{results.amount_text(m.amount)}万元" for m in it.money)
                            )
                        if it.source:
                            tip.append(f"来源：{it.source}")
                        ii.setToolTip(0, "\n".join(tip))
                        self._remember(ii, it.source)
            if len(p.items()) <= EXPAND_ALL_MAX_ITEMS:
                self.tree.expandAll()
            else:
                self.tree.expandToDepth(0)
        finally:
            self.tree.setUpdatesEnabled(True)

    def _remember(self, node: QTreeWidgetItem, source: str) -> None:
        m = re.search(r"!第(\d+)行", source or "")
        if m:
            self._by_row[int(m.group(1))] = node  # an item over its finding on the same row

    def _show_skipped_row(self, row: int) -> None:
        if 0 <= row < len(self.parsed.skipped):
            self._select_sheet_row(self.parsed.skipped[row].line)

    def _show_warning_row(self, row: int) -> None:
        """Selects the tree node of the sheet row a warning names (or the nearest row above it)."""
        if row < 0 or row >= len(self.parsed.warnings):
            return
        m = re.search(r"!第(\d+)", self.parsed.warnings[row])
        if m:
            self._select_sheet_row(int(m.group(1)))

    def _select_sheet_row(self, wanted: int) -> None:
        if not self._by_row:
            return
        rows = [r for r in self._by_row if r <= wanted]
        if not rows:
            return
        node = self._by_row[max(rows)]
        self.tree.setCurrentItem(node)
        self.tree.scrollToItem(node, QAbstractItemView.ScrollHint.PositionAtCenter)


def import_excel(window: Any) -> None:
    """导入Excel: choose a file, see what would be made, then add it as a new inspection (one undo step)."""
    from rectify_desktop.io.xlsx_import import XlsxImportError, parse_workbook, summary

    if window.ledger is None or window.ledger.closed or window.bridge is None:
        QMessageBox.information(window, "导入Excel", "请先打开一个台账。")
        return
    if window.ledger.readonly:
        QMessageBox.information(window, "导入Excel", "台账以只读方式打开，不能导入。")
        return
    chosen, _ = QFileDialog.getOpenFileName(window, "导入Excel台账", str(_start_dir(window)), OPEN_FILTER)
    if not chosen:
        return
    path = Path(chosen)
    _remember_dir(window, path)
    try:
        with _BusyCursor():
            parsed = parse_workbook(path)
    except XlsxImportError as exc:
        QMessageBox.critical(window, "无法导入", str(exc))
        return
    except Exception as exc:  # noqa: BLE001 - a file the reader chokes on must not take the window down
        QMessageBox.critical(
            window, "无法导入", f"读取文件时出错，台账没有改动：{path.name}（{type(exc).__name__}: {exc}）"
        )
        return
    dlg = ImportPreviewDialog(parsed, path, window)
    try:
        if dlg.exec() != QDialog.DialogCode.Accepted:
            return
    finally:
        dlg.deleteLater()
    _commit(window)
    command = AddInspection(parsed)
    with _BusyCursor():
        ok = window.bridge.push(command)
    if not ok or command.inspection_id is None:
        return  # the bridge has told the clerk why
    window.select("inspection", command.inspection_id)
    window.statusBar().showMessage(f"已导入 {path.name}：{summary(parsed)}。可撤销（Ctrl+Z）。", 10000)
