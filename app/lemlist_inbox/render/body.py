"""The rendered body of one message: literal text, folded quote, numbered links.

Frozen dataclasses of plain strings so a rendered body can be cached, shared between threads
(conversion runs off the UI thread) and compared in tests. Every string in them has already been
through ``sanitize``: the UI and the CLI print them literally and never clean them again.
"""

from __future__ import annotations

from dataclasses import dataclass

#: First line of the body when conversion failed; the tag-stripped raw text follows.
FAILED_NOTE = "(this message could not be displayed)"


@dataclass(frozen=True)
class Link:
    """One numbered link: the text shows ``label [number]``, the list shows the real ``target``.

    ``suspicious`` is set when what the reader sees (a URL or domain in the link text, an address,
    a ``javascript:`` target) differs from where the link really goes; ``warning`` says how, e.g.
    ``"text shows paypal.com"``. ``quoted`` tells the UI the link sits in the folded history.
    """

    number: int
    text: str
    target: str
    suspicious: bool
    warning: str = ""
    quoted: bool = False


@dataclass(frozen=True)
class Body:
    """A message body ready to print.

    ``text`` is the new part of the message; ``quoted`` the quoted history (``None`` when none was
    found), shown folded to one line until the user expands it; ``quote_header`` the attribution
    ("On Tue, Dec 3, 2024 … wrote:") when one was recognised. ``links`` lists every numbered link
    of ``text`` and ``quoted`` in order.
    """

    text: str
    quoted: str | None = None
    quote_header: str | None = None
    links: tuple[Link, ...] = ()
    quote_line_count: int = 0
    #: The input was larger than the renderer accepts; ``text`` ends with a note saying so.
    truncated: bool = False
    #: Conversion failed; ``text`` is FAILED_NOTE plus the raw text stripped of tags.
    failed: bool = False

    @property
    def visible_links(self) -> tuple[Link, ...]:
        """Links of the unfolded part only (what the reader can see with the quote folded)."""
        return tuple(link for link in self.links if not link.quoted)
