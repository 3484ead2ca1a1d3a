"""上期 and 较上期: the report remembered before a date, what changed since it, and remembering a report made.

Split from core.asof, which rebuilds the figures at a date; this module compares two such sets of figures and
keeps them in the ledger (ProgressReport), so that every report has its 上期.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from rectify_desktop.core.asof import AsOf, AsOfItem, ar_date
from rectify_desktop.core.commands import ENTITY_NAMES, Change, Command, LogEntry
from rectify_desktop.core.models import DONE, FillOutReturn, FillOutRound, ProgressReport

_REPORT = ENTITY_NAMES[ProgressReport]


def previous_report(inspection_id: int, day: dt.date) -> ProgressReport | None:
    """上期: the latest report remembered for the inspection with an earlier date than `day`."""
    return (
        ProgressReport.select()
        .where((ProgressReport.inspection == inspection_id) & (ProgressReport.as_of < day))
        .order_by(ProgressReport.as_of.desc(), ProgressReport.made_at.desc(), ProgressReport.id.desc())
        .first()
    )


_GROUP_WORDS = {"department": "部门", "leader": "责任领导", "person": "责任人"}


@dataclass
class Comparison:
    """The change since the previous report (较上期) and who did not answer the last fill-out round."""

    current: AsOf
    previous: ProgressReport | None
    previous_stats: dict[str, Any] = field(default_factory=dict)
    newly_done: list[AsOfItem] = field(default_factory=list)
    newly_overdue: list[AsOfItem] = field(default_factory=list)
    newly_written_off: list[AsOfItem] = field(default_factory=list)
    round_sent: dt.date | None = None  # the last round sent up to the date
    round_by: str = "department"
    silent_groups: list[str] = field(default_factory=list)

    def sentence(self) -> str:
        """较上期（截至2026年11月1日）新增完成2项，新增逾期1项，新增销号1项，完成率由20%提高到40%。 and the round."""
        parts: list[str] = []
        if self.previous is None or self.previous.as_of is None:
            parts.append("本期为首次报告，无上期数据可比。")
        else:
            head = f"较上期（截至{ar_date(self.previous.as_of)}）新增完成{len(self.newly_done)}项"
            more = [f"新增逾期{len(self.newly_overdue)}项" if self.newly_overdue else "无新增逾期"]
            if self.newly_written_off:
                more.append(f"新增销号{len(self.newly_written_off)}项")
            was = self.previous_stats.get("completion_whole")
            now = self.current.stats.completion_whole
            if isinstance(was, int) and was != now:
                more.append(f"完成率由{was}%{'提高到' if now > was else '降至'}{now}%")
            parts.append("，".join([head, *more]) + "。")
        if self.round_sent is not None:
            who = _GROUP_WORDS.get(self.round_by, "部门")
            if self.silent_groups:
                parts.append(
                    f"{ar_date(self.round_sent)}下发的整改进展填报表，截至{ar_date(self.current.day)}"
                    f"尚有{len(self.silent_groups)}个{who}未反馈：{'、'.join(self.silent_groups)}。"
                )
            else:
                parts.append(f"{ar_date(self.round_sent)}下发的整改进展填报表，各{who}均已反馈。")
        return "".join(parts)


def _figures_of(report: ProgressReport) -> dict[str, Any]:
    try:
        data = json.loads(report.figures or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _ids(data: dict[str, Any], key: str) -> set[int]:
    values = data.get(key)
    return {v for v in values if isinstance(v, int)} if isinstance(values, list) else set()


def compare(current: AsOf, previous: ProgressReport | None) -> Comparison:
    """What changed since `previous` (较上期), and the groups that did not answer the last fill-out round sent up
    to the date (its groups less those whose return was merged by the end of the date)."""
    c = Comparison(current, previous)
    if previous is not None:
        data = _figures_of(previous)
        c.previous_stats = data.get("stats") if isinstance(data.get("stats"), dict) else {}
        done, overdue, written_off = _ids(data, "done"), _ids(data, "overdue"), _ids(data, "written_off")
        c.newly_done = [r for r in current.items if r.status == DONE and r.id not in done]
        c.newly_overdue = [r for r in current.items if r.overdue and r.id not in overdue]
        c.newly_written_off = [r for r in current.items if r.written_off and r.id not in written_off]
    until = dt.datetime.combine(current.day + dt.timedelta(days=1), dt.time())
    rnd = (
        FillOutRound.select()
        .where((FillOutRound.inspection == current.inspection_id) & (FillOutRound.sent_at < until))
        .order_by(FillOutRound.sent_at.desc(), FillOutRound.id.desc())
        .first()
    )
    if rnd is not None and rnd.sent_at is not None:
        try:
            groups = [str(g) for g in json.loads(rnd.groups or "[]") if str(g).strip()]
        except (ValueError, TypeError):
            groups = []
        answered = {
            g
            for (g,) in FillOutReturn.select(FillOutReturn.group)
            .where((FillOutReturn.round == rnd.id) & (FillOutReturn.merged_at < until))
            .tuples()
        }
        c.round_sent = rnd.sent_at.date()
        c.round_by = rnd.by or "department"
        c.silent_groups = [g for g in dict.fromkeys(groups) if g not in answered]
    return c


class RememberReport(Command):
    """Keeps a report made (进展报告: its date, file and figures) in the ledger, so that the next one has its 上期.

    Its own command rather than commands.Insert: the figures (a JSON list of item ids) may be longer than the
    2,000 characters Insert allows a line of text."""

    def __init__(self, inspection_id: int, day: dt.date, file_name: str, figures: dict[str, Any]) -> None:
        self.values = {
            "inspection": inspection_id,
            "as_of": day,
            "made_at": dt.datetime.now().replace(microsecond=0),
            "file_name": file_name,
            "figures": json.dumps(figures, ensure_ascii=False, separators=(",", ":")),
        }
        self.row_id: int | None = None
        self.text = f"记录进展报告（截至{ar_date(day)}）"

    def do(self) -> list[Change]:
        values = dict(self.values)
        if self.row_id is not None:
            values["id"] = self.row_id  # redo gives the row back its id
        self.row_id = int(ProgressReport.insert(**values).execute())
        return [Change("insert", ProgressReport, self.row_id)]

    def undo(self) -> list[Change]:
        assert self.row_id is not None
        ProgressReport.delete().where(ProgressReport.id == self.row_id).execute()
        return [Change("remove", ProgressReport, self.row_id)]

    def log(self) -> list[LogEntry]:
        return [LogEntry("新增", _REPORT, self.row_id, new=self.values["file_name"], summary=self.text)]


def remember_command(current: AsOf, file_name: str) -> RememberReport:
    """The command that records the report made of `current` as `file_name`, for the window's undo stack."""
    return RememberReport(current.inspection_id, current.day, file_name, current.figures_json())


def remember(ledger: Any, current: AsOf, file_name: str) -> RememberReport:
    """Records the report made of `current` as `file_name` through the ledger's one door (the command line;
    the window pushes remember_command on its undo stack instead); returns the command."""
    cmd = remember_command(current, file_name)
    ledger.apply(cmd)
    return cmd
