"""The demo ledger (示例台账): a realistic inspection, dated so that it is always half-way through.

The feedback date falls 150 days before the day the demo is made, so some items are always overdue, some
due soon, and the figures look like those of a real rectification at its midpoint.
"""

from __future__ import annotations

import calendar
import datetime as dt
import os
from pathlib import Path
from typing import Any

from rectify_desktop.core import demo_data
from rectify_desktop.core.ledger import Ledger
from rectify_desktop.core.models import (
    Category,
    ChangeLog,
    Finding,
    Inspection,
    Institution,
    InstitutionItem,
    Item,
    Measure,
    Meeting,
    MeetingItem,
    WriteOff,
    db,
)
from rectify_desktop.core.storage import LedgerError

FEEDBACK_DAYS_AGO = 150


def _month_end_after(start: dt.date, months: int) -> dt.date:
    y, m = divmod(start.month - 1 + months, 12)
    year, month = start.year + y, m + 1
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _deadline(spec: Any, feedback: dt.date) -> tuple[dt.date | None, str]:
    if isinstance(spec, int):
        return feedback + dt.timedelta(days=spec), ""
    if isinstance(spec, (tuple, list)) and spec and spec[0] == "month_end":
        end = _month_end_after(feedback, int(spec[1]))
        return None, f"{end.year}年{end.month}月底前"
    return None, str(spec)


def fill_demo(today: dt.date | None = None) -> int:
    """Writes the demo inspection into the open ledger, in one transaction; returns its id."""
    today = today or dt.date.today()
    feedback = today - dt.timedelta(days=FEEDBACK_DAYS_AGO)

    def day(offset: int | None) -> dt.date | None:
        return None if offset is None else feedback + dt.timedelta(days=offset)

    info = demo_data.INSPECTION
    items_by_number: dict[tuple[int, int], int] = {}
    with db.atomic():
        insp = Inspection.create(
            kind=info["kind"],
            title=info["title"],
            inspecting_body=info["inspecting_body"],
            inspected_unit=info["inspected_unit"],
            period_start=day(int(info["period_start"])),  # type: ignore[call-overload]
            period_end=day(int(info["period_end"])),  # type: ignore[call-overload]
            feedback_date=feedback,
            notes=info["notes"],
        )
        number = 0
        for cpos, cat in enumerate(demo_data.CATEGORIES):
            c = Category.create(inspection=insp, position=cpos, title=cat["title"])
            for fpos, fnd in enumerate(cat["findings"]):  # type: ignore[arg-type]
                number += 1
                f = Finding.create(
                    inspection=insp,
                    category=c,
                    number=number,
                    position=fpos,
                    title=fnd["title"],
                    description=fnd.get("description", ""),
                )
                for ipos, it in enumerate(fnd["items"]):
                    ddate, dtext = _deadline(it["deadline"], feedback)
                    i = Item.create(
                        finding=f,
                        number=ipos + 1,
                        position=ipos,
                        title=it["title"],
                        description=it.get("description", ""),
                        leader=it.get("leader", ""),
                        department=it.get("department", ""),
                        person=it.get("person", ""),
                        deadline_date=ddate,
                        deadline_text=dtext,
                        status=it["status"],
                        completed_date=day(it.get("completed")),
                        progress=it.get("progress", ""),
                        remarks=it.get("remarks", ""),
                    )
                    items_by_number[(number, ipos + 1)] = i.id
                    for mpos, (text, done) in enumerate(it.get("measures", [])):
                        Measure.create(item=i, position=mpos, text=text, done=done is not None, done_date=day(done))
                    for action, who, offset, opinion in it.get("writeoff", []):
                        WriteOff.create(item=i, action=action, who=who, date=day(offset), opinion=opinion)
        for pos, (kind, offset, topic) in enumerate(demo_data.MEETINGS):
            m = Meeting.create(inspection=insp, position=pos, kind=kind, date=day(offset), topic=topic)
            if pos == 0:
                for item_id in list(items_by_number.values())[:3]:
                    MeetingItem.create(meeting=m, item=item_id)
        for pos, (title, doc_number, offset, links) in enumerate(demo_data.INSTITUTIONS):
            made = feedback + dt.timedelta(days=offset)
            # The data's document numbers are written for 2026; keep them in the year the demo is dated.
            doc_number = doc_number.replace("〔2026〕", f"〔{made.year}〕")
            inst = Institution.create(inspection=insp, position=pos, title=title, doc_number=doc_number, date=made)
            for key in links:
                if tuple(key) in items_by_number:
                    InstitutionItem.create(institution=inst, item=items_by_number[tuple(key)])
        ChangeLog.create(action="新增", entity="巡察", entity_id=insp.id, summary="创建示例台账", user="整改台账")
    return int(insp.id)


def make_demo(path: str | os.PathLike[str], today: dt.date | None = None) -> Path:
    """Writes a new demo ledger file at `path` (which must not exist)."""
    p = Path(path)
    if p.exists():
        raise LedgerError(f"文件已存在：{p}")
    # Made under another name and renamed when whole, so that a failure leaves no half-made ledger.
    tmp = p.with_name(p.name + ".making")
    tmp.unlink(missing_ok=True)
    ledger = Ledger.create(tmp)
    try:
        fill_demo(today)
    except BaseException:
        ledger.close()
        tmp.unlink(missing_ok=True)
        raise
    ledger.close()
    os.replace(tmp, p)
    return p
