"""The form fits its pane at 1366×768 and 1400×860, and the history under it collapses (issue 12, point 9).

Seen by a new user under a real X server: the item form scrolled sideways, its labels cut on the left ("改时限"
for 整改时限, "成情况" for 完成情况), and the history strip under the form took height the form needed. Here the
real window is opened on the demo ledger, with one item given very long texts (title, description, measures,
evidence names and 文号), at both window sizes, with Qt's default font and with the 11 pt font many desktops use;
every kind of node is selected and what is shown is measured: no sideways scrolling, every label and field
inside the pane, the measures and evidence tables inside their width. Then the history strip is collapsed and
expanded with its own button, and the state is remembered in the window's settings.
"""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QApplication, QLabel, QTableWidget, QToolButton, QWidget

from rectify_desktop.core.ledger import Ledger
from rectify_desktop.core.models import Category, Evidence, Finding, Inspection, Item, Measure

SIZES = [(1366, 768), (1400, 860)]
LONG_TITLE = "党组理论学习中心组学习计划性、系统性不强，专题研讨不够深入，学习成果转化运用不充分，缺乏跟踪问效机制"
LONG_TEXT = "2025年度党组理论学习中心组集中学习8次，其中专题研讨仅2次，研讨发言质量不高，联系思想和工作实际不够紧密。"
LONG_MEASURE = (
    "制定印发《党组理论学习中心组学习制度（修订）》，明确每季度至少开展一次专题研讨，班子成员围绕学习主题"
    "撰写研讨发言材料并在会上交流，会后形成研讨综述报县委宣传部备案"
)
LONG_NAME = (
    "中共临川县教育局党组关于印发《党组理论学习中心组2026年度学习计划》及专题研讨安排的通知"
    "（临教党发〔2026〕12号）附件{}.pdf"
)
LONG_DOC = "临教党发〔2026〕12号之{}附件补充说明及县委宣传部备案回执"


@pytest.fixture(params=[None, 11.0], ids=["default-font", "11pt-font"])
def desktop_font(request, qapp):
    """The application's font for the test: Qt's default, or the 11 pt many Linux desktops set."""
    before = qapp.font()
    if request.param:
        f = qapp.font()
        f.setPointSizeF(request.param)
        qapp.setFont(f)
    yield request.param
    qapp.setFont(before)


@pytest.fixture
def long_item(demo_path) -> int:
    """An item of the demo ledger given very long texts, measures and evidence; its id."""
    led = Ledger.open(demo_path)
    try:
        it = Item.select().order_by(Item.id).offset(5).first()
        Item.update(
            title=LONG_TITLE,
            description=LONG_TEXT * 3,
            status="正在推进",
            deadline_text="2026年6月底前",
            deadline_date=None,
            leader="周立新（党组书记、局长）",
            department="办公室、人事股、基础教育股、计划财务股",
            person="李明、王芳、张伟",
        ).where(Item.id == it.id).execute()
        for k in range(3):
            Measure.create(
                item=it.id, position=10 + k, text=f"{LONG_MEASURE}{k}", done=k == 0, done_date=dt.date(2026, 3, 2)
            )
        for k in range(3):
            Evidence.create(
                item=it.id,
                position=10 + k,
                name=LONG_NAME.format(k),
                kind="文件",
                date=dt.date(2026, 3, 2),
                doc_number=LONG_DOC.format(k),
            )
        # a new item, as the clerk adds it: no measures, no evidence (hints under their empty tables)
        last = Item.select().where(Item.finding == it.finding_id).order_by(Item.number.desc()).first()
        Item.create(finding=it.finding_id, number=last.number + 1, position=last.position + 1, title="")
        return it.id
    finally:
        led.close()


def bare_item() -> int:
    return Item.select().order_by(Item.id.desc()).first().id


@pytest.fixture
def window(desktop_font, window, demo_path, long_item):
    assert window.open_ledger(demo_path)
    window.show_page("ledger")
    return window


def settle(qtbot) -> None:
    for _ in range(3):
        QApplication.processEvents()
    qtbot.wait(10)


def nodes(long_item: int) -> dict[str, tuple[str, int]]:
    short = Item.select().order_by(Item.id).first()
    return {
        "inspection": ("inspection", Inspection.select().first().id),
        "category": ("category", Category.select().first().id),
        "finding": ("finding", Finding.select().first().id),
        "item-short": ("item", short.id),
        "item-long": ("item", long_item),
        "item-new": ("item", bare_item()),
    }


def problems(window) -> list[str]:
    """What does not fit in the form shown: sideways scrolling, a label cut, a widget outside the pane, a
    table whose columns pass its width."""
    form = window.panel.current_form
    assert form is not None
    found: list[str] = []
    bar = form.horizontalScrollBar()
    if bar.maximum() > 0:
        found.append(f"the form scrolls sideways by {bar.maximum()} px")
    viewport = form.viewport()
    body = form.widget()
    for w in body.findChildren(QWidget):
        if not w.isVisibleTo(body) or w.window() is not window:
            continue
        left = w.mapTo(viewport, QPoint(0, 0)).x()
        if left < 0 or left + w.width() > viewport.width():
            # the widgets a table makes for its cells are measured by the table's own check
            if not any(isinstance(p, QTableWidget) for p in _ancestors(w, body)):
                found.append(
                    f"{type(w).__name__} {w.objectName() or getattr(w, 'text', lambda: '')()!r} "
                    f"at {left}..{left + w.width()} outside 0..{viewport.width()}"
                )
        if isinstance(w, QLabel) and w.text() and not w.wordWrap() and "<" not in w.text():
            need = (
                w.fontMetrics().horizontalAdvance(w.text()) + w.contentsMargins().left() + w.contentsMargins().right()
            )
            if w.width() < need:
                found.append(f"label {w.text()!r} is {w.width()} px wide, needs {need}")
    for t in body.findChildren(QTableWidget):
        if not t.isVisibleTo(body):
            continue
        cols = sum(t.columnWidth(c) for c in range(t.columnCount()) if not t.isColumnHidden(c))
        if cols > t.viewport().width():
            found.append(f"{t.objectName()}: columns {cols} px in {t.viewport().width()} px")
        header = t.horizontalHeader()
        for c in range(t.columnCount()):
            text = t.horizontalHeaderItem(c).text()
            need = header.fontMetrics().horizontalAdvance(text) + 4
            if t.columnWidth(c) < need:
                found.append(f"{t.objectName()}: column {text!r} is {t.columnWidth(c)} px, its header needs {need}")
    return found


def default_pane(size: tuple[int, int]) -> int:
    """The width of the right pane as the window makes it: its splitter shares 800 : 600 (less its handle)."""
    return round((size[0] - 4) * 3 / 7)


def _ancestors(w: QWidget, top: QWidget):
    p = w.parentWidget()
    while p is not None and p is not top:
        yield p
        p = p.parentWidget()


@pytest.mark.parametrize("size", SIZES, ids=["1366x768", "1400x860"])
def test_every_form_fits_its_pane(window, qtbot, size, long_item):
    window.resize(*size)
    settle(qtbot)
    assert (window.width(), window.height()) == size
    window.select("category", Category.select().first().id)  # a small form: the panes as the window made them
    settle(qtbot)
    panes = window.splitter.sizes()
    seen: dict[str, list[str]] = {}
    for name, (kind, row_id) in nodes(long_item).items():
        window.select(kind, row_id)
        settle(qtbot)
        if window.splitter.sizes() != panes:  # a form too wide for its pane pushes the tree aside
            seen.setdefault(name + " panes", []).append(f"{panes} became {window.splitter.sizes()}")
        form = window.panel.current_form
        assert form is not None and form.kind == kind
        # the clerk tabs through the fields: none may pull the form sideways
        for w in form.widget().findChildren(QWidget):
            if w.isVisibleTo(form.widget()) and w.focusPolicy() and w.isEnabled():
                form.ensureWidgetVisible(w)
        settle(qtbot)
        seen[name] = problems(window)
        # What the form needs, against the share of the window the form has by default (tree 800 : form 600),
        # whatever else on the right may ask for: the form itself never pushes the tree aside.
        need = form.widget().minimumSizeHint().width() + form.verticalScrollBar().sizeHint().width()
        if need > default_pane(size):
            seen[name].append(f"the form needs {need} px, its pane has {default_pane(size)} by default")
    need = window.node_history.minimumSizeHint().width()
    if need > default_pane(size):
        seen["history"] = [f"the history strip needs {need} px, its pane has {default_pane(size)} by default"]
    assert seen == {name: [] for name in seen}


def test_measure_and_evidence_tables_keep_the_text_columns_readable(window, qtbot, long_item):
    window.resize(1366, 768)
    window.select("item", long_item)
    settle(qtbot)
    form = window.panel.current_form
    fm = form.fontMetrics()
    measures = form.findChild(QTableWidget, "measure.table")
    evidence = form.findChild(QTableWidget, "evidence.table")
    # the words of a measure and the name of a file keep most of the width: at least ten characters
    assert measures.columnWidth(1) >= fm.horizontalAdvance("一" * 10)
    assert evidence.columnWidth(0) >= fm.horizontalAdvance("一" * 10)
    # a long 文号 is shortened in its column, whole in its tooltip
    doc = evidence.item(0, 3)
    assert evidence.columnWidth(3) < fm.horizontalAdvance(doc.text())
    assert LONG_DOC.format(0) in (doc.toolTip() or "")


def history_toggle(window) -> QToolButton:
    button = window.node_history.findChild(QToolButton, "history.node.toggle")
    assert button is not None, "the history strip has no 收起/展开 button"
    return button


@pytest.mark.parametrize("size", SIZES, ids=["1366x768", "1400x860"])
def test_history_under_the_form_collapses_and_expands(window, qtbot, size, long_item):
    window.resize(*size)
    window.select("item", long_item)
    settle(qtbot)
    history = window.node_history
    split = window.right_split
    button = history_toggle(window)
    assert button.text() == "收起"
    assert history.view.isVisible()
    form_before = window.right.height()
    history_before = split.sizes()[1]

    button.click()
    settle(qtbot)
    assert button.text() == "展开"
    assert not history.view.isVisible()
    assert history.title.isVisible() and button.isVisible()  # the strip's header stays, to open it again
    assert split.sizes()[1] <= button.sizeHint().height() + 16
    assert window.right.height() >= form_before + history_before - button.sizeHint().height() - 16
    assert window.settings.value("window/history_collapsed", False, bool) is True

    button.click()
    settle(qtbot)
    assert button.text() == "收起"
    assert history.view.isVisible()
    assert abs(split.sizes()[1] - history_before) <= 2
    assert window.settings.value("window/history_collapsed", True, bool) is False


def test_collapsed_history_is_remembered_by_the_next_window(window, qtbot, demo_path, long_item):
    from rectify_desktop.ui.main_window import MainWindow

    history_toggle(window).click()
    settle(qtbot)
    settings = window.settings
    window.close()
    settle(qtbot)
    again = MainWindow(settings)
    qtbot.addWidget(again)
    again.show()
    qtbot.waitExposed(again)
    try:
        assert again.open_ledger(demo_path)
        again.show_page("ledger")
        again.select("item", long_item)
        settle(qtbot)
        button = history_toggle(again)
        assert button.text() == "展开"
        assert again.node_history.isVisible() and not again.node_history.view.isVisible()
        assert again.right_split.sizes()[1] <= button.sizeHint().height() + 16
        button.click()  # and it opens again with a usable height
        settle(qtbot)
        assert again.node_history.view.isVisible()
        assert again.right_split.sizes()[1] >= 100
    finally:
        again.close()


def test_history_cannot_be_dragged_away_with_its_button(window, qtbot):
    """Dragging the splitter down may not hide the strip with its button: only the button collapses it."""
    split = window.right_split
    assert not split.isCollapsible(split.indexOf(window.node_history))


def test_the_splitter_stops_where_the_form_needs_its_width(window, qtbot, long_item):
    """Dragging the splitter towards the form stops at the width the form needs: it never scrolls sideways."""
    window.resize(1366, 768)
    settle(qtbot)
    for name, (kind, row_id) in nodes(long_item).items():
        window.select(kind, row_id)
        settle(qtbot)
        window.splitter.setSizes([1366 - 250, 250])
        settle(qtbot)
        form = window.panel.current_form
        assert form.horizontalScrollBar().maximum() == 0, name
        assert problems(window) == [], name
