"""Ledger settings through the door, and automatic backups: made, pruned, restored with the ledger intact."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from rectify_desktop.core import backup, settings, stats, storage
from rectify_desktop.core.ledger import Ledger
from rectify_desktop.core.models import ChangeLog, Item


def test_settings_defaults_set_undo_and_log(ledger):
    assert settings.get("immediate_days") == "30" and settings.get_int("due_soon_days") == 7
    cmd = settings.SetSettings({"unit_name": "临川县教育局", "immediate_days": "15"})
    ledger.apply(cmd)
    assert settings.get("unit_name") == "临川县教育局" and settings.get_int("immediate_days") == 15
    assert ChangeLog.select().where(ChangeLog.entity == "设置").count() == 2
    ledger.revert(cmd)
    assert settings.get("unit_name") == "" and settings.get("immediate_days") == "30"


def test_settings_refuse_bad_values():
    with pytest.raises(ValueError, match="整数"):
        settings.SetSettings({"due_soon_days": "七"})
    with pytest.raises(ValueError, match="之间"):
        settings.SetSettings({"immediate_days": "0"})


def _sha(p):
    return hashlib.sha256(p.read_bytes()).hexdigest()


def test_backups_made_pruned_and_restored(demo_path, tmp_path):
    folder = tmp_path / "备份"
    base = dt.datetime(2026, 11, 1, 9, 0, 0)
    for i in range(5):
        backup.make_backup(demo_path, folder, now=base + dt.timedelta(minutes=i))
    assert len(backup.list_backups(demo_path, folder)) == 5
    gone = backup.prune(demo_path, folder, keep=3)
    kept = backup.list_backups(demo_path, folder)
    assert len(gone) == 2 and [b.made.minute for b in kept] == [4, 3, 2]

    with Ledger.open(demo_path) as led:
        before = stats.compute(1).to_json()
        item = Item.select().first()
        from rectify_desktop.core import ops

        led.apply(ops.set_fields(Item, item.id, {"title": "备份之后的修改"}))
    chosen = kept[0].path
    chosen_sha = _sha(chosen)
    safety = backup.restore(demo_path, chosen, folder)
    assert _sha(chosen) == chosen_sha  # the backup itself is untouched
    with Ledger.open(demo_path, readonly=True):
        assert Item.get_by_id(item.id).title == item.title
        assert stats.compute(1).to_json() == before
        from rectify_desktop.core.verify import verify_open_ledger

        assert verify_open_ledger() == []
    # The state before the restore is kept, and can itself be restored.
    with Ledger.open(safety, readonly=True):
        assert Item.get_by_id(item.id).title == "备份之后的修改"
    assert "恢复前" in safety.name


def test_restore_refuses_a_non_ledger_and_a_locked_ledger(demo_path, tmp_path):
    folder = tmp_path / "备份"
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a ledger" * 20)
    before = _sha(demo_path)
    with pytest.raises(storage.LedgerError):
        backup.restore(demo_path, junk, folder)
    assert _sha(demo_path) == before
    good = backup.make_backup(demo_path, folder)
    with Ledger.open(demo_path), pytest.raises(storage.LockedError):
        backup.restore(demo_path, good, folder)


def test_backup_at_opening_copies_changes_and_keeps_at_most_keep(demo_path, tmp_path):
    from rectify_desktop.core import ops

    folder = tmp_path / "b"
    base = dt.datetime(2026, 11, 1, 9, 0, 0)
    for i in range(4):
        with Ledger.open(demo_path) as led:
            led.apply(ops.set_fields(Item, Item.select().first().id, {"title": f"第{i}次修改"}))
        out = backup.backup_at_opening(demo_path, folder, keep=2, now=base + dt.timedelta(minutes=i))
        assert out.made is not None and not out.error
    kept = backup.list_backups(demo_path, folder)
    assert len(kept) == 2 and kept[0].made.minute == 3  # the newest, and one spread back in time
    # Unchanged since its newest backup: no copy, nothing removed.
    out = backup.backup_at_opening(demo_path, folder, keep=2, now=base + dt.timedelta(minutes=9))
    assert out.unchanged and out.made is None and backup.list_backups(demo_path, folder) == kept
