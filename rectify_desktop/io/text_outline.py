"""The ladder of headings (标题层次): each line of a text classified as a section (一、), category (（一）),
finding (1.), item (（1）, 问题N：, ①) or plain text; lines a PDF copy broke, or a web copy ran together,
put right; titles cut from their descriptions; numbered lines under a measure label kept as measures."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from rectify_desktop.core.rules import cn_number
from rectify_desktop.io.text_measures import _LABEL_RE
from rectify_desktop.io.text_words import cn_to_int

# --- the outline ---------------------------------------------------------------------------------------

_CN_SMALL = "一二三四五六七八九十"
_SECTION_RE = re.compile(rf"^([{_CN_SMALL}]{{1,3}})\s*[、．.]\s*(.*)$", re.S)
_CATEGORY_RE = re.compile(rf"^[（(]\s*([{_CN_SMALL}]{{1,3}})\s*[）)]\s*[、.．]?\s*(.*)$", re.S)
# "一)" with its opening parenthesis lost, as web copies print it.
_BROKEN_CATEGORY_RE = re.compile(rf"^([{_CN_SMALL}]{{1,3}})\s*[）)]\s*[、.．]?\s*(.*)$", re.S)
# "问题1：" numbered across the document: an item (ladder D).
_QUESTION_RE = re.compile(rf"^问题\s*(\d{{1,3}}|[{_CN_SMALL}]{{1,3}})\s*[:：]\s*(.*)$", re.S)
_FINDING_RE = re.compile(r"^(\d{1,3})\s*([.．、])\s*(.*)$", re.S)
_ITEM_RE = re.compile(r"^[（(]\s*(\d{1,3})\s*[）)]\s*[、.．]?\s*(.*)$", re.S)
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_DECIMAL_RE = re.compile(r"^\d*(?:[.．]\d+)?\s*(?:万|亿|元|%|％|倍|个百分点|‰)")
_INLINE_RE = re.compile(
    rf"(?<=[。！？!?])\s*(?=(?:[（(][{_CN_SMALL}]{{1,3}}[）)]|[（(]\d{{1,3}}[）)]|\d{{1,3}}[.．、](?!\d)"
    rf"|[{_CN_SMALL}]{{1,3}}、|[{_CIRCLED}]))"
)


# Words put before a title that are not part of it.
_PREFIX_RE = re.compile(
    r"^(?:存在(?:的)?问题|反馈(?:的)?问题|主要问题|具体问题|问题表现|具体表现|表现为|问题描述|问题清单|问题)\s*[:：]\s*"
)
_ABOUT_RE = re.compile(r"^关于[“\"「『](.+?)[”\"」』](?:的)?问题[。.]?$")

_PROBLEM_HEAD = re.compile(r"问题|反馈意见|意见整改|整改落实情况|具体整改|整改事项")
_NEXT_HEAD = re.compile(r"下一步|今后|打算|努力方向|工作计划|工作安排")
_ORG_HEAD = re.compile(r"组织|领导|部署|总体|基本情况|开展情况|主要做法|政治站位|压实|责任|整改工作")
_ORG_WORDS = re.compile(r"会议|领导小组|整改方案|工作方案|制度|部署|动员")


# Organisation sections (how the unit ran the work), never findings even when numbered like them.
_ORG_SECTION = re.compile(
    r"主体责任|组织|领导小组|加强领导|总体要求|指导思想|工作目标|基本原则|保障措施|工作要求|基本情况|开展情况|主要做法|政治站位"
    r"|工作部署|整改工作(?:开展|推进|落实)?情况|总体情况"
)
_CATEGORY_HEAD = re.compile(r"方面|关于|针对|在“")
_WRAPPER_HEAD = re.compile(r"整改(?:落实|进展)?情况|成效|整改任务|问题清单|反馈意见|反馈问题|具体问题")
_RANK = {"section": 0, "category": 1, "finding": 2, "item": 3}


@dataclass
class _Line:
    no: int  # 1-based line number in the text
    kind: str  # section, category, finding, item, text
    number: int | None
    text: str


@dataclass
class _Node:
    """A category, finding or item while it is read: its marker line and the lines under it."""

    kind: str
    number: int | None
    text: str
    no: int
    body: list[str] = field(default_factory=list)
    children: list[_Node] = field(default_factory=list)


@dataclass
class _Section:
    heading: _Line | None
    lines: list[_Line] = field(default_factory=list)
    role: str = ""

    def has(self, *kinds: str) -> bool:
        return any(ln.kind in kinds for ln in self.lines)


def _normalise(text: str) -> list[tuple[int, str]]:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    for ch in ("\u2028", "\u2029", "\x0c", "\x0b", "\x85"):
        text = text.replace(ch, "\n")
    out = []
    for no, line in enumerate(text.split("\n"), 1):
        line = line.replace("\ufeff", "").replace("\u3000", " ").replace("\xa0", " ").replace("\t", " ").strip()
        if line:
            out.append((no, line))
    return out


def _classify(no: int, line: str) -> _Line:
    m = _CATEGORY_RE.match(line) or _BROKEN_CATEGORY_RE.match(line)
    if m:
        return _Line(no, "category", cn_to_int(m.group(1)), m.group(2).strip())
    m = _QUESTION_RE.match(line)
    if m:
        return _Line(no, "item", cn_to_int(m.group(1)), m.group(2).strip())
    m = _ITEM_RE.match(line)
    if m:
        return _Line(no, "item", int(m.group(1)), m.group(2).strip())
    if line[0] in _CIRCLED:
        return _Line(no, "item", _CIRCLED.index(line[0]) + 1, line[1:].strip(" 、.．"))
    m = _FINDING_RE.match(line)
    if m and not (m.group(2) in ".．" and _DECIMAL_RE.match(m.group(3)) and m.group(3)[:1].isdecimal()):
        return _Line(no, "finding", int(m.group(1)), m.group(3).strip())
    m = _SECTION_RE.match(line)
    if m:
        return _Line(no, "section", cn_to_int(m.group(1)), m.group(2).strip())
    return _Line(no, "text", None, line)


def _unwrap(raw: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Joins lines a PDF copy broke at a fixed width (every line 28 characters) back into paragraphs."""
    lengths = [len(t) for _, t in raw if len(t) >= 15]
    if len(lengths) < 5:
        return raw
    width, _ = Counter(lengths).most_common(1)[0]
    near = sum(1 for n in lengths if width - 2 <= n <= width + 1)
    if near * 2 < len(lengths) or near < 5:
        return raw
    out: list[tuple[int, str]] = []
    for no, text in raw:
        if (
            out
            and len(out[-1][1]) >= width - 2
            and out[-1][1][-1] not in "。！？：；:;!?"
            and _classify(no, text).kind == "text"
            and not _LABEL_RE.match(text)
        ):
            out[-1] = (out[-1][0], out[-1][1] + text)
        else:
            out.append((no, text))
    return out


def _tokenise(text: str) -> list[_Line]:
    raw = _unwrap(_normalise(text))
    lines = [_classify(no, t) for no, t in raw]
    starts = sum(1 for ln in lines if ln.kind in ("category", "finding", "item"))
    inline = sum(len(_INLINE_RE.findall(t)) for _, t in raw)
    if inline > starts:
        # Pasted from a web page with the line breaks lost: split before markers that follow a full stop.
        split: list[tuple[int, str]] = []
        for no, t in raw:
            split += [(no, part.strip()) for part in _INLINE_RE.split(t) if part.strip()]
        lines = [_classify(no, t) for no, t in split]
    # A marker alone on its line takes the next line as its text: "1．" then the title.
    out: list[_Line] = []
    for ln in lines:
        if out and out[-1].kind != "text" and not out[-1].text and ln.kind == "text":
            out[-1].text = ln.text
            continue
        out.append(ln)
    return out


def _clean_title(text: str) -> str:
    t = " ".join(text.split())
    for _ in range(3):
        t2 = _PREFIX_RE.sub("", t)
        m = _ABOUT_RE.match(t2)
        if m:
            t2 = m.group(1)
        if t2 == t:
            break
        t = t2
    return t.strip().rstrip("。；;，,、 ").strip()


# A title that quotes the feedback: 关于“…”问题的整改, 在“…”方面, 针对“…”问题. The quote is the title, even
# when it holds full stops of its own.
_QUOTED_TITLE = re.compile(
    r"^(?:关于|在|针对)\s*[“\"「『](.+?)[”\"」』]\s*(?:的)?(?:问题)?(?:的整改(?:情况)?|整改情况)?(?:方面)?(?:的问题)?"
    r"\s*(?:[。.；;，,！!]|$|(?=\n))",
    re.S,
)


def _split_title(head: str) -> tuple[str, str]:
    """A marker line's text: its first sentence is the title, the rest the description."""
    q = _QUOTED_TITLE.match(head)
    if q and q.group(1).strip():
        rest = head[q.end() :].strip()
        return _clean_title(q.group(1)), rest
    first, _, rest = head.partition("\n")
    m = re.match(r"^(.*?[。！？!?])(.+)$", first, re.S)
    if m and m.group(2).strip():
        title, more = m.group(1), m.group(2).strip()
    else:
        title, more = first, ""
    description = "\n".join(x for x in (more, rest.strip()) if x)
    return _clean_title(title), description


def _marker_text(ln: _Line) -> str:
    """A line as written, its marker put back: what is listed when it is not imported, or kept as text."""
    if ln.kind == "section":
        return f"{cn_number(ln.number or 0)}、{ln.text}"
    if ln.kind == "category":
        return f"（{cn_number(ln.number or 0)}）{ln.text}"
    if ln.kind == "finding":
        return f"{ln.number}.{ln.text}"
    if ln.kind == "item":
        return f"（{ln.number}）{ln.text}"
    return ln.text


def _measure_lines(lines: list[_Line]) -> list[_Line]:
    """Numbered lines under a measure label ("整改措施：" then 1. 2. 3.) are measures, not findings or items.

    After a label, a run of lines numbered 1, 2, 3 … is measures when the label stood alone at the end of
    its line, or when their level is deeper than the heading they stand under (一、… 整改进展情况：… then 1.).
    A number that does not continue the run ends it."""
    out: list[_Line] = []
    mode = ""
    expect = 1
    kind = ""
    under = ""
    for ln in lines:
        if (
            mode
            and ln.kind in ("finding", "item")
            and ln.number == expect
            and kind in ("", ln.kind)
            and (mode == "strong" or _RANK[ln.kind] > _RANK.get(under, -1))
        ):
            out.append(_Line(ln.no, "text", None, _marker_text(ln)))
            expect += 1
            kind = ln.kind
            continue
        if ln.kind != "text":
            mode, expect, kind, under = "", 1, "", ln.kind
        labels = list(_LABEL_RE.finditer(ln.text))
        if labels:
            alone = not ln.text[labels[-1].end() :].strip()
            mode, expect, kind = ("strong" if alone else "weak"), 1, ""
        out.append(ln)
    return out
