"""Runtime hook (Linux): the programs the frozen program starts get the user's own environment.

PyInstaller's bootloader puts the program's _internal/ folder first on LD_LIBRARY_PATH, keeping the user's value
(when there was one) in LD_LIBRARY_PATH_ORIG, and its PySide6 runtime hook points QT_PLUGIN_PATH and
QML2_IMPORT_PATH into the bundle. Every program started from here inherits them: xdg-open, and the viewer or file
manager it starts, would load the bundled libraries and die ("GLIBC_2.34 not found (required by
_internal/liblzma.so.5)"), or a Qt 5 viewer would try the bundled Qt 6 plugins. Qt's QDesktopServices (打开文件,
打开所在文件夹, opening evidence) and QProcess hand the process environment to what they start, so the fix is
to give the user's values back here, once, before the program's own code runs.

The running program loses nothing: the dynamic loader reads LD_LIBRARY_PATH once, when the process starts, and
keeps its search list; Qt finds its plugins from PySide6's own qt.conf (the wheel layout the bundle keeps).
The spec runs this hook last, after PyInstaller's own, so that the values they set are the ones taken back.
"""

import os


def _give_back_users_environment(environ=os.environ):
    original = environ.pop("LD_LIBRARY_PATH_ORIG", None)
    if original is not None:
        environ["LD_LIBRARY_PATH"] = original
    else:
        environ.pop("LD_LIBRARY_PATH", None)
    for name in ("QT_PLUGIN_PATH", "QML2_IMPORT_PATH"):
        environ.pop(name, None)


_give_back_users_environment()
del _give_back_users_environment
