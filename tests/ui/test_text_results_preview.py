"""从文本导入 with a notice that states 整改成效 (issue 14): the preview lists the figures and those it does not
import, and 导入 stores them on the new inspection in the real window, undone as one step."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from rectify_desktop.core import results, storage
from rectify_desktop.core.models import Accountability, Inspection, MoneyEntry
from rectify_desktop.ui import text_dialogs
from rectify_desktop.ui.text_dialogs import TextImportDialog
from tests.io.test_text_import import NOTICE
from tests.io.test_text_results import FULL, with_sentence
from tests.ui.test_text_dialogs import dialog_does


@pytest.fixture
def opened(window, tmp_path: Path):  # noqa: ANN001, ANN201
    path = tmp_path / "台账.db"
    storage.create_file(path)
    assert window.open_ledger(path)
    return window


def test_preview_lists_the_figures_and_import_stores_them(opened, monkeypatch, qtbot) -> None:  # noqa: ANN001
    text = with_sentence(FULL + "通报批评3人。", "preamble")

    def act(dlg: TextImportDialog) -> None:
        dlg.editor.setPlainText(text)
        qtbot.waitUntil(lambda: dlg.tree.topLevelItemCount() == 2, timeout=3000)
        shown = dlg.results_label.text()
        assert dlg.results_label.isVisible()
        for said in (
            "党纪政务处分3人",
            "组织处理5人",
            "诫勉2人",
            "批评教育12人",
            "追缴23.8万元",
            "挽回经济损失100万元",
        ):
            assert said in shown, said
        assert "未导入" not in shown
        # What is not imported is among the lines not imported, with its reason, and points at its line.
        listed = [dlg.skipped.item(i).text() for i in range(dlg.skipped.count())]
        for said in ("通报批评3人", "制度15项", "民主生活会1次"):
            row = next(i for i, t in enumerate(listed) if "整改成效未导入" in t and said in t)
            assert listed[row].startswith("第3行")
        dlg.skipped.setCurrentRow(row)
        assert dlg.editor.textCursor().blockNumber() == 2
        dlg.grab().save("/tmp/s4/h4/text_results_preview.png") if Path("/tmp/s4/h4").is_dir() else None
        assert Accountability.select().count() == 0  # nothing written before 导入
        dlg.import_button.click()

    shown = dialog_does(monkeypatch, qtbot, act)
    text_dialogs.import_text(opened)
    assert len(shown) == 1
    insp = Inspection.get()
    res = results.compute(insp.id)
    assert {k: c.count for k, c in res.accountability.items()} == {
        "党纪政务处分": 3,
        "组织处理": 5,
        "诫勉": 2,
        "批评教育": 12,
    }
    assert {k: a.amount for k, a in res.money.items()} == {
        "追缴": Decimal("23.8"),
        "清退": Decimal("12.5"),
        "挽回经济损失": Decimal("100"),
    }
    opened.actions["undo"].trigger()
    assert Inspection.select().count() == Accountability.select().count() == MoneyEntry.select().count() == 0


def test_a_notice_without_figures_shows_no_results_line(qtbot) -> None:  # noqa: ANN001
    dlg = TextImportDialog(text=NOTICE)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    assert dlg.tree.topLevelItemCount() == 2
    assert not dlg.results_label.isVisible() and dlg.results_label.text() == ""
