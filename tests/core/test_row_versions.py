"""Schema version 6: every row the clerk edits carries a version (版本号), raised by each edit, so that an edit
made on what someone else changed since is refused and shown rather than overwriting it (issue 18)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from rectify_desktop.core import ops, storage, verify
from rectify_desktop.core.commands import ConflictError, SetFields, UndoConflictError
from rectify_desktop.core.ledger import Ledger
from rectify_desktop.core.models import VERSIONED, Finding, Item, db


def _tree(led: Ledger) -> int:
    insp = led.apply(ops.add_inspection("县委第一巡察组"))[0].id
    cat = led.apply(ops.add_category(insp, "党的建设方面"))[0].id
    fid = led.apply(ops.add_finding(cat, "学习不深入"))[0].id
    return int(led.apply(ops.add_item(fid, "理论学习流于形式"))[0].id)


def test_a_version_5_ledger_is_migrated_and_every_row_starts_at_version_1(tmp_path: Path) -> None:
    p = tmp_path / "台账.db"
    led = Ledger.create(p)
    item = _tree(led)
    led.close()
    con = sqlite3.connect(p)
    for model in VERSIONED:
        con.execute(f'ALTER TABLE "{model._meta.table_name}" DROP COLUMN row_version')
    con.execute("DROP INDEX change_log_batch")
    con.execute("PRAGMA user_version = 5")
    con.commit()
    con.close()
    led = Ledger.open(p)
    try:
        assert led.migrated_backup is not None and "升级前备份-v5-" in led.migrated_backup.name
        assert db.execute_sql("PRAGMA user_version").fetchone()[0] == 6
        assert Item.get_by_id(item).row_version == 1
        assert storage.schema_problems(db) == [] and verify.verify_open_ledger() == []
        indexes = {r[0] for r in db.execute_sql("SELECT name FROM sqlite_master WHERE type = 'index'").fetchall()}
        assert "change_log_batch" in indexes  # the next batch number is one look, not a scan of the log
        led.apply(ops.set_fields(Item, item, {"progress": "已学习"}))
        assert Item.get_by_id(item).row_version == 2
    finally:
        led.close()
    # Opened again: the migrated tables (their version column last) are still the program's own.
    with Ledger.open(p) as again:
        assert again.warnings == []


def test_each_edit_raises_the_version_and_undo_raises_it_again(ledger: Ledger) -> None:
    item = _tree(ledger)
    assert Item.get_by_id(item).row_version == 1
    cmd = ops.set_fields(Item, item, {"progress": "第一稿"})
    ledger.apply(cmd)
    assert Item.get_by_id(item).row_version == 2
    ledger.revert(cmd)
    row = Item.get_by_id(item)
    assert row.progress == "" and row.row_version == 3


def test_an_edit_on_a_stale_version_of_the_same_field_is_refused_with_both_values(ledger: Ledger) -> None:
    item = _tree(ledger)
    seen = Item.get_by_id(item)  # what one window shows
    ledger.apply(SetFields(Item, item, {"progress": "对方写的"}))  # someone else, meanwhile
    mine = SetFields(Item, item, {"progress": "我写的"}, seen=seen)
    with pytest.raises(ConflictError) as err:
        ledger.apply(mine)
    conflict = err.value
    assert conflict.fields == {"progress": ("", "我写的", "对方写的")}
    assert "整改进展" in str(conflict) and "对方写的" in str(conflict)
    assert Item.get_by_id(item).progress == "对方写的"  # nothing overwritten


def test_a_stale_edit_of_another_field_merges(ledger: Ledger) -> None:
    item = _tree(ledger)
    seen = Item.get_by_id(item)
    ledger.apply(SetFields(Item, item, {"progress": "对方写的"}))
    ledger.apply(SetFields(Item, item, {"remarks": "我的备注"}, seen=seen))
    row = Item.get_by_id(item)
    assert (row.progress, row.remarks, row.row_version) == ("对方写的", "我的备注", 3)


def test_the_same_value_written_by_both_is_no_conflict(ledger: Ledger) -> None:
    item = _tree(ledger)
    seen = Item.get_by_id(item)
    ledger.apply(SetFields(Item, item, {"status": "正在推进"}))
    ledger.apply(SetFields(Item, item, {"status": "正在推进"}, seen=seen))
    assert Item.get_by_id(item).status == "正在推进"


def test_an_edit_of_a_row_deleted_meanwhile_is_refused(ledger: Ledger) -> None:
    item = _tree(ledger)
    seen = Item.get_by_id(item)
    ledger.apply(ops.delete(Item, item))
    with pytest.raises(ConflictError) as err:
        ledger.apply(SetFields(Item, item, {"progress": "x"}, seen=seen))
    assert err.value.gone and "已被删除" in str(err.value)


def test_undo_refuses_when_someone_changed_the_field_since(ledger: Ledger) -> None:
    item = _tree(ledger)
    mine = SetFields(Item, item, {"progress": "我写的"})
    ledger.apply(mine)
    ledger.apply(SetFields(Item, item, {"progress": "对方后来改的"}))
    with pytest.raises(UndoConflictError) as err:
        ledger.revert(mine)
    assert "对方后来改的" in str(err.value) and "撤销" in str(err.value)
    assert Item.get_by_id(item).progress == "对方后来改的"


def test_undo_of_an_edit_nobody_touched_since_works(ledger: Ledger) -> None:
    item = _tree(ledger)
    mine = SetFields(Item, item, {"progress": "我写的"})
    ledger.apply(mine)
    ledger.apply(SetFields(Item, item, {"remarks": "别人的备注"}))
    ledger.revert(mine)
    assert Item.get_by_id(item).progress == "" and Item.get_by_id(item).remarks == "别人的备注"


def test_findings_carry_versions_too(ledger: Ledger) -> None:
    item = _tree(ledger)
    fid = Item.get_by_id(item).finding_id
    ledger.apply(ops.set_fields(Finding, fid, {"title": "新标题"}))
    assert Finding.get_by_id(fid).row_version == 2


def test_undo_of_an_insertion_refuses_when_someone_wrote_in_it_or_under_it(ledger: Ledger) -> None:
    item = _tree(ledger)
    fid = Item.get_by_id(item).finding_id
    mine = ops.add_item(fid, "我新增的")
    new = int(ledger.apply(mine)[0].id)
    ledger.apply(SetFields(Item, new, {"progress": "别人写的进展"}))  # as another window would
    with pytest.raises(UndoConflictError, match="不会删除他人的内容"):
        ledger.revert(mine)
    assert Item.get_by_id(new).progress == "别人写的进展"
    mine2 = ops.add_item(fid, "又一个")
    new2 = int(ledger.apply(mine2)[0].id)
    ledger.apply(ops.add_measure(new2, "别人加的措施"))
    with pytest.raises(UndoConflictError, match="添加了 1 条内容"):
        ledger.revert(mine2)
    # One's own edits, undone last-first, leave the insertion undoable.
    mine3 = ops.add_item(fid, "第三个")
    new3 = int(ledger.apply(mine3)[0].id)
    edit = ops.set_fields(Item, new3, {"title": "第三个（改）"})
    ledger.apply(edit)
    ledger.revert(edit)
    ledger.revert(mine3)
    assert Item.get_or_none(Item.id == new3) is None


def test_a_conflict_names_who_changed_that_field(ledger: Ledger) -> None:
    item = _tree(ledger)
    seen = Item.get_by_id(item)
    ledger.user = "乙（yi@PC-2）"  # as another window writes
    ledger.apply(SetFields(Item, item, {"progress": "乙写的进展"}))
    ledger.user = "丙（bing@PC-3）"
    ledger.apply(SetFields(Item, item, {"remarks": "丙写的备注"}))
    ledger.user = "甲（jia@PC-1）"
    with pytest.raises(ConflictError) as err:
        ledger.apply(SetFields(Item, item, {"progress": "甲写的进展"}, seen=seen))
    assert err.value.who == "乙（yi@PC-2）" and "乙（yi@PC-2）" in str(err.value)


def test_setting_done_with_open_measures_still_refuses_a_status_changed_since(ledger: Ledger) -> None:
    from rectify_desktop.core import consistency

    item = _tree(ledger)
    ledger.apply(ops.add_measure(item, "召开专题会议"))
    seen = Item.get_by_id(item)
    ledger.apply(SetFields(Item, item, {"status": "长期坚持"}))  # another window, meanwhile
    things = consistency.open_things(item)
    with pytest.raises(ConflictError):
        ledger.apply(consistency.complete_item(item, things, consistency.TICK, seen=seen))
    assert Item.get_by_id(item).status == "长期坚持"
