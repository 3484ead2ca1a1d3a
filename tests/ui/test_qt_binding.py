"""The Qt binding itself must not corrupt the interpreter: PySide6 6.12.0 under Python 3.11 drops a
reference to None on every call of a void method, and the program aborts after a few thousand clicks."""

from __future__ import annotations

import sys

from PySide6.QtCore import QModelIndex, QStringListModel
from PySide6.QtWidgets import QTreeView


def test_void_methods_keep_none_alive(qtbot):
    model = QStringListModel(["甲", "乙", "丙"])
    view = QTreeView()
    qtbot.addWidget(view)
    view.setModel(model)
    before = sys.getrefcount(None)
    for _ in range(500):
        view.setRowHidden(0, QModelIndex(), False)
        view.expand(model.index(0, 0))
        view.show()
    # Python 3.12 made None immortal (its count is fixed); before that the count must not fall.
    assert sys.getrefcount(None) >= before
