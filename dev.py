"""One command to set up and run Rectify Desktop from a fresh clone, on Linux and Windows alike.

    python3 dev.py demo      set up .venv, then start the program on a new demo ledger
    python3 dev.py test      set up .venv with the test tools, then run the test suite (extra args go to pytest)

It makes a virtual environment in .venv beside this file and installs the project into it (editable),
so it needs nothing but Python 3.10 or newer and access to the package index. The tests of the server ledger
start a PostgreSQL server of their own: `test` installs PostgreSQL first where it is missing (Debian-based
Linux, as root), and where it is there the tests may not skip (RECTIFY_DESKTOP_REQUIRE_POSTGRES=1).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
# Libraries Qt's xcb window plugin loads that a minimal Debian desktop may lack.
DEBIAN_QT_PACKAGES = ["libxcb-icccm4", "libxcb-keysyms1", "libxcb-cursor0", "libxkbcommon-x11-0", "libegl1"]


def run(cmd: list[str], **kw: object) -> int:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    return subprocess.call([str(c) for c in cmd], cwd=ROOT, **kw)  # type: ignore[arg-type]


def setup(extra: str = "") -> None:
    if sys.version_info < (3, 10):  # noqa: UP036 - dev.py must explain itself on an old Python
        sys.exit("需要 Python 3.10 或更新版本")
    if not PY.exists():
        print(f"创建虚拟环境：{VENV}", flush=True)
        venv.create(VENV, with_pip=True)
    target = f".[{extra}]" if extra else "."
    if run([PY, "-m", "pip", "install", "-q", "--disable-pip-version-check", "-e", target]) != 0:
        sys.exit("安装依赖失败")


def ensure_qt_libraries() -> None:
    """On Debian-based Linux run as root, installs the few system libraries Qt's window plugin needs."""
    if not sys.platform.startswith("linux") or not shutil.which("apt-get") or os.geteuid() != 0:
        return
    missing = [
        p
        for p in DEBIAN_QT_PACKAGES
        if subprocess.call(["dpkg", "-s", p], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) != 0
    ]
    if missing:
        run(["apt-get", "install", "-y", "-q", *missing], env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})


def find_postgresql() -> tuple[Path | None, str]:
    """The PostgreSQL server binaries' folder, found as the tests' fixture finds it (tests/pgserver.py, loaded by
    path: it needs nothing outside the standard library), or None and why."""
    spec = importlib.util.spec_from_file_location("_rectify_pgserver", ROOT / "tests" / "pgserver.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module.find_bindir()


def can_apt_install() -> tuple[bool, str]:
    if not sys.platform.startswith("linux") or not shutil.which("apt-get"):
        return False, "不是装有 apt-get 的 Linux，请自行安装 / not Debian-based Linux with apt-get, install it yourself"
    if os.geteuid() != 0:
        return False, "不是 root，无法安装 / not root, cannot install it"
    return True, ""


def ensure_postgresql() -> dict[str, str]:
    """The environment for pytest: installs PostgreSQL where it is missing and can be (Debian, root), and where
    its binaries are, requires the server tests (they fail instead of skipping). Debian's package also makes a
    cluster on port 5432; the tests' server takes a free port of its own and does not use it."""
    env = dict(os.environ)
    bindir, reason = find_postgresql()
    if bindir is None:
        can, why = can_apt_install()
        if not can:
            print(f"PostgreSQL 服务器台账的测试将跳过 / PostgreSQL server tests will be skipped: {why}", flush=True)
            return env
        apt_env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        install = ["apt-get", "install", "-y", "-q", "postgresql"]
        # A fresh machine or container may have no package lists yet, or stale ones: update once and retry.
        if run(install, env=apt_env) != 0 and run(["apt-get", "update", "-q"], env=apt_env) == 0:
            run(install, env=apt_env)
        bindir, reason = find_postgresql()
        if bindir is None:
            # Required all the same: where it could be installed and was not, the tests fail and say why.
            print(f"安装 PostgreSQL 失败 / installing PostgreSQL failed: {reason}", flush=True)
    env["RECTIFY_DESKTOP_REQUIRE_POSTGRES"] = "1"
    return env


def main(argv: list[str]) -> int:
    what = argv[0] if argv else ""
    if what == "demo":
        setup()
        ensure_qt_libraries()
        return run([PY, "-m", "rectify_desktop", "--demo", *argv[1:]])
    if what == "test":
        setup("test")
        return run([PY, "-m", "pytest", *argv[1:]], env=ensure_postgresql())
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
