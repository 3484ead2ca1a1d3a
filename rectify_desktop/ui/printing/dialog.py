"""The clerk's choices before printing (打印设置): document, items, columns, font size, orientation.

One small dialog in front of 打印预览, 打印 and 导出PDF, so that the preview, the paper and the PDF always show
the same thing. What the clerk chose is remembered in the window's settings (print_options) for the next time.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from rectify_desktop.core import lists
from rectify_desktop.core.table import COLUMNS, KEYS
from rectify_desktop.ui.printing.options import FONT_SIZES, PrintOptions


class PrintOptionsDialog(QDialog):
    """The choices, laid out top to bottom in the order a clerk thinks of them."""

    def __init__(
        self,
        parent: QWidget | None,
        action: str,
        options: PrintOptions,
        categories: list[tuple[str, str]],
        departments: list[str],
        unit: str,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"{action} — 打印设置")
        self._categories = categories
        self._departments = departments
        lay = QVBoxLayout(self)
        form = QFormLayout()
        lay.addLayout(form)

        self.document = QComboBox()
        for key, name in lists.DOCUMENTS.items():
            self.document.addItem(name, key)
        self.document.setCurrentIndex(max(0, self.document.findData(options.document)))
        form.addRow("打印内容：", self.document)

        items_row = QHBoxLayout()
        self.items = QComboBox()
        for key, name in lists.ITEM_FILTERS.items():
            self.items.addItem(name, key)
        self.items.setCurrentIndex(max(0, self.items.findData(options.items)))
        self.value = QComboBox()
        self.value.setMinimumContentsLength(16)
        self.value.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        items_row.addWidget(self.items)
        items_row.addWidget(self.value, 1)
        form.addRow("打印范围：", items_row)

        self.columns = QListWidget()
        for key, name in zip(KEYS, COLUMNS, strict=True):
            it = QListWidgetItem(name)
            it.setData(Qt.ItemDataRole.UserRole, key)
            it.setFlags(it.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            it.setCheckState(Qt.CheckState.Checked if key in options.columns else Qt.CheckState.Unchecked)
            self.columns.addItem(it)
        self.columns.setFlow(QListWidget.Flow.LeftToRight)
        self.columns.setWrapping(True)
        self.columns.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.columns.setFixedHeight(92)
        self.columns.setMinimumWidth(460)
        cols_box = QVBoxLayout()
        cols_box.addWidget(self.columns)
        buttons = QHBoxLayout()
        self.all_columns = QPushButton("全选")
        self.all_columns.clicked.connect(lambda: self.set_columns(KEYS))
        buttons.addWidget(self.all_columns)
        self.columns_hint = QLabel("")
        self.columns_hint.setStyleSheet("color: #808080")
        buttons.addWidget(self.columns_hint, 1)
        cols_box.addLayout(buttons)
        form.addRow("台账列：", cols_box)

        self.font_size = QComboBox()
        for name, pt in FONT_SIZES:
            self.font_size.addItem(name, pt)
        sizes = [pt for _, pt in FONT_SIZES]
        nearest = min(range(len(sizes)), key=lambda i: abs(sizes[i] - options.font_size))
        self.font_size.setCurrentIndex(nearest)
        form.addRow("正文字号：", self.font_size)

        orient = QHBoxLayout()
        self.landscape = QRadioButton("A4 横向")
        self.portrait = QRadioButton("A4 纵向")
        group = QButtonGroup(self)
        group.addButton(self.landscape)
        group.addButton(self.portrait)
        (self.landscape if options.landscape else self.portrait).setChecked(True)
        orient.addWidget(self.landscape)
        orient.addWidget(self.portrait)
        orient.addStretch(1)
        form.addRow("纸张方向：", orient)

        self.summary = QCheckBox("附整改情况汇总页")
        self.summary.setChecked(options.summary)
        self.summary.setToolTip(
            "在台账之后加一页：整改进度（完成率、逾期、销号）和整改成效（问责、资金、制度、会议），签名栏随之移到该页。\n"
            "汇总的是本次巡察的全部事项，只随“整改台账”的全部事项打印。"
        )
        self.summary_hint = QLabel("")  # why it is greyed: a list, or some of the items
        self.summary_hint.setStyleSheet("color: #808080")
        summary_row = QHBoxLayout()
        summary_row.addWidget(self.summary)
        summary_row.addWidget(self.summary_hint, 1)
        form.addRow("汇总：", summary_row)

        self.unit = QLineEdit(options.unit if options.unit is not None else unit)
        form.addRow("填报单位：", self.unit)
        self.date = QDateEdit()
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy年M月d日")
        d = options.date or dt.date.today()
        self.date.setDate(QDate(d.year, d.month, d.day))
        form.addRow("填报日期：", self.date)

        self.box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.box.button(QDialogButtonBox.StandardButton.Ok).setText(action)
        self.box.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.box.accepted.connect(self.accept)
        self.box.rejected.connect(self.reject)
        lay.addWidget(self.box)

        self.items.currentIndexChanged.connect(lambda: self._fill_values(""))
        self.document.currentIndexChanged.connect(self._update)
        self.columns.itemChanged.connect(self._update)
        self._fill_values(options.value)
        self._update()

    def _fill_values(self, current: str) -> None:
        kind = self.items.currentData()
        self.value.clear()
        if kind == lists.CATEGORY:
            for cid, label in self._categories:
                self.value.addItem(label, cid)
        elif kind == lists.DEPARTMENT:
            for name in self._departments:
                self.value.addItem(name, name)
        self.value.setEnabled(self.value.count() > 0)
        self.value.setVisible(kind in (lists.CATEGORY, lists.DEPARTMENT))
        i = self.value.findData(current)
        if i >= 0:
            self.value.setCurrentIndex(i)
        self._update()

    def set_columns(self, keys: tuple[str, ...]) -> None:
        for row in range(self.columns.count()):
            it = self.columns.item(row)
            on = it.data(Qt.ItemDataRole.UserRole) in keys
            it.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def checked_columns(self) -> tuple[str, ...]:
        out = []
        for row in range(self.columns.count()):
            it = self.columns.item(row)
            if it.checkState() == Qt.CheckState.Checked:
                out.append(it.data(Qt.ItemDataRole.UserRole))
        return tuple(out)

    def _update(self) -> None:
        ledger = self.document.currentData() == lists.LEDGER
        self.columns.setEnabled(ledger)
        self.all_columns.setEnabled(ledger)
        cols = self.checked_columns()
        self.columns_hint.setText("" if ledger else "三张清单有各自固定的列")
        whole = ledger and self.items.currentData() == lists.ALL
        self.summary.setEnabled(whole)
        self.summary_hint.setText("" if whole else "汇总页只随“整改台账”的全部事项打印")
        if ledger and not cols:
            self.columns_hint.setText("请至少选择一列")
        needs_value = self.items.currentData() in (lists.CATEGORY, lists.DEPARTMENT)
        ok = (not ledger or bool(cols)) and (not needs_value or self.value.count() > 0)
        self.box.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)

    def options(self) -> PrintOptions:
        q = self.date.date()
        kind = self.items.currentData()
        value = self.value.currentData() if kind in (lists.CATEGORY, lists.DEPARTMENT) else ""
        return PrintOptions(
            document=self.document.currentData(),
            columns=self.checked_columns() or KEYS,
            items=kind,
            value=str(value or ""),
            font_size=float(self.font_size.currentData()),
            landscape=self.landscape.isChecked(),
            unit=self.unit.text().strip(),
            date=dt.date(q.year(), q.month(), q.day()),
            summary=self.summary.isChecked(),
        ).normalised()
