"""The window's colours, in one place so that a status looks the same in the tree, the forms and the lists."""

from __future__ import annotations

from rectify_desktop.core.models import DONE, IN_PROGRESS, NOT_STARTED, ONGOING

STATUS_COLORS: dict[str, str] = {
    NOT_STARTED: "#757575",
    IN_PROGRESS: "#1a73e8",
    DONE: "#188038",
    ONGOING: "#8e44ad",
}
OVERDUE_COLOR = "#d93025"
DUE_SOON_COLOR = "#c2610c"
HINT_COLOR = "#808080"
WRITEOFF_COLORS: dict[str, str] = {"已销号": "#188038", "待审核": "#c2610c", "已退回": OVERDUE_COLOR}
