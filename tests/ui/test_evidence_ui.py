"""Evidence on the item form (佐证材料): drop, dialog, edit in place, open, save, replace, remove, undo, and
every refusal leaving the ledger as it was. Real widgets are driven; assertions are on the ledger."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import QDesktopServices, QDragEnterEvent, QDropEvent, QUndoStack
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFileDialog,
    QLabel,
    QMenu,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QTableWidget,
)

from rectify_desktop.core import evidence, ops
from rectify_desktop.core.demo import demo_png
from rectify_desktop.core.models import (
    Blob,
    BlobChunk,
    Category,
    ChangeLog,
    Evidence,
    Finding,
    Inspection,
    Item,
    Measure,
    Setting,
    db,
)
from rectify_desktop.ui import evidence_ui
from rectify_desktop.ui.forms import EditPanel
from rectify_desktop.ui.undo import UndoBridge

# --- fixtures and helpers --------------------------------------------------------------------------


@pytest.fixture
def small_ledger(ledger):
    """One inspection, category, finding and item with two measures; nothing on the undo stack."""
    ledger.apply(ops.add_inspection("测试台账"))
    ledger.apply(ops.add_category(Inspection.get().id, "第一个方面"))
    ledger.apply(ops.add_finding(Category.get().id, "问题一"))
    ledger.apply(ops.add_item(Finding.get().id, "细化问题一"))
    item = Item.get()
    ledger.apply(ops.add_measure(item.id, "召开专题会议"))
    ledger.apply(ops.add_measure(item.id, "修订制度"))
    return ledger


@pytest.fixture
def panel(small_ledger, qtbot):
    """The edit panel as the window builds it, showing the item."""
    stack = QUndoStack()
    p = EditPanel(small_ledger, UndoBridge(small_ledger, stack))
    small_ledger.subscribe(p.on_changes)
    qtbot.addWidget(p)
    p.resize(720, 1000)
    p.show()
    qtbot.waitExposed(p)
    p.stack = stack
    p.show_node("item", Item.get().id)
    return p


@pytest.fixture
def boxes(monkeypatch):
    """Every message box the code shows, recorded instead of shown; questions answered by `answers`."""
    seen: list[tuple[str, str, str]] = []
    answers: list[bool] = []

    def record(kind):
        def box(parent, title, text, *args, **kw):
            seen.append((kind, title, text))
            if kind == "question":
                yes = answers.pop(0) if answers else True
                return QMessageBox.StandardButton.Yes if yes else QMessageBox.StandardButton.No
            return QMessageBox.StandardButton.Ok

        return box

    for kind in ("warning", "critical", "information", "question"):
        monkeypatch.setattr(QMessageBox, kind, record(kind))
    seen_answers = seen, answers
    return seen_answers


@pytest.fixture
def opened(monkeypatch):
    urls: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: urls.append(url) or True)
    yield urls
    evidence_ui.cleanup_temp()


def editor(panel):
    return panel.current_form.evidence


def table(panel) -> QTableWidget:
    return panel.findChild(QTableWidget, "evidence.table")


def button(panel, name: str) -> QPushButton:
    b = panel.findChild(QPushButton, name)
    assert b is not None, name
    return b


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def make_file(path: Path, data: bytes, mtime: dt.date | None = None) -> Path:
    path.write_bytes(data)
    if mtime is not None:
        t = dt.datetime.combine(mtime, dt.time(10)).timestamp()
        os.utime(path, (t, t))
    return path


def drop(widget, paths: list[Path], pos: QPoint | None = None) -> QDropEvent:
    """Drags `paths` from a file manager onto `widget` and drops them, as Qt delivers it."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    pos = pos or widget.rect().center()
    actions = Qt.DropAction.CopyAction | Qt.DropAction.MoveAction | Qt.DropAction.LinkAction
    enter = QDragEnterEvent(pos, actions, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, enter)
    assert enter.isAccepted(), "the drag is not accepted"
    event = QDropEvent(
        QPointF(pos), actions, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QDropEvent.Type.Drop
    )
    QApplication.sendEvent(widget, event)
    return event


def snapshot() -> dict[str, object]:
    """Everything an add may touch, to compare before and after a refused one."""
    return {
        "evidence": list(Evidence.select().order_by(Evidence.id).dicts()),
        "blob": list(Blob.select().order_by(Blob.sha256).dicts()),
        "chunks": [(c.blob_sha256, c.seq, hashlib.sha256(c.data).hexdigest()) for c in BlobChunk.select()],
        "log": ChangeLog.select().count(),
    }


# --- adding ------------------------------------------------------------------------------------------


def test_drop_two_files_stores_them_as_one_undo_step(panel, tmp_path, qtbot, boxes):
    item = Item.get()
    photo = make_file(tmp_path / "整改现场.png", demo_png("meeting"), dt.date(2021, 5, 6))
    minutes = make_file(tmp_path / "党组会议纪要.pdf", b"%PDF-1.4 minutes\n" * 500, dt.date(2021, 5, 8))
    event = drop(editor(panel), [photo, minutes])
    assert event.isAccepted() and event.dropAction() == Qt.DropAction.CopyAction
    qtbot.waitUntil(lambda: Evidence.select().count() == 2)
    rows = list(Evidence.select().order_by(Evidence.position))
    assert [(e.name, e.kind, e.date, e.item_id, e.measure_id) for e in rows] == [
        ("整改现场.png", "照片", dt.date(2021, 5, 6), item.id, None),
        ("党组会议纪要.pdf", "会议记录", dt.date(2021, 5, 8), item.id, None),
    ]
    assert [e.blob_sha256 for e in rows] == [sha(photo), sha(minutes)]
    for e, f in zip(rows, (photo, minutes), strict=True):
        assert b"".join(evidence.iter_blob(e.blob_sha256)) == f.read_bytes()
        assert Blob.get_by_id(e.blob_sha256).size == f.stat().st_size
    assert panel.stack.count() == 1 and panel.stack.undoText() == "添加佐证材料（2个文件）"
    t = table(panel)
    assert t.isVisible() and t.rowCount() == 2
    assert t.item(0, 0).text() == "整改现场.png" and t.item(1, 1).text() == "会议记录"
    # The picture shows its thumbnail, decoded small; the PDF a badge.
    thumb = t.item(0, 0).data(Qt.ItemDataRole.DecorationRole)
    assert not thumb.isNull() and max(thumb.width(), thumb.height()) <= evidence_ui.THUMB_SIZE * 2
    assert thumb.toImage().pixelColor(thumb.width() // 2, 2).red() > 150  # the red banner of the picture
    panel.stack.undo()
    assert Evidence.select().count() == 0 and t.isHidden()
    panel.stack.redo()
    assert [e.blob_sha256 for e in Evidence.select().order_by(Evidence.position)] == [sha(photo), sha(minutes)]
    # Remove one (after saying yes); undo brings it back, with its bytes.
    t.selectRow(0)
    button(panel, "evidence.delete").click()
    assert [e.name for e in Evidence.select()] == ["党组会议纪要.pdf"] and t.rowCount() == 1
    panel.stack.undo()
    back = Evidence.get(Evidence.name == "整改现场.png")
    assert (back.id, back.blob_sha256) == (rows[0].id, sha(photo))
    assert b"".join(evidence.iter_blob(back.blob_sha256)) == photo.read_bytes()


def test_drop_anywhere_on_the_item_form_and_on_a_measure(panel, tmp_path, qtbot):
    form = panel.current_form
    a = make_file(tmp_path / "a.docx", b"first")
    b = make_file(tmp_path / "b.docx", b"second")
    # On a text field of the form: the file is evidence, not text in the field.
    description = form.description.viewport()
    drop(description, [a])
    qtbot.waitUntil(lambda: Evidence.select().count() == 1)
    assert form.description.toPlainText() == ""
    # On the second measure's row: the evidence of that measure.
    measures = form.measures.table
    second = list(Measure.select().order_by(Measure.position))[1]
    rect = measures.visualRect(measures.model().index(1, 1))
    body = form.widget()
    pos = body.mapFromGlobal(measures.viewport().mapToGlobal(rect.center()))
    drop(body, [b], pos)
    qtbot.waitUntil(lambda: Evidence.select().count() == 2)
    assert Evidence.get(Evidence.name == "b.docx").measure_id == second.id
    assert table(panel).item(1, 4).text() == "二是"


def test_add_by_dialog_for_a_measure(panel, tmp_path, monkeypatch):
    files = [make_file(tmp_path / f"材料{i}.xlsx", f"data {i}".encode()) for i in range(3)]
    measure = Measure.select().order_by(Measure.position).first()
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(f) for f in files], ""))
    ids = editor(panel).add_dialog(measure.id)
    assert len(ids) == 3
    assert {e.measure_id for e in Evidence.select()} == {measure.id}
    assert panel.stack.count() == 1
    # Through the button, with the item's own (no measure): the file is already the item's, so it asks first.
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(files[0])], ""))
    asked: list[str] = []
    monkeypatch.setattr(
        QMessageBox, "question", lambda _p, _t, text, *a, **k: asked.append(text) or QMessageBox.StandardButton.Yes
    )
    button(panel, "evidence.add").click()
    assert len(asked) == 1 and "材料0.xlsx" in asked[0]
    assert Evidence.select().count() == 4 and Blob.select().count() == 3  # the same bytes are stored once
    assert Evidence.select().order_by(Evidence.id.desc()).first().measure_id is None


def test_context_menus_attach_to_a_measure_and_reassign(panel, tmp_path, monkeypatch):
    def action(menu: QMenu, text: str):
        for act in menu.actions():
            if act.text() == text:
                return act
            if act.menu() is not None and (found := action(act.menu(), text)) is not None:
                return found
        return None

    f = make_file(tmp_path / "研讨记录.docx", b"notes")
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(f)], ""))
    form = panel.current_form
    measures = form.measures.table
    first, second = list(Measure.select().order_by(Measure.position))
    menu = form.measures.context_menu(measures.visualRect(measures.model().index(1, 1)).center())
    action(menu, "为第二条措施添加佐证材料…").trigger()
    assert Evidence.get().measure_id == second.id
    t = table(panel)
    menu = form.evidence.context_menu(t.visualRect(t.model().index(0, 0)).center())
    assert action(menu, "二是：修订制度").isChecked()
    action(menu, "一是：召开专题会议").trigger()
    assert Evidence.get().measure_id == first.id
    assert t.item(0, 4).text() == "一是"


def test_edit_title_kind_date_number_and_measure_in_place(panel, tmp_path, qtbot):
    editor(panel).add_paths([make_file(tmp_path / "会议纪要.docx", b"minutes")])
    ev = Evidence.get()
    t = table(panel)
    stack = panel.stack

    def edit(col: int):
        t.setCurrentCell(0, col)
        t.edit(t.model().index(0, col))
        ed = editor(panel).delegate.editor
        assert ed is not None
        return ed

    # The title: the extension stays, so the file still opens with the right program.
    line = edit(0)
    line.setText("局党组第3次会议纪要")
    editor(panel).commit_pending()
    assert Evidence.get_by_id(ev.id).name == "局党组第3次会议纪要.docx"
    assert t.item(0, 0).text() == "局党组第3次会议纪要.docx"
    combo = edit(1)
    assert isinstance(combo, QComboBox)
    combo.setCurrentIndex(combo.findText("制度"))
    combo.activated.emit(combo.currentIndex())
    assert Evidence.get_by_id(ev.id).kind == "制度"
    date = edit(2)
    date.setValue(None)
    date.dateEdit().setDate(date.dateEdit().date().currentDate().addDays(-1))
    assert Evidence.get_by_id(ev.id).date == dt.date.today() - dt.timedelta(days=1)
    editor(panel).commit_pending()
    line = edit(3)
    line.setText(" 教党〔2021〕3号 ")
    editor(panel).commit_pending()
    assert Evidence.get_by_id(ev.id).doc_number == "教党〔2021〕3号"
    combo = edit(4)
    second = list(Measure.select().order_by(Measure.position))[1]
    combo.setCurrentIndex(combo.findData(second.id))
    combo.activated.emit(combo.currentIndex())
    assert Evidence.get_by_id(ev.id).measure_id == second.id
    last = ChangeLog.select().order_by(ChangeLog.id.desc()).first()
    assert (last.field, last.old, last.new) == ("对应措施", "（不对应具体措施）", "二是：修订制度")
    assert stack.count() == 6
    for _ in range(5):
        stack.undo()
    row = Evidence.get_by_id(ev.id)
    assert (row.name, row.kind, row.doc_number, row.measure_id) == ("会议纪要.docx", "会议记录", "", None)


# --- open, save, replace, remove -------------------------------------------------------------------


def test_open_writes_a_private_read_only_copy(panel, tmp_path, opened):
    data = b"%PDF-1.4 report\n" * 100
    editor(panel).add_paths([make_file(tmp_path / "整改报告.pdf", data)])
    table(panel).selectRow(0)
    button(panel, "evidence.open").click()
    assert len(opened) == 1
    copy = Path(opened[0].toLocalFile())
    assert copy.name == "整改报告.pdf" and copy.read_bytes() == data
    folder = evidence_ui.temp_dir()
    assert folder in copy.parents and folder.name.startswith("rectify-evidence-")
    assert not copy.stat().st_mode & 0o222
    # Opened again: the same copy; gone when the ledger closes.
    editor(panel).open_selected()
    assert Path(opened[1].toLocalFile()) == copy
    evidence_ui.cleanup_temp()
    assert not folder.exists()


def test_double_click_opens(panel, tmp_path, opened):
    editor(panel).add_paths([make_file(tmp_path / "照片.jpg", b"not really a jpeg")])
    t = table(panel)
    t.doubleClicked.emit(t.model().index(0, 0))
    assert len(opened) == 1 and opened[0].toLocalFile().endswith("照片.jpg")


def test_save_copy_elsewhere(panel, tmp_path, monkeypatch):
    data = bytes(range(256)) * 50
    editor(panel).add_paths([make_file(tmp_path / "表格.xlsx", data)])
    target = tmp_path / "out" / "另存的表格"
    target.parent.mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    table(panel).selectRow(0)
    button(panel, "evidence.save").click()
    saved = target.with_name("另存的表格.xlsx")  # the extension is added when the clerk leaves it out
    assert saved.read_bytes() == data
    assert sorted(p.name for p in target.parent.iterdir()) == ["另存的表格.xlsx"]


def test_replace_keeps_the_record_and_undo_brings_the_old_bytes(panel, tmp_path, monkeypatch):
    old = make_file(tmp_path / "方案（初稿）.docx", b"draft")
    editor(panel).add_paths([old])
    ev = Evidence.get()
    panel.bridge.push(ops.set_fields(Evidence, ev.id, {"doc_number": "教发〔2021〕9号"}))
    new = make_file(tmp_path / "方案（定稿）.pdf", b"%PDF final")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(new), ""))
    table(panel).selectRow(0)
    assert button(panel, "evidence.replace").text() == "替换文件…"
    button(panel, "evidence.replace").click()
    row = Evidence.get_by_id(ev.id)
    assert (row.blob_sha256, row.name, row.doc_number) == (sha(new), "方案（初稿）.pdf", "教发〔2021〕9号")
    assert Evidence.select().count() == 1
    assert panel.stack.undoText() == "替换佐证材料文件"
    panel.stack.undo()
    row = Evidence.get_by_id(ev.id)
    assert (row.blob_sha256, row.name) == (sha(old), "方案（初稿）.docx")
    panel.stack.redo()
    assert Evidence.get_by_id(ev.id).blob_sha256 == sha(new)
    assert evidence.prune_blobs() == 1  # when the ledger closes, the replaced bytes go


def test_registered_material_without_file_shows_and_gets_its_file(panel, tmp_path, monkeypatch):
    item = Item.get()
    with db.atomic():  # as an imported ledger names its materials
        Evidence.create(item=item, name="党组会议记录（纸质）", kind="会议记录", blob=None, date=None)
    panel.on_changes([])
    t = table(panel)
    assert t.rowCount() == 1
    assert "未附文件" in t.item(0, 0).data(Qt.ItemDataRole.UserRole + 1)
    t.selectRow(0)
    assert not button(panel, "evidence.open").isEnabled() and not button(panel, "evidence.save").isEnabled()
    assert button(panel, "evidence.replace").text() == "附加文件…"
    scan = make_file(tmp_path / "scan0001.pdf", b"%PDF scan")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(scan), ""))
    t.doubleClicked.emit(t.model().index(0, 0))  # double-click on a material without a file: attach one
    row = Evidence.get()
    assert (row.name, row.blob_sha256, row.kind) == ("党组会议记录（纸质）.pdf", sha(scan), "会议记录")
    assert panel.stack.undoText() == "附加佐证材料文件"
    assert "未附文件" not in t.item(0, 0).data(Qt.ItemDataRole.UserRole + 1)
    panel.stack.undo()
    assert Evidence.get().blob_sha256 is None


def test_remove_asks_and_undo_brings_it_back(panel, tmp_path, boxes):
    seen, answers = boxes
    a = make_file(tmp_path / "a.pdf", b"%PDF a")
    b = make_file(tmp_path / "b.pdf", b"%PDF b")
    editor(panel).add_paths([a, b])
    first = Evidence.get(Evidence.name == "a.pdf")
    table(panel).selectRow(0)
    answers[:] = [False]
    button(panel, "evidence.delete").click()
    assert Evidence.select().count() == 2 and "a.pdf" in seen[-1][2]
    button(panel, "evidence.delete").click()
    assert [e.name for e in Evidence.select()] == ["b.pdf"]
    assert Blob.get_or_none(Blob.sha256 == sha(a)) is not None  # kept until the ledger closes, for undo
    assert table(panel).rowCount() == 1
    panel.stack.undo()
    back = Evidence.get(Evidence.name == "a.pdf")
    assert (back.id, back.blob_sha256, back.position) == (first.id, sha(a), first.position)
    assert table(panel).rowCount() == 2
    panel.stack.redo()
    assert evidence.prune_blobs() == 1 and Blob.select().count() == 1


# --- refusals: a clear message, the ledger as it was -----------------------------------------------


def test_folder_dropped_is_refused(panel, tmp_path, boxes, qtbot):
    seen, _ = boxes
    folder = tmp_path / "扫描件"
    folder.mkdir()
    before = snapshot()
    drop(editor(panel), [folder])
    qtbot.waitUntil(lambda: bool(seen))
    kind, _title, text = seen[0]
    assert kind == "warning" and "是一个文件夹" in text and "台账未作任何改动" in text
    assert snapshot() == before and panel.stack.count() == 0


def test_file_over_the_size_limit_is_refused(panel, tmp_path, boxes, small_ledger):
    seen, _ = boxes
    with db.atomic():
        Setting.create(key="evidence_max_mb", value="1")
    big = make_file(tmp_path / "扫描件.pdf", b"x" * (1 << 20 | 1))
    before = snapshot()
    editor(panel).add_paths([big])
    assert snapshot() == before and panel.stack.count() == 0
    assert "超过了佐证材料的大小上限 1.0 MB" in seen[0][2]


def test_unreadable_file_is_refused(panel, tmp_path, boxes, monkeypatch):
    seen, _ = boxes
    locked = make_file(tmp_path / "被占用.docx", b"locked by another program")
    real_open = Path.open

    def guarded(self, *a, **k):
        if self == locked:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *a, **k)

    monkeypatch.setattr(Path, "open", guarded)
    before = snapshot()
    editor(panel).add_paths([locked])
    assert snapshot() == before and panel.stack.count() == 0
    assert "没有权限读取文件“被占用.docx”" in seen[0][2]


def test_some_good_files_some_bad_asks_first(panel, tmp_path, boxes):
    seen, answers = boxes
    good = make_file(tmp_path / "好.pdf", b"%PDF good")
    answers[:] = [False]
    editor(panel).add_paths([good, tmp_path / "没有这个文件.pdf"])
    assert Evidence.select().count() == 0 and seen[-1][0] == "question" and "找不到文件" in seen[-1][2]
    answers[:] = [True]
    editor(panel).add_paths([good, tmp_path / "没有这个文件.pdf"])
    assert [e.name for e in Evidence.select()] == ["好.pdf"]


def test_disk_full_while_storing_leaves_the_ledger_as_it_was(panel, tmp_path, boxes, monkeypatch):
    seen, _ = boxes
    editor(panel).add_paths([make_file(tmp_path / "已有.pdf", b"%PDF already there")])
    before = snapshot()
    stack_before = panel.stack.count()
    calls = []
    real = evidence._insert_chunk

    def failing(sha, seq, data):
        calls.append(seq)
        if len(calls) == 3:  # mid-way through the second file
            raise sqlite3.OperationalError("database or disk is full")
        real(sha, seq, data)

    monkeypatch.setattr(evidence, "_insert_chunk", failing)
    first = make_file(tmp_path / "一.pdf", os.urandom(evidence.CHUNK_SIZE + 10))
    second = make_file(tmp_path / "二.pdf", os.urandom(2 * evidence.CHUNK_SIZE))
    editor(panel).add_paths([first, second])
    assert len(calls) == 3
    assert snapshot() == before and panel.stack.count() == stack_before
    kind, title, text = seen[-1]
    assert kind == "critical" and "磁盘空间不足" in text and "台账未作任何改动" in text
    assert table(panel).rowCount() == 1
    # And the ledger still works afterwards.
    monkeypatch.setattr(evidence, "_insert_chunk", real)
    editor(panel).add_paths([first])
    assert Evidence.select().count() == 2


@pytest.mark.qt_log_ignore("This plugin does not support")
def test_large_add_shows_progress_keeps_the_window_live_and_cancel_rolls_back(panel, tmp_path, boxes, qtbot):
    seen, _ = boxes
    size = 3 * evidence_ui.PROGRESS_MIN_BYTES
    big = make_file(tmp_path / "扫描件.pdf", os.urandom(size))
    ticks = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(0)
    shown = []

    def cancel_when_half_way():
        d = QApplication.activeModalWidget()
        if isinstance(d, QProgressDialog):
            shown.append(d.labelText())
            if d.value() > 600:
                d.cancel()
                return
        QTimer.singleShot(5, cancel_when_half_way)

    QTimer.singleShot(0, cancel_when_half_way)
    before = snapshot()
    editor(panel).add_paths([big])
    timer.stop()
    assert shown and any("正在存入台账" in s for s in shown)
    assert len(ticks) >= 2  # the event loop ran (timers, paints) while the file was stored
    assert snapshot() == before and panel.stack.count() == 0
    assert not [s for s in seen if s[0] == "critical"]  # a cancel is no error
    assert QApplication.activeModalWidget() is None
    # Without a cancel, the same file goes in, and the progress dialog is gone afterwards.
    editor(panel).add_paths([big])
    assert Evidence.get().blob_sha256 == sha(big)
    assert panel.findChild(QProgressDialog) is None or not panel.findChild(QProgressDialog).isVisible()


def test_readonly_form_takes_no_files(panel, tmp_path, monkeypatch):
    f = make_file(tmp_path / "a.pdf", b"%PDF")
    panel.set_readonly(True)
    for name in ("evidence.add", "evidence.replace", "evidence.delete"):
        assert not button(panel, name).isEnabled()
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(f))])
    assert not editor(panel).accepts(mime)
    assert editor(panel).add_paths([f]) == []
    assert Evidence.select().count() == 0


def test_empty_item_shows_the_drop_zone(panel):
    zone = panel.findChild(QLabel, "evidence.zone")
    assert zone.isVisible() and "拖放到这里" in zone.text()
    assert table(panel).isHidden()


# --- the window --------------------------------------------------------------------------------------


def test_window_exports_the_evidence_package(window, demo_path, tmp_path, boxes, monkeypatch):
    import zipfile

    seen, _ = boxes
    window.open_ledger(demo_path)
    out = tmp_path / "交巡察办" / "佐证材料包"
    out.parent.mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    from rectify_desktop.ui.done_box import DoneBox

    done: list[DoneBox] = []
    monkeypatch.setattr(DoneBox, "exec", lambda box: done.append(box) or 0)
    result = evidence_ui.export_zip(window)
    assert result == out.with_name("佐证材料包.zip")
    names = zipfile.ZipFile(result).namelist()
    assert "目录.xlsx" in names and len([n for n in names if n.count("/") == 3]) == 7
    assert "共 7 个文件" in done[-1].what_label.text() and "2 项" in done[-1].notes_label.text()
    # A place that cannot be written: a message, nothing left behind.
    blocker = tmp_path / "不是文件夹"
    blocker.write_text("x")
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(blocker / "包.zip"), ""))
    assert evidence_ui.export_zip(window) is None
    assert seen[-1][0] == "critical" and "文件夹不存在" in seen[-1][2]


def test_window_item_form_adds_through_the_window_undo(window, demo_path, tmp_path, qtbot):
    from rectify_desktop.core.outline import ITEM

    window.open_ledger(demo_path)
    item = Item.select().where(Item.status == "未启动").first()
    window.select(ITEM, item.id)
    f = make_file(tmp_path / "推进会照片.png", demo_png("building"))
    drop(window.panel.current_form.evidence, [f])
    qtbot.waitUntil(lambda: Evidence.select().where(Evidence.item == item.id).count() == 1)
    window.actions["undo"].trigger()
    assert Evidence.select().where(Evidence.item == item.id).count() == 0
    window.actions["redo"].trigger()
    assert Evidence.get(Evidence.item == item.id).blob_sha256 == sha(f)


def test_a_file_the_item_already_holds_is_not_added_twice_without_asking(panel, tmp_path, boxes):
    """Issue 12, point 13: the same bytes under any name are recognised; 否 leaves the copy out, 是 adds it."""
    seen, answers = boxes
    first = make_file(tmp_path / "会议纪要.pdf", b"%PDF minutes")
    other = make_file(tmp_path / "通知.pdf", b"%PDF notice")
    editor(panel).add_paths([first])
    assert Evidence.select().count() == 1
    again = make_file(tmp_path / "改了名的纪要.pdf", b"%PDF minutes")
    answers[:] = [False]
    editor(panel).add_paths([again, other])
    assert seen[-1][0] == "question" and "会议纪要.pdf" in seen[-1][2] and "改了名的纪要.pdf" in seen[-1][2]
    assert sorted(e.name for e in Evidence.select()) == ["会议纪要.pdf", "通知.pdf"]
    answers[:] = [True]
    editor(panel).add_paths([again])
    assert sorted(e.name for e in Evidence.select()) == ["会议纪要.pdf", "改了名的纪要.pdf", "通知.pdf"]
    asked = len([s for s in seen if s[0] == "question"])
    editor(panel).add_paths([make_file(tmp_path / "新的.pdf", b"%PDF new")])  # nothing held: no question
    assert len([s for s in seen if s[0] == "question"]) == asked
