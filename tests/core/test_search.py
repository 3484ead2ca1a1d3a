"""Search and filter over items, checked against the figures of stats on the same ledger."""

from __future__ import annotations

import datetime as dt

from rectify_desktop.core import ops, stats
from rectify_desktop.core.models import DONE, IN_PROGRESS, Item, Measure
from rectify_desktop.core.search import DUE_7, NOT_WRITTEN_OFF, OVERDUE, WRITTEN_OFF, Query, SearchIndex


def test_filters_agree_with_stats(demo_ledger):
    today = dt.date.today()
    index = SearchIndex(today)
    s = stats.compute(1, today)
    assert len(index.match(Query(status=DONE))) == s.status[DONE]
    assert len(index.match(Query(deadline=OVERDUE))) == s.overdue
    assert len(index.match(Query(deadline=DUE_7))) == s.due_7
    assert len(index.match(Query(writeoff=WRITTEN_OFF))) == s.written_off
    assert len(index.match(Query(writeoff=NOT_WRITTEN_OFF))) == s.items - s.written_off
    assert len(index.match(Query(inspection_id=1))) == s.items


def test_text_searches_every_field_and_combines(demo_ledger):
    item = Item.select().where(Item.status == IN_PROGRESS).first()
    measure = Measure.select().where(Measure.item == item).first()
    index = SearchIndex()
    word = measure.text[2:8]
    assert item.id in index.match(Query(text=word))
    assert item.id in index.match(Query(text=item.progress[:6]))
    # Two words must both occur; a status that excludes the item removes it.
    assert item.id in index.match(Query(text=f"{item.title[:4]} {item.person}"))
    assert item.id not in index.match(Query(text=word, status=DONE))
    assert index.match(Query(text="绝对不会出现的词语")) == set()


def test_department_filter_splits_joint_departments(demo_ledger):
    joint = Item.select().where(Item.department.contains("、")).first()
    name = joint.department.split("、")[1]
    index = SearchIndex()
    assert name in index.names("department")
    assert joint.id in index.match(Query(department=name))
    assert all(name in Item.get_by_id(i).department for i in index.match(Query(department=name)))


def test_a_new_index_sees_edits(demo_ledger):
    item = Item.select().first()
    demo_ledger.apply(ops.set_fields(Item, item.id, {"remarks": "独一无二的备注"}))
    assert SearchIndex().match(Query(text="独一无二")) == {item.id}


def test_item_ids_filter_shows_exactly_those_items_and_combines(demo_ledger):
    """整改成效's figures filter to the items behind them: an explicit list of ids, which other conditions narrow."""
    index = SearchIndex()
    done = {i.id for i in Item.select().where(Item.status == DONE)}
    others = {i.id for i in Item.select().where(Item.status != DONE)}
    chosen = (min(done), max(others), min(others))
    q = Query(item_ids=chosen)
    assert not q.is_empty()
    assert index.match(q) == set(chosen)
    assert index.match(Query(item_ids=chosen, status=DONE)) == {min(done)}
    assert index.match(Query(item_ids=chosen, inspection_id=2)) == set()
    # An id no longer in the ledger (the item deleted since) matches nothing rather than failing.
    assert index.match(Query(item_ids=(min(done), 999_999))) == {min(done)}


def test_an_empty_item_ids_list_is_a_filter_that_matches_nothing(demo_ledger):
    # A figure with no items behind it must not fall back to "no filter", which would show every item.
    q = Query(item_ids=())
    assert not q.is_empty()
    assert SearchIndex().match(q) == set()
    assert Query(item_ids=None).is_empty()
