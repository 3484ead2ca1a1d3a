"""Values of the wrong type (类型不符的数据) in a ledger: found on opening and by verify, read as blank.

A ledger edited with another SQLite tool can hold text where a date belongs ('2021年5月6日' in 反馈日期) or
letters in a number. The models read such a value as blank instead of failing; this module lists them, so
that the clerk is told which cell was not understood, once, instead of meeting a traceback later.
"""

from __future__ import annotations

from peewee import BooleanField, DateField, DateTimeField, ForeignKeyField, IntegerField, SqliteDatabase

from rectify_desktop.core.models import ALL_MODELS, db

_LIMIT = 20  # more than this many is listed as a count: the clerk needs to know, not to read them all

# SQL that is true for a stored value the field cannot read, by kind of field.
_DATE_BAD = "({c} IS NOT NULL AND (typeof({c}) != 'text' OR date({c}) IS NULL))"
_INT_BAD = "({c} IS NOT NULL AND typeof({c}) != 'integer')"

_TABLE_NAMES = {
    "inspection": "巡察",
    "category": "方面",
    "finding": "问题",
    "item": "细化问题",
    "measure": "整改措施",
    "evidence": "佐证材料",
    "write_off": "销号记录",
    "institution": "制度",
    "meeting": "会议",
    "change_log": "修改记录",
    "accountability": "问责",
    "money_entry": "资金",
    "fill_out_round": "填报轮次",
    "fill_out_return": "填报回收",
    "progress_report": "进展报告",
}

_COLUMN_NAMES = {
    "feedback_date": "反馈日期",
    "period_start": "巡察开始日期",
    "period_end": "巡察结束日期",
    "deadline_date": "整改时限",
    "completed_date": "完成时间",
    "done_date": "完成日期",
    "date": "日期",
    "added_at": "添加时间",
    "created_at": "记录时间",
    "at": "修改时间",
    "position": "排列顺序",
    "number": "序号",
    "done": "是否完成",
    "size": "文件大小",
    "seq": "分块序号",
    "batch": "批次",
    "people": "人数",
    "amount": "金额",
}


def _columns() -> list[tuple[str, str, str, str]]:
    """(table, column, kind, test SQL) of every typed column."""
    out = []
    for model in ALL_MODELS:
        for f in model._meta.sorted_fields:
            if isinstance(f, (DateField, DateTimeField)):
                kind, test = "日期", _DATE_BAD
            elif isinstance(f, (IntegerField, BooleanField)) and not isinstance(f, ForeignKeyField):
                if f.primary_key:
                    continue
                kind, test = "数字", _INT_BAD
            else:
                continue
            col = f'"{f.column_name}"'
            out.append((model._meta.table_name, f.column_name, kind, test.format(c=col)))
    return out


def _bad_counts() -> dict[tuple[str, str], int]:
    """How many unreadable values each column holds: one scan per table, however many columns it has."""
    by_table: dict[str, list[tuple[str, str]]] = {}
    for table, column, _kind, test in _columns():
        by_table.setdefault(table, []).append((column, test))
    counts: dict[tuple[str, str], int] = {}
    for table, cols in by_table.items():
        sums = ", ".join(f"coalesce(sum({test}), 0)" for _, test in cols)
        row = db.execute_sql(f'SELECT {sums} FROM "{table}"').fetchone()
        for (column, _), n in zip(cols, row, strict=True):
            if n:
                counts[(table, column)] = int(n)
    return counts


def _any_type_stored() -> bool:
    """Whether the database stores a value of any type in any column, as SQLite does. A server (PostgreSQL)
    refuses a value its column's type cannot hold, so that there is nothing to look for there (and typeof,
    SQLite's own function, is not known)."""
    return isinstance(db.obj, SqliteDatabase)


def value_problems() -> list[str]:
    """Every stored value a field cannot read, in Chinese ('…无法识别，按空白处理'); empty when none."""
    if not _any_type_stored():
        return []
    counts = _bad_counts()
    if not counts:
        return []
    problems: list[str] = []
    for table, column, kind, test in _columns():
        if (table, column) not in counts:
            continue
        rows = db.execute_sql(f'SELECT rowid, "{column}" FROM "{table}" WHERE {test} LIMIT {_LIMIT}').fetchall()
        name = _TABLE_NAMES.get(table, table)
        for rowid, value in rows:
            if len(problems) < _LIMIT:
                shown = str(value)[:40]
                problems.append(
                    f"{name}第 {rowid} 条的“{_COLUMN_NAMES.get(column, column)}”应为{kind}，其值“{shown}”无法识别，"
                    f"按空白处理（表 {table}，列 {column}）"
                )
    total = sum(counts.values())
    if total > len(problems):
        problems.append(f"……共 {total} 处类型不符的数据无法识别，按空白处理")
    return problems
