"""The Linux package's glibc check (packaging/linux/check_glibc.py) and Depends table (deb_depends.py), run on a
small folder laid out as the package is: a real program file of this machine, then the same with the machine's
glibc bundled in runtime/ and the program patched to it as build_deb.sh does (one patchelf call per change).

Building the .deb itself takes minutes and the network; packaging/linux/test_on_old_system.sh tries it whole.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINUX = ROOT / "packaging" / "linux"
INSTALL_DIR = "/opt/rectify-desktop"

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or not (shutil.which("objdump") and shutil.which("readelf")),
    reason="Linux with binutils (objdump, readelf)",
)


def run(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(LINUX / script), *args], capture_output=True, text=True, timeout=120)


def system_lib(name: str) -> Path:
    for folder in ("/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu", "/usr/lib64", "/lib64", "/lib"):
        if (Path(folder) / name).exists():
            return Path(folder) / name
    pytest.skip(f"{name} not found")


def program_folder(tmp_path: Path) -> Path:
    """A folder with one program of this machine, as the frozen program file would be."""
    folder = tmp_path / "rectify-desktop"
    folder.mkdir()
    shutil.copy(shutil.which("true") or "/bin/true", folder / "rectify-desktop")
    return folder


def loader_name() -> str:
    interp = subprocess.run(["readelf", "-lW", shutil.which("true") or "/bin/true"], capture_output=True, text=True)
    return Path(interp.stdout.split("program interpreter: ", 1)[1].split("]", 1)[0]).name


def test_a_program_on_the_systems_glibc_needs_it_from_the_system(tmp_path: Path) -> None:
    check = run("check_glibc.py", str(program_folder(tmp_path)))
    assert check.returncode == 1
    assert "需要系统提供的最高 GLIBC_：2." in check.stdout
    assert "没有捆绑的 glibc" in check.stderr


def test_with_the_glibc_bundled_nothing_is_needed_from_the_system(tmp_path: Path) -> None:
    if shutil.which("patchelf") is None:
        pytest.skip("needs patchelf (apt-get install patchelf)")
    folder = program_folder(tmp_path)
    runtime = folder / "runtime"
    runtime.mkdir()
    loader = loader_name()
    for name in (loader, "libc.so.6"):
        shutil.copy(system_lib(name), runtime / name)
    program = str(folder / "rectify-desktop")
    subprocess.run(["patchelf", "--set-interpreter", f"{INSTALL_DIR}/runtime/{loader}", program], check=True)

    # the interpreter alone is not enough: the libraries must be found in the bundle too
    check = run("check_glibc.py", str(folder), "--install-dir", INSTALL_DIR)
    assert check.returncode == 1
    assert "RPATH" in check.stderr

    subprocess.run(["patchelf", "--force-rpath", "--set-rpath", "$ORIGIN/runtime", program], check=True)
    check = run("check_glibc.py", str(folder), "--install-dir", INSTALL_DIR)
    assert check.returncode == 0, check.stderr
    assert check.stdout.splitlines()[-1] == "需要系统提供的最高 GLIBC_：none"

    # a program file installed elsewhere (its interpreter is not where the package puts the bundle) still needs it
    check = run("check_glibc.py", str(folder), "--install-dir", "/usr/lib/other")
    assert check.returncode == 1
    assert "用系统的 glibc" in check.stderr


def test_depends_come_from_the_table_and_the_bundle_takes_libc_out(tmp_path: Path) -> None:
    folder = program_folder(tmp_path)
    listing = run("deb_depends.py", str(folder))
    assert listing.returncode == 0, listing.stderr
    assert "libc.so.6\tlibc6 (>= 2." in listing.stdout  # not bundled: the system's libc6, at the version it needs

    (folder / "runtime").mkdir()
    for name in (loader_name(), "libc.so.6"):  # libc itself needs the loader
        shutil.copy(system_lib(name), folder / "runtime" / name)
    depends = run("deb_depends.py", str(folder), "--depends")
    assert depends.returncode == 0, depends.stderr
    assert "libc6" not in depends.stdout


def test_a_library_missing_from_the_table_stops_the_build(tmp_path: Path) -> None:
    folder = program_folder(tmp_path)
    if shutil.which("patchelf") is None:
        pytest.skip("needs patchelf (apt-get install patchelf)")
    program = str(folder / "rectify-desktop")
    subprocess.run(["patchelf", "--add-needed", "libnot-in-any-table.so.9", program], check=True)
    listing = run("deb_depends.py", str(folder), "--depends")
    assert listing.returncode == 1
    assert "对照表中没有这些系统库：libnot-in-any-table.so.9" in listing.stderr
