"""The monthly round (issue 15): 下发填报表 (io/fillout_export) and 回收合并 (io/fillout_merge + core/fillout).

Real demo ledgers, real workbooks written by the export and answered with openpyxl in their unlocked cells,
real merges through the one door; each conflict is asserted by its message, and a ledger from which nothing
was accepted is compared by its SHA-256 with the file before the merge."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from pathlib import Path

import openpyxl
import pytest

from rectify_desktop.core import ops, settings
from rectify_desktop.core.commands import written_off_items_under
from rectify_desktop.core.fillout import apply_plan
from rectify_desktop.core.ledger import Ledger
from rectify_desktop.core.models import (
    DONE,
    ChangeLog,
    Evidence,
    FillOutReturn,
    FillOutRound,
    Inspection,
    Item,
    Measure,
)
from rectify_desktop.io.fillout_export import DATA_SHEET, KEY_HEADER, MAIN_SHEET, export_round
from rectify_desktop.io.fillout_merge import read_returns

TODAY = dt.date(2026, 12, 1)


def sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def snapshot() -> dict:
    items = {i.id: (i.progress, i.status, i.completed_date, i.remarks, i.title, i.department) for i in Item.select()}
    measures = {m.id: (m.done, m.done_date, m.text) for m in Measure.select()}
    evidence = sorted((e.item_id, e.name) for e in Evidence.select())
    return {"items": items, "measures": measures, "evidence": evidence}


def columns(ws) -> tuple[int, dict[str, int]]:  # noqa: ANN001
    """The header row of a 填报表 and its columns by header text."""
    for r in range(1, 10):
        heads = {str(c.value).split("\n")[0]: c.column for c in ws[r] if c.value}
        if KEY_HEADER in heads:
            return r, heads
    raise AssertionError("no header")


def rows_by_item(ws) -> dict[int, int]:  # noqa: ANN001
    head, cols = columns(ws)
    out = {}
    for r in range(head + 1, ws.max_row + 1):
        key = ws.cell(r, cols[KEY_HEADER]).value
        if key:
            out[int(str(key).split("-")[0])] = r
    return out


def answer(path: Path, item_id: int, **cells: object) -> None:
    """Writes answers into the row of `item_id`, by header text (整改进展=…, 措施1=…)."""
    wb = openpyxl.load_workbook(path)
    ws = wb[MAIN_SHEET]
    _, cols = columns(ws)
    r = rows_by_item(ws)[item_id]
    for head, value in cells.items():
        cell = ws.cell(r, cols[head])
        assert cell.protection.locked is False or head in ("细化问题",), head
        cell.value = value
    wb.save(path)


@pytest.fixture
def demo(demo_path: Path):
    led = Ledger.open(demo_path)
    yield led
    if Ledger._current is not None and not Ledger._current.closed:
        Ledger._current.close()


def export(led: Ledger, out: Path, by: str = "department", today: dt.date = TODAY) -> dict[str, Path]:
    paths = export_round(led, out, by=by, today=today)
    return {p.name.split("-")[0]: p for p in paths}


def sendable(group: str) -> list[int]:
    """The items naming only `group`, not written off (those go to nobody), in id order."""
    held = set(written_off_items_under(Inspection, Inspection.select().first().id))
    return [i.id for i in Item.select().where(Item.department == group).order_by(Item.id) if i.id not in held]


def single_item(group: str) -> int:
    return sendable(group)[0]


def current() -> Ledger:
    assert Ledger._current is not None
    return Ledger._current


def untouched(*paths: Path):  # noqa: ANN201 - a MergePlan
    """read_returns with the ledger closed before and after: reading, with nothing accepted, must leave the
    ledger's file byte for byte as it was (SHA-256). The ledger is open again afterwards."""
    path = current().path
    current().close()
    base = sha(path)
    led = Ledger.open(path)
    plan = read_returns(list(paths))
    led.close()
    assert sha(path) == base
    Ledger.open(path)
    return plan


# --- out ----------------------------------------------------------------------------------------------


def test_one_workbook_per_department_with_its_items_locked_context_and_keys(demo, tmp_path) -> None:
    books = export(demo, tmp_path / "out")
    assert "财务股" in books and "基础教育股" in books
    assert books["财务股"].name == "财务股-整改进展填报-2026年12月1日.xlsx"
    joint = Item.get(Item.department == "基础教育股、办公室").id
    wb = openpyxl.load_workbook(books["基础教育股"])
    assert wb.sheetnames[:2] == [MAIN_SHEET, "填报说明"]
    assert wb[DATA_SHEET].sheet_state == "veryHidden"
    ws = wb[MAIN_SHEET]
    assert ws.protection.sheet is True
    head, cols = columns(ws)
    assert ws.column_dimensions[openpyxl.utils.get_column_letter(cols[KEY_HEADER])].hidden
    mine = rows_by_item(ws)
    held = set(written_off_items_under(Inspection, demo.inspections()[0].id))
    expected = {i.id for i in Item.select() if "基础教育股" in i.department.split("、") and i.id not in held}
    assert set(mine) == expected and joint in mine
    r = mine[joint]
    for locked in ("方面", "问题", "细化问题", "整改措施", "整改时限"):
        assert ws.cell(r, cols[locked]).protection.locked is not False, locked
    for free in ("整改进展", "完成情况", "完成时间", "佐证材料", "备注", "措施1"):
        assert ws.cell(r, cols[free]).protection.locked is False, free
    kinds = {dv.type for dv in ws.data_validations.dataValidation}
    assert {"list", "date"} <= kinds
    assert ws.page_setup.orientation == "landscape" and ws.print_title_rows
    guide = "\n".join(str(c.value) for row in wb["填报说明"].iter_rows() for c in row if c.value)
    assert "完成情况" in guide and "请勿" in guide
    rnd = FillOutRound.get()
    assert rnd.by == "department" and "基础教育股" in json.loads(rnd.groups)
    assert settings.get("ledger_id")


def test_a_failed_write_leaves_no_round_and_no_file(demo, tmp_path, monkeypatch) -> None:
    """The disk fills up at the third workbook: no workbook is left (the first two were still under their
    temporary names), no round is recorded, the ledger has no identity yet."""
    import errno

    from openpyxl import Workbook

    from rectify_desktop.core.storage import LedgerError

    real, calls = Workbook.save, []

    def failing(self, filename):  # noqa: ANN001, ANN202
        calls.append(filename)
        if len(calls) == 3:
            raise OSError(errno.ENOSPC, "No space left on device", str(filename))
        return real(self, filename)

    monkeypatch.setattr(Workbook, "save", failing)
    out = tmp_path / "out"
    with pytest.raises(LedgerError, match="磁盘空间不足"):
        export_round(demo, out, today=TODAY)
    assert len(calls) == 3
    assert list(out.iterdir()) == []
    assert FillOutRound.select().count() == 0
    assert settings.get("ledger_id") == ""


# --- back: the round trip ----------------------------------------------------------------------------


def test_round_trip_applies_exactly_the_answers_as_one_undoable_step(demo, tmp_path) -> None:
    books = export(demo, tmp_path / "out")
    before = snapshot()
    edited: dict[int, str] = {}
    for group, path in books.items():
        mine = sendable(group)
        if not mine:
            continue
        answer(path, mine[0], 整改进展=f"{group}已召开专题会议", 完成情况="已完成", 措施1="已完成")
        edited[mine[0]] = group
    assert len(edited) >= 5
    plan = untouched(*books.values())
    assert not plan.refused and not plan.conflicts, [c.message for c in plan.conflicts]
    cmd = apply_plan(plan, plan.default_accepted())
    current().apply(cmd)
    after = snapshot()
    for iid, group in edited.items():
        it = Item.get_by_id(iid)
        assert it.progress == f"{group}已召开专题会议" and it.status == DONE and it.completed_date is not None
        first = Measure.select().where(Measure.item == iid).order_by(Measure.position, Measure.id).first()
        assert after["measures"][first.id][0] is True
    changed_items = {i for i in before["items"] if before["items"][i] != after["items"][i]}
    changed_measures = {m for m in before["measures"] if before["measures"][m] != after["measures"][m]}
    assert changed_items == set(edited)
    assert {Measure.get_by_id(m).item_id for m in changed_measures} <= set(edited)
    assert after["evidence"] == before["evidence"]
    assert FillOutReturn.select().count() == len(books)
    batch = ChangeLog.select().order_by(ChangeLog.id.desc()).first().batch
    summaries = " ".join(r.summary for r in ChangeLog.select().where(ChangeLog.batch == batch))
    for group, path in books.items():
        if group in edited.values():
            assert group in summaries and path.name in summaries
    current().revert(cmd)
    assert snapshot() == before
    assert FillOutReturn.select().count() == 0


# --- back: conflicts, each with its message, the ledger unchanged --------------------------------------


def test_item_changed_in_the_ledger_since_sent_shows_both(demo, tmp_path) -> None:
    books = export(demo, tmp_path / "out")
    iid = single_item("财务股")
    current().apply(ops.set_fields(Item, iid, {"progress": "台账里后来改的"}))
    answer(books["财务股"], iid, 整改进展="部门填的进展")
    plan = untouched(books["财务股"])
    msgs = [c.message for c in plan.conflicts]
    assert any("下发后台账中已修改" in m and "台账里后来改的" in m and "部门填的进展" in m for m in msgs), msgs
    assert not plan.default_accepted()


def test_two_departments_answering_one_item_differently(demo, tmp_path) -> None:
    books = export(demo, tmp_path / "out")
    joint = Item.get(Item.department == "基础教育股、办公室").id
    answer(books["基础教育股"], joint, 整改进展="基础教育股的说法")
    answer(books["办公室"], joint, 整改进展="办公室的说法")
    plan = untouched(books["基础教育股"], books["办公室"])
    msgs = [c.message for c in plan.conflicts]
    assert any("基础教育股" in m and "办公室" in m and "填写不同" in m for m in msgs), msgs
    assert not plan.default_accepted()
    # The clerk takes one of the two: that one is applied.
    pick = next(f for e in plan.entries for f in e.fields if f.new == "办公室的说法")
    current().apply(apply_plan(plan, {pick.id}))
    assert Item.get_by_id(joint).progress == "办公室的说法"


def test_same_answer_from_both_departments_is_no_conflict(demo, tmp_path) -> None:
    books = export(demo, tmp_path / "out")
    joint = Item.get(Item.department == "基础教育股、办公室").id
    answer(books["基础教育股"], joint, 备注="共同答复")
    answer(books["办公室"], joint, 备注="共同答复")
    plan = untouched(books["基础教育股"], books["办公室"])
    assert not plan.conflicts
    current().apply(apply_plan(plan, plan.default_accepted()))
    assert Item.get_by_id(joint).remarks == "共同答复"


def test_workbook_of_another_ledger_is_refused(demo, tmp_path) -> None:
    from rectify_desktop.core.demo import make_demo

    export(demo, tmp_path / "ours")
    path = demo.path
    demo.close()
    other = make_demo(tmp_path / "另一本.db")
    with Ledger.open(other) as led2:
        books = export(led2, tmp_path / "other")
    Ledger.open(path)
    plan = untouched(books["财务股"])
    assert [r.name for r in plan.refused] == [books["财务股"].name]
    assert "另一本台账" in plan.refused[0].refused


def test_row_key_of_another_inspection(demo, tmp_path) -> None:
    books = export(demo, tmp_path / "out")
    insp2 = current().apply(ops.add_inspection("第二次巡察"))[0].id
    cat = current().apply(ops.add_category(insp2, "方面"))[0].id
    fin = current().apply(ops.add_finding(cat, "问题"))[0].id
    foreign = current().apply(ops.add_item(fin, "别的巡察的细化问题"))[0].id
    iid = single_item("财务股")
    wb = openpyxl.load_workbook(books["财务股"])
    ws = wb[MAIN_SHEET]
    _, cols = columns(ws)
    r = rows_by_item(ws)[iid]
    key = ws.cell(r, cols[KEY_HEADER])
    key.value = f"{foreign}-" + str(key.value).split("-", 1)[1]
    wb.save(books["财务股"])
    plan = untouched(books["财务股"])
    msgs = [c.message for c in plan.conflicts]
    assert any("另一次巡察" in m for m in msgs), msgs
    assert any("删除" in m for m in msgs), msgs  # the row of iid is gone with its key


def test_unknown_round_is_refused(demo, tmp_path) -> None:
    books = export(demo, tmp_path / "out")
    FillOutRound.update(token="换掉了").execute()
    plan = untouched(books["财务股"])
    assert plan.refused and "下发轮次" in plan.refused[0].refused


def test_rows_deleted_added_and_moved(demo, tmp_path) -> None:
    books = export(demo, tmp_path / "out")
    path = books["办公室"]
    wb = openpyxl.load_workbook(path)
    ws = wb[MAIN_SHEET]
    ws.protection.sheet = False
    head, cols = columns(ws)
    rows = rows_by_item(ws)
    ids = list(rows)
    moved_a, moved_b, gone = ids[0], ids[1], ids[2]
    ra, rb = rows[moved_a], rows[moved_b]
    for c in range(1, ws.max_column + 1):  # swap two rows whole: their keys go with them
        a, b = ws.cell(ra, c), ws.cell(rb, c)
        a.value, b.value = b.value, a.value
    ws.cell(rb, cols["整改进展"]).value = "换了位置也要合并"
    ws.delete_rows(rows[gone])
    ws.cell(ws.max_row + 1, cols["细化问题"]).value = "自己加的一行"
    wb.save(path)
    plan = untouched(path)
    msgs = [c.message for c in plan.conflicts]
    assert any("删除" in m for m in msgs), msgs
    assert any("新增" in m and "自己加的一行" in m for m in msgs), msgs
    notes = " ".join(plan.notes)
    assert "移动" in notes and "键完好" in notes
    accepted = plan.default_accepted()
    current().apply(apply_plan(plan, accepted))
    assert Item.get_by_id(moved_a).progress == "换了位置也要合并"


def test_locked_column_changed_is_held(demo, tmp_path) -> None:
    books = export(demo, tmp_path / "out")
    iid = single_item("财务股")
    wb = openpyxl.load_workbook(books["财务股"])
    ws = wb[MAIN_SHEET]
    ws.protection.sheet = False
    _, cols = columns(ws)
    r = rows_by_item(ws)[iid]
    ws.cell(r, cols["细化问题"]).value = "改过的标题"
    ws.cell(r, cols["整改进展"]).value = "新的进展"
    wb.save(books["财务股"])
    plan = untouched(books["财务股"])
    msgs = [c.message for c in plan.conflicts]
    assert any("锁定" in m and "细化问题" in m and "改过的标题" in m for m in msgs), msgs
    assert not plan.default_accepted()


def test_status_words_outside_the_list(demo, tmp_path) -> None:
    books = export(demo, tmp_path / "out")
    a, b = sendable("办公室")[:2]
    answer(books["办公室"], a, 完成情况="已整改")
    answer(books["办公室"], b, 完成情况="差不多了")
    plan = untouched(books["办公室"])
    notes = " ".join(plan.notes)
    assert "“已整改”" in notes and "已完成" in notes
    msgs = [c.message for c in plan.conflicts]
    assert any("差不多了" in m and "不在" in m for m in msgs), msgs
    current().apply(apply_plan(plan, plan.default_accepted()))
    assert Item.get_by_id(a).status == DONE
    assert Item.get_by_id(b).status != "差不多了"


def test_a_completion_date_without_done_is_not_taken(demo, tmp_path) -> None:
    books = export(demo, tmp_path / "out")
    iid = next(i for i in sendable("财务股") if Item.get_by_id(i).status != DONE)
    answer(books["财务股"], iid, 完成时间="2026.11.30")
    plan = untouched(books["财务股"])
    msgs = [c.message for c in plan.conflicts]
    assert any("2026-11-30" in m and "完成情况" in m for m in msgs), msgs
    answer(books["财务股"], iid, 完成情况="已完成")
    plan = untouched(books["财务股"])
    assert not plan.conflicts
    current().apply(apply_plan(plan, plan.default_accepted()))
    assert Item.get_by_id(iid).completed_date == dt.date(2026, 11, 30)


def test_an_item_written_off_since_sent_is_held(demo, tmp_path) -> None:
    from rectify_desktop.core.models import WO_APPLY, WO_APPROVE

    books = export(demo, tmp_path / "out")
    iid = next(i for i in sendable("财务股") if Item.get_by_id(i).status == DONE)
    demo.apply(ops.write_off(iid, WO_APPLY, "张三", TODAY))
    demo.apply(ops.write_off(iid, WO_APPROVE, "李四", TODAY))
    answer(books["财务股"], iid, 备注="销号后才交回的答复")
    plan = untouched(books["财务股"])
    msgs = [c.message for c in plan.conflicts]
    assert any("已销号" in m for m in msgs), msgs
    assert not plan.default_accepted()


def test_files_that_are_not_returned_workbooks_are_refused(demo, tmp_path) -> None:
    from rectify_desktop.io.xlsx_export import export_workbook

    plain = tmp_path / "台账.xlsx"
    export_workbook(demo.inspections()[0].id, plain, today=TODAY)
    text = tmp_path / "假的.xlsx"
    text.write_text("不是工作簿")
    plan = untouched(plain, text)
    reasons = {r.name: r.refused for r in plan.refused}
    assert "不是下发的填报表" in reasons["台账.xlsx"]
    assert reasons["假的.xlsx"]


def test_the_same_file_twice_and_a_file_merged_before(demo, tmp_path) -> None:
    books = export(demo, tmp_path / "out")
    iid = single_item("财务股")
    answer(books["财务股"], iid, 备注="一次")
    copy = shutil.copy(books["财务股"], tmp_path / "副本.xlsx")
    plan = untouched(books["财务股"], copy)
    assert [r.name for r in plan.refused] == ["副本.xlsx"]
    assert "同一文件" in plan.refused[0].refused
    current().apply(apply_plan(plan, plan.default_accepted()))
    again = untouched(copy)
    assert again.refused and "已合并过" in again.refused[0].refused


def test_a_workbook_of_an_older_round_is_warned(demo, tmp_path) -> None:
    old = export(demo, tmp_path / "round1", today=dt.date(2026, 11, 1))
    FillOutRound.update(sent_at=dt.datetime(2026, 11, 1, 9)).execute()
    export(demo, tmp_path / "round2")
    iid = single_item("财务股")
    answer(old["财务股"], iid, 备注="上一轮的答复")
    plan = untouched(old["财务股"])
    msgs = [c.message for c in plan.conflicts]
    assert any("较早" in m and "财务股" in m for m in msgs), msgs
    assert not plan.default_accepted()


def test_a_row_pasted_from_another_rounds_workbook(demo, tmp_path) -> None:
    old = export(demo, tmp_path / "round1")
    new = export(demo, tmp_path / "round2")
    iid = single_item("财务股")
    wb_old = openpyxl.load_workbook(old["财务股"])
    ws_old = wb_old[MAIN_SHEET]
    _, cols = columns(ws_old)
    old_key = ws_old.cell(rows_by_item(ws_old)[iid], cols[KEY_HEADER]).value
    wb = openpyxl.load_workbook(new["财务股"])
    ws = wb[MAIN_SHEET]
    ws.cell(rows_by_item(ws)[iid], cols[KEY_HEADER]).value = old_key
    wb.save(new["财务股"])
    answer(new["财务股"], iid, 整改进展="贴错的行")
    plan = untouched(new["财务股"])
    msgs = [c.message for c in plan.conflicts]
    assert any("另一轮" in m for m in msgs), msgs
    assert not any(f.new == "贴错的行" for f in plan.fields())


def test_evidence_names_are_listed_to_attach_and_registered_without_a_file(demo, tmp_path) -> None:
    books = export(demo, tmp_path / "out")
    iid = single_item("财务股")
    answer(books["财务股"], iid, 佐证材料="关于整改的通知.pdf\n会议记录.docx")
    plan = untouched(books["财务股"])
    assert {e.name for e in plan.to_attach} == {"关于整改的通知.pdf", "会议记录.docx"}
    current().apply(apply_plan(plan, plan.default_accepted()))
    evs = list(
        Evidence.select().where((Evidence.item == iid) & Evidence.name.in_(["关于整改的通知.pdf", "会议记录.docx"]))
    )
    assert len(evs) == 2 and all(e.blob_sha256 is None for e in evs)


def test_a_progress_longer_than_a_cell_is_not_taken_for_an_answer(demo, tmp_path) -> None:
    """A cell holds 32,767 characters: a longer 整改进展 goes out cut, and coming back cut is no change."""
    iid = single_item("财务股")
    long_text = "已召开专题会议研究整改工作。" * 3000  # 42,000 characters
    demo.apply(ops.set_fields(Item, iid, {"progress": long_text}))
    books = export(demo, tmp_path / "out")
    answer(books["财务股"], iid, 备注="只改备注")
    plan = untouched(books["财务股"])
    assert not plan.conflicts
    assert [f.field for f in plan.fields()] == ["remarks"]
    current().apply(apply_plan(plan, plan.default_accepted()))
    assert Item.get_by_id(iid).progress == long_text


def test_rejected_fields_are_not_applied(demo, tmp_path) -> None:
    books = export(demo, tmp_path / "out")
    iid = single_item("财务股")
    answer(books["财务股"], iid, 整改进展="要的", 备注="不要的")
    plan = untouched(books["财务股"])
    keep = {f.id for e in plan.entries for f in e.fields if f.field == "progress"}
    current().apply(apply_plan(plan, keep))
    it = Item.get_by_id(iid)
    assert it.progress == "要的" and it.remarks != "不要的"


# --- command line -------------------------------------------------------------------------------------


def test_cli_fill_out_and_merge(demo_path, tmp_path, cli) -> None:
    out = tmp_path / "out"
    r = cli("fill-out", demo_path, out, "--by", "department")
    assert r.returncode == 0, r.stderr
    books = {p.name.split("-")[0]: p for p in out.glob("*.xlsx")}
    assert "财务股" in books
    with Ledger.open(demo_path) as led:
        iid = single_item("财务股")
        assert led
    answer(books["财务股"], iid, 整改进展="命令行合并")
    base = sha(demo_path)
    r = cli("merge", demo_path, books["财务股"], "--dry-run", "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert any(f["new"] == "命令行合并" for e in data["entries"] for f in e["fields"])
    assert sha(demo_path) == base
    bad = tmp_path / "坏.xlsx"
    bad.write_text("x")
    r = cli("merge", demo_path, books["财务股"], bad)
    assert r.returncode == 1
    assert "坏.xlsx" in r.stderr
    with Ledger.open(demo_path, readonly=True):
        assert Item.get_by_id(iid).progress == "命令行合并"


def test_cli_fill_out_unknown_inspection(demo_path, tmp_path, cli) -> None:
    r = cli("fill-out", demo_path, tmp_path / "o", "--inspection", "99")
    assert r.returncode == 1 and "99" in r.stderr
    assert not (tmp_path / "o").exists() or not list((tmp_path / "o").iterdir())


def test_an_item_changed_between_reading_and_applying_is_not_overwritten(demo, tmp_path) -> None:
    """On a server ledger someone may edit an item while the clerk reviews the merge: applying then must not
    write the department's answer over it (issue 18); the merge is refused whole, with who and what, and can be
    read again. A field nobody touched meanwhile is no reason to refuse."""
    from rectify_desktop.core.conflicts import ConflictError

    books = export(demo, tmp_path / "out")
    iid = single_item("财务股")
    answer(books["财务股"], iid, 整改进展="部门填的进展")
    plan = untouched(books["财务股"])
    assert plan.default_accepted()
    cmd = apply_plan(plan, plan.default_accepted())
    current().apply(ops.set_fields(Item, iid, {"remarks": "别处改的备注"}))  # another field: merges
    current().apply(ops.set_fields(Item, iid, {"progress": "审阅期间他人改的进展"}))
    with pytest.raises(ConflictError) as err:
        current().apply(cmd)
    assert "审阅期间他人改的进展" in str(err.value) and "重新" in str(err.value)
    assert Item.get_by_id(iid).progress == "审阅期间他人改的进展"
    again = untouched(books["财务股"])
    assert [f for f in again.fields() if f.conflict]  # read again: now shown as a conflict to decide
    plan2 = untouched(books["财务股"])
    cmd2 = apply_plan(plan2, {f.id for f in plan2.fields()})
    current().apply(ops.set_fields(Item, iid, {"remarks": "又一处备注"}))
    current().apply(cmd2)  # only another field changed since: applied
    assert Item.get_by_id(iid).progress == "部门填的进展"
