"""The 汇总表 as a PDF (issue 17): the summary's table (io.summary_table.as_sheet) laid out and painted as every
printout of the program is (ui.printing: SheetLayout on A4 landscape, the header repeated on each page, page
numbers, the signature lines under the table), written whole or not at all (printing.output.write_layout).

Here and not in io because painting needs Qt; the command line imports it only for an OUT.pdf, as `export`
does, and makes the QGuiApplication the PDF writer needs (offscreen without a display).
"""

from __future__ import annotations

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


def build_layout(s: Summary, *, title: str = DEFAULT_TITLE, office: str = "") -> SheetLayout:
    setup = PageSetup(font_size=FONT_SIZE, landscape=True, unit=office, date_text=cn_date(s.today))
    return SheetLayout(as_sheet(s, title), setup)


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
