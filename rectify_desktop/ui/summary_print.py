"""The 汇总表 as a PDF (issue 17): the summary's table (io.summary_table.as_sheet) laid out and painted as every
printout of the program is (ui.printing: SheetLayout on A4 landscape, the header repeated on each page, page
numbers, the signature lines under the table), written whole or not at all (printing.output.write_layout).

Here and not in io because painting needs Qt; the command line imports it only for an OUT.pdf, as `export`
does, and makes the QGuiApplication the PDF writer needs (offscreen without a display).
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable
from pathlib import Path

from rectify_desktop.core.summary import Summary
from rectify_desktop.core.table import cn_date
from rectify_desktop.io.summary_table import DEFAULT_TITLE, as_sheet
from rectify_desktop.ui.printing import fonts as print_fonts
from rectify_desktop.ui.printing.layout import PageSetup, SheetLayout
from rectify_desktop.ui.printing.output import _gui_app, write_layout

FONT_SIZE = 10.5  # 五号, as the workbook's body
TEXT_KEYS = ("unit", "body")  # text: wraps readably
DONORS = ("unit",)  # what gives width to the figures' headers: a unit's name on two lines reads well
DONOR_FLOOR_EM = 7.0
SHORT_HEADER = 3  # a header of up to this many characters is kept on one line ("逾期", "已销号")


class SummaryLayout(SheetLayout):
    """The printing layout with the figures' headers kept whole: the layout wraps a header at half its length,
    which for a two-character one (逾期) is a character a line, and leaves a column of small numbers that narrow.
    The width they need is taken from the unit's column, and the dates are
    printed short (2026.1.10), as a dense table prints them."""

    def _column_widths(self) -> list[float]:
        widths = super()._column_widths()
        head, pad = self.fonts.head, 2 * self.pad_x
        need = [0.0] * len(widths)
        for col, key in enumerate(self.keys):
            if key in TEXT_KEYS or key == "seq":
                continue
            h = self.sheet.headers[col]
            whole = h if len(h) <= SHORT_HEADER else h[: math.ceil(len(h) / 2)]
            need[col] = max(0.0, head.width(whole) * 1.02 + pad - widths[col])
        extra = sum(need)
        donors = [c for c, k in enumerate(self.keys) if k in DONORS]
        floor = DONOR_FLOOR_EM * self.fonts.body.em
        room = sum(max(0.0, widths[c] - floor) for c in donors)
        if extra <= 0 or room <= 0:
            return widths
        scale = min(1.0, room / extra)
        for col, n in enumerate(need):
            widths[col] += n * scale
        for c in donors:
            widths[c] -= extra * scale * max(0.0, widths[c] - floor) / room
        return widths


def build_layout(s: Summary, *, title: str = DEFAULT_TITLE, office: str = "") -> SheetLayout:
    setup = PageSetup(font_size=FONT_SIZE, landscape=True, unit=office, date_text=cn_date(s.today))
    return SummaryLayout(as_sheet(s, title, short_dates=True), setup)


def write_pdf(
    s: Summary,
    out: Path,
    *,
    title: str = DEFAULT_TITLE,
    office: str = "",
    ledgers: Iterable[str | os.PathLike[str]] = (),
) -> int:
    """Writes the 汇总表's PDF to `out`; returns its page count. Makes the Qt application when there is none."""
    _app = _gui_app()  # kept alive while the PDF is painted
    print_fonts.register_bundled_font()
    inputs = [r.path for r in s.rows if r.source == "台账"]
    return write_layout(build_layout(s, title=title, office=office), Path(out), ledgers=[*ledgers, *inputs])
