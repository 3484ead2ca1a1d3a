"""What an import brings (导入): a whole inspection as plain data, and the command that adds it.

Every importer (Excel, feedback text …) parses its file into an :class:`ImportedInspection` with warnings,
shows or prints it, and only then adds it through the one door with :class:`AddInspection`: one
transaction, one undo step, and nothing half-imported when anything fails.

Every importer also passes :func:`clip_fields`: a text longer than its field may hold is cut, and the cut
is listed among the warnings the clerk checks. :func:`import_into` is the command line's import into a
ledger file, new or existing, whole or not at all.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from peewee import fn

from rectify_desktop.core import fileops, ops, results, server
from rectify_desktop.core.commands import (
    ENTITY_NAMES,
    Change,
    Command,
    Delete,
    LogEntry,
    field_label,
    field_limit,
)
from rectify_desktop.core.models import (
    ACCOUNTABILITY_KINDS,
    AUDIT_AMOUNT_KINDS,
    MONEY_KINDS,
    NOT_STARTED,
    STATUSES,
    Accountability,
    Category,
    Evidence,
    Finding,
    Inspection,
    Institution,
    Item,
    Measure,
    Meeting,
    MoneyEntry,
    WriteOff,
    db,
)
from rectify_desktop.core.storage import LedgerError


@dataclass
class ImportedMeasure:
    text: str
    done: bool = False
    done_date: dt.date | None = None


@dataclass
class ImportedWriteOff:
    action: str
    who: str = ""
    date: dt.date | None = None
    opinion: str = ""


@dataclass
class ImportedAccountability:
    """A 问责 figure the source states: people of one kind (models.ACCOUNTABILITY_KINDS)."""

    kind: str
    people: int
    note: str = ""  # stored with the entry: where it was read ("据导入文本“诫勉2人”登记")
    source: str = ""  # for the preview: "第3行"


@dataclass
class ImportedMoney:
    """A money figure (资金) the source states: an exact amount in 万元 of one kind (models.MONEY_KINDS, or for
    an item also AUDIT_AMOUNT_KINDS: 问题金额 / 整改到位金额)."""

    kind: str
    amount: Decimal
    note: str = ""
    source: str = ""


@dataclass
class ImportedItem:
    title: str
    number: int | None = None
    description: str = ""
    leader: str = ""
    department: str = ""
    person: str = ""
    deadline: str = ""  # as written: a date (2021年6月30日, 2021.6.30) or a phrase (立行立改)
    deadline_date: dt.date | None = None  # a real date cell, when the source had one
    status: str = NOT_STARTED
    completed_date: dt.date | None = None
    progress: str = ""
    remarks: str = ""
    measures: list[ImportedMeasure] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)  # names of materials, registered without their files
    writeoffs: list[ImportedWriteOff] = field(default_factory=list)
    money: list[ImportedMoney] = field(default_factory=list)  # the item's own amounts (问题金额, 追缴 …)
    source: str = ""  # where it came from, for warnings and the preview: "台账!第12行"


@dataclass
class ImportedFinding:
    title: str
    number: int | None = None
    description: str = ""
    items: list[ImportedItem] = field(default_factory=list)
    source: str = ""


@dataclass
class ImportedCategory:
    title: str
    description: str = ""
    findings: list[ImportedFinding] = field(default_factory=list)
    source: str = ""


@dataclass
class Skipped:
    """A line of the source that went into no field (未导入的内容), and why: the clerk must see every one."""

    line: int  # 1-based line number in the source (for a sheet: the row)
    text: str
    reason: str  # 组织情况 / 下一步 / 落款 / 网页信息 …


@dataclass
class ImportedInspection:
    """A parsed inspection, not yet in any ledger."""

    title: str = ""
    kind: str = "巡察"
    inspecting_body: str = ""
    inspected_unit: str = ""
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    feedback_date: dt.date | None = None
    notes: str = ""
    categories: list[ImportedCategory] = field(default_factory=list)
    meetings: list[dict[str, Any]] = field(default_factory=list)  # kind, date, topic, note
    institutions: list[dict[str, Any]] = field(default_factory=list)  # title, doc_number, date, note
    warnings: list[str] = field(default_factory=list)
    # The totals the source itself states ("13个问题细化为29项，已整改完成28项…"): findings, items, done,
    # in_progress, percent …; None when it states none. Never used to invent items, only to warn.
    declared: dict[str, int] | None = None
    # What the source holds that went into no field, so that nothing is dropped without saying so.
    skipped: list[Skipped] = field(default_factory=list)
    # 整改成效 the source states for the whole inspection (item None), and the figures it states that are
    # not imported (a kind outside the lists, a total, a rule count without names …), each with the reason.
    accountability: list[ImportedAccountability] = field(default_factory=list)
    money: list[ImportedMoney] = field(default_factory=list)
    results_skipped: list[Skipped] = field(default_factory=list)

    def findings(self) -> list[ImportedFinding]:
        return [f for c in self.categories for f in c.findings]

    def items(self) -> list[ImportedItem]:
        return [i for f in self.findings() for i in f.items]

    def counts(self) -> dict[str, int]:
        """The rows the import adds; "accountability" and "money" (entries, the items' own included) only when
        there are any, so that a source without 整改成效 counts as it always did."""
        items = self.items()
        out = {
            "categories": len(self.categories),
            "findings": len(self.findings()),
            "items": len(items),
            "measures": sum(len(i.measures) for i in items),
        }
        money = len(self.money) + sum(len(i.money) for i in items)
        if self.accountability:
            out["accountability"] = len(self.accountability)
        if money:
            out["money"] = money
        return out

    def to_json(self) -> dict[str, Any]:
        """The summary `--json` prints: the counts, the warnings and the tree itself."""
        out: dict[str, Any] = dict(self.counts())
        out["warnings"] = list(self.warnings)
        out["declared"] = self.declared
        out["status"] = {s: sum(1 for i in self.items() if i.status == s) for s in STATUSES}
        out["skipped"] = [asdict(s) for s in self.skipped]
        out["results"] = {
            "accountability": [asdict(a) for a in self.accountability],
            "money": [asdict(m) for m in self.money],
            "not_imported": [asdict(s) for s in self.results_skipped],
        }
        skip = ("categories", "warnings", "declared", "skipped", "accountability", "money", "results_skipped")
        out["inspection"] = {k: v for k, v in asdict(self).items() if k not in skip}
        out["tree"] = [asdict(c) for c in self.categories]
        return _jsonable(out)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return results.amount_json(value)  # "23.8000": exact, never a float
    return value


def _numbers(wanted: list[int | None]) -> list[int]:
    """The numbers to store: each wanted one where it is free and unused so far, else the next free one."""
    used: set[int] = set()
    out: list[int] = []
    nxt = 1
    for w in wanted:
        if w is not None and w > 0 and w not in used:
            n = w
        else:
            while nxt in used or nxt in wanted:
                nxt += 1
            n = nxt
        used.add(n)
        out.append(n)
    return out


def _insert_rows(model: type, rows: list[dict[str, Any]]) -> None:
    """Inserts rows with a plain executemany: peewee's insert_many spends most of its time building SQL."""
    if not rows:
        return
    names = list(rows[0])
    fields = model._meta.fields  # type: ignore[attr-defined]
    columns = ", ".join(f'"{fields[n].column_name}"' for n in names)
    table = model._meta.table_name  # type: ignore[attr-defined]
    sql = f'INSERT INTO "{table}" ({columns}) VALUES ({", ".join("?" * len(names))})'

    on_server = server.active()

    def value(v: Any) -> Any:
        if isinstance(v, bool):
            return v if on_server else int(v)
        if isinstance(v, (dt.date, dt.datetime)):
            return str(v)  # as peewee stores dates: 2021-06-30, 2021-06-30 12:00:00.123456
        return v

    if on_server:
        sql = sql.replace("?", "%s")
    db.cursor().executemany(sql, [[value(r[n]) for n in names] for r in rows])
    if on_server and "id" in names:
        server.sync_sequence(model)  # the rows came with ids of their own: new rows must get later ones


# --- lengths ---------------------------------------------------------------------------------------------


def _short(text: str, n: int = 20) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= n else text[:n] + "…"


class _Clipper:
    """Cuts each text to its field's limit and lists the cut: where, which field, how long, the limit."""

    def __init__(self, warnings: list[str]) -> None:
        self.warnings = warnings

    def cut(self, model: type, name: str, value: str, where: str) -> str:
        limit = field_limit(model, name)
        if limit is None or not isinstance(value, str) or len(value) <= limit:
            return value
        place = f"{where} " if where else ""
        self.warnings.append(
            f"{place}{field_label(model, name)}：有 {len(value)} 字，超过上限 {limit} 字，"
            f"只导入了前 {limit} 字，其余 {len(value) - limit} 字未导入，请核对"
        )
        return value[:limit]

    def fields(self, obj: Any, model: type, names: tuple[str, ...], where: str) -> None:
        for name in names:
            setattr(obj, name, self.cut(model, name, getattr(obj, name), where))

    def record(self, rec: dict[str, Any], model: type, where: str) -> None:
        for name, value in rec.items():
            if isinstance(value, str):
                rec[name] = self.cut(model, name, value, where)


def clip_fields(data: ImportedInspection) -> None:
    """Cuts every text of `data` that is longer than its field may hold (commands.TITLE_MAX, TEXT_MAX) and
    adds a warning for each cut to data.warnings; a second call finds nothing more to cut."""
    c = _Clipper(data.warnings)
    c.fields(data, Inspection, ("title", "kind", "inspecting_body", "inspected_unit", "notes"), "")
    for cat in data.categories:
        c.fields(cat, Category, ("title", "description"), cat.source or f"方面“{_short(cat.title)}”")
        for f in cat.findings:
            c.fields(f, Finding, ("title", "description"), f.source or f"问题“{_short(f.title)}”")
            for it in f.items:
                where = it.source or f"细化问题“{_short(it.title)}”"
                names = ("title", "description", "leader", "department", "person", "progress", "remarks")
                c.fields(it, Item, names, where)
                it.deadline = c.cut(Item, "deadline_text", it.deadline, where)
                for m in it.measures:
                    m.text = c.cut(Measure, "text", m.text, where)
                it.evidence = [c.cut(Evidence, "name", e, where) for e in it.evidence]
                for w in it.writeoffs:
                    c.fields(w, WriteOff, ("who", "opinion"), where)
    for a in data.accountability:
        a.note = c.cut(Accountability, "note", a.note, a.source)
    for m in [*data.money, *(m for it in data.items() for m in it.money)]:
        m.note = c.cut(MoneyEntry, "note", m.note, m.source)
    for model, records in ((Meeting, data.meetings), (Institution, data.institutions)):
        for n, rec in enumerate(records, 1):
            c.record(rec, model, f"{ENTITY_NAMES[model]}第{n}条")


class AddInspection(Command):
    """Adds a whole imported inspection as a new one in the ledger, in one transaction; undo removes it.

    What is too long for its field is cut first (:func:`clip_fields`), with a warning, never stored."""

    def __init__(self, data: ImportedInspection) -> None:
        clip_fields(data)
        self.data = data
        self.inspection_id: int | None = None
        self._delete: Delete | None = None
        self.text = "导入" + (data.title or "巡察整改台账")

    def do(self) -> list[Change]:
        if self._delete is not None:  # redo after undo: the rows come back with their ids
            self._delete.undo()
            return [Change("reset", Inspection, 0)]
        d = self.data
        last = Inspection.select(Inspection.position).order_by(Inspection.position.desc()).first()
        insp = Inspection.create(
            title=d.title,
            kind=d.kind,
            inspecting_body=d.inspecting_body,
            inspected_unit=d.inspected_unit,
            period_start=d.period_start,
            period_end=d.period_end,
            feedback_date=d.feedback_date,
            notes=d.notes,
            position=(last.position + 1) if last else 0,
        )
        self.inspection_id = insp.id
        # Ids are given here, inside the write transaction, so that children can name their parents and
        # all rows go in with one executemany per table: one Model.create per row took 7 s for 10,000 items.
        next_id = {m: (m.select(fn.MAX(m.id)).scalar() or 0) + 1 for m in (Category, Finding, Item)}
        rows: dict[type, list[dict[str, Any]]] = {
            m: [] for m in (Category, Finding, Item, Measure, Evidence, WriteOff, Accountability, MoneyEntry)
        }
        now = dt.datetime.now()

        def new_id(model: type) -> int:
            next_id[model] += 1
            return next_id[model] - 1

        finding_numbers = iter(_numbers([f.number for f in d.findings()]))
        for cpos, c in enumerate(d.categories):
            cat_id = new_id(Category)
            rows[Category].append(
                {"id": cat_id, "inspection": insp.id, "position": cpos, "title": c.title, "description": c.description}
            )
            for fpos, f in enumerate(c.findings):
                fnd_id = new_id(Finding)
                rows[Finding].append(
                    {
                        "id": fnd_id,
                        "inspection": insp.id,
                        "category": cat_id,
                        "number": next(finding_numbers),
                        "position": fpos,
                        "title": f.title,
                        "description": f.description,
                    }
                )
                for ipos, (it, number) in enumerate(zip(f.items, _numbers([i.number for i in f.items]), strict=True)):
                    item_id = new_id(Item)
                    date, text = (it.deadline_date, "") if it.deadline_date else ops.deadline_values(it.deadline)
                    rows[Item].append(
                        {
                            "id": item_id,
                            "finding": fnd_id,
                            "number": number,
                            "position": ipos,
                            "title": it.title,
                            "description": it.description,
                            "leader": it.leader,
                            "department": it.department,
                            "person": it.person,
                            "deadline_date": date,
                            "deadline_text": text,
                            "status": it.status if it.status in STATUSES else NOT_STARTED,
                            "completed_date": it.completed_date,
                            "progress": it.progress,
                            "remarks": it.remarks,
                        }
                    )
                    for mpos, m in enumerate(it.measures):
                        rows[Measure].append(
                            {
                                "item": item_id,
                                "position": mpos,
                                "text": m.text,
                                "done": m.done,
                                "done_date": m.done_date,
                            }
                        )
                    for epos, name in enumerate(it.evidence):
                        # Python-side defaults (kind, added_at …) are not applied by a plain insert: give them.
                        rows[Evidence].append(
                            {
                                "item": item_id,
                                "position": epos,
                                "name": name,
                                "kind": "文件",
                                "doc_number": "",
                                "note": "",
                                "added_at": now,
                            }
                        )
                    for mpos, money in enumerate(it.money):
                        rows[MoneyEntry].append(_money_row(money, insp.id, item_id, mpos))
                    for w in it.writeoffs:
                        rows[WriteOff].append(
                            {
                                "item": item_id,
                                "action": w.action,
                                "who": w.who,
                                "date": w.date,
                                "opinion": w.opinion,
                                "created_at": now,
                            }
                        )
        # 整改成效 of the whole inspection (no item): after the items' own, in the source's order.
        for pos, a in enumerate(d.accountability):
            rows[Accountability].append(_accountability_row(a, insp.id, pos))
        for pos, money in enumerate(d.money):
            rows[MoneyEntry].append(_money_row(money, insp.id, None, pos))
        for model, batch in rows.items():
            _insert_rows(model, batch)
        for pos, m in enumerate(d.meetings):
            Meeting.create(inspection=insp, position=pos, **m)
        for pos, i in enumerate(d.institutions):
            Institution.create(inspection=insp, position=pos, **i)
        self._delete = Delete(Inspection, insp.id)
        return [Change("reset", Inspection, 0)]

    def undo(self) -> list[Change]:
        assert self._delete is not None
        self._delete.do()
        return [Change("reset", Inspection, 0)]

    def log(self) -> list[LogEntry]:
        c = self.data.counts()
        summary = f"{self.text}：{c['categories']}个方面、{c['findings']}个问题、{c['items']}项细化问题"
        said = [f"{w}{c[k]}条" for k, w in (("accountability", "问责"), ("money", "资金")) if c.get(k)]
        if said:
            summary += "，整改成效：" + "、".join(said)
        return [LogEntry("导入", "巡察", self.inspection_id, new=self.data.title, summary=summary)]


def _accountability_row(a: ImportedAccountability, inspection_id: int, position: int) -> dict[str, Any]:
    # Checked again here, whatever the importer did: a wrong kind or count must fail the whole import.
    if a.kind not in ACCOUNTABILITY_KINDS:
        raise ValueError(f"问责类型“{a.kind}”无效，应为：{'、'.join(ACCOUNTABILITY_KINDS)}")
    people = results.parse_people(a.people)
    return {
        "inspection": inspection_id,
        "item": None,
        "position": position,
        "kind": a.kind,
        "people": people,
        "names": "",
        "date": None,
        "note": a.note,
    }


def _money_row(m: ImportedMoney, inspection_id: int, item_id: int | None, position: int) -> dict[str, Any]:
    if m.kind in AUDIT_AMOUNT_KINDS and item_id is None:
        raise ValueError(f"{m.kind}属于某一细化问题，不能记在整个巡察上")
    if m.kind not in MONEY_KINDS + AUDIT_AMOUNT_KINDS:
        raise ValueError(f"资金类型“{m.kind}”无效，应为：{'、'.join(MONEY_KINDS + AUDIT_AMOUNT_KINDS)}")
    return {
        "inspection": inspection_id,
        "item": item_id,
        "position": position,
        "kind": m.kind,
        "amount": results.to_units(results.parse_amount(m.amount)),
        "date": None,
        "note": m.note,
    }


# --- into a ledger file ------------------------------------------------------------------------------------


class ImportFailedError(LedgerError):
    """An import that wrote nothing; the message says why, in Chinese, the detail after it."""


@dataclass
class ImportResult:
    inspection_id: int
    created: bool  # the ledger was made by this import
    warning: str | None = None  # what closing the ledger could not do (its -wal must stay with it)


def _failure(exc: BaseException, target: Path, created: bool) -> ImportFailedError:
    from rectify_desktop.core import oserrors

    head = "导入失败，没有新建台账" if created else "导入失败，台账没有任何改动"
    # The operating system's or SQLite's own error is the detail: the messages on the way to here name the
    # temporary file, not the target.
    chain: list[BaseException] = []
    e: BaseException | None = exc
    while e is not None and e not in chain:
        chain.append(e)
        e = e.__cause__ or e.__context__
    root = next((x for x in reversed(chain) if isinstance(x, (OSError, sqlite3.Error))), exc)
    low = (oserrors.free_bytes(target) or 0) < oserrors.LOW_SPACE
    if oserrors.is_disk_full(exc) or (low and (oserrors.is_io_error(exc) or isinstance(root, OSError))):
        return ImportFailedError(f"{head}：{oserrors.explain_db(root, target)}")
    if isinstance(exc, LedgerError):
        return ImportFailedError(f"{head}：{exc}")
    if isinstance(exc, MemoryError):
        return ImportFailedError(f"{head}：内存不足，导入的内容过多（MemoryError）")
    if isinstance(exc, OSError):
        return ImportFailedError(f"{head}：{oserrors.explain(exc, target)}")
    return ImportFailedError(f"{head}（{type(exc).__name__}: {exc}）")


def import_into(ledger_path: str | os.PathLike[str], data: ImportedInspection) -> ImportResult:
    """Adds `data` as a new inspection to the ledger at `ledger_path` (导入), making the ledger when there is
    none; raises ImportFailedError, with nothing written, when it cannot.

    A ledger made for the import is built beside the target under a temporary name
    (``outfile.temp_path(target, "import")``), filled, folded into its one file and closed, and only then
    given the target's name, never over a file that appeared meanwhile. A full disk, an error or a kill
    leaves no ledger at the target; what a kill leaves is recognised by ``outfile.clean_stale`` at the next
    start.
    """
    from rectify_desktop.core import outfile, storage
    from rectify_desktop.core.ledger import Ledger

    if server.is_server(ledger_path):
        try:
            # As for a file, an import into an empty database makes the ledger there first.
            with Ledger.open(ledger_path, create=True) as ledger:  # type: ignore[arg-type]
                cmd = AddInspection(data)
                ledger.apply(cmd)
        except Exception as exc:  # noqa: BLE001 - whatever failed, the import was one transaction
            raise ImportFailedError(f"导入失败，服务器台账未改动：{exc}") from exc
        assert cmd.inspection_id is not None
        return ImportResult(cmd.inspection_id, False, None)
    target = Path(ledger_path)
    if target.exists():
        try:
            with Ledger.open(target) as ledger:
                cmd = AddInspection(data)
                ledger.apply(cmd)
                warning = ledger.close()
        except Exception as exc:  # noqa: BLE001 - whatever failed, the import was one transaction
            raise _failure(exc, target, created=False) from exc
        assert cmd.inspection_id is not None
        return ImportResult(cmd.inspection_id, False, warning)
    if not target.parent.is_dir():
        raise ImportFailedError(f"导入失败，没有新建台账：文件夹不存在：{target.parent}")
    outfile.remember_folder(target.parent)
    tmp = outfile.temp_path(target, "import")
    try:
        storage.create_file(tmp)
        ledger = Ledger.open(tmp)
        try:
            cmd = AddInspection(data)
            ledger.apply(cmd)
            # Folded in here, where a failure can still stop the import; close only reports one.
            busy, logged, done = db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            if busy or logged not in (-1, done):
                raise LedgerError("新台账未能完整写入磁盘")
        finally:
            warning = ledger.close()
        if warning is not None or storage.pending_wal(tmp) > 0:
            raise LedgerError(warning or "新台账未能完整写入磁盘")
        fileops.remove_with_sides(tmp.with_name(tmp.name + ".lock"))
        fileops.sync(tmp)
        try:
            fileops.move_new(tmp, target)
        except fileops.TargetExistsError:
            raise LedgerError(f"文件已存在：{target}") from None
    except BaseException as exc:
        fileops.remove_with_sides(tmp)
        if isinstance(exc, Exception):
            raise _failure(exc, target, created=True) from exc
        raise
    assert cmd.inspection_id is not None
    return ImportResult(cmd.inspection_id, True)
