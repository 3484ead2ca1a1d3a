"""Child process of test_crash.py: edits a ledger through the one door until it is killed.

    python tests/crash_writer.py LEDGER

Each edit is one Ledger.apply; its number is printed and flushed right after apply returns, so every
number the parent reads is an edit the ledger has committed. Even numbers add a measure "edit N" to an
item; odd numbers set an item's remarks to "edit N".
"""

from __future__ import annotations

import sys

from rectify_desktop.core import ops
from rectify_desktop.core.commands import SetFields, item_written_off
from rectify_desktop.core.ledger import Ledger
from rectify_desktop.core.models import Item

MAX_EDITS = 100_000  # a bound, in case the parent never kills us


def target(n: int, items: list[int]) -> int:
    """The item edit `n` touches (the parent works it out the same way)."""
    return items[(n // 2) % len(items)]


def main(path: str) -> int:
    ledger = Ledger.open(path)
    # Written-off items are locked; the edits go to the others (the parent picks the same ones).
    items = [i.id for i in Item.select(Item.id).order_by(Item.id) if not item_written_off(i.id)]
    print("ready", len(items), flush=True)
    for n in range(MAX_EDITS):
        item = target(n, items)
        if n % 2 == 0:
            ledger.apply(ops.add_measure(item, f"edit {n}"))
        else:
            ledger.apply(SetFields(Item, item, {"remarks": f"edit {n}"}))
        print(n, flush=True)
    ledger.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
