"""文件 → 汇总多个台账: the 汇总 window from a folder of unit ledgers, read against core.summary.collect; a unit
opened read-only in a new window at its 总览; the inputs never changed."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import Qt

from rectify_desktop.core import ops
from rectify_desktop.core.ledger import Ledger
from rectify_desktop.core.models import DONE, IN_PROGRESS, NOT_STARTED, ONGOING

# unit -> statuses of its items (one finding each): completion rates 100%, 50%, 0% once summed by collect
# The window raises itself and the unit's window to the front: offscreen Qt says it cannot.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support raise")

UNITS = {
    "甲县教育局": [DONE, DONE, DONE, ONGOING],
    "乙县卫健委": [DONE, IN_PROGRESS, NOT_STARTED, DONE],
    "丙县民政局": [NOT_STARTED, IN_PROGRESS, NOT_STARTED],
}


def _make_unit(path: Path, unit: str, statuses: list[str]) -> None:
    ledger = Ledger.create(path)
    try:
        cmd = ops.add_inspection(
            f"{unit}巡察整改台账",
            inspected_unit=unit,
            inspecting_body="县委第一巡察组",
            feedback_date=dt.date(2026, 6, 1),
        )
        ledger.apply(cmd)
        cat = ops.add_category(cmd.row_id, "党的建设方面")
        ledger.apply(cat)
        for n, status in enumerate(statuses):
            fnd = ops.add_finding(cat.row_id, f"问题{n + 1}")
            ledger.apply(fnd)
            item = ops.add_item(fnd.row_id, f"细化问题{n + 1}")
            ledger.apply(item)
            if status != NOT_STARTED:
                from rectify_desktop.core.models import Item

                ledger.apply(ops.set_fields(Item, item.row_id, {"status": status}, dt.date(2026, 7, 1)))
    finally:
        ledger.close()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    d = tmp_path / "各单位台账"
    d.mkdir()
    for i, (unit, statuses) in enumerate(UNITS.items()):
        _make_unit(d / f"unit{i}.db", unit, statuses)
    return d


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def summary(window, folder, monkeypatch, qtbot):  # noqa: ANN001, ANN201
    from rectify_desktop.ui import summary_page

    before = _digests(folder)
    monkeypatch.setattr(summary_page, "choose_inputs", lambda parent: [folder])
    window.actions["summary"].trigger()
    page = window.findChild(summary_page.SummaryWindow) or summary_page.last_summary(window)
    assert page is not None
    qtbot.waitExposed(page)
    yield page
    # pytest-qt has closed the main window by now, and the 汇总 and the unit's window with it (the unit's
    # window holds its ledger open while shown); if not, they close here.
    if shiboken6.isValid(page):
        page.close()
    assert _digests(folder) == before  # every input read, none changed, nothing left beside them


def _rows(page) -> dict[str, list[str]]:  # noqa: ANN001
    """The table's rows in their order, then the 合计 row pinned under it."""
    out = {}
    for m in (page.view.model(), page.totals_view.model()):
        for r in range(m.rowCount()):
            cells = [m.index(r, c).data() or "" for c in range(m.columnCount())]
            out[cells[0]] = cells
    return out


def _col(page, title: str) -> int:  # noqa: ANN001
    m = page.view.model()
    heads = [m.headerData(c, Qt.Orientation.Horizontal) for c in range(m.columnCount())]
    return heads.index(title)


def test_action_enabled_without_a_ledger(window) -> None:  # noqa: ANN001
    assert window.ledger is None
    assert window.actions["summary"].isEnabled()
    file_menu = window.menuBar().actions()[0].menu()
    texts = [a.text() for a in file_menu.actions()]
    assert texts.index("汇总多个台账(&U)…") == texts.index("生成进展报告(&J)…") + 1


def test_table_rows_and_totals_are_collects(summary, folder) -> None:  # noqa: ANN001
    from rectify_desktop.core.summary import collect

    expected = collect([folder])
    rows = _rows(summary)
    assert list(rows)[-1] == "合计"
    assert sorted(rows) == sorted([*UNITS, "合计"])
    done, rate, items = _col(summary, "已完成"), _col(summary, "完成率"), _col(summary, "细化问题")
    for r in [*expected.rows, expected.totals]:
        assert rows[r.unit][done] == str(r.done)
        assert rows[r.unit][items] == str(r.items)
        assert rows[r.unit][rate] == f"{r.completion_whole}%"
    assert rows["合计"][items] == str(sum(len(s) for s in UNITS.values()))
    assert summary.headline.text() == expected.headline()


def test_sort_keeps_totals_last_and_filter_narrows(summary) -> None:  # noqa: ANN001
    rate = _col(summary, "完成率")
    for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
        summary.view.sortByColumn(rate, order)
        units = list(_rows(summary))
        assert units[-1] == "合计"
        rates = [int(_rows(summary)[u][rate].rstrip("%")) for u in units[:-1]]
        assert rates == sorted(rates, reverse=order == Qt.SortOrder.DescendingOrder)
    assert "合计" not in [summary.view.model().index(r, 0).data() for r in range(summary.view.model().rowCount())]
    summary.filter_box.setText("卫健")
    assert list(_rows(summary)) == ["乙县卫健委", "合计"]
    summary.filter_box.setText("")
    assert len(_rows(summary)) == 4


def test_threshold_marks_a_unit(summary) -> None:  # noqa: ANN001
    summary.rate_box.setValue(60)
    m = summary.view.model()
    marks = {}
    for r in range(m.rowCount()):
        unit = m.index(r, 0).data()
        mark = m.index(r, _col(summary, "提示")).data() or ""
        marks[unit] = (mark, m.index(r, 0).data(Qt.ItemDataRole.FontRole))
    assert "完成率偏低" in marks["丙县民政局"][0] and "完成率偏低" in marks["乙县卫健委"][0]
    assert marks["甲县教育局"][0] == ""
    assert marks["丙县民政局"][1] is not None and marks["丙县民政局"][1].bold()
    assert summary.window_.settings.value("summary/min_rate", type=int) == 60


def test_double_click_opens_the_unit_read_only_at_overview(summary, window, folder, qtbot) -> None:  # noqa: ANN001
    from rectify_desktop.ui.main_window import MainWindow

    m = summary.view.model()
    row = next(r for r in range(m.rowCount()) if m.index(r, 0).data() == "乙县卫健委")
    summary.view.doubleClicked.emit(m.index(row, 0))
    other = summary.viewer
    assert isinstance(other, MainWindow) and other is not window
    qtbot.waitExposed(other)
    assert other.ledger is not None and other.ledger.readonly
    assert other.ledger.path.parent == folder
    assert other.tabs.currentIndex() == other._tab_keys.index("overview")
    other.close()


def test_a_ledger_open_in_the_window_is_closed_only_with_consent(summary, window, tmp_path, monkeypatch, qtbot) -> None:  # noqa: ANN001, E501
    from PySide6.QtWidgets import QMessageBox

    own = tmp_path / "本单位台账.db"
    _make_unit(own, "本单位", [DONE])
    assert window.open_ledger(own)
    m = summary.view.model()
    answers = iter([QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes])
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: next(answers))
    summary.view.doubleClicked.emit(m.index(0, 0))
    assert summary.viewer is None and window.ledger is not None and not window.ledger.closed  # 否: nothing changes
    summary.view.doubleClicked.emit(m.index(0, 0))
    assert window.ledger is None  # 是: closed by the window itself, its pages gone with it
    viewer = summary.viewer
    assert viewer.ledger.readonly and viewer.ledger.path.name.startswith("unit")
    # the unit's file is not what the office's program remembers to open next time
    assert window.settings.value("last_ledger") == str(own.resolve())
    # the office opens its own ledger again: the viewer's was closed under it, so the viewer goes
    assert window.open_ledger(own)
    qtbot.waitUntil(lambda: summary.viewer is None)
    assert window.ledger is not None and not window.ledger.closed and not window.ledger.readonly


@pytest.mark.parametrize(
    ("button", "suffix"), [("导出Excel…", ".xlsx"), ("导出PDF…", ".pdf"), ("生成进展报告…", ".docx")]
)
def test_outputs_are_written_from_the_window(summary, folder, tmp_path, monkeypatch, button, suffix) -> None:  # noqa: ANN001
    from PySide6.QtWidgets import QFileDialog, QPushButton

    from rectify_desktop.ui.done_box import DoneBox

    out = tmp_path / f"汇总{suffix}"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    shown = []
    monkeypatch.setattr(DoneBox, "exec", lambda box: shown.append(box) or 0)
    summary.office_box.setText("临川县委巡察办")
    summary.filter_box.setText("卫健")  # the filter is for the screen: the outputs hold every unit
    [b for b in summary.findChildren(QPushButton) if b.text() == button][0].click()
    assert len(shown) == 1 and out.is_file()
    if suffix == ".xlsx":
        import openpyxl

        ws = openpyxl.load_workbook(out).worksheets[0]
        text = " ".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)
    elif suffix == ".pdf":
        from pypdf import PdfReader

        text = "".join(p.extract_text() for p in PdfReader(out).pages)
    else:
        import docx

        text = "".join(p.text for p in docx.Document(str(out)).paragraphs)
        text += "".join(c.text for t in docx.Document(str(out)).tables for r in t.rows for c in r.cells)
    for unit in UNITS:
        assert unit in text.replace(" ", "").replace("\n", "")
    assert summary.window_.settings.value("summary/office") == "临川县委巡察办"


def test_late_units_are_marked_in_words(summary) -> None:  # noqa: ANN001
    summary.late_box.setValue(30)
    summary.model.today = dt.date.today() + dt.timedelta(days=40)  # forty days on, nobody has written
    summary._thresholds()
    m = summary.view.model()
    marks = [m.index(r, _col(summary, "提示")).data() for r in range(m.rowCount())]
    assert marks and all("天未更新" in t for t in marks)
    assert summary.window_.settings.value("summary/late_days", type=int) == 30


def test_a_dropped_file_is_added_and_a_bad_one_listed(summary, tmp_path) -> None:  # noqa: ANN001
    from PySide6.QtCore import QMimeData, QPointF, QUrl
    from PySide6.QtGui import QDropEvent

    more = tmp_path / "丁县.db"
    _make_unit(more, "丁县水利局", [DONE, DONE])
    bad = tmp_path / "不是台账.db"
    bad.write_bytes(b"hello")
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(more)), QUrl.fromLocalFile(str(bad))])
    event = QDropEvent(
        QPointF(5, 5), Qt.DropAction.CopyAction, data, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    summary.dropEvent(event)
    assert "丁县水利局" in _rows(summary) and len(_rows(summary)) == 5
    assert summary.skipped.isVisibleTo(summary) and summary.skipped.count() == 1
    assert summary.skipped.item(0).text().startswith("不是台账.db：")


def test_cancelled_reading_shows_nothing(window, folder, monkeypatch) -> None:  # noqa: ANN001
    from PySide6.QtWidgets import QProgressDialog

    from rectify_desktop.ui import summary_page

    monkeypatch.setattr(summary_page, "choose_inputs", lambda parent: [folder])
    monkeypatch.setattr(QProgressDialog, "wasCanceled", lambda self: True)
    window.actions["summary"].trigger()
    assert [w for w in window.findChildren(summary_page.SummaryWindow) if w.isVisible()] == []


def test_enter_opens_the_selected_unit(summary, qtbot) -> None:  # noqa: ANN001
    m = summary.view.model()
    summary.activateWindow()
    summary.view.setFocus()
    summary.view.setCurrentIndex(m.index(1, 0))
    qtbot.keyClick(summary.view, Qt.Key.Key_Return)
    chosen = summary.model.row_at(summary.proxy.mapToSource(m.index(1, 0)).row())
    assert summary.viewer is not None and summary.viewer.ledger.path == chosen.path
    assert summary.viewer.ledger.readonly
    summary.viewer.close()
