"""A reply drawn exactly as the thread pane will draw it once sent.

The HTML ``compose.text_to_html`` makes is what lemlist stores and what the thread
endpoint gives back, so the preview takes that HTML, wraps it in the API's own message
model (an ``…Sent`` activity from the chosen sender) and sends it through the same
renderer (``render.render_message``) and the same layout (``thread.layout.build_layout``)
as the pane, with the pane's own styles: if the preview shows a ``<b>`` as text, the
thread will too. The quote is shown unfolded (all of it is sent); ``z`` folds it, as in the pane.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from rich.style import Style
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from lemlist_inbox.ui.thread.layout import ThreadLayout, build_layout
from lemlist_inbox.ui.thread.style import ThreadStyles, choose_glyphs

if TYPE_CHECKING:
    from lemlist_inbox.api.models import Message
    from lemlist_inbox.render import RenderedMessage

__all__ = ["PreviewPane", "sent_message"]

#: The activity type of a sent message per channel, as the thread endpoint names them.
SENT_TYPES = {"email": "emailsSent", "linkedin": "linkedinSent", "whatsapp": "whatsappSent"}


def sent_message(
    *,
    html: str,
    channel: str,
    subject: str,
    sender_name: str,
    sender_email: str,
    lead_email: str,
    when: str | None = None,
) -> Message:
    """The reply as the thread endpoint will list it: a sent activity from the sender."""
    from lemlist_inbox.api.models import Message

    return Message.model_validate(
        {
            "_id": "local-sent",
            "type": SENT_TYPES.get(channel, f"{channel}Sent"),
            "message": html,
            "subject": subject if channel == "email" else None,
            "sendUserName": sender_name,
            "sendUserEmail": sender_email,
            "leadEmail": lead_email,
            "createdAt": when,
        }
    )


class PreviewPane(ScrollView, can_focus=True):
    """Scrollable lines of one rendered message (the pane's layout, at this width)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "scroll_lines(1)", "Down", show=False),
        Binding("k,up", "scroll_lines(-1)", "Up", show=False),
        Binding("space", "page(1)", "Page", show=False),
        Binding("b", "page(-1)", "Page up", show=False),
        Binding("z", "toggle_quotes", "Quotes", show=False),
    ]

    def __init__(
        self,
        message: RenderedMessage,
        styles: Callable[[], ThreadStyles],
        *,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self._message = message
        self._styles = styles
        self._layout = ThreadLayout([], 0, [])
        #: The quote unfolded (all of it is sent); ``z`` folds it as in the pane.
        self.expanded = True

    @property
    def text(self) -> str:
        """The plain text on show (tests)."""
        return self._layout.text()

    def _relayout(self) -> None:
        width = max(1, self.scrollable_content_region.width)
        built = build_layout(
            [self._message],
            width=width,
            expanded=self.expanded,
            styles=self._styles(),
            glyphs=choose_glyphs(),
        )
        assert built is not None  # never cancelled
        self._layout = built
        self.virtual_size = Size(width, built.line_count)
        self.refresh()

    def on_mount(self) -> None:
        self._relayout()

    def on_resize(self) -> None:
        self._relayout()

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.scrollable_content_region.width
        base: Style = self.rich_style
        if index >= self._layout.line_count:
            return Strip.blank(width, base)
        return self._layout.strip(index).apply_style(base).crop_extend(scroll_x, scroll_x + width, base)

    def action_toggle_quotes(self) -> None:
        self.expanded = not self.expanded
        self._relayout()

    def action_scroll_lines(self, lines: int) -> None:
        self.scroll_relative(y=lines, animate=False)

    def action_page(self, pages: int) -> None:
        self.scroll_relative(y=pages * max(1, self.scrollable_content_region.height - 1), animate=False)
