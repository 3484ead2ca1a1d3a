"""Server ledgers in the window (服务器台账): 文件 → 连接服务器台账…, 推送到服务器… and 保存服务器台账为文件…, and
how a server ledger is opened from the recent list, at start-up and from the command line.

The password is asked when the server wants one and none is remembered (or the remembered one is refused), in
the same dialog, with the server's reason above the fields; it is remembered only when the clerk ticks
记住密码, encrypted (core/credentials.py), and never written into the window's settings, where the servers
connected before are kept by their address alone.

A server is tried on a connection of its own before the open ledger is closed, so that a mistyped host or a
wrong password leaves the clerk where they were; when the server is reached but cannot be opened (no ledger,
another program's data), the ledger that was open before comes back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressDialog,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from rectify_desktop.core import credentials, server, storage, transfer
from rectify_desktop.core.ledger import Ledger
from rectify_desktop.ui.window_actions import FILE_FILTER

if TYPE_CHECKING:
    from PySide6.QtGui import QAction

    from rectify_desktop.ui.host import WindowHost

    class MainWindow(WindowHost):
        """The window as these functions use it: besides what every dialog may ask, its ledger's opening and
        closing (ui/window_files.py), named here so that this module does not import the window."""

        actions: dict[str, QAction]

        def _attach(self, ledger: Ledger) -> None: ...
        def _close_ledger(self) -> None: ...
        def _show_no_ledger(self) -> None: ...
        def _error(self, title: str, text: str) -> None: ...


SERVERS_KEY = "servers"  # the window's settings: servers connected before, newest first, without password
SAVE_FOLDER_KEY = "server/save_folder"
MAX_SERVERS = 8
REMEMBER_TEXT = "记住密码（加密保存在本机）"
SAVE_AS_FILE_TEXT = "保存服务器台账为文件(&B)…"
SAVE_AS_FILE_TIP = "把服务器台账此刻的完整内容保存为本机的台账文件：可作备份，也可带到没有服务器的地方使用"
RESTORE_ON_SERVER = (
    "服务器台账保存在服务器上，本机没有它的自动备份。\n\n"
    "要把服务器台账恢复到以前的样子：打开以前用“文件 → 保存服务器台账为文件”保存的台账文件，"
    "再用“文件 → 推送到服务器…”替换服务器上的台账。替换前请先通知正在使用该台账的同事。"
)
_TABLE_NAMES = {
    "inspection": "巡察",
    "category": "方面",
    "finding": "问题",
    "item": "细化问题",
    "measure": "整改措施",
    "evidence": "佐证材料",
    "evidence_blob": "佐证材料",
    "change_log": "修改记录",
}


class ServerDialog(QDialog):
    """主机、端口、数据库、用户名、密码, 记住密码, and the servers connected before; 连接 (or 推送) / 取消."""

    def __init__(
        self,
        parent: QWidget | None,
        *,
        title: str = "连接服务器台账",
        action: str = "连接",
        intro: str = "",
        servers: list[str] | None = None,
        address: server.ServerAddress | None = None,
        message: str = "",
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        lay = QVBoxLayout(self)
        self.intro = QLabel(
            intro or "连接办公室服务器上的共享台账，多人可同时使用。服务器的地址、数据库和用户名请向管理员询问。"
        )
        self.intro.setWordWrap(True)
        lay.addWidget(self.intro)
        form = QFormLayout()
        self.servers = QComboBox()
        self._urls: list[str] = []
        for url in servers or []:
            try:
                label = server.ServerAddress.parse(url).label()
            except server.ServerError:
                continue  # a settings entry edited by hand into something else
            self.servers.addItem(label)
            self._urls.append(url)
        self.servers.activated.connect(self._choose)
        if self._urls:
            form.addRow("以前连接过(&R)：", self.servers)
        else:
            self.servers.hide()
        self.host = QLineEdit()
        self.host.setPlaceholderText("服务器的名称或IP地址，如 192.168.1.10")
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(server.DEFAULT_PORT)
        self.port.setGroupSeparatorShown(False)
        self.database = QLineEdit()
        self.database.setPlaceholderText("如 zhenggai")
        self.user = QLineEdit()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow("主机(&H)：", self.host)
        form.addRow("端口(&P)：", self.port)
        form.addRow("数据库(&D)：", self.database)
        form.addRow("用户名(&U)：", self.user)
        form.addRow("密码(&W)：", self.password)
        lay.addLayout(form)
        self.remember = QCheckBox(REMEMBER_TEXT)
        self.remember.setToolTip("密码加密后保存在本机当前用户的文件夹中，下次连接不再询问；不勾选则每次连接时输入")
        lay.addWidget(self.remember)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b3261e")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.message)
        buttons = QDialogButtonBox()
        self.ok_button = buttons.addButton(action, QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.ok_button.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 34)
        if address is not None:
            self.fill(address)
        elif self._urls:
            self._choose(0)
        self.say(message)

    def fill(self, address: server.ServerAddress) -> None:
        self.host.setText(address.host)
        self.port.setValue(address.port)
        self.database.setText(address.database)
        self.user.setText(address.user)
        url = address.url()
        if url in self._urls:
            self.servers.setCurrentIndex(self._urls.index(url))
        self.password.clear()
        remembered = credentials.load(url) is not None
        self.remember.setChecked(remembered)
        self.password.setPlaceholderText("已记住，可不填" if remembered else "")

    def _choose(self, index: int) -> None:
        if 0 <= index < len(self._urls):
            self.fill(server.ServerAddress.parse(self._urls[index]))

    def say(self, text: str, *, password: bool = False) -> None:
        """The reason the dialog is shown again, above the buttons; after a refused password, the cursor waits in
        an empty password field."""
        self.message.setText(text)
        self.message.setVisible(bool(text))
        if password:
            self.password.clear()
            self.password.setFocus()
        elif not self.host.text():
            self.host.setFocus()
        elif not self.user.text():
            self.user.setFocus()
        else:
            self.password.setFocus()

    def address(self) -> server.ServerAddress:
        return server.ServerAddress(
            self.host.text().strip(), self.database.text().strip(), self.user.text().strip(), self.port.value()
        )

    def typed_password(self) -> str | None:
        return self.password.text() or None

    def accept(self) -> None:
        for edit, what in (
            (self.host, "主机（服务器的名称或IP地址）"),
            (self.database, "数据库"),
            (self.user, "用户名"),
        ):
            if not edit.text().strip():
                self.message.setText(f"请填写{what}。")
                self.message.show()
                edit.setFocus()
                return
        super().accept()


# --- the settings: servers connected before ----------------------------------------------------------------


def recent_servers(window: MainWindow) -> list[str]:
    value = window.settings.value(SERVERS_KEY, [])
    if isinstance(value, str):
        value = [value]
    return [str(v) for v in (value or []) if server.is_server(str(v))]


def remember_server(window: MainWindow, address: server.ServerAddress) -> None:
    url = address.url()  # never the password
    window.settings.setValue(SERVERS_KEY, [url, *(u for u in recent_servers(window) if u != url)][:MAX_SERVERS])


def recent_label(entry: str) -> str:
    """How the recent list names an entry: a server ledger by its label, a file by its path."""
    if server.is_server(entry):
        try:
            return server.ServerAddress.parse(entry).label()
        except server.ServerError:
            return entry
    return entry


def _keep_password(window: MainWindow, address: server.ServerAddress, password: str | None, remember: bool) -> None:
    url = address.url()
    if not remember:
        credentials.forget(url)
    elif password and not credentials.save(url, password):
        window.statusBar().showMessage("密码未能保存在本机（无法写入本机的设置文件夹），下次连接时需重新输入。", 15000)


# --- opening ------------------------------------------------------------------------------------------------


@contextmanager
def busy(window: MainWindow, text: str) -> Iterator[None]:
    window.statusBar().showMessage(text)
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    QApplication.processEvents()
    try:
        yield
    finally:
        QApplication.restoreOverrideCursor()
        window.statusBar().clearMessage()


def _where(window: MainWindow) -> tuple[Any, bool] | None:
    """The ledger open now (its path, or its address with the password it was opened with), to come back to."""
    led = window.ledger
    if led is None or led.closed:
        return None
    return (led.server if led.server is not None else led.path), led.readonly


def _return_to(window: MainWindow, previous: tuple[Any, bool] | None) -> None:
    if window.ledger is not None and not window.ledger.closed:
        return
    if previous is None:
        window._show_no_ledger()
    else:
        window.open_ledger(previous[0], readonly=previous[1])


def _attach(window: MainWindow, ledger: Ledger) -> None:
    assert ledger.server is not None
    window._attach(ledger)
    remember_server(window, ledger.server)
    if ledger.warnings:
        QMessageBox.warning(window, "打开台账时发现的问题", "\n\n".join(ledger.warnings))
    window.statusBar().showMessage(f"已连接{ledger.server.label()}", 8000)


def _try_open(
    window: MainWindow, address: server.ServerAddress, readonly: bool, *, create: bool = False
) -> storage.LedgerError | None:
    """Opens the server ledger in the window; the error when it cannot, with the window's ledger left open when
    the server itself could not be reached or refused the password."""
    with busy(window, f"正在连接{address.label()}……"):
        try:
            # A connection of its own first: the open ledger is closed only once the server has let us in.
            server.ChangeFeed(address).close()
        except storage.LedgerError as exc:
            return exc
        window._close_ledger()
        try:
            ledger = Ledger.create(address) if create else Ledger.open(address, readonly=readonly)
        except storage.LedgerError as exc:
            window._show_no_ledger()
            return exc
    _attach(window, ledger)
    return None


def open_server_ledger(window: MainWindow, target: str | server.ServerAddress, readonly: bool = False) -> bool:
    """MainWindow.open_ledger for a server ledger (the recent list, start-up, the command line): with the password
    given, or remembered, or asked for."""
    try:
        address = server.ServerAddress.parse(target)
    except server.ServerError as exc:
        window._error("无法打开台账", str(exc))
        return False
    current = window.ledger
    if current is not None and not current.closed and current.server == address:
        return True
    previous = _where(window)
    stored = credentials.load(address.url()) if address.password is None else None
    password = address.password if address.password is not None else stored
    error = _try_open(window, address.with_password(password), readonly)
    if error is None:
        return True
    if isinstance(error, server.PasswordNeededError | server.EmptyServerError):
        message = str(error)
        if isinstance(error, server.PasswordNeededError) and stored is not None:
            credentials.forget(address.url())
            message += "\n本机记住的密码已不能使用，已清除，请重新输入。"
        dlg = ServerDialog(window, servers=recent_servers(window), address=address)
        dlg.remember.setChecked(stored is not None)
        if isinstance(error, server.PasswordNeededError):
            dlg.say(message, password=True)
        elif readonly:
            window._error("无法打开台账", message)
            _return_to(window, previous)
            return False
        elif not _offer_new(window, address):
            _return_to(window, previous)
            return False
        elif _created(window, dlg, address.with_password(password)):
            return True
        return _ask(window, dlg, readonly, previous)
    window._error("无法打开台账", str(error))
    _return_to(window, previous)
    return False


def connect_server(window: MainWindow) -> bool:
    """文件 → 连接服务器台账…"""
    servers = recent_servers(window)
    led = window.ledger
    address = led.server if led is not None and not led.closed and led.server is not None else None
    if address is None and servers:
        address = server.ServerAddress.parse(servers[0])
    dlg = ServerDialog(window, servers=servers, address=address)
    return _ask(window, dlg, False, _where(window))


def _ask(window: MainWindow, dlg: ServerDialog, readonly: bool, previous: tuple[Any, bool] | None) -> bool:
    """Shows the dialog until the ledger opens or the clerk cancels; each failure is said in the dialog."""
    while True:
        if dlg.exec() != QDialog.DialogCode.Accepted:
            _return_to(window, previous)
            return False
        address = dlg.address()
        typed = dlg.typed_password()
        password = typed if typed is not None else credentials.load(address.url())
        full = address.with_password(password)
        error = _try_open(window, full, readonly)
        if error is None:
            _keep_password(window, address, password, dlg.remember.isChecked())
            return True
        if isinstance(error, server.EmptyServerError) and not readonly:
            if not _offer_new(window, address):
                dlg.say("")  # 否: perhaps another database was meant
            elif _created(window, dlg, full):  # when it cannot be made, _created says why in the dialog
                return True
            continue
        if isinstance(error, server.PasswordNeededError) and typed is None and password is not None:
            credentials.forget(address.url())
        dlg.say(str(error), password=isinstance(error, server.PasswordNeededError))


def _offer_new(window: MainWindow, address: server.ServerAddress) -> bool:
    answer = QMessageBox.question(
        window,
        "新建服务器台账",
        f"该数据库中还没有台账。新建一个空台账？\n\n{address.label()}\n\n"
        "如要把本机已有的台账放到服务器上，请选“否”，打开该台账文件后，用“文件 → 推送到服务器…”。",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.Yes,
    )
    return answer == QMessageBox.StandardButton.Yes


def _created(window: MainWindow, dlg: ServerDialog, address: server.ServerAddress) -> bool:
    error = _try_open(window, address, False, create=True)
    if error is None:
        _keep_password(window, address, address.password, dlg.remember.isChecked())
        window.statusBar().showMessage(f"已在服务器上新建空台账：{address.label()}", 10000)
        return True
    dlg.say(str(error))
    return False


# --- moving between a file and the server ---------------------------------------------------------------


class _Cancelled(Exception):
    pass


def _transfer(window: MainWindow, title: str, text: str, work: Callable[[Callable[[str, int], None]], Any]) -> str:
    """Runs a push or pull with a progress box that can cancel it; returns the error in words, or ""."""
    box = QProgressDialog(text, "取消", 0, 0, window)
    box.setWindowTitle(title)
    box.setWindowModality(Qt.WindowModality.WindowModal)
    box.setMinimumDuration(0)
    box.setAutoClose(False)
    box.show()

    def step(table: str, rows: int) -> None:
        box.setLabelText(f"{text}\n{_TABLE_NAMES.get(table, '其他数据')}：已复制 {rows} 条")
        QApplication.processEvents()
        if box.wasCanceled():
            raise _Cancelled

    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    QApplication.processEvents()
    try:
        work(step)
    except _Cancelled:
        return "已取消，未做任何改动。"
    except storage.LedgerError as exc:
        return str(exc)
    except OSError as exc:
        from rectify_desktop.core import oserrors

        return oserrors.explain(exc, getattr(exc, "filename", None))
    finally:
        QApplication.restoreOverrideCursor()
        box.close()
        box.deleteLater()
    return ""


def _server_summary(address: server.ServerAddress) -> str | None:
    """What the server holds now, in a sentence; None for an empty database. Opens it read-only through the
    window's database (the window's ledger is closed by then)."""
    from rectify_desktop.core.models import ChangeLog, Inspection, Item

    try:
        led = Ledger.open(address, readonly=True)
    except server.EmptyServerError:
        return None
    try:
        text = f"{address.label()}：{Inspection.select().count()} 次巡察、{Item.select().count()} 项细化问题"
        last = ChangeLog.select().order_by(ChangeLog.id.desc()).first()
        if last is not None:
            text += f"；最近一次修改：{str(last.at)[:16]}（{last.user}）"
        return text
    finally:
        led.close()


def _confirm_replace(window: MainWindow, summary: str, backup: Path) -> str | None:
    """What the clerk chose: "backup", "replace" or None (取消, the default)."""
    box = QMessageBox(window)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("替换服务器台账？")
    box.setText("服务器上已有台账。推送会用本机的台账替换它。")
    box.setInformativeText(
        f"{summary}。\n\n替换后，服务器上现有的全部内容（包括其他同事的修改和修改记录）都将被删除，不能撤销；"
        "正在使用该台账的同事需要重新连接。\n\n"
        f"建议选“先备份再替换”：先把服务器上的台账保存为文件 {backup.name}（放在本机台账文件旁边）。"
    )
    first = box.addButton("先备份再替换", QMessageBox.ButtonRole.AcceptRole)
    plain = box.addButton("替换", QMessageBox.ButtonRole.DestructiveRole)
    cancel = box.addButton("取消", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)
    box.exec()
    clicked = box.clickedButton()
    return "backup" if clicked is first else "replace" if clicked is plain else None


def push_to_server(window: MainWindow) -> bool:
    """文件 → 推送到服务器…: the open ledger file (or one chosen) onto a server, then the window on it."""
    led = window.ledger
    if led is not None and not led.closed and led.server is None:
        source = Path(led.path)
    else:
        chosen, _ = QFileDialog.getOpenFileName(window, "选择要推送到服务器的台账文件", str(Path.home()), FILE_FILTER)
        if not chosen:
            return False
        source = Path(chosen)
    servers = recent_servers(window)
    dlg = ServerDialog(
        window,
        title="推送到服务器",
        action="推送",
        intro=f"把台账文件“{source.name}”复制到服务器上的数据库，供多人同时使用。本机的文件保留不变；"
        "推送后本窗口即连接服务器上的台账，以后请在服务器台账上修改。",
        servers=servers,
        address=server.ServerAddress.parse(servers[0]) if servers else None,
    )
    previous = _where(window)
    while True:
        if dlg.exec() != QDialog.DialogCode.Accepted:
            return False
        address = dlg.address()
        typed = dlg.typed_password()
        full = address.with_password(typed if typed is not None else credentials.load(address.url()))
        with busy(window, f"正在连接{address.label()}……"):
            try:
                server.ChangeFeed(full).close()
            except storage.LedgerError as exc:
                dlg.say(str(exc), password=isinstance(exc, server.PasswordNeededError))
                continue
            # The push reads the file through the database the window's ledger uses: the ledger closes first.
            window._close_ledger()
            try:
                summary = _server_summary(full)
            except storage.LedgerError as exc:
                _return_to(window, previous)
                dlg.say(str(exc))
                continue
        _keep_password(window, address, full.password, dlg.remember.isChecked())
        return _push(window, source, full, summary, previous)


def _push(
    window: MainWindow,
    source: Path,
    address: server.ServerAddress,
    summary: str | None,
    previous: tuple[Any, bool] | None,
) -> bool:
    backup = source.with_name(f"{address.database}-服务器台账备份-{dt.datetime.now():%Y%m%d-%H%M}.db")
    made = ""
    if summary is not None:
        choice = _confirm_replace(window, summary, backup)
        if choice is None:
            _return_to(window, previous)
            return False
        if choice == "backup":
            error = _transfer(
                window,
                "备份服务器台账",
                "正在把服务器上的台账保存为文件……",
                lambda step: transfer.pull(address, backup, progress=step),
            )
            if error:
                window._error("备份失败，未推送", error)
                _return_to(window, previous)
                return False
            made = f"\n\n替换前服务器上的台账已保存为：\n{backup}"
    error = _transfer(
        window,
        "推送到服务器",
        f"正在把“{source.name}”推送到{address.label()}……",
        lambda step: transfer.push(source, address, replace=summary is not None, progress=step),
    )
    if error:
        window._error("推送失败", f"{error}\n\n服务器上的台账未改动。{made.strip()}")
        _return_to(window, previous)
        return False
    opened = _try_open(window, address, False)
    if opened is not None:
        window._error("已推送，但无法连接服务器台账", str(opened))
        _return_to(window, previous)
        return False
    QMessageBox.information(
        window,
        "已推送到服务器",
        f"台账“{source.name}”已推送到{address.label()}，本窗口现在打开的是服务器上的台账。\n\n"
        f"本机的文件保留不变，但以后的修改请在服务器台账上进行，以免两处内容不一致。{made}",
    )
    return True


def save_server_as_file(window: MainWindow) -> None:
    """文件 → 保存服务器台账为文件… (the 备份台账 of a server ledger): one consistent snapshot, while others edit."""
    led = window.ledger
    if led is None or led.closed or led.server is None:
        return
    folder = window.settings.value(SAVE_FOLDER_KEY, "", str)
    start = Path(folder) if folder and Path(folder).is_dir() else Path.home()
    default = start / f"{led.server.database}-服务器台账-{dt.datetime.now():%Y%m%d-%H%M}.db"
    chosen, _ = QFileDialog.getSaveFileName(window, "保存服务器台账为文件", str(default), FILE_FILTER)
    if not chosen:
        return
    out = Path(chosen)
    if not out.suffix:
        out = out.with_suffix(".db")
    if window.panel is not None:
        window.panel.commit_pending()  # what is being typed goes to the server first, and so into the copy
    address = led.server
    error = _transfer(
        window,
        "保存服务器台账为文件",
        "正在从服务器读取台账并保存为文件……",
        lambda step: transfer.pull(address, out, progress=step),
    )
    if error:
        window._error("保存失败", error)
        return
    window.settings.setValue(SAVE_FOLDER_KEY, str(out.parent))
    QMessageBox.information(
        window,
        "已保存为文件",
        f"服务器台账已保存为台账文件：\n{out}\n\n"
        "这是服务器台账此刻的完整副本，可作为备份，也可带到没有服务器的地方查看和使用。"
        "在该文件中所做的修改不会自动回到服务器。",
    )


def explain_restore(window: MainWindow) -> None:
    """工具 → 恢复备份 on a server ledger: there are no automatic backups here; how it is done instead."""
    QMessageBox.information(window, "恢复备份", RESTORE_ON_SERVER)


def fit_actions(window: MainWindow) -> None:
    """备份台账 becomes 保存服务器台账为文件 on a server ledger, and back on a file."""
    from rectify_desktop.ui.window_actions import ACTIONS

    led = window.ledger
    on_server = led is not None and not led.closed and led.server is not None
    spec = next(s for s in ACTIONS if s.name == "backup")
    act = window.actions["backup"]
    act.setText(SAVE_AS_FILE_TEXT if on_server else spec.text)
    act.setStatusTip(SAVE_AS_FILE_TIP if on_server else spec.tip)
    act.setIconText((SAVE_AS_FILE_TEXT if on_server else spec.text).split("(")[0])
