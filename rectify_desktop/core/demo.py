"""The demo ledger (示例台账): a realistic inspection, dated so that it is always half-way through.

The feedback date falls 150 days before the day the demo is made, so some items are always overdue, some
due soon, and the figures look like those of a real rectification at its midpoint.

The demo carries the history a clerk would have left (see :func:`fill_demo`): every change made through the
ledger's one door, each on its day, so that the 总览's 整改进度走势, each item's 修改记录 and a progress report's
较上期 have something to show on first start. Nothing is dated after the day the demo is made.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import io
import os
import struct
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rectify_desktop.core import asof, demo_data, demo_unit, evidence, ops, previous, rules
from rectify_desktop.core.commands import ENTITY_NAMES, Batch, Command, Insert
from rectify_desktop.core.ledger import Ledger
from rectify_desktop.core.models import (
    DONE,
    IN_PROGRESS,
    NOT_STARTED,
    ONGOING,
    WO_REJECT,
    Evidence,
    Finding,
    Institution,
    InstitutionItem,
    Item,
    Measure,
    Meeting,
    MeetingItem,
    db,
)
from rectify_desktop.core.storage import LedgerError

FEEDBACK_DAYS_AGO = 150
# The clerk typed the ledger in the day after the feedback, from the rectification plan.
ENTERED_DAY = 1
# The last progress report remembered (上期), made for the second 推进会.
REPORT_DAYS_AGO = 30
# Who the demo's change log names: the office's clerk (办公室), who keeps the ledger.
DEMO_CLERK = "李明"


def _month_end_after(start: dt.date, months: int) -> dt.date:
    y, m = divmod(start.month - 1 + months, 12)
    year, month = start.year + y, m + 1
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _deadline(spec: Any, feedback: dt.date) -> tuple[dt.date | None, str]:
    if isinstance(spec, int):
        return feedback + dt.timedelta(days=spec), ""
    if isinstance(spec, (tuple, list)) and spec and spec[0] == "month_end":
        end = _month_end_after(feedback, int(spec[1]))
        return None, f"{end.year}年{end.month}月底前"
    return None, str(spec)


class _Clerk:
    """The demo's clerk: applies each command through the ledger's one door (so that the change log holds what
    the program writes, item by item) on the day it happened. The log's clock says today; the rows a command
    wrote are then given the time of its day, a few minutes after the clerk's previous change."""

    def __init__(self, ledger: Ledger, feedback: dt.date, history: bool) -> None:
        self.ledger = ledger
        self.feedback = feedback
        self.history = history
        self.clock: dt.datetime | None = None
        self.last_row = self._last_row()
        self.times: list[tuple[str, int, int]] = []  # (time, first row, last row) not yet written

    @staticmethod
    def _last_row() -> int:
        return int(db.execute_sql("SELECT MAX(id) FROM change_log").fetchone()[0] or 0)

    def _tick(self, offset: int, not_before: dt.time | None) -> dt.datetime | None:
        if not self.history:
            return None
        day = self.feedback + dt.timedelta(days=offset)
        if self.clock is None or self.clock.date() < day:
            # A working day begins some time after half past eight, not at the same minute every day.
            self.clock = dt.datetime.combine(day, dt.time(8, 40)) + dt.timedelta(minutes=(offset * 37) % 80)
        else:
            self.clock += dt.timedelta(minutes=2 + offset % 3)
        if not_before is not None:
            self.clock = max(self.clock, dt.datetime.combine(day, not_before))
        return self.clock

    def apply(
        self, offset: int, build: Callable[[dt.datetime | None], Command], not_before: dt.time | None = None
    ) -> Command:
        """Applies the command `build(time)` made, as done `offset` days after the feedback."""
        when = self._tick(offset, not_before)
        command = build(when)
        self.ledger.apply(command)
        last = self._last_row()
        if when is not None and last > self.last_row:
            # Written as Ledger._write_log writes the time (to the second); all at once in settle().
            self.times.append((when.isoformat(" "), self.last_row, last))
        self.last_row = last
        return command

    def settle(self) -> None:
        """Gives the rows written so far their times (before asof reads the log, and at the end)."""
        if self.times:
            db.cursor().executemany("UPDATE change_log SET at = ? WHERE id > ? AND id <= ?", self.times)
            self.times = []


def _now(command: Command) -> Callable[[dt.datetime | None], Command]:
    return lambda _when: command


# An event of the demo's history: (day offset, order within the day, sequence, what the clerk did).
_Event = tuple[int, int, int, Callable[[dt.datetime | None], Command]]


def fill_demo(today: dt.date | None = None, ledger: Ledger | None = None, *, history: bool = True) -> int:
    """Writes the demo inspection into the open ledger, in one transaction; returns its id.

    With `history`, as a clerk would have kept it: the ledger typed in the day after the feedback, every item
    未启动; each item started some days before its first measure was done, measures ticked, items completed
    (已完成 on their completion date), write-offs applied for, sent back and approved, evidence, meetings, rules
    and results entered, each on its day; and a progress report remembered a month before `today`. Without,
    the same commands all logged now, and no report."""
    today = today or dt.date.today()
    ledger = ledger or Ledger._current
    if ledger is None or ledger.closed:
        raise LedgerError("没有打开的台账，无法写入示例数据")
    feedback = today - dt.timedelta(days=FEEDBACK_DAYS_AGO)
    clerk = _Clerk(ledger, feedback, history)
    user, ledger.user = ledger.user, DEMO_CLERK
    try:
        with db.atomic():
            insp_id = _fill(clerk, today, history)
    finally:
        ledger.user = user
    return insp_id


def _fill(clerk: _Clerk, today: dt.date, history: bool) -> int:
    feedback = clerk.feedback

    def day(offset: int | None) -> dt.date | None:
        return None if offset is None else feedback + dt.timedelta(days=offset)

    # The ledger typed in from the rectification plan (整改工作方案): the tree, every item 未启动.
    info = demo_unit.INSPECTION
    insp_cmd = ops.add_inspection(
        str(info["title"]),
        kind=info["kind"],
        inspecting_body=info["inspecting_body"],
        inspected_unit=info["inspected_unit"],
        period_start=day(int(info["period_start"])),  # type: ignore[call-overload]
        period_end=day(int(info["period_end"])),  # type: ignore[call-overload]
        feedback_date=feedback,
        notes=info["notes"],
    )
    insp_cmd.text = "创建示例台账"
    insp = _row_id(clerk.apply(ENTERED_DAY, _now(insp_cmd)))
    items_by_number: dict[tuple[int, int], int] = {}
    measures_of: dict[int, list[int]] = {}
    events: list[_Event] = []
    number = 0
    for cat in demo_data.CATEGORIES:
        c = _row_id(clerk.apply(ENTERED_DAY, _now(ops.add_category(insp, str(cat["title"])))))
        for fnd in cat["findings"]:  # type: ignore[attr-defined]
            number += 1
            values = {"category": c, "title": fnd["title"], "description": fnd.get("description", "")}
            f = _row_id(clerk.apply(ENTERED_DAY, _now(Insert(Finding, values))))
            for ipos, it in enumerate(fnd["items"]):
                ddate, dtext = _deadline(it["deadline"], feedback)
                add = ops.add_item(
                    f,
                    it["title"],
                    description=it.get("description", ""),
                    leader=it.get("leader", ""),
                    department=it.get("department", ""),
                    person=it.get("person", ""),
                    deadline_date=ddate,
                    deadline_text=dtext,
                    status=NOT_STARTED,
                    remarks=it.get("remarks", ""),
                )
                i = _row_id(clerk.apply(ENTERED_DAY, _now(add)))
                items_by_number[(number, ipos + 1)] = i
                measures_of[i] = [
                    _row_id(clerk.apply(ENTERED_DAY, _now(ops.add_measure(i, text)))) for text, _ in it["measures"]
                ]
                events += _item_events(i, measures_of[i], it, day)
    events += _register_events(insp, items_by_number, day)
    events += _evidence_events(items_by_number, measures_of, feedback)
    if history:
        events.append((FEEDBACK_DAYS_AGO - REPORT_DAYS_AGO, 9, 0, _report(clerk, insp, today)))
    for offset, order, _, build in sorted(events, key=lambda e: e[:3]):
        clerk.apply(max(ENTERED_DAY, offset), build, dt.time(16, 30) if order == 9 else None)
    clerk.settle()
    return insp


def _row_id(command: Command) -> int:
    row_id = getattr(command, "row_id", None)
    assert isinstance(row_id, int)
    return row_id


def _item_events(item_id: int, measure_ids: list[int], it: dict[str, Any], day: Callable[[int], Any]) -> list[_Event]:
    """An item's history: started (正在推进, or 长期坚持) a few days before its first measure was done, its
    measures ticked on their days, done on its completion date with its progress text (else the text written
    on the day of its last measure), its write-off steps; after a 退回 it is marked 已完成 again, with its
    completion date, on the day it is applied for once more."""
    status, completed, progress = it["status"], it.get("completed"), it.get("progress", "")
    done_days = [d for _, d in it["measures"] if d is not None]
    events: list[_Event] = []
    seq = item_id * 100

    def add(offset: int, order: int, command: Callable[[], Command]) -> None:
        nonlocal seq
        seq += 1
        events.append((offset, order, seq, lambda _when: command()))

    if status == NOT_STARTED:
        return events
    first = min(done_days + ([completed] if completed is not None else []))
    start = max(ENTERED_DAY + 2, first - 5)
    begun = ONGOING if status == ONGOING else IN_PROGRESS
    add(start, 0, functools.partial(ops.set_fields, Item, item_id, {"status": begun}))
    for mid, (_, done) in zip(measure_ids, it["measures"], strict=True):
        if done is not None:
            add(done, 1, functools.partial(ops.set_fields, Measure, mid, {"done": True, "done_date": day(done)}))
    finished = {"status": DONE, "completed_date": day(completed)} if status == DONE else {}
    if progress:
        finished["progress"] = progress
    if finished:
        last = completed if status == DONE else max(done_days + [start])
        add(last, 2, functools.partial(ops.set_fields, Item, item_id, finished))
    steps = it.get("writeoff", [])
    for n, (action, who, offset, opinion) in enumerate(steps):
        add(offset, 3, functools.partial(ops.write_off, item_id, action, who, day(offset), opinion))
        if action == WO_REJECT and n + 1 < len(steps):
            again = {"status": DONE, "completed_date": day(completed)}
            add(steps[n + 1][2], 2, functools.partial(ops.set_fields, Item, item_id, again))
    return events


def _links(model: type, fk: str, row_id: int, label: str, keys: list[tuple[int, int]], ids: dict) -> Command:
    """The items a rule or meeting is linked to, as the registers page links them: one step."""
    name = ENTITY_NAMES[Institution if model is InstitutionItem else Meeting]
    steps: list[Command] = []
    for key in keys:
        if tuple(key) in ids:
            ins = Insert(model, {fk: row_id, "item": ids[tuple(key)]})
            ins.text = f"{name}“{label[:20]}”关联细化问题{key[0]}{rules.item_label(key[1])}"
            steps.append(ins)
    return Batch(f"修改{name}关联的细化问题", steps)


def _register_events(insp: int, items: dict[tuple[int, int], int], day: Callable[[int], Any]) -> list[_Event]:
    """Meetings and rules (each then linked to its items, as the registers page links them) and results (问责,
    资金), each entered on its date, or, when the clerk entered several at once, with the one before it in its
    register (the registers keep their order)."""
    events: list[_Event] = []
    made: dict[str, int] = {}
    added: dict[tuple[str, int], Insert] = {}  # applied before the link that asks for its id

    def enter(register: str, offset: int, build: Callable[[dt.datetime | None], Command]) -> None:
        made[register] = max(made.get(register, 0), offset)
        events.append((made[register], 5, len(events), build))

    def insert(key: tuple[str, int], model: type, values: dict[str, Any]) -> Callable[[dt.datetime | None], Command]:
        def build(_when: dt.datetime | None) -> Command:
            added[key] = Insert(model, values)
            return added[key]

        return build

    def link(key: tuple[str, int], model: type, fk: str, label: str, keys: list) -> Callable[..., Command]:
        return lambda _when: _links(model, fk, _row_id(added[key]), label, keys, items)

    for pos, (kind, offset, topic) in enumerate(demo_unit.MEETINGS):
        values = {"inspection": insp, "kind": kind, "date": day(offset), "topic": topic}
        enter("meeting", offset, insert(("meeting", pos), Meeting, values))
        if pos == 0:
            enter("meeting", offset, link(("meeting", pos), MeetingItem, "meeting", topic, list(items)[:3]))
    for pos, (title, doc_number, offset, keys) in enumerate(demo_unit.INSTITUTIONS):
        made_on = day(offset)
        # The data's document numbers are written for 2026; keep them in the year the demo is dated.
        number = doc_number.replace("〔2026〕", f"〔{made_on.year}〕")
        values = {"inspection": insp, "title": title, "doc_number": number, "date": made_on}
        enter("institution", offset, insert(("institution", pos), Institution, values))
        enter("institution", offset, link(("institution", pos), InstitutionItem, "institution", title, keys))
    for pos, (kind, people, offset, note, key) in enumerate(demo_unit.ACCOUNTABILITY):
        item = items[key] if key else None
        cmd = ops.add_accountability(
            kind=kind, people=people, item_id=item, inspection_id=insp, date=day(offset), note=note
        )
        cmd.values["position"] = pos  # type: ignore[attr-defined]  # one order for the whole register
        enter("results", offset, _now(cmd))
    for pos, (kind, amount, offset, note, key) in enumerate(demo_unit.MONEY):
        item = items[key] if key else None
        cmd = ops.add_money(kind=kind, amount=amount, item_id=item, inspection_id=insp, date=day(offset), note=note)
        cmd.values["position"] = pos  # type: ignore[attr-defined]
        enter("results", offset, _now(cmd))
    return events


def _report(clerk: _Clerk, insp: int, today: dt.date) -> Callable[[dt.datetime | None], Command]:
    """The progress report made for the second 推进会 a month ago, remembered with the figures asof gives for
    its date from the log written so far, as 生成进展报告 remembers one."""
    as_of = clerk.feedback + dt.timedelta(days=FEEDBACK_DAYS_AGO - REPORT_DAYS_AGO)

    def build(when: dt.datetime | None) -> Command:
        clerk.settle()
        current = asof.figures_as_of(insp, as_of, today)
        cmd = previous.remember_command(current, f"整改进展报告（截至{asof.ar_date(as_of)}）.docx")
        if when is not None:
            cmd.values["made_at"] = when
        return cmd

    return build


# --- the demo's evidence files (佐证材料), made by the program itself ------------------------------

# (finding number, item number, measure index or None, file or None, title, kind, day offset, 文号).
# A None file is a material registered without its file (未附文件), as an imported ledger names them.
DEMO_EVIDENCE: tuple[tuple[int, int, int | None, str | None, str, str, int, str], ...] = (
    (1, 2, 0, "first_topic", "局党组会议纪要（“第一议题”学习）.pdf", "会议记录", 12, "局党组会议纪要〔2026〕3号"),
    (2, 1, None, "ideology", "中共临川县教育局党组意识形态工作责任制实施细则.pdf", "制度", 28, "临教党〔2026〕9号"),
    (4, 2, 0, "meeting", "党组会议现场照片.png", "照片", 20, ""),
    (4, 2, None, None, "党组会议记录本（纸质，存局办公室）", "会议记录", 20, ""),
    (5, 1, None, "reception_rules", "临川县教育局公务接待管理办法.pdf", "制度", 26, "临教发〔2026〕8号"),
    (5, 1, 1, "reception_list", "公务接待清单（整改后）.xlsx", "文件", 28, ""),
    (6, 1, None, "building", "校舍维修项目完工现场照片.png", "照片", 55, ""),
    (13, 1, None, "audit", "审计发现问题整改情况报告.pdf", "文件", 100, "临教发〔2026〕30号"),
    (13, 1, None, None, "审计整改销号佐证（纸质，存财务股）", "其他", 100, ""),
)

_PDF_TEXT: dict[str, tuple[str, list[str]]] = {
    "first_topic": (
        "局党组会议纪要",
        [
            "会议传达学习习近平总书记最新重要讲话和重要指示批示精神，",
            "研究落实“第一议题”制度的具体措施。",
            "会议议定：一、党组会议把学习习近平总书记最新重要讲话作为第一议题；",
            "二、建立“第一议题”学习台账，逐次记录学习内容和贯彻落实措施；",
            "三、局办公室负责跟踪督办，每季度通报落实情况。",
        ],
    ),
    "ideology": (
        "意识形态工作责任制实施细则",
        [
            "第一条  为落实党组意识形态工作主体责任，制定本细则。",
            "第二条  党组书记是意识形态工作第一责任人，班子成员落实“一岗双责”。",
            "第三条  党组每半年至少专题研究一次意识形态工作。",
            "第四条  建立意识形态工作责任清单，明确阵地管理责任。",
            "第五条  本细则自印发之日起施行。",
        ],
    ),
    "reception_rules": (
        "公务接待管理办法",
        [
            "第一条  为规范公务接待，厉行勤俭节约，制定本办法。",
            "第二条  公务接待实行公函制度，无公函的一律不予接待。",
            "第三条  接待结束后如实填写接待清单，与公函一并作为报销凭证。",
            "第四条  本办法自印发之日起施行。",
        ],
    ),
    "audit": (
        "审计发现问题整改情况报告",
        [
            "针对县审计局审计发现的问题，局党组高度重视，逐项制定整改措施。",
            "截至目前，审计发现的问题已全部整改到位，相关资金已清理归还，",
            "建立健全财务管理制度3项，整改资料已归档备查。",
        ],
    ),
}


def _pdf_text(s: str) -> str:
    return "<" + s.encode("utf-16-be").hex().upper() + ">"


@functools.cache
def demo_pdf(title: str, lines: tuple[str, ...]) -> bytes:
    """A one-page A4 PDF written by hand: Chinese in the standard font STSong-Light (every PDF reader has
    it or a substitute, so nothing is embedded), and a note in Helvetica."""
    ops = [f"BT /F2 20 Tf {(595 - 20 * len(title)) / 2:.1f} 740 Td {_pdf_text(title)} Tj ET"]
    ops.append("BT /F2 12 Tf 72 690 Td 18 TL")
    for line in lines:
        ops.append(f"{_pdf_text(line)} Tj T*")
    ops.append("ET")
    ops.append("BT /F1 9 Tf 72 60 Td (Demo evidence made by Rectify Desktop) Tj ET")
    content = "\n".join(ops).encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R /F2 6 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [7 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light"
        b" /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >>"
        b" /FontDescriptor 8 0 R /DW 1000 /W [1 95 500 814 939 500] >>",
        b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880]"
        b" /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>",
        b"<< /Producer (Rectify Desktop) /Title " + _pdf_text(title).encode("ascii").replace(b"<", b"<FEFF") + b" >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        len(objects),
        xref,
    )
    return bytes(out)


def _png(width: int, height: int, rows: list[bytearray]) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + bytes(r) for r in rows)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


class _Canvas:
    """Enough drawing for a demo photo: filled rectangles and discs on RGB rows."""

    def __init__(self, width: int, height: int, rgb: tuple[int, int, int]) -> None:
        self.w, self.h = width, height
        self.rows = [bytearray(bytes(rgb) * width) for _ in range(height)]

    def rect(self, x0: int, y0: int, x1: int, y1: int, rgb: tuple[int, int, int]) -> None:
        x0, x1 = max(0, x0), min(self.w, x1)
        for y in range(max(0, y0), min(self.h, y1)):
            self.rows[y][3 * x0 : 3 * x1] = bytes(rgb) * (x1 - x0)

    def disc(self, cx: int, cy: int, r: int, rgb: tuple[int, int, int]) -> None:
        for y in range(max(0, cy - r), min(self.h, cy + r + 1)):
            dx = int((r * r - (y - cy) ** 2) ** 0.5)
            self.rect(cx - dx, y, cx + dx + 1, y + 1, rgb)

    def vertical_gradient(self, y0: int, y1: int, top: tuple[int, int, int], bottom: tuple[int, int, int]) -> None:
        for y in range(y0, y1):
            t = (y - y0) / max(1, y1 - y0 - 1)
            r, g, b = (round(a + (z - a) * t) for a, z in zip(top, bottom, strict=True))
            self.rect(0, y, self.w, y + 1, (r, g, b))

    def png(self) -> bytes:
        return _png(self.w, self.h, self.rows)


@functools.cache
def demo_png(scene: str) -> bytes:
    """A small picture drawn by hand: a meeting room, or a repaired school building."""
    c = _Canvas(360, 240, (236, 230, 214))
    if scene == "meeting":
        c.vertical_gradient(0, 150, (242, 238, 226), (222, 214, 196))
        c.rect(40, 18, 320, 52, (190, 30, 36))  # the red banner above the platform
        c.rect(52, 30, 308, 40, (246, 214, 120))
        c.rect(0, 150, 360, 240, (150, 112, 80))  # floor
        for i in range(6):  # the people around the table
            x = 48 + i * 53
            c.rect(x - 16, 112, x + 16, 170, (38, 52, 78))
            c.disc(x, 98, 13, (232, 196, 160))
            c.rect(x - 13, 84, x + 13, 92, (34, 30, 28))
        c.rect(20, 160, 340, 186, (120, 72, 40))  # the long table
        c.rect(20, 186, 340, 192, (92, 54, 30))
        for i in range(6):
            c.rect(40 + i * 53, 164, 62 + i * 53, 170, (250, 250, 250))  # papers on the table
    else:
        c.vertical_gradient(0, 170, (120, 176, 226), (206, 228, 244))
        c.rect(0, 170, 360, 240, (96, 150, 70))  # lawn
        c.rect(60, 70, 300, 182, (214, 206, 190))  # the school building
        c.rect(50, 58, 310, 72, (160, 60, 48))  # its roof
        for row in range(3):
            for col in range(7):
                x, y = 76 + col * 32, 84 + row * 30
                c.rect(x, y, x + 20, y + 18, (90, 130, 170))
                c.rect(x + 9, y, x + 11, y + 18, (230, 230, 230))
        c.rect(166, 150, 194, 182, (110, 70, 40))  # the door
        c.rect(0, 182, 360, 192, (200, 200, 196))  # the path
        c.disc(32, 146, 26, (60, 120, 50))  # trees
        c.rect(29, 160, 35, 184, (100, 70, 40))
        c.disc(330, 146, 24, (60, 120, 50))
        c.rect(327, 160, 333, 184, (100, 70, 40))
    return c.png()


@functools.cache
def demo_xlsx(start: dt.date) -> bytes:
    """公务接待清单: a small workbook, as a department would hand it in; receptions from `start` on."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = "接待清单"
    ws.append(["临川县教育局公务接待清单（整改后）"])
    ws["A1"].font = Font(name="宋体", size=14, bold=True)
    ws.merge_cells("A1:G1")
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append(["序号", "接待日期", "来访单位", "公函文号", "来访人数", "陪同人数", "费用（元）"])
    rows = [
        ("市教育局基础教育处", "市教函〔2026〕12号", 3, 2, 360),
        ("邻县教育局", "邻教函〔2026〕5号", 4, 2, 420),
        ("省教育厅督导组", "省教督函〔2026〕21号", 5, 3, 0),
        ("市审计局", "市审函〔2026〕8号", 2, 1, 150),
    ]
    for i, (unit, letter, visitors, hosts, cost) in enumerate(rows, 1):
        day = start + dt.timedelta(days=9 * i)
        ws.append([i, day, unit, letter.replace("〔2026〕", f"〔{day.year}〕"), visitors, hosts, cost])
        ws.cell(ws.max_row, 2).number_format = "yyyy年m月d日"
    for col, width in zip("ABCDEFG", (6, 16, 22, 22, 10, 10, 12), strict=True):
        ws.column_dimensions[col].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _demo_file(key: str, day: dt.date) -> bytes:
    if key in _PDF_TEXT:
        title, lines = _PDF_TEXT[key]
        return demo_pdf(title, tuple(lines))
    if key in ("meeting", "building"):
        return demo_png(key)
    return demo_xlsx(day - dt.timedelta(days=40))


def _evidence_events(
    items_by_number: dict[tuple[int, int], int], measures_of: dict[int, list[int]], feedback: dt.date
) -> list[_Event]:
    """The evidence files and registered materials, each added on its date or with the one before it."""
    events: list[_Event] = []
    positions: dict[int, int] = {}
    entered = 0
    for finding, item, measure, key, name, kind, offset, doc_number in DEMO_EVIDENCE:
        item_id = items_by_number.get((finding, item))
        if item_id is None:
            continue
        day = feedback + dt.timedelta(days=offset)
        ids = measures_of[item_id]
        values = {
            "item": item_id,
            "measure": ids[measure] if measure is not None and measure < len(ids) else None,
            "blob": evidence.store_bytes(_demo_file(key, day)) if key else None,
            "position": positions.get(item_id, 0),
            "name": name,
            "kind": kind,
            "date": day,
            "doc_number": doc_number.replace("〔2026〕", f"〔{day.year}〕"),
        }
        positions[item_id] = positions.get(item_id, 0) + 1

        def build(when: dt.datetime | None, values: dict[str, Any] = values) -> Command:
            cmd = Insert(Evidence, {**values, "added_at": when} if when else values)
            cmd.text = "添加佐证材料"  # as evidence.AddEvidence says it
            return cmd

        entered = max(entered, offset)
        events.append((entered, 4, len(events), build))
    return events


def make_demo(path: str | os.PathLike[str], today: dt.date | None = None, *, history: bool = True) -> Path:
    """Writes a new demo ledger file at `path` (which must not exist); with `history`, the demo's change log
    spread over the months since its feedback, else all of it written now (see fill_demo)."""
    p = Path(path)
    if p.exists():
        raise LedgerError(f"文件已存在：{p}")
    # Made under another name and renamed when whole, so that a failure leaves no half-made ledger.
    tmp = p.with_name(p.name + ".making")
    tmp.unlink(missing_ok=True)
    ledger = Ledger.create(tmp)
    try:
        fill_demo(today, ledger, history=history)
    except BaseException:
        ledger.close()
        tmp.unlink(missing_ok=True)
        raise
    ledger.close()
    os.replace(tmp, p)
    return p
