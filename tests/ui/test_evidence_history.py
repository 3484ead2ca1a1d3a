"""Deleting an evidence file keeps its 新增 entry in the item's history panel (issue 12, point 13, second half).

Seen by a new user: after an evidence file was deleted, the item's history (the panel under its form) no longer
showed that it had ever been added. The change log now records the item (细化问题) with the rows of its
measures, evidence and write-offs, so they are found after the child is gone; a ledger written before (schema
version 2) is migrated, its existing rows given their item where the item can still be known.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox, QPushButton

from rectify_desktop.core import history, storage
from rectify_desktop.core.ledger import Ledger
from rectify_desktop.core.models import IN_PROGRESS, ChangeLog, Evidence, Item, Measure
from rectify_desktop.core.outline import ITEM


@pytest.fixture
def window(window, demo_path):
    assert window.open_ledger(demo_path)
    window.show_page("ledger")
    return window


@pytest.fixture
def yes(monkeypatch):
    asked: list[str] = []

    def question(_parent, _title, text, *a, **k):
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", question)
    return asked


def open_item(window) -> Item:
    item = Item.select().where(Item.status == IN_PROGRESS).order_by(Item.id).first()
    window.select(ITEM, item.id)
    assert window.panel.current_form.row_id == item.id
    return item


def history_lines(window) -> list[str]:
    panel = window.node_history
    panel.reload()
    return [panel.model.change_text(r) for r in panel.model.rows]


def delete_evidence(window, name: str) -> None:
    form = window.panel.current_form
    form.evidence.table.selectRow(form.evidence.ids.index(Evidence.get(Evidence.name == name).id))
    button = window.panel.findChild(QPushButton, "evidence.delete")
    button.click()


def test_deleted_evidence_keeps_its_added_entry_in_the_item_history(window, tmp_path, yes):
    item = open_item(window)
    scan = tmp_path / "整改情况报告.pdf"
    scan.write_bytes(b"%PDF-1.4 report\n")
    ids = window.panel.current_form.evidence.add_paths([scan])
    assert ids and Evidence.get_by_id(ids[0]).item_id == item.id
    before = history_lines(window)
    assert any(line.startswith("新增 佐证材料") and "整改情况报告.pdf" in line for line in before), before

    delete_evidence(window, "整改情况报告.pdf")
    assert yes and Evidence.get_or_none(Evidence.id == ids[0]) is None
    after = history_lines(window)
    # The 新增 is still there, named as it was, and the 删除 with it.
    assert any(line.startswith("新增 佐证材料") and "整改情况报告.pdf" in line for line in after), after
    assert any(line.startswith("删除 佐证材料") and "整改情况报告.pdf" in line for line in after), after
    # The log rows name the item, also the deletion's, written when the evidence was already gone.
    rows = list(ChangeLog.select().where((ChangeLog.entity == "佐证材料") & (ChangeLog.entity_id == ids[0])))
    assert {r.action for r in rows} == {"新增", "删除"} and {r.item_id for r in rows} == {item.id}

    # Undo brings the evidence back; its history keeps all three steps.
    window.panel.bridge.stack.undo()
    assert Evidence.get_or_none(Evidence.id == ids[0]) is not None
    assert sum("整改情况报告.pdf" in line for line in history_lines(window)) >= 3


def test_a_deleted_measure_keeps_its_history_too(window, yes):
    item = open_item(window)
    measure = Measure.select().where(Measure.item == item.id).order_by(Measure.position).first()
    from rectify_desktop.core import ops

    assert window.panel.bridge.push(ops.set_fields(Measure, measure.id, {"text": "召开专题会议研究部署"}))
    assert window.panel.bridge.push(ops.delete(Measure, measure.id))
    lines = history_lines(window)
    assert any("召开专题会议研究部署" in line and "内容" in line for line in lines), lines
    assert any(line.startswith("删除 整改措施") for line in lines), lines


def make_v2(path: Path, demo: Path) -> None:
    """A ledger as version 2 wrote it: the change log without the item column and its index."""
    path.write_bytes(demo.read_bytes())
    con = sqlite3.connect(path)
    con.execute("DROP INDEX change_log_item_id")
    con.execute("ALTER TABLE change_log DROP COLUMN item_id")
    con.execute("PRAGMA user_version = 2")
    con.commit()
    con.close()


def test_a_version_2_ledger_opens_and_its_old_rows_find_their_item(tmp_path, demo_path):
    led = Ledger.open(demo_path)
    item = Item.select().where(Item.status == IN_PROGRESS).order_by(Item.id).first()
    # Rows an older program wrote: an evidence added, then one of its fields changed.
    from rectify_desktop.core import ops
    from rectify_desktop.core.commands import Insert

    add = Insert(Evidence, {"item": item.id, "name": "旧佐证.pdf"})
    led.apply(add)
    led.apply(ops.set_fields(Evidence, add.row_id, {"doc_number": "临教党〔2021〕3号"}))
    evidence_id = add.row_id
    led.close()
    old = tmp_path / "旧台账.db"
    make_v2(old, demo_path)
    assert storage.inspect_file(old).user_version == 2

    led = Ledger.open(old)
    try:
        assert led.migrated_backup is not None and led.migrated_backup.exists()
        assert storage.schema_problems(led_db()) == []
        rows = list(ChangeLog.select().where((ChangeLog.entity == "佐证材料") & (ChangeLog.entity_id == evidence_id)))
        assert rows and {r.item_id for r in rows} == {item.id}  # filled in by the migration
        led.apply(ops.delete(Evidence, evidence_id))
        actions = [r.action for r in history.node_log("item", item.id) if r.entity == "佐证材料"]
        assert actions[:3] == ["删除", "修改", "新增"]
    finally:
        led.close()


def led_db():
    from rectify_desktop.core.models import db

    return db


def test_a_version_2_ledger_opens_read_only_from_a_migrated_copy(tmp_path, demo_path):
    """Where it cannot be written (a write-protected stick), a ledger of version 2 still opens, read-only:
    a migrated copy is read, the file itself stays as it was."""
    (tmp_path / "u盘").mkdir()
    old = tmp_path / "u盘" / "旧台账.db"
    make_v2(old, demo_path)
    before = old.read_bytes()
    led = Ledger.open(old, readonly=True)
    try:
        assert led.readonly and "旧版本（版本 2）" in led.readonly_reason
        item = Item.select().order_by(Item.id).first()
        assert history.node_log("item", item.id) is not None
        assert Item.select().count() > 0
    finally:
        led.close()
    assert old.read_bytes() == before and storage.inspect_file(old).user_version == 2
    assert sorted(p.name for p in old.parent.iterdir()) == ["旧台账.db"]


def test_an_undone_writeoff_step_keeps_its_item_in_the_log(demo_ledger):
    """A write-off step undone is gone when its 撤销 row is written: the item is found from the log's earlier
    row of the same step; so is a measure inserted and undone, from the command's changes."""
    import datetime as dt

    from rectify_desktop.core import ops
    from rectify_desktop.core.models import DONE, WriteOff

    done = Item.select().where(Item.status == DONE).order_by(Item.id)
    item = next(i for i in done if not WriteOff.select().where(WriteOff.item == i.id).exists())
    had = history.node_log("item", item.id)  # the demo's own history of the item (core.demo)
    step = ops.write_off(item.id, "申请", "王芳", dt.date(2026, 3, 2))
    demo_ledger.apply(step)
    demo_ledger.revert(step)
    rows = list(ChangeLog.select().where(ChangeLog.entity == "销号").order_by(ChangeLog.id))
    assert [r.action for r in rows][-2:] == ["新增", "撤销新增"] and {r.item_id for r in rows[-2:]} == {item.id}
    add = ops.add_measure(item.id, "补充整改措施")
    demo_ledger.apply(add)
    demo_ledger.revert(add)
    rows = list(ChangeLog.select().where(ChangeLog.entity == "整改措施").order_by(ChangeLog.id))
    assert {r.item_id for r in rows[-2:]} == {item.id}
    shown = history.node_log("item", item.id)

    def added(entity: str) -> int:
        return sum(r.entity == entity for r in shown) - sum(r.entity == entity for r in had)

    assert added("整改措施") == 2 and added("销号") == 2
