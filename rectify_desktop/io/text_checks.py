"""The totals and counts checks (核对): the findings' and items' numbering, the totals the text states
against what was recognised (and the statuses set from them), and items left without measures."""

from __future__ import annotations

from collections import Counter

from rectify_desktop.core.models import DONE, IN_PROGRESS, NOT_STARTED, ONGOING
from rectify_desktop.core.rules import percent_whole
from rectify_desktop.io.text_headline import parse_headline
from rectify_desktop.io.text_skipped import _ParserBase
from rectify_desktop.io.text_words import STATUS_WORDS_SHORT, _list, _num, _short


class _Checks(_ParserBase):
    """The parser's checks, after the outline is read."""

    def _numbering(self) -> None:
        r = self.result
        cats = [c for c in r.categories if c.findings]
        per_category = (
            len(cats) >= 2
            and all(c.findings[0].number == 1 for c in cats)
            and len({f.number for f in r.findings()}) < len(r.findings())
        )
        if per_category:
            for f in r.findings():
                f.number = None
            self.warnings.append("问题序号在各方面内分别从1开始编排，导入时已按顺序统一编号。")
        else:
            numbers = [f.number for f in r.findings() if f.number is not None]
            seen: set[int] = set()
            for f in r.findings():
                if f.number is not None and f.number in seen:
                    self.warnings.append(f"问题序号{f.number}重复（{f.source}），导入时将改用下一个空闲序号。")
                if f.number is not None:
                    seen.add(f.number)
            if numbers:
                missing = [n for n in range(1, max(numbers) + 1) if n not in seen]
                if missing:
                    self.warnings.append(f"问题序号{_list(missing)}缺失（公开通报可能略去了敏感问题）。")
        numbered = [i.number for i in r.items() if i.number is not None]
        across = (
            len(numbered) == len(r.items())
            and any(f.items and f.items[0].number != 1 for f in r.findings())
            and numbered == list(range(numbered[0], numbered[0] + len(numbered)))
        )
        if across:
            # "问题1：… 问题3：" counted across the whole text (ladder D): in the ledger each finding counts its own.
            for it in r.items():
                it.number = None
            self.warnings.append("细化问题序号在全文连续编排，导入时已在各问题内重新编号。")
        for f in r.findings():
            numbers = [i.number for i in f.items if i.number is not None]
            if not numbers:
                continue
            seen_i = set(numbers)
            label = f"问题{f.number}" if f.number is not None else f"问题“{_short(f.title)}”"
            missing = [n for n in range(1, max(numbers) + 1) if n not in seen_i]
            if missing:
                marks = "".join(f"（{n}）" for n in missing[:20]) + ("等" if len(missing) > 20 else "")
                self.warnings.append(f"{label}的细化问题序号{marks}缺失（公开通报可能略去了敏感问题）。")
            if len(seen_i) < len(numbers):
                dup = sorted(n for n, c in Counter(numbers).items() if c > 1)
                marks = "".join(f"（{n}）" for n in dup)
                self.warnings.append(f"{label}的细化问题序号{marks}重复，导入时将改用下一个空闲序号。")

    def _declared(self) -> None:
        r = self.result
        declared = parse_headline("\n".join(self.context))
        r.declared = declared or None
        if not declared:
            return  # each item keeps the status its own text states
        n_findings, n_items = len(r.findings()), len(r.items())
        if "findings" in declared and declared["findings"] != n_findings:
            d = declared["findings"] - n_findings
            why = "（公开通报可能略去了敏感问题）" if d > 0 else ""
            self.warnings.append(f"文本称反馈问题{declared['findings']}个，识别出{n_findings}个{why}。")
        if "items" in declared and declared["items"] != n_items:
            d = declared["items"] - n_items
            why = "（公开通报可能略去了敏感问题）" if d > 0 else ""
            self.warnings.append(f"文本称细化为{declared['items']}项，识别出{n_items}项细化问题{why}。")
        others = {
            IN_PROGRESS: declared.get("in_progress", 0),
            ONGOING: declared.get("ongoing", 0),
            NOT_STARTED: declared.get("not_started", 0),
        }
        total = declared.get("items")
        if total is None and "findings" in declared and n_items == n_findings:
            total = declared["findings"]
        if "done" in declared and total is None:
            total = declared["done"] + sum(others.values())
        if "percent" in declared and "done" in declared and total:
            calc = percent_whole(declared["done"], total)
            if calc != declared["percent"]:
                self.warnings.append(
                    f"文本所称完成率{declared['percent']}%与已整改完成{declared['done']}项÷{total}项算得的{calc}%不一致。"
                )
        self._statuses(declared, total, others)

    def _statuses(self, declared: dict[str, int], total: int | None, others: dict[str, int]) -> None:
        items = self.result.items()
        why = (
            "，各细化问题的整改状态只按各项自己写明的设置，请导入后逐项核对。"
            if any(self.item_status)
            else "，各细化问题的整改状态未设置，请导入后逐项核对。"
        )
        if "done" not in declared:
            return  # each item keeps the status its own text states
        done = declared["done"]
        if total != len(items):
            self.warnings.append(
                f"文本列出的细化问题（{len(items)}项）与所称总数（{total}项）不一致，无法确定哪些已完成" + why
            )
            return
        if done + sum(others.values()) != total:
            parts = [f"已整改完成{done}项"] + [f"{STATUS_WORDS_SHORT[s]}{n}项" for s, n in others.items() if n]
            self.warnings.append(f"文本所称{'、'.join(parts)}，合计与总数{total}项不一致" + why)
            return
        if done == total:
            for it in items:
                it.status = DONE
            return
        statuses = self.item_status if len(self.item_status) == len(items) else [None] * len(items)
        for state in (IN_PROGRESS, ONGOING, NOT_STARTED):
            said = sum(1 for s in statuses if s == state)
            if said != others[state]:
                word = STATUS_WORDS_SHORT[state]
                if others[state]:
                    self.warnings.append(
                        f"文本称{word}{others[state]}项，但各项整改情况中写明“{word}”的有{said}项，无法确定是哪几项"
                        + why
                    )
                else:
                    self.warnings.append(f"文本没有说明有{word}的事项，但有{said}项的整改情况写明“{word}”" + why)
                return
        for it, s in zip(items, statuses, strict=True):
            it.status = s if s in others else DONE

    def _measure_warnings(self) -> None:
        items = self.result.items()
        if self.measure_labels == 0:
            self.warnings.append(
                "文本中没有找到整改措施（“整改情况：一是……二是……”或“整改措施：……”），导入后各细化问题的整改措施为空。"
            )
            return
        had = self.item_had_label if len(self.item_had_label) == len(items) else [False] * len(items)
        n = 0
        for f in self.result.findings():
            for it in f.items:
                if not it.measures:
                    label = f"问题{_num(f.number)}" + (f"（{it.number}）" if it.number is not None else "")
                    what = "的整改措施是空的" if had[n] else "没有整改措施"
                    self.warnings.append(f"{label}“{_short(it.title)}”{what}。")
                n += 1
