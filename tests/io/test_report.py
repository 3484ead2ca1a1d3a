"""进展报告 (io.report): the Word and Excel report 截至 a date, read back, and `rectify-desktop report`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import docx
import openpyxl
import pytest

from rectify_desktop.core import asof
from rectify_desktop.core.models import ChangeLog, Inspection, ProgressReport
from rectify_desktop.io import report
from tests.core.test_asof import DAY1, DAY2, DAY3, three_days  # noqa: F401 - the fixture


def texts(path: Path) -> list[str]:
    return [p.text for p in docx.Document(str(path)).paragraphs]


def table_rows(table) -> list[list[str]]:  # noqa: ANN001
    return [[c.text for c in row.cells] for row in table.rows]


def test_docx_as_of_a_date_then_a_second_report_compares(three_days, tmp_path):  # noqa: F811
    ledger, insp, held = three_days
    first = report.make_report(ledger, insp, DAY1, tmp_path / "第一期.docx")
    paras = texts(first.path)
    assert any("（截至2026年11月1日）" == p for p in paras)
    body = "\n".join(paras)
    assert "截至2026年11月1日，巡察反馈的1个问题细化为5项，已整改完成0项，正在推进4项，未启动1项，完成率0%" in body
    assert "本期为首次报告" in body

    second = report.make_report(ledger, insp, DAY3, tmp_path / "第三期.docx")
    body = "\n".join(texts(second.path))
    assert "巡察反馈的2个问题细化为5项，已整改完成2项，正在推进1项，未启动2项，完成率40%" in body
    assert "较上期（截至2026年11月1日）新增完成2项" in body and "新增销号1项" in body
    doc = docx.Document(str(second.path))
    depts, items = doc.tables
    rows = {r[0]: r[1:] for r in table_rows(depts)}
    assert rows["财务股"] == ["3", "1", "0", "2", "0", "0", "33.3%"]
    assert rows["人事股"] == ["1", "0", "1", "0", "0", "1", "0.0%"]
    assert rows["全部细化问题"][:2] == ["5", "2"]
    listed = table_rows(items)
    assert listed[0] == ["序号", "细化问题", "责任部门", "整改时限", "完成情况"]
    assert [r[1] for r in listed[1:]] == ["C", "D", "E"]
    assert listed[2][2:] == ["人事股", "立行立改", "正在推进\n（已逾期）"]
    assert listed[3][3] == "2026年11月30日"
    # GB/T 9704 paper, as the notice (io/notice_docx): A4, margins, page number field.
    sec = doc.sections[0]
    assert [round(v.mm) for v in (sec.page_width, sec.top_margin, sec.left_margin)] == [210, 37, 28]
    assert "PAGE" in sec.footer._element.xml
    # Both reports remembered, the second's 上期 the first.
    made = list(ProgressReport.select().order_by(ProgressReport.as_of))
    assert [(r.as_of, r.file_name) for r in made] == [(DAY1, "第一期.docx"), (DAY3, "第三期.docx")]


def test_xlsx_read_back(three_days, tmp_path):  # noqa: F811
    ledger, insp, _ = three_days
    report.make_report(ledger, insp, DAY1, tmp_path / "上期.xlsx")
    out = report.make_report(ledger, insp, DAY2, tmp_path / "进展.xlsx").path
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["进展情况", "未完成细化问题"]
    ws = wb["进展情况"]
    values = [c for row in ws.iter_rows(values_only=True) for c in row if c is not None]
    assert "（截至2026年11月10日）" in values
    assert any(isinstance(v, str) and "细化为6项，已整改完成1项" in v for v in values)
    assert any(
        isinstance(v, str) and v.startswith("较上期（截至2026年11月1日）新增完成1项，新增逾期1项") for v in values
    )
    header = next(r for r in ws.iter_rows(values_only=True) if r[0] == "责任部门")
    assert list(header[:8]) == ["责任部门", "细化问题", "已完成", "正在推进", "未启动", "长期坚持", "已逾期", "完成率"]
    rows = {r[0]: r[1:8] for r in ws.iter_rows(values_only=True) if r[0] in ("财务股", "人事股")}
    assert rows["人事股"] == (2, 0, 2, 0, 0, 2, "0.0%")
    assert ws.page_setup.orientation == "landscape" and ws.oddFooter.center.text
    todo = wb["未完成细化问题"]
    listed = [r for r in todo.iter_rows(min_row=4, values_only=True) if r[0]]
    assert [r[1] for r in listed] == ["B", "C", "D", "E", "F"]
    assert listed[-1][2] == "人事股" and listed[-1][4] == "正在推进（已逾期）"
    assert todo.print_title_rows == "$3:$3"


def test_report_names_what_the_log_cannot_tell(ledger, tmp_path, monkeypatch):
    from rectify_desktop.core import ops
    from rectify_desktop.core.models import DONE, Finding, Item
    from tests.core.test_asof import add_item, item_id, set_clock

    set_clock(monkeypatch, dt.datetime(2026, 11, 1, 9, 0))
    ledger.apply(ops.add_inspection("测试台账"))
    insp = Inspection.get().id
    ledger.apply(ops.add_category(insp, "方面"))
    ledger.apply(ops.add_finding(Inspection.get().categories.get().id, "问题"))
    add_item(ledger, Finding.get().id, "无记录的", status=DONE)
    set_clock(monkeypatch, dt.datetime(2026, 11, 20, 9, 0))
    ledger.apply(ops.delete(Item, item_id("无记录的")))
    monkeypatch.undo()
    body = "\n".join(texts(report.make_report(ledger, insp, DAY2, tmp_path / "r.docx").path))
    assert "无法从修改记录得知" in body and "无记录的" in body


def test_cli_report_and_its_refusals(cli, demo_path, tmp_path):
    today = dt.date.today()
    out = tmp_path / "进展报告.docx"
    r = cli("report", demo_path, out, "--as-of", today.isoformat())
    assert r.returncode == 0, r.stderr
    assert f"截至{today.year}年{today.month}月{today.day}日" in r.stdout and out.exists()
    assert f"（截至{today.year}年{today.month}月{today.day}日）" in texts(out)
    r = cli("report", demo_path, tmp_path / "进展报告.xlsx", "--as-of", today.isoformat(), "--inspection", "1")
    assert r.returncode == 0, r.stderr
    assert openpyxl.load_workbook(tmp_path / "进展报告.xlsx").sheetnames[0] == "进展情况"

    bad = {
        "不是日期": "看不懂截至日期",
        (today + dt.timedelta(days=3)).isoformat(): "晚于今天",
        (today - dt.timedelta(days=400)).isoformat(): "早于该巡察录入台账的日期",
    }
    for day, words in bad.items():
        target = tmp_path / f"坏-{len(words)}.docx"
        r = cli("report", demo_path, target, "--as-of", day)
        assert r.returncode == 1 and words in r.stderr and not target.exists(), (day, r.stderr)
    r = cli("report", demo_path, tmp_path / "坏.pdf", "--as-of", today.isoformat())
    assert r.returncode == 2 and ".docx" in r.stderr
    r = cli("report", demo_path, tmp_path / "坏.docx", "--as-of", today.isoformat(), "--inspection", "9")
    assert r.returncode == 1 and "没有编号为 9" in r.stderr

    from rectify_desktop.core.ledger import Ledger

    with Ledger.open(demo_path) as led:
        ChangeLog.delete().execute()
        assert ProgressReport.select().count() == 3  # the demo's own (上期) and the two made above
        del led
    r = cli("report", demo_path, tmp_path / "无记录.docx", "--as-of", (today - dt.timedelta(days=1)).isoformat())
    assert r.returncode == 1 and "没有修改记录" in r.stderr


@pytest.mark.parametrize("name", ["进展.docx", "进展.xlsx"])
def test_nothing_written_or_remembered_on_a_refusal(three_days, tmp_path, name):  # noqa: F811
    import shutil

    from rectify_desktop.core.outfile import OutputError

    ledger, insp, _ = three_days
    with pytest.raises(asof.AsOfError):
        report.make_report(ledger, insp, DAY1 - dt.timedelta(days=1), tmp_path / name)
    assert not (tmp_path / name).exists() and ProgressReport.select().count() == 0
    # A ledger file under a document's name is never written over (core.outfile).
    disguised = tmp_path / ("台账副本" + Path(name).suffix)
    ledger.close()
    shutil.copy(ledger.path, disguised)
    from rectify_desktop.core.ledger import Ledger

    with Ledger.open(ledger.path) as led:
        before = disguised.read_bytes()
        with pytest.raises(OutputError):
            report.make_report(led, insp, DAY1, disguised)
        assert disguised.read_bytes() == before and ProgressReport.select().count() == 0


def test_cli_report_while_the_window_holds_the_ledger_is_made_but_not_remembered(cli, demo_path, tmp_path):
    from rectify_desktop.core.ledger import Ledger

    with Ledger.open(demo_path):  # the writer's lock, as the window holds it
        r = cli("report", demo_path, tmp_path / "进展.xlsx")
        assert r.returncode == 0, r.stderr
        assert "未记入台账" in r.stderr and (tmp_path / "进展.xlsx").exists()
        assert ProgressReport.select().count() == 1  # the demo's own only
