"""文件 → 下发填报表 / 回收填报表: the window's side of the fill-out round (issue 15).

下发: :class:`SendDialog` asks by whom (责任部门/责任领导/责任人), which inspection, the 交回时限 (optional,
printed in each workbook and its 填报说明) and the folder (remembered), and says beforehand how many workbooks
and items it makes; ``io.fillout_export.export_round`` then writes them, all or none, and records the round
through ``ledger.apply``: the window refreshes as for any edit, but the round is not put on the undo stack,
since undoing it would leave the files already sent pointing at a round the ledger no longer knows.

回收: the returned workbooks chosen, read into a plan (``io.fillout_merge.read_returns``, on this thread under a
wait cursor and a 正在读取 note: 50 workbooks take about 2 s, and reading on another thread would need a
second connection to the ledger), shown in :class:`~rectify_desktop.ui.fillout_merge_dialog.MergeDialog`, and
what the clerk ticks applied by ``core.fillout.apply_plan`` as ONE step on the window's undo stack.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QApplication,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from rectify_desktop.core.fillout import BY_FIELDS, round_groups
from rectify_desktop.core.storage import LedgerError
from rectify_desktop.core.table import cn_date, ledger_title

FOLDER_KEY = "fillout/last_dir"
RETURNS_KEY = "fillout/returns_dir"
RETURNS_FILTER = "Excel 工作簿 (*.xlsx);;所有文件 (*)"
DEADLINE_DAYS = 7  # the 交回时限 first offered: a week, as a monthly round usually gives
_BY_TEXT = {"department": "按责任部门", "leader": "按责任领导", "person": "按责任人"}
_BUSY_NOTE_FILES = 5  # from this many files on, a note says the files are being read


class _BusyCursor:
    def __enter__(self) -> None:
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)

    def __exit__(self, *exc: object) -> None:
        QApplication.restoreOverrideCursor()


def _ready(window: Any, title: str, *, write: bool = True) -> bool:
    """An open ledger, writable when `write`, with an inspection; else says why and returns False."""
    if window.ledger is None or window.ledger.closed or window.bridge is None:
        QMessageBox.information(window, title, "请先打开一个台账。")
        return False
    if write and window.ledger.readonly:
        what = "下发填报表（下发要记入台账）" if title.startswith("下发") else "合并填报表"
        QMessageBox.information(window, title, f"台账以只读方式打开，不能{what}。")
        return False
    if window.current_inspection_id() is None:
        QMessageBox.information(window, title, "台账中还没有巡察，没有可下发或合并的细化问题。")
        return False
    if getattr(window, "panel", None) is not None:
        window.panel.commit_pending()  # what is being typed belongs to the ledger the round reads
    return True


def _start_dir(window: Any, key: str) -> Path:
    """The folder used last time for this, else the ledger's folder."""
    last = window.settings.value(key, "", str) if window.settings is not None else ""
    if last and Path(last).is_dir():
        return Path(last)
    return window.ledger.folder


def _send_folder(window: Any) -> Path:
    """The folder last sent to; the first time a new folder beside the ledger named for the day, so that
    a round's workbooks are kept together and apart from the ledger file."""
    last = window.settings.value(FOLDER_KEY, "", str) if window.settings is not None else ""
    if last and Path(last).is_dir():
        return Path(last)
    return window.ledger.folder / f"整改进展填报表-{cn_date(dt.date.today())}"


def _remember(window: Any, key: str, folder: Path) -> None:
    if window.settings is not None:
        window.settings.setValue(key, str(folder))


# --- 下发 --------------------------------------------------------------------------------------------


class SendDialog(QDialog):
    """下发填报表: to whom, which inspection, by when, where; with what it will make."""

    def __init__(self, window: Any, inspection_id: int, folder: Path) -> None:
        super().__init__(window)
        self.setObjectName("fillout.send")
        self.setWindowTitle("下发填报表")
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        intro = QLabel(
            "为每个责任部门（或责任领导、责任人）生成一份只含其细化问题的Excel填报表。"
            "各部门在Excel或WPS中填写整改进展、完成情况等后交回，再用“回收填报表”合并到台账。"
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)

        by_row = QHBoxLayout()
        self.by_group = QButtonGroup(self)
        self.by_buttons: dict[str, QRadioButton] = {}
        for key, text in _BY_TEXT.items():
            button = QRadioButton(text)
            button.setObjectName(f"fillout.send.by.{key}")
            self.by_group.addButton(button)
            self.by_buttons[key] = button
            by_row.addWidget(button)
        by_row.addStretch(1)
        self.by_buttons["department"].setChecked(True)
        form.addRow("下发对象：", by_row)

        self.inspection_combo = QComboBox()
        self.inspection_combo.setObjectName("fillout.send.inspection")
        for insp in window.ledger.inspections():
            self.inspection_combo.addItem(ledger_title(insp), insp.id)
        self.inspection_combo.setCurrentIndex(max(0, self.inspection_combo.findData(inspection_id)))
        self.inspection_combo.currentIndexChanged.connect(self._update_preview)
        form.addRow("巡察：", self.inspection_combo)

        deadline_row = QHBoxLayout()
        self.deadline_check = QCheckBox("写明交回时限")
        self.deadline_check.setChecked(True)
        self.deadline_edit = QDateEdit(QDate.currentDate().addDays(DEADLINE_DAYS))
        self.deadline_edit.setDisplayFormat("yyyy年M月d日")
        self.deadline_edit.setCalendarPopup(True)
        self.deadline_check.toggled.connect(self.deadline_edit.setEnabled)
        deadline_row.addWidget(self.deadline_check)
        deadline_row.addWidget(self.deadline_edit)
        deadline_row.addWidget(QLabel("（写入填报表和填报说明）"))
        deadline_row.addStretch(1)
        form.addRow("填报截止日期：", deadline_row)

        folder_row = QHBoxLayout()
        self.folder_edit = QLineEdit(str(folder))
        self.folder_edit.setObjectName("fillout.send.folder")
        self.browse_button = QPushButton("浏览…")
        self.browse_button.clicked.connect(self._browse)
        folder_row.addWidget(self.folder_edit, 1)
        folder_row.addWidget(self.browse_button)
        form.addRow("保存到文件夹：", folder_row)
        layout.addLayout(form)

        self.preview_label = QLabel()
        self.preview_label.setObjectName("fillout.send.preview")
        self.preview_label.setWordWrap(True)
        font = self.preview_label.font()
        font.setBold(True)
        self.preview_label.setFont(font)
        layout.addWidget(self.preview_label)
        self.groups_label = QLabel()
        self.groups_label.setWordWrap(True)
        self.groups_label.setStyleSheet("color: #555;")
        layout.addWidget(self.groups_label)

        buttons = QDialogButtonBox()
        self.ok_button = buttons.addButton("生成填报表", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.ok_button.setDefault(True)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        for button in self.by_buttons.values():
            button.toggled.connect(self._update_preview)
        self._update_preview()

    def by(self) -> str:
        return next(k for k, b in self.by_buttons.items() if b.isChecked())

    def inspection_id(self) -> int:
        return int(self.inspection_combo.currentData())

    def deadline(self) -> dt.date | None:
        if not self.deadline_check.isChecked():
            return None
        return self.deadline_edit.date().toPython()  # type: ignore[no-any-return]

    def folder(self) -> Path:
        return Path(self.folder_edit.text().strip())

    def _browse(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "选择保存填报表的文件夹", self.folder_edit.text())
        if chosen:
            self.folder_edit.setText(chosen)

    def _update_preview(self, *_: object) -> None:
        """将生成 7 个填报表（共 29 项细化问题；3 项未明确责任部门，不下发）."""
        by = self.by()
        groups, nobody = round_groups(self.inspection_id(), by)
        items = len({i for ids in groups.values() for i in ids})
        who = BY_FIELDS[by]
        if not groups:
            self.preview_label.setText(f"没有可下发的细化问题：没有一项填写了{who}（已销号的不下发）。")
            self.groups_label.setText("")
            self.ok_button.setEnabled(False)
            return
        skipped = f"；{len(nobody)} 项未明确{who}，不下发" if nobody else ""
        self.preview_label.setText(f"将生成 {len(groups)} 个填报表（共 {items} 项细化问题{skipped}）")
        names = "、".join(f"{g}（{len(ids)}项）" for g, ids in groups.items())
        self.groups_label.setText(f"{who}：{names}")
        self.ok_button.setEnabled(True)

    def _accept(self) -> None:
        if not self.folder_edit.text().strip():
            QMessageBox.warning(self, "下发填报表", "请选择保存填报表的文件夹。")
            return
        self.accept()


class SentBox(QDialog):
    """已生成 N 个填报表, the files, the folder, and 打开文件夹 / 关闭."""

    def __init__(self, parent: QWidget, paths: list[Path], what: str, notes: list[str]) -> None:
        super().__init__(parent)
        self.setObjectName("fillout.sent")
        self.setWindowTitle("下发填报表")
        self.setMinimumWidth(480)
        self.paths = paths
        layout = QVBoxLayout(self)
        self.what_label = QLabel(what)
        font = self.what_label.font()
        font.setBold(True)
        self.what_label.setFont(font)
        self.what_label.setWordWrap(True)
        layout.addWidget(self.what_label)
        where = QLabel(f"保存在文件夹：\n{paths[0].parent}")
        where.setWordWrap(True)
        where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(where)
        self.files = QListWidget()
        self.files.addItems([p.name for p in paths])
        self.files.setMaximumHeight(24 * min(8, len(paths)) + 8)
        layout.addWidget(self.files)
        if notes:
            note = QLabel("\n".join(notes))
            note.setWordWrap(True)
            layout.addWidget(note)
        self.message_label = QLabel("")
        self.message_label.setWordWrap(True)
        self.message_label.setStyleSheet("color: #b45309;")
        self.message_label.setVisible(False)
        layout.addWidget(self.message_label)
        buttons = QDialogButtonBox()
        self.open_folder_button = buttons.addButton("打开文件夹", QDialogButtonBox.ButtonRole.ActionRole)
        self.close_button = buttons.addButton("关闭", QDialogButtonBox.ButtonRole.RejectRole)
        self.open_folder_button.clicked.connect(self.open_folder)
        self.close_button.clicked.connect(self.reject)
        self.close_button.setDefault(True)
        layout.addWidget(buttons)

    def open_folder(self) -> bool:
        from rectify_desktop.ui.done_box import reveal_in_folder

        if reveal_in_folder(self.paths[0]):
            self.accept()
            return True
        self.message_label.setText(f"无法打开文件夹：{self.paths[0].parent}")
        self.message_label.setVisible(True)
        return False


def send_round(window: Any) -> list[Path]:
    """下发填报表: the dialog, then the workbooks written and the round recorded (not on the undo stack)."""
    from rectify_desktop.io.fillout_export import export_round

    title = "下发填报表"
    if not _ready(window, title):
        return []
    dlg = SendDialog(window, window.current_inspection_id(), _send_folder(window))
    try:
        if dlg.exec() != QDialog.DialogCode.Accepted:
            return []
        by, insp, deadline, folder = dlg.by(), dlg.inspection_id(), dlg.deadline(), dlg.folder()
    finally:
        dlg.deleteLater()
    _, nobody = round_groups(insp, by)
    try:
        with _BusyCursor():
            paths = export_round(window.ledger, folder, by=by, inspection_id=insp, deadline=deadline)
    except LedgerError as exc:  # FillOutError / OutputError: 磁盘空间不足, 只读, … already in Chinese
        QMessageBox.critical(window, "下发失败", f"{exc}\n\n没有生成填报表，台账未改动。")
        return []
    except OSError as exc:
        QMessageBox.critical(window, "下发失败", f"无法保存填报表：{folder}（{exc.strerror or exc}）\n\n台账未改动。")
        return []
    except Exception as exc:  # noqa: BLE001 - a failed export must not take the window down
        QMessageBox.critical(window, "下发失败", f"生成填报表时出错，台账未改动：{type(exc).__name__}: {exc}")
        return []
    _remember(window, FOLDER_KEY, folder)
    what = f"已生成 {len(paths)} 个填报表（{BY_FIELDS[by]}各一份）"
    notes = []
    if deadline is not None:
        notes.append(f"交回时限：{cn_date(deadline)}（已写入填报说明）。")
    if nobody:
        notes.append(f"另有 {len(nobody)} 项细化问题未明确{BY_FIELDS[by]}，没有下发。")
    notes.append("请将各填报表分别发给对应单位，填好后交回，用“文件 → 回收填报表”合并。")
    window.statusBar().showMessage(f"{what}：{folder}", 10000)
    box = SentBox(window, paths, what + "。", notes)
    box.exec()
    box.deleteLater()
    return paths


# --- 回收 --------------------------------------------------------------------------------------------


def _read(window: Any, paths: list[str]) -> Any:
    """The plan of the returned files, read under a wait cursor (with a note when there are many)."""
    from rectify_desktop.io.fillout_merge import read_returns

    note = None
    if len(paths) >= _BUSY_NOTE_FILES:
        note = QProgressDialog(f"正在读取 {len(paths)} 个填报表…", "", 0, 0, window)
        note.setWindowTitle("回收填报表")
        note.setCancelButton(None)  # type: ignore[arg-type] # reading writes nothing: nothing to cancel
        note.setWindowModality(Qt.WindowModality.WindowModal)
        note.setMinimumDuration(0)
        note.setMinimumWidth(320)
        note.show()
        QApplication.processEvents()
    try:
        with _BusyCursor():
            return read_returns(paths)
    finally:
        if note is not None:
            note.close()
            note.deleteLater()


def merge_returns(window: Any) -> int:
    """回收填报表: choose the returned workbooks, look at every change, apply what was ticked as one undo
    step. Returns the number of changes applied."""
    from rectify_desktop.ui.fillout_merge_dialog import MergeDialog

    title = "回收填报表"
    if not _ready(window, title):
        return 0
    chosen, _ = QFileDialog.getOpenFileNames(
        window, "选择交回的填报表（可多选）", str(_start_dir(window, RETURNS_KEY)), RETURNS_FILTER
    )
    if not chosen:
        return 0
    _remember(window, RETURNS_KEY, Path(chosen[0]).parent)
    try:
        plan = _read(window, list(chosen))
    except Exception as exc:  # noqa: BLE001 - a file the reader chokes on must not take the window down
        QMessageBox.critical(window, "无法读取填报表", f"读取填报表时出错，台账未改动：{type(exc).__name__}: {exc}")
        return 0
    dlg = MergeDialog(plan, window)
    try:
        if dlg.exec() != QDialog.DialogCode.Accepted:
            window.statusBar().showMessage("已取消回收填报表，台账未改动", 8000)
            return 0
        accepted = dlg.accepted()
        command = dlg.command
    finally:
        dlg.deleteLater()
    if command is None:
        window.statusBar().showMessage("未合并任何改动：没有选中的改动，台账未改动", 10000)
        return 0
    with _BusyCursor():
        ok = window.bridge.push(command)
    if not ok:
        return 0  # the bridge has told the clerk why
    if not accepted:  # returned with no change at all: only their return is recorded
        read = len([f for f in plan.files if not f.refused])
        window.statusBar().showMessage(f"已登记 {read} 个交回的填报表（均无改动，可撤销）", 15000)
        return 0
    chosen_fields = [f for f in plan.fields() if f.id in accepted]
    items = len({f.item_id for f in chosen_fields})
    changes = len({(f.item_id, f.field) for f in chosen_fields})
    window.statusBar().showMessage(f"已合并 {items} 项细化问题的 {changes} 处改动（可撤销）", 15000)
    return changes
