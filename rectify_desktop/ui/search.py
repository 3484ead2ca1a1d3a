"""The search and filter bar over the tree (查找与筛选).

Matching is done by core.search on an in-memory index; the tree is filtered by hiding rows in the view
rather than through a proxy model, so that the tree's indexes, selection and undo stay exactly those of
the ledger model, and each keystroke only touches the rows whose visibility changed.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import QComboBox, QGridLayout, QLabel, QLineEdit, QPushButton, QTreeView, QWidget

from rectify_desktop.core import search
from rectify_desktop.core.models import STATUSES
from rectify_desktop.core.outline import ITEM, Node
from rectify_desktop.ui.tree_model import LedgerTreeModel

MAX_AUTO_EXPAND = 300
DEADLINE_CHOICES = (
    ("全部期限", None),
    ("已逾期", search.OVERDUE),
    ("7日内到期", search.DUE_7),
    ("30日内到期", search.DUE_30),
)
WRITEOFF_CHOICES = (
    ("销号：全部", None),
    ("已销号", search.WRITTEN_OFF),
    ("待审核", search.PENDING),
    ("未销号", search.NOT_WRITTEN_OFF),
)


class SearchBar(QWidget):
    """Text and field filters; emits `changed` with the number of matching items (None when no filter)."""

    changed = Signal(object)

    def __init__(self, tree: QTreeView, model: LedgerTreeModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tree = tree
        self.model = model
        self.index: search.SearchIndex | None = None
        self._hidden: set[tuple[str, int]] = set()
        self.matches: set[int] | None = None
        lay = QGridLayout(self)
        lay.setContentsMargins(0, 0, 0, 4)
        self.text = QLineEdit()
        self.text.setObjectName("search.text")
        self.text.setPlaceholderText("查找：标题、描述、措施、进展、备注、责任人……（Ctrl+F）")
        self.text.setClearButtonEnabled(True)
        self.clear_button = QPushButton("清除筛选")
        self.clear_button.setMinimumWidth(60)
        self.clear_button.clicked.connect(self.clear)
        lay.addWidget(self.text, 0, 0, 1, 5)
        lay.addWidget(self.clear_button, 0, 5)
        self.scope: dict[str, object] = {}
        self.scope_label = QLabel()
        self.scope_label.setObjectName("search.scope")
        self.scope_label.setStyleSheet("color: #1a73e8")
        self.scope_label.hide()
        lay.addWidget(self.scope_label, 2, 0, 1, 6)
        self.status = self._combo("search.status", [("全部状态", None)] + [(s, s) for s in STATUSES])
        self.department = self._combo("search.department", [("全部部门", None)])
        self.leader = self._combo("search.leader", [("全部领导", None)])
        self.person = self._combo("search.person", [("全部责任人", None)])
        self.deadline = self._combo("search.deadline", list(DEADLINE_CHOICES))
        self.writeoff = self._combo("search.writeoff", list(WRITEOFF_CHOICES))
        for col, combo in enumerate(
            (self.status, self.department, self.leader, self.person, self.deadline, self.writeoff)
        ):
            lay.addWidget(combo, 1, col)
        # Typing restarts a short timer, so a burst of keys filters once; a combo filters at once.
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(120)
        self._timer.timeout.connect(self.apply)
        self.text.textChanged.connect(self._timer.start)
        # The name lists need the index; it is built when the window is idle, not while a ledger opens.
        self._idle = QTimer(self)
        self._idle.setSingleShot(True)
        self._idle.setInterval(800)
        self._idle.timeout.connect(self._ensure_index)
        self.model.modelReset.connect(self._after_reset)

    def _combo(self, name: str, choices: list[tuple[str, str | None]]) -> QComboBox:
        c = QComboBox()
        c.setObjectName(name)
        c.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        c.setMinimumContentsLength(2)
        c.setMinimumWidth(60)  # the filter row must not make the window wider than a small screen
        for text, value in choices:
            c.addItem(text, value)
        c.currentIndexChanged.connect(lambda _i: self.apply())
        return c

    def set_scope(self, label: str, **fields: object) -> None:
        """Limits the filter to a part of the ledger (an inspection, a category, write-off pending …),
        as the overview's figures ask; shown as a line under the bar until cleared."""
        self.scope = dict(fields)
        self.scope_label.setText(f"范围：{label}" if label else "")
        self.scope_label.setVisible(bool(label))

    def query(self) -> search.Query:
        fields: dict[str, object] = {
            "text": self.text.text(),
            "status": self.status.currentData(),
            "department": self.department.currentData(),
            "leader": self.leader.currentData(),
            "person": self.person.currentData(),
            "deadline": self.deadline.currentData(),
            "writeoff": self.writeoff.currentData(),
        }
        for key, value in self.scope.items():
            if not fields.get(key):
                fields[key] = value
        return search.Query(**fields)  # type: ignore[arg-type]

    def clear(self) -> None:
        self.scope = {}
        self.scope_label.hide()
        for combo in (self.status, self.department, self.leader, self.person, self.deadline, self.writeoff):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        self.text.blockSignals(True)
        self.text.clear()
        self.text.blockSignals(False)
        self.apply()

    def invalidate(self) -> None:
        """The ledger changed: the index is rebuilt, and the filter applied again if one is set."""
        self.index = None
        if self.matches is not None:
            self._timer.start()
        else:
            self._idle.start()

    def _ensure_index(self) -> search.SearchIndex:
        if self.index is None:
            from rectify_desktop.core.models import db

            if db.database is None or db.is_closed():
                self.index = search.SearchIndex.empty()
                return self.index
            self.index = search.SearchIndex(self.model.today, self.model.immediate_days)
            self._fill_names()
        return self.index

    def _fill_names(self) -> None:
        assert self.index is not None
        for combo, field, first in (
            (self.department, "department", "全部部门"),
            (self.leader, "leader", "全部领导"),
            (self.person, "person", "全部责任人"),
        ):
            current = combo.currentData()
            names = self.index.names(field)
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(first, None)
            for n in names:
                combo.addItem(n, n)
            if current in names:
                combo.setCurrentIndex(names.index(current) + 1)
            combo.blockSignals(False)

    def apply(self) -> None:
        self._timer.stop()  # applied now: a pending re-apply (typing, an edit) would only repeat it
        q = self.query()
        if q.is_empty():
            self.matches = None
            self._show(None)
            self.changed.emit(None)
            return
        self.matches = self._ensure_index().match(q)
        self._show(self.matches)
        self.changed.emit(len(self.matches))

    def _show(self, matches: set[int] | None) -> None:
        """Hides the rows that lead to no match. Only the frontier is hidden (the first non-matching row
        under a shown one), and only rows whose state changes are touched, so narrowing a search costs
        little however large the ledger."""
        model = self.model
        if matches is None:
            unhide, new_hidden, visible = set(self._hidden), set(), None
        else:
            visible = set()
            for item_id in matches:
                node = model.node(ITEM, item_id)
                while node is not None and (node.kind, node.id) not in visible:
                    visible.add((node.kind, node.id))
                    node = node.parent
            frontier = set()
            for r in model.roots:
                visible.add((r.kind, r.id))
            for key in visible:
                node = model.node(*key)
                if node is not None and node.kind != ITEM:
                    for c in node.children:
                        ck = (c.kind, c.id)
                        if ck not in visible:
                            frontier.add(ck)
            unhide = self._hidden & visible
            # Rows already hidden under a hidden parent may stay so: nobody sees them until it shows.
            new_hidden = frontier | (self._hidden - visible)
        for key in unhide:
            self._set_hidden(key, False)
        for key in new_hidden - self._hidden:
            self._set_hidden(key, True)
        self._hidden = new_hidden
        # Open the way to a few matches; with hundreds, expanding every path would bury them (and take long).
        if matches and visible and len(matches) <= MAX_AUTO_EXPAND:
            for key in visible:
                if key[0] != ITEM:
                    node = model.node(*key)
                    if node is not None:
                        self.tree.expand(model.index_of(node))

    def is_shown(self, node: Node | None) -> bool:
        """Whether the filter leaves `node` in sight: neither it nor a row above it is hidden."""
        while node is not None:
            if (node.kind, node.id) in self._hidden:
                return False
            node = node.parent
        return True

    def first_match(self) -> Node | None:
        """The first matching item in the tree's order (depth first), or None when nothing matches or no
        filter is set: where the form goes when the filter hides the row it showed."""
        if not self.matches:
            return None
        stack = list(reversed(self.model.roots))
        while stack:
            node = stack.pop()
            if node.kind == ITEM:
                if node.id in self.matches:
                    return node
                continue
            stack.extend(reversed(node.children))
        return None

    def _set_hidden(self, key: tuple[str, int], hide: bool) -> None:
        node = self.model.node(*key)
        if node is None:
            return
        parent = self.model.index_of(node.parent) if node.parent else QModelIndex()
        self.tree.setRowHidden(node.row, parent, hide)

    def _after_reset(self) -> None:
        # A reset forgets which rows were hidden; the index is stale too.
        self._hidden = set()
        self.index = None
        if self.matches is not None:
            self.apply()
        else:
            self._idle.start()


def focus_search(bar: SearchBar) -> None:
    bar.text.setFocus(Qt.FocusReason.ShortcutFocusReason)
    bar.text.selectAll()
