"""What the pages, dialogs and exports ask of the main window (主窗口), as a protocol.

They take the window as their host and use only what is named here, so none of them imports
:mod:`rectify_desktop.ui.main_window`: the window stands above them all and the imports of ``ui`` have no
circle (tests/ui/test_ui_imports.py). Only the window's start-up (:mod:`rectify_desktop.ui.app`) imports it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from PySide6.QtCore import QSettings
    from PySide6.QtGui import QScreen
    from PySide6.QtWidgets import QStatusBar, QWidget

    from rectify_desktop.core.ledger import Ledger


class WindowHost(Protocol):
    """The main window as its pages and dialogs see it."""

    ledger: Ledger | None
    settings: QSettings
    panel: Any  # the edit panel (ui.forms.EditPanel) once a ledger is open, else None
    search: Any  # the search bar above the tree (ui.search.SearchBar)

    def current_inspection_id(self) -> int | None: ...
    def select(self, kind: str, row_id: int) -> None: ...
    def show_page(self, key: str) -> QWidget | None: ...
    def filter_items(self, label: str, **fields: object) -> int: ...
    def apply_ledger_settings(self) -> None: ...
    def open_ledger(self, path: Path | str, readonly: bool = False) -> bool: ...  # a file, or postgresql://…
    def add_inspection(self) -> None: ...
    def open_demo(self) -> None: ...
    def choose_ledger(self) -> None: ...
    def show_overdue(self) -> None: ...
    def statusBar(self) -> QStatusBar: ...  # noqa: N802 - Qt's name
    def screen(self) -> QScreen: ...
