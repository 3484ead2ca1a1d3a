"""帮助 → 使用说明 (issue 12, point 14a): the manual opens beside the real main window, offline from the package's
resources, with its contents linked, Ctrl+F finding text, and every menu entry it names being a real one."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest

from rectify_desktop.ui import window_actions
from rectify_desktop.ui.manual import MANUAL_FILE, ManualDialog, manual_html, open_manual, sections

ROOT = Path(__file__).resolve().parents[2]
# The offscreen platform cannot raise a window; a desktop one can.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support raise")
TASKS = (
    "新建或打开台账",
    "导入反馈意见文本和Excel台账",
    "录入方面、问题、细化问题和整改措施",
    "填写完成情况、完成时间，上传佐证材料",
    "申请销号、批准、退回、撤销销号",
    "查看总览与三张清单，筛选与搜索",
    "打印、导出PDF/Excel、生成通报、导出佐证材料包",
    "备份与恢复，只读打开",
    "撤销、重做与修改记录",
    "多人共用服务器台账",
)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.names: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.hrefs.append(a["href"] or "")
        if tag == "a" and a.get("name"):
            self.names.append(a["name"] or "")


@pytest.fixture
def manual(window, qtbot) -> ManualDialog:
    dlg = open_manual(window)
    qtbot.addWidget(dlg)
    qtbot.waitExposed(dlg)
    return dlg


def test_the_manual_opens_beside_the_window_with_every_task(window, manual):
    assert manual.isVisible() and not manual.isModal()
    assert manual.parent() is window
    assert manual.windowTitle() == "整改台账 使用说明"
    text = manual.browser.toPlainText()
    for task in TASKS:
        assert task in text
    # the contents beside the text: a short name for each section, its heading in the tooltip
    items = [manual.contents.item(i) for i in range(manual.contents.count())]
    assert [i.toolTip().split("、", 1)[1] for i in items[: len(TASKS)]] == list(TASKS)
    assert [i.text() for i in items] == [short for _a, _h, short in sections(manual_html())]
    assert all(
        manual.contents.visualItemRect(i).width() >= manual.fontMetrics().horizontalAdvance(i.text()) for i in items
    )
    # again (F1 twice): the same dialog, brought to the front
    assert open_manual(window) is manual


def test_every_internal_link_has_its_target(manual):
    html = manual_html()
    links = _Links()
    links.feed(html)
    internal = [h[1:] for h in links.hrefs if h.startswith("#")]
    assert len(internal) >= 2 * len(TASKS)  # the contents and a 返回目录 under each section
    assert set(internal) <= set(links.names)
    # and the document Qt shows holds each anchor
    doc = manual.browser.document()
    shown: set[str] = set()
    block = doc.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            shown.update(it.fragment().charFormat().anchorNames())
            it += 1
        block = block.next()
    assert set(internal) <= shown


def test_the_contents_go_to_their_section(manual, qtbot):
    bar = manual.browser.verticalScrollBar()
    assert bar.value() == 0
    row = [a for a, _h, _s in sections(manual_html())].index("writeoff")
    item = manual.contents.item(row)
    rect = manual.contents.visualItemRect(item)
    QTest.mouseClick(manual.contents.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: bar.value() > 0)
    top = manual.browser.cursorForPosition(manual.browser.viewport().rect().topLeft()).block().text()
    assert (
        "申请销号" in top
        or "申请销号" in manual.browser.cursorForPosition(manual.browser.viewport().rect().center()).block().text()
    )


def test_ctrl_f_finds_text(manual, qtbot):
    manual.browser.setFocus()
    QTest.keyClick(manual.browser, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(manual.find_box.hasFocus)
    manual.find_box.insert("恢复所选备份")  # as an input method commits Chinese text
    assert manual.browser.textCursor().selectedText() == "恢复所选备份"
    assert manual.find_note.text() == ""
    first = manual.browser.textCursor().position()
    manual.find_box.clear()
    manual.find_box.insert("修改记录")
    positions = {manual.browser.textCursor().position()}
    for _ in range(3):
        QTest.keyClick(manual.find_box, Qt.Key.Key_Return)
        positions.add(manual.browser.textCursor().position())
    assert len(positions) == 4 and first not in positions  # each Enter goes on to the next match
    manual.find_box.clear()
    manual.find_box.insert("没有这样的文字")
    assert manual.find_note.text() == "未找到"


def test_menu_entries_named_in_the_manual_are_real():
    """Every “菜单 → 项” the manual names is an entry of that menu (the texts without &-keys and …)."""

    def plain(text: str) -> str:
        return re.sub(r"\(&.\)", "", text).rstrip("…").strip()

    texts = {a.name: plain(a.text) for a in window_actions.ACTIONS}
    texts.update({"undo": "撤销", "redo": "重做", "recent": "最近打开"})  # made by the window itself
    menus = {plain(title): {texts[n] for n in names if n != "-"} for title, names in window_actions.MENUS}
    named = re.findall(r"“(文件|编辑|视图|工具|帮助) → ([^”]+)”", manual_html())
    assert len(named) > 15
    for menu, entries in named:
        for entry in entries.split(" / "):
            assert plain(entry) in menus[menu], f"{menu} → {entry}"


def test_shortcuts_in_the_manual_are_those_of_the_actions():
    html = manual_html()
    for spec in window_actions.ACTIONS:
        if isinstance(spec.shortcut, str):
            name = re.sub(r"\(&.\)", "", spec.text).rstrip("…")
            if f'{name}（<span class="key">' in html:
                assert f'{name}（<span class="key">{spec.shortcut}</span>）' in html, name


def test_the_manual_is_installed_with_the_package():
    assert (ROOT / "resources" / MANUAL_FILE).is_file()
    tomllib = pytest.importorskip("tomllib")  # Python 3.11 on
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    data = config["tool"]["setuptools"]["package-data"]["rectify_desktop.resources"]
    assert "manual/*" in data
    # the PyInstaller spec collects everything under resources/
    spec = (ROOT / "packaging" / "rectify-desktop.spec").read_text(encoding="utf-8")
    assert 'collect_data_files("rectify_desktop", includes=["resources/**/*"])' in spec


def test_f1_opens_the_manual(window, qtbot):
    action = window.actions["manual"]
    assert action.shortcut() == QKeySequence("F1")
    QTest.keyClick(window, Qt.Key.Key_F1)
    dlg = window.findChild(ManualDialog)
    assert dlg is not None
    qtbot.waitUntil(dlg.isVisible)


def test_screenshot(manual, tmp_path):
    manual.resize(900, 680)
    manual.go_to("writeoff")
    assert not manual.grab().isNull()
