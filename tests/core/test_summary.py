"""The 汇总 of many units' ledgers (issue 17): exact figures, inputs left out with the reason, inputs never
changed, and the window's open ledger left bound to its own file."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import sqlite3
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest

from rectify_desktop.core import results, settings, stats, storage, summary
from rectify_desktop.core.ledger import Ledger
from rectify_desktop.core.models import (
    DONE,
    IN_PROGRESS,
    NOT_STARTED,
    ONGOING,
    WO_APPLY,
    WO_APPROVE,
    Accountability,
    Category,
    ChangeLog,
    Finding,
    Inspection,
    Institution,
    Item,
    Meeting,
    MoneyEntry,
    Setting,
    WriteOff,
    db,
)

TODAY = dt.date(2026, 6, 1)
PAST = dt.date(2026, 5, 1)  # before TODAY: an item not done with it is overdue
FUTURE = dt.date(2026, 9, 30)


@dataclass
class UnitSpec:
    """A unit's ledger to generate: its items' (status, deadline), findings of `per_finding` items each."""

    unit: str
    items: list[tuple[str, dt.date | None]]
    per_finding: int = 2
    ledger_id: str = ""
    last_change: dt.datetime = dt.datetime(2026, 5, 20, 9, 0)
    approved: int = 0  # the first N items written off (批准)
    pending: int = 0  # then N items with only an application (申请): not written off
    accountability: dict[str, int] = field(default_factory=dict)
    money: dict[str, int] = field(default_factory=dict)  # in 元
    rules: int = 0
    meetings: dict[str, int] = field(default_factory=dict)
    body: str = "县委第一巡察组"


def make_unit(path: Path, spec: UnitSpec) -> Path:
    """A real ledger file with exactly the figures of `spec` (rows written as the benchmarks' generator does)."""
    ledger = Ledger.create(path)
    try:
        with db.atomic():
            insp = Inspection.create(
                title=f"{spec.unit}巡察整改台账",
                inspected_unit=spec.unit,
                inspecting_body=spec.body,
                feedback_date=dt.date(2026, 1, 10),
            )
            cat = Category.create(inspection=insp, title="落实主体责任方面")
            item_ids = []
            for n, (status, deadline) in enumerate(spec.items):
                if n % spec.per_finding == 0:
                    fid = Finding.create(
                        inspection=insp, category=cat, number=n // spec.per_finding + 1, title=f"问题{n}"
                    )
                item_ids.append(
                    Item.create(
                        finding=fid,
                        number=n % spec.per_finding + 1,
                        title=f"{spec.unit}细化问题{n + 1}",
                        status=status,
                        deadline_date=deadline,
                        department="办公室",
                        person="李明",
                    ).id
                )
            for i in item_ids[: spec.approved]:
                WriteOff.create(item=i, action=WO_APPLY)
                WriteOff.create(item=i, action=WO_APPROVE)
            for i in item_ids[spec.approved : spec.approved + spec.pending]:
                WriteOff.create(item=i, action=WO_APPLY)
            for kind, people in spec.accountability.items():
                Accountability.create(inspection=insp, kind=kind, people=people)
            for kind, amount in spec.money.items():
                MoneyEntry.create(inspection=insp, kind=kind, amount=amount)
            for n in range(spec.rules):
                Institution.create(inspection=insp, title=f"制度{n}")
            for kind, count in spec.meetings.items():
                for _ in range(count):
                    Meeting.create(inspection=insp, kind=kind)
            if spec.ledger_id:
                Setting.create(key="ledger_id", value=spec.ledger_id)
            ChangeLog.create(at=spec.last_change, action="新增", entity="巡察", summary="生成")
    finally:
        ledger.close()
    return path


SPECS = [
    UnitSpec(
        "甲县教育局",
        [(DONE, PAST), (DONE, None), (IN_PROGRESS, PAST), (NOT_STARTED, FUTURE), (ONGOING, PAST)],
        ledger_id="id-a",
        approved=2,
        accountability={"批评教育": 3, "诫勉": 1},
        money={"追回": 238000},
        rules=2,
        meetings={"民主生活会": 1},
    ),
    UnitSpec(
        "乙县财政局",
        [(DONE, PAST), (NOT_STARTED, PAST), (NOT_STARTED, PAST), (IN_PROGRESS, FUTURE)],
        per_finding=1,
        ledger_id="id-b",
        approved=1,
        pending=1,
        accountability={"批评教育": 2},
        money={"追回": 12000, "清退": 5000},
        rules=1,
        meetings={"民主生活会": 1, "专题会议": 2},
    ),
    UnitSpec(
        "丙县卫健委",
        [(DONE, PAST), (DONE, PAST), (DONE, None)],
        per_finding=3,
        ledger_id="id-c",
        approved=3,
    ),
]

# (unit, findings, items, done, in_progress, ongoing, not_started, overdue, written_off, completion_whole)
EXPECTED = {
    "甲县教育局": (3, 5, 2, 1, 1, 1, 1, 2, 40),
    "乙县财政局": (4, 4, 1, 1, 0, 2, 2, 1, 25),
    "丙县卫健委": (1, 3, 3, 0, 0, 0, 0, 3, 100),
}
FIELDS = ("findings", "items", "done", "in_progress", "ongoing", "not_started", "overdue", "written_off")


def figures(row: summary.UnitRow) -> tuple[int, ...]:
    return tuple(getattr(row, f) for f in FIELDS) + (row.completion_whole,)


def sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


@pytest.fixture
def units(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "各单位"
    (folder / "子目录").mkdir(parents=True)
    return [
        make_unit(folder / "甲.db", SPECS[0]),
        make_unit(folder / "乙.zgtz", SPECS[1]),
        make_unit(folder / "子目录" / "丙.db", SPECS[2]),
    ]


def test_three_ledgers_summed_exactly(units: list[Path]) -> None:
    before = {p: sha(p) for p in units}
    s = summary.collect([units[0].parent], today=TODAY)  # the folder, searched recursively
    assert s.not_summed == []
    assert {r.unit: figures(r) for r in s.rows} == EXPECTED
    assert [r.unit for r in s.rows] == sorted(EXPECTED)
    assert figures(s.totals) == (8, 12, 6, 2, 1, 3, 3, 6, 50)
    assert s.totals.unit == "合计"
    assert s.headline() == (
        "本轮巡察反馈的8个问题细化为12项，完成整改6项，基本完成并持续整改1项，未完成5项，总体完成率50%"
    )
    total = s.total_results()
    assert {k: c.count for k, c in total.accountability.items()} == {"诫勉": 1, "批评教育": 5}
    assert list(total.accountability) == ["诫勉", "批评教育"]  # the notice's order
    assert {k: a.amount for k, a in total.money.items()} == {"清退": Decimal("0.5"), "追回": Decimal("25")}
    assert total.rules.count == 3
    assert {k: c.count for k, c in total.meetings.items()} == {"民主生活会": 2, "专题会议": 2}
    assert results.sentence(total) == (
        "在整改工作中，给予诫勉1人，批评教育5人；制定及修改完善制度3项，清退资金0.5万元，追回资金25万元；"
        "召开民主生活会2次，专题会议2次。"
    )
    assert {p: sha(p) for p in units} == before
    assert sorted(q.name for q in units[0].parent.rglob("*")) == sorted(["乙.zgtz", "丙.db", "子目录", "甲.db"])


def test_each_row_agrees_with_the_ledgers_own_figures(demo_path: Path) -> None:
    """The summary counts as stats.compute and results.compute do, on the demo ledger's whole history."""
    row = summary.collect([demo_path], today=TODAY).rows[0]
    with Ledger.open(demo_path, readonly=True) as led:
        iid = led.pick_inspection()
        st = stats.compute(iid, TODAY, settings.get_int("immediate_days"))
        assert row.results == results.compute(iid).to_json()
    assert figures(row) == (
        st.findings,
        st.items,
        st.done,
        st.status[IN_PROGRESS],
        st.status[ONGOING],
        st.status[NOT_STARTED],
        st.overdue,
        st.written_off,
        st.completion_whole,
    )
    assert len(row.overdue_items) == st.overdue
    assert row.last_change is not None


def test_duplicates_corrupt_newer_and_foreign_listed_not_summed(units: list[Path], tmp_path: Path) -> None:
    import openpyxl

    other = tmp_path / "其他"
    other.mkdir()
    older = make_unit(
        other / "甲-上月.db",
        UnitSpec("甲县教育局", [(NOT_STARTED, PAST)], ledger_id="id-a", last_change=dt.datetime(2026, 4, 1)),
    )
    corrupt = other / "坏的.db"
    shutil.copyfile(units[1], corrupt)
    data = bytearray(corrupt.read_bytes())
    data[4096:] = b"\xff" * (len(data) - 4096)  # every page but the first overwritten
    corrupt.write_bytes(bytes(data))
    newer = other / "新版本.db"
    shutil.copyfile(units[2], newer)
    con = sqlite3.connect(newer)
    con.execute(f"PRAGMA user_version = {storage.SCHEMA_VERSION + 1}")
    con.close()
    random_xlsx = other / "通讯录.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["姓名", "电话"])
    wb.active.append(["张三", "123"])
    wb.save(random_xlsx)
    text = other / "说明.db"
    text.write_text("不是数据库", encoding="utf-8")
    inputs = [*units, older, corrupt, newer, random_xlsx, text, other / "不存在.db"]
    before = {p: sha(p) for p in inputs if p.exists()}

    s = summary.collect(inputs, today=TODAY)

    assert {r.unit: figures(r) for r in s.rows} == EXPECTED  # the older copy of 甲 is not counted
    reasons = {n.path.name: n.reason for n in s.not_summed}
    assert set(reasons) == {"甲-上月.db", "坏的.db", "新版本.db", "通讯录.xlsx", "说明.db", "不存在.db"}
    assert reasons["甲-上月.db"].startswith("重复") and "甲.db" in reasons["甲-上月.db"]
    assert reasons["坏的.db"].startswith("已损坏")
    assert reasons["新版本.db"].startswith("文件版本较新")
    assert reasons["通讯录.xlsx"].startswith("不是台账")
    assert reasons["说明.db"].startswith("不是台账")
    assert "找不到" in reasons["不存在.db"]
    assert {p: sha(p) for p in inputs if p.exists()} == before


def test_the_newest_copy_is_kept_whichever_comes_first(tmp_path: Path) -> None:
    old = make_unit(tmp_path / "a.db", UnitSpec("丁局", [(DONE, None)], ledger_id="same"))
    new = make_unit(
        tmp_path / "b.db",
        UnitSpec("丁局", [(DONE, None), (IN_PROGRESS, None)], ledger_id="same", last_change=dt.datetime(2026, 5, 30)),
    )
    for order in ([old, new], [new, old]):
        s = summary.collect(order, today=TODAY)
        assert [(r.path, r.items) for r in s.rows] == [(new, 2)]
        assert [n.path for n in s.not_summed] == [old]


def test_windows_open_ledger_keeps_its_binding(units: list[Path], tmp_path: Path) -> None:
    """With a ledger open in the window (the global db), summing other files and that very file leaves the
    window reading and writing its own ledger; the open ledger's unsaved (-wal) edits are summed too."""
    from rectify_desktop.core import ops

    own = make_unit(tmp_path / "本单位.db", UnitSpec("本单位", [(NOT_STARTED, FUTURE)]))
    with Ledger.open(own) as led:
        item = Item.get()
        led.apply(ops.set_fields(Item, item.id, {"status": DONE}, TODAY))
        assert storage.pending_wal(own) > 0
        bound = (db.database, {m: m._meta.database for m in (Item, Inspection, Setting)})
        s = summary.collect([*units, own], today=TODAY)
        assert {r.unit: r.done for r in s.rows}["本单位"] == 1
        assert (db.database, {m: m._meta.database for m in (Item, Inspection, Setting)}) == bound
        assert not db.is_closed()
        assert [i.title for i in Item.select()] == ["本单位细化问题1"]
        led.apply(ops.set_fields(Item, item.id, {"title": "改过的标题"}))
        assert Item.get_by_id(item.id).title == "改过的标题"
        assert Inspection.select().count() == 1
    with Ledger.open(own, readonly=True):
        assert Item.get().title == "改过的标题"


def test_locked_ledger_is_read(units: list[Path]) -> None:
    """A ledger a writer holds (its .lock taken) is still summed."""
    lock = storage.FileLock(units[0])
    assert lock.acquire()
    try:
        s = summary.collect(units, today=TODAY)
    finally:
        lock.release()
    assert {r.unit: figures(r) for r in s.rows} == EXPECTED


def test_progress_is_reported_per_file(units: list[Path]) -> None:
    seen: list[tuple[int, int]] = []
    summary.collect(units, today=TODAY, progress=lambda n, total: seen.append((n, total)))
    assert seen == [(1, 3), (2, 3), (3, 3)]


def test_exported_workbook_is_summed(units: list[Path], tmp_path: Path) -> None:
    from rectify_desktop.io.xlsx_export import export_workbook

    out = tmp_path / "乙县财政局台账.xlsx"
    with Ledger.open(units[1], readonly=True) as led:
        export_workbook(led.pick_inspection(), out, today=TODAY)
    before = sha(out)
    s = summary.collect([out], today=TODAY)
    assert s.not_summed == []
    (row,) = s.rows
    assert row.source == "工作簿" and row.inspection_id is None
    assert figures(row) == EXPECTED["乙县财政局"]
    res = summary.results_from_json(row.results)
    assert {k: c.count for k, c in res.accountability.items()} == {"批评教育": 2}
    assert {k: a.amount for k, a in res.money.items()} == {"清退": Decimal("0.5"), "追回": Decimal("1.2")}
    assert res.rules.count == 1
    assert {k: c.count for k, c in res.meetings.items()} == {"民主生活会": 1, "专题会议": 2}
    assert sha(out) == before


def test_copies_of_a_ledger_that_never_had_an_id_count_once(demo_path: Path, units: list[Path], tmp_path: Path) -> None:
    """A ledger gets its 台账标识 only with its first fill-out round: two copies of one sent before that (last
    month's and this month's) are still the same unit, known by its inspection (unit, 巡察组, feedback date,
    title), and counted once; two different ledgers without an id both count."""
    copy = tmp_path / "上月" / "示例台账.db"
    copy.parent.mkdir()
    shutil.copyfile(demo_path, copy)
    s = summary.collect([demo_path, copy, *units])
    assert [r.ledger_id for r in s.rows if r.path in (demo_path, copy)] == [""]  # once, and without an id
    assert len([n for n in s.not_summed if n.reason.startswith("重复")]) == 1
    assert {r.path for r in s.rows} >= set(units)
