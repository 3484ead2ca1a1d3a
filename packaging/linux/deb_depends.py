"""What a frozen folder needs from the system: the system libraries its programs and libraries link directly
(ELF NEEDED entries not satisfied inside the folder), the Debian package of each on this machine, and the
newest glibc symbol version any of them requires.

    python3 deb_depends.py FOLDER [--check "DEPENDS LINE"]

Prints one line per external library and "glibc>=X.Y". With --check, exits 1 if a library's package is not
named in the Depends line (so the .deb's Depends never silently misses a library), or the line's libc6 version
is lower than the glibc the folder needs. Uses objdump (binutils), ldconfig and dpkg.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

GLIBC_LIBS = {"libc.so.6", "libm.so.6", "libpthread.so.0", "libdl.so.2", "librt.so.1", "libutil.so.1"}


def elf_files(folder: Path) -> list[Path]:
    out = []
    for p in sorted(folder.rglob("*")):
        if p.is_file() and not p.is_symlink():
            with p.open("rb") as f:
                if f.read(4) == b"\x7fELF":
                    out.append(p)
    return out


def objdump(path: Path) -> str:
    return subprocess.run(["objdump", "-p", str(path)], capture_output=True, text=True, check=False).stdout


def needed_and_glibc(path: Path) -> tuple[list[str], tuple[int, ...]]:
    text = objdump(path)
    needed = re.findall(r"^\s*NEEDED\s+(\S+)", text, re.M)
    newest: tuple[int, ...] = (0,)
    current = None
    for line in text.splitlines():
        m = re.match(r"\s*required from (\S+):", line)
        if m:
            current = m.group(1)
            continue
        m = re.search(r"GLIBC_(\d+(?:\.\d+)+)", line)
        if m and current in GLIBC_LIBS:
            newest = max(newest, tuple(int(x) for x in m.group(1).split(".")))
    return needed, newest


def library_paths() -> dict[str, str]:
    text = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True, check=False).stdout
    paths: dict[str, str] = {}
    for m in re.finditer(r"^\s*(\S+) \(([^)]*)\) => (\S+)", text, re.M):
        if "x86-64" in m.group(2) or "64bit" in m.group(2) or os.uname().machine not in ("x86_64",):
            paths.setdefault(m.group(1), m.group(3))
    return paths


def package_of(path: str) -> str | None:
    real = os.path.realpath(path)
    candidates = {path, real}
    for p in list(candidates):
        if p.startswith("/usr/"):
            candidates.add(p[4:])
        else:
            candidates.add("/usr" + p)
    for p in candidates:
        r = subprocess.run(["dpkg", "-S", p], capture_output=True, text=True, check=False)
        if r.returncode == 0 and r.stdout:
            return r.stdout.split(":", 1)[0].split(",")[0].strip()
    return None


def analyse(folder: Path) -> tuple[dict[str, str | None], tuple[int, ...]]:
    files = elf_files(folder)
    bundled = {p.name for p in folder.rglob("*")}
    external: set[str] = set()
    glibc: tuple[int, ...] = (0,)
    for f in files:
        needed, newest = needed_and_glibc(f)
        glibc = max(glibc, newest)
        external.update(n for n in needed if n not in bundled)
    paths = library_paths()
    return {so: (package_of(paths[so]) if so in paths else None) for so in sorted(external)}, glibc


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("--check", metavar="DEPENDS", help="the Depends line to check against")
    args = ap.parse_args(argv)
    libs, glibc = analyse(args.folder)
    floor = ".".join(map(str, glibc))
    for so, pkg in libs.items():
        print(f"{so}\t{pkg or '?'}")
    print(f"glibc>={floor}")
    if args.check is None:
        return 0
    named = set(re.findall(r"[a-z0-9][a-z0-9+.-]+", args.check))
    bad = [f"{so}（{pkg or '找不到所属软件包'}）" for so, pkg in libs.items() if pkg not in named]
    m = re.search(r"libc6 \(>= ([\d.]+)\)", args.check)
    if not m or tuple(int(x) for x in m.group(1).split(".")) < glibc:
        bad.append(f"libc6 的版本要求应不低于 {floor}")
    if bad:
        print("Depends 中缺少：" + "；".join(bad), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
