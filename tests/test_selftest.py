"""`rectify-desktop self-test` (rectify_desktop/selftest.py), run as a child process with no display."""

from __future__ import annotations

import importlib.util
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rectify_desktop import cli, selftest

ROOT = Path(__file__).resolve().parents[1]

# Every check's line, and the module it needs that other work may not have delivered yet (None: always there).
CHECKS = [
    ("生成示例台账", None),
    ("校验台账", None),
    ("导出Excel", "rectify_desktop.io.xlsx_export"),
    ("导入Excel", "rectify_desktop.io.xlsx_import"),
    ("导出PDF", "rectify_desktop.ui.printing"),
    ("导出Word通报", "rectify_desktop.io.notice"),
    ("导出佐证材料包", "rectify_desktop.io.evidence_zip"),
    ("随附中文字体", None),
    ("打印支持", None),
    ("图片格式", None),
    ("程序图标", None),
    ("Qt中文翻译", None),
    ("服务器台账驱动", "psycopg"),
]


def _missing(module: str | None) -> bool:
    return module is not None and importlib.util.find_spec(module) is None


@pytest.fixture(scope="module")
def dirs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A fresh HOME and TMPDIR for the run, to see what it leaves behind."""
    return tmp_path_factory.mktemp("home"), tmp_path_factory.mktemp("tmp")


@pytest.fixture(scope="module")
def result(dirs: tuple[Path, Path]) -> subprocess.CompletedProcess[str]:
    """One run for the module, as `rectify-desktop self-test` (or the module itself, until cli.py lists it)."""
    home, tmp = dirs
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "RECTIFY_DESKTOP_"))}
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        env.pop(name, None)
    env.update(HOME=str(home), TMPDIR=str(tmp), PYTHONPATH=str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""))
    args = ["-m", "rectify_desktop", "self-test"] if "self-test" in cli.COMMANDS else ["-m", "rectify_desktop.selftest"]
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, encoding="utf-8", env=env, timeout=300, cwd=str(tmp)
    )


def _line(out: str, name: str) -> str:
    lines = [ln for ln in out.splitlines() if ln[2:].startswith(name + "（") or ln[2:].startswith(name + "：")]
    assert len(lines) == 1, f"{name}: {out}"
    return lines[0]


def test_every_check_passes_with_no_display(result: subprocess.CompletedProcess[str]) -> None:
    out = result.stdout
    assert "Traceback" not in result.stderr, result.stderr
    assert out.splitlines()[0].startswith("整改台账 "), out
    missing = [name for name, module in CHECKS if _missing(module)]
    for name, module in CHECKS:
        line = _line(out, name)
        if _missing(module):
            assert line == f"✗ {name}：缺少模块 {module}", line
        else:
            assert line.startswith(f"✓ {name}（"), line
    if missing:
        assert result.returncode == 1
        assert out.splitlines()[-1] == f"自检未通过：{len(missing)} 项失败，共 {len(CHECKS)} 项"
    else:
        assert result.returncode == 0, out + result.stderr
        assert out.splitlines()[-1] == f"自检通过：共 {len(CHECKS)} 项"


def test_the_lines_carry_the_figures(result: subprocess.CompletedProcess[str]) -> None:
    out = result.stdout
    assert _line(out, "生成示例台账") == "✓ 生成示例台账（13 个问题，29 项）"
    if not _missing("rectify_desktop.io.xlsx_export"):
        assert _line(out, "导出Excel").startswith("✓ 导出Excel（台账 29 行，")
    if not _missing("rectify_desktop.io.xlsx_import"):
        assert _line(out, "导入Excel") == "✓ 导入Excel（读回导出的台账：13 个问题，29 项）"
    if not _missing("rectify_desktop.ui.printing"):
        assert "页，" in _line(out, "导出PDF")
    assert "Rectify Sans SC" in _line(out, "随附中文字体")
    if sys.platform.startswith("linux"):
        assert "打印插件 libcupsprintersupport.so" in _line(out, "打印支持")
    assert _line(out, "Qt中文翻译").endswith("Cancel → 取消）")


def test_it_leaves_nothing_behind(result: subprocess.CompletedProcess[str], dirs: tuple[Path, Path]) -> None:
    """Everything is made in a temporary folder that goes afterwards; the clerk's settings and data are untouched."""
    home, tmp = dirs
    assert result.stdout
    assert list(tmp.iterdir()) == []
    made = [p for p in home.rglob("*") if "ectify" in p.name or p.suffix in (".db", ".xlsx", ".pdf", ".docx", ".zip")]
    assert made == []


def test_importing_it_loads_no_qt() -> None:
    """cli.py may import the module for its command table: that must not load Qt (start-up of the commands)."""
    code = "import sys, rectify_desktop.selftest; print(sorted(m for m in sys.modules if m.startswith('PySide6')))"
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"


def test_a_failing_or_missing_check_is_reported_and_the_rest_still_run(tmp_path: Path) -> None:
    def fine(ctx: selftest.Context) -> str:
        return "好"

    def missing(ctx: selftest.Context) -> str:
        selftest._function("rectify_desktop.io.no_such_module", "export")
        return "不会到这里"

    def broken(ctx: selftest.Context) -> str:
        raise ValueError("坏了")

    def no_ledger(ctx: selftest.Context) -> str:
        ctx.need_ledger()
        return ""

    out = io.StringIO()
    results = selftest.run_checks(
        tmp_path, [("甲", fine), ("乙", missing), ("丙", broken), ("丁", no_ledger), ("戊", fine)], out
    )
    assert [r[1] for r in results] == [True, False, False, False, True]
    assert out.getvalue().splitlines() == [
        "✓ 甲（好）",
        "✗ 乙：缺少模块 rectify_desktop.io.no_such_module",
        "✗ 丙：ValueError: 坏了",
        "✗ 丁：示例台账未能生成，无法进行此项检查",
        "✓ 戊（好）",
    ]


def test_marks_fall_back_where_the_output_cannot_show_them() -> None:
    class Gbk(io.StringIO):
        encoding = "gbk"

    assert selftest._marks(Gbk()) == ("√", "×")
    assert selftest._marks(io.TextIOWrapper(io.BytesIO(), encoding="utf-8")) == ("✓", "✗")


def test_main_exits_non_zero_when_a_check_fails(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(ctx: selftest.Context) -> str:
        raise selftest.CheckFailed("不行")

    monkeypatch.setattr(selftest, "CHECKS", [("检查", broken)])
    assert selftest.main([]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[1:] == ["✗ 检查：不行", "自检未通过：1 项失败，共 1 项"]
