"""What the clerk chose to print (打印选项), and remembering it between runs in the window's settings.

No widgets here: the command line builds PrintOptions too, without loading QtWidgets.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from PySide6.QtCore import QSettings

from rectify_desktop.core import lists
from rectify_desktop.core.table import KEYS

# Chinese type sizes as offices name them, with the point sizes behind the names.
# Nothing under 10 pt: a body at 9 pt or less is hard to read on paper (issue 13).
FONT_SIZES: tuple[tuple[str, float], ...] = (
    ("10磅", 10.0),
    ("五号（10.5磅）", 10.5),
    ("小四（12磅）", 12.0),
    ("四号（14磅）", 14.0),
)
DEFAULT_FONT_SIZE = 10.0
MIN_FONT_SIZE = 10.0
SETTINGS_PREFIX = "print/"


@dataclass
class PrintOptions:
    """What to print and how. `unit` None is the inspected unit; `date` None is today (填报日期)."""

    document: str = lists.LEDGER
    columns: tuple[str, ...] = KEYS
    items: str = lists.ALL
    value: str = ""  # the category's id or the department's name, for those two filters
    font_size: float = DEFAULT_FONT_SIZE
    landscape: bool = True
    unit: str | None = None
    date: dt.date | None = None
    # 附整改情况汇总页: the figures after the table (printing.summary); the 整改台账 of all the items only.
    summary: bool = True

    def normalised(self) -> PrintOptions:
        columns = tuple(k for k in KEYS if k in self.columns) or KEYS
        document = self.document if self.document in lists.DOCUMENTS else lists.LEDGER
        items = self.items if self.items in lists.ITEM_FILTERS else lists.ALL
        size = min(max(self.font_size, MIN_FONT_SIZE), 20.0)  # a smaller size remembered from before: 10
        return replace(self, columns=columns, document=document, items=items, font_size=size)


def load_options(settings: QSettings) -> PrintOptions:
    """The choices remembered from the last time (defaults where none were)."""

    def value(key: str, default: str) -> str:
        v = settings.value(SETTINGS_PREFIX + key, default)
        return str(v) if v is not None else default

    try:
        size = float(value("font_size", str(DEFAULT_FONT_SIZE)))
    except ValueError:
        size = DEFAULT_FONT_SIZE
    columns = tuple(c for c in value("columns", ",".join(KEYS)).split(",") if c)
    return PrintOptions(
        document=value("document", lists.LEDGER),
        columns=columns,
        items=value("items", lists.ALL),
        value=value("value", ""),
        font_size=size,
        landscape=value("landscape", "true").lower() not in ("false", "0", "no"),
        summary=value("summary", "true").lower() not in ("false", "0", "no"),
    ).normalised()


def save_options(settings: QSettings, options: PrintOptions) -> None:
    settings.setValue(SETTINGS_PREFIX + "document", options.document)
    settings.setValue(SETTINGS_PREFIX + "columns", ",".join(options.columns))
    settings.setValue(SETTINGS_PREFIX + "items", options.items)
    settings.setValue(SETTINGS_PREFIX + "value", options.value)
    settings.setValue(SETTINGS_PREFIX + "font_size", str(options.font_size))
    settings.setValue(SETTINGS_PREFIX + "landscape", "true" if options.landscape else "false")
    settings.setValue(SETTINGS_PREFIX + "summary", "true" if options.summary else "false")
    settings.sync()
