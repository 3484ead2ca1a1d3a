"""Recognising the header (表头) of a ledger sheet: which column is which, on one header row or two.

Part of the Excel import (io/xlsx_import.py re-exports these names). Clerks name the same column in many
ways (问题 / 存在问题 / 反馈问题 …, 责任部门 / 责任单位 / 牵头单位 …): SYNONYMS maps each column key of
core.table to the words that name it, header_key reads one cell, and find_header finds among the first rows
the row (or two rows, 责任主体 over 责任领导 / 责任部门 / 责任人) that names the most columns. Columns whose
words are not recognised are kept as Header.extra; their content goes to 备注.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from rectify_desktop.io.xlsx_amounts import amount_header
from rectify_desktop.io.xlsx_reader import HEADER_ROWS, Sheet

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
    if amount_header(text) is not None:
        return None  # 问题金额 is an amount column (Header.money), not the 问题 column
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
    # Amount columns (问题金额（万元）, 追缴金额（元）…): column → (kind, unit), read into the items' money entries.
    money: dict[int, tuple[str, str]] = field(default_factory=dict)
    groups: list[str] = field(default_factory=list)  # words over amount columns (金额（万元）): not a column

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


def _amounts_below(sheet: Sheet, r: int, columns: dict[int, str]) -> dict[int, str]:
    """Amount columns named on the row below a header row, under a merged group cell such as 金额（万元）:
    column → the group's unit ("" when it says none); {} when that row is not such a second header row."""
    top, sub = sheet.cells.get(r, {}), sheet.cells.get(r + 1, {})
    found = {c: a for c, v in sub.items() if (a := amount_header(v)) is not None and a[0]}
    if not found or any(c not in found and c not in columns and normalize_header(v) for c, v in sub.items()):
        return {}
    out: dict[int, str] = {}
    for c in found:
        group = next(
            (sheet.cells.get(r1, {}).get(c1) for r1, c1, r2, c2 in sheet.merges if r1 <= r <= r2 and c1 <= c <= c2),
            top.get(c),
        )
        said = amount_header(group) if group is not None else None
        if said is None or said[0]:
            return {}  # not under a group cell that names an amount
        out[c] = said[1]
    return out


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
        group_units = _amounts_below(sheet, r, columns) if last == r else {}
        if group_units:
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
        # An amount column that names its kind is read as amounts; one that does not stays extra (备注).
        for c in group_units:
            extra[c] = normalize_header(sub[c])  # 问题金额 under 金额（万元）: the lower words name the column
        money = {c: found for c, name in extra.items() if (found := amount_header(name)) is not None and found[0]}
        for c, (kind, unit) in money.items():
            names[c] = extra.pop(c)
            if not unit and group_units.get(c):
                money[c] = (kind, group_units[c])
        score = len(set(columns.values()) - {"seq"})
        if score > best_score:
            groups = [normalize_header(rows[r][c]) for c in group_units if rows.get(r, {}).get(c) is not None]
            best, best_score = Header(last, r, columns, names, extra, money=money, groups=groups), score
    if best is not None and best.col("deadline") is None and best.col("completed") is not None:
        # "完成时间" alone is the planned date, as in 整改时限（完成时间）.
        c = best.col("completed")
        assert c is not None
        best.columns[c] = "deadline"
    return best
