"""Where the program keeps its files (数据与设置的位置): the clerk's default ledger, the demo, the settings.

Below the window and its dialogs, which all need these, so that nothing imports the start-up module
(:mod:`rectify_desktop.ui.app`) back.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QSettings

ORG = "RectifyDesktop"
APP_ID = "rectify-desktop"
DEFAULT_LEDGER_NAME = "我的整改台账.db"
DEMO_LEDGER_NAME = "示例台账.db"


def data_dir() -> Path:
    """Where the program keeps the clerk's default ledger; RECTIFY_DESKTOP_DATA_DIR overrides it (tests)."""
    override = os.environ.get("RECTIFY_DESKTOP_DATA_DIR")
    if override:
        return Path(override)
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_ID, ORG, roaming=False))


def open_settings() -> QSettings:
    """The clerk's window settings (geometry, recent ledgers), as an INI file beside the data, never the registry."""
    override = os.environ.get("RECTIFY_DESKTOP_CONFIG_DIR")
    if override:
        folder = Path(override)
    else:
        from platformdirs import user_config_dir

        folder = Path(user_config_dir(APP_ID, ORG, roaming=True))
    folder.mkdir(parents=True, exist_ok=True)
    return QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)


def fresh_demo_path() -> Path:
    """The demo ledger is made anew each time; a copy still open in another window is left alone."""
    from rectify_desktop.core.demo import make_demo
    from rectify_desktop.core.storage import FileLock

    folder = data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / DEMO_LEDGER_NAME
    n = 1
    while path.exists():
        lock = FileLock(path)
        if lock.acquire():
            lock.release()
            for p in (path, Path(str(path) + "-wal"), Path(str(path) + "-shm")):
                p.unlink(missing_ok=True)
            break
        n += 1
        path = folder / f"示例台账{n}.db"
    return make_demo(path)
