#!/usr/bin/env bash
# Builds the Debian package of 整改台账 (Rectify Desktop), from a clean clone on a fresh Debian 12 machine, in one
# command (as root, or with the build packages already installed):
#
#     packaging/linux/build_deb.sh [--arch amd64|arm64]
#
# 0. installs with apt-get what the build needs when it is missing (python3-venv, libpython, binutils, patchelf,
#    and the Qt runtime libraries the frozen program is checked with);
# 1. a build venv (build/deb/venv) with the project, PyInstaller and packaging/linux/requirements.txt (which pins
#    PySide6-Essentials 6.8.0.x on arm64);
# 2. freezes the program (packaging/rectify-desktop.spec) into build/deb/dist/rectify-desktop;
# 3. runs `rectify-desktop self-test` against the frozen program with no display, offline (unshare -n, as root);
# 4. lays out the package: /opt/rectify-desktop (the frozen folder), /usr/bin/rectify-desktop (a small wrapper),
#    the menu entry, icons, the ledger MIME type and AppStream metadata under /usr/share;
# 5. bundles the build machine's glibc and C++ runtime in /opt/rectify-desktop/runtime, so that the program runs
#    where the system's glibc is older (UOS 20 and Kylin V10: 2.28): the program file's ELF interpreter becomes
#    the bundled loader at its installed path, the bundled libraries its NEEDED, $ORIGIN/runtime its RPATH (one
#    patchelf call per change: combined, they corrupted the RPATH). The folder is not PyInstaller's _internal,
#    which goes on LD_LIBRARY_PATH: so the programs it starts (xdg-open) keep the system's glibc. Then the
#    patched program's self-test again, at /opt/rectify-desktop in a private mount namespace, LD_BIND_NOW=1;
#    and check_glibc.py: nothing of the glibc may be needed from the system;
# 6. the Depends line from deb_depends.py (a fixed table of the Debian 10/11 package of each system library the
#    program links: nothing is looked up on the build machine), then dpkg-deb --build.
#
# Result: dist/rectify-desktop_<version>_<arch>.deb. Test it on a Debian 11 system with test_on_old_system.sh.
# The package is built on the architecture it is for (PyInstaller freezes the running Python): --arch arm64 on an
# arm64 machine or runner (.github/workflows/package-linux-arm64.yml). Needs the network to PyPI and apt.
# Environment: PYTHON (default /usr/bin/python3), BUILD_DIR (default build/deb), OUT_DIR (default dist),
# SKIP_FREEZE=1 to reuse an earlier frozen folder, NO_APT=1 never to install with apt-get.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
PYTHON="${PYTHON:-/usr/bin/python3}"
BUILD_DIR="${BUILD_DIR:-$ROOT/build/deb}"
OUT_DIR="${OUT_DIR:-$ROOT/dist}"
VENV="$BUILD_DIR/venv"
DIST="$BUILD_DIR/dist/rectify-desktop"
PKG="$BUILD_DIR/pkgroot"
INSTALL_DIR=/opt/rectify-desktop
RUNTIME=runtime
HOST_ARCH="$(dpkg --print-architecture)"
ARCH="$HOST_ARCH"

say() { printf '\n== %s\n' "$*"; }
die() { printf '错误：%s\n' "$*" >&2; exit 1; }

while [ $# -gt 0 ]; do
    case "$1" in
        --arch) ARCH="${2:?--arch amd64|arm64}"; shift 2 ;;
        --arch=*) ARCH="${1#--arch=}"; shift ;;
        -h | --help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) die "不认识的参数：$1（用法：$0 [--arch amd64|arm64]）" ;;
    esac
done
case "$ARCH" in
    amd64) TRIPLET=x86_64-linux-gnu; LOADER=ld-linux-x86-64.so.2 ;;
    arm64) TRIPLET=aarch64-linux-gnu; LOADER=ld-linux-aarch64.so.1 ;;
    *) die "不支持的架构：$ARCH（amd64 或 arm64）" ;;
esac
[ "$ARCH" = "$HOST_ARCH" ] || die "$ARCH 的软件包要在 $ARCH 机器上构建（本机是 $HOST_ARCH）：PyInstaller 冻结的是正在运行的 Python"

# The glibc and C++ runtime bundled in $INSTALL_DIR/$RUNTIME (taken from the build machine), and those of them the
# program file gets as NEEDED: loaded from the bundle first, so that no system library can bring in the system's.
# libnss_*: libc loads them for the user and host names ("passwd: compat" in older nsswitch.conf).
RUNTIME_LIBS="$LOADER libc.so.6 libm.so.6 libpthread.so.0 libdl.so.2 librt.so.1 libutil.so.1 libresolv.so.2
 libanl.so.1 libmvec.so.1 libnss_files.so.2 libnss_dns.so.2 libnss_compat.so.2 libstdc++.so.6 libgcc_s.so.1"
RUNTIME_NEEDED="libm.so.6 libpthread.so.0 libdl.so.2 librt.so.1 libutil.so.1 libresolv.so.2 libstdc++.so.6
 libgcc_s.so.1"
# Build machine packages (Debian 12 names): the tools, and the libraries the frozen Qt links, which PyInstaller
# must find to collect the bundled ones (libxcb-cursor0, libxcb-util1, libexpat1, libfreetype6) and the self-test
# must load.
BUILD_PACKAGES="python3 python3-venv binutils patchelf dpkg-dev file desktop-file-utils libgl1 libegl1
 libfontconfig1 libfreetype6 libx11-6 libx11-xcb1 libxcb1 libxcb-cursor0 libxcb-glx0 libxcb-icccm4 libxcb-image0
 libxcb-keysyms1 libxcb-randr0 libxcb-render0 libxcb-render-util0 libxcb-shape0 libxcb-shm0 libxcb-sync1
 libxcb-util1 libxcb-xfixes0 libxcb-xkb1 libxkbcommon0 libxkbcommon-x11-0 libglib2.0-0 libdbus-1-3 libcups2
 libzstd1 libexpat1 libice6 libsm6"

installed() { dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null | grep -q '^install ok installed'; }
apt_install() {  # apt_install PACKAGE...: those not yet installed
    local missing=() p
    for p in "$@"; do installed "$p" || missing+=("$p"); done
    [ ${#missing[@]} = 0 ] && return
    if [ "$(id -u)" != 0 ] || [ "${NO_APT:-}" = 1 ]; then
        die "缺少构建所需的软件包：${missing[*]}（以 root 运行本脚本，或先 apt-get install 它们）"
    fi
    echo "（apt-get install ${missing[*]}）"
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null \
        || die "apt-get install 失败：${missing[*]}"
}

say "0/6 构建所需的软件包"
# shellcheck disable=SC2086
apt_install $BUILD_PACKAGES
[ -x "$PYTHON" ] || PYTHON="$(command -v python3)"
"$PYTHON" -c 'import sys; assert sys.version_info >= (3, 10), sys.version' || die "需要 Python 3.10 或更新版本"
# PyInstaller needs the shared libpython of the Python it runs on.
apt_install "$("$PYTHON" -c 'import sys; print("libpython%d.%d" % sys.version_info[:2])')"
for tool in dpkg-deb objdump patchelf; do
    command -v "$tool" >/dev/null || die "需要 $tool"
done

VERSION="$("$PYTHON" - "$ROOT/rectify_desktop/__init__.py" <<'PY'
import re, sys
print(re.search(r'^__version__ = "([^"]+)"', open(sys.argv[1], encoding="utf-8").read(), re.M).group(1))
PY
)"
DEB="$OUT_DIR/rectify-desktop_${VERSION}_${ARCH}.deb"
say "整改台账 $VERSION → $DEB"

if [ "${SKIP_FREEZE:-}" != 1 ]; then
    say "1/6 构建环境 $VENV"
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip
    # Not editable: the frozen program takes the package (with resources/ as rectify_desktop/resources) as installed.
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check "$ROOT[packaging]" -r "$HERE/requirements.txt"
    "$VENV/bin/python" -m pip list --disable-pip-version-check 2>/dev/null | grep -iE '^(pyside6[-_]essentials|pyinstaller) '

    say "2/6 PyInstaller"
    rm -rf "$BUILD_DIR/dist" "$BUILD_DIR/work"
    (cd "$ROOT" && "$VENV/bin/pyinstaller" --noconfirm --clean --log-level WARN \
        --distpath "$BUILD_DIR/dist" --workpath "$BUILD_DIR/work" packaging/rectify-desktop.spec)
fi
[ -x "$DIST/rectify-desktop" ] || die "没有找到冻结后的程序：$DIST/rectify-desktop"

# As root, the self-tests run with the network cut off (unshare -n), and the patched program in a mount namespace
# of its own (unshare -m; not in a chroot, where / is not a mount point).
OFFLINE="" OWN_MOUNTS=""
if [ "$(id -u)" = 0 ] && unshare -n true 2>/dev/null; then OFFLINE=1; fi
if [ -n "$OFFLINE" ] && unshare -n -m true 2>/dev/null; then OWN_MOUNTS=1; fi
say "3/6 自检（冻结后的程序，无显示器）"
SELFTEST=(env -u DISPLAY -u WAYLAND_DISPLAY "$DIST/rectify-desktop" self-test)
if [ -n "$OFFLINE" ]; then
    echo "（断开网络：unshare -n）"
    SELFTEST=(unshare -n "${SELFTEST[@]}")
fi
"${SELFTEST[@]}" || die "自检未通过，不打包"

say "4/6 软件包目录 $PKG"
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
LIBC_SOURCE="$(dpkg-query -W -f='${source:Package} ${source:Version}' "libc6:$ARCH")"
CXX_SOURCE="$(dpkg-query -W -f='${source:Package} ${source:Version}' "libstdc++6:$ARCH")"
cat > "$PKG/usr/share/doc/rectify-desktop/copyright" <<EOF
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: rectify-desktop
Comment: The program carries its own Python, Qt, glibc and C++ runtime in $INSTALL_DIR, so that it runs on
 systems older than the one it was built on. Each is under its own licence, below.

Files: *
License: MIT

Files: opt/rectify-desktop/_internal/rectify_desktop/resources/fonts/*
Copyright: 2014-2021 Adobe
License: OFL-1.1
 See opt/rectify-desktop/_internal/rectify_desktop/resources/fonts/OFL.txt.

Files: opt/rectify-desktop/_internal/PySide6/* opt/rectify-desktop/_internal/shiboken6/*
Copyright: The Qt Company Ltd.
License: LGPL-3

Files: opt/rectify-desktop/_internal/libfreetype.so.6
Copyright: David Turner, Robert Wilhelm, Werner Lemberg and the FreeType contributors
License: FTL or GPL-2+
 FreeType as Debian builds it (source package freetype); https://freetype.org/license.html.

Files: opt/rectify-desktop/_internal/libexpat.so.1 opt/rectify-desktop/_internal/libxcb-util.so.1
 opt/rectify-desktop/_internal/libxcb-cursor.so.0
Copyright: Expat maintainers; the XCB developers
License: MIT
 expat and xcb-util as Debian builds them (source packages expat, xcb-util, xcb-util-cursor).

Files: opt/rectify-desktop/$RUNTIME/ld-linux* opt/rectify-desktop/$RUNTIME/libc.so.6
 opt/rectify-desktop/$RUNTIME/libm.so.6 opt/rectify-desktop/$RUNTIME/libpthread.so.0
 opt/rectify-desktop/$RUNTIME/libdl.so.2 opt/rectify-desktop/$RUNTIME/librt.so.1
 opt/rectify-desktop/$RUNTIME/libutil.so.1 opt/rectify-desktop/$RUNTIME/libresolv.so.2
 opt/rectify-desktop/$RUNTIME/libanl.so.1 opt/rectify-desktop/$RUNTIME/libmvec.so.1
 opt/rectify-desktop/$RUNTIME/libnss_*
Copyright: Free Software Foundation, Inc. and the GNU C Library contributors
License: LGPL-2.1+
 The GNU C Library, unchanged, as Debian builds it: source package ${LIBC_SOURCE}.
 Its source: "apt-get source ${LIBC_SOURCE% *}=${LIBC_SOURCE#* }" on Debian, or
 https://snapshot.debian.org/package/${LIBC_SOURCE% *}/${LIBC_SOURCE#* }/ ; upstream
 https://www.gnu.org/software/libc/. The full notice of that build is copyright.glibc beside this file.
 On Debian systems the licence text is /usr/share/common-licenses/LGPL-2.1.

Files: opt/rectify-desktop/$RUNTIME/libstdc++.so.6 opt/rectify-desktop/$RUNTIME/libgcc_s.so.1
Copyright: Free Software Foundation, Inc.
License: GPL-3+ with GCC-Runtime-Library-Exception-3.1
 libstdc++ and libgcc_s of GCC, unchanged, as Debian builds them: source package ${CXX_SOURCE}.
 Its source: "apt-get source ${CXX_SOURCE% *}=${CXX_SOURCE#* }" on Debian, or
 https://snapshot.debian.org/package/${CXX_SOURCE% *}/${CXX_SOURCE#* }/ ; upstream https://gcc.gnu.org/.
 The GCC Runtime Library Exception 3.1 lets a program under any licence be distributed with them
 (https://www.gnu.org/licenses/gcc-exception-3.1.html); the full notice is copyright.libstdc++ beside this file.
 On Debian systems the GPL's text is /usr/share/common-licenses/GPL-3.
EOF
cp -L /usr/share/doc/libc6/copyright "$PKG/usr/share/doc/rectify-desktop/copyright.glibc"
cp -L /usr/share/doc/libstdc++6/copyright "$PKG/usr/share/doc/rectify-desktop/copyright.libstdc++"
chmod 0644 "$PKG/usr/share/doc/rectify-desktop/"copyright*
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

say "5/6 捆绑 glibc 与 C++ 运行库 → $INSTALL_DIR/$RUNTIME"
RT="$PKG$INSTALL_DIR/$RUNTIME"
BOOT="$PKG$INSTALL_DIR/rectify-desktop"
install -d "$RT"
for lib in $RUNTIME_LIBS; do
    src=""
    for dir in "/lib/$TRIPLET" "/usr/lib/$TRIPLET" /lib64 /lib; do
        if [ -e "$dir/$lib" ]; then src="$dir/$lib"; break; fi
    done
    if [ -z "$src" ]; then
        [ "$lib" = libmvec.so.1 ] && continue # not every architecture's glibc has it
        die "构建机上没有 $lib"
    fi
    cp -L "$src" "$RT/$lib"
    chmod 0644 "$RT/$lib"
done
chmod 0755 "$RT/$LOADER"
GLIBC_VERSION="$(dpkg-query -W -f='${Version}' "libc6:$ARCH" | cut -d- -f1)"
# Where the system's glibc is as new as the bundled one or newer (Debian 12+, Ubuntu 24.04+), the system's own
# libraries may need that newer glibc, which the bundle cannot give: there the wrapper starts the same program
# unpatched, from system-glibc/ (its _internal/ is the same folder, linked).
install -d "$PKG$INSTALL_DIR/system-glibc"
cp -a "$BOOT" "$PKG$INSTALL_DIR/system-glibc/rectify-desktop"
ln -s ../_internal "$PKG$INSTALL_DIR/system-glibc/_internal"
sed -i "s/@GLIBC@/$GLIBC_VERSION/" "$PKG/usr/bin/rectify-desktop"
grep -q "BUNDLED_GLIBC=$GLIBC_VERSION\$" "$PKG/usr/bin/rectify-desktop" || die "启动脚本中没有写入捆绑的 glibc 版本"
echo "  $(cd "$RT" && ls | tr '\n' ' ')"
echo "  glibc $(dpkg-query -W -f='${Version}' "libc6:$ARCH")，libstdc++ $(dpkg-query -W -f='${Version}' "libstdc++6:$ARCH")"
# One patchelf call per change: interpreter, each NEEDED, then the RPATH (DT_RPATH, not RUNPATH: it also serves
# the libraries libc itself loads, libnss_*, and those of system libraries, which have no RUNPATH of their own).
patchelf --set-interpreter "$INSTALL_DIR/$RUNTIME/$LOADER" "$BOOT"
for lib in $RUNTIME_NEEDED; do
    patchelf --add-needed "$lib" "$BOOT"
done
patchelf --force-rpath --set-rpath "\$ORIGIN/$RUNTIME" "$BOOT"
echo "  解释器 $(patchelf --print-interpreter "$BOOT")；RPATH $(patchelf --print-rpath "$BOOT")"
"$PYTHON" "$HERE/check_glibc.py" "$PKG$INSTALL_DIR" --install-dir "$INSTALL_DIR" --runtime "$RUNTIME" \
    --system-glibc-dir system-glibc \
    > "$BUILD_DIR/glibc.txt" || { cat "$BUILD_DIR/glibc.txt"; die "程序仍需要系统的 glibc，或捆绑的不够新（见上）"; }
sed 's/^/  /' "$BUILD_DIR/glibc.txt"
if [ -n "$OWN_MOUNTS" ]; then
    # The patched program only runs from its installed path: run it there, in a mount namespace of its own.
    echo "  自检（捆绑的 glibc，在 $INSTALL_DIR，unshare -n -m，LD_BIND_NOW=1）"
    unshare -n -m sh -c 'mount --make-rprivate / && mount -t tmpfs tmpfs "$(dirname "$1")" && mkdir "$1" &&
        mount --bind "$2" "$1" && exec env -u DISPLAY -u WAYLAND_DISPLAY LD_BIND_NOW=1 "$1/rectify-desktop" self-test' \
        sh "$INSTALL_DIR" "$PKG$INSTALL_DIR" || die "捆绑 glibc 后自检未通过，不打包"
else
    echo "（不是 root，或不能 unshare -m：捆绑 glibc 后的程序的自检留给 test_on_old_system.sh）"
fi

say "6/6 依赖与打包"
"$PYTHON" "$HERE/deb_depends.py" "$PKG$INSTALL_DIR" > "$BUILD_DIR/depends.txt" \
    || die "有系统库不在 deb_depends.py 的对照表中（见上）"
sed 's/^/  /' "$BUILD_DIR/depends.txt"
DEPENDS="$("$PYTHON" "$HERE/deb_depends.py" "$PKG$INSTALL_DIR" --depends)"
RECOMMENDS="$("$PYTHON" "$HERE/deb_depends.py" "$PKG$INSTALL_DIR" --recommends)"
"$PYTHON" "$HERE/deb_depends.py" "$PKG$INSTALL_DIR" --check "$DEPENDS" >/dev/null \
    || die "Depends 与程序实际链接的系统库不符（见上）"
INSTALLED_KB="$(du -sk --exclude=DEBIAN "$PKG" | cut -f1)"
cat > "$PKG/DEBIAN/control" <<EOF
Package: rectify-desktop
Version: $VERSION
Architecture: $ARCH
Maintainer: Rectify Desktop <rectify-desktop@localhost>
Installed-Size: $INSTALLED_KB
Depends: $DEPENDS
${RECOMMENDS:+Recommends: $RECOMMENDS
}Section: misc
Priority: optional
Description: 整改台账：巡察、审计、督查整改落实台账
 Rectify Desktop keeps the ledger a unit maintains while it rectifies what an
 inspection, audit or supervision visit found: categories, findings and items
 with measures, responsibility, deadlines, progress, evidence and write-off.
 It prints the ledger, exports Excel, Word and the evidence package, and needs
 no network. The program, with its own Python, Qt, glibc and C++ runtime, is in
 /opt/rectify-desktop: it runs on UOS 20, Kylin V10, Debian 10+ and Ubuntu 18.04+.
EOF
install -m 0755 "$HERE/postinst" "$PKG/DEBIAN/postinst"
install -m 0755 "$HERE/postrm" "$PKG/DEBIAN/postrm"

mkdir -p "$OUT_DIR"
rm -f "$DEB"
# xz -9: its 64 MiB window also takes in the second copy of the program file (system-glibc/), nearly free.
dpkg-deb -Zxz -z9 --build --root-owner-group "$PKG" "$DEB"

say "大小"
printf '软件包  %s  %s\n' "$(du -h "$DEB" | cut -f1)" "$DEB"
printf 'Depends %s\n' "$DEPENDS"
printf '安装后  %s  /opt/rectify-desktop（%s 文件）\n' "$(du -sh "$PKG/opt/rectify-desktop" | cut -f1)" \
    "$(find "$PKG/opt/rectify-desktop" -type f | wc -l)"
echo "最大的部分（安装后）："
(cd "$PKG/opt/rectify-desktop/_internal" && for f in ./* PySide6/* PySide6/Qt/* PySide6/Qt/lib/*; do
    case "$f" in ./PySide6 | PySide6/Qt | PySide6/Qt/lib) continue ;; esac
    [ -L "$f" ] || du -s "$f"
done | sort -rn | head -14 | awk '{printf "  %6.1f MB  %s\n", $1 / 1024, $2}')
echo "完成：$DEB"
