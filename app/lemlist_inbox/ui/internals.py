"""Every place lemlist-inbox leans on Textual or Rich beyond their public API, fenced in one module.

Each lean here buys a measured figure (the benchmark rows named below, in
``benchmarks/README.md``) and rests on how Textual or Rich behave *today*, not on a
documented promise. So the rest of the app never touches a private name of either
library: it calls the wrappers below. ``tests/ui/test_internals.py`` asserts every
assumption written in these docstrings (the private name exists, has the signature we
call or override, and does what we rely on), so a Textual or Rich upgrade fails a test
instead of the screen; ``pyproject.toml`` pins both to the minor version those tests
last passed with.

The leans:

* ``QuietFocusScrollView``: overrides ``Widget._on_focus``/``_on_blur`` and
  ``watch_has_focus`` so a focus change neither restyles nor repaints a pane.
* ``set_virtual_size``: calls ``Widget._scroll_update`` to resize a widget's
  scrollable area without a whole-screen relayout.
* ``QuietInput``: overrides ``Input._watch_value`` so each character typed in the
  filter box does not relayout the screen.
* ``focused_without_repaint``: redeclares the ``Screen.focused`` reactive without its
  whole-screen repaint.
* ``divide_line``: Rich's word-wrap break finder, from its private ``rich._wrap``.
* ``CrashKeepingApp``: overrides ``App._handle_exception`` so a crash is kept for the
  CLI (one line, a log path, exit 1) and Textual's traceback never reaches the screen.
* ``hyperlink_style`` / ``stable_link_ids``: rely on how Textual writes a Rich ``link``
  style to the terminal (an OSC 8 sequence holding the URL as given), and replace the
  id it writes with one per URL (``Strip.render_style``).
"""

from __future__ import annotations

from typing import Generic, TypeVar

from rich._wrap import divide_line as _rich_divide_line
from rich.color import ColorSystem
from rich.style import Style
from textual import events
from textual.app import App
from textual.geometry import Size
from textual.reactive import Reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Input
from textual.worker import WorkerFailed

from lemlist_inbox.render.hyperlinks import link_id_for, safe_link_url

__all__ = [
    "QuietFocusScrollView",
    "QuietInput",
    "divide_line",
    "focused_without_repaint",
    "hyperlink_style",
    "set_virtual_size",
    "stable_link_ids",
]


# ---------------------------------------------------------------------- Rich


def divide_line(text: str, width: int, *, fold: bool = True) -> list[int]:
    """Where Rich would break ``text`` (one line) to fit ``width`` cells: string offsets.

    Assumes ``rich._wrap.divide_line(text, width, fold)`` returns the offsets (not
    cells) at which each new line starts, breaking after the spaces that follow a word
    and, with ``fold``, cutting a word wider than ``width`` at exactly ``width`` cells.
    Why: it is the core of Rich's own ``Text.wrap``, without building ``Text`` objects,
    which lets ``ui.thread.wrap`` lay out a non-ASCII single-style line several times
    faster (benchmark row "5 thread open: 10-message thread, cached: key -> text").
    """
    return _rich_divide_line(text, width, fold=fold)


# ------------------------------------------------------------------- Textual


def set_virtual_size(widget: Widget, size: Size) -> None:
    """Set ``widget.virtual_size``, repainting only the widget and its scrollbars.

    ``Widget.virtual_size`` is a *layout* reactive: assigning it re-arranges and
    repaints every widget of the screen. The conversation list's size changes with
    every batch of pages and every filter keystroke, the filter box's with every
    character, the thread pane's with every thread shown; only that widget (and its
    scrollbar) needs a new frame, unless a scrollbar appears or disappears, which the
    scrollbar's own layout reactive then handles (benchmark rows "3 responsiveness:
    filter keystroke" and "5 thread open: cached").

    Assumes ``Widget._scroll_update(virtual_size)`` is what Textual itself calls after
    a resize: it sets the scrollbars' sizes and visibility and clamps the scroll
    offset, and asks for a layout only when a scrollbar's visibility changes.
    """
    if size == widget.virtual_size:
        return
    if not widget.is_mounted:
        widget.virtual_size = size
        return
    widget.set_reactive(Widget.virtual_size, size)
    widget._scroll_update(size)
    widget.refresh()


class QuietFocusScrollView(ScrollView):
    """A ``ScrollView`` whose look depends on focus only through ``focus_changed``.

    Textual treats a focus change as a style change of the widget: ``watch_has_focus``
    re-applies the stylesheet to it (and to each of its component classes: 9 for the
    list, 15 for the thread pane), every scrollbar colour re-set on the way repaints the
    scrollbar, and ``Widget._on_focus``/``_on_blur`` repaint every line of the widget.
    When Enter opens a thread focus leaves the list for the thread pane, and that
    restyling and repainting was over half of the key-to-text time at 160x45 (benchmark
    row "5 thread open: 10-message thread, cached: key -> text").

    This pane keeps ``has_focus`` and the ``DescendantFocus``/``DescendantBlur``
    messages exactly as Textual does, but is neither restyled nor repainted on a focus
    change; it calls ``focus_changed`` instead, where the pane repaints the few cells
    that show focus (the list's cursor row, the thread pane's scrollbar). The price: a
    ``:focus``/``:blur`` rule in the TCSS no longer reaches such a pane; its focused
    look is a component class the pane picks itself (``tests/ui/test_pane_focus.py``
    checks that no rule of the stylesheet depends on their focus).

    Assumes ``Widget._on_focus``/``_on_blur(event)`` are the handlers Textual
    dispatches ``Focus``/``Blur`` to, subclass first, and that ``prevent_default()``
    stops the dispatch before ``Widget``'s own (which would repaint the pane); that
    they do no more than set ``has_focus``, refresh and post the descendant message;
    and that ``watch_has_focus`` is the watcher that restyles.

    A subclass of ``ScrollView`` rather than a mixin listed first: Textual takes a
    widget's CSS type names and default CSS from the *first* widget base only, so a
    mixin there would hide ``ScrollView`` (its ``overflow: auto``) from the stylesheet.
    """

    def watch_has_focus(self, _has_focus: bool) -> None:
        """No restyle: no rule depends on this pane's focus."""

    def _on_focus(self, event: events.Focus) -> None:
        event.prevent_default()  # Widget._on_focus (after this in the MRO) would repaint the pane
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


class QuietInput(Input):
    """An ``Input`` of fixed width whose value changes repaint the box, not the screen.

    Textual's ``Input._watch_value`` assigns ``virtual_size`` (``Input.content_width``
    is the value's width plus the cursor, so it changes with every character), and
    ``virtual_size`` is a layout reactive: each character typed re-arranged and
    repainted the whole screen (benchmark row "3 responsiveness: filter keystroke"). A
    box of fixed width only needs a new frame of its own.

    Assumes ``Input._watch_value(value)`` is the watcher of ``Input.value`` (Textual
    calls ``_watch_<name>`` before ``watch_<name>``), that it sets ``virtual_size`` to
    ``Size(content_width, 1)`` (an assignment of the value it already has does
    nothing), and that the rest (the ``Changed`` message, cursor, selection) follows.
    With ``width: auto`` the box would still relayout: ours has a fixed width.
    """

    def _watch_value(self, value: str) -> None:
        # Set the new size first, without a relayout; Textual's own assignment then finds
        # it unchanged and does only the rest (Changed message, cursor, selection).
        set_virtual_size(self, Size(self.content_width, 1))
        super()._watch_value(value)


def focused_without_repaint() -> Reactive[Widget | None]:
    """A ``Screen.focused`` for a screen that draws nothing itself that depends on focus.

    Declare it on the screen class (``focused = focused_without_repaint()``). Textual's
    ``Screen.focused`` is a reactive with ``repaint=True``: every focus move repainted
    the whole screen, so every thread open was a full 160x45 frame (benchmark row "5
    thread open: 10-message thread, cached: key -> text"). The panes show focus
    themselves (``QuietFocusScrollView``), and the key bar follows the bindings.

    Assumes ``Screen.focused`` is a plain ``Reactive(None)`` (no layout, no
    ``always_update``) that Textual reads and writes by name, and that its watcher
    ``Screen._watch_focused`` (the bindings refresh) still runs for the redeclared one.
    """
    return Reactive(None, repaint=False)


ReturnType = TypeVar("ReturnType")


class CrashKeepingApp(App[ReturnType], Generic[ReturnType]):
    """An app that keeps its first unhandled exception in ``crash`` and prints nothing.

    A crash must end the app non-zero with one line and the log path, the traceback in
    the log, not on the screen (its locals could hold the key). Textual offers no public
    hook: every unhandled exception (handler, worker, compose) reaches
    ``App._handle_exception(error)``, which sets the return code to 1, keeps the error,
    closes the app and appends a rich traceback to ``App._exit_renderables`` (printed on
    stderr once the terminal is restored). We let it do all that, then drop what it
    queued for printing. A worker's error arrives wrapped in ``WorkerFailed``.
    """

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        #: The first unhandled exception, for the CLI to log and name in one line.
        self.crash: BaseException | None = None

    def _handle_exception(self, error: Exception) -> None:
        if self.crash is None:
            self.crash = error.error if isinstance(error, WorkerFailed) else error
        queued = len(self._exit_renderables)
        super()._handle_exception(error)
        del self._exit_renderables[queued:]


# ------------------------------------------------------- Textual: terminal hyperlinks


def hyperlink_style(url: str) -> Style:
    """A style that makes its text a terminal hyperlink to ``url`` (null for an unsafe URL).

    Textual paints a segment whose style has a ``link`` as
    ``ESC]8;id=<id>;<style.link>ESC\\<text>ESC]8;;ESC\\`` (``Strip.render_style``):
    the URL goes into the escape sequence exactly as given, so it is cleaned here first
    (``render.hyperlinks.safe_link_url``: nothing in it can end the sequence and start
    another). Every piece of a URL folded over several lines carries the whole URL, so a
    click on any line opens all of it; ``stable_link_ids`` makes them one link.
    """
    checked = safe_link_url(url)
    if checked is None:
        return Style.null()
    return Style(link=checked)


_original_render_style = Strip.render_style.__func__  # type: ignore[attr-defined]


def _render_style_stable(cls: type[Strip], style: Style, text: str, color_system: ColorSystem) -> str:
    if not style.link:
        return str(_original_render_style(cls, style, text, color_system))
    inner = str(_original_render_style(cls, style.clear_meta_and_links(), text, color_system))
    link = safe_link_url(style.link)  # whoever made the style: nothing raw into the sequence
    if link is None:
        return inner
    return f"\x1b]8;id={link_id_for(link)};{link}\x1b\\{inner}\x1b]8;;\x1b\\"


def stable_link_ids() -> None:
    """Make Textual write one OSC 8 id per URL, so a folded link is one link for the terminal.

    Rich gives a style with a link a *new* id on every ``Style + Style`` (``__add__``
    copies it), and Textual adds styles to each segment after ``render_line`` (the
    widget's base style, the selection offsets), so each line of a folded URL, and each
    frame, went out with an id of its own: the terminal saw one link per line (hover
    underlined one line only). Idempotent; called once by the app.

    Assumes ``Strip.render_style(style, text, color_system)`` is the classmethod
    ``Strip.render`` calls for every segment with a style, that it writes the OSC 8
    wrapper itself when ``style.link`` is set, and that with the link cleared it writes
    the same colours and attributes (``tests/ui/test_internals.py``). A link that is
    not fit for OSC 8 (``safe_link_url``), whoever made its style, is written as plain text.
    """
    if Strip.__dict__["render_style"].__func__ is not _render_style_stable:
        Strip.render_style = classmethod(_render_style_stable)  # type: ignore[method-assign,assignment]
