"""The real main window driven with pytest-qt; assertions are on the ledger file, not on the widgets."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from rectify_desktop.core import storage
from rectify_desktop.core.commands import written_off_items_under
from rectify_desktop.core.demo import make_demo
from rectify_desktop.core.models import Category, ChangeLog, Finding, Inspection, Item, Measure
from rectify_desktop.core.outline import FINDING, ITEM


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def titles(window) -> list[str]:
    """Every row's first column, depth first, as the tree shows it."""
    model = window.model
    out: list[str] = []

    def walk(parent):
        for r in range(model.rowCount(parent)):
            idx = model.index(r, 0, parent)
            out.append(model.data(idx))
            walk(idx)

    from PySide6.QtCore import QModelIndex

    walk(QModelIndex())
    return out


def test_build_a_ledger_through_the_window_and_undo_it(window, tmp_path):
    path = tmp_path / "新台账.db"
    storage.create_file(path)
    assert window.open_ledger(path)
    assert window.right.currentWidget() is window.welcome
    window.welcome.buttons["new_inspection"].click()
    assert Inspection.select().count() == 1
    window.actions["add_category"].trigger()
    window.actions["add_finding"].trigger()
    window.actions["add_item"].trigger()
    window.actions["add_measure"].trigger()
    window.actions["add_measure"].trigger()
    assert (Category.select().count(), Finding.select().count(), Item.select().count()) == (1, 1, 1)
    assert Measure.select().count() == 2
    finding = Finding.get()
    assert finding.number == 1 and Item.get().finding_id == finding.id
    assert titles(window) == ["新的巡察整改台账", "（一）新方面", "1.新问题", "（1）新细化问题"]
    assert window.right.currentWidget() is window.panel
    assert ChangeLog.select().where(ChangeLog.action == "新增").count() == 6

    for _ in range(6):
        window.actions["undo"].trigger()
    assert Inspection.select().count() == 0
    assert Category.select().count() + Finding.select().count() + Item.select().count() + Measure.select().count() == 0
    assert titles(window) == []
    assert window.right.currentWidget() is window.welcome

    for _ in range(6):
        window.actions["redo"].trigger()
    assert (Category.select().count(), Finding.select().count(), Item.select().count()) == (1, 1, 1)
    assert Measure.select().count() == 2


def test_edits_are_in_the_file_at_once(window, tmp_path, cli):
    """No save button: another process reading the file sees every edit as soon as it is made."""
    path = tmp_path / "即时保存.db"
    storage.create_file(path)
    window.open_ledger(path)
    window.add_inspection()
    window.add_category()
    window.add_finding()
    window.add_item()
    out = cli("stats", path, "--json")
    assert out.returncode == 0, out.stderr
    assert '"items": 1' in out.stdout and '"findings": 1' in out.stdout


def _free(model, row_id: int) -> bool:
    """Holds no written-off item: renumbering and deleting keep those (issue 12, point 1)."""
    return not written_off_items_under(model, row_id)


def test_reorder_and_renumber(window, demo_path):
    window.open_ledger(demo_path)
    cat = Category.select().order_by(Category.position).first()
    findings = list(Finding.select().where(Finding.category == cat).order_by(Finding.position))
    k = next(
        i for i in range(len(findings) - 1) if _free(Finding, findings[i].id) and _free(Finding, findings[i + 1].id)
    )
    first, second = findings[k : k + 2]
    window.select(FINDING, second.id)
    window.actions["move_up"].trigger()
    order = [f.id for f in Finding.select().where(Finding.category == cat).order_by(Finding.position)]
    assert order[k : k + 2] == [second.id, first.id]
    # Moving changes the order, never the numbers.
    assert Finding.get_by_id(second.id).number == second.number
    shown = titles(window)
    assert shown.index(f"{second.number}.{second.title}") < shown.index(f"{first.number}.{first.title}")
    assert window.current_node().id == second.id

    window.actions["renumber"].trigger()
    assert Finding.get_by_id(second.id).number == first.number
    assert Finding.get_by_id(first.id).number == second.number
    numbers = [f.number for f in Finding.select().join(Category).order_by(Category.position, Finding.position)]
    assert numbers == list(range(1, len(numbers) + 1))
    assert f"{first.number}.{second.title}" in titles(window)

    window.actions["undo"].trigger()
    assert Finding.get_by_id(second.id).number == second.number
    window.actions["undo"].trigger()
    order = [f.id for f in Finding.select().where(Finding.category == cat).order_by(Finding.position)]
    assert order[k : k + 2] == [first.id, second.id]


def test_items_move_and_renumber_within_their_finding(window, demo_path):
    window.open_ledger(demo_path)
    finding = next(f for f in Finding.select() if f.items.count() >= 3 and _free(Finding, f.id))
    items = list(Item.select().where(Item.finding == finding).order_by(Item.position))
    window.select(ITEM, items[0].id)
    window.actions["move_down"].trigger()
    window.actions["move_down"].trigger()
    assert [i.id for i in Item.select().where(Item.finding == finding).order_by(Item.position)][2] == items[0].id
    window.actions["renumber"].trigger()
    assert Item.get_by_id(items[0].id).number == 3 and Item.get_by_id(items[1].id).number == 1


def test_delete_asks_first_and_undo_restores(window, demo_path, monkeypatch):
    window.open_ledger(demo_path)
    # A finding: every category of the demo holds a written-off item, which is not deleted.
    cat = next(f for f in Finding.select().order_by(Finding.id) if f.items.count() >= 2 and _free(Finding, f.id))
    n_items = Item.select().where(Item.finding == cat).count()
    before_items = Item.select().count()
    window.select(FINDING, cat.id)
    asked = []

    def no(*args, **kw):
        asked.append(args[2])
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", no)
    window.actions["delete"].trigger()
    assert Finding.get_or_none(Finding.id == cat.id) is not None
    assert f"{n_items} 项细化问题" in asked[0]

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    window.actions["delete"].trigger()
    assert Finding.get_or_none(Finding.id == cat.id) is None
    assert Item.select().count() == before_items - n_items
    window.actions["undo"].trigger()
    assert Finding.get_by_id(cat.id).title == cat.title
    assert Item.select().count() == before_items


def test_tree_model_passes_qmodeltester(window, demo_path, qtmodeltester, monkeypatch):
    window.open_ledger(demo_path)
    qtmodeltester.check(window.model)
    # And after structural edits, undo and redo.
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    item = Item.select().first()
    window.select(ITEM, item.id)
    window.actions["add_item"].trigger()
    window.actions["move_up"].trigger()
    window.actions["delete"].trigger()
    window.actions["undo"].trigger()
    window.actions["undo"].trigger()
    qtmodeltester.check(window.model)


def test_status_bar_speaks_like_a_notice(window, demo_path):
    window.open_ledger(demo_path)
    text = window.status_label.text()
    assert text.startswith("13个问题 · 29项 · 已完成16 · 正在推进7")
    assert "完成率55%" in text
    item = Item.select().where(Item.status == "正在推进").first()
    from rectify_desktop.core import ops

    window.bridge.push(ops.set_fields(Item, item.id, {"status": "已完成"}))
    window._refresh_timer.timeout.emit()
    assert "已完成17" in window.status_label.text() and "完成率59%" in window.status_label.text()


def test_overdue_items_are_red(window, demo_path):
    window.open_ledger(demo_path)
    overdue = [n for (k, _), n in window.model._nodes.items() if k == ITEM and n.overdue]
    assert overdue
    idx = window.model.index_of(overdue[0])
    assert window.model.data(idx, Qt.ItemDataRole.ForegroundRole).color().name() == "#d93025"


def test_keyboard_shortcuts_add_nodes(window, demo_path, qtbot):
    window.open_ledger(demo_path)
    finding = Finding.select().first()
    window.select(FINDING, finding.id)
    window.activateWindow()
    window.tree.setFocus()
    before = Item.select().where(Item.finding == finding).count()
    qtbot.keyClick(window.tree, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert Item.select().where(Item.finding == finding).count() == before + 1
    qtbot.keyClick(window.tree, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert Item.select().where(Item.finding == finding).count() == before
    for name in (
        "new",
        "open",
        "add_category",
        "add_finding",
        "add_item",
        "add_measure",
        "delete",
        "move_up",
        "move_down",
        "renumber",
        "undo",
        "redo",
    ):
        assert not window.actions[name].shortcut().isEmpty(), name


def test_refusals_leave_files_unchanged(window, tmp_path, monkeypatch):
    errors = []
    monkeypatch.setattr(QMessageBox, "critical", lambda *a, **k: errors.append(a[2]))
    other = tmp_path / "other.db"
    import sqlite3

    con = sqlite3.connect(other)
    con.execute("create table t(x)")
    con.commit()
    con.close()
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"not a ledger at all" * 100)
    newer = make_demo(tmp_path / "newer.db")
    con = sqlite3.connect(newer)
    con.execute(f"PRAGMA user_version = {storage.SCHEMA_VERSION + 1}")
    con.commit()
    con.close()
    for path in (other, garbage, newer):
        before = sha(path)
        assert not window.open_ledger(path)
        assert sha(path) == before
    assert "不是整改台账文件" in errors[0] and "不是整改台账文件" in errors[1]
    assert "更新版本" in errors[2]
    assert not window.open_ledger(tmp_path / "missing.db")
    assert "找不到" in errors[3]
    assert window.right.currentWidget() is window.welcome


def test_second_instance_opens_read_only(window, demo_path, monkeypatch, cli_env):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys,time\nfrom rectify_desktop.core.ledger import Ledger\n"
            f"l=Ledger.open({str(demo_path)!r})\nprint('open', flush=True)\ntime.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
        env=cli_env,
    )
    try:
        assert holder.stdout.readline().strip() == "open"
        asked = []

        def yes(*a, **k):
            asked.append(a[2])
            return QMessageBox.StandardButton.Yes

        monkeypatch.setattr(QMessageBox, "question", yes)
        before = sha(demo_path)
        assert window.open_ledger(demo_path)
        assert "另一个整改台账窗口中打开" in asked[0]
        assert window.ledger.readonly and "只读" in window.windowTitle()
        assert not window.actions["add_item"].isEnabled() and not window.actions["delete"].isEnabled()
        assert window.model.item_count() == 29
        window._close_ledger()
        assert sha(demo_path) == before
    finally:
        holder.kill()
        holder.wait()


def test_older_ledger_is_migrated_with_a_backup(window, tmp_path, monkeypatch):
    from tests.core.legacy import make_v1_ledger

    path = tmp_path / "旧台账.db"
    make_v1_ledger(path)
    shown = []
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: shown.append(a[2]))
    assert window.open_ledger(path)
    assert "已升级" in shown[0]
    backups = list(tmp_path.glob("旧台账-升级前备份-v1-*.db"))
    assert len(backups) == 1 and str(backups[0]) in shown[0]


def test_window_state_and_recent_files_are_remembered(qtbot, tmp_path, monkeypatch, demo_path):
    monkeypatch.setenv("RECTIFY_DESKTOP_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("RECTIFY_DESKTOP_DATA_DIR", str(tmp_path / "data"))
    from rectify_desktop.ui.app import make_app, open_settings
    from rectify_desktop.ui.main_window import MainWindow

    make_app()
    w = MainWindow(open_settings())
    qtbot.addWidget(w)
    w.show()
    w.resize(700, 500)  # the screen (800×600 offscreen) and the window's minimum size clamp this
    w.open_ledger(demo_path)
    size = (w.width(), w.height())
    assert size != (1400, 860)
    w.close()
    w2 = MainWindow(open_settings())
    qtbot.addWidget(w2)
    assert (w2.width(), w2.height()) == size
    assert str(demo_path.resolve()) in w2._recent()
    w2.open_default()
    assert w2.ledger.path.resolve() == demo_path.resolve()
    w2.close()


def test_first_run_creates_an_empty_ledger_and_welcomes(window, tmp_path):
    window.open_default()
    assert window.ledger.path == tmp_path / "data" / "我的整改台账.db"
    assert window.right.currentWidget() is window.welcome
    assert window.welcome.buttons["demo"].isEnabled()
    window.welcome.buttons["demo"].click()
    assert window.ledger.path.name == "示例台账.db"
    assert window.model.item_count() == 29


def test_qt_own_dialogs_speak_chinese(window):
    """Qt's buttons and file dialogs use the qtbase_zh_CN translation that ships with PySide6."""
    box = QMessageBox(
        QMessageBox.Icon.Question, "t", "x", QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
    )
    assert sorted(b.text() for b in box.buttons()) == ["否(&N)", "是(&Y)"]
    assert window.menuBar().actions()[0].text() == "文件(&F)"


def test_file_actions_reach_their_modules(window, demo_path, monkeypatch):
    """Menu entries for files in and out call their module's function with the window (and argument)."""
    from rectify_desktop.ui import excel, printing, text_dialogs

    window.open_ledger(demo_path)
    calls = []
    monkeypatch.setattr(excel, "export_excel", lambda w: calls.append(("excel", w)))
    monkeypatch.setattr(printing, "export_pdf", lambda w: calls.append(("pdf", w)))
    monkeypatch.setattr(text_dialogs, "make_notice", lambda w, kind: calls.append((kind, w)))
    for name in ("export_excel", "export_pdf", "notice", "report"):
        window.actions[name].trigger()
    assert calls == [("excel", window), ("pdf", window), ("notice", window), ("report", window)]


def test_the_first_window_fits_the_screen_it_opens_on(window):
    """With no remembered geometry the window opens within the screen's free area (1400×860 was cut off on a
    1280×800 or 1366×768 screen: the 完成率 card lay beyond the right edge), centred on it."""
    free = window.screen().availableGeometry()
    frame = window.frameGeometry()
    assert window.width() <= free.width() and window.height() <= free.height(), (window.size(), free)
    assert free.contains(frame.topLeft()) or free.left() <= window.x(), (frame, free)
