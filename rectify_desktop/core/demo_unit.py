"""Demo data: the inspection of the demo ledger and what the unit did around its problems (demo_data holds the
problems themselves): the inspection's facts and notes, the meetings (会议) and rules (制度建设) of the registers,
and the results (整改成效: 问责 and 资金) its items' progress texts tell.

Dates are int day offsets relative to the feedback date (反馈日期), as in :mod:`rectify_desktop.core.demo_data`.
"""

from __future__ import annotations

# The inspection round; period_start / period_end are day offsets relative to the feedback date.
INSPECTION: dict[str, object] = {
    "kind": "巡察",
    "title": "中共临川县教育局党组关于县委第三巡察组反馈意见整改落实台账",
    "inspecting_body": "中共临川县委第三巡察组",
    "inspected_unit": "临川县教育局",
    "period_start": -120,
    "period_end": -60,
    "notes": (
        "收到巡察反馈意见后，局党组第一时间召开党组会议传达学习反馈意见，研究部署整改工作。成立由党组书记、局长任组长，"
        "其他班子成员任副组长，各股室负责人为成员的巡察整改工作领导小组，领导小组办公室设在局办公室，"
        "负责整改工作的统筹协调、跟踪督办和资料归档。对照反馈的4个方面13个问题，细化为29项整改任务，"
        "制定《中共临川县教育局党组关于县委第三巡察组反馈意见的整改工作方案》，逐项明确责任领导、责任部门、"
        "责任人和整改时限，建立问题、任务、责任三张清单，实行挂图作战、对账销号。"
    ),
}

# 会议: (kind, day offset, topic).
MEETINGS: list[tuple[str, int, str]] = [
    ("党组会议", 3, "传达学习县委第三巡察组反馈意见，研究部署巡察整改工作"),
    ("专题会议", 7, "巡察整改工作动员部署会，印发整改工作方案和问题、任务、责任三张清单"),
    ("民主生活会", 25, "巡察整改专题民主生活会，班子成员对照反馈问题开展批评和自我批评"),
    ("推进会", 60, "巡察整改工作推进会，听取各责任股室整改进展汇报，研究解决难点问题"),
    ("推进会", 120, "巡察整改工作第二次推进会，督办逾期未完成事项"),
    ("党组会议", 140, "专题研究巡察整改中期评估和剩余问题整改工作"),
]

# 制度建设: (title, 文号, day offset, linked items as (finding number, item number)).
INSTITUTIONS: list[tuple[str, str, int, list[tuple[int, int]]]] = [
    ("中共临川县教育局党组意识形态工作责任制实施细则", "临教党〔2026〕9号", 28, [(2, 1), (2, 2)]),
    ("临川县教育局公务接待管理办法", "临教发〔2026〕8号", 26, [(5, 1)]),
    ("中共临川县教育局党组“三重一大”事项集体决策实施办法", "临教党〔2026〕10号", 30, [(4, 1), (4, 2)]),
    ("中共临川县教育局党组干部选拔任用工作纪实办法", "临教党〔2026〕14号", 52, [(9, 1)]),
    ("临川县教育局校舍维修工程项目管理办法", "临教发〔2026〕12号", 55, [(6, 1), (6, 2)]),
    ("中共临川县教育局党组巡视巡察和审计发现问题整改长效机制", "临教党〔2026〕21号", 95, [(12, 2), (13, 1)]),
]

# 整改成效, as the items' progress texts tell them. 问责: (kind, people, day offset, note, item as (finding number,
# item number), or None for the whole inspection). Names are left blank: a demo names no one.
ACCOUNTABILITY: list[tuple[str, int, int, str, tuple[int, int] | None]] = [
    ("党纪政务处分", 2, 70, "查实在职教师有偿补课问题", (11, 1)),
    ("诫勉", 2, 70, "查实在职教师有偿补课问题（诫勉谈话）", (11, 1)),
    ("提醒谈话", 2, 45, "约谈违规征订教辅资料的2所学校校长", (7, 3)),
    ("批评教育", 2, 25, "专题民主生活会上对分管领导批评教育", None),
]

# 资金: (kind, amount in 万元 as text, day offset, note, item as above). An amount is text, as the clerk
# types it, and stored exactly.
MONEY: list[tuple[str, str, int, str, tuple[int, int] | None]] = [
    ("清退", "3.6", 45, "2所学校退还违规征订教辅资料费用", (7, 3)),
    ("追回", "23.8", 80, "追回违规发放津补贴和超标准支出资金", (13, 1)),
    ("问题金额", "23.8", 0, "县审计局经济责任审计指出", (13, 1)),
    ("整改到位金额", "23.8", 80, "", (13, 1)),
]
