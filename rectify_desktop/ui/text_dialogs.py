"""从文本导入 and 生成通报 / 生成报告 in the window.

从文本导入: a dialog with the text on the left (pasted, or loaded with 打开文本文件…) and, on the right, the
tree that would be made and every warning, updated a moment after each change of the text. Nothing is
written before 导入; then the whole inspection goes through the undo bridge as one step (AddInspection).

生成通报 / 生成报告: a save dialog (.docx, or .txt for pasting into a web form), io.notice writes the file,
and a message says where it is.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QFont, QTextCursor
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
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from rectify_desktop.core import rules, storage
from rectify_desktop.core.importing import AddInspection, ImportedInspection, _numbers
from rectify_desktop.core.models import Inspection
from rectify_desktop.io import text_import
from rectify_desktop.ui.theme import HINT_COLOR, OVERDUE_COLOR, STATUS_COLORS

TEXT_FILTER = "文本文件 (*.txt);;所有文件 (*)"
LAST_DIR_KEY = "text/last_dir"
DEBOUNCE_MS = 350  # the preview follows the text this long after the last keystroke
DEBOUNCE_LARGE_MS = 1200  # for texts longer than LARGE_TEXT characters
LARGE_TEXT = 200_000
EXPAND_ALL_MAX_ITEMS = 2000
KIND_NAMES = {"notice": "通报", "report": "报告"}
# The other layout offered beside each kind's own in the save dialog's types (io/notice_text.py): the notice is
# concise by default (one paragraph per finding), the report item by item (one paragraph per item).
OTHER_LAYOUT = {"notice": ("full", "逐项，每项一段"), "report": ("concise", "简要，每个问题一段")}


def notice_filters(kind: str) -> dict[str, tuple[str, str | None]]:
    """The save dialog's types for a notice or report: filter text → (suffix, layout or None for the kind's own)."""
    layout, words = OTHER_LAYOUT.get(kind, OTHER_LAYOUT["notice"])
    return {
        "Word 文档 (*.docx)": (".docx", None),
        f"Word 文档（{words}） (*.docx)": (".docx", layout),
        "纯文本 (*.txt)": (".txt", None),
        f"纯文本（{words}） (*.txt)": (".txt", layout),
    }


_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\r\n\t]+')

PLACEHOLDER = (
    "在这里粘贴反馈意见、整改方案或整改情况通报的文字，例如：\n\n"
    "二、巡察反馈问题整改落实情况\n"
    "（一）学习贯彻党的创新理论不够深入\n"
    "1.理论学习中心组学习不够系统\n"
    "（1）学习计划性不强\n"
    "整改情况：一是制定年度学习计划；二是每季度开展专题研讨。\n"
    "（2）……\n\n"
    "每个序号写在一行的开头；全角、半角的标点都可以。"
)


# --- helpers ----------------------------------------------------------------------------------------


def _start_dir(window: Any) -> Path:
    settings = getattr(window, "settings", None)
    last = settings.value(LAST_DIR_KEY, "", str) if settings is not None else ""
    if last and Path(last).is_dir():
        return Path(last)
    if getattr(window, "ledger", None) is not None:
        return window.ledger.folder
    return Path.home()


def _remember_dir(window: Any, path: Path) -> None:
    settings = getattr(window, "settings", None)
    if settings is not None:
        settings.setValue(LAST_DIR_KEY, str(path.parent))


def _commit(window: Any) -> None:
    if getattr(window, "panel", None) is not None:
        window.panel.commit_pending()


def _file_name(title: str, suffix: str) -> str:
    name = _UNSAFE_NAME.sub("_", title).strip(" .") or "整改情况通报"
    return name[:120] + suffix


class _BusyCursor:
    def __enter__(self) -> None:
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)

    def __exit__(self, *exc: object) -> None:
        QApplication.restoreOverrideCursor()


# --- 从文本导入 ---------------------------------------------------------------------------------------


class TextImportDialog(QDialog):
    """The text on the left; what it would make and every warning on the right; 导入 or 取消."""

    COLUMNS = ("将新建的方面、问题和细化问题", "完成情况", "措施")

    def __init__(self, parent: QWidget | None = None, start_dir: Path | None = None, text: str = "") -> None:
        super().__init__(parent)
        self.setObjectName("text.import")
        self.setWindowTitle("从文本导入")
        self.setSizeGripEnabled(True)
        self.start_dir = start_dir or Path.home()
        self.parsed = ImportedInspection()
        self.parsed_text: str | None = None
        self.opened_path: Path | None = None  # the text file read with 打开文本文件…, if any
        self.skipped_lines: list[int] = []  # the text's line of each row of 未导入的内容

        # Left: the text.
        self.editor = QPlainTextEdit()
        self.editor.setObjectName("text")
        self.editor.setPlaceholderText(PLACEHOLDER)
        self.editor.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.editor.setTabChangesFocus(True)
        self.open_button = QPushButton("打开文本文件…")
        self.open_button.setToolTip("读入一个 .txt 文件（UTF-8 或 GBK 编码均可）")
        self.open_button.clicked.connect(self.open_file)
        self.clear_button = QPushButton("清空")
        self.clear_button.clicked.connect(self.editor.clear)
        self.file_label = QLabel("")
        self.file_label.setStyleSheet(f"color: {HINT_COLOR}")
        row = QHBoxLayout()
        row.addWidget(self.open_button)
        row.addWidget(self.clear_button)
        row.addWidget(self.file_label, 1)
        text_box = QGroupBox("文本")
        tl = QVBoxLayout(text_box)
        tl.addLayout(row)
        tl.addWidget(self.editor, 1)

        # Right: the tree, then the warnings.
        self.summary_label = QLabel("")
        self.summary_label.setObjectName("summary")
        self.summary_label.setWordWrap(True)
        self.declared_label = QLabel("")
        self.declared_label.setObjectName("declared")
        self.declared_label.setWordWrap(True)
        self.declared_label.setStyleSheet(f"color: {HINT_COLOR}")
        # 整改成效 the text states for the whole inspection (问责, 资金), and the figures not imported with why.
        self.results_label = QLabel("")
        self.results_label.setObjectName("results")
        self.results_label.setWordWrap(True)
        self.results_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.tree = QTreeWidget()
        self.tree.setObjectName("tree")
        self.tree.setColumnCount(len(self.COLUMNS))
        self.tree.setHeaderLabels(list(self.COLUMNS))
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        fm = self.tree.fontMetrics()
        for col, sample in ((1, "正在推进"), (2, "措施")):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            self.tree.setColumnWidth(col, fm.horizontalAdvance(sample) + 28)
        self.tree.currentItemChanged.connect(self._show_source)
        tree_box = QGroupBox("识别结果")
        trl = QVBoxLayout(tree_box)
        trl.addWidget(self.summary_label)
        trl.addWidget(self.declared_label)
        trl.addWidget(self.results_label)
        trl.addWidget(self.tree, 1)

        self.warnings = QListWidget()
        self.warnings.setObjectName("warnings")
        self.warnings.setWordWrap(True)
        self.warnings.setAlternatingRowColors(True)
        self.warnings.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.warnings.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.warnings.setStyleSheet(
            "QListWidget::item { padding: 5px 4px; border-bottom: 1px solid #e3e3e3; }"
            "QListWidget::item:selected { background: #dbe8fb; color: black; }"
        )
        self.warnings.currentRowChanged.connect(self._show_warning_line)
        self.warn_box = QGroupBox("提示")
        wl = QVBoxLayout(self.warn_box)
        wl.addWidget(self.warnings)

        # What the text holds that goes into no field (组织情况, 下一步, 落款 …): the clerk sees every line.
        self.skipped = QListWidget()
        self.skipped.setObjectName("skipped")
        self.skipped.setWordWrap(True)
        self.skipped.setAlternatingRowColors(True)
        self.skipped.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.skipped.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.skipped.currentRowChanged.connect(self._show_skipped_line)
        self.skipped_box = QGroupBox("未导入的内容")
        sl = QVBoxLayout(self.skipped_box)
        sl.addWidget(self.skipped)

        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(tree_box)
        right.addWidget(self.warn_box)
        right.addWidget(self.skipped_box)
        right.setChildrenCollapsible(False)
        right.setStretchFactor(0, 3)
        right.setStretchFactor(1, 1)  # hints and the lines not imported matter alike
        right.setStretchFactor(2, 1)
        self.right_splitter = right
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(text_box)
        self.splitter.addWidget(right)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)

        note = QLabel("导入前不会写入台账。导入后作为一次新的巡察加入当前台账，原有内容不变；可以撤销（Ctrl+Z）。")
        note.setWordWrap(True)
        note.setStyleSheet(f"color: {HINT_COLOR}")
        buttons = QDialogButtonBox()
        self.import_button = buttons.addButton("导入", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.import_button.setDefault(False)
        self.import_button.setAutoDefault(False)
        buttons.accepted.connect(self.try_accept)
        buttons.rejected.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(note, 1)
        bottom.addWidget(buttons)

        lay = QVBoxLayout(self)
        lay.addWidget(self.splitter, 1)
        lay.addLayout(bottom)

        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.reparse)
        self.editor.textChanged.connect(self._text_changed)
        self._size()
        if text:
            self.editor.setPlainText(text)
        self.reparse()

    def _size(self) -> None:
        width, height = 1240, 760
        screen = self.screen().availableGeometry() if self.screen() is not None else None
        if screen is not None:
            width = min(width, int(screen.width() * 0.94))
            height = min(height, int(screen.height() * 0.9))
        self.resize(width, height)
        self.splitter.setSizes([width // 2, width // 2])
        self.right_splitter.setSizes([height * 3 // 5, height // 5, height // 5])

    # The text ---------------------------------------------------------------------------------------

    def _text_changed(self) -> None:
        self.import_button.setEnabled(False)  # until the preview shows what 导入 would add
        large = self.editor.document().characterCount() > LARGE_TEXT
        self.timer.start(DEBOUNCE_LARGE_MS if large else DEBOUNCE_MS)

    def open_file(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(self, "打开文本文件", str(self.start_dir), TEXT_FILTER)
        if not chosen:
            return
        path = Path(chosen)
        self.start_dir = path.parent
        try:
            with _BusyCursor():
                text = text_import.read_text_file(path)
        except text_import.TextImportError as exc:
            QMessageBox.critical(self, "无法读取文件", str(exc))
            return
        self.opened_path = path
        self.file_label.setText(f"已读入：{path.name}")
        self.editor.setPlainText(text)
        self.reparse()

    # The preview ------------------------------------------------------------------------------------

    def reparse(self) -> None:
        """Parses the text now (the timer calls it a moment after the last change)."""
        self.timer.stop()
        text = self.editor.toPlainText()
        if text == self.parsed_text:
            self._update_button()
            return
        with _BusyCursor():
            self.parsed = text_import.parse_text(text) if text.strip() else ImportedInspection()
        self.parsed_text = text
        self._fill()

    def _fill(self) -> None:
        p = self.parsed
        empty = not self.parsed_text or not self.parsed_text.strip()
        if empty:
            self.summary_label.setText("在左侧粘贴文字，或打开一个文本文件，这里即时显示将新建的方面、问题和细化问题。")
        elif not p.items():
            self.summary_label.setText(
                f'<span style="color:{OVERDUE_COLOR}">未识别出可导入的问题，不能导入。</span>请检查文字的层次和序号。'
            )
        else:
            title = p.title or "（文本中没有标题，导入后可修改）"
            self.summary_label.setText(f"<b>{_html(title)}</b><br>{text_import.summary(p)}")
        self.declared_label.setText(text_import.declared_summary(p.declared))
        self.declared_label.setVisible(bool(p.declared))
        # The figures imported here; those not imported are listed with the lines not imported, below.
        said = [
            x for x in ([] if empty or not p.items() else text_import.results_lines(p)) if not x.startswith("未导入")
        ]
        self.results_label.setText(said[0] if said else "")
        self.results_label.setVisible(bool(said))
        self._fill_tree()
        self.warnings.clear()
        for w in [] if empty else p.warnings:
            QListWidgetItem(w, self.warnings).setToolTip(w)
        n = self.warnings.count()
        self.warn_box.setTitle(f"请核对的提示（{n} 条）" if n else "提示（没有需要核对的地方）")
        self.skipped.clear()
        rows = (
            []
            if empty or not p.items()
            else [(sk.line, f"第{sk.line}行　［{sk.reason}］　{sk.text}") for sk in p.skipped]
        )
        if rows:
            rows += [(r.line, f"第{r.line}行　［整改成效未导入］　{r.text}：{r.reason}") for r in p.results_skipped]
        rows.sort(key=lambda x: x[0])
        self.skipped_lines = [line for line, _ in rows]
        for _, row in rows:
            QListWidgetItem(row, self.skipped).setToolTip(row)
        k = self.skipped.count()
        self.skipped_box.setTitle(f"未导入的内容（{k} 行，点击可在左侧查看）" if k else "未导入的内容（没有）")
        # Always shown, as the hints are: a box that appears later gets a sliver of the splitter, and
        # "（没有）" is itself worth saying.
        self._update_button()

    def _update_button(self) -> None:
        self.import_button.setEnabled(bool(self.parsed.items()))

    def _fill_tree(self) -> None:
        p = self.parsed
        bold = QFont(self.tree.font())
        bold.setBold(True)
        self.tree.setUpdatesEnabled(False)
        try:
            self.tree.clear()
            finding_numbers = iter(_numbers([f.number for f in p.findings()]))
            for ci, cat in enumerate(p.categories, 1):
                c = QTreeWidgetItem(self.tree, [f"{rules.category_label(ci)}{cat.title}"])
                c.setFont(0, bold)
                c.setFirstColumnSpanned(True)
                _remember(c, cat.source)
                for f in cat.findings:
                    fi = QTreeWidgetItem(c, [f"{rules.finding_label(next(finding_numbers))}{f.title}"])
                    fi.setFirstColumnSpanned(True)
                    fi.setToolTip(0, f.title)
                    _remember(fi, f.source)
                    for it, number in zip(f.items, _numbers([i.number for i in f.items]), strict=True):
                        ii = QTreeWidgetItem(fi, [f"{rules.item_label(number)}{it.title}", it.status, ""])
                        ii.setForeground(1, QBrush(QColor(STATUS_COLORS.get(it.status, HINT_COLOR))))
                        ii.setText(2, f"{len(it.measures)}条" if it.measures else "无")
                        if not it.measures:
                            ii.setForeground(2, QBrush(QColor(OVERDUE_COLOR)))
                        tip = [it.title]
                        if it.measures:
                            tip.append("整改措施：" + rules.measures_text([m.text for m in it.measures]))
                        if it.progress:
                            tip.append("整改进展：" + it.progress)
                        ii.setToolTip(0, "\n".join(tip))
                        _remember(ii, it.source)
                        for k, m in enumerate(it.measures, 1):
                            mi = QTreeWidgetItem(ii, [f"{rules.cn_number(k)}是{m.text}", "已完成" if m.done else ""])
                            mi.setToolTip(0, m.text)
                            mi.setForeground(0, QBrush(QColor("#3c4043")))
                            _remember(mi, it.source)
            if len(p.items()) <= EXPAND_ALL_MAX_ITEMS:
                self.tree.expandToDepth(1)  # categories and findings open, items' measures folded
            else:
                self.tree.expandToDepth(0)
        finally:
            self.tree.setUpdatesEnabled(True)

    def _show_source(self, current: QTreeWidgetItem | None, _previous: QTreeWidgetItem | None = None) -> None:
        """Puts the text's cursor on the line a tree node came from."""
        if current is None:
            return
        line = current.data(0, Qt.ItemDataRole.UserRole)
        if isinstance(line, int):
            self._goto_line(line)

    def _show_warning_line(self, row: int) -> None:
        if row < 0 or row >= len(self.parsed.warnings):
            return
        m = re.search(r"第(\d+)行", self.parsed.warnings[row])
        if m:
            self._goto_line(int(m.group(1)))

    def _show_skipped_line(self, row: int) -> None:
        if 0 <= row < len(self.skipped_lines):
            self._goto_line(self.skipped_lines[row])

    def _goto_line(self, line: int) -> None:
        block = self.editor.document().findBlockByNumber(max(0, line - 1))
        if not block.isValid():
            return
        cursor = QTextCursor(block)
        cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock, QTextCursor.MoveMode.KeepAnchor)
        self.editor.setTextCursor(cursor)
        self.editor.centerCursor()

    # 导入 -----------------------------------------------------------------------------------------------

    def try_accept(self) -> None:
        self.reparse()
        why = text_import.refusal(self.parsed)
        if why:
            QMessageBox.information(self, "不能导入", why)
            return
        self.accept()


def _remember(node: QTreeWidgetItem, source: str) -> None:
    m = re.search(r"第(\d+)行", source or "")
    if m:
        node.setData(0, Qt.ItemDataRole.UserRole, int(m.group(1)))


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def import_text(window: Any) -> None:
    """从文本导入: paste or open a text, see what it would make, then add it as a new inspection."""
    if window.ledger is None or window.ledger.closed or window.bridge is None:
        QMessageBox.information(window, "从文本导入", "请先打开一个台账。")
        return
    if window.ledger.readonly:
        QMessageBox.information(window, "从文本导入", "台账以只读方式打开，不能导入。")
        return
    dlg = TextImportDialog(window, _start_dir(window))
    try:
        if dlg.exec() != QDialog.DialogCode.Accepted.value:
            return
        parsed = dlg.parsed
        if dlg.opened_path is not None:
            _remember_dir(window, dlg.opened_path)
    finally:
        dlg.deleteLater()
    if not parsed.items():
        return
    _commit(window)
    command = AddInspection(parsed)
    if window.bridge.push(command) and command.inspection_id is not None:
        window.select("inspection", command.inspection_id)
        window.statusBar().showMessage(f"已从文本导入：{text_import.summary(parsed)}。可以撤销（Ctrl+Z）。", 10000)


# --- 生成通报 / 生成报告 ----------------------------------------------------------------------------------


def make_notice(window: Any, kind: str) -> None:
    """生成通报 (kind "notice") or 生成报告 ("report") for the inspection the clerk is in."""
    from rectify_desktop.io import notice

    name = KIND_NAMES.get(kind, "通报")
    if window.ledger is None or window.ledger.closed:
        QMessageBox.information(window, f"生成{name}", "请先打开一个台账。")
        return
    inspection_id = window.current_inspection_id()
    if inspection_id is None:
        QMessageBox.information(window, f"生成{name}", f"台账中还没有巡察，无法生成{name}。")
        return
    _commit(window)
    insp = Inspection.get_by_id(inspection_id)
    default = _start_dir(window) / _file_name(notice.document_title(insp, kind), ".docx")
    filters = notice_filters(kind)
    chosen, chosen_filter = QFileDialog.getSaveFileName(window, f"生成{name}", str(default), ";;".join(filters))
    if not chosen:
        return
    suffix, layout = filters.get(chosen_filter or "", (".txt" if "txt" in (chosen_filter or "") else ".docx", None))
    out = Path(chosen)
    if out.suffix.lower() not in (".docx", ".txt"):
        out = out.with_name(out.name + suffix)
    try:
        with _BusyCursor():
            notice.write(inspection_id, out, kind, layout=layout)
    except storage.LedgerError as exc:
        QMessageBox.critical(window, f"生成{name}失败", str(exc))
        return
    except OSError as exc:
        QMessageBox.critical(window, f"生成{name}失败", f"无法保存文件：{out}（{exc.strerror or exc}）")
        return
    except Exception as exc:  # noqa: BLE001 - a failed draft must not take the window down
        QMessageBox.critical(window, f"生成{name}失败", f"生成时出错，文件未保存：{out}（{type(exc).__name__}: {exc}）")
        return
    _remember_dir(window, out)
    window.statusBar().showMessage(f"已生成{name}：{out}", 10000)
    from rectify_desktop.ui.done_box import show_done

    show_done(
        window,
        out,
        f"已生成{name}初稿",
        title=f"生成{name}",
        extra="数字和各项整改情况来自台账；请在Word或WPS中审阅、修改措辞后使用。",
    )
