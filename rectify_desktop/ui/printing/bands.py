"""The category as a band across the table (方面标题行) in the printed ledger.

A 方面 column is a narrow strip holding a long text ("（一）学习贯彻习近平新时代中国特色社会主义思想和党中央决策
部署不够到位" is nine lines four characters wide) that must be whole on every page its items reach. As a row across
the table it is one line, the width goes to 整改措施 and 整改进展, and a page that begins inside a category
repeats the band with （续） above its first row, so that every page says which 方面 it is in.
"""

from __future__ import annotations

from rectify_desktop.core.lists import LEDGER, PROBLEMS, Sheet, SheetRow

BAND_KEY = "category"
CONTINUED_BAND = "（续）"
BANDED = frozenset({LEDGER, PROBLEMS})  # the sheets with a 方面 column: the ledger and the 问题清单


def with_bands(sheet: Sheet) -> tuple[Sheet, dict[int, str], list[int | None]]:
    """The sheet to lay out: for the ledger or the 问题清单 with a 方面 column, that column taken out and a band
    row put before each category's items. Returns it, the band rows' texts by row, and for every row the band row
    above it."""
    if sheet.kind not in BANDED or BAND_KEY not in sheet.span_keys or BAND_KEY not in sheet.keys:
        return sheet, {}, [None] * len(sheet.rows)
    at = sheet.keys.index(BAND_KEY)
    keys = sheet.keys[:at] + sheet.keys[at + 1 :]
    headers = sheet.headers[:at] + sheet.headers[at + 1 :]
    rows: list[SheetRow] = []
    bands: dict[int, str] = {}
    band_of: list[int | None] = []
    previous: object = object()
    for row in sheet.rows:
        group = row.groups.get(BAND_KEY)
        if group != previous:
            previous = group
            bands[len(rows)] = row.cells.get(BAND_KEY, "")
            # A group of its own: the finding cell above the band is not merged with the one below it.
            rows.append(SheetRow({k: "" for k in keys}, {k: ("band", len(rows)) for k in sheet.span_keys}))
            band_of.append(None)
        rows.append(SheetRow({k: row.cells[k] for k in keys}, row.groups, row.item))
        band_of.append(max(bands))
    out = Sheet(sheet.title, keys, headers, rows, tuple(k for k in sheet.span_keys if k != BAND_KEY), sheet.kind)
    return out, bands, band_of
