"""A ledger workbook exported by this program, read as one row of the 汇总 (issue 17).

The items come from io.xlsx_import (what 导入 reads of the 台账 sheet); the 整改成效 come from the workbook's own
registers, which the import does not read: the 整改成效 sheet (every 问责 and 资金 entry, the items' own too),
the 会议 sheet and the 制度建设 sheet (a row per meeting or rule, whether or not it has a topic). The file is
opened read-only and never written.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from rectify_desktop.core import rules, storage
from rectify_desktop.core.models import (
    ACCOUNTABILITY_KINDS,
    AUDIT_AMOUNT_KINDS,
    MONEY_KINDS,
    NOT_STARTED,
    STATUSES,
    WO_APPROVE,
)
from rectify_desktop.core.results import Amount, Count, Results, parse_amount
from rectify_desktop.core.summary import OverdueItem, UnitRow, count_item, ordered

HEADER_ROWS = 6


def _header(rows: list[tuple[Any, ...]], words: tuple[str, ...]) -> tuple[int, dict[str, int]] | None:
    """The header row (index) and the columns of `words` in it, among the first rows."""
    for n, row in enumerate(rows[:HEADER_ROWS]):
        cols = {str(v).strip(): c for c, v in enumerate(row) if v is not None}
        if all(w in cols for w in words):
            return n, {w: cols[w] for w in words}
    return None


def _body(rows: list[tuple[Any, ...]], start: int) -> list[tuple[Any, ...]]:
    # A register's rows carry their 序号 in the first column; the notes under a table do not.
    return [r for r in rows[start + 1 :] if r and isinstance(r[0], (int, float)) and not isinstance(r[0], bool)]


def _amount(value: Any) -> Decimal:
    if value is None:
        return Decimal(0)
    try:
        return parse_amount(value if isinstance(value, (str, int, Decimal)) else repr(value))
    except (ValueError, InvalidOperation):
        return Decimal(0)


def read_results(path: Path) -> Results | None:
    """The 整改成效 of an exported workbook from its registers; None when it has none of the three sheets."""
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        names = set(wb.sheetnames)
        if not names & {"整改成效", "会议", "制度建设"}:
            return None
        res = Results()
        if "整改成效" in names:
            rows = list(wb["整改成效"].iter_rows(values_only=True))
            found = _header(rows, ("类型", "类别", "人数", "金额（万元）"))
            if found:
                start, c = found
                for r in _body(rows, start):
                    kind = str(r[c["类别"]] or "").strip()
                    if r[c["类型"]] == "问责" and kind:
                        people = r[c["人数"]]
                        res.accountability.setdefault(kind, Count()).count += int(people or 0)
                    elif r[c["类型"]] == "资金" and kind:
                        group = res.audit if kind in AUDIT_AMOUNT_KINDS else res.money
                        group.setdefault(kind, Amount()).amount += _amount(r[c["金额（万元）"]])
        if "会议" in names:
            rows = list(wb["会议"].iter_rows(values_only=True))
            found = _header(rows, ("序号", "会议类型"))
            if found:
                start, c = found
                for r in _body(rows, start):
                    kind = str(r[c["会议类型"]] or "").strip() or "会议"
                    res.meetings.setdefault(kind, Count()).count += 1
        if "制度建设" in names:
            rows = list(wb["制度建设"].iter_rows(values_only=True))
            found = _header(rows, ("序号", "制度名称"))
            if found:
                res.rules.count = len(_body(rows, found[0]))
    finally:
        wb.close()
    res.accountability = ordered(res.accountability, ACCOUNTABILITY_KINDS)
    res.money = ordered(res.money, MONEY_KINDS)
    res.audit = ordered(res.audit, AUDIT_AMOUNT_KINDS)
    return res


def read_workbook(path: Path, today: dt.date) -> UnitRow:
    """The row of a ledger workbook (导出的台账工作簿); raises storage.NotALedgerError when it is not one."""
    from rectify_desktop.io import xlsx_import

    try:
        parsed = xlsx_import.parse_workbook(path)
    except Exception as exc:  # noqa: BLE001 - any failure means: not a workbook this program can sum
        raise storage.NotALedgerError(f"不是台账：不是本程序导出的台账工作簿（{exc}）") from exc
    items = parsed.items()
    if not items:
        raise storage.NotALedgerError("不是台账：工作簿中没有可汇总的整改事项")
    fb = parsed.feedback_date
    ref = fb or parsed.period_start
    row = UnitRow(
        path=path,
        ledger_id="",
        inspection_id=None,
        unit=parsed.inspected_unit.strip() or path.stem,
        inspecting_body=parsed.inspecting_body,
        title=parsed.title,
        feedback_date=fb,
        findings=len(parsed.findings()),
        source="工作簿",
    )
    for f in parsed.findings():
        for it in f.items:
            deadline = rules.effective_deadline(
                it.deadline_date, it.deadline, year=ref.year if ref else None, feedback_date=fb
            )
            left = count_item(row, it.status, deadline, today)
            if left is not None and left < 0 and deadline is not None:
                status = it.status if it.status in STATUSES else NOT_STARTED
                row.overdue_items.append(
                    OverdueItem(
                        row.unit, f.number, it.number, it.title, it.department, it.person, deadline, it.deadline,
                        status, -left,
                    )
                )  # fmt: skip
            if it.writeoffs and it.writeoffs[-1].action == WO_APPROVE:
                row.written_off += 1
    row.completion_whole = rules.percent_whole(row.done, row.items)
    res = read_results(path)
    if res is None:  # a workbook without the registers: what the import read of the 台账 sheet
        res = Results()
        for a in parsed.accountability:
            res.accountability.setdefault(a.kind, Count()).count += a.people
        for m in list(parsed.money) + [m for it in items for m in it.money]:
            group = res.audit if m.kind in AUDIT_AMOUNT_KINDS else res.money
            group.setdefault(m.kind, Amount()).amount += m.amount
        res.rules.count = len(parsed.institutions)
        for meeting in parsed.meetings:
            res.meetings.setdefault(meeting.get("kind") or "会议", Count()).count += 1
        res.accountability = ordered(res.accountability, ACCOUNTABILITY_KINDS)
        res.money = ordered(res.money, MONEY_KINDS)
        res.audit = ordered(res.audit, AUDIT_AMOUNT_KINDS)
    row.results = res.to_json()
    return row
