"""Hostile workbooks and texts, a full disk and a kill during an import (issue 19: points 5, 6, 7, 13, 15, 16).

The bombs run in a child process with a memory bound and a time-out: without the fix they end there (a
MemoryError or the time-out) within seconds, instead of taking the test run down with them. The full-size
bombs, with their times and peak memory, are in tests/perf/bench_bombs.py.
"""

from __future__ import annotations

import hashlib
import re
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

import openpyxl
import pytest

from rectify_desktop.core import commands, ops, outfile
from rectify_desktop.core.importing import (
    AddInspection,
    ImportedCategory,
    ImportedFinding,
    ImportedInspection,
    ImportedItem,
    ImportedMeasure,
)
from rectify_desktop.core.ledger import Ledger
from rectify_desktop.core.models import Finding, Inspection, Item, Measure
from rectify_desktop.core.storage import LedgerError
from rectify_desktop.io import text_import, xlsx_import
from rectify_desktop.io.xlsx_import import XlsxImportError, parse_workbook
from tests.faults.conftest import fill_disk
from tests.io.test_text_import import NOTICE
from tests.ui.test_forms import make_panel, small_ledger  # noqa: F401 - fixtures

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- workbooks made here ---------------------------------------------------------------------------------

HEADER = ["序号", "问题", "细化问题", "整改措施", "责任部门", "整改时限", "完成情况", "整改进展"]


def base_book(path: Path, rows: int = 3, *, text: str = "") -> Path:
    """A small ledger sheet "台账" of `rows` items; `text` pads each progress cell."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "台账"
    ws.append(HEADER)
    for i in range(1, rows + 1):
        ws.append(
            [i, f"问题{i}", f"细化问题{i}", f"一是措施{i}", "办公室", "2021年6月30日", "已完成", f"进展{i}{text}"]
        )
    wb.save(path)
    return path


def rewrite_sheet(base: Path, out: Path, write: Callable[[bytes, IO[bytes]], None]) -> Path:
    """A copy of `base` whose first sheet's XML is what `write` streams out (compressed, as Excel does)."""
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                zi = zipfile.ZipInfo(info.filename, date_time=info.date_time)
                zi.compress_type = zipfile.ZIP_DEFLATED
                with dst.open(zi, "w", force_zip64=True) as fh:
                    write(data, fh)
                continue
            dst.writestr(info, data)
    return out


def rewrite_part(base: Path, out: Path, part: str, change: Callable[[bytes], bytes] | None) -> Path:
    """A copy of `base` with one part changed, or left out (change None)."""
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == part:
                if change is None:
                    continue
                data = change(data)
            dst.writestr(info, data)
    return out


def merges_bomb(base: Path, out: Path, refs: list[str], extra_rows: str = "") -> Path:
    """`base` with the merged ranges `refs` (and `extra_rows` of XML at the end of its data)."""

    def write(data: bytes, fh: IO[bytes]) -> None:
        cells = "".join(f'<mergeCell ref="{r}"/>' for r in refs)
        tail = f'{extra_rows}</sheetData><mergeCells count="{len(refs)}">{cells}</mergeCells>'
        fh.write(data.replace(b"</sheetData>", tail.encode(), 1))

    return rewrite_sheet(base, out, write)


def empty_rows_bomb(base: Path, out: Path, nbytes: int) -> Path:
    """`base` followed by `nbytes` of <row r="5"/>: a file of a few MB that unpacks to `nbytes` more."""

    def write(data: bytes, fh: IO[bytes]) -> None:
        head, tail = data.split(b"</sheetData>", 1)
        fh.write(head)
        chunk = b'<row r="5"/>' * 100_000
        for _ in range(max(1, nbytes // len(chunk))):
            fh.write(chunk)
        fh.write(b"</sheetData>" + tail)

    return rewrite_sheet(base, out, write)


LOL = '<!DOCTYPE lolz [<!ENTITY lol "lol">' + "".join(
    f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 9)
)


def _with_dtd(data: bytes, old: bytes, new: bytes) -> bytes:
    assert old in data
    data = data.replace(old, new, 1)
    start = data.index(b"?>") + 2 if data.startswith(b"<?xml") else 0
    return data[:start] + (LOL + "]>").encode() + data[start:]


def run_cli(env: dict[str, str], *args: object, mem_mb: int = 600, timeout: float = 30, pre: str = ""):
    """The command line in a child process whose address space is bounded to `mem_mb`."""
    code = (
        "import resource, sys\n"
        f"resource.setrlimit(resource.RLIMIT_AS, ({mem_mb} << 20, {mem_mb} << 20))\n"
        f"{pre}\n"
        "from rectify_desktop.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    try:
        return subprocess.run(
            [sys.executable, "-c", code, *map(str, args)],
            capture_output=True,
            text=True,
            encoding="utf-8",
            env=env,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"not done within {timeout} s: the bomb went off")


@pytest.fixture
def env(cli_env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    out = dict(cli_env)
    out["RECTIFY_DESKTOP_STATE_DIR"] = str(tmp_path / "state")
    return out


def assert_chinese_refusal(message: str, name: str = "") -> None:
    """Chinese first; the technical detail, if any, last and in brackets; no English sentence outside it."""
    message = message.strip().removeprefix("错误：")
    assert CJK.match(message), message
    assert "（）" not in message, message
    outside = message
    if outside.endswith("）"):
        depth, i = 0, len(outside) - 1
        while i >= 0:
            depth += {"）": 1, "（": -1}.get(outside[i], 0)
            if depth == 0:
                break
            i -= 1
        outside = outside[:i]
    outside = outside.replace(name, "")
    words = [w for w in re.findall(r"[A-Za-z]{3,}", outside) if w not in ("Excel", "WPS", "xlsx", "xls", "XML", "CSV")]
    assert not words, (words, message)


# --- 5. merged-cell amplification ------------------------------------------------------------------------


def test_merges_across_every_column_are_clipped_to_the_data(tmp_path: Path, demo_path: Path, env) -> None:  # noqa: ANN001
    """2,000 one-row merges A:XFD (16,384 columns each): once 35 s and out of memory; now clipped."""
    base = base_book(tmp_path / "base.xlsx")
    refs = [f"A{r}:XFD{r}" for r in range(10, 2010)]
    src = merges_bomb(
        base,
        tmp_path / "合并.xlsx",
        refs,
        '<row r="2010"><c r="B2010" t="inlineStr"><is><t>填表人：张三</t></is></c></row>',
    )
    before = sha(demo_path)
    r = run_cli(env, "import", "--dry-run", demo_path, src, mem_mb=500, timeout=20)
    assert r.returncode == 0, r.stderr
    assert "3项细化问题" in r.stdout
    assert sha(demo_path) == before


def test_merges_down_a_column_past_the_limit_are_refused(tmp_path: Path, demo_path: Path, env) -> None:  # noqa: ANN001
    """200 merges down column A to the last row Excel has, with a cell there: once 144 s; now refused."""
    base = base_book(tmp_path / "base.xlsx")
    refs = [f"A{r}:A1048576" for r in range(5, 205)]
    last = '<row r="1048576"><c r="H1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    src = merges_bomb(base, tmp_path / "合并.xlsx", refs, last)
    before = sha(demo_path)
    r = run_cli(env, "import", demo_path, src, mem_mb=500, timeout=20)
    assert r.returncode == 1, r.stdout
    assert "合并单元格" in r.stderr and "1000000" in r.stderr.replace(",", ""), r.stderr
    assert_chinese_refusal(r.stderr, src.name)
    assert sha(demo_path) == before


# --- 6. the empty-row bomb -------------------------------------------------------------------------------


def test_empty_row_bomb_stops_at_the_row_limit_and_says_so(tmp_path: Path, demo_path: Path, env) -> None:  # noqa: ANN001
    """60 MB of <row r="5"/> in a small file (the real one: 900 MB, 355 s, 6 GB, and an empty reason)."""
    src = empty_rows_bomb(base_book(tmp_path / "base.xlsx"), tmp_path / "空行.xlsx", 60 << 20)
    assert src.stat().st_size < 1 << 20
    before = sha(demo_path)
    r = run_cli(env, "import", "--dry-run", demo_path, src, mem_mb=500, timeout=15)
    assert r.returncode == 0, r.stderr
    assert "3项细化问题" in r.stdout
    assert "100000" in r.stdout and "停止读取" in r.stdout, r.stdout
    assert "（）" not in r.stdout + r.stderr
    assert sha(demo_path) == before


def test_running_out_of_memory_is_said_in_chinese(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import openpyxl.utils.cell

    def no_memory(*_: object) -> int:
        raise MemoryError

    src = base_book(tmp_path / "台账.xlsx")
    monkeypatch.setattr(openpyxl.utils.cell, "column_index_from_string", no_memory)
    with pytest.raises(XlsxImportError) as exc:
        parse_workbook(src)
    assert "内存不足" in str(exc.value)
    assert_chinese_refusal(str(exc.value), src.name)


# --- 7. field lengths ------------------------------------------------------------------------------------


def test_long_cells_from_excel_are_cut_with_a_warning(tmp_path: Path, ledger) -> None:  # noqa: ANN001
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "台账"
    ws.append(["LONG-TITLE"])
    ws.append(HEADER)
    ws.append(
        [1, "LONG-FINDING", "细化问题一", "一是LONG-MEASURE", "办公室", "2021年6月30日", "推进中", "LONG-PROGRESS"]
    )
    ws.append([2, "问题二", "细化问题二", "一是措施", "办公室", "2021年6月30日", "已完成", "好"])
    made = tmp_path / "短.xlsx"
    wb.save(made)
    # openpyxl itself stops at Excel's 32,767 characters a cell: the long texts go into the XML directly.
    long = {"TITLE": "标" * 3000, "FINDING": "问" * 60_000, "MEASURE": "措" * 80_000, "PROGRESS": "进" * 70_000}

    def lengthen(data: bytes) -> bytes:
        for key, text in long.items():
            assert f"LONG-{key}".encode() in data
            data = data.replace(f"LONG-{key}".encode(), text.encode())
        return data

    src = rewrite_part(made, tmp_path / "长.xlsx", "xl/worksheets/sheet1.xml", lengthen)
    parsed = parse_workbook(src)
    finding = parsed.findings()[0]
    item = parsed.items()[0]
    assert len(parsed.title) == commands.TITLE_MAX == 2000
    assert len(finding.title) == 2000 and finding.title == "问" * 2000
    assert len(item.progress) == commands.TEXT_MAX == 50_000
    assert len(item.measures[0].text) == 50_000
    text = "\n".join(parsed.warnings)
    for what, n, limit in (("标题", 3000, 2000), ("问题", 60_000, 2000), ("整改进展", 70_000, 50_000)):
        assert re.search(rf"{what}[^\n]*{n}[^\n]*{limit}", text), (what, text)
    assert re.search(r"台账!第3行[^\n]*整改措施[^\n]*80000", text), text
    ledger.apply(AddInspection(parsed))
    assert max(len(f.title) for f in Finding.select()) == 2000
    assert max(len(i.progress) for i in Item.select()) == 50_000
    assert max(len(m.text) for m in Measure.select()) == 50_000


def test_long_lines_from_a_text_are_cut_with_a_warning() -> None:
    text = NOTICE.replace("1.理论学习不深入。", "1.理论学习" + "学" * 5000 + "不深入。", 1)
    text = text.replace("三是建立学习档案。", "三是建立学习档案" + "档" * 60_000 + "。", 1)
    parsed = text_import.parse_text(text)
    titles = [f.title for f in parsed.findings()]
    assert max(len(t) for t in titles) == 2000
    assert max(len(m.text) for i in parsed.items() for m in i.measures) == 50_000
    warned = [w for w in parsed.warnings if "超过" in w]
    assert any("问题" in w and "2000" in w and re.search(r"50\d\d", w) for w in warned), parsed.warnings
    assert any("整改措施" in w and "50000" in w and "6000" in w for w in warned), parsed.warnings


def test_every_import_passes_the_same_cut(ledger) -> None:  # noqa: ANN001
    """An ImportedInspection made by any importer: AddInspection itself cuts what is too long, and says so."""
    data = ImportedInspection(title="台" * 2500, inspected_unit="单" * 2100, notes="注" * 50_001)
    item = ImportedItem(
        "细" * 2001, description="描" * 60_000, leader="领" * 3000, measures=[ImportedMeasure("措" * 50_010)]
    )
    item.evidence.append("证" * 2600)
    data.categories.append(ImportedCategory("方" * 4000, findings=[ImportedFinding("问题", items=[item])]))
    data.meetings.append({"topic": "议" * 3000, "note": "记" * 51_000})
    cmd = AddInspection(data)
    ledger.apply(cmd)
    assert len(data.warnings) == 11, data.warnings
    insp = Inspection.get()
    assert (len(insp.title), len(insp.inspected_unit), len(insp.notes)) == (2000, 2000, 50_000)
    it = Item.get()
    assert (len(it.title), len(it.description), len(it.leader)) == (2000, 50_000, 2000)
    assert len(Measure.get().text) == 50_000
    assert len(it.evidence[0].name) == 2000
    assert len(insp.meetings[0].topic) == 2000 and len(insp.meetings[0].note) == 50_000
    assert len(insp.categories[0].title) == 2000


def test_commands_refuse_an_over_long_field(small_ledger) -> None:  # noqa: ANN001, F811
    item = Item.get()
    with pytest.raises(LedgerError, match="最多 2000 字"):
        small_ledger.apply(ops.set_fields(Item, item.id, {"title": "长" * 2001}))
    with pytest.raises(LedgerError, match="最多 50000 字"):
        small_ledger.apply(ops.set_fields(Item, item.id, {"progress": "长" * 50_001}))
    with pytest.raises(LedgerError, match="最多 2000 字"):
        small_ledger.apply(ops.add_finding(Finding.get().category_id, "长" * 2001))
    assert Item.get().title == "细化问题一" and Finding.select().count() == 1
    small_ledger.apply(ops.set_fields(Item, item.id, {"progress": "长" * 50_000}))
    assert len(Item.get().progress) == 50_000


def test_typed_over_long_text_is_cut_with_a_word(small_ledger, make_panel, qtbot) -> None:  # noqa: ANN001, F811
    from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QTextEdit

    panel, _ = make_panel(small_ledger)
    item = Item.get()
    panel.show_node("item", item.id)
    title = panel.findChild(QTextEdit, "item.title")
    notice = panel.findChild(QLabel, "item.notice")
    assert title is not None and notice is not None and not notice.isVisible()
    QApplication.clipboard().setText("贴" * 3000)
    title.setFocus()
    title.selectAll()
    title.paste()
    assert len(title.toPlainText()) == 2000
    assert notice.isVisible() and "2000" in notice.text() and "细化问题" in notice.text()
    panel.commit_pending()
    assert Item.get().title == "贴" * 2000

    panel.show_node("finding", Finding.get().id)
    line = panel.findChild(QLineEdit, "finding.title")
    notice = panel.findChild(QLabel, "finding.notice")
    assert line.maxLength() == 2000
    line.setFocus()
    line.selectAll()
    line.paste()
    assert len(line.text()) == 2000
    assert notice.isVisible() and "2000" in notice.text()


# --- 16. a workbook read by its content, every refusal in Chinese ---------------------------------------------


@pytest.mark.parametrize("suffix", [".xls", ".et", ".xlsm"])
def test_a_real_xlsx_under_another_name_is_read(tmp_path: Path, suffix: str) -> None:
    src = base_book(tmp_path / "台账.xlsx")
    renamed = src.rename(src.with_suffix(suffix))
    parsed = parse_workbook(renamed)
    assert [i.title for i in parsed.items()] == ["细化问题1", "细化问题2", "细化问题3"]


def broken_books(tmp_path: Path) -> dict[str, Path]:
    base = base_book(tmp_path / "base.xlsx")
    sheet = "xl/worksheets/sheet1.xml"
    out = {
        "bad row number": rewrite_part(
            base, tmp_path / "行号.xlsx", sheet, lambda d: d.replace(b'<row r="2"', b'<row r="2x"', 1)
        ),
        "bad style": rewrite_part(
            base, tmp_path / "样式.xlsx", sheet, lambda d: d.replace(b'<c r="A2" t="n"', b'<c r="A2" t="n" s="zz"', 1)
        ),
        "bad number": rewrite_part(
            base, tmp_path / "数字.xlsx", sheet, lambda d: d.replace(b"<v>1</v>", b"<v>1x</v>", 1)
        ),
        "bad shared string": rewrite_part(
            base,
            tmp_path / "共享.xlsx",
            sheet,
            lambda d: d.replace(b'<c r="A2" t="n"><v>1</v>', b'<c r="A2" t="s"><v>99</v>', 1),
        ),
        "missing sheet": rewrite_part(base, tmp_path / "缺表.xlsx", sheet, None),
        "missing relations": rewrite_part(base, tmp_path / "缺关系.xlsx", "xl/_rels/workbook.xml.rels", None),
        "missing content types": rewrite_part(base, tmp_path / "缺类型.xlsx", "[Content_Types].xml", None),
        "entity amplification": rewrite_part(
            base,
            tmp_path / "实体.xlsx",
            "xl/workbook.xml",
            lambda d: _with_dtd(d, 'name="台账"'.encode(), b'name="&lol8;"'),
        ),
        "entities in the sheet": rewrite_part(
            base, tmp_path / "实体2.xlsx", sheet, lambda d: _with_dtd(d, b"<is><t>", b"<is><t>&lol8;")
        ),
        "bad xml": rewrite_part(base, tmp_path / "坏XML.xlsx", sheet, lambda d: d[: len(d) // 2]),
    }
    biff = tmp_path / "旧版.xls"
    biff.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4000)
    out["biff xls"] = biff
    garbage = tmp_path / "乱码.xls"
    garbage.write_bytes(bytes(range(256)) * 20)
    out["garbage"] = garbage
    return out


def test_broken_workbooks_are_refused_in_chinese(
    tmp_path: Path, demo_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import argparse

    before = sha(demo_path)
    for name, path in broken_books(tmp_path).items():
        with pytest.raises(XlsxImportError) as exc:
            parse_workbook(path)
        assert_chinese_refusal(str(exc.value), path.name)
        assert xlsx_import.cli_import(demo_path, path, argparse.Namespace(dry_run=False, json=False)) == 1, name
        err = capsys.readouterr().err
        assert "Traceback" not in err, (name, err)
        assert_chinese_refusal(err, path.name)
    assert sha(demo_path) == before
    assert "另存为 .xlsx" in str(pytest.raises(XlsxImportError, parse_workbook, tmp_path / "旧版.xls").value)


# --- 13/15. an import into a new ledger: whole or nothing --------------------------------------------------


# Free space left: the disk fills while the empty ledger is made, while it is opened (once "台账文件已损坏"),
# and while the import is written.
@pytest.mark.parametrize("leave", [60_000, 190_000, 400_000])
def test_import_into_a_new_ledger_on_a_full_disk_leaves_nothing(tmp_path: Path, small_disk, env, leave: int) -> None:  # noqa: ANN001
    src = base_book(tmp_path / "大.xlsx", rows=300, text="进" * 1500)
    disk = small_disk("3m")
    fill_disk(disk, leave=leave)
    r = run_cli(env, "import", disk / "新台账.db", src, timeout=60)
    assert r.returncode != 0, r.stdout
    assert "磁盘空间不足" in r.stderr, r.stderr
    assert "Traceback" not in r.stderr and "Exception ignored" not in r.stderr
    assert sorted(p.name for p in disk.iterdir()) == ["ballast.bin"]


def test_a_killed_import_into_a_new_ledger_leaves_no_ledger(
    tmp_path: Path, env, monkeypatch: pytest.MonkeyPatch
) -> None:  # noqa: ANN001
    src = base_book(tmp_path / "台账.xlsx")
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "新台账.db"
    marker = tmp_path / "importing"
    pre = (
        "import time\n"
        "from pathlib import Path\n"
        "from rectify_desktop.core import importing\n"
        "real = importing.AddInspection.do\n"
        "def do(self):\n"
        "    out = real(self)\n"
        f"    Path({str(marker)!r}).write_text('x')\n"
        "    time.sleep(60)\n"
        "    return out\n"
        "importing.AddInspection.do = do\n"
    )
    code = f"{pre}\nfrom rectify_desktop.cli import main\nmain(['import', {str(target)!r}, {str(src)!r}])\n"
    child = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while not marker.exists():
            assert child.poll() is None, child.communicate()
            assert time.monotonic() < deadline, "the child never reached the import"
            time.sleep(0.05)
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        child.stdout.close()  # type: ignore[union-attr]
        child.stderr.close()  # type: ignore[union-attr]
    assert not target.exists()
    assert not target.with_name(target.name + ".lock").exists()
    left = sorted(p.name for p in folder.iterdir())
    assert all(n.startswith(outfile.TEMP_PREFIX) for n in left), left
    monkeypatch.setenv("RECTIFY_DESKTOP_STATE_DIR", env["RECTIFY_DESKTOP_STATE_DIR"])
    outfile.clean_stale()  # the next start: the journal names the folder
    assert list(folder.iterdir()) == []


def test_import_into_a_new_ledger_never_replaces_a_file_made_meanwhile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The ledger is made under a temporary name and moved to the target only if nothing is there yet."""
    from rectify_desktop.core import importing

    parsed = parse_workbook(base_book(tmp_path / "台账.xlsx"))
    target = tmp_path / "新台账.db"
    real = importing.AddInspection.do

    def do(self: AddInspection) -> list:
        target.write_bytes(b"someone else's")
        return real(self)

    monkeypatch.setattr(importing.AddInspection, "do", do)
    with pytest.raises(LedgerError, match="已存在"):
        importing.import_into(target, parsed)
    assert target.read_bytes() == b"someone else's"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["台账.xlsx", "新台账.db"]
    monkeypatch.setattr(importing.AddInspection, "do", real)
    target.unlink()
    result = importing.import_into(target, parsed)
    assert result.created and result.inspection_id == 1 and result.warning is None
    with Ledger.open(target, readonly=True):
        assert Item.select().count() == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["台账.xlsx", "新台账.db"]
