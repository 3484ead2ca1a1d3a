"""The tree's right-click menu (右键菜单) and what a written-off item (已销号) holds back in it.

Every node offers the actions that apply to it: 新增下级, 删除, 上移/下移, 移动到…, 复制为文本. A written-off
item, and a part of the tree holding one, refuses what would delete or move it: the action is disabled,
and its tooltip and the status bar say why.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QMenu

from rectify_desktop.core.commands import WRITTEN_OFF_FIXED, held_message
from rectify_desktop.core.outline import CATEGORY, FINDING, INSPECTION, ITEM, KIND_MODELS, Node

# The main window (its TreeEdits, tree, model and actions); not imported: only the start-up imports it.
MainWindow = Any

WRITTEN_OFF = "已销号"
# What a node's 新增下级 adds: the child kind's action of the window.
CHILD_ACTIONS = {INSPECTION: "add_category", CATEGORY: "add_finding", FINDING: "add_item", ITEM: "add_measure"}
CHILD_TEXTS = {INSPECTION: "新增下级方面", CATEGORY: "新增下级问题", FINDING: "新增下级细化问题", ITEM: "新增整改措施"}
MOVABLE = (FINDING, ITEM)


def delete_refusal(node: Node | None) -> str:
    """Why the node may not be deleted ("" when it may), from the tree's own rows (no query per click)."""
    if node is None or node.kind == INSPECTION:  # a whole inspection may go, asked first (core.commands)
        return ""
    return held_message(KIND_MODELS[node.kind], written_off_count(node))


def written_off_count(node: Node) -> int:
    return sum(1 for i in node.items() if i.writeoff == WRITTEN_OFF)


def move_refusal(node: Node | None) -> str:
    """Why the node may not be moved (上移/下移/移动到/拖动), or ""."""
    return WRITTEN_OFF_FIXED if node is not None and node.kind == ITEM and node.writeoff == WRITTEN_OFF else ""


def update_tree_actions(window: MainWindow, node: Node | None) -> None:
    """Disables 删除 and the moves for a node that holds a written-off item, saying why in their tooltips
    (and once in the status bar when such an item is selected); enables 移动到… and 复制为文本."""
    writable = window.ledger is not None and not window.ledger.readonly
    acts = window.actions
    acts["move_to"].setEnabled(writable and node is not None and node.kind in MOVABLE)
    acts["copy_text"].setEnabled(node is not None)
    no_delete, no_move = delete_refusal(node), move_refusal(node)
    for name, why in (("delete", no_delete), ("move_up", no_move), ("move_down", no_move), ("move_to", no_move)):
        act = acts[name]
        plain = act.property("plain_tip")
        if plain is None:
            plain = act.toolTip()
            act.setProperty("plain_tip", plain)
            act.setProperty("plain_status", act.statusTip())
        if why and writable:
            act.setEnabled(False)
            act.setToolTip(why)
            act.setStatusTip(why)
        else:
            act.setToolTip(plain)
            act.setStatusTip(act.property("plain_status"))
    key = (node.kind, node.id) if node is not None else None
    if no_move and writable and getattr(window, "_held_said", None) != key:
        window.statusBar().showMessage(no_move, 10000)
    window._held_said = key if no_move else None


def node_text(window: MainWindow, node: Node) -> str:
    """The node's text with its number, as 复制为文本 puts it on the clipboard."""
    return str(window.model.data(window.model.index_of(node)) or "")


def copy_as_text(window: MainWindow) -> None:
    node = window.current_node()
    if node is None:
        return
    text = node_text(window, node)
    QApplication.clipboard().setText(text)
    window.statusBar().showMessage(f"已复制：{text[:40]}{'…' if len(text) > 40 else ''}", 5000)


def build_menu(window: MainWindow, node: Node) -> QMenu:
    """The menu for `node` (made current first, so that the window's actions speak of it)."""
    menu = QMenu(window.tree)
    menu.setObjectName("tree.menu")
    child = window.actions[CHILD_ACTIONS[node.kind]]
    add = QAction(CHILD_TEXTS[node.kind], menu)
    add.setObjectName("tree.menu.add_child")
    add.setEnabled(child.isEnabled())
    add.setStatusTip(child.statusTip())
    add.triggered.connect(lambda _=False: window.add_child())
    menu.addAction(add)
    menu.addSeparator()
    menu.addAction(window.actions["delete"])
    menu.addAction(window.actions["move_up"])
    menu.addAction(window.actions["move_down"])
    if node.kind in MOVABLE:
        menu.addAction(window.actions["move_to"])
    menu.addSeparator()
    menu.addAction(window.actions["copy_text"])
    menu.setToolTipsVisible(True)  # a disabled action's tooltip says why
    return menu


def install(window: MainWindow) -> None:
    """Gives the tree its right-click menu."""
    tree = window.tree
    tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
    tree.customContextMenuRequested.connect(lambda pos: _show_menu(window, pos))


def _show_menu(window: MainWindow, pos: QPoint) -> None:
    index = window.tree.indexAt(pos)
    node = window.model.node_for(index)
    if node is None:
        return
    window.select(node.kind, node.id)
    window._update_actions()
    exec_menu(build_menu(window, node), window.tree.viewport().mapToGlobal(pos))


def exec_menu(menu: QMenu, at: QPoint) -> None:
    """Shows the menu where the clerk clicked (a test puts its own function here: exec waits for a click)."""
    menu.exec(at)
