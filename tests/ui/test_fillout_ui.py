"""文件 → 下发填报表 / 回收填报表 through the real main window on the demo ledger (issue 15).

Only the modal pieces are replaced (the dialogs' exec, the open-file dialog): the send dialog is filled in and
its 生成填报表 clicked, the workbooks written by the real export are answered with openpyxl in their unlocked
cells, and the merge dialog is looked at and clicked as the clerk would. The ledger is read back after the
merge and after one Ctrl+Z."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox

from rectify_desktop.core import ops
from rectify_desktop.core.fillout import round_groups
from rectify_desktop.core.models import DONE, FillOutRound, Item, Measure
from rectify_desktop.ui import fillout_ui
from rectify_desktop.ui.fillout_merge_dialog import MergeDialog
from rectify_desktop.ui.fillout_ui import SendDialog, SentBox
from tests.io.test_fillout import answer, sendable, snapshot


@pytest.fixture
def demo_window(window, demo_path: Path):  # noqa: ANN001, ANN201
    assert window.open_ledger(demo_path)
    return window


@pytest.fixture
def errors(monkeypatch):  # noqa: ANN001, ANN201
    seen: list[str] = []

    def box(_parent, _title, text, *a, **k):  # noqa: ANN001, ANN002, ANN003, ANN202
        seen.append(text)
        return QMessageBox.StandardButton.Ok

    for name in ("critical", "warning", "information"):
        monkeypatch.setattr(QMessageBox, name, box)
    return seen


def send(w, monkeypatch: pytest.MonkeyPatch, out: Path) -> dict[str, Path]:  # noqa: ANN001
    """下发填报表 from the menu, by department, into `out`; returns the workbooks by department."""
    seen: dict[str, object] = {}

    def exec_(dlg: SendDialog) -> int:
        dlg.show()
        dlg.by_buttons["department"].setChecked(True)
        dlg.folder_edit.setText(str(out))
        seen["preview"] = dlg.preview_label.text()
        dlg.ok_button.click()
        return dlg.result()

    def done(box: SentBox) -> int:
        seen["box"] = box
        return 0

    monkeypatch.setattr(SendDialog, "exec", exec_)
    monkeypatch.setattr(SentBox, "exec", done)
    w.actions["fill_out"].trigger()
    monkeypatch.undo()
    groups, nobody = round_groups(w.current_inspection_id(), "department")
    items = len({i for ids in groups.values() for i in ids})
    assert seen["preview"].startswith(f"将生成 {len(groups)} 个填报表（共 {items} 项细化问题")
    box = seen["box"]
    assert isinstance(box, SentBox) and f"已生成 {len(groups)} 个填报表" in box.what_label.text()
    books = {p.name.split("-")[0]: p for p in out.glob("*.xlsx")}
    assert set(books) == set(groups)
    return books


def merge(w, monkeypatch: pytest.MonkeyPatch, paths: list[Path], act) -> list[MergeDialog]:  # noqa: ANN001
    """回收填报表 from the menu with `paths` chosen; `act(dlg)` looks at the real dialog and clicks."""
    shown: list[MergeDialog] = []
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(p) for p in paths], ""))

    def exec_(dlg: MergeDialog) -> int:
        shown.append(dlg)
        dlg.show()
        act(dlg)
        return dlg.result()

    monkeypatch.setattr(MergeDialog, "exec", exec_)
    w.actions["merge_returns"].trigger()
    return shown


def open_item(group: str) -> int | None:
    """An item sent only to `group`, not completed, whose first measure is not ticked."""
    for iid in sendable(group):
        first = Measure.select().where(Measure.item == iid).order_by(Measure.position, Measure.id).first()
        if first is not None and not first.done and Item.get_by_id(iid).status != DONE:
            return iid
    return None


def two_open_items(books: dict[str, Path]) -> list[tuple[str, int]]:
    """Two departments, each with an open item of its own."""
    found = [(g, open_item(g)) for g in books]
    found = [(g, i) for g, i in found if i is not None]
    assert len(found) >= 2, found
    return found[:2]


def listed(dlg: MergeDialog) -> set[tuple[int, str]]:
    return {(f.item_id, f.field) for f in dlg.plan.fields() if f.id in dlg.field_items}


def test_send_round_writes_the_workbooks_and_records_the_round_off_the_undo_stack(
    demo_window, tmp_path, monkeypatch, errors
) -> None:  # noqa: ANN001
    w = demo_window
    steps = w.undo_stack.count()
    books = send(w, monkeypatch, tmp_path / "填报表")
    assert not errors
    for path in books.values():
        assert openpyxl.load_workbook(path).sheetnames[:2] == ["填报表", "填报说明"]
    assert FillOutRound.select().count() == 1
    assert w.undo_stack.count() == steps  # undoing the round would orphan the files sent
    assert w.settings.value(fillout_ui.FOLDER_KEY, "", str) == str(tmp_path / "填报表")


def test_merge_lists_exactly_the_answers_applies_the_ticked_ones_and_one_undo_removes_them(
    demo_window, tmp_path, monkeypatch, errors
) -> None:  # noqa: ANN001
    w = demo_window
    books = send(w, monkeypatch, tmp_path / "out")
    (g1, fin), (g2, office) = two_open_items(books)
    answer(books[g1], fin, 整改进展="第一个部门已完成清理", 完成情况="已完成", 措施1="已完成")
    answer(books[g2], office, 整改进展="第二个部门正在推进", 备注="下周报送")
    first = Measure.select().where(Measure.item == fin).order_by(Measure.position, Measure.id).first()
    before = snapshot()
    steps = w.undo_stack.count()

    def act(dlg: MergeDialog) -> None:
        assert listed(dlg) == {
            (fin, "progress"),
            (fin, "status"),
            (fin, f"measure:{first.id}"),
            (office, "progress"),
            (office, "remarks"),
        }
        assert not dlg.plan.conflicts and not dlg.refused_list.count()
        assert dlg.accepted() == dlg.plan.default_accepted()
        remarks = next(f for f in dlg.plan.fields() if f.field == "remarks")
        dlg.field_items[remarks.id].setCheckState(0, Qt.CheckState.Unchecked)
        assert dlg.entry_items[remarks.id.rsplit(":", 1)[0]].checkState(0) == Qt.CheckState.PartiallyChecked
        dlg.merge_button.click()

    assert len(merge(w, monkeypatch, [books[g1], books[g2]], act)) == 1
    assert not errors
    it = Item.get_by_id(fin)
    assert it.progress == "第一个部门已完成清理" and it.status == DONE
    assert Measure.get_by_id(first.id).done is True
    off = Item.get_by_id(office)
    assert off.progress == "第二个部门正在推进" and off.remarks == before["items"][office][3]  # 备注 not accepted
    after = snapshot()
    assert {i for i in before["items"] if before["items"][i] != after["items"][i]} == {fin, office}
    assert w.undo_stack.count() == steps + 1
    assert w.statusBar().currentMessage() == "已合并 2 项细化问题的 4 处改动（可撤销）"
    w.undo_stack.undo()
    assert snapshot() == before


def test_a_conflict_is_shown_unticked_with_its_message_and_nothing_ticked_applies_nothing(
    demo_window, tmp_path, monkeypatch, errors
) -> None:  # noqa: ANN001
    w = demo_window
    books = send(w, monkeypatch, tmp_path / "out")
    ((group, iid),) = two_open_items(books)[:1]
    assert w.bridge.push(ops.set_fields(Item, iid, {"progress": "台账里后来改的"}))
    answer(books[group], iid, 整改进展="部门填的进展")
    before = snapshot()
    steps = w.undo_stack.count()

    def act(dlg: MergeDialog) -> None:
        (f,) = dlg.plan.fields()
        row = dlg.field_items[f.id]
        assert row.checkState(0) == Qt.CheckState.Unchecked
        assert row.foreground(0).color().red() > 150  # shown in red
        shown = dlg.message_for(f.id)
        assert "下发后台账中已修改" in shown and "台账里后来改的" in shown and "部门填的进展" in shown
        assert dlg.accepted() == set()
        dlg.merge_button.click()

    merge(w, monkeypatch, [books[group]], act)
    assert snapshot() == before
    assert w.undo_stack.count() == steps
    assert "未合并任何改动" in w.statusBar().currentMessage()


def test_a_workbook_that_is_no_returned_form_is_listed_with_its_reason(
    demo_window, tmp_path, monkeypatch, errors
) -> None:  # noqa: ANN001
    w = demo_window
    stray = tmp_path / "随便一个表.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "姓名"
    wb.save(stray)
    before = snapshot()
    steps = w.undo_stack.count()

    def act(dlg: MergeDialog) -> None:
        assert dlg.refused_list.count() == 1
        text = dlg.refused_list.item(0).text()
        assert "随便一个表.xlsx" in text and re.search("不是下发的填报表", text)
        assert not dlg.field_items
        dlg.merge_button.click()

    merge(w, monkeypatch, [stray], act)
    assert snapshot() == before and w.undo_stack.count() == steps


def test_read_only_ledger_cannot_send_or_merge(window, demo_path) -> None:  # noqa: ANN001
    assert window.open_ledger(demo_path, readonly=True)
    assert not window.actions["merge_returns"].isEnabled()
    assert not window.actions["fill_out"].isEnabled()


def test_two_departments_answers_one_is_chosen_and_applied(demo_window, tmp_path, monkeypatch, errors) -> None:  # noqa: ANN001
    w = demo_window
    books = send(w, monkeypatch, tmp_path / "out")
    joint = Item.get(Item.department == "基础教育股、办公室").id
    answer(books["基础教育股"], joint, 整改进展="基础教育股的说法")
    answer(books["办公室"], joint, 整改进展="办公室的说法")

    def act(dlg: MergeDialog) -> None:
        ours = {f.new: f.id for f in dlg.plan.fields()}
        assert set(ours) == {"基础教育股的说法", "办公室的说法"}
        assert dlg.accepted() == set()
        assert "填写不同" in dlg.message_for(ours["办公室的说法"])
        first, second = dlg.field_items[ours["基础教育股的说法"]], dlg.field_items[ours["办公室的说法"]]
        first.setCheckState(0, Qt.CheckState.Checked)
        second.setCheckState(0, Qt.CheckState.Checked)  # only one answer can be the ledger's
        assert dlg.accepted() == {ours["办公室的说法"]}
        dlg.reject_all_button.click()
        assert dlg.accepted() == set()
        dlg.accept_clean_button.click()
        assert dlg.accepted() == set()  # both are conflicts: neither is taken without the clerk
        second.setCheckState(0, Qt.CheckState.Checked)
        dlg.merge_button.click()

    merge(w, monkeypatch, [books["基础教育股"], books["办公室"]], act)
    assert not errors
    assert Item.get_by_id(joint).progress == "办公室的说法"
    assert w.statusBar().currentMessage() == "已合并 1 项细化问题的 1 处改动（可撤销）"


def test_escape_cancels_the_merge_and_the_ledger_stays(demo_window, tmp_path, monkeypatch, errors, qtbot) -> None:  # noqa: ANN001
    w = demo_window
    books = send(w, monkeypatch, tmp_path / "out")
    ((group, iid),) = two_open_items(books)[:1]
    answer(books[group], iid, 整改进展="部门填的进展")
    before = snapshot()
    steps = w.undo_stack.count()

    def act(dlg: MergeDialog) -> None:
        assert dlg.accepted()
        assert dlg.merge_button.isDefault()  # Enter merges
        dlg.tree.setFocus()
        qtbot.keyClick(dlg.tree, Qt.Key.Key_Escape)

    merge(w, monkeypatch, [books[group]], act)
    assert snapshot() == before and w.undo_stack.count() == steps


def test_workbooks_returned_without_a_change_are_registered_as_returned(
    demo_window, tmp_path, monkeypatch, errors
) -> None:  # noqa: ANN001
    from rectify_desktop.core.models import FillOutReturn

    w = demo_window
    books = send(w, monkeypatch, tmp_path / "out")
    two = list(books.values())[:2]

    def act(dlg: MergeDialog) -> None:
        assert not dlg.field_items and dlg.merge_button.text() == "登记交回（无改动）"
        dlg.merge_button.click()

    merge(w, monkeypatch, two, act)
    assert FillOutReturn.select().count() == 2
    assert "已登记 2 个交回的填报表" in w.statusBar().currentMessage()
    w.undo_stack.undo()
    assert FillOutReturn.select().count() == 0


def test_a_send_that_cannot_write_says_why_and_records_nothing(demo_window, tmp_path, monkeypatch, errors) -> None:  # noqa: ANN001
    w = demo_window
    blocker = tmp_path / "是个文件"
    blocker.write_text("x")

    def exec_(dlg: SendDialog) -> int:
        dlg.folder_edit.setText(str(blocker / "填报表"))
        dlg.ok_button.click()
        return dlg.result()

    monkeypatch.setattr(SendDialog, "exec", exec_)
    monkeypatch.setattr(SentBox, "exec", lambda box: pytest.fail("no success message"))
    w.actions["fill_out"].trigger()
    assert len(errors) == 1 and "台账未改动" in errors[0] and "无法建立文件夹" in errors[0], errors
    assert FillOutRound.select().count() == 0


def test_the_send_dialog_offers_a_folder_beside_the_ledger_and_counts_by_leader(demo_window) -> None:  # noqa: ANN001
    w = demo_window
    nobody = open_item("财务股")
    assert w.bridge.push(ops.set_fields(Item, nobody, {"department": ""}))
    dlg = SendDialog(w, w.current_inspection_id(), fillout_ui._send_folder(w))
    try:
        assert dlg.folder().parent == w.ledger.path.parent and dlg.folder().name.startswith("整改进展填报表-")
        assert dlg.preview_label.text().endswith("；1 项未明确责任部门，不下发）"), dlg.preview_label.text()
        dlg.by_buttons["leader"].setChecked(True)
        groups, _ = round_groups(w.current_inspection_id(), "leader")
        assert dlg.preview_label.text().startswith(f"将生成 {len(groups)} 个填报表")
        assert dlg.groups_label.text().startswith("责任领导：")
    finally:
        dlg.deleteLater()


def test_enter_in_the_list_merges_the_ticked_changes(demo_window, tmp_path, monkeypatch, errors, qtbot) -> None:  # noqa: ANN001
    w = demo_window
    books = send(w, monkeypatch, tmp_path / "out")
    ((group, iid),) = two_open_items(books)[:1]
    answer(books[group], iid, 备注="按期报送")

    def act(dlg: MergeDialog) -> None:
        dlg.tree.setFocus()
        dlg.tree.setCurrentItem(next(iter(dlg.field_items.values())))
        assert "按期报送" in dlg.detail.toPlainText()
        qtbot.keyClick(dlg.tree, Qt.Key.Key_Return)

    merge(w, monkeypatch, [books[group]], act)
    assert Item.get_by_id(iid).remarks == "按期报送"
