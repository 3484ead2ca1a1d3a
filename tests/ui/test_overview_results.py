"""总览's 整改成效 block: its figures equal `stats --json`'s `results`, each figure shows exactly the items behind it,
and the block follows the entries as they are added and undone."""

from __future__ import annotations

import json
from decimal import Decimal

from rectify_desktop.core import ops
from rectify_desktop.core.models import Item, MoneyEntry
from rectify_desktop.ui.overview import RULES_KIND

GROUPS = ("accountability", "money", "audit", "rules", "meetings")


def _expected(results: dict) -> dict[tuple[str, str], tuple[str, tuple[int, ...]]]:
    """What the block must show, read from `stats --json` alone: (group, kind) -> (the figure's text, its items).
    Kinds whose figure is zero are left out, as in a notice."""
    out: dict[tuple[str, str], tuple[str, tuple[int, ...]]] = {}
    for kind, v in results["accountability"].items():
        if v["people"]:
            out[("accountability", kind)] = (f"{v['people']}人", tuple(v["items"]))
    for group in ("money", "audit"):
        for kind, v in results[group].items():
            amount = Decimal(v["amount"])
            if amount:
                out[(group, kind)] = (f"{format(amount.normalize(), 'f')}万元", tuple(v["items"]))
    if results["rules"]["count"]:
        out[("rules", "制度")] = (f"{results['rules']['count']}项", tuple(results["rules"]["items"]))
    for kind, v in results["meetings"].items():
        if v["count"]:
            out[("meetings", kind)] = (f"{v['count']}次", tuple(v["items"]))
    return out


def _shown(page) -> dict[tuple[str, str], tuple[str, tuple[int, ...]]]:
    return {key: (fig.value, fig.items) for key, fig in page.results.figures.items()}


def _stats_results(cli, path) -> dict:
    out = cli("stats", path, "--json")
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)["results"]


def test_block_equals_stats_json(window, demo_path, cli):
    results = _stats_results(cli, demo_path)
    window.open_ledger(demo_path)
    page = window.show_page("overview")
    expected = _expected(results)
    assert {g for g, _k in expected} == set(GROUPS)  # the demo has every group, so each is compared
    assert _shown(page) == expected
    # The figures read in the notice's order within each group, as `stats --json` lists them.
    for group in GROUPS:
        assert [k for g, k in page.results.figures if g == group] == [k for g, k in expected if g == group]
    assert page.results.empty.isHidden()


def test_each_figure_shows_exactly_its_items(window, demo_path, cli):
    results = _stats_results(cli, demo_path)
    window.open_ledger(demo_path)
    page = window.show_page("overview")
    linked = unlinked = 0
    for (group, kind), (text, items) in _expected(results).items():
        window.show_page("overview")
        window.search.clear()
        caption = page.results.figures[(group, kind)].caption
        shown = page.show_result(group, kind)
        if items:
            linked += 1
            assert shown == len(items), (group, kind)
            assert window.search.matches == set(items), (group, kind)
            assert window.search.scope_label.text() == f"范围：整改成效 {caption} {text}（{len(items)}项细化问题）"
            assert window.statusBar().currentMessage() == f"筛选结果：{len(items)} 项细化问题"
        else:
            # Recorded for the whole inspection (or a register entry tied to no item): no item to show, so the
            # tree keeps every row and a line says why.
            unlinked += 1
            assert shown == 0
            assert window.search.matches is None, (group, kind)
            where = "制度与会议" if group in ("rules", "meetings") else "整个巡察"
            assert where in window.statusBar().currentMessage(), (group, kind)
            assert not page.results.figures[(group, kind)].linked
    assert linked and unlinked  # the demo has both kinds of figure


def test_block_follows_a_money_entry_and_its_undo(window, demo_path, cli, qtbot):
    before = _expected(_stats_results(cli, demo_path))
    window.open_ledger(demo_path)
    page = window.show_page("overview")
    assert ("money", "追缴") not in page.results.figures
    item = Item.select().order_by(Item.id.desc()).first()
    assert window.bridge.push(ops.add_money(kind="追缴", amount="1.25", item_id=item.id))
    qtbot.waitUntil(lambda: ("money", "追缴") in page.results.figures)
    after = _expected(_stats_results(cli, demo_path))
    assert after[("money", "追缴")] == ("1.25万元", (item.id,))
    assert _shown(page) == after
    # The new figure is a link like the others.
    assert page.show_result("money", "追缴") == 1
    assert window.search.matches == {item.id}
    window.undo_stack.undo()
    assert MoneyEntry.select().where(MoneyEntry.kind == "追缴").count() == 0
    qtbot.waitUntil(lambda: ("money", "追缴") not in page.results.figures)
    assert _shown(page) == before
    window.undo_stack.redo()
    qtbot.waitUntil(lambda: ("money", "追缴") in page.results.figures)
    assert _shown(page) == after


def test_a_ledger_with_no_results_says_so_quietly(window, ledger, ledger_path):
    ledger.apply(ops.add_inspection("某局巡察整改台账"))
    ledger.close()
    window.open_ledger(ledger_path)
    page = window.show_page("overview")
    assert page.results.figures == {}
    assert not page.results.empty.isHidden()
    assert "尚未记录整改成效" in page.results.empty.text()


def test_block_follows_accountability_and_the_registers(window, demo_path, cli, qtbot):
    from rectify_desktop.core.models import Institution, Meeting

    window.open_ledger(demo_path)
    page = window.show_page("overview")
    assert ("accountability", "组织处理") not in page.results.figures
    # An entry of the whole inspection: a figure, not a link.
    assert window.bridge.push(ops.add_accountability(kind="组织处理", people="３", inspection_id=1))
    qtbot.waitUntil(lambda: ("accountability", "组织处理") in page.results.figures)
    fig = page.results.figures[("accountability", "组织处理")]
    assert (fig.value, fig.items, fig.linked) == ("3人", (), False)
    # The registers count as they change: a meeting and a rule removed.
    meeting = Meeting.select().order_by(Meeting.id).first()
    assert window.bridge.push(ops.delete(Meeting, meeting.id))
    assert window.bridge.push(ops.delete(Institution, Institution.select().first().id))
    expected = _expected(_stats_results(cli, demo_path))
    qtbot.waitUntil(lambda: _shown(page) == expected)
    assert expected[("rules", RULES_KIND)][0] == f"{Institution.select().count()}项"


def test_an_edit_elsewhere_keeps_the_figures(window, demo_path, qtbot):
    # A keystroke in a form refreshes the page: the 整改成效 figures, unchanged, stay the same buttons (a figure the
    # clerk tabbed to keeps its focus) while the headline figures follow the edit.
    from rectify_desktop.core.models import DONE

    window.open_ledger(demo_path)
    page = window.show_page("overview")
    before = dict(page.results.figures)
    done = page.figures["done"].value
    item = Item.select().where(Item.status != DONE).first()
    assert window.bridge.push(ops.set_fields(Item, item.id, {"status": DONE}))
    qtbot.waitUntil(lambda: page.figures["done"].value != done)
    assert page.results.figures == before
    assert all(page.results.figures[k] is fig for k, fig in before.items())
