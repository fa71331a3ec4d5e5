"""A one-line footer of the keys that matter now (those of the focused pane).

Textual's ``Footer`` rebuilds one widget per key on every focus change; with a
dozen keys that cost more CPU than everything else a Tab does (measured: most of
a 150 ms focus switch). This bar reads the same ``screen.active_bindings`` and
draws them as a single line of text, so a focus change is one repaint. A click on
a key runs its action, as with the stock footer.
"""

from __future__ import annotations

from typing import ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from textual import events
from textual.dom import DOMNode
from textual.screen import Screen
from textual.strip import Strip
from textual.widget import Widget


class KeyBar(Widget):
    """``⏎/l Open  / Filter  u Unread … ? Help  q Quit          ^p palette``."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"key-bar--key", "key-bar--description"}

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        #: (first cell, last cell + 1, action, node that owns the binding) per key shown.
        self._targets: list[tuple[int, int, str, DOMNode]] = []

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        if self.is_attached and screen is self.screen:
            self.refresh()

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.rich_style
        if y:
            return Strip.blank(width, base)
        # Rich styles laid over the bar's own (as the list does): colours from the
        # component classes, background from the bar.
        key_style = base + self.get_component_rich_style("key-bar--key", partial=True)
        text_style = base + self.get_component_rich_style("key-bar--description", partial=True)
        segments: list[Segment] = []
        targets: list[tuple[int, int, str, DOMNode]] = []
        seen: set[str] = set()
        position = 0
        palette_key = self.app.COMMAND_PALETTE_BINDING
        palette: tuple[str, str] | None = None
        for key, (node, binding, enabled, _tooltip) in self.screen.active_bindings.items():
            if key == palette_key and self.app.ENABLE_COMMAND_PALETTE:
                palette = (self.app.get_key_display(binding), "palette")
                continue
            if not binding.show or not enabled or binding.action in seen:
                continue
            seen.add(binding.action)
            shown = f" {self.app.get_key_display(binding)} "
            description = f"{binding.description} "
            cells = cell_len(shown + description)
            if position + cells > width:
                break
            targets.append((position, position + cells, binding.action, node))
            segments.append(Segment(shown, key_style))
            segments.append(Segment(description, text_style))
            position += cells
        if palette is not None:
            shown, description = f" {palette[0]} ", f"{palette[1]} "
            gap = width - position - cell_len(shown + description)
            if gap > 0:
                segments.append(Segment(" " * gap, text_style))
                start = position + gap
                targets.append((start, width, "command_palette", self.app))
                segments.append(Segment(shown, key_style))
                segments.append(Segment(description, text_style))
        self._targets = targets
        return Strip(segments).adjust_cell_length(width, base)

    async def on_click(self, event: events.Click) -> None:
        for start, end, action, node in self._targets:
            if start <= event.x < end:
                await self.app.run_action(action, node)
                return
