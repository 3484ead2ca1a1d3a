"""Started as its own process by bench_startup.py: opens the window on a ledger exactly as `run()` does and
prints, as JSON, when the window first painted with the ledger in it (its first page, the overview, with the
headline and figures), and how long switching to the tree, expand-all and a selection took.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

T_IMPORT = time.perf_counter()


def main() -> None:
    import os
    import tempfile

    os.environ.setdefault("RECTIFY_DESKTOP_CONFIG_DIR", tempfile.mkdtemp())
    from PySide6.QtCore import QEvent, QObject, QTimer

    from rectify_desktop.ui.app import make_app, open_settings
    from rectify_desktop.ui.main_window import MainWindow

    app = make_app()
    window = MainWindow(open_settings())
    result: dict[str, float] = {}

    class FirstPaint(QObject):
        def eventFilter(self, obj, event):  # noqa: N802
            if event.type() == QEvent.Type.Paint and "shown_wall" not in result and window.model.item_count():
                app.removeEventFilter(self)
                result["shown_wall"] = time.time()
                QTimer.singleShot(0, after_shown)
            return False

    def after_shown() -> None:
        t = time.perf_counter()
        window.show_page("ledger")
        window.tree.viewport().repaint()
        app.processEvents()
        result["switch_to_tree_s"] = time.perf_counter() - t
        t = time.perf_counter()
        window.tree.expandAll()
        app.processEvents()
        result["expand_all_s"] = time.perf_counter() - t
        node = next(n for (k, _), n in reversed(list(window.model._nodes.items())) if k == "item")
        t = time.perf_counter()
        window.select("item", node.id)
        app.processEvents()
        result["select_item_s"] = time.perf_counter() - t
        result["items"] = window.model.item_count()
        print(json.dumps(result), flush=True)
        window.close()
        app.quit()

    f = FirstPaint()
    app.installEventFilter(f)  # whichever page the ledger opens on
    window.show()
    window.open_ledger(Path(sys.argv[1]))
    app.exec()


if __name__ == "__main__":
    main()
