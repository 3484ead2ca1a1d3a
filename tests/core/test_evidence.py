"""Evidence files inside the ledger (evidence.py) and the check that finds them damaged (verify.py)."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from pathlib import Path

import pytest

from rectify_desktop.core import evidence, ops
from rectify_desktop.core.evidence import CHUNK_SIZE, AddEvidence
from rectify_desktop.core.ledger import Ledger
from rectify_desktop.core.models import Blob, BlobChunk, ChangeLog, Evidence, Item, db
from rectify_desktop.core.verify import verify_open_ledger


@pytest.fixture
def item_id(ledger: Ledger) -> int:
    insp = ledger.apply(ops.add_inspection("测试"))[0].id
    cat = ledger.apply(ops.add_category(insp, "方面"))[0].id
    f = ledger.apply(ops.add_finding(cat, "问题"))[0].id
    return ledger.apply(ops.add_item(f, "细化问题"))[0].id


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_add_evidence_stores_the_file(ledger: Ledger, item_id: int, tmp_path: Path) -> None:
    data = "党组会议纪要：研究部署巡察整改工作。".encode()
    f = write(tmp_path / "会议纪要.docx", data)
    cmd = AddEvidence(item_id, f, kind="会议记录", doc_number="教党〔2021〕3号", date=dt.date(2021, 5, 6))
    changes = ledger.apply(cmd)
    assert [(c.kind, c.entity) for c in changes] == [("insert", Evidence)]
    ev = Evidence.get_by_id(changes[0].id)
    sha = hashlib.sha256(data).hexdigest()
    assert (ev.item_id, ev.measure_id, ev.name, ev.kind, ev.doc_number, ev.date) == (
        item_id,
        None,
        "会议纪要.docx",
        "会议记录",
        "教党〔2021〕3号",
        dt.date(2021, 5, 6),
    )
    assert ev.blob_sha256 == sha
    assert Blob.get_by_id(sha).size == len(data)
    assert b"".join(evidence.iter_blob(sha)) == data
    out = tmp_path / "导出.docx"
    evidence.write_blob(sha, out)
    assert out.read_bytes() == data
    last = ChangeLog.select().order_by(ChangeLog.id.desc()).first()
    assert (last.action, last.entity, last.entity_id, last.new) == ("新增", "佐证材料", ev.id, "会议纪要.docx")
    # The bytes live in the ledger: the original file can go.
    f.unlink()
    assert evidence.rehash_blob(sha) == sha
    assert verify_open_ledger() == []
    # Undo removes the record, not yet the bytes; pruning does; redo stores nothing twice.
    ledger.revert(cmd)
    assert Evidence.select().count() == 0 and Blob.select().count() == 1
    ledger.apply(cmd)
    assert Evidence.get_by_id(changes[0].id).blob_sha256 == sha
    ledger.revert(cmd)
    assert evidence.prune_blobs() == 1
    assert Blob.select().count() == 0 and BlobChunk.select().count() == 0


def test_add_evidence_of_a_missing_file_changes_nothing(ledger: Ledger, item_id: int, tmp_path: Path) -> None:
    n_log = ChangeLog.select().count()
    with pytest.raises(OSError, match="不是文件"):
        ledger.apply(AddEvidence(item_id, tmp_path / "没有.pdf"))
    with pytest.raises(OSError):
        ledger.apply(AddEvidence(item_id, tmp_path))
    assert Evidence.select().count() == 0 and Blob.select().count() == 0
    assert ChangeLog.select().count() == n_log


def test_same_bytes_are_stored_once(ledger: Ledger, item_id: int, tmp_path: Path) -> None:
    data = b"%PDF-1.4 the same scan\n" * 1000
    a = write(tmp_path / "整改方案.pdf", data)
    b = write(tmp_path / "整改方案（副本）.pdf", data)
    other = ledger.apply(ops.add_item(Item.get_by_id(item_id).finding_id, "另一项"))[0].id
    ledger.apply(AddEvidence(item_id, a))
    ledger.apply(AddEvidence(other, b))
    ledger.apply(AddEvidence(item_id, a))
    assert Evidence.select().count() == 3
    assert Blob.select().count() == 1
    assert BlobChunk.select().count() == 1
    assert {e.blob_sha256 for e in Evidence.select()} == {hashlib.sha256(data).hexdigest()}
    assert [e.position for e in Evidence.select().where(Evidence.item == item_id).order_by(Evidence.id)] == [0, 1]
    assert evidence.prune_blobs() == 0


def test_large_file_is_chunked_and_reads_back(ledger: Ledger, item_id: int, tmp_path: Path) -> None:
    data = random.Random(20210630).randbytes(2 * CHUNK_SIZE + 12345)
    f = write(tmp_path / "扫描件.pdf", data)
    seen: list[tuple[int, int]] = []
    cmd = AddEvidence(item_id, f)
    cmd.progress = lambda done, total: seen.append((done, total))
    ledger.apply(cmd)
    sha = hashlib.sha256(data).hexdigest()
    chunks = list(BlobChunk.select().where(BlobChunk.blob == sha).order_by(BlobChunk.seq))
    assert [c.seq for c in chunks] == [0, 1, 2]
    assert [len(c.data) for c in chunks] == [CHUNK_SIZE, CHUNK_SIZE, 12345]
    assert seen[-1] == (len(data), len(data)) and len(seen) == 3
    out = tmp_path / "读回.pdf"
    evidence.write_blob(sha, out)
    assert out.read_bytes() == data
    assert verify_open_ledger() == []


def test_store_bytes(ledger: Ledger) -> None:
    data = bytes(range(256)) * (CHUNK_SIZE // 256 + 1)
    sha = evidence.store_bytes(data)
    assert evidence.store_bytes(data) == sha
    assert BlobChunk.select().where(BlobChunk.blob == sha).count() == 2
    assert b"".join(evidence.iter_blob(sha)) == data
    empty = evidence.store_bytes(b"")
    assert b"".join(evidence.iter_blob(empty)) == b"" and Blob.get_by_id(empty).size == 0
    assert verify_open_ledger() == []


def test_verify_reports_tampered_chunk(ledger: Ledger, item_id: int, tmp_path: Path) -> None:
    data = random.Random(1).randbytes(CHUNK_SIZE + 100)
    ledger.apply(AddEvidence(item_id, write(tmp_path / "照片.jpg", data)))
    sha = hashlib.sha256(data).hexdigest()
    assert verify_open_ledger() == []
    # Same length, other bytes.
    db.execute_sql("UPDATE blob_chunk SET data = ? WHERE blob_sha256 = ? AND seq = 1", (b"x" * 100, sha))
    problems = verify_open_ledger()
    assert problems == [f"佐证文件 {sha[:12]}… 内容与其 SHA-256 不符"]
    # Another length.
    db.execute_sql("UPDATE blob_chunk SET data = ? WHERE blob_sha256 = ? AND seq = 1", (b"x" * 99, sha))
    problems = verify_open_ledger()
    assert len(problems) == 1 and "大小不符" in problems[0] and str(CHUNK_SIZE + 100) in problems[0]
    # A missing chunk.
    db.execute_sql("DELETE FROM blob_chunk WHERE blob_sha256 = ? AND seq = 1", (sha,))
    assert "大小不符" in verify_open_ledger()[0]


def test_verify_reports_rule_breaks(ledger: Ledger, item_id: int) -> None:
    db.execute_sql("UPDATE item SET status = '差不多' WHERE id = ?", (item_id,))
    assert verify_open_ledger() == [f"细化问题 {item_id} 的完成情况“差不多”不是有效状态"]
    db.execute_sql("UPDATE item SET status = '未启动' WHERE id = ?", (item_id,))
    db.execute_sql("PRAGMA foreign_keys = OFF")
    try:
        db.execute_sql("UPDATE item SET finding_id = 9999 WHERE id = ?", (item_id,))
    finally:
        db.execute_sql("PRAGMA foreign_keys = ON")
    problems = verify_open_ledger()
    assert len(problems) == 1 and problems[0].startswith("外键错误：表 item")


def test_replace_evidence_file_and_undo(ledger: Ledger, item_id: int, tmp_path: Path) -> None:
    first = write(tmp_path / "旧.pdf", b"first version")
    ev = ledger.apply(AddEvidence(item_id, first))[0].id
    with db.atomic():
        sha2, _ = evidence.store_blob(write(tmp_path / "新.pdf", b"second version"))
    sha1 = hashlib.sha256(b"first version").hexdigest()
    # The blob's id attribute is blob_sha256 (its column), not blob_id.
    cmd = ops.set_fields(Evidence, ev, {"blob": sha2, "name": "新.pdf"})
    ledger.apply(cmd)
    assert (Evidence.get_by_id(ev).blob_sha256, Evidence.get_by_id(ev).name) == (sha2, "新.pdf")
    last = ChangeLog.select().order_by(ChangeLog.id.desc()).first()
    assert (last.old, last.new) == ("旧.pdf", "新.pdf")
    ledger.revert(cmd)
    assert (Evidence.get_by_id(ev).blob_sha256, Evidence.get_by_id(ev).name) == (sha1, "旧.pdf")
    assert evidence.prune_blobs() == 1
    assert verify_open_ledger() == []


def test_registered_material_without_file_does_not_stop_pruning(ledger, tmp_path):
    """An imported ledger names materials whose files are not attached yet (blob NULL)."""
    from rectify_desktop.core import ops
    from rectify_desktop.core.evidence import prune_blobs, store_bytes
    from rectify_desktop.core.models import Blob, Evidence, Finding, Item, db

    ledger.apply(ops.add_inspection())
    ledger.apply(ops.add_category(1))
    ledger.apply(ops.add_finding(1))
    ledger.apply(ops.add_item(Finding.get().id))
    with db.atomic():
        store_bytes(b"orphan bytes")
        Evidence.create(item=Item.get(), name="会议记录（纸质）", blob=None)
    assert prune_blobs() == 1
    assert Blob.select().count() == 0 and Evidence.select().count() == 1


# --- checking files, names and kinds (issue 6) ------------------------------------------------------


def test_check_file_refuses_with_a_reason(ledger: Ledger, tmp_path: Path, monkeypatch) -> None:
    from rectify_desktop.core.evidence import EvidenceError, check_file
    from rectify_desktop.core.models import Setting

    folder = tmp_path / "扫描件"
    folder.mkdir()
    with pytest.raises(EvidenceError, match="是一个文件夹"):
        check_file(folder)
    with pytest.raises(EvidenceError, match="找不到文件“没有.pdf”"):
        check_file(tmp_path / "没有.pdf")
    f = write(tmp_path / "大.pdf", b"x" * 3000)
    assert check_file(f) == 3000
    with pytest.raises(EvidenceError, match=r"大小为 3 KB，超过了佐证材料的大小上限 2 KB"):
        check_file(f, 2048)
    # The limit comes from the ledger's setting evidence_max_mb, 500 MB by default.
    assert evidence.max_bytes() == 500 << 20
    with db.atomic():
        Setting.create(key="evidence_max_mb", value="0.001")
    assert evidence.max_bytes() == 1048
    with pytest.raises(EvidenceError, match="超过了"):
        check_file(f)
    for nonsense in ("", "abc", "-5", "0", "nan", "inf"):
        assert evidence.max_bytes(nonsense) == 500 << 20
    assert evidence.max_bytes("20") == 20 << 20

    real_open = Path.open

    def locked(self, *a, **k):
        if self == f:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *a, **k)

    monkeypatch.setattr(Path, "open", locked)
    with pytest.raises(EvidenceError, match="没有权限读取文件“大.pdf”"):
        check_file(f, 1 << 20)


def test_refused_adds_change_nothing(ledger: Ledger, item_id: int, tmp_path: Path) -> None:
    from rectify_desktop.core.evidence import EvidenceError

    big = write(tmp_path / "big.pdf", b"x" * 5000)
    n_log = ChangeLog.select().count()
    with pytest.raises(EvidenceError, match="超过了"):
        ledger.apply(AddEvidence(item_id, big, max_bytes=4096))
    assert Evidence.select().count() == Blob.select().count() == BlobChunk.select().count() == 0
    assert ChangeLog.select().count() == n_log


def test_names_kinds_and_dates() -> None:
    from rectify_desktop.core.evidence import file_date, guess_kind, keep_suffix, real_suffix, with_suffix_of

    assert [real_suffix(n) for n in ("a.PDF", "会议.docx", "2021.5.6会议", "版本1.2", ".bashrc", "x.tar.gz", "无")] == [
        ".PDF",
        ".docx",
        "",
        "",
        "",
        ".gz",
        "",
    ]
    assert keep_suffix("局党组第3次会议纪要", "会议纪要.docx") == "局党组第3次会议纪要.docx"
    assert keep_suffix("纪要.DOCX", "会议纪要.docx") == "纪要.DOCX"
    assert keep_suffix("  两个   空格 ", "无扩展名") == "两个 空格"
    assert with_suffix_of("党组会议记录（纸质）", "scan0001.pdf") == "党组会议记录（纸质）.pdf"
    assert with_suffix_of("方案（初稿）.docx", "方案（定稿）.pdf") == "方案（初稿）.pdf"
    assert [guess_kind(n) for n in ("IMG_0001.JPG", "党组会议纪要.pdf", "公务接待管理办法.docx", "通知.pdf")] == [
        "照片",
        "会议记录",
        "制度",
        "文件",
    ]
    assert file_date(Path("/没有这个文件"), dt.date(2021, 6, 30)) == dt.date(2021, 6, 30)


def test_file_date_is_the_modification_day(tmp_path: Path) -> None:
    import os

    from rectify_desktop.core.evidence import default_values, file_date

    f = write(tmp_path / "照片.png", b"png")
    t = dt.datetime(2021, 5, 6, 10, 0).timestamp()
    os.utime(f, (t, t))
    assert file_date(f) == dt.date(2021, 5, 6)
    assert default_values(f) == {"name": "照片.png", "kind": "照片", "date": dt.date(2021, 5, 6)}
    future = dt.datetime.now() + dt.timedelta(days=400)
    os.utime(f, (future.timestamp(), future.timestamp()))
    assert file_date(f) == dt.date.today()  # a clock that was wrong is not believed


def test_describe_error_speaks_chinese() -> None:
    import errno
    import sqlite3

    from peewee import OperationalError

    from rectify_desktop.core.evidence import describe_error

    assert "磁盘空间不足" in describe_error(sqlite3.OperationalError("database or disk is full"))
    assert "磁盘空间不足" in describe_error(OperationalError("database or disk is full"))
    assert "磁盘空间不足" in describe_error(OSError(errno.ENOSPC, "No space left on device"))
    assert "磁盘出错" in describe_error(sqlite3.OperationalError("disk I/O error"))
    assert "没有权限读取文件“a.pdf”" in describe_error(PermissionError(13, "denied", "/x/a.pdf"))


def test_replace_file_command_and_its_log(ledger: Ledger, item_id: int, tmp_path: Path) -> None:
    from rectify_desktop.core.evidence import ReplaceEvidenceFile

    ev = ledger.apply(AddEvidence(item_id, write(tmp_path / "方案.docx", b"draft")))[0].id
    cmd = ReplaceEvidenceFile(ev, write(tmp_path / "定稿.pdf", b"%PDF final"))
    assert cmd.text == "替换佐证材料文件"
    ledger.apply(cmd)
    row = Evidence.get_by_id(ev)
    sha_new = hashlib.sha256(b"%PDF final").hexdigest()
    assert (row.name, row.blob_sha256) == ("方案.pdf", sha_new)
    last = ChangeLog.select().order_by(ChangeLog.id.desc()).first()
    assert (last.field, last.summary) == ("文件", "替换佐证材料文件")
    assert last.old.startswith("方案.docx（SHA-256 ") and last.new.startswith(f"方案.pdf（SHA-256 {sha_new[:12]}")
    ledger.revert(cmd)
    assert Evidence.get_by_id(ev).name == "方案.docx"
    # A registered material without its file gets one: 附加.
    with db.atomic():
        bare = Evidence.create(item=item_id, name="会议记录（纸质）", blob=None).id
    cmd = ReplaceEvidenceFile(bare, write(tmp_path / "扫描.pdf", b"%PDF scan"))
    assert cmd.text == "附加佐证材料文件"
    ledger.apply(cmd)
    assert Evidence.get_by_id(bare).name == "会议记录（纸质）.pdf"
    assert ChangeLog.select().order_by(ChangeLog.id.desc()).first().old == "未附文件"


def test_assign_measure_logs_the_measure_by_its_words(ledger: Ledger, item_id: int, tmp_path: Path) -> None:
    from rectify_desktop.core.models import Measure

    ledger.apply(ops.add_measure(item_id, "召开专题会议"))
    m2 = ledger.apply(ops.add_measure(item_id, "修订制度"))[0].id
    ev = ledger.apply(AddEvidence(item_id, write(tmp_path / "a.pdf", b"a")))[0].id
    cmd = evidence.assign_measure(ev, m2)
    ledger.apply(cmd)
    assert Evidence.get_by_id(ev).measure_id == m2
    last = ChangeLog.select().order_by(ChangeLog.id.desc()).first()
    assert (last.field, last.old, last.new) == ("对应措施", "（不对应具体措施）", "二是：修订制度")
    ledger.revert(cmd)
    assert Evidence.get_by_id(ev).measure_id is None
    other_item = ledger.apply(ops.add_item(Item.get_by_id(item_id).finding_id, "另一项"))[0].id
    other = ledger.apply(ops.add_measure(other_item, "别的措施"))[0].id
    with pytest.raises(ValueError, match="只能对应本细化问题"):
        evidence.assign_measure(ev, other)
    assert Measure.select().count() == 3


def test_write_blob_leaves_no_half_file(ledger: Ledger, item_id: int, tmp_path: Path) -> None:
    data = random.Random(5).randbytes(2 * CHUNK_SIZE + 7)
    ledger.apply(AddEvidence(item_id, write(tmp_path / "扫描件.pdf", data)))
    sha = hashlib.sha256(data).hexdigest()
    out = tmp_path / "out"
    out.mkdir()
    seen = []

    def stop(done: int, total: int) -> None:
        seen.append((done, total))
        if len(seen) == 2:
            raise KeyboardInterrupt  # a cancel, or a disk that fills

    with pytest.raises(KeyboardInterrupt):
        evidence.write_blob(sha, out / "副本.pdf", stop)
    assert list(out.iterdir()) == []
    evidence.write_blob(sha, out / "副本.pdf")
    assert (out / "副本.pdf").read_bytes() == data and list(out.iterdir()) == [out / "副本.pdf"]


def test_export_name_finds_a_lost_extension(ledger: Ledger, item_id: int, tmp_path: Path) -> None:
    with db.atomic():
        pdf = evidence.store_bytes(b"%PDF-1.4 scan")
        png = evidence.store_bytes(b"\x89PNG\r\n\x1a\n....")
    assert evidence.export_name("整改报告", pdf) == "整改报告.pdf"
    assert evidence.export_name("现场 2021.5.6", png) == "现场 2021.5.6.png"
    assert evidence.export_name("照片.jpg", png) == "照片.jpg"  # the clerk's extension is kept
    assert evidence.export_name("  ", None) == "佐证材料"


def test_large_write_checkpoints_in_the_background(ledger: Ledger, item_id: int, tmp_path: Path) -> None:
    import os

    data = os.urandom(evidence.BIG_WRITE + 10)
    f = write(tmp_path / "扫描件.pdf", data)
    with evidence.deferred_checkpoint(len(data)):
        assert db.execute_sql("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
        ledger.apply(AddEvidence(item_id, f))
    assert db.execute_sql("PRAGMA wal_autocheckpoint").fetchone()[0] == 1000
    evidence.wait_checkpoints()
    # Everything was folded into the ledger file: the WAL holds no frame the file lacks.
    busy, log, done = db.execute_sql("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    assert busy == 0 and log == done
    assert evidence.rehash_blob(hashlib.sha256(data).hexdigest()) == hashlib.sha256(data).hexdigest()
    # A small write changes nothing.
    with evidence.deferred_checkpoint(10):
        assert db.execute_sql("PRAGMA wal_autocheckpoint").fetchone()[0] == 1000


def test_demo_evidence_files_are_whole_and_readable(demo_ledger: Ledger) -> None:
    import io
    import struct
    import zlib

    from openpyxl import load_workbook
    from pypdf import PdfReader

    rows = list(Evidence.select().order_by(Evidence.id))
    with_files = [e for e in rows if e.blob_sha256]
    assert len(with_files) == 7 and len(rows) - len(with_files) == 2
    assert {e.kind for e in rows} >= {"文件", "会议记录", "照片", "制度"}
    assert all(e.date for e in rows) and sum(1 for e in rows if e.doc_number) >= 3
    assert any(e.measure_id for e in rows)
    assert {Item.get_by_id(e.item_id).status for e in rows} == {"已完成"}
    assert verify_open_ledger() == []
    for e in with_files:
        data = b"".join(evidence.iter_blob(e.blob_sha256))
        suffix = evidence.real_suffix(e.name)
        if suffix == ".pdf":
            reader = PdfReader(io.BytesIO(data))
            assert len(reader.pages) == 1
            title = reader.metadata.title
            assert title and reader.pages[0].extract_text().startswith(title)  # Chinese text, readable
        elif suffix == ".png":
            assert data.startswith(b"\x89PNG\r\n\x1a\n")
            width, height = struct.unpack(">II", data[16:24])
            idat = data[data.index(b"IDAT") + 4 : data.index(b"IEND") - 8]
            assert len(zlib.decompress(idat)) == height * (3 * width + 1)
        else:
            ws = load_workbook(io.BytesIO(data)).active
            assert ws["A1"].value.startswith("临川县教育局公务接待清单")
