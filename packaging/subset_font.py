"""Builds the CJK font that ships with the program (随程序附带的中文字体): a subset of Noto Sans CJK SC.

An office PC may have no Chinese font at all (a bare UOS or Kylin install, a stripped Windows image); the
printout must still show readable Chinese. The program prefers the office fonts (仿宋, 宋体, 黑体) when the
machine has them and falls back to this file, registered with QFontDatabase.addApplicationFont.

    python packaging/subset_font.py [--source-dir DIR] [--out-dir resources/fonts]

Sources: Debian's fonts-noto-cjk (/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc and -Bold.ttc, the "SC"
face of each collection) or upstream's NotoSansCJKsc-Regular.otf and NotoSansCJKsc-Bold.otf. Two files come out:
Regular for the text, Bold for the title and the column headers (a bold made up by Qt from the regular draws
every character twice in a PDF). Noto CJK is under the SIL Open Font License 1.1 with no Reserved Font Name;
the subsets keep the copyright and licence in their name tables, are renamed "Rectify Sans SC" (Noto is a
trademark of Google, and the full font may be installed too) and are committed beside OFL.txt.
Needs fontTools (pip install fonttools).

Characters: all of GB2312 (its 6,763 hanzi and 682 symbols), ASCII, CJK punctuation, full-width forms,
①–⑳ and the other enclosed numbers, 〔〕, and every non-ASCII character the program's own source writes.
Not the CJK radicals (U+2E80–U+2FDF) nor a few other look-alikes (see EXCLUDED): the full font draws 一 and ⼀
with one glyph, and Qt's PDF writer would write "⼀" into the PDF's text, which nobody can search.
Hinting is dropped (the PDF embeds outlines; the screen uses this font only when no other Chinese font exists).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

ROOT = Path(__file__).resolve().parents[1]
SOURCE_DIRS = (
    Path("/usr/share/fonts/opentype/noto"),
    Path("/usr/share/fonts/opentype/noto-cjk"),
    Path("/usr/share/fonts/noto-cjk"),
)
OUT_DIR = ROOT / "resources" / "fonts"
FAMILY = "Rectify Sans SC"
STYLES = ("Regular", "Bold")
WANTED_FACE = "Noto Sans CJK SC"

# Ranges beyond GB2312 that ledgers and notices use (inclusive).
EXTRA_RANGES: tuple[tuple[int, int], ...] = (
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x00FF),  # Latin-1: · × ÷ ° ± § ¥ and accented letters in names of places abroad
    (0x2010, 0x2027),  # ‐ – — ‘ ’ “ ” • … ‧
    (0x2030, 0x203B),  # ‰ ′ ″ ※
    (0x2100, 0x2199),  # ℃ № Ⅰ–Ⅻ ⅰ–ⅻ ← ↑ → ↓
    (0x2200, 0x22FF),  # ≤ ≥ ≠ ∶ √ ∵ ∴ …
    (0x2460, 0x24FF),  # ①–⑳ ⑴–⒇ ⒈–⒛ and the circled letters
    (0x2500, 0x25FF),  # box drawing, ■ □ ▲ △ ◆ ◇ ○ ◎ ●
    (0x2605, 0x2606),  # ★ ☆
    (0x2713, 0x2714),  # ✓ ✔
    (0x3000, 0x303F),  # CJK punctuation: 、。〃《》「」『』【】〔〕〖〗〝〞
    (0x3220, 0x3243),  # ㈠–㈩ and the other parenthesised ideographs
    (0x3280, 0x32B0),  # ㊀–㊉ and circled ideographs
    (0xFE30, 0xFE4F),  # CJK compatibility forms
    (0xFF01, 0xFF5E),  # full-width forms
    (0xFFE0, 0xFFE6),  # ￠ ￡ ￢ ￣ ￤ ￥ ￦
)
# Hanzi outside GB2312 that turn up in people's and places' names and in government writing.
EXTRA_HANZI = (
    "喆堃犇垚淼焱玥珺琇璟瑄昇晟镕鋆赟祎旻昀昉晔彧钶铖锴韫翀熠珩琛瑀瑢玹珏琤璠頔昶暐晞曌"
    "啰凇浛溆湉滢灏炅炜烔煊熳燊囯堉埕埼垕坤峣嵘崑嶙屾岚峄峤峯邨郃郗鄄婍媞娴嫚嬿姮妤"
)


def gb2312_chars() -> set[str]:
    """Every character GB2312 encodes: rows 0xA1–0xF7, cells 0xA1–0xFE."""
    out: set[str] = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                out.add(bytes((hi, lo)).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return out


def source_chars(folder: Path) -> set[str]:
    """Non-ASCII characters of the program's own source (UI texts, demo ledger), so that all of them show."""
    out: set[str] = set()
    for f in folder.rglob("*.py"):
        out |= {c for c in f.read_text(encoding="utf-8") if ord(c) > 0x7F and c.isprintable()}
    return out


# Qt's PDF writer names each glyph by the lowest code point that maps to it. Where the font draws two code points
# with one glyph, the rarer one is left out, so that the PDF's text says what was typed: the CJK radicals
# (⼀ for 一) and compatibility ideographs, ‒ (for –), ∕ (for ／), ‵ (for ｀), 〜 (for ～).
EXCLUDED_RANGES: tuple[tuple[int, int], ...] = ((0x2E80, 0x2FDF), (0xF900, 0xFAFF))
EXCLUDED = frozenset({0x2012, 0x2215, 0x2035, 0x301C})


def wanted_chars() -> set[str]:
    chars = gb2312_chars() | set(EXTRA_HANZI) | source_chars(ROOT / "rectify_desktop")
    for lo, hi in EXTRA_RANGES:
        chars |= {chr(c) for c in range(lo, hi + 1)}
    return {c for c in chars if ord(c) not in EXCLUDED and not any(lo <= ord(c) <= hi for lo, hi in EXCLUDED_RANGES)}


def load(source: Path, index: int | None) -> TTFont:
    if source.suffix.lower() in (".ttc", ".otc"):
        coll = TTCollection(str(source), lazy=False)
        if index is None:
            names = [f["name"].getDebugName(1) for f in coll.fonts]
            if WANTED_FACE not in names:
                raise SystemExit(f"{source} has no face named {WANTED_FACE!r}: {names}")
            index = names.index(WANTED_FACE)
        return coll.fonts[index]
    return TTFont(str(source), lazy=False)


def rename(font: TTFont, family: str, style: str) -> None:
    """Family and full names of the subset; copyright (0), licence (13, 14) and the rest stay as they are."""
    ps = family.replace(" ", "") + "-" + style
    names = {1: family, 2: style, 3: f"{ps};subset", 4: f"{family} {style}", 6: ps, 16: family, 17: style}
    table = font["name"]
    table.names = [n for n in table.names if n.nameID not in names and n.nameID not in (18, 21, 22)]
    for name_id, text in names.items():
        table.setName(text, name_id, 3, 1, 0x409)  # Windows, Unicode BMP, English (US)
        table.setName(text, name_id, 1, 0, 0)  # Mac Roman, English
    if "CFF " in font:
        cff = font["CFF "].cff
        cff.fontNames = [ps]
        top = cff.topDictIndex[0]
        top.FullName = f"{family} {style}"
        top.FamilyName = family


def find_source(folder: Path | None, style: str) -> Path | None:
    names = (f"NotoSansCJK-{style}.ttc", f"NotoSansCJKsc-{style}.otf", f"NotoSansSC-{style}.otf")
    for d in (folder,) if folder else SOURCE_DIRS:
        for n in names:
            if (d / n).is_file():
                return d / n
    return None


def build(source: Path, out: Path, style: str, index: int | None = None) -> Path:
    font = load(source, index)
    options = subset.Options()
    options.hinting = False  # outlines only: smaller, and the PDF engine embeds outlines anyway
    options.desubroutinize = False
    options.name_IDs = ["*"]
    options.name_languages = [0x409, 0]
    options.layout_features = ["ccmp", "kern", "liga"]  # horizontal Simplified Chinese only: no locl, vert
    options.notdef_outline = True
    options.glyph_names = False
    options.drop_tables += ["DSIG", "VORG", "vhea", "vmtx"]
    sub = subset.Subsetter(options)
    sub.populate(unicodes=[ord(c) for c in wanted_chars()])
    sub.subset(font)
    rename(font, FAMILY, style)
    out.parent.mkdir(parents=True, exist_ok=True)
    font.save(str(out))
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Builds the bundled CJK font subsets (Noto Sans CJK SC, OFL).")
    p.add_argument("--source-dir", type=Path, default=None, help="folder with NotoSansCJK-Regular/-Bold (.ttc/.otf)")
    p.add_argument("--out-dir", type=Path, default=OUT_DIR)
    args = p.parse_args(argv)
    for style in STYLES:
        source = find_source(args.source_dir, style)
        if source is None:
            print(f"Noto Sans CJK SC {style} not found; install fonts-noto-cjk or give --source-dir", file=sys.stderr)
            return 1
        out = build(source, args.out_dir / f"RectifySansSC-{style}.otf", style)
        font = TTFont(str(out))
        size = out.stat().st_size / 1e6
        print(f"{out}: {size:.2f} MB, {len(font.getBestCmap())} characters, {font['maxp'].numGlyphs} glyphs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
