"""Checks that a ledger file is whole (校验): SQLite's own checks, then the ledger's rules and file hashes."""

from __future__ import annotations

import sqlite3

from peewee import DatabaseError, fn

from rectify_desktop.core import evidence, integrity, server, storage
from rectify_desktop.core.models import (
    ACCOUNTABILITY_KINDS,
    AUDIT_AMOUNT_KINDS,
    MONEY_KINDS,
    STATUSES,
    Accountability,
    Blob,
    BlobChunk,
    Finding,
    Item,
    MoneyEntry,
    db,
)


def verify_open_ledger() -> list[str]:
    """Problems found in the ledger the database is connected to, in Chinese; empty when it is whole."""
    problems: list[str] = []
    if server.active():
        # The server keeps its own pages whole and enforces types and references: what is left to check is that
        # its tables are the program's and the ledger's own rules.
        problems += [f"数据库结构：{p}" for p in server.schema_problems()]
        return problems + rules_problems()
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
    return problems + rules_problems()


def rules_problems() -> list[str]:
    """What the ledger's rules forbid and the database cannot know: repeated numbers, unknown statuses, invalid
    results, evidence whose bytes are not what their hash says."""
    problems: list[str] = []
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
    problems += results_problems()
    sizes = dict(BlobChunk.select(BlobChunk.blob, fn.SUM(fn.LENGTH(BlobChunk.data))).group_by(BlobChunk.blob).tuples())
    for sha, size in Blob.select(Blob.sha256, Blob.size).tuples():
        if (sizes.get(sha) or 0) != size:
            problems.append(f"佐证文件 {sha[:12]}… 大小不符：应为 {size} 字节，实为 {sizes.get(sha) or 0} 字节")
        elif evidence.rehash_blob(sha) != sha:
            problems.append(f"佐证文件 {sha[:12]}… 内容与其 SHA-256 不符")
    return problems


def results_problems() -> list[str]:
    """整改成效 entries the program would not have written: an unknown kind, no people, a negative amount, an
    entry whose item lies in another inspection (it would be counted in the wrong one)."""
    out: list[str] = []
    bad_acc = Accountability.select(Accountability.id, Accountability.kind, Accountability.people).where(
        Accountability.kind.not_in(ACCOUNTABILITY_KINDS) | (Accountability.people < 1)
    )
    for rid, kind, people in bad_acc.limit(20).tuples():
        out.append(f"问责记录 {rid} 无效：类型“{kind}”，人数 {people}（类型须在规定之列，人数须不小于1）")
    bad_money = MoneyEntry.select(MoneyEntry.id, MoneyEntry.kind, MoneyEntry.amount).where(
        MoneyEntry.kind.not_in(MONEY_KINDS + AUDIT_AMOUNT_KINDS) | (MoneyEntry.amount < 0)
    )
    for rid, kind, amount in bad_money.limit(20).tuples():
        out.append(f"资金记录 {rid} 无效：类型“{kind}”，金额 {amount} 元（类型须在规定之列，金额不能为负）")
    for model, name in ((Accountability, "问责"), (MoneyEntry, "资金")):
        stray = (
            model.select(model.id)
            .join(Item, on=(model.item == Item.id))
            .join(Finding, on=(Item.finding == Finding.id))
            .where(Finding.inspection != model.inspection)
        )
        for (rid,) in stray.limit(20).tuples():
            out.append(f"{name}记录 {rid} 所属的细化问题不在其所属的巡察中")
    return out
