"""The smallest Textual app with a header, a line of text and a footer.

``bench_startup`` starts it under the same pseudo-terminal as the real app: its first
frame is the floor that Textual itself sets on this machine (interpreter + Textual's
import + one compose and paint), which no work of ours can go under.
"""

from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import BindingType
from textual.widgets import Footer, Header, Static


class Floor(App[None]):
    BINDINGS: ClassVar[list[BindingType]] = [("q", "quit", "Quit")]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("first frame")
        yield Footer()


if __name__ == "__main__":
    Floor().run()
