"""Two windows on one server ledger (issue 18): the window under test (A) and a real MainWindow in a second
process (B, tests/ui/second_window.py) on the same PostgreSQL database. What B commits shows in A within a
second, without A losing its place or what it is typing; an edit of A on what B changed since is refused and
offered in the conflict dialog; an undo of what B changed since is refused and leaves the stack usable."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("second_window.py")
SHOTS = Path(os.environ.get("RECTIFY_DESKTOP_SHOTS", "/tmp/s4/shots"))


class SecondWindow:
    """The other clerk's window: a MainWindow in its own process, answering one JSON line per command."""

    def __init__(self, url: str, user: str, home: Path) -> None:
        env = {**os.environ, "RECTIFY_DESKTOP_USER": user, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
        self.proc = subprocess.Popen(
            [sys.executable, str(SCRIPT), url],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=open(home / "second_window.err", "w", encoding="utf-8"),  # noqa: SIM115 - closed with the process
            text=True,
            encoding="utf-8",
            env=env,
            cwd=ROOT,
        )
        self.home = home
        assert self._answer() == {"ok": "ready"}

    def _answer(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise AssertionError("the second window ended: " + (self.home / "second_window.err").read_text("utf-8"))
        answer = json.loads(line)
        assert "error" not in answer, answer
        return answer

    def do(self, action: str, **args: Any) -> dict[str, Any]:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps({"action": action, **args}, ensure_ascii=False) + "\n")
        self.proc.stdin.flush()
        return self._answer()

    def close(self) -> None:
        if self.proc.poll() is None and self.proc.stdin is not None:
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()


@pytest.fixture
def tree(pg_url: str) -> dict[str, int]:
    """A small server ledger: one inspection, one category, one finding with three items."""
    from rectify_desktop.core import ops
    from rectify_desktop.core.ledger import Ledger

    led = Ledger.create(pg_url)
    try:
        ids: dict[str, int] = {}
        ids["inspection"] = led.apply(ops.add_inspection("县委第一巡察组反馈意见整改"))[0].id
        ids["category"] = led.apply(ops.add_category(ids["inspection"], "落实党的路线方针政策"))[0].id
        ids["finding"] = led.apply(ops.add_finding(ids["category"], "贯彻落实上级决策部署不到位"))[0].id
        for n, title in enumerate(("学习制度落实不严格", "专项资金拨付滞后", "会议记录不完整"), 1):
            ids[f"item{n}"] = led.apply(ops.add_item(ids["finding"], title, progress=f"原来的进展{n}"))[0].id
        ids["measure"] = led.apply(ops.add_measure(ids["item2"], "制定资金拨付计划"))[0].id
        ids["finding2"] = led.apply(ops.add_finding(ids["category"], "基层党组织建设薄弱"))[0].id
        ids["item4"] = led.apply(ops.add_item(ids["finding2"], "发展党员程序不规范"))[0].id
    finally:
        led.close()
    return ids


@pytest.fixture
def a(window, pg_url: str, tree: dict[str, int]):  # noqa: ANN001, ANN201
    """Window A on the server ledger, item 2 selected, the ledger page shown."""
    assert window.open_ledger(pg_url)
    window.show_page("ledger")
    window.select("item", tree["item2"])
    window.activateWindow()
    assert window.live is not None
    yield window
    window.close_ledger()
    assert window.live is None  # no polling of a closed ledger


@pytest.fixture
def b(pg_url: str, tree: dict[str, int], tmp_path: Path):
    other = SecondWindow(pg_url, "张三", tmp_path)
    yield other
    other.close()


def _form(w):  # noqa: ANN001, ANN202
    return w.panel.current_form


def _tree_text(w, item_id: int, column: int) -> str:  # noqa: ANN001
    return str(w.model.data(w.model.index_for("item", item_id, column)) or "")


def _type_without_commit(qtbot, w, text: str):  # noqa: ANN001, ANN202
    """A types into 整改进展 and has not left the field; the pause that commits typing is made longer than
    the test, so what is typed stays uncommitted (as while the clerk is still writing)."""
    field = _form(w).progress
    binding = next(bnd for bnd in _form(w).bindings if bnd.field == "progress")
    binding.timer.setInterval(600_000)
    w.activateWindow()
    field.setFocus(Qt.FocusReason.MouseFocusReason)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is field, timeout=2000)
    field.moveCursor(field.textCursor().MoveOperation.End)
    _ime_type(field, text)
    assert binding.timer.isActive()
    return field, binding


def _ime_type(field, text: str) -> None:  # noqa: ANN001
    """Types `text` as a Chinese input method does: one committed string (QTest's key clicks are ASCII)."""
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(field, event)


def _answer_dialog(qtbot, button: str, shot: str | None = None) -> list[Any]:  # noqa: ANN001
    """Clicks `button` in the conflict dialog as soon as it is up (it runs its own event loop); returns the
    dialogs seen, after a screenshot when `shot` names one."""
    from rectify_desktop.ui.conflict_dialog import ConflictDialog

    seen: list[Any] = []

    def look() -> None:
        dlg = QApplication.activeModalWidget()
        if not isinstance(dlg, ConflictDialog):
            QTimer.singleShot(50, look)
            return
        seen.append(
            {
                "title": dlg.windowTitle(),
                "headers": [dlg.table.horizontalHeaderItem(c).text() for c in range(dlg.table.columnCount())],
                "rows": [[dlg.table.item(r, c).text() for c in range(4)] for r in range(dlg.table.rowCount())],
            }
        )
        if shot:
            SHOTS.mkdir(parents=True, exist_ok=True)
            dlg.grab().save(str(SHOTS / shot))
        dlg.findChild(QPushButton, button).click()

    QTimer.singleShot(0, look)
    return seen


def test_an_edit_in_the_other_window_shows_within_a_second_and_the_selection_stays(qtbot, a, b, tree) -> None:  # noqa: ANN001
    from rectify_desktop.ui.tree_model import COL_STATUS

    before = a.current_node()
    assert (before.kind, before.id) == ("item", tree["item2"])
    assert b.do("select", item=tree["item2"])["current"] == ["item", tree["item2"]]
    assert b.do("type", field="progress", text="已拨付专项资金80万元")["stored"] == "已拨付专项资金80万元"
    qtbot.waitUntil(lambda: _form(a).progress.toPlainText() == "已拨付专项资金80万元", timeout=1000)
    assert "张三 刚刚修改了细化问题1（2）的整改进展" in a.statusBar().currentMessage()

    assert b.do("status", status="正在推进")["stored"] == "正在推进"
    qtbot.waitUntil(lambda: _tree_text(a, tree["item2"], COL_STATUS).startswith("正在推进"), timeout=1000)
    assert _form(a).status.currentText() == "正在推进"
    node = a.current_node()
    assert (node.kind, node.id) == ("item", tree["item2"])  # A's place is where A left it
    assert a.panel.current() == ("item", tree["item2"])
    # An edit of a row A has not selected refreshes the tree, not A's form.
    b.do("select", item=tree["item3"])
    b.do("status", status="长期坚持")
    qtbot.waitUntil(lambda: _tree_text(a, tree["item3"], COL_STATUS) == "长期坚持", timeout=1000)
    assert a.panel.current() == ("item", tree["item2"])
    # The figures in the status bar count B's edits too (a refresh after the change).
    qtbot.waitUntil(lambda: a.status_label.text() != "", timeout=1000)
    stats = a.ledger.stats(tree["inspection"], a.model.today, a.model.immediate_days)
    assert a.status_label.text() == stats.status_line()
    SHOTS.mkdir(parents=True, exist_ok=True)
    a.grab().save(str(SHOTS / "window_after_remote_refresh.png"))


def test_what_a_is_typing_survives_the_other_windows_refresh(qtbot, a, b, tree) -> None:  # noqa: ANN001
    field, binding = _type_without_commit(qtbot, a, "；新的一句")
    b.do("select", item=tree["item2"])
    b.do("status", status="正在推进")
    qtbot.waitUntil(lambda: _form(a).status.currentText() == "正在推进", timeout=1000)
    assert field.toPlainText() == "原来的进展2；新的一句"  # the refresh left the field being typed in alone
    assert QApplication.focusWidget() is field
    # A leaves the field: the other field B changed merges with A's edit, nothing is refused.
    binding.commit()
    row = _form(a).row()
    assert (row.progress, row.status) == ("原来的进展2；新的一句", "正在推进")


def _conflict(qtbot, a, b, tree, button: str, shot: str | None = None):  # noqa: ANN001, ANN202
    field, binding = _type_without_commit(qtbot, a, "；A补充的内容")
    b.do("select", item=tree["item2"])
    b.do("type", field="progress", text="张三写的进展")
    # A still shows its own text (B's change came in and left A's typing alone) …
    qtbot.waitUntil(lambda: "张三" in a.statusBar().currentMessage(), timeout=1000)
    assert field.toPlainText() == "原来的进展2；A补充的内容"
    # … and when A commits, the ledger refuses the edit of what B changed since A began: A is asked.
    seen = _answer_dialog(qtbot, button, shot)
    binding.commit()
    assert len(seen) == 1
    return seen[0]


def test_a_conflict_is_shown_and_keep_mine_stores_the_clerks_value(qtbot, a, b, tree) -> None:  # noqa: ANN001
    seen = _conflict(qtbot, a, b, tree, "conflict.mine", shot="conflict_dialog.png")
    assert seen["title"] == "修改冲突"
    assert seen["headers"] == ["字段", "原来的内容", "您的修改", "张三的修改", "采用"]
    assert seen["rows"] == [["整改进展", "原来的进展2", "原来的进展2；A补充的内容", "张三写的进展"]]
    assert _form(a).row().progress == "原来的进展2；A补充的内容"
    assert _form(a).progress.toPlainText() == "原来的进展2；A补充的内容"
    assert a.undo_stack.count() == 1  # the resolved edit is A's own step to undo


def test_a_conflict_resolved_by_taking_theirs_keeps_the_other_value(qtbot, a, b, tree) -> None:  # noqa: ANN001
    _conflict(qtbot, a, b, tree, "conflict.theirs")
    assert _form(a).row().progress == "张三写的进展"
    assert _form(a).progress.toPlainText() == "张三写的进展"
    assert a.undo_stack.count() == 0  # nothing of A's was written


def test_undo_of_what_the_other_window_changed_since_is_refused_and_the_stack_stays_usable(
    qtbot, a, b, tree, monkeypatch
) -> None:  # noqa: ANN001
    told: list[tuple[str, str]] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, title, text, *_a: told.append((title, text)))
    from rectify_desktop.core import ops

    form = _form(a)
    a.panel.push(ops.set_fields(form.model, form.row_id, {"remarks": "A的备注"}))
    field, binding = _type_without_commit(qtbot, a, "；A写的")
    binding.commit()
    assert (a.undo_stack.count(), a.undo_stack.index()) == (2, 2)
    b.do("select", item=tree["item2"])
    b.do("type", field="progress", text="张三后来改的")
    qtbot.waitUntil(lambda: _form(a).progress.toPlainText() == "张三后来改的", timeout=1000)

    a.undo()  # would put back A's old progress over 张三's
    qtbot.waitUntil(lambda: bool(told), timeout=1000)
    assert told[0][0] == "无法撤销"
    assert "张三" in told[0][1] and "撤销只撤回您自己的修改" in told[0][1]
    assert _form(a).row().progress == "张三后来改的"
    # The refused step left the stack; the one below it is still A's to undo, and redo has nothing to re-apply.
    assert (a.undo_stack.count(), a.undo_stack.index()) == (1, 1)
    assert not a.undo_stack.canRedo()
    a.undo()
    assert _form(a).row().remarks == ""
    assert (a.undo_stack.count(), a.undo_stack.index()) == (1, 0)
    a.redo()
    row = _form(a).row()
    assert (row.remarks, row.progress) == ("A的备注", "张三后来改的")
    assert (a.undo_stack.count(), a.undo_stack.index()) == (1, 1)
    assert len(told) == 1


def test_a_row_deleted_in_the_other_window_moves_the_selection_to_a_neighbour(qtbot, a, b, tree) -> None:  # noqa: ANN001
    b.do("select", item=tree["item2"])
    b.do("delete")
    qtbot.waitUntil(lambda: a.model.node("item", tree["item2"]) is None, timeout=1000)
    node = a.current_node()
    assert node is not None and node.kind == "item" and node.id in (tree["item1"], tree["item3"])
    assert a.panel.current() == ("item", node.id)
    assert "张三 刚刚删除了一项细化问题" in a.statusBar().currentMessage()


def test_an_edit_of_a_row_deleted_meanwhile_is_said_and_the_form_empties(qtbot, a, b, tree, monkeypatch) -> None:  # noqa: ANN001
    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text, *_r: told.append(text))
    # A has not yet heard of the deletion (its notices are taken in after the edit, as when they cross).
    a.live.timer.stop()
    a.live.notifier.setEnabled(False)
    field, binding = _type_without_commit(qtbot, a, "；补充")
    b.do("select", item=tree["item2"])
    b.do("delete")
    binding.commit()
    assert told and "已被删除" in told[0]
    assert a.model.node("item", tree["item2"]) is None
    assert a.panel.current() != ("item", tree["item2"])
    assert a.undo_stack.count() == 0


def test_the_status_bar_line_names_who_and_what() -> None:
    from rectify_desktop.core.commands import Change
    from rectify_desktop.core.models import Item
    from rectify_desktop.core.server import Notice
    from rectify_desktop.ui import live

    assert live.who_of("张三（zhangsan@办公室-PC）") == "张三"
    assert live.describe([]) == ""
    assert live.describe([Notice("s", "李四（l@pc）", 1, None)]) == "李四 刚刚修改了台账"
    # Without an open ledger the row cannot be named: the kind of row still is.
    text = live.describe([Notice("s", "李四", 1, [Change("remove", Item, 1), Change("remove", Item, 2)])])
    assert text == "李四 刚刚删除了一项细化问题（另有 1 处修改）"


def test_a_measure_being_typed_keeps_its_text_and_its_base_in_a_refresh(qtbot, a, b, tree) -> None:  # noqa: ANN001
    """The table editors do as the fields do: the cell being typed in is left alone by another window's
    edit, and the clerk's text, checked against the measure as loaded, meets the other one as a conflict."""
    editor = _form(a).measures
    r = editor.ids.index(tree["measure"])
    editor.table.setCurrentCell(r, editor.COL_TEXT)
    editor.table.editItem(editor.table.item(r, editor.COL_TEXT))
    line = editor.delegate.editor
    line.selectAll()
    _ime_type(line, "A改的措施")
    assert line.text() == "A改的措施"
    b.do("select", item=tree["item2"])
    assert b.do("measure", row=r, text="张三改的措施")["stored"] == "张三改的措施"
    qtbot.waitUntil(lambda: "整改措施" in a.statusBar().currentMessage(), timeout=1000)
    assert editor.delegate.editor is line and line.text() == "A改的措施"
    seen = _answer_dialog(qtbot, "conflict.mine")
    editor.delegate.flush()
    assert seen and seen[0]["rows"] == [["内容", "制定资金拨付计划", "A改的措施", "张三改的措施"]]
    from rectify_desktop.core.models import Measure

    assert Measure.get_by_id(tree["measure"]).text == "A改的措施"
    qtbot.waitUntil(lambda: editor.table.item(r, editor.COL_TEXT).text() == "A改的措施", timeout=1000)


def test_the_selected_item_moved_elsewhere_by_the_other_window_stays_selected_with_the_typing(
    qtbot, a, b, tree
) -> None:  # noqa: ANN001
    field, _binding = _type_without_commit(qtbot, a, "；搬家前写的")
    assert b.do("move", item=tree["item2"], finding=tree["finding2"])["moved"]
    qtbot.waitUntil(
        lambda: a.current_node() is not None and a.current_node().parent.id == tree["finding2"], timeout=1000
    )
    assert (a.current_node().kind, a.current_node().id) == ("item", tree["item2"])
    assert a.panel.current() == ("item", tree["item2"])
    assert a.tree.isExpanded(a.model.index_for("finding", tree["finding2"]))  # shown under its new parent
    assert field.toPlainText() == "原来的进展2；搬家前写的"
    assert QApplication.focusWidget() is field


def test_a_notice_too_large_to_list_reloads_everything_and_keeps_the_place(qtbot, a, tree) -> None:  # noqa: ANN001
    """Another window's batch too large for a notice arrives as "reload everything": the tree is read anew,
    with the selection, the open branches and the field being typed in as they were."""
    from rectify_desktop.core import server
    from rectify_desktop.core.commands import Change
    from rectify_desktop.core.models import Inspection

    a.collapse_all()
    a.select("item", tree["item2"])
    expanded = a._expanded_keys()
    field, _binding = _type_without_commit(qtbot, a, "；重读前写的")
    resets: list[bool] = []
    a.model.modelReset.connect(lambda: resets.append(True))
    server.send_notice(
        server.encode_changes([Change("reset", Inspection, 0)], session="另一窗口", user="王五", batch=0)
    )
    qtbot.waitUntil(lambda: bool(resets), timeout=1000)
    assert "王五 刚刚修改了台账" in a.statusBar().currentMessage()
    assert (a.current_node().kind, a.current_node().id) == ("item", tree["item2"])
    assert a._expanded_keys() == expanded
    assert field.toPlainText() == "原来的进展2；重读前写的"


def test_the_overview_counts_the_other_windows_edit(qtbot, a, b, tree) -> None:  # noqa: ANN001
    page = a.show_page("overview")
    qtbot.waitUntil(lambda: page.figures["in_progress"].value == "0", timeout=1000)
    b.do("select", item=tree["item3"])
    b.do("status", status="正在推进")
    qtbot.waitUntil(lambda: page.figures["in_progress"].value == "1", timeout=1000)
    assert page.figures["not_started"].value == "3"
    assert (a.current_node().kind, a.current_node().id) == ("item", tree["item2"])


def test_redo_of_what_the_other_window_changed_since_is_refused_and_leaves_the_stack(
    qtbot, a, b, tree, monkeypatch
) -> None:  # noqa: ANN001
    told: list[tuple[str, str]] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, title, text, *_a: told.append((title, text)))
    field, binding = _type_without_commit(qtbot, a, "；A写的")
    binding.commit()
    a.undo()
    assert _form(a).row().progress == "原来的进展2"
    assert (a.undo_stack.count(), a.undo_stack.index()) == (1, 0)
    b.do("select", item=tree["item2"])
    b.do("type", field="progress", text="张三在撤销之后写的")
    qtbot.waitUntil(lambda: _form(a).progress.toPlainText() == "张三在撤销之后写的", timeout=1000)
    a.redo()  # would write A's text over 张三's
    qtbot.waitUntil(lambda: bool(told), timeout=1000)
    assert told[0][0] == "修改冲突"
    assert _form(a).row().progress == "张三在撤销之后写的"
    assert (a.undo_stack.count(), a.undo_stack.index()) == (0, 0)


def test_each_field_chosen_in_the_dialog(qtbot) -> None:  # noqa: ANN001
    """逐项选择: the clerk keeps one field and takes the other's; an edit whose clashing fields all go to the
    other person writes nothing of it (its other fields belong to it, as a completion date to a status)."""
    from rectify_desktop.core.conflicts import ConflictError
    from rectify_desktop.core.models import Item
    from rectify_desktop.ui.conflict_dialog import MINE, THEIRS, ConflictDialog, resolved_values

    exc = ConflictError(
        "…",
        Item,
        1,
        {
            "progress": (
                "已制定整改方案。",
                "已制定整改方案。" + "已召开专题会议研究部署，明确责任分工和完成时限。" * 3,
                "他的",
            ),
            "remarks": ("", "我的备注", "他的备注"),
        },
        "张三（z@pc）",
        values={"progress": "我的", "remarks": "我的备注", "person": "王芳"},  # (what was refused, in full)
    )
    dialog = ConflictDialog(None, exc, "细化问题1（2）", "张三")
    qtbot.addWidget(dialog)
    assert [dialog.table.item(r, 0).text() for r in range(2)] == ["整改进展", "备注"]
    dialog.show()
    qtbot.waitExposed(dialog)
    SHOTS.mkdir(parents=True, exist_ok=True)
    dialog.grab().save(str(SHOTS / "conflict_dialog_two_fields.png"))
    dialog.combos[1].setCurrentIndex(1)
    dialog.findChild(QPushButton, "conflict.each").click()
    assert dialog.chosen() == {"progress": MINE, "remarks": THEIRS}
    assert resolved_values(exc, dialog.chosen()) == {"progress": "我的", "person": "王芳"}
    assert resolved_values(exc, {"progress": THEIRS, "remarks": THEIRS}) == {}
    assert resolved_values(exc, {"progress": MINE, "remarks": MINE}) == exc.values


# The watch on the closed socket is dropped by Qt with a warning before the window watches the new one.
@pytest.mark.qt_log_ignore("QSocketNotifier: Invalid socket")
def test_after_the_notice_connection_broke_the_window_listens_on_the_new_one(qtbot, a, b, tree) -> None:  # noqa: ANN001
    """The connection that brings the notices is made again when it broke (core/server.ChangeFeed): the
    window reads everything anew, says so, and watches the new socket."""
    old_fd = a.live._fd
    a.ledger._feed.conn.close()
    qtbot.waitUntil(lambda: "连接已恢复" in a.statusBar().currentMessage(), timeout=3000)
    assert a.live.notifier is not None and a.live._fd == a.ledger.feed_socket()
    assert (a.current_node().kind, a.current_node().id) == ("item", tree["item2"])
    a.live.timer.stop()  # the socket alone brings B's edit now
    b.do("select", item=tree["item2"])
    b.do("type", field="progress", text="重连之后写的")
    qtbot.waitUntil(lambda: _form(a).progress.toPlainText() == "重连之后写的", timeout=1000)
    assert old_fd is not None


def test_no_refresh_inside_an_edit_of_this_window(qtbot, a, b, tree) -> None:  # noqa: ANN001
    """A dialog run from inside an edit (its transaction open) lets events run: the other windows' changes
    wait until the edit is done, so that the views never read its half-made state."""
    from rectify_desktop.core.models import db

    with db.atomic():
        b.do("select", item=tree["item2"])
        b.do("type", field="progress", text="等本窗口改完再显示")
        qtbot.wait(1200)  # two ticks of the timer, and the socket woke the window
        assert _form(a).progress.toPlainText() == "原来的进展2"
    qtbot.waitUntil(lambda: _form(a).progress.toPlainText() == "等本窗口改完再显示", timeout=1000)


def test_rows_added_renumbered_and_the_parent_deleted_by_the_other_window(qtbot, a, b, tree) -> None:  # noqa: ANN001
    field, _binding = _type_without_commit(qtbot, a, "；一直在写")
    # A new item before A's: the tree takes it in, A's row stays selected, the typing stays.
    b.do("select", item=tree["item1"])
    new_id = b.do("add_item")["current"][1]
    qtbot.waitUntil(lambda: a.model.node("item", new_id) is not None, timeout=1000)
    assert [n.id for n in a.model.node("finding", tree["finding"]).children] == [
        tree["item1"],
        new_id,
        tree["item2"],
        tree["item3"],
    ]
    assert a.panel.current() == ("item", tree["item2"]) and a.current_node().id == tree["item2"]
    # 重新编号 there: A's item becomes （3） in the tree and the form's header, the typing stays.
    b.do("renumber")
    qtbot.waitUntil(lambda: _tree_text(a, tree["item2"], 0).startswith("（3）"), timeout=1000)
    assert _form(a).header.text() == "细化问题（3）"
    assert field.toPlainText() == "原来的进展2；一直在写"
    assert QApplication.focusWidget() is field
    # The finding A's item belongs to is deleted: the selection goes to a row that is still there.
    b.do("select", kind="finding", finding=tree["finding"])
    b.do("delete")
    qtbot.waitUntil(lambda: a.model.node("finding", tree["finding"]) is None, timeout=1000)
    node = a.current_node()
    assert (node.kind, node.id) == ("category", tree["category"])  # the nearest row above that is left
    assert a.panel.current() == ("category", tree["category"])
    assert "张三 刚刚删除了一项" in a.statusBar().currentMessage()


def test_an_item_added_after_the_selected_one_is_shown_right_after_it(window, tmp_path) -> None:  # noqa: ANN001
    """Found with the other window's inserts, true of one's own too: the siblings after a row inserted among
    them move down a place, and the tree put the new row after the one it precedes."""
    from rectify_desktop.core import ops
    from rectify_desktop.core.ledger import Ledger

    path = tmp_path / "台账.db"
    led = Ledger.create(path)
    insp = led.apply(ops.add_inspection("巡察"))[0].id
    cat = led.apply(ops.add_category(insp, "方面"))[0].id
    finding = led.apply(ops.add_finding(cat, "问题"))[0].id
    items = [led.apply(ops.add_item(finding, f"细化问题{n}"))[0].id for n in range(3)]
    led.close()
    assert window.open_ledger(path)
    window.show_page("ledger")
    window.select("item", items[0])
    window.add_item()
    new = window.current_node()
    assert [n.id for n in window.model.node("finding", finding).children] == [items[0], new.id, items[1], items[2]]
