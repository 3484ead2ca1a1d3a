"""A ledger on a real PostgreSQL server (issue 18): opening it and what refuses it, edits through the one door,
conflicts with another window (a second process, tests/server/remote_edit.py), and the notices by which each
window hears the others'."""

from __future__ import annotations

import hashlib
import os
import re
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import peewee
import psycopg
import pytest

from rectify_desktop.core import commands, ops, server, storage, transfer, verify
from rectify_desktop.core.commands import Batch, Change, SetFields
from rectify_desktop.core.conflicts import ConflictError, UndoConflictError
from rectify_desktop.core.ledger import Ledger
from rectify_desktop.core.models import Category, ChangeLog, Finding, Inspection, Item
from tests.pgserver import GUARDED_PASSWORD, GUARDED_USER, free_port
from tests.server.remote_edit import Remote

CHINESE = re.compile(r"[\u4e00-\u9fff]")
HOST = socket.gethostname()


def _sql(url: str, *statements: str) -> list[tuple]:
    """Runs statements as the superuser on the test's database, outside the program; the last one's rows."""
    rows: list[tuple] = []
    with psycopg.connect(url, autocommit=True) as conn:
        for s in statements:
            cur = conn.execute(s)
            rows = cur.fetchall() if cur.description else []
    return rows


def _tables(url: str) -> list[str]:
    return [r[0] for r in _sql(url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")]


@pytest.fixture
def led(pg_url: str) -> Iterator[Ledger]:
    ledger = Ledger.create(pg_url)
    try:
        yield ledger
    finally:
        ledger.close()


def _tree(led: Ledger) -> tuple[int, int, int, int]:
    insp = led.apply(ops.add_inspection("县委第一巡察组"))[0].id
    cat = led.apply(ops.add_category(insp, "党的建设方面"))[0].id
    fid = led.apply(ops.add_finding(cat, "学习不深入"))[0].id
    item = led.apply(ops.add_item(fid, "理论学习流于形式"))[0].id
    return insp, cat, fid, item


def _collect(led: Ledger, wanted: int = 1, seconds: float = 1.0) -> list[server.Notice]:
    """The other windows' notices, polled as the window does (poll never blocks), for at most `seconds`."""
    got: list[server.Notice] = []
    end = time.monotonic() + seconds
    while len(got) < wanted and time.monotonic() < end:
        got += led.poll_remote()
        time.sleep(0.01)
    return got


# --- opening ------------------------------------------------------------------------------------------------


def test_create_makes_a_ledger_in_an_empty_database_and_open_finds_it(pg_url: str) -> None:
    with Ledger.create(pg_url) as created:
        assert created.server == server.ServerAddress.parse(pg_url)
        assert created.location.startswith("服务器台账 ")
        assert server.active() and verify.verify_open_ledger() == []
    assert not server.active()
    assert set(_tables(pg_url)) >= {"inspection", "item", "change_log", server.META_TABLE}
    meta = dict(_sql(pg_url, f"SELECT key, value FROM {server.META_TABLE}"))
    assert meta == {"application": "rectify-desktop", "schema_version": str(storage.SCHEMA_VERSION)}
    with Ledger.open(pg_url) as again:
        assert again.warnings == [] and again.inspections() == []


def test_the_ledger_is_in_public_even_where_each_user_has_a_schema_of_their_own(
    pg_url: str, demo_template: Path, tmp_path: Path
) -> None:
    # PostgreSQL's advice for shared databases: a schema per user, first in everyone's search_path. The tables
    # of one shared ledger must still be the same for every user, in public, where the program looks for them.
    _sql(pg_url, "CREATE SCHEMA rectify AUTHORIZATION rectify")
    with Ledger.create(pg_url) as led:
        led.apply(ops.add_inspection("共用"))
    assert _sql(pg_url, "SELECT DISTINCT schemaname FROM pg_tables WHERE tablename = 'item'") == [("public",)]
    with Ledger.open(pg_url) as led:
        assert [i.title for i in led.inspections()] == ["共用"]
    _sql(pg_url, "DROP SCHEMA public CASCADE", "CREATE SCHEMA public")
    transfer.push(demo_template, server.ServerAddress.parse(pg_url))
    assert _sql(pg_url, "SELECT DISTINCT schemaname FROM pg_tables WHERE tablename = 'item'") == [("public",)]
    transfer.pull(server.ServerAddress.parse(pg_url), tmp_path / "拉取.db")


def test_two_clerks_making_a_ledger_in_one_empty_database_at_once_share_it(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Ledger.create(pg_url) as first:
        first.apply(ops.add_inspection("先建的"))
    # The second looked while the database was still empty, then waited for the first one's turn to end.
    meta, tables, looks = server._meta, server._public_tables, []

    def looked() -> dict[str, str] | None:
        looks.append("meta")
        return None if looks.count("meta") == 1 else meta()

    def listed() -> list[str]:
        looks.append("tables")
        return [] if looks.count("tables") == 1 else tables()

    monkeypatch.setattr(server, "_meta", looked)
    monkeypatch.setattr(server, "_public_tables", listed)
    with Ledger.create(pg_url) as second:
        assert [i.title for i in second.inspections()] == ["先建的"]
    assert _sql(pg_url, f"SELECT COUNT(*) FROM {server.META_TABLE}") == [(2,)]


def test_an_empty_database_is_not_opened_and_stays_empty(pg_url: str) -> None:
    with pytest.raises(server.EmptyServerError) as err:
        Ledger.open(pg_url)
    assert CHINESE.search(str(err.value)) and "push" in str(err.value)
    assert _tables(pg_url) == [] and not server.active()


def test_a_database_with_other_tables_is_not_a_ledger_and_is_left_alone(pg_url: str) -> None:
    _sql(pg_url, "CREATE TABLE payroll (id int PRIMARY KEY, amount int)", "INSERT INTO payroll VALUES (1, 100)")
    for attempt in (Ledger.open, Ledger.create):
        with pytest.raises(storage.NotALedgerError) as err:
            attempt(pg_url)
        assert not isinstance(err.value, server.EmptyServerError)
        assert "不是整改台账" in str(err.value)
    assert _tables(pg_url) == ["payroll"]
    assert _sql(pg_url, "SELECT * FROM payroll") == [(1, 100)]


def test_a_ledger_of_a_newer_program_is_refused(pg_url: str) -> None:
    Ledger.create(pg_url).close()
    _sql(pg_url, f"UPDATE {server.META_TABLE} SET value = '{storage.SCHEMA_VERSION + 1}' WHERE key = 'schema_version'")
    with pytest.raises(storage.TooNewError) as err:
        Ledger.open(pg_url)
    assert "升级" in str(err.value)
    assert not server.active()


@pytest.mark.parametrize(
    "change",
    [
        "CREATE FUNCTION sneak() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.title := 'x'; RETURN NEW; END $$;"
        "CREATE TRIGGER sneak BEFORE UPDATE ON item FOR EACH ROW EXECUTE FUNCTION sneak()",
        "ALTER TABLE item ADD COLUMN secret text",
        "CREATE RULE sneak AS ON UPDATE TO item DO ALSO DELETE FROM measure",
        "ALTER TABLE item ENABLE ROW LEVEL SECURITY; ALTER TABLE item FORCE ROW LEVEL SECURITY;"
        "CREATE POLICY hide ON item USING (id > 1)",
    ],
    ids=["trigger", "column", "rule", "policy"],
)
def test_a_ledger_changed_behind_the_programs_back_is_refused(pg_url: str, change: str) -> None:
    Ledger.create(pg_url).close()
    _sql(pg_url, change)
    with pytest.raises(storage.ForeignSchemaError) as err:
        Ledger.open(pg_url)
    assert CHINESE.search(str(err.value)) and ("item" in str(err.value))


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("mysql://rectify@127.0.0.1/ledger", "postgresql://"),
        ("postgresql://127.0.0.1/ledger", "用户名"),
        ("postgresql://rectify@127.0.0.1", "数据库"),
        ("postgresql://rectify@127.0.0.1:99999/ledger", "地址无效"),
        ("postgresql://rectify@127.0.0.1:port/ledger", "地址无效"),
    ],
)
def test_an_address_that_is_not_one_is_told_in_chinese(url: str, why: str) -> None:
    with pytest.raises(server.ServerError) as err:
        server.ServerAddress.parse(url)
    assert why in str(err.value)


def test_a_server_that_is_not_there_is_told_in_chinese_quickly() -> None:
    started = time.monotonic()
    for url in (f"postgresql://rectify@127.0.0.1:{free_port()}/ledger", "postgresql://rectify@no-such-host.invalid/x"):
        with pytest.raises(server.ServerError) as err:
            Ledger.open(url)
        assert "无法连接服务器" in str(err.value)
    assert time.monotonic() - started < 5


def test_a_user_or_database_the_server_does_not_have_is_named(pg_url: str) -> None:
    for url, words in (
        (pg_url.replace("rectify@", "nobody@"), ("没有名为“nobody”的用户",)),
        (pg_url.rsplit("/", 1)[0] + "/no_such_db", ("没有名为“no_such_db”的数据库",)),
    ):
        with pytest.raises(server.ServerError) as err:
            Ledger.open(url)
        assert all(w in str(err.value) for w in words), err.value
        assert not isinstance(err.value, server.PasswordNeededError)  # no password would help


def test_a_server_that_never_answers_gives_up_after_the_connect_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    assert 0 < server.CONNECT_TIMEOUT <= 10
    monkeypatch.setattr(server, "CONNECT_TIMEOUT", 1)  # the test need not wait the clerk's ten seconds
    # A port that takes the connection and then says nothing, as a firewall that swallows packets does.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = f"postgresql://rectify@127.0.0.1:{silent.getsockname()[1]}/ledger"
        started = time.monotonic()
        with pytest.raises(server.ServerError) as err:
            Ledger.open(url)
        assert time.monotonic() - started < 3
    assert "无法连接服务器" in str(err.value)


def test_the_guarded_role_needs_its_password(
    pg_url: str, pg_server: object, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "no-pgpass"))
    Ledger.create(pg_url).close()
    _sql(
        pg_url,
        f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {GUARDED_USER}",
        f"GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {GUARDED_USER}",
    )
    guarded = server.ServerAddress.parse(pg_url.replace("rectify@", f"{GUARDED_USER}@"))
    with pytest.raises(server.PasswordNeededError) as none:
        Ledger.open(guarded)
    assert "密码" in str(none.value)
    with pytest.raises(server.PasswordNeededError) as wrong:
        Ledger.open(guarded.with_password("not-it"))
    assert "密码不正确" in str(wrong.value) and "not-it" not in str(wrong.value)
    assert not server.active()
    with Ledger.open(guarded.with_password(GUARDED_PASSWORD)) as led:
        led.apply(ops.add_inspection("带密码"))
        assert "guarded@" in ChangeLog.get().user
    in_url = pg_url.replace("rectify@", f"{GUARDED_USER}:{GUARDED_PASSWORD}@")
    with Ledger.open(in_url) as led:
        assert [i.title for i in led.inspections()] == ["带密码"]
        assert GUARDED_PASSWORD not in led.location and GUARDED_PASSWORD not in led.server.url()


def test_chinese_and_spaces_in_the_database_and_user_names(pg_server: object) -> None:
    name, user = "台账 二〇二六", "张 三"
    address = server.ServerAddress("127.0.0.1", name, user, pg_server.port)
    assert server.ServerAddress.parse(address.url()) == address
    assert " " not in address.url() and name in address.label()
    with pg_server.connect() as conn:
        conn.execute(f'CREATE ROLE "{user}" LOGIN')
        conn.execute(f'CREATE DATABASE "{name}" OWNER "{user}"')
    try:
        with Ledger.create(address.url()) as led:
            led.apply(ops.add_inspection("中文库名"))
            assert f"{user}@{HOST}" in ChangeLog.get().user
        with Ledger.open(address) as led:
            assert [i.title for i in led.inspections()] == ["中文库名"]
    finally:
        pg_server.drop_database(name)
        with pg_server.connect() as conn:
            conn.execute(f'DROP ROLE "{user}"')


def test_core_raw_sql_reads_the_same_on_the_server(led: Ledger) -> None:
    """Core's raw queries are written for SQLite (`?`, a literal % in a LIKE pattern, dates as text)."""
    _tree(led)
    run = server.server_db.execute_sql
    assert run("SELECT 'a%' LIKE 'a%'").fetchone() == (True,)
    assert run("SELECT title FROM item WHERE title LIKE '%学习%' AND id = ?", [1]).fetchall() == [("理论学习流于形式",)]
    assert run("SELECT '100%' || ?", ["完成"]).fetchone() == ("100%完成",)
    assert run("SELECT '为什么?' || ?, 'it''s ?', ?", ["完成", 2]).fetchone() == ("为什么?完成", "it's ?", 2)
    led.apply(ops.set_fields(Item, 1, {"deadline_text": "2026-06-30"}))
    assert run(
        "SELECT deadline_date, CAST('2026-05-01 10:00:00' AS timestamp) FROM item WHERE id = ?", [1]
    ).fetchone() == (
        "2026-06-30",
        "2026-05-01 10:00:00",
    )


# --- edits through the one door ----------------------------------------------------------------------------


def test_every_kind_of_edit_and_its_undo_on_a_server(led: Ledger) -> None:
    insp, cat, fid, item = _tree(led)
    second = led.apply(ops.add_item(fid, "第二项"))[0].id
    assert [i.number for i in Item.select().order_by(Item.position)] == [1, 2]

    edit = ops.set_fields(Item, item, {"progress": "已整改", "deadline_text": "2026-06-30"})
    led.apply(edit)
    row = Item.get_by_id(item)
    assert (row.progress, str(row.deadline_date), row.row_version) == ("已整改", "2026-06-30", 2)
    led.revert(edit)
    assert (Item.get_by_id(item).progress, Item.get_by_id(item).deadline_date) == ("", None)

    move = ops.move(Item, second, -1)
    led.apply(move)
    assert [i.id for i in Item.select().order_by(Item.position)] == [second, item]
    led.revert(move)
    assert [i.id for i in Item.select().order_by(Item.position)] == [item, second]

    removal = ops.delete(Item, item)
    led.apply(removal)
    renumber = ops.renumber(insp)
    led.apply(renumber)
    assert Item.get_by_id(second).number == 1
    led.revert(renumber)
    led.revert(removal)
    assert Item.get_by_id(item).title == "理论学习流于形式" and Item.get_by_id(second).number == 2

    # Undo of each insert, deepest first, leaves the ledger empty again.
    whole = ops.delete(Inspection, insp)
    led.apply(whole)
    assert Category.select().count() == Finding.select().count() == Item.select().count() == 0
    led.revert(whole)
    assert Item.select().count() == 2 and Category.get_by_id(cat).title == "党的建设方面"
    assert verify.verify_open_ledger() == []

    log = list(ChangeLog.select().order_by(ChangeLog.id))
    assert {e.user for e in log} == {f"rectify（rectify@{HOST}）"}
    batches = [e.batch for e in log]
    assert batches == sorted(batches)
    # One batch per apply or revert (15 of them), none skipped, none shared.
    assert list(dict.fromkeys(batches)) == list(range(1, 16)), str([(e.batch, e.action) for e in log])


def test_evidence_is_stored_in_chunks_on_the_server_and_its_undo_and_redo(led: Ledger, tmp_path: Path) -> None:
    from rectify_desktop.core.evidence import CHUNK_SIZE, AddEvidence, iter_blob
    from rectify_desktop.core.models import Blob, BlobChunk, Evidence

    _insp, _cat, _fid, item = _tree(led)
    scan = tmp_path / "整改报告.pdf"
    data = os.urandom(2 * CHUNK_SIZE + 123)
    scan.write_bytes(data)
    sha = hashlib.sha256(data).hexdigest()
    add = AddEvidence(item, scan)
    led.apply(add)
    ev = Evidence.get(Evidence.item == item)
    assert (ev.blob_sha256, ev.name, Blob.get_by_id(sha).size) == (sha, "整改报告.pdf", len(data))
    assert BlobChunk.select().where(BlobChunk.blob == sha).count() == 3
    assert hashlib.sha256(b"".join(iter_blob(sha))).hexdigest() == sha
    led.revert(add)
    assert Evidence.select().count() == 0
    led.apply(add)  # redo: the same record, the bytes not stored twice
    assert Evidence.get(Evidence.item == item).blob_sha256 == sha and Blob.select().count() == 1
    assert verify.verify_open_ledger() == []


def test_batches_are_numbered_in_turn_and_ids_continue_after_a_push(
    pg_url: str, demo_template: Path, tmp_path: Path
) -> None:
    transfer.push(demo_template, server.ServerAddress.parse(pg_url))
    with Ledger.open(pg_url) as led:
        top = {m: m.select(m.id).order_by(m.id.desc()).first().id for m in (Inspection, Category, Finding, Item)}
        last_batch = ChangeLog.select().order_by(ChangeLog.batch.desc()).first().batch
        insp = led.apply(ops.add_inspection("推送之后"))[0].id
        cat = led.apply(ops.add_category(insp))[0].id
        fid = led.apply(ops.add_finding(cat))[0].id
        item = led.apply(ops.add_item(fid))[0].id
        assert (insp, cat, fid, item) == tuple(top[m] + 1 for m in (Inspection, Category, Finding, Item))
        new = list(ChangeLog.select().where(ChangeLog.batch > last_batch).order_by(ChangeLog.id))
        assert [e.batch for e in new] == [last_batch + 1, last_batch + 2, last_batch + 3, last_batch + 4]


def test_a_failing_command_leaves_nothing_and_tells_nobody(led: Ledger) -> None:
    insp, _cat, _fid, item = _tree(led)
    feed = server.ChangeFeed(led.server)  # hears every notice, this window's own too
    try:
        led.apply(ops.set_fields(Item, item, {"remarks": "第一次"}))
        assert _wait(feed.poll)
        before = (ChangeLog.select().count(), Item.get_by_id(item).row_version)
        bad = Batch("两步", [SetFields(Item, item, {"progress": "半截"}), SetFields(Item, 9999, {"progress": "无"})])
        with pytest.raises(ConflictError):
            led.apply(bad)
        # A step the server itself refuses (a finding's number taken twice) rolls back the steps before it.
        clash = Batch("编号重复", [SetFields(Item, item, {"progress": "半截"}), commands.Insert(Finding, _dup(insp))])
        with pytest.raises(server.ServerError):
            led.apply(clash)
        time.sleep(0.2)
        assert feed.poll() == []
        assert (ChangeLog.select().count(), Item.get_by_id(item).row_version) == before
        assert Item.get_by_id(item).progress == ""
        led.apply(ops.set_fields(Item, item, {"remarks": "之后照常"}))  # the connection is still good
        assert Item.get_by_id(item).remarks == "之后照常"
    finally:
        feed.close()


def test_an_error_the_server_raises_inside_a_command_is_told_in_chinese(led: Ledger) -> None:
    insp, _cat, _fid, _item = _tree(led)
    with pytest.raises(server.ServerError) as err:
        led.apply(commands.Insert(Finding, _dup(insp)))
    assert CHINESE.search(str(err.value))


def _dup(insp: int) -> dict:
    first = Finding.get()
    return {"inspection": insp, "category": first.category_id, "number": first.number, "title": "重号"}


def _wait(poll, seconds: float = 1.0) -> list:  # noqa: ANN001
    got: list = []
    end = time.monotonic() + seconds
    while not got and time.monotonic() < end:
        got = poll()
        time.sleep(0.01)
    return got


def test_a_lost_connection_is_told_in_chinese_and_the_next_edit_connects_again(led: Ledger, pg_url: str) -> None:
    _tree(led)
    heard: list[list[Change]] = []
    led.subscribe(heard.append)
    # The server restarted, or the network dropped: both of this window's connections are gone.
    _sql(
        pg_url,
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
        "AND pid <> pg_backend_pid()",
    )
    with pytest.raises(server.ServerError) as err:
        led.apply(ops.add_inspection("断线时"))
    assert "连接中断" in str(err.value) and "修改未保存" in str(err.value)
    assert [i.title for i in led.inspections()] == ["县委第一巡察组"]  # read again on a new connection
    led.apply(ops.add_inspection("重新连接后"))
    assert [i.title for i in led.inspections()] == ["县委第一巡察组", "重新连接后"]
    # What others did meanwhile was not heard: the window is told to reload everything.
    heard.clear()
    notices = _collect(led)
    assert notices and notices[0].changes is None and heard == [[Change("reset", Inspection, 0)]]
    with Remote(pg_url) as other:
        other.do("add_inspection", title="别人加的")
        assert [n.changes[0].entity for n in _collect(led)] == [Inspection]


def test_a_read_only_window_stays_read_only_after_connecting_again(pg_url: str) -> None:
    Ledger.create(pg_url).close()
    with Ledger.open(pg_url, readonly=True) as led:
        _sql(
            pg_url,
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()",
        )
        assert led.inspections() == []  # a read is simply made again on a new connection
        with pytest.raises(peewee.InternalError, match="read-only"):
            with server.server_db.atomic():
                Inspection.create(title="写不进去")


def test_a_user_without_rights_is_told_so(pg_url: str, pg_server: object, tmp_path: Path) -> None:
    Ledger.create(pg_url).close()
    guarded = server.ServerAddress.parse(pg_url.replace("rectify@", f"{GUARDED_USER}@"))
    with pytest.raises(server.ServerError) as err:
        Ledger.open(guarded.with_password(GUARDED_PASSWORD))
    assert "权限" in str(err.value) and GUARDED_USER in str(err.value)
    assert not server.active()
    # Nor may it make a ledger in a database where it may not create tables (PostgreSQL 15's default).
    name = f"empty_{uuid.uuid4().hex[:8]}"
    pg_server.create_database(name)
    try:
        empty = server.ServerAddress("127.0.0.1", name, GUARDED_USER, pg_server.port, GUARDED_PASSWORD)
        with pytest.raises(server.ServerError) as err:
            Ledger.create(empty)
        assert "权限" in str(err.value)
        with pytest.raises(server.ServerError) as err:
            transfer.push(_empty_file(tmp_path), empty)
        assert "权限" in str(err.value)
    finally:
        pg_server.drop_database(name)


def _empty_file(folder: Path) -> Path:
    path = folder / "空台账.db"
    Ledger.create(path).close()
    return path


# --- conflicts with another window --------------------------------------------------------------------------


def test_the_same_field_changed_by_another_window_is_a_conflict(led: Ledger, pg_url: str) -> None:
    _insp, _cat, _fid, item = _tree(led)
    seen = Item.get_by_id(item)  # what this window's form shows
    with Remote(pg_url, user="李四") as other:
        other.do("set", model="item", id=item, values={"progress": "李四写的"})
        with pytest.raises(ConflictError) as err:
            led.apply(SetFields(Item, item, {"progress": "我写的"}, seen=seen))
        assert err.value.fields == {"progress": ("", "我写的", "李四写的")}
        assert "李四" in err.value.who and "李四" in str(err.value)
        assert not err.value.gone
        assert Item.get_by_id(item).progress == "李四写的"

        # Another field of the same stale row merges.
        led.apply(SetFields(Item, item, {"remarks": "我的备注"}, seen=seen))
        row = Item.get_by_id(item)
        assert (row.progress, row.remarks, row.row_version) == ("李四写的", "我的备注", 3)
        # The same stale edit again: it is still 李四's change it meets, though this window wrote the row last.
        with pytest.raises(ConflictError) as err:
            led.apply(SetFields(Item, item, {"progress": "我写的"}, seen=seen))
        assert led.user not in err.value.who and led.user not in str(err.value)

        # Undo after the other window changed the field since.
        mine = SetFields(Item, item, {"department": "办公室"}, seen=Item.get_by_id(item))
        led.apply(mine)
        other.do("set", model="item", id=item, values={"department": "组织部"})
        with pytest.raises(UndoConflictError) as undo:
            led.revert(mine)
        assert "李四" in undo.value.who and "撤销未执行" in str(undo.value)
        assert Item.get_by_id(item).department == "组织部"

        # A row the other window deleted.
        seen = Item.get_by_id(item)
        other.do("delete", model="item", id=item)
        with pytest.raises(ConflictError) as gone:
            led.apply(SetFields(Item, item, {"progress": "晚了"}, seen=seen))
        assert gone.value.gone and "删除" in str(gone.value)


# --- notices --------------------------------------------------------------------------------------------------


def test_another_windows_edit_arrives_within_a_second(led: Ledger, pg_url: str) -> None:
    _insp, _cat, _fid, item = _tree(led)
    heard: list[list[Change]] = []
    led.subscribe(heard.append)
    assert led.feed_socket() is not None
    with Remote(pg_url, user="李四") as other:
        assert led.poll_remote() == []
        other.do("set", model="item", id=item, values={"progress": "李四写的"})
        started = time.monotonic()
        notices = _collect(led)
        assert time.monotonic() - started < 1
        assert len(notices) == 1
        notice = notices[0]
        assert notice.user.startswith("李四（rectify@") and notice.batch == ChangeLog.select().count()
        assert notice.changes == [Change("update", Item, item, None, ("progress", "row_version"), notice.user)] or (
            notice.changes == [Change("update", Item, item, None, ("progress",), notice.user)]
        )
        assert heard[-1] == notice.changes

        # This window's own edits are not told back to it.
        heard.clear()
        led.apply(ops.set_fields(Item, item, {"remarks": "我自己的"}))
        assert len(heard) == 1 and heard[0][0].by == ""
        time.sleep(0.2)
        assert led.poll_remote() == [] and len(heard) == 1

        # A batch too large for a notice arrives as "reload everything".
        heard.clear()
        other.do("many", count=250)
        notices = _collect(led)
        assert len(notices) == 1 and notices[0].changes is None
        assert heard == [[Change("reset", Inspection, 0)]]


def test_two_ledgers_on_one_server_do_not_hear_each_other(led: Ledger, pg_server: object) -> None:
    _insp, _cat, _fid, item = _tree(led)
    other_db = f"other_{int(time.time() * 1000)}"
    pg_server.create_database(other_db)
    try:
        Ledger.close(led)  # one ledger per process: make the other one here, then reopen ours
        Ledger.create(pg_server.url(other_db)).close()
        mine = Ledger.open(led.server)
        try:
            with Remote(pg_server.url(other_db), user="王五") as elsewhere:
                elsewhere.do("add_inspection", title="别的台账")
                time.sleep(0.3)
                assert mine.poll_remote() == []
        finally:
            mine.close()
    finally:
        pg_server.drop_database(other_db)


def test_a_long_chinese_database_name_still_carries_notices(pg_server: object) -> None:
    # 19 characters of 3 bytes each: the database's name fits PostgreSQL's 63 bytes, the channel named after it
    # (rectify_ledger_ + the name) does not.
    name = "某某县委巡察整改台账二〇二六年度第一轮"
    pg_server.create_database(name)
    url = server.ServerAddress("127.0.0.1", name, "rectify", pg_server.port).url()
    try:
        with Ledger.create(url) as led:
            _insp, _cat, _fid, item = _tree(led)
            with Remote(url) as other:
                other.do("set", model="item", id=item, values={"progress": "长名字"})
                assert [n.changes[0].id for n in _collect(led)] == [item]
    finally:
        pg_server.drop_database(name)


def test_writers_take_turns(led: Ledger, pg_url: str) -> None:
    """An advisory lock held by another writer makes an edit wait for it, not fail or interleave."""
    _insp, _cat, _fid, item = _tree(led)
    held = threading.Event()
    release = threading.Event()

    def hold() -> None:
        with psycopg.connect(pg_url) as conn:
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (server.WRITE_LOCK,))
            held.set()
            release.wait(5)

    t = threading.Thread(target=hold)
    t.start()
    try:
        assert held.wait(5)
        threading.Timer(0.3, release.set).start()
        started = time.monotonic()
        led.apply(ops.set_fields(Item, item, {"remarks": "等到了"}))
        assert time.monotonic() - started >= 0.25
    finally:
        release.set()
        t.join()
