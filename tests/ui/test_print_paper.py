"""The printout as the office reads it (issue 13, points 9-11): overdue items marked in words that survive a
black-and-white printer, numbers, dates and file names never broken across lines, one evidence name a line, body
at 10 pt at least, and pages filled (a row split at the foot of a page, its category repeated on the next).

Asserted from the PDF (pypdf's text, line by line as painted) and from the layout's pages and pieces."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from rectify_desktop.core.table import build_table
from rectify_desktop.ui.printing.cells import OVERDUE_MARK, compact_dates
from rectify_desktop.ui.printing.layout import PageSetup, SheetLayout
from rectify_desktop.ui.printing.options import FONT_SIZES, PrintOptions
from rectify_desktop.ui.printing.text import UNITS_PER_PT

# What the demo and a 1,000-item ledger printed before (9 pt body): the new layout must not take more pages.
DEMO_PAGES_BEFORE = 8
BIG_PAGES_BEFORE = 143
# A date, a number or a file name cut at a line's end: "2027年3月 / 31日", "100 / 0", "报告. / pdf".
BROKEN = re.compile(r"\d\n\d|\d{4}年\n\d|\d{1,2}月\n\d|\d年\d{1,2}\n月")
# The same in a page's text, where pypdf runs one cell into the next (a date 2026.8.4 before a cell of 3 lines
# is "2026.8.4\n3", no break): a date cut in either style, a 序号 cut (a line of one to three digits before
# one of digits, as "100 / 0" printed).
BROKEN_ON_PAGE = re.compile(
    r"\d{4}年\n\d|\d{1,2}月\n\d|\d年\d{1,2}\n月|\d{4}\.\n\d|\d{4}\.\d{1,2}\.?\n\d|(?:^|\n)\d{1,3}\n\d+(?:\n|$)"
)
# A file name's ending cut off: asserted on the layout's lines (pypdf starts a new line where the PDF changes
# font, as it does between a Chinese character and Latin letters, so its text cannot tell).
BROKEN_NAME = re.compile(r"\.\n(?:pdf|png|jpe?g|docx?|xlsx?)\b|\.[a-z]{1,3}\n[a-z]")


def layout_text(layout) -> str:  # noqa: ANN001
    """Every cell's lines, one cell after another."""
    return "\n\n".join("\n".join(t for t, _ in cell) for row in layout.cells for cell in row)


def lines(path: Path) -> list[list[str]]:
    """Each page's text lines as painted (a cell's lines come one after another)."""
    return [[x.strip() for x in (p.extract_text() or "").split("\n")] for p in PdfReader(str(path)).pages]


@pytest.fixture
def printing(qapp):
    from rectify_desktop.ui import printing

    return printing


def test_overdue_items_are_marked_in_words_and_bold(printing, demo_ledger, tmp_path):
    rows = build_table(1).rows
    overdue = [r for r in rows if r.overdue]
    assert overdue and len(overdue) < len(rows)
    layout = printing.build_layout(1)
    for i, row in enumerate(layout.sheet.rows):
        if row.item is None:
            continue
        marked = OVERDUE_MARK in layout.texts[i]["deadline"]
        assert marked == row.item.overdue, row.item.cells["seq"]
        assert ((i, "deadline") in layout.bold) == row.item.overdue
    out = tmp_path / "台账.pdf"
    printing.write_pdf(1, out)
    text = "\n".join("\n".join(p) for p in lines(out))
    joined = text.replace("\n", "")  # a phrase may wrap (2026年10月 / 底前); the date in it never does
    for r in overdue:  # the words under the deadline: no colour needed
        assert f"{compact_dates(r.cells['deadline'])}{OVERDUE_MARK}" in joined, r.cells["seq"]
    assert text.count(OVERDUE_MARK) == len(overdue)


def test_no_date_number_or_file_name_is_broken_and_evidence_names_stand_apart(printing, demo_ledger, tmp_path):
    out = tmp_path / "台账.pdf"
    printing.write_pdf(1, out)
    pages = lines(out)
    text = "\n".join("\n".join(p) for p in pages)
    assert not BROKEN_ON_PAGE.search(text), BROKEN_ON_PAGE.search(text)
    cells = layout_text(printing.build_layout(1))
    assert "片.png" in cells and not BROKEN_NAME.search(cells) and not BROKEN.search(cells)
    flat = [x for p in pages for x in p]
    for r in build_table(1).rows:
        names = [n for n in r.cells["evidence"].split("\n") if n]
        if len(names) > 1:  # each name begins a line of its own, numbered ① ② …
            for k, name in enumerate(names):
                mark = "①②③④⑤"[k]
                assert any(x.startswith(mark) and name.startswith(x[1:]) for x in flat), name
    for r in build_table(1).rows:
        for key in ("deadline",):
            value = r.cells[key]
            if re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", value):
                assert compact_dates(value) in flat, value  # a whole date on one line, as the Excel ledger writes it


def test_a_thousand_items_keep_their_numbers_whole(printing, tmp_path):
    from rectify_desktop.core.ledger import Ledger
    from tests.perf.generate import make_large_ledger

    path = make_large_ledger(tmp_path / "千.db", 1000)
    with Ledger.open(path):
        layout = printing.build_layout(1)
        assert layout.page_count <= BIG_PAGES_BEFORE
        seq = layout.keys.index("seq")
        numbers = [layout.cells[i][seq] for i in range(len(layout.sheet.rows)) if i not in layout.bands]
        assert numbers[-1][0][0] == "1000" and all(len(n) == 1 for n in numbers)
        out = tmp_path / "千.pdf"
        printing.write_layout(layout, out)
        pages = lines(out)
    assert len(pages) == layout.page_count
    flat = [x for p in pages for x in p]
    assert "1000" in flat
    assert not BROKEN_ON_PAGE.search("\n".join(flat)) and not BROKEN.search(layout_text(layout))
    # The context on every page: the category band (方面) and the finding (问题).
    for n, page in enumerate(p for p in layout.pages if p.pieces):
        assert page.band is not None or page.pieces[0].row in layout.bands, n
        assert any(box.lines for box in page.spans), n


def test_body_at_ten_points_and_pages_filled(printing, demo_ledger):
    assert min(pt for _, pt in FONT_SIZES) >= 10
    assert PrintOptions(font_size=9.0).normalised().font_size == 10.0
    layout = printing.build_layout(1)
    assert layout.fonts.body.font.pixelSize() / UNITS_PER_PT >= 10
    usable = layout.bottom - layout.pages[1].header_y
    blanks = [(layout.bottom - p.table_end) / usable for p in layout.pages[:-1]]
    assert max(blanks) < 0.1 and sum(blanks) / len(blanks) < 0.05, blanks  # was a fifth on pages 1-3
    # A row split at the foot of a page goes on at the top of the next, with its category band repeated.
    split = [p for p in layout.pages[1:] if p.pieces and p.pieces[0].start > 0]
    assert split and all(p.band is not None for p in split)
    # At the old body size the same ledger takes fewer pages than before; at 10 pt the type is 11% larger.
    sheet = layout.source
    assert SheetLayout(sheet, PageSetup(font_size=9.0)).page_count < DEMO_PAGES_BEFORE
    # 10 pt, and 细化问题, 备注 and 佐证材料 wide enough to read (below): 10 pages, 9 before with 备注 two
    # characters wide.
    assert len(layout.pages) <= DEMO_PAGES_BEFORE + 2  # the table's pages, without the summary page after them


def test_the_width_is_where_the_text_is(printing, demo_ledger):
    """细化问题 about 7 characters, 备注 and 佐证材料 6 (备注 was 2: one sentence in 11 lines), and the columns of dates
    and states only as wide as a whole date."""
    from rectify_desktop.ui.printing.text import tokens

    layout = printing.build_layout(1)
    em = layout.fonts.body.em
    width = {k: w / em for k, w in zip(layout.keys, layout.widths, strict=True)}
    assert width["item"] >= 7 and width["finding"] >= 5, width
    assert width["remarks"] >= 6 and width["evidence"] >= 6, width
    for key in ("deadline", "status", "writeoff"):
        widest = max(layout.fonts.body.width(t) for row in layout.texts for t in tokens(row[key])) / em
        assert widest <= width[key] - 0.3 <= widest + 0.2, (key, width[key], widest)
    for key in ("item", "measures", "progress"):
        assert width[key] > max(width[k] for k in ("leader", "department", "person")) + 3, width
    remarks = layout.keys.index("remarks")
    assert max(len(cells[remarks]) for cells in layout.cells) <= 5  # 21 characters: 4 lines


def test_the_pdf_ends_as_the_excel_ledger_does(printing, demo_ledger, tmp_path):
    """填表人 / 审核人 / 负责人 / 联系电话 with the names from the settings, then the unit with （盖章） and the date:
    the same lines, in the same order, from the same settings as the Excel ledger."""
    from rectify_desktop.core import settings
    from rectify_desktop.io.xlsx_ledger_sheet import SEAL, SIGNATURES
    from rectify_desktop.ui.printing import layout as print_layout
    from rectify_desktop.ui.printing import output

    assert print_layout.SIGNATURE == tuple(label for label, _ in SIGNATURES) and print_layout.SEAL == SEAL
    assert output.SIGNERS == dict(SIGNATURES)
    names = {"reporter": "王芳", "reviewer": "", "principal": "陈建国", "contact_phone": "0794-6221234"}
    demo_ledger.apply(settings.SetSettings(names))
    out = tmp_path / "台账.pdf"
    printing.write_pdf(1, out)
    last = lines(out)[-1]
    at = last.index("填表人：王芳")
    tail = [x for x in last[at:] if x]
    assert tail[:4] == ["填表人：王芳", "审核人：", "负责人：陈建国", "联系电话：0794-6221234"], tail
    unit = printing.build_layout(1).setup.unit
    assert tail[4] == f"{unit}（盖章）" and re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", tail[5]), tail
    assert not any("填表人" in x for p in lines(out)[:-1] for x in p)


def test_the_three_lists_mark_overdue_as_the_ledger_does(printing, demo_ledger, tmp_path):
    """问题清单, 任务清单, 责任清单: "（已逾期）" in bold under the deadline, as in 台账.pdf; not "正在推进，已逾期"."""
    from rectify_desktop.core import lists

    overdue = [r for r in build_table(1).rows if r.overdue]
    for kind in (lists.PROBLEMS, lists.TASKS, lists.RESPONSIBILITY):
        layout = printing.build_layout(1, PrintOptions(document=kind))
        assert "deadline" in layout.keys, kind
        marked = {row.item.item_id for i, row in enumerate(layout.sheet.rows) if (i, "deadline") in layout.bold}
        assert marked == {r.item_id for r in overdue}, kind
        assert all(OVERDUE_MARK not in t["status"] for t in layout.texts if "status" in t), kind
        out = tmp_path / f"{kind}.pdf"
        printing.write_layout(layout, out)
        text = "\n".join("\n".join(p) for p in lines(out))
        assert "已逾期" in text and "，已逾期" not in text, kind
        for r in overdue:  # the mark on the line under the deadline, whatever the list
            assert f"{r.cells['deadline']}\n{OVERDUE_MARK}" in text, (kind, r.cells["seq"])


def test_the_problem_list_says_its_category_in_a_band_as_the_ledger_does(printing, demo_ledger, tmp_path):
    """问题清单: the 方面 across the table (a band, repeated with （续） where a page begins inside it), not a
    narrow merged column; the lists' states in one line ("已完成（2026年7月20日）"): 2 pages (3 before)."""
    from rectify_desktop.core import lists
    from rectify_desktop.core.models import Category

    layout = printing.build_layout(1, PrintOptions(document=lists.PROBLEMS))
    assert "category" not in layout.keys and len(layout.bands) == Category.select().count()
    for page in layout.pages:
        if page.pieces:
            assert page.band is not None or page.pieces[0].row in layout.bands, page.number
    assert layout.page_count <= 2
    status = layout.keys.index("status")
    done = [c[status] for c in layout.cells if c and c[status] and c[status][0][0].startswith("已完成（")]
    assert done and all(len(c) == 1 for c in done)
    out = tmp_path / "问题清单.pdf"
    printing.write_layout(layout, out)
    text = "\n".join("\n".join(p) for p in lines(out))
    for c in Category.select():
        assert c.title in re.sub(r"\s+", "", text)


def test_the_ledger_prints_dates_as_the_excel_ledger_does_and_stays_short_at_large_sizes(printing, demo_ledger):
    """Whole dates in the ledger's table read 2026.8.4, as in the Excel ledger (its thirteen columns need the
    width): at 14 pt "2026年8月4日" took a third of the paper and the demo ran to 55 pages (23 at 12 pt)."""
    layout = printing.build_layout(1)
    table = build_table(1)
    done = [r for r in table.rows if "（" in r.cells["status"] and r.cells["status"].startswith("已完成")]
    assert done
    cells = "\n\n".join("\n".join(row[k] for k in ("deadline", "status", "writeoff")) for row in layout.texts)
    assert not re.search(r"\d{4}年\d{1,2}月\d{1,2}日", cells), cells[:200]
    for r in done:
        date = r.cells["status"].split("（")[1].rstrip("）")
        assert compact_dates(date) in cells and re.fullmatch(r"\d{4}\.\d{1,2}\.\d{1,2}", compact_dates(date))
    pages = {pt: printing.build_layout(1, PrintOptions(font_size=pt)).page_count for pt in (12.0, 14.0)}
    assert pages[12.0] <= 18 and pages[14.0] <= 32, pages  # 23 and 55 with 年月日
