"""帮助 → 使用说明 (F1): the short manual in Chinese, shipped with the program and read offline.

The text is one HTML file in the package's resources (resources/manual/manual.html, installed as
rectify_desktop.resources and collected by the PyInstaller spec with the other resources), shown in a
QTextBrowser beside a table of contents made from its sections. Ctrl+F finds text in it (Enter or F3 for the
next match, Shift+F3 for the one before). The window keeps one such dialog: F1 again brings it to the front.
It is not modal, so that the clerk can read a step and do it in the window.
"""

from __future__ import annotations

import html
import re
from importlib.resources import files
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut, QTextCursor, QTextDocument
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from rectify_desktop.ui.theme import HINT_COLOR, OVERDUE_COLOR

MANUAL_FILE = "manual/manual.html"
TITLE = "整改台账 使用说明"
# A section: <h2><a name="anchor" title="short name for the contents"></a>heading</h2>.
_SECTION = re.compile(r'<h2><a name="([^"]+)"(?: title="([^"]*)")?></a>(.*?)</h2>', re.S)
_TAG = re.compile(r"<[^>]+>")
AnchorRole = Qt.ItemDataRole.UserRole + 1


def manual_html() -> str:
    """The manual's HTML, from the package's resources."""
    return files("rectify_desktop.resources").joinpath(MANUAL_FILE).read_text(encoding="utf-8")


def sections(text: str) -> list[tuple[str, str, str]]:
    """(anchor, heading, short name) of each section, in order: the table of contents."""
    out = []
    for anchor, short, heading in _SECTION.findall(text):
        heading = html.unescape(_TAG.sub("", heading)).strip()
        out.append((anchor, heading, html.unescape(short).strip() or heading))
    return out


class ManualDialog(QDialog):
    """The manual: contents on the left, the text on the right, a find box above."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("manual")
        self.setWindowTitle(TITLE)
        self.setSizeGripEnabled(True)
        # a window of its own beside the main one, which stays usable
        self.setWindowFlag(Qt.WindowType.WindowMinMaxButtonsHint, True)
        self.setModal(False)
        text = manual_html()

        self.find_box = QLineEdit()
        self.find_box.setObjectName("manual.find")
        self.find_box.setPlaceholderText("在说明中查找（Ctrl+F）")
        self.find_box.setClearButtonEnabled(True)
        self.prev_button = QPushButton("上一个")
        self.prev_button.setObjectName("manual.prev")
        self.next_button = QPushButton("下一个")
        self.next_button.setObjectName("manual.next")
        for b in (self.prev_button, self.next_button):
            b.setAutoDefault(False)
        self.find_note = QLabel("")
        self.find_note.setObjectName("manual.find_note")
        self.find_note.setStyleSheet(f"color: {HINT_COLOR};")
        bar = QHBoxLayout()
        bar.addWidget(QLabel("查找："))
        bar.addWidget(self.find_box, 1)
        bar.addWidget(self.prev_button)
        bar.addWidget(self.next_button)
        bar.addWidget(self.find_note)

        self.contents = QListWidget()
        self.contents.setObjectName("manual.contents")
        for anchor, heading, short in sections(text):
            item = QListWidgetItem(short)
            item.setData(AnchorRole, anchor)
            item.setToolTip(heading)
            self.contents.addItem(item)
        # short names, whole: the full heading is in the tooltip and above the section
        self.contents.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.contents.setSpacing(2)
        widest = max((self.fontMetrics().horizontalAdvance(s) for _a, _h, s in sections(text)), default=120)
        self.contents.setMinimumWidth(widest + 30)
        self.browser = QTextBrowser()
        self.browser.setObjectName("manual.text")
        self.browser.setOpenExternalLinks(True)
        self.browser.setHtml(text)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.contents)
        split.addWidget(self.browser)
        split.setStretchFactor(1, 1)
        split.setSizes([widest + 40, 640])

        buttons = QDialogButtonBox()
        close = buttons.addButton("关闭", QDialogButtonBox.ButtonRole.RejectRole)
        close.setAutoDefault(False)
        close.clicked.connect(self.close)

        lay = QVBoxLayout(self)
        lay.addLayout(bar)
        lay.addWidget(split, 1)
        lay.addWidget(buttons)

        self.contents.itemClicked.connect(self._go)
        self.contents.itemActivated.connect(self._go)
        self.find_box.returnPressed.connect(self.find_next)
        self.find_box.textChanged.connect(self._find_from_top)
        self.next_button.clicked.connect(self.find_next)
        self.prev_button.clicked.connect(self.find_previous)
        QShortcut(QKeySequence.StandardKey.Find, self, self.focus_find)
        QShortcut(QKeySequence.StandardKey.FindNext, self, self.find_next)
        QShortcut(QKeySequence.StandardKey.FindPrevious, self, self.find_previous)
        self.resize(900, 680)

    # contents

    def _go(self, item: QListWidgetItem) -> None:
        self.go_to(str(item.data(AnchorRole)))

    def go_to(self, anchor: str) -> None:
        """Shows the section `anchor` at the top of the text."""
        self.browser.scrollToAnchor(anchor)

    # finding

    def focus_find(self) -> None:
        self.find_box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.find_box.selectAll()

    def _find(self, backward: bool = False) -> bool:
        words = self.find_box.text().strip()
        if not words:
            self.find_note.setText("")
            return False
        flags = QTextDocument.FindFlag.FindBackward if backward else QTextDocument.FindFlag(0)
        found = self.browser.find(words, flags)
        if not found:  # from the other end, as a find box does
            cursor = self.browser.textCursor()
            cursor.movePosition(QTextCursor.MoveOperation.End if backward else QTextCursor.MoveOperation.Start)
            self.browser.setTextCursor(cursor)
            found = self.browser.find(words, flags)
        if found:
            self.find_note.setText("")
            self.find_note.setStyleSheet(f"color: {HINT_COLOR};")
        else:
            self.find_note.setText("未找到")
            self.find_note.setStyleSheet(f"color: {OVERDUE_COLOR};")
        return found

    def find_next(self) -> bool:
        return self._find()

    def find_previous(self) -> bool:
        return self._find(backward=True)

    def _find_from_top(self, _text: str) -> None:
        # each new word is looked for from the beginning, so that typing lands on its first match
        cursor = self.browser.textCursor()
        cursor.movePosition(QTextCursor.MoveOperation.Start)
        self.browser.setTextCursor(cursor)
        self._find()


def open_manual(window: Any) -> ManualDialog:
    """帮助 → 使用说明 (F1): shows the manual beside the window, or brings it to the front if it is open."""
    dlg = getattr(window, "_manual_dialog", None)
    if dlg is None:
        dlg = ManualDialog(window)
        window._manual_dialog = dlg
        screen = window.screen().availableGeometry() if window.screen() else None
        if screen is not None:
            dlg.resize(min(960, int(screen.width() * 0.7)), min(760, int(screen.height() * 0.85)))
    dlg.show()
    dlg.raise_()
    dlg.activateWindow()
    return dlg
