"""What a ledger sheet says above its header: the title, 巡察组, 被巡察单位 and 反馈日期 (the inspection's own fields).

Part of the Excel import (io/xlsx_import.py): _describe_top reads them from the title ("…巡察组对…开展巡察…",
"…关于…巡察组反馈意见…"), from the labels clerks write above the header ("被巡察单位：…", "反馈日期：…", several
to a cell or the value in the next cell) and from a sentence about the round, which is kept in the notes.
What is none of them (a 填报日期, a signature, an attachment number, a note on the colours) is listed in
ImportedInspection.skipped, never dropped unsaid.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from rectify_desktop.core import rules
from rectify_desktop.core.importing import ImportedInspection, Skipped
from rectify_desktop.io.xlsx_header import Header
from rectify_desktop.io.xlsx_reader import Sheet
from rectify_desktop.io.xlsx_rows import _SIGNATURE, SIGNATURE_REASON
from rectify_desktop.io.xlsx_values import cell_text

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
_TITLE_PARTS = re.compile(r"^(?P<unit>.+?)关于(?P<body>.+?)(?:反馈意见|反馈问题|反馈)")


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
