"""The bridge from the window's QUndoStack to the ledger's one door.

A command is applied first and pushed after, so that a change the ledger refuses never reaches the stack.
Consecutive edits of the same text field merge into one undo step, as in any editor.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtGui import QUndoCommand, QUndoStack

from rectify_desktop.core.commands import Command, SetFields
from rectify_desktop.core.ledger import Ledger

_MERGE_ID = 1
# Typing pauses shorter than this belong to one edit; a later edit of the same field is its own undo step.
MERGE_SECONDS = 4.0


class LedgerUndoCommand(QUndoCommand):
    def __init__(self, ledger: Ledger, command: Command, merge_key: tuple | None = None) -> None:
        super().__init__(command.text)
        self.ledger = ledger
        self.commands = [command]
        self.merge_key = merge_key
        self.last_push = time.monotonic()
        self._first = True

    def redo(self) -> None:
        if self._first:  # already applied by UndoBridge.push
            self._first = False
            return
        for c in self.commands:
            self.ledger.apply(c)

    def undo(self) -> None:
        for c in reversed(self.commands):
            self.ledger.revert(c)

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

    def __init__(self, ledger: Ledger, stack: QUndoStack, on_error: Callable[[Exception], None] | None = None):
        self.ledger = ledger
        self.stack = stack
        self.on_error = on_error

    def push(self, command: Command, *, merge: bool = False) -> bool:
        """Applies `command`; returns False (and reports) when the ledger refused it.

        With merge=True, a field edit merges with the previous push of the same row and fields (typing).
        """
        try:
            changes = self.ledger.apply(command)
        except Exception as exc:
            if self.on_error is None:
                raise
            self.on_error(exc)
            return False
        if not changes or not command.log():
            return True  # nothing changed (a move past the end, a value typed back): no empty undo step
        key = None
        if merge and isinstance(command, SetFields):
            key = (command.model.__name__, command.row_id, tuple(sorted(command.values)))
        self.stack.push(LedgerUndoCommand(self.ledger, command, key))
        return True
