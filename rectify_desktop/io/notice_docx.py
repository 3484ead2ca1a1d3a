"""The Word document of 生成通报 / 生成报告, laid out as GB/T 9704-2012 says: A4; margins 37/35/28/26 mm; body
3号仿宋 in 22 lines of 28 characters; title 2号小标宋; headings 黑体, 楷体, 仿宋 bold; page numbers "— 1 —" in
4号宋体 on the outer side.

The GB/T 9704 fonts (仿宋_GB2312, 楷体_GB2312, 方正小标宋简体) are missing from a stock Windows or WPS machine:
the font table names the fonts those have (仿宋, 楷体, 宋体) as their alternatives, with the GB2312 character set
and fixed pitch, so that Word and WPS substitute a font of the same widths and the 28-character line holds.
python-docx's template leaves its own properties (Microsoft Macintosh Word, a blank thumbnail): they are
replaced by the document's own (author 填报单位, title, dates).
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from typing import Any

from rectify_desktop.io.notice_text import Block, setting

# GB/T 9704-2012 fonts; the ledger's settings (font_body, font_title, font_heading1, font_heading2, font_page)
# may name others.
FONTS: dict[str, str] = {
    "body": "仿宋_GB2312",
    "title": "方正小标宋简体",
    "heading1": "黑体",
    "heading2": "楷体_GB2312",
    "page": "宋体",
}
# What a machine without the GB/T 9704 fonts uses instead (w:altName in the font table): fonts stock Windows
# (FangSong, KaiTi, SimSun, SimHei) and WPS have, each with the panose of the font it stands for.
FONT_FALLBACKS: dict[str, tuple[str, str]] = {
    "仿宋_GB2312": ("仿宋", "02010609060101010101"),
    "楷体_GB2312": ("楷体", "02010609060101010101"),
    "方正小标宋简体": ("宋体", "02010600030101010101"),
    "方正小标宋_GBK": ("宋体", "02010600030101010101"),
    "仿宋": ("FangSong", "02010609060101010101"),
    "楷体": ("KaiTi", "02010609060101010101"),
    "黑体": ("SimHei", "02010609060101010101"),
    "宋体": ("SimSun", "02010600030101010101"),
}
APPLICATION = "整改台账 Rectify Desktop"
LATIN = "Times New Roman"
BODY_PT = 16.0  # 3号
TITLE_PT = 22.0  # 2号
PAGE_PT = 14.0  # 4号
LINE_PT = 28.95  # 22 lines in the 225 mm type area
LINE_PITCH_TWIPS = 579  # 28.95 pt
# The text is condensed by 0.25 pt (a 15.75 pt advance, the 号数制's own 3号): 28 characters take 441 pt of the
# 442.2 pt type width in Word, WPS and LibreOffice alike. The document grid is a line grid only: with a
# character grid (linesAndChars) LibreOffice lays out 27 characters a line even in paragraphs that do not snap
# to it, while Word and WPS lay those out at their own width anyway.
CONDENSE_TWENTIETHS = -5
GRID_TYPE = "lines"
# Body text justified (两端对齐), as GB/T 9704 sets it, with hanging punctuation off. LibreOffice lets a line's
# last punctuation mark hang into the margin and, in a justified paragraph, does not paint it (5 of the demo
# notice's 117 commas and 2 of its 28 semicolons were missing on paper). w:overflowPunct switches hanging, and
# LibreOffice (7.4 to 24.x, writerfilter's DomainMapper) reads it the other way round from ECMA-376: val="1" is
# hanging off there, val="0" hanging on. So the Normal style says val="1": in Word and WPS that is their own
# default (punctuation may overflow, and they paint it), in LibreOffice no mark hangs, every one is printed and
# a line holds 28 characters (27 spread when the 29th would be a mark). tests/io/test_notice_paper.py counts
# the marks on paper.
BODY_ALIGN_LEFT = False
OVERFLOW_PUNCT = "1"


def _fonts() -> dict[str, str]:
    return {k: setting(f"font_{k}", v) for k, v in FONTS.items()}


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


def _indent_chars(
    paragraph: Any, *, first: float = 0, left: float = 0, right: float = 0, size: float = BODY_PT
) -> None:
    """Indents in characters (w:firstLineChars …) with the same in points for programs that ignore them."""
    from docx.oxml.ns import qn
    from docx.shared import Pt

    pf = paragraph.paragraph_format
    ind = paragraph._p.get_or_add_pPr().get_or_add_ind()
    if first:
        pf.first_line_indent = Pt(size * first)
        ind.set(qn("w:firstLineChars"), str(round(first * 100)))
    if left:
        pf.left_indent = Pt(size * left)
        ind.set(qn("w:leftChars"), str(round(left * 100)))
    if right:
        pf.right_indent = Pt(size * right)
        ind.set(qn("w:rightChars"), str(round(right * 100)))


# CT_PPr's order of children (ECMA-376 17.3.1.26): Word refuses a paragraph whose properties are out of order.
_PPR_ORDER = (
    "pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
    "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap", "overflowPunct",
    "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd", "snapToGrid", "spacing", "ind",
    "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc", "textDirection", "textAlignment",
    "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr", "pPrChange",
)  # fmt: skip


def _ppr_flag(ppr: Any, tag: str, value: str, *, keep: bool = False) -> None:
    """Sets w:<tag> w:val=value in paragraph properties, in its place among the others (`keep`: one there
    already stays as it is)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    el = ppr.find(qn(f"w:{tag}"))
    if el is None:
        el = OxmlElement(f"w:{tag}")
        rank = _PPR_ORDER.index(tag)
        later = {qn(f"w:{t}") for t in _PPR_ORDER[rank + 1 :]}
        at = next((i for i, child in enumerate(ppr) if child.tag in later), None)
        if at is None:
            ppr.append(el)
        else:
            ppr.insert(at, el)
    elif keep:
        return
    el.set(qn("w:val"), value)


def _no_grid_snap(paragraph: Any) -> None:
    """A paragraph (or paragraph style) whose characters are not put on the document grid."""
    ppr = paragraph.element.get_or_add_pPr() if hasattr(paragraph, "type") else paragraph._p.get_or_add_pPr()
    _ppr_flag(ppr, "snapToGrid", "0", keep=True)


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
    grid.set(qn("w:type"), GRID_TYPE)
    grid.set(qn("w:linePitch"), str(LINE_PITCH_TWIPS))
    if qn("w:charSpace") in grid.attrib:
        del grid.attrib[qn("w:charSpace")]

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
    _ppr_flag(normal.element.get_or_add_pPr(), "overflowPunct", OVERFLOW_PUNCT)


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


def build_document(
    blocks: list[Block],
    title: str,
    author: str,
    *,
    copy_paragraphs: bool | None = None,
    when: dt.datetime | None = None,
) -> Any:
    """The python-docx Document of the blocks; `author` is the 填报单位, `when` the created/modified time."""
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
    made: dict[tuple[str, float], Any] = {}
    copying = COPY_PARAGRAPHS if copy_paragraphs is None else copy_paragraphs
    for b in blocks:
        text = _XML_ILLEGAL.sub("", b.text)
        key = (b.style, b.right_chars)
        proto = made.get(key) if copying else None
        if proto is not None and text and not _SPECIAL.search(text) and not b.bold_chars:
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
            p.alignment = WD_ALIGN_PARAGRAPH.LEFT if BODY_ALIGN_LEFT else WD_ALIGN_PARAGRAPH.JUSTIFY
            _run(p, text, east, size, bold, condense=CONDENSE_TWENTIETHS)
        else:
            p.alignment = WD_ALIGN_PARAGRAPH.LEFT if BODY_ALIGN_LEFT else WD_ALIGN_PARAGRAPH.JUSTIFY
            _indent_chars(p, first=2)
            if b.style in ("h1", "h2", "h3"):
                p.paragraph_format.keep_with_next = True
            if b.bold_chars:
                head = _XML_ILLEGAL.sub("", b.text[: b.bold_chars])
                _run(p, head, east, size, True, condense=CONDENSE_TWENTIETHS)
                text = _XML_ILLEGAL.sub("", b.text[b.bold_chars :])
            _run(p, text, east, size, bold, condense=CONDENSE_TWENTIETHS)
        # A model of its kind when it came out as one run of plain text.
        if not b.bold_chars and text and not _SPECIAL.search(text) and len(p._p.findall(qn("w:r"))) == 1:
            made[key] = copy.deepcopy(p._p)
    _keep_signature_with_text(doc, blocks)
    # Page numbers on the outer side: odd pages at the right, even pages at the left, one character in.
    doc.settings.odd_and_even_pages_header_footer = True
    sec = doc.sections[0]
    _page_number(sec.footer.paragraphs[0], WD_ALIGN_PARAGRAPH.RIGHT, fonts["page"], right=1)
    _page_number(sec.even_page_footer.paragraphs[0], WD_ALIGN_PARAGRAPH.LEFT, fonts["page"], left=1)
    _finish_package(doc, title, author, when or dt.datetime.now(), fonts)
    return doc


def _keep_signature_with_text(doc: Any, blocks: list[Block]) -> None:
    """The signature and date never on a page of their own (GB/T 9704 7.3.5: the text's last lines go with
    them): the last body paragraph, the blank line and the signature are each kept with the next. Justified
    without hanging punctuation, the demo notice's last page held only these two lines."""
    from docx.oxml.ns import qn
    from docx.text.paragraph import Paragraph

    at = next((i for i, b in enumerate(blocks) if b.style == "signature"), None)
    if at is None:
        return
    paragraphs = doc.element.body.findall(qn("w:p"))  # one a block, in order
    for i in range(max(0, at - 2), at + 1):
        if i < len(paragraphs) and blocks[i].style in ("body", "blank", "signature"):
            Paragraph(paragraphs[i], doc._body).paragraph_format.keep_with_next = True


def _finish_package(doc: Any, title: str, author: str, when: dt.datetime, fonts: dict[str, str]) -> None:
    """The document's own properties in place of the template's: author (填报单位), title, dates, this program as
    the application, no thumbnail (python-docx's is a blank page), and the fonts' alternatives in the font table."""
    from lxml import etree

    props = doc.core_properties
    props.title = title
    props.author = author
    props.last_modified_by = author
    props.comments = "由整改台账生成"
    props.subject = props.keywords = props.category = ""
    props.revision = 1
    when = when.replace(microsecond=0, tzinfo=None)
    props.created = props.modified = when
    package = doc.part.package
    for rid, rel in list(package.rels.items()):
        if rel.reltype.endswith("/metadata/thumbnail"):
            del package.rels[rid]
    for part in package.iter_parts():
        name = str(part.partname)
        if name == "/docProps/app.xml":
            part._blob = _app_xml(title)
        elif name == "/word/fontTable.xml":
            root = etree.fromstring(part.blob)
            _font_fallbacks(root, sorted(set(fonts.values())))
            part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _app_xml(title: str) -> bytes:
    from xml.sax.saxutils import escape

    return (
        "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
        'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
        f"<Template>Normal.dotm</Template><TotalTime>0</TotalTime><Application>{escape(APPLICATION)}</Application>"
        "<DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop>"
        '<TitlesOfParts><vt:vector size="1" baseType="lpstr">'
        f"<vt:lpstr>{escape(title)}</vt:lpstr></vt:vector></TitlesOfParts>"
        "<LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc>"
        "<HyperlinksChanged>false</HyperlinksChanged></Properties>"
    ).encode()


def _font_fallbacks(root: Any, names: list[str]) -> None:
    """A w:font entry for each CJK font the document names: its stock alternative (w:altName), the GB2312
    character set (86), fixed pitch and its panose, which Word and WPS match a missing font by."""
    from docx.oxml.ns import qn

    known = {el.get(qn("w:name")): el for el in root.findall(qn("w:font"))}
    for name in names:
        if name in known or name == LATIN:
            continue
        font = root.makeelement(qn("w:font"), {qn("w:name"): name})
        alt, panose = FONT_FALLBACKS.get(name, ("宋体", "02010600030101010101"))
        if alt != name:
            font.append(font.makeelement(qn("w:altName"), {qn("w:val"): alt}))
        for tag, value in (("panose1", panose), ("charset", "86"), ("family", "modern"), ("pitch", "fixed")):
            font.append(font.makeelement(qn(f"w:{tag}"), {qn("w:val"): value}))
        root.append(font)
