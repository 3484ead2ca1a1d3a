"""回收填报表's dialog: every change the returned workbooks would make, per item and per field, for the clerk to
tick before anything is written (issue 15).

The plan comes from ``io.fillout_merge.read_returns``; this dialog only shows it and collects the ticks. Files
that could not be read are listed first with their reason. Each item (序号 + 细化问题) is a row with a check
box; under it each changed field is a row with its own check box: 原值 → 新值, the department and file. A field
without a conflict is ticked at first (``plan.default_accepted()``); a conflicting one is shown in red with
its message under it and left unticked, for the clerk to decide. When two departments answered one field
differently, ticking one answer unticks the other, since only one can be the ledger's. 合并所选 makes
``core.fillout.apply_plan(plan, ticked)`` (one command; the caller pushes it on the undo stack).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTabWidget,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from rectify_desktop.core.fillout import TICK_DONE, TICK_OPEN, FieldChange, ItemEntry, MergePlan, apply_plan
from rectify_desktop.core.storage import LedgerError
from rectify_desktop.core.table import cn_date

CONFLICT_COLOR = QColor("#c62828")
HELD_COLOR = QColor("#b45309")
NOTE_COLOR = QColor("#555555")
HEADERS = ("细化问题 / 改动", "原值（台账）", "新值（填报）", "填报单位", "文件")
_ROLE_ID = Qt.ItemDataRole.UserRole
_ROLE_MESSAGE = Qt.ItemDataRole.UserRole + 1  # a conflict's message row: drawn wrapped over the whole width
_EMPTY = "（空）"


def shown(field: str, value: Any) -> str:
    """A value as the clerk reads it: 已完成/未完成 for a measure, a date in 年月日, （空） for nothing."""
    if value is None or value == "":
        return _EMPTY
    if isinstance(value, bool):
        return TICK_DONE if value else TICK_OPEN
    if field == "completed_date":
        try:
            return cn_date(dt.date.fromisoformat(str(value)))
        except ValueError:
            return str(value)
    return str(value)


def _one_line(text: str, n: int = 80) -> str:
    line = " ".join(text.split())
    return line if len(line) <= n else line[: n - 1] + "…"


class _MessageDelegate(QStyledItemDelegate):
    """Draws a conflict's message row wrapped over the whole width, so that a long message (both values,
    the file, the row) is read in the tree itself rather than cut off; other rows as usual."""

    def __init__(self, tree: QTreeWidget) -> None:
        super().__init__(tree)
        self.tree = tree

    def _width(self, index: QModelIndex | QPersistentModelIndex) -> int:
        depth, parent = 0, index.parent()
        while parent.isValid():
            depth, parent = depth + 1, parent.parent()
        return max(200, self.tree.viewport().width() - self.tree.indentation() * (depth + 1) - 12)

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:  # noqa: N802
        if index.data(_ROLE_MESSAGE) is None:
            return super().sizeHint(option, index)
        width = self._width(index)
        flags = int(Qt.TextFlag.TextWordWrap)
        box = option.fontMetrics.boundingRect(QRect(0, 0, width, 100000), flags, str(index.data()))
        return QSize(width, box.height() + 6)

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        if index.data(_ROLE_MESSAGE) is None:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.features |= QStyleOptionViewItem.ViewItemFeature.WrapText
        opt.textElideMode = Qt.TextElideMode.ElideNone
        style = opt.widget.style() if opt.widget is not None else self.tree.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)


class MergeDialog(QDialog):
    """回收填报表: what each returned workbook changes, ticked per item and per field."""

    def __init__(self, plan: MergePlan, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("fillout.merge")
        self.setWindowTitle("回收填报表：核对改动")
        self.plan = plan
        self.command: Any = None  # what 合并所选 made: the caller pushes it on the undo stack
        self.field_items: dict[str, QTreeWidgetItem] = {}
        self.entry_items: dict[str, QTreeWidgetItem] = {}
        self._fields: dict[str, FieldChange] = {f.id: f for f in plan.fields()}
        self._entry_of: dict[str, ItemEntry] = {f.id: e for e in plan.entries for f in e.fields}
        self._answers: dict[tuple[int, str], list[FieldChange]] = {}  # one field's answers, from each group
        for f in self._fields.values():
            self._answers.setdefault((f.item_id, f.field), []).append(f)
        self._messages: dict[str, list[str]] = {}
        for c in plan.conflicts:
            if c.entry:
                self._messages.setdefault(c.entry, []).append(c.message)
        self._syncing = False

        layout = QVBoxLayout(self)
        self.summary_label = QLabel(self._summary())
        self.summary_label.setObjectName("fillout.merge.summary")
        self.summary_label.setWordWrap(True)
        layout.addWidget(self.summary_label)

        self.refused_list = QListWidget()
        self.refused_list.setObjectName("fillout.merge.refused")
        for rf in plan.refused:
            row = QListWidgetItem(f"未合并“{rf.name}”：{rf.refused}")
            row.setForeground(QBrush(CONFLICT_COLOR))
            row.setToolTip(rf.path)
            self.refused_list.addItem(row)
        self.refused_list.setWordWrap(True)
        self.refused_list.setVisible(bool(plan.refused))
        self.refused_list.setMaximumHeight(40 * min(3, len(plan.refused)) + 12)
        layout.addWidget(self.refused_list)

        splitter = QSplitter(Qt.Orientation.Vertical)
        self.tree = QTreeWidget()
        self.tree.setObjectName("fillout.merge.tree")
        self.tree.setHeaderLabels(list(HEADERS))
        self.tree.setUniformRowHeights(False)  # a message row is as high as its wrapped text
        self.tree.setItemDelegate(_MessageDelegate(self.tree))
        self.tree.viewport().installEventFilter(self)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        head = self.tree.header()
        head.setStretchLastSection(False)
        for col, mode in enumerate(
            (
                QHeaderView.ResizeMode.Interactive,
                QHeaderView.ResizeMode.Stretch,
                QHeaderView.ResizeMode.Stretch,
                QHeaderView.ResizeMode.ResizeToContents,
                QHeaderView.ResizeMode.Interactive,
            )
        ):
            head.setSectionResizeMode(col, mode)
        self.tree.setColumnWidth(0, 200)
        self.tree.setColumnWidth(4, 200)
        self._fill_tree()
        self.tree.itemChanged.connect(self._changed)
        self.tree.currentItemChanged.connect(self._show_detail)
        splitter.addWidget(self.tree)

        self.tabs = QTabWidget()
        self.detail = QTextBrowser()
        self.detail.setObjectName("fillout.merge.detail")
        self.detail.setPlaceholderText("点选一处改动，在此查看完整的原值、新值和冲突说明。")
        self.tabs.addTab(self.detail, "详情")
        self.conflicts_list = self._list([c.message for c in plan.conflicts], CONFLICT_COLOR)
        self.tabs.addTab(self.conflicts_list, f"冲突（{len(plan.conflicts)}）")
        self.notes_list = self._list(plan.notes, None)
        self.tabs.addTab(self.notes_list, f"说明（{len(plan.notes)}）")
        attach = [f"{t.ref}　{t.name}　（{t.group}，{t.file}）" for t in plan.to_attach]
        self.attach_list = self._list(attach, None)
        self.tabs.addTab(self.attach_list, f"待附佐证材料（{len(plan.to_attach)}）")
        if plan.conflicts:
            self.tabs.setCurrentWidget(self.conflicts_list)
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([500, 160])  # the changes first; the lists below are looked up
        layout.addWidget(splitter, 1)

        self.count_label = QLabel()
        self.count_label.setObjectName("fillout.merge.count")
        layout.addWidget(self.count_label)

        buttons = QHBoxLayout()
        self.accept_clean_button = QPushButton("全部接受无冲突的")
        self.reject_all_button = QPushButton("全部不接受")
        only_returns = not self._fields and any(not f.refused for f in plan.files)
        self.merge_button = QPushButton("登记交回（无改动）" if only_returns else "合并所选")
        self.cancel_button = QPushButton("取消")
        for b in (self.accept_clean_button, self.reject_all_button, self.cancel_button):
            b.setAutoDefault(False)  # Enter merges, whichever button the focus passed through
        self.merge_button.setDefault(True)
        self.accept_clean_button.setEnabled(bool(self._fields))
        self.reject_all_button.setEnabled(bool(self._fields))
        self.accept_clean_button.clicked.connect(lambda: self.set_accepted(self.plan.default_accepted()))
        self.reject_all_button.clicked.connect(lambda: self.set_accepted(set()))
        self.merge_button.clicked.connect(self._merge)
        self.cancel_button.clicked.connect(self.reject)
        buttons.addWidget(self.accept_clean_button)
        buttons.addWidget(self.reject_all_button)
        buttons.addStretch(1)
        buttons.addWidget(self.merge_button)
        buttons.addWidget(self.cancel_button)
        layout.addLayout(buttons)
        self._update_count()
        self._size(parent)

    # --- building ---------------------------------------------------------------------------------

    def _size(self, parent: QWidget | None) -> None:
        screen = (parent.screen() if parent is not None else self.screen()).availableGeometry()
        self.resize(min(1200, int(screen.width() * 0.92)), min(760, int(screen.height() * 0.9)))

    @staticmethod
    def _list(lines: list[str], color: QColor | None) -> QListWidget:
        out = QListWidget()
        out.setWordWrap(True)
        for line in lines:
            row = QListWidgetItem(line)
            if color is not None:
                row.setForeground(QBrush(color))
            out.addItem(row)
        return out

    def _summary(self) -> str:
        plan = self.plan
        read = [f for f in plan.files if not f.refused]
        groups = "、".join(dict.fromkeys(f.group for f in read if f.group))
        parts = [f"读取 {len(plan.files)} 个文件"]
        if read:
            parts.append(f"{len(read)} 个可合并" + (f"（{groups}）" if groups else ""))
        if plan.refused:
            parts.append(f"{len(plan.refused)} 个未能合并（原因见下）")
        text = "，".join(parts) + "。"
        fields = plan.fields()
        if fields:
            items = len({f.item_id for f in fields})
            text += f"共 {len(fields)} 处改动，涉及 {items} 项细化问题。"
        elif read:
            text += "交回的填报表与台账相同，没有需要合并的改动。"
        if plan.conflicts:
            text += f"冲突 {len(plan.conflicts)} 处：标红，未勾选，请逐一核对后决定是否采用。"
        else:
            text += "没有冲突。"
        text += "勾选的改动合并为一步，可撤销。"
        return text

    def _fill_tree(self) -> None:
        self._syncing = True
        by_item: dict[int, list[ItemEntry]] = {}
        for e in self.plan.entries:
            by_item.setdefault(e.item_id, []).append(e)
        ticked = self.plan.default_accepted()
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        # Built detached and added at once, spans and expansion after: item by item in the tree, 5,000
        # changes took a minute (each insertion and expansion laid the whole tree out again).
        tops: list[QTreeWidgetItem] = []
        self._spanned: list[QTreeWidgetItem] = []
        for entries in by_item.values():
            e0 = entries[0]
            top = QTreeWidgetItem([f"{e0.ref}　{_one_line(e0.title, 120)}"])
            top.setFlags(flags | Qt.ItemFlag.ItemIsUserCheckable)
            top.setToolTip(0, e0.title)
            font = top.font(0)
            font.setBold(True)
            top.setFont(0, font)
            tops.append(top)
            self._spanned.append(top)
            for e in entries:
                self.entry_items[e.id] = top
                top.setData(0, _ROLE_ID, e.id)
                reasons = list(self._messages.get(e.id, []))
                if e.held and not reasons:
                    reasons.append(f"{e.group}（{e.file}）：该行暂不采用：{e.held}")
                for msg in reasons:
                    self._message_row(top, msg, HELD_COLOR if not e.fields else CONFLICT_COLOR)
                for f in e.fields:
                    self._field_row(top, e, f, f.id in ticked)
            self._sync_parent(top)
        self.tree.addTopLevelItems(tops)
        for item in self._spanned:
            item.setFirstColumnSpanned(True)
        self.tree.expandAll()
        self._syncing = False

    def _field_row(self, top: QTreeWidgetItem, e: ItemEntry, f: FieldChange, ticked: bool) -> None:
        new = shown(f.field, f.new)
        if f.field.startswith("evidence:"):
            new += "（只登记名称，文件待附）"
        row = QTreeWidgetItem([f.label, _one_line(shown(f.field, f.old)), _one_line(new), e.group, e.file])
        row.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsUserCheckable)
        row.setData(0, _ROLE_ID, f.id)
        row.setCheckState(0, Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
        row.setToolTip(1, shown(f.field, f.old))
        row.setToolTip(2, new)
        row.setToolTip(4, e.file)
        top.addChild(row)
        self.field_items[f.id] = row
        message = self.message_for(f.id)
        if message:
            for col in range(len(HEADERS)):
                row.setForeground(col, QBrush(CONFLICT_COLOR))
                row.setToolTip(col, message)
            self._message_row(row, message, CONFLICT_COLOR)
        if f.note:  # a synonym mapped (已整改 → 已完成): said, not a conflict
            self._message_row(row, f.note, NOTE_COLOR, mark="ⓘ")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if watched is self.tree.viewport() and event.type() == QEvent.Type.Resize:
            self.tree.doItemsLayout()  # the message rows wrap anew to the tree's new width
        return super().eventFilter(watched, event)

    def _message_row(self, parent: QTreeWidgetItem, text: str, color: QColor, mark: str = "⚠") -> None:
        line = QTreeWidgetItem([f"{mark} {text}"])
        line.setData(0, _ROLE_MESSAGE, True)
        line.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
        line.setForeground(0, QBrush(color))
        line.setToolTip(0, text)
        parent.addChild(line)
        self._spanned.append(line)

    # --- the ticks ----------------------------------------------------------------------------------

    def message_for(self, field_id: str) -> str:
        """The conflict said about one field (the ledger changed since, two answers), "" when none."""
        f = self._fields[field_id]
        said = [f.conflict] if f.conflict else []
        said += [m for m in self._messages.get(field_id, []) if m not in said]
        return "；".join(said)

    def accepted(self) -> set[str]:
        """The ids of the ticked field changes: what 合并所选 hands to apply_plan."""
        return {fid for fid, row in self.field_items.items() if row.checkState(0) == Qt.CheckState.Checked}

    def set_accepted(self, ids: set[str]) -> None:
        """Ticks exactly `ids` (全部接受无冲突的 / 全部不接受). The model is silenced meanwhile and the view
        repainted once: row by row, each tick made the view look at its row heights again."""
        model = self.tree.model()
        self._syncing = True
        model.blockSignals(True)
        try:
            for fid, row in self.field_items.items():
                row.setCheckState(0, Qt.CheckState.Checked if fid in ids else Qt.CheckState.Unchecked)
            for top in dict.fromkeys(self.entry_items.values()):
                self._sync_parent(top)
        finally:
            model.blockSignals(False)
            self._syncing = False
        self.tree.viewport().update()
        self._update_count()

    def _children(self, top: QTreeWidgetItem) -> list[QTreeWidgetItem]:
        rows = (top.child(i) for i in range(top.childCount()))
        return [r for r in rows if r.data(0, _ROLE_ID) in self._fields]

    def _sync_parent(self, top: QTreeWidgetItem) -> None:
        states = {r.checkState(0) for r in self._children(top)}
        if states == {Qt.CheckState.Checked}:
            top.setCheckState(0, Qt.CheckState.Checked)
        elif Qt.CheckState.Checked in states:
            top.setCheckState(0, Qt.CheckState.PartiallyChecked)
        else:
            top.setCheckState(0, Qt.CheckState.Unchecked)

    def _changed(self, row: QTreeWidgetItem, column: int) -> None:
        if self._syncing or column != 0:
            return
        self._syncing = True
        try:
            rid = row.data(0, _ROLE_ID)
            if rid in self._fields:
                if row.checkState(0) == Qt.CheckState.Checked:
                    self._untick_rivals(self._fields[rid])
                self._sync_parent(row.parent())
            elif row.parent() is None:
                self._tick_item(row, row.checkState(0) == Qt.CheckState.Checked)
        finally:
            self._syncing = False
        self._update_count()

    def _tick_item(self, top: QTreeWidgetItem, on: bool) -> None:
        """The item's own box: ticks its fields without a conflict (all of them when every one conflicts,
        one answer per field), or unticks them all."""
        rows = self._children(top)
        clean = [r for r in rows if not self.message_for(r.data(0, _ROLE_ID))]
        for r in rows:
            want = on and (r in clean or not clean)
            r.setCheckState(0, Qt.CheckState.Checked if want else Qt.CheckState.Unchecked)
            if want:
                self._untick_rivals(self._fields[r.data(0, _ROLE_ID)])
        self._sync_parent(top)

    def _untick_rivals(self, f: FieldChange) -> None:
        """Two departments' different answers for one field: ticking one unticks the other."""
        for other in self._answers[(f.item_id, f.field)]:
            if other.id != f.id and other.new != f.new:
                rival = self.field_items[other.id]
                if rival.checkState(0) != Qt.CheckState.Unchecked:
                    rival.setCheckState(0, Qt.CheckState.Unchecked)
                    self._sync_parent(rival.parent())

    def _update_count(self) -> None:
        ticked = [self._fields[i] for i in self.accepted()]
        items = len({f.item_id for f in ticked})
        changes = len({(f.item_id, f.field) for f in ticked})
        if ticked:
            self.count_label.setText(f"已勾选 {items} 项细化问题的 {changes} 处改动。")
        elif self._fields:
            self.count_label.setText("没有勾选任何改动：合并所选不会改动台账。")
        else:
            self.count_label.setText("")

    def _show_detail(self, row: QTreeWidgetItem | None, _previous: QTreeWidgetItem | None = None) -> None:
        if row is None:
            return
        rid = row.data(0, _ROLE_ID)
        if rid not in self._fields:
            return
        f = self._fields[rid]
        e = self._entry_of[rid]
        lines = [f"<b>{_html(e.ref)} {_html(f.label)}</b>　{_html(e.group)}（{_html(e.file)}）"]
        lines.append(f"原值（台账）：{_html(shown(f.field, f.old))}")
        if f.sent != f.old and f.sent is not None:
            lines.append(f"下发时：{_html(shown(f.field, f.sent))}")
        lines.append(f"新值（填报）：{_html(shown(f.field, f.new))}")
        msg = self.message_for(f.id)
        if msg:
            lines.append(f"<span style='color:{CONFLICT_COLOR.name()}'>冲突：{_html(msg)}</span>")
        self.detail.setHtml("<br>".join(lines))
        self.tabs.setCurrentWidget(self.detail)

    # --- 合并所选 -------------------------------------------------------------------------------------

    def _merge(self) -> None:
        accepted = self.accepted()
        if not accepted and self._fields:
            self.command = None  # nothing ticked: nothing is applied
            self.accept()
            return
        if not accepted and not any(not f.refused for f in self.plan.files):
            self.command = None  # every file refused: nothing to record
            self.accept()
            return
        try:
            self.command = apply_plan(self.plan, accepted)
        except LedgerError as exc:  # two different answers for one field both ticked
            QMessageBox.warning(self, "回收填报表", str(exc))
            return
        self.accept()


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br>")
