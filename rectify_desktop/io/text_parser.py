"""The parser's run (解析流程): the text tokenised, the noise, title and closing taken out, the sections
given their roles (problems, organisation, next steps), then the problems read and checked."""

from __future__ import annotations

import re

from rectify_desktop.core.importing import ImportedInspection
from rectify_desktop.core.rules import cn_number
from rectify_desktop.io.text_checks import _Checks
from rectify_desktop.io.text_headline import parse_headline
from rectify_desktop.io.text_measures import _LABEL_RE
from rectify_desktop.io.text_organisation import _Organisation
from rectify_desktop.io.text_outline import (
    _CATEGORY_HEAD,
    _NEXT_HEAD,
    _ORG_SECTION,
    _Line,
    _measure_lines,
    _Section,
    _tokenise,
)
from rectify_desktop.io.text_problems import _Problems
from rectify_desktop.io.text_results import read_results
from rectify_desktop.io.text_words import _short


class _Parser(_Problems, _Organisation, _Checks):
    """One text read into an ImportedInspection; each part lives in its own module (see the bases)."""

    # The whole run ------------------------------------------------------------------------------------

    def run(self) -> ImportedInspection:
        r = self.result
        lines = _tokenise(self.text)
        if not lines:
            self.warnings.append("文本是空的。")
            return r
        lines = self._noise(lines)
        lines = self._title(lines)
        lines = self._closing(lines)
        lines = _measure_lines(lines)
        self.notice = "整改" in (r.title + " ".join(ln.text for ln in lines if ln.kind == "section")) or any(
            _LABEL_RE.search(ln.text) or re.search(r"(?:^|[。；;：:\s])一是", ln.text) for ln in lines
        )
        preamble, sections = self._sections(lines)
        problems = self._roles(preamble, sections)
        if not any(sec.heading is None for sec in problems):
            self.context += [ln.text for ln in preamble]
            self._skip_lines(preamble, "前言")
        self._read_part(problems)
        for sec in sections:
            assert sec.heading is not None
            if sec.role == "org":
                self._skip(sec.heading, "组织情况")
                self._read_org(sec)
            elif sec.role == "other":
                self.context += [ln.text for ln in sec.lines]
                self.warnings.append(f"第{sec.heading.no}行“{_short(sec.heading.text)}”一节不是整改内容，未导入。")
                self._skip_lines([sec.heading, *sec.lines], "组织情况")
            elif sec.role == "next":
                why = "下一步" if _NEXT_HEAD.search(sec.heading.text) else "结尾部分"
                self.context += [ln.text for ln in sec.lines]
                self._skip_lines([sec.heading, *sec.lines], why)
        self._preamble_facts(" ".join(ln.text for ln in preamble))
        self._results(sections)
        r.skipped.sort(key=lambda x: x.line)
        if not r.findings():
            r.categories = []
            self.item_status = []
            said = parse_headline("\n".join(self.context + [ln.text for ln in preamble]))
            why = (
                "文本只有整改的总体情况和数字，没有逐条列出问题，不是整改通报或台账。"
                if said
                else "没有识别出任何问题。文本应按“（一）方面”“1.问题”“（1）细化问题”“整改情况：一是……”的层次编排，"
                "每个序号写在一行的开头。"
            )
            self.warnings.insert(0, why)
            return r
        self._numbering()
        self._declared()
        self._measure_warnings()
        return r

    def _results(self, sections: list[_Section]) -> None:
        """整改成效 from the free text: the preamble, the organisation and other sections, a closing section
        that is not 下一步, and the totals after the last finding; never from an item's own text."""
        free: dict[int, str] = {}
        org: set[int] = set()
        for sec in sections:
            assert sec.heading is not None
            closing = sec.role == "next" and not _NEXT_HEAD.search(sec.heading.text)
            if sec.role in ("org", "other") or closing:
                for ln in sec.lines:
                    free[ln.no] = ln.text
                    if sec.role == "org":
                        org.add(ln.no)
        for sk in self.result.skipped:
            if sk.reason in ("前言", "整改总体情况"):
                free.setdefault(sk.line, sk.text)
        read_results(sorted(free.items()), org, self.result)

    def _sections(self, lines: list[_Line]) -> tuple[list[_Line], list[_Section]]:
        preamble: list[_Line] = []
        sections: list[_Section] = []
        for ln in lines:
            if ln.kind == "section":
                last = sections[-1].heading.number if sections and sections[-1].heading else None
                if last is None or ln.number == last + 1:
                    sections.append(_Section(ln))
                    continue
                ln = _Line(ln.no, "text", None, f"{cn_number(ln.number or 0)}、{ln.text}")
            (sections[-1].lines if sections else preamble).append(ln)
        return preamble, sections

    def _roles(self, preamble: list[_Line], sections: list[_Section]) -> list[_Section]:
        """Which sections hold the problems; the others are the organisation (notes), or not imported."""
        if not sections:
            whole = _Section(None, preamble)
            whole.role = "problems"
            return [whole]
        for s in sections:
            assert s.heading is not None
            head = s.heading.text
            marked = s.has("category", "finding", "item") or bool(_LABEL_RE.search(head))
            labelled = any(_LABEL_RE.search(ln.text) for ln in s.lines)
            if _NEXT_HEAD.search(head) and not _CATEGORY_HEAD.search(head):
                s.role = "next"
            elif _ORG_SECTION.search(head) and not _CATEGORY_HEAD.search(head):
                s.role = "org"
            elif marked or labelled or (_CATEGORY_HEAD.search(head) and s.lines):
                s.role = "problems"
        problems = [s for s in sections if s.role == "problems"]
        first = sections.index(problems[0]) if problems else len(sections)
        last = sections.index(problems[-1]) if problems else -1
        org_done = False
        for n, s in enumerate(sections):
            if s.role == "problems":
                continue
            if n > last and problems:
                s.role = "next"  # closing sections after the problems (保障措施, contact lines, signature)
            elif s.role == "org" and not org_done and n < first:
                org_done = True
            elif s.role != "next":
                s.role = "other"
        # A preamble with findings of its own (no section heading over them) is read too.
        if any(ln.kind in ("finding", "item") for ln in preamble):
            sec = _Section(None, preamble)
            sec.role = "problems"
            problems.insert(0, sec)
        return problems
