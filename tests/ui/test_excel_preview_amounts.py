"""导入Excel's preview of a sheet with amount columns (issue 14): the counts say how many amounts, each item's
tip lists its amounts, and a bad cell is among the hints."""

from __future__ import annotations

from pathlib import Path

from rectify_desktop.io.xlsx_import import parse_workbook
from rectify_desktop.ui.excel import ImportPreviewDialog
from tests.io.test_xlsx_import_amounts import BASE, write


def test_the_preview_counts_and_shows_the_amounts(qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    path = write(
        tmp_path / "审计台账.xlsx",
        [*BASE, "问题金额（万元）", "整改到位金额（万元）"],
        [
            [1, "财务", "违规发放津补贴", "清退", "财务科", "已完成", 12.5, "12.5"],
            [2, "财务", "专项资金滞留", "拨付", "财务科", "正在推进", "abc", 3],
        ],
    )
    dlg = ImportPreviewDialog(parse_workbook(path), path)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    assert "2项细化问题" in dlg.counts_label.text() and "3笔金额" in dlg.counts_label.text()
    items = []
    for i in range(dlg.tree.topLevelItemCount()):
        cat = dlg.tree.topLevelItem(i)
        for j in range(cat.childCount()):
            f = cat.child(j)
            items += [f.child(k) for k in range(f.childCount())] or [f]
    tips = [it.toolTip(0) for it in items]
    assert any("金额：问题金额12.5万元，整改到位金额12.5万元" in t for t in tips), tips
    assert any("金额：整改到位金额3万元" in t for t in tips), tips
    hints = [dlg.warnings.item(i).text() for i in range(dlg.warnings.count())]
    assert any("abc" in h and "不是数字" in h for h in hints), hints
    if Path("/tmp/s4/h4").is_dir():
        dlg.grab().save("/tmp/s4/h4/excel_preview_amounts.png")
