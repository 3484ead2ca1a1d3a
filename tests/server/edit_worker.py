"""One client of a server ledger, as a separate process (one ledger per process): random edits through the door.

    python tests/server/edit_worker.py URL OUT.jsonl --tag 甲 --items 1,2,3 [options]

Each edit reads an item as an editor would load it, waits a few random milliseconds (the clerk typing, and the
time in which someone else may change the row), then applies SetFields(Item, id, {field: value}, seen=row). Every
text value written is unique (tag, process id, counter), so that the parent can find each one in the change log
and the table. Each event is one JSON line in OUT, flushed once the call it reports has returned, so that what a
killed worker wrote is all true (a cut-off last line is not a record):

    {"event": "ready", "user", "pid", "backend"}            the change log's user, the server connection's pid
    {"event": "edit", "n", "item", "field", "value", "result": "accepted"|"refused", "latency", "wait", "held", ...}
        latency: the apply call; wait: for the writers' lock in it; held: from having it to apply's return
        accepted: "base" (the field as the edit saw it), "old" (what it replaced), "batch" (its change-log
                  batch, 0 when nothing was logged)
        refused:  "conflict" {field: [base, mine, theirs]}, "who", "gone"
    {"event": "undo", "n", "result": "undone"|"refused", "batch" | "conflict"}    ledger.revert of edit n
    {"event": "big-start", "k", "prefix", "size"} / {"event": "big-done", "k", "batch"}   one Batch of many edits
    {"event": "done", "edits"}

The parent's side (reading the records, checking the server ledger against them) is here too, for the tests
(tests/server/test_concurrency.py) and the benchmark (tests/perf/bench_server.py).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

TEXT_FIELDS = ("title", "progress", "remarks")
FIELDS = (*TEXT_FIELDS, "status")
ITEM_ENTITY = "细化问题"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("url")
    p.add_argument("out", type=Path)
    p.add_argument("--tag", required=True)
    p.add_argument("--items", required=True, help="item ids, comma-separated")
    p.add_argument("--fields", default=",".join(FIELDS))
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--edits", type=int, default=0, help="how many edits (0: until --until or --seconds)")
    p.add_argument("--pause-ms", type=float, default=5.0, help="longest pause between reading and applying")
    p.add_argument("--undo", type=float, default=0.0, help="share of accepted edits reverted right after")
    p.add_argument("--until", type=Path, help="edit until this file exists, then --after more edits")
    p.add_argument("--after", type=int, default=0)
    p.add_argument("--big-every", type=int, default=0, help="every Nth step is one Batch of --big-size edits")
    p.add_argument("--big-size", type=int, default=500)
    p.add_argument("--rate", type=float, default=0.0, help="edits per second (0: as fast as it goes)")
    p.add_argument("--seconds", type=float, default=0.0)
    args = p.parse_args(argv)
    return Worker(args).run()


class Worker:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.rng = random.Random(args.seed)
        self.items = [int(i) for i in args.items.split(",")]
        self.fields = args.fields.split(",")
        self.out = args.out.open("a", encoding="utf-8")
        self.last_batch = 0
        self.lock_wait, self.locked_at = 0.0, 0.0

    def record(self, **event: Any) -> None:
        self.out.write(json.dumps(event, ensure_ascii=False, default=str) + "\n")
        self.out.flush()

    def run(self) -> int:
        from rectify_desktop.core.ledger import Ledger
        from rectify_desktop.core.models import db

        self.ledger = Ledger.open(self.args.url)
        # The batch number _run_on_server gets for the change log is not returned by apply: seen on its way out.
        write_log = self.ledger._write_log

        def spy(*a: Any, **kw: Any) -> int:
            self.last_batch = write_log(*a, **kw)
            return self.last_batch

        self.ledger._write_log = spy  # type: ignore[method-assign]
        # And how long each apply waited for the writers' lock, and then held it (the benchmark's breakdown).
        from rectify_desktop.core import server

        take = server.lock_for_write

        def timed_lock(**kw: Any) -> None:
            t0 = time.perf_counter()
            take(**kw)
            self.locked_at = time.perf_counter()
            self.lock_wait = self.locked_at - t0

        server.lock_for_write = timed_lock
        backend = db.execute_sql("SELECT pg_backend_pid()").fetchone()[0]
        self.record(event="ready", user=self.ledger.user, pid=os.getpid(), backend=backend)
        self.unique = f"{self.args.tag}{os.getpid()}"
        done = 0
        started = time.monotonic()
        after_left: int | None = None
        while True:
            if self.args.edits and done >= self.args.edits:
                break
            if self.args.seconds and time.monotonic() - started >= self.args.seconds:
                break
            if self.args.until is not None:
                if after_left is None and self.args.until.exists():
                    after_left = self.args.after
                if after_left is not None:
                    if after_left <= 0:
                        break
                    after_left -= 1
            if self.args.rate:
                # Paced: edit n is due at n / rate; a late one goes at once, nothing is made up in a burst.
                wait = started + done / self.args.rate - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
            if self.args.big_every and done % self.args.big_every == self.args.big_every - 1:
                self.big(done)
            else:
                self.edit(done)
            done += 1
        self.record(event="done", edits=done)
        self.ledger.close()
        return 0

    def value(self, n: int, field: str) -> str:
        if field == "status":
            from rectify_desktop.core.models import STATUSES

            return self.rng.choice(STATUSES)
        return f"{self.unique}-{n}"

    def edit(self, n: int) -> None:
        from rectify_desktop.core.commands import SetFields
        from rectify_desktop.core.conflicts import ConflictError
        from rectify_desktop.core.models import Item

        item = self.rng.choice(self.items)
        field = self.rng.choice(self.fields)
        value = self.value(n, field)
        seen = Item.get_by_id(item)  # what the form shows when the clerk begins the edit
        base = getattr(seen, field)
        self.pause()
        cmd = SetFields(Item, item, {field: value}, seen=seen)
        self.last_batch = 0
        self.lock_wait, self.locked_at = 0.0, 0.0
        t0 = time.perf_counter()
        try:
            self.ledger.apply(cmd)
        except ConflictError as e:
            end = time.perf_counter()
            clash = {k: list(v) for k, v in e.fields.items()}
            self.record(
                event="edit", n=n, item=item, field=field, value=value, result="refused", latency=end - t0,
                wait=self.lock_wait, held=end - self.locked_at, conflict=clash, who=e.who, gone=e.gone,
            )  # fmt: skip
            return
        end = time.perf_counter()
        self.record(
            event="edit", n=n, item=item, field=field, value=value, result="accepted", latency=end - t0,
            wait=self.lock_wait, held=end - self.locked_at, base=base, old=cmd.old.get(field), batch=self.last_batch,
        )  # fmt: skip
        if self.args.undo and self.rng.random() < self.args.undo:
            self.undo(n, cmd)

    def undo(self, n: int, cmd: Any) -> None:
        from rectify_desktop.core.conflicts import UndoConflictError

        self.pause()
        self.last_batch = 0
        try:
            self.ledger.revert(cmd)
        except UndoConflictError as e:
            self.record(event="undo", n=n, result="refused", conflict={k: list(v) for k, v in e.fields.items()})
            return
        self.record(event="undo", n=n, result="undone", batch=self.last_batch)

    def big(self, n: int) -> None:
        """One Batch of many SetFields without `seen`, as an import writes: all of it or none of it."""
        from rectify_desktop.core.commands import Batch, SetFields
        from rectify_desktop.core.models import Item

        prefix = f"{self.unique}-big{n}-"
        cmds = [
            SetFields(Item, self.items[j % len(self.items)], {TEXT_FIELDS[j % len(TEXT_FIELDS)]: f"{prefix}{j}"})
            for j in range(self.args.big_size)
        ]
        self.record(event="big-start", k=n, prefix=prefix, size=self.args.big_size)
        self.last_batch = 0
        self.ledger.apply(Batch("批量修改", cmds))
        self.record(event="big-done", k=n, batch=self.last_batch)

    def pause(self) -> None:
        if self.args.pause_ms > 0:
            time.sleep(self.rng.uniform(0, self.args.pause_ms) / 1000)


# --- the parent's side ------------------------------------------------------------------------------------


def read_records(path: Path) -> list[dict[str, Any]]:
    """The worker's events; a last line cut off by a kill is not one."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    return [json.loads(line) for line in text.split("\n")[:-1] if line]


def field_label(field: str) -> str:
    from rectify_desktop.core.commands import FIELD_NAMES

    return FIELD_NAMES[field]


def ledger_problems(conn: Any, workers: dict[str, list[dict[str, Any]]], items: list[int], since: int = 0) -> list[str]:
    """What in the server ledger (psycopg connection `conn`) disagrees with what the workers recorded; the
    change log's rows up to id `since` (a ledger's history before the workers ran) are not looked at.

    - every accepted edit is in the change log exactly once: its batch holds one row, by its user, of its
      field, with its value; a text value is the new value of exactly one 修改 row;
    - every undone edit's batch holds the row that put its old value back;
    - a refused edit's value is nowhere: not in the change log, not in the table; its conflict names the field;
    - every big Batch is whole: its rows are all there in one batch or none is;
    - no batch number was given twice (each batch is one user's one moment);
    - nothing overwritten silently: an accepted edit replaced what it saw (or its own value); the rows about a
      field form a chain (each one's old value is the new value of the one before); and each item's field
      holds the new value of the last change-log row about it.
    """
    problems: list[str] = []
    log = conn.execute(
        'SELECT id, batch, "user", action, entity, entity_id, field, old, new, at FROM change_log'
        " WHERE id > %s ORDER BY id",
        (since,),
    ).fetchall()
    by_batch: dict[int, list[tuple]] = {}
    for row in log:
        by_batch.setdefault(row[1], []).append(row)
    new_of_edits: dict[tuple[int, str, str], int] = {}
    for row in log:
        if row[3] == "修改" and row[4] == ITEM_ENTITY:
            key = (row[5], row[6], row[8])
            new_of_edits[key] = new_of_edits.get(key, 0) + 1
    anywhere = {r[7] for r in log} | {r[8] for r in log}
    labels = {f: field_label(f) for f in FIELDS}
    columns = ", ".join(["id", *FIELDS])
    table = {r[0]: dict(zip(FIELDS, r[1:], strict=True)) for r in conn.execute(f"SELECT {columns} FROM item")}
    table_values = {v for row in table.values() for v in row.values()}
    batches_seen: dict[int, str] = {}

    for tag, records in workers.items():
        ready = next((r for r in records if r["event"] == "ready"), None)
        if ready is None:
            problems.append(f"{tag}: no ready record")
            continue
        user = ready["user"]
        edits = {r["n"]: r for r in records if r["event"] == "edit"}
        for r in records:
            where = f"{tag} {r['event']} {r.get('n', r.get('k'))}"
            batch = r.get("batch") or 0
            if batch:
                if batch in batches_seen:
                    problems.append(f"{where}: batch {batch} also recorded by {batches_seen[batch]}")
                batches_seen[batch] = where
            if r["event"] == "edit" and r["result"] == "accepted":
                label = labels[r["field"]]
                if r["old"] not in (r["base"], r["value"]):
                    problems.append(f"{where}: overwrote {r['old']!r} silently (it saw {r['base']!r})")
                if r["old"] == r["value"]:
                    if batch:
                        problems.append(f"{where}: an edit that changed nothing was logged as batch {batch}")
                    continue
                want = [(user, "修改", ITEM_ENTITY, r["item"], label, r["value"])]
                got = [(x[2], x[3], x[4], x[5], x[6], x[8]) for x in by_batch.get(batch, [])]
                if got != want:
                    problems.append(f"{where}: batch {batch} holds {got}, expected {want}")
                if r["field"] in TEXT_FIELDS and new_of_edits.get((r["item"], label, r["value"]), 0) != 1:
                    n = new_of_edits.get((r["item"], label, r["value"]), 0)
                    problems.append(f"{where}: value {r['value']} is the new value of {n} 修改 rows, not 1")
            elif r["event"] == "edit":
                label = labels[r["field"]]
                if r["field"] not in r["conflict"] and not r["gone"]:
                    problems.append(f"{where}: refused without naming its field: {r['conflict']}")
                if r["field"] in TEXT_FIELDS and (r["value"] in anywhere or r["value"] in table_values):
                    problems.append(f"{where}: refused value {r['value']} was written")
                if r["who"] == user:
                    problems.append(f"{where}: refused as if its own edit were someone else's")
                clash = r["conflict"].get(r["field"])
                if clash is not None:
                    base, _mine, theirs = clash
                    written = {x[8] for x in log if x[4] == ITEM_ENTITY and x[5] == r["item"] and x[6] == label}
                    if theirs == base or theirs not in written:
                        problems.append(f"{where}: theirs {theirs!r} (base {base!r}) was never written there")
            elif r["event"] == "undo" and r["result"] == "undone":
                e = edits[r["n"]]
                if e["old"] == e["value"]:
                    continue
                want = [(user, "撤销修改", ITEM_ENTITY, e["item"], labels[e["field"]], e["value"], e["old"])]
                got = [(x[2], x[3], x[4], x[5], x[6], x[7], x[8]) for x in by_batch.get(batch, [])]
                if got != want:
                    problems.append(f"{where}: batch {batch} holds {got}, expected {want}")
            elif r["event"] == "undo":
                if not r["conflict"]:
                    problems.append(f"{where}: undo refused without a field")
            elif r["event"] == "big-start":
                # Its own rows: an undo by someone else may put one of its values back, in a batch of its own.
                rows = [x for x in log if x[3] == "修改" and (x[8] or "").startswith(r["prefix"])]
                if len(rows) not in (0, r["size"]):
                    problems.append(f"{where}: {len(rows)} of the batch's {r['size']} rows are in the change log")
                if len({x[1] for x in rows}) > 1:
                    spread = sorted({x[1] for x in rows})
                    problems.append(f"{where}: the batch's rows are in {len(spread)} batches: {spread[:5]}…")
                done = next((d for d in records if d["event"] == "big-done" and d["k"] == r["k"]), None)
                if done is not None and (len(rows) != r["size"] or rows[0][1] != done["batch"]):
                    problems.append(f"{where}: done as batch {done['batch']} but its rows are not all there")

    for batch, rows in by_batch.items():
        if len({(x[2], x[9]) for x in rows}) > 1:
            problems.append(f"batch {batch} mixes users or moments: {sorted({(x[2], str(x[9])) for x in rows})}")

    # Each row about a field takes up where the one before left it: a write that replaced a value it had not
    # seen (an undo over someone's later edit, say) breaks the chain even if it is the last word.
    last: dict[tuple[int, str], str | None] = {}
    for row in log:
        if row[4] == ITEM_ENTITY and row[5] in items and row[6]:
            key = (row[5], row[6])
            if key in last and row[7] != last[key]:
                problems.append(f"change log row {row[0]} ({row[3]}) replaced {row[7]!r}, but {last[key]!r} was there")
            last[key] = row[8]
    for item in items:
        for f in FIELDS:
            key = (item, labels[f])
            if key in last and table[item][f] != last[key]:
                problems.append(f"item {item} {f} is {table[item][f]!r}, the change log's last row says {last[key]!r}")
    return problems


if __name__ == "__main__":
    sys.exit(main())
