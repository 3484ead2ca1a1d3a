"""The window on a server ledger that others keep at the same time: their edits show within a second.

The server tells every window of a change (LISTEN/NOTIFY); a QSocketNotifier on the notice connection wakes
the window as soon as one arrives, and a slow timer catches what a notifier may miss (a socket already read
by the driver). `Ledger.poll_remote` passes the others' Changes to the ledger's listeners, so the tree, the
form and the figures refresh as after one's own edit; the form keeps what the clerk is typing (EditPanel's
`from_elsewhere`), and the status bar says who changed what. A conflicting edit of one's own is resolved in
conflict_dialog, which `attach` hands to the undo bridge.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from PySide6.QtCore import QObject, QSocketNotifier, QTimer

from rectify_desktop.core import server
from rectify_desktop.core.commands import ENTITY_NAMES, FIELD_NAMES, Change
from rectify_desktop.core.models import Finding, Item, Measure, db
from rectify_desktop.core.storage import LedgerError
from rectify_desktop.ui import conflict_dialog
from rectify_desktop.ui.conflict_dialog import item_name as _item_name
from rectify_desktop.ui.conflict_dialog import who_of

# The main window (ui/main_window.MainWindow), which only the start-up imports (tests/ui/test_ui_imports.py).
MainWindow = Any

# The slow fallback: a notice the socket notifier missed still shows within this.
FALLBACK_MS = 500
# How long the status bar says who changed what.
MESSAGE_MS = 6000
# Wake-ups of the socket with nothing to read before it is left to the timer for a while.
IDLE_WAKEUPS = 20
RETRY_MS = 5000


class LiveLedger(QObject):
    """Watches a server ledger's notices for one window while the ledger is open."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window_ = window
        self.ledger = window.ledger
        self._busy = False
        self._idle_wakeups = 0
        self.notifier: QSocketNotifier | None = None
        self._fd: int | None = None
        self._watch()
        self.timer = QTimer(self)
        self.timer.setInterval(FALLBACK_MS)
        self.timer.timeout.connect(self._tick)
        self.timer.start()
        self._paused = False

    def _watch(self, *, anew: bool = False) -> None:
        """Watches the notice connection's socket: a new one when the connection had to be made again (`anew`:
        the new socket often has the old one's number, but the old watch went with the closed socket)."""
        try:
            fd = self.ledger.feed_socket() if self.ledger is not None else None
        except Exception:  # noqa: BLE001 - a broken connection has no socket; the timer goes on polling
            fd = None
        if fd == self._fd and self.notifier is not None and not anew:
            return
        if self.notifier is not None:
            self.notifier.setEnabled(False)
            self.notifier.deleteLater()
            self.notifier = None
        self._fd = fd
        if fd is not None:
            self.notifier = QSocketNotifier(fd, QSocketNotifier.Type.Read, self)
            self.notifier.activated.connect(self._woken)

    def _tick(self) -> None:
        if self.notifier is not None and not self._paused:
            self.notifier.setEnabled(True)
        self._auto_poll()

    def _woken(self) -> None:
        notices = self._auto_poll()
        if notices is None or notices:
            self._idle_wakeups = 0
            return
        # A socket that keeps waking the window with nothing to read (a connection gone bad) would spin:
        # the timer alone polls then, until the connection is made again.
        self._idle_wakeups += 1
        if self._idle_wakeups >= IDLE_WAKEUPS and self.notifier is not None:
            self.notifier.setEnabled(False)
            self._idle_wakeups = 0
            self._paused = True
            QTimer.singleShot(RETRY_MS, self, self._rewatch)

    def _rewatch(self) -> None:
        self._paused = False
        if self.ledger is None:
            return
        if self.notifier is not None:
            self.notifier.setEnabled(True)
        self._watch()

    def _auto_poll(self) -> list[server.Notice] | None:
        """A poll the socket or the timer asked for; None when it must wait: a dialog run from inside an edit
        (the window's connection in the middle of a transaction) must not have the views read that
        transaction's half-made state. The socket, still readable, would wake the window again and again
        meanwhile: it waits for the timer's next tick."""
        if db.in_transaction():
            if self.notifier is not None:
                self.notifier.setEnabled(False)
            return None
        return self.poll()

    def poll(self) -> list[server.Notice]:
        """Takes in what the other windows changed; returns their notices."""
        ledger = self.ledger
        if ledger is None or ledger.closed or ledger is not self.window_.ledger:
            self.stop()
            return []
        if self._busy:  # a dialog opened by a refresh runs its own event loop: no poll inside a poll
            return []
        self._busy = True
        panel = self.window_.panel
        try:
            if panel is not None:
                with panel.from_elsewhere():
                    notices = ledger.poll_remote()
            else:
                notices = ledger.poll_remote()
        except LedgerError as exc:
            # The server went away: say so once in a while rather than a box every half second.
            self.window_.statusBar().showMessage(f"无法获取他人的修改：{exc}", MESSAGE_MS)
            return []
        finally:
            self._busy = False
        self._watch(anew=any(_reconnected(n) for n in notices))
        said = describe(notices)
        if said:
            self.window_.statusBar().showMessage(said, MESSAGE_MS)
        return notices

    def stop(self) -> None:
        if self.notifier is not None:
            self.notifier.setEnabled(False)
            self.notifier = None
        self._fd = None
        self.timer.stop()
        self.ledger = None


def attach(window: MainWindow) -> LiveLedger | None:
    """Called when the window has opened a ledger: on a server ledger, follows the others' edits and resolves
    conflicts with them; a one-file ledger has nobody else."""
    detach(window)
    ledger = window.ledger
    if ledger is None or ledger.server is None:
        return None
    if window.bridge is not None:
        window.bridge.on_conflict = partial(conflict_dialog.resolve, window)
    live = LiveLedger(window)
    window.live = live
    return live


def detach(window: MainWindow) -> None:
    """Called when the window closes its ledger: no more polling of a closed connection."""
    live = getattr(window, "live", None)
    if live is not None:
        live.stop()
        live.deleteLater()
    window.live = None


# --- what the status bar says ---------------------------------------------------------------------


def _what(change: Change) -> str:
    """The changed row as the clerk knows it: 细化问题2（3）, 细化问题2（3）的整改措施, 问题4."""
    entity = change.entity
    if entity is Item:
        return _item_name(change.id)
    if entity is Measure:
        m = Measure.get_or_none(Measure.id == change.id)
        return f"{_item_name(m.item_id if m else change.parent_id)}的整改措施"
    if entity is Finding:
        f = Finding.get_or_none(Finding.id == change.id)
        return f"问题{f.number}" if f else "问题"
    return ENTITY_NAMES.get(entity, "台账")


def describe_change(who: str, change: Change) -> str:
    if change.kind == "update":
        fields = "、".join(dict.fromkeys(FIELD_NAMES.get(f, f) for f in change.fields))
        return f"{who} 刚刚修改了{_what(change)}" + (f"的{fields}" if fields else "")
    if change.kind == "insert":
        return f"{who} 刚刚新增了{_what(change)}"
    if change.kind == "remove":
        return f"{who} 刚刚删除了一项{ENTITY_NAMES.get(change.entity, '内容')}"
    if change.kind == "move":
        return f"{who} 刚刚调整了{_what(change)}的顺序"
    if change.kind == "renumber":
        return f"{who} 刚刚重新编号"
    return f"{who} 刚刚修改了台账"


def _reconnected(notice: server.Notice) -> bool:
    """The feed's own notice that it listens again after its connection broke (nobody's, no changes)."""
    return not notice.session and not notice.user and notice.changes is None


def describe(notices: list[server.Notice]) -> str:
    """One line for the status bar: the first change, and how many more came with it."""
    if notices and all(_reconnected(n) for n in notices):
        # The window's own word that it listens again after the connection broke: it read everything anew.
        return "与服务器的连接已恢复，已重新读取台账。"
    changes = [(who_of(n.user), c) for n in notices for c in (n.changes or [Change("reset", Item, 0)])]
    if not changes:
        return ""
    who, first = changes[0]
    text = describe_change(who, first)
    if len(changes) > 1:
        text += f"（另有 {len(changes) - 1} 处修改）"
    return text
