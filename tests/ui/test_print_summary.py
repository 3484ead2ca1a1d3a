"""The printout's summary page (整改情况汇总, issue 14): after the ledger's table, the headline figures from
core.stats and the 整改成效 from core.results, with the signatures, counted in "第 n 页 共 N 页"; a print option
remembered like the others; not on the three lists, nor on a printout of some of the items.

Read back from the PDF with pypdf; the figures expected are computed by core, never written here."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from rectify_desktop.core import lists, results, settings, stats
from rectify_desktop.core.models import Accountability, Institution, Meeting, MoneyEntry

HEADING = "整改情况汇总"
SIGNATURE = ("填表人：", "审核人：", "负责人：", "联系电话：", "（盖章）")
TITLE = "中共临川县教育局党组关于县委第三巡察组反馈意见整改落实台账"


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def page_texts(path: Path) -> list[str]:
    return [squeeze(p.extract_text() or "") for p in PdfReader(str(path)).pages]


@pytest.fixture
def printing(qapp):
    from rectify_desktop.ui import printing

    return printing


def expected_headline() -> str:
    s = stats.compute(1, dt.date.today(), settings.get_int("immediate_days"))
    return s.headline("巡察")


def test_the_last_page_sums_up_the_ledger(printing, demo_ledger, tmp_path):
    from rectify_desktop.ui.printing.options import PrintOptions

    assert PrintOptions().summary  # on by default
    out = tmp_path / "台账.pdf"
    n = printing.write_pdf(1, out)
    texts = page_texts(out)
    assert len(texts) == n == printing.build_layout(1).page_count
    last = texts[-1]
    assert HEADING in last and not any(HEADING in t for t in texts[:-1])
    assert f"{TITLE}（续）" in last  # the running title, as on every page after the first
    assert squeeze(expected_headline()) in last
    s = stats.compute(1, dt.date.today(), settings.get_int("immediate_days"))
    for label, value in (("已销号", s.written_off), ("已逾期", s.overdue), ("完成率", f"{s.completion_whole}%")):
        assert f"{label}{value}" in last.replace("项", ""), label
    r = results.compute(1)
    assert r.accountability and r.money and r.audit and r.rules.count and r.meetings  # the demo has each kind
    assert squeeze(results.sentence(r)) in last
    for kind, c in r.accountability.items():
        assert f"{kind}{c.count}人" in last, kind
    for kind, a in {**r.money, **r.audit}.items():
        assert f"{kind}{results.amount_text(a.amount)}万元" in last, kind
    assert f"{r.rules.count}项" in last
    for kind, c in r.meetings.items():
        assert f"{kind}{c.count}次" in last, kind
    for k, text in enumerate(texts, 1):
        assert f"第{k}页共{n}页" in text, k
    # The signatures sign the whole printout: under the summary, not under the table.
    assert all(x in last for x in SIGNATURE)
    assert not any(SIGNATURE[0] in t for t in texts[:-1])


def test_without_the_option_the_page_is_not_printed(printing, demo_ledger, tmp_path):
    from rectify_desktop.ui.printing.options import PrintOptions

    with_page, without = tmp_path / "有.pdf", tmp_path / "无.pdf"
    n = printing.write_pdf(1, with_page)
    m = printing.write_pdf(1, without, PrintOptions(summary=False))
    texts = page_texts(without)
    assert m == len(texts) == n - 1
    assert not any(HEADING in t for t in texts)
    assert all(x in texts[-1] for x in SIGNATURE)  # the table's last page signs again
    assert f"第{m}页共{m}页" in texts[-1]


def test_the_lists_and_a_part_of_the_ledger_have_no_summary(printing, demo_ledger, tmp_path):
    """The figures are the whole inspection's: a list or a department's items would be summed up by figures
    that are not theirs."""
    from rectify_desktop.ui.printing.options import PrintOptions

    for kind in (lists.PROBLEMS, lists.TASKS, lists.RESPONSIBILITY):
        out = tmp_path / f"{kind}.pdf"
        printing.write_pdf(1, out, PrintOptions(document=kind, summary=True))
        assert not any(HEADING in t for t in page_texts(out)), kind
    out = tmp_path / "未完成.pdf"
    printing.write_pdf(1, out, PrintOptions(items=lists.NOT_DONE, summary=True))
    assert not any(HEADING in t for t in page_texts(out))


def test_nothing_recorded_says_so(printing, demo_ledger, tmp_path):
    for model in (Accountability, MoneyEntry, Institution, Meeting):
        model.delete().execute()
    out = tmp_path / "台账.pdf"
    printing.write_pdf(1, out)
    last = page_texts(out)[-1]
    assert HEADING in last and "尚未记录整改成效" in last
    assert squeeze(expected_headline()) in last
    assert "诫勉" not in last and "万元" not in last


def test_the_summary_stays_inside_the_page(printing, demo_ledger):
    """Inside the margins, nothing over anything else, as the kinds grow one by one until the tables go on to
    a second page (the signatures once, at the end)."""
    from rectify_desktop.ui.printing.options import PrintOptions

    layout = printing.build_layout(1)
    assert layout.summary is not None and layout.summary.page_count == 1
    assert layout.page_count == len(layout.pages) + 1
    assert layout.summary.fonts.body.font.pixelSize() >= 100  # 10 pt at least, as the table
    insp = Meeting.select().first().inspection
    for k in range(16):
        summary = layout.summary
        for page in range(summary.page_count):
            boxes = summary.boxes(page)
            for n, box in enumerate(boxes):
                assert layout.left - 0.01 <= box.left() and box.right() <= layout.right + 0.01, (k, box)
                assert layout.top - 0.01 <= box.top() and box.bottom() <= layout.bottom + 0.01, (k, box)
                for other in boxes[n + 1 :]:
                    common = box.intersected(other)
                    assert common.width() < 1 or common.height() < 1, (k, box, other)
        assert [p.signature_y is not None for p in summary.pages] == [False] * (summary.page_count - 1) + [True]
        assert all(len(t.rows) >= 3 for p in summary.pages[1:] for t in p.tables), k  # never one row alone
        Meeting.create(inspection=insp, kind=f"第{k + 1}类专题会议", position=100 + k)
        layout = printing.build_layout(1)
    assert layout.summary.page_count == 2
    # Portrait at 小四: the table goes on to a second page with three rows and the signatures, not one row.
    Meeting.delete().where(Meeting.position >= 100).execute()
    layout = printing.build_layout(1, PrintOptions(landscape=False, font_size=12.0))
    assert layout.summary.page_count == 2
    last = layout.summary.pages[-1]
    assert last.signature_y is not None and sum(len(t.rows) for t in last.tables) >= 3


def test_portrait_and_many_kinds_flow_on_to_another_page(printing, demo_ledger, tmp_path):
    """Forty kinds of meeting do not fit beside the figures: the table goes on on the next page, every kind
    printed once, the signatures at the very end."""
    from rectify_desktop.ui.printing.options import PrintOptions

    insp = Meeting.select().first().inspection
    for k in range(40):
        Meeting.create(inspection=insp, kind=f"第{k + 1}类专题会议", position=100 + k, topic="专题研究")
    for landscape in (True, False):
        out = tmp_path / f"多{landscape}.pdf"
        n = printing.write_pdf(1, out, PrintOptions(landscape=landscape))
        texts = page_texts(out)
        layout = printing.build_layout(1, PrintOptions(landscape=landscape))
        assert n == len(texts) == layout.page_count and layout.summary.page_count >= 2
        whole = "".join(texts[len(layout.pages) :])
        for k in range(40):  # in the sentence, and once in the table
            assert whole.count(f"第{k + 1}类专题会议1次") == 2, k
        assert all(x in texts[-1] for x in SIGNATURE)
        for k, text in enumerate(texts, 1):
            assert f"第{k}页共{n}页" in text


def test_the_option_is_remembered(qapp, tmp_path):
    from PySide6.QtCore import QSettings

    from rectify_desktop.ui.printing.options import PrintOptions, load_options, save_options

    store = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    assert load_options(store).summary
    save_options(store, PrintOptions(summary=False))
    assert not load_options(store).summary


def test_the_dialog_offers_it_for_the_whole_ledger_only(qapp, demo_ledger):
    from rectify_desktop.ui.printing.dialog import PrintOptionsDialog
    from rectify_desktop.ui.printing.options import PrintOptions

    d = PrintOptionsDialog(None, "导出PDF", PrintOptions(summary=False), lists.category_choices(1), [], "单位")
    assert d.summary.text() == "附整改情况汇总页" and not d.summary.isChecked()
    d.summary.setChecked(True)
    assert d.summary.isEnabled() and d.options().summary
    assert d.summary_hint.text() == ""
    d.document.setCurrentIndex(d.document.findData(lists.PROBLEMS))
    assert not d.summary.isEnabled() and "全部事项" in d.summary_hint.text()
    d.document.setCurrentIndex(d.document.findData(lists.LEDGER))
    d.items.setCurrentIndex(d.items.findData(lists.NOT_DONE))
    assert not d.summary.isEnabled()
    d.items.setCurrentIndex(d.items.findData(lists.ALL))
    assert d.summary.isEnabled() and d.summary.isChecked()
    d.deleteLater()


def test_cli_prints_the_summary_unless_told_not_to(demo_path, cli, tmp_path):
    out, bare = tmp_path / "台账.pdf", tmp_path / "无汇总.pdf"
    r = cli("export", demo_path, out)
    assert r.returncode == 0, r.stderr
    r = cli("export", demo_path, bare, "--no-summary")
    assert r.returncode == 0, r.stderr
    texts, bare_texts = page_texts(out), page_texts(bare)
    assert HEADING in texts[-1] and not any(HEADING in t for t in bare_texts)
    assert len(bare_texts) == len(texts) - 1


def test_the_figures_are_the_table_s_whatever_the_date_written(printing, demo_ledger, tmp_path):
    """已逾期 on the summary is the number of items the table marks 已逾期, counted today as the marks are, even
    when the clerk writes another 填报日期 (the statuses are today's)."""
    from rectify_desktop.core.table import cn_date
    from rectify_desktop.ui.printing.cells import OVERDUE_MARK
    from rectify_desktop.ui.printing.options import PrintOptions

    out = tmp_path / "台账.pdf"
    n = printing.write_pdf(1, out, PrintOptions(date=dt.date(2026, 1, 31)))
    texts = page_texts(out)
    s = stats.compute(1, dt.date.today(), settings.get_int("immediate_days"))
    marked = "".join(texts[: n - 1]).count(squeeze(OVERDUE_MARK))
    assert marked == s.overdue > 0
    assert f"已逾期{s.overdue}项" in texts[-1] and f"（截至{cn_date(dt.date.today())}）" in texts[-1]
    assert "2026年1月31日" in texts[0]  # the 填报日期 as written


def test_the_window_prints_without_it_when_unticked_and_remembers(window, demo_path, monkeypatch, tmp_path):
    from PySide6.QtWidgets import QFileDialog

    from rectify_desktop.ui.done_box import DoneBox
    from rectify_desktop.ui.printing.dialog import PrintOptionsDialog
    from rectify_desktop.ui.printing.options import load_options

    assert window.open_ledger(demo_path)
    seen: list[bool] = []

    def exec_(d: PrintOptionsDialog) -> int:
        seen.append(d.summary.isChecked())
        d.summary.setChecked(False)
        return PrintOptionsDialog.DialogCode.Accepted

    monkeypatch.setattr(PrintOptionsDialog, "exec", exec_)
    monkeypatch.setattr(DoneBox, "exec", lambda box: 0)
    out = tmp_path / "台账.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), "PDF 文件 (*.pdf)"))
    window.actions["export_pdf"].trigger()
    texts = page_texts(out)
    assert seen == [True] and texts and not any(HEADING in t for t in texts)
    assert all(x in texts[-1] for x in SIGNATURE)
    assert load_options(window.settings).summary is False
    window.actions["export_pdf"].trigger()
    assert seen == [True, False]  # the dialog opens unticked the next time
