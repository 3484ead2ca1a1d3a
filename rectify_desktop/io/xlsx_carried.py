"""Texts the program's own export carried on to its 续 sheet, joined back whole before a sheet is parsed.

Part of the Excel import (io/xlsx_import.py). A text longer than an Excel cell holds was cut by the export
(xlsx_export.Continuations): the cell ends with ……（未完，续见“续”表第N行） and the rest stands on the 续
sheet in pieces. CarriedTexts reads the 续 sheet first (like any sheet, within the same limits), and each
sheet the import reads gets its cells' pieces appended before it is parsed; a joined text, too, is limited
to CELL_MAX characters. What cannot be joined is listed in the warnings, never dropped.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from rectify_desktop.io.xlsx_export import CONTINUATION_HEADERS, CONTINUATION_SHEET, CONTINUED_MARK
from rectify_desktop.io.xlsx_header import normalize_header
from rectify_desktop.io.xlsx_reader import CELL_MAX, HEADER_ROWS, Sheet, Workbook
from rectify_desktop.io.xlsx_values import cell_text

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
