"""汇总多个台账 with a server ledger among the units (issue 18): added with its address and password as for
connecting, read through a connection of its own, summed with the files, and never changed."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from rectify_desktop.core import server, transfer
from rectify_desktop.core.ledger import Ledger
from rectify_desktop.core.models import ChangeLog

# The 汇总 window is raised when it opens; the offscreen platform cannot.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support raise")


@pytest.fixture
def on_server(pg_url: str, demo_path: Path) -> str:
    transfer.push(demo_path, server.ServerAddress.parse(pg_url))
    return pg_url


def _unit_file(path: Path) -> Path:
    from rectify_desktop.core import ops

    with Ledger.create(path) as led:
        led.apply(ops.add_inspection("县委第五巡察组反馈意见整改台账", inspected_unit="临川县水利局"))
    return path


def test_a_server_ledger_is_added_to_the_summary(window, on_server, monkeypatch, qtbot, tmp_path) -> None:  # noqa: ANN001
    from rectify_desktop.ui import summary_page
    from rectify_desktop.ui.server_dialog import ServerDialog

    unit = _unit_file(tmp_path / "水利局.db")
    monkeypatch.setattr(summary_page, "choose_inputs", lambda parent: [unit])
    window.actions["summary"].trigger()
    page = summary_page.last_summary(window)
    assert page is not None
    address = server.ServerAddress.parse(on_server)

    def fill() -> None:
        dlg = QApplication.activeModalWidget()
        assert isinstance(dlg, ServerDialog) and dlg.windowTitle() == "添加服务器台账"
        dlg.host.setText(address.host)
        dlg.port.setValue(address.port)
        dlg.database.setText(address.database)
        dlg.user.setText(address.user)
        dlg.accept()

    QTimer.singleShot(200, fill)
    assert page.add_server()
    assert len(page.summary.rows) == 2 and not page.summary.not_summed
    units = sorted(r.unit for r in page.summary.rows)
    assert any("教育局" in u for u in units) and "临川县水利局" in units
    assert address.database in page.sources.text() and "水利局.db" in page.sources.text()
    assert "postgresql" not in page.sources.text()
    # Double-click opens the server unit read-only in the viewer, as a file unit opens.
    monkeypatch.setattr(
        summary_page.QMessageBox, "question", lambda *a, **k: summary_page.QMessageBox.StandardButton.Yes
    )
    row = next(i for i, r in enumerate(page.summary.rows) if "教育局" in r.unit)
    source = page.model.index(row, 0)
    page.open_unit(page.proxy.mapFromSource(source))
    viewer = page.viewer
    assert viewer is not None and viewer.ledger is not None and viewer.ledger.server == address
    assert viewer.ledger.readonly
    # Read, never written: the server's change log is as it was.
    viewer.close()
    page.close()
    with Ledger.open(on_server, readonly=True):
        assert ChangeLog.select().count() > 0
