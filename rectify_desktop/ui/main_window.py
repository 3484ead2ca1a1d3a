"""The main window (主窗口): the ledger's tree on the left, the form of the selected node on the right.

Every change is built from `core.ops` and goes through the UndoBridge to the ledger's one door; the tree,
the form and the status bar refresh from the ledger's notifications, whoever made the change.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from rectify_desktop import APP_NAME
from rectify_desktop.core.commands import Change
from rectify_desktop.core.ledger import Ledger
from rectify_desktop.core.outline import CATEGORY, FINDING, ITEM, Node
from rectify_desktop.ui import tree_menu
from rectify_desktop.ui.tree_edits import TreeEdits
from rectify_desktop.ui.tree_model import COL_DEADLINE, COL_DEPARTMENT, COL_STATUS, COL_TITLE, LedgerTreeModel
from rectify_desktop.ui.undo import UndoBridge
from rectify_desktop.ui.window_actions import ACTIONS, KIND_NAMES, MENUS, PAGES, TOOLBAR
from rectify_desktop.ui.window_files import LedgerFiles
from rectify_desktop.ui.window_parts import FilteredOutPage, NoticeBar, WelcomePage


class MainWindow(LedgerFiles, TreeEdits, QMainWindow):
    """The window: the tree and the form, the pages, menus and toolbar; opening and closing ledgers is in
    :class:`LedgerFiles`, the edits of the tree in :class:`TreeEdits`."""

    def __init__(self, settings: QSettings) -> None:
        super().__init__()
        self.settings = settings
        self.ledger: Ledger | None = None
        self.bridge: UndoBridge | None = None
        self.panel = None
        self.live = None  # ui/live.LiveLedger while a server ledger is open
        self._keeping_place = False
        self.undo_stack = QUndoStack(self)
        self.model = LedgerTreeModel(self)
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(0)
        self._refresh_timer.timeout.connect(self._refresh_status)

        self.tree = QTreeView()
        self.tree.setModel(self.model)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setExpandsOnDoubleClick(True)
        self.tree.header().setStretchLastSection(False)
        # A finding or an item is dragged to another parent (the model refuses what may not go there).
        self.tree.setDragDropMode(QTreeView.DragDropMode.DragDrop)
        self.tree.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.tree.setDropIndicatorShown(True)
        self.model.on_move = self.move_node_to
        self.tree.selectionModel().currentChanged.connect(self._current_changed)
        self.model.modelReset.connect(self._after_reset)

        self.right = QStackedWidget()
        self.welcome = WelcomePage(self)
        self.right.addWidget(self.welcome)
        from rectify_desktop.ui.search import SearchBar

        self.search = SearchBar(self.tree, self.model)
        self.search.changed.connect(self._filter_changed)
        # When the filter hides the selected row, the form moves to a row in sight (or to this page), so
        # that nothing invisible is shown or edited; clearing the filter returns to the row the clerk chose.
        self.filtered_out = FilteredOutPage(self)
        self.right.addWidget(self.filtered_out)
        self._before_filter: tuple[str, int] | None = None
        self._selection_hidden = False
        self._following_filter = False
        left = QWidget()
        left_lay = QVBoxLayout(left)
        left_lay.setContentsMargins(4, 4, 0, 0)
        left_lay.addWidget(self.search)
        left_lay.addWidget(self.tree)
        from rectify_desktop.ui.history import NodeHistory

        # The selected node's own history sits under its form, on the ledger page only.
        self.node_history = NodeHistory(self)
        self.right_split = QSplitter(Qt.Orientation.Vertical)
        self.right_split.addWidget(self.right)
        self.right_split.addWidget(self.node_history)
        self.right_split.setSizes([700, 150])
        self.right_split.setChildrenCollapsible(True)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.right_split)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.pages: dict[str, QWidget] = {}
        self._tab_keys = [key for key, _title, _spec in PAGES]
        for key, title, _spec in PAGES:
            if key == "ledger":
                self.tabs.addTab(self.splitter, title)
                continue
            holder = QWidget()
            holder.setObjectName(f"page.{key}")
            QVBoxLayout(holder).setContentsMargins(0, 0, 0, 0)
            self.tabs.addTab(holder, title)
        self.tabs.setCurrentIndex(self._tab_keys.index("ledger"))
        self.tabs.currentChanged.connect(self._page_shown)
        # The notice of what fell overdue stands above every page, so it is seen whichever page opens.
        self.notice = NoticeBar(self)
        self._backup_runners: list = []  # automatic backups still copying; abandoned if the window closes
        central = QWidget()
        central_lay = QVBoxLayout(central)
        central_lay.setContentsMargins(0, 0, 0, 0)
        central_lay.setSpacing(2)
        central_lay.addWidget(self.notice)
        central_lay.addWidget(self.tabs)
        self.setCentralWidget(central)

        self.status_label = QLabel("")
        self.statusBar().addPermanentWidget(self.status_label)
        self._build_actions()
        tree_menu.install(self)
        self.setWindowTitle(APP_NAME)
        self.resize(1400, 860)
        self.splitter.setSizes([800, 600])
        self.tree.setColumnWidth(COL_TITLE, 420)
        # "正在推进（已退回）" whole at the usual font; narrower (a large font), it is elided and its tooltip says it.
        self.tree.setColumnWidth(COL_STATUS, self.tree.fontMetrics().horizontalAdvance("正在推进（已退回）") + 16)
        self.tree.setColumnWidth(COL_DEADLINE, 130)
        self.tree.setColumnWidth(COL_DEPARTMENT, 110)
        self._restore_state()
        self._update_actions()

    # --- actions -----------------------------------------------------------------------------------

    def _build_actions(self) -> None:
        self.actions: dict[str, QAction] = {}
        for spec in ACTIONS:
            act = QAction(spec.text, self)
            if spec.shortcut is not None:
                act.setShortcut(QKeySequence(spec.shortcut))
            act.setStatusTip(spec.tip)
            # The toolbar shows the words alone, without the menu's mnemonic "(&N)" and ellipsis.
            act.setIconText(re.sub(r"\(&.\)|…", "", spec.text))
            act.setToolTip(spec.text.split("(")[0] + (f"（{act.shortcut().toString()}）" if spec.shortcut else ""))
            if ":" in spec.slot:
                act.triggered.connect(lambda _=False, slot=spec.slot: self._call_module(slot))
            else:
                act.triggered.connect(getattr(self, spec.slot))
            self.actions[spec.name] = act
        self.actions["delete"].setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.tree.addAction(self.actions["delete"])
        # Plain actions rather than QUndoStack's own, whose words change with each edit and make the
        # toolbar jump: the words stay 撤销/重做, what they would take back is said in the tooltip.
        undo = QAction("撤销", self)
        undo.setShortcut(QKeySequence.StandardKey.Undo)
        redo = QAction("重做", self)
        redo.setShortcuts([QKeySequence("Ctrl+Y"), QKeySequence("Ctrl+Shift+Z")])
        # Text being typed is written before undo runs, so that undo takes back the newest edit.
        undo.triggered.connect(self.undo)
        redo.triggered.connect(self.redo)
        self.actions["undo"], self.actions["redo"] = undo, redo
        self.undo_stack.canUndoChanged.connect(undo.setEnabled)
        self.undo_stack.canRedoChanged.connect(redo.setEnabled)
        self.undo_stack.undoTextChanged.connect(lambda _t: self._update_undo_tips())
        self.undo_stack.redoTextChanged.connect(lambda _t: self._update_undo_tips())
        self._update_undo_tips()
        self.recent_menu = None
        bar = self.menuBar()
        for title, names in MENUS:
            menu = bar.addMenu(title)
            for name in names:
                if name == "-":
                    menu.addSeparator()
                elif name == "recent":
                    self.recent_menu = menu.addMenu("最近打开(&T)")
                else:
                    menu.addAction(self.actions[name])
        toolbar = self.addToolBar("常用")
        toolbar.setObjectName("main_toolbar")
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for name in TOOLBAR:
            if name == "-":
                toolbar.addSeparator()
            else:
                toolbar.addAction(self.actions[name])
        self._fill_recent_menu()

    def _update_undo_tips(self) -> None:
        """The tooltip and status tip of 撤销/重做 name the change they would take back or make again."""
        stack = self.undo_stack
        for name, word, can, text in (
            ("undo", "撤销", stack.canUndo(), stack.undoText()),
            ("redo", "重做", stack.canRedo(), stack.redoText()),
        ):
            act = self.actions[name]
            act.setEnabled(can)
            what = f"{word}：{text}" if can else f"没有可{word}的修改"
            keys = "、".join(k.toString(QKeySequence.SequenceFormat.NativeText) for k in act.shortcuts())
            act.setToolTip(f"{what}（{keys}）" if keys else what)
            act.setStatusTip(what)

    def _update_actions(self) -> None:
        writable = self.ledger is not None and not self.ledger.readonly
        node = self.current_node()
        has_insp = bool(self.model.roots)
        enabled = {
            "add_inspection": writable,
            "add_category": writable and has_insp,
            "add_finding": writable and node is not None and node.kind in (CATEGORY, FINDING, ITEM),
            "add_item": writable and node is not None and node.kind in (FINDING, ITEM),
            "add_measure": writable and node is not None and node.kind == ITEM,
            "delete": writable and node is not None,
            "move_up": writable and node is not None and node.row > 0,
            "move_down": writable and node is not None and node.row < len(self._siblings(node)) - 1,
            "renumber": writable and has_insp,
            "backup": self.ledger is not None,
            "settings": self.ledger is not None,
            "restore": writable,
            "export_excel": has_insp,
            "import_excel": writable,
            "import_text": writable,
            # a round sent is recorded in the ledger; a merge writes the answers: both need it writable
            "fill_out": writable and has_insp,
            "merge_returns": writable and has_insp,
            "export_evidence": has_insp,
            "notice": has_insp,
            "report": has_insp,
            "print_preview": has_insp,
            "print": has_insp,
            "export_pdf": has_insp,
            "expand": has_insp,
            "collapse": has_insp,
        }
        for name, on in enabled.items():
            self.actions[name].setEnabled(on)
        tree_menu.update_tree_actions(self, node)

    def _siblings(self, node: Node) -> list[Node]:
        return node.parent.children if node.parent else self.model.roots

    # --- following the ledger ----------------------------------------------------------------------

    def _on_changes(self, changes: list[Change]) -> None:
        # The clerk's place survives what the tree does on its way (another window's changes come unasked):
        # a reset or a move to another parent takes the selected row out and back, and Qt would move the
        # selection to a neighbour meanwhile, committing and reloading the form. The row stays selected when
        # it is still there; when it was deleted, the neighbour Qt chose is shown.
        before = self._current_key()
        ancestors = self._ancestor_keys()
        reset = any(c.kind == "reset" for c in changes)
        expanded = self._expanded_keys() if reset else []
        scroll = self.tree.verticalScrollBar().value()
        self._keeping_place = True
        try:
            self.model.on_changes(changes)
            for key in expanded:
                index = self.model.index_for(*key)
                if index.isValid():
                    self.tree.expand(index)
            if before is not None and self._current_key() != before and self.model.node(*before) is not None:
                self.select(*before)  # under its new parent, shown
            elif before is not None and self.current_node() is None:
                # Its parent was deleted (Qt leaves no row selected then): the nearest row above that is left.
                for key in ancestors:
                    if self.model.node(*key) is not None:
                        self.select(*key)
                        break
            if reset:
                self.tree.verticalScrollBar().setValue(scroll)
        finally:
            self._keeping_place = False
        if self.panel is not None:
            self.panel.on_changes(changes)
        if self._current_key() != before:
            self._current_changed(self.tree.currentIndex(), QModelIndex())
        for page in self.pages.values():
            page.on_changes(changes)
        self.node_history.on_changes(changes)
        self.search.invalidate()
        self._show_right()
        self._refresh_timer.start()

    def _follow_others(self) -> None:
        """On a server ledger, the other windows' edits show here within a second (ui/live.py)."""
        from rectify_desktop.ui import live

        live.attach(self)

    def _stop_following(self) -> None:
        from rectify_desktop.ui import live

        live.detach(self)

    def _after_reset(self) -> None:
        self._show_right()

    def _refresh_status(self) -> None:
        if self.ledger is None or self.ledger.closed:
            self.status_label.setText("")
            return
        node = self.current_node()
        insp = self._inspection_of(node) if node else (self.model.roots[0] if self.model.roots else None)
        if insp is None:
            self.status_label.setText("台账中还没有巡察")
        else:
            s = self.ledger.stats(insp.id, self.model.today, self.model.immediate_days)
            self.status_label.setText(s.status_line())
        self._show_right()
        self._update_actions()

    def _change_failed(self, exc: Exception) -> None:
        from rectify_desktop.core.conflicts import ConflictError, UndoConflictError

        if isinstance(exc, UndoConflictError):
            QMessageBox.warning(self, "无法撤销", str(exc))
            return
        if isinstance(exc, ConflictError):  # a redo of what someone else changed since, or a row deleted
            QMessageBox.warning(self, "修改冲突", str(exc))
            return
        self._error("无法完成修改", str(exc))

    def _error(self, title: str, text: str) -> None:
        QMessageBox.critical(self, title, text)

    # --- selection ---------------------------------------------------------------------------------

    def current_node(self) -> Node | None:
        return self.model.node_for(self.tree.currentIndex())

    def _current_key(self) -> tuple[str, int] | None:
        node = self.current_node()
        return (node.kind, node.id) if node is not None else None

    def _ancestor_keys(self) -> list[tuple[str, int]]:
        node = self.current_node()
        out = []
        while node is not None and node.parent is not None:
            node = node.parent
            out.append((node.kind, node.id))
        return out

    def _expanded_keys(self) -> list[tuple[str, int]]:
        out = []
        stack = list(self.model.roots)
        while stack:
            node = stack.pop()
            if node.children and self.tree.isExpanded(self.model.index_of(node)):
                out.append((node.kind, node.id))
                stack.extend(node.children)
        return out

    @staticmethod
    def _inspection_of(node: Node) -> Node:
        while node.parent is not None:
            node = node.parent
        return node

    def _ancestor(self, node: Node | None, kind: str) -> Node | None:
        while node is not None and node.kind != kind:
            node = node.parent
        return node

    def _current_changed(self, current: QModelIndex, previous: QModelIndex) -> None:
        if self._keeping_place:
            return  # the tree on its way through a change: _on_changes decides where the selection ends
        node = self.model.node_for(current)
        if not self._following_filter and node is not None:
            # The clerk chose a row: that is where to stay when the filter is cleared.
            self._before_filter = None
            self._selection_hidden = False
            self._show_right()
        if self.panel is not None:
            self.panel.commit_pending()
            self.panel.show_node(node.kind if node else None, node.id if node else None)
        self.node_history.show_node(node.kind if node else None, node.id if node else None)
        self._refresh_timer.start()
        self._update_actions()

    def select(self, kind: str, row_id: int) -> None:
        index = self.model.index_for(kind, row_id)
        if not index.isValid():
            return
        parent = index.parent()
        while parent.isValid():
            self.tree.expand(parent)
            parent = parent.parent()
        self.tree.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        )
        self.tree.scrollTo(index)

    def focus_search(self) -> None:
        from rectify_desktop.ui.search import focus_search

        self.show_page("ledger")
        focus_search(self.search)

    def filter_items(self, label: str, **fields: object) -> int:
        """Shows the ledger page filtered to the items meeting `fields` (a core.search.Query's fields);
        returns how many there are."""
        self.search.clear()
        self.search.set_scope(label, **fields)
        self.show_page("ledger")
        self.search.apply()
        return len(self.search.matches or ())

    def _filter_changed(self, count: int | None) -> None:
        if count is None:
            self.statusBar().clearMessage()
        else:
            self.statusBar().showMessage(f"筛选结果：{count} 项细化问题")
        self._follow_filter(count)

    def _follow_filter(self, count: int | None) -> None:
        """Keeps the form on a row the tree shows. When the filter hides the selected row, the first
        matching item is selected, or, when none matches, no row with a line saying why; when the filter
        is cleared, the row the clerk had chosen comes back."""
        if count is None:
            before, self._before_filter = self._before_filter, None
            self._selection_hidden = False
            if before is not None and self.model.index_for(*before).isValid():
                self._select_for_filter(before)
            self._show_right()
            self._update_actions()
            return
        node = self.current_node()
        if node is None and not self._selection_hidden:
            return  # nothing was selected (no ledger, a reset): nothing to follow
        if node is not None and self.search.is_shown(node):
            return
        if node is not None and self._before_filter is None:
            self._before_filter = (node.kind, node.id)
        label = self._short_label(node) if node is not None else ""
        # Keys typed next must not land unseen in another row's form: the focus goes to the tree.
        focus = self.focusWidget()
        if focus is not None and self.panel is not None and self.panel.isAncestorOf(focus):
            self.tree.setFocus(Qt.FocusReason.OtherFocusReason)
        target = self.search.first_match()
        if target is not None:
            self._selection_hidden = False
            self._select_for_filter((target.kind, target.id))
            if label:
                self.statusBar().showMessage(
                    f"筛选结果：{count} 项细化问题。选中的{label}不符合筛选条件，已转到第一项符合的细化问题。"
                )
        else:
            if node is not None or not self._selection_hidden:  # a narrower filter keeps the row's name
                self.filtered_out.say(label)
            self._selection_hidden = True
            self._select_for_filter(None)
        self._show_right()
        self._update_actions()

    def _select_for_filter(self, key: tuple[str, int] | None) -> None:
        """Selects `key` (None: no row) as the filter asks, remembering the clerk's own choice."""
        self._following_filter = True
        try:
            if key is None:
                self.tree.selectionModel().clear()  # clears the current row too: the form shows nothing
            else:
                self.select(*key)
        finally:
            self._following_filter = False

    def _short_label(self, node: Node) -> str:
        text = str(self.model.data(self.model.index_of(node)) or "")
        return f"{KIND_NAMES[node.kind]}“{text[:24]}{'…' if len(text) > 24 else ''}”"

    def expand_all(self) -> None:
        self.tree.expandAll()

    def collapse_all(self) -> None:
        self.tree.collapseAll()
        for r in self.model.roots:
            self.tree.expand(self.model.index_of(r))

    def _call_module(self, slot: str) -> None:
        """Runs "module:function[:argument]" with the window: files in and out live in their own modules,
        imported when first used to keep start-up light."""
        import importlib

        module, func, *args = slot.split(":")
        getattr(importlib.import_module(module), func)(self, *args)

    def current_inspection_id(self) -> int | None:
        """The inspection of the selected node, or the first one: what export and print work on."""
        node = self.current_node()
        insp = self._inspection_of(node) if node else (self.model.roots[0] if self.model.roots else None)
        return insp.id if insp else None

    def about(self) -> None:
        from rectify_desktop import __version__

        QMessageBox.about(
            self,
            "关于整改台账",
            f"<b>整改台账</b> {__version__}<br><br>巡察、审计、督查反馈问题整改落实台账。<br>"
            "一个台账就是一个文件，复制该文件即完整备份。",
        )
