"""The conversation store: every loaded conversation, ordered newest activity first,
plus the filtered *view* the list widget shows.

Pure Python (no Textual) so it can be tested and benchmarked on its own. It is built
for 100,000 conversations arriving 100 at a time:

* an index by ``_id`` makes merges and "where is this conversation now" O(1)/O(log n);
* the order is a sorted list searched with ``bisect``; pages arrive newest first, so
  a page of older items lands at the end and nothing is re-sorted;
* the view is a second sorted list kept up to date on each merge (a new row that
  matches the filter is bisected in), so appending never re-filters everything;
* every conversation carries a precomputed lowercase search key (name, email, and once
  its thread is stored the subject and first words of the newest message), and a
  filter that only narrows the previous one (a longer query, one more condition)
  filters the current view instead of the whole store;
* the filter composes: the query, unread only, a channel and a reply state ("they
  replied": the contact spoke last; "waiting": we did), each kept apart.

Memory and garbage collection (benchmark rows "4 memory: peak RSS" and "3 responsiveness:
full GC pause"): a parsed ``Conversation`` is five pydantic
models (the conversation, its contact, one per team user), each with its own dict,
field set and extras dict: about 4.8 kB and 17 GC-tracked objects per conversation,
so 100,000 of them took 600 MB and made every full garbage collection a one-second
freeze. An ``Entry`` keeps only what the list and the thread pane use, in one slotted
object whose parts are strings, numbers and tuples (untracked by the GC); the team
users' read states and the channel lists repeat across conversations and are shared.
``Entry.conversation`` rebuilds a ``Conversation`` when a thread is opened.

Even one tracked object per conversation makes a full collection scan 100,000 of
them whenever the heap has grown by a quarter: about 0.2 s on the 2-core CI box,
landing on whatever key is being handled. So each time ``FREEZE_EVERY`` entries have
been added, young garbage is collected and everything alive is moved to the permanent
generation (``gc.freeze``): later full collections only scan what came after.
Reference counting still frees frozen objects; only a reference cycle that is already
garbage at that moment would be kept, and collecting the young generations first
leaves next to none.
"""

from __future__ import annotations

import gc
import math
import sys
from bisect import bisect_left
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from operator import attrgetter
from typing import TYPE_CHECKING, Any, NamedTuple

from lemlist_inbox.api.read_state import UserState, is_read_by
from lemlist_inbox.inbox.db import ContactFields, StoredConversation
from lemlist_inbox.inbox.rows import listing_row
from lemlist_inbox.inbox.summary import US, ThreadSummary
from lemlist_inbox.render.sanitize import sanitize

if TYPE_CHECKING:
    from lemlist_inbox.api.models import Conversation

#: Entries added between two ``gc.freeze`` calls (see the module docstring).
FREEZE_EVERY = 10_000

#: Sort key: (-timestamp, arrival sequence). Newest first; ties keep arrival order.
SortKey = tuple[float, int]

_KEY = attrgetter("key")

#: The channels ``c`` cycles through ("" = every channel), in the order it does.
CHANNELS = ("", "email", "linkedin", "whatsapp", "sms")
#: The reply states ``w`` cycles through: everything, "they replied" (the contact spoke
#: last), "waiting for them" (we did).
REPLY_STATES = ("", "them", "us")


class Filter(NamedTuple):
    """What the view shows: every condition set must hold ("" / False: not set)."""

    query: str = ""
    unread_only: bool = False
    channel: str = ""
    reply: str = ""

    def within(self, other: Filter) -> bool:
        """Whether every row this filter shows is one ``other`` shows (so ``other``'s
        view can be filtered further instead of the whole store)."""
        return (
            self.query.startswith(other.query)
            and (self.unread_only or not other.unread_only)
            and other.channel in ("", self.channel)
            and other.reply in ("", self.reply)
        )


class Entry:
    """One conversation as the list and the thread pane need it (see the module docstring)."""

    __slots__ = (
        "channels",
        "contact",
        "contact_id",
        "email",
        "have_replies",
        "id",
        "key",
        "last_activity_at",
        "last_from",
        "name",
        "search",
        "summary",
        "unread",
        "users",
        "version",
    )

    def __init__(
        self,
        *,
        id: str,
        contact_id: str | None,
        contact: ContactFields | None,
        users: tuple[UserState, ...],
        channels: tuple[str, ...],
        last_activity_at: str | None,
        have_replies: bool | None,
        key: SortKey,
        name: str,
        email: str,
        unread: bool,
        version: int = 0,
        summary: ThreadSummary | None = None,
    ) -> None:
        self.id = id
        self.contact_id = contact_id
        self.contact = contact
        self.users = users
        self.channels = channels
        self.last_activity_at = last_activity_at
        self.have_replies = have_replies
        self.key = key
        self.name = name
        self.email = email
        self.unread = unread
        #: Bumped whenever the row's content changes, so cached renderings can be dropped.
        self.version = version
        self.summary = summary
        self.search = ""
        self.last_from = ""
        self._summarized()

    def _summarized(self) -> None:
        """Derive the search key and who spoke last from the names and the summary.

        Who spoke last is the stored thread's word; without one, a conversation the
        contact never replied to (``haveReplies`` false) is ours to be waiting on.
        """
        summary = self.summary
        if summary is None:
            self.search = f"{self.name}\n{self.email}".casefold()
            self.last_from = US if self.have_replies is False else ""
        else:
            self.search = f"{self.name}\n{self.email}\n{summary.subject}\n{summary.snippet}".casefold()
            self.last_from = summary.last_from or (US if self.have_replies is False else "")

    def __repr__(self) -> str:
        return f"Entry({self.id!r}, {self.name!r}, unread={self.unread})"

    @property
    def thread_id(self) -> str | None:
        """The id to fetch the thread with: ``contactId``, else ``contact._id``."""
        return self.contact_id or (self.contact[0] if self.contact else None)

    @property
    def last_activity(self) -> datetime | None:
        """When the conversation last moved (the sort key holds the timestamp)."""
        stamp = -self.key[0]
        return datetime.fromtimestamp(stamp, UTC) if math.isfinite(stamp) else None

    @property
    def shown_stamp(self) -> float:
        """The instant the row shows: the newest stored message's when known, else the
        last activity (which an open or a click moves too, matching no message)."""
        summary = self.summary
        if summary is not None and math.isfinite(summary.latest):
            return summary.latest
        return -self.key[0]

    @property
    def shown_time(self) -> datetime | None:
        stamp = self.shown_stamp
        try:
            return datetime.fromtimestamp(stamp, UTC) if math.isfinite(stamp) else None
        except (OverflowError, OSError, ValueError):
            return None

    @property
    def conversation(self) -> Conversation:
        """A ``Conversation`` model for the thread pane, rebuilt from what is kept.

        Fields the UI never reads (``createdAt``, ``teamId``, unknown extras...) are not
        kept, so they are not in the rebuilt model. Each access builds a new object:
        changes to it (``mark_read_by``) reach the store through ``mark_read``.
        """
        from lemlist_inbox.api.models import Conversation

        raw: dict[str, Any] = {
            "_id": self.id,
            "channels": list(self.channels),
            "users": [{"userId": u, "sender": s, "read": r} for u, s, r in self.users],
        }
        if self.contact_id is not None:
            raw["contactId"] = self.contact_id
        if self.last_activity_at is not None:
            raw["lastActivityAt"] = self.last_activity_at
        if self.have_replies is not None:
            raw["haveReplies"] = self.have_replies
        if self.contact is not None:
            names = ("_id", "fullName", "firstName", "lastName", "email", "linkedinUrl")
            raw["contact"] = {k: v for k, v in zip(names, self.contact, strict=True) if v is not None}
        return Conversation.model_validate(raw)

    def is_read_by(self, user_id: str | None) -> bool:
        """``api.read_state.is_read_by``: the same rule as the models and the database."""
        return is_read_by(self.users, user_id)


@dataclass
class MergeResult:
    """What a merge changed, for the status line and for keeping the cursor put."""

    added: int = 0
    updated: int = 0


def _clean(text: str) -> str:
    """``sanitize``, skipped for the common case: printable text holds no control or
    bidi character (``str.isprintable`` rejects categories Cc, Cf, Cs, Co, Cn)."""
    return text if text.isprintable() else sanitize(text)


def _display(row: StoredConversation) -> tuple[str, str]:
    """Sanitized (name, email): a contact without a name shows its email as the name."""
    contact = row.contact
    email = _clean(contact[4] or "") if contact else ""
    name = ""
    if contact is not None:
        _id, full_name, first, last = contact[:4]
        full = full_name or " ".join(part for part in (first, last) if part and part.strip())
        name = _clean(full.strip()) if full else ""
    if not name:
        name = email or _clean(row.contact_id or (contact[0] if contact else None) or row.id)
    return " ".join(name.split()), " ".join(email.split())


class ConversationStore:
    """All conversations for one viewing user, and the filtered view over them."""

    def __init__(self, user_id: str | None = None) -> None:
        self.user_id = user_id
        self._by_id: dict[str, Entry] = {}
        self._order: list[Entry] = []
        self._view: list[Entry] = []
        self._seq = 0
        self.unread_count = 0
        self.query = ""
        self.unread_only = False
        #: "" (every channel) or one of ``CHANNELS``.
        self.channel = ""
        #: "" (any), "them" (they replied: the contact spoke last) or "us" (waiting for them).
        self.reply = ""
        #: Conversations by thread id (``contactId``): a stored thread's summary finds its rows.
        #: One entry per contact, a list for the rare contact with several conversations.
        self._by_contact: dict[str, Entry | list[Entry]] = {}
        #: Channel tuples lowercased, once per distinct tuple (they are shared).
        self._channel_sets: dict[tuple[str, ...], frozenset[str]] = {}
        #: Bumped on every change of the view, so widgets know to redraw.
        self.generation = 0
        #: Tuples that repeat across conversations (users' states, channel lists), shared.
        self._shared: dict[tuple[Any, ...], tuple[Any, ...]] = {}
        #: Views of wider filters (shorter queries while typing), so a backspace needs no
        #: new scan: (filter, view), cleared whenever the store changes.
        self._views: list[tuple[Filter, list[Entry]]] = []
        self._added_since_freeze = 0

    # -- whole store ---------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._order)

    def __contains__(self, conversation_id: object) -> bool:
        return conversation_id in self._by_id

    def get(self, conversation_id: str) -> Entry | None:
        return self._by_id.get(conversation_id)

    def newest(self, count: int) -> list[Entry]:
        """The ``count`` conversations of newest activity, whatever the filter shows."""
        return self._order[: max(0, count)]

    def ids(self) -> list[str]:
        """Every stored conversation's id, in no particular order."""
        return list(self._by_id)

    def clear(self, user_id: str | None = None) -> None:
        """Forget everything (switching the viewing user); the filter stays."""
        self.user_id = user_id
        self._by_id.clear()
        self._by_contact.clear()
        self._order.clear()
        self._view.clear()
        self._shared.clear()
        self._views.clear()
        self.unread_count = 0
        self.generation += 1

    def merge(self, conversations: Iterable[Conversation]) -> MergeResult:
        """Add new conversations and update known ones (by ``_id``); see ``merge_rows``."""
        return self.merge_rows(listing_row(conversation) for conversation in conversations)

    def merge_rows(self, rows: Iterable[StoredConversation]) -> MergeResult:
        """Add new conversations and update known ones (by ``_id``), keeping the order.

        A conversation whose last activity changed moves to its new place (the top,
        for new activity); one that did not change stays where it is. Rows come from
        the API (through ``merge``) or straight from the local database (warm start,
        with no pydantic model built).
        """
        result = MergeResult()
        for row in rows:
            old = self._by_id.get(row.id)
            if old is not None:
                if row.summary is None and old.summary is not None:
                    # A page from the API knows no thread: the stored one's summary stays.
                    row = row._replace(summary=old.summary)
                result.updated += 1
                if old.key[0] == -row.activity:
                    self._update_in_place(old, row)
                    continue
                self._remove(old)
            self._seq += 1
            entry = self._entry(row, (-row.activity, self._seq), old.version + 1 if old else 0)
            if old is None:
                result.added += 1
            self._insert(entry)
        if result.added or result.updated:
            self.generation += 1
            self._views.clear()
        self._added_since_freeze += result.added
        if self._added_since_freeze >= FREEZE_EVERY:
            self._added_since_freeze = 0
            gc.collect(1)
            gc.freeze()
        return result

    def remove(self, conversation_ids: Iterable[str]) -> int:
        """Forget conversations the server no longer lists; returns how many went."""
        removed = 0
        for conversation_id in conversation_ids:
            entry = self._by_id.get(conversation_id)
            if entry is not None:
                self._remove(entry)
                removed += 1
        if removed:
            self.generation += 1
            self._views.clear()
        return removed

    def unchanged(self, row: StoredConversation) -> bool:
        """Whether merging ``row`` would change nothing the list shows (sync stops there)."""
        entry = self._by_id.get(row.id)
        return (
            entry is not None
            and entry.key[0] == -row.activity
            and entry.users == row.users
            and entry.contact == row.contact
            and entry.channels == row.channels
            and entry.have_replies == row.have_replies
            and entry.contact_id == row.contact_id
        )

    def mark_read(self, conversation_id: str) -> bool:
        """The viewing user read this conversation; True if its row changed.

        The row stays in an unread-only view until the filter changes, so the
        cursor never jumps away from what the user is reading.
        """
        entry = self._by_id.get(conversation_id)
        if entry is None:
            return False
        if self.user_id is not None:
            entry.users = self._share(
                tuple((u, s, True) if u == self.user_id else (u, s, r) for u, s, r in entry.users)
            )
        if not entry.unread:
            return False
        entry.unread = False
        entry.version += 1
        self.unread_count -= 1
        self.generation += 1
        self._views.clear()
        return True

    def apply_summary(self, contact_id: str, summary: ThreadSummary) -> list[Entry]:
        """A thread was stored: its conversations' rows show its summary; the changed rows.

        A row the filter now lets in joins the view; one it no longer matches stays until
        the filter changes (as ``mark_read``: the cursor never loses what it is on).
        """
        found = self._by_contact.get(contact_id)
        entries = [found] if isinstance(found, Entry) else list(found or ())
        changed = [entry for entry in entries if entry.summary != summary]
        for entry in changed:
            entry.summary = summary
            entry._summarized()
            entry.version += 1
            if self.filtered and self._matches(entry) and self.view_index(entry.id) is None:
                self._insert_sorted(self._view, entry)
        if changed:
            self.generation += 1
            self._views.clear()
        return changed

    # -- the view ------------------------------------------------------------------

    @property
    def view_size(self) -> int:
        return len(self._view)

    def view_at(self, index: int) -> Entry:
        return self._view[index]

    def view_slice(self, start: int, stop: int) -> list[Entry]:
        return self._view[start:stop]

    def view_index(self, conversation_id: str | None) -> int | None:
        """Where a conversation is in the view (O(log n)), or None if not shown."""
        if conversation_id is None:
            return None
        entry = self._by_id.get(conversation_id)
        if entry is None:
            return None
        index = bisect_left(self._view, entry.key, key=_KEY)
        if index < len(self._view) and self._view[index] is entry:
            return index
        return None

    def locate(self, conversation_id: str, key: SortKey) -> int | None:
        """Where the cursor goes for a conversation: its view index if it is shown, else
        the nearest one shown in list order (O(log n)); None when the view is empty.

        "Nearest" is the next conversation in the full order that is shown, else the
        last one shown before it: what a reader expects after hiding the row they were
        on (the one below moves up into its place). ``key`` is where the conversation
        was, used when the store no longer has it (e.g. refetched under another id).
        """
        view = self._view
        if not view:
            return None
        entry = self._by_id.get(conversation_id)
        if entry is not None:
            key = entry.key
        index = bisect_left(view, key, key=_KEY)
        return min(index, len(view) - 1)

    @property
    def filtered(self) -> bool:
        return bool(self.query) or self.unread_only or bool(self.channel) or bool(self.reply)

    @property
    def filter(self) -> Filter:
        return Filter(self.query, self.unread_only, self.channel, self.reply)

    def set_filter(
        self,
        query: str | None = None,
        unread_only: bool | None = None,
        *,
        channel: str | None = None,
        reply: str | None = None,
    ) -> None:
        """Change the filter (None: keep that part); a filter within the last one narrows
        the current view, and going back to a wider one typed a moment ago reuses its view."""
        old = self.filter
        new = Filter(
            old.query if query is None else query.casefold().strip(),
            old.unread_only if unread_only is None else unread_only,
            old.channel if channel is None else channel.casefold(),
            old.reply if reply is None else reply,
        )
        if new == old:
            return
        narrowing = new.within(old)
        if narrowing:
            self._views.append((old, self._view))
        else:
            # Back to a wider filter of a moment ago (backspace): its view is kept.
            while self._views and not new.within(self._views[-1][0]):
                self._views.pop()
        source = self._view if narrowing else (self._views[-1][1] if self._views else self._order)
        self.query, self.unread_only, self.channel, self.reply = new
        if self._views and not narrowing and self._views[-1][0] == new:
            self._view = self._views.pop()[1]
        else:
            self._view = self._scan(source, new)
        self.generation += 1

    def _scan(self, source: list[Entry], f: Filter) -> list[Entry]:
        # One comprehension per common case: no function call per row (100,000 rows a
        # keystroke); channel and reply filters take the general path (set by a key, not
        # typed, and the query then narrows their smaller view).
        query = f.query
        if f.channel or f.reply:
            keep = self._predicate(f)
            return [entry for entry in source if keep(entry)]
        if f.unread_only and query:
            return [entry for entry in source if entry.unread and query in entry.search]
        if f.unread_only:
            return [entry for entry in source if entry.unread]
        if query:
            return [entry for entry in source if query in entry.search]
        return list(self._order)

    def _predicate(self, f: Filter) -> Callable[[Entry], bool]:
        query, unread_only, channel, reply = f
        sets = self._channel_sets

        def channels_of(channels: tuple[str, ...]) -> frozenset[str]:
            found = sets.get(channels)
            if found is None:
                found = sets[channels] = frozenset(c.casefold() for c in channels)
            return found

        def keep(entry: Entry) -> bool:
            return (
                (not unread_only or entry.unread)
                and (not reply or entry.last_from == reply)
                and (not channel or channel in channels_of(entry.channels))
                and (not query or query in entry.search)
            )

        return keep

    # -- internals -----------------------------------------------------------------

    def _share(self, value: tuple[Any, ...]) -> tuple[Any, ...]:
        return self._shared.setdefault(value, value)

    def _entry(self, row: StoredConversation, key: SortKey, version: int) -> Entry:
        name, email = _display(row)
        users = self._share(tuple((sys.intern(u), sender, read) for u, sender, read in row.users))
        return Entry(
            id=row.id,
            contact_id=row.contact_id,
            contact=row.contact,
            users=users,
            channels=self._share(tuple(sys.intern(c) for c in row.channels)),
            last_activity_at=row.last_activity_at,
            have_replies=row.have_replies,
            key=key,
            name=name,
            email=email,
            unread=not is_read_by(users, self.user_id),
            version=version,
            summary=row.summary,
        )

    def _matches(self, entry: Entry) -> bool:
        if not (self.channel or self.reply):
            if self.unread_only and not entry.unread:
                return False
            return not self.query or self.query in entry.search
        return self._predicate(self.filter)(entry)

    def _index_contact(self, entry: Entry, *, add: bool) -> None:
        contact_id = entry.thread_id
        if contact_id is None:
            return
        found = self._by_contact.get(contact_id)
        if add:
            if found is None:
                self._by_contact[contact_id] = entry
            elif isinstance(found, Entry):
                self._by_contact[contact_id] = [found, entry]
            else:
                found.append(entry)
        elif found is entry:
            del self._by_contact[contact_id]
        elif isinstance(found, list):
            kept = [e for e in found if e is not entry]
            self._by_contact[contact_id] = kept[0] if len(kept) == 1 else kept

    def _insert(self, entry: Entry) -> None:
        self._by_id[entry.id] = entry
        self._index_contact(entry, add=True)
        if entry.unread:
            self.unread_count += 1
        self._insert_sorted(self._order, entry)
        if self._matches(entry):
            self._insert_sorted(self._view, entry)

    @staticmethod
    def _insert_sorted(entries: list[Entry], entry: Entry) -> None:
        # Fast path: pages arrive newest first, so most inserts go at the end.
        if not entries or entries[-1].key < entry.key:
            entries.append(entry)
        else:
            entries.insert(bisect_left(entries, entry.key, key=_KEY), entry)

    def _remove(self, entry: Entry) -> None:
        del self._by_id[entry.id]
        self._index_contact(entry, add=False)
        if entry.unread:
            self.unread_count -= 1
        for entries in (self._order, self._view):
            index = bisect_left(entries, entry.key, key=_KEY)
            if index < len(entries) and entries[index] is entry:
                del entries[index]

    def _update_in_place(self, entry: Entry, row: StoredConversation) -> None:
        """Same place in the order; refresh what may have changed (read state, names)."""
        fresh = self._entry(row, entry.key, entry.version + 1)
        if fresh.thread_id != entry.thread_id:
            self._index_contact(entry, add=False)
            entry.contact_id, entry.contact = fresh.contact_id, fresh.contact
            self._index_contact(entry, add=True)
        for name in Entry.__slots__:
            if name not in ("key", "unread"):
                setattr(entry, name, getattr(fresh, name))
        if fresh.unread != entry.unread:
            self.unread_count += 1 if fresh.unread else -1
            entry.unread = fresh.unread
        if self.filtered and self._matches(entry) and self.view_index(entry.id) is None:
            self._insert_sorted(self._view, entry)
