"""What is still open on an item (未完成事项) at the moments that matter, and the clerk's answer to it.

When an item (细化问题) is set 已完成, or applied for write-off (申请销号), while some of its measures are not
ticked done or it has no evidence (佐证材料), the window asks. The clerk may tick the listed measures done in the
same step, go on anyway, or cancel. Going on is the clerk's explicit choice: it is recorded in the change log
(action 确认, one row for the item and one for each open measure, the note saying what was open), so that the
任务清单 can print such a measure as "未完成（经办人确认仍按已完成）" and any other unticked measure of a done
item (from an import, say) as to be checked, never as a plain 未完成 beside 已完成.

Nothing here imports Qt.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from rectify_desktop.core import ops, rules
from rectify_desktop.core.commands import ENTITY_NAMES, FIELD_NAMES, Batch, Change, Command, LogEntry
from rectify_desktop.core.models import DONE, WO_APPLY, ChangeLog, Evidence, Item, Measure

# The clerk's three answers.
TICK = "tick"
GO_ON = "go_on"
CANCEL = "cancel"

# The change log's action for the clerk's explicit choice; undone, the ledger writes it as 撤销确认.
CONFIRM_ACTION = "确认"
# How the 任务清单 prints an unticked measure of a done item: confirmed by the clerk, or not (to be checked).
CONFIRMED_OPEN = "未完成（经办人确认仍按已完成）"
UNCONFIRMED_OPEN = "未完成（细化问题已标为已完成，待核实）"
NO_EVIDENCE = "没有佐证材料"

# What the clerk goes on with, for the note: setting the status, or applying for write-off.
COMPLETING = "仍标记为已完成"
APPLYING = "仍申请销号"

_MEASURE = ENTITY_NAMES[Measure]
_ITEM = ENTITY_NAMES[Item]
_DONE_FIELD = FIELD_NAMES["done"]


@dataclass(frozen=True)
class OpenMeasure:
    """A measure (整改措施) not ticked done: its id, its place among the item's measures (一是 …) and text."""

    id: int
    ordinal: int
    text: str

    @property
    def label(self) -> str:
        return f"{rules.cn_number(self.ordinal)}是{self.text.strip().rstrip('。；;，,')}"


@dataclass(frozen=True)
class OpenThings:
    """What is open on one item: its unticked measures, and what is missing of its evidence ("" when none)."""

    item_id: int
    measures: tuple[OpenMeasure, ...] = ()
    evidence: str = ""

    def __bool__(self) -> bool:
        return bool(self.measures or self.evidence)

    def lines(self) -> list[str]:
        """One line per open thing, as the dialog lists them: each measure by its text, then the evidence."""
        out = [f"{m.label}（措施未完成）" for m in self.measures]
        if self.evidence:
            out.append(self.evidence)
        return out

    def note(self, going_on: str) -> str:
        """The change log's note of the clerk's choice: what was open, and that the clerk went on."""
        return f"经办人确认{going_on}，尚有事项未完成：" + "；".join(self.lines())


def open_things(item_id: int) -> OpenThings:
    """What is open on item `item_id`: measures with text not ticked done (a blank measure is no task, as in
    the 任务清单), and no evidence, or evidence of which no file is attached yet."""
    measures: list[OpenMeasure] = []
    ordinal = 0
    query = Measure.select(Measure.id, Measure.text, Measure.done).where(Measure.item == item_id)
    for mid, text, done in query.order_by(Measure.position, Measure.id).tuples():
        if not (text or "").strip():
            continue
        ordinal += 1
        if not done:
            measures.append(OpenMeasure(int(mid), ordinal, text))
    total = Evidence.select().where(Evidence.item == item_id).count()
    attached = Evidence.select().where((Evidence.item == item_id) & Evidence.blob.is_null(False)).count()
    evidence = ""
    if not total:
        evidence = NO_EVIDENCE
    elif not attached:
        evidence = f"佐证材料都还没有附上文件（登记了{total}份）"
    return OpenThings(item_id, tuple(measures), evidence)


class ConfirmOpen(Command):
    """The clerk's explicit choice to go on although `things` are open. It changes no table: it is the change
    log's record of that choice (one row for the item, one per open measure), undone and redone with the step
    it belongs to."""

    def __init__(self, things: OpenThings, going_on: str) -> None:
        self.things = things
        self.going_on = going_on
        self.text = f"确认{going_on}"

    def do(self) -> list[Change]:
        return []

    def undo(self) -> list[Change]:
        return []

    def log(self) -> list[LogEntry]:
        note = self.things.note(self.going_on)
        rows = [LogEntry(CONFIRM_ACTION, _ITEM, self.things.item_id, summary=note)]
        rows += [
            LogEntry(CONFIRM_ACTION, _MEASURE, m.id, _DONE_FIELD, "否", CONFIRMED_OPEN, note)
            for m in self.things.measures
        ]
        return rows


def tick_measures(things: OpenThings, today: dt.date | None = None) -> list[Command]:
    """The commands that tick the open measures of `things` done (with today's date)."""
    return [ops.set_fields(Measure, m.id, {"done": True}, today) for m in things.measures]


def _with_answer(step: Command, things: OpenThings, choice: str, going_on: str, today: dt.date | None) -> Command:
    if choice == TICK and things.measures:
        ticks = tick_measures(things, today)
        text = f"{step.text}（同时将{len(ticks)}项措施标为已完成）"
        return Batch(text, [step, *ticks])
    if choice == GO_ON and things:
        return Batch(f"{step.text}（{going_on}）", [step, ConfirmOpen(things, going_on)])
    return step


def complete_item(
    item_id: int, things: OpenThings, choice: str, today: dt.date | None = None, *, seen: Any = None
) -> Command:
    """完成情况 set to 已完成, with the clerk's answer to what is open: its measures ticked done in the same
    step (TICK), or the choice to go on recorded (GO_ON). One command: one undo takes back the status and
    the ticks together. `seen`: the item as the form showed it (a status someone changed since is refused)."""
    if choice == CANCEL:
        raise ValueError("已取消")
    step = ops.set_fields(Item, item_id, {"status": DONE}, today, seen=seen)
    return _with_answer(step, things, choice, COMPLETING, today)


def apply_writeoff(
    item_id: int,
    things: OpenThings,
    choice: str,
    who: str,
    date: dt.date,
    opinion: str = "",
    today: dt.date | None = None,
) -> Command:
    """申请销号 with the clerk's answer to what is open, as one command (see complete_item)."""
    if choice == CANCEL:
        raise ValueError("已取消")
    step = ops.write_off(item_id, WO_APPLY, who, date, opinion)
    return _with_answer(step, things, choice, APPLYING, today)


def confirmed_open(measure_ids: Iterable[int]) -> set[int]:
    """Of `measure_ids` (measures not ticked done), those the clerk confirmed to go on with: the latest of
    their change-log rows about being done is a 确认, not its undoing nor a later tick or untick."""
    ids = sorted(set(measure_ids))
    out: set[int] = set()
    for i in range(0, len(ids), 500):
        query = (
            ChangeLog.select(ChangeLog.entity_id, ChangeLog.action)
            .where(
                (ChangeLog.entity == _MEASURE)
                & ChangeLog.entity_id.in_(ids[i : i + 500])
                & (ChangeLog.field == _DONE_FIELD)
            )
            .order_by(ChangeLog.id)
            .tuples()
        )
        latest: dict[int, str] = {}
        for mid, action in query:
            latest[int(mid)] = action
        out |= {mid for mid, action in latest.items() if action == CONFIRM_ACTION}
    return out


def open_measure_state(item_status: str, confirmed: bool) -> str:
    """How the 任务清单 prints a measure not ticked done, by its item's status and the clerk's choice."""
    if item_status != DONE:
        return "未完成"
    return CONFIRMED_OPEN if confirmed else UNCONFIRMED_OPEN
