"""The ledger's own settings (台账设置), kept inside the file so they travel with it.

Unit name, 填报人, 审核人 and 负责人 (signed under the exported ledger), the default responsible leader,
what "due soon" means, the period 立行立改 allows and the size limit for evidence files. Machine-specific
choices (the backup folder) stay in the window's settings instead. Changes go through the one door like any
edit, so they are logged and undoable.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from rectify_desktop.core.commands import Change, Command, LogEntry
from rectify_desktop.core.models import Setting


@dataclass(frozen=True)
class SettingSpec:
    key: str
    label: str
    default: str
    kind: str = "text"  # text or int
    minimum: int = 0
    maximum: int = 100000


SPECS: tuple[SettingSpec, ...] = (
    SettingSpec("unit_name", "填报单位", ""),
    SettingSpec("reporter", "填报人", ""),
    SettingSpec("contact_person", "联系人", ""),
    SettingSpec("contact_phone", "联系电话", ""),
    SettingSpec("reviewer", "审核人", ""),
    SettingSpec("principal", "负责人", ""),
    SettingSpec("report_to", "报告报送单位", ""),
    SettingSpec("default_leader", "默认责任领导", ""),
    SettingSpec("due_soon_days", "“即将到期”提前天数", "7", "int", 1, 365),
    SettingSpec("immediate_days", "“立行立改”整改期限（天）", "30", "int", 1, 365),
    SettingSpec("evidence_max_mb", "单个佐证文件大小上限（MB）", "500", "int", 1, 4096),
)
# Kept by the program itself, not shown in 设置: the ledger's identity (台账标识, a uuid4 made the first time
# a fill-out round needs it), written into every 填报表 so that a returned workbook is known to be this ledger's.
INTERNAL: tuple[SettingSpec, ...] = (SettingSpec("ledger_id", "台账标识", ""),)
SPEC = {s.key: s for s in SPECS + INTERNAL}


def get(key: str) -> str:
    row = Setting.get_or_none(Setting.key == key)
    return row.value if row is not None else SPEC[key].default


def ledger_id() -> tuple[str, Command | None]:
    """The ledger's identity (台账标识), and the command that stores it when the ledger has none yet (None when
    it has one). The caller applies the command with whatever first needs the identity, so that it is undone
    with it."""
    current = get("ledger_id").strip()
    if current:
        return current, None
    new = str(uuid.uuid4())
    return new, SetSettings({"ledger_id": new})


def get_int(key: str) -> int:
    spec = SPEC[key]
    try:
        value = int(get(key))
    except ValueError:
        value = int(spec.default)
    return min(max(value, spec.minimum), spec.maximum)


def validate(values: dict[str, str]) -> list[str]:
    """Problems with the values, in Chinese; empty when they can be saved."""
    problems = []
    for key, value in values.items():
        spec = SPEC.get(key)
        if spec is None:
            problems.append(f"未知的设置项：{key}")
        elif spec.kind == "int":
            try:
                n = int(value)
            except ValueError:
                problems.append(f"{spec.label}应为整数")
                continue
            if not spec.minimum <= n <= spec.maximum:
                problems.append(f"{spec.label}应在 {spec.minimum} 到 {spec.maximum} 之间")
    return problems


class SetSettings(Command):
    """Sets several ledger settings at once; undo restores what was there (or removes what was not)."""

    def __init__(self, values: dict[str, str]) -> None:
        problems = validate(values)
        if problems:
            raise ValueError("；".join(problems))
        self.values = {k: str(v) for k, v in values.items()}
        self.old: dict[str, str | None] = {}
        self.text = "修改台账设置"

    def _write(self, values: dict[str, str | None]) -> list[Change]:
        for key, value in values.items():
            if value is None:
                Setting.delete().where(Setting.key == key).execute()
            else:
                # An upsert both back ends speak (PostgreSQL has no INSERT OR REPLACE).
                Setting.insert(key=key, value=value).on_conflict(
                    conflict_target=[Setting.key], update={Setting.value: value}
                ).execute()
        return [Change("update", Setting, 0, fields=tuple(values))]

    def do(self) -> list[Change]:
        rows = {r.key: r.value for r in Setting.select().where(Setting.key.in_(list(self.values)))}
        self.old = {k: rows.get(k) for k in self.values}
        return self._write(dict(self.values))

    def undo(self) -> list[Change]:
        return self._write(self.old)

    def log(self) -> list[LogEntry]:
        return [
            LogEntry("修改", "设置", None, SPEC[k].label, self.old.get(k), v, self.text)
            for k, v in self.values.items()
            if self.old.get(k, SPEC[k].default) != v
        ]
