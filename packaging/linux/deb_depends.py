"""The Depends line of the .deb, from what a frozen folder links: every ELF NEEDED entry that the folder does not
hold itself is a system library, and the fixed table PACKAGES says which package has it on the target systems.

    python3 deb_depends.py FOLDER                    one line per system library: soname, Depends clause
    python3 deb_depends.py FOLDER --depends          the Depends line
    python3 deb_depends.py FOLDER --recommends       the Recommends line (libraries of optional Qt plugins)
    python3 deb_depends.py FOLDER --check "LINE"     exits 1 if LINE misses one of them

The table, not the build machine, answers: a library need not be installed where the package is built (a fresh
Debian 12 has no libxcb-icccm4), and the names are those of the systems the package is for. Every name in it
exists in Debian 10 (buster: UOS 20 and Kylin V10 are built on it) and Debian 11 (bullseye) and in Ubuntu 18.04+;
names after "|" are the same library under a later name (libglvnd's split, the t64 renames of Debian 13 and
Ubuntu 24.04). A library the table does not know stops the build: look its package up in those releases first.
The glibc and the C++ runtime are bundled (build_deb.sh); were they not, libc6 (>= the newest GLIBC_ version the
folder needs) and libstdc++6 / libgcc-s1 would be asked for instead. Uses objdump (binutils).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

PACKAGES: dict[str, str] = {
    "libX11.so.6": "libx11-6",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxcb.so.1": "libxcb1",
    "libxcb-glx.so.0": "libxcb-glx0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xinerama.so.0": "libxcb-xinerama0",
    "libxcb-xinput.so.0": "libxcb-xinput0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    # Not here on purpose, the spec bundles them: libxcb-util.so.1 (Debian 10 has only libxcb-util0, .so.0) and
    # libfreetype.so.6 (Qt needs 2.9: Ubuntu 18.04 has 2.8.1).
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libfontconfig.so.1": "libfontconfig1",
    "libpng16.so.16": "libpng16-16 | libpng16-16t64",
    "libbrotlidec.so.1": "libbrotli1",
    "libGL.so.1": "libgl1 | libgl1-mesa-glx",
    "libEGL.so.1": "libegl1 | libegl1-mesa",
    "libOpenGL.so.0": "libopengl0",
    "libGLX.so.0": "libglx0",
    "libglib-2.0.so.0": "libglib2.0-0 | libglib2.0-0t64",
    "libgobject-2.0.so.0": "libglib2.0-0 | libglib2.0-0t64",
    "libgthread-2.0.so.0": "libglib2.0-0 | libglib2.0-0t64",
    "libdbus-1.so.3": "libdbus-1-3",
    "libcups.so.2": "libcups2 | libcups2t64",
    "libzstd.so.1": "libzstd1",
    "libz.so.1": "zlib1g",
    "libexpat.so.1": "libexpat1",
    "libbz2.so.1.0": "libbz2-1.0",
    "liblzma.so.5": "liblzma5",
    "libuuid.so.1": "libuuid1",
    "libICE.so.6": "libice6",
    "libSM.so.6": "libsm6",
    "libstdc++.so.6": "libstdc++6",
    "libgcc_s.so.1": "libgcc-s1 | libgcc1",
}
# Libraries only Qt's TIFF and WebP image plugins link (the aarch64 wheels of PySide6 6.8 do not carry them; the
# x86_64 wheels do): Debian 10/11, UOS and Kylin have them under these names, Debian 12 and Ubuntu 22.04 have newer
# sonames. Without them Qt skips those two plugins and reads the other formats: Recommends, not Depends.
OPTIONAL: dict[str, str] = {
    "libtiff.so.5": "libtiff5",
    "libwebp.so.6": "libwebp6",
    "libwebpdemux.so.2": "libwebpdemux2",
    "libwebpmux.so.3": "libwebpmux3",
}
# The glibc's own libraries: from libc6, at least the newest GLIBC_ version required (when not bundled).
GLIBC_LIBS = {
    "libc.so.6",
    "libm.so.6",
    "libpthread.so.0",
    "libdl.so.2",
    "librt.so.1",
    "libutil.so.1",
    "libresolv.so.2",
    "libanl.so.1",
    "libmvec.so.1",
    "ld-linux-x86-64.so.2",
    "ld-linux-aarch64.so.1",
}


def elf_files(folder: Path) -> list[Path]:
    out = []
    for p in sorted(folder.rglob("*")):
        if p.is_file() and not p.is_symlink():
            with p.open("rb") as f:
                if f.read(4) == b"\x7fELF":
                    out.append(p)
    return out


def needed_and_glibc(path: Path) -> tuple[list[str], tuple[int, ...]]:
    """The NEEDED entries of one ELF file and the newest GLIBC_ version it requires."""
    text = subprocess.run(["objdump", "-p", str(path)], capture_output=True, text=True, check=False).stdout
    needed = re.findall(r"^\s*NEEDED\s+(\S+)", text, re.M)
    versions = re.findall(r"\bGLIBC_(\d+(?:\.\d+)+)", text.split("Version References:", 1)[-1])
    return needed, max((tuple(int(x) for x in v.split(".")) for v in versions), default=(0,))


def analyse(folder: Path) -> tuple[dict[str, str | None], tuple[int, ...]]:
    """{soname: Depends clause or None when unknown} for the system libraries, and the newest GLIBC_ needed."""
    bundled = {p.name for p in folder.rglob("*")}
    external: set[str] = set()
    glibc: tuple[int, ...] = (0,)
    for f in elf_files(folder):
        needed, newest = needed_and_glibc(f)
        glibc = max(glibc, newest)
        external.update(n for n in needed if n not in bundled)
    libs: dict[str, str | None] = {}
    for so in sorted(external):
        if so in GLIBC_LIBS:
            libs[so] = f"libc6 (>= {'.'.join(map(str, glibc))})"
        else:
            libs[so] = PACKAGES.get(so) or OPTIONAL.get(so)
    return libs, glibc


def depends_line(libs: dict[str, str | None], optional: bool = False) -> str:
    """The Depends line (optional=False) or the Recommends line (optional=True) for these libraries."""
    return ", ".join(dict.fromkeys(sorted(c for so, c in libs.items() if c and (so in OPTIONAL) == optional)))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("--depends", action="store_true", help="print the Depends line")
    ap.add_argument("--recommends", action="store_true", help="print the Recommends line (may be empty)")
    ap.add_argument("--check", metavar="DEPENDS", help="the Depends line to check against")
    args = ap.parse_args(argv)
    libs, _glibc = analyse(args.folder)
    unknown = [so for so, clause in libs.items() if clause is None]
    if unknown:
        print(
            "对照表中没有这些系统库：" + "、".join(unknown) + "（请在 deb_depends.py 的 PACKAGES 中写明它在"
            " Debian 10 和 11 中的软件包名，或把它打进程序里）",
            file=sys.stderr,
        )
        return 1
    if args.depends or args.recommends:
        print(depends_line(libs, optional=args.recommends))
        return 0
    for so, clause in libs.items():
        print(f"{so}\t{clause}")
    if args.check is None:
        return 0
    named = {c.strip() for c in args.check.split(",")}
    missing = [f"{so}（{clause}）" for so, clause in libs.items() if clause not in named and so not in OPTIONAL]
    if missing:
        print("Depends 中缺少：" + "；".join(missing), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
