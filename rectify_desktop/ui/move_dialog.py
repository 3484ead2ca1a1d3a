"""移动到…: the small dialog that lists where a finding (the categories) or an item (the findings) may go."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget


class MoveDialog(QDialog):
    """A list of possible parents; the chosen one's id is `chosen` after exec."""

    def __init__(self, parent: QWidget | None, what: str, where: str, targets: list[tuple[int, str]]) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"移动{what}")
        self.setObjectName("move_dialog")
        self.chosen: int | None = None
        lay = QVBoxLayout(self)
        lay.addWidget(
            QLabel(f"把{what}移到哪个{where}下？\n它将排在该{where}的最后；其他序号不变，可用“重新编号”按新顺序编号。")
        )
        self.list = QListWidget()
        self.list.setObjectName("move_dialog.list")
        for row_id, label in targets:
            entry = QListWidgetItem(label)
            entry.setData(Qt.ItemDataRole.UserRole, row_id)
            entry.setToolTip(label)
            self.list.addItem(entry)
        if targets:
            self.list.setCurrentRow(0)
        self.list.itemDoubleClicked.connect(lambda _e: self.accept())
        lay.addWidget(self.list)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("移动")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        self.resize(460, 360)

    def accept(self) -> None:
        entry = self.list.currentItem()
        self.chosen = int(entry.data(Qt.ItemDataRole.UserRole)) if entry is not None else None
        super().accept()


def choose_parent(parent: QWidget | None, what: str, where: str, targets: list[tuple[int, str]]) -> int | None:
    """Asks where to move; the chosen parent's id, or None when cancelled."""
    dialog = MoveDialog(parent, what, where, targets)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.chosen
