"""Issue 18's acceptance: several processes editing one server ledger at once lose no edit and write no refused
one, and a process killed in the middle of a batch leaves a whole ledger that the others go on writing.

Each client is a process of its own (tests/server/edit_worker.py: one ledger per process), editing through the
one door; what it recorded is checked against the server's change log and table (edit_worker.ledger_problems).
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.server import edit_worker
from tests.server.edit_worker import read_records

WORKER = Path(__file__).with_name("edit_worker.py")
EDITS = 500
WAIT = 180  # seconds: a bound for a worker on a loaded machine, never a measure


def make_ledger(url: str, n_items: int) -> list[int]:
    """A new server ledger with one inspection, one finding and `n_items` items; their ids."""
    from rectify_desktop.core import ops
    from rectify_desktop.core.ledger import Ledger
    from rectify_desktop.core.models import Category, Finding, Inspection, Item

    with Ledger.create(url) as led:
        led.apply(ops.add_inspection("并发测试巡察"))
        led.apply(ops.add_category(Inspection.select().first().id, "方面"))
        led.apply(ops.add_finding(Category.select().first().id, "问题"))
        finding = Finding.select().first().id
        for i in range(n_items):
            led.apply(ops.add_item(finding, f"细化问题{i + 1}"))
        return [i.id for i in Item.select(Item.id).order_by(Item.id)]


def start(url: str, out: Path, user: str, env: dict[str, str], *args: str) -> subprocess.Popen:
    err = out.with_suffix(".err").open("w", encoding="utf-8")
    return subprocess.Popen(
        [sys.executable, str(WORKER), url, str(out), "--tag", user, *args],
        stdout=subprocess.DEVNULL,
        stderr=err,
        env={**env, "RECTIFY_DESKTOP_USER": user},
    )


def finish(proc: subprocess.Popen, out: Path) -> None:
    try:
        proc.wait(timeout=WAIT)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=30)
        pytest.fail(f"worker {out.name} still running after {WAIT} s: " + out.with_suffix(".err").read_text())
    assert proc.returncode == 0, f"worker {out.name} failed: " + out.with_suffix(".err").read_text()


def check_ledger(pg_server, url: str, workers: dict[str, list[dict]], items: list[int], cli) -> None:  # noqa: ANN001
    with pg_server.connect(url.rsplit("/", 1)[1]) as conn:
        problems = edit_worker.ledger_problems(conn, workers, items)
        held = conn.execute("SELECT pid FROM pg_locks WHERE locktype = 'advisory'").fetchall()
    assert problems == [], "\n".join(problems[:30])
    assert held == [], f"advisory locks still held: {held}"
    verify = cli("verify", "--server", url)
    assert verify.returncode == 0, verify.stdout + verify.stderr


def edits_of(records: list[dict]) -> list[dict]:
    return [r for r in records if r["event"] == "edit"]


def test_two_processes_editing_the_same_items_lose_nothing_and_write_no_refused_edit(
    pg_server,
    pg_url: str,
    tmp_path: Path,
    cli,
    cli_env: dict[str, str],  # noqa: ANN001
) -> None:
    items = make_ledger(pg_url, 5)
    seed = random.randrange(1 << 30)
    outs = {user: tmp_path / f"{user}.jsonl" for user in ("甲", "乙")}
    procs = [
        start(pg_url, out, user, cli_env, "--items", ",".join(map(str, items)), "--edits", str(EDITS),
              "--seed", str(seed + n), "--pause-ms", "5", "--undo", "0.15")
        for n, (user, out) in enumerate(outs.items())
    ]  # fmt: skip
    try:
        for proc, out in zip(procs, outs.values(), strict=True):
            finish(proc, out)
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=30)
    workers = {user: read_records(out) for user, out in outs.items()}
    users = {user: records[0]["user"] for user, records in workers.items()}

    for user, records in workers.items():
        edits = edits_of(records)
        accepted = [r for r in edits if r["result"] == "accepted"]
        refused = [r for r in edits if r["result"] == "refused"]
        assert len(accepted) + len(refused) == EDITS == len({r["n"] for r in edits}), (user, seed)
        assert records[-1] == {"event": "done", "edits": EDITS}
        # Refused because of the other one's edit, and told who made it.
        other = next(u for name, u in users.items() if name != user)
        assert {r["who"] for r in refused} <= {other}, (user, seed, {r["who"] for r in refused})
    every = [r for records in workers.values() for r in edits_of(records)]
    conflicts = sum(r["result"] == "refused" for r in every)
    assert conflicts > 0, f"no edit met another one (seed {seed}): the test did not test conflicts"
    assert len(every) - conflicts > 0, seed
    undos = [r for records in workers.values() for r in records if r["event"] == "undo"]
    assert undos, seed
    check_ledger(pg_server, pg_url, workers, items, cli)
    # The figures of the run, for the record (pytest -s): seen in the closing note.
    print(
        f"\n2 × {EDITS} edits: {len(every) - conflicts} accepted, {conflicts} refused, {len(undos)} undos (seed {seed})"
    )


def _holds_write_lock(conn, backend: int) -> bool:  # noqa: ANN001
    row = conn.execute(
        "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid = %s", (backend,)
    ).fetchone()
    return row is not None


def _wait_for(records_path: Path, proc: subprocess.Popen, want, what: str) -> list[dict]:  # noqa: ANN001
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        records = read_records(records_path)
        if want(records):
            return records
        assert proc.poll() is None, f"worker ended before {what}: " + records_path.with_suffix(".err").read_text()
        time.sleep(0.005)
    pytest.fail(f"{what}: not within {WAIT} s")


def test_a_process_killed_in_the_middle_of_a_batch_leaves_a_whole_ledger_and_the_other_goes_on(
    pg_server,
    pg_url: str,
    tmp_path: Path,
    cli,
    cli_env: dict[str, str],  # noqa: ANN001
) -> None:
    items = make_ledger(pg_url, 8)
    rng = random.Random()
    seed = rng.randrange(1 << 30)
    rng.seed(seed)
    ids = ",".join(map(str, items))
    victim_out, other_out, stop = tmp_path / "甲.jsonl", tmp_path / "乙.jsonl", tmp_path / "stop"
    # The victim edits on and on, every 15th step one Batch of 600 edits (an import's size: about a second).
    victim = start(pg_url, victim_out, "甲", cli_env, "--items", ids, "--edits", "100000", "--seed", str(seed),
                   "--pause-ms", "2", "--big-every", "15", "--big-size", "600")  # fmt: skip
    other = start(pg_url, other_out, "乙", cli_env, "--items", ids, "--until", str(stop), "--after", "40",
                  "--seed", str(seed + 1), "--pause-ms", "5", "--undo", "0.1")  # fmt: skip
    dbname = pg_url.rsplit("/", 1)[1]
    killed_in_batch = None
    try:
        with pg_server.connect(dbname) as conn:
            n_before = rng.randint(20, 60)
            records = _wait_for(victim_out, victim, lambda r: len(edits_of(r)) >= n_before, "edits")
            backend = records[0]["backend"]
            for _ in range(10):
                seen = len(records)

                def started(r: list[dict], seen: int = seen) -> bool:
                    return any(x["event"] == "big-start" for x in r[seen:])

                records = _wait_for(victim_out, victim, started, "a big batch")
                k = next(x for x in records[seen:] if x["event"] == "big-start")["k"]

                def over(k: int = k) -> bool:  # the worker reports it right after apply returns
                    return any(x["event"] == "big-done" and x["k"] == k for x in read_records(victim_out))

                deadline = time.monotonic() + WAIT
                while not _holds_write_lock(conn, backend) and not over() and time.monotonic() < deadline:
                    assert victim.poll() is None, victim_out.with_suffix(".err").read_text()
                    time.sleep(0.002)
                # A random moment of the batch's transaction (it holds the write lock from its start to its end).
                time.sleep(rng.uniform(0, 0.3))
                if _holds_write_lock(conn, backend) and not over():
                    victim.send_signal(signal.SIGKILL)
                    killed_in_batch = k
                    break
        victim.wait(timeout=60)
        assert victim.returncode == -signal.SIGKILL
        assert killed_in_batch is not None, f"no batch lasted long enough to be killed in (seed {seed})"
        ended = other_out.with_suffix(".err")
        assert other.poll() is None, "the other worker ended before the kill: " + ended.read_text()

        # A new writer gets its turn at once: the killed transaction's lock went with its connection.
        new_out = tmp_path / "丙.jsonl"
        new = start(pg_url, new_out, "丙", cli_env, "--items", ids, "--edits", "1", "--pause-ms", "0")
        finish(new, new_out)
        first = edits_of(read_records(new_out))[0]
        assert first["latency"] < 2.0, first

        stop.touch()
        finish(other, other_out)
    finally:
        for proc in (victim, other):
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=30)

    victim_records = read_records(victim_out)
    in_flight = [r for r in victim_records if r["event"] == "big-start" and r["k"] == killed_in_batch]
    assert in_flight and not any(r["event"] == "big-done" and r["k"] == killed_in_batch for r in victim_records)
    other_records = read_records(other_out)
    assert other_records[-1]["event"] == "done", other_records[-3:]
    assert not any(r["event"] not in ("ready", "edit", "undo", "done") for r in other_records)
    assert len(edits_of(other_records)) >= 40
    workers = {"甲": victim_records, "乙": other_records, "丙": read_records(new_out)}
    check_ledger(pg_server, pg_url, workers, items, cli)
    with pg_server.connect(dbname) as conn:
        # The batch killed in the middle left nothing, or (killed just after its commit) all of it.
        prefix = in_flight[0]["prefix"]
        query = "SELECT count(*) FROM change_log WHERE action = '修改' AND new LIKE %s"
        n = conn.execute(query, (prefix + "%",)).fetchone()[0]
    assert n in (0, in_flight[0]["size"]), (n, seed)
