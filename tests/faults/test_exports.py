"""Exports under faults (issue 19, points 1, 2, 7, 13, 15): a full disk, a target that is a ledger, a cell
longer than Excel allows, an export killed halfway. The older file stays, the ledger stays, no text is lost
without a word, nothing is left in /tmp, and what a kill left beside the target is cleaned at the next start."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest

from tests.faults.conftest import fill_disk

ENDINGS = ("xlsx", "pdf", "docx", "txt")
OLDER = b"the older export, which must survive\n" * 20


def sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def ours(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if p.name.startswith(".~rectify-")]


def no_traceback(stderr: str) -> None:
    assert "Traceback" not in stderr, stderr
    assert "Exception ignored" not in stderr, stderr


# --- 1, 13: a real full disk ---------------------------------------------------------------------------


@pytest.mark.parametrize("ending", ENDINGS)
def test_full_disk_keeps_the_older_file_and_says_why(ending, demo_path, small_disk, cli) -> None:
    disk = small_disk("1m")
    out = disk / f"导出.{ending}"
    out.write_bytes(OLDER)
    fill_disk(disk, 8 * 1024)  # less than the smallest of the demo's exports (the .txt, 20 KB)
    r = cli("export", demo_path, out)
    assert r.returncode != 0, r.stdout
    assert "磁盘空间不足" in r.stderr
    assert out.read_bytes() == OLDER
    assert ours(disk) == []
    no_traceback(r.stderr)


def test_full_disk_list_sheet_keeps_the_older_file(demo_ledger, small_disk) -> None:
    """The lists page's 导出Excel (io/sheet_export) on a full disk."""
    from rectify_desktop.core import lists
    from rectify_desktop.core.storage import LedgerError
    from rectify_desktop.io.sheet_export import write_sheet

    disk = small_disk("1m")
    out = disk / "问题清单.xlsx"
    out.write_bytes(OLDER)
    fill_disk(disk, 4 * 1024)
    sheet = lists.build_sheet(1, lists.PROBLEMS)
    with pytest.raises(LedgerError, match="磁盘空间不足"):
        write_sheet(sheet, out)
    assert out.read_bytes() == OLDER
    assert ours(disk) == []


# --- 2: never onto a ledger ------------------------------------------------------------------------------


@pytest.mark.parametrize("ending", (*ENDINGS, "zip"))
def test_export_onto_the_ledger_itself_is_refused(ending, tmp_path, cli) -> None:
    from rectify_desktop.core.demo import make_demo

    ledger = make_demo(tmp_path / f"台账.{ending}")
    before = sha(ledger)
    r = cli("export", ledger, ledger)
    assert r.returncode != 0, r.stdout
    assert sha(ledger) == before
    assert "台账" in r.stderr
    assert ours(tmp_path) == []
    no_traceback(r.stderr)


def test_export_onto_a_hard_link_to_the_ledger_is_refused(demo_path, tmp_path, cli) -> None:
    target = tmp_path / "目标.xlsx"
    os.link(demo_path, target)
    before = sha(demo_path)
    r = cli("export", demo_path, target)
    assert r.returncode != 0, r.stdout
    assert sha(demo_path) == before
    no_traceback(r.stderr)


def _exporters(qapp):  # noqa: ANN001, ANN202 - each exporter as a function of the output path
    from rectify_desktop.core import lists
    from rectify_desktop.io import notice, sheet_export, xlsx_export
    from rectify_desktop.ui import printing

    return {
        "xlsx": lambda out: xlsx_export.export_workbook(1, out),
        "sheet": lambda out: sheet_export.write_sheet(lists.build_sheet(1, lists.PROBLEMS), out),
        "docx": lambda out: notice.write_docx(1, out),
        "txt": lambda out: notice.write_text(1, out),
        "pdf": lambda out: printing.write_pdf(1, out),
    }


@pytest.mark.parametrize("how", ("hardlink", "symlink", "other_ledger"))
def test_exporters_refuse_a_link_to_a_ledger_or_another_ledger(how, qapp, demo_path, tmp_path) -> None:
    from rectify_desktop.core.demo import make_demo
    from rectify_desktop.core.ledger import Ledger
    from rectify_desktop.core.storage import LedgerError

    folder = tmp_path / "导出"
    folder.mkdir()
    other = make_demo(tmp_path / "另一份台账.db") if how == "other_ledger" else None
    guarded = other or demo_path
    before = sha(guarded)
    with Ledger.open(demo_path, readonly=True):
        for ending, export in _exporters(qapp).items():
            target = folder / f"目标-{ending}.{'xlsx' if ending == 'sheet' else ending}"
            if how == "hardlink":
                os.link(guarded, target)
            elif how == "symlink":
                target.symlink_to(guarded)
            else:
                # Another ledger under an export's name: a file that is itself a ledger is never overwritten.
                target.write_bytes(guarded.read_bytes())
            with pytest.raises(LedgerError, match="台账"):
                export(target)
            assert sha(target) == before, ending
    assert sha(guarded) == before
    assert ours(folder) == []


@pytest.mark.parametrize("side", ("", "-wal", "-shm", ".lock"))
def test_exporters_refuse_the_open_ledger_and_its_side_files(side, qapp, demo_ledger, demo_path) -> None:
    """In the window the open ledger is the one read: no exporter may write onto it or beside-files SQLite
    and the lock keep (present or not)."""
    from rectify_desktop.core.storage import LedgerError

    target = demo_path.with_name(demo_path.name + side)
    before = target.read_bytes() if target.exists() else None
    for name, export in _exporters(qapp).items():
        with pytest.raises(LedgerError, match="台账"):
            export(target)
        after = target.read_bytes() if target.exists() else None
        assert after == before, name
    assert ours(demo_path.parent) == []


def test_a_ledger_named_by_its_sqlite_uri_is_guarded_too(tmp_path) -> None:
    """An exporter may name the ledger it reads as the models' database does, by its SQLite URI; the ledger
    may be one the header check does not know (an older one, without the program's application_id)."""
    from rectify_desktop.core import outfile

    older = tmp_path / "旧台账 %41.db"
    older.write_bytes(b"SQLite format 3\x00" + bytes(4096 - 16))
    uri = older.resolve().as_uri() + "?mode=ro&immutable=1"
    for side in ("", "-wal", "-shm", ".lock"):
        with pytest.raises(outfile.OutputError, match="台账"):
            outfile.check_target(older.with_name(older.name + side), [uri])


# --- 7: a cell longer than Excel's 32,767 characters ---------------------------------------------------------


def test_a_cell_longer_than_excel_allows_is_carried_on(demo_path, tmp_path, cli) -> None:
    from rectify_desktop.core.ledger import Ledger
    from rectify_desktop.core.models import Item

    # Numbered pieces, so that a piece lost or repeated anywhere shows.
    long_text = "".join(f"第{i:05d}段整改进展；" for i in range(4000))[:40_000]
    assert len(long_text) == 40_000
    with Ledger.open(demo_path) as led:
        item = Item.select().order_by(Item.id).first()
        Item.update(progress=long_text).where(Item.id == item.id).execute()
        led.close()
    out = tmp_path / "长文本.xlsx"
    r = cli("export", demo_path, out)
    assert r.returncode == 0, r.stderr
    no_traceback(r.stderr)

    wb = openpyxl.load_workbook(out)
    ws = wb["台账"]
    found = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("第00000段")]
    assert len(found) == 1
    cell = found[0]
    assert len(cell.value) <= 32_767
    head, _, _ = cell.value.partition("……（未完")
    rest = "".join(
        str(row[4]) for row in wb["续"].iter_rows(min_row=4, values_only=True) if row[1] == f"台账!{cell.coordinate}"
    )
    assert head + rest == long_text
    # The clerk is told which cell goes on where.
    said = r.stdout + r.stderr
    assert "32767" in said or "32,767" in said
    assert f"台账!{cell.coordinate}" in said and "续" in said


# --- 13, 15: an export killed halfway ---------------------------------------------------------------------


def test_a_killed_export_leaves_nothing_in_tmp_and_its_leftovers_are_cleaned(tmp_path, cli_env) -> None:
    from rectify_desktop.core import outfile
    from tests.perf.generate import make_large_ledger

    big = make_large_ledger(tmp_path / "大台账.db", 3000)
    systmp = tmp_path / "systmp"  # the child's /tmp: what it leaves there is seen, and nobody else's
    systmp.mkdir()
    target = tmp_path / "out"
    target.mkdir()
    out = target / "大台账.xlsx"
    out.write_bytes(OLDER)
    env = dict(cli_env, TMPDIR=str(systmp), TEMP=str(systmp), TMP=str(systmp))
    child = subprocess.Popen(
        [sys.executable, "-m", "rectify_desktop", "export", str(big), str(out)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def writing() -> bool:
        files = [p for p in systmp.rglob("*") if p.is_file()]
        files += [p for d in ours(target) for p in ([d] if d.is_file() else d.rglob("*")) if p.is_file()]
        return bool(files)

    try:
        deadline = time.monotonic() + 60
        while not writing():
            assert child.poll() is None, "the export finished before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.005)
        time.sleep(0.05)
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert [p for p in systmp.rglob("*")] == []
    left = ours(target)
    assert left, "the kill left nothing beside the target: it did not write there"
    assert out.read_bytes() == OLDER
    gone = outfile.clean_stale()
    assert set(left) <= set(gone)
    assert ours(target) == []
    assert out.read_bytes() == OLDER


# --- the window: the same refusals, told in a message box ----------------------------------------------------


def test_the_window_says_why_an_export_failed(window, small_disk, tmp_path, monkeypatch) -> None:  # noqa: ANN001
    """导出Excel, 生成通报 and 导出PDF onto a full disk, and onto a ledger (the open one itself, named .xlsx,
    or a copy of it under the export's name): a message box in Chinese each time, the older file and the
    ledgers as they were."""
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    from rectify_desktop.core.demo import make_demo
    from rectify_desktop.ui.done_box import DoneBox
    from rectify_desktop.ui.printing.dialog import PrintOptionsDialog

    ledger = make_demo(tmp_path / "台账.xlsx")
    assert window.open_ledger(ledger)
    said: list[str] = []
    for kind in ("critical", "warning"):
        monkeypatch.setattr(QMessageBox, kind, lambda *a, **k: said.append(a[2]) or QMessageBox.StandardButton.Ok)
    monkeypatch.setattr(DoneBox, "exec", lambda box: pytest.fail("no success message"))
    monkeypatch.setattr(PrintOptionsDialog, "exec", lambda d: PrintOptionsDialog.DialogCode.Accepted)
    disk = small_disk("1m")
    for ending in ("xlsx", "docx", "pdf"):
        (disk / f"导出.{ending}").write_bytes(OLDER)
    fill_disk(disk, 8 * 1024)
    before = sha(ledger)
    for action, ending in (("export_excel", "xlsx"), ("notice", "docx"), ("export_pdf", "pdf")):
        copy = tmp_path / f"另一份台账.{ending}"
        for target in (disk / f"导出.{ending}", ledger if ending == "xlsx" else copy):
            if target == copy:
                copy.write_bytes(ledger.read_bytes())
            said.clear()
            monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, t=target, **k: (str(t), ""))
            window.actions[action].trigger()
            assert len(said) == 1, (action, target, said)
            if target.parent == disk:
                assert "磁盘空间不足" in said[0]
                assert target.read_bytes() == OLDER
            else:
                assert "台账" in said[0]
                assert sha(target) == before
            assert "Traceback" not in said[0] and "Error" not in said[0].split("（")[0]
    assert sha(ledger) == before
    assert ours(disk) == [] and ours(tmp_path) == []


# --- 17: the notice grows linearly (timings: tests/perf/bench_docx.py); copies make the same document ---------


def test_a_notice_made_from_copied_paragraphs_is_the_one_python_docx_makes(demo_path, tmp_path, monkeypatch) -> None:
    """Paragraphs of a kind are copied from the first of it instead of each being built through python-docx
    (whose add_paragraph searched the whole body each time): the document must be the same, byte for byte,
    also with a tab, a control character XML cannot hold, and a text python-docx would break into elements."""
    import zipfile

    from rectify_desktop.core.ledger import Ledger
    from rectify_desktop.core.models import Item, Measure
    from rectify_desktop.io import notice

    with Ledger.open(demo_path) as led:
        first, second, third = Item.select().order_by(Item.id).limit(3)
        Item.update(progress="已完成\t见附件").where(Item.id == first.id).execute()
        Item.update(title="标题里有控制字符\x01和\x0b").where(Item.id == second.id).execute()
        Measure.update(text="措施一\r\n措施一的下一行").where(Measure.item == third.id).execute()
        led.close()
    parts = {}
    with Ledger.open(demo_path, readonly=True):
        for copying in (True, False):
            monkeypatch.setattr(notice, "COPY_PARAGRAPHS", copying)
            for kind in ("notice", "report"):
                out = notice.write_docx(1, tmp_path / f"{kind}-{copying}.docx", kind, today=None)
                with zipfile.ZipFile(out) as z:
                    parts[kind, copying] = z.read("word/document.xml")
    for kind in ("notice", "report"):
        assert parts[kind, True] == parts[kind, False]
        xml = parts[kind, True].decode("utf-8")
        assert "见附件" in xml and "标题里有控制字符和" in xml and "\x01" not in xml
