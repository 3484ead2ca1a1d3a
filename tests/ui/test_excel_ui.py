"""导入Excel / 导出Excel in the real main window; only the modal pieces (file dialogs, exec) are replaced."""

from __future__ import annotations

import hashlib
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox

from rectify_desktop.core import storage
from rectify_desktop.core.models import Category, Finding, Inspection, Item, Measure
from rectify_desktop.ui import excel
from rectify_desktop.ui.done_box import DoneBox as ExportDoneBox
from rectify_desktop.ui.excel import ImportPreviewDialog
from tests.io.test_xlsx_import import county_sheet, school_sheet


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def counts() -> tuple[int, int, int, int, int]:
    return (
        Inspection.select().count(),
        Category.select().count(),
        Finding.select().count(),
        Item.select().count(),
        Measure.select().count(),
    )


@pytest.fixture
def opened(window, tmp_path: Path):  # noqa: ANN001, ANN201, F811
    path = tmp_path / "台账.db"
    storage.create_file(path)
    assert window.open_ledger(path)
    return window


def choose(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), "Excel 工作簿 (*.xlsx)"))


def preview(monkeypatch: pytest.MonkeyPatch, button: str) -> list[ImportPreviewDialog]:
    """Replaces the preview's exec: looks at the real dialog, then clicks 导入 or 取消."""
    shown: list[ImportPreviewDialog] = []

    def exec_(dlg: ImportPreviewDialog) -> int:
        shown.append(dlg)
        dlg.show()
        (dlg.import_button if button == "导入" else dlg.cancel_button).click()
        return dlg.result()

    monkeypatch.setattr(ImportPreviewDialog, "exec", exec_)
    return shown


def test_import_shows_the_preview_then_adds_one_undoable_inspection(opened, tmp_path, monkeypatch, qtbot) -> None:  # noqa: ANN001
    w = opened
    choose(monkeypatch, county_sheet(tmp_path / "县局台账.xlsx"))
    shown = preview(monkeypatch, "导入")
    w.actions["import_excel"].trigger()
    assert len(shown) == 1
    dlg = shown[0]
    assert "2个方面、4个问题、7项细化问题、11条整改措施" in dlg.counts_label.text()
    assert dlg.warnings.count() == 5
    tree = dlg.tree
    assert tree.topLevelItemCount() == 2
    first = tree.topLevelItem(0)
    assert first.text(0) == "（一）政治建设方面"
    assert first.child(0).text(0) == "1.学习贯彻上级决策部署不到位"
    item = first.child(0).child(0)
    assert [item.text(c) for c in range(4)] == ["（1）理论学习中心组学习不经常", "已完成", "2021年6月30日", "办公室"]
    dlg.warnings.setCurrentRow(1)  # 第8行: the item of row 8 is selected in the tree
    assert tree.currentItem().text(0).startswith("（1）党建工作与中心工作")

    assert counts() == (1, 2, 4, 7, 11)
    insp = Inspection.get()
    assert insp.title == "中共某某县林业局党组关于县委第二巡察组反馈意见整改落实台账"
    node = w.current_node()
    assert node is not None and (node.kind, node.id) == ("inspection", insp.id)
    assert w.undo_stack.count() == 1

    w.actions["undo"].trigger()
    assert counts() == (0, 0, 0, 0, 0)
    w.actions["redo"].trigger()
    assert counts() == (1, 2, 4, 7, 11)


def test_cancel_writes_nothing(opened, tmp_path, monkeypatch) -> None:  # noqa: ANN001
    w = opened
    choose(monkeypatch, school_sheet(tmp_path / "学校.xlsx"))
    shown = preview(monkeypatch, "取消")
    before = sha(w.ledger.path)
    w.actions["import_excel"].trigger()
    assert len(shown) == 1 and shown[0].warnings.count() == 4
    assert counts() == (0, 0, 0, 0, 0)
    assert w.undo_stack.count() == 0
    assert sha(w.ledger.path) == before


def test_a_bad_file_says_why_and_writes_nothing(opened, tmp_path, monkeypatch) -> None:  # noqa: ANN001
    w = opened
    bad = tmp_path / "旧版.xls"
    bad.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2000)
    choose(monkeypatch, bad)
    errors: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda *a, **k: errors.append(a[2]))
    shown = preview(monkeypatch, "导入")
    w.actions["import_excel"].trigger()
    assert shown == [] and len(errors) == 1 and "另存为 .xlsx" in errors[0]
    assert counts() == (0, 0, 0, 0, 0)


def test_a_cancelled_file_dialog_does_nothing(opened, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: ("", ""))
    shown = preview(monkeypatch, "导入")
    opened.actions["import_excel"].trigger()
    assert shown == [] and counts() == (0, 0, 0, 0, 0)


def test_export_writes_a_file_openpyxl_reads(window, demo_path, tmp_path, monkeypatch) -> None:  # noqa: ANN001, F811
    assert window.open_ledger(demo_path)
    out = tmp_path / "导出" / "台账"
    out.parent.mkdir()
    asked: list[str] = []

    def save_name(parent, caption, start, filt):  # noqa: ANN001, ANN202
        asked.append(start)
        return str(out), filt

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_name)
    done: list[ExportDoneBox] = []
    monkeypatch.setattr(ExportDoneBox, "exec", lambda box: done.append(box) or 0)
    window.actions["export_excel"].trigger()
    # The default name is the ledger's title; ".xlsx" is added when the clerk leaves it out.
    assert Path(asked[0]).name == "中共临川县教育局党组关于县委第三巡察组反馈意见整改落实台账.xlsx"
    written = out.with_name("台账.xlsx")
    assert written.exists() and len(done) == 1 and str(written) in done[0].where_label.text()
    wb = openpyxl.load_workbook(written)
    assert wb.sheetnames[0] == "台账" and wb["台账"]["B3"].value == "细化问题"
    assert window.settings.value(excel.LAST_DIR_KEY) == str(written.parent)


def test_export_failure_is_a_chinese_message(window, demo_path, tmp_path, monkeypatch) -> None:  # noqa: ANN001, F811
    assert window.open_ledger(demo_path)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(tmp_path / "无此文件夹" / "a.xlsx"), ""))
    errors: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda *a, **k: errors.append(a[2]))
    monkeypatch.setattr(ExportDoneBox, "exec", lambda box: pytest.fail("no success message"))
    window.actions["export_excel"].trigger()
    assert len(errors) == 1 and "文件夹不存在" in errors[0]


def test_export_shows_progress_when_it_takes_long(window, demo_path, tmp_path, monkeypatch) -> None:  # noqa: ANN001, F811
    assert window.open_ledger(demo_path)
    out = tmp_path / "a.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    monkeypatch.setattr(ExportDoneBox, "exec", lambda box: 0)
    seen: list[tuple[int, int, int]] = []

    def slow_export(inspection_id, path, *, today=None, progress=None, notes=None):  # noqa: ANN001, ANN202
        progress(0, 30)
        progress(10, 30)
        d = progress.dialog
        seen.append((d.minimumDuration(), d.maximum(), d.value()))
        Path(path).write_bytes(b"PK")
        progress(30, 30)
        return path

    monkeypatch.setattr("rectify_desktop.io.xlsx_export.export_workbook", slow_export)
    window.actions["export_excel"].trigger()
    assert seen == [(excel.PROGRESS_DELAY_MS, 30, 10)]
    assert out.exists()


def test_default_file_name() -> None:
    assert excel.default_file_name('a/b:c*?"<>|d') == "a_b_c_d.xlsx"
    assert excel.default_file_name("") == "整改台账.xlsx"


def test_preview_screenshot(qtbot, tmp_path) -> None:  # noqa: ANN001
    """The preview of a clerk's sheet with warnings, saved for a look (/tmp/import_preview.png)."""
    from rectify_desktop.io.xlsx_import import parse_workbook

    parsed = parse_workbook(county_sheet(tmp_path / "县局台账.xlsx"))
    dlg = ImportPreviewDialog(parsed, tmp_path / "县局台账.xlsx")
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    assert dlg.tree.topLevelItemCount() == 2 and dlg.warnings.count() == 5
    dlg.grab().save(str(tmp_path / "import_preview.png"))
    assert (tmp_path / "import_preview.png").stat().st_size > 0
