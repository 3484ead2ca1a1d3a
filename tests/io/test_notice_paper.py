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

from rectify_desktop.core import rules, stats
from rectify_desktop.core.models import DONE, NOT_STARTED, Finding, Inspection, Item, Measure, Setting
from rectify_desktop.core.table import build_table
from rectify_desktop.io import notice, notice_text

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
    assert lines[4] == f"截至2026年11月28日，{notice_text.headline(s, '巡察', False)}。"
    assert "已完成16项，正在推进7项，长期坚持3项，未启动3项" in lines[4]
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


def _said_of(text: str, item: Item) -> str:
    """The item's paragraph in the item-by-item layouts: the line after its heading."""
    lines = _body(text)
    heading = f"（{item.number}）{item.title}"
    if heading not in lines:  # the finding's only item, under the finding's own heading
        heading = f"{item.finding.number}.{item.title}"
    return lines[lines.index(heading) + 1]


def _plans(text: str) -> list[str]:
    return re.findall(r"计划于(\d{4}年[^完。]*)完成", text)


def _plan_date(phrase: str) -> dt.date:
    """计划于2027年7月底前 / 2026年12月5日前 / 2026年底前 → the last day it allows (the rule the lists use)."""
    phrase = phrase.removesuffix("前")
    year = int(phrase[:4])
    d = rules.resolve_deadline(phrase + "前", year=year) or rules.resolve_deadline(phrase[5:] + "前", year=year)
    assert d, phrase
    return d


@pytest.mark.parametrize("today", [TODAY, dt.date(2026, 12, 2)])
def test_a_deadline_past_is_never_a_plan_and_is_said_like_the_lists(demo_ledger, today):
    """Item 5.(2)'s deadline is the phrase 2026年10月底前: the lists read it as 2026-10-31 and mark the item 已逾期, so
    the documents read it the same way (the lists' own rule, stats.scan): the report says it is overdue like
    the items with a date, and no document says it is planned for a past date (issue 13, 15)."""
    iid = demo_ledger.inspections()[0].id
    item = Item.get(Item.deadline_text == "2026年10月底前")
    table = build_table(iid, today=today)
    overdue = {r.item_id for r in table.rows if r.overdue}
    assert item.id in overdue and len(overdue) == 4
    report = notice.document_text(iid, "report", today)
    assert _said_of(report, item).endswith("已超过整改时限（2026年10月底前），须加快推进。")
    # Every item the lists mark overdue, and only those, is said to be so in the report.
    for it in Item.select().where(Item.status != DONE):
        assert ("已超过整改时限" in _said_of(report, it)) == (it.id in overdue), it.id
    for kind in ("notice", "report"):
        for layout in ("concise", "full"):
            text = notice.document_text(iid, kind, today, layout)
            assert "计划于2026年10月底前" not in text, (kind, layout)
            plans = _plans(text)
            assert plans and all(_plan_date(p) >= today for p in plans), (kind, layout, plans)
            if kind == "notice":
                assert "已超过整改时限" not in text  # a public notice names no date passed


def test_deadline_phrases_are_read_as_the_date_they_name(demo_ledger):
    """A phrase without a year is read in the inspection's year (as the lists read it), and the plan names that
    year; 立行立改 counts from the feedback date with the settings' days."""
    iid = demo_ledger.inspections()[0].id
    item = Item.get(Item.deadline_text == "2026年10月底前")
    cases = {
        "6月底前": "已超过整改时限（6月底前），须加快推进。",  # 2026-06-30, passed
        "年底前": "计划于2026年底前完成。",
        "2027年3月": "计划于2027年3月底前完成。",
        "2027年6月30日": "计划于2027年6月30日前完成。",
        "长期坚持": "每半年清理一次。",  # no plan, no overdue
    }
    for phrase, said in cases.items():
        Item.update(deadline_text=phrase, deadline_date=None).where(Item.id == item.id).execute()
        text = notice.document_text(iid, "report", TODAY)
        assert _said_of(text, item).endswith(said), phrase
    # 立行立改: the feedback date (2026-07-05) and 30 days, or the days the settings give.
    Item.update(deadline_text="立行立改").where(Item.id == item.id).execute()
    assert _said_of(notice.document_text(iid, "report", TODAY), item).endswith(
        "已超过整改时限（立行立改），须加快推进。"
    )
    Setting.create(key="immediate_days", value="200")  # 2027-01-21: not yet overdue, and 立行立改 names no plan
    assert _said_of(notice.document_text(iid, "report", TODAY), item).endswith("每半年清理一次。")
    assert Inspection.get_by_id(iid).feedback_date == dt.date(2026, 7, 5)


def test_the_next_step_names_only_the_measures_not_ticked(demo_ledger):
    """Item 1.(1): its third measure (建立中心组学习档案…年底进行通报) is not ticked in the demo data (its progress
    says the archive comes at the year's end), so 下一步 names it. The text follows the ticks (a measure is done when
    the clerk ticks it); once ticked, the next step no longer promises it."""
    iid = demo_ledger.inspections()[0].id
    item = Item.get(Item.title.startswith("党组理论学习中心组学习计划性"))
    archive = Measure.get(Measure.item == item.id, Measure.text.startswith("建立中心组学习档案"))
    assert not archive.done and "学习档案" in item.progress
    assert "下一步，将建立中心组学习档案" in _said_of(notice.document_text(iid, "report", TODAY), item)
    Measure.update(done=True).where(Measure.id == archive.id).execute()
    said = _said_of(notice.document_text(iid, "report", TODAY), item)
    assert "下一步" not in said and "学习记录已按次整理" in said


def test_items_are_named_one_way(demo_ledger):
    """An item is a 整改任务 from the opening to the closing (issue 13, 16): the figures say "N个问题细化为M项整改任务",
    the counts 项 of them, never 整改事项 or 具体问题 in what the program writes (the clerk's own notes are theirs)."""
    iid = demo_ledger.inspections()[0].id
    Inspection.update(notes="").where(Inspection.id == iid).execute()
    for kind in ("notice", "report"):
        for layout in ("concise", "full"):
            text = notice.document_text(iid, kind, TODAY, layout)
            assert "巡察反馈的13个问题细化为29项整改任务，已完成16项" in text, (kind, layout)
            assert "对照反馈的4个方面13个问题，细化为29项整改任务" in text
            assert "整改事项" not in text and "具体问题" not in text and "细化问题" not in text
            # What the program writes itself (the figures, the organisation, each finding's count, the closing):
            # a count of items is a count of 整改任务, or of one status of them.
            lines = _body(text)
            own = [x for x in lines if x.startswith(("截至", "收到巡察反馈意见后", "下一步，中共"))]
            assert len(own) == 3, own
            own += [x.split("。")[1] for x in lines if re.match(r"\d+\..*。细化", x)]
            for x in own:
                for m in re.finditer(r"\d+项(?!整改任务)", x):
                    assert re.search(r"(已完成|正在推进|长期坚持|未启动|制度|其中)$", x[: m.start()]), x
            assert "对已完成的16项整改任务" in text and "对尚未完成的10项整改任务" in text
            # Four items are overdue (the lists' 已逾期): no promise 按期, and the report says how many.
            late = "（其中4项已超过整改时限）" if kind == "report" else ""
            assert f"对尚未完成的10项整改任务{late}，紧盯时间节点，加强跟踪督办，确保尽快整改到位" in text


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


def test_body_is_justified_with_no_hanging_punctuation(made):
    """GB/T 9704 sets the body 两端对齐; hanging punctuation is off in the Normal style (w:overflowPunct val="1",
    which LibreOffice reads as hanging off: see notice_docx.BODY_ALIGN_LEFT)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    for path in made.values():
        doc = docx.Document(str(path))
        body = [p for p in doc.paragraphs if p.text and p.paragraph_format.first_line_indent]
        assert body and all(p.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY for p in body)
        ppr = doc.styles["Normal"].element.pPr
        assert ppr.find(qn("w:overflowPunct")).get(qn("w:val")) == "1"
        # In CT_PPr's order: before snapToGrid and spacing, or Word refuses the document.
        tags = [el.tag.split("}")[1] for el in ppr]
        assert tags.index("overflowPunct") < tags.index("snapToGrid") < tags.index("spacing"), tags


def test_the_signature_is_kept_with_the_last_lines_of_text(made):
    """GB/T 9704 7.3.5: the signature and the date never stand on a page of their own."""
    for kind, path in made.items():
        paragraphs = docx.Document(str(path)).paragraphs
        at = next(i for i, p in enumerate(paragraphs) if p.text == "中共临川县教育局党组")
        assert paragraphs[at - 2].text.endswith("。") and not paragraphs[at - 1].text, kind
        assert all(paragraphs[i].paragraph_format.keep_with_next for i in range(at - 2, at + 1)), kind
        assert not paragraphs[at - 3].paragraph_format.keep_with_next


@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftotext") is None, reason="no LibreOffice")
@pytest.mark.parametrize("kind", ["report", "notice"])
def test_libreoffice_sets_28_characters_a_line(made, tmp_path, kind):
    path = made[kind]
    env = dict(os.environ, HOME=str(tmp_path))
    args = [f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to", "pdf"]
    r = subprocess.run(
        ["soffice", *args, "--outdir", str(tmp_path), str(path)], capture_output=True, text=True, timeout=180, env=env
    )
    pdf = tmp_path / f"{kind}.pdf"
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
    # Justified: the lines that reach the right margin end on it, none past it (a mark hanging out).
    boxes = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    right = (210 - 26) / 25.4 * 72
    ends = [float(x) - right for x in re.findall(r'<line xMin="[\d.]+" yMin="[\d.]+" xMax="([\d.]+)"', boxes)]
    full = [e for e in ends if e > -12]
    assert max(ends) < 1.5 and sum(abs(e) < 1.5 for e in full) >= 0.9 * len(full), sorted(full)
    pages = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout.split("\f")
    last = [x.strip() for x in pages[-2 if not pages[-1].strip() else -1].splitlines() if x.strip()]
    assert any(x.endswith("。") for x in last), last  # text on the signature's page


def test_the_notice_says_what_the_rectification_produced(demo_ledger, tmp_path):
    """整改成效 in the notice and the report (issue 14): the accountability and money figures of the ledger in the
    usual sentence, read back from the .docx; rules and meetings are said once, in the registers' sentence."""
    from rectify_desktop.core import results

    iid = demo_ledger.inspections()[0].id
    r = results.compute(iid)
    said = results.sentence(r, registers=False)
    assert said.startswith("在整改工作中，给予党纪政务处分2人") and "追回资金23.8万元" in said
    assert "制度" not in said and "召开" not in said
    for kind in ("notice", "report"):
        out = notice.write_docx(iid, tmp_path / f"{kind}.docx", kind, today=TODAY)
        text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
        assert said in text, kind
        assert text.count("制度6项") == 1  # the registers' sentence alone says the rules
