"""Full-text search over every stored message (SQLite FTS5), newest first, with context.

What is indexed is what the reader sees: the subject, the body as rendered text (not the
HTML: no markup, styles or tracking URLs match), the sender's name and address. A thread
is indexed when it is stored, and re-indexed whole when it is stored again.

Queries are the user's words, never FTS5 syntax: ``fts_query`` turns them into a safe
expression (every term quoted), so no input reaches SQLite as an operator and a malformed
query is a ``SearchError`` with a sentence for the status line, never an SQLite error.
Supported: plain words (all must match), ``"a phrase"``, ``prefix*``, ``-word`` (must not
match) and ``OR`` between two terms.

Each message's rowid in the FTS table is its time (milliseconds, times ``ROW_SLOTS``,
plus a slot for messages of the same millisecond), so "newest first" is FTS5's own
``ORDER BY rowid DESC``: a common word stops after ``limit`` matches and only those get
a snippet, instead of sorting every match by a column (74 ms against 2 at 60,000
messages). ``message_rows`` maps rowids to threads: re-indexing a thread deletes its
rows by an index, not by scanning every message's text (38 ms a thread).

What one message puts in the index is bounded (``MAX_BODY_CHARS`` and the others): a
50 MB body is a hostile server's, not something to search through. A thread indexed by
an older release (or before indexing existed) is caught up by ``rebuild``, once per
``INDEX_VERSION``, in a worker.

Snippets carry the matched words between ``HIT_START`` and ``HIT_END`` (control
characters the sanitized text can never hold), so the UI can style them without parsing.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lemlist_inbox.inbox.db import forget_indexed

if TYPE_CHECKING:
    from lemlist_inbox.inbox.db import InboxDatabase
    from lemlist_inbox.render.message import RenderedMessage

__all__ = [
    "HIT_END",
    "HIT_START",
    "INDEX_VERSION",
    "SearchError",
    "SearchHit",
    "SearchIndex",
    "fts_query",
    "plain",
    "split_hits",
]

HIT_START = "\x02"
HIT_END = "\x03"
#: Words of context around a match in a snippet.
SNIPPET_WORDS = 12
#: Bumped when what is indexed changes: files indexed before are rebuilt (``rebuild``).
INDEX_VERSION = "1"
#: ``state`` key holding the ``INDEX_VERSION`` a file's index was last rebuilt to.
STATE_INDEX = "search_index"
#: Rowids per millisecond (module docstring).
ROW_SLOTS = 1024
#: Latest time a rowid can hold (year 9999): a later date from the server is clamped.
_MAX_MS = 253_402_300_799_000
#: Bounds of what one message puts in the index (characters), and messages per thread
#: (the newest are kept).
MAX_BODY_CHARS = 20_000
MAX_FIELD_CHARS = 500
MAX_MESSAGES = 2_000
#: Query terms at most: a pasted paragraph is not a query.
MAX_TERMS = 32

_TOKEN = re.compile(r'(-?)"([^"]*)"|(\S+)')
_WORD = re.compile(r"\w+", re.UNICODE)


class SearchError(ValueError):
    """The query cannot be searched; the message says why, for the status line."""


@dataclass(frozen=True)
class SearchHit:
    """One matching message: where it is, and the words around the match."""

    contact_id: str
    message_id: str
    #: POSIX time of the message (0.0 unknown).
    created: float
    #: The subject, with ``HIT_START``/``HIT_END`` around each matched word.
    subject: str
    sender: str
    #: The body's words around the match (its first words when only the subject or
    #: sender matched), sanitized, the matched words marked as in ``subject``.
    snippet: str
    channel: str = ""
    #: The stored conversation of the contact (what the main screen opens), if any.
    conversation_id: str | None = None
    #: The contact's display name (sanitized), or "" when no conversation is stored.
    contact: str = ""

    def matched_words(self) -> list[str]:
        """The words as they matched in this message (``LinkedIn`` for ``linked*``), each
        once, subject first: what to find and highlight in the opened thread."""
        words = [text for marked in (self.subject, self.snippet) for text, hit in split_hits(marked) if hit]
        return list(dict.fromkeys(words))


def _quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _term(text: str, *, prefix: bool) -> str | None:
    """One word (or phrase) as a quoted FTS5 string; None when it holds no word at all."""
    words = _WORD.findall(text)
    if not words:
        return None
    quoted = _quote(" ".join(words))
    return quoted + "*" if prefix else quoted


def fts_query(text: str) -> str:
    """The user's query as a safe FTS5 expression (see the module docstring)."""
    if text.count('"') % 2:
        raise SearchError('unbalanced quote: close the phrase with "')
    parts: list[str] = []
    pending_or = False
    positives = 0
    for match in _TOKEN.finditer(text.strip()):
        negate, phrase, bare = match.group(1), match.group(2), match.group(3)
        if bare is not None and bare == "OR":
            if not parts or pending_or:
                raise SearchError("OR needs a word on each side")
            pending_or = True
            continue
        if phrase is not None:
            term = _term(phrase, prefix=False)
        else:
            negate = "-" if bare.startswith("-") and len(bare) > 1 else ""
            word = bare[1:] if negate else bare
            term = _term(word.rstrip("*"), prefix=word.endswith("*") and len(word.rstrip("*")) > 0)
        if term is None:
            continue
        if negate:
            if pending_or:
                raise SearchError("OR cannot join an excluded word")
            parts.append(f"NOT {term}")
            continue
        positives += 1
        if pending_or:
            parts[-1] = f"({parts[-1]} OR {term})"
            pending_or = False
        else:
            parts.append(term)
        if len(parts) > MAX_TERMS:
            raise SearchError(f"too many words: at most {MAX_TERMS}")
    if pending_or:
        raise SearchError("OR needs a word on each side")
    if not positives:
        raise SearchError("type at least one word to search for")
    # FTS5 wants NOT after something to subtract from: "a NOT b" (AND is implicit).
    positive = [p for p in parts if not p.startswith("NOT ")]
    negative = [p for p in parts if p.startswith("NOT ")]
    return " ".join(positive + negative)


def plain(marked: str) -> str:
    """A subject or snippet without its match markers."""
    return marked.replace(HIT_START, "").replace(HIT_END, "")


def split_hits(snippet: str) -> list[tuple[str, bool]]:
    """A snippet as (text, is_match) runs, for styling the matched words."""
    runs: list[tuple[str, bool]] = []
    inside = False
    for piece in re.split(f"([{HIT_START}{HIT_END}])", snippet):
        if piece == HIT_START:
            inside = True
        elif piece == HIT_END:
            inside = False
        elif piece:
            runs.append((piece, inside))
    return runs


def _clean(text: str, bound: int = MAX_FIELD_CHARS) -> str:
    # Rendered text is sanitized already; the markers must still never occur in it.
    return text[:bound].replace(HIT_START, "").replace(HIT_END, "")


def _row_base(created: float) -> int:
    """The first rowid of the millisecond ``created`` (clamped to 1970..9999)."""
    ms = int(created * 1000) if created == created else 0  # NaN: unknown
    return max(0, min(ms, _MAX_MS)) * ROW_SLOTS


def _free_row(db: sqlite3.Connection, base: int) -> int:
    top = db.execute(
        "SELECT MAX(row) FROM message_rows WHERE row BETWEEN ? AND ?", (base, base + ROW_SLOTS - 1)
    ).fetchone()[0]
    if top is None:
        return base
    if top + 1 < base + ROW_SLOTS:
        return int(top) + 1
    # A full millisecond (a replay of one message 1024 times): any free row after it.
    return int(db.execute("SELECT MAX(row) FROM message_rows").fetchone()[0]) + 1


class SearchIndex:
    """The ``message_text`` table of one local inbox."""

    def __init__(self, db: InboxDatabase) -> None:
        self._db = db

    def index_thread(self, contact_id: str, messages: Iterable[RenderedMessage]) -> None:
        """(Re)index one thread's rendered messages in one transaction; run in a worker.

        The thread's previous rows go first, so storing a thread again never leaves a
        duplicate; a message id the server sent twice is indexed once (the last copy).
        """
        latest: dict[str, RenderedMessage] = {}
        for m in messages:
            latest.pop(m.message_id, None)
            latest[m.message_id] = m
        kept = list(latest.values())[-MAX_MESSAGES:]
        rows = [
            (
                _clean(m.subject),
                # The message's own words: quoted history would make every later reply
                # match what it quotes (kept whole when there is nothing else).
                _clean(m.body.text if m.body.text.strip() else (m.body.quoted or ""), MAX_BODY_CHARS),
                _clean(m.sender),
                _clean(m.sender_address),
                _clean(contact_id),
                _clean(m.message_id),
                m.when.timestamp() if m.when is not None else 0.0,
                _clean(m.channel, 40),
            )
            for m in kept
        ]

        def write(db: sqlite3.Connection) -> None:
            forget_indexed(db, contact_id)
            for subject, body, sender, address, contact, message_id, created, channel in rows:
                row = _free_row(db, _row_base(created))
                db.execute("INSERT INTO message_rows VALUES (?,?,?)", (row, contact_id, channel))
                db.execute(
                    "INSERT INTO message_text (rowid, subject, body, sender, address, contact_id,"
                    " message_id, created) VALUES (?,?,?,?,?,?,?,?)",
                    (row, subject, body, sender, address, contact, message_id, created),
                )

        self._db.write("index thread", write)

    def search(self, text: str, *, limit: int = 200, words: int = SNIPPET_WORDS) -> list[SearchHit]:
        """Messages matching ``text``, newest first (``SearchError`` for a bad query);
        ``words`` of context in each snippet (a wide screen shows more)."""
        expression = fts_query(text)
        context = max(4, min(64, int(words)))  # FTS5 allows 1..64
        sql = (
            "SELECT rowid, contact_id, message_id, created,"
            f" highlight(message_text, 0, '{HIT_START}', '{HIT_END}'), sender,"
            f" snippet(message_text, 1, '{HIT_START}', '{HIT_END}', '…', {context})"
            " FROM message_text WHERE message_text MATCH ? ORDER BY rowid DESC LIMIT ?"
        )
        failure: list[str] = []

        def query(db: sqlite3.Connection) -> list[tuple[object, ...]]:
            try:
                rows = db.execute(sql, (expression, max(0, int(limit)))).fetchall()
            except sqlite3.OperationalError as exc:  # should not happen: every term is quoted
                failure.append(str(exc))
                return []
            rowids = [row[0] for row in rows]
            channels = (
                dict(
                    db.execute(
                        f"SELECT row, channel FROM message_rows WHERE row IN ({','.join('?' * len(rowids))})",
                        rowids,
                    ).fetchall()
                )
                if rowids
                else {}
            )
            return [(*row[1:], channels.get(row[0], "")) for row in rows]

        none: list[tuple[object, ...]] = []
        found = self._db.read(query, none)
        if failure:
            raise SearchError(f"cannot search for that: {failure[0]}")
        from lemlist_inbox.inbox.store import display_name

        conversations = self._db.conversations_for_contacts(str(row[0]) for row in found)
        hits = []
        for contact_id, message_id, created, subject, sender, snippet, channel in found:
            conversation = conversations.get(str(contact_id))
            hits.append(
                SearchHit(
                    str(contact_id),
                    str(message_id),
                    float(created or 0.0),  # type: ignore[arg-type]
                    str(subject),
                    str(sender),
                    str(snippet),
                    channel=str(channel),
                    conversation_id=conversation.id if conversation is not None else None,
                    contact=display_name(conversation) if conversation is not None else "",
                )
            )
        return hits

    def indexed_threads(self) -> int:
        """Threads with at least one message in the index."""
        return int(
            self._db.read(
                lambda db: db.execute("SELECT COUNT(DISTINCT contact_id) FROM message_rows").fetchone()[0], 0
            )
        )

    def stale(self) -> bool:
        """Whether ``rebuild`` is owed (never done for this ``INDEX_VERSION``)."""
        return self._db.get_state(STATE_INDEX) != INDEX_VERSION

    def rebuild(self, on_progress: Callable[[int, int], None] | None = None) -> int:
        """Index every stored thread again from what is stored; run in a worker.

        For files whose threads were stored before this index (or by an older one): the
        rows are dropped and each stored thread rendered and indexed, one transaction per
        thread, so the app's own reads and saves interleave. A thread saved meanwhile is
        indexed by its save; reaching it here re-indexes the same stored copy. Returns
        the threads indexed.
        """
        from lemlist_inbox.api.models import Message, parse_items
        from lemlist_inbox.api.pagination import oldest_first
        from lemlist_inbox.inbox.store import display_name
        from lemlist_inbox.render.message import render_thread

        db = self._db

        def reset(connection: sqlite3.Connection) -> None:
            connection.execute("DELETE FROM message_text")
            connection.execute("DELETE FROM message_rows")

        db.write("reset search index", reset)
        ids = sorted(db.thread_ids())
        names = {cid: display_name(row) for cid, row in db.conversations_for_contacts(ids).items()}
        done = 0
        for number, contact_id in enumerate(ids, 1):
            stored = db.thread(contact_id)
            if stored is not None:
                messages, _skipped, _reasons = parse_items(Message, stored.messages)
                self.index_thread(
                    contact_id, render_thread(oldest_first(messages), contact_name=names.get(contact_id))
                )
                done += 1
            if on_progress is not None:
                on_progress(number, len(ids))
        if db.degraded is None:
            db.set_state(STATE_INDEX, INDEX_VERSION)
        return done
