"""pytest plugin: a real PostgreSQL server for the session (tests/pgserver.py) and a fresh database per test.

    def test_something(pg_url):          # postgresql://rectify@127.0.0.1:PORT/t_…, empty, dropped afterwards
    def test_other(pg_server):           # the PgServer itself: url(), create_database(), drop_database()

Where no PostgreSQL can be found or started the fixtures skip with the reason, except under
RECTIFY_DESKTOP_REQUIRE_POSTGRES=1 (dev.py sets it wherever the binaries are; CI among them): there they fail,
so that the server tests can never be skipped unnoticed.
"""

from __future__ import annotations

import itertools
import os
import time
import uuid
from collections.abc import Iterator

import pytest

from tests.pgserver import PgServer, PgServerError

REQUIRE = "RECTIFY_DESKTOP_REQUIRE_POSTGRES"
_numbers = itertools.count(1)


def unavailable(reason: str) -> None:
    if os.environ.get(REQUIRE) == "1":
        pytest.fail(f"{REQUIRE}=1: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """One server for the whole session (about 2.5 s to start, mostly initdb); stopped at the session's end."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        unavailable("没有安装 psycopg / psycopg (3) is not installed")
    server = PgServer()
    started = time.monotonic()
    try:
        server.start()
    except PgServerError as e:
        unavailable(str(e))
    server.start_seconds = time.monotonic() - started
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_url(pg_server: PgServer) -> Iterator[str]:
    """The URL of a new, empty database of this test's own."""
    name = f"t{next(_numbers)}_{uuid.uuid4().hex[:10]}"
    pg_server.create_database(name)
    try:
        yield pg_server.url(name)
    finally:
        pg_server.drop_database(name)
