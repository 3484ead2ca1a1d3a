"""设置, automatic backups, 恢复备份 and the newly-overdue notice, through the real window."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QMessageBox

from rectify_desktop.core import backup, ops, stats
from rectify_desktop.core import settings as ledger_settings
from rectify_desktop.core.models import Item


def test_settings_dialog_saves_through_the_door(window, demo_path):  # noqa: F811
    from rectify_desktop.ui.settings_dialog import SettingsDialog, backup_budget

    window.open_ledger(demo_path)
    dlg = SettingsDialog(window)
    # By default the backups may take a tenth of the backup disk's free space.
    assert dlg.budget_mode.currentData() == "percent" and dlg.budget_percent.value() == 10
    assert backup_budget(window.settings) == backup.Budget(percent=10)
    dlg.fields["unit_name"].setText("临川县教育局")
    dlg.fields["immediate_days"].setValue(10)
    dlg.keep.setValue(7)
    dlg.budget_mode.setCurrentIndex(dlg.budget_mode.findData("fixed"))
    assert dlg.budget_gb.isVisibleTo(dlg) and not dlg.budget_percent.isVisibleTo(dlg)
    dlg.budget_gb.setValue(2.5)
    dlg.save()
    window.apply_ledger_settings()
    assert ledger_settings.get("unit_name") == "临川县教育局"
    assert ledger_settings.get_int("immediate_days") == 10 and window.model.immediate_days == 10
    assert int(window.settings.value("backup/keep")) == 7
    assert backup_budget(window.settings) == backup.Budget(fixed=int(2.5 * (1 << 30)))
    assert SettingsDialog(window).budget_gb.value() == 2.5  # shown again as saved
    window.actions["undo"].trigger()
    window.apply_ledger_settings()
    assert ledger_settings.get("unit_name") == "" and window.model.immediate_days == 30


def test_automatic_backup_and_restore(window, demo_path, tmp_path, monkeypatch, qtbot):  # noqa: F811
    from rectify_desktop.ui.settings_dialog import RestoreDialog, backup_folder

    window.open_ledger(demo_path)
    folder = backup_folder(window.settings)
    assert folder == tmp_path / "data" / "备份"
    window._backup_in_background(demo_path)
    qtbot.waitUntil(lambda: len(backup.list_backups(demo_path, folder)) == 1, timeout=10000)
    item = Item.select().first()
    window.bridge.push(ops.set_fields(Item, item.id, {"title": "恢复前的新标题"}))
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    dlg = RestoreDialog(window)
    assert dlg.list.count() == 1
    dlg.restore()
    assert window.ledger is not None and window.ledger.path == demo_path
    assert Item.get_by_id(item.id).title == item.title
    kept = backup.list_backups(demo_path, folder)
    assert [b.reason for b in kept] == ["恢复前", "自动"] or [b.reason for b in kept] == ["自动", "恢复前"]
    assert window.model.item_count() == 29


def test_notice_of_what_fell_overdue_since_last_opening(window, demo_path):  # noqa: F811
    window.open_ledger(demo_path)
    assert window.notice.isHidden()  # first opening on this computer: nothing to compare with
    since = dt.date.today() - dt.timedelta(days=200)
    key = window._opened_key()
    window.close_ledger()
    window.settings.setValue(key, since.isoformat())
    window.open_ledger(demo_path)
    late = stats.newly_overdue(since)
    assert late and not window.notice.isHidden()
    assert f"新增逾期未完成 {len(late)} 项" in window.notice.label.text()
    window.notice.show_button.click()
    assert window.search.matches is not None and len(window.search.matches) == stats.compute(1).overdue
    assert window.notice.isHidden()
