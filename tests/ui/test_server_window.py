"""Server ledgers in the real window (服务器台账): 连接服务器台账…, the password asked and remembered encrypted,
an empty database made a ledger, 推送到服务器… and 保存服务器台账为文件…, the recent list, the command line.

Only the modal pieces are replaced (the dialog's exec fills its real fields and clicks its real buttons; the
message boxes answer as the clerk would); the server is a real PostgreSQL (the pg_url fixture)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox

from rectify_desktop.core import credentials, server, transfer
from rectify_desktop.ui.server_dialog import ServerDialog
from tests.pgserver import GUARDED_PASSWORD, GUARDED_USER


@pytest.fixture
def window(window, tmp_path, monkeypatch):  # noqa: ANN001, ANN201
    """The window with its own credential store, and no password from the environment or ~/.pgpass."""
    monkeypatch.setenv("RECTIFY_DESKTOP_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "no-pgpass"))
    return window


class Clerk:
    """Answers the server dialog: each answer fills the real fields and clicks 连接 (or 取消); what the dialog
    said each time it was shown is kept."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.answers: list = []
        self.shown: list[dict] = []
        monkeypatch.setattr(ServerDialog, "exec", lambda dlg: self._exec(dlg))

    def will(self, url: str | None, password: str = "", remember: bool = False) -> Clerk:
        self.answers.append((url, password, remember))
        return self

    def _exec(self, dlg: ServerDialog) -> int:
        self.shown.append(
            {
                "title": dlg.windowTitle(),
                "message": "" if dlg.message.isHidden() else dlg.message.text(),
                "host": dlg.host.text(),
                "user": dlg.user.text(),
                "servers": [dlg.servers.itemText(i) for i in range(dlg.servers.count())],
                "echo": dlg.password.echoMode(),
                "remember_text": dlg.remember.text(),
            }
        )
        if not self.answers:
            pytest.fail(f"the dialog was shown once more than expected: {self.shown[-1]}")
        url, password, remember = self.answers.pop(0)
        if url is None:
            dlg.cancel_button.click()
            return dlg.result()
        a = server.ServerAddress.parse(url)
        dlg.host.setText(a.host)
        dlg.port.setValue(a.port)
        dlg.database.setText(a.database)
        dlg.user.setText(a.user)
        dlg.password.setText(password)
        dlg.remember.setChecked(remember)
        dlg.ok_button.click()
        return dlg.result()


def _guarded(pg_url: str) -> str:
    return pg_url.replace("rectify@", f"{GUARDED_USER}@")


def _grant_guarded(pg_url: str) -> None:
    import psycopg

    with psycopg.connect(pg_url, autocommit=True) as con:
        con.execute(f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {GUARDED_USER}")
        con.execute(f"GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {GUARDED_USER}")


def _item_count(window) -> int:  # noqa: ANN001
    from rectify_desktop.core.models import Item

    return Item.select().count()


def test_connect_opens_the_server_ledger_and_remembers_it_without_password(window, pg_url, demo_path, monkeypatch):
    transfer.push(demo_path, server.ServerAddress.parse(pg_url))
    clerk = Clerk(monkeypatch).will(pg_url)
    assert window.actions["connect_server"].shortcut().toString() == "Ctrl+Shift+O"
    window.actions["connect_server"].trigger()
    address = server.ServerAddress.parse(pg_url)
    assert window.ledger is not None and window.ledger.server == address
    assert address.label() in window.windowTitle()
    assert window.model.roots and _item_count(window) > 10
    assert clerk.shown[0]["title"] == "连接服务器台账" and clerk.shown[0]["message"] == ""
    assert clerk.shown[0]["echo"] == clerk.shown[0]["echo"].Password
    assert clerk.shown[0]["remember_text"] == "记住密码（加密保存在本机）"
    # In the recent list by its label, and the next dialog offers it.
    labels = [a.text() for a in window.recent_menu.actions()]
    assert any(address.label() in t for t in labels)
    window.close_ledger()
    clerk2 = Clerk(monkeypatch).will(None)
    window.actions["connect_server"].trigger()
    assert clerk2.shown[0]["servers"] and address.label() in clerk2.shown[0]["servers"][0]
    assert clerk2.shown[0]["host"] == address.host  # the last server is filled in


def test_wrong_password_asks_again_and_a_remembered_one_is_never_plain(window, pg_url, monkeypatch, tmp_path):
    server_dialog_ledger = server.ServerAddress.parse(pg_url)
    from rectify_desktop.core.ledger import Ledger

    Ledger.create(server_dialog_ledger).close()
    _grant_guarded(pg_url)
    url = _guarded(pg_url)
    clerk = Clerk(monkeypatch).will(url, "not-it", remember=True).will(url, GUARDED_PASSWORD, remember=True)
    window.actions["connect_server"].trigger()
    assert len(clerk.shown) == 2
    assert "密码不正确" in clerk.shown[1]["message"]
    assert window.ledger is not None and window.ledger.server.user == GUARDED_USER
    assert credentials.load(url) == GUARDED_PASSWORD
    window.save_state()
    for path in [tmp_path / "config" / "settings.ini", *(tmp_path / "state").iterdir()]:
        text = path.read_bytes().decode("utf-8", "replace")
        assert GUARDED_PASSWORD not in text, path
    assert url.split("@")[0].split("//")[1] in (tmp_path / "config" / "settings.ini").read_text()
    # Next time, from the recent list: no dialog at all.
    window.close_ledger()
    Clerk(monkeypatch)  # any dialog now fails the test
    entry = next(a for a in window.recent_menu.actions() if GUARDED_USER in a.text())
    entry.trigger()
    assert window.ledger is not None and window.ledger.server == server.ServerAddress.parse(url)


def test_unticking_remember_forgets_and_reopening_asks(window, pg_url, monkeypatch):
    from rectify_desktop.core.ledger import Ledger

    Ledger.create(pg_url).close()
    _grant_guarded(pg_url)
    url = _guarded(pg_url)
    credentials.save(url, "an old one that no longer works")
    # At start-up the last ledger is this server: the stored password is refused, so the clerk is asked,
    # told why, and 记住密码 is ticked as it was.
    window.settings.setValue("last_ledger", server.ServerAddress.parse(url).url())
    clerk = Clerk(monkeypatch).will(url, GUARDED_PASSWORD, remember=False)
    window.open_default()
    assert "密码不正确" in clerk.shown[0]["message"]
    assert window.ledger is not None and window.ledger.server.user == GUARDED_USER
    assert credentials.load(url) is None
    window.close_ledger()
    clerk = Clerk(monkeypatch).will(None)
    window.open_ledger(url)
    assert "密码" in clerk.shown[0]["message"] and window.ledger is None
    assert window.windowTitle() == "整改台账"


def test_an_empty_database_is_offered_a_new_ledger(window, pg_url, monkeypatch):
    asked = []

    def question(parent, title, text, *a, **k):  # noqa: ANN001, ANN002, ANN003, ANN202
        asked.append(text)
        return QMessageBox.StandardButton.No if len(asked) == 1 else QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", question)
    clerk = Clerk(monkeypatch).will(pg_url).will(pg_url)
    window.actions["connect_server"].trigger()
    assert len(asked) == 2 and "该数据库中还没有台账。新建一个空台账？" in asked[0]
    assert "推送到服务器" in asked[0]
    assert len(clerk.shown) == 2  # after 否 the dialog came back, for another database
    assert window.ledger is not None and window.ledger.server == server.ServerAddress.parse(pg_url)
    assert window.model.roots == []
    window.close_ledger()
    from rectify_desktop.core.ledger import Ledger

    with Ledger.open(pg_url) as led:  # a ledger now, not an empty database
        assert led.inspections() == []


def test_push_the_demo_then_connect_shows_its_figures(window, pg_url, demo_path, monkeypatch):
    window.open_ledger(demo_path)
    before = window.ledger.stats()
    roots = len(window.model.roots)
    told = []
    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text, *a: told.append(text))
    clerk = Clerk(monkeypatch).will(pg_url)
    window.actions["push_server"].trigger()
    assert clerk.shown[0]["title"] == "推送到服务器"
    assert len(told) == 1 and "本机的文件保留不变" in told[0]
    assert window.ledger is not None and window.ledger.server == server.ServerAddress.parse(pg_url)
    assert window.ledger.stats() == before and len(window.model.roots) == roots
    # Closed and connected again: the same figures from the server.
    window.close_ledger()
    Clerk(monkeypatch).will(pg_url)
    window.actions["connect_server"].trigger()
    assert window.ledger.stats() == before
    window.show_page("overview")
    assert demo_path.exists()  # the file stays as it was


def test_push_onto_a_ledger_asks_before_replacing_it(window, pg_url, demo_path, tmp_path, monkeypatch):
    transfer.push(demo_path, server.ServerAddress.parse(pg_url))
    empty = tmp_path / "空台账.db"
    from rectify_desktop.core import storage

    storage.create_file(empty)
    window.open_ledger(empty)
    boxes = []

    def answer(word):  # noqa: ANN001, ANN202
        def exec_(box):  # noqa: ANN001, ANN202
            boxes.append(box.text() + "\n" + box.informativeText())
            next(b for b in box.buttons() if b.text() == word).click()
            return 0

        return exec_

    monkeypatch.setattr(QMessageBox, "exec", answer("取消"))
    Clerk(monkeypatch).will(pg_url)
    window.actions["push_server"].trigger()
    assert "服务器上已有台账" in boxes[0] and "删除" in boxes[0]
    assert window.ledger is not None and window.ledger.server is None and window.ledger.path == empty
    from rectify_desktop.core.ledger import Ledger

    window.close_ledger()
    with Ledger.open(pg_url) as led:
        assert led.inspections()  # untouched
    window.open_ledger(empty)
    monkeypatch.setattr(QMessageBox, "exec", answer("先备份再替换"))
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: None)
    Clerk(monkeypatch).will(pg_url)
    window.actions["push_server"].trigger()
    assert window.ledger.server is not None and window.model.roots == []
    backups = list(tmp_path.glob("*服务器台账备份*.db"))
    assert len(backups) == 1
    window.open_ledger(backups[0])
    assert window.model.roots  # the demo, as it was on the server before


def test_save_server_ledger_as_file(window, pg_url, demo_path, tmp_path, monkeypatch):
    transfer.push(demo_path, server.ServerAddress.parse(pg_url))
    window.open_ledger(pg_url)
    before = window.ledger.stats()
    backup = window.actions["backup"]
    assert backup.text().startswith("保存服务器台账为文件") and backup.isEnabled()
    out = tmp_path / "带走" / "副本"
    out.parent.mkdir()
    offered = []

    def save_name(parent, title, start, *a, **k):  # noqa: ANN001, ANN002, ANN003, ANN202
        offered.append((title, start))
        return str(out), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_name)
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: None)
    backup.trigger()
    assert offered[0][0] == "保存服务器台账为文件" and Path(offered[0][1]).name.endswith(".db")
    written = out.with_suffix(".db")
    assert written.exists()
    assert window.ledger.server is not None  # still on the server
    window.open_ledger(written)
    assert window.ledger.server is None and window.ledger.stats() == before
    assert window.actions["backup"].text().startswith("备份台账")


def test_file_only_things_on_a_server_ledger(window, pg_url, monkeypatch):
    from rectify_desktop.core.ledger import Ledger

    Ledger.create(pg_url).close()
    window.open_ledger(pg_url)
    said = []
    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text, *a: said.append(text))
    window.open_restore()
    assert "服务器" in said[0] and "推送到服务器" in said[0]
    starts = []
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda p, t, start, *a: starts.append(start) or ("", ""))
    window.choose_ledger()
    assert Path(starts[0]).is_absolute() and "postgresql" not in starts[0]
    key = window._opened_key()
    assert "postgresql" not in key and key == window._opened_key()


def test_command_line_starts_the_window_on_a_server(monkeypatch):
    from rectify_desktop import cli
    from rectify_desktop.ui import app

    calls = []
    monkeypatch.setattr(app, "run", lambda ledger=None, demo=False: calls.append(ledger) or 0)
    assert cli.main(["postgresql://user@host/db"]) == 0
    assert cli.main(["--server", "postgresql://user@host:5433/db"]) == 0
    assert cli.main(["台账.db"]) == 0
    assert calls == ["postgresql://user@host/db", "postgresql://user@host:5433/db", Path("台账.db")]
    with pytest.raises(SystemExit):
        cli.main(["--server", "台账.db"])
    with pytest.raises(SystemExit):
        cli.main(["a.db", "--server", "postgresql://user@host/db"])


def test_the_dialog_refuses_missing_fields(window, qtbot):
    dlg = ServerDialog(window)
    qtbot.addWidget(dlg)
    dlg.host.setText("")
    dlg.ok_button.click()
    assert dlg.result() != QDialog.DialogCode.Accepted and "主机" in dlg.message.text()


def test_a_server_that_cannot_be_reached_leaves_the_open_ledger_open(window, pg_url, demo_path, monkeypatch):
    window.open_ledger(demo_path)
    opened = window.ledger
    unused = server.ServerAddress.parse(pg_url)
    wrong = server.ServerAddress(unused.host, unused.database, unused.user, 1)  # nothing listens on port 1
    clerk = Clerk(monkeypatch).will(wrong.url()).will(None)
    window.actions["connect_server"].trigger()
    assert "无法连接服务器" in clerk.shown[1]["message"]
    assert window.ledger is opened and not opened.closed  # never closed: the server was tried on its own line


def test_a_database_of_other_data_is_refused_and_the_file_comes_back(window, pg_url, demo_path, monkeypatch):
    import psycopg

    with psycopg.connect(pg_url, autocommit=True) as con:
        con.execute("CREATE TABLE payroll (id integer)")
    window.open_ledger(demo_path)
    clerk = Clerk(monkeypatch).will(pg_url).will(None)
    window.actions["connect_server"].trigger()
    assert "不是整改台账" in clerk.shown[1]["message"]
    assert window.ledger is not None and window.ledger.path == demo_path and window.model.roots
    assert demo_path.name in window.windowTitle()


def test_a_push_cancelled_in_its_progress_changes_nothing(window, pg_url, demo_path, monkeypatch):
    from PySide6.QtWidgets import QProgressDialog

    real_push = transfer.push

    def push(source, address, *, replace=False, progress=None):  # noqa: ANN001, ANN202
        def step(table: str, rows: int) -> None:
            monkeypatch.setattr(QProgressDialog, "wasCanceled", lambda box: True)  # the clerk clicks 取消 now
            progress(table, rows)

        return real_push(source, address, replace=replace, progress=step)

    monkeypatch.setattr(transfer, "push", push)
    monkeypatch.setattr(transfer, "_BATCH", 50)  # progress is told every _BATCH rows: the demo has a few hundred
    errors = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text, *a: errors.append((title, text)))
    window.open_ledger(demo_path)
    Clerk(monkeypatch).will(pg_url)
    window.actions["push_server"].trigger()
    assert errors and errors[0][0] == "推送失败" and "已取消" in errors[0][1]
    assert window.ledger is not None and window.ledger.path == demo_path
    window.close_ledger()
    with pytest.raises(server.EmptyServerError):
        from rectify_desktop.core.ledger import Ledger

        Ledger.open(pg_url)
