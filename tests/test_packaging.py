"""The installers' files (packaging/, .github/workflows/package-windows.yml), checked without building them.

The NSIS script is compiled with makensis when it is installed (Debian: nsis); the .desktop file is checked with
desktop-file-validate and the AppStream file with appstreamcli when they are installed; the rest always runs.
Building the .deb itself (packaging/linux/build_deb.sh) takes minutes and the network: it is not run here.
"""

from __future__ import annotations

import configparser
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from defusedxml import ElementTree

from rectify_desktop import __version__

ROOT = Path(__file__).resolve().parents[1]
PACKAGING = ROOT / "packaging"
LINUX = PACKAGING / "linux"
MIME_NS = "{http://www.freedesktop.org/standards/shared-mime-info}"
LEDGER_TYPE = "application/x-rectify-ledger"


def _desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(LINUX / "rectify-desktop.desktop", encoding="utf-8")
    return parser["Desktop Entry"]


def test_desktop_file() -> None:
    entry = _desktop_entry()
    assert entry["Type"] == "Application"
    assert entry["Name"] == "整改台账"
    assert re.search(r"[\u4e00-\u9fff]", entry["Comment"])
    assert entry["Exec"] == "rectify-desktop %f"
    assert entry["Icon"] == "rectify-desktop"
    assert entry["MimeType"] == f"{LEDGER_TYPE};"
    assert entry["Terminal"] == "false"
    if shutil.which("desktop-file-validate"):
        r = subprocess.run(
            ["desktop-file-validate", str(LINUX / "rectify-desktop.desktop")], capture_output=True, text=True
        )
        assert r.returncode == 0 and not r.stdout.strip(), r.stdout + r.stderr


def test_mime_type_recognises_a_ledger_by_its_content(tmp_path: Path) -> None:
    """The magic of the MIME type is what storage stamps: the SQLite header, then application_id at byte 68."""
    root = ElementTree.parse(LINUX / "rectify-desktop.xml").getroot()
    assert root.tag == f"{MIME_NS}mime-info"
    (mime,) = root.findall(f"{MIME_NS}mime-type")
    assert mime.get("type") == LEDGER_TYPE
    assert [g.get("pattern") for g in mime.findall(f"{MIME_NS}glob")] == ["*.zgtz"]  # never *.db
    assert mime.find(f"{MIME_NS}sub-class-of").get("type") == "application/vnd.sqlite3"
    outer = mime.find(f"{MIME_NS}magic/{MIME_NS}match")
    inner = outer.find(f"{MIME_NS}match")
    assert (outer.get("type"), outer.get("offset")) == ("string", "0")
    assert (inner.get("type"), inner.get("offset")) == ("big32", "68")

    from rectify_desktop.core.demo import make_demo

    data = make_demo(tmp_path / "示例.db").read_bytes()[:100]
    assert data.startswith(outer.get("value").encode())
    assert int.from_bytes(data[68:72], "big") == int(inner.get("value"), 16) == 0x5A47545A


def test_appstream_metadata(tmp_path: Path) -> None:
    template = (LINUX / "rectify-desktop.metainfo.xml.in").read_text(encoding="utf-8")
    assert "@VERSION@" in template and "@DATE@" in template
    filled = template.replace("@VERSION@", __version__).replace("@DATE@", "2026-01-01")
    root = ElementTree.fromstring(filled.encode())
    assert root.get("type") == "desktop-application"
    assert root.find("launchable").text == "rectify-desktop.desktop"
    assert root.find("provides/mediatype").text == LEDGER_TYPE
    assert root.find("releases/release").get("version") == __version__
    assert root.find("name[@{http://www.w3.org/XML/1998/namespace}lang='zh_CN']").text == "整改台账"
    if shutil.which("appstreamcli"):
        path = tmp_path / "rectify-desktop.metainfo.xml"
        path.write_text(filled, encoding="utf-8")
        r = subprocess.run(["appstreamcli", "validate", "--no-net", str(path)], capture_output=True, text=True)
        errors = [ln for ln in r.stdout.splitlines() if ln.startswith("E:")]
        assert errors == [], r.stdout


def test_maintainer_scripts_never_fail(tmp_path: Path) -> None:
    """postinst and postrm refresh the desktop's caches and exit 0 even when every refresher fails."""
    stubs = tmp_path / "bin"
    stubs.mkdir()
    for tool in ("update-desktop-database", "update-mime-database", "gtk-update-icon-cache"):
        stub = stubs / tool
        stub.write_text('#!/bin/sh\necho "$0 $*" >> "$(dirname "$0")/calls"\nexit 3\n')
        stub.chmod(0o755)
    env = {**os.environ, "PATH": f"{stubs}:/usr/bin:/bin"}
    for script, arg in (("postinst", "configure"), ("postrm", "remove"), ("postrm", "purge")):
        path = LINUX / script
        assert path.stat().st_mode & stat.S_IXUSR
        r = subprocess.run(["sh", str(path), arg], env=env, capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
    assert len((stubs / "calls").read_text().splitlines()) == 9
    r = subprocess.run(["/bin/sh", str(LINUX / "postinst"), "configure"], env={"PATH": "/nonexistent"})
    assert r.returncode == 0


def test_shell_scripts_parse() -> None:
    for script in (LINUX / "build_deb.sh", PACKAGING / "windows" / "check_nsis.sh"):
        assert subprocess.run(["bash", "-n", str(script)]).returncode == 0, script
    assert subprocess.run(["sh", "-n", str(LINUX / "rectify-desktop.sh")]).returncode == 0
    assert 'exec /opt/rectify-desktop/rectify-desktop "$@"' in (LINUX / "rectify-desktop.sh").read_text()


def test_launcher_runs_the_command_line() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    r = subprocess.run(
        [sys.executable, str(PACKAGING / "launcher.py"), "--version"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=60,
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"整改台账 {__version__}"


def test_spec_reads_the_version_from_the_package() -> None:
    spec = (PACKAGING / "rectify-desktop.spec").read_text(encoding="utf-8")
    assert "VERSION = rectify_desktop.__version__" in spec
    assert '"PySide6.QtPrintSupport"' in spec
    for name in ("qtbase_zh_CN.qm", "qt_zh_CN.qm", '"printsupport"', "libqxcb", "libqoffscreen", "qwindows"):
        assert name in spec, name


def test_workflow_is_valid_yaml() -> None:
    yaml = pytest.importorskip("yaml")
    doc = yaml.safe_load((ROOT / ".github" / "workflows" / "package-windows.yml").read_text(encoding="utf-8"))
    job = doc["jobs"]["installer"]
    assert job["runs-on"] == "windows-latest"
    runs = " ".join(step.get("run", "") for step in job["steps"])
    assert "packaging/windows/build.ps1" in runs
    upload = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/upload-artifact"))
    assert upload["with"]["path"].endswith("-setup.exe")
    # PyYAML reads the key `on` as True.
    assert "workflow_dispatch" in (doc.get("on") or doc.get(True))


def test_windows_build_script_is_ascii() -> None:
    """Windows PowerShell 5.1 reads a .ps1 without a BOM in the ANSI code page: keep it ASCII."""
    (PACKAGING / "windows" / "build.ps1").read_bytes().decode("ascii")


@pytest.mark.skipif(shutil.which("makensis") is None, reason="makensis is not installed (apt-get install nsis)")
def test_nsis_script_compiles(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHON": sys.executable}
    r = subprocess.run(
        ["bash", str(PACKAGING / "windows" / "check_nsis.sh"), str(tmp_path)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=300,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert "NSIS 脚本编译通过" in r.stdout
    setup = tmp_path / f"rectify-desktop-{__version__}-setup.exe"
    assert setup.read_bytes()[:2] == b"MZ"
    nsi = (PACKAGING / "windows" / "installer.nsi").read_text(encoding="utf-8-sig")
    for needle in (
        "Unicode true",
        '"SimpChinese"',
        "MultiUser.nsh",
        "RectifyDesktop.Ledger",
        '"%1"',
        "DisplayName",
        "DisplayVersion",
        "Publisher",
        "UninstallString",
        "EstimatedSize",
    ):
        assert needle in nsi, needle


def test_an_installed_copy_holds_every_module_and_resource(tmp_path: Path) -> None:
    """What pip installs is what setuptools' build_py copies: a package folder missing from pyproject.toml's
    list (ui/forms, ui/printing once they were split out) would be left out, and the window would not open."""
    repo = Path(__file__).resolve().parent.parent
    # A copy without the editable install's egg-info, whose file list would hide a package missing from the list.
    root = tmp_path / "src"
    skip = shutil.ignore_patterns("__pycache__", "*.egg-info")
    for name in ("rectify_desktop", "resources"):
        shutil.copytree(repo / name, root / name, ignore=skip)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(repo / name, root / name)
    build = tmp_path / "lib"
    script = (
        "import sys; from setuptools import setup; "
        f"sys.argv = ['setup.py', '-q', 'build_py', '--build-lib', {str(build)!r}]; setup()"
    )
    subprocess.run([sys.executable, "-c", script], cwd=root, check=True, capture_output=True, timeout=120)
    source = {p.relative_to(root).as_posix() for p in (root / "rectify_desktop").rglob("*.py")}
    built = {p.relative_to(build).as_posix() for p in (build / "rectify_desktop").rglob("*.py")}
    assert len(source) > 80
    assert source - built == set()
    resources = {
        p.relative_to(root / "resources").as_posix()
        for p in (root / "resources").rglob("*")
        if p.is_file() and p.suffix != ".py" and "__pycache__" not in p.parts
    }
    installed = {
        p.relative_to(build / "rectify_desktop" / "resources").as_posix()
        for p in (build / "rectify_desktop" / "resources").rglob("*")
        if p.is_file()
    }
    assert resources and resources - installed == set()
