"""An imported inspection goes in through the one door, whole or not at all, and undo takes it out."""

from __future__ import annotations

import datetime as dt

import pytest

from rectify_desktop.core import stats
from rectify_desktop.core.importing import (
    AddInspection,
    ImportedCategory,
    ImportedFinding,
    ImportedInspection,
    ImportedItem,
    ImportedMeasure,
)
from rectify_desktop.core.models import Category, Finding, Inspection, Item, Measure


def sample() -> ImportedInspection:
    return ImportedInspection(
        title="导入测试台账",
        categories=[
            ImportedCategory(
                "方面一",
                findings=[
                    ImportedFinding(
                        "问题甲",
                        number=3,
                        items=[
                            ImportedItem(
                                "细化一",
                                deadline="2021年6月30日",
                                status="已完成",
                                measures=[ImportedMeasure("措施一"), ImportedMeasure("措施二", True)],
                            ),
                            ImportedItem("细化二", number=2, deadline="立行立改", status="正在推进"),
                        ],
                    ),
                    ImportedFinding("问题乙", number=3, items=[ImportedItem("问题乙", deadline="6月底前")]),
                ],
            )
        ],
    )


def test_add_inspection_numbers_and_undo(ledger):
    cmd = AddInspection(sample())
    ledger.apply(cmd)
    assert Inspection.get_by_id(cmd.inspection_id).title == "导入测试台账"
    assert [f.number for f in Finding.select().order_by(Finding.position)] == [3, 1]
    items = list(Item.select().order_by(Item.finding, Item.position))
    assert [i.number for i in items] == [1, 2, 1]
    assert items[0].deadline_date == dt.date(2021, 6, 30) and items[0].deadline_text == ""
    assert items[1].deadline_text == "立行立改" and items[1].deadline_date is None
    assert Measure.select().count() == 2
    assert stats.compute(cmd.inspection_id).items == 3
    ledger.revert(cmd)
    assert Inspection.select().count() == Category.select().count() == Item.select().count() == 0
    ledger.apply(cmd)
    assert Item.select().count() == 3 and Inspection.get_by_id(cmd.inspection_id)


def test_failed_import_leaves_nothing(ledger):
    data = sample()
    data.categories[0].findings[1].items[0].measures = [None]  # type: ignore[list-item]
    with pytest.raises(AttributeError):
        ledger.apply(AddInspection(data))
    assert Inspection.select().count() == Item.select().count() == 0


def test_json_summary():
    out = sample().to_json()
    assert (out["categories"], out["findings"], out["items"], out["measures"]) == (1, 2, 3, 2)
    assert out["status"]["已完成"] == 1 and out["warnings"] == []
