"""The question asked when an item is set 已完成 or applied for 销号 while things are open on it (未完成事项).

One box lists what is open (each unticked measure by its text, 没有佐证材料) and offers three answers: tick the
listed measures done in the same step, go on anyway (recorded as the clerk's choice), or cancel. What is open
and what each answer does is decided in core/consistency.py; this box only asks.
"""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QPushButton, QWidget

from rectify_desktop.core.consistency import CANCEL, GO_ON, TICK, OpenThings

COMPLETING = "complete"
APPLYING = "apply"

_GO_ON_TEXT = {COMPLETING: "仍标记为已完成", APPLYING: "仍申请销号"}
_TITLES = {COMPLETING: "标记为已完成", APPLYING: "申请销号"}


class OpenThingsBox(QMessageBox):
    """该细化问题还有以下事项未完成：…  [同时将以上措施标为已完成] [仍标记为已完成] [取消]."""

    def __init__(self, parent: QWidget | None, ref: str, things: OpenThings, moment: str = COMPLETING) -> None:
        super().__init__(parent)
        self.setObjectName("open_things.box")
        self.setIcon(QMessageBox.Icon.Question)
        self.setWindowTitle(_TITLES[moment])
        listed = "\n".join(f"　· {line}" for line in things.lines())
        self.setText(f"{ref}还有以下事项未完成：\n{listed}")
        if things.measures:
            info = "可以同时将以上措施标为已完成（一次撤销可全部恢复），或确认仍按原样继续（将记入修改记录）。"
        else:
            info = "审核销号时要查看佐证材料，建议先添加。确认仍继续的，将记入修改记录。"
        self.setInformativeText(info)
        self.choice = CANCEL
        self.buttons: dict[str, QPushButton] = {}
        if things.measures:
            self._add(TICK, "同时将以上措施标为已完成", QMessageBox.ButtonRole.AcceptRole)
        self._add(GO_ON, _GO_ON_TEXT[moment], QMessageBox.ButtonRole.DestructiveRole)
        self._add(CANCEL, "取消", QMessageBox.ButtonRole.RejectRole)
        # Enter never goes on by accident: it ticks the measures, or cancels when there are none to tick.
        self.setDefaultButton(self.buttons[TICK] if TICK in self.buttons else self.buttons[CANCEL])
        self.setEscapeButton(self.buttons[CANCEL])

    def _add(self, choice: str, text: str, role: QMessageBox.ButtonRole) -> None:
        button = self.addButton(text, role)
        button.setObjectName(f"open_things.{choice}")
        button.clicked.connect(lambda _=False, c=choice: setattr(self, "choice", c))
        self.buttons[choice] = button

    def ask(self) -> str:
        """Shows the box; returns TICK, GO_ON or CANCEL (closing the box cancels)."""
        self.choice = CANCEL
        self.exec()
        return self.choice


def ask_open_things(parent: QWidget | None, ref: str, things: OpenThings, moment: str = COMPLETING) -> str:
    """Asks about `things` (nothing open: GO_ON without asking); returns TICK, GO_ON or CANCEL."""
    if not things:
        return GO_ON
    box = OpenThingsBox(parent, ref, things, moment)
    try:
        return box.ask()
    finally:
        box.deleteLater()
