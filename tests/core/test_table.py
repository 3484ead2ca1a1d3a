"""The ledger as one table: the rows the Excel export, the printout and the lists share."""

from __future__ import annotations

from rectify_desktop.core.models import DONE, Category, Finding, Item
from rectify_desktop.core.table import COLUMNS, KEYS, build_table


def test_demo_table_rows_spans_and_cells(demo_ledger):
    table = build_table(1)
    assert len(COLUMNS) == len(KEYS) == 14
    assert len(table.rows) == Item.select().count() == 29
    assert [r.cells["seq"] for r in table.rows] == [str(i) for i in range(1, 30)]
    cats = table.spans("category")
    assert len(cats) == Category.select().count()
    assert cats[0].first == 0 and cats[-1].last == 28
    assert sum(s.last - s.first + 1 for s in table.spans("finding")) == 29
    assert len(table.spans("finding")) == Finding.select().count()
    first = table.rows[0].cells
    assert first["category"].startswith("（一）") and first["finding"].startswith("1.")
    assert first["item"].startswith("（1）")
    assert table.title.endswith("整改落实台账")
    multi = next(r for r in table.rows if r.cells["measures"].count("\n") >= 1)
    assert multi.cells["measures"].startswith("一是") and "；\n二是" in multi.cells["measures"]
    done = [r for r in table.rows if r.status == DONE]
    assert all(r.cells["status"].startswith("已完成") for r in done)
    assert any(r.cells["writeoff"].startswith("已销号（") for r in table.rows)
    assert any(r.cells["writeoff"] == "待审核" for r in table.rows)
    assert any(r.overdue for r in table.rows)


def test_filtered_table_is_renumbered_and_spans_follow(demo_ledger):
    table = build_table(1, keep=lambda r: r.status != DONE)
    assert len(table.rows) == Item.select().where(Item.status != DONE).count()
    assert [r.cells["seq"] for r in table.rows] == [str(i) for i in range(1, len(table.rows) + 1)]
    assert sum(s.last - s.first + 1 for s in table.spans("finding")) == len(table.rows)


def test_immediate_days_come_from_the_ledgers_settings(demo_ledger):
    """立行立改 counts the period the ledger's settings give (台账设置), in the Excel export and the printout as in the
    window's lists; they called build_table without it and counted the default 30 days."""
    from rectify_desktop.core import ops, settings
    from rectify_desktop.core.models import IN_PROGRESS

    iid = demo_ledger.inspections()[0].id
    from rectify_desktop.core.models import WriteOff

    written_off = {w.item_id for w in WriteOff.select()}
    item = next(i for i in Item.select().where(Item.deadline_text == "立行立改") if i.id not in written_off)
    demo_ledger.apply(ops.set_fields(Item, item.id, {"status": IN_PROGRESS, "completed_date": None}))
    row = next(r for r in build_table(iid).rows if r.item_id == item.id)
    assert row.overdue  # 30 days after a feedback about 150 days ago
    demo_ledger.apply(settings.SetSettings({"immediate_days": "365"}))
    row = next(r for r in build_table(iid).rows if r.item_id == item.id)
    assert not row.overdue
