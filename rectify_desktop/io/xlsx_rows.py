"""The rows below a ledger's header as categories, findings, items and measures (方面、问题、细化问题、整改措施).

Part of the Excel import (io/xlsx_import.py): _Builder walks the rows of the sheet once. Category and finding
cells merged down, 同上, a category alone on its row ("一、…方面"), a finding not split into items, an item
on several rows are read as a clerk means them; a signature, a note, a repeated header, a row of column
numbers, a cell under no header or a second deadline of one item go into no field and are listed in
ImportedInspection.skipped with the row and the reason; what is read by a guess (a status word, an Excel
serial number read as a date, a column read as 完成情况 by its content) is listed in the warnings, one line
a guess with all its rows.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from typing import Any

from rectify_desktop.core import rules
from rectify_desktop.core.importing import (
    ImportedCategory,
    ImportedFinding,
    ImportedInspection,
    ImportedItem,
    ImportedMeasure,
    ImportedMoney,
    Skipped,
)
from rectify_desktop.core.models import DONE, NOT_STARTED, STATUSES
from rectify_desktop.core.table import COLUMNS
from rectify_desktop.io.xlsx_amounts import amount_header, read_amount
from rectify_desktop.io.xlsx_cells import OVERDUE_MARK
from rectify_desktop.io.xlsx_header import GROUP_WORDS, KEY_NAMES, Header, _row_keys, header_key, normalize_header
from rectify_desktop.io.xlsx_ledger_sheet import (
    CIRCLED as _CIRCLED,
)
from rectify_desktop.io.xlsx_ledger_sheet import (
    CONTINUED_GROUP,
    CONTINUED_ITEM,
    LEDGER_HEADERS,
    continued_both,
)
from rectify_desktop.io.xlsx_reader import Sheet
from rectify_desktop.io.xlsx_values import (
    BLANK,
    SAME_AS_ABOVE,
    _short,
    cell_text,
    cn_to_int,
    leading_status,
    read_deadline,
    read_status,
    read_writeoff,
    split_measures,
    split_number,
)

_SIGNATURE = re.compile(
    r"^\s*(填表人|填报人|制表人|统计人|联系人|联系电话|电话|审核人|审核|审批人|负责人|单位负责人|主要负责人|分管负责人"
    r"|分管领导|签字|签名|盖章|单位盖章|单位（盖章）|报送人)\s*(?:[（(]\s*(?:签字|签名|盖章|签章)\s*[)）])?\s*(?:[:：]|$|\s)"
)
# What a 序号 cell holds: 1, 1-2, （一）, 一、 … (numbering, not content).
_SERIAL = re.compile(r"[\s\d一二三四五六七八九十百零〇（）()、.．\-—－_/]*")
SIGNATURE_REASON = "落款（填表人、联系电话等），不是台账内容"
_SEAL = re.compile(r"[（(]\s*(?:盖章|签章|公章)\s*[)）]\s*$")
_DATE_ALONE = re.compile(r"^\s*\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*$")
# The rows across the table of this program's own 台账: a category (（一）…) and a finding (1.…).
_OWN_CATEGORY = re.compile(r"^[（(][一二三四五六七八九十百]+[)）]")
_OWN_FINDING = re.compile(r"^\d+[.．]")
_NOTE = re.compile(r"^\s*(注|说明|填报说明|填表说明)\s*[:：\d]")
_CATEGORY_HEADING = re.compile(
    r"^\s*(?:[（(]\s*[一二三四五六七八九十]{1,3}\s*[)）]|[一二三四五六七八九十]{1,3}\s*[、.．])"
)


def join_split_rows(sheet: Sheet, header: Header) -> None:
    """Puts back together the items of this program's own 台账 split over a page break: the row at the top
    of the next page says 续 in 序号 and holds the rest of each text that did not fit, which is appended to
    the item's row as it was cut; that row is then gone. Before the 续 sheet's texts are joined (a text
    carried on there ends in the rest)."""
    names = tuple(header.names.get(c, "") for c in sorted(header.names))
    item_col, seq_col = header.col("item"), header.col("seq")
    if names != LEDGER_HEADERS or item_col is None or seq_col is None:
        return
    cells = sheet.cells
    item_row: dict[int, Any] | None = None
    for r in sorted(cells):
        if r <= header.row:
            continue
        row = cells[r]
        if isinstance(row.get(seq_col), int):
            item_row = row
        elif item_row is not None and row.get(seq_col) == CONTINUED_ITEM and row.get(item_col) in (None, ""):
            for c, v in row.items():
                if c != seq_col and type(v) is str and type(item_row.get(c, "")) is str:
                    item_row[c] = (item_row.get(c) or "") + v
            del cells[r]


_DEFAULT_SHEET = re.compile(r"^(sheet|工作表|表)\s*\d*$", re.IGNORECASE)
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
        names = tuple(header.names.get(c, "") for c in sorted(header.names))
        self.own = names in OWN_HEADERS
        # This program's 台账 as laid out for paper: categories and findings as rows across the table.
        self.own_rows = names == LEDGER_HEADERS
        self.signed = False  # after the signature line: the seal and the date belong to it
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
        wanted = set(header.columns) | set(header.extra) | set(header.money)
        self.money_from: dict[tuple[int, int], int] = {}  # (first row, column) of an amount → its item's row
        self.money_warned: set[tuple[int, int]] = set()  # amounts merged over several items, said once
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
        named = {
            normalize_header(t) for t in (*self.h.names.values(), *self.h.extra.values(), *GROUP_WORDS, *self.h.groups)
        }
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
        if (
            any(_SIGNATURE.match(t) or _SEAL.search(t) for t in texts.values())
            or (self.signed and all(_DATE_ALONE.match(t) for t in texts.values()))
        ) and not self._has_content(raw):
            self.signed = True
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
        if self.own_rows and self._across(r, texts):
            return
        if self._heading(r, texts):
            return
        self._read_row(r, raw)
        if self._data_row(r, raw, texts):
            known = set(self.h.columns) | set(self.h.extra) | set(self.h.money)
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

    def _across(self, r: int, texts: dict[int, str]) -> bool:
        """A row across the program's own 台账: a category (（一）…) or a finding (1.…) above its items, or
        either again with （续） atop a page it runs on to (nothing new)."""
        if len(texts) != 1:
            return False
        ((c, text),) = texts.items()
        if self.hspan.get((r, c), 1) < 3:
            return False
        if text.endswith(CONTINUED_GROUP) and text[: -len(CONTINUED_GROUP)] in (self.cat_key, self.finding_key):
            return True
        if self.cat_key and self.finding_key and text == continued_both(self.cat_key, self.finding_key):
            return True
        if _OWN_CATEGORY.match(text):
            self._new_category(r, text)
            return True
        if not _OWN_FINDING.match(text):
            return False
        if self.cat is None:
            self._default_category(r)
        assert self.cat is not None
        number, title = split_number(text)
        self.finding = ImportedFinding(title, number=number, source=f"{self.name}!第{r}行")
        self.finding_key = text
        self.cat.findings.append(self.finding)
        self.item = None
        return True

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
            if len(names) > 1 and all(n[:1] == _CIRCLED[i : i + 1] for i, n in enumerate(names)):
                names = [n[1:] for n in names]  # numbered ①② by the export, one a line
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
        self._amounts(item, r, raw)
        item.remarks = join(item.remarks, self.text("remarks"))
        for c, name in self.h.extra.items():
            t = cell_text(raw.get(c, self.fill.get((r, c))))
            if t:
                item.remarks = join(item.remarks, f"{name}：{t}")

    def _amounts(self, item: ImportedItem, r: int, raw: dict[int, Any]) -> None:
        """The row's amount cells as the item's money entries (xlsx_amounts); a bad cell is a hint, the rest
        of the row is imported. An amount merged down over several items is the first item's only."""
        for c, (kind, unit) in sorted(self.h.money.items()):
            value = raw.get(c)
            origin = r
            if value is None and (r, c) in self.merged_from:
                value, origin = self.fill.get((r, c)), self.merged_from[(r, c)]
            if value is None:
                continue
            name = self.h.names.get(c, kind)
            owner = self.money_from.setdefault((origin, c), self.item_row)
            if owner != self.item_row:
                if (origin, c) not in self.money_warned:
                    self.money_warned.add((origin, c))
                    self.warn(
                        origin,
                        name,
                        f"合并单元格跨多项细化问题，{kind}只记在第一项（第{owner}行），其余各项未重复记入",
                    )
                continue
            if origin != r:
                continue  # a further row of the same item inside the merged cell: already read
            try:
                amount = read_amount(value, unit)
            except ValueError as exc:
                self.warn(r, name, f"“{cell_text(value)}”{exc}，该金额未导入，本行其他内容照常导入")
                continue
            if amount is not None:
                item.money.append(ImportedMoney(kind, amount, "", f"{self.name}!第{r}行"))

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
        if self.own and done == OVERDUE_MARK and item.status != DONE:
            return  # the export's own mark on an overdue item, not a date
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
            if amount_header(name) is not None:  # 金额（元）: an amount, but of which kind?
                self.warnings.append(
                    f"{self.name}!第{self.h.row}行 {get_column_letter(c)}列“{name}”：没有说明是哪类金额"
                    "（问题金额、整改到位金额、追缴、追回、清退……），未按金额导入，内容已并入备注；"
                    "请把列名改为如“问题金额（万元）”后重新导入，或导入后在整改成效中登记"
                )
                continue
            self.warnings.append(
                f"{self.name}!第{self.h.row}行 {get_column_letter(c)}列“{name}”：不是台账的列，内容已并入备注"
            )
        for c, (kind, unit) in sorted(self.h.money.items()):
            if not unit:
                self.warnings.append(
                    f"{self.name}!第{self.h.row}行 {get_column_letter(c)}列“{self.h.names.get(c, kind)}”："
                    f"列名没有写单位，按万元导入为{kind}，请核对"
                )
        if self.cols["status"] is None:
            self.warnings.append(
                f"{self.name}!第{self.h.row}行 表头：没有“完成情况”列，全部细化问题按“{NOT_STARTED}”导入"
            )
        # In the order of the sheet, so that the clerk can go down it with the list in hand.
        self.out.warnings = sorted(self.warnings, key=_first_row)
        self.out.skipped = self.skipped


# The header of this program's own export, as it is and as it was: its workbooks are read back without guessing.
OWN_HEADERS = (LEDGER_HEADERS, COLUMNS)
OWN_HEADER = LEDGER_HEADERS


def _col_letter(c: int) -> str:
    from openpyxl.utils.cell import get_column_letter

    return get_column_letter(c)


def _first_row(warning: str) -> int:
    m = re.search(r"!第(\d+)", warning)
    return int(m.group(1)) if m else 0
