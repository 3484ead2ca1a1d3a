"""Overrides PyInstaller's own hook for this Qt module: the same collection, less the Qt plugins and translations
the program does not use, dropped before their libraries are analysed (see KEEP_PLUGINS in rectify-desktop.spec)."""

from PyInstaller.utils.hooks import get_hook_config
from PyInstaller.utils.hooks.qt import add_qt6_dependencies


def hook(hook_api):
    hiddenimports, binaries, datas = add_qt6_dependencies(__file__)
    kept = get_hook_config(hook_api, "rectify_desktop", "qt_kept") or (lambda src, dest: True)
    hook_api.add_imports(*hiddenimports)
    hook_api.add_binaries([(src, dest) for src, dest in binaries if kept(src, dest)])
    hook_api.add_datas([(src, dest) for src, dest in datas if kept(src, dest)])
