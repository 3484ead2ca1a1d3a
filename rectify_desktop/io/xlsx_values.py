"""Reading the values of a ledger's cells: what a clerk writes, as the import understands it.

Part of the Excel import (io/xlsx_import.py re-exports these names), none of it tied to a sheet or a row:
a cell as text (cell_text), numbers before titles ("1.", "（一）", "二、" → split_number, cn_to_int), a
deadline (整改时限) as a date or a phrase kept as written, the words clerks use for the status (完成情况:
已完成, 正在整改, 持续整改, 未启动 … → read_status; a progress text opening with them → leading_status) and
for the write-off (销号情况 → read_writeoff), and measures written "一是…二是…", "1.…2.…", "①…②…" or one a
line, split into one measure each (split_measures).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rectify_desktop.core import rules
from rectify_desktop.core.importing import ImportedWriteOff
from rectify_desktop.core.models import (
    DONE,
    IN_PROGRESS,
    NOT_STARTED,
    ONGOING,
    STATUSES,
    WO_APPLY,
    WO_APPROVE,
    WO_REJECT,
)

_CN_DIGITS = {ch: i for i, ch in enumerate("零一二三四五六七八九")}
_CN = "零〇一二三四五六七八九十百两"


def cn_to_int(text: str) -> int | None:
    """一 → 1, 十二 → 12, 二十一 → 21, 一百零五 → 105 (as far as headings go)."""
    text = text.replace("〇", "零").replace("两", "二")
    if not text or any(ch not in _CN for ch in text):
        return None
    total, num = 0, 0
    for ch in text:
        if ch in _CN_DIGITS:
            num = _CN_DIGITS[ch]
        elif ch == "十":
            total += (num or 1) * 10
            num = 0
        elif ch == "百":
            total += (num or 1) * 100
            num = 0
    return total + num


_NUMBER_PREFIX = re.compile(
    r"^\s*(?:[（(]\s*(?P<a>\d{1,4}|[一二三四五六七八九十百〇零两]{1,4})\s*[)）]"
    r"|(?P<b>\d{1,4})\s*(?:[.．、,，](?!\d)|[)）])"
    r"|(?P<c>[一二三四五六七八九十百〇零两]{1,4})\s*[、.．])\s*"
)


def split_number(text: str) -> tuple[int | None, str]:
    """ "1.标题" → (1, "标题"); "（1）标题" and "(一)标题" likewise; a title without a number → (None, title)."""
    m = _NUMBER_PREFIX.match(text)
    if not m:
        return None, text.strip()
    raw = m.group("a") or m.group("b") or m.group("c")
    number = int(raw) if raw.isdigit() else cn_to_int(raw)
    return number, text[m.end() :].strip()


def cell_text(value: Any) -> str:
    """A cell as text: dates as 2021年6月30日, whole numbers without ".0", line breaks kept."""
    if value is None:
        return ""
    if type(value) is str and "\r" not in value and "_x000D_" not in value:
        text = value.strip()
        if " \n" in text or "\t\n" in text or "\u3000\n" in text:
            return "\n".join(line.rstrip() for line in text.split("\n"))
        return text
    if isinstance(value, dt.datetime):
        return rules.deadline_display(value.date(), "") if value.time() == dt.time() else str(value)
    if isinstance(value, dt.date):
        return rules.deadline_display(value, "")
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).replace("\r\n", "\n").replace("\r", "\n").replace("_x000D_", "")
    return "\n".join(line.rstrip() for line in text.strip().split("\n"))


# Serial numbers of dates an Excel ledger can hold (1954 .. 2119), for cells stored without a date format.
_SERIAL_RANGE = (20000, 80000)
_DATE_TIME = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2})[ T]0{1,2}:00(?::00(?:\.0+)?)?$")


@dataclass
class Deadline:
    text: str
    date: dt.date | None
    note: str = ""  # a guess to report


def read_deadline(value: Any) -> Deadline:
    """A deadline cell: a real date, an Excel serial number, a written date or a phrase kept as written."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return Deadline(rules.deadline_display(value, ""), value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if _SERIAL_RANGE[0] <= value <= _SERIAL_RANGE[1]:
            from openpyxl.utils.datetime import from_excel

            d = from_excel(value)
            d = d.date() if isinstance(d, dt.datetime) else d
            text = rules.deadline_display(d, "")
            return Deadline(text, d, f"数字 {cell_text(value)} 按 Excel 日期读作“{text}”")
        return Deadline(cell_text(value), None)
    text = cell_text(value)
    m = _DATE_TIME.match(text)
    if m:
        text = m.group(1)
    return Deadline(text, None)


_STATUS_WORDS: dict[str, str] = {
    "完成": DONE,
    "已整改": DONE,
    "已办结": DONE,
    "办结": DONE,
    "整改完成": DONE,
    "已整改完成": DONE,
    "已完成整改": DONE,
    "已落实": DONE,
    "已销号": DONE,
    "是": DONE,
    "推进中": IN_PROGRESS,
    "持续推进": IN_PROGRESS,
    "正在整改": IN_PROGRESS,
    "整改中": IN_PROGRESS,
    "进行中": IN_PROGRESS,
    "正在落实": IN_PROGRESS,
    "正在进行": IN_PROGRESS,
    "未完成": IN_PROGRESS,
    "部分完成": IN_PROGRESS,
    "基本完成": IN_PROGRESS,
    "阶段性完成": IN_PROGRESS,
    "否": IN_PROGRESS,
    "持续整改": ONGOING,
    "长期整改": ONGOING,
    "常态化推进": ONGOING,
    "长期推进": ONGOING,
    "持续坚持": ONGOING,
    "长期": ONGOING,
    "未启动": NOT_STARTED,
    "未开始": NOT_STARTED,
    "尚未启动": NOT_STARTED,
    "尚未开始": NOT_STARTED,
    "未整改": NOT_STARTED,
    "待启动": NOT_STARTED,
}
BLANK = "（空白）"
SAME_AS_ABOVE = ("同上", "同左上", "〃")
_ANY_DATE = re.compile(r"(\d{4})\s*[年./\-]\s*(\d{1,2})\s*[月./\-]\s*(\d{1,2})\s*日?")


def _date_in(text: str) -> tuple[dt.date | None, str]:
    """The first written date in `text`, and the text without it (and without the brackets around it)."""
    m = _ANY_DATE.search(text)
    if not m:
        return None, text
    try:
        d = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None, text
    rest = (text[: m.start()] + text[m.end() :]).strip()
    rest = re.sub(r"[（(]\s*(?:于|完成于)?\s*[)）]", "", rest).strip(" ，,；;：:于")
    return d, rest


@dataclass
class Status:
    status: str
    completed: dt.date | None = None
    word: str = ""  # the word as written, when the status had to be guessed from it ("" = no guess)


def read_status(value: Any) -> Status:
    """A status cell: one of the four statuses (with a completion date), or a word mapped to one."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return Status(DONE, value, cell_text(value))
    text = cell_text(value)
    if not text:
        return Status(NOT_STARTED, None, BLANK)
    date, word = _date_in(text)
    key = re.sub(r"\s", "", word)
    if key in STATUSES:
        return Status(key, date if key == DONE else None)
    if key in _STATUS_WORDS:
        status = _STATUS_WORDS[key]
    elif not key and date:
        status = DONE
    elif any(w in key for w in ("未启动", "未开始", "尚未")):
        status = NOT_STARTED
    elif any(w in key for w in ("长期", "持续整改", "常态")):
        status = ONGOING
    elif any(w in key for w in ("未完成", "推进", "整改中", "进行", "正在", "部分", "基本", "阶段")):
        status = IN_PROGRESS
    elif any(w in key for w in ("完成", "已整改", "办结", "销号", "落实")):
        status = DONE
    else:
        status = IN_PROGRESS
    return Status(status, date if status == DONE else None, text)


# Status words as they open a progress text ("已完成。已梳理…"), longest first, each with its status
# (DOMAIN.md: 持续整改 is 长期坚持; 阶段性完成 is not done).
_LEADING_WORDS: tuple[tuple[str, str], ...] = tuple(
    sorted(
        {
            **{
                w: DONE
                for w in ("已完成整改", "已整改完成", "整改完成", "已经完成", "已完成", "已整改到位", "整改到位")
            },
            **{w: DONE for w in ("已整改", "已办结", "已落实", "已销号", "完成", "办结")},
            **{
                w: IN_PROGRESS for w in ("正在整改", "正在推进", "持续推进", "推进中", "整改中", "正在落实", "正在进行")
            },
            **{w: IN_PROGRESS for w in ("进行中", "阶段性完成", "基本完成", "部分完成", "尚未完成", "未完成")},
            **{w: ONGOING for w in ("长期坚持", "持续整改", "长期整改", "常态化推进", "长期推进")},
            **{w: NOT_STARTED for w in ("尚未启动", "未启动", "尚未开始", "未开始", "未整改")},
        }.items(),
        key=lambda kv: -len(kv[0]),
    )
)
_LEADING = re.compile(
    r"^\s*(?:目前|截至目前|现已?|该项)?[，,]?\s*(?P<word>"
    + "|".join(re.escape(w) for w, _ in _LEADING_WORDS)
    + r")(?=$|[\s。．.，,；;：:、！!（(])"
)
# 已完成，长期坚持: done once, and kept up for good, which the ledger calls 长期坚持 (not counted as done).
_THEN_ONGOING = re.compile(r"^[，,、；;]\s*(?P<word>长期坚持|持续整改|长期整改)(?=$|[\s。．.，,；;])")
_REST_PUNCT = " \t\n。．.，,；;：:、！!"


@dataclass
class LeadingStatus:
    status: str
    word: str  # the words that say it, as written
    bare: bool  # nothing but those words (and a date): no progress text besides


def leading_status(text: str) -> LeadingStatus | None:
    """The status a cell's text opens with ("已完成。已梳理…" → 已完成), or None when it opens otherwise."""
    m = _LEADING.match(text or "")
    if not m:
        return None
    word = m.group("word")
    status = dict(_LEADING_WORDS)[word]
    rest = text[m.end() :]
    then = _THEN_ONGOING.match(rest) if status == DONE else None
    if then:
        word, status, rest = text[m.start("word") : m.end() + then.end()], ONGOING, rest[then.end() :]
    _, rest = _date_in(rest)
    return LeadingStatus(status, word, not rest.strip(_REST_PUNCT + "（）()"))


def read_writeoff(value: Any) -> tuple[list[ImportedWriteOff], bool]:
    """A 销号情况 cell as write-off steps; the flag says whether the words were understood."""
    text = cell_text(value)
    if not text:
        return [], True
    date, word = _date_in(text)
    word = re.sub(r"\s", "", word)
    if word in ("已销号", "销号", "已销账", "销账", "是", "已销"):
        return [ImportedWriteOff(WO_APPLY, date=date), ImportedWriteOff(WO_APPROVE, date=date)], True
    if word in ("待审核", "已申请", "申请销号", "已申请销号", "审核中"):
        return [ImportedWriteOff(WO_APPLY, date=date)], True
    if word in ("已退回", "退回"):
        return [ImportedWriteOff(WO_REJECT, date=date)], True
    if word in ("否", "未销号", "未销账", "无"):
        return [], True
    return [], False


# --- measures ---------------------------------------------------------------------------------------

_SEPARATORS = "\n\t ；;。，,：:、)）"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_TRAILING = "；;。，,、 \n\t"


def _markers(text: str, pattern_for: Callable[[int], re.Pattern[str]]) -> list[tuple[int, int]]:
    """Positions of the markers 1, 2, 3 … in order; the first at the start or after a separator."""
    out: list[tuple[int, int]] = []
    pos, k = 0, 1
    while True:
        found = None
        for m in pattern_for(k).finditer(text, pos):
            if k > 1 or m.start() == 0 or text[m.start() - 1] in _SEPARATORS:
                found = m
                break
        if found is None:
            return out
        out.append((found.start(), found.end()))
        pos, k = found.end(), k + 1


@functools.lru_cache(maxsize=64)
def _cn_marker(k: int) -> re.Pattern[str]:
    return re.compile("(?<![一二三四五六七八九十百零])" + re.escape(rules.cn_number(k)) + "是")


@functools.lru_cache(maxsize=64)
def _arabic_marker(k: int) -> re.Pattern[str]:
    circled = re.escape(_CIRCLED[k - 1]) if k <= len(_CIRCLED) else "(?!)"
    return re.compile(rf"(?<![\d.．]){k}\s*[.．、](?!\d)|[（(]\s*{k}\s*[)）]|{circled}")


def split_measures(value: Any) -> list[str]:
    """Measures as clerks write them: "一是…；二是…", "1.…2.…", "（1）…（2）…", "①…②…" or one per line."""
    text = cell_text(value)
    if not text:
        return []
    for pattern_for in (_cn_marker, _arabic_marker):
        marks = _markers(text, pattern_for)
        if marks:
            parts = []
            head = text[: marks[0][0]].strip(_TRAILING + "：:")
            if head:
                parts.append(head)
            for i, (_, end) in enumerate(marks):
                stop = marks[i + 1][0] if i + 1 < len(marks) else len(text)
                parts.append(text[end:stop].strip(_TRAILING).lstrip("：:，, "))
            return [p for p in parts if p]
    # Unnumbered measures one a line, or in one line separated by ；("补齐…；规范…"): each its own measure.
    parts = [p.strip(_TRAILING) for line in text.split("\n") for p in re.split(r"[；;]", line)]
    return [p for p in parts if p]


def _short(text: str, n: int = 20) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= n else text[:n] + "…"
