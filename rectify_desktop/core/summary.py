"""Many units' ledgers summed into one table (汇总): the inspection office's view of a round (issue 17).

Each input is a ledger file (recognised by its content, not its name), a folder searched recursively for
``*.db``, ``*.zgtz`` and ``*.xlsx``, a ledger workbook exported by this program, or a server ledger
(``postgresql://…``, pulled into a temporary file in one snapshot and read as a file is). One row per unit and
inspection (单位 × 巡察), a totals row (合计), and a 未汇总 list of the inputs left out with the reason.

How the window's open ledger is left alone: the program's models are bound to one global peewee ``db`` that
the window has connected to ITS ledger. Rebinding the models (``bind_ctx``) would send the window's queries to
another file for as long as the summary runs, and from another thread at any moment; so this module never
touches ``db`` or the models. It reads each ledger through a plain ``sqlite3`` connection of its own, opened
read-only (``mode=ro``, or ``immutable=1`` when no ``-wal``/``-shm`` is beside the file, which creates
nothing), all its queries inside one read transaction (a consistent snapshot even while another program
writes). When SQLite cannot read the file in place (a ``-wal`` in a read-only folder), a copy of the file and
its ``-wal`` in a temporary folder is read instead. The figures are counted with the same rules as
core.stats and core.results (rules.effective_deadline / days_left / percent_whole, results' kinds and order),
and the tests compare them with those modules on the same files.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from rectify_desktop.core import rules, server, storage
from rectify_desktop.core.models import (
    ACCOUNTABILITY_KINDS,
    AUDIT_AMOUNT_KINDS,
    DONE,
    IN_PROGRESS,
    MONEY_KINDS,
    NOT_STARTED,
    ONGOING,
    STATUSES,
    WO_APPROVE,
)
from rectify_desktop.core.results import Amount, Count, Results, from_units, parse_amount
from rectify_desktop.core.stats import as_date

LEDGER_SUFFIXES = (".db", ".zgtz")
WORKBOOK_SUFFIXES = (".xlsx",)
TOTAL_UNIT = "合计"


@dataclass
class OverdueItem:
    """An item past its deadline and not done (逾期事项), as the 汇总表's overdue sheet lists it."""

    unit: str
    finding: int | None
    number: int | None
    title: str
    department: str
    person: str
    deadline: dt.date
    deadline_text: str
    status: str
    days_late: int


@dataclass
class UnitRow:
    """One unit and inspection (单位 × 巡察) of the summary."""

    path: Path
    ledger_id: str
    inspection_id: int | None
    unit: str
    inspecting_body: str
    title: str
    feedback_date: dt.date | None
    findings: int = 0
    items: int = 0
    done: int = 0
    in_progress: int = 0
    ongoing: int = 0
    not_started: int = 0
    overdue: int = 0
    written_off: int = 0
    completion_whole: int = 0
    results: dict[str, Any] = field(default_factory=dict)
    last_change: dt.datetime | None = None
    # Added beyond the contract: the overdue items themselves (for the 逾期事项 sheet), and the kind of input.
    overdue_items: list[OverdueItem] = field(default_factory=list)
    source: str = "台账"  # 台账 or 工作簿

    @property
    def unfinished(self) -> int:
        """未完成: in progress and not started (长期坚持 counts as 基本完成并持续整改)."""
        return self.in_progress + self.not_started

    @property
    def completion_percent(self) -> float:
        return rules.percent_one_decimal(self.done, self.items)


@dataclass
class NotSummed:
    """An input left out of the summary (未汇总), with the reason in Chinese."""

    path: Path
    reason: str


@dataclass
class Summary:
    rows: list[UnitRow]
    not_summed: list[NotSummed]
    totals: UnitRow
    today: dt.date = field(default_factory=dt.date.today)

    def headline(self) -> str:
        """The office's sentence: 本轮巡察反馈的N个问题，完成整改X个，基本完成并持续整改Y个，未完成Z个，总体完成率W%.

        Items (细化问题) are what is counted, as everywhere in the program; when the findings were refined
        into more items, both are said (…的13个问题细化为29项，完成整改X项…)."""
        t = self.totals
        if t.findings == t.items:
            head, unit = f"本轮巡察反馈的{t.items}个问题", "个"
        else:
            head, unit = f"本轮巡察反馈的{t.findings}个问题细化为{t.items}项", "项"
        return (
            f"{head}，完成整改{t.done}{unit}，基本完成并持续整改{t.ongoing}{unit}，"
            f"未完成{t.unfinished}{unit}，总体完成率{t.completion_whole}%"
        )

    def total_results(self) -> Results:
        """The 整改成效 of every row summed by kind (the items behind them are not kept: ids of different
        ledgers cannot be put together)."""
        return results_from_json(self.totals.results)

    def overdue_items(self) -> list[OverdueItem]:
        return [o for r in self.rows for o in r.overdue_items]

    @property
    def units(self) -> int:
        return len({r.unit for r in self.rows})


# --- the inputs -------------------------------------------------------------------------------------------


def _is_temp_name(p: Path) -> bool:
    # Office's owner files (~$x.xlsx) and the program's own half-written outputs are never inputs.
    return p.name.startswith(("~$", ".~")) or p.name.startswith(".rectify")


Input = Path | server.ServerAddress


def server_place(address: server.ServerAddress) -> Path:
    """How a server ledger is named where a file's path goes (未汇总, the rows' source): its label, which has
    no folder in it."""
    return Path(address.label())


def expand_inputs(inputs: Sequence[Path | str | server.ServerAddress]) -> tuple[list[Input], list[NotSummed]]:
    """The files to read: folders searched recursively for ledgers and workbooks, in name order, and server
    ledgers (postgresql://…); an input that does not exist is listed as not summed."""
    files: list[Input] = []
    missing: list[NotSummed] = []
    seen: set[Path | str] = set()

    def add(p: Input) -> None:
        key = p.url() if isinstance(p, server.ServerAddress) else p.resolve()
        if key not in seen:
            seen.add(key)
            files.append(p)

    for raw in inputs:
        if server.is_server(raw):  # before Path(), which would fold its // into one
            try:
                add(server.ServerAddress.parse(raw))  # type: ignore[arg-type]
            except server.ServerError as exc:
                missing.append(NotSummed(Path(str(raw)), str(exc)))  # the reason names the address
            continue
        p = Path(raw)  # type: ignore[arg-type]
        if p.is_dir():
            found = [
                q
                for q in sorted(p.rglob("*"))
                if q.is_file() and q.suffix.lower() in LEDGER_SUFFIXES + WORKBOOK_SUFFIXES and not _is_temp_name(q)
            ]
            for q in found:
                add(q)
        elif p.is_file():
            add(p)
        else:
            missing.append(NotSummed(p, "找不到该文件或文件夹"))
    return files, missing


def _kind_of(p: Path) -> str:
    """ "ledger", "workbook" or "" by the file's first bytes: a SQLite file is a ledger candidate, a zip one a
    workbook candidate, whatever the name says."""
    try:
        with p.open("rb") as fh:
            head = fh.read(16)
    except OSError:
        return ""
    if head.startswith(b"SQLite format 3\x00"):
        return "ledger"
    if head.startswith(b"PK\x03\x04"):
        return "workbook"
    return ""


def _short_reason(exc: storage.LedgerError) -> str:
    text = str(exc)
    if isinstance(exc, storage.TooNewError):
        return "文件版本较新：" + text
    if isinstance(exc, storage.NotALedgerError):
        return "不是台账：" + text
    if isinstance(exc, storage.CorruptLedgerError):
        return "已损坏：" + text
    return text


# --- reading a ledger without touching it -------------------------------------------------------------------


class _Reader:
    """A read-only sqlite3 connection to a ledger, of its own (never the global ``db``)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.snapshot: Path | None = None
        self.con = self._open()

    def _open(self) -> sqlite3.Connection:
        p = self.path
        side = storage.wal_path(p).exists() or storage.shm_path(p).exists()
        uri = p.resolve().as_uri() + ("?mode=ro" if side else "?mode=ro&immutable=1")
        try:
            con = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
            con.execute("BEGIN")  # one snapshot for every query, even while a writer goes on
            con.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return con
        except sqlite3.DatabaseError:
            if not side:
                raise
        # A -wal SQLite cannot share from here (a read-only folder): read a copy of the file and its -wal.
        self.snapshot = Path(tempfile.mkdtemp(prefix=f".rectify-summary-{os.getpid()}-"))
        copy = self.snapshot / p.name
        shutil.copyfile(p, copy)
        if storage.wal_path(p).exists():
            shutil.copyfile(storage.wal_path(p), storage.wal_path(copy))
        con = sqlite3.connect(str(copy), isolation_level=None, check_same_thread=False)
        con.execute("PRAGMA query_only = 1")
        con.execute("BEGIN")
        return con

    def close(self) -> None:
        try:
            self.con.execute("COMMIT")
        except sqlite3.Error:
            pass
        self.con.close()
        if self.snapshot is not None:
            shutil.rmtree(self.snapshot, ignore_errors=True)

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self.con.execute(sql, params).fetchall()


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _datetime(value: Any) -> dt.datetime | None:
    if value is None:
        return None
    try:
        return dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None


def ordered(found: dict[str, Any], order: tuple[str, ...]) -> dict[str, Any]:
    keys = [k for k in order if k in found] + sorted(k for k in found if k not in order)
    return {k: found[k] for k in keys}


def _add_item(items: list[int], item_id: int | None) -> None:
    if item_id is not None and item_id not in items:
        items.append(item_id)


def _ledger_results(r: _Reader, tables: set[str]) -> dict[int, Results]:
    """Every inspection's 整改成效, counted as core.results.compute counts them."""
    acc: dict[int, dict[str, Count]] = {}
    money: dict[int, dict[str, Amount]] = {}
    audit: dict[int, dict[str, Amount]] = {}
    units: dict[tuple[int, str], int] = {}
    rules_count: dict[int, Count] = {}
    meetings: dict[int, dict[str, Count]] = {}
    if "accountability" in tables:
        for iid, kind, item, people in r.rows(
            "SELECT inspection_id, kind, item_id, people FROM accountability ORDER BY id"
        ):
            c = acc.setdefault(iid, {}).setdefault(kind, Count())
            c.count += _int(people)
            _add_item(c.items, item)
    if "money_entry" in tables:
        for iid, kind, item, amount in r.rows(
            "SELECT inspection_id, kind, item_id, amount FROM money_entry ORDER BY id"
        ):
            group = audit if kind in AUDIT_AMOUNT_KINDS else money
            a = group.setdefault(iid, {}).setdefault(kind, Amount())
            units[(iid, kind)] = units.get((iid, kind), 0) + _int(amount)
            _add_item(a.items, item)
        for group in (money, audit):
            for iid, kinds in group.items():
                for kind, a in kinds.items():
                    a.amount = from_units(units[(iid, kind)])
    if "institution" in tables:
        inst_of: dict[int, int] = {}
        for inst, iid in r.rows("SELECT id, inspection_id FROM institution"):
            rules_count.setdefault(iid, Count()).count += 1
            inst_of[inst] = iid
        if "institution_item" in tables:
            for inst, item in r.rows("SELECT institution_id, item_id FROM institution_item"):
                if inst in inst_of:
                    _add_item(rules_count[inst_of[inst]].items, item)
    if "meeting" in tables:
        by_meeting: dict[int, tuple[int, str]] = {}
        for mid, iid, kind in r.rows(
            "SELECT id, inspection_id, kind FROM meeting ORDER BY inspection_id, CAST(position AS INTEGER), id"
        ):
            meetings.setdefault(iid, {}).setdefault(kind or "会议", Count()).count += 1
            by_meeting[mid] = (iid, kind or "会议")
        if "meeting_item" in tables:
            for mid, item in r.rows("SELECT meeting_id, item_id FROM meeting_item"):
                if mid in by_meeting:
                    iid, kind = by_meeting[mid]
                    _add_item(meetings[iid][kind].items, item)
    out: dict[int, Results] = {}
    for iid in set(acc) | set(money) | set(audit) | set(rules_count) | set(meetings):
        res = Results()
        res.accountability = ordered(acc.get(iid, {}), ACCOUNTABILITY_KINDS)
        res.money = ordered(money.get(iid, {}), MONEY_KINDS)
        res.audit = ordered(audit.get(iid, {}), AUDIT_AMOUNT_KINDS)
        mk = meetings.get(iid, {})
        res.meetings = ordered(mk, tuple(mk))
        res.rules = rules_count.get(iid, Count())
        for figures in [res.accountability, res.money, res.audit, res.meetings, {"": res.rules}]:
            for f in figures.values():
                f.items.sort()
        out[iid] = res
    return out


def count_item(row: UnitRow, status: str, deadline: dt.date | None, today: dt.date) -> int | None:
    """Counts an item into `row` as stats.Stats.count_item does; its days left (None when not running)."""
    if status not in STATUSES:
        status = NOT_STARTED
    row.items += 1
    if status == DONE:
        row.done += 1
    elif status == IN_PROGRESS:
        row.in_progress += 1
    elif status == ONGOING:
        row.ongoing += 1
    else:
        row.not_started += 1
    left = rules.days_left(status, deadline, today)
    if left is not None and left < 0:
        row.overdue += 1
    return left


def read_server(address: server.ServerAddress, today: dt.date) -> list[UnitRow]:
    """The rows of a server ledger, one per inspection: pulled into a temporary file in one snapshot, through a
    connection of its own (never the window's), and read as a file is; the rows name the server. Raises
    storage.LedgerError (server.ServerError) with the reason."""
    from rectify_desktop.core import transfer  # psycopg is loaded only when a server is summed

    folder = Path(tempfile.mkdtemp(prefix=f".rectify-summary-{os.getpid()}-"))
    try:
        copy = folder / "server.db"
        transfer.pull(address, copy)
        rows = read_ledger(copy, today)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    for r in rows:
        r.path = server_place(address)
    return rows


def read_ledger(path: Path, today: dt.date) -> list[UnitRow]:
    """The rows of one ledger file, one per inspection; raises storage.LedgerError with the reason."""
    storage.inspect_file(path)  # 不是台账 / 文件版本较新 / 已损坏, read from the header without touching it
    try:
        reader = _Reader(path)
    except (OSError, sqlite3.Error) as exc:
        raise storage.CorruptLedgerError(f"台账文件已损坏，无法读取：{path}（{exc}）") from exc
    try:
        return _read_rows(reader, path, today)
    except sqlite3.Error as exc:
        raise storage.CorruptLedgerError(f"台账文件已损坏或被其他程序改动过，无法汇总：{path}（{exc}）") from exc
    finally:
        reader.close()


def _read_rows(r: _Reader, path: Path, today: dt.date) -> list[UnitRow]:
    tables = {name for (name,) in r.rows("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not {"inspection", "finding", "item"} <= tables:
        raise storage.NotALedgerError(f"不是台账：文件中没有巡察和问题的表：{path}")
    settings: dict[str, str] = {}
    if "setting" in tables:
        settings = dict(
            r.rows("SELECT key, value FROM setting WHERE key IN ('ledger_id', 'unit_name', 'immediate_days')")
        )
    try:
        immediate = min(max(int(settings.get("immediate_days", "")), 1), 365)
    except ValueError:
        immediate = rules.DEFAULT_IMMEDIATE_DAYS
    last = None
    if "change_log" in tables:
        (last_at,) = r.rows("SELECT MAX(at) FROM change_log")[0]
        last = _datetime(last_at)
    results = _ledger_results(r, tables)
    rows: dict[int, UnitRow] = {}
    refs: dict[int, tuple[int | None, dt.date | None]] = {}
    for iid, title, body, unit, feedback, start in r.rows(
        "SELECT id, title, inspecting_body, inspected_unit, feedback_date, period_start FROM inspection"
        " ORDER BY CAST(position AS INTEGER), id"
    ):
        fb, st = as_date(feedback), as_date(start)
        ref = fb or st
        refs[iid] = (ref.year if ref else None, fb)
        name = (unit or "").strip() or settings.get("unit_name", "").strip() or path.stem
        rows[iid] = UnitRow(
            path=path,
            ledger_id=settings.get("ledger_id", "").strip(),
            inspection_id=iid,
            unit=name,
            inspecting_body=body or "",
            title=title or "",
            feedback_date=fb,
            results=results.get(iid, Results()).to_json(),
            last_change=last,
        )
    for iid, n in r.rows("SELECT inspection_id, COUNT(*) FROM finding GROUP BY inspection_id"):
        if iid in rows:
            rows[iid].findings = n
    dates: dict[Any, dt.date | None] = {None: None}
    item_insp: dict[int, int] = {}
    for item_id, iid, status, ddate, dtext, fnum, num, title, dept, person in r.rows(
        "SELECT i.id, f.inspection_id, i.status, i.deadline_date, i.deadline_text, f.number, i.number, i.title,"
        " i.department, i.person FROM item i JOIN finding f ON f.id = i.finding_id"
        " ORDER BY f.inspection_id, CAST(f.number AS INTEGER), CAST(i.number AS INTEGER), i.id"
    ):
        row = rows.get(iid)
        if row is None:
            continue
        item_insp[item_id] = iid
        if ddate not in dates:
            dates[ddate] = as_date(ddate)
        year, fb = refs[iid]
        deadline = rules.effective_deadline(
            dates[ddate], dtext or "", year=year, feedback_date=fb, immediate_days=immediate
        )
        left = count_item(row, status, deadline, today)
        if left is not None and left < 0 and deadline is not None:
            row.overdue_items.append(
                OverdueItem(
                    row.unit, _maybe_int(fnum), _maybe_int(num), title or "", dept or "", person or "",
                    deadline, dtext or "", status if status in STATUSES else NOT_STARTED, -left,
                )
            )  # fmt: skip
    if "write_off" in tables:
        for item_id, action in r.rows(
            "SELECT item_id, action FROM write_off WHERE id IN (SELECT MAX(id) FROM write_off GROUP BY item_id)"
        ):
            if action == WO_APPROVE and item_id in item_insp:
                rows[item_insp[item_id]].written_off += 1
    for row in rows.values():
        row.completion_whole = rules.percent_whole(row.done, row.items)
    return list(rows.values())


def _maybe_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --- a ledger workbook exported by this program ----------------------------------------------------------------


def read_workbook(path: Path, today: dt.date) -> UnitRow:
    """The row of a ledger workbook exported by this program (io.summary_workbook, imported when needed: the
    workbook is read with what io knows of it); raises storage.LedgerError when it is not one."""
    from rectify_desktop.io import summary_workbook

    return summary_workbook.read_workbook(path, today)


# --- summing ------------------------------------------------------------------------------------------------


def results_from_json(data: dict[str, Any]) -> Results:
    """A Results back from its to_json form (the items' ids kept as they are)."""
    r = Results()
    for k, v in (data.get("accountability") or {}).items():
        r.accountability[k] = Count(int(v.get("people", 0)), list(v.get("items", [])))
    for k, v in (data.get("money") or {}).items():
        r.money[k] = Amount(parse_amount(v.get("amount", "0")), list(v.get("items", [])))
    for k, v in (data.get("audit") or {}).items():
        r.audit[k] = Amount(parse_amount(v.get("amount", "0")), list(v.get("items", [])))
    rules_ = data.get("rules") or {}
    r.rules = Count(int(rules_.get("count", 0)), list(rules_.get("items", [])))
    for k, v in (data.get("meetings") or {}).items():
        r.meetings[k] = Count(int(v.get("count", 0)), list(v.get("items", [])))
    return r


def sum_results(all_results: Sequence[dict[str, Any]]) -> Results:
    """Results summed by kind, in the notice's order; the items behind them are left out (ids of different
    ledgers mean different items)."""
    acc: dict[str, int] = {}
    money: dict[str, Decimal] = {}
    audit: dict[str, Decimal] = {}
    meetings: dict[str, int] = {}
    rules_count = 0
    for data in all_results:
        r = results_from_json(data)
        for k, c in r.accountability.items():
            acc[k] = acc.get(k, 0) + c.count
        for k, a in r.money.items():
            money[k] = money.get(k, Decimal(0)) + a.amount
        for k, a in r.audit.items():
            audit[k] = audit.get(k, Decimal(0)) + a.amount
        for k, c in r.meetings.items():
            meetings[k] = meetings.get(k, 0) + c.count
        rules_count += r.rules.count
    out = Results()
    out.accountability = ordered({k: Count(v) for k, v in acc.items()}, ACCOUNTABILITY_KINDS)
    out.money = ordered({k: Amount(v) for k, v in money.items()}, MONEY_KINDS)
    out.audit = ordered({k: Amount(v) for k, v in audit.items()}, AUDIT_AMOUNT_KINDS)
    out.meetings = ordered({k: Count(v) for k, v in meetings.items()}, tuple(meetings))
    out.rules = Count(rules_count)
    return out


def totals_of(rows: Sequence[UnitRow]) -> UnitRow:
    t = UnitRow(Path(), "", None, TOTAL_UNIT, "", "", None, source="")
    for r in rows:
        for name in ("findings", "items", "done", "in_progress", "ongoing", "not_started", "overdue", "written_off"):
            setattr(t, name, getattr(t, name) + getattr(r, name))
        if r.last_change is not None and (t.last_change is None or r.last_change > t.last_change):
            t.last_change = r.last_change
    t.completion_whole = rules.percent_whole(t.done, t.items)
    t.results = sum_results([r.results for r in rows]).to_json()
    return t


def _stamp(when: dt.datetime | None) -> str:
    return when.strftime("%Y-%m-%d %H:%M") if when else "未知"


def _identity(rows: list[UnitRow]) -> tuple[str, ...]:
    """What makes two files the same ledger: its 台账标识, which a ledger gets with its first fill-out round;
    before that (and for an exported workbook) its inspections, each by unit, 巡察组, feedback date and title,
    which two units never share. () for a file with nothing to tell."""
    if not rows:
        return ()
    if rows[0].ledger_id:
        return ("id", rows[0].ledger_id)
    parts = sorted(
        "\x1f".join((r.unit, r.inspecting_body, r.feedback_date.isoformat() if r.feedback_date else "", r.title))
        for r in rows
    )
    return ("inspections", *parts)


def _drop_duplicates(
    by_file: list[tuple[Path, list[UnitRow]]],
) -> tuple[list[tuple[Path, list[UnitRow]]], list[NotSummed]]:
    """The same ledger (台账标识) sent twice counts once: the file with the newest change log entry (then the
    newest file time); the others are listed with the file that was used."""

    def newest(entry: tuple[Path, list[UnitRow]]) -> tuple[dt.datetime, float]:
        p, rows = entry
        last = max((r.last_change for r in rows if r.last_change), default=dt.datetime.min)
        try:
            mtime = p.stat().st_mtime
        except OSError:
            mtime = 0.0
        return last, mtime

    groups: dict[tuple[str, ...], list[tuple[Path, list[UnitRow]]]] = {}
    kept: list[tuple[Path, list[UnitRow]]] = []
    for entry in by_file:
        key = _identity(entry[1])
        if key:
            groups.setdefault(key, []).append(entry)
        else:
            kept.append(entry)
    dropped: list[NotSummed] = []
    for key, entries in groups.items():
        best = max(entries, key=newest)
        kept.append(best)
        same = "台账标识相同" if key[0] == "id" else "被巡察单位、巡察组、反馈日期和标题都相同"
        for e in entries:
            if e is not best:
                dropped.append(
                    NotSummed(
                        e[0],
                        f"重复：与“{best[0].name}”是同一本台账（{same}），已用较新的“{best[0].name}”"
                        f"（最后修改 {_stamp(newest(best)[0] if best[1] else None)}），"
                        f"本文件最后修改 {_stamp(newest(e)[0] if e[1] else None)}，未重复计入",
                    )
                )
    order = {p: i for i, (p, _) in enumerate(by_file)}
    kept.sort(key=lambda e: order[e[0]])
    return kept, dropped


def _sort_key(r: UnitRow) -> tuple[str, dt.date, str]:
    return r.unit, r.feedback_date or dt.date.min, str(r.path)


def collect(
    inputs: Sequence[Path | str | server.ServerAddress],
    *,
    today: dt.date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Summary:
    """Reads every input read-only (folders recursively: *.db, *.zgtz, and *.xlsx exported by this program),
    never changing a byte, and server ledgers (postgresql://…); the same ledger_id twice counts once (the newest
    last_change), the other listed."""
    today = today or dt.date.today()
    files, not_summed = expand_inputs(inputs)
    by_file: list[tuple[Path, list[UnitRow]]] = []
    for n, source in enumerate(files):
        p = server_place(source) if isinstance(source, server.ServerAddress) else source
        try:
            kind = "server" if isinstance(source, server.ServerAddress) else _kind_of(p)
            if kind == "server":
                rows = read_server(source, today)  # type: ignore[arg-type]
                if rows:
                    by_file.append((p, rows))
                else:
                    not_summed.append(NotSummed(p, "台账中还没有巡察，没有可汇总的内容"))
            elif kind == "ledger":
                rows = read_ledger(p, today)
                if rows:
                    by_file.append((p, rows))
                else:
                    not_summed.append(NotSummed(p, "台账中还没有巡察，没有可汇总的内容"))
            elif kind == "workbook":
                by_file.append((p, [read_workbook(p, today)]))
            else:
                not_summed.append(NotSummed(p, "不是台账：既不是整改台账文件，也不是本程序导出的台账工作簿"))
        except storage.LedgerError as exc:
            not_summed.append(NotSummed(p, _short_reason(exc)))
        except OSError as exc:
            not_summed.append(NotSummed(p, f"无法读取文件（{exc.strerror or exc}）"))
        if progress is not None:
            progress(n + 1, len(files))
    kept, dropped = _drop_duplicates(by_file)
    rows = sorted((r for _, rs in kept for r in rs), key=_sort_key)
    return Summary(rows, not_summed + dropped, totals_of(rows), today)


def iter_rows(summary: Summary) -> Iterator[UnitRow]:
    """The rows then the totals row, as the tables print them."""
    yield from summary.rows
    yield summary.totals
