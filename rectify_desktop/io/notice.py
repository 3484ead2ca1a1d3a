"""生成通报 / 生成报告: the rectification notice (整改情况通报) or report (整改情况报告) drafted from the ledger.

The figures come from `core.stats` (the headline sentence), the counts of meetings and rules from the
registers, and every category, finding, item and measure from the ledger, so that the draft's numbers are
right; the clerk edits the wording afterwards in Word or WPS.

One list of blocks (title, headings, paragraphs, signature) makes both outputs: the plain text (OUT.txt,
UTF-8 with BOM, for pasting into a web form, and readable again by `text_import.parse_text`) and the Word
document, laid out as GB/T 9704-2012 says (A4; margins 37/35/28/26 mm; body 3号仿宋 in 22 lines of 28
characters; title 2号小标宋; headings 黑体, 楷体, 仿宋 bold; page numbers "— 1 —" in 4号宋体).

No Qt here; the ledger must be open (the models' database).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rectify_desktop.core import outfile, rules, stats
from rectify_desktop.core.models import (
    IN_PROGRESS,
    NOT_STARTED,
    ONGOING,
    Category,
    Finding,
    Inspection,
    Institution,
    Item,
    Measure,
    Meeting,
    Setting,
)
from rectify_desktop.core.storage import LedgerError
from rectify_desktop.io.text_import import STATUS_PHRASES, status_in

KINDS: dict[str, str] = {"notice": "通报", "report": "报告"}
_KIND_ALIASES = {"notice": "notice", "通报": "notice", "report": "report", "报告": "report"}
PLACEHOLDER = "××××××××"
CHARS_PER_LINE = 28
TITLE_CHARS_PER_LINE = 20  # 2号 (22 pt) characters across the 156 mm type area

# GB/T 9704-2012 fonts. Windows has 仿宋/楷体 without the _GB2312 suffix; Word and WPS substitute, and the
# ledger's settings (font_body, font_title, font_heading1, font_heading2, font_page) may name others.
FONTS: dict[str, str] = {
    "body": "仿宋_GB2312",
    "title": "方正小标宋简体",
    "heading1": "黑体",
    "heading2": "楷体_GB2312",
    "page": "宋体",
}
LATIN = "Times New Roman"
BODY_PT = 16.0  # 3号
TITLE_PT = 22.0  # 2号
PAGE_PT = 14.0  # 4号
LINE_PT = 28.95  # 22 lines in the 225 mm type area
LINE_PITCH_TWIPS = 579  # 28.95 pt
# Word's character pitch is the Normal font size plus charSpace/4096 pt: 156 mm / 28 = 15.793 pt.
CHAR_SPACE = -849
# Paragraphs do not snap to that grid: LibreOffice gives a 16 pt character two 15.79 pt cells (14 characters
# a line). Instead the text is condensed by 0.25 pt (a 15.75 pt advance, the 号数制's own 3号), which makes
# 28 characters a line in Word, WPS and LibreOffice alike; the exact line spacing makes the 22 lines.
CONDENSE_TWENTIETHS = -5


@dataclass
class Block:
    """One paragraph of the document: its style and text (a title may carry its own line breaks)."""

    style: str  # title, blank, salutation, body, h1, h2, h3, signature, date, note
    text: str
    lines: tuple[str, ...] = ()
    right_chars: int = 0  # signature and date: characters left empty at the right


# --- settings and names --------------------------------------------------------------------------------


def _setting(key: str, default: str = "") -> str:
    row = Setting.get_or_none(Setting.key == key)
    value = row.value.strip() if row and row.value else ""
    return value or default


def normalise_kind(kind: str | None) -> str:
    k = _KIND_ALIASES.get((kind or "notice").strip().lower())
    if k is None:
        raise LedgerError(f"文档类型只能是 notice（通报）或 report（报告），而不是“{kind}”")
    return k


def _word(insp: Inspection) -> str:
    return {"巡察": "巡察", "审计": "审计", "督查": "督查"}.get(insp.kind, "检查")


def issuer_of(insp: Inspection) -> str:
    """Who signs: the setting unit_name, else the part of the ledger's title before 关于, else the unit."""
    unit = _setting("unit_name")
    if unit:
        return unit
    title = (insp.title or "").strip()
    if "关于" in title:
        head = title.split("关于", 1)[0].strip()
        if 2 <= len(head) <= 30:
            return head
    return insp.inspected_unit.strip() or "本单位"


def short_body(body: str, issuer: str) -> str:
    """中共临川县委第三巡察组, signed by 中共临川县教育局党组 → 县委第三巡察组, as titles write it."""
    b = (body or "").strip()
    if not b:
        return ""
    b = b.removeprefix("中共")
    i = issuer.removeprefix("中共")
    n = 0
    while n < min(len(b), len(i)) and b[n] == i[n]:
        n += 1
    # The shared place name ends with 省/市/县/区/州/旗: keep its last character (县委 …).
    for k in range(n, 0, -1):
        if b[k - 1] in "省市县区州旗盟" and k < len(b):
            return b[k - 1 :]
    return b


def cn_date(d: dt.date) -> str:
    """2026-11-28 → 二〇二六年十一月二十八日, as a signature date is written."""
    year = "".join("〇一二三四五六七八九"[int(c)] for c in str(d.year))
    return f"{year}年{rules.cn_number(d.month)}月{rules.cn_number(d.day)}日"


def _ar_date(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _period(start: dt.date | None, end: dt.date | None) -> str:
    if start and end:
        if start.year == end.year:
            return f"{_ar_date(start)}至{end.month}月{end.day}日"
        return f"{_ar_date(start)}至{_ar_date(end)}"
    if start:
        return f"{_ar_date(start)}起"
    return ""


def document_title(insp: Inspection, kind: str) -> str:
    issuer = issuer_of(insp)
    body = short_body(insp.inspecting_body, issuer)
    what = f"{body}反馈意见" if body else f"{_word(insp)}反馈意见"
    return f"{issuer}关于{what}整改情况的{KINDS[normalise_kind(kind)]}"


def title_lines(title: str, per_line: int = TITLE_CHARS_PER_LINE) -> tuple[str, ...]:
    """A long title broken where its words allow, in lines of similar length (GB/T 9704: 梯形或菱形)."""
    if len(title) <= per_line:
        return (title,)
    natural = set()
    for word in ("关于", "反馈", "整改", "的通报", "的报告"):
        at = title.find(word, 1)
        if at > 0:
            natural.add(at)
    at = title.find("关于")
    if at >= 0:
        end = title.find("组", at)
        if end > 0:
            natural.add(end + 1)
    best: tuple[float, int] | None = None
    for k in range(1, len(title)):
        a, b = k, len(title) - k
        if a > per_line:
            break
        if b > per_line and len(title) <= 2 * per_line:
            continue
        cost = abs(a - b) + (0 if k in natural else 10)
        if best is None or cost < best[0]:
            best = (cost, k)
    if best is None:
        return (title,)
    k = best[1]
    return (title[:k], *title_lines(title[k:], per_line))


# --- the content ---------------------------------------------------------------------------------------


def _flat(text: str) -> str:
    """A ledger text as one paragraph: lines joined (as the import joins them back)."""
    return "".join(part.strip() for part in (text or "").splitlines())


def _flat_title(text: str) -> str:
    return " ".join((text or "").split())


# What the notice writes for an item's status when the clerk's own words do not say it: the status by the name the
# window gives it, 长期坚持, not the importer's 持续整改 (DOMAIN.md: one status, "also called 持续整改"), so the
# notice's headline (长期坚持N项) and its items name the same thing the same way.
_PHRASES = {**STATUS_PHRASES, ONGOING: ONGOING}


def _progress(status: str, progress: str) -> str:
    p = _flat(progress)
    phrase = _PHRASES.get(status, _PHRASES[NOT_STARTED])
    if not p:
        return phrase + "。"
    if status_in(p) != status:
        return f"{phrase}。{p}"
    return p


def build(inspection_id: int, kind: str = "notice", today: dt.date | None = None) -> list[Block]:
    """The document's paragraphs, from the open ledger."""
    kind = normalise_kind(kind)
    insp = Inspection.get_or_none(Inspection.id == inspection_id)
    if insp is None:
        raise LedgerError(f"台账中没有编号为 {inspection_id} 的巡察")
    today = today or dt.date.today()
    s = stats.compute(inspection_id, today)
    word = _word(insp)
    issuer = issuer_of(insp)
    body = insp.inspecting_body.strip()
    body_s = short_body(body, issuer)
    unit = insp.inspected_unit.strip() or issuer
    title = document_title(insp, kind)
    blocks = [Block("title", title, title_lines(title)), Block("blank", "")]

    # The opening.
    opening = []
    period = _period(insp.period_start, insp.period_end)
    if body:
        opening.append(f"{period + '，' if period else ''}{body}对{unit}开展了{word}。")
    if insp.feedback_date:
        who = body_s or f"{word}组"
        opening.append(f"{_ar_date(insp.feedback_date)}，{who}向{unit}反馈了{word}意见。")
    if kind == "notice":
        opening.append(f"按照党务公开原则和{word}工作有关要求，现将{word}整改情况予以公布。")
    else:
        to = _setting("report_to", body_s or f"{word}工作领导小组")
        blocks.append(Block("salutation", f"{to}："))
        opening.append(
            f"{issuer}坚持把抓好{word}整改作为重大政治任务，对照反馈意见逐项研究、逐条整改。现将整改情况报告如下。"
        )
    blocks.append(Block("body", "".join(opening)))

    # 一、 the organisational work, with the registers' counts and the headline.
    blocks.append(Block("h1", "一、整改工作开展情况"))
    notes = [line.strip() for line in (insp.notes or "").splitlines() if line.strip()]
    if not notes:
        notes = ["（请在此补充整改工作的组织开展情况：召开会议传达部署、成立整改工作领导小组、制定整改方案等。）"]
    blocks += [Block("body", n) for n in notes]
    figures = []
    meetings = Counter(
        k.strip() or "专题会议"
        for (k,) in Meeting.select(Meeting.kind)
        .where(Meeting.inspection == inspection_id)
        .order_by(Meeting.position, Meeting.id)
        .tuples()
    )
    if len(meetings) == 1:
        (k, n), *_ = meetings.items()
        figures.append(f"召开{k}{n}次")
    elif meetings:
        figures.append("先后召开" + "、".join(f"{k}{n}次" for k, n in meetings.items()))
    rule_titles = [
        t.strip().strip("《》")
        for (t,) in Institution.select(Institution.title)
        .where(Institution.inspection == inspection_id)
        .order_by(Institution.position, Institution.id)
        .tuples()
    ]
    if rule_titles:
        named = [t for t in rule_titles if t and not t.startswith("（")][:10]
        listed = "".join(f"《{t}》" for t in named) + ("等" if named else "")
        figures.append(f"制定完善{listed}制度{len(rule_titles)}项")
    para = ("反馈以来，" + "，".join(figures) + "。") if figures else ""
    para += f"截至{_ar_date(today)}，{s.headline(word)}。"
    blocks.append(Block("body", para))

    # 二、 one section per category, finding and item.
    blocks.append(Block("h1", f"二、{word}反馈问题整改落实情况"))
    cats = list(Category.select().where(Category.inspection == inspection_id).order_by(Category.position, Category.id))
    # The findings, items and measures in three queries, not one per finding and one per item: a notice of
    # 10,000 items made 12,000 queries.
    in_inspection = Category.inspection == inspection_id
    findings_of: dict[int, list[Finding]] = defaultdict(list)
    for f in Finding.select().join(Category).where(in_inspection).order_by(Finding.position, Finding.id):
        findings_of[f.category_id].append(f)
    items_of: dict[int, list[Item]] = defaultdict(list)
    for it in Item.select().join(Finding).join(Category).where(in_inspection).order_by(Item.position, Item.id):
        items_of[it.finding_id].append(it)
    measures_of: dict[int, list[str]] = defaultdict(list)
    for item_id, text in (
        Measure.select(Measure.item, Measure.text)
        .join(Item)
        .join(Finding)
        .join(Category)
        .where(in_inspection)
        .order_by(Measure.position, Measure.id)
        .tuples()
    ):
        measures_of[item_id].append(_flat(text))
    for ci, cat in enumerate(cats, 1):
        blocks.append(Block("h2", f"{rules.category_label(ci)}{_flat_title(cat.title)}"))
        for f in findings_of.get(cat.id, ()):
            f_title = _flat_title(f.title)
            blocks.append(Block("h3", f"{rules.finding_label(f.number)}{f_title}"))
            items = items_of.get(f.id, [])
            alone = len(items) == 1 and _flat_title(items[0].title) == f_title
            for it in items:
                if not alone:
                    blocks.append(Block("body", f"{rules.item_label(it.number)}{_flat_title(it.title)}"))
                measures = rules.measures_text(measures_of.get(it.id, []), sep="")
                if measures:
                    blocks.append(Block("body", f"整改情况：{measures}"))
                blocks.append(Block("body", f"整改进展：{_progress(it.status, it.progress)}"))

    # 三、 next steps, the closing and the signature.
    blocks.append(Block("h1", "三、下一步工作打算"))
    steps = [f"下一步，{issuer}将坚持目标不变、标准不降、力度不减，持续抓好{word}反馈问题整改落实。"]
    clauses = []
    rest = s.status[IN_PROGRESS] + s.status[NOT_STARTED]
    if rest:
        clauses.append(f"对尚未完成的{rest}项整改任务，紧盯时间节点，加强跟踪督办，确保按期整改到位")
    if s.status[ONGOING]:
        clauses.append(f"对需要长期坚持的{s.status[ONGOING]}项整改任务，建立健全长效机制，持续推进落实")
    clauses.append("对已完成的整改事项适时开展“回头看”，巩固整改成果，坚决防止问题反弹回潮")
    steps.append("；".join(clauses) + "。")
    steps.append(f"坚持以{word}整改为契机，举一反三、标本兼治，以整改实效推动各项工作高质量发展。")
    blocks.append(Block("body", "".join(steps)))
    phone = _setting("contact_phone", PLACEHOLDER)
    if kind == "notice":
        contact = [f"联系电话：{phone}"]
        for key, label in (("contact_address", "通信地址"), ("contact_email", "电子邮箱")):
            value = _setting(key)
            if value:
                contact.append(f"{label}：{value}")
        blocks.append(
            Block(
                "body",
                f"欢迎广大干部群众对{word}整改落实情况进行监督。如有意见建议，请及时向我们反映。"
                + "；".join(contact)
                + "。",
            )
        )
    else:
        blocks.append(Block("body", "特此报告。"))
    blocks.append(Block("blank", ""))
    date = cn_date(today)
    # GB/T 9704 7.3.5.2: the signature 2 characters from the right, the date's first character 2 to the
    # right of the signature's; a date longer than the signature stays 2 from the right.
    sig_right, date_right = 2, len(issuer) - len(date)
    if date_right < 2:
        date_right, sig_right = 2, 4 + len(date) - len(issuer)
    sig_right = max(0, min(sig_right, CHARS_PER_LINE - len(issuer)))
    blocks.append(Block("signature", issuer, right_chars=sig_right))
    blocks.append(Block("date", date, right_chars=date_right))
    if kind == "report":
        person = _setting("contact_person", "×××")
        blocks.append(Block("note", f"（联系人：{person}，联系电话：{phone}）"))
    return blocks


# --- plain text ----------------------------------------------------------------------------------------

_INDENTED = ("body", "h1", "h2", "h3", "note")


def _text_of(blocks: list[Block]) -> str:
    out = []
    for b in blocks:
        if b.style in _INDENTED:
            out.append("\u3000\u3000" + b.text)
        elif b.style in ("signature", "date"):
            pad = max(0, CHARS_PER_LINE - b.right_chars - len(b.text))
            out.append("\u3000" * pad + b.text)
        else:
            out.append(b.text)
    return "\n".join(out) + "\n"


def notice_text(inspection_id: int, kind: str = "notice", today: dt.date | None = None) -> str:
    """The notice or report as plain text with its outline markers (the ledger must be open)."""
    return _text_of(build(inspection_id, kind, today))


def _atomic_write(out: Path, data: bytes, ledgers: Iterable[str | os.PathLike[str]] = ()) -> Path:
    """Writes the finished document whole or not at all (core.outfile), never onto a ledger. The document
    is made in memory first: a zip archive failing on a full disk halfway must not be left to close itself
    at exit, and the bytes are then written with each write and the close checked."""
    out = Path(out)
    with outfile.atomic_output(out, ledgers=ledgers, kind=out.suffix.lstrip(".").lower()) as tmp:
        outfile.write_bytes(tmp, data)
    return out


def write_text(
    inspection_id: int,
    out: Path,
    kind: str = "notice",
    today: dt.date | None = None,
    *,
    ledgers: Iterable[str | os.PathLike[str]] = (),
) -> Path:
    """OUT.txt: UTF-8 with BOM and Windows line ends, so that Notepad shows it right."""
    outfile.check_target(out, ledgers)  # before the work, as well as when writing
    text = notice_text(inspection_id, kind, today)
    data = ("\ufeff" + text.replace("\n", "\r\n")).encode("utf-8")
    return _atomic_write(Path(out), data, ledgers)


# --- Word ----------------------------------------------------------------------------------------------


def _fonts() -> dict[str, str]:
    return {k: _setting(f"font_{k}", v) for k, v in FONTS.items()}


def _set_rfonts(rpr: Any, east: str, latin: str = LATIN) -> None:
    from docx.oxml.ns import qn

    rfonts = rpr.get_or_add_rFonts()
    for attr in list(rfonts.attrib):
        if "Theme" in attr or "theme" in attr:
            del rfonts.attrib[attr]
    rfonts.set(qn("w:ascii"), latin)
    rfonts.set(qn("w:hAnsi"), latin)
    rfonts.set(qn("w:cs"), latin)
    rfonts.set(qn("w:eastAsia"), east)
    rfonts.set(qn("w:hint"), "eastAsia")


_RPR_AFTER_SPACING = (
    "w:w", "w:kern", "w:position", "w:sz", "w:szCs", "w:highlight", "w:u", "w:effect", "w:bdr", "w:shd",
    "w:fitText", "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang", "w:eastAsianLayout", "w:specVanish", "w:oMath",
)  # fmt: skip


def _set_spacing(rpr: Any, twentieths: int) -> None:
    """Character spacing (w:spacing in rPr): negative condenses."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    el = rpr.find(qn("w:spacing"))
    if el is None:
        el = OxmlElement("w:spacing")
        rpr.insert_element_before(el, *_RPR_AFTER_SPACING)
    el.set(qn("w:val"), str(twentieths))


def _run(
    paragraph: Any, text: str, east: str, size: float, bold: bool = False, latin: str = LATIN, condense: int = 0
) -> Any:
    from docx.shared import Pt

    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.font.bold = bold
    rpr = run._r.get_or_add_rPr()
    _set_rfonts(rpr, east, latin)
    _set_spacing(rpr, condense)
    return run


def _indent_chars(paragraph: Any, *, first: int = 0, left: int = 0, right: int = 0, size: float = BODY_PT) -> None:
    """Indents in characters (w:firstLineChars …) with the same in points for programs that ignore them."""
    from docx.oxml.ns import qn
    from docx.shared import Pt

    pf = paragraph.paragraph_format
    ind = paragraph._p.get_or_add_pPr().get_or_add_ind()
    if first:
        pf.first_line_indent = Pt(size * first)
        ind.set(qn("w:firstLineChars"), str(first * 100))
    if left:
        pf.left_indent = Pt(size * left)
        ind.set(qn("w:leftChars"), str(left * 100))
    if right:
        pf.right_indent = Pt(size * right)
        ind.set(qn("w:rightChars"), str(right * 100))


def _no_grid_snap(paragraph: Any) -> None:
    """A paragraph (or paragraph style) whose characters are not put on the document grid."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    ppr = paragraph.element.get_or_add_pPr() if hasattr(paragraph, "type") else paragraph._p.get_or_add_pPr()
    if ppr.find(qn("w:snapToGrid")) is not None:
        return
    snap = OxmlElement("w:snapToGrid")
    snap.set(qn("w:val"), "0")
    # CT_PPr's order: pStyle, keepNext, keepLines, pageBreakBefore, framePr, widowControl, numPr,
    # suppressLineNumbers, pBdr, shd, tabs, suppressAutoHyphens, kinsoku, wordWrap, overflowPunct,
    # topLinePunct, autoSpaceDE, autoSpaceDN, bidi, adjustRightInd, snapToGrid, spacing, ind, …
    later = {qn(f"w:{t}") for t in ("spacing", "ind", "contextualSpacing", "mirrorIndents", "jc", "rPr", "sectPr")}
    for i, child in enumerate(ppr):
        if child.tag in later:
            ppr.insert(i, snap)
            return
    ppr.append(snap)


def _page_number(paragraph: Any, align: Any, font: str, *, left: int = 0, right: int = 0) -> None:
    """ "— 1 —": a PAGE field between em dashes, 4号宋体, one character in from the outer edge."""
    from docx.enum.text import WD_LINE_SPACING
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    paragraph.alignment = align
    pf = paragraph.paragraph_format
    pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
    pf.space_before = pf.space_after = 0
    _indent_chars(paragraph, left=left, right=right, size=PAGE_PT)
    _no_grid_snap(paragraph)
    _run(paragraph, "— ", font, PAGE_PT, latin=font)
    for kind, text in (("begin", None), ("instr", " PAGE "), ("separate", None), ("text", "1"), ("end", None)):
        run = _run(paragraph, "", font, PAGE_PT, latin=font)
        if kind == "instr":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
            run._r.append(el)
        elif kind == "text":
            run.text = text
        else:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
            run._r.append(el)
    _run(paragraph, " —", font, PAGE_PT, latin=font)


def _setup(doc: Any, fonts: dict[str, str]) -> None:
    from docx.enum.text import WD_LINE_SPACING
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    sec = doc.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.top_margin, sec.bottom_margin = Mm(37), Mm(35)
    sec.left_margin, sec.right_margin = Mm(28), Mm(26)
    sec.gutter = 0
    sec.header_distance = Mm(15)
    # The page number's dashes sit 7 mm under the type area: 35 - 7 - its line (about 5 mm).
    sec.footer_distance = Mm(23)
    sect = sec._sectPr
    grid = sect.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sect.append(grid)
    grid.set(qn("w:type"), "linesAndChars")
    grid.set(qn("w:linePitch"), str(LINE_PITCH_TWIPS))
    grid.set(qn("w:charSpace"), str(CHAR_SPACE))

    # Document defaults and Normal: 3号仿宋, exact 28.95 pt lines, no space between paragraphs, Chinese.
    styles = doc.styles.element
    rpr_default = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_rfonts(rpr_default, fonts["body"])
    for tag in ("w:sz", "w:szCs"):
        el = rpr_default.find(qn(tag))
        if el is not None:
            el.set(qn("w:val"), str(int(BODY_PT * 2)))
    lang = rpr_default.find(qn("w:lang"))
    if lang is not None:
        lang.set(qn("w:val"), "en-US")
        lang.set(qn("w:eastAsia"), "zh-CN")
    ppr_default = styles.find(qn("w:docDefaults")).find(qn("w:pPrDefault")).find(qn("w:pPr"))
    spacing = ppr_default.find(qn("w:spacing"))
    if spacing is not None:
        ppr_default.remove(spacing)
    normal = doc.styles["Normal"]
    normal.font.size = Pt(BODY_PT)
    _set_rfonts(normal.element.get_or_add_rPr(), fonts["body"])
    pf = normal.paragraph_format
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = Pt(LINE_PT)
    pf.space_before = pf.space_after = Pt(0)
    # Widow control would leave lines empty at a page's foot and break the 22-line grid.
    pf.widow_control = False
    _set_spacing(normal.element.get_or_add_rPr(), CONDENSE_TWENTIETHS)
    _no_grid_snap(normal)


# What XML cannot hold (python-docx would refuse the whole document for one such character in a title).
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Texts python-docx turns into more than one element (tabs, line breaks): made its own way, not copied.
_SPECIAL = re.compile("[\t\n\r]")
# Whether paragraphs of a kind are copied from the first of it (see _build_document). Tests turn it off to
# check that the copies make the same document as python-docx does paragraph by paragraph.
COPY_PARAGRAPHS = True


def _paragraph_before(end: Any, parent: Any) -> Any:
    """A new paragraph put before the body's closing section properties, found once.

    python-docx's Document.add_paragraph looks for the body's sectPr among all its children each time,
    which made a 10,000-item notice take 87 s: the time grew with the square of its paragraphs.
    """
    from docx.oxml import OxmlElement
    from docx.text.paragraph import Paragraph

    p = OxmlElement("w:p")
    end.addprevious(p)
    return Paragraph(p, parent)


def _set_text(p: Any, text: str) -> None:
    """The text of a paragraph copied from one of its kind: its only ``w:t``, as python-docx writes it."""
    from docx.oxml.ns import qn

    t = next(p.iter(qn("w:t")))
    t.text = text
    space = qn("xml:space")
    if len(text.strip()) < len(text):
        t.set(space, "preserve")
    elif space in t.attrib:
        del t.attrib[space]


def _build_document(blocks: list[Block], title: str, author: str) -> Any:
    import copy

    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.oxml.ns import qn
    from docx.shared import Pt

    fonts = _fonts()
    doc = docx.Document()
    _setup(doc, fonts)
    styles = {
        "title": (fonts["title"], TITLE_PT, False),
        "h1": (fonts["heading1"], BODY_PT, False),
        "h2": (fonts["heading2"], BODY_PT, False),
        "h3": (fonts["body"], BODY_PT, True),
    }
    body = doc.element.body
    end = body.sectPr
    # Every paragraph of a kind (body text, a heading level, a signature line) has the same properties and
    # one run: the first is made through python-docx, the others are copies of it with their own text.
    # Making each through python-docx costs 60 element look-ups and insertions a paragraph.
    made: dict[tuple[str, int], Any] = {}
    for b in blocks:
        text = _XML_ILLEGAL.sub("", b.text)
        key = (b.style, b.right_chars)
        proto = made.get(key) if COPY_PARAGRAPHS else None
        if proto is not None and text and not _SPECIAL.search(text):
            clone = copy.deepcopy(proto)
            _set_text(clone, text)
            end.addprevious(clone)
            continue
        p = _paragraph_before(end, doc._body)
        east, size, bold = styles.get(b.style, (fonts["body"], BODY_PT, False))
        if b.style == "title":
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _no_grid_snap(p)
            # Two grid lines per title line: 22 pt characters need more than 28.95 pt.
            p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            p.paragraph_format.line_spacing = Pt(LINE_PT * 1.2)
            for i, line in enumerate(b.lines or (b.text,)):
                run = _run(p, _XML_ILLEGAL.sub("", line), east, size, bold)
                if i < len(b.lines) - 1:
                    run.add_break()
            continue
        if b.style in ("signature", "date"):
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            _indent_chars(p, right=b.right_chars)
            _run(p, text, east, size, bold, condense=CONDENSE_TWENTIETHS)
        elif b.style == "blank":
            pass
        elif b.style == "salutation":
            p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            _run(p, text, east, size, bold, condense=CONDENSE_TWENTIETHS)
        else:
            p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            _indent_chars(p, first=2)
            if b.style in ("h1", "h2", "h3"):
                p.paragraph_format.keep_with_next = True
            _run(p, text, east, size, bold, condense=CONDENSE_TWENTIETHS)
        # A model of its kind when it came out as one run of plain text.
        if text and not _SPECIAL.search(text) and len(p._p.findall(qn("w:r"))) == 1:
            made[key] = copy.deepcopy(p._p)
    # Page numbers on the outer side: odd pages at the right, even pages at the left, one character in.
    doc.settings.odd_and_even_pages_header_footer = True
    sec = doc.sections[0]
    _page_number(sec.footer.paragraphs[0], WD_ALIGN_PARAGRAPH.RIGHT, fonts["page"], right=1)
    _page_number(sec.even_page_footer.paragraphs[0], WD_ALIGN_PARAGRAPH.LEFT, fonts["page"], left=1)
    props = doc.core_properties
    props.title = title
    props.author = author
    props.last_modified_by = author
    props.comments = "由整改台账生成"
    now = dt.datetime.now().replace(microsecond=0)
    props.created = props.modified = now
    return doc


def write_docx(
    inspection_id: int,
    out: Path,
    kind: str = "notice",
    today: dt.date | None = None,
    *,
    ledgers: Iterable[str | os.PathLike[str]] = (),
) -> Path:
    """The notice or report as a Word document at `out`, written whole (core.outfile)."""
    outfile.check_target(out, ledgers)  # before the work, as well as when writing
    blocks = build(inspection_id, kind, today)
    insp = Inspection.get_by_id(inspection_id)
    doc = _build_document(blocks, blocks[0].text, issuer_of(insp))
    buf = io.BytesIO()
    doc.save(buf)
    return _atomic_write(Path(out), buf.getvalue(), ledgers)


def write(
    inspection_id: int,
    out: Path,
    kind: str = "notice",
    today: dt.date | None = None,
    *,
    ledgers: Iterable[str | os.PathLike[str]] = (),
) -> Path:
    """OUT.docx or OUT.txt by its ending."""
    if Path(out).suffix.lower() == ".txt":
        return write_text(inspection_id, out, kind, today, ledgers=ledgers)
    return write_docx(inspection_id, out, kind, today, ledgers=ledgers)


def cli_export(ledger_path: Path, out: Path, args: Any) -> int:
    """`rectify-desktop export LEDGER OUT.docx|OUT.txt [--kind notice|report] [--inspection ID]`."""
    import sys

    from rectify_desktop.core.ledger import Ledger

    try:
        kind = normalise_kind(getattr(args, "kind", None))
    except LedgerError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    with Ledger.open(ledger_path, readonly=True) as ledger:
        try:
            inspection_id = ledger.pick_inspection(getattr(args, "inspection", None))
        except LedgerError as exc:
            print(f"错误：{exc}", file=sys.stderr)
            return 1
        try:
            write(inspection_id, Path(out), kind, ledgers=[ledger_path])
        except LedgerError as exc:
            print(f"错误：{exc}", file=sys.stderr)
            return 1
    print(f"已生成{KINDS[kind]}：{out}")
    return 0
