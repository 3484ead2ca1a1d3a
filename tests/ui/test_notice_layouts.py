"""生成通报 / 生成报告 in the window: the save dialog offers the kind's own layout (the notice concise, the report
item by item) and the other one, as file types (issue 13, 15)."""

from __future__ import annotations

import docx
import pytest
from PySide6.QtWidgets import QFileDialog

from rectify_desktop.ui import text_dialogs
from rectify_desktop.ui.done_box import DoneBox


@pytest.mark.parametrize(
    ("kind", "pick", "suffix", "items_named"),
    [
        ("notice", "Word 文档 (*.docx)", ".docx", False),
        ("notice", "Word 文档（逐项，每项一段） (*.docx)", ".docx", True),
        ("report", "纯文本 (*.txt)", ".txt", True),
        ("report", "纯文本（简要，每个问题一段） (*.txt)", ".txt", False),
    ],
)
def test_the_save_dialog_offers_both_layouts(window, demo_path, tmp_path, monkeypatch, kind, pick, suffix, items_named):  # noqa: ANN001
    assert window.open_ledger(demo_path)
    offered: list[str] = []

    def save_name(parent, caption, start, filt):  # noqa: ANN001, ANN202
        offered.extend(filt.split(";;"))
        return str(tmp_path / "稿"), pick

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_name)
    monkeypatch.setattr(DoneBox, "exec", lambda box: 0)
    text_dialogs.make_notice(window, kind)
    assert offered[0] == "Word 文档 (*.docx)" and pick in offered and len(offered) == 4
    out = tmp_path / f"稿{suffix}"
    assert out.exists()
    if suffix == ".docx":
        text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    else:
        text = out.read_text(encoding="utf-8-sig")
    # Item by item: each item under its own （1） heading; concise: none, one paragraph per finding.
    assert ("（1）党组理论学习中心组学习计划性" in text) == items_named
    assert text.strip().splitlines()[0].replace("\n", "").startswith("中共临川县教育局党组")
