#!/usr/bin/env bash
# Builds the Debian package of 整改台账 (Rectify Desktop) for amd64, from a clean clone, in one command:
#
#     packaging/linux/build_deb.sh
#
# 1. a build venv (build/deb/venv) with the project and PyInstaller ("pip install .[packaging]");
# 2. freezes the program (packaging/rectify-desktop.spec) into build/deb/dist/rectify-desktop;
# 3. runs `rectify-desktop self-test` against the frozen program with no display, and without network when it
#    can (unshare -n, as root): the build stops on any failure;
# 4. lays out the package: /opt/rectify-desktop (the frozen folder), /usr/bin/rectify-desktop (a small wrapper),
#    the menu entry, icons, the ledger MIME type and AppStream metadata under /usr/share;
# 5. checks the Depends line against what the frozen libraries link (deb_depends.py), then dpkg-deb --build.
#
# Result: dist/rectify-desktop_<version>_amd64.deb. Needs python3 (3.10+, with its shared libpython, as
# PyInstaller needs), the network to PyPI, and dpkg-deb, objdump (binutils), ldconfig; it uses
# desktop-file-validate and appstreamcli when installed. Environment: PYTHON (default python3), BUILD_DIR
# (default build/deb), OUT_DIR (default dist), SKIP_FREEZE=1 to reuse an earlier frozen folder.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
PYTHON="${PYTHON:-python3}"
BUILD_DIR="${BUILD_DIR:-$ROOT/build/deb}"
OUT_DIR="${OUT_DIR:-$ROOT/dist}"
VENV="$BUILD_DIR/venv"
DIST="$BUILD_DIR/dist/rectify-desktop"
PKG="$BUILD_DIR/pkgroot"

# Libraries the frozen Qt links that every Debian-based desktop has (the Qt 5 of UOS, Kylin, Deepin and the
# GTK desktops needs the same). libxcb-cursor0, which Qt 6 added and a desktop may lack, is bundled instead.
# Names after "|" are the same library in later releases (the t64 renames of Debian 13 / Ubuntu 24.04).
DEPENDS_LIBS="libstdc++6, libgcc-s1, libglib2.0-0 | libglib2.0-0t64, libdbus-1-3, libfontconfig1, libfreetype6,
 libx11-6, libx11-xcb1, libxcb1, libxcb-glx0, libxcb-icccm4, libxcb-image0, libxcb-keysyms1, libxcb-randr0,
 libxcb-render0, libxcb-render-util0, libxcb-shape0, libxcb-shm0, libxcb-sync1, libxcb-util1, libxcb-xfixes0,
 libxcb-xkb1, libxkbcommon0, libxkbcommon-x11-0, libgl1 | libgl1-mesa-glx, libegl1 | libegl1-mesa, libzstd1,
 libcups2 | libcups2t64"

say() { printf '\n== %s\n' "$*"; }
die() { printf '错误：%s\n' "$*" >&2; exit 1; }

for tool in dpkg-deb objdump ldconfig; do
    command -v "$tool" >/dev/null || die "需要 $tool（apt-get install dpkg binutils libc-bin）"
done
[ "$(dpkg --print-architecture)" = amd64 ] || die "只能在 amd64 机器上构建 amd64 软件包"

VERSION="$("$PYTHON" - "$ROOT/rectify_desktop/__init__.py" <<'PY'
import re, sys
print(re.search(r'^__version__ = "([^"]+)"', open(sys.argv[1], encoding="utf-8").read(), re.M).group(1))
PY
)"
DEB="$OUT_DIR/rectify-desktop_${VERSION}_amd64.deb"
say "整改台账 $VERSION → $DEB"

if [ "${SKIP_FREEZE:-}" != 1 ]; then
    say "1/5 构建环境 $VENV"
    "$PYTHON" -c 'import sys; assert sys.version_info >= (3, 10), sys.version' || die "需要 Python 3.10 或更新版本"
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip
    # Not editable: the frozen program takes the package (with resources/ as rectify_desktop/resources) as installed.
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check "$ROOT[packaging]"

    say "2/5 PyInstaller"
    rm -rf "$BUILD_DIR/dist" "$BUILD_DIR/work"
    (cd "$ROOT" && "$VENV/bin/pyinstaller" --noconfirm --clean --log-level WARN \
        --distpath "$BUILD_DIR/dist" --workpath "$BUILD_DIR/work" packaging/rectify-desktop.spec)
fi
[ -x "$DIST/rectify-desktop" ] || die "没有找到冻结后的程序：$DIST/rectify-desktop"

say "3/5 自检（冻结后的程序，无显示器）"
SELFTEST=(env -u DISPLAY -u WAYLAND_DISPLAY "$DIST/rectify-desktop" self-test)
if [ "$(id -u)" = 0 ] && unshare -n true 2>/dev/null; then
    echo "（断开网络：unshare -n）"
    SELFTEST=(unshare -n "${SELFTEST[@]}")
fi
"${SELFTEST[@]}" || die "自检未通过，不打包"

say "4/5 软件包目录 $PKG"
rm -rf "$PKG"
install -d "$PKG/opt" "$PKG/usr/bin" "$PKG/usr/share/applications" "$PKG/usr/share/mime/packages" \
    "$PKG/usr/share/metainfo" "$PKG/usr/share/icons/hicolor/scalable/apps" \
    "$PKG/usr/share/icons/hicolor/256x256/apps" "$PKG/usr/share/icons/hicolor/48x48/apps" \
    "$PKG/usr/share/doc/rectify-desktop" "$PKG/DEBIAN"
cp -a "$DIST" "$PKG/opt/rectify-desktop"
# Strip what PyInstaller left unstripped (it strips the binaries it collects; the program file itself too).
find "$PKG/opt/rectify-desktop" -type f \( -name '*.so' -o -name '*.so.*' \) -exec strip --strip-unneeded {} + 2>/dev/null || true
install -m 0755 "$HERE/rectify-desktop.sh" "$PKG/usr/bin/rectify-desktop"
install -m 0644 "$HERE/rectify-desktop.desktop" "$PKG/usr/share/applications/rectify-desktop.desktop"
install -m 0644 "$HERE/rectify-desktop.xml" "$PKG/usr/share/mime/packages/rectify-desktop.xml"
sed -e "s/@VERSION@/$VERSION/" -e "s/@DATE@/$(date -u +%Y-%m-%d)/" "$HERE/rectify-desktop.metainfo.xml.in" \
    > "$PKG/usr/share/metainfo/rectify-desktop.metainfo.xml"
install -m 0644 "$ROOT/resources/icons/rectify-desktop.svg" "$PKG/usr/share/icons/hicolor/scalable/apps/rectify-desktop.svg"
for size in 256 48; do
    env -u DISPLAY QT_QPA_PLATFORM=offscreen "$VENV/bin/python" "$ROOT/packaging/render_icon.py" \
        "$ROOT/resources/icons/rectify-desktop.svg" "$PKG/usr/share/icons/hicolor/${size}x${size}/apps/rectify-desktop.png" "$size" >/dev/null
done
cat > "$PKG/usr/share/doc/rectify-desktop/copyright" <<EOF
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: rectify-desktop

Files: *
License: MIT

Files: opt/rectify-desktop/_internal/rectify_desktop/resources/fonts/*
Copyright: 2014-2021 Adobe
License: OFL-1.1
 See opt/rectify-desktop/_internal/rectify_desktop/resources/fonts/OFL.txt.

Files: opt/rectify-desktop/_internal/PySide6/* opt/rectify-desktop/_internal/shiboken6/*
Copyright: The Qt Company Ltd.
License: LGPL-3
EOF
find "$PKG" -type d -exec chmod 0755 {} +

if command -v desktop-file-validate >/dev/null; then
    desktop-file-validate "$PKG/usr/share/applications/rectify-desktop.desktop" || die "菜单项文件未通过 desktop-file-validate"
fi
if command -v appstreamcli >/dev/null; then
    # No errors allowed; the one warning is the id, which is the desktop file's name rather than a reverse domain.
    appstreamcli validate --no-net "$PKG/usr/share/metainfo/rectify-desktop.metainfo.xml" \
        | tee "$BUILD_DIR/appstream.txt" || true
    ! grep -q '^E:' "$BUILD_DIR/appstream.txt" || die "AppStream 元数据有错误"
fi

say "5/5 依赖与打包"
"$PYTHON" "$HERE/deb_depends.py" "$PKG/opt/rectify-desktop" > "$BUILD_DIR/depends.txt"
GLIBC="$(sed -n 's/^glibc>=//p' "$BUILD_DIR/depends.txt")"
DEPENDS="libc6 (>= $GLIBC), $(echo "$DEPENDS_LIBS" | tr -d '\n')"
sed 's/^/  /' "$BUILD_DIR/depends.txt"
"$PYTHON" "$HERE/deb_depends.py" "$PKG/opt/rectify-desktop" --check "$DEPENDS" >/dev/null \
    || die "Depends 与程序实际链接的系统库不符（见上）"
INSTALLED_KB="$(du -sk --exclude=DEBIAN "$PKG" | cut -f1)"
cat > "$PKG/DEBIAN/control" <<EOF
Package: rectify-desktop
Version: $VERSION
Architecture: amd64
Maintainer: Rectify Desktop <rectify-desktop@localhost>
Installed-Size: $INSTALLED_KB
Depends: $DEPENDS
Section: misc
Priority: optional
Description: 整改台账：巡察、审计、督查整改落实台账
 Rectify Desktop keeps the ledger a unit maintains while it rectifies what an
 inspection, audit or supervision visit found: categories, findings and items
 with measures, responsibility, deadlines, progress, evidence and write-off.
 It prints the ledger, exports Excel, Word and the evidence package, and needs
 no network. The program, with its own Python and Qt, is in /opt/rectify-desktop.
EOF
install -m 0755 "$HERE/postinst" "$PKG/DEBIAN/postinst"
install -m 0755 "$HERE/postrm" "$PKG/DEBIAN/postrm"

mkdir -p "$OUT_DIR"
rm -f "$DEB"
dpkg-deb --build --root-owner-group "$PKG" "$DEB"

say "大小"
printf '软件包  %s  %s\n' "$(du -h "$DEB" | cut -f1)" "$DEB"
printf '安装后  %s  /opt/rectify-desktop（%s 文件）\n' "$(du -sh "$PKG/opt/rectify-desktop" | cut -f1)" \
    "$(find "$PKG/opt/rectify-desktop" -type f | wc -l)"
echo "最大的部分（安装后）："
(cd "$PKG/opt/rectify-desktop/_internal" && for f in ./* PySide6/* PySide6/Qt/* PySide6/Qt/lib/*; do
    case "$f" in ./PySide6 | PySide6/Qt | PySide6/Qt/lib) continue ;; esac
    [ -L "$f" ] || du -s "$f"
done | sort -rn | head -14 | awk '{printf "  %6.1f MB  %s\n", $1 / 1024, $2}')
echo "完成：$DEB"
