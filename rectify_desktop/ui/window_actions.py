"""The window's actions, menus, toolbar and pages (菜单、工具栏、页面), declared as data so that the
window only builds them; a new action is one line here and one method of the window."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QKeySequence

from rectify_desktop.core.outline import CATEGORY, FINDING, INSPECTION, ITEM

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
    ActionSpec(
        "connect_server",
        "连接服务器台账(&L)…",
        "Ctrl+Shift+O",
        "rectify_desktop.ui.server_dialog:connect_server",
        "连接办公室服务器（PostgreSQL）上的共享台账，多人可同时使用",
    ),
    ActionSpec("demo", "打开示例台账(&D)", None, "open_demo", "打开一份新生成的示例台账"),
    ActionSpec("backup", "备份台账(&B)…", "Ctrl+Shift+S", "backup_ledger", "把台账完整复制到另一个文件"),
    ActionSpec(
        "push_server",
        "推送到服务器(&S)…",
        None,
        "rectify_desktop.ui.server_dialog:push_to_server",
        "把本机的台账文件复制到服务器上，供多人同时使用（本机文件保留不变）",
    ),
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
        "fill_out",
        "下发填报表(&T)…",
        None,
        "rectify_desktop.ui.fillout_ui:send_round",
        "为各责任部门（或领导、责任人）生成只含其细化问题的Excel填报表，填好后交回",
    ),
    ActionSpec(
        "merge_returns",
        "回收填报表(&M)…",
        None,
        "rectify_desktop.ui.fillout_ui:merge_returns",
        "读入各部门交回的填报表，逐项核对改动后合并到台账（可撤销）",
        True,
    ),
    ActionSpec(
        "progress_report",
        "生成进展报告(&J)…",
        None,
        "rectify_desktop.ui.report_dialog:make_progress_report",
        "按截至日期生成整改进展报告（Word或Excel），并与上期报告比较",
    ),
    ActionSpec(
        "summary",
        "汇总多个台账(&U)…",
        None,
        "rectify_desktop.ui.summary_page:open_summary",
        "把各单位报来的台账（文件或文件夹）汇总成一张表，只读取，不改动原文件",
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
    ActionSpec(
        "move_to",
        "移动到(&T)…",
        "Ctrl+Shift+M",
        "move_to_dialog",
        "把选中的问题移到另一个方面下，或把细化问题移到另一个问题下（排在最后，其他序号不变）",
        True,
    ),
    ActionSpec("copy_text", "复制为文本(&Y)", None, "copy_as_text", "把选中节点的序号和标题复制到剪贴板"),
    ActionSpec("renumber", "重新编号(&R)", "Ctrl+R", "renumber", "按当前顺序重新编排问题和细化问题的序号", True),
    ActionSpec(
        "find", "查找与筛选(&S)", QKeySequence.StandardKey.Find, "focus_search", "按文字、状态、部门、期限等筛选"
    ),
    ActionSpec("expand", "全部展开(&E)", "Ctrl+E", "expand_all", "展开全部节点"),
    ActionSpec("collapse", "全部折叠(&Z)", "Ctrl+Shift+E", "collapse_all", "折叠到方面"),
    ActionSpec("settings", "设置(&S)…", "Ctrl+,", "open_settings", "单位名称、填报人、期限规则、自动备份等"),
    ActionSpec("restore", "恢复备份(&R)…", None, "open_restore", "从自动备份中恢复台账", True),
    ActionSpec("manual", "使用说明(&M)", "F1", "rectify_desktop.ui.manual:open_manual", "常用操作的步骤（F1）"),
    ActionSpec("about", "关于整改台账(&A)", None, "about", ""),
)

MENUS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "文件(&F)",
        (
            "new",
            "open",
            "connect_server",
            "recent",
            "demo",
            "-",
            "import_excel",
            "import_text",
            "export_excel",
            "export_evidence",
            "-",
            "fill_out",
            "merge_returns",
            "-",
            "notice",
            "report",
            "progress_report",
            "summary",
            "-",
            "print_preview",
            "print",
            "export_pdf",
            "-",
            "backup",
            "push_server",
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
            "move_to",
            "copy_text",
            "-",
            "renumber",
        ),
    ),
    ("视图(&V)", ("find", "-", "expand", "collapse")),
    ("工具(&T)", ("settings", "restore")),
    ("帮助(&H)", ("manual", "-", "about")),
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
