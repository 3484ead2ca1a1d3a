"""What each printed cell says (打印单元格): the sheet's texts as the paper shows them.

The sheet (core.lists) holds the same texts as the Excel file; on paper a few read better laid out otherwise,
and what must be seen survives a black-and-white printer:

- an overdue item says "（已逾期）" in bold under its deadline (or under its status when the deadline column is
  not printed), as the three lists mark it (core.lists.deadline_text), not by a colour;
- in the ledger, a date in brackets after a status ("已完成（2026年7月20日）") goes on the line under it, so that
  the column need only be as wide as the date, which is never broken (the lists have the width for one line);
- several evidence names (佐证材料) are numbered ①②③, so that where one ends and the next begins is seen
  even when a name wraps;
- in the ledger, whole dates read 2026.7.20, as in the Excel ledger's table: thirteen columns share the
  paper, and three of them hold dates that must not break; "2026年7月20日" took a third of the width at 14 pt
  (55 pages for the demo's 29 items, the text columns three characters wide). Phrases (2026年10月底前)
  stay as written; sentences (the title lines, the summary, the signatures) keep 年月日.
"""

from __future__ import annotations

import re

from rectify_desktop.core.lists import LEDGER, OVERDUE_MARK, Sheet

__all__ = ["OVERDUE_MARK", "OVERDUE_WORDS", "display_cells", "evidence_text"]
OVERDUE_WORDS = "已逾期"
_STATUS_DATE = re.compile(r"^(?P<status>[^（(\n]+)[（(](?P<date>[^）)\n]*\d[^）)\n]*)[）)]$")
DATED_KEYS = ("status", "writeoff", "done")
_FULL_DATE = re.compile(r"(?<!\d)(\d{4})年(\d{1,2})月(\d{1,2})日")
COMPACT_KEYS = ("deadline", *DATED_KEYS)
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def numbered(index: int) -> str:
    """①…⑳, then "21." on: the mark before an evidence name."""
    return _CIRCLED[index] if index < len(_CIRCLED) else f"{index + 1}."


def evidence_text(text: str) -> str:
    """Each evidence name on a line of its own, numbered when there are several."""
    names = [n.strip() for n in text.split("\n") if n.strip()]
    if len(names) < 2:
        return "\n".join(names)
    return "\n".join(numbered(i) + n for i, n in enumerate(names))


def compact_dates(text: str) -> str:
    """ "2026年7月20日" → "2026.7.20" wherever a whole date stands; "2026年10月底前" unchanged."""
    return _FULL_DATE.sub(r"\1.\2.\3", text)


def dated(text: str) -> str:
    """ "已完成（2026年7月20日）" → "已完成" over "2026年7月20日"; anything else unchanged."""
    m = _STATUS_DATE.match(text.strip())
    return f"{m['status'].strip()}\n{m['date'].strip()}" if m else text


def display_cells(sheet: Sheet) -> tuple[list[dict[str, str]], set[tuple[int, str]]]:
    """Per row, the texts its cells print; and the (row, key) cells printed in bold (the overdue marks)."""
    keys = set(sheet.keys)
    mark_key = "deadline" if "deadline" in keys else "status" if "status" in keys else None
    out: list[dict[str, str]] = []
    bold: set[tuple[int, str]] = set()
    for i, row in enumerate(sheet.rows):
        cells = dict(row.cells)
        for key in DATED_KEYS if sheet.kind == LEDGER else ():  # the lists have the width for one line
            if key in cells:
                cells[key] = dated(cells[key])
        for key in COMPACT_KEYS if sheet.kind == LEDGER else ():
            if key in cells:
                cells[key] = compact_dates(cells[key])
        if "evidence" in cells:
            cells["evidence"] = evidence_text(cells["evidence"])
        item = row.item
        if item is not None and item.overdue and mark_key is not None:
            if OVERDUE_MARK not in cells[mark_key]:  # the lists carry it already (core.lists.deadline_text)
                cells[mark_key] = f"{cells[mark_key].rstrip()}\n{OVERDUE_MARK}".lstrip("\n")
            bold.add((i, mark_key))
        out.append(cells)
    return out, bold
