"""Moving a ledger between a file and a server (issue 18): push, pull and the server backup, compared row by row
with the raw tables of both files, and what each refuses."""

from __future__ import annotations

import hashlib
import re
import shutil
import sqlite3
import time
from pathlib import Path

import psycopg
import pytest

from rectify_desktop.core import evidence, ops, server, storage, transfer, verify
from rectify_desktop.core.commands import Change
from rectify_desktop.core.ledger import Ledger
from rectify_desktop.core.models import VERSIONED, Blob, ChangeLog, Inspection, Item
from tests.server.remote_edit import Remote

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _dump(path: Path) -> dict[str, list[tuple]]:
    """Every table of a ledger file, every column, every row, in the order of its primary key."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [
            r[0]
            for r in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        out: dict[str, list[tuple]] = {}
        for t in tables:
            info = con.execute(f'PRAGMA table_info("{t}")').fetchall()
            cols = sorted(r[1] for r in info)  # by name: a migrated file has its newer columns last
            keys = [r[1] for r in sorted(info, key=lambda r: r[5]) if r[5]] or cols
            names = ", ".join(f'"{c}"' for c in cols)
            order = ", ".join(f'"{c}"' for c in keys)
            out[t] = [tuple(cols)] + con.execute(f'SELECT {names} FROM "{t}" ORDER BY {order}').fetchall()
        return out
    finally:
        con.close()


def _server_rows(url: str) -> dict[str, list[tuple]]:
    with psycopg.connect(url) as conn:
        tables = [r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        return {t: conn.execute(f'SELECT * FROM "{t}" ORDER BY 1').fetchall() for t in sorted(tables)}


@pytest.fixture
def address(pg_url: str) -> server.ServerAddress:
    return server.ServerAddress.parse(pg_url)


def test_the_demo_goes_to_the_server_and_comes_back_the_same(
    demo_template: Path, address: server.ServerAddress, tmp_path: Path
) -> None:
    before = demo_template.read_bytes()
    counts = transfer.push(demo_template, address)
    assert demo_template.read_bytes() == before  # the file is only read
    assert counts["item"] > 10 and counts["blob"] > 0 and counts["blob_chunk"] >= counts["blob"]
    out = tmp_path / "拉取.db"
    pulled = transfer.pull(address, out)
    assert pulled == counts
    original, copy = _dump(demo_template), _dump(out)
    assert sorted(original) == sorted(copy)
    for table in original:
        assert copy[table] == original[table], table
    con = sqlite3.connect(out)
    try:
        assert con.execute("PRAGMA user_version").fetchone()[0] == storage.SCHEMA_VERSION
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    finally:
        con.close()
    with Ledger.open(out) as led:
        assert led.warnings == [] and verify.verify_open_ledger() == []
        shas = [b.sha256 for b in Blob.select()]
        assert shas
        for sha in shas:
            assert hashlib.sha256(b"".join(evidence.iter_blob(sha))).hexdigest() == sha


def test_the_evidence_on_the_server_hashes_to_its_name(demo_template: Path, address: server.ServerAddress) -> None:
    transfer.push(demo_template, address)
    with Ledger.open(address) as led:
        assert verify.verify_open_ledger() == []
        for blob in Blob.select():
            data = b"".join(evidence.iter_blob(blob.sha256))
            assert len(data) == blob.size and hashlib.sha256(data).hexdigest() == blob.sha256
        assert led.inspections()


def test_push_onto_a_ledger_is_refused_unless_asked_to_replace(
    demo_template: Path, address: server.ServerAddress, pg_url: str, tmp_path: Path
) -> None:
    small = tmp_path / "小台账.db"
    with Ledger.create(small) as led:
        led.apply(ops.add_inspection("只有一个巡察"))
    transfer.push(small, address)
    on_server = _server_rows(pg_url)
    with pytest.raises(storage.LedgerError) as err:
        transfer.push(demo_template, address)
    assert "已有台账" in str(err.value) and "--replace" in str(err.value)
    assert _server_rows(pg_url) == on_server
    transfer.push(demo_template, address, replace=True)
    out = tmp_path / "替换后.db"
    transfer.pull(address, out)
    assert _dump(out) == _dump(demo_template)


def test_the_windows_open_on_a_replaced_ledger_are_told_to_reload(
    demo_template: Path, address: server.ServerAddress, tmp_path: Path
) -> None:
    small = tmp_path / "小台账.db"
    Ledger.create(small).close()
    transfer.push(small, address)
    with Ledger.open(address) as led:
        heard: list = []
        led.subscribe(heard.append)
        transfer.push(demo_template, address, replace=True)
        notices: list = []
        end = time.monotonic() + 1
        while not notices and time.monotonic() < end:
            notices = led.poll_remote()
            time.sleep(0.01)
        assert [n.changes for n in notices] == [None]
        assert heard == [[Change("reset", Inspection, 0)]]
        assert led.inspections()


def test_push_onto_a_database_of_something_else_is_refused(
    demo_template: Path, address: server.ServerAddress, pg_url: str
) -> None:
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE payroll (id int)")
    for replace in (False, True):
        with pytest.raises(storage.NotALedgerError) as err:
            transfer.push(demo_template, address, replace=replace)
        assert "不是整改台账" in str(err.value)
    assert list(_server_rows(pg_url)) == ["payroll"]


def test_a_file_with_text_in_a_date_is_not_pushed(
    demo_template: Path, address: server.ServerAddress, pg_url: str, tmp_path: Path
) -> None:
    bad = tmp_path / "有错的台账.db"
    shutil.copyfile(demo_template, bad)
    con = sqlite3.connect(bad)
    con.execute("UPDATE item SET deadline_date = '明年春天' WHERE id = (SELECT MIN(id) FROM item)")
    con.commit()
    con.close()
    before = bad.read_bytes()
    with pytest.raises(storage.LedgerError) as err:
        transfer.push(bad, address)
    assert "未推送" in str(err.value) and "整改时限" in str(err.value)
    assert _server_rows(pg_url) == {}
    assert bad.read_bytes() == before


def test_a_file_with_a_table_of_someone_elses_is_not_pushed(
    demo_template: Path, address: server.ServerAddress, pg_url: str, tmp_path: Path
) -> None:
    # Copying only the program's tables would drop it without a word.
    odd = tmp_path / "加了表的台账.db"
    shutil.copyfile(demo_template, odd)
    with sqlite3.connect(odd) as con:
        con.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
    with pytest.raises(storage.LedgerError) as err:
        transfer.push(odd, address)
    assert "未推送" in str(err.value) and "notes" in str(err.value)
    assert _server_rows(pg_url) == {}


def test_a_file_of_the_previous_version_is_pushed_and_left_as_it_was(
    demo_template: Path, address: server.ServerAddress, tmp_path: Path
) -> None:
    old = tmp_path / "旧版台账.db"
    shutil.copyfile(demo_template, old)
    con = sqlite3.connect(old)
    for model in VERSIONED:
        con.execute(f'ALTER TABLE "{model._meta.table_name}" DROP COLUMN row_version')
    con.execute("PRAGMA user_version = 5")
    con.commit()
    con.close()
    before = old.read_bytes()
    names = sorted(p.name for p in tmp_path.iterdir())
    counts = transfer.push(old, address)
    assert old.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == names  # no migration backup beside it either
    assert counts["item"] == len(_dump(demo_template)["item"]) - 1
    with Ledger.open(address):
        assert {i.row_version for i in Item.select()} == {1}
        assert verify.verify_open_ledger() == []


def test_a_push_leaves_the_ledger_this_process_has_open_alone(
    demo_template: Path, address: server.ServerAddress, demo_path: Path, tmp_path: Path
) -> None:
    """A window with its ledger open pushes another file (an older one, to be migrated on the way)."""
    old = tmp_path / "旧版台账.db"
    shutil.copyfile(demo_template, old)
    con = sqlite3.connect(old)
    for model in VERSIONED:
        con.execute(f'ALTER TABLE "{model._meta.table_name}" DROP COLUMN row_version')
    con.execute("PRAGMA user_version = 5")
    con.commit()
    con.close()
    with Ledger.open(demo_path) as led:
        item = Item.select().order_by(Item.id).first()
        transfer.push(old, address)
        transfer.pull(address, tmp_path / "拉取.db")
        assert Item.get_by_id(item.id).title == item.title  # still reading its own file
        led.apply(ops.set_fields(Item, item.id, {"remarks": "推送之后"}))
    with sqlite3.connect(demo_path) as con:
        assert con.execute("SELECT remarks FROM item WHERE id = ?", (item.id,)).fetchone() == ("推送之后",)


def test_pull_refuses_what_it_must_not_overwrite(
    demo_template: Path, address: server.ServerAddress, tmp_path: Path
) -> None:
    transfer.push(demo_template, address)
    ledger_file = tmp_path / "本机台账.db"
    shutil.copyfile(demo_template, ledger_file)
    before = ledger_file.read_bytes()
    cases = {
        ledger_file: "整改台账",
        tmp_path: "文件夹",
        tmp_path / "没有的文件夹" / "台账.db": "文件夹不存在",
    }
    for target, why in cases.items():
        with pytest.raises(storage.LedgerError) as err:
            transfer.pull(address, target)
        assert why in str(err.value), err.value
    assert ledger_file.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["本机台账.db"]  # no temporary file left


def test_pull_of_an_empty_or_foreign_database_is_refused(address: server.ServerAddress, pg_url: str, tmp_path: Path):
    out = tmp_path / "空.db"
    with pytest.raises(server.EmptyServerError) as err:
        transfer.pull(address, out)
    assert CHINESE.search(str(err.value))
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE payroll (id int)")
    with pytest.raises(storage.NotALedgerError):
        transfer.pull(address, out)
    assert list(tmp_path.iterdir()) == []


def test_a_pull_while_another_window_keeps_editing_is_one_moment(
    demo_template: Path, address: server.ServerAddress, pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    transfer.push(demo_template, address)
    copy_table = transfer._copy_into_file

    def slowly(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        # Tables read 50 ms apart: several of the other window's batches commit while one pull reads.
        time.sleep(0.05)
        return copy_table(*args, **kwargs)

    monkeypatch.setattr(transfer, "_copy_into_file", slowly)
    stop = tmp_path / "stop"
    with Remote(pg_url) as other:
        other.send("loop", stop=str(stop))
        try:
            with psycopg.connect(pg_url, autocommit=True) as conn:  # the other window is under way
                edited = "SELECT COUNT(*) FROM item WHERE remarks LIKE '第%轮'"
                end = time.monotonic() + 10
                while time.monotonic() < end and not conn.execute(edited).fetchone()[0]:
                    time.sleep(0.02)
            outs = []
            for n in range(3):
                out = tmp_path / f"备份{n}.db"
                transfer.pull(address, out)
                outs.append(out)
        finally:
            stop.touch()
            rounds = other.answer()
    assert rounds > 0
    for out in outs:
        with Ledger.open(out, readonly=True):
            assert verify.verify_open_ledger() == []
            log = [e for e in ChangeLog.select().order_by(ChangeLog.id) if re.fullmatch(r"第\d+轮", e.new or "")]
            assert log, "the copy was taken while the other window was editing"
            sizes: dict[int, int] = {}
            for e in log:
                sizes[e.batch] = sizes.get(e.batch, 0) + 1
            assert set(sizes.values()) == {5}  # whole batches only
            # The five items as the last batch in the copy left them: no later batch half seen.
            edited = [i.remarks for i in Item.select() if re.fullmatch(r"第\d+轮", i.remarks)]
            assert edited == [log[-1].new] * 5


def test_backup_of_a_server_ledger_opens_as_any_ledger_file(
    demo_template: Path, address: server.ServerAddress, tmp_path: Path
) -> None:
    transfer.push(demo_template, address)
    out = tmp_path / "服务器备份.db"
    transfer.pull(address, out)
    info = storage.inspect_file(out)
    assert info.user_version == storage.SCHEMA_VERSION
    with Ledger.open(out) as led:
        assert led.server is None and led.warnings == []
        assert [i.title for i in led.inspections()]
