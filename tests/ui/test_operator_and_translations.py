"""Issue 12, points 4 and 11: the change log names the clerk (经办人) beside the computer's account, and Qt's own
file dialog speaks Chinese."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QFileDialog, QLabel, QLineEdit, QTreeView

from rectify_desktop.core import ledger as ledger_module
from rectify_desktop.core.models import ChangeLog, Item

ACCOUNT = ledger_module.account_name()


@pytest.fixture(autouse=True)
def no_operator_left_behind():
    """The clerk's name is the process's (ledger.set_operator): no test leaves one for the next."""
    ledger_module.set_operator("")
    yield
    ledger_module.set_operator("")


def type_text(widget, text: str) -> None:
    """Types `text` key by key, as an input method delivers Chinese (QTest.keyClicks takes ASCII only)."""
    for ch in text:
        QTest.sendKeyEvent(QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, ch, Qt.KeyboardModifier.NoModifier)


def last_log_user() -> str:
    return ChangeLog.select().order_by(ChangeLog.id.desc()).first().user


# --- 4. the operator is a person ---------------------------------------------------------------------------


def test_clerk_name_from_settings_goes_into_the_change_log(window, demo_path, qtbot):
    """设置 → 经办人 张三: the next change is logged as 张三（account）, in the database and on the 修改记录 page."""
    from rectify_desktop.ui.settings_dialog import SettingsDialog

    assert window.open_ledger(demo_path)
    dlg = SettingsDialog(window)
    name = dlg.findChild(QLineEdit, "setting.operator")
    assert name is not None and name.text() == ""
    name.clear()
    type_text(name, "张三")
    # The ledger's 填报人 changes in the same step: that change is already the clerk's.
    type_text(dlg.fields["reporter"], "办公室")
    dlg.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
    assert window.settings.value("operator/name") == "张三"
    expected = f"张三（{ACCOUNT}）" if ACCOUNT != "张三" else "张三"
    assert last_log_user() == expected
    item = Item.select().order_by(Item.id).first()
    from rectify_desktop.core import ops

    window.bridge.push(ops.set_fields(Item, item.id, {"leader": "张副局长"}))
    assert last_log_user() == expected
    page = window.show_page("history")
    qtbot.waitUntil(page.isVisible)
    model = page.view.model()
    assert model.index(0, 1).data() == expected
    # Asked again, the dialog shows the name as stored.
    assert SettingsDialog(window).findChild(QLineEdit, "setting.operator").text() == "张三"


def test_a_ledger_opened_later_keeps_the_name(window, demo_path):
    ledger_module.set_operator("李四")
    assert window.open_ledger(demo_path)
    assert window.ledger.user == (f"李四（{ACCOUNT}）" if ACCOUNT != "李四" else "李四")


def test_without_a_name_the_account_alone(monkeypatch):
    monkeypatch.delenv("RECTIFY_DESKTOP_USER", raising=False)
    assert ledger_module.current_user() == ACCOUNT


def test_command_line_takes_the_name_from_the_environment(monkeypatch):
    monkeypatch.setenv("RECTIFY_DESKTOP_USER", "王五")
    assert ledger_module.current_user() == f"王五（{ACCOUNT}）"
    ledger_module.set_operator("张三")  # the window's choice wins over the environment
    assert ledger_module.current_user() == f"张三（{ACCOUNT}）"


def test_first_start_asks_the_name_once(tmp_path, monkeypatch, qtbot):
    """No name stored and not under test: a Chinese question before the window opens; never asked twice."""
    from rectify_desktop.ui import app as app_module
    from rectify_desktop.ui.settings_dialog import OperatorDialog

    app_module.make_app()
    monkeypatch.setenv("RECTIFY_DESKTOP_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.delenv("RECTIFY_DESKTOP_TEST")
    qs = app_module.open_settings()
    seen = []

    def answer():
        dlg = QApplication.activeModalWidget()
        assert isinstance(dlg, OperatorDialog)
        seen.append((dlg.windowTitle(), dlg.findChild(QLabel, "operator.prompt").text()))
        type_text(dlg.findChild(QLineEdit, "setting.operator"), "赵六")
        dlg.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()

    QTimer.singleShot(0, answer)
    assert app_module.setup_operator(qs) == "赵六"
    assert seen and seen[0][0] == "经办人"
    assert "修改记录" in seen[0][1]
    assert qs.value("operator/name") == "赵六"
    assert ledger_module.current_user() == f"赵六（{ACCOUNT}）"
    # A second start asks nothing.
    ledger_module.set_operator("")
    monkeypatch.setattr(OperatorDialog, "exec", lambda self: pytest.fail("asked twice"))
    assert app_module.setup_operator(app_module.open_settings()) == "赵六"
    assert ledger_module.current_user() == f"赵六（{ACCOUNT}）"


def test_first_start_left_empty_is_not_asked_again(tmp_path, monkeypatch, qtbot):
    from rectify_desktop.ui import app as app_module
    from rectify_desktop.ui.settings_dialog import OperatorDialog

    app_module.make_app()
    monkeypatch.setenv("RECTIFY_DESKTOP_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.delenv("RECTIFY_DESKTOP_TEST")
    QTimer.singleShot(0, lambda: QApplication.activeModalWidget().reject())
    assert app_module.setup_operator(app_module.open_settings()) == ""
    monkeypatch.setattr(OperatorDialog, "exec", lambda self: pytest.fail("asked twice"))
    assert app_module.setup_operator(app_module.open_settings()) == ""
    assert ledger_module.current_user() == ACCOUNT


def test_under_test_nothing_is_asked(tmp_path, monkeypatch, qtbot):
    from rectify_desktop.ui import app as app_module
    from rectify_desktop.ui.settings_dialog import OperatorDialog

    monkeypatch.setenv("RECTIFY_DESKTOP_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setattr(OperatorDialog, "exec", lambda self: pytest.fail("asked under test"))
    assert app_module.setup_operator(app_module.open_settings()) == ""


# --- 11. Qt's own dialogs in Chinese -----------------------------------------------------------------------


def test_qt_file_dialog_labels_are_chinese(window, tmp_path, qtbot):
    (tmp_path / "文件夹").mkdir()
    dlg = QFileDialog(window, "打开台账", str(tmp_path), "台账文件 (*.db)")
    dlg.setOption(QFileDialog.Option.DontUseNativeDialog)
    dlg.setViewMode(QFileDialog.ViewMode.Detail)
    qtbot.addWidget(dlg)
    dlg.show()
    assert dlg.findChild(QLabel, "lookInLabel").text() == "查找范围(&L)："
    assert dlg.findChild(QLabel, "fileTypeLabel").text() == "文件类型(&T)："
    assert dlg.findChild(QLabel, "fileNameLabel").text() == "文件名称(&N)："
    view = dlg.findChild(QTreeView, "treeView")
    model = view.model()
    qtbot.waitUntil(lambda: model.rowCount(view.rootIndex()) > 0)
    headers = [model.headerData(c, view.header().orientation()) for c in range(4)]
    assert headers == ["名称", "大小", "类型", "修改日期"]
    assert model.index(0, 2, view.rootIndex()).data() == "文件夹"


def test_qt_file_dialog_dates_are_chinese(tmp_path):
    """The date column of Qt's own file dialog follows the system locale, read when Qt starts: a fresh process."""
    (tmp_path / "文件夹").mkdir()
    script = textwrap.dedent(
        f"""
        import json, os
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        os.environ.pop("LC_ALL", None)
        os.environ["LANG"] = "C.UTF-8"
        os.environ.pop("LC_TIME", None)
        from PySide6.QtCore import QDateTime, QLocale, QThread
        from PySide6.QtWidgets import QFileDialog, QTreeView
        from rectify_desktop.ui.app import make_app
        app = make_app()
        dlg = QFileDialog(None, "x", {str(tmp_path)!r})
        dlg.setOption(QFileDialog.Option.DontUseNativeDialog)
        dlg.setViewMode(QFileDialog.ViewMode.Detail)
        dlg.show()
        view = dlg.findChild(QTreeView, "treeView")
        for _ in range(300):
            app.processEvents()
            if view.model().rowCount(view.rootIndex()):
                break
            QThread.msleep(10)
        shown = view.model().index(0, 3, view.rootIndex()).data()
        print(json.dumps({{"shown": shown, "env": os.environ.get("LC_TIME")}}))
        """
    )
    env = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LC_TIME")}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    year = str(dt.date.today().year)
    # Chinese short format: 2026/12/2 02:50 (English would be 12/2/26 2:50 AM); the variable is not left set
    # for programs the window starts.
    assert result["shown"].startswith(year + "/"), result
    assert result["env"] is None
