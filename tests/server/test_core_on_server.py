"""Small parts of core that speak differently to PostgreSQL: the settings' upsert, evidence stored apart
before the edit takes its turn (issue 18)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from rectify_desktop.core import evidence, ops, settings, verify
from rectify_desktop.core.ledger import Ledger
from rectify_desktop.core.models import Blob, Evidence, Setting


def _item(led: Ledger) -> int:
    insp = led.apply(ops.add_inspection("县委第一巡察组"))[0].id
    cat = led.apply(ops.add_category(insp, "党的建设方面"))[0].id
    fid = led.apply(ops.add_finding(cat, "学习不深入"))[0].id
    return int(led.apply(ops.add_item(fid, "理论学习流于形式"))[0].id)


def test_settings_are_set_changed_and_undone_on_a_server(pg_url: str) -> None:
    with Ledger.create(pg_url) as led:
        led.apply(settings.SetSettings({"immediate_days": "10"}))
        second = settings.SetSettings({"immediate_days": "12"})
        led.apply(second)
        assert Setting.get_by_id("immediate_days").value == "12"
        led.revert(second)
        assert Setting.get_by_id("immediate_days").value == "10"


def test_evidence_goes_to_the_server_in_chunks_and_comes_back_whole(pg_url: str, tmp_path: Path) -> None:
    scan = tmp_path / "整改报告.pdf"
    data = bytes(range(256)) * 20_000  # 5 MB: several chunks
    scan.write_bytes(data)
    with Ledger.create(pg_url) as led:
        item = _item(led)
        cmd = evidence.AddEvidence(item, scan)
        led.apply(cmd)
        ev = Evidence.get_by_id(cmd.row_id)
        sha = hashlib.sha256(data).hexdigest()
        assert ev.blob_sha256 == sha and Blob.get_by_id(sha).size == len(data)
        out = tmp_path / "回来.pdf"
        evidence.write_blob(sha, out)
        assert out.read_bytes() == data
        # The same bytes again are stored once.
        led.apply(evidence.AddEvidence(item, scan))
        assert Blob.select().count() == 1
        led.revert(cmd)
        assert Evidence.get_or_none(Evidence.id == cmd.row_id) is None
        assert verify.verify_open_ledger() == []


_OTHER_WINDOW = """
import sys
from rectify_desktop.core import ops
from rectify_desktop.core.ledger import Ledger
from rectify_desktop.core.models import Item
with Ledger.open(sys.argv[1]) as led:
    led.apply(ops.set_fields(Item, int(sys.argv[2]), {"progress": "另一窗口在上传期间的修改"}))
print("done")
"""


def test_a_large_upload_keeps_nobody_waiting(pg_url: str, tmp_path: Path) -> None:
    """While one window stores a large file, another window's edit goes through: the bytes are stored before the
    edit takes its turn among the writers. If the upload held the turn, the other edit would wait for the upload,
    which here waits for it: the subprocess would time out."""
    import subprocess
    import sys

    scan = tmp_path / "扫描件.pdf"
    scan.write_bytes(b"%PDF-1.4 " + bytes(8_000_000))
    outcome: list[str] = []
    with Ledger.create(pg_url) as led:
        item = _item(led)
        cmd = evidence.AddEvidence(item, scan)

        def midway(done: int, size: int) -> None:
            if outcome or done < size // 2:
                return
            run = subprocess.run(
                [sys.executable, "-c", _OTHER_WINDOW, pg_url, str(item)], capture_output=True, text=True, timeout=30
            )
            outcome.append(run.stdout.strip() or run.stderr[-500:])

        cmd.progress = midway
        led.apply(cmd)
        assert outcome == ["done"]
        from rectify_desktop.core.models import Item

        assert Item.get_by_id(item).progress == "另一窗口在上传期间的修改"
        assert Evidence.select().count() == 1


def test_an_import_into_an_empty_database_makes_the_ledger_there(pg_url: str) -> None:
    from rectify_desktop.core.importing import ImportedInspection, import_into
    from rectify_desktop.core.models import Inspection

    result = import_into(pg_url, ImportedInspection(title="县委第二巡察组反馈意见整改台账"))
    with Ledger.open(pg_url) as led:
        assert [i.title for i in led.inspections()] == ["县委第二巡察组反馈意见整改台账"]
        assert Inspection.get_by_id(result.inspection_id).title.startswith("县委第二巡察组")


def test_sizes_and_amounts_past_two_billion_fit_on_a_server(pg_url: str) -> None:
    """A file's size and an amount in 元 may pass 2³¹ (a 3 GB scan, 30亿元 of an audit): BIGINT on the server,
    where INTEGER would refuse them ("integer out of range"); a file's INTEGER holds them already."""
    from rectify_desktop.core.models import MoneyEntry, db

    with Ledger.create(pg_url) as led:
        item = _item(led)
        led.apply(ops.add_money(kind="追回", amount="300000", item_id=item))  # 30亿元 = 3,000,000,000 元
        assert MoneyEntry.select().first().amount == 3_000_000_000
        types = dict(
            db.execute_sql(
                "SELECT table_name || '.' || column_name, data_type FROM information_schema.columns"
                " WHERE table_schema = 'public' AND column_name IN ('size', 'amount')"
            ).fetchall()
        )
        assert types == {"blob.size": "bigint", "money_entry.amount": "bigint"}


def test_a_server_address_of_another_kind_is_refused_on_the_command_line() -> None:
    import subprocess
    import sys

    run = subprocess.run(
        [sys.executable, "-m", "rectify_desktop", "stats", "--server", "mysql://clerk@10.0.0.5/ledger"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 2 and "postgresql://" in run.stderr and "Traceback" not in run.stderr


def test_a_push_does_not_wait_for_ever_for_a_window_left_in_a_transaction(
    pg_url: str, demo_path: Path, monkeypatch
) -> None:  # noqa: ANN001
    import psycopg
    import pytest

    from rectify_desktop.core import server, transfer

    address = server.ServerAddress.parse(pg_url)
    transfer.push(demo_path, address)
    monkeypatch.setattr(transfer, "PUSH_LOCK_TIMEOUT", 1)
    with psycopg.connect(**address.connect_params()) as idle:
        idle.execute("SELECT * FROM item LIMIT 1")  # a transaction left open: its lock on item stays
        with pytest.raises(server.ServerError, match="正被他人使用"):
            transfer.push(demo_path, address, replace=True)
    with Ledger.open(pg_url, readonly=True) as led:
        assert led.stats().items == 29  # the ledger there as it was


def test_batches_come_from_a_sequence_that_a_ledger_without_one_gets(pg_url: str) -> None:
    from rectify_desktop.core.models import ChangeLog, Item, db

    with Ledger.create(pg_url) as led:
        item = _item(led)
        before = ChangeLog.select(ChangeLog.batch).order_by(ChangeLog.id.desc()).first().batch
        db.execute_sql('DROP SEQUENCE "rectify_batch"')  # as a ledger made before it had one
    with Ledger.open(pg_url) as led:
        led.apply(ops.set_fields(Item, item, {"progress": "序列补上后"}))
        after = ChangeLog.select(ChangeLog.batch).order_by(ChangeLog.id.desc()).first().batch
        assert after == before + 1
        batches = [b for (b,) in ChangeLog.select(ChangeLog.batch).order_by(ChangeLog.id).tuples()]
        assert batches == sorted(batches)
