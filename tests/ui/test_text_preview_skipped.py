"""The text import's preview lists 未导入的内容 with line numbers: the 下一步 section, contacts, signature."""

from __future__ import annotations

from rectify_desktop.ui.text_dialogs import TextImportDialog

TEXT = """\
某某县文化局关于巡察整改情况的通报
（一）在“文物保护”方面
1.关于“文物巡查不到位”问题的整改
整改情况：一是建立巡查制度；二是配备巡查员。已完成。
2.关于“展陈更新慢”问题的整改
整改情况：一是更新展陈方案。
下一步工作打算
一是持续巩固整改成果；二是健全长效机制。
欢迎广大干部群众监督。联系电话：0000-1234567。
某某县文化局
2026年1月5日
"""


def test_the_preview_lists_what_is_not_imported_with_line_numbers(qtbot) -> None:  # noqa: ANN001
    dlg = TextImportDialog(text=TEXT)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    rows = [dlg.skipped.item(i).text() for i in range(dlg.skipped.count())]
    assert rows == [
        "第7行　［下一步］　下一步工作打算",
        "第8行　［下一步］　一是持续巩固整改成果；二是健全长效机制。",
        "第9行　［联系方式］　欢迎广大干部群众监督。联系电话：0000-1234567。",
        "第10行　［落款］　某某县文化局",
        "第11行　［落款］　2026年1月5日",
    ]
    assert dlg.skipped_box.isVisible() and "未导入的内容（5 行" in dlg.skipped_box.title()
    assert "识别出1个方面、2个问题、2项细化问题、3条整改措施" in dlg.summary_label.text()
    dlg.skipped.setCurrentRow(1)  # the text's cursor goes to that line
    assert dlg.editor.textCursor().blockNumber() == 7
    dlg.editor.setPlainText("（一）方面\n1.问题\n整改情况：一是措施。\n")
    dlg.reparse()
    assert dlg.skipped.count() == 0 and dlg.skipped_box.title() == "未导入的内容（没有）"
