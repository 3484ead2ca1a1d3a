"""The tree of the ledger (台账目录): a QAbstractItemModel over the outline, kept in step with the ledger.

The model listens to the ledger's one door: every Change becomes the matching insert, remove, move or
dataChanged signal, so that the tree keeps its expansion and selection through edits, undo and redo.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QAbstractItemModel, QByteArray, QMimeData, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QIcon, QPainter, QPixmap

from rectify_desktop.core import rules
from rectify_desktop.core.commands import Change
from rectify_desktop.core.models import Category, Finding, Inspection, Item
from rectify_desktop.core.models import WriteOff as WriteOffModel
from rectify_desktop.core.outline import CATEGORY, FINDING, INSPECTION, ITEM, MODEL_KINDS, Node, OutlineLoader
from rectify_desktop.core.stats import item_rows
from rectify_desktop.ui.theme import DUE_SOON_COLOR, OVERDUE_COLOR, STATUS_COLORS

COLUMNS = ("序号及标题", "完成情况", "整改时限", "责任部门")
COL_TITLE, COL_STATUS, COL_DEADLINE, COL_DEPARTMENT = range(4)


_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
# A finding or an item may be dragged (to another parent); a category or a finding takes a drop.
_KIND_FLAGS = {
    INSPECTION: _FLAGS,
    CATEGORY: _FLAGS | Qt.ItemFlag.ItemIsDropEnabled,
    FINDING: _FLAGS | Qt.ItemFlag.ItemIsDragEnabled | Qt.ItemFlag.ItemIsDropEnabled,
    ITEM: _FLAGS | Qt.ItemFlag.ItemIsDragEnabled,
}
MIME_TYPE = "application/x-rectify-desktop-node"
# What a dragged node may be dropped on: its kind of parent.
DROP_PARENT = {FINDING: CATEGORY, ITEM: FINDING}
WRITTEN_OFF = "已销号"
KindRole = Qt.ItemDataRole.UserRole + 1
IdRole = Qt.ItemDataRole.UserRole + 2

_icon_cache: dict[str, QIcon] = {}


def status_icon(color: str, check: bool = False) -> QIcon:
    """A small filled circle in the status colour (with a tick for written-off items)."""
    key = color + ("✓" if check else "")
    icon = _icon_cache.get(key)
    if icon is None:
        pm = QPixmap(16, 16)
        pm.fill(Qt.GlobalColor.transparent)
        p = QPainter(pm)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setBrush(QColor(color))
        p.setPen(Qt.PenStyle.NoPen)
        p.drawEllipse(2, 2, 12, 12)
        if check:
            pen = p.pen()
            p.setPen(QColor("white"))
            p.drawLine(5, 8, 7, 11)
            p.drawLine(7, 11, 11, 5)
            p.setPen(pen)
        p.end()
        icon = QIcon(pm)
        _icon_cache[key] = icon
    return icon


def _root(node: Node) -> Node:
    while node.parent is not None:
        node = node.parent
    return node


class LedgerTreeModel(QAbstractItemModel):
    """Inspections → categories （一） → findings 1. → items （1）, with status, deadline and department."""

    def __init__(self, parent: object | None = None) -> None:
        super().__init__(parent)
        self.roots: list[Node] = []
        self._nodes: dict[tuple[str, int], Node] = {}
        self._counts: dict[int, tuple[int, int]] = {}
        self.today = dt.date.today()
        self.immediate_days = 30
        self.due_soon_days = 7
        self._bold = QFont()
        self._bold.setBold(True)
        # Moves a dragged node under its new parent through the window (kind, id, parent id) → done.
        self.on_move: Callable[[str, int, int], bool] | None = None

    # --- loading -----------------------------------------------------------------------------------

    def _loader(self) -> OutlineLoader:
        return OutlineLoader(self.today, self.immediate_days)

    def reload(self) -> None:
        self.beginResetModel()
        self.today = dt.date.today()
        self.roots = self._loader().load() if self._connected() else []
        self._nodes = {}
        self._counts = {}
        for r in self.roots:
            self._register(r)
        self.endResetModel()

    def clear(self) -> None:
        self.beginResetModel()
        self.roots, self._nodes, self._counts = [], {}, {}
        self.endResetModel()

    @staticmethod
    def _connected() -> bool:
        from rectify_desktop.core.models import db

        return db.database is not None and not db.is_closed()

    def _register(self, node: Node) -> None:
        self._nodes[(node.kind, node.id)] = node
        for c in node.children:
            self._register(c)

    def _unregister(self, node: Node) -> None:
        self._nodes.pop((node.kind, node.id), None)
        for c in node.children:
            self._unregister(c)

    def node(self, kind: str, row_id: int) -> Node | None:
        return self._nodes.get((kind, row_id))

    def node_for(self, index: QModelIndex) -> Node | None:
        return index.internalPointer() if index.isValid() else None

    def index_for(self, kind: str, row_id: int, column: int = 0) -> QModelIndex:
        node = self.node(kind, row_id)
        return self.createIndex(node.row, column, node) if node else QModelIndex()

    def index_of(self, node: Node, column: int = 0) -> QModelIndex:
        return self.createIndex(node.row, column, node)

    def item_count(self) -> int:
        return sum(1 for k in self._nodes if k[0] == ITEM)

    # --- QAbstractItemModel ------------------------------------------------------------------------

    def index(self, row: int, column: int, parent: QModelIndex = QModelIndex()) -> QModelIndex:  # noqa: B008
        if column < 0 or column >= len(COLUMNS) or row < 0:
            return QModelIndex()
        if parent.isValid() and parent.column() != 0:
            return QModelIndex()
        children = parent.internalPointer().children if parent.isValid() else self.roots
        if row >= len(children):
            return QModelIndex()
        return self.createIndex(row, column, children[row])

    def parent(self, index: QModelIndex = QModelIndex()) -> QModelIndex:  # noqa: B008
        if not index.isValid():
            return QModelIndex()
        node: Node = index.internalPointer()
        if node.parent is None:
            return QModelIndex()
        return self.createIndex(node.parent.row, 0, node.parent)

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        if not parent.isValid():
            return len(self.roots)
        if parent.column() != 0:
            return 0
        return len(parent.internalPointer().children)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def flags(self, index: QModelIndex) -> Qt.ItemFlag:
        # Asked for every visible cell on every paint: constants, no enum arithmetic per call.
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        node: Node = index.internalPointer()
        if node.kind == ITEM and node.writeoff == WRITTEN_OFF:
            return _FLAGS  # its number is in the approved write-off paperwork: it stays where it is
        return _KIND_FLAGS[node.kind]

    # --- drag and drop: a finding to another category, an item to another finding ------------------

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [MIME_TYPE]

    def mimeData(self, indexes: list[QModelIndex]) -> QMimeData:
        data = QMimeData()
        nodes = {id(n): n for n in (i.internalPointer() for i in indexes if i.isValid())}
        if len(nodes) == 1:
            node = next(iter(nodes.values()))
            data.setData(MIME_TYPE, QByteArray(f"{node.kind}:{node.id}".encode()))
        return data

    def dragged(self, data: QMimeData) -> Node | None:
        if data is None or not data.hasFormat(MIME_TYPE):
            return None
        kind, _, row_id = bytes(data.data(MIME_TYPE).data()).decode().partition(":")
        return self.node(kind, int(row_id)) if row_id.isdigit() else None

    def drop_target(self, data: QMimeData, parent: QModelIndex) -> tuple[Node, Node] | None:
        """(dragged node, new parent) when the drop is one the ledger takes, else None: a finding onto
        another category, an item onto another finding, in the same inspection; never a written-off item."""
        node = self.dragged(data)
        target = self.node_for(parent)
        if node is None or target is None or DROP_PARENT.get(node.kind) != target.kind:
            return None
        if node.parent is target or (node.kind == ITEM and node.writeoff == WRITTEN_OFF):
            return None
        if _root(node) is not _root(target):
            return None
        return node, target

    def canDropMimeData(  # noqa: N802 - Qt's name
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: QModelIndex
    ) -> bool:
        return action == Qt.DropAction.MoveAction and self.drop_target(data, parent) is not None

    def dropMimeData(  # noqa: N802 - Qt's name
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: QModelIndex
    ) -> bool:
        # The place among the new siblings is not taken: a moved node goes to the end (no renumbering).
        found = self.drop_target(data, parent) if action == Qt.DropAction.MoveAction else None
        if found is None or self.on_move is None:
            return False
        node, target = found
        return bool(self.on_move(node.kind, node.id, target.id))

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        node: Node = index.internalPointer()
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(node, col)
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == COL_STATUS and node.kind == ITEM:
                # A narrow column elides "正在推进（已退回）": the tooltip says it whole, first.
                return f"{self._display(node, COL_STATUS)}\n{self._tooltip(node)}"
            return self._tooltip(node)
        if role == Qt.ItemDataRole.DecorationRole and col == COL_TITLE and node.kind == ITEM:
            color = OVERDUE_COLOR if node.overdue else STATUS_COLORS.get(node.status, "#9aa0a6")
            return status_icon(color, node.writeoff == "已销号")
        if role == Qt.ItemDataRole.ForegroundRole:
            if node.kind == ITEM and node.overdue:
                return QBrush(QColor(OVERDUE_COLOR))
            if node.kind == ITEM and self._due_soon(node) and col in (COL_TITLE, COL_DEADLINE):
                return QBrush(QColor(DUE_SOON_COLOR))
            if col == COL_STATUS and node.kind == ITEM:
                return QBrush(QColor(STATUS_COLORS.get(node.status, "#000000")))
        if role == Qt.ItemDataRole.FontRole and node.kind in (INSPECTION, CATEGORY) and col == COL_TITLE:
            return self._bold
        if role == KindRole:
            return node.kind
        if role == IdRole:
            return node.id
        return None

    def _display(self, node: Node, col: int) -> str:
        if col == COL_TITLE:
            if node.kind == INSPECTION:
                return node.title or "（未命名的巡察）"
            return f"{node.label()}{node.title}"
        if node.kind == ITEM:
            if col == COL_STATUS:
                extra = f"（{node.writeoff}）" if node.writeoff else ""
                return node.status + extra
            if col == COL_DEADLINE:
                return node.deadline  # overdue shows in red; the words are in the tooltip
            if col == COL_DEPARTMENT:
                return node.department
            return ""
        if col == COL_STATUS:
            done, total = self._done_count(node)
            return f"完成 {done}/{total}" if total else ""
        return ""

    def _due_soon(self, node: Node) -> bool:
        """Due within the days the settings call "soon" (即将到期), and not done."""
        left = rules.days_left(node.status, node.deadline_date, self.today)
        return left is not None and 0 <= left <= self.due_soon_days

    def _done_count(self, node: Node) -> tuple[int, int]:
        """(done, items) under a node, remembered until the next change: the root's count walks every item."""
        counts = self._counts.get(id(node))
        if counts is None:
            counts = self._counts[id(node)] = node.done_count()
        return counts

    def _tooltip(self, node: Node) -> str:
        text = self._display(node, COL_TITLE)
        if node.kind == ITEM:
            text += f"\n完成情况：{node.status}"
            if node.deadline:
                text += f"\n整改时限：{node.deadline}" + ("（已逾期）" if node.overdue else "")
                if self._due_soon(node):
                    left = rules.days_left(node.status, node.deadline_date, self.today)
                    text += "（今天到期）" if left == 0 else f"（还剩{left}天）"
            if node.writeoff:
                text += f"\n销号情况：{node.writeoff}"
            if node.writeoff == WRITTEN_OFF:
                text += "（不能修改、删除或移动；序号已写入销号材料）"
        return text

    # --- following the ledger ----------------------------------------------------------------------

    def on_changes(self, changes: list[Change]) -> None:
        self._counts.clear()
        for ch in changes:
            if ch.kind == "reset":
                self.reload()
                return
            if ch.kind == "renumber":
                self._refresh_numbers()
                continue
            if ch.entity is WriteOffModel:
                row = WriteOffModel.get_or_none(WriteOffModel.id == ch.id)
                item_id = row.item_id if row else None
                if item_id is None:
                    # The write-off row is gone (an undone application): refresh every item's state.
                    self._refresh_items(list(n for k, n in self._nodes.items() if k[0] == ITEM))
                else:
                    node = self.node(ITEM, item_id)
                    if node:
                        self._refresh_items([node])
                continue
            kind = MODEL_KINDS.get(ch.entity)
            if kind is None:
                continue
            if ch.kind == "update":
                self._update(kind, ch.id)
            elif ch.kind == "insert":
                self._insert(kind, ch.id, ch.parent_id)
            elif ch.kind == "remove":
                self._remove(kind, ch.id)
            elif ch.kind == "move":
                node = self.node(kind, ch.id)
                if node is not None:
                    self._resort(node.parent)

    def _emit_row(self, node: Node) -> None:
        self.dataChanged.emit(self.index_of(node, 0), self.index_of(node, len(COLUMNS) - 1))

    def _emit_ancestors(self, node: Node) -> None:
        p = node.parent
        while p is not None:
            self._emit_row(p)
            p = p.parent

    def _refresh_items(self, nodes: list[Node]) -> None:
        loader = self._loader()
        rows = {r.id: r for r in item_rows(item_ids=[n.id for n in nodes])}
        for n in nodes:
            if n.id in rows:
                loader.fill_item(n, rows[n.id])
                self._emit_row(n)
        for n in nodes[:1]:
            self._emit_ancestors(n)

    def _update(self, kind: str, row_id: int) -> None:
        node = self.node(kind, row_id)
        if node is None:
            return
        if kind == ITEM:
            self._refresh_items([node])
            return
        model = {INSPECTION: Inspection, CATEGORY: Category, FINDING: Finding}[kind]
        rec = model.get_or_none(model.id == row_id)
        if rec is None:
            return
        node.title = rec.title
        if kind == FINDING:
            node.number = rec.number
        self._emit_row(node)

    def _children_of(self, parent: Node | None) -> list[Node]:
        return parent.children if parent else self.roots

    def _parent_index(self, parent: Node | None) -> QModelIndex:
        return self.index_of(parent) if parent else QModelIndex()

    def _insert(self, kind: str, row_id: int, parent_id: int | None) -> None:
        if self.node(kind, row_id) is not None:
            return
        parent_kind = {CATEGORY: INSPECTION, FINDING: CATEGORY, ITEM: FINDING}.get(kind)
        parent = self.node(parent_kind, parent_id) if parent_kind and parent_id is not None else None
        if parent_kind and parent is None:
            return
        node = self._loader().load_node(kind, row_id, parent)
        if node is None:
            return
        siblings = self._children_of(parent)
        # An insert among the siblings (新增 after the selected row, or another window's) moved the later ones
        # down a place: their remembered places are stale, and the new row would land after the one it precedes.
        self._fresh_positions(siblings)
        row = sum(1 for s in siblings if (s.position, s.id) < (node.position, node.id))
        self.beginInsertRows(self._parent_index(parent), row, row)
        siblings.insert(row, node)
        self._reindex(parent)
        self._register(node)
        self.endInsertRows()
        if kind == CATEGORY:
            self._renumber_categories(parent)
        if node.parent is not None:
            self._emit_ancestors(node)

    def _remove(self, kind: str, row_id: int) -> None:
        node = self.node(kind, row_id)
        if node is None:
            return
        parent = node.parent
        row = node.row
        self.beginRemoveRows(self._parent_index(parent), row, row)
        del self._children_of(parent)[row]
        self._reindex(parent)
        self._unregister(node)
        self.endRemoveRows()
        if kind == CATEGORY:
            self._renumber_categories(parent)
        if parent is not None:
            self._emit_row(parent)
            self._emit_ancestors(parent)

    def _reindex(self, parent: Node | None) -> None:
        for i, c in enumerate(self._children_of(parent)):
            c.row = i

    def _resort(self, parent: Node | None) -> None:
        """Puts a parent's children back in the ledger's order after a move."""
        siblings = self._children_of(parent)
        if not siblings:
            return
        kind = siblings[0].kind
        self._fresh_positions(siblings)
        new_order = sorted(siblings, key=lambda s: (s.position, s.id))
        if new_order == siblings:
            return
        self.layoutAboutToBeChanged.emit()
        old_rows = {id(s): s.row for s in siblings}
        siblings[:] = new_order
        self._reindex(parent)
        # Persistent indexes (selection, expansion) follow their nodes to the new rows.
        for pidx in self.persistentIndexList():
            n = pidx.internalPointer()
            if pidx.isValid() and n is not None and id(n) in old_rows:
                self.changePersistentIndex(pidx, self.createIndex(n.row, pidx.column(), n))
        if kind == CATEGORY:
            for i, s in enumerate(siblings, 1):
                s.number = i
        self.layoutChanged.emit()

    @staticmethod
    def _fresh_positions(siblings: list[Node]) -> None:
        """Reads the siblings' places (position) again from the ledger."""
        if not siblings:
            return
        model = {INSPECTION: Inspection, CATEGORY: Category, FINDING: Finding, ITEM: Item}[siblings[0].kind]
        positions = dict(model.select(model.id, model.position).where(model.id.in_([s.id for s in siblings])).tuples())
        for s in siblings:
            s.position = positions.get(s.id, s.position)

    def _renumber_categories(self, parent: Node | None) -> None:
        if parent is None:
            return
        for i, c in enumerate(parent.children, 1):
            if c.number != i:
                c.number = i
                self._emit_row(c)

    def _refresh_numbers(self) -> None:
        findings = dict(Finding.select(Finding.id, Finding.number).tuples())
        items = dict(Item.select(Item.id, Item.number).tuples())
        for (kind, rid), node in self._nodes.items():
            new = findings.get(rid) if kind == FINDING else items.get(rid) if kind == ITEM else None
            if new is not None and new != node.number:
                node.number = new
                self._emit_row(node)
