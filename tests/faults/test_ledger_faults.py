"""Issue 19, the ledger file itself: a lock that lets one writer in, foreign schema objects, wrong column
types, read-only places, a full disk, a pending -wal, files left beside a source only read, odd versions."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from rectify_desktop.core import evidence, ops, storage
from rectify_desktop.core.ledger import Ledger
from tests.faults.conftest import fill_disk

ROOT = Path(__file__).resolve().parents[2]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def side_files(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir() if p.name != path.name and p.name.startswith(path.name))


def raw(path: Path, *sql: str) -> None:
    con = sqlite3.connect(path)
    try:
        for s in sql:
            con.execute(s)
        con.commit()
    finally:
        con.close()


# --- point 11: the writer lock ------------------------------------------------------------------------

LOCK_WORKER = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    from rectify_desktop.core.storage import FileLock
    ledger, marker, n = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    overlaps = got = 0
    for _ in range(n):
        lock = FileLock(ledger)
        if not lock.acquire():
            continue
        got += 1
        try:
            fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            overlaps += 1  # somebody else holds the lock at the same time
        else:
            os.close(fd)
            os.unlink(marker)
        lock.release()
    print(got, overlaps)
    """
)


def test_lock_lets_one_writer_in_under_stress(tmp_path: Path, cli_env: dict[str, str]) -> None:
    """4 processes x 2,000 lock/unlock cycles on one ledger: never two holders at once."""
    ledger = tmp_path / "台账.db"
    ledger.write_bytes(b"")
    marker = tmp_path / "holder"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", LOCK_WORKER, str(ledger), str(marker), "2000"],
            stdout=subprocess.PIPE,
            text=True,
            env=cli_env,
        )
        for _ in range(4)
    ]
    results = [p.communicate(timeout=120)[0].split() for p in procs]
    assert all(p.returncode == 0 for p in procs)
    got = sum(int(r[0]) for r in results)
    overlaps = sum(int(r[1]) for r in results)
    # Contended (many tries refused) and yet often granted: about 1 in 9 on two idle cores, fewer under load.
    assert 40 <= got < 4 * 2000, results
    assert overlaps == 0, results
    assert not ledger.with_name("台账.db.lock").exists(), "the last holder tidies the lock file away"


OPEN_WORKER = textwrap.dedent(
    """
    import os, sys
    from rectify_desktop.core import storage
    from rectify_desktop.core.ledger import Ledger
    path, marker, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    overlaps = got = 0
    for _ in range(n):
        try:
            led = Ledger.open(path)
        except storage.LockedError:
            continue
        got += 1
        try:
            fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            overlaps += 1
        else:
            os.close(fd)
            os.unlink(marker)
        led.close()
    print(got, overlaps)
    """
)


def test_two_windows_never_write_at_once(tmp_path: Path, cli_env: dict[str, str]) -> None:
    path = tmp_path / "台账.db"
    Ledger.create(path).close()
    marker = tmp_path / "holder"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", OPEN_WORKER, str(path), str(marker), "150"],
            stdout=subprocess.PIPE,
            text=True,
            env=cli_env,
        )
        for _ in range(2)
    ]
    results = [p.communicate(timeout=120)[0].split() for p in procs]
    assert all(p.returncode == 0 for p in procs), results
    assert sum(int(r[1]) for r in results) == 0, results
    assert sum(int(r[0]) for r in results) >= 20  # both got in, many times


# --- point 4: schema objects the program did not create --------------------------------------------------


FOREIGN = {
    "trigger": "CREATE TRIGGER wipe AFTER INSERT ON inspection BEGIN DELETE FROM measure; END",
    "view": "CREATE VIEW v AS SELECT * FROM item",
    "table": "CREATE TABLE extra (x)",
    "index": "CREATE INDEX extra_idx ON item (title)",
    "changed table": "ALTER TABLE item ADD COLUMN secret TEXT",
}


@pytest.mark.parametrize("kind", list(FOREIGN))
def test_foreign_schema_objects_are_refused(kind: str, demo_path: Path, cli) -> None:  # noqa: ANN001
    raw(demo_path, FOREIGN[kind])
    before = sha256(demo_path)
    with pytest.raises(storage.ForeignSchemaError, match="不是本程序创建"):
        Ledger.open(demo_path)
    assert sha256(demo_path) == before
    r = cli("verify", demo_path)
    assert r.returncode != 0
    assert "不是本程序创建" in r.stderr
    # Read-only commands still work, and say it.
    r = cli("stats", demo_path)
    assert r.returncode == 0, r.stderr
    assert "不是本程序创建" in r.stderr
    assert sha256(demo_path) == before


def test_trigger_cannot_fire_through_an_import(demo_path: Path, tmp_path: Path, cli) -> None:  # noqa: ANN001
    raw(demo_path, FOREIGN["trigger"])
    txt = tmp_path / "反馈.txt"
    txt.write_text("一、党的领导方面\n1.学习不深入。\n", encoding="utf-8")
    r = cli("import", demo_path, txt)
    assert r.returncode != 0
    con = sqlite3.connect(demo_path)
    assert con.execute("SELECT count(*) FROM measure").fetchone()[0] > 0
    con.close()


def test_the_programs_own_schema_passes(demo_path: Path, tmp_path: Path, cli) -> None:  # noqa: ANN001
    from tests.core.legacy import make_v1_ledger

    assert cli("verify", demo_path).returncode == 0
    old = tmp_path / "旧.db"
    make_v1_ledger(old)
    Ledger.open(old).close()  # migrated: its schema is the program's own too
    assert cli("verify", old).returncode == 0, cli("verify", old).stderr


# --- point 9: text in a date column -------------------------------------------------------------------


BAD_VALUES = [
    "UPDATE inspection SET feedback_date = '2021年5月6日'",
    "UPDATE item SET deadline_date = 'soon' WHERE id = 1",
    "UPDATE item SET completed_date = 12 WHERE id = 2",
    "UPDATE measure SET done_date = 'x' WHERE id = 1",
    "UPDATE item SET position = 'abc' WHERE id = 3",
    "UPDATE evidence SET added_at = '昨天' WHERE id = 1",
    "UPDATE evidence SET position = '第一' WHERE id = 2",
    "UPDATE finding SET number = '三' WHERE id = 3",
    "UPDATE measure SET position = 'x' WHERE id = 2",
]


@pytest.mark.parametrize("sql", BAD_VALUES)
def test_verify_finds_each_wrong_column_type(sql: str, demo_path: Path) -> None:
    from rectify_desktop.core.verify import verify_open_ledger

    with Ledger.open(demo_path, readonly=True) as led:
        assert led.warnings == [] and verify_open_ledger() == []
    raw(demo_path, sql)
    with Ledger.open(demo_path, readonly=True) as led:
        assert len(led.warnings) == 1 and "无法识别" in led.warnings[0]
        problems = verify_open_ledger()
    assert len(problems) == 1 and "无法识别" in problems[0], problems


def test_wrong_column_types_are_told_not_a_traceback(demo_path: Path, tmp_path: Path, cli) -> None:  # noqa: ANN001
    raw(demo_path, *BAD_VALUES)
    r = cli("verify", demo_path)
    assert r.returncode != 0
    assert r.stderr.count("无法识别") == len(BAD_VALUES), r.stderr
    for args in (
        ("stats", demo_path),
        ("export", demo_path, tmp_path / "a.xlsx"),
        ("export", demo_path, tmp_path / "a.docx"),
        ("export", demo_path, tmp_path / "a.pdf"),
        ("export", demo_path, tmp_path / "a.zip"),
        ("export", demo_path, tmp_path / "b.pdf", "--kind", "任务清单"),
        ("export", demo_path, tmp_path / "c.docx", "--kind", "report"),
    ):
        r = cli(*args)
        assert "Traceback" not in r.stderr, r.stderr
        assert r.returncode == 0, r.stderr
        assert "无法识别" in r.stderr


# --- point 12: a ledger in a read-only place ------------------------------------------------------------


def test_ledger_on_a_read_only_mount_opens_read_only(demo_path: Path, tmp_path: Path, read_only_folder, cli) -> None:  # noqa: ANN001
    src = demo_path.parent
    before = sha256(demo_path)
    ro = read_only_folder(src)
    path = ro / demo_path.name
    r = cli("stats", path, "--json")
    assert r.returncode == 0, r.stderr
    assert '"items": 29' in r.stdout
    r = cli("verify", path)
    assert r.returncode == 0, r.stderr
    for out in ("x.xlsx", "x.docx", "x.txt", "x.pdf", "x.zip"):
        r = cli("export", path, tmp_path / out)
        assert r.returncode == 0, r.stderr
    with pytest.raises(storage.ReadOnlyFileError, match="只读"):
        Ledger.open(path)
    with Ledger.open(path, readonly=True) as led:
        assert led.readonly
        assert "只读" in led.readonly_reason
    assert sha256(demo_path) == before
    assert side_files(demo_path) == []


def test_pending_wal_on_a_read_only_mount_is_read_whole(tmp_path: Path, read_only_folder, cli) -> None:  # noqa: ANN001
    src = tmp_path / "src"
    src.mkdir()
    path = src / "台账.db"
    # A ledger whose last edits are still in its -wal (a checkpoint that could not run): the -wal must be read.
    code = textwrap.dedent(
        f"""
        import os
        from rectify_desktop.core.ledger import Ledger
        from rectify_desktop.core import ops
        from rectify_desktop.core.models import db
        led = Ledger.create({str(path)!r})
        db.execute_sql("PRAGMA wal_autocheckpoint = 0")
        insp = led.apply(ops.add_inspection("巡察"))[0].id
        led.apply(ops.add_category(insp, "只在WAL中的方面"))
        os._exit(0)  # no checkpoint, no close: the -wal holds the inspection
        """
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    subprocess.run([sys.executable, "-c", code], check=True, env=env)
    assert Path(str(path) + "-wal").stat().st_size > 0
    for p in src.glob("*.lock"):
        p.unlink()
    ro = read_only_folder(src)
    r = cli("stats", ro / "台账.db", "--json")
    assert r.returncode == 0, r.stderr
    r = cli("export", ro / "台账.db", tmp_path / "x.txt")
    assert r.returncode == 0, r.stderr
    assert "只在WAL中的方面" in (tmp_path / "x.txt").read_text(encoding="utf-8")


# --- point 15: a source only read keeps no company -------------------------------------------------------


def test_read_only_commands_leave_nothing_beside_the_source(demo_path: Path, tmp_path: Path, cli) -> None:  # noqa: ANN001
    before = sha256(demo_path)
    assert side_files(demo_path) == []
    assert cli("stats", demo_path).returncode == 0
    assert cli("verify", demo_path).returncode == 0
    assert cli("backup", demo_path, tmp_path / "b.db").returncode == 0
    assert cli("export", demo_path, tmp_path / "x.txt").returncode == 0
    (tmp_path / "newer.db").write_bytes(demo_path.read_bytes())
    raw(tmp_path / "newer.db", "PRAGMA user_version = 99")
    assert cli("stats", tmp_path / "newer.db").returncode != 0
    assert side_files(demo_path) == []
    assert side_files(tmp_path / "newer.db") == []
    assert sha256(demo_path) == before


def test_backup_leaves_no_partial_on_failure(demo_path: Path, small_disk) -> None:
    disk = small_disk("100k")
    with pytest.raises(storage.LedgerError, match="磁盘空间不足"):
        storage.backup_file(demo_path, disk / "b.db")
    assert [p.name for p in disk.iterdir()] == []


# --- point 13: a full disk is not a damaged ledger ----------------------------------------------------


def test_full_disk_while_editing_says_so(small_disk, tmp_path: Path) -> None:
    disk = small_disk("2m")
    path = disk / "台账.db"
    led = Ledger.create(path)
    try:
        insp = led.apply(ops.add_inspection("巡察"))[0].id
        fill_disk(disk, 0)
        with pytest.raises(storage.LedgerError) as info:
            for i in range(2000):
                led.apply(ops.add_inspection("很长的标题" * 200 + str(i)))
        msg = str(info.value)
        assert "磁盘空间不足" in msg, msg
        assert "损坏" not in msg
    finally:
        (disk / "ballast.bin").unlink(missing_ok=True)
        led.close()
    with Ledger.open(path, readonly=True) as led:
        assert any(i.id == insp for i in led.inspections())


def test_full_disk_on_the_command_line(small_disk, tmp_path: Path, cli) -> None:  # noqa: ANN001
    disk = small_disk("1m")
    fill_disk(disk, 20_000)
    txt = tmp_path / "反馈.txt"
    txt.write_text(
        "一、党的领导方面\n" + "".join(f"{i}.问题{i}。" + "很长" * 500 + "\n" for i in range(1, 60)), encoding="utf-8"
    )
    r = cli("import", disk / "new.db", txt)
    assert r.returncode != 0
    assert "磁盘空间不足" in r.stderr, r.stderr
    assert "损坏" not in r.stderr
    assert "Traceback" not in r.stderr
    assert sorted(p.name for p in disk.iterdir()) == ["ballast.bin"]


# --- point 3: a checkpoint that cannot run at close ----------------------------------------------------


def test_failed_checkpoint_at_close_is_told_and_retried(small_disk, tmp_path: Path, cli) -> None:  # noqa: ANN001
    disk = small_disk("6m")
    path = disk / "台账.db"
    led = Ledger.create(path)
    insp = led.apply(ops.add_inspection("巡察"))[0].id
    cat = led.apply(ops.add_category(insp, "方面"))[0].id
    fnd = led.apply(ops.add_finding(cat, "问题"))[0].id
    item = led.apply(ops.add_item(fnd, "细化问题"))[0].id
    from rectify_desktop.core.models import db

    db.execute_sql("PRAGMA wal_autocheckpoint = 0")  # as when the automatic checkpoints could not run either
    data = os.urandom(2_200_000)
    src = tmp_path / "材料.bin"
    src.write_bytes(data)
    led.apply(evidence.AddEvidence(item, src))
    evidence.wait_checkpoints()
    fill_disk(disk, 100_000)
    warning = led.close()
    assert warning and "-wal" in warning and "磁盘空间" in warning, warning
    assert Path(str(path) + "-wal").exists()
    r = cli("verify", path)
    assert "-wal" in r.stdout + r.stderr
    (disk / "ballast.bin").unlink()
    with Ledger.open(path) as led:
        assert led.warnings == []
    assert not Path(str(path) + "-wal").exists() or Path(str(path) + "-wal").stat().st_size == 0
    copy = tmp_path / "copy.db"
    shutil.copyfile(path, copy)
    assert cli("verify", copy).returncode == 0


# --- point 16: versions that make no sense --------------------------------------------------------------


@pytest.mark.parametrize("version", [0, -1])
def test_nonsense_version_is_refused_without_backup(version: int, demo_path: Path, cli) -> None:  # noqa: ANN001
    raw(demo_path, f"PRAGMA user_version = {version}")
    before = sha256(demo_path)
    r = cli("stats", demo_path)
    assert r.returncode != 0
    assert "版本" in r.stderr and "升级失败" not in r.stderr, r.stderr
    with pytest.raises(storage.LedgerError):
        Ledger.open(demo_path)
    assert sha256(demo_path) == before
    assert sorted(p.name for p in demo_path.parent.iterdir()) == [demo_path.name]
