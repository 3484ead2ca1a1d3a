"""Shared fixtures. Qt runs offscreen; every test gets its own ledger file in a temporary folder."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

pytest_plugins = ["tests.pg_fixtures"]

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The tests must not read or write the clerk's own settings and recent files.
os.environ.setdefault("RECTIFY_DESKTOP_TEST", "1")
# Nor its journal of folders to tidy (core/outfile.py).
os.environ.setdefault("RECTIFY_DESKTOP_STATE_DIR", tempfile.mkdtemp(prefix="rectify-test-state-"))


@pytest.fixture
def ledger_path(tmp_path: Path) -> Path:
    return tmp_path / "台账.db"


@pytest.fixture
def ledger(ledger_path: Path):
    """A new, empty, open ledger (no inspection yet)."""
    from rectify_desktop.core.ledger import Ledger

    led = Ledger.create(ledger_path)
    yield led
    led.close()


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo ledger, made once per run: with its months of history it takes a few hundred changes to make,
    and hundreds of tests start from it."""
    from rectify_desktop.core.demo import make_demo

    return make_demo(tmp_path_factory.mktemp("demo") / "示例台账.db")


@pytest.fixture
def demo_path(tmp_path: Path, demo_template: Path) -> Path:
    """A fresh copy of the demo ledger in the test's own folder."""
    out = tmp_path / "示例台账.db"
    shutil.copyfile(demo_template, out)
    return out


@pytest.fixture
def demo_ledger(demo_path: Path):
    from rectify_desktop.core.ledger import Ledger

    led = Ledger.open(demo_path)
    yield led
    led.close()


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):  # noqa: ANN001, ANN201
    """The real main window, shown, with its settings and data in the test's folder. Test files that want it on
    a ledger override it with a fixture of the same name that asks for this one."""
    monkeypatch.setenv("RECTIFY_DESKTOP_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("RECTIFY_DESKTOP_DATA_DIR", str(tmp_path / "data"))
    from rectify_desktop.ui.app import make_app, open_settings
    from rectify_desktop.ui.main_window import MainWindow

    make_app()
    w = MainWindow(open_settings())
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.close()


@pytest.fixture
def cli_env() -> dict[str, str]:
    """Environment for running the command line in a child process, with no display."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1]) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    return env


@pytest.fixture
def cli(cli_env):
    """Runs `python -m rectify_desktop ARGS` in a child process; returns the CompletedProcess."""
    import subprocess

    def run(*args: str, **kw):
        return subprocess.run(
            [sys.executable, "-m", "rectify_desktop", *map(str, args)],
            capture_output=True,
            text=True,
            encoding="utf-8",
            env=cli_env,
            timeout=120,
            **kw,
        )

    return run
