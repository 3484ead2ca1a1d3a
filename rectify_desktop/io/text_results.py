"""整改成效 a notice states for the whole inspection, read from its free text (前言, 组织情况, the totals after
the last finding): "在整改工作中，给予党纪政务处分3人，组织处理5人……；追缴资金23.8万元……".

People held accountable (问责) become ImportedAccountability of a kind of models.ACCOUNTABILITY_KINDS, money
(资金, 万元, exact) ImportedMoney of a kind of MONEY_KINDS; both belong to the inspection, not to an item (an
item's own progress text is left as it is). A figure that maps onto no kind is listed in
``results_skipped`` with the reason, never dropped: a kind outside the lists (通报批评, 约谈), a total (共问责12人),
an audit amount (问题资金, which belongs to an item), one amount for two kinds, a bad amount, a plan (力争追回),
a breakdown in brackets already counted, a figure said twice, and a count of rules or meetings outside the
organisation section.

Kinds, and why: 党纪处分, 政务处分, 政纪处分, 纪律处分 are all 党纪政务处分 (the list has one kind for the two
disciplinary tracks, as notices sum them); 诫勉谈话 is the former name of 诫勉; 谈话提醒 is 提醒谈话 in the other
order; 组织调整 is a 组织处理; 移交/移送纪委(纪检监察机关) is 交由纪委调查; 责令(作出书面)检查 and 书面检查 are
责令检查. 人次 and 名 count as 人. Rules (制度N项) and meetings (N次) without names are not made into register rows
here: a row without a title is a placeholder the clerk must redo anyway, and a preamble's count often repeats
(or totals) what the organisation section already registered, so making rows from both would count twice.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from rectify_desktop.core import results
from rectify_desktop.core.importing import ImportedAccountability, ImportedInspection, ImportedMoney, Skipped
from rectify_desktop.io.text_words import NUM, cn_to_int

# Words of a notice → the kind they name, longest first where one contains another.
ACCOUNTABILITY_WORDS: tuple[tuple[str, str], ...] = (
    ("党纪政务处分", "党纪政务处分"),
    ("党纪政纪处分", "党纪政务处分"),
    ("党纪和政务处分", "党纪政务处分"),
    ("党纪、政务处分", "党纪政务处分"),
    ("党政纪处分", "党纪政务处分"),
    ("党纪处分", "党纪政务处分"),
    ("政务处分", "党纪政务处分"),
    ("政纪处分", "党纪政务处分"),
    ("纪律处分", "党纪政务处分"),
    ("组织处理", "组织处理"),
    ("组织调整", "组织处理"),
    ("诫勉谈话", "诫勉"),
    ("诫勉", "诫勉"),
    ("交由纪委调查", "交由纪委调查"),
    ("交由纪委监委调查", "交由纪委调查"),
    ("移交纪委调查", "交由纪委调查"),
    ("移送纪委调查", "交由纪委调查"),
    ("移交纪委", "交由纪委调查"),
    ("移送纪委", "交由纪委调查"),
    ("移交纪检监察机关", "交由纪委调查"),
    ("移送纪检监察机关", "交由纪委调查"),
    ("批评帮助", "批评帮助"),
    ("责令作出书面检查", "责令检查"),
    ("责令作出检查", "责令检查"),
    ("责令书面检查", "责令检查"),
    ("责令检查", "责令检查"),
    ("书面检查", "责令检查"),
    ("批评教育", "批评教育"),
    ("提醒谈话", "提醒谈话"),
    ("谈话提醒", "提醒谈话"),
)
# Words that make "N人" a 问责 figure even when no kind is named: such a figure is listed, not dropped.
_ACCOUNTABILITY_CUES = re.compile(
    r"处分|处理|问责|追责|诫勉|谈话|检查|批评|约谈|函询|调查|立案|审查|留置|免职|停职|撤职|降职|调整|通报|移送|移交"
)
_TOTAL_WORDS = re.compile(r"(?:问责|追责问责|追责)$")
MONEY_WORDS: tuple[tuple[str, str], ...] = (
    ("未整改", "未整改资金"),
    ("整改到位", "整改到位资金"),
    ("归还原资金渠道", "归还原资金渠道"),
    ("归还原渠道", "归还原资金渠道"),
    ("挽回经济损失", "挽回经济损失"),
    ("挽回损失", "挽回经济损失"),
    ("追缴", "追缴"),
    ("清退", "清退"),
    ("追回", "追回"),
)
# An item's own amounts (models.AUDIT_AMOUNT_KINDS): a notice's total of them has no item to go to.
_AUDIT_WORDS = re.compile(r"问题资金|问题金额|涉及金额|涉及资金|违规资金|违规金额")
# A plan or a target is not a result.
_PLAN = re.compile(r"力争|预计|拟于|拟将|计划于|计划在|目标是|将继续|将进一步|下一步")

_PEOPLE = re.compile(rf"({NUM})\s*(人次|人|名)")
_AMOUNT = re.compile(
    r"(\d{1,3}(?:[,，]\d{3})+(?:[.．]\d+)?|\d+(?:[.．]\d+)?|[零〇一二两三四五六七八九十百千]+)\s*(亿元|万元|元)"
)
_RULES = re.compile(rf"制度[^，；。]{{0,8}}?(?:共|计)?\s*({NUM})\s*(?:项|个|件|部|份|条)|({NUM})\s*(?:项|个|件)制度")
_MEETINGS = re.compile(
    rf"([\u4e00-\u9fff]{{0,12}}?(?:会议|生活会|推进会|会|党课|集中学习|专题学习))(?:共|累计|等)?\s*({NUM})\s*(?:次|场)"
)
# Clauses: a number's words are looked for from the clause's start, never across 。；，.
_CLAUSE = re.compile(r"[。；;！？\n]|[，,](?!\d{3})")
_DIGIT_BEFORE = set("0123456789.．０１２３４５６７８９")
_BRACKETS = re.compile(r"[（(]([^（）()]*)[）)]")


def figure_count(text: str) -> int:
    """How many 问责 and 资金 figures a line states: a line after the last finding with two or more is the
    notice's totals, not part of the last item."""
    n = 0
    for clause in _CLAUSE.split(text or ""):
        for m in _PEOPLE.finditer(clause):
            if _ACCOUNTABILITY_CUES.search(clause[: m.start()] + clause[m.end() : m.end() + 12]):
                n += 1
        n += sum(1 for m in _AMOUNT.finditer(clause) if _money_kinds(clause[: m.start()]))
    return n


def _accountability_kinds(words: str) -> list[str]:
    """The kinds named in `words`, each once, in the order they end in the text."""
    found: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []
    for word, kind in ACCOUNTABILITY_WORDS:
        for m in re.finditer(re.escape(word), words):
            if any(a <= m.start() < b for a, b in taken):
                continue
            taken.append((m.start(), m.end()))
            found.append((m.end(), kind))
    out: list[str] = []
    for _, kind in sorted(found):
        if kind not in out:
            out.append(kind)
    return out


def _money_kinds(words: str) -> list[str]:
    out: list[str] = []
    rest = words
    for word, kind in MONEY_WORDS:
        if word in rest:
            rest = rest.replace(word, "")
            if kind not in out:
                out.append(kind)
    return out


def _amount(number: str, unit: str) -> Decimal:
    """An amount in 万元 from the number and unit as written; ValueError with the reason."""
    t = unicodedata.normalize("NFKC", number).replace(",", "")
    if not re.fullmatch(r"\d+(?:\.\d+)?", t):
        n = cn_to_int(number)
        if n is None:
            raise ValueError(f"金额“{number}{unit}”不是数字")
        t = str(n)
    d = Decimal(t)
    if unit == "元":
        if d != d.to_integral_value():
            raise ValueError(f"金额“{number}元”有角、分：台账金额最小到1元（0.0001万元）")
        d = d / results.UNITS_PER_WAN
    elif unit == "亿元":
        d = d * results.UNITS_PER_WAN
    return results.parse_amount(d)


class _Reader:
    def __init__(self, org_lines: set[int]) -> None:
        self.org_lines = org_lines
        self.accountability: list[ImportedAccountability] = []
        self.money: list[ImportedMoney] = []
        self.skipped: list[Skipped] = []
        self.seen: dict[tuple[str, str, str], int] = {}  # (what, kind, value) → the line it was first read on
        self.mapped_here: list[int] = []  # people imported by kind from the current line
        self.totals: list[str] = []  # the current line's totals (共问责12人)

    def not_imported(self, line: int, phrase: str, reason: str) -> None:
        self.skipped.append(Skipped(line, phrase, reason))

    def once(self, line: int, key: tuple[str, str, str], phrase: str) -> bool:
        first = self.seen.get(key)
        if first is not None and first != line:
            self.not_imported(line, phrase, f"与第{first}行所称相同，只导入一次")
            return False
        self.seen[key] = line
        return True

    def line(self, no: int, text: str) -> None:
        # A breakdown in brackets ("党纪政务处分3人（其中党纪处分2人、政务处分1人）") is in the figure before it.
        def inner(m: re.Match[str]) -> str:
            body = m.group(1)
            if "其中" in body or "含" in body[:2]:
                if _PEOPLE.search(body):
                    self.not_imported(no, body.strip(), "括号内“其中”的分项，已计入前面的人数，不重复导入")
                elif _AMOUNT.search(body):
                    self.not_imported(no, body.strip(), "括号内“其中”的分项，已计入前面的金额，不重复导入")
                return "，"
            return m.group(0)

        text = _BRACKETS.sub(inner, text)
        # "共问责12人，其中……" : the total and its kinds may stand in different clauses of the line.
        self.mapped_here = []
        self.totals = []
        for clause in _CLAUSE.split(text):
            if clause.strip():
                self.clause(no, clause.strip())
        for phrase in self.totals:
            self.not_imported(
                no, phrase, f"问责的合计人数，不是单独的类型，未导入（本句按类型导入{sum(self.mapped_here)}人）"
            )

    def clause(self, no: int, clause: str) -> None:
        plan = bool(_PLAN.search(clause))
        start = 0
        for m in _PEOPLE.finditer(clause):
            words = clause[start : m.start()]
            after = clause[m.end() : m.end() + 12]
            start = m.end()
            people = cn_to_int(m.group(1))
            phrase = (words + m.group(0)).strip("、，,和及与 ")
            kinds = _accountability_kinds(words)
            if not kinds:
                after_kinds = _accountability_kinds(re.split(r"\d|[，,、]", after)[0])
                if after_kinds:  # 对3名干部给予诫勉
                    kinds = after_kinds
                    phrase = (phrase + re.split(r"\d|[，,、]", after)[0]).strip()
            if not kinds and not _ACCOUNTABILITY_CUES.search(words + after):
                continue  # 参会人员50人: not a 问责 figure at all
            if plan:
                self.not_imported(no, phrase, "是计划或目标，不是已取得的成效，未导入")
            elif words[-1:] in _DIGIT_BEFORE:  # 诫勉2.5人: the number read is only its end
                self.not_imported(no, phrase, "人数不是整数，未导入")
            elif not people:
                self.not_imported(no, phrase, "人数不是大于0的整数，未导入")
            elif len(kinds) > 1:
                self.not_imported(no, phrase, f"一个人数对应{'、'.join(kinds)}几类，未导入；请在整改成效中分别登记")
            elif kinds:
                if self.once(no, ("问责", kinds[0], str(people)), phrase):
                    note = f"据导入文本“{phrase}”登记" + ("（原文为人次）" if m.group(2) == "人次" else "")
                    self.accountability.append(ImportedAccountability(kinds[0], people, note, f"第{no}行"))
                    self.mapped_here.append(people)
            elif _TOTAL_WORDS.search(re.sub(r"[了共计累，,\s]+$", "", words)) or re.search(
                r"共(?:计)?问责|问责共", words
            ):
                self.totals.append(phrase)
            else:
                word = re.sub(r"^(?:其中|并|共|给予|予以|对|共计)+", "", words).strip("、，, ") or "未说明"
                self.not_imported(
                    no,
                    phrase,
                    f"“{word}”不在问责类型中（{'、'.join(_ACCOUNTABILITY_KINDS)}），"
                    "未导入；请在整改成效中按实际类型登记",
                )
        self.amounts(no, clause, plan)
        self.registers(no, clause)

    def amounts(self, no: int, clause: str, plan: bool) -> None:
        start = 0
        for m in _AMOUNT.finditer(clause):
            words = clause[start : m.start()]
            start = m.end()
            phrase = (words + m.group(0)).strip("、，,和及与 ")
            kinds = _money_kinds(words)
            if plan:
                self.not_imported(no, phrase, "是计划或目标，不是已取得的成效，未导入")
                continue
            if words.rstrip()[-1:] in ("-", "－", "−"):
                self.not_imported(no, phrase, "金额为负数，金额不能为负，未导入")
                continue
            if not kinds:
                if _AUDIT_WORDS.search(words):
                    why = "问题金额属于某一细化问题，不能记在整个巡察上，未导入；请在相应细化问题的整改成效中登记"
                else:
                    why = f"未说明属于哪类资金（{'、'.join(_MONEY_KINDS)}），未导入"
                self.not_imported(no, phrase, why)
                continue
            if len(kinds) > 1:
                self.not_imported(no, phrase, f"一个金额对应{'、'.join(kinds)}几类，未导入；请在整改成效中分别登记")
                continue
            try:
                amount = _amount(m.group(1), m.group(2))
            except ValueError as exc:
                self.not_imported(no, phrase, f"{exc}，未导入")
                continue
            if not amount:
                continue  # 0万元 adds nothing
            if self.once(no, ("资金", kinds[0], str(amount)), phrase):
                self.money.append(ImportedMoney(kinds[0], amount, f"据导入文本“{phrase}”登记", f"第{no}行"))

    def registers(self, no: int, clause: str) -> None:
        if no in self.org_lines:
            return  # the organisation section registers its own rules and meetings (text_organisation)
        for m in _RULES.finditer(clause):
            self.not_imported(no, m.group(0), "制度只有数量、没有名称，未导入；请在“制度建设”中逐项登记（名称、文号）")
        for m in _MEETINGS.finditer(clause):
            if "召开" in clause or "组织" in clause or "开展" in clause or re.search(r"生活会|党课|学习", m.group(1)):
                self.not_imported(
                    no,
                    re.sub(r"^(?:召开了?|组织了?|开展了?|共|累计)+", "", m.group(0)),
                    "会议只有次数、没有日期和议题，未导入；请在“会议”中逐次登记",
                )


_MONEY_KINDS = tuple(dict.fromkeys(k for _, k in MONEY_WORDS))
_ACCOUNTABILITY_KINDS = tuple(dict.fromkeys(k for _, k in ACCOUNTABILITY_WORDS))


def read_results(lines: list[tuple[int, str]], org_lines: set[int], into: ImportedInspection) -> None:
    """Reads the 整改成效 of `lines` ((line number, text) of the notice's free text) into `into`."""
    reader = _Reader(org_lines)
    for no, text in sorted(lines):
        reader.line(no, text)
    into.accountability += reader.accountability
    into.money += reader.money
    into.results_skipped += reader.skipped


def results_lines(parsed: ImportedInspection) -> list[str]:
    """The 整改成效 an import adds to the inspection, and the figures it does not import, as the preview and
    the command line list them; [] when the source states none."""
    out: list[str] = []
    said = [f"{a.kind}{a.people}人" for a in parsed.accountability]
    said += [f"{m.kind}{results.amount_text(m.amount)}万元" for m in parsed.money]
    if said:
        out.append("整改成效（记在本次巡察上）：" + "，".join(said))
    for s in parsed.results_skipped:
        out.append(f"未导入：第{s.line}行“{s.text}”——{s.reason}")
    return out
