"""How the thread pane looks: its marks (Unicode, or ASCII where the terminal can't show it) and styles.

Kept apart from the widget because the layout builder runs in a thread worker and
must not touch the DOM: it gets a resolved ``ThreadStyles`` and a ``ThreadGlyphs``
instead, both frozen and hashable so they can be part of the layout cache key.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich.style import Style

from lemlist_inbox.render.marks import ASCII_MARKS, UNICODE_MARKS, TextMarks
from lemlist_inbox.ui.charset import ascii_only

__all__ = [
    "ASCII_GLYPHS",
    "STYLE_CLASSES",
    "UNICODE_GLYPHS",
    "ThreadGlyphs",
    "ThreadStyles",
    "choose_glyphs",
    "resolve_styles",
]

# --------------------------------------------------------------------------- glyphs


#: The pane's marks are the ones ``show`` prints: one table, kept in ``render`` (the
#: lower layer) so the CLI and the pane cannot drift apart.
ThreadGlyphs = TextMarks
UNICODE_GLYPHS = UNICODE_MARKS
ASCII_GLYPHS = ASCII_MARKS


def choose_glyphs(env: dict[str, str] | None = None, encoding: str | None = None) -> ThreadGlyphs:
    """The pane's glyphs (and the CLI ``show``'s): ASCII on an ASCII screen, by the list's
    rule (``ui.charset``)."""
    return ASCII_GLYPHS if ascii_only(env, encoding) else UNICODE_GLYPHS


# --------------------------------------------------------------------------- styles


_NO_STYLE = Style.null()


@dataclass(frozen=True)
class ThreadStyles:
    """Rich styles for each part of the pane, resolved from ``thread.tcss`` on the UI thread.

    Resolved once and handed to the (thread) layout builder, which must not touch the
    DOM. Frozen and hashable, so it is part of the layout cache key: a theme change
    gives new styles and so new layouts.
    """

    title: Style = _NO_STYLE
    sent: Style = _NO_STYLE
    received: Style = _NO_STYLE
    other: Style = _NO_STYLE
    label: Style = _NO_STYLE
    meta: Style = _NO_STYLE
    subject: Style = _NO_STYLE
    body: Style = _NO_STYLE
    quote_fold: Style = _NO_STYLE
    quote: Style = _NO_STYLE
    link_number: Style = _NO_STYLE
    link: Style = _NO_STYLE
    warning: Style = _NO_STYLE
    attachment: Style = _NO_STYLE
    separator: Style = _NO_STYLE
    notice: Style = _NO_STYLE
    error: Style = _NO_STYLE
    #: The words searched in the thread (``/``), and the match ``n``/``N`` is on.
    match: Style = _NO_STYLE
    match_current: Style = _NO_STYLE


#: Component class of each ``ThreadStyles`` field, e.g. ``thread--quote-fold``.
STYLE_CLASSES: dict[str, str] = {
    name: "thread--" + name.replace("_", "-") for name in ThreadStyles.__dataclass_fields__
}


def foreground_only(style: Style) -> Style:
    """A component's full style minus its background.

    The full (not partial) style is needed because theme colours such as ``$text-muted``
    are "auto" colours computed against the background; a partial style leaves them
    unresolved (white on a light theme). The background itself is dropped: each line
    is painted over the widget's own background, so hover or focus tints still show.
    """
    return Style.from_color(style.color) + style.without_color


def resolve_styles(component_style: Callable[[str], Style]) -> ThreadStyles:
    """Every ``ThreadStyles`` field from its component class, foreground only.

    ``component_style`` is the widget's lookup (run on the UI thread); the result is
    plain data the layout builder can take into a thread worker.
    """
    values = {name: foreground_only(component_style(component)) for name, component in STYLE_CLASSES.items()}
    return ThreadStyles(**values)
