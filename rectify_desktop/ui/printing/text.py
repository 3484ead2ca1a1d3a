"""Fonts and wrapped text for the printed page (打印版式): a font with its metrics, text broken into lines that
never split a date, a number or a file's extension, and the title broken where offices break it.

Sizes are in layout units (tenths of a point, see layout.UNITS_PER_PT), the fonts sized in them as pixels.
"""

from __future__ import annotations

import math
import re

from PySide6.QtGui import QFont, QFontMetricsF, QTextLayout, QTextOption

from rectify_desktop.ui.printing import fonts as print_fonts

UNITS_PER_PT = 10
LINE_SPACING = 1.3  # line height, in ems of the body font: a table's short lines read well at 1.3
IDEOGRAPHIC_ASCENT = 0.88  # the CJK em box sits 0.88 em above the baseline in 宋体, 仿宋, 黑体 and Noto alike

Line = tuple[str, float]  # a line of text and its width
JOINER = "\u2060"  # the word joiner: no line break on either side of it

# What is never broken across lines (a word joiner between its characters while the text is broken): a date
# ("2027年3月31日", "2027年3月", "3月31日", "2026-08-30"), a number with the unit after it ("1000", "1.2万",
# "30日", "24条"), and a file's extension with the character before it ("报告.pdf", never "报告. / pdf").
_DATE = r"\d{4}年\d{1,2}月(?:\d{1,2}日)?|\d{1,2}月\d{1,2}日|\d{4}[-./]\d{1,2}(?:[-./]\d{1,2})?"
_NUMBER = r"\d+(?:[.,．:：]\d+)*[年月日号时分秒个项条次元万亿%％篇名人所件户]?"
_EXTENSION = r"[^\s.]\.[A-Za-z][A-Za-z0-9]{1,4}(?![A-Za-z0-9])"
TOKEN = re.compile(f"{_DATE}|{_NUMBER}|{_EXTENSION}")


def glued(text: str) -> str:
    """`text` with a word joiner inside every date, number and file extension, so that no line breaks there."""
    return TOKEN.sub(lambda m: JOINER.join(m.group()), text)


# A line never begins with a closing mark nor ends with an opening one (Unicode line breaking), so what cannot be
# broken is the token with the brackets and punctuation around it: "（2026年7月20日）", "学习）.pdf".
_OPEN = "（(「『【《〈“‘"
_CLOSE = "）)」』】》〉”’，。、；：！？,;:!?%％"
_UNIT = re.compile(
    rf"[{_OPEN}]*(?:{_DATE}|{_NUMBER})[{_CLOSE}]*"
    rf"|[^\s][{_CLOSE}]*\.[A-Za-z][A-Za-z0-9]{{1,4}}(?![A-Za-z0-9])[{_CLOSE}]*"
)


def tokens(text: str) -> list[str]:
    """What `text` holds that cannot be broken (a date, number or extension with the marks held to it): a column
    must be at least as wide as the widest."""
    return _UNIT.findall(text)


def _font(family: str, px: int, bold: bool = False) -> QFont:
    f = QFont()
    bundled = print_fonts.register_bundled_font()
    # The bundled font second: glyphs the office font lacks (仿宋_GB2312 has GB2312 only) come from it.
    f.setFamilies([family, bundled] if bundled and bundled != family else [family])
    f.setPixelSize(max(1, px))
    f.setBold(bold)
    f.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
    f.setKerning(True)
    return f


class TextStyle:
    """A font with its metrics and a cache of wrapped texts."""

    def __init__(self, font: QFont) -> None:
        self.font = font
        self.fm = QFontMetricsF(font)
        self.em = float(font.pixelSize())
        self.lh = round(self.em * LINE_SPACING, 2)
        self.base_offset = (self.lh - self.em) / 2 + IDEOGRAPHIC_ASCENT * self.em
        self.option = QTextOption()
        self.option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self._cache: dict[tuple[str, int], list[Line]] = {}

    def family(self) -> str:
        return self.font.families()[0] if self.font.families() else ""

    def width(self, text: str) -> float:
        return self.fm.horizontalAdvance(text)

    def baseline(self, top: float) -> float:
        """The baseline of a line whose box starts at `top`: the ideographic em box centred in the line."""
        return top + self.base_offset

    def wrap(self, text: str, width: float) -> list[Line]:
        """`text` broken into lines no wider than `width` (at word boundaries, or anywhere in a long word),
        keeping its own line breaks; an empty text is one empty line."""
        key = (text, int(width))
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        out: list[Line] = []
        for para in text.rstrip().split("\n"):
            para = para.rstrip()
            if not para:
                out.append(("", 0.0))
                continue
            w = self.fm.horizontalAdvance(para)
            if w <= width:
                out.append((para, w))
                continue
            out += self._break(para, width)
        self._cache[key] = out
        return out

    def wrap_even(self, text: str, width: float) -> list[Line]:
        """A short label (a column header) in as few lines as fit, with the characters shared out evenly:
        "责任/领导", never "责任领/导"."""
        if self.width(text) <= width or "\n" in text:
            return self.wrap(text, width)
        for n in range(2, len(text) + 1):
            size = math.ceil(len(text) / n)
            parts = [text[i : i + size] for i in range(0, len(text), size)]
            if all(self.width(x) <= width for x in parts):
                return [(x, self.width(x)) for x in parts]
        return self.wrap(text, width)

    def _break(self, para: str, width: float) -> list[Line]:
        para = glued(para)  # no line break inside "2027年3月31日", "1000", "报告.pdf"
        # QTextLayout counts UTF-16 code units; a character beyond the BMP (rare hanzi) counts two.
        units = para.encode("utf-16-le")
        wide = len(units) != 2 * len(para)
        layout = QTextLayout(para, self.font)
        layout.setTextOption(self.option)
        layout.beginLayout()
        out: list[Line] = []
        while True:
            line = layout.createLine()
            if not line.isValid():
                break
            line.setLineWidth(width)
            start, length = line.textStart(), line.textLength()
            if wide:
                piece = units[start * 2 : (start + length) * 2].decode("utf-16-le", "replace")
            else:
                piece = para[start : start + length]
            out.append((piece.replace(JOINER, "").rstrip(), line.naturalTextWidth()))
        layout.endLayout()
        return out or [("", 0.0)]


# Where a long title breaks best, as offices break it: after "关于", after the inspection group, before 反馈意见.
_TITLE_BREAKS = re.compile(r"(?<=关于)|(?<=[组队])(?=反馈|关于|巡察|巡视|审计|督查)|(?=反馈意见)|(?=整改落实)|(?<=的)")


def title_lines(style: TextStyle, title: str, width: float) -> list[Line]:
    """A title in one line, else in two broken at a natural place with the halves as even as possible, else
    wrapped."""
    if style.width(title) <= width:
        return [(title, style.width(title))]
    best: tuple[float, list[Line]] | None = None
    for m in _TITLE_BREAKS.finditer(title):
        a, b = title[: m.start()], title[m.start() :]
        wa, wb = style.width(a), style.width(b)
        if a and b and wa <= width and wb <= width and (best is None or abs(wa - wb) < best[0]):
            best = (abs(wa - wb), [(a, wa), (b, wb)])
    return best[1] if best else style.wrap(title, width)


class Fonts:
    """The printout's fonts at a body size in points: body (仿宋/宋体), headers (黑体), title (小标宋/宋体 bold)."""

    def __init__(self, size_pt: float) -> None:
        px = round(size_pt * UNITS_PER_PT)
        body = print_fonts.pick(print_fonts.BODY)
        heading = print_fonts.pick(print_fonts.HEADING)
        title = print_fonts.pick(print_fonts.TITLE)
        self.body = TextStyle(_font(body, px))
        self.bold = TextStyle(_font(body, px, bold=True))  # what must be seen in black and white: 已逾期
        self.head = TextStyle(_font(heading, px, bold=heading not in print_fonts.HEAVY))
        self.title = TextStyle(
            _font(title, round(max(16.0, size_pt * 2) * UNITS_PER_PT), title not in print_fonts.HEAVY)
        )
        self.info = TextStyle(_font(body, px + UNITS_PER_PT))
