#!/bin/sh
# rectify-desktop: starts 整改台账 (Rectify Desktop), installed in /opt/rectify-desktop.
QT_PLUGINS=/opt/rectify-desktop/_internal/PySide6/Qt/plugins
# Chinese input: the bundled Qt has the ibus input method plugin, not fcitx's; fcitx5 answers the ibus protocol.
case "${QT_IM_MODULE:-}" in
    fcitx*)
        for plugin in "$QT_PLUGINS"/platforminputcontexts/*fcitx*; do
            [ -e "$plugin" ] || export QT_IM_MODULE=ibus
        done ;;
esac
# The bundled Qt draws through X11 (XWayland in a Wayland session): it has no Wayland plugin.
case "${QT_QPA_PLATFORM:-}" in
    wayland*) [ -n "${DISPLAY:-}" ] && export QT_QPA_PLATFORM=xcb ;;
esac
# The program carries its own glibc and C++ runtime (runtime/), so that it runs where the system's glibc is older
# than the build machine's (UOS 20, Kylin V10). Where the system's is as new or newer, its own libraries (X11,
# GLib, GL…) may need that newer glibc: there the same program runs on the system's glibc instead.
BUNDLED_GLIBC=@GLIBC@
SYSTEM_GLIBC="$(getconf GNU_LIBC_VERSION 2>/dev/null | sed -n 's/^glibc //p')"
if [ -n "$SYSTEM_GLIBC" ] && [ -x /opt/rectify-desktop/system-glibc/rectify-desktop ] &&
    [ "$(printf '%s\n%s\n' "$BUNDLED_GLIBC" "$SYSTEM_GLIBC" | sort -V | head -n 1)" = "$BUNDLED_GLIBC" ]; then
    exec /opt/rectify-desktop/system-glibc/rectify-desktop "$@"
fi
exec /opt/rectify-desktop/rectify-desktop "$@"
