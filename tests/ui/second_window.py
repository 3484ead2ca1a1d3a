"""A second window on the same server ledger, in a process of its own (only one ledger is open per process):
an offscreen QApplication with the real MainWindow, driven as a clerk would drive it.

    python tests/ui/second_window.py postgresql://…      # prints {"ok": "ready"} once the ledger is open

Each line on stdin is one JSON command, answered by one JSON line on stdout once it is committed ({"ok":
"done", …}, or {"error": …}):

    {"action": "select", "item": 5}                       selects the item in the tree (its form shows)
    {"action": "select", "kind": "finding", "finding": 2}  … or another node
    {"action": "add_item"}                                adds an item after the selected one (新增细化问题)
    {"action": "renumber"}                                重新编号
    {"action": "type", "field": "progress", "text": "…"}   types into the form's field and leaves it (commits)
    {"action": "status", "status": "正在推进"}             picks the status in the form's combo (commits)
    {"action": "measure", "row": 0, "text": "…"}          types a measure's text in its table cell, Enter
    {"action": "move", "item": 5, "finding": 2}           moves the item under another finding (移动到…)
    {"action": "delete"}                                  deletes the selected node (as 删除 after 确定)

Message boxes are answered 确定 and written to stderr, so that nothing waits for a click.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def _quiet_boxes() -> None:
    from PySide6.QtWidgets import QMessageBox

    def said(_parent: Any, title: str, text: str, *_a: Any, **_k: Any) -> Any:
        print(f"[message] {title}: {text}", file=sys.stderr, flush=True)
        return QMessageBox.StandardButton.Ok

    for name in ("warning", "critical", "information"):
        setattr(QMessageBox, name, said)
    QMessageBox.question = lambda *_a, **_k: QMessageBox.StandardButton.Yes  # type: ignore[method-assign]
    from rectify_desktop.ui import tree_edits

    tree_edits.confirm = lambda *_a, **_k: True  # type: ignore[assignment]


def _settle(app: Any, window: Any) -> None:
    """Takes in what the other windows did (as the window's own notifier would) and lets the events run."""
    for _ in range(3):
        app.processEvents()
    if window.live is not None:
        window.live.poll()
    app.processEvents()


def _ime_type(field: Any, text: str) -> None:
    """Types `text` as a Chinese input method does: one committed string (QTest's key clicks are ASCII)."""
    from PySide6.QtGui import QInputMethodEvent
    from PySide6.QtWidgets import QApplication

    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(field, event)


def _run(app: Any, window: Any, cmd: dict[str, Any]) -> dict[str, Any]:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QComboBox, QWidget

    _settle(app, window)
    action = cmd["action"]
    if action == "select":
        kind = cmd.get("kind", "item")
        window.select(kind, int(cmd[kind]))
        app.processEvents()
        return {"ok": "done", "current": list(window.panel.current())}
    if action == "add_item":
        window.add_item()  # after the selected item, as 新增细化问题
        app.processEvents()
        return {"ok": "done", "current": list(window.panel.current())}
    if action == "renumber":
        window.renumber()
        app.processEvents()
        return {"ok": "done"}
    form = window.panel.current_form
    if action == "type":
        field = form.findChild(QWidget, f"item.{cmd['field']}")
        window.activateWindow()
        field.setFocus(Qt.FocusReason.MouseFocusReason)
        field.selectAll()
        _ime_type(field, cmd["text"])
        # Leaving the field commits what was typed, as Tab or a click elsewhere does.
        window.tree.setFocus(Qt.FocusReason.TabFocusReason)
        field.focusLost.emit()
        app.processEvents()
        return {"ok": "done", "stored": getattr(form.row(), cmd["field"])}
    if action == "status":
        combo = form.findChild(QComboBox, "item.status")
        combo.setCurrentIndex(combo.findText(cmd["status"]))
        app.processEvents()
        return {"ok": "done", "stored": form.row().status}
    if action == "measure":
        # Types a measure's text in its cell of the 整改措施 table and presses Enter.
        editor = form.measures
        r = int(cmd["row"])
        editor.table.setCurrentCell(r, editor.COL_TEXT)
        editor.table.editItem(editor.table.item(r, editor.COL_TEXT))
        line = editor.delegate.editor
        line.selectAll()
        _ime_type(line, cmd["text"])
        editor.delegate.flush()
        app.processEvents()
        return {"ok": "done", "stored": editor.rows[editor.ids[r]].text}
    if action == "move":
        # Moves the item under another finding (移动到…, or a drop in the tree).
        return {"ok": "done", "moved": window.move_node_to("item", int(cmd["item"]), int(cmd["finding"]))}
    if action == "delete":
        window.delete_current()
        app.processEvents()
        return {"ok": "done"}
    raise ValueError(f"unknown action {action}")


def main(url: str) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("RECTIFY_DESKTOP_TEST", "1")
    home = tempfile.mkdtemp(prefix="rectify-second-window-")
    os.environ["RECTIFY_DESKTOP_CONFIG_DIR"] = str(Path(home) / "config")
    os.environ["RECTIFY_DESKTOP_DATA_DIR"] = str(Path(home) / "data")
    os.environ["RECTIFY_DESKTOP_STATE_DIR"] = str(Path(home) / "state")
    sys.path.insert(0, str(ROOT))
    from rectify_desktop.ui.app import make_app, open_settings
    from rectify_desktop.ui.main_window import MainWindow

    app = make_app()
    _quiet_boxes()
    window = MainWindow(open_settings())
    window.show()
    if not window.open_ledger(url):
        print(json.dumps({"error": "open", "message": "the ledger did not open"}), flush=True)
        return 1
    window.show_page("ledger")
    app.processEvents()
    print(json.dumps({"ok": "ready"}), flush=True)
    try:
        for line in sys.stdin:
            if not line.strip():
                continue
            try:
                answer = _run(app, window, json.loads(line))
            except Exception as exc:  # noqa: BLE001 - told to the test, which decides
                answer = {"error": type(exc).__name__, "message": str(exc)}
            print(json.dumps(answer, ensure_ascii=False, default=str), flush=True)
    finally:
        window.close()
        app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
