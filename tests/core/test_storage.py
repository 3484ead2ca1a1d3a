"""Ledger files: creating, refusing, migrating, locking and backing them up (storage.py)."""

from __future__ import annotations

import hashlib
import os
import re
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from rectify_desktop.core import ops, stats, storage
from rectify_desktop.core.ledger import Ledger, ReadOnlyLedgerError
from rectify_desktop.core.models import Category, Finding, Inspection, Item, Meeting, MeetingItem, Setting, db
from tests.core.legacy import V1_NEW_TABLES, make_v1_ledger

CJK = re.compile(r"[\u4e00-\u9fff]")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def file_pragma(path: Path, name: str) -> object:
    con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return con.execute(f"PRAGMA {name}").fetchone()[0]
    finally:
        con.close()


def file_tables(path: Path) -> set[str]:
    con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    finally:
        con.close()


def file_counts(path: Path) -> dict[str, int]:
    con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {n: con.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}
    finally:
        con.close()


def open_counts() -> dict[str, int]:
    names = [r[0] for r in db.execute_sql("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    return {n: db.execute_sql(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}


def fill_small(ledger: Ledger) -> int:
    """One inspection with a category, a finding, two items and a measure; returns the inspection id."""
    insp = ledger.apply(ops.add_inspection("测试台账"))[0].id
    cat = ledger.apply(ops.add_category(insp, "方面一"))[0].id
    fnd = ledger.apply(ops.add_finding(cat, "问题一"))[0].id
    item = ledger.apply(ops.add_item(fnd, "细化问题一"))[0].id
    ledger.apply(ops.add_item(fnd, "细化问题二"))
    ledger.apply(ops.add_measure(item, "加强学习"))
    return insp


# --- a new ledger ------------------------------------------------------------------------------------


def test_created_ledger_is_marked_and_configured(ledger: Ledger, ledger_path: Path) -> None:
    assert ledger_path.is_file()
    assert db.execute_sql("PRAGMA application_id").fetchone()[0] == 0x5A47545A == storage.APPLICATION_ID
    assert db.execute_sql("PRAGMA user_version").fetchone()[0] == storage.SCHEMA_VERSION
    assert db.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute_sql("PRAGMA synchronous").fetchone()[0] == 2  # FULL: a commit survives a power cut
    assert db.execute_sql("PRAGMA busy_timeout").fetchone()[0] == 5000
    # The marks are in the file itself, not only in this connection.
    assert file_pragma(ledger_path, "application_id") == storage.APPLICATION_ID
    assert file_pragma(ledger_path, "user_version") == storage.SCHEMA_VERSION
    assert file_pragma(ledger_path, "journal_mode") == "wal"
    assert storage.inspect_file(ledger_path) == storage.FileInfo(storage.APPLICATION_ID, storage.SCHEMA_VERSION)
    expected = {m._meta.table_name for m in storage.ALL_MODELS}
    assert expected <= file_tables(ledger_path)
    assert not ledger_path.with_name(ledger_path.name + ".creating").exists()


def test_create_refuses_existing_file_and_missing_folder(tmp_path: Path) -> None:
    existing = tmp_path / "已有.db"
    existing.write_bytes(b"clerk's own file")
    before = sha256(existing)
    with pytest.raises(storage.LedgerError, match="文件已存在"):
        Ledger.create(existing)
    assert sha256(existing) == before
    with pytest.raises(storage.LedgerError, match="文件夹不存在"):
        Ledger.create(tmp_path / "没有" / "台账.db")
    assert not (tmp_path / "没有").exists()


def test_opening_another_file_closes_the_first(tmp_path: Path) -> None:
    a = Ledger.create(tmp_path / "a.db")
    b = Ledger.create(tmp_path / "b.db")
    try:
        assert a.closed and not b.closed
        assert not (tmp_path / "a.db.lock").exists()
        assert Path(db.database).name == "b.db"
    finally:
        b.close()
    assert b.closed and db.is_closed()


# --- refusals ----------------------------------------------------------------------------------------


def _refuses(path: Path, error: type[storage.LedgerError], readonly: bool) -> storage.LedgerError:
    before = sha256(path) if path.is_file() else None
    with pytest.raises(error) as info:
        Ledger.open(path, readonly=readonly)
    assert CJK.search(str(info.value)), str(info.value)
    if before is not None:
        assert sha256(path) == before
    assert Ledger._current is None
    return info.value


@pytest.fixture(params=[False, True], ids=["writable", "readonly"])
def readonly(request: pytest.FixtureRequest) -> bool:
    return request.param


def test_refuses_missing_file(tmp_path: Path, readonly: bool) -> None:
    p = tmp_path / "没有这个台账.db"
    err = _refuses(p, storage.LedgerError, readonly)
    assert "找不到" in str(err)
    assert not p.exists()
    assert not p.with_name(p.name + ".lock").exists()


def test_refuses_directory(tmp_path: Path, readonly: bool) -> None:
    d = tmp_path / "文件夹.db"
    d.mkdir()
    err = _refuses(d, storage.LedgerError, readonly)
    assert "文件夹" in str(err)
    assert list(d.iterdir()) == []


def test_refuses_text_file(tmp_path: Path, readonly: bool) -> None:
    p = tmp_path / "笔记.db"
    p.write_text("这不是台账，只是一个改了扩展名的文本文件。\n" * 20, encoding="utf-8")
    _refuses(p, storage.NotALedgerError, readonly)


def test_refuses_empty_file(tmp_path: Path, readonly: bool) -> None:
    p = tmp_path / "空.db"
    p.write_bytes(b"")
    _refuses(p, storage.NotALedgerError, readonly)
    assert p.stat().st_size == 0


def test_refuses_other_sqlite_file(tmp_path: Path, readonly: bool) -> None:
    p = tmp_path / "其他.db"
    con = sqlite3.connect(p)
    con.execute("CREATE TABLE contacts (name TEXT)")
    con.execute("INSERT INTO contacts VALUES ('张三')")
    con.commit()
    con.close()
    err = _refuses(p, storage.NotALedgerError, readonly)
    assert "不是整改台账" in str(err)
    assert file_pragma(p, "application_id") == 0
    assert file_tables(p) == {"contacts"}


def test_refuses_newer_file(ledger: Ledger, ledger_path: Path, readonly: bool) -> None:
    ledger.close()
    con = sqlite3.connect(ledger_path)
    con.execute(f"PRAGMA user_version = {storage.SCHEMA_VERSION + 1}")
    con.commit()
    con.close()
    err = _refuses(ledger_path, storage.TooNewError, readonly)
    assert str(storage.SCHEMA_VERSION + 1) in str(err)
    assert "升级程序" in str(err)
    assert file_pragma(ledger_path, "user_version") == storage.SCHEMA_VERSION + 1


def test_refuses_corrupt_file(tmp_path: Path, readonly: bool) -> None:
    p = tmp_path / "损坏.db"
    led = Ledger.create(p)
    fill_small(led)
    led.close()
    data = bytearray(p.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    page = 65536 if page == 1 else page
    assert len(data) >= 3 * page
    # Pages 2..n become garbage; page 1 (the header) is still a ledger's.
    for i in range(page, len(data)):
        data[i] = (i * 7 + 13) % 256
    p.write_bytes(bytes(data))
    err = _refuses(p, storage.CorruptLedgerError, readonly)
    assert "损坏" in str(err)


# --- read-only files ---------------------------------------------------------------------------------


def _not_writable(monkeypatch: pytest.MonkeyPatch) -> None:
    real = os.access

    def access(path: object, mode: int, *args: object, **kwargs: object) -> bool:
        if mode & os.W_OK:
            return False
        return real(path, mode, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr("rectify_desktop.core.storage.os.access", access)


def test_readonly_file_is_refused_for_writing_but_opens_readonly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    p = tmp_path / "只读.db"
    led = Ledger.create(p)
    insp = fill_small(led)
    led.close()
    before = sha256(p)
    _not_writable(monkeypatch)
    with pytest.raises(storage.ReadOnlyFileError, match="只读"):
        Ledger.open(p)
    assert not p.with_name(p.name + ".lock").exists()
    ro = Ledger.open(p, readonly=True)
    try:
        assert ro.readonly
        s = stats.compute(insp)
        assert (s.categories, s.findings, s.items, s.measures) == (1, 1, 2, 1)
        with pytest.raises(ReadOnlyLedgerError):
            ro.apply(ops.add_category(insp, "不应写入"))
    finally:
        ro.close()
    assert sha256(p) == before


def test_readonly_open_of_writable_file_changes_nothing(tmp_path: Path) -> None:
    p = tmp_path / "台账.db"
    led = Ledger.create(p)
    insp = fill_small(led)
    led.close()
    before = sha256(p)
    with Ledger.open(p, readonly=True) as ro:
        assert stats.compute(insp).items == 2
        with pytest.raises(ReadOnlyLedgerError, match="只读"):
            ro.apply(ops.add_category(insp, "不应写入"))
        # Not even raw SQL can write through a read-only ledger.
        with pytest.raises(Exception, match="readonly|read-only|query_only|attempt to write"):
            db.execute_sql("INSERT INTO setting (key, value) VALUES ('x', 'y')")
    assert sha256(p) == before


# --- migration -----------------------------------------------------------------------------------------


def test_v1_file_is_migrated_with_a_backup(tmp_path: Path) -> None:
    p = tmp_path / "旧台账.db"
    data = make_v1_ledger(p)
    assert file_pragma(p, "user_version") == 1
    assert not set(V1_NEW_TABLES) & file_tables(p)
    old_counts = file_counts(p)

    led = Ledger.open(p)
    try:
        assert db.execute_sql("PRAGMA user_version").fetchone()[0] == storage.SCHEMA_VERSION
        tables = {r[0] for r in db.execute_sql("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert set(V1_NEW_TABLES) <= tables
        assert Inspection.get_by_id(data.inspection_id).title == data.inspection_title
        assert Category.get_by_id(data.category_id).title == data.category_title
        assert Finding.get_by_id(data.finding_id).title == data.finding_title
        item = Item.get_by_id(data.item_id)
        assert (item.title, item.number, item.finding_id) == (data.item_title, 1, data.finding_id)
        # The new tables work.
        led.apply(ops.SetFields(Item, data.item_id, {"remarks": "升级后修改"}))
        Setting.create(key="填报单位", value="县教育局")
        meeting = Meeting.create(inspection=data.inspection_id, topic="整改推进会")
        MeetingItem.create(meeting=meeting, item=data.item_id)
        backup = led.migrated_backup
    finally:
        led.close()

    assert file_pragma(p, "user_version") == storage.SCHEMA_VERSION
    backups = sorted(tmp_path.glob("旧台账-升级前备份-v1-*.db"))
    assert backups == [backup]
    assert file_pragma(backup, "user_version") == 1
    assert file_pragma(backup, "application_id") == storage.APPLICATION_ID
    assert not set(V1_NEW_TABLES) & file_tables(backup)
    assert file_counts(backup) == old_counts
    con = sqlite3.connect(backup)
    try:
        assert con.execute("SELECT title, remarks FROM item").fetchall() == [(data.item_title, "")]
    finally:
        con.close()
    # Opened again: already current, no second backup.
    with Ledger.open(p) as again:
        assert again.migrated_backup is None
        assert Setting.get_by_id("填报单位").value == "县教育局"
    assert sorted(tmp_path.glob("旧台账-升级前备份-*")) == [backup]


def test_v1_file_is_not_migrated_readonly(tmp_path: Path) -> None:
    p = tmp_path / "旧台账.db"
    make_v1_ledger(p)
    before = sha256(p)
    with pytest.raises(storage.LedgerError, match="旧版本"):
        Ledger.open(p, readonly=True)
    assert sha256(p) == before
    assert not list(tmp_path.glob("*升级前备份*"))


def test_failed_migration_leaves_file_at_v1(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    p = tmp_path / "旧台账.db"
    data = make_v1_ledger(p)

    def broken(database) -> None:  # noqa: ANN001
        database.create_tables([Setting])
        raise RuntimeError("模拟升级失败")

    monkeypatch.setitem(storage.MIGRATIONS, 1, broken)
    with pytest.raises(storage.LedgerError) as info:
        Ledger.open(p)
    msg = str(info.value)
    assert "升级失败" in msg and "模拟升级失败" in msg
    assert Ledger._current is None and db.is_closed()
    assert file_pragma(p, "user_version") == 1
    assert not set(V1_NEW_TABLES) & file_tables(p)
    # The backup the message names is there, whole.
    backups = list(tmp_path.glob("旧台账-升级前备份-v1-*.db"))
    assert len(backups) == 1 and str(backups[0]) in msg
    assert file_pragma(backups[0], "user_version") == 1
    # The lock went with the failure: the real migration then succeeds.
    monkeypatch.undo()
    with Ledger.open(p):
        assert Item.get_by_id(data.item_id).title == data.item_title
        assert db.execute_sql("PRAGMA user_version").fetchone()[0] == storage.SCHEMA_VERSION


# --- locking -------------------------------------------------------------------------------------------

CHILD = """
import sys, time
from rectify_desktop.core.ledger import Ledger
from rectify_desktop.core.storage import LedgerError
from rectify_desktop.core import stats
try:
    led = Ledger.open(sys.argv[1], readonly=sys.argv[2] == "ro")
except LedgerError as exc:
    print(type(exc).__name__, exc, file=sys.stderr)
    sys.exit(3)
print("items", stats.compute().items, flush=True)
if sys.argv[3] == "hold":
    time.sleep(120)
led.close()
"""


def _child(path: Path, mode: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", CHILD, str(path), mode, "once"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=60,
    )


def test_second_writer_is_locked_out(ledger: Ledger, ledger_path: Path, cli_env: dict[str, str]) -> None:
    fill_small(ledger)
    r = _child(ledger_path, "rw", cli_env)
    assert r.returncode != 0
    assert "LockedError" in r.stderr
    assert "该台账已在另一个整改台账窗口中打开" in r.stderr
    r = _child(ledger_path, "ro", cli_env)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["items", "2"]
    # Still ours, and still writable here.
    ledger.apply(ops.SetFields(Item, Item.select().first().id, {"remarks": "锁住时修改"}))
    ledger.close()
    r = _child(ledger_path, "rw", cli_env)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["items", "2"]
    with Ledger.open(ledger_path):
        assert Item.select().where(Item.remarks == "锁住时修改").count() == 1


def test_lock_is_released_when_holder_is_killed(ledger_path: Path, cli_env: dict[str, str]) -> None:
    led = Ledger.create(ledger_path)
    fill_small(led)
    led.close()
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(ledger_path), "rw", "hold"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        env=cli_env,
    )
    try:
        line = child.stdout.readline()  # type: ignore[union-attr]
        assert line.split() == ["items", "2"], child.stderr.read()  # type: ignore[union-attr]
        with pytest.raises(storage.LockedError, match="另一个整改台账窗口"):
            Ledger.open(ledger_path)
        assert Ledger._current is None
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        child.stdout.close()  # type: ignore[union-attr]
        child.stderr.close()  # type: ignore[union-attr]
    assert child.returncode == -signal.SIGKILL
    with Ledger.open(ledger_path) as led:
        assert stats.compute().items == 2
        led.apply(ops.add_measure(Item.select().first().id, "崩溃后继续"))


# --- backup --------------------------------------------------------------------------------------------


def test_backup_of_open_ledger(ledger: Ledger, ledger_path: Path, tmp_path: Path) -> None:
    insp = fill_small(ledger)
    # Edits still in the WAL (not checkpointed) belong in the copy.
    for n in range(5):
        ledger.apply(ops.add_measure(Item.select().first().id, f"措施 {n}"))
    counts = open_counts()
    figures = stats.compute(insp).to_json()
    out = tmp_path / "备份" / "台账-备份.db"
    out.parent.mkdir()
    assert storage.backup_file(ledger_path, out) == out
    assert not ledger.closed
    assert file_counts(out) == counts
    assert file_pragma(out, "journal_mode") == "delete"
    assert file_pragma(out, "user_version") == storage.SCHEMA_VERSION
    assert file_pragma(out, "application_id") == storage.APPLICATION_ID
    assert not out.with_name(out.name + "-wal").exists()
    assert not out.with_name(out.name + ".partial").exists()
    with Ledger.open(out) as copy:
        assert not copy.readonly
        assert stats.compute(insp).to_json() == figures
    assert ledger.closed  # one ledger per process: opening the copy closed the original


def test_backup_refusals(ledger: Ledger, ledger_path: Path, tmp_path: Path) -> None:
    fill_small(ledger)
    with pytest.raises(storage.LedgerError, match="不能与台账文件相同"):
        storage.backup_file(ledger_path, ledger_path)
    with pytest.raises(storage.LedgerError, match="文件夹不存在"):
        storage.backup_file(ledger_path, tmp_path / "没有" / "备份.db")
    other = tmp_path / "文本.db"
    other.write_text("不是台账" * 50, encoding="utf-8")
    with pytest.raises(storage.NotALedgerError):
        storage.backup_file(other, tmp_path / "备份.db")
    assert not (tmp_path / "备份.db").exists()
    assert Item.select().count() == 2
