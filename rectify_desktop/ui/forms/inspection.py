"""The form of an inspection (巡察/审计/督查 基本信息)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import (
    Qt,
)
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
)

from rectify_desktop.core import results
from rectify_desktop.core.models import (
    INSPECTION_KINDS,
    Inspection,
)
from rectify_desktop.ui.forms.base import _Form
from rectify_desktop.ui.forms.bindings import _ComboBinding, _LineBinding
from rectify_desktop.ui.forms.results import ResultsEditor
from rectify_desktop.ui.forms.widgets import _KIND_WORDS, _OTHER_WORDS, _hint_label, _section, flow_row

if TYPE_CHECKING:
    from rectify_desktop.ui.forms.panel import EditPanel


class _InspectionForm(_Form):
    """巡察: who inspected whom, when; and the figures of its rectification."""

    model = Inspection
    kind = "inspection"

    def __init__(self, panel: EditPanel) -> None:
        super().__init__(panel)
        form = self.new_form()
        self.kind_combo = QComboBox()
        self.kind_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.bindings.append(_ComboBinding(self, "kind", self.kind_combo, INSPECTION_KINDS))
        kind_row = QHBoxLayout()
        kind_row.addWidget(self.kind_combo)
        kind_row.addStretch(1)
        form.addRow(self.label("类型"), kind_row)
        self.title = self.line(form, "台账标题", "title", "如：中共××局党组关于××巡察组反馈意见整改落实台账")
        self.body_label = self.label("巡察组")
        self.inspecting_body = QLineEdit()
        form.addRow(self.body_label, self.inspecting_body)
        self.bindings.append(_LineBinding(self, "inspecting_body", self.inspecting_body))
        self.unit_label = self.label("被巡察单位")
        self.inspected_unit = QLineEdit()
        form.addRow(self.unit_label, self.inspected_unit)
        self.bindings.append(_LineBinding(self, "inspected_unit", self.inspected_unit))
        self.period_label = self.label("巡察时间")
        self.period_start = self.date("period_start")
        self.period_end = self.date("period_end")
        # the two dates side by side, or one under the other when the pane is narrow
        form.addRow(self.period_label, flow_row(self.period_start, QLabel("至"), self.period_end))
        self.feedback_date = self.date("feedback_date")
        form.addRow(self.label("反馈日期"), self.feedback_date)
        self.notes = self.text(form, "整改工作情况", "notes", lines=5, max_lines=16)
        self.notes.setPlaceholderText("组织领导、会议部署、整改方案等整体工作情况")

        self.body.addWidget(_section("整改进度"))
        self.headline = QLabel()
        self.headline.setObjectName("inspection.headline")
        self.headline.setWordWrap(True)
        self.headline.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.headline.setStyleSheet(
            "QLabel { background: #f3f6fa; border: 1px solid #d6dde8; border-radius: 4px; padding: 8px 10px; }"
        )
        self.figures = _hint_label()
        self.figures.setObjectName("inspection.figures")
        self.figures.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.body.addWidget(self.headline)
        self.body.addWidget(self.figures)
        # What the notice will say of the results, summed from the items and the whole inspection.
        self.results_total = _hint_label()
        self.results_total.setObjectName("inspection.results_total")
        self.results_total.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.body.addWidget(self.results_total)

        # The items' entries are on their own forms; here those of the whole unit (a 民主生活会's 批评教育).
        self.results = ResultsEditor(self, "整改成效（不对应具体问题的）", "inspection.results")
        self.body.addWidget(self.results)
        self.body.addStretch(1)
        self.align_labels()

    def fill(self, row: Inspection) -> None:
        body, unit, period = _KIND_WORDS.get(row.kind, _OTHER_WORDS)
        self.header.setText(f"{row.kind or '巡察'}基本情况")
        self.context.setVisible(False)
        self.body_label.setText(body + "：")
        self.unit_label.setText(unit + "：")
        self.period_label.setText(period + "：")
        s = self.panel.ledger.stats(row.id)
        self.headline.setText(s.headline(row.kind or "巡察") + "。")
        parts = [f"共{s.categories}个方面、{s.measures}条整改措施"]
        if s.overdue or s.due_7:
            parts.append(f"逾期{s.overdue}项，7日内到期{s.due_7}项")
        if s.written_off or s.writeoff_pending:
            parts.append(f"已销号{s.written_off}项，待审核{s.writeoff_pending}项")
        self.figures.setText("；".join(parts) + "。")
        said = results.sentence(results.compute(row.id)).removeprefix("在整改工作中，")
        self.results_total.setText(f"整改成效（含各细化问题）：{said}" if said else "")
        self.results_total.setVisible(bool(said))
        self.results.load(None, row.id)

    def reset(self) -> None:
        self.results.forget()

    def commit_pending(self) -> None:
        self.results.commit_pending()
        super().commit_pending()

    def set_readonly(self, readonly: bool) -> None:
        super().set_readonly(readonly)
        self.results.set_readonly(readonly)
