"""Excel import (导入Excel): the program's own export and the ledgers clerks keep in Excel or WPS.

The workbook is read, never written. The first sheet named 台账, or else the first sheet with a
recognisable header, becomes an :class:`ImportedInspection` with warnings that name sheet, row and column;
the caller shows or prints it, then adds it with :class:`AddInspection` (one transaction, one undo step).

What a clerk's sheet may look like (DOMAIN.md, "The columns of a ledger"): a title row and a 填报单位 row
above the header, a header anywhere in the first rows and sometimes on two rows (责任主体 over 责任领导 /
责任部门 / 责任人), category and finding cells merged down, dates as dates, serial numbers, text or phrases,
status words of every kind, measures written "一是…二是…", "1.…2.…" or "补齐…；规范…", a signature row below
the table. The status may stand in a column headed otherwise (整改进展情况, 整改情况, 进展情况, 推进情况 …): a
column whose cells mostly open with a status word is read as the status column, and a cell such as
"已完成。已梳理…" gives the status from its first words and keeps the whole text as progress. 巡察组, 被巡察单位
and 反馈日期 are read from the title ("…巡察组对…开展巡察…", "…关于…巡察组反馈意见…") and from the labels and
sentences above the header.

Nothing is left out unsaid: a row or cell that goes into no field (a 填报日期, a signature, a repeated header,
a cell under no header, a second deadline of one item, a sheet not read) is listed in ImportedInspection.skipped
with its row and the reason; what is read by a guess is listed in the warnings.

Safety: the file is checked by its content, whatever its name, before it is parsed (size, zip container,
OLE container of a .xls or of a password-protected file, uncompressed size, no DTD in any part); the XML is
parsed by openpyxl's parser, which uses defusedxml when it is installed (a dependency), and streamed: each
element is let go once read. Rows with content are limited to a count no real ledger reaches (more is
refused), empty rows and XML elements likewise (reading stops there, and a warning says so), a cell's text
to CELL_MAX characters, and merged ranges are clipped to the rows and columns holding values and refused
past MAX_MERGED_CELLS. Every refusal says in Chinese what is wrong and what to do, the library's own words
last, in brackets. What is too long for its field is cut by core.importing.clip_fields, with a warning.

A text longer than an Excel cell holds, which the program's own export carried on to its 续 sheet (the cell ends
with ……（未完，续见“续”表第N行）), is joined back whole: the 续 sheet is read first (like any sheet, within the
same limits), and each sheet the import reads gets its cells' pieces appended before it is parsed; a joined
text, too, is limited to CELL_MAX characters. What cannot be joined is listed in the warnings, never dropped.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import re
import sys
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rectify_desktop.core import rules
from rectify_desktop.core.importing import (
    ImportedCategory,
    ImportedFinding,
    ImportedInspection,
    ImportedItem,
    ImportedMeasure,
    ImportedWriteOff,
    Skipped,
    clip_fields,
)
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
from rectify_desktop.core.storage import LedgerError
from rectify_desktop.core.table import COLUMNS
from rectify_desktop.io.xlsx_export import CONTINUATION_HEADERS, CONTINUATION_SHEET, CONTINUED_MARK
from rectify_desktop.io.xlsx_reader import (  # noqa: F401 - some are re-exported for the callers
    CELL_MAX,
    HEADER_ROWS,
    MAX_BYTES,
    MAX_ROWS,
    Sheet,
    Workbook,
    XlsxImportError,
    _unreadable,
)

# --- recognising the header ------------------------------------------------------------------------

# Column keys (as in core.table.KEYS, plus "completed") and the header words that name them.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "seq": ("序号", "编号", "序"),
    "category": ("方面", "问题类别", "类别", "问题类型", "问题方面", "问题分类", "所属方面", "问题领域"),
    "finding": (
        "问题",
        "存在问题",
        "反馈问题",
        "问题描述",
        "问题清单",
        "存在的问题",
        "主要问题",
        "巡察反馈问题",
        "反馈的问题",
        "发现问题",
        "问题内容",
        "问题名称",
    ),
    "item": ("细化问题", "具体问题", "具体表现", "问题表现", "具体问题表现", "问题细化", "细化问题清单", "主要表现"),
    "measures": ("整改措施", "整改任务", "措施", "整改举措", "具体措施", "具体整改措施", "整改措施及要求"),
    "leader": ("责任领导", "牵头领导", "分管领导", "包保领导", "领导责任人", "责任校领导"),
    "department": (
        "责任部门",
        "责任单位",
        "责任科室",
        "责任股室",
        "牵头单位",
        "牵头部门",
        "责任处室",
        "牵头科室",
        "牵头股室",
        "责任主体",
        "落实单位",
    ),
    "person": ("责任人", "具体责任人", "经办人", "具体负责人", "直接责任人"),
    "deadline": ("整改时限", "完成时限", "时限", "整改期限", "完成期限"),
    "progress": ("整改进展", "进展情况", "整改情况", "落实情况", "整改进度", "进展", "整改落实情况", "工作进展"),
    "status": ("完成情况", "整改状态", "状态", "是否完成", "整改结果"),
    "evidence": ("佐证材料", "佐证资料", "证明材料", "支撑材料", "佐证"),
    "writeoff": ("销号情况", "是否销号", "销号", "销号状态", "销账情况", "是否销账"),
    "remarks": ("备注",),
    "completed": ("完成时间", "完成日期", "实际完成时间", "整改完成时间", "实际完成日期", "办结时间"),
}
_EXACT: dict[str, str] = {w: k for k, words in SYNONYMS.items() for w in words}
_BY_LENGTH: list[tuple[str, str]] = sorted(_EXACT.items(), key=lambda kv: -len(kv[0]))
# Words over a group of columns in a two-row header.
GROUP_WORDS = ("责任主体", "责任单位及责任人", "责任分工", "责任落实", "整改责任")
KEY_NAMES: dict[str, str] = {
    "seq": "序号",
    "category": "方面",
    "finding": "问题",
    "item": "细化问题",
    "measures": "整改措施",
    "leader": "责任领导",
    "department": "责任部门",
    "person": "责任人",
    "deadline": "整改时限",
    "progress": "整改进展",
    "status": "完成情况",
    "evidence": "佐证材料",
    "writeoff": "销号情况",
    "remarks": "备注",
    "completed": "完成时间",
}
_BRACKETS = re.compile(r"\(.*?\)|\[.*?\]|【.*?】|〔.*?〕|<.*?>")


def normalize_header(value: Any) -> str:
    """A header cell as compared: full-width folded (NFKC), without spaces, line breaks and marks."""
    text = unicodedata.normalize("NFKC", str(value))
    return re.sub(r"[\s*★※:：]", "", text)


def header_key(value: Any, *, loose: bool = True) -> str | None:
    """The column a header cell names, or None: exact, then without brackets, then (loose) the longest
    header word in it."""
    if value is None or isinstance(value, (int, float, dt.date)):
        return None
    if len(str(value)) > 40:  # a sentence is not a header
        return None
    text = normalize_header(value)
    if not text:
        return None
    if text in _EXACT:
        return _EXACT[text]
    bare = _BRACKETS.sub("", text)
    if bare in _EXACT:
        return _EXACT[bare]
    if not loose or len(bare) > 16:  # a sentence is not a header
        return None
    for word, key in _BY_LENGTH:
        if len(word) >= 2 and word in bare:
            return key
    return None


@dataclass
class Header:
    row: int  # the (last) header row; data starts below it
    first_row: int  # the first header row (== row unless the header has two rows)
    columns: dict[int, str]  # column → key
    names: dict[int, str]  # column → the header's own words (for warnings)
    extra: dict[int, str]  # column → header words of columns not recognised (their content goes to 备注)
    # The progress column when its cells also say the status (整改进展情况: 已完成 / 正在整改 …): it is read
    # as both, the status from the words it opens with and the whole text as progress.
    shared_status: int | None = None

    def col(self, key: str) -> int | None:
        for c, k in self.columns.items():
            if k == key:
                return c
        return None


def _row_keys(row: dict[int, Any], *, loose: bool = True) -> dict[int, str]:
    return {c: k for c, v in row.items() if (k := header_key(v, loose=loose)) is not None}


def _is_header(keys: dict[int, str]) -> bool:
    found = set(keys.values())
    return bool(found & {"finding", "item"}) and len(found - {"seq"}) >= 2


def find_header(sheet: Sheet, scan: int = HEADER_ROWS) -> Header | None:
    """The header row (or two rows) among the first `scan` rows: the one naming the most columns."""
    rows = sheet.cells
    hmerged = {(r1, c) for r1, c1, r2, c2 in sheet.merges if c2 > c1 for c in range(c1, c2 + 1)}
    best: Header | None = None
    best_score = 0
    for r in sorted(rows):
        if r > scan:
            break
        top = rows[r]
        top_keys = _row_keys(top)
        if not _is_header(top_keys):
            continue
        columns = dict(top_keys)
        names = {c: normalize_header(top[c]) for c in top_keys}
        last = r
        sub = rows.get(r + 1, {})
        sub_keys = _row_keys(sub)
        # A second header row names columns under an empty (merged) cell or under a group word.
        if sub_keys and all(
            c not in top or (r, c) in hmerged or normalize_header(top[c]) in GROUP_WORDS or c in top_keys
            for c in sub_keys
        ):
            under_group = [
                c for c in sub_keys if c not in top or (r, c) in hmerged or normalize_header(top[c]) in GROUP_WORDS
            ]
            if under_group:
                for c, k in sub_keys.items():
                    columns[c] = k
                    names[c] = normalize_header(sub[c])
                last = r + 1
        # Columns whose words are not recognised, and repeated keys, are kept as extra (into 备注).
        extra: dict[int, str] = {}
        seen: set[str] = set()
        for c in sorted(columns):
            if columns[c] in seen:
                extra[c] = names.pop(c)
                del columns[c]
            else:
                seen.add(columns[c])
        for rr in range(r, last + 1):
            for c, v in rows.get(rr, {}).items():
                text = normalize_header(v)
                if c not in columns and c not in extra and text and text not in GROUP_WORDS:
                    extra[c] = text
        for c in list(extra):
            if c in columns:
                del extra[c]
        score = len(set(columns.values()) - {"seq"})
        if score > best_score:
            best, best_score = Header(last, r, columns, names, extra), score
    if best is not None and best.col("deadline") is None and best.col("completed") is not None:
        # "完成时间" alone is the planned date, as in 整改时限（完成时间）.
        c = best.col("completed")
        assert c is not None
        best.columns[c] = "deadline"
    return best


# --- values -----------------------------------------------------------------------------------------

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


# --- the sheet as an inspection --------------------------------------------------------------------

_SIGNATURE = re.compile(
    r"^\s*(填表人|填报人|制表人|统计人|联系人|联系电话|电话|审核人|审核|审批人|负责人|单位负责人|主要负责人|分管负责人"
    r"|分管领导|签字|签名|盖章|单位盖章|单位（盖章）|报送人)\s*(?:[（(]\s*(?:签字|签名|盖章|签章)\s*[)）])?\s*(?:[:：]|$|\s)"
)
# What a 序号 cell holds: 1, 1-2, （一）, 一、 … (numbering, not content).
_SERIAL = re.compile(r"[\s\d一二三四五六七八九十百零〇（）()、.．\-—－_/]*")
SIGNATURE_REASON = "落款（填表人、联系电话等），不是台账内容"
_NOTE = re.compile(r"^\s*(注|说明|填报说明|填表说明)\s*[:：\d]")
_CATEGORY_HEADING = re.compile(
    r"^\s*(?:[（(]\s*[一二三四五六七八九十]{1,3}\s*[)）]|[一二三四五六七八九十]{1,3}\s*[、.．])"
)
_DEFAULT_SHEET = re.compile(r"^(sheet|工作表|表)\s*\d*$", re.IGNORECASE)
_TITLE_PARTS = re.compile(r"^(?P<unit>.+?)关于(?P<body>.+?)(?:反馈意见|反馈问题|反馈)")
_ROW_LIST_MAX = 8


def _cell_ref(sheet: str, rows: list[int], column: str) -> str:
    if len(rows) > _ROW_LIST_MAX:
        shown = "、".join(str(r) for r in rows[:_ROW_LIST_MAX]) + f"等{len(rows)}"
    else:
        shown = "、".join(str(r) for r in rows)
    return f"{sheet}!第{shown}行" + (f" {column}列" if column else "")


_STATUS_SHARE = 0.6  # a column is the status column when this share of its filled cells opens with a status word


def status_by_content(sheet: Sheet, header: Header) -> str | None:
    """Makes the status column of a column whose cells are mostly status words, when the header names none:
    clerks head it 整改进展情况, 整改情况, 进展情况, 推进情况 …; returns the warning that says so, or None.

    The progress column is then read as both (Header.shared_status); a column the header did not recognise
    becomes the status column."""
    from openpyxl.utils.cell import get_column_letter

    if header.col("status") is not None:
        return None
    progress = header.col("progress")
    for c in ([progress] if progress is not None else []) + sorted(header.extra):
        texts = [cell_text(row[c]) for r, row in sheet.cells.items() if r > header.row and c in row]
        texts = [t for t in texts if t and not _SIGNATURE.match(t)]
        found = [ls for t in texts if (ls := leading_status(t)) is not None]
        if not found or len(found) < _STATUS_SHARE * len(texts):
            continue
        words = list(dict.fromkeys(ls.word for ls in found))[:2]
        name = header.names.get(c) or header.extra.get(c, "")
        where = (
            f"{sheet.name}!第{header.row}行 {get_column_letter(c)}列“{name}”："
            f"该列填写的多为完成情况（{'、'.join(words)}等），"
        )
        if c == progress:
            header.shared_status = c
            return where + "各细化问题的完成情况按该列导入，文字同时作为整改进展"
        header.names[c] = header.extra.pop(c)
        header.columns[c] = "status"
        return where + "作为“完成情况”列导入"
    return None


class _Builder:
    """Turns the rows below the header into categories, findings and items."""

    def __init__(self, sheet: Sheet, header: Header) -> None:
        self.sheet = sheet
        self.h = header
        self.name = sheet.name
        self.out = ImportedInspection()
        self.warnings: list[str] = []
        self.skipped: list[Skipped] = []  # rows and cells that go into no field, with the reason
        note = status_by_content(sheet, header)
        if note:
            self.warnings.append(note)
        # (column name, word, status) → rows, so that each guessed word is reported once with its rows
        self.guesses: dict[tuple[str, str, str], list[int]] = defaultdict(list)
        self.cols: dict[str, int | None] = {k: header.col(k) for k in KEY_NAMES}
        self.shared = header.shared_status is not None
        if self.shared:
            self.cols["status"] = header.shared_status
        self.own = tuple(header.names.get(c, "") for c in sorted(header.names)) == OWN_HEADER
        self.cat: ImportedCategory | None = None
        self.cat_key: str | None = None
        self.finding: ImportedFinding | None = None
        self.finding_key: str | None = None
        self.item: ImportedItem | None = None
        self.item_row = 0
        self.item_texts: dict[str, str] = {}  # the texts of the item's first row
        self.key_cols = [(k, c) for k, c in self.cols.items() if c is not None]
        self.prev: dict[str, Any] = {}  # the previous data row's values, for cells that say 同上
        self.vals: dict[str, Any] = {}  # the current row's
        self.texts: dict[str, str] = {}
        # Values that continue down from the top of a merged range, by (row, column).
        self.fill: dict[tuple[int, int], Any] = {}
        self.merged_from: dict[tuple[int, int], int] = {}  # (row, column) → first row of its merged range
        self.hspan: dict[tuple[int, int], int] = {}  # (row, column) → columns a merged cell spans
        wanted = set(header.columns) | set(header.extra)
        last = max(sheet.cells) if sheet.cells else 0
        for r1, c1, r2, c2 in sheet.merges:
            if r2 <= header.row:
                continue
            if c2 > c1:
                self.hspan[(r1, c1)] = c2 - c1 + 1
            if r2 > r1 and c1 in wanted:
                top = sheet.cells.get(r1, {}).get(c1)
                for r in range(max(r1 + 1, header.row + 1), min(r2, last) + 1):
                    self.fill[(r, c1)] = top
                    self.merged_from[(r, c1)] = r1

    # --- reading cells

    def warn(self, row: int, column: str, text: str) -> None:
        self.warnings.append(f"{_cell_ref(self.name, [row], column)}：{text}")

    def colname(self, key: str) -> str:
        c = self.cols.get(key)
        return self.h.names.get(c, KEY_NAMES[key]) if c else KEY_NAMES[key]

    def _read_row(self, r: int, raw: dict[int, Any]) -> None:
        """The current row's value of each column (its own, from a merged range above, or 同上), and as text."""
        vals: dict[str, Any] = {}
        for key, c in self.key_cols:
            v = raw.get(c)
            if v is None:
                v = self.fill.get((r, c))
            if type(v) is str and v.strip() in SAME_AS_ABOVE:
                v = self.prev.get(key)
            vals[key] = v
        self.vals = vals
        self.texts = {k: cell_text(v) for k, v in vals.items() if v is not None}
        self.prev = vals

    def value(self, key: str) -> Any:
        return self.vals.get(key)

    def text(self, key: str) -> str:
        return self.texts.get(key, "")

    def continued(self, r: int, key: str) -> bool:
        """Whether the cell of `key` in row r is the lower part of a merged range."""
        c = self.cols.get(key)
        return c is not None and (r, c) in self.merged_from

    # --- rows

    def build(self) -> ImportedInspection:
        rows = self.sheet.cells
        # The header's own cells are its column names; any other text in its rows is listed.
        named = {normalize_header(t) for t in (*self.h.names.values(), *self.h.extra.values(), *GROUP_WORDS)}
        for r in range(self.h.first_row, self.h.row + 1):
            for c, v in sorted(rows.get(r, {}).items()):
                if (t := cell_text(v)) and normalize_header(t) not in named and header_key(v) is None:
                    self.skip(r, {c: t}, "表头中的文字，不是列名，未导入")
        for r in sorted(rows):
            if r > self.h.row:
                self.row(r, rows[r])
        self.finish()
        return self.out

    def row(self, r: int, raw: dict[int, Any]) -> None:
        texts = {c: t for c, v in raw.items() if (t := cell_text(v))}
        if not texts:
            return
        if any(_SIGNATURE.match(t) for t in texts.values()) and not self._has_content(raw):
            self.skip(r, texts, SIGNATURE_REASON)
            return
        first = texts[min(texts)]
        if len(texts) <= 2 and _NOTE.match(first):
            self.warn(r, "", f"说明文字“{_short(first)}”不是台账内容，已跳过")
            self.skip(r, texts, "说明文字，不是台账内容")
            return
        key_col = self.cols["finding"] or self.cols["item"]
        if key_col is not None and header_key(raw.get(key_col), loose=False) in ("finding", "item"):
            if len(_row_keys(raw, loose=False)) >= 3:
                self.skip(r, texts, "重复的表头（由多页拼成的表格），不是台账内容")
                return
        if all(type(v) is int for v in raw.values()) and sorted(raw.values()) == list(range(1, len(raw) + 1)):
            if len(raw) >= 4:
                self.skip(r, texts, "列序号（1、2、3…），不是台账内容")
                return
        if self._heading(r, texts):
            return
        self._read_row(r, raw)
        if self._data_row(r, raw, texts):
            known = set(self.h.columns) | set(self.h.extra)
            for c in sorted(texts):
                if c not in known:
                    self.skip(r, {c: texts[c]}, f"该列没有表头，{_col_letter(c)}列的内容未导入")
            self._seq_text(r, texts)

    def _seq_text(self, r: int, texts: dict[int, str]) -> None:
        """Lists a 序号 cell that holds words, not a number: the number column is not imported."""
        seq = self.cols["seq"]
        if seq is not None and seq in texts and not _SERIAL.fullmatch(texts[seq]):
            self.skip(r, {seq: texts[seq]}, f"{self.colname('seq')}列的文字不是序号，未导入")

    def skip(self, r: int, texts: dict[int, str], reason: str) -> None:
        self.skipped.append(Skipped(r, "  ".join(texts[c] for c in sorted(texts)), reason))

    def _has_content(self, raw: dict[int, Any]) -> bool:
        """Whether a row with a signature word also has a finding, item or measures of its own."""
        for key in ("finding", "item", "measures"):
            c = self.cols.get(key)
            if c is not None and c in raw:
                t = cell_text(raw[c])
                if t and not _SIGNATURE.match(t):
                    return True
        return False

    def _heading(self, r: int, texts: dict[int, str]) -> bool:
        """One cell alone across the row ("一、…方面"): a category, in a sheet without a category column.

        A Chinese numeral in the 序号 column (一 | 政治建设方面) marks such a row too."""
        if self.cols["category"] is not None:
            return False
        seq = self.cols["seq"]
        cn_seq = seq is not None and seq in texts and cn_to_int(texts[seq]) is not None
        if cn_seq:
            texts = {c: t for c, t in texts.items() if c != seq}
        if len(texts) != 1:
            return False
        ((c, text),) = texts.items()
        if c in self.h.extra:
            return False
        wide = self.hspan.get((r, c), 1) >= 3
        marked = cn_seq or bool(_CATEGORY_HEADING.match(text))
        key = self.h.columns.get(c)
        if key is None:
            ok = True  # a column without a header, used for headings
        elif key == "seq":
            ok = wide or marked
        elif key == "finding":
            ok = wide or (marked and "方面" in text)
        else:
            ok = wide
        if ok:
            self._new_category(r, text)
        return ok

    def _new_category(self, r: int, raw_title: str) -> None:
        _, title = split_number(raw_title)
        self.cat = ImportedCategory(title, source=f"{self.name}!第{r}行")
        self.cat_key = raw_title
        self.out.categories.append(self.cat)
        self.finding = None
        self.finding_key = None
        self.item = None

    def _default_category(self, r: int) -> None:
        title = "未分类" if _DEFAULT_SHEET.match(self.name.strip()) else self.name.strip()
        self.cat = ImportedCategory(title, source=f"{self.name}!第{r}行")
        self.cat_key = None
        self.out.categories.append(self.cat)
        self.warnings.append(
            f"{self.name}!第{self.h.first_row}行 表头：没有“方面”（问题类别）列，"
            f"第{r}行起的问题归入方面“{title}”，导入后可以修改"
        )

    def _data_row(self, r: int, raw: dict[int, Any], texts: dict[int, str]) -> bool:
        """Reads a row below the header; False when it holds no problem and no rectification (then said)."""
        cat_text = self.text("category")
        if cat_text and cat_text != self.cat_key:
            self._new_category(r, cat_text)
        finding_text = self.text("finding")
        item_text = self.text("item")
        has_data = self._has_details(texts)
        if not finding_text and not item_text and not has_data:
            ignored = [c for c in texts if self.h.columns.get(c) not in ("category", "seq")]
            if ignored:
                self.warn(r, "", f"没有问题和整改内容（“{_short(texts[ignored[0]])}”），已跳过")
                self.skip(r, {c: t for c, t in texts.items() if c != self.cols["category"]}, "没有问题和整改内容")
            elif not cat_text:
                self.skip(r, texts, "只有序号，没有问题和整改内容")
            else:
                self._seq_text(r, texts)  # a category alone on its row
            return False
        if self.cat is None:
            self._default_category(r)
        assert self.cat is not None
        new_finding = False
        if finding_text and finding_text != self.finding_key:
            number, title = split_number(finding_text)
            self.finding = ImportedFinding(title, number=number, source=f"{self.name}!第{r}行")
            self.finding_key = finding_text
            self.cat.findings.append(self.finding)
            self.item = None
            new_finding = True
        elif self.finding is None:
            title = split_number(item_text)[1] if item_text else "（未填写问题）"
            self.warn(r, self.colname("finding"), f"问题为空，以“{_short(title)}”作为问题标题")
            self.finding = ImportedFinding(title, source=f"{self.name}!第{r}行")
            self.finding_key = None
            self.cat.findings.append(self.finding)
            self.item = None
            new_finding = True
        finding = self.finding
        assert finding is not None
        if self.cols["item"] is None:
            self._new_item(r, raw, finding.title, None)  # each row an item with the finding's title
        elif item_text:
            if self.continued(r, "item") and self.item is not None:
                self._fill_item(self.item, r, raw, first=False)
            else:
                number, title = split_number(item_text)
                self._new_item(r, raw, title, number)
        elif not has_data:
            pass  # the finding alone on its row: its items follow, or it is one item (made at the end)
        elif new_finding or self.item is None:
            self._new_item(r, raw, finding.title, None)  # a finding not split into items
        else:
            self.warn(r, self.colname("item"), f"细化问题为空，本行内容并入上一项细化问题（第{self.item_row}行）")
            self._fill_item(self.item, r, raw, first=False)
        return True

    def _has_details(self, texts: dict[int, str]) -> bool:
        """Whether the row has something of an item in its own cells (not only from merged ranges above)."""
        for key in ("measures", "leader", "department", "person", "deadline", "progress", "status", "evidence"):
            c = self.cols.get(key)
            if c is not None and c in texts:
                return True
        return False

    def _new_item(self, r: int, raw: dict[int, Any], title: str, number: int | None) -> None:
        assert self.finding is not None
        item = ImportedItem(title, number=number, source=f"{self.name}!第{r}行")
        self.finding.items.append(item)
        self.item = item
        self.item_row = r
        self.item_texts = dict(self.texts)
        self._fill_item(item, r, raw, first=True)

    def _fill_item(self, item: ImportedItem, r: int, raw: dict[int, Any], *, first: bool) -> None:
        """Sets an item from its row, or adds a further row of the same item (a merged item cell)."""

        def join(old: str, new: str) -> str:
            if not new or new == old:
                return old
            return f"{old}\n{new}" if old else new

        known = {m.text for m in item.measures}
        for t in split_measures(self.value("measures")):
            if t not in known:
                item.measures.append(ImportedMeasure(t))
                known.add(t)
        for key in ("leader", "department", "person", "progress"):
            text = self.text(key)
            if key == "progress" and self.shared and (ls := leading_status(text)) is not None and ls.bare:
                continue  # only the status (已完成), read as such: no progress text besides
            setattr(item, key, join(getattr(item, key), text))
        if self.cols["deadline"] is not None and not item.deadline and not item.deadline_date:
            dl = read_deadline(self.value("deadline"))
            item.deadline, item.deadline_date = dl.text, dl.date
            if dl.note:
                self.warn(r, self.colname("deadline"), dl.note)
        if first:
            self._status(item, r, raw)
        else:
            self._once_only(r, raw)
        ev = self.text("evidence")
        if ev:
            names = ev.split("\n")
            if len(names) == 1 and not self.own:
                names = re.split(r"[；;]", names[0])
            for n in (n.strip() for n in names):
                if n and n not in item.evidence:
                    item.evidence.append(n)
        if first and self.cols["writeoff"] is not None:
            steps, understood = read_writeoff(self.value("writeoff"))
            item.writeoffs = steps
            if not understood:
                wo = self.text("writeoff")
                self.warn(
                    r, self.colname("writeoff"), f"“{_short(wo)}”不是销号状态（已销号、待审核、已退回），已记入备注"
                )
                item.remarks = join(item.remarks, f"{self.colname('writeoff')}：{wo}")
        item.remarks = join(item.remarks, self.text("remarks"))
        for c, name in self.h.extra.items():
            t = cell_text(raw.get(c, self.fill.get((r, c))))
            if t:
                item.remarks = join(item.remarks, f"{name}：{t}")

    def _status(self, item: ImportedItem, r: int, raw: dict[int, Any]) -> None:
        if self.cols["status"] is None:
            item.status = NOT_STARTED
            return
        value = self.value("status")
        ls = leading_status(value) if type(value) is str else None
        if ls is not None and not ls.bare:
            # "已完成。已梳理…": the status from the words it opens with, the whole text kept as progress.
            item.status, item.completed_date = ls.status, None
            if ls.word not in STATUSES:
                self.guesses[(self.colname("status"), ls.word, ls.status)].append(r)
            if not self.shared:
                text = self.text("status")
                item.progress = (
                    f"{item.progress}\n{text}"
                    if item.progress and text not in item.progress
                    else (item.progress or text)
                )
        else:
            st = read_status(value)
            item.status = st.status
            item.completed_date = st.completed
            if st.word:
                word = st.word if self.cols["status"] != self.cols["progress"] else _short(st.word)
                self.guesses[(self.colname("status"), word, st.status)].append(r)
        if item.status == DONE and item.completed_date is None and self.cols["completed"] is not None:
            v = self.value("completed")
            if isinstance(v, dt.datetime):
                item.completed_date = v.date()
            elif isinstance(v, dt.date):
                item.completed_date = v
            else:
                item.completed_date = rules.parse_date(cell_text(v))
        done = self.text("completed")
        if done and self.cols["completed"] in raw and item.completed_date is None:
            why = "不是日期" if item.status == DONE else f"该项按“{item.status}”导入，不是已完成"
            self.skip(r, {0: done}, f"{self.colname('completed')}“{_short(done)}”{why}，未导入")

    def _once_only(self, r: int, raw: dict[int, Any]) -> None:
        """Lists what a further row of the same item says in a column the item holds once (its deadline,
        status, write-off, completion date), when it says something else than the item's first row."""
        for key in ("deadline", "status", "writeoff", "completed"):
            c = self.cols.get(key)
            text = self.text(key)
            if c is None or c not in raw or not text or text == self.item_texts.get(key, ""):
                continue
            if key == "status" and self.shared and not ((ls := leading_status(text)) is not None and ls.bare):
                continue  # a progress text: joined into the item's progress
            first = self.item_texts.get(key, "")
            said = f"“{_short(first)}”" if first else "空白"
            self.skip(
                r,
                {c: text},
                f"同一细化问题（第{self.item_row}行起）的{self.colname(key)}按第{self.item_row}行（{said}）导入，"
                "本行的未导入",
            )

    def finish(self) -> None:
        from openpyxl.utils.cell import get_column_letter

        for cat in self.out.categories:
            for f in cat.findings:
                if not f.items:
                    f.items.append(ImportedItem(f.title, source=f.source))
        for cat in self.out.categories:
            if not cat.findings:
                self.warnings.append(f"{cat.source} 方面：“{_short(cat.title)}”下没有问题，未导入")
        self.out.categories = [c for c in self.out.categories if c.findings]
        for (column, word, status), rows in self.guesses.items():
            what = f"{column}为空" if word == BLANK else f"“{word}”"
            self.warnings.append(f"{_cell_ref(self.name, rows, column)}：{what}，按“{status}”导入")
        for c, name in sorted(self.h.extra.items()):
            self.warnings.append(
                f"{self.name}!第{self.h.row}行 {get_column_letter(c)}列“{name}”：不是台账的列，内容已并入备注"
            )
        if self.cols["status"] is None:
            self.warnings.append(
                f"{self.name}!第{self.h.row}行 表头：没有“完成情况”列，全部细化问题按“{NOT_STARTED}”导入"
            )
        # In the order of the sheet, so that the clerk can go down it with the list in hand.
        self.out.warnings = sorted(self.warnings, key=_first_row)
        self.out.skipped = self.skipped


# The header of this program's own export: its workbooks are read back without guessing.
OWN_HEADER = COLUMNS


def _col_letter(c: int) -> str:
    from openpyxl.utils.cell import get_column_letter

    return get_column_letter(c)


def _first_row(warning: str) -> int:
    m = re.search(r"!第(\d+)", warning)
    return int(m.group(1)) if m else 0


def _short(text: str, n: int = 20) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= n else text[:n] + "…"


# The labels clerks write above the header ("巡察组：县委第一巡察组", "被巡察单位：…", "反馈日期：2024年4月18日",
# "填报单位：…（盖章）   填报日期：…"), several to a cell or the value in the next cell; longest first.
_LABEL_KINDS: tuple[tuple[str, str], ...] = (
    ("unit", r"被(?:巡察|巡视|审计|督查|检查)(?:单位|党组织)"),
    ("feedback", r"(?:巡察|巡视|审计结果|审计|督查)?反馈(?:意见)?(?:日期|时间)"),
    ("filled", r"填报(?:日期|时间)"),
    ("reporter", r"填报单位"),
    ("body", r"(?:巡察|巡视|审计|督查|检查)组"),
    ("filled", r"日期"),
)
_LABEL = re.compile(
    "(?:" + "|".join(f"(?P<{kind}{n}>{pattern})" for n, (kind, pattern) in enumerate(_LABEL_KINDS)) + r")\s*[:：]"
)
# "…巡察组对…开展(了)(常规)巡察": the inspecting body and the unit, as notices and titles say it.
_BODY_ON_UNIT = re.compile(
    r"(?P<body>[^，。；、\s]{2,30}?(?:巡察|巡视|审计|督查|检查)组)对(?P<unit>[^，。；、\s]{2,30}?)(?:开展|进行)?了?"
    r"(?:为期[^，。；]{1,8}的)?(?:常规|专项|机动|提级|延伸)?(?:巡察|巡视|审计|督查)"
)
_GROUP = re.compile(r"(?:巡察|巡视|审计|督查|检查)组")
# "2024年4月18日，…反馈…" (as the text import reads a preamble) or "（2024年4月18日反馈）" in a title.
_FEEDBACK_ON = re.compile(r"(?P<date>\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)[，,]?[^。；;]{0,60}?反馈")
# A note on the sheet's colours (the export's own 浅红底色：已逾期…, a clerk's 标红为逾期): about the sheet.
_LEGEND = re.compile(r"^\s*\S{0,6}(?:底色|颜色|标红|标黄|填充色|字体)\s*[:：为]")
_ATTACHMENT = re.compile(r"^\s*附\s*件\s*[\d一二三四五六七八九十]*\s*[:：]?\s*$")


def _group_name(text: str) -> str:
    """The inspecting group a title names ("…关于县委第二巡察组反馈意见…" → 县委第二巡察组), or ""."""
    m = _GROUP.search(text)
    if not m:
        return ""
    return re.split(r"关于|对|落实|根据|按照|[\s，,、]", text[: m.end()])[-1]


def _unit_name(text: str) -> str:
    return re.sub(r"[（(]\s*(?:盖章|签章|公章)\s*[)）]", "", text).strip(" \t\n：:，,")


def _describe_top(out: ImportedInspection, sheet: Sheet, header: Header) -> None:
    """Title, inspecting body, inspected unit and feedback date from the title and the rows above the header;
    what is none of them is listed in out.skipped, never dropped unsaid."""
    skipped: list[Skipped] = []
    free: list[tuple[int, str]] = []  # (row, text) of what is not a label: the title, a line about the round
    labelled: dict[str, str] = {}  # unit / body / reporter: the first value of each
    for r in sorted(sheet.cells):
        if r >= header.first_row:
            break
        row = sheet.cells[r]
        cols = sorted(row)
        used: set[int] = set()
        for i, c in enumerate(cols):
            if c in used:
                continue
            text = cell_text(row[c])
            if not text:
                continue
            if _LABEL.fullmatch(text + "："):
                text += "："  # a label alone in its cell (反馈日期 | 2023-05-12): its value is in the next cell
            marks = list(_LABEL.finditer(text))
            if not marks:
                if _ATTACHMENT.match(text):
                    skipped.append(Skipped(r, text, "附件编号，不是台账内容"))
                elif _LEGEND.match(text):
                    skipped.append(Skipped(r, text, "颜色说明，不是台账内容"))
                else:
                    free.append((r, text))
                continue
            head = text[: marks[0].start()].strip()
            if head:
                free.append((r, head))
            for k, m in enumerate(marks):
                kind = next(g for g, v in m.groupdict().items() if v is not None).rstrip("0123456789")
                raw: Any = text[m.end() : marks[k + 1].start() if k + 1 < len(marks) else len(text)].strip()
                if not raw and k + 1 == len(marks) and i + 1 < len(cols):
                    raw = row[cols[i + 1]]  # 反馈日期： | 2023-05-12
                    used.add(cols[i + 1])
                value = cell_text(raw)
                # A value runs to two spaces, as on a printed line ("填报单位：某局    联系人：…").
                value, rest = (re.split(r"\s{2,}", value, maxsplit=1) + [""])[:2]
                said = f"{m.group(0).strip()}{value}"
                if rest.strip():
                    free.append((r, rest.strip()))
                if kind == "filled":
                    skipped.append(Skipped(r, said, "填报日期，不是台账内容"))
                elif kind == "feedback":
                    if isinstance(raw, dt.datetime):
                        raw = raw.date()
                    date = raw if isinstance(raw, dt.date) else rules.parse_date(value)
                    if date is None:
                        skipped.append(Skipped(r, said, "反馈日期不是日期，未导入"))
                    elif out.feedback_date is None:
                        out.feedback_date = date
                elif value:
                    labelled.setdefault(kind, _unit_name(value) if kind != "body" else value)
    # The title: the first text, or a later one naming the 台账 when the first does not ("附件" is left out
    # above); the other texts (a sentence on the round) are kept in the inspection's notes.
    for r, text in [(r, t) for r, t in free if _SIGNATURE.match(t)]:
        skipped.append(Skipped(r, text, SIGNATURE_REASON))
    free = [(r, t) for r, t in free if not _SIGNATURE.match(t)]
    title = ""
    for _, text in free:
        if not title or ("台账" in text and "台账" not in title):
            title = text.replace("\n", "")
    lines = [text for _, text in free if text.replace("\n", "") != title]
    out.notes = "\n".join(lines)
    out.title = title
    if "审计" in title:
        out.kind = "审计"
    elif "督查" in title:
        out.kind = "督查"
    body, unit = "", ""
    m = _BODY_ON_UNIT.search(title)
    if m:
        body, unit = m.group("body"), m.group("unit")
    elif (m := _TITLE_PARTS.match(title)) is not None:
        body, unit = _group_name(m.group("body")) or m.group("body"), m.group("unit")
    else:
        body = _group_name(title)
    for text in lines:  # "县委第三巡察组于…对青石镇党委开展了常规巡察，2024年4月18日反馈了巡察意见"
        if (m := _BODY_ON_UNIT.search(text)) is not None and not body:
            body, unit = m.group("body"), m.group("unit")
    if out.feedback_date is None:
        for text in (title, *lines):
            if (m := _FEEDBACK_ON.search(text)) is not None:
                out.feedback_date = rules.parse_date(m.group("date"))
                if out.feedback_date is not None:
                    break
    # What the sheet's labels say first, then its title; 填报单位 is the inspected unit when nothing else says.
    out.inspecting_body = labelled.get("body") or body
    out.inspected_unit = labelled.get("unit") or labelled.get("reporter") or unit
    out.skipped = sorted(skipped + out.skipped, key=lambda s: s.line)


def _pick_sheet(book: Workbook, skip: tuple[str, ...] = ()) -> tuple[Sheet, Header]:
    """The first sheet named 台账, or else the first with a recognisable header (hidden sheets last); never
    one of `skip` (the export's 续 sheet)."""
    order = [n for n in book.names if n.strip() == "台账"]
    order += [n for n in book.names if n not in order and n not in book.hidden]
    order += [n for n in book.names if n not in order]
    order = [n for n in order if n not in skip]
    empty = True
    for name in order:
        peek = book.sheet(name, first_rows=HEADER_ROWS + 2)
        if peek.cells:
            empty = False
        if find_header(peek) is None:
            continue
        sheet = book.sheet(name)
        header = find_header(sheet)
        if header is not None:
            return sheet, header
    if empty:
        raise XlsxImportError(f"工作簿是空的，没有任何内容：{book.path.name}。请检查是否选对了文件。")
    names = "、".join(f"“{n}”" for n in book.names)
    raise XlsxImportError(
        f"在工作表{names}的前{HEADER_ROWS}行中没有找到台账的表头：{book.path.name}。"
        "表头至少要有“问题”（或存在问题、问题清单）或“细化问题”（或具体问题、具体表现）列，"
        "以及整改措施、责任部门、整改时限、完成情况等列中的一项。请检查是否选对了文件，或把表头改成这些名称后再导入。"
    )


def parse_workbook(path: Path, *, max_bytes: int = MAX_BYTES, max_rows: int = MAX_ROWS) -> ImportedInspection:
    """Reads an .xlsx ledger into an ImportedInspection (never writes); raises XlsxImportError when it cannot."""
    path = Path(path)
    try:
        return _parse_workbook(path, max_bytes, max_rows)
    except MemoryError as exc:  # a sheet that passed every limit and still did not fit
        raise _unreadable(path, exc) from None


def _parse_workbook(path: Path, max_bytes: int, max_rows: int) -> ImportedInspection:
    with Workbook(path, max_bytes=max_bytes, max_rows=max_rows) as book:
        carried = CarriedTexts.read(book)
        own = (carried.sheet,) if carried.sheet else ()
        sheet, header = _pick_sheet(book, own)
        carried.join(sheet)
        out = _Builder(sheet, header).build()
        out.warnings[:0] = sheet.notes + carried.notes  # what reading left out comes first
        _describe_top(out, sheet, header)
        others = [
            n
            for n in book.names
            if n != sheet.name
            and n not in book.hidden
            and n not in OWN_SHEETS
            and n not in own
            and _looks_like_ledger(book, n)
        ]
        if others:
            out.warnings.append(
                f"{sheet.name}!第{header.row}行 工作表：工作簿中的工作表"
                + "、".join(f"“{n}”" for n in others)
                + f"也像台账，本次只导入了“{sheet.name}”；需要时请把它们分别另存后再导入"
            )
        _read_registers(book, out, carried)
        out.warnings += carried.finish(book)
        _list_other_sheets(book, out, [sheet.name, *own, *OWN_SHEETS], others)
    if not out.title:
        out.title = path.stem
    if not out.items():
        raise XlsxImportError(
            f"工作表“{sheet.name}”的表头（第{header.row}行）下面没有任何问题，没有可导入的内容：{path.name}。"
        )
    clip_fields(out)  # here, so that the preview lists every cut before anything is imported
    return out


def _list_other_sheets(book: Workbook, out: ImportedInspection, read: list[str], ledgers: list[str]) -> None:
    """Lists in out.skipped each sheet with content that the import does not read (a 填表说明, a second
    ledger, a hidden sheet), by its first text: a whole sheet is never left out unsaid."""
    for name in book.names:
        if name in read:
            continue
        peek = book.sheet(name, first_rows=HEADER_ROWS)
        first = next(
            (t for r in sorted(peek.cells) for c in sorted(peek.cells[r]) if (t := cell_text(peek.cells[r][c]))), ""
        )
        if not first:
            continue
        row = next(r for r in sorted(peek.cells) if any(cell_text(v) for v in peek.cells[r].values()))
        if name in ledgers:
            why = "也像台账，本次没有导入"
        elif name in book.hidden:
            why = "是隐藏的工作表，没有导入"
        else:
            why = "不是台账，没有导入"
        out.skipped.append(Skipped(row, f"{name}：{_short(first, 30)}", f"工作表“{name}”{why}"))


def _looks_like_ledger(book: Workbook, name: str) -> bool:
    return find_header(book.sheet(name, first_rows=HEADER_ROWS + 2)) is not None


# --- the other sheets of the program's own export -------------------------------------------------

OWN_SHEETS = ("统计", "佐证材料", "制度建设", "会议")
_REGISTER_COLUMNS: dict[str, dict[str, tuple[str, ...]]] = {
    "会议": {
        "kind": ("会议类型", "类型", "会议类别"),
        "date": ("日期", "会议日期", "时间", "召开时间", "召开日期"),
        "topic": ("议题", "会议议题", "会议主题", "主题", "会议名称", "内容"),
        "note": ("备注", "说明"),
    },
    "制度建设": {
        "title": ("制度名称", "名称", "标题", "制度", "文件名称"),
        "doc_number": ("文号", "发文字号", "文件编号"),
        "date": ("日期", "印发日期", "发布日期", "时间", "出台时间", "印发时间"),
        "note": ("备注", "说明"),
    },
}


def _read_registers(book: Workbook, out: ImportedInspection, carried: CarriedTexts | None = None) -> None:
    """Meetings (会议) and rules made (制度建设) from sheets so named, when their header is recognised; with
    the texts `carried` on to the 续 sheet joined back."""
    for sheet_name, spec in _REGISTER_COLUMNS.items():
        if sheet_name not in book.names:
            continue
        sheet = book.sheet(sheet_name)
        if carried is not None:
            carried.join(sheet)
        out.warnings.extend(sheet.notes)
        words = {w: k for k, ws in spec.items() for w in ws}
        header_row, columns = 0, {}
        for r in sorted(sheet.cells)[:HEADER_ROWS]:
            found = {c: words[t] for c, v in sheet.cells[r].items() if (t := normalize_header(v)) in words}
            if len(set(found.values())) >= 2:
                header_row, columns = r, found
                break
        if not columns:
            continue
        target = out.meetings if sheet_name == "会议" else out.institutions
        main = "topic" if sheet_name == "会议" else "title"
        for r in sorted(sheet.cells):
            if r <= header_row:
                continue
            row = sheet.cells[r]
            rec: dict[str, Any] = {}
            for c, key in columns.items():
                v = row.get(c)
                if key == "date":
                    if isinstance(v, dt.datetime):
                        v = v.date()
                    rec[key] = v if isinstance(v, dt.date) else rules.parse_date(cell_text(v))
                    if v is not None and rec[key] is None and cell_text(v):
                        out.warnings.append(
                            f"{sheet_name}!第{r}行 {KEY_NAMES.get(key, '日期')}列：“{cell_text(v)}”不是日期，未导入"
                        )
                else:
                    rec[key] = cell_text(v)
            if not rec.get(main):
                continue
            if sheet_name == "会议" and not rec.get("kind"):
                rec.pop("kind", None)
            target.append(rec)


# --- texts the export carried on to its 续 sheet ---------------------------------------------------

_MARK_HEAD, _MARK_TAIL = CONTINUED_MARK.split("{row}")
_MARK_REST = re.compile(re.escape(_MARK_HEAD) + r"\d+" + re.escape(_MARK_TAIL))  # from the marker's start to the end
_PART = re.compile(r"第(\d{1,9})段\(共(\d{1,9})段\)")  # as normalize_header leaves 第2段（共3段）
_ADDRESS = re.compile(r"\$?([A-Za-z]{1,3})\$?([1-9]\d{0,6})")


def _marker_at(text: str) -> int:
    """Where the export's ……（未完，续见“续”表第N行） begins, when `text` ends with it; else -1."""
    if not text.endswith(_MARK_TAIL):
        return -1
    at = text.rfind(_MARK_HEAD)
    return at if at >= 0 and _MARK_REST.fullmatch(text, at) else -1


@dataclass
class _Piece:
    row: int  # its row on the 续 sheet
    part: int  # 2, 3 …: the cell itself holds part 1
    parts: int
    text: str

    def label(self) -> str:
        return f"第{self.part}段（共{self.parts}段）"

    def described(self) -> str:
        return f"续文（{self.label()}，{len(self.text):,} 字）"


class CarriedTexts:
    """The pieces of long texts on the export's 续 sheet, by the cell they continue, to be joined back.

    The export (xlsx_export.Continuations) keeps the beginning of such a text in its cell, ending with
    ……（未完，续见“续”表第N行）, and writes the rest on the 续 sheet in pieces, one a row: 序号, 单元格 (台账!J4),
    栏目, 段 (第2段（共3段）), 续文. :meth:`join` puts a sheet's texts back together before the sheet is parsed;
    what cannot be joined (a piece missing, a cell that is not there or no longer ends with the marker) is
    listed by :meth:`join` and :meth:`finish` in Chinese, naming the 续 row, and the text is taken as far as it
    goes, without the marker.
    """

    def __init__(self) -> None:
        self.sheet = ""  # the 续 sheet, when the workbook has one in the export's layout
        self.notes: list[str] = []  # what reading the 续 sheet left out
        self._pieces: dict[tuple[str, int, int], list[_Piece]] = defaultdict(list)  # (sheet, row, col) → pieces
        self._columns: dict[tuple[str, int, int], str] = {}  # the 栏目 of each cell, for the warnings
        self._warnings: list[tuple[int, str]] = []  # (续 row, warning), put in the order of the 续 sheet
        self._joined: set[str] = set()

    @classmethod
    def read(cls, book: Workbook) -> CarriedTexts:
        """The 续 sheet of `book`, when it has one in the export's layout; else nothing to join."""
        carried = cls()
        if CONTINUATION_SHEET not in book.names:
            return carried
        peek = book.sheet(CONTINUATION_SHEET, first_rows=HEADER_ROWS)  # a clerk's own 续 sheet is left alone
        for r in sorted(peek.cells):
            row = peek.cells[r]
            cols = sorted(row)
            if [normalize_header(row[c]) for c in cols] == list(CONTINUATION_HEADERS) and cols == list(
                range(cols[0], cols[0] + len(CONTINUATION_HEADERS))
            ):
                sheet = book.sheet(CONTINUATION_SHEET)
                carried.sheet = sheet.name
                carried.notes = sheet.notes
                carried._read_rows(sheet, r, cols[0])
                break
        return carried

    def _warn(self, row: int, text: str) -> None:
        self._warnings.append((row, f"{self.sheet}!第{row}行：{text}"))

    def _read_rows(self, sheet: Sheet, header_row: int, first_col: int) -> None:
        from openpyxl.utils.cell import column_index_from_string

        c_ref, c_column, c_part, c_text = first_col + 1, first_col + 2, first_col + 3, first_col + 4
        for r in sorted(sheet.cells):
            if r <= header_row:
                continue
            row = sheet.cells[r]
            ref, part, value = cell_text(row.get(c_ref)), normalize_header(row.get(c_part, "")), row.get(c_text)
            text = value if type(value) is str else cell_text(value)
            if not ref and not text:
                continue  # no piece on this row (an emptied row, a note below the table)
            if not text:
                self._warn(r, f"续文是空的，没有可以接上的文字（单元格“{ref}”），请核对")
                continue
            what = f"续文（{len(text):,} 字）"
            sheet_name, _, address = ref.rpartition("!")
            sheet_name = sheet_name.strip()
            if len(sheet_name) >= 2 and sheet_name[0] == sheet_name[-1] == "'":
                sheet_name = sheet_name[1:-1].replace("''", "'")
            m = _ADDRESS.fullmatch(address.strip())
            if not sheet_name or m is None:
                where = f"“{ref}”不是单元格地址（应写作“台账!J4”）" if ref else "没有写明接在哪个单元格"
                self._warn(r, f"{where}，本行的{what}没有接上，请核对")
                continue
            p = _PART.fullmatch(part)
            if p is None or not 2 <= int(p.group(1)) <= int(p.group(2)):
                said = cell_text(row.get(c_part)) or "空白"
                self._warn(
                    r, f"“段”栏（{said}）不是“第2段（共2段）”的样子，本行的{what}不知接在第几段，没有接上，请核对"
                )
                continue
            col = column_index_from_string(m.group(1).upper())
            key = (sheet_name, int(m.group(2)), col)
            self._pieces[key].append(_Piece(r, int(p.group(1)), int(p.group(2)), text))
            self._columns.setdefault(key, cell_text(row.get(c_column)))

    def join(self, sheet: Sheet) -> None:
        """Appends to the cells of `sheet` the pieces carried on from them, the markers taken out; a cell
        that ends with the marker and has no pieces keeps its beginning, with a warning."""
        from openpyxl.utils.cell import get_column_letter

        if sheet.name in self._joined:
            return
        self._joined.add(sheet.name)
        for key in [k for k in self._pieces if k[0] == sheet.name]:
            self._join_cell(sheet, key, self._pieces.pop(key))
        for r, row in sheet.cells.items():
            for c, value in row.items():
                if type(value) is not str or (at := _marker_at(value)) < 0:
                    continue
                row[c] = value[:at]
                where = (
                    f"“{self.sheet}”表中没有它的续文" if self.sheet else f"工作簿中没有接续它的“{CONTINUATION_SHEET}”表"
                )
                self._warnings.append(
                    (
                        0,
                        f"{sheet.name}!{get_column_letter(c)}{r}：单元格中的文字未完（末尾标有“{value[at:]}”），"
                        f"{where}，只导入了单元格中的前 {at:,} 字，请核对",
                    )
                )

    def _join_cell(self, sheet: Sheet, key: tuple[str, int, int], pieces: list[_Piece]) -> None:
        from openpyxl.utils.cell import get_column_letter

        _, r, c = key
        ref = f"{sheet.name}!{get_column_letter(c)}{r}"
        column = self._columns.get(key, "")
        cell = f"“{ref}”（{column}）" if column else f"“{ref}”"
        value = sheet.cells.get(r, {}).get(c)
        at = _marker_at(value) if type(value) is str else -1
        if at < 0:
            why = (
                f"末尾没有“{_MARK_HEAD}N{_MARK_TAIL}”的标记（可能改动过）"
                if type(value) is str and value
                else "是空的（或不在表中）"
            )
            for p in pieces:
                self._warn(p.row, f"续文所接的单元格{cell}{why}，本行的{p.described()}没有接上，请核对")
            return
        texts, total, expected, last = [value[:at]], at, 2, 0
        stopped = ""  # why the pieces after a point are not joined
        for p in sorted(pieces, key=lambda p: p.part):  # stable: of two rows with the same part, the first
            if p.part < expected:
                twice = f"第{p.part}段重复（已接上{self.sheet}!第{last}行的一段）"
                self._warn(p.row, f"{cell}的{twice}，本行的{p.described()}没有接上，请核对")
                continue
            if not stopped and p.part > expected:
                stopped = f"续文缺少第{expected}段，文字只导入到第{expected - 1}段为止"
            elif not stopped and total + len(p.text) > CELL_MAX:
                stopped = f"续文接上后超过 {CELL_MAX} 字，文字只导入到第{expected - 1}段为止"
            if stopped:
                self._warn(p.row, f"{cell}的{stopped}，本行的{p.described()}没有接上，请核对")
                continue
            texts.append(p.text)
            total += len(p.text)
            expected, last = expected + 1, p.row
        parts = max(p.parts for p in pieces)
        if not stopped and expected <= parts:
            rest = "及以后各段" if expected < parts else ""
            text = f"{cell}共{parts}段，缺少第{expected}段{rest}，文字只导入到第{expected - 1}段为止，请核对"
            if last:
                self._warn(last, text)
            else:
                self._warnings.append((0, text))
        sheet.cells[r][c] = "".join(texts)

    def finish(self, book: Workbook) -> list[str]:
        """The warnings, in the order of the 续 sheet; with the pieces of cells in sheets that are not there.
        Pieces of sheets the import does not read (统计, 佐证材料) are left, as those sheets are."""
        for (name, _, _), pieces in self._pieces.items():
            if name in book.names:
                continue
            for p in pieces:
                self._warn(
                    p.row,
                    f"续文所接的工作表“{name}”不在工作簿中，本行的{p.described()}没有接上，请核对",
                )
        self._pieces.clear()
        return [w for _, w in sorted(self._warnings, key=lambda rw: rw[0])]


# --- the command line ------------------------------------------------------------------------------


def summary(parsed: ImportedInspection) -> str:
    c = parsed.counts()
    return f"{c['categories']}个方面、{c['findings']}个问题、{c['items']}项细化问题、{c['measures']}条整改措施"


def source_sheet(parsed: ImportedInspection) -> str:
    """The sheet the inspection came from (its items' sources read "台账!第12行")."""
    for it in parsed.items():
        if it.source:
            return it.source.split("!")[0]
    return ""


def cli_import(ledger_path: Path, path: Path, args: argparse.Namespace) -> int:
    """`rectify-desktop import LEDGER IN.xlsx [--dry-run] [--json]`: always a new inspection, never a merge."""
    dry = bool(getattr(args, "dry_run", False))
    as_json = bool(getattr(args, "json", False))
    try:
        parsed = parse_workbook(path)
    except XlsxImportError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 - a file the reader chokes on: told, never a traceback
        print(f"错误：{_unreadable(path, exc)}", file=sys.stderr)
        return 1
    report: dict[str, Any] = parsed.to_json()
    report["file"] = str(path)
    report["sheet"] = source_sheet(parsed)
    report["dry_run"] = dry
    head = f"{path.name}（工作表“{report['sheet']}”）：{summary(parsed)}"
    if dry:
        report["summary"] = f"检查完毕，未写入台账。{head}"
        _print_report(report, parsed, as_json)
        return 0
    from rectify_desktop.core.importing import import_into

    ledger_path = Path(ledger_path)
    try:
        result = import_into(ledger_path, parsed)
    except LedgerError as exc:  # the import wrote nothing
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    report["inspection_id"] = result.inspection_id
    report["ledger"] = str(ledger_path)
    report["summary"] = (
        f"已导入{head}；在台账{'（新建）' if result.created else ''}中新增巡察“{parsed.title}”"
        f"（编号 {result.inspection_id}）：{ledger_path}"
    )
    _print_report(report, parsed, as_json)
    if result.warning:
        print(f"注意：{result.warning}", file=sys.stderr)
    return 0


def _print_report(report: dict[str, Any], parsed: ImportedInspection, as_json: bool) -> None:
    if as_json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return
    print(report["summary"])
    if parsed.warnings:
        print(f"请核对以下 {len(parsed.warnings)} 条提示：")
        for w in parsed.warnings:
            print(f"  {w}")
    if parsed.skipped:
        # As the text import's preview lists them: what is in the file and went into no field.
        print(f"未导入的内容（{len(parsed.skipped)}处）：")
        for sk in parsed.skipped:
            print(f"  第{sk.line}行：{_short(sk.text, 40)}（{sk.reason}）")
