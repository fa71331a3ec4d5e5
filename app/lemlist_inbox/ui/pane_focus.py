"""Focus changes that repaint only what shows the focus, not the whole pane.

Textual treats a focus change as a style change of the widget: ``watch_has_focus``
re-applies the stylesheet to it (and to each of its component classes: 9 for the list,
15 for the thread pane), every scrollbar colour re-set on the way repaints the
scrollbar, and ``Widget._on_focus``/``_on_blur`` repaint every line of the widget. When
Enter opens a thread, focus leaves the list and enters the thread pane: measured at
160x45, that restyling and repainting was over half of the key-to-text time (issue 5,
figure 5: restyle ~8 ms, list + both scrollbars repainted ~10 ms).

A pane built on ``QuietFocusScrollView`` keeps ``has_focus`` and the ``DescendantFocus``/
``DescendantBlur`` messages exactly as Textual does, but is not restyled and not
repainted on a focus change; it calls ``focus_changed`` instead, where the pane repaints
the few cells that show focus (the list's cursor row, the thread pane's scrollbar).

The price: a ``:focus``/``:blur`` rule in the TCSS no longer reaches such a pane. Their
focused look is a component class the pane picks itself; ``tests/ui`` checks that no
rule of the stylesheet depends on their focus.
"""

from __future__ import annotations

from textual import events
from textual.scroll_view import ScrollView


class QuietFocusScrollView(ScrollView):
    """A ``ScrollView`` whose look depends on focus only through ``focus_changed``.

    A subclass of ``ScrollView`` rather than a mixin listed first: Textual takes a
    widget's CSS type names and default CSS from the *first* widget base only, so a
    mixin there would hide ``ScrollView`` (its ``overflow: auto``) from the stylesheet.
    """

    def watch_has_focus(self, _has_focus: bool) -> None:
        """No restyle: no rule depends on this pane's focus (see the module docstring)."""

    def _on_focus(self, event: events.Focus) -> None:
        # prevent_default: Widget._on_focus (after this in the MRO) would repaint the pane.
        event.prevent_default()
        self.has_focus = True
        if self.parent is not None:
            self.parent.post_message(events.DescendantFocus(self))
        self.focus_changed(True)

    def _on_blur(self, event: events.Blur) -> None:
        event.prevent_default()
        self.has_focus = False
        if self.parent is not None:
            self.parent.post_message(events.DescendantBlur(self))
        self.focus_changed(False)

    def focus_changed(self, focused: bool) -> None:
        """Repaint what shows focus; the base class shows none."""
