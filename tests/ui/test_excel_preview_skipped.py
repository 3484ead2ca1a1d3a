"""The Excel import's preview lists 未导入的内容 with their rows, as the text import's does."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from rectify_desktop.io.xlsx_import import parse_workbook
from rectify_desktop.ui.excel import ImportPreviewDialog


def _sheet(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "台账"
    ws.append(["县委第二巡察组反馈意见整改台账"])
    ws.append(["序号", "问题", "整改措施", "责任单位", "整改时限", "完成情况"])
    ws.append([1, "会议记录不规范", "规范会议记录", "办公室", "2026年6月30日", "已完成"])
    ws.append([2, "固定资产账实不符", "全面清查资产；补登台账", "财务股", "2026年9月30日", "正在推进"])
    ws.append([])
    ws.append(["单位负责人（签字）：", None, "填表人：张三"])
    wb.save(path)
    return path


def test_the_preview_lists_what_the_sheet_held_and_is_not_imported(qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    parsed = parse_workbook(_sheet(tmp_path / "台账.xlsx"))
    assert len(parsed.items()) == 2
    assert parsed.skipped, "the signature row goes nowhere and must be listed"
    dlg = ImportPreviewDialog(parsed, tmp_path / "台账.xlsx")
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    rows = [dlg.skipped.item(i).text() for i in range(dlg.skipped.count())]
    assert len(rows) == len(parsed.skipped)
    assert any(r.startswith("第6行") and "签字" in r for r in rows), rows
    assert f"未导入的内容（{len(rows)} 处" in dlg.skipped_box.title()
    assert dlg.skipped_box.isVisible()
    dlg.skipped.setCurrentRow(len(rows) - 1)  # selects the nearest row of the tree above it
    assert dlg.tree.currentItem() is not None
