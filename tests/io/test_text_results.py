"""整改成效 in a text import (issue 14): the figures a notice states for the whole inspection (问责 by kind,
资金 in 万元) are read into inspection-level entries, stored exactly with the inspection in the same step,
undone with it; what cannot be mapped onto a kind is listed as not imported, with the reason."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from rectify_desktop.core import results
from rectify_desktop.core.importing import AddInspection, import_into
from rectify_desktop.core.ledger import Ledger
from rectify_desktop.core.models import Accountability, ChangeLog, Inspection, MoneyEntry
from rectify_desktop.io.text_import import parse_text, results_lines
from tests.io.test_text_import import NOTICE

# The organisation section of the test notice, and where a results sentence goes in it.
_ORG_END = "制定完善《水利局公务接待管理办法》《水利局财务报销制度》等制度3项。\n"


def with_sentence(sentence: str, where: str = "org") -> str:
    """The test notice with `sentence` in its organisation section, its preamble or after the last finding."""
    if where == "org":
        return NOTICE.replace(_ORG_END, _ORG_END + "　　" + sentence + "\n")
    if where == "preamble":
        return NOTICE.replace("现将巡察整改情况予以公布。\n", "现将巡察整改情况予以公布。" + sentence + "\n")
    assert where == "end"
    return NOTICE.replace("整改情况：一是清理盘活结余资金。\n", "整改情况：一是清理盘活结余资金。\n" + sentence + "\n")


def figures(parsed) -> tuple[list[tuple[str, int]], list[tuple[str, Decimal]]]:  # noqa: ANN001
    return (
        [(a.kind, a.people) for a in parsed.accountability],
        [(m.kind, m.amount) for m in parsed.money],
    )


FULL = (
    "在整改工作中，给予党纪政务处分3人，组织处理5人，诫勉2人，批评教育12人；制定及修改完善制度15项，"
    "追缴资金23.8万元，清退12.5万元，挽回经济损失100万元；召开专题民主生活会1次。"
)


@pytest.mark.parametrize("where", ["org", "preamble", "end"])
def test_the_usual_sentence_wherever_it_stands(where):
    r = parse_text(with_sentence(FULL, where))
    acc, money = figures(r)
    assert acc == [("党纪政务处分", 3), ("组织处理", 5), ("诫勉", 2), ("批评教育", 12)]
    assert money == [("追缴", Decimal("23.8")), ("清退", Decimal("12.5")), ("挽回经济损失", Decimal("100"))]
    # The tree and the item counts are those of the notice without the sentence.
    plain = parse_text(NOTICE)
    assert r.counts()["items"] == plain.counts()["items"] == 7
    not_imported = [s.text for s in r.results_skipped]
    if where != "org":  # the organisation section registers its rules and meetings as before
        assert any("制度15项" in t for t in not_imported)
        assert any("民主生活会1次" in t for t in not_imported)
        reasons = " ".join(s.reason for s in r.results_skipped)
        assert "制度建设" in reasons and "会议" in reasons


@pytest.mark.parametrize(
    ("sentence", "acc", "money"),
    [
        (
            "共问责12人，其中给予党纪处分2人、政务处分1人，组织处理4人，诫勉谈话2人，提醒谈话3人。",
            [("党纪政务处分", 2), ("党纪政务处分", 1), ("组织处理", 4), ("诫勉", 2), ("提醒谈话", 3)],
            [],
        ),
        ("追回资金1,234.56万元，归还原资金渠道300万元，整改到位资金45.6789万元。", [], None),
        ("给予党纪政务处分３人，追缴资金１２．５万元。", [("党纪政务处分", 3)], [("追缴", Decimal("12.5"))]),
        ("诫勉三人，批评教育十二人，责令检查二人次，交由纪委调查1名。", None, []),
        ("对3名干部给予诫勉，追缴违纪资金共计5000元。", [("诫勉", 3)], [("追缴", Decimal("0.5"))]),
        (
            "清退违规发放津补贴8.2万元，未整改资金0.3万元。",
            [],
            [("清退", Decimal("8.2")), ("未整改资金", Decimal("0.3"))],
        ),
    ],
)
def test_shapes_of_the_figures(sentence, acc, money):
    r = parse_text(with_sentence(sentence))
    got_acc, got_money = figures(r)
    if acc is None:
        acc = [("诫勉", 3), ("批评教育", 12), ("责令检查", 2), ("交由纪委调查", 1)]
    if money is None:
        money = [("追回", Decimal("1234.56")), ("归还原资金渠道", Decimal("300")), ("整改到位资金", Decimal("45.6789"))]
    assert got_acc == acc
    assert got_money == money


def test_the_total_and_what_maps_onto_no_kind_are_listed_never_dropped():
    sentence = (
        "共问责12人，其中给予党纪处分2人，通报批评3人，约谈4人；问题资金500万元；追缴清退资金10万元；"
        "追缴资金1.23456万元；节约资金20万元；下一步力争追回资金100万元。"
    )
    r = parse_text(with_sentence(sentence))
    assert figures(r) == ([("党纪政务处分", 2)], [])
    listed = {s.text: s.reason for s in r.results_skipped}
    assert any("问责12人" in t and "合计" in why for t, why in listed.items()), listed
    assert any("通报批评3人" in t and "通报批评" in why for t, why in listed.items()), listed
    assert any("约谈4人" in t for t in listed), listed
    assert any("问题资金500万元" in t and "细化问题" in why for t, why in listed.items()), listed
    assert any("10万元" in t and "分别" in why for t, why in listed.items()), listed
    assert any("1.23456万元" in t and "4位小数" in why for t, why in listed.items()), listed
    assert any("节约资金20万元" in t for t in listed), listed
    # Every not-imported figure carries its line, so the preview can point at it.
    assert all(s.line > 0 for s in r.results_skipped)
    assert any("未导入" in line for line in results_lines(r))


def test_a_count_that_is_not_whole_and_a_negative_amount_are_refused_with_the_reason():
    r = parse_text(with_sentence("诫勉2.5人，组织处理1人，追缴资金-5万元，清退资金2万元。"))
    assert figures(r) == ([("组织处理", 1)], [("清退", Decimal("2"))])
    listed = {s.text: s.reason for s in r.results_skipped}
    assert any("2.5人" in t and "整数" in why for t, why in listed.items()), listed
    assert any("-5万元" in t and "负" in why for t, why in listed.items()), listed


def test_a_breakdown_in_brackets_is_not_counted_twice():
    r = parse_text(with_sentence("给予党纪政务处分3人（其中党纪处分2人、政务处分1人），组织处理1人。"))
    assert figures(r)[0] == [("党纪政务处分", 3), ("组织处理", 1)]
    assert any("其中" in s.reason for s in r.results_skipped)


def test_the_same_sentence_twice_is_imported_once():
    text = with_sentence("给予党纪政务处分3人，追缴资金23.8万元。", "preamble")
    text = text.replace(_ORG_END, _ORG_END + "　　给予党纪政务处分3人，追缴资金23.8万元。\n")
    r = parse_text(text)
    assert figures(r) == ([("党纪政务处分", 3)], [("追缴", Decimal("23.8"))])
    assert any("只导入一次" in s.reason for s in r.results_skipped)


def test_a_notice_without_figures_is_unchanged():
    r = parse_text(NOTICE)
    assert (r.accountability, r.money, r.results_skipped) == ([], [], [])
    assert "accountability" not in r.counts() and "money" not in r.counts()
    assert results_lines(r) == []


def test_figures_inside_an_item_stay_with_the_item_text():
    # An item's own progress that mentions money is the item's text, not an inspection-level figure.
    text = NOTICE.replace("已清理往来款项12笔。", "已清理往来款项12笔，追回资金3万元。")
    r = parse_text(text)
    assert figures(r) == ([], [])
    assert any("追回资金3万元" in i.progress for i in r.items())


def test_import_into_a_ledger_file_stores_them_exactly_and_undo_removes_them(tmp_path: Path):
    parsed = parse_text(with_sentence(FULL + "追回资金1,234.5678万元。"))
    target = tmp_path / "新台账.db"
    result = import_into(target, parsed)
    with Ledger.open(target) as ledger:
        insp = Inspection.get_by_id(result.inspection_id)
        acc = [(a.kind, a.people, a.item_id) for a in Accountability.select().order_by(Accountability.position)]
        assert acc == [("党纪政务处分", 3, None), ("组织处理", 5, None), ("诫勉", 2, None), ("批评教育", 12, None)]
        money = [(m.kind, results.amount_of(m), m.item_id) for m in MoneyEntry.select().order_by(MoneyEntry.position)]
        assert money == [
            ("追缴", Decimal("23.8"), None),
            ("清退", Decimal("12.5"), None),
            ("挽回经济损失", Decimal("100"), None),
            ("追回", Decimal("1234.5678"), None),
        ]
        assert all(m.inspection_id == insp.id for m in MoneyEntry.select())
        assert all("据导入文本" in a.note for a in Accountability.select())
        # The inspection's figures count them.
        res = results.compute(insp.id)
        assert res.accountability["诫勉"].count == 2
        assert res.money["追回"].amount == Decimal("1234.5678")
        # Again through the one door: one step, undone whole.
        cmd = AddInspection(parse_text(with_sentence(FULL)))
        ledger.apply(cmd)
        assert Accountability.select().count() == 8 and MoneyEntry.select().count() == 7
        last = ChangeLog.select().order_by(ChangeLog.id.desc()).first()
        assert "问责4条" in last.summary and "资金3条" in last.summary
        ledger.revert(cmd)
        assert Accountability.select().count() == 4 and MoneyEntry.select().count() == 4
        ledger.apply(cmd)  # redo brings them back
        assert Accountability.select().count() == 8 and MoneyEntry.select().count() == 7


def test_cli_prints_and_json_gives_the_figures(cli, tmp_path: Path):
    src = tmp_path / "通报.txt"
    src.write_text(with_sentence(FULL + "通报批评3人。"), encoding="utf-8")
    target = tmp_path / "台账.db"
    r = cli("import", target, src, "--dry-run")
    assert r.returncode == 0, r.stderr
    assert "党纪政务处分3人" in r.stdout and "追缴23.8万元" in r.stdout
    assert "通报批评3人" in r.stdout and "未导入" in r.stdout
    r = cli("import", target, src, "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["accountability"] == 4 and out["money"] == 3
    first = out["results"]["money"][0]
    assert (first["kind"], first["amount"]) == ("追缴", "23.8000")
    assert out["results"]["accountability"][0]["people"] == 3
    assert any("通报批评" in s["text"] for s in out["results"]["not_imported"])
    with Ledger.open(target, readonly=True):
        assert MoneyEntry.select().count() == 3 and Accountability.select().count() == 4


def test_the_audit_headline_gives_the_rectified_money_and_lists_the_problem_money():
    sentence = (
        "审计指出涉及3个方面、5个单位共计7项具体问题，问题资金1,500万元，已整改6项，"
        "整改到位资金1,234.56万元，正在整改1项。"
    )
    r = parse_text(with_sentence(sentence, "preamble"))
    assert figures(r) == ([], [("整改到位资金", Decimal("1234.56"))])
    assert [s.text for s in r.results_skipped] == ["问题资金1,500万元"]
    assert "细化问题" in r.results_skipped[0].reason
