"""The write-off box (销号) of an item: where it stands, the three steps, and every step taken so far.

An item is written off in steps: 申请销号 (only once it is 已完成), then 批准 or 退回 by whoever reviews it.
Each step is one command of :func:`ops.write_off` pushed through the window's undo bridge, so it is one undo
step, it is in the change log, and every view refreshes. A rejection (退回) puts the item back to 正在推进;
the clerk sets it to 已完成 again once the opinion is answered, and applies again.

A written-off item is locked (core/commands refuses every change to it, the form shows it read-only);
撤销销号, with a reason, is the one way to unlock it: a step of its own, at any time, also after a restart.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QDate, QLocale, QSize, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCompleter,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from rectify_desktop.core import consistency, history, ops, rules
from rectify_desktop.core.commands import Change
from rectify_desktop.core.models import (
    DONE,
    WO_APPLY,
    WO_APPROVE,
    WO_REJECT,
    WO_REVOKE,
    Evidence,
    Finding,
    Item,
    WriteOff,
)
from rectify_desktop.ui.open_things import APPLYING, ask_open_things
from rectify_desktop.ui.theme import HINT_COLOR, WRITEOFF_COLORS

# window.settings keys: the names last used, offered next time.
SETTING_APPLICANT = "writeoff/applicant"
SETTING_APPROVER = "writeoff/approver"
# The ledger's own setting (台账设置) for who fills in the ledger (填报人).
LEDGER_REPORTER = "reporter"

PENDING, WRITTEN_OFF, REJECTED = "待审核", "已销号", "已退回"
STEP_COLORS = {
    WO_APPLY: WRITEOFF_COLORS[PENDING],
    WO_APPROVE: WRITEOFF_COLORS[WRITTEN_OFF],
    WO_REJECT: WRITEOFF_COLORS[REJECTED],
    WO_REVOKE: WRITEOFF_COLORS[REJECTED],
}

_ZH = QLocale(QLocale.Language.Chinese, QLocale.Country.China)


def cn_date(d: dt.date | None) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if d else ""


def item_ref(item: Item) -> str:
    """细化问题2（1）: how the ledger names an item, by its finding's number and its own."""
    finding = Finding.get_or_none(Finding.id == item.finding_id)
    return f"细化问题{finding.number if finding else ''}{rules.item_label(item.number)}"


class WriteOffDialog(QDialog):
    """Who, when and with what opinion, for one write-off step. The OK button stays off until it is
    complete: a name always, an opinion for 退回."""

    TITLES = {WO_APPLY: "申请销号", WO_APPROVE: "批准销号", WO_REJECT: "退回销号申请"}
    WHO = {WO_APPLY: "申请人", WO_APPROVE: "审核人", WO_REJECT: "审核人"}
    OK = {WO_APPLY: "申请销号", WO_APPROVE: "批准", WO_REJECT: "退回"}

    def __init__(
        self,
        parent: QWidget | None,
        action: str,
        item: Item,
        who: str = "",
        opinion: str = "",
        names: list[str] | None = None,
        today: dt.date | None = None,
    ) -> None:
        super().__init__(parent)
        self.action = action
        self.setWindowTitle(self.TITLES[action])
        lay = QVBoxLayout(self)
        head = QLabel(f"{item_ref(item)}：{item.title}")
        head.setWordWrap(True)
        head.setObjectName("writeoff.dialog.item")
        lay.addWidget(head)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.who = QLineEdit(who)
        self.who.setObjectName("writeoff.who")
        self.who.setPlaceholderText("姓名或单位，如：县委巡察办")
        if names:
            completer = QCompleter(names, self.who)
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            self.who.setCompleter(completer)
        form.addRow(self.WHO[action] + "：", self.who)
        self.date = QDateEdit()
        self.date.setObjectName("writeoff.date")
        self.date.setLocale(_ZH)
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy年M月d日")
        d = today or dt.date.today()
        self.date.setDate(QDate(d.year, d.month, d.day))
        self.date.calendarWidget().setLocale(_ZH)
        self.date.calendarWidget().setFirstDayOfWeek(Qt.DayOfWeek.Monday)
        row = QHBoxLayout()
        row.addWidget(self.date)
        row.addStretch(1)
        form.addRow("日期：", row)
        self.opinion = QPlainTextEdit(opinion)
        self.opinion.setObjectName("writeoff.opinion")
        self.opinion.setTabChangesFocus(True)
        self.opinion.setPlaceholderText("退回意见（必填）：请写明需要补充或整改的内容" if action == WO_REJECT else "")
        line = self.opinion.fontMetrics().lineSpacing()
        self.opinion.setFixedHeight(line * 4 + 12)
        form.addRow("意见：", self.opinion)
        lay.addLayout(form)
        if action == WO_REJECT:
            note = QLabel("退回后，该细化问题的完成情况改为“正在推进”，退回意见记入销号记录。")
            note.setWordWrap(True)
            note.setStyleSheet(f"color: {HINT_COLOR};")
            lay.addWidget(note)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(self.OK[action])
        self.ok_button.setObjectName("writeoff.ok")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        self.who.textChanged.connect(self._check)
        self.opinion.textChanged.connect(self._check)
        self._check()
        self.setMinimumWidth(460)
        (self.opinion if action == WO_REJECT and who else self.who).setFocus()

    def _check(self) -> None:
        ok = bool(self.who.text().strip())
        if self.action == WO_REJECT:
            ok = ok and bool(self.opinion.toPlainText().strip())
        self.ok_button.setEnabled(ok)

    def accept(self) -> None:
        if self.ok_button.isEnabled():
            super().accept()

    def values(self) -> tuple[str, dt.date, str]:
        q = self.date.date()
        return self.who.text().strip(), dt.date(q.year(), q.month(), q.day()), self.opinion.toPlainText().strip()


class _StepsTable(QTableWidget):
    """The write-off steps, as tall as its rows (no scroll bar of its own inside a form)."""

    def __init__(self) -> None:
        super().__init__(0, 4)
        self.setHorizontalHeaderLabels(["步骤", "经办人", "日期", "意见"])
        self.setObjectName("writeoff.steps")
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setWordWrap(True)
        self.setAlternatingRowColors(True)
        self.verticalHeader().setVisible(False)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        header = self.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        for c in range(3):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        header.sectionResized.connect(self.fit)
        self._width = -1

    def set_steps(self, steps: list[WriteOff]) -> None:
        self.setRowCount(len(steps))
        for r, s in enumerate(steps):
            for c, text in enumerate((s.action, s.who, cn_date(s.date), s.opinion)):
                it = QTableWidgetItem(text)
                if c == 0:
                    it.setForeground(QColor(STEP_COLORS.get(s.action, "#000000")))
                if c == 3 and text:
                    it.setToolTip(text)
                self.setItem(r, c, it)
        self.fit()

    def fit(self, *_: object) -> None:
        self.resizeRowsToContents()
        rows = sum(self.rowHeight(r) for r in range(self.rowCount()))
        h = self.horizontalHeader().sizeHint().height() + rows + 2 * self.frameWidth()
        if self.height() != h or self.minimumHeight() != h:
            self.setFixedHeight(h)

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        if event.size().width() != self._width:  # a new width may wrap the opinions on more or fewer lines
            self._width = event.size().width()
            self.fit()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(360, self.height())


class WriteOffBox(QWidget):
    """销号情况 of one item: its state, 申请销号 / 批准 / 退回, and the steps taken so far.

    Built with the main window (for its undo bridge, its ledger and its settings); `load` shows an item,
    `on_changes` follows every change (undo and redo included), `set_readonly` turns the buttons off.
    """

    def __init__(self, window: Any) -> None:
        super().__init__()
        self.window_ = window
        self.item_id: int | None = None
        self.readonly = False
        self.state = ""
        self.setObjectName("writeoff.box")

        self.state_label = QLabel()
        self.state_label.setObjectName("writeoff.state")
        self.state_label.setWordWrap(True)
        self.state_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.apply_button = self._button("申请销号", "writeoff.apply", self.apply)
        self.approve_button = self._button("批准", "writeoff.approve", self.approve)
        self.reject_button = self._button("退回", "writeoff.reject", self.reject)
        self.revoke_button = self._button("撤销销号…", "writeoff.revoke", self.revoke)
        self.apply_button.setToolTip("细化问题完成整改后，向审核单位申请销号")
        self.approve_button.setToolTip("审核通过，予以销号")
        self.reject_button.setToolTip("审核未通过，退回继续整改（完成情况改为“正在推进”）")
        self.revoke_button.setToolTip("销号有误时撤销（须写明原因）；撤销后可以修改，并可再次申请销号")
        self.hint = QLabel()
        self.hint.setObjectName("writeoff.hint")
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet(f"color: {HINT_COLOR};")
        buttons = QHBoxLayout()
        buttons.setSpacing(6)
        for b in (self.apply_button, self.approve_button, self.reject_button, self.revoke_button):
            buttons.addWidget(b)
        buttons.addSpacing(8)
        buttons.addWidget(self.hint, 1)
        self.steps = _StepsTable()
        self.no_steps = QLabel("暂无销号记录")
        self.no_steps.setStyleSheet(f"color: {HINT_COLOR};")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(6)
        lay.addWidget(self.state_label)
        lay.addLayout(buttons)
        lay.addWidget(self.steps)
        lay.addWidget(self.no_steps)
        self._show_nothing()

    def _button(self, text: str, name: str, slot: Any) -> QPushButton:
        b = QPushButton(text)
        b.setObjectName(name)
        b.setAutoDefault(False)
        b.clicked.connect(slot)
        return b

    # --- showing -----------------------------------------------------------------------------------

    def _ledger_open(self) -> bool:
        ledger = getattr(self.window_, "ledger", None)
        return ledger is not None and not ledger.closed

    def load(self, item_id: int | None) -> None:
        """Shows the write-off of item `item_id` (None: nothing)."""
        self.item_id = item_id
        self.reload()

    def reload(self) -> None:
        item = self._item()
        if item is None:
            self._show_nothing()
            return
        steps = history.writeoff_steps(item.id)
        last = steps[-1] if steps else None
        self.state = ops.writeoff_label(last.action if last else None)
        self._show_state(last)
        self.steps.set_steps(steps)
        self.steps.setVisible(bool(steps))
        self.no_steps.setVisible(not steps)
        self._update_buttons(item)

    def _item(self) -> Item | None:
        if self.item_id is None or not self._ledger_open():
            return None
        return Item.get_or_none(Item.id == self.item_id)

    def _show_nothing(self) -> None:
        self.state = ""
        self.state_label.setText("")
        self.steps.setRowCount(0)
        self.steps.hide()
        self.no_steps.hide()
        self.hint.setText("")
        for b in (self.apply_button, self.approve_button, self.reject_button):
            b.setEnabled(False)
        self.revoke_button.hide()

    def _show_state(self, last: WriteOff | None) -> None:
        if last is None:
            text, color = "未申请销号", HINT_COLOR
        elif last.action == WO_REVOKE:
            when = "，".join(p for p in (last.who, cn_date(last.date)) if p)
            text, color = f"已撤销销号（{when}）" if when else "已撤销销号", HINT_COLOR
            if last.opinion:
                text += f"　原因：{last.opinion}"
        else:
            color = WRITEOFF_COLORS.get(self.state, "#000000")
            date = cn_date(last.date)
            if self.state == WRITTEN_OFF:
                text = f"已销号（{date}批准）" if date else "已销号"
                if last.who:
                    text += f"　审核：{last.who}"
            elif self.state == PENDING:
                when = f"{last.who}于{date}" if last.who and date else (last.who or date)
                text = f"待审核（{when}申请）" if when else "待审核"
            else:
                when = "，".join(p for p in (last.who, date) if p)
                text = f"已退回（{when}）" if when else "已退回"
                if last.opinion:
                    text += f"　退回意见：{last.opinion}"
        self.state_label.setText(text)
        self.state_label.setStyleSheet(f"color: {color}; font-weight: bold;")

    def _update_buttons(self, item: Item) -> None:
        writable = not self.readonly and self._ledger_open() and not self.window_.ledger.readonly
        can_apply = item.status == DONE and self.state in ("", REJECTED)
        pending = self.state == PENDING
        self.apply_button.setEnabled(writable and can_apply)
        self.approve_button.setEnabled(writable and pending)
        self.reject_button.setEnabled(writable and pending)
        # Only on a written-off item, so that the row of buttons stays short; always there, also after a restart.
        self.revoke_button.setVisible(self.state == WRITTEN_OFF)
        self.revoke_button.setEnabled(writable and self.state == WRITTEN_OFF)
        if self.state == WRITTEN_OFF:
            hint = ""
        elif pending:
            hint = "等待审核：审核后点“批准”或“退回”"
        elif item.status != DONE:
            hint = "完成情况为“已完成”后才能申请销号"
            if self.state == REJECTED:
                hint = "按退回意见整改后，把完成情况改为“已完成”，再申请销号"
        else:
            hint = ""
        self.hint.setText(hint if writable else "")

    def on_changes(self, changes: list[Change]) -> None:
        """Follows the ledger: a step taken, undone or redone, the item's status, its evidence."""
        if self.item_id is None:
            return
        if any(c.kind == "reset" or c.entity in (WriteOff, Item, Evidence) for c in changes):
            self.reload()

    def set_readonly(self, readonly: bool) -> None:
        self.readonly = readonly
        item = self._item()
        if item is not None:
            self._update_buttons(item)

    # --- the three steps ---------------------------------------------------------------------------

    def _settings_value(self, key: str) -> str:
        settings = getattr(self.window_, "settings", None)
        return str(settings.value(key, "", str) or "") if settings is not None else ""

    def _remember(self, key: str, value: str) -> None:
        settings = getattr(self.window_, "settings", None)
        if settings is not None and value:
            settings.setValue(key, value)

    @staticmethod
    def _names(actions: tuple[str, ...]) -> list[str]:
        q = (
            WriteOff.select(WriteOff.who)
            .where(WriteOff.action.in_(actions) & (WriteOff.who != ""))
            .group_by(WriteOff.who)
            .order_by(WriteOff.who)
            .tuples()
        )
        return [w for (w,) in q]

    def _default_applicant(self) -> str:
        reporter = self.window_.ledger.setting(LEDGER_REPORTER, "").strip()
        return reporter or self._settings_value(SETTING_APPLICANT)

    def _default_approver(self) -> str:
        remembered = self._settings_value(SETTING_APPROVER)
        if remembered:
            return remembered
        last = (
            WriteOff.select(WriteOff.who)
            .where(WriteOff.action.in_((WO_APPROVE, WO_REJECT)) & (WriteOff.who != ""))
            .order_by(WriteOff.id.desc())
            .first()
        )
        return last.who if last else ""

    def apply(self) -> None:
        """申请销号."""
        item = self._item()
        if item is None or not self.apply_button.isEnabled():
            return
        # Unticked measures or missing evidence are asked about first (core/consistency): tick them in the
        # same step as the application, apply anyway (recorded), or cancel.
        things = consistency.open_things(item.id)
        choice = ask_open_things(self, item_ref(item), things, APPLYING)
        if choice == consistency.CANCEL:
            return
        dlg = WriteOffDialog(
            self, WO_APPLY, item, self._default_applicant(), "已按要求完成整改，申请销号", self._names((WO_APPLY,))
        )
        self._run(dlg, item, SETTING_APPLICANT, (things, choice))

    def approve(self) -> None:
        """批准: the item is written off."""
        item = self._item()
        if item is None or not self.approve_button.isEnabled():
            return
        names = self._names((WO_APPROVE, WO_REJECT))
        dlg = WriteOffDialog(self, WO_APPROVE, item, self._default_approver(), "同意销号", names)
        self._run(dlg, item, SETTING_APPROVER)

    def reject(self) -> None:
        """退回: back to 正在推进, with the opinion kept in the steps."""
        item = self._item()
        if item is None or not self.reject_button.isEnabled():
            return
        names = self._names((WO_APPROVE, WO_REJECT))
        dlg = WriteOffDialog(self, WO_REJECT, item, self._default_approver(), "", names)
        self._run(dlg, item, SETTING_APPROVER)

    def revoke(self) -> None:
        """撤销销号: asks for the reason (required); who is the ledger's user, the date today."""
        item = self._item()
        if item is None or not self.revoke_button.isEnabled():
            return
        reason, ok = QInputDialog.getMultiLineText(
            self,
            "撤销销号",
            f"{item_ref(item)}：{item.title}\n\n撤销销号后，该细化问题可以修改，并可再次申请销号。\n撤销原因（必填）：",
            "",
        )
        if not ok:
            return
        if not reason.strip():
            QMessageBox.warning(self, "撤销销号", "没有写明撤销原因，未撤销销号。")
            return
        bridge = getattr(self.window_, "bridge", None)
        if bridge is None or not self._ledger_open():
            return
        try:
            command = ops.revoke_writeoff(item.id, self.window_.ledger.user, dt.date.today(), reason)
        except ValueError as exc:  # the item changed meanwhile
            QMessageBox.warning(self, "撤销销号", str(exc))
            self.reload()
            return
        bridge.push(command)
        self.reload()

    def _run(
        self,
        dlg: WriteOffDialog,
        item: Item,
        remember_key: str,
        answer: tuple[consistency.OpenThings, str] | None = None,
    ) -> None:
        """Runs the step's dialog and pushes the step; `answer` is the clerk's answer to what is open on the
        item (for 申请销号), made part of the same command."""
        try:
            if dlg.exec() != QDialog.DialogCode.Accepted:
                return
            who, date, opinion = dlg.values()
        finally:
            dlg.deleteLater()
        bridge = getattr(self.window_, "bridge", None)
        if bridge is None or not self._ledger_open():
            return
        try:
            if answer is not None:
                command = consistency.apply_writeoff(item.id, answer[0], answer[1], who, date, opinion)
            else:
                command = ops.write_off(item.id, dlg.action, who, date, opinion)
        except ValueError as exc:  # the item changed meanwhile (its status, another step)
            QMessageBox.warning(self, WriteOffDialog.TITLES[dlg.action], str(exc))
            self.reload()
            return
        if bridge.push(command):
            self._remember(remember_key, who)
        self.reload()
