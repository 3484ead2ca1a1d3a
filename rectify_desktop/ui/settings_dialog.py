"""设置 and 恢复备份: the ledger's own settings, this computer's backup choices, the automatic backup run
beside the window, and restoring a backup."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from rectify_desktop.core import backup, ledger, settings
from rectify_desktop.ui.dialogs import confirm

if TYPE_CHECKING:
    from rectify_desktop.ui.host import WindowHost


# This computer's clerk (经办人), named in the change log beside the computer's account; asked once on first start.
OPERATOR_KEY = "operator/name"
OPERATOR_ASKED_KEY = "operator/asked"


def operator_name(qs: QSettings) -> str:
    return " ".join(str(qs.value(OPERATOR_KEY, "", str) or "").split())


def store_operator(qs: QSettings, name: str) -> str:
    """Keeps the name in this computer's settings and has the change log use it from now on."""
    name = " ".join(name.split())
    qs.setValue(OPERATOR_KEY, name)
    qs.setValue(OPERATOR_ASKED_KEY, True)
    qs.sync()
    ledger.set_operator(name)
    return name


def operator_hint() -> str:
    account = ledger.account_name()
    return (
        f"台账的每一处修改都会在修改记录中记下经办人，并附上本机账户，例如“张三（{account}）”，"
        "以便多人共用一台电脑时分清是谁改的。"
    )


class OperatorDialog(QDialog):
    """The first start's one question: who works at this computer."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("经办人")
        self.setMinimumWidth(420)
        lay = QVBoxLayout(self)
        prompt = QLabel("请填写您的姓名（经办人）。" + operator_hint() + "以后可在“设置”中修改。")
        prompt.setObjectName("operator.prompt")
        prompt.setWordWrap(True)
        lay.addWidget(prompt)
        self.name = QLineEdit()
        self.name.setObjectName("setting.operator")
        self.name.setPlaceholderText("例如：张三")
        self.name.setMaxLength(40)
        lay.addWidget(self.name)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("暂不填写")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)


def ask_operator(qs: QSettings, parent: QWidget | None = None) -> str:
    """Asks the clerk's name once; left empty or put off, it is not asked again (设置 has it)."""
    dlg = OperatorDialog(parent)
    name = dlg.name.text() if dlg.exec() == QDialog.DialogCode.Accepted else ""
    return store_operator(qs, name)


def backup_folder(qs: QSettings) -> Path:
    from rectify_desktop.ui.paths import data_dir

    value = qs.value("backup/dir", "", str)
    return Path(value) if value else data_dir() / "备份"


def backup_keep(qs: QSettings) -> int:
    try:
        return max(1, int(qs.value("backup/keep", backup.DEFAULT_KEEP)))
    except (TypeError, ValueError):
        return backup.DEFAULT_KEEP


DEFAULT_BUDGET_GB = 5.0
_GB = 1 << 30


def backup_budget(qs: QSettings) -> backup.Budget:
    """备份空间上限 as this computer's clerk chose it: a share of the backup disk's free space (the default)
    or a fixed number of GB."""
    try:
        if qs.value("backup/budget_mode", "percent", str) == "fixed":
            gb = float(qs.value("backup/budget_gb", DEFAULT_BUDGET_GB))
            return backup.Budget(fixed=int(max(gb, 0.1) * _GB))
        percent = int(qs.value("backup/budget_percent", backup.DEFAULT_BUDGET_PERCENT))
        return backup.Budget(percent=min(max(percent, 1), 90))
    except (TypeError, ValueError):
        return backup.Budget()


class BackupRunner(QObject):
    """One automatic backup, run in a thread so that the window never waits for the copy; its outcome is
    handed to the window's thread. `abandon` (the window closing) leaves no partial file behind."""

    finished = Signal(object)

    def __init__(self, job: backup.BackupJob, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.job = job
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="自动备份", daemon=True)
        self._thread.start()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def wait(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def abandon(self) -> None:
        self.job.abandon()

    def _run(self) -> None:
        try:
            outcome = self.job.run()
        except Exception as exc:  # noqa: BLE001 - whatever went wrong is told, and the clerk's work goes on
            outcome = backup.Outcome(error=f"自动备份失败，台账本身未受影响（{exc}）")
        if self.job.abandoned:
            return
        try:
            self.finished.emit(outcome)
        except RuntimeError:
            pass  # the window is gone


class SettingsDialog(QDialog):
    """The ledger's settings (saved in the ledger, undoable) and this computer's backup choices."""

    def __init__(self, window: WindowHost) -> None:
        super().__init__(window)
        self.window_ = window
        self.setWindowTitle("设置")
        self.setMinimumWidth(520)
        lay = QVBoxLayout(self)
        box = QGroupBox("本台账的设置（保存在台账文件中）")
        form = QFormLayout(box)
        self.fields: dict[str, QLineEdit | QSpinBox] = {}
        for spec in settings.SPECS:
            if spec.kind == "int":
                w: QLineEdit | QSpinBox = QSpinBox()
                w.setRange(spec.minimum, spec.maximum)
                w.setValue(settings.get_int(spec.key))
            else:
                w = QLineEdit(settings.get(spec.key))
            w.setObjectName(f"setting.{spec.key}")
            w.setEnabled(not window.ledger.readonly)
            self.fields[spec.key] = w
            form.addRow(spec.label + "：", w)
        lay.addWidget(box)
        machine = QGroupBox("本机的设置")
        mform = QFormLayout(machine)
        self.operator = QLineEdit(operator_name(window.settings))
        self.operator.setObjectName("setting.operator")
        self.operator.setPlaceholderText("您的姓名，例如：张三")
        self.operator.setMaxLength(40)
        self.operator.setToolTip(operator_hint())
        mform.addRow("经办人：", self.operator)
        who = QLabel(f"记入修改记录，附本机账户，如“张三（{ledger.account_name()}）”。")
        who.setObjectName("operator.hint")
        who.setWordWrap(True)
        who.setStyleSheet("color: #808080")
        mform.addRow(who)
        self.backup_dir = QLineEdit(str(backup_folder(window.settings)))
        self.backup_dir.setObjectName("setting.backup_dir")
        browse = QPushButton("浏览…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.backup_dir, 1)
        row.addWidget(browse)
        holder = QWidget()
        holder.setLayout(row)
        row.setContentsMargins(0, 0, 0, 0)
        mform.addRow("自动备份文件夹：", holder)
        self.keep = QSpinBox()
        self.keep.setObjectName("setting.backup_keep")
        self.keep.setRange(1, 500)
        self.keep.setValue(backup_keep(window.settings))
        mform.addRow("最多保留备份份数：", self.keep)
        budget = backup_budget(window.settings)
        self.budget_mode = QComboBox()
        self.budget_mode.setObjectName("setting.backup_budget_mode")
        self.budget_mode.addItem("备份磁盘可用空间的百分比", "percent")
        self.budget_mode.addItem("固定大小", "fixed")
        self.budget_percent = QSpinBox()
        self.budget_percent.setObjectName("setting.backup_budget_percent")
        self.budget_percent.setRange(1, 90)
        self.budget_percent.setSuffix(" %")
        self.budget_percent.setValue(budget.percent)
        self.budget_gb = QDoubleSpinBox()
        self.budget_gb.setObjectName("setting.backup_budget_gb")
        self.budget_gb.setRange(0.1, 100000.0)
        self.budget_gb.setDecimals(1)
        self.budget_gb.setSuffix(" GB")
        self.budget_gb.setValue(budget.fixed / _GB if budget.fixed is not None else DEFAULT_BUDGET_GB)
        self.budget_mode.currentIndexChanged.connect(self._budget_mode_changed)
        self.budget_mode.setCurrentIndex(1 if budget.fixed is not None else 0)
        self._budget_mode_changed()
        brow = QHBoxLayout()
        brow.setContentsMargins(0, 0, 0, 0)
        for w in (self.budget_mode, self.budget_percent, self.budget_gb):
            brow.addWidget(w)
        bholder = QWidget()
        bholder.setLayout(brow)
        mform.addRow("备份占用空间上限：", bholder)
        hint = QLabel(
            "打开台账时，若台账自上次备份以来有改动，就在后台自动备份一份。旧备份按时间疏减："
            "保留最近几份，近一周每天一份，近一月每周一份，更早的每月一份；"
            "总大小不超过上述上限（至少保留最新一份）。备份磁盘空间不足时不备份，并在窗口上方提示。"
        )
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #808080")
        mform.addRow(hint)
        lay.addWidget(machine)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)

    def _budget_mode_changed(self) -> None:
        fixed = self.budget_mode.currentData() == "fixed"
        self.budget_percent.setVisible(not fixed)
        self.budget_gb.setVisible(fixed)

    def _browse(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "选择自动备份文件夹", self.backup_dir.text())
        if path:
            self.backup_dir.setText(path)

    def values(self) -> dict[str, str]:
        out = {}
        for key, w in self.fields.items():
            out[key] = str(w.value()) if isinstance(w, QSpinBox) else w.text().strip()
        return out

    def save(self) -> None:
        w = self.window_
        changed = {k: v for k, v in self.values().items() if v != settings.get(k)}
        command = None
        if changed and not w.ledger.readonly:
            try:
                command = settings.SetSettings(changed)
            except ValueError as exc:
                QMessageBox.warning(self, "设置有误", str(exc))
                return
        # The name first: the settings changed in this same step are already the clerk's.
        if self.operator.text().strip() != operator_name(w.settings):
            store_operator(w.settings, self.operator.text())
        if command is not None:
            w.bridge.push(command)
        w.settings.setValue("backup/dir", self.backup_dir.text().strip())
        w.settings.setValue("backup/keep", self.keep.value())
        w.settings.setValue("backup/budget_mode", self.budget_mode.currentData())
        w.settings.setValue("backup/budget_percent", self.budget_percent.value())
        w.settings.setValue("backup/budget_gb", self.budget_gb.value())
        w.settings.sync()
        self.accept()


class RestoreDialog(QDialog):
    """Lists this ledger's backups, newest first, and restores the chosen one."""

    def __init__(self, window: WindowHost) -> None:
        super().__init__(window)
        self.window_ = window
        self.setWindowTitle("恢复备份")
        self.setMinimumSize(520, 380)
        lay = QVBoxLayout(self)
        self.folder = backup_folder(window.settings)
        lay.addWidget(QLabel(f"备份文件夹：{self.folder}"))
        self.list = QListWidget()
        self.list.setObjectName("restore.list")
        for b in backup.list_backups(window.ledger.path, self.folder):
            it = QListWidgetItem(b.label)
            it.setData(256, str(b.path))
            self.list.addItem(it)
        if self.list.count():
            self.list.setCurrentRow(0)
        lay.addWidget(self.list, 1)
        note = QLabel("恢复前会先把当前台账备份一份，恢复后仍可从该备份找回当前内容。")
        note.setWordWrap(True)
        note.setStyleSheet("color: #808080")
        lay.addWidget(note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.restore_button = buttons.addButton("恢复所选备份", QDialogButtonBox.ButtonRole.AcceptRole)
        self.restore_button.setEnabled(self.list.count() > 0)
        buttons.accepted.connect(self.restore)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)

    def chosen(self) -> Path | None:
        it = self.list.currentItem()
        return Path(it.data(256)) if it else None

    def restore(self) -> None:
        chosen = self.chosen()
        w = self.window_
        if chosen is None:
            return
        if not confirm(self, "恢复备份", f"确定用这份备份替换当前台账吗？\n\n{self.list.currentItem().text()}"):
            return
        path = w.ledger.path
        w.close_ledger()
        try:
            safety = backup.restore(path, chosen, self.folder)
        except Exception as exc:  # noqa: BLE001 - any failure: say it, and reopen the ledger as it was
            w.open_ledger(path)
            QMessageBox.critical(self, "恢复失败", str(exc))
            return
        w.open_ledger(path)
        w.statusBar().showMessage(f"已恢复备份；恢复前的台账已备份为 {safety.name}", 10000)
        self.accept()


def open_settings_dialog(window: WindowHost) -> None:
    if window.ledger is None:
        return
    SettingsDialog(window).exec()
    window.apply_ledger_settings()


def open_restore_dialog(window: WindowHost) -> None:
    if window.ledger is None or window.ledger.readonly:
        return
    RestoreDialog(window).exec()
