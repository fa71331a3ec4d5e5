"""``L``: every link of the open thread, urlscan-style, to open or copy one.

Each entry: the picker's number, the host, the message it is in with the pane's own
number (``message 3 [1]``), the full target as the pane shows it, and, when it differs,
the cleaned form that is really opened (``render.hyperlinks``: percent-encoded). A
suspicious link keeps its warning; a link that must not be followed (``javascript:``, a
control character) says so and can only be copied as text. Enter opens the link in the
browser where there is a local display, else copies it (``ui.opener``); ``y`` copies;
digits jump. Nothing is fetched to build the list.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from textual import on
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import OptionList

from lemlist_inbox.render.marks import UNICODE_MARKS, TextMarks
from lemlist_inbox.ui.charset import chrome
from lemlist_inbox.ui.clipboard import copy_text
from lemlist_inbox.ui.opener import open_or_copy
from lemlist_inbox.ui.picker_items import LinkItem
from lemlist_inbox.ui.screens.numbered_picker import NumberedPicker

__all__ = ["LinkPicker", "link_entry"]

HINT = "Enter opens (or copies without a local display) · y copies · 1-9 jump · Esc closes"


def link_entry(item: LinkItem, marks: TextMarks = UNICODE_MARKS) -> Content:
    where = f"message {item.message} [{item.number}]" + (" (quoted)" if item.quoted else "")
    if len(item.also) > 3:
        where += f", also in {len(item.also)} other messages"
    elif item.also:
        where += ", also in " + ", ".join(str(position) for position in item.also)
    lines: list[str | tuple[str, str]] = [
        (f"{item.index:>2}  ", "bold"),
        (item.host or "(not a web link)", "bold"),
        (f"  {where}", "italic"),
        "\n    ",
        item.target,
    ]
    if item.url is not None and item.url != item.target:
        lines.extend(("\n    ", ("opens ", "italic"), item.url))
    if item.url is None:
        lines.extend(
            ("\n    ", ("not followed from here (not http, https or mailto, or not clean)", "italic"))
        )
    if item.warning:
        lines.extend(("\n    ", (f"{marks.warning} {item.warning}", "bold")))
    return Content.assemble(*lines)


class LinkPicker(NumberedPicker):
    """The open thread's links; see the module docstring."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "copy", "Copy"),
    ]

    def __init__(
        self,
        items: list[LinkItem],
        *,
        title: str = "Links",
        marks: TextMarks = UNICODE_MARKS,
        env: Mapping[str, str] | None = None,
        browser: Callable[[str], bool] | None = None,
    ) -> None:
        count = len(items)
        super().__init__(
            f"{title} ({count} link{'s' if count != 1 else ''})", HINT.replace(" · ", chrome().separator)
        )
        self.items = items
        self._marks = marks
        self._env = env
        self._browser = browser

    def on_mount(self) -> None:
        super().on_mount()
        self.set_entries([link_entry(item, self._marks) for item in self.items])

    def _current(self) -> LinkItem | None:
        index = self.highlighted
        return self.items[index] if index is not None and 0 <= index < len(self.items) else None

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        item = self._current()
        if item is None:
            return
        if item.url is None:
            self.set_status("this link is not followed from here; y copies it as text", error=True)
            return
        app: Any = self.app
        self.dismiss(None)
        open_or_copy(app, item.url, env=self._env, browser=self._browser)

    def action_copy(self) -> None:
        item = self._current()
        if item is None:
            return
        copy_text(self.app, item.url or item.target, env=self._env)
        self.set_status(f"copied link {item.index}")
