"""The PostgreSQL server the test suite starts itself (tests/pgserver.py, tests/pg_fixtures.py), and dev.py's
set-up that installs PostgreSQL where it is missing.

The server tests need the server binaries; without them they skip, or fail when RECTIFY_DESKTOP_REQUIRE_POSTGRES=1
(dev.py sets it wherever the binaries are, so CI cannot skip them silently).
"""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests import pgserver
from tests.pgserver import PgServer, PgServerError, find_bindir

ROOT = Path(__file__).resolve().parent.parent

psycopg = pytest.importorskip("psycopg")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A child of ours that has exited but not been reaped is gone for our purposes.
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ", 1)[1][0] != "Z"
    except OSError:
        return True


def _processes_mentioning(text: str) -> list[int]:
    """Processes whose command line mentions TEXT (a server's own folder): Linux's /proc only."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if text in cmdline and int(entry.name) != os.getpid():
                found.append(int(entry.name))
    return found


def _wait_gone(pid: int, folder: Path, seconds: float) -> None:
    """Until the server, its folder and the watchdog (which exits just after removing the folder) are gone."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and (_alive(pid) or folder.exists() or _processes_mentioning(str(folder))):
        time.sleep(0.1)


# --- finding the binaries ---------------------------------------------------------------------------------------


def _fake_bindir(path: Path, names: tuple[str, ...] = ("initdb", "pg_ctl", "postgres")) -> Path:
    path.mkdir(parents=True)
    for name in names:
        exe = path / (name + (".exe" if os.name == "nt" else ""))
        exe.write_text("")
        exe.chmod(0o755)
    return path


def test_find_bindir_takes_the_highest_complete_version(tmp_path: Path) -> None:
    root = tmp_path / "postgresql"
    _fake_bindir(root / "9.6" / "bin")
    _fake_bindir(root / "15" / "bin")
    # 17 is only the client (psql, pg_dump …): no server to start.
    _fake_bindir(root / "17" / "bin", ("psql", "pg_dump"))
    bindir, reason = find_bindir(pg_config=None, roots=[root], path="")
    assert bindir == root / "15" / "bin"
    assert reason == ""


def test_find_bindir_prefers_pg_config_then_path(tmp_path: Path) -> None:
    listed = _fake_bindir(tmp_path / "listed")
    config = tmp_path / "pg_config"
    config.write_text(f"#!/bin/sh\necho {listed}\n")
    config.chmod(0o755)
    root = tmp_path / "postgresql"
    _fake_bindir(root / "16" / "bin")
    on_path = _fake_bindir(tmp_path / "on-path")
    if os.name != "nt":
        assert find_bindir(pg_config=str(config), roots=[root], path=str(on_path))[0] == listed
    # A pg_config of libpq's alone names a folder without the server: the search goes on.
    assert find_bindir(pg_config=str(tmp_path / "missing"), roots=[root], path=str(on_path))[0] == root / "16" / "bin"
    assert find_bindir(pg_config=None, roots=[], path=str(on_path))[0] == on_path


def test_find_bindir_without_postgresql_says_why_in_both_languages(tmp_path: Path) -> None:
    bindir, reason = find_bindir(pg_config=None, roots=[tmp_path], path=str(tmp_path))
    assert bindir is None
    assert "PostgreSQL" in reason and "找不到" in reason and "not found" in reason


def test_an_empty_search_fails_to_start_with_the_reason(tmp_path: Path) -> None:
    server = PgServer(bindir=None, search={"pg_config": None, "roots": [tmp_path], "path": str(tmp_path)})
    with pytest.raises(PgServerError, match="找不到"):
        server.start()


# --- the session's server ---------------------------------------------------------------------------------------


def test_the_server_answers(pg_server: PgServer) -> None:
    with psycopg.connect(pg_server.url("postgres")) as conn:
        version = conn.execute("select version()").fetchone()[0]
        assert version.startswith("PostgreSQL")
        assert conn.execute("show server_encoding").fetchone()[0] == "UTF8"
        assert int(conn.execute("show max_connections").fetchone()[0]) >= 100
        # fast=True: the tests' server does not wait for the disk.
        assert conn.execute("show fsync").fetchone()[0] == "off"
        assert conn.execute("show synchronous_commit").fetchone()[0] == "off"
        # Not Debian's own cluster, if one runs: a port of its own.
        assert conn.execute("show port").fetchone()[0] == str(pg_server.port) != "5432"


def test_rectify_is_a_superuser_without_a_password(pg_server: PgServer) -> None:
    assert pg_server.url("db1") == f"postgresql://rectify@127.0.0.1:{pg_server.port}/db1"
    with psycopg.connect(pg_server.url("postgres")) as conn:
        assert conn.execute("select current_user, usesuper from pg_user where usename = current_user").fetchone() == (
            "rectify",
            True,
        )


_SEEN: list[str] = []


@pytest.mark.parametrize("turn", [1, 2])
def test_each_test_gets_a_fresh_empty_database(pg_url: str, turn: int) -> None:
    with psycopg.connect(pg_url, autocommit=True) as conn:
        name = conn.execute("select current_database()").fetchone()[0]
        assert pg_url.endswith("/" + name)
        tables = conn.execute(
            "select count(*) from information_schema.tables where table_schema not in ('pg_catalog', "
            "'information_schema')"
        ).fetchone()[0]
        assert tables == 0
        # Left behind on purpose: the next turn must not see it.
        conn.execute("create table marker (turn int)")
        # The databases of the tests before were dropped after them.
        if _SEEN:
            left = conn.execute("select datname from pg_database where datname = any(%s)", (_SEEN,)).fetchall()
            assert left == []
    assert name not in _SEEN
    _SEEN.append(name)


def test_guarded_needs_its_password_over_tcp(pg_server: PgServer, monkeypatch: pytest.MonkeyPatch) -> None:
    # libpq would otherwise take a password from the environment or ~/.pgpass.
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", os.devnull)
    url = pg_server.url("postgres", user="guarded")
    assert url.startswith("postgresql://guarded@127.0.0.1:")
    with pytest.raises(psycopg.OperationalError, match="password"):
        psycopg.connect(url, connect_timeout=10)
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(url, password="wrong", connect_timeout=10)
    with psycopg.connect(url, password=pgserver.GUARDED_PASSWORD, connect_timeout=10) as conn:
        assert conn.execute("select current_user").fetchone()[0] == "guarded"
        assert conn.info.host == "127.0.0.1"


def test_drop_database_ends_the_connections_to_it(pg_server: PgServer) -> None:
    pg_server.create_database("busy_one")
    conn = psycopg.connect(pg_server.url("busy_one"))
    try:
        pg_server.drop_database("busy_one")
        with psycopg.connect(pg_server.url("postgres")) as admin:
            assert admin.execute("select 1 from pg_database where datname = 'busy_one'").fetchone() is None
    finally:
        conn.close()


# --- servers of their own ---------------------------------------------------------------------------------------


def _require(reason: str) -> None:
    if os.environ.get("RECTIFY_DESKTOP_REQUIRE_POSTGRES") == "1":
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def bindir() -> Path:
    found, reason = find_bindir()
    if found is None:
        _require(reason)
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="looks for processes in /proc")
def test_stop_leaves_no_process_and_no_folder(bindir: Path) -> None:
    server = PgServer(bindir=bindir, fast=False)
    server.start()
    try:
        folder, pid = server.base_dir, server.pid
        assert _alive(pid) and (folder / "data" / "postmaster.pid").exists()
        assert _processes_mentioning(str(folder))
        with psycopg.connect(server.url("postgres")) as conn:
            # fast=False: PostgreSQL's own defaults, for the benchmarks.
            assert conn.execute("show fsync").fetchone()[0] == "on"
            assert conn.execute("show synchronous_commit").fetchone()[0] == "on"
    finally:
        server.stop()
    assert not _alive(pid)
    assert not folder.exists()
    assert _processes_mentioning(str(folder)) == []
    server.stop()  # twice is harmless (atexit calls it again)


CRASHING = """
import sys, time
sys.path.insert(0, sys.argv[1])
from tests.pgserver import PgServer
server = PgServer()
server.start()
print(server.base_dir, server.pid, flush=True)
time.sleep(600)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="SIGKILL and /proc")
def test_a_killed_session_leaves_no_server_behind(bindir: Path) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(CRASHING), str(ROOT)], stdout=subprocess.PIPE, text=True
    )
    try:
        line = child.stdout.readline().split()
        assert len(line) == 2, "the child did not start its server"
        folder, pid = Path(line[0]), int(line[1])
        assert _alive(pid)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    # No atexit runs after SIGKILL: the watchdog sees its pipe close and shuts the server down.
    _wait_gone(pid, folder, 30)
    assert not _alive(pid)
    assert not folder.exists()
    assert _processes_mentioning(str(folder)) == []


# --- dev.py -----------------------------------------------------------------------------------------------------


@pytest.fixture
def dev(monkeypatch: pytest.MonkeyPatch):
    spec = importlib.util.spec_from_file_location("dev_under_test", ROOT / "dev.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.delenv("RECTIFY_DESKTOP_REQUIRE_POSTGRES", raising=False)
    return module


def _apt_machine(dev, monkeypatch: pytest.MonkeyPatch, results: list[int], found_after: int) -> list[list[str]]:
    """dev.py on a Debian machine as root, with apt-get answering RESULTS in turn; the binaries appear after
    FOUND_AFTER commands."""
    commands: list[list[str]] = []

    def run(cmd, **kw):
        commands.append([str(c) for c in cmd])
        assert kw["env"]["DEBIAN_FRONTEND"] == "noninteractive"
        return results[len(commands) - 1]

    def find():
        if len(commands) >= found_after:
            return Path("/usr/lib/postgresql/15/bin"), ""
        return None, "找不到 PostgreSQL / not found"

    monkeypatch.setattr(dev, "run", run)
    monkeypatch.setattr(dev, "find_postgresql", find)
    monkeypatch.setattr(dev, "can_apt_install", lambda: (True, ""))
    return commands


def test_dev_installs_postgresql_when_missing_and_requires_its_tests(dev, monkeypatch: pytest.MonkeyPatch) -> None:
    commands = _apt_machine(dev, monkeypatch, [0], found_after=1)
    env = dev.ensure_postgresql()
    assert commands == [["apt-get", "install", "-y", "-q", "postgresql"]]
    assert env["RECTIFY_DESKTOP_REQUIRE_POSTGRES"] == "1"


def test_dev_updates_the_package_lists_once_when_the_install_fails(dev, monkeypatch: pytest.MonkeyPatch) -> None:
    commands = _apt_machine(dev, monkeypatch, [100, 0, 0], found_after=3)
    env = dev.ensure_postgresql()
    assert [c[:2] for c in commands] == [["apt-get", "install"], ["apt-get", "update"], ["apt-get", "install"]]
    assert env["RECTIFY_DESKTOP_REQUIRE_POSTGRES"] == "1"


def test_dev_with_postgresql_present_installs_nothing(dev, monkeypatch: pytest.MonkeyPatch) -> None:
    commands = _apt_machine(dev, monkeypatch, [], found_after=0)
    env = dev.ensure_postgresql()
    assert commands == []
    assert env["RECTIFY_DESKTOP_REQUIRE_POSTGRES"] == "1"


def test_dev_says_in_one_line_why_the_server_tests_will_be_skipped(
    dev, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    commands = _apt_machine(dev, monkeypatch, [], found_after=99)
    monkeypatch.setattr(dev, "can_apt_install", lambda: (False, "不是 root / not root"))
    env = dev.ensure_postgresql()
    assert commands == []
    assert "RECTIFY_DESKTOP_REQUIRE_POSTGRES" not in env
    out = capsys.readouterr().out.strip()
    assert "\n" not in out and "PostgreSQL" in out and "not root" in out and "跳过" in out


def test_dev_finds_the_same_binaries_as_the_fixture(dev) -> None:
    assert dev.find_postgresql() == find_bindir()


def test_dev_requires_the_server_tests_even_when_the_install_failed(
    dev, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Where PostgreSQL could be installed (CI) a failed install must fail the tests, not skip them.
    commands = _apt_machine(dev, monkeypatch, [100, 100], found_after=99)
    env = dev.ensure_postgresql()
    assert [c[:2] for c in commands] == [["apt-get", "install"], ["apt-get", "update"]]
    assert env["RECTIFY_DESKTOP_REQUIRE_POSTGRES"] == "1"
    assert "installing PostgreSQL failed" in capsys.readouterr().out


# --- the fixtures' verdict without a server ---------------------------------------------------------------------


def test_without_a_server_the_fixtures_skip_or_under_ci_fail(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.pg_fixtures import unavailable

    monkeypatch.delenv("RECTIFY_DESKTOP_REQUIRE_POSTGRES", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no server here"):
        unavailable("no server here")
    monkeypatch.setenv("RECTIFY_DESKTOP_REQUIRE_POSTGRES", "1")
    with pytest.raises(pytest.fail.Exception, match="no server here"):
        unavailable("no server here")
