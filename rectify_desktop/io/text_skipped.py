"""The parser's state and the skipped-lines accounting (未导入的内容): every line that goes into no field
(网页信息, 联系方式, 落款, 重复的标题, 下一步, 整改总体情况 …) is listed with its line number and the reason,
never dropped silently; the title line, web metadata, contacts, signature and closing part are taken out here."""

from __future__ import annotations

import re

from rectify_desktop.core.importing import ImportedInspection, Skipped
from rectify_desktop.io.text_headline import parse_headline
from rectify_desktop.io.text_measures import _LABEL_RE
from rectify_desktop.io.text_outline import _Line, _marker_text
from rectify_desktop.io.text_results import figure_count

_TITLE_END = re.compile(r"(通报|报告|意见|方案|台账|清单|情况|公示|公告|函|综述)$")


# Lines that are not the notice: a web page's metadata, contacts, the signature and date.
_WEB_META = re.compile(
    r"^[【\[]?(?:信息索引号|索引号|文件名称|发布机构|发文机关|成文日期|发布日期|发布时间|公开方式|公开范围|主题分类|日期|来源"
    r"|浏览量|浏览次数|访问量|点击数|字号|字体|作者|分享到|分享|朗读|打印本页|打印|关闭窗口|关闭|扫一扫|上一篇|下一篇|相关链接)"
    r"\s*(?:[:：】\]]|$|\s)"
)
# A contact line starts with the invitation or the contact itself; a measure that names a hotline is not one.
_CONTACT = re.compile(
    r"^(?:欢迎|联系|邮政信箱|电子邮箱|通讯地址|来信地址|举报电话|监督电话)"
    r".{0,60}?(?:(?:联系电话|联系人|联系方式|邮政信箱|电子邮箱|通讯地址|来信地址|举报电话|监督电话)\s*[:：]|监督)"
)
_DATE_LINE = re.compile(
    r"^(?:\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|[〇零一二三四五六七八九○]{4}年[一二三四五六七八九十]{1,2}月[一二三四五六七八九十]{1,3}日)$"
)
_CLOSING_HEAD = re.compile(r"^(?:下一步|今后)")


class _ParserBase:
    """One run's state, and what is not the notice: the parts of `_Parser` the others build on."""

    def __init__(self, text: str) -> None:
        self.text = text if isinstance(text, str) else str(text)
        self.result = ImportedInspection()
        self.warnings = self.result.warnings
        self.context: list[str] = []  # free text: where the headline and the preamble's facts are looked for
        self.item_status: list[str | None] = []  # what each item's own text says, in item order
        self.item_had_label: list[bool] = []  # whether each item had a measure label, in item order
        self.measure_labels = 0
        self.notice = False  # a notice or plan (整改 named, labels or 一是), not bare feedback: prose is a measure

    # What is not the notice ------------------------------------------------------------------------------

    def _skip(self, ln: _Line, reason: str) -> None:
        self.result.skipped.append(Skipped(ln.no, _marker_text(ln), reason))

    def _skip_lines(self, lines: list[_Line], reason: str) -> None:
        for ln in lines:
            why = reason
            if ln.kind == "text" and _CONTACT.search(ln.text):
                why = "联系方式"
            self._skip(ln, why)

    def _noise(self, lines: list[_Line]) -> list[_Line]:
        """Takes out a web page's metadata, contact lines and the signature with its date, listing each."""
        out: list[_Line] = []
        for ln in lines:
            if ln.kind == "text" and len(ln.text) <= 150 and _WEB_META.match(ln.text):
                self._skip(ln, "网页信息")
            elif ln.kind == "text" and len(ln.text) <= 150 and _CONTACT.search(ln.text):
                self._skip(ln, "联系方式")
            else:
                out.append(ln)
        # The signature: a date on the last line, with the unit's name (short, no punctuation) above it.
        if out and out[-1].kind == "text" and _DATE_LINE.match(out[-1].text.replace(" ", "")) and len(out) > 1:
            tail = [out.pop()]
            while (
                len(tail) < 3
                and len(out) > 1
                and out[-1].kind == "text"
                and len(out[-1].text) <= 30
                and not re.search(r"[。，,；;：:！？]", out[-1].text)
            ):
                tail.append(out.pop())
            for ln in reversed(tail):
                self._skip(ln, "落款")
        return out

    def _closing(self, lines: list[_Line]) -> list[_Line]:
        """An unnumbered 下一步 paragraph or heading after the problems, and a totals sentence after the last
        finding, are not part of any item."""
        marks = [i for i, ln in enumerate(lines) if ln.kind in ("category", "finding", "item")]
        if not marks:
            return lines
        for i in range(marks[0] + 1, len(lines)):
            ln = lines[i]
            if ln.kind == "text" and _CLOSING_HEAD.match(ln.text) and not _LABEL_RE.search(ln.text):
                rest = lines[i:]
                if not any(x.kind in ("finding", "item") for x in rest):
                    self.context += [x.text for x in rest]
                    self._skip_lines(rest, "下一步")
                    lines = lines[:i]
                    break
        end = self._totals_before(lines, marks[-1], len(lines))
        if end == len(lines):
            # Totals between the last finding and a closing section (三、下一步工作打算) that follows it.
            after = next((i for i in range(marks[-1] + 1, len(lines)) if lines[i].kind == "section"), None)
            if after is not None:
                start = self._totals_before(lines, marks[-1], after)
                for ln in lines[start:after]:
                    self.context.append(ln.text)
                    self._skip(ln, "整改总体情况")
                return lines[:start] + lines[after:]
        for ln in lines[end:]:
            self.context.append(ln.text)
            self._skip(ln, "整改总体情况")
        return lines[:end]

    @staticmethod
    def _totals_before(lines: list[_Line], last_mark: int, end: int) -> int:
        """Where the run of totals sentences that ends before `end` begins (`end` when there is none)."""
        while end > last_mark + 1:
            ln = lines[end - 1]
            plain = ln.kind == "text" and not _LABEL_RE.search(ln.text)
            said = parse_headline(ln.text) if plain else {}
            # The 整改成效 sentence ("在整改工作中，给予党纪政务处分3人，……追缴资金23.8万元") is a total too.
            if len(said) < 2 and not (plain and figure_count(ln.text) >= 2):
                break
            end -= 1
        return end

    def _title(self, lines: list[_Line]) -> list[_Line]:
        lead: list[_Line] = []
        for ln in lines[:3]:
            if ln.kind != "text" or _LABEL_RE.search(ln.text) or ln.text.endswith(("：", ":")):
                break
            lead.append(ln)
            joined = "".join(x.text for x in lead)
            if len(joined) <= 100 and "。" not in joined and _TITLE_END.search(joined):
                self.result.title = _ledger_title(joined)
                self._kind(joined)
                rest = lines[len(lead) :]
                # A title printed twice (or its second half again) is listed, not read as the preamble.
                while rest and rest[0].kind == "text" and rest[0].text in (joined, lead[-1].text):
                    self._skip(rest.pop(0), "重复的标题")
                return rest
        return lines

    def _kind(self, title: str) -> None:
        for kind in ("审计", "督查", "巡察"):
            if kind in title:
                self.result.kind = kind
                return
        if "巡视" in title:
            self.result.kind = "巡察"


def _ledger_title(title: str) -> str:
    """The notice's or plan's title as the ledger's: "…整改情况的通报" → "…整改落实台账"."""
    t = " ".join(title.split())
    t2 = re.sub(r"(?:的)?整改(?:落实|进展|工作)?(?:情况)?的?(?:通报|报告|方案)$", "整改落实台账", t)
    return t2
