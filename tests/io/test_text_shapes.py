"""The notice shapes of NOTICE-SHAPES.md, one invented text per file in corpus/notices, each read into
exactly the tree it holds; and nothing of any text dropped without being listed as not imported."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rectify_desktop.io.text_import import cli_import, parse_text, read_text_file, refusal

CORPUS = Path(__file__).parent / "corpus" / "notices"

D, P, N = "已完成", "正在推进", "未启动"

# file: (shape, (categories, findings, items, measures), first finding, last finding, statuses, declared,
# skipped lines). Counted by reading each text twice.
EXPECTED: dict[str, tuple] = {
    "01_a_wrapped": ("A", (2, 3, 4, 11), "理论学习流于形式", "公车使用不规范", {D: 1, N: 3}, None, 8),
    "02_a_restart_cn_totals": (
        "A, numbering restarting, totals in Chinese numerals",
        (2, 4, 5, 8),
        "档案数字化进度滞后",
        "借阅登记不规范",
        {D: 4, P: 1},
        {"categories": 2, "findings": 4, "items": 5, "done": 4, "in_progress": 1, "percent": 80},
        1,
    ),
    "03_b_sections_as_categories": ("B", (2, 3, 4, 10), "课后服务落实不到位", "违规收受礼品", {N: 4}, None, 1),
    "04_b_org_section_first": (
        "B after an organisation section with （一） and 1. subsections",
        (2, 3, 4, 7),
        "关于家庭医生签约服务走过场的问题",
        "关于“红包”回扣问题",
        {D: 1, N: 3},
        None,
        6,
    ),
    "05_c_status_labels": ("C", (2, 3, 3, 7), "执法检查频次不足", "年轻干部培养不够", {D: 2, P: 1}, None, 0),
    "06_d_question_n": ("D", (2, 2, 3, 4), "贯彻上级决策部署不坚决", "形式主义问题突出", {D: 2, P: 1}, None, 0),
    "07_e_no_categories": (
        "E",
        (1, 3, 3, 6),
        "村级财务管理混乱",
        "人居环境整治不彻底",
        {D: 2, P: 1},
        {"findings": 3, "done": 2, "in_progress": 1},
        1,
    ),
    "08_f_audit_report": (
        "F",
        (2, 3, 4, 4),
        "关于预算编制不精准的问题",
        "关于违规发放津贴补贴的问题",
        {N: 4},
        {"categories": 3, "findings": 20, "done": 15, "in_progress": 5},
        2,
    ),
    "09_g_audit_letter": ("G", (1, 3, 3, 6), "部分项目资金未按进度拨付", "固定资产账实不符", {D: 2, P: 1}, None, 4),
    "10_h_checklist": (
        "H",
        (1, 3, 3, 6),
        "理想信念教育抓得不实。部分党员参加组织生活不经常，学习教育走过场",
        "网格员管理松散",
        {D: 2, P: 1},
        None,
        0,
    ),
    "11_i_plan": ("I", (2, 3, 3, 6), "农贸市场快检覆盖面不足", "执法车辆管理不规范", {N: 3}, None, 0),
    "12_issue_example_one": (
        "一、 categories, 1. findings across",
        (2, 3, 3, 4),
        "公务接待超标准",
        "干部档案管理不规范",
        {N: 3},
        None,
        0,
    ),
    "13_issue_example_two": (
        "一、 categories with 领导 and 问题 in their names",
        (3, 3, 3, 7),
        "学习贯彻上级精神不及时",
        "督查检查过多过频",
        {N: 3},
        None,
        0,
    ),
    "14_web_copy_noise": (
        "A with web metadata and the title twice",
        (2, 5, 6, 9),
        "违法占地查处不及时",
        "廉政风险防控不到位",
        {D: 6},
        {"findings": 5, "items": 6, "done": 6},
        10,
    ),
    "15_e_split_title_signature": (
        "E with a split title, contacts and signature",
        (1, 3, 3, 5),
        "基层党组织软弱涣散",
        "河长制落实不到位",
        {D: 2, P: 1},
        None,
        4,
    ),
    "16_mixed_punctuation_broken_paren": (
        "A with (一) 1、 2． and a broken 二)",
        (2, 3, 4, 8),
        "隐患排查不彻底",
        "质量抽检比例偏低",
        {D: 1, P: 1, N: 2},
        None,
        0,
    ),
    "17_missing_number_redactions": (
        "A with a missing finding and XX redactions",
        (2, 3, 3, 5),
        "XX路段占道经营反复",
        "协管员管理不规范",
        {D: 2, P: 1},
        {"findings": 4, "done": 3, "in_progress": 1, "percent": 75},
        2,
    ),
    "18_heading_and_sentence_one_line": (
        "heading, first sentence and label on one line",
        (2, 3, 3, 7),
        "就业补贴审核把关不严",
        "社保基金内控不健全",
        {D: 1, P: 1, N: 1},
        None,
        0,
    ),
    "19_measures_one_per_line": (
        "一是 one per line, labelled or not",
        (2, 3, 3, 7),
        "低保动态管理不到位",
        "养老机构消防隐患",
        {D: 1, N: 2},
        None,
        0,
    ),
    "20_c_numbered_measure_lines": (
        "C with 1. 2. measure lines and (1)(2) inline",
        (2, 3, 3, 8),
        "项目验收把关不严",
        "廉政谈话开展不经常",
        {D: 2, P: 1},
        None,
        0,
    ),
    "21_prose_measures": (
        "prose measures",
        (2, 3, 3, 3),
        "普法宣传针对性不强",
        "人民调解员业务能力不足",
        {D: 1, N: 2},
        None,
        0,
    ),
    "22_totals_after_last_finding": (
        "totals after the last finding, 整改率",
        (2, 3, 3, 5),
        "办税服务厅排队时间长",
        "税收执法风险防控不到位",
        {D: 2, P: 1},
        {"findings": 3, "done": 2, "percent": 67},
        1,
    ),
    "23_totals_in_org_subsection_cn": (
        "totals inside an organisation subsection, Chinese numerals, 阶段性完成",
        (2, 3, 3, 5),
        "基层统计台账不规范",
        "支部活动形式单一",
        {D: 2, P: 1},
        {"categories": 3, "findings": 10, "items": 12, "measures": 30, "done": 10, "in_progress": 2},
        5,
    ),
    "24_plan_org_and_safeguards": (
        "plan with 总体要求 and 保障措施 around （一） findings",
        (1, 2, 2, 3),
        "项目储备不足",
        "价格监测不及时",
        {N: 2},
        None,
        4,  # 二、整改任务 names the category
    ),
    "27_all_labels": ("every label", (1, 2, 2, 3), "招投标监管不严", "质量监督抽查不足", {D: 1, P: 1}, None, 0),
}

NOT_NOTICES = ["25_not_a_notice_summary", "26_not_a_notice_letter"]


def _parsed(name: str):  # noqa: ANN202
    return parse_text(read_text_file(CORPUS / f"{name}.txt"))


def test_the_corpus_is_what_the_tests_name() -> None:
    assert sorted(p.stem for p in CORPUS.glob("*.txt")) == sorted([*EXPECTED, *NOT_NOTICES])
    assert len({e[0] for e in EXPECTED.values()}) >= 14


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_shape_reads_into_its_tree(name: str) -> None:
    _shape, counts, first, last, statuses, declared, skipped = EXPECTED[name]
    r = _parsed(name)
    assert refusal(r) is None
    c = r.counts()
    assert (c["categories"], c["findings"], c["items"], c["measures"]) == counts
    assert (r.findings()[0].title, r.findings()[-1].title) == (first, last)
    assert dict(Counter(i.status for i in r.items())) == statuses
    assert r.declared == declared
    assert len(r.skipped) == skipped, [(s.line, s.text, s.reason) for s in r.skipped]


@pytest.mark.parametrize("name", NOT_NOTICES)
def test_texts_that_are_not_notices_are_refused(name: str) -> None:
    why = refusal(_parsed(name))
    assert why is not None and "没有" in why


def test_fields_of_a_plan_and_of_every_label() -> None:
    plan = _parsed("11_i_plan").items()
    assert [(i.leader, i.department, i.deadline) for i in plan] == [
        ("张XX", "食品安全监管科", "2025年12月底前"),
        ("李XX", "行政审批科", "立行立改、长期坚持"),
        ("王XX", "办公室", "2025年10月31日"),
    ]
    assert [m.text for m in plan[0].measures] == ["增设快检室3个", "培训快检人员", "每周公示快检结果"]
    assert "实现农贸市场快检全覆盖" in plan[0].description
    first = _parsed("27_all_labels").items()[0]
    assert "已完成招投标项目复查32个" in first.progress
    assert (first.leader, first.department, first.deadline) == ("赵XX", "建筑市场监管股", "2025年11月30日")


def test_items_numbered_across_the_document_are_numbered_per_finding() -> None:
    r = _parsed("06_d_question_n")
    assert [[i.title for i in f.items] for f in r.findings()] == [
        ["对乡村振兴重点任务推进缓慢", "对巡察整改要求研究不够"],
        ["会议文件过多"],
    ]
    assert r.warnings == ["细化问题序号在全文连续编排，导入时已在各问题内重新编号。"]


def test_the_audit_clauses_are_items_and_the_org_section_is_the_notes() -> None:
    audit = _parsed("08_f_audit_report")
    assert [i.title for i in audit.findings()[0].items] == ["部分项目预算编制偏离实际问题", "结转资金未及时收回问题"]
    assert audit.categories[0].description == "共发现问题6项，部分整改4项，已整改2项。"
    assert audit.kind == "审计"
    org = _parsed("04_b_org_section_first")
    assert org.notes.startswith("（一）提高政治站位。") and "2.建立销号管理制度。" in org.notes


def test_skipped_lines_say_where_and_why() -> None:
    r = _parsed("01_a_wrapped")
    lines = (CORPUS / "01_a_wrapped.txt").read_text(encoding="utf-8").splitlines()
    for s in r.skipped:
        assert lines[s.line - 1].strip() == s.text
    reasons = {s.line: s.reason for s in r.skipped}
    assert reasons[19] == reasons[20] == "下一步"
    assert reasons[22] == reasons[23] == "落款"
    assert reasons[21] == "联系方式"
    web = _parsed("14_web_copy_noise")
    assert [s.reason for s in web.skipped if s.line <= 9] == ["网页信息"] * 5 + ["重复的标题", "网页信息", "网页信息"]
    assert web.title.startswith("某某县自然资源局")


def test_problems_without_categories_go_under_one_named_after_the_inspection() -> None:
    r = _parsed("07_e_no_categories")
    assert r.categories[0].title == "某某镇党委关于县委巡察反馈意见"
    assert any("没有（一）（二）这样的方面标题" in w for w in r.warnings)


def test_cli_json_lists_what_was_not_imported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = SimpleNamespace(dry_run=True, json=True)
    assert cli_import(tmp_path / "x.rectify", CORPUS / "01_a_wrapped.txt", args) == 0
    out = json.loads(capsys.readouterr().out)
    assert len(out["skipped"]) == 8 and set(out["skipped"][0]) == {"line", "text", "reason"}
    args = SimpleNamespace(dry_run=True, json=False)
    assert cli_import(tmp_path / "x.rectify", CORPUS / "01_a_wrapped.txt", args) == 0
    text = capsys.readouterr().out
    assert "未导入的内容（8行）" in text and "第19行" in text


# --- nothing silently dropped ------------------------------------------------------------------------------

# Content written only with rare characters, so that every one found in the result came from its line.
_RARE = st.text(alphabet=st.characters(min_codepoint=0x3400, max_codepoint=0x34FF), min_size=1, max_size=12)
_MARKERS = ["", "一、", "二、", "三、", "（一）", "（二）", "(三)", "1.", "2、", "3．", "（1）", "(2)", "问题1："]
_LABELS = [
    "",
    "整改情况：",
    "整改措施：",
    "整改进展：",
    "整改状态：",
    "完成情况：",
    "责任领导：",
    "责任单位：",
    "整改时限：",
]
_WORDS = [
    "",
    "一是",
    "二是",
    "关于“",
    "”的问题",
    "在“",
    "”方面",
    "已完成",
    "正在整改",
    "。",
    "；",
    "下一步",
    "联系电话：",
    "整改情况的通报",
    "对",
    "问题，",
    "目前",
    "日期：",
    "欢迎",
    "监督",
    "2026年1月5日",
]


@st.composite
def _line(draw: st.DrawFn) -> str:
    parts = [draw(st.sampled_from(_MARKERS))]
    for _ in range(draw(st.integers(1, 4))):
        parts.append(draw(st.sampled_from(_LABELS + _WORDS)))
        parts.append(draw(_RARE))
    return "".join(parts)


def _pool(r) -> str:  # noqa: ANN001
    out = [r.title, r.notes, r.inspecting_body, r.inspected_unit]
    for c in r.categories:
        out += [c.title, c.description]
        for f in c.findings:
            out += [f.title, f.description]
            for i in f.items:
                out += [i.title, i.description, i.leader, i.department, i.person, i.deadline, i.progress, i.remarks]
                out += [m.text for m in i.measures]
    return "".join(out)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(_line(), _line(), _RARE, st.just("2026年1月5日")), min_size=1, max_size=14))
def test_every_line_is_imported_or_listed_as_not_imported(lines: list[str]) -> None:
    r = parse_text("\n".join(lines))
    if refusal(r) is not None:
        return  # nothing is imported, and the clerk is told why
    # A line the parser joined to the one before (a PDF copy's broken lines) is listed under that line's number.
    pool = set(_pool(r) + "".join(s.text for s in r.skipped))
    for no, line in enumerate(lines, 1):
        rare = set(re.findall(r"[\u3400-\u34ff]", line))
        assert rare <= pool, (no, line, sorted(rare - pool))
