"""The 续 sheet (续表): where a text longer than an Excel cell holds goes on, instead of being cut.

:class:`Continuations` keeps the beginning of such a text in its cell, with a mark naming the row of the
续 sheet where the rest goes on, and the rest in printable pieces; :func:`_continuation_cells` are the rows
of that sheet. The importer (io.xlsx_import) joins the pieces back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rectify_desktop.io.xlsx_cells import (
    LEDGER_HEADER_ROWS,
    MAX_CELL_CHARS,
    MAX_ROW_HEIGHT,
    Cell,
    Look,
    excel_length,
    excel_pieces,
    text_cell,
)

# Texts longer than a cell holds go on here, after the ledger's own sheets.
CONTINUATION_SHEET = "续"
CONTINUATION_HEADERS = ("序号", "单元格", "栏目", "段", "续文")
CONTINUED_MARK = "……（未完，续见“续”表第{row}行）"
_CONTINUATION_FIRST_ROW = LEDGER_HEADER_ROWS + 1  # after the title, 填报 and header rows
PRINTABLE_PIECE = 1000


@dataclass(frozen=True)
class Carried:
    """One piece of a long text on the 续 sheet: the cell it continues and which piece it is."""

    ref: str  # 台账!J17
    column: str
    part: int  # the cell itself holds part 1
    parts: int
    text: str


class Continuations:
    """Cells whose text is longer than Excel's 32,767 characters.

    Excel refuses such a cell (and a workbook holding one will not open), and cutting it would lose the
    clerk's text without a word. So the cell keeps the beginning and ends with where the rest goes on
    (……（未完，续见“续”表第4行）); the rest goes on the 续 sheet, in pieces a cell holds, in order, each
    row naming the cell it continues; and each such cell is listed in :attr:`notes` for the clerk. The
    table itself keeps its shape: one row per item, nothing moved.
    """

    def __init__(self) -> None:
        self.pieces: list[Carried] = []
        self.notes: list[str] = []

    def carry(self, ref: str, column: str, text: str, fit: Callable[[str], int] | None = None) -> str:
        """What the cell `ref` holds of `text`; the rest is kept for the 续 sheet.

        Without `fit`, the cell holds as much as Excel allows; with it, `fit(mark)` characters: as many as
        print in the cell's row with the mark after them (a row is at most 409 points high, and Excel shows
        the rest of a taller text on screen only)."""
        row = _CONTINUATION_FIRST_ROW + len(self.pieces)
        mark = CONTINUED_MARK.format(row=row)
        # The rest in pieces that print whole: a row is at most 409 pt high, a little over 1,000 characters in the
        # 续文 column on A4; one 30,000-character cell would show a few lines of its middle on paper.
        if fit is None:
            head, *pieces = excel_pieces(text, MAX_CELL_CHARS - excel_length(mark), PRINTABLE_PIECE)
            why = f"超过 Excel 单元格上限 {MAX_CELL_CHARS} 字"
        else:
            at = min(fit(mark), len(excel_pieces(text, MAX_CELL_CHARS - excel_length(mark))[0]))
            head, pieces = text[:at], excel_pieces(text[at:], PRINTABLE_PIECE, PRINTABLE_PIECE)
            why = f"一行最高 {MAX_ROW_HEIGHT:g} 磅，打印不全"
            if excel_length(text) > MAX_CELL_CHARS:
                why = f"超过 Excel 单元格上限 {MAX_CELL_CHARS} 字，{why}"
        parts = len(pieces) + 1
        for i, piece in enumerate(pieces, 2):
            self.pieces.append(Carried(ref, column, i, parts, piece))
        last = row + len(pieces) - 1
        rows = f"第 {row} 行" if last == row else f"第 {row}–{last} 行"
        self.notes.append(
            f"{ref}（{column}）有 {len(text):,} 字，{why}："
            f"单元格中保留前 {len(head):,} 字，其余 {len(text) - len(head):,} 字接在“{CONTINUATION_SHEET}”表{rows}"
        )
        return head + mark


def _continuation_cells(pieces: list[Carried]) -> Iterable[list[Cell]]:
    body, center = Look("台账正文"), Look("台账正文居中")
    for i, c in enumerate(pieces, 1):
        yield [
            Cell(i, center),
            text_cell(c.ref, center),
            text_cell(c.column, center),
            text_cell(f"第{c.part}段（共{c.parts}段）", center),
            # Written as it is: a piece is a part of the text, never a formula, whatever it begins with.
            text_cell(c.text, body),
        ]
