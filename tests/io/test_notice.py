"""From ledger to notice and report (issue 5): the Word document as GB/T 9704 lays it out, its figures
from `stats`, the plain text, and the command line."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from rectify_desktop.core import stats
from rectify_desktop.core.ledger import Ledger
from rectify_desktop.core.models import Category, Finding, Inspection, Item, Measure, Setting
from rectify_desktop.core.storage import LedgerError
from rectify_desktop.io import notice
from rectify_desktop.io import notice_text as notice_text_mod
from rectify_desktop.io.notice import cn_date, notice_text, title_lines, write_docx
from rectify_desktop.io.text_import import parse_text

TODAY = dt.date(2026, 11, 28)
CJK = re.compile(r"[\u4e00-\u9fff]")


def east_asia(run) -> str:  # noqa: ANN001
    return run._r.rPr.rFonts.get(qn("w:eastAsia"))


def paragraph_with(doc, start: str):  # noqa: ANN001, ANN201
    return next(p for p in doc.paragraphs if p.text.startswith(start))


@pytest.fixture
def demo_docx(demo_ledger, tmp_path) -> tuple[Path, int]:  # noqa: ANN001
    insp = demo_ledger.inspections()[0]
    out = write_docx(insp.id, tmp_path / "通报.docx", today=TODAY)
    return out, insp.id


def test_headline_figures_equal_stats(demo_docx):
    """The figures open the document: the first paragraph after the preamble (issue 13, 16); a public notice
    counts the items not started with those under way (14)."""
    path, iid = demo_docx
    doc = docx.Document(str(path))
    s = stats.compute(iid, TODAY)
    text = "\n".join(p.text for p in doc.paragraphs)
    assert doc.paragraphs[2].text.endswith("现将巡察整改情况予以公布。")
    first = doc.paragraphs[3].text
    assert first == f"截至2026年11月28日，{notice_text_mod.headline(s, '巡察', True)}。"
    m = re.fullmatch(
        r"截至2026年11月28日，巡察反馈的(\d+)个问题细化为(\d+)项整改任务，已完成(\d+)项，正在推进(\d+)项，长期坚持(\d+)项，完成率(\d+)%。",
        first,
    )
    under_way = s.status["正在推进"] + s.status["未启动"]
    assert m and tuple(map(int, m.groups())) == (s.findings, s.items, s.done, under_way, 3, s.completion_whole)
    assert (s.findings, s.items, s.done, under_way, s.completion_whole) == (13, 29, 16, 10, 55)
    assert "未启动" not in text and "尚未启动" not in text
    # The registers' counts.
    assert "先后召开党组会议2次、专题会议1次、民主生活会1次、推进会2次" in text
    assert "等制度6项" in text


def test_title_headings_and_body_fonts(demo_docx):
    path, _ = demo_docx
    doc = docx.Document(str(path))
    title = doc.paragraphs[0]
    assert title.text.replace("\n", "") == "中共临川县教育局党组关于县委第三巡察组反馈意见整改情况的通报"
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    for run in title.runs:
        assert run.font.size == Pt(22) and east_asia(run) == "方正小标宋简体" and not run.font.bold
    expected = {
        "一、整改工作开展情况": ("黑体", False),
        "（一）学习贯彻习近平新时代中国特色社会主义思想": ("楷体_GB2312", False),
        "1.党组理论学习中心组学习不够深入系统。细化为3项整改任务，已完成2项，长期坚持1项。": ("仿宋_GB2312", True),
        "收到巡察反馈意见后": ("仿宋_GB2312", False),
    }
    for start, (font, bold) in expected.items():
        p = paragraph_with(doc, start)
        run = p.runs[0]
        assert east_asia(run) == font, start
        assert run.font.name == "Times New Roman", start
        assert run.font.size == Pt(16), start
        assert bool(run.font.bold) == bold, start
        assert p.paragraph_format.first_line_indent == Pt(32), start
        assert p._p.pPr.ind.get(qn("w:firstLineChars")) == "200", start
    # A finding's heading runs into its paragraph in bold, what follows in the body's weight.
    run_in = paragraph_with(doc, "1.党组理论学习中心组学习不够深入系统。")
    assert [r.text for r in run_in.runs][0] == "1.党组理论学习中心组学习不够深入系统。"
    assert run_in.runs[0].font.bold and not run_in.runs[1].font.bold
    normal = doc.styles["Normal"]
    assert normal.font.size == Pt(16)
    assert normal.element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert normal.paragraph_format.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    assert abs(normal.paragraph_format.line_spacing.pt - 28.95) < 0.01
    # The signature and its date in Arabic numerals (GB/T 9704-2012 7.3.5; issue 13, 12).
    assert doc.paragraphs[-2].text == "中共临川县教育局党组"
    assert doc.paragraphs[-1].text == "2026年11月28日"
    assert doc.paragraphs[-1].alignment == WD_ALIGN_PARAGRAPH.RIGHT


def test_page_setup_grid_and_page_numbers(demo_docx):
    path, _ = demo_docx
    doc = docx.Document(str(path))
    sec = doc.sections[0]
    for value, mm in (
        (sec.page_width, 210),
        (sec.page_height, 297),
        (sec.top_margin, 37),
        (sec.bottom_margin, 35),
        (sec.left_margin, 28),
        (sec.right_margin, 26),
    ):
        assert abs(value - Mm(mm)) < Mm(0.1)
    grid = sec._sectPr.find(qn("w:docGrid"))
    # A line grid only: a character grid makes LibreOffice set 27 characters a line (issue 13, 17).
    assert grid.get(qn("w:type")) == "lines" and grid.get(qn("w:charSpace")) is None
    line_pitch = int(grid.get(qn("w:linePitch"))) / 20
    advance = 16 + notice.CONDENSE_TWENTIETHS / 20
    type_width = (210 - 28 - 26) / 25.4 * 72
    type_height = (297 - 37 - 35) / 25.4 * 72
    assert int(type_width / advance) == 28 and int(type_height / line_pitch) == 22
    # "— 1 —" with a PAGE field, in 4号宋体, on both odd and even pages.
    assert doc.settings.odd_and_even_pages_header_footer
    for footer in (sec.footer, sec.even_page_footer):
        p = footer.paragraphs[0]
        instr = [el.text for el in p._p.iter(qn("w:instrText"))]
        assert [i.strip() for i in instr] == ["PAGE"]
        assert p.text.startswith("— ") and p.text.endswith(" —")
        assert all(r.font.size == Pt(14) and east_asia(r) == "宋体" for r in p.runs)
    assert sec.footer.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert sec.even_page_footer.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.LEFT


def test_generated_notice_imports_back(demo_ledger):
    iid = demo_ledger.inspections()[0].id
    r = parse_text(notice_text(iid, today=TODAY))
    ledger_cats = list(Category.select().where(Category.inspection == iid).order_by(Category.position))
    assert [c.title for c in r.categories] == [c.title for c in ledger_cats]
    findings = list(Finding.select().where(Finding.inspection == iid).order_by(Finding.number))
    assert [(f.number, f.title) for f in r.findings()] == [(f.number, f.title) for f in findings]
    items = [i for f in findings for i in Item.select().where(Item.finding == f.id).order_by(Item.position)]
    assert [i.title for i in r.items()] == [i.title for i in items]
    assert [i.status for i in r.items()] == [i.status for i in items]
    assert [[m.text for m in i.measures] for i in r.items()] == [
        [m.text for m in Measure.select().where(Measure.item == i.id).order_by(Measure.position)] for i in items
    ]
    assert r.warnings == []


def test_plain_text_file_has_bom_and_windows_line_ends(demo_ledger, tmp_path):
    iid = demo_ledger.inspections()[0].id
    out = notice.write(iid, tmp_path / "通报.txt", today=TODAY)
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
    text = data.decode("utf-8-sig").replace("\r\n", "\n")
    assert text == notice.document_text(iid, today=TODAY)
    lines = text.splitlines()
    assert lines[0] == "中共临川县教育局党组关于县委第三巡察组反馈意见整改情况的通报"
    assert "\u3000\u3000二、巡察反馈问题整改落实情况" in lines
    assert lines[-1].strip() == "2026年11月28日"
    assert not list(tmp_path.glob(".*tmp"))


def test_report_and_settings(demo_ledger):
    iid = demo_ledger.inspections()[0].id
    Setting.create(key="unit_name", value="临川县教育局")
    Setting.create(key="contact_phone", value="0794-1234567")
    Setting.create(key="contact_person", value="李明")
    text = notice.document_text(iid, "report", today=TODAY)
    lines = text.splitlines()
    assert lines[0] == "临川县教育局关于县委第三巡察组反馈意见整改情况的报告"
    # To the leading group's office, not to the group that inspected (issue 13, 16).
    assert lines[2] == "县委巡察工作领导小组办公室："
    assert "现将整改情况报告如下" in text and "特此报告。" in text and "予以公布" not in text
    assert lines[-3].strip() == "临川县教育局"
    assert lines[-1] == "\u3000\u3000（联系人：李明，联系电话：0794-1234567）"
    notice_ = notice.document_text(iid, "notice", today=TODAY)
    assert "联系电话：0794-1234567。" in notice_ and "予以公布" in notice_
    Setting.create(key="report_to", value="县委巡察办")
    assert notice.document_text(iid, "report", today=TODAY).splitlines()[2] == "县委巡察办："
    with pytest.raises(LedgerError, match="文档类型"):
        notice_text(iid, "memo")
    with pytest.raises(LedgerError, match="文档详略"):
        notice.document_text(iid, "notice", layout="brief")
    with pytest.raises(LedgerError, match="没有编号为 999 的巡察"):
        notice_text(999)


def test_no_placeholder_without_settings(demo_ledger):
    """Contacts the settings do not give are left out, never printed as ×××× (issue 13, 13)."""
    iid = demo_ledger.inspections()[0].id
    for kind in ("notice", "report"):
        for layout in ("concise", "full", "outline"):
            text = notice.document_text(iid, kind, TODAY, layout)
            assert "×" not in text and "联系电话" not in text and "联系人" not in text, (kind, layout)
            assert "请在此补充" not in text
    Setting.create(key="contact_person", value="李明")
    report = notice.document_text(iid, "report", TODAY)
    assert report.splitlines()[-1] == "\u3000\u3000（联系人：李明）"


def test_write_is_atomic(demo_ledger, tmp_path):
    iid = demo_ledger.inspections()[0].id
    with pytest.raises(LedgerError, match="文件夹不存在"):
        write_docx(iid, tmp_path / "没有" / "通报.docx")
    folder = tmp_path / "输出"
    folder.mkdir()
    out = folder / "通报.docx"
    out.write_bytes(b"old")
    write_docx(iid, out)
    assert out.read_bytes()[:2] == b"PK"
    assert [p.name for p in folder.iterdir()] == ["通报.docx"]


def test_names_and_dates():
    assert notice.ar_date(dt.date(2026, 12, 1)) == "2026年12月1日"
    assert cn_date(dt.date(2026, 11, 28)) == "二〇二六年十一月二十八日"
    assert cn_date(dt.date(2030, 1, 10)) == "二〇三〇年一月十日"
    assert notice.short_body("中共临川县委第三巡察组", "中共临川县教育局党组") == "县委第三巡察组"
    assert notice.short_body("市委第二巡察组", "某某局党组") == "市委第二巡察组"
    lines = title_lines("中共临川县教育局党组关于县委第三巡察组反馈意见整改情况的通报")
    assert lines == ("中共临川县教育局党组关于县委第三巡察组", "反馈意见整改情况的通报")
    assert all(len(x) <= 20 for x in title_lines("很" * 55))
    assert title_lines("短标题") == ("短标题",)


def test_empty_inspection(ledger, tmp_path):
    insp = Inspection.create(title="", inspected_unit="某单位")
    text = notice_text(insp.id, today=TODAY)
    assert text.startswith("某单位关于巡察反馈意见整改情况的通报")
    assert "巡察反馈的0个问题细化为0项" in text
    write_docx(insp.id, tmp_path / "空.docx", today=TODAY)


# --- the command line ---------------------------------------------------------------------------------


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_cli_export(cli, demo_path, tmp_path):
    before = sha256(demo_path)
    r = cli("export", demo_path, tmp_path / "通报.docx")
    assert r.returncode == 0, r.stderr
    assert "已生成通报" in r.stdout
    assert docx.Document(str(tmp_path / "通报.docx")).paragraphs[0].text.replace("\n", "").endswith("情况的通报")
    r = cli("export", demo_path, tmp_path / "报告.txt", "--kind", "report", "--inspection", "1")
    assert r.returncode == 0, r.stderr
    report = (tmp_path / "报告.txt").read_text(encoding="utf-8-sig")
    assert report.startswith("中共临川县教育局党组关于") and "（1）党组理论学习中心组学习计划性" in report
    # A layout after the kind: the notice item by item.
    r = cli("export", demo_path, tmp_path / "通报逐项.txt", "--kind", "notice-full")
    assert r.returncode == 0, r.stderr
    full = (tmp_path / "通报逐项.txt").read_text(encoding="utf-8-sig")
    assert "（1）党组理论学习中心组学习计划性" in full and "予以公布" in full and "未启动" not in full
    bad_kinds = ((["--kind", "memo"], "文档类型"), (["--kind", "notice-memo"], "文档详略"))
    for bad, message in (*bad_kinds, (["--inspection", "9"], "没有编号为 9 的巡察")):
        r = cli("export", demo_path, tmp_path / "坏.docx", *bad)
        assert r.returncode == 1 and message in r.stderr and "Traceback" not in r.stderr
        assert not (tmp_path / "坏.docx").exists()
    empty = tmp_path / "空.db"
    Ledger.create(empty).close()
    r = cli("export", empty, tmp_path / "空.docx")
    assert r.returncode == 1 and "还没有巡察" in r.stderr
    assert sha256(demo_path) == before
