"""The command line, run as a child process: `python -m rectify_desktop COMMAND ...` (cli.py)."""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from pathlib import Path

import pytest

from rectify_desktop.core import ops, results, stats
from rectify_desktop.core.evidence import AddEvidence
from rectify_desktop.core.ledger import Ledger
from rectify_desktop.core.models import STATUSES, Item, Measure
from tests.core.legacy import make_v1_ledger

CJK = re.compile(r"[\u4e00-\u9fff]")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_clean_failure(r, *, code: int | None = None) -> None:  # noqa: ANN001
    assert r.returncode != 0, r.stdout
    if code is not None:
        assert r.returncode == code
    assert CJK.search(r.stderr), r.stderr
    assert "Traceback" not in r.stderr, r.stderr
    assert "Traceback" not in r.stdout


@pytest.fixture
def demo_file(tmp_path: Path, cli) -> Path:  # noqa: ANN001
    p = tmp_path / "示例.db"
    r = cli("demo", p)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"已生成示例台账：{p}"
    assert r.stderr == ""
    assert not p.with_name(p.name + ".making").exists()
    assert not p.with_name(p.name + ".lock").exists()
    return p


def stats_json(cli, path: Path, *extra: str) -> dict:  # noqa: ANN001
    r = cli("stats", path, "--json", *extra)
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    return json.loads(r.stdout)  # the whole output is one JSON object


def test_demo_then_stats_json(demo_file: Path, cli) -> None:  # noqa: ANN001
    s = stats_json(cli, demo_file)
    assert isinstance(s, dict)
    for key in ("categories", "findings", "items", "measures", "status", "written_off", "overdue"):
        assert isinstance(s[key], (int, dict)), key
    assert set(s["status"]) == set(STATUSES) == {"未启动", "正在推进", "已完成", "长期坚持"}
    assert (s["categories"], s["findings"], s["items"]) == (4, 13, 29)
    assert sum(s["status"].values()) == s["items"]
    assert s["measures"] > s["items"]
    assert s["written_off"] > 0 and s["overdue"] > 0
    assert s["completion_percent"] == round(s["status"]["已完成"] / s["items"] * 100, 1) == 55.2
    # 整改成效 (issue 14): amounts as exact decimals with 4 places, never floats.
    res = s.pop("results")
    assert res["money"]["追回"]["amount"] == "23.8000"
    assert res["accountability"]["党纪政务处分"]["people"] == 2
    assert res["rules"]["count"] == 6
    assert sum(m["count"] for m in res["meetings"].values()) == 6
    # The same figures, read in this process.
    with Ledger.open(demo_file, readonly=True):
        assert stats.compute().to_json() == s
        assert results.compute().to_json() == res
    # One inspection by its id.
    assert stats_json(cli, demo_file, "--inspection", "1") == {**s, "results": res}


def test_stats_text(demo_file: Path, cli) -> None:  # noqa: ANN001
    before = sha256(demo_file)
    r = cli("stats", demo_file)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.strip().splitlines()
    assert len(lines) == 3
    assert lines[0] == "巡察反馈的13个问题细化为29项，已整改完成16项，正在推进7项，长期坚持3项，未启动3项，完成率55%"
    assert lines[1].startswith("13个问题 · 29项 · 已完成16")
    s = stats_json(cli, demo_file)
    assert lines[2] == (f"方面 4 个，整改措施 {s['measures']} 条，逾期 {s['overdue']} 项，已销号 {s['written_off']} 项")
    assert sha256(demo_file) == before


def test_verify_demo(demo_file: Path, cli) -> None:  # noqa: ANN001
    before = sha256(demo_file)
    r = cli("verify", demo_file)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"校验通过：{demo_file}"
    assert r.stderr == ""
    assert sha256(demo_file) == before


def _tamper_sql(path: Path, sql: str, params: tuple = ()) -> None:
    con = sqlite3.connect(path)
    try:
        con.execute(sql, params)
        con.commit()
    finally:
        con.close()


def test_verify_tampered_status(demo_file: Path, cli) -> None:  # noqa: ANN001
    _tamper_sql(demo_file, "UPDATE item SET status = '差不多完成了' WHERE id = 3")
    before = sha256(demo_file)
    r = cli("verify", demo_file)
    assert_clean_failure(r, code=1)
    assert "细化问题 3 的完成情况“差不多完成了”不是有效状态" in r.stderr
    assert "校验未通过，发现 1 个问题" in r.stderr
    assert "校验通过" not in r.stdout
    assert sha256(demo_file) == before


def test_verify_tampered_evidence(demo_file: Path, tmp_path: Path, cli) -> None:  # noqa: ANN001
    f = tmp_path / "会议纪要.pdf"
    f.write_bytes(b"%PDF-1.4 minutes of the meeting\n" * 100)
    with Ledger.open(demo_file) as led:
        led.apply(AddEvidence(Item.select().first().id, f))
    assert cli("verify", demo_file).returncode == 0
    _tamper_sql(demo_file, "UPDATE blob_chunk SET data = ?", (b"%PDF-1.4 minutes of the meetinG\n" * 100,))
    before = sha256(demo_file)
    r = cli("verify", demo_file)
    assert_clean_failure(r, code=1)
    assert "内容与其 SHA-256 不符" in r.stderr
    assert sha256(demo_file) == before


def test_verify_and_stats_of_damaged_pages(demo_file: Path, cli) -> None:  # noqa: ANN001
    con = sqlite3.connect(demo_file)
    page_size = con.execute("PRAGMA page_size").fetchone()[0]
    root = con.execute("SELECT rootpage FROM sqlite_master WHERE name = 'item'").fetchone()[0]
    con.close()
    data = bytearray(demo_file.read_bytes())
    start = (root - 1) * page_size
    data[start : start + page_size] = bytes((i * 7 + 13) % 256 for i in range(page_size))
    demo_file.write_bytes(bytes(data))
    before = sha256(demo_file)
    for command in ("verify", "stats"):
        r = cli(command, demo_file)
        assert_clean_failure(r, code=1)
        assert "损坏" in r.stderr or "完整性" in r.stderr, r.stderr
    assert sha256(demo_file) == before


def test_backup_while_open_elsewhere(demo_file: Path, tmp_path: Path, cli) -> None:  # noqa: ANN001
    out = tmp_path / "备份.db"
    with Ledger.open(demo_file) as led:  # holds the lock, as the window would
        item = Item.select().first().id
        # Edits still in the WAL must be in the copy.
        for n in range(3):
            led.apply(ops.add_measure(item, f"打开时新增的措施 {n}"))
        figures = json.loads(json.dumps({**stats.compute().to_json(), "results": results.compute().to_json()}))
        r = cli("backup", demo_file, out)
        assert r.returncode == 0, r.stderr
        assert r.stdout.strip() == f"已备份到：{out}"
        assert not led.closed
        # Still ours: the lock is held and writing goes on.
        led.apply(ops.add_measure(item, "备份之后的措施"))
    r = cli("verify", out)
    assert r.returncode == 0, r.stderr
    assert stats_json(cli, out) == figures
    assert figures["measures"] == stats_json(cli, demo_file)["measures"] - 1
    with Ledger.open(out, readonly=True):
        assert Measure.select().where(Measure.text.startswith("打开时新增的措施")).count() == 3
        assert Measure.select().where(Measure.text == "备份之后的措施").count() == 0


def test_version(cli) -> None:  # noqa: ANN001
    r = cli("--version")
    assert r.returncode == 0
    assert r.stdout.startswith("整改台账 ")


# --- bad input ----------------------------------------------------------------------------------------


@pytest.fixture
def text_file(tmp_path: Path) -> Path:
    p = tmp_path / "记录.db"
    p.write_text("这是一份文本记录，不是台账。\n" * 30, encoding="utf-8")
    return p


@pytest.mark.parametrize("command", ["stats", "verify", "backup"])
def test_missing_file(command: str, tmp_path: Path, cli) -> None:  # noqa: ANN001
    missing = tmp_path / "没有.db"
    args = [command, missing] + ([tmp_path / "备份.db"] if command == "backup" else [])
    r = cli(*args)
    assert_clean_failure(r, code=1)
    assert "找不到台账文件" in r.stderr
    assert not missing.exists()
    assert not (tmp_path / "备份.db").exists()


@pytest.mark.parametrize("command", ["stats", "verify", "backup"])
def test_not_a_ledger(command: str, text_file: Path, tmp_path: Path, cli) -> None:  # noqa: ANN001
    before = sha256(text_file)
    out = tmp_path / "备份.db"
    r = cli(command, text_file, *([out] if command == "backup" else []))
    assert_clean_failure(r, code=1)
    assert "不是整改台账文件" in r.stderr
    assert sha256(text_file) == before
    assert not out.exists()


@pytest.mark.parametrize("command", ["stats", "verify"])
def test_other_sqlite_file_and_folder(command: str, tmp_path: Path, cli) -> None:  # noqa: ANN001
    p = tmp_path / "通讯录.db"
    con = sqlite3.connect(p)
    con.execute("CREATE TABLE contacts (name TEXT)")
    con.commit()
    con.close()
    before = sha256(p)
    r = cli(command, p)
    assert_clean_failure(r, code=1)
    assert "不是整改台账文件" in r.stderr
    assert sha256(p) == before
    r = cli(command, tmp_path)
    assert_clean_failure(r, code=1)
    assert "文件夹" in r.stderr


@pytest.mark.parametrize("command", ["stats", "verify"])
def test_old_and_new_versions(command: str, tmp_path: Path, cli) -> None:  # noqa: ANN001
    old = tmp_path / "旧.db"
    make_v1_ledger(old)
    before = sha256(old)
    r = cli(command, old)
    assert_clean_failure(r, code=1)
    assert "旧版本" in r.stderr
    assert sha256(old) == before
    assert not list(tmp_path.glob("*升级前备份*"))
    new = tmp_path / "新.db"
    Ledger.create(new).close()
    _tamper_sql(new, "PRAGMA user_version = 99")
    before = sha256(new)
    r = cli(command, new)
    assert_clean_failure(r, code=1)
    assert "更新版本" in r.stderr
    assert sha256(new) == before


def test_demo_onto_existing_file(text_file: Path, cli) -> None:  # noqa: ANN001
    before = sha256(text_file)
    r = cli("demo", text_file)
    assert_clean_failure(r, code=1)
    assert "文件已存在" in r.stderr
    assert sha256(text_file) == before
    assert not text_file.with_name(text_file.name + ".making").exists()


def test_demo_into_missing_folder(tmp_path: Path, cli) -> None:  # noqa: ANN001
    r = cli("demo", tmp_path / "没有" / "示例.db")
    assert_clean_failure(r, code=1)
    assert "文件夹不存在" in r.stderr
    assert not (tmp_path / "没有").exists()


def test_backup_into_missing_folder_or_onto_itself(demo_file: Path, tmp_path: Path, cli) -> None:  # noqa: ANN001
    before = sha256(demo_file)
    r = cli("backup", demo_file, tmp_path / "没有" / "备份.db")
    assert_clean_failure(r, code=1)
    assert "文件夹不存在" in r.stderr
    assert not (tmp_path / "没有").exists()
    r = cli("backup", demo_file, demo_file)
    assert_clean_failure(r, code=1)
    assert "不能与台账文件相同" in r.stderr
    assert sha256(demo_file) == before


def test_unknown_inspection(demo_file: Path, cli) -> None:  # noqa: ANN001
    before = sha256(demo_file)
    for extra in ((), ("--json",)):
        r = cli("stats", demo_file, "--inspection", "99", *extra)
        assert_clean_failure(r, code=1)
        assert "台账中没有编号为 99 的巡察" in r.stderr
        assert r.stdout == ""
    r = cli("stats", demo_file, "--inspection", "一")
    assert_clean_failure(r, code=2)
    assert "参数错误" in r.stderr
    assert sha256(demo_file) == before


@pytest.mark.parametrize(
    "args",
    [["demo"], ["stats"], ["verify"], ["backup"], ["stats", "--json"], ["verify", "a.db", "b.db"]],
    ids=lambda a: " ".join(a),
)
def test_usage_errors(args: list[str], tmp_path: Path, cli) -> None:  # noqa: ANN001
    r = cli(*args, cwd=tmp_path)
    assert_clean_failure(r, code=2)
    assert "参数错误" in r.stderr
    assert r.stdout == ""
    assert list(tmp_path.iterdir()) == []


def test_backup_missing_output_argument(demo_file: Path, cli) -> None:  # noqa: ANN001
    before = sha256(demo_file)
    r = cli("backup", demo_file)
    assert_clean_failure(r, code=2)
    assert "参数错误" in r.stderr
    assert sha256(demo_file) == before
