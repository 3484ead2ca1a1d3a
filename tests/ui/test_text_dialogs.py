"""从文本导入 and 生成通报 / 生成报告 in the real main window; only the modal pieces are replaced."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox

from rectify_desktop.core import stats, storage
from rectify_desktop.core.models import Finding, Inspection, Item
from rectify_desktop.ui import text_dialogs
from rectify_desktop.ui.done_box import DoneBox as NoticeDoneBox
from rectify_desktop.ui.text_dialogs import TextImportDialog
from tests.io.test_text_import import GAPS, NOTICE


@pytest.fixture
def opened(window, tmp_path: Path):  # noqa: ANN001, ANN201, F811
    path = tmp_path / "台账.db"
    storage.create_file(path)
    assert window.open_ledger(path)
    return window


def dialog_does(monkeypatch: pytest.MonkeyPatch, qtbot, act) -> list[TextImportDialog]:  # noqa: ANN001
    """Replaces the dialog's exec: shows the real dialog, lets `act` use it, returns what it returns."""
    shown: list[TextImportDialog] = []

    def exec_(dlg: TextImportDialog) -> int:
        shown.append(dlg)
        dlg.show()
        qtbot.waitExposed(dlg)
        act(dlg)
        return dlg.result()

    monkeypatch.setattr(TextImportDialog, "exec", exec_)
    return shown


def test_paste_preview_then_import_one_undoable_inspection(opened, monkeypatch, qtbot) -> None:  # noqa: ANN001
    def act(dlg: TextImportDialog) -> None:
        assert not dlg.import_button.isEnabled()
        dlg.editor.setPlainText(NOTICE)
        # Nothing is parsed on each keystroke: the preview follows a moment later.
        assert dlg.tree.topLevelItemCount() == 0
        qtbot.waitUntil(lambda: dlg.tree.topLevelItemCount() == 2, timeout=3000)
        assert dlg.import_button.isEnabled()
        assert "识别出2个方面、5个问题、7项细化问题、12条整改措施" in dlg.summary_label.text()
        assert "已整改完成6项" in dlg.declared_label.text()
        assert dlg.warnings.count() == 0
        assert Inspection.select().count() == 0  # nothing written before 导入
        dlg.import_button.click()

    shown = dialog_does(monkeypatch, qtbot, act)
    text_dialogs.import_text(opened)
    assert len(shown) == 1
    insp = Inspection.get()
    assert insp.title == "中共某某县水利局党组关于县委第二巡察组反馈意见整改落实台账"
    s = stats.compute(insp.id)
    assert (s.findings, s.items, s.done) == (5, 7, 6)
    node = opened.current_node()
    assert node is not None and node.kind == "inspection" and node.id == insp.id
    opened.actions["undo"].trigger()
    assert Inspection.select().count() == Item.select().count() == 0


def test_warnings_beside_the_tree_and_cancel_writes_nothing(opened, monkeypatch, qtbot) -> None:  # noqa: ANN001
    def act(dlg: TextImportDialog) -> None:
        dlg.editor.setPlainText(GAPS)
        dlg.reparse()
        assert dlg.warnings.count() == 2
        assert dlg.warnings.item(0).text() == "问题序号3缺失（公开通报可能略去了敏感问题）。"
        assert "请核对的提示（2 条）" == dlg.warn_box.title()
        # A tree node shows its line in the text.
        finding = dlg.tree.topLevelItem(1).child(0)
        assert finding.text(0) == "4.问题四"
        dlg.tree.setCurrentItem(finding)
        assert dlg.editor.textCursor().block().text() == "4.问题四"
        dlg.cancel_button.click()

    dialog_does(monkeypatch, qtbot, act)
    text_dialogs.import_text(opened)
    assert Inspection.select().count() == 0


def test_unrecognised_text_cannot_be_imported(opened, monkeypatch, qtbot) -> None:  # noqa: ANN001
    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: told.append(a[2]))

    def act(dlg: TextImportDialog) -> None:
        dlg.editor.setPlainText("这是一段普通的文字，没有任何序号。")
        dlg.reparse()
        assert not dlg.import_button.isEnabled()
        assert "未识别出可导入的问题" in dlg.summary_label.text()
        dlg.try_accept()
        assert told and "未能从文本中识别出" in told[0]
        dlg.reject()

    dialog_does(monkeypatch, qtbot, act)
    text_dialogs.import_text(opened)
    assert Inspection.select().count() == 0


def test_open_a_gbk_file_and_refuse_garbage(opened, monkeypatch, qtbot, tmp_path) -> None:  # noqa: ANN001
    good = tmp_path / "通报.txt"
    good.write_bytes(NOTICE.encode("gbk"))
    bad = tmp_path / "坏.txt"
    bad.write_bytes(bytes(range(256)) * 10)
    errors: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda *a, **k: errors.append(a[2]))

    def act(dlg: TextImportDialog) -> None:
        monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(bad), ""))
        dlg.open_button.click()
        assert errors and "不是文本文件" in errors[0]
        assert dlg.editor.toPlainText() == ""
        monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(good), ""))
        dlg.open_button.click()
        assert dlg.editor.toPlainText() == NOTICE.rstrip("\n") or dlg.editor.toPlainText() == NOTICE
        assert dlg.tree.topLevelItemCount() == 2 and dlg.import_button.isEnabled()
        dlg.import_button.click()

    dialog_does(monkeypatch, qtbot, act)
    text_dialogs.import_text(opened)
    assert Finding.select().count() == 5
    assert opened.settings.value(text_dialogs.LAST_DIR_KEY) == str(tmp_path)


def test_readonly_or_no_ledger(window, monkeypatch) -> None:  # noqa: ANN001, F811
    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: told.append(a[2]))
    monkeypatch.setattr(TextImportDialog, "exec", lambda dlg: pytest.fail("no dialog without a ledger"))
    window._close_ledger()
    text_dialogs.import_text(window)
    text_dialogs.make_notice(window, "notice")
    assert told == ["请先打开一个台账。", "请先打开一个台账。"]


@pytest.mark.parametrize(("kind", "name", "suffix"), [("notice", "通报", ".docx"), ("report", "报告", ".txt")])
def test_make_notice_writes_and_says_where(window, demo_path, tmp_path, monkeypatch, kind, name, suffix) -> None:  # noqa: ANN001, F811
    assert window.open_ledger(demo_path)
    asked: list[str] = []

    def save_name(parent, caption, start, filt):  # noqa: ANN001, ANN202
        asked.append(start)
        assert caption == f"生成{name}" and "Word 文档 (*.docx)" in filt
        return str(tmp_path / "输出" / "稿"), ("纯文本 (*.txt)" if suffix == ".txt" else "Word 文档 (*.docx)")

    (tmp_path / "输出").mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_name)
    done: list[NoticeDoneBox] = []
    monkeypatch.setattr(NoticeDoneBox, "exec", lambda box: done.append(box) or 0)
    text_dialogs.make_notice(window, kind)
    out = tmp_path / "输出" / f"稿{suffix}"
    assert out.exists()
    assert Path(asked[0]).name == f"中共临川县教育局党组关于县委第三巡察组反馈意见整改情况的{name}.docx"
    assert done and str(out) in done[0].where_label.text()
    if suffix == ".docx":
        first = docx.Document(str(out)).paragraphs[0].text.replace("\n", "")
    else:
        first = out.read_text(encoding="utf-8-sig").splitlines()[0]
    assert first.endswith(f"整改情况的{name}")


def test_make_notice_failure_is_a_chinese_message(window, demo_path, tmp_path, monkeypatch) -> None:  # noqa: ANN001, F811
    assert window.open_ledger(demo_path)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(tmp_path / "无此文件夹" / "a.docx"), ""))
    errors: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda *a, **k: errors.append(a[2]))
    monkeypatch.setattr(NoticeDoneBox, "exec", lambda box: pytest.fail("no success message"))
    text_dialogs.make_notice(window, "notice")
    assert errors and "文件夹不存在" in errors[0]


def test_dialog_screenshot(qtbot, tmp_path) -> None:  # noqa: ANN001
    """The dialog with a partly recognised text, saved for a look (/tmp/text_import.png)."""
    text = NOTICE.replace("2.意识形态工作责任制落实不到位\n", "").replace("（2）研讨不深入。", "（3）研讨不深入。")
    dlg = TextImportDialog(text=text)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    assert dlg.tree.topLevelItemCount() == 2 and dlg.warnings.count() >= 2
    out = tmp_path / "text_import.png"
    dlg.grab().save(str(out))
    assert out.stat().st_size > 0
    try:
        dlg.grab().save("/tmp/text_import.png")
    except OSError:
        pass
