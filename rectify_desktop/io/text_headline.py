"""The totals a text states (整改总体情况): "13个问题细化为29项，已整改完成28项，正在推进1项，完成率97%"
read into numbers, for the checks against what was recognised."""

from __future__ import annotations

import re

from rectify_desktop.io.text_words import NUM, cn_to_int

_UNIT = r"\s*(?:个|项|条)"
_HEADLINE_PATTERNS: dict[str, tuple[str, ...]] = {
    "done": (
        rf"(?:已整改完成|已完成整改|整改完成|已完成|已整改到位|已办结|已整改)\s*({NUM}){_UNIT}",
        rf"({NUM}){_UNIT}(?:问题)?已(?:整改)?完成",
    ),
    "in_progress": (
        rf"(?:正在推进|正在整改|持续推进|推进中|整改中|正在落实|尚未完成|未完成|阶段性完成(?:整改)?|基本完成(?:整改)?)"
        rf"\s*({NUM}){_UNIT}",
        rf"({NUM}){_UNIT}(?:问题)?正在(?:推进|整改|落实)",
    ),
    "ongoing": (rf"(?:持续整改|长期坚持|长期整改)\s*({NUM}){_UNIT}", rf"({NUM}){_UNIT}(?:问题)?(?:需)?长期坚持"),
    "not_started": (rf"(?:尚未启动|未启动)\s*({NUM}){_UNIT}",),
}
_SPLIT_RE = re.compile(
    rf"({NUM}){_UNIT}(?:具体)?问题[，,]?\s*(?:共|进一步|全部|已)?(?:细化|分解|细分)(?:为|成|出)?\s*({NUM}){_UNIT}"
)
_FINDINGS_RES = (
    re.compile(rf"反馈(?:的)?(?:各类)?({NUM}){_UNIT}(?:具体)?问题"),
    re.compile(rf"(?:反馈|发现|指出|反映)(?:的)?问题\s*({NUM}){_UNIT}"),  # 反馈问题3个
    re.compile(rf"共(?:计)?\s*({NUM}){_UNIT}(?:具体)?问题"),  # 共计20项具体问题
    re.compile(rf"(?:反映|指出|存在|发现|反馈|查出)[^，。；]{{0,12}}?({NUM}){_UNIT}(?:具体)?问题"),
)
_CATEGORIES_RE = re.compile(rf"({NUM})\s*个?方面")
_ITEMS_RE = re.compile(rf"(?:细化|分解|细分)+(?:为|成|出)\s*({NUM}){_UNIT}")
_MEASURES_RE = re.compile(rf"(?:提出|制定|明确)了?\s*({NUM})\s*(?:项|条)(?:具体)?整改措施")
_ALL_DONE_RE = re.compile(r"(?:已)?全部(?:整改)?完成|已全部(?:完成)?整改(?:完成|到位)?")
_PERCENT_RE = re.compile(r"(?:完成率|整改率)(?:为|达到?|是)?\s*(\d+(?:[.．]\d+)?)\s*[%％]")
_PERCENT_CN_RE = re.compile(rf"(?:完成率|整改率)(?:为|达到?|是)?\s*百分之({NUM})")
_HEADLINE_WORDS = re.compile(r"已整改完成|已完成|整改完成|正在推进|正在整改|已整改|阶段性完成|细化|分解|全部整改完成")


def parse_headline(text: str) -> dict[str, int]:
    """The totals a text states: "巡察反馈的13个问题细化为29项，已整改完成28项，正在推进1项，完成率97%"
    → findings, items, done, in_progress (and ongoing, not_started, percent) where stated."""
    out: dict[str, int] = {}
    sentences = [s for s in re.split(r"[。\n]", text or "") if s.strip()]
    idx = next((i for i, s in enumerate(sentences) if "完成率" in s or "整改率" in s), None)
    if idx is None:
        idx = next((i for i, s in enumerate(sentences) if "问题" in s and _HEADLINE_WORDS.search(s)), None)
    # The sentence before and after too: "…十个问题，细化分解为十二个分项问题。截至目前，已完成整改十个…".
    window = "。".join(sentences[max(0, idx - 1) : idx + 2]) if idx is not None else ""
    for where in (window, text or ""):
        m = _SPLIT_RE.search(where)
        if m:
            f, i = cn_to_int(m.group(1)), cn_to_int(m.group(2))
            if f is not None and i is not None:
                out["findings"], out["items"] = f, i
                break
    if "findings" not in out:
        for where in (window, text or ""):
            for pattern in _FINDINGS_RES:
                m = pattern.search(where)
                if m and cn_to_int(m.group(1)) is not None:
                    out["findings"] = cn_to_int(m.group(1))  # type: ignore[assignment]
                    break
            if "findings" in out:
                break
    if not window:
        return out
    for key, pattern in (("categories", _CATEGORIES_RE), ("items", _ITEMS_RE), ("measures", _MEASURES_RE)):
        m = pattern.search(window)
        if key not in out and m and cn_to_int(m.group(1)) is not None:
            out[key] = cn_to_int(m.group(1))  # type: ignore[assignment]
    for key, patterns in _HEADLINE_PATTERNS.items():
        for p in patterns:
            m = re.search(p, window)
            if m and cn_to_int(m.group(1)) is not None:
                out[key] = cn_to_int(m.group(1))  # type: ignore[assignment]
                break
    if "done" not in out and _ALL_DONE_RE.search(window) and ("items" in out or "findings" in out):
        out["done"] = out.get("items", out.get("findings", 0))
    m = _PERCENT_RE.search(window)
    if m:
        out["percent"] = int(float(m.group(1).replace("．", ".")) + 0.5)
    else:
        m = _PERCENT_CN_RE.search(window)
        if m and cn_to_int(m.group(1)) is not None:
            out["percent"] = cn_to_int(m.group(1))  # type: ignore[assignment]
    return out
