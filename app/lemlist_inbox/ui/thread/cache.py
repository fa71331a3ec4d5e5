"""Caches that make re-opening a thread instant: rendered messages and wrapped lines.

Re-opening a conversation must cost no request and no HTML conversion (target: text
on screen within 30 ms), so the thread pane keeps bounded LRU caches:

- ``ThreadCache``: per conversation, the rendered messages (``RenderedMessage``, the
  expensive HTML -> text result) plus the conversation's ``lastActivityAt`` at fetch
  time. A conversation whose activity stamp moved (a new reply arrived, seen by a
  refresh) is stale and treated as not cached, so nobody reads an old thread.
- ``LayoutCache``: wrapped screen lines per (conversation, width, quotes shown, style),
  bounded by a total line budget rather than a count because one 500-message thread
  weighs as much as hundreds of short ones.
- ``MessageCache``: rendered messages one by one, so a stale thread fetched again
  only converts its new messages.

No Textual import: the layout type is a parameter, so this module stays testable alone.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar

if TYPE_CHECKING:
    from lemlist_inbox.api.models import Message
    from lemlist_inbox.render import RenderedMessage

__all__ = ["CachedThread", "LayoutCache", "MessageCache", "Sized", "ThreadCache"]

DEFAULT_MAX_THREADS = 200
DEFAULT_MAX_LAYOUT_LINES = 100_000  # ~300 B a line (measured): ~30 MB at most


@dataclass(frozen=True)
class CachedThread:
    """One fetched and rendered thread, oldest message first."""

    conversation_id: str
    #: ``Conversation.last_activity_at`` when fetched; a different value means stale.
    stamp: str | None
    messages: Sequence[RenderedMessage]
    #: Messages the API sent that could not be parsed (shown as a notice, not hidden).
    skipped: int = 0
    #: Only the newest message is converted yet (the others ``pending``): shown, never cached.
    partial: bool = False


class ThreadCache:
    """LRU of rendered threads by conversation id, bounded by thread count."""

    def __init__(self, max_threads: int = DEFAULT_MAX_THREADS) -> None:
        self._max = max(1, max_threads)
        self._entries: OrderedDict[str, CachedThread] = OrderedDict()

    def get(
        self, conversation_id: str, stamp: str | None = None, *, check_stamp: bool = True
    ) -> CachedThread | None:
        """The cached thread if fresh (same activity stamp); a stale entry is dropped."""
        entry = self._entries.get(conversation_id)
        if entry is None:
            return None
        if check_stamp and entry.stamp != stamp:
            del self._entries[conversation_id]
            return None
        self._entries.move_to_end(conversation_id)
        return entry

    def put(self, entry: CachedThread) -> None:
        self._entries[entry.conversation_id] = entry
        self._entries.move_to_end(entry.conversation_id)
        while len(self._entries) > self._max:
            self._entries.popitem(last=False)

    def discard(self, conversation_id: str) -> None:
        self._entries.pop(conversation_id, None)

    def clear(self) -> None:
        self._entries.clear()

    def __contains__(self, conversation_id: object) -> bool:
        return conversation_id in self._entries

    def __len__(self) -> int:
        return len(self._entries)


class Sized(Protocol):
    """A layout knows how many screen lines it holds (its cost in the budget)."""

    @property
    def line_count(self) -> int: ...


L = TypeVar("L", bound=Sized)


class LayoutCache(Generic[L]):
    """LRU of wrapped layouts, bounded by the total number of lines held.

    The most recent layout is always kept, even when it alone exceeds the budget:
    it is the one on screen.
    """

    def __init__(self, max_lines: int = DEFAULT_MAX_LAYOUT_LINES) -> None:
        self._max_lines = max(1, max_lines)
        self._entries: OrderedDict[Hashable, L] = OrderedDict()
        self._lines = 0

    @property
    def total_lines(self) -> int:
        return self._lines

    def get(self, key: Hashable) -> L | None:
        layout = self._entries.get(key)
        if layout is not None:
            self._entries.move_to_end(key)
        return layout

    def put(self, key: Hashable, layout: L) -> None:
        old = self._entries.pop(key, None)
        if old is not None:
            self._lines -= old.line_count
        self._entries[key] = layout
        self._lines += layout.line_count
        while self._lines > self._max_lines and len(self._entries) > 1:
            _, dropped = self._entries.popitem(last=False)
            self._lines -= dropped.line_count

    def discard_conversation(self, conversation_id: str) -> None:
        """Drop every layout of one conversation (keys start with its id)."""
        for key in [k for k in self._entries if isinstance(k, tuple) and k and k[0] == conversation_id]:
            self._lines -= self._entries.pop(key).line_count

    def clear(self) -> None:
        self._entries.clear()
        self._lines = 0

    def __len__(self) -> int:
        return len(self._entries)


class MessageCache:
    """Rendered messages by message, so a thread with one new reply converts one message.

    A conversation whose activity moved is fetched again whole, but its old messages
    have not changed: their HTML -> text result is reused from here. Keyed by the
    message id plus a hash of what the rendering depends on, so an edited body (or a
    renamed contact) is rendered again. Bounded by count and by total body size.
    Thread-safe: render workers of several conversations may use it at once.
    """

    def __init__(self, max_messages: int = 5_000, max_chars: int = 20_000_000) -> None:
        self._max_messages = max(1, max_messages)
        self._max_chars = max(1, max_chars)
        self._entries: OrderedDict[Hashable, tuple[RenderedMessage, int]] = OrderedDict()
        self._chars = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @staticmethod
    def key(message: Message, contact_name: str | None) -> Hashable:
        body = message.message if isinstance(message.message, str) else ""
        return (
            message.id,
            hash(body),
            len(body),
            message.type,
            message.subject,
            message.created_at,
            contact_name,
            len(message.attachments),
        )

    def missing(self, messages: Sequence[Message], contact_name: str | None) -> int:
        """How many of ``messages`` are not rendered here yet."""
        with self._lock:
            return sum(1 for m in messages if self.key(m, contact_name) not in self._entries)

    def render(
        self,
        messages: Sequence[Message],
        contact_name: str | None,
        render: Callable[[list[Message]], list[RenderedMessage]],
    ) -> list[RenderedMessage]:
        """Rendered ``messages`` in order; only the ones not cached go through ``render``."""
        keys = [self.key(message, contact_name) for message in messages]
        found: dict[int, RenderedMessage] = {}
        with self._lock:
            for index, key in enumerate(keys):
                entry = self._entries.get(key)
                if entry is not None:
                    self._entries.move_to_end(key)
                    found[index] = entry[0]
        missing = [index for index in range(len(messages)) if index not in found]
        self.hits += len(found)
        self.misses += len(missing)
        if missing:
            fresh = render([messages[index] for index in missing])
            with self._lock:
                for index, rendered in zip(missing, fresh, strict=True):
                    found[index] = rendered
                    self._store(keys[index], rendered)
        return [found[index] for index in range(len(messages))]

    def _store(self, key: Hashable, rendered: RenderedMessage) -> None:
        size = len(rendered.body.text) + len(rendered.body.quoted or "")
        old = self._entries.pop(key, None)
        if old is not None:
            self._chars -= old[1]
        self._entries[key] = (rendered, size)
        self._chars += size
        while len(self._entries) > 1 and (
            len(self._entries) > self._max_messages or self._chars > self._max_chars
        ):
            _, (_, dropped) = self._entries.popitem(last=False)
            self._chars -= dropped

    def __len__(self) -> int:
        return len(self._entries)
