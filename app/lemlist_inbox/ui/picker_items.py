"""What the link and attachment pickers list, taken from a thread's rendered messages.

Pure (no widget): the pickers draw these, the tests check them. Links are numbered per
message in the pane (``[1]`` in message 3 and ``[1]`` in message 5 are two links); the
pickers number them once across the thread, in the pane's order, and name the message and
its own number beside each, so either number finds it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from lemlist_inbox.render.hyperlinks import safe_link_url
from lemlist_inbox.render.marks import link_host

if TYPE_CHECKING:
    from lemlist_inbox.render import RenderedMessage
    from lemlist_inbox.render.attachments import AttachmentInfo

__all__ = ["AttachmentItem", "LinkItem", "thread_attachments", "thread_links"]


@dataclass(frozen=True)
class LinkItem:
    """One link: ``target`` as the pane shows it; ``url`` what opening or copying uses
    (percent-encoded, ``render.hyperlinks``), None when it must not be followed."""

    index: int
    message: int
    number: int
    target: str
    url: str | None
    host: str
    warning: str = ""
    quoted: bool = False
    #: Other messages (by position) linking to the same target: listed once, as urlscan does.
    also: tuple[int, ...] = ()


@dataclass(frozen=True)
class AttachmentItem:
    """One attachment, with the URL it is opened, copied or downloaded from (None: none given,
    or not a followable http(s) URL)."""

    index: int
    message: int
    info: AttachmentInfo
    url: str | None


def thread_links(messages: Sequence[RenderedMessage]) -> list[LinkItem]:
    """Every distinct link target of the thread, in the pane's order (a signature's link
    repeated in each quoted reply is one entry, naming the other messages it is in)."""
    items: list[LinkItem] = []
    seen: dict[str, int] = {}
    for position, rm in enumerate(messages, 1):
        for link in rm.body.links:
            warning = (link.warning or f"text shows {link.text}") if link.suspicious else ""
            known = seen.get(link.target)
            if known is not None:
                item = items[known]
                if position != item.message and position not in item.also:
                    item = replace(item, also=(*item.also, position))
                if warning and not item.warning:
                    item = replace(item, warning=warning)
                items[known] = item
                continue
            url = safe_link_url(link.target)
            host = link_host(link.target) if url else ""
            seen[link.target] = len(items)
            items.append(
                LinkItem(len(items) + 1, position, link.number, link.target, url, host, warning, link.quoted)
            )
    return items


def thread_attachments(messages: Sequence[RenderedMessage], base_url: str) -> list[AttachmentItem]:
    from lemlist_inbox.api.download import resolve_url

    items: list[AttachmentItem] = []
    for position, rm in enumerate(messages, 1):
        for info in rm.files:
            resolved = resolve_url(info.url, base_url) if info.url else None
            url = safe_link_url(resolved) if resolved else None
            items.append(AttachmentItem(len(items) + 1, position, info, url))
    return items
