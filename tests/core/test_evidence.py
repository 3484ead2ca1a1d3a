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
