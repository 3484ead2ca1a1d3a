"""The main window (主窗口): the ledger's tree on the left, the form of the selected node on the right.

Every change is built from `core.ops` and goes through the UndoBridge to the ledger's one door; the tree,
the form and the status bar refresh from the ledger's notifications, whoever made the change.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from rectify_desktop import APP_NAME
from rectify_desktop.core import backup, ops, stats, storage
from rectify_desktop.core import settings as ledger_settings
from rectify_desktop.core.commands import Change
from rectify_desktop.core.ledger import Ledger
from rectify_desktop.core.outline import CATEGORY, FINDING, INSPECTION, ITEM, KIND_MODELS, Node
from rectify_desktop.ui.dialogs import confirm
from rectify_desktop.ui.tree_model import COL_DEADLINE, COL_DEPARTMENT, COL_STATUS, COL_TITLE, LedgerTreeModel
from rectify_desktop.ui.undo import UndoBridge

MAX_RECENT = 8
FILE_FILTER = "整改台账 (*.db *.zgtz);;所有文件 (*)"
KIND_NAMES = {INSPECTION: "巡察", CATEGORY: "方面", FINDING: "问题", ITEM: "细化问题"}


@dataclass(frozen=True)
class ActionSpec:
    """An action of the menus and toolbar, declared as data so that menus are only built from it."""

    name: str
    text: str
    shortcut: QKeySequence | QKeySequence.StandardKey | str | None
    slot: str  # a method of the window, or "module:function[:argument]" called with the window
    tip: str = ""
    needs_write: bool = False


ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("new", "新建台账(&N)…", QKeySequence.StandardKey.New, "new_ledger", "新建一个空白台账文件"),
    ActionSpec("open", "打开台账(&O)…", QKeySequence.StandardKey.Open, "choose_ledger", "打开一个台账文件"),
    ActionSpec("demo", "打开示例台账(&D)", None, "open_demo", "打开一份新生成的示例台账"),
    ActionSpec("backup", "备份台账(&B)…", "Ctrl+Shift+S", "backup_ledger", "把台账完整复制到另一个文件"),
    ActionSpec(
        "export_excel",
        "导出Excel(&E)…",
        "Ctrl+Shift+X",
        "rectify_desktop.ui.excel:export_excel",
        "把台账导出为巡察办要求的Excel文件",
    ),
    ActionSpec(
        "import_excel",
        "导入Excel(&I)…",
        "Ctrl+Shift+I",
        "rectify_desktop.ui.excel:import_excel",
        "把Excel台账导入为一次新的巡察",
        True,
    ),
    ActionSpec(
        "export_evidence",
        "导出佐证材料包(&Z)…",
        None,
        "rectify_desktop.ui.evidence_ui:export_zip",
        "把佐证材料按方面/问题/细化问题分文件夹打包为zip，附目录和台账",
    ),
    ActionSpec(
        "import_text",
        "从文本导入(&Y)…",
        None,
        "rectify_desktop.ui.text_dialogs:import_text",
        "粘贴或打开反馈意见、整改方案文本，生成台账",
        True,
    ),
    ActionSpec(
        "notice",
        "生成通报(&G)…",
        None,
        "rectify_desktop.ui.text_dialogs:make_notice:notice",
        "按台账数据生成整改情况通报（Word）",
    ),
    ActionSpec(
        "report",
        "生成报告(&H)…",
        None,
        "rectify_desktop.ui.text_dialogs:make_notice:report",
        "按台账数据生成整改情况报告（Word）",
    ),
    ActionSpec(
        "print_preview",
        "打印预览(&V)…",
        "Ctrl+Shift+P",
        "rectify_desktop.ui.printing:print_preview",
        "预览打印出的台账",
    ),
    ActionSpec(
        "print", "打印(&P)…", QKeySequence.StandardKey.Print, "rectify_desktop.ui.printing:print_ledger", "打印台账"
    ),
    ActionSpec(
        "export_pdf", "导出PDF(&F)…", None, "rectify_desktop.ui.printing:export_pdf", "把打印版台账保存为PDF文件"
    ),
    ActionSpec("quit", "退出(&X)", QKeySequence.StandardKey.Quit, "close", "退出整改台账"),
    ActionSpec("add_inspection", "新增巡察(&P)", None, "add_inspection", "新增一次巡察（审计、督查）的整改台账", True),
    ActionSpec("add_category", "新增方面(&C)", "Ctrl+1", "add_category", "在当前巡察下新增一个方面", True),
    ActionSpec("add_finding", "新增问题(&F)", "Ctrl+2", "add_finding", "在当前方面下新增一个问题", True),
    ActionSpec("add_item", "新增细化问题(&I)", "Ctrl+3", "add_item", "在当前问题下新增一项细化问题", True),
    ActionSpec("add_measure", "新增整改措施(&M)", "Ctrl+4", "add_measure", "为当前细化问题新增一条整改措施", True),
    ActionSpec(
        "delete", "删除(&L)…", QKeySequence.StandardKey.Delete, "delete_current", "删除选中的节点及其下内容", True
    ),
    ActionSpec("move_up", "上移(&U)", "Alt+Up", "move_up", "把选中的节点上移一位", True),
    ActionSpec("move_down", "下移(&W)", "Alt+Down", "move_down", "把选中的节点下移一位", True),
    ActionSpec("renumber", "重新编号(&R)", "Ctrl+R", "renumber", "按当前顺序重新编排问题和细化问题的序号", True),
    ActionSpec(
        "find", "查找与筛选(&S)", QKeySequence.StandardKey.Find, "focus_search", "按文字、状态、部门、期限等筛选"
    ),
    ActionSpec("expand", "全部展开(&E)", "Ctrl+E", "expand_all", "展开全部节点"),
    ActionSpec("collapse", "全部折叠(&Z)", "Ctrl+Shift+E", "collapse_all", "折叠到方面"),
    ActionSpec("settings", "设置(&S)…", "Ctrl+,", "open_settings", "单位名称、填报人、期限规则、自动备份等"),
    ActionSpec("restore", "恢复备份(&R)…", None, "open_restore", "从自动备份中恢复台账", True),
    ActionSpec("about", "关于整改台账(&A)", None, "about", ""),
)

MENUS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "文件(&F)",
        (
            "new",
            "open",
            "recent",
            "demo",
            "-",
            "import_excel",
            "import_text",
            "export_excel",
            "export_evidence",
            "-",
            "notice",
            "report",
            "-",
            "print_preview",
            "print",
            "export_pdf",
            "-",
            "backup",
            "-",
            "quit",
        ),
    ),
    (
        "编辑(&E)",
        (
            "undo",
            "redo",
            "-",
            "add_inspection",
            "add_category",
            "add_finding",
            "add_item",
            "add_measure",
            "-",
            "delete",
            "move_up",
            "move_down",
            "-",
            "renumber",
        ),
    ),
    ("视图(&V)", ("find", "-", "expand", "collapse")),
    ("工具(&T)", ("settings", "restore")),
    ("帮助(&H)", ("about",)),
)
TOOLBAR = (
    "open",
    "-",
    "undo",
    "redo",
    "-",
    "add_category",
    "add_finding",
    "add_item",
    "add_measure",
    "-",
    "delete",
    "move_up",
    "move_down",
    "renumber",
)


# The window's pages, in the order of their tabs: (key, tab title, "module:Class"). "ledger" is the tree
# and the form, always there; any other page is built the first time its tab is shown, with the window
# as its only argument, then gets every change (on_changes) and the read-only state (set_readonly), and
# goes when the ledger closes. A ledger opens on the overview.
PAGES: tuple[tuple[str, str, str], ...] = (
    ("overview", "总览", "rectify_desktop.ui.overview:OverviewPage"),
    ("ledger", "台账", ""),
    ("lists", "三张清单", "rectify_desktop.ui.lists_page:ListsPage"),
    ("registers", "制度与会议", "rectify_desktop.ui.registers:RegistersPage"),
    ("history", "修改记录", "rectify_desktop.ui.history:HistoryPage"),
)
FIRST_PAGE = "overview"


class NoticeBar(QFrame):
    """A short, dismissable notice above the tree (what fell overdue since the ledger was last opened)."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__()
        self.setObjectName("notice")
        self.setStyleSheet("#notice { background: #fdecea; border: 1px solid #f5c2c0; border-radius: 4px; }")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(8, 4, 4, 4)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.show_button = QPushButton("查看逾期事项")
        self.show_button.clicked.connect(window.show_overdue)
        self.close_button = QPushButton("知道了")
        self.close_button.clicked.connect(self.hide)
        lay.addWidget(self.label, 1)
        lay.addWidget(self.show_button)
        lay.addWidget(self.close_button)
        self.hide()

    def say(self, text: str) -> None:
        self.label.setText(text)
        self.show_button.show()
        self.setVisible(bool(text))

    def add(self, text: str) -> None:
        """Adds a line below what the notice says (a failed automatic backup), never hiding it."""
        if self.isHidden() or not self.label.text():
            self.label.setText(text)
            self.show_button.hide()
        elif text not in self.label.text().split("\n"):
            self.label.setText(f"{self.label.text()}\n{text}")
        self.show()


class FilteredOutPage(QWidget):
    """Stands in for the form when the filter hides the selected row and nothing matches: the clerk sees
    why the form is empty, and nothing hidden can be edited."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__()
        self.setObjectName("filtered_out")
        lay = QVBoxLayout(self)
        lay.addStretch(1)
        self.label = QLabel("")
        self.label.setObjectName("filtered_out.label")
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setWordWrap(True)
        self.label.setStyleSheet("color: #5f6368")
        lay.addWidget(self.label)
        row = QHBoxLayout()
        row.addStretch(1)
        self.clear_button = QPushButton("清除筛选")
        self.clear_button.clicked.connect(window.search.clear)
        row.addWidget(self.clear_button)
        row.addStretch(1)
        lay.addLayout(row)
        lay.addStretch(2)

    def say(self, hidden: str) -> None:
        self.label.setText(
            f"选中的{hidden}已被筛选隐藏，没有符合筛选条件的细化问题。\n请修改或清除筛选条件后再编辑。"
            if hidden
            else "没有符合筛选条件的细化问题。\n请修改或清除筛选条件后再编辑。"
        )


class WelcomePage(QWidget):
    """Shown when a ledger holds no inspection yet: the three ways to begin."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__()
        lay = QVBoxLayout(self)
        lay.addStretch(1)
        title = QLabel("欢迎使用整改台账")
        f = title.font()
        f.setPointSize(f.pointSize() + 8)
        f.setBold(True)
        title.setFont(f)
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lay.addWidget(title)
        hint = QLabel(
            "巡察、审计、督查反馈的问题，在这里逐项细化、落实责任、跟踪进展、收集佐证、对账销号。\n"
            "所有修改即时保存，可随时撤销。"
        )
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        hint.setWordWrap(True)
        lay.addWidget(hint)
        row = QHBoxLayout()
        row.addStretch(1)
        self.buttons: dict[str, QPushButton] = {}
        for key, text, slot in (
            ("new_inspection", "新建巡察整改台账", window.add_inspection),
            ("demo", "打开示例台账", window.open_demo),
            ("open", "打开台账文件…", window.choose_ledger),
        ):
            b = QPushButton(text)
            b.setMinimumSize(120, 44)
            b.clicked.connect(slot)
            row.addWidget(b)
            self.buttons[key] = b
        row.addStretch(1)
        lay.addLayout(row)
        self.path_label = QLabel("")
        self.path_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.path_label.setStyleSheet("color: #5f6368")
        lay.addWidget(self.path_label)
        lay.addStretch(2)


class MainWindow(QMainWindow):
    def __init__(self, settings: QSettings) -> None:
        super().__init__()
        self.settings = settings
        self.ledger: Ledger | None = None
        self.bridge: UndoBridge | None = None
        self.panel = None
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
        self.setWindowTitle(APP_NAME)
        self.resize(1400, 860)
        self.splitter.setSizes([800, 600])
        self.tree.setColumnWidth(COL_TITLE, 420)
        self.tree.setColumnWidth(COL_STATUS, 110)
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

    def _siblings(self, node: Node) -> list[Node]:
        return node.parent.children if node.parent else self.model.roots

    # --- opening and closing -----------------------------------------------------------------------

    def open_default(self) -> None:
        """The last ledger, or on first run an empty one in the data folder, with the welcome page."""
        from rectify_desktop.ui.app import DEFAULT_LEDGER_NAME, data_dir

        last = self.settings.value("last_ledger", "", str)
        if last and Path(last).exists():
            self.open_ledger(Path(last))
            return
        path = data_dir() / DEFAULT_LEDGER_NAME
        if not path.exists():
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                storage.create_file(path)
            except (OSError, storage.LedgerError) as exc:
                self._error("无法创建台账", str(exc))
                return
        self.open_ledger(path)

    def open_demo(self) -> None:
        from rectify_desktop.ui.app import fresh_demo_path

        try:
            path = fresh_demo_path()
        except (OSError, storage.LedgerError) as exc:
            self._error("无法生成示例台账", str(exc))
            return
        if self.open_ledger(path):
            self.expand_all()

    def choose_ledger(self) -> None:
        start = str(self.ledger.path.parent) if self.ledger else str(Path.home())
        path, _ = QFileDialog.getOpenFileName(self, "打开台账", start, FILE_FILTER)
        if path:
            self.open_ledger(Path(path))

    def new_ledger(self) -> None:
        start = str(self.ledger.path.parent) if self.ledger else str(Path.home())
        path, _ = QFileDialog.getSaveFileName(self, "新建台账", str(Path(start) / "整改台账.db"), FILE_FILTER)
        if not path:
            return
        p = Path(path)
        if not p.suffix:
            p = p.with_suffix(".db")
        if p.exists():
            # The save dialog already asked whether to replace it; a ledger is never overwritten here.
            self._error("无法新建台账", f"文件已存在，请换一个文件名：{p}")
            return
        try:
            storage.create_file(p)
        except storage.LedgerError as exc:
            self._error("无法新建台账", str(exc))
            return
        self.open_ledger(p)

    def open_ledger(self, path: Path, readonly: bool = False) -> bool:
        """Opens `path` in this window, asking before a read-only open; returns whether it opened."""
        path = Path(path)
        if self.ledger is not None and not self.ledger.closed and self.ledger.path.resolve() == path.resolve():
            return True
        self._close_ledger()
        try:
            ledger = Ledger.open(path, readonly=readonly)
        except (storage.LockedError, storage.ReadOnlyFileError, storage.ForeignSchemaError) as exc:
            if not confirm(self, "以只读方式打开？", f"{exc}\n\n是否以只读方式打开？只读时可以查看，但不能修改。"):
                self._show_no_ledger()
                return False
            return self.open_ledger(path, readonly=True)
        except storage.LedgerError as exc:
            self._error("无法打开台账", str(exc))
            self._show_no_ledger()
            return False
        self._attach(ledger)
        if ledger.warnings:
            # Found on opening (values not understood, objects another program added, edits left in the
            # -wal): the clerk must know before working on, once, in full.
            QMessageBox.warning(self, "打开台账时发现的问题", "\n\n".join(ledger.warnings))
        if ledger.migrated_backup:
            QMessageBox.information(
                self,
                "台账已升级",
                f"该台账由旧版本程序创建，已升级到当前版本。\n升级前的文件已备份为：\n{ledger.migrated_backup}",
            )
        return True

    def _attach(self, ledger: Ledger) -> None:
        from rectify_desktop.ui.forms import EditPanel

        self.ledger = ledger
        self.undo_stack.clear()
        self.bridge = UndoBridge(ledger, self.undo_stack, self._change_failed)
        self.panel = EditPanel(ledger, self.bridge, window=self)
        self.panel.set_readonly(ledger.readonly)
        self.right.addWidget(self.panel)
        ledger.subscribe(self._on_changes)
        self.model.immediate_days = ledger_settings.get_int("immediate_days")
        self.model.due_soon_days = ledger_settings.get_int("due_soon_days")
        self.model.reload()
        self._remember_recent(ledger.path)
        name = ledger.path.name
        # 只读 once, beside the file it is about: not again when the file's own name already says it.
        if ledger.readonly and "只读" not in name:
            name += "（只读）"
        self.setWindowTitle(f"{name} - {APP_NAME}")
        self.welcome.path_label.setText(f"当前台账文件：{ledger.path}")
        if self.model.roots:
            for r in self.model.roots:
                self.tree.expand(self.model.index_of(r))
            self.tree.setCurrentIndex(self.model.index_of(self.model.roots[0]))
        self._show_right()
        self._refresh_status()
        self._update_actions()
        # A ledger with an inspection opens on the overview; an empty one on the welcome page.
        self.show_page(FIRST_PAGE if self.model.roots else "ledger")
        self._tell_newly_overdue()
        if not ledger.readonly:
            # After the window is up, so that opening never waits for the copy.
            QTimer.singleShot(1500, lambda p=ledger.path: self._backup_in_background(p))

    def _opened_key(self) -> str:
        import hashlib

        assert self.ledger is not None
        return "opened/" + hashlib.sha1(str(self.ledger.path.resolve()).encode()).hexdigest()[:16]

    def _tell_newly_overdue(self) -> None:
        """Says what fell overdue since this ledger was last opened on this computer."""
        import datetime as dt

        key = self._opened_key()
        today = dt.date.today()
        last = self.settings.value(key, "", str)
        self.settings.setValue(key, today.isoformat())
        self.notice.say("")
        try:
            since = dt.date.fromisoformat(last) if last else None
        except ValueError:
            since = None
        if since is None or since >= today:
            return
        late = stats.newly_overdue(since, today, self.model.immediate_days)
        if late:
            names = "；".join(r.title[:18] for r in late[:3]) + ("……" if len(late) > 3 else "")
            self.notice.say(f"自上次打开（{since.month}月{since.day}日）以来，新增逾期未完成 {len(late)} 项：{names}")

    def show_overdue(self) -> None:
        self.show_page("ledger")
        bar = self.search
        bar.deadline.setCurrentIndex(bar.deadline.findData("overdue"))
        self.notice.hide()

    def _backup_in_background(self, path: Path) -> None:
        if self.ledger is None or self.ledger.closed or self.ledger.path != path:
            return
        from rectify_desktop.ui.settings_dialog import BackupRunner, backup_budget, backup_folder, backup_keep

        s = self.settings
        job = backup.BackupJob(path, backup_folder(s), backup_keep(s), backup_budget(s))
        runner = BackupRunner(job, self)
        runner.finished.connect(self._backup_finished)
        self._backup_runners = [r for r in self._backup_runners if r.running] + [runner]
        runner.start()

    def _backup_finished(self, outcome: backup.Outcome) -> None:
        """A backup that could not be made is said above the pages, in the clerk's words; never kept silent."""
        if outcome.error:
            self.notice.add(outcome.error)
        elif outcome.warning:
            self.statusBar().showMessage(outcome.warning, 15000)

    def apply_ledger_settings(self) -> None:
        """After the settings changed: deadlines may count differently."""
        if self.ledger is None or self.ledger.closed:
            return
        self.model.due_soon_days = ledger_settings.get_int("due_soon_days")
        days = ledger_settings.get_int("immediate_days")
        if days != self.model.immediate_days:
            self.model.immediate_days = days
            self.model.reload()
            self.search.invalidate()
        self._refresh_status()

    def open_settings(self) -> None:
        from rectify_desktop.ui.settings_dialog import open_settings_dialog

        open_settings_dialog(self)

    def open_restore(self) -> None:
        from rectify_desktop.ui.settings_dialog import open_restore_dialog

        open_restore_dialog(self)

    def close_ledger(self) -> None:
        self._close_ledger()
        self._show_no_ledger()

    def _page_shown(self, index: int) -> None:
        if index < 0 or self.ledger is None:
            return
        key, _title, spec = PAGES[index]
        if key != "ledger" and key not in self.pages:
            import importlib

            module, cls = spec.split(":")
            page = getattr(importlib.import_module(module), cls)(self)
            page.set_readonly(self.ledger.readonly)
            self.pages[key] = page
            self.tabs.widget(index).layout().addWidget(page)

    def show_page(self, key: str) -> QWidget | None:
        """Brings a page to the front (building it if needed) and returns it; "ledger" is the tree and form."""
        index = self._tab_keys.index(key)
        self.tabs.setCurrentIndex(index)
        self._page_shown(index)
        return self.splitter if key == "ledger" else self.pages.get(key)

    def _close_pages(self) -> None:
        for page in self.pages.values():
            page.setParent(None)
            page.deleteLater()
        self.pages.clear()

    def _close_ledger(self) -> None:
        if self.ledger is None:
            return
        self._close_pages()
        if self.panel is not None:
            self.panel.commit_pending()
            self.right.removeWidget(self.panel)
            self.panel.deleteLater()
            self.panel = None
            from rectify_desktop.ui import evidence_ui

            evidence_ui.cleanup_temp()  # the copies opened for viewing go with the ledger
        self.ledger.unsubscribe(self._on_changes)
        warning = self.ledger.close()
        self.ledger = None
        if warning:
            QMessageBox.warning(self, "台账的最后修改尚未合并", warning)
        self.bridge = None
        self.undo_stack.clear()
        self._before_filter = None
        self._selection_hidden = False
        self.model.clear()
        self.node_history.show_node(None, None)

    def _show_no_ledger(self) -> None:
        self.setWindowTitle(APP_NAME)
        self.welcome.path_label.setText("未打开台账")
        self.right.setCurrentWidget(self.welcome)
        self.status_label.setText("")
        self._update_actions()

    def _show_right(self) -> None:
        if self.panel is not None and self.model.roots:
            self.right.setCurrentWidget(self.filtered_out if self._selection_hidden else self.panel)
        else:
            self.right.setCurrentWidget(self.welcome)
        for b in self.welcome.buttons.values():
            b.setEnabled(True)
        self.welcome.buttons["new_inspection"].setEnabled(self.ledger is not None and not self.ledger.readonly)

    def backup_ledger(self) -> None:
        if self.ledger is None:
            return
        from datetime import datetime

        default = self.ledger.path.with_name(f"{self.ledger.path.stem}-备份-{datetime.now():%Y%m%d-%H%M}.db")
        path, _ = QFileDialog.getSaveFileName(self, "备份台账", str(default), FILE_FILTER)
        if not path:
            return
        if self.panel is not None:
            self.panel.commit_pending()
        try:
            storage.backup_file(self.ledger.path, path)
        except storage.LedgerError as exc:
            self._error("备份失败", str(exc))
            return
        self.statusBar().showMessage(f"已备份到 {path}", 8000)

    # --- recent files and window state -------------------------------------------------------------

    def _remember_recent(self, path: Path) -> None:
        p = str(path.resolve())
        recent = [r for r in self._recent() if r != p]
        self.settings.setValue("recent", [p, *recent][:MAX_RECENT])
        self.settings.setValue("last_ledger", p)
        self._fill_recent_menu()

    def _recent(self) -> list[str]:
        value = self.settings.value("recent", [])
        if isinstance(value, str):
            value = [value]
        return [str(v) for v in (value or [])]

    def _fill_recent_menu(self) -> None:
        if self.recent_menu is None:
            return
        self.recent_menu.clear()
        recent = self._recent()
        for i, p in enumerate(recent, 1):
            act = self.recent_menu.addAction(f"&{i} {p}")
            act.triggered.connect(lambda _=False, p=p: self.open_ledger(Path(p)))
        self.recent_menu.setEnabled(bool(recent))

    def _restore_state(self) -> None:
        geometry = self.settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = self.settings.value("window/state")
        if state is not None:
            self.restoreState(state)
        splitter = self.settings.value("window/splitter")
        if splitter is not None:
            self.splitter.restoreState(splitter)
        right = self.settings.value("window/right_splitter")
        if right is not None:
            self.right_split.restoreState(right)
        header = self.settings.value("window/tree_header")
        if header is not None:
            self.tree.header().restoreState(header)

    def save_state(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.settings.setValue("window/splitter", self.splitter.saveState())
        self.settings.setValue("window/right_splitter", self.right_split.saveState())
        self.settings.setValue("window/tree_header", self.tree.header().saveState())
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        for runner in self._backup_runners:
            runner.abandon()  # its partial copy goes now; the ledger is backed up at the next opening
        self.save_state()
        self._close_ledger()
        event.accept()

    # --- following the ledger ----------------------------------------------------------------------

    def _on_changes(self, changes: list[Change]) -> None:
        self.model.on_changes(changes)
        if self.panel is not None:
            self.panel.on_changes(changes)
        for page in self.pages.values():
            page.on_changes(changes)
        self.node_history.on_changes(changes)
        self.search.invalidate()
        self._show_right()
        self._refresh_timer.start()

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
        self._error("无法完成修改", str(exc))

    def _error(self, title: str, text: str) -> None:
        QMessageBox.critical(self, title, text)

    # --- selection ---------------------------------------------------------------------------------

    def current_node(self) -> Node | None:
        return self.model.node_for(self.tree.currentIndex())

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
        self._push(ops.add_measure(item.id))

    def delete_current(self) -> None:
        node = self.current_node()
        if node is None or self.ledger is None or self.ledger.readonly:
            return
        name = KIND_NAMES[node.kind]
        label = self.model.data(self.model.index_of(node))
        below = ""
        if node.kind != ITEM:
            n_items = len(node.items())
            below = f"及其下的 {n_items} 项细化问题" if n_items else ""
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
        kind, row_id = node.kind, node.id
        if self._push(ops.move(KIND_MODELS[kind], row_id, delta)):
            self.select(kind, row_id)
            self._update_actions()

    def move_up(self) -> None:
        self._move(-1)

    def move_down(self) -> None:
        self._move(+1)

    def renumber(self) -> None:
        node = self.current_node()
        insp = self._inspection_of(node) if node else (self.model.roots[0] if self.model.roots else None)
        if insp is None:
            return
        command = ops.renumber(insp.id)
        if self._push(command):
            self.statusBar().showMessage(f"已按当前顺序重新编号，{command.changed} 处序号改变。可撤销。", 8000)

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
