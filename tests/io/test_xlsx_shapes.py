# The sheets are written one row a line, as a clerk sees them: long lines and this layout on purpose.
# ruff: noqa: E501
"""A corpus of clerks' Excel ledgers in the shapes they really make (issue 11, point 5).

Each sheet is written here as a compact description (its rows from row 1, its merged ranges) and built with
openpyxl in the test, so that the corpus reads and diffs as text. For each: the exact counts, the statuses,
the first and last finding, the inspecting body, the inspected unit, the feedback date, the warnings and
what was not imported (skipped: row, text, reason). Units, people and problems are invented.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rectify_desktop.io import xlsx_import
from rectify_desktop.io.xlsx_import import parse_workbook, split_measures
from rectify_desktop.io.xlsx_rows import SIGNATURE_REASON

D = dt.datetime
_ = None
SIGNED = "落款（填表人、联系电话等），不是台账内容"
FILLED = "填报日期，不是台账内容"


@dataclass
class Shape:
    sheet: str
    rows: list[list[Any]]
    merges: list[str] = field(default_factory=list)
    cells: dict[str, Any] = field(default_factory=dict)  # single cells away from the rows (a stray note)
    before: dict[str, list[list[Any]]] = field(default_factory=dict)  # sheets before the ledger (填表说明)
    # expected
    counts: tuple[int, int, int, int] = (0, 0, 0, 0)  # categories, findings, items, measures
    statuses: list[str] = field(default_factory=list)
    first: str = ""  # the first finding's title
    last: str = ""  # the last finding's title
    body: str = ""
    unit: str = ""
    feedback: dt.date | None = None
    warnings: list[str] = field(default_factory=list)
    skipped: list[tuple[int, str, str]] = field(default_factory=list)  # (row, text, reason)
    progress: list[str] | None = None  # each item's 整改进展, when the sheet is about it
    measures: dict[int, list[str]] = field(default_factory=dict)  # item index → its measures
    categories: list[str] | None = None
    kind: str = "巡察"
    notes: str = ""  # the inspection's notes: the texts above the header that are not its title
    completed: list[dt.date | None] | None = None  # each item's completion date, when the sheet is about it


# fmt: off
SHAPES: dict[str, Shape] = {
    # The issue's own example: status words in a column headed 整改进展情况, 巡察组 and 被巡察单位 in the
    # title ("…组对…巡察"), a 反馈日期 row above the header, measures in one cell by 一是/1./；.
    "status_in_整改进展情况": Shape(
        sheet="整改台账",
        rows=[
            ["中共县委第三巡察组对青石镇党委巡察反馈问题整改台账"],
            ["反馈日期：2024年4月18日", _, _, _, "填报日期：2024年6月30日"],
            ["序号", "问题类别", "存在问题", "整改措施", "责任单位", "整改时限", "整改进展情况"],
            [1, "一、党的建设方面", "1.党委会议事规则执行不严", "一是修订议事规则；二是建立会议纪要审核制度",
             "党政办", "2024年6月30日", "已完成"],
            [2, _, "2.发展党员程序不规范", "1.开展专项检查2.补齐档案材料", "党建办", "2024年9月30日", "正在整改"],
            [3, "二、作风建设方面", "3.村级工程监管不到位", "建立工程台账；规范验收程序；落实质保金制度",
             "村建办", "长期坚持", "持续整改"],
            [4, _, "4.惠民资金发放不及时", "优化审批流程", "财政所", "2024年8月31日", "已完成"],
            [],
            ["填表人：王芳        联系电话：0000-8888888"],
        ],
        merges=["A1:G1", "B4:B5", "B6:B7", "A9:G9"],
        counts=(2, 4, 4, 8),
        statuses=["已完成", "正在推进", "长期坚持", "已完成"],
        first="党委会议事规则执行不严",
        last="惠民资金发放不及时",
        body="中共县委第三巡察组",
        unit="青石镇党委",
        feedback=dt.date(2024, 4, 18),
        warnings=[
            "整改台账!第3行 G列“整改进展情况”：该列填写的多为完成情况（已完成、正在整改等），"
            "各细化问题的完成情况按该列导入，文字同时作为整改进展",
            "整改台账!第5行 整改进展情况列：“正在整改”，按“正在推进”导入",
            "整改台账!第6行 整改进展情况列：“持续整改”，按“长期坚持”导入",
        ],
        skipped=[(2, "填报日期：2024年6月30日", FILLED), (9, "填表人：王芳        联系电话：0000-8888888", SIGNED)],
        progress=["", "", "", ""],
        measures={2: ["建立工程台账", "规范验收程序", "落实质保金制度"]},
        categories=["党的建设方面", "作风建设方面"],
    ),
    # A two-row header (责任主体 over 责任领导/责任部门/责任人), merged 方面 and 问题 cells, the status with
    # its progress in one cell of a column headed 整改情况, the unit in 填报单位 and a 巡察反馈时间.
    "status_and_progress_in_整改情况": Shape(
        sheet="台账",
        rows=[
            ["北岭区教育局党组关于区委第二巡察组巡察反馈意见整改落实台账"],
            ["填报单位：北岭区教育局（盖章）", _, _, _, _, "巡察反馈时间：2023年11月2日"],
            ["序号", "方面", "问题", "具体问题", "整改措施", "责任主体", _, _, "整改时限", "整改情况"],
            [_, _, _, _, _, "责任领导", "责任部门", "责任人"],
            [1, "（一）落实全面从严治党方面", "1.财务管理不规范", "（1）报销审核把关不严", "修订报销办法；严格审核流程",
             "李副局长", "计财科", "陈静", "2023年12月31日", "已完成。已修订《财务报销管理办法》并印发执行"],
            [2, _, _, "（2）公务接待超标准", "1.开展自查自纠2.清退超标准费用", "李副局长", "办公室", "周斌",
             "2024年3月31日", "正在推进。已完成前两批次清查，剩余部分计划9月底前完成"],
            [3, _, "2.政府采购程序不严", "（1）未按规定公开招标", "一是建立采购内控制度；二是开展采购培训；三是实行采购结果公示",
             "张副局长", "装备中心", "何军", "立行立改", "已完成"],
            [4, "（二）干部队伍建设方面", "3.干部交流轮岗不够", "（1）重要岗位任职超期", "制定轮岗计划",
             "王局长", "人事科", "刘洋", "长期坚持", "阶段性完成，持续跟踪轮岗计划执行"],
            [5, _, _, "（2）年轻干部培养不足", "建立年轻干部库", "王局长", "人事科", "刘洋", "2024年6月30日", "未启动"],
        ],
        merges=["A1:J1", "A3:A4", "B3:B4", "C3:C4", "D3:D4", "E3:E4", "F3:H3", "I3:I4", "J3:J4",
                "B5:B7", "C5:C6", "B8:B9", "C8:C9"],
        counts=(2, 3, 5, 9),
        statuses=["已完成", "正在推进", "已完成", "正在推进", "未启动"],
        first="财务管理不规范",
        last="干部交流轮岗不够",
        body="区委第二巡察组",
        unit="北岭区教育局",
        feedback=dt.date(2023, 11, 2),
        warnings=[
            "台账!第4行 J列“整改情况”：该列填写的多为完成情况（已完成、正在推进等），"
            "各细化问题的完成情况按该列导入，文字同时作为整改进展",
            "台账!第8行 整改情况列：“阶段性完成”，按“正在推进”导入",
        ],
        progress=[
            "已完成。已修订《财务报销管理办法》并印发执行",
            "正在推进。已完成前两批次清查，剩余部分计划9月底前完成",
            "",
            "阶段性完成，持续跟踪轮岗计划执行",
            "",
        ],
        measures={0: ["修订报销办法", "严格审核流程"], 2: ["建立采购内控制度", "开展采购培训", "实行采购结果公示"]},
        categories=["落实全面从严治党方面", "干部队伍建设方面"],
    ),
    # No category column: 一、…方面 rows across the table; 巡察组 / 被巡察单位 / 反馈日期 labels on the row
    # above the header; a 完成情况 column holding the status and the progress in one cell; measures by ；,
    # by 1.；2. and by （1）（2）（3）.
    "labels_above_header_完成情况": Shape(
        sheet="问题清单",
        rows=[
            ["县卫生健康局巡察反馈问题整改清单"],
            ["巡察组：县委第一巡察组", _, "被巡察单位：县卫生健康局党组", _, "反馈日期：2022年9月6日"],
            ["序号", "反馈问题", "整改任务", "牵头部门", "完成时限", "完成情况"],
            ["一、政治建设方面"],
            [1, "贯彻落实上级决策部署打折扣", "补齐会议记录；规范传达学习程序；建立督办台账", "办公室", "2022年12月31日",
             "已完成。已补齐2022年度党组会议记录并建立督办台账"],
            [2, "意识形态工作责任制落实不到位", "1.制定责任清单；2.每半年专题研究一次", "宣传科", "2022年11月30日",
             "正在推进：责任清单已起草，待党组会审定"],
            ["二、廉洁自律方面"],
            [3, "医疗设备采购监管不严", "（1）开展专项审计（2）完善采购制度（3）追回多付款项", "财务科", "2023年3月31日",
             "已完成整改"],
            [4, "违规发放津贴补贴", "清退违规发放资金", "人事科", "立行立改", "已完成（2022年10月20日）"],
            [],
            ["制表人：赵丽", _, _, "审核人：孙伟"],
        ],
        merges=["A1:F1", "A4:F4", "A7:F7"],
        counts=(2, 4, 4, 9),
        statuses=["已完成", "正在推进", "已完成", "已完成"],
        first="贯彻落实上级决策部署打折扣",
        last="违规发放津贴补贴",
        body="县委第一巡察组",
        unit="县卫生健康局党组",
        feedback=dt.date(2022, 9, 6),
        warnings=["问题清单!第8行 完成情况列：“已完成整改”，按“已完成”导入"],
        skipped=[(11, "制表人：赵丽  审核人：孙伟", SIGNED)],
        progress=["已完成。已补齐2022年度党组会议记录并建立督办台账", "正在推进：责任清单已起草，待党组会审定", "", ""],
        measures={
            0: ["补齐会议记录", "规范传达学习程序", "建立督办台账"],
            1: ["制定责任清单", "每半年专题研究一次"],
            2: ["开展专项审计", "完善采购制度", "追回多付款项"],
        },
        categories=["政治建设方面", "廉洁自律方面"],
    ),
    # The status in a column headed 进展情况, bare words and words with progress; numbered measures one a
    # line; merged 问题类型 and 反馈问题 cells over 具体表现 rows; the body only in the title (关于…组反馈),
    # the unit as 被巡察党组织; a 备注 column.
    "status_in_进展情况": Shape(
        sheet="整改工作台账",
        rows=[
            ["关于市委第五巡察组反馈意见整改工作台账"],
            ["被巡察党组织：市住房和城乡建设局党组", _, _, _, _, "填报时间：2025年1月10日"],
            ["序号", "问题类型", "反馈问题", "具体表现", "整改措施", "责任科室", "完成期限", "进展情况", "备注"],
            [1, "工程建设领域", "1、招投标监管存在漏洞", "个别项目化整为零规避招标",
             "1.开展项目清理\n2.建立预警机制\n3.约谈相关责任人", "建管科", "2025年3月31日", "已完成。已清理项目12个，约谈3人"],
            [2, _, _, "评标专家抽取不规范", "1.完善专家抽取办法\n2.实行全程录像", "建管科", "2025年2月28日",
             "正在推进，专家抽取系统已上线试运行"],
            [3, _, "2、工程款拨付审核不严", "超进度拨付工程款", "一是建立拨付审核台账\n二是开展拨付情况核查", "财务科",
             "2025年6月30日", "持续整改", "需财政局配合"],
            [4, "物业管理领域", "3、物业专项维修资金使用不规范", "维修资金审批时间过长", "优化审批流程，压缩审批时限",
             "物业科", "长期坚持", "长期坚持"],
            [5, _, _, "资金使用公示不及时", "每季度公示使用情况", "物业科", "2025年4月30日", "未启动"],
        ],
        merges=["A1:I1", "B4:B6", "C4:C5", "B7:B8", "C7:C8"],
        counts=(2, 3, 5, 9),
        statuses=["已完成", "正在推进", "长期坚持", "长期坚持", "未启动"],
        first="招投标监管存在漏洞",
        last="物业专项维修资金使用不规范",
        body="市委第五巡察组",
        unit="市住房和城乡建设局党组",
        feedback=None,
        warnings=[
            "整改工作台账!第3行 H列“进展情况”：该列填写的多为完成情况（已完成、正在推进等），"
            "各细化问题的完成情况按该列导入，文字同时作为整改进展",
            "整改工作台账!第6行 进展情况列：“持续整改”，按“长期坚持”导入",
        ],
        skipped=[(2, "填报时间：2025年1月10日", FILLED)],
        progress=["已完成。已清理项目12个，约谈3人", "正在推进，专家抽取系统已上线试运行", "", "", ""],
        measures={0: ["开展项目清理", "建立预警机制", "约谈相关责任人"], 3: ["优化审批流程，压缩审批时限"]},
        categories=["工程建设领域", "物业管理领域"],
    ),
    # A WPS sheet without title and categories (Sheet1 → 未分类), its status in a column whose header is
    # not a ledger word at all (推进情况), one cell there not a status word; measures by ；; evidence.
    "status_in_an_unknown_column": Shape(
        sheet="Sheet1",
        rows=[
            ["序号", "存在的问题", "整改举措", "责任人", "整改期限", "推进情况", "佐证材料"],
            [1, "村务公开不及时", "按月公开村务；建立公开台账", "李强", "2024年5月31日", "已完成", "公开照片.jpg"],
            [2, "集体资产底数不清", "开展资产清查；建立资产台账；规范资产出租", "张华", "2024年10月31日", "正在推进"],
            [3, "村干部坐班值班制度落实不严", "落实坐班制度", "王磊", "立行立改", "已完成", "值班表.pdf"],
            [4, "矛盾纠纷调处不及时", "建立矛盾纠纷排查台账", "赵敏", "2024年12月31日", "计划下月召开专题会议研究"],
        ],
        counts=(1, 4, 4, 7),
        statuses=["已完成", "正在推进", "已完成", "正在推进"],
        first="村务公开不及时",
        last="矛盾纠纷调处不及时",
        warnings=[
            "Sheet1!第1行 F列“推进情况”：该列填写的多为完成情况（已完成、正在推进等），作为“完成情况”列导入",
            "Sheet1!第1行 表头：没有“方面”（问题类别）列，第2行起的问题归入方面“未分类”，导入后可以修改",
            "Sheet1!第5行 推进情况列：“计划下月召开专题会议研究”，按“正在推进”导入",
        ],
        progress=["", "", "", ""],
        measures={1: ["开展资产清查", "建立资产台账", "规范资产出租"]},
        categories=["未分类"],
    ),
    # The status in its own column and a 整改情况 column of progress prose beside it (not taken for the
    # status); "…组对…开展常规巡察" in the title; 反馈日期 as a label cell with a real date beside it; items
    # in a 细化问题 column under merged findings; (1)(2) measures; two signature rows.
    "progress_prose_beside_完成情况": Shape(
        sheet="巡察整改台账",
        rows=[
            ["市委第二巡察组对市统计局党组开展常规巡察反馈问题整改落实台账"],
            ["反馈日期：", D(2023, 5, 12)],
            ["序号", "问题类别", "问题描述", "细化问题", "整改措施", "责任领导", "责任股室", "整改时限", "整改情况",
             "完成情况", "佐证资料"],
            [1, "一、统计数据质量方面", "1.统计数据审核把关不严", "（1）部分企业数据逻辑错误未发现",
             "（1）完善数据审核规则（2）开展数据质量抽查", "刘副局长", "综合股", "2023年8月31日", "已修订审核细则，抽查企业40家",
             "已完成", "审核细则.pdf"],
            [2, _, _, "（2）统计台账不健全", "建立企业统计台账", "刘副局长", "综合股", "2023年9月30日", "已指导20家企业建账",
             "正在推进"],
            [3, "二、执行财经纪律方面", "2.差旅费报销不规范", "（1）无审批单报销差旅费", "一是清退不合规报销；二是完善审批单",
             "陈副局长", "办公室", "立行立改", "已清退1.2万元", "已完成"],
            [4, _, "3.固定资产管理混乱", "（1）资产账实不符", "开展资产盘点；核销报废资产", "陈副局长", "办公室",
             "2023年12月31日", "盘点工作正在进行", "进行中"],
            [],
            ["填表人：吴刚", _, _, _, "联系电话：0000-5556666"],
            ["单位负责人（签字）："],
        ],
        merges=["A1:K1", "B4:B5", "C4:C5", "B6:B7"],
        counts=(2, 3, 4, 7),
        statuses=["已完成", "正在推进", "已完成", "正在推进"],
        first="统计数据审核把关不严",
        last="固定资产管理混乱",
        body="市委第二巡察组",
        unit="市统计局党组",
        feedback=dt.date(2023, 5, 12),
        warnings=["巡察整改台账!第7行 完成情况列：“进行中”，按“正在推进”导入"],
        skipped=[(9, "填表人：吴刚  联系电话：0000-5556666", SIGNED), (10, "单位负责人（签字）：", SIGNED)],
        progress=["已修订审核细则，抽查企业40家", "已指导20家企业建账", "已清退1.2万元", "盘点工作正在进行"],
        measures={0: ["完善数据审核规则", "开展数据质量抽查"], 3: ["开展资产盘点", "核销报废资产"]},
        categories=["统计数据质量方面", "执行财经纪律方面"],
    ),
    # Pages pasted together: a column-number row under the header and the header repeated; a note in a
    # column without a header; measures "补齐…；规范…" unnumbered; 整改状态 with 长期坚持; a 巡视组 title.
    "pasted_pages_and_semicolon_measures": Shape(
        sheet="台账",
        rows=[
            ["中共河西区委第一巡视组反馈意见整改台账"],
            ["填报单位：河西区审计局", _, _, _, "填报日期：2024年2月1日"],
            ["序号", "类别", "问题", "措施", "牵头领导", "责任部门", "时限", "整改状态"],
            [1, 2, 3, 4, 5, 6, 7, 8],
            [1, "审计质量方面", "1.审计底稿复核不到位", "补齐复核记录；规范三级复核程序；开展底稿质量评查", "周副局长",
             "法规审理科", "2024年6月30日", "已完成"],
            [2, _, "2.审计发现问题移送不及时", "建立移送台账；明确移送时限", "周副局长", "法规审理科", "长期坚持", "长期坚持"],
            ["序号", "类别", "问题", "措施", "牵头领导", "责任部门", "时限", "整改状态"],
            [3, "内部管理方面", "3.公车使用登记不完整", "补齐出车登记；规范派车审批", "吴副局长", "办公室", "2024年3月31日",
             "已完成"],
            [4, _, "4.档案管理不规范", "整理归档历年审计档案", "吴副局长", "办公室", "2024年12月31日", "未启动"],
        ],
        merges=["A1:H1", "B5:B6", "B8:B9"],
        cells={"J6": "此项需与纪委对接"},
        counts=(2, 4, 4, 8),
        statuses=["已完成", "长期坚持", "已完成", "未启动"],
        first="审计底稿复核不到位",
        last="档案管理不规范",
        body="中共河西区委第一巡视组",
        unit="河西区审计局",
        skipped=[
            (2, "填报日期：2024年2月1日", FILLED),
            (4, "1  2  3  4  5  6  7  8", "列序号（1、2、3…），不是台账内容"),
            (6, "此项需与纪委对接", "该列没有表头，J列的内容未导入"),
            (7, "序号  类别  问题  措施  牵头领导  责任部门  时限  整改状态", "重复的表头（由多页拼成的表格），不是台账内容"),
        ],
        measures={0: ["补齐复核记录", "规范三级复核程序", "开展底稿质量评查"], 2: ["补齐出车登记", "规范派车审批"]},
        categories=["审计质量方面", "内部管理方面"],
    ),
    # An audit ledger: 审计组 and 被审计单位 in one cell, the feedback time on the next row, 一/二 in the 序号
    # column for the categories, the status with its progress in a column headed 整改进展.
    "audit_status_in_整改进展": Shape(
        sheet="审计整改",
        rows=[
            ["关于2023年度预算执行审计发现问题整改情况台账"],
            ["审计组：市审计局第三审计组    被审计单位：市农业农村局"],
            ["审计结果反馈时间：2024年3月8日"],
            ["序号", "问题", "整改措施", "责任单位", "整改时限", "整改进展"],
            ["一", "预算编制方面"],
            [1, "部分项目预算编制未细化到具体项目", "按项目细化编制预算；建立预算评审机制", "计划财务处", "2024年6月30日",
             "已完成。2024年预算已全部细化到项目"],
            [2, "年初预算到位率低", "提前谋划项目储备", "计划财务处", "2024年12月31日", "正在整改，已建立项目储备库"],
            ["二", "资金管理方面"],
            [3, "专项资金滞留未拨付", "1.限期拨付滞留资金；2.建立资金拨付进度通报制度", "农村经济处", "立行立改",
             "已完成。已拨付资金356.2万元"],
            [4, "违规列支会议费", "收回违规列支资金", "办公室", "2024年4月30日", "已完成"],
            [5, "往来款长期挂账未清理", "开展往来款清理；分类处置挂账资金", "计划财务处", "2025年6月30日",
             "阶段性完成，已清理往来款60%"],
            [],
            ["联系人：郑洁        电话：0000-7778888"],
        ],
        merges=["A1:F1", "A2:F2", "A3:F3"],
        counts=(2, 5, 5, 8),
        statuses=["已完成", "正在推进", "已完成", "已完成", "正在推进"],
        first="部分项目预算编制未细化到具体项目",
        last="往来款长期挂账未清理",
        body="市审计局第三审计组",
        unit="市农业农村局",
        feedback=dt.date(2024, 3, 8),
        kind="审计",
        warnings=[
            "审计整改!第4行 F列“整改进展”：该列填写的多为完成情况（已完成、正在整改等），"
            "各细化问题的完成情况按该列导入，文字同时作为整改进展",
            "审计整改!第7行 整改进展列：“正在整改”，按“正在推进”导入",
            "审计整改!第11行 整改进展列：“阶段性完成”，按“正在推进”导入",
        ],
        skipped=[(13, "联系人：郑洁        电话：0000-7778888", SIGNED)],
        progress=[
            "已完成。2024年预算已全部细化到项目",
            "正在整改，已建立项目储备库",
            "已完成。已拨付资金356.2万元",
            "",
            "阶段性完成，已清理往来款60%",
        ],
        measures={4: ["开展往来款清理", "分类处置挂账资金"]},
        categories=["预算编制方面", "资金管理方面"],
    ),
    # A 落实情况 column of prose, no status word in it: not taken for the status, every item 未启动 as now.
    "progress_prose_no_status": Shape(
        sheet="台账",
        rows=[
            ["问题类别", "存在问题", "整改措施", "责任部门", "落实情况"],
            ["组织建设", "支部活动不规范", "规范三会一课；建立活动记录本", "机关党委", "已制定活动计划"],
            ["组织建设", "党费收缴不及时", "按月收缴党费", "机关党委", "已补缴全部党费"],
            ["纪律建设", "廉政谈话不经常", "建立谈话制度", "纪检组"],
        ],
        counts=(2, 3, 3, 4),
        statuses=["未启动", "未启动", "未启动"],
        first="支部活动不规范",
        last="廉政谈话不经常",
        warnings=["台账!第1行 表头：没有“完成情况”列，全部细化问题按“未启动”导入"],
        progress=["已制定活动计划", "已补缴全部党费", ""],
        measures={0: ["规范三会一课", "建立活动记录本"]},
        categories=["组织建设", "纪律建设"],
    ),
    # An item over two rows (its 具体问题 cell merged) whose second row says another deadline and status; a
    # 完成时间 column with a date for an item not done and a phrase for one done; a 填表说明 sheet first.
    "item_over_two_rows_and_完成时间": Shape(
        sheet="Sheet1",
        before={"填表说明": [["请于每月25日前报送整改进展。"]]},
        rows=[
            ["序号", "问题", "具体问题", "整改措施", "责任人", "整改时限", "完成情况", "完成时间"],
            [1, "1.食堂采购管理不规范", "（1）食材采购无比价记录", "一是建立比价制度", "刘敏", "2024年3月31日", "已完成", D(2024, 3, 20)],
            [2, _, _, "每月公示采购价格", "陈刚", "2024年6月30日", "正在推进"],
            [3, "2.校车安全管理存在隐患", "（1）校车驾驶员培训不足", "开展安全培训；建立培训档案", "王军", "2024年5月31日", "正在推进", D(2024, 5, 10)],
            [4, _, "（2）随车照管员配备不齐", "配齐随车照管员", "王军", "立行立改", "已完成", "近期完成"],
        ],
        merges=["B2:B3", "C2:C3", "B4:B5"],
        counts=(1, 2, 3, 5),
        statuses=["已完成", "正在推进", "已完成"],
        first="食堂采购管理不规范",
        last="校车安全管理存在隐患",
        warnings=["Sheet1!第1行 表头：没有“方面”（问题类别）列，第2行起的问题归入方面“未分类”，导入后可以修改"],
        skipped=[
            (3, "2024年6月30日", "同一细化问题（第2行起）的整改时限按第2行（“2024年3月31日”）导入，本行的未导入"),
            (3, "正在推进", "同一细化问题（第2行起）的完成情况按第2行（“已完成”）导入，本行的未导入"),
            (4, "2024年5月10日", "完成时间“2024年5月10日”该项按“正在推进”导入，不是已完成，未导入"),
            (5, "近期完成", "完成时间“近期完成”不是日期，未导入"),
            # other sheets come after the rows of the sheet imported
            (1, "填表说明：请于每月25日前报送整改进展。", "工作表“填表说明”不是台账，没有导入"),
        ],
        measures={0: ["建立比价制度", "每月公示采购价格"], 1: ["开展安全培训", "建立培训档案"]},
        categories=["未分类"],
    ),
    # 附件2 over the title; a sentence on the round under it (the feedback date in it, the sentence kept in
    # the notes); 一、 rows across the table; the status with its progress in a column headed 整改落实情况.
    "attachment_title_and_a_sentence_above_the_header": Shape(
        sheet="整改台账",
        rows=[
            ["附件2"],
            ["青松街道党工委关于县委第四巡察组反馈意见整改落实台账"],
            ["县委第四巡察组于2024年3月至5月对青松街道党工委开展了常规巡察，2024年6月3日反馈了巡察意见。"],
            ["序号", "问题", "整改措施", "责任领导", "责任科室", "整改时限", "整改落实情况"],
            ["一、基层党建方面"],
            [1, "1.社区党组织活动阵地利用率不高", "制定阵地使用计划；开展共建活动", "李书记", "党建办", "2024年9月30日", "已完成，已制定阵地使用计划并开展共建活动6次"],
            [2, "2.党员发展工作不规范", "1.开展发展党员档案专项检查；2.补齐缺失材料", "李书记", "党建办", "2024年8月31日", "已完成"],
            ["二、民生服务方面"],
            [3, "3.为民服务事项办理不及时", "建立办理时限提醒机制", "王主任", "便民服务中心", "长期坚持", "长期坚持"],
            [4, "4.老旧小区改造推进缓慢", "倒排工期；每周调度", "王主任", "城建办", "2024年12月31日", "正在推进，已完成3个小区改造"],
        ],
        merges=["A2:G2", "A3:G3", "A5:G5", "A8:G8"],
        counts=(2, 4, 4, 7),
        statuses=["已完成", "已完成", "长期坚持", "正在推进"],
        first="社区党组织活动阵地利用率不高",
        last="老旧小区改造推进缓慢",
        body="县委第四巡察组",
        unit="青松街道党工委",
        feedback=dt.date(2024, 6, 3),
        notes="县委第四巡察组于2024年3月至5月对青松街道党工委开展了常规巡察，2024年6月3日反馈了巡察意见。",
        warnings=[
            "整改台账!第4行 G列“整改落实情况”：该列填写的多为完成情况（已完成、长期坚持等），"
            "各细化问题的完成情况按该列导入，文字同时作为整改进展",
        ],
        skipped=[(1, "附件2", "附件编号，不是台账内容")],
        progress=["已完成，已制定阵地使用计划并开展共建活动6次", "", "", "正在推进，已完成3个小区改造"],
        measures={1: ["开展发展党员档案专项检查", "补齐缺失材料"], 3: ["倒排工期", "每周调度"]},
        categories=["基层党建方面", "民生服务方面"],
    ),
    # A two-row header with two groups (责任主体 over 责任领导/责任单位, 整改情况 over 整改进展/完成时间): the
    # status in 整改进展 with its progress, the completion dates beside it (a date cell, a written date).
    "two_groups_in_a_two_row_header": Shape(
        sheet="市场监管局",
        rows=[
            ["中共东湖区市场监管局党组关于区委第一巡察组巡察反馈意见整改落实台账"],
            ["填报单位：东湖区市场监督管理局", _, _, _, _, "填报日期：2025年3月31日"],
            ["序号", "问题", "整改措施", "责任主体", _, "整改时限", "整改情况", _],
            [_, _, _, "责任领导", "责任单位", _, "整改进展", "完成时间"],
            [1, "1.食品抽检不规范", "修订抽检工作规程；开展抽检人员培训", "赵副局长", "食品科", "2025年2月28日", "已完成。已修订抽检规程并培训42人", D(2025, 2, 20)],
            [2, "2.行政处罚案卷归档不及时", "1.清理积压案卷；2.建立归档时限制度", "钱副局长", "法规科", "2025年6月30日", "正在推进，已清理案卷86卷"],
            [3, "3.特种设备监管存在盲区", "开展全面排查", "孙副局长", "特设科", "2025年4月30日", "已完成", "2025年4月15日"],
            [4, "4.执法人员持证上岗不全", "组织执法资格考试", "钱副局长", "人事科", "2025年5月31日", "未启动"],
        ],
        merges=["A1:H1", "A3:A4", "B3:B4", "C3:C4", "D3:E3", "F3:F4", "G3:H3"],
        counts=(1, 4, 4, 6),
        statuses=["已完成", "正在推进", "已完成", "未启动"],
        first="食品抽检不规范",
        last="执法人员持证上岗不全",
        body="区委第一巡察组",
        unit="东湖区市场监督管理局",
        warnings=[
            "市场监管局!第3行 表头：没有“方面”（问题类别）列，第5行起的问题归入方面“市场监管局”，导入后可以修改",
            "市场监管局!第4行 G列“整改进展”：该列填写的多为完成情况（已完成、正在推进等），"
            "各细化问题的完成情况按该列导入，文字同时作为整改进展",
        ],
        skipped=[(2, "填报日期：2025年3月31日", FILLED)],
        progress=["已完成。已修订抽检规程并培训42人", "正在推进，已清理案卷86卷", "", ""],
        completed=[dt.date(2025, 2, 20), None, dt.date(2025, 4, 15), None],
        measures={0: ["修订抽检工作规程", "开展抽检人员培训"], 1: ["清理积压案卷", "建立归档时限制度"]},
        categories=["市场监管局"],
    ),
}
# fmt: on


def build(shape: Shape, path: Path) -> Path:
    wb = openpyxl.Workbook()
    for name, rows in shape.before.items():
        other = wb.create_sheet(name)
        for row in rows:
            other.append(row)
    ws = wb.active
    ws.title = shape.sheet
    for r, row in enumerate(shape.rows, 1):
        for c, value in enumerate(row, 1):
            if value is not None:
                ws.cell(r, c, value)
    for ref, value in shape.cells.items():
        ws[ref] = value
    for rng in shape.merges:
        ws.merge_cells(rng)
    wb.save(path)
    return path


@pytest.mark.parametrize("name", list(SHAPES))
def test_shape(name: str, tmp_path: Path) -> None:
    shape = SHAPES[name]
    parsed = parse_workbook(build(shape, tmp_path / f"{name}.xlsx"))
    c = parsed.counts()
    assert (c["categories"], c["findings"], c["items"], c["measures"]) == shape.counts
    assert [i.status for i in parsed.items()] == shape.statuses
    findings = parsed.findings()
    assert (findings[0].title, findings[-1].title) == (shape.first, shape.last)
    assert (parsed.inspecting_body, parsed.inspected_unit, parsed.feedback_date) == (
        shape.body,
        shape.unit,
        shape.feedback,
    )
    assert parsed.kind == shape.kind
    assert parsed.notes == shape.notes
    assert parsed.warnings == shape.warnings
    assert [(s.line, s.text, s.reason) for s in parsed.skipped] == shape.skipped
    if shape.progress is not None:
        assert [i.progress for i in parsed.items()] == shape.progress
    items = parsed.items()
    for index, measures in shape.measures.items():
        assert [m.text for m in items[index].measures] == measures
    if shape.categories is not None:
        assert [cat.title for cat in parsed.categories] == shape.categories
    if shape.completed is not None:
        assert [i.completed_date for i in items] == shape.completed


def test_the_corpus_has_every_shape_the_issue_names() -> None:
    assert len(SHAPES) >= 8
    headers = {normal for s in SHAPES.values() for row in s.rows for normal in row if isinstance(normal, str)}
    for word in ("整改进展情况", "整改情况", "完成情况", "进展情况"):
        assert word in headers
    assert any(any("；" in str(v) and "是" not in str(v)[:3] for row in s.rows for v in row) for s in SHAPES.values())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("已完成", ("已完成", "已完成", True)),
        ("已完成。已梳理制度12项", ("已完成", "已完成", False)),
        ("正在整改，已建立项目储备库", ("正在推进", "正在整改", False)),
        ("持续整改", ("长期坚持", "持续整改", True)),
        ("阶段性完成", ("正在推进", "阶段性完成", True)),
        ("未启动", ("未启动", "未启动", True)),
        ("已完成（2022年10月20日）", ("已完成", "已完成", True)),
        ("已经完成，长期坚持。", ("长期坚持", "已经完成，长期坚持", True)),
        ("目前正在推进", ("正在推进", "正在推进", True)),
        ("已梳理制度12项", None),
        ("完成情况良好", None),
        ("", None),
    ],
)
def test_leading_status(text: str, expected: tuple[str, str, bool] | None) -> None:
    got = xlsx_import.leading_status(text)
    assert (None if got is None else (got.status, got.word, got.bare)) == expected


@pytest.mark.parametrize(
    ("text", "measures"),
    [
        ("补齐报销单据；规范审批流程", ["补齐报销单据", "规范审批流程"]),
        ("补齐报销单据;规范审批流程；", ["补齐报销单据", "规范审批流程"]),
        ("补齐报销单据；\n规范审批流程。", ["补齐报销单据", "规范审批流程"]),
        ("优化审批流程，压缩审批时限", ["优化审批流程，压缩审批时限"]),
        ("一是建立台账；二是定期核查", ["建立台账", "定期核查"]),
    ],
)
def test_measures_separated_by_semicolons(text: str, measures: list[str]) -> None:
    assert split_measures(text) == measures


def test_the_command_line_lists_what_it_did_not_import(tmp_path: Path, cli) -> None:  # noqa: ANN001
    src = build(SHAPES["pasted_pages_and_semicolon_measures"], tmp_path / "河西.xlsx")
    r = cli("import", tmp_path / "新台账.db", src, "--dry-run")
    assert r.returncode == 0, r.stderr
    assert "2个方面、4个问题、4项细化问题、8条整改措施" in r.stdout
    assert "未导入的内容（4处）：" in r.stdout
    assert "  第6行：此项需与纪委对接（该列没有表头，J列的内容未导入）" in r.stdout.splitlines()
    r = cli("import", tmp_path / "新台账.db", src, "--dry-run", "--json")
    out = json.loads(r.stdout)
    assert [(s["line"], s["reason"]) for s in out["skipped"]][1] == (4, "列序号（1、2、3…），不是台账内容")
    assert (out["inspection"]["inspecting_body"], out["inspection"]["inspected_unit"]) == (
        "中共河西区委第一巡视组",
        "河西区审计局",
    )


def _haystack(parsed: Any) -> str:
    """Everything the import keeps or lists, as one text: the tree, the inspection, the warnings, what was
    not imported."""
    from rectify_desktop.core import rules

    parts = [parsed.title, parsed.notes, parsed.inspecting_body, parsed.inspected_unit, *parsed.warnings]
    parts += [s.text for s in parsed.skipped]
    dates = [parsed.feedback_date]
    for cat in parsed.categories:
        parts.append(cat.title)
        for f in cat.findings:
            parts.append(f.title)
            for it in f.items:
                parts += [it.title, it.leader, it.department, it.person, it.deadline, it.progress, it.remarks]
                parts += it.evidence + [m.text for m in it.measures]
                dates += [it.deadline_date, it.completed_date]
    parts += [rules.deadline_display(d, "") for d in dates if d is not None]
    return "\n".join(parts)


@pytest.mark.parametrize("name", list(SHAPES))
def test_every_cell_is_imported_or_listed(name: str, tmp_path: Path) -> None:
    """Nothing silently dropped: each text of the sheet is found in what was imported or listed, but for
    the numbering, the header words and the status words (which set the status)."""
    from rectify_desktop.io.xlsx_import import GROUP_WORDS, header_key, split_number

    shape = SHAPES[name]
    parsed = parse_workbook(build(shape, tmp_path / f"{name}.xlsx"))
    hay = _haystack(parsed)
    values = [v for row in shape.rows for v in row] + list(shape.cells.values())
    for value in values:
        if value is None or isinstance(value, int):
            continue  # serial numbers
        if isinstance(value, dt.datetime):
            assert xlsx_import.cell_text(value) in hay, value
            continue
        if header_key(value) is not None or value in GROUP_WORDS:
            continue
        if (ls := xlsx_import.leading_status(value)) is not None and ls.bare:
            continue
        if xlsx_import.cn_to_int(value) is not None:
            continue  # 一 | 预算编制方面: a numeral in the 序号 column
        for piece in re.split(r"\s{2,}", re.sub(r"[（(]\s*盖章\s*[)）]", "", value)):
            _, colon, rest = piece.rpartition("：")
            if colon and not rest:
                continue  # a label whose value is in the next cell (反馈日期： | 2023-05-12)
            piece = rest if colon else piece
            for p in split_measures(piece):
                assert split_number(p)[1] in hay, (value, p)


def test_the_programs_own_export_lists_only_its_legend_date_and_signatures(demo_path: Path, tmp_path: Path) -> None:
    """The export's own rows above the header are about the sheet, and the signature line, seal and date under
    the table are about the paper (issue 13, point 7): listed, never taken for the round or for a category."""
    from rectify_desktop.core.ledger import Ledger
    from rectify_desktop.core.models import Inspection
    from rectify_desktop.io.xlsx_export import OVERDUE_LEGEND, export_workbook

    with Ledger.open(demo_path):
        out = export_workbook(Inspection.select().first().id, tmp_path / "导出.xlsx", today=dt.date(2026, 12, 1))
    parsed = parse_workbook(out)
    assert parsed.counts() == {"categories": 4, "findings": 13, "items": 29, "measures": 79}
    assert (parsed.inspecting_body, parsed.inspected_unit, parsed.notes) == ("县委第三巡察组", "临川县教育局", "")
    signed = [s for s in parsed.skipped if s.reason == SIGNATURE_REASON]
    assert [(s.line, s.text, s.reason) for s in parsed.skipped if s not in signed] == [
        (2, OVERDUE_LEGEND, "颜色说明，不是台账内容"),
        (2, "填报日期：2026年12月1日", FILLED),
        # 整改成效 (issue 14): its 问责 and 资金 entries are not read, and the clerk is told so.
        (
            1,
            "整改成效：整改成效清单（问责、资金）",
            "工作表“整改成效”是导出的问责、资金清单，没有导入（需要时请在细化问题的整改成效中重新录入）",
        ),
    ]
    last = signed[0].line
    assert [(s.line, s.text) for s in signed] == [
        (last, "填表人：  审核人：  负责人：  联系电话："),
        (last + 1, "临川县教育局（盖章）"),
        (last + 2, "2026年12月1日"),
    ]


def test_a_label_value_runs_to_two_spaces(tmp_path: Path) -> None:
    """填报单位：某局    联系人：张三 — the unit is 某局, the rest is listed, not taken for the unit."""
    shape = Shape(
        sheet="台账",
        rows=[
            ["填报单位：南山区林业局（盖章）    联系人：张三    反馈时间：2024.5.6"],
            ["问题", "整改措施", "完成情况"],
            ["护林员巡护记录不全", "补齐巡护记录", "已完成"],
        ],
    )
    parsed = parse_workbook(build(shape, tmp_path / "a.xlsx"))
    assert (parsed.inspected_unit, parsed.feedback_date) == ("南山区林业局", dt.date(2024, 5, 6))
    assert (parsed.title, parsed.notes) == ("a", "")
    assert [(s.line, s.text, s.reason) for s in parsed.skipped] == [(1, "联系人：张三", SIGNED)]


# --- any sheet: read or refused with a reason, never a crash, and nothing dropped unsaid ---------------

_ALPHABET = "巡察组对被单位反馈日期时间填报：:  　2024年5月6日。，；;一是二是1.2.（1）(2)已完成正在整改持续长期坚持未启动附件台账联系人底色盖章\n甲乙"


def _found(piece: str, hay: str) -> bool:
    """Whether a piece of a cell is in what was kept or listed (a header's words are named as compared:
    full-width folded, without spaces)."""
    piece = piece.strip("：:；;。，,、 \n")
    return piece in hay or xlsx_import.normalize_header(piece) in hay


def from_date(text: str) -> dt.date | None:
    from rectify_desktop.core import rules

    return rules.parse_date(text)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    top=st.lists(st.lists(st.text(_ALPHABET, max_size=30), min_size=1, max_size=3), max_size=3),
    data=st.lists(st.lists(st.text(_ALPHABET, max_size=25), min_size=4, max_size=6), min_size=1, max_size=5),
)
def test_any_sheet_is_read_or_refused(tmp_path: Path, top: list[list[str]], data: list[list[str]]) -> None:
    header = ["序号", "问题", "整改措施", "整改进展情况"]
    shape = Shape(sheet="台账", rows=[*top, header, *data])
    path = build(shape, tmp_path / "fuzz.xlsx")
    try:
        parsed = parse_workbook(path)
    except xlsx_import.XlsxImportError as exc:
        assert "没有任何问题" in str(exc) or "表头" in str(exc), exc
        return
    hay = _haystack(parsed)
    for row in top:  # above the header: each text outside its labels is kept (title, notes, the round) or listed
        for value in row:
            text = xlsx_import.cell_text(value)
            if not text or xlsx_import.header_key(text) is not None:
                continue
            text = re.sub(r"[（(]\s*盖章\s*[)）]", "", text)
            for chunk in re.split(r"\s{2,}|\x00", xlsx_import._LABEL.sub("\x00", text)):
                chunk = chunk.replace("\n", "").strip("：:，, \u3000")
                if chunk and chunk not in hay:
                    assert from_date(chunk) == parsed.feedback_date, (text, chunk)
    for row in data:
        for c, value in enumerate(row[:6]):
            text = xlsx_import.cell_text(value)
            if not text or c == 0 or xlsx_import.header_key(text) is not None:
                continue
            if (ls := xlsx_import.leading_status(text)) is not None and ls.bare and c == 3:
                continue  # the status, read as such
            for p in split_measures(text) if c == 2 else [xlsx_import.split_number(text)[1]]:
                assert _found(p, hay), (text, p)


_HEADERS = (
    ["序号", "方面", "问题", "细化问题", "整改措施", "责任部门", "整改时限", "完成情况"],
    ["序号", "问题", "具体表现", "整改任务", "牵头单位", "进展情况"],
    ["问题类别", "存在问题", "措施", "责任人", "整改情况", "备注"],
)
_WORDS = [
    "",
    "",
    "已完成",
    "正在整改",
    "长期坚持",
    "1.甲；2.乙",
    "一是丙二是丁",
    "甲；乙",
    "（1）戊",
    "一、己方面",
    "同上",
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    kind=st.integers(0, len(_HEADERS) - 1),
    data=st.lists(
        st.lists(st.one_of(st.sampled_from(_WORDS), st.text(_ALPHABET, max_size=12)), min_size=9, max_size=9),
        min_size=1,
        max_size=6,
    ),
    merges=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 5), st.integers(1, 3)), max_size=3),
)
def test_any_ledger_shape_keeps_or_lists_every_cell(
    tmp_path: Path, kind: int, data: list[list[str]], merges: list[tuple[int, int, int]]
) -> None:
    header = _HEADERS[kind]
    rows = [row[: len(header) + 1] for row in data]
    spans = []
    for col, start, length in merges:
        first, last = 2 + min(start, len(rows) - 1), 2 + min(start + length, len(rows) - 1)
        if last > first and all(not (c == col and a <= last and first <= b) for c, a, b in spans):
            spans.append((col, first, last))
    letters = "ABCDEFGHIJ"
    shape = Shape(sheet="台账", rows=[header, *rows], merges=[f"{letters[c]}{a}:{letters[c]}{b}" for c, a, b in spans])
    path = build(shape, tmp_path / "fuzz.xlsx")
    try:
        parsed = parse_workbook(path)
    except xlsx_import.XlsxImportError as exc:
        assert "没有任何问题" in str(exc), exc
        return
    hay = _haystack(parsed)
    ws = openpyxl.load_workbook(path).active
    for r, row in enumerate(ws.iter_rows(min_row=2, values_only=True), 2):
        for c, value in enumerate(row):
            text = xlsx_import.cell_text(value)
            if not text or xlsx_import.header_key(text) is not None or text in xlsx_import.SAME_AS_ABOVE:
                continue
            key = xlsx_import.header_key(header[c]) if c < len(header) else None
            if key in ("status", "progress") and (ls := xlsx_import.leading_status(text)) is not None and ls.bare:
                continue  # the status, read as such
            if key == "seq" and xlsx_import._SERIAL.fullmatch(text):
                continue  # numbering
            pieces = split_measures(text) if key == "measures" else [xlsx_import.split_number(text)[1]]
            for p in pieces:
                assert _found(p, hay), (r, c, text, p)
