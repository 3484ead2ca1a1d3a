"""回收合并: returned 填报表 read back into a :class:`~rectify_desktop.core.fillout.MergePlan`, without
writing anything; :func:`rectify_desktop.core.fillout.apply_plan` then makes the one undoable command of
what the clerk accepted.

Every row is found by its key (``<item id>-<hash>`` in the hidden column), never by its place or its title.
For every field the plan has three versions: the ledger now (old), the workbook as sent (sent, from the
hidden 填报数据 sheet) and the answer (new); a field is proposed only where new differs from sent and from old.

Conflicts are shown, never resolved here (their entries are left out of ``default_accepted``):

- the ledger changed the field since the round went out and the answer says something else (both shown);
- two groups answered one item (an item naming two departments goes to both) differently; the same answer
  from both is one change;
- a row whose key is not this workbook's (another inspection, another round), edited by hand, repeated; a
  row deleted from the workbook; a row added without a key; a locked column changed (the row is held);
- a status word outside the list: a synonym the Excel import knows (已整改 → 已完成) is mapped and said in
  the notes; anything else is a conflict;
- a workbook from an older round when the same group was sent a newer one (its rows are held).

A file is refused, with its reason, when it is not a returned 填报表, belongs to another ledger, to a round
the ledger does not know, or is the same file as one given before or one already merged (SHA-256). A row
moved within the workbook is fine: the notes say so.

Evidence named in 佐证材料 and not in the ledger is listed in ``to_attach`` and proposed as a material
registered without its file (the ledger's 未附文件), as the Excel import registers them: the name is the
department's, nothing is invented, and the clerk attaches the file when it comes on paper or USB.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from openpyxl.utils.datetime import from_excel

from rectify_desktop.core import fillout, rules, settings
from rectify_desktop.core.commands import written_off_items_under
from rectify_desktop.core.fillout import (
    ANSWER_LABELS,
    FORMAT_VERSION,
    TICK_DONE,
    TICK_OPEN,
    Conflict,
    FieldChange,
    ItemEntry,
    MergePlan,
    ReturnedFile,
)
from rectify_desktop.core.models import DONE, STATUSES, FillOutReturn, FillOutRound, Finding, Inspection, Item
from rectify_desktop.core.table import cn_date
from rectify_desktop.io.fillout_export import CONTEXT, DATA_SHEET, KEY_HEADER, MAIN_SHEET, TICK_HEADER, sent_state
from rectify_desktop.io.xlsx_reader import Workbook, XlsxImportError
from rectify_desktop.io.xlsx_values import _STATUS_WORDS, cell_text, read_status

NOT_RETURNED = "不是下发的填报表"
OLDER_ROUND = "较早一轮的填报表"
_SERIAL = (36526, 73051)  # Excel's day numbers of 2000-01-01 and 2099-12-31
_KEY = re.compile(r"^\s*(\d+)-([0-9a-f]{16})\s*$")
_TICKS_DONE = frozenset({TICK_DONE, "完成", "是", "√", "✓", "✔", "已完成整改", "已落实"})
_TICKS_OPEN = frozenset({TICK_OPEN, "否", "×", "✗", "未", "正在推进", "推进中"})
_CONTEXT_LABELS = {k: head for k, head, _ in CONTEXT}


def _text(value: Any) -> str:
    """A cell's text as compared with what was sent: line ends as \\n, no trailing blanks."""
    text = cell_text(value) if not isinstance(value, str) else value
    return text.replace("\r\n", "\n").replace("\r", "\n").rstrip()


def _short(text: Any, n: int = 30) -> str:
    t = " ".join(str(text if text is not None else "").split())
    return t if len(t) <= n else t[: n - 1] + "…"


def _shown(field: str, value: Any) -> str:
    """A value as the clerk reads it in a message."""
    if field.startswith("measure:"):
        return TICK_DONE if value else TICK_OPEN
    if value in (None, ""):
        return "（空白）"
    return f"“{_short(value)}”"


class _Refused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class _Returned:
    """One returned workbook as read: its round facts, what each item said when sent, and its rows."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            wb = Workbook(path)
        except XlsxImportError as exc:
            raise _Refused(f"{NOT_RETURNED}，无法读取：{exc}") from exc
        except OSError as exc:
            raise _Refused(f"无法读取该文件：{exc}") from exc
        with wb:
            if DATA_SHEET not in wb.names:
                raise _Refused(
                    f"{NOT_RETURNED}：缺少隐藏的“{DATA_SHEET}”工作表（可能是台账导出的表格、别的表格，"
                    "或另存时丢失了隐藏的工作表）。请让填报部门在下发的原文件上填写后交回"
                )
            data = wb.sheet(DATA_SHEET)
            self.meta = self._meta(data.cells)
            self.sent = self._sent(data.cells)
            main = self.meta.get("main_sheet") or MAIN_SHEET
            names = [main] if main in wb.names else [n for n in wb.names if n not in wb.hidden]
            self.sheet = None
            for name in names:
                sheet = wb.sheet(name)
                if self._header(sheet.cells) is not None:
                    self.sheet = sheet
                    break
            if self.sheet is None:
                raise _Refused(f"{NOT_RETURNED}：找不到“{MAIN_SHEET}”工作表或它的表头（含“{KEY_HEADER}”列）")

    @staticmethod
    def _meta(cells: dict[int, dict[int, Any]]) -> dict[str, str]:
        meta: dict[str, str] = {}
        for r in sorted(cells):
            row = cells[r]
            k = cell_text(row.get(1))
            if k == "item_id":
                break
            if k:
                meta[k] = cell_text(row.get(2))
        if meta.get("format") != "rectify-desktop 填报表":
            raise _Refused(f"{NOT_RETURNED}：隐藏的“{DATA_SHEET}”工作表不是本程序写的")
        try:
            version = int(meta.get("format_version", ""))
        except ValueError:
            version = 0
        if version != FORMAT_VERSION:
            raise _Refused(
                f"{NOT_RETURNED}：填报表格式版本为“{meta.get('format_version')}”，本程序只能读取第 {FORMAT_VERSION} 版"
            )
        for k in ("ledger_id", "inspection_id", "round_token", "group", "by"):
            if not meta.get(k):
                raise _Refused(f"{NOT_RETURNED}：隐藏的核对数据缺少“{k}”（被改动或损坏）")
        return meta

    def _sent(self, cells: dict[int, dict[int, Any]]) -> dict[int, dict[str, Any]]:
        out: dict[int, dict[str, Any]] = {}
        started = False
        token = self.meta["round_token"]
        for r in sorted(cells):
            row = cells[r]
            if not started:
                started = cell_text(row.get(1)) == "item_id"
                continue
            try:
                iid = int(cell_text(row.get(1)))
                sent = json.loads("".join(cell_text(row.get(c)) for c in sorted(row) if c >= 4))
            except ValueError as exc:
                raise _Refused(f"{NOT_RETURNED}：隐藏的核对数据第 {r} 行无法读取（被改动或损坏）") from exc
            digest = cell_text(row.get(3))
            if fillout.state_hash(iid, sent, token) != digest:
                raise _Refused(f"隐藏的核对数据第 {r} 行与其校验值不符（被手工改动过），无法核对该填报表")
            try:
                sheet_row = int(cell_text(row.get(2)))
            except ValueError:
                sheet_row = 0
            out[iid] = {"hash": digest, "row": sheet_row, **sent}
        if not started:
            raise _Refused(f"{NOT_RETURNED}：隐藏的核对数据不完整")
        return out

    @staticmethod
    def _header(cells: dict[int, dict[int, Any]]) -> tuple[int, dict[str, int]] | None:
        for r in sorted(cells)[:12]:
            heads: dict[str, int] = {}
            for c, v in cells[r].items():
                text = cell_text(v).split("\n")[0].strip()
                if text:
                    heads.setdefault(text, c)
            if KEY_HEADER in heads:
                return r, heads
        return None


def _status(word: str) -> tuple[str | None, str, dt.date | None]:
    """(status, note or conflict, date written with it): a status of the list; a synonym the Excel import
    knows, mapped with a note; anything else: None and the conflict's words."""
    key = re.sub(r"\s", "", word)
    if key in STATUSES:
        return key, "", None
    st = read_status(word)
    base = re.sub(r"\s", "", re.sub(r"[（(].*?[)）]", "", word))
    if base in STATUSES:
        return base, "", st.completed
    if base in _STATUS_WORDS:
        return st.status, f"完成情况“{word}”不在下拉列表中，按导入时的同义词理解为“{st.status}”", st.completed
    return None, f"完成情况“{word}”不在下拉列表中（{'、'.join(STATUSES)}），无法确定，未采用", None


def _date(value: Any) -> tuple[str | None, bool]:
    """(ISO date or "" for blank, understood)."""
    if value in (None, ""):
        return "", True
    if isinstance(value, dt.datetime):
        return value.date().isoformat(), True
    if isinstance(value, dt.date):
        return value.isoformat(), True
    if isinstance(value, (int, float)) and not isinstance(value, bool) and _SERIAL[0] <= value <= _SERIAL[1]:
        # A date whose cell lost its date format reads as Excel's day number (46357 = 2026-12-01).
        return from_excel(value).date().isoformat(), True
    d = rules.parse_date(_text(value).strip())
    return (d.isoformat(), True) if d else (None, False)


def _tick(value: Any) -> bool | None:
    text = re.sub(r"\s", "", _text(value))
    if text in _TICKS_DONE:
        return True
    if text in _TICKS_OPEN or text == "":
        return False
    return None


def _refs(ids: Iterable[int]) -> dict[int, tuple[str, str, int]]:
    """item id → (3（2）, title, inspection id) for the items that exist."""
    ids = list(set(ids))
    out: dict[int, tuple[str, str, int]] = {}
    for i in range(0, len(ids), 500):
        q = (
            Item.select(Item.id, Item.number, Item.title, Finding.number, Finding.inspection)
            .join(Finding)
            .where(Item.id.in_(ids[i : i + 500]))
            .tuples()
        )
        for iid, num, title, fnum, insp in q:
            out[iid] = (f"{fnum}{rules.item_label(num)}", title or "", int(insp))
    return out


class _Reader:
    """Builds the plan, file by file, then across files."""

    def __init__(self) -> None:
        self.plan = MergePlan()
        self.ledger_id = settings.get("ledger_id").strip()
        self.seen: dict[str, str] = {}
        self.merged = {r.file_sha256: r for r in FillOutReturn.select() if r.file_sha256}
        self.written_off: dict[int, set[int]] = {}

    def _held(self, inspection_id: int) -> set[int]:
        """The written-off items (已销号) of an inspection, read once per merge."""
        if inspection_id not in self.written_off:
            self.written_off[inspection_id] = set(written_off_items_under(Inspection, inspection_id))
        return self.written_off[inspection_id]

    def read(self, path: Path, n: int) -> None:
        rf = ReturnedFile(path=str(path), name=path.name)
        self.plan.files.append(rf)
        try:
            if not path.is_file():
                raise _Refused("找不到该文件" if not path.exists() else "这不是文件")
            rf.sha256 = _sha256(path)
            if rf.sha256 in self.seen:
                raise _Refused(f"与“{self.seen[rf.sha256]}”是同一文件（内容完全相同），已跳过")
            self.seen[rf.sha256] = path.name
            if rf.sha256 in self.merged:
                done = self.merged[rf.sha256]
                when = cn_date(done.merged_at.date()) if done.merged_at else ""
                raise _Refused(f"该文件已合并过（{when}，{done.group}，{done.file_name}），不再重复合并")
            book = _Returned(path)
            self._check_round(book, rf)
        except _Refused as exc:
            rf.refused = exc.reason
            return
        self._rows(book, rf, n)

    def _check_round(self, book: _Returned, rf: ReturnedFile) -> None:
        meta = book.meta
        if not self.ledger_id or meta["ledger_id"] != self.ledger_id:
            raise _Refused("该填报表属于另一本台账（台账标识不同），不能合并到本台账")
        rnd = FillOutRound.get_or_none(FillOutRound.token == meta["round_token"])
        if rnd is None:
            raise _Refused("找不到该填报表所属的下发轮次（可能已撤销下发，或是从台账的旧副本下发的），不能合并")
        if str(rnd.inspection_id) != meta["inspection_id"]:
            raise _Refused("该填报表记载的巡察与其下发轮次不符（隐藏的核对数据被改动），不能合并")
        groups = json.loads(rnd.groups or "[]")
        if meta["group"] not in groups:
            raise _Refused(f"该轮没有向“{meta['group']}”下发填报表（隐藏的核对数据被改动），不能合并")
        rf.group, rf.round_id = meta["group"], int(rnd.id)
        newer = (
            FillOutRound.select()
            .where(
                (FillOutRound.inspection == rnd.inspection_id)
                # two rounds sent within the same second: the later row is the newer
                & (
                    (FillOutRound.sent_at > rnd.sent_at)
                    | ((FillOutRound.sent_at == rnd.sent_at) & (FillOutRound.id > rnd.id))
                )
            )
            .order_by(FillOutRound.sent_at.desc())
        )
        for other in newer:
            if meta["group"] in json.loads(other.groups or "[]"):
                book.older = (
                    f"“{rf.name}”是较早一轮（{cn_date(rnd.sent_at.date())}下发）的填报表，"
                    f"{cn_date(other.sent_at.date())}已向{meta['group']}下发了新一轮：请核对后再逐项选用"
                )
                self.plan.conflicts.append(Conflict(book.older, rf.name, rf.group))
                break

    def _rows(self, book: _Returned, rf: ReturnedFile, n: int) -> None:
        sheet = book.sheet
        assert sheet is not None
        head, cols = _Returned._header(sheet.cells)  # type: ignore[misc]
        insp = int(book.meta["inspection_id"])
        name = rf.name
        key_col = cols[KEY_HEADER]
        refs = _refs(list(book.sent) + [int(m.group(1)) for m in self._keys(sheet.cells, head, key_col)])
        now = fillout.item_states([i for i in book.sent if i in refs])
        self.plan.states.update(now)  # applying refuses a field someone changes while the clerk reviews
        found: dict[int, int] = {}
        older = getattr(book, "older", "")
        for r in sorted(sheet.cells):
            if r <= head:
                continue
            row = sheet.cells[r]
            rf.rows += 1
            raw_key = cell_text(row.get(key_col))
            where = f"“{name}”第 {r} 行"
            if not raw_key:
                texts = [_short(_text(v), 20) for c, v in sorted(row.items()) if _text(v)]
                if texts:
                    self._conflict(f"{where}是新增的行（没有键），未合并：{'；'.join(texts[:3])}", rf, r)
                continue
            m = _KEY.match(raw_key)
            iid = int(m.group(1)) if m else None
            if m is None or iid not in book.sent:
                if iid is not None and iid in refs and refs[iid][2] != insp:
                    why = f"{where}的键属于另一次巡察的细化问题（{refs[iid][0]}），未合并"
                elif iid is not None and iid in refs:
                    why = f"{where}的键属于本填报表以外的细化问题（{refs[iid][0]}），未合并"
                else:
                    why = f"{where}的键“{_short(raw_key, 24)}”不属于本填报表（被改动或从别的表复制），未合并"
                self._conflict(why, rf, r, iid)
                continue
            sent = book.sent[iid]
            if m.group(2) != sent["hash"]:
                self._conflict(
                    f"{where}的键与下发时不符（被手工改动，或是从另一轮的填报表复制来的），未合并", rf, r, iid
                )
                continue
            if iid in found:
                self._conflict(
                    f"{where}与第 {found[iid]} 行是同一细化问题（行被复制），只合并第 {found[iid]} 行", rf, r, iid
                )
                continue
            found[iid] = r
            if sent["row"] and sent["row"] != r:
                self.plan.notes.append(f"{where}（原第 {sent['row']} 行）已移动，键完好，按键合并")
            if iid not in refs:
                self._conflict(f"{where}：该细化问题已从台账中删除，未合并", rf, r, iid)
                continue
            self._entry(book, rf, n, r, iid, row, cols, refs[iid], now[iid], older)
        for iid, sent in book.sent.items():
            if iid not in found:
                ref = refs.get(iid, (f"#{iid}", "", 0))
                title = _short(sent["context"].get("item", ref[1]), 24)
                self._conflict(f"“{name}”中{ref[0]}（{title}）的行被删除，该项没有答复", rf, sent["row"] or None, iid)

    @staticmethod
    def _keys(cells: dict[int, dict[int, Any]], head: int, key_col: int) -> list[re.Match[str]]:
        out = []
        for r, row in cells.items():
            if r > head:
                m = _KEY.match(cell_text(row.get(key_col)))
                if m:
                    out.append(m)
        return out

    def _conflict(
        self, message: str, rf: ReturnedFile, row: int | None = None, item_id: int | None = None, entry: str = ""
    ) -> None:
        self.plan.conflicts.append(Conflict(message, rf.name, rf.group, row, item_id, entry))

    def _entry(
        self,
        book: _Returned,
        rf: ReturnedFile,
        n: int,
        r: int,
        iid: int,
        row: dict[int, Any],
        cols: dict[str, int],
        ref: tuple[str, str, int],
        now: dict[str, Any],
        older: str,
    ) -> None:
        sent = book.sent[iid]
        state = sent["state"]
        entry = ItemEntry(f"{n}:{iid}", iid, ref[0], ref[1], rf.group, rf.name)
        where = f"“{rf.name}”第 {r} 行（{ref[0]}）"
        held = []
        if older:
            held.append(OLDER_ROUND)
        for key, text in sent["context"].items():
            label = _CONTEXT_LABELS.get(key, key)
            c = cols.get(label)
            if c is None:
                continue
            got = _text(row.get(c))
            if got != _text(text):
                msg = (
                    f"{where}改动了锁定列“{label}”：原为{_shown('', text)}，现为{_shown('', got)}"
                    "（锁定列不合并，该行暂不采用）"
                )
                self._conflict(msg, rf, r, iid, entry.id)
                held.append(f"锁定列“{label}”被改动")
        if iid in self._held(ref[2]):
            self._conflict(f"{where}：该细化问题已销号，不能修改，未合并", rf, r, iid, entry.id)
            held.append("已销号")
        new: dict[str, Any] = {}
        notes: dict[str, str] = {}
        bad: dict[str, str] = {}
        for key in ("progress", "remarks"):
            if ANSWER_LABELS[key] in cols:
                new[key] = _text(row.get(cols[ANSWER_LABELS[key]]))
        status_date: dt.date | None = None
        if ANSWER_LABELS["status"] in cols:
            word = _text(row.get(cols[ANSWER_LABELS["status"]])).strip()
            if word == state["status"] or (not word and not state["status"]):
                new["status"] = state["status"]
            elif not word:
                bad["status"] = f"{where}的完成情况被清空，未采用"
            else:
                st, say, status_date = _status(word)
                if st is None:
                    bad["status"] = f"{where}的{say}"
                else:
                    new["status"] = st
                    if say:
                        notes["status"] = say
                        self.plan.notes.append(f"{where}：{say}")
        if ANSWER_LABELS["completed_date"] in cols:
            iso, ok = _date(row.get(cols[ANSWER_LABELS["completed_date"]]))
            if not ok:
                bad["completed_date"] = (
                    f"{where}的完成时间“{_short(_text(row.get(cols[ANSWER_LABELS['completed_date']])))}”不是日期，未采用"
                )
            else:
                if not iso and status_date is not None and not state["completed_date"]:
                    iso = status_date.isoformat()
                new["completed_date"] = iso
        final = new.get("status", state["status"])
        if new.get("completed_date") and new["completed_date"] != state["completed_date"] and final != DONE:
            bad["completed_date"] = f"{where}填写了完成时间“{new.pop('completed_date')}”，但完成情况为“{final}”，未采用"
        for i, (mid, _done) in enumerate(state["measures"], 1):
            c = cols.get(TICK_HEADER.format(n=i))
            if c is None:
                continue
            tick = _tick(row.get(c))
            if tick is None:
                bad[f"measure:{mid}"] = (
                    f"{where}的措施{i}“{_short(_text(row.get(c)))}”无法识别（应为“{TICK_DONE}”或“{TICK_OPEN}”），未采用"
                )
            else:
                new[f"measure:{mid}"] = tick
        sent_flat = dict(state)
        now_flat = sent_state(now)  # as a cell would show it, like what was sent
        for mid, done in state["measures"]:
            sent_flat[f"measure:{mid}"] = done
        for mid, done in now["measures"]:
            now_flat[f"measure:{mid}"] = done
        labels = dict(ANSWER_LABELS)
        for i, (mid, _) in enumerate(state["measures"], 1):
            labels[f"measure:{mid}"] = f"措施{i}"
        for key, value in new.items():
            was = sent_flat.get(key)
            old = now_flat.get(key)
            if value == was:
                continue  # not answered: whatever the ledger says now stands
            if key.startswith("measure:") and key not in now_flat:
                self._conflict(f"{where}的{labels[key]}已从台账中删除，未合并", rf, r, iid, entry.id)
                continue
            if value == old:
                continue  # the ledger says so already
            fc = FieldChange(f"{entry.id}:{key}", iid, key, labels[key], old, was, value, note=notes.get(key, ""))
            if old != was:
                fc.conflict = (
                    f"{where}的{labels[key]}下发后台账中已修改：下发时为{_shown(key, was)}，"
                    f"台账现为{_shown(key, old)}，{rf.group}填为{_shown(key, value)}"
                )
                self._conflict(fc.conflict, rf, r, iid, fc.id)
            entry.fields.append(fc)
        for msg in bad.values():
            self._conflict(msg, rf, r, iid, entry.id)
        # Materials: names not sent and not in the ledger now are proposed; names removed are only said.
        if ANSWER_LABELS["evidence"] in cols:
            names = [x.strip() for x in _text(row.get(cols[ANSWER_LABELS["evidence"]])).split("\n")]
            names = list(dict.fromkeys(x for x in names if x))
            have = set(now["evidence"]) | set(state["evidence"])
            for x in names:
                if x not in have:
                    fc = FieldChange(f"{entry.id}:evidence:{x}", iid, f"evidence:{x}", "新增佐证材料", None, None, x)
                    entry.fields.append(fc)
                    self.plan.to_attach.append(fillout.ToAttach(iid, ref[0], x, rf.group, rf.name))
            gone = [x for x in state["evidence"] if x not in names]
            if gone:
                self.plan.notes.append(
                    f"{where}删去了材料名称{'、'.join('“' + _short(x, 20) + '”' for x in gone)}："
                    "台账中的材料不会因此删除"
                )
        if held:
            entry.held = "；".join(dict.fromkeys(held))
        # A row held for its own reason is shown even when it changes nothing; an unchanged row of an older
        # round's workbook is not.
        if entry.fields or any(h != OLDER_ROUND for h in held):
            self.plan.entries.append(entry)

    def across_files(self) -> None:
        """Two groups that answered one field of one item differently: each such change is a conflict."""
        by_field: dict[tuple[int, str], list[tuple[ItemEntry, FieldChange]]] = {}
        for e in self.plan.entries:
            for f in e.fields:
                by_field.setdefault((f.item_id, f.field), []).append((e, f))
        for (_iid, _field), pairs in by_field.items():
            if len({json.dumps(f.new, ensure_ascii=False) for _, f in pairs}) < 2:
                continue
            said = "；".join(f"{e.group}（{e.file}）填为{_shown(f.field, f.new)}" for e, f in pairs)
            e0, f0 = pairs[0]
            who = "、".join(dict.fromkeys(e.group for e, _ in pairs))
            msg = f"{e0.ref}的{f0.label}，{who}填写不同：{said}。请选用其中一个"
            for _e, f in pairs:
                f.conflict = f.conflict or msg
            self.plan.conflicts.append(Conflict(msg, "", "", None, pairs[0][1].item_id, f0.id))


def read_returns(paths: Iterable[str | Path]) -> MergePlan:
    """Reads returned 填报表 into a plan of what they would change; writes nothing. The ledger must be open
    (read-only will do)."""
    reader = _Reader()
    for n, p in enumerate(paths, 1):
        reader.read(Path(p), n)
    reader.across_files()
    return reader.plan


def describe(plan: MergePlan) -> list[str]:
    """The plan in lines, for the command line: per file, per item, per field (old → new); conflicts, notes,
    materials to attach."""
    lines: list[str] = []
    for rf in plan.files:
        if rf.refused:
            lines.append(f"未合并：{rf.name}：{rf.refused}")
        else:
            n = sum(len(e.fields) for e in plan.entries if e.file == rf.name)
            lines.append(f"文件：{rf.name}（{rf.group}，{n} 处修改）")
    for e in plan.entries:
        head = f"  {e.ref} {_short(e.title, 24)}　{e.group}"
        lines.append(head + (f"　【暂不采用：{e.held}】" if e.held else ""))
        for f in e.fields:
            mark = "【冲突】" if f.conflict else ""
            lines.append(f"    {f.label}：{_shown(f.field, f.old)} → {_shown(f.field, f.new)}{mark}")
    if plan.conflicts:
        lines.append(f"冲突 {len(plan.conflicts)} 处（未自动合并）：")
        lines += [f"  {c.message}" for c in plan.conflicts]
    if plan.notes:
        lines.append("说明：")
        lines += [f"  {x}" for x in plan.notes]
    if plan.to_attach:
        lines.append("待附佐证材料（请向填报部门索取原件后附加）：")
        lines += [f"  {t.ref} {t.name}（{t.group}）" for t in plan.to_attach]
    return lines


__all__ = ["NOT_RETURNED", "describe", "read_returns"]
