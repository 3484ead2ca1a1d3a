"""Schema version 5: the fill-out rounds (填报轮次), their returns (回收) and the progress reports (进展报告)
are kept in the ledger, so that a returned workbook is tied to its round and a report has its 上期 (issue 15)."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from rectify_desktop.core import ops, storage, verify
from rectify_desktop.core.ledger import Ledger
from rectify_desktop.core.models import FillOutReturn, FillOutRound, Inspection, ProgressReport, db

NEW_TABLES = ("fill_out_round", "fill_out_return", "progress_report")


def _downgrade_to_4(p: Path) -> None:
    con = sqlite3.connect(p)
    for t in NEW_TABLES:
        con.execute(f"DROP TABLE {t}")
    con.execute("PRAGMA user_version = 4")
    con.commit()
    con.close()


def test_a_version_4_ledger_gains_the_tables_with_a_backup(tmp_path: Path) -> None:
    p = tmp_path / "台账.db"
    led = Ledger.create(p)
    insp = led.apply(ops.add_inspection("县委第一巡察组"))[0].id
    led.close()
    _downgrade_to_4(p)
    led = Ledger.open(p)
    try:
        assert db.execute_sql("PRAGMA user_version").fetchone()[0] == storage.SCHEMA_VERSION >= 5
        assert led.migrated_backup is not None and "升级前备份-v4-" in led.migrated_backup.name
        r = FillOutRound.create(inspection=insp, by="department", token="t1", groups='["办公室"]')
        FillOutReturn.create(round=r, group="办公室", file_name="办公室.xlsx", file_sha256="0" * 64)
        ProgressReport.create(inspection=insp, as_of=dt.date(2026, 12, 1), file_name="报告.docx", figures="{}")
        assert verify.verify_open_ledger() == []
    finally:
        led.close()


def test_deleting_an_inspection_takes_its_rounds_and_reports(ledger: Ledger) -> None:
    insp = ledger.apply(ops.add_inspection("县委第一巡察组"))[0].id
    r = FillOutRound.create(inspection=insp, by="department", token="t1", groups="[]")
    FillOutReturn.create(round=r, group="办公室", file_name="a.xlsx")
    ProgressReport.create(inspection=insp, as_of=dt.date(2026, 12, 1))
    cmd = ops.delete(Inspection, insp)
    ledger.apply(cmd)
    assert FillOutRound.select().count() == FillOutReturn.select().count() == ProgressReport.select().count() == 0
    ledger.revert(cmd)
    assert FillOutRound.select().count() == FillOutReturn.select().count() == ProgressReport.select().count() == 1
