"""The notice and report as the office files them (issue 13, points 12–17): what each paragraph says (done,
under way, the plan; no 尚未启动 in public, no placeholder), the concise notice and the item-by-item report, the
.docx package's own properties and font fallbacks, and 28 characters a line when LibreOffice prints it."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from rectify_desktop.core import stats
from rectify_desktop.core.models import NOT_STARTED, Finding, Item, Measure, Setting
from rectify_desktop.io import notice

TODAY = dt.date(2026, 11, 28)


def _body(text: str) -> list[str]:
    return [line.strip("\u3000") for line in text.splitlines()]


# --- 14, 15: what the paragraphs say ------------------------------------------------------------------


def test_the_concise_notice_has_one_paragraph_per_finding(demo_ledger):
    iid = demo_ledger.inspections()[0].id
    lines = _body(notice.document_text(iid, "notice", TODAY))
    paragraphs = [x for x in lines if re.match(r"\d+\.", x)]
    findings = list(Finding.select().order_by(Finding.number))
    assert len(paragraphs) == len(findings) == 13
    # The heading runs into its paragraph; no item heading of its own: the items are sentences of it.
    for f, x in zip(findings, paragraphs, strict=True):
        assert x.startswith(f"{f.number}.{f.title}。") and len(x) > len(f.title) + 10
    assert not any(re.match(r"（\d+）", x) for x in lines)
    # Each measure said once: what a ticked measure did is not announced again as to come.
    assert not any(x.count("下一步") > x.count("是") + 1 for x in paragraphs)


def test_public_notice_says_under_way_with_the_plan_never_not_started(demo_ledger):
    iid = demo_ledger.inspections()[0].id
    not_started = list(Item.select().where(Item.status == NOT_STARTED))
    assert len(not_started) == 3
    for layout in ("concise", "full"):
        text = notice.document_text(iid, "notice", TODAY, layout)
        assert "尚未启动" not in text and "未启动" not in text, layout
    full = notice.document_text(iid, "notice", TODAY, "full")
    item = Item.get(Item.deadline_text == "2027年7月底前")
    first = Measure.select().where(Measure.item == item.id).order_by(Measure.position).first()
    lines = _body(full)
    at = lines.index(f"（{item.number}）{item.title}")
    said = lines[at + 1]
    assert said.startswith("整改情况：正在推进。下一步，将") and first.text.rstrip("。；") in said
    assert said.endswith("计划于2027年7月底前完成。")
    concise = notice.document_text(iid, "notice", TODAY)
    assert "将开展全县义务教育学校学位供需调查，摸清生源变化趋势，计划于2027年7月底前完成" in concise


def test_the_report_says_each_item_once_done_and_to_come(demo_ledger):
    """One paragraph per item: its progress (without repeating its status word) and, after 下一步, only the
    measures not yet ticked; the report keeps 未启动 in its figures (it is not public)."""
    iid = demo_ledger.inspections()[0].id
    text = notice.document_text(iid, "report", TODAY)
    lines = _body(text)
    s = stats.compute(iid, TODAY)
    assert lines[4] == f"截至2026年11月28日，{s.headline()}。"
    items = list(Item.select().join(Finding).order_by(Finding.number, Item.position, Item.id))
    paragraphs = [x for x in lines if x.startswith("整改情况：")]
    assert len(paragraphs) == len(items) == 29
    assert not any("整改进展：" in x for x in paragraphs)
    for it, said in zip(items, paragraphs, strict=True):
        head, _, to_come = said.partition("下一步，将")
        for m in Measure.select().where(Measure.item == it.id).order_by(Measure.position):
            core = m.text.strip().rstrip("。；").removeprefix("将")
            # After 下一步 only what is still to do; a ticked measure is not promised again.
            assert (core in to_come) == (not m.done and it.status != "已完成"), (it.id, m.text)
        # The status is said once, in the report's words, not again from the progress text's first word.
        assert "。已完成。" not in said and "正在推进。正在推进" not in said and "持续整改。" not in said
        if it.progress:
            assert it.progress.split("。", 1)[1][:20] in head, it.id


def test_outline_text_still_reads_back_as_before(demo_ledger):
    """notice_text keeps the labelled item-by-item outline that text_import reads (整改情况 / 整改进展)."""
    iid = demo_ledger.inspections()[0].id
    text = notice.notice_text(iid, today=TODAY)
    assert "整改进展：尚未启动。" in text and "整改情况：一是" in text


# --- 17: the .docx package ---------------------------------------------------------------------------


@pytest.fixture
def made(demo_ledger, tmp_path) -> dict[str, Path]:  # noqa: ANN001
    iid = demo_ledger.inspections()[0].id
    return {k: notice.write_docx(iid, tmp_path / f"{k}.docx", k, today=TODAY) for k in ("notice", "report")}


def test_docx_properties_are_the_documents_own(made, demo_ledger):
    before = dt.datetime.now().replace(microsecond=0) - dt.timedelta(seconds=5)
    for kind, path in made.items():
        props = docx.Document(str(path)).core_properties
        assert props.author == "临川县教育局" == props.last_modified_by  # the inspected unit, no unit_name set
        assert props.title == notice.document_title(demo_ledger.inspections()[0], kind)
        assert props.created and props.modified and props.created.replace(tzinfo=None) >= before
        assert props.created.replace(tzinfo=None) <= dt.datetime.now() + dt.timedelta(seconds=5)
        assert props.revision == 1 and not props.keywords and not props.subject
        with zipfile.ZipFile(path) as z:
            names = z.namelist()
            assert not any("thumbnail" in n for n in names)
            assert "thumbnail" not in z.read("_rels/.rels").decode()
            app = z.read("docProps/app.xml").decode()
            assert "Microsoft" not in app and "<Application>整改台账 Rectify Desktop</Application>" in app
            assert props.title in app


def test_author_is_the_unit_name_setting(demo_ledger, tmp_path):
    iid = demo_ledger.inspections()[0].id
    Setting.create(key="unit_name", value="临川县教育局党组办公室")
    out = notice.write_docx(iid, tmp_path / "a.docx", today=TODAY)
    assert docx.Document(str(out)).core_properties.author == "临川县教育局党组办公室"


def test_font_table_names_stock_fallbacks(made):
    with zipfile.ZipFile(made["notice"]) as z:
        from lxml import etree

        root = etree.fromstring(z.read("word/fontTable.xml"))
    fonts = {f.get(qn("w:name")): f for f in root.findall(qn("w:font"))}
    for name, alt in (("仿宋_GB2312", "仿宋"), ("楷体_GB2312", "楷体"), ("方正小标宋简体", "宋体"), ("黑体", "SimHei")):
        f = fonts[name]
        assert f.find(qn("w:altName")).get(qn("w:val")) == alt, name
        assert f.find(qn("w:charset")).get(qn("w:val")) == "86" and f.find(qn("w:pitch")).get(qn("w:val")) == "fixed"
    doc = docx.Document(str(made["notice"]))
    for p in doc.paragraphs:
        for r in p.runs:
            rf = r._r.rPr.rFonts
            assert rf.get(qn("w:eastAsia")) and rf.get(qn("w:ascii")) == "Times New Roman"


def test_dates_are_arabic(made):
    for path in made.values():
        text = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
        assert text.rstrip().endswith("2026年11月28日") or "（联系" in text.splitlines()[-1]
        assert "〇" not in text and "二〇二六" not in text


# --- looked at: LibreOffice prints 22 lines of 28 characters -----------------------------------------------


@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftotext") is None, reason="no LibreOffice")
def test_libreoffice_sets_28_characters_a_line(made, tmp_path):
    path = made["report"]
    env = dict(os.environ, HOME=str(tmp_path))
    args = [f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to", "pdf"]
    r = subprocess.run(
        ["soffice", *args, "--outdir", str(tmp_path), str(path)], capture_output=True, text=True, timeout=180, env=env
    )
    pdf = tmp_path / "report.pdf"
    if not pdf.exists():
        pytest.skip(f"LibreOffice could not convert: {r.stderr[-300:]}")
    widths: list[int] = []
    counts: list[int] = []
    for page in (2, 3, 4):
        out = subprocess.run(
            ["pdftotext", "-f", str(page), "-l", str(page), "-layout", str(pdf), "-"], capture_output=True, text=True
        ).stdout
        lines = [x for x in out.splitlines() if x.strip()]
        assert lines[-1].strip().replace(" ", "") == f"—{page}—"
        counts.append(len(lines) - 1)
        # Lines that start at the margin (not a paragraph's first) and hold Chinese only: 28 characters.
        widths += [len(x) for x in lines[:-1] if not x.startswith(" ") and re.fullmatch(r"[^\x00-\x7f]+", x)]
    # 22 lines a page (a heading kept with its paragraph may leave one empty at a page's foot).
    assert max(counts) == 22 and min(counts) >= 20, counts
    assert widths and max(widths) <= 28
    assert widths.count(28) > len(widths) / 2, widths
    # Every punctuation mark is printed, also one hanging at a line's end (a justified paragraph lost them).
    printed = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True).stdout
    written = "".join(p.text for p in docx.Document(str(path)).paragraphs)
    for mark in "，；。、：":
        assert printed.count(mark) == written.count(mark), mark
