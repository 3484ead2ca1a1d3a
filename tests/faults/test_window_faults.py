"""Issue 19 in the window: what opening finds and what closing could not do are shown to the clerk."""

from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from rectify_desktop.core import evidence, ops
from rectify_desktop.core.ledger import Ledger
from rectify_desktop.core.models import db
from tests.faults.conftest import fill_disk


@pytest.fixture
def shown(monkeypatch):
    """The warnings and errors the window shows, instead of modal boxes."""
    seen: list[tuple[str, str]] = []

    def record(_parent, title, text, *a, **kw):
        seen.append((title, text))
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "warning", record)
    monkeypatch.setattr(QMessageBox, "critical", record)
    return seen


def test_foreign_trigger_opens_read_only_with_the_reason(window, demo_path: Path, shown, monkeypatch) -> None:
    con = sqlite3.connect(demo_path)
    con.execute("CREATE TRIGGER wipe AFTER UPDATE ON item BEGIN DELETE FROM measure; END")
    con.commit()
    con.close()
    before = hashlib.sha256(demo_path.read_bytes()).hexdigest()
    asked: list[str] = []
    monkeypatch.setattr("rectify_desktop.ui.window_files.confirm", lambda _w, _t, text: asked.append(text) or True)
    assert window.open_ledger(demo_path)
    assert "不是本程序创建" in asked[0]
    assert window.ledger is not None and window.ledger.readonly
    assert any("不是本程序创建" in text for _, text in shown)
    window._close_ledger()
    assert hashlib.sha256(demo_path.read_bytes()).hexdigest() == before


def test_text_in_a_date_column_is_told_once_and_the_window_works(window, demo_path: Path, shown) -> None:
    con = sqlite3.connect(demo_path)
    con.execute("UPDATE inspection SET feedback_date = '2021年5月6日'")
    con.execute("UPDATE item SET deadline_date = '下月底'")
    con.commit()
    con.close()
    assert window.open_ledger(demo_path)
    assert len(shown) == 1 and "无法识别" in shown[0][1], shown
    window.show_page("overview")
    window.show_page("ledger")
    window.expand_all()


def test_failed_checkpoint_at_close_is_shown(window, small_disk, tmp_path: Path, shown) -> None:
    disk = small_disk("6m")
    path = disk / "台账.db"
    Ledger.create(path).close()
    assert window.open_ledger(path)
    led = window.ledger
    insp = led.apply(ops.add_inspection("巡察"))[0].id
    cat = led.apply(ops.add_category(insp, "方面"))[0].id
    fnd = led.apply(ops.add_finding(cat, "问题"))[0].id
    item = led.apply(ops.add_item(fnd, "细化问题"))[0].id
    db.execute_sql("PRAGMA wal_autocheckpoint = 0")
    src = tmp_path / "材料.bin"
    src.write_bytes(os.urandom(2_200_000))
    led.apply(evidence.AddEvidence(item, src))
    evidence.wait_checkpoints()
    fill_disk(disk, 100_000)
    window._close_ledger()
    assert any("-wal" in text and "磁盘空间" in text for _, text in shown), shown
