"""Another window on the same server ledger, in a process of its own (only one ledger is open per process).

    with Remote(url, user="李四") as other:       # starts `python remote_edit.py URL`, which opens the ledger
        other.do("set", model="item", id=5, values={"progress": "他写的"})

Each line on its stdin is one JSON command, answered by one JSON line on its stdout ({"ok": …} or
{"error": type, "message": …}), so that one process serves a whole test instead of one start per edit.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def _model(name: str) -> Any:
    from rectify_desktop.core.models import ALL_MODELS

    return {m._meta.table_name: m for m in ALL_MODELS}[name]


def _editable_items() -> list[int]:
    """The items that may be edited: a written-off item refuses every edit until its write-off is revoked."""
    from rectify_desktop.core import ops
    from rectify_desktop.core.models import Item

    return [r.id for r in Item.select(Item.id).order_by(Item.id) if ops.writeoff_state(r.id) != "已销号"]


def _run(ledger: Any, cmd: dict[str, Any]) -> Any:
    from rectify_desktop.core import commands, ops
    from rectify_desktop.core.models import Item

    action = cmd["action"]
    if action == "set":
        ledger.apply(commands.SetFields(_model(cmd["model"]), int(cmd["id"]), cmd["values"]))
        return _model(cmd["model"]).get_by_id(int(cmd["id"])).row_version
    if action == "delete":
        ledger.apply(ops.delete(_model(cmd["model"]), int(cmd["id"])))
        return True
    if action == "add_inspection":
        return ledger.apply(ops.add_inspection(cmd.get("title", "另一窗口的巡察")))[0].id
    if action == "many":
        # One batch of many edits: a notice too large to list them, told as "reload everything".
        ids = _editable_items()
        steps = [commands.SetFields(Item, ids[n % len(ids)], {"remarks": f"批量{n}"}) for n in range(int(cmd["count"]))]
        ledger.apply(commands.Batch("批量修改", steps))
        return len(steps)
    if action == "loop":
        # Keeps editing until the stop file appears: a pull must read one moment, whole batches only.
        stop, n = Path(cmd["stop"]), 0
        ids = _editable_items()
        while not stop.exists():
            steps = [commands.SetFields(Item, i, {"remarks": f"第{n}轮"}) for i in ids[:5]]
            ledger.apply(commands.Batch(f"连续修改{n}", steps))
            n += 1
        return n
    raise ValueError(f"unknown action {action}")


def main(url: str) -> int:
    from rectify_desktop.core.ledger import Ledger

    ledger = Ledger.open(url)
    print(json.dumps({"ok": "ready"}), flush=True)
    try:
        for line in sys.stdin:
            cmd = json.loads(line)
            try:
                answer: dict[str, Any] = {"ok": _run(ledger, cmd)}
            except Exception as exc:  # noqa: BLE001 - told to the test, which decides
                answer = {"error": type(exc).__name__, "message": str(exc)}
            print(json.dumps(answer, ensure_ascii=False), flush=True)
    finally:
        ledger.close()
    return 0


class RemoteError(RuntimeError):
    pass


class Remote:
    """The test's handle on the other window."""

    def __init__(self, url: str, user: str = "李四") -> None:
        env = {**os.environ, "RECTIFY_DESKTOP_USER": user, "PYTHONPATH": str(ROOT)}
        env.pop("PGPASSWORD", None)
        self.user = user
        self.proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), url],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            env=env,
            cwd=ROOT,
        )
        self._answer()  # "ready": the ledger is open there

    def _answer(self) -> Any:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            err = self.proc.stderr.read() if self.proc.stderr else ""
            raise RemoteError(f"the other window ended: {err}")
        answer = json.loads(line)
        if "error" in answer:
            raise RemoteError(f"{answer['error']}: {answer['message']}")
        return answer["ok"]

    def do(self, action: str, **args: Any) -> Any:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps({"action": action, **args}, ensure_ascii=False) + "\n")
        self.proc.stdin.flush()
        return self._answer()

    def send(self, action: str, **args: Any) -> None:
        """Starts a command without waiting for its answer (collect it with .answer())."""
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps({"action": action, **args}, ensure_ascii=False) + "\n")
        self.proc.stdin.flush()

    def answer(self) -> Any:
        return self._answer()

    def close(self) -> None:
        if self.proc.poll() is None:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for f in (self.proc.stdout, self.proc.stderr):
            if f is not None:
                f.close()

    def __enter__(self) -> Remote:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def wait_for(predicate: Any, seconds: float = 1.0) -> Any:
    """Polls until predicate() gives something true, for at most `seconds`; returns its last answer."""
    end = time.monotonic() + seconds
    while True:
        got = predicate()
        if got or time.monotonic() > end:
            return got
        time.sleep(0.01)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main(sys.argv[1]))
