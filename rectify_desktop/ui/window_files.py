"""Opening, creating, backing up and closing ledgers (打开、新建、备份、关闭台账) and the window's remembered
state, as a part of the main window (a mixin of :class:`~rectify_desktop.ui.main_window.MainWindow`)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QMessageBox,
    QWidget,
)

from rectify_desktop import APP_NAME
from rectify_desktop.core import backup, server, stats, storage
from rectify_desktop.core import settings as ledger_settings
from rectify_desktop.core.ledger import Ledger
from rectify_desktop.ui import server_dialog
from rectify_desktop.ui.dialogs import confirm
from rectify_desktop.ui.undo import UndoBridge
from rectify_desktop.ui.window_actions import FILE_FILTER, FIRST_PAGE, MAX_RECENT, PAGES


class LedgerFiles:
    """The ledger files of the main window: what opens, what closes, what is remembered."""

    # --- opening and closing -----------------------------------------------------------------------

    def open_default(self) -> None:
        """The last ledger, or on first run an empty one in the data folder, with the welcome page."""
        from rectify_desktop.ui.paths import DEFAULT_LEDGER_NAME, data_dir

        last = self.settings.value("last_ledger", "", str)
        if last and server.is_server(last):
            self.open_ledger(last)  # asks for the password when none is remembered; cancelled: no ledger
            return
        if last and Path(last).exists():
            self.open_ledger(Path(last))
            return
        path = data_dir() / DEFAULT_LEDGER_NAME
        if not path.exists():
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                storage.create_file(path)
            except (OSError, storage.LedgerError) as exc:
                self._error("无法创建台账", str(exc))
                return
        self.open_ledger(path)

    def open_demo(self) -> None:
        from rectify_desktop.ui.paths import fresh_demo_path

        try:
            path = fresh_demo_path()
        except (OSError, storage.LedgerError) as exc:
            self._error("无法生成示例台账", str(exc))
            return
        if self.open_ledger(path):
            self.expand_all()

    def _start_folder(self) -> str:
        """Where the file dialogs start: beside the open ledger file; a server ledger has no folder."""
        if self.ledger is not None and self.ledger.server is None:
            return str(self.ledger.path.parent)
        return str(Path.home())

    def choose_ledger(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "打开台账", self._start_folder(), FILE_FILTER)
        if path:
            self.open_ledger(Path(path))

    def new_ledger(self) -> None:
        start = self._start_folder()
        path, _ = QFileDialog.getSaveFileName(self, "新建台账", str(Path(start) / "整改台账.db"), FILE_FILTER)
        if not path:
            return
        p = Path(path)
        if not p.suffix:
            p = p.with_suffix(".db")
        if p.exists():
            # The save dialog already asked whether to replace it; a ledger is never overwritten here.
            self._error("无法新建台账", f"文件已存在，请换一个文件名：{p}")
            return
        try:
            storage.create_file(p)
        except storage.LedgerError as exc:
            self._error("无法新建台账", str(exc))
            return
        self.open_ledger(p)

    def open_ledger(self, path: Path, readonly: bool = False) -> bool:
        """Opens `path` in this window, asking before a read-only open; returns whether it opened. `path` may
        be a server ledger (postgresql://用户名@主机/数据库, or a server.ServerAddress)."""
        if server.is_server(path):  # its password asked or remembered, its own errors (ui/server_dialog.py)
            return server_dialog.open_server_ledger(self, path, readonly)  # type: ignore[arg-type]
        path = Path(path)
        current = self.ledger is not None and not self.ledger.closed and self.ledger.server is None
        if current and self.ledger.path.resolve() == path.resolve():
            return True
        self._close_ledger()
        try:
            ledger = Ledger.open(path, readonly=readonly)
        except (storage.LockedError, storage.ReadOnlyFileError, storage.ForeignSchemaError) as exc:
            if not confirm(self, "以只读方式打开？", f"{exc}\n\n是否以只读方式打开？只读时可以查看，但不能修改。"):
                self._show_no_ledger()
                return False
            return self.open_ledger(path, readonly=True)
        except storage.LedgerError as exc:
            self._error("无法打开台账", str(exc))
            self._show_no_ledger()
            return False
        self._attach(ledger)
        if ledger.warnings:
            # Found on opening (values not understood, objects another program added, edits left in the
            # -wal): the clerk must know before working on, once, in full.
            QMessageBox.warning(self, "打开台账时发现的问题", "\n\n".join(ledger.warnings))
        if ledger.migrated_backup:
            QMessageBox.information(
                self,
                "台账已升级",
                f"该台账由旧版本程序创建，已升级到当前版本。\n升级前的文件已备份为：\n{ledger.migrated_backup}",
            )
        return True

    def _attach(self, ledger: Ledger) -> None:
        from rectify_desktop.ui.forms import EditPanel

        self.ledger = ledger
        self.undo_stack.clear()
        self.bridge = UndoBridge(ledger, self.undo_stack, self._change_failed)
        self.panel = EditPanel(ledger, self.bridge, window=self)
        self.panel.set_readonly(ledger.readonly)
        self.right.addWidget(self.panel)
        ledger.subscribe(self._on_changes)
        self._follow_others()  # a server ledger: the other windows' edits show here (ui/live.py)
        self.model.immediate_days = ledger_settings.get_int("immediate_days")
        self.model.due_soon_days = ledger_settings.get_int("due_soon_days")
        self.model.reload()
        self._remember_recent(ledger.server if ledger.server is not None else ledger.path)
        name = ledger.location if ledger.server is not None else ledger.path.name
        # 只读 once, beside the file it is about: not again when the file's own name already says it.
        if ledger.readonly and "只读" not in name:
            name += "（只读）"
        self.setWindowTitle(f"{name} - {APP_NAME}")
        self.welcome.path_label.setText(
            f"当前台账：{ledger.location}" if ledger.server is not None else f"当前台账文件：{ledger.path}"
        )
        self.welcome.path_label.setToolTip(ledger.location)
        if self.model.roots:
            for r in self.model.roots:
                self.tree.expand(self.model.index_of(r))
            self.tree.setCurrentIndex(self.model.index_of(self.model.roots[0]))
        self._show_right()
        self._refresh_status()
        self._update_actions()
        server_dialog.fit_actions(self)
        # A ledger with an inspection opens on the overview; an empty one on the welcome page.
        self.show_page(FIRST_PAGE if self.model.roots else "ledger")
        self._tell_newly_overdue()
        if not ledger.readonly and ledger.server is None:  # a server ledger is backed up with backup --server
            # After the window is up, so that opening never waits for the copy.
            QTimer.singleShot(1500, lambda p=ledger.path: self._backup_in_background(p))

    def _opened_key(self) -> str:
        import hashlib

        assert self.ledger is not None
        place = self.ledger.server.url() if self.ledger.server is not None else str(self.ledger.path.resolve())
        return "opened/" + hashlib.sha1(place.encode()).hexdigest()[:16]

    def _tell_newly_overdue(self) -> None:
        """Says what fell overdue since this ledger was last opened on this computer."""
        import datetime as dt

        key = self._opened_key()
        today = dt.date.today()
        last = self.settings.value(key, "", str)
        self.settings.setValue(key, today.isoformat())
        self.notice.say("")
        try:
            since = dt.date.fromisoformat(last) if last else None
        except ValueError:
            since = None
        if since is None or since >= today:
            return
        late = stats.newly_overdue(since, today, self.model.immediate_days)
        if late:
            names = "；".join(r.title[:18] for r in late[:3]) + ("……" if len(late) > 3 else "")
            self.notice.say(f"自上次打开（{since.month}月{since.day}日）以来，新增逾期未完成 {len(late)} 项：{names}")

    def show_overdue(self) -> None:
        self.show_page("ledger")
        bar = self.search
        bar.deadline.setCurrentIndex(bar.deadline.findData("overdue"))
        self.notice.hide()

    def _backup_in_background(self, path: Path) -> None:
        if self.ledger is None or self.ledger.closed or self.ledger.path != path:
            return
        from rectify_desktop.ui.settings_dialog import BackupRunner, backup_budget, backup_folder, backup_keep

        s = self.settings
        job = backup.BackupJob(path, backup_folder(s), backup_keep(s), backup_budget(s))
        runner = BackupRunner(job, self)
        runner.finished.connect(self._backup_finished)
        self._backup_runners = [r for r in self._backup_runners if r.running] + [runner]
        runner.start()

    def _backup_finished(self, outcome: backup.Outcome) -> None:
        """A backup that could not be made is said above the pages, in the clerk's words; never kept silent."""
        if outcome.error:
            self.notice.add(outcome.error)
        elif outcome.warning:
            self.statusBar().showMessage(outcome.warning, 15000)

    def apply_ledger_settings(self) -> None:
        """After the settings changed: deadlines may count differently."""
        if self.ledger is None or self.ledger.closed:
            return
        self.model.due_soon_days = ledger_settings.get_int("due_soon_days")
        days = ledger_settings.get_int("immediate_days")
        if days != self.model.immediate_days:
            self.model.immediate_days = days
            self.model.reload()
            self.search.invalidate()
        self._refresh_status()

    def open_settings(self) -> None:
        from rectify_desktop.ui.settings_dialog import open_settings_dialog

        open_settings_dialog(self)

    def open_restore(self) -> None:
        if self.ledger is not None and self.ledger.server is not None:
            server_dialog.explain_restore(self)
            return
        from rectify_desktop.ui.settings_dialog import open_restore_dialog

        open_restore_dialog(self)

    def close_ledger(self) -> None:
        self._close_ledger()
        self._show_no_ledger()

    def _page_shown(self, index: int) -> None:
        if index < 0 or self.ledger is None:
            return
        key, _title, spec = PAGES[index]
        if key != "ledger" and key not in self.pages:
            import importlib

            module, cls = spec.split(":")
            page = getattr(importlib.import_module(module), cls)(self)
            page.set_readonly(self.ledger.readonly)
            self.pages[key] = page
            self.tabs.widget(index).layout().addWidget(page)

    def show_page(self, key: str) -> QWidget | None:
        """Brings a page to the front (building it if needed) and returns it; "ledger" is the tree and form."""
        index = self._tab_keys.index(key)
        self.tabs.setCurrentIndex(index)
        self._page_shown(index)
        return self.splitter if key == "ledger" else self.pages.get(key)

    def _close_pages(self) -> None:
        for page in self.pages.values():
            page.setParent(None)
            page.deleteLater()
        self.pages.clear()

    def _close_ledger(self) -> None:
        if self.ledger is None:
            return
        self._stop_following()
        self._close_pages()
        if self.panel is not None:
            self.panel.commit_pending()
            self.right.removeWidget(self.panel)
            self.panel.deleteLater()
            self.panel = None
            from rectify_desktop.ui import evidence_ui

            evidence_ui.cleanup_temp()  # the copies opened for viewing go with the ledger
        self.ledger.unsubscribe(self._on_changes)
        warning = self.ledger.close()
        self.ledger = None
        if warning:
            QMessageBox.warning(self, "台账的最后修改尚未合并", warning)
        self.bridge = None
        self.undo_stack.clear()
        self._before_filter = None
        self._selection_hidden = False
        self.model.clear()
        self.node_history.show_node(None, None)

    def _show_no_ledger(self) -> None:
        self.setWindowTitle(APP_NAME)
        self.welcome.path_label.setText("未打开台账")
        self.right.setCurrentWidget(self.welcome)
        self.status_label.setText("")
        self._update_actions()
        server_dialog.fit_actions(self)

    def _show_right(self) -> None:
        if self.panel is not None and self.model.roots:
            self.right.setCurrentWidget(self.filtered_out if self._selection_hidden else self.panel)
        else:
            self.right.setCurrentWidget(self.welcome)
        for b in self.welcome.buttons.values():
            b.setEnabled(True)
        self.welcome.buttons["new_inspection"].setEnabled(self.ledger is not None and not self.ledger.readonly)

    def backup_ledger(self) -> None:
        if self.ledger is None:
            return
        if self.ledger.server is not None:  # the action reads 保存服务器台账为文件 there
            server_dialog.save_server_as_file(self)
            return
        from datetime import datetime

        default = self.ledger.path.with_name(f"{self.ledger.path.stem}-备份-{datetime.now():%Y%m%d-%H%M}.db")
        path, _ = QFileDialog.getSaveFileName(self, "备份台账", str(default), FILE_FILTER)
        if not path:
            return
        if self.panel is not None:
            self.panel.commit_pending()
        try:
            storage.backup_file(self.ledger.path, path)
        except storage.LedgerError as exc:
            self._error("备份失败", str(exc))
            return
        self.statusBar().showMessage(f"已备份到 {path}", 8000)

    # --- recent files and window state -------------------------------------------------------------

    def _remember_recent(self, path: Path | server.ServerAddress) -> None:
        p = path.url() if isinstance(path, server.ServerAddress) else str(path.resolve())  # never a password
        recent = [r for r in self._recent() if r != p]
        self.settings.setValue("recent", [p, *recent][:MAX_RECENT])
        self.settings.setValue("last_ledger", p)
        self._fill_recent_menu()

    def _recent(self) -> list[str]:
        value = self.settings.value("recent", [])
        if isinstance(value, str):
            value = [value]
        return [str(v) for v in (value or [])]

    def _fill_recent_menu(self) -> None:
        if self.recent_menu is None:
            return
        self.recent_menu.clear()
        recent = self._recent()
        for i, p in enumerate(recent, 1):
            act = self.recent_menu.addAction(f"&{i} {server_dialog.recent_label(p)}")
            act.triggered.connect(lambda _=False, p=p: self.open_ledger(p if server.is_server(p) else Path(p)))
        self.recent_menu.setEnabled(bool(recent))

    def _restore_state(self) -> None:
        geometry = self.settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            # The first time: the usual size where the screen has room for it, else the screen's free area
            # with a margin (1400×860 ran off a 1280×800 or 1366×768 screen), centred.
            free = self.screen().availableGeometry()
            self.resize(min(self.width(), int(free.width() * 0.94)), min(self.height(), int(free.height() * 0.92)))
            frame = self.frameGeometry()
            frame.moveCenter(free.center())
            self.move(frame.topLeft())
        state = self.settings.value("window/state")
        if state is not None:
            self.restoreState(state)
        splitter = self.settings.value("window/splitter")
        if splitter is not None:
            self.splitter.restoreState(splitter)
        right = self.settings.value("window/right_splitter")
        if right is not None:
            self.right_split.restoreState(right)
        header = self.settings.value("window/tree_header")
        if header is not None:
            self.tree.header().restoreState(header)

    def save_state(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.settings.setValue("window/splitter", self.splitter.saveState())
        self.settings.setValue("window/right_splitter", self.right_split.saveState())
        self.settings.setValue("window/tree_header", self.tree.header().saveState())
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        for runner in self._backup_runners:
            runner.abandon()  # its partial copy goes now; the ledger is backed up at the next opening
        self.save_state()
        self._close_ledger()
        event.accept()
