"""The words a feedback or notice text is read by: Chinese numbers (十三, 二十九), the status phrases
(已完成, 正在推进 …) and how a warning quotes a title or a list of numbers."""

from __future__ import annotations

import re

from rectify_desktop.core.models import DONE, IN_PROGRESS, NOT_STARTED, ONGOING

# --- numbers -------------------------------------------------------------------------------------------

_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
NUM = r"(?:\d+|[零〇一二两三四五六七八九十百千]+)"


def cn_to_int(text: str) -> int | None:
    """13, １３, 十三, 二十九, 一百零五, 两 → the number; None when it is not one."""
    s = (text or "").strip()
    if not s:
        return None
    if s.isdecimal():
        try:
            return int(s)
        except ValueError:
            return None
    total, cur = 0, 0
    for ch in s:
        if ch in _CN_DIGITS:
            cur = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            total += (cur or 1) * _CN_UNITS[ch]
            cur = 0
        else:
            return None
    return total + cur


# --- statuses as texts write them -----------------------------------------------------------------------

# What a text says of an item, earliest phrase first ("正在推进。已完成网站清理…" is in progress).
_STATUS_WORDS: tuple[tuple[str, str], ...] = (
    (
        IN_PROGRESS,
        r"尚未(?:整改)?完成|未(?:整改)?完成|阶段性完成|基本完成|部分整改|正在推进|持续推进|正在整改|推进中|整改中|正在落实",
    ),
    (ONGOING, r"长期坚持|持续整改|长期整改"),
    (NOT_STARTED, r"尚未启动|未启动|尚未开始|未开始"),
    (DONE, r"已整改完成|已完成整改|整改完成|已经完成|已完成|已整改到位|整改到位|已办结|已销号"),
)
_STATUS_RE = re.compile("|".join(f"(?P<s{i}>{p})" for i, (_, p) in enumerate(_STATUS_WORDS)))
# How the notice writes each status at the head of an item's progress, so that its import finds it again.
STATUS_PHRASES: dict[str, str] = {DONE: "已完成", IN_PROGRESS: "正在推进", ONGOING: "持续整改", NOT_STARTED: "尚未启动"}


def status_in(text: str) -> str | None:
    """The status a progress text states first, or None."""
    m = _STATUS_RE.search(text or "")
    if not m:
        return None
    for i, (status, _) in enumerate(_STATUS_WORDS):
        if m.group(f"s{i}"):
            return status
    return None


_BARE_STATUS = re.compile(rf"^(?:目前|截至目前|该项)?[，,]?(?:{'|'.join(p for _, p in _STATUS_WORDS)})[。.；;]?$")


STATUS_WORDS_SHORT = {IN_PROGRESS: "正在推进", ONGOING: "持续整改", NOT_STARTED: "未启动", DONE: "已完成"}


def _short(text: str, n: int = 20) -> str:
    t = " ".join((text or "").split())
    return t if len(t) <= n else t[:n] + "…"


def _num(n: int | None) -> str:
    return str(n) if n is not None else ""


def _list(numbers: list[int]) -> str:
    shown = "、".join(str(n) for n in numbers[:20])
    return shown + ("等" if len(numbers) > 20 else "")
