"""Benchmark: the import bombs of issue 19 at full size, each imported into a new ledger by a child process.

    python tests/perf/bench_bombs.py [--tree DIR] [--timeout S] [--mem-mb MB] [NAME ...]

NAME is any of merges-across, merges-down, empty-rows, long-title (all by default). --tree runs the
command line of another checkout (an older commit unpacked with `git archive`) to measure "before";
--timeout and --mem-mb bound each child so that a bomb that still goes off ends there. For each bomb:
the file's size, the child's wall time and peak memory (ru_maxrss), its exit code and first line, and the
size of the ledger it made.

The bombs (tests/faults/test_imports.py has them scaled down):
- merges-across: 2,000 one-row merges A:XFD under a three-item sheet (12 KB);
- merges-down: 200 merges down column A to row 1,048,576, with a cell there;
- empty-rows: 900 MB of <row r="5"/> after the data (1.8 MB);
- long-title: a title cell of 400 million characters (410 KB).

Figures on the 2-core build machine (shared), each bomb imported into a new ledger:

    bomb            before (commit a54b38d, bounded: 180 s, 6 GB)          after
    merges-across   84.4 s, peak 4,087 MB, imported                         0.4 s,  89 MB, imported (merges clipped)
    merges-down     138.3 s, peak 277 MB, imported                          0.4 s,  89 MB, refused: 合并单元格过多
    empty-rows      killed at 180 s, peak 5,134 MB (reported: 355 s, 6 GB)  0.8 s,  90 MB, imported, 停止读取 warned
    long-title      32.5 s, peak 4,506 MB, a 1,146 MB ledger                5.0 s, 806 MB, a 0.2 MB ledger, the
                                                                            title cut to 2,000 characters, warned

The 806 MB of the last are the parser's: expat hands over the 400-million-character text node whole; the
unpacked-size limit of the container check bounds it.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

from tests.faults.test_imports import HEADER, base_book, empty_rows_bomb, merges_bomb, rewrite_sheet  # noqa: E402


def long_title_bomb(folder: Path, chars: int) -> Path:
    """A three-item sheet under a title cell of `chars` characters (streamed into the XML: openpyxl itself
    would stop at Excel's 32,767)."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "台账"
    ws.append(["TITLE-PLACEHOLDER"])
    ws.append(HEADER)
    for i in range(1, 4):
        ws.append([i, f"问题{i}", f"细化问题{i}", f"一是措施{i}", "办公室", "2021年6月30日", "已完成", f"进展{i}"])
    base = folder / "base.xlsx"
    wb.save(base)

    def write(data: bytes, fh: IO[bytes]) -> None:
        head, tail = data.split(b"TITLE-PLACEHOLDER", 1)
        fh.write(head)
        chunk = b"a" * (1 << 20)
        left = chars
        while left > 0:
            fh.write(chunk[: min(left, len(chunk))])
            left -= len(chunk)
        fh.write(tail)

    return rewrite_sheet(base, folder / "long-title.xlsx", write)


BOMBS: dict[str, Callable[[Path], Path]] = {
    "merges-across": lambda d: merges_bomb(
        base_book(d / "base.xlsx"), d / "merges-across.xlsx", [f"A{r}:XFD{r}" for r in range(10, 2010)]
    ),
    "merges-down": lambda d: merges_bomb(
        base_book(d / "base.xlsx"),
        d / "merges-down.xlsx",
        [f"A{r}:A1048576" for r in range(5, 205)],
        '<row r="1048576"><c r="H1048576" t="inlineStr"><is><t>x</t></is></c></row>',
    ),
    "empty-rows": lambda d: empty_rows_bomb(base_book(d / "base.xlsx"), d / "empty-rows.xlsx", 900 << 20),
    "long-title": lambda d: long_title_bomb(d, 400_000_000),
}


def _hwm(pid: int) -> float:
    """The peak resident memory of a running process so far, in MB (Linux)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def run(tree: Path, ledger: Path, src: Path, timeout: float, mem_mb: int) -> tuple[str, float, float]:
    """Imports `src` into `ledger` in a child; returns (outcome, seconds, peak resident MB)."""
    env = dict(os.environ, PYTHONPATH=str(tree), RECTIFY_DESKTOP_STATE_DIR=str(ledger.parent / "state"))
    env.pop("DISPLAY", None)
    code = (
        "import atexit, resource, sys\n"
        f"resource.setrlimit(resource.RLIMIT_AS, ({mem_mb} << 20, {mem_mb} << 20))\n"
        "atexit.register(lambda: print('PEAK', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr))\n"
        "from rectify_desktop.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    t0 = time.perf_counter()
    with tempfile.TemporaryFile("w+", encoding="utf-8") as out:
        child = subprocess.Popen(
            [sys.executable, "-c", code, "import", str(ledger), str(src)],
            env=env,
            cwd=tree,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        peak = 0.0
        while child.poll() is None:
            peak = max(peak, _hwm(child.pid))
            if time.perf_counter() - t0 > timeout:
                child.kill()
                child.wait()
                break
            time.sleep(0.2)
        seconds = time.perf_counter() - t0
        out.seek(0)
        lines = out.read().splitlines()
    for line in lines:
        if line.startswith("PEAK "):
            peak = max(peak, int(line.split()[1]) / 1024)
    said = [line for line in lines if line.strip() and not line.startswith("PEAK ")]
    if child.returncode is not None and child.returncode < 0:
        outcome = f"killed after {timeout:.0f} s" if seconds > timeout else f"signal {-child.returncode}"
    else:
        outcome = f"exit {child.returncode}: {(said or [''])[0][:200]}"
    return outcome, seconds, peak


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("names", nargs="*", default=list(BOMBS))
    ap.add_argument("--tree", type=Path, default=ROOT)
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--mem-mb", type=int, default=16_000)
    args = ap.parse_args()
    print(f"tree {args.tree}; each child bounded to {args.timeout:.0f} s and {args.mem_mb} MB of address space")
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.names:
            folder = Path(tmp) / name
            folder.mkdir()
            src = BOMBS[name](folder)
            with zipfile.ZipFile(src) as z:
                unpacked = sum(i.file_size for i in z.infolist())
            ledger = folder / "new.db"
            outcome, seconds, peak = run(args.tree, ledger, src, args.timeout, args.mem_mb)
            made = f"ledger {ledger.stat().st_size / 2**20:.1f} MB" if ledger.exists() else "no ledger"
            print(
                f"{name:14} {src.stat().st_size / 1024:8.0f} KB (unpacked {unpacked / 2**20:6.0f} MB)"
                f"  {seconds:7.1f} s  peak {peak:6.0f} MB  {made}  {outcome}"
            )


if __name__ == "__main__":
    main()
