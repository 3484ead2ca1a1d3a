"""The evidence package (佐证材料包): folders that follow the ledger, names safe on Windows, the index, hashes."""

from __future__ import annotations

import argparse
import errno
import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from rectify_desktop.core import evidence, ops, rules
from rectify_desktop.core.ledger import Ledger
from rectify_desktop.core.models import Category, Evidence, Finding, Inspection, Item, db
from rectify_desktop.core.table import ledger_title
from rectify_desktop.io import evidence_zip
from rectify_desktop.io.evidence_zip import ZipExportError, export_zip, read_index, safe_name, utf16_len

RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"{d}{n}" for d in ("COM", "LPT") for n in range(1, 10)}


def assert_windows_safe(arcname: str) -> None:
    assert utf16_len(arcname) <= evidence_zip.MAX_PATH, arcname
    for part in arcname.split("/"):
        assert part, arcname
        assert not set(part) & set('<>:"\\|?*'), part
        assert all(ord(c) >= 32 for c in part), repr(part)
        assert part == part.strip() and not part.endswith("."), repr(part)
        assert part.split(".")[0].strip().upper() not in RESERVED, part
        assert utf16_len(part) <= evidence_zip.FILE_LIMIT, part


def unzip_names(path: Path) -> list[str] | None:
    """The names `unzip -l` lists (Info-ZIP reads the UTF-8 flag), or None when unzip is not installed."""
    if shutil.which("unzip") is None:
        return None
    out = subprocess.run(["unzip", "-l", str(path)], capture_output=True, check=True).stdout.decode("utf-8")
    lines = out.splitlines()
    dashes = [i for i, line in enumerate(lines) if line.startswith("---------")]
    return [line.split(maxsplit=3)[3] for line in lines[dashes[0] + 1 : dashes[1]]]


@pytest.fixture
def demo_zip(demo_ledger: Ledger, tmp_path: Path) -> Path:
    insp = demo_ledger.inspections()[0]
    return export_zip(insp.id, tmp_path / "佐证材料包.zip")


def test_demo_package_follows_the_ledger(demo_ledger: Ledger, demo_zip: Path, tmp_path: Path) -> None:
    insp = demo_ledger.inspections()[0]
    zf = zipfile.ZipFile(demo_zip)
    assert zf.testzip() is None
    names = zf.namelist()
    listed = unzip_names(demo_zip)
    if listed is not None:
        assert listed == names
    book = f"{ledger_title(insp)}.xlsx"
    assert names[:2] == ["目录.xlsx", book]
    # Every file sits in the folder of its item: （一）方面/1.问题/（1）细化问题/.
    cats = list(Category.select().where(Category.inspection == insp.id).order_by(Category.position))
    stored = list(Evidence.select().where(Evidence.blob.is_null(False)).order_by(Evidence.id))
    files = [n for n in names if n.count("/") == 3]
    assert len(files) == len(stored) == 7
    for e in stored:
        item = Item.get_by_id(e.item_id)
        finding = Finding.get_by_id(item.finding_id)
        cat_label = rules.category_label(cats.index(Category.get_by_id(finding.category_id)) + 1)
        folder = (cat_label, f"{finding.number}.{finding.title[:10]}", f"（{item.number}）{item.title[:10]}")
        mine = [n for n in files if n.split("/")[-1] == e.name]
        assert len(mine) == 1, e.name
        parts = mine[0].split("/")
        assert [p.startswith(f) for p, f in zip(parts, folder, strict=False)] == [True] * 3, mine[0]
    for info in zf.infolist():
        assert_windows_safe(info.filename)
        assert info.flag_bits & 0x800  # every name here is Chinese: marked UTF-8
    # The ledger workbook itself, as io.xlsx_export writes it.
    from openpyxl import load_workbook

    assert "台账" in load_workbook(io.BytesIO(zf.read(book)), read_only=True).sheetnames


def test_index_rows_equal_the_stored_files_and_hashes_hold(demo_ledger: Ledger, demo_zip: Path, tmp_path: Path):
    zf = zipfile.ZipFile(demo_zip)
    rows = read_index(zf.read("目录.xlsx"))
    assert len(rows) == Evidence.select().count() == 9
    with_file = [r for r in rows if r["包内位置"] != "未附文件"]
    stored = {(e.name, e.blob_sha256, evidence.blob_size(e.blob_sha256)) for e in Evidence.select() if e.blob_sha256}
    assert {(r["材料名称"], r["SHA-256"], r["大小（字节）"]) for r in with_file} == stored
    assert sorted(r["包内位置"] for r in with_file) == sorted(n for n in zf.namelist() if n.count("/") == 3)
    missing = [r for r in rows if r["包内位置"] == "未附文件"]
    assert {r["材料名称"] for r in missing} == {e.name for e in Evidence.select().where(Evidence.blob.is_null())}
    assert all(r["SHA-256"] in (None, "") and r["大小（字节）"] is None for r in missing)
    for r in rows:
        e = Evidence.get(Evidence.name == r["材料名称"])
        assert (r["类型"], r["文号"] or "") == (e.kind, e.doc_number)
        assert r["日期"].date() == e.date
        item = Item.get_by_id(e.item_id)
        assert r["细化问题"] == f"（{item.number}）{item.title}"
    # Unpacked, every file has the hash the index gives it.
    out = tmp_path / "解压"
    zf.extractall(out)
    for r in with_file:
        data = (out / r["包内位置"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == r["SHA-256"] and len(data) == r["大小（字节）"]


def test_cli_export_runs_without_qt(demo_path: Path, tmp_path: Path, cli_env: dict[str, str]) -> None:
    out = tmp_path / "包.zip"
    code = (
        "import sys, argparse\n"
        "from pathlib import Path\n"
        "from rectify_desktop.io.evidence_zip import cli_export\n"
        "rc = cli_export(Path(sys.argv[1]), Path(sys.argv[2]), argparse.Namespace(inspection=None))\n"
        "print('QT-LOADED' if [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6')] else 'NO-QT')\n"
        "sys.exit(rc)\n"
    )
    r = subprocess.run(
        [sys.executable, "-c", code, str(demo_path), str(out)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=cli_env,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    assert "已导出佐证材料包（7 个文件，2 项未附文件）" in r.stdout and r.stdout.rstrip().endswith("NO-QT")
    assert len(zipfile.ZipFile(out).namelist()) == 9
    # No such inspection: a message, exit 1, no file.
    bad = tmp_path / "没有.zip"
    assert evidence_zip.cli_export(demo_path, bad, argparse.Namespace(inspection=99)) == 1
    assert not bad.exists()


# --- names ---------------------------------------------------------------------------------------


def test_safe_name() -> None:
    assert safe_name("CON", 20) == "CON_"
    assert safe_name("con.txt", 20, keep_suffix=True) == "con_.txt"
    assert safe_name("Lpt1 .pdf", 20, keep_suffix=True) == "Lpt1_.pdf"
    assert safe_name("COM¹", 20) == "COM¹_"
    assert safe_name("CONSOLE", 20) == "CONSOLE"
    assert safe_name('a<b>:c?|"*/\\', 40) == "a＜b＞：c？｜＂＊／＼"
    assert safe_name("结尾有点. . ", 20) == "结尾有点"
    assert safe_name("a\x00b\x07c\td\ne", 20) == "abc d e"
    assert safe_name("...", 20) == "未命名"
    assert safe_name("x" * 300 + ".docx", 60, keep_suffix=True) == "x" * 55 + ".docx"
    assert utf16_len(safe_name("😀" * 100, 31)) <= 31


def make_unsafe_ledger(ledger: Ledger, tmp_path: Path) -> int:
    insp = ledger.apply(ops.add_inspection("命名测试"))[0].id
    cat = ledger.apply(ops.add_category(insp, "CON"))[0].id
    finding = ledger.apply(ops.add_finding(cat, 'a<b>:c?|"*/\\'))[0].id
    long_item = ledger.apply(ops.add_item(finding, "很长的细化问题" * 43))[0].id  # 301 characters
    aux = ledger.apply(ops.add_item(finding, "aux"))[0].id
    f = tmp_path / "x.pdf"
    f.write_bytes(b"%PDF one")
    g = tmp_path / "y.pdf"
    g.write_bytes(b"%PDF two")
    names = ["NUL.pdf", "x.pdf", "x.pdf", "X.PDF", "名称 .", '=HYPERLINK("http://x").pdf', "控制\x07符\n.pdf"]
    names.append("长" * 300 + ".docx")
    for i, name in enumerate(names):
        ledger.apply(evidence.AddEvidence(long_item, f if i % 2 else g, name=name))
    ledger.apply(evidence.AddEvidence(aux, f, name="COM1"))
    with db.atomic():
        Evidence.create(item=aux, name="纸质材料", blob=None)
    return insp


def test_windows_unsafe_titles_give_safe_unique_names(ledger: Ledger, tmp_path: Path) -> None:
    insp = make_unsafe_ledger(ledger, tmp_path)
    out = export_zip(insp, tmp_path / "包.zip")
    zf = zipfile.ZipFile(out)
    files = [n for n in zf.namelist() if "/" in n]
    assert len(files) == 9
    for n in zf.namelist():
        assert_windows_safe(n)
    cat, finding = files[0].split("/")[:2]
    assert cat == "（一）CON" and finding == "1.a＜b＞：c？｜＂＊／＼"
    in_long = sorted(n.split("/")[3] for n in files if "很长" in n)
    assert "x.pdf" in in_long and "x(2).pdf" in in_long and "X(3).PDF" in in_long
    assert "NUL_.pdf" in in_long and "控制符.pdf" in in_long
    assert "名称.pdf" in in_long  # "名称 ." lost its dots and space, and got the extension its bytes show
    assert "=HYPERLINK(＂http：／／x＂).pdf" in in_long
    assert any(n.startswith("长") and n.endswith(".docx") for n in in_long)
    assert [n.split("/")[2] for n in files if "aux" in n.lower()] == ["（2）aux"]  # not a device: 序号 first
    assert [n.split("/")[3] for n in files if "aux" in n.lower()] == ["COM1_.pdf"]  # extension found from bytes
    assert len({n.casefold() for n in files}) == len(files)
    # The index keeps the clerk's own titles, as text (a title that looks like a formula is no formula).
    rows = read_index(zf.read("目录.xlsx"))
    assert '=HYPERLINK("http://x").pdf' in [r["材料名称"] for r in rows]
    assert [r["包内位置"] for r in rows if r["材料名称"] == "纸质材料"] == ["未附文件"]
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(zf.read("目录.xlsx"))).active
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)


# --- failures leave nothing behind ---------------------------------------------------------------


def test_unwritable_place_leaves_no_file(demo_ledger: Ledger, tmp_path: Path, monkeypatch) -> None:
    insp = demo_ledger.inspections()[0].id
    blocker = tmp_path / "是文件"
    blocker.write_text("x")
    with pytest.raises(ZipExportError, match="文件夹不存在"):
        export_zip(insp, blocker / "包.zip")
    folder = tmp_path / "out"
    folder.mkdir()
    with pytest.raises(ZipExportError, match="这是一个文件夹"):
        export_zip(insp, folder)
    # The disk fills in the middle of a file: a message, no half-written zip, an older package untouched.
    old = folder / "包.zip"
    old.write_bytes(b"an older package")
    real_write = zipfile._ZipWriteFile.write  # type: ignore[attr-defined]
    calls = []

    def full(self, data):
        calls.append(len(data))
        if len(calls) == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(self, data)

    monkeypatch.setattr(zipfile._ZipWriteFile, "write", full)  # type: ignore[attr-defined]
    with pytest.raises(ZipExportError, match="磁盘空间不足"):
        export_zip(insp, old)
    assert sorted(p.name for p in folder.iterdir()) == ["包.zip"] and old.read_bytes() == b"an older package"
    monkeypatch.setattr(zipfile._ZipWriteFile, "write", real_write)  # type: ignore[attr-defined]

    # The folder refuses the new file (on Windows: the old package is open in another program).
    real_replace = os.replace

    def refused(src, dst):
        if Path(dst) == old:
            raise PermissionError(13, "Permission denied", str(dst))
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", refused)
    with pytest.raises(ZipExportError, match="打开|权限"):
        export_zip(insp, old)
    assert sorted(p.name for p in folder.iterdir()) == ["包.zip"] and old.read_bytes() == b"an older package"


def test_cancel_leaves_no_file(demo_ledger: Ledger, tmp_path: Path) -> None:
    class Stop(Exception):
        pass

    seen = []

    def progress(done: int, total: int) -> None:
        seen.append((done, total))
        if done > 0:
            raise Stop

    with pytest.raises(Stop):
        export_zip(demo_ledger.inspections()[0].id, tmp_path / "包.zip", progress=progress)
    assert not list(tmp_path.glob("*.zip*")) and not list(tmp_path.glob(".~*"))


def test_compression_and_zip64(ledger: Ledger, tmp_path: Path, monkeypatch) -> None:
    insp = ledger.apply(ops.add_inspection("压缩"))[0].id
    cat = ledger.apply(ops.add_category(insp, "方面"))[0].id
    item = ledger.apply(ops.add_item(ledger.apply(ops.add_finding(cat, "问题"))[0].id, "细化问题"))[0].id
    text = tmp_path / "说明.txt"
    text.write_bytes("整改说明。".encode() * 5000)
    scan = tmp_path / "扫描件.bin"
    scan.write_bytes(os.urandom(300_000))
    photo = tmp_path / "照片.jpg"
    photo.write_bytes(b"\xff\xd8\xff" + b"a" * 10_000)
    for f in (text, scan, photo):
        ledger.apply(evidence.AddEvidence(item, f))
    # Files over the ZIP64 limit get ZIP64 sizes; the limit is made small here to reach that path.
    monkeypatch.setattr(zipfile, "ZIP64_LIMIT", 200_000)
    out = export_zip(insp, tmp_path / "包.zip")
    zf = zipfile.ZipFile(out)
    kinds = {n.split("/")[-1]: zf.getinfo(n).compress_type for n in zf.namelist() if "/" in n}
    assert kinds == {"说明.txt": zipfile.ZIP_DEFLATED, "扫描件.bin": zipfile.ZIP_STORED, "照片.jpg": zipfile.ZIP_STORED}
    big = next(i for i in zf.infolist() if i.filename.endswith("扫描件.bin"))
    raw = out.read_bytes()
    local = raw[big.header_offset : big.header_offset + 30 + len(big.filename.encode()) + 40]
    name_len, extra_len = int.from_bytes(local[26:28], "little"), int.from_bytes(local[28:30], "little")
    extra = local[30 + name_len : 30 + name_len + extra_len]
    assert extra[:2] == b"\x01\x00"  # the ZIP64 extended information field
    assert zf.read(big) == scan.read_bytes()
    assert re.fullmatch(r"[0-9a-f]{64}", read_index(zf.read("目录.xlsx"))[0]["SHA-256"])
    assert Inspection.get_by_id(insp).title == "压缩"


# --- names cut between words, real times, ordinary modes (issue 13, point 19) ----------------------


def test_long_titles_are_cut_between_words_with_an_ellipsis() -> None:
    shorten = evidence_zip.shorten
    # Before a conjunction, not "…思想和".
    cat = "（一）学习贯彻习近平新时代中国特色社会主义思想和党的二十大精神不够深入"
    assert shorten(cat, 24) == "（一）学习贯彻习近平新时代中国特色社会主义思想…"
    # After punctuation, which is dropped before the mark; not "…接待清单不".
    assert shorten("（1）公务接待无公函、接待清单不全，报销审批不严格", 16) == "（1）公务接待无公函…"
    item = "（2）“第一议题”制度落实不到位，学习习近平总书记最新重要讲话和重要指示批示精神不及时"
    assert shorten(item, 32) == "（2）“第一议题”制度落实不到位，学习习近平总书记最新重要讲话…"
    assert shorten("abc def ghi jkl", 10) == "abc def…"
    # No boundary that keeps half: cut through, still marked.
    assert shorten("长" * 40, 10) == "长" * 9 + "…"
    assert shorten("😀" * 20, 9) == "😀" * 4 + "…"  # never half a pair
    assert shorten("短标题", 10) == "短标题" and shorten("正好十个字正好十个字", 10) == "正好十个字正好十个字"
    # A million-character title costs no more than its first units.
    assert utf16_len(shorten("很长的细化问题" * 142858, 32)) <= 32


def test_cut_names_stay_windows_safe_unique_and_within_their_limits() -> None:
    rng = __import__("random").Random(19)
    alphabet = list("长和的，、 .a😀（）") + ["CON", "x"]
    for _ in range(400):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 60)))
        limit = rng.randrange(2, 40)
        name = safe_name(text, limit, mark_cut=True)
        assert utf16_len(name) <= limit and name == name.strip() and not name.endswith("."), (text, limit, name)
        assert name.split(".")[0].strip().upper() not in RESERVED, name
        if name.endswith("…"):
            assert utf16_len(evidence_zip._clean(text)) > limit
    assert safe_name("长" * 300 + ".docx", 60, keep_suffix=True, mark_cut=True) == "长" * 54 + "….docx"
    # Two long equal names: the second numbered, still marked as cut, within the limit.
    names = evidence_zip._Names()
    long = safe_name("整改情况报告" * 20 + ".pdf", 30, keep_suffix=True, mark_cut=True)
    first, second = names.take("a/", long, 30), names.take("a/", long, 30)
    assert first == long and second.endswith("…(2).pdf") and utf16_len(second) <= 30, second
    # Without the mark, a name keeps its longest start (the window's single files).
    assert safe_name("很长的细化问题" * 10, 20) == ("很长的细化问题" * 3)[:20]


def test_demo_folders_are_cut_at_word_boundaries(demo_zip: Path) -> None:
    names = zipfile.ZipFile(demo_zip).namelist()
    folders = {part for n in names for part in n.split("/")[:-1]}
    assert "（一）学习贯彻习近平新时代中国特色社会主义思想…" in folders
    assert "（2）“第一议题”制度落实不到位，学习习近平总书记最新重要讲话…" in folders
    assert not [f for f in folders if f.endswith(("和", "和…", "，…", "、…"))], folders


def test_entries_have_ordinary_modes_and_real_times(demo_ledger: Ledger, tmp_path: Path) -> None:
    import datetime as dt
    import stat

    insp = demo_ledger.inspections()[0].id
    before = dt.datetime.now().replace(microsecond=0) - dt.timedelta(seconds=2)
    out = export_zip(insp, tmp_path / "包.zip")
    after = dt.datetime.now().replace(microsecond=0) + dt.timedelta(seconds=2)
    zf = zipfile.ZipFile(out)
    infos = zf.infolist()
    # Folders are not entries of their own (unpackers make them with their ordinary mode); every entry is a
    # file readable by all, made "on Unix" so that the mode is read whichever system made the package.
    assert not [i for i in infos if i.is_dir()]
    for info in infos:
        mode = info.external_attr >> 16
        assert stat.S_ISREG(mode) and stat.S_IMODE(mode) == 0o644, (info.filename, oct(mode))
        assert info.create_system == 3, info.filename
    # 目录.xlsx and the ledger workbook: made now, in local time as zip keeps it (no made-up noon).
    for info in infos[:2]:
        assert before <= dt.datetime(*info.date_time) <= after, (info.filename, info.date_time)
    # Each evidence file: its material's date (the day of the file as the ledger keeps it), at its start.
    rows = {r["包内位置"]: r for r in read_index(zf.read("目录.xlsx"))}
    for info in infos[2:]:
        day = rows[info.filename]["日期"].date()
        assert info.date_time == (day.year, day.month, day.day, 0, 0, 0), info.filename
    # unzip sets what it unpacks to those times and modes.
    if shutil.which("unzip"):
        subprocess.run(["unzip", "-q", str(out), "-d", str(tmp_path / "u")], check=True)
        for info in infos[2:]:
            path = tmp_path / "u" / info.filename
            assert dt.datetime.fromtimestamp(path.stat().st_mtime).timetuple()[:6] == info.date_time
            assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_zip_times_before_1980_or_without_a_date(ledger: Ledger, tmp_path: Path) -> None:
    import datetime as dt

    insp = ledger.apply(ops.add_inspection("时间"))[0].id
    cat = ledger.apply(ops.add_category(insp, "方面"))[0].id
    item = ledger.apply(ops.add_item(ledger.apply(ops.add_finding(cat, "问题"))[0].id, "细化问题"))[0].id
    for name, day in (("旧.pdf", dt.date(1975, 5, 1)), ("无日期.pdf", None)):
        src = tmp_path / name
        src.write_bytes(name.encode())
        ev = ledger.apply(evidence.AddEvidence(item, src, name=name))[0].id
        with db.atomic():
            Evidence.update(date=day).where(Evidence.id == ev).execute()
    zf = zipfile.ZipFile(export_zip(insp, tmp_path / "包.zip"))
    times = {i.filename.split("/")[-1]: i.date_time for i in zf.infolist()}
    assert times["旧.pdf"] == (1980, 1, 1, 0, 0, 0)  # the earliest a zip can say
    added = Evidence.get(Evidence.name == "无日期.pdf").added_at  # no date: when it was attached
    assert times["无日期.pdf"] == added.replace(second=added.second // 2 * 2).timetuple()[:6]
