"""The one message after every export (Excel, Word, PDF, the evidence zip, the lists' Excel).

Every export ends the same way, so that the clerk learns it once: what was written, where the file is,
any notes (texts carried on to the 续 sheet, evidence not yet attached), and 打开文件 / 打开所在文件夹 /
关闭. "已打开" is said only when a viewer actually started: QDesktopServices.openUrl says whether one
did; when none did, the box stays open, says that no program for that kind of file was found, and offers
the folder instead.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

from PySide6.QtCore import QProcess, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

__all__ = ["DoneBox", "reveal_in_folder", "show_done"]


def reveal_in_folder(path: Path) -> bool:
    """Opens the file's folder with the file selected where the platform allows (Windows Explorer, the
    macOS Finder); elsewhere (Linux file managers differ) just the folder. True when something started."""
    if sys.platform.startswith("win"):
        # explorer wants "/select," and the path as one argument; it returns 1 even on success, so only
        # whether it started tells anything
        if QProcess.startDetached("explorer.exe", [f"/select,{path}"]):
            return True
    elif sys.platform == "darwin":
        if QProcess.startDetached("open", ["-R", str(path)]):
            return True
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path.parent)))


class DoneBox(QDialog):
    """What was written, where, the notes, and 打开文件 / 打开所在文件夹 / 关闭."""

    def __init__(
        self,
        path: Path,
        what: str,
        *,
        title: str = "导出完成",
        notes: Iterable[str] = (),
        extra: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("export.done")
        self.path = Path(path)
        self.notes = [n for n in notes if n]
        self.setWindowTitle(title)
        self.setMinimumWidth(420)
        layout = QVBoxLayout(self)

        self.what_label = QLabel(f"{what}。" if what and what[-1] not in "。！？" else what)
        font = self.what_label.font()
        font.setBold(True)
        self.what_label.setFont(font)
        self.what_label.setWordWrap(True)
        layout.addWidget(self.what_label)

        where = QLabel(f"文件保存在：\n{self.path}")
        where.setWordWrap(True)
        where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)  # the clerk may copy the path
        layout.addWidget(where)
        self.where_label = where

        body = extra
        if self.notes:  # e.g. texts carried on to the 续 sheet: the clerk must know where they went
            body = (body + "\n\n" if body else "") + "注意：\n" + "\n".join(self.notes)
        self.notes_label = QLabel(body)
        self.notes_label.setWordWrap(True)
        self.notes_label.setVisible(bool(body))
        layout.addWidget(self.notes_label)

        # shown only when opening the file failed: which program is missing, and what to do instead
        self.message_label = QLabel("")
        self.message_label.setObjectName("export.done.message")
        self.message_label.setWordWrap(True)
        self.message_label.setStyleSheet("color: #b45309;")
        self.message_label.setVisible(False)
        layout.addWidget(self.message_label)

        buttons = QDialogButtonBox()
        self.open_file_button: QPushButton = buttons.addButton("打开文件", QDialogButtonBox.ButtonRole.ActionRole)
        self.open_folder_button: QPushButton = buttons.addButton(
            "打开所在文件夹", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.close_button: QPushButton = buttons.addButton("关闭", QDialogButtonBox.ButtonRole.RejectRole)
        self.open_file_button.clicked.connect(self.open_file)
        self.open_folder_button.clicked.connect(self.open_folder)
        self.close_button.clicked.connect(self.reject)
        layout.addWidget(buttons)
        self.close_button.setDefault(True)

    def _status(self, text: str) -> None:
        w = self.parentWidget().window() if self.parentWidget() is not None else None
        bar = getattr(w, "statusBar", None)
        if callable(bar):
            bar().showMessage(text, 8000)

    def open_file(self) -> bool:
        """Opens the file in its program; says 已打开 only when one started, else offers the folder."""
        if QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.path))):
            self._status(f"已打开“{self.path.name}”")
            self.accept()
            return True
        kind = self.path.suffix.lower() or "此类"
        text = f"没有找到可以打开{kind}文件的程序，文件未打开。可以点“打开所在文件夹”，从那里打开或复制它。"
        self.message_label.setText(text)
        self.message_label.setVisible(True)
        self._status(f"未打开“{self.path.name}”：没有找到可以打开{kind}文件的程序")
        self.open_folder_button.setDefault(True)
        self.open_folder_button.setFocus()
        return False

    def open_folder(self) -> bool:
        """Opens the folder, the file selected where the platform allows."""
        if reveal_in_folder(self.path):
            self._status(f"已打开所在文件夹：{self.path.parent}")
            self.accept()
            return True
        self.message_label.setText(f"无法打开文件夹：{self.path.parent}")
        self.message_label.setVisible(True)
        return False


def show_done(
    parent: QWidget,
    path: Path,
    what: str,
    *,
    title: str = "导出完成",
    notes: Iterable[str] = (),
    extra: str = "",
) -> DoneBox:
    """Shows the box modally (every export ends here) and returns it, for the caller's tests."""
    box = DoneBox(path, what, title=title, notes=notes, extra=extra, parent=parent)
    box.exec()
    box.deleteLater()
    return box
