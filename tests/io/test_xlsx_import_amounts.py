"""Excel import of amount columns (issue 14): 问题金额 / 整改到位金额 / 追缴 / 追回 / 清退 … columns of a clerk's
sheet become the items' own money entries, exact in 万元; a column in 元 is converted; a bad cell is a hint for
its row and cell, the row's other fields still imported; a column that does not say which amount it is goes to
备注 with a hint."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from rectify_desktop.core import results
from rectify_desktop.core.importing import import_into
from rectify_desktop.core.ledger import Ledger
from rectify_desktop.core.models import Item, MoneyEntry
from rectify_desktop.io.xlsx_import import parse_workbook


def write(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "审计整改台账"
    ws.append(["某某局审计整改台账"])
    ws.append(header)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def money(parsed) -> list[list[tuple[str, Decimal]]]:  # noqa: ANN001
    return [[(m.kind, m.amount) for m in it.money] for it in parsed.items()]


BASE = ["序号", "问题类别", "存在问题", "整改措施", "责任单位", "完成情况"]


@pytest.mark.parametrize(
    ("names", "expected_kinds"),
    [
        (["问题金额（万元）", "整改金额（万元）"], ["问题金额", "整改到位金额"]),
        (["涉及金额(万元)", "整改到位金额(万元)"], ["问题金额", "整改到位金额"]),
        (["问题资金", "已整改金额"], ["问题金额", "整改到位金额"]),
        (["追缴金额（万元）", "追回资金（万元）"], ["追缴", "追回"]),
        (["清退金额", "挽回经济损失（万元）"], ["清退", "挽回经济损失"]),
        (["归还原资金渠道（万元）", "未整改金额（万元）"], ["归还原资金渠道", "未整改资金"]),
    ],
)
def test_amount_columns_by_their_many_names(tmp_path, names, expected_kinds):
    p = write(
        tmp_path / "a.xlsx",
        BASE + names,
        [
            [1, "财务管理", "违规发放津补贴", "清退违规发放的津补贴", "财务科", "已完成", 12.5, "12.5"],
            [2, "财务管理", "专项资金滞留", "拨付滞留资金", "财务科", "正在推进", "１，２３４．５６", 0.0001],
            [3, "财务管理", "公务接待超标", "规范接待", "办公室", "已完成", None, ""],
        ],
    )
    parsed = parse_workbook(p)
    k1, k2 = expected_kinds
    assert money(parsed) == [
        [(k1, Decimal("12.5")), (k2, Decimal("12.5"))],
        [(k1, Decimal("1234.56")), (k2, Decimal("0.0001"))],
        [],
    ]
    # The amount columns are columns of the ledger: nothing of them in 备注, no "不是台账的列".
    assert all(it.remarks == "" for it in parsed.items())
    assert not any("不是台账的列" in w for w in parsed.warnings)
    assert [it.title for it in parsed.items()] == ["违规发放津补贴", "专项资金滞留", "公务接待超标"]
    assert parsed.counts()["money"] == 4


def test_a_column_in_yuan_is_converted_exactly(tmp_path):
    p = write(
        tmp_path / "y.xlsx",
        [*BASE, "问题金额（元）", "追缴金额(元)"],
        [
            [1, "财务", "违规报销", "退回报销款", "财务科", "已完成", 123456, "5,000"],
            [2, "财务", "多付工程款", "追回工程款", "财务科", "正在推进", 1, "12.50"],
        ],
    )
    parsed = parse_workbook(p)
    assert money(parsed)[0] == [("问题金额", Decimal("12.3456")), ("追缴", Decimal("0.5"))]
    # 12.50 元 has 角: finer than the ledger's 1 元, refused with the reason; 1 元 is 0.0001 万元.
    assert money(parsed)[1] == [("问题金额", Decimal("0.0001"))]
    hint = next(w for w in parsed.warnings if "第4行" in w and "12.50" in w)
    assert "1元" in hint


def test_bad_cells_are_hinted_and_the_rest_of_the_row_is_imported(tmp_path):
    p = write(
        tmp_path / "bad.xlsx",
        [*BASE, "问题金额（万元）", "整改到位金额（万元）"],
        [
            [1, "财务", "问题甲", "措施甲", "财务科", "已完成", "abc", 3],
            [2, "财务", "问题乙", "措施乙", "财务科", "已完成", -5, "1.23456"],
            [3, "财务", "问题丙", "措施丙", "财务科", "正在推进", "无", "—"],
        ],
    )
    parsed = parse_workbook(p)
    assert money(parsed) == [[("整改到位金额", Decimal("3"))], [], []]
    items = parsed.items()
    assert [(i.title, i.department, i.status, [m.text for m in i.measures]) for i in items] == [
        ("问题甲", "财务科", "已完成", ["措施甲"]),
        ("问题乙", "财务科", "已完成", ["措施乙"]),
        ("问题丙", "财务科", "正在推进", ["措施丙"]),
    ]
    hints = [w for w in parsed.warnings if "金额" in w]
    assert any("第3行 问题金额(万元)列" in w and "abc" in w and "不是数字" in w for w in hints), hints
    assert any("第4行" in w and "-5" in w and "负" in w for w in hints), hints
    assert any("第4行" in w and "1.23456" in w and "4位小数" in w for w in hints), hints
    assert not any("第5行" in w for w in hints), hints  # 无 and — are blanks


def test_a_column_that_does_not_say_which_amount_goes_to_remarks(tmp_path):
    p = write(
        tmp_path / "m.xlsx",
        [*BASE, "金额（元）"],
        [[1, "财务", "问题甲", "措施甲", "财务科", "已完成", 5000]],
    )
    parsed = parse_workbook(p)
    assert money(parsed) == [[]]
    assert parsed.items()[0].remarks == "金额(元)：5000"
    assert any("金额(元)" in w and "哪类金额" in w for w in parsed.warnings), parsed.warnings


def test_a_column_without_unit_is_read_as_wan_and_said(tmp_path):
    p = write(tmp_path / "n.xlsx", [*BASE, "问题金额"], [[1, "财务", "问题甲", "措施甲", "财务科", "已完成", 8]])
    parsed = parse_workbook(p)
    assert money(parsed) == [[("问题金额", Decimal("8"))]]
    assert any("问题金额" in w and "万元" in w for w in parsed.warnings), parsed.warnings


def test_an_amount_merged_over_several_items_is_counted_once(tmp_path):
    p = write(
        tmp_path / "merged.xlsx",
        ["序号", "问题类别", "存在问题", "具体问题", "整改措施", "问题金额（万元）"],
        [
            [1, "财务", "资金管理不规范", "（1）未及时拨付", "拨付", 30],
            [None, None, None, "（2）未专款专用", "规范使用", None],
        ],
    )
    wb = openpyxl.load_workbook(p)
    ws = wb.active
    for col in ("B", "C", "F"):
        ws.merge_cells(f"{col}3:{col}4")
    wb.save(p)
    parsed = parse_workbook(p)
    assert money(parsed) == [[("问题金额", Decimal("30"))], []]
    assert any("合并" in w and "问题金额" in w for w in parsed.warnings), parsed.warnings


def test_imported_into_a_ledger_file_and_read_back(tmp_path):
    p = write(
        tmp_path / "a.xlsx",
        [*BASE, "问题金额（万元）", "整改金额（万元）", "追缴金额（万元）"],
        [
            [1, "财务", "问题甲", "措施甲", "财务科", "已完成", 0.1, 0.2, "0.3"],
            [2, "财务", "问题乙", "措施乙", "财务科", "正在推进", "1,234.5678", "abc", None],
        ],
    )
    target = tmp_path / "台账.db"
    result = import_into(target, parse_workbook(p))
    with Ledger.open(target, readonly=True):
        rows = [
            (Item.get_by_id(m.item_id).title, m.kind, results.amount_of(m))
            for m in MoneyEntry.select().order_by(MoneyEntry.item, MoneyEntry.position)
        ]
        assert rows == [
            ("问题甲", "问题金额", Decimal("0.1")),
            ("问题甲", "整改到位金额", Decimal("0.2")),
            ("问题甲", "追缴", Decimal("0.3")),
            ("问题乙", "问题金额", Decimal("1234.5678")),
        ]
        res = results.compute(result.inspection_id)
        assert res.audit["问题金额"].amount == Decimal("1234.6678")
        assert res.money["追缴"].amount == Decimal("0.3")


def test_the_command_line_and_the_summary_count_the_amounts(tmp_path, cli):  # noqa: ANN001
    p = write(
        tmp_path / "a.xlsx",
        [*BASE, "问题金额（万元）", "追缴金额（万元）"],
        [[1, "财务", "问题甲", "措施甲", "财务科", "已完成", 0.1, "abc"]],
    )
    r = cli("import", tmp_path / "台账.db", p, "--dry-run")
    assert r.returncode == 0, r.stderr
    assert "1项细化问题、1条整改措施、1笔金额" in r.stdout
    assert "abc" in r.stdout and "不是数字" in r.stdout


def test_amounts_named_under_a_group_cell_of_a_two_row_header(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["序号", "问题类别", "存在问题", "整改措施", "完成情况", "金额（元）", None])
    ws.append([None, None, None, None, None, "问题金额", "整改金额"])
    ws.append([1, "财务", "问题甲", "措施甲", "已完成", 120000, "50,000"])
    for col in "ABCDE":
        ws.merge_cells(f"{col}1:{col}2")
    ws.merge_cells("F1:G1")
    p = tmp_path / "two.xlsx"
    wb.save(p)
    parsed = parse_workbook(p)
    assert money(parsed) == [[("问题金额", Decimal("12")), ("整改到位金额", Decimal("5"))]]
    assert [i.title for i in parsed.items()] == ["问题甲"]
    assert parsed.skipped == [] and parsed.items()[0].remarks == ""
    assert not any("单位" in w for w in parsed.warnings), parsed.warnings
