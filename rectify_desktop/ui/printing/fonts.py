"""Fonts for the screen and the printout (字体): the office fonts when the machine has them, else the bundled one.

An office PC usually has 仿宋 / 宋体 / 黑体 (Windows: FangSong, SimSun, SimHei; many offices add 仿宋_GB2312 and
方正小标宋), UOS and Kylin have Noto CJK / 思源 / 文泉驿 or their own 方正 fonts. A bare machine may have no Chinese
font at all: then the subset of Noto Sans CJK SC that ships in resources/fonts (see packaging/subset_font.py)
prints the Chinese. It is registered from its file, not from memory: Qt's PDF writer embeds only fonts that
have a file, and draws the others as shapes with no text in them.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import as_file, files
from pathlib import Path

from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication, QRawFont

BUNDLED_FILES = ("RectifySansSC-Regular.otf", "RectifySansSC-Bold.otf")
BUNDLED_FAMILY = "Rectify Sans SC"
# Ideographs and the radicals some fonts draw with the same glyph (Noto CJK, Source Han): Qt's PDF writer names
# each glyph by its lowest code point, so a PDF in such a font reads "⼀是" for 一是, "意⻅" for 意见, and cannot
# be searched or copied. The printout skips those fonts (the bundled subset has no radicals).
_RADICAL_PAIRS = ("一⼀", "月⽉", "见⻅", "人⼈")

_SERIF_LINUX = ("Noto Serif CJK SC", "Source Han Serif SC", "Source Han Serif CN", "思源宋体", "AR PL UMing CN")
_SANS_LINUX = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "思源黑体",
    "WenQuanYi Zen Hei",
    "文泉驿正黑",
    "WenQuanYi Micro Hei",
    "文泉驿微米黑",
    "Microsoft YaHei",
    "微软雅黑",
    "PingFang SC",
    "Droid Sans Fallback",
)
# The body of the ledger: 仿宋 as official documents print, else 宋体, else what a Linux desktop has.
BODY: tuple[str, ...] = (
    "仿宋_GB2312",
    "FangSong_GB2312",
    "仿宋",
    "FangSong",
    "方正仿宋_GBK",
    "方正仿宋_GB2312",
    "方正仿宋简体",
    "宋体",
    "SimSun",
    "新宋体",
    "NSimSun",
    "方正书宋_GBK",
    "方正书宋简体",
    *_SERIF_LINUX,
    *_SANS_LINUX,
)
# Column headers and the title line's labels: 黑体.
HEADING: tuple[str, ...] = (
    "黑体",
    "SimHei",
    "方正黑体_GBK",
    "方正黑体简体",
    *_SANS_LINUX,
    "宋体",
    "SimSun",
    *_SERIF_LINUX,
)
# The title: 方正小标宋 as documents print it (GB/T 9704), else 宋体 bold (DOMAIN.md), else 黑体.
TITLE: tuple[str, ...] = (
    "方正小标宋简体",
    "方正小标宋_GBK",
    "方正小标宋_GB2312",
    "小标宋",
    "华文中宋",
    "STZhongsong",
    "宋体",
    "SimSun",
    *_SERIF_LINUX,
    "黑体",
    "SimHei",
    *_SANS_LINUX,
)
# Faces that are bold already: the title drawn in them must not be made bolder.
HEAVY = frozenset({"方正小标宋简体", "方正小标宋_GBK", "方正小标宋_GB2312", "小标宋", "黑体", "SimHei"})


@cache
def register_bundled_font() -> str | None:
    """Registers the bundled CJK font (regular and bold) once; returns its family, or None if it is missing."""
    family = None
    for name in BUNDLED_FILES:
        resource = files("rectify_desktop.resources").joinpath(f"fonts/{name}")
        if not resource.is_file():
            continue
        # A frozen or zipped install: as_file gives a real file for the life of the process (Qt keeps reading it).
        path: Path = as_file(resource).__enter__()
        font_id = QFontDatabase.addApplicationFont(str(path))
        families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
        family = family or (families[0] if families else None)
    return family


def _has_chinese(family: str) -> bool:
    return QFontDatabase.WritingSystem.SimplifiedChinese in QFontDatabase.writingSystems(family)


@cache
def _installed() -> frozenset[str]:
    return frozenset(QFontDatabase.families())


@cache
def text_layer_ok(family: str) -> bool:
    """Whether a PDF printed in `family` keeps its Chinese text searchable (see _RADICAL_PAIRS)."""
    raw = QRawFont.fromFont(QFont(family), QFontDatabase.WritingSystem.SimplifiedChinese)
    if not raw.isValid():
        return True
    for pair in _RADICAL_PAIRS:
        a, b = raw.glyphIndexesForString(pair)
        if a and a == b:
            return False
    return True


def pick(candidates: tuple[str, ...]) -> str:
    """The first of `candidates` installed with Chinese glyphs (and a clean PDF text layer), else the bundled font."""
    installed = _installed()
    for name in candidates:
        if name in installed and _has_chinese(name) and text_layer_ok(name):
            return name
    bundled = register_bundled_font()
    if bundled:
        return bundled
    # No bundled file either (a broken install): any installed Chinese font, else Qt's default.
    return next((f for f in sorted(installed) if _has_chinese(f)), "")


def system_has_chinese_font() -> bool:
    """Whether any installed font (not counting the bundled one) can show Chinese."""
    return any(_has_chinese(f) for f in _installed() if f != BUNDLED_FAMILY)


def forget() -> None:
    """Forgets what was found (tests that change the fonts a process sees)."""
    _installed.cache_clear()
    text_layer_ok.cache_clear()


def install_for_screen(app: QGuiApplication) -> str | None:
    """At start-up: registers the bundled font, and makes it the window's font on a machine that has no Chinese
    font of its own (else every label would be boxes). Returns the bundled family, if any."""
    family = register_bundled_font()
    if family and not system_has_chinese_font():
        font = app.font()
        font.setFamilies([family])
        app.setFont(font)
    return family
