"""On a server ledger, what the window offers as a file's place and name comes from the server ledger (the home
folder, the database's name), not from the placeholder name a server ledger has instead of a path (issue 18)."""

from __future__ import annotations

from pathlib import Path

import pytest

from rectify_desktop.core import server, transfer
from rectify_desktop.ui import excel, fillout_ui, history_export, text_dialogs


@pytest.fixture
def on_server(window, pg_url: str, demo_path: Path):  # noqa: ANN001, ANN201
    transfer.push(demo_path, server.ServerAddress.parse(pg_url))
    assert window.open_ledger(pg_url)
    return window


def test_files_from_a_server_ledger_go_home_under_its_name(on_server) -> None:  # noqa: ANN001
    w = on_server
    db_name = w.ledger.server.database
    assert w.ledger.name == db_name and w.ledger.folder == Path.home()
    assert history_export.log_title(w) == f"{db_name}修改记录"
    assert history_export._start_dir(w) == Path.home()
    assert excel._start_dir(w) == Path.home()
    assert text_dialogs._start_dir(w) == Path.home()
    assert fillout_ui._send_folder(w).parent == Path.home()
    assert fillout_ui._start_dir(w, "fill_out/merge_dir") == Path.home()
    assert "postgresql-" not in str(fillout_ui._send_folder(w))


def test_the_welcome_page_offers_the_server_ledger(window, qtbot) -> None:  # noqa: ANN001
    from PySide6.QtWidgets import QApplication, QDialog

    seen: list[str] = []

    def close_it() -> None:
        dlg = QApplication.activeModalWidget()
        seen.append(dlg.windowTitle() if dlg is not None else "")
        if isinstance(dlg, QDialog):
            dlg.reject()

    from PySide6.QtCore import Qt, QTimer

    QTimer.singleShot(300, close_it)
    qtbot.mouseClick(window.welcome.buttons["connect_server"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(seen), timeout=5000)
    assert "服务器" in seen[0]
