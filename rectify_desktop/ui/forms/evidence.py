"""The table editor of an item's evidence (佐证材料): files attached, dropped, opened, renamed and removed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from peewee import JOIN
from PySide6.QtCore import (
    QEvent,
    QMimeData,
    QPointF,
    QRect,
    QSize,
    Qt,
    QTimer,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QIcon,
    QPainter,
    QPalette,
    QPixmap,
)
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QFrame,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QStyle,
    QStyleOptionViewItem,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from rectify_desktop.core import evidence, ops, rules
from rectify_desktop.core.commands import (
    TITLE_MAX,
    Command,
    field_label,
)
from rectify_desktop.core.models import (
    EVIDENCE_KINDS,
    Blob,
    Evidence,
    Measure,
)
from rectify_desktop.ui import evidence_ui
from rectify_desktop.ui.forms.measures import _EditingDelegate, _reset_rows
from rectify_desktop.ui.forms.widgets import (
    OptionalDateEdit,
    _blocked,
    _fit_limit,
    _FitTable,
    _hint_label,
    cn_date,
    editor_rect,
    flow_row,
    keep_edited_base,
)
from rectify_desktop.ui.theme import HINT_COLOR

if TYPE_CHECKING:
    from rectify_desktop.ui.forms.item import _ItemForm


_DETAIL_ROLE = Qt.ItemDataRole.UserRole + 1
_DETAIL_COLOR_ROLE = Qt.ItemDataRole.UserRole + 2
_ICON_KEY_ROLE = Qt.ItemDataRole.UserRole + 3
NO_FILE_COLOR = "#c2610c"
_DRAG_TYPES = (QEvent.Type.DragEnter, QEvent.Type.DragMove, QEvent.Type.DragLeave, QEvent.Type.Drop)


class _EvidenceDelegate(_EditingDelegate):
    """The evidence table's cells: the name with its thumbnail and a line about its file, and in-place
    editors for the name, kind, date, 文号 and measure; each edit is pushed at once through the panel."""

    PAD = 5
    GAP = 8

    def __init__(self, owner: _EvidenceEditor) -> None:
        super().__init__(owner.table)
        self.owner = owner

    # the name cell

    def _text_rect(self, rect: Any) -> Any:
        left = self.PAD + evidence_ui.THUMB_SIZE + self.GAP
        return rect.adjusted(left, self.PAD, -self.PAD, -self.PAD)

    def _title_flags(self) -> int:
        return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWrapAnywhere)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Any) -> None:
        if index.column() != _EvidenceEditor.COL_NAME:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        title, opt.text = opt.text, ""
        opt.icon = QIcon()
        opt.features &= ~QStyleOptionViewItem.ViewItemFeature.HasDecoration
        style = opt.widget.style() if opt.widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        pm = index.data(Qt.ItemDataRole.DecorationRole)
        rect = option.rect
        painter.save()
        if isinstance(pm, QPixmap) and not pm.isNull():
            w = pm.width() / pm.devicePixelRatio()
            h = pm.height() / pm.devicePixelRatio()
            box = evidence_ui.THUMB_SIZE
            x = rect.left() + self.PAD + (box - w) / 2
            y = rect.top() + self.PAD + (box - h) / 2
            painter.drawPixmap(QPointF(x, y), pm)
        text = self._text_rect(rect)
        pal = opt.palette
        painter.setPen(pal.color(QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text))
        painter.setFont(opt.font)
        used = painter.boundingRect(text, self._title_flags(), title)
        painter.drawText(text, self._title_flags(), title)
        detail = index.data(_DETAIL_ROLE) or ""
        if detail:
            color = QColor(index.data(_DETAIL_COLOR_ROLE) or HINT_COLOR)
            painter.setPen(pal.color(QPalette.ColorRole.HighlightedText) if selected else color)
            small = QFont(opt.font)
            small.setPointSizeF(opt.font.pointSizeF() * 0.9)
            painter.setFont(small)
            below = text.adjusted(0, used.height() + 2, 0, 0)
            # shortened in a narrow column (the whole line is in the tooltip), never cut in the middle of a word
            detail = QFontMetrics(small).elidedText(detail, Qt.TextElideMode.ElideRight, below.width())
            painter.drawText(below, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop), detail)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: Any) -> Any:
        if index.column() != _EvidenceEditor.COL_NAME:
            return super().sizeHint(option, index)
        width = option.rect.width() if option.rect.width() > 60 else 260
        text = self._text_rect(QRect(0, 0, width, 100000)).adjusted(0, 0, -4, 0)
        fm = QFontMetrics(option.font)
        title = fm.boundingRect(text, self._title_flags(), index.data(Qt.ItemDataRole.DisplayRole) or "")
        small = QFont(option.font)
        small.setPointSizeF(option.font.pointSizeF() * 0.9)
        detail = QFontMetrics(small).height() + 2 if index.data(_DETAIL_ROLE) else 0
        height = max(evidence_ui.THUMB_SIZE, title.height() + detail) + 2 * self.PAD
        return QSize(width, height)

    # editing

    def createEditor(self, parent: QWidget, option: Any, index: Any) -> QWidget:
        col = index.column()
        E = _EvidenceEditor
        ed: QWidget
        if col in (E.COL_NAME, E.COL_DOC):
            line = QLineEdit(parent)
            line.setFrame(False)
            line.setMaxLength(TITLE_MAX)
            what = field_label(Evidence, "name" if col == E.COL_NAME else "doc_number")
            line.inputRejected.connect(lambda w=what: self.owner.form.too_long(w, TITLE_MAX))
            ed = line
        elif col == E.COL_KIND:
            combo = QComboBox(parent)
            combo.addItems(list(EVIDENCE_KINDS))
            combo.activated.connect(lambda _i, c=combo: self._commit_and_close(c))
            ed = combo
        elif col == E.COL_DATE:
            date = OptionalDateEdit(parent)
            date.setAutoFillBackground(True)
            date.valueChanged.connect(lambda _v, d=date: self.commitData.emit(d))
            ed = date
        else:
            combo = QComboBox(parent)
            for label, mid in self.owner.measure_choices():
                combo.addItem(label, mid)
            # Narrow in its cell; its list as wide as the measures' words.
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(7)
            view = combo.view()
            view.setMinimumWidth(view.sizeHintForColumn(0) + 24)
            combo.activated.connect(lambda _i, c=combo: self._commit_and_close(c))
            ed = combo
        ed.setObjectName(f"evidence.editor.{col}")
        self.editor = ed
        return ed

    def _commit_and_close(self, ed: QWidget) -> None:
        self.commitData.emit(ed)
        self.closeEditor.emit(ed, QAbstractItemDelegate.EndEditHint.NoHint)

    def setEditorData(self, editor: QWidget, index: Any) -> None:
        ev = self.owner.row_at(index.row())
        if ev is None:
            return
        col = index.column()
        E = _EvidenceEditor
        if isinstance(editor, QLineEdit):
            value = ev.name if col == E.COL_NAME else ev.doc_number
            _fit_limit(editor, value, TITLE_MAX)
            if editor.text() != value:
                editor.setText(value)
        elif isinstance(editor, OptionalDateEdit):
            if editor.value() != ev.date:
                editor.setValue(ev.date)
        elif isinstance(editor, QComboBox):
            if col == E.COL_KIND:
                if editor.findText(ev.kind) < 0:
                    editor.addItem(ev.kind)
                editor.setCurrentIndex(editor.findText(ev.kind))
            else:
                editor.setCurrentIndex(max(0, editor.findData(ev.measure_id)))

    def setModelData(self, editor: QWidget, model: Any, index: Any) -> None:
        # Not written into the table: the edit goes to the ledger, and the table shows what was stored.
        if isinstance(editor, QLineEdit):
            value: Any = editor.text()
        elif isinstance(editor, OptionalDateEdit):
            value = editor.value()
        elif isinstance(editor, QComboBox):
            value = editor.currentText() if index.column() == _EvidenceEditor.COL_KIND else editor.currentData()
        else:
            return
        self.owner.commit_cell(index.row(), index.column(), value)

    def updateEditorGeometry(self, editor: QWidget, option: Any, index: Any) -> None:
        rect = QRect(option.rect)
        if index.column() == _EvidenceEditor.COL_NAME:
            text = self._text_rect(rect)
            rect = QRect(text.left() - 2, text.top() - 2, text.width() + 4, editor.sizeHint().height())
        else:
            rect = editor_rect(editor, option.rect)
        editor.setGeometry(rect)


class _EvidenceTable(_FitTable):
    def __init__(self, owner: _EvidenceEditor) -> None:
        # the name keeps its thumbnail and eight characters a line, however narrow the pane
        pad = 2 * _EvidenceDelegate.PAD + evidence_ui.THUMB_SIZE + _EvidenceDelegate.GAP + 4
        chars = QFontMetrics(QApplication.font()).horizontalAdvance("一" * 8)
        super().__init__(
            ["名称", "类型", "日期", "文号", "措施"], stretch=_EvidenceEditor.COL_NAME, stretch_min=pad + chars
        )
        self.owner = owner
        # A long 文号 wraps in a column of its own width instead of taking the name's room.
        self.horizontalHeader().setSectionResizeMode(_EvidenceEditor.COL_DOC, QHeaderView.ResizeMode.Interactive)
        self.doc_max = self.fontMetrics().horizontalAdvance("临教党发〔2026〕") + 12

    def fit_doc_column(self) -> None:
        c = _EvidenceEditor.COL_DOC
        header = self.horizontalHeader()
        want = (
            max(self.sizeHintForColumn(c), header.sectionSizeHint(c)) if self.rowCount() else header.sectionSizeHint(c)
        )
        w = min(want, max(self.doc_max, header.sectionSizeHint(c)))
        if self.columnWidth(c) != w:
            self.setColumnWidth(c, w)

    def keyPressEvent(self, event: Any) -> None:
        if self.state() != QAbstractItemView.State.EditingState:
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.owner.open_selected()
                return
            if event.key() == Qt.Key.Key_Delete:
                self.owner.remove_selected()
                return
        super().keyPressEvent(event)


class _EvidenceEditor(QFrame):
    """佐证材料: the item's files, each with its thumbnail, title, kind, date, 文号 and measure, edited in
    place; files are added by 添加文件… or by dropping them here (or anywhere on the item form); opened,
    saved elsewhere, replaced and removed. Registered materials without a file show as 未附文件."""

    COL_NAME, COL_KIND, COL_DATE, COL_DOC, COL_MEASURE = range(5)
    HINT = "提示：文件可直接拖放到这里（可多个）；拖到某条整改措施上，即为该措施的佐证材料。"
    ZONE = "暂无佐证材料。\n将文件从桌面或文件夹拖放到这里，或点击“添加文件…”（可一次选择多个文件）。"

    def __init__(self, form: _ItemForm) -> None:
        super().__init__()
        self.form = form
        self.panel = form.panel
        self.item_id: int | None = None
        self.ids: list[int] = []
        self.rows: dict[int, Evidence] = {}
        self.readonly = False
        self._lit: bool | None = None
        self.setObjectName("evidence.editor")
        self.setAcceptDrops(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        t = self.table = _EvidenceTable(self)
        t.setObjectName("evidence.table")
        self.delegate = _EvidenceDelegate(self)
        for c in range(t.columnCount()):
            t.setItemDelegateForColumn(c, self.delegate)
        t.setToolTip("双击名称打开文件；选中后单击名称或按 F2 可修改名称；双击其他各栏可直接修改")
        t.verticalHeader().setMinimumSectionSize(evidence_ui.THUMB_SIZE + 2 * _EvidenceDelegate.PAD)
        t.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        t.customContextMenuRequested.connect(self._menu)
        t.doubleClicked.connect(self._double_clicked)
        t.itemSelectionChanged.connect(self._update_buttons)
        self._set_edit_triggers()

        self.zone = QLabel(self.ZONE)
        self.zone.setObjectName("evidence.zone")
        self.zone.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.zone.setWordWrap(True)
        self.zone.setMinimumHeight(64)

        self.add_button = self._button("添加文件…", "evidence.add", self.add_dialog)
        self.open_button = self._button("打开", "evidence.open", self.open_selected)
        self.save_button = self._button("另存为…", "evidence.save", self.save_selected)
        self.replace_button = self._button("替换文件…", "evidence.replace", self.replace_selected)
        self.delete_button = self._button("删除", "evidence.delete", self.remove_selected)
        buttons = flow_row(
            self.add_button, self.open_button, self.save_button, self.replace_button, self.delete_button, spacing=6
        )
        self.hint = _hint_label(self.HINT)
        self.hint.setObjectName("evidence.hint")
        self.hint.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(6)
        lay.addWidget(t)
        lay.addWidget(self.zone)
        lay.addWidget(buttons)
        lay.addWidget(self.hint)
        self._highlight(False)

    def _button(self, text: str, name: str, slot: Callable[[], object]) -> QPushButton:
        b = QPushButton(text)
        b.setObjectName(name)
        b.setAutoDefault(False)
        b.clicked.connect(lambda _checked=False: slot())
        return b

    def _set_edit_triggers(self) -> None:
        E = QAbstractItemView.EditTrigger
        triggers = E.EditKeyPressed | E.SelectedClicked | E.AnyKeyPressed
        self.table.setEditTriggers(E.NoEditTriggers if self.readonly else triggers)

    def _highlight(self, on: bool) -> None:
        if self._lit == on:
            return
        self._lit = on
        border = "#1a73e8" if on else "#b9c0ca"
        background = "#eef4fd" if on else "transparent"
        self.zone.setStyleSheet(
            f"QLabel {{ border: 1px dashed {border}; border-radius: 4px; padding: 12px;"
            f" background: {background}; color: {HINT_COLOR}; }}"
        )
        self.table.setStyleSheet(
            f"QTableWidget {{ border: 1px {'dashed' if on else 'solid'} {border}; }}" if on else ""
        )

    # showing

    def load(self, item_id: int) -> None:
        rows = list(
            Evidence.select(Evidence, Blob.size)
            .join(Blob, JOIN.LEFT_OUTER, on=(Evidence.blob == Blob.sha256))
            .where(Evidence.item == item_id)
            .order_by(Evidence.position, Evidence.id)
            .objects()
        )
        ids = [e.id for e in rows]
        loaded = {e.id: e for e in rows}
        if self.panel.remote and item_id == self.item_id and ids == self.ids:
            keep_edited_base(self.table, ids, self.rows, loaded)
            rows = [loaded[i] for i in ids]
        self.rows = loaded  # as shown: the base of each edit (`seen`)
        self._measures = [
            (m.id, m.text)
            for m in Measure.select(Measure.id, Measure.text)
            .where(Measure.item == item_id)
            .order_by(Measure.position, Measure.id)
        ]
        t = self.table
        _reset_rows(self, item_id, ids)
        with _blocked(t):
            for r, ev in enumerate(rows):
                self._fill_row(r, ev)
        self._highlight(False)  # a drag that left without a word (dropped elsewhere, cancelled)
        t.setVisible(bool(rows))
        self.zone.setVisible(not rows)
        self.hint.setVisible(bool(rows) and not self.readonly)
        t.fit_doc_column()
        t.fit()
        self._update_buttons()

    def _cell(self, r: int, c: int) -> QTableWidgetItem:
        it = self.table.item(r, c)
        if it is None:
            it = QTableWidgetItem()
            self.table.setItem(r, c, it)
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        wanted = flags if self.readonly else flags | Qt.ItemFlag.ItemIsEditable
        if it.flags() != wanted:  # setting them anew resets a cell editor open on it (Qt copies the cell)
            it.setFlags(wanted)
        return it

    @staticmethod
    def _set(it: QTableWidgetItem, role: Qt.ItemDataRole | int, value: Any) -> None:
        if it.data(role) != value:
            it.setData(role, value)

    def _fill_row(self, r: int, ev: Evidence) -> None:
        name = self._cell(r, self.COL_NAME)
        self._set(name, Qt.ItemDataRole.UserRole, ev.id)
        self._set(name, Qt.ItemDataRole.DisplayRole, ev.name)
        if ev.blob_sha256 is not None:
            suffix = evidence.real_suffix(ev.name)[1:].upper()
            size = getattr(ev, "size", None)
            detail = " · ".join(p for p in (suffix, evidence.size_text(size)) if p)
            color = HINT_COLOR
            tip = f"{ev.name}\n{detail}\n双击打开；选中后单击名称或按 F2 修改名称"
        else:
            detail, color = f"{evidence_ui.NO_FILE_TEXT}（可点击“附加文件…”）", NO_FILE_COLOR
            tip = f"{ev.name}\n只登记了名称，尚未附上文件。选中后点击“附加文件…”选择它的文件。"
        self._set(name, _DETAIL_ROLE, detail)
        self._set(name, _DETAIL_COLOR_ROLE, color)
        self._set(name, Qt.ItemDataRole.ToolTipRole, tip)
        ratio = self.devicePixelRatioF()
        key = f"{ev.blob_sha256}|{evidence.real_suffix(ev.name).lower()}|{ratio}"
        if name.data(_ICON_KEY_ROLE) != key:
            name.setData(Qt.ItemDataRole.DecorationRole, evidence_ui.icon_for(ev, evidence_ui.THUMB_SIZE, ratio))
            name.setData(_ICON_KEY_ROLE, key)
        self._set(self._cell(r, self.COL_KIND), Qt.ItemDataRole.DisplayRole, ev.kind)
        self._set(self._cell(r, self.COL_DATE), Qt.ItemDataRole.DisplayRole, cn_date(ev.date))
        doc = self._cell(r, self.COL_DOC)
        self._set(doc, Qt.ItemDataRole.DisplayRole, ev.doc_number)
        self._set(doc, Qt.ItemDataRole.ToolTipRole, ev.doc_number or None)
        measure = self._cell(r, self.COL_MEASURE)
        label, tip = "—", "不对应具体措施（双击可选择）"
        ids = [mid for mid, _ in self._measures]
        if ev.measure_id in ids:
            i = ids.index(ev.measure_id)
            label, tip = f"{rules.cn_number(i + 1)}是", self._measures[i][1]
        self._set(measure, Qt.ItemDataRole.DisplayRole, label)
        self._set(measure, Qt.ItemDataRole.ToolTipRole, tip)
        measure.setTextAlignment(Qt.AlignmentFlag.AlignCenter)

    def measure_choices(self) -> list[tuple[str, int | None]]:
        out: list[tuple[str, int | None]] = [("不对应措施", None)]
        for i, (mid, text) in enumerate(self._measures, 1):
            short = text.strip()
            short = short[:16] + "…" if len(short) > 16 else short
            out.append((f"{rules.cn_number(i)}是" + (f"：{short}" if short else ""), mid))
        return out

    def row_at(self, r: int) -> Evidence | None:
        if not 0 <= r < len(self.ids):
            return None
        return Evidence.get_or_none(Evidence.id == self.ids[r])

    def selected_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        r = rows[0].row()
        return self.ids[r] if 0 <= r < len(self.ids) else None

    def _update_buttons(self) -> None:
        sel = self.selected_id()
        ev = self.rows.get(sel) if sel is not None else None
        has_file = ev is not None and ev.blob_sha256 is not None
        writable = not self.readonly
        self.add_button.setEnabled(writable)
        self.open_button.setEnabled(has_file)
        self.save_button.setEnabled(has_file)
        self.replace_button.setText("附加文件…" if ev is not None and not has_file else "替换文件…")
        self.replace_button.setEnabled(writable and ev is not None)
        self.delete_button.setEnabled(writable and ev is not None)

    def set_readonly(self, readonly: bool) -> None:
        self.readonly = readonly
        if readonly:
            self.delegate.flush()
        self._set_edit_triggers()
        self.setAcceptDrops(not readonly)
        self.zone.setText("暂无佐证材料。" if readonly else self.ZONE)
        if self.item_id is not None:
            self.ids = []
            self.load(self.item_id)
        self._update_buttons()

    def commit_pending(self) -> None:
        if self.table.state() == QAbstractItemView.State.EditingState:
            self.delegate.flush()

    # edits in place

    def commit_cell(self, r: int, col: int, value: Any) -> None:
        ev = self.row_at(r)
        if ev is None or not self.panel.editable:
            return
        cmd: Command | None = None
        if col == self.COL_NAME:
            text = evidence.keep_suffix(str(value), ev.name)
            if text.strip() and text != ev.name:
                cmd = ops.set_fields(Evidence, ev.id, {"name": text}, seen=self.rows.get(ev.id))
        elif col == self.COL_KIND:
            if value and value in EVIDENCE_KINDS and value != ev.kind:
                cmd = ops.set_fields(Evidence, ev.id, {"kind": value}, seen=self.rows.get(ev.id))
        elif col == self.COL_DATE:
            if value != ev.date:
                cmd = ops.set_fields(Evidence, ev.id, {"date": value}, seen=self.rows.get(ev.id))
        elif col == self.COL_DOC:
            text = " ".join(str(value).split())
            if text != ev.doc_number:
                cmd = ops.set_fields(Evidence, ev.id, {"doc_number": text}, seen=self.rows.get(ev.id))
        elif col == self.COL_MEASURE and value != ev.measure_id:
            cmd = evidence.assign_measure(ev.id, value)
        if cmd is not None:
            self.panel.push(cmd)
        else:
            self.panel.on_changes([])  # the same value written another way: show the stored one

    def _double_clicked(self, index: Any) -> None:
        if index.column() == self.COL_NAME:
            ev = self.row_at(index.row())
            if ev is not None and ev.blob_sha256 is None and not self.readonly:
                self.replace_selected()
            else:
                self.open_selected()
        elif not self.readonly:
            self.table.edit(index)

    def _menu(self, pos: Any) -> None:
        self.context_menu(pos).exec(self.table.viewport().mapToGlobal(pos))

    def context_menu(self, pos: Any) -> QMenu:
        """The evidence table's context menu at `pos` (in the table's viewport)."""
        index = self.table.indexAt(pos)
        ev = self.row_at(index.row()) if index.isValid() else None
        menu = QMenu(self)
        if ev is not None:
            has_file = ev.blob_sha256 is not None
            menu.addAction("打开", self.open_selected).setEnabled(has_file)
            menu.addAction("另存为…", self.save_selected).setEnabled(has_file)
            menu.addSeparator()
            w = not self.readonly
            menu.addAction("替换文件…" if has_file else "附加文件…", self.replace_selected).setEnabled(w)
            menu.addAction("修改名称", lambda: self.table.edit(self.table.model().index(index.row(), 0))).setEnabled(w)
            sub = menu.addMenu("对应整改措施")
            sub.setEnabled(w)
            row = index.row()
            for label, mid in self.measure_choices():
                act = sub.addAction(label, lambda mid=mid: self.commit_cell(row, self.COL_MEASURE, mid))
                act.setCheckable(True)
                act.setChecked(mid == ev.measure_id)
            menu.addSeparator()
            r = index.row()
            menu.addAction("上移", lambda: self.move(-1)).setEnabled(w and r > 0)
            menu.addAction("下移", lambda: self.move(1)).setEnabled(w and r < len(self.ids) - 1)
            menu.addSeparator()
            menu.addAction("删除…", self.remove_selected).setEnabled(w)
            menu.addSeparator()
        menu.addAction("添加文件…", self.add_dialog).setEnabled(not self.readonly)
        return menu

    # actions

    def add_dialog(self, measure_id: int | None = None) -> list[int]:
        if self.readonly or self.item_id is None:
            return []
        return evidence_ui.choose_and_add(self, self.panel, self.item_id, measure_id)

    def add_paths(self, paths: list[Path], measure_id: int | None = None) -> list[int]:
        if self.readonly or self.item_id is None or not self.panel.editable:
            return []
        ids = evidence_ui.add_files(self, self.panel, self.item_id, paths, measure_id)
        if ids and ids[-1] in self.ids:
            self.table.selectRow(self.ids.index(ids[-1]))
        return ids

    def open_selected(self) -> Path | None:
        sel = self.selected_id()
        return evidence_ui.open_evidence(self, sel) if sel is not None else None

    def save_selected(self) -> Path | None:
        sel = self.selected_id()
        return evidence_ui.save_copy(self, sel) if sel is not None else None

    def replace_selected(self) -> bool:
        sel = self.selected_id()
        if sel is None or self.readonly:
            return False
        return evidence_ui.replace_file(self, self.panel, sel)

    def remove_selected(self) -> bool:
        sel = self.selected_id()
        if sel is None or self.readonly:
            return False
        self.delegate.flush()
        r = self.ids.index(sel)
        if not evidence_ui.remove_evidence(self, self.panel, sel):
            return False
        if self.ids:
            self.table.selectRow(min(r, len(self.ids) - 1))
        return True

    def move(self, delta: int) -> None:
        sel = self.selected_id()
        if sel is None or self.readonly:
            return
        j = self.ids.index(sel) + delta
        if not 0 <= j < len(self.ids):
            return
        self.delegate.flush()
        if self.panel.push(ops.move(Evidence, sel, delta)) and sel in self.ids:
            self.table.selectRow(self.ids.index(sel))

    # dropped files

    def accepts(self, mime: QMimeData) -> bool:
        return not self.readonly and self.item_id is not None and bool(evidence_ui.local_paths(mime))

    def drag_event(self, event: QEvent, measure_id: int | None = None) -> bool:
        """Handles a drag over the evidence area or the item form; True when it was files for the item."""
        kind = event.type()
        if kind == QEvent.Type.DragLeave:
            self._highlight(False)
            return False
        mime = event.mimeData()  # type: ignore[attr-defined]
        if not self.accepts(mime):
            return False
        event.setDropAction(Qt.DropAction.CopyAction)  # type: ignore[attr-defined]
        event.accept()
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
            self._highlight(True)
            return True
        self._highlight(False)
        paths = evidence_ui.local_paths(mime)
        # Added after the drop returns: the program the files came from is not kept waiting.
        QTimer.singleShot(0, lambda: self.add_paths(paths, measure_id))
        return True

    def dragEnterEvent(self, event: Any) -> None:
        if not self.drag_event(event):
            event.ignore()

    def dragMoveEvent(self, event: Any) -> None:
        if not self.drag_event(event):
            event.ignore()

    def dragLeaveEvent(self, event: Any) -> None:
        self.drag_event(event)

    def dropEvent(self, event: Any) -> None:
        if not self.drag_event(event):
            event.ignore()
