"""Amount columns of a clerk's ledger (金额列): 问题金额 / 整改到位金额 / 追缴 / 追回 / 清退 … read into the items'
own money entries (core.importing.ImportedMoney), exact in 万元.

Part of the Excel import (xlsx_header finds the columns, xlsx_rows reads them per item). The header names the
kind and the unit: 问题金额（万元）, 涉及金额, 整改金额 / 整改到位金额(万元), 追缴金额（元）…

Decisions, and why:
- 问题金额, 涉及金额, 问题资金 → 问题金额 and 整改金额, 整改到位金额/资金, 已整改金额 → 整改到位金额: a sheet with such
  columns is an audit-style ledger, and these are the item's own pair (models.AUDIT_AMOUNT_KINDS), kept out of
  the notice's money sentence; 追缴, 清退, 追回, 挽回(经济)损失, 归还原(资金)渠道, 未整改 → their MONEY_KINDS.
- A header in 元 is converted to 万元 exactly (÷10000); an amount with 角 or 分 cannot be stored (the ledger
  keeps whole 元) and is refused with a hint. 亿元 is ×10000. A header with no unit is read as 万元, the unit
  of every notice and of the ledger, and said once in the hints so that the clerk checks it.
- A header that names an amount but not its kind (金额, 金额（元）) is not guessed: its cells go to 备注 as any
  unknown column's do, with a hint that says why.
- A bad cell (not a number, negative, more than 4 decimals in 万元) is a hint for its row and column; the row's
  other fields are imported. A blank, 0, 无, —, / adds nothing.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

from rectify_desktop.core import results

# Header words → kind, the first that the header contains wins (longer and more specific words first).
AMOUNT_WORDS: tuple[tuple[str, str], ...] = (
    ("未整改", "未整改资金"),
    ("整改到位", "整改到位金额"),
    ("已整改", "整改到位金额"),
    ("整改金额", "整改到位金额"),
    ("整改资金", "整改到位金额"),
    ("归还原资金渠道", "归还原资金渠道"),
    ("归还原渠道", "归还原资金渠道"),
    ("挽回经济损失", "挽回经济损失"),
    ("挽回损失", "挽回经济损失"),
    ("追缴", "追缴"),
    ("清退", "清退"),
    ("追回", "追回"),
    ("问题金额", "问题金额"),
    ("问题资金", "问题金额"),
    ("涉及金额", "问题金额"),
    ("涉及资金", "问题金额"),
    ("违规金额", "问题金额"),
    ("违规资金", "问题金额"),
)
_MONEY_HEADER = re.compile(r"金额|资金|损失|款项")
_UNITS = (("亿元", "亿元"), ("万元", "万元"), ("元", "元"))
# Cells that say "no amount": nothing is added and nothing is said.
_NONE = {"", "无", "—", "-", "－", "——", "/", "／", "0", "不涉及", "未涉及"}


def amount_header(value: Any) -> tuple[str, str] | None:
    """(kind, unit) of a header cell that names an amount column, or None; kind is "" when the header names
    an amount but not which (金额（元）), unit "" when it names none."""
    if not isinstance(value, str) or len(value) > 30:
        return None
    text = re.sub(r"[\s*★※:：]", "", unicodedata.normalize("NFKC", value))
    if not _MONEY_HEADER.search(text):
        return None
    unit = next((u for word, u in _UNITS if word in text), "")
    bare = re.sub(r"\(.*?\)|\[.*?\]|【.*?】", "", text).replace("万元", "").replace("亿元", "")
    kind = next((k for word, k in AMOUNT_WORDS if word in bare), "")
    if not kind and bare not in ("金额", "资金", "金额数", "涉及", "款项"):
        return None  # 资金使用情况, 专项资金名称 …: words about money, not an amount column
    return kind, unit


def read_amount(value: Any, unit: str) -> Decimal | None:
    """The amount in 万元 of a cell of a column in `unit` (万元 when ""), None when it holds none.

    Raises ValueError with the reason (Chinese) when the cell is not an amount the ledger can keep."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float):
        # Excel keeps 15 significant digits: "0.30000000000000004" is 0.3 typed or summed by a formula.
        d = Decimal(format(value, ".15g"))
    elif isinstance(value, int):
        d = Decimal(value)
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip().replace(" ", "")
        if text in _NONE:
            return None
        for word, said in _UNITS:
            if text.endswith(word):
                if unit and said != unit:
                    raise ValueError(f"的单位“{said}”与列名的单位“{unit}”不一致")
                unit = said
                text = text[: -len(word)]
                break
        if text.startswith("-") and re.fullmatch(r"-[\d,.]+", text):
            raise ValueError("为负数，金额不能为负")
        if re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", text):
            text = text.replace(",", "")
        if not re.fullmatch(r"\d+(\.\d+)?|\.\d+", text):
            raise ValueError("不是数字")
        try:
            d = Decimal(text)
        except InvalidOperation as exc:  # the pattern lets only digits through
            raise ValueError("不是数字") from exc
    if not d.is_finite():
        raise ValueError("不是数字")
    if d < 0:
        raise ValueError("为负数，金额不能为负")
    if d == 0:
        return None
    if unit == "元":
        if d != d.to_integral_value():
            raise ValueError("有角、分：台账金额最小到1元（0.0001万元）")
        d = d / results.UNITS_PER_WAN
    elif unit == "亿元":
        d = d * results.UNITS_PER_WAN
    if d != d.quantize(Decimal("0.0001")):
        raise ValueError("超过4位小数：金额以万元计，最多精确到4位小数（即1元）")
    return d
