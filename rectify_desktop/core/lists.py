"""Printable sheets (打印表格): the ledger with chosen columns, and the three lists (三张清单).

Every sheet is built from the rows of :func:`core.table.build_table`, so that the printed ledger, its lists and
the Excel file show the same items in the same order with the same numbers:

- 问题清单 (problems): category, finding, each item with its deadline and status;
- 任务清单 (tasks): each measure (整改措施) as a row, with its item, who is responsible, the item's deadline,
  whether it is done;
- 责任清单 (responsibilities): grouped by department, then person: their items, deadlines and status.

An item whose department field names several departments ("基础教育股、办公室") is listed under each of them
in the 责任清单 (the first named leads: 牵头; the others 配合), and is found by a filter on any of them.
No Qt here: the printout lays these sheets out.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

from rectify_desktop.core import consistency, rules, settings
from rectify_desktop.core.models import DONE, Category, Inspection, Measure
from rectify_desktop.core.stats import NO_DEPARTMENT, split_names
from rectify_desktop.core.table import COLUMNS, KEYS, LedgerRow, LedgerTable, Span, build_table, cn_date

LEDGER = "ledger"
PROBLEMS = "problems"
TASKS = "tasks"
RESPONSIBILITY = "responsibility"
DOCUMENTS: dict[str, str] = {LEDGER: "整改台账", PROBLEMS: "问题清单", TASKS: "任务清单", RESPONSIBILITY: "责任清单"}
# What each list's title ends with, in place of the ledger's "整改落实台账".
_TITLE_ENDINGS: dict[str, str] = {
    LEDGER: "整改落实台账",
    PROBLEMS: "问题清单",
    TASKS: "整改任务清单",
    RESPONSIBILITY: "整改责任清单",
}

ALL = "all"
NOT_DONE = "not_done"
OVERDUE = "overdue"
CATEGORY = "category"
DEPARTMENT = "department"
ITEM_FILTERS: dict[str, str] = {
    ALL: "全部细化问题",
    NOT_DONE: "未完成的（含长期坚持）",
    OVERDUE: "已逾期的",
    CATEGORY: "某一方面",
    DEPARTMENT: "某一责任部门",
}

HEADERS: dict[str, str] = dict(zip(KEYS, COLUMNS, strict=True))
NO_PERSON = "（未明确责任人）"


@dataclass
class SheetRow:
    """One printed row: its cells by key, and for each spanning column the group its cell belongs to."""

    cells: dict[str, str]
    groups: dict[str, Hashable] = field(default_factory=dict)
    item: LedgerRow | None = None  # the item the row is about, for marking and opening it on screen


@dataclass
class Sheet:
    """A table to print: a title, columns (keys and headers), rows; cells of `span_keys` merge down runs of rows
    with the same group (a category over its findings' items, an item over its measures …)."""

    title: str
    keys: tuple[str, ...]
    headers: tuple[str, ...]
    rows: list[SheetRow]
    span_keys: tuple[str, ...] = ()
    kind: str = LEDGER

    def spans(self, key: str) -> list[Span]:
        out: list[Span] = []
        for i, r in enumerate(self.rows):
            g = r.groups.get(key)
            if out and self.rows[out[-1].first].groups.get(key) == g:
                out[-1].last = i
            else:
                out.append(Span(key, i, i))
        return out


def row_filter(kind: str, value: str = "") -> Callable[[LedgerRow], bool] | None:
    """Which items to print: all, not yet done (ongoing ones are not done), overdue, one category (its id),
    one department (any of those an item names)."""
    if kind == NOT_DONE:
        return lambda r: r.status != DONE
    if kind == OVERDUE:
        return lambda r: r.overdue
    if kind == CATEGORY and value:
        return lambda r: str(r.category_id) == str(value)
    if kind == DEPARTMENT and value:
        return lambda r: value in split_names(r.cells["department"])
    return None


def departments(table: LedgerTable) -> list[str]:
    """Every department the table's items name, in order of first appearance."""
    seen: dict[str, None] = {}
    for r in table.rows:
        for d in split_names(r.cells["department"]):
            seen.setdefault(d, None)
    return list(seen)


def reporting_unit(inspection_id: int) -> str:
    """Who reports (填报单位) on printouts and sheets: the ledger's setting 填报单位 when the clerk has set it
    (the office that keeps the ledger, often not the inspected unit as a whole), else the inspected unit."""
    unit = settings.get("unit_name").strip()
    if unit:
        return unit
    insp = Inspection.get_or_none(Inspection.id == inspection_id)
    return (insp.inspected_unit or "") if insp is not None else ""


def document_title(ledger_title: str, kind: str) -> str:
    """The ledger's title with its ending changed: "…反馈意见整改落实台账" → "…反馈意见问题清单"."""
    if kind == LEDGER:
        return ledger_title
    base = ledger_title
    for ending in ("整改落实台账", "整改工作台账", "整改台账", "台账"):
        if base.endswith(ending):
            base = base[: -len(ending)]
            break
    return _joined(base, _TITLE_ENDINGS[kind])


def _joined(base: str, ending: str) -> str:
    """`base` + `ending` without saying the words they share twice: "…反馈问题" + "问题清单" is "…反馈问题清单",
    not "…反馈问题问题清单"; "…问题整改" + "整改任务清单" is "…问题整改任务清单". Two characters at least, so that
    a single shared character ("题" … "题") is not taken for a repeated word."""
    for n in range(len(ending) - 1, 1, -1):
        if base.endswith(ending[:n]):
            return base + ending[n:]
    return base + ending


def _sheet(table: LedgerTable, kind: str, keys: tuple[str, ...], headers: dict[str, str], span_keys=()) -> Sheet:
    return Sheet(
        title=document_title(table.title, kind),
        keys=keys,
        headers=tuple(headers.get(k, HEADERS.get(k, k)) for k in keys),
        rows=[],
        span_keys=tuple(k for k in span_keys if k in keys),
        kind=kind,
    )


def ledger_sheet(table: LedgerTable, keys: tuple[str, ...] = KEYS) -> Sheet:
    """The ledger itself with the chosen columns (in the order of COLUMNS); category and finding cells span."""
    keys = tuple(k for k in KEYS if k in keys) or KEYS
    sheet = _sheet(table, LEDGER, keys, HEADERS, ("category", "finding"))
    for r in table.rows:
        sheet.rows.append(
            SheetRow(
                {k: r.cells[k] for k in keys},
                {"category": r.category_id, "finding": (r.category_id, r.finding_id)},
                r,
            )
        )
    return sheet


OVERDUE_MARK = "（已逾期）"


def deadline_text(r: LedgerRow) -> str:
    """整改时限 with "（已逾期）" on the line under it when the item is overdue: one way of marking it, in every
    list and on paper as in the printed ledger (the printout prints the mark in bold), never a colour alone; the
    status stays one of the states the ledger knows."""
    deadline = r.cells["deadline"].rstrip()
    return f"{deadline}\n{OVERDUE_MARK}".lstrip("\n") if r.overdue else deadline


def problem_list(table: LedgerTable) -> Sheet:
    """问题清单: each item under its category and finding, with its deadline (marked when overdue) and status."""
    keys = ("seq", "category", "finding", "item", "department", "deadline", "status")
    sheet = _sheet(table, PROBLEMS, keys, {"status": "整改状态"}, ("category", "finding"))
    for r in table.rows:
        cells = {k: r.cells[k] for k in keys}
        cells["deadline"] = deadline_text(r)
        sheet.rows.append(SheetRow(cells, {"category": r.category_id, "finding": (r.category_id, r.finding_id)}, r))
    return sheet


def _item_label(r: LedgerRow) -> str:
    """The item with its finding's number, so that it reads alone: 3.（2）……"""
    finding = r.cells["finding"]
    number = finding.split(".", 1)[0] + "." if "." in finding else ""
    return number + r.cells["item"]


def task_list(table: LedgerTable) -> Sheet:
    """任务清单: each measure of each item as its own row; an item with no measure yet shows that gap.

    A measure not ticked done of an item set 已完成 never reads a plain 未完成 beside it: "未完成（经办人确认仍按
    已完成）" when the clerk chose to go on (core.consistency), else "未完成（细化问题已标为已完成，待核实）"."""
    keys = ("seq", "item", "measure", "leader", "department", "person", "deadline", "done")
    headers = {"measure": "整改措施", "done": "完成情况", "item": "细化问题"}
    sheet = _sheet(table, TASKS, keys, headers, ("item", "leader", "department", "person", "deadline"))
    ids = [r.item_id for r in table.rows]
    measures: dict[int, list[tuple[int, str, bool, dt.date | None]]] = defaultdict(list)
    for i in range(0, len(ids), 900):  # SQLite's limit on bound parameters
        chunk = ids[i : i + 900]
        for mid, item_id, text, done, done_date in (
            Measure.select(Measure.id, Measure.item, Measure.text, Measure.done, Measure.done_date)
            .where(Measure.item.in_(chunk))
            .order_by(Measure.item, Measure.position, Measure.id)
            .tuples()
        ):
            measures[item_id].append((mid, text, bool(done), done_date))
    # An unticked measure of an item set 已完成 is printed as such only when the clerk chose it (consistency).
    done_items = {r.item_id for r in table.rows if r.status == DONE}
    confirmed = consistency.confirmed_open(
        mid for item_id in done_items for mid, text, done, _ in measures.get(item_id, []) if not done
    )
    seq = 0
    for r in table.rows:
        group = {k: r.item_id for k in ("item", "leader", "department", "person", "deadline")}
        base = {"item": _item_label(r), "leader": r.cells["leader"], "department": r.cells["department"]}
        base["person"] = r.cells["person"]
        base["deadline"] = deadline_text(r)  # the item's, over its measures: an overdue one marked as elsewhere
        entries = [e for e in measures.get(r.item_id, []) if e[1].strip()]
        if not entries:
            seq += 1
            sheet.rows.append(
                SheetRow({**base, "seq": str(seq), "measure": "（尚未制定整改措施）", "done": ""}, group, r)
            )
            continue
        for n, (mid, text, done, done_date) in enumerate(entries, 1):
            seq += 1
            measure = f"{rules.cn_number(n)}是{text.strip().rstrip('。；;，,')}。"
            if done:
                state = "已完成" + (f"（{cn_date(done_date)}）" if done_date else "")
            else:
                state = consistency.open_measure_state(r.status, mid in confirmed)
            sheet.rows.append(SheetRow({**base, "seq": str(seq), "measure": measure, "done": state}, group, r))
    return sheet


def responsibility_list(table: LedgerTable) -> Sheet:
    """责任清单: by department (in order of first appearance), then person: their items, deadlines, status."""
    keys = ("seq", "department", "person", "item", "role", "leader", "deadline", "status")
    headers = {"role": "分工", "item": "细化问题", "status": "整改状态"}
    sheet = _sheet(table, RESPONSIBILITY, keys, headers, ("department", "person"))
    by_dept: dict[str, dict[str, list[tuple[LedgerRow, str]]]] = {}
    for r in table.rows:
        names = split_names(r.cells["department"]) or [NO_DEPARTMENT]
        person = r.cells["person"].strip() or NO_PERSON
        for i, d in enumerate(names):
            role = "牵头" if i == 0 and len(names) > 1 else ("配合" if i else "")
            by_dept.setdefault(d, {}).setdefault(person, []).append((r, role))
    if NO_DEPARTMENT in by_dept:  # the gap goes last, where it is seen
        by_dept[NO_DEPARTMENT] = by_dept.pop(NO_DEPARTMENT)
    seq = 0
    for d, persons in by_dept.items():
        for person, entries in persons.items():
            for r, role in entries:
                seq += 1
                cells = {
                    "seq": str(seq),
                    "department": d,
                    "person": person,
                    "item": _item_label(r),
                    "role": role,
                    "leader": r.cells["leader"],
                    "deadline": deadline_text(r),
                    "status": r.cells["status"],
                }
                sheet.rows.append(SheetRow(cells, {"department": d, "person": (d, person)}, r))
    return sheet


def build_sheet(
    inspection_id: int,
    kind: str = LEDGER,
    *,
    columns: tuple[str, ...] = KEYS,
    items: str = ALL,
    value: str = "",
    today: dt.date | None = None,
    immediate_days: int | None = None,
) -> Sheet:
    """The sheet to print for one inspection: which document, which columns (the ledger only), which items."""
    table = build_table(inspection_id, today=today, immediate_days=immediate_days, keep=row_filter(items, value))
    if kind == PROBLEMS:
        return problem_list(table)
    if kind == TASKS:
        return task_list(table)
    if kind == RESPONSIBILITY:
        return responsibility_list(table)
    return ledger_sheet(table, columns)


def filter_label(inspection_id: int, items: str, value: str = "") -> str:
    """Words for what a filtered printout holds, printed under its title: "范围：未完成的（含长期坚持）"."""
    if items == CATEGORY and value:
        cats = list(
            Category.select().where(Category.inspection == inspection_id).order_by(Category.position, Category.id)
        )
        for i, c in enumerate(cats, 1):
            if str(c.id) == str(value):
                return f"{rules.category_label(i)}{c.title}"
        return ""
    if items == DEPARTMENT and value:
        return f"责任部门：{value}"
    if items in (NOT_DONE, OVERDUE):
        return ITEM_FILTERS[items]
    return ""


def department_names(inspection_id: int) -> list[str]:
    """The departments an inspection's items name (for the printout's filter), in order of first appearance."""
    from rectify_desktop.core.stats import item_rows

    seen: dict[str, None] = {}
    for r in item_rows(inspection_id):
        for d in split_names(r.department):
            seen.setdefault(d, None)
    return list(seen)


def category_choices(inspection_id: int) -> list[tuple[str, str]]:
    """(id, "（一）title") of an inspection's categories, in order."""
    query = Category.select().where(Category.inspection == inspection_id)
    cats = query.order_by(Category.position, Category.id)
    return [(str(c.id), f"{rules.category_label(i)}{c.title}") for i, c in enumerate(cats, 1)]
