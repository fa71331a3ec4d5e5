"""Each assumption ``ui.internals`` makes about Textual and Rich, asserted one by one.

``ui/internals.py`` is the only module of the app that touches a private name of
Textual or Rich (the grep test at the end keeps it so). Every lean there rests on how
the library behaves today; each test below checks one: the private name exists, has the
signature we call or override, and does what we rely on, and (where it explains why we
lean at all) that the public path still costs what we avoid. When a Textual or Rich
upgrade breaks one of these, read the docstring of the wrapper named in the test before
lifting the version pin in ``pyproject.toml``.

The last tests cover the private names the tests and benchmarks themselves read
(``Screen._compositor``, ``App._notifications``, ``DOMNode._bindings``, ``App._display``),
so an upgrade names them here rather than failing somewhere in a Pilot test.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import inspect
import itertools
import pkgutil
import re
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import rich._wrap
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual._compositor import Compositor
from textual.app import App, ComposeResult
from textual.binding import BindingsMap
from textual.geometry import Region, Size
from textual.reactive import Reactive
from textual.screen import Screen
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Input, Static

from lemlist_inbox.render.hyperlinks import link_id_for
from lemlist_inbox.ui import internals
from lemlist_inbox.ui.internals import (
    CrashKeepingApp,
    QuietFocusScrollView,
    QuietInput,
    divide_line,
    focused_without_repaint,
    set_virtual_size,
)

UI = Path(internals.__file__).parent


def params(function: Callable[..., Any]) -> list[tuple[str, object]]:
    """A function's parameters as (name, default), ``self`` included, for exact comparison."""
    return [(p.name, p.default) for p in inspect.signature(function).parameters.values()]


EMPTY = inspect.Parameter.empty


class Recorder:
    """Wraps a bound method on one instance and records the keyword arguments of each call."""

    def __init__(self, obj: object, name: str) -> None:
        self.calls: list[dict[str, Any]] = []
        real = getattr(obj, name)

        def record(*args: Any, **kwargs: Any) -> Any:
            self.calls.append(kwargs)
            return real(*args, **kwargs)

        setattr(obj, name, record)

    def __len__(self) -> int:
        return len(self.calls)

    @property
    def layouts(self) -> list[dict[str, Any]]:
        return [call for call in self.calls if call.get("layout")]


# ---------------------------------------------------------------------- Rich: divide_line


def test_rich_divide_line_signature() -> None:
    assert params(rich._wrap.divide_line) == [("text", EMPTY), ("width", EMPTY), ("fold", True)]


@pytest.mark.parametrize(
    ("text", "width", "offsets"),
    [
        ("hello world foo", 7, [6, 12]),  # string offsets where each new line starts, after the space
        ("abcdefghij", 4, [4, 8]),  # fold: a word wider than the line is cut at the width
        ("日本語テキスト", 4, [2, 4, 6]),  # offsets are characters, the width is cells (2 each here)
        ("short", 10, []),
    ],
)
def test_divide_line_gives_string_offsets_of_each_new_line(text: str, width: int, offsets: list[int]) -> None:
    assert divide_line(text, width) == offsets


@pytest.mark.parametrize(
    "text",
    ["Grüße aus Köln, wie geht es dir heute morgen?", "日本語のテキストと English words mixed", "a " * 40],
)
def test_divide_line_breaks_where_rich_text_wrap_does(text: str) -> None:
    """The fast path of ``ui.thread.wrap`` must wrap exactly as rich's general ``Text.wrap``."""
    width = 11
    bounds = [0, *divide_line(text, width), len(text)]
    ours = [text[start:end].rstrip(" ") for start, end in itertools.pairwise(bounds)]
    console = Console(width=width, file=None, legacy_windows=False)
    theirs = [line.plain.rstrip(" ") for line in Text(text).wrap(console, width, overflow="fold")]
    assert ours == theirs


# ------------------------------------------------------------- Textual: a small app to poke


class Pane(QuietFocusScrollView, can_focus=True):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.focus_calls: list[bool] = []

    def focus_changed(self, focused: bool) -> None:
        self.focus_calls.append(focused)


class PlainPane(ScrollView, can_focus=True):
    pass


class Holder(Widget):
    """The panes' parent: records the descendant messages Textual relies on for ``:focus-within``."""

    DEFAULT_CSS = "Holder { height: 1fr; layout: horizontal; }"

    def __init__(self, *children: Widget) -> None:
        super().__init__(*children)
        self.seen: list[type[events.Event]] = []

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        self.seen.append(type(event))

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        self.seen.append(type(event))


class QuietScreen(Screen[None]):
    AUTO_FOCUS = ""  # nothing focused at first: each test moves focus itself
    focused: Reactive[Widget | None] = focused_without_repaint()

    def compose(self) -> ComposeResult:
        yield Holder(Pane(id="pane"), PlainPane(id="plain"))
        yield QuietInput(id="quiet")
        yield Input(id="input")


class LoudScreen(Screen[None]):
    AUTO_FOCUS = ""

    def compose(self) -> ComposeResult:
        yield Holder(Pane(id="pane"), PlainPane(id="plain"))
        yield Static("text")


class Poke(App[None]):
    CSS = """
    Pane, PlainPane { width: 1fr; height: 1fr; }
    #quiet, #input { width: 30; }
    """

    def __init__(self, screen: type[Screen[None]] = QuietScreen) -> None:
        super().__init__()
        self.first = screen

    def on_mount(self) -> None:
        self.push_screen(self.first())


@pytest.fixture
async def poke() -> AsyncIterator[Any]:
    """The running small app, its pilot and its screen."""
    app = Poke()
    async with app.run_test(size=(80, 20)) as pilot:
        await pilot.pause()
        yield app, pilot, app.screen


# ---------------------------------------------------------- Textual: QuietFocusScrollView


def test_widget_focus_handlers_signatures() -> None:
    assert params(Widget._on_focus) == [("self", EMPTY), ("event", EMPTY)]
    assert params(Widget._on_blur) == [("self", EMPTY), ("event", EMPTY)]
    assert params(Widget.watch_has_focus) == [("self", EMPTY), ("_has_focus", EMPTY)]
    # Our overrides take over the very names Textual dispatches to and watches with.
    for name in ("_on_focus", "_on_blur", "watch_has_focus"):
        assert name in vars(QuietFocusScrollView)
        assert params(getattr(QuietFocusScrollView, name)) == params(getattr(Widget, name))
    assert isinstance(vars(Widget)["has_focus"], Reactive)


async def test_textual_restyles_and_repaints_a_plain_pane_on_focus(poke: Any) -> None:
    """Why the fence exists: the public path restyles and repaints the whole widget."""
    _app, pilot, screen = poke
    plain = screen.query_one(PlainPane)
    plain.focus()
    refresh, restyle = Recorder(plain, "refresh"), Recorder(plain, "update_node_styles")
    await pilot.pause()
    assert plain.has_focus
    assert len(restyle) >= 1, "watch_has_focus no longer restyles: QuietFocusScrollView may be needless"
    assert len(refresh) >= 1


async def test_quiet_pane_focus_keeps_textuals_semantics_without_restyle_or_repaint(
    poke: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _app, pilot, screen = poke
    pane, holder = screen.query_one(Pane), screen.query_one(Holder)
    widget_handlers: list[str] = []
    real_focus, real_blur = Widget._on_focus, Widget._on_blur

    def on_focus(self: Widget, event: events.Focus) -> None:
        widget_handlers.append("focus")
        real_focus(self, event)

    def on_blur(self: Widget, event: events.Blur) -> None:
        widget_handlers.append("blur")
        real_blur(self, event)

    # Textual looks handlers up in each class's __dict__ along the MRO: patched here, seen there.
    monkeypatch.setattr(Widget, "_on_focus", on_focus)
    monkeypatch.setattr(Widget, "_on_blur", on_blur)
    pane.focus()  # Widget.focus() refreshes the widget itself: the caller's cost, not measured here
    refresh, restyle = Recorder(pane, "refresh"), Recorder(pane, "update_node_styles")
    await pilot.pause()
    assert pane.has_focus and screen.focused is pane
    assert pane.focus_calls == [True]
    assert events.DescendantFocus in holder.seen
    assert holder.has_focus_within  # Textual's :focus-within still follows the descendant message

    screen.query_one(PlainPane).focus()
    await pilot.pause()
    assert not pane.has_focus
    assert pane.focus_calls == [True, False]
    assert events.DescendantBlur in holder.seen

    # prevent_default() stopped the dispatch before Widget's own handlers (for the pane only:
    # the plain pane's focus above still went through them), and nothing restyled or repainted it.
    assert widget_handlers == ["focus"]
    assert len(restyle) == 0
    assert len(refresh) == 0


# --------------------------------------------------------------- Textual: set_virtual_size


def test_scroll_update_signature_and_virtual_size_is_a_layout_reactive() -> None:
    assert params(Widget._scroll_update) == [("self", EMPTY), ("virtual_size", EMPTY)]
    assert isinstance(vars(Widget)["virtual_size"], Reactive)
    assert params(Widget.set_reactive) == [("self", EMPTY), ("reactive", EMPTY), ("value", EMPTY)]


async def test_assigning_virtual_size_relayouts(poke: Any) -> None:
    """Why ``set_virtual_size`` exists: the plain assignment asks for a layout."""
    _app, pilot, screen = poke
    plain = screen.query_one(PlainPane)
    refresh = Recorder(plain, "refresh")
    plain.virtual_size = Size(40, 500)
    assert refresh.layouts, "virtual_size is no longer a layout reactive: set_virtual_size may be needless"
    await pilot.pause()


async def test_set_virtual_size_updates_scrollbars_without_a_layout(poke: Any) -> None:
    _app, pilot, screen = poke
    pane = screen.query_one(Pane)
    set_virtual_size(pane, Size(pane.size.width, 500))
    await pilot.pause()
    assert pane.show_vertical_scrollbar
    pane.scroll_to(0, 400, animate=False, force=True)
    await pilot.pause()
    assert pane.scroll_y == 400

    refresh = Recorder(pane, "refresh")
    set_virtual_size(pane, Size(pane.size.width, 100))  # the scrollbar stays: no layout at all
    assert pane.virtual_size == Size(pane.size.width, 100)
    assert refresh.layouts == []
    assert len(refresh) >= 1  # the pane itself is repainted
    scrollbar = pane.vertical_scrollbar
    assert scrollbar.window_virtual_size == 100
    assert scrollbar.window_size == pane.container_size.height - pane.scrollbar_size_horizontal
    assert pane.scroll_y == pane.max_scroll_y < 400  # the offset is clamped to the new size
    await pilot.pause()

    set_virtual_size(pane, Size(pane.size.width, 1))  # the scrollbar goes: then a layout, by the bar
    await pilot.pause()
    assert not pane.show_vertical_scrollbar


def test_set_virtual_size_before_mount_is_a_plain_assignment() -> None:
    pane = Pane()
    set_virtual_size(pane, Size(10, 20))
    assert pane.virtual_size == Size(10, 20)


# -------------------------------------------------------------------- Textual: QuietInput


def test_input_watch_value_signature() -> None:
    assert "_watch_value" in vars(Input)
    assert params(Input._watch_value) == [("self", EMPTY), ("value", EMPTY)]
    assert params(QuietInput._watch_value) == params(Input._watch_value)
    assert isinstance(vars(Input)["value"], Reactive)
    # content_width follows the value: why each character would change virtual_size.
    assert isinstance(inspect.getattr_static(Input, "content_width"), property)


async def type_into(pilot: Any, box: Input, text: str) -> tuple[Recorder, list[str]]:
    changed: list[str] = []
    box.focus()
    await pilot.pause()
    refresh = Recorder(box, "refresh")
    real = box.post_message

    def post(message: Any) -> bool:
        if isinstance(message, Input.Changed):
            changed.append(message.value)
        return real(message)

    box.post_message = post  # type: ignore[method-assign]
    await pilot.press(*text)
    await pilot.pause()
    return refresh, changed


async def test_input_relayouts_on_every_character(poke: Any) -> None:
    """Why ``QuietInput`` exists: Textual's box asks for a layout per character typed."""
    _app, pilot, screen = poke
    refresh, changed = await type_into(pilot, screen.query_one("#input", Input), "abc")
    assert changed == ["a", "ab", "abc"]
    assert len(refresh.layouts) >= 3, "Input no longer relayouts per keystroke: QuietInput may be needless"


async def test_quiet_input_types_like_input_without_a_layout(poke: Any) -> None:
    _app, pilot, screen = poke
    box = screen.query_one("#quiet", QuietInput)
    refresh, changed = await type_into(pilot, box, "abc")
    assert changed == ["a", "ab", "abc"]  # the rest of Textual's watcher still runs
    assert box.value == "abc" and box.cursor_position == 3
    assert box.virtual_size == Size(box.content_width, 1) == Size(4, 1)
    assert refresh.layouts == []
    assert len(refresh) >= 3  # the box repaints itself
    await pilot.press("backspace")
    await pilot.pause()
    assert changed[-1] == "ab" and box.virtual_size == Size(3, 1)
    assert refresh.layouts == []


# --------------------------------------------------------- Textual: focused_without_repaint


def test_screen_focused_is_a_plain_reactive_watched_by_name() -> None:
    focused = vars(Screen)["focused"]
    assert isinstance(focused, Reactive)
    assert dict(_flags(focused)) == {}  # every flag at its default: repaint, no layout, no always_update
    assert params(Screen._watch_focused) == [("self", EMPTY)]
    ours = vars(QuietScreen)["focused"]
    assert dict(_flags(ours)) == {"repaint": False}
    assert vars(QuietScreen)["focused"] is not focused_without_repaint()  # a new one per screen


def _flags(reactive: Reactive[Any]) -> Iterator[tuple[str, object]]:
    """The reactive's flags that differ from their defaults, from its public rich repr."""
    for item in reactive.__rich_repr__():
        if isinstance(item, tuple) and len(item) == 3 and item[0] != "name" and item[1] != item[2]:
            yield item[0], item[1]


async def test_plain_screen_repaints_on_focus_move() -> None:
    """Why ``focused_without_repaint`` exists: Textual repaints the screen on every focus move."""
    app = Poke(LoudScreen)
    async with app.run_test(size=(80, 20)) as pilot:
        await pilot.pause()
        screen = app.screen
        refresh = Recorder(screen, "refresh")
        screen.query_one(Pane).focus()
        await pilot.pause()
        assert screen.focused is screen.query_one(Pane)
        assert len(refresh) >= 1


async def test_focused_without_repaint_moves_focus_and_refreshes_bindings_only(poke: Any) -> None:
    _app, pilot, screen = poke
    published: list[Screen[Any]] = []
    screen.bindings_updated_signal.subscribe(screen, published.append)
    refresh = Recorder(screen, "refresh")
    for pane in (screen.query_one(Pane), screen.query_one(PlainPane)):
        before = len(published)
        pane.focus()
        await pilot.pause()
        assert screen.focused is pane
        assert len(published) > before  # Screen._watch_focused ran: the key bar follows
    assert len(refresh) == 0


# ---------------------------------------------------------------- render_lines -> render_line


async def test_render_lines_calls_render_line_within_the_call(poke: Any) -> None:
    """``ConversationList.render_lines`` sets a per-frame context its ``render_line`` reads."""
    _app, _pilot, screen = poke
    pane = screen.query_one(Pane)
    inside: list[bool] = []
    state = {"in": False}

    def render_line(y: int) -> Strip:
        inside.append(state["in"])
        return Strip.blank(pane.size.width)

    pane.render_line = render_line  # type: ignore[method-assign]
    state["in"] = True
    try:
        pane.refresh()  # nothing cached: every line of the crop is rendered again
        pane.render_lines(Region(0, 0, pane.size.width, 3))
    finally:
        state["in"] = False
    assert inside and all(inside)
    assert params(Widget.render_lines) == [("self", EMPTY), ("crop", EMPTY)]


# ------------------------------------------------------------------ the fence holds


#: Names Textual's metaclasses and ``Reactive`` write on every subclass: not an override of ours.
GENERATED = re.compile(
    r"_(decorated_handlers|reactives|computes|merged_bindings|css_type_names?|abc_impl"
    r"|inherit_(css|bindings|component_classes)|default_\w+)$"
)
PRIVATE_IMPORT = re.compile(
    r"^\s*(from|import)\s+(textual|rich)\S*\._"  # a private module
    r"|^\s*from\s+(textual|rich)\S*\s+import\s+.*\b_\w"  # a private name
)


def library_bases(cls: type) -> list[type]:
    return [base for base in cls.__mro__[1:] if base.__module__.split(".")[0] in ("textual", "rich")]


@functools.cache
def instance_privates(base: type) -> frozenset[str]:
    """The private attributes a library class sets on its instances (``self._x = ...``)."""
    try:
        source = inspect.getsource(base)
    except (OSError, TypeError):
        return frozenset()
    return frozenset(re.findall(r"self\.(_[a-z]\w*)\s*(?::[^=\n]*)?=[^=]", source))


#: Library classes whose private names a module of ours could reach on an object not its own.
REACHABLE = (App, Screen, Widget, ScrollView, Input)


@functools.cache
def reachable_privates() -> frozenset[str]:
    names: set[str] = set()
    for cls in REACHABLE:
        for klass in [*library_bases(cls), cls]:
            names |= {n for n in vars(klass) if n.startswith("_") and not n.startswith("__")}
            names |= instance_privates(klass)
    # Our own classes' private names (``view._layout``) are ours to reach: a clash of one
    # with the library's is caught where the class is scanned.
    ours: set[str] = set()
    for path in UI.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        ours |= set(re.findall(r"self\.(_[a-z]\w*)\s*(?::[^=\n]*)?=[^=]", source))
        ours |= set(re.findall(r"def (_[a-z]\w*)", source))
    ours -= set(re.findall(r"def (_[a-z]\w*)", Path(internals.__file__).read_text(encoding="utf-8")))
    return frozenset(n for n in names - ours if not GENERATED.match(n))


def leans(module: ModuleType) -> list[str]:
    """The module's private imports from Textual/Rich, and its classes' overrides, uses and
    clashes with a private attribute of a Textual/Rich base class."""
    found = []
    for number, line in enumerate(inspect.getsource(module).splitlines(), 1):
        code = line.split("#", 1)[0]
        reached = [
            attr
            for owner, attr in re.findall(r"\b(\w+)\.(_[a-z]\w*)", code)
            if owner not in ("self", "cls") and attr in reachable_privates()
        ]
        if PRIVATE_IMPORT.search(line) or reached:
            found.append(f"{module.__name__}:{number}: {line.strip()}")
    for name, cls in vars(module).items():
        if not inspect.isclass(cls) or cls.__module__ != module.__name__ or not library_bases(cls):
            continue
        bases = library_bases(cls)
        for attr in vars(cls):
            if attr.startswith("_") and not attr.startswith("__") and not GENERATED.match(attr):
                owners = [base.__qualname__ for base in bases if attr in vars(base)]
                if owners:
                    found.append(f"{module.__name__}.{name}.{attr} overrides {owners[0]}.{attr}")
        for attr in sorted(set(re.findall(r"self\.(_[a-z]\w*)", inspect.getsource(cls)))):
            if attr in vars(cls):
                continue
            owners = [b.__qualname__ for b in bases if attr in vars(b) or attr in instance_privates(b)]
            if owners:
                found.append(f"{module.__name__}.{name} uses self.{attr} of {owners[0]}")
    return found


def test_no_other_module_leans_on_a_private_name_of_textual_or_rich() -> None:
    """Outside ``ui/internals.py``: no private import, no override, no use, no clash.

    A clash matters as much as a use: a widget of ours setting ``self._size`` would
    overwrite Textual's own ``Widget._size``, silently.
    """
    offenders = []
    for info in pkgutil.walk_packages([str(UI)], "lemlist_inbox.ui."):
        if info.name != internals.__name__:
            offenders.extend(leans(importlib.import_module(info.name)))
    assert offenders == [], "a lean on Textual/Rich internals outside ui/internals.py"


def test_the_fence_check_sees_the_leans_of_internals() -> None:
    """The check above is not vacuous: on ``ui.internals`` it finds every lean fenced there."""
    found = "\n".join(leans(internals))
    for lean in (
        "from rich._wrap import divide_line",
        "QuietFocusScrollView._on_focus overrides Widget._on_focus",
        "QuietFocusScrollView._on_blur overrides Widget._on_blur",
        "QuietInput._watch_value overrides Input._watch_value",
        "widget._scroll_update(size)",
        "CrashKeepingApp._handle_exception overrides App._handle_exception",
        "CrashKeepingApp uses self._exit_renderables of App",
    ):
        assert lean in found
    assert "_size" in instance_privates(Widget)  # instance attributes are seen too


# ---------------------------------------------------------------------- CrashKeepingApp


def test_handle_exception_signature_and_exit_renderables_list() -> None:
    """``App._handle_exception(error)`` exists and ``_exit_renderables`` is a plain list."""
    assert params(App._handle_exception) == [("self", EMPTY), ("error", EMPTY)]
    assert isinstance(App()._exit_renderables, list)


class _Boom(CrashKeepingApp[None]):
    #: How many renderables were queued for printing right after the crash was handled
    #: (``run_test`` prints and clears them on the way out, so look inside).
    queued = -1

    def compose(self) -> ComposeResult:
        yield Static("x")

    def key_x(self) -> None:
        raise ValueError("boom")

    def _handle_exception(self, error: Exception) -> None:
        super()._handle_exception(error)
        self.queued = len(self._exit_renderables)


class _PlainBoom(App[None]):
    queued = -1

    def key_x(self) -> None:
        raise ValueError("boom")

    def _handle_exception(self, error: Exception) -> None:
        super()._handle_exception(error)
        self.queued = len(self._exit_renderables)


async def test_textual_queues_a_traceback_and_sets_return_code_one() -> None:
    """Why the override exists: a plain app queues the traceback for the screen."""
    app = _PlainBoom()
    with pytest.raises(ValueError):
        async with app.run_test() as pilot:
            await pilot.press("x")
    assert app.return_code == 1
    assert app.queued >= 1, "may be needless: Textual no longer queues a traceback"


async def test_crash_keeping_app_keeps_the_error_and_queues_nothing() -> None:
    app = _Boom()
    with pytest.raises(ValueError):
        async with app.run_test() as pilot:
            await pilot.press("x")
    assert isinstance(app.crash, ValueError) and str(app.crash) == "boom"
    assert app.return_code == 1 and app.queued == 0


# ------------------------------------------------------------------ hyperlink_style


def _pieces_of_a_folded_link(url: str) -> tuple[Console, list[Strip]]:
    from lemlist_inbox.ui.thread.wrap import make_console, wrap_text

    line = Text(end="", no_wrap=True)
    line.append("[1] ", Style(bold=True))
    line.append(url, Style(color="blue") + internals.hyperlink_style(url))
    console = make_console(20)
    pieces = [Strip(segments, cells) for segments, cells in wrap_text(console, line, 20)]
    # Painted as Textual paints a line: over the widget's base style, with offsets.
    return console, [strip.apply_style(Style(bgcolor="black")).apply_offsets(0, 3) for strip in pieces]


def _links_in(output: str) -> list[tuple[str, str]]:
    return [found for found in re.findall(r"\x1b\]8;id=([^;]*);([^\x1b]*)\x1b\\", output) if found[1]]


URL = "https://example.com/a/very/long/path/that/folds?x=1&y=2"


def test_rich_gives_each_piece_of_a_link_a_new_id_and_textual_writes_it_raw() -> None:
    """Why ``stable_link_ids`` exists: without it each line of one URL is a link of its own."""
    with monkeypatched_render_style(internals._original_render_style):
        console, pieces = _pieces_of_a_folded_link(URL)
        found = [link for strip in pieces for link in _links_in(strip.render(console))]
    assert len(pieces) >= 3 and {target for _id, target in found} == {URL}
    assert len({link_id for link_id, _ in found}) == len(pieces)  # one id per line


def test_stable_link_ids_writes_one_link_over_every_piece() -> None:
    internals.stable_link_ids()
    internals.stable_link_ids()  # idempotent
    assert Strip.__dict__["render_style"].__func__ is internals._render_style_stable
    assert params(Strip.render_style) == [("style", EMPTY), ("text", EMPTY), ("color_system", EMPTY)]
    console, pieces = _pieces_of_a_folded_link(URL)
    found = [link for strip in pieces for link in _links_in(strip.render(console))]
    assert len(found) == len(pieces)
    assert set(found) == {(link_id_for(URL), URL)}
    # Colours and attributes are what Textual writes without the link.
    bare = Strip([Segment("x", Style(color="blue", bold=True))])
    linked = Strip([Segment("x", Style(color="blue", bold=True, link=URL))])
    inner = bare.render(console)
    assert linked.render(console) == f"\x1b]8;id={link_id_for(URL)};{URL}\x1b\\{inner}\x1b]8;;\x1b\\"
    assert Strip([Segment("y", None)]).render(console) == "y"
    # A raw style made elsewhere with a hostile link: written as plain text.
    hostile = Strip(
        [Segment("x", Style(color="blue", bold=True, link="https://e.com/\x07\x1b]52;c;aGk=\x07"))]
    )
    assert hostile.render(console) == inner


@contextlib.contextmanager
def monkeypatched_render_style(function: Any) -> Iterator[None]:
    saved = Strip.__dict__["render_style"]
    Strip.render_style = classmethod(function)  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        Strip.render_style = saved  # type: ignore[method-assign]


def test_hyperlink_style_refuses_what_could_break_out_of_the_sequence() -> None:
    for bad in (
        "https://e.com/\x1b]52;c;aGk=\x07",
        "https://e.com/\x9c",
        "javascript:alert(1)",
        "file:///etc",
    ):
        assert internals.hyperlink_style(bad) == Style.null()
        assert not internals.hyperlink_style(bad).link


# ---------------------------------------------------- the tests' and benchmarks' own leans


async def test_private_names_the_tests_and_benchmarks_read(poke: Any) -> None:
    app, pilot, screen = poke
    # tests/tui_harness.py, test_thread_opens: the frame as the terminal would get it.
    assert isinstance(screen._compositor, Compositor)
    assert params(Compositor.render_strips) == [("self", EMPTY), ("size", None)]
    strips = screen._compositor.render_strips()
    assert len(strips) == 20 and all(isinstance(strip, Strip) for strip in strips)
    # test_app_trust, faults: the notifications shown.
    app.notify("hello")
    await pilot.pause()
    assert [str(n.message) for n in app._notifications] == ["hello"]
    # test_app_keys: the keys bound on a node.
    assert isinstance(screen._bindings, BindingsMap)
    assert isinstance(app._bindings.key_to_bindings, dict)
    # benchmarks (bench_responsive, bench_thread): each frame written, wrapped per instance.
    assert params(App._display) == [("self", EMPTY), ("screen", EMPTY), ("renderable", EMPTY)]
