"""The organisation section (组织情况) and the preamble's facts: the notes, the meetings (会议) and rules
(制度) it counts as placeholder rows, who inspected whom and when."""

from __future__ import annotations

import datetime as dt
import re

from rectify_desktop.core.rules import cn_number
from rectify_desktop.io.text_outline import _Section
from rectify_desktop.io.text_skipped import _ParserBase
from rectify_desktop.io.text_words import NUM, cn_to_int

# More placeholder rows than this from one count ("召开会议1000次") is a typing error, not a register.
MAX_PLACEHOLDERS = 100


_RULE_SUFFIXES = (
    "制度",
    "办法",
    "规定",
    "细则",
    "规则",
    "规范",
    "机制",
    "意见",
    "守则",
    "准则",
    "规程",
    "流程",
    "措施",
)


class _Organisation(_ParserBase):
    """The parser's reading of the organisation section and of the preamble."""

    def _read_org(self, sec: _Section) -> None:
        texts = []
        for ln in sec.lines:
            if ln.kind == "text":
                texts.append(ln.text)
            elif ln.kind == "category":
                texts.append(f"（{cn_number(ln.number or 0)}）{ln.text}")
            elif ln.kind == "finding":
                texts.append(f"{ln.number}.{ln.text}")
            elif ln.kind == "item":
                texts.append(f"（{ln.number}）{ln.text}")
            else:
                texts.append(ln.text)
        self.context += texts
        self.result.notes = "\n".join(texts)
        body = "\n".join(texts)
        self._meetings(body)
        self._institutions(body)

    def _meetings(self, body: str) -> None:
        meeting_re = re.compile(rf"([\u4e00-\u9fff]{{0,12}}?(?:会议|会))(?:共|累计|等)?\s*({NUM})\s*(?:次|场)")
        rows: list[tuple[str, int, str]] = []
        for sentence in re.split(r"[。；;\n]", body):
            if "召开" not in sentence and "组织" not in sentence:
                continue
            found = []
            for m in meeting_re.finditer(sentence):
                kind = re.split(r"召开了?|组织了?", m.group(1))[-1]
                for p in ("先后", "累计", "共", "了", "各类", "其中", "等"):
                    if kind.startswith(p) and len(kind) > len(p) + 1:
                        kind = kind[len(p) :]
                n = cn_to_int(m.group(2))
                if n:
                    found.append((kind, n, m.group(0)))
            specific = [f for f in found if f[0] not in ("会议", "各类会议", "会")]
            rows += specific if specific else found
        total = 0
        for kind, n, phrase in rows:
            if total + n > MAX_PLACEHOLDERS:
                self.warnings.append(f"文本称“{phrase}”，次数过多，会议登记只记入前{MAX_PLACEHOLDERS}次。")
                n = max(0, MAX_PLACEHOLDERS - total)
            for _ in range(n):
                self.result.meetings.append(
                    {"kind": kind, "topic": "", "note": f"据导入文本“{phrase}”登记，请补充日期和议题"}
                )
            total += n

    def _institutions(self, body: str) -> None:
        count_re = re.compile(
            rf"(?:制定|修订|完善|建立|健全|出台|印发|新建|修改)[^。；;\n]{{0,400}}?制度(?:机制|文件)?(?:共|计|等)?\s*"
            rf"({NUM})\s*(?:项|个|件|部|份|条)"
        )
        title_re = re.compile(r"《([^《》\n]{2,100})》(?:\s*[（(]([^（）()\n]{2,30}号)[）)])?")
        counts = list(count_re.finditer(body))
        inside = [(m.start(), m.end()) for m in counts]
        names: list[tuple[str, str]] = []
        for m in title_re.finditer(body):
            t = m.group(1).strip()
            in_count = any(a <= m.start() < b for a, b in inside)
            if (in_count or t.endswith(_RULE_SUFFIXES)) and t not in [n for n, _ in names]:
                names.append((t, m.group(2) or ""))
        for t, doc in names:
            self.result.institutions.append({"title": t, "doc_number": doc, "note": "据导入文本登记"})
        stated = sum(cn_to_int(m.group(1)) or 0 for m in counts)
        missing = min(stated - len(names), MAX_PLACEHOLDERS)
        for _ in range(max(0, missing)):
            self.result.institutions.append(
                {
                    "title": "（名称待补充）",
                    "doc_number": "",
                    "note": f"据导入文本所称“制度{stated}项”登记，请补充名称和文号",
                }
            )

    # The preamble's facts --------------------------------------------------------------------------------

    def _preamble_facts(self, text: str) -> None:
        r = self.result
        m = re.search(
            r"([^，。；、\s]{2,30}?组)对([^，。；、\s]{2,30}?)(?:开展|进行)了?(?:为期[^，。；]{1,8}的)?"
            r"(?:常规|专项|机动|提级|延伸)?(巡察|审计|督查|巡视)",
            text,
        )
        if m:
            r.inspecting_body, r.inspected_unit = m.group(1), m.group(2)
            if not self.result.title:
                r.kind = "巡察" if m.group(3) == "巡视" else m.group(3)
        m = re.search(
            r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*(?:至|—|－|-|到)\s*(?:(\d{4})\s*年)?\s*(\d{1,2})\s*月\s*"
            r"(\d{1,2})\s*日",
            text,
        )
        if m:
            r.period_start = _date(m.group(1), m.group(2), m.group(3))
            r.period_end = _date(m.group(4) or m.group(1), m.group(5), m.group(6))
        m = re.search(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日[，,][^。]{0,60}?反馈", text)
        if m:
            r.feedback_date = _date(m.group(1), m.group(2), m.group(3))


def _date(y: str, m: str, d: str) -> dt.date | None:
    try:
        return dt.date(int(y), int(m), int(d))
    except (TypeError, ValueError):
        return None
