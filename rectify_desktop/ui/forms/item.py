"""The form of an item (细化问题): its fields, measures, evidence and write-off (销号) buttons."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QEvent,
    QObject,
    QStringListModel,
    Qt,
)
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from rectify_desktop.core import consistency, ops, rules
from rectify_desktop.core.commands import (
    WRITTEN_OFF_LOCKED,
    item_written_off,
)
from rectify_desktop.core.models import (
    DONE,
    IN_PROGRESS,
    ONGOING,
    STATUSES,
    WO_REJECT,
    Finding,
    Inspection,
    Item,
    WriteOff,
)
from rectify_desktop.ui.forms.base import _Form
from rectify_desktop.ui.forms.bindings import _Binding, _ComboBinding, _DeadlineBinding
from rectify_desktop.ui.forms.evidence import _DRAG_TYPES, _EvidenceEditor
from rectify_desktop.ui.forms.measures import _MeasureEditor
from rectify_desktop.ui.forms.results import ResultsEditor
from rectify_desktop.ui.forms.widgets import (
    _hint_label,
    _section,
    _StatusCombo,
    cn_date,
    deadline_choices,
    distinct_values,
    flow_row,
)
from rectify_desktop.ui.open_things import COMPLETING, ask_open_things
from rectify_desktop.ui.theme import HINT_COLOR, OVERDUE_COLOR, STATUS_COLORS, WRITEOFF_COLORS
from rectify_desktop.ui.writeoff import item_ref

if TYPE_CHECKING:
    from rectify_desktop.ui.forms.panel import EditPanel


class _FormDrops(QObject):
    """Files dropped anywhere on the item form become its evidence; dropped on a measure, that measure's.
    Text fields would otherwise take a dropped file as its path's text."""

    def __init__(self, form: _ItemForm) -> None:
        super().__init__(form)
        self.form = form

    def watch(self, widget: QWidget) -> None:
        widget.setAcceptDrops(True)
        widget.installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() not in _DRAG_TYPES or not isinstance(obj, QWidget):
            return False
        editor = self.form.evidence
        if event.type() == QEvent.Type.DragLeave:
            editor.drag_event(event)
            return False
        if not editor.accepts(event.mimeData()):  # type: ignore[attr-defined]
            return False
        measure_id = None
        if event.type() == QEvent.Type.Drop:
            where = obj.mapToGlobal(event.position().toPoint())  # type: ignore[attr-defined]
            measure_id = self.form.measures.measure_at(where)
        return editor.drag_event(event, measure_id)


class _ItemForm(_Form):
    """细化问题: the unit that is rectified, counted and written off."""

    model = Item
    kind = "item"

    def __init__(self, panel: EditPanel) -> None:
        super().__init__(panel)
        # A written-off item is locked (the core refuses its changes too); the line says why, at the top.
        self.locked = False
        self.lock_line = QLabel(WRITTEN_OFF_LOCKED)
        self.lock_line.setObjectName("item.locked")
        self.lock_line.setWordWrap(True)
        self.lock_line.setStyleSheet(f"color: {WRITEOFF_COLORS['已销号']}; font-weight: bold;")
        self.lock_line.hide()
        self.body.insertWidget(self.body.indexOf(self.notice), self.lock_line)
        form = self.new_form()
        self.number = self.number_row(form)
        self.title = self.text(form, "细化问题", "title", lines=2, max_lines=5)
        self.description = self.text(form, "具体表现", "description", lines=3)

        self.body.addWidget(_section("责任分工"))
        form = self.new_form()
        self.completers: dict[str, QStringListModel] = {}
        self.completers_stale = True
        self.leader = self._person_line(form, "责任领导", "leader", "如：张三")
        self.department = self._person_line(form, "责任部门", "department", "如：办公室、人事股")
        self.person = self._person_line(form, "责任人", "person", "如：李四")

        self.body.addWidget(_section("整改落实"))
        form = self.new_form()
        self.deadline = QComboBox()
        self.deadline.setEditable(True)
        self.deadline.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.deadline.setCompleter(None)  # no inline completion: 2 must not become 2026年12月底前
        self.deadline.addItems(deadline_choices())
        self.deadline.setMinimumContentsLength(14)
        self.deadline.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.deadline.setToolTip("可填写日期（如 2021年6月30日、2021.6.30），或 立行立改、长期坚持、2021年6月底前 等")
        line = self.deadline.lineEdit()
        assert line is not None
        line.setPlaceholderText("日期或“立行立改”等")
        self.bindings.append(_DeadlineBinding(self, self.deadline))
        self.deadline_hint = _hint_label()
        self.deadline_hint.setObjectName("item.deadline_hint")
        row = QHBoxLayout()
        row.addWidget(self.deadline)
        row.addSpacing(8)
        row.addWidget(self.deadline_hint, 1)
        form.addRow(self.label("整改时限"), row)

        self.status = _StatusCombo()
        self.bindings.append(_ComboBinding(self, "status", self.status, STATUSES))
        self.completed_date = self.date("completed_date", "完成时间")
        self.completed_date.setToolTip("完成情况为“已完成”时填写")
        # 完成时间 and its date go together under 完成情况 when the pane is narrow
        completed = QWidget()
        pair = QHBoxLayout(completed)
        pair.setContentsMargins(0, 0, 0, 0)
        pair.addWidget(QLabel("完成时间："))
        pair.addWidget(self.completed_date)
        form.addRow(self.label("完成情况"), flow_row(self.status, completed, spacing=16))
        self.progress = self.text(form, "整改进展", "progress", lines=4, max_lines=16)
        self.remarks = self.text(form, "备注", "remarks", lines=1, max_lines=6)
        self.writeoff = self.value_label("item.writeoff")
        # In the window, the write-off box (apply, approve, send back, with its history); a panel made
        # without a window (tests of the forms alone) shows the state as a line.
        self.writeoff_box = None
        if panel.window_ is not None:
            from rectify_desktop.ui.writeoff import WriteOffBox

            self.writeoff_box = WriteOffBox(panel.window_)
            self.writeoff.hide()
            form.addRow(self.label("销号情况"), self.writeoff_box)
        else:
            form.addRow(self.label("销号情况"), self.writeoff)

        self.body.addWidget(_section("整改措施"))
        self.measures = _MeasureEditor(self)
        self.body.addWidget(self.measures)

        self.body.addWidget(_section("佐证材料"))
        self.evidence = _EvidenceEditor(self)
        self.body.addWidget(self.evidence)

        # 整改成效 last, folded when the item has none: most items never get one.
        self.results = ResultsEditor(self, "整改成效")
        self.body.addWidget(self.results)
        self.body.addStretch(1)
        self.align_labels()
        # Files dropped anywhere on the form (its text fields included) are the item's evidence.
        self.drops = _FormDrops(self)
        body = self.widget()
        self.drops.watch(body)
        for w in body.findChildren(QWidget):
            if w.acceptDrops() and w is not self.evidence and not self.evidence.isAncestorOf(w):
                self.drops.watch(w)

    def _person_line(self, form: QFormLayout, label: str, field: str, placeholder: str) -> QLineEdit:
        w = self.line(form, label, field, placeholder)
        model = QStringListModel(w)
        completer = QCompleter(model, w)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        w.setCompleter(completer)
        self.completers[field] = model
        return w

    def reset(self) -> None:
        self.measures.item_id = None
        self.measures.ids = []
        self.evidence.item_id = None
        self.evidence.ids = []
        self.results.forget()
        # Reading the names of a 10,000-item ledger takes a while: only after they may have changed.
        if not self.completers_stale:
            return
        self.completers_stale = False
        for field, model in self.completers.items():
            values = distinct_values(getattr(Item, field))
            if model.stringList() != values:
                model.setStringList(values)

    def fill(self, row: Item) -> None:
        label = rules.item_label(row.number)
        self.number.setText(label)
        self.header.setText(f"细化问题{label}")
        finding = Finding.get_or_none(Finding.id == row.finding_id)
        self.context.setText(f"所属问题：{finding.number}. {finding.title}" if finding else "")
        self.completed_date.setEnabled(row.status == DONE)
        self._fill_deadline_hint(row, finding)
        self._lock(item_written_off(row.id))
        if self.writeoff_box is not None:
            self.writeoff_box.load(row.id)
        else:
            self._fill_writeoff(row)
        self.measures.load(row.id)
        self.evidence.load(row.id)
        self.results.load(row.id, finding.inspection_id if finding else None, written_off=self.locked)

    def _fill_deadline_hint(self, row: Item, finding: Finding | None) -> None:
        insp = Inspection.get_or_none(Inspection.id == finding.inspection_id) if finding else None
        ref = (insp.feedback_date or insp.period_start) if insp else None
        deadline = rules.effective_deadline(
            row.deadline_date,
            row.deadline_text,
            year=ref.year if ref else None,
            feedback_date=insp.feedback_date if insp else None,
        )
        text, color = "", HINT_COLOR
        if deadline is not None and row.status not in (DONE, ONGOING):
            left = rules.days_left(row.status, deadline, dt.date.today())
            when = f"截止{cn_date(deadline)}，" if row.deadline_text else ""
            if left is not None and left < 0:
                text, color = f"{when}已逾期{-left}天", OVERDUE_COLOR
            elif left is not None:
                text = f"{when}还剩{left}天"
                color = STATUS_COLORS[IN_PROGRESS] if left <= 7 else HINT_COLOR
        self.deadline_hint.setText(text)
        self.deadline_hint.setStyleSheet(f"color: {color};")

    def _fill_writeoff(self, row: Item) -> None:
        state = ops.writeoff_state(row.id)
        last = WriteOff.select().where(WriteOff.item == row.id).order_by(WriteOff.id.desc()).first()
        if not state or last is None:
            self.writeoff.setText("未申请销号")
            self.writeoff.setStyleSheet(f"color: {HINT_COLOR};")
            return
        detail = "，".join(p for p in (last.who, cn_date(last.date)) if p)
        text = f"{state}（{last.action}{'：' + detail if detail else ''}）"
        if last.action == WO_REJECT and last.opinion:
            text += f"　退回意见：{last.opinion}"
        elif last.opinion:
            text += f"　意见：{last.opinion}"
        self.writeoff.setText(text)
        self.writeoff.setStyleSheet(f"color: {WRITEOFF_COLORS.get(state, '#000000')};")

    def commit(self, binding: _Binding) -> None:
        if binding.field == "status" and self._complete_with_open_things(binding):
            return
        super().commit(binding)

    def _complete_with_open_things(self, binding: _Binding) -> bool:
        """Setting 已完成 while measures are unticked or evidence is missing asks first (core/consistency):
        tick them in the same step, go on (recorded), or cancel (the old status shown again). True when
        handled here."""
        panel = self.panel
        if binding.read() != DONE or not panel.editable or panel.current_form is not self:
            return False
        row = self.row()
        if row is None or row.status == DONE:
            return False
        things = consistency.open_things(row.id)
        if not things:
            return False
        binding.stop()
        choice = ask_open_things(self, item_ref(row), things, COMPLETING)
        if choice == consistency.CANCEL or self.row() is None:
            self.reload()
            return True
        panel.push(consistency.complete_item(row.id, things, choice, seen=binding.seen(row.id)))
        return True

    def commit_pending(self) -> None:
        self.measures.commit_pending()
        self.evidence.commit_pending()
        self.results.commit_pending()
        super().commit_pending()

    def set_readonly(self, readonly: bool) -> None:
        self._editors_readonly(readonly or self.locked)
        # Not the write-off lock: accountability and recovered money often come after it.
        self.results.set_readonly(readonly)
        if self.writeoff_box is not None:  # its 撤销销号 stays usable on a locked item
            self.writeoff_box.set_readonly(readonly)

    def _lock(self, locked: bool) -> None:
        self.locked = locked
        self.lock_line.setVisible(locked)
        self._editors_readonly(self.panel.readonly or locked)

    def _editors_readonly(self, readonly: bool) -> None:
        super().set_readonly(readonly)
        # The editors rebuild their rows on a change: only when it changes, not at every reload.
        if self.measures.readonly != readonly:
            self.measures.set_readonly(readonly)
        if self.evidence.readonly != readonly:
            self.evidence.set_readonly(readonly)


# --- the panel -----------------------------------------------------------------------------------
