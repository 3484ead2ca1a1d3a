"""Makes docs/main-window.png: the main window on the demo ledger, an item selected (needs a CJK font)."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["RECTIFY_DESKTOP_CONFIG_DIR"] = tempfile.mkdtemp()
os.environ["RECTIFY_DESKTOP_DATA_DIR"] = tempfile.mkdtemp()

from rectify_desktop.core.models import Item  # noqa: E402
from rectify_desktop.ui.app import make_app, open_settings  # noqa: E402
from rectify_desktop.ui.main_window import MainWindow  # noqa: E402


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).with_name("main-window.png")
    app = make_app()
    w = MainWindow(open_settings())
    w.resize(1400, 860)
    w.show()
    w.open_demo()
    item = Item.select().where(Item.status == "正在推进").order_by(Item.id).first()
    w.show_page("ledger")
    w.select("item", item.id)
    for _ in range(5):
        app.processEvents()
    w.grab().save(str(out))
    print(out)
    w.close()


if __name__ == "__main__":
    main()
