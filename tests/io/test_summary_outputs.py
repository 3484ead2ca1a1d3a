"""The 汇总 written out (issue 17): the 汇总表 workbook, its PDF, the round's progress report (.docx) and the
`summary` command, each read back as the office would read it."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from rectify_desktop.core import summary
from tests.core.test_summary import EXPECTED, SPECS, TODAY, make_unit

HEADER_WORDS = ("被巡察单位", "细化问题数", "已完成", "完成率（%）")


@pytest.fixture
def units(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "各单位"
    folder.mkdir()
    return [make_unit(folder / f"{n}.db", spec) for n, spec in enumerate(SPECS)]


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    """A ledger whose pages after the first were overwritten (a disk's damage): its header still says ledger."""
    p = make_unit(tmp_path / "坏的.db", SPECS[2])
    data = bytearray(p.read_bytes())
    data[4096:] = b"\xff" * (len(data) - 4096)
    p.write_bytes(bytes(data))
    return p


def _table(ws) -> tuple[list[str], list[tuple]]:  # noqa: ANN001
    rows = list(ws.iter_rows(values_only=True))
    at = next(i for i, r in enumerate(rows) if r and all(w in r for w in HEADER_WORDS[:1]))
    return [str(v).replace("\n", "") for v in rows[at]], [r for r in rows[at + 1 :] if any(v is not None for v in r)]


def test_workbook_rows_totals_overdue_and_skipped(units: list[Path], broken: Path, tmp_path: Path) -> None:
    from rectify_desktop.io.summary_xlsx import write_workbook

    s = summary.collect([*units, broken], today=TODAY)
    out = write_workbook(s, tmp_path / "汇总表.xlsx")
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["汇总", "逾期事项", "未汇总"]
    head, rows = _table(wb["汇总"])
    for w in HEADER_WORDS + ("问责（人）", "制度（项）", "资金（万元）", "会议（次）", "最后修改"):
        assert w in head, w
    col = {h: i for i, h in enumerate(head)}
    by_unit = {r[col["被巡察单位"]]: r for r in rows}
    assert set(by_unit) == {*EXPECTED, "合计"}
    keys = ("问题数", "细化问题数", "已完成", "正在推进", "长期坚持", "未启动", "逾期", "已销号", "完成率（%）")
    for unit, exp in EXPECTED.items():
        r = by_unit[unit]
        assert tuple(r[col[k]] for k in keys) == exp, unit
    total = by_unit["合计"]
    assert rows[-1] is total
    assert tuple(total[col[k]] for k in keys) == (8, 12, 6, 2, 1, 3, 3, 6, 50)
    assert total[col["问责（人）"]] == 6 and total[col["制度（项）"]] == 3 and total[col["会议（次）"]] == 4
    assert total[col["资金（万元）"]] == pytest.approx(25.5)
    ws = wb["汇总"]
    assert ws.page_setup.orientation == "landscape" and ws.print_title_rows
    assert min(c.font.sz for r in ws.iter_rows(min_row=4) for c in r if c.value is not None) >= 10.5
    # ... and printed at 100 %: the columns (7 px a unit and 5 a column) within A4 landscape's margins.
    widths = [ws.column_dimensions[get_column_letter(c)].width for c in range(1, len(head) + 1)]
    page_px = (297 / 25.4 - ws.page_margins.left - ws.page_margins.right) * 96
    assert sum(w * 7 + 5 for w in widths) <= page_px

    head, rows = _table(wb["逾期事项"])
    units_late = [r[head.index("被巡察单位")] for r in rows]
    assert sorted(units_late) == sorted(["甲县教育局", "乙县财政局", "乙县财政局"])
    assert all(r[head.index("逾期天数")] == (TODAY - dt.date(2026, 5, 1)).days for r in rows)

    rows = list(wb["未汇总"].iter_rows(values_only=True))
    assert any(r[1] == "坏的.db" or (r[1] and "坏的.db" in str(r[1])) for r in rows if len(r) > 1)
    assert any("已损坏" in str(v) for r in rows for v in r if v)


def test_report_docx_says_the_headline_and_each_unit(units: list[Path], tmp_path: Path) -> None:
    import docx

    from rectify_desktop.io.summary_docx import write_docx

    s = summary.collect(units, today=TODAY)
    out = write_docx(s, tmp_path / "进展报告.docx")
    d = docx.Document(str(out))
    text = "\n".join(p.text for p in d.paragraphs)
    assert s.headline() in text
    assert "本轮巡察反馈的8个问题细化为12项，完成整改6项，基本完成并持续整改1项，未完成5项，总体完成率50%" in text
    assert "给予诫勉1人，批评教育5人" in text and "追回资金25万元" in text
    assert "截至2026年6月1日" in text
    cells = [c.text for t in d.tables for row in t.rows for c in row.cells]
    for unit in EXPECTED:
        assert unit in text or unit in cells
    assert "合计" in cells


def test_pdf_names_every_unit(units: list[Path], tmp_path: Path, qapp) -> None:  # noqa: ANN001
    from pypdf import PdfReader

    from rectify_desktop.ui.summary_print import write_pdf

    s = summary.collect(units, today=TODAY)
    pages = write_pdf(s, tmp_path / "汇总表.pdf")
    reader = PdfReader(tmp_path / "汇总表.pdf")
    assert len(reader.pages) == pages >= 1
    text = "".join(p.extract_text() for p in reader.pages).replace(" ", "")
    for unit in EXPECTED:
        assert unit in text
    assert "合计" in text


def sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def test_cli_writes_each_kind_and_leaves_inputs(units: list[Path], broken: Path, tmp_path: Path, cli) -> None:  # noqa: ANN001
    before = {p: sha(p) for p in units}
    for name in ("汇总表.xlsx", "汇总表.pdf", "进展报告.docx"):
        out = tmp_path / name
        r = cli("summary", out, units[0].parent, broken, "--today", "2026-06-01")
        assert r.returncode == 0, r.stderr
        assert out.exists() and out.stat().st_size > 0
        assert "3个单位" in r.stdout or "3 个单位" in r.stdout
        assert "坏的.db" in r.stdout + r.stderr
    assert {p: sha(p) for p in units} == before
    assert sorted(p.name for p in units[0].parent.iterdir()) == sorted(p.name for p in units)


def test_cli_refuses_when_nothing_can_be_summed(broken: Path, tmp_path: Path, cli) -> None:  # noqa: ANN001
    out = tmp_path / "汇总表.xlsx"
    r = cli("summary", out, broken)
    assert r.returncode != 0
    assert "没有可汇总" in r.stderr and "已损坏" in r.stderr
    assert not out.exists()
    r = cli("summary", tmp_path / "汇总表.txt", broken)
    assert r.returncode != 0 and "xlsx" in r.stderr
    r = cli("summary", out, broken, "--today", "明天")
    assert r.returncode != 0 and "日期" in r.stderr
