"""The ledger's rules: numbering, measures text, rounding, deadlines and overdue (pure functions)."""

from __future__ import annotations

import datetime as dt

import pytest

from rectify_desktop.core import rules
from rectify_desktop.core.models import DONE, IN_PROGRESS, NOT_STARTED, ONGOING


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (0, "零"),
        (1, "一"),
        (9, "九"),
        (10, "十"),
        (11, "十一"),
        (19, "十九"),
        (20, "二十"),
        (21, "二十一"),
        (99, "九十九"),
        (100, "一百"),
        (105, "一百零五"),
        (110, "一百一十"),
        (111, "一百一十一"),
        (120, "一百二十"),
        (999, "九百九十九"),
    ],
)
def test_cn_number(n: int, text: str) -> None:
    assert rules.cn_number(n) == text


def test_cn_number_rejects_negative() -> None:
    with pytest.raises(ValueError):
        rules.cn_number(-1)


def test_labels() -> None:
    assert rules.category_label(1) == "（一）"
    assert rules.category_label(12) == "（十二）"
    assert rules.finding_label(3) == "3."
    assert rules.item_label(2) == "（2）"


def test_measures_text() -> None:
    assert rules.measures_text(["加强学习", "完善制度。", "  强化督导；"], sep="") == (
        "一是加强学习；二是完善制度；三是强化督导。"
    )
    assert rules.measures_text(["加强学习", "完善制度"]) == "一是加强学习；\n二是完善制度。"
    # Empty measures are skipped, but the numbering follows the list's positions.
    assert rules.measures_text(["", "  "]) == ""
    assert rules.measures_text([]) == ""
    assert rules.measures_text(["只有一条"], sep="") == "一是只有一条。"


def test_percent() -> None:
    assert rules.percent_one_decimal(28, 29) == 96.6
    assert rules.percent_whole(28, 29) == 97
    assert rules.percent_one_decimal(16, 29) == 55.2
    assert rules.percent_whole(16, 29) == 55
    # Half up, as a notice rounds (not banker's rounding): 1/8 = 12.5% → 13%, 1/16 = 6.25% → 6.3%.
    assert rules.percent_whole(1, 8) == 13
    assert rules.percent_one_decimal(1, 16) == 6.3
    assert rules.percent_one_decimal(29, 29) == 100.0
    assert rules.percent_whole(29, 29) == 100


def test_percent_zero_total() -> None:
    assert rules.percent_one_decimal(0, 0) == 0.0
    assert rules.percent_whole(0, 0) == 0
    assert rules.percent_one_decimal(3, 0) == 0.0
    assert rules.percent_whole(0, 5) == 0


@pytest.mark.parametrize(
    ("text", "year", "expected"),
    [
        ("2021年6月底前", None, dt.date(2021, 6, 30)),
        ("2021年6月底前", 1999, dt.date(2021, 6, 30)),
        ("2024年2月底前", None, dt.date(2024, 2, 29)),
        ("6月底前", 2021, dt.date(2021, 6, 30)),
        ("11月底", 2021, dt.date(2021, 11, 30)),
        ("年底前", 2021, dt.date(2021, 12, 31)),
        ("2022年底前", None, dt.date(2022, 12, 31)),
        ("2022年年底前", None, dt.date(2022, 12, 31)),
        ("2022年内", 2021, dt.date(2022, 12, 31)),
        ("2021.9.30", None, dt.date(2021, 9, 30)),
        ("2021/6/30", None, dt.date(2021, 6, 30)),
        ("2021-06-30", None, dt.date(2021, 6, 30)),
        ("2021年6月30日", None, dt.date(2021, 6, 30)),
        ("2021年6月30日前", None, dt.date(2021, 6, 30)),
        # shapes the notices write (issue 13): a trailing 完成, a day without its year, quarters, halves, 旬
        ("2026年10月底前完成", None, dt.date(2026, 10, 31)),
        ("2026年10月底前全部完成", None, dt.date(2026, 10, 31)),
        ("6月30日前", 2026, dt.date(2026, 6, 30)),
        ("10月31日", 2026, dt.date(2026, 10, 31)),
        ("10月31日前完成", 2026, dt.date(2026, 10, 31)),
        ("2026年第三季度末", None, dt.date(2026, 9, 30)),
        ("三季度末前", 2026, dt.date(2026, 9, 30)),
        ("2026年第1季度", None, dt.date(2026, 3, 31)),
        ("2027年上半年", None, dt.date(2027, 6, 30)),
        ("下半年", 2026, dt.date(2026, 12, 31)),
        ("9月中旬", 2026, dt.date(2026, 9, 20)),
        ("2026年9月上旬前", None, dt.date(2026, 9, 10)),
        ("2026年2月下旬", None, dt.date(2026, 2, 28)),
        ("十月底前", 2026, dt.date(2026, 10, 31)),
        ("2026年十二月底", None, dt.date(2026, 12, 31)),
    ],
)
def test_resolve_deadline(text: str, year: int | None, expected: dt.date) -> None:
    assert rules.resolve_deadline(text, year=year) == expected


@pytest.mark.parametrize(
    "text",
    [
        "长期坚持",
        "持续整改",
        "",
        "   ",
        "尽快",
        "garbage",
        "2021年13月底前",
        "2021.2.30",
        "6月底前",
        "年底前",
        "2026年第五季度",
        "2月30日前",
        "6月30日前",
        "三季度末",
        "完成",
    ],
)
def test_resolve_deadline_none(text: str) -> None:
    # 6月底前 and 年底前 without the inspection's year cannot be told.
    assert rules.resolve_deadline(text) is None


def test_resolve_deadline_immediate() -> None:
    feedback = dt.date(2021, 4, 10)
    assert rules.resolve_deadline("立行立改", feedback_date=feedback, immediate_days=30) == dt.date(2021, 5, 10)
    assert rules.resolve_deadline("立行立改", feedback_date=feedback, immediate_days=7) == dt.date(2021, 4, 17)
    assert rules.resolve_deadline("立行立改", feedback_date=feedback) == feedback + dt.timedelta(
        days=rules.DEFAULT_IMMEDIATE_DAYS
    )
    assert rules.resolve_deadline("立行立改") is None


def test_effective_deadline_prefers_date() -> None:
    d = dt.date(2021, 3, 1)
    assert rules.effective_deadline(d, "2021年6月底前") == d
    assert rules.effective_deadline(None, "6月底前", year=2021) == dt.date(2021, 6, 30)


def test_deadline_display() -> None:
    assert rules.deadline_display(dt.date(2021, 6, 30), "") == "2021年6月30日"
    assert rules.deadline_display(dt.date(2021, 6, 30), "立行立改") == "立行立改"
    assert rules.deadline_display(None, "") == ""


def test_is_overdue() -> None:
    today = dt.date(2021, 7, 1)
    past, future = dt.date(2021, 6, 30), dt.date(2021, 7, 2)
    assert rules.is_overdue(NOT_STARTED, past, today)
    assert rules.is_overdue(IN_PROGRESS, past, today)
    assert not rules.is_overdue(IN_PROGRESS, future, today)
    assert not rules.is_overdue(IN_PROGRESS, today, today)  # due today is not yet overdue
    assert not rules.is_overdue(IN_PROGRESS, None, today)
    # Done and ongoing items are never overdue.
    assert not rules.is_overdue(DONE, past, today)
    assert not rules.is_overdue(ONGOING, past, today)


def test_days_left() -> None:
    today = dt.date(2021, 7, 1)
    assert rules.days_left(IN_PROGRESS, dt.date(2021, 7, 8), today) == 7
    assert rules.days_left(NOT_STARTED, dt.date(2021, 6, 30), today) == -1
    assert rules.days_left(DONE, dt.date(2021, 7, 8), today) is None
    assert rules.days_left(ONGOING, dt.date(2021, 7, 8), today) is None
    assert rules.days_left(IN_PROGRESS, None, today) is None


def test_parse_date() -> None:
    assert rules.parse_date("2021.9.30") == dt.date(2021, 9, 30)
    assert rules.parse_date("2021年9月30日") == dt.date(2021, 9, 30)
    assert rules.parse_date("立行立改") is None
    assert rules.parse_date("") is None
