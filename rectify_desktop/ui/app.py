"""Start-up of the window (启动): the QApplication, Chinese for Qt's own dialogs, settings, the first ledger."""

from __future__ import annotations

import os
import sys
from importlib.resources import files
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QSettings, QTranslator
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from rectify_desktop import APP_NAME
from rectify_desktop.ui.paths import APP_ID, ORG, open_settings


def app_icon() -> QIcon:
    return QIcon(str(files("rectify_desktop.resources").joinpath("icons/rectify-desktop.svg")))


def load_translations(app: QApplication) -> list[QTranslator]:
    """Qt's own dialogs (buttons, file dialogs, print dialogs) in Chinese, from the translations Qt ships, then
    the program's own supplement (resources/translations/rectify_zh_CN): Qt 6's file dialog asks for
    "&Look in:" and "Files of &type:", which Qt's zh_CN catalogue has only without the mnemonic, so those
    labels stayed English. Translators installed later are asked first."""
    loaded = []
    folders = [QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)]
    bundled = files("rectify_desktop.resources").joinpath("translations")
    if bundled.is_dir():
        folders.insert(0, str(bundled))
    for name in ("qtbase_zh_CN", "qt_zh_CN", "rectify_zh_CN"):
        for folder in folders:
            tr = QTranslator(app)
            if tr.load(name, folder):
                app.installTranslator(tr)
                loaded.append(tr)
                break
    return loaded


def _chinese_dates_in_qt_dialogs() -> dict[str, str | None]:
    """Qt's own file dialog writes dates in the *system* locale (QLocale.system(), not the default the program
    sets), which on Linux is read from LC_ALL / LC_TIME / LANG once, when first asked. When they name no
    Chinese locale, LC_TIME=zh_CN is set for that moment: returns what to put back once Qt has read it, so
    that programs the window starts (viewers, the file manager) see the environment as it was. Windows and
    macOS take the system's own settings and are left alone; an explicit LC_ALL is respected."""
    if sys.platform in ("win32", "darwin") or os.environ.get("LC_ALL"):
        return {}
    current = os.environ.get("LC_TIME") or os.environ.get("LANG") or ""
    if current.startswith("zh"):
        return {}
    before = {"LC_TIME": os.environ.get("LC_TIME")}
    os.environ["LC_TIME"] = "zh_CN.UTF-8"
    return before


def _restore_env(before: dict[str, str | None]) -> None:
    for key, value in before.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def make_app(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance()
    if app is None:
        before = _chinese_dates_in_qt_dialogs()
        try:
            app = QApplication(argv if argv is not None else sys.argv[:1])
            QLocale.system().dateTimeFormat()  # Qt reads the system locale now, while LC_TIME says Chinese
        finally:
            _restore_env(before)
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(ORG)
    app.setApplicationDisplayName(APP_NAME)
    # Lets Linux desktops match the window to its menu entry (packaging/linux/rectify-desktop.desktop).
    app.setDesktopFileName(APP_ID)
    app.setWindowIcon(app_icon())
    if not getattr(app, "_rectify_translations", None):
        app._rectify_translations = load_translations(app)  # type: ignore[attr-defined]
    if not getattr(app, "_rectify_fonts", False):
        # The bundled CJK font (resources/fonts): for the printout, and for the screen when no Chinese font exists.
        from rectify_desktop.ui.printing.fonts import install_for_screen

        install_for_screen(app)
        app._rectify_fonts = True  # type: ignore[attr-defined]
    return app  # type: ignore[return-value]


def setup_operator(qs: QSettings) -> str:
    """The clerk's name (经办人) for the change log, from this computer's settings; asked once, on the first
    start, before the window opens. Never under the tests (RECTIFY_DESKTOP_TEST), which set a name themselves."""
    from rectify_desktop.core.ledger import set_operator
    from rectify_desktop.ui.settings_dialog import OPERATOR_ASKED_KEY, ask_operator, operator_name

    name = operator_name(qs)
    if not name and not qs.value(OPERATOR_ASKED_KEY, False, bool) and not os.environ.get("RECTIFY_DESKTOP_TEST"):
        return ask_operator(qs)
    set_operator(name)
    return name


def run(ledger: Path | str | None = None, demo: bool = False) -> int:
    """Starts the window on `ledger` (a file, or a server ledger's postgresql://… address, whose password is asked
    in the window when none is remembered), the demo, or the last ledger."""
    app = make_app()
    from rectify_desktop.core import outfile

    outfile.clean_stale()  # what a killed export, import or backup left beside its files
    from rectify_desktop.ui.main_window import MainWindow

    settings = open_settings()
    setup_operator(settings)
    window = MainWindow(settings)
    window.show()
    if demo:
        window.open_demo()
    elif ledger is not None:
        window.open_ledger(ledger)
    else:
        window.open_default()
    return app.exec()
