"""Excel import (io/xlsx_import.py), without Qt: clerks' own sheets, the program's own export, bad files."""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.styles import Alignment

from rectify_desktop.cli import main
from rectify_desktop.core import stats
from rectify_desktop.core.importing import AddInspection, ImportedInspection
from rectify_desktop.core.ledger import Ledger
from rectify_desktop.core.models import (
    Category,
    Evidence,
    Finding,
    Inspection,
    Institution,
    Item,
    Measure,
    Meeting,
    WriteOff,
    db,
)
from rectify_desktop.core.verify import verify_open_ledger
from rectify_desktop.io import xlsx_import, xlsx_reader
from rectify_desktop.io.xlsx_export import export_workbook
from rectify_desktop.io.xlsx_import import (
    XlsxImportError,
    find_header,
    header_key,
    parse_workbook,
    read_deadline,
    read_status,
    split_measures,
    split_number,
)

TODAY = dt.date(2026, 12, 1)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def by_title(parsed: ImportedInspection) -> dict[str, object]:
    return {i.title: i for i in parsed.items()}


# --- three clerks' sheets, made here --------------------------------------------------------------


def county_sheet(path: Path) -> Path:
    """A county bureau's ledger: title and 填报单位 rows, a two-row header with 责任主体 over three columns,
    merged 问题类别 and 存在问题 cells, dates of every kind, status words to guess, a signature row."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "整改台账"
    ws["A1"] = "中共某某县林业局党组关于县委第二巡察组反馈意见整改落实台账"
    ws.merge_cells("A1:L1")
    ws["A2"] = "填报单位：某某县林业局（盖章）"
    ws.merge_cells("A2:F2")
    ws["G2"] = "填报日期：2021年7月1日"
    ws.merge_cells("G2:L2")
    top = ["序号", "问题类别", "存在问题", "具体问题", "整改措施", "责任主体", None, None, "整改时限", "整改进展"]
    top += ["完成情况", "备注"]
    ws.append(top)
    ws.append([None] * 5 + ["责任领导", "责任部门", "责任人"])
    for col in "ABCDEIJKL":
        ws.merge_cells(f"{col}3:{col}4")
    ws.merge_cells("F3:H3")
    rows = [
        # 序号, 类别, 问题, 具体问题, 措施, 领导, 部门, 责任人, 时限, 进展, 完成情况, 备注
        [
            1,
            "一、政治建设方面",
            "1.学习贯彻上级决策部署不到位",
            "（1）理论学习中心组学习不经常",
            "一是制定年度学习计划；\n二是每季度开展专题研讨。",
            "张局长",
            "办公室",
            "李明",
            dt.datetime(2021, 6, 30),
            "已制定学习计划",
            "已完成",
            None,
        ],
        [
            2,
            None,
            None,
            "（2）学习成果转化不够",
            "1.开展调研2.形成调研报告",
            "张局长",
            "办公室",
            "李明",
            "2021.9.30",
            "正在调研",
            "已整改",
            None,
        ],
        [
            3,
            None,
            "2.意识形态工作责任制落实不够",
            None,
            "（1）专题研究（2）制定责任清单",
            "王副局长",
            "宣传股",
            "赵敏",
            "2021年6月30日",
            "已召开党组会",
            "正在推进",
            None,
        ],
        [
            4,
            None,
            "3.党建与业务融合不够",
            "（1）党建工作与中心工作“两张皮”",
            "一是开展结对共建",
            "王副局长",
            "机关党委",
            "孙丽",
            44561,
            "",
            "推进中",
            None,
        ],
        [
            5,
            "二、全面从严治党方面",
            "4.公务用车管理不规范",
            "（1）车辆使用登记不全",
            "一是完善派车单制度",
            "刘副局长",
            "办公室",
            "周强",
            "立行立改",
            "已完善",
            "完成",
            None,
        ],
        [
            6,
            None,
            None,
            "（2）车辆维修未按规定报批",
            "一是建立维修审批流程",
            "刘副局长",
            "财务股",
            "吴芳",
            "长期坚持",
            "持续规范",
            "长期坚持",
            "需县财政支持",
        ],
        [
            7,
            None,
            None,
            "（3）加油卡管理不严",
            "①一车一卡②按月对账",
            "刘副局长",
            "财务股",
            "吴芳",
            "6月底前",
            None,
            None,
            None,
        ],
    ]
    for r in rows:
        ws.append(r)
    ws.merge_cells("B5:B8")
    ws.merge_cells("C5:C6")
    ws.merge_cells("B9:B11")
    ws.merge_cells("C9:C11")
    ws["I5"].number_format = "yyyy-mm-dd"
    ws.append([])
    ws["A13"] = "填表人：张三        联系电话：0000-1234567"
    ws.merge_cells("A13:F13")
    ws["G13"] = "审核人：李四"
    wb.save(path)
    return path


def school_sheet(path: Path) -> Path:
    """A school's problem list: 序号/问题清单/具体表现/整改措施 "1.…2.…"/牵头单位/完成时限/进展情况/整改状态,
    no category column, merged finding cells, a note under the table."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "问题整改清单"
    ws["A1"] = "某某中学巡察反馈问题整改清单"
    ws.append(["序号", "问题清单", "具体表现", "整改措施", "牵头单位", "完成时限", "进展情况", "整改状态"])
    ws.append(
        [
            1,
            "教育收费管理不规范",
            "代收费项目未公示",
            "1.建立收费公示制度2.每学期公示一次",
            "校办",
            "2021/6/30",
            "已制定公示制度",
            "已完成",
        ]
    )
    ws.append(
        [
            None,
            None,
            "服务性收费未经家长同意",
            "（1）规范服务性收费（2）签订自愿协议（3）清退不合规收费",
            "教务处",
            "2021年12月底前",
            "正在清理",
            "正在推进",
        ]
    )
    ws.append([2, "食堂管理存在漏洞", None, "①完善食材采购台账②实行陪餐制度", "总务处", "立行立改", None, "未开始"])
    ws.append(
        [
            3,
            "财务报销审核不严",
            "部分报销单据不全",
            "补齐报销单据\n建立报销审核清单",
            "财务室",
            dt.datetime(2021, 9, 30),
            "",
            "持续整改",
        ]
    )
    ws.append(["注：整改状态填写已完成、正在推进、未启动、长期坚持。"])
    ws.merge_cells("A3:A4")
    ws.merge_cells("B3:B4")
    ws.merge_cells("A7:H7")
    wb.save(path)
    return path


def wps_sheet(path: Path) -> Path:
    """A WPS-like sheet: an explanation sheet first, line breaks and spaces in the headers, 整改时限（完成时间）,
    佐证资料 and 备注, an unknown column, no item column, empty category cells under a filled one."""
    wb = openpyxl.Workbook()
    info = wb.active
    info.title = "填表说明"
    info["A1"] = "请按要求填写整改台账，每月25日前报送。"
    ws = wb.create_sheet("Sheet1")
    ws.append(
        [
            "序 号",
            "问题\n类型",
            "反馈\n问题",
            "整改\n措施",
            "责任\n单位",
            "责任人",
            "整改时限（完成时间）",
            "整改\n情况",
            "完成\n情况",
            "佐证资料",
            "备 注",
            "配合单位",
        ]
    )
    ws.append(
        [
            1,
            "作风建设",
            "1、会议多文件多",
            "一是精简会议；二是压缩文件",
            "办公室",
            "王五",
            dt.datetime(2021, 9, 30),
            "会议数量下降三成",
            "已办结",
            "会议通知.pdf；精简方案.docx",
            None,
            "工会",
        ]
    )
    ws.append(
        [
            2,
            None,
            "2、督查检查考核过多",
            "统筹制定年度督查计划",
            "督查室",
            "赵六",
            "2021年12月31日前",
            None,
            "正在推进",
            None,
            "备注X",
            None,
        ]
    )
    ws.append(
        [
            3,
            "干部队伍建设",
            "3、年轻干部培养不够",
            "一是建立年轻干部库；二是开展轮岗交流",
            "组织人事科",
            None,
            "长期坚持",
            None,
            None,
            None,
            None,
            None,
        ]
    )
    ws.append([])
    ws.append(["负责人：某某", None, None, None, None, None, "联系电话：12345"])
    for c in ws[1]:
        c.alignment = Alignment(wrap_text=True)
    wb.save(path)
    return path


def test_county_sheet(tmp_path: Path, ledger) -> None:  # noqa: ANN001
    parsed = parse_workbook(county_sheet(tmp_path / "县局台账.xlsx"))
    assert parsed.counts() == {"categories": 2, "findings": 4, "items": 7, "measures": 11}
    assert parsed.title == "中共某某县林业局党组关于县委第二巡察组反馈意见整改落实台账"
    assert parsed.inspected_unit == "某某县林业局"
    assert parsed.inspecting_body == "县委第二巡察组"
    assert [c.title for c in parsed.categories] == ["政治建设方面", "全面从严治党方面"]
    assert [(f.number, f.title) for f in parsed.findings()] == [
        (1, "学习贯彻上级决策部署不到位"),
        (2, "意识形态工作责任制落实不够"),
        (3, "党建与业务融合不够"),
        (4, "公务用车管理不规范"),
    ]
    assert [len(f.items) for f in parsed.findings()] == [2, 1, 1, 3]
    items = by_title(parsed)
    first = items["理论学习中心组学习不经常"]
    assert (first.number, first.leader, first.department, first.person) == (1, "张局长", "办公室", "李明")
    assert first.deadline_date == dt.date(2021, 6, 30) and first.status == "已完成"
    assert [m.text for m in first.measures] == ["制定年度学习计划", "每季度开展专题研讨"]
    assert [m.text for m in items["学习成果转化不够"].measures] == ["开展调研", "形成调研报告"]
    assert items["学习成果转化不够"].deadline == "2021.9.30"
    # A finding without its own item cell is one item with the finding's title.
    unsplit = items["意识形态工作责任制落实不够"]
    assert unsplit.deadline == "2021年6月30日" and unsplit.status == "正在推进"
    assert [m.text for m in unsplit.measures] == ["专题研究", "制定责任清单"]
    assert items["党建工作与中心工作“两张皮”"].deadline_date == dt.date(2021, 12, 31)  # serial 44561
    assert items["车辆维修未按规定报批"].remarks == "需县财政支持"
    assert items["车辆维修未按规定报批"].deadline == "长期坚持"
    assert [m.text for m in items["加油卡管理不严"].measures] == ["一车一卡", "按月对账"]
    assert items["加油卡管理不严"].deadline == "6月底前" and items["加油卡管理不严"].status == "未启动"
    assert [i.status for i in parsed.items()] == [
        "已完成",
        "已完成",
        "正在推进",
        "正在推进",
        "已完成",
        "长期坚持",
        "未启动",
    ]
    assert parsed.warnings == [
        "整改台账!第6行 完成情况列：“已整改”，按“已完成”导入",
        "整改台账!第8行 整改时限列：数字 44561 按 Excel 日期读作“2021年12月31日”",
        "整改台账!第8行 完成情况列：“推进中”，按“正在推进”导入",
        "整改台账!第9行 完成情况列：“完成”，按“已完成”导入",
        "整改台账!第11行 完成情况列：完成情况为空，按“未启动”导入",
    ]
    # Into the ledger: the phrases stay phrases, the written dates become dates.
    cmd = AddInspection(parsed)
    ledger.apply(cmd)
    got = {i.title: i for i in Item.select()}
    assert got["学习成果转化不够"].deadline_date == dt.date(2021, 9, 30)
    assert got["意识形态工作责任制落实不够"].deadline_date == dt.date(2021, 6, 30)
    assert got["加油卡管理不严"].deadline_text == "6月底前"
    assert got["车辆使用登记不全"].deadline_text == "立行立改"
    s = stats.compute(cmd.inspection_id)
    assert (s.categories, s.findings, s.items, s.measures) == (2, 4, 7, 11)


def test_school_sheet_without_category_column(tmp_path: Path) -> None:
    parsed = parse_workbook(school_sheet(tmp_path / "学校.xlsx"))
    assert parsed.counts() == {"categories": 1, "findings": 3, "items": 4, "measures": 9}
    assert parsed.title == "某某中学巡察反馈问题整改清单"
    assert [c.title for c in parsed.categories] == ["问题整改清单"]
    assert [(f.title, len(f.items)) for f in parsed.findings()] == [
        ("教育收费管理不规范", 2),
        ("食堂管理存在漏洞", 1),
        ("财务报销审核不严", 1),
    ]
    items = by_title(parsed)
    assert [m.text for m in items["代收费项目未公示"].measures] == ["建立收费公示制度", "每学期公示一次"]
    assert items["代收费项目未公示"].department == "校办" and items["代收费项目未公示"].deadline == "2021/6/30"
    assert len(items["服务性收费未经家长同意"].measures) == 3
    assert items["服务性收费未经家长同意"].deadline == "2021年12月底前"
    assert [m.text for m in items["食堂管理存在漏洞"].measures] == ["完善食材采购台账", "实行陪餐制度"]
    assert [m.text for m in items["部分报销单据不全"].measures] == ["补齐报销单据", "建立报销审核清单"]
    assert items["部分报销单据不全"].deadline_date == dt.date(2021, 9, 30)
    assert [i.status for i in parsed.items()] == ["已完成", "正在推进", "未启动", "长期坚持"]
    assert parsed.warnings == [
        "问题整改清单!第2行 表头：没有“方面”（问题类别）列，第3行起的问题归入方面“问题整改清单”，导入后可以修改",
        "问题整改清单!第5行 整改状态列：“未开始”，按“未启动”导入",
        "问题整改清单!第6行 整改状态列：“持续整改”，按“长期坚持”导入",
        "问题整改清单!第7行：说明文字“注：整改状态填写已完成、正在推进、未启动…”不是台账内容，已跳过",
    ]


def test_wps_sheet_with_line_breaks_in_headers(tmp_path: Path) -> None:
    parsed = parse_workbook(wps_sheet(tmp_path / "wps.xlsx"))
    assert parsed.counts() == {"categories": 2, "findings": 3, "items": 3, "measures": 5}
    assert parsed.title == "wps"  # no title row: the file's name
    assert [c.title for c in parsed.categories] == ["作风建设", "干部队伍建设"]
    assert [(f.number, f.title, [i.title for i in f.items]) for f in parsed.findings()] == [
        (1, "会议多文件多", ["会议多文件多"]),
        (2, "督查检查考核过多", ["督查检查考核过多"]),
        (3, "年轻干部培养不够", ["年轻干部培养不够"]),
    ]
    a, b, c = parsed.items()
    assert a.evidence == ["会议通知.pdf", "精简方案.docx"]
    assert a.remarks == "配合单位：工会"
    assert a.deadline_date == dt.date(2021, 9, 30) and a.progress == "会议数量下降三成"
    assert (a.department, a.person, a.status) == ("办公室", "王五", "已完成")
    assert b.remarks == "备注X" and b.deadline == "2021年12月31日前" and b.status == "正在推进"
    assert c.deadline == "长期坚持" and c.status == "未启动"
    assert parsed.warnings == [
        "Sheet1!第1行 L列“配合单位”：不是台账的列，内容已并入备注",
        "Sheet1!第2行 完成情况列：“已办结”，按“已完成”导入",
        "Sheet1!第4行 完成情况列：完成情况为空，按“未启动”导入",
    ]


def test_sheet1_without_categories_goes_under_未分类(tmp_path: Path) -> None:
    path = school_sheet(tmp_path / "a.xlsx")
    wb = openpyxl.load_workbook(path)
    wb.active.title = "Sheet1"
    wb.save(path)
    parsed = parse_workbook(path)
    assert [c.title for c in parsed.categories] == ["未分类"]
    assert (
        "Sheet1!第2行 表头：没有“方面”（问题类别）列，第3行起的问题归入方面“未分类”，导入后可以修改" in parsed.warnings
    )


def test_category_heading_rows_in_a_sheet_without_a_category_column(tmp_path: Path) -> None:
    """ "一、…方面" across the table, above its findings: a category, not a finding."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["序号", "存在问题", "整改措施", "责任单位", "整改时限", "完成情况"])
    ws.append(["一、政治建设方面"])
    ws.merge_cells("A2:F2")
    ws.append([1, "学习不深入", "一是制定计划", "办公室", "2021年6月30日", "已完成"])
    ws.append([2, "意识形态责任不实", "一是专题研究", "宣传股", "立行立改", "正在推进"])
    ws.append(["（二）作风建设方面"])
    ws.append([3, "文山会海", "一是精简会议", "办公室", "长期坚持", "长期坚持"])
    ws.append(["三", "选人用人方面"])  # the numeral in 序号, the words in 存在问题
    ws.append([4, "档案不全", "一是补齐档案", "组织股", "2021年9月30日", "正在推进"])
    wb.save(tmp_path / "a.xlsx")
    parsed = parse_workbook(tmp_path / "a.xlsx")
    assert [(c.title, [f.title for f in c.findings]) for c in parsed.categories] == [
        ("政治建设方面", ["学习不深入", "意识形态责任不实"]),
        ("作风建设方面", ["文山会海"]),
        ("选人用人方面", ["档案不全"]),
    ]
    assert parsed.warnings == []


def test_both_readers_give_the_same_result(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The fast reader and openpyxl's ordinary mode (the fallback) read the same sheets alike."""
    files = [county_sheet(tmp_path / "a.xlsx"), school_sheet(tmp_path / "b.xlsx"), wps_sheet(tmp_path / "c.xlsx")]
    fast = [parse_workbook(f).to_json() for f in files]
    monkeypatch.setattr(xlsx_reader, "FAST_READER", False)
    assert [parse_workbook(f).to_json() for f in files] == fast


# --- the pieces -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("整改时限（完成时间）", "deadline"),
        ("整改时限(完成时间)", "deadline"),
        ("完成\n情况", "status"),
        (" 责 任 单 位 ", "department"),
        ("佐证资料", "evidence"),
        ("问题类型", "category"),
        ("具体表现", "item"),
        ("问题清单", "finding"),
        ("牵头领导", "leader"),
        ("经办人", "person"),
        ("落实情况", "progress"),
        ("整改完成情况", "status"),
        ("备  注", "remarks"),
        ("中共某某县林业局党组关于县委第二巡察组反馈意见整改落实台账", None),
        ("填报单位：某某县林业局", None),
    ],
)
def test_header_words(text: str, key: str | None) -> None:
    assert header_key(text) == key


@pytest.mark.parametrize(
    ("text", "measures"),
    [
        ("一是制定计划；\n二是开展研讨；\n三是建立档案。", ["制定计划", "开展研讨", "建立档案"]),
        ("一是统一思想，二是统一行动", ["统一思想", "统一行动"]),
        ("1.建立制度；2.加强检查。", ["建立制度", "加强检查"]),
        ("1、于2021.6.30前完成2、每月报送", ["于2021.6.30前完成", "每月报送"]),
        ("（1）规范收费（2）签订协议", ["规范收费", "签订协议"]),
        ("(1)规范收费;(2)签订协议", ["规范收费", "签订协议"]),
        ("①一车一卡②按月对账", ["一车一卡", "按月对账"]),
        ("补齐单据\n建立清单\n", ["补齐单据", "建立清单"]),
        ("增长2.5%以上", ["增长2.5%以上"]),
        ("", []),
        ("针对以上问题：一是甲；二是乙", ["针对以上问题", "甲", "乙"]),
    ],
)
def test_split_measures(text: str, measures: list[str]) -> None:
    assert split_measures(text) == measures


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.标题", (1, "标题")),
        ("12、标题", (12, "标题")),
        ("（3）标题", (3, "标题")),
        ("(一)标题", (1, "标题")),
        ("二十一、标题", (21, "标题")),
        ("1.5万元资金未入账", (None, "1.5万元资金未入账")),
        ("2021年预算执行不严", (None, "2021年预算执行不严")),
    ],
)
def test_split_number(text: str, expected: tuple[int | None, str]) -> None:
    assert split_number(text) == expected


def test_deadlines_and_statuses() -> None:
    assert read_deadline(dt.datetime(2021, 6, 30)).date == dt.date(2021, 6, 30)
    assert read_deadline(44377).date == dt.date(2021, 6, 30)
    assert read_deadline("2021年6月30日").text == "2021年6月30日"
    assert read_deadline("立行立改") == xlsx_import.Deadline("立行立改", None)
    assert read_deadline("2021-06-30 00:00:00").text == "2021-06-30"
    assert read_status("已完成（2026年7月16日）") == xlsx_import.Status("已完成", dt.date(2026, 7, 16))
    assert read_status("长期坚持") == xlsx_import.Status("长期坚持")
    for word, status in [
        ("已整改", "已完成"),
        ("完成", "已完成"),
        ("已办结", "已完成"),
        ("推进中", "正在推进"),
        ("持续推进", "正在推进"),
        ("正在整改", "正在推进"),
        ("未完成", "正在推进"),
        ("持续整改", "长期坚持"),
        ("未开始", "未启动"),
        ("", "未启动"),
    ]:
        got = read_status(word)
        assert got.status == status and got.word, word


def test_defusedxml_is_active() -> None:
    assert openpyxl.xml.DEFUSEDXML is True


# --- the program's own export -----------------------------------------------------------------------


def ledger_cells(path: Path) -> dict[tuple[int, int], object]:
    ws = openpyxl.load_workbook(path)["台账"]
    return {(c.row, c.column): c.value for row in ws.iter_rows() for c in row if c.row != 2}


def test_round_trip_of_the_demo_ledger(demo_path: Path, tmp_path: Path) -> None:
    """export → import into an empty ledger → export again: the same 台账 cells, but the 填报日期 row."""
    with Ledger.open(demo_path) as led:
        with db.atomic():  # registered materials, so that the 佐证材料 column is not empty
            for n, item in enumerate(Item.select().order_by(Item.id).limit(4)):
                Evidence.create(item=item, position=0, name=f"关于整改{n}的通知.pdf")
                Evidence.create(item=item, position=1, name=f"会议记录{n}.docx")
        first = export_workbook(led.inspections()[0].id, tmp_path / "一.xlsx", today=TODAY)
        n_evidence = Evidence.select().count()
    parsed = parse_workbook(first)
    assert parsed.warnings == []
    assert parsed.counts() == {"categories": 4, "findings": 13, "items": 29, "measures": 79}
    fresh = tmp_path / "新.db"
    with Ledger.create(fresh) as led:
        cmd = AddInspection(parsed)
        led.apply(cmd)
        # Every material comes back by name, registered without its file.
        assert Evidence.select().count() == n_evidence and not Evidence.select().where(Evidence.blob.is_null(False))
        assert WriteOff.select().count() > 0
        assert Meeting.select().count() > 0 and Institution.select().count() > 0
        assert verify_open_ledger() == []
        second = export_workbook(cmd.inspection_id, tmp_path / "二.xlsx", today=TODAY)
    a, b = ledger_cells(first), ledger_cells(second)
    assert len(a) > 400
    assert [k for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)] == []
    ma = sorted(str(r) for r in openpyxl.load_workbook(first)["台账"].merged_cells.ranges)
    mb = sorted(str(r) for r in openpyxl.load_workbook(second)["台账"].merged_cells.ranges)
    assert ma == mb


def test_writeoff_states_come_back(ledger, tmp_path: Path) -> None:  # noqa: ANN001
    parsed = parse_workbook(county_sheet(tmp_path / "a.xlsx"))
    items = parsed.items()
    items[0].writeoffs = [
        xlsx_import.ImportedWriteOff("申请", date=dt.date(2021, 7, 1)),
        xlsx_import.ImportedWriteOff("批准", date=dt.date(2021, 7, 3)),
    ]
    items[1].writeoffs = [xlsx_import.ImportedWriteOff("申请")]
    items[4].writeoffs = [xlsx_import.ImportedWriteOff("申请"), xlsx_import.ImportedWriteOff("退回")]
    cmd = AddInspection(parsed)
    ledger.apply(cmd)
    out = export_workbook(cmd.inspection_id, tmp_path / "out.xlsx", today=TODAY)
    again = parse_workbook(out)
    got = [[(w.action, w.date) for w in i.writeoffs] for i in again.items()]
    assert got[0] == [("申请", dt.date(2021, 7, 3)), ("批准", dt.date(2021, 7, 3))]
    assert got[1] == [("申请", None)]
    assert got[4] == [("退回", None)]
    assert got[2] == got[3] == []


# --- bad input --------------------------------------------------------------------------------------


def bad_files(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    """Each bad file, with a word its message must contain."""
    out: dict[str, tuple[Path, str]] = {}
    xls = tmp_path / "旧版.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4000)
    out["xls"] = (xls, "另存为 .xlsx")
    enc = tmp_path / "加密.xlsx"
    enc.write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600 + "EncryptionInfo".encode("utf-16-le") + b"\0" * 600
    )
    out["encrypted"] = (enc, "密码")
    csv = tmp_path / "台账.csv.xlsx"
    csv.write_text("序号,问题,整改措施\n1,问题一,措施一\n", encoding="utf-8")
    out["csv"] = (csv, "另存为 .xlsx")
    good = county_sheet(tmp_path / "好.xlsx")
    cut = tmp_path / "截断.xlsx"
    cut.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    out["truncated"] = (cut, "损坏")
    empty = tmp_path / "空白.xlsx"
    openpyxl.Workbook().save(empty)
    out["empty workbook"] = (empty, "空的")
    nohead = tmp_path / "无表头.xlsx"
    wb = openpyxl.Workbook()
    for r in range(30):
        wb.active.append([f"第{r}行", "一些文字", r])
    wb.save(nohead)
    out["no header"] = (nohead, "表头")
    zero = tmp_path / "零字节.xlsx"
    zero.write_bytes(b"")
    out["zero bytes"] = (zero, "空的")
    docx = tmp_path / "文档.xlsx"
    with zipfile.ZipFile(docx, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
        z.writestr("[Content_Types].xml", "<Types/>")
    out["word document"] = (docx, "Word")
    bomb = tmp_path / "炸弹.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bomb, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                lol = '<!DOCTYPE lolz [<!ENTITY lol "lol">' + "".join(
                    f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 9)
                )
                data = data.replace(b"<worksheet", (lol + "]>").encode() + b"<worksheet", 1)
                data = data.replace(b"<t>", b"<t>&lol8;", 1)
            dst.writestr(info, data)
    out["xml bomb"] = (bomb, "不安全")
    header_only = tmp_path / "只有表头.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["序号", "问题", "整改措施", "责任部门"])
    wb.save(header_only)
    out["header only"] = (header_only, "没有任何问题")
    return out


def test_bad_files_are_refused_and_the_ledger_is_untouched(
    tmp_path: Path, demo_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = sha(demo_path)
    for name, (path, word) in bad_files(tmp_path).items():
        with pytest.raises(XlsxImportError) as exc:
            parse_workbook(path)
        assert word in str(exc.value), (name, str(exc.value))
        assert isinstance(exc.value, xlsx_import.LedgerError)
        args = argparse.Namespace(dry_run=False, json=False)
        assert xlsx_import.cli_import(demo_path, path, args) == 1, name
        err = capsys.readouterr().err
        assert err.startswith("错误：") and word in err and "Traceback" not in err, (name, err)
        assert main(["import", str(demo_path), str(path)]) != 0, name  # cli.py picks the importer by suffix
        assert capsys.readouterr().err.startswith("错误：")
        assert sha(demo_path) == before, name
        missing = tmp_path / f"不存在-{name}.db"
        assert xlsx_import.cli_import(missing, path, args) == 1
        assert main(["import", str(missing), str(path)]) != 0
        capsys.readouterr()
        assert not missing.exists(), name


def test_limits_on_size_and_rows(tmp_path: Path) -> None:
    path = county_sheet(tmp_path / "a.xlsx")
    with pytest.raises(XlsxImportError, match="文件太大"):
        parse_workbook(path, max_bytes=1000)
    with pytest.raises(XlsxImportError, match="超过 5 行"):
        parse_workbook(path, max_rows=5)
    assert xlsx_import.MAX_BYTES == 50 * 1024 * 1024 and xlsx_import.MAX_ROWS == 100_000


def test_a_failure_in_the_middle_leaves_nothing(
    ledger, ledger_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:  # noqa: ANN001
    """AddInspection is one transaction: an error at its last item leaves no category, finding or item."""
    parsed = parse_workbook(county_sheet(tmp_path / "a.xlsx"))
    parsed.items()[-1].measures.append(None)  # type: ignore[arg-type]
    with pytest.raises(AttributeError):
        ledger.apply(AddInspection(parsed))
    assert Inspection.select().count() == Category.select().count() == Finding.select().count() == 0
    assert Item.select().count() == Measure.select().count() == 0
    ledger.close()
    # The same through the command line: exit 1, the file as it was.
    before = sha(ledger_path)
    real = xlsx_import.parse_workbook

    def broken(path: Path, **kw):  # noqa: ANN003, ANN202
        out = real(path, **kw)
        out.items()[-1].measures.append(None)
        return out

    monkeypatch.setattr(xlsx_import, "parse_workbook", broken)
    assert main(["import", str(ledger_path), str(tmp_path / "a.xlsx")]) == 1
    assert "台账没有任何改动" in capsys.readouterr().err
    assert sha(ledger_path) == before


# --- the command line -------------------------------------------------------------------------------


def test_dry_run_json_writes_nothing(tmp_path: Path, cli) -> None:  # noqa: ANN001
    src = county_sheet(tmp_path / "县局台账.xlsx")
    target = tmp_path / "新台账.db"
    r = cli("import", target, src, "--dry-run", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)  # the whole output is one JSON object
    assert (out["categories"], out["findings"], out["items"], out["measures"]) == (2, 4, 7, 11)
    assert len(out["warnings"]) == 5 and all("整改台账!第" in w for w in out["warnings"])
    assert out["dry_run"] is True and out["sheet"] == "整改台账"
    assert out["tree"][0]["findings"][0]["items"][0]["deadline_date"] == "2021-06-30"
    assert not target.exists() and list(tmp_path.iterdir()) == [src]


def test_import_creates_the_ledger_and_adds_a_new_inspection_each_time(tmp_path: Path, cli) -> None:  # noqa: ANN001
    src = school_sheet(tmp_path / "学校.xlsx")
    target = tmp_path / "新台账.db"
    r = cli("import", target, src)
    assert r.returncode == 0, r.stderr
    assert "已导入" in r.stdout and "1个方面、3个问题、4项细化问题、9条整改措施" in r.stdout
    assert "请核对以下 4 条提示" in r.stdout
    r = cli("import", target, src, "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["inspection_id"] == 2
    with Ledger.open(target, readonly=True):
        assert Inspection.select().count() == 2  # never merged: a new inspection each time
        assert Item.select().count() == 8
        assert verify_open_ledger() == []
    assert not target.with_name(target.name + ".lock").exists()


def test_import_into_a_locked_ledger_is_refused(tmp_path: Path, demo_path: Path, cli) -> None:  # noqa: ANN001
    src = school_sheet(tmp_path / "学校.xlsx")
    with Ledger.open(demo_path):
        before = sha(demo_path)
        r = cli("import", demo_path, src)
    assert r.returncode == 1 and "另一个" in r.stderr
    assert sha(demo_path) == before


def test_find_header_two_rows(tmp_path: Path) -> None:
    with xlsx_import.Workbook(county_sheet(tmp_path / "a.xlsx")) as book:
        header = find_header(book.sheet("整改台账"))
    assert header is not None and (header.first_row, header.row) == (3, 4)
    columns = "seq category finding item measures leader department person deadline progress status remarks"
    assert [header.columns[c] for c in sorted(header.columns)] == columns.split()
