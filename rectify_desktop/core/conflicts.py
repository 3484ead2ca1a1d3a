"""Edits that meet someone else's (修改冲突), on a ledger that several people keep at once on a server.

Every row the clerk edits carries a version (models.VersionedModel.row_version), raised by each edit. An edit
remembers what its editor saw (the row's version and the fields' values then, its *base*); when the row's
version has moved on since, each field of the edit is compared: a field nobody else touched is written (the
edit merges), a field someone else changed to another value refuses the whole edit with a ConflictError that
holds, per field, the base, the clerk's value and theirs, so that the window can ask which to keep. Undo is
checked the same way: it takes back only what the clerk's own edit wrote and says so when someone changed
the same field since. On a one-file ledger nobody else writes, so none of this ever fires there.
"""

from __future__ import annotations

from typing import Any

from rectify_desktop.core.models import BaseModel, ChangeLog
from rectify_desktop.core.storage import LedgerError

# A field's values in a conflict: (base: what the clerk saw, mine: what the clerk wrote, theirs: what is there).
Clash = tuple[Any, Any, Any]


class ConflictError(LedgerError):
    """An edit refused because someone else changed the same field (or deleted the row) since it was seen;
    nothing was written. `fields` maps each clashing field to (base, mine, theirs)."""

    def __init__(
        self,
        message: str,
        model: type[BaseModel],
        row_id: int,
        fields: dict[str, Clash] | None = None,
        who: str = "",
        *,
        gone: bool = False,
        values: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.model = model
        self.row_id = row_id
        self.fields: dict[str, Clash] = dict(fields or {})
        self.who = who
        self.gone = gone
        # The whole edit as the clerk made it, for "keep mine" and "merge by field".
        self.values: dict[str, Any] = dict(values or {})


class UndoConflictError(ConflictError):
    """An undo refused because someone else changed, since the clerk's edit, a field the undo would put back."""


def value_of(row: BaseModel, name: str) -> Any:
    """A field's stored value, a foreign key as its id (what SetFields writes and compares)."""
    f = type(row)._meta.fields[name]
    return getattr(row, f.object_id_name if f in type(row)._meta.refs else name)


def base_of(seen: BaseModel | dict[str, Any] | None, names: list[str]) -> tuple[dict[str, Any] | None, int | None]:
    """(base values of `names`, base version) from what an editor saw: a row as it loaded it, or a dict of
    field values (with "row_version" when known)."""
    if seen is None:
        return None, None
    if isinstance(seen, BaseModel):
        return {n: value_of(seen, n) for n in names}, getattr(seen, "row_version", None)
    return {n: seen[n] for n in names if n in seen}, seen.get("row_version")


def clashes(
    row: BaseModel, values: dict[str, Any], base: dict[str, Any] | None, base_version: int | None
) -> dict[str, Clash]:
    """The fields of an edit that someone else changed since its base, to something else than the edit's."""
    if base is None:
        return {}
    if base_version is not None and getattr(row, "row_version", None) == base_version:
        return {}  # nobody wrote the row since: the quick case, every edit of a one-file ledger
    out: dict[str, Clash] = {}
    for name, mine in values.items():
        theirs = value_of(row, name)
        if name not in base:
            if base_version is not None and theirs != mine:
                out[name] = (None, mine, theirs)  # the base of this field is unknown: the clerk decides
            continue
        if theirs != base[name] and theirs != mine:
            out[name] = (base[name], mine, theirs)
    return out


def last_writer(entity: str, row_id: int, me: str = "", fields: list[str] | None = None) -> str:
    """Who last changed the row (of its `fields`, named as the change log names them, when given) according to
    the change log, when it was someone other than `me`."""
    where = (ChangeLog.entity == entity) & (ChangeLog.entity_id == row_id)
    if fields:
        where &= ChangeLog.field.in_(fields)
    row = ChangeLog.select(ChangeLog.user).where(where).order_by(ChangeLog.id.desc()).first()
    return row.user if row is not None and row.user != me else ""


def me() -> str:
    """Who this window writes as: the open ledger's user (on a server, with the login and the machine)."""
    from rectify_desktop.core.ledger import Ledger, current_user

    current = Ledger._current
    return current.user if current is not None and not current.closed else current_user()


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    text = str(value)
    return f"“{text[:30]}…”" if len(text) > 30 else f"“{text}”"


def conflict_message(label: str, field_names: dict[str, str], fields: dict[str, Clash], who: str) -> str:
    """ "该细化问题的“整改进展”已被 张三 改为“…”（您改为“…”），您的修改未保存。" """
    by = f"已被 {who} " if who else "已被他人"
    parts = [f"“{field_names.get(n, n)}”{by}改为{_shown(t)}（您改为{_shown(m)}）" for n, (_b, m, t) in fields.items()]
    return f"{label}的" + "；".join(parts) + "。您的修改未保存，请选择保留哪一方的内容。"


def undo_message(label: str, field_names: dict[str, str], fields: dict[str, Clash], who: str) -> str:
    by = f"已被 {who} " if who else "已被他人"
    parts = [f"“{field_names.get(n, n)}”{by}改为{_shown(t)}" for n, (_b, _m, t) in fields.items()]
    return (
        f"撤销未执行：{label}的" + "；".join(parts) + "，在您的修改之后。撤销只撤回您自己的修改，不会覆盖他人的修改。"
    )
