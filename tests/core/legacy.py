"""Builds ledger files as older versions of the program wrote them, for the migration tests.

Version 1 had every table of today's schema except `setting` and `meeting_item` (both added by version 2).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from peewee import SqliteDatabase

from rectify_desktop.core import storage
from rectify_desktop.core.models import (
    ALL_MODELS,
    IN_PROGRESS,
    Category,
    Finding,
    Inspection,
    Item,
    MeetingItem,
    Setting,
)

V1_MODELS = tuple(m for m in ALL_MODELS if m not in (Setting, MeetingItem))
V1_NEW_TABLES = ("setting", "meeting_item")


@dataclass(frozen=True)
class LegacyData:
    inspection_id: int
    category_id: int
    finding_id: int
    item_id: int
    inspection_title: str = "县委第一巡察组反馈意见整改台账"
    category_title: str = "落实全面从严治党主体责任不够到位"
    finding_title: str = "党组会议研究部署不够"
    item_title: str = "专题研究整改工作次数偏少"


def make_v1_ledger(path: Path) -> LegacyData:
    """Writes a version-1 ledger at `path` with one inspection, category, finding and item."""
    assert not path.exists()
    old = SqliteDatabase(str(path), pragmas={"foreign_keys": 1})
    titles = LegacyData(0, 0, 0, 0)
    with old.bind_ctx(V1_MODELS):
        old.connect()
        with old.atomic():
            old.create_tables(V1_MODELS)
            old.execute_sql(f"PRAGMA application_id = {storage.APPLICATION_ID}")
            old.execute_sql("PRAGMA user_version = 1")
            insp = Inspection.create(title=titles.inspection_title, feedback_date=dt.date(2021, 4, 10))
            cat = Category.create(inspection=insp, title=titles.category_title)
            fnd = Finding.create(inspection=insp, category=cat, number=1, title=titles.finding_title)
            item = Item.create(finding=fnd, number=1, title=titles.item_title, status=IN_PROGRESS)
        # Version 1 files were WAL files too.
        old.execute_sql("PRAGMA journal_mode = wal")
        old.close()
    return LegacyData(int(insp.id), int(cat.id), int(fnd.id), int(item.id))
