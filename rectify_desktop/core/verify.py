"""Checks that a ledger file is whole (校验): SQLite's own checks, then the ledger's rules and file hashes."""

from __future__ import annotations

import sqlite3

from peewee import DatabaseError, fn

from rectify_desktop.core import evidence, integrity, storage
from rectify_desktop.core.models import STATUSES, Blob, BlobChunk, Finding, Item, db


def verify_open_ledger() -> list[str]:
    """Problems found in the ledger the database is connected to, in Chinese; empty when it is whole."""
    problems: list[str] = []
    try:
        result = [r[0] for r in db.execute_sql("PRAGMA integrity_check").fetchall()]
    except (sqlite3.DatabaseError, DatabaseError) as exc:  # a damaged page can stop the check itself
        return [f"SQLite 完整性检查：{exc}"]
    if result != ["ok"]:
        problems += [f"SQLite 完整性检查：{r}" for r in result[:20]]
        return problems  # the rest reads the tables and would only repeat the damage
    problems += [f"数据库结构：{p}" for p in storage.schema_problems(db)]
    problems += [f"数据类型：{p}" for p in integrity.value_problems()]
    for table, rowid, parent, _ in db.execute_sql("PRAGMA foreign_key_check").fetchall()[:20]:
        problems.append(f"外键错误：表 {table} 第 {rowid} 行引用的 {parent} 不存在")
    dup = (
        Finding.select(Finding.inspection, Finding.number, fn.COUNT(Finding.id))
        .group_by(Finding.inspection, Finding.number)
        .having(fn.COUNT(Finding.id) > 1)
        .tuples()
    )
    for insp, number, n in dup:
        problems.append(f"巡察 {insp} 中问题序号 {number} 重复 {n} 次")
    for item_id, status in Item.select(Item.id, Item.status).where(Item.status.not_in(STATUSES)).tuples():
        problems.append(f"细化问题 {item_id} 的完成情况“{status}”不是有效状态")
    sizes = dict(BlobChunk.select(BlobChunk.blob, fn.SUM(fn.LENGTH(BlobChunk.data))).group_by(BlobChunk.blob).tuples())
    for sha, size in Blob.select(Blob.sha256, Blob.size).tuples():
        if (sizes.get(sha) or 0) != size:
            problems.append(f"佐证文件 {sha[:12]}… 大小不符：应为 {size} 字节，实为 {sizes.get(sha) or 0} 字节")
        elif evidence.rehash_blob(sha) != sha:
            problems.append(f"佐证文件 {sha[:12]}… 内容与其 SHA-256 不符")
    return problems
