"""Issue 12, point 10: the window and what it writes say the same thing the same way.

One name for 长期坚持, one way of writing the completion rate, "…问题清单" never "…问题问题清单", the 填报单位 from the
ledger's settings, and a read-only title that says 只读 once.
"""

from __future__ import annotations

import datetime as dt

import openpyxl
from PySide6.QtWidgets import QFileDialog

from rectify_desktop.core import lists
from rectify_desktop.core.commands import SetFields
from rectify_desktop.core.models import Inspection
from rectify_desktop.core.settings import SetSettings
from rectify_desktop.ui.done_box import DoneBox
from rectify_desktop.ui.overview import ProgressRow

UNIT = "临川县教育局党组办公室"


def test_ongoing_has_one_name_in_the_window_and_the_notice(window, demo_path, qtbot):
    from rectify_desktop.io import notice

    assert window.open_ledger(demo_path)
    page = window.show_page("overview")
    # DOMAIN.md: the status is 长期坚持 ("also called 持续整改"); the window and the texts it writes use the one name.
    assert "长期坚持3项" in page.headline.text() and "持续整改" not in page.headline.text()
    assert "长期坚持3" in window.status_label.text()
    qtbot.waitUntil(lambda: page.categories.count() > 0)  # the bars come just after the window
    assert all("持续整改" not in r.toolTip() for r in page.findChildren(ProgressRow))
    text = notice.notice_text(1, today=dt.date(2026, 9, 1))
    assert "长期坚持3项" in text and "持续整改3项" not in text


def test_completion_rate_is_written_one_way(window, demo_path, qtbot):
    assert window.open_ledger(demo_path)
    page = window.show_page("overview")
    assert "完成率55%" in window.status_label.text()
    assert page.figures["rate"].value == "55%"  # as the status bar and the headline: a whole percent
    qtbot.waitUntil(lambda: page.categories.count() > 0)
    rows = page.findChildren(ProgressRow)
    assert rows and all(r.figures_text().split()[1].endswith("%") for r in rows)
    assert not any("." in r.figures_text().split()[1] for r in rows)


def test_list_titles_never_say_wenti_twice(window, demo_path):
    problems = "某局关于县委巡察组反馈问题清单"
    assert lists.document_title("某局关于县委巡察组反馈问题整改台账", lists.PROBLEMS) == problems
    assert lists.document_title("某局关于县委巡察组反馈问题", lists.PROBLEMS) == "某局关于县委巡察组反馈问题清单"
    assert lists.document_title("某局巡察反馈问题整改", lists.TASKS) == "某局巡察反馈问题整改任务清单"
    assert lists.document_title("某局巡察反馈意见整改落实台账", lists.PROBLEMS) == "某局巡察反馈意见问题清单"
    assert window.open_ledger(demo_path)
    window.ledger.apply(SetFields(Inspection, 1, {"title": "临川县教育局关于县委第三巡察组反馈问题"}))
    page = window.show_page("lists")
    page.kind.setCurrentIndex(page.kind.findData(lists.PROBLEMS))
    assert page.title.text() == "临川县教育局关于县委第三巡察组反馈问题清单"
    page.kind.setCurrentIndex(page.kind.findData(lists.TASKS))
    assert page.title.text() == "临川县教育局关于县委第三巡察组反馈问题整改任务清单"


def test_reporting_unit_comes_from_the_settings(window, demo_path, tmp_path, monkeypatch):
    from rectify_desktop.io.xlsx_export import export_workbook
    from rectify_desktop.ui import printing

    assert window.open_ledger(demo_path)
    inspected = Inspection.get_by_id(1).inspected_unit
    # Not set: what was used before, the inspected unit.
    assert printing.build_layout(1).setup.unit == inspected
    window.ledger.apply(SetSettings({"unit_name": UNIT}))
    assert printing.build_layout(1).setup.unit == UNIT
    from rectify_desktop.ui.printing.dialog import PrintOptionsDialog

    shown: list[str] = []

    def exec_(dlg):  # noqa: ANN001, ANN202
        shown.append(dlg.unit.text())
        return PrintOptionsDialog.DialogCode.Rejected

    monkeypatch.setattr(PrintOptionsDialog, "exec", exec_)
    window.actions["print_preview"].trigger()
    assert shown == [UNIT]  # what the print dialog offers, to be changed for one printout if need be
    book = openpyxl.load_workbook(export_workbook(1, tmp_path / "台账.xlsx", today=dt.date(2026, 9, 1)))
    for name in ("台账", "统计"):
        assert [c.value for c in book[name][2] if c.value][0] == f"填报单位：{UNIT}", name
    page = window.show_page("lists")
    out = tmp_path / "问题清单.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    monkeypatch.setattr(DoneBox, "exec", lambda box: 0)  # the export's done box, not shown modally here
    page.export_excel()
    assert [c.value for c in openpyxl.load_workbook(out).active[2] if c.value][0] == f"填报单位：{UNIT}"


def test_lists_page_excel_falls_back_to_the_inspected_unit(window, demo_path, tmp_path, monkeypatch):
    assert window.open_ledger(demo_path)
    page = window.show_page("lists")
    out = tmp_path / "问题清单.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    monkeypatch.setattr(DoneBox, "exec", lambda box: 0)  # the export's done box, not shown modally here
    page.export_excel()
    cell = [c.value for c in openpyxl.load_workbook(out).active[2] if c.value][0]
    assert cell == f"填报单位：{Inspection.get_by_id(1).inspected_unit}"


def test_read_only_title_says_it_once(window, demo_path):
    named = demo_path.with_name("示例台账（只读）.db")
    demo_path.rename(named)
    assert window.open_ledger(named, readonly=True)
    assert window.ledger.readonly and window.windowTitle().count("只读") == 1
    window._close_ledger()
    assert window.open_ledger(named.rename(named.with_name("示例台账.db")), readonly=True)
    assert window.windowTitle().count("只读") == 1


def test_notice_says_changqi_jianchi_for_an_ongoing_item_without_its_own_words(demo_ledger):
    from rectify_desktop.core.models import ONGOING, Item
    from rectify_desktop.io import notice

    item = Item.select().where(Item.status == ONGOING).order_by(Item.id).first()
    demo_ledger.apply(SetFields(Item, item.id, {"progress": ""}))
    text = notice.notice_text(1, today=dt.date(2026, 9, 1))
    # The clerk's own words are kept as written; what the program writes for the status is the status's name.
    assert "整改进展：持续整改。\n" not in text and "整改进展：长期坚持。\n" in text
