"""Issue 18: everything else works the same on a server ledger. The demo ledger with its months of history, as
a file and pushed onto a server, gives EQUAL figures, tables, lists, histories, dates-as-of, trend and files
(Excel cell by cell, Word and text, the report, the change log's workbook, the evidence zip byte by byte, the
fill-out workbooks and the merge of one returned, the 汇总, the PDF page by page).

Each comparison opens the file, works, closes it, then does the same on the server (one ledger per process);
whatever differs is a SQLite-only query or a value the server hands back in another form.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import json
import re
import shutil
import uuid
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

import openpyxl
import pytest

from rectify_desktop import cli
from rectify_desktop.core import (
    asof,
    history,
    integrity,
    lists,
    outline,
    previous,
    results,
    search,
    stats,
    summary,
    table,
    timeline,
    transfer,
)
from rectify_desktop.core.commands import SetFields
from rectify_desktop.core.conflicts import ConflictError, UndoConflictError
from rectify_desktop.core.fillout import apply_plan
from rectify_desktop.core.ledger import Ledger
from rectify_desktop.core.models import FillOutRound, Item, Measure
from rectify_desktop.core.server import ServerAddress

TODAY = dt.date.today()


class Pair(NamedTuple):
    file: Path
    url: str


def _push(file: Path, url: str) -> None:
    transfer.push(file, ServerAddress.parse(url))


@pytest.fixture(scope="module")
def pair(pg_server, demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:  # noqa: ANN001
    """The demo as a file and on a server, for the comparisons that only read."""
    folder = tmp_path_factory.mktemp("parity")
    file = folder / "示例台账.db"
    shutil.copyfile(demo_template, file)
    name = f"parity_{uuid.uuid4().hex[:10]}"
    pg_server.create_database(name)
    try:
        _push(file, pg_server.url(name))
        yield Pair(file, pg_server.url(name))
    finally:
        pg_server.drop_database(name)


@pytest.fixture
def fresh_pair(pg_url: str, demo_path: Path) -> Pair:
    """The demo as a file and on a server of this test's own, for what writes (a report remembered, a round)."""
    _push(demo_path, pg_url)
    return Pair(demo_path, pg_url)


# --- what is compared -------------------------------------------------------------------------------------


def plain(x: Any) -> Any:
    """A value as comparable data: dataclasses, named tuples and rows as dicts, dates as text, a bool marked
    as a bool (the server's True must not pass for SQLite's 1 unnoticed)."""
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        return {f.name: plain(getattr(x, f.name)) for f in dataclasses.fields(x) if f.name != "parent"}
    if isinstance(x, tuple) and hasattr(x, "_fields"):
        return {k: plain(v) for k, v in zip(x._fields, x, strict=True)}
    if isinstance(x, dict):
        return {repr(plain(k)): plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [plain(v) for v in x]
    if isinstance(x, (set, frozenset)):
        return sorted((plain(v) for v in x), key=repr)
    if isinstance(x, bool):
        return ("bool", x)
    if isinstance(x, (dt.date, decimal.Decimal, Path)):
        return f"{type(x).__name__} {x}"
    if isinstance(x, (str, int, float)) or x is None:
        return x
    if hasattr(x, "__data__"):  # a peewee row
        return {k: plain(v) for k, v in x.__data__.items()}
    if hasattr(x, "__dict__"):
        return {k: plain(v) for k, v in vars(x).items() if not k.startswith("_") and k != "parent"}
    raise TypeError(f"cannot compare {type(x).__name__}")


def on_both(p: Pair, work: Callable[[Ledger], Any], *, readonly: bool = True) -> tuple[Any, Any]:
    out = []
    for target in (p.file, p.url):
        with Ledger.open(target, readonly=readonly) as led:
            out.append(work(led))
    return out[0], out[1]


def assert_same(a: Any, b: Any, what: str) -> None:
    if a != b:
        ta = json.dumps(a, ensure_ascii=False, default=str)
        tb = json.dumps(b, ensure_ascii=False, default=str)
        i = next((i for i, (x, y) in enumerate(zip(ta, tb, strict=False)) if x != y), min(len(ta), len(tb)))
        near = slice(max(0, i - 150), i + 150)
        raise AssertionError(f"{what} differs at {i}:\n file:   …{ta[near]}\n server: …{tb[near]}")


def _asof_days(insp: int) -> list[dt.date]:
    """Seven dates from the inspection's coming into the ledger to today."""
    start = asof.log_start(insp)
    assert start is not None and start[1] is not None, "the demo has its history"
    came = start[1]
    span = (TODAY - came).days
    assert span > 60, "months of history"
    return sorted({came + dt.timedelta(days=span * k // 6) for k in range(7)})


def _search(insp: int) -> Any:
    index = search.SearchIndex(TODAY)
    words = ("学习", "办公室", "制度 完成", "XYZ", "%", "_")
    queries = [search.Query(text=w) for w in words] + [
        search.Query(department="办公室"),
        search.Query(status="已完成"),
        search.Query(deadline=search.OVERDUE),
        search.Query(deadline=search.DUE_7),
        search.Query(writeoff=search.WRITTEN_OFF),
        search.Query(writeoff=search.PENDING),
        search.Query(inspection_id=insp, item_ids=(1, 2, 3)),
    ]
    names = [index.names(f) for f in ("department", "person", "leader")]
    return [index.items, names] + [sorted(index.match(q)) for q in queries]


def _outline_nodes(insp: int) -> Any:
    """The tree, and each node loaded alone (after an insert or an undone delete)."""
    loader = outline.OutlineLoader(TODAY)
    roots = loader.load()
    alone = [loader.load_node(outline.INSPECTION, insp, None)]
    alone += [loader.load_node(outline.ITEM, i.id, None) for i in Item.select().order_by(Item.id)]
    return [roots, alone]


def _previous(insp: int) -> Any:
    current = asof.figures_as_of(insp, TODAY, TODAY)
    days = [*_asof_days(insp), TODAY + dt.timedelta(days=1)]
    sentence = previous.compare(current, previous.previous_report(insp, TODAY)).sentence()
    return [previous.previous_report(insp, d) for d in days] + [sentence]


def _history_all(insp: int) -> Any:
    log = history.ledger_log()
    return [log, history.object_labels(log)]


# Each is asked of the ledger's first inspection; the names are the tests' ids.
_CORE: dict[str, Callable[[int], Any]] = {
    "stats": lambda insp: [stats.compute(None, TODAY), stats.compute(insp, TODAY)],
    "figures": lambda insp: stats.figures(insp, TODAY),
    "results": lambda insp: [results.compute(insp), results.compute(), results.sentence(results.compute(insp))],
    "table": lambda insp: table.build_table(insp, today=TODAY),
    "list ledger": lambda insp: lists.build_sheet(insp, lists.LEDGER, today=TODAY),
    "list problems": lambda insp: lists.build_sheet(insp, lists.PROBLEMS, today=TODAY),
    "list tasks": lambda insp: lists.build_sheet(insp, lists.TASKS, today=TODAY),
    "list responsibility": lambda insp: lists.build_sheet(insp, lists.RESPONSIBILITY, today=TODAY),
    "list not done": lambda insp: lists.build_sheet(insp, lists.TASKS, items=lists.NOT_DONE, today=TODAY),
    "list overdue": lambda insp: lists.build_sheet(insp, lists.LEDGER, items=lists.OVERDUE, today=TODAY),
    "choices": lambda insp: [lists.department_names(insp), lists.category_choices(insp)],
    "outline": _outline_nodes,
    "newly overdue": lambda insp: stats.newly_overdue(TODAY - dt.timedelta(days=60), TODAY),
    "search": _search,
    "history": _history_all,
    "history range": lambda insp: history.ledger_log(_asof_days(insp)[1], _asof_days(insp)[3]),
    "history text": lambda insp: [history.ledger_log(text=w) for w in ("完成", "李明 修改", "50%", "a_b", "Aa")],
    "history node": lambda insp: [
        history.node_log("inspection", insp),
        history.node_log("item", Item.select().order_by(Item.id).first().id),
    ],
    "history writeoff": lambda insp: [history.writeoff_steps(i.id) for i in Item.select().order_by(Item.id)],
    "asof": lambda insp: [asof.figures_as_of(insp, d, TODAY) for d in _asof_days(insp)],
    "timeline": lambda insp: timeline.timeline(insp, TODAY),
    "previous": _previous,
    "integrity": lambda insp: integrity.value_problems(),
}


def _core(led: Ledger) -> dict[str, Any]:
    insp = led.pick_inspection()
    out: dict[str, Any] = {}
    for key, work in _CORE.items():
        try:
            out[key] = plain(work(insp))
        except Exception as exc:  # noqa: BLE001 - one failure is that key's test's, not every key's
            out[key] = f"failed: {type(exc).__name__}: {exc}"
    return out


@pytest.fixture(scope="module")
def core_both(pair: Pair) -> tuple[dict[str, Any], dict[str, Any]]:
    return on_both(pair, _core)


@pytest.mark.parametrize("key", list(_CORE))
def test_core_gives_the_same_on_the_server(core_both, key: str) -> None:  # noqa: ANN001
    file, server = core_both
    assert_same(file[key], server[key], key)


def test_the_trend_has_the_demos_months_and_integrity_finds_nothing(core_both) -> None:  # noqa: ANN001
    _, server = core_both
    assert len(server["timeline"]) > 20
    assert server["integrity"] == []
    assert all(isinstance(a, dict) for a in server["asof"])


# --- files ------------------------------------------------------------------------------------------------


def xlsx_cells(path: Path) -> dict[str, Any]:
    wb = openpyxl.load_workbook(path)
    out: dict[str, Any] = {}
    for ws in wb.worksheets:
        cells = {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None}
        out[ws.title] = {"cells": plain(cells), "merged": sorted(str(r) for r in ws.merged_cells.ranges)}
    return out


def docx_text(path: Path) -> list[str]:
    import docx

    d = docx.Document(str(path))
    lines = [p.text for p in d.paragraphs]
    for t in d.tables:
        lines += [" | ".join(c.text for c in row.cells) for row in t.rows]
    for s in d.sections:
        lines += [p.text for p in s.header.paragraphs] + [p.text for p in s.footer.paragraphs]
    return lines


def run_cli(*args: str | Path) -> None:
    code = cli.main([str(a) for a in args])
    assert code == 0, args


def export_both(p: Pair, tmp_path: Path, name: str, *extra: str) -> tuple[Path, Path]:
    a, b = tmp_path / "file" / name, tmp_path / "server" / name
    for out in (a, b):
        out.parent.mkdir(parents=True, exist_ok=True)
    run_cli("export", p.file, a, *extra)
    run_cli("export", "--server", p.url, b, *extra)
    return a, b


def test_excel_export_is_the_same_cell_for_cell(pair: Pair, tmp_path: Path) -> None:
    a, b = export_both(pair, tmp_path, "台账.xlsx")
    assert_same(xlsx_cells(a), xlsx_cells(b), "台账.xlsx")


@pytest.mark.parametrize(
    "name,kind",
    [
        ("通报.docx", "notice"),
        ("通报.txt", "notice"),
        ("通报逐项.docx", "notice-full"),
        ("通报简要.txt", "notice-concise"),
        ("报告.docx", "report"),
        ("报告.txt", "report"),
    ],
)
def test_notice_is_the_same_text(pair: Pair, tmp_path: Path, name: str, kind: str) -> None:
    a, b = export_both(pair, tmp_path, name, "--kind", kind)
    if name.endswith(".txt"):
        assert a.read_text(encoding="utf-8") == b.read_text(encoding="utf-8")
    else:
        assert_same(docx_text(a), docx_text(b), name)


@pytest.mark.parametrize("name", ["进展报告.docx", "进展报告.xlsx"])
def test_progress_report_is_the_same_and_remembered_alike(fresh_pair: Pair, tmp_path: Path, name: str) -> None:
    p = fresh_pair
    days = on_both(p, lambda led: _asof_days(led.pick_inspection()))[0]
    for day in (days[3], TODAY):  # the second report has the first as its 上期
        a, b = tmp_path / "file" / f"{day}{name}", tmp_path / "server" / f"{day}{name}"
        a.parent.mkdir(exist_ok=True)
        b.parent.mkdir(exist_ok=True)
        run_cli("report", p.file, a, "--as-of", day.isoformat())
        run_cli("report", "--server", p.url, b, "--as-of", day.isoformat())
        if name.endswith(".docx"):
            assert_same(docx_text(a), docx_text(b), name)
        else:
            assert_same(xlsx_cells(a), xlsx_cells(b), name)
    remembered = on_both(p, lambda led: plain(previous.previous_report(led.pick_inspection(), TODAY)))
    assert remembered[0]["file_name"] == remembered[1]["file_name"]


def test_the_three_lists_as_workbooks_are_the_same(pair: Pair, tmp_path: Path) -> None:
    from rectify_desktop.io.sheet_export import write_sheet

    def work(led: Ledger) -> Any:
        insp = led.pick_inspection()
        out = {}
        for kind in (lists.LEDGER, lists.PROBLEMS, lists.TASKS, lists.RESPONSIBILITY):
            path = tmp_path / ("server" if led.server else "file") / f"{kind}.xlsx"
            path.parent.mkdir(exist_ok=True)
            write_sheet(lists.build_sheet(insp, kind, today=TODAY), path, unit="临川县教育局", today=TODAY)
            out[kind] = xlsx_cells(path)
        return out

    a, b = on_both(pair, work)
    assert_same(a, b, "三张清单")


def test_history_workbook_is_the_same(pair: Pair, tmp_path: Path) -> None:
    from rectify_desktop.io import history_export

    def work(led: Ledger) -> Any:
        out = tmp_path / ("server" if led.server else "file") / "修改记录.xlsx"
        out.parent.mkdir(exist_ok=True)
        n = history_export.export_log(out, title="修改记录", today=TODAY)
        words = history_export.LogFilter(text="完成")
        m = history_export.export_log(out.with_name("完成.xlsx"), words, title="修改记录", today=TODAY)
        return n, m, xlsx_cells(out), xlsx_cells(out.with_name("完成.xlsx"))

    a, b = on_both(pair, work)
    assert a[0] > 200 and a[1] > 0
    assert_same(a, b, "修改记录.xlsx")


def test_evidence_zip_has_the_same_members_and_bytes(pair: Pair, tmp_path: Path) -> None:
    a, b = export_both(pair, tmp_path, "佐证材料.zip")

    def members(path: Path) -> dict[str, bytes]:
        with zipfile.ZipFile(path) as z:
            return {i.filename: z.read(i) for i in z.infolist()}

    ma, mb = members(a), members(b)
    assert len(ma) > 3
    assert sorted(ma) == sorted(mb)
    for name in ma:
        if name.endswith(".xlsx"):  # the index workbook: written again, compared by its cells
            pa, pb = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
            pa.write_bytes(ma[name])
            pb.write_bytes(mb[name])
            assert_same(xlsx_cells(pa), xlsx_cells(pb), name)
        else:
            assert ma[name] == mb[name], name


@pytest.mark.parametrize("kind", ["台账", "问题清单", "任务清单", "责任清单"])
def test_printed_pdf_has_the_same_pages_and_text(pair: Pair, tmp_path: Path, cli, kind: str) -> None:  # noqa: ANN001
    from pypdf import PdfReader

    a, b = tmp_path / "file.pdf", tmp_path / "server.pdf"
    r = cli("export", pair.file, a, "--kind", kind)
    assert r.returncode == 0, r.stderr
    r = cli("export", "--server", pair.url, b, "--kind", kind)
    assert r.returncode == 0, r.stderr
    pa, pb = PdfReader(a), PdfReader(b)
    assert len(pa.pages) == len(pb.pages)
    assert [pg.extract_text() for pg in pa.pages] == [pg.extract_text() for pg in pb.pages]


def test_summary_pdf_of_a_server_ledger_is_the_file_s(pair: Pair, tmp_path: Path, cli) -> None:  # noqa: ANN001
    from pypdf import PdfReader

    a, b = tmp_path / "file.pdf", tmp_path / "server.pdf"
    r = cli("summary", a, pair.file, "--today", TODAY.isoformat())
    assert r.returncode == 0, r.stderr
    r = cli("summary", b, pair.url, "--today", TODAY.isoformat())
    assert r.returncode == 0, r.stderr
    pa, pb = PdfReader(a), PdfReader(b)
    assert len(pa.pages) == len(pb.pages)
    assert [pg.extract_text() for pg in pa.pages] == [pg.extract_text() for pg in pb.pages]


# --- the monthly round --------------------------------------------------------------------------------------


def _books(folder: Path) -> dict[str, Path]:
    return {p.name: p for p in sorted(folder.glob("*.xlsx"))}


def _without_token(cells: dict[str, Any], tokens: set[str]) -> dict[str, Any]:
    """The round's token taken out, the rows' keys' hashes made with it (core.fillout.state_hash: whether each
    still matches its row is what the merge of the returned workbook shows), and the second it was written."""
    text = json.dumps(cells, ensure_ascii=False)
    for t in tokens:
        text = text.replace(t, "«token»")
    text = re.sub(r'"(\d+-)?([0-9a-f]{16}|[0-9a-f]{64})"', r'"\1«hash»"', text)  # and a workbook's SHA-256
    return json.loads(re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", "«exported at»", text))


def _tokens(led: Ledger) -> set[str]:
    """The round's token, and the ledger's 台账标识: the demo has none until its first round, which makes one
    of its own in each."""
    from rectify_desktop.core import settings

    return {r.token for r in FillOutRound.select()} | {settings.get("ledger_id")}


@pytest.mark.parametrize("by", ["leader", "person"])
def test_fill_out_by_leader_or_person_is_the_same(fresh_pair: Pair, tmp_path: Path, by: str) -> None:
    p = fresh_pair
    a, b = tmp_path / "file", tmp_path / "server"
    run_cli("fill-out", p.file, a, "--by", by, "--deadline", (TODAY + dt.timedelta(days=7)).isoformat())
    run_cli("fill-out", "--server", p.url, b, "--by", by, "--deadline", (TODAY + dt.timedelta(days=7)).isoformat())
    ta, tb = on_both(p, _tokens)
    ba, bb = _books(a), _books(b)
    assert sorted(ba) == sorted(bb) and len(ba) >= 3
    for name in ba:
        assert_same(_without_token(xlsx_cells(ba[name]), ta), _without_token(xlsx_cells(bb[name]), tb), name)


def test_fill_out_and_merge_work_alike(fresh_pair: Pair, tmp_path: Path) -> None:
    from tests.io.test_fillout import answer, sendable

    p = fresh_pair
    a, b = tmp_path / "file", tmp_path / "server"
    run_cli("fill-out", p.file, a, "--by", "department")
    run_cli("fill-out", "--server", p.url, b, "--by", "department")
    ta, tb = on_both(p, _tokens)
    assert len(ta) == len(tb) == 2 and not ta & tb
    ba, bb = _books(a), _books(b)
    assert sorted(ba) == sorted(bb) and len(ba) >= 5
    for name in ba:
        assert_same(
            _without_token(xlsx_cells(ba[name]), ta), _without_token(xlsx_cells(bb[name]), tb), f"填报表 {name}"
        )

    # The same answers written into both rounds' workbooks, merged into each through the door.
    def answers(led: Ledger) -> list[tuple[str, int]]:
        out = []
        for name in sorted(ba):
            mine = sendable(name.split("-")[0])
            if mine:
                out.append((name, mine[0]))
        return out

    chosen = on_both(p, answers)
    assert chosen[0] == chosen[1] and len(chosen[0]) >= 3
    for books in (ba, bb):
        for n, (name, iid) in enumerate(chosen[0]):
            cells: dict[str, Any] = {"整改进展": f"第{n}份：已召开专题会议", "措施1": "已完成"}
            if n % 2 == 0:
                cells["完成情况"] = "已完成"
            answer(books[name], iid, **cells)

    def merge(books: dict[str, Path]) -> Callable[[Ledger], Any]:
        def work(led: Ledger) -> Any:
            from rectify_desktop.io.fillout_merge import read_returns

            plan = read_returns(list(books.values()))
            shown = {iid: Item.get_by_id(iid) for _, iid in chosen[0]}  # as another window's form shows them
            cmd = apply_plan(plan, plan.default_accepted())
            led.apply(cmd)
            # An edit begun before the merge on what it changed is a conflict, not a silent overwrite of it.
            for iid, row in shown.items():
                with pytest.raises(ConflictError):
                    led.apply(SetFields(Item, iid, {"progress": "表单中未保存的旧内容"}, seen=row))
            changed = _snapshot()["changed"]
            led.revert(cmd)  # nobody changed them since: the merge is undone, and done again
            assert _snapshot()["changed"] == 0
            led.apply(cmd)
            assert _snapshot()["changed"] == changed
            return plan.to_json(), _snapshot(), cmd

        return work

    with Ledger.open(p.file) as led:
        merged_a = merge(ba)(led)
    with Ledger.open(p.url) as led:
        merged_b = merge(bb)(led)
    plan_a, plan_b = (_without_token(plain(m[0]), ta | tb) for m in (merged_a, merged_b))
    plan_b = json.loads(json.dumps(plan_b, ensure_ascii=False).replace(str(b), str(a)))
    assert_same(plan_a, plan_b, "merge plan")
    assert merged_a[1]["changed"] > 0
    assert_same(merged_a[1], merged_b[1], "ledger after the merge")
    # On the server someone changes an answer afterwards: undoing the merge would overwrite it, and is refused.
    iid = chosen[0][0][1]
    with Ledger.open(p.url) as led:
        led.apply(SetFields(Item, iid, {"progress": "他人随后修改"}))
        with pytest.raises(UndoConflictError) as refused:
            led.revert(merged_b[2])
        assert "他人随后修改" in str(refused.value) and "撤销未执行" in str(refused.value)
        assert Item.get_by_id(iid).progress == "他人随后修改"
        assert _snapshot()["changed"] == merged_b[1]["changed"] - 1


def _snapshot() -> dict[str, Any]:
    items = {i.id: (i.progress, i.status, i.completed_date, i.remarks, i.row_version) for i in Item.select()}
    measures = {m.id: (m.done, m.done_date, m.text) for m in Measure.select()}
    changed = sum(1 for i in Item.select() if i.progress.startswith("第"))
    return {"items": plain(items), "measures": plain(measures), "changed": changed, "table": plain(_core_table())}


def _core_table() -> Any:
    from rectify_desktop.core.models import Inspection

    insp = Inspection.select().first().id
    return table.build_table(insp, today=TODAY)


# --- 汇总 ---------------------------------------------------------------------------------------------------


def test_summary_takes_a_server_ledger_as_an_input(pair: Pair, tmp_path: Path) -> None:
    from_file = summary.collect([pair.file], today=TODAY)
    from_server = summary.collect([pair.url], today=TODAY)
    assert not from_server.not_summed, from_server.not_summed
    assert len(from_server.rows) == len(from_file.rows) == 1

    def rows(s: summary.Summary) -> Any:
        return [{k: v for k, v in plain(r).items() if k != "path"} for r in [*s.rows, s.totals]]

    assert_same(rows(from_file), rows(from_server), "汇总")
    assert ServerAddress.parse(pair.url).label() in str(from_server.rows[0].path)
    # Both at once are the same ledger (its 台账标识): counted once, the other listed.
    both = summary.collect([pair.file, pair.url], today=TODAY)
    assert len(both.rows) == 1 and len(both.not_summed) == 1
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    run_cli("summary", a, pair.file, "--today", TODAY.isoformat())
    run_cli("summary", b, pair.url, "--today", TODAY.isoformat())
    ca, cb = xlsx_cells(a), xlsx_cells(b)
    assert_same(ca, cb, "汇总表.xlsx")
    assert not Path(pair.url).exists()


def test_a_server_that_cannot_be_reached_is_listed_not_summed(tmp_path: Path) -> None:
    from tests.pgserver import free_port

    s = summary.collect([f"postgresql://nobody@127.0.0.1:{free_port()}/none"], today=TODAY)
    assert not s.rows and len(s.not_summed) == 1
    assert "无法连接服务器" in s.not_summed[0].reason


# --- importing --------------------------------------------------------------------------------------------

# What an import makes, compared: not the change log (its times and users are the import's own).
_IMPORTED = ["stats", "figures", "results", "table", "list ledger", "list tasks", "outline", "search", "integrity"]


@pytest.mark.parametrize("name", ["台账.xlsx", "台账.txt"])
def test_import_into_a_server_ledger_makes_what_it_makes_in_a_file(
    pair: Pair, pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    source = tmp_path / name
    run_cli("export", pair.file, source, *(["--kind", "notice"] if name.endswith(".txt") else []))
    monkeypatch.chdir(tmp_path)  # where a server's address taken for a file name would make a file
    Ledger.create(pg_url).close()
    target = Pair(tmp_path / "新台账.db", pg_url)
    run_cli("import", target.file, source)
    run_cli("import", "--server", pg_url, source)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([name, "新台账.db"])
    a, b = on_both(target, _core)
    assert "failed" not in str(a["table"])
    for key in _IMPORTED:
        assert_same(a[key], b[key], key)


def test_import_says_the_server_it_imported_into(pair: Pair, pg_url: str, tmp_path: Path, capsys) -> None:  # noqa: ANN001
    source = tmp_path / "台账.xlsx"
    run_cli("export", pair.file, source)
    Ledger.create(pg_url).close()
    capsys.readouterr()
    run_cli("import", "--server", pg_url, source, "--json")
    out = json.loads(capsys.readouterr().out)
    assert out["ledger"] == ServerAddress.parse(pg_url).label()
    assert out["summary"].endswith(ServerAddress.parse(pg_url).label())


def test_merge_on_the_command_line_names_the_server(fresh_pair: Pair, tmp_path: Path, capsys) -> None:  # noqa: ANN001
    from tests.io.test_fillout import answer, sendable

    url = fresh_pair.url.replace("rectify@", "rectify:not-shown@")  # a password given in the address
    run_cli("fill-out", "--server", url, tmp_path, "--by", "department")
    book = next(p for p in _books(tmp_path).values() if p.name.startswith("财务股"))
    with Ledger.open(fresh_pair.url, readonly=True):
        iid = sendable("财务股")[0]
    answer(book, iid, 整改进展="命令行合并到服务器")
    capsys.readouterr()
    run_cli("merge", "--server", url, book)
    out = capsys.readouterr().out
    assert f"已合并 1 处修改到台账：{ServerAddress.parse(url).label()}" in out
    assert "not-shown" not in out
    with Ledger.open(fresh_pair.url, readonly=True):
        assert Item.get_by_id(iid).progress == "命令行合并到服务器"


# --- edits made on each ---------------------------------------------------------------------------------

_AFTER_EDITS = [k for k in _CORE if not k.startswith("history") and k != "previous"]


def _edit(led: Ledger) -> None:
    """Today's work of a clerk, through the door: statuses and a deadline changed, an item added, one deleted,
    one moved to another finding, a measure ticked, a write-off applied for, 整改成效 entered, one edit undone."""
    from rectify_desktop.core import ops
    from rectify_desktop.core.models import WO_APPLY, Finding

    items = [i for i in Item.select().order_by(Item.id) if not ops.writeoff_state(i.id)]  # 已销号 are locked
    findings = list(Finding.select().order_by(Finding.id))
    led.apply(ops.set_fields(Item, items[0].id, {"status": "已完成"}))
    led.apply(ops.set_fields(Item, items[1].id, {"status": "正在推进", "progress": "推进中"}))
    led.apply(ops.set_fields(Item, items[2].id, {"deadline_date": TODAY - dt.timedelta(days=3)}))
    undone = ops.set_fields(Item, items[3].id, {"status": "已完成"})
    led.apply(undone)
    led.revert(undone)
    led.apply(ops.add_item(findings[0].id, "今天新增的细化问题", department="办公室"))
    led.apply(ops.delete(Item, items[5].id))
    led.apply(ops.move_to(Item, items[6].id, findings[-1].id))
    measure = next(m for m in Measure.select().order_by(Measure.id) if not m.done and m.item_id == items[4].id)
    led.apply(ops.set_fields(Measure, measure.id, {"done": True}))
    done = next(i for i in Item.select().order_by(Item.id) if i.status == "已完成" and i.id in {j.id for j in items})
    led.apply(ops.write_off(done.id, WO_APPLY, "李明", TODAY))
    led.apply(ops.add_money(kind="追缴", amount="1.5", item_id=items[0].id, date=TODAY))


def test_edits_made_alike_on_each_give_the_same(fresh_pair: Pair) -> None:
    def work(led: Ledger) -> dict[str, Any]:
        _edit(led)
        return _core(led)

    a, b = on_both(fresh_pair, work, readonly=False)
    for key in _AFTER_EDITS:
        assert "failed" not in str(a[key])[:20], (key, a[key])
        assert_same(a[key], b[key], key)
