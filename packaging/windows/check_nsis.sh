#!/usr/bin/env bash
# Compiles installer.nsi with makensis (Debian: apt-get install nsis) against a stand-in for the frozen program:
# a few dummy files in the layout PyInstaller makes on Windows. No Windows build can run here; this proves the
# script is valid NSIS (warnings count as errors) and that the installer it describes gets built.
#
#     packaging/windows/check_nsis.sh [OUT_DIR]        (default: a temporary folder, removed afterwards)
#
# Prints the makensis summary and the installer's size. PYTHON (default python3), if it has PySide6, renders the
# program's icon for the installer as build.ps1 does; without it the installer keeps NSIS's own icon.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
PYTHON="${PYTHON:-python3}"
command -v makensis >/dev/null || { echo "需要 makensis（apt-get install nsis）" >&2; exit 2; }

if [ $# -ge 1 ]; then
    WORK="$1"
    mkdir -p "$WORK"
else
    WORK="$(mktemp -d)"
    trap 'rm -rf "$WORK"' EXIT
fi
VERSION="$(sed -n 's/^__version__ = "\([^"]*\)"/\1/p' "$ROOT/rectify_desktop/__init__.py")"

# The stand-in: what PyInstaller's one-folder build of packaging/rectify-desktop.spec looks like on Windows.
STAND_IN="$WORK/rectify-desktop"
rm -rf "$STAND_IN"
for f in rectify-desktop.exe rectify-desktop-cli.exe _internal/python311.dll _internal/base_library.zip \
    _internal/PySide6/Qt6Core.dll _internal/PySide6/Qt6Gui.dll _internal/PySide6/Qt6Widgets.dll \
    _internal/PySide6/Qt6PrintSupport.dll _internal/PySide6/plugins/platforms/qwindows.dll \
    _internal/PySide6/plugins/platforms/qoffscreen.dll _internal/PySide6/plugins/styles/qmodernwindowsstyle.dll \
    _internal/PySide6/plugins/imageformats/qjpeg.dll _internal/PySide6/plugins/iconengines/qsvgicon.dll \
    _internal/PySide6/translations/qtbase_zh_CN.qm _internal/rectify_desktop/resources/icons/rectify-desktop.svg \
    "_internal/rectify_desktop/resources/fonts/RectifySansSC-Regular.otf"; do
    mkdir -p "$(dirname "$STAND_IN/$f")"
    printf 'stand-in for %s\n' "$f" > "$STAND_IN/$f"
done

ICON_ARG=()
if "$PYTHON" -c "import PySide6.QtSvg" 2>/dev/null \
    && "$PYTHON" "$ROOT/packaging/render_icon.py" "$ROOT/resources/icons/rectify-desktop.svg" "$WORK/rectify-desktop.ico" 256 >/dev/null 2>&1; then
    ICON_ARG=("-DAPP_ICON=$WORK/rectify-desktop.ico")
fi

OUT="$WORK/rectify-desktop-$VERSION-setup.exe"
makensis -V2 -WX -INPUTCHARSET UTF8 "-DVERSION=$VERSION" "-DSOURCE_DIR=$STAND_IN" "-DOUT_FILE=$OUT" \
    "${ICON_ARG[@]}" "$HERE/installer.nsi"
[ -s "$OUT" ] || { echo "makensis 没有生成安装程序" >&2; exit 1; }
printf 'NSIS 脚本编译通过：%s（%s 字节，图标：%s）\n' "$OUT" "$(stat -c %s "$OUT")" "${ICON_ARG[*]:-NSIS 默认}"
