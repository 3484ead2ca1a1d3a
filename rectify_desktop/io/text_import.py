"""从文本导入: the feedback (反馈意见), a rectification plan or a published notice, read into a ledger.

The text may follow any ladder of ../shared/NOTICE-SHAPES.md (A–I): the category at 一、 or （一） or absent,
the finding at 1. or （一） or 一、关于“…”, the item at （1） or 问题N： or absent (then the finding is one item with
its own title), in full-width or ASCII forms. The levels present are mapped onto category, finding and item
from the top; several problem sections are the categories; organisation sections (主体责任, 总体要求 …) go to
the notes and never become findings. Measures are read from 一是/二是, 1. 2. lines, (1)(2) inline or a
paragraph of prose; labels (整改情况, 整改措施, 整改进展, 整改状态, 完成情况, 责任领导, 责任单位, 整改时限 …) fill
their fields, and an item's own status words set its status.

:func:`parse_text` turns any text into an :class:`ImportedInspection` with warnings in plain Chinese and
never raises; the caller shows the result and adds it only when the clerk confirms (:class:`AddInspection`,
one undo step). What the text does not say is never made up: a missing finding is reported, not invented.
Nothing is dropped silently either: every line that goes into no field (前言, 组织情况, 下一步, 落款, 网页信息 …)
is listed in ``skipped`` with its line number and the reason.

No Qt here: the window's dialog (ui/text_dialogs.py) and the command line share this module.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rectify_desktop.core.importing import (
    ImportedCategory,
    ImportedFinding,
    ImportedInspection,
    ImportedItem,
    ImportedMeasure,
    Skipped,
    clip_fields,
    import_into,
)
from rectify_desktop.core.models import DONE, IN_PROGRESS, NOT_STARTED, ONGOING
from rectify_desktop.core.rules import cn_number, percent_whole
from rectify_desktop.core.storage import LedgerError

MAX_BYTES = 50 * 2**20
# More placeholder rows than this from one count ("召开会议1000次") is a typing error, not a register.
MAX_PLACEHOLDERS = 100


class TextImportError(LedgerError):
    """A file that cannot be read as a feedback or notice text; the message is for the clerk."""


# --- reading a file ------------------------------------------------------------------------------------


def read_text_file(path: str | Path, max_bytes: int = MAX_BYTES) -> str:
    """The text of a .txt file in UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030/GBK.

    Refuses, with a Chinese message, a missing, empty, too large or binary file.
    """
    p = Path(path)
    try:
        if p.is_dir():
            raise TextImportError(f"这是一个文件夹，不是文本文件：{p}")
        size = p.stat().st_size
        if size > max_bytes:
            raise TextImportError(
                f"文件太大（{size / 2**20:.1f} MB，上限 {max_bytes / 2**20:g} MB），"
                f"不像是反馈意见或通报的文本：{p.name}"
            )
        with p.open("rb") as f:
            data = f.read(max_bytes + 1)
    except FileNotFoundError as exc:
        raise TextImportError(f"文件不存在：{p}") from exc
    except OSError as exc:
        raise TextImportError(f"无法读取文件：{p}（{exc.strerror or exc}）") from exc
    if len(data) > max_bytes:
        raise TextImportError(f"文件太大（超过 {max_bytes / 2**20:g} MB），不像是反馈意见或通报的文本：{p.name}")
    return decode_text(data, p.name)


_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "这是Word（.docx）、Excel或压缩文件，不是纯文本"),
    (b"%PDF", "这是PDF文件，不是纯文本"),
    (b"\xd0\xcf\x11\xe0", "这是旧版Word（.doc）或Excel（.xls）文件，不是纯文本"),
    (b"{\\rtf", "这是RTF格式的文档，不是纯文本"),
)
_HOW_TO = "请在Word或WPS中“另存为”纯文本（.txt），或复制其中的文字粘贴到“从文本导入”窗口"


def decode_text(data: bytes, name: str = "文件") -> str:
    """Decodes the bytes of a text file, detecting its encoding; refuses binary data."""
    for magic, what in _SIGNATURES:
        if data.startswith(magic):
            raise TextImportError(f"{what}：{name}。{_HOW_TO}。")
    if data.startswith(b"\xef\xbb\xbf"):
        candidates = ["utf-8-sig"]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ["utf-16"]
    elif b"\x00" in data:
        raise TextImportError(f"文件含有二进制内容，不是文本文件：{name}")
    else:
        candidates = ["utf-8", "gb18030"]
    text = None
    for enc in candidates:
        try:
            text = data.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    if text is None:
        raise TextImportError(f"无法识别文件的编码（不是UTF-8，也不是GBK/GB18030），可能不是文本文件：{name}")
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise TextImportError(f"文件是空的：{name}")
    if _looks_binary(text):
        raise TextImportError(f"文件内容不像文字（含有大量控制字符或无法显示的字符），可能不是文本文件：{name}")
    return text


def _looks_binary(text: str) -> bool:
    sample = text[:200_000]
    odd = 0
    for ch in sample:
        if ch in "\t\n\r\f\v":
            continue
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Co", "Cn", "Cs") or ch == "\ufffd":
            odd += 1
    return odd > max(3, len(sample) // 100)


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

# Labels inside an item's text. The first measure label gives the measures; a second one is progress.
_MEASURE_LABELS = ("整改落实情况", "整改情况", "整改措施", "整改举措", "主要措施", "落实情况")
_PROGRESS_LABELS = ("整改进展情况", "整改进展", "进展情况", "完成情况", "整改状态", "整改目标")
# Labels whose value is the item's status, when it states one: they outrank what the measures' text says.
_STATUS_LABELS = ("整改状态", "完成情况", "整改进展情况", "整改进展", "进展情况")
_FIELD_LABELS: dict[str, str] = {
    "责任领导": "leader",
    "牵头领导": "leader",
    "分管领导": "leader",
    "责任部门": "department",
    "责任单位": "department",
    "责任科室": "department",
    "责任股室": "department",
    "牵头单位": "department",
    "牵头部门": "department",
    "具体责任人": "person",
    "责任人": "person",
    "整改时限": "deadline",
    "完成时限": "deadline",
    "整改期限": "deadline",
    "时限要求": "deadline",
}
_ALL_LABELS = sorted((*_MEASURE_LABELS, *_PROGRESS_LABELS, *_FIELD_LABELS), key=len, reverse=True)
_LABEL_RE = re.compile(rf"({'|'.join(_ALL_LABELS)})\s*[:：]")
# Words put before a title that are not part of it.
_PREFIX_RE = re.compile(
    r"^(?:存在(?:的)?问题|反馈(?:的)?问题|主要问题|具体问题|问题表现|具体表现|表现为|问题描述|问题清单|问题)\s*[:：]\s*"
)
_ABOUT_RE = re.compile(r"^关于[“\"「『](.+?)[”\"」』](?:的)?问题[。.]?$")

_PROBLEM_HEAD = re.compile(r"问题|反馈意见|意见整改|整改落实情况|具体整改|整改事项")
_NEXT_HEAD = re.compile(r"下一步|今后|打算|努力方向|工作计划|工作安排")
_ORG_HEAD = re.compile(r"组织|领导|部署|总体|基本情况|开展情况|主要做法|政治站位|压实|责任|整改工作")
_ORG_WORDS = re.compile(r"会议|领导小组|整改方案|工作方案|制度|部署|动员")
_TITLE_END = re.compile(r"(通报|报告|意见|方案|台账|清单|情况|公示|公告|函|综述)$")

# Lines that are not the notice: a web page's metadata, contacts, the signature and date.
_WEB_META = re.compile(
    r"^[【\[]?(?:信息索引号|索引号|文件名称|发布机构|发文机关|成文日期|发布日期|发布时间|公开方式|公开范围|主题分类|日期|来源"
    r"|浏览量|浏览次数|访问量|点击数|字号|字体|作者|分享到|分享|朗读|打印本页|打印|关闭窗口|关闭|扫一扫|上一篇|下一篇|相关链接)"
    r"\s*(?:[:：】\]]|$|\s)"
)
# A contact line starts with the invitation or the contact itself; a measure that names a hotline is not one.
_CONTACT = re.compile(
    r"^(?:欢迎|联系|邮政信箱|电子邮箱|通讯地址|来信地址|举报电话|监督电话)"
    r".{0,60}?(?:(?:联系电话|联系人|联系方式|邮政信箱|电子邮箱|通讯地址|来信地址|举报电话|监督电话)\s*[:：]|监督)"
)
_DATE_LINE = re.compile(
    r"^(?:\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|[〇零一二三四五六七八九○]{4}年[一二三四五六七八九十]{1,2}月[一二三四五六七八九十]{1,3}日)$"
)
_CLOSING_HEAD = re.compile(r"^(?:下一步|今后)")
# Organisation sections (how the unit ran the work), never findings even when numbered like them.
_ORG_SECTION = re.compile(
    r"主体责任|组织|领导小组|加强领导|总体要求|指导思想|工作目标|基本原则|保障措施|工作要求|基本情况|开展情况|主要做法|政治站位"
    r"|工作部署|整改工作(?:开展|推进|落实)?情况|总体情况"
)
_CATEGORY_HEAD = re.compile(r"方面|关于|针对|在“")
_WRAPPER_HEAD = re.compile(r"整改(?:落实|进展)?情况|成效|整改任务|问题清单|反馈意见|反馈问题|具体问题")
_RANK = {"section": 0, "category": 1, "finding": 2, "item": 3}

_RULE_SUFFIXES = (
    "制度",
    "办法",
    "规定",
    "细则",
    "规则",
    "规范",
    "机制",
    "意见",
    "守则",
    "准则",
    "规程",
    "流程",
    "措施",
)


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


def _segments(text: str) -> tuple[str, list[tuple[str, str]]]:
    """Text before the first label, and each label with its value, in order."""
    matches = list(_LABEL_RE.finditer(text))
    if not matches:
        return text.strip(), []
    head = text[: matches[0].start()].strip()
    segs = []
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        segs.append((m.group(1), text[m.end() : end].strip()))
    return head, segs


_PUNCT_BEFORE = set("。；;，,：:、！？!?\n （(")


def _find_marker(text: str, marker: str, start: int) -> int:
    i = text.find(marker, start)
    while i >= 0:
        if i == 0 or text[i - 1] in _PUNCT_BEFORE or text[:i].strip() == "":
            return i
        i = text.find(marker, i + 1)
    return -1


_PROGRESS_START = re.compile(
    r"^(?:目前|截至|现已|该项|该问题|整改进展|进展|已|正在|持续|尚|仍|阶段性|基本完成|部分整改|全部)"
)


def split_measures(value: str) -> tuple[list[ImportedMeasure], str, bool]:
    """ "一是……；二是……。" → the measures, the text around them (lead-in and what follows), and whether
    the text was a chain of 一是/二是 at all."""
    v = value.strip().lstrip("：:，,；; ")
    spots: list[tuple[int, int]] = []
    k, start = 1, 0
    while True:
        marker = cn_number(k) + "是"
        i = _find_marker(v, marker, start)
        if i < 0:
            break
        spots.append((i, len(marker)))
        start = i + len(marker)
        k += 1
    if not spots:
        numbered = _numbered_measures(v)
        if numbered is not None:
            return numbered[0], numbered[1], True
        return _prose_measure(v)
    around = [v[: spots[0][0]].strip()]
    parts = []
    for n, (i, length) in enumerate(spots):
        end = spots[n + 1][0] if n + 1 < len(spots) else len(v)
        parts.append(v[i + length : end])
    last = parts[-1]
    stop = last.find("。")
    if stop >= 0 and last[stop + 1 :].strip() and _PROGRESS_START.match(last[stop + 1 :].strip()):
        around.append(last[stop + 1 :].strip())
        parts[-1] = last[:stop]
    measures = [_measure(t) for t in (_measure_text(p) for p in parts) if t]
    return measures, "\n".join(a for a in around if a), True


_NUMBERED = re.compile(r"(?:^|(?<=[\n。；;，,：:]))\s*(?:(\d{1,2})\s*[.．、](?!\d)|[（(]\s*(\d{1,2})\s*[）)])")


def _numbered_measures(v: str) -> tuple[list[ImportedMeasure], str] | None:
    """ "1.…；2.…" or "(1)…(2)…", inline or one per line → the measures and the text before them; None when
    the numbers do not run 1, 2, 3 …"""
    spots = [m for m in _NUMBERED.finditer(v)]
    if not spots:
        return None
    run: list[re.Match[str]] = []
    for m in spots:
        if int(m.group(1) or m.group(2)) == len(run) + 1:
            run.append(m)
    if not run:
        return None
    parts = [v[m.end() : (run[i + 1].start() if i + 1 < len(run) else len(v))] for i, m in enumerate(run)]
    around = [v[: run[0].start()].strip()]
    last = parts[-1]
    stop = last.find("。")
    if stop >= 0 and last[stop + 1 :].strip() and _PROGRESS_START.match(last[stop + 1 :].strip()):
        around.append(last[stop + 1 :].strip())
        parts[-1] = last[:stop]
    measures = [_measure(t) for t in (_measure_text(p) for p in parts) if t]
    return measures, "\n".join(a for a in around if a)


_STATUS_SENTENCE = re.compile(r"^(?:该问题|该项|目前|截至目前|现已|已经|已|正在|持续|尚|仍)")


def _prose_measure(v: str) -> tuple[list[ImportedMeasure], str, bool]:
    """A paragraph of prose is one measure; a sentence before or after it that only states the status
    ("该问题已完成整改。…", "…。目前已完成。") is the progress."""
    sentences = [x for x in re.split(r"(?<=[。！？!?])", v) if x.strip()]
    around: list[str] = []
    while len(sentences) > 1 and _STATUS_SENTENCE.match(sentences[0].strip()) and status_in(sentences[0]):
        around.append(sentences.pop(0).strip())
    while len(sentences) > 1 and _STATUS_SENTENCE.match(sentences[-1].strip()) and status_in(sentences[-1]):
        around.append(sentences.pop().strip())
    text = _measure_text("".join(sentences))
    return ([_measure(text)] if text else []), "\n".join(around), False


def _measure_text(text: str) -> str:
    t = "".join(x.strip() for x in text.split("\n"))
    return t.strip().strip("；;。，,、 ").strip()


def _measure(text: str) -> ImportedMeasure:
    for mark in ("（已完成）", "(已完成)"):
        if text.endswith(mark):
            return ImportedMeasure(text[: -len(mark)].rstrip("；;。，, "), done=True)
    return ImportedMeasure(text, done="已完成" in text)


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


def _clauses(text: str) -> list[tuple[str, str]]:
    """ "对…问题，<unit>已…。对…问题，…。" → each problem and what was done about it; [] when the text is not
    written that way."""
    if not re.match(r"^对[^，。]{2,80}?问题[，,]", text.strip()):
        return []
    out: list[tuple[str, str]] = []
    for sentence in re.split(r"(?<=[。！？])", text.strip()):
        m = re.match(r"^\s*对([^，。]{2,80}?问题)[，,](.*)$", sentence, re.S)
        if m:
            out.append((m.group(1).strip(), m.group(2).strip()))
        elif sentence.strip() and out:
            out[-1] = (out[-1][0], out[-1][1] + sentence.strip())
    return out


# --- the parser ----------------------------------------------------------------------------------------


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text if isinstance(text, str) else str(text)
        self.result = ImportedInspection()
        self.warnings = self.result.warnings
        self.context: list[str] = []  # free text: where the headline and the preamble's facts are looked for
        self.item_status: list[str | None] = []  # what each item's own text says, in item order
        self.item_had_label: list[bool] = []  # whether each item had a measure label, in item order
        self.measure_labels = 0
        self.notice = False  # a notice or plan (整改 named, labels or 一是), not bare feedback: prose is a measure

    # The whole run ------------------------------------------------------------------------------------

    def run(self) -> ImportedInspection:
        r = self.result
        lines = _tokenise(self.text)
        if not lines:
            self.warnings.append("文本是空的。")
            return r
        lines = self._noise(lines)
        lines = self._title(lines)
        lines = self._closing(lines)
        lines = _measure_lines(lines)
        self.notice = "整改" in (r.title + " ".join(ln.text for ln in lines if ln.kind == "section")) or any(
            _LABEL_RE.search(ln.text) or re.search(r"(?:^|[。；;：:\s])一是", ln.text) for ln in lines
        )
        preamble, sections = self._sections(lines)
        problems = self._roles(preamble, sections)
        if not any(sec.heading is None for sec in problems):
            self.context += [ln.text for ln in preamble]
            self._skip_lines(preamble, "前言")
        self._read_part(problems)
        for sec in sections:
            assert sec.heading is not None
            if sec.role == "org":
                self._skip(sec.heading, "组织情况")
                self._read_org(sec)
            elif sec.role == "other":
                self.context += [ln.text for ln in sec.lines]
                self.warnings.append(f"第{sec.heading.no}行“{_short(sec.heading.text)}”一节不是整改内容，未导入。")
                self._skip_lines([sec.heading, *sec.lines], "组织情况")
            elif sec.role == "next":
                why = "下一步" if _NEXT_HEAD.search(sec.heading.text) else "结尾部分"
                self.context += [ln.text for ln in sec.lines]
                self._skip_lines([sec.heading, *sec.lines], why)
        self._preamble_facts(" ".join(ln.text for ln in preamble))
        r.skipped.sort(key=lambda x: x.line)
        if not r.findings():
            r.categories = []
            self.item_status = []
            said = parse_headline("\n".join(self.context + [ln.text for ln in preamble]))
            why = (
                "文本只有整改的总体情况和数字，没有逐条列出问题，不是整改通报或台账。"
                if said
                else "没有识别出任何问题。文本应按“（一）方面”“1.问题”“（1）细化问题”“整改情况：一是……”的层次编排，"
                "每个序号写在一行的开头。"
            )
            self.warnings.insert(0, why)
            return r
        self._numbering()
        self._declared()
        self._measure_warnings()
        return r

    # What is not the notice ------------------------------------------------------------------------------

    def _skip(self, ln: _Line, reason: str) -> None:
        self.result.skipped.append(Skipped(ln.no, _marker_text(ln), reason))

    def _skip_lines(self, lines: list[_Line], reason: str) -> None:
        for ln in lines:
            why = reason
            if ln.kind == "text" and _CONTACT.search(ln.text):
                why = "联系方式"
            self._skip(ln, why)

    def _noise(self, lines: list[_Line]) -> list[_Line]:
        """Takes out a web page's metadata, contact lines and the signature with its date, listing each."""
        out: list[_Line] = []
        for ln in lines:
            if ln.kind == "text" and len(ln.text) <= 150 and _WEB_META.match(ln.text):
                self._skip(ln, "网页信息")
            elif ln.kind == "text" and len(ln.text) <= 150 and _CONTACT.search(ln.text):
                self._skip(ln, "联系方式")
            else:
                out.append(ln)
        # The signature: a date on the last line, with the unit's name (short, no punctuation) above it.
        if out and out[-1].kind == "text" and _DATE_LINE.match(out[-1].text.replace(" ", "")) and len(out) > 1:
            tail = [out.pop()]
            while (
                len(tail) < 3
                and len(out) > 1
                and out[-1].kind == "text"
                and len(out[-1].text) <= 30
                and not re.search(r"[。，,；;：:！？]", out[-1].text)
            ):
                tail.append(out.pop())
            for ln in reversed(tail):
                self._skip(ln, "落款")
        return out

    def _closing(self, lines: list[_Line]) -> list[_Line]:
        """An unnumbered 下一步 paragraph or heading after the problems, and a totals sentence after the last
        finding, are not part of any item."""
        marks = [i for i, ln in enumerate(lines) if ln.kind in ("category", "finding", "item")]
        if not marks:
            return lines
        for i in range(marks[0] + 1, len(lines)):
            ln = lines[i]
            if ln.kind == "text" and _CLOSING_HEAD.match(ln.text) and not _LABEL_RE.search(ln.text):
                rest = lines[i:]
                if not any(x.kind in ("finding", "item") for x in rest):
                    self.context += [x.text for x in rest]
                    self._skip_lines(rest, "下一步")
                    return lines[:i]
        end = len(lines)
        while end > marks[-1] + 1:
            ln = lines[end - 1]
            said = parse_headline(ln.text) if ln.kind == "text" and not _LABEL_RE.search(ln.text) else {}
            if len(said) < 2:
                break
            end -= 1
        for ln in lines[end:]:
            self.context.append(ln.text)
            self._skip(ln, "整改总体情况")
        return lines[:end]

    def _title(self, lines: list[_Line]) -> list[_Line]:
        lead: list[_Line] = []
        for ln in lines[:3]:
            if ln.kind != "text" or _LABEL_RE.search(ln.text) or ln.text.endswith(("：", ":")):
                break
            lead.append(ln)
            joined = "".join(x.text for x in lead)
            if len(joined) <= 100 and "。" not in joined and _TITLE_END.search(joined):
                self.result.title = _ledger_title(joined)
                self._kind(joined)
                rest = lines[len(lead) :]
                # A title printed twice (or its second half again) is listed, not read as the preamble.
                while rest and rest[0].kind == "text" and rest[0].text in (joined, lead[-1].text):
                    self._skip(rest.pop(0), "重复的标题")
                return rest
        return lines

    def _kind(self, title: str) -> None:
        for kind in ("审计", "督查", "巡察"):
            if kind in title:
                self.result.kind = kind
                return
        if "巡视" in title:
            self.result.kind = "巡察"

    def _sections(self, lines: list[_Line]) -> tuple[list[_Line], list[_Section]]:
        preamble: list[_Line] = []
        sections: list[_Section] = []
        for ln in lines:
            if ln.kind == "section":
                last = sections[-1].heading.number if sections and sections[-1].heading else None
                if last is None or ln.number == last + 1:
                    sections.append(_Section(ln))
                    continue
                ln = _Line(ln.no, "text", None, f"{cn_number(ln.number or 0)}、{ln.text}")
            (sections[-1].lines if sections else preamble).append(ln)
        return preamble, sections

    def _roles(self, preamble: list[_Line], sections: list[_Section]) -> list[_Section]:
        """Which sections hold the problems; the others are the organisation (notes), or not imported."""
        if not sections:
            whole = _Section(None, preamble)
            whole.role = "problems"
            return [whole]
        for s in sections:
            assert s.heading is not None
            head = s.heading.text
            marked = s.has("category", "finding", "item") or bool(_LABEL_RE.search(head))
            labelled = any(_LABEL_RE.search(ln.text) for ln in s.lines)
            if _NEXT_HEAD.search(head) and not _CATEGORY_HEAD.search(head):
                s.role = "next"
            elif _ORG_SECTION.search(head) and not _CATEGORY_HEAD.search(head):
                s.role = "org"
            elif marked or labelled or (_CATEGORY_HEAD.search(head) and s.lines):
                s.role = "problems"
        problems = [s for s in sections if s.role == "problems"]
        first = sections.index(problems[0]) if problems else len(sections)
        last = sections.index(problems[-1]) if problems else -1
        org_done = False
        for n, s in enumerate(sections):
            if s.role == "problems":
                continue
            if n > last and problems:
                s.role = "next"  # closing sections after the problems (保障措施, contact lines, signature)
            elif s.role == "org" and not org_done and n < first:
                org_done = True
            elif s.role != "next":
                s.role = "other"
        # A preamble with findings of its own (no section heading over them) is read too.
        if any(ln.kind in ("finding", "item") for ln in preamble):
            sec = _Section(None, preamble)
            sec.role = "problems"
            problems.insert(0, sec)
        return problems

    # Problems ----------------------------------------------------------------------------------------

    def _read_part(self, problems: list[_Section]) -> None:
        """The problem part, whatever its ladder: the levels present are mapped onto category, finding and
        item from the top, and a section heading over them is a category when there are several."""
        headed = [s for s in problems if s.heading is not None]
        loose = [s for s in problems if s.heading is None]
        for sec in loose:
            self._read_region(sec.lines, None, generic=True)
        if not headed:
            return
        single = len(headed) == 1
        head = headed[0].heading.text if single and headed[0].heading else ""
        wrapper = single and bool(_WRAPPER_HEAD.search(head)) and not re.search(r"方面", head)
        if wrapper:
            sec = headed[0]
            self._read_region(sec.lines, sec.heading, generic=True)
            return
        kinds = {ln.kind for s in headed for ln in s.lines if ln.kind in ("category", "finding", "item")}
        if not kinds:
            # Every heading is itself a finding (ladder H): one category over them.
            cat = _Node("category", None, "", headed[0].heading.no if headed[0].heading else 0)
            for sec in headed:
                assert sec.heading is not None
                node = _Node("finding", sec.heading.number, sec.heading.text, sec.heading.no)
                node.body = [ln.text for ln in sec.lines]
                cat.children.append(node)
            cat.text = self._inspection_name()
            self.warnings.append(f"文本没有（一）（二）这样的方面标题，问题已归入方面“{_short(cat.text, 30)}”。")
            self.result.categories.append(self._category(cat))
            return
        ranked = [k for k in ("category", "finding", "item") if k in kinds]
        mapping = dict(zip(ranked, ("finding", "item"), strict=False))
        for sec in headed:
            assert sec.heading is not None
            cat = _Node("category", sec.heading.number, sec.heading.text, sec.heading.no)
            cats = self._build(sec.lines, mapping, cat)
            for c in cats:
                self.result.categories.append(self._category(c))

    def _read_region(self, lines: list[_Line], heading: _Line | None, generic: bool) -> None:
        kinds = [k for k in ("category", "finding", "item") if any(ln.kind == k for ln in lines)]
        if len(kinds) >= 3:
            levels: tuple[str, ...] = ("category", "finding", "item")
        elif kinds == ["finding", "item"]:
            levels = ("finding", "item")
        elif kinds == ["category"] and self._categories_are_findings(lines):
            levels = ("finding",)  # ladder G: （一）<problem>。 with its measures under it
        elif len(kinds) == 2 or kinds == ["category"]:
            levels = ("category", "finding")
        else:
            levels = ("finding",)
        mapping = dict(zip(kinds, levels, strict=False))
        cats = self._build(lines, mapping, None)
        default_title = _clean_title(heading.text) if heading is not None else self._inspection_name()
        unnamed = [c for c in cats if c.number is None and not c.text]
        if heading is not None and not unnamed:
            self._skip(heading, "章节标题")
        for c in unnamed:
            c.text = default_title
            if c.children and generic:
                self.warnings.append(f"文本没有（一）（二）这样的方面标题，问题已归入方面“{_short(c.text, 30)}”。")
        for c in cats:
            self.result.categories.append(self._category(c))

    def _categories_are_findings(self, lines: list[_Line]) -> bool:
        """（一）（二） alone are findings when what stands under them is a rectification, not a heading's."""
        return any(ln.kind == "text" for ln in lines) and self.notice

    def _inspection_name(self) -> str:
        title = re.sub(r"整改落实台账$", "", self.result.title).strip()
        return title or "反馈问题"

    def _build(self, lines: list[_Line], mapping: dict[str, str], top: _Node | None) -> list[_Node]:
        """The nodes of one region; lines before the first marker are listed as not imported."""
        cats: list[_Node] = [top] if top is not None else []
        current_cat = top
        finding: _Node | None = None
        item: _Node | None = None
        for ln in lines:
            level = mapping.get(ln.kind)
            if level == "category":
                current_cat = _Node("category", ln.number, ln.text, ln.no)
                cats.append(current_cat)
                finding = item = None
            elif level == "finding" or (level == "item" and finding is None):
                if current_cat is None:
                    current_cat = _Node("category", None, "", ln.no)
                    cats.append(current_cat)
                if level == "item":
                    self.warnings.append(
                        f"第{ln.no}行的（{ln.number}）前面没有“1.”这样的问题序号，已作为一个问题导入。"
                    )
                finding = _Node("finding", ln.number if level == "finding" else None, ln.text, ln.no)
                current_cat.children.append(finding)
                item = None
            elif level == "item":
                assert finding is not None
                item = _Node("item", ln.number, ln.text, ln.no)
                finding.children.append(item)
            else:
                target = item or finding or current_cat
                if target is None:
                    self.context.append(ln.text)
                    self._skip(ln, "前言")
                else:
                    target.body.append(_marker_text(ln))
        return cats

    def _category(self, node: _Node) -> ImportedCategory:
        title, description = _split_title(node.text)
        body = "\n".join(node.body)
        self.context += node.body
        cat = ImportedCategory(
            title=title or "（未命名方面）",
            description="\n".join(x for x in (description, body) if x),
            source=f"第{node.no}行",
        )
        for f in node.children:
            cat.findings.append(self._finding(f))
        return cat

    def _finding(self, node: _Node) -> ImportedFinding:
        full = "\n".join([node.text, *node.body])
        head, segs = _segments(full)
        title, description = _split_title(head)
        fnd = ImportedFinding(title=title or "（未命名问题）", number=node.number, source=f"第{node.no}行")
        if node.children:
            fnd.description = description
            if segs:
                label = "、".join(dict.fromkeys(s[0] for s in segs))
                fnd.description = "\n".join(x for x in (description, *(f"{lab}：{val}" for lab, val in segs)) if x)
                self.warnings.append(
                    f"问题{_num(node.number)}“{_short(fnd.title)}”下的“{label}”写在问题一级而不是细化问题下，"
                    "已放入问题的说明，未作为整改措施导入。"
                )
            for it in node.children:
                fnd.items.append(self._item(it, node))
            return fnd
        clauses = _clauses(description) if self.notice and not segs else []
        if clauses:
            # An audit finding: each "对…问题，<unit>已…" clause is one item with its own measure (ladder F).
            for ctitle, ctext in clauses:
                fnd.items.append(self._item_from(ctitle, ctext, [], None, node.no, free=True))
            return fnd
        # A finding the text does not split is one item with the finding's own title.
        item = self._item_from(fnd.title, description, segs, None, node.no, free=True)
        if item.description == description:
            fnd.description, item.description = description, ""
        fnd.items.append(item)
        return fnd

    def _item(self, node: _Node, finding: _Node) -> ImportedItem:
        full = "\n".join([node.text, *node.body])
        head, segs = _segments(full)
        title, description = _split_title(head)
        return self._item_from(title or "（未命名细化问题）", description, segs, node.number, node.no, free=True)

    def _item_from(
        self,
        title: str,
        description: str,
        segs: list[tuple[str, str]],
        number: int | None,
        no: int,
        free: bool = False,
    ) -> ImportedItem:
        item = ImportedItem(title=title, number=number, description=description, source=f"第{no}行")
        progress: list[str] = []
        status_text = ""
        said: str | None = None
        have_measures = False
        unlabelled: list[str] = []
        for label, value in segs:
            if label in _MEASURE_LABELS and not have_measures:
                have_measures = True
                self.measure_labels += 1
                measures, around, chain = split_measures(value)
                item.measures = measures
                if around:
                    progress.append(around)
                if not chain:
                    status_text = value
            elif label == "整改目标":
                item.description = "\n".join(x for x in (item.description, f"整改目标：{value}") if x)
            elif label in _MEASURE_LABELS or label in _PROGRESS_LABELS:
                first, _, more = value.partition("\n")
                if more.strip() and label not in _MEASURE_LABELS:
                    unlabelled.append(more)  # "整改进展情况：已经完成。" then the measures, one per line
                    value = first
                if label in _STATUS_LABELS and said is None:
                    bare = value.strip().strip("。.；;，, ")
                    said = DONE if bare == "完成" else status_in(value)
                    if bare == "完成" or _BARE_STATUS.match(value.replace("\n", "")):
                        continue
                progress.append(value)
            else:
                attr = _FIELD_LABELS[label]
                # The first clause is the field; anything after it is kept in the remarks, never dropped.
                cut = re.search(r"[；;。\n]", value)
                val, rest = (value[: cut.start()], value[cut.end() :]) if cut else (value, "")
                val = val.strip(" ，,、")
                rest = rest.strip(" ；;。\n")
                if val and not getattr(item, attr):
                    setattr(item, attr, val)
                elif val:
                    rest = "\n".join(x for x in (val, rest) if x)
                if rest:
                    item.remarks = "\n".join(x for x in (item.remarks, f"{label}：{rest}") if x)
        if not have_measures and free and self.notice:
            # No measure label: 一是… chains, numbered lines or a paragraph of prose are the measures.
            text = "\n".join(x for x in (item.description, *unlabelled) if x)
            unlabelled = []
            if text.strip():
                measures, around, chain = split_measures(text)
                item.measures, item.description = measures, ""
                if around:
                    progress.append(around)
                if not chain:
                    status_text = text
                self.measure_labels += 1
        if unlabelled:
            item.description = "\n".join(x for x in (item.description, *unlabelled) if x)
        text = "\n".join(p for p in progress if p)
        item.progress = "" if _BARE_STATUS.match(text.replace("\n", "")) else text
        stated = said or status_in(text) or (status_in(status_text) if status_text else None)
        if stated:
            item.status = stated
        self.item_status.append(stated)
        self.item_had_label.append(have_measures)
        return item

    # The organisational section ---------------------------------------------------------------------------

    def _read_org(self, sec: _Section) -> None:
        texts = []
        for ln in sec.lines:
            if ln.kind == "text":
                texts.append(ln.text)
            elif ln.kind == "category":
                texts.append(f"（{cn_number(ln.number or 0)}）{ln.text}")
            elif ln.kind == "finding":
                texts.append(f"{ln.number}.{ln.text}")
            elif ln.kind == "item":
                texts.append(f"（{ln.number}）{ln.text}")
            else:
                texts.append(ln.text)
        self.context += texts
        self.result.notes = "\n".join(texts)
        body = "\n".join(texts)
        self._meetings(body)
        self._institutions(body)

    def _meetings(self, body: str) -> None:
        meeting_re = re.compile(rf"([\u4e00-\u9fff]{{0,12}}?(?:会议|会))(?:共|累计|等)?\s*({NUM})\s*(?:次|场)")
        rows: list[tuple[str, int, str]] = []
        for sentence in re.split(r"[。；;\n]", body):
            if "召开" not in sentence and "组织" not in sentence:
                continue
            found = []
            for m in meeting_re.finditer(sentence):
                kind = re.split(r"召开了?|组织了?", m.group(1))[-1]
                for p in ("先后", "累计", "共", "了", "各类", "其中", "等"):
                    if kind.startswith(p) and len(kind) > len(p) + 1:
                        kind = kind[len(p) :]
                n = cn_to_int(m.group(2))
                if n:
                    found.append((kind, n, m.group(0)))
            specific = [f for f in found if f[0] not in ("会议", "各类会议", "会")]
            rows += specific if specific else found
        total = 0
        for kind, n, phrase in rows:
            if total + n > MAX_PLACEHOLDERS:
                self.warnings.append(f"文本称“{phrase}”，次数过多，会议登记只记入前{MAX_PLACEHOLDERS}次。")
                n = max(0, MAX_PLACEHOLDERS - total)
            for _ in range(n):
                self.result.meetings.append(
                    {"kind": kind, "topic": "", "note": f"据导入文本“{phrase}”登记，请补充日期和议题"}
                )
            total += n

    def _institutions(self, body: str) -> None:
        count_re = re.compile(
            rf"(?:制定|修订|完善|建立|健全|出台|印发|新建|修改)[^。；;\n]{{0,400}}?制度(?:机制|文件)?(?:共|计|等)?\s*"
            rf"({NUM})\s*(?:项|个|件|部|份|条)"
        )
        title_re = re.compile(r"《([^《》\n]{2,100})》(?:\s*[（(]([^（）()\n]{2,30}号)[）)])?")
        counts = list(count_re.finditer(body))
        inside = [(m.start(), m.end()) for m in counts]
        names: list[tuple[str, str]] = []
        for m in title_re.finditer(body):
            t = m.group(1).strip()
            in_count = any(a <= m.start() < b for a, b in inside)
            if (in_count or t.endswith(_RULE_SUFFIXES)) and t not in [n for n, _ in names]:
                names.append((t, m.group(2) or ""))
        for t, doc in names:
            self.result.institutions.append({"title": t, "doc_number": doc, "note": "据导入文本登记"})
        stated = sum(cn_to_int(m.group(1)) or 0 for m in counts)
        missing = min(stated - len(names), MAX_PLACEHOLDERS)
        for _ in range(max(0, missing)):
            self.result.institutions.append(
                {
                    "title": "（名称待补充）",
                    "doc_number": "",
                    "note": f"据导入文本所称“制度{stated}项”登记，请补充名称和文号",
                }
            )

    # The preamble's facts --------------------------------------------------------------------------------

    def _preamble_facts(self, text: str) -> None:
        r = self.result
        m = re.search(
            r"([^，。；、\s]{2,30}?组)对([^，。；、\s]{2,30}?)(?:开展|进行)了?(?:为期[^，。；]{1,8}的)?"
            r"(?:常规|专项|机动|提级|延伸)?(巡察|审计|督查|巡视)",
            text,
        )
        if m:
            r.inspecting_body, r.inspected_unit = m.group(1), m.group(2)
            if not self.result.title:
                r.kind = "巡察" if m.group(3) == "巡视" else m.group(3)
        m = re.search(
            r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*(?:至|—|－|-|到)\s*(?:(\d{4})\s*年)?\s*(\d{1,2})\s*月\s*"
            r"(\d{1,2})\s*日",
            text,
        )
        if m:
            r.period_start = _date(m.group(1), m.group(2), m.group(3))
            r.period_end = _date(m.group(4) or m.group(1), m.group(5), m.group(6))
        m = re.search(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日[，,][^。]{0,60}?反馈", text)
        if m:
            r.feedback_date = _date(m.group(1), m.group(2), m.group(3))

    # Checks ----------------------------------------------------------------------------------------------

    def _numbering(self) -> None:
        r = self.result
        cats = [c for c in r.categories if c.findings]
        per_category = (
            len(cats) >= 2
            and all(c.findings[0].number == 1 for c in cats)
            and len({f.number for f in r.findings()}) < len(r.findings())
        )
        if per_category:
            for f in r.findings():
                f.number = None
            self.warnings.append("问题序号在各方面内分别从1开始编排，导入时已按顺序统一编号。")
        else:
            numbers = [f.number for f in r.findings() if f.number is not None]
            seen: set[int] = set()
            for f in r.findings():
                if f.number is not None and f.number in seen:
                    self.warnings.append(f"问题序号{f.number}重复（{f.source}），导入时将改用下一个空闲序号。")
                if f.number is not None:
                    seen.add(f.number)
            if numbers:
                missing = [n for n in range(1, max(numbers) + 1) if n not in seen]
                if missing:
                    self.warnings.append(f"问题序号{_list(missing)}缺失（公开通报可能略去了敏感问题）。")
        numbered = [i.number for i in r.items() if i.number is not None]
        across = (
            len(numbered) == len(r.items())
            and any(f.items and f.items[0].number != 1 for f in r.findings())
            and numbered == list(range(numbered[0], numbered[0] + len(numbered)))
        )
        if across:
            # "问题1：… 问题3：" counted across the whole text (ladder D): in the ledger each finding counts its own.
            for it in r.items():
                it.number = None
            self.warnings.append("细化问题序号在全文连续编排，导入时已在各问题内重新编号。")
        for f in r.findings():
            numbers = [i.number for i in f.items if i.number is not None]
            if not numbers:
                continue
            seen_i = set(numbers)
            label = f"问题{f.number}" if f.number is not None else f"问题“{_short(f.title)}”"
            missing = [n for n in range(1, max(numbers) + 1) if n not in seen_i]
            if missing:
                marks = "".join(f"（{n}）" for n in missing[:20]) + ("等" if len(missing) > 20 else "")
                self.warnings.append(f"{label}的细化问题序号{marks}缺失（公开通报可能略去了敏感问题）。")
            if len(seen_i) < len(numbers):
                dup = sorted(n for n, c in Counter(numbers).items() if c > 1)
                marks = "".join(f"（{n}）" for n in dup)
                self.warnings.append(f"{label}的细化问题序号{marks}重复，导入时将改用下一个空闲序号。")

    def _declared(self) -> None:
        r = self.result
        declared = parse_headline("\n".join(self.context))
        r.declared = declared or None
        if not declared:
            return  # each item keeps the status its own text states
        n_findings, n_items = len(r.findings()), len(r.items())
        if "findings" in declared and declared["findings"] != n_findings:
            d = declared["findings"] - n_findings
            why = "（公开通报可能略去了敏感问题）" if d > 0 else ""
            self.warnings.append(f"文本称反馈问题{declared['findings']}个，识别出{n_findings}个{why}。")
        if "items" in declared and declared["items"] != n_items:
            d = declared["items"] - n_items
            why = "（公开通报可能略去了敏感问题）" if d > 0 else ""
            self.warnings.append(f"文本称细化为{declared['items']}项，识别出{n_items}项细化问题{why}。")
        others = {
            IN_PROGRESS: declared.get("in_progress", 0),
            ONGOING: declared.get("ongoing", 0),
            NOT_STARTED: declared.get("not_started", 0),
        }
        total = declared.get("items")
        if total is None and "findings" in declared and n_items == n_findings:
            total = declared["findings"]
        if "done" in declared and total is None:
            total = declared["done"] + sum(others.values())
        if "percent" in declared and "done" in declared and total:
            calc = percent_whole(declared["done"], total)
            if calc != declared["percent"]:
                self.warnings.append(
                    f"文本所称完成率{declared['percent']}%与已整改完成{declared['done']}项÷{total}项算得的{calc}%不一致。"
                )
        self._statuses(declared, total, others)

    def _statuses(self, declared: dict[str, int], total: int | None, others: dict[str, int]) -> None:
        items = self.result.items()
        why = (
            "，各细化问题的整改状态只按各项自己写明的设置，请导入后逐项核对。"
            if any(self.item_status)
            else "，各细化问题的整改状态未设置，请导入后逐项核对。"
        )
        if "done" not in declared:
            return  # each item keeps the status its own text states
        done = declared["done"]
        if total != len(items):
            self.warnings.append(
                f"文本列出的细化问题（{len(items)}项）与所称总数（{total}项）不一致，无法确定哪些已完成" + why
            )
            return
        if done + sum(others.values()) != total:
            parts = [f"已整改完成{done}项"] + [f"{STATUS_WORDS_SHORT[s]}{n}项" for s, n in others.items() if n]
            self.warnings.append(f"文本所称{'、'.join(parts)}，合计与总数{total}项不一致" + why)
            return
        if done == total:
            for it in items:
                it.status = DONE
            return
        statuses = self.item_status if len(self.item_status) == len(items) else [None] * len(items)
        for state in (IN_PROGRESS, ONGOING, NOT_STARTED):
            said = sum(1 for s in statuses if s == state)
            if said != others[state]:
                word = STATUS_WORDS_SHORT[state]
                if others[state]:
                    self.warnings.append(
                        f"文本称{word}{others[state]}项，但各项整改情况中写明“{word}”的有{said}项，无法确定是哪几项"
                        + why
                    )
                else:
                    self.warnings.append(f"文本没有说明有{word}的事项，但有{said}项的整改情况写明“{word}”" + why)
                return
        for it, s in zip(items, statuses, strict=True):
            it.status = s if s in others else DONE

    def _measure_warnings(self) -> None:
        items = self.result.items()
        if self.measure_labels == 0:
            self.warnings.append(
                "文本中没有找到整改措施（“整改情况：一是……二是……”或“整改措施：……”），导入后各细化问题的整改措施为空。"
            )
            return
        had = self.item_had_label if len(self.item_had_label) == len(items) else [False] * len(items)
        n = 0
        for f in self.result.findings():
            for it in f.items:
                if not it.measures:
                    label = f"问题{_num(f.number)}" + (f"（{it.number}）" if it.number is not None else "")
                    what = "的整改措施是空的" if had[n] else "没有整改措施"
                    self.warnings.append(f"{label}“{_short(it.title)}”{what}。")
                n += 1


STATUS_WORDS_SHORT = {IN_PROGRESS: "正在推进", ONGOING: "持续整改", NOT_STARTED: "未启动", DONE: "已完成"}


def _date(y: str, m: str, d: str) -> dt.date | None:
    try:
        return dt.date(int(y), int(m), int(d))
    except (TypeError, ValueError):
        return None


def _short(text: str, n: int = 20) -> str:
    t = " ".join((text or "").split())
    return t if len(t) <= n else t[:n] + "…"


def _num(n: int | None) -> str:
    return str(n) if n is not None else ""


def _list(numbers: list[int]) -> str:
    shown = "、".join(str(n) for n in numbers[:20])
    return shown + ("等" if len(numbers) > 20 else "")


def _ledger_title(title: str) -> str:
    """The notice's or plan's title as the ledger's: "…整改情况的通报" → "…整改落实台账"."""
    t = " ".join(title.split())
    t2 = re.sub(r"(?:的)?整改(?:落实|进展|工作)?(?:情况)?的?(?:通报|报告|方案)$", "整改落实台账", t)
    return t2


# --- the headline sentence ------------------------------------------------------------------------------

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


# --- the public entry points ----------------------------------------------------------------------------


def _parse(text: str) -> ImportedInspection:
    """The parser itself, without the last guard (the property tests call it, so that a bug shows)."""
    return _Parser(text).run()


def parse_text(text: str) -> ImportedInspection:
    """Any text → an ImportedInspection with warnings; never raises. A text with no recognisable outline
    gives one with no categories and a warning, which callers refuse."""
    try:
        parsed = _parse(text)
    except Exception:  # noqa: BLE001 - a clerk's paste must never crash the window
        r = ImportedInspection()
        r.warnings.append("文本解析时出错，未能识别其结构。请检查文本的层次和序号后重试。")
        return r
    clip_fields(parsed)  # here, so that the preview lists every cut before anything is imported
    return parsed


def summary(parsed: ImportedInspection) -> str:
    """ "识别出4个方面、13个问题、29项细化问题、78条整改措施"."""
    c = parsed.counts()
    return f"识别出{c['categories']}个方面、{c['findings']}个问题、{c['items']}项细化问题、{c['measures']}条整改措施"


def declared_summary(declared: dict[str, int] | None) -> str:
    """The totals the text states, as a sentence; "" when it states none."""
    if not declared:
        return ""
    parts = []
    if "categories" in declared:
        parts.append(f"{declared['categories']}个方面")
    if "findings" in declared:
        parts.append(f"问题{declared['findings']}个")
    if "items" in declared:
        parts.append(f"细化为{declared['items']}项")
    for key, word in (("done", "已整改完成"), ("in_progress", "正在推进"), ("ongoing", "持续整改")):
        if key in declared:
            parts.append(f"{word}{declared[key]}项")
    if "not_started" in declared:
        parts.append(f"未启动{declared['not_started']}项")
    if "measures" in declared:
        parts.append(f"整改措施{declared['measures']}项")
    if "percent" in declared:
        parts.append(f"完成率{declared['percent']}%")
    return "文本所称：" + "，".join(parts)


def refusal(parsed: ImportedInspection) -> str | None:
    """Why a parsed text cannot be imported, or None when it can."""
    if not parsed.items():
        first = parsed.warnings[0] if parsed.warnings else ""
        return "未能从文本中识别出整改台账的结构，没有可导入的内容。" + (f"\n{first}" if first else "")
    return None


def cli_import(ledger_path: Path, path: Path, args: Any) -> int:
    """`rectify-desktop import LEDGER IN.txt [--dry-run] [--json]`."""
    dry_run = bool(getattr(args, "dry_run", False))
    as_json = bool(getattr(args, "json", False))
    try:
        text = read_text_file(path)
    except TextImportError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    parsed = parse_text(text)
    why = refusal(parsed)
    if why:
        print(f"错误：{why}（{path.name}）", file=sys.stderr)
        return 1
    inspection_id = None
    warning = None
    if not dry_run:
        try:
            result = import_into(Path(ledger_path), parsed)
        except LedgerError as exc:  # the import wrote nothing
            print(f"错误：{exc}", file=sys.stderr)
            return 1
        inspection_id, warning = result.inspection_id, result.warning
    if as_json:
        out = parsed.to_json()
        out["dry_run"] = dry_run
        out["inspection_id"] = inspection_id
        print(json.dumps(out, ensure_ascii=False, indent=2))
        if warning:
            print(f"注意：{warning}", file=sys.stderr)
        return 0
    print(summary(parsed))
    said = declared_summary(parsed.declared)
    if said:
        print(said)
    if parsed.warnings:
        print(f"提示（{len(parsed.warnings)}条）：")
        for w in parsed.warnings:
            print(f"  - {w}")
    if parsed.skipped:
        print(f"未导入的内容（{len(parsed.skipped)}行）：")
        for s in parsed.skipped:
            print(f"  - 第{s.line}行［{s.reason}］{s.text}")
    if dry_run:
        print("试运行：未写入台账。")
    else:
        print(f"已导入到台账：{ledger_path}（巡察编号 {inspection_id}）")
    if warning:
        print(f"注意：{warning}", file=sys.stderr)
    return 0
