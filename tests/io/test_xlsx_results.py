"""整改成效 in the exported workbook (issue 14): the 统计 sheet's block and the 整改成效 sheet, read back with
openpyxl and compared with core.results and with ``stats --json``; the import of such a workbook."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from rectify_desktop.core import results, rules
from rectify_desktop.core.commands import Delete
from rectify_desktop.core.ledger import Ledger
from rectify_desktop.core.models import Accountability, Institution, Item, Meeting, MoneyEntry
from rectify_desktop.io.xlsx_cells import BODY_FONT, DATE_FORMAT
from rectify_desktop.io.xlsx_export import export_workbook
from rectify_desktop.io.xlsx_import import parse_workbook

TODAY = dt.date.today()
# A figure of the 统计 sheet's 整改成效 block: "问责：批评教育（人）" | 2.
_LABEL = re.compile(r"^(问责|资金|审计|制度|会议)：(.+)（(人|万元|项|次)）$")


def _block(ws) -> tuple[dict[tuple[str, str], object], list[int]]:  # noqa: ANN001
    """The 整改成效 block of the 统计 sheet: {(group, kind): value} and the rows it takes."""
    start = next(r for r in range(1, ws.max_row + 1) if str(ws.cell(r, 1).value or "").endswith("、整改成效"))
    assert [ws.cell(start + 1, c).value for c in (1, 2, 3)] == ["序号", "项目", "数值"]
    got: dict[tuple[str, str], object] = {}
    taken = []
    for r in range(start + 2, ws.max_row + 1):
        label = ws.cell(r, 2).value
        if not isinstance(label, str) or (m := _LABEL.match(label)) is None:
            if label == "尚未记录":
                taken.append(r)
            break
        taken.append(r)
        got[(m[1], m[2])] = ws.cell(r, 3).value
        unit = m[3]
        if unit == "万元":
            assert ws.cell(r, 3).data_type == "n" and ws.cell(r, 3).number_format == "0.0000", label
        else:
            assert isinstance(ws.cell(r, 3).value, int), label
    return got, taken


def _expected(j: dict) -> dict[tuple[str, str], object]:
    """The figures of ``results`` JSON as the block writes them, kinds of nothing left out."""
    want: dict[tuple[str, str], object] = {}
    want.update({("问责", k): v["people"] for k, v in j["accountability"].items() if v["people"]})
    want.update({("资金", k): Decimal(v["amount"]) for k, v in j["money"].items() if Decimal(v["amount"])})
    want.update({("审计", k): Decimal(v["amount"]) for k, v in j["audit"].items() if Decimal(v["amount"])})
    if j["rules"]["count"]:
        want[("制度", "制定及修改完善")] = j["rules"]["count"]
    want.update({("会议", k): v["count"] for k, v in j["meetings"].items() if v["count"]})
    return want


def _exact(value: object) -> object:
    """A cell's number as the decimal it was written as (openpyxl reads 3.6 back as a float)."""
    return Decimal(repr(value)) if isinstance(value, float) else value


def test_stats_sheet_results_equal_stats_json_and_core(demo_path: Path, cli, tmp_path: Path) -> None:  # noqa: ANN001
    r = cli("stats", demo_path, "--json")
    assert r.returncode == 0, r.stderr
    from_cli = json.loads(r.stdout)["results"]
    with Ledger.open(demo_path):
        from_core = results.compute(1).to_json()
        out = export_workbook(1, tmp_path / "台账.xlsx", today=TODAY)
    assert from_cli == from_core
    got, _ = _block(openpyxl.load_workbook(out)["统计"])
    want = _expected(from_core)
    assert {k: _exact(v) for k, v in got.items()} == want
    # The demo has every group, and an amount that is not a whole number (3.6 万元).
    assert {g for g, _ in want} == {"问责", "资金", "审计", "制度", "会议"}
    assert got[("资金", "清退")] == 3.6 and want[("资金", "清退")] == Decimal("3.6")
    # The block lists the kinds in the order of core.results (the notice's), within each group.
    assert [k for g, k in got if g == "问责"] == list(from_core["accountability"])


def test_stats_sheet_says_not_recorded_when_nothing_is(demo_ledger: Ledger, tmp_path: Path) -> None:
    for model in (Accountability, MoneyEntry, Institution, Meeting):
        for (row_id,) in model.select(model.id).tuples():
            demo_ledger.apply(Delete(model, row_id))
    assert _expected(results.compute(1).to_json()) == {}
    book = openpyxl.load_workbook(export_workbook(1, tmp_path / "台账.xlsx", today=TODAY))
    got, taken = _block(book["统计"])
    assert got == {} and len(taken) == 1
    # The 整改成效 sheet is there all the same, with one line saying so.
    ws = book["整改成效"]
    assert [ws.cell(4, c).value for c in (1, 2)] == [None, "尚未记录"] and ws.max_row == 4


def _results_sheet(ws) -> tuple[list[str], list[dict[str, object]]]:  # noqa: ANN001
    headers = [c.value for c in ws[3]]
    rows = [
        dict(zip(headers, (c.value for c in row), strict=True))
        for row in ws.iter_rows(min_row=4)
        if any(c.value is not None for c in row)
    ]
    return headers, rows


def test_results_sheet_lists_every_entry_with_its_item(demo_ledger: Ledger, tmp_path: Path) -> None:
    book = openpyxl.load_workbook(export_workbook(1, tmp_path / "台账.xlsx", today=TODAY))
    assert book.sheetnames[-1] == "整改成效"
    ws = book["整改成效"]
    headers, rows = _results_sheet(ws)
    assert headers == ["序号", "类型", "类别", "人数", "金额（万元）", "日期", "问题编号", "细化问题", "备注", "姓名"]
    n_acc, n_money = Accountability.select().count(), MoneyEntry.select().count()
    assert n_acc and n_money
    assert len(rows) == n_acc + n_money
    assert [r["序号"] for r in rows] == list(range(1, len(rows) + 1))
    assert [r["类型"] for r in rows] == ["问责"] * n_acc + ["资金"] * n_money

    # Each entry once, with its kind, figure, date and note; its item by number and title, or （整体）.
    def key(kind: str, figure: object, date: object, note: str) -> tuple:
        return (kind, figure, date, note)

    def item_of(row: Accountability | MoneyEntry) -> tuple[str, str]:
        if row.item_id is None:
            return "（整体）", ""
        item = Item.get_by_id(row.item_id)
        return f"{rules.finding_label(item.finding.number)}{rules.item_label(item.number)}", item.title

    want = [(key(a.kind, a.people, a.date, a.note), item_of(a)) for a in Accountability.select()]
    want += [(key(m.kind, results.amount_of(m), m.date, m.note), item_of(m)) for m in MoneyEntry.select()]
    got = []
    for r in rows:
        figure = r["人数"] if r["类型"] == "问责" else _exact(r["金额（万元）"])
        assert (r["人数"] is None) == (r["类型"] == "资金") and (r["金额（万元）"] is None) == (r["类型"] == "问责")
        assert isinstance(r["日期"], dt.datetime)  # a real date, which sorts and filters
        got.append((key(r["类别"], figure, r["日期"].date(), r["备注"] or ""), (r["问题编号"], r["细化问题"] or "")))
    for (k, (label, title)), (gk, (glabel, gtitle)) in zip(sorted(want, key=str), sorted(got, key=str), strict=True):
        assert k == gk and label == glabel
        assert gtitle == title or (gtitle.endswith("…") and title.startswith(gtitle[:-1])), (gtitle, title)
    assert any(r["问题编号"] == "（整体）" for r in rows)  # the demo's 批评教育 at the 民主生活会

    # Amounts exact: the column adds up to the ledger's Decimal sum, to the 元.
    amounts = [_exact(r["金额（万元）"]) for r in rows if r["类型"] == "资金"]
    total = sum(results.amount_of(m) for m in MoneyEntry.select())
    assert sum(amounts) == total
    assert any(a % 1 for a in amounts)  # the demo's 3.6 万元: a float sum could miss it
    col = headers.index("金额（万元）") + 1
    assert all(ws.cell(r, col).number_format == "0.0000" for r in range(4, 4 + len(rows)) if ws.cell(r, col).value)
    date_col = headers.index("日期") + 1
    assert ws.cell(4, date_col).number_format == DATE_FORMAT


def test_results_sheet_prints_like_the_others(demo_ledger: Ledger, tmp_path: Path) -> None:
    ws = openpyxl.load_workbook(export_workbook(1, tmp_path / "台账.xlsx", today=TODAY))["整改成效"]
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4)
    assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows.replace("$", "") == "1:3"
    assert ws.cell(4, 3).font.sz >= BODY_FONT.sz == 10.5
    # Names are for the inspection office on screen, never on paper: 姓名 stands outside the print area.
    headers = [c.value for c in ws[3]]
    names = headers.index("姓名") + 1
    assert ws.print_area == f"'整改成效'!$A$1:${get_column_letter(names - 1)}${ws.max_row}"


def test_names_are_in_the_workbook(demo_ledger: Ledger, tmp_path: Path) -> None:
    from rectify_desktop.core import ops

    a = Accountability.get(Accountability.item.is_null())
    demo_ledger.apply(ops.set_fields(Accountability, a.id, {"names": "张三、李四"}))
    ws = openpyxl.load_workbook(export_workbook(1, tmp_path / "台账.xlsx", today=TODAY))["整改成效"]
    headers, rows = _results_sheet(ws)
    assert [r["姓名"] for r in rows if r["问题编号"] == "（整体）"] == ["张三、李四"]


def test_import_of_the_export_reports_the_results_sheet_not_read(demo_ledger: Ledger, tmp_path: Path) -> None:
    out = export_workbook(1, tmp_path / "台账.xlsx", today=TODAY)
    parsed = parse_workbook(out)
    assert len(parsed.items()) == 29
    # The sheet is not taken for a second ledger, and the clerk is told its entries were not imported.
    assert not any("整改成效" in w for w in parsed.warnings), parsed.warnings
    said = [s for s in parsed.skipped if "整改成效" in s.reason]
    assert len(said) == 1 and "没有导入" in said[0].reason and "重新录入" in said[0].reason


@pytest.mark.parametrize("units", [1, 36_000, 123_456_789_012_345, 10**18 + 1])
def test_amount_cells_are_exact(units: int) -> None:
    from rectify_desktop.io.xlsx_results import amount_cell

    amount = results.from_units(units)
    value, look = amount_cell(amount)
    assert _exact(value) == amount or value == results.amount_text(amount)
