"""The layers: core and io never import Qt, and the command line runs without loading it."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import rectify_desktop

PACKAGE = Path(rectify_desktop.__file__).resolve().parent
QT_PACKAGES = ("PySide6", "PyQt5", "PyQt6", "shiboken6")


def qt_imports(source: str, filename: str = "<source>") -> list[str]:
    """The Qt modules `source` imports, wherever the import sits (top level, function, try block)."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, (ast.Name, ast.Attribute))
            and (node.func.id if isinstance(node.func, ast.Name) else node.func.attr) in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names = [node.args[0].value]
        else:
            continue
        found += [n for n in names if n.split(".")[0] in QT_PACKAGES]
    return found


def ui_imports(source: str, filename: str = "<source>") -> list[str]:
    """Imports of the window's package (rectify_desktop.ui), absolute or relative."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.startswith("rectify_desktop.ui")]
        elif isinstance(node, ast.ImportFrom):
            mod = node.module or ""
            if (node.level == 0 and mod.startswith("rectify_desktop.ui")) or (
                node.level == 2 and mod.split(".")[0] == "ui"
            ):
                found.append(mod)
    return found


def test_scanner_finds_qt_imports() -> None:
    src = (
        "import os\n"
        "from PySide6.QtWidgets import QWidget\n"
        "def f():\n"
        "    import PySide6\n"
        "    import importlib; importlib.import_module('PySide6.QtGui')\n"
        "from rectify_desktop.ui import app\n"
        "from ..ui.forms import Form\n"
    )
    assert qt_imports(src) == ["PySide6.QtWidgets", "PySide6", "PySide6.QtGui"]
    assert ui_imports(src) == ["rectify_desktop.ui", "ui.forms"]
    assert qt_imports("import peewee\nfrom rectify_desktop.core import stats\n") == []


def test_core_and_io_do_not_import_qt() -> None:
    files = sorted((PACKAGE / "core").rglob("*.py")) + sorted((PACKAGE / "io").rglob("*.py"))
    assert any(f.name == "ledger.py" for f in files)
    bad = {}
    for f in files:
        src = f.read_text(encoding="utf-8")
        hits = qt_imports(src, str(f)) + ui_imports(src, str(f))
        if hits:
            bad[str(f.relative_to(PACKAGE))] = hits
    assert bad == {}


def test_cli_stats_runs_without_qt(demo_path: Path, cli_env: dict[str, str]) -> None:
    code = (
        "import sys\n"
        "from rectify_desktop.cli import main\n"
        "rc = main(['stats', sys.argv[1], '--json'])\n"
        "rc2 = main(['verify', sys.argv[1]])\n"
        "print('QT-LOADED' if [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6')] else 'NO-QT')\n"
        "sys.exit(rc or rc2)\n"
    )
    r = subprocess.run(
        [sys.executable, "-c", code, str(demo_path)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=cli_env,
        timeout=60,
    )
    assert r.returncode == 0, r.stderr
    assert '"items": 29' in r.stdout
    assert r.stdout.rstrip().endswith("NO-QT")
