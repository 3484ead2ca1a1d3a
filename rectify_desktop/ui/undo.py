"""The bridge from the window's QUndoStack to the ledger's one door.

A command is applied first and pushed after, so that a change the ledger refuses never reaches the stack.
Consecutive edits of the same text field merge into one undo step, as in any editor.

On a server ledger an edit may meet someone else's (conflicts.ConflictError): the bridge hands it to
`on_conflict` (the conflict dialog), which returns the edit to make instead, checked again against the row
as it is now, or None. An undo or redo that would take back someone else's change since is refused by the
ledger (UndoConflictError): that step leaves the stack (it can never be made), the rest stays usable, and
the clerk is told why.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QTimer
from PySide6.QtGui import QUndoCommand, QUndoStack

from rectify_desktop.core.commands import Command, SetFields
from rectify_desktop.core.conflicts import ConflictError
from rectify_desktop.core.ledger import Ledger

_MERGE_ID = 1
# Typing pauses shorter than this belong to one edit; a later edit of the same field is its own undo step.
MERGE_SECONDS = 4.0
# A conflict resolved and met again by yet another edit is asked again, but not forever.
MAX_ROUNDS = 5


class LedgerUndoCommand(QUndoCommand):
    def __init__(
        self,
        ledger: Ledger,
        command: Command,
        merge_key: tuple | None = None,
        report: Callable[[Exception], None] | None = None,
    ) -> None:
        super().__init__(command.text)
        self.ledger = ledger
        self.commands = [command]
        self.merge_key = merge_key
        self.report = report
        self.last_push = time.monotonic()
        self._first = True

    def redo(self) -> None:
        if self._first:  # already applied by UndoBridge.push
            self._first = False
            return
        self._run(list(self.commands), self.ledger.apply, self.ledger.revert)

    def undo(self) -> None:
        self._run(list(reversed(self.commands)), self.ledger.revert, self.ledger.apply)

    def _run(self, commands: list[Command], step: Callable, back: Callable) -> None:
        done: list[Command] = []
        try:
            for c in commands:
                step(c)
                done.append(c)
        except ConflictError as exc:
            # Someone else changed what this step would put back: it can never be made again. The part
            # already made is taken back so that the ledger is as before the attempt, and the step leaves
            # the stack (Qt deletes an obsolete command after undo/redo) instead of standing there refused.
            for c in reversed(done):
                try:
                    back(c)
                except Exception:  # noqa: BLE001 - the first refusal is the one to tell
                    break
            self.setObsolete(True)
            report = self.report
            if report is not None:
                # After the stack has finished (and deleted this command): a message box inside
                # QUndoStack.undo would run an event loop while the stack is half-way.
                QTimer.singleShot(0, lambda e=exc: report(e))

    def id(self) -> int:
        return _MERGE_ID if self.merge_key is not None else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, LedgerUndoCommand) or other.merge_key != self.merge_key:
            return False
        if other.last_push - self.last_push > MERGE_SECONDS:
            return False
        self.commands += other.commands
        self.last_push = other.last_push
        return True


class UndoBridge:
    """Applies commands through the ledger and keeps them on a QUndoStack."""

    def __init__(
        self,
        ledger: Ledger,
        stack: QUndoStack,
        on_error: Callable[[Exception], None] | None = None,
        on_conflict: Callable[[ConflictError], Command | None] | None = None,
    ):
        self.ledger = ledger
        self.stack = stack
        self.on_error = on_error
        self.on_conflict = on_conflict
        self.busy = False  # while pushing (and asking about a conflict): the forms make no other edit

    def push(self, command: Command, *, merge: bool = False) -> bool:
        """Applies `command`; returns False (and reports) when the ledger refused it, or when a conflict
        was resolved by keeping the other's values (nothing of this edit written).

        With merge=True, a field edit merges with the previous push of the same row and fields (typing).
        """
        self.busy = True
        try:
            changes = None
            for _round in range(MAX_ROUNDS):
                try:
                    changes = self.ledger.apply(command)
                    break
                except ConflictError as exc:
                    if self.on_conflict is None:
                        return self._failed(exc)
                    replacement = self.on_conflict(exc)
                    if replacement is None:
                        return False
                    command, merge = replacement, False  # a resolved edit is its own undo step
                except Exception as exc:
                    return self._failed(exc)
            if changes is None:
                return False
        finally:
            self.busy = False
        if not changes or not command.log():
            return True  # nothing changed (a move past the end, a value typed back): no empty undo step
        key = None
        if merge and isinstance(command, SetFields):
            key = (command.model.__name__, command.row_id, tuple(sorted(command.values)))
        self.stack.push(LedgerUndoCommand(self.ledger, command, key, self.on_error))
        return True

    def _failed(self, exc: Exception) -> bool:
        if self.on_error is None:
            raise exc
        self.on_error(exc)
        return False
