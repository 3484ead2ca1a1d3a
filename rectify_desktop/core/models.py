"""The ledger's tables (台账数据模型), as peewee models over one SQLite file.

The database is initialised late by :mod:`rectify_desktop.core.storage` (a file) or
:mod:`rectify_desktop.core.server` (a PostgreSQL server), so that one process opens whichever ledger the clerk
chooses: ``db`` is a proxy that both bind. Nothing here imports Qt.
"""

from __future__ import annotations

import datetime as dt

from peewee import (
    SQL,
    BlobField,
    BooleanField,
    CharField,
    DatabaseProxy,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    SqliteDatabase,
    TextField,
)

# autoconnect off: a query after the ledger was closed must fail, not silently reopen the file unlocked.
sqlite_db = SqliteDatabase(None, autoconnect=False)
# What every model is bound to: the file's database, or a server's when a server ledger is open.
db = DatabaseProxy()
db.initialize(sqlite_db)

# Status names are the words a notice prints; they are stored as such so that a ledger read with any
# SQLite tool speaks the clerk's language.
NOT_STARTED = "未启动"
IN_PROGRESS = "正在推进"
DONE = "已完成"
ONGOING = "长期坚持"
STATUSES: tuple[str, ...] = (NOT_STARTED, IN_PROGRESS, DONE, ONGOING)

INSPECTION_KINDS: tuple[str, ...] = ("巡察", "审计", "督查", "其他")
EVIDENCE_KINDS: tuple[str, ...] = ("文件", "会议记录", "照片", "制度", "其他")

# Write-off (销号) actions, in the order they usually happen.
WO_APPLY = "申请"
WO_APPROVE = "批准"
WO_REJECT = "退回"
# A mistaken 批准 withdrawn, with its reason: the item is no longer written off and may be edited again.
WO_REVOKE = "撤销销号"
WRITEOFF_ACTIONS: tuple[str, ...] = (WO_APPLY, WO_APPROVE, WO_REJECT, WO_REVOKE)


class SafeDateField(DateField):
    """A date that reads a value it cannot understand (text written by another tool) as blank: the value
    is listed to the clerk by core.integrity, and no view meets a string where it expects a date."""

    def python_value(self, value):  # noqa: ANN001, ANN201 - peewee's signature
        try:
            v = super().python_value(value)
        except (TypeError, ValueError):
            return None
        return v if isinstance(v, dt.date) else None


class SafeDateTimeField(DateTimeField):
    """A date and time, read as blank when it cannot be understood (see SafeDateField)."""

    def python_value(self, value):  # noqa: ANN001, ANN201 - peewee's signature
        try:
            v = super().python_value(value)
        except (TypeError, ValueError):
            return None
        return v if isinstance(v, dt.datetime) else None


class SafeIntegerField(IntegerField):
    """A number, read as 0 (or blank where blank is allowed) when the stored value is not a number."""

    def python_value(self, value):  # noqa: ANN001, ANN201 - peewee's signature
        try:
            return super().python_value(value)
        except (TypeError, ValueError):
            return None if self.null else 0


class SafeBigIntegerField(SafeIntegerField):
    """A number that may pass 2³¹ (a file's size in bytes, an amount in 元): the same INTEGER in a file, where
    every integer has 64 bits, and BIGINT on a server, where INTEGER stops at 2,147,483,647."""

    field_type = "BIGINT"


class BaseModel(Model):
    class Meta:
        database = db
        legacy_table_names = False


class VersionedModel(BaseModel):
    """A row the clerk edits, with its version (版本号): raised by one on every edit, so that an edit made on
    what someone else has changed since is recognised on a server ledger (commands.SetFields) rather than
    overwriting it. The default is in the table too, so that raw inserts (imports) need not name it."""

    row_version = IntegerField(default=1, constraints=[SQL("DEFAULT 1")])


class Inspection(VersionedModel):
    """An inspection round (巡察 / 审计 / 督查): who inspected whom, when, and the ledger's title."""

    kind = CharField(default="巡察")
    title = TextField(default="")
    inspecting_body = TextField(default="")
    inspected_unit = TextField(default="")
    period_start = SafeDateField(null=True)
    period_end = SafeDateField(null=True)
    feedback_date = SafeDateField(null=True)
    notes = TextField(default="")
    position = SafeIntegerField(default=0)


class Category(VersionedModel):
    """An aspect (方面) of the feedback; printed as （一）（二）… in its manual order."""

    inspection = ForeignKeyField(Inspection, backref="categories", on_delete="CASCADE")
    position = SafeIntegerField(default=0)
    title = TextField(default="")
    description = TextField(default="")


class Finding(VersionedModel):
    """A problem (问题) found by the inspection, numbered 1, 2, 3 … across the whole inspection."""

    inspection = ForeignKeyField(Inspection, backref="findings", on_delete="CASCADE")
    category = ForeignKeyField(Category, backref="findings", on_delete="CASCADE")
    number = SafeIntegerField()
    position = SafeIntegerField(default=0)
    title = TextField(default="")
    description = TextField(default="")

    class Meta:
        indexes = ((("inspection", "number"), True),)


class Item(VersionedModel):
    """A refined problem (细化问题): the unit that is rectified, counted and written off."""

    finding = ForeignKeyField(Finding, backref="items", on_delete="CASCADE")
    number = SafeIntegerField()
    position = SafeIntegerField(default=0)
    title = TextField(default="")
    description = TextField(default="")
    leader = TextField(default="")
    department = TextField(default="")
    person = TextField(default="")
    # A deadline is a date, a phrase (立行立改, 2021年6月底前, 长期坚持), or both when the phrase
    # names a day; the phrase is what the clerk wrote and is printed as written.
    deadline_date = SafeDateField(null=True)
    deadline_text = TextField(default="")
    status = CharField(default=NOT_STARTED)
    completed_date = SafeDateField(null=True)
    progress = TextField(default="")
    remarks = TextField(default="")


class Measure(VersionedModel):
    """A rectification measure (整改措施) of an item, written "一是……二是……" in its order."""

    item = ForeignKeyField(Item, backref="measures", on_delete="CASCADE")
    position = SafeIntegerField(default=0)
    text = TextField(default="")
    done = BooleanField(default=False)
    done_date = SafeDateField(null=True)


class Blob(BaseModel):
    """The bytes of one evidence file, stored once per SHA-256 however many records use them."""

    sha256 = CharField(primary_key=True, max_length=64)
    size = SafeBigIntegerField()


class BlobChunk(BaseModel):
    """A piece of a blob; files are kept in chunks so that a large scan never sits in memory whole."""

    blob = ForeignKeyField(Blob, backref="chunks", on_delete="CASCADE", column_name="blob_sha256")
    seq = SafeIntegerField()
    data = BlobField()

    class Meta:
        indexes = ((("blob", "seq"), True),)


class Evidence(VersionedModel):
    """Supporting material (佐证材料) of an item, or of one of its measures."""

    item = ForeignKeyField(Item, backref="evidence", on_delete="CASCADE")
    measure = ForeignKeyField(Measure, backref="evidence", null=True, on_delete="SET NULL")
    # No blob: the material is registered (an imported ledger names it) but its file is not attached yet.
    blob = ForeignKeyField(Blob, backref="uses", null=True, on_delete="RESTRICT", column_name="blob_sha256")
    position = SafeIntegerField(default=0)
    name = TextField(default="")
    kind = CharField(default="文件")
    date = SafeDateField(null=True)
    doc_number = TextField(default="")
    note = TextField(default="")
    added_at = SafeDateTimeField(default=dt.datetime.now)


class WriteOff(VersionedModel):
    """One step of an item's write-off (销号): an application, an approval or a rejection."""

    item = ForeignKeyField(Item, backref="writeoffs", on_delete="CASCADE")
    action = CharField()
    who = TextField(default="")
    date = SafeDateField(null=True)
    opinion = TextField(default="")
    created_at = SafeDateTimeField(default=dt.datetime.now)


class Institution(VersionedModel):
    """A rule made or revised during rectification (制度建设)."""

    inspection = ForeignKeyField(Inspection, backref="institutions", on_delete="CASCADE")
    position = SafeIntegerField(default=0)
    title = TextField(default="")
    doc_number = TextField(default="")
    date = SafeDateField(null=True)
    note = TextField(default="")


class InstitutionItem(BaseModel):
    """Which items a rule answers."""

    institution = ForeignKeyField(Institution, backref="links", on_delete="CASCADE")
    item = ForeignKeyField(Item, backref="institution_links", on_delete="CASCADE")

    class Meta:
        indexes = ((("institution", "item"), True),)


class Meeting(VersionedModel):
    """A meeting held for the rectification (会议: 专题会议, 推进会 …)."""

    inspection = ForeignKeyField(Inspection, backref="meetings", on_delete="CASCADE")
    position = SafeIntegerField(default=0)
    kind = TextField(default="专题会议")
    date = SafeDateField(null=True)
    topic = TextField(default="")
    note = TextField(default="")


class MeetingItem(BaseModel):
    """Which items a meeting discussed."""

    meeting = ForeignKeyField(Meeting, backref="links", on_delete="CASCADE")
    item = ForeignKeyField(Item, backref="meeting_links", on_delete="CASCADE")

    class Meta:
        indexes = ((("meeting", "item"), True),)


# 问责 kinds, in the order a notice names them.
ACCOUNTABILITY_KINDS: tuple[str, ...] = (
    "党纪政务处分",
    "组织处理",
    "诫勉",
    "交由纪委调查",
    "批评帮助",
    "责令检查",
    "批评教育",
    "提醒谈话",
)
# Money kinds (资金), in the order a notice names them.
MONEY_KINDS: tuple[str, ...] = ("追缴", "清退", "追回", "挽回经济损失", "归还原资金渠道", "整改到位资金", "未整改资金")
# An audit-style item's own two amounts (问题金额, 整改到位金额): kept as money entries of the item, but not
# results the rectification produced, so they are summed apart and never enter the notice's money sentence.
AUDIT_AMOUNT_KINDS: tuple[str, ...] = ("问题金额", "整改到位金额")


class Accountability(VersionedModel):
    """A 问责 entry: people held accountable, of one kind, for an item or for the whole inspection.

    `item` is blank for what belongs to no item (a 民主生活会 of the whole unit); `inspection` is always set,
    so an inspection's figures are one query. Names are kept for the clerk and never printed in a notice."""

    inspection = ForeignKeyField(Inspection, backref="accountability", on_delete="CASCADE")
    item = ForeignKeyField(Item, backref="accountability", null=True, on_delete="CASCADE")
    position = SafeIntegerField(default=0)
    kind = CharField(default="批评教育")
    people = SafeIntegerField(default=1)
    names = TextField(default="")
    date = SafeDateField(null=True)
    note = TextField(default="")


class MoneyEntry(VersionedModel):
    """A money entry (资金): an amount of one kind, for an item or for the whole inspection.

    `amount` is an integer in 元 (0.0001 万元), so sums are exact: a float would make 0.1 + 0.2 万元 a
    different figure in the notice than in the ledger. results.amount_of gives it back in 万元 as a Decimal."""

    inspection = ForeignKeyField(Inspection, backref="money", on_delete="CASCADE")
    item = ForeignKeyField(Item, backref="money", null=True, on_delete="CASCADE")
    position = SafeIntegerField(default=0)
    kind = CharField(default="追缴")
    amount = SafeBigIntegerField(default=0)
    date = SafeDateField(null=True)
    note = TextField(default="")


class FillOutRound(VersionedModel):
    """A fill-out round (填报轮次): the workbooks sent to the departments (or leaders, persons) for their
    progress. `token` is written into every workbook of the round, so that a returned one is tied to it and to
    this ledger whatever its name; `groups` (JSON list) names who was sent one, so that a report can say who
    did not answer."""

    inspection = ForeignKeyField(Inspection, backref="fill_out_rounds", on_delete="CASCADE")
    sent_at = SafeDateTimeField(default=dt.datetime.now)
    by = CharField(default="department")  # department, leader or person
    token = CharField(default="")
    groups = TextField(default="[]")
    note = TextField(default="")


class FillOutReturn(BaseModel):
    """A returned workbook merged back (回收): which group answered a round, from which file, and when;
    the file's SHA-256 recognises the same file returned twice."""

    round = ForeignKeyField(FillOutRound, backref="returns", on_delete="CASCADE")
    group = TextField(default="")
    file_name = TextField(default="")
    file_sha256 = CharField(default="")
    merged_at = SafeDateTimeField(default=dt.datetime.now)
    changes = SafeIntegerField(default=0)


class ProgressReport(BaseModel):
    """A progress report made (进展报告), with the figures as they stood at its date (截至), remembered so
    that the next report compares with it (较上期)."""

    inspection = ForeignKeyField(Inspection, backref="progress_reports", on_delete="CASCADE")
    as_of = SafeDateField()
    made_at = SafeDateTimeField(default=dt.datetime.now)
    file_name = TextField(default="")
    figures = TextField(default="{}")  # JSON


class ChangeLog(BaseModel):
    """The change log (修改记录): every change made through the ledger's one door, with who and when."""

    at = SafeDateTimeField(default=dt.datetime.now)
    user = TextField(default="")
    batch = SafeIntegerField(default=0)
    action = CharField()
    entity = CharField()
    entity_id = SafeIntegerField(null=True)
    field = CharField(default="")
    old = TextField(null=True)
    new = TextField(null=True)
    summary = TextField(default="")
    # The item (细化问题) the row is about, for the item's own rows and those of its measures, evidence,
    # write-offs and register links: the item's history finds them after the child is deleted. No foreign
    # key: the log outlives what it speaks of. Blank in rows written before schema version 3 that could not
    # be traced to an item.
    item_id = SafeIntegerField(null=True)

    class Meta:
        # A node's history and a date range are read from logs of a million rows: both need an index.
        # The next batch is MAX(batch) + 1 at every edit: an index makes it one look, however long the log.
        indexes = ((("entity", "entity_id"), False), (("at",), False), (("item_id",), False), (("batch",), False))


class Setting(BaseModel):
    """Ledger-wide settings kept inside the file (unit name, 填报人 …), as key and value."""

    key = CharField(primary_key=True)
    value = TextField(default="")


# The tables whose rows carry a version.
VERSIONED: tuple[type[VersionedModel], ...] = (
    Inspection,
    Category,
    Finding,
    Item,
    Measure,
    Evidence,
    WriteOff,
    Institution,
    Meeting,
    Accountability,
    MoneyEntry,
    FillOutRound,
)

ALL_MODELS: tuple[type[BaseModel], ...] = (
    Inspection,
    Category,
    Finding,
    Item,
    Measure,
    Blob,
    BlobChunk,
    Evidence,
    WriteOff,
    Institution,
    InstitutionItem,
    Meeting,
    MeetingItem,
    ChangeLog,
    Setting,
    Accountability,
    MoneyEntry,
    FillOutRound,
    FillOutReturn,
    ProgressReport,
)

# The tree's structure: each kind of node and its parent's foreign key.
PARENT_FIELD: dict[type[BaseModel], str] = {
    Category: "inspection",
    Finding: "category",
    Item: "finding",
    Measure: "item",
    Evidence: "item",
    Institution: "inspection",
    Meeting: "inspection",
}
