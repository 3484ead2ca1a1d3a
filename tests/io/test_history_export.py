"""The change log (修改记录) exported to Excel (io.history_export): read back with openpyxl, filter applied,
the print setup, long values whole, and a full disk or a read-only folder told in Chinese, the old file kept."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook

from rectify_desktop.core import history, ops
from rectify_desktop.core.models import ChangeLog, Finding, Inspection, Item, Measure
from rectify_desktop.core.outfile import OutputError
from rectify_desktop.io.history_export import (
    HEADERS,
    HistoryExportError,
    LogFilter,
    export_log,
    log_cells,
    log_sheet,
    write_log_xlsx,
)
from tests.faults.conftest import fill_disk, read_only_view, tmpfs

HEAD = 4  # title, 填报单位, 范围, header


def body(path: Path) -> list[tuple]:
    ws = load_workbook(path)["修改记录"]
    return [tuple("" if v is None else v for v in row) for row in ws.iter_rows(min_row=HEAD + 1, values_only=True)]


@pytest.fixture
def edited(ledger):
    """A small ledger made through the door: an item edited, a measure added and deleted."""
    ledger.apply(ops.add_inspection("测试台账"))
    insp = Inspection.get()
    ledger.apply(ops.add_category(insp.id, "思想政治建设"))
    ledger.apply(ops.add_finding(insp.categories.get().id, "理论学习不深入"))
    ledger.apply(ops.add_item(Finding.get().id, "学习制度执行不严"))
    item = Item.get()
    ledger.apply(ops.set_fields(Item, item.id, {"leader": "张三"}))
    ledger.apply(ops.set_fields(Item, item.id, {"progress": "已召开专题会议\n下一步：完善制度"}))
    ledger.apply(ops.add_measure(item.id, "一是修订学习制度"))
    ledger.apply(ops.delete(Measure, Measure.get().id))
    return ledger, item


def test_the_whole_log_is_written_newest_first_with_the_pages_columns(edited, tmp_path):
    ledger, item = edited
    out = tmp_path / "修改记录.xlsx"
    n = export_log(out, title="测试台账修改记录", unit="县教育局", today=dt.date(2026, 3, 2), ledgers=[ledger.path])
    assert n == ChangeLog.select().count() > 5
    wb = load_workbook(out)
    ws = wb["修改记录"]
    assert ws["A1"].value == "测试台账修改记录"
    assert ws["A2"].value == "填报单位：县教育局" and ws["G2"].value == "填报日期：2026年3月2日"
    assert ws["A3"].value == f"范围：全部记录，共 {n} 条（按时间从新到旧）"
    assert tuple(c.value for c in ws[HEAD]) == HEADERS == ("时间", "操作人", "操作", "对象", "字段", "原值", "新值")
    rows = body(out)
    assert len(rows) == n
    newest = rows[0]
    assert newest[2] == "删除" and newest[3] == "整改措施 一是修订学习制度（已删除）"
    progress = next(r for r in rows if r[4] == "整改进展")
    # the value whole, its line break kept: the page cuts it to one line, the record does not
    assert progress[6] == "已召开专题会议\n下一步：完善制度"
    assert progress[3].startswith("细化问题 1（1）") and "学习制度执行不严" in progress[3]
    assert progress[1] == ledger.user
    at = dt.datetime.strptime(progress[0], "%Y-%m-%d %H:%M")
    assert abs(at - dt.datetime.now()) < dt.timedelta(minutes=5)
    # the rows are the log's, in the page's order
    assert [r[2] for r in rows] == [r.action for r in history.ledger_log(limit=10_000)]


def test_the_filter_of_the_page_is_applied(edited, tmp_path):
    ledger, item = edited
    ChangeLog.update(at=dt.datetime(2026, 1, 5, 9, 30)).where(ChangeLog.field == "责任领导").execute()
    only_words = tmp_path / "words.xlsx"
    assert export_log(only_words, LogFilter(text="整改进展")) == 1
    assert [r[4] for r in body(only_words)] == ["整改进展"]
    assert load_workbook(only_words)["修改记录"]["A3"].value == "范围：含“整改进展”，共 1 条（按时间从新到旧）"

    january = tmp_path / "january.xlsx"
    flt = LogFilter(since=dt.date(2026, 1, 1), until=dt.date(2026, 1, 31))
    assert export_log(january, flt) == 1
    assert body(january) == [("2026-01-05 09:30", ledger.user, "修改", body(january)[0][3], "责任领导", "", "张三")]
    assert "2026年1月1日至2026年1月31日" in load_workbook(january)["修改记录"]["A3"].value

    nothing = tmp_path / "nothing.xlsx"
    assert export_log(nothing, LogFilter(text="没有这样的词")) == 0
    assert body(nothing) == []


def test_the_demo_ledger_matches_the_page_query(demo_ledger, tmp_path):
    # items not written off: a written-off item is locked
    items = [it for it in Item.select().order_by(Item.id) if ops.writeoff_state(it.id) != "已销号"][:6]
    for i, it in enumerate(items):
        demo_ledger.apply(ops.set_fields(Item, it.id, {"leader": f"领导{i}"}))
        demo_ledger.apply(ops.set_fields(Item, it.id, {"remarks": f"备注{i}"}))
    out = tmp_path / "demo.xlsx"
    n = export_log(out, LogFilter(text="责任领导"), ledgers=[demo_ledger.path])
    expected = history.ledger_log(text="责任领导", limit=100_000)
    assert n == len(expected) == 6
    rows = body(out)
    assert [r[6] for r in rows] == [f"领导{i}" for i in reversed(range(6))]
    assert all(r[3].startswith("细化问题 ") and r[4] == "责任领导" for r in rows)


def test_print_setup_a4_landscape_header_repeated_fit_to_width_chinese_fonts(edited, tmp_path):
    out = tmp_path / "log.xlsx"
    export_log(out)
    ws = load_workbook(out)["修改记录"]
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9  # A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert int(ws.page_setup.fitToWidth) == 1 and int(ws.page_setup.fitToHeight) == 0
    assert ws.print_title_rows == f"${HEAD}:${HEAD}"
    assert ws.freeze_panes == f"A{HEAD + 1}"
    assert ws["A1"].font.name == "宋体" and ws[f"A{HEAD}"].font.name == "黑体"
    assert ws[f"G{HEAD + 1}"].font.name == "仿宋"
    assert ws[f"A{HEAD + 1}"].alignment.wrap_text is True
    assert "第 &P 页" in ws.oddFooter.center.text


def test_a_value_longer_than_a_cell_goes_on_in_the_continuation_sheet(edited, tmp_path):
    ledger, item = edited
    long = "整改进展" * 10_000  # 40,000 characters
    ledger.apply(ops.set_fields(Item, item.id, {"progress": long}))
    notes: list[str] = []
    out = tmp_path / "long.xlsx"
    export_log(out, LogFilter(text="整改进展"), notes=notes)
    wb = load_workbook(out)
    assert "续" in wb.sheetnames
    first = body(out)[0]
    kept = first[6].split("……（未完")[0]
    rest = "".join(str(r[4]) for r in wb["续"].iter_rows(min_row=4, values_only=True))
    assert kept + rest == long
    assert notes and "续" in notes[0]


def test_text_that_looks_like_a_formula_stays_text(edited, tmp_path):
    ledger, item = edited
    ledger.apply(ops.set_fields(Item, item.id, {"remarks": "=SUM(A1:A2)"}))
    out = tmp_path / "f.xlsx"
    export_log(out, LogFilter(text="SUM"))
    ws = load_workbook(out)["修改记录"]
    assert ws[f"G{HEAD + 1}"].value == "=SUM(A1:A2)" and ws[f"G{HEAD + 1}"].data_type == "s"


def test_never_onto_the_ledger(edited):
    ledger, _ = edited
    with pytest.raises(OutputError, match="台账"):
        export_log(ledger.path, ledgers=[ledger.path])


def test_log_sheet_for_the_printout(edited):
    rows = history.ledger_log()
    sheet = log_sheet(rows, "修改记录")
    assert sheet.headers == HEADERS and len(sheet.rows) == len(rows)
    assert [r.cells for r in sheet.rows] == log_cells(rows)


def test_filter_in_words():
    assert LogFilter().describe() == "全部记录" and LogFilter().empty
    assert LogFilter(since=dt.date(2026, 3, 1)).describe() == "2026年3月1日起"
    assert LogFilter(until=dt.date(2026, 3, 1)).describe() == "截至2026年3月1日"
    assert LogFilter(text=" 张三  完成情况 ").describe() == "含“张三”、“完成情况”"


# --- faults: a full disk and a read-only folder, made for real where the machine allows ---------------------


def test_full_disk_says_so_in_chinese_and_keeps_the_old_file(edited, tmp_path):
    ledger, item = edited
    for i in range(300):  # a log bigger than the space left
        ledger.apply(ops.set_fields(Item, item.id, {"progress": f"第{i}次进展" + "说明" * 200}))
    with tmpfs(tmp_path / "disk", "1m") as disk:
        out = disk / "修改记录.xlsx"
        out.write_bytes(b"old file")
        fill_disk(disk, 20_000)
        with pytest.raises(HistoryExportError, match="磁盘空间不足") as caught:
            export_log(out)
        assert "原有文件未改动" in str(caught.value)
        assert out.read_bytes() == b"old file"
        assert [p.name for p in disk.iterdir() if p.name.startswith(".~rectify")] == []


def test_read_only_folder_says_so_in_chinese_and_keeps_the_old_file(edited, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "修改记录.xlsx").write_bytes(b"old file")
    with read_only_view(src, tmp_path / "ro") as ro:
        with pytest.raises(HistoryExportError, match="只读|权限") as caught:
            write_log_xlsx(ro / "修改记录.xlsx", history.ledger_log())
        assert "修改记录" in str(caught.value) or str(ro) in str(caught.value)
        assert (ro / "修改记录.xlsx").read_bytes() == b"old file"
