"""The 汇总表's columns and cells, shared by its workbook (io.summary_xlsx), its PDF (ui.summary_print) and the
report (io.summary_docx), so that the three print the same figures under the same headings.

整改成效 are reduced to four columns an office adds up: 问责 (people, every kind), 制度 (rules made or revised),
资金 (万元, the money kinds of the notice's sentence; an audit's 问题金额 / 整改到位金额 are not results) and 会议
(every meeting). The kinds themselves are in the report's sentence (core.results.sentence).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from rectify_desktop.core.lists import Sheet, SheetRow
from rectify_desktop.core.results import amount_text
from rectify_desktop.core.summary import OverdueItem, Summary, UnitRow, results_from_json
from rectify_desktop.core.table import cn_date

DEFAULT_TITLE = "巡察整改进展情况汇总表"
SUMMARY_KIND = "summary"


def results_figures(row: UnitRow) -> tuple[int, int, Decimal, int]:
    """(问责 people, 制度 rules, 资金 万元, 会议 meetings) of a row."""
    r = results_from_json(row.results)
    people = sum(c.count for c in r.accountability.values())
    money = sum((a.amount for a in r.money.values()), Decimal(0))
    meetings = sum(c.count for c in r.meetings.values())
    return people, r.rules.count, money, meetings


def _when(value: dt.datetime | None) -> str:
    return f"{value.year}-{value.month:02d}-{value.day:02d}" if value else ""


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    value: Callable[[UnitRow], Any]  # a number where the figure is a number, else text
    numeric: bool = True


COLUMNS: tuple[Column, ...] = (
    Column("unit", "被巡察单位", lambda r: r.unit, False),
    Column("body", "巡察组", lambda r: r.inspecting_body, False),
    Column("feedback", "反馈日期", lambda r: r.feedback_date, False),
    Column("findings", "问题数", lambda r: r.findings),
    Column("items", "细化问题数", lambda r: r.items),
    Column("completed", "已完成", lambda r: r.done),  # not "done": the printing layout centres that key alone
    Column("in_progress", "正在推进", lambda r: r.in_progress),
    Column("ongoing", "长期坚持", lambda r: r.ongoing),
    Column("not_started", "未启动", lambda r: r.not_started),
    Column("overdue", "逾期", lambda r: r.overdue),
    Column("rate", "完成率（%）", lambda r: r.completion_whole),
    Column("written_off", "已销号", lambda r: r.written_off),
    Column("people", "问责（人）", lambda r: results_figures(r)[0]),
    Column("rules", "制度（项）", lambda r: results_figures(r)[1]),
    Column("money", "资金（万元）", lambda r: results_figures(r)[2]),
    Column("meetings", "会议（次）", lambda r: results_figures(r)[3]),
    Column("last_change", "最后修改", lambda r: r.last_change.date() if r.last_change else None, False),
)

OVERDUE_HEADERS = ("被巡察单位", "问题编号", "细化问题", "责任部门", "责任人", "整改时限", "整改状态", "逾期天数")


def overdue_values(o: OverdueItem) -> list[Any]:
    number = f"{o.finding}.{o.number}" if o.finding is not None and o.number is not None else ""
    deadline = o.deadline_text.strip() or cn_date(o.deadline)
    if o.deadline_text.strip() and cn_date(o.deadline) not in deadline:
        deadline = f"{deadline}（{cn_date(o.deadline)}）"
    return [o.unit, number, o.title, o.department, o.person, deadline, o.status, o.days_late]


def text_of(value: Any, *, short_dates: bool = False) -> str:
    """A cell as printed: dates in Chinese (or 2026.1.10 where room is short), amounts as the notice writes them
    (23.8), blanks empty."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return amount_text(value)
    if isinstance(value, dt.date):
        return f"{value.year}.{value.month}.{value.day}" if short_dates else cn_date(value)
    return str(value)


def as_sheet(summary: Summary, title: str = DEFAULT_TITLE, *, short_dates: bool = False) -> Sheet:
    """The 汇总 table as a printable sheet (core.lists.Sheet): a row per unit and inspection, then 合计."""
    keys = ("seq",) + tuple(c.key for c in COLUMNS)
    headers = ("序号",) + tuple(c.header for c in COLUMNS)
    rows = []
    for n, r in enumerate(summary.rows, 1):
        rows.append(SheetRow({"seq": str(n), **{c.key: text_of(c.value(r), short_dates=short_dates) for c in COLUMNS}}))
    t = summary.totals
    rows.append(SheetRow({"seq": "", **{c.key: text_of(c.value(t), short_dates=short_dates) for c in COLUMNS}}))
    return Sheet(title, keys, headers, rows, kind=SUMMARY_KIND)
