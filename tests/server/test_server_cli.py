"""The command line on a server ledger (issue 18): push, pull, backup and `--server URL` in place of the ledger
for every command, run as the clerk runs them (the installed rectify-desktop, no PGPASSWORD), and the failures
told in Chinese on stderr with no traceback."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest

from rectify_desktop.core import server
from tests.pgserver import GUARDED_PASSWORD, GUARDED_USER, free_port

ROOT = Path(__file__).resolve().parents[2]
EXE = Path(sys.executable).parent / ("rectify-desktop.exe" if os.name == "nt" else "rectify-desktop")
NOTICE = ROOT / "tests" / "io" / "corpus" / "notices" / "12_issue_example_one.txt"
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env["PGPASSFILE"] = str(tmp / "no-pgpass")  # nor a ~/.pgpass of the machine's
    env["PGCONNECT_TIMEOUT"] = "3"
    return env


def run(
    tmp: Path, *args: str, stdin: str | None = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(EXE), *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        input=stdin,
        env={**_env(tmp), **(env or {})},
        cwd=tmp,
        timeout=120,
    )


def runs(tmp: Path, *commands: tuple[str, ...]) -> list[subprocess.CompletedProcess]:
    """Several commands at once (each process takes a second or two just to start)."""
    with ThreadPoolExecutor(max_workers=len(commands)) as pool:
        return list(pool.map(lambda c: run(tmp, *c), commands))


def failed_in_chinese(out: subprocess.CompletedProcess, *words: str) -> None:
    assert out.returncode != 0, out.stdout
    assert "Traceback" not in out.stderr, out.stderr
    assert CHINESE.search(out.stderr), out.stderr
    for w in words:
        assert w in out.stderr, out.stderr


def ok(out: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert out.returncode == 0, out.stderr + out.stdout
    assert "Traceback" not in out.stderr
    return out


@pytest.fixture(scope="module")
def exe() -> Path:
    if not EXE.exists():
        pytest.skip(f"{EXE} is not installed (pip install -e .)")
    return EXE


def test_every_command_on_a_server_ledger(exe: Path, pg_url: str, demo_template: Path, tmp_path: Path) -> None:
    demo = tmp_path / "示例.db"
    shutil.copyfile(demo_template, demo)
    pushed = ok(run(tmp_path, "push", str(demo), "--server", pg_url))
    assert "已推送到服务器台账" in pushed.stdout and "佐证文件" in pushed.stdout

    results = runs(
        tmp_path,
        ("pull", "--server", pg_url, "拉取.db"),
        ("backup", "--server", pg_url, "备份.db"),
        ("verify", "--server", pg_url),
        ("stats", "--server", pg_url, "--json"),
        ("export", "--server", pg_url, "台账.xlsx"),
        ("export", "--server", pg_url, "通报.docx"),
        ("export", "--server", pg_url, "台账.pdf"),
        ("report", "--server", pg_url, "报告.docx"),
        ("stats", str(demo), "--json"),
    )
    for out in results:
        ok(out)
    pull, backup, verify, stats, *_rest, file_stats = results
    assert "校验通过" in verify.stdout
    assert json.loads(stats.stdout) == json.loads(file_stats.stdout)
    for name in ("拉取.db", "备份.db"):
        with sqlite3.connect(tmp_path / name) as con:
            assert con.execute("SELECT COUNT(*) FROM item").fetchone()[0] == json.loads(stats.stdout)["items"]
    assert (tmp_path / "台账.xlsx").read_bytes()[:2] == b"PK"
    assert (tmp_path / "通报.docx").read_bytes()[:2] == b"PK"
    assert (tmp_path / "台账.pdf").read_bytes()[:5] == b"%PDF-"
    assert (tmp_path / "报告.docx").read_bytes()[:2] == b"PK"
    # Nothing was written for the server ledger as if it were a file.
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("postgresql-")]


def test_import_onto_a_server_ledger(exe: Path, pg_url: str, demo_template: Path, tmp_path: Path) -> None:
    from rectify_desktop.core import transfer

    transfer.push(demo_template, server.ServerAddress.parse(pg_url))
    imported = ok(run(tmp_path, "import", "--server", pg_url, str(NOTICE)))
    assert "已导入" in imported.stdout
    assert not list(tmp_path.iterdir()), "the import wrote a file instead of the server ledger"
    with psycopg.connect(pg_url) as conn:
        titles = [r[0] for r in conn.execute("SELECT title FROM inspection ORDER BY id")]
        users = {r[0] for r in conn.execute("SELECT DISTINCT \"user\" FROM change_log WHERE action LIKE '%导入%'")}
    assert len(titles) == 2
    assert users and all(u.endswith(f"（rectify@{socket.gethostname()}）") for u in users), users


def test_failures_are_told_in_chinese(exe: Path, pg_url: str, demo_template: Path, tmp_path: Path) -> None:
    demo = tmp_path / "示例.db"
    shutil.copyfile(demo_template, demo)
    ok(run(tmp_path, "push", str(demo), "--server", pg_url))
    empty = pg_url.rsplit("/", 1)[0] + "/postgres"
    nowhere = f"postgresql://rectify@127.0.0.1:{free_port()}/ledger"
    missing_db = pg_url.rsplit("/", 1)[0] + "/no_such_database"
    twice, bad_url, unreachable, on_empty, missing = runs(
        tmp_path,
        ("push", str(demo), "--server", pg_url),
        ("stats", "--server", "mysql://rectify@127.0.0.1/ledger"),
        ("stats", "--server", nowhere),
        ("verify", "--server", empty),
        ("pull", "--server", missing_db, "x.db"),
    )
    failed_in_chinese(twice, "已有台账", "--replace")
    # Told as a missing file (cli._server_in_place drops --server, so a foreign scheme reads as a file's name):
    # refused in Chinese all the same.
    failed_in_chinese(bad_url, "mysql:")
    failed_in_chinese(unreachable, "无法连接服务器")
    failed_in_chinese(on_empty, "还没有台账")
    failed_in_chinese(missing, "no_such_database")
    assert not (tmp_path / "x.db").exists()
    replaced = ok(run(tmp_path, "push", str(demo), "--server", pg_url, "--replace"))
    assert "已推送" in replaced.stdout


def test_the_guarded_role_without_a_password_and_no_terminal(exe: Path, pg_url: str, tmp_path: Path) -> None:
    guarded = pg_url.replace("rectify@", f"{GUARDED_USER}@")
    out = run(tmp_path, "stats", "--server", guarded, stdin="")  # stdin is a pipe, not a terminal: nobody to ask
    failed_in_chinese(out, "密码")
    from rectify_desktop.core.ledger import Ledger

    small = tmp_path / "小台账.db"
    Ledger.create(small).close()
    failed_in_chinese(run(tmp_path, "push", str(small), "--server", guarded), "密码")
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT COUNT(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0] == 0
    # Given in PGPASSWORD (a script's way), wrong and right.
    ok(run(tmp_path, "push", str(small), "--server", pg_url))
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {GUARDED_USER}")
    wrong, right = runs_env(
        tmp_path,
        ({"PGPASSWORD": "not-it"}, ("stats", "--server", guarded)),
        ({"PGPASSWORD": GUARDED_PASSWORD}, ("verify", "--server", guarded)),
    )
    failed_in_chinese(wrong, "密码不正确")
    assert "not-it" not in wrong.stderr
    assert "校验通过" in ok(right).stdout


def runs_env(tmp: Path, *commands: tuple[dict[str, str], tuple[str, ...]]) -> list[subprocess.CompletedProcess]:
    with ThreadPoolExecutor(max_workers=len(commands)) as pool:
        return list(pool.map(lambda c: run(tmp, *c[1], env=c[0]), commands))


@pytest.mark.skipif(os.name == "nt", reason="a pseudo-terminal is POSIX's")
def test_at_a_terminal_the_password_is_asked_for_once(exe: Path, pg_url: str, demo_template: Path, tmp_path: Path):
    import fcntl
    import pty
    import select
    import termios
    import time

    from rectify_desktop.core import transfer

    transfer.push(demo_template, server.ServerAddress.parse(pg_url))
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {GUARDED_USER}")
    guarded = pg_url.replace("rectify@", f"{GUARDED_USER}@")
    main, sub = pty.openpty()

    def terminal() -> None:  # the pseudo-terminal becomes the command's own, as a clerk's console is
        os.setsid()
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    proc = subprocess.Popen(
        [str(exe), "stats", "--server", guarded],
        stdin=sub,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_env(tmp_path),
        cwd=tmp_path,
        preexec_fn=terminal,  # noqa: PLW1509 - no threads are started before it runs
    )
    os.close(sub)
    try:
        seen = b""
        end = time.monotonic() + 60
        while "密码".encode() not in seen and time.monotonic() < end and proc.poll() is None:
            if select.select([main], [], [], 0.5)[0]:
                seen += os.read(main, 1024)
        assert "服务器台账的密码".encode() in seen
        os.write(main, GUARDED_PASSWORD.encode() + b"\n")
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(main)
    assert proc.returncode == 0, err.decode()
    assert "完成率" in out.decode()
    assert GUARDED_PASSWORD.encode() not in seen  # not echoed
