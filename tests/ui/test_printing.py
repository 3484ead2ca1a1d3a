"""Printing: the PDF of the demo ledger read back with pypdf, the layout's guarantees, the window's three
commands (their modal dialogs replaced), the command line with no display, and a machine with no Chinese font."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from rectify_desktop.core import lists
from rectify_desktop.core.models import DONE, Item
from rectify_desktop.core.table import COLUMNS, build_table

A4_LANDSCAPE = (842, 595)
SIGNATURE = ("填表人：", "审核人：", "负责人：", "联系电话：", "（盖章）")
TITLE = "中共临川县教育局党组关于县委第三巡察组反馈意见整改落实台账"


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def page_texts(path: Path) -> list[str]:
    return [squeeze(p.extract_text() or "") for p in PdfReader(str(path)).pages]


def printed(text: str, texts: list[str]) -> bool:
    """`text` is on a page, or begins at the foot of one and ends at the top of the next (a row split there)."""
    if any(text in t for t in texts):
        return True
    pairs = zip(texts, texts[1:], strict=False)
    return any(text[:k] in a and text[k:] in b for a, b in pairs for k in range(1, len(text)))


def page_sizes(path: Path) -> list[tuple[float, float]]:
    return [(float(p.mediabox.width), float(p.mediabox.height)) for p in PdfReader(str(path)).pages]


def embedded_fonts(path: Path) -> dict[str, bool]:
    """Every font the pages use: its name and whether its glyphs are inside the file."""
    out: dict[str, bool] = {}
    for page in PdfReader(str(path)).pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for ref in fonts.get_object().values():
            font = ref.get_object()
            descendants = font.get("/DescendantFonts")
            target = descendants.get_object()[0].get_object() if descendants else font
            desc = target.get("/FontDescriptor")
            desc = desc.get_object() if desc else {}
            out[str(font["/BaseFont"])] = any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    return out


def item_titles() -> list[str]:
    return [t for (t,) in Item.select(Item.title).tuples()]


@pytest.fixture
def printing(qapp):
    from rectify_desktop.ui import printing

    return printing


# --- the PDF of the demo ledger --------------------------------------------------------------------------------


def test_demo_ledger_pdf(printing, demo_ledger, tmp_path):
    out = tmp_path / "台账.pdf"
    layout = printing.build_layout(1)
    expected = layout.page_count
    assert 4 <= expected <= 12  # 29 items of several lines each, 3 to 5 rows a page
    assert printing.write_pdf(1, out) == expected
    assert len(PdfReader(str(out)).pages) == expected
    assert all(abs(w - A4_LANDSCAPE[0]) <= 1 and abs(h - A4_LANDSCAPE[1]) <= 1 for w, h in page_sizes(out))
    texts = page_texts(out)
    categories = {r.cells["category"] for r in build_table(1).rows}
    for n, text in enumerate(texts[: len(layout.pages)], 1):  # the table's pages (the summary's: test_print_summary)
        assert TITLE in text, n
        for header in COLUMNS:
            if header != "方面":  # the category is a band across the table, not a column
                assert header in text, (n, header)
        assert any(squeeze(c) in text for c in categories), n  # every page says which 方面 it is in
        assert f"第{n}页共{expected}页" in text
    assert "填报单位：临川县教育局" in texts[0] and "填报日期：" in texts[0]
    whole = "".join(texts)
    missing = [t for t in item_titles() if not printed(squeeze(t), texts)]
    assert missing == []
    assert all(s in texts[-1] for s in SIGNATURE)
    assert not any(SIGNATURE[0] in t for t in texts[:-1])
    fonts = embedded_fonts(out)
    assert fonts and all(fonts.values()), fonts
    # Every line of every cell is printed once: measures are "一是…二是…", and there are as many as measures.
    assert whole.count("一是") == sum(1 for r in build_table(1).rows if r.cells["measures"].startswith("一是"))
    # The text layer is searchable: no ideograph written as a look-alike radical (⼀ for 一, ⻅ for 见).
    assert not re.search("[\u2e80-\u2fdf]", whole)


def test_layout_places_every_line_once_within_the_page(printing, demo_ledger):
    layout = printing.build_layout(1)
    placed: dict[int, list[tuple[int, int]]] = {}
    for page in layout.pages:
        for piece in page.pieces:
            assert piece.y >= page.header_y + layout.header_h - 0.01
            assert piece.y + piece.height <= layout.bottom + 0.01
            placed.setdefault(piece.row, []).append((piece.start, piece.end))
        for box in page.spans:  # spanning cells hold their whole text on every page they are on
            assert len(box.lines) * layout.lh <= box.height
    assert sorted(placed) == list(range(len(layout.sheet.rows)))
    for row, ranges in placed.items():
        covered = [i for a, b in ranges for i in range(a, b)]
        assert covered == list(range(layout.n_lines[row])), row
    widths = dict(zip(layout.keys, layout.widths, strict=True))
    assert widths["seq"] < widths["item"] < widths["measures"] and widths["seq"] < widths["progress"]
    assert abs(sum(layout.widths) - (layout.right - layout.left)) < 1


@pytest.mark.parametrize("seed", range(12))
def test_layout_of_odd_sheets_never_loses_a_line(qapp, seed):
    """Random sheets with very long cells and spanning texts taller than a page: every line of every cell is
    placed once, inside the page; every line of a spanning text is shown; pieces never overlap."""
    import random

    from rectify_desktop.core.lists import Sheet, SheetRow
    from rectify_desktop.ui.printing.layout import PageSetup, SheetLayout

    rnd = random.Random(seed)
    words = ["整改", "落实", "制度", "2026年8月30日", "专题会议", "Excel台账", "①", "，", "。", "\n"]

    def text(n: int) -> str:
        return "".join(rnd.choice(words) for _ in range(n)).strip()

    keys = ("seq", "category", "finding", "item", "measures", "progress")
    rows, cat, finding = [], 0, 0
    texts = {}
    for i in range(rnd.randint(1, 40)):
        if rnd.random() < 0.2:
            cat += 1
        if rnd.random() < 0.4:
            finding += 1
        texts.setdefault(("c", cat), text(rnd.choice([3, 10, 400])))
        texts.setdefault(("f", finding), text(rnd.choice([5, 20, 600])))
        cells = {
            "seq": str(i + 1),
            "category": texts[("c", cat)],
            "finding": texts[("f", finding)],
            "item": text(rnd.randint(1, 30)),
            "measures": text(rnd.choice([0, 10, 50, 900])),
            "progress": text(rnd.randint(0, 80)),
        }
        rows.append(SheetRow(cells, {"category": cat, "finding": (cat, finding)}))
    sheet = Sheet(
        "测试台账", keys, ("序号", "方面", "问题", "细化问题", "整改措施", "整改进展"), rows, ("category", "finding")
    )
    layout = SheetLayout(sheet, PageSetup(font_size=rnd.choice([7.5, 9.0, 14.0]), landscape=rnd.random() < 0.5))
    placed: dict[int, list[int]] = {}
    shown: dict[tuple[int, int], list[str]] = {}
    for page in layout.pages:
        y = page.body_y  # under the header, and under the category band repeated there
        assert y >= page.header_y + layout.header_h
        for piece in page.pieces:
            assert abs(piece.y - y) < 0.01 and piece.height > 0
            assert piece.y + piece.height <= layout.bottom + 0.01
            assert layout._h(piece.end - piece.start) <= piece.height + 0.01
            placed.setdefault(piece.row, []).extend(range(piece.start, piece.end))
            y = piece.y + piece.height
        for box in page.spans:
            assert len(box.lines) * layout.lh <= box.height + 0.01
            si = layout.span_of[box.col][next(p.row for p in page.pieces if p.y >= box.y - 0.01)]
            shown.setdefault((box.col, si), []).extend(t for t, _ in box.lines)
    for r in range(len(rows)):
        assert placed[r] == list(range(layout.n_lines[r])), r
    for (c, si), lines in layout.span_lines.items():
        assert {t for t, _ in lines} <= set(shown[(c, si)]), (c, si)
    assert layout.pages[-1].signature_y is not None


def test_the_pdf_text_says_what_was_typed(qapp, tmp_path):
    """Characters a font may draw with a shared glyph come out of the PDF as typed (一 not ⼀, ～ not 〜)."""
    from rectify_desktop.core.lists import Sheet, SheetRow
    from rectify_desktop.ui.printing import fonts as print_fonts
    from rectify_desktop.ui.printing import write_layout
    from rectify_desktop.ui.printing.layout import PageSetup, SheetLayout

    typed = "一是6月～9月每月1次／第1–2项；意见、人员、日期：2026年8月30日…"
    sheet = Sheet("测试", ("seq", "item"), ("序号", "细化问题"), [SheetRow({"seq": "1", "item": typed})])
    out = tmp_path / "字.pdf"
    write_layout(SheetLayout(sheet, PageSetup()), out)
    assert squeeze(typed) in page_texts(out)[0]
    assert print_fonts.text_layer_ok(print_fonts.BUNDLED_FAMILY)


def test_filtered_printouts_hold_only_the_chosen_items(printing, demo_ledger, tmp_path):
    from rectify_desktop.ui.printing.options import PrintOptions

    table = build_table(1)
    findings = "".join(squeeze(r.cells["finding"]) for r in table.rows)

    def check(options: PrintOptions, chosen: list) -> None:
        out = tmp_path / f"{options.items}.pdf"
        printing.write_pdf(1, out, options)
        texts = page_texts(out)
        whole = "".join(texts)
        for r in table.rows:
            title = squeeze(r.cells["item"])
            if r in chosen:
                assert printed(title, texts), title
            elif title not in findings:
                assert title not in whole, title

    not_done = [r for r in table.rows if r.status != DONE]
    assert 0 < len(not_done) < len(table.rows)
    check(PrintOptions(items=lists.NOT_DONE), not_done)
    finance = [r for r in table.rows if "财务股" in lists.split_names(r.cells["department"])]
    check(PrintOptions(items=lists.DEPARTMENT, value="财务股"), finance)
    text = page_texts(tmp_path / f"{lists.DEPARTMENT}.pdf")[0]
    assert "范围：责任部门：财务股" in text


def test_portrait_and_chosen_columns(printing, demo_ledger, tmp_path):
    from rectify_desktop.ui.printing.options import PrintOptions

    out = tmp_path / "纵向.pdf"
    options = PrintOptions(landscape=False, columns=("seq", "item", "measures", "status"), font_size=10.5)
    n = printing.write_pdf(1, out, options)
    assert n == len(PdfReader(str(out)).pages) == printing.build_layout(1, options).page_count
    assert all(abs(w - 595) <= 1 and abs(h - 842) <= 1 for w, h in page_sizes(out))
    text = page_texts(out)[0]
    assert "细化问题" in text and "整改措施" in text and "责任领导" not in text and "整改进展" not in text


def test_the_three_lists_print_with_their_titles(printing, demo_ledger, tmp_path):
    from rectify_desktop.ui.printing.options import PrintOptions

    for kind, header in ((lists.PROBLEMS, "整改状态"), (lists.TASKS, "整改措施"), (lists.RESPONSIBILITY, "分工")):
        out = tmp_path / f"{kind}.pdf"
        n = printing.write_pdf(1, out, PrintOptions(document=kind))
        texts = page_texts(out)
        assert len(texts) == n >= 1
        title = lists.document_title(TITLE, kind)
        assert all(title in t and header in t for t in texts), kind
        assert all(s in texts[-1] for s in SIGNATURE)


def test_a_long_item_continues_on_the_next_pages(printing, demo_ledger, tmp_path):
    """A row taller than a page: its text goes on page after page, every line once, the finding repeated."""
    item = Item.select().order_by(Item.id).first()
    item.progress = "\n".join(f"第{i}阶段：已召开专题会议研究部署，逐项对照问题清单落实整改。" for i in range(1, 121))
    item.save()
    out = tmp_path / "长.pdf"
    n = printing.write_pdf(1, out)
    texts = page_texts(out)
    assert len(texts) == n
    whole = "".join(texts)
    for i in range(1, 121):
        assert whole.count(f"第{i}阶段：") == 1, i
    carrying = [t for t in texts if "第60阶段：" in t or "第120阶段：" in t]
    finding = squeeze(build_table(1).rows[0].cells["finding"])
    assert carrying and all(finding in t for t in carrying)  # the finding is repeated where its item goes on
    layout = printing.build_layout(1)
    row = next(i for i in range(len(layout.sheet.rows)) if i not in layout.bands)  # under its category's band
    assert sum(1 for p in layout.pages for piece in p.pieces if piece.row == row) >= 3


def test_an_empty_choice_prints_a_page_that_says_so(printing, demo_ledger, tmp_path):
    from rectify_desktop.ui.printing.options import PrintOptions

    Item.update(status=DONE).execute()
    out = tmp_path / "空.pdf"
    assert printing.write_pdf(1, out, PrintOptions(items=lists.NOT_DONE)) == 1
    assert "没有符合所选范围的事项" in page_texts(out)[0]


# --- the window ------------------------------------------------------------------------------------------------


@pytest.fixture
def window(window, demo_path):
    """The shared window (tests/conftest.py) on the demo ledger."""
    assert window.open_ledger(demo_path)
    return window


@pytest.fixture
def choose(monkeypatch):
    """Answers the print options dialog: `choose(fn)` makes it call fn(dialog) and accept."""
    from rectify_desktop.ui.printing.dialog import PrintOptionsDialog

    seen: list[PrintOptionsDialog] = []

    def use(fn=lambda d: None, accept: bool = True):
        def exec_(self):
            seen.append(self)
            fn(self)
            return PrintOptionsDialog.DialogCode.Accepted if accept else PrintOptionsDialog.DialogCode.Rejected

        monkeypatch.setattr(PrintOptionsDialog, "exec", exec_)
        return seen

    return use


def test_print_preview_paginates_like_the_pdf(window, choose, monkeypatch):
    from PySide6.QtPrintSupport import QPrintPreviewDialog, QPrintPreviewWidget

    from rectify_desktop.ui import printing

    choose()
    counts = []

    def exec_(self):
        preview = self.findChild(QPrintPreviewWidget)
        preview.updatePreview()
        counts.append(preview.pageCount())
        return 0

    monkeypatch.setattr(QPrintPreviewDialog, "exec", exec_)
    window.actions["print_preview"].trigger()
    assert counts == [printing.build_layout(window.current_inspection_id()).page_count]
    assert counts[0] > 1


def test_print_sends_the_same_pages_to_the_printer(window, choose, monkeypatch, tmp_path):
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter

    from rectify_desktop.ui import printing

    choose()
    out = tmp_path / "打印机.pdf"
    pages = []

    def exec_(self):
        pages.append((self.minPage(), self.maxPage()))
        self.printer().setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        self.printer().setOutputFileName(str(out))
        return QPrintDialog.DialogCode.Accepted

    monkeypatch.setattr(QPrintDialog, "exec", exec_)
    window.actions["print"].trigger()
    expected = printing.build_layout(1).page_count
    assert pages == [(1, expected)]  # the dialog offers a range of the printout's pages
    assert len(PdfReader(str(out)).pages) == expected
    assert TITLE in page_texts(out)[0]


def test_export_pdf_remembers_the_choices(window, choose, monkeypatch, tmp_path):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QFileDialog

    from rectify_desktop.ui.printing.dialog import PrintOptionsDialog
    from rectify_desktop.ui.printing.options import load_options

    out = tmp_path / "导出"  # no suffix: .pdf is added
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), "PDF 文件 (*.pdf)"))

    def pick(d: PrintOptionsDialog) -> None:
        d.document.setCurrentIndex(d.document.findData(lists.RESPONSIBILITY))
        d.items.setCurrentIndex(d.items.findData(lists.DEPARTMENT))
        d.value.setCurrentIndex(d.value.findData("财务股"))
        d.portrait.setChecked(True)
        d.font_size.setCurrentIndex(d.font_size.findData(10.5))
        d.set_columns(("seq", "item", "progress"))

    choose(pick)
    from rectify_desktop.ui.done_box import DoneBox

    monkeypatch.setattr(DoneBox, "exec", lambda box: 0)
    window.actions["export_pdf"].trigger()
    written = out.with_name("导出.pdf")
    assert written.exists() and len(PdfReader(str(written)).pages) >= 1
    assert "整改责任清单" in page_texts(written)[0]
    assert "已导出PDF" in window.statusBar().currentMessage()
    opts = load_options(window.settings)
    assert (opts.document, opts.items, opts.value, opts.landscape, opts.font_size) == (
        lists.RESPONSIBILITY,
        lists.DEPARTMENT,
        "财务股",
        False,
        10.5,
    )
    assert opts.columns == ("seq", "item", "progress")
    # The next time the dialog opens with them.
    seen = choose(accept=False)
    window.actions["print_preview"].trigger()
    d = seen[-1]
    assert d.document.currentData() == lists.RESPONSIBILITY and d.value.currentData() == "财务股"
    assert d.portrait.isChecked() and d.font_size.currentData() == 10.5
    checked = [d.columns.item(i).data(Qt.ItemDataRole.UserRole) for i in range(d.columns.count())]
    assert [k for k in checked if k in d.checked_columns()] == ["seq", "item", "progress"]


def test_cancelled_choices_print_nothing(window, choose, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    called = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: called.append(1) or ("", ""))
    choose(accept=False)
    window.actions["export_pdf"].trigger()
    assert called == []


# --- the command line, and a machine with no Chinese font --------------------------------------------------------


def test_cli_exports_a_pdf_with_no_display(demo_path, cli, cli_env, tmp_path):
    cli_env.pop("QT_QPA_PLATFORM", None)  # the command must choose offscreen itself
    out = tmp_path / "导出.pdf"
    r = cli("export", demo_path, out)
    assert r.returncode == 0, r.stderr
    assert "已导出PDF" in r.stdout and "共" in r.stdout
    assert len(PdfReader(str(out)).pages) >= 4
    r = cli("export", demo_path, tmp_path / "问题.pdf", "--kind", "问题清单")
    assert r.returncode == 0, r.stderr
    assert "问题清单" in page_texts(tmp_path / "问题.pdf")[0]


def test_cli_fails_in_chinese(demo_path, cli, tmp_path):
    r = cli("export", tmp_path / "没有这个台账.db", tmp_path / "x.pdf")
    assert r.returncode == 1 and "找不到台账文件" in r.stderr
    assert not (tmp_path / "x.pdf").exists()
    r = cli("export", demo_path, tmp_path / "y.pdf", "--inspection", "99")
    assert r.returncode == 1 and "没有编号为 99 的巡察" in r.stderr
    r = cli("export", demo_path, tmp_path / "z.pdf", "--kind", "通报")
    assert r.returncode == 1 and "不认识的文档类型" in r.stderr


def test_a_machine_with_no_chinese_font_still_prints_chinese(demo_path, cli_env, tmp_path):
    """Fontconfig told to see no font at all: the bundled subset prints, and is embedded."""
    conf = tmp_path / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n'
        f"<fontconfig><cachedir>{tmp_path / 'fc-cache'}</cachedir></fontconfig>\n",
        encoding="utf-8",
    )
    env = dict(cli_env, FONTCONFIG_FILE=str(conf), QT_QPA_PLATFORM="offscreen")
    env.pop("FONTCONFIG_PATH", None)
    probe = (
        "from PySide6.QtGui import QGuiApplication\n"
        "app = QGuiApplication([])\n"
        "from rectify_desktop.ui.printing import fonts as print_fonts\n"
        "print('CHINESE' if print_fonts.system_has_chinese_font() else 'NONE', print_fonts.register_bundled_font())\n"
    )
    r = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=60)
    assert r.stdout.split() == ["NONE", "Rectify", "Sans", "SC"], r.stdout + r.stderr
    out = tmp_path / "无字体.pdf"
    r = subprocess.run(
        [sys.executable, "-m", "rectify_desktop", "export", str(demo_path), str(out)],
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    texts = page_texts(out)
    assert TITLE in texts[0] and "整改措施" in texts[0]
    assert "党组理论学习中心组学习计划性" in "".join(texts)
    fonts = embedded_fonts(out)
    assert fonts and all(fonts.values()) and all("RectifySansSC" in name for name in fonts), fonts


@pytest.mark.skipif(not os.path.exists("/usr/bin/pdffonts"), reason="poppler-utils not installed")
def test_pdffonts_sees_embedded_fonts(printing, demo_ledger, tmp_path):
    out = tmp_path / "fonts.pdf"
    printing.write_pdf(1, out)
    lines = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert lines and all(line.split()[-5] == "yes" for line in lines), lines
