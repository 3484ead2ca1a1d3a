"""Evidence under hostile names and faults (issue 19, points 8, 10 and the evidence halves of 1, 2, 15):
a title of a million characters, names with hidden direction marks, executables, formula-like and device
names, exports onto the ledger itself, onto a full disk, and killed halfway."""

from __future__ import annotations

import hashlib
import io
import os
import random
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from rectify_desktop.core import evidence, ops, outfile
from rectify_desktop.core.ledger import Ledger
from rectify_desktop.core.models import Category, Evidence, Finding, Inspection, Item, db
from rectify_desktop.io import evidence_zip
from rectify_desktop.io.evidence_zip import export_zip, utf16_len
from tests.faults.conftest import fill_disk

BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"{d}{n}" for d in ("COM", "LPT") for n in range(1, 10)}


def sha_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def one_item(ledger: Ledger, item_title: str = "细化问题一") -> tuple[int, int]:
    """(inspection id, item id) of a new inspection with one category, finding and item."""
    insp = ledger.apply(ops.add_inspection("测试台账"))[0].id
    cat = ledger.apply(ops.add_category(insp, "第一个方面"))[0].id
    finding = ledger.apply(ops.add_finding(cat, "问题一"))[0].id
    item = ledger.apply(ops.add_item(finding, item_title))[0].id
    return insp, item


def add_file(ledger: Ledger, item: int, tmp: Path, name: str, data: bytes) -> int:
    src = tmp / f"src-{hashlib.sha256(name.encode()).hexdigest()[:10]}"
    src.write_bytes(data)
    return ledger.apply(evidence.AddEvidence(item, src, name=name))[0].id


def rectify_temps(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".~"))


# --- 8: cutting a long title in one step ----------------------------------------------------------

_CUT_CHILD = """
import sys
from rectify_desktop.io.evidence_zip import _cut, safe_name, utf16_len, ITEM_LIMIT
title = "很长的细化问题" * 142858  # a million characters
assert utf16_len(_cut(title, 60)) == 60
name = safe_name(title, ITEM_LIMIT)
assert utf16_len(name) <= ITEM_LIMIT and title.startswith(name), name
print("ok")
"""


def test_a_million_character_title_is_cut_at_once(cli_env: dict[str, str]) -> None:
    # Before the fix each cut re-encoded the whole rest of the title once per character removed.
    try:
        run = subprocess.run(
            [sys.executable, "-c", _CUT_CHILD], capture_output=True, text=True, env=cli_env, timeout=20
        )
    except subprocess.TimeoutExpired:
        pytest.fail("cutting a 1,000,000-character title took over 20 s")
    assert run.returncode == 0 and run.stdout.strip() == "ok", run.stderr


def test_cut_keeps_the_longest_prefix_that_fits_and_never_splits_a_pair() -> None:
    rng = random.Random(8)
    alphabet = ["a", "长", "😀", "é", " ", "𠀀"]
    for _ in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 40)))
        limit = rng.randrange(1, 50)
        cut = evidence_zip._cut(text, limit)
        assert text.startswith(cut) and utf16_len(cut) <= limit
        # The longest such prefix: one more character would not fit.
        assert cut == text or utf16_len(text[: len(cut) + 1]) > limit
        cut.encode("utf-8")  # a lone surrogate would not encode


# --- 10: hidden direction marks, executables, formulas, device names -------------------------------


def test_direction_marks_are_stripped_when_evidence_is_added(ledger: Ledger, tmp_path: Path) -> None:
    _insp, item = one_item(ledger)
    # A file whose name shows as "报告exe.jpg" in most file managers, and is an .exe.
    src = tmp_path / "报告\u202egpj.exe"
    src.write_bytes(b"MZ\x90\x00 a program")
    first = ledger.apply(evidence.AddEvidence(item, src, **evidence.default_values(src)))[0].id
    second = ledger.apply(evidence.AddEvidence(item, src, name=f"说明{BIDI}.pdf"))[0].id
    assert Evidence.get_by_id(first).name == "报告gpj.exe"
    assert Evidence.get_by_id(second).name == "说明.pdf"
    # A file replaced, and a title typed in place, are cleaned the same way.
    other = tmp_path / "新\u202dfile.docx"
    other.write_bytes(b"PK\x03\x04 docx")
    ledger.apply(evidence.ReplaceEvidenceFile(second, other))
    assert not set(Evidence.get_by_id(second).name) & set(BIDI)
    assert evidence.keep_suffix("纪要\u2067\u200f", "会议纪要.docx") == "纪要.docx"


def test_executables_are_known_by_their_real_extension() -> None:
    programs = "setup.EXE run.Bat a.ps1 b.lnk c.msi d.scr e.js f.sh g.AppImage h.desktop i.vbs j.jar k.reg l.hta"
    for name in ["x\u202egpj.exe", "m.cpl.", "n.cmd ", "o.com", *programs.split()]:
        assert evidence.is_executable(name), name
    for name in ("报告.pdf", "照片.jpg", "x\u202eexe.pdf", "CON.tar.gz", "纪要.docx", "无扩展名"):
        assert not evidence.is_executable(name), name
    # A program under no extension at all is known by its first bytes.
    assert evidence.is_executable("无扩展名", b"MZ\x90\x00")
    assert evidence.is_executable("程序", b"\x7fELF\x02")
    assert not evidence.is_executable("照片.jpg", b"\xff\xd8\xff")


def test_zip_entries_carry_no_direction_marks(ledger: Ledger, tmp_path: Path) -> None:
    insp, item = one_item(ledger, "细化\u202e问题")
    add_file(ledger, item, tmp_path, "a.pdf", b"%PDF one")
    # Older ledgers (and other programs) may hold them already: the package must not carry them.
    src = tmp_path / "two.pdf"
    src.write_bytes(b"%PDF two")
    ev = ledger.apply(evidence.AddEvidence(item, src))[0].id
    with db.atomic():
        Evidence.update(name=f"x\u202egpj.exe{BIDI}").where(Evidence.id == ev).execute()
        Category.update(title="方面\u2066一\u2069").execute()
    out = export_zip(insp, tmp_path / "包.zip")
    names = zipfile.ZipFile(out).namelist()
    assert len(names) == 4
    for n in names:
        assert not set(n) & set(BIDI), ascii(n)
    assert any(n.endswith("/xgpj.exe") for n in names), names


@pytest.mark.parametrize("name", ['=HYPERLINK("http://evil.example/","点我")', "+1", "-2+3", "@SUM(A1)", "\t=1+1"])
def test_formula_like_names_stay_text_in_the_index(ledger: Ledger, tmp_path: Path, name: str) -> None:
    from openpyxl import load_workbook

    insp, item = one_item(ledger)
    add_file(ledger, item, tmp_path, name, b"%PDF formula")
    zf = zipfile.ZipFile(export_zip(insp, tmp_path / "包.zip"))
    ws = load_workbook(io.BytesIO(zf.read("目录.xlsx"))).active
    col = evidence_zip.INDEX_HEADERS.index("材料名称") + 1
    cell = ws.cell(evidence_zip.INDEX_HEADER_ROW + 1, col)
    assert cell.data_type == "s" and cell.value.startswith(name[:2]), (cell.data_type, cell.value)
    # Excel's quote prefix, as the ledger workbook has it: editing the cell does not make it a formula.
    assert cell.quotePrefix, cell.value


def test_device_names_with_several_dots_are_not_devices(ledger: Ledger, tmp_path: Path) -> None:
    insp, item = one_item(ledger)
    titles = ["CON.tar.gz", "nul.txt.zip", "COM1.a.b", "aux .x.y", "Lpt9.备份.pdf"]
    for i, t in enumerate(titles):
        add_file(ledger, item, tmp_path, t, f"data {i}".encode())
    with db.atomic():
        Inspection.update(title="PRN.季度").execute()
    names = zipfile.ZipFile(export_zip(insp, tmp_path / "包.zip")).namelist()
    files = [n.split("/")[-1] for n in names]
    assert len(files) == len(titles) + 2
    for f in files:
        assert f.split(".")[0].rstrip(" ").upper() not in RESERVED, f
    for t in titles:
        first, _, rest = t.partition(".")
        assert f"{first.rstrip()}_.{rest}" in files, (t, files)


# --- opening an executable in the window ----------------------------------------------------------


@pytest.fixture
def evidence_panel(ledger, qtbot):
    from PySide6.QtGui import QUndoStack

    from rectify_desktop.ui.forms import EditPanel
    from rectify_desktop.ui.undo import UndoBridge

    one_item(ledger)
    stack = QUndoStack()
    p = EditPanel(ledger, UndoBridge(ledger, stack))
    ledger.subscribe(p.on_changes)
    qtbot.addWidget(p)
    p.resize(720, 900)
    p.show()
    p.show_node("item", Item.get().id)
    yield p
    from rectify_desktop.ui import evidence_ui

    evidence_ui.cleanup_temp()


@pytest.fixture
def opened(monkeypatch):
    from PySide6.QtGui import QDesktopServices

    urls: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: urls.append(url.toLocalFile()) or True)
    return urls


@pytest.fixture
def questions(monkeypatch):
    """Questions asked, answered from `answers` (Yes when it runs out)."""
    from PySide6.QtWidgets import QMessageBox

    asked: list[tuple[str, str]] = []
    answers: list[bool] = []

    def question(parent, title, text, *a, **k):
        asked.append((title, text))
        yes = answers.pop(0) if answers else True
        return QMessageBox.StandardButton.Yes if yes else QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", question)
    return asked, answers


def _open_row(panel, row: int):
    from PySide6.QtWidgets import QTableWidget

    table = panel.findChild(QTableWidget, "evidence.table")
    table.selectRow(row)
    return panel.current_form.evidence.open_selected()


def test_opening_an_executable_asks_first(evidence_panel, tmp_path, opened, questions) -> None:
    asked, answers = questions
    form = evidence_panel.current_form.evidence
    exe = tmp_path / "照片\u202egpj.exe"
    exe.write_bytes(b"MZ\x90\x00 not really a program")
    pdf = tmp_path / "报告.pdf"
    pdf.write_bytes(b"%PDF-1.4 report")
    form.add_paths([exe])
    form.add_paths([pdf])
    names = [Evidence.get_by_id(i).name for i in form.ids]
    row_exe, row_pdf = names.index("照片gpj.exe"), names.index("报告.pdf")

    answers.append(False)
    assert _open_row(evidence_panel, row_exe) is None
    assert opened == [] and len(asked) == 1
    title, text = asked[0]
    assert ".exe" in text and "照片gpj.exe" in text, text
    assert all("\u4e00" <= c <= "\u9fff" for c in title if not c.isascii() and c not in "：“”（）…")

    answers.append(True)
    _open_row(evidence_panel, row_exe)
    assert len(asked) == 2 and len(opened) == 1 and opened[0].endswith("照片gpj.exe")

    _open_row(evidence_panel, row_pdf)
    assert len(asked) == 2 and len(opened) == 2 and opened[1].endswith("报告.pdf")


# --- 1, 2, 15: the package is written whole, never onto the ledger, and leaves nothing --------------


def make_ledger(path: Path, tmp: Path, sizes: list[int]) -> int:
    """A closed ledger at `path` with one item holding random files of `sizes`; returns the inspection id."""
    led = Ledger.create(path)
    try:
        insp, item = one_item(led)
        rng = random.Random(len(sizes))
        for i, n in enumerate(sizes):
            add_file(led, item, tmp, f"扫描件{i}.pdf", rng.randbytes(n))
    finally:
        led.close()
    return insp


def test_zip_export_onto_the_ledger_itself_is_refused(tmp_path: Path, cli) -> None:
    led = tmp_path / "台账.zip"
    make_ledger(led, tmp_path, [1000])
    before = sha_of(led)
    run = cli("export", led, led)
    assert run.returncode != 0, run.stdout
    assert "台账" in run.stderr and "Traceback" not in run.stderr, run.stderr
    assert sha_of(led) == before
    # Another ledger under a package's name is refused too, though it is not the one exported.
    other = tmp_path / "另一份台账.zip"
    make_ledger(other, tmp_path, [10])
    before_other = sha_of(other)
    run = cli("export", led, other)
    assert run.returncode != 0 and sha_of(other) == before_other, run.stderr


def test_zip_export_onto_a_full_disk_keeps_the_older_package(tmp_path: Path, cli, small_disk) -> None:
    led = tmp_path / "台账.db"
    make_ledger(led, tmp_path, [700_000, 700_000])
    disk = small_disk("1m")
    target = disk / "佐证材料包.zip"
    target.write_bytes(random.Random(1).randbytes(200_000))
    before = sha_of(target)
    run = cli("export", led, target)
    assert run.returncode != 0, run.stdout
    assert "磁盘空间不足" in run.stderr, run.stderr
    assert "Traceback" not in run.stderr and "Exception ignored" not in run.stderr, run.stderr
    assert sha_of(target) == before
    assert sorted(p.name for p in disk.iterdir()) == ["佐证材料包.zip"]


_KILL_CHILD = """
import sys, time
from pathlib import Path
from rectify_desktop.core.ledger import Ledger
from rectify_desktop.io.evidence_zip import export_zip
ledger, out, marker, when = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4]

def progress(done, total):
    if (when == "workbook" and done == 0) or (when == "files" and done > 0):
        marker.write_text("now")
        time.sleep(120)

with Ledger.open(ledger, readonly=True) as led:
    export_zip(led.inspections()[0].id, out, progress=progress)
"""


@pytest.mark.parametrize("when", ["workbook", "files"])
def test_a_killed_zip_export_leaves_only_what_the_next_start_cleans(tmp_path, cli_env, when) -> None:
    led = tmp_path / "台账.db"
    make_ledger(led, tmp_path, [3 << 20])
    folder = tmp_path / "out"
    folder.mkdir()
    marker = tmp_path / "marker"
    child = subprocess.Popen(
        [sys.executable, "-c", _KILL_CHILD, str(led), str(folder / "包.zip"), str(marker), when], env=cli_env
    )
    try:
        deadline = time.monotonic() + 60
        while not marker.exists() and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert marker.exists(), "the export never reached the point to kill it"
        os.kill(child.pid, signal.SIGKILL)
        child.wait(10)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(10)
    left = sorted(p.name for p in folder.iterdir())
    assert left, "the kill came before anything was written"
    assert all(n.startswith(outfile.TEMP_PREFIX) for n in left), left
    gone = outfile.clean_stale([folder])
    assert sorted(p.name for p in gone) == left
    assert list(folder.iterdir()) == []


def test_the_window_refuses_the_ledger_and_keeps_the_older_package_on_a_full_disk(
    window, tmp_path, monkeypatch, small_disk
) -> None:
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    from rectify_desktop.core.demo import make_demo
    from rectify_desktop.ui import evidence_ui

    shown: list[tuple[str, str]] = []
    for kind in ("critical", "information", "warning"):
        monkeypatch.setattr(QMessageBox, kind, lambda _p, title, text, *a, _k=kind, **k: shown.append((_k, text)))
    led = make_demo(tmp_path / "台账.zip")
    window.open_ledger(led)
    chosen: list[Path] = [led]
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(chosen[0]), ""))
    assert evidence_ui.export_zip(window) is None
    assert shown[-1][0] == "critical" and "台账" in shown[-1][1], shown
    assert led.read_bytes()[:16] == b"SQLite format 3\x00"

    disk = small_disk("2m")
    chosen[0] = disk / "包.zip"
    chosen[0].write_bytes(b"an older package")
    fill_disk(disk, 20_000)
    assert evidence_ui.export_zip(window) is None
    assert shown[-1][0] == "critical" and "磁盘空间不足" in shown[-1][1], shown
    assert chosen[0].read_bytes() == b"an older package"
    assert sorted(p.name for p in disk.iterdir()) == ["ballast.bin", "包.zip"]


# --- saving one file out (另存为 / 打开) -----------------------------------------------------------


def test_one_file_written_out_never_onto_the_ledger_nor_half_on_a_full_disk(ledger, tmp_path, small_disk) -> None:
    _insp, item = one_item(ledger)
    data = random.Random(3).randbytes(1_500_000)
    ev = add_file(ledger, item, tmp_path, "扫描件.pdf", data)
    sha = Evidence.get_by_id(ev).blob_sha256
    before = sha_of(ledger.path)
    with pytest.raises(outfile.OutputError):
        evidence.write_blob(sha, ledger.path)
    assert sha_of(ledger.path) == before and Finding.select().count() == 1

    disk = small_disk("1m")
    old = disk / "副本.pdf"
    old.write_bytes(b"an older copy")
    with pytest.raises(outfile.OutputError, match="磁盘空间不足"):
        evidence.write_blob(sha, old)
    assert old.read_bytes() == b"an older copy"
    assert sorted(p.name for p in disk.iterdir()) == ["副本.pdf"]
