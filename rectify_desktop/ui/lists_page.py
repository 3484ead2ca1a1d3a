"""三张清单: the problem, task and responsibility lists as tables to sort, filter, print and export.

The rows come from core.lists, the same sheets the printout lays out, so the list on screen, on paper and
in Excel never disagree.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSortFilterProxyModel, Qt, QTimer
from PySide6.QtGui import QColor, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from rectify_desktop.core import lists, rules
from rectify_desktop.core.lists import Sheet
from rectify_desktop.ui.theme import DUE_SOON_COLOR, OVERDUE_COLOR

if TYPE_CHECKING:
    from rectify_desktop.core.commands import Change
    from rectify_desktop.ui.host import WindowHost

KINDS = ((lists.PROBLEMS, "问题清单"), (lists.TASKS, "任务清单"), (lists.RESPONSIBILITY, "责任清单"))
ItemIdRole = Qt.ItemDataRole.UserRole + 10


class ListsPage(QWidget):
    """One list at a time (chosen above), for the inspection the window is on."""

    def __init__(self, window: WindowHost) -> None:
        super().__init__()
        self.window_ = window
        self.sheet: Sheet | None = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 8, 8, 8)
        bar = QHBoxLayout()
        self.kind = QComboBox()
        self.kind.setObjectName("lists.kind")
        for key, title in KINDS:
            self.kind.addItem(title, key)
        self.items = QComboBox()
        self.items.setObjectName("lists.items")
        for key in (lists.ALL, lists.NOT_DONE, lists.OVERDUE):
            self.items.addItem(lists.ITEM_FILTERS[key], key)
        self.text = QLineEdit()
        self.text.setObjectName("lists.text")
        self.text.setPlaceholderText("在清单中查找……")
        self.text.setClearButtonEnabled(True)
        bar.addWidget(QLabel("清单："))
        bar.addWidget(self.kind)
        bar.addWidget(QLabel("范围："))
        bar.addWidget(self.items)
        bar.addWidget(self.text, 1)
        self.print_button = QPushButton("打印预览…")
        self.export_button = QPushButton("导出Excel…")
        bar.addWidget(self.print_button)
        bar.addWidget(self.export_button)
        lay.addLayout(bar)
        self.title = QLabel()
        f = self.title.font()
        f.setBold(True)
        f.setPointSizeF(f.pointSizeF() + 2)
        self.title.setFont(f)
        lay.addWidget(self.title)
        self.model = QStandardItemModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterKeyColumn(-1)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.table = QTableView()
        self.table.setObjectName("lists.table")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)  # in ledger order until the clerk sorts
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setWordWrap(True)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.doubleClicked.connect(self._open_item)
        lay.addWidget(self.table, 1)
        self.count = QLabel()
        self.count.setStyleSheet("color: #5f6368")
        lay.addWidget(self.count)
        self.kind.currentIndexChanged.connect(lambda _i: self.refresh())
        self.items.currentIndexChanged.connect(lambda _i: self.refresh())
        self.text.textChanged.connect(self._filter)
        self.print_button.clicked.connect(self.print_preview)
        self.export_button.clicked.connect(self.export_excel)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.refresh)
        self.refresh()

    # the page interface

    def on_changes(self, changes: list[Change]) -> None:
        self._timer.start()

    def set_readonly(self, readonly: bool) -> None:
        pass  # lists show; they change nothing

    # content

    def refresh(self) -> None:
        w = self.window_
        insp = w.current_inspection_id() if w.ledger is not None and not w.ledger.closed else None
        self.model.clear()
        if insp is None:
            self.sheet = None
            self.title.setText("台账中还没有巡察")
            self.count.setText("")
            return
        sheet = lists.build_sheet(
            insp,
            self.kind.currentData(),
            items=self.items.currentData(),
            today=w.model.today,
            immediate_days=w.model.immediate_days,
        )
        self.sheet = sheet
        self.title.setText(sheet.title)
        self.model.setHorizontalHeaderLabels(list(sheet.headers))
        soon = w.model.due_soon_days
        for r in sheet.rows:
            # Overdue rows red, rows due within the settings' "soon" orange, as in the tree.
            color = None
            if r.item is not None:
                left = rules.days_left(r.item.status, r.item.deadline, w.model.today)
                if r.item.overdue:
                    color = QColor(OVERDUE_COLOR)
                elif left is not None and 0 <= left <= soon:
                    color = QColor(DUE_SOON_COLOR)
            row = []
            for key in sheet.keys:
                text = r.cells.get(key, "")
                it = QStandardItem(text)
                it.setEditable(False)
                if key == "seq" and text.isdigit():
                    it.setData(int(text), Qt.ItemDataRole.DisplayRole)  # sorts as a number
                if color is not None:
                    it.setForeground(color)
                it.setData(r.item.item_id if r.item is not None else None, ItemIdRole)
                row.append(it)
            self.model.appendRow(row)
        widths = {"seq": 48, "category": 200, "finding": 220, "item": 300, "measure": 340, "status": 150, "done": 150}
        for col, key in enumerate(sheet.keys):
            self.table.setColumnWidth(col, widths.get(key, 110))
        self.table.resizeRowsToContents()
        self._filter(self.text.text())

    def _filter(self, text: str) -> None:
        self.proxy.setFilterFixedString(text.strip())
        total = self.model.rowCount()
        shown = self.proxy.rowCount()
        self.count.setText(f"共 {total} 行" + (f"，筛选后 {shown} 行" if shown != total else ""))

    def _open_item(self, index) -> None:  # noqa: ANN001 - a QModelIndex of the proxy
        item_id = self.proxy.data(index, ItemIdRole)
        if item_id:
            self.window_.show_page("ledger")
            self.window_.select("item", int(item_id))

    def print_preview(self) -> None:
        """Prints this list through the print facility, with this page's choice of list and items."""
        from rectify_desktop.ui import printing
        from rectify_desktop.ui.printing.options import load_options, save_options

        w = self.window_
        options = replace(load_options(w.settings), document=self.kind.currentData(), items=self.items.currentData())
        save_options(w.settings, options)
        printing.print_preview(w)

    def export_excel(self) -> None:
        from rectify_desktop.core.storage import LedgerError
        from rectify_desktop.io.sheet_export import write_sheet

        if self.sheet is None:
            return
        w = self.window_
        start = w.ledger.folder if w.ledger else Path.home()
        path, _ = QFileDialog.getSaveFileName(
            self, "导出Excel", str(start / f"{self.sheet.title}.xlsx"), "Excel 工作簿 (*.xlsx)"
        )
        if not path:
            return
        out = Path(path) if path.lower().endswith(".xlsx") else Path(path + ".xlsx")
        # The setting 填报单位 when set, else the inspected unit, as on the printouts and the ledger's Excel.
        unit = lists.reporting_unit(w.current_inspection_id())
        notes: list[str] = []
        try:
            write_sheet(self.sheet, out, unit=unit, notes=notes)
        except LedgerError as exc:  # OutputError: 磁盘空间不足, 只读, onto the ledger itself, … in Chinese
            QMessageBox.critical(self, "导出失败", str(exc))
            return
        w.statusBar().showMessage(f"已导出：{out}", 8000)
        from rectify_desktop.ui.done_box import show_done

        # texts longer than a cell holds, carried on to the 续 sheet, are told in the same box
        show_done(w, out, f"已导出{self.sheet.title}", notes=notes)
