"""The programs the frozen program starts (xdg-open for a file or its folder, and what xdg-open starts in turn)
get the user's own environment, not the one PyInstaller's bootloader made for the frozen program itself.

The bootloader puts the program's _internal/ folder first on LD_LIBRARY_PATH (keeping the user's value, when
there was one, in LD_LIBRARY_PATH_ORIG); a host tool started with it loads the bundled libraries and dies
("GLIBC_2.34 not found (required by _internal/liblzma.so.5)"). The runtime hook
packaging/pyinstaller-hooks/rthook_child_env.py gives the user's values back before Qt starts.

No frozen build here: a fresh Python is given the variables as the bootloader sets them, runs the runtime hook
as the frozen program does, then opens a file and a folder through the window's own openers (Qt's
QDesktopServices, as the export box and the evidence list do), with a stand-in xdg-open first on PATH that writes
down the environment it was started with.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HOOK = ROOT / "packaging" / "pyinstaller-hooks" / "rthook_child_env.py"

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="xdg-open and LD_LIBRARY_PATH: Linux")

BUNDLE = "/opt/rectify-desktop/_internal"

# What the frozen program runs: the runtime hook first (as PyInstaller does, before the program's own modules),
# then the openers of the export box (打开文件, 打开所在文件夹).
PROGRAM = r"""
import runpy, sys
from pathlib import Path
runpy.run_path(sys.argv[1], run_name="__main__")
from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication
from rectify_desktop.ui.done_box import reveal_in_folder
app = QApplication([])
what, path = sys.argv[2], Path(sys.argv[3])
ok = reveal_in_folder(path) if what == "folder" else QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
print("started" if ok else "not started")
"""


@pytest.fixture(scope="module")
def display() -> Iterator[str]:
    """An X display (Xvfb): Qt's offscreen platform opens no files, the desktop's xcb does."""
    if shutil.which("Xvfb") is None:
        pytest.skip("needs Xvfb (apt-get install xvfb)")
    read, write = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "800x600x24", "-nolisten", "tcp"],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    with os.fdopen(read) as f:
        number = f.readline().strip()
    try:
        assert number, "Xvfb did not start"
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(timeout=30)


def open_in_frozen_program(tmp_path: Path, display: str, what: str, user_env: dict[str, str]) -> dict[str, str]:
    """The environment the stand-in xdg-open saw when the program opened a file (what="file") or its folder."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    seen = tmp_path / "seen.env"
    xdg_open = bin_dir / "xdg-open"
    # env -0: values may hold newlines; the rename makes the file appear whole.
    xdg_open.write_text(f'#!/bin/sh\nenv -0 > "{seen}.part" && mv "{seen}.part" "{seen}"\n', encoding="utf-8")
    xdg_open.chmod(0o755)
    target = tmp_path / "整改台账.xlsx"
    target.write_bytes(b"x")

    env = {k: v for k, v in os.environ.items() if not k.startswith(("LD_LIBRARY_PATH", "_PYI"))}
    env.update(user_env)
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '/usr/bin:/bin')}"
    env["QT_QPA_PLATFORM"] = "xcb"
    env["DISPLAY"] = display
    env.pop("WAYLAND_DISPLAY", None)
    env["XDG_CURRENT_DESKTOP"] = "X-Generic"  # no desktop-specific opener (kde-open, gio): xdg-open
    # As PyInstaller's bootloader leaves it for the frozen program (see PyInstaller's "LD_LIBRARY_PATH /
    # LIBPATH considerations"): the bundle first, the user's value (if any) after it and kept in _ORIG.
    user = user_env.get("LD_LIBRARY_PATH")
    env["LD_LIBRARY_PATH"] = BUNDLE + (os.pathsep + user if user else "")
    if user is not None:
        env["LD_LIBRARY_PATH_ORIG"] = user
    # and PyInstaller's PySide6 runtime hook points Qt into the bundle, which a Qt 5 viewer must not follow
    env["QT_PLUGIN_PATH"] = f"{BUNDLE}/PySide6/Qt/plugins"
    env["QML2_IMPORT_PATH"] = f"{BUNDLE}/PySide6/Qt/qml"
    run = subprocess.run(
        [sys.executable, "-c", PROGRAM, str(HOOK), what, str(target)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "started", run.stdout + run.stderr
    # xdg-open is started detached: wait for what it writes (a generous bound, not a timing check).
    deadline = time.monotonic() + 60
    while not seen.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert seen.exists(), "the stand-in xdg-open never ran"
    pairs = [item.split("=", 1) for item in seen.read_text(encoding="utf-8").split("\0") if "=" in item]
    return dict(pairs)


@pytest.mark.parametrize("what", ["file", "folder"])
def test_a_program_it_starts_gets_the_users_own_library_path(tmp_path: Path, display: str, what: str) -> None:
    seen = open_in_frozen_program(tmp_path, display, what, {"LD_LIBRARY_PATH": "/home/user/lib"})
    assert seen.get("LD_LIBRARY_PATH") == "/home/user/lib"
    assert "LD_LIBRARY_PATH_ORIG" not in seen
    assert "QT_PLUGIN_PATH" not in seen
    assert "QML2_IMPORT_PATH" not in seen


@pytest.mark.parametrize("what", ["file", "folder"])
def test_a_program_it_starts_has_no_library_path_when_the_user_had_none(
    tmp_path: Path, display: str, what: str
) -> None:
    seen = open_in_frozen_program(tmp_path, display, what, {})
    assert "LD_LIBRARY_PATH" not in seen
    assert "LD_LIBRARY_PATH_ORIG" not in seen
    # the rest of the user's environment is passed on as it was
    assert seen.get("XDG_CURRENT_DESKTOP") == "X-Generic"
