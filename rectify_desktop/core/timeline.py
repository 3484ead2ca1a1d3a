"""整改进度走势: completed, in progress and overdue at the end of each day on which anything changed, for the
总览's small chart, in one pass over the change log.

core.asof.figures_as_of rebuilds one date by folding the log after it (asof._After). Asked for every day, it
would read the log once per day; here the log is read once and folded backwards, newest day first, so that
after the rows of the days later than D the fold holds exactly what figures_as_of builds for D. Each item's
share of the figures (its status and deadline at D, or nothing when it did not exist then) is kept and worked
out again only for the items the day's rows name; a row that adds, deletes or moves an inspection, a category
or a finding (rare) has every item worked out again. Overdue depends on the day itself, not only on the log, so
the not-done items are kept counted by deadline and summed per day.

The figures agree with figures_as_of for every day given (tests/core/test_asof.py checks it day by day). No Qt.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any, NamedTuple

from rectify_desktop.core import asof, rules
from rectify_desktop.core.asof import (
    _CATEGORY,
    _EDITS,
    _ENDS,
    _FINDING,
    _INSPECTION,
    _ITEM,
    _MOVES,
    _STARTS,
    _TABLES,
    AsOfError,
    _After,
    _decode,
    _item_field,
    _marks,
    _swept_items,
)
from rectify_desktop.core.models import DONE, IN_PROGRESS, NOT_STARTED, ONGOING, STATUSES, Inspection, db
from rectify_desktop.core.stats import DeadlineContext, ItemRow, as_date

# The fields the three figures depend on, by the change log's names: the status and the deadline.
_FIELDS = ("完成情况", asof._DEADLINE)
_STRUCTURE = (_INSPECTION, _CATEGORY, _FINDING)
_VALUE_NAMES = ("status", "deadline_date", "deadline_text")


class TimelinePoint(NamedTuple):
    """The figures at the end of `day`: 已完成, 正在推进, 已逾期 (as core.stats counts them)."""

    day: dt.date
    done: int
    in_progress: int
    overdue: int


def _start_day(inspection_id: int) -> dt.date | None:
    """The first day figures_as_of answers for (asof._check_covered): the inspection's coming into the
    ledger, else the log's first day; None for a ledger without a log."""
    start = asof.log_start(inspection_id)
    if start is None:
        return None
    first_day, came = start
    return came or first_day


def _share(status: str, deadline: dt.date | None) -> tuple[str, dt.date | None]:
    """An item's share of the figures, counted as figures_as_of counts it: an unknown status as 未启动, and
    the deadline only while the item is still to be done (rules.days_left)."""
    return (status if status in STATUSES else NOT_STARTED, None if status in (DONE, ONGOING) else deadline)


class _Fold:
    """asof._After built backwards: each key keeps the row of the smallest id among those folded so far,
    which is what _read_after keeps among the rows after the date."""

    def __init__(self, present: dict[str, set[int]]) -> None:
        self.after = _After()
        self.present = present
        self.event_id: dict[tuple[str, int], int] = {}
        self.before_id: dict[tuple[int, str], int] = {}
        # The edits of items gone now, in log order: their values at a date come from the log alone.
        self.gone_edits: dict[int, list[tuple[int, str, str, Any]]] = {}

    def add(
        self, rid: int, day: str, action: str, entity: str, row_id: int, field_name: str, old: Any, new: Any
    ) -> None:
        after = self.after
        if row_id not in self.present[entity]:
            after.touched.setdefault(entity, set()).add(row_id)
        key = (entity, row_id)
        if action in _MOVES:
            after.moved.add(key)
        elif action in _STARTS or action in _ENDS:
            if rid < self.event_id.get(key, rid + 1):
                self.event_id[key] = rid
                after.first_event[key] = action
            if action in _ENDS:
                after.removed[key] = (None, "", "")  # asof._swept_items asks only which rows
        elif action in _EDITS and entity == _ITEM:
            name = _item_field(field_name or "", old, new)
            if name is not None and rid < self.before_id.get((row_id, name), rid + 1):
                self.before_id[(row_id, name)] = rid
                after.before[(row_id, name)] = _decode(name, old)


def timeline(
    inspection_id: int,
    today: dt.date | None = None,
    immediate_days: int = rules.DEFAULT_IMMEDIATE_DAYS,
) -> list[TimelinePoint]:
    """The figures at the end of each day on which the figures could change by the log — an item's status or
    deadline changed, a row of the tree came, went or moved — and of today, oldest first, from the day the
    inspection came into the ledger. A day with only other edits (整改进展, 备注) gives no point: its overdue
    count is the line between its neighbours'."""
    today = today or dt.date.today()
    if Inspection.get_or_none(Inspection.id == inspection_id) is None:
        raise AsOfError(f"台账中没有编号为 {inspection_id} 的巡察")
    start = _start_day(inspection_id)
    if start is None or start > today:
        s = asof.figures_as_of(inspection_id, today, today, immediate_days).stats
        return [TimelinePoint(today, s.done, s.status[IN_PROGRESS], s.overdue)]

    # The tree now.
    cats = {cid for (cid,) in db.execute_sql("SELECT id FROM category WHERE inspection_id = ?", [inspection_id])}
    finds = dict(db.execute_sql("SELECT id, category_id FROM finding WHERE inspection_id = ?", [inspection_id]))
    now: dict[int, tuple[int, str, Any, str]] = {}
    for iid, fid, status, ddate, dtext in db.execute_sql(
        "SELECT i.id, i.finding_id, i.status, i.deadline_date, i.deadline_text FROM item i"
        " JOIN finding f ON f.id = i.finding_id WHERE f.inspection_id = ?",
        [inspection_id],
    ).fetchall():
        now[iid] = (fid, status or "", as_date(ddate), dtext or "")
    present = {entity: {i for (i,) in db.execute_sql(f"SELECT id FROM {table}")} for entity, table in _TABLES.items()}

    # The log, once: what comes and goes, what moves, each status and deadline change, and whatever is said of
    # rows gone now (as _read_after reads it; measures play no part in these figures).
    ents = (_INSPECTION, _CATEGORY, _FINDING, _ITEM)
    edits = tuple(sorted(_EDITS))
    absent = " ".join(
        f"WHEN '{name}' THEN (SELECT 1 FROM {table} t WHERE t.id = c.entity_id)"
        for name, table in _TABLES.items()
        if name in ents
    )
    # The day is cut from `at` here, not by SQL: a server's `at` is a timestamp, which substr does not take (it
    # comes back as the same ISO text as SQLite's). `entity || ''` keeps SQLite's planner off the index of
    # entity, as asof._read_after does.
    rows = [
        (r[0], r[1][:10], *r[2:])
        for r in db.execute_sql(
            "SELECT c.id, c.at, c.action, c.entity, c.entity_id, c.field, c.old, c.new FROM change_log c"
            f" WHERE (c.entity || '') IN ({_marks(ents)}) AND (c.action NOT IN ({_marks(edits)})"
            f" OR (c.entity = ? AND c.field IN ({_marks(_FIELDS)})) OR (CASE c.entity {absent} END) IS NULL)",
            [*ents, *edits, _ITEM, *_FIELDS],
        ).fetchall()
        if isinstance(r[4], int) and isinstance(r[1], str)
    ]
    rows.sort(key=lambda r: (r[1], r[0]), reverse=True)
    fold = _Fold(present)
    after = fold.after
    for rid, _day, action, entity, row_id, field_name, old, new in rows:
        if entity == _ITEM and action in _EDITS and row_id not in present[_ITEM]:
            name = _item_field(field_name or "", old, new)
            if name is not None:
                fold.gone_edits.setdefault(row_id, []).append((rid, _day, name, _decode(name, new)))
    for edits_of in fold.gone_edits.values():
        edits_of.sort()

    ctx = DeadlineContext(immediate_days)
    deadlines: dict[tuple[Any, str], dt.date | None] = {}

    def deadline_of(ddate: Any, dtext: str) -> dt.date | None:
        key = (ddate, dtext)
        if key not in deadlines:
            deadlines[key] = ctx.deadline(ItemRow(0, 0, 0, 0, "", "", ddate, dtext, inspection_id, ""))
        return deadlines[key]

    inspections = {i for (i,) in Inspection.select(Inspection.id).tuples()}
    share: dict[int, tuple[str, dt.date | None]] = {}  # item → (status, deadline if still to be done)
    by_status: Counter[str] = Counter()
    open_by_deadline: Counter[dt.date] = Counter()  # items still to be done, by deadline

    def count(iid: int, value: tuple[str, dt.date | None] | None) -> None:
        old = share.pop(iid, None)
        if old is not None:
            by_status[old[0]] -= 1
            if old[1] is not None:
                open_by_deadline[old[1]] -= 1
        if value is not None:
            share[iid] = value
            by_status[value[0]] += 1
            if value[1] is not None:
                open_by_deadline[value[1]] += 1

    def held_now(iid: int, insp_held: bool) -> tuple[str, dt.date | None] | None:
        fid, status, ddate, dtext = now[iid]
        if not (insp_held and after.held(_ITEM, iid, True)):
            return None
        if (_ITEM, iid) not in after.moved:
            cid = finds.get(fid)
            cat_held = cid in cats and after.held(_CATEGORY, cid, True)
            if not (after.held(_FINDING, fid, True) and (cat_held or (_FINDING, fid) in after.moved)):
                return None
        status = after.before.get((iid, "status"), status)
        ddate = after.before.get((iid, "deadline_date"), ddate)
        dtext = after.before.get((iid, "deadline_text"), dtext)
        return _share(status, deadline_of(ddate, dtext))

    def held_gone(iid: int, day: str) -> tuple[str, dt.date | None] | None:
        values: dict[str, Any] = {}
        for name in _VALUE_NAMES:
            if (iid, name) in after.before:
                values[name] = after.before[(iid, name)]
        for _rid, when, name, value in fold.gone_edits.get(iid, ()):
            if when <= day and (iid, name) not in after.before:
                values[name] = value  # the last change up to the date (asof._last_known)
        if "status" not in values:
            return None  # figures_as_of leaves it out and names it
        return _share(values["status"], deadline_of(values.get("deadline_date"), values.get("deadline_text") or ""))

    def inspections_at() -> set[int]:  # asof._inspections_at, without asking the ledger again
        gone = after.touched.get(_INSPECTION, set()) - inspections
        return {i for i in inspections if after.held(_INSPECTION, i, True)} | {
            i for i in gone if after.held(_INSPECTION, i, False)
        }

    first, last = start.isoformat(), today.isoformat()
    days = sorted({r[1] for r in rows if first <= r[1] <= last} | {last})
    points: list[TimelinePoint] = []
    at = 0  # rows folded so far: those of the days after the current one
    everything = True
    counted_gone: set[int] = set()
    for day_text in reversed(days):
        dirty: set[int] = set()
        while at < len(rows) and rows[at][1] > day_text:
            fold.add(*rows[at])
            entity, action, row_id = rows[at][3], rows[at][2], rows[at][4]
            if entity in _STRUCTURE or action in _MOVES:
                everything = True
            else:
                dirty.add(row_id)
            at += 1
        day = dt.date.fromisoformat(day_text)
        insp_held = after.held(_INSPECTION, inspection_id, True)
        for iid in now if everything else dirty & now.keys():
            count(iid, held_now(iid, insp_held))
        # Items gone now that stood at the day: named by the log after it, or swept away with their category
        # or finding (asof._swept_items); in a ledger of several inspections they are left out, as there.
        gone: set[int] = set()
        if inspections_at() == {inspection_id}:
            gone = {i for i in after.touched.get(_ITEM, set()) if after.held(_ITEM, i, False)}
            gone |= _swept_items(after, day)
        for iid in counted_gone - gone:
            count(iid, None)
        for iid in gone:
            if everything or iid in dirty or iid not in counted_gone:
                count(iid, held_gone(iid, day_text))
        counted_gone = gone
        everything = False
        overdue = sum(n for d, n in open_by_deadline.items() if d < day)
        points.append(TimelinePoint(day, by_status[DONE], by_status[IN_PROGRESS], overdue))
    points.reverse()
    return points
