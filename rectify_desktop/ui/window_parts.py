"""Small parts of the main window: the notice above the pages, the page shown when the filter hides the
selected row, and the welcome page when no ledger is open."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from rectify_desktop.ui.host import WindowHost


class NoticeBar(QFrame):
    """A short, dismissable notice above the tree (what fell overdue since the ledger was last opened)."""

    def __init__(self, window: WindowHost) -> None:
        super().__init__()
        self.setObjectName("notice")
        self.setStyleSheet("#notice { background: #fdecea; border: 1px solid #f5c2c0; border-radius: 4px; }")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(8, 4, 4, 4)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.show_button = QPushButton("查看逾期事项")
        self.show_button.clicked.connect(window.show_overdue)
        self.close_button = QPushButton("知道了")
        self.close_button.clicked.connect(self.hide)
        lay.addWidget(self.label, 1)
        lay.addWidget(self.show_button)
        lay.addWidget(self.close_button)
        self.hide()

    def say(self, text: str) -> None:
        self.label.setText(text)
        self.show_button.show()
        self.setVisible(bool(text))

    def add(self, text: str) -> None:
        """Adds a line below what the notice says (a failed automatic backup), never hiding it."""
        if self.isHidden() or not self.label.text():
            self.label.setText(text)
            self.show_button.hide()
        elif text not in self.label.text().split("\n"):
            self.label.setText(f"{self.label.text()}\n{text}")
        self.show()


class FilteredOutPage(QWidget):
    """Stands in for the form when the filter hides the selected row and nothing matches: the clerk sees
    why the form is empty, and nothing hidden can be edited."""

    def __init__(self, window: WindowHost) -> None:
        super().__init__()
        self.setObjectName("filtered_out")
        lay = QVBoxLayout(self)
        lay.addStretch(1)
        self.label = QLabel("")
        self.label.setObjectName("filtered_out.label")
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setWordWrap(True)
        self.label.setStyleSheet("color: #5f6368")
        lay.addWidget(self.label)
        row = QHBoxLayout()
        row.addStretch(1)
        self.clear_button = QPushButton("清除筛选")
        self.clear_button.clicked.connect(window.search.clear)
        row.addWidget(self.clear_button)
        row.addStretch(1)
        lay.addLayout(row)
        lay.addStretch(2)

    def say(self, hidden: str) -> None:
        self.label.setText(
            f"选中的{hidden}已被筛选隐藏，没有符合筛选条件的细化问题。\n请修改或清除筛选条件后再编辑。"
            if hidden
            else "没有符合筛选条件的细化问题。\n请修改或清除筛选条件后再编辑。"
        )


class WelcomePage(QWidget):
    """Shown when a ledger holds no inspection yet: the three ways to begin."""

    def __init__(self, window: WindowHost) -> None:
        super().__init__()
        lay = QVBoxLayout(self)
        lay.addStretch(1)
        title = QLabel("欢迎使用整改台账")
        f = title.font()
        f.setPointSize(f.pointSize() + 8)
        f.setBold(True)
        title.setFont(f)
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lay.addWidget(title)
        hint = QLabel(
            "巡察、审计、督查反馈的问题，在这里逐项细化、落实责任、跟踪进展、收集佐证、对账销号。\n"
            "所有修改即时保存，可随时撤销。"
        )
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        hint.setWordWrap(True)
        lay.addWidget(hint)
        # Two by two: four in a row would make the window wider than a small screen (800 px) allows.
        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(10)
        self.buttons: dict[str, QPushButton] = {}
        for n, (key, text, slot) in enumerate(
            (
                ("new_inspection", "新建巡察整改台账", window.add_inspection),
                ("demo", "打开示例台账", window.open_demo),
                ("open", "打开台账文件…", window.choose_ledger),
                # The shared ledger on the office's server, for offices where several people keep it at once.
                ("connect_server", "连接服务器台账…", lambda: window.actions["connect_server"].trigger()),
            )
        ):
            b = QPushButton(text)
            b.setMinimumSize(140, 44)
            b.clicked.connect(slot)
            grid.addWidget(b, n // 2, n % 2)
            self.buttons[key] = b
        row = QHBoxLayout()
        row.addStretch(1)
        row.addLayout(grid)
        row.addStretch(1)
        lay.addLayout(row)
        self.path_label = QLabel("")
        self.path_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.path_label.setStyleSheet("color: #5f6368")
        # a long path must not widen the right pane and push the tree aside; it is elided by the pane
        self.path_label.setMinimumWidth(1)
        lay.addWidget(self.path_label)
        lay.addStretch(2)
