"""Which glibc the installed program needs from the system: none, when the bundled glibc serves all of it.

    python3 check_glibc.py FOLDER [--install-dir /opt/rectify-desktop] [--runtime runtime]

FOLDER is the program's folder as the package installs it to --install-dir (pkgroot/opt/rectify-desktop, or the
installed /opt/rectify-desktop). `objdump -T` over every ELF file in it gives the GLIBC_ (and GLIBCXX_) versions
each one requires. A file is served by the bundle when it runs in the program's process: the program file whose
ELF interpreter is the bundled loader (FOLDER/runtime/ld-linux-…, at its installed path) and whose RPATH names the
bundle folder, and every shared library, which is only ever loaded into that process. What the bundled libc.so.6
and libstdc++.so.6 define must cover what those files require. Any other program file (its own interpreter: the
system's) needs its GLIBC_ versions from the system.

Prints the highest version required, the bundle's, and "highest GLIBC_ required from the system: none"; exits 1
when the system must give any, or when the bundle lacks a version a file requires. Uses objdump and readelf (binutils).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

Version = tuple[int, ...]


def parse(v: str) -> Version:
    return tuple(int(x) for x in v.split("."))


def show(v: Version | None) -> str:
    return ".".join(map(str, v)) if v else "none"


def elf_files(folder: Path) -> list[Path]:
    out = []
    for p in sorted(folder.rglob("*")):
        if p.is_file() and not p.is_symlink():
            with p.open("rb") as f:
                if f.read(4) == b"\x7fELF":
                    out.append(p)
    return out


def objdump(*args: str) -> str:
    return subprocess.run(["objdump", *args], capture_output=True, text=True, check=False).stdout


def required(path: Path, prefix: str) -> set[Version]:
    """The versions (GLIBC_x.y or GLIBCXX_x.y.z) of the symbols the file takes from elsewhere (objdump -T: *UND*)."""
    found = set()
    for line in objdump("-T", str(path)).splitlines():
        if "*UND*" in line:
            m = re.search(rf"\(?\b{prefix}_(\d+(?:\.\d+)+)\)?", line)
            if m:
                found.add(parse(m.group(1)))
    return found


def defined(path: Path, prefix: str) -> set[Version]:
    """The versions the library defines (its version definitions)."""
    text = objdump("-p", str(path)).split("Version definitions:", 1)[-1].split("Version References:", 1)[0]
    return {parse(v) for v in re.findall(rf"\b{prefix}_(\d+(?:\.\d+)+)\b", text)}


def interpreter_and_rpath(path: Path) -> tuple[str | None, str | None]:
    """The ELF interpreter (PT_INTERP; readelf) of a program, and its DT_RPATH/DT_RUNPATH. A library that can also
    be run (libQt6Core, libc: an interpreter and a SONAME) counts as a library: it is loaded, not run, here."""
    headers = subprocess.run(["readelf", "-lW", str(path)], capture_output=True, text=True, check=False).stdout
    interp = re.search(r"Requesting program interpreter: ([^\]]+)\]", headers)
    dynamic = objdump("-p", str(path))
    if re.search(r"^\s*SONAME\s", dynamic, re.M):
        interp = None
    m = re.search(r"^\s*(?:RPATH|RUNPATH)\s+(\S+)", dynamic, re.M)
    return (interp.group(1) if interp else None), (m.group(1) if m else None)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("--install-dir", default="/opt/rectify-desktop")
    ap.add_argument("--runtime", default="runtime", help="the bundle's folder, inside FOLDER")
    ap.add_argument(
        "--system-glibc-dir",
        metavar="DIR",
        help="a folder inside FOLDER whose programs the wrapper starts only where the system's glibc is at least "
        "the bundled one: they need from the system what the bundle would give",
    )
    args = ap.parse_args(argv)
    folder: Path = args.folder
    bundle = folder / args.runtime
    problems: list[str] = []

    libc, libstdcxx = bundle / "libc.so.6", bundle / "libstdc++.so.6"
    have_glibc = defined(libc, "GLIBC") if libc.is_file() else set()
    have_glibcxx = defined(libstdcxx, "GLIBCXX") if libstdcxx.is_file() else set()
    loaders = sorted(bundle.glob("ld-linux*")) if bundle.is_dir() else []
    if not have_glibc or not loaders:
        problems.append(f"没有捆绑的 glibc：{bundle} 中缺少 libc.so.6 或 ld-linux")

    need_bundle: dict[Version, str] = {}
    need_bundle_cxx: dict[Version, str] = {}
    need_host: dict[Version, str] = {}
    later: dict[str, Version] = {}  # programs run only where the system glibc >= the bundled one
    programs = 0
    for f in elf_files(folder):
        rel = f.relative_to(folder)
        interp, rpath = interpreter_and_rpath(f)
        versions = required(f, "GLIBC")
        in_bundle = rel.parts[0] == args.runtime
        if not loaders:  # no bundle: every file takes its glibc from the system
            for v in versions:
                need_host.setdefault(v, str(rel))
            continue
        if interp and args.system_glibc_dir and rel.parts[0] == args.system_glibc_dir:
            later.setdefault(str(rel), max(versions, default=(0,)))
            continue
        if interp and not in_bundle:
            programs += 1
            served = interp == f"{args.install_dir}/{args.runtime}/{loaders[0].name}"
            if served and (rpath or "") != f"$ORIGIN/{args.runtime}":
                problems.append(f"{rel}：RPATH 是 {rpath!r}，应为 $ORIGIN/{args.runtime}")
            if not served:
                for v in versions:
                    need_host.setdefault(v, str(rel))
                if not versions:
                    need_host.setdefault((0,), f"{rel}（解释器 {interp}）")
                continue
        for v in versions:
            need_bundle.setdefault(v, str(rel))
        for v in required(f, "GLIBCXX"):
            need_bundle_cxx.setdefault(v, str(rel))

    top = max(need_bundle, default=None)
    top_cxx = max(need_bundle_cxx, default=None)
    print(f"ELF 文件：{len(elf_files(folder))}（其中程序 {programs}）")
    print(f"程序库所需最高 GLIBC_：{show(top)}（{need_bundle.get(top, '') if top else ''}）")
    print(f"捆绑的 glibc 提供：GLIBC_{show(max(have_glibc, default=None))}")
    cxx = show(max(have_glibcxx, default=None))
    print(f"程序库所需最高 GLIBCXX_：{show(top_cxx)}；捆绑的 libstdc++ 提供：GLIBCXX_{cxx}")
    for v, who in sorted(need_bundle.items()):
        if v not in have_glibc:
            problems.append(f"{who} 需要 GLIBC_{show(v)}，捆绑的 glibc 没有")
    for v, who in sorted(need_bundle_cxx.items()):
        if v not in have_glibcxx:
            problems.append(f"{who} 需要 GLIBCXX_{show(v)}，捆绑的 libstdc++ 没有")
    bundled = max(have_glibc, default=None)
    for rel in later:
        print(f"{rel}：只在系统 glibc ≥ {show(bundled)} 时启动（那时它与程序库需要的 GLIBC_{show(top)} 都由系统提供）")
        if bundled and top and top > bundled:
            problems.append(f"{rel} 需要的 GLIBC_{show(top)} 高于捆绑的 glibc")
    host_top = max(need_host, default=None)
    print(f"需要系统提供的最高 GLIBC_：{show(host_top) if host_top else 'none'}")
    if host_top:
        problems.append(f"{need_host[host_top]} 用系统的 glibc")
    for p in problems:
        print("问题：" + p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
