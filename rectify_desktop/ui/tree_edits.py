"""The edits of the tree (新增、删除、移动、重新编号、撤销/重做), as a part of the main window (a mixin of
:class:`~rectify_desktop.ui.main_window.MainWindow`); each goes through the undo bridge to the ledger's one door."""

from __future__ import annotations

from collections.abc import Callable

from rectify_desktop.core import ops
from rectify_desktop.core import settings as ledger_settings
from rectify_desktop.core.outline import CATEGORY, CHILD_KIND, FINDING, INSPECTION, ITEM, KIND_MODELS
from rectify_desktop.ui import tree_menu
from rectify_desktop.ui.dialogs import confirm
from rectify_desktop.ui.window_actions import KIND_NAMES

# Where a moved node goes (移动到…): a finding under a category, an item under a finding.
PARENT_KIND = {FINDING: CATEGORY, ITEM: FINDING}


class TreeEdits:
    """The edits the window makes to the tree of the ledger."""

    # --- edits -------------------------------------------------------------------------------------

    def _push(self, command) -> bool:  # noqa: ANN001 - a core Command
        if self.bridge is None:
            return False
        if self.panel is not None:
            self.panel.commit_pending()
        return self.bridge.push(command)

    def _push_insert(self, command, kind: str) -> None:  # noqa: ANN001
        if self._push(command):
            if self.search.matches is not None:
                # A new row rarely meets the filter; hidden, it could not be filled in: the filter goes.
                self.search.clear()
                self.statusBar().showMessage(f"已清除筛选，以便填写新增的{KIND_NAMES[kind]}。", 8000)
            self.select(kind, command.row_id)
            if self.panel is not None:
                # The clerk types the new title at once: its field has the focus, its text selected.
                self.panel.focus_title()

    def undo(self) -> None:
        if self.panel is not None:
            self.panel.commit_pending()
        self._guarded(self.undo_stack.undo)

    def redo(self) -> None:
        if self.panel is not None:
            self.panel.commit_pending()
        self._guarded(self.undo_stack.redo)

    def _guarded(self, fn: Callable[[], None]) -> None:
        try:
            fn()
        except Exception as exc:  # an undo the file refuses (e.g. a disk that went read-only)
            self._error("无法撤销或重做", str(exc))

    def add_inspection(self) -> None:
        if self.ledger is None or self.ledger.readonly:
            return
        self._push_insert(ops.add_inspection(), INSPECTION)

    def _add(self, kind: str) -> None:
        """Adds a node of `kind` under the selected node's parent of the right kind, after the selected one."""
        node = self.current_node()
        parent_kind, make = {
            CATEGORY: (INSPECTION, ops.add_category),
            FINDING: (CATEGORY, ops.add_finding),
            ITEM: (FINDING, ops.add_item),
        }[kind]
        parent = self._ancestor(node, parent_kind)
        if parent is None and parent_kind == INSPECTION and self.model.roots:
            parent = self.model.roots[0]
        if parent is None:
            return
        sibling = self._ancestor(node, kind)
        index = sibling.row + 1 if sibling else None
        leader = ledger_settings.get("default_leader") if kind == ITEM else ""
        command = make(parent.id, index=index, leader=leader) if leader else make(parent.id, index=index)
        self._push_insert(command, kind)

    def add_category(self) -> None:
        self._add(CATEGORY)

    def add_finding(self) -> None:
        self._add(FINDING)

    def add_item(self) -> None:
        self._add(ITEM)

    def add_measure(self) -> None:
        item = self._ancestor(self.current_node(), ITEM)
        if item is None:
            return
        command = ops.add_measure(item.id)
        if self._push(command) and self.panel is not None:
            self.panel.focus_measure(command.row_id)

    def add_child(self) -> None:
        """新增下级 (the tree's right-click menu): a node of the kind below the selected one, at its end."""
        node = self.current_node()
        if node is None:
            return
        child = CHILD_KIND[node.kind]
        if child is None:
            self.add_measure()
        else:
            self._add(child)

    def delete_current(self) -> None:
        node = self.current_node()
        if node is None or self.ledger is None or self.ledger.readonly:
            return
        why = tree_menu.delete_refusal(node)
        if why:
            self.statusBar().showMessage(why, 10000)
            return
        name = KIND_NAMES[node.kind]
        label = self.model.data(self.model.index_of(node))
        below = ""
        if node.kind != ITEM:
            n_items = len(node.items())
            below = f"及其下的 {n_items} 项细化问题" if n_items else ""
            held = tree_menu.written_off_count(node)
            below += f"（其中 {held} 项已销号，销号记录一并删除）" if held else ""
        else:
            below = "及其整改措施、佐证材料和销号记录"
        if not confirm(
            self, f"删除{name}", f"确定删除{name}“{label}”{below}吗？\n\n删除后可以用“撤销”（Ctrl+Z）恢复。"
        ):
            return
        siblings = self._siblings(node)
        neighbour = (
            siblings[node.row + 1]
            if node.row + 1 < len(siblings)
            else (siblings[node.row - 1] if node.row > 0 else node.parent)
        )
        if self._push(ops.delete(KIND_MODELS[node.kind], node.id)) and neighbour is not None:
            self.select(neighbour.kind, neighbour.id)

    def _move(self, delta: int) -> None:
        node = self.current_node()
        if node is None:
            return
        why = tree_menu.move_refusal(node)
        if why:
            self.statusBar().showMessage(why, 10000)
            return
        kind, row_id = node.kind, node.id
        if self._push(ops.move(KIND_MODELS[kind], row_id, delta)):
            self.select(kind, row_id)
            self._update_actions()

    def move_up(self) -> None:
        self._move(-1)

    def move_down(self) -> None:
        self._move(+1)

    def move_to_dialog(self) -> None:
        """移动到…: asks for the new parent of the selected finding or item, then moves it there."""
        from rectify_desktop.ui.move_dialog import choose_parent

        node = self.current_node()
        if node is None or node.kind not in PARENT_KIND or self.ledger is None or self.ledger.readonly:
            return
        why = tree_menu.move_refusal(node)
        if why:
            self.statusBar().showMessage(why, 10000)
            return
        if self.panel is not None:
            self.panel.commit_pending()
        model = KIND_MODELS[node.kind]
        targets = ops.move_targets(model, node.id)
        where = KIND_NAMES[PARENT_KIND[node.kind]]
        if not targets:
            self.statusBar().showMessage(f"这次巡察没有别的{where}可以移去。", 8000)
            return
        label = tree_menu.node_text(self, node)
        parent_id = choose_parent(self, f"{KIND_NAMES[node.kind]}“{label[:30]}”", where, targets)
        if parent_id is not None:
            self.move_node_to(node.kind, node.id, parent_id)

    def move_node_to(self, kind: str, row_id: int, parent_id: int) -> bool:
        """Moves a finding or an item under another parent (移动到…, or a drop in the tree); one undo step.
        Nothing is renumbered: the status bar says the number it took and that 重新编号 renumbers."""
        if self.ledger is None or self.ledger.readonly:
            self.statusBar().showMessage("台账以只读方式打开，不能移动。", 8000)
            return False
        node = self.model.node(kind, row_id)
        why = tree_menu.move_refusal(node)
        if why:
            self.statusBar().showMessage(why, 10000)
            return False
        if not self._push(ops.move_to(KIND_MODELS[kind], row_id, parent_id)):
            return False
        self.select(kind, row_id)
        moved = self.model.node(kind, row_id)
        parent = self.model.node(PARENT_KIND[kind], parent_id)
        if moved is not None and parent is not None:
            where = tree_menu.node_text(self, parent)
            number = "序号不变" if kind == FINDING else f"序号为{moved.label()}"
            self.statusBar().showMessage(
                f"已把{KIND_NAMES[kind]}移到“{where[:30]}”的最后，{number}；其他序号未变，"
                "可用“重新编号”按新顺序编号。可撤销。",
                12000,
            )
        self._update_actions()
        return True

    def copy_as_text(self) -> None:
        tree_menu.copy_as_text(self)

    def renumber(self) -> None:
        node = self.current_node()
        insp = self._inspection_of(node) if node else (self.model.roots[0] if self.model.roots else None)
        if insp is None:
            return
        command = ops.renumber(insp.id)
        if self._push(command):
            kept = f"已销号的 {command.kept} 项细化问题保留原序号（已写入销号材料）。" if command.kept else ""
            self.statusBar().showMessage(f"已按当前顺序重新编号，{command.changed} 处序号改变。{kept}可撤销。", 10000)
