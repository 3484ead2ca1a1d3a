"""A process killed in the middle of a run of edits loses none that it reported done, and leaves a whole file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from rectify_desktop.core.commands import item_written_off
from rectify_desktop.core.ledger import Ledger
from rectify_desktop.core.models import ChangeLog, Item, Measure

WRITER = Path(__file__).with_name("crash_writer.py")
MIN_REPORTED = 200


def _target(n: int, items: list[int]) -> int:
    return items[(n // 2) % len(items)]


def test_kill_during_edits_loses_nothing_reported(tmp_path: Path, cli, cli_env: dict[str, str]) -> None:  # noqa: ANN001
    path = tmp_path / "台账.db"
    assert cli("demo", path).returncode == 0
    with Ledger.open(path, readonly=True):
        items = [i.id for i in Item.select(Item.id).order_by(Item.id) if not item_written_off(i.id)]
        demo_measures = Measure.select().count()
        demo_log = ChangeLog.select().count()
        demo_remarks = {i.id: i.remarks for i in Item.select()}

    err = (tmp_path / "writer.err").open("w+", encoding="utf-8")
    child = subprocess.Popen(
        [sys.executable, str(WRITER), str(path)],
        stdout=subprocess.PIPE,
        stderr=err,
        text=True,
        encoding="utf-8",
        env=cli_env,
    )
    reported: list[int] = []
    try:
        assert child.stdout is not None
        first = child.stdout.readline()
        assert first.split() == ["ready", str(len(items))], first + (tmp_path / "writer.err").read_text()
        while len(reported) < MIN_REPORTED:
            line = child.stdout.readline()
            assert line.endswith("\n"), "writer stopped: " + (tmp_path / "writer.err").read_text()
            reported.append(int(line))
    finally:
        child.kill()  # SIGKILL: no atexit, no close, no checkpoint
        # Lines already in the pipe were printed after their apply returned: those edits are done too.
        rest = child.stdout.read() if child.stdout else ""
        child.wait(timeout=30)
        if child.stdout:
            child.stdout.close()
    reported += [int(line) for line in rest.split("\n")[:-1]]  # a cut-off last line is not a report
    if os.name != "nt":
        assert child.returncode == -signal.SIGKILL
    err.seek(0)
    assert err.read() == ""
    err.close()
    assert reported == list(range(len(reported)))
    last_reported = reported[-1]
    assert last_reported >= MIN_REPORTED - 1

    r = cli("verify", path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"校验通过：{path}"

    with Ledger.open(path, readonly=True):
        texts = [t for (t,) in Measure.select(Measure.text).where(Measure.text.startswith("edit ")).tuples()]
        measured = sorted(int(t.split()[1]) for t in texts)
        assert len(measured) == len(set(measured)) == Measure.select().count() - demo_measures
        remarks = {i.id: i.remarks for i in Item.select()}
        log_count = ChangeLog.select().count()
        placed = {int(m.text.split()[1]): m.item_id for m in Measure.select().where(Measure.text.startswith("edit "))}

    # Every reported edit is there; at most one more (applied, then killed before it was printed).
    odd_done = [int(r.split()[1]) for r in remarks.values() if r.startswith("edit ")]
    done = max(measured + odd_done)
    assert done in (last_reported, last_reported + 1)
    assert measured == list(range(0, done + 1, 2))
    assert all(placed[n] == _target(n, items) for n in measured)
    for item in items:
        odd = [n for n in range(1, done + 1, 2) if _target(n, items) == item]
        assert remarks[item] == (f"edit {odd[-1]}" if odd else demo_remarks[item]), item
    # One change-log row per edit: nothing half-written, nothing lost.
    assert log_count == demo_log + done + 1

    # The lock died with the writer: the ledger opens for writing again.
    with Ledger.open(path) as led:
        assert not led.readonly
