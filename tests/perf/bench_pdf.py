"""Benchmark: the printout of a 1,000- and a 10,000-item ledger as PDF, beside LibreOffice converting this
program's own Excel export of the same ledger to PDF, in the same run.

    python tests/perf/bench_pdf.py [N_ITEMS ...] [--runs RUNS]

Target (issue 4): faster than LibreOffice on both sizes, and the 1,000-item PDF in under 3 s. Both sides are
timed as a clerk meets them, from process start to a finished file: `rectify-desktop export big.db out.pdf`
(offscreen, no display) against `soffice --headless --convert-to pdf big.xlsx` (its profile made beforehand, so
that LibreOffice's first-start set-up is not counted against it). The Excel export itself
(rectify_desktop.io.xlsx_export.export_workbook) is timed too, for information. Prints medians and worsts.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

from tests.perf.generate import make_large_ledger  # noqa: E402

TARGET_1K_S = 3.0


def pages(pdf: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(str(pdf)).pages)


def timed(cmd: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    r = subprocess.run(cmd, env=env, capture_output=True, text=True, encoding="utf-8", timeout=3600)
    elapsed = time.perf_counter() - t0
    if r.returncode != 0:
        raise SystemExit(f"failed ({r.returncode}): {' '.join(cmd)}\n{r.stdout}\n{r.stderr}")
    return elapsed


def export_xlsx(ledger: Path, out: Path) -> float:
    from rectify_desktop.core.ledger import Ledger
    from rectify_desktop.io.xlsx_export import export_workbook

    t0 = time.perf_counter()
    with Ledger.open(ledger, readonly=True) as led:
        export_workbook(led.inspections()[0].id, out)
    return time.perf_counter() - t0


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("sizes", nargs="*", type=int, default=[1_000, 10_000])
    p.add_argument("--runs", type=int, default=3)
    args = p.parse_args()
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    env = dict(os.environ)
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    env.pop("QT_QPA_PLATFORM", None)  # the command chooses offscreen itself, as on a server
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        profile = tmp_path / "lo-profile"
        lo = (
            [soffice, "--headless", f"-env:UserInstallation={profile.as_uri()}", "--convert-to", "pdf"]
            if soffice
            else []
        )
        if soffice:  # LibreOffice makes its profile on first start: not part of converting a ledger
            warm = tmp_path / "warm.csv"
            warm.write_text("a,b\n1,2\n", encoding="utf-8")
            timed([*lo, "--outdir", str(tmp_path / "warm"), str(warm)], env)
        for n in args.sizes:
            ledger = make_large_ledger(tmp_path / f"big{n}.db", n)
            ours_pdf = tmp_path / f"ours{n}.pdf"
            cmd = [sys.executable, "-m", "rectify_desktop", "export", str(ledger), str(ours_pdf)]
            ours = [timed(cmd, env) for _ in range(args.runs)]
            row = {"n": n, "ours": ours, "ours_pages": pages(ours_pdf)}
            if soffice:
                xlsx = tmp_path / f"big{n}.xlsx"
                row["xlsx_s"] = export_xlsx(ledger, xlsx)
                outdir = tmp_path / f"lo{n}"
                row["lo"] = [timed([*lo, "--outdir", str(outdir), str(xlsx)], env) for _ in range(args.runs)]
                row["lo_pages"] = pages(outdir / f"big{n}.pdf")
            results.append(row)
            print(f"{n} items done", file=sys.stderr)
    print(f"PDF of the ledger, {args.runs} runs each, medians (worst); no display")
    head = f"{'items':>7}  {'rectify-desktop export':>24} {'pages':>6}  {'LibreOffice xlsx→pdf':>22} {'pages':>6}"
    print(head + "  speed-up")
    ok = True
    for r in results:
        ours_med, ours_max = statistics.median(r["ours"]), max(r["ours"])
        line = f"{r['n']:>7}  {ours_med:>13.2f} s ({ours_max:5.2f} s) {r['ours_pages']:>6}"
        if "lo" in r:
            lo_med, lo_max = statistics.median(r["lo"]), max(r["lo"])
            line += f"  {lo_med:>11.2f} s ({lo_max:6.2f} s) {r['lo_pages']:>6}  {lo_med / ours_med:6.1f}×"
            line += f"   (Excel export {r['xlsx_s']:.2f} s)"
            ok &= ours_max < lo_med
        else:
            line += "  (LibreOffice not installed)"
        if r["n"] == 1_000:
            ok &= ours_max < TARGET_1K_S
        print(line)
    print("target met: faster than LibreOffice on every size, 1,000 items under 3 s" if ok else "TARGET MISSED")


if __name__ == "__main__":
    main()
