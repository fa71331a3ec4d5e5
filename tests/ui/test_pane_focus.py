"""The panes show focus without being restyled (``ui.internals.QuietFocusScrollView``).

The look, and the rule that keeps it.

The list and the thread pane are not restyled when focus moves (that was most of the
cost of opening a thread), so a ``:focus``/``:blur`` rule on them would silently stop
working: one test checks the stylesheet has none, the other that focus still shows.
"""

from __future__ import annotations

from rich.style import Style
from textual.widget import Widget
from ui_helpers import ServerFactory, focused, loaded, make_app

from lemlist_inbox.ui.app import InboxApp
from lemlist_inbox.ui.widgets.conversation_list import ConversationList


def new_app(make_server: ServerFactory, apps: list[InboxApp]) -> InboxApp:
    app = make_app(make_server())
    apps.append(app)
    return app


def cursor_row_style(listing: ConversationList) -> Style:
    strip = listing.render_line(listing.cursor - listing.scroll_offset.y)
    style = next(iter(strip)).style
    assert style is not None
    return style


def styles_of(pane: Widget) -> tuple[object, ...]:
    """Everything the stylesheet gives the pane: its own rules and its component classes'."""
    components = sorted(pane.COMPONENT_CLASSES)
    return (
        pane.styles.base.get_rules(),
        [pane.get_component_styles(name).get_rules() for name in components],
    )


async def test_no_stylesheet_rule_depends_on_the_panes_focus(
    make_server: ServerFactory, apps: list[InboxApp]
) -> None:
    app = new_app(make_server, apps)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await loaded(app)
        await pilot.press("enter")
        for pane in (screen.conversation_list, screen.thread):
            # The base class kept ScrollView's default CSS (a mixin listed first would not).
            assert pane.styles.overflow_y == "auto"
            seen = []
            for has_focus in (True, False):
                pane.focus() if has_focus else screen.filter_input.focus()
                await pilot.pause()
                assert pane.has_focus is has_focus
                app.stylesheet.apply(pane)  # what a restyle would give it now
                seen.append(styles_of(pane))
            assert seen[0] == seen[1], f"a :focus/:blur rule reaches {pane!r}: it would not apply"


async def test_focus_shows_in_the_list_cursor_and_the_thread_scrollbar(
    make_server: ServerFactory, apps: list[InboxApp]
) -> None:
    app = new_app(make_server, apps)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await loaded(app)
        listing, thread = screen.conversation_list, screen.thread
        focused_cursor = listing.get_component_rich_style("conversation-list--cursor", partial=True)
        blurred_cursor = listing.get_component_rich_style("conversation-list--cursor-blurred", partial=True)
        assert focused_cursor != blurred_cursor
        assert cursor_row_style(listing) == cursor_row_style(listing) + focused_cursor

        await pilot.press("enter")
        await pilot.pause()
        assert focused(app) is thread
        assert cursor_row_style(listing) == cursor_row_style(listing) + blurred_cursor
        assert cursor_row_style(listing) != cursor_row_style(listing) + focused_cursor
        look = thread.get_component_styles("thread--focused")
        assert thread.styles.scrollbar_color == look.scrollbar_color
        assert thread.styles.scrollbar_background == look.scrollbar_background

        # A theme switch while the pane has focus: the focus colours follow the theme.
        app.theme = "textual-light"
        await pilot.pause()
        await pilot.pause()
        light = thread.get_component_styles("thread--focused")
        assert light.scrollbar_background != look.scrollbar_background
        assert thread.styles.scrollbar_background == light.scrollbar_background

        await pilot.press("escape")
        await pilot.pause()
        assert focused(app) is listing
        light_cursor = listing.get_component_rich_style("conversation-list--cursor", partial=True)
        assert cursor_row_style(listing) == cursor_row_style(listing) + light_cursor
        assert not thread.styles.inline.has_rule("scrollbar_color")
        assert thread.styles.scrollbar_background != light.scrollbar_background
