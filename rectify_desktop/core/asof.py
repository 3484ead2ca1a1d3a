"""截至: the ledger's figures and items as they stood at the end of a date, for the progress report (进展报告).

The change log (修改记录) holds every change made through the ledger's one door, with its time. The state at
the end of day D is the state now with every change made after D taken back: for each item and field, the
earliest change after D holds in its ``old`` the value the field had at D; a row inserted after D did not exist
at D; a row deleted after D did, and comes back with its values at D as far as the log knows them.

What the log cannot tell is said, never guessed (:attr:`AsOf.unknown`):

- a deletion logs only the title of what it removed (commands.Delete), and an insertion only its title, so
  an item deleted since D comes back with the fields the log saw changed (its last change up to D, or its first
  change after D); a field never changed through the log is unknown. An item whose 完成情况 is unknown is left
  out of the figures and named;
- a category or finding deleted since D takes its items with it in one log row, which does not list them: an
  item of it the log never names again cannot be brought back, and the deletion is named;
- in a ledger holding several inspections, an item deleted since D cannot be told apart by inspection.

Write-offs (销号) count from their own date (the date on the paperwork, else the day they were entered).
The numbers 3（2） are today's: renumbering logs no numbers.

Remembering a report (:func:`remember`) writes a :class:`ProgressReport` row through the one door, so that the
next report compares with it (:func:`previous_report`, :func:`compare`: 较上期新增完成N项). No Qt here; the
ledger must be open.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from peewee import SqliteDatabase

from rectify_desktop.core import rules
from rectify_desktop.core.commands import ENTITY_NAMES
from rectify_desktop.core.models import (
    DONE,
    NOT_STARTED,
    STATUSES,
    WO_APPLY,
    WO_APPROVE,
    Category,
    ChangeLog,
    Finding,
    Inspection,
    Item,
    Measure,
    WriteOff,
    db,
)
from rectify_desktop.core.stats import DeadlineContext, GroupFigures, ItemRow, Stats, as_date, departments_of
from rectify_desktop.core.storage import LedgerError

# Actions of the change log that bring a row into being, or take it away (commands.py, importing.py; an
# undo writes 撤销 before the action it undoes).
_STARTS = frozenset({"新增", "撤销删除", "导入"})
_ENDS = frozenset({"删除", "撤销新增", "撤销导入"})
_EDITS = frozenset({"修改", "撤销修改"})
_MOVES = frozenset({"移动", "撤销移动"})

_INSPECTION = ENTITY_NAMES[Inspection]
_CATEGORY = ENTITY_NAMES[Category]
_FINDING = ENTITY_NAMES[Finding]
_ITEM = ENTITY_NAMES[Item]
_MEASURE = ENTITY_NAMES[Measure]
_WRITEOFF = ENTITY_NAMES[WriteOff]
_READ_ENTITIES = (_INSPECTION, _CATEGORY, _FINDING, _ITEM, _MEASURE)

# The item's fields a report needs, by the name the change log gives them (commands.FIELD_NAMES).
_ITEM_FIELDS = {
    "标题": "title",
    "责任部门": "department",
    "完成情况": "status",
    "完成日期": "completed_date",
}
# deadline_date and deadline_text are both logged as 整改时限; _deadline_field tells them apart.
_DEADLINE = "整改时限"
_FIELD_WORDS = {
    "status": "完成情况",
    "department": "责任部门",
    "deadline": "整改时限",
}
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
FIGURES_VERSION = 1


class AsOfError(LedgerError):
    """A date the figures cannot be given for, or a ledger that cannot tell; the message is for the clerk."""


def ar_date(d: dt.date) -> str:
    """2026年12月1日 (GB/T 9704-2012 writes dates in Arabic numerals)."""
    return f"{d.year}年{d.month}月{d.day}日"


def parse_day(text: str, today: dt.date | None = None) -> dt.date:
    """The date a clerk types for 截至: 2026-12-01, 2026.12.1, 2026/12/1, 2026年12月1日, or 今天."""
    t = (text or "").strip()
    if t in ("今天", "今日", "today"):
        return today or dt.date.today()
    day = rules.parse_date(t)
    if day is None:
        raise AsOfError(f"看不懂截至日期“{text}”，请写成 2026-12-01 或 2026年12月1日 的样子")
    return day


@dataclass
class AsOfItem:
    """An item (细化问题) as it stood at the date."""

    id: int
    ref: str  # 3（2） as numbered today; "" for an item deleted since
    title: str
    department: str
    deadline_date: dt.date | None  # as stored (a date typed)
    deadline_text: str  # as stored (the clerk's phrase)
    deadline: dt.date | None  # the last day it allows (rules.effective_deadline)
    status: str
    completed_date: dt.date | None
    overdue: bool = False
    written_off: bool = False
    exists_now: bool = True

    @property
    def deadline_display(self) -> str:
        """整改时限 as the ledger prints it: the phrase, else the date."""
        return rules.deadline_display(self.deadline_date, self.deadline_text)


@dataclass
class AsOf:
    """The figures (:class:`Stats`, as core.stats counts them) and the items of one inspection at the end of
    `day`, with what the change log could not tell (`unknown`, sentences for the clerk)."""

    inspection_id: int
    day: dt.date
    stats: Stats
    items: list[AsOfItem]
    unknown: list[str] = field(default_factory=list)

    def not_done(self) -> list[AsOfItem]:
        """Items not yet done (未完成: 正在推进, 未启动, 长期坚持), in ledger order."""
        return [r for r in self.items if r.status != DONE]

    def by_department(self) -> list[GroupFigures]:
        """Figures per responsible department (most items first), as core.stats.breakdown counts them: an item
        naming two departments counts for each."""
        groups: dict[str, GroupFigures] = {}
        for r in self.items:
            for name in departments_of(r.department):
                g = groups.get(name)
                if g is None:
                    g = groups[name] = GroupFigures(name, name)
                g.add(r.status, r.overdue)
        order = {name: i for i, name in enumerate(groups)}
        return sorted(groups.values(), key=lambda g: (-g.items, order[g.name]))

    def figures_json(self) -> dict[str, Any]:
        """What a remembered report keeps (ProgressReport.figures): the figures and the items behind the
        changes the next report names (done, overdue, written off)."""
        return {
            "version": FIGURES_VERSION,
            "as_of": self.day.isoformat(),
            "stats": self.stats.to_json(),
            "items": [r.id for r in self.items],
            "done": [r.id for r in self.items if r.status == DONE],
            "overdue": [r.id for r in self.items if r.overdue],
            "written_off": [r.id for r in self.items if r.written_off],
        }


# --- reading the log --------------------------------------------------------------------------------


def _deadline_field(old: str | None, new: str | None) -> str:
    """Which of the two 整改时限 fields a log row changed. A date is logged as YYYY-MM-DD or nothing (None), a
    phrase as text, never None; ops.deadline_values stores a bare date as a date, so a phrase never reads as
    one in both its old and new value."""
    if old is None or new is None:
        return "deadline_date"
    if old == "" or new == "":
        return "deadline_text"
    return "deadline_date" if _ISO_DAY.match(old) and _ISO_DAY.match(new) else "deadline_text"


def _item_field(field_name: str, old: str | None, new: str | None) -> str | None:
    if field_name == _DEADLINE:
        return _deadline_field(old, new)
    return _ITEM_FIELDS.get(field_name)


def _decode(name: str, value: str | None) -> Any:
    """A logged value (text, as commands._s wrote it) as the field holds it."""
    if name in ("completed_date", "deadline_date"):
        return as_date(value) if value else None
    return value if value is not None else ""


@dataclass
class _After:
    """The change log after the date, folded: per row of the tree, its first appearance or removal; per item
    and field, the value before its first change; what moved; what was deleted."""

    first_event: dict[tuple[str, int], str] = field(default_factory=dict)
    touched: dict[str, set[int]] = field(default_factory=dict)
    before: dict[tuple[int, str], Any] = field(default_factory=dict)
    moved: set[tuple[str, int]] = field(default_factory=set)
    removed: dict[tuple[str, int], tuple[dt.datetime | None, str, str]] = field(default_factory=dict)
    item_of: dict[int, int] = field(default_factory=dict)  # a measure's item, as the log recorded it

    def held(self, entity: str, row_id: int, exists_now: bool) -> bool:
        """Whether a row existed at the end of the date, from its first appearance or removal after it."""
        first = self.first_event.get((entity, row_id))
        if first is None:
            return exists_now or row_id in self.touched.get(entity, set())
        return first in _ENDS


def _marks(values: tuple[str, ...]) -> str:
    return ",".join("?" * len(values))


_TABLES = {_INSPECTION: "inspection", _CATEGORY: "category", _FINDING: "finding", _ITEM: "item", _MEASURE: "measure"}


def _read_after(day: dt.date) -> _After:
    """Folds the log after `day` in two readings of it: the rows of what is gone now, and the rows that say
    what came and went and the first change of each field a report needs. The rows a clerk writes most
    (整改进展, 备注) of what is still there never reach Python; the order is taken in Python, and `entity || ''`
    (an expression, not the column) keeps SQLite's planner off the index of entity, which reads the whole log
    however few rows are asked for. (SQLite's unary + did the same; a server's takes numbers only.)"""
    after = _After()
    since = (day + dt.timedelta(days=1)).isoformat()
    # When most of the log lies after the date, reading the table straight through beats looking each row up
    # from the index of at (a report as of the first weeks of a long-kept ledger).
    later = db.execute_sql("SELECT COUNT(*) FROM change_log WHERE at >= ?", [since]).fetchone()[0]
    if not later:
        return after
    whole = db.execute_sql("SELECT MAX(id) FROM change_log").fetchone()[0] or 0
    hint = _not_indexed() if later * 3 > whole else ""
    ents = _READ_ENTITIES
    # What the log speaks of since the date and is not in the ledger now, with the item it recorded (a
    # measure deleted since is counted with its item).
    absent = " ".join(
        f"WHEN '{name}' THEN (SELECT 1 FROM {table} t WHERE t.id = c.entity_id)" for name, table in _TABLES.items()
    )
    for entity, row_id, item_id in db.execute_sql(
        f"SELECT c.entity || '', +c.entity_id, MIN(c.item_id) FROM change_log c{hint}"
        f" WHERE c.at >= ? AND (c.entity || '') IN ({_marks(ents)}) AND (CASE c.entity {absent} END) IS NULL"
        " GROUP BY c.entity || '', +c.entity_id",
        [since, *ents],
    ).fetchall():
        if isinstance(row_id, int):
            after.touched.setdefault(entity, set()).add(row_id)
            if entity == _MEASURE and isinstance(item_id, int):
                after.item_of[row_id] = item_id
    # Rows brought into being or taken away, and moved: few.
    kinds = tuple(sorted(_STARTS | _ENDS | _MOVES))
    events = db.execute_sql(
        f"SELECT id, action, entity, entity_id, old, at, summary FROM change_log{hint}"
        f" WHERE at >= ? AND (entity || '') IN ({_marks(ents)}) AND action IN ({_marks(kinds)})",
        [since, *ents, *kinds],
    ).fetchall()
    for _, action, entity, row_id, old, at, summary in sorted(events, key=lambda r: r[0]):
        if not isinstance(row_id, int):
            continue
        key = (entity, row_id)
        if action in _MOVES:
            after.moved.add(key)
            continue
        after.first_event.setdefault(key, action)
        if action in _ENDS:
            at_time = at if isinstance(at, dt.datetime) else _time(at)
            after.removed.setdefault(key, (at_time, old or "", summary or ""))
    # Each item field's first change since the date, whose old value is the value at the date: the row of each
    # group's MIN(id). 整改时限 names two fields, told apart as _deadline_field tells them (a date is YYYY-MM-DD
    # or NULL, a phrase never NULL).
    edits = tuple(sorted(_EDITS))
    names = (*_ITEM_FIELDS, _DEADLINE)
    which = (
        f"CASE WHEN field <> '{_DEADLINE}' THEN 0 WHEN old IS NULL OR new IS NULL THEN 1"
        f" WHEN old = '' OR new = '' THEN 2 WHEN {_iso_day('old')} AND {_iso_day('new')} THEN 1 ELSE 2 END"
    )
    for row_id, field_name, old, new in db.execute_sql(
        "SELECT entity_id, field, old, new FROM change_log WHERE id IN"
        f" (SELECT MIN(id) FROM change_log{hint} WHERE at >= ? AND (entity || '') = ?"
        f" AND action IN ({_marks(edits)}) AND field IN ({_marks(names)}) GROUP BY entity_id, field, {which})",
        [since, _ITEM, *edits, *names],
    ).fetchall():
        name = _item_field(field_name or "", old, new)
        if name is not None and isinstance(row_id, int):
            after.before.setdefault((row_id, name), _decode(name, old))
    return after


def _not_indexed() -> str:
    """SQLite's word for reading a table straight through; a server's planner chooses that itself."""
    return " NOT INDEXED" if isinstance(db.obj, SqliteDatabase) else ""


def _iso_day(column: str) -> str:
    """SQL true for a YYYY-MM-DD text (SQLite's GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'), in words both
    back ends know: each digit made a 0, it reads 0000-00-00."""
    expr = column
    for digit in "123456789":
        expr = f"replace({expr}, '{digit}', '0')"
    return f"{expr} = '0000-00-00'"


def _time(text: object) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(str(text).strip())
    except ValueError:
        return None


def _last_known(item_ids: list[int], day: dt.date) -> tuple[dict[tuple[int, str], Any], dict[int, str]]:
    """For items deleted since the date: each field's value from its last change up to the date, and the title
    its insertion logged."""
    values: dict[tuple[int, str], Any] = {}
    titles: dict[int, str] = {}
    until = (day + dt.timedelta(days=1)).isoformat()
    for i in range(0, len(item_ids), 500):
        part = item_ids[i : i + 500]
        sql = (
            "SELECT action, entity_id, field, old, new FROM change_log WHERE entity = ? AND at < ?"
            f" AND entity_id IN ({','.join('?' * len(part))}) ORDER BY id"
        )
        for action, row_id, field_name, old, new in db.execute_sql(sql, [_ITEM, until, *part]).fetchall():
            if action in _EDITS:
                name = _item_field(field_name or "", old, new)
                if name is not None:
                    values[(row_id, name)] = _decode(name, new)
            elif action in _STARTS and new:
                titles[row_id] = new
    return values, titles


def log_start(inspection_id: int) -> tuple[dt.date | None, dt.date | None] | None:
    """None for a ledger without a change log; else the log's first day and the day the inspection came into
    the ledger (新增 or 导入), each None when the log does not say: before them it cannot tell the figures."""
    first = ChangeLog.select(ChangeLog.at).order_by(ChangeLog.id).first()
    if first is None:
        return None
    created = (
        ChangeLog.select(ChangeLog.at)
        .where(
            (ChangeLog.entity == _INSPECTION)
            & (ChangeLog.entity_id == inspection_id)
            & ChangeLog.action.in_(["新增", "导入"])
        )
        .order_by(ChangeLog.id)
        .first()
    )
    came = created.at.date() if created is not None and created.at is not None else None
    return (first.at.date() if first.at is not None else None), came


def _check_covered(inspection_id: int, day: dt.date, today: dt.date) -> None:
    """Refuses a date the log cannot reach back to: before the inspection came into the ledger, or before
    the log begins (a ledger without a log answers only for today)."""
    start = log_start(inspection_id)
    if start is None:
        if day < today:
            raise AsOfError(
                f"该台账没有修改记录，无法推算{ar_date(day)}的情况；只能生成截至今天（{ar_date(today)}）的进展报告"
            )
        return
    first_day, came = start
    if came is not None:
        if day < came:
            raise AsOfError(
                f"截至日期{ar_date(day)}早于该巡察录入台账的日期（{ar_date(came)}），那时台账中还没有这次巡察"
            )
    elif first_day is not None and day < first_day:
        raise AsOfError(f"台账的修改记录从{ar_date(first_day)}开始，无法推算{ar_date(day)}的情况")


# --- the figures at a date ------------------------------------------------------------------------------


def _writeoff_states(inspection_id: int, day: dt.date) -> dict[int, str]:
    """Each item's last write-off step dated up to the day (the step's date, else the day it was entered)."""
    out: dict[int, str] = {}
    sql = (
        "SELECT w.item_id, w.action, w.date, w.created_at FROM write_off w JOIN item i ON i.id = w.item_id"
        " JOIN finding f ON f.id = i.finding_id WHERE f.inspection_id = ? ORDER BY w.id"
    )
    for item_id, action, date, created in db.execute_sql(sql, [inspection_id]).fetchall():
        when = as_date(date) or as_date(created)
        if when is not None and when <= day:
            out[item_id] = action
    return out


def _inspections_at(after: _After) -> set[int]:
    ids = {i for (i,) in Inspection.select(Inspection.id).tuples()}
    gone = after.touched.get(_INSPECTION, set()) - ids
    return {i for i in ids if after.held(_INSPECTION, i, True)} | {i for i in gone if after.held(_INSPECTION, i, False)}


def figures_as_of(
    inspection_id: int,
    day: dt.date,
    today: dt.date | None = None,
    immediate_days: int = rules.DEFAULT_IMMEDIATE_DAYS,
) -> AsOf:
    """The figures and items of an inspection as they stood at the end of `day` (see the module's text).

    Raises AsOfError for an inspection not in the ledger, a date after today, or a date the log cannot reach."""
    today = today or dt.date.today()
    insp = Inspection.get_or_none(Inspection.id == inspection_id)
    if insp is None:
        raise AsOfError(f"台账中没有编号为 {inspection_id} 的巡察")
    if day > today:
        raise AsOfError(f"截至日期{ar_date(day)}晚于今天（{ar_date(today)}），只能报告今天及以前的情况")
    _check_covered(inspection_id, day, today)
    after = _read_after(day)
    unknown: list[str] = []

    # Plain SQL as stats.item_rows reads: peewee's conversion of each value would cost more than the rest.
    cats = dict(
        db.execute_sql(
            "SELECT id, CAST(position AS INTEGER) FROM category WHERE inspection_id = ?", [inspection_id]
        ).fetchall()
    )
    finds = {
        fid: (cid, pos, num)
        for fid, cid, pos, num in db.execute_sql(
            "SELECT id, category_id, CAST(position AS INTEGER), CAST(number AS INTEGER) FROM finding"
            " WHERE inspection_id = ?",
            [inspection_id],
        ).fetchall()
    }
    cat_held = {cid: after.held(_CATEGORY, cid, True) for cid in cats}
    find_held = {
        fid: after.held(_FINDING, fid, True) and (cat_held.get(cid, False) or (_FINDING, fid) in after.moved)
        for fid, (cid, _, _) in finds.items()
    }
    insp_held = after.held(_INSPECTION, inspection_id, True)
    only_one = _inspections_at(after) == {inspection_id}

    # Items there now: today's values with every field changed since the date set back.
    sql = (
        "SELECT i.id, i.finding_id, CAST(i.number AS INTEGER), CAST(i.position AS INTEGER), i.title, i.department,"
        " i.deadline_date, i.deadline_text, i.status, i.completed_date"
        " FROM item i JOIN finding f ON f.id = i.finding_id WHERE f.inspection_id = ?"
    )
    rows: list[tuple[tuple, dict[str, Any]]] = []
    for iid, fid, num, pos, title, dept, ddate, dtext, status, cdate in db.execute_sql(sql, [inspection_id]).fetchall():
        moved = (_ITEM, iid) in after.moved
        if not (insp_held and after.held(_ITEM, iid, True) and (moved or find_held.get(fid, False))):
            continue
        cid, fpos, fnum = finds[fid]
        values = {
            "id": iid,
            "ref": f"{fnum}{rules.item_label(num)}",
            "title": title or "",
            "department": dept or "",
            "deadline_date": as_date(ddate),
            "deadline_text": dtext or "",
            "status": status or "",
            "completed_date": as_date(cdate),
            "exists_now": True,
        }
        for name in ("title", "department", "deadline_date", "deadline_text", "status", "completed_date"):
            if (iid, name) in after.before:
                values[name] = after.before[(iid, name)]
        rows.append(((0, cats.get(cid, 0), cid, fpos, fid, pos, iid), values))

    # Items deleted since the date: brought back with what the log knows of them.
    candidates = sorted(after.touched.get(_ITEM, set()))
    existing = {i for (i,) in db.execute_sql("SELECT id FROM item").fetchall()} if candidates else set()
    gone = [i for i in candidates if i not in existing and after.held(_ITEM, i, False)]
    if gone and not only_one:
        for iid in gone:
            title = after.removed.get((_ITEM, iid), (None, "", ""))[1] or f"#{iid}"
            unknown.append(f"细化问题“{title}”在截至日之后被删除，台账中有多次巡察，无法确定它属于哪一次，未计入")
        gone = []
    elif only_one:
        gone = sorted(set(gone) | _swept_items(after, day))
    last, inserted = _last_known(gone, day)
    logged_writeoffs = _logged_writeoffs(gone)
    for iid in gone:
        values = {"id": iid, "ref": "", "exists_now": False}
        missing = []
        for name in ("title", "department", "deadline_date", "deadline_text", "status", "completed_date"):
            if (iid, name) in after.before:
                values[name] = after.before[(iid, name)]
            elif (iid, name) in last:
                values[name] = last[(iid, name)]
            elif name == "title":
                values[name] = after.removed.get((_ITEM, iid), (None, "", ""))[1] or inserted.get(iid, f"#{iid}")
            else:
                values[name] = None if name.endswith("_date") else ""
                missing.append(name)
        deleted = after.removed.get((_ITEM, iid), (None, "", ""))[0]
        when = f"于{ar_date(deleted.date())}删除" if deleted else "在截至日之后被删除"
        if "status" in missing:
            unknown.append(f"细化问题“{values['title']}”{when}，修改记录中没有它在截至日的完成情况，未计入统计")
            continue
        words = [_FIELD_WORDS[n] for n in ("department",) if n in missing]
        if "deadline_date" in missing and "deadline_text" in missing:
            words.append(_FIELD_WORDS["deadline"])
        if words:
            unknown.append(f"细化问题“{values['title']}”{when}，修改记录中没有它在截至日的{'、'.join(words)}，按空白计")
        if iid in logged_writeoffs:
            unknown.append(f"细化问题“{values['title']}”{when}，它的销号记录已随之删除，按未销号计")
        rows.append(((1, iid), values))

    _name_cascades(after, inspection_id, only_one, unknown)

    # Figures, counted as core.stats counts them, at the day.
    rows.sort(key=lambda r: r[0])
    ctx = DeadlineContext(immediate_days)
    states = _writeoff_states(inspection_id, day)
    s = Stats()
    items: list[AsOfItem] = []
    for _, v in rows:
        row = ItemRow(
            v["id"], 0, 0, 0, v["title"], v["status"], v["deadline_date"], v["deadline_text"], inspection_id, ""
        )
        deadline = ctx.deadline(row)
        status = v["status"]
        left = rules.days_left(status, deadline, day)
        s.count_item(status, left)
        state = states.get(v["id"])
        s.written_off += state == WO_APPROVE
        s.writeoff_pending += state == WO_APPLY
        items.append(
            AsOfItem(
                id=v["id"],
                ref=v["ref"],
                title=v["title"],
                department=v["department"],
                deadline_date=v["deadline_date"],
                deadline_text=v["deadline_text"],
                deadline=deadline,
                status=status if status in STATUSES else NOT_STARTED,
                completed_date=v["completed_date"],
                overdue=left is not None and left < 0,
                written_off=state == WO_APPROVE,
                exists_now=v["exists_now"],
            )
        )
    s.items = len(items)
    s.categories, s.findings = _tree_counts(after, cats, cat_held, find_held, only_one)
    s.measures = _measure_count(after, inspection_id, {r.id for r in items})
    s.completion_percent = rules.percent_one_decimal(s.done, s.items)
    s.completion_whole = rules.percent_whole(s.done, s.items)
    return AsOf(inspection_id, day, s, items, unknown)


def _swept_items(after: _After, day: dt.date) -> set[int]:
    """Items a category or finding deleted since the date took with it, as far as the log can tell: items gone
    now, brought in through the log up to the date, with no category or finding deleted between their coming
    and the date (such a deletion might have been theirs). Asked only when such a deletion happened since."""
    swept = [
        key
        for key in after.removed
        if key[0] in (_CATEGORY, _FINDING) and after.first_event.get(key) in _ENDS and after.held(*key, False)
    ]
    if not swept:
        return set()
    until = (day + dt.timedelta(days=1)).isoformat()
    kinds = tuple(sorted(_STARTS | _ENDS))
    rows = db.execute_sql(
        f"SELECT id, entity, entity_id, action FROM change_log WHERE at < ? AND (entity || '') IN (?,?,?)"
        f" AND action IN ({_marks(kinds)})",
        [until, _CATEGORY, _FINDING, _ITEM, *kinds],
    ).fetchall()
    rows.sort(key=lambda r: r[0])
    last_cut = max((rid for rid, entity, _, action in rows if entity != _ITEM and action in _ENDS), default=0)
    state: dict[int, tuple[int, str]] = {}
    for rid, entity, row_id, action in rows:
        if entity == _ITEM and isinstance(row_id, int):
            state[row_id] = (rid, action)
    existing = {i for (i,) in db.execute_sql("SELECT id FROM item").fetchall()}
    return {
        iid
        for iid, (rid, action) in state.items()
        if action in _STARTS and rid > last_cut and iid not in existing and (_ITEM, iid) not in after.first_event
    }


def _logged_writeoffs(item_ids: list[int]) -> set[int]:
    """The deleted items the log shows with a write-off step: their steps went with them."""
    out: set[int] = set()
    for i in range(0, len(item_ids), 500):
        part = item_ids[i : i + 500]
        q = ChangeLog.select(ChangeLog.item_id).where((ChangeLog.entity == _WRITEOFF) & ChangeLog.item_id.in_(part))
        out |= {r for (r,) in q.tuples()}
    return out


def _name_cascades(after: _After, inspection_id: int, only_one: bool, unknown: list[str]) -> None:
    """A category or finding (or the whole inspection) deleted since the date took its items in one log row."""
    for (entity, row_id), (when, title, summary) in after.removed.items():
        if entity not in (_CATEGORY, _FINDING) or not after.held(entity, row_id, False):
            continue
        if not only_one:
            continue  # named with the items of unknown inspection above, when the log names them
        model = Category if entity == _CATEGORY else Finding
        if model.get_or_none(model.id == row_id) is not None:
            continue  # deleted and brought back by undo: its items came back with it
        at = f"于{ar_date(when.date())}" if when else "在截至日之后"
        unknown.append(
            f"{entity}“{title or f'#{row_id}'}”{at}被删除（{summary}），"
            "其下修改记录中未单独出现的细化问题无法恢复，未计入"
        )


def _tree_counts(
    after: _After,
    cats: dict[int, int],
    cat_held: dict[int, bool],
    find_held: dict[int, bool],
    only_one: bool,
) -> tuple[int, int]:
    categories = sum(cat_held.values())
    findings = sum(find_held.values())
    if only_one:
        for entity, now in ((_CATEGORY, set(cats)), (_FINDING, set(find_held))):
            model = Category if entity == _CATEGORY else Finding
            candidates = after.touched.get(entity, set()) - now
            if not candidates:
                continue
            present = {i for (i,) in model.select(model.id).where(model.id.in_(sorted(candidates))).tuples()}
            n = sum(1 for i in candidates - present if after.held(entity, i, False))
            if entity == _CATEGORY:
                categories += n
            else:
                findings += n
    return categories, findings


def _measure_count(after: _After, inspection_id: int, item_ids: set[int]) -> int:
    """Measures of the items at the date: those there now that were there then, and those deleted since whose
    item the log names."""
    sql = (
        "SELECT m.id, m.item_id FROM measure m JOIN item i ON i.id = m.item_id JOIN finding f ON f.id = i.finding_id"
        " WHERE f.inspection_id = ?"
    )
    present = db.execute_sql(sql, [inspection_id]).fetchall()
    n = sum(1 for mid, item in present if item in item_ids and after.held(_MEASURE, mid, True))
    gone = after.touched.get(_MEASURE, set()) - {mid for mid, _ in present}
    if gone:
        still = {i for (i,) in Measure.select(Measure.id).where(Measure.id.in_(sorted(gone))).tuples()}
        n += sum(1 for m in gone - still if after.item_of.get(m) in item_ids and after.held(_MEASURE, m, False))
    return n


def timeline(
    inspection_id: int, today: dt.date | None = None, immediate_days: int = rules.DEFAULT_IMMEDIATE_DAYS
) -> list:
    """整改进度走势: (day, done, in_progress, overdue) at the end of each day the log holds a change of the
    inspection's tree, and today, oldest first; one pass over the log (core.timeline), the same figures as
    figures_as_of gives for each of those days."""
    from rectify_desktop.core.timeline import timeline as _timeline  # it builds on this module's fold

    return _timeline(inspection_id, today, immediate_days)
