"""The results of the rectification (整改成效): people held accountable, money, rules and meetings.

Entries are recorded once (core.models.Accountability / MoneyEntry, per item or for the whole inspection;
rules and meetings in their registers) and counted here for every place that shows them: the 总览, the CLI's
``stats --json``, the exports and the notice. Amounts are exact: stored as whole 元 (0.0001 万元) and
given back as Decimal 万元, never as float, so that the notice adds up to what the ledger holds.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from rectify_desktop.core.models import (
    ACCOUNTABILITY_KINDS,
    AUDIT_AMOUNT_KINDS,
    MONEY_KINDS,
    Accountability,
    Institution,
    InstitutionItem,
    Meeting,
    MeetingItem,
    MoneyEntry,
)

# 1 元 = 0.0001 万元: the unit amounts are stored in.
UNITS_PER_WAN = 10_000
_QUANTUM = Decimal("0.0001")
# Digits with an optional fraction, or digits grouped by thousands (1,234.5); a 万元 / 万 after it is the
# unit every amount is in, and is allowed because a clerk copies it from the notice.
_PLAIN = re.compile(r"\d+(\.\d+)?|\.\d+")
_GROUPED = re.compile(r"\d{1,3}(,\d{3})+(\.\d+)?")


def _normalise(text: str) -> str:
    # NFKC turns full-width digits, dot and comma (１２．５，) into ASCII, as a Chinese input method types them.
    t = unicodedata.normalize("NFKC", text).strip().replace(" ", "")
    for unit in ("万元", "万"):
        if t.endswith(unit):
            t = t[: -len(unit)]
            break
    return t


def parse_amount(value: str | int | Decimal) -> Decimal:
    """An amount in 万元 from what the clerk typed, exact: "12.5", "12.50", "１２.５", "1,234.5".

    Refused with a Chinese reason (ValueError): not a number, negative, more than 4 decimals (finer than 1 元)."""
    if isinstance(value, bool):
        raise ValueError("金额不是数字")
    if isinstance(value, int):
        value = Decimal(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"金额“{value}”不是数字")
        d = value
    else:
        t = _normalise(str(value))
        if t.startswith("-") and (_PLAIN.fullmatch(t[1:]) or _GROUPED.fullmatch(t[1:])):
            raise ValueError(f"金额“{value}”为负数，金额不能为负")
        if not t:
            raise ValueError("金额为空，请填写数字（单位：万元）")
        if _GROUPED.fullmatch(t):
            t = t.replace(",", "")
        elif not _PLAIN.fullmatch(t):
            raise ValueError(f"金额“{value}”不是数字（单位：万元，如 23.8）")
        try:
            d = Decimal(t)
        except InvalidOperation as exc:  # the patterns above let only digits through; kept for safety
            raise ValueError(f"金额“{value}”不是数字") from exc
    if d < 0:
        raise ValueError(f"金额“{value}”为负数，金额不能为负")
    if d != d.quantize(_QUANTUM):
        raise ValueError(f"金额“{value}”超过4位小数：金额以万元计，最多精确到4位小数（即1元）")
    return d


def to_units(amount: Decimal) -> int:
    """The stored integer (元) of an exact amount in 万元."""
    return int(amount * UNITS_PER_WAN)


def from_units(units: int | None) -> Decimal:
    """万元 as an exact Decimal from the stored integer (元)."""
    return Decimal(units or 0) / UNITS_PER_WAN


def amount_of(row: MoneyEntry) -> Decimal:
    return from_units(row.amount)


def parse_people(value: str | int) -> int:
    """A number of people: a whole number of at least 1 ("３" as typed on a Chinese keyboard is 3)."""
    if isinstance(value, bool):
        raise ValueError("人数须为不小于1的整数")
    t = unicodedata.normalize("NFKC", str(value)).strip()
    if not re.fullmatch(r"\d+", t) or int(t) < 1:
        raise ValueError(f"人数“{value}”无效：人数须为不小于1的整数")
    return int(t)


def amount_text(amount: Decimal) -> str:
    """An amount as a notice writes it: 23.8, 100, 0.0001 (no trailing zeros, never 1E+2)."""
    return format(amount.normalize(), "f") if amount else "0"


def amount_json(amount: Decimal) -> str:
    """An amount as ``stats --json`` gives it: always 4 decimals ("23.8000"), exact, never a float."""
    return str(amount.quantize(_QUANTUM))


# --- the figures --------------------------------------------------------------------------------------


@dataclass
class Count:
    """A figure that counts (people, rules, meetings) and the items behind it, in id order."""

    count: int = 0
    items: list[int] = field(default_factory=list)


@dataclass
class Amount:
    """A sum in 万元, exact, and the items behind it, in id order."""

    amount: Decimal = Decimal(0)
    items: list[int] = field(default_factory=list)


@dataclass
class Results:
    """An inspection's results (整改成效), each kind present only when it has entries, in the notice's order.

    `audit` holds the audit-style items' 问题金额 and 整改到位金额, which are not results and stay out of the
    sentence; `rules` is the 制度建设 register (it does not say 制定 or 修改完善, so it is one figure)."""

    accountability: dict[str, Count] = field(default_factory=dict)
    money: dict[str, Amount] = field(default_factory=dict)
    audit: dict[str, Amount] = field(default_factory=dict)
    rules: Count = field(default_factory=Count)
    meetings: dict[str, Count] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "accountability": {k: {"people": v.count, "items": v.items} for k, v in self.accountability.items()},
            "money": {k: {"amount": amount_json(v.amount), "items": v.items} for k, v in self.money.items()},
            "audit": {k: {"amount": amount_json(v.amount), "items": v.items} for k, v in self.audit.items()},
            "rules": {"count": self.rules.count, "items": self.rules.items},
            "meetings": {k: {"count": v.count, "items": v.items} for k, v in self.meetings.items()},
        }


def _ordered(found: dict[str, Any], order: tuple[str, ...]) -> dict[str, Any]:
    # Known kinds in the notice's order; a kind written by another tool after them, so it is still counted.
    keys = [k for k in order if k in found] + sorted(k for k in found if k not in order)
    return {k: found[k] for k in keys}


def _add_item(items: list[int], item_id: int | None) -> None:
    if item_id is not None and item_id not in items:
        items.append(item_id)


def compute(inspection_id: int | None = None) -> Results:
    """The results of one inspection, or of the whole ledger when `inspection_id` is None."""
    r = Results()
    aq = Accountability.select(Accountability.kind, Accountability.item, Accountability.people)
    mq = MoneyEntry.select(MoneyEntry.kind, MoneyEntry.item, MoneyEntry.amount)
    iq = Institution.select(Institution.id)
    # The register's order: the kinds as the clerk first met them (党组会议, 专题会议 …).
    meq = Meeting.select(Meeting.id, Meeting.kind).order_by(Meeting.inspection, Meeting.position, Meeting.id)
    if inspection_id is not None:
        aq = aq.where(Accountability.inspection == inspection_id)
        mq = mq.where(MoneyEntry.inspection == inspection_id)
        iq = iq.where(Institution.inspection == inspection_id)
        meq = meq.where(Meeting.inspection == inspection_id)
    acc: dict[str, Count] = {}
    for kind, item, people in aq.tuples():
        c = acc.setdefault(kind, Count())
        c.count += people or 0
        _add_item(c.items, item)
    money: dict[str, Amount] = {}
    audit: dict[str, Amount] = {}
    units: dict[str, int] = {}
    for kind, item, amount in mq.tuples():
        a = (audit if kind in AUDIT_AMOUNT_KINDS else money).setdefault(kind, Amount())
        units[kind] = units.get(kind, 0) + (amount or 0)  # whole 元: an exact integer sum
        _add_item(a.items, item)
    for group in (money, audit):
        for kind, a in group.items():
            a.amount = from_units(units[kind])
    institutions = [i for (i,) in iq.tuples()]
    r.rules.count = len(institutions)
    if institutions:
        links = InstitutionItem.select(InstitutionItem.item).where(InstitutionItem.institution.in_(institutions))
        for (item,) in links.tuples():
            _add_item(r.rules.items, item)
    meetings: dict[str, Count] = {}
    by_meeting: dict[int, str] = {}
    for mid, kind in meq.tuples():
        meetings.setdefault(kind or "会议", Count()).count += 1
        by_meeting[mid] = kind or "会议"
    if by_meeting:
        links = MeetingItem.select(MeetingItem.meeting, MeetingItem.item).where(
            MeetingItem.meeting.in_(list(by_meeting))
        )
        for mid, item in links.tuples():
            _add_item(meetings[by_meeting[mid]].items, item)
    for figures in [acc, money, audit, meetings, {"": r.rules}]:
        for f in figures.values():
            f.items.sort()
    r.accountability = _ordered(acc, ACCOUNTABILITY_KINDS)
    r.money = _ordered(money, MONEY_KINDS)
    r.audit = _ordered(audit, AUDIT_AMOUNT_KINDS)
    r.meetings = _ordered(meetings, tuple(meetings))
    return r


# Money kinds a notice follows with 资金 (追缴资金X万元); the others already name what the money is.
_SAYS_FUNDS = frozenset({"追缴", "清退", "追回"})


def sentence(r: Results, *, registers: bool = True) -> str:
    """The notice's results sentence, leaving out kinds that are zero; "" when there is nothing to say:
    在整改工作中，给予批评教育3人，诫勉1人；制定及修改完善制度5项，追回资金23.8万元；召开专题民主生活会1次。
    Without `registers`, rules and meetings are left to a sentence of their own (the notice names the rules)."""
    people = [f"{k}{v.count}人" for k, v in r.accountability.items() if v.count]
    made = [f"制定及修改完善制度{r.rules.count}项"] if r.rules.count and registers else []
    funds = [
        f"{k}{'资金' if k in _SAYS_FUNDS else ''}{amount_text(v.amount)}万元" for k, v in r.money.items() if v.amount
    ]
    meetings = [f"{k}{v.count}次" for k, v in r.meetings.items() if v.count] if registers else []
    parts = []
    if people:
        parts.append("给予" + "，".join(people))
    if made or funds:
        parts.append("，".join(made + funds))
    if meetings:
        parts.append("召开" + "，".join(meetings))
    return f"在整改工作中，{'；'.join(parts)}。" if parts else ""
