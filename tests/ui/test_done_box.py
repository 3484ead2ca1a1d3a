"""Issue 12, point 12: every export ends in the same box (打开文件 / 打开所在文件夹 / 关闭), and "已打开" is
said only when a viewer actually started.

Each kind is exported through the real window; the box's exec is replaced by a recorder, and the two
buttons are clicked in it with QDesktopServices.openUrl replaced by a recorder that says whether a viewer
started.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QDesktopServices
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialog, QFileDialog

from rectify_desktop.ui import done_box
from rectify_desktop.ui.done_box import DoneBox


@pytest.fixture
def shown(monkeypatch):  # noqa: ANN201
    """Every DoneBox shown, recorded instead of run modally."""
    boxes: list[DoneBox] = []
    monkeypatch.setattr(DoneBox, "exec", lambda box: boxes.append(box) or 0)
    return boxes


@pytest.fixture
def opened_urls(monkeypatch):  # noqa: ANN201
    """QDesktopServices.openUrl recorded; `answer[0]` says whether a viewer "started"."""
    urls: list[str] = []
    answer = [True]

    def open_url(url):  # noqa: ANN001, ANN202
        urls.append(url.toLocalFile())
        return answer[0]

    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(open_url))
    return urls, answer


def _save_to(monkeypatch, path: Path) -> None:
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(path), ""))


def _export_excel(window, tmp_path, monkeypatch) -> Path:  # noqa: ANN001
    _save_to(monkeypatch, tmp_path / "台账.xlsx")
    window.actions["export_excel"].trigger()
    return tmp_path / "台账.xlsx"


def _export_notice(window, tmp_path, monkeypatch) -> Path:  # noqa: ANN001
    _save_to(monkeypatch, tmp_path / "通报.docx")
    window.actions["notice"].trigger()
    return tmp_path / "通报.docx"


def _export_pdf(window, tmp_path, monkeypatch) -> Path:  # noqa: ANN001
    from rectify_desktop.ui.printing import PrintOptions, output

    monkeypatch.setattr(output, "ask_options", lambda w, title, insp: PrintOptions())
    _save_to(monkeypatch, tmp_path / "台账.pdf")
    window.actions["export_pdf"].trigger()
    return tmp_path / "台账.pdf"


def _export_zip(window, tmp_path, monkeypatch) -> Path:  # noqa: ANN001
    _save_to(monkeypatch, tmp_path / "佐证材料包.zip")
    window.actions["export_evidence"].trigger()
    return tmp_path / "佐证材料包.zip"


def _export_list(window, tmp_path, monkeypatch) -> Path:  # noqa: ANN001
    _save_to(monkeypatch, tmp_path / "问题清单.xlsx")
    page = window.show_page("lists")
    page.export_excel()
    return tmp_path / "问题清单.xlsx"


KINDS = {
    "excel": (_export_excel, "已导出Excel台账"),
    "notice": (_export_notice, "已生成通报初稿"),
    "pdf": (_export_pdf, "已导出PDF"),
    "zip": (_export_zip, "已导出佐证材料包"),
    "list": (_export_list, "已导出"),
}


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_export_ends_in_the_same_box(window, demo_path, tmp_path, monkeypatch, shown, opened_urls, kind) -> None:  # noqa: ANN001
    export, what = KINDS[kind]
    urls, answer = opened_urls
    assert window.open_ledger(demo_path)
    out = export(window, tmp_path, monkeypatch)
    assert out.exists()
    assert len(shown) == 1, f"{kind}: one DoneBox, not {len(shown)}"
    box = shown[0]
    assert box.parentWidget() is window or box.parentWidget().window() is window
    assert box.what_label.text().startswith(what) and str(out) in box.where_label.text()
    assert [b.text() for b in (box.open_file_button, box.open_folder_button, box.close_button)] == [
        "打开文件",
        "打开所在文件夹",
        "关闭",
    ]
    # A viewer started: 已打开, and the box closes.
    answer[0] = True
    QTest.mouseClick(box.open_file_button, Qt.MouseButton.LeftButton)
    assert urls == [str(out)]
    assert window.statusBar().currentMessage() == f"已打开“{out.name}”"
    assert box.result() == QDialog.DialogCode.Accepted


def test_no_viewer_says_so_and_offers_the_folder(window, demo_path, tmp_path, monkeypatch, shown, opened_urls) -> None:  # noqa: ANN001
    urls, answer = opened_urls
    assert window.open_ledger(demo_path)
    out = _export_excel(window, tmp_path, monkeypatch)
    box = shown[0]
    answer[0] = False
    window.statusBar().clearMessage()
    box.show()  # the box stays up when nothing opened: the clerk still has the folder button
    QTest.mouseClick(box.open_file_button, Qt.MouseButton.LeftButton)
    assert urls == [str(out)]
    assert "已打开" not in window.statusBar().currentMessage()
    assert "没有找到可以打开.xlsx文件的程序" in window.statusBar().currentMessage()
    assert box.isVisible() and box.message_label.isVisible()
    assert (
        "没有找到可以打开.xlsx文件的程序" in box.message_label.text() and "打开所在文件夹" in box.message_label.text()
    )
    assert box.open_folder_button.isDefault()
    # The folder (with the file selected where the platform can; here, Linux, the folder itself).
    answer[0] = True
    monkeypatch.setattr(done_box.sys, "platform", "linux")
    QTest.mouseClick(box.open_folder_button, Qt.MouseButton.LeftButton)
    assert urls[-1] == str(out.parent)
    assert "已打开所在文件夹" in window.statusBar().currentMessage()
    assert not box.isVisible()


def test_excel_notes_are_in_the_box(window, demo_path, tmp_path, monkeypatch, shown) -> None:  # noqa: ANN001
    """Texts carried on to the 续 sheet are told in the same box, not a different one."""
    from rectify_desktop.io import xlsx_export

    real = xlsx_export.export_workbook

    def with_note(inspection_id, path, *, progress=None, notes=None, **kw):  # noqa: ANN001, ANN202
        result = real(inspection_id, path, progress=progress, notes=notes, **kw)
        notes.append("第5行“整改措施”过长，续在“续”表")
        return result

    monkeypatch.setattr(xlsx_export, "export_workbook", with_note)
    assert window.open_ledger(demo_path)
    _export_excel(window, tmp_path, monkeypatch)
    box = shown[0]
    assert "项细化问题" in box.what_label.text()
    assert "续在“续”表" in box.notes_label.text() and not box.notes_label.isHidden()


def test_reveal_selects_the_file_where_the_platform_allows(monkeypatch, tmp_path) -> None:
    started: list[tuple[str, list[str]]] = []
    monkeypatch.setattr(
        done_box.QProcess, "startDetached", staticmethod(lambda prog, args: started.append((prog, args)) or True)
    )
    f = tmp_path / "a.pdf"
    monkeypatch.setattr(done_box.sys, "platform", "win32")
    assert done_box.reveal_in_folder(f) and started[-1] == ("explorer.exe", [f"/select,{f}"])
    monkeypatch.setattr(done_box.sys, "platform", "darwin")
    assert done_box.reveal_in_folder(f) and started[-1] == ("open", ["-R", str(f)])
