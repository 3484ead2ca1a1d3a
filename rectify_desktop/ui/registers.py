"""The registers (制度建设, 会议) of the current inspection, as two tables edited in place.

A notice quotes their counts ("制定完善制度6项", "召开会议6次"), so they live beside the ledger: each rule has
a title, a 文号 and a date, each meeting a kind, a date and a topic, and both name the items they answer or
discussed. Every edit is a command pushed through the window's undo bridge (one undo step each; the links
of one dialog are one Batch), and the tables follow every change of the ledger, undo and redo included.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QDate, QLocale, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QStyledItemDelegate,
    QTableView,
    QTreeWidget,
    QTreeWidgetItem,
    QTreeWidgetItemIterator,
    QVBoxLayout,
    QWidget,
)

from rectify_desktop.core import ops, rules
from rectify_desktop.core.commands import Batch, Change, Command, Insert
from rectify_desktop.core.models import (
    BaseModel,
    Category,
    Finding,
    Inspection,
    Institution,
    InstitutionItem,
    Item,
    Meeting,
    MeetingItem,
)
from rectify_desktop.ui.dialogs import confirm
from rectify_desktop.ui.theme import HINT_COLOR

MEETING_KINDS: tuple[str, ...] = ("专题会议", "推进会", "党组会议", "民主生活会", "领导小组会议")
NEW_INSTITUTION_TITLE = "新制度"

_ZH = QLocale(QLocale.Language.Chinese, QLocale.Country.China)
_NO_DATE = QDate(1900, 1, 1)


def cn_date(d: dt.date | None) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if d else ""


@dataclass(frozen=True)
class Column:
    """A column of a register: its header, the field it edits ("" for none), and how it is edited."""

    header: str
    field: str = ""
    editor: str = "text"  # text, date, kind, links, none


@dataclass(frozen=True)
class Register:
    """One register: its table, its link table, and the words the page uses for it."""

    model: type[BaseModel]
    link: type[BaseModel]
    link_fk: str
    name: str  # 制度 / 会议
    title: str  # 制度建设 / 会议
    unit: str  # 项 / 次
    columns: tuple[Column, ...]
    label_field: str  # what names a row in a question (title / topic)


INSTITUTIONS = Register(
    Institution,
    InstitutionItem,
    "institution",
    "制度",
    "制度建设",
    "项",
    (
        Column("序号", editor="none"),
        Column("制度名称", "title"),
        Column("文号", "doc_number"),
        Column("印发日期", "date", "date"),
        Column("关联细化问题", editor="links"),
    ),
    "title",
)
MEETINGS = Register(
    Meeting,
    MeetingItem,
    "meeting",
    "会议",
    "会议",
    "次",
    (
        Column("序号", editor="none"),
        Column("会议类型", "kind", "kind"),
        Column("日期", "date", "date"),
        Column("议题", "topic"),
        Column("关联细化问题", editor="links"),
    ),
    "topic",
)


def item_refs(ids: list[int]) -> dict[int, tuple[int, int, int, str]]:
    """id → (finding number, item number, item position, title) for the items `ids`."""
    out: dict[int, tuple[int, int, int, str]] = {}
    for i in range(0, len(ids), 500):
        q = (
            Item.select(Item.id, Finding.number, Item.number, Item.position, Item.title)
            .join(Finding)
            .where(Item.id.in_(ids[i : i + 500]))
            .tuples()
        )
        for iid, fnum, num, pos, title in q:
            out[iid] = (fnum, num, pos, title)
    return out


def ref_text(fnum: int, num: int) -> str:
    return f"{fnum}{rules.item_label(num)}"


# --- the table model -------------------------------------------------------------------------------


class RegisterModel(QAbstractTableModel):
    """The rows of one register for one inspection; setData pushes a command, never writes itself."""

    def __init__(self, page: RegistersPage, register: Register) -> None:
        super().__init__(page)
        self.page = page
        self.register = register
        self.rows: list[BaseModel] = []
        self.links: dict[int, list[tuple[int, int]]] = {}  # row id → [(link id, item id)] in ledger order
        self.refs: dict[int, tuple[int, int, int, str]] = {}
        self.readonly = False

    # reading

    def reload(self, inspection_id: int | None) -> None:
        """Reads the rows again; the same rows are refreshed in place (an open editor stays), others reset."""
        reg = self.register
        m = reg.model
        rows = (
            list(m.select().where(m.inspection == inspection_id).order_by(m.position, m.id))  # type: ignore[attr-defined]
            if inspection_id is not None
            else []
        )
        ids = [r.id for r in rows]
        links: dict[int, list[tuple[int, int]]] = {i: [] for i in ids}
        fk = getattr(reg.link, reg.link_fk)
        if ids:
            for lid, owner, item in reg.link.select(reg.link.id, fk, reg.link.item).where(fk.in_(ids)).tuples():
                links[owner].append((lid, item))
        refs = item_refs(sorted({item for v in links.values() for _, item in v}))
        for v in links.values():
            v.sort(key=lambda li: (refs.get(li[1], (0, 0, 0, ""))[:3], li[1]))
        same = ids == [r.id for r in self.rows]
        if not same:
            self.beginResetModel()
        self.rows, self.links, self.refs = rows, links, refs
        if same:
            if rows:
                self.dataChanged.emit(self.index(0, 0), self.index(len(rows) - 1, self.columnCount() - 1))
        else:
            self.endResetModel()

    def row_id(self, row: int) -> int | None:
        return int(self.rows[row].id) if 0 <= row < len(self.rows) else None

    def row_of(self, row_id: int) -> int:
        for i, r in enumerate(self.rows):
            if r.id == row_id:
                return i
        return -1

    def linked_items(self, row_id: int) -> list[int]:
        return [item for _, item in self.links.get(row_id, [])]

    def link_ids(self, row_id: int) -> dict[int, int]:
        """item id → link row id."""
        return {item: lid for lid, item in self.links.get(row_id, [])}

    # Qt's interface

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.register.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.register.columns[section].header
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        f = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        col = self.register.columns[index.column()]
        if col.field and not self.readonly:
            f |= Qt.ItemFlag.ItemIsEditable
        return f

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        col = self.register.columns[index.column()]
        if col.editor == "none":
            if role == Qt.ItemDataRole.DisplayRole:
                return str(index.row() + 1)
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return int(Qt.AlignmentFlag.AlignCenter)
            return None
        if col.editor == "links":
            items = self.linked_items(row.id)
            if role == Qt.ItemDataRole.DisplayRole:
                refs = [ref_text(*self.refs[i][:2]) for i in items if i in self.refs]
                return "、".join(refs) if refs else "（未关联）"
            if role == Qt.ItemDataRole.ToolTipRole:
                lines = [f"{ref_text(*self.refs[i][:2])} {self.refs[i][3]}" for i in items if i in self.refs]
                return "\n".join(lines) + "\n\n双击修改关联的细化问题" if lines else "双击选择关联的细化问题"
            if role == Qt.ItemDataRole.ForegroundRole and not items:
                return QColor(HINT_COLOR)
            return None
        value = getattr(row, col.field)
        if role == Qt.ItemDataRole.DisplayRole:
            return cn_date(value) if col.editor == "date" else (value or "")
        if role == Qt.ItemDataRole.EditRole:
            return value
        if role == Qt.ItemDataRole.ToolTipRole and col.editor == "text" and value:
            return str(value)
        return None

    def setData(
        self, index: QModelIndex | QPersistentModelIndex, value: Any, role: int = Qt.ItemDataRole.EditRole
    ) -> bool:  # noqa: N802
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or self.readonly:
            return False
        row = self.rows[index.row()]
        col = self.register.columns[index.column()]
        if not col.field:
            return False
        if isinstance(value, str):
            value = value.strip()
            if col.editor == "kind" and not value:
                return False  # a meeting always has a kind
        if getattr(row, col.field) == value:
            return False
        return self.page.push(ops.set_fields(self.register.model, int(row.id), {col.field: value}, seen=row))


# --- editors -----------------------------------------------------------------------------------------


class _DateDelegate(QStyledItemDelegate):
    """A date picked on a calendar; the first day (未填写) stands for no date."""

    def createEditor(self, parent: QWidget, option: Any, index: QModelIndex) -> QWidget:  # noqa: N802
        ed = QDateEdit(parent)
        ed.setObjectName("register.date_editor")
        ed.setLocale(_ZH)
        ed.setCalendarPopup(True)
        ed.setDisplayFormat("yyyy年M月d日")
        ed.setMinimumDate(_NO_DATE)
        ed.setSpecialValueText("未填写")
        ed.calendarWidget().setLocale(_ZH)
        ed.calendarWidget().setFirstDayOfWeek(Qt.DayOfWeek.Monday)
        return ed

    def setEditorData(self, editor: QWidget, index: QModelIndex) -> None:  # noqa: N802
        value = index.data(Qt.ItemDataRole.EditRole)
        d = value if isinstance(value, dt.date) else dt.date.today()
        editor.setDate(QDate(d.year, d.month, d.day))  # type: ignore[attr-defined]

    def setModelData(self, editor: QWidget, model: Any, index: QModelIndex) -> None:  # noqa: N802
        q = editor.date()  # type: ignore[attr-defined]
        value = None if q == _NO_DATE else dt.date(q.year(), q.month(), q.day())
        model.setData(index, value, Qt.ItemDataRole.EditRole)


class _KindDelegate(QStyledItemDelegate):
    """会议类型: the usual kinds offered, any other typed."""

    def createEditor(self, parent: QWidget, option: Any, index: QModelIndex) -> QWidget:  # noqa: N802
        combo = QComboBox(parent)
        combo.setObjectName("register.kind_editor")
        combo.setEditable(True)
        combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        combo.addItems(list(MEETING_KINDS))
        # Choosing from the list is an edit done: write it at once, as Enter would.
        combo.activated.connect(lambda _i, c=combo: self._done(c))
        return combo

    def _done(self, combo: QComboBox) -> None:
        self.commitData.emit(combo)
        self.closeEditor.emit(combo, QStyledItemDelegate.EndEditHint.NoHint)

    def setEditorData(self, editor: QWidget, index: QModelIndex) -> None:  # noqa: N802
        editor.setCurrentText(str(index.data(Qt.ItemDataRole.EditRole) or ""))  # type: ignore[attr-defined]

    def setModelData(self, editor: QWidget, model: Any, index: QModelIndex) -> None:  # noqa: N802
        model.setData(index, editor.currentText(), Qt.ItemDataRole.EditRole)  # type: ignore[attr-defined]


class _TextDelegate(QStyledItemDelegate):
    def createEditor(self, parent: QWidget, option: Any, index: QModelIndex) -> QWidget:  # noqa: N802
        ed = QLineEdit(parent)
        ed.setObjectName("register.text_editor")
        ed.setFrame(False)
        return ed


# --- linking items -------------------------------------------------------------------------------------


class LinkItemsDialog(QDialog):
    """Which items a rule answers or a meeting discussed: the inspection's items in a checkable tree
    (方面 → 问题 → 细化问题), with a search box."""

    def __init__(self, parent: QWidget | None, inspection_id: int, title: str, checked: set[int]) -> None:
        super().__init__(parent)
        self.setWindowTitle("关联细化问题")
        self.resize(720, 560)
        lay = QVBoxLayout(self)
        head = QLabel(title)
        head.setWordWrap(True)
        lay.addWidget(head)
        self.search = QLineEdit()
        self.search.setObjectName("link.search")
        self.search.setPlaceholderText("搜索细化问题、问题或责任部门")
        self.search.setClearButtonEnabled(True)
        lay.addWidget(self.search)
        self.tree = QTreeWidget()
        self.tree.setObjectName("link.tree")
        self.tree.setHeaderHidden(True)
        self.tree.setUniformRowHeights(True)
        lay.addWidget(self.tree, 1)
        self.count = QLabel()
        self.count.setObjectName("link.count")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("确定")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.count, 1)
        row.addWidget(self.buttons)
        lay.addLayout(row)
        self.items: dict[int, QTreeWidgetItem] = {}
        self._fill(inspection_id, checked)
        self.tree.itemChanged.connect(self._count)
        self.search.textChanged.connect(self._filter)
        self._count()

    def _fill(self, inspection_id: int, checked: set[int]) -> None:
        cats = list(
            Category.select().where(Category.inspection == inspection_id).order_by(Category.position, Category.id)
        )
        findings = list(
            Finding.select().where(Finding.inspection == inspection_id).order_by(Finding.position, Finding.id)
        )
        items = list(
            Item.select(Item, Finding.id)
            .join(Finding)
            .where(Finding.inspection == inspection_id)
            .order_by(Item.position, Item.id)
        )
        by_cat: dict[int, list[Finding]] = {}
        for f in findings:
            by_cat.setdefault(f.category_id, []).append(f)
        by_finding: dict[int, list[Item]] = {}
        for it in items:
            by_finding.setdefault(it.finding_id, []).append(it)
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable
        self.tree.blockSignals(True)
        for ci, cat in enumerate(cats, 1):
            c = QTreeWidgetItem([f"{rules.category_label(ci)}{cat.title}"])
            c.setFlags(flags | Qt.ItemFlag.ItemIsAutoTristate)
            c.setCheckState(0, Qt.CheckState.Unchecked)
            self.tree.addTopLevelItem(c)
            for f in by_cat.get(cat.id, []):
                fi = QTreeWidgetItem([f"{rules.finding_label(f.number)}{f.title}"])
                fi.setFlags(flags | Qt.ItemFlag.ItemIsAutoTristate)
                fi.setCheckState(0, Qt.CheckState.Unchecked)
                c.addChild(fi)
                for it in by_finding.get(f.id, []):
                    ii = QTreeWidgetItem([f"{rules.item_label(it.number)}{it.title}"])
                    ii.setFlags(flags | Qt.ItemFlag.ItemNeverHasChildren)
                    ii.setData(0, Qt.ItemDataRole.UserRole, it.id)
                    # searched in: the item, its finding's number and title, its department
                    ii.setData(
                        0, Qt.ItemDataRole.UserRole + 1, f"{f.number}{it.number} {it.title} {f.title} {it.department}"
                    )
                    ii.setToolTip(0, it.title)
                    ii.setCheckState(0, Qt.CheckState.Checked if it.id in checked else Qt.CheckState.Unchecked)
                    fi.addChild(ii)
                    self.items[it.id] = ii
        self.tree.blockSignals(False)
        self.tree.expandAll()
        first = next((self.items[i] for i in self.items if i in checked), None)
        if first is not None:
            self.tree.scrollToItem(first)

    def _filter(self, text: str) -> None:
        words = text.split()
        it = QTreeWidgetItemIterator(self.tree)
        while it.value():
            node = it.value()
            if node.childCount() == 0 and node.data(0, Qt.ItemDataRole.UserRole) is not None:
                hay = (node.text(0) + " " + str(node.data(0, Qt.ItemDataRole.UserRole + 1))).lower()
                node.setHidden(not all(w.lower() in hay for w in words))
            it += 1
        # a finding or a category shows when one of its items does
        for i in range(self.tree.topLevelItemCount()):
            cat = self.tree.topLevelItem(i)
            any_cat = False
            for j in range(cat.childCount()):
                f = cat.child(j)
                any_f = any(not f.child(k).isHidden() for k in range(f.childCount()))
                f.setHidden(not any_f)
                any_cat = any_cat or any_f
            cat.setHidden(not any_cat)
        self.tree.expandAll()

    def _count(self, *_: object) -> None:
        self.count.setText(f"已选 {len(self.checked_ids())} 项细化问题")

    def checked_ids(self) -> set[int]:
        return {iid for iid, node in self.items.items() if node.checkState(0) == Qt.CheckState.Checked}

    def set_checked(self, ids: set[int]) -> None:
        for iid, node in self.items.items():
            node.setCheckState(0, Qt.CheckState.Checked if iid in ids else Qt.CheckState.Unchecked)


# --- the page ----------------------------------------------------------------------------------------


class _RegisterPane(QWidget):
    """One register: a title line with its buttons, and the table."""

    def __init__(self, page: RegistersPage, register: Register) -> None:
        super().__init__()
        self.page = page
        self.register = register
        self.model = RegisterModel(page, register)
        key = register.model.__name__.lower()
        self.view = QTableView()
        self.view.setObjectName(f"{key}.table")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.verticalHeader().setVisible(False)
        self.view.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        header = self.view.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setHighlightSections(False)
        fm = self.view.fontMetrics()
        text_delegate = _TextDelegate(self.view)
        for c, col in enumerate(register.columns):
            if col.editor == "date":
                self.view.setItemDelegateForColumn(c, _DateDelegate(self.view))
                header.setSectionResizeMode(c, QHeaderView.ResizeMode.Fixed)
                self.view.setColumnWidth(c, fm.horizontalAdvance("2026年12月31日") + 56)
            elif col.editor == "kind":
                self.view.setItemDelegateForColumn(c, _KindDelegate(self.view))
                header.setSectionResizeMode(c, QHeaderView.ResizeMode.Fixed)
                self.view.setColumnWidth(c, fm.horizontalAdvance("领导小组会议") + 56)
            elif col.editor == "none":
                header.setSectionResizeMode(c, QHeaderView.ResizeMode.Fixed)
                self.view.setColumnWidth(c, fm.horizontalAdvance("序号") + 24)
            elif col.editor == "links":
                header.setSectionResizeMode(c, QHeaderView.ResizeMode.Interactive)
                self.view.setColumnWidth(c, fm.horizontalAdvance("10（10）、10（10）、10（10）") + 24)
            else:
                self.view.setItemDelegateForColumn(c, text_delegate)
        for c, col in enumerate(register.columns):
            if col.field in ("title", "topic"):
                header.setSectionResizeMode(c, QHeaderView.ResizeMode.Stretch)
            elif col.field == "doc_number":
                header.setSectionResizeMode(c, QHeaderView.ResizeMode.Interactive)
                self.view.setColumnWidth(c, fm.horizontalAdvance("临教党〔2026〕21号") + 28)
        self.view.doubleClicked.connect(self._double_clicked)
        self.view.selectionModel().selectionChanged.connect(self.update_buttons)

        title = QLabel(register.title)
        f = title.font()
        f.setBold(True)
        title.setFont(f)
        self.count = QLabel()
        self.count.setStyleSheet(f"color: {HINT_COLOR};")
        self.add_button = self._button(f"新增{register.name}", f"{key}.add", self.add)
        self.delete_button = self._button(f"删除{register.name}", f"{key}.delete", self.delete)
        self.link_button = self._button("关联细化问题…", f"{key}.link", self.link)
        bar = QHBoxLayout()
        bar.addWidget(title)
        bar.addSpacing(6)
        bar.addWidget(self.count)
        bar.addStretch(1)
        for b in (self.add_button, self.delete_button, self.link_button):
            bar.addWidget(b)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(6)
        lay.addLayout(bar)
        lay.addWidget(self.view)
        self.update_buttons()

    def _button(self, text: str, name: str, slot: Any) -> QPushButton:
        b = QPushButton(text)
        b.setObjectName(name)
        b.setAutoDefault(False)
        b.clicked.connect(slot)
        return b

    # showing

    def reload(self, inspection_id: int | None) -> None:
        keep = self.selected_id()
        self.model.reload(inspection_id)
        if keep is not None and self.selected_id() != keep:
            self.select(keep)
        n = len(self.model.rows)
        self.count.setText(f"{n}{self.register.unit}")
        self.update_buttons()

    def selected_id(self) -> int | None:
        rows = self.view.selectionModel().selectedRows()
        return self.model.row_id(rows[0].row()) if rows else None

    def select(self, row_id: int) -> bool:
        r = self.model.row_of(row_id)
        if r < 0:
            return False
        self.view.selectRow(r)
        self.view.scrollTo(self.model.index(r, 0))
        return True

    def update_buttons(self, *_: object) -> None:
        writable = self.page.writable()
        has_insp = self.page.inspection_id is not None
        selected = self.selected_id() is not None
        self.add_button.setEnabled(writable and has_insp)
        self.delete_button.setEnabled(writable and selected)
        self.link_button.setEnabled(writable and selected)

    def set_readonly(self, readonly: bool) -> None:
        self.model.readonly = readonly
        if readonly and self.view.state() == QAbstractItemView.State.EditingState:
            self.view.reset()  # closes the open editor without writing it
        self.update_buttons()

    # edits

    def _double_clicked(self, index: QModelIndex) -> None:
        if self.register.columns[index.column()].editor == "links":
            self.link()

    def edit_cell(self, row_id: int, field: str) -> None:
        """Opens the editor of a cell (after adding a row, its title or topic)."""
        r = self.model.row_of(row_id)
        c = next(i for i, col in enumerate(self.register.columns) if col.field == field)
        if r < 0:
            return
        index = self.model.index(r, c)
        self.view.setCurrentIndex(index)
        self.view.setFocus()
        self.view.edit(index)

    def add(self) -> None:
        iid = self.page.inspection_id
        if iid is None or not self.page.writable():
            return
        today = dt.date.today()
        if self.register.model is Institution:
            values: dict[str, Any] = {"inspection": iid, "title": NEW_INSTITUTION_TITLE, "date": today}
            field = "title"
        else:
            values = {"inspection": iid, "kind": MEETING_KINDS[0], "date": today, "topic": ""}
            field = "topic"
        cmd = Insert(self.register.model, values)
        if self.page.push(cmd) and cmd.row_id is not None:
            self.select(cmd.row_id)
            self.edit_cell(cmd.row_id, field)

    def delete(self) -> None:
        rid = self.selected_id()
        if rid is None or not self.page.writable():
            return
        reg = self.register
        row = reg.model.get_or_none(reg.model.id == rid)
        if row is None:
            return
        label = getattr(row, reg.label_field) or (row.kind if reg.model is Meeting else "")
        n = len(self.model.links.get(rid, []))
        linked = f"\n\n它与 {n} 项细化问题的关联一并删除（细化问题本身不删除）。" if n else ""
        text = f"确定删除{reg.name}“{label or '（未填写）'}”吗？{linked}\n\n删除后可以用“撤销”（Ctrl+Z）恢复。"
        if not confirm(self, f"删除{reg.name}", text):
            return
        r = self.model.row_of(rid)
        if self.page.push(ops.delete(reg.model, rid)):
            if self.model.rows:
                self.view.selectRow(min(r, len(self.model.rows) - 1))

    def link(self) -> None:
        rid = self.selected_id()
        iid = self.page.inspection_id
        if rid is None or iid is None or not self.page.writable():
            return
        reg = self.register
        row = reg.model.get_by_id(rid)
        label = getattr(row, reg.label_field) or ""
        old = self.model.link_ids(rid)
        dlg = LinkItemsDialog(self, iid, f"选择{reg.name}“{label}”关联的细化问题：", set(old))
        try:
            if dlg.exec() != QDialog.DialogCode.Accepted:
                return
            new = dlg.checked_ids()
        finally:
            dlg.deleteLater()
        command = link_command(reg, rid, label, old, new)
        if command is not None:
            self.page.push(command)


def link_command(reg: Register, row_id: int, label: str, old: dict[int, int], new: set[int]) -> Command | None:
    """One Batch that links `row_id` to exactly the items `new` (old: item id → link id); None if no change."""
    added = sorted(set(new) - set(old))
    removed = sorted(set(old) - set(new))
    if not added and not removed:
        return None
    refs = item_refs(added + removed)
    steps: list[Command] = []
    what = f"{reg.name}“{label[:20]}”"
    for item in added:
        ins = Insert(reg.link, {reg.link_fk: row_id, "item": item})
        ins.text = f"{what}关联细化问题{ref_text(*refs[item][:2])}" if item in refs else ins.text
        steps.append(ins)
    for item in removed:
        d = ops.delete(reg.link, old[item])
        d.text = f"{what}取消关联细化问题{ref_text(*refs[item][:2])}" if item in refs else d.text
        steps.append(d)
    return Batch(f"修改{reg.name}关联的细化问题", steps)


class RegistersPage(QWidget):
    """制度与会议: the rules made (制度建设) and the meetings held (会议) for the current inspection."""

    def __init__(self, window: Any) -> None:
        super().__init__()
        self.window_ = window
        self.readonly = False
        self.inspection_id: int | None = None
        self.setObjectName("registers.page")
        self.counts = QLabel()
        self.counts.setObjectName("registers.counts")
        f = self.counts.font()
        f.setPointSizeF(f.pointSizeF() * 1.35)
        f.setWeight(QFont.Weight.Bold)
        self.counts.setFont(f)
        self.context = QLabel()
        self.context.setStyleSheet(f"color: {HINT_COLOR};")
        self.context.setWordWrap(True)
        hint = QLabel("双击单元格可直接修改；双击“关联细化问题”可选择关联的细化问题。所有修改即时保存，可撤销。")
        hint.setStyleSheet(f"color: {HINT_COLOR};")
        hint.setWordWrap(True)
        self.institutions = _RegisterPane(self, INSTITUTIONS)
        self.meetings = _RegisterPane(self, MEETINGS)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.institutions)
        self.splitter.addWidget(self.meetings)
        self.splitter.setChildrenCollapsible(False)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(18, 14, 18, 14)
        lay.setSpacing(6)
        lay.addWidget(self.counts)
        lay.addWidget(self.context)
        lay.addWidget(hint)
        lay.addSpacing(6)
        lay.addWidget(self.splitter, 1)
        self.reload()

    # the interface the window uses

    def on_changes(self, changes: list[Change]) -> None:
        relevant = (Inspection, Finding, Item, Institution, Meeting, InstitutionItem, MeetingItem)
        if any(c.kind in ("reset", "renumber") or c.entity in relevant for c in changes):
            # Now, not later: the edit that was just pushed must show at once (and in tests).
            self.reload()

    def set_readonly(self, readonly: bool) -> None:
        self.readonly = readonly
        self.institutions.set_readonly(readonly)
        self.meetings.set_readonly(readonly)

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        # The inspection may have changed in the tree while the page was hidden.
        if self._current_inspection() != self.inspection_id:
            self.reload()

    # for the panes

    def _ledger_open(self) -> bool:
        ledger = getattr(self.window_, "ledger", None)
        return ledger is not None and not ledger.closed

    def writable(self) -> bool:
        return self._ledger_open() and not self.readonly and not self.window_.ledger.readonly

    def push(self, command: Command) -> bool:
        bridge = getattr(self.window_, "bridge", None)
        if bridge is None or not self.writable():
            return False
        return bool(bridge.push(command))

    def _current_inspection(self) -> int | None:
        if not self._ledger_open():
            return None
        return self.window_.current_inspection_id()

    def reload(self) -> None:
        self.inspection_id = self._current_inspection()
        insp = Inspection.get_or_none(Inspection.id == self.inspection_id) if self.inspection_id else None
        self.institutions.reload(self.inspection_id if insp else None)
        self.meetings.reload(self.inspection_id if insp else None)
        if insp is None:
            self.counts.setText("制度与会议")
            self.context.setText("台账中还没有巡察。" if self._ledger_open() else "未打开台账。")
            return
        n_inst, n_meet = len(self.institutions.model.rows), len(self.meetings.model.rows)
        self.counts.setText(f"制度建设 {n_inst}项 · 会议 {n_meet}次")
        self.context.setText(insp.title or "（未命名的巡察）")

    def select(self, kind: str, row_id: int) -> bool:
        """Shows a rule ("institution") or a meeting ("meeting") of the registers, selected."""
        pane = self.institutions if kind == "institution" else self.meetings
        return pane.select(row_id)
