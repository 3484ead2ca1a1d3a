"""文件 → 生成进展报告 through the real main window (issue 15, 截至): the dialog's date and format, its preview of
the headline and the 较上期 sentence, the file written and read back with python-docx / openpyxl, the report
remembered as one undo step, bad dates refused in the dialog, a read-only ledger's report not remembered.

The ledger is the demo with a history: its log made to begin 40 days ago, and one item completed through the
one door 30, 20 and 10 days ago (the log's clock set back for each), so that there are dates to report as of.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook
from PySide6.QtCore import QDate
from PySide6.QtWidgets import QFileDialog, QMessageBox

from rectify_desktop.core import asof, ops
from rectify_desktop.core.asof import ar_date
from rectify_desktop.core.ledger import Ledger
from rectify_desktop.core.models import DONE, IN_PROGRESS, Item, ProgressReport, db
from rectify_desktop.ui.done_box import DoneBox
from rectify_desktop.ui.report_dialog import ProgressReportDialog
from tests.core.test_asof import set_clock

TODAY = dt.date.today()
START = TODAY - dt.timedelta(days=40)
DONE_ON = [TODAY - dt.timedelta(days=n) for n in (30, 20, 10)]


def demo_with_history(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, list[int]]:
    """The demo ledger whose log begins 40 days ago, with an item completed 30, 20 and 10 days ago; returns the
    file and the items completed."""
    from rectify_desktop.core.demo import make_demo

    make_demo(path, history=False)
    done: list[int] = []
    with Ledger.open(path) as ledger:
        db.execute_sql("UPDATE change_log SET at = ?", [f"{START.isoformat()} 09:00:00"])
        free = [it.id for it in Item.select().where(Item.status == IN_PROGRESS).order_by(Item.id)]
        free = [i for i in free if ops.writeoff_state(i) == ""][:3]
        for iid, day in zip(free, DONE_ON, strict=True):
            set_clock(monkeypatch, dt.datetime.combine(day, dt.time(10, 0)))
            ledger.apply(ops.set_fields(Item, iid, {"status": DONE}, today=day))
            done.append(iid)
        monkeypatch.undo()
    return path, done


@pytest.fixture
def errors(monkeypatch):
    seen: list[str] = []

    def box(_parent, _title, text, *a, **k):
        seen.append(text)
        return QMessageBox.StandardButton.Ok

    for name in ("critical", "warning", "information"):
        monkeypatch.setattr(QMessageBox, name, box)
    return seen


@pytest.fixture
def done(monkeypatch):
    boxes: list[DoneBox] = []

    def exec_(box):
        boxes.append(box)
        return 0

    monkeypatch.setattr(DoneBox, "exec", exec_)
    return boxes


@pytest.fixture
def history(tmp_path, monkeypatch):
    return demo_with_history(tmp_path / "示例台账.db", monkeypatch)


@pytest.fixture
def window(window, history, errors, done):
    assert window.open_ledger(history[0])
    return window


class Clerk:
    """Answers the dialog and the save box as a clerk would, and notes what the dialog showed."""

    def __init__(self, qtbot, monkeypatch, folder: Path) -> None:
        self.qtbot = qtbot
        self.folder = folder
        self.seen: list[dict] = []
        self.defaults: list[str] = []
        self.day = TODAY
        self.word = True
        clerk = self

        def exec_(dlg: ProgressReportDialog) -> int:
            (dlg.word if clerk.word else dlg.excel).setChecked(True)
            dlg.date_edit.setDate(QDate(clerk.day.year, clerk.day.month, clerk.day.day))
            qtbot.waitUntil(lambda: not dlg._timer.isActive())  # the preview follows the date, a moment later
            clerk.seen.append(
                {
                    "headline": dlg.headline_label.text() if dlg.headline_label.isVisibleTo(dlg) else "",
                    "comparison": dlg.comparison_label.text() if dlg.comparison_label.isVisibleTo(dlg) else "",
                    "error": dlg.error_label.text() if dlg.error_label.isVisibleTo(dlg) else "",
                    "ok": dlg.ok_button.isEnabled(),
                    "previous": [
                        tuple(dlg.previous.item(r, c).text() if dlg.previous.item(r, c) else "" for c in range(3))
                        for r in range(dlg.previous.rowCount())
                    ],
                }
            )
            dlg.ok_button.click()
            return dlg.result()

        def save(_parent, _title, default, _filter, *a, **k):
            clerk.defaults.append(default)
            return str(clerk.folder / Path(default).name), _filter

        monkeypatch.setattr(ProgressReportDialog, "exec", exec_)
        monkeypatch.setattr(QFileDialog, "getSaveFileName", save)

    def report(self, window, day: dt.date, word: bool = True) -> Path:
        self.day, self.word = day, word
        window.actions["progress_report"].trigger()
        return self.folder / Path(self.defaults[-1]).name if self.defaults else Path()


@pytest.fixture
def clerk(qtbot, monkeypatch, tmp_path):
    out = tmp_path / "报告"
    out.mkdir()
    return Clerk(qtbot, monkeypatch, out)


def test_a_word_report_is_written_remembered_and_undone(window, clerk, done, errors):
    day = DONE_ON[1]
    out = clerk.report(window, day)
    assert errors == []
    assert out.name == f"整改进展报告（截至{ar_date(day)}）.docx" and out.is_file()
    seen = clerk.seen[-1]
    assert seen["ok"] and seen["error"] == ""
    assert seen["headline"].startswith(f"截至{ar_date(day)}，")
    assert seen["comparison"].startswith("本期为首次报告")
    assert seen["previous"] == [("还没有生成过进展报告：本次为首次报告", "", "")]
    text = [p.text for p in Document(str(out)).paragraphs]
    assert f"（截至{ar_date(day)}）" in text
    assert seen["headline"] in text
    # The figures written are those of the date: two of the three items were done by then.
    s = asof.figures_as_of(window.current_inspection_id(), day).stats
    assert f"已整改完成{s.done}项" in seen["headline"]
    assert asof.figures_as_of(window.current_inspection_id(), TODAY).stats.done == s.done + 1
    rep = ProgressReport.get()
    assert (rep.as_of, rep.file_name) == (day, out.name)
    assert "已记入台账" in done[-1].notes_label.text()
    assert window.undo_stack.undoText() == f"记录进展报告（截至{ar_date(day)}）"
    window.undo_stack.undo()
    assert ProgressReport.select().count() == 0
    assert out.is_file()  # the file stays: only its remembering is undone


def test_the_second_report_says_what_changed_since_the_first(window, clerk, errors):
    first = clerk.report(window, DONE_ON[1], word=False)
    assert load_workbook(first)["进展情况"]["A2"].value == f"（截至{ar_date(DONE_ON[1])}）"
    second = clerk.report(window, TODAY)
    assert errors == []
    seen = clerk.seen[-1]
    assert seen["comparison"].startswith(f"较上期（截至{ar_date(DONE_ON[1])}）新增完成1项")
    assert seen["previous"][0][:2] == (ar_date(DONE_ON[1]), first.name)
    assert seen["comparison"] in [p.text for p in Document(str(second)).paragraphs]
    assert [r.as_of for r in ProgressReport.select().order_by(ProgressReport.as_of)] == [DONE_ON[1], TODAY]


def test_a_date_the_log_cannot_tell_is_refused_in_the_dialog(window, clerk, errors):
    for day, reason in (
        (START - dt.timedelta(days=1), "早于该巡察录入台账的日期"),
        (TODAY + dt.timedelta(days=1), "晚于今天"),
    ):
        clerk.report(window, day)
        seen = clerk.seen[-1]
        assert reason in seen["error"] and ar_date(day) in seen["error"]
        assert not seen["ok"] and seen["headline"] == ""
    assert clerk.defaults == []  # no file was asked for
    assert ProgressReport.select().count() == 0 and errors == []
    assert list(clerk.folder.iterdir()) == []


def test_a_read_only_ledger_writes_the_report_without_remembering_it(window, history, clerk, done, errors):
    window._close_ledger()
    assert window.open_ledger(history[0], readonly=True)
    assert window.ledger.readonly
    out = clerk.report(window, DONE_ON[2])
    assert errors == [] and out.is_file()
    assert ProgressReport.select().count() == 0
    assert "未记入台账" in done[-1].notes_label.text()
    assert not window.undo_stack.canUndo()


def test_a_file_that_cannot_be_written_is_told_and_nothing_remembered(window, clerk, done, errors):
    clerk.folder = clerk.folder / "没有这个文件夹"
    clerk.report(window, TODAY)
    assert len(errors) == 1 and errors[0].startswith("进展报告没有生成：") and "文件夹不存在" in errors[0]
    assert ProgressReport.select().count() == 0 and not window.undo_stack.canUndo() and done == []
