"""From text to ledger (issue 5): the parser on texts written for the tests, files in every encoding, the
round trip ledger → notice text → parse, and the command line."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rectify_desktop.core import stats
from rectify_desktop.core.importing import (
    AddInspection,
    ImportedCategory,
    ImportedFinding,
    ImportedInspection,
    ImportedItem,
    ImportedMeasure,
)
from rectify_desktop.core.ledger import Ledger
from rectify_desktop.core.models import (
    DONE,
    IN_PROGRESS,
    NOT_STARTED,
    ONGOING,
    STATUSES,
    Category,
    Finding,
    Inspection,
    Institution,
    Item,
    Measure,
    Meeting,
)
from rectify_desktop.io import text_import
from rectify_desktop.io.notice import notice_text
from rectify_desktop.io.text_import import (
    TextImportError,
    cn_to_int,
    parse_headline,
    parse_text,
    read_text_file,
    split_measures,
)

CJK = re.compile(r"[\u4e00-\u9fff]")


def tree(parsed: ImportedInspection) -> list:
    """The parsed outline as nested tuples: (category, [(number, finding, [(number, item, [measures])])])."""
    return [
        (
            c.title,
            [
                (f.number, f.title, [(i.number, i.title, [m.text for m in i.measures]) for i in f.items])
                for f in c.findings
            ],
        )
        for c in parsed.categories
    ]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- texts written for the tests -----------------------------------------------------------------------

NOTICE = """\
中共某某县水利局党组关于县委第二巡察组反馈意见整改情况的通报

　　2025年9月1日至10月30日，中共某某县委第二巡察组对某某县水利局开展了常规巡察。2025年11月20日，\
巡察组向某某县水利局党组反馈了巡察意见。按照党务公开原则和巡察工作有关要求，现将巡察整改情况予以公布。

一、整改工作的组织开展情况
　　局党组成立巡察整改工作领导小组，制定整改工作方案。反馈以来，召开专题会议3次，\
制定完善《水利局公务接待管理办法》《水利局财务报销制度》等制度3项。
　　截至目前，巡察反馈的五个问题细化为七项，已整改完成六项，正在推进一项，完成率86%。

二、巡察反馈问题整改落实情况
（一）党的建设方面
1.理论学习不深入。党组中心组学习计划性不强，研讨流于形式。
（1）学习计划不完善
整改情况：一是制定年度学习计划；二是每季度开展一次专题研讨；三是建立学习档案。
（2）研讨不深入。
整改情况：一是班子成员轮流领学；二是撰写研讨材料。
2.意识形态工作责任制落实不到位
整改情况：一是召开专题会议研究意识形态工作；二是制定责任清单。
（二）财务管理方面
3.往来款项长期挂账
整改情况：一是逐笔清理往来款项；二是建立清理台账。
整改进展：正在推进。已清理往来款项12笔。
4.公务接待不规范
（1）无公函接待
整改措施：一是严格执行公函制度。
（2）接待清单不全
整改措施：一是规范接待清单。
5.存在问题：专项资金结余未清理。
整改情况：一是清理盘活结余资金。

三、下一步工作打算
　　下一步，我们将持续巩固整改成果。欢迎广大干部群众监督。联系电话：0000-1234567。

中共某某县水利局党组
2026年1月20日
"""


def test_a_notice_gives_its_tree_registers_and_statuses():
    r = parse_text(NOTICE)
    assert tree(r) == [
        (
            "党的建设方面",
            [
                (
                    1,
                    "理论学习不深入",
                    [
                        (1, "学习计划不完善", ["制定年度学习计划", "每季度开展一次专题研讨", "建立学习档案"]),
                        (2, "研讨不深入", ["班子成员轮流领学", "撰写研讨材料"]),
                    ],
                ),
                (
                    2,
                    "意识形态工作责任制落实不到位",
                    [(None, "意识形态工作责任制落实不到位", ["召开专题会议研究意识形态工作", "制定责任清单"])],
                ),
            ],
        ),
        (
            "财务管理方面",
            [
                (3, "往来款项长期挂账", [(None, "往来款项长期挂账", ["逐笔清理往来款项", "建立清理台账"])]),
                (
                    4,
                    "公务接待不规范",
                    [(1, "无公函接待", ["严格执行公函制度"]), (2, "接待清单不全", ["规范接待清单"])],
                ),
                (5, "专项资金结余未清理", [(None, "专项资金结余未清理", ["清理盘活结余资金"])]),
            ],
        ),
    ]
    assert r.warnings == []
    assert r.declared == {"findings": 5, "items": 7, "done": 6, "in_progress": 1, "percent": 86}
    # Every item but one is done, and the text names the one still in progress.
    assert [i.status for i in r.items()] == [DONE, DONE, DONE, IN_PROGRESS, DONE, DONE, DONE]
    assert r.items()[3].progress == "正在推进。已清理往来款项12笔。"
    assert r.findings()[0].description == "党组中心组学习计划性不强，研讨流于形式。"
    # The title, who inspected whom and when.
    assert r.title == "中共某某县水利局党组关于县委第二巡察组反馈意见整改落实台账"
    assert (r.inspecting_body, r.inspected_unit, r.kind) == ("中共某某县委第二巡察组", "某某县水利局", "巡察")
    assert (str(r.period_start), str(r.period_end), str(r.feedback_date)) == ("2025-09-01", "2025-10-30", "2025-11-20")
    # The organisational section: notes, meetings and rules.
    assert r.notes.startswith("局党组成立巡察整改工作领导小组") and "完成率86%" in r.notes
    assert [m["kind"] for m in r.meetings] == ["专题会议"] * 3
    assert [i["title"] for i in r.institutions] == ["水利局公务接待管理办法", "水利局财务报销制度", "（名称待补充）"]


ASCII = """\
二、反馈意见整改落实情况
(一) 学习教育方面
1 . 学习计划不完善。
(1) 计划制定不及时
整改措施:一是 制定计划;二是 按月督查。
(2)计划执行不严格
整改情况: 一是建立台账 ;二是通报执行情况
2、 会议记录不规范
整改落实情况：一是规范记录格式。
(二)作风建设方面
3． 公车使用不规范
( 1 ) 派车审批不严
整改措施：一是严格派车审批；二是安装定位系统。
"""


def test_ascii_and_full_width_markers_with_or_without_spaces():
    r = parse_text(ASCII)
    assert tree(r) == [
        (
            "学习教育方面",
            [
                (
                    1,
                    "学习计划不完善",
                    [
                        (1, "计划制定不及时", ["制定计划", "按月督查"]),
                        (2, "计划执行不严格", ["建立台账", "通报执行情况"]),
                    ],
                ),
                (2, "会议记录不规范", [(None, "会议记录不规范", ["规范记录格式"])]),
            ],
        ),
        ("作风建设方面", [(3, "公车使用不规范", [(1, "派车审批不严", ["严格派车审批", "安装定位系统"])])]),
    ]
    assert r.warnings == []
    assert r.declared is None
    assert all(i.status == NOT_STARTED for i in r.items())


GAPS = """\
（一）组织建设方面
1.问题一
（1）细化一
整改情况：一是措施甲。
（3）细化三
整改情况：一是措施乙。
2.问题二
整改情况：一是措施丙。
（二）纪律建设方面
4.问题四
整改情况：一是措施丁；二是措施戊。
"""


def test_missing_numbers_are_reported_never_invented():
    r = parse_text(GAPS)
    assert [f.number for f in r.findings()] == [1, 2, 4]
    assert [i.number for i in r.findings()[0].items] == [1, 3]
    assert r.counts() == {"categories": 2, "findings": 3, "items": 4, "measures": 5}
    assert r.warnings == [
        "问题序号3缺失（公开通报可能略去了敏感问题）。",
        "问题1的细化问题序号（2）缺失（公开通报可能略去了敏感问题）。",
    ]


HEADLINE_CN = """\
一、整改工作总体情况
县委巡察组反馈意见后，局党组召开党组会议二次、专题推进会一次。截至目前，巡察反馈的十三个问题细化为二十九项，\
已整改完成二十八项，正在推进一项，完成率百分之九十七。
二、巡察反馈问题整改情况
（一）方面一
1.问题一
整改情况：一是措施。目前正在推进。
2.问题二
整改情况：一是措施。
"""


def test_chinese_numerals_in_the_headline_and_totals_that_do_not_add_up():
    r = parse_text(HEADLINE_CN)
    assert r.declared == {"findings": 13, "items": 29, "done": 28, "in_progress": 1, "percent": 97}
    assert [m["kind"] for m in r.meetings] == ["党组会议", "党组会议", "专题推进会"]
    assert r.warnings == [
        "文本称反馈问题13个，识别出2个（公开通报可能略去了敏感问题）。",
        "文本称细化为29项，识别出2项细化问题（公开通报可能略去了敏感问题）。",
        "文本列出的细化问题（2项）与所称总数（29项）不一致，无法确定哪些已完成，"
        "各细化问题的整改状态只按各项自己写明的设置，请导入后逐项核对。",
    ]
    # The totals cannot say which items are done; an item's own words (目前正在推进) still set its status.
    assert [i.status for i in r.items()] == [IN_PROGRESS, NOT_STARTED]
    # "目前正在推进。" after the measures is the progress, not a measure.
    assert [m.text for m in r.items()[0].measures] == ["措施"]


@pytest.mark.parametrize(
    ("sentence", "declared"),
    [
        ("巡察反馈的13个问题细化为29项，已整改完成28项，正在推进1项，完成率97%。", (13, 29, 28, 1, 97)),
        ("巡察反馈的十三个问题细化为二十九个，已整改完成二十八个，正在推进一个，完成率97％。", (13, 29, 28, 1, 97)),
        ("反馈的两个问题，共细化为一百零五项，已完成整改一百项，正在推进五项，完成率为95.2%。", (2, 105, 100, 5, 95)),
    ],
)
def test_headline_sentences(sentence, declared):
    d = parse_headline(sentence)
    assert (d["findings"], d["items"], d["done"], d["in_progress"], d["percent"]) == declared


def test_headline_with_ongoing_and_not_started():
    d = parse_headline("巡察反馈的13个问题细化为29项，已整改完成16项，正在推进7项，持续整改3项，未启动3项，完成率55%")
    assert d == {
        "findings": 13,
        "items": 29,
        "done": 16,
        "in_progress": 7,
        "ongoing": 3,
        "not_started": 3,
        "percent": 55,
    }
    assert parse_headline("局党组召开会议研究部署整改工作。") == {}


@pytest.mark.parametrize(
    ("text", "n"),
    [("13", 13), ("１３", 13), ("十三", 13), ("二十九", 29), ("一百零五", 105), ("两", 2), ("十", 10), ("x", None)],
)
def test_cn_to_int(text, n):
    assert cn_to_int(text) == n


WHICH_ONE = """\
巡察反馈的3个问题细化为3项，已整改完成2项，正在推进1项，完成率67%。
（一）方面
1.问题一
整改情况：一是措施一。
2.问题二
整改情况：一是措施二。
3.问题三
整改情况：一是措施三。
"""


def test_statuses_left_alone_when_the_text_does_not_say_which():
    r = parse_text(WHICH_ONE)
    assert r.declared == {"findings": 3, "items": 3, "done": 2, "in_progress": 1, "percent": 67}
    assert all(i.status == NOT_STARTED for i in r.items())
    assert r.warnings == [
        "文本称正在推进1项，但各项整改情况中写明“正在推进”的有0项，无法确定是哪几项，"
        "各细化问题的整改状态未设置，请导入后逐项核对。"
    ]
    all_done = WHICH_ONE.replace("已整改完成2项，正在推进1项，完成率67%", "已全部整改完成3项，完成率100%")
    r = parse_text(all_done)
    assert r.declared["done"] == 3 and r.warnings == []
    assert all(i.status == DONE for i in r.items())


FEEDBACK = """\
县委第一巡察组关于巡察某某镇党委的反馈意见

一、党的领导弱化方面
1.存在问题：学习贯彻上级决策部署不到位。
2.问题：议事规则执行不严。
二、党的建设薄弱方面
3.基层党组织软弱涣散。
（1）个别村党支部长期不开展组织生活
（2）党员发展程序不规范。
"""


def test_sections_as_categories_findings_without_items_and_stray_prefixes():
    r = parse_text(FEEDBACK)
    assert r.title == "县委第一巡察组关于巡察某某镇党委的反馈意见"
    assert tree(r) == [
        (
            "党的领导弱化方面",
            [
                (1, "学习贯彻上级决策部署不到位", [(None, "学习贯彻上级决策部署不到位", [])]),
                (2, "议事规则执行不严", [(None, "议事规则执行不严", [])]),
            ],
        ),
        (
            "党的建设薄弱方面",
            [(3, "基层党组织软弱涣散", [(1, "个别村党支部长期不开展组织生活", []), (2, "党员发展程序不规范", [])])],
        ),
    ]
    # A feedback text has no measures yet: one warning, not one per item.
    assert r.warnings == [
        "文本中没有找到整改措施（“整改情况：一是……二是……”或“整改措施：……”），导入后各细化问题的整改措施为空。"
    ]


def test_problem_sections_as_categories_and_a_single_generic_section():
    text = "一、关于理论学习方面的问题\n1.学习不深入\n二、关于作风建设方面的问题\n2.作风不实\n"
    r = parse_text(text)
    assert [c.title for c in r.categories] == ["关于理论学习方面的问题", "关于作风建设方面的问题"]
    assert not any("方面标题" in w for w in r.warnings)
    r = parse_text("二、巡察反馈问题整改情况\n1.学习不深入\n整改措施：一是加强学习。\n")
    assert [c.title for c in r.categories] == ["巡察反馈问题整改情况"]
    assert r.warnings == ["文本没有（一）（二）这样的方面标题，问题已归入方面“巡察反馈问题整改情况”。"]


def test_per_category_numbering_empty_measures_and_fields():
    text = """\
（一）方面甲
1、问题甲一
整改措施：一是措施。责任领导：张三；责任单位：办公室；整改时限：2026年6月底前。
2、问题甲二
整改措施：
（二）方面乙
1、问题乙一
整改措施：一是措施。
"""
    r = parse_text(text)
    assert [f.number for f in r.findings()] == [None, None, None]
    first = r.items()[0]
    assert (first.leader, first.department, first.deadline) == ("张三", "办公室", "2026年6月底前")
    assert [m.text for m in first.measures] == ["措施"]
    assert r.warnings == [
        "问题序号在各方面内分别从1开始编排，导入时已按顺序统一编号。",
        "问题“问题甲二”的整改措施是空的。",
    ]


def test_measures_split_done_and_progress():
    measures, around, chain = split_measures(
        "一是制定制度（已完成）；二是开展检查，已完成3轮；三是建立台账。目前已完成大部分。"
    )
    assert chain
    assert [(m.text, m.done) for m in measures] == [
        ("制定制度", True),
        ("开展检查，已完成3轮", True),
        ("建立台账", False),
    ]
    assert around == "目前已完成大部分。"
    measures, around, chain = split_measures("统一是非标准，规范管理")
    assert not chain and [m.text for m in measures] == ["统一是非标准，规范管理"] and around == ""
    measures, _, _ = split_measures(
        "一是甲；二是乙；三是丙；四是丁；五是戊；六是己；七是庚；八是辛；九是壬；十是癸；十一是子"
    )
    assert [m.text for m in measures][-2:] == ["癸", "子"]


def test_text_pasted_without_line_breaks():
    text = "（一）方面一。1.问题一。（1）细化一。整改情况：一是措施甲；二是措施乙。（2）细化二。整改情况：一是措施丙。"
    r = parse_text(text)
    assert tree(r) == [("方面一", [(1, "问题一", [(1, "细化一", ["措施甲", "措施乙"]), (2, "细化二", ["措施丙"])])])]


def test_lines_broken_by_a_pdf_copy_are_joined():
    text = (
        "（一）党的建设方面\n"
        "1.党组理论学习中心组学习不够深入系统运用党的创新理论指导\n"
        "实践不够\n"
        "整改情况：一是制定年度党组理论学习中心组学习计划明确学习\n"
        "专题；二是每季度至少开展一次专题研讨，班子成员轮流领学并\n"
        "撰写研讨发言材料；三是建立中心组学习档案如实记录学习内容\n"
        "和研讨情况。\n"
        "2.落实意识形态工作责任制不够到位专题研究意识形态工作不够\n"
        "整改情况：一是召开党组会议专题研究意识形态工作分析研判形\n"
        "势。\n"
    )
    r = parse_text(text)
    assert [f.title for f in r.findings()] == [
        "党组理论学习中心组学习不够深入系统运用党的创新理论指导实践不够",
        "落实意识形态工作责任制不够到位专题研究意识形态工作不够",
    ]
    assert [m.text for m in r.items()[0].measures][
        1
    ] == "每季度至少开展一次专题研讨，班子成员轮流领学并撰写研讨发言材料"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\n",
        "这是一段普通的文字，没有任何序号。\n第二行也没有。",
        "（一）只有方面\n（二）没有问题",
        "hello world",
    ],
)
def test_no_recognisable_outline(text):
    r = parse_text(text)
    assert r.categories == [] and r.items() == []
    assert r.warnings and CJK.search(r.warnings[0])
    assert text_import.refusal(r)


# --- files --------------------------------------------------------------------------------------------


def test_read_text_file_encodings(tmp_path):
    for name, data in (
        ("utf8.txt", NOTICE.encode("utf-8")),
        ("bom.txt", b"\xef\xbb\xbf" + NOTICE.encode("utf-8")),
        ("gbk.txt", NOTICE.encode("gbk")),
        ("gb18030.txt", NOTICE.encode("gb18030")),
        ("utf16.txt", NOTICE.encode("utf-16")),
        ("crlf.txt", NOTICE.replace("\n", "\r\n").encode("gbk")),
    ):
        p = tmp_path / name
        p.write_bytes(data)
        text = read_text_file(p)
        assert text.replace("\r\n", "\n") == NOTICE, name
        assert tree(parse_text(text)) == tree(parse_text(NOTICE))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "文件是空的"),
        (b"\xef\xbb\xbf  \r\n", "文件是空的"),
        (bytes(range(256)) * 20, "不是文本文件"),
        (b"PK\x03\x04" + b"\x00" * 100, "另存为"),
        (b"%PDF-1.7\n", "PDF"),
        (bytes([0x81, 0x30, 0xFF, 0x80, 0x41]) * 10, "无法识别文件的编码"),
        (("正文" + "\x01\x02\x03\x04\x05" * 10).encode("utf-8"), "不像文字"),
    ],
)
def test_bad_files_are_refused(tmp_path, data, message):
    p = tmp_path / "坏文件.txt"
    p.write_bytes(data)
    with pytest.raises(TextImportError, match=message) as e:
        read_text_file(p)
    assert CJK.search(str(e.value))


def test_too_large_and_missing(tmp_path):
    big = tmp_path / "大文件.txt"
    with big.open("wb") as f:
        f.truncate(50 * 2**20 + 1)  # sparse: nothing is written, nothing need be read
    with pytest.raises(TextImportError, match="文件太大"):
        read_text_file(big)
    small = tmp_path / "小.txt"
    small.write_text("1.问题\n" * 100, encoding="utf-8")
    with pytest.raises(TextImportError, match="文件太大"):
        read_text_file(small, max_bytes=100)
    with pytest.raises(TextImportError, match="文件不存在"):
        read_text_file(tmp_path / "没有.txt")
    with pytest.raises(TextImportError, match="文件夹"):
        read_text_file(tmp_path)


# --- properties ---------------------------------------------------------------------------------------

FRAGMENTS = st.sampled_from(
    [
        "一、",
        "二、",
        "三、下一步",
        "（一）",
        "(二)",
        "1.",
        "2、",
        "3．",
        "（1）",
        "(2)",
        "①",
        "整改情况：",
        "整改措施:",
        "整改进展：",
        "一是",
        "二是",
        "十一是",
        "。",
        "；",
        "\n",
        "\r\n",
        "\u3000",
        "已完成",
        "正在推进",
        "持续整改",
        "未启动",
        "巡察反馈的13个问题细化为29项，已整改完成28项，正在推进1项，完成率97%",
        "十三个问题细化为二十九项",
        "召开专题会议3次",
        "制定完善制度5项",
        "《制度》",
        "2026年6月30日至7月1日",
        "组对某单位开展了巡察",
        "责任领导：",
        "存在问题：",
        "关于“问题”的问题",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(FRAGMENTS, st.text(max_size=12)), max_size=80))
def test_any_text_parses_without_an_exception(parts):
    r = text_import._parse("".join(parts))  # the parser itself, without parse_text's last guard
    _check_invariants(r)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=5000))
def test_any_unicode_parses_without_an_exception(text):
    _check_invariants(text_import._parse(text))


def _check_invariants(r: ImportedInspection) -> None:
    assert all(isinstance(w, str) and w for w in r.warnings)
    if r.categories:
        assert r.items(), "an outline without items is refused, not half-kept"
    for f in r.findings():
        assert f.items, "a finding with no items becomes one item"
    assert all(i.status in STATUSES for i in r.items())
    json.dumps(r.to_json(), ensure_ascii=False)


def test_a_large_text_parses(tmp_path):
    one = NOTICE.split("二、巡察反馈问题整改落实情况\n")[1].split("三、下一步")[0]
    text = "二、巡察反馈问题整改落实情况\n" + one * 400  # about 500 KB
    r = parse_text(text)
    assert len(r.categories) == 800


# --- round trip: ledger → notice text → parse -----------------------------------------------------------


def _ledger_tree(inspection_id: int) -> list:
    out = []
    for c in Category.select().where(Category.inspection == inspection_id).order_by(Category.position):
        fs = []
        for f in Finding.select().where(Finding.category == c.id).order_by(Finding.position):
            items = []
            for i in Item.select().where(Item.finding == f.id).order_by(Item.position):
                ms = [m.text for m in Measure.select().where(Measure.item == i.id).order_by(Measure.position)]
                items.append((i.title, [_norm(m) for m in ms if _norm(m)], i.status))
            fs.append((f.number, f.title, items))
        out.append((c.title, fs))
    return out


def _parsed_tree(r: ImportedInspection) -> list:
    return [
        (
            c.title,
            [
                (f.number, f.title, [(i.title, [m.text for m in i.measures], i.status) for i in f.items])
                for f in c.findings
            ],
        )
        for c in r.categories
    ]


def _norm(text: str) -> str:
    return "".join(x.strip() for x in text.splitlines()).strip().strip("；;。，,、 ").strip()


@pytest.mark.parametrize("kind", ["notice", "report"])
def test_round_trip_of_the_demo_ledger(demo_ledger, kind):
    insp = demo_ledger.inspections()[0]
    text = notice_text(insp.id, kind)
    r = parse_text(text)
    assert _parsed_tree(r) == _ledger_tree(insp.id)
    assert r.warnings == []
    s = stats.compute(insp.id)
    assert r.declared == {
        "findings": s.findings,
        "items": s.items,
        "done": s.done,
        "in_progress": s.status[IN_PROGRESS],
        "ongoing": s.status[ONGOING],
        "not_started": s.status[NOT_STARTED],
        "percent": s.completion_whole,
    }
    assert [i.progress for i in r.items()] == [
        i.progress for i in Item.select().join(Finding).order_by(Finding.id, Item.position)
    ]
    assert (r.inspecting_body, r.inspected_unit, r.feedback_date) == (
        insp.inspecting_body,
        insp.inspected_unit,
        insp.feedback_date,
    )
    assert len(r.meetings) == Meeting.select().count()
    assert sorted(i["title"] for i in r.institutions) == sorted(i.title for i in Institution.select())
    # Imported again, the copy has the same figures.
    cmd = AddInspection(r)
    demo_ledger.apply(cmd)
    assert _ledger_tree(cmd.inspection_id) == _ledger_tree(insp.id)
    copy = stats.compute(cmd.inspection_id)
    assert (copy.findings, copy.items, copy.measures, copy.status, copy.completion_whole) == (
        s.findings,
        s.items,
        s.measures,
        s.status,
        s.completion_whole,
    )


# Titles as a ledger may hold them: Chinese with some digits, Latin letters and punctuation inside, never
# beginning with a marker.
_CHARS = (
    "党组理论学习中心计划专题研讨落实意识形态工作责任制度校园网站新媒体阵地管理政策培训机构监管"
    "义务教育布局调整农村资金使用集体决定会议记录规范公务接待清单往来款项挂账食堂财务核算"
)
_INNER = st.sampled_from(list(_CHARS) + list("0123456789ABCabc，、“”《》（）-—%"))
_TEXT = st.builds(
    lambda a, mid, b: a + mid + b, st.sampled_from(_CHARS), st.text(_INNER, max_size=30), st.sampled_from(_CHARS)
)
_MEASURE = st.one_of(_TEXT, st.builds(lambda a, b: f"{a}；{b}", _TEXT, _TEXT))
_PROGRESS = st.one_of(
    st.just(""), _TEXT, st.builds(lambda s, t: s + "。" + t, st.sampled_from(["已完成", "正在推进"]), _TEXT)
)


@st.composite
def ledgers(draw) -> ImportedInspection:
    cats = []
    for _ in range(draw(st.integers(1, 3))):
        findings = []
        for _ in range(draw(st.integers(0 if cats else 1, 3))):
            title = draw(_TEXT)
            n_items = draw(st.integers(1, 3))
            items = []
            for _ in range(n_items):
                same = n_items == 1 and draw(st.booleans())
                items.append(
                    ImportedItem(
                        title=title if same else draw(_TEXT),
                        status=draw(st.sampled_from(STATUSES)),
                        progress=draw(_PROGRESS),
                        measures=[ImportedMeasure(m) for m in draw(st.lists(_MEASURE, max_size=4))],
                    )
                )
            findings.append(ImportedFinding(title, items=items))
        cats.append(ImportedCategory(draw(_TEXT), findings=findings))
    return ImportedInspection(
        title=draw(_TEXT),
        inspecting_body="中共某县委第一巡察组",
        inspected_unit=draw(_TEXT),
        notes=draw(st.one_of(st.just(""), _TEXT)),
        categories=cats,
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=ledgers(), kind=st.sampled_from(["notice", "report"]))
def test_round_trip_of_generated_ledgers(ledger, data, kind):
    cmd = AddInspection(data)
    ledger.apply(cmd)
    text = notice_text(cmd.inspection_id, kind)
    r = text_import._parse(text)
    assert _parsed_tree(r) == _ledger_tree(cmd.inspection_id), text
    # The only warnings are about items the ledger itself left without measures.
    assert all("整改措施" in w for w in r.warnings), r.warnings
    assert bool(r.warnings) == any(not i.measures for i in data.items())


# --- the command line ---------------------------------------------------------------------------------


@pytest.fixture
def notice_file(tmp_path: Path) -> Path:
    p = tmp_path / "通报.txt"
    p.write_bytes(NOTICE.encode("gbk"))
    return p


def test_cli_dry_run_json_writes_nothing(cli, tmp_path, notice_file):
    target = tmp_path / "新台账.db"
    r = cli("import", target, notice_file, "--dry-run", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)  # one JSON object
    assert (out["categories"], out["findings"], out["items"], out["measures"]) == (2, 5, 7, 12)
    assert out["declared"] == {"findings": 5, "items": 7, "done": 6, "in_progress": 1, "percent": 86}
    assert out["warnings"] == [] and out["dry_run"] is True and out["inspection_id"] is None
    assert out["status"]["已完成"] == 6
    assert not target.exists()
    assert list(tmp_path.iterdir()) == [notice_file]


def test_cli_import_creates_the_ledger_and_adds_the_inspection(cli, tmp_path, notice_file):
    target = tmp_path / "新台账.db"
    r = cli("import", target, notice_file)
    assert r.returncode == 0, r.stderr
    assert "识别出2个方面、5个问题、7项细化问题、12条整改措施" in r.stdout
    assert "已导入到台账" in r.stdout
    with Ledger.open(target, readonly=True):
        insp = Inspection.get()
        assert insp.title == "中共某某县水利局党组关于县委第二巡察组反馈意见整改落实台账"
        s = stats.compute(insp.id)
        assert (s.findings, s.items, s.done, s.completion_whole) == (5, 7, 6, 86)
        assert [f.number for f in Finding.select().order_by(Finding.number)] == [1, 2, 3, 4, 5]
        assert Meeting.select().count() == 3 and Institution.select().count() == 3
    # Into an existing ledger: a second inspection.
    r = cli("import", target, notice_file, "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["inspection_id"] == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "文件是空的"),
        ("这是一段没有序号的文字。\n".encode(), "未能从文本中识别出整改台账的结构"),
        (bytes(range(256)) * 40, "不是文本文件"),
        (None, "文件太大"),
    ],
)
def test_cli_refusals_write_nothing(cli, tmp_path, demo_path, content, message):
    bad = tmp_path / "输入.txt"
    if content is None:
        with bad.open("wb") as f:
            f.truncate(50 * 2**20 + 10)
    else:
        bad.write_bytes(content)
    before = sha256(demo_path)
    r = cli("import", demo_path, bad)
    assert r.returncode == 1
    assert message in r.stderr and "Traceback" not in r.stderr + r.stdout
    assert sha256(demo_path) == before
    missing = tmp_path / "不存在.db"
    r = cli("import", missing, bad, "--json")
    assert r.returncode == 1 and message in r.stderr and r.stdout == ""
    assert not missing.exists()
