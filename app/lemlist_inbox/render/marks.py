"""The marks a thread is drawn with (Unicode and ASCII sets) and the host of a link.

Shared by ``show`` (``render.thread_text``) and the pane (``ui.thread``), so the two
cannot drift apart; a module of its own, importing nothing heavy, because the pane's
style module is imported before the first frame (benchmark row "1 start-up: heavy
modules": no pydantic or html2text before it).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

__all__ = ["ASCII_MARKS", "UNICODE_MARKS", "TextMarks", "link_host"]


@dataclass(frozen=True)
class TextMarks:
    """The marks of a thread, by part: sent/received/other messages, quote folds, warnings."""

    sent: str
    received: str
    other: str
    folded: str
    unfolded: str
    warning: str
    rule: str
    attachment: str
    dash: str
    #: Between the parts of a compact line (a chat message's, a folded message's).
    separator: str = " · "


# fmt: off
UNICODE_MARKS = TextMarks(
    sent="→", received="←", other="•", folded="▸", unfolded="▾", warning="⚠", rule="─",
    attachment="+", dash="—",
)
ASCII_MARKS = TextMarks(
    sent="->", received="<-", other="*", folded=">", unfolded="v", warning="!", rule="-",
    attachment="+", dash="-", separator=" - ",
)
# fmt: on


def link_host(value: str) -> str:
    """The host part of a URL or bare domain, for the "goes to" of a suspicious link."""
    text = value.strip()
    if "://" not in text and not text.startswith("mailto:"):
        text = "//" + text
    try:
        parts = urlsplit(text)
    except ValueError:
        return value
    if parts.scheme == "mailto":
        return parts.path
    return parts.hostname or value
