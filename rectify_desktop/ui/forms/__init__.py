"""The edit forms on the right of the main window (编辑表单): one page per kind of node in the tree.

Every edit is a command built by :mod:`rectify_desktop.core.ops` and pushed through the undo bridge; there
is no Save button. A one-line field commits when its editing finishes, a multi-line field on focus-out and
after a second without typing, combos, dates and check boxes at once. Only a real change is pushed, and
reloading the fields after a change never pushes (signals are blocked and commits ignored while loading).

Where to find what: ``widgets`` (fields, combos, tables), ``bindings`` (field ↔ column), ``base`` (the common
form), one module per form (``inspection``, ``category``, ``finding``, ``item``), the table editors
(``measures``, ``evidence``) and ``panel`` (the stack of forms the window shows).
"""

from rectify_desktop.ui.forms.panel import EditPanel
from rectify_desktop.ui.forms.widgets import EMPTY_HINT, OptionalDateEdit

__all__ = ["EMPTY_HINT", "EditPanel", "OptionalDateEdit"]
