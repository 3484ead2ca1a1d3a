"""Benchmark (issue 18): many clerks editing one server ledger at once.

    python tests/perf/bench_server.py [--seconds 60] [--clients 10] [--rate 10]

Starts a PostgreSQL server of its own with the server's real durability (tests/pgserver.PgServer(fast=False):
fsync on, synchronous commit), pushes the demo ledger onto it, then runs CLIENTS processes
(tests/server/edit_worker.py), each making RATE edits a second for SECONDS through the one door: an item read as a
form loads it, a pause of up to 5 ms, SetFields(Item, id, {field: value}, seen=row) on a random item and field
(title, progress, remarks, status), so that some edits meet another one and are refused as conflicts.

Prints how many edits were made, the latency of each apply call (p50/p95/p99/max; target p95 ≤ 50 ms), the
conflicts, and checks that no update was lost: every accepted edit is in the change log once, no refused one was
written, each accepted edit replaced what it saw, the change log's rows about each field chain, and each field
holds its last row's value (tests/server/edit_worker.ledger_problems); and verify --server. Exits 1 when the
ledger is wrong or the target is missed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("RECTIFY_DESKTOP_STATE_DIR", tempfile.mkdtemp(prefix="rectify-bench-state-"))

from tests.pgserver import PgServer  # noqa: E402
from tests.server import edit_worker  # noqa: E402

WORKER = ROOT / "tests" / "server" / "edit_worker.py"
TARGET_P95_MS = 50.0


def percentile(sorted_values: list[float], q: float) -> float:
    """The nearest-rank percentile (q in 0..100) of values sorted ascending."""
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), round(q / 100 * len(sorted_values) + 0.5)))
    return sorted_values[rank - 1]


def figures(ms: list[float]) -> str:
    return (
        f"p50 {percentile(ms, 50):.1f}  p95 {percentile(ms, 95):.1f}  p99 {percentile(ms, 99):.1f}  "
        f"max {ms[-1]:.1f}  mean {statistics.fmean(ms):.1f}"
    )


def setup(server: PgServer, folder: Path) -> tuple[str, list[int], int]:
    """The demo on the server: its URL, the items that may be edited (not written off), the change log's last id."""
    from rectify_desktop.core import transfer
    from rectify_desktop.core.commands import item_written_off
    from rectify_desktop.core.demo import make_demo
    from rectify_desktop.core.ledger import Ledger
    from rectify_desktop.core.models import ChangeLog, Item
    from rectify_desktop.core.server import ServerAddress

    server.create_database("bench")
    url = server.url("bench")
    demo = make_demo(folder / "示例台账.db")
    transfer.push(demo, ServerAddress.parse(url))
    with Ledger.open(url, readonly=True):
        items = [i.id for i in Item.select(Item.id).order_by(Item.id) if not item_written_off(i.id)]
        last_log = ChangeLog.select().order_by(ChangeLog.id.desc()).first().id
    return url, items, last_log


def run(args: argparse.Namespace) -> int:
    folder = Path(tempfile.mkdtemp(prefix="rectify-bench-server-"))
    server = PgServer(fast=False)
    started = time.perf_counter()
    server.start()
    procs: list[subprocess.Popen] = []
    try:
        url, items, last_log = setup(server, folder)
        print(f"server up and demo pushed in {time.perf_counter() - started:.1f} s: {len(items)} items to edit")
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        outs = {f"客户端{n + 1}": folder / f"client{n + 1}.jsonl" for n in range(args.clients)}
        for n, (user, out) in enumerate(outs.items()):
            cmd = [sys.executable, str(WORKER), url, str(out), "--tag", f"c{n + 1}_", "--items"]
            cmd += [",".join(map(str, items)), "--rate", str(args.rate), "--seconds", str(args.seconds)]
            cmd += ["--seed", str(n), "--pause-ms", "5"]
            err = out.with_suffix(".err").open("w", encoding="utf-8")
            procs.append(subprocess.Popen(cmd, env={**env, "RECTIFY_DESKTOP_USER": user}, stderr=err))
        failed = []
        for proc, out in zip(procs, outs.values(), strict=True):
            try:
                proc.wait(timeout=args.seconds + 300)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=30)
            if proc.returncode != 0:
                failed.append(f"{out.name}: exit {proc.returncode}: {out.with_suffix('.err').read_text()[-2000:]}")
        workers = {user: edit_worker.read_records(out) for user, out in outs.items()}
        edits = [r for records in workers.values() for r in records if r["event"] == "edit"]
        lat = sorted(r["latency"] * 1000 for r in edits)
        conflicts = sum(r["result"] == "refused" for r in edits)
        print(f"clients: {args.clients} × {args.rate:g} edits/s for {args.seconds:g} s")
        rate = len(edits) / args.seconds
        print(f"edits: {len(edits)} ({rate:.1f}/s), accepted {len(edits) - conflicts}, conflicts {conflicts}")
        if lat:
            print(f"apply latency ms: {figures(lat)}")
            # Where it goes: waiting for the writers' lock, then holding it (the edit, the change log, the notice,
            # the commit with its fsync) while everyone else waits.
            print(f"  waiting for the lock: {figures(sorted(r['wait'] * 1000 for r in edits))}")
            print(f"  holding it:           {figures(sorted(r['held'] * 1000 for r in edits))}")
            busy = sum(r["held"] for r in edits) / args.seconds
            load = f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
            print(f"  the lock was held {busy:.0%} of the time; {load}")
        with server.connect("bench") as conn:
            problems = edit_worker.ledger_problems(conn, workers, items, since=last_log)
        verify = subprocess.run(
            [sys.executable, "-m", "rectify_desktop", "verify", "--server", url],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
        )
        print("no lost update:", "OK" if not problems else f"{len(problems)} PROBLEMS")
        for p in problems[:20]:
            print("  ", p)
        print("verify --server:", "OK" if verify.returncode == 0 else f"FAILED\n{verify.stdout}{verify.stderr}")
        for f in failed:
            print("client failed:", f)
        p95 = percentile(lat, 95) if lat else float("inf")
        print(f"target p95 ≤ {TARGET_P95_MS:g} ms:", "met" if p95 <= TARGET_P95_MS else "MISSED")
        ok = not problems and verify.returncode == 0 and not failed and p95 <= TARGET_P95_MS
        return 0 if ok else 1
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=30)
        server.stop()


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seconds", type=float, default=60.0)
    p.add_argument("--clients", type=int, default=10)
    p.add_argument("--rate", type=float, default=10.0, help="edits per second per client")
    return run(p.parse_args())


if __name__ == "__main__":
    sys.exit(main())
