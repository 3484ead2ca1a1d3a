"""汇总多个台账: the inspection office's table of many units' ledgers (文件 → 汇总多个台账).

A separate top-level window, so that the ledger open in the main window is neither closed nor disturbed:
one row per unit and inspection as core.summary.collect gives it, the 合计 row always last whatever the
sort, a filter by unit, the office's two marks (no change for N days, completion rate below a figure),
and the ledgers not summed with their reasons. Every input is only read.

collect reads each input through a sqlite3 connection of its own and never touches the models' global db,
so the main window's ledger stays bound while it runs. It still runs on the window's thread, under a
QProgressDialog whose callback lets the window paint and the clerk cancel between files: a worker thread
would gain nothing the office sees at these sizes and would have to hand the Summary back across threads.

A unit opens read-only in a second main window at its 总览. The program keeps one ledger open per process
(the models share one database), so the second window is one viewer reused for each unit, and a ledger
open in the main window is closed first, with the clerk's consent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QObject,
    QSettings,
    QSortFilterProxyModel,
    Qt,
    QTemporaryDir,
)
from PySide6.QtGui import (
    QBrush,
    QCloseEvent,
    QColor,
    QDragEnterEvent,
    QDropEvent,
    QFont,
    QFontMetrics,
    QKeySequence,
    QShortcut,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

LATE_KEY = "summary/late_days"
RATE_KEY = "summary/min_rate"
DIR_KEY = "summary/last_dir"
OFFICE_KEY = "summary/office"
OUT_DIR_KEY = "summary/out_dir"
# (button, output's suffix, tooltip): core.summary's three outputs, as `rectify-desktop summary` writes them.
OUTPUTS = (
    ("导出Excel…", ".xlsx", "汇总表：各单位一行并合计，另有逾期事项、未汇总两张表"),
    ("导出PDF…", ".pdf", "汇总表的PDF，可直接打印或报送"),
    ("生成进展报告…", ".docx", "按汇总结果生成本轮巡察整改进展情况报告（Word）"),
)
INPUT_FILTER = "台账及导出的Excel台账 (*.db *.zgtz *.xlsx);;所有文件 (*)"
RED = QColor("#b91c1c")
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
TOTAL_ROLE = Qt.ItemDataRole.UserRole + 2

# The figures first, as the office's own summary tables have them; who inspected and when after them, so
# that on a small screen the figures are in sight.
COLUMNS: tuple[str, ...] = (
    "单位",
    "提示",
    "问题",
    "细化问题",
    "已完成",
    "正在推进",
    "长期坚持",
    "未启动",
    "已逾期",
    "完成率",
    "已销号",
    "问责（人）",
    "资金（万元）",
    "巡察组",
    "反馈日期",
    "最后修改",
)
NUMBER_FIELDS = {
    "问题": "findings",
    "细化问题": "items",
    "已完成": "done",
    "正在推进": "in_progress",
    "长期坚持": "ongoing",
    "未启动": "not_started",
    "已逾期": "overdue",
    "已销号": "written_off",
}


class _Cancelled(BaseException):
    """The clerk cancelled the reading: a BaseException, so that no per-file `except Exception` in the
    reading takes it for a broken file."""


def _people(results: dict[str, Any]) -> int:
    return sum(int(v.get("people", 0)) for v in (results.get("accountability") or {}).values())


def _money(results: dict[str, Any]) -> Decimal:
    return sum((Decimal(str(v.get("amount", "0"))) for v in (results.get("money") or {}).values()), Decimal(0))


def _amount_text(amount: Decimal) -> str:
    from rectify_desktop.core.results import amount_text

    return amount_text(amount) if amount else "0"


def _input_name(p: Any) -> str:
    """A file's or folder's name, a server ledger's database."""
    return str(getattr(p, "database", None) or Path(p).name)


def choose_inputs(parent: QWidget) -> list[Path] | None:
    """Asks for the units' ledgers: some files, or a folder (searched with its subfolders)."""
    box = QMessageBox(parent)
    box.setWindowTitle("汇总多个台账")
    box.setIcon(QMessageBox.Icon.Question)
    box.setText("选择要汇总的各单位台账。")
    box.setInformativeText(
        "可以选择若干台账文件（.db、.zgtz，或本程序导出的Excel台账），也可以选择一个文件夹，"
        "程序会汇总其中及其子文件夹中的全部台账。原文件只读取，不会改动。"
    )
    files_btn = box.addButton("选择文件…", QMessageBox.ButtonRole.AcceptRole)
    folder_btn = box.addButton("选择文件夹…", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("取消", QMessageBox.ButtonRole.RejectRole)
    box.exec()
    settings = getattr(parent, "settings", None)
    start = str(settings.value(DIR_KEY, "") or "") if settings is not None else ""
    chosen: list[Path] = []
    if box.clickedButton() is files_btn:
        names, _ = QFileDialog.getOpenFileNames(parent, "选择要汇总的台账文件", start, INPUT_FILTER)
        chosen = [Path(n) for n in names]
        where = chosen[0].parent if chosen else None
    elif box.clickedButton() is folder_btn:
        name = QFileDialog.getExistingDirectory(parent, "选择存放各单位台账的文件夹", start)
        chosen = [Path(name)] if name else []
        where = chosen[0] if chosen else None
    else:
        return None
    if where is not None and settings is not None:
        settings.setValue(DIR_KEY, str(where))
    return chosen or None


def open_summary(window: QWidget) -> None:
    """文件 → 汇总多个台账: asks for the inputs, then shows the 汇总 window."""
    inputs = choose_inputs(window)
    if not inputs:
        return
    page = SummaryWindow(window)
    if not page.add_inputs(inputs):
        page.deleteLater()
        return
    page.show()
    page.raise_()
    page.activateWindow()


def last_summary(window: QWidget) -> SummaryWindow | None:
    pages = [w for w in window.findChildren(SummaryWindow)]
    return pages[-1] if pages else None


class SummaryModel(QAbstractTableModel):
    """The units' rows and the 合计 row, read-only; marks computed from the office's two thresholds."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.rows: list[Any] = []
        self.totals: Any = None
        self.today = dt.date.today()
        self.late_days = 0
        self.min_rate = 0
        self.totals_note = ""  # said in the 合计 row while a filter hides some units

    def set_summary(self, summary: Any) -> None:
        self.beginResetModel()
        self.rows = list(summary.rows)
        self.totals = summary.totals
        self.endResetModel()

    def set_thresholds(self, late_days: int, min_rate: int) -> None:
        self.late_days, self.min_rate = late_days, min_rate
        if self.rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows), len(COLUMNS) - 1))

    def row_at(self, row: int) -> Any:
        return self.rows[row] if row < len(self.rows) else self.totals

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802, B008 - Qt's signature
        if parent.isValid() or self.totals is None:
            return 0
        return len(self.rows) + 1

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802, B008 - Qt's signature
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def marks(self, r: Any) -> tuple[str, str]:
        """(late, low): the words of the unit's two marks, "" when not marked."""
        if r is self.totals:
            return "", ""
        late = low = ""
        if self.late_days > 0 and r.last_change is not None:
            idle = (self.today - r.last_change.date()).days
            if idle >= self.late_days:
                late = f"{idle}天未更新"
        if self.min_rate > 0 and r.items and r.completion_whole < self.min_rate:
            low = "完成率偏低"
        return late, low

    def _display(self, r: Any, col: str) -> Any:
        if col == "单位":
            return r.unit
        if col == "提示":
            if r is self.totals:
                return self.totals_note
            return "；".join(m for m in self.marks(r) if m)
        if col == "巡察组":
            return r.inspecting_body
        if col == "反馈日期":
            return r.feedback_date.isoformat() if r.feedback_date else ""
        if col in NUMBER_FIELDS:
            return str(getattr(r, NUMBER_FIELDS[col]))
        if col == "完成率":
            return f"{r.completion_whole}%" if r.items else "—"
        if col == "问责（人）":
            return str(_people(r.results))
        if col == "资金（万元）":
            return _amount_text(_money(r.results))
        if col == "最后修改":
            return r.last_change.date().isoformat() if r.last_change else ""
        return ""

    def _sort_key(self, r: Any, col: str) -> Any:
        if col in NUMBER_FIELDS:
            return getattr(r, NUMBER_FIELDS[col])
        if col == "完成率":
            return r.completion_whole if r.items else -1
        if col == "问责（人）":
            return _people(r.results)
        if col == "资金（万元）":
            return float(_money(r.results))
        if col == "反馈日期":
            return r.feedback_date.isoformat() if r.feedback_date else ""
        if col == "最后修改":
            return r.last_change.isoformat() if r.last_change else ""
        return self._display(r, col)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r = self.row_at(index.row())
        col = COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(r, col)
        if role == SORT_ROLE:
            return self._sort_key(r, col)
        if role == TOTAL_ROLE:
            return r is self.totals
        late, low = self.marks(r)
        # The mark is in words (提示) and in bold red on the unit and the figure concerned, never colour alone.
        marked = col in ("单位", "提示") and (late or low) or col == "最后修改" and late or col == "完成率" and low
        if role == Qt.ItemDataRole.FontRole and (marked or r is self.totals):
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ForegroundRole and marked:
            return QBrush(RED)
        if role == Qt.ItemDataRole.TextAlignmentRole and col not in ("单位", "提示", "巡察组"):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            if r is self.totals:
                return "全部已汇总单位的合计，不随筛选变化"
            why = [f"已{self.late_days}天以上未更新" if late else "", f"完成率低于{self.min_rate}%" if low else ""]
            changed = f"最后修改：{r.last_change:%Y-%m-%d %H:%M}" if r.last_change else ""
            return "\n".join(w for w in [r.title, str(r.path), changed, *why] if w)
        return None


class SummaryProxy(QSortFilterProxyModel):
    """The units, sorted and filtered by name; or, with `totals_only`, the 合计 row alone, which the window
    pins under the table so that it is neither sorted nor filtered with the units, nor scrolled away."""

    def __init__(self, parent: QWidget, *, totals_only: bool = False) -> None:
        super().__init__(parent)
        self.totals_only = totals_only
        self.setFilterKeyColumn(COLUMNS.index("单位"))
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

    def lessThan(self, left: QModelIndex, right: QModelIndex) -> bool:  # noqa: N802 - Qt's name
        a, b = left.data(SORT_ROLE), right.data(SORT_ROLE)
        if type(a) is not type(b):
            return str(a) < str(b)
        return a < b

    def filterAcceptsRow(self, row: int, parent: QModelIndex) -> bool:  # noqa: N802 - Qt's name
        is_total = bool(self.sourceModel().index(row, 0, parent).data(TOTAL_ROLE))
        if self.totals_only or is_total:
            return self.totals_only and is_total
        return super().filterAcceptsRow(row, parent)


class SummaryWindow(QWidget):
    """The 汇总 window: headline, thresholds, filter, the table, the files not summed and the outputs."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window, Qt.WindowType.Window)
        self.window_ = window
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle("汇总多个台账 - 整改台账")
        self.setAcceptDrops(True)
        self.inputs: list[Any] = []  # files, folders and server ledgers (server.ServerAddress)
        self.summary: Any = None
        self.viewer: Any = None
        window.windowTitleChanged.connect(self._main_changed)
        window.installEventFilter(self)  # the 汇总 and the unit's window close with the main window
        settings = window.settings

        lay = QVBoxLayout(self)
        self.headline = QLabel()
        self.headline.setObjectName("summary.headline")
        self.headline.setWordWrap(True)
        self.headline.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.headline.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        font.setBold(True)
        self.headline.setFont(font)
        lay.addWidget(self.headline)
        self.sources = QLabel()
        self.sources.setWordWrap(True)
        lay.addWidget(self.sources)

        bar = QHBoxLayout()
        bar.addWidget(QLabel("筛选单位："))
        self.filter_box = QLineEdit()
        self.filter_box.setPlaceholderText("输入单位名称中的字")
        self.filter_box.setClearButtonEnabled(True)
        self.filter_box.setMaximumWidth(220)
        bar.addWidget(self.filter_box)
        bar.addSpacing(16)
        bar.addWidget(QLabel("提示：超过"))
        self.late_box = QSpinBox()
        self.late_box.setRange(0, 365)
        self.late_box.setSpecialValueText("不提示")
        self.late_box.setSuffix(" 天")
        self.late_box.setValue(int(settings.value(LATE_KEY, 30, int)))
        bar.addWidget(self.late_box)
        bar.addWidget(QLabel("未更新，或完成率低于"))
        self.rate_box = QSpinBox()
        self.rate_box.setRange(0, 100)
        self.rate_box.setSpecialValueText("不提示")
        self.rate_box.setSuffix(" %")
        self.rate_box.setValue(int(settings.value(RATE_KEY, 0, int)))
        bar.addWidget(self.rate_box)
        bar.addWidget(QLabel("的单位"))
        bar.addStretch(1)
        add = QPushButton("添加台账…")
        add.setToolTip("再选择文件或文件夹加入汇总；也可以把文件或文件夹拖到本窗口")
        add.clicked.connect(self._add_more)
        bar.addWidget(add)
        add_server = QPushButton("添加服务器台账…")
        add_server.setObjectName("summary.add_server")
        add_server.setToolTip("把办公室服务器上的共享台账加入汇总（只读取，不修改）")
        add_server.clicked.connect(self.add_server)
        bar.addWidget(add_server)
        lay.addLayout(bar)

        self.model = SummaryModel(self)
        self.proxy = SummaryProxy(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.view = QTableView()
        self.view.setObjectName("summary.table")
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # collect's order until a header is clicked
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().setVisible(False)
        self.view.setWordWrap(False)
        self.view.verticalHeader().setDefaultSectionSize(self.view.fontMetrics().height() + 8)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        self.view.doubleClicked.connect(self.open_unit)
        for key in ("Return", "Enter"):
            sc = QShortcut(QKeySequence(key), self.view)
            sc.setContext(Qt.ShortcutContext.WidgetShortcut)
            sc.activated.connect(lambda: self.open_unit(self.view.currentIndex()))
        lay.addWidget(self.view, 1)
        self.totals_view = self._totals_view()
        lay.addWidget(self.totals_view)
        hint = QLabel("双击某单位（或选中后按回车），以只读方式打开其台账，查看总览。")
        hint.setStyleSheet("color: #555;")
        lay.addWidget(hint)

        self.skipped_label = QLabel()
        self.skipped_label.setStyleSheet("color: #b45309; font-weight: bold;")
        self.skipped = QListWidget()
        self.skipped.setObjectName("summary.not_summed")
        lay.addWidget(self.skipped_label)
        lay.addWidget(self.skipped)

        self.buttons = QHBoxLayout()
        self.buttons.addStretch(1)
        self._add_output_buttons()
        close = QPushButton("关闭")
        close.clicked.connect(self.close)
        self.buttons.addWidget(close)
        lay.addLayout(self.buttons)

        self.filter_box.textChanged.connect(self._filter)
        self.late_box.valueChanged.connect(self._thresholds)
        self.rate_box.valueChanged.connect(self._thresholds)
        self._thresholds()
        self.resize(1180, 720)

    # --- reading ----------------------------------------------------------------------------------

    def add_inputs(self, inputs: Sequence[Path]) -> bool:
        """Adds files or folders and reads everything again; False when the clerk cancelled the reading."""
        from rectify_desktop.core import server
        from rectify_desktop.core.summary import collect

        wanted = list(self.inputs)
        for p in inputs:
            p = p if isinstance(p, server.ServerAddress) else Path(p)
            if p not in wanted:
                wanted.append(p)
        dialog = QProgressDialog("正在读取各单位台账…", "取消", 0, 0, self.window_)
        dialog.setWindowTitle("汇总多个台账")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(300)

        def progress(done: int, total: int) -> None:
            dialog.setMaximum(max(total, 1))
            dialog.setValue(done)
            dialog.setLabelText(f"正在读取各单位台账：{done}/{total}")
            QApplication.processEvents()
            if dialog.wasCanceled():
                raise _Cancelled

        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            summary = collect(wanted, progress=progress)
        except _Cancelled:
            return False
        finally:
            QApplication.restoreOverrideCursor()
            dialog.close()
            dialog.deleteLater()
        self.inputs = wanted
        self._show(summary)
        return True

    def _show(self, summary: Any) -> None:
        self.summary = summary
        self.model.today = dt.date.today()
        self.model.set_summary(summary)
        self.headline.setText(summary.headline())
        names = "、".join(_input_name(p) for p in self.inputs[:3]) + ("等" if len(self.inputs) > 3 else "")
        self.sources.setText(
            f"汇总了 {len(summary.rows)} 个单位（巡察）的台账，来自：{names}。原文件只读取，未作改动。"
        )
        self.sources.setToolTip("\n".join(getattr(p, "label", lambda p=p: str(p))() for p in self.inputs))
        self.skipped.clear()
        for ns in summary.not_summed:
            self.skipped.addItem(f"{ns.path.name}：{ns.reason}")
            self.skipped.item(self.skipped.count() - 1).setToolTip(str(ns.path))
        n = len(summary.not_summed)
        self.skipped_label.setText(f"未汇总的文件（{n}个）：" if n else "")
        self.skipped_label.setVisible(bool(n))
        self.skipped.setVisible(bool(n))
        # As tall as its lines, up to five; more scroll.
        line = self.skipped.sizeHintForRow(0) if n else 0
        self.skipped.setFixedHeight(min(n, 5) * line + 2 * self.skipped.frameWidth() + 4)
        self._fit_columns()

    def _totals_view(self) -> QTableView:
        """The 合计 row under the table, its columns kept as wide as the table's and scrolled with it."""
        proxy = SummaryProxy(self, totals_only=True)
        proxy.setSourceModel(self.model)
        view = QTableView()
        view.setObjectName("summary.totals")
        view.setModel(proxy)
        view.horizontalHeader().setVisible(False)
        view.verticalHeader().setVisible(False)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        view.verticalHeader().setDefaultSectionSize(self.view.verticalHeader().defaultSectionSize())
        view.setFixedHeight(self.view.verticalHeader().defaultSectionSize() + 2 * view.frameWidth())
        view.setStyleSheet("QTableView { background: #eef2f7; }")
        self.view.horizontalHeader().sectionResized.connect(lambda col, _old, new: view.setColumnWidth(col, new))
        self.view.horizontalScrollBar().valueChanged.connect(view.horizontalScrollBar().setValue)
        return view

    def _fit_columns(self) -> None:
        self.view.resizeColumnsToContents()
        header = self.view.horizontalHeader()
        # A long unit name or inspecting body must not push the figures out of sight.
        for col, most in ((COLUMNS.index("单位"), 260), (COLUMNS.index("巡察组"), 150), (COLUMNS.index("提示"), 200)):
            if header.sectionSize(col) > most:
                header.resizeSection(col, most)
        # The figures are short: their columns as wide as the header's words, without the room Qt keeps for a
        # sort arrow on every column, so that the whole table fits a 1280-pixel screen.
        words = header.fontMetrics()
        for col, title in enumerate(COLUMNS):
            if title in NUMBER_FIELDS or title in ("完成率", "问责（人）", "资金（万元）"):
                cells = max((self.view.sizeHintForColumn(col), words.horizontalAdvance(title) + 14))
                header.resizeSection(col, cells)
        # Dates in bold (a late unit's, the 合计's) are wider than the plain ones measured above.
        bold = QFont(self.view.font())
        bold.setBold(True)
        date_width = QFontMetrics(bold).horizontalAdvance("0000-00-00") + 16
        for col in (COLUMNS.index("反馈日期"), COLUMNS.index("最后修改")):
            header.resizeSection(col, max(header.sectionSize(col), date_width))

    def add_server(self) -> bool:
        """A server ledger into the summary: its address and password asked as for connecting; read through a
        connection of its own, never the window's."""
        from rectify_desktop.core import credentials
        from rectify_desktop.ui.server_dialog import ServerDialog, recent_servers

        dlg = ServerDialog(
            self,
            title="添加服务器台账",
            action="添加",
            intro="把办公室服务器上的共享台账加入汇总。只读取，不作任何修改。",
            servers=recent_servers(self.window_),
        )
        if dlg.exec() != QDialog.DialogCode.Accepted:
            return False
        address = dlg.address()
        return self.add_inputs([address.with_password(dlg.typed_password() or credentials.load(address.url()))])

    def _add_more(self) -> None:
        chosen = choose_inputs(self.window_)
        if chosen:
            self.add_inputs(chosen)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt's name
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt's name
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.add_inputs(paths)

    # --- the office's settings ----------------------------------------------------------------------

    def _thresholds(self) -> None:
        settings = self.window_.settings
        settings.setValue(LATE_KEY, self.late_box.value())
        settings.setValue(RATE_KEY, self.rate_box.value())
        self.model.set_thresholds(self.late_box.value(), self.rate_box.value())
        self._fit_columns()

    def _filter(self, text: str) -> None:
        self.proxy.setFilterFixedString(text.strip())
        self.model.totals_note = "全部单位" if text.strip() else ""
        total = self.model.rowCount() - 1
        self.model.dataChanged.emit(self.model.index(total, 0), self.model.index(total, len(COLUMNS) - 1))

    # --- a unit's ledger ----------------------------------------------------------------------------

    def open_unit(self, index: QModelIndex) -> None:
        """Opens the unit's ledger read-only in the viewer window, at its inspection's 总览."""
        if not index.isValid():
            return
        r = self.model.row_at(self.proxy.mapToSource(index).row())
        if r is self.model.totals:
            return
        if r.inspection_id is None:
            QMessageBox.information(
                self,
                "汇总多个台账",
                f"“{r.unit}”报来的是Excel台账（{r.path.name}），不是台账文件，无法在本程序中打开，请用Excel查看。",
            )
            return
        main = self.window_
        current = getattr(main, "ledger", None)
        if current is not None and not current.closed:
            answer = QMessageBox.question(
                self,
                "查看单位台账",
                f"程序同一时间只能打开一个台账文件。查看“{r.unit}”的台账，需要先关闭主窗口中的台账"
                f"“{current.name}”（已保存的内容不受影响）。\n\n是否关闭它，并以只读方式打开“{r.unit}”的台账？",
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
            main.close_ledger()
        viewer = self._viewer()
        if not viewer.open_ledger(self._source_of(r), readonly=True):
            return
        for root in viewer.model.roots:
            if root.id == r.inspection_id:
                viewer.tree.setCurrentIndex(viewer.model.index_of(root))
                break
        viewer.show_page("overview")
        viewer.show()
        viewer.raise_()
        viewer.activateWindow()

    def _source_of(self, r: Any) -> Any:
        """What a row was read from: its file, or the server ledger (with the password it was added with) that
        the row names by its label."""
        from rectify_desktop.core import server, summary

        for p in self.inputs:
            if isinstance(p, server.ServerAddress) and summary.server_place(p) == r.path:
                return p
        return r.path

    def _viewer(self) -> Any:
        if self.viewer is None:
            # A window of the main window's own class (only the start-up imports main_window), kept here so
            # that it is not collected; its own close (closeEvent) closes its ledger. It gets a copy of the
            # settings: what it remembers (最近打开, the ledger to open at start, its size) must not become
            # the office's own, or the next start would open a unit's file.
            self.viewer = type(self.window_)(self._viewer_settings())
            self.viewer.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.viewer.destroyed.connect(self._viewer_gone)
        return self.viewer

    def _viewer_settings(self) -> QSettings:
        self._viewer_dir = QTemporaryDir()
        copy = QSettings(self._viewer_dir.filePath("viewer.ini"), QSettings.Format.IniFormat)
        own = self.window_.settings
        for key in own.allKeys():
            copy.setValue(key, own.value(key))
        return copy

    def _viewer_gone(self) -> None:
        self.viewer = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if watched is self.window_ and event.type() == QEvent.Type.Close:
            self.close()
        return False

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        if self.viewer is not None:
            self.viewer.close()  # closes the unit's ledger, so that nothing of it stays beside the file
        self.window_.removeEventFilter(self)
        event.accept()

    def _main_changed(self) -> None:
        """The main window opened a ledger of its own: the one ledger a process holds is now that one, so the
        viewer's was closed under it and the viewer goes, rather than show a ledger no longer open."""
        viewer = self.viewer
        if viewer is not None and viewer.ledger is not None and viewer.ledger.closed:
            viewer.close()

    # --- outputs ------------------------------------------------------------------------------------

    def _add_output_buttons(self) -> None:
        """填报单位 (remembered) and the three outputs of core.summary's Summary: every unit, whatever the
        filter shows, since the filter is for looking and the outputs are for sending."""
        self.buttons.addWidget(QLabel("填报单位："))
        self.office_box = QLineEdit(str(self.window_.settings.value(OFFICE_KEY, "") or ""))
        self.office_box.setPlaceholderText("如：县委巡察办")
        self.office_box.setMaximumWidth(200)
        self.office_box.textChanged.connect(lambda text: self.window_.settings.setValue(OFFICE_KEY, text.strip()))
        self.buttons.addWidget(self.office_box)
        for text, kind, tip in OUTPUTS:
            button = QPushButton(text)
            button.setToolTip(tip)
            button.clicked.connect(lambda _=False, kind=kind: self.write_output(kind))
            self.buttons.addWidget(button)

    def write_output(self, kind: str) -> None:
        from rectify_desktop.core.outfile import OutputError

        if self.summary is None or not self.summary.rows:
            QMessageBox.information(self, "汇总多个台账", "没有已汇总的台账，无法生成。")
            return
        name, what = {
            ".xlsx": ("汇总表", "汇总表"),
            ".pdf": ("汇总表", "汇总表PDF"),
            ".docx": ("进展报告", "进展报告"),
        }[kind]
        # Its own folder, not the units' one: an output saved among the inputs would be read at the next 汇总.
        start = Path(str(self.window_.settings.value(OUT_DIR_KEY, "") or Path.home()))
        default = start / f"巡察整改进展情况{name}（{dt.date.today():%Y年%m月%d日}）{kind}"
        kinds = {".xlsx": "Excel 工作簿 (*.xlsx)", ".pdf": "PDF 文件 (*.pdf)", ".docx": "Word 文档 (*.docx)"}
        chosen, _ = QFileDialog.getSaveFileName(self, f"保存{what}", str(default), kinds[kind])
        if not chosen:
            return
        out = Path(chosen)
        if out.suffix.lower() != kind:
            out = out.with_name(out.name + kind)
        self.window_.settings.setValue(OUT_DIR_KEY, str(out.parent))
        kw: dict[str, Any] = {"office": self.office_box.text().strip()}
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            if kind == ".xlsx":
                from rectify_desktop.io.summary_xlsx import write_workbook

                write_workbook(self.summary, out, **kw)
            elif kind == ".pdf":
                from rectify_desktop.ui.summary_print import write_pdf

                write_pdf(self.summary, out, **kw)
            else:
                from rectify_desktop.io.summary_docx import write_docx

                write_docx(self.summary, out, **kw)
        except OutputError as exc:
            QApplication.restoreOverrideCursor()
            QMessageBox.warning(self, f"未能生成{what}", str(exc))
            return
        QApplication.restoreOverrideCursor()
        from rectify_desktop.ui.done_box import show_done

        n = len(self.summary.not_summed)
        notes = [f"另有 {n} 个文件未汇总，已在文件中列出原因。"] if n else []
        show_done(self, out, f"已生成{what}（{len(self.summary.rows)} 个单位）", title="生成完成", notes=notes)
