"""Texts longer than an Excel cell holds: the export carries them on to the 续 sheet, the import joins them back."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from rectify_desktop.core import ops
from rectify_desktop.core.importing import ImportedItem
from rectify_desktop.core.models import Inspection, Item, Measure, Meeting
from rectify_desktop.io import xlsx_export, xlsx_reader
from rectify_desktop.io.xlsx_export import CONTINUED_MARK, MAX_CELL_CHARS, export_workbook
from rectify_desktop.io.xlsx_import import parse_workbook

TODAY = dt.date(2026, 12, 1)
MARK = "（未完，续见"


def numbered(word: str, n: int) -> str:
    """`n` characters of numbered pieces, so that a piece lost, repeated or moved anywhere shows."""
    text = "".join(f"第{i:05d}段{word}，" for i in range(n // 8 + 2))[: n - 1] + "止"
    assert len(text) == n
    return text


def put(text: str, at: int, what: str) -> str:
    """`text` with `what` in place of its characters from `at` on (the length kept)."""
    return text[:at] + what + text[at + len(what) :]


# The text a cell of the 台账 keeps before the marker: what prints in a 409-point row (issue 13, point 4); a
# cell of another sheet keeps what Excel allows.
HEAD = MAX_CELL_CHARS - xlsx_export.excel_length(CONTINUED_MARK.format(row=4))


def kept(out: Path, ref: str) -> str:
    """What the cell `ref` (台账!I6) of the workbook holds before its marker ……（未完，续见…）."""
    sheet, _, address = ref.partition("!")
    value = openpyxl.load_workbook(out)[sheet][address].value
    assert MARK in value
    return value[: value.index("……" + MARK)]


def long_ledger(led, tmp_path: Path, *, progress_len: int = 45_000) -> tuple[Path, dict[str, object]]:  # noqa: ANN001
    """The demo ledger with one item's progress and measures, and a meeting's note, longer than a cell holds;
    exported. Returns the workbook and the texts written."""
    insp = led.inspections()[0]
    item = (
        Item.select()
        .join(Measure)
        .switch(Item)
        .join(Item.finding.rel_model)
        .where(Item.finding.rel_model.inspection == insp.id)
        .order_by(Item.id)
        .first()
    )
    # One cell of 一是…；\n二是…。 over three pieces: a space where the cell is cut, and a character outside
    # the BMP (two UTF-16 units) across the second cut, which the export moves back by one unit.
    first = put(numbered("整改措施", 40_000), HEAD - 3, "  ")
    second_start = 2 + len(first) + 4
    second = put(numbered("长效机制", 30_000), HEAD + MAX_CELL_CHARS - 1 - second_start, "𠀀")
    # The progress cell comes after the measures' (续 rows 4-5), and is cut at a line break.
    progress = put(numbered("整改进展", progress_len), HEAD - 1, "\n")
    measures = list(Measure.select().where(Measure.item == item.id).order_by(Measure.position, Measure.id))
    led.apply(ops.set_fields(Item, item.id, {"progress": progress}))
    led.apply(ops.set_fields(Measure, measures[0].id, {"text": first}))
    for extra in measures[1:]:
        led.apply(ops.delete(Measure, extra.id))
    led.apply(ops.add_measure(item.id, second))
    meeting = Meeting.select().where(Meeting.inspection == insp.id).order_by(Meeting.position, Meeting.id).first()
    note = numbered("会议备注", 33_000)
    led.apply(ops.set_fields(Meeting, meeting.id, {"note": note}))
    notes: list[str] = []
    out = export_workbook(insp.id, tmp_path / "长文本.xlsx", today=TODAY, notes=notes)
    assert len(notes) == 3  # the export did carry the three cells on
    title = Item.get_by_id(item.id).title
    topic = meeting.topic
    return out, {"title": title, "progress": progress, "measures": [first, second], "topic": topic, "note": note}


def the_item(parsed, title: str) -> ImportedItem:  # noqa: ANN001
    (item,) = [i for i in parsed.items() if i.title == title]
    return item


@pytest.mark.parametrize("fast", [True, False])
def test_long_texts_come_back_whole(
    demo_ledger,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    fast: bool,  # noqa: ANN001
) -> None:
    out, texts = long_ledger(demo_ledger, tmp_path)
    wb = openpyxl.load_workbook(out, read_only=True)
    assert "续" in wb.sheetnames and wb["续"].max_row >= 3 + 4  # measures 2 pieces, progress 1, note 1
    wb.close()
    monkeypatch.setattr(xlsx_reader, "FAST_READER", fast)

    parsed = parse_workbook(out)

    item = the_item(parsed, texts["title"])
    assert item.progress == texts["progress"]
    assert [m.text for m in item.measures] == texts["measures"]
    (meeting,) = [m for m in parsed.meetings if m["topic"] == texts["topic"]]
    assert meeting["note"] == texts["note"]
    every = [t for i in parsed.items() for t in (i.progress, i.remarks, *(m.text for m in i.measures))]
    every += [str(v) for m in parsed.meetings + parsed.institutions for v in m.values()]
    assert not [t for t in every if MARK in t]
    assert parsed.warnings == []  # the 续 sheet is neither ledger data nor a sheet "also like a ledger"
    assert (
        parsed.counts()["items"]
        == Item.select()
        .join(Item.finding.rel_model)
        .where(Item.finding.rel_model.inspection == Inspection.select().order_by(Inspection.position).first().id)
        .count()
    )


def test_a_continuation_that_cannot_be_joined_is_told(demo_ledger, tmp_path: Path) -> None:  # noqa: ANN001
    out, texts = long_ledger(demo_ledger, tmp_path)
    wb = openpyxl.load_workbook(out)
    ws = wb["续"]
    rows = {r: [c.value for c in ws[r]] for r in range(4, ws.max_row + 1)}
    by_ref: dict[str, list[int]] = {}
    for r, values in rows.items():
        by_ref.setdefault(values[1], []).append(r)
    measures_ref, progress_ref = (ref for ref in by_ref if ref.startswith("台账!"))
    (note_ref,) = (ref for ref in by_ref if ref.startswith("会议!"))
    assert len(by_ref[measures_ref]) >= 2 and len(by_ref[progress_ref]) >= 1
    # The first piece of the measures is lost, and the progress's first piece points nowhere; two more rows too.
    ws.cell(by_ref[measures_ref][0], 5).value = None
    ws.cell(by_ref[measures_ref][0], 4).value = None
    ws.cell(by_ref[measures_ref][0], 2).value = None
    ws.cell(by_ref[progress_ref][0], 2).value = "台账!J9999"
    last = ws.max_row
    ws.append([last - 2, "别的表!B7", "整改进展", "第2段（共2段）", "无处可接的续文"])
    ws.append([last - 1, "台账!X", "整改进展", "第2段（共2段）", "地址不对的续文"])
    ws.append([last, note_ref, "备注", "第2段（共2段）", "又抄了一遍的续文"])  # a piece twice: the first counts
    wb.save(out)

    parsed = parse_workbook(out)

    item = the_item(parsed, texts["title"])
    # As far as the text goes: what the cell held, without the marker; nothing after a lost piece.
    assert MARK not in item.progress and texts["progress"].startswith(item.progress)
    assert 100 < len(item.progress) >= len(kept(out, progress_ref).rstrip("\n"))
    (measure,) = item.measures
    assert MARK not in measure.text and texts["measures"][0].startswith(measure.text)
    said = "\n".join(parsed.warnings)
    progress_row, third_piece = by_ref[progress_ref][0], by_ref[measures_ref][1]
    assert f"续!第{progress_row}行" in said and "J9999" in said
    assert f"续!第{third_piece}行" in said and "第2段" in said
    assert f"续!第{last + 1}行" in said and "别的表" in said
    assert f"续!第{last + 2}行" in said and "台账!X" in said
    assert f"续!第{last + 3}行" in said and "重复" in said
    # The cells whose pieces are missing are named too.
    assert measures_ref in said and progress_ref in said
    assert not any("也像台账" in w for w in parsed.warnings)
    (meeting,) = [m for m in parsed.meetings if m["topic"] == texts["topic"]]
    assert meeting["note"] == texts["note"]


def test_a_cut_cell_without_its_续_sheet_is_told(demo_ledger, tmp_path: Path) -> None:  # noqa: ANN001
    out, texts = long_ledger(demo_ledger, tmp_path)
    wb = openpyxl.load_workbook(out)
    del wb["续"]
    wb.save(out)

    parsed = parse_workbook(out)

    item = the_item(parsed, texts["title"])
    refs = {w.split("：")[0] for w in parsed.warnings if w.startswith("台账!")}
    progress_ref, measures_ref = sorted(refs, reverse=True)  # 台账!I… (整改进展), 台账!C… (整改措施)
    assert item.progress == kept(out, progress_ref).rstrip("\n")  # the line break at the cut: cell_text
    # 一是… cut in the middle of the first measure (split_measures takes the comma off its end).
    (measure,) = item.measures
    assert measure.text == kept(out, measures_ref).removeprefix("一是").rstrip("， ")
    (meeting,) = [m for m in parsed.meetings if m["topic"] == texts["topic"]]
    assert texts["note"].startswith(meeting["note"]) and MARK not in meeting["note"]
    said = [w for w in parsed.warnings if "没有接续它的“续”表" in w]
    assert len(said) == 3 and all("单元格中的文字未完" in w for w in said)
