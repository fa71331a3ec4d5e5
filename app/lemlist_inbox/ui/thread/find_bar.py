"""The find box of the thread pane: ``/`` in the pane, search as you type.

A one-line ``Input`` under the panes, tied to one ``ThreadView``: every change searches
the thread (``ThreadView.find``, from where the reading was when the box opened), Enter
keeps the search and hands focus back to the pane (``n`` / ``N`` go on from there), Esc
clears it and goes back too. The box only talks to the pane, so the screen just composes
it and opens it on ``ThreadView.FindRequested``. Typing repaints the box only
(``ui.internals.QuietInput``).
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.binding import Binding, BindingType
from textual.widgets import Input

from lemlist_inbox.ui.internals import QuietInput
from lemlist_inbox.ui.thread.view import ThreadView


class FindBar(QuietInput):
    """Search-in-thread box; hidden until ``start``."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Clear find", key_display="esc"),
    ]

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(placeholder="find in thread (Enter keeps, Esc clears)", id=id, classes=classes)
        self._pane: ThreadView | None = None

    def start(self, pane: ThreadView) -> None:
        """Open the box for ``pane``, holding the words searched there now (if any)."""
        self._pane = pane
        with self.prevent(Input.Changed):
            self.value = pane.find_text
        self.display = True
        self.focus()

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        if self._pane is not None:
            self._pane.find(event.value)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._close()

    def on_blur(self) -> None:
        """Focus went elsewhere (a click, Tab): the box goes, the search stays."""
        self.display = False
        self._pane = None

    def action_cancel(self) -> None:
        if self._pane is not None:
            self._pane.clear_find()
        self._close()

    def _close(self) -> None:
        self.display = False
        pane, self._pane = self._pane, None
        if pane is not None and pane.display:
            pane.focus()
