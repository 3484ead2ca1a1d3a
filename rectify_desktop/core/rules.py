"""The rules of a ledger: numbering as the documents write it, deadlines, overdue, and rounding.

Pure functions with no database and no Qt, so that every number the program shows can be tested alone.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal

from rectify_desktop.core.models import DONE, ONGOING

_DIGITS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    """1 → 一, 10 → 十, 21 → 二十一, 105 → 一百零五 (as category numbers and measures are written)."""
    if n < 0:
        raise ValueError(n)
    if n < 10:
        return _DIGITS[n]
    if n < 20:
        return "十" + (_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return _DIGITS[n // 10] + "十" + (_DIGITS[n % 10] if n % 10 else "")
    if n < 1000:
        rest = n % 100
        head = _DIGITS[n // 100] + "百"
        if rest == 0:
            return head
        if rest < 10:
            return head + "零" + _DIGITS[rest]
        if rest < 20:
            return head + "一" + cn_number(rest)
        return head + cn_number(rest)
    return str(n)


def category_label(index: int) -> str:
    """The category marker for the index-th category (1-based): （一）."""
    return f"（{cn_number(index)}）"


def finding_label(number: int) -> str:
    return f"{number}."


def item_label(number: int) -> str:
    return f"（{number}）"


def measures_text(texts: list[str], sep: str = "\n") -> str:
    """Measures as documents write them: 一是……；二是……。"""
    parts = []
    for i, t in enumerate(texts, 1):
        t = t.strip().rstrip("。；;，,")
        if t:
            parts.append(f"{cn_number(i)}是{t}")
    if not parts:
        return ""
    return ("；" + sep if sep else "；").join(parts) + "。"


def percent_one_decimal(done: int, total: int) -> float:
    """Completion rate with one decimal, as a dashboard shows it (28/29 → 96.6)."""
    if total <= 0:
        return 0.0
    return float((Decimal(done) * 100 / Decimal(total)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def percent_whole(done: int, total: int) -> int:
    """Completion rate rounded half up to a whole percent, as a notice writes it (28/29 → 97)."""
    if total <= 0:
        return 0
    return int((Decimal(done) * 100 / Decimal(total)).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


# --- deadlines -------------------------------------------------------------------------------------

IMMEDIATE = "立行立改"
LONG_TERM = "长期坚持"
DEFAULT_IMMEDIATE_DAYS = 30

_FULL_DATE = re.compile(r"^\s*(\d{4})\s*[年./\-]\s*(\d{1,2})\s*[月./\-]\s*(\d{1,2})\s*日?\s*(前|之前|以前)?\s*$")
_MONTH_END = re.compile(r"^\s*(?:(\d{4})\s*年)?\s*(\d{1,2})\s*月\s*(底|末|份)?\s*(前|之前|以前)?\s*$")
_YEAR_END = re.compile(r"^\s*(?:(\d{4})\s*年?)?\s*(年底|年末|年内)\s*(前|之前|以前)?\s*$")
_BEFORE = r"\s*(?:前|之前|以前)?\s*$"
_YEAR = r"^\s*(?:(\d{4})\s*年)?\s*"
_MONTH = r"(\d{1,2}|十[一二]?|[一二三四五六七八九])\s*月"
# A day without its year (6月30日前), a quarter (第三季度末), a half (上半年), a third of a month (9月中旬): the
# shapes notices write that a date or a month's end does not cover; the year is the inspection's when unsaid.
_MONTH_DAY = re.compile(_YEAR + _MONTH + r"\s*(\d{1,2})\s*[日号]" + _BEFORE)
_CN_MONTH_END = re.compile(_YEAR + _MONTH + r"\s*(?:底|末|份)?" + _BEFORE)
_QUARTER = re.compile(_YEAR + r"第?\s*([1-4一二三四])\s*季度\s*(?:末|底)?" + _BEFORE)
_HALF = re.compile(_YEAR + r"([上下])半年\s*(?:末|底)?" + _BEFORE)
_TEN_DAYS = re.compile(_YEAR + _MONTH + r"\s*([上中下])旬\s*(?:末)?" + _BEFORE)
# "…前完成", "…前全部完成": the date is the same with or without the verb.
_DONE_SUFFIX = re.compile(r"(?:全部|基本)?(?:整改)?完成\s*$")
_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


def _small_number(text: str) -> int:
    """1–12 written in digits or in Chinese (一 … 十二)."""
    if text.isdigit():
        return int(text)
    if text.startswith("十"):
        return 10 + (_CN_DIGITS[text[1]] if len(text) > 1 else 0)
    return _CN_DIGITS[text]


def _resolve_shape(t: str, year: int | None) -> dt.date | None:
    """The shapes beyond a written date, a month's end and a year's end; None when none fits or no year is known."""
    for pattern in (_MONTH_DAY, _CN_MONTH_END, _QUARTER, _HALF, _TEN_DAYS):
        m = pattern.match(t)
        if not m:
            continue
        y = int(m.group(1)) if m.group(1) else year
        if y is None:
            return None
        try:
            if pattern is _MONTH_DAY:
                return dt.date(y, _small_number(m.group(2)), int(m.group(3)))
            if pattern is _CN_MONTH_END:
                month = _small_number(m.group(2))
                return _month_end(y, month) if 1 <= month <= 12 else None
            if pattern is _QUARTER:
                return _month_end(y, 3 * _small_number(m.group(2)))
            if pattern is _HALF:
                return dt.date(y, 6, 30) if m.group(2) == "上" else dt.date(y, 12, 31)
            month = _small_number(m.group(2))
            if not 1 <= month <= 12:
                return None
            return {"上": dt.date(y, month, 10), "中": dt.date(y, month, 20)}.get(m.group(3)) or _month_end(y, month)
        except (ValueError, KeyError):
            return None
    return None


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def parse_date(text: str) -> dt.date | None:
    """A written date: 2021-06-30, 2021.6.30, 2021/6/30, 2021年6月30日 (and a trailing 前)."""
    m = _FULL_DATE.match(text or "")
    if not m:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def resolve_deadline(
    text: str,
    *,
    year: int | None = None,
    feedback_date: dt.date | None = None,
    immediate_days: int = DEFAULT_IMMEDIATE_DAYS,
) -> dt.date | None:
    """The last day a deadline phrase allows, or None when it has none (长期坚持) or cannot be told.

    "2021年6月底前" → 2021-06-30; "6月底前" and "年底前" need the inspection's year; 立行立改 counts from
    the feedback date plus a period the settings give. Also "6月30日前", "十月底前", "第三季度末", "上半年",
    "9月中旬" and any of them followed by 完成.
    """
    t = _DONE_SUFFIX.sub("", (text or "").strip()).strip()
    if not t or LONG_TERM in t or "持续" in t:
        return None
    if IMMEDIATE in t:
        return feedback_date + dt.timedelta(days=immediate_days) if feedback_date else None
    d = parse_date(t)
    if d:
        return d
    m = _MONTH_END.match(t)
    if m:
        y = int(m.group(1)) if m.group(1) else year
        month = int(m.group(2))
        if y is None or not 1 <= month <= 12:
            return None
        return _month_end(y, month)
    m = _YEAR_END.match(t)
    if m:
        y = int(m.group(1)) if m.group(1) else year
        return dt.date(y, 12, 31) if y else None
    return _resolve_shape(t, year)


def deadline_display(deadline_date: dt.date | None, deadline_text: str) -> str:
    """What the ledger prints in 整改时限: the clerk's phrase if there is one, else the date."""
    if deadline_text:
        return deadline_text
    if deadline_date:
        return f"{deadline_date.year}年{deadline_date.month}月{deadline_date.day}日"
    return ""


def effective_deadline(
    deadline_date: dt.date | None,
    deadline_text: str,
    *,
    year: int | None = None,
    feedback_date: dt.date | None = None,
    immediate_days: int = DEFAULT_IMMEDIATE_DAYS,
) -> dt.date | None:
    if deadline_date:
        return deadline_date
    return resolve_deadline(deadline_text, year=year, feedback_date=feedback_date, immediate_days=immediate_days)


def is_overdue(status: str, deadline: dt.date | None, today: dt.date) -> bool:
    """Overdue: the deadline has passed and the item is neither done nor ongoing by nature."""
    return deadline is not None and deadline < today and status not in (DONE, ONGOING)


def days_left(status: str, deadline: dt.date | None, today: dt.date) -> int | None:
    """Days until the deadline for an item still to be done; None when it has none or is done."""
    if deadline is None or status in (DONE, ONGOING):
        return None
    return (deadline - today).days
