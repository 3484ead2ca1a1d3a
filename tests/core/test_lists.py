"""The printable sheets and the three lists (问题清单, 任务清单, 责任清单), without Qt."""

from __future__ import annotations

import datetime as dt

from rectify_desktop.core import lists, stats
from rectify_desktop.core.models import DONE, Category, Item, Measure
from rectify_desktop.core.table import COLUMNS, KEYS, build_table


def test_ledger_sheet_keeps_the_tables_rows_and_chosen_columns(demo_ledger):
    table = build_table(1)
    sheet = lists.ledger_sheet(table, ("remarks", "seq", "item", "category"))
    assert sheet.keys == ("seq", "category", "item", "remarks")  # always in the order of COLUMNS
    assert sheet.headers == ("序号", "方面", "细化问题", "备注")
    assert sheet.span_keys == ("category",)
    assert [r.cells["item"] for r in sheet.rows] == [r.cells["item"] for r in table.rows]
    assert len(sheet.spans("category")) == Category.select().count()
    full = lists.ledger_sheet(table)
    assert full.headers == COLUMNS and full.span_keys == ("category", "finding")
    assert full.title == table.title


def test_problem_list_lists_every_item_under_its_finding_with_status(demo_ledger):
    table = build_table(1)
    sheet = lists.problem_list(table)
    assert sheet.title == "中共临川县教育局党组关于县委第三巡察组反馈意见问题清单"
    assert sheet.headers == ("序号", "方面", "问题", "细化问题", "责任部门", "整改时限", "整改状态")
    assert len(sheet.rows) == 29
    assert [r.cells["seq"] for r in sheet.rows] == [str(i) for i in range(1, 30)]
    # Overdue: "（已逾期）" under the deadline, as the printed ledger marks it; the status is the item's own.
    for r, t in zip(sheet.rows, table.rows, strict=True):
        marked = t.cells["deadline"] + "\n" + lists.OVERDUE_MARK
        assert r.cells["deadline"] == (marked if t.overdue else t.cells["deadline"])
        assert r.cells["status"] == t.cells["status"]
    assert any(t.overdue for t in table.rows)
    assert sum(s.last - s.first + 1 for s in sheet.spans("finding")) == 29


def test_task_list_has_a_row_per_measure(demo_ledger):
    table = build_table(1)
    sheet = lists.task_list(table)
    assert sheet.title.endswith("反馈意见整改任务清单")
    assert sheet.headers == ("序号", "细化问题", "整改措施", "责任领导", "责任部门", "责任人", "整改时限", "完成情况")
    with_measures = {m.item_id for m in Measure.select()}
    no_measure = Item.select().count() - len(with_measures)
    assert len(sheet.rows) == Measure.select().count() + no_measure
    first_item = table.rows[0]
    first_rows = [r for r in sheet.rows if r.groups["item"] == first_item.item_id]
    assert [r.cells["measure"][:2] for r in first_rows] == ["一是", "二是", "三是"][: len(first_rows)]
    assert first_rows[0].cells["item"].startswith("1.（1）")
    done = Measure.select().where(Measure.done == True).count()  # noqa: E712 - peewee expression
    assert sum(r.cells["done"].startswith("已完成") for r in sheet.rows) == done
    assert sum(r.cells["done"] == "未完成" for r in sheet.rows) == Measure.select().count() - done
    # The item, its leader, department, person and deadline span the item's measures.
    assert len(sheet.spans("item")) == len(sheet.spans("deadline")) == len(table.rows)
    # An overdue item's deadline is marked as in the other lists and the printed ledger.
    for t in table.rows:
        deadlines = {r.cells["deadline"] for r in sheet.rows if r.groups["item"] == t.item_id}
        assert deadlines == {t.cells["deadline"] + ("\n" + lists.OVERDUE_MARK if t.overdue else "")}


def test_task_list_shows_an_item_without_measures(demo_ledger):
    Measure.delete().where(Measure.item == build_table(1).rows[0].item_id).execute()
    sheet = lists.task_list(build_table(1))
    assert sheet.rows[0].cells["measure"] == "（尚未制定整改措施）" and sheet.rows[0].cells["done"] == ""


def test_responsibility_list_groups_by_department_then_person(demo_ledger):
    table = build_table(1)
    sheet = lists.responsibility_list(table)
    assert sheet.title.endswith("反馈意见整改责任清单")
    named = sum(len(lists.split_names(r.cells["department"])) for r in table.rows)
    assert len(sheet.rows) == named
    order = [r.cells["department"] for r in sheet.rows]
    # Each department's rows are together, in order of first appearance in the ledger.
    groups = [d for i, d in enumerate(order) if i == 0 or order[i - 1] != d]
    assert groups == lists.departments(table) and len(groups) == len(set(groups))
    for dept in groups:
        persons = [r.cells["person"] for r in sheet.rows if r.cells["department"] == dept]
        runs = [p for i, p in enumerate(persons) if i == 0 or persons[i - 1] != p]
        assert len(runs) == len(set(runs))
    shared = next(r for r in table.rows if "、" in r.cells["department"])
    lead, other = lists.split_names(shared.cells["department"])[:2]
    roles = {
        r.cells["department"]: r.cells["role"] for r in sheet.rows if r.cells["item"].endswith(shared.cells["item"])
    }
    assert roles[lead] == "牵头" and roles[other] == "配合"
    late = {t.cells["item"] for t in table.rows if t.overdue}
    for r in sheet.rows:
        assert r.cells["deadline"].endswith(lists.OVERDUE_MARK) == any(r.cells["item"].endswith(x) for x in late)
        assert "逾期" not in r.cells["status"]
    assert sheet.span_keys == ("department", "person")


def test_filters(demo_ledger):
    everything = build_table(1)
    not_done = build_table(1, keep=lists.row_filter(lists.NOT_DONE))
    assert len(not_done.rows) == Item.select().where(Item.status != DONE).count()
    overdue = build_table(1, keep=lists.row_filter(lists.OVERDUE))
    assert len(overdue.rows) == stats.compute(1).overdue > 0
    cat = Category.select().order_by(Category.position).first()
    one_cat = build_table(1, keep=lists.row_filter(lists.CATEGORY, str(cat.id)))
    assert one_cat.rows and {r.category_id for r in one_cat.rows} == {cat.id}
    finance = build_table(1, keep=lists.row_filter(lists.DEPARTMENT, "财务股"))
    expected = [r.item_id for r in everything.rows if "财务股" in lists.split_names(r.cells["department"])]
    assert [r.item_id for r in finance.rows] == expected
    assert any(r.cells["department"] != "财务股" for r in finance.rows)  # co-responsible items count too
    assert lists.row_filter(lists.ALL) is None
    assert lists.row_filter(lists.DEPARTMENT, "") is None


def test_build_sheet_and_labels(demo_ledger):
    sheet = lists.build_sheet(1, lists.LEDGER, columns=("seq", "item"), items=lists.NOT_DONE)
    assert sheet.keys == ("seq", "item") and len(sheet.rows) == Item.select().where(Item.status != DONE).count()
    assert lists.build_sheet(1, lists.TASKS).kind == lists.TASKS
    assert lists.filter_label(1, lists.ALL) == ""
    assert lists.filter_label(1, lists.NOT_DONE) == lists.ITEM_FILTERS[lists.NOT_DONE]
    assert lists.filter_label(1, lists.DEPARTMENT, "办公室") == "责任部门：办公室"
    cid, label = lists.category_choices(1)[0]
    assert lists.filter_label(1, lists.CATEGORY, cid) == label and label.startswith("（一）")
    assert "财务股" in lists.department_names(1) and "办公室、财务股" not in lists.department_names(1)
    assert lists.build_sheet(1, lists.LEDGER, items=lists.OVERDUE, today=dt.date(2000, 1, 1)).rows == []


def test_document_titles():
    t = "某局党组关于县委巡察组反馈意见整改落实台账"
    assert lists.document_title(t, lists.LEDGER) == t
    assert lists.document_title(t, lists.PROBLEMS) == "某局党组关于县委巡察组反馈意见问题清单"
    assert lists.document_title("审计整改台账", lists.RESPONSIBILITY) == "审计整改责任清单"
    assert lists.document_title("某某工作", lists.TASKS) == "某某工作整改任务清单"
    assert lists.split_names("基础教育股、办公室，财务股 / 人事股") == [
        "基础教育股",
        "办公室",
        "财务股",
        "人事股",
    ]
    assert set(KEYS) >= {"seq", "item", "measures"}
