"""A real PostgreSQL server for the tests, started in a temporary folder and gone with it.

    server = PgServer()            # fast=True: no fsync, for tests; fast=False keeps PostgreSQL's defaults
    server.start()
    server.create_database("t1")
    server.url("t1")               # postgresql://rectify@127.0.0.1:PORT/t1
    server.stop()

Only the standard library at module level: dev.py loads this file by path (with the system Python, before the
virtual environment has psycopg) to look for the binaries the same way the fixture does.

Roles: `rectify`, the superuser, connects without a password; `guarded` needs GUARDED_PASSWORD over TCP
(scram-sha-256), so that the password paths of the program have a server to be refused by.

Nothing outlives the session: the data folder is inside the temporary folder; stop() runs at exit; and a watchdog
process, whose pipe from us closes when we die however we die (SIGKILL too), stops the server and removes the
folder when atexit never ran.
"""

from __future__ import annotations

import atexit
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

SUPERUSER = "rectify"
GUARDED_USER = "guarded"
GUARDED_PASSWORD = "guarded-pw"
EXE = ".exe" if os.name == "nt" else ""
SERVER_PROGRAMS = ("initdb", "pg_ctl", "postgres")
if os.name == "nt":
    DEFAULT_ROOTS = [Path(os.environ.get("ProgramFiles", r"C:\Program Files")) / "PostgreSQL"]
else:
    DEFAULT_ROOTS = [Path("/usr/lib/postgresql")]

NOT_FOUND = (
    "找不到 PostgreSQL 服务器程序（initdb、pg_ctl、postgres），服务器台账的测试无法运行；"
    "在 Debian/Ubuntu 上以 root 运行 python3 dev.py test 会自动安装（apt-get install postgresql）。"
    " / PostgreSQL server binaries (initdb, pg_ctl, postgres) not found (looked at pg_config --bindir, {roots},"
    " PATH); install them, e.g. apt-get install postgresql."
)


def _complete(folder: Path) -> bool:
    return all((folder / (name + EXE)).is_file() for name in SERVER_PROGRAMS)


def _version_key(folder: Path) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", folder.name)) or (0,)


def find_bindir(
    pg_config: str | None = "pg_config", roots: list[Path] | None = None, path: str | None = None
) -> tuple[Path | None, str]:
    """The folder holding initdb, pg_ctl and postgres, and "" — or None and why, in Chinese and English.

    pg_config first (it names the installation a developer chose), then the highest version under the roots
    (Debian's /usr/lib/postgresql/N/bin, Windows' Program Files\\PostgreSQL\\N\\bin), then PATH. A pg_config that
    comes with libpq's headers alone names a folder without the server: then the search goes on."""
    roots = DEFAULT_ROOTS if roots is None else roots
    if pg_config:
        try:
            out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.SubprocessError):
            out = None
        if out is not None and out.returncode == 0 and out.stdout.strip() and _complete(Path(out.stdout.strip())):
            return Path(out.stdout.strip()), ""
    for root in roots:
        if root.is_dir():
            versions = sorted((d for d in root.iterdir() if _complete(d / "bin")), key=_version_key, reverse=True)
            if versions:
                return versions[0] / "bin", ""
    initdb = shutil.which("initdb", path=path)
    if initdb and _complete(Path(initdb).parent):
        return Path(initdb).parent, ""
    return None, NOT_FOUND.format(roots=", ".join(str(r / "*" / "bin") for r in roots))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgServerError(RuntimeError):
    """The server could not be found or started; the message says why (Chinese and English)."""


# Run by the watchdog: waits for its stdin to close (the session ended, normally or not); if the server still
# runs then, stops it at once, then removes the folder.
WATCHDOG = """
import json, os, shutil, signal, subprocess, sys, time
base, data, stop = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
try:
    while sys.stdin.buffer.read(65536):
        pass
except (OSError, KeyboardInterrupt):
    pass
pidfile = os.path.join(data, "postmaster.pid")
if os.path.exists(pidfile):
    try:
        subprocess.run(stop, cwd=base, timeout=60, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        pass
    if os.path.exists(pidfile) and hasattr(signal, "SIGKILL"):
        try:
            os.kill(int(open(pidfile).readline()), signal.SIGKILL)
            time.sleep(1)
        except (OSError, ValueError):
            pass
shutil.rmtree(base, ignore_errors=True)
"""


class PgServer:
    """One PostgreSQL server in a temporary folder, listening on 127.0.0.1 at a free port (never 5432's cluster)."""

    def __init__(self, bindir: Path | None = None, fast: bool = True, search: dict | None = None) -> None:
        self.bindir = bindir
        self.fast = fast
        self._search = search or {}
        self.base_dir: Path | None = None
        self.port: int | None = None
        self.pid: int | None = None
        self.start_seconds: float | None = None
        self._watchdog: subprocess.Popen | None = None

    # --- paths and commands ---

    @property
    def data_dir(self) -> Path:
        assert self.base_dir is not None
        return self.base_dir / "data"

    @property
    def log_file(self) -> Path:
        assert self.base_dir is not None
        return self.base_dir / "server.log"

    def _as_owner(self) -> list[str]:
        """initdb and postgres refuse to run as root: as root (CI), they run as the postgres system user."""
        if os.name == "nt" or os.geteuid() != 0:
            return []
        if shutil.which("runuser"):
            return ["runuser", "-u", "postgres", "--"]
        if shutil.which("setpriv"):
            return ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"]
        raise PgServerError(
            "以 root 运行，但找不到 runuser 或 setpriv 来以 postgres 用户启动服务器"
            " / running as root, and neither runuser nor setpriv is there to start the server as postgres"
        )

    def _tool(self, name: str) -> str:
        assert self.bindir is not None
        return str(self.bindir / (name + EXE))

    def _run(self, args: list[str], what: str, timeout: float = 120) -> None:
        out = subprocess.run(
            [*self._as_owner(), *args],
            cwd=self.base_dir,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=timeout,
        )
        if out.returncode != 0:
            raise PgServerError(f"{what}失败 / {what} failed ({out.returncode}): {out.stdout}{out.stderr}".strip())

    # --- start and stop ---

    def start(self) -> PgServer:
        if self.bindir is None:
            self.bindir, reason = find_bindir(**self._search)
            if self.bindir is None:
                raise PgServerError(reason)
        owner = self._as_owner()
        if owner:
            try:
                import pwd

                pw = pwd.getpwnam("postgres")
            except KeyError as e:
                raise PgServerError("以 root 运行，但没有 postgres 系统用户 / running as root, no postgres user") from e
        # /tmp rather than TMPDIR when root: the postgres user must be able to reach the folder.
        self.base_dir = Path(tempfile.mkdtemp(prefix="rectify-pg-", dir="/tmp" if owner else None))
        atexit.register(self.stop)
        try:
            if owner:
                os.chown(self.base_dir, pw.pw_uid, pw.pw_gid)
            self._start_watchdog()
            self._initdb()
            self._configure()
            self._start_server()
            self._create_roles()
        except BaseException:
            self.stop()
            raise
        return self

    def _start_watchdog(self) -> None:
        stop = [*self._as_owner(), self._tool("pg_ctl"), "stop", "-D", str(self.data_dir), "-m", "immediate", "-w"]
        self._watchdog = subprocess.Popen(
            [sys.executable, "-c", WATCHDOG, str(self.base_dir), str(self.data_dir), json.dumps(stop)],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            # Its own session: Ctrl-C in the terminal must not kill it before it has cleaned up.
            start_new_session=os.name != "nt",
        )

    def _initdb(self) -> None:
        base = [self._tool("initdb"), "-D", str(self.data_dir), "-E", "UTF8", "-U", SUPERUSER, "--auth-local=trust"]
        base += ["--auth-host=trust", "--no-instructions"]
        if self.fast:
            # The folder dies with the session: no need to wait for initdb's files to reach the disk.
            base.append("--no-sync")
        try:
            self._run([*base, "--locale=C.UTF-8"], "initdb")
        except PgServerError:
            # C.UTF-8 is not on every system (older glibc, Windows); C sorts bytes, which is all the tests need.
            shutil.rmtree(self.data_dir, ignore_errors=True)
            self._run([*base, "--locale=C"], "initdb")

    def _configure(self) -> None:
        hba = (
            "# Written by tests/pgserver.py: the guarded role needs its password over TCP, everyone else is trusted.\n"
            "local all all trust\n"
            f"host all {GUARDED_USER} 127.0.0.1/32 scram-sha-256\n"
            "host all all 127.0.0.1/32 trust\n"
        )
        settings = {
            "listen_addresses": "'127.0.0.1'",
            "max_connections": "200",
            "password_encryption": "'scram-sha-256'",
            "unix_socket_directories": "''" if os.name == "nt" else f"'{self.base_dir}'",
            "logging_collector": "off",
        }
        if self.fast:
            settings.update(fsync="off", synchronous_commit="off", full_page_writes="off")
        conf = "\n# tests/pgserver.py\n" + "".join(f"{k} = {v}\n" for k, v in settings.items())
        # Both files exist (initdb wrote them as the server's user): rewriting them keeps their owner.
        (self.data_dir / "pg_hba.conf").write_text(hba, encoding="utf-8")
        with open(self.data_dir / "postgresql.conf", "a", encoding="utf-8") as f:
            f.write(conf)

    def _start_server(self) -> None:
        for attempt in range(3):
            self.port = free_port()
            cmd = [self._tool("pg_ctl"), "start", "-D", str(self.data_dir), "-l", str(self.log_file), "-w"]
            cmd += ["-t", "60", "-o", f"-p {self.port}"]
            try:
                # Its own session, so that Ctrl-C stops the tests, not the server under their teardown.
                out = subprocess.run(
                    [*self._as_owner(), *cmd],
                    cwd=self.base_dir,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    timeout=90,
                    start_new_session=os.name != "nt",
                )
            except subprocess.TimeoutExpired:
                out = None
            pidfile = self.data_dir / "postmaster.pid"
            if out is not None and out.returncode == 0 and pidfile.exists():
                self.pid = int(pidfile.read_text().splitlines()[0])
                return
            log = self.log_file.read_text(errors="replace") if self.log_file.exists() else ""
            # Another program may have taken the free port between our look and the server's bind: try another.
            if "could not bind" not in log and "already in use" not in log or attempt == 2:
                raise PgServerError(f"PostgreSQL 启动失败 / PostgreSQL did not start:\n{log[-3000:]}")

    def _create_roles(self) -> None:
        with self.connect("postgres") as conn:
            conn.execute(f"create role {GUARDED_USER} login password '{GUARDED_PASSWORD}'")

    def stop(self) -> None:
        """Stops the server and removes its folder; harmless when called again (atexit does)."""
        if self.base_dir is None:
            return
        pidfile = self.data_dir / "postmaster.pid"
        for mode in ("fast", "immediate"):
            if not pidfile.exists():
                break
            try:
                self._run(
                    [self._tool("pg_ctl"), "stop", "-D", str(self.data_dir), "-m", mode, "-w", "-t", "30"],
                    "pg_ctl stop",
                    timeout=60,
                )
            except (PgServerError, subprocess.TimeoutExpired, OSError):
                pass
        if self._watchdog is not None:
            # Its pipe closed, the watchdog finds the server stopped and removes the folder (or, failing that,
            # kills the server first).
            self._watchdog.stdin.close()
            try:
                self._watchdog.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self._watchdog.kill()
            self._watchdog = None
        shutil.rmtree(self.base_dir, ignore_errors=True)
        self.base_dir = None
        self.pid = None
        atexit.unregister(self.stop)

    # --- databases ---

    def url(self, dbname: str, user: str = SUPERUSER) -> str:
        return f"postgresql://{user}@127.0.0.1:{self.port}/{dbname}"

    def connect(self, dbname: str = "postgres"):
        """An autocommit connection as the superuser (psycopg 3, imported here: dev.py loads this file without it)."""
        import psycopg

        return psycopg.connect(self.url(dbname), autocommit=True, connect_timeout=30)

    def create_database(self, name: str) -> None:
        from psycopg import sql

        with self.connect() as conn:
            conn.execute(sql.SQL("create database {}").format(sql.Identifier(name)))

    def drop_database(self, name: str) -> None:
        """Drops NAME, ending whatever connections a test left open to it first."""
        from psycopg import sql

        with self.connect() as conn:
            conn.execute(
                "select pg_terminate_backend(pid) from pg_stat_activity where datname = %s and pid <> pg_backend_pid()",
                (name,),
            )
            force = sql.SQL(" with (force)") if conn.info.server_version >= 130000 else sql.SQL("")
            conn.execute(sql.SQL("drop database if exists {}").format(sql.Identifier(name)) + force)
