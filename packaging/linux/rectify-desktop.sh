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
exec /opt/rectify-desktop/rectify-desktop "$@"
