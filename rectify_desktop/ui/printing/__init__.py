"""Printing (打印) and PDF of the ledger, in one package.

``output`` prints, previews and writes the PDF (also for the command line); ``layout`` cuts the sheet into
pages; ``dialog`` is the 打印设置 dialog; ``options`` are the remembered choices; ``fonts`` finds or
registers a Chinese font so that no character prints as a box.
"""

from rectify_desktop.ui.printing.options import PrintOptions
from rectify_desktop.ui.printing.output import (
    ask_options,
    build_layout,
    cli_export,
    export_pdf,
    print_ledger,
    print_preview,
    write_layout,
    write_pdf,
)

__all__ = [
    "PrintOptions",
    "ask_options",
    "build_layout",
    "cli_export",
    "export_pdf",
    "print_ledger",
    "print_preview",
    "write_layout",
    "write_pdf",
]
